/*
 * page_department: one department: headline cards, trend with its band, the four faces,
 * the hour x weekday heat map, reasons, kiosks and its alerts.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "pages_private.h"
#include "strbuf.h"
#include "svg.h"

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
        page_pct(v, value, sizeof value);
    else
        page_num1(v, value, sizeof value);
    strbuf_puts(out, value);
    strbuf_puts(out, "</dd><dd class=\"sub\">");
    if (isfinite(lo) && isfinite(hi)) {
        page_interval(lo, hi, share, ci, sizeof ci);
        strbuf_puts(out, "95 % interval ");
        strbuf_puts(out, ci);
        strbuf_puts(out, "<br>");
    }
    page_responses(n, over, sizeof over);
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
    page_change_text(&text, &s, &p, title, sizeof title);
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
            snprintf(buf, size, "%s %d %s", page_weekday_names[dash_weekday(p->day)], md,
                     page_month_names[m - 1]);
        else if (p->hour > 0 && (size_t)p->hour % every == 0)
            snprintf(buf, size, "%02d:00", p->hour);
        return;
    }
    size_t every = d->trend_n <= 10 ? 1 : (d->trend_n + 7) / 8;
    if (i % every == 0)
        snprintf(buf, size, "%d %s", md, page_month_names[m - 1]);
}

/* "Tue 3 Nov" or "Tue 3 Nov 14:00": a trend step in words. */
static void step_words(const struct dash_point *p, char *buf, size_t size)
{
    int y, m, md;
    dash_date_from_day(p->day, &y, &m, &md);
    if (p->hour >= 0)
        snprintf(buf, size, "%s %d %s %d, %02d:00", page_weekday_names[dash_weekday(p->day)], md,
                 page_month_names[m - 1], y, p->hour);
    else
        snprintf(buf, size, "%s %d %s %d", page_weekday_names[dash_weekday(p->day)], md,
                 page_month_names[m - 1], y);
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
        page_num1(s.index, v, sizeof v);
        page_interval(s.index_lo, s.index_hi, false, ci, sizeof ci);
        strbuf_puts(out, "<tr><td>");
        strbuf_puts(out, when);
        strbuf_puts(out, "</td><td>");
        strbuf_puts(out, v);
        strbuf_puts(out, "</td><td>");
        strbuf_puts(out, ci);
        strbuf_puts(out, "</td><td>");
        page_put_int(out, s.n);
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
    struct dash_filter f = page_filter_with(ctx->filter, d->id, "");
    strbuf_puts(out, "<p class=\"more\">");
    page_link_open(out, "/api/v1/counts.csv", NULL, &f, d->hourly ? "granularity=hour" : NULL);
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
        page_pct(share, p, sizeof p);
        snprintf(captions[i], sizeof captions[i], "%" PRId64 " (%s)", n, p);
        bars[i] = (struct svg_bar){page_face_names[i], share * 100, captions[i], fills[i]};
    }
    char title[96], over[48];
    page_responses(total, over, sizeof over);
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
                         page_weekday_names[w], h, (long long)llround(s.index), s.n);
            else
                snprintf(titles[i], sizeof titles[i], "%s %02d:00 – no responses",
                         page_weekday_names[w], h);
            title_ptrs[i] = titles[i];
        }
    }
    /* only the hours someone answered in (the night's empty columns left
     * out), coloured around the department's own mean */
    int first = 24, last = -1;
    double spread = 0, centre = score_of(&d->total).index;
    for (int i = 0; i < 7 * 24; i++)
        if (isfinite(values[i])) {
            first = i % 24 < first ? i % 24 : first;
            last = i % 24 > last ? i % 24 : last;
            spread = fmax(spread, fabs(values[i] - centre));
        }
    if (last < first)
        first = 0, last = 23;
    size_t cols = (size_t)(last - first + 1);
    double cut[7 * 24];
    const char *cut_titles[7 * 24];
    for (int w = 0; w < 7; w++)
        for (size_t h = 0; h < cols; h++) {
            cut[(size_t)w * cols + h] = values[w * 24 + first + (int)h];
            cut_titles[(size_t)w * cols + h] = title_ptrs[w * 24 + first + (int)h];
        }
    struct svg_heat heat = {cut,
                            cut_titles,
                            7,
                            cols,
                            page_weekday_names,
                            hours + first,
                            isfinite(centre) ? centre : 50,
                            isfinite(centre) ? fmax(spread, 5) : 0};
    strbuf_puts(out, "<section aria-labelledby=\"heat\"><h2 id=\"heat\">Index by hour and "
                     "weekday</h2>\n");
    strbuf_puts(out, "<div class=\"scroll heat-wrap\" role=\"region\" aria-label=\"Heat map\" "
                     "tabindex=\"0\">");
    svg_heat_map(out, &heat, "Index by weekday and hour, in each kiosk's local time");
    strbuf_puts(out, "</div>");
    char mean[32], note[400];
    page_num1(heat.centre, mean, sizeof mean);
    snprintf(note, sizeof note,
             "<p class=\"note\">Hours (%d to %d) in each kiosk's local time, those nobody "
             "answered in left out. White is this department's own index (%s), orange below it, "
             "blue above, full colour %.0f points away; each cell shows its index, its tooltip "
             "the number of responses; dashed cells had none.</p>\n</section>\n",
             first, last, mean, heat.spread);
    strbuf_puts(out, note);
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
        page_pct(chosen > 0 ? (double)r->n / (double)chosen : NAN, share, sizeof share);
        strbuf_puts(out, "<tr><td>");
        html_escape(out, r->label[0] ? r->label : r->reason);
        strbuf_puts(out, "</td><td class=\"num\">");
        page_put_int(out, r->n);
        strbuf_puts(out, "</td><td class=\"num\">");
        strbuf_puts(out, share);
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table>\n<p class=\"note\">Shares of the ");
    page_put_int(out, chosen);
    strbuf_puts(out, " answers that chose a reason. Skipped: ");
    page_put_int(out, skipped);
    strbuf_puts(out, "; timed out: ");
    page_put_int(out, timeout);
    strbuf_puts(out, "; of ");
    page_put_int(out, chosen + skipped + timeout);
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
    text_cell(out, "Site", k->site_name[0] ? k->site_name : k->site);
    strbuf_puts(out, "<td data-label=\"Last seen\">");
    if (k->last_seen_ms)
        page_put_local_time(out, ctx, k->last_seen_ms);
    else
        strbuf_puts(out, "never");
    strbuf_puts(out, "</td>");
    text_cell(out, "Version", k->app_version);
    strbuf_puts(out, "<td data-label=\"Responses\" class=\"num\">");
    if (s.n > 0)
        page_put_int(out, s.n);
    else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td><td data-label=\"Index\" class=\"num\" title=\"");
    char v[32], over[48];
    page_num1(s.index, v, sizeof v);
    page_responses(s.n, over, sizeof over);
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
    page_frame_begin(out, ctx, d->name[0] ? d->name : d->id, "overview", "/department/", d->id);
    strbuf_puts(out, "<p class=\"crumbs\">");
    page_link_open(out, "/overview", NULL, ctx->filter, NULL);
    strbuf_puts(out, "← Overview</a>");
    if (d->group[0]) {
        struct dash_filter f = page_filter_with(ctx->filter, "", d->group);
        strbuf_puts(out, " · group ");
        page_link_open(out, "/overview", NULL, &f, NULL);
        html_escape(out, d->group_name[0] ? d->group_name : d->group);
        strbuf_puts(out, "</a>");
    }
    strbuf_puts(out, " · ");
    page_link_open(out, "/poster/", d->id, ctx->filter, NULL);
    strbuf_puts(out, "Poster for the staff room</a></p>\n");
    page_flags_missing(out, ctx, d);
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
    page_alert_list(out, ctx, &first, "No alerts for this department.");
    if (alerts && (alerts->n > first.n || alerts->more)) {
        struct dash_filter f = page_filter_with(ctx->filter, d->id, "");
        strbuf_puts(out, "<p class=\"more\">");
        page_link_open(out, "/alerts", NULL, &f, "state=all");
        strbuf_puts(out, "Every alert of this department →</a></p>\n");
    }
    strbuf_puts(out, "</section>\n");
    page_frame_end(out);
}
