/* sync_probe: one connection to the sync target, classified (see sync_probe.h). */
#include "sync_probe.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "schema.h"
#include "sync_backend.h"

const char *sync_probe_name(enum sync_probe_result result)
{
    static const char *const names[] = {"ok",  "off",    "unreachable", "credentials",
                                        "tls", "schema", "error"};
    return (unsigned)result < sizeof names / sizeof names[0] ? names[result] : "error";
}

/* libpq's message, its first line, without a trailing newline. */
static void first_line(const char *message, char *out, size_t size)
{
    snprintf(out, size, "%s", message ? message : "");
    out[strcspn(out, "\n")] = '\0';
}

static bool says(const char *text, const char *const *words)
{
    for (; *words; words++)
        if (strstr(text, *words))
            return true;
    return false;
}

/* What a failed connection's message means (libpq's wording). */
static enum sync_probe_result classify(const char *message)
{
    static const char *const tls[] = {"SSL", "ssl", "certificate", "TLS", NULL};
    static const char *const credentials[] = {"password authentication failed",
                                              "no password supplied",
                                              "does not exist",
                                              "pg_hba.conf",
                                              "authentication",
                                              NULL};
    static const char *const unreachable[] = {"could not connect",
                                              "Connection refused",
                                              "timeout expired",
                                              "could not translate host",
                                              "No route to host",
                                              "Network is unreachable",
                                              "server closed the connection",
                                              NULL};
    if (says(message, tls) && !says(message, credentials))
        return SYNC_PROBE_TLS;
    if (says(message, credentials))
        return SYNC_PROBE_CREDENTIALS;
    if (says(message, unreachable))
        return SYNC_PROBE_UNREACHABLE;
    return SYNC_PROBE_OTHER;
}

static enum sync_probe_result probe_schema(PGconn *conn, char *detail, size_t size)
{
    char line[256];
    PGresult *res = PQexec(conn, "SELECT coalesce(max(version), 0) FROM wow_schema");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    long version = ok ? strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    first_line(PQresultErrorMessage(res), line, sizeof line);
    PQclear(res);
    const char *tls = PQsslInUse(conn) ? PQsslAttribute(conn, "protocol") : NULL;
    if (!ok) {
        snprintf(detail, size,
                 "postgresql %s as %s: cannot read the schema's version (%s): run wowdash "
                 "migrate on the database",
                 PQhost(conn), PQuser(conn), line);
        return SYNC_PROBE_SCHEMA;
    }
    if (version < SCHEMA_VERSION) {
        snprintf(detail, size,
                 "postgresql %s as %s: the shared schema is version %ld, this kiosk writes "
                 "version %d: run wowdash migrate on the database",
                 PQhost(conn), PQuser(conn), version, SCHEMA_VERSION);
        return SYNC_PROBE_SCHEMA;
    }
    snprintf(detail, size, "postgresql %s port %s as %s, TLS %s, schema version %ld", PQhost(conn),
             PQport(conn), PQuser(conn), tls ? tls : "off", version);
    return SYNC_PROBE_OK;
}

static enum sync_probe_result probe_postgres(const char *conninfo, int64_t timeout_ms, char *detail,
                                             size_t size)
{
    char timeout[24], line[400];
    snprintf(timeout, sizeof timeout, "%lld", (long long)((timeout_ms + 999) / 1000));
    /* ours first; the technician's conninfo, expanded from dbname, wins */
    const char *const keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *const values[] = {timeout, "wowkiosk self-test", conninfo, NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (!conn) {
        snprintf(detail, size, "postgresql: out of memory");
        return SYNC_PROBE_OTHER;
    }
    enum sync_probe_result r;
    if (PQstatus(conn) != CONNECTION_OK) {
        first_line(PQerrorMessage(conn), line, sizeof line);
        r = classify(line);
        snprintf(detail, size, "postgresql: %s: %s", sync_probe_name(r), line);
    } else {
        r = probe_schema(conn, detail, size);
    }
    PQfinish(conn);
    return r;
}

static enum sync_probe_result probe_sqlite(const char *path, char *detail, size_t size)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (access(dir, W_OK | X_OK) != 0) {
        snprintf(detail, size, "sqlite %s: the directory %s is not writable by this user", path,
                 dir);
        return SYNC_PROBE_OTHER;
    }
    if (access(path, F_OK) != 0) {
        snprintf(detail, size, "sqlite %s: made on the first round (the directory is writable)",
                 path);
        return SYNC_PROBE_OK;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    long version = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM wow_schema", -1, &stmt,
                           NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        version = (long)sqlite3_column_int64(stmt, 0);
    bool opened = db && sqlite3_errcode(db) != SQLITE_CANTOPEN;
    char why[256];
    snprintf(why, sizeof why, "%s", db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    if (!opened) {
        snprintf(detail, size, "sqlite %s: cannot open it for writing: %s", path, why);
        return SYNC_PROBE_OTHER;
    }
    if (version > SCHEMA_VERSION) {
        snprintf(detail, size,
                 "sqlite %s: schema version %ld is newer than this kiosk's %d (an older "
                 "kiosk version on a newer file)",
                 path, version, SCHEMA_VERSION);
        return SYNC_PROBE_SCHEMA;
    }
    snprintf(detail, size, "sqlite %s: writable, schema version %ld (brought to %d by the kiosk)",
             path, version < 0 ? 0 : version, SCHEMA_VERSION);
    return SYNC_PROBE_OK;
}

enum sync_probe_result sync_probe(const char *target, int64_t timeout_ms, char *detail, size_t size)
{
    if (!strcmp(target, "off")) {
        snprintf(detail, size, "off ([sync] target = off): counts stay on this kiosk");
        return SYNC_PROBE_OFF;
    }
    if (sync_target_is_postgres(target))
        return probe_postgres(target, timeout_ms, detail, size);
    return probe_sqlite(target, detail, size);
}
