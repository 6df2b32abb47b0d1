/*
 * page_wall: the wall display (/wall): the league and the open alerts in
 * large type for a screen across a room, without nav, forms or script,
 * reloading itself with <meta http-equiv="refresh">.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "strbuf.h"

/* What one row shows. */
struct wall_row {
    const struct dash_league_row *row;
    struct score now, recent, before;
    double shrunk;
};

static int compare_rows(const void *a, const void *b)
{
    const struct wall_row *x = a, *y = b;
    if ((x->now.n > 0) != (y->now.n > 0))
        return x->now.n > 0 ? -1 : 1;
    if (x->shrunk != y->shrunk)
        return x->shrunk > y->shrunk ? -1 : 1;
    return strcmp(x->row->name, y->row->name);
}

static void wall_head(struct strbuf *out, const struct page_ctx *ctx, int refresh_s)
{
    char meta[96];
    snprintf(meta, sizeof meta, "<meta http-equiv=\"refresh\" content=\"%d\">\n", refresh_s);
    strbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"");
    html_escape(out, ctx->lang ? ctx->lang->code : "en");
    strbuf_puts(out, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    strbuf_puts(out, meta);
    strbuf_puts(out, "<meta name=\"robots\" content=\"noindex\">\n<title>");
    page_text(out, ctx, "Wall");
    strbuf_puts(out, " — wowdash</title>\n"
                     "<link rel=\"stylesheet\" href=\"/assets/dash.css\">\n</head>\n"
                     "<body class=\"wall\">\n<main>\n");
}

static void wall_table(struct strbuf *out, const struct page_ctx *ctx,
                       const struct dash_league *league, const struct dash_alerts *open)
{
    struct wall_row *r = calloc(league->n + 1, sizeof *r);
    if (!r) {
        out->failed = true;
        return;
    }
    double prior = page_bench_prior(league);
    size_t n = 0;
    for (size_t i = 0; i < league->n; i++) {
        if (league->rows[i].is_group)
            continue;
        r[n] = (struct wall_row){&league->rows[i], score_of(&league->rows[i].now),
                                 score_of(&league->rows[i].recent),
                                 score_of(&league->rows[i].before), 0};
        r[n].shrunk =
            score_shrunk_index(&league->rows[i].now, isfinite(prior) ? prior : 50, SCORE_SHRINK_K);
        n++;
    }
    qsort(r, n, sizeof *r, compare_rows);
    static const char *const columns[] = {N_("Department"), N_("Index"), N_("Responses"),
                                          N_("Last 7 days")};
    strbuf_puts(out, "<table class=\"wall-league\"><thead><tr>");
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        strbuf_puts(out, "<th scope=\"col\">");
        page_text(out, ctx, columns[i]);
        strbuf_puts(out, "</th>");
    }
    strbuf_puts(out, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < n; i++) {
        char v[40];
        strbuf_puts(out, "<tr><th scope=\"row\">");
        html_escape(out, r[i].row->name[0] ? r[i].row->name : r[i].row->id);
        page_bench_badge(out, ctx, open, r[i].row->id);
        strbuf_puts(out, "</th><td class=\"num\">");
        page_num1(ctx, r[i].now.index, v, sizeof v);
        strbuf_puts(out, r[i].now.n > 0 ? v : DASH);
        strbuf_puts(out, "</td><td class=\"num\">");
        if (r[i].now.n > 0)
            page_put_int(out, ctx, r[i].now.n);
        else
            strbuf_puts(out, DASH);
        strbuf_puts(out, "</td>");
        page_change_cell(out, ctx, &r[i].recent, &r[i].before);
        strbuf_puts(out, "</tr>\n");
    }
    strbuf_puts(out, "</tbody></table>\n");
    free(r);
}

void page_wall(const struct page_ctx *ctx, const struct dash_league *league,
               const struct dash_alerts *open, int refresh_s, struct strbuf *out)
{
    wall_head(out, ctx, refresh_s);
    strbuf_puts(out, "<header class=\"wall-top\"><h1>");
    page_text(out, ctx, "Customer feedback");
    strbuf_puts(out, "</h1><p>");
    char words[80];
    page_period_words(ctx, league->from_day, league->to_day, words, sizeof words);
    html_escape(out, words);
    strbuf_puts(out, " · ");
    page_text(out, ctx, "as of");
    strbuf_puts(out, " ");
    page_put_local_time(out, ctx, ctx->now_ms);
    strbuf_puts(out, "</p></header>\n<div class=\"wall-grid\"><section "
                     "aria-labelledby=\"w-league\"><h2 id=\"w-league\">");
    page_text(out, ctx, "League");
    strbuf_puts(out, "</h2>\n");
    wall_table(out, ctx, league, open);
    strbuf_puts(out, "</section>\n<section aria-labelledby=\"w-alerts\"><h2 id=\"w-alerts\">");
    page_text(out, ctx, "Open alerts");
    strbuf_puts(out, "</h2>\n");
    page_bench_alert_groups(out, ctx, open);
    strbuf_puts(out, "</section></div>\n</main>\n");
    html_page_end(out);
}
