/*
 * page_department: one department: headline cards, trend with its band, the four faces,
 * the hour x weekday heat map, reasons, kiosks and its alerts.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attributed.h"
#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "strbuf.h"
#include "svg.h"

/* ---- a department ------------------------------------------------------ */

/* The trend's table has at most this many rows (two months of days); a
 * longer period offers its CSV instead, so the page stays light. */
#define TREND_TABLE_MAX 62

/* A department's page lists this many of its alerts. */
#define DEPARTMENT_ALERTS 10

/* One headline number: what (a msgid), the value, its interval and its n. */
static void headline_card(struct strbuf *out, const struct page_ctx *ctx, const char *what,
                          double v, double lo, double hi, bool share, int64_t n)
{
    char value[40], ci[96], over[64];
    strbuf_puts(out, "<div class=\"card\"><dt>");
    page_text(out, ctx, what);
    strbuf_puts(out, "</dt><dd class=\"big\">");
    if (n <= 0 || !isfinite(v)) {
        strbuf_puts(out, DASH "</dd><dd class=\"sub\">");
        page_text(out, ctx, "no responses");
        strbuf_puts(out, "</dd></div>");
        return;
    }
    if (share)
        page_pct(ctx, v, value, sizeof value);
    else
        page_num1(ctx, v, value, sizeof value);
    html_escape(out, value);
    strbuf_puts(out, "</dd><dd class=\"sub\">");
    if (isfinite(lo) && isfinite(hi)) {
        page_interval(ctx, lo, hi, share, ci, sizeof ci);
        page_textf(out, ctx, "95 %% interval %s", ci);
        strbuf_puts(out, "<br>");
    }
    page_responses(ctx, n, over, sizeof over);
    page_textf(out, ctx, "over %s", over);
    strbuf_puts(out, "</dd></div>");
}

static void headline(struct strbuf *out, const struct page_ctx *ctx,
                     const struct dash_department *d)
{
    struct score s = score_of(&d->total), p = score_of(&d->prev);
    strbuf_puts(out, "<dl class=\"headline\">");
    headline_card(out, ctx, N_("Index"), s.index, s.index_lo, s.index_hi, false, s.n);
    headline_card(out, ctx, N_("CSAT"), s.csat, s.csat_lo, s.csat_hi, true, s.n);
    headline_card(out, ctx, N_("WOW rate"), s.wow, s.wow_lo, s.wow_hi, true, s.n);
    headline_card(out, ctx, N_("Negative share"), s.negative, NAN, NAN, true, s.n);
    struct strbuf text = {0};
    char title[256];
    page_change_text(&text, ctx, &s, &p, title, sizeof title);
    strbuf_puts(out, "<div class=\"card\"><dt>");
    page_text(out, ctx, "Change");
    strbuf_puts(out, "</dt><dd class=\"big\">");
    strbuf_puts(out, text.data ? text.data : "");
    strbuf_puts(out, "</dd><dd class=\"sub\">");
    html_escape(out, title);
    strbuf_puts(out, "</dd></div></dl>\n");
    if (text.failed)
        out->failed = true;
    strbuf_free(&text);
}

/* "3 Nov" or "3.11.": a day of the month in the viewer's language. */
static void day_month(const struct page_ctx *ctx, int m, int md, char *buf, size_t size)
{
    if (ctx->lang && ctx->lang->numeric_dates)
        snprintf(buf, size, "%d.%d.", md, m);
    else
        snprintf(buf, size, "%d %s", md, page_tr(ctx, page_month_names[m - 1]));
}

/* The x label of trend step i: a day ("3 Nov") every few days, or an hour
 * ("06:00") every few hours with the day at midnight. */
static void trend_label(const struct page_ctx *ctx, const struct dash_department *d, size_t i,
                        char *buf, size_t size)
{
    const struct dash_point *p = &d->trend[i];
    int y, m, md;
    dash_date_from_day(p->day, &y, &m, &md);
    buf[0] = '\0';
    char day[24];
    day_month(ctx, m, md, day, sizeof day);
    if (d->hourly || p->hour >= 0) {
        size_t every = d->trend_n > 24 ? 6 : 3;
        if (p->hour == 0)
            snprintf(buf, size, "%s %s", page_tr(ctx, page_weekday_names[dash_weekday(p->day)]),
                     day);
        else if (p->hour > 0 && (size_t)p->hour % every == 0)
            snprintf(buf, size, "%02d:00", p->hour);
        return;
    }
    size_t every = d->trend_n <= 10 ? 1 : (d->trend_n + 7) / 8;
    if (i % every == 0)
        snprintf(buf, size, "%s", day);
}

/* "Tue 3 Nov 2026" or "Tue 3 Nov 2026, 14:00": a trend step in words. */
static void step_words(const struct page_ctx *ctx, const struct dash_point *p, char *buf,
                       size_t size)
{
    int y, m, md;
    dash_date_from_day(p->day, &y, &m, &md);
    char day[32];
    day_month(ctx, m, md, day, sizeof day);
    const char *weekday = page_tr(ctx, page_weekday_names[dash_weekday(p->day)]);
    bool numeric = ctx->lang && ctx->lang->numeric_dates;
    if (p->hour >= 0)
        snprintf(buf, size, numeric ? "%s %s%d, %02d:00" : "%s %s %d, %02d:00", weekday, day, y,
                 p->hour);
    else
        snprintf(buf, size, numeric ? "%s %s%d" : "%s %s %d", weekday, day, y);
}

/* The steps with responses as a table, for readers without the chart
 * (cells without classes, so a year of days stays light; the stylesheet
 * aligns the numbers). */
static void trend_table(struct strbuf *out, const struct page_ctx *ctx,
                        const struct dash_department *d)
{
    static const char *const columns[] = {N_("When"), N_("Index"), N_("Interval (95 %)"),
                                          N_("Responses")};
    strbuf_puts(out, "<details><summary>");
    page_text(out, ctx, "The trend as a table");
    strbuf_puts(out, "</summary><table class=\"plain trend\"><thead><tr>");
    page_head_cells(out, ctx, columns, 4);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < d->trend_n; i++) {
        struct score s = score_of(&d->trend[i].c);
        if (s.n <= 0)
            continue;
        char when[96], v[40], ci[96];
        step_words(ctx, &d->trend[i], when, sizeof when);
        page_num1(ctx, s.index, v, sizeof v);
        page_interval(ctx, s.index_lo, s.index_hi, false, ci, sizeof ci);
        strbuf_puts(out, "<tr><td>");
        html_escape(out, when);
        strbuf_puts(out, "</td><td>");
        html_escape(out, v);
        strbuf_puts(out, "</td><td>");
        html_escape(out, ci);
        strbuf_puts(out, "</td><td>");
        page_put_int(out, ctx, s.n);
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
        trend_table(out, ctx, d);
    struct dash_filter f = page_filter_with(ctx->filter, d->id, "");
    strbuf_puts(out, "<p class=\"more\">");
    page_link_open(out, "/api/v1/counts.csv", NULL, &f, d->hourly ? "granularity=hour" : NULL);
    page_text(out, ctx, "These counts as CSV");
    strbuf_puts(out, "</a> ");
    page_text(out, ctx, "(for a spreadsheet)");
    strbuf_puts(out, "</p>\n");
}

static void trend_section(struct strbuf *out, const struct page_ctx *ctx,
                          const struct dash_department *d)
{
    strbuf_puts(out, "<section aria-labelledby=\"trend\"><h2 id=\"trend\">");
    page_text(out, ctx, d->hourly ? N_("Index per hour") : N_("Index per day"));
    strbuf_puts(out, "</h2>\n");
    struct svg_point *points = calloc(d->trend_n ? d->trend_n : 1, sizeof *points);
    char(*labels)[64] = calloc(d->trend_n ? d->trend_n : 1, sizeof *labels);
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
            trend_label(ctx, d, i, labels[i], sizeof labels[i]);
            label_ptrs[i] = labels[i];
        }
        char title[240];
        if (d->hourly)
            page_trf(title, sizeof title, ctx,
                     "Index per hour with its 95 %% interval: %zu of %zu hours with responses",
                     with, d->trend_n);
        else
            page_trf(title, sizeof title, ctx,
                     "Index per day with its 95 %% interval: %zu of %zu days with responses", with,
                     d->trend_n);
        svg_band_chart(out, points, label_ptrs, d->trend_n, title);
        strbuf_puts(out, "<p class=\"note\">");
        page_text(out, ctx,
                  d->hourly ? N_("The line is the index (0 = every answer very unhappy, 100 = "
                                 "every answer WOW), the band its interval (95 %); a gap is an "
                                 "hour without responses.")
                            : N_("The line is the index (0 = every answer very unhappy, 100 = "
                                 "every answer WOW), the band its interval (95 %); a gap is a day "
                                 "without responses."));
        strbuf_puts(out, "</p>\n");
        trend_data(out, ctx, d);
    }
    free(points);
    free(labels);
    free(label_ptrs);
    strbuf_puts(out, "</section>\n");
}

static void distribution_section(struct strbuf *out, const struct page_ctx *ctx,
                                 const struct dash_department *d)
{
    static const char *const fills[] = {"#b35806", "#e08214", "#6a9fd0", "#2166ac"};
    int64_t total = score_counts_total(&d->total);
    strbuf_puts(out, "<section aria-labelledby=\"distribution\"><h2 id=\"distribution\">");
    page_text(out, ctx, "Answers");
    strbuf_puts(out, "</h2>\n");
    if (total <= 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No responses in this period.");
        strbuf_puts(out, "</p></section>\n");
        return;
    }
    char captions[4][96];
    struct svg_bar bars[4];
    for (int i = 0; i < 4; i++) {
        int64_t n = d->total.n[i] > 0 ? d->total.n[i] : 0;
        double share = (double)n / (double)total;
        char p[40], count[48];
        page_pct(ctx, share, p, sizeof p);
        page_int_text(ctx, n, count, sizeof count);
        snprintf(captions[i], sizeof captions[i], "%s (%s)", count, p);
        bars[i] =
            (struct svg_bar){page_tr(ctx, page_face_names[i]), share * 100, captions[i], fills[i]};
    }
    char title[160], over[64];
    page_responses(ctx, total, over, sizeof over);
    page_trf(title, sizeof title, ctx, "The four answers over %s", over);
    svg_bar_chart(out, bars, 4, title);
    strbuf_puts(out, "<p class=\"note\">");
    page_textf(out, ctx, "Over %s.", over);
    strbuf_puts(out, "</p>\n</section>\n");
}

/* The cell titles and values of the hour x weekday heat map. */
static void heat_section(struct strbuf *out, const struct page_ctx *ctx,
                         const struct dash_department *d)
{
    static const char *const hours[24] = {"0",  "1",  "2",  "3",  "4",  "5",  "6",  "7",
                                          "8",  "9",  "10", "11", "12", "13", "14", "15",
                                          "16", "17", "18", "19", "20", "21", "22", "23"};
    const char *weekdays[7];
    for (int w = 0; w < 7; w++)
        weekdays[w] = page_tr(ctx, page_weekday_names[w]);
    double values[7 * 24];
    char titles[7 * 24][96];
    const char *title_ptrs[7 * 24];
    for (int w = 0; w < 7; w++) {
        for (int h = 0; h < 24; h++) {
            struct score s = score_of(&d->heat[w][h]);
            int i = w * 24 + h;
            values[i] = s.n > 0 ? s.index : NAN;
            if (s.n > 0)
                page_trf(titles[i], sizeof titles[i], ctx, "%s %02d:00 – index %lld, n = %lld",
                         weekdays[w], h, (long long)llround(s.index), (long long)s.n);
            else
                page_trf(titles[i], sizeof titles[i], ctx, "%s %02d:00 – no responses", weekdays[w],
                         h);
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
                            weekdays,
                            hours + first,
                            isfinite(centre) ? centre : 50,
                            isfinite(centre) ? fmax(spread, 5) : 0,
                            page_tr(ctx, "no data")};
    strbuf_puts(out, "<section aria-labelledby=\"heat\"><h2 id=\"heat\">");
    page_text(out, ctx, "Index by hour and weekday");
    strbuf_puts(out, "</h2>\n<div class=\"scroll heat-wrap\" role=\"region\" aria-label=\"");
    page_text(out, ctx, "Heat map");
    strbuf_puts(out, "\" tabindex=\"0\">");
    svg_heat_map(out, &heat, page_tr(ctx, "Index by weekday and hour, in each kiosk's local time"));
    strbuf_puts(out, "</div>");
    char mean[40];
    page_num1(ctx, heat.centre, mean, sizeof mean);
    strbuf_puts(out, "<p class=\"note\">");
    page_textf(out, ctx,
               "Hours (%d to %d) in each kiosk's local time, those nobody answered in left out. "
               "White is this department's own index (%s), orange below it, blue above, full "
               "colour %.0f points away; each cell shows its index, its tooltip the number of "
               "responses; dashed cells had none.",
               first, last, mean, heat.spread);
    strbuf_puts(out, "</p>\n</section>\n");
}

/* The follow-up reasons of one question ("positive" or "negative"). */
static void reasons_table(struct strbuf *out, const struct page_ctx *ctx,
                          const struct dash_department *d, const char *question,
                          const char *heading)
{
    static const char *const columns[] = {N_("Reason"), N_("n"), N_("Share")};
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
    page_text(out, ctx, heading);
    strbuf_puts(out, "</h3>\n");
    if (chosen + skipped + timeout == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No follow-up answers.");
        strbuf_puts(out, "</p></div>\n");
        return;
    }
    strbuf_puts(out, "<table class=\"plain\"><thead><tr>");
    page_head_cells(out, ctx, columns, 3);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < d->reasons_n; i++) {
        const struct dash_reason_row *r = &d->reasons[i];
        if (strcmp(r->question, question) != 0 || !strcmp(r->ended_by, "skipped") ||
            !strcmp(r->ended_by, "timeout"))
            continue;
        char share[40];
        page_pct(ctx, chosen > 0 ? (double)r->n / (double)chosen : NAN, share, sizeof share);
        strbuf_puts(out, "<tr><td>");
        html_escape(out, r->label[0] ? r->label : r->reason);
        strbuf_puts(out, "</td><td class=\"num\">");
        page_put_int(out, ctx, r->n);
        strbuf_puts(out, "</td><td class=\"num\">");
        html_escape(out, share);
        strbuf_puts(out, "</td></tr>\n");
    }
    char a[48], b[48], c[48], all[48];
    page_int_text(ctx, chosen, a, sizeof a);
    page_int_text(ctx, skipped, b, sizeof b);
    page_int_text(ctx, timeout, c, sizeof c);
    page_int_text(ctx, chosen + skipped + timeout, all, sizeof all);
    strbuf_puts(out, "</tbody></table>\n<p class=\"note\">");
    page_textf(out, ctx,
               "Shares of the %s answers that chose a reason. Skipped: %s; timed out: %s; of %s "
               "follow-up questions asked.",
               a, b, c, all);
    strbuf_puts(out, "</p></div>\n");
}

static void text_cell(struct strbuf *out, const struct page_ctx *ctx, const char *label,
                      const char *text)
{
    page_cell_open(out, ctx, "td", label, NULL);
    html_escape(out, text);
    strbuf_puts(out, "</td>");
}

static void kiosk_row(struct strbuf *out, const struct page_ctx *ctx,
                      const struct dash_kiosk_row *k)
{
    struct score s = score_of(&k->c);
    strbuf_puts(out, "<tr>");
    page_cell_open(out, ctx, "th", N_("Kiosk"), " scope=\"row\"");
    html_escape(out, k->kiosk_id);
    strbuf_puts(out, "</th>");
    text_cell(out, ctx, N_("Label"), k->label);
    text_cell(out, ctx, N_("Site"), k->site_name[0] ? k->site_name : k->site);
    page_cell_open(out, ctx, "td", N_("Last seen"), NULL);
    if (k->last_seen_ms)
        page_put_local_time(out, ctx, k->last_seen_ms);
    else
        page_text(out, ctx, "never");
    strbuf_puts(out, "</td>");
    text_cell(out, ctx, N_("Version"), k->app_version);
    page_cell_open(out, ctx, "td", N_("Responses"), " class=\"num\"");
    if (s.n > 0)
        page_put_int(out, ctx, s.n);
    else
        strbuf_puts(out, DASH);
    strbuf_puts(out, "</td>");
    char v[40], over[64];
    page_num1(ctx, s.index, v, sizeof v);
    page_responses(ctx, s.n, over, sizeof over);
    strbuf_puts(out, "<td data-label=\"");
    page_text(out, ctx, "Index");
    strbuf_puts(out, "\" class=\"num\" title=\"");
    if (s.n > 0)
        page_textf(out, ctx, "Index over %s", over);
    else
        page_text(out, ctx, "No responses");
    strbuf_puts(out, "\">");
    html_escape(out, v);
    strbuf_puts(out, "</td></tr>\n");
}

static void kiosks_section(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_department *d)
{
    static const char *const columns[] = {N_("Kiosk"),     N_("Label"),   N_("Site"),
                                          N_("Last seen"), N_("Version"), N_("Responses"),
                                          N_("Index")};
    strbuf_puts(out, "<section aria-labelledby=\"kiosks\"><h2 id=\"kiosks\">");
    page_text(out, ctx, "Kiosks");
    strbuf_puts(out, "</h2>\n");
    if (d->kiosks_n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No kiosk counted here in this period.");
        strbuf_puts(out, "</p></section>\n");
        return;
    }
    strbuf_puts(out, "<table class=\"cards\"><thead><tr>");
    page_head_cells(out, ctx, columns, sizeof columns / sizeof columns[0]);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < d->kiosks_n; i++)
        kiosk_row(out, ctx, &d->kiosks[i]);
    strbuf_puts(out, "</tbody></table>\n</section>\n");
}

void page_department(const struct page_ctx *ctx, const struct dash_department *department,
                     const struct dash_alerts *alerts, const struct act_row *act,
                     struct strbuf *out)
{
    const struct dash_department *d = department;
    page_frame_begin(out, ctx, d->name[0] ? d->name : d->id, "overview", "/department/", d->id);
    strbuf_puts(out, "<p class=\"crumbs\">");
    page_link_open(out, "/overview", NULL, ctx->filter, NULL);
    strbuf_puts(out, "← ");
    page_text(out, ctx, "Overview");
    strbuf_puts(out, "</a>");
    if (d->group[0]) {
        struct dash_filter f = page_filter_with(ctx->filter, "", d->group);
        strbuf_puts(out, " · ");
        page_text(out, ctx, "group");
        strbuf_puts(out, " ");
        page_link_open(out, "/overview", NULL, &f, NULL);
        html_escape(out, d->group_name[0] ? d->group_name : d->group);
        strbuf_puts(out, "</a>");
    }
    strbuf_puts(out, " · ");
    page_link_open(out, "/poster/", d->id, ctx->filter, NULL);
    page_text(out, ctx, "Poster for the staff room");
    strbuf_puts(out, "</a> · ");
    page_link_open(out, "/report/", d->id, ctx->filter, NULL);
    page_text(out, ctx, "Evaluation report");
    strbuf_puts(out, "</a></p>\n");
    page_flags_missing(out, ctx, d);
    if (ctx->attributed && ctx->attributed->internal) {
        strbuf_puts(out, "<p class=\"audience\" data-audience=\"colleagues\">");
        page_text(out, ctx,
                  "An internal team: its ratings come from colleagues, the internal customers it "
                  "serves.");
        strbuf_puts(out, "</p>\n");
    } else if (ctx->attributed) {
        strbuf_puts(out, "<p class=\"audience\" data-audience=\"customers\">");
        page_text(out, ctx, "Rated by its customers.");
        strbuf_puts(out, "</p>\n");
    }
    headline(out, ctx, d);
    trend_section(out, ctx, d);
    strbuf_puts(out, "<div class=\"pair\">");
    distribution_section(out, ctx, d);
    strbuf_puts(out, "<section aria-labelledby=\"reasons\"><h2 id=\"reasons\">");
    page_text(out, ctx, "Why");
    strbuf_puts(out, "</h2>\n");
    reasons_table(out, ctx, d, "positive", N_("After a happy answer"));
    reasons_table(out, ctx, d, "negative", N_("After an unhappy answer"));
    strbuf_puts(out, "</section></div>\n");
    if (ctx->comments)
        page_comments_section(out, ctx, ctx->comments);
    if (ctx->attributed && ctx->attributed->internal)
        page_attributed_section(out, ctx, ctx->attributed);
    heat_section(out, ctx, d);
    page_consistency_section(out, ctx, d);
    kiosks_section(out, ctx, d);
    strbuf_puts(out, "<section aria-labelledby=\"dept-alerts\"><h2 id=\"dept-alerts\">");
    page_text(out, ctx, "Alerts");
    strbuf_puts(out, "</h2>\n");
    struct dash_alerts first = {0};
    if (alerts)
        first = (struct dash_alerts){
            alerts->items, alerts->n < DEPARTMENT_ALERTS ? alerts->n : DEPARTMENT_ALERTS, false};
    page_alert_list(out, ctx, &first, N_("No alerts for this department."));
    if (alerts && (alerts->n > first.n || alerts->more)) {
        struct dash_filter f = page_filter_with(ctx->filter, d->id, "");
        strbuf_puts(out, "<p class=\"more\">");
        page_link_open(out, "/alerts", NULL, &f, "state=all");
        page_text(out, ctx, "Every alert of this department");
        strbuf_puts(out, " →</a></p>\n");
    }
    if (act)
        page_act_department(out, ctx, act);
    strbuf_puts(out, "</section>\n");
    page_frame_end(out);
}
