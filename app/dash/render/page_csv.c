/*
 * page_csv: the link under a page's figures to the same figures as CSV.
 */
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

void page_csv_link(struct strbuf *out, const struct page_ctx *ctx, const char *api,
                   const char *extra, const char *text)
{
    strbuf_puts(out, "<p class=\"more csv\">");
    page_link_open(out, api, NULL, ctx->filter, extra);
    page_text(out, ctx, text);
    strbuf_puts(out, "</a> ");
    page_text(out, ctx, "(for a spreadsheet)");
    strbuf_puts(out, "</p>\n");
}
