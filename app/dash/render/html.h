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

/* Appends text (borrowed) percent-encoded for a URL's path segment or
 * query value: every byte but A-Z a-z 0-9 - . _ ~ becomes %XX, so the
 * result is also inert in HTML (no & < > " '). */
void html_url_encode(struct strbuf *out, const char *text);

/* Appends the page's head (<html lang> from lang, NULL: "en"; title
 * escaped, the viewport for phones, the stylesheet /assets/dash.css, the
 * icon) and opens its body. */
void html_page_head(struct strbuf *out, const char *lang, const char *title);

/* The site icon (SVG), served as /assets/icon.svg and /favicon.ico and
 * linked from every page's head. */
extern const char html_icon_svg[];

/* Closes what html_page_head opened. */
void html_page_end(struct strbuf *out);

#endif
