/*
 * store_record: the two writes the kiosk makes while customers tap, a tap
 * and a follow-up, each one transaction with its absolute count (see
 * store.h).  They run on the render thread between frames, so they use
 * statements prepared once at open and nothing else.
 */
#include <stdio.h>

#include "log.h"
#include "store_private.h"

static const char *const stmt_sql[STORE_STMT_COUNT_] = {
    [STORE_STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STORE_STMT_COMMIT] = "COMMIT",
    [STORE_STMT_ROLLBACK] = "ROLLBACK",
    [STORE_STMT_NEXT_SEQ] = "UPDATE meta SET value = value + 1 WHERE key = 'seq'",
    [STORE_STMT_READ_SEQ] = "SELECT value FROM meta WHERE key = 'seq'",
    [STORE_STMT_INSERT_TAP] =
        "INSERT INTO taps(at_ms_utc, department, rating, misuse) VALUES (?, ?, ?, ?)",
    [STORE_STMT_SAME_TAP] = "SELECT id FROM taps WHERE id = (SELECT max(id) FROM taps)"
                            " AND at_ms_utc = ? AND department = ? AND rating = ? AND misuse = ?",
    [STORE_STMT_COUNT_TAP] =
        "INSERT INTO counts(department, bucket_start_ms_utc, rating, misuse, n, changed_seq)"
        " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT DO UPDATE SET n = n + 1,"
        " changed_seq = excluded.changed_seq",
    [STORE_STMT_READ_TAP] = "SELECT department, at_ms_utc, misuse FROM taps WHERE id = ?",
    [STORE_STMT_INSERT_FOLLOWUP] =
        "INSERT INTO followups(tap_id, question, reason, ended_by) VALUES (?, ?, ?, ?)",
    [STORE_STMT_COUNT_REASON] =
        "INSERT INTO reason_counts(department, bucket_start_ms_utc, question, reason,"
        " ended_by, misuse, n, changed_seq, first_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?7)"
        " ON CONFLICT DO UPDATE SET n = n + 1, changed_seq = excluded.changed_seq",
};

int store_error_code(int sqlite_rc)
{
    switch (sqlite_rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
        return STORE_ERR_REFUSED;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return STORE_ERR_CORRUPT;
    default:
        return STORE_ERR_RETRY;
    }
}

int store_statements_prepare(struct store *s)
{
    for (int i = 0; i < STORE_STMT_COUNT_; i++) {
        int rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                                    NULL);
        if (rc != SQLITE_OK) {
            log_error("store: %s: prepare \"%s\": %s", s->path, stmt_sql[i], sqlite3_errmsg(s->db));
            return store_error_code(rc);
        }
    }
    return 0;
}

void store_statements_finalize(struct store *s)
{
    for (int i = 0; i < STORE_STMT_COUNT_; i++) {
        sqlite3_finalize(s->stmt[i]); /* a no-op on NULL */
        s->stmt[i] = NULL;
    }
}

/* Steps statement id once, expecting SQLITE_ROW when want_row, else
 * SQLITE_DONE.  On anything else logs the statement and SQLite's message,
 * resets it and returns a STORE_ERR_*.  The caller resets on success
 * (after reading the row). */
static int run(struct store *s, enum store_stmt id, bool want_row)
{
    sqlite3_stmt *st = s->stmt[id];
    int rc = sqlite3_step(st);
    if (rc == (want_row ? SQLITE_ROW : SQLITE_DONE))
        return 0;
    int code = rc == SQLITE_DONE ? STORE_ERR_REFUSED : store_error_code(rc);
    log_error("store: %s: \"%s\": %s", s->path, stmt_sql[id],
              rc == SQLITE_DONE ? "no such row" : sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    return code;
}

static void finish(struct store *s, enum store_stmt id)
{
    sqlite3_reset(s->stmt[id]);
    sqlite3_clear_bindings(s->stmt[id]);
}

/* Runs a statement that takes no bindings and returns no row. */
static int run_done(struct store *s, enum store_stmt id)
{
    int rc = run(s, id, false);
    finish(s, id);
    return rc;
}

/* Inside a replay (store_replay_begin) a record is a savepoint of its
 * transaction.  Not on the tap path: plain sqlite3_exec. */
static int savepoint(struct store *s, const char *sql)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK)
        return 0;
    log_error("store: %s: \"%s\": %s", s->path, sql, sqlite3_errmsg(s->db));
    return store_error_code(sqlite3_extended_errcode(s->db));
}

/* BEGIN IMMEDIATE and the transaction's seq: one new seq per transaction,
 * so a sync that saw seq k has seen every count changed up to k. */
static int begin(struct store *s, int64_t *seq)
{
    int rc = s->in_batch ? savepoint(s, "SAVEPOINT record") : run_done(s, STORE_STMT_BEGIN);
    if (rc == 0)
        rc = run_done(s, STORE_STMT_NEXT_SEQ);
    if (rc == 0)
        rc = run(s, STORE_STMT_READ_SEQ, true);
    if (rc == 0) {
        *seq = sqlite3_column_int64(s->stmt[STORE_STMT_READ_SEQ], 0);
        finish(s, STORE_STMT_READ_SEQ);
    }
    return rc;
}

/* Commits when rc is 0; otherwise, or if COMMIT fails, rolls back what
 * is open.  Returns the first error, or 0. */
static int commit_or_rollback(struct store *s, int rc)
{
    if (s->in_batch) {
        if (rc != 0)
            savepoint(s, "ROLLBACK TO record");
        int released = savepoint(s, "RELEASE record");
        return rc != 0 ? rc : released;
    }
    if (rc == 0)
        rc = run_done(s, STORE_STMT_COMMIT);
    if (rc != 0 && !sqlite3_get_autocommit(s->db) && run_done(s, STORE_STMT_ROLLBACK) != 0)
        log_error("store: %s: rollback failed; the connection is left in a transaction", s->path);
    return rc;
}

/* floor(at / STORE_BUCKET_MS) * STORE_BUCKET_MS, also before 1970. */
static int64_t bucket_of(int64_t at_ms_utc)
{
    int64_t b = at_ms_utc / STORE_BUCKET_MS;
    if (at_ms_utc < 0 && at_ms_utc % STORE_BUCKET_MS != 0)
        b--;
    return b * STORE_BUCKET_MS;
}

/* The id of the newest tap when it is this very tap (same millisecond,
 * department, rating, misuse), else 0.  A COMMIT whose fsync failed may
 * still be in the WAL, and the next open's recovery brings it back: the
 * caller was told to retry, and the retry must not count the tap twice.
 * One kiosk cannot take two taps in the same millisecond. */
static int64_t same_tap(struct store *s, const struct store_tap *tap)
{
    sqlite3_stmt *st = s->stmt[STORE_STMT_SAME_TAP];
    sqlite3_bind_int64(st, 1, tap->at_ms_utc);
    sqlite3_bind_text(st, 2, tap->department, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, tap->rating);
    sqlite3_bind_int(st, 4, tap->misuse ? 1 : 0);
    int64_t id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return id;
}

static int write_tap(struct store *s, const struct store_tap *tap, int64_t seq, int64_t *tap_id)
{
    *tap_id = same_tap(s, tap);
    if (*tap_id != 0) {
        log_warn("store: tap id=%lld was already committed (a commit reported as failed)",
                 (long long)*tap_id);
        return 0;
    }
    sqlite3_stmt *st = s->stmt[STORE_STMT_INSERT_TAP];
    sqlite3_bind_int64(st, 1, tap->at_ms_utc);
    sqlite3_bind_text(st, 2, tap->department, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, tap->rating);
    sqlite3_bind_int(st, 4, tap->misuse ? 1 : 0);
    int rc = run_done(s, STORE_STMT_INSERT_TAP);
    if (rc != 0)
        return rc;
    *tap_id = sqlite3_last_insert_rowid(s->db);

    st = s->stmt[STORE_STMT_COUNT_TAP];
    sqlite3_bind_text(st, 1, tap->department, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, bucket_of(tap->at_ms_utc));
    sqlite3_bind_int(st, 3, tap->rating);
    sqlite3_bind_int(st, 4, tap->misuse ? 1 : 0);
    sqlite3_bind_int64(st, 5, seq);
    return run_done(s, STORE_STMT_COUNT_TAP);
}

int store_record_tap(struct store *store, const struct store_tap *tap, int64_t *tap_id)
{
    if (tap->rating < 1 || tap->rating > 4 || tap->department == NULL ||
        tap->department[0] == '\0') {
        log_error("store: refused a tap with rating %d and department \"%s\"", tap->rating,
                  tap->department != NULL ? tap->department : "(null)");
        return STORE_ERR_REFUSED;
    }
    int64_t seq = 0, id = 0;
    int rc = begin(store, &seq);
    if (rc == 0)
        rc = write_tap(store, tap, seq, &id);
    rc = commit_or_rollback(store, rc);
    if (rc != 0)
        return rc;
    *tap_id = id;
    log_info("tap %s id=%lld department=%s rating=%d misuse=%d",
             store->in_batch ? "replayed" : "committed", (long long)id, tap->department,
             tap->rating, tap->misuse ? 1 : 0);
    return 0;
}

/* The stored words of enum store_question and enum store_followup_end. */
static const char *const store_question_names[STORE_QUESTION_COUNT_] = {
    [STORE_QUESTION_NEGATIVE] = "negative",
    [STORE_QUESTION_POSITIVE] = "positive",
};
static const char *const store_followup_end_names[STORE_FOLLOWUP_END_COUNT_] = {
    [STORE_FOLLOWUP_CHOSEN] = "chosen",
    [STORE_FOLLOWUP_SKIPPED] = "skipped",
    [STORE_FOLLOWUP_TIMEOUT] = "timeout",
};

const char *store_question_name(enum store_question question)
{
    return (unsigned)question < STORE_QUESTION_COUNT_ ? store_question_names[question] : "?";
}

const char *store_followup_end_name(enum store_followup_end ended_by)
{
    return (unsigned)ended_by < STORE_FOLLOWUP_END_COUNT_ ? store_followup_end_names[ended_by]
                                                          : "?";
}

static bool followup_is_valid(const struct store_followup *f)
{
    if ((unsigned)f->question >= STORE_QUESTION_COUNT_ ||
        (unsigned)f->ended_by >= STORE_FOLLOWUP_END_COUNT_)
        return false;
    /* '' is reason_counts' "no reason", so a chosen reason must not be '' */
    if (f->ended_by == STORE_FOLLOWUP_CHOSEN)
        return f->reason != NULL && f->reason[0] != '\0';
    return f->reason == NULL;
}

/* Binds and runs the reason count from the tap row READ_TAP stands on. */
static int count_reason(struct store *s, const struct store_followup *f, int64_t seq)
{
    sqlite3_stmt *tap = s->stmt[STORE_STMT_READ_TAP];
    sqlite3_stmt *st = s->stmt[STORE_STMT_COUNT_REASON];
    sqlite3_bind_value(st, 1, sqlite3_column_value(tap, 0));
    sqlite3_bind_int64(st, 2, bucket_of(sqlite3_column_int64(tap, 1)));
    sqlite3_bind_text(st, 3, store_question_name(f->question), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->reason != NULL ? f->reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, store_followup_end_name(f->ended_by), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, sqlite3_column_int(tap, 2));
    sqlite3_bind_int64(st, 7, seq);
    return run_done(s, STORE_STMT_COUNT_REASON);
}

static int write_followup(struct store *s, int64_t tap_id, const struct store_followup *f,
                          int64_t seq)
{
    sqlite3_bind_int64(s->stmt[STORE_STMT_READ_TAP], 1, tap_id);
    int rc = run(s, STORE_STMT_READ_TAP, true); /* an unknown tap: "no such row", refused */
    if (rc != 0) {
        finish(s, STORE_STMT_READ_TAP);
        return rc;
    }
    sqlite3_stmt *st = s->stmt[STORE_STMT_INSERT_FOLLOWUP];
    sqlite3_bind_int64(st, 1, tap_id);
    sqlite3_bind_text(st, 2, store_question_name(f->question), -1, SQLITE_STATIC);
    if (f->reason != NULL)
        sqlite3_bind_text(st, 3, f->reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, store_followup_end_name(f->ended_by), -1, SQLITE_STATIC);
    rc = run_done(s, STORE_STMT_INSERT_FOLLOWUP); /* a second follow-up: UNIQUE, refused */
    if (rc == 0)
        rc = count_reason(s, f, seq);
    finish(s, STORE_STMT_READ_TAP);
    return rc;
}

int store_record_followup(struct store *store, int64_t tap_id, const struct store_followup *f)
{
    if (!followup_is_valid(f)) {
        log_error("store: refused a follow-up of tap %lld: question %d, reason \"%s\", "
                  "ended_by %d",
                  (long long)tap_id, (int)f->question, f->reason != NULL ? f->reason : "(null)",
                  (int)f->ended_by);
        return STORE_ERR_REFUSED;
    }
    int64_t seq = 0;
    int rc = begin(store, &seq);
    if (rc == 0)
        rc = write_followup(store, tap_id, f, seq);
    rc = commit_or_rollback(store, rc);
    if (rc != 0)
        return rc;
    log_info("followup %s tap=%lld question=%s reason=%s ended_by=%s",
             store->in_batch ? "replayed" : "committed", (long long)tap_id,
             store_question_name(f->question), f->reason != NULL ? f->reason : "-",
             store_followup_end_name(f->ended_by));
    return 0;
}
