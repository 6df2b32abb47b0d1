/*
 * router_private: what the files of app/dash/web's router share: the
 * request's context, the route table's row and match, every route's
 * handler (routes_pages.c, routes_catalog.c, routes_api.c, routes_public.c) and the replies
 * they make (route_reply.c).  Only app/dash/web includes it.
 */
#ifndef WOW_ROUTER_PRIVATE_H
#define WOW_ROUTER_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "attributed.h"
#include "auth.h"
#include "dashview.h"
#include "page_lang.h"
#include "report.h"
#include "router.h"

struct dashdb;
struct page_ctx;

#define ROLE_ADMIN (1u << DASH_ROLE_ADMIN)
#define ROLE_HEAD  (1u << DASH_ROLE_HEAD)
#define ROLE_TECH  (1u << DASH_ROLE_TECHNICIAN)
/* Not a role: a route's roles with it let through only a user who may act
 * on rollouts (dash_user.may_roll_out: an admin, or a technician an admin
 * allowed), checked by the router before the handler runs. */
#define ROLE_MAY_ROLL_OUT (1u << 16)

/* What one request's handlers share. */
struct route_ctx {
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
    struct dash_places places;           /* the same for site and kiosk */
    const struct page_lang *lang;        /* the pages' language (page_lang.h), never NULL */
    char err[512];
};

/* Methods a route answers; a request with another gets 405 and Allow. */
#define ROUTE_GET  1u /* GET and HEAD */
#define ROUTE_POST 2u

struct route_match;

/* One row of the route table (router.c). */
struct route {
    const char *pattern; /* "/alerts/#/comment": '*' an id of [A-Za-z0-9_.-], '#' a number,
                            a final '~' anything (the handler reads the path) */
    unsigned roles;      /* who may use it; 0: anyone, before any session or database */
    unsigned methods;    /* ROUTE_GET, ROUTE_POST or both */
    bool filter;         /* reads the filter parameters (and checks its department's scope) */
    bool api;            /* an API name: the pattern also matches with .csv or .json */
    void (*handle)(struct route_ctx *c, const struct route_match *m);
};

/* A route the path named, and what its pattern took from the path. */
struct route_match {
    const struct route *route;
    char arg[DASH_ID_MAX];  /* the id '*' or '#' matched; for the API, the suffix */
    enum api_format format; /* the API's, from the suffix */
};

/* "counts" of "/api/v1/counts". */
const char *route_api_name(const struct route *route);

/* ---- route_reply.c ---- */

/* The session cookie's name: AUTH_COOKIE_SECURE behind HTTPS, else AUTH_COOKIE. */
const char *route_session_cookie(const struct router *rt);

extern const char *const route_alert_states[]; /* "open", "closed", "all", NULL */

/* What every page needs besides its values, from the request's context. */
void route_page_ctx(const struct route_ctx *c, struct page_ctx *p);

/* The wall display's token (?key=wdt_...) when q is a GET of /wall that
 * sends one; NULL otherwise (no other page takes a token in its URL). */
const char *route_wall_key(const struct http_request *q);

/* GET /wall (routes_wall.c). */
void handle_wall(struct route_ctx *c, const struct route_match *m);

/* Whether role may open target (a local path, its query ignored): a
 * login's next page a role cannot use (a technician's bookmarked
 * /overview) sends it home instead of to a 403. */
bool route_role_may_open(const char *target, enum dash_role role);

/* An error as the route's kind of reply: JSON for the API, else a page
 * (with the nav bar when there is a session). */
void route_fail(struct route_ctx *c, unsigned status, const char *message);

/* The database failed: log it, say 503 without the details. */
void route_fail_db(struct route_ctx *c, const char *what);

/* 303 to location. */
void route_redirect(struct reply *r, const char *location);

/* The page appended to the reply's body is finished: status, HTML type. */
void route_html_done(struct route_ctx *c, unsigned status);

/* c->departments and c->places for the filter's selects; false with 503 made. */
bool route_load_departments(struct route_ctx *c);

/* 405 with the methods the route takes. */
void route_method_not_allowed(struct reply *reply, const char *allow);

/* ---- the handlers, one per route ---- */

/* routes_public.c */
void handle_healthz(struct route_ctx *c, const struct route_match *m);
void handle_stylesheet(struct route_ctx *c, const struct route_match *m);
void handle_icon(struct route_ctx *c, const struct route_match *m);
void handle_live_script(struct route_ctx *c, const struct route_match *m);
void handle_login(struct route_ctx *c, const struct route_match *m);

/* routes_phone.c */
void handle_phone(struct route_ctx *c, const struct route_match *m);

/* routes_pages.c */
void handle_home(struct route_ctx *c, const struct route_match *m);
void handle_overview(struct route_ctx *c, const struct route_match *m);
void handle_department(struct route_ctx *c, const struct route_match *m);
void handle_report(struct route_ctx *c, const struct route_match *m);
void handle_api_report(struct route_ctx *c, const struct route_match *m);
void handle_api_consistency(struct route_ctx *c, const struct route_match *m);
void handle_api_attributed(struct route_ctx *c, const struct route_match *m);

/* What a team's evaluation report stands on (routes_report.c): the page
 * and /api/v1/report load it alike. */
struct route_report {
    struct dash_department department;
    struct dash_league league;
    struct dash_alerts alerts;
    struct report report;
    struct attributed attributed; /* team "" unless the catalog describes the department */
};

/* Loads department id's report over c->filter's period into out; false
 * with the reply made (404 for a department the user may not see, 503).
 * Free out with route_report_free() either way. */
bool route_report_load(struct route_ctx *c, const char *id, struct route_report *out);

void route_report_free(struct route_report *r);

void handle_poster(struct route_ctx *c, const struct route_match *m);
void handle_alerts(struct route_ctx *c, const struct route_match *m);
void handle_alert(struct route_ctx *c, const struct route_match *m);
void handle_acknowledge(struct route_ctx *c, const struct route_match *m);
void handle_comment(struct route_ctx *c, const struct route_match *m);
void handle_fleet(struct route_ctx *c, const struct route_match *m);
void handle_rollout_act(struct route_ctx *c, const struct route_match *m);
void handle_rollout_start(struct route_ctx *c, const struct route_match *m);
void handle_logout(struct route_ctx *c, const struct route_match *m);

/* routes_act.c: recognise and act (act.h) */
struct act_table;
struct api_page;

/* The act table of the alerts c's user sees that opened in c->filter's
 * period (of department only, when not NULL) into out (free it with
 * act_table_free either way); false with the reason in c->err. */
bool route_act_load(struct route_ctx *c, const char *department, struct act_table *out);

/* /api/v1/alert-times' rows (routes_api.c answers with them). */
bool route_api_act_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                        enum api_format format);

void handle_alert_times(struct route_ctx *c, const struct route_match *m);
void handle_assign(struct route_ctx *c, const struct route_match *m);
void handle_resolve(struct route_ctx *c, const struct route_match *m);
void handle_api_alert_times(struct route_ctx *c, const struct route_match *m);

/* routes_catalog.c */
void handle_catalog(struct route_ctx *c, const struct route_match *m);
void handle_catalog_document(struct route_ctx *c, const struct route_match *m);
void handle_catalog_reason(struct route_ctx *c, const struct route_match *m);
void handle_catalog_department(struct route_ctx *c, const struct route_match *m);

/* routes_api.c */
void handle_api_counts(struct route_ctx *c, const struct route_match *m);
void handle_api_reasons(struct route_ctx *c, const struct route_match *m);
void handle_api_departments(struct route_ctx *c, const struct route_match *m);
void handle_api_comments(struct route_ctx *c, const struct route_match *m);
void handle_api_kiosks(struct route_ctx *c, const struct route_match *m);
void handle_api_alerts(struct route_ctx *c, const struct route_match *m);
void handle_api_live(struct route_ctx *c, const struct route_match *m);

#endif
