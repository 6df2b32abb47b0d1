/*
 * router: answers one parsed request (http.h) with a reply: which route,
 * who is asking (the session cookie, or for the API also a bearer token),
 * whether that role may use the route (403) and see the department (404),
 * the CSRF token of every POST (403 without it), the filter (400), then
 * the data (dashq.h, alerts.h) and its page (pages.h) or API body (api.h).
 *
 *   GET  /healthz, /assets/dash.css, /assets/icon.svg, /favicon.ico   anyone
 *   GET  /login, POST /login                   anyone (429 + Retry-After when throttled)
 *   POST /logout                               a session
 *   GET  /                                     303 to /overview (technician: /fleet)
 *   GET  /overview, /department/ID, /alerts, /alerts/ID        admin, head
 *   GET  /poster/ID                            admin, head: the department's poster
 *   POST /alerts/ID/acknowledge, /alerts/ID/comment            admin, head
 *   GET  /fleet                                admin, technician
 *   GET  /api/v1/{counts,reasons,departments,alerts}[.csv|.json]   admin, head
 *   GET  /api/v1/kiosks[.csv|.json]            admin, head, technician
 *   GET  /api/v1/live?since=G                  anyone logged in: {"generation": N}, the
 *        number the refresher moves when the figures change (serve.c holds the answer
 *        back while N is G: the pages' live update, /assets/live.js)
 *   GET  /assets/live.js                       anyone
 *   GET  /c/TOKEN, POST /c/TOKEN               anyone with a kiosk's comment token: the
 *        phone's comment form (routes_phone.c)
 *
 * No session: a page answers 303 to /login?next=PATH, the API 401 with a
 * JSON error.  HEAD is GET (serve.c drops the body).  Every reply says
 * Cache-Control: no-store but the stylesheet's.  No global state: the
 * router's members are read-only while requests run (the pool and auth
 * lock themselves), so any number of threads may call router_handle.
 */
#ifndef WOW_ROUTER_H
#define WOW_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "http.h"

struct auth;
struct dashdb_pool;
struct refresher;
struct trust;
struct tz;

struct page_langs;
struct phone_limits;
struct moderation_lists;

struct router {
    struct dashdb_pool *pool; /* borrowed: one connection per request */
    struct auth *auth;        /* borrowed: logins and their throttle */
    const char *css;          /* borrowed: the stylesheet */
    size_t css_len;
    struct clock clock;          /* the wall clock (tests inject one) */
    const struct tz *zone;       /* borrowed: the dashboard's zone for "today"; NULL: UTC */
    const char *zone_name;       /* its name, shown on pages */
    int64_t silent_after_ms;     /* the fleet page's threshold */
    bool secure_cookies;         /* Set-Cookie with Secure (served over HTTPS) */
    const struct trust *trust;   /* borrowed: allowed hosts (trust.h); NULL: Origin vs Host only */
    struct refresher *refresher; /* borrowed: the data's generation (/api/v1/live); NULL: 0 */
    const struct page_langs *langs;    /* borrowed: the pages' languages; NULL: English only */
    struct phone_limits *phone_limits; /* borrowed: /c/'s rate limits; NULL: posts refused */
    const struct moderation_lists *moderation; /* borrowed: comments' lists; NULL: none */
};

/* Answers request into reply (initialised here; the caller frees it with
 * http_reply_free).  Never fails: a problem is a reply (500 and
 * reply->failed when out of memory). */
void router_handle(struct router *router, const struct http_request *request, struct reply *reply);

/* When local day (days since 1970-01-01) begins in the router's zone, as UTC ms. */
int64_t router_day_start_ms(const struct router *router, int32_t day);

/* The local day (days since 1970-01-01) in the router's zone at now_ms. */
int32_t router_today(const struct router *router, int64_t now_ms);

#endif
