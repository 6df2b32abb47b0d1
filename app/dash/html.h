/*
 * html: the dashboard's HTML building blocks: text escaped for element
 * content and attribute values, and the frame every page shares (doctype,
 * viewport for phones, the one stylesheet, no scripts).
 *
 * Everything appends to a strbuf (app/sync/strbuf.h); out of memory marks
 * the buffer failed, and the caller checks once, at the end.
 */
#ifndef WOW_HTML_H
#define WOW_HTML_H

struct strbuf;

/* Appends text (borrowed, NUL-terminated) with & < > " ' as character
 * references, so it is inert both as element content and inside a quoted
 * attribute value; control characters other than tab and newline become
 * spaces. */
void html_escape(struct strbuf *out, const char *text);

/* Appends the page's head and the opening of its body with an <h1>; title
 * is escaped.  The stylesheet is /assets/dash.css. */
void html_page_begin(struct strbuf *out, const char *title);

/* Closes what html_page_begin opened. */
void html_page_end(struct strbuf *out);

#endif
