/*
 * provision: migrate and kiosk add's database work (provision.h): the
 * schema's steps, a kiosk's PostgreSQL role with a password made here
 * (its SCRAM verifier computed client-side), and its heartbeat row.
 */
#include "provision.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_db.h"
#include "dashdb.h"
#include "log.h"
#include "migrate.h"
#include "random.h"
#include "schema.h"
#include "sync_backend.h"

/* 24 characters of [A-Za-z0-9_-] from /dev/urandom: safe unquoted in a
 * conninfo and in an INI value.  false when the random source fails. */
static bool make_password(char out[25])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    unsigned char bytes[24];
    bool ok = random_bytes(bytes, sizeof bytes);
    for (size_t i = 0; ok && i < sizeof bytes; i++)
        out[i] = alphabet[bytes[i] & 63];
    out[24] = '\0';
    return ok;
}

/* Server notices ("relation ... already exists, skipping") are routine
 * during migrate: keep them for --verbose-level logs, not the terminal. */
static void handle_notice(void *arg, const char *message)
{
    (void)arg;
    log_debug("PostgreSQL: %s", message);
}

static PGconn *connect_postgres(const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        log_error("cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, handle_notice, NULL);
    return conn;
}

static sqlite3 *open_sqlite(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
        sqlite3_busy_timeout(db, 5000) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) {
        log_error("cannot open the SQLite file %s: %s", path,
                  db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

bool provision_migrate(const char *target, int to_version, struct migrate_report *report)
{
    int rc;
    if (sync_target_is_postgres(target)) {
        PGconn *conn = connect_postgres(target);
        if (!conn)
            return false;
        rc = migrate_postgres(conn, to_version, report);
        PQfinish(conn);
    } else {
        sqlite3 *db = open_sqlite(target);
        if (!db)
            return false;
        rc = migrate_sqlite(db, to_version, report);
        sqlite3_close(db);
    }
    return rc == 0;
}

static const char heartbeat_sql[] =
    "INSERT INTO kiosks(kiosk_id, site, label, department, timezone, app_version, incarnation,"
    " kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error)"
    " VALUES ($1, $2, $3, $4, 'UTC', '', '', 0, 0, NULL, 0, 'provisioned, never seen')"
    " ON CONFLICT (kiosk_id) DO NOTHING";

/* Runs one statement with text parameters; false (logged) on failure. */
static bool pg_run(PGconn *conn, const char *what, const char *sql, int n,
                   const char *const *params, PGresult **keep)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        log_error("%s failed: SQLSTATE %s: %s", what, state ? state : "none",
                  PQresultErrorMessage(res));
        PQclear(res);
        return false;
    }
    if (keep)
        *keep = res;
    else
        PQclear(res);
    return true;
}

static int schema_version_postgres(PGconn *conn)
{
    PGresult *res;
    if (!pg_run(conn, "reading wow_schema (has wowdash migrate run?)",
                "SELECT coalesce(max(version), 0) FROM wow_schema", 0, NULL, &res))
        return -1;
    int version = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return version;
}

/* CREATE ROLE (or, with --replace, ALTER ROLE) kiosk_ID with the
 * password's SCRAM verifier, made here: the password never reaches the
 * server's logs in clear. */
static bool make_role(PGconn *conn, const char *role, const char *password, bool exists)
{
    char *verifier = PQencryptPasswordConn(conn, password, role, NULL);
    char *ident = PQescapeIdentifier(conn, role, strlen(role));
    char *literal = verifier ? PQescapeLiteral(conn, verifier, strlen(verifier)) : NULL;
    char sql[1024];
    bool ok = false;
    if (!verifier || !ident || !literal) {
        log_error("cannot prepare the role: %s", PQerrorMessage(conn));
    } else {
        if (exists)
            snprintf(sql, sizeof sql, "ALTER ROLE %s PASSWORD %s", ident, literal);
        else
            snprintf(sql, sizeof sql,
                     "CREATE ROLE %s LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
                     " CONNECTION LIMIT 4 PASSWORD %s IN ROLE " SCHEMA_FLEET_ROLE,
                     ident, literal);
        ok = pg_run(conn, exists ? "ALTER ROLE" : "CREATE ROLE", sql, 0, NULL, NULL);
    }
    PQfreemem(verifier);
    PQfreemem(ident);
    PQfreemem(literal);
    return ok;
}

static bool role_exists(PGconn *conn, const char *role, bool *exists)
{
    PGresult *res;
    const char *params[1] = {role};
    if (!pg_run(conn, "looking up the role", "SELECT 1 FROM pg_roles WHERE rolname = $1", 1, params,
                &res))
        return false;
    *exists = PQntuples(res) > 0;
    PQclear(res);
    return true;
}

static bool provision_postgres(PGconn *conn, const struct provision_kiosk *o, const char *password)
{
    char role[64];
    snprintf(role, sizeof role, SCHEMA_KIOSK_ROLE_PREFIX "%s", o->kiosk_id);
    int version = schema_version_postgres(conn);
    if (version < 0)
        return false;
    if (version < SCHEMA_VERSION) {
        log_error("the database is at schema version %d; run wowdash migrate --db ... first",
                  version);
        return false;
    }
    bool exists;
    if (!role_exists(conn, role, &exists))
        return false;
    if (exists && !o->replace) {
        log_error("role %s exists already; --replace gives it a new password", role);
        return false;
    }
    const char *params[4] = {o->kiosk_id, o->site, o->label, o->department};
    return pg_run(conn, "BEGIN", "BEGIN", 0, NULL, NULL) &&
           make_role(conn, role, password, exists) &&
           pg_run(conn, "INSERT INTO kiosks", heartbeat_sql, 4, params, NULL) &&
           pg_run(conn, "COMMIT", "COMMIT", 0, NULL, NULL);
}

static bool kiosk_postgres(const struct provision_kiosk *o, char *target, size_t size)
{
    PGconn *conn = connect_postgres(o->db);
    if (!conn)
        return false;
    char password[25];
    if (!make_password(password)) {
        log_error("cannot read /dev/urandom for the password");
        PQfinish(conn);
        return false;
    }
    const char *host = o->kiosk_host ? o->kiosk_host : PQhost(conn);
    if (!host || host[0] == '/' || host[0] == '\0') {
        log_error("--db connects through a Unix socket; say with --kiosk-host HOST where "
                  "kiosks reach the database");
        PQfinish(conn);
        return false;
    }
    bool ok = provision_postgres(conn, o, password);
    snprintf(target, size,
             "host=%s port=%s dbname=%s user=" SCHEMA_KIOSK_ROLE_PREFIX "%s password=%s sslmode=%s",
             host, PQport(conn), PQdb(conn), o->kiosk_id, password, o->sslmode);
    PQfinish(conn);
    return ok;
}

static bool kiosk_sqlite(const struct provision_kiosk *o)
{
    sqlite3 *db = open_sqlite(o->db);
    if (!db)
        return false;
    struct migrate_report report;
    sqlite3_stmt *stmt = NULL;
    bool ok = migrate_sqlite(db, SCHEMA_VERSION, &report) == 0;
    if (ok) {
        char sql[sizeof heartbeat_sql];
        snprintf(sql, sizeof sql, "%s", heartbeat_sql);
        for (char *p = sql; (p = strchr(p, '$')) != NULL;)
            *p = '?'; /* SQLite takes ?N where PostgreSQL takes $N */
        ok = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK;
    }
    if (ok) {
        const char *params[4] = {o->kiosk_id, o->site, o->label, o->department};
        for (int i = 0; i < 4; i++)
            sqlite3_bind_text(stmt, i + 1, params[i], -1, SQLITE_STATIC);
        ok = sqlite3_step(stmt) == SQLITE_DONE;
    }
    if (!ok)
        log_error("%s: cannot add the kiosk: %s", o->db, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return ok;
}

/* The new kiosk's kiosk_catalog row from the newest catalog version, when
 * there is one: a kiosk provisioned after the catalog's last change gets
 * it at its first round.  Logs each error of a refused rendering. */
static bool kiosk_catalog(const struct provision_kiosk *o)
{
    char err[512];
    struct dashdb *db = dashdb_open(o->db, err, sizeof err);
    if (!db) {
        log_error("%s", err);
        return false;
    }
    bool written = false;
    struct config_errors errors;
    enum catalog_db_status st =
        catalog_db_render_kiosk(db, o->kiosk_id, &written, &errors, err, sizeof err);
    dashdb_close(db);
    if (st == CATALOG_DB_REFUSED) {
        log_error("kiosk %s is provisioned, but the catalog's rendering for it is refused:",
                  o->kiosk_id);
        for (int i = 0; i < errors.count; i++) {
            char line[1024];
            config_error_format(&errors.error[i], line, sizeof line);
            log_error("%s", line);
        }
        return false;
    }
    if (st != CATALOG_DB_OK) {
        log_error("kiosk %s: writing its catalog: %s", o->kiosk_id, err);
        return false;
    }
    if (written)
        log_info("kiosk %s: its catalog rendering is written", o->kiosk_id);
    return true;
}

bool provision_kiosk(const struct provision_kiosk *o, char *target, size_t size)
{
    bool ok;
    if (sync_target_is_postgres(o->db)) {
        ok = kiosk_postgres(o, target, size);
    } else {
        snprintf(target, size, "%s", o->db);
        ok = kiosk_sqlite(o);
    }
    return ok && kiosk_catalog(o);
}
