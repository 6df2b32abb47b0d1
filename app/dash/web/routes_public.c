/*
 * routes_public: the routes anyone may use, before any session: /healthz
 * (the database answers), the stylesheet, the icon, and /login (the form,
 * and the POST that checks the password under the throttle and sets the
 * session cookie).
 */
#include <stdio.h>
#include <string.h>

#include "dashdb.h"
#include "html.h"
#include "log.h"
#include "pages.h"
#include "router_private.h"
#include "trust.h"

void handle_healthz(struct route_ctx *c, const struct route_match *m)
{
    struct router *rt = c->rt;
    struct reply *reply = c->reply;
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

static void set_session_cookie(struct route_ctx *c, const char *session)
{
    char cookie[160];
    snprintf(cookie, sizeof cookie, "%s=%s; HttpOnly; SameSite=Lax; Path=/; Max-Age=%lld%s",
             route_session_cookie(c->rt), session, (long long)(AUTH_SESSION_ABSOLUTE_MS / 1000),
             c->rt->secure_cookies ? "; Secure" : "");
    http_reply_header(c->reply, "Set-Cookie", cookie);
}

static void handle_login_post(struct route_ctx *c, const char *next)
{
    const char *user = http_form(c->req, "user"), *password = http_form(c->req, "password");
    char session[AUTH_TOKEN_LEN + 1] = "", message[160];
    int64_t retry_ms = 0;
    enum auth_status st =
        auth_login(c->rt->auth, c->db, user ? user : "", password ? password : "", c->req->client,
                   c->now_ms, session, &retry_ms, c->err, sizeof c->err);
    if (st == AUTH_OK) {
        set_session_cookie(c, session);
        struct dash_user who = {0};
        char err[160];
        if (next && (!auth_load_user(c->db, user, &who, err, sizeof err) ||
                     !route_role_may_open(next, who.role)))
            next = NULL;
        dash_user_free(&who);
        route_redirect(c->reply, next ? next : "/");
        return;
    }
    unsigned status = 403;
    snprintf(message, sizeof message, "%s", page_lang_get(c->lang, "Wrong user name or password."));
    if (st == AUTH_THROTTLED) {
        long long wait_s = (long long)((retry_ms + 999) / 1000);
        char header[32];
        snprintf(header, sizeof header, "%lld", wait_s > 0 ? wait_s : 1);
        http_reply_header(c->reply, "Retry-After", header);
        snprintf(message, sizeof message,
                 page_lang_get(c->lang, "Too many failed logins: try again in %s s."), header);
        status = 429;
    } else if (st == AUTH_ERROR) {
        log_warn("login: %s", c->err);
        snprintf(message, sizeof message, "%s",
                 page_lang_get(c->lang, "The database cannot be reached; try again later."));
        status = 503;
    }
    page_login(c->lang, message, next, &c->reply->body);
    route_html_done(c, status);
}

void handle_login(struct route_ctx *c, const struct route_match *m)
{
    const char *next =
        c->req->method == HTTP_POST ? http_form(c->req, "next") : http_param(c->req, "next");
    if (!http_local_path(next))
        next = NULL;
    if (c->req->method != HTTP_POST) {
        page_login(c->lang, NULL, next, &c->reply->body);
        route_html_done(c, 200);
        return;
    }
    const char *refusal = trust_post_refusal(c->rt->trust, c->req->host, c->req->origin);
    if (refusal) {
        route_fail(c, 403, refusal);
        return;
    }
    c->db = dashdb_pool_take(c->rt->pool, c->err, sizeof c->err);
    if (!c->db) {
        route_fail_db(c, "login");
        return;
    }
    handle_login_post(c, next);
}

void handle_stylesheet(struct route_ctx *c, const struct route_match *m)
{
    c->reply->type = "text/css; charset=utf-8";
    c->reply->cache = "max-age=300";
    c->reply->borrowed = c->rt->css ? c->rt->css : "";
    c->reply->borrowed_len = c->rt->css ? c->rt->css_len : 0;
}

void handle_live_script(struct route_ctx *c, const struct route_match *m)
{
    c->reply->type = "text/javascript; charset=utf-8";
    c->reply->cache = "max-age=300";
    c->reply->borrowed = page_live_script;
    c->reply->borrowed_len = strlen(page_live_script);
}

void handle_icon(struct route_ctx *c, const struct route_match *m)
{
    c->reply->type = "image/svg+xml";
    c->reply->cache = "max-age=86400";
    c->reply->borrowed = html_icon_svg;
    c->reply->borrowed_len = strlen(html_icon_svg);
}
