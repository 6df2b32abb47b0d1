/*
 * store: the kiosk's local SQLite database (see store.h).
 *
 * Schema version 1:
 *   CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);
 *   CREATE TABLE taps(id INTEGER PRIMARY KEY, at_ms_utc INTEGER NOT NULL,
 *       department TEXT NOT NULL, rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
 *       misuse INTEGER NOT NULL CHECK (misuse IN (0, 1)));
 *   CREATE TABLE followups(tap_id INTEGER PRIMARY KEY REFERENCES taps(id),
 *       question TEXT NOT NULL CHECK (question IN ('positive', 'negative')),
 *       reason TEXT, ended_by TEXT NOT NULL CHECK (ended_by IN ('chosen', 'skipped', 'timeout')),
 *       CHECK ((ended_by = 'chosen') = (reason IS NOT NULL)));
 *   CREATE TABLE counts(department, bucket_start_ms_utc, rating, misuse, n, changed_seq,
 *       PRIMARY KEY (department, bucket_start_ms_utc, rating, misuse));
 *   CREATE TABLE reason_counts(department, bucket_start_ms_utc, question, reason, ended_by,
 *       misuse, n, changed_seq, PRIMARY KEY (department, bucket_start_ms_utc, question, reason,
 *       ended_by, misuse));            reason is '' unless ended_by is 'chosen'
 *   indexes on changed_seq of both count tables, for the sync's "what moved since".
 *
 * Out of memory or I/O failure: reported like any other SQLite error (negative return,
 * logged with sqlite3_errmsg); the caller keeps the record and retries.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"
#include "log.h"
#include "paths.h"

enum stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_NEXT_SEQ,
    STMT_READ_SEQ,
    STMT_INSERT_TAP,
    STMT_COUNT_TAP,
    STMT_READ_TAP,
    STMT_INSERT_FOLLOWUP,
    STMT_COUNT_REASON,
    STMT_COUNT_
};

static const char *const stmt_sql[STMT_COUNT_] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_NEXT_SEQ] = "UPDATE meta SET value = value + 1 WHERE key = 'seq'",
    [STMT_READ_SEQ] = "SELECT value FROM meta WHERE key = 'seq'",
    [STMT_INSERT_TAP] =
        "INSERT INTO taps(at_ms_utc, department, rating, misuse) VALUES (?, ?, ?, ?)",
    [STMT_COUNT_TAP] =
        "INSERT INTO counts(department, bucket_start_ms_utc, rating, misuse, n, changed_seq)"
        " VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT DO UPDATE SET n = n + 1,"
        " changed_seq = excluded.changed_seq",
    [STMT_READ_TAP] = "SELECT department, at_ms_utc, misuse FROM taps WHERE id = ?",
    [STMT_INSERT_FOLLOWUP] =
        "INSERT INTO followups(tap_id, question, reason, ended_by) VALUES (?, ?, ?, ?)",
    [STMT_COUNT_REASON] =
        "INSERT INTO reason_counts(department, bucket_start_ms_utc, question, reason,"
        " ended_by, misuse, n, changed_seq) VALUES (?, ?, ?, ?, ?, ?, 1, ?)"
        " ON CONFLICT DO UPDATE SET n = n + 1, changed_seq = excluded.changed_seq",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT_];
    char path[512]; /* CONFIG_PATH_MAX */
    char incarnation[33];
};

struct migration {
    int to_version;
    const char *sql;
};

/* Append-only: a new schema version is one more entry, never an edit. */
static const struct migration migrations[] = {
    {1, "CREATE TABLE taps(id INTEGER PRIMARY KEY, at_ms_utc INTEGER NOT NULL,"
        " department TEXT NOT NULL CHECK (department <> ''),"
        " rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),"
        " misuse INTEGER NOT NULL CHECK (misuse IN (0, 1)));"
        "CREATE TABLE followups(tap_id INTEGER PRIMARY KEY REFERENCES taps(id),"
        " question TEXT NOT NULL CHECK (question IN ('positive', 'negative')),"
        " reason TEXT,"
        " ended_by TEXT NOT NULL CHECK (ended_by IN ('chosen', 'skipped', 'timeout')),"
        " CHECK ((ended_by = 'chosen') = (reason IS NOT NULL)));"
        "CREATE TABLE counts(department TEXT NOT NULL, bucket_start_ms_utc INTEGER NOT NULL,"
        " rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),"
        " misuse INTEGER NOT NULL CHECK (misuse IN (0, 1)),"
        " n INTEGER NOT NULL CHECK (n > 0), changed_seq INTEGER NOT NULL,"
        " PRIMARY KEY (department, bucket_start_ms_utc, rating, misuse)) WITHOUT ROWID;"
        "CREATE INDEX counts_changed ON counts(changed_seq);"
        "CREATE TABLE reason_counts(department TEXT NOT NULL,"
        " bucket_start_ms_utc INTEGER NOT NULL,"
        " question TEXT NOT NULL CHECK (question IN ('positive', 'negative')),"
        " reason TEXT NOT NULL,"
        " ended_by TEXT NOT NULL CHECK (ended_by IN ('chosen', 'skipped', 'timeout')),"
        " misuse INTEGER NOT NULL CHECK (misuse IN (0, 1)),"
        " n INTEGER NOT NULL CHECK (n > 0), changed_seq INTEGER NOT NULL,"
        " PRIMARY KEY (department, bucket_start_ms_utc, question, reason, ended_by, misuse))"
        " WITHOUT ROWID;"
        "CREATE INDEX reason_counts_changed ON reason_counts(changed_seq);"},
};

static int fail(struct store *s, const char *what)
{
    log_error("store: %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return -1;
}

static int exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    log_error("store: %s: %s: %s", s->path, sql, msg != NULL ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return -1;
}

static bool is_corrupt(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

#define OPEN_CORRUPT (-2) /* the file is not a healthy database: quarantine it */

static bool make_incarnation(char out[33])
{
    unsigned char bytes[16];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0 && read(fd, bytes, sizeof bytes) == (ssize_t)sizeof bytes;
    if (fd >= 0)
        close(fd);
    if (!ok) {
        log_error("store: cannot read /dev/urandom for the incarnation: %s", strerror(errno));
        return false;
    }
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return true;
}

/* Reads meta value key as text into buf ("" if absent).  0 or negative. */
static int meta_get(struct store *s, const char *key, char *buf, size_t size)
{
    sqlite3_stmt *st;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return is_corrupt(sqlite3_errcode(s->db)) ? OPEN_CORRUPT : fail(s, "read meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return is_corrupt(rc) ? OPEN_CORRUPT : fail(s, "read meta");
    return 0;
}

static int meta_set(struct store *s, const char *key, const char *value)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", -1, &st,
                           NULL) != SQLITE_OK)
        return fail(s, "write meta");
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : fail(s, "write meta");
}

/* First use of a database: meta with a new incarnation. */
static int create_meta(struct store *s, const char *kiosk_id, int64_t now_utc_ms)
{
    char created[32];
    snprintf(created, sizeof created, "%lld", (long long)now_utc_ms);
    if (!make_incarnation(s->incarnation))
        return -1;
    if (exec(s, "CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL)") != 0 ||
        meta_set(s, "kiosk_id", kiosk_id) != 0 || meta_set(s, "incarnation", s->incarnation) != 0 ||
        meta_set(s, "schema_version", "0") != 0 || meta_set(s, "seq", "0") != 0 ||
        meta_set(s, "synced_seq", "0") != 0 || meta_set(s, "created_ms_utc", created) != 0)
        return -1;
    log_info("store: %s created, incarnation %s", s->path, s->incarnation);
    return 0;
}

/* Applies every migration above the stored version, each in its own
 * transaction with its version bump.  *from gets the version found. */
static int migrate(struct store *s, int *from)
{
    char buf[32];
    int rc = meta_get(s, "schema_version", buf, sizeof buf);
    if (rc != 0)
        return rc;
    char *end;
    long version = strtol(buf, &end, 10);
    if (end == buf || *end != '\0' || version < 0) {
        log_error("store: %s: meta schema_version is \"%s\", expected a number", s->path, buf);
        return OPEN_CORRUPT;
    }
    *from = (int)version;
    size_t count = sizeof migrations / sizeof migrations[0];
    if (version > migrations[count - 1].to_version) {
        log_error("store: %s has schema version %ld, newer than this program's %d", s->path,
                  version, migrations[count - 1].to_version);
        return -1;
    }
    for (size_t i = 0; i < count; i++) {
        if (migrations[i].to_version <= version)
            continue;
        snprintf(buf, sizeof buf, "%d", migrations[i].to_version);
        if (exec(s, "BEGIN IMMEDIATE") != 0)
            return -1;
        if (exec(s, migrations[i].sql) != 0 || meta_set(s, "schema_version", buf) != 0 ||
            exec(s, "COMMIT") != 0) {
            exec(s, "ROLLBACK");
            return -1;
        }
        log_info("store: %s migrated to schema version %d", s->path, migrations[i].to_version);
    }
    return 0;
}

static int set_pragmas(struct store *s)
{
    sqlite3_busy_timeout(s->db, 5000);
    char mode[16];
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
        return is_corrupt(sqlite3_errcode(s->db)) ? OPEN_CORRUPT : fail(s, "journal_mode");
    int rc = sqlite3_step(st);
    snprintf(mode, sizeof mode, "%s",
             rc == SQLITE_ROW && sqlite3_column_text(st, 0)
                 ? (const char *)sqlite3_column_text(st, 0)
                 : "");
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return is_corrupt(rc) ? OPEN_CORRUPT : fail(s, "journal_mode=WAL");
    if (strcmp(mode, "wal") != 0) {
        log_error("store: %s: journal_mode is %s, expected wal", s->path, mode);
        return -1;
    }
    return exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
}

static int quick_check(struct store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK)
        return OPEN_CORRUPT;
    int rc = sqlite3_step(st);
    bool ok = rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL &&
              strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    if (!ok) {
        /* quick_check reports one problem a line: keep the log to one line */
        char what[512];
        snprintf(what, sizeof what, "%s",
                 rc == SQLITE_ROW && sqlite3_column_text(st, 0)
                     ? (const char *)sqlite3_column_text(st, 0)
                     : sqlite3_errmsg(s->db));
        for (char *c = what; *c != '\0'; c++)
            if (*c == '\n')
                *c = ';';
        log_error("store: %s: quick_check: %s", s->path, what);
    }
    sqlite3_finalize(st);
    return ok ? 0 : OPEN_CORRUPT;
}

/* Reads or creates meta, checking it belongs to this kiosk. */
static int load_meta(struct store *s, const char *kiosk_id, int64_t now_utc_ms, bool *created)
{
    char buf[64];
    int rc =
        sqlite3_table_column_metadata(s->db, NULL, "meta", "key", NULL, NULL, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        *created = true;
        return create_meta(s, kiosk_id, now_utc_ms);
    }
    if ((rc = meta_get(s, "incarnation", s->incarnation, sizeof s->incarnation)) != 0)
        return rc;
    if (strlen(s->incarnation) != 32) {
        log_error("store: %s: meta has no valid incarnation", s->path);
        return OPEN_CORRUPT;
    }
    if ((rc = meta_get(s, "kiosk_id", buf, sizeof buf)) != 0)
        return rc;
    if (strcmp(buf, kiosk_id) != 0)
        log_warn("store: %s was made for kiosk \"%s\", now run as \"%s\": its taps and "
                 "incarnation are kept as they are",
                 s->path, buf, kiosk_id);
    return 0;
}

static int prepare_all(struct store *s)
{
    for (int i = 0; i < STMT_COUNT_; i++)
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                               NULL) != SQLITE_OK)
            return fail(s, stmt_sql[i]);
    return 0;
}

static void close_db(struct store *s)
{
    for (int i = 0; i < STMT_COUNT_; i++) {
        sqlite3_finalize(s->stmt[i]);
        s->stmt[i] = NULL;
    }
    sqlite3_close(s->db);
    s->db = NULL;
}

/* One attempt at opening path: 0, OPEN_CORRUPT, or another negative error. */
static int open_once(struct store *s, const char *kiosk_id, int64_t now_utc_ms,
                     struct store_health *health)
{
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK)
        return is_corrupt(rc) ? OPEN_CORRUPT : fail(s, "open");
    bool created = false;
    if ((rc = set_pragmas(s)) != 0 || (rc = quick_check(s)) != 0 ||
        (rc = load_meta(s, kiosk_id, now_utc_ms, &created)) != 0 ||
        (rc = migrate(s, &health->migrated_from)) != 0 || (rc = prepare_all(s)) != 0)
        return rc;
    health->created = created;
    if (created)
        health->migrated_from = 0;
    return 0;
}

/* Moves path and its -wal and -shm aside as PATH.corrupt-STAMP. */
static bool quarantine(struct store *s, int64_t now_utc_ms, struct store_health *health)
{
    char stamp[24], utc[32];
    clock_format_utc(now_utc_ms, utc, sizeof utc); /* 2026-11-22T10:00:00Z */
    int j = 0;
    for (int i = 0; utc[i] != '\0' && j < (int)sizeof stamp - 1; i++)
        if (utc[i] != '-' && utc[i] != ':')
            stamp[j++] = utc[i];
    stamp[j] = '\0';
    snprintf(health->quarantine_path, sizeof health->quarantine_path, "%s.corrupt-%s", s->path,
             stamp);
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char from[640], to[640];
        snprintf(from, sizeof from, "%s%s", s->path, suffix[i]);
        snprintf(to, sizeof to, "%s%s", health->quarantine_path, suffix[i]);
        if (rename(from, to) != 0 && errno != ENOENT) {
            log_error("store: cannot move corrupt %s to %s: %s", from, to, strerror(errno));
            return false;
        }
    }
    health->quarantined = true;
    log_error("store: %s is corrupt: moved to %s; starting a new database (new incarnation)",
              s->path, health->quarantine_path);
    return true;
}

int store_open(struct store **out, const char *path, const char *kiosk_id, int64_t now_utc_ms,
               struct store_health *health)
{
    *out = NULL;
    *health = (struct store_health){0};
    struct store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        log_error("store: out of memory opening %s", path);
        return -1;
    }
    int n = snprintf(s->path, sizeof s->path, "%s", path);
    if (n < 0 || (size_t)n >= sizeof s->path || !paths_make_parent(path)) {
        log_error("store: cannot use path %s", path);
        free(s);
        return -1;
    }
    int rc = open_once(s, kiosk_id, now_utc_ms, health);
    if (rc == OPEN_CORRUPT) {
        close_db(s);
        rc = quarantine(s, now_utc_ms, health) ? open_once(s, kiosk_id, now_utc_ms, health) : -1;
    }
    if (rc != 0) {
        close_db(s);
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void store_close(struct store *store)
{
    if (store == NULL)
        return;
    close_db(store);
    free(store);
}

const char *store_incarnation(const struct store *store)
{
    return store->incarnation;
}

const char *store_path(const struct store *store)
{
    return store->path;
}

/* Steps a prepared statement to completion (or its first row when want_row)
 * and resets it; 0 or negative (logged). */
static int run(struct store *s, enum stmt_id id, bool want_row)
{
    sqlite3_stmt *st = s->stmt[id];
    int rc = sqlite3_step(st);
    if (rc == (want_row ? SQLITE_ROW : SQLITE_DONE))
        return 0;
    log_error("store: %s: \"%s\": %s", s->path, stmt_sql[id], sqlite3_errmsg(s->db));
    sqlite3_reset(st);
    return -1;
}

static void finish(struct store *s, enum stmt_id id)
{
    sqlite3_reset(s->stmt[id]);
    sqlite3_clear_bindings(s->stmt[id]);
}

/* BEGIN IMMEDIATE and the next seq (one per transaction). */
static int begin(struct store *s, int64_t *seq)
{
    if (run(s, STMT_BEGIN, false) != 0)
        return -1;
    finish(s, STMT_BEGIN);
    if (run(s, STMT_NEXT_SEQ, false) != 0)
        return -1;
    finish(s, STMT_NEXT_SEQ);
    if (run(s, STMT_READ_SEQ, true) != 0)
        return -1;
    *seq = sqlite3_column_int64(s->stmt[STMT_READ_SEQ], 0);
    finish(s, STMT_READ_SEQ);
    return 0;
}

static int commit_or_rollback(struct store *s, int rc)
{
    if (rc == 0 && run(s, STMT_COMMIT, false) == 0) {
        finish(s, STMT_COMMIT);
        return 0;
    }
    finish(s, STMT_COMMIT);
    if (!sqlite3_get_autocommit(s->db)) {
        if (run(s, STMT_ROLLBACK, false) != 0)
            log_error("store: %s: rollback failed", s->path);
        finish(s, STMT_ROLLBACK);
    }
    return -1;
}

static int64_t bucket_of(int64_t at_ms_utc)
{
    int64_t b = at_ms_utc / STORE_BUCKET_MS;
    if (at_ms_utc < 0 && at_ms_utc % STORE_BUCKET_MS != 0)
        b--; /* floor, not truncation, before 1970 */
    return b * STORE_BUCKET_MS;
}

static int write_tap(struct store *s, const struct store_tap *tap, int64_t seq, int64_t *tap_id)
{
    sqlite3_stmt *st = s->stmt[STMT_INSERT_TAP];
    sqlite3_bind_int64(st, 1, tap->at_ms_utc);
    sqlite3_bind_text(st, 2, tap->department, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, tap->rating);
    sqlite3_bind_int(st, 4, tap->misuse);
    if (run(s, STMT_INSERT_TAP, false) != 0)
        return -1;
    finish(s, STMT_INSERT_TAP);
    *tap_id = sqlite3_last_insert_rowid(s->db);

    st = s->stmt[STMT_COUNT_TAP];
    sqlite3_bind_text(st, 1, tap->department, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, bucket_of(tap->at_ms_utc));
    sqlite3_bind_int(st, 3, tap->rating);
    sqlite3_bind_int(st, 4, tap->misuse);
    sqlite3_bind_int64(st, 5, seq);
    if (run(s, STMT_COUNT_TAP, false) != 0)
        return -1;
    finish(s, STMT_COUNT_TAP);
    return 0;
}

int store_record_tap(struct store *store, const struct store_tap *tap, int64_t *tap_id)
{
    if (tap->rating < 1 || tap->rating > 4 || tap->department == NULL ||
        tap->department[0] == '\0') {
        log_error("store: refused a tap with rating %d and department \"%s\"", tap->rating,
                  tap->department ? tap->department : "(null)");
        return -1;
    }
    int64_t seq, id = 0;
    int rc = begin(store, &seq);
    if (rc == 0)
        rc = write_tap(store, tap, seq, &id);
    if (commit_or_rollback(store, rc) != 0)
        return -1;
    *tap_id = id;
    log_info("tap committed id=%lld department=%s rating=%d misuse=%d", (long long)id,
             tap->department, tap->rating, tap->misuse ? 1 : 0);
    return 0;
}

static bool followup_is_valid(const struct store_followup *f)
{
    bool chosen = f->ended_by != NULL && strcmp(f->ended_by, "chosen") == 0;
    bool ended = chosen || (f->ended_by != NULL && (strcmp(f->ended_by, "skipped") == 0 ||
                                                    strcmp(f->ended_by, "timeout") == 0));
    bool question = f->question != NULL &&
                    (strcmp(f->question, "positive") == 0 || strcmp(f->question, "negative") == 0);
    bool reason = chosen ? f->reason != NULL && f->reason[0] != '\0' : f->reason == NULL;
    return ended && question && reason;
}

static int write_followup(struct store *s, int64_t tap_id, const struct store_followup *f,
                          int64_t seq)
{
    sqlite3_stmt *tap = s->stmt[STMT_READ_TAP];
    sqlite3_bind_int64(tap, 1, tap_id);
    if (run(s, STMT_READ_TAP, true) != 0)
        return -1; /* also when there is no such tap: logged */
    sqlite3_stmt *st = s->stmt[STMT_INSERT_FOLLOWUP];
    sqlite3_bind_int64(st, 1, tap_id);
    sqlite3_bind_text(st, 2, f->question, -1, SQLITE_STATIC);
    if (f->reason != NULL)
        sqlite3_bind_text(st, 3, f->reason, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 3);
    sqlite3_bind_text(st, 4, f->ended_by, -1, SQLITE_STATIC);
    int rc = run(s, STMT_INSERT_FOLLOWUP, false);
    finish(s, STMT_INSERT_FOLLOWUP);

    st = s->stmt[STMT_COUNT_REASON];
    sqlite3_bind_value(st, 1, sqlite3_column_value(tap, 0));
    sqlite3_bind_int64(st, 2, bucket_of(sqlite3_column_int64(tap, 1)));
    sqlite3_bind_text(st, 3, f->question, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->reason != NULL ? f->reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, f->ended_by, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, sqlite3_column_int(tap, 2));
    sqlite3_bind_int64(st, 7, seq);
    if (rc == 0)
        rc = run(s, STMT_COUNT_REASON, false);
    finish(s, STMT_COUNT_REASON);
    finish(s, STMT_READ_TAP);
    return rc;
}

int store_record_followup(struct store *store, int64_t tap_id, const struct store_followup *f)
{
    if (!followup_is_valid(f)) {
        log_error("store: refused a follow-up of tap %lld: question \"%s\", reason \"%s\", "
                  "ended_by \"%s\"",
                  (long long)tap_id, f->question ? f->question : "(null)",
                  f->reason ? f->reason : "(null)", f->ended_by ? f->ended_by : "(null)");
        return -1;
    }
    int64_t seq;
    int rc = begin(store, &seq);
    if (rc == 0)
        rc = write_followup(store, tap_id, f, seq);
    if (commit_or_rollback(store, rc) != 0)
        return -1;
    log_info("followup committed tap=%lld question=%s reason=%s ended_by=%s", (long long)tap_id,
             f->question, f->reason ? f->reason : "-", f->ended_by);
    return 0;
}
