/*
 * routes_wall: the wall display, /wall: a screen in a back office showing
 * the league and the open alerts, reloading itself.  It signs in with an
 * API token in its URL (?key=wdt_...; `wowdash token add` for a head
 * scoped to what the screen may show): read-only (GET, this page only), no
 * session to expire, revoked with `wowdash token revoke`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "pages.h"
#include "router_private.h"

/* How often the wall reloads by default, and the bounds of ?every=. */
#define WALL_EVERY_S     60
#define WALL_EVERY_MIN_S 5
#define WALL_EVERY_MAX_S 3600

const char *route_wall_key(const struct http_request *q)
{
    if (!q->path || strcmp(q->path, "/wall") != 0 || q->method != HTTP_GET)
        return NULL;
    const char *key = http_param(q, "key");
    return key && key[0] ? key : NULL;
}

/* ?every=SECONDS, WALL_EVERY_MIN_S..WALL_EVERY_MAX_S; false with err. */
static bool wall_every(const struct http_request *q, int *every, char *err, size_t size)
{
    const char *v = http_param(q, "every");
    *every = WALL_EVERY_S;
    if (!v)
        return true;
    char *end;
    long n = strtol(v, &end, 10);
    if (!v[0] || *end || n < WALL_EVERY_MIN_S || n > WALL_EVERY_MAX_S) {
        snprintf(err, size, "every: expected seconds from %d to %d, got '%.40s'", WALL_EVERY_MIN_S,
                 WALL_EVERY_MAX_S, v);
        return false;
    }
    *every = (int)n;
    return true;
}

void handle_wall(struct route_ctx *c, const struct route_match *m)
{
    (void)m;
    struct dash_league league = {0};
    struct dash_alerts open = {0};
    struct page_ctx p;
    int every;
    route_page_ctx(c, &p);
    if (!wall_every(c->req, &every, c->err, sizeof c->err)) {
        route_fail(c, 400, c->err);
        return;
    }
    if (!dashq_league(c->db, &c->user, &c->filter, &league, c->err, sizeof c->err))
        route_fail_db(c, "league");
    else if (!alerts_list(c->db, &c->user, &c->filter, "open", 0, PAGE_LIMIT_DEFAULT, &open, c->err,
                          sizeof c->err))
        route_fail_db(c, "open alerts");
    else
        page_wall(&p, &league, &open, every, &c->reply->body), route_html_done(c, 200);
    dash_league_free(&league);
    dash_alerts_free(&open);
}
