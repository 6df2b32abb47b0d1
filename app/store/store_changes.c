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

/* Column numbers of a count line past the faces' (0..7). */
#define FIRST_ENDED  STORE_CHANGES_COUNT_COLUMNS
#define FIRST_REASON (STORE_CHANGES_COUNT_COLUMNS + STORE_CHANGES_END_COLUMNS)

/* Every count of each (department, bucket) that changed, a line per store
 * row: a changed face sends its bucket's other faces' absolute counts too,
 * and so does a changed follow-up.  Those that ended without a reason
 * become columns of the same row (column 8 and up: store_count_change's
 * ended[]); so does each question's first chosen reason (column 16 and up,
 * with its reason, its first_seq and changed_seq: hand_bucket picks the
 * first and hands the others over as reason rows).  In no order:
 * read_counts sorts the lines, in C, which takes a fraction of what
 * SQLite's sorter took (its ORDER BY was more than half of a backlog
 * batch's read). */
static const char counts_sql[] =
    "WITH changed(department, bucket) AS ("
    " SELECT department, bucket_start_ms_utc FROM counts"
    "  WHERE changed_seq > ?1 AND changed_seq <= ?2"
    " UNION SELECT department, bucket_start_ms_utc FROM reason_counts"
    "  WHERE changed_seq > ?1 AND changed_seq <= ?2)"
    " SELECT bucket_start_ms_utc, department, misuse * 4 + rating - 1, n, NULL, 0, 0 FROM counts"
    "  WHERE (department, bucket_start_ms_utc) IN changed"
    " UNION ALL SELECT bucket_start_ms_utc, department, CASE ended_by WHEN 'chosen'"
    "  THEN 16 + misuse * 2 + (question = 'negative')"
    "  ELSE 8 + misuse * 4 + (ended_by = 'timeout') * 2 + (question = 'negative') END, n,"
    "  CASE ended_by WHEN 'chosen' THEN reason END, first_seq, changed_seq"
    "  FROM reason_counts WHERE (department, bucket_start_ms_utc) IN changed";
_Static_assert(FIRST_ENDED == 8 && FIRST_REASON == 16, "counts_sql's column numbers");

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
    const char *reason;     /* likewise; a chosen reason's (column FIRST_REASON and up) */
    int column;
    int64_t n;
    int64_t first_seq, changed_seq; /* a chosen reason's */
};

static int count_line_order(const void *a, const void *b)
{
    const struct count_line *x = a, *y = b;
    return by_bucket_department(x->bucket_start_ms, x->department, y->bucket_start_ms,
                                y->department);
}

/* Whether chosen reason line a was made before b: the lower first_seq
 * (store.c, schema version 4), then the lower reason (rows of one
 * transaction, or made before version 4).  Neither changes as the store
 * grows, so the first stays the first. */
static bool made_before(const struct count_line *a, const struct count_line *b)
{
    if (a->first_seq != b->first_seq)
        return a->first_seq < b->first_seq;
    return strcmp(a->reason, b->reason) < 0;
}

/* Hands over the bucket of lines[0..n) (one department's): its count row,
 * with each question's first chosen reason, then its other chosen
 * reasons that changed in (after_seq, upto_seq].  False when the reader
 * stopped. */
static bool hand_bucket(const struct count_line *lines, size_t n, int64_t after_seq,
                        int64_t upto_seq, const struct store_changes_handlers *h)
{
    struct store_count_change row = {.department = lines[0].department,
                                     .bucket_start_ms = lines[0].bucket_start_ms};
    const struct count_line *first[STORE_CHANGES_FIRST_REASONS] = {NULL};
    for (size_t i = 0; i < n; i++) {
        int column = lines[i].column;
        if (column >= 0 && column < FIRST_ENDED) {
            row.n[column] = lines[i].n;
        } else if (column >= FIRST_ENDED && column < FIRST_REASON) {
            row.ended[column - FIRST_ENDED] = lines[i].n;
        } else if (column >= FIRST_REASON && column < FIRST_REASON + STORE_CHANGES_FIRST_REASONS &&
                   lines[i].reason) {
            const struct count_line **slot = &first[column - FIRST_REASON];
            if (!*slot || made_before(&lines[i], *slot))
                *slot = &lines[i];
        }
    }
    for (int r = 0; r < STORE_CHANGES_FIRST_REASONS; r++) {
        row.first_reason[r] = first[r] ? first[r]->reason : "";
        row.first_n[r] = first[r] ? first[r]->n : 0;
    }
    if (!h->handle_count(h->ctx, &row))
        return false;
    for (size_t i = 0; i < n; i++) {
        const struct count_line *l = &lines[i];
        int slot = l->column - FIRST_REASON;
        if (slot < 0 || slot >= STORE_CHANGES_FIRST_REASONS || !l->reason || l == first[slot] ||
            l->changed_seq <= after_seq || l->changed_seq > upto_seq)
            continue;
        struct store_reason_change reason = {
            .department = l->department,
            .reason = l->reason,
            .bucket_start_ms = l->bucket_start_ms,
            .question = slot % 2 ? STORE_QUESTION_NEGATIVE : STORE_QUESTION_POSITIVE,
            .ended_by = STORE_FOLLOWUP_CHOSEN,
            .misuse = slot >= 2,
            .n = l->n,
        };
        if (!h->handle_reason(h->ctx, &reason))
            return false;
    }
    return true;
}

int store_changes_read(struct store_changes *c, int64_t after_seq, int64_t upto_seq,
                       const struct store_changes_handlers *h)
{
    sqlite3_stmt *stmt;
    if (prepare_range(c, counts_sql, "reading counts", after_seq, upto_seq, &stmt) != 0)
        return -1;
    struct strset texts = {0};
    struct count_line *lines = NULL;
    size_t n = 0, cap = 0;
    bool memory = true;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *department = strset_keep(&texts, (const char *)sqlite3_column_text(stmt, 1));
        const unsigned char *reason_text = sqlite3_column_text(stmt, 4);
        const char *reason = reason_text ? strset_keep(&texts, (const char *)reason_text) : NULL;
        if (!(memory = department && (reason || !reason_text) &&
                       array_room((void **)&lines, &cap, n, sizeof *lines, 1024)))
            break;
        lines[n++] = (struct count_line){.bucket_start_ms = sqlite3_column_int64(stmt, 0),
                                         .department = department,
                                         .reason = reason,
                                         .column = sqlite3_column_int(stmt, 2),
                                         .n = sqlite3_column_int64(stmt, 3),
                                         .first_seq = sqlite3_column_int64(stmt, 5),
                                         .changed_seq = sqlite3_column_int64(stmt, 6)};
    }
    if (rc == SQLITE_DONE && n > 0) {
        qsort(lines, n, sizeof *lines, count_line_order);
        for (size_t i = 0, end; i < n; i = end) {
            end = i + 1;
            while (end < n && lines[end].bucket_start_ms == lines[i].bucket_start_ms &&
                   lines[end].department == lines[i].department)
                end++;
            if (!hand_bucket(lines + i, end - i, after_seq, upto_seq, h)) {
                rc = SQLITE_ROW; /* stopped by the reader */
                break;
            }
        }
    }
    free(lines);
    strset_free(&texts);
    if (!memory) {
        sqlite3_finalize(stmt);
        snprintf(c->error, c->size, "store %s: reading counts: out of memory",
                 sqlite3_db_filename(c->db, "main"));
        return -1;
    }
    return finish_range(c, stmt, rc, "reading counts");
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
