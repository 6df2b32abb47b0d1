/*
 * cli_setup: the commands that set the shared database up and serve it,
 * which share one set of options:
 *
 *   wowdash migrate --db TARGET [--to VERSION]
 *       applies the schema's missing steps (app/sync/schema.c) to a
 *       PostgreSQL database (TARGET a conninfo) or a SQLite file; again
 *       is a no-op.
 *
 *   wowdash kiosk add ID --department D --db TARGET [--site S] [--label L]
 *                        [--kiosk-host HOST] [--sslmode MODE] [--replace]
 *       provisions a kiosk: on PostgreSQL its own login role kiosk_ID with
 *       a generated password, member of wowkiosk_fleet (row-level security
 *       limits it to its own rows), and its heartbeat row; then prints the
 *       config lines the technician puts into that kiosk's kiosk.conf.
 *
 *   wowdash serve --db TARGET [--listen ADDR:PORT] [--silent-after DURATION]
 *                 [--assets DIR] [--timezone ZONE] [--webhook URL]
 *                 [--secure-cookies] [--refresh DURATION]
 *       the dashboard's web server (serve.h, router.h).
 */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"
#include "migrate.h"
#include "random.h"
#include "schema.h"
#include "serve.h"
#include "sync_backend.h"

const char cli_migrate_usage[] = "wowdash migrate --db TARGET [--to VERSION]\n";
const char cli_kiosk_usage[] =
    "wowdash kiosk add ID --department D --db TARGET [--site S] [--label L]\n"
    "                            [--kiosk-host HOST] [--sslmode MODE] [--replace]\n";
const char cli_serve_usage[] =
    "wowdash serve --db TARGET [--listen ADDR:PORT] [--silent-after DURATION]\n"
    "                     [--assets DIR] [--timezone ZONE] [--webhook URL]\n"
    "                     [--secure-cookies] [--refresh DURATION]\n";

struct options {
    const char *command; /* "migrate", "kiosk add" or "serve" */
    const char *db;
    int to_version;
    const char *kiosk_id, *department, *site, *label;
    const char *kiosk_host, *sslmode;
    bool replace;
    struct serve_options serve;
};

/* A kiosk id as the kiosk's config allows it: [A-Za-z0-9_-], 1..31. */
static bool valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 31)
        return false;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* The options' handlers: each stores value (NULL for a switch) into
 * field, a member of struct options; 0, or -1 after saying what is wrong. */
static int set_text(void *field, const char *value)
{
    *(const char **)field = value;
    return 0;
}

static int set_switch(void *field, const char *value)
{
    (void)value;
    *(bool *)field = true;
    return 0;
}

static int set_version(void *field, const char *value)
{
    char *end;
    long to = strtol(value, &end, 10);
    if (*end || to < 1 || to > SCHEMA_VERSION) {
        fprintf(stderr, "wowdash: --to: expected a version from 1 to %d, got '%s'\n",
                SCHEMA_VERSION, value);
        return -1;
    }
    *(int *)field = (int)to;
    return 0;
}

static int set_silent_after(void *field, const char *value)
{
    if (serve_parse_duration(value, field))
        return 0;
    fprintf(stderr,
            "wowdash: --silent-after: expected a duration such as 90s, 15m, 2h or 1d "
            "(at most a year), got '%s'\n",
            value);
    return -1;
}

static int set_refresh(void *field, const char *value)
{
    if (serve_parse_duration(value, field))
        return 0;
    fprintf(stderr, "wowdash: --refresh: expected a duration such as 30s, 1m or 5m, got '%s'\n",
            value);
    return -1;
}

/* Every option of migrate, kiosk add and serve: its flag, the member of
 * struct options it sets, how, and whether it takes a value. */
static const struct setup_option {
    const char *flag;
    size_t field;
    int (*set)(void *field, const char *value);
    bool takes_value;
} setup_options[] = {
    {"--db", offsetof(struct options, db), set_text, true},
    {"--department", offsetof(struct options, department), set_text, true},
    {"--site", offsetof(struct options, site), set_text, true},
    {"--label", offsetof(struct options, label), set_text, true},
    {"--kiosk-host", offsetof(struct options, kiosk_host), set_text, true},
    {"--sslmode", offsetof(struct options, sslmode), set_text, true},
    {"--listen", offsetof(struct options, serve.listen), set_text, true},
    {"--assets", offsetof(struct options, serve.assets_dir), set_text, true},
    {"--timezone", offsetof(struct options, serve.timezone), set_text, true},
    {"--webhook", offsetof(struct options, serve.webhook_url), set_text, true},
    {"--refresh", offsetof(struct options, serve.refresh_ms), set_refresh, true},
    {"--to", offsetof(struct options, to_version), set_version, true},
    {"--silent-after", offsetof(struct options, serve.silent_after_ms), set_silent_after, true},
    {"--replace", offsetof(struct options, replace), set_switch, false},
    {"--secure-cookies", offsetof(struct options, serve.secure_cookies), set_switch, false},
};

static const struct setup_option *find_option(const char *flag)
{
    for (size_t i = 0; i < sizeof setup_options / sizeof *setup_options; i++)
        if (!strcmp(flag, setup_options[i].flag))
            return &setup_options[i];
    return NULL;
}

static int parse_flags(struct options *o, int argc, char **argv, int i)
{
    for (; i < argc; i++) {
        const struct setup_option *opt = find_option(argv[i]);
        if (!opt) {
            fprintf(stderr, "wowdash: unknown option %s\n", argv[i]);
            return -1;
        }
        if (opt->takes_value && i + 1 >= argc) {
            fprintf(stderr, "wowdash: %s needs a value\n", argv[i]);
            return -1;
        }
        const char *value = opt->takes_value ? argv[++i] : NULL;
        if (opt->set((char *)o + opt->field, value) != 0)
            return -1;
    }
    return 0;
}

/* Parses the command's arguments (argv[0] is its name, "migrate",
 * "kiosk" or "serve").  0 to go on; CLI_USAGE when the command itself is
 * malformed (cli.c prints the whole usage); 1 on a bad option (said). */
static int parse_options(struct options *o, int argc, char **argv)
{
    *o = (struct options){.to_version = SCHEMA_VERSION,
                          .site = "",
                          .label = "",
                          .sslmode = "verify-full",
                          .serve = {.listen = SERVE_DEFAULT_LISTEN,
                                    .silent_after_ms = SERVE_DEFAULT_SILENT_AFTER,
                                    .refresh_ms = SERVE_DEFAULT_REFRESH}};
    int first_flag = 1;
    o->command = argv[0];
    if (!strcmp(argv[0], "kiosk")) {
        if (argc < 3 || strcmp(argv[1], "add") != 0)
            return CLI_USAGE;
        o->command = "kiosk add";
        o->kiosk_id = argv[2];
        first_flag = 3;
    }
    if (parse_flags(o, argc, argv, first_flag) != 0)
        return 1;
    if (!o->db) {
        fprintf(stderr, "wowdash: %s: --db TARGET is required\n", o->command);
        return 1;
    }
    if (o->kiosk_id && (!valid_id(o->kiosk_id) || !o->department || !valid_id(o->department))) {
        fprintf(stderr, "wowdash: kiosk add: expected an ID and --department D, each 1 to 31 "
                        "characters of A-Z a-z 0-9 _ -\n");
        return 1;
    }
    return 0;
}

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

static int migrate_run(const struct options *o)
{
    struct migrate_report report;
    int rc;
    if (sync_target_is_postgres(o->db)) {
        PGconn *conn = connect_postgres(o->db);
        if (!conn)
            return 1;
        rc = migrate_postgres(conn, o->to_version, &report);
        PQfinish(conn);
    } else {
        sqlite3 *db = open_sqlite(o->db);
        if (!db)
            return 1;
        rc = migrate_sqlite(db, o->to_version, &report);
        sqlite3_close(db);
    }
    if (rc != 0)
        return 1;
    if (report.from_version == report.to_version)
        printf("schema already at version %d; nothing to do\n", report.to_version);
    else
        printf("schema migrated from version %d to %d\n", report.from_version, report.to_version);
    return 0;
}

/* What the technician pastes into the kiosk's config. */
static void print_config(const struct options *o, const char *target)
{
    printf("# kiosk.conf lines for kiosk %s, from wowdash kiosk add\n"
           "[kiosk]\nid = %s\n",
           o->kiosk_id, o->kiosk_id);
    if (o->site[0])
        printf("site = %s\n", o->site);
    if (o->label[0])
        printf("label = %s\n", o->label);
    printf("department = %s\n\n[department %s]\nname = %s\n\n[sync]\ntarget = %s\n", o->department,
           o->department, o->department, target);
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

static bool provision_postgres(PGconn *conn, const struct options *o, const char *password)
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

static int kiosk_add_postgres(const struct options *o)
{
    PGconn *conn = connect_postgres(o->db);
    if (!conn)
        return 1;
    char password[25];
    if (!make_password(password)) {
        log_error("cannot read /dev/urandom for the password");
        PQfinish(conn);
        return 1;
    }
    const char *host = o->kiosk_host ? o->kiosk_host : PQhost(conn);
    if (!host || host[0] == '/' || host[0] == '\0') {
        log_error("--db connects through a Unix socket; say with --kiosk-host HOST where "
                  "kiosks reach the database");
        PQfinish(conn);
        return 1;
    }
    bool ok = provision_postgres(conn, o, password);
    char target[512];
    snprintf(target, sizeof target,
             "host=%s port=%s dbname=%s user=" SCHEMA_KIOSK_ROLE_PREFIX "%s password=%s sslmode=%s",
             host, PQport(conn), PQdb(conn), o->kiosk_id, password, o->sslmode);
    PQfinish(conn);
    if (!ok)
        return 1;
    print_config(o, target);
    return 0;
}

static int kiosk_add_sqlite(const struct options *o)
{
    sqlite3 *db = open_sqlite(o->db);
    if (!db)
        return 1;
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
    if (!ok)
        return 1;
    print_config(o, o->db);
    return 0;
}

/* Parses, then runs: the exit status (2 on a bad option). */
static int parse_then(int argc, char **argv, int (*run)(const struct options *o))
{
    struct options o;
    int rc = parse_options(&o, argc, argv);
    if (rc != 0)
        return rc == CLI_USAGE ? CLI_USAGE : 2;
    return run(&o);
}

static int kiosk_add_run(const struct options *o)
{
    return sync_target_is_postgres(o->db) ? kiosk_add_postgres(o) : kiosk_add_sqlite(o);
}

static int serve_then(const struct options *o)
{
    struct serve_options s = o->serve;
    s.db = o->db;
    return serve_run(&s);
}

int cli_migrate(int argc, char **argv)
{
    return parse_then(argc, argv, migrate_run);
}

int cli_kiosk(int argc, char **argv)
{
    return parse_then(argc, argv, kiosk_add_run);
}

int cli_serve(int argc, char **argv)
{
    return parse_then(argc, argv, serve_then);
}
