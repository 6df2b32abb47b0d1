/*
 * page_login: the login page and the error pages.
 */
#include <stdbool.h>
#include <stdio.h>

#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "strbuf.h"

/* ---- login and errors -------------------------------------------------- */

void page_login(const struct page_lang *lang, const char *message, const char *next,
                struct strbuf *out)
{
    struct page_ctx ctx = {.lang = lang};
    html_page_head(out, lang ? lang->code : NULL, page_tr(&ctx, "Sign in"));
    strbuf_puts(out, "<main class=\"login\">\n<h1>wowdash</h1>\n<p class=\"lead\">");
    page_text(out, &ctx, "Customer feedback for your departments. Sign in to continue.");
    strbuf_puts(out, "</p>\n");
    if (message && message[0]) {
        strbuf_puts(out, "<p class=\"failure\" role=\"alert\">");
        page_text(out, &ctx, message);
        strbuf_puts(out, "</p>\n");
    }
    strbuf_puts(out, "<form method=\"post\" action=\"/login\" class=\"login\">");
    if (next && next[0])
        page_hidden(out, "next", next);
    strbuf_puts(out, "<label for=\"l-user\">");
    page_text(out, &ctx, "User name");
    strbuf_puts(out, "</label><input id=\"l-user\" name=\"user\" autocomplete=\"username\" "
                     "autocapitalize=\"none\" spellcheck=\"false\" required autofocus>"
                     "<label for=\"l-password\">");
    page_text(out, &ctx, "Password");
    strbuf_puts(out, "</label><input id=\"l-password\" name=\"password\" type=\"password\" "
                     "autocomplete=\"current-password\" required><button type=\"submit\">");
    page_text(out, &ctx, "Sign in");
    strbuf_puts(out, "</button></form>\n</main>\n");
    html_page_end(out);
}

static const char *status_text(unsigned status)
{
    switch (status) {
    case 400:
        return N_("Bad request");
    case 401:
        return N_("Not signed in");
    case 403:
        return N_("Not allowed");
    case 404:
        return N_("Not found");
    case 405:
        return N_("Method not allowed");
    case 413:
        return N_("Request too large");
    case 414:
        return N_("Address too long");
    case 429:
        return N_("Too many tries");
    case 503:
        return N_("Unavailable");
    default:
        return status >= 500 ? N_("Server error") : N_("Error");
    }
}

void page_error(const struct page_ctx *ctx_or_null, const struct page_lang *lang, unsigned status,
                const char *message, struct strbuf *out)
{
    struct page_ctx bare = {.lang = lang};
    const struct page_ctx *ctx = ctx_or_null ? ctx_or_null : &bare;
    char title[96];
    snprintf(title, sizeof title, "%u %s", status, page_tr(ctx, status_text(status)));
    if (ctx_or_null) {
        page_frame_begin(out, ctx_or_null, title, "", NULL, NULL);
    } else {
        html_page_head(out, lang ? lang->code : NULL, title);
        strbuf_puts(out, "<main>\n<h1>");
        html_escape(out, title);
        strbuf_puts(out, "</h1>\n");
    }
    /* a message the router wrote is a msgid; one with a value in it (a
     * request's field and what was wrong with it) has no translation and
     * says so: it stays in English, marked as English */
    const char *said = message ? message : "";
    bool english = ctx->lang && ctx->lang->catalog && page_tr(ctx, said) == said;
    strbuf_puts(out, english ? "<p class=\"failure\" lang=\"en\">" : "<p class=\"failure\">");
    page_text(out, ctx, said);
    strbuf_puts(out, "</p>\n<p><a href=\"");
    if (ctx_or_null)
        page_url(out, "/", NULL, ctx_or_null->filter, NULL);
    else
        strbuf_puts(out, "/");
    strbuf_puts(out, "\">");
    page_text(out, ctx, "Back to the dashboard");
    strbuf_puts(out, "</a></p>\n");
    page_frame_end(out);
}
