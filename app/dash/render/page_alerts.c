/*
 * page_alerts: the alerts in a list (the overview and a department show them too),
 * the alerts page and one alert with its facts, comments and forms.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

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
        page_num1(v, buf, size);
    else if (kind_is(a, "answer_count"))
        snprintf(buf, size, "%lld", (long long)llround(v));
    else
        page_pct(v, buf, size);
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
    page_link_open(out, "/alerts/", id, ctx->filter, NULL);
}

/* "negative share 34.0% over 120 responses" */
static void alert_value_text(struct strbuf *out, const struct dash_alert *a)
{
    char value[32], over[48];
    alert_number(a, a->value, value, sizeof value);
    page_responses(a->responses, over, sizeof over);
    strbuf_puts(out, alert_measure(a));
    strbuf_puts(out, " ");
    strbuf_puts(out, value);
    strbuf_puts(out, " over ");
    strbuf_puts(out, over);
}

/* Alerts as a list of links (the overview's open alerts, a department's). */
void page_alert_list(struct strbuf *out, const struct page_ctx *ctx,
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
    strbuf_puts(out, "<nav class=\"paging\" aria-label=\"Pages\">");
    if (offset > 0) {
        int64_t prev = offset > limit ? offset - limit : 0;
        snprintf(q, sizeof q, "%s%soffset=%" PRId64 "&limit=%" PRId64, extra, extra[0] ? "&" : "",
                 prev, limit);
        strbuf_puts(out, "<a rel=\"prev\" href=\"");
        page_url(out, path, NULL, ctx->filter, q);
        strbuf_puts(out, "\">← Previous</a>");
    }
    strbuf_puts(out, "<span>");
    strbuf_puts(out, noun);
    strbuf_puts(out, " ");
    if (shown) {
        page_put_int(out, offset + 1);
        strbuf_puts(out, "–");
        page_put_int(out, offset + (int64_t)shown);
    } else {
        strbuf_puts(out, "none");
    }
    strbuf_puts(out, "</span>");
    if (more) {
        snprintf(q, sizeof q, "%s%soffset=%" PRId64 "&limit=%" PRId64, extra, extra[0] ? "&" : "",
                 offset + limit, limit);
        strbuf_puts(out, "<a rel=\"next\" href=\"");
        page_url(out, path, NULL, ctx->filter, q);
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
        page_url(out, "/alerts", NULL, ctx->filter, q);
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
    page_put_int(out, a->id);
    strbuf_puts(out, "</a></th><td data-label=\"State\"><span class=\"state\">");
    strbuf_puts(out, state_name(a->state));
    strbuf_puts(out, "</span></td><td data-label=\"Department\">");
    html_escape(out, a->department_name[0] ? a->department_name : a->department);
    strbuf_puts(out, "</td><td data-label=\"What\">");
    html_escape(out, a->detail[0] ? a->detail : a->kind);
    strbuf_puts(out, "</td><td data-label=\"Value\" class=\"num\" title=\"");
    strbuf_puts(out, alert_measure(a));
    strbuf_puts(out, " over ");
    page_put_int(out, a->responses);
    strbuf_puts(out, " responses\">");
    strbuf_puts(out, value);
    strbuf_puts(out, "</td><td data-label=\"Responses\" class=\"num\">");
    page_put_int(out, a->responses);
    strbuf_puts(out, "</td><td data-label=\"Opened\">");
    page_put_local_time(out, ctx, a->opened_ms);
    strbuf_puts(out, "</td><td data-label=\"Acknowledged\">");
    page_put_local_time(out, ctx, a->acked_ms);
    strbuf_puts(out, "</td><td data-label=\"Closed\">");
    page_put_local_time(out, ctx, a->closed_ms);
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
    page_frame_begin(out, ctx, "Alerts", "alerts", "/alerts", NULL);
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
    page_paging(out, ctx, "/alerts", extra, offset, limit, alerts->n, alerts->more, "Alerts");
    page_csv_link(out, ctx, "/api/v1/alerts.csv", extra, "These alerts as CSV");
    page_frame_end(out);
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
    page_link_open(out, "/department/", a->department, ctx->filter, NULL);
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
    page_put_local_time(out, ctx, a->opened_ms);
    strbuf_puts(out, "</dd><dt>Acknowledged</dt><dd>");
    page_put_local_time(out, ctx, a->acked_ms);
    if (a->acked_ms && a->acked_by[0]) {
        strbuf_puts(out, " by ");
        html_escape(out, a->acked_by);
    }
    strbuf_puts(out, "</dd><dt>Closed</dt><dd>");
    page_put_local_time(out, ctx, a->closed_ms);
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
    page_url(out, path, NULL, ctx->filter, NULL);
    strbuf_puts(out, "\">");
    page_csrf_field(out, ctx);
}

static void alert_comments(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_alert *a)
{
    strbuf_puts(out, "<section aria-labelledby=\"comments\"><h2 id=\"comments\">Comments (");
    page_put_int(out, (int64_t)a->comments_n);
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
    page_frame_begin(out, ctx, title, "alerts", "/alerts/", id);
    strbuf_puts(out, "<p class=\"crumbs\">");
    page_link_open(out, "/alerts", NULL, ctx->filter, NULL);
    strbuf_puts(out, "← Alerts</a></p>\n");
    alert_facts(out, ctx, a);
    if (a->state == DASH_ALERT_OPEN) {
        post_form_open(out, ctx, a, "acknowledge", "acknowledge");
        strbuf_puts(out, "<button type=\"submit\">Acknowledge</button> <span class=\"note\">"
                         "Says you have seen it; it stays until the data recovers.</span>"
                         "</form>\n");
    }
    alert_comments(out, ctx, a);
    page_frame_end(out);
}
