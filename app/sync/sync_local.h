/*
 * sync_local: the sync's side of the kiosk's store: a connection of its
 * own (store_changes.h), opened per round on the sync's thread, that
 * reads what changed since the last push into a batch for the backends
 * and records what was pushed.  It never writes counts: only the store's
 * synced mark.
 */
#ifndef WOW_SYNC_LOCAL_H
#define WOW_SYNC_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "strset.h"
#include "sync_backend.h"

#define SYNC_INCARNATION_MAX 40 /* the store's 32 hex chars, and room */

/* One batch read from the store; the rows' strings live in strings. */
struct sync_local_batch {
    char kiosk_id[128];
    char incarnation[SYNC_INCARNATION_MAX];
    int64_t synced_seq; /* before this batch */
    int64_t upper_seq;  /* the batch holds every row with synced_seq < changed_seq <= upper_seq */
    int64_t backlog_before;        /* store rows (one per rating) waiting before this batch */
    int64_t backlog_after;         /* and after it */
    struct sync_count_row *counts; /* owned */
    size_t count_n, count_cap;
    struct sync_reason_row *reasons; /* owned */
    size_t reason_n, reason_cap;
    struct strset strings; /* owned: the department, reason, ... texts, each once */
    /* the catalogs as the same snapshot saw them (store_catalog.h) */
    int64_t catalog_latest;  /* received last: the fetch's $have */
    int64_t catalog_applied; /* applied last: the heartbeat's catalog_version */
    char catalog_error[600]; /* "version N: FILE:LINE: key: message" of one refused since; "" */
};

/* Reads the next batch (at most max_rows rows, more only when rows share
 * a changed_seq) from the store at path.  Returns 0, or negative after
 * logging into error (size bytes) why. */
int sync_local_read(const char *path, int max_rows, struct sync_local_batch *batch, char *error,
                    size_t size);

/* The same, for the rows with changed_seq above after_seq rather than
 * above the store's synced_seq (< 0: that one): the batch after one not
 * yet recorded, read while it is pushed (sync_prefetch.h). */
int sync_local_read_after(const char *path, int max_rows, int64_t after_seq,
                          struct sync_local_batch *batch, char *error, size_t size);

/* Whether a batch read ahead still follows what the store at path has
 * recorded: 1 when the store has the batch's incarnation and its
 * synced_seq is the batch's (the catalogs in the batch are then read
 * again, since a push may have kept one meanwhile), 0 when not (the
 * batch must be read again), negative on error (logged into error). */
int sync_local_recheck(const char *path, struct sync_local_batch *batch, char *error, size_t size);

/* Records that batch was pushed: synced_seq = batch->upper_seq, if the
 * store at path still has the batch's incarnation and a lower synced_seq.
 * Returns 0, or negative (logged into error). */
int sync_local_mark(const char *path, const struct sync_local_batch *batch, char *error,
                    size_t size);

/* The shared database holds the store's rows only up to seq (its cursor,
 * below batch->synced_seq): records synced_seq = seq, if the store at
 * path still has the batch's incarnation and a higher synced_seq, so the
 * rows after it are sent again.  Returns 0, or negative (logged into
 * error). */
int sync_local_rewind(const char *path, const struct sync_local_batch *batch, int64_t seq,
                      char *error, size_t size);

/* Keeps a fetched catalog in the store at path as received at
 * received_ms (one over SYNC_CATALOG_BODY_MAX, or not a text, as refused,
 * so it is not fetched again).  Returns 0, or negative with error. */
int sync_local_put_catalog(const char *path, const struct sync_fetched *fetched,
                           int64_t received_ms, char *error, size_t size);

/* Rows with changed_seq above synced_seq (the backlog); -1 on error. */
int64_t sync_local_backlog(const char *path);

/* Frees what the batch owns and zeroes it. */
void sync_local_batch_free(struct sync_local_batch *batch);

#endif
