/*
 * page_comments: the customers' comments on the pages: the department
 * page's list (newest first, by face and tag, in pages), the evaluation
 * report's period (counts by tag and the comments), and an alert's most
 * common complaints.  Every comment's words are masked (moderation.h) and
 * escaped; a hidden one (spam, abusive) reaches only an admin's page,
 * marked so.
 */
#include <stdio.h>
#include <string.h>

#include "comment_list.h"
#include "dashview.h"
#include "html.h"
#include "moderation.h"
#include "pages.h"
#include "pages_private.h"
#include "strbuf.h"

static const char *const tag_names[MODERATION_TAGS] = {
    N_("Appreciation"), N_("Room for improvement"), N_("Urgent"), N_("Spam"), N_("Abusive")};

/* A hidden form field (page_fleet's page_hidden would make a call circle
 * through page_alerts, which shows an alert's complaints). */
static void hidden_field(struct strbuf *out, const char *name, const char *value)
{
    strbuf_puts(out, "<input type=\"hidden\" name=\"");
    html_escape(out, name);
    strbuf_puts(out, "\" value=\"");
    html_escape(out, value);
    strbuf_puts(out, "\">");
}

static void filter_fields(struct strbuf *out, const struct dash_filter *f)
{
    if (!f)
        return;
    hidden_field(out, "period", page_period_name(f->period));
    if (f->period == DASH_PERIOD_CUSTOM) {
        char day[16];
        dash_day_format(f->from_day, day, sizeof day);
        hidden_field(out, "from", day);
        dash_day_format(f->to_day - 1, day, sizeof day);
        hidden_field(out, "to", day);
    }
    if (f->include_misuse)
        hidden_field(out, "misuse", "1");
}

static void option(struct strbuf *out, const char *value, bool selected, const char *label)
{
    strbuf_puts(out, "<option value=\"");
    html_escape(out, value);
    strbuf_puts(out, selected ? "\" selected>" : "\">");
    html_escape(out, label);
    strbuf_puts(out, "</option>");
}

static void comment_form(struct strbuf *out, const struct page_ctx *ctx,
                         const struct page_comments *pc)
{
    strbuf_puts(out, "<form method=\"get\" class=\"comment-filter\" action=\"");
    page_url(out, "/department/", pc->department, NULL, NULL);
    strbuf_puts(out, "#comments\">");
    filter_fields(out, ctx->filter);
    strbuf_puts(out, "<label>");
    page_text(out, ctx, "Face");
    strbuf_puts(out, " <select name=\"cface\">");
    option(out, "", pc->face == 0, page_tr(ctx, "Any"));
    for (int f = 1; f <= 4; f++) {
        char v[4];
        snprintf(v, sizeof v, "%d", f);
        option(out, v, pc->face == f, page_tr(ctx, page_face_names[f - 1]));
    }
    strbuf_puts(out, "</select></label> <label>");
    page_text(out, ctx, "Tag");
    strbuf_puts(out, " <select name=\"ctag\">");
    option(out, "", pc->tag == 0, page_tr(ctx, "Any"));
    for (int t = 0; t < MODERATION_TAGS; t++)
        if (pc->admin || !((1u << t) & MODERATION_HIDDEN))
            option(out, moderation_tag_ids[t], pc->tag == (1u << t), page_tr(ctx, tag_names[t]));
    strbuf_puts(out, "</select></label> <button type=\"submit\">");
    page_text(out, ctx, "Show");
    strbuf_puts(out, "</button></form>\n");
}

static void tag_chips(struct strbuf *out, const struct page_ctx *ctx, unsigned tags)
{
    for (int t = 0; t < MODERATION_TAGS; t++)
        if (tags & (1u << t)) {
            strbuf_puts(out, " <span class=\"tag tag-");
            strbuf_puts(out, moderation_tag_ids[t]);
            strbuf_puts(out, "\">");
            page_text(out, ctx, tag_names[t]);
            strbuf_puts(out, "</span>");
        }
}

/* One comment: face, time in its kiosk's zone, source, tags, masked words. */
static void comment_item(struct strbuf *out, const struct page_ctx *ctx,
                         const struct comment_item *c)
{
    strbuf_puts(out, c->hidden ? "<li class=\"comment hidden\" data-tags=\""
                               : "<li class=\"comment\" data-tags=\"");
    for (int t = 0; t < MODERATION_TAGS; t++)
        if (c->tags & (1u << t)) {
            strbuf_puts(out, moderation_tag_ids[t]);
            strbuf_puts(out, " ");
        }
    strbuf_puts(out, "\" data-face=\"");
    strbuf_int(out, c->rating);
    strbuf_puts(out, "\"><p class=\"meta\"><span class=\"face face-");
    strbuf_int(out, c->rating);
    strbuf_puts(out, "\">");
    if (c->rating >= 1 && c->rating <= 4)
        page_text(out, ctx, page_face_names[c->rating - 1]);
    strbuf_puts(out, "</span> · ");
    struct page_ctx local = *ctx;
    if (c->tz) {
        local.tz = c->tz;
        local.zone = c->zone;
    }
    page_put_local_time(out, &local, c->tap_ms);
    strbuf_puts(out, " · <span class=\"source\">");
    if (!strcmp(c->source, "phone"))
        page_textf(out, ctx, "by phone, kiosk %s", c->kiosk_id);
    else
        page_textf(out, ctx, "at kiosk %s", c->kiosk_id);
    strbuf_puts(out, "</span>");
    tag_chips(out, ctx, c->tags);
    if (c->hidden) {
        strbuf_puts(out, " <strong class=\"hidden-mark\">");
        page_text(out, ctx, "Hidden from heads");
        strbuf_puts(out, "</strong>");
    }
    strbuf_puts(out, "</p><p class=\"words\" lang=\"");
    html_escape(out, c->lang);
    strbuf_puts(out, "\">");
    struct strbuf masked = {0};
    moderation_mask(c->body ? c->body : "", &masked);
    html_escape(out, masked.data ? masked.data : "");
    if (masked.failed)
        out->failed = true;
    strbuf_free(&masked);
    strbuf_puts(out, "</p></li>\n");
}

static void tag_counts(struct strbuf *out, const struct page_ctx *ctx, const int64_t *counts,
                       bool admin)
{
    strbuf_puts(out, "<p class=\"tag-counts\">");
    bool first = true;
    for (int t = 0; t < MODERATION_TAGS; t++) {
        if (!admin && ((1u << t) & MODERATION_HIDDEN))
            continue;
        strbuf_puts(out, first ? "" : " · ");
        first = false;
        strbuf_puts(out, "<span class=\"tag tag-");
        strbuf_puts(out, moderation_tag_ids[t]);
        strbuf_puts(out, "\">");
        page_text(out, ctx, tag_names[t]);
        strbuf_puts(out, "</span> <span class=\"n\" data-tag=\"");
        strbuf_puts(out, moderation_tag_ids[t]);
        strbuf_puts(out, "\">");
        page_put_int(out, ctx, counts[t]);
        strbuf_puts(out, "</span>");
    }
    strbuf_puts(out, "</p>\n");
}

/* Previous and next links (as page_alerts' page_paging, which this file
 * may not call: page_alerts calls here). */
static void paging(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                   const char *extra, int64_t offset, int64_t limit, size_t shown, bool more)
{
    char q[200];
    strbuf_puts(out, "<nav class=\"paging\" aria-label=\"");
    page_text(out, ctx, "Pages");
    strbuf_puts(out, "\">");
    if (offset > 0) {
        snprintf(q, sizeof q, "%s&offset=%lld&limit=%lld", extra,
                 (long long)(offset > limit ? offset - limit : 0), (long long)limit);
        strbuf_puts(out, "<a rel=\"prev\" href=\"");
        page_url(out, path, NULL, ctx->filter, q);
        strbuf_puts(out, "#comments\">← ");
        page_text(out, ctx, "Previous");
        strbuf_puts(out, "</a>");
    }
    strbuf_puts(out, "<span>");
    page_text(out, ctx, "Comments");
    strbuf_puts(out, " ");
    page_put_int(out, ctx, offset + 1);
    strbuf_puts(out, "–");
    page_put_int(out, ctx, offset + (int64_t)shown);
    strbuf_puts(out, "</span>");
    if (more) {
        snprintf(q, sizeof q, "%s&offset=%lld&limit=%lld", extra, (long long)(offset + limit),
                 (long long)limit);
        strbuf_puts(out, "<a rel=\"next\" href=\"");
        page_url(out, path, NULL, ctx->filter, q);
        strbuf_puts(out, "#comments\">");
        page_text(out, ctx, "Next");
        strbuf_puts(out, " →</a>");
    }
    strbuf_puts(out, "</nav>\n");
}

void page_comments_section(struct strbuf *out, const struct page_ctx *ctx,
                           const struct page_comments *pc)
{
    strbuf_puts(out, "<section aria-labelledby=\"comments\" class=\"comments\"><h2 "
                     "id=\"comments\">");
    page_text(out, ctx, "Comments");
    strbuf_puts(out, "</h2>\n");
    tag_counts(out, ctx, pc->counts, pc->admin);
    comment_form(out, ctx, pc);
    const struct comment_list *l = pc->list;
    size_t from = pc->offset < 0 ? 0 : (size_t)pc->offset, shown = 0;
    if (from >= l->n) {
        strbuf_puts(out, "<p class=\"empty\">");
        page_text(out, ctx, "No comments in this period.");
        strbuf_puts(out, "</p>\n");
    } else {
        strbuf_puts(out, "<ol class=\"comments\">\n");
        for (size_t i = from; i < l->n && shown < (size_t)pc->limit; i++, shown++)
            comment_item(out, ctx, &l->items[i]);
        strbuf_puts(out, "</ol>\n");
    }
    char extra[96], path[96];
    snprintf(extra, sizeof extra, "cface=%d&ctag=%s", pc->face,
             pc->tag ? moderation_tag_ids[__builtin_ctz(pc->tag)] : "");
    snprintf(path, sizeof path, "/department/%s", pc->department);
    if (from > 0 || from + shown < l->n)
        paging(out, ctx, path, extra, (int64_t)from, pc->limit, shown, from + shown < l->n);
    strbuf_puts(out, "</section>\n");
}

void page_comments_report(struct strbuf *out, const struct page_ctx *ctx,
                          const struct comment_list *list, bool admin, size_t max)
{
    int64_t counts[MODERATION_TAGS];
    comment_list_tag_counts(list, counts);
    strbuf_puts(out, "<section aria-labelledby=\"report-comments\" class=\"comments\"><h2 "
                     "id=\"report-comments\">");
    page_text(out, ctx, "The period's comments");
    strbuf_puts(out, "</h2>\n<p>");
    page_textf(out, ctx, "%zu comments in the period.", list->n);
    strbuf_puts(out, "</p>\n");
    tag_counts(out, ctx, counts, admin);
    if (list->n) {
        strbuf_puts(out, "<ol class=\"comments\">\n");
        for (size_t i = 0; i < list->n && i < max; i++)
            comment_item(out, ctx, &list->items[i]);
        strbuf_puts(out, "</ol>\n");
    }
    if (list->n > max) {
        strbuf_puts(out, "<p class=\"more\">");
        page_textf(out, ctx, "The newest %zu are shown.", max);
        strbuf_puts(out, "</p>\n");
    }
    strbuf_puts(out, "</section>\n");
}

void page_comments_alert(struct strbuf *out, const struct page_ctx *ctx,
                         const struct page_comments *pc)
{
    struct comment_complaint complaints[3];
    size_t n = comment_list_complaints(pc->list, pc->from_ms, pc->to_ms, complaints, 3);
    strbuf_puts(out, "<section aria-labelledby=\"alert-complaints\" class=\"complaints\"><h2 "
                     "id=\"alert-complaints\">");
    page_text(out, ctx, "The most common complaints while this alert was open");
    strbuf_puts(out, "</h2>\n");
    if (n == 0) {
        strbuf_puts(out, "<p class=\"empty\">");
        page_text(out, ctx, "No unhappy comments while this alert was open.");
        strbuf_puts(out, "</p>\n</section>\n");
        return;
    }
    strbuf_puts(out, "<ol class=\"complaints\">\n");
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(out, "<li><span class=\"what\">");
        if (complaints[i].tag)
            page_text(out, ctx, tag_names[__builtin_ctz(moderation_tag_of(complaints[i].text))]);
        else
            html_escape(out, complaints[i].text);
        strbuf_puts(out, "</span> <span class=\"n\">");
        page_textf(out, ctx, "%lld comments", (long long)complaints[i].n);
        strbuf_puts(out, "</span></li>\n");
    }
    strbuf_puts(out, "</ol>\n</section>\n");
}
