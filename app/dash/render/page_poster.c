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
#include "pages_private.h"
#include "strbuf.h"

#define POSTER_REASONS 3 /* of each list: the positive ones people liked, the negative */

/* The most chosen reasons of one list ("positive" or "negative"). */
static void top_reasons(struct strbuf *out, const struct dash_department *d, const char *question,
                        const char *title)
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
    strbuf_puts(out, title);
    strbuf_puts(out, "</h2><ol>");
    for (int k = 0; k < POSTER_REASONS && top[k]; k++) {
        strbuf_puts(out, "<li>");
        html_escape(out, top[k]->label[0] ? top[k]->label : top[k]->reason);
        strbuf_puts(out, " <span>(");
        page_put_int(out, top[k]->n);
        strbuf_puts(out, ")</span></li>");
    }
    strbuf_puts(out, "</ol></section>");
}

void page_poster(const struct page_ctx *ctx, const struct dash_department *d, struct strbuf *out)
{
    const char *name = d->name[0] ? d->name : d->id;
    struct score now = score_of(&d->total), prev = score_of(&d->prev);
    char words[80], num[64];
    page_period_words(ctx->filter->from_day, ctx->filter->to_day, words, sizeof words);
    strbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"robots\" content=\"noindex\">\n<title>");
    html_escape(out, name);
    strbuf_puts(out, " — poster — wowdash</title>\n<link rel=\"stylesheet\" "
                     "href=\"/assets/dash.css\">\n</head>\n<body class=\"poster\">\n<main>\n"
                     "<p class=\"poster-period\">");
    strbuf_puts(out, words);
    strbuf_puts(out, "</p>\n<h1>");
    html_escape(out, name);
    strbuf_puts(out, "</h1>\n");
    if (now.n == 0) {
        strbuf_puts(out, "<p class=\"poster-none\">No answers yet in this period.</p>\n");
    } else {
        snprintf(num, sizeof num, "%.0f\u00a0%%", now.wow * 100);
        strbuf_puts(out, "<p class=\"poster-wow\"><strong>");
        strbuf_puts(out, num);
        strbuf_puts(out, "</strong> of our customers said <em>WOW</em></p>\n"
                         "<dl class=\"poster-figures\"><div><dt>Customer index</dt><dd>");
        snprintf(num, sizeof num, "%.0f", now.index);
        strbuf_puts(out, num);
        strbuf_puts(out, "<small> / 100</small></dd></div><div><dt>Satisfied</dt><dd>");
        snprintf(num, sizeof num, "%.0f\u00a0%%", now.csat * 100);
        strbuf_puts(out, num);
        strbuf_puts(out, "</dd></div><div><dt>Answers</dt><dd>");
        page_put_int(out, now.n);
        strbuf_puts(out, "</dd></div>");
        if (prev.n > 0 && isfinite(prev.index)) {
            double change = now.index - prev.index;
            snprintf(num, sizeof num, "%+.0f", change);
            strbuf_puts(out, "<div><dt>Index since the period before</dt><dd>");
            strbuf_puts(out, num);
            strbuf_puts(out, "</dd></div>");
        }
        strbuf_puts(out, "</dl>\n");
        top_reasons(out, d, "positive", "What customers liked most");
        top_reasons(out, d, "negative", "What we can do better");
        strbuf_puts(out, "<p class=\"poster-thanks\">Thank you: ");
        page_put_int(out, now.n);
        strbuf_puts(out, now.n == 1 ? " customer" : " customers");
        strbuf_puts(out, " told us how we did.</p>\n");
    }
    strbuf_puts(out, "<p class=\"poster-back\">");
    page_link_open(out, "/department/", d->id, ctx->filter, NULL);
    strbuf_puts(out, "Back to the department</a> · print this page (A4)</p>\n</main>\n</body>\n"
                     "</html>\n");
}
