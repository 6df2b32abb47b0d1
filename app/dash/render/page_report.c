/*
 * page_report: a team's evaluation report (/report/ID): the figures with
 * their intervals beside the period before, the team's group and the
 * organisation; its rank; the index week by week; the reasons customers
 * gave most; its alerts in the period.  Made to be printed (A4, the
 * stylesheet's print rules: a header on every page, no table row cut, a
 * table's head repeated on the next page) and to stand beside a
 * performance review; the same numbers are /api/v1/report's.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attributed.h"
#include "act.h"
#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "report.h"
#include "strbuf.h"
#include "svg.h"

#define REPORT_REASONS 5 /* of each list, the most chosen */

/* A share or an index with its interval under it and its responses in
 * its title, as the league's cells; DASH over 0 responses. */
static void figure_cell(struct strbuf *out, const struct page_ctx *ctx, const struct score *s,
                        int what)
{
    if (what == 0)
        page_score_cell(out, ctx, s->index, s->index_lo, s->index_hi, false, s->n);
    else if (what == 1)
        page_score_cell(out, ctx, s->csat, s->csat_lo, s->csat_hi, true, s->n);
    else if (what == 2)
        page_score_cell(out, ctx, s->wow, s->wow_lo, s->wow_hi, true, s->n);
    else
        page_score_cell(out, ctx, s->negative, NAN, NAN, true, s->n);
}

static void figures(struct strbuf *out, const struct page_ctx *ctx, const struct dash_department *d,
                    const struct report *r)
{
    static const char *const columns[] = {N_("Figure"), N_("This team"), N_("Period before"),
                                          N_("Its group"), N_("Organisation")};
    static const char *const rows[] = {N_("Index (0–100)"), N_("Satisfied (CSAT)"), N_("WOW rate"),
                                       N_("Negative share")};
    strbuf_puts(out, "<section aria-labelledby=\"r-figures\"><h2 id=\"r-figures\">");
    page_text(out, ctx, "Figures");
    strbuf_puts(out, "</h2>\n<table class=\"plain report-figures\" data-table=\"figures\"><thead>"
                     "<tr>");
    page_head_cells(out, ctx, columns, sizeof columns / sizeof columns[0]);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (int i = 0; i < 4; i++) {
        strbuf_puts(out, "<tr><th scope=\"row\">");
        page_text(out, ctx, rows[i]);
        strbuf_puts(out, "</th>");
        figure_cell(out, ctx, &r->now, i);
        figure_cell(out, ctx, &r->prev, i);
        figure_cell(out, ctx, &r->group, i);
        figure_cell(out, ctx, &r->org, i);
        strbuf_puts(out, "</tr>\n");
    }
    strbuf_puts(out, "<tr><th scope=\"row\">");
    page_text(out, ctx, "Responses");
    strbuf_puts(out, "</th>");
    const struct score *n[] = {&r->now, &r->prev, &r->group, &r->org};
    for (size_t i = 0; i < 4; i++) {
        strbuf_puts(out, "<td>");
        if (n[i]->n > 0)
            page_put_int(out, ctx, n[i]->n);
        else
            strbuf_puts(out, DASH);
        strbuf_puts(out, "</td>");
    }
    strbuf_puts(out, "</tr>\n</tbody></table>\n<p class=\"note\">");
    page_text(out, ctx,
              "Under each number its interval (95 %). The group and the organisation "
              "count every one of their departments over the same days.");
    if (!d->group[0]) {
        strbuf_puts(out, " ");
        page_text(out, ctx, "This team belongs to no group.");
    }
    strbuf_puts(out, "</p>\n");
}

/* The change against the period before and the rank, in sentences. */
static void verdict(struct strbuf *out, const struct page_ctx *ctx, const struct report *r)
{
    struct strbuf change = {0};
    char title[256];
    page_change_text(&change, ctx, &r->now, &r->prev, title, sizeof title);
    strbuf_puts(out, "<ul class=\"report-verdict\"><li>");
    page_text(out, ctx, "Index against the period before:");
    strbuf_puts(out, " ");
    strbuf_puts(out, change.data ? change.data : "");
    strbuf_puts(out, " <span class=\"note\">(");
    html_escape(out, title);
    strbuf_puts(out, ")</span></li>");
    out->failed |= change.failed;
    strbuf_free(&change);
    if (r->rank > 0) {
        strbuf_puts(out, "<li>");
        page_textf(out, ctx,
                   "Rank %zu of %zu departments with responses, by the index pulled toward the "
                   "organisation's by 30 responses.",
                   r->rank, r->of);
        strbuf_puts(out, "</li>");
    }
    strbuf_puts(out, "</ul>\n</section>\n");
}

/* "3 Nov – 9 Nov" or "3.11.–9.11.": a week's days. */
static void week_words(const struct page_ctx *ctx, const struct report_week *w, char *buf,
                       size_t size)
{
    page_period_words(ctx, w->from_day, w->to_day, buf, size);
}

static void weeks(struct strbuf *out, const struct page_ctx *ctx, const struct report *r)
{
    static const char *const columns[] = {N_("Week"), N_("Responses"), N_("Index"),
                                          N_("Satisfied (CSAT)"), N_("WOW rate")};
    strbuf_puts(out, "<section aria-labelledby=\"r-weeks\"><h2 id=\"r-weeks\">");
    page_text(out, ctx, "Week by week");
    strbuf_puts(out, "</h2>\n");
    struct svg_point *points = calloc(r->weeks_n ? r->weeks_n : 1, sizeof *points);
    const char **labels = calloc(r->weeks_n ? r->weeks_n : 1, sizeof *labels);
    char(*texts)[24] = calloc(r->weeks_n ? r->weeks_n : 1, sizeof *texts);
    if (!points || !labels || !texts) {
        out->failed = true;
    } else {
        size_t every = r->weeks_n <= 14 ? 1 : (r->weeks_n + 12) / 13;
        for (size_t i = 0; i < r->weeks_n; i++) {
            struct score s = score_of(&r->weeks[i].counts);
            points[i] = s.n > 0 ? (struct svg_point){s.index, s.index_lo, s.index_hi}
                                : (struct svg_point){NAN, NAN, NAN};
            int y, m, md;
            dash_date_from_day(r->weeks[i].from_day, &y, &m, &md);
            if (i % every == 0)
                snprintf(texts[i], sizeof texts[i], "%d.%d.", md, m);
            labels[i] = texts[i];
        }
        char title[160];
        page_trf(title, sizeof title, ctx, "Index per week with its 95 %% interval");
        svg_band_chart(out, points, labels, r->weeks_n, title);
    }
    free(points);
    free(labels);
    free(texts);
    strbuf_puts(out, "<table class=\"plain report-weeks\" data-table=\"weeks\"><thead><tr>");
    page_head_cells(out, ctx, columns, sizeof columns / sizeof columns[0]);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < r->weeks_n; i++) {
        struct score s = score_of(&r->weeks[i].counts);
        char when[96];
        week_words(ctx, &r->weeks[i], when, sizeof when);
        strbuf_puts(out, "<tr><th scope=\"row\">");
        html_escape(out, when);
        strbuf_puts(out, "</th><td>");
        if (s.n > 0)
            page_put_int(out, ctx, s.n);
        else
            strbuf_puts(out, DASH);
        strbuf_puts(out, "</td>");
        figure_cell(out, ctx, &s, 0);
        figure_cell(out, ctx, &s, 1);
        figure_cell(out, ctx, &s, 2);
        strbuf_puts(out, "</tr>\n");
    }
    strbuf_puts(out, "</tbody></table>\n</section>\n");
}

/* The most chosen reasons of one question, with their shares of the
 * answers that chose one. */
static void reasons(struct strbuf *out, const struct page_ctx *ctx, const struct dash_department *d,
                    const char *question, const char *heading)
{
    const struct dash_reason_row *top[REPORT_REASONS] = {0};
    int64_t chosen = 0;
    for (size_t i = 0; i < d->reasons_n; i++) {
        const struct dash_reason_row *r = &d->reasons[i];
        if (strcmp(r->question, question) || strcmp(r->ended_by, "chosen") || r->n <= 0)
            continue;
        chosen += r->n;
        for (int k = 0; k < REPORT_REASONS; k++)
            if (!top[k] || r->n > top[k]->n) {
                memmove(&top[k + 1], &top[k], (size_t)(REPORT_REASONS - 1 - k) * sizeof top[0]);
                top[k] = r;
                break;
            }
    }
    strbuf_puts(out, "<div class=\"reasons\"><h3>");
    page_text(out, ctx, heading);
    strbuf_puts(out, "</h3>");
    if (!top[0]) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No reason chosen.");
        strbuf_puts(out, "</p></div>\n");
        return;
    }
    strbuf_puts(out, "<ol>");
    for (int k = 0; k < REPORT_REASONS && top[k]; k++) {
        char share[40], n[48];
        page_pct(ctx, (double)top[k]->n / (double)chosen, share, sizeof share);
        page_int_text(ctx, top[k]->n, n, sizeof n);
        strbuf_puts(out, "<li><span translate=\"no\">");
        html_escape(out, top[k]->label[0] ? top[k]->label : top[k]->reason);
        strbuf_puts(out, "</span> ");
        page_textf(out, ctx, "(%s, %s)", n, share);
        strbuf_puts(out, "</li>");
    }
    strbuf_puts(out, "</ol></div>\n");
}

/* A span as "3 h"; DASH for NaN (not yet, or none). */
static void report_span_text(const struct page_ctx *ctx, double seconds, char *buf, size_t size)
{
    if (isnan(seconds))
        snprintf(buf, size, "%s", DASH);
    else
        page_span(ctx, (int64_t)llround(seconds * 1000.0), buf, size);
}

static void report_span(struct strbuf *out, const struct page_ctx *ctx, double seconds)
{
    char text[48];
    report_span_text(ctx, seconds, text, sizeof text);
    strbuf_puts(out, "<td class=\"num\">");
    html_escape(out, text);
    strbuf_puts(out, "</td>");
}

static void alerts_section(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_alerts *alerts)
{
    static const char *const columns[] = {
        N_("Alert"),       N_("Opened"),          N_("Time to recognise"),
        N_("Time to act"), N_("Time to recover"), N_("What was done")};
    strbuf_puts(out, "<section aria-labelledby=\"r-alerts\"><h2 id=\"r-alerts\">");
    page_text(out, ctx, "Alerts in the period");
    strbuf_puts(out, "</h2>\n");
    if (!alerts || alerts->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No alert opened in the period.");
        strbuf_puts(out, "</p></section>\n");
        return;
    }
    strbuf_puts(out, "<table class=\"plain report-alerts\" data-table=\"alerts\"><thead><tr>");
    page_head_cells(out, ctx, columns, sizeof columns / sizeof columns[0]);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < alerts->n; i++) {
        const struct dash_alert *a = &alerts->items[i];
        strbuf_puts(out, "<tr><th scope=\"row\">#");
        page_put_int(out, ctx, a->id);
        if (a->rise) {
            strbuf_puts(out, " ");
            page_text(out, ctx, "(good news)");
        }
        strbuf_puts(out, "</th><td>");
        page_put_local_time(out, ctx, a->opened_ms);
        strbuf_puts(out, "</td>");
        report_span(out, ctx, act_seconds(a->change_ms, a->opened_ms));
        report_span(out, ctx, act_seconds(a->opened_ms, a->acked_ms));
        report_span(out, ctx,
                    a->state == DASH_ALERT_CLOSED ? act_seconds(a->opened_ms, a->closed_ms) : NAN);
        strbuf_puts(out, "<td>");
        html_escape(out, a->resolution);
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table>\n");
    struct act_table t;
    if (act_table_build(alerts->items, alerts->n, &t)) {
        char rec[48], act[48], rev[48];
        report_span_text(ctx, t.total.recognise_s, rec, sizeof rec);
        report_span_text(ctx, t.total.act_s, act, sizeof act);
        report_span_text(ctx, t.total.recover_s, rev, sizeof rev);
        strbuf_puts(out, "<p class=\"act-summary\">");
        page_textf(out, ctx,
                   "Median time to recognise %s (n = %lld), to act %s (n = %lld), to recover %s "
                   "(n = %lld).",
                   rec, (long long)t.total.recognise_n, act, (long long)t.total.act_n, rev,
                   (long long)t.total.recover_n);
        strbuf_puts(out, "</p>\n");
    }
    act_table_free(&t);
    if (alerts->more) {
        strbuf_puts(out, "<p class=\"note\">");
        page_text(out, ctx, "More alerts than fit here: the alerts page lists them all.");
        strbuf_puts(out, "</p>");
    }
    strbuf_puts(out, "</section>\n");
}

/* The periods a review is written for, as links keeping the department. */
static void period_links(struct strbuf *out, const struct page_ctx *ctx,
                         const struct dash_department *d)
{
    static const struct {
        enum dash_period period;
        const char *label;
    } choices[] = {{DASH_PERIOD_THIS_MONTH, N_("This month")},
                   {DASH_PERIOD_LAST_30_DAYS, N_("Last 30 days")},
                   {DASH_PERIOD_THIS_QUARTER, N_("This quarter")},
                   {DASH_PERIOD_LAST_90_DAYS, N_("Last 90 days")},
                   {DASH_PERIOD_THIS_YEAR, N_("Year to date")}};
    strbuf_puts(out, "<nav class=\"report-periods screen-only\" aria-label=\"");
    page_text(out, ctx, "Period");
    strbuf_puts(out, "\"><a href=\"");
    page_url(out, "/department/", d->id, ctx->filter, NULL);
    strbuf_puts(out, "\">← ");
    page_text(out, ctx, "Back to the department");
    strbuf_puts(out, "</a>");
    for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
        struct dash_filter f = *ctx->filter;
        f.period = choices[i].period;
        strbuf_puts(out, " · ");
        strbuf_puts(out, f.period == ctx->filter->period ? "<a aria-current=\"page\" href=\""
                                                         : "<a href=\"");
        page_url(out, "/report/", d->id, &f, NULL);
        strbuf_puts(out, "\">");
        page_text(out, ctx, choices[i].label);
        strbuf_puts(out, "</a>");
    }
    strbuf_puts(out, " · ");
    page_text(out, ctx, "A custom range: choose it on the department's page.");
    strbuf_puts(out, "</nav>\n");
}

static void report_head(struct strbuf *out, const struct page_ctx *ctx,
                        const struct dash_department *d, const char *words)
{
    const char *name = d->name[0] ? d->name : d->id;
    char title[DASH_NAME_MAX + 64];
    page_trf(title, sizeof title, ctx, "Evaluation report: %s", name);
    html_page_head(out, ctx->lang ? ctx->lang->code : NULL, title);
    /* A layout table, blocks on screen: printed, its head repeats at the top
     * of every page (the one way of a running header that neither overlaps
     * the text nor needs the header's text in the stylesheet). */
    strbuf_puts(out, "<table class=\"report-frame\" role=\"presentation\"><thead><tr><td>"
                     "<header class=\"report-head\"><span>wowdash · ");
    page_text(out, ctx, "Evaluation report");
    strbuf_puts(out, "</span> <strong>");
    html_escape(out, name);
    strbuf_puts(out, "</strong> <span>");
    html_escape(out, words);
    strbuf_puts(out, "</span></header></td></tr></thead>\n<tbody><tr><td>"
                     "<main class=\"report\">\n");
}

void page_report(const struct page_ctx *ctx, const struct dash_department *d,
                 const struct report *r, const struct dash_alerts *alerts, struct strbuf *out)
{
    char words[80], made[80];
    page_period_words(ctx, r->from_day, r->to_day, words, sizeof words);
    report_head(out, ctx, d, words);
    period_links(out, ctx, d);
    strbuf_puts(out, "<h1>");
    html_escape(out, d->name[0] ? d->name : d->id);
    strbuf_puts(out, "</h1>\n<p class=\"report-period\">");
    page_text(out, ctx, "Evaluation report");
    strbuf_puts(out, " · ");
    html_escape(out, words);
    if (ctx->zone && ctx->zone[0]) {
        strbuf_puts(out, ", ");
        html_escape(out, ctx->zone);
    }
    if (d->group[0]) {
        strbuf_puts(out, " · ");
        page_text(out, ctx, "group");
        strbuf_puts(out, " ");
        html_escape(out, d->group_name[0] ? d->group_name : d->group);
    }
    strbuf_puts(out, "</p>\n");
    bool internal = ctx->attributed && ctx->attributed->internal;
    if (internal) { /* its figures are its colleagues' */
        strbuf_puts(out, "<p class=\"audience\" data-audience=\"colleagues\">");
        page_text(out, ctx,
                  "An internal team: its ratings come from colleagues, the internal customers it "
                  "serves.");
        strbuf_puts(out, "</p>\n");
    }
    figures(out, ctx, d, r);
    verdict(out, ctx, r);
    if (internal)
        page_attributed_section(out, ctx, ctx->attributed);
    page_consistency_section(out, ctx, d);
    weeks(out, ctx, r);
    strbuf_puts(out, "<section aria-labelledby=\"r-reasons\"><h2 id=\"r-reasons\">");
    page_text(out, ctx, internal ? N_("What colleagues said") : N_("What customers said"));
    strbuf_puts(out, "</h2>\n<div class=\"pair\">");
    reasons(out, ctx, d, "positive", N_("After a happy answer"));
    reasons(out, ctx, d, "negative", N_("After an unhappy answer"));
    strbuf_puts(out, "</div></section>\n");
    if (ctx->comments)
        page_comments_report(out, ctx, ctx->comments->list, ctx->comments->admin,
                             PAGE_REPORT_COMMENTS);
    alerts_section(out, ctx, alerts);
    page_clock_text(ctx, ctx->now_ms, made, sizeof made);
    strbuf_puts(out, "<footer class=\"report-foot\"><p>");
    page_textf(out, ctx, "Made %s by wowdash. The same numbers: /api/v1/report.", made);
    strbuf_puts(out, "</p></footer>\n</main></td></tr></tbody></table>\n");
    html_page_end(out);
}
