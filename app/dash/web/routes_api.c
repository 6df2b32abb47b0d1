/*
 * routes_api: /api/v1/NAME[.csv|.json]: the same values as the pages, as
 * JSON or CSV (api.h), paged by offset and limit with X-More-Available and
 * Link: rel="next"; CSV downloads name their period in the file name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "attributed.h"
#include "consistency.h"
#include "refresher.h"
#include "router_private.h"
#include "routes_comments.h"

#define API_LIMIT_DEFAULT 1000

/* The same URL with offset moved on, for Link: rel="next". */
static void next_link(const struct route_ctx *c, int64_t offset, int64_t limit, struct strbuf *out)
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

static void api_headers(struct route_ctx *c, const struct route_match *m, bool dated,
                        const struct api_page *page)
{
    const char *name = route_api_name(m->route);
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
    if (m->format == API_JSON) {
        reply->type = "application/json; charset=utf-8";
        return;
    }
    reply->type = "text/csv; charset=utf-8";
    char from[16], to[16], disposition[160];
    dash_day_format(c->filter.from_day, from, sizeof from);
    dash_day_format(c->filter.to_day - 1, to, sizeof to);
    if (dated)
        snprintf(disposition, sizeof disposition, "attachment; filename=\"wowdash-%s-%s-%s.csv\"",
                 name, from, to);
    else
        snprintf(disposition, sizeof disposition, "attachment; filename=\"wowdash-%s.csv\"", name);
    http_reply_header(reply, "Content-Disposition", disposition);
}

/* format= must agree with a .csv/.json suffix. */
static bool api_format(struct route_ctx *c, struct route_match *m)
{
    static const char *const formats[] = {"json", "csv", NULL};
    const char *f;
    if (!http_parse_choice(c->req, "format", formats, NULL, &f, c->err, sizeof c->err))
        return false;
    if (f && m->arg[0] && strcmp(f, m->arg + 1) != 0) {
        snprintf(c->err, sizeof c->err, "format: the path asks for %s, the parameter for %s",
                 m->arg + 1, f);
        return false;
    }
    if (f)
        m->format = !strcmp(f, "csv") ? API_CSV : API_JSON;
    return true;
}

static bool api_counts_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                            enum api_format format)
{
    static const char *const grains[] = {"day", "hour", "week", NULL};
    static const char *const bys[] = {"department", "kiosk", NULL};
    const char *grain, *by;
    if (!http_parse_choice(c->req, "granularity", grains, "day", &grain, c->err, sizeof c->err) ||
        !http_parse_choice(c->req, "by", bys, "department", &by, c->err, sizeof c->err)) {
        route_fail(c, 400, c->err);
        return false;
    }
    struct dash_count_rows rows = {0};
    bool ok = !strcmp(grain, "week")
                  ? dashq_counts_weekly(c->db, &c->user, &c->filter, !strcmp(by, "kiosk"),
                                        page->offset, page->limit, &rows, c->err, sizeof c->err)
                  : dashq_counts(c->db, &c->user, &c->filter, !strcmp(grain, "hour"),
                                 !strcmp(by, "kiosk"), page->offset, page->limit, &rows, c->err,
                                 sizeof c->err);
    page->more = rows.more;
    if (ok)
        api_counts(&rows, page, format, body);
    else
        route_fail_db(c, "counts");
    dash_count_rows_free(&rows);
    return ok;
}

static bool api_reasons_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                             enum api_format format)
{
    struct dash_reason_count_rows rows = {0};
    bool ok = dashq_reasons(c->db, &c->user, &c->filter, page->offset, page->limit, &rows, c->err,
                            sizeof c->err);
    page->more = rows.more;
    if (ok)
        api_reasons(&rows, page, format, body);
    else
        route_fail_db(c, "reasons");
    dash_reason_count_rows_free(&rows);
    return ok;
}

static bool api_departments_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                                 enum api_format format)
{
    bool ok = route_load_departments(c);
    if (ok)
        api_departments(&c->departments, page, format, body);
    return ok;
}

static bool api_kiosks_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                            enum api_format format)
{
    struct dash_kiosk_rows rows = {0};
    bool ok =
        dashq_kiosks(c->db, &c->user, page->offset, page->limit, &rows, c->err, sizeof c->err);
    page->more = rows.more;
    if (ok)
        api_kiosks(&rows, page, format, body);
    else
        route_fail_db(c, "kiosks");
    dash_kiosk_rows_free(&rows);
    return ok;
}

static bool api_alerts_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                            enum api_format format)
{
    const char *state;
    if (!http_parse_choice(c->req, "state", route_alert_states, "open", &state, c->err,
                           sizeof c->err)) {
        route_fail(c, 400, c->err);
        return false;
    }
    struct dash_alerts alerts = {0};
    bool ok = alerts_list(c->db, &c->user, &c->filter, state, page->offset, page->limit, &alerts,
                          c->err, sizeof c->err);
    page->more = alerts.more;
    if (ok)
        api_alerts(&alerts, page, format, body);
    else
        route_fail_db(c, "alerts");
    dash_alerts_free(&alerts);
    return ok;
}

/* The format and paging, then the body into a buffer of its own, so a
 * failure replaces nothing half-written (rows fills it, or makes the
 * failure's reply); dated: the CSV's file name
 * carries the period. */
static void api_answer(struct route_ctx *c, const struct route_match *match,
                       bool (*rows)(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                                    enum api_format format),
                       bool dated)
{
    struct route_match m = *match;
    struct api_page page = {0};
    if (!api_format(c, &m) || !http_parse_paging(c->req, API_LIMIT_DEFAULT, &page.offset,
                                                 &page.limit, c->err, sizeof c->err)) {
        route_fail(c, 400, c->err);
        return;
    }
    struct strbuf body = {0};
    if (rows(c, &page, &body, m.format)) {
        strbuf_free(&c->reply->body);
        c->reply->body = body;
        api_headers(c, &m, dated, &page);
    } else {
        strbuf_free(&body);
    }
}

void handle_api_counts(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_counts_rows, true);
}

void handle_api_reasons(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_reasons_rows, true);
}

void handle_api_comments(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, route_comments_api, true);
}

void handle_api_departments(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_departments_rows, false);
}

void handle_api_kiosks(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_kiosks_rows, false);
}

void handle_api_alerts(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_alerts_rows, true);
}

void handle_api_alert_times(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, route_api_act_rows, true);
}

/* A team's evaluation report (routes_report.c loads it): ?department= is required. */
static bool api_report_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                            enum api_format format)
{
    if (!c->filter.department[0]) {
        route_fail(c, 400, "department: expected the id of the department the report is for");
        return false;
    }
    struct route_report r;
    bool ok = route_report_load(c, c->filter.department, &r);
    if (ok) {
        const struct dash_department *d = &r.department;
        const struct attributed *a = r.attributed.team[0] ? &r.attributed : NULL;
        api_report(&r.report, d->id, d->name[0] ? d->name : d->id, a, format, body);
        page->limit = (int64_t)(4 + r.report.weeks_n + (a && a->internal ? 2 : 0));
    }
    route_report_free(&r);
    return ok;
}

/* A department's consistency: ?department= is required. */
static bool api_consistency_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                                 enum api_format format)
{
    if (!c->filter.department[0]) {
        route_fail(c, 400, "department: expected the id of the department to measure");
        return false;
    }
    struct dash_department d = {0};
    enum dashq_status st = dashq_department(c->db, &c->user, &c->filter, c->filter.department, &d,
                                            c->err, sizeof c->err);
    if (st == DASHQ_NOT_FOUND)
        route_fail(c, 404, "No such department.");
    else if (st != DASHQ_OK)
        route_fail_db(c, "consistency");
    if (st == DASHQ_OK) {
        struct consistency k;
        consistency_of(&d, &k);
        api_consistency(&k, d.id, format, body);
        page->limit = (int64_t)(1 + k.weakest_n);
    }
    dash_department_free(&d);
    return st == DASHQ_OK;
}

/* Customers' answers traced to the teams owning their cause: ?department=
 * one team in detail, else every internal team the user sees, ranked. */
static bool api_attributed_rows(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                                enum api_format format)
{
    struct attributed one = {0}, *teams = NULL;
    size_t n = 0;
    bool ok;
    if (c->filter.department[0]) {
        enum dashq_status st = attributed_read(c->db, &c->user, &c->filter, c->filter.department,
                                               &one, c->err, sizeof c->err);
        if (st == DASHQ_NOT_FOUND)
            route_fail(c, 404, "No such department.");
        else if (st != DASHQ_OK)
            route_fail_db(c, "attributed answers");
        ok = st == DASHQ_OK;
        if (ok)
            api_attributed(&one, 1, true, format, body);
        page->limit = (int64_t)(1 + one.places_n + one.reasons_n + one.days);
        attributed_free(&one);
        return ok;
    }
    ok = attributed_league(c->db, &c->user, &c->filter, &teams, &n, c->err, sizeof c->err);
    if (!ok)
        route_fail_db(c, "attributed answers");
    else
        api_attributed(teams, n, false, format, body);
    page->limit = (int64_t)n;
    for (size_t i = 0; i < n; i++)
        attributed_free(&teams[i]);
    free(teams);
    return ok;
}

void handle_api_attributed(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_attributed_rows, true);
}

void handle_api_consistency(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_consistency_rows, true);
}

void handle_api_report(struct route_ctx *c, const struct route_match *m)
{
    api_answer(c, m, api_report_rows, true);
}

/* {"generation": N}: serve.c holds it back while N is the page's ?since. */
void handle_api_live(struct route_ctx *c, const struct route_match *m)
{
    if (m->format != API_JSON) {
        route_fail(c, 404, "the live generation is JSON only");
        return;
    }
    c->reply->status = 200;
    c->reply->type = "application/json; charset=utf-8";
    strbuf_puts(&c->reply->body, "{\"generation\": ");
    strbuf_int(&c->reply->body, (int64_t)refresher_generation(c->rt->refresher));
    strbuf_puts(&c->reply->body, "}\n");
}
