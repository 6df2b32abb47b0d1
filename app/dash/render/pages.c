/* pages: the dashboard's server-rendered pages (see pages.h). */
#include "pages.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fleet_render.h"
#include "html.h"
#include "score.h"
#include "strbuf.h"
#include "svg.h"

#define DASH "–" /* what a number with n = 0 shows */

static const char *const period_names[] = {"today",        "yesterday",  "this_week", "last_week",
                                           "last_30_days", "this_month", "custom"};
static const char *const period_labels[] = {
    "Today", "Yesterday", "This week", "Last week", "Last 30 days", "This month", "Custom range"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const weekday_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const face_names[] = {"Very unhappy", "Unhappy", "Happy", "WOW"};

/* ---- words and numbers ------------------------------------------------- */

const char *page_period_name(enum dash_period period)
{
    return (unsigned)period < sizeof period_names / sizeof period_names[0] ? period_names[period]
                                                                           : "last_30_days";
}

static const char *period_label(enum dash_period period)
{
    return (unsigned)period < sizeof period_labels / sizeof period_labels[0] ? period_labels[period]
                                                                             : "Period";
}

void page_period_words(int32_t from_day, int32_t to_day, char *buf, size_t size)
{
    if (to_day <= from_day) {
        snprintf(buf, size, "no days");
        return;
    }
    int y1, m1, d1, y2, m2, d2;
    dash_date_from_day(from_day, &y1, &m1, &d1);
    dash_date_from_day(to_day - 1, &y2, &m2, &d2);
    if (to_day - from_day == 1)
        snprintf(buf, size, "%d %s %d", d1, month_names[m1 - 1], y1);
    else if (y1 == y2 && m1 == m2)
        snprintf(buf, size, "%d–%d %s %d", d1, d2, month_names[m1 - 1], y1);
    else if (y1 == y2)
        snprintf(buf, size, "%d %s – %d %s %d", d1, month_names[m1 - 1], d2, month_names[m2 - 1],
                 y1);
    else
        snprintf(buf, size, "%d %s %d – %d %s %d", d1, month_names[m1 - 1], y1, d2,
                 month_names[m2 - 1], y2);
}

/* v with one decimal and '.', whatever the locale ("72.4"); DASH for
 * NaN or infinity. */
static void num1(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, DASH);
        return;
    }
    v = v > 1e12 ? 1e12 : v < -1e12 ? -1e12 : v;
    long long tenths = llround(v * 10.0);
    snprintf(buf, size, "%s%lld.%lld", tenths < 0 ? "-" : "", llabs(tenths) / 10,
             llabs(tenths) % 10);
}

/* A share 0..1 as "85.1%"; DASH for NaN. */
static void pct(double share, char *buf, size_t size)
{
    if (!isfinite(share)) {
        snprintf(buf, size, DASH);
        return;
    }
    long long tenths = llround(share * 1000.0);
    snprintf(buf, size, "%s%lld.%lld%%", tenths < 0 ? "-" : "", llabs(tenths) / 10,
             llabs(tenths) % 10);
}

/* "68.1–76.5" (or with '%' for shares). */
static void interval(double lo, double hi, bool share, char *buf, size_t size)
{
    char a[24], b[24];
    if (share) {
        num1(lo * 100, a, sizeof a);
        num1(hi * 100, b, sizeof b);
        snprintf(buf, size, "%s–%s%%", a, b);
    } else {
        num1(lo, a, sizeof a);
        num1(hi, b, sizeof b);
        snprintf(buf, size, "%s–%s", a, b);
    }
}

/* "1 response", "512 responses". */
static void responses(int64_t n, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRId64 " response%s", n, n == 1 ? "" : "s");
}

static void put_int(struct strbuf *out, int64_t v)
{
    strbuf_int(out, v);
}

/* ---- links ------------------------------------------------------------- */

void page_filter_query(const struct dash_filter *f, struct strbuf *out)
{
    strbuf_puts(out, "period=");
    strbuf_puts(out, page_period_name(f->period));
    if (f->period == DASH_PERIOD_CUSTOM) {
        char day[16];
        dash_day_format(f->from_day, day, sizeof day);
        strbuf_puts(out, "&from=");
        strbuf_puts(out, day);
        dash_day_format(f->to_day - 1, day, sizeof day);
        strbuf_puts(out, "&to=");
        strbuf_puts(out, day);
    }
    if (f->department[0]) {
        strbuf_puts(out, "&department=");
        html_url_encode(out, f->department);
    }
    if (f->group[0]) {
        strbuf_puts(out, "&group=");
        html_url_encode(out, f->group);
    }
    if (f->include_misuse)
        strbuf_puts(out, "&misuse=1");
}

/* Appends path, then segment percent-encoded (NULL: none), then '?' and
 * the filter and extra (raw query text, NULL: none), all escaped for a
 * quoted attribute: the value of an href or action. */
static void url(struct strbuf *out, const char *path, const char *segment,
                const struct dash_filter *f, const char *extra)
{
    strbuf_puts(out, path);
    if (segment)
        html_url_encode(out, segment);
    struct strbuf q = {0};
    if (f)
        page_filter_query(f, &q);
    if (extra && extra[0]) {
        if (q.len)
            strbuf_puts(&q, "&");
        strbuf_puts(&q, extra);
    }
    if (q.failed)
        out->failed = true;
    if (q.len) {
        strbuf_puts(out, "?");
        html_escape(out, q.data);
    }
    strbuf_free(&q);
}

/* <a href="..."> for url()'s arguments; the caller writes the text and </a>. */
static void link_open(struct strbuf *out, const char *path, const char *segment,
                      const struct dash_filter *f, const char *extra)
{
    strbuf_puts(out, "<a href=\"");
    url(out, path, segment, f, extra);
    strbuf_puts(out, "\">");
}

/* The filter of a row's link: ctx's, with department and group replaced. */
static struct dash_filter filter_with(const struct dash_filter *f, const char *department,
                                      const char *group)
{
    struct dash_filter copy = *f;
    snprintf(copy.department, sizeof copy.department, "%s", department);
    snprintf(copy.group, sizeof copy.group, "%s", group);
    return copy;
}

/* ---- times ------------------------------------------------------------- */

/* <time> for a UTC instant: "2026-11-28 12:00 UTC (3 h ago)"; "–" for 0. */
static void put_time(struct strbuf *out, int64_t at_ms, int64_t now_ms)
{
    if (at_ms == 0) {
        strbuf_puts(out, DASH);
        return;
    }
    char iso[32], age[40], line[64];
    clock_format_utc(at_ms, iso, sizeof iso);
    fleet_format_age(now_ms - at_ms, age, sizeof age);
    snprintf(line, sizeof line, "%.10s %.5s UTC", iso, iso + 11);
    strbuf_puts(out, "<time datetime=\"");
    html_escape(out, iso);
    strbuf_puts(out, "\">");
    strbuf_puts(out, line);
    strbuf_puts(out, "</time> <span class=\"age\">(");
    strbuf_puts(out, age);
    strbuf_puts(out, ")</span>");
}

/* ---- the frame --------------------------------------------------------- */

static const char *role_name(enum dash_role role)
{
    return role == DASH_ROLE_ADMIN ? "admin" : role == DASH_ROLE_HEAD ? "head" : "technician";
}

static void nav_item(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                     const char *text, bool current)
{
    strbuf_puts(out, "<li><a href=\"");
    url(out, path, NULL, ctx->filter, NULL);
    strbuf_puts(out, current ? "\" aria-current=\"page\">" : "\">");
    strbuf_puts(out, text);
    strbuf_puts(out, "</a></li>");
}

/* A hidden csrf field (the session's token). */
static void csrf_field(struct strbuf *out, const struct page_ctx *ctx)
{
    strbuf_puts(out, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_escape(out, ctx && ctx->csrf ? ctx->csrf : "");
    strbuf_puts(out, "\">");
}

/* The nav bar: the pages the user's role may open, its name, log out. */
static void nav(struct strbuf *out, const struct page_ctx *ctx, const char *active)
{
    const struct dash_user *u = ctx->user;
    strbuf_puts(out, "<header class=\"top\"><nav aria-label=\"Main\"><a class=\"brand\" href=\"");
    url(out, "/", NULL, ctx->filter, NULL);
    strbuf_puts(out, "\">wowdash</a><ul>");
    bool reads = u && u->role != DASH_ROLE_TECHNICIAN;
    if (reads) {
        nav_item(out, ctx, "/overview", "Overview", !strcmp(active, "overview"));
        nav_item(out, ctx, "/alerts", "Alerts", !strcmp(active, "alerts"));
    }
    if (u && u->role != DASH_ROLE_HEAD)
        nav_item(out, ctx, "/fleet", "Fleet", !strcmp(active, "fleet"));
    strbuf_puts(out, "</ul>");
    if (u) {
        strbuf_puts(out, "<div class=\"who\"><span class=\"user\">");
        html_escape(out, u->name);
        strbuf_puts(out, "</span> <span class=\"role\">");
        strbuf_puts(out, role_name(u->role));
        strbuf_puts(out, "</span><form method=\"post\" action=\"/logout\" class=\"logout\">");
        csrf_field(out, ctx);
        strbuf_puts(out, "<button type=\"submit\">Log out</button></form></div>");
    }
    strbuf_puts(out, "</nav></header>\n");
}

static void option(struct strbuf *out, const char *value, const char *text, bool selected)
{
    strbuf_puts(out, "<option value=\"");
    html_escape(out, value);
    strbuf_puts(out, selected ? "\" selected>" : "\">");
    html_escape(out, text);
    strbuf_puts(out, "</option>");
}

/* The department and group selects, from ctx->departments (the
 * departments the user may see; each group once). */
static void scope_selects(struct strbuf *out, const struct page_ctx *ctx)
{
    const struct dash_filter *f = ctx->filter;
    const struct dash_departments *d = ctx->departments;
    size_t n = d ? d->n : 0;
    strbuf_puts(out, "<div class=\"field\"><label for=\"f-department\">Department</label>"
                     "<select id=\"f-department\" name=\"department\">");
    option(out, "", "All departments", !f->department[0]);
    for (size_t i = 0; i < n; i++)
        option(out, d->items[i].id, d->items[i].name, !strcmp(f->department, d->items[i].id));
    strbuf_puts(out, "</select></div><div class=\"field\"><label for=\"f-group\">Group</label>"
                     "<select id=\"f-group\" name=\"group\">");
    option(out, "", "All groups", !f->group[0]);
    for (size_t i = 0; i < n; i++) {
        const struct dash_department_info *g = &d->items[i];
        bool seen = !g->group[0];
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(d->items[j].group, g->group);
        if (!seen)
            option(out, g->group, g->group_name[0] ? g->group_name : g->group,
                   !strcmp(f->group, g->group));
    }
    strbuf_puts(out, "</select></div>");
}

/* The filter form (GET to path and segment, as url() writes them):
 * period, dates, department, group, misuse. */
static void filter_form(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                        const char *segment)
{
    const struct dash_filter *f = ctx->filter;
    strbuf_puts(out, "<form class=\"filter\" method=\"get\" action=\"");
    url(out, path, segment, NULL, NULL);
    strbuf_puts(out, "\"><div class=\"field\"><label for=\"f-period\">Period</label>"
                     "<select id=\"f-period\" name=\"period\">");
    for (int p = DASH_PERIOD_TODAY; p <= DASH_PERIOD_CUSTOM; p++)
        option(out, period_names[p],
               p == DASH_PERIOD_CUSTOM ? "Custom range (the dates)" : period_labels[p],
               (int)f->period == p);
    char from[16], to[16];
    dash_day_format(f->from_day, from, sizeof from);
    dash_day_format(f->to_day - 1, to, sizeof to);
    strbuf_puts(out, "</select></div><div class=\"field\"><label for=\"f-from\">From</label>"
                     "<input type=\"date\" id=\"f-from\" name=\"from\" value=\"");
    strbuf_puts(out, from);
    strbuf_puts(out, "\"></div><div class=\"field\"><label for=\"f-to\">To</label>"
                     "<input type=\"date\" id=\"f-to\" name=\"to\" value=\"");
    strbuf_puts(out, to);
    strbuf_puts(out, "\"></div>");
    scope_selects(out, ctx);
    strbuf_puts(out, "<div class=\"field check\"><input type=\"checkbox\" id=\"f-misuse\" "
                     "name=\"misuse\" value=\"1\"");
    strbuf_puts(out, f->include_misuse ? " checked" : "");
    strbuf_puts(out, "><label for=\"f-misuse\">Include misuse</label></div>"
                     "<button type=\"submit\">Apply</button></form>\n");
}

/* "Last 30 days: 28 Oct – 26 Nov 2026, Europe/Helsinki." */
static void period_line(struct strbuf *out, const struct page_ctx *ctx)
{
    const struct dash_filter *f = ctx->filter;
    char words[80];
    page_period_words(f->from_day, f->to_day, words, sizeof words);
    strbuf_puts(out, "<p class=\"period\"><strong>");
    strbuf_puts(out, period_label(f->period));
    strbuf_puts(out, ":</strong> ");
    strbuf_puts(out, words);
    if (ctx->zone && ctx->zone[0]) {
        strbuf_puts(out, ", ");
        html_escape(out, ctx->zone);
    }
    strbuf_puts(out, f->include_misuse ? ". Misuse included." : ". Misuse left out.");
    strbuf_puts(out, "</p>\n");
}

/* The head, nav, <main>, the <h1> (title escaped) and, when path is not
 * NULL, the filter form sending there (path and segment as url() takes
 * them) and the period line. */
static void frame_begin(struct strbuf *out, const struct page_ctx *ctx, const char *title,
                        const char *active, const char *path, const char *segment)
{
    html_page_head(out, title);
    nav(out, ctx, active);
    strbuf_puts(out, "<main>\n<h1>");
    html_escape(out, title);
    strbuf_puts(out, "</h1>\n");
    if (path) {
        filter_form(out, ctx, path, segment);
        period_line(out, ctx);
    }
}

static void frame_end(struct strbuf *out)
{
    strbuf_puts(out, "</main>\n");
    html_page_end(out);
}

/* ---- cells ------------------------------------------------------------- */

/* A league number: the value, its 95 % interval under it, and in its
 * title over how many responses it stands; DASH with n = 0.  Plain cells
 * (the stylesheet aligns the columns): a league of 100 departments must
 * stay light. */
static void score_cell(struct strbuf *out, double v, double lo, double hi, bool share, int64_t n)
{
    if (n <= 0 || !isfinite(v)) {
        strbuf_puts(out, "<td title=\"No responses\">" DASH "</td>");
        return;
    }
    char value[32], ci[64], over[48];
    if (share)
        pct(v, value, sizeof value);
    else
        num1(v, value, sizeof value);
    interval(lo, hi, share, ci, sizeof ci);
    responses(n, over, sizeof over);
    strbuf_puts(out, "<td title=\"");
    strbuf_puts(out, over);
    strbuf_puts(out, "\">");
    strbuf_puts(out, value);
    if (isfinite(lo) && isfinite(hi)) {
        strbuf_puts(out, "<small>");
        strbuf_puts(out, ci);
        strbuf_puts(out, "</small>");
    }
    strbuf_puts(out, "</td>");
}

/* The change against the previous period: "▲ +5.1" in bold when the
 * intervals do not overlap (score_changed), the bare difference in grey
 * when they do, DASH when either period has no responses. */
static void change_text(struct strbuf *out, const struct score *now, const struct score *prev,
                        char *title, size_t size)
{
    char before[48], diff[32];
    if (now->n <= 0 || prev->n <= 0) {
        snprintf(title, size, "%s",
                 now->n <= 0 ? "No responses in this period"
                             : "No responses in the previous period");
        strbuf_puts(out, DASH);
        return;
    }
    double d = now->index - prev->index;
    num1(fabs(d), diff, sizeof diff);
    char pv[32], over[48];
    num1(prev->index, pv, sizeof pv);
    responses(prev->n, over, sizeof over);
    snprintf(before, sizeof before, "%s", pv);
    const char *sign = d > 0.05 ? "+" : d < -0.05 ? "-" : "±";
    if (score_changed(now, prev)) {
        snprintf(title, size, "Clear change. Before: %s over %s; intervals apart", before, over);
        strbuf_puts(out, d > 0 ? "<strong class=\"up\"><span aria-hidden=\"true\">▲</span> "
                               : "<strong class=\"down\"><span aria-hidden=\"true\">▼</span> ");
        strbuf_puts(out, d > 0 ? "up " : "down ");
        strbuf_puts(out, sign);
        strbuf_puts(out, diff);
        strbuf_puts(out, "</strong>");
    } else {
        snprintf(title, size, "Within the noise. Before: %s over %s; intervals overlap", before,
                 over);
        strbuf_puts(out, "<span class=\"same\">");
        strbuf_puts(out, sign);
        strbuf_puts(out, diff);
        strbuf_puts(out, "</span>");
    }
}

static void change_cell(struct strbuf *out, const struct score *now, const struct score *prev)
{
    struct strbuf text = {0};
    char title[200];
    change_text(&text, now, prev, title, sizeof title);
    strbuf_puts(out, "<td title=\"");
    strbuf_puts(out, title);
    strbuf_puts(out, "\">");
    strbuf_puts(out, text.data ? text.data : "");
    strbuf_puts(out, "</td>");
    if (text.failed)
        out->failed = true;
    strbuf_free(&text);
}

/* ---- alerts in lists --------------------------------------------------- */

static const char *state_name(enum dash_alert_state state)
{
    return state == DASH_ALERT_OPEN           ? "open"
           : state == DASH_ALERT_ACKNOWLEDGED ? "acknowledged"
                                              : "closed";
}

static bool kind_is(const struct dash_alert *a, const char *kind)
{
    return !strcmp(a->kind, kind);
}

/* v as the alert's kind reads it: an index, a count, or a share. */
static void alert_number(const struct dash_alert *a, double v, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, DASH);
    else if (kind_is(a, "index_below") || kind_is(a, "index_above"))
        num1(v, buf, size);
    else if (kind_is(a, "answer_count"))
        snprintf(buf, size, "%lld", (long long)llround(v));
    else
        pct(v, buf, size);
}

/* What the alert's value is, in words. */
static const char *alert_measure(const struct dash_alert *a)
{
    if (kind_is(a, "index_below") || kind_is(a, "index_above"))
        return "index";
    if (kind_is(a, "answer_count"))
        return "answers";
    return "negative share";
}

static void alert_link(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, a->id);
    link_open(out, "/alerts/", id, ctx->filter, NULL);
}

/* "negative share 34.0% over 120 responses" */
static void alert_value_text(struct strbuf *out, const struct dash_alert *a)
{
    char value[32], over[48];
    alert_number(a, a->value, value, sizeof value);
    responses(a->responses, over, sizeof over);
    strbuf_puts(out, alert_measure(a));
    strbuf_puts(out, " ");
    strbuf_puts(out, value);
    strbuf_puts(out, " over ");
    strbuf_puts(out, over);
}

/* Alerts as a list of links (the overview's open alerts, a department's). */
static void alert_list(struct strbuf *out, const struct page_ctx *ctx,
                       const struct dash_alerts *alerts, const char *empty)
{
    if (!alerts || alerts->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        strbuf_puts(out, empty);
        strbuf_puts(out, "</p>\n");
        return;
    }
    strbuf_puts(out, "<ul class=\"alert-list\">\n");
    for (size_t i = 0; i < alerts->n; i++) {
        const struct dash_alert *a = &alerts->items[i];
        strbuf_puts(out, "<li class=\"alert ");
        strbuf_puts(out, state_name(a->state));
        strbuf_puts(out, "\"><span class=\"state\">");
        strbuf_puts(out, state_name(a->state));
        strbuf_puts(out, "</span> ");
        alert_link(out, ctx, a);
        strbuf_puts(out, "<strong>");
        html_escape(out, a->department_name[0] ? a->department_name : a->department);
        strbuf_puts(out, "</strong>: ");
        html_escape(out, a->detail[0] ? a->detail : a->kind);
        strbuf_puts(out, "</a> <span class=\"meta\">");
        alert_value_text(out, a);
        strbuf_puts(out, " · opened ");
        put_time(out, a->opened_ms, ctx->now_ms);
        strbuf_puts(out, "</span></li>\n");
    }
    strbuf_puts(out, "</ul>\n");
}

/* ---- overview ---------------------------------------------------------- */

/* The overview lists this many open alerts; the alerts page has them all. */
#define OVERVIEW_ALERTS 10

/* A league row with its numbers, computed once. */
struct entry {
    const struct dash_league_row *row;
    struct score now, prev;
    double shrunk;
};

static int compare_entries(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->row->is_group != y->row->is_group)
        return x->row->is_group ? 1 : -1;
    if ((x->now.n > 0) != (y->now.n > 0))
        return x->now.n > 0 ? -1 : 1;
    if (x->shrunk != y->shrunk)
        return x->shrunk > y->shrunk ? -1 : 1;
    return strcmp(x->row->name, y->row->name);
}

/* The mean index of every visible department's responses together (the
 * league's prior); 50 when there are none. */
static double league_prior(const struct dash_league *league)
{
    struct dash_counts sum = {0};
    for (size_t i = 0; i < league->n; i++)
        if (!league->rows[i].is_group)
            score_counts_add(&sum, &league->rows[i].now);
    struct score s = score_of(&sum);
    return s.n > 0 && isfinite(s.index) ? s.index : 50;
}

/* A sparkline has at most this many points: a longer period sums its days
 * in steps of several days (a year: 12 days a point), which keeps a league
 * of 100 departments light whatever the period. */
#define SPARK_POINTS_MAX 31

static void sparkline_cell(struct strbuf *out, const struct dash_league *league,
                           const struct dash_league_row *row)
{
    int32_t days = league->to_day - league->from_day;
    int32_t per = days > 0 ? (days + SPARK_POINTS_MAX - 1) / SPARK_POINTS_MAX : 1;
    size_t points = days > 0 ? (size_t)((days + per - 1) / per) : 0;
    strbuf_puts(out, "<td>");
    double *values = points && row->daily ? calloc(points, sizeof *values) : NULL;
    if (values) {
        bool with = false;
        double low = INFINITY, high = -INFINITY;
        for (size_t p = 0; p < points; p++) {
            struct dash_counts sum = {0};
            for (int32_t d = (int32_t)p * per; d < ((int32_t)p + 1) * per && d < days; d++)
                score_counts_add(&sum, &row->daily[d]);
            struct score s = score_of(&sum);
            values[p] = s.n > 0 ? s.index : NAN;
            with = with || s.n > 0;
            low = s.n > 0 ? fmin(low, s.index) : low;
            high = s.n > 0 ? fmax(high, s.index) : high;
        }
        char step[32], label[160], a[24], b[24];
        snprintf(step, sizeof step, per == 1 ? "day" : "%d days", (int)per);
        num1(low, a, sizeof a);
        num1(high, b, sizeof b);
        if (with)
            snprintf(label, sizeof label, "Index per %s: %s to %s", step, a, b);
        else
            snprintf(label, sizeof label, "Index per %s: no responses", step);
        svg_sparkline(out, values, points, label);
        free(values);
    } else if (points && row->daily) {
        out->failed = true;
    }
    strbuf_puts(out, "</td>");
}

/* The rank and name cells of a league row. */
static void league_name_cells(struct strbuf *out, const struct page_ctx *ctx, const struct entry *e,
                              size_t rank)
{
    const struct dash_league_row *r = e->row;
    strbuf_puts(out, "<td>");
    if (r->is_group)
        strbuf_puts(out, "<span class=\"tag\">group</span>");
    else if (e->now.n > 0)
        put_int(out, (int64_t)rank);
    else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td><th scope=\"row\">");
    struct dash_filter f =
        r->is_group ? filter_with(ctx->filter, "", r->id) : filter_with(ctx->filter, "", "");
    if (r->is_group)
        link_open(out, "/overview", NULL, &f, NULL);
    else
        link_open(out, "/department/", r->id, &f, NULL);
    html_escape(out, r->name[0] ? r->name : r->id);
    strbuf_puts(out, "</a>");
    if (!r->is_group && e->now.n <= 0)
        strbuf_puts(out, " <span class=\"tag\">no responses</span>");
    else if (!r->is_group && e->now.n < (int64_t)SCORE_SHRINK_K)
        strbuf_puts(out, " <span class=\"tag few\">few responses</span>");
    strbuf_puts(out, "</th>");
}

static void league_row(struct strbuf *out, const struct page_ctx *ctx,
                       const struct dash_league *league, const struct entry *e, size_t rank)
{
    const struct score *s = &e->now;
    strbuf_puts(out, e->row->is_group ? "<tr class=\"group\">" : "<tr>");
    league_name_cells(out, ctx, e, rank);
    score_cell(out, s->index, s->index_lo, s->index_hi, false, s->n);
    score_cell(out, s->csat, s->csat_lo, s->csat_hi, true, s->n);
    score_cell(out, s->wow, s->wow_lo, s->wow_hi, true, s->n);
    strbuf_puts(out, "<td>");
    if (s->n > 0)
        put_int(out, s->n);
    else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td>");
    change_cell(out, s, &e->prev);
    sparkline_cell(out, league, e->row);
    strbuf_puts(out, "</tr>\n");
}

static const char league_note[] =
    "<p class=\"note\">Ranked by the index, each pulled toward the mean of all departments (%s) "
    "by 30 responses, so a few lucky taps do not top the league. Under each number its 95 %% "
    "interval; hover a number for its responses.<span class=\"phone-only\"> Swipe the table "
    "sideways for more columns.</span></p>\n";

static const char league_head[] =
    "<div class=\"scroll\" role=\"region\" aria-label=\"League table\" tabindex=\"0\">"
    "<table class=\"league\">\n<caption>Departments by index</caption>\n<thead><tr>"
    "<th scope=\"col\">#</th><th scope=\"col\">Department</th><th scope=\"col\">Index</th>"
    "<th scope=\"col\">CSAT</th><th scope=\"col\">WOW</th><th scope=\"col\">Responses</th>"
    "<th scope=\"col\">Change</th><th scope=\"col\">Per day</th></tr></thead>\n<tbody>\n";

static void league_table(struct strbuf *out, const struct page_ctx *ctx,
                         const struct dash_league *league)
{
    struct entry *e = calloc(league->n ? league->n : 1, sizeof *e);
    if (!e) {
        out->failed = true;
        return;
    }
    double prior = league_prior(league);
    for (size_t i = 0; i < league->n; i++) {
        e[i].row = &league->rows[i];
        e[i].now = score_of(&league->rows[i].now);
        e[i].prev = score_of(&league->rows[i].prev);
        e[i].shrunk = score_shrunk_index(&league->rows[i].now, prior, SCORE_SHRINK_K);
    }
    qsort(e, league->n, sizeof *e, compare_entries);
    char mean[32], note[sizeof league_note + 32];
    num1(prior, mean, sizeof mean);
    snprintf(note, sizeof note, league_note, mean);
    strbuf_puts(out, note);
    strbuf_puts(out, league_head);
    size_t rank = 0;
    bool groups = false;
    for (size_t i = 0; i < league->n; i++) {
        if (e[i].row->is_group && !groups) {
            groups = true;
            rank = 0;
            strbuf_puts(out, "</tbody>\n<tbody class=\"groups\"><tr><th colspan=\"8\" "
                             "scope=\"rowgroup\">Groups: their departments together</th></tr>\n");
        }
        league_row(out, ctx, league, &e[i], ++rank);
    }
    strbuf_puts(out, "</tbody>\n</table></div>\n");
    free(e);
}

void page_overview(const struct page_ctx *ctx, const struct dash_league *league,
                   const struct dash_alerts *open, struct strbuf *out)
{
    frame_begin(out, ctx, "Overview", "overview", "/overview", NULL);
    strbuf_puts(out, "<section class=\"open-alerts\" aria-labelledby=\"open-alerts\">"
                     "<h2 id=\"open-alerts\">Open alerts");
    if (open && open->n) {
        strbuf_puts(out, " (");
        put_int(out, (int64_t)open->n);
        strbuf_puts(out, open->more ? "+)" : ")");
    }
    strbuf_puts(out, "</h2>\n");
    struct dash_alerts first = {0};
    if (open)
        first = (struct dash_alerts){open->items,
                                     open->n < OVERVIEW_ALERTS ? open->n : OVERVIEW_ALERTS, false};
    alert_list(out, ctx, &first, "No open alerts.");
    strbuf_puts(out, "<p class=\"more\">");
    if (open && (open->n > first.n || open->more)) {
        link_open(out, "/alerts", NULL, ctx->filter, "state=open");
        strbuf_puts(out, "Every open alert →</a> · ");
    }
    link_open(out, "/alerts", NULL, ctx->filter, "state=all");
    strbuf_puts(out, "All alerts →</a></p>\n");
    strbuf_puts(out, "</section>\n<section aria-labelledby=\"league\"><h2 id=\"league\">League"
                     "</h2>\n");
    if (league->n == 0)
        strbuf_puts(out, "<p class=\"quiet\">No departments to show: none exists yet, or none is "
                         "in your scope and this filter.</p>\n");
    else
        league_table(out, ctx, league);
    strbuf_puts(out, "</section>\n");
    frame_end(out);
}

/* ---- a department ------------------------------------------------------ */

/* The trend's table has at most this many rows (two months of days); a
 * longer period offers its CSV instead, so the page stays light. */
#define TREND_TABLE_MAX 62

/* A department's page lists this many of its alerts. */
#define DEPARTMENT_ALERTS 10

/* One headline number: what, the value, its interval and its n. */
static void headline_card(struct strbuf *out, const char *what, double v, double lo, double hi,
                          bool share, int64_t n)
{
    char value[32], ci[64], over[48];
    strbuf_puts(out, "<div class=\"card\"><dt>");
    strbuf_puts(out, what);
    strbuf_puts(out, "</dt><dd class=\"big\">");
    if (n <= 0 || !isfinite(v)) {
        strbuf_puts(out, DASH "</dd><dd class=\"sub\">no responses</dd></div>");
        return;
    }
    if (share)
        pct(v, value, sizeof value);
    else
        num1(v, value, sizeof value);
    strbuf_puts(out, value);
    strbuf_puts(out, "</dd><dd class=\"sub\">");
    if (isfinite(lo) && isfinite(hi)) {
        interval(lo, hi, share, ci, sizeof ci);
        strbuf_puts(out, "95 % interval ");
        strbuf_puts(out, ci);
        strbuf_puts(out, "<br>");
    }
    responses(n, over, sizeof over);
    strbuf_puts(out, "over ");
    strbuf_puts(out, over);
    strbuf_puts(out, "</dd></div>");
}

static void headline(struct strbuf *out, const struct dash_department *d)
{
    struct score s = score_of(&d->total), p = score_of(&d->prev);
    strbuf_puts(out, "<dl class=\"headline\">");
    headline_card(out, "Index", s.index, s.index_lo, s.index_hi, false, s.n);
    headline_card(out, "CSAT", s.csat, s.csat_lo, s.csat_hi, true, s.n);
    headline_card(out, "WOW rate", s.wow, s.wow_lo, s.wow_hi, true, s.n);
    headline_card(out, "Negative share", s.negative, NAN, NAN, true, s.n);
    struct strbuf text = {0};
    char title[200];
    change_text(&text, &s, &p, title, sizeof title);
    strbuf_puts(out, "<div class=\"card\"><dt>Change</dt><dd class=\"big\">");
    strbuf_puts(out, text.data ? text.data : "");
    strbuf_puts(out, "</dd><dd class=\"sub\">");
    strbuf_puts(out, title);
    strbuf_puts(out, "</dd></div></dl>\n");
    if (text.failed)
        out->failed = true;
    strbuf_free(&text);
}

/* The x label of trend step i: a day ("3 Nov") every few days, or an hour
 * ("06:00") every few hours with the day at midnight. */
static void trend_label(const struct dash_department *d, size_t i, char *buf, size_t size)
{
    const struct dash_point *p = &d->trend[i];
    int y, m, md;
    dash_date_from_day(p->day, &y, &m, &md);
    buf[0] = '\0';
    if (d->hourly || p->hour >= 0) {
        size_t every = d->trend_n > 24 ? 6 : 3;
        if (p->hour == 0)
            snprintf(buf, size, "%s %d %s", weekday_names[dash_weekday(p->day)], md,
                     month_names[m - 1]);
        else if (p->hour > 0 && (size_t)p->hour % every == 0)
            snprintf(buf, size, "%02d:00", p->hour);
        return;
    }
    size_t every = d->trend_n <= 10 ? 1 : (d->trend_n + 7) / 8;
    if (i % every == 0)
        snprintf(buf, size, "%d %s", md, month_names[m - 1]);
}

/* "Tue 3 Nov" or "Tue 3 Nov 14:00": a trend step in words. */
static void step_words(const struct dash_point *p, char *buf, size_t size)
{
    int y, m, md;
    dash_date_from_day(p->day, &y, &m, &md);
    if (p->hour >= 0)
        snprintf(buf, size, "%s %d %s %d, %02d:00", weekday_names[dash_weekday(p->day)], md,
                 month_names[m - 1], y, p->hour);
    else
        snprintf(buf, size, "%s %d %s %d", weekday_names[dash_weekday(p->day)], md,
                 month_names[m - 1], y);
}

/* The steps with responses as a table, for readers without the chart
 * (cells without classes, so a year of days stays light; the stylesheet
 * aligns the numbers). */
static void trend_table(struct strbuf *out, const struct dash_department *d)
{
    strbuf_puts(out, "<details><summary>The trend as a table</summary><table class=\"plain "
                     "trend\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Index</th>"
                     "<th scope=\"col\">95 % interval</th><th scope=\"col\">Responses</th></tr>"
                     "</thead><tbody>\n");
    for (size_t i = 0; i < d->trend_n; i++) {
        struct score s = score_of(&d->trend[i].c);
        if (s.n <= 0)
            continue;
        char when[64], v[32], ci[64];
        step_words(&d->trend[i], when, sizeof when);
        num1(s.index, v, sizeof v);
        interval(s.index_lo, s.index_hi, false, ci, sizeof ci);
        strbuf_puts(out, "<tr><td>");
        strbuf_puts(out, when);
        strbuf_puts(out, "</td><td>");
        strbuf_puts(out, v);
        strbuf_puts(out, "</td><td>");
        strbuf_puts(out, ci);
        strbuf_puts(out, "</td><td>");
        put_int(out, s.n);
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table></details>\n");
}

/* The trend's numbers: as a table for up to TREND_TABLE_MAX steps, and
 * always as CSV (the API), which a longer period's table would outweigh. */
static void trend_data(struct strbuf *out, const struct page_ctx *ctx,
                       const struct dash_department *d)
{
    if (d->trend_n <= TREND_TABLE_MAX)
        trend_table(out, d);
    struct dash_filter f = filter_with(ctx->filter, d->id, "");
    strbuf_puts(out, "<p class=\"more\">");
    link_open(out, "/api/v1/counts.csv", NULL, &f, d->hourly ? "granularity=hour" : NULL);
    strbuf_puts(out, "These counts as CSV</a> (for a spreadsheet)</p>\n");
}

static void trend_section(struct strbuf *out, const struct page_ctx *ctx,
                          const struct dash_department *d)
{
    strbuf_puts(out, "<section aria-labelledby=\"trend\"><h2 id=\"trend\">Index per ");
    strbuf_puts(out, d->hourly ? "hour" : "day");
    strbuf_puts(out, "</h2>\n");
    struct svg_point *points = calloc(d->trend_n ? d->trend_n : 1, sizeof *points);
    char(*labels)[32] = calloc(d->trend_n ? d->trend_n : 1, sizeof *labels);
    const char **label_ptrs = calloc(d->trend_n ? d->trend_n : 1, sizeof *label_ptrs);
    if (!points || !labels || !label_ptrs) {
        out->failed = true;
    } else {
        size_t with = 0;
        for (size_t i = 0; i < d->trend_n; i++) {
            struct score s = score_of(&d->trend[i].c);
            points[i] = s.n > 0 ? (struct svg_point){s.index, s.index_lo, s.index_hi}
                                : (struct svg_point){NAN, NAN, NAN};
            with += s.n > 0;
            trend_label(d, i, labels[i], sizeof labels[i]);
            label_ptrs[i] = labels[i];
        }
        char title[160];
        snprintf(title, sizeof title,
                 "Index per %s with its 95 %% interval: %zu of %zu %ss with "
                 "responses",
                 d->hourly ? "hour" : "day", with, d->trend_n, d->hourly ? "hour" : "day");
        svg_band_chart(out, points, label_ptrs, d->trend_n, title);
        strbuf_puts(out, "<p class=\"note\">The line is the index (0 = every answer very "
                         "unhappy, 100 = every answer WOW), the band its 95 % interval; a gap is ");
        strbuf_puts(out, d->hourly ? "an hour" : "a day");
        strbuf_puts(out, " without responses.</p>\n");
        trend_data(out, ctx, d);
    }
    free(points);
    free(labels);
    free(label_ptrs);
    strbuf_puts(out, "</section>\n");
}

static void distribution_section(struct strbuf *out, const struct dash_department *d)
{
    static const char *const fills[] = {"#b35806", "#e08214", "#6a9fd0", "#2166ac"};
    int64_t total = score_counts_total(&d->total);
    strbuf_puts(out, "<section aria-labelledby=\"distribution\"><h2 id=\"distribution\">Answers"
                     "</h2>\n");
    if (total <= 0) {
        strbuf_puts(out, "<p class=\"quiet\">No responses in this period.</p></section>\n");
        return;
    }
    char captions[4][64];
    struct svg_bar bars[4];
    for (int i = 0; i < 4; i++) {
        int64_t n = d->total.n[i] > 0 ? d->total.n[i] : 0;
        double share = (double)n / (double)total;
        char p[32];
        pct(share, p, sizeof p);
        snprintf(captions[i], sizeof captions[i], "%" PRId64 " (%s)", n, p);
        bars[i] = (struct svg_bar){face_names[i], share * 100, captions[i], fills[i]};
    }
    char title[96], over[48];
    responses(total, over, sizeof over);
    snprintf(title, sizeof title, "The four answers over %s", over);
    svg_bar_chart(out, bars, 4, title);
    strbuf_puts(out, "<p class=\"note\">Over ");
    strbuf_puts(out, over);
    strbuf_puts(out, ".</p>\n</section>\n");
}

/* The cell titles and values of the hour x weekday heat map. */
static void heat_section(struct strbuf *out, const struct dash_department *d)
{
    static const char *const hours[24] = {"0",  "1",  "2",  "3",  "4",  "5",  "6",  "7",
                                          "8",  "9",  "10", "11", "12", "13", "14", "15",
                                          "16", "17", "18", "19", "20", "21", "22", "23"};
    double values[7 * 24];
    char titles[7 * 24][64];
    const char *title_ptrs[7 * 24];
    for (int w = 0; w < 7; w++) {
        for (int h = 0; h < 24; h++) {
            struct score s = score_of(&d->heat[w][h]);
            int i = w * 24 + h;
            values[i] = s.n > 0 ? s.index : NAN;
            if (s.n > 0)
                snprintf(titles[i], sizeof titles[i], "%s %02d:00 – index %lld, n = %" PRId64,
                         weekday_names[w], h, (long long)llround(s.index), s.n);
            else
                snprintf(titles[i], sizeof titles[i], "%s %02d:00 – no responses", weekday_names[w],
                         h);
            title_ptrs[i] = titles[i];
        }
    }
    struct svg_heat heat = {values, title_ptrs, 7, 24, weekday_names, hours};
    strbuf_puts(out, "<section aria-labelledby=\"heat\"><h2 id=\"heat\">Index by hour and "
                     "weekday</h2>\n");
    strbuf_puts(out, "<div class=\"scroll heat-wrap\" role=\"region\" aria-label=\"Heat map\" "
                     "tabindex=\"0\">");
    svg_heat_map(out, &heat, "Index by weekday and hour, in each kiosk's local time");
    strbuf_puts(out, "</div>");
    strbuf_puts(out, "<p class=\"note\">Hours in each kiosk's local time; each cell shows its "
                     "index, its tooltip the number of responses; dashed cells had none.</p>\n"
                     "</section>\n");
}

/* The follow-up reasons of one question ("positive" or "negative"). */
static void reasons_table(struct strbuf *out, const struct dash_department *d, const char *question,
                          const char *heading)
{
    int64_t chosen = 0, skipped = 0, timeout = 0;
    for (size_t i = 0; i < d->reasons_n; i++) {
        const struct dash_reason_row *r = &d->reasons[i];
        if (strcmp(r->question, question) != 0)
            continue;
        if (!strcmp(r->ended_by, "skipped"))
            skipped += r->n;
        else if (!strcmp(r->ended_by, "timeout"))
            timeout += r->n;
        else
            chosen += r->n;
    }
    strbuf_puts(out, "<div class=\"reasons\"><h3>");
    strbuf_puts(out, heading);
    strbuf_puts(out, "</h3>\n");
    if (chosen + skipped + timeout == 0) {
        strbuf_puts(out, "<p class=\"quiet\">No follow-up answers.</p></div>\n");
        return;
    }
    strbuf_puts(out, "<table class=\"plain\"><thead><tr><th scope=\"col\">Reason</th>"
                     "<th scope=\"col\">n</th><th scope=\"col\">Share</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < d->reasons_n; i++) {
        const struct dash_reason_row *r = &d->reasons[i];
        if (strcmp(r->question, question) != 0 || !strcmp(r->ended_by, "skipped") ||
            !strcmp(r->ended_by, "timeout"))
            continue;
        char share[32];
        pct(chosen > 0 ? (double)r->n / (double)chosen : NAN, share, sizeof share);
        strbuf_puts(out, "<tr><td>");
        html_escape(out, r->reason);
        strbuf_puts(out, "</td><td class=\"num\">");
        put_int(out, r->n);
        strbuf_puts(out, "</td><td class=\"num\">");
        strbuf_puts(out, share);
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table>\n<p class=\"note\">Shares of the ");
    put_int(out, chosen);
    strbuf_puts(out, " answers that chose a reason. Skipped: ");
    put_int(out, skipped);
    strbuf_puts(out, "; timed out: ");
    put_int(out, timeout);
    strbuf_puts(out, "; of ");
    put_int(out, chosen + skipped + timeout);
    strbuf_puts(out, " follow-up questions asked.</p></div>\n");
}

static void text_cell(struct strbuf *out, const char *label, const char *text)
{
    strbuf_puts(out, "<td data-label=\"");
    strbuf_puts(out, label);
    strbuf_puts(out, "\">");
    html_escape(out, text);
    strbuf_puts(out, "</td>");
}

static void kiosk_row(struct strbuf *out, const struct page_ctx *ctx,
                      const struct dash_kiosk_row *k)
{
    struct score s = score_of(&k->c);
    strbuf_puts(out, "<tr><th scope=\"row\" data-label=\"Kiosk\">");
    html_escape(out, k->kiosk_id);
    strbuf_puts(out, "</th>");
    text_cell(out, "Label", k->label);
    text_cell(out, "Site", k->site);
    strbuf_puts(out, "<td data-label=\"Last seen\">");
    if (k->last_seen_ms)
        put_time(out, k->last_seen_ms, ctx->now_ms);
    else
        strbuf_puts(out, "never");
    strbuf_puts(out, "</td>");
    text_cell(out, "Version", k->app_version);
    strbuf_puts(out, "<td data-label=\"Responses\" class=\"num\">");
    if (s.n > 0)
        put_int(out, s.n);
    else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td><td data-label=\"Index\" class=\"num\" title=\"");
    char v[32], over[48];
    num1(s.index, v, sizeof v);
    responses(s.n, over, sizeof over);
    strbuf_puts(out, s.n > 0 ? "Index over " : "No responses");
    strbuf_puts(out, s.n > 0 ? over : "");
    strbuf_puts(out, "\">");
    strbuf_puts(out, v);
    strbuf_puts(out, "</td></tr>\n");
}

static void kiosks_section(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_department *d)
{
    strbuf_puts(out, "<section aria-labelledby=\"kiosks\"><h2 id=\"kiosks\">Kiosks</h2>\n");
    if (d->kiosks_n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">No kiosk counted here in this period.</p>"
                         "</section>\n");
        return;
    }
    strbuf_puts(out, "<table class=\"cards\"><thead><tr><th scope=\"col\">Kiosk</th>"
                     "<th scope=\"col\">Label</th><th scope=\"col\">Site</th>"
                     "<th scope=\"col\">Last seen</th><th scope=\"col\">Version</th>"
                     "<th scope=\"col\">Responses</th><th scope=\"col\">Index</th></tr></thead>"
                     "<tbody>\n");
    for (size_t i = 0; i < d->kiosks_n; i++)
        kiosk_row(out, ctx, &d->kiosks[i]);
    strbuf_puts(out, "</tbody></table>\n</section>\n");
}

void page_department(const struct page_ctx *ctx, const struct dash_department *department,
                     const struct dash_alerts *alerts, struct strbuf *out)
{
    const struct dash_department *d = department;
    frame_begin(out, ctx, d->name[0] ? d->name : d->id, "overview", "/department/", d->id);
    strbuf_puts(out, "<p class=\"crumbs\">");
    link_open(out, "/overview", NULL, ctx->filter, NULL);
    strbuf_puts(out, "← Overview</a>");
    if (d->group[0]) {
        struct dash_filter f = filter_with(ctx->filter, "", d->group);
        strbuf_puts(out, " · group ");
        link_open(out, "/overview", NULL, &f, NULL);
        html_escape(out, d->group);
        strbuf_puts(out, "</a>");
    }
    strbuf_puts(out, "</p>\n");
    headline(out, d);
    trend_section(out, ctx, d);
    strbuf_puts(out, "<div class=\"pair\">");
    distribution_section(out, d);
    strbuf_puts(out, "<section aria-labelledby=\"reasons\"><h2 id=\"reasons\">Why</h2>\n");
    reasons_table(out, d, "positive", "After a happy answer");
    reasons_table(out, d, "negative", "After an unhappy answer");
    strbuf_puts(out, "</section></div>\n");
    heat_section(out, d);
    kiosks_section(out, ctx, d);
    strbuf_puts(out, "<section aria-labelledby=\"dept-alerts\"><h2 id=\"dept-alerts\">Alerts"
                     "</h2>\n");
    struct dash_alerts first = {0};
    if (alerts)
        first = (struct dash_alerts){
            alerts->items, alerts->n < DEPARTMENT_ALERTS ? alerts->n : DEPARTMENT_ALERTS, false};
    alert_list(out, ctx, &first, "No alerts for this department.");
    if (alerts && (alerts->n > first.n || alerts->more)) {
        struct dash_filter f = filter_with(ctx->filter, d->id, "");
        strbuf_puts(out, "<p class=\"more\">");
        link_open(out, "/alerts", NULL, &f, "state=all");
        strbuf_puts(out, "Every alert of this department →</a></p>\n");
    }
    strbuf_puts(out, "</section>\n");
    frame_end(out);
}

/* ---- alerts ------------------------------------------------------------ */

/* "state=open&offset=50&limit=50" into buf. */
static void list_query(const char *state, int64_t offset, int64_t limit, char *buf, size_t size)
{
    snprintf(buf, size, "state=%s&offset=%" PRId64 "&limit=%" PRId64, state, offset, limit);
}

/* Previous and next page links, and which rows these are. */
static void paging(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                   const char *extra, int64_t offset, int64_t limit, size_t shown, bool more,
                   const char *noun)
{
    char q[160];
    strbuf_puts(out, "<nav class=\"paging\" aria-label=\"Pages\">");
    if (offset > 0) {
        int64_t prev = offset > limit ? offset - limit : 0;
        snprintf(q, sizeof q, "%s%soffset=%" PRId64 "&limit=%" PRId64, extra, extra[0] ? "&" : "",
                 prev, limit);
        strbuf_puts(out, "<a rel=\"prev\" href=\"");
        url(out, path, NULL, ctx->filter, q);
        strbuf_puts(out, "\">← Previous</a>");
    }
    strbuf_puts(out, "<span>");
    strbuf_puts(out, noun);
    strbuf_puts(out, " ");
    if (shown) {
        put_int(out, offset + 1);
        strbuf_puts(out, "–");
        put_int(out, offset + (int64_t)shown);
    } else {
        strbuf_puts(out, "none");
    }
    strbuf_puts(out, "</span>");
    if (more) {
        snprintf(q, sizeof q, "%s%soffset=%" PRId64 "&limit=%" PRId64, extra, extra[0] ? "&" : "",
                 offset + limit, limit);
        strbuf_puts(out, "<a rel=\"next\" href=\"");
        url(out, path, NULL, ctx->filter, q);
        strbuf_puts(out, "\">Next →</a>");
    }
    strbuf_puts(out, "</nav>\n");
}

static void state_tabs(struct strbuf *out, const struct page_ctx *ctx, const char *state,
                       int64_t limit)
{
    static const char *const states[] = {"open", "closed", "all"};
    static const char *const labels[] = {"Open", "Closed", "All"};
    strbuf_puts(out, "<nav class=\"tabs\" aria-label=\"Alert state\"><ul>");
    for (size_t i = 0; i < 3; i++) {
        char q[96];
        list_query(states[i], 0, limit, q, sizeof q);
        strbuf_puts(out, "<li><a href=\"");
        url(out, "/alerts", NULL, ctx->filter, q);
        strbuf_puts(out, strcmp(state, states[i]) ? "\">" : "\" aria-current=\"page\">");
        strbuf_puts(out, labels[i]);
        strbuf_puts(out, "</a></li>");
    }
    strbuf_puts(out, "</ul></nav>\n");
}

static void alert_row(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    char value[32];
    alert_number(a, a->value, value, sizeof value);
    strbuf_puts(out, "<tr class=\"");
    strbuf_puts(out, state_name(a->state));
    strbuf_puts(out, "\"><th scope=\"row\" data-label=\"Alert\">");
    alert_link(out, ctx, a);
    strbuf_puts(out, "#");
    put_int(out, a->id);
    strbuf_puts(out, "</a></th><td data-label=\"State\"><span class=\"state\">");
    strbuf_puts(out, state_name(a->state));
    strbuf_puts(out, "</span></td><td data-label=\"Department\">");
    html_escape(out, a->department_name[0] ? a->department_name : a->department);
    strbuf_puts(out, "</td><td data-label=\"What\">");
    html_escape(out, a->detail[0] ? a->detail : a->kind);
    strbuf_puts(out, "</td><td data-label=\"Value\" class=\"num\" title=\"");
    strbuf_puts(out, alert_measure(a));
    strbuf_puts(out, " over ");
    put_int(out, a->responses);
    strbuf_puts(out, " responses\">");
    strbuf_puts(out, value);
    strbuf_puts(out, "</td><td data-label=\"Responses\" class=\"num\">");
    put_int(out, a->responses);
    strbuf_puts(out, "</td><td data-label=\"Opened\">");
    put_time(out, a->opened_ms, ctx->now_ms);
    strbuf_puts(out, "</td><td data-label=\"Acknowledged\">");
    put_time(out, a->acked_ms, ctx->now_ms);
    strbuf_puts(out, "</td><td data-label=\"Closed\">");
    put_time(out, a->closed_ms, ctx->now_ms);
    strbuf_puts(out, "</td></tr>\n");
}

void page_alerts(const struct page_ctx *ctx, const struct dash_alerts *alerts, const char *state,
                 int64_t offset, int64_t limit, struct strbuf *out)
{
    if (!state || (strcmp(state, "closed") != 0 && strcmp(state, "all") != 0))
        state = "open";
    if (offset < 0)
        offset = 0;
    if (limit <= 0)
        limit = PAGE_LIMIT_DEFAULT;
    frame_begin(out, ctx, "Alerts", "alerts", "/alerts", NULL);
    state_tabs(out, ctx, state, limit);
    if (alerts->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">No ");
        strbuf_puts(out, strcmp(state, "all") ? state : "");
        strbuf_puts(out, strcmp(state, "all") ? " alerts" : "alerts");
        strbuf_puts(out, offset > 0 ? " on this page.</p>\n" : ".</p>\n");
    } else {
        strbuf_puts(out, "<table class=\"cards alerts\"><thead><tr><th scope=\"col\">Alert</th>"
                         "<th scope=\"col\">State</th><th scope=\"col\">Department</th>"
                         "<th scope=\"col\">What</th><th scope=\"col\">Value</th>"
                         "<th scope=\"col\">Responses</th><th scope=\"col\">Opened</th>"
                         "<th scope=\"col\">Acknowledged</th><th scope=\"col\">Closed</th></tr>"
                         "</thead><tbody>\n");
        for (size_t i = 0; i < alerts->n; i++)
            alert_row(out, ctx, &alerts->items[i]);
        strbuf_puts(out, "</tbody></table>\n");
    }
    char extra[64];
    snprintf(extra, sizeof extra, "state=%s", state);
    paging(out, ctx, "/alerts", extra, offset, limit, alerts->n, alerts->more, "Alerts");
    frame_end(out);
}

/* A dt/dd pair of the alert's facts; text escaped. */
static void fact(struct strbuf *out, const char *term, const char *text)
{
    strbuf_puts(out, "<dt>");
    strbuf_puts(out, term);
    strbuf_puts(out, "</dt><dd>");
    html_escape(out, text);
    strbuf_puts(out, "</dd>");
}

static void alert_facts(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    char value[32];
    strbuf_puts(out, "<dl class=\"facts\">");
    fact(out, "What", a->detail[0] ? a->detail : a->kind);
    fact(out, "Source", a->source);
    strbuf_puts(out, "<dt>Department</dt><dd>");
    link_open(out, "/department/", a->department, ctx->filter, NULL);
    html_escape(out, a->department_name[0] ? a->department_name : a->department);
    strbuf_puts(out, "</a></dd><dt>Value</dt><dd>");
    alert_value_text(out, a);
    strbuf_puts(out, "</dd>");
    if (isfinite(a->baseline)) {
        alert_number(a, a->baseline, value, sizeof value);
        fact(out, "Baseline", value);
    }
    fact(out, "State", state_name(a->state));
    strbuf_puts(out, "<dt>Opened</dt><dd>");
    put_time(out, a->opened_ms, ctx->now_ms);
    strbuf_puts(out, "</dd><dt>Acknowledged</dt><dd>");
    put_time(out, a->acked_ms, ctx->now_ms);
    if (a->acked_ms && a->acked_by[0]) {
        strbuf_puts(out, " by ");
        html_escape(out, a->acked_by);
    }
    strbuf_puts(out, "</dd><dt>Closed</dt><dd>");
    put_time(out, a->closed_ms, ctx->now_ms);
    strbuf_puts(out, "</dd></dl>\n");
}

/* The form POSTing to /alerts/<id>/<verb>, with the csrf field. */
static void post_form_open(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_alert *a, const char *verb, const char *class_name)
{
    char path[64];
    snprintf(path, sizeof path, "/alerts/%" PRId64 "/%s", a->id, verb);
    strbuf_puts(out, "<form method=\"post\" class=\"");
    strbuf_puts(out, class_name);
    strbuf_puts(out, "\" action=\"");
    url(out, path, NULL, ctx->filter, NULL);
    strbuf_puts(out, "\">");
    csrf_field(out, ctx);
}

static void alert_comments(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_alert *a)
{
    strbuf_puts(out, "<section aria-labelledby=\"comments\"><h2 id=\"comments\">Comments (");
    put_int(out, (int64_t)a->comments_n);
    strbuf_puts(out, ")</h2>\n");
    if (a->comments_n) {
        strbuf_puts(out, "<ol class=\"comments\">\n");
        for (size_t i = 0; i < a->comments_n; i++) {
            const struct dash_comment *c = &a->comments[i];
            strbuf_puts(out, "<li><p class=\"meta\"><strong>");
            html_escape(out, c->user);
            strbuf_puts(out, "</strong> · ");
            put_time(out, c->at_ms, ctx->now_ms);
            strbuf_puts(out, "</p><p class=\"body\">");
            html_escape(out, c->body ? c->body : "");
            strbuf_puts(out, "</p></li>\n");
        }
        strbuf_puts(out, "</ol>\n");
    }
    post_form_open(out, ctx, a, "comment", "comment");
    strbuf_puts(out, "<label for=\"c-body\">Add a comment</label><textarea id=\"c-body\" "
                     "name=\"body\" rows=\"4\" maxlength=\"2000\" required></textarea>"
                     "<button type=\"submit\">Add comment</button></form>\n</section>\n");
}

void page_alert(const struct page_ctx *ctx, const struct dash_alert *alert, struct strbuf *out)
{
    const struct dash_alert *a = alert;
    char title[DASH_NAME_MAX + 48];
    snprintf(title, sizeof title, "Alert #%" PRId64 ": %s", a->id,
             a->department_name[0] ? a->department_name : a->department);
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, a->id);
    frame_begin(out, ctx, title, "alerts", "/alerts/", id);
    strbuf_puts(out, "<p class=\"crumbs\">");
    link_open(out, "/alerts", NULL, ctx->filter, NULL);
    strbuf_puts(out, "← Alerts</a></p>\n");
    alert_facts(out, ctx, a);
    if (a->state == DASH_ALERT_OPEN) {
        post_form_open(out, ctx, a, "acknowledge", "acknowledge");
        strbuf_puts(out, "<button type=\"submit\">Acknowledge</button> <span class=\"note\">"
                         "Says you have seen it; it stays until the data recovers.</span>"
                         "</form>\n");
    }
    alert_comments(out, ctx, a);
    frame_end(out);
}

/* ---- fleet ------------------------------------------------------------- */

static void hidden(struct strbuf *out, const char *name, const char *value)
{
    strbuf_puts(out, "<input type=\"hidden\" name=\"");
    strbuf_puts(out, name);
    strbuf_puts(out, "\" value=\"");
    html_escape(out, value);
    strbuf_puts(out, "\">");
}

/* The filter as hidden fields, so a form of its own keeps it. */
static void filter_hidden(struct strbuf *out, const struct dash_filter *f)
{
    if (!f)
        return;
    hidden(out, "period", page_period_name(f->period));
    if (f->period == DASH_PERIOD_CUSTOM) {
        char day[16];
        dash_day_format(f->from_day, day, sizeof day);
        hidden(out, "from", day);
        dash_day_format(f->to_day - 1, day, sizeof day);
        hidden(out, "to", day);
    }
    if (f->department[0])
        hidden(out, "department", f->department);
    if (f->group[0])
        hidden(out, "group", f->group);
    if (f->include_misuse)
        hidden(out, "misuse", "1");
}

static void fleet_form(struct strbuf *out, const struct page_ctx *ctx, bool problems_only,
                       int64_t limit)
{
    char l[32];
    snprintf(l, sizeof l, "%" PRId64, limit);
    strbuf_puts(out, "<form class=\"filter\" method=\"get\" action=\"/fleet\">");
    filter_hidden(out, ctx->filter);
    hidden(out, "limit", l);
    strbuf_puts(out, "<div class=\"field check\"><input type=\"checkbox\" id=\"f-problems\" "
                     "name=\"problems\" value=\"1\"");
    strbuf_puts(out, problems_only ? " checked" : "");
    strbuf_puts(out, "><label for=\"f-problems\">Problems only</label></div>"
                     "<button type=\"submit\">Show</button></form>\n");
}

void page_fleet(const struct page_ctx *ctx, const struct fleet *fleet, int64_t silent_after_ms,
                int64_t offset, int64_t limit, bool problems_only, struct strbuf *out)
{
    if (offset < 0)
        offset = 0;
    if (limit <= 0)
        limit = PAGE_LIMIT_DEFAULT;
    const struct fleet_kiosk **order;
    struct fleet_summary summary;
    if (!fleet_order(fleet, ctx->now_ms, silent_after_ms, &order, &summary)) {
        out->failed = true;
        return;
    }
    /* problem kiosks come first, so "problems only" is a prefix of the order */
    size_t total = problems_only ? summary.problems : summary.n;
    size_t from = (uint64_t)offset < total ? (size_t)offset : total;
    size_t count = total - from < (uint64_t)limit ? total - from : (size_t)limit;
    frame_begin(out, ctx, "Fleet", "fleet", NULL, NULL);
    fleet_render_summary(&summary, ctx->now_ms, silent_after_ms, out);
    fleet_form(out, ctx, problems_only, limit);
    if (fleet->n == 0)
        strbuf_puts(out, "<p>No kiosks yet: <code>wowdash kiosk add</code> provisions one.</p>\n");
    else if (count == 0)
        strbuf_puts(out, problems_only && total == 0 ? "<p class=\"quiet\">No problems.</p>\n"
                                                     : "<p class=\"quiet\">No kiosks on this "
                                                       "page.</p>\n");
    else
        fleet_render_table(order + from, count, ctx->now_ms, silent_after_ms, out);
    char extra[32] = "";
    if (problems_only)
        snprintf(extra, sizeof extra, "problems=1");
    char noun[64];
    snprintf(noun, sizeof noun, "Kiosks (of %zu)", total);
    paging(out, ctx, "/fleet", extra, (int64_t)from, limit, count, from + count < total, noun);
    frame_end(out);
    free(order);
}

/* ---- login and errors -------------------------------------------------- */

void page_login(const char *message, const char *next, struct strbuf *out)
{
    html_page_head(out, "Sign in");
    strbuf_puts(out, "<main class=\"login\">\n<h1>wowdash</h1>\n<p class=\"lead\">Customer "
                     "feedback for your departments. Sign in to continue.</p>\n");
    if (message && message[0]) {
        strbuf_puts(out, "<p class=\"failure\" role=\"alert\">");
        html_escape(out, message);
        strbuf_puts(out, "</p>\n");
    }
    strbuf_puts(out, "<form method=\"post\" action=\"/login\" class=\"login\">");
    if (next && next[0])
        hidden(out, "next", next);
    strbuf_puts(out, "<label for=\"l-user\">User name</label><input id=\"l-user\" name=\"user\" "
                     "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
                     "required autofocus><label for=\"l-password\">Password</label><input "
                     "id=\"l-password\" name=\"password\" type=\"password\" "
                     "autocomplete=\"current-password\" required><button type=\"submit\">Sign in"
                     "</button></form>\n</main>\n");
    html_page_end(out);
}

static const char *status_text(unsigned status)
{
    switch (status) {
    case 400:
        return "Bad request";
    case 401:
        return "Not signed in";
    case 403:
        return "Not allowed";
    case 404:
        return "Not found";
    case 405:
        return "Method not allowed";
    case 413:
        return "Request too large";
    case 414:
        return "Address too long";
    case 429:
        return "Too many tries";
    case 503:
        return "Unavailable";
    default:
        return status >= 500 ? "Server error" : "Error";
    }
}

void page_error(const struct page_ctx *ctx_or_null, unsigned status, const char *message,
                struct strbuf *out)
{
    char title[64];
    snprintf(title, sizeof title, "%u %s", status, status_text(status));
    if (ctx_or_null) {
        frame_begin(out, ctx_or_null, title, "", NULL, NULL);
    } else {
        html_page_head(out, title);
        strbuf_puts(out, "<main>\n<h1>");
        strbuf_puts(out, title);
        strbuf_puts(out, "</h1>\n");
    }
    strbuf_puts(out, "<p class=\"failure\">");
    html_escape(out, message ? message : "");
    strbuf_puts(out, "</p>\n<p><a href=\"");
    if (ctx_or_null)
        url(out, "/", NULL, ctx_or_null->filter, NULL);
    else
        strbuf_puts(out, "/");
    strbuf_puts(out, "\">Back to the dashboard</a></p>\n");
    frame_end(out);
}
