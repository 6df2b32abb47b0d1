/* html: escaping and the page frame (see html.h). */
#include "html.h"

#include <string.h>

#include "strbuf.h"

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
        const char *ref = replacement((unsigned char)*p);
        if (!ref)
            continue;
        strbuf_append(out, run, (size_t)(p - run));
        strbuf_puts(out, ref);
        run = p + 1;
    }
    strbuf_append(out, run, (size_t)(p - run));
}

void html_page_begin(struct strbuf *out, const char *title)
{
    strbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<title>");
    html_escape(out, title);
    strbuf_puts(out, " — wowdash</title>\n"
                     "<link rel=\"stylesheet\" href=\"/assets/dash.css\">\n</head>\n<body>\n<h1>");
    html_escape(out, title);
    strbuf_puts(out, "</h1>\n");
}

void html_page_end(struct strbuf *out)
{
    strbuf_puts(out, "</body>\n</html>\n");
}
