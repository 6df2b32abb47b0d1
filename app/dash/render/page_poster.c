/*
 * page_poster: a department's period as a poster to pin up for its staff
 * (/poster/ID): the WOW share and the index in large type, how many
 * customers answered, the change from the period before and the reasons
 * customers gave most, on one printed page (the print stylesheet sets A4
 * portrait and drops the link back).  No nav, form or script.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "strbuf.h"

#define POSTER_REASONS 3 /* of each list: the positive ones people liked, the negative */

/* The most chosen reasons of one list ("positive" or "negative"). */
static void top_reasons(struct strbuf *out, const struct page_ctx *ctx,
                        const struct dash_department *d, const char *question, const char *title)
{
    const struct dash_reason_row *top[POSTER_REASONS] = {0};
    for (size_t i = 0; i < d->reasons_n; i++) {
        const struct dash_reason_row *r = &d->reasons[i];
        if (strcmp(r->question, question) || strcmp(r->ended_by, "chosen") || r->n <= 0)
            continue;
        for (int k = 0; k < POSTER_REASONS; k++)
            if (!top[k] || r->n > top[k]->n) {
                memmove(&top[k + 1], &top[k], (size_t)(POSTER_REASONS - 1 - k) * sizeof top[0]);
                top[k] = r;
                break;
            }
    }
    if (!top[0])
        return;
    strbuf_puts(out, "<section class=\"poster-reasons\"><h2>");
    page_text(out, ctx, title);
    strbuf_puts(out, "</h2><ol>");
    for (int k = 0; k < POSTER_REASONS && top[k]; k++) {
        strbuf_puts(out, "<li>");
        html_escape(out, top[k]->label[0] ? top[k]->label : top[k]->reason);
        strbuf_puts(out, " <span>(");
        page_put_int(out, ctx, top[k]->n);
        strbuf_puts(out, ")</span></li>");
    }
    strbuf_puts(out, "</ol></section>");
}

/* A share 0..1 as a whole percentage: "52 %". */
static void whole_pct(double share, char *buf, size_t size)
{
    snprintf(buf, size, "%.0f\u00a0%%", share * 100);
}

/* A poster figure: <div><dt>term</dt><dd>value (escaped) and small. */
static void figure(struct strbuf *out, const struct page_ctx *ctx, const char *term,
                   const char *value, const char *small)
{
    strbuf_puts(out, "<div><dt>");
    page_text(out, ctx, term);
    strbuf_puts(out, "</dt><dd>");
    html_escape(out, value);
    if (small) {
        strbuf_puts(out, "<small>");
        html_escape(out, small);
        strbuf_puts(out, "</small>");
    }
    strbuf_puts(out, "</dd></div>");
}

static void poster_figures(struct strbuf *out, const struct page_ctx *ctx,
                           const struct dash_department *d)
{
    struct score now = score_of(&d->total), prev = score_of(&d->prev);
    char num[64];
    whole_pct(now.wow, num, sizeof num);
    strbuf_puts(out, "<p class=\"poster-wow\"><strong>");
    html_escape(out, num);
    strbuf_puts(out, "</strong> ");
    page_text(out, ctx, "of our customers said WOW");
    strbuf_puts(out, "</p>\n<dl class=\"poster-figures\">");
    snprintf(num, sizeof num, "%.0f", now.index);
    figure(out, ctx, N_("Customer index"), num, " / 100");
    whole_pct(now.csat, num, sizeof num);
    figure(out, ctx, N_("Satisfied"), num, NULL);
    page_int_text(ctx, now.n, num, sizeof num);
    figure(out, ctx, N_("Answers"), num, NULL);
    if (prev.n > 0 && isfinite(prev.index)) {
        snprintf(num, sizeof num, "%+.0f", now.index - prev.index);
        figure(out, ctx, N_("Index since the period before"), num, NULL);
    }
    strbuf_puts(out, "</dl>\n");
    top_reasons(out, ctx, d, "positive", N_("What customers liked most"));
    top_reasons(out, ctx, d, "negative", N_("What we can do better"));
    page_int_text(ctx, now.n, num, sizeof num);
    strbuf_puts(out, "<p class=\"poster-thanks\">");
    if (now.n == 1)
        page_textf(out, ctx, "Thank you: %s customer told us how we did.", num);
    else
        page_textf(out, ctx, "Thank you: %s customers told us how we did.", num);
    strbuf_puts(out, "</p>\n");
}

void page_poster(const struct page_ctx *ctx, const struct dash_department *d, struct strbuf *out)
{
    const char *name = d->name[0] ? d->name : d->id;
    struct score now = score_of(&d->total);
    char words[80];
    page_period_words(ctx, ctx->filter->from_day, ctx->filter->to_day, words, sizeof words);
    strbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"");
    html_escape(out, ctx->lang ? ctx->lang->code : "en");
    strbuf_puts(out, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"robots\" content=\"noindex\">\n<title>");
    html_escape(out, name);
    strbuf_puts(out, " — ");
    page_text(out, ctx, "poster");
    strbuf_puts(out, " — wowdash</title>\n<link rel=\"stylesheet\" "
                     "href=\"/assets/dash.css\">\n</head>\n<body class=\"poster\">\n<main>\n"
                     "<p class=\"poster-period\">");
    html_escape(out, words);
    strbuf_puts(out, "</p>\n<h1>");
    html_escape(out, name);
    strbuf_puts(out, "</h1>\n");
    if (now.n == 0) {
        strbuf_puts(out, "<p class=\"poster-none\">");
        page_text(out, ctx, "No answers yet in this period.");
        strbuf_puts(out, "</p>\n");
    } else {
        poster_figures(out, ctx, d);
    }
    strbuf_puts(out, "<p class=\"poster-back\">");
    page_link_open(out, "/department/", d->id, ctx->filter, NULL);
    page_text(out, ctx, "Back to the department");
    strbuf_puts(out, "</a> · ");
    page_text(out, ctx, "print this page (A4)");
    strbuf_puts(out, "</p>\n</main>\n</body>\n</html>\n");
}
