/*
 * page_login: the login page and the error pages.
 */
#include <stdio.h>

#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

/* ---- login and errors -------------------------------------------------- */

void page_login(const char *message, const char *next, struct strbuf *out)
{
    html_page_head(out, "Sign in");
    strbuf_puts(out, "<main class=\"login\">\n<h1>wowdash</h1>\n<p class=\"lead\">Customer "
                     "feedback for your departments. Sign in to continue.</p>\n");
    if (message && message[0]) {
        strbuf_puts(out, "<p class=\"failure\" role=\"alert\">");
        html_escape(out, message);
        strbuf_puts(out, "</p>\n");
    }
    strbuf_puts(out, "<form method=\"post\" action=\"/login\" class=\"login\">");
    if (next && next[0])
        page_hidden(out, "next", next);
    strbuf_puts(out, "<label for=\"l-user\">User name</label><input id=\"l-user\" name=\"user\" "
                     "autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
                     "required autofocus><label for=\"l-password\">Password</label><input "
                     "id=\"l-password\" name=\"password\" type=\"password\" "
                     "autocomplete=\"current-password\" required><button type=\"submit\">Sign in"
                     "</button></form>\n</main>\n");
    html_page_end(out);
}

static const char *status_text(unsigned status)
{
    switch (status) {
    case 400:
        return "Bad request";
    case 401:
        return "Not signed in";
    case 403:
        return "Not allowed";
    case 404:
        return "Not found";
    case 405:
        return "Method not allowed";
    case 413:
        return "Request too large";
    case 414:
        return "Address too long";
    case 429:
        return "Too many tries";
    case 503:
        return "Unavailable";
    default:
        return status >= 500 ? "Server error" : "Error";
    }
}

void page_error(const struct page_ctx *ctx_or_null, unsigned status, const char *message,
                struct strbuf *out)
{
    char title[64];
    snprintf(title, sizeof title, "%u %s", status, status_text(status));
    if (ctx_or_null) {
        page_frame_begin(out, ctx_or_null, title, "", NULL, NULL);
    } else {
        html_page_head(out, title);
        strbuf_puts(out, "<main>\n<h1>");
        strbuf_puts(out, title);
        strbuf_puts(out, "</h1>\n");
    }
    strbuf_puts(out, "<p class=\"failure\">");
    html_escape(out, message ? message : "");
    strbuf_puts(out, "</p>\n<p><a href=\"");
    if (ctx_or_null)
        page_url(out, "/", NULL, ctx_or_null->filter, NULL);
    else
        strbuf_puts(out, "/");
    strbuf_puts(out, "\">Back to the dashboard</a></p>\n");
    page_frame_end(out);
}
