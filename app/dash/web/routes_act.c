/*
 * routes_act: recognise and act (act.h) on the web: the organisation's
 * table (GET /alerts/times, /api/v1/alert-times), a department's row (for
 * its page), and an alert's owner and resolution:
 *
 *   POST /alerts/ID/assign    field assignee: a user name ("" unassigns)
 *   POST /alerts/ID/resolve   field note: what was done (1..1000 bytes)
 *
 * The router has checked the role and the csrf token.  Alerts count in
 * the period they opened in; the user's scope applies as everywhere.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "act.h"
#include "alerts.h"
#include "api.h"
#include "pages.h"
#include "router_private.h"

#define ACT_MAX_ALERTS 10000 /* alerts read for one table: years of a large fleet */

bool route_act_load(struct route_ctx *c, const char *department, struct act_table *out)
{
    *out = (struct act_table){0};
    struct dash_filter period = c->filter;
    if (department)
        snprintf(period.department, sizeof period.department, "%s", department);
    int64_t from = router_day_start_ms(c->rt, period.from_day);
    int64_t to = router_day_start_ms(c->rt, period.to_day);
    period.alerts_from_ms = from;
    period.alerts_to_ms = to;
    struct dash_alerts alerts = {0};
    bool ok = alerts_list(c->db, &c->user, &period, "all", 0, ACT_MAX_ALERTS, &alerts, c->err,
                          sizeof c->err);
    size_t kept = 0;
    for (size_t i = 0; ok && i < alerts.n; i++) /* opened in the period, not only open in it */
        if (alerts.items[i].opened_ms >= from && alerts.items[i].opened_ms < to)
            alerts.items[kept++] = alerts.items[i];
    if (ok && !act_table_build(alerts.items, kept, out)) {
        snprintf(c->err, sizeof c->err, "out of memory");
        ok = false;
    }
    dash_alerts_free(&alerts);
    return ok;
}

void handle_alert_times(struct route_ctx *c, const struct route_match *m)
{
    struct act_table t;
    struct page_ctx p;
    route_page_ctx(c, &p);
    if (!route_load_departments(c))
        return;
    if (route_act_load(c, NULL, &t))
        page_act_times(&p, &t, &c->reply->body), route_html_done(c, 200);
    else
        route_fail_db(c, "recognise and act");
    act_table_free(&t);
}

bool route_api_act_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                        enum api_format format)
{
    struct act_table t;
    bool ok = route_act_load(c, NULL, &t);
    if (ok) {
        api_act_times(&t, page, format, body);
        page->limit = (int64_t)t.n + 1;
    } else {
        route_fail_db(c, "recognise and act");
    }
    act_table_free(&t);
    return ok;
}

/* The reply to an assign or resolve: back to the alert, or why not. */
static void act_reply(struct route_ctx *c, enum dashq_status st, int64_t id, const char *what)
{
    if (st == DASHQ_NOT_FOUND) {
        route_fail(c, 404, "No such alert.");
    } else if (st == DASHQ_INVALID) {
        route_fail(c, 400, c->err);
    } else if (st != DASHQ_OK) {
        route_fail_db(c, what);
    } else {
        char to[64];
        snprintf(to, sizeof to, "/alerts/%" PRId64 "#act", id);
        route_redirect(c->reply, to);
    }
}

void handle_assign(struct route_ctx *c, const struct route_match *m)
{
    int64_t id = strtoll(m->arg, NULL, 10);
    const char *assignee = http_form(c->req, "assignee");
    if (!assignee) {
        route_fail(c, 400, "assignee: expected a user name, or empty to unassign");
        return;
    }
    act_reply(c, alerts_assign(c->db, &c->user, id, assignee, c->now_ms, c->err, sizeof c->err), id,
              "assign");
}

void handle_resolve(struct route_ctx *c, const struct route_match *m)
{
    int64_t id = strtoll(m->arg, NULL, 10);
    const char *note = http_form(c->req, "note");
    size_t len = note ? strlen(note) : 0;
    if (!note || strspn(note, " \t\r\n\f\v") == len) {
        route_fail(c, 400, "note: expected what was done, got nothing");
        return;
    }
    act_reply(c, alerts_resolve(c->db, &c->user, id, note, c->now_ms, c->err, sizeof c->err), id,
              "resolve");
}
