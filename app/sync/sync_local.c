/*
 * sync_local: reading the kiosk's store for a push (see sync_local.h),
 * through the store's own API for it (app/store/store_changes.h): this
 * file holds no SQL on the store's tables, only the batch it builds.
 *
 * The read is one snapshot, so meta and rows agree (WAL readers never
 * block the kiosk's writer).
 */
#include "sync_local.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "store_catalog.h"
#include "store_changes.h"

_Static_assert(SYNC_COUNT_COLUMNS == STORE_CHANGES_COUNT_COLUMNS &&
                   SYNC_COUNT_INDEX(1, false) == 0 && SYNC_COUNT_INDEX(4, true) == 7,
               "a sync count row is a store count change's columns, in its order");
_Static_assert(SYNC_END_COLUMNS == STORE_CHANGES_END_COLUMNS &&
                   SYNC_END_INDEX(true, true, false) == 3 &&
                   SYNC_END_INDEX(false, false, true) == 4,
               "a sync count row's follow-ups are a store count change's, in its order");
_Static_assert(SYNC_FIRST_REASONS == STORE_CHANGES_FIRST_REASONS &&
                   SYNC_FIRST_INDEX(true, false) == 1 && SYNC_FIRST_INDEX(false, true) == 2,
               "a sync count row's first reasons are a store count change's, in its order");

/* Fills the batch from the store's rows; stopped names the rows that
 * found no memory, NULL while there was enough. */
struct batch_builder {
    struct sync_local_batch *batch;
    const char *stopped;
};

static bool handle_count(void *ctx, const struct store_count_change *change)
{
    struct batch_builder *b = ctx;
    struct sync_local_batch *batch = b->batch;
    b->stopped = "counts";
    if (!array_room((void **)&batch->counts, &batch->count_cap, batch->count_n,
                    sizeof *batch->counts, 256))
        return false;
    struct sync_count_row *row = &batch->counts[batch->count_n];
    row->department = strset_keep(&batch->strings, change->department);
    row->bucket_start_ms = change->bucket_start_ms;
    memcpy(row->n, change->n, sizeof row->n);
    memcpy(row->ended, change->ended, sizeof row->ended);
    memcpy(row->first_n, change->first_n, sizeof row->first_n);
    bool kept = row->department != NULL;
    for (int r = 0; r < SYNC_FIRST_REASONS; r++)
        kept =
            (row->first_reason[r] = strset_keep(&batch->strings, change->first_reason[r])) && kept;
    if (!kept)
        return false;
    batch->count_n++;
    b->stopped = NULL;
    return true;
}

static bool handle_reason(void *ctx, const struct store_reason_change *change)
{
    struct batch_builder *b = ctx;
    struct sync_local_batch *batch = b->batch;
    b->stopped = "reason counts";
    if (!array_room((void **)&batch->reasons, &batch->reason_cap, batch->reason_n,
                    sizeof *batch->reasons, 256))
        return false;
    struct sync_reason_row *row = &batch->reasons[batch->reason_n];
    row->department = strset_keep(&batch->strings, change->department);
    row->bucket_start_ms = change->bucket_start_ms;
    row->question = store_question_name(change->question);
    row->reason = strset_keep(&batch->strings, change->reason);
    row->ended_by = store_followup_end_name(change->ended_by);
    row->misuse = change->misuse ? 1 : 0;
    row->n = change->n;
    if (!row->department || !row->reason)
        return false;
    batch->reason_n++;
    b->stopped = NULL;
    return true;
}

/* The catalogs as the snapshot sees them, into the batch. */
static int read_catalogs(struct store_changes *changes, struct sync_local_batch *batch)
{
    struct store_catalog_report catalogs;
    if (store_catalog_report(changes, &catalogs) != 0)
        return -1;
    batch->catalog_latest = catalogs.latest;
    batch->catalog_applied = catalogs.applied;
    batch->catalog_error[0] = '\0';
    if (catalogs.refused > 0)
        snprintf(batch->catalog_error, sizeof batch->catalog_error, "version %lld: %s",
                 (long long)catalogs.refused, catalogs.error);
    return 0;
}

/* Meta, the batch's upper bound, its rows and the backlog after it; the
 * rows after after_seq, or after the store's synced_seq when it is < 0. */
static int read_snapshot(struct store_changes *changes, int max_rows, int64_t after_seq,
                         struct sync_local_batch *batch, struct batch_builder *builder)
{
    struct store_changes_meta meta;
    if (store_changes_begin(changes, &meta) != 0)
        return -1;
    snprintf(batch->kiosk_id, sizeof batch->kiosk_id, "%s", meta.kiosk_id);
    snprintf(batch->incarnation, sizeof batch->incarnation, "%s", meta.incarnation);
    batch->synced_seq = after_seq >= 0 ? after_seq : meta.synced_seq;
    batch->upper_seq = meta.seq;
    /* more than max_rows waiting: stop at the max_rows-th row's seq */
    struct store_changes_handlers handlers = {handle_count, handle_reason, builder};
    int64_t rows = 0;
    if (store_changes_limit(changes, batch->synced_seq, max_rows, &batch->upper_seq) != 0 ||
        store_changes_read(changes, batch->synced_seq, batch->upper_seq, &handlers) != 0 ||
        store_changes_backlog(changes, batch->upper_seq, &batch->backlog_after) != 0 ||
        store_changes_count(changes, batch->synced_seq, batch->upper_seq, &rows) != 0 ||
        read_catalogs(changes, batch) != 0)
        return -1;
    batch->backlog_before = batch->backlog_after + rows;
    return 0;
}

/* "sync: " and the store's message, into error. */
static int failed(const char *why, char *error, size_t size)
{
    snprintf(error, size, "sync: %s", why);
    return -1;
}

int sync_local_read(const char *path, int max_rows, struct sync_local_batch *batch, char *error,
                    size_t size)
{
    return sync_local_read_after(path, max_rows, -1, batch, error, size);
}

int sync_local_read_after(const char *path, int max_rows, int64_t after_seq,
                          struct sync_local_batch *batch, char *error, size_t size)
{
    sync_local_batch_free(batch);
    char why[512];
    struct store_changes *changes;
    if (store_changes_open(&changes, path, why, sizeof why) != 0)
        return failed(why, error, size);
    struct batch_builder builder = {.batch = batch};
    int rc = read_snapshot(changes, max_rows, after_seq, batch, &builder);
    store_changes_end(changes);
    store_changes_close(changes);
    if (rc != 0 && builder.stopped)
        snprintf(why, sizeof why, "out of memory reading %s", builder.stopped);
    return rc == 0 ? 0 : failed(why, error, size);
}

int sync_local_recheck(const char *path, struct sync_local_batch *batch, char *error, size_t size)
{
    char why[512];
    struct store_changes *changes;
    if (store_changes_open(&changes, path, why, sizeof why) != 0)
        return failed(why, error, size);
    struct store_changes_meta meta;
    int rc = store_changes_begin(changes, &meta);
    bool current = rc == 0 && meta.synced_seq == batch->synced_seq &&
                   strcmp(meta.incarnation, batch->incarnation) == 0;
    if (rc == 0 && current)
        rc = read_catalogs(changes, batch);
    store_changes_end(changes);
    store_changes_close(changes);
    if (rc != 0)
        return failed(why, error, size);
    return current ? 1 : 0;
}

int sync_local_mark(const char *path, const struct sync_local_batch *batch, char *error,
                    size_t size)
{
    char why[512];
    struct store_changes *changes;
    if (store_changes_open(&changes, path, why, sizeof why) != 0)
        return failed(why, error, size);
    int rc = store_changes_mark(changes, batch->incarnation, batch->synced_seq, batch->upper_seq);
    store_changes_close(changes);
    return rc == 0 ? 0 : failed(why, error, size);
}

int sync_local_rewind(const char *path, const struct sync_local_batch *batch, int64_t seq,
                      char *error, size_t size)
{
    char why[512];
    struct store_changes *changes;
    if (store_changes_open(&changes, path, why, sizeof why) != 0)
        return failed(why, error, size);
    int rc = store_changes_rewind(changes, batch->incarnation, seq);
    store_changes_close(changes);
    return rc == 0 ? 0 : failed(why, error, size);
}

int sync_local_put_catalog(const char *path, const struct sync_fetched *fetched,
                           int64_t received_ms, char *error, size_t size)
{
    char why[512], refused[160];
    struct store_changes *changes;
    if (store_changes_open(&changes, path, why, sizeof why) != 0)
        return failed(why, error, size);
    snprintf(refused, sizeof refused,
             "catalog: %zu bytes: a text of at most %d bytes without NUL expected", fetched->length,
             SYNC_CATALOG_BODY_MAX);
    bool text = fetched->body != NULL;
    int rc = store_catalog_put(changes, fetched->version, text ? fetched->body : "", received_ms,
                               text ? NULL : refused);
    store_changes_close(changes);
    return rc == 0 ? 0 : failed(why, error, size);
}

int64_t sync_local_backlog(const char *path)
{
    char why[512];
    struct store_changes *changes;
    if (store_changes_open(&changes, path, why, sizeof why) != 0)
        return -1;
    struct store_changes_meta meta;
    int64_t backlog = -1;
    if (store_changes_begin(changes, &meta) != 0 ||
        store_changes_backlog(changes, meta.synced_seq, &backlog) != 0)
        backlog = -1;
    store_changes_end(changes);
    store_changes_close(changes);
    return backlog;
}

void sync_local_batch_free(struct sync_local_batch *batch)
{
    strset_free(&batch->strings);
    free(batch->counts);
    free(batch->reasons);
    *batch = (struct sync_local_batch){0};
}
