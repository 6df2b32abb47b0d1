/*
 * route_reply: what every route's handler answers with: an error as the
 * route's kind of reply (a JSON error for the API, else a page), the
 * database's failure, a redirect, a finished page, 405 with its Allow;
 * and the values several handlers share (the filter's department choices,
 * the page context, the alert states).
 */

#include <stdlib.h>
#include <string.h>

#include "dashq.h"
#include "log.h"
#include "pages.h"
#include "router_private.h"
#include "utf8.h"

const char *const route_alert_states[] = {"open", "closed", "all", NULL};

void route_page_ctx(const struct route_ctx *c, struct page_ctx *p)
{
    *p = (struct page_ctx){.user = &c->user,
                           .filter = &c->filter,
                           .departments = &c->departments,
                           .places = &c->places,
                           .csrf = c->csrf,
                           .now_ms = c->now_ms,
                           .today = c->today,
                           .zone = c->rt->zone_name ? c->rt->zone_name : "UTC",
                           .tz = c->rt->zone,
                           .silent_after_ms = c->rt->silent_after_ms,
                           .lang = c->lang,
                           .langs = c->rt->langs,
                           .here = c->req->target};
}

/* An error as the route's kind of reply: JSON for the API, else a page
 * (with the nav bar when there is a session).  A message may quote what
 * the client sent, cut at a byte count ("got \"%.40s\""): a character cut
 * in two becomes '?' (http.c's refusals do the same), as the reply is UTF-8. */
void route_fail(struct route_ctx *c, unsigned status, const char *message)
{
    struct reply *r = c->reply;
    strbuf_reset(&r->body);
    r->borrowed = NULL;
    r->status = status;
    char *text = strdup(message ? message : "");
    if (text)
        utf8_sanitize(text);
    const char *said = text ? text : "out of memory";
    if (c->api) {
        r->type = "application/json; charset=utf-8";
        api_error(said, &r->body);
        if (status == 401)
            http_reply_header(r, "WWW-Authenticate", "Bearer realm=\"wowdash\"");
    } else {
        struct page_ctx p;
        route_page_ctx(c, &p);
        r->type = "text/html; charset=utf-8";
        page_error(c->has_user ? &p : NULL, c->lang, status, said, &r->body);
    }
    free(text);
}

/* The database failed: log it, say 503 without the details. */
void route_fail_db(struct route_ctx *c, const char *what)
{
    log_warn("%s %s: %s: %s", c->req->method_text, c->req->path, what, c->err);
    route_fail(c, 503, "The database cannot be read right now; try again in a moment.");
}

void route_redirect(struct reply *r, const char *location)
{
    r->status = 303;
    http_reply_header(r, "Location", location);
    http_reply_text(r, 303, "see other\n");
}

void route_html_done(struct route_ctx *c, unsigned status)
{
    c->reply->status = status;
    c->reply->type = "text/html; charset=utf-8";
}

bool route_load_departments(struct route_ctx *c)
{
    if (dashq_departments(c->db, &c->user, &c->departments, c->err, sizeof c->err) &&
        dashq_places(c->db, &c->user, &c->places, c->err, sizeof c->err))
        return true;
    route_fail_db(c, "departments");
    return false;
}

const char *route_session_cookie(const struct router *rt)
{
    return rt->secure_cookies ? AUTH_COOKIE_SECURE : AUTH_COOKIE;
}

void route_method_not_allowed(struct reply *reply, const char *allow)
{
    http_reply_text(reply, 405, "method not allowed\n");
    http_reply_header(reply, "Allow", allow);
}
