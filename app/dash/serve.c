/*
 * serve: the dashboard's web server (see serve.h); the one file that
 * includes libmicrohttpd and the socket headers.
 *
 * Threads: libmicrohttpd's own, a pool of SERVE_THREADS polling threads
 * that each run the handlers of their connections; main() only waits in
 * sigwait() for SIGTERM or SIGINT (blocked in every thread, so no handler
 * and no polling), then stops the daemon, which finishes what is in flight.
 * Database: one mutex-guarded pool of SERVE_THREADS connections
 * (dashdb.h), so each polling thread finds one free.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "dashdb.h"
#include "file.h"
#include "fleet.h"
#include "log.h"
#include "notify.h"
#include "strbuf.h"
#include "sync_backend.h"

#ifndef WOW_ASSETS_DIR
#define WOW_ASSETS_DIR "/usr/share/wowkiosk"
#endif

#define SERVE_THREADS          4  /* polling threads, and database connections */
#define SERVE_CONNECTION_LIMIT 64 /* open HTTP connections at once */
#define SERVE_TIMEOUT_S        10 /* an idle or slow connection is closed after this */

/* Every response says this; there is no script, inline style or frame. */
#define SERVE_CSP "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

/* What the handlers share; read-only once the daemon runs, but for the
 * pool, which locks itself. */
struct server {
    struct dashdb_pool *pool;
    char *css; /* owned: the stylesheet, read once at start */
    size_t css_len;
    int64_t silent_after_ms;
    struct clock clock;
    int64_t clock_offset; /* storage clock_system needs */
};

/* One response, before libmicrohttpd has it. */
struct reply {
    unsigned status;
    const char *type; /* Content-Type, with charset */
    char *body;       /* owned by the reply when owned, else static or the server's */
    size_t len;
    bool owned;
    const char *cache;    /* Cache-Control */
    const char *location; /* a redirect's target, or NULL */
};

/* ---- --listen ---------------------------------------------------------- */

struct listen_addr {
    struct sockaddr_storage addr; /* sockaddr_in or sockaddr_in6 */
    bool v6;
    char host[64]; /* as given, "localhost" as 127.0.0.1 */
    long port;
};

static int parse_listen(const char *text, struct listen_addr *out)
{
    const char *colon = text[0] == '[' ? strstr(text, "]:") : strrchr(text, ':');
    if (!colon)
        return -1;
    size_t n = text[0] == '[' ? (size_t)(colon - text - 1) : (size_t)(colon - text);
    const char *host = text[0] == '[' ? text + 1 : text;
    const char *port = text[0] == '[' ? colon + 2 : colon + 1;
    if (n == 0 || n >= sizeof out->host)
        return -1;
    memcpy(out->host, host, n);
    out->host[n] = '\0';
    if (!strcmp(out->host, "localhost"))
        snprintf(out->host, sizeof out->host, "127.0.0.1");
    char *end;
    errno = 0;
    out->port = strtol(port, &end, 10);
    if (errno || end == port || *end || out->port < 0 || out->port > 65535)
        return -1;
    memset(&out->addr, 0, sizeof out->addr);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->addr;
    if (text[0] != '[' && inet_pton(AF_INET, out->host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)out->port);
        out->v6 = false;
        return (ntohl(v4->sin_addr.s_addr) >> 24) == 127 ? 0 : -2;
    }
    if (text[0] == '[' && inet_pton(AF_INET6, out->host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)out->port);
        out->v6 = true;
        return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr) ? 0 : -2;
    }
    return -1;
}

static int check_listen(const char *listen, struct listen_addr *addr, char *err, size_t size)
{
    int rc = parse_listen(listen, addr);
    if (rc == -1)
        snprintf(err, size,
                 "--listen: expected ADDR:PORT with a numeric address, as 127.0.0.1:8080 or "
                 "[::1]:8080, got '%s'",
                 listen);
    else if (rc == -2)
        snprintf(err, size,
                 "--listen %s: not a loopback address. Until the dashboard has users and "
                 "sessions it listens only on 127.0.0.0/8 or [::1], so that nobody else on the "
                 "network can read the fleet; reach it over SSH instead: "
                 "ssh -L %ld:127.0.0.1:%ld HOST, then open http://localhost:%ld/",
                 listen, addr->port, addr->port, addr->port);
    return rc;
}

int serve_check_listen(const char *listen, char *err, size_t size)
{
    struct listen_addr addr;
    return check_listen(listen, &addr, err, size);
}

bool serve_parse_duration(const char *text, int64_t *ms)
{
    char *end;
    errno = 0;
    long long n = strtoll(text, &end, 10);
    int64_t unit = !strcmp(end, "") || !strcmp(end, "s") ? 1000
                   : !strcmp(end, "m")                   ? 60 * 1000
                   : !strcmp(end, "h")                   ? 3600 * 1000
                   : !strcmp(end, "d")                   ? 86400 * 1000
                                                         : 0;
    /* at most a year: more is a typo, and the product stays in range */
    if (errno || end == text || unit == 0 || n <= 0 || n > 366LL * 86400 * 1000 / unit)
        return false;
    *ms = (int64_t)n * unit;
    return true;
}

/* ---- the stylesheet ---------------------------------------------------- */

static bool has_stylesheet(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/dash.css", dir);
    return access(path, R_OK) == 0;
}

void serve_find_assets(const char *option, char *dir, size_t size)
{
    if (option) {
        snprintf(dir, size, "%s", option);
        return;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 ? (exe[n] = '\0', strrchr(exe, '/')) : NULL;
    if (slash) {
        *slash = '\0';
        snprintf(dir, size, "%s/../share/wowkiosk/dash", exe);
        if (has_stylesheet(dir))
            return;
    }
    snprintf(dir, size, "%s/dash", WOW_ASSETS_DIR);
}

/* ---- replies ----------------------------------------------------------- */

static void reply_static(struct reply *r, unsigned status, const char *text)
{
    *r = (struct reply){.status = status,
                        .type = "text/plain; charset=utf-8",
                        .body = (char *)text,
                        .len = strlen(text),
                        .cache = "no-store"};
}

/* Hands the buffer's memory to the reply (500 when it ran out of memory). */
static void reply_take(struct reply *r, unsigned status, const char *type, struct strbuf *sb)
{
    if (sb->failed || !sb->data) {
        strbuf_free(sb);
        reply_static(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
        return;
    }
    *r = (struct reply){.status = status,
                        .type = type,
                        .body = sb->data,
                        .len = sb->len,
                        .owned = true,
                        .cache = "no-store"};
    *sb = (struct strbuf){0};
}

static void route_healthz(struct server *s, struct reply *r)
{
    char err[512];
    struct dashdb *db = dashdb_pool_take(s->pool, err, sizeof err);
    bool ok = db && dashdb_ping(db, err, sizeof err);
    if (db)
        dashdb_pool_give(s->pool, db);
    if (ok) {
        reply_static(r, MHD_HTTP_OK, "ok\n");
        return;
    }
    log_warn("healthz: %s", err);
    struct strbuf sb = {0};
    strbuf_puts(&sb, "database: ");
    strbuf_puts(&sb, err);
    strbuf_puts(&sb, "\n");
    reply_take(r, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", &sb);
}

static void route_fleet(struct server *s, struct reply *r)
{
    char err[512];
    struct fleet fleet = {0};
    struct strbuf page = {0};
    struct dashdb *db = dashdb_pool_take(s->pool, err, sizeof err);
    bool ok = db && dashdb_read_fleet(db, &fleet, err, sizeof err);
    if (db)
        dashdb_pool_give(s->pool, db);
    unsigned status = MHD_HTTP_OK;
    if (ok) {
        fleet_render(&fleet, clock_read(&s->clock).utc_ms, s->silent_after_ms, &page);
    } else {
        log_warn("fleet: %s", err);
        fleet_render_error(err, &page);
        status = MHD_HTTP_SERVICE_UNAVAILABLE;
    }
    fleet_free(&fleet);
    reply_take(r, status, "text/html; charset=utf-8", &page);
}

static void route(struct server *s, const char *method, const char *url, struct reply *r)
{
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        reply_static(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET or HEAD only\n");
    } else if (!strcmp(url, "/healthz")) {
        route_healthz(s, r);
    } else if (!strcmp(url, "/fleet")) {
        route_fleet(s, r);
    } else if (!strcmp(url, "/assets/dash.css")) {
        *r = (struct reply){.status = MHD_HTTP_OK,
                            .type = "text/css; charset=utf-8",
                            .body = s->css,
                            .len = s->css_len,
                            .cache = "max-age=300"};
    } else if (!strcmp(url, "/")) {
        reply_static(r, MHD_HTTP_FOUND, "see /fleet\n");
        r->location = "/fleet";
    } else {
        reply_static(r, MHD_HTTP_NOT_FOUND, "not found\n");
    }
}

/* The reply as libmicrohttpd's response, with the headers every response
 * carries; NULL when out of memory (an owned body is then freed). */
static struct MHD_Response *make_response(struct reply *r)
{
    struct MHD_Response *res = MHD_create_response_from_buffer(
        r->len, r->body, r->owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!res) {
        if (r->owned)
            free(r->body);
        return NULL;
    }
    bool ok = MHD_add_response_header(res, "Content-Type", r->type) == MHD_YES &&
              MHD_add_response_header(res, "X-Content-Type-Options", "nosniff") == MHD_YES &&
              MHD_add_response_header(res, "Content-Security-Policy", SERVE_CSP) == MHD_YES &&
              MHD_add_response_header(res, "Referrer-Policy", "no-referrer") == MHD_YES &&
              MHD_add_response_header(res, "Cache-Control", r->cache) == MHD_YES &&
              (!r->location || MHD_add_response_header(res, "Location", r->location) == MHD_YES) &&
              (r->status != MHD_HTTP_METHOD_NOT_ALLOWED ||
               MHD_add_response_header(res, "Allow", "GET, HEAD") == MHD_YES);
    if (!ok) {
        MHD_destroy_response(res);
        return NULL;
    }
    return res;
}

/* The path as it may go into a log line: at most 200 bytes, no control
 * characters (a decoded %0A must not start a fake line). */
static void loggable_path(const char *url, char *buf, size_t size)
{
    snprintf(buf, size, "%s", url);
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static double elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1e3 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* libmicrohttpd's access handler: called when the headers are in, then
 * for each piece of a body, then once more at the end, where GET and HEAD
 * are answered; logs one line per request. */
static enum MHD_Result handle_request(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    static int seen; /* its address marks a request whose headers were seen; never written */
    struct server *s = cls;
    bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");
    if (*con_cls == NULL) {
        *con_cls = &seen;
        if (get)
            return MHD_YES; /* answer once the request is complete: keeps the connection */
        /* else 405 at once, without reading a body; the connection closes */
    } else if (*upload_data_size != 0) {
        *upload_data_size = 0; /* a GET's body means nothing here */
        return MHD_YES;
    }
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    struct reply r;
    route(s, method, url, &r);
    struct MHD_Response *res = make_response(&r);
    enum MHD_Result rc = res ? MHD_queue_response(connection, r.status, res) : MHD_NO;
    if (res)
        MHD_destroy_response(res);
    char path[201];
    loggable_path(url, path, sizeof path);
    log_info("%.16s %s %u %.1f ms", method, path, res ? r.status : 500u, elapsed_ms(&start));
    return rc;
}

static void handle_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    log_warn("libmicrohttpd: %s", line);
}

/* ---- run --------------------------------------------------------------- */

static struct MHD_Daemon *start_daemon(struct server *s, struct listen_addr *addr)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG |
                     (addr->v6 ? MHD_USE_IPv6 : 0);
    return MHD_start_daemon(flags, (uint16_t)addr->port, NULL, NULL, handle_request, s,
                            MHD_OPTION_EXTERNAL_LOGGER, handle_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
                            (struct sockaddr *)&addr->addr, MHD_OPTION_THREAD_POOL_SIZE,
                            (unsigned)SERVE_THREADS, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)SERVE_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
                            (unsigned)SERVE_TIMEOUT_S, MHD_OPTION_END);
}

static bool load_stylesheet(struct server *s, const char *assets_option)
{
    char dir[4096], path[4200];
    int err;
    serve_find_assets(assets_option, dir, sizeof dir);
    snprintf(path, sizeof path, "%s/dash.css", dir);
    s->css = file_read_text(path, &err);
    if (!s->css) {
        log_error("cannot read the stylesheet %s: %s (--assets DIR says where dash.css is)", path,
                  strerror(err));
        return false;
    }
    s->css_len = strlen(s->css);
    return true;
}

/* Waits for SIGTERM or SIGINT, blocked in every thread since before the
 * daemon started. */
static void wait_for_stop(const sigset_t *stop)
{
    int sig = 0;
    while (sigwait(stop, &sig) != 0)
        ;
    log_info("%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
}

/* Says at start whether the database answers; the server starts either
 * way (a database that is down at boot may come up later). */
static void check_database(struct dashdb_pool *pool)
{
    char err[512];
    struct dashdb *db = dashdb_pool_take(pool, err, sizeof err);
    bool ok = db && dashdb_ping(db, err, sizeof err);
    if (db)
        dashdb_pool_give(pool, db);
    if (!ok)
        log_warn("the database does not answer (/healthz says 503 until it does): %s", err);
}

int serve_run(const struct serve_options *o)
{
    struct listen_addr addr;
    char err[512];
    if (check_listen(o->listen, &addr, err, sizeof err) != 0) {
        fprintf(stderr, "wowdash: serve: %s\n", err);
        return 2;
    }
    /* blocked from here on, in this thread and every one started later:
     * a stop that comes while the database is tried waits for sigwait() */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    struct server s = {.silent_after_ms = o->silent_after_ms};
    s.clock = clock_system(&s.clock_offset, 0);
    if (!load_stylesheet(&s, o->assets_dir))
        return 1;
    s.pool = dashdb_pool_create(o->db, SERVE_THREADS);
    if (s.pool)
        check_database(s.pool);
    struct MHD_Daemon *daemon = s.pool ? start_daemon(&s, &addr) : NULL;
    if (!daemon) {
        log_error("cannot listen on %s (see above)", o->listen);
        dashdb_pool_destroy(s.pool);
        free(s.css);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    char status[128];
    snprintf(status, sizeof status,
             addr.v6 ? "listening on http://[%s]:%u/" : "listening on http://%s:%u/", addr.host,
             info ? (unsigned)info->port : (unsigned)addr.port);
    log_info("%s, database: %s", status, sync_target_is_postgres(o->db) ? "PostgreSQL" : o->db);
    notify_ready(status);
    wait_for_stop(&stop);
    notify_stopping();
    MHD_stop_daemon(daemon);
    dashdb_pool_destroy(s.pool);
    free(s.css);
    log_info("stopped");
    return 0;
}
