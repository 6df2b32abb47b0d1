/*
 * page_overview: the overview: open alerts, then the league of departments and groups
 * ranked by the shrunk index, with sparklines.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consistency.h"
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"
#include "svg.h"

/* ---- overview ---------------------------------------------------------- */

/* A league row with its numbers, computed once. */
struct entry {
    const struct dash_league_row *row;
    struct score now, prev, recent, before;
    double shrunk;
    double spread;   /* consistency_spread; NaN: not read or no responses */
    size_t rank, of; /* among every department of the organisation */
};

/* What every league row draws from. */
struct league_view {
    const struct page_ctx *ctx;
    const struct dash_league *league;
    const struct dash_alerts *open;
    bool partial; /* the viewer sees only some of the organisation's departments */
    bool by_rank; /* sorted by the shrunk index (the default) */
};

const char *const page_league_sorts[] = {"rank",      "name",   "index",  "csat",   "wow",
                                         "responses", "change", "recent", "spread", NULL};

/* The value a row is sorted by for column sort (higher first); NAN: none. */
static double sort_value(const struct entry *e, const char *sort)
{
    if (!strcmp(sort, "index"))
        return e->now.n > 0 ? e->now.index : NAN;
    if (!strcmp(sort, "csat"))
        return e->now.n > 0 ? e->now.csat : NAN;
    if (!strcmp(sort, "wow"))
        return e->now.n > 0 ? e->now.wow : NAN;
    if (!strcmp(sort, "responses"))
        return (double)e->now.n;
    if (!strcmp(sort, "change"))
        return e->now.n > 0 && e->prev.n > 0 ? e->now.index - e->prev.index : NAN;
    if (!strcmp(sort, "recent"))
        return e->recent.n > 0 && e->before.n > 0 ? e->recent.index - e->before.index : NAN;
    if (!strcmp(sort, "spread"))
        return -e->spread; /* the most consistent first */
    return e->now.n > 0 ? e->shrunk : NAN;
}

/* The column qsort's comparison reads: a sort needs a context qsort does
 * not pass; thread-local, and set and read within one league_table call,
 * so the server's threads never share it. */
static _Thread_local const char *sort_column;

static int compare_entries(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->row->is_group != y->row->is_group)
        return x->row->is_group ? 1 : -1;
    const char *sort = sort_column ? sort_column : "rank";
    if (!strcmp(sort, "name"))
        return strcmp(x->row->name, y->row->name);
    double vx = sort_value(x, sort), vy = sort_value(y, sort);
    if (isnan(vx) != isnan(vy))
        return isnan(vx) ? 1 : -1;
    if (!isnan(vx) && vx != vy)
        return vx > vy ? -1 : 1;
    return strcmp(x->row->name, y->row->name);
}

/* The mean index of the organisation's responses together (the league's
 * prior), else the visible departments'; 50 when there are none. */
static double league_prior(const struct dash_league *league)
{
    double org = page_bench_prior(league);
    if (isfinite(org))
        return org;
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

static void sparkline_cell(struct strbuf *out, const struct league_view *v,
                           const struct dash_league_row *row)
{
    const struct dash_league *league = v->league;
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
        char label[200], a[40], b[40];
        page_num1(v->ctx, low, a, sizeof a);
        page_num1(v->ctx, high, b, sizeof b);
        if (with && per == 1)
            page_trf(label, sizeof label, v->ctx, "Index per day: %s to %s", a, b);
        else if (with)
            page_trf(label, sizeof label, v->ctx, "Index per %d days: %s to %s", (int)per, a, b);
        else if (per == 1)
            page_trf(label, sizeof label, v->ctx, "Index per day: no responses");
        else
            page_trf(label, sizeof label, v->ctx, "Index per %d days: no responses", (int)per);
        svg_sparkline(out, values, points, label);
        free(values);
    } else if (points && row->daily) {
        out->failed = true;
    }
    strbuf_puts(out, "</td>");
}

/* The rank and name cells of a league row. */
static void league_name_cells(struct strbuf *out, const struct league_view *v,
                              const struct entry *e, size_t rank)
{
    const struct page_ctx *ctx = v->ctx;
    const struct dash_league_row *r = e->row;
    strbuf_puts(out, "<td>");
    if (r->is_group) {
        strbuf_puts(out, "<span class=\"tag\">");
        page_text(out, ctx, "group");
        strbuf_puts(out, "</span>");
    } else if (e->now.n > 0 && v->partial) {
        page_put_int(out, ctx, (int64_t)e->rank);
        strbuf_puts(out, "<small class=\"of\"> ");
        page_text(out, ctx, "of");
        strbuf_puts(out, " ");
        page_put_int(out, ctx, (int64_t)e->of);
        strbuf_puts(out, "</small>");
    } else if (e->now.n > 0) {
        /* sorted by another column, the # is still the row's place by the index */
        page_put_int(out, ctx, (int64_t)(v->by_rank ? rank : e->rank));
    } else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td><th scope=\"row\">");
    struct dash_filter f = r->is_group ? page_filter_with(ctx->filter, "", r->id)
                                       : page_filter_with(ctx->filter, "", "");
    if (r->is_group)
        page_link_open(out, "/overview", NULL, &f, NULL);
    else
        page_link_open(out, "/department/", r->id, &f, NULL);
    html_escape(out, r->name[0] ? r->name : r->id);
    strbuf_puts(out, "</a>");
    if (!r->is_group && e->now.n <= 0) {
        strbuf_puts(out, " <span class=\"tag\">");
        page_text(out, ctx, "no responses");
        strbuf_puts(out, "</span>");
    } else if (!r->is_group && e->now.n < (int64_t)SCORE_SHRINK_K) {
        strbuf_puts(out, " <span class=\"tag few\">");
        page_text(out, ctx, "few responses");
        strbuf_puts(out, "</span>");
    }
    if (!r->is_group && r->internal) { /* its figures are colleagues', not customers' */
        strbuf_puts(out, " <span class=\"tag audience\" data-audience=\"colleagues\">");
        page_text(out, ctx, "rated by colleagues");
        strbuf_puts(out, "</span>");
    }
    if (!r->is_group)
        page_bench_badge(out, ctx, v->open, r->id);
    strbuf_puts(out, "</th>");
}

/* The spread of a department's weekday x hour cells (consistency.h), in
 * index points; DASH for a group or without responses. */
static void spread_cell(struct strbuf *out, const struct page_ctx *ctx, const struct entry *e)
{
    if (!isfinite(e->spread)) {
        strbuf_puts(out, "<td>" DASH "</td>");
        return;
    }
    char v[40];
    page_num1(ctx, e->spread, v, sizeof v);
    strbuf_puts(out, "<td>±"); /* over the row's responses, its Responses column */
    html_escape(out, v);
    strbuf_puts(out, "</td>");
}

static void league_row(struct strbuf *out, const struct league_view *v, const struct entry *e,
                       size_t rank)
{
    const struct score *s = &e->now;
    const struct page_ctx *ctx = v->ctx;
    strbuf_puts(out, e->row->is_group ? "<tr class=\"group\">" : "<tr>");
    league_name_cells(out, v, e, rank);
    /* the row's responses: in its own column and the index's title; the
     * CSAT and WOW cells beside them do not repeat it (the page's weight) */
    page_score_cell(out, ctx, s->index, s->index_lo, s->index_hi, false, s->n);
    page_score_cell(out, ctx, s->csat, s->csat_lo, s->csat_hi, true, -s->n);
    page_score_cell(out, ctx, s->wow, s->wow_lo, s->wow_hi, true, -s->n);
    strbuf_puts(out, "<td>");
    if (s->n > 0)
        page_put_int(out, ctx, s->n);
    else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td>");
    page_change_cell(out, ctx, s, &e->prev);
    page_change_cell(out, ctx, &e->recent, &e->before);
    spread_cell(out, ctx, e);
    sparkline_cell(out, v, e->row);
    strbuf_puts(out, "</tr>\n");
}

/* The league's head: each column's title a link sorting by it (no script
 * needed), the current one marked with aria-sort. */
static void league_head(struct strbuf *out, const struct page_ctx *ctx)
{
    static const char *const titles[] = {
        "#",          N_("Department"),  N_("Index"),  N_("CSAT"),   N_("WOW"), N_("Responses"),
        N_("Change"), N_("Last 7 days"), N_("Spread"), N_("Per day")};
    static const char *const sorts[] = {"rank",      "name",   "index",  "csat",   "wow",
                                        "responses", "change", "recent", "spread", NULL};
    const char *current = ctx->sort ? ctx->sort : "rank";
    strbuf_puts(out, "<div class=\"scroll\" role=\"region\" aria-label=\"");
    page_text(out, ctx, "League table");
    strbuf_puts(out, "\" tabindex=\"0\"><table class=\"league\">\n<caption>");
    page_text(out, ctx, "Departments by index");
    strbuf_puts(out, "</caption>\n<thead><tr>");
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        bool on = sorts[i] && !strcmp(sorts[i], current);
        strbuf_puts(out, on ? "<th scope=\"col\" aria-sort=\"descending\">" : "<th scope=\"col\">");
        if (sorts[i] && !on) {
            char q[32];
            snprintf(q, sizeof q, "sort=%s", sorts[i]);
            page_link_open(out, "/overview", NULL, ctx->filter, q);
            page_text(out, ctx, titles[i]);
            strbuf_puts(out, "</a>");
        } else {
            page_text(out, ctx, titles[i]);
        }
        strbuf_puts(out, "</th>");
    }
    strbuf_puts(out, "</tr></thead>\n<tbody>\n");
}

static void league_table(struct strbuf *out, const struct page_ctx *ctx,
                         const struct dash_league *league, const struct dash_alerts *open)
{
    struct entry *e = calloc(league->n ? league->n : 1, sizeof *e);
    if (!e) {
        out->failed = true;
        return;
    }
    double prior = league_prior(league);
    size_t shown = 0;
    for (size_t i = 0; i < league->n; i++) {
        e[i].row = &league->rows[i];
        e[i].now = score_of(&league->rows[i].now);
        e[i].prev = score_of(&league->rows[i].prev);
        e[i].recent = score_of(&league->rows[i].recent);
        e[i].before = score_of(&league->rows[i].before);
        e[i].shrunk = score_shrunk_index(&league->rows[i].now, prior, SCORE_SHRINK_K);
        e[i].rank = page_bench_rank(league, prior, e[i].shrunk, &e[i].of);
        e[i].spread = league->rows[i].weekhour ? consistency_spread(league->rows[i].weekhour) : NAN;
        shown += !league->rows[i].is_group;
    }
    struct league_view v = {ctx, league, open, shown < league->all_n,
                            !ctx->sort || !strcmp(ctx->sort, "rank")};
    sort_column = ctx->sort;
    qsort(e, league->n, sizeof *e, compare_entries);
    sort_column = NULL;
    char mean[40];
    page_num1(ctx, prior, mean, sizeof mean);
    strbuf_puts(out, "<p class=\"note\">");
    page_textf(out, ctx,
               "Ranked by the index, each pulled toward the mean of all departments (%s) by 30 "
               "responses, so a few lucky taps do not top the league. Under each number its 95 %% "
               "interval; hover a number for its responses. Change: the period against the one "
               "before; last 7 days: those against the 28 days before them.",
               mean);
    strbuf_puts(out, "</p>\n");
    league_head(out, ctx);
    size_t rank = 0;
    bool groups = false;
    for (size_t i = 0; i < league->n; i++) {
        if (e[i].row->is_group && !groups) {
            groups = true;
            rank = 0;
            strbuf_puts(out, "</tbody>\n<tbody class=\"groups\"><tr><th colspan=\"10\" "
                             "scope=\"rowgroup\">");
            page_text(out, ctx, "Groups: all their departments together");
            strbuf_puts(out, "</th></tr>\n");
        }
        league_row(out, &v, &e[i], ++rank);
    }
    strbuf_puts(out, "</tbody>\n<tbody class=\"groups bench\"><tr><th colspan=\"10\" "
                     "scope=\"rowgroup\">");
    page_text(out, ctx, "Benchmarks: the whole organisation");
    strbuf_puts(out, "</th></tr>\n");
    page_bench_rows(out, ctx, league);
    strbuf_puts(out, "</tbody>\n</table></div>\n");
    free(e);
}

void page_overview(const struct page_ctx *ctx, const struct dash_league *league,
                   const struct dash_alerts *open, struct strbuf *out)
{
    page_frame_begin(out, ctx, page_tr(ctx, "Overview"), "overview", "/overview", NULL);
    strbuf_puts(out, "<section class=\"open-alerts\" aria-labelledby=\"open-alerts\">"
                     "<h2 id=\"open-alerts\">");
    page_text(out, ctx, "Open alerts");
    if (open && open->n) {
        strbuf_puts(out, " (");
        page_put_int(out, ctx, (int64_t)open->n);
        strbuf_puts(out, open->more ? "+)" : ")");
    }
    strbuf_puts(out, "</h2>\n");
    page_bench_alert_groups(out, ctx, open);
    strbuf_puts(out, "<p class=\"more\">");
    page_link_open(out, "/alerts", NULL, ctx->filter, "state=all");
    page_text(out, ctx, "All alerts");
    strbuf_puts(out, " →</a></p>\n");
    strbuf_puts(out, "</section>\n<section aria-labelledby=\"league\"><h2 id=\"league\">");
    page_text(out, ctx, "League");
    strbuf_puts(out, "</h2>\n");
    if (league->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx,
                  "No departments to show: none exists yet, or none is in your scope and this "
                  "filter.");
        strbuf_puts(out, "</p>\n");
    } else {
        league_table(out, ctx, league, open);
    }
    page_csv_link(out, ctx, "/api/v1/counts.csv", NULL, N_("The league's counts per day as CSV"));
    strbuf_puts(out, "</section>\n");
    page_attributed_league(out, ctx);
    page_frame_end(out);
}
