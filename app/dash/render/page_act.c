/*
 * page_act: recognise and act (act.h) on the pages: an alert's section
 * (its change point and times, its owner and what was done, with the
 * forms to assign and resolve it), a department's row of times, and the
 * organisation's table at /alerts/times, scoped like every page.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "act.h"
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

/* A span in seconds as "15 min", "2 h", "3 days"; DASH for NaN. */
static void put_span(struct strbuf *out, const struct page_ctx *ctx, double seconds)
{
    if (isnan(seconds)) {
        strbuf_puts(out, DASH);
        return;
    }
    char text[48];
    page_span(ctx, (int64_t)llround(seconds * 1000.0), text, sizeof text);
    html_escape(out, text);
}

static void fact_open(struct strbuf *out, const struct page_ctx *ctx, const char *term)
{
    strbuf_puts(out, "<dt>");
    page_text(out, ctx, term);
    strbuf_puts(out, "</dt><dd>");
}

/* "<time> · 2 h after it began/opened": a moment and the span to it
 * (after_opening: from the alert's opening, else from the change). */
static void moment(struct strbuf *out, const struct page_ctx *ctx, int64_t at_ms, double span_s,
                   bool after_opening, const char *not_yet)
{
    if (at_ms == 0) {
        page_text(out, ctx, not_yet);
        return;
    }
    page_put_local_time(out, ctx, at_ms);
    if (!isnan(span_s)) {
        char span[48];
        page_span(ctx, (int64_t)llround(span_s * 1000.0), span, sizeof span);
        strbuf_puts(out, " · ");
        if (after_opening)
            page_textf(out, ctx, "%s after it opened", span);
        else
            page_textf(out, ctx, "%s after it began", span);
    }
}

static void act_forms(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    page_alert_form_open(out, ctx, a, "assign", "comment assign");
    strbuf_puts(out, "<label for=\"a-assignee\">");
    page_text(out, ctx, "Owner (a user name; empty: nobody)");
    strbuf_puts(out, "</label><input id=\"a-assignee\" name=\"assignee\" maxlength=\"63\" "
                     "autocomplete=\"off\" value=\"");
    html_escape(out, a->assignee);
    strbuf_puts(out, "\"><button type=\"submit\">");
    page_text(out, ctx, "Assign");
    strbuf_puts(out, "</button></form>\n");
    page_alert_form_open(out, ctx, a, "resolve", "comment resolve");
    strbuf_puts(out, "<label for=\"a-note\">");
    page_text(out, ctx, "What was done");
    strbuf_puts(out, "</label><textarea id=\"a-note\" name=\"note\" rows=\"3\" maxlength=\"1000\" "
                     "required>");
    html_escape(out, a->resolution);
    strbuf_puts(out, "</textarea><button type=\"submit\">");
    page_text(out, ctx, "Resolve with this note");
    strbuf_puts(out, "</button> <span class=\"note\">");
    page_text(out, ctx, "The alert closes when the data shows recovery, not before.");
    strbuf_puts(out, "</span></form>\n");
}

void page_alert_act(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    strbuf_puts(out, "<section aria-labelledby=\"act\"><h2 id=\"act\">");
    page_text(out, ctx, a->rise ? "Good news" : "Recognise and act");
    strbuf_puts(out, "</h2>\n<dl class=\"facts act\">");
    fact_open(out, ctx, a->rise ? N_("Rise most likely began") : N_("Slip most likely began"));
    moment(out, ctx, a->change_ms, NAN, false, N_("– (a rule's alert has no change point)"));
    strbuf_puts(out, "</dd>");
    fact_open(out, ctx, N_("Recognised (alert opened)"));
    moment(out, ctx, a->opened_ms, act_seconds(a->change_ms, a->opened_ms), false, N_("not yet"));
    strbuf_puts(out, "</dd>");
    fact_open(out, ctx, N_("Acted on (acknowledged)"));
    moment(out, ctx, a->acked_ms, act_seconds(a->opened_ms, a->acked_ms), true, N_("not yet"));
    strbuf_puts(out, "</dd>");
    fact_open(out, ctx, N_("Owner"));
    if (a->assignee[0])
        html_escape(out, a->assignee);
    else
        page_text(out, ctx, "nobody yet");
    strbuf_puts(out, "</dd>");
    fact_open(out, ctx, N_("What was done"));
    if (a->resolution[0]) {
        html_escape(out, a->resolution);
        strbuf_puts(out, " — ");
        html_escape(out, a->resolved_by);
        strbuf_puts(out, ", ");
        page_put_local_time(out, ctx, a->resolved_ms);
    } else {
        page_text(out, ctx, "not said yet");
    }
    strbuf_puts(out, "</dd>");
    fact_open(out, ctx, N_("Recovered (judged by the data)"));
    moment(out, ctx, a->state == DASH_ALERT_CLOSED ? a->closed_ms : 0,
           act_seconds(a->opened_ms, a->closed_ms), true, N_("not yet"));
    strbuf_puts(out, "</dd></dl>\n");
    if (a->state != DASH_ALERT_CLOSED)
        act_forms(out, ctx, a);
    strbuf_puts(out, "</section>\n");
}

/* A median with its count: "3 h (n = 4)". */
static void span_cell(struct strbuf *out, const struct page_ctx *ctx, const char *label,
                      double seconds, int64_t n)
{
    page_cell_open(out, ctx, "td", label, " class=\"num\"");
    put_span(out, ctx, seconds);
    strbuf_puts(out, " <span class=\"n\">(");
    page_textf(out, ctx, "n = %lld", (long long)n);
    strbuf_puts(out, ")</span></td>");
}

static void count_cell(struct strbuf *out, const struct page_ctx *ctx, const char *label, int64_t v)
{
    page_cell_open(out, ctx, "td", label, " class=\"num\"");
    page_put_int(out, ctx, v);
    strbuf_puts(out, "</td>");
}

static const char *const act_columns[] = {N_("Department"),
                                          N_("Alerts"),
                                          N_("Median time to recognise"),
                                          N_("Median time to act"),
                                          N_("Median time to recover"),
                                          N_("Still open"),
                                          N_("Rises")};

static void act_row_cells(struct strbuf *out, const struct page_ctx *ctx, const struct act_row *r)
{
    count_cell(out, ctx, act_columns[1], r->alerts);
    span_cell(out, ctx, act_columns[2], r->recognise_s, r->recognise_n);
    span_cell(out, ctx, act_columns[3], r->act_s, r->act_n);
    span_cell(out, ctx, act_columns[4], r->recover_s, r->recover_n);
    count_cell(out, ctx, act_columns[5], r->open_now);
    count_cell(out, ctx, act_columns[6], r->rises);
}

static void act_table_head(struct strbuf *out, const struct page_ctx *ctx, bool with_department)
{
    strbuf_puts(out, "<table class=\"cards act\"><thead><tr>");
    page_head_cells(out, ctx, act_columns + (with_department ? 0 : 1),
                    sizeof act_columns / sizeof act_columns[0] - (with_department ? 0 : 1));
    strbuf_puts(out, "</tr></thead><tbody>\n");
}

void page_act_department(struct strbuf *out, const struct page_ctx *ctx, const struct act_row *row)
{
    strbuf_puts(out, "<section aria-labelledby=\"act\"><h2 id=\"act\">");
    page_text(out, ctx, "Recognise and act");
    strbuf_puts(out, "</h2>\n<p class=\"note\">");
    page_text(out, ctx,
              "The alerts opened in this period: how long after the slip began each was "
              "recognised (the detector's change point to the alert), acted on "
              "(acknowledged), and recovered (the data back to its usual level).");
    strbuf_puts(out, "</p>\n");
    act_table_head(out, ctx, false);
    strbuf_puts(out, "<tr>");
    act_row_cells(out, ctx, row);
    strbuf_puts(out, "</tr>\n</tbody></table>\n<p>");
    page_link_open(out, "/alerts/times", NULL, ctx->filter, NULL);
    page_text(out, ctx, "Every department's times");
    strbuf_puts(out, "</a></p></section>\n");
}

void page_act_times(const struct page_ctx *ctx, const struct act_table *t, struct strbuf *out)
{
    page_frame_begin(out, ctx, page_tr(ctx, "Recognise and act"), "alerts", "/alerts/times", NULL);
    strbuf_puts(out, "<p class=\"note\">");
    page_text(out, ctx,
              "Per department, the alerts opened in the period: the median time from the slip's "
              "most likely start (the detector's change point) to the alert, from the alert to "
              "its acknowledgement, and from the alert to the data's recovery, each over the "
              "alerts that have it (n). Rises (good news) are counted apart.");
    strbuf_puts(out, "</p>\n");
    if (t->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No alerts opened in this period.");
        strbuf_puts(out, "</p>\n");
    } else {
        act_table_head(out, ctx, true);
        for (size_t i = 0; i < t->n; i++) {
            const struct act_row *r = &t->rows[i];
            strbuf_puts(out, "<tr>");
            page_cell_open(out, ctx, "th", act_columns[0], " scope=\"row\"");
            page_link_open(out, "/department/", r->department, ctx->filter, NULL);
            html_escape(out, r->name);
            strbuf_puts(out, "</a></th>");
            act_row_cells(out, ctx, r);
            strbuf_puts(out, "</tr>\n");
        }
        strbuf_puts(out, "<tr class=\"total\">");
        page_cell_open(out, ctx, "th", act_columns[0], " scope=\"row\"");
        page_text(out, ctx, "All departments");
        strbuf_puts(out, "</th>");
        act_row_cells(out, ctx, &t->total);
        strbuf_puts(out, "</tr>\n</tbody></table>\n");
    }
    page_csv_link(out, ctx, "/api/v1/alert-times.csv", NULL, N_("These times as CSV"));
    page_frame_end(out);
}
