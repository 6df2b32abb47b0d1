/*
 * fuzz_request: the dashboard's request path under a fuzzer.  Each input is
 * split into a request: its first byte picks who asks (bits 0-1: nobody,
 * the admin's, a head's or a technician's session cookie; bit 2: add the
 * session's csrf to the form; bit 3: the admin's API token as a bearer;
 * bit 4: header lines follow the cookie line), the rest is
 * "METHOD\nTARGET\nCOOKIE\nBODY" (the cookie line is sent after the chosen
 * session's), or with bit 4 "METHOD\nTARGET\nCOOKIE\nName: value\n...\n\nBODY"
 * where Content-Type, Origin, Host, Accept-Language and Authorization are
 * read as serve.c reads them (the allowed host is dash.example), and
 * X-Forwarded-For goes through trust_client (the request comes from a
 * trusted proxy) though the throttle still counts the one address "fuzz".
 * The pages speak every language of assets/dash/po.  The request is parsed (http.h) and routed
 * (router.h) against a SQLite database that init migrated and seeded in a
 * temp dir (departments in a group, kiosks, counts rolled up, an alert
 * with a comment), at a fixed clock, so inputs reach the queries, pages
 * and API writers.  Then the reply is checked: a status, a body that is
 * valid UTF-8 for text and JSON replies, a Location that stays on this server.
 *
 * Speed: the world lives on tmpfs (/dev/shm) in WAL mode, and a POST is
 * undone in one transaction only when it wrote a row, so an execution
 * costs no disk I/O (on a disk, SQLite's fsyncs were most of its time).
 *
 * Logins: the first three failed logins at init (argon2id, ~0.1 s each)
 * throttle the fuzzer's client address for good (the clock stands still),
 * so POST /login inputs are answered 429 at once instead of costing a
 * password verification each.
 *
 * Build and run: see tests/dash/CMakeLists.txt (WOW_FUZZ=ON with clang).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "dashdb.h"
#include "fuzz.h"
#include "http.h"
#include "migrate.h"
#include "rollup.h"
#include "router.h"
#include "schema.h"
#include "serve_langs.h"
#include "trust.h"
#include "utf8.h"

#define NOW_MS  1795694400000LL /* 2026-11-26T12:00:00Z */
#define HOUR_MS 3600000LL

#define KIOSK_COLUMNS                                                                              \
    "kiosks(kiosk_id, site, label, department, timezone, app_version, incarnation,"                \
    " kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error)"

static const char *const sessions[3] = {
    "AdminSessionAdminSessionAdminSessionAdminSe", /* 43 characters each */
    "HeadSessionHeadSessionHeadSessionHeadSessio",
    "TechSessionTechSessionTechSessionTechSessio",
};
static const char *const csrfs[3] = {
    "AdminCsrfAdminCsrfAdminCsrfAdminCsrfAdminCs",
    "HeadCsrfHeadCsrfHeadCsrfHeadCsrfHeadCsrfHea",
    "TechCsrfTechCsrfTechCsrfTechCsrfTechCsrfTec",
};
#define API_TOKEN "wdt_TokenTokenTokenTokenTokenTokenTokenTokenTok"

/* The fuzzer's world, made once by init: libFuzzer calls the entry point
 * again and again in one process, and the database is its fixture. */
static struct {
    bool ready;
    char dir[256], path[320];
    struct dashdb_pool *pool;
    struct auth *auth;
    struct router router;
    struct trust trust;
    struct serve_langs langs;
    long long written; /* total_changes() after init or the last reset */
} world;

static unsigned last_status; /* of the last reply, for check_world */
static void check_world(void);
static void fuzz_one(unsigned flags, char *text, size_t n);

static struct clock_now fixed_now(void *ctx)
{
    (void)ctx;
    return (struct clock_now){.mono_ms = 0, .utc_ms = NOW_MS};
}

static void run(struct dashdb *db, const char *sql)
{
    char err[512];
    if (!dashdb_exec(db, sql, NULL, 0, NULL, NULL, NULL, err, sizeof err)) {
        fprintf(stderr, "fuzz_request: seeding: %s\n", err);
        abort();
    }
}

/* A session row; an existing one is left as it is. */
static void add_session(struct dashdb *db, const char *user, const char *token, const char *csrf)
{
    char hash[AUTH_HASH_HEX_LEN + 1], err[512];
    auth_token_hash(token, hash);
    struct dashdb_value v[5] = {DASHDB_TEXT(hash), DASHDB_TEXT(user), DASHDB_TEXT(csrf),
                                DASHDB_INT(NOW_MS), DASHDB_INT(NOW_MS + 24 * HOUR_MS)};
    if (!dashdb_exec(db,
                     "INSERT INTO dash_sessions(session_hash, user_name, csrf_token, created_ms,"
                     " seen_ms, expires_ms) VALUES ($1, $2, $3, $4, $4, $5)"
                     " ON CONFLICT (session_hash) DO NOTHING",
                     v, 5, NULL, NULL, NULL, err, sizeof err)) {
        fprintf(stderr, "fuzz_request: session: %s\n", err);
        abort();
    }
}

static void seed_counts(struct dashdb *db)
{
    char sql[512];
    for (int h = 0; h < 24 * 40; h += 5) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                 " rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4)"
                 " VALUES ('%s', 'i1', %lld, '%s', %d, %d, %d, %d, 0, %d, 0, 0)",
                 h % 2 ? "k1" : "k2", NOW_MS - (long long)h * HOUR_MS, h % 2 ? "front" : "it",
                 h % 3, h % 4, h % 5 + 1, h % 7, h % 2);
        run(db, sql);
        snprintf(sql, sizeof sql,
                 "INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                 " question, reason, ended_by, misuse, n) VALUES ('k1', 'i1', %lld, 'front',"
                 " 'negative', 'slow, \"very\"', 'chosen', 0, %d)",
                 NOW_MS - (long long)h * HOUR_MS, h % 3 + 1);
        run(db, sql);
    }
}

static void seed(struct dashdb *db)
{
    run(db, "INSERT INTO dash_groups(group_id, name) VALUES ('g1', 'Group <one>')");
    run(db, "INSERT INTO dash_departments(department, name, group_id) VALUES ('front', 'Front & "
            "desk', 'g1')");
    run(db, "INSERT INTO dash_departments(department, name, group_id) VALUES ('it', 'IT', NULL)");
    run(db, "INSERT INTO dash_users VALUES ('ann', 'admin', 'x', 0, 0, 0)");
    run(db, "INSERT INTO dash_users VALUES ('hal', 'head', 'x', 0, 0, 0)");
    run(db, "INSERT INTO dash_users VALUES ('tom', 'technician', 'x', 0, 0, 0)");
    run(db, "INSERT INTO dash_user_scopes VALUES ('hal', 'group', 'g1')");
    run(db, "INSERT INTO " KIOSK_COLUMNS
            " VALUES ('k1', 'HQ', 'Door', 'front', 'Europe/Helsinki', '0.1',"
            " 'i1', 0, 1795690000000, 1795690000000, 0, '')");
    run(db,
        "INSERT INTO " KIOSK_COLUMNS " VALUES ('k2', 'HQ', '=Desk', 'it', 'UTC', '0.1', 'i1', 0, 0,"
        " NULL, 3, 'never')");
    run(db, "INSERT INTO dash_alerts(alert_id, source, kind, department, state, opened_ms, value,"
            " responses, baseline, detail) VALUES (1, 'slip', 'slip', 'front', 'open',"
            " 1795600000000, 0.4, 120, 0.2, 'negative share <b>up</b>')");
    run(db, "INSERT INTO dash_alert_comments VALUES (1, 1, 'ann', 1795650000000, 'looking')");
    add_session(db, "ann", sessions[0], csrfs[0]);
    add_session(db, "hal", sessions[1], csrfs[1]);
    add_session(db, "tom", sessions[2], csrfs[2]);
    char hash[AUTH_HASH_HEX_LEN + 1];
    auth_token_hash(API_TOKEN, hash);
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO dash_api_tokens VALUES ('%s', 'ann', 'fuzz', 0, NULL)",
             hash);
    run(db, sql);
    seed_counts(db);
    char err[512];
    struct rollup_stats stats;
    if (!rollup_refresh(db, NOW_MS, &stats, err, sizeof err)) {
        fprintf(stderr, "fuzz_request: rollup: %s\n", err);
        abort();
    }
}

static bool read_int(void *ctx, int ncols, const char *const *values)
{
    if (ncols == 1 && values[0])
        *(long long *)ctx = strtoll(values[0], NULL, 10);
    return true;
}

/* The rows written so far on the pool's one connection (the router's), so
 * that only a POST that wrote something pays for a reset. */
static long long written_on(struct dashdb *db)
{
    char err[512];
    long long n = -1;
    if (!dashdb_exec(db, "SELECT total_changes()", NULL, 0, read_int, &n, NULL, err, sizeof err))
        abort();
    return n;
}

static long long written(void)
{
    char err[512];
    struct dashdb *db = dashdb_pool_take(world.pool, err, sizeof err);
    if (!db)
        abort();
    long long n = written_on(db);
    dashdb_pool_give(world.pool, db);
    return n;
}

/* Undoes what a POST may have done (a logout, an acknowledgement, a
 * comment), so every input meets the same world: one transaction. */
static void reset(void)
{
    char err[512];
    struct dashdb *db = dashdb_pool_take(world.pool, err, sizeof err);
    if (!db)
        abort();
    run(db, "BEGIN");
    for (int i = 0; i < 3; i++)
        add_session(db, i == 0 ? "ann" : i == 1 ? "hal" : "tom", sessions[i], csrfs[i]);
    run(db, "DELETE FROM dash_alert_comments WHERE seq > 1");
    run(db, "UPDATE dash_alerts SET state = 'open', acked_by = NULL, acked_ms = NULL");
    run(db, "COMMIT");
    world.written = written_on(db);
    dashdb_pool_give(world.pool, db);
}

static void remove_world(void)
{
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        char p[400];
        snprintf(p, sizeof p, "%s%s", world.path, suffixes[i]);
        unlink(p);
    }
    rmdir(world.dir);
}

/* Where the world lives: $TMPDIR if set, else /dev/shm where it exists, so
 * that SQLite's journal and fsyncs cost no disk I/O (on a disk they were
 * most of an execution's time), else /tmp. */
static const char *world_parent(void)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp)
        return tmp;
    return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

static void init(void)
{
    /* before SQLite starts: no memory statistics (a mutex around every
     * allocation) and more lookaside slots per connection, so SQLite's own
     * small allocations skip the sanitizer's allocator; what the dashboard's
     * code allocates is still checked */
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK ||
        sqlite3_config(SQLITE_CONFIG_LOOKASIDE, 1200, 1000) != SQLITE_OK)
        abort();
    snprintf(world.dir, sizeof world.dir, "%s/fuzz-request-XXXXXX", world_parent());
    if (!mkdtemp(world.dir))
        abort();
    snprintf(world.path, sizeof world.path, "%s/shared.db", world.dir);
    atexit(remove_world);
    sqlite3 *sq = NULL;
    struct migrate_report report;
    /* WAL, as wowdash's own database is made (provision.c) */
    if (sqlite3_open(world.path, &sq) != SQLITE_OK ||
        sqlite3_exec(sq, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
        migrate_sqlite(sq, SCHEMA_VERSION, &report))
        abort();
    sqlite3_close(sq);
    char err[512];
    struct dashdb *db = dashdb_open(world.path, err, sizeof err);
    if (!db)
        abort();
    seed(db);
    dashdb_close(db);
    if (!trust_parse_proxies(&world.trust, "127.0.0.1", err, sizeof err) ||
        !trust_parse_hosts(&world.trust, "dash.example", err, sizeof err))
        abort();
    serve_langs_load(WOW_SOURCE_DIR "/assets/dash", &world.langs);
    world.pool = dashdb_pool_create(world.path, 1);
    world.auth = auth_create();
    if (!world.pool || !world.auth)
        abort();
    world.router = (struct router){.pool = world.pool,
                                   .auth = world.auth,
                                   .css = "body{}",
                                   .css_len = 6,
                                   .clock = {.now = fixed_now},
                                   .zone_name = "UTC",
                                   .silent_after_ms = 15 * 60 * 1000,
                                   .secure_cookies = true,
                                   .trust = &world.trust,
                                   .langs = &world.langs.langs};
    /* three failed logins from the fuzzer's address: throttled from now on */
    for (int i = 0; i < 3; i++) {
        struct http_request req;
        struct reply reply;
        http_request_init(&req, "POST", "fuzz");
        http_parse_target(&req, "/login");
        http_parse_form(&req, NULL, "user=ann&password=wrong", 23);
        router_handle(&world.router, &req, &reply);
        http_reply_free(&reply);
        http_request_free(&req);
    }
    world.written = written();
    world.ready = true;
    check_world();
}

/* Each session and the token reach what they may: a fixture that no longer
 * logs anyone in (a renamed cookie, a changed seed) would leave every page
 * behind the login unreached while the fuzzer still ran green. */
static void check_world(void)
{
    static const struct {
        unsigned flags;
        const char *request;
        unsigned status;
    } checks[] = {
        {1, "GET\n/overview\n", 200},
        {2, "GET\n/department/front\n", 200},
        {3, "GET\n/fleet\n", 200},
        {3, "GET\n/overview\n", 403},
        {8, "GET\n/api/v1/counts\n", 200},
        {0, "GET\n/overview\n", 303},
        {5, "POST\n/alerts/1/comment\n\nbody=ok", 303},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        char *text = strdup(checks[i].request);
        if (!text)
            abort();
        fuzz_one(checks[i].flags, text, strlen(text));
        free(text);
        if (last_status != checks[i].status) {
            fprintf(stderr, "fuzz_request: world check %zu: %s: status %u, expected %u\n", i,
                    checks[i].request, last_status, checks[i].status);
            abort();
        }
    }
}

/* The next line of *text (up to '\n' or the end), NUL-terminated in place. */
static char *next_line(char **text)
{
    char *line = *text;
    char *nl = line ? strchr(line, '\n') : NULL;
    if (nl)
        *nl = '\0';
    *text = nl ? nl + 1 : NULL;
    return line;
}

/* Header lines "Name: value" up to an empty line (or the end), as serve.c
 * reads them; names it does not read are skipped. */
static void read_headers(struct http_request *req, char **rest)
{
    const char *forwarded = NULL;
    while (*rest) {
        char *line = next_line(rest);
        if (!*line)
            break;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *value = colon + 1 + strspn(colon + 1, " \t");
        char **slot = !strcasecmp(line, "Content-Type")      ? &req->content_type
                      : !strcasecmp(line, "Origin")          ? &req->origin
                      : !strcasecmp(line, "Host")            ? &req->host
                      : !strcasecmp(line, "Accept-Language") ? &req->accept_language
                      : !strcasecmp(line, "Authorization")   ? &req->authorization
                                                             : NULL;
        if (slot)
            http_set_header(slot, value);
        else if (!strcasecmp(line, "X-Forwarded-For"))
            forwarded = value;
    }
    char client[64];
    trust_client(&world.trust, "127.0.0.1", forwarded, client, sizeof client);
    if (!client[0])
        abort(); /* no address at all for the throttle */
}

static void check_reply(const struct reply *reply)
{
    size_t len;
    const char *body = http_reply_body(reply, &len);
    if (reply->status < 200 || reply->status > 599)
        abort();
    bool text = reply->type && (!strncmp(reply->type, "text/", 5) ||
                                !strncmp(reply->type, "application/json", 16));
    if (text && !utf8_valid(body, len))
        abort(); /* a page, CSV or JSON answer that is not UTF-8 */
    const char *location = http_reply_get(reply, "Location");
    if (location && !http_local_path(location))
        abort(); /* an open redirect */
}

static void fuzz_one(unsigned flags, char *text, size_t n)
{
    char *rest = text;
    char *method = next_line(&rest), *target = next_line(&rest), *cookie = next_line(&rest);
    struct http_request req;
    http_request_init(&req, method, "fuzz");
    http_set_header(&req.host, "dash.example");
    if (flags & 8)
        http_set_header(&req.authorization, "Bearer " API_TOKEN);
    if (flags & 16)
        read_headers(&req, &rest);
    const char *body = rest ? rest : "";
    size_t body_len = rest ? n - (size_t)(rest - text) : 0;
    int who = (int)(flags & 3);
    struct strbuf cookies = {0}, form = {0};
    if (who) {
        /* the name the router reads (with secure cookies, the __Host- one) */
        strbuf_puts(&cookies,
                    world.router.secure_cookies ? AUTH_COOKIE_SECURE "=" : AUTH_COOKIE "=");
        strbuf_puts(&cookies, sessions[who - 1]);
        strbuf_puts(&cookies, "; ");
    }
    strbuf_puts(&cookies, cookie ? cookie : "");
    strbuf_append(&form, body, body_len);
    if (who && (flags & 4)) {
        strbuf_puts(&form, "&csrf=");
        strbuf_puts(&form, csrfs[who - 1]);
    }
    struct reply reply;
    http_parse_target(&req, target ? target : "/");
    http_parse_cookies(&req, cookies.data);
    if (req.method == HTTP_POST && !req.error)
        http_parse_form(&req, req.content_type, form.data ? form.data : "", form.len);
    router_handle(&world.router, &req, &reply);
    if (getenv("FUZZ_REQUEST_VERBOSE")) { /* what each corpus file reached */
        size_t len;
        const char *location = http_reply_get(&reply, "Location");
        const char *page = http_reply_body(&reply, &len);
        fprintf(stderr, "%s %.80s -> %u, %zu bytes%s%s\n", req.method_text,
                req.target ? req.target : "(none)", reply.status, len, location ? ", to " : "",
                location ? location : "");
        if (getenv("FUZZ_REQUEST_VERBOSE")[0] == '2') /* and its body */
            fprintf(stderr, "%.*s\n", (int)len, page);
    }
    check_reply(&reply);
    last_status = reply.status;
    if (req.method == HTTP_POST && written() != world.written)
        reset();
    http_reply_free(&reply);
    http_request_free(&req);
    strbuf_free(&cookies);
    strbuf_free(&form);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!world.ready)
        init();
    if (size == 0)
        return 0;
    char *text = fuzz_strndup(data + 1, size - 1);
    if (!text)
        return 0;
    fuzz_one(data[0], text, size - 1);
    free(text);
    return 0;
}
