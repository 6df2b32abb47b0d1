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

struct dashdb;
struct dashdb_pool;
struct fleet;

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

/* The trivial query behind /healthz: reads the schema's version.  false
 * with the reason in err. */
bool dashdb_ping(struct dashdb *db, char *err, size_t size);

/* Reads every kiosks row into out (emptied first; the caller frees it with
 * fleet_free, also after a failure).  false with the reason in err. */
bool dashdb_read_fleet(struct dashdb *db, struct fleet *out, char *err, size_t size);

#endif
