/*
 * router: one request to one reply (see router.h).  router_handle checks,
 * in this order: the parsers' verdict (400/413/414/415/431), the route
 * (404) and method (405), a database connection (503), who is asking
 * (303 to /login, or 401 for the API), the role (403), the CSRF token and
 * Origin of a POST (403), the filter (400), the department's scope (404);
 * then one handler fetches the values and renders them.
 */
#include "router.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "api.h"
#include "auth.h"
#include "dashdb.h"
#include "dashq.h"
#include "dashview.h"
#include "fleet.h"
#include "html.h"
#include "kiosks.h"
#include "log.h"
#include "pages.h"
#include "tz.h"

#define ROLE_ADMIN        (1u << DASH_ROLE_ADMIN)
#define ROLE_HEAD         (1u << DASH_ROLE_HEAD)
#define ROLE_TECH         (1u << DASH_ROLE_TECHNICIAN)
#define API_LIMIT_DEFAULT 1000

/* What one request's handlers share. */
struct ctx {
    struct router *rt;
    const struct http_request *req;
    struct reply *reply;
    struct dashdb *db; /* taken from the pool for the request */
    bool api;
    bool has_user;
    struct dash_user user;
    char session[AUTH_TOKEN_LEN + 1]; /* the cookie's value, "" for a bearer */
    char csrf[AUTH_TOKEN_LEN + 1];
    int64_t now_ms;
    int32_t today;
    struct dash_filter filter;
    struct dash_departments departments; /* the filter's choices (pages) */
    char err[512];
};

enum route_id {
    R_NONE,
    R_HOME,
    R_OVERVIEW,
    R_DEPARTMENT,
    R_ALERTS,
    R_ALERT,
    R_ACKNOWLEDGE,
    R_COMMENT,
    R_FLEET,
    R_LOGOUT,
    R_API_COUNTS,
    R_API_REASONS,
    R_API_DEPARTMENTS,
    R_API_KIOSKS,
    R_API_ALERTS,
};

/* A route the path names, with what it needs. */
struct route {
    enum route_id id;
    unsigned roles;        /* who may use it */
    bool post;             /* POST only (else GET and HEAD) */
    bool filter;           /* reads the filter parameters */
    char arg[DASH_ID_MAX]; /* the department or alert id in the path */
    enum api_format format;
    const char *api_name; /* "counts" ... for file names */
};

int32_t router_today(const struct router *router, int64_t now_ms)
{
    if (!router->zone)
        return (int32_t)(now_ms >= 0 ? now_ms / 86400000 : (now_ms - 86399999) / 86400000);
    struct tz_local t = tz_to_local(router->zone, now_ms);
    return dash_day_from_date(t.year, t.month, t.day);
}

/* ---- replies ----------------------------------------------------------- */

static void page_ctx_of(const struct ctx *c, struct page_ctx *p)
{
    *p = (struct page_ctx){.user = &c->user,
                           .filter = &c->filter,
                           .departments = &c->departments,
                           .csrf = c->csrf,
                           .now_ms = c->now_ms,
                           .today = c->today,
                           .zone = c->rt->zone_name ? c->rt->zone_name : "UTC"};
}

/* An error as the route's kind of reply: JSON for the API, else a page
 * (with the nav bar when there is a session). */
static void fail(struct ctx *c, unsigned status, const char *message)
{
    struct reply *r = c->reply;
    strbuf_reset(&r->body);
    r->borrowed = NULL;
    r->status = status;
    if (c->api) {
        r->type = "application/json; charset=utf-8";
        api_error(message, &r->body);
        if (status == 401)
            http_reply_header(r, "WWW-Authenticate", "Bearer realm=\"wowdash\"");
        return;
    }
    struct page_ctx p;
    page_ctx_of(c, &p);
    r->type = "text/html; charset=utf-8";
    page_error(c->has_user ? &p : NULL, status, message, &r->body);
}

/* The database failed: log it, say 503 without the details. */
static void fail_db(struct ctx *c, const char *what)
{
    log_warn("%s %s: %s: %s", c->req->method_text, c->req->path, what, c->err);
    fail(c, 503, "The database cannot be read right now; try again in a moment.");
}

static void redirect(struct reply *r, const char *location)
{
    r->status = 303;
    http_reply_header(r, "Location", location);
    http_reply_text(r, 303, "see other\n");
}

static void html_done(struct ctx *c, unsigned status)
{
    c->reply->status = status;
    c->reply->type = "text/html; charset=utf-8";
}

/* ---- routes ------------------------------------------------------------ */

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

static bool alert_id(const char *path, const char *suffix, char *out)
{
    return path_id(path, "/alerts/", suffix, out) && strspn(out, "0123456789") == strlen(out) &&
           strlen(out) <= 18;
}

static bool api_route(const char *path, struct route *r)
{
    static const struct {
        const char *name;
        enum route_id id;
        unsigned roles;
    } apis[] = {{"counts", R_API_COUNTS, ROLE_ADMIN | ROLE_HEAD},
                {"reasons", R_API_REASONS, ROLE_ADMIN | ROLE_HEAD},
                {"departments", R_API_DEPARTMENTS, ROLE_ADMIN | ROLE_HEAD},
                {"kiosks", R_API_KIOSKS, ROLE_ADMIN | ROLE_HEAD | ROLE_TECH},
                {"alerts", R_API_ALERTS, ROLE_ADMIN | ROLE_HEAD}};
    const char *name = path + strlen("/api/v1/");
    size_t n = strcspn(name, ".");
    const char *suffix = name + n;
    if (strcmp(suffix, "") && strcmp(suffix, ".csv") && strcmp(suffix, ".json"))
        return false;
    for (size_t i = 0; i < sizeof apis / sizeof apis[0]; i++)
        if (strlen(apis[i].name) == n && !strncmp(name, apis[i].name, n)) {
            *r = (struct route){.id = apis[i].id,
                                .roles = apis[i].roles,
                                .filter = true,
                                .format = !strcmp(suffix, ".csv") ? API_CSV : API_JSON,
                                .api_name = apis[i].name};
            snprintf(r->arg, sizeof r->arg, "%s", suffix);
            return true;
        }
    return false;
}

/* The route path names; R_NONE for none (404). */
static void find_route(const char *path, struct route *r)
{
    const unsigned pages = ROLE_ADMIN | ROLE_HEAD;
    const unsigned any = pages | ROLE_TECH;
    *r = (struct route){.id = R_NONE};
    if (!strcmp(path, "/"))
        *r = (struct route){.id = R_HOME, .roles = any};
    else if (!strcmp(path, "/overview"))
        *r = (struct route){.id = R_OVERVIEW, .roles = pages, .filter = true};
    else if (!strcmp(path, "/alerts"))
        *r = (struct route){.id = R_ALERTS, .roles = pages, .filter = true};
    else if (!strcmp(path, "/fleet"))
        *r = (struct route){.id = R_FLEET, .roles = ROLE_ADMIN | ROLE_TECH, .filter = true};
    else if (!strcmp(path, "/logout"))
        *r = (struct route){.id = R_LOGOUT, .roles = any, .post = true};
    else if (path_id(path, "/department/", "", r->arg))
        r->id = R_DEPARTMENT, r->roles = pages, r->filter = true;
    else if (alert_id(path, "/acknowledge", r->arg))
        r->id = R_ACKNOWLEDGE, r->roles = pages, r->post = true;
    else if (alert_id(path, "/comment", r->arg))
        r->id = R_COMMENT, r->roles = pages, r->post = true;
    else if (alert_id(path, "", r->arg))
        r->id = R_ALERT, r->roles = pages, r->filter = true;
    else if (!strncmp(path, "/api/v1/", 8))
        api_route(path, r);
}

/* ---- who is asking ----------------------------------------------------- */

/* Fills c->user from the bearer token (API only) or the session cookie;
 * false with the reply made when nobody (or the database failed). */
static bool identify(struct ctx *c)
{
    const struct http_request *q = c->req;
    const char *cookie = http_cookie(q, AUTH_COOKIE);
    enum auth_status st = AUTH_DENIED;
    if (c->api && q->authorization) {
        st = auth_bearer(c->db, q->authorization, c->now_ms, &c->user, c->err, sizeof c->err);
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
        fail_db(c, "session");
    } else if (c->api) {
        fail(c, 401,
             q->authorization ? "the API token is unknown, revoked or malformed"
                              : "no session: log in, or send Authorization: Bearer TOKEN");
    } else {
        struct strbuf to = {0};
        strbuf_puts(&to, "/login");
        if (q->method != HTTP_POST && strcmp(q->target, "/") != 0) {
            strbuf_puts(&to, "?next=");
            http_encode(&to, q->target);
        }
        redirect(c->reply, to.data ? to.data : "/login");
        c->reply->failed |= to.failed;
        strbuf_free(&to);
    }
    return false;
}

/* A POST's Origin (when sent) must be this host, and its csrf field the
 * session's token; false with 403 made. */
static bool post_allowed(struct ctx *c)
{
    const struct http_request *q = c->req;
    if (q->origin && q->host && strcmp(q->origin, "null") != 0) {
        const char *host = strstr(q->origin, "://");
        if (!host || strcmp(host + 3, q->host) != 0) {
            fail(c, 403, "This form was sent from another site (Origin); it is refused.");
            return false;
        }
    }
    if (!c->session[0] || !auth_csrf_equal(c->csrf, http_form(q, "csrf"))) {
        fail(c, 403,
             "The form's security token is missing or stale: reload the page and "
             "send it again.");
        return false;
    }
    return true;
}

/* ---- pages ------------------------------------------------------------- */

static bool load_departments(struct ctx *c)
{
    if (dashq_departments(c->db, &c->user, &c->departments, c->err, sizeof c->err))
        return true;
    fail_db(c, "departments");
    return false;
}

static void handle_overview(struct ctx *c)
{
    struct dash_league league = {0};
    struct dash_alerts open = {0};
    struct page_ctx p;
    page_ctx_of(c, &p);
    if (!load_departments(c))
        return;
    if (!dashq_league(c->db, &c->user, &c->filter, &league, c->err, sizeof c->err))
        fail_db(c, "league");
    else if (!alerts_list(c->db, &c->user, &c->filter, "open", 0, PAGE_LIMIT_DEFAULT, &open, c->err,
                          sizeof c->err))
        fail_db(c, "open alerts");
    else
        page_overview(&p, &league, &open, &c->reply->body), html_done(c, 200);
    dash_league_free(&league);
    dash_alerts_free(&open);
}

static void handle_department(struct ctx *c, const char *id)
{
    struct dash_department d = {0};
    struct dash_alerts alerts = {0};
    struct page_ctx p;
    page_ctx_of(c, &p);
    if (!dash_user_sees(&c->user, id)) {
        fail(c, 404, "No such department.");
        return;
    }
    if (!load_departments(c))
        return;
    enum dashq_status st =
        dashq_department(c->db, &c->user, &c->filter, id, &d, c->err, sizeof c->err);
    struct dash_filter mine = c->filter;
    snprintf(mine.department, sizeof mine.department, "%s", id);
    if (st == DASHQ_NOT_FOUND)
        fail(c, 404, "No such department.");
    else if (st != DASHQ_OK)
        fail_db(c, "department");
    else if (!alerts_list(c->db, &c->user, &mine, "all", 0, PAGE_LIMIT_DEFAULT, &alerts, c->err,
                          sizeof c->err))
        fail_db(c, "department alerts");
    else
        page_department(&p, &d, &alerts, &c->reply->body), html_done(c, 200);
    dash_department_free(&d);
    dash_alerts_free(&alerts);
}

static const char *const alert_states[] = {"open", "closed", "all", NULL};

static void handle_alerts(struct ctx *c)
{
    const char *state;
    int64_t offset, limit;
    struct dash_alerts alerts = {0};
    struct page_ctx p;
    page_ctx_of(c, &p);
    if (!http_parse_choice(c->req, "state", alert_states, "open", &state, c->err, sizeof c->err) ||
        !http_parse_paging(c->req, PAGE_LIMIT_DEFAULT, &offset, &limit, c->err, sizeof c->err)) {
        fail(c, 400, c->err);
        return;
    }
    if (!load_departments(c))
        return;
    if (alerts_list(c->db, &c->user, &c->filter, state, offset, limit, &alerts, c->err,
                    sizeof c->err))
        page_alerts(&p, &alerts, state, offset, limit, &c->reply->body), html_done(c, 200);
    else
        fail_db(c, "alerts");
    dash_alerts_free(&alerts);
}

static void handle_alert(struct ctx *c, const char *id)
{
    struct dash_alert a = {0};
    struct page_ctx p;
    page_ctx_of(c, &p);
    if (!load_departments(c))
        return;
    enum dashq_status st =
        alerts_get(c->db, &c->user, strtoll(id, NULL, 10), &a, c->err, sizeof c->err);
    if (st == DASHQ_NOT_FOUND)
        fail(c, 404, "No such alert.");
    else if (st != DASHQ_OK)
        fail_db(c, "alert");
    else
        page_alert(&p, &a, &c->reply->body), html_done(c, 200);
    alerts_alert_free(&a);
}

/* POST /alerts/ID/acknowledge and /comment, then back to the alert. */
static void handle_alert_post(struct ctx *c, const char *id, bool comment)
{
    int64_t n = strtoll(id, NULL, 10);
    enum dashq_status st;
    if (comment) {
        const char *body = http_form(c->req, "body");
        size_t len = body ? strlen(body) : 0;
        if (len == 0 || len > ALERTS_COMMENT_MAX_BYTES) {
            snprintf(c->err, sizeof c->err, "body: expected a comment of 1 to %d bytes, got %zu",
                     ALERTS_COMMENT_MAX_BYTES, len);
            fail(c, 400, c->err);
            return;
        }
        st = alerts_comment(c->db, &c->user, n, body, c->now_ms, c->err, sizeof c->err);
    } else {
        st = alerts_acknowledge(c->db, &c->user, n, c->now_ms, c->err, sizeof c->err);
    }
    if (st == DASHQ_NOT_FOUND) {
        fail(c, 404, "No such alert.");
    } else if (st != DASHQ_OK) {
        fail_db(c, comment ? "comment" : "acknowledge");
    } else {
        char to[64];
        snprintf(to, sizeof to, "/alerts/%" PRId64, n);
        redirect(c->reply, to);
    }
}

static void handle_fleet(struct ctx *c)
{
    static const char *const flags[] = {"1", "0", NULL};
    const char *problems;
    int64_t offset, limit;
    struct fleet fleet = {0};
    struct page_ctx p;
    page_ctx_of(c, &p);
    if (!http_parse_choice(c->req, "problems", flags, "0", &problems, c->err, sizeof c->err) ||
        !http_parse_paging(c->req, PAGE_LIMIT_DEFAULT, &offset, &limit, c->err, sizeof c->err)) {
        fail(c, 400, c->err);
        return;
    }
    if (!load_departments(c))
        return;
    if (kiosks_read_fleet(c->db, &fleet, c->err, sizeof c->err)) {
        page_fleet(&p, &fleet, c->rt->silent_after_ms, offset, limit, !strcmp(problems, "1"),
                   &c->reply->body);
        html_done(c, 200);
    } else {
        fail_db(c, "fleet");
    }
    fleet_free(&fleet);
}

static void handle_logout(struct ctx *c)
{
    if (!auth_logout(c->db, c->session, c->err, sizeof c->err)) {
        fail_db(c, "logout");
        return;
    }
    http_reply_header(c->reply, "Set-Cookie",
                      c->rt->secure_cookies
                          ? AUTH_COOKIE "=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure"
                          : AUTH_COOKIE "=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    redirect(c->reply, "/login");
}

/* ---- the API ----------------------------------------------------------- */

/* The same URL with offset moved on, for Link: rel="next". */
static void next_link(const struct ctx *c, int64_t offset, int64_t limit, struct strbuf *out)
{
    strbuf_puts(out, "<");
    http_encode(out, c->req->path);
    char sep = '?';
    for (size_t i = 0; i < c->req->n_params; i++) {
        if (!strcmp(c->req->params[i].name, "offset"))
            continue;
        strbuf_append(out, &sep, 1);
        http_encode(out, c->req->params[i].name);
        strbuf_puts(out, "=");
        http_encode(out, c->req->params[i].value);
        sep = '&';
    }
    strbuf_append(out, &sep, 1);
    strbuf_puts(out, "offset=");
    strbuf_int(out, offset + limit);
    strbuf_puts(out, ">; rel=\"next\"");
}

static void api_headers(struct ctx *c, const struct route *r, const struct api_page *page)
{
    struct reply *reply = c->reply;
    reply->status = 200;
    http_reply_header(reply, "X-More-Available", page->more ? "true" : "false");
    if (page->more) {
        struct strbuf link = {0};
        next_link(c, page->offset, page->limit, &link);
        http_reply_header(reply, "Link", link.data ? link.data : "");
        reply->failed |= link.failed;
        strbuf_free(&link);
    }
    if (r->format == API_JSON) {
        reply->type = "application/json; charset=utf-8";
        return;
    }
    reply->type = "text/csv; charset=utf-8";
    char from[16], to[16], disposition[160];
    dash_day_format(c->filter.from_day, from, sizeof from);
    dash_day_format(c->filter.to_day - 1, to, sizeof to);
    bool dated = r->id == R_API_COUNTS || r->id == R_API_REASONS || r->id == R_API_ALERTS;
    if (dated)
        snprintf(disposition, sizeof disposition, "attachment; filename=\"wowdash-%s-%s-%s.csv\"",
                 r->api_name, from, to);
    else
        snprintf(disposition, sizeof disposition, "attachment; filename=\"wowdash-%s.csv\"",
                 r->api_name);
    http_reply_header(reply, "Content-Disposition", disposition);
}

/* format= must agree with a .csv/.json suffix. */
static bool api_format(struct ctx *c, struct route *r)
{
    static const char *const formats[] = {"json", "csv", NULL};
    const char *f;
    if (!http_parse_choice(c->req, "format", formats, NULL, &f, c->err, sizeof c->err))
        return false;
    if (f && r->arg[0] && strcmp(f, r->arg + 1) != 0) {
        snprintf(c->err, sizeof c->err, "format: the path asks for %s, the parameter for %s",
                 r->arg + 1, f);
        return false;
    }
    if (f)
        r->format = !strcmp(f, "csv") ? API_CSV : API_JSON;
    return true;
}

static bool api_counts_rows(struct ctx *c, struct api_page *page, struct strbuf *body,
                            enum api_format format)
{
    static const char *const grains[] = {"day", "hour", NULL};
    static const char *const bys[] = {"department", "kiosk", NULL};
    const char *grain, *by;
    if (!http_parse_choice(c->req, "granularity", grains, "day", &grain, c->err, sizeof c->err) ||
        !http_parse_choice(c->req, "by", bys, "department", &by, c->err, sizeof c->err)) {
        fail(c, 400, c->err);
        return false;
    }
    struct dash_count_rows rows = {0};
    bool ok =
        dashq_counts(c->db, &c->user, &c->filter, !strcmp(grain, "hour"), !strcmp(by, "kiosk"),
                     page->offset, page->limit, &rows, c->err, sizeof c->err);
    page->more = rows.more;
    if (ok)
        api_counts(&rows, page, format, body);
    else
        fail_db(c, "counts");
    dash_count_rows_free(&rows);
    return ok;
}

/* One API call's body into a buffer of its own, so a failure replaces
 * nothing half-written. */
static bool api_body(struct ctx *c, const struct route *r, struct api_page *page,
                     struct strbuf *body)
{
    bool ok = true;
    const char *state;
    if (r->id == R_API_COUNTS) {
        return api_counts_rows(c, page, body, r->format);
    } else if (r->id == R_API_REASONS) {
        struct dash_reason_count_rows rows = {0};
        ok = dashq_reasons(c->db, &c->user, &c->filter, page->offset, page->limit, &rows, c->err,
                           sizeof c->err);
        page->more = rows.more;
        if (ok)
            api_reasons(&rows, page, r->format, body);
        dash_reason_count_rows_free(&rows);
    } else if (r->id == R_API_DEPARTMENTS) {
        ok = load_departments(c);
        if (ok)
            api_departments(&c->departments, page, r->format, body);
        return ok;
    } else if (r->id == R_API_KIOSKS) {
        struct dash_kiosk_rows rows = {0};
        ok = dashq_kiosks(c->db, &c->user, page->offset, page->limit, &rows, c->err, sizeof c->err);
        page->more = rows.more;
        if (ok)
            api_kiosks(&rows, page, r->format, body);
        dash_kiosk_rows_free(&rows);
    } else {
        if (!http_parse_choice(c->req, "state", alert_states, "open", &state, c->err,
                               sizeof c->err)) {
            fail(c, 400, c->err);
            return false;
        }
        struct dash_alerts alerts = {0};
        ok = alerts_list(c->db, &c->user, &c->filter, state, page->offset, page->limit, &alerts,
                         c->err, sizeof c->err);
        page->more = alerts.more;
        if (ok)
            api_alerts(&alerts, page, r->format, body);
        dash_alerts_free(&alerts);
    }
    if (!ok)
        fail_db(c, r->api_name);
    return ok;
}

static void handle_api(struct ctx *c, struct route *r)
{
    struct api_page page = {0};
    if (!api_format(c, r) || !http_parse_paging(c->req, API_LIMIT_DEFAULT, &page.offset,
                                                &page.limit, c->err, sizeof c->err)) {
        fail(c, 400, c->err);
        return;
    }
    struct strbuf body = {0};
    if (api_body(c, r, &page, &body)) {
        strbuf_free(&c->reply->body);
        c->reply->body = body;
        api_headers(c, r, &page);
    } else {
        strbuf_free(&body);
    }
}

/* ---- dispatch ---------------------------------------------------------- */

static void dispatch(struct ctx *c, struct route *r)
{
    switch (r->id) {
    case R_HOME:
        redirect(c->reply, c->user.role == DASH_ROLE_TECHNICIAN ? "/fleet" : "/overview");
        break;
    case R_OVERVIEW:
        handle_overview(c);
        break;
    case R_DEPARTMENT:
        handle_department(c, r->arg);
        break;
    case R_ALERTS:
        handle_alerts(c);
        break;
    case R_ALERT:
        handle_alert(c, r->arg);
        break;
    case R_ACKNOWLEDGE:
        handle_alert_post(c, r->arg, false);
        break;
    case R_COMMENT:
        handle_alert_post(c, r->arg, true);
        break;
    case R_FLEET:
        handle_fleet(c);
        break;
    case R_LOGOUT:
        handle_logout(c);
        break;
    default:
        handle_api(c, r);
        break;
    }
}

/* Who may, with what filter; then the route's handler. */
static void handle_authorised(struct ctx *c, struct route *r)
{
    if (!identify(c))
        return;
    if (!(r->roles & (1u << c->user.role))) {
        fail(c, 403, "Your role may not use this page.");
        return;
    }
    if (r->post && !post_allowed(c))
        return;
    if (r->filter) {
        struct dash_filter f;
        if (!http_parse_filter(c->req, c->today, &f, c->err, sizeof c->err)) {
            fail(c, 400, c->err);
            return;
        }
        c->filter = f;
        if (c->filter.department[0] && c->user.role != DASH_ROLE_TECHNICIAN &&
            !dash_user_sees(&c->user, c->filter.department)) {
            fail(c, 404, "No such department.");
            return;
        }
    }
    dispatch(c, r);
}

/* ---- the routes anyone may use ----------------------------------------- */

static void handle_healthz(struct router *rt, struct reply *reply)
{
    char err[512];
    struct dashdb *db = dashdb_pool_take(rt->pool, err, sizeof err);
    bool ok = db && dashdb_ping(db, err, sizeof err);
    if (db)
        dashdb_pool_give(rt->pool, db);
    if (ok) {
        http_reply_text(reply, 200, "ok\n");
        return;
    }
    log_warn("healthz: %s", err);
    http_reply_text(reply, 503, "database: ");
    strbuf_puts(&reply->body, err);
    strbuf_puts(&reply->body, "\n");
}

static void set_session_cookie(struct ctx *c, const char *session)
{
    char cookie[160];
    snprintf(cookie, sizeof cookie, "%s=%s; HttpOnly; SameSite=Lax; Path=/; Max-Age=%lld%s",
             AUTH_COOKIE, session, (long long)(AUTH_SESSION_ABSOLUTE_MS / 1000),
             c->rt->secure_cookies ? "; Secure" : "");
    http_reply_header(c->reply, "Set-Cookie", cookie);
}

static void handle_login_post(struct ctx *c, const char *next)
{
    const char *user = http_form(c->req, "user"), *password = http_form(c->req, "password");
    char session[AUTH_TOKEN_LEN + 1] = "", message[160];
    int64_t retry_ms = 0;
    enum auth_status st =
        auth_login(c->rt->auth, c->db, user ? user : "", password ? password : "", c->req->client,
                   c->now_ms, session, &retry_ms, c->err, sizeof c->err);
    if (st == AUTH_OK) {
        set_session_cookie(c, session);
        redirect(c->reply, next ? next : "/");
        return;
    }
    unsigned status = 403;
    snprintf(message, sizeof message, "Wrong user name or password.");
    if (st == AUTH_THROTTLED) {
        long long wait_s = (long long)((retry_ms + 999) / 1000);
        char header[32];
        snprintf(header, sizeof header, "%lld", wait_s > 0 ? wait_s : 1);
        http_reply_header(c->reply, "Retry-After", header);
        snprintf(message, sizeof message, "Too many failed logins: try again in %s s.", header);
        status = 429;
    } else if (st == AUTH_ERROR) {
        log_warn("login: %s", c->err);
        snprintf(message, sizeof message, "The database cannot be reached; try again later.");
        status = 503;
    }
    page_login(message, next, &c->reply->body);
    html_done(c, status);
}

static void handle_login(struct ctx *c)
{
    const char *next =
        c->req->method == HTTP_POST ? http_form(c->req, "next") : http_param(c->req, "next");
    if (!http_local_path(next))
        next = NULL;
    if (c->req->method != HTTP_POST) {
        page_login(NULL, next, &c->reply->body);
        html_done(c, 200);
        return;
    }
    if (c->req->origin && c->req->host && strcmp(c->req->origin, "null") != 0) {
        const char *host = strstr(c->req->origin, "://");
        if (!host || strcmp(host + 3, c->req->host) != 0) {
            fail(c, 403, "This form was sent from another site (Origin); it is refused.");
            return;
        }
    }
    c->db = dashdb_pool_take(c->rt->pool, c->err, sizeof c->err);
    if (!c->db) {
        fail_db(c, "login");
        return;
    }
    handle_login_post(c, next);
}

static void method_not_allowed(struct reply *reply, const char *allow)
{
    http_reply_text(reply, 405, "method not allowed\n");
    http_reply_header(reply, "Allow", allow);
}

/* /healthz, the stylesheet, the icon, /login; false when path is none of them. */
static bool handle_public(struct ctx *c)
{
    const char *path = c->req->path;
    bool get = c->req->method == HTTP_GET || c->req->method == HTTP_HEAD;
    bool icon = !strcmp(path, "/assets/icon.svg") || !strcmp(path, "/favicon.ico");
    if (!strcmp(path, "/healthz") || !strcmp(path, "/assets/dash.css") || icon) {
        if (!get) {
            method_not_allowed(c->reply, "GET, HEAD");
        } else if (path[1] == 'h') {
            handle_healthz(c->rt, c->reply);
        } else if (icon) {
            c->reply->type = "image/svg+xml";
            c->reply->cache = "max-age=86400";
            c->reply->borrowed = html_icon_svg;
            c->reply->borrowed_len = strlen(html_icon_svg);
        } else {
            c->reply->type = "text/css; charset=utf-8";
            c->reply->cache = "max-age=300";
            c->reply->borrowed = c->rt->css ? c->rt->css : "";
            c->reply->borrowed_len = c->rt->css ? c->rt->css_len : 0;
        }
        return true;
    }
    if (strcmp(path, "/login") != 0)
        return false;
    if (get || c->req->method == HTTP_POST)
        handle_login(c);
    else
        method_not_allowed(c->reply, "GET, HEAD, POST");
    return true;
}

void router_handle(struct router *rt, const struct http_request *req, struct reply *reply)
{
    http_reply_init(reply);
    struct ctx c = {.rt = rt, .req = req, .reply = reply};
    c.now_ms = clock_read(&rt->clock).utc_ms;
    c.today = router_today(rt, c.now_ms);
    c.filter = (struct dash_filter){
        .period = DASH_PERIOD_LAST_30_DAYS, .from_day = c.today - 29, .to_day = c.today + 1};
    c.api = req->path && !strncmp(req->path, "/api/", 5);
    struct route r;
    if (req->error || !req->path) {
        fail(&c, req->error ? req->error : 400, req->error ? req->error_text : "no request target");
    } else if (req->method == HTTP_OTHER) {
        method_not_allowed(reply, "GET, HEAD, POST");
    } else if (!handle_public(&c)) {
        find_route(req->path, &r);
        if (r.id == R_NONE)
            fail(&c, 404, "There is no such page.");
        else if (r.post != (req->method == HTTP_POST))
            method_not_allowed(reply, r.post ? "POST" : "GET, HEAD");
        else if (!(c.db = dashdb_pool_take(rt->pool, c.err, sizeof c.err)))
            fail_db(&c, "connect");
        else
            handle_authorised(&c, &r);
    }
    if (c.db)
        dashdb_pool_give(rt->pool, c.db);
    dash_user_free(&c.user);
    dash_departments_free(&c.departments);
    if (reply->body.failed || reply->failed) {
        http_reply_free(reply);
        http_reply_init(reply);
        http_reply_text(reply, 500, "out of memory\n");
        reply->failed = true;
    }
}
