/*
 * store_changes: reading the store for a sync, and recording what it
 * pushed (see store_changes.h).  The SQL on meta, counts and
 * reason_counts that the sync needs lives here, beside the schema.
 *
 * A fresh connection per round costs a fraction of a millisecond and
 * follows the file: when the session quarantines a corrupt store and
 * makes a new one at the same path, the next round reads the new one.
 */
#include "store_changes.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "store_private.h"
#include "strset.h"

struct store_changes {
    sqlite3 *db; /* owned */
    char *error; /* the caller's */
    size_t size;
};

/* Every count of each (department, bucket) that changed, a line per store
 * row: a changed face sends its bucket's other faces' absolute counts too,
 * and so does a changed count of follow-ups that ended without a reason,
 * which become columns of the same row (column 8 and up:
 * store_count_change's ended[]).  In no order: read_counts sorts the
 * lines, in C, which takes a fraction of what SQLite's sorter took (its
 * ORDER BY was more than half of a backlog batch's read). */
static const char counts_sql[] =
    "WITH changed(department, bucket) AS ("
    " SELECT department, bucket_start_ms_utc FROM counts"
    "  WHERE changed_seq > ?1 AND changed_seq <= ?2"
    " UNION SELECT department, bucket_start_ms_utc FROM reason_counts"
    "  WHERE changed_seq > ?1 AND changed_seq <= ?2 AND ended_by <> 'chosen')"
    " SELECT bucket_start_ms_utc, department, misuse * 4 + rating - 1, n FROM counts"
    "  WHERE (department, bucket_start_ms_utc) IN changed"
    " UNION ALL SELECT bucket_start_ms_utc, department,"
    "  8 + misuse * 4 + (ended_by = 'timeout') * 2 + (question = 'negative'), n"
    "  FROM reason_counts WHERE (department, bucket_start_ms_utc) IN changed"
    "  AND ended_by <> 'chosen'";

static const char reasons_sql[] =
    "SELECT department, bucket_start_ms_utc, question, reason, ended_by, misuse,"
    " n FROM reason_counts WHERE changed_seq > ?1 AND changed_seq <= ?2"
    " AND ended_by = 'chosen'"; /* sorted by read_reasons, as the counts */

static const char nth_seq_sql[] =
    "SELECT changed_seq FROM (SELECT changed_seq FROM counts WHERE changed_seq > ?1"
    " UNION ALL SELECT changed_seq FROM reason_counts WHERE changed_seq > ?1)"
    " ORDER BY changed_seq LIMIT 1 OFFSET ?2";

static const char backlog_sql[] =
    "SELECT (SELECT count(*) FROM counts WHERE changed_seq > ?1 AND changed_seq <= ?2)"
    " + (SELECT count(*) FROM reason_counts WHERE changed_seq > ?1 AND changed_seq <= ?2)";

static const char mark_sql[] = "UPDATE meta SET value = ?1 WHERE key = 'synced_seq'"
                               " AND CAST(value AS INTEGER) < ?1"
                               " AND CAST(value AS INTEGER) = ?3"
                               " AND (SELECT value FROM meta WHERE key = 'incarnation') = ?2";

static const char rewind_sql[] = "UPDATE meta SET value = ?1 WHERE key = 'synced_seq'"
                                 " AND CAST(value AS INTEGER) > ?1"
                                 " AND (SELECT value FROM meta WHERE key = 'incarnation') = ?2";

static int fail(struct store_changes *c, const char *what)
{
    snprintf(c->error, c->size, "store %s: %s: %s",
             c->db ? sqlite3_db_filename(c->db, "main") : "?", what,
             c->db ? sqlite3_errmsg(c->db) : "cannot open");
    return -1;
}

int store_changes_fail(struct store_changes *c, const char *what)
{
    return fail(c, what);
}

sqlite3 *store_changes_db(struct store_changes *c)
{
    return c->db;
}

char *store_changes_error(struct store_changes *c)
{
    return c->error;
}

size_t store_changes_error_size(const struct store_changes *c)
{
    return c->size;
}

int store_changes_open(struct store_changes **out, const char *path, char *error, size_t size)
{
    *out = NULL;
    struct store_changes *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(error, size, "cannot open the store %s: out of memory", path);
        return -1;
    }
    c->error = error;
    c->size = size;
    if (!store_identity_usable(path, error, size)) {
        free(c);
        return -1;
    }
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(error, size, "cannot open the store %s: %s", path,
                 c->db ? sqlite3_errmsg(c->db) : "out of memory");
        store_changes_close(c);
        return -1;
    }
    if (sqlite3_busy_timeout(c->db, 5000) != SQLITE_OK) {
        fail(c, "busy_timeout");
        store_changes_close(c);
        return -1;
    }
    /* A batch's read builds a few temporary b-trees (the changed buckets,
       the IN lists) of some hundred kilobytes: in memory, rather than in
       files written and read back, which took about a third of the read.
       Only for this connection, which reads; the kiosk's writer is not
       touched. */
    if (sqlite3_exec(c->db, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL) != SQLITE_OK) {
        fail(c, "temp_store");
        store_changes_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

void store_changes_close(struct store_changes *c)
{
    if (!c)
        return;
    sqlite3_close(c->db); /* a no-op on NULL; ends an open read */
    free(c);
}

/* Reads meta key into buf; 0 or -1. */
static int meta_text(struct store_changes *c, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(c->db, "SELECT value FROM meta WHERE key = ?", -1, &stmt, NULL) !=
        SQLITE_OK)
        return fail(c, "reading meta");
    sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return fail(c, key);
    return 0;
}

static int meta_int(struct store_changes *c, const char *key, int64_t *value)
{
    char buf[32];
    if (meta_text(c, key, buf, sizeof buf) != 0)
        return -1;
    char *end;
    *value = strtoll(buf, &end, 10);
    return *end == '\0' ? 0 : fail(c, "meta value is not a number");
}

/* One integer from sql with ?1 = a and ?2 = b; *value unchanged when the
 * query returns no row. */
static int query_int(struct store_changes *c, const char *sql, int64_t a, int64_t b, int64_t *value)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(c->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return fail(c, "preparing a query");
    sqlite3_bind_int64(stmt, 1, a);
    sqlite3_bind_int64(stmt, 2, b);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(c, "query");
}

int store_changes_begin(struct store_changes *c, struct store_changes_meta *meta)
{
    if (sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return fail(c, "BEGIN");
    if (meta_text(c, "kiosk_id", meta->kiosk_id, sizeof meta->kiosk_id) != 0 ||
        meta_text(c, "incarnation", meta->incarnation, sizeof meta->incarnation) != 0 ||
        meta_int(c, "synced_seq", &meta->synced_seq) != 0 || meta_int(c, "seq", &meta->seq) != 0)
        return -1;
    return 0;
}

void store_changes_end(struct store_changes *c)
{
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL); /* a read: nothing to lose */
}

int store_changes_limit(struct store_changes *c, int64_t after_seq, int max_rows,
                        int64_t *upper_seq)
{
    return query_int(c, nth_seq_sql, after_seq, (max_rows > 0 ? max_rows : 1) - 1, upper_seq);
}

int store_changes_backlog(struct store_changes *c, int64_t after_seq, int64_t *rows)
{
    return query_int(c, backlog_sql, after_seq, INT64_MAX, rows);
}

int store_changes_count(struct store_changes *c, int64_t after_seq, int64_t upto_seq, int64_t *rows)
{
    return query_int(c, backlog_sql, after_seq, upto_seq, rows);
}

/* Prepares sql with the range bound to ?1 and ?2; 0 or -1 (what failed). */
static int prepare_range(struct store_changes *c, const char *sql, const char *what,
                         int64_t after_seq, int64_t upto_seq, sqlite3_stmt **stmt)
{
    if (sqlite3_prepare_v2(c->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return fail(c, what);
    sqlite3_bind_int64(*stmt, 1, after_seq);
    sqlite3_bind_int64(*stmt, 2, upto_seq);
    return 0;
}

/* Finalizes a read that stopped with step result rc; 0 when it ran out. */
static int finish_range(struct store_changes *c, sqlite3_stmt *stmt, int rc, const char *what)
{
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_ROW) {
        snprintf(c->error, c->size, "store %s: %s: stopped by the reader",
                 sqlite3_db_filename(c->db, "main"), what);
        return -1;
    }
    return fail(c, what);
}

/* Bucket, then department: the order a batch goes out in (the shared
 * tables' keys lead with the bucket, so their inserts append). */
static int by_bucket_department(int64_t bucket_a, const char *department_a, int64_t bucket_b,
                                const char *department_b)
{
    if (bucket_a != bucket_b)
        return bucket_a < bucket_b ? -1 : 1;
    return department_a == department_b ? 0 : strcmp(department_a, department_b);
}

/* One line of counts_sql. */
struct count_line {
    int64_t bucket_start_ms;
    const char *department; /* kept in the read's strset */
    int column;
    int64_t n;
};

static int count_line_order(const void *a, const void *b)
{
    const struct count_line *x = a, *y = b;
    return by_bucket_department(x->bucket_start_ms, x->department, y->bucket_start_ms,
                                y->department);
}

/* Calls the handler once per (department, bucket) of the sorted lines. */
static bool hand_counts(const struct count_line *lines, size_t n,
                        const struct store_changes_handlers *h)
{
    for (size_t i = 0; i < n;) {
        struct store_count_change row = {.department = lines[i].department,
                                         .bucket_start_ms = lines[i].bucket_start_ms};
        for (; i < n && lines[i].bucket_start_ms == row.bucket_start_ms &&
               lines[i].department == row.department;
             i++) {
            int column = lines[i].column;
            if (column >= 0 && column < STORE_CHANGES_COUNT_COLUMNS)
                row.n[column] = lines[i].n;
            else if (column >= STORE_CHANGES_COUNT_COLUMNS &&
                     column < STORE_CHANGES_COUNT_COLUMNS + STORE_CHANGES_END_COLUMNS)
                row.ended[column - STORE_CHANGES_COUNT_COLUMNS] = lines[i].n;
        }
        if (!h->handle_count(h->ctx, &row))
            return false;
    }
    return true;
}

static int read_counts(struct store_changes *c, int64_t after_seq, int64_t upto_seq,
                       const struct store_changes_handlers *h)
{
    sqlite3_stmt *stmt;
    if (prepare_range(c, counts_sql, "reading counts", after_seq, upto_seq, &stmt) != 0)
        return -1;
    struct strset departments = {0};
    struct count_line *lines = NULL;
    size_t n = 0, cap = 0;
    bool memory = true;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *department =
            strset_keep(&departments, (const char *)sqlite3_column_text(stmt, 1));
        if (!(memory = department && array_room((void **)&lines, &cap, n, sizeof *lines, 1024)))
            break;
        lines[n++] = (struct count_line){.bucket_start_ms = sqlite3_column_int64(stmt, 0),
                                         .department = department,
                                         .column = sqlite3_column_int(stmt, 2),
                                         .n = sqlite3_column_int64(stmt, 3)};
    }
    if (rc == SQLITE_DONE && n > 0) {
        qsort(lines, n, sizeof *lines, count_line_order);
        if (!hand_counts(lines, n, h))
            rc = SQLITE_ROW; /* stopped by the reader */
    }
    free(lines);
    strset_free(&departments);
    if (!memory) {
        sqlite3_finalize(stmt);
        snprintf(c->error, c->size, "store %s: reading counts: out of memory",
                 sqlite3_db_filename(c->db, "main"));
        return -1;
    }
    return finish_range(c, stmt, rc, "reading counts");
}

/* The enum whose stored word is text, from names (n of them); -1 when
 * none is (a CHECK in the schema keeps that from happening). */
static int word_index(const char *const *names, int n, const unsigned char *text)
{
    for (int i = 0; text && i < n; i++)
        if (!strcmp(names[i], (const char *)text))
            return i;
    return -1;
}

static int reason_order(const void *a, const void *b)
{
    const struct store_reason_change *x = a, *y = b;
    return by_bucket_department(x->bucket_start_ms, x->department, y->bucket_start_ms,
                                y->department);
}

/* Reads the reason count row stmt stands on into *row, its texts kept in
 * texts; 1, 0 if its words are not the store's, -1 when out of memory. */
static int reason_row(sqlite3_stmt *stmt, struct strset *texts, struct store_reason_change *row)
{
    int question =
        word_index(store_question_names, STORE_QUESTION_COUNT_, sqlite3_column_text(stmt, 2));
    int ended_by = word_index(store_followup_end_names, STORE_FOLLOWUP_END_COUNT_,
                              sqlite3_column_text(stmt, 4));
    *row = (struct store_reason_change){
        .department = strset_keep(texts, (const char *)sqlite3_column_text(stmt, 0)),
        .reason = strset_keep(texts, (const char *)sqlite3_column_text(stmt, 3)),
        .bucket_start_ms = sqlite3_column_int64(stmt, 1),
        .question = (enum store_question)question,
        .ended_by = (enum store_followup_end)ended_by,
        .misuse = sqlite3_column_int(stmt, 5) != 0,
        .n = sqlite3_column_int64(stmt, 6),
    };
    if (!row->department || !row->reason)
        return -1;
    return question >= 0 && ended_by >= 0;
}

static int read_reasons(struct store_changes *c, int64_t after_seq, int64_t upto_seq,
                        const struct store_changes_handlers *h)
{
    sqlite3_stmt *stmt;
    if (prepare_range(c, reasons_sql, "reading reason_counts", after_seq, upto_seq, &stmt) != 0)
        return -1;
    struct strset texts = {0};
    struct store_reason_change *rows = NULL;
    size_t n = 0, cap = 0;
    const char *problem = NULL;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!array_room((void **)&rows, &cap, n, sizeof *rows, 1024)) {
            problem = "out of memory";
            break;
        }
        int ok = reason_row(stmt, &texts, &rows[n++]);
        if (ok <= 0) {
            problem = ok < 0 ? "out of memory" : "unknown question or end";
            break;
        }
    }
    if (rc == SQLITE_DONE && n > 0) {
        qsort(rows, n, sizeof *rows, reason_order);
        for (size_t i = 0; i < n; i++)
            if (!h->handle_reason(h->ctx, &rows[i])) {
                rc = SQLITE_ROW; /* stopped by the reader */
                break;
            }
    }
    free(rows);
    strset_free(&texts);
    if (problem) {
        sqlite3_finalize(stmt);
        snprintf(c->error, c->size, "store %s: reading reason_counts: %s",
                 sqlite3_db_filename(c->db, "main"), problem);
        return -1;
    }
    return finish_range(c, stmt, rc, "reading reason_counts");
}

int store_changes_read(struct store_changes *c, int64_t after_seq, int64_t upto_seq,
                       const struct store_changes_handlers *handlers)
{
    if (read_counts(c, after_seq, upto_seq, handlers) != 0)
        return -1;
    return read_reasons(c, after_seq, upto_seq, handlers);
}

int store_changes_mark(struct store_changes *c, const char *incarnation, int64_t after_seq,
                       int64_t upto_seq)
{
    sqlite3_stmt *stmt;
    int rc = -1;
    if (sqlite3_prepare_v2(c->db, mark_sql, -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, upto_seq);
        sqlite3_bind_text(stmt, 2, incarnation, -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 3, after_seq);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(stmt);
    }
    return rc == 0 ? 0 : fail(c, "recording synced_seq");
}

int store_changes_rewind(struct store_changes *c, const char *incarnation, int64_t to_seq)
{
    sqlite3_stmt *stmt;
    if (to_seq < 0) {
        snprintf(c->error, c->size, "store %s: rewinding synced_seq to %lld: a seq >= 0 expected",
                 sqlite3_db_filename(c->db, "main"), (long long)to_seq);
        return -1;
    }
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(c, "rewinding synced_seq");
    int rc = -1;
    if (sqlite3_prepare_v2(c->db, rewind_sql, -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, to_seq);
        sqlite3_bind_text(stmt, 2, incarnation, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(stmt);
    }
    if (rc != 0) {
        fail(c, "rewinding synced_seq");
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    /* the comments go again with the counts (store_comments.c's synced
       mark): the database inserts each once, whatever it holds */
    if (sqlite3_changes(c->db) == 1 &&
        sqlite3_exec(c->db, "UPDATE comments SET synced = 0 WHERE synced = 1", NULL, NULL, NULL) !=
            SQLITE_OK) {
        fail(c, "marking the comments to send again");
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        fail(c, "rewinding synced_seq");
        sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
        return -1;
    }
    return 0;
}
