/*
 * page_consistency: a department page's "Consistency" section: how evenly
 * it serves across weekdays and hours (the spread), and its weakest
 * places and times with their responses and intervals against its own
 * level (model/consistency.h).
 */
#include <math.h>
#include <stdio.h>

#include "consistency.h"
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

/* The cell's name: a kiosk (its label and id), a site, a weekday, an hour. */
static void cell_name(struct strbuf *out, const struct page_ctx *ctx,
                      const struct consistency_cell *c)
{
    char hours[32];
    switch (c->kind) {
    case CONSISTENCY_KIOSK:
        page_text(out, ctx, "Kiosk");
        strbuf_puts(out, " <span translate=\"no\">");
        html_escape(out, c->name[0] ? c->name : c->id);
        if (c->name[0]) {
            strbuf_puts(out, " (");
            html_escape(out, c->id);
            strbuf_puts(out, ")");
        }
        strbuf_puts(out, "</span>");
        break;
    case CONSISTENCY_SITE:
        page_text(out, ctx, "Site");
        strbuf_puts(out, " <span translate=\"no\">");
        html_escape(out, c->name);
        strbuf_puts(out, "</span>");
        break;
    case CONSISTENCY_WEEKDAY:
        page_text(out, ctx, "Weekday");
        strbuf_puts(out, " ");
        page_text(out, ctx, page_weekday_names[c->at]);
        break;
    case CONSISTENCY_HOUR:
        snprintf(hours, sizeof hours, "%02d:00–%02d:00", c->at, (c->at + 1) % 24);
        page_text(out, ctx, "Hour");
        strbuf_puts(out, " ");
        html_escape(out, hours);
        break;
    }
}

static void weakest_table(struct strbuf *out, const struct page_ctx *ctx,
                          const struct consistency *k)
{
    static const char *const columns[] = {N_("Where or when"), N_("Responses"), N_("Index"),
                                          N_("Below the department by"), N_("Beyond chance")};
    strbuf_puts(out, "<div class=\"scroll\" role=\"region\" tabindex=\"0\" aria-label=\"");
    page_text(out, ctx, "Consistency");
    strbuf_puts(out, "\"><table class=\"plain consistency\"><thead><tr>");
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        strbuf_puts(out, "<th scope=\"col\">");
        page_text(out, ctx, columns[i]);
        strbuf_puts(out, "</th>");
    }
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < k->weakest_n; i++) {
        const struct consistency_cell *c = &k->weakest[i];
        char gap[40];
        page_num1(ctx, c->gap, gap, sizeof gap);
        strbuf_puts(out, c->significant ? "<tr class=\"weak\"><th scope=\"row\">"
                                        : "<tr><th scope=\"row\">");
        cell_name(out, ctx, c);
        strbuf_puts(out, "</th><td class=\"num\">");
        page_put_int(out, ctx, c->score.n);
        strbuf_puts(out, "</td>");
        page_score_cell(out, ctx, c->score.index, c->score.index_lo, c->score.index_hi, false,
                        c->score.n);
        strbuf_puts(out, "<td class=\"num\">");
        html_escape(out, gap);
        strbuf_puts(out, "</td><td>");
        page_text(out, ctx, c->significant ? N_("yes") : N_("no: within the noise"));
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table></div>\n");
}

void page_consistency_section(struct strbuf *out, const struct page_ctx *ctx,
                              const struct dash_department *d)
{
    struct consistency k;
    consistency_of(d, &k);
    strbuf_puts(out, "<section aria-labelledby=\"consistency\"><h2 id=\"consistency\">");
    page_text(out, ctx, "Consistency");
    strbuf_puts(out, "</h2>\n");
    if (k.department.n <= 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No responses in this period.");
        strbuf_puts(out, "</p></section>\n");
        return;
    }
    char spread[40], level[40];
    page_num1(ctx, k.spread, spread, sizeof spread);
    page_num1(ctx, k.department.index, level, sizeof level);
    strbuf_puts(out, "<p class=\"spread\"><strong>±");
    html_escape(out, spread);
    strbuf_puts(out, "</strong> ");
    page_textf(out, ctx,
               "index points: how far its weekdays and hours stray from its own index (%s), each "
               "pulled toward it by 30 responses so a few taps cannot make an hour look bad.",
               level);
    strbuf_puts(out, "</p>\n");
    if (k.weakest_n == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx,
                  "No kiosk, site, weekday or hour with 30 responses or more is below "
                  "the department's index.");
        strbuf_puts(out, "</p></section>\n");
        return;
    }
    weakest_table(out, ctx, &k);
    strbuf_puts(out, "<p class=\"note\">");
    page_text(out, ctx,
              "The weakest places and times with 30 responses or more, the furthest "
              "below first. Beyond chance: the whole interval (95 %) lies under the "
              "department's index.");
    strbuf_puts(out, "</p>\n</section>\n");
}
