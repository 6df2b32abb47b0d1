/*
 * bench_pg: what the sync benchmarks (bench/sync_backlog.c,
 * bench/sync_fleet.c) share: clocks, a fresh migrated PostgreSQL database
 * per benchmark, kiosk roles, and the server's CPU time and memory read
 * from /proc (the cluster runs on this machine, on loopback).
 *
 * Not a benchmark itself: it lives in bench/lib so bench/CMakeLists.txt's
 * one-program-per-file glob does not pick it up.
 */
#ifndef WOW_BENCH_PG_H
#define WOW_BENCH_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* CLOCK_MONOTONIC and CLOCK_REALTIME in milliseconds. */
double bench_mono_ms(void);
int64_t bench_utc_ms(void);

/* Writes base (a conninfo: key=value pairs or a URI) with user and
 * dbname replaced (either may be NULL: kept) into out as key='value'
 * pairs.  Returns false if base does not parse or out is too small. */
bool bench_conninfo(const char *base, const char *user, const char *dbname, char *out, size_t size);

/* Connects (blocking); prints libpq's message and returns NULL on failure. */
PGconn *bench_pg_connect(const char *conninfo);

/* Runs sql (no result rows wanted); prints the error and returns false. */
bool bench_pg_exec(PGconn *conn, const char *sql);

/* Runs sql and returns the first n columns of its first row as int64s
 * (numeric results too, e.g. sum(bigint); NULL is 0); false on error or
 * no row.  params: nparams text parameters. */
bool bench_pg_ints(PGconn *conn, const char *sql, int nparams, const char *const *params,
                   int64_t *values, int n);

/* Drops database dbname if it exists and makes it again, migrated to the
 * newest shared schema (migrate_postgres), on the cluster of the
 * superuser conninfo admin.  Returns false (printed) on failure. */
bool bench_pg_fresh_database(const char *admin, const char *dbname);
/* The same, migrated only to version (1..SCHEMA_VERSION): a benchmark
 * compares an older schema with the newest in one run. */
bool bench_pg_fresh_database_at(const char *admin, const char *dbname, int version);

/* Drops database dbname (terminating its sessions); errors are printed. */
void bench_pg_drop_database(const char *admin, const char *dbname);

/* Makes the login roles kiosk_<prefix><NNNN> for NNNN = 0000..count-1
 * (members of the fleet role, so row-level security applies to them),
 * dropping any left over first.  bench_pg_drop_roles removes them. */
bool bench_pg_make_roles(PGconn *admin, const char *prefix, int count);
void bench_pg_drop_roles(PGconn *admin, const char *prefix, int count);

/* The postmaster's pid, found from a backend's pid through /proc when the
 * server runs on this machine; 0 when it does not (figures are skipped). */
int bench_pg_postmaster_pid(PGconn *conn);

/* CPU seconds (user + system) used by the postmaster and all its
 * processes: the live ones' own times plus what the postmaster has reaped
 * (cutime, cstime), so backends that exited in between still count. */
double bench_server_cpu_s(int postmaster_pid);

/* Proportional set size of the postmaster and its processes, in MB
 * (shared buffers counted once, unlike RSS); the number of processes in
 * *processes. */
double bench_server_pss_mb(int postmaster_pid, int *processes);

/* CPU seconds (user + system) of this process, all threads. */
double bench_self_cpu_s(void);

/* Peak resident set size of this process, in MB (getrusage). */
double bench_peak_rss_mb(void);

/* Prints the machine's load average and cores ("load: ..."), since the
 * figures depend on what else runs on it. */
void bench_print_load(const char *when);

/* The p-th percentile (0..100, nearest rank) of n values, sorting them. */
double bench_percentile(double *values, size_t n, double p);

#endif
