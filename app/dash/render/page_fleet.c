/*
 * page_fleet: the fleet page: the filter kept in hidden fields, the problems-only
 * switch, the summary and the table (fleet_render.h) with paging.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "fleet_render.h"
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

/* ---- fleet ------------------------------------------------------------- */

void page_hidden(struct strbuf *out, const char *name, const char *value)
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
    page_hidden(out, "period", page_period_name(f->period));
    if (f->period == DASH_PERIOD_CUSTOM) {
        char day[16];
        dash_day_format(f->from_day, day, sizeof day);
        page_hidden(out, "from", day);
        dash_day_format(f->to_day - 1, day, sizeof day);
        page_hidden(out, "to", day);
    }
    if (f->department[0])
        page_hidden(out, "department", f->department);
    if (f->group[0])
        page_hidden(out, "group", f->group);
    if (f->include_misuse)
        page_hidden(out, "misuse", "1");
}

static void fleet_form(struct strbuf *out, const struct page_ctx *ctx, bool problems_only,
                       int64_t limit)
{
    char l[32];
    snprintf(l, sizeof l, "%" PRId64, limit);
    strbuf_puts(out, "<form class=\"filter\" method=\"get\" action=\"/fleet\">");
    filter_hidden(out, ctx->filter);
    page_hidden(out, "limit", l);
    strbuf_puts(out, "<div class=\"field check\"><input type=\"checkbox\" id=\"f-problems\" "
                     "name=\"problems\" value=\"1\"");
    strbuf_puts(out, problems_only ? " checked" : "");
    strbuf_puts(out, "><label for=\"f-problems\">");
    page_text(out, ctx, "Problems only");
    strbuf_puts(out, "</label></div><button type=\"submit\">");
    page_text(out, ctx, "Show");
    strbuf_puts(out, "</button></form>\n");
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
    page_frame_begin(out, ctx, page_tr(ctx, "Fleet"), "fleet", NULL, NULL);
    fleet_render_summary(ctx, &summary, silent_after_ms, out);
    fleet_render_rollout(ctx, &fleet->rollout, out);
    fleet_form(out, ctx, problems_only, limit);
    if (fleet->n == 0) {
        strbuf_puts(out, "<p>");
        page_text(out, ctx, "No kiosks yet: wowdash kiosk add provisions one.");
        strbuf_puts(out, "</p>\n");
    } else if (count == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx,
                  problems_only && total == 0 ? N_("No problems.") : N_("No kiosks on this page."));
        strbuf_puts(out, "</p>\n");
    } else {
        fleet_render_table(ctx, fleet, order + from, count, silent_after_ms, out);
    }
    char extra[32] = "";
    if (problems_only)
        snprintf(extra, sizeof extra, "problems=1");
    char noun[96];
    page_trf(noun, sizeof noun, ctx, "Kiosks (of %zu)", total);
    page_paging(out, ctx, "/fleet", extra, (int64_t)from, limit, count, from + count < total, noun);
    page_csv_link(out, ctx, "/api/v1/kiosks.csv", NULL, N_("Every kiosk as CSV"));
    page_frame_end(out);
    free(order);
}
