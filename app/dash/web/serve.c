/*
 * serve: the dashboard's web server (see serve.h); the one file that
 * includes libmicrohttpd and the socket headers.
 *
 * Threads: libmicrohttpd's own, a pool of SERVE_THREADS polling threads
 * that each run the handlers of their connections (router_handle); the
 * refresh thread (refresher.h: rollups, then alerts, and listening for new
 * counts in between), whose tick also lets go of the long-polls of
 * /api/v1/live that wait for a new generation; main() only waits in sigwait()
 * for SIGTERM or SIGINT (blocked in every thread, so no handler and no
 * polling), then stops the refresh thread and the daemon, which finishes
 * what is in flight.
 * Database: one mutex-guarded pool of SERVE_THREADS connections
 * (dashdb.h), so each polling thread finds one free; the refresh thread
 * has its own connections (dashdb_open).
 *
 * A request's life in libmicrohttpd: the URI log callback sees the raw
 * target first and allocates the request's state (struct exchange); the
 * access handler is called when the headers are in, then once per piece
 * of a body (kept up to HTTP_BODY_MAX + 1 bytes, the rest dropped), then
 * once more, where the request is parsed and routed; the completion
 * callback frees the state.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "auth.h"
#include "bundles.h"
#include "clock.h"
#include "conn_guard.h"
#include "dashdb.h"
#include "file.h"
#include "http.h"
#include "lane.h"
#include "log.h"
#include "moderation.h"
#include "notify.h"
#include "phone_limits.h"
#include "refresher.h"
#include "router.h"
#include "serve_langs.h"
#include "serve_moderation.h"
#include "strbuf.h"
#include "sync_backend.h"
#include "trust.h"
#include "tz.h"

#ifndef WOW_ASSETS_DIR
#define WOW_ASSETS_DIR "/usr/share/wowkiosk"
#endif

#define SERVE_THREADS          4     /* polling threads */
#define SERVE_CONNECTION_LIMIT 512   /* open HTTP connections at once (conn_guard.h: per address) */
#define SERVE_TIMEOUT_S        10    /* an idle connection is closed after this */
#define SERVE_REQUEST_MS       10000 /* a whole request (header and body) must arrive within */

/* Every response says this; no inline script or style, no frame, no
 * plugin; scripts only from here and only on the pages that load one. */
#define SERVE_CSP_BASE                                                                             \
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; "            \
    "object-src 'none'; "
#define SERVE_CSP         SERVE_CSP_BASE "script-src 'none'"
#define SERVE_CSP_SCRIPTS SERVE_CSP_BASE "script-src 'self'"

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
                 "--listen %s: not a loopback address: passwords and session cookies cross the "
                 "network in clear unless a TLS proxy is in front (then add --secure-cookies); "
                 "or keep to loopback and use ssh -L %ld:127.0.0.1:%ld HOST",
                 listen, addr->port, addr->port);
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

/* ---- the time zone ----------------------------------------------------- */

bool serve_system_zone(char *name, size_t size)
{
    char link[4096];
    ssize_t n = readlink("/etc/localtime", link, sizeof link - 1);
    const char *zone = NULL;
    if (n > 0) {
        link[n] = '\0';
        zone = strstr(link, "zoneinfo/");
        zone = zone ? zone + strlen("zoneinfo/") : NULL;
    }
    int err;
    char *text = zone ? NULL : file_read_text("/etc/timezone", &err);
    if (text) {
        text[strcspn(text, " \t\r\n")] = '\0';
        zone = text;
    }
    bool ok = zone && zone[0];
    if (ok)
        snprintf(name, size, "%s", zone);
    free(text);
    return ok;
}

/* The zone "today" is counted in: --timezone, else the machine's, else
 * UTC; said in the log.  false (on stderr) when --timezone does not load. */
static bool load_zone(const char *option, struct tz **zone, char *name, size_t size)
{
    char err[256];
    const char *from = "--timezone";
    if (option)
        snprintf(name, size, "%s", option);
    else if (serve_system_zone(name, size))
        from = "/etc/localtime";
    else
        snprintf(name, size, "UTC"), from = "the default";
    *zone = tz_load(name, NULL, err, sizeof err);
    if (!*zone && option) {
        fprintf(stderr, "wowdash: serve: --timezone %s: %s\n", option, err);
        return false;
    }
    if (!*zone) {
        log_warn("time zone %s (%s) does not load (%s); days are counted in UTC", name, from, err);
        snprintf(name, size, "UTC");
        from = "the fallback";
    }
    log_info("time zone: %s (from %s)", name, from);
    return true;
}

/* ---- the pages' live update: /api/v1/live long-polls --------------------
 *
 * A page asks /api/v1/live?since=G.  When G is still the refresher's
 * generation, the router's answer is held back: the connection is
 * suspended (it costs no thread) until the generation moves or
 * SERVE_LIVE_WAIT_MS pass, then the router answers again.  At most
 * SERVE_LIVE_MAX such connections wait at once, SERVE_LIVE_PER_CLIENT per
 * client address; more are answered at once (the page then waits before
 * asking again), so a flood cannot take the connections pages need. */

#define SERVE_LIVE_MAX        24
#define SERVE_LIVE_PER_CLIENT 4
#define SERVE_LIVE_WAIT_MS    25000

struct live_waiter {
    struct MHD_Connection *connection;
    char client[64];
    uint64_t since;
    int64_t until_ms; /* mono */
};

struct live {
    pthread_mutex_t mu; /* guards the three below */
    struct live_waiter waiting[SERVE_LIVE_MAX];
    int n;
    bool stopping; /* serve_stop began: no connection is suspended any more */
};

/* Suspends connection until the generation moves from since; false when
 * the limits say no. */
static bool live_park(struct live *l, struct MHD_Connection *connection, const char *client,
                      uint64_t since)
{
    pthread_mutex_lock(&l->mu);
    int same = 0;
    for (int i = 0; i < l->n; i++)
        same += !strcmp(l->waiting[i].client, client);
    bool ok = !l->stopping && l->n < SERVE_LIVE_MAX && same < SERVE_LIVE_PER_CLIENT;
    if (ok) {
        struct live_waiter *w = &l->waiting[l->n++];
        *w = (struct live_waiter){.connection = connection,
                                  .since = since,
                                  .until_ms = clock_real().mono_ms + SERVE_LIVE_WAIT_MS};
        snprintf(w->client, sizeof w->client, "%s", client);
        MHD_suspend_connection(connection);
    }
    pthread_mutex_unlock(&l->mu);
    return ok;
}

/* The refresher's tick: lets go of the waiters whose answer is due (all
 * of them when generation is 0: stopping). */
static void live_tick(void *ctx, uint64_t generation)
{
    struct live *l = ctx;
    int64_t now = clock_real().mono_ms;
    pthread_mutex_lock(&l->mu);
    for (int i = 0; i < l->n;) {
        struct live_waiter *w = &l->waiting[i];
        if (generation != 0 && w->since == generation && now < w->until_ms) {
            i++;
            continue;
        }
        MHD_resume_connection(w->connection);
        *w = l->waiting[--l->n];
    }
    pthread_mutex_unlock(&l->mu);
}

/* Everything serve_run starts, torn down in reverse by serve_stop. */
struct server {
    struct router router;
    struct dashdb_pool *pool;
    struct auth *auth;
    struct phone_limits *phone_limits;   /* the comment form's rate limits */
    struct moderation_lists *moderation; /* the comments' profanity lists */
    char *css;
    struct tz *zone;
    char zone_name[128];
    int64_t clock_offset; /* storage clock_system needs */
    struct live live;
    bool live_made;
    struct refresher *refresher;
    struct trust trust;       /* filled at start, then read-only */
    struct conn_guard *guard; /* per-address limit, request deadlines */
    struct lane *lane;        /* logins, off the polling threads */
    struct serve_langs langs; /* the pages' languages, read at start */
    int bundles_fd;           /* --bundles' directory (bundles.h); -1: none */
    struct MHD_Daemon *daemon;
};

/* ---- requests ---------------------------------------------------------- */

/* A request answered on the lane (lane.h): where it stands. */
enum exchange_lane { EXCHANGE_HERE, EXCHANGE_QUEUED, EXCHANGE_ANSWERED };

/* One request's state, from the URI log callback to completion. */
struct exchange {
    char *target;        /* owned: the raw request target */
    bool started;        /* the access handler has seen the headers */
    bool waited;         /* a long-poll was held back once already */
    struct strbuf body;  /* a POST's body, at most HTTP_BODY_MAX + 1 bytes */
    bool body_too_large; /* more came than that (413) */
    bool bad_framing;    /* both Content-Length and Transfer-Encoding (400) */
    /* on the lane: the parsed request and, once answered, the reply (owned
     * from the push until handle_completed) */
    enum exchange_lane lane;
    struct server *server;
    struct MHD_Connection *connection;
    struct http_request req;
    struct reply reply;
    int64_t start_ms; /* mono, for the log line */
};

static void *handle_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
    struct exchange *x = calloc(1, sizeof *x);
    if (x && !(x->target = strndup(uri, HTTP_URL_MAX + 1))) {
        free(x);
        x = NULL;
    }
    return x; /* NULL: the access handler answers 500 */
}

static void handle_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                             enum MHD_RequestTerminationCode code)
{
    struct exchange *x = *con_cls;
    struct server *s = cls;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (info && info->socket_context)
        conn_guard_request_begins(s->guard, info->socket_context);
    if (!x)
        return;
    if (x->lane != EXCHANGE_HERE) {
        http_request_free(&x->req);
        if (x->lane == EXCHANGE_ANSWERED)
            http_reply_free(&x->reply);
    }
    free(x->target);
    strbuf_free(&x->body);
    free(x);
    *con_cls = NULL;
}

static void client_address(struct MHD_Connection *connection, char *out, size_t size)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    out[0] = '\0';
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

/* The request as http.h has it: false only when out of memory. */
static bool read_request(const struct server *s, struct MHD_Connection *connection,
                         const char *method, struct exchange *x, struct http_request *req)
{
    char peer[64], client[64];
    client_address(connection, peer, sizeof peer);
    trust_client(&s->trust, peer,
                 MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Forwarded-For"),
                 client, sizeof client);
    http_request_init(req, method, client);
    const char *ctype = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Type");
    const char *lang = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Accept-Language");
    bool ok = http_set_header(
                  &req->authorization,
                  MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization")) &&
              http_set_header(&req->content_type, ctype) &&
              http_set_header(&req->origin,
                              MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Origin")) &&
              http_set_header(&req->host,
                              MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Host")) &&
              http_set_header(&req->accept_language, lang);
    if (!ok)
        return false;
    http_parse_target(req, x->target);
    if (!http_parse_cookies(req,
                            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Cookie")))
        return false;
    if (x->bad_framing && !req->error) {
        req->error = 400;
        snprintf(req->error_text, sizeof req->error_text,
                 "Both Content-Length and Transfer-Encoding: the request's length is ambiguous.");
    } else if (req->method == HTTP_POST && !req->error) {
        if (x->body_too_large)
            http_parse_form(req, ctype, "", HTTP_BODY_MAX + 1); /* says 413 */
        else
            http_parse_form(req, ctype, x->body.data ? x->body.data : "", x->body.len);
    }
    return true;
}

/* The reply as libmicrohttpd's response, with the headers every response
 * carries; NULL when out of memory. */
static struct MHD_Response *make_response(struct reply *r)
{
    size_t len;
    const char *body = http_reply_body(r, &len);
    struct MHD_Response *res;
    if (r->borrowed) {
        res = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_PERSISTENT);
    } else {
        res = MHD_create_response_from_buffer(len, r->body.data, MHD_RESPMEM_MUST_FREE);
        if (res)
            r->body = (struct strbuf){0}; /* libmicrohttpd frees it */
    }
    if (!res)
        return NULL;
    bool ok = MHD_add_response_header(res, "Content-Type", r->type) == MHD_YES &&
              MHD_add_response_header(res, "X-Content-Type-Options", "nosniff") == MHD_YES &&
              MHD_add_response_header(res, "Content-Security-Policy",
                                      r->scripts ? SERVE_CSP_SCRIPTS : SERVE_CSP) == MHD_YES &&
              /* same-origin, not no-referrer: under no-referrer a browser sends
               * "Origin: null" with our own forms, which a POST must refuse */
              MHD_add_response_header(res, "Referrer-Policy", "same-origin") == MHD_YES &&
              MHD_add_response_header(res, "X-Frame-Options", "DENY") == MHD_YES &&
              MHD_add_response_header(res, "Cache-Control", r->cache) == MHD_YES;
    for (size_t i = 0; ok && i < r->n_headers; i++)
        ok = MHD_add_response_header(res, r->headers[i].name, r->headers[i].value) == MHD_YES;
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

/* The request's line in the log: method, path, status, time taken. */
static void log_request(const char *method, const char *url, unsigned status, int64_t start_ms)
{
    char path[201];
    loggable_path(url, path, sizeof path);
    log_info("%.16s %s %u %.1f ms", method, path, status,
             (double)(clock_real().mono_ms - start_ms));
}

/* Whether the router's 200 to an /api/v1/live request names the
 * generation the page already has: then the answer waits for a new one. */
static bool live_unchanged(const struct server *s, const struct http_request *req,
                           const struct reply *r)
{
    const char *since = http_param(req, "since");
    char *end;
    return r->status == 200 && !strncmp(req->path, "/api/v1/live", 12) && since &&
           strtoull(since, &end, 10) == refresher_generation(s->refresher) && *end == '\0' &&
           since[0] != '\0';
}

/* Queues the reply and logs the request's line. */
static enum MHD_Result respond(struct MHD_Connection *connection, const char *method,
                               const char *url, struct reply *r, int64_t start_ms)
{
    struct MHD_Response *res = make_response(r);
    enum MHD_Result rc = res ? MHD_queue_response(connection, r->status, res) : MHD_NO;
    if (res)
        MHD_destroy_response(res);
    log_request(method, url, res ? r->status : 500u, start_ms);
    return rc;
}

/* Whether the request waits for a password check: it is answered on the
 * lane, never on a polling thread. */
static bool wants_lane(const struct http_request *req)
{
    return req->method == HTTP_POST && !req->error && req->path && !strcmp(req->path, "/login");
}

/* A lane worker: answers the exchange's request, then lets its
 * connection go on (the access handler is called again and sends it). */
static void lane_answer(void *arg)
{
    struct exchange *x = arg;
    router_handle(&x->server->router, &x->req, &x->reply);
    x->lane = EXCHANGE_ANSWERED;
    MHD_resume_connection(x->connection);
}

/* Hands the request to the lane; false when the lane is full (the request
 * stays in req, the caller's to answer). */
static bool to_lane(struct server *s, struct MHD_Connection *connection, struct exchange *x,
                    struct http_request *req, int64_t start_ms)
{
    x->req = *req;
    x->server = s;
    x->connection = connection;
    x->start_ms = start_ms;
    x->lane = EXCHANGE_QUEUED;
    MHD_suspend_connection(connection);
    if (lane_push(s->lane, lane_answer, x))
        return true;
    MHD_resume_connection(connection);
    x->lane = EXCHANGE_HERE;
    *req = x->req;
    return false;
}

static enum MHD_Result answer(struct server *s, struct MHD_Connection *connection,
                              const char *method, const char *url, struct exchange *x)
{
    if (x && x->lane == EXCHANGE_ANSWERED)
        return respond(connection, method, url, &x->reply, x->start_ms);
    if (x && x->lane == EXCHANGE_QUEUED)
        return MHD_YES; /* resumed before the worker finished: not yet */
    int64_t start_ms = clock_real().mono_ms;
    struct http_request req;
    struct reply r;
    if (x && read_request(s, connection, method, x, &req)) {
        if (wants_lane(&req)) {
            if (to_lane(s, connection, x, &req, start_ms))
                return MHD_YES;
            http_reply_init(&r);
            http_reply_text(&r, 503, "Too many logins at once: try again in a second.\n");
            http_reply_header(&r, "Retry-After", "1");
        } else {
            router_handle(&s->router, &req, &r);
        }
        if (!x->waited && live_unchanged(s, &req, &r) &&
            live_park(&s->live, connection, req.client, refresher_generation(s->refresher))) {
            x->waited = true; /* answered again once resumed */
            http_reply_free(&r);
            http_request_free(&req);
            return MHD_YES;
        }
    } else {
        http_request_init(&req, method, NULL);
        http_reply_init(&r);
        http_reply_text(&r, 500, "out of memory\n");
    }
    enum MHD_Result rc = respond(connection, method, url, &r, start_ms);
    http_reply_free(&r);
    http_request_free(&req);
    return rc;
}

/* The connection's watch (conn_guard.h), or NULL. */
static struct conn_watch *watch_of(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* A short text reply of a bundle request. */
static struct MHD_Response *bundle_text(const char *text)
{
    struct MHD_Response *res =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (res &&
        MHD_add_response_header(res, "Content-Type", "text/plain; charset=utf-8") != MHD_YES) {
        MHD_destroy_response(res);
        return NULL;
    }
    return res;
}

/* The file of a bundle request, from one byte range or whole; *status
 * and the headers as the range says.  NULL (fd closed) when it cannot be
 * made. */
static struct MHD_Response *bundle_file(struct MHD_Connection *connection, int fd, int64_t size,
                                        unsigned *status)
{
    int64_t from = 0, to = size - 1;
    const char *range = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Range");
    enum bundles_range r = bundles_parse_range(range, size, &from, &to);
    char content_range[96];
    if (r == BUNDLES_UNSATISFIABLE) {
        close(fd);
        *status = 416;
        snprintf(content_range, sizeof content_range, "bytes */%" PRId64, size);
        struct MHD_Response *res = bundle_text("The range starts past the end of the bundle.\n");
        if (res)
            MHD_add_response_header(res, "Content-Range", content_range);
        return res;
    }
    if (r == BUNDLES_WHOLE)
        from = 0, to = size - 1;
    uint64_t len = size > 0 ? (uint64_t)(to - from + 1) : 0;
    struct MHD_Response *res = MHD_create_response_from_fd_at_offset64(len, fd, (uint64_t)from);
    if (!res) {
        close(fd);
        return NULL;
    }
    *status = r == BUNDLES_PART ? 206 : 200;
    snprintf(content_range, sizeof content_range, "bytes %" PRId64 "-%" PRId64 "/%" PRId64, from,
             to, size);
    bool ok = MHD_add_response_header(res, "Content-Type", "application/octet-stream") == MHD_YES &&
              MHD_add_response_header(res, "Accept-Ranges", "bytes") == MHD_YES &&
              MHD_add_response_header(res, "X-Content-Type-Options", "nosniff") == MHD_YES &&
              MHD_add_response_header(res, "Cache-Control", "no-cache") == MHD_YES &&
              (r != BUNDLES_PART ||
               MHD_add_response_header(res, "Content-Range", content_range) == MHD_YES);
    if (!ok) {
        MHD_destroy_response(res); /* closes fd */
        return NULL;
    }
    return res;
}

/* GET or HEAD /updates/NAME.raucb with --bundles (bundles.h): the file,
 * to anyone, resumable.  False when the request is not one: the router
 * answers it. */
static bool serve_bundle(struct server *s, struct MHD_Connection *connection, const char *method,
                         const char *url, enum MHD_Result *rc)
{
    if (s->bundles_fd < 0 || strncmp(url, BUNDLES_PREFIX, strlen(BUNDLES_PREFIX)) != 0)
        return false;
    int64_t start_ms = clock_real().mono_ms;
    char name[BUNDLES_NAME_MAX];
    unsigned status = 404;
    struct MHD_Response *res = NULL;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        status = 405;
        res = bundle_text("A bundle is fetched with GET or HEAD.\n");
        if (res)
            MHD_add_response_header(res, "Allow", "GET, HEAD");
    } else if (!bundles_name(url, name, sizeof name)) {
        res = bundle_text("No such bundle.\n");
    } else {
        int fd = openat(s->bundles_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
            res = bundle_file(connection, fd, (int64_t)st.st_size, &status);
        } else {
            if (fd >= 0)
                close(fd);
            res = bundle_text("No such bundle.\n");
        }
    }
    *rc = res ? MHD_queue_response(connection, status, res) : MHD_NO;
    if (res)
        MHD_destroy_response(res);
    log_request(method, url, res ? status : 500u, start_ms);
    return true;
}

/* libmicrohttpd's access handler: called when the headers are in, then
 * for each piece of a body, then once more at the end, where the request
 * is answered; logs one line per request. */
static enum MHD_Result handle_request(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    struct server *s = cls;
    struct exchange *x = *con_cls;
    if (x && !x->started) {
        x->started = true;
        const char *length =
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length");
        const char *coding =
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Transfer-Encoding");
        x->bad_framing = length && coding; /* 400 at once: a smuggling attempt, or a bad client */
        if (!x->bad_framing && (!length || strtoll(length, NULL, 10) <= HTTP_BODY_MAX))
            return MHD_YES; /* answer once the request is complete: keeps the connection */
        x->body_too_large = !x->bad_framing; /* 413 at once, without reading the body */
    } else if (x && *upload_data_size != 0) {
        size_t room = HTTP_BODY_MAX + 1 - x->body.len;
        size_t take = *upload_data_size < room ? *upload_data_size : room;
        if (!strcmp(method, "POST"))
            strbuf_append(&x->body, upload_data, take);
        x->body_too_large |= take < *upload_data_size || x->body.len > HTTP_BODY_MAX;
        *upload_data_size = 0;
        return MHD_YES;
    }
    conn_guard_request_in(s->guard, watch_of(connection));
    enum MHD_Result rc;
    if (serve_bundle(s, connection, method, url, &rc))
        return rc;
    return answer(s, connection, method, url, x);
}

/* libmicrohttpd's accept policy: the per-address limit (conn_guard.h). */
static enum MHD_Result handle_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    struct server *s = cls;
    char text[64] = "";
    if (addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)addr)->sin_addr, text, sizeof text);
    else if (addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)addr)->sin6_addr, text, sizeof text);
    return conn_guard_admit(s->guard, text) ? MHD_YES : MHD_NO;
}

/* A connection opens or ends: the guard follows it. */
static void handle_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    struct server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        char addr[64];
        client_address(connection, addr, sizeof addr);
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? conn_guard_open(s->guard, info->connect_fd, addr) : NULL;
    } else {
        conn_guard_close(s->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* libmicrohttpd's messages, as warnings (fmt is libmicrohttpd's). */
static void handle_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

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
                     MHD_ALLOW_SUSPEND_RESUME | (addr->v6 ? MHD_USE_IPv6 : 0);
    return MHD_start_daemon(
        flags, (uint16_t)addr->port, handle_accept, s, handle_request, s,
        MHD_OPTION_EXTERNAL_LOGGER, handle_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr->addr, MHD_OPTION_URI_LOG_CALLBACK, handle_uri, NULL,
        MHD_OPTION_NOTIFY_COMPLETED, handle_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
        handle_connection, s, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SERVE_THREADS,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVE_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVE_TIMEOUT_S, MHD_OPTION_END);
}

static char *load_stylesheet(const char *dir, size_t *len)
{
    char path[4200];
    int err;
    snprintf(path, sizeof path, "%s/dash.css", dir);
    char *css = file_read_text(path, &err);
    if (!css)
        log_error("cannot read the stylesheet %s: %s (--assets DIR says where dash.css is)", path,
                  file_error(err));
    *len = css ? strlen(css) : 0;
    return css;
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

/* Checks what can be checked before anything starts, and fills trust
 * from --trusted-proxy, --allowed-host and --listen; 0, or the exit
 * status with the reason on stderr. */
static int check_options(const struct serve_options *o, struct listen_addr *addr,
                         struct trust *trust)
{
    char err[512];
    int rc = check_listen(o->listen, addr, err, sizeof err);
    if (rc == -1) {
        fprintf(stderr, "wowdash: serve: %s\n", err);
        return 2;
    }
    if ((o->trusted_proxies && !trust_parse_proxies(trust, o->trusted_proxies, err, sizeof err)) ||
        (o->allowed_hosts && !trust_parse_hosts(trust, o->allowed_hosts, err, sizeof err))) {
        fprintf(stderr, "wowdash: serve: %s\n", err);
        return 2;
    }
    if (!o->allowed_hosts && rc == 0 && addr->port != 0)
        trust_add_listen(trust, addr->host, addr->v6, addr->port);
    else if (!o->allowed_hosts)
        log_warn("no --allowed-host: forms are checked by Origin against Host only; name the "
                 "host names this dashboard is reached by");
    if (rc == -2)
        log_warn("%s", err);
    struct smtp_settings smtp = {.url = o->smtp_url, .from = o->mail_from};
    if (o->smtp_url && !smtp_settings_valid(&smtp, err, sizeof err)) {
        fprintf(stderr, "wowdash: serve: %s\n", err);
        return 2;
    }
    if (o->webhook_url && strncmp(o->webhook_url, "http://", 7) != 0 &&
        strncmp(o->webhook_url, "https://", 8) != 0) {
        fprintf(stderr,
                "wowdash: serve: --webhook: expected an http:// or https:// URL, got '%s'\n",
                o->webhook_url);
        return 2;
    }
    return 0;
}

/* The daemon stops before the refresher is freed: a request being
 * answered reads the refresher's generation until the daemon has joined
 * its threads.  No connection may stay suspended when the daemon stops,
 * so parking ends first and every waiter is answered. */
static void serve_stop(struct server *s)
{
    if (s->live_made) {
        pthread_mutex_lock(&s->live.mu);
        s->live.stopping = true;
        pthread_mutex_unlock(&s->live.mu);
        live_tick(&s->live, 0);
        lane_stop(s->lane); /* its connections are answered and resumed; new logins get 503 */
        if (s->daemon)
            MHD_stop_daemon(s->daemon);
    }
    lane_free(s->lane);
    conn_guard_stop(s->guard);
    refresher_stop(s->refresher); /* joins its thread: no live_tick after this */
    if (s->live_made)
        pthread_mutex_destroy(&s->live.mu);
    dashdb_pool_destroy(s->pool);
    auth_destroy(s->auth);
    phone_limits_destroy(s->phone_limits);
    moderation_lists_free(s->moderation);
    tz_destroy(s->zone);
    free(s->css);
    serve_langs_free(&s->langs);
    if (s->bundles_fd >= 0)
        close(s->bundles_fd);
}

static bool serve_start(struct server *s, const struct serve_options *o, struct listen_addr *addr)
{
    struct clock clock = clock_system(&s->clock_offset, CLOCK_NO_START);
    size_t css_len;
    char assets[4096];
    serve_find_assets(o->assets_dir, assets, sizeof assets);
    s->css = load_stylesheet(assets, &css_len);
    if (!s->css)
        return false;
    serve_langs_load(assets, &s->langs);
    s->pool = dashdb_pool_create(o->db, SERVE_THREADS + LANE_WORKERS);
    s->auth = auth_create();
    s->lane = lane_start(LANE_WORKERS, LANE_CAPACITY);
    s->guard = conn_guard_start(&s->trust, SERVE_REQUEST_MS);
    if (o->bundles_dir != NULL) {
        s->bundles_fd = open(o->bundles_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->bundles_fd < 0) {
            log_error("--bundles %s: cannot open the directory: %s", o->bundles_dir,
                      strerror(errno));
            return false;
        }
        log_info("bundles: %s served at %s", o->bundles_dir, BUNDLES_PREFIX);
    }
    s->phone_limits = phone_limits_create();
    s->moderation = serve_moderation_load(assets);
    if (!s->pool || !s->auth || !s->lane || !s->guard || !s->phone_limits || !s->moderation) {
        log_error("out of memory");
        return false;
    }
    check_database(s->pool);
    s->router = (struct router){.pool = s->pool,
                                .auth = s->auth,
                                .css = s->css,
                                .css_len = css_len,
                                .clock = clock,
                                .zone = s->zone,
                                .zone_name = s->zone_name,
                                .silent_after_ms = o->silent_after_ms,
                                .secure_cookies = o->secure_cookies,
                                .trust = &s->trust,
                                .langs = &s->langs.langs,
                                .phone_limits = s->phone_limits,
                                .moderation = s->moderation};
    s->live_made = pthread_mutex_init(&s->live.mu, NULL) == 0;
    struct refresher_settings rs = {.target = o->db,
                                    .every_ms =
                                        o->refresh_ms > 0 ? o->refresh_ms : SERVE_DEFAULT_REFRESH,
                                    .alerts = {.webhook_url = o->webhook_url},
                                    .mail = {.smtp = {.url = o->smtp_url,
                                                      .from = o->mail_from,
                                                      .user = o->smtp_user,
                                                      .password = getenv("WOWDASH_SMTP_PASSWORD"),
                                                      .starttls = o->starttls},
                                             .public_url = o->public_url,
                                             .zone = s->zone,
                                             .zone_name = s->zone_name},
                                    .clock = clock,
                                    .tick = live_tick,
                                    .ctx = &s->live};
    s->refresher = s->live_made ? refresher_start(&rs) : NULL;
    if (!s->refresher) {
        log_error("cannot start the refresh thread");
        return false;
    }
    s->router.refresher = s->refresher;
    s->daemon = start_daemon(s, addr);
    if (!s->daemon)
        log_error("cannot listen on %s (see above)", o->listen);
    return s->daemon != NULL;
}

int serve_run(const struct serve_options *o)
{
    struct listen_addr addr;
    struct server s = {.bundles_fd = -1};
    int rc = check_options(o, &addr, &s.trust);
    if (rc != 0)
        return rc;
    /* blocked from here on, in this thread and every one started later:
     * a stop that comes while the database is tried waits for sigwait() */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    if (!load_zone(o->timezone, &s.zone, s.zone_name, sizeof s.zone_name))
        return 2;
    if (!serve_start(&s, o, &addr)) {
        serve_stop(&s);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s.daemon, MHD_DAEMON_INFO_BIND_PORT);
    char status[128];
    snprintf(status, sizeof status,
             addr.v6 ? "listening on http://[%s]:%u/" : "listening on http://%s:%u/", addr.host,
             info ? (unsigned)info->port : (unsigned)addr.port);
    log_info("%s, database: %s", status, sync_target_is_postgres(o->db) ? "PostgreSQL" : o->db);
    notify_ready(status);
    wait_for_stop(&stop);
    notify_stopping();
    serve_stop(&s);
    log_info("stopped");
    return 0;
}
