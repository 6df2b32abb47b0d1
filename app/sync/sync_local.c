/*
 * sync_local: reading the kiosk's store for a push (see sync_local.h).
 *
 * A fresh connection per round costs a fraction of a millisecond and
 * follows the file: when the session quarantines a corrupt store and
 * makes a new one at the same path, the next round reads the new one.
 * The read is one transaction, so meta and rows are one snapshot (WAL
 * readers never block the kiosk's writer).
 */
#include "sync_local.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    sqlite3 *db;
    char *error;
    size_t size;
};

static int fail(struct reader *r, const char *what)
{
    snprintf(r->error, r->size, "sync: store %s: %s: %s",
             r->db ? sqlite3_db_filename(r->db, "main") : "?", what,
             r->db ? sqlite3_errmsg(r->db) : "cannot open");
    return -1;
}

static int open_store(struct reader *r, const char *path)
{
    if (sqlite3_open_v2(path, &r->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(r->error, r->size, "sync: cannot open the store %s: %s", path,
                 r->db ? sqlite3_errmsg(r->db) : "out of memory");
        return -1;
    }
    return sqlite3_busy_timeout(r->db, 5000) == SQLITE_OK ? 0 : fail(r, "busy_timeout");
}

static void close_store(struct reader *r)
{
    sqlite3_close(r->db);
    r->db = NULL;
}

/* Reads meta key into buf; 0 or -1. */
static int meta_text(struct reader *r, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL) !=
        SQLITE_OK)
        return fail(r, "reading meta");
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return fail(r, key);
    return 0;
}

static int meta_int(struct reader *r, const char *key, int64_t *value)
{
    char buf[32];
    if (meta_text(r, key, buf, sizeof buf) != 0)
        return -1;
    char *end;
    *value = strtoll(buf, &end, 10);
    return *end == '\0' ? 0 : fail(r, "meta value is not a number");
}

/* One integer from sql with ?1 = a and ?2 = b; *value unchanged when the
 * query returns no row. */
static int query_int(struct reader *r, const char *sql, int64_t a, int64_t b, int64_t *value)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(r->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return fail(r, "preparing a query");
    sqlite3_bind_int64(stmt, 1, a);
    sqlite3_bind_int64(stmt, 2, b);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(r, "query");
}

/* The batch's texts repeat (a few departments, reasons): keep each once. */
static const char *intern(struct sync_local_batch *batch, const unsigned char *text)
{
    const char *s = text ? (const char *)text : "";
    for (size_t i = batch->string_n; i-- > 0;)
        if (!strcmp(batch->strings[i], s))
            return batch->strings[i];
    if (batch->string_n == batch->string_cap) {
        size_t cap = batch->string_cap ? batch->string_cap * 2 : 16;
        char **strings = realloc(batch->strings, cap * sizeof *strings);
        if (!strings)
            return NULL;
        batch->strings = strings;
        batch->string_cap = cap;
    }
    char *copy = strdup(s);
    if (copy)
        batch->strings[batch->string_n++] = copy;
    return copy;
}

static bool grow(void **items, size_t *cap, size_t n, size_t item_size)
{
    if (n < *cap)
        return true;
    size_t new_cap = *cap ? *cap * 2 : 256;
    void *p = realloc(*items, new_cap * item_size);
    if (!p)
        return false;
    *items = p;
    *cap = new_cap;
    return true;
}

/* Every count of each (department, bucket) that changed, as one row: a
 * changed face sends its bucket's other faces' absolute counts too. */
static const char counts_sql[] =
    "SELECT department, bucket_start_ms_utc,"
    " coalesce(sum(n) FILTER (WHERE rating = 1 AND misuse = 0), 0),"
    " coalesce(sum(n) FILTER (WHERE rating = 2 AND misuse = 0), 0),"
    " coalesce(sum(n) FILTER (WHERE rating = 3 AND misuse = 0), 0),"
    " coalesce(sum(n) FILTER (WHERE rating = 4 AND misuse = 0), 0),"
    " coalesce(sum(n) FILTER (WHERE rating = 1 AND misuse = 1), 0),"
    " coalesce(sum(n) FILTER (WHERE rating = 2 AND misuse = 1), 0),"
    " coalesce(sum(n) FILTER (WHERE rating = 3 AND misuse = 1), 0),"
    " coalesce(sum(n) FILTER (WHERE rating = 4 AND misuse = 1), 0)"
    " FROM counts WHERE (department, bucket_start_ms_utc) IN"
    "  (SELECT department, bucket_start_ms_utc FROM counts"
    "   WHERE changed_seq > ?1 AND changed_seq <= ?2)"
    " GROUP BY department, bucket_start_ms_utc ORDER BY bucket_start_ms_utc, department";

static int read_counts(struct reader *r, struct sync_local_batch *batch)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(r->db, counts_sql, -1, &stmt, NULL) != SQLITE_OK)
        return fail(r, "reading counts");
    sqlite3_bind_int64(stmt, 1, batch->synced_seq);
    sqlite3_bind_int64(stmt, 2, batch->upper_seq);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!grow((void **)&batch->counts, &batch->count_cap, batch->count_n,
                  sizeof *batch->counts))
            break;
        struct sync_count_row *row = &batch->counts[batch->count_n];
        row->department = intern(batch, sqlite3_column_text(stmt, 0));
        row->bucket_start_ms = sqlite3_column_int64(stmt, 1);
        for (int i = 0; i < SYNC_COUNT_COLUMNS; i++)
            row->n[i] = sqlite3_column_int64(stmt, 2 + i);
        if (!row->department)
            break;
        batch->count_n++;
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW) {
        snprintf(r->error, r->size, "sync: out of memory reading counts");
        return -1;
    }
    return rc == SQLITE_DONE ? 0 : fail(r, "reading counts");
}

static int read_reasons(struct reader *r, struct sync_local_batch *batch)
{
    sqlite3_stmt *stmt;
    const char *sql = "SELECT department, bucket_start_ms_utc, question, reason, ended_by, misuse,"
                      " n FROM reason_counts WHERE changed_seq > ?1 AND changed_seq <= ?2"
                      " ORDER BY bucket_start_ms_utc, department";
    if (sqlite3_prepare_v2(r->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return fail(r, "reading reason_counts");
    sqlite3_bind_int64(stmt, 1, batch->synced_seq);
    sqlite3_bind_int64(stmt, 2, batch->upper_seq);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!grow((void **)&batch->reasons, &batch->reason_cap, batch->reason_n,
                  sizeof *batch->reasons))
            break;
        struct sync_reason_row *row = &batch->reasons[batch->reason_n];
        row->department = intern(batch, sqlite3_column_text(stmt, 0));
        row->bucket_start_ms = sqlite3_column_int64(stmt, 1);
        row->question = intern(batch, sqlite3_column_text(stmt, 2));
        row->reason = intern(batch, sqlite3_column_text(stmt, 3));
        row->ended_by = intern(batch, sqlite3_column_text(stmt, 4));
        row->misuse = sqlite3_column_int(stmt, 5);
        row->n = sqlite3_column_int64(stmt, 6);
        if (!row->department || !row->question || !row->reason || !row->ended_by)
            break;
        batch->reason_n++;
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW) {
        snprintf(r->error, r->size, "sync: out of memory reading reason counts");
        return -1;
    }
    return rc == SQLITE_DONE ? 0 : fail(r, "reading reason_counts");
}

static const char nth_seq_sql[] =
    "SELECT changed_seq FROM (SELECT changed_seq FROM counts WHERE changed_seq > ?1"
    " UNION ALL SELECT changed_seq FROM reason_counts WHERE changed_seq > ?1)"
    " ORDER BY changed_seq LIMIT 1 OFFSET ?2";

static const char backlog_sql[] =
    "SELECT (SELECT count(*) FROM counts WHERE changed_seq > ?1)"
    " + (SELECT count(*) FROM reason_counts WHERE changed_seq > ?1) + 0 * ?2";

/* Meta, the batch's upper bound, its rows and the backlog after it. */
static int read_snapshot(struct reader *r, int max_rows, struct sync_local_batch *batch)
{
    if (meta_text(r, "kiosk_id", batch->kiosk_id, sizeof batch->kiosk_id) != 0 ||
        meta_text(r, "incarnation", batch->incarnation, sizeof batch->incarnation) != 0 ||
        meta_int(r, "synced_seq", &batch->synced_seq) != 0 ||
        meta_int(r, "seq", &batch->upper_seq) != 0)
        return -1;
    /* more than max_rows waiting: stop at the max_rows-th row's seq */
    if (query_int(r, nth_seq_sql, batch->synced_seq, max_rows - 1, &batch->upper_seq) != 0 ||
        read_counts(r, batch) != 0 || read_reasons(r, batch) != 0)
        return -1;
    if (query_int(r, backlog_sql, batch->synced_seq, 0, &batch->backlog_before) != 0)
        return -1;
    return query_int(r, backlog_sql, batch->upper_seq, 0, &batch->backlog_after);
}

int sync_local_read(const char *path, int max_rows, struct sync_local_batch *batch, char *error,
                    size_t size)
{
    sync_local_batch_free(batch);
    struct reader r = {.error = error, .size = size};
    if (open_store(&r, path) != 0) {
        close_store(&r);
        return -1;
    }
    int rc = sqlite3_exec(r.db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(&r, "BEGIN");
    if (rc == 0)
        rc = read_snapshot(&r, max_rows > 0 ? max_rows : 1, batch);
    sqlite3_exec(r.db, "COMMIT", NULL, NULL, NULL); /* a read: nothing to lose */
    close_store(&r);
    return rc;
}

int sync_local_mark(const char *path, const struct sync_local_batch *batch, char *error,
                    size_t size)
{
    struct reader r = {.error = error, .size = size};
    if (open_store(&r, path) != 0) {
        close_store(&r);
        return -1;
    }
    sqlite3_stmt *stmt;
    const char *sql = "UPDATE meta SET value = ?1 WHERE key = 'synced_seq'"
                      " AND CAST(value AS INTEGER) < ?1"
                      " AND (SELECT value FROM meta WHERE key = 'incarnation') = ?2";
    int rc = -1;
    if (sqlite3_prepare_v2(r.db, sql, -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, batch->upper_seq);
        sqlite3_bind_text(stmt, 2, batch->incarnation, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(stmt);
    }
    if (rc != 0)
        fail(&r, "recording synced_seq");
    close_store(&r);
    return rc;
}

int64_t sync_local_backlog(const char *path)
{
    char error[256];
    struct reader r = {.error = error, .size = sizeof error};
    int64_t synced = 0, backlog = -1;
    if (open_store(&r, path) == 0 && meta_int(&r, "synced_seq", &synced) == 0 &&
        query_int(&r, backlog_sql, synced, 0, &backlog) != 0)
        backlog = -1;
    close_store(&r);
    return backlog;
}

void sync_local_batch_free(struct sync_local_batch *batch)
{
    for (size_t i = 0; i < batch->string_n; i++)
        free(batch->strings[i]);
    free(batch->strings);
    free(batch->counts);
    free(batch->reasons);
    *batch = (struct sync_local_batch){0};
}
