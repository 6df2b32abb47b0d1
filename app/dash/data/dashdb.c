/* dashdb: the dashboard's connections and queries (see dashdb.h). */
#include "dashdb.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sync_backend.h"

struct dashdb {
    PGconn *pg;      /* owned; set for a PostgreSQL target */
    sqlite3 *sqlite; /* owned; set for a SQLite file */
    dev_t dev;       /* the SQLite file this connection opened */
    ino_t ino;
    bool broken;          /* a query failed: close it when given back */
    int64_t data_version; /* SQLite: PRAGMA data_version when last looked at */
    struct dashdb *next;  /* in the pool's idle list */
};

struct dashdb_pool {
    pthread_mutex_t lock;
    pthread_cond_t given_back;
    struct dashdb *idle; /* connections nobody holds */
    int open, size;      /* connections in existence (idle or lent), at most size */
    bool postgres;
    char target[]; /* conninfo or path */
};

/* What a connection is told before the target's own settings (which may
 * override them): give up on an unreachable server, and never hang a
 * request thread on a slow query (a pooled connection; one of its own
 * has no timeout). */
static const char *const pg_keys[] = {"connect_timeout", "application_name", "options", "dbname",
                                      NULL};

/* libpq's messages end in a newline and may span lines: one line, for
 * /healthz and the log. */
static void one_line(char *text)
{
    for (char *p = text; (p = strpbrk(p, "\r\n\t")) != NULL;)
        *p = ' ';
    size_t n = strlen(text);
    while (n > 0 && text[n - 1] == ' ')
        text[--n] = '\0';
}

static struct dashdb *open_postgres(const char *conninfo, bool pooled, char *err, size_t size)
{
    const char *values[] = {"5", "wowdash",
                            pooled ? "-c statement_timeout=5000" : "-c statement_timeout=0",
                            conninfo, NULL};
    struct dashdb *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, size, "out of memory");
        return NULL;
    }
    db->pg = PQconnectdbParams(pg_keys, values, 1);
    if (PQstatus(db->pg) != CONNECTION_OK) {
        snprintf(err, size, "cannot connect to PostgreSQL: %s", PQerrorMessage(db->pg));
        one_line(err);
        PQfinish(db->pg);
        free(db);
        return NULL;
    }
    return db;
}

static struct dashdb *open_sqlite(const char *path, char *err, size_t size)
{
    struct dashdb *db = calloc(1, sizeof *db);
    struct stat st;
    if (!db) {
        snprintf(err, size, "out of memory");
        return NULL;
    }
    /* No SQLITE_OPEN_CREATE: a mistyped path must not become an empty
     * database that looks like a fleet of none. */
    int rc = sqlite3_open_v2(path, &db->sqlite, SQLITE_OPEN_READWRITE, NULL);
    /* the kiosk (the SQLite default's writer) holds its write lock for
     * one short transaction at a time */
    if (rc == SQLITE_OK)
        rc = sqlite3_busy_timeout(db->sqlite, 5000);
    if (rc != SQLITE_OK || stat(path, &st) != 0) {
        snprintf(err, size, "cannot open the SQLite file %s: %s", path,
                 db->sqlite ? sqlite3_errmsg(db->sqlite) : "out of memory");
        sqlite3_close(db->sqlite);
        free(db);
        return NULL;
    }
    db->dev = st.st_dev;
    db->ino = st.st_ino;
    return db;
}

static void close_db(struct dashdb *db)
{
    if (!db)
        return;
    PQfinish(db->pg);
    sqlite3_close(db->sqlite);
    free(db);
}

/* False when the path now names another file than the one db opened, or
 * none: a SQLite connection keeps reading a deleted file's inode. */
static bool still_same_file(const struct dashdb_pool *pool, const struct dashdb *db)
{
    struct stat st;
    if (!db->sqlite)
        return true;
    return stat(pool->target, &st) == 0 && st.st_dev == db->dev && st.st_ino == db->ino;
}

struct dashdb_pool *dashdb_pool_create(const char *target, int size)
{
    size_t n = strlen(target) + 1;
    struct dashdb_pool *pool = calloc(1, sizeof *pool + n);
    if (!pool)
        return NULL;
    memcpy(pool->target, target, n);
    pool->size = size > 0 ? size : 1;
    pool->postgres = sync_target_is_postgres(target);
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->given_back, NULL);
    return pool;
}

void dashdb_pool_destroy(struct dashdb_pool *pool)
{
    if (!pool)
        return;
    while (pool->idle) {
        struct dashdb *db = pool->idle;
        pool->idle = db->next;
        close_db(db);
    }
    pthread_cond_destroy(&pool->given_back);
    pthread_mutex_destroy(&pool->lock);
    free(pool);
}

struct dashdb *dashdb_pool_take(struct dashdb_pool *pool, char *err, size_t size)
{
    struct dashdb *db = NULL, *stale = NULL;
    pthread_mutex_lock(&pool->lock);
    while (!pool->idle && pool->open >= pool->size)
        pthread_cond_wait(&pool->given_back, &pool->lock);
    if (pool->idle) {
        db = pool->idle;
        pool->idle = db->next;
        db->next = NULL;
    } else {
        pool->open++; /* the slot is ours while we open outside the lock */
    }
    pthread_mutex_unlock(&pool->lock);

    if (db && !still_same_file(pool, db)) {
        stale = db;
        db = NULL;
    }
    close_db(stale);
    if (!db)
        db = pool->postgres ? open_postgres(pool->target, true, err, size)
                            : open_sqlite(pool->target, err, size);
    if (!db) {
        pthread_mutex_lock(&pool->lock);
        pool->open--;
        pthread_cond_signal(&pool->given_back);
        pthread_mutex_unlock(&pool->lock);
    }
    return db;
}

void dashdb_pool_give(struct dashdb_pool *pool, struct dashdb *db)
{
    bool keep = !db->broken && (!db->pg || PQstatus(db->pg) == CONNECTION_OK);
    if (!keep)
        close_db(db);
    pthread_mutex_lock(&pool->lock);
    if (keep) {
        db->next = pool->idle;
        pool->idle = db;
    } else {
        pool->open--;
    }
    pthread_cond_signal(&pool->given_back);
    pthread_mutex_unlock(&pool->lock);
}

/* Runs sql on PostgreSQL; the result, or NULL with err set and db broken.
 * A pooled connection that the server has closed since (a restart, a
 * dropped database, an idle timeout) is reset and the query tried once
 * more, so the first request after a restart does not fail. */
static PGresult *pg_query(struct dashdb *db, const char *sql, char *err, size_t size)
{
    PGresult *res = PQexec(db->pg, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK && PQstatus(db->pg) == CONNECTION_BAD) {
        PQclear(res);
        PQreset(db->pg);
        res = PQstatus(db->pg) == CONNECTION_OK ? PQexec(db->pg, sql) : NULL;
    }
    if (PQresultStatus(res) == PGRES_TUPLES_OK)
        return res;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (state)
        snprintf(err, size, "PostgreSQL: SQLSTATE %s: %s", state, PQresultErrorMessage(res));
    else
        snprintf(err, size, "PostgreSQL: %s", PQerrorMessage(db->pg));
    one_line(err);
    PQclear(res);
    db->broken = true;
    return NULL;
}

/* The engine's message for a failed SQLite statement; db is broken. */
static bool sqlite_failed(struct dashdb *db, const char *what, char *err, size_t size)
{
    snprintf(err, size, "SQLite: %s: %s", what, sqlite3_errmsg(db->sqlite));
    db->broken = true;
    return false;
}

struct dashdb *dashdb_open(const char *target, char *err, size_t size)
{
    return sync_target_is_postgres(target) ? open_postgres(target, false, err, size)
                                           : open_sqlite(target, err, size);
}

void dashdb_close(struct dashdb *db)
{
    close_db(db);
}

bool dashdb_is_postgres(const struct dashdb *db)
{
    return db->pg != NULL;
}

/* The statement as it may go into an error: its first line, at most 80
 * bytes, to say what was being run. */
static void what_ran(const char *sql, char *buf, size_t size)
{
    size_t n = strcspn(sql, "\n");
    snprintf(buf, size, "%.*s%s", (int)(n < 80 ? n : 80), sql, n > 80 ? "..." : "");
}

#define EXEC_MAX_PARAMS 32

static bool exec_postgres(struct dashdb *db, const char *sql, const struct dashdb_value *params,
                          int nparams, dashdb_row_fn row, void *ctx, int64_t *changes, char *err,
                          size_t size)
{
    char numbers[EXEC_MAX_PARAMS][32];
    const char *values[EXEC_MAX_PARAMS];
    for (int i = 0; i < nparams; i++) {
        const struct dashdb_value *v = &params[i];
        values[i] = v->type == DASHDB_TEXT ? v->s : v->type == DASHDB_NULL ? NULL : numbers[i];
        if (v->type == DASHDB_INT)
            snprintf(numbers[i], sizeof numbers[i], "%" PRId64, v->i);
        else if (v->type == DASHDB_REAL)
            snprintf(numbers[i], sizeof numbers[i], "%.17g", v->d);
    }
    PGresult *res = PQexecParams(db->pg, sql, nparams, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(res) == PGRES_FATAL_ERROR && PQstatus(db->pg) == CONNECTION_BAD) {
        /* the server went away since: once more on a fresh connection */
        PQclear(res);
        PQreset(db->pg);
        res = PQstatus(db->pg) == CONNECTION_OK
                  ? PQexecParams(db->pg, sql, nparams, NULL, values, NULL, NULL, 0)
                  : NULL;
    }
    ExecStatusType status = PQresultStatus(res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        char what[96];
        what_ran(sql, what, sizeof what);
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        snprintf(err, size, "PostgreSQL: SQLSTATE %s: %s (running: %s)", state ? state : "-",
                 res ? PQresultErrorMessage(res) : PQerrorMessage(db->pg), what);
        one_line(err);
        PQclear(res);
        db->broken = true;
        return false;
    }
    if (changes) {
        const char *tuples = PQcmdTuples(res);
        *changes = tuples && *tuples ? strtoll(tuples, NULL, 10) : 0;
    }
    int ncols = PQnfields(res);
    const char *cols[EXEC_MAX_PARAMS * 2];
    bool ok = ncols <= (int)(sizeof cols / sizeof cols[0]);
    for (int r = 0; ok && row && r < PQntuples(res); r++) {
        for (int c = 0; c < ncols; c++)
            cols[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
        ok = row(ctx, ncols, cols);
    }
    PQclear(res);
    if (!ok)
        snprintf(err, size, "stopped reading the result (out of memory, or too many columns)");
    return ok;
}

static bool exec_sqlite(struct dashdb *db, const char *sql, const struct dashdb_value *params,
                        int nparams, dashdb_row_fn row, void *ctx, int64_t *changes, char *err,
                        size_t size)
{
    char what[96];
    what_ran(sql, what, sizeof what);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(db->sqlite, sql, -1, &stmt, NULL);
    for (int i = 0; rc == SQLITE_OK && i < nparams; i++) {
        char name[16];
        snprintf(name, sizeof name, "$%d", i + 1);
        int at = sqlite3_bind_parameter_index(stmt, name);
        if (at == 0)
            continue; /* not used by this statement */
        const struct dashdb_value *v = &params[i];
        rc = v->type == DASHDB_INT    ? sqlite3_bind_int64(stmt, at, v->i)
             : v->type == DASHDB_REAL ? sqlite3_bind_double(stmt, at, v->d)
             : v->type == DASHDB_TEXT ? sqlite3_bind_text(stmt, at, v->s, -1, SQLITE_STATIC)
                                      : sqlite3_bind_null(stmt, at);
    }
    const char *cols[EXEC_MAX_PARAMS * 2];
    int ncols = stmt ? sqlite3_column_count(stmt) : 0;
    bool ok = rc == SQLITE_OK && ncols <= (int)(sizeof cols / sizeof cols[0]);
    bool stopped = false;
    while (ok && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!row)
            continue;
        for (int c = 0; c < ncols; c++)
            cols[c] = (const char *)sqlite3_column_text(stmt, c);
        stopped = !row(ctx, ncols, cols);
        ok = !stopped;
    }
    if (ok && rc != SQLITE_DONE)
        ok = false;
    if (!ok && !stopped) {
        snprintf(err, size, "SQLite: %s (running: %s)", sqlite3_errmsg(db->sqlite), what);
        db->broken = true;
    } else if (stopped) {
        snprintf(err, size, "stopped reading the result (out of memory)");
    }
    if (ok && changes)
        *changes = sqlite3_changes(db->sqlite);
    sqlite3_finalize(stmt);
    return ok;
}

bool dashdb_exec(struct dashdb *db, const char *sql, const struct dashdb_value *params, int nparams,
                 dashdb_row_fn row, void *ctx, int64_t *changes, char *err, size_t size)
{
    if (nparams < 0 || nparams > EXEC_MAX_PARAMS) {
        snprintf(err, size, "dashdb_exec: %d parameters, at most %d", nparams, EXEC_MAX_PARAMS);
        return false;
    }
    return db->pg ? exec_postgres(db, sql, params, nparams, row, ctx, changes, err, size)
                  : exec_sqlite(db, sql, params, nparams, row, ctx, changes, err, size);
}

static const char ping_sql[] = "SELECT max(version) FROM wow_schema";

bool dashdb_ping(struct dashdb *db, char *err, size_t size)
{
    if (db->pg) {
        PGresult *res = pg_query(db, ping_sql, err, size);
        PQclear(res);
        return res != NULL;
    }
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(db->sqlite, ping_sql, -1, &stmt, NULL) != SQLITE_OK)
        return sqlite_failed(db, "reading wow_schema (has wowdash migrate run?)", err, size);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return sqlite_failed(db, "reading wow_schema", err, size);
    return true;
}

/* ---- watching for others' changes --------------------------------------- */

static bool handle_version(void *ctx, int ncols, const char *const *v)
{
    if (ncols == 1 && v[0])
        *(int64_t *)ctx = strtoll(v[0], NULL, 10);
    return true;
}

bool dashdb_listen(struct dashdb *db, const char *channel, char *err, size_t size)
{
    if (db->sqlite)
        return dashdb_changed(db); /* remembers the file's data_version */
    char *quoted = PQescapeIdentifier(db->pg, channel, strlen(channel));
    if (!quoted) {
        snprintf(err, size, "LISTEN: %s", PQerrorMessage(db->pg));
        one_line(err);
        return false;
    }
    char sql[160];
    snprintf(sql, sizeof sql, "LISTEN %s", quoted);
    PQfreemem(quoted);
    return dashdb_exec(db, sql, NULL, 0, NULL, NULL, NULL, err, size);
}

bool dashdb_changed(struct dashdb *db)
{
    int64_t version = db->data_version;
    if (db->sqlite) {
        char err[16];
        dashdb_exec(db, "PRAGMA data_version", NULL, 0, handle_version, &db->data_version, NULL,
                    err, sizeof err);
        return db->data_version != version;
    }
    bool changed = false;
    for (PGnotify *n; (n = PQnotifies(db->pg)) != NULL; PQfreemem(n))
        changed = true;
    return changed;
}

/* Waits for fd (-1: none) or cancel_fd up to timeout_ms; true when
 * cancel_fd is readable. */
static bool wait_fds(int fd, int cancel_fd, int timeout_ms)
{
    struct pollfd fds[2] = {{.fd = cancel_fd, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    if (poll(fds, fd >= 0 ? 2 : 1, timeout_ms) < 0)
        return false;
    return (fds[0].revents & POLLIN) != 0;
}

enum dashdb_wait dashdb_wait_change(struct dashdb *db, int timeout_ms, int cancel_fd, char *err,
                                    size_t size)
{
    if (db->sqlite) {
        for (;;) {
            if (dashdb_changed(db))
                return DASHDB_WAIT_CHANGED;
            if (timeout_ms <= 0)
                return DASHDB_WAIT_TIMEOUT;
            int slice = timeout_ms < DASHDB_POLL_MS ? timeout_ms : DASHDB_POLL_MS;
            if (wait_fds(-1, cancel_fd, slice))
                return DASHDB_WAIT_CANCELLED;
            timeout_ms -= slice;
        }
    }
    if (dashdb_changed(db))
        return DASHDB_WAIT_CHANGED;
    if (wait_fds(PQsocket(db->pg), cancel_fd, timeout_ms))
        return DASHDB_WAIT_CANCELLED;
    if (!PQconsumeInput(db->pg) || PQstatus(db->pg) != CONNECTION_OK) {
        snprintf(err, size, "the listening connection was lost: %s", PQerrorMessage(db->pg));
        one_line(err);
        db->broken = true;
        return DASHDB_WAIT_FAILED;
    }
    return dashdb_changed(db) ? DASHDB_WAIT_CHANGED : DASHDB_WAIT_TIMEOUT;
}
