/* html: escaping and the page frame (see html.h). */
#include "html.h"

#include <stdbool.h>
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

/* The replacement for byte c, or NULL when it stays as it is. */
static const char *replacement(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    case '\t':
    case '\n':
        return NULL;
    default:
        return c < 0x20 || c == 0x7f ? " " : NULL;
    }
}

void html_escape(struct strbuf *out, const char *text)
{
    const char *run = text; /* start of the bytes not yet appended */
    const char *p;
    for (p = text; *p; p++) {
        size_t bidi = utf8_bidi_control(p); /* shown as U+FFFD: it must not reorder the page */
        const char *ref = bidi ? "\xEF\xBF\xBD" : replacement((unsigned char)*p);
        if (!ref)
            continue;
        strbuf_append(out, run, (size_t)(p - run));
        strbuf_puts(out, ref);
        run = p + (bidi ? bidi : 1);
        p = run - 1;
    }
    strbuf_append(out, run, (size_t)(p - run));
}

void html_url_encode(struct strbuf *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                     (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~';
        char code[3] = {'%', hex[*p >> 4], hex[*p & 15]};
        if (plain)
            strbuf_append(out, (const char *)p, 1);
        else
            strbuf_append(out, code, 3);
    }
}

void html_page_head(struct strbuf *out, const char *lang, const char *title)
{
    strbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"");
    html_escape(out, lang && lang[0] ? lang : "en");
    strbuf_puts(out, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>");
    html_escape(out, title);
    strbuf_puts(out, " — wowdash</title>\n"
                     "<link rel=\"stylesheet\" href=\"/assets/dash.css\">\n"
                     "<link rel=\"icon\" href=\"/assets/icon.svg\" type=\"image/svg+xml\">\n"
                     "</head>\n<body>\n");
}

/* A WOW face: the icon browsers ask for; small enough to live here. */
const char html_icon_svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
                             "<circle cx=\"16\" cy=\"16\" r=\"15\" fill=\"#1f7a4d\"/>"
                             "<circle cx=\"11\" cy=\"12\" r=\"2.5\" fill=\"#fff\"/>"
                             "<circle cx=\"21\" cy=\"12\" r=\"2.5\" fill=\"#fff\"/>"
                             "<path d=\"M8 18 Q16 28 24 18 Z\" fill=\"#fff\"/></svg>\n";

void html_page_end(struct strbuf *out)
{
    strbuf_puts(out, "</body>\n</html>\n");
}
