/*
 * routes_pages: the handlers of the dashboard's pages: each fetches its
 * values (dashq.h, alerts.h, dashdb.h) and renders them (pages.h).  Who
 * may call them, with what filter, router.c has checked already.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "alerts.h"
#include "attributed.h"
#include "fleet.h"
#include "kiosks.h"
#include "pages.h"
#include "log.h"
#include "router_private.h"
#include "updates.h"
#include "routes_comments.h"

/* Whether the viewer sees an internal team (the overview then ranks them
 * by customer impact). */
static bool route_has_internal(const struct route_ctx *c)
{
    for (size_t i = 0; i < c->departments.n; i++)
        if (c->departments.items[i].internal)
            return true;
    return false;
}

void handle_overview(struct route_ctx *c, const struct route_match *m)

{
    struct dash_league league = {0};
    struct dash_alerts open = {0};
    struct attributed *impact = NULL;
    size_t impact_n = 0;
    struct page_ctx p;
    route_page_ctx(c, &p);
    if (!http_parse_choice(c->req, "sort", page_league_sorts, "rank", &p.sort, c->err,
                           sizeof c->err)) {
        route_fail(c, 400, c->err);
        return;
    }
    if (!route_load_departments(c))
        return;
    if (!dashq_league(c->db, &c->user, &c->filter, &league, c->err, sizeof c->err) ||
        !dashq_league_weekhours(c->db, &c->filter, &league, c->err, sizeof c->err))
        route_fail_db(c, "league");
    else if (!alerts_list(c->db, &c->user, &c->filter, "open", 0, PAGE_LIMIT_DEFAULT, &open, c->err,
                          sizeof c->err))
        route_fail_db(c, "open alerts");
    else if (route_has_internal(c) && !attributed_league(c->db, &c->user, &c->filter, &impact,
                                                         &impact_n, c->err, sizeof c->err))
        route_fail_db(c, "internal teams' impact");
    else {
        p.impact = impact, p.impact_n = impact_n;
        page_overview(&p, &league, &open, &c->reply->body), route_html_done(c, 200);
    }
    for (size_t i = 0; i < impact_n; i++)
        attributed_free(&impact[i]);
    free(impact);
    dash_league_free(&league);
    dash_alerts_free(&open);
}

void handle_poster(struct route_ctx *c, const struct route_match *m)
{
    struct dash_department d = {0};
    struct page_ctx p;
    route_page_ctx(c, &p);
    enum dashq_status st =
        dash_user_sees(&c->user, m->arg)
            ? dashq_department(c->db, &c->user, &c->filter, m->arg, &d, c->err, sizeof c->err)
            : DASHQ_NOT_FOUND;
    if (st == DASHQ_NOT_FOUND)
        route_fail(c, 404, "No such department.");
    else if (st != DASHQ_OK)
        route_fail_db(c, "poster");
    else
        page_poster(&p, &d, &c->reply->body), route_html_done(c, 200);
    dash_department_free(&d);
}

void handle_department(struct route_ctx *c, const struct route_match *m)
{
    const char *id = m->arg;
    struct dash_department d = {0};
    struct dash_alerts alerts = {0};
    struct attributed owned = {0};
    struct act_table act = {0};
    struct page_ctx p;
    route_page_ctx(c, &p);
    if (!dash_user_sees(&c->user, id)) {
        route_fail(c, 404, "No such department.");
        return;
    }
    if (c->filter.department[0] && strcmp(c->filter.department, id)) {
        /* the filter form's Department selector, chosen on a department's page */
        struct dash_filter f = c->filter;
        f.department[0] = f.group[0] = '\0';
        struct strbuf to = {0};
        strbuf_puts(&to, "/department/");
        strbuf_puts(&to, c->filter.department); /* an id: [A-Za-z0-9_.-] (http_parse_filter) */
        strbuf_puts(&to, "?");
        page_filter_query(&f, &to);
        if (!to.failed)
            route_redirect(c->reply, to.data);
        else
            c->reply->failed = true;
        strbuf_free(&to);
        return;
    }
    if (!route_load_departments(c))
        return;
    struct route_comments comments = {0};
    if (!route_comments_department(c, id, &comments)) {
        route_comments_free(&comments);
        return;
    }
    p.comments = &comments.page;
    enum dashq_status st =
        dashq_department(c->db, &c->user, &c->filter, id, &d, c->err, sizeof c->err);
    struct dash_filter mine = c->filter;
    snprintf(mine.department, sizeof mine.department, "%s", id);
    if (st == DASHQ_NOT_FOUND)
        route_fail(c, 404, "No such department.");
    else if (st != DASHQ_OK)
        route_fail_db(c, "department");
    else if (!alerts_list(c->db, &c->user, &mine, "all", 0, PAGE_LIMIT_DEFAULT, &alerts, c->err,
                          sizeof c->err) ||
             !route_act_load(c, id, &act))
        route_fail_db(c, "department alerts");
    else if (attributed_read(c->db, &c->user, &c->filter, id, &owned, c->err, sizeof c->err) ==
             DASHQ_ERROR)
        route_fail_db(c, "department's attributed answers");
    else {
        p.attributed = owned.team[0] ? &owned : NULL; /* a department the catalog describes */
        page_department(&p, &d, &alerts, act.n ? &act.rows[0] : &act.total, &c->reply->body),
            route_html_done(c, 200);
    }
    attributed_free(&owned);
    route_comments_free(&comments);
    dash_department_free(&d);
    dash_alerts_free(&alerts);
    act_table_free(&act);
}

void handle_alerts(struct route_ctx *c, const struct route_match *m)

{
    const char *state;
    int64_t offset, limit;
    struct dash_alerts alerts = {0};
    struct page_ctx p;
    route_page_ctx(c, &p);
    if (!http_parse_choice(c->req, "state", route_alert_states, "open", &state, c->err,
                           sizeof c->err) ||
        !http_parse_paging(c->req, PAGE_LIMIT_DEFAULT, &offset, &limit, c->err, sizeof c->err)) {
        route_fail(c, 400, c->err);
        return;
    }
    if (!route_load_departments(c))
        return;
    struct dash_filter period = c->filter;
    period.alerts_from_ms = router_day_start_ms(c->rt, period.from_day);
    period.alerts_to_ms = router_day_start_ms(c->rt, period.to_day);
    if (alerts_list(c->db, &c->user, &period, state, offset, limit, &alerts, c->err, sizeof c->err))
        page_alerts(&p, &alerts, state, offset, limit, &c->reply->body), route_html_done(c, 200);
    else
        route_fail_db(c, "alerts");
    dash_alerts_free(&alerts);
}

void handle_alert(struct route_ctx *c, const struct route_match *m)
{
    const char *id = m->arg;
    struct dash_alert a = {0};
    struct route_comments comments = {0};
    struct page_ctx p;
    route_page_ctx(c, &p);
    if (!route_load_departments(c))
        return;
    enum dashq_status st =
        alerts_get(c->db, &c->user, strtoll(id, NULL, 10), &a, c->err, sizeof c->err);
    if (st == DASHQ_NOT_FOUND)
        route_fail(c, 404, "No such alert.");
    else if (st != DASHQ_OK)
        route_fail_db(c, "alert");
    else if (route_comments_alert(c, &a, &comments))
        p.comments = &comments.page, page_alert(&p, &a, &c->reply->body), route_html_done(c, 200);
    route_comments_free(&comments);
    alerts_alert_free(&a);
}

/* POST /alerts/ID/acknowledge and /comment, then back to the alert. */
static void alert_post(struct route_ctx *c, const char *id, bool comment)
{
    int64_t n = strtoll(id, NULL, 10);
    enum dashq_status st;
    if (comment) {
        const char *body = http_form(c->req, "body");
        size_t len = body ? strlen(body) : 0;
        if (len == 0 || len > ALERTS_COMMENT_MAX_BYTES) {
            snprintf(c->err, sizeof c->err, "body: expected a comment of 1 to %d bytes, got %zu",
                     ALERTS_COMMENT_MAX_BYTES, len);
            route_fail(c, 400, c->err);
            return;
        }
        if (strspn(body, " \t\r\n\f\v") == len) {
            snprintf(c->err, sizeof c->err,
                     "body: expected a comment with some text, got only white space");
            route_fail(c, 400, c->err);
            return;
        }
        st = alerts_comment(c->db, &c->user, n, body, c->now_ms, c->err, sizeof c->err);
    } else {
        st = alerts_acknowledge(c->db, &c->user, n, c->now_ms, c->err, sizeof c->err);
    }
    if (st == DASHQ_NOT_FOUND) {
        route_fail(c, 404, "No such alert.");
    } else if (st != DASHQ_OK) {
        route_fail_db(c, comment ? "comment" : "acknowledge");
    } else {
        char to[64];
        snprintf(to, sizeof to, "/alerts/%" PRId64, n);
        route_redirect(c->reply, to);
    }
}

void handle_fleet(struct route_ctx *c, const struct route_match *m)

{
    static const char *const flags[] = {"1", "0", NULL};
    const char *problems;
    int64_t offset, limit;
    struct fleet fleet = {0};
    struct page_ctx p;
    route_page_ctx(c, &p);
    if (!http_parse_choice(c->req, "problems", flags, "0", &problems, c->err, sizeof c->err) ||
        !http_parse_paging(c->req, PAGE_LIMIT_DEFAULT, &offset, &limit, c->err, sizeof c->err)) {
        route_fail(c, 400, c->err);
        return;
    }
    if (!route_load_departments(c))
        return;
    if (kiosks_read_fleet(c->db, c->user.lang, &fleet, c->err, sizeof c->err)) {
        page_fleet(&p, &fleet, c->rt->silent_after_ms, offset, limit, !strcmp(problems, "1"),
                   &c->reply->body);
        route_html_done(c, 200);
    } else {
        route_fail_db(c, "fleet");
    }
    fleet_free(&fleet);
}

/* POST /fleet/rollout: the promote, pause, resume or stop of the rollout
 * under way by an admin or an allowed technician (updates.h; the router
 * has checked the role, the right to act on rollouts and the csrf token),
 * with an optional note; back to the fleet page. */
void handle_rollout_act(struct route_ctx *c, const struct route_match *m)
{
    static const char *const actions[] = {"promote", "pause", "resume", "stop", NULL};
    const char *action = http_form(c->req, "action"), *note = http_form(c->req, "note");
    bool known = false;
    for (int i = 0; action && actions[i]; i++)
        known |= !strcmp(action, actions[i]);
    if (!known) {
        route_fail(c, 400, "action: expected promote, pause, resume or stop");
        return;
    }
    if (note && strlen(note) > 300) {
        route_fail(c, 400, "note: expected at most 300 bytes");
        return;
    }
    if (!updates_act(c->db, action, c->user.name, note ? note : "", c->now_ms, c->err,
                     sizeof c->err)) {
        route_fail(c, 409, c->err);
        return;
    }
    log_info("rollout: %s by %s", action, c->user.name);
    route_redirect(c->reply, "/fleet");
}

/* POST /fleet/rollout/start: an admin or an allowed technician starts a
 * rollout of a published version with its canary kiosks (updates_start
 * checks both). */
void handle_rollout_start(struct route_ctx *c, const struct route_match *m)
{
    const char *version = http_form(c->req, "version"), *canary = http_form(c->req, "canary");
    if (!version || !version[0] || !canary || !canary[0]) {
        route_fail(c, 400, "expected a version and its canary kiosks");
        return;
    }
    if (!updates_start(c->db, version, canary, c->user.name, c->now_ms, c->err, sizeof c->err)) {
        route_fail(c, 409, c->err);
        return;
    }
    log_info("rollout: %s started by %s", version, c->user.name);
    route_redirect(c->reply, "/fleet");
}

void handle_logout(struct route_ctx *c, const struct route_match *m)

{
    if (!auth_logout(c->db, c->session, c->err, sizeof c->err)) {
        route_fail_db(c, "logout");
        return;
    }
    http_reply_header(c->reply, "Set-Cookie",
                      c->rt->secure_cookies ? AUTH_COOKIE_SECURE
                          "=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure"
                                            : AUTH_COOKIE
                          "=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0");
    route_redirect(c->reply, "/login");
}

void handle_acknowledge(struct route_ctx *c, const struct route_match *m)
{
    alert_post(c, m->arg, false);
}

void handle_comment(struct route_ctx *c, const struct route_match *m)
{
    alert_post(c, m->arg, true);
}

void handle_home(struct route_ctx *c, const struct route_match *m)
{
    route_redirect(c->reply, c->user.role == DASH_ROLE_TECHNICIAN ? "/fleet" : "/overview");
}
