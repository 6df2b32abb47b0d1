/*
 * sync_comments: the comments typed on the kiosk, pushed to the shared
 * `comments` table (docs/COMMENTS.md), and the kiosk's comment key to its
 * `kiosks` row, in the same transaction as the round's counts.
 *
 * Each round reads the comments not yet synced (store_comments.h) and the
 * key; the backends add them after the heartbeat: INSERT .. ON CONFLICT DO
 * NOTHING (the words never change and never double on a resend), then the
 * key.  Only after the push committed does the engine mark them synced.
 * An idle round sends nothing more: no comment waiting and the key already
 * sent by this process since the store's incarnation last changed.
 */
#ifndef WOW_SYNC_COMMENTS_H
#define WOW_SYNC_COMMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "strbuf.h"
#include "sync_backend.h"

#define SYNC_COMMENTS_PER_ROUND 200 /* more go out in the next rounds, at once */

/* One round's comments, owned. */
struct sync_comments {
    struct sync_comment_row *rows; /* owned, with their strings */
    size_t n;
    int64_t upto;      /* the store's id of the last one read */
    char key[65];      /* the comment key as hex; "" when it could not be read */
    char key_sent[40]; /* the incarnation whose key a push carried last */
    bool send_key;     /* this round carries the key */
    bool skip_next;    /* the last push with comments was refused: send counts alone */
};

/* Reads up to SYNC_COMMENTS_PER_ROUND waiting comments and the key from
 * the store at path (incarnation: the one the round's batch read).
 * Returns 0, or -1 with the reason in error: the round then goes on
 * without comments. */
int sync_comments_read(struct sync_comments *c, const char *path, const char *incarnation,
                       char *error, size_t size);

/* Points batch at this round's comments and key (none when there are none). */
void sync_comments_to_batch(const struct sync_comments *c, struct sync_batch *batch);

/* After a committed push: marks the comments synced in the store at path
 * and remembers the key as sent.  0, or -1 with error (sent again: the
 * insert is a no-op then). */
int sync_comments_pushed(struct sync_comments *c, const char *path, const char *incarnation,
                         char *error, size_t size);

/* After a refused push (a server error) that carried comments: the next
 * round sends the counts without them, the one after tries them again. */
void sync_comments_refused(struct sync_comments *c);

/* Frees the rows (the key and its sent mark stay). */
void sync_comments_free(struct sync_comments *c);

/* PostgreSQL: the statements to add to the push's pipeline after the
 * heartbeat, as text and parameters (arrays as literals in arrays[]). */
struct sync_comments_pg {
    int n;
    const char *what[2];
    const char *sql[2];
    int nparams[2];
    const char *params[2][9];
    struct strbuf arrays[7]; /* owned: free with sync_comments_pg_free */
};

/* Fills *out for batch (n = 0: nothing to send).  False when out of memory. */
bool sync_comments_pg_statements(const struct sync_batch *batch, struct sync_comments_pg *out);
void sync_comments_pg_free(struct sync_comments_pg *out);

/* SQLite: runs the batch's comment inserts and key update on db inside
 * the caller's transaction.  True when done; false with *what naming the
 * statement that failed (sqlite3_errmsg(db) says why). */
bool sync_comments_sqlite(sqlite3 *db, const struct sync_batch *batch, const char **what);

#endif
