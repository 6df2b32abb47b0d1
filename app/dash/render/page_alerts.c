/*
 * page_alerts: the alerts in a list (the overview and a department show them too),
 * the alerts page and one alert with its facts, comments and forms.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "strbuf.h"

/* ---- alerts in lists --------------------------------------------------- */

/* The state in the viewer's language. */
static const char *state_label(const struct page_ctx *ctx, enum dash_alert_state state)
{
    return page_tr(ctx, state == DASH_ALERT_OPEN           ? N_("open")
                        : state == DASH_ALERT_ACKNOWLEDGED ? N_("acknowledged")
                                                           : N_("closed"));
}

/* The state as a class name. */
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
static void alert_number(const struct page_ctx *ctx, const struct dash_alert *a, double v,
                         char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, DASH);
    else if (kind_is(a, "index_below") || kind_is(a, "index_above"))
        page_num1(ctx, v, buf, size);
    else if (kind_is(a, "answer_count"))
        page_int_text(ctx, llround(v), buf, size);
    else
        page_pct(ctx, v, buf, size);
}

/* What the alert's value is, in words. */
static const char *alert_measure(const struct page_ctx *ctx, const struct dash_alert *a)
{
    if (kind_is(a, "index_below") || kind_is(a, "index_above"))
        return page_tr(ctx, "index");
    if (kind_is(a, "answer_count"))
        return page_tr(ctx, "answers");
    return page_tr(ctx, "negative share");
}

/* What the alert says: its stored sentence in English (the evaluator
 * writes it when the alert opens), its kind in words in another language
 * (the numbers stand beside it in the viewer's language). */
static const char *alert_what(const struct page_ctx *ctx, const struct dash_alert *a)
{
    if ((!ctx->lang || !ctx->lang->catalog) && a->detail[0])
        return a->detail;
    if (kind_is(a, "slip"))
        return page_tr(ctx, "More negative answers than this department's usual");
    if (kind_is(a, "negative_share"))
        return page_tr(ctx, "Negative answers above the rule's threshold");
    if (kind_is(a, "index_below"))
        return page_tr(ctx, "Index below the rule's threshold");
    if (kind_is(a, "index_above"))
        return page_tr(ctx, "Index above the rule's threshold");
    if (kind_is(a, "answer_count"))
        return page_tr(ctx, "Answers of one face at or above the rule's threshold");
    return a->detail[0] ? a->detail : a->kind;
}

static void alert_link(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, a->id);
    page_link_open(out, "/alerts/", id, ctx->filter, NULL);
}

/* "negative share 34.0% over 120 responses" */
static void alert_value_text(struct strbuf *out, const struct page_ctx *ctx,
                             const struct dash_alert *a)
{
    char value[40], over[64];
    alert_number(ctx, a, a->value, value, sizeof value);
    page_responses(ctx, a->responses, over, sizeof over);
    page_textf(out, ctx, "%s %s over %s", alert_measure(ctx, a), value, over);
}

/* Alerts as a list of links (the overview's open alerts, a department's). */
void page_alert_list(struct strbuf *out, const struct page_ctx *ctx,
                     const struct dash_alerts *alerts, const char *empty)
{
    if (!alerts || alerts->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, empty);
        strbuf_puts(out, "</p>\n");
        return;
    }
    strbuf_puts(out, "<ul class=\"alert-list\">\n");
    for (size_t i = 0; i < alerts->n; i++) {
        const struct dash_alert *a = &alerts->items[i];
        strbuf_puts(out, "<li class=\"alert ");
        strbuf_puts(out, state_name(a->state));
        strbuf_puts(out, "\"><span class=\"state\">");
        html_escape(out, state_label(ctx, a->state));
        strbuf_puts(out, "</span> ");
        alert_link(out, ctx, a);
        strbuf_puts(out, "<strong>");
        html_escape(out, a->department_name[0] ? a->department_name : a->department);
        strbuf_puts(out, "</strong>: ");
        html_escape(out, alert_what(ctx, a));
        strbuf_puts(out, "</a> <span class=\"meta\">");
        alert_value_text(out, ctx, a);
        strbuf_puts(out, " · ");
        page_text(out, ctx, "opened");
        strbuf_puts(out, " ");
        page_put_local_time(out, ctx, a->opened_ms);
        strbuf_puts(out, "</span></li>\n");
    }
    strbuf_puts(out, "</ul>\n");
}

/* ---- alerts ------------------------------------------------------------ */

/* "state=open&offset=50&limit=50" into buf. */
static void list_query(const char *state, int64_t offset, int64_t limit, char *buf, size_t size)
{
    snprintf(buf, size, "state=%s&offset=%" PRId64 "&limit=%" PRId64, state, offset, limit);
}

/* Previous and next page links, and which rows these are. */
void page_paging(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                 const char *extra, int64_t offset, int64_t limit, size_t shown, bool more,
                 const char *noun)
{
    char q[160];
    strbuf_puts(out, "<nav class=\"paging\" aria-label=\"");
    page_text(out, ctx, "Pages");
    strbuf_puts(out, "\">");
    if (offset > 0) {
        int64_t prev = offset > limit ? offset - limit : 0;
        snprintf(q, sizeof q, "%s%soffset=%" PRId64 "&limit=%" PRId64, extra, extra[0] ? "&" : "",
                 prev, limit);
        strbuf_puts(out, "<a rel=\"prev\" href=\"");
        page_url(out, path, NULL, ctx->filter, q);
        strbuf_puts(out, "\">← ");
        page_text(out, ctx, "Previous");
        strbuf_puts(out, "</a>");
    }
    strbuf_puts(out, "<span>");
    page_text(out, ctx, noun);
    strbuf_puts(out, " ");
    if (shown) {
        page_put_int(out, ctx, offset + 1);
        strbuf_puts(out, "–");
        page_put_int(out, ctx, offset + (int64_t)shown);
    } else {
        page_text(out, ctx, "none");
    }
    strbuf_puts(out, "</span>");
    if (more) {
        snprintf(q, sizeof q, "%s%soffset=%" PRId64 "&limit=%" PRId64, extra, extra[0] ? "&" : "",
                 offset + limit, limit);
        strbuf_puts(out, "<a rel=\"next\" href=\"");
        page_url(out, path, NULL, ctx->filter, q);
        strbuf_puts(out, "\">");
        page_text(out, ctx, "Next");
        strbuf_puts(out, " →</a>");
    }
    strbuf_puts(out, "</nav>\n");
}

static void state_tabs(struct strbuf *out, const struct page_ctx *ctx, const char *state,
                       int64_t limit)
{
    static const char *const states[] = {"open", "closed", "all"};
    static const char *const labels[] = {N_("Open"), N_("Closed"), N_("All")};
    strbuf_puts(out, "<nav class=\"tabs\" aria-label=\"");
    page_text(out, ctx, "Alert state");
    strbuf_puts(out, "\"><ul>");
    for (size_t i = 0; i < 3; i++) {
        char q[96];
        list_query(states[i], 0, limit, q, sizeof q);
        strbuf_puts(out, "<li><a href=\"");
        page_url(out, "/alerts", NULL, ctx->filter, q);
        strbuf_puts(out, strcmp(state, states[i]) ? "\">" : "\" aria-current=\"page\">");
        page_text(out, ctx, labels[i]);
        strbuf_puts(out, "</a></li>");
    }
    strbuf_puts(out, "</ul></nav>\n");
}

static void alert_row(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    char value[40], over[64];
    alert_number(ctx, a, a->value, value, sizeof value);
    strbuf_puts(out, "<tr class=\"");
    strbuf_puts(out, state_name(a->state));
    strbuf_puts(out, "\">");
    page_cell_open(out, ctx, "th", N_("Alert"), " scope=\"row\"");
    alert_link(out, ctx, a);
    strbuf_puts(out, "#");
    page_put_int(out, ctx, a->id);
    strbuf_puts(out, "</a></th>");
    page_cell_open(out, ctx, "td", N_("State"), NULL);
    strbuf_puts(out, "<span class=\"state\">");
    html_escape(out, state_label(ctx, a->state));
    strbuf_puts(out, "</span></td>");
    page_cell_open(out, ctx, "td", N_("Department"), NULL);
    html_escape(out, a->department_name[0] ? a->department_name : a->department);
    strbuf_puts(out, "</td>");
    page_cell_open(out, ctx, "td", N_("What"), NULL);
    html_escape(out, alert_what(ctx, a));
    strbuf_puts(out, "</td>");
    strbuf_puts(out, "<td data-label=\"");
    page_text(out, ctx, "Value");
    strbuf_puts(out, "\" class=\"num\" title=\"");
    page_responses(ctx, a->responses, over, sizeof over);
    page_textf(out, ctx, "%s over %s", alert_measure(ctx, a), over);
    strbuf_puts(out, "\">");
    html_escape(out, value);
    strbuf_puts(out, "</td>");
    page_cell_open(out, ctx, "td", N_("Responses"), " class=\"num\"");
    page_put_int(out, ctx, a->responses);
    strbuf_puts(out, "</td>");
    page_cell_open(out, ctx, "td", N_("Opened"), NULL);
    page_put_local_time(out, ctx, a->opened_ms);
    strbuf_puts(out, "</td>");
    page_cell_open(out, ctx, "td", N_("Acknowledged"), NULL);
    page_put_local_time(out, ctx, a->acked_ms);
    strbuf_puts(out, "</td>");
    page_cell_open(out, ctx, "td", N_("Closed"), NULL);
    page_put_local_time(out, ctx, a->closed_ms);
    strbuf_puts(out, "</td></tr>\n");
}

void page_alerts(const struct page_ctx *ctx, const struct dash_alerts *alerts, const char *state,
                 int64_t offset, int64_t limit, struct strbuf *out)
{
    static const char *const columns[] = {N_("Alert"),  N_("State"),        N_("Department"),
                                          N_("What"),   N_("Value"),        N_("Responses"),
                                          N_("Opened"), N_("Acknowledged"), N_("Closed")};
    if (!state || (strcmp(state, "closed") != 0 && strcmp(state, "all") != 0))
        state = "open";
    if (offset < 0)
        offset = 0;
    if (limit <= 0)
        limit = PAGE_LIMIT_DEFAULT;
    page_frame_begin(out, ctx, page_tr(ctx, "Alerts"), "alerts", "/alerts", NULL);
    state_tabs(out, ctx, state, limit);
    if (alerts->n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        if (offset > 0)
            page_text(out, ctx, "No alerts on this page.");
        else if (!strcmp(state, "open"))
            page_text(out, ctx, "No open alerts.");
        else if (!strcmp(state, "closed"))
            page_text(out, ctx, "No closed alerts.");
        else
            page_text(out, ctx, "No alerts.");
        strbuf_puts(out, "</p>\n");
    } else {
        strbuf_puts(out, "<table class=\"cards alerts\"><thead><tr>");
        page_head_cells(out, ctx, columns, sizeof columns / sizeof columns[0]);
        strbuf_puts(out, "</tr></thead><tbody>\n");
        for (size_t i = 0; i < alerts->n; i++)
            alert_row(out, ctx, &alerts->items[i]);
        strbuf_puts(out, "</tbody></table>\n");
    }
    char extra[64];
    snprintf(extra, sizeof extra, "state=%s", state);
    page_paging(out, ctx, "/alerts", extra, offset, limit, alerts->n, alerts->more, N_("Alerts"));
    page_csv_link(out, ctx, "/api/v1/alerts.csv", extra, N_("These alerts as CSV"));
    page_frame_end(out);
}

/* A dt/dd pair of the alert's facts; term a msgid, text escaped. */
static void fact(struct strbuf *out, const struct page_ctx *ctx, const char *term, const char *text)
{
    strbuf_puts(out, "<dt>");
    page_text(out, ctx, term);
    strbuf_puts(out, "</dt><dd>");
    html_escape(out, text);
    strbuf_puts(out, "</dd>");
}

/* <dt>term</dd><dd>: the caller writes the value and </dd>. */
static void fact_open(struct strbuf *out, const struct page_ctx *ctx, const char *term)
{
    strbuf_puts(out, "<dt>");
    page_text(out, ctx, term);
    strbuf_puts(out, "</dt><dd>");
}

static void alert_facts(struct strbuf *out, const struct page_ctx *ctx, const struct dash_alert *a)
{
    char value[40];
    strbuf_puts(out, "<dl class=\"facts\">");
    fact(out, ctx, N_("What"), alert_what(ctx, a));
    /* a rule's id is the admin's own word; "slip" is the detector's */
    fact(out, ctx, N_("Source"),
         !strcmp(a->source, "slip") ? page_tr(ctx, "the slip detector") : a->source);
    fact_open(out, ctx, N_("Department"));
    page_link_open(out, "/department/", a->department, ctx->filter, NULL);
    html_escape(out, a->department_name[0] ? a->department_name : a->department);
    strbuf_puts(out, "</a></dd>");
    fact_open(out, ctx, N_("Value"));
    alert_value_text(out, ctx, a);
    strbuf_puts(out, "</dd>");
    if (isfinite(a->baseline)) {
        alert_number(ctx, a, a->baseline, value, sizeof value);
        fact(out, ctx, N_("Baseline"), value);
    }
    fact(out, ctx, N_("State"), state_label(ctx, a->state));
    fact_open(out, ctx, N_("Opened"));
    page_put_local_time(out, ctx, a->opened_ms);
    strbuf_puts(out, "</dd>");
    fact_open(out, ctx, N_("Acknowledged"));
    page_put_local_time(out, ctx, a->acked_ms);
    if (a->acked_ms && a->acked_by[0]) {
        strbuf_puts(out, " ");
        page_textf(out, ctx, "by %s", a->acked_by);
    }
    strbuf_puts(out, "</dd>");
    fact_open(out, ctx, N_("Closed"));
    page_put_local_time(out, ctx, a->closed_ms);
    strbuf_puts(out, "</dd></dl>\n");
}

static void alert_comments(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_alert *a)
{
    strbuf_puts(out, "<section aria-labelledby=\"comments\"><h2 id=\"comments\">");
    page_text(out, ctx, "Comments");
    strbuf_puts(out, " (");
    page_put_int(out, ctx, (int64_t)a->comments_n);
    strbuf_puts(out, ")</h2>\n");
    if (a->comments_n) {
        strbuf_puts(out, "<ol class=\"comments\">\n");
        for (size_t i = 0; i < a->comments_n; i++) {
            const struct dash_comment *c = &a->comments[i];
            strbuf_puts(out, "<li><p class=\"meta\"><strong>");
            html_escape(out, c->user);
            strbuf_puts(out, "</strong> · ");
            page_put_local_time(out, ctx, c->at_ms);
            strbuf_puts(out, "</p><p class=\"body\">");
            html_escape(out, c->body ? c->body : "");
            strbuf_puts(out, "</p></li>\n");
        }
        strbuf_puts(out, "</ol>\n");
    }
    page_alert_form_open(out, ctx, a, "comment", "comment");
    strbuf_puts(out, "<label for=\"c-body\">");
    page_text(out, ctx, "Add a comment");
    strbuf_puts(out, "</label><textarea id=\"c-body\" name=\"body\" rows=\"4\" maxlength=\"2000\" "
                     "required></textarea><button type=\"submit\">");
    page_text(out, ctx, "Add comment");
    strbuf_puts(out, "</button></form>\n</section>\n");
}

void page_alert(const struct page_ctx *ctx, const struct dash_alert *alert, struct strbuf *out)
{
    const struct dash_alert *a = alert;
    char title[DASH_NAME_MAX + 96];
    page_trf(title, sizeof title, ctx, "Alert #%lld: %s", (long long)a->id,
             a->department_name[0] ? a->department_name : a->department);
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, a->id);
    page_frame_begin(out, ctx, title, "alerts", "/alerts/", id);
    strbuf_puts(out, "<p class=\"crumbs\">");
    page_link_open(out, "/alerts", NULL, ctx->filter, NULL);
    strbuf_puts(out, "← ");
    page_text(out, ctx, "Alerts");
    strbuf_puts(out, "</a></p>\n");
    alert_facts(out, ctx, a);
    page_alert_act(out, ctx, a);
    if (a->state == DASH_ALERT_OPEN) {
        page_alert_form_open(out, ctx, a, "acknowledge", "acknowledge");
        strbuf_puts(out, "<button type=\"submit\">");
        page_text(out, ctx, "Acknowledge");
        strbuf_puts(out, "</button> <span class=\"note\">");
        page_text(out, ctx, "Says you have seen it; it stays until the data recovers.");
        strbuf_puts(out, "</span></form>\n");
    }
    if (ctx->comments)
        page_comments_alert(out, ctx, ctx->comments);
    alert_comments(out, ctx, a);
    page_frame_end(out);
}
