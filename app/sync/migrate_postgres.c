/*
 * migrate_postgres: schema.h's steps applied to a PostgreSQL shared
 * database (see migrate.h), for wowdash migrate.  One transaction, under
 * a transaction-scoped advisory lock so two migrations at once apply each
 * step once.  Blocking libpq calls: this is a command-line tool's work.
 */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "migrate.h"
#include "schema.h"

#define MIGRATE_LOCK_KEY 7718120 /* pg_advisory_xact_lock key of wowdash migrate */

/* Runs sql; on failure logs what, the SQLSTATE and the message, rolls
 * back and returns false. */
static bool run(PGconn *conn, const char *what, const char *sql, PGresult **keep)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        log_error("migrate: PostgreSQL database %s: %s failed: SQLSTATE %s: %s", PQdb(conn), what,
                  state ? state : "none", res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
        PQclear(res);
        PQclear(PQexec(conn, "ROLLBACK"));
        return false;
    }
    if (keep)
        *keep = res;
    else
        PQclear(res);
    return true;
}

static bool record_step(PGconn *conn, const struct schema_step *step)
{
    char version[16];
    snprintf(version, sizeof version, "%d", step->version);
    const char *params[2] = {version, step->description};
    PGresult *res = PQexecParams(conn,
                                 "INSERT INTO wow_schema(version, description, applied_ms)"
                                 " VALUES ($1, $2,"
                                 " CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT))",
                                 2, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok) {
        log_error("migrate: recording step %d in wow_schema: %s", step->version,
                  PQresultErrorMessage(res));
        PQclear(PQexec(conn, "ROLLBACK"));
    }
    PQclear(res);
    return ok;
}

static bool apply_step(PGconn *conn, const struct schema_step *step)
{
    char what[128];
    snprintf(what, sizeof what, "step %d (%s)", step->version, step->description);
    if (!run(conn, what, step->sql, NULL))
        return false;
    if (step->sql_postgres && !run(conn, what, step->sql_postgres, NULL))
        return false;
    return record_step(conn, step);
}

int migrate_postgres(PGconn *conn, int to_version, struct migrate_report *report)
{
    char lock[64];
    snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%d)", MIGRATE_LOCK_KEY);
    PGresult *res = NULL;
    if (!run(conn, "BEGIN", "BEGIN", NULL) || !run(conn, "taking the migration lock", lock, NULL) ||
        !run(conn, "CREATE TABLE wow_schema", schema_bookkeeping_sql, NULL) ||
        !run(conn, "reading wow_schema", "SELECT coalesce(max(version), 0) FROM wow_schema", &res))
        return -1;
    int version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    report->from_version = report->to_version = version;
    if (version > SCHEMA_VERSION)
        log_warn("migrate: database %s is at schema version %d, newer than this program's %d; "
                 "left as it is",
                 PQdb(conn), version, SCHEMA_VERSION);
    for (size_t i = 0; i < schema_step_count; i++) {
        const struct schema_step *step = &schema_steps[i];
        if (step->version <= version || step->version > to_version)
            continue;
        if (!apply_step(conn, step))
            return -1;
        report->to_version = step->version;
    }
    if (!run(conn, "COMMIT", "COMMIT", NULL))
        return -1;
    if (report->to_version != report->from_version)
        log_info("migrate: database %s: schema version %d -> %d", PQdb(conn), report->from_version,
                 report->to_version);
    return 0;
}
