/*
 * dashdb: the dashboard's read side of the shared database, a PostgreSQL
 * conninfo or a SQLite file (the same TARGET wowdash migrate takes), with
 * a small pool of connections shared by the server's request threads.
 *
 * The pool: at most `size` connections, each used by one request at a
 * time, guarded by one mutex; a request takes an idle connection, or opens
 * one while fewer than size exist, or waits for one to be given back.  The
 * server sizes the pool to its request threads, so in practice nobody
 * waits.  A connection whose query failed is closed when given back, and
 * the next request opens a fresh one: a database that went away and came
 * back heals without a restart.  A SQLite file is also reopened when the
 * path no longer names the file it opened (deleted or replaced).
 *
 * Errors come back as text in a caller's buffer (the engine's message
 * and what was being done), for /healthz and the error page; nothing here
 * logs.
 */
#ifndef WOW_DASHDB_H
#define WOW_DASHDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dashdb;
struct dashdb_pool;

/* A pool for target (copied) of at most size connections; none is opened
 * yet.  Returns NULL when out of memory.  Free with dashdb_pool_destroy. */
struct dashdb_pool *dashdb_pool_create(const char *target, int size);

/* Closes every connection; all taken ones must have been given back. */
void dashdb_pool_destroy(struct dashdb_pool *pool);

/* Lends a connection, opening it if needed.  Returns NULL with the reason
 * in err (size bytes) when it cannot be opened.  Give it back with
 * dashdb_pool_give, from any thread. */
struct dashdb *dashdb_pool_take(struct dashdb_pool *pool, char *err, size_t size);
void dashdb_pool_give(struct dashdb_pool *pool, struct dashdb *db);

/* One connection of its own, outside any pool (the rollup and alert
 * thread, the command line), with no statement timeout; NULL with the
 * reason in err.  Close with dashdb_close. */
struct dashdb *dashdb_open(const char *target, char *err, size_t size);
void dashdb_close(struct dashdb *db);

bool dashdb_is_postgres(const struct dashdb *db);

/* A parameter of dashdb_exec.  SQL spells parameters $1..$n in both
 * engines (SQLite binds them by those names). */
enum dashdb_type { DASHDB_NULL, DASHDB_INT, DASHDB_REAL, DASHDB_TEXT };
struct dashdb_value {
    enum dashdb_type type;
    int64_t i;
    double d;
    const char *s; /* borrowed for the call */
};
#define DASHDB_INT(x)  ((struct dashdb_value){.type = DASHDB_INT, .i = (x)})
#define DASHDB_REAL(x) ((struct dashdb_value){.type = DASHDB_REAL, .d = (x)})
#define DASHDB_TEXT(x) ((struct dashdb_value){.type = DASHDB_TEXT, .s = (x)})

/* Called once per result row with each column as text, NULL for SQL NULL
 * (valid only during the call).  Returns false to stop: dashdb_exec then
 * returns false with err "stopped reading: <what the callback put in
 * *why, or out of memory>". */
typedef bool (*dashdb_row_fn)(void *ctx, int ncols, const char *const *values);

/* Runs one statement (or "BEGIN", "COMMIT", "ROLLBACK") with params, and
 * calls row for each result row (row may be NULL).  Portable SQL only:
 * what both PostgreSQL and SQLite accept.  false with the engine's message
 * and what was run in err; the connection is then marked broken (a pooled
 * one is closed when given back; after a failed statement inside BEGIN,
 * ROLLBACK still works).  *changes, when not NULL, gets the rows an
 * INSERT/UPDATE/DELETE touched. */
bool dashdb_exec(struct dashdb *db, const char *sql, const struct dashdb_value *params, int nparams,
                 dashdb_row_fn row, void *ctx, int64_t *changes, char *err, size_t size);

/* The trivial query behind /healthz: reads the schema's version.  false
 * with the reason in err. */
bool dashdb_ping(struct dashdb *db, char *err, size_t size);

/* ---- watching for what others commit ----------------------------------
 * On a connection of its own (dashdb_open).  PostgreSQL: LISTEN on a
 * channel (schema.h's SCHEMA_COUNTS_CHANNEL, which a statement trigger on
 * the counts notifies); the connection may still run statements, and
 * notifications wait until they are read.  SQLite: PRAGMA data_version,
 * which moves when another connection commits (this one's own writes do
 * not move it), looked at every DASHDB_POLL_MS. */
#define DASHDB_POLL_MS 1000

/* Starts watching channel (PostgreSQL; ignored for SQLite).  false with
 * the reason in err. */
bool dashdb_listen(struct dashdb *db, const char *channel, char *err, size_t size);

/* Whether a change came since the last look, without waiting (reads what
 * already arrived; SQLite: one PRAGMA). */
bool dashdb_changed(struct dashdb *db);

enum dashdb_wait {
    DASHDB_WAIT_CHANGED,   /* something was committed since the last look */
    DASHDB_WAIT_TIMEOUT,   /* nothing within timeout_ms */
    DASHDB_WAIT_CANCELLED, /* cancel_fd became readable (not read here) */
    DASHDB_WAIT_FAILED,    /* the connection is lost (err): close it, listen anew */
};

/* Waits up to timeout_ms for a change, or until cancel_fd is readable. */
enum dashdb_wait dashdb_wait_change(struct dashdb *db, int timeout_ms, int cancel_fd, char *err,
                                    size_t size);

#endif
