/*
 * sync_test_util: what the sync tests share: a shared database per test
 * (a fresh PostgreSQL database on the fixture's cluster, or a fresh SQLite
 * file), kiosk stores filled with taps, and canonical dumps of the rows on
 * both sides so "totals equal" is checked row by row.
 */
#ifndef WOW_SYNC_TEST_UTIL_H
#define WOW_SYNC_TEST_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "sync.h"

#define T0_UTC_MS 1790000000000LL /* 2026-09-21: the simulated taps' first day */

struct shared_db {
    bool postgres;
    char target[512]; /* what a kiosk is given: conninfo or file path */
    char admin[512];  /* superuser conninfo of this database (postgres) */
    char dbname[64];  /* postgres */
    char dir[64];     /* temp dir for stores and the SQLite file */
};

/* Makes a shared database of the kind the test binary runs for ("sqlite"
 * or "postgres", argv[1]), migrated to the newest schema.  Fails the test
 * (skips it when PostgreSQL is asked for and WOW_PG_STATE is unset). */
void shared_db_create(struct shared_db *db, bool postgres, const char *name);
void shared_db_destroy(struct shared_db *db);

/* The superuser conninfo of the fixture's cluster, or NULL. */
const char *pg_admin_conninfo(void);

/* Records taps taps (and follow-ups for about half) into the store at
 * path for kiosk kiosk_id, starting at t0 and one every step_ms, spread
 * over three departments, all ratings, misuse now and then; seed varies
 * the mix.  Fails the test on any store error. */
void store_fill(const char *path, const char *kiosk_id, int taps, int64_t t0, int64_t step_ms,
                unsigned seed);

/* The store's incarnation. */
void store_incarnation_of(const char *path, char out[40]);

/* Canonical dump of the store's counts and reason_counts ("c|dept|bucket|
 * rating|misuse|n" and "r|..." lines, sorted); malloc'd, caller frees. */
char *local_dump(const char *path);

/* The same rows as the shared database holds them for one kiosk
 * incarnation; malloc'd, caller frees. */
char *shared_dump(const struct shared_db *db, const char *kiosk_id, const char *incarnation);

/* sum(n) of tap_counts over everything in the shared database. */
long long shared_total(const struct shared_db *db);

/* The rows of sql on the shared database as its owner, '|'-joined lines;
 * malloc'd, caller frees. */
char *shared_query(const struct shared_db *db, const char *sql);

/* One SQL statement on the shared database as its owner. */
void shared_exec(const struct shared_db *db, const char *sql);

/* Settings for kiosk kiosk_id with store store_path syncing to target;
 * fixed jitter seed, short timeouts. */
void test_settings(struct sync_settings *s, const char *target, const char *store_path,
                   const char *kiosk_id);

/* Steps engine on a simulated clock (*now_ms advanced to each due time)
 * until a round leaves nothing waiting, at most max_rounds rounds.
 * Returns the rounds run; fails the test if the backlog never empties. */
int sync_until_idle(struct sync_engine *engine, int64_t *now_ms, int max_rounds);

/* Sets the store's synced_seq back to 0 (as if nothing had been sent). */
void test_exec_reset_synced(const char *store_path);

/* A fault_proxy.py child in front of the fixture's PostgreSQL. */
struct proxy {
    int pid;
    int port;
    char control[100]; /* its control socket (sun_path is 108 bytes) */
};

/* Starts the proxy (fails the test if it cannot); proxy_stop kills it. */
void proxy_start(struct proxy *proxy, const char *dir);
void proxy_stop(struct proxy *proxy);
/* Sends one command line ("refuse", "pass", "stall", ...); fails the
 * test unless the answer starts with "ok". */
void proxy_command(const struct proxy *proxy, const char *command);

/* The fixture cluster's port. */
int pg_port(void);

/* Copies a closed SQLite file (tests keep old snapshots of a store). */
void copy_file(const char *from, const char *to);

#endif
