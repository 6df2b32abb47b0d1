/* sync_test_util: shared databases, filled stores and row dumps for the
 * sync tests (see sync_test_util.h). */
#include "sync_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "migrate.h"
#include "schema.h"
#include "store.h"

const char *pg_admin_conninfo(void)
{
    static char conninfo[512]; /* read once per test process */
    if (conninfo[0])
        return conninfo;
    const char *state = getenv("WOW_PG_STATE");
    FILE *f = state ? fopen(state, "r") : NULL;
    if (!f)
        return NULL;
    char json[4096];
    size_t n = fread(json, 1, sizeof json - 1, f);
    fclose(f);
    json[n] = '\0';
    const char *key = strstr(json, "\"conninfo\"");
    const char *start = key ? strchr(key + 10, '"') : NULL;
    const char *end = start ? strchr(start + 1, '"') : NULL;
    if (!end)
        return NULL;
    snprintf(conninfo, sizeof conninfo, "%.*s", (int)(end - start - 1), start + 1);
    return conninfo;
}

static void pg_exec(const char *conninfo, const char *sql)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK)
        fail_msg("connect %s: %s", conninfo, PQerrorMessage(conn));
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(conn);
}

void shared_exec(const struct shared_db *db, const char *sql)
{
    if (db->postgres) {
        pg_exec(db->admin, sql);
        return;
    }
    sqlite3 *s;
    assert_int_equal(sqlite3_open(db->target, &s), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(s, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
    sqlite3_close(s);
}

void shared_db_create(struct shared_db *db, bool postgres, const char *name)
{
    *db = (struct shared_db){.postgres = postgres};
    snprintf(db->dir, sizeof db->dir, "/tmp/wowsync-XXXXXX");
    assert_non_null(mkdtemp(db->dir));
    struct migrate_report report;
    if (!postgres) {
        snprintf(db->target, sizeof db->target, "%s/shared.db", db->dir);
        sqlite3 *s;
        assert_int_equal(sqlite3_open(db->target, &s), SQLITE_OK);
        assert_int_equal(migrate_sqlite(s, SCHEMA_VERSION, &report), 0);
        sqlite3_close(s);
        return;
    }
    const char *admin = pg_admin_conninfo();
    if (!admin)
        fail_msg("WOW_PG_STATE names no PostgreSQL cluster (run through ctest)");
    snprintf(db->dbname, sizeof db->dbname, "wt_%s_%d", name, (int)getpid());
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db->dbname);
    pg_exec(admin, sql);
    snprintf(db->admin, sizeof db->admin, "%s dbname=%s", admin, db->dbname);
    snprintf(db->target, sizeof db->target, "%s", db->admin);
    PGconn *conn = PQconnectdb(db->admin);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    assert_int_equal(migrate_postgres(conn, SCHEMA_VERSION, &report), 0);
    PQfinish(conn);
}

void shared_db_destroy(struct shared_db *db)
{
    if (db->postgres) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db->dbname);
        pg_exec(pg_admin_conninfo(), sql);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", db->dir);
    assert_int_equal(system(cmd), 0);
}

void store_fill(const char *path, const char *kiosk_id, int taps, int64_t t0, int64_t step_ms,
                unsigned seed)
{
    static const char *const departments[] = {"front", "it", "cafe"};
    static const char *const reasons[] = {"fast", "friendly", "slow"};
    static const enum store_followup_end ended[] = {STORE_FOLLOWUP_CHOSEN, STORE_FOLLOWUP_SKIPPED,
                                                    STORE_FOLLOWUP_TIMEOUT};
    struct store *store;
    struct store_health health;
    assert_int_equal(store_open(&store, path, kiosk_id, t0, &health), 0);
    unsigned x = seed * 2654435761u + 1;
    for (int i = 0; i < taps; i++) {
        x = x * 1103515245u + 12345u;
        unsigned r = x >> 8;
        struct store_tap tap = {.at_ms_utc = t0 + i * step_ms,
                                .department = departments[r % 3],
                                .rating = (int)(r / 3 % 4) + 1,
                                .misuse = r % 17 == 0};
        int64_t id;
        assert_int_equal(store_record_tap(store, &tap, &id), 0);
        if (r / 12 % 2 == 0)
            continue;
        int e = (int)(r / 24 % 3);
        struct store_followup f = {.question = tap.rating >= 3 ? STORE_QUESTION_POSITIVE
                                                               : STORE_QUESTION_NEGATIVE,
                                   .reason = e == 0 ? reasons[r / 72 % 3] : NULL,
                                   .ended_by = ended[e]};
        assert_int_equal(store_record_followup(store, id, &f), 0);
    }
    store_close(store);
}

void store_incarnation_of(const char *path, char out[40])
{
    sqlite3 *s;
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(s, "SELECT value FROM meta WHERE key = 'incarnation'", -1, &stmt, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    snprintf(out, 40, "%s", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    sqlite3_close(s);
}

/* Appends the rows of a query (every column joined by '|') to a
 * malloc'd text; the query orders them. */
static char *sqlite_rows(const char *path, const char *sql, char *text)
{
    sqlite3 *s;
    sqlite3_stmt *stmt;
    assert_int_equal(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(s));
    size_t len = text ? strlen(text) : 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        char line[512] = "";
        for (int c = 0; c < sqlite3_column_count(stmt); c++) {
            size_t l = strlen(line);
            snprintf(line + l, sizeof line - l, "%s%s", c ? "|" : "",
                     (const char *)sqlite3_column_text(stmt, c));
        }
        text = realloc(text, len + strlen(line) + 2);
        assert_non_null(text);
        len += (size_t)snprintf(text + len, strlen(line) + 2, "%s\n", line);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(s);
    if (!text)
        text = calloc(1, 1);
    return text;
}

char *local_dump(const char *path)
{
    char *text = sqlite_rows(path,
                             "SELECT 'c', department, bucket_start_ms_utc, rating, misuse, n "
                             "FROM counts ORDER BY 2, 3, 4, 5",
                             NULL);
    return sqlite_rows(path,
                       "SELECT 'r', department, bucket_start_ms_utc, question, reason, ended_by, "
                       "misuse, n FROM reason_counts ORDER BY 2, 3, 4, 5, 6, 7",
                       text);
}

/* tap_counts has a column per face and misuse flag: one line per nonzero
 * column, the way the store keeps them. */
static void shared_counts_sql(char *sql, size_t size, const char *kiosk_id, const char *incarnation)
{
    size_t len = 0;
    for (int c = 0; c < 8; c++)
        len += (size_t)snprintf(sql + len, size - len,
                                "%sSELECT 'c', department, bucket_start_ms, %d, %d, %s_%d"
                                " FROM tap_counts WHERE kiosk_id = '%s' AND incarnation = '%s'"
                                " AND %s_%d > 0",
                                c ? " UNION ALL " : "", c % 4 + 1, c / 4,
                                c < 4 ? "rating" : "misuse", c % 4 + 1, kiosk_id, incarnation,
                                c < 4 ? "rating" : "misuse", c % 4 + 1);
    snprintf(sql + len, size - len, " ORDER BY 2, 3, 4, 5");
}

/* Every follow-up count as the store keeps them (a reason_counts row per
 * question, reason, end and misuse flag), from step 19's view: the chosen
 * reasons' rows, and tap_counts' columns of those that ended without one
 * (step 14) and of each question's first chosen reason (step 19). */
static void shared_reasons_sql(char *sql, size_t size, const char *kiosk_id,
                               const char *incarnation)
{
    /* the test cluster's collation is C: bytewise, as SQLite's */
    snprintf(sql, size,
             "SELECT 'r', department, bucket_start_ms, question, reason, ended_by, misuse, n"
             " FROM followup_counts WHERE kiosk_id = '%s' AND incarnation = '%s' AND n > 0"
             " ORDER BY 2, 3, 4, 5, 6, 7",
             kiosk_id, incarnation);
}

static char *pg_rows(const char *conninfo, const char *sql, char *text)
{
    PGconn *conn = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    size_t len = text ? strlen(text) : 0;
    for (int r = 0; r < PQntuples(res); r++) {
        char line[512] = "";
        for (int c = 0; c < PQnfields(res); c++) {
            size_t l = strlen(line);
            snprintf(line + l, sizeof line - l, "%s%s", c ? "|" : "", PQgetvalue(res, r, c));
        }
        text = realloc(text, len + strlen(line) + 2);
        assert_non_null(text);
        len += (size_t)snprintf(text + len, strlen(line) + 2, "%s\n", line);
    }
    PQclear(res);
    PQfinish(conn);
    if (!text)
        text = calloc(1, 1);
    return text;
}

char *shared_dump(const struct shared_db *db, const char *kiosk_id, const char *incarnation)
{
    char counts[2048], reasons[2560];
    shared_counts_sql(counts, sizeof counts, kiosk_id, incarnation);
    shared_reasons_sql(reasons, sizeof reasons, kiosk_id, incarnation);
    if (db->postgres)
        return pg_rows(db->admin, reasons, pg_rows(db->admin, counts, NULL));
    return sqlite_rows(db->target, reasons, sqlite_rows(db->target, counts, NULL));
}

char *shared_query(const struct shared_db *db, const char *sql)
{
    return db->postgres ? pg_rows(db->admin, sql, NULL) : sqlite_rows(db->target, sql, NULL);
}

long long shared_total(const struct shared_db *db)
{
    const char *sql = "SELECT coalesce(sum(rating_1 + rating_2 + rating_3 + rating_4 + misuse_1 +"
                      " misuse_2 + misuse_3 + misuse_4), 0) FROM tap_counts";
    char *text = db->postgres ? pg_rows(db->admin, sql, NULL) : sqlite_rows(db->target, sql, NULL);
    long long total = strtoll(text, NULL, 10);
    free(text);
    return total;
}

void test_settings(struct sync_settings *s, const char *target, const char *store_path,
                   const char *kiosk_id)
{
    sync_settings_defaults(s);
    snprintf(s->target, sizeof s->target, "%s", target);
    snprintf(s->store_path, sizeof s->store_path, "%s", store_path);
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "%s", kiosk_id);
    snprintf(s->site, sizeof s->site, "Test site");
    snprintf(s->department, sizeof s->department, "front");
    s->seed = 42;
    s->connect_timeout_ms = 5000;
    s->push_timeout_ms = 10000;
}

int sync_until_idle(struct sync_engine *engine, int64_t *now_ms, int max_rounds)
{
    struct sync_status st;
    for (int round = 1; round <= max_rounds; round++) {
        int64_t due = sync_engine_step(engine, *now_ms, T0_UTC_MS + *now_ms);
        sync_engine_status(engine, &st);
        if (st.state == SYNC_STATE_OK && st.backlog == 0)
            return round;
        *now_ms = due > *now_ms ? due : *now_ms;
    }
    fail_msg("backlog %lld after %d rounds; last error: %s", (long long)st.backlog, max_rounds,
             st.last_error);
    return -1;
}

void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    assert_non_null(in);
    assert_non_null(out);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

void test_exec_reset_synced(const char *store_path)
{
    sqlite3 *s;
    assert_int_equal(sqlite3_open(store_path, &s), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(s, "UPDATE meta SET value = '0' WHERE key = 'synced_seq'", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(s);
}

int pg_port(void)
{
    const char *admin = pg_admin_conninfo();
    const char *p = admin ? strstr(admin, "port=") : NULL;
    assert_non_null(p);
    return (int)strtol(p + 5, NULL, 10);
}

void proxy_start(struct proxy *proxy, const char *dir)
{
    snprintf(proxy->control, sizeof proxy->control, "%.80s/proxy.sock", dir);
    char upstream[32];
    snprintf(upstream, sizeof upstream, "127.0.0.1:%d", pg_port());
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execlp("python3", "python3", WOW_SOURCE_DIR "/tests/sync/fault_proxy.py", "--upstream",
               upstream, "--control-socket", proxy->control, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[64] = "";
    FILE *f = fdopen(out[0], "r");
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    assert_true(strncmp(line, "listening ", 10) == 0);
    proxy->port = (int)strtol(line + 10, NULL, 10);
    proxy->pid = pid;
}

void proxy_stop(struct proxy *proxy)
{
    kill(proxy->pid, SIGTERM);
    waitpid(proxy->pid, NULL, 0);
    proxy->pid = 0;
}

void proxy_command(const struct proxy *proxy, const char *command)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", proxy->control);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    char line[128];
    int n = snprintf(line, sizeof line, "%s\n", command);
    assert_int_equal(write(fd, line, (size_t)n), n);
    ssize_t got = read(fd, line, sizeof line - 1);
    close(fd);
    assert_true(got > 0);
    line[got] = '\0';
    if (strncmp(line, "ok", 2) != 0)
        fail_msg("proxy %s: %s", command, line);
}
