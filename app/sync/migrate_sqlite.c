/*
 * migrate_sqlite: schema.h's steps applied to a SQLite shared database
 * (see migrate.h).  BEGIN IMMEDIATE takes the write lock first, so two
 * processes migrating one file at once apply each step once.
 */
#include <sqlite3.h>
#include <stdio.h>

#include "log.h"
#include "migrate.h"
#include "schema.h"

static int fail(sqlite3 *db, const char *what)
{
    log_error("migrate: %s: %s: %s", sqlite3_db_filename(db, "main"), what, sqlite3_errmsg(db));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

static int read_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM wow_schema", -1, &stmt,
                           NULL) != SQLITE_OK)
        return -1;
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    return rc == SQLITE_ROW ? 0 : -1;
}

static int record_step(sqlite3 *db, const struct schema_step *step)
{
    sqlite3_stmt *stmt;
    const char *sql = "INSERT INTO wow_schema(version, description, applied_ms)"
                      " VALUES (?, ?, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))";
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int(stmt, 1, step->version);
    sqlite3_bind_text(stmt, 2, step->description, -1, SQLITE_STATIC);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : -1;
}

int migrate_sqlite(sqlite3 *db, int to_version, struct migrate_report *report)
{
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "BEGIN IMMEDIATE");
    if (sqlite3_exec(db, schema_bookkeeping_sql, NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "CREATE TABLE wow_schema");
    int version = 0;
    if (read_version(db, &version) != 0)
        return fail(db, "reading wow_schema");
    report->from_version = report->to_version = version;
    if (version > SCHEMA_VERSION)
        log_warn("migrate: %s is at schema version %d, newer than this program's %d; left as it is",
                 sqlite3_db_filename(db, "main"), version, SCHEMA_VERSION);
    for (size_t i = 0; i < schema_step_count; i++) {
        const struct schema_step *step = &schema_steps[i];
        if (step->version <= version || step->version > to_version)
            continue;
        char what[96];
        snprintf(what, sizeof what, "step %d (%s)", step->version, step->description);
        if (sqlite3_exec(db, step->sql, NULL, NULL, NULL) != SQLITE_OK ||
            (step->sql_sqlite && sqlite3_exec(db, step->sql_sqlite, NULL, NULL, NULL) != SQLITE_OK))
            return fail(db, what);
        if (record_step(db, step) != 0)
            return fail(db, "recording the step in wow_schema");
        report->to_version = step->version;
    }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "COMMIT");
    if (report->to_version != report->from_version)
        log_info("migrate: %s: schema version %d -> %d", sqlite3_db_filename(db, "main"),
                 report->from_version, report->to_version);
    return 0;
}
