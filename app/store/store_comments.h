/*
 * store_comments: the customer's own words typed on the kiosk after a tap
 * (docs/COMMENTS.md), and the key the kiosk signs its phone tokens with.
 *
 * A comment belongs to one tap (at most one per tap): its department,
 * rating and time are read from the tap's row, so what is synced matches
 * what was counted.  It is written in one transaction like every record
 * (on the session's writer thread), and pushed by the sync to the shared
 * `comments` table; its synced mark is set only after that push committed.
 *
 * The comment key is 32 random bytes (libsodium's randombytes) made once
 * per store and kept in meta (as hex); it reaches the dashboard in the
 * heartbeat (kiosks.comment_key).  A store made anew after a quarantine
 * gets a new key, as it gets a new incarnation.
 */
#ifndef WOW_STORE_COMMENTS_H
#define WOW_STORE_COMMENTS_H

#include <stddef.h>
#include <stdint.h>

struct store;
struct store_changes;

#define STORE_COMMENT_MAX_CHARS 500 /* SCHEMA_COMMENT_MAX_CHARS: the shared table's limit */
#define STORE_COMMENT_BODY_MAX  (STORE_COMMENT_MAX_CHARS * 4 + 1) /* bytes of UTF-8 with NUL */
#define STORE_COMMENT_KEY_BYTES 32

/* A comment as typed: the words and the language the customer used. */
struct store_comment {
    const char *lang;   /* "en", "fi": 2..7 of [a-z] */
    const char *body;   /* well-formed UTF-8, 1..STORE_COMMENT_MAX_CHARS characters */
    int64_t written_ms; /* when the customer sent it, the kiosk's wall clock */
};

/* Records the comment of tap tap_id in one transaction.  Returns 0, or a
 * STORE_ERR_* (store.h), logged: STORE_ERR_REFUSED for an unknown tap, an
 * empty, too long or ill-formed body, a bad language, or a second comment
 * for the tap with other words; the same words again (a commit reported
 * failed that landed) return 0 and write nothing.  STORE_ERR_RETRY: keep
 * it and retry. */
int store_record_comment(struct store *store, int64_t tap_id, const struct store_comment *c);

/* The store's comment key in key[], made (and kept) at its first use.
 * Returns 0, or a STORE_ERR_* (logged). */
int store_comment_key(struct store *store, unsigned char key[STORE_COMMENT_KEY_BYTES]);

/* The same on a sync's connection: hex (64 chars and NUL) into hex.
 * Returns 0, or -1 with the reason in the connection's error buffer. */
int store_changes_comment_key(struct store_changes *changes,
                              char hex[2 * STORE_COMMENT_KEY_BYTES + 1]);

/* One comment not yet synced; every pointer valid during the callback. */
struct store_comment_row {
    int64_t id; /* the order it was written in: store_changes_comments_mark's bound */
    int64_t tap_id;
    const char *department;
    int rating;
    int64_t tap_ms; /* the tap's time, the kiosk's wall clock */
    const char *lang;
    const char *body;
    int64_t written_ms;
};

/* Calls row() for each comment not yet marked synced, oldest first, at
 * most max_rows of them, inside the read begun by store_changes_begin;
 * *upto is the last one's id (left as it is when there are none).  A
 * non-zero return of row() stops the read and is returned.  0, or -1
 * with the reason in the connection's error buffer. */
int store_changes_comments(struct store_changes *changes, int max_rows,
                           int (*row)(void *ctx, const struct store_comment_row *r), void *ctx,
                           int64_t *upto);

/* Marks synced every comment with an id up to upto, when the store is
 * still the incarnation that was read.  0, or -1 (error buffer). */
int store_changes_comments_mark(struct store_changes *changes, const char *incarnation,
                                int64_t upto);

/* Comments not yet synced, for the backlog; 0 or -1 (error buffer). */
int store_changes_comments_waiting(struct store_changes *changes, int64_t *n);

#endif
