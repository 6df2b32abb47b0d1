/*
 * store_changes: what a sync reads from the kiosk's store, and the one
 * thing it writes there (the synced mark), on a connection of its own.
 *
 * Every transaction that raises a count stamps it with a new meta seq
 * (store.h), so "what changed since the last push" is every count and
 * reason count row with changed_seq above meta synced_seq.  The sync
 * reads such a range in one snapshot (begin .. end), pushes it, and then
 * records the range's upper seq as synced_seq with store_changes_mark.
 *
 * The connection is opened on the caller's thread and used only there
 * (SQLITE_OPEN_NOMUTEX); it never creates, migrates or quarantines a
 * store (that is store_open's job, on the kiosk's thread), and never
 * writes counts.  A WAL reader: it does not block the kiosk's writer.
 *
 * Errors: each function returns 0, or -1 after writing into the caller's
 * error buffer (given at open) what failed, with the store's path and
 * sqlite3_errmsg.  Nothing here logs; the caller decides.
 */
#ifndef WOW_STORE_CHANGES_H
#define WOW_STORE_CHANGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define STORE_CHANGES_COUNT_COLUMNS   8 /* rating 1..4 without misuse, then with */
#define STORE_CHANGES_END_COLUMNS     8 /* follow-ups ended without a reason, see below */
#define STORE_CHANGES_FIRST_REASONS   4 /* each question's first chosen reason, see below */
#define STORE_CHANGES_INCARNATION_MAX 40
#define STORE_CHANGES_KIOSK_ID_MAX    128

struct store_changes; /* opaque: one connection */

/* The store's meta as one snapshot sees it. */
struct store_changes_meta {
    char kiosk_id[STORE_CHANGES_KIOSK_ID_MAX]; /* the kiosk the store was made for */
    char incarnation[STORE_CHANGES_INCARNATION_MAX];
    int64_t synced_seq; /* the last range recorded with store_changes_mark */
    int64_t seq;        /* the last transaction's */
};

/* Every count of one (department, bucket) at least one of which changed
 * in the range: a changed face brings its bucket's other faces along, and
 * so does a changed count of follow-ups that ended without a reason
 * (skipped or timed out), which come as counts of the same row, and a
 * changed chosen reason.  The first chosen reason of each question and
 * misuse flag (the reason count row made first, store.c's first_seq) comes
 * in the same row too; it stays the first as the store grows, so the
 * shared database's column for it only ever grows.  The later reasons come
 * as reason rows (handle_reason). */
struct store_count_change {
    const char *department; /* valid during the handler's call only */
    int64_t bucket_start_ms;
    int64_t n[STORE_CHANGES_COUNT_COLUMNS]; /* index (misuse ? 4 : 0) + rating - 1 */
    /* index (misuse ? 4 : 0) + (timed out ? 2 : 0) + (negative question ? 1 : 0) */
    int64_t ended[STORE_CHANGES_END_COLUMNS];
    /* index (misuse ? 2 : 0) + (negative question ? 1 : 0); "" and 0: none */
    const char *first_reason[STORE_CHANGES_FIRST_REASONS]; /* valid during the call only */
    int64_t first_n[STORE_CHANGES_FIRST_REASONS];
};

/* One reason count row of a chosen reason that changed in the range, but
 * not its question's first (which comes with the counts). */
struct store_reason_change {
    const char *department; /* valid during the handler's call only */
    const char *reason;     /* likewise */
    int64_t bucket_start_ms;
    enum store_question question;
    enum store_followup_end ended_by;
    bool misuse;
    int64_t n;
};

/* Called once per row, in bucket then department order: a bucket's count
 * row, then its reason rows.  Returning false stops the read, which then
 * fails with "stopped by the reader". */
struct store_changes_handlers {
    bool (*handle_count)(void *ctx, const struct store_count_change *row);
    bool (*handle_reason)(void *ctx, const struct store_reason_change *row);
    void *ctx;
};

/* Opens the existing store at path (never creates one).  error (size
 * bytes, kept by the connection until store_changes_close) receives
 * every later failure's text too.  On success *out owns the connection,
 * freed with store_changes_close; on failure *out is NULL. */
int store_changes_open(struct store_changes **out, const char *path, char *error, size_t size);

/* Closes the connection (ending a snapshot left open); NULL is a no-op. */
void store_changes_close(struct store_changes *changes);

/* Starts one read snapshot and reads meta into *meta.  Everything read
 * until store_changes_end sees the same state of the store. */
int store_changes_begin(struct store_changes *changes, struct store_changes_meta *meta);

/* Ends the snapshot store_changes_begin started (a read: nothing to lose). */
void store_changes_end(struct store_changes *changes);

/* The changed_seq of the max_rows-th row (count or reason count) with
 * changed_seq above after_seq, so that a range stays at about max_rows
 * rows (more only when rows share a seq); *upper_seq is left as it is
 * when fewer rows are waiting.  max_rows is at least 1. */
int store_changes_limit(struct store_changes *changes, int64_t after_seq, int max_rows,
                        int64_t *upper_seq);

/* Calls handlers for every row with after_seq < changed_seq <= upto_seq:
 * the counts first (with the follow-ups that ended without a reason),
 * then the reason counts of chosen reasons. */
int store_changes_read(struct store_changes *changes, int64_t after_seq, int64_t upto_seq,
                       const struct store_changes_handlers *handlers);

/* How many rows (count and reason count) have changed_seq above
 * after_seq: the backlog. */
int store_changes_backlog(struct store_changes *changes, int64_t after_seq, int64_t *rows);

/* How many have after_seq < changed_seq <= upto_seq: a batch's rows, an
 * index range no longer than the batch (the backlog before a batch is
 * the backlog after it and these, without counting the rest twice). */
int store_changes_count(struct store_changes *changes, int64_t after_seq, int64_t upto_seq,
                        int64_t *rows);

/* Records synced_seq = upto_seq for a range read from after_seq, only if
 * the store still has incarnation (a store quarantined and made anew
 * since the read is left alone), its synced_seq is still after_seq (the
 * range starts where the store's last recorded one ended: a range read
 * ahead from another store is never recorded over this one's rows) and
 * lower than upto_seq (a mark never goes back). */
int store_changes_mark(struct store_changes *changes, const char *incarnation, int64_t after_seq,
                       int64_t upto_seq);

/* Records synced_seq = to_seq when the shared database holds less than
 * the store believed it sent (its cursor, sync_backend.h): only if the
 * store still has incarnation and its synced_seq is above to_seq (>= 0).
 * The rows after to_seq are then read and sent again, and with them every
 * comment (marked not synced in the same transaction: the database
 * inserts each once). */
int store_changes_rewind(struct store_changes *changes, const char *incarnation, int64_t to_seq);

#endif
