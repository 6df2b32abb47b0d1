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

#include "store_private.h"

struct store_changes {
    sqlite3 *db; /* owned */
    char *error; /* the caller's */
    size_t size;
};

/* Every count of each (department, bucket) that changed, a line per store
 * row, the bucket's lines together: a changed face sends its bucket's
 * other faces' absolute counts too, and so does a changed count of
 * follow-ups that ended without a reason, which become columns of the
 * same row (column 8 and up: store_count_change's ended[]). */
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
    "  AND ended_by <> 'chosen'"
    " ORDER BY 1, 2";

static const char reasons_sql[] =
    "SELECT department, bucket_start_ms_utc, question, reason, ended_by, misuse,"
    " n FROM reason_counts WHERE changed_seq > ?1 AND changed_seq <= ?2"
    " AND ended_by = 'chosen' ORDER BY bucket_start_ms_utc, department";

static const char nth_seq_sql[] =
    "SELECT changed_seq FROM (SELECT changed_seq FROM counts WHERE changed_seq > ?1"
    " UNION ALL SELECT changed_seq FROM reason_counts WHERE changed_seq > ?1)"
    " ORDER BY changed_seq LIMIT 1 OFFSET ?2";

static const char backlog_sql[] =
    "SELECT (SELECT count(*) FROM counts WHERE changed_seq > ?1)"
    " + (SELECT count(*) FROM reason_counts WHERE changed_seq > ?1) + 0 * ?2";

static const char mark_sql[] = "UPDATE meta SET value = ?1 WHERE key = 'synced_seq'"
                               " AND CAST(value AS INTEGER) < ?1"
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
    return query_int(c, backlog_sql, after_seq, 0, rows);
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

/* Adds the line stmt stands on to row; false when the line belongs to
 * another (department, bucket). */
static bool count_line(sqlite3_stmt *stmt, struct store_count_change *row)
{
    const char *department = (const char *)sqlite3_column_text(stmt, 1);
    if (sqlite3_column_int64(stmt, 0) != row->bucket_start_ms ||
        strcmp(department ? department : "", row->department) != 0)
        return false;
    int column = sqlite3_column_int(stmt, 2);
    int64_t n = sqlite3_column_int64(stmt, 3);
    if (column >= 0 && column < STORE_CHANGES_COUNT_COLUMNS)
        row->n[column] = n;
    else if (column >= STORE_CHANGES_COUNT_COLUMNS &&
             column < STORE_CHANGES_COUNT_COLUMNS + STORE_CHANGES_END_COLUMNS)
        row->ended[column - STORE_CHANGES_COUNT_COLUMNS] = n;
    return true;
}

/* The department a row is built for, kept while the statement steps on. */
struct count_department {
    char *text; /* owned */
    size_t cap;
};

/* Starts row at the line stmt stands on, its department copied into
 * *keep; false when out of memory. */
static bool count_start(sqlite3_stmt *stmt, struct store_count_change *row,
                        struct count_department *keep)
{
    const char *department = (const char *)sqlite3_column_text(stmt, 1);
    size_t len = strlen(department ? department : "");
    if (len + 1 > keep->cap) {
        char *text = realloc(keep->text, len + 1);
        if (!text)
            return false;
        keep->text = text;
        keep->cap = len + 1;
    }
    memcpy(keep->text, department ? department : "", len + 1);
    *row = (struct store_count_change){.department = keep->text,
                                       .bucket_start_ms = sqlite3_column_int64(stmt, 0)};
    count_line(stmt, row);
    return true;
}

static int read_counts(struct store_changes *c, int64_t after_seq, int64_t upto_seq,
                       const struct store_changes_handlers *h)
{
    sqlite3_stmt *stmt;
    if (prepare_range(c, counts_sql, "reading counts", after_seq, upto_seq, &stmt) != 0)
        return -1;
    struct count_department keep = {0};
    struct store_count_change row;
    bool open = false, memory = true;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (open && count_line(stmt, &row))
            continue;
        if (open && !h->handle_count(h->ctx, &row))
            break;
        if (!(memory = count_start(stmt, &row, &keep)))
            break;
        open = true;
    }
    if (rc == SQLITE_DONE && open && !h->handle_count(h->ctx, &row))
        rc = SQLITE_ROW; /* stopped by the reader */
    free(keep.text);
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

/* Reads the reason count row stmt stands on into *row; false if its
 * words are not the store's. */
static bool reason_row(sqlite3_stmt *stmt, struct store_reason_change *row)
{
    int question =
        word_index(store_question_names, STORE_QUESTION_COUNT_, sqlite3_column_text(stmt, 2));
    int ended_by = word_index(store_followup_end_names, STORE_FOLLOWUP_END_COUNT_,
                              sqlite3_column_text(stmt, 4));
    const unsigned char *department = sqlite3_column_text(stmt, 0);
    const unsigned char *reason = sqlite3_column_text(stmt, 3);
    *row = (struct store_reason_change){
        .department = department ? (const char *)department : "",
        .reason = reason ? (const char *)reason : "",
        .bucket_start_ms = sqlite3_column_int64(stmt, 1),
        .question = (enum store_question)question,
        .ended_by = (enum store_followup_end)ended_by,
        .misuse = sqlite3_column_int(stmt, 5) != 0,
        .n = sqlite3_column_int64(stmt, 6),
    };
    return question >= 0 && ended_by >= 0;
}

static int read_reasons(struct store_changes *c, int64_t after_seq, int64_t upto_seq,
                        const struct store_changes_handlers *h)
{
    sqlite3_stmt *stmt;
    if (prepare_range(c, reasons_sql, "reading reason_counts", after_seq, upto_seq, &stmt) != 0)
        return -1;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct store_reason_change row;
        if (!reason_row(stmt, &row)) {
            sqlite3_finalize(stmt);
            snprintf(c->error, c->size, "store %s: reading reason_counts: unknown question or end",
                     sqlite3_db_filename(c->db, "main"));
            return -1;
        }
        if (!h->handle_reason(h->ctx, &row))
            break;
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

int store_changes_mark(struct store_changes *c, const char *incarnation, int64_t upto_seq)
{
    sqlite3_stmt *stmt;
    int rc = -1;
    if (sqlite3_prepare_v2(c->db, mark_sql, -1, &stmt, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(stmt, 1, upto_seq);
        sqlite3_bind_text(stmt, 2, incarnation, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
        sqlite3_finalize(stmt);
    }
    return rc == 0 ? 0 : fail(c, "recording synced_seq");
}
