/*
 * page_bench: what the overview's league adds for a department head: each
 * row's rank among every department of the organisation, the benchmark
 * rows (the whole organisation, the median department), the open-alert
 * badge on a row, and the open alerts grouped per department.  Sums and
 * ranks only: no other department's id, name or numbers reach a head.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages_private.h"
#include "report.h"
#include "strbuf.h"

/* The overview lists this many departments' open alerts, and this many of
 * each; "more" links to the rest. */
#define BENCH_ALERT_DEPARTMENTS 8
#define BENCH_ALERTS_EACH       3

double page_bench_prior(const struct dash_league *league)
{
    struct score s = score_of(&league->org_now);
    return s.n > 0 && isfinite(s.index) ? s.index : NAN;
}

size_t page_bench_rank(const struct dash_league *league, double prior, double shrunk, size_t *of)
{
    return report_league_rank(league, prior, shrunk, of);
}

/* The median of the departments' indexes (those with responses); NAN when none. */
static double median_index(const struct dash_league *league, size_t *n)
{
    double *v = calloc(league->all_n + 1, sizeof *v);
    *n = 0;
    if (!v)
        return NAN;
    for (size_t i = 0; i < league->all_n; i++) {
        struct score s = score_of(&league->all_now[i]);
        if (s.n > 0) {
            size_t j = (*n)++;
            while (j > 0 && v[j - 1] > s.index) /* insertion sort: a list of departments */
                v[j] = v[j - 1], j--;
            v[j] = s.index;
        }
    }
    double m = *n == 0 ? NAN : *n % 2 ? v[*n / 2] : (v[*n / 2 - 1] + v[*n / 2]) / 2;
    free(v);
    return m;
}

static void count_cell(struct strbuf *out, const struct page_ctx *ctx, int64_t n)
{
    strbuf_puts(out, "<td>");
    if (n > 0)
        page_put_int(out, ctx, n);
    else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td>");
}

void page_bench_rows(struct strbuf *out, const struct page_ctx *ctx,
                     const struct dash_league *league)
{
    struct score now = score_of(&league->org_now), prev = score_of(&league->org_prev);
    size_t n = 0;
    double median = median_index(league, &n);
    strbuf_puts(out, "<tr class=\"group bench\" data-bench=\"organisation\"><td><span "
                     "class=\"tag\">");
    page_text(out, ctx, "all");
    strbuf_puts(out, "</span></td><th scope=\"row\">");
    page_textf(out, ctx, "Whole organisation: all %zu departments together", league->all_n);
    strbuf_puts(out, "</th>");
    page_score_cell(out, ctx, now.index, now.index_lo, now.index_hi, false, now.n);
    page_score_cell(out, ctx, now.csat, now.csat_lo, now.csat_hi, true, now.n);
    page_score_cell(out, ctx, now.wow, now.wow_lo, now.wow_hi, true, now.n);
    count_cell(out, ctx, now.n);
    page_change_cell(out, ctx, &now, &prev);
    strbuf_puts(out,
                "<td></td><td></td><td></td></tr>\n<tr class=\"group bench\" data-bench=\"median\">"
                "<td><span class=\"tag\">");
    page_text(out, ctx, "median");
    strbuf_puts(out, "</span></td><th scope=\"row\">");
    page_textf(out, ctx, "Median department (of %zu with responses)", n);
    strbuf_puts(out, "</th><td class=\"num\">");
    char v[40];
    page_num1(ctx, median, v, sizeof v);
    strbuf_puts(out, n ? v : DASH);
    strbuf_puts(out, "</td><td></td><td></td><td></td><td></td><td></td><td></td><td></td></tr>\n");
}

/* How many of open's alerts are about department. */
static size_t alerts_of(const struct dash_alerts *open, const char *department)
{
    size_t n = 0;
    for (size_t i = 0; open && i < open->n; i++)
        n += !strcmp(open->items[i].department, department);
    return n;
}

/* "1 open alert", "3 open alerts". */
static void open_alerts_text(struct strbuf *out, const struct page_ctx *ctx, size_t n)
{
    char count[48];
    page_int_text(ctx, (int64_t)n, count, sizeof count);
    if (n == 1)
        page_textf(out, ctx, "%s open alert", count);
    else
        page_textf(out, ctx, "%s open alerts", count);
}

void page_bench_badge(struct strbuf *out, const struct page_ctx *ctx,
                      const struct dash_alerts *open, const char *department)
{
    size_t n = alerts_of(open, department);
    if (n == 0)
        return;
    struct dash_filter f = page_filter_with(ctx->filter, department, "");
    strbuf_puts(out, " ");
    page_link_open(out, "/alerts", NULL, &f, "state=open");
    strbuf_puts(out, "<span class=\"tag alert-badge\">⚠ ");
    open_alerts_text(out, ctx, n);
    strbuf_puts(out, "</span></a>");
}

/* Whether open's alert at has a department seen before it. */
static bool seen_before(const struct dash_alerts *open, size_t at)
{
    for (size_t i = 0; i < at; i++)
        if (!strcmp(open->items[i].department, open->items[at].department))
            return true;
    return false;
}

/* One department's open alerts, as page_alert_list() shows them. */
static void department_group(struct strbuf *out, const struct page_ctx *ctx,
                             const struct dash_alerts *open, size_t first, struct dash_alert *tmp)
{
    const struct dash_alert *a = &open->items[first];
    struct dash_alerts mine = {tmp, 0, false};
    for (size_t i = first; i < open->n; i++)
        if (!strcmp(open->items[i].department, a->department))
            tmp[mine.n++] = open->items[i]; /* shallow: open keeps owning them */
    struct dash_filter f = page_filter_with(ctx->filter, a->department, "");
    strbuf_puts(out, "<li class=\"alert-group\"><h3>");
    page_link_open(out, "/alerts", NULL, &f, "state=open");
    html_escape(out, a->department_name[0] ? a->department_name : a->department);
    strbuf_puts(out, "</a> <span class=\"tag alert-badge\">");
    open_alerts_text(out, ctx, mine.n);
    strbuf_puts(out, "</span></h3>\n");
    size_t all = mine.n;
    mine.n = all < BENCH_ALERTS_EACH ? all : BENCH_ALERTS_EACH;
    page_alert_list(out, ctx, &mine, "");
    if (all > mine.n) {
        strbuf_puts(out, "<p class=\"more\">");
        page_link_open(out, "/alerts", NULL, &f, "state=open");
        char count[48];
        page_int_text(ctx, (int64_t)(all - mine.n), count, sizeof count);
        page_textf(out, ctx, "%s more of this department", count);
        strbuf_puts(out, " →</a></p>\n");
    }
    strbuf_puts(out, "</li>\n");
}

void page_bench_alert_groups(struct strbuf *out, const struct page_ctx *ctx,
                             const struct dash_alerts *open)
{
    if (!open || open->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No open alerts.");
        strbuf_puts(out, "</p>\n");
        return;
    }
    struct dash_alert *tmp = calloc(open->n, sizeof *tmp);
    if (!tmp) {
        out->failed = true;
        return;
    }
    size_t groups = 0, hidden = 0;
    strbuf_puts(out, "<ul class=\"alert-groups\">\n");
    for (size_t i = 0; i < open->n; i++) {
        if (seen_before(open, i))
            continue;
        if (groups++ < BENCH_ALERT_DEPARTMENTS)
            department_group(out, ctx, open, i, tmp);
        else
            hidden++;
    }
    strbuf_puts(out, "</ul>\n");
    free(tmp);
    if (hidden || open->more) {
        strbuf_puts(out, "<p class=\"more\">");
        page_link_open(out, "/alerts", NULL, ctx->filter, "state=open");
        char count[48];
        page_int_text(ctx, (int64_t)hidden, count, sizeof count);
        if (hidden == 1)
            page_textf(out, ctx, "%s more department with open alerts", count);
        else if (hidden)
            page_textf(out, ctx, "%s more departments with open alerts", count);
        else
            page_text(out, ctx, "More open alerts");
        strbuf_puts(out, " →</a></p>\n");
    }
}
