/*
 * migrate: applies schema.h's steps to a shared database, once each, in
 * one transaction, recording them in wow_schema.  Running it again is a
 * no-op; a database at an older version keeps its rows and gains the
 * missing steps.  A database newer than this program is left alone.
 */
#ifndef WOW_MIGRATE_H
#define WOW_MIGRATE_H

#include <stdint.h>

struct sqlite3;
struct pg_conn; /* libpq's PGconn */

/* Result of one migration run. */
struct migrate_report {
    int from_version; /* before; 0 = empty database */
    int to_version;   /* after */
};

/* Brings db (borrowed) to version to_version (<= SCHEMA_VERSION).
 * Returns 0, or negative after logging the failing step and the engine's
 * message; on failure nothing of the run is kept. */
int migrate_sqlite(struct sqlite3 *db, int to_version, struct migrate_report *report);
int migrate_postgres(struct pg_conn *conn, int to_version, struct migrate_report *report);

#endif
