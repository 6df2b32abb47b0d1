/*
 * page_attributed: an internal team's page's section "Customers' answers
 * traced to this team" (data/attributed.h): how many customers chose the
 * reasons the catalog gives the team, their share of all negative
 * answers, the trend against the period before, and at which
 * customer-facing departments and for which reasons.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "attributed.h"
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"
#include "svg.h"

/* The daily answers on 0..100 of the busiest day, as a sparkline. */
static void attributed_trend(struct strbuf *out, const struct page_ctx *ctx,
                             const struct attributed *a)
{
    int64_t most = 0;
    for (size_t i = 0; i < a->days; i++)
        most = a->daily[i] > most ? a->daily[i] : most;
    if (a->days < 2 || most == 0)
        return;
    double *values = calloc(a->days, sizeof *values);
    if (!values)
        return;
    for (size_t i = 0; i < a->days; i++)
        values[i] = 100.0 * (double)a->daily[i] / (double)most;
    strbuf_puts(out, "<p class=\"attributed-trend\">");
    svg_sparkline(out, values, a->days, page_tr(ctx, "Attributed answers per day"));
    strbuf_puts(out, "</p>\n");
    free(values);
}

static void attributed_table(struct strbuf *out, const struct page_ctx *ctx, const char *id,
                             const char *first, const struct attributed_item *items, size_t n,
                             int64_t total)
{
    const char *columns[] = {first, N_("n"), N_("Share")};
    strbuf_puts(out, "<table class=\"plain\" id=\"");
    strbuf_puts(out, id);
    strbuf_puts(out, "\"><thead><tr>");
    page_head_cells(out, ctx, columns, 3);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        char share[40];
        page_pct(ctx, total > 0 ? (double)items[i].n / (double)total : NAN, share, sizeof share);
        strbuf_puts(out, "<tr data-id=\"");
        html_escape(out, items[i].id);
        strbuf_puts(out, "\"><td>");
        html_escape(out, items[i].name[0] ? items[i].name : items[i].id);
        strbuf_puts(out, "</td><td class=\"num\">");
        page_put_int(out, ctx, items[i].n);
        strbuf_puts(out, "</td><td class=\"num\">");
        html_escape(out, share);
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table>\n");
}

static void attributed_summary(struct strbuf *out, const struct page_ctx *ctx,
                               const struct attributed *a)
{
    char n[48], prev[48], share[40], negative[48];
    page_int_text(ctx, a->n, n, sizeof n);
    page_int_text(ctx, a->prev, prev, sizeof prev);
    page_int_text(ctx, a->negative, negative, sizeof negative);
    page_pct(ctx, a->share, share, sizeof share);
    strbuf_puts(out, "<p class=\"attributed-summary\" data-n=\"");
    strbuf_int(out, a->n);
    strbuf_puts(out, "\" data-prev=\"");
    strbuf_int(out, a->prev);
    strbuf_puts(out, "\" data-negative=\"");
    strbuf_int(out, a->negative);
    strbuf_puts(out, "\">");
    page_textf(out, ctx,
               "Customers chose this team's reasons %s times in this period (the period before: "
               "%s): %s of the %s negative answers customers chose.",
               n, prev, share, negative);
    strbuf_puts(out, "</p>\n");
}

void page_attributed_section(struct strbuf *out, const struct page_ctx *ctx,
                             const struct attributed *a)
{
    strbuf_puts(out, "<section aria-labelledby=\"attributed\" class=\"attributed\">"
                     "<h2 id=\"attributed\">");
    page_text(out, ctx, "Customers' answers traced to this team");
    strbuf_puts(out, "</h2>\n");
    if (a->owned_reasons == 0) {
        strbuf_puts(out, "<p class=\"quiet\">");
        page_text(out, ctx, "No reason in the catalog names this team as the owner of its cause.");
        strbuf_puts(out, "</p></section>\n");
        return;
    }
    attributed_summary(out, ctx, a);
    attributed_trend(out, ctx, a);
    if (a->n == 0) {
        strbuf_puts(out, "</section>\n");
        return;
    }
    strbuf_puts(out, "<div class=\"pair\"><div><h3>");
    page_text(out, ctx, "Where customers gave them");
    strbuf_puts(out, "</h3>\n");
    attributed_table(out, ctx, "attributed-places", N_("Department"), a->places, a->places_n, a->n);
    strbuf_puts(out, "</div><div><h3>");
    page_text(out, ctx, "The team's reasons customers chose");
    strbuf_puts(out, "</h3>\n");
    attributed_table(out, ctx, "attributed-reasons", N_("Reason"), a->reasons, a->reasons_n, a->n);
    strbuf_puts(out, "</div></div>\n</section>\n");
}

void page_attributed_league(struct strbuf *out, const struct page_ctx *ctx)
{
    static const char *const columns[] = {N_("Team"), N_("Customers' answers"),
                                          N_("Share of negative answers"), N_("Period before")};
    if (ctx->impact_n == 0)
        return;
    strbuf_puts(out, "<section aria-labelledby=\"impact\"><h2 id=\"impact\">");
    page_text(out, ctx, "Internal teams by customer impact");
    strbuf_puts(out, "</h2>\n<p class=\"note\">");
    page_text(out, ctx,
              "How many times customers chose a reason whose cause the catalog gives to each "
              "internal team, the most first.");
    strbuf_puts(out, "</p>\n<table class=\"plain\" id=\"impact-table\"><thead><tr>");
    page_head_cells(out, ctx, columns, sizeof columns / sizeof columns[0]);
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < ctx->impact_n; i++) {
        const struct attributed *a = &ctx->impact[i];
        char share[40];
        page_pct(ctx, a->share, share, sizeof share);
        strbuf_puts(out, "<tr data-id=\"");
        html_escape(out, a->team);
        strbuf_puts(out, "\"><th scope=\"row\">");
        page_link_open(out, "/department/", a->team, ctx->filter, NULL);
        html_escape(out, a->name[0] ? a->name : a->team);
        strbuf_puts(out, "</a></th><td class=\"num\">");
        page_put_int(out, ctx, a->n);
        strbuf_puts(out, "</td><td class=\"num\">");
        html_escape(out, share);
        strbuf_puts(out, "</td><td class=\"num\">");
        page_put_int(out, ctx, a->prev);
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table>\n");
    page_csv_link(out, ctx, "/api/v1/attributed.csv", NULL,
                  N_("The internal teams' impact as CSV"));
    strbuf_puts(out, "</section>\n");
}
