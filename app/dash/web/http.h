/*
 * http: the dashboard's requests and replies as plain values, without
 * sockets.  serve.c fills a struct http_request from libmicrohttpd (the raw
 * request target, the Cookie, Authorization and Content-Type headers, the
 * form body, the client's address); router.c answers it with a struct
 * reply; tests and the fuzzer call the same parsers with strings.
 *
 * Parsing is strict: a request target longer than HTTP_URL_MAX, more than
 * HTTP_PARAMS_MAX parameters, a '%' not followed by two hex digits, a
 * decoded NUL or control character, text that is not UTF-8 (decoded, and
 * the target as sent: pages echo it), or a path
 * with a "." or ".." segment is refused with the status and a message
 * naming what was wrong (err of the request).  '+' is a space in the
 * query and in form bodies, never in the path.
 *
 * Ownership: every pointer in a request is owned by it and freed by
 * http_request_free; every pointer in a reply by it and freed by
 * http_reply_free (but for the borrowed body and the static strings the
 * comments name).  Out of memory is a 500 reply ("out of memory").
 */
#ifndef WOW_HTTP_H
#define WOW_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define HTTP_URL_MAX     4096  /* bytes of the request target, path and query */
#define HTTP_PARAMS_MAX  64    /* query parameters, and form fields */
#define HTTP_COOKIES_MAX 32    /* cookies read from the Cookie header */
#define HTTP_BODY_MAX    16384 /* a form body; more is 413 */
#define HTTP_HEADER_MAX  8192  /* bytes of a Cookie or Authorization header we read */

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

/* One name=value pair, both decoded (owned). */
struct http_param {
    char *name, *value;
};

struct http_request {
    enum http_method method;
    char method_text[16];                      /* as sent, cut to 15 bytes (for the log) */
    char *target;                              /* the raw request target, "/path?query" */
    char *path;                                /* percent-decoded */
    char *query;                               /* raw, without '?'; "" when none */
    struct http_param params[HTTP_PARAMS_MAX]; /* the query's, in order */
    size_t n_params;
    struct http_param form[HTTP_PARAMS_MAX]; /* an urlencoded POST body's */
    size_t n_form;
    struct http_param cookies[HTTP_COOKIES_MAX]; /* values unquoted, not decoded */
    size_t n_cookies;
    char *authorization;   /* the header as sent, or NULL */
    char *content_type;    /* the header as sent, or NULL */
    char *origin;          /* the Origin header, or NULL */
    char *host;            /* the Host header, or NULL */
    char *accept_language; /* the Accept-Language header, or NULL */
    char client[64];       /* the client's address as text ("" unknown) */
    /* Set by the parsers when the request cannot be answered as asked:
     * 400, 413 or 414, and why (for the error page).  0: fine. */
    unsigned error;
    char error_text[256];
};

/* Empties r and sets its method (and client, may be NULL). */
void http_request_init(struct http_request *r, const char *method, const char *client);

/* Frees every owned member and empties r. */
void http_request_free(struct http_request *r);

/* Parses the request target "/path?query": the path percent-decoded and
 * checked, the query split into params.  false with r->error (400 or 414)
 * and r->error_text when refused; only out of memory returns false with
 * r->error 500. */
bool http_parse_target(struct http_request *r, const char *target);

/* Reads a Cookie header ("a=1; b=\"2\""): names and values trimmed, a
 * quoted value unquoted; pairs without '=' skipped; at most
 * HTTP_COOKIES_MAX.  false only when out of memory. */
bool http_parse_cookies(struct http_request *r, const char *header);

/* Reads an application/x-www-form-urlencoded body of len bytes (may hold
 * NULs, which are refused).  false with r->error 413 (longer than
 * HTTP_BODY_MAX), 400 or 415 (another content type: give the header in
 * content_type, NULL means urlencoded). */
bool http_parse_form(struct http_request *r, const char *content_type, const char *body,
                     size_t len);

/* Keeps a copy of a header's value (Authorization, Origin, Host); NULL
 * value leaves it unset.  false only when out of memory. */
bool http_set_header(char **slot, const char *value);

/* The first value of a query parameter, a form field or a cookie; NULL
 * when absent.  Borrowed from r. */
const char *http_param(const struct http_request *r, const char *name);
const char *http_form(const struct http_request *r, const char *name);
const char *http_cookie(const struct http_request *r, const char *name);

/* How many times a query parameter was given. */
size_t http_param_count(const struct http_request *r, const char *name);

/* Percent-decodes n bytes of text into a new string (the caller frees it):
 * plus_is_space for queries and forms.  NULL with why in err when it is
 * malformed (a bad escape, NUL, a control character other than tab, CR
 * and LF in forms, not UTF-8), or out of memory ("out of memory"). */
char *http_decode(const char *text, size_t n, bool plus_is_space, bool allow_newlines, char *err,
                  size_t size);

/* Appends text percent-encoded for a URL's query (unreserved characters
 * and '/' kept; everything else %XX). */
void http_encode(struct strbuf *out, const char *text);

/* Whether next is a path on this server a login may redirect to: starts
 * with one '/' (not "//"), no backslash, no control character, at most
 * HTTP_URL_MAX bytes. */
bool http_local_path(const char *next);

/* ---- the filter and paging of every page and API call ------------------ */

struct dash_filter;

/* Reads period, from, to, department, group and misuse (or include_misuse)
 * into out, with "today" the dashboard's local day (days since
 * 1970-01-01).  Defaults: last_30_days, every department, no misuse.
 * from and to (YYYY-MM-DD, both inclusive) are read when period is custom,
 * or when period is absent and both are given; to < from, or a range
 * longer than HTTP_FILTER_MAX_DAYS, is refused.  false with a message
 * naming the parameter, the value and what was expected in err (a 400). */
#define HTTP_FILTER_MAX_DAYS 366
bool http_parse_filter(const struct http_request *r, int32_t today, struct dash_filter *out,
                       char *err, size_t size);

/* Reads offset (>= 0, default 0) and limit (1..10000, default
 * default_limit).  false with the parameter, value and expectation in err. */
bool http_parse_paging(const struct http_request *r, int64_t default_limit, int64_t *offset,
                       int64_t *limit, char *err, size_t size);

/* One of choices (NULL-terminated) for parameter name, or fallback when
 * absent or empty; false with the parameter, value and the choices in
 * err.  *out is one of the choices' pointers, or fallback. */
bool http_parse_choice(const struct http_request *r, const char *name, const char *const *choices,
                       const char *fallback, const char **out, char *err, size_t size);

/* ---- replies ----------------------------------------------------------- */

#define REPLY_HEADERS_MAX 8

struct reply_header {
    const char *name; /* static */
    char *value;      /* owned */
};

struct reply {
    unsigned status;
    const char *type;  /* Content-Type with charset; static */
    const char *cache; /* Cache-Control; static; "no-store" unless said */
    struct strbuf body;
    const char *borrowed; /* when not NULL, the body instead of body (static or the router's) */
    size_t borrowed_len;
    struct reply_header headers[REPLY_HEADERS_MAX]; /* Location, Set-Cookie, Link, ... */
    size_t n_headers;
    bool failed;  /* out of memory while building: serve.c answers 500 */
    bool scripts; /* an HTML page that loads a script (/assets/live.js): the CSP allows 'self' */
};

/* An empty 200 text/plain reply with Cache-Control: no-store. */
void http_reply_init(struct reply *reply);

void http_reply_free(struct reply *reply);

/* Adds a header (value copied); beyond REPLY_HEADERS_MAX or out of memory
 * marks the reply failed. */
void http_reply_header(struct reply *reply, const char *name, const char *value);

/* The value of a header added, or NULL. */
const char *http_reply_get(const struct reply *reply, const char *name);

/* The body and its length, whichever of body and borrowed holds it. */
const char *http_reply_body(const struct reply *reply, size_t *len);

/* Replaces the reply with a text/plain one: status and text (copied). */
void http_reply_text(struct reply *reply, unsigned status, const char *text);

#endif
