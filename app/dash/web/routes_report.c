/*
 * routes_report: a team's evaluation report, /report/ID (the printable
 * page) and /api/v1/report?department=ID (its numbers as JSON or CSV),
 * over the filter's period.  Both load the same values here, so the page
 * and the API cannot disagree.  Who may, router.c checks; a head reaches
 * only their own departments (dash_user_sees), and the league it is
 * compared with gives a head sums and ranks only.
 */
#include <stdio.h>
#include <string.h>

#include "alerts.h"
#include "attributed.h"
#include "pages.h"
#include "router_private.h"
#include "routes_comments.h"

/* A report lists at most this many of the period's alerts. */
#define REPORT_ALERTS 50

void route_report_free(struct route_report *r)
{
    dash_department_free(&r->department);
    dash_league_free(&r->league);
    dash_alerts_free(&r->alerts);
    report_free(&r->report);
    attributed_free(&r->attributed);
}

bool route_report_load(struct route_ctx *c, const char *id, struct route_report *out)
{
    *out = (struct route_report){0};
    if (!dash_user_sees(&c->user, id)) {
        route_fail(c, 404, "No such department.");
        return false;
    }
    struct dash_filter whole = c->filter; /* the league: every department, for the sums */
    whole.department[0] = whole.group[0] = '\0';
    struct dash_filter mine = c->filter;
    snprintf(mine.department, sizeof mine.department, "%s", id);
    mine.alerts_from_ms = router_day_start_ms(c->rt, mine.from_day);
    mine.alerts_to_ms = router_day_start_ms(c->rt, mine.to_day);
    enum dashq_status st =
        dashq_department(c->db, &c->user, &c->filter, id, &out->department, c->err, sizeof c->err);
    if (st == DASHQ_NOT_FOUND) {
        route_fail(c, 404, "No such department.");
        return false;
    }
    if (st != DASHQ_OK ||
        !dashq_league(c->db, &c->user, &whole, &out->league, c->err, sizeof c->err) ||
        !alerts_list(c->db, &c->user, &mine, "all", 0, REPORT_ALERTS, &out->alerts, c->err,
                     sizeof c->err) ||
        attributed_read(c->db, &c->user, &c->filter, id, &out->attributed, c->err, sizeof c->err) ==
            DASHQ_ERROR) {
        route_fail_db(c, "report");
        return false;
    }
    if (!report_build(&out->department, &out->league, c->filter.from_day, c->filter.to_day,
                      &out->report)) {
        c->reply->failed = true;
        return false;
    }
    return true;
}

void handle_report(struct route_ctx *c, const struct route_match *m)
{
    struct route_report r;
    struct page_ctx p;
    route_page_ctx(c, &p);
    struct route_comments comments = {0};
    if (route_report_load(c, m->arg, &r) &&
        route_comments_load(c, m->arg, router_day_start_ms(c->rt, c->filter.from_day),
                            router_day_start_ms(c->rt, c->filter.to_day), &comments)) {
        p.comments = &comments.page;
        p.attributed = r.attributed.team[0] ? &r.attributed : NULL;
        page_report(&p, &r.department, &r.report, &r.alerts, &c->reply->body);
        route_html_done(c, 200);
    }
    route_comments_free(&comments);
    route_report_free(&r);
}
