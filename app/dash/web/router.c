/*
 * router: one request to one reply (see router.h).  router_handle checks,
 * in this order: the parsers' verdict (400/413/414/415/431), the route
 * (404) and method (405), a database connection (503), who is asking
 * (303 to /login, or 401 for the API), the role and, on a rollout's
 * routes, the right to act on rollouts (403), the CSRF token and
 * Origin of a POST (403), the filter (400), the department's scope (404);
 * then one handler fetches the values and renders them.
 */
#include "router.h"

#include <stdio.h>
#include <string.h>

#include "dashdb.h"
#include "org.h"
#include "router_private.h"
#include "trust.h"
#include "tz.h"

int64_t router_day_start_ms(const struct router *router, int32_t day)
{
    int64_t guess = (int64_t)day * 86400000;
    if (!router->zone)
        return guess;
    /* the offset at noon of that day: a zone changes it at night, not at noon */
    struct tz_local t = tz_to_local(router->zone, guess + 43200000);
    return guess - (int64_t)t.utc_offset_s * 1000;
}

int32_t router_today(const struct router *router, int64_t now_ms)
{
    if (!router->zone)
        return (int32_t)(now_ms >= 0 ? now_ms / 86400000 : (now_ms - 86399999) / 86400000);
    struct tz_local t = tz_to_local(router->zone, now_ms);
    return dash_day_from_date(t.year, t.month, t.day);
}

/* "ID" of "/prefix/ID": an id of [A-Za-z0-9_.-]; false otherwise. */
static bool path_id(const char *path, const char *prefix, const char *suffix, char *out)
{
    size_t p = strlen(prefix), s = strlen(suffix), n = strlen(path);
    if (n <= p + s || strncmp(path, prefix, p) != 0 || strcmp(path + n - s, suffix) != 0)
        return false;
    size_t len = n - p - s;
    if (len >= DASH_ID_MAX ||
        strspn(path + p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") < len)
        return false;
    memcpy(out, path + p, len);
    out[len] = '\0';
    return true;
}

/* ---- the routes --------------------------------------------------------
 *
 * How to add a route: one row below (pattern, who may use it, methods,
 * whether it reads the filter, whether it is an API name), and its handler
 * in routes_pages.c, routes_catalog.c, routes_api.c or routes_public.c, declared in
 * router_private.h; then a test in tests/dash (test_http for the page,
 * test_access for who may see it).  A row with roles 0 is public: it runs
 * before any session or database.  The first row whose pattern matches
 * wins.
 */

#define PAGES            (ROLE_ADMIN | ROLE_HEAD)
#define ANYONE_LOGGED_IN (ROLE_ADMIN | ROLE_HEAD | ROLE_TECH)
#define ROLLOUTS         (ROLE_ADMIN | ROLE_TECH | ROLE_MAY_ROLL_OUT)

static const struct route routes[] = {
    {"/healthz", 0, ROUTE_GET, false, false, handle_healthz},
    {"/assets/dash.css", 0, ROUTE_GET, false, false, handle_stylesheet},
    {"/assets/icon.svg", 0, ROUTE_GET, false, false, handle_icon},
    {"/assets/live.js", 0, ROUTE_GET, false, false, handle_live_script},
    {"/favicon.ico", 0, ROUTE_GET, false, false, handle_icon},
    {"/login", 0, ROUTE_GET | ROUTE_POST, false, false, handle_login},
    {"/c/~", 0, ROUTE_GET | ROUTE_POST, false, false, handle_phone},
    {"/", ANYONE_LOGGED_IN, ROUTE_GET, false, false, handle_home},
    {"/overview", PAGES, ROUTE_GET, true, false, handle_overview},
    {"/wall", PAGES, ROUTE_GET, true, false, handle_wall},
    {"/alerts", PAGES, ROUTE_GET, true, false, handle_alerts},
    {"/fleet", ROLE_ADMIN | ROLE_TECH, ROUTE_GET, true, false, handle_fleet},
    {"/fleet/rollout", ROLLOUTS, ROUTE_POST, false, false, handle_rollout_act},
    {"/fleet/rollout/start", ROLLOUTS, ROUTE_POST, false, false, handle_rollout_start},
    {"/logout", ANYONE_LOGGED_IN, ROUTE_POST, false, false, handle_logout},
    {"/department/*", PAGES, ROUTE_GET, true, false, handle_department},
    {"/poster/*", PAGES, ROUTE_GET, true, false, handle_poster},
    {"/report/*", PAGES, ROUTE_GET, true, false, handle_report},
    {"/alerts/#/acknowledge", PAGES, ROUTE_POST, false, false, handle_acknowledge},
    {"/alerts/#/comment", PAGES, ROUTE_POST, false, false, handle_comment},
    {"/alerts/#/assign", PAGES, ROUTE_POST, false, false, handle_assign},
    {"/alerts/#/resolve", PAGES, ROUTE_POST, false, false, handle_resolve},
    {"/alerts/times", PAGES, ROUTE_GET, true, false, handle_alert_times},
    {"/alerts/#", PAGES, ROUTE_GET, true, false, handle_alert},
    {"/catalog", PAGES, ROUTE_GET, false, false, handle_catalog},
    {"/catalog/document", ROLE_ADMIN, ROUTE_POST, false, false, handle_catalog_document},
    {"/catalog/reason/*", ROLE_ADMIN, ROUTE_POST, false, false, handle_catalog_reason},
    {"/catalog/department/*", PAGES, ROUTE_POST, false, false, handle_catalog_department},
    {"/api/v1/counts", PAGES, ROUTE_GET, true, true, handle_api_counts},
    {"/api/v1/reasons", PAGES, ROUTE_GET, true, true, handle_api_reasons},
    {"/api/v1/departments", PAGES, ROUTE_GET, true, true, handle_api_departments},
    {"/api/v1/kiosks", ANYONE_LOGGED_IN, ROUTE_GET, true, true, handle_api_kiosks},
    {"/api/v1/alerts", PAGES, ROUTE_GET, true, true, handle_api_alerts},
    {"/api/v1/alert-times", PAGES, ROUTE_GET, true, true, handle_api_alert_times},
    {"/api/v1/report", PAGES, ROUTE_GET, true, true, handle_api_report},
    {"/api/v1/consistency", PAGES, ROUTE_GET, true, true, handle_api_consistency},
    {"/api/v1/attributed", PAGES, ROUTE_GET, true, true, handle_api_attributed},
    {"/api/v1/comments", PAGES, ROUTE_GET, true, true, handle_api_comments},
    {"/api/v1/live", ANYONE_LOGGED_IN, ROUTE_GET, false, true, handle_api_live},
};

const char *route_api_name(const struct route *route)
{
    return route->pattern + strlen("/api/v1/");
}

/* The Allow header of a 405 for route. */
static const char *allow_of(const struct route *route)
{
    return route->methods == ROUTE_POST  ? "POST"
           : route->methods == ROUTE_GET ? "GET, HEAD"
                                         : "GET, HEAD, POST";
}

/* An API name's path: the name, then nothing, ".csv" or ".json". */
static bool match_api(const struct route *r, const char *path, struct route_match *m)
{
    size_t n = strlen(r->pattern);
    const char *suffix = path + n;
    if (strncmp(path, r->pattern, n) != 0 ||
        (strcmp(suffix, "") && strcmp(suffix, ".csv") && strcmp(suffix, ".json")))
        return false;
    m->format = !strcmp(suffix, ".csv") ? API_CSV : API_JSON;
    snprintf(m->arg, sizeof m->arg, "%s", suffix);
    return true;
}

/* Whether path matches the route's pattern, with what it took in m. */
static bool match(const struct route *r, const char *path, struct route_match *m)
{
    *m = (struct route_match){.route = r};
    if (r->api)
        return match_api(r, path, m);
    const char *rest = strchr(r->pattern, '~'); /* the rest of the path: its handler reads it */
    if (rest)
        return !strncmp(path, r->pattern, (size_t)(rest - r->pattern)) &&
               path[rest - r->pattern] != '\0';
    const char *wild = strpbrk(r->pattern, "*#");
    if (wild == NULL)
        return strcmp(path, r->pattern) == 0;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%.*s", (int)(wild - r->pattern), r->pattern);
    if (!path_id(path, prefix, wild + 1, m->arg))
        return false;
    return *wild == '*' || (strspn(m->arg, "0123456789") == strlen(m->arg) && strlen(m->arg) <= 18);
}

/* The first route whose pattern matches path; false for none (404). */
static bool route_find(const char *path, struct route_match *m)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (match(&routes[i], path, m))
            return true;
    return false;
}

/* ---- who is asking ----------------------------------------------------- */

/* Fills c->user from the bearer token (API only) or the session cookie;
 * false with the reply made when nobody (or the database failed). */
static bool identify(struct route_ctx *c)
{
    const struct http_request *q = c->req;
    const char *cookie = http_cookie(q, route_session_cookie(c->rt));
    enum auth_status st = AUTH_DENIED;
    if (c->api && q->authorization) {
        st = auth_bearer(c->db, q->authorization, c->now_ms, &c->user, c->err, sizeof c->err);
    } else if (route_wall_key(q)) {
        /* the wall display's read-only token in its URL (a TV sets no header) */
        st = auth_bearer(c->db, route_wall_key(q), c->now_ms, &c->user, c->err, sizeof c->err);
    } else if (cookie && strlen(cookie) == AUTH_TOKEN_LEN) {
        st = auth_session(c->db, cookie, c->now_ms, &c->user, c->csrf, c->err, sizeof c->err);
        if (st == AUTH_OK)
            memcpy(c->session, cookie, AUTH_TOKEN_LEN + 1);
    }
    if (st == AUTH_OK) {
        c->has_user = true;
        return true;
    }
    dash_user_free(&c->user);
    if (st == AUTH_ERROR) {
        route_fail_db(c, "session");
    } else if (c->api) {
        route_fail(c, 401,
                   q->authorization ? "the API token is unknown, revoked or malformed"
                                    : "no session: log in, or send Authorization: Bearer TOKEN");
    } else {
        struct strbuf to = {0};
        strbuf_puts(&to, "/login");
        if (q->method != HTTP_POST && strcmp(q->target, "/") != 0) {
            strbuf_puts(&to, "?next=");
            http_encode(&to, q->target);
        }
        route_redirect(c->reply, to.data ? to.data : "/login");
        c->reply->failed |= to.failed;
        strbuf_free(&to);
    }
    return false;
}

/* A POST must name an allowed Host and, when it sends an Origin, come
 * from that host (trust.h); its csrf field must be the session's token;
 * false with 403 made. */
static bool post_allowed(struct route_ctx *c)
{
    const struct http_request *q = c->req;
    const char *refusal = trust_post_refusal(c->rt->trust, q->host, q->origin);
    if (refusal) {
        route_fail(c, 403, refusal);
        return false;
    }
    if (!c->session[0] || !auth_csrf_equal(c->csrf, http_form(q, "csrf"))) {
        route_fail(c, 403,
                   "The form's security token is missing or stale: reload the page and "
                   "send it again.");
        return false;
    }
    return true;
}

/* The cookie keeping a viewer's choice of language (?lang=fi). */
#define LANG_COOKIE "wowdash_lang"

/* A language code a viewer may choose: 1 to 15 letters and '-'. */
static bool lang_code(const char *text)
{
    size_t n = strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");
    return n > 0 && n < 16 && text[n] == '\0';
}

/* The viewer's own choice of language: ?lang= (kept in a cookie for the
 * next pages: Set-Cookie made here), else the cookie; NULL when none. */
static const char *language_choice(struct route_ctx *c)
{
    const char *asked = http_param(c->req, "lang");
    if (asked && !lang_code(asked))
        asked = NULL;
    const char *kept = http_cookie(c->req, LANG_COOKIE);
    if (asked && !c->api) {
        char cookie[96];
        snprintf(cookie, sizeof cookie, LANG_COOKIE "=%s; SameSite=Lax; Path=/; Max-Age=31536000",
                 asked);
        http_reply_header(c->reply, "Set-Cookie", cookie);
    }
    return asked ? asked : kept && lang_code(kept) ? kept : NULL;
}

/* The language the viewer reads the catalog's names in (names.h): the
 * viewer's choice, else Accept-Language; false with 503 made.  The pages'
 * own language (c->lang) is picked the same way among theirs. */
static bool viewer_language(struct route_ctx *c)
{
    const char *kept = http_cookie(c->req, LANG_COOKIE);
    const char *asked = http_param(c->req, "lang");
    const char *choice = asked && lang_code(asked) ? asked : kept && lang_code(kept) ? kept : NULL;
    if (!org_viewer_language(c->db, choice, c->req->accept_language, c->user.lang,
                             sizeof c->user.lang, c->err, sizeof c->err)) {
        route_fail_db(c, "language");
        return false;
    }
    return true;
}

bool route_role_may_open(const char *target, enum dash_role role)
{
    char path[256];
    size_t n = strcspn(target, "?#");
    if (n >= sizeof path)
        return false;
    memcpy(path, target, n);
    path[n] = '\0';
    struct route_match m;
    return route_find(path, &m) && (m.route->roles == 0 || (m.route->roles & (1u << role)));
}

/* Who may, with what filter; then the route's handler. */
static void handle_authorised(struct route_ctx *c, const struct route_match *m)
{
    if (!identify(c))
        return;
    const struct route *r = m->route;
    if (!(r->roles & (1u << c->user.role))) {
        route_fail(c, 403, "Your role may not use this page.");
        return;
    }
    if ((r->roles & ROLE_MAY_ROLL_OUT) && !c->user.may_roll_out) {
        route_fail(c, 403,
                   "this account may see the rollout but not act on it "
                   "(an admin allows it: wowdash user rollouts NAME on)");
        return;
    }
    if (r->methods == ROUTE_POST && !post_allowed(c))
        return;
    if (!viewer_language(c))
        return;
    if (r->filter) {
        struct dash_filter f;
        if (!http_parse_filter(c->req, c->today, &f, c->err, sizeof c->err)) {
            route_fail(c, 400, c->err);
            return;
        }
        c->filter = f;
        if (c->filter.department[0] && c->user.role != DASH_ROLE_TECHNICIAN &&
            !dash_user_sees(&c->user, c->filter.department)) {
            route_fail(c, 404, "No such department.");
            return;
        }
    }
    r->handle(c, m);
}

void router_handle(struct router *rt, const struct http_request *req, struct reply *reply)
{
    http_reply_init(reply);
    struct route_ctx c = {.rt = rt, .req = req, .reply = reply};
    c.now_ms = clock_read(&rt->clock).utc_ms;
    c.today = router_today(rt, c.now_ms);
    c.filter = (struct dash_filter){
        .period = DASH_PERIOD_LAST_30_DAYS, .from_day = c.today - 29, .to_day = c.today + 1};
    c.api = req->path && !strncmp(req->path, "/api/", 5);
    c.lang = page_langs_pick(rt->langs, language_choice(&c), req->accept_language);
    struct route_match m;
    if (req->error || !req->path) {
        route_fail(&c, req->error ? req->error : 400,
                   req->error ? req->error_text : "no request target");
    } else if (!route_find(req->path, &m)) {
        route_fail(&c, 404, "There is no such page.");
    } else if (req->method == HTTP_OTHER ||
               !(m.route->methods & (req->method == HTTP_POST ? ROUTE_POST : ROUTE_GET))) {
        /* OPTIONS too: Allow names what this path answers, never more */
        route_method_not_allowed(reply, allow_of(m.route));
    } else if (m.route->roles == 0) {
        m.route->handle(&c, &m);
    } else if (!(c.db = dashdb_pool_take(rt->pool, c.err, sizeof c.err))) {
        route_fail_db(&c, "connect");
    } else {
        handle_authorised(&c, &m);
    }
    if (c.db)
        dashdb_pool_give(rt->pool, c.db);
    /* the CSP allows scripts only where a page loads one (live.js): any
     * page, an error page with the nav bar too */
    reply->scripts = reply->type && !strncmp(reply->type, "text/html", 9) && reply->body.data &&
                     strstr(reply->body.data, "<script") != NULL;
    dash_user_free(&c.user);
    dash_departments_free(&c.departments);
    dash_places_free(&c.places);
    if (reply->body.failed || reply->failed) {
        http_reply_free(reply);
        http_reply_init(reply);
        http_reply_text(reply, 500, "out of memory\n");
        reply->failed = true;
    }
}
