/* http: requests and replies as plain values (see http.h). */
#include "http.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dashview.h"
#include "utf8.h"

static void set_error(struct http_request *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(struct http_request *r, unsigned status, const char *fmt, ...)
{
    if (r->error)
        return; /* the first problem is the one to tell */
    r->error = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error_text, sizeof r->error_text, fmt, ap);
    va_end(ap);
    /* the text quotes what the client sent (a header, cut at 80 bytes) and
     * goes into a UTF-8 page: a stray or cut byte becomes '?' */
    utf8_sanitize(r->error_text);
}

/* A parameter refused with err quoting its value, cut at a byte count
 * ("got '%.80s'"): the text goes into a UTF-8 page or JSON, so a character
 * cut in two becomes '?', as in set_error. */
static void refuse(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void refuse(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    utf8_sanitize(err);
}

void http_request_init(struct http_request *r, const char *method, const char *client)
{
    *r = (struct http_request){0};
    r->method = !strcmp(method, "GET")    ? HTTP_GET
                : !strcmp(method, "HEAD") ? HTTP_HEAD
                : !strcmp(method, "POST") ? HTTP_POST
                                          : HTTP_OTHER;
    snprintf(r->method_text, sizeof r->method_text, "%s", method);
    snprintf(r->client, sizeof r->client, "%s", client ? client : "");
}

static void free_params(struct http_param *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(p[i].name);
        free(p[i].value);
    }
}

void http_request_free(struct http_request *r)
{
    free(r->target);
    free(r->path);
    free(r->query);
    free_params(r->params, r->n_params);
    free_params(r->form, r->n_form);
    free_params(r->cookies, r->n_cookies);
    free(r->authorization);
    free(r->content_type);
    free(r->origin);
    free(r->host);
    free(r->accept_language);
    *r = (struct http_request){0};
}

/* ---- decoding ---------------------------------------------------------- */

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *http_decode(const char *text, size_t n, bool plus_is_space, bool allow_newlines, char *err,
                  size_t size)
{
    char *out = malloc(n + 1);
    if (!out) {
        snprintf(err, size, "out of memory");
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '%') {
            int hi = i + 2 < n ? hex_value((unsigned char)text[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value((unsigned char)text[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                snprintf(err, size, "'%%' must be followed by two hex digits (as %%2F)");
                free(out);
                return NULL;
            }
            c = (unsigned char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        bool newline = c == '\n' || c == '\r' || c == '\t';
        if (c == 0 || ((c < 0x20 || c == 0x7f) && !(newline && allow_newlines))) {
            snprintf(err, size, "a control character (byte %u) is not allowed", (unsigned)c);
            free(out);
            return NULL;
        }
        out[o++] = (char)c;
    }
    out[o] = '\0';
    if (!utf8_valid(out, o)) {
        snprintf(err, size, "not valid UTF-8");
        free(out);
        return NULL;
    }
    if (utf8_find_bidi_control(out)) {
        snprintf(err, size,
                 "a bidirectional control character (U+202A..U+202E, U+2066..U+2069, U+200E, "
                 "U+200F, U+061C) is not allowed: it reorders the text on screen");
        free(out);
        return NULL;
    }
    return out;
}

void http_encode(struct strbuf *out, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        unsigned char c = *p;
        bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == '~' || c == '/';
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        if (keep)
            strbuf_append(out, (const char *)p, 1);
        else
            strbuf_append(out, esc, 3);
    }
}

bool http_local_path(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || strchr(next, '\\'))
        return false;
    for (const unsigned char *p = (const unsigned char *)next; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return strlen(next) <= HTTP_URL_MAX;
}

/* ---- the target, cookies and forms ------------------------------------- */

/* Splits text (n bytes) at '&' into decoded pairs appended to list. */
static bool parse_pairs(struct http_request *r, const char *text, size_t n, struct http_param *list,
                        size_t *count, bool allow_newlines, const char *what)
{
    const char *end = text + n;
    for (const char *p = text; p < end;) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        const char *name_end = eq ? eq : stop;
        /* a pair without a name ("=x") is dropped, but checked first: its
           bytes stay in the raw query, which pages echo (the language links) */
        if (name_end == p && stop > p) {
            char why[128];
            char *value =
                http_decode(p + 1, (size_t)(stop - p - 1), true, allow_newlines, why, sizeof why);
            if (!value) {
                set_error(r, strcmp(why, "out of memory") ? 400 : 500, "%s parameter: %s", what,
                          why);
                return false;
            }
            free(value);
        }
        if (name_end > p) {
            if (*count == HTTP_PARAMS_MAX) {
                set_error(r, 400, "more than %d %s parameters", HTTP_PARAMS_MAX, what);
                return false;
            }
            char why[128];
            char *name = http_decode(p, (size_t)(name_end - p), true, false, why, sizeof why);
            char *value = name ? http_decode(eq ? eq + 1 : stop, eq ? (size_t)(stop - eq - 1) : 0,
                                             true, allow_newlines, why, sizeof why)
                               : NULL;
            if (!value) {
                free(name);
                set_error(r, strcmp(why, "out of memory") ? 400 : 500, "%s parameter: %s", what,
                          why);
                return false;
            }
            list[(*count)++] = (struct http_param){name, value};
        }
        p = stop + 1;
    }
    return true;
}

/* Refuses "." and ".." segments, also once decoded (%2e%2e). */
static bool path_segments_ok(const char *path)
{
    for (const char *seg = path; seg; seg = strchr(seg, '/')) {
        seg++;
        size_t len = strcspn(seg, "/");
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
    }
    return true;
}

bool http_parse_target(struct http_request *r, const char *target)
{
    size_t n = strlen(target);
    if (n > HTTP_URL_MAX) {
        set_error(r, 414, "the URL is %zu bytes long; at most %d", n, HTTP_URL_MAX);
        return false;
    }
    if (target[0] != '/') {
        set_error(r, 400, "the request target must be a path starting with '/'");
        return false;
    }
    /* checked as sent, not only once decoded: "%E2%81" then a raw byte decodes to a
       character, but pages echo the target (the language links) and must stay UTF-8 */
    if (!utf8_valid(target, n)) {
        set_error(r, 400, "the request target is not UTF-8 (percent-encode its bytes)");
        return false;
    }
    r->target = strdup(target);
    size_t path_len = strcspn(target, "?");
    r->query = strdup(target[path_len] ? target + path_len + 1 : "");
    if (!r->target || !r->query) {
        set_error(r, 500, "out of memory");
        return false;
    }
    char why[128];
    r->path = http_decode(target, path_len, false, false, why, sizeof why);
    if (!r->path) {
        set_error(r, strcmp(why, "out of memory") ? 400 : 500, "path: %s", why);
        return false;
    }
    if (!path_segments_ok(r->path)) {
        set_error(r, 400, "path: '.' and '..' segments are not allowed");
        return false;
    }
    return parse_pairs(r, r->query, strlen(r->query), r->params, &r->n_params, false, "query");
}

static const char *trim(const char *s, const char *end, const char **out_end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *out_end = end;
    return s;
}

bool http_parse_cookies(struct http_request *r, const char *header)
{
    if (!header)
        return true;
    size_t n = strlen(header);
    if (n > HTTP_HEADER_MAX) {
        set_error(r, 431, "the Cookie header is longer than %d bytes", HTTP_HEADER_MAX);
        return true; /* answered 431, not a failure of ours */
    }
    const char *end = header + n;
    for (const char *p = header; p < end && r->n_cookies < HTTP_COOKIES_MAX;) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *stop = semi ? semi : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (eq) {
            const char *name_end, *value_end;
            const char *name = trim(p, eq, &name_end);
            const char *value = trim(eq + 1, stop, &value_end);
            if (value_end - value >= 2 && value[0] == '"' && value_end[-1] == '"') {
                value++;
                value_end--;
            }
            if (name_end > name) {
                struct http_param *c = &r->cookies[r->n_cookies];
                c->name = strndup(name, (size_t)(name_end - name));
                c->value = strndup(value, (size_t)(value_end - value));
                r->n_cookies++;
                if (!c->name || !c->value)
                    return false;
            }
        }
        p = stop + 1;
    }
    return true;
}

bool http_parse_form(struct http_request *r, const char *content_type, const char *body, size_t len)
{
    static const char urlencoded[] = "application/x-www-form-urlencoded";
    if (len > HTTP_BODY_MAX) {
        set_error(r, 413, "the form is larger than %d bytes", HTTP_BODY_MAX);
        return false;
    }
    if (content_type && len > 0 &&
        (strncasecmp(content_type, urlencoded, sizeof urlencoded - 1) != 0 ||
         (content_type[sizeof urlencoded - 1] != '\0' &&
          content_type[sizeof urlencoded - 1] != ';' &&
          content_type[sizeof urlencoded - 1] != ' '))) {
        set_error(r, 415, "expected a form (%s), got Content-Type '%.80s'", urlencoded,
                  content_type);
        return false;
    }
    if (memchr(body, '\0', len)) {
        set_error(r, 400, "form: a NUL byte is not allowed");
        return false;
    }
    return parse_pairs(r, body, len, r->form, &r->n_form, true, "form");
}

bool http_set_header(char **slot, const char *value)
{
    free(*slot);
    *slot = NULL;
    if (!value)
        return true;
    *slot = strndup(value, HTTP_HEADER_MAX);
    return *slot != NULL;
}

static const char *find(const struct http_param *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i].name, name))
            return list[i].value;
    return NULL;
}

const char *http_param(const struct http_request *r, const char *name)
{
    return find(r->params, r->n_params, name);
}

const char *http_form(const struct http_request *r, const char *name)
{
    return find(r->form, r->n_form, name);
}

const char *http_cookie(const struct http_request *r, const char *name)
{
    return find(r->cookies, r->n_cookies, name);
}

size_t http_param_count(const struct http_request *r, const char *name)
{
    size_t count = 0;
    for (size_t i = 0; i < r->n_params; i++)
        count += !strcmp(r->params[i].name, name);
    return count;
}

/* ---- filter and paging ------------------------------------------------- */

/* The parameter once at most; false with a message when repeated. */
static bool once(const struct http_request *r, const char *name, const char **value, char *err,
                 size_t size)
{
    size_t count = http_param_count(r, name);
    if (count > 1) {
        snprintf(err, size, "%s: given %zu times; expected once", name, count);
        return false;
    }
    *value = http_param(r, name);
    return true;
}

bool http_parse_choice(const struct http_request *r, const char *name, const char *const *choices,
                       const char *fallback, const char **out, char *err, size_t size)
{
    const char *v;
    if (!once(r, name, &v, err, size))
        return false;
    if (!v || !v[0]) {
        *out = fallback;
        return true;
    }
    for (size_t i = 0; choices[i]; i++)
        if (!strcmp(v, choices[i])) {
            *out = choices[i];
            return true;
        }
    struct strbuf list = {0};
    for (size_t i = 0; choices[i]; i++) {
        strbuf_puts(&list, i ? (choices[i + 1] ? ", " : " or ") : "");
        strbuf_puts(&list, choices[i]);
    }
    refuse(err, size, "%s: expected %s, got '%.80s'", name, list.data ? list.data : "", v);
    strbuf_free(&list);
    return false;
}

/* An id as wowdash department/group add take them. */
static bool parse_id(const struct http_request *r, const char *name, char out[DASH_ID_MAX],
                     char *err, size_t size)
{
    const char *v;
    if (!once(r, name, &v, err, size))
        return false;
    out[0] = '\0';
    if (!v || !v[0])
        return true;
    size_t n = strlen(v);
    if (n >= DASH_ID_MAX ||
        strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != n) {
        refuse(err, size, "%s: expected an id of 1 to %d characters A-Z a-z 0-9 _ . -, got '%.80s'",
               name, DASH_ID_MAX - 1, v);
        return false;
    }
    memcpy(out, v, n + 1);
    return true;
}

/* ?site=: a site as the kiosks name it (any text of a line, decoded as
 * every parameter is: UTF-8, no control or bidirectional character). */
static bool parse_site(const struct http_request *r, char out[DASH_NAME_MAX], char *err,
                       size_t size)
{
    const char *v;
    if (!once(r, "site", &v, err, size))
        return false;
    out[0] = '\0';
    if (!v || !v[0])
        return true;
    size_t n = strlen(v);
    if (n >= DASH_NAME_MAX) {
        snprintf(err, size, "site: expected at most %d bytes, got %zu", DASH_NAME_MAX - 1, n);
        return false;
    }
    memcpy(out, v, n + 1);
    return true;
}

static bool parse_date(const struct http_request *r, const char *name, int32_t *day, char *err,
                       size_t size)
{
    const char *v;
    if (!once(r, name, &v, err, size))
        return false;
    if (v && dash_day_parse(v, day))
        return true;
    refuse(err, size, "%s: expected a date YYYY-MM-DD with period=custom, got '%.80s'", name,
           v ? v : "");
    return false;
}

static bool parse_custom(const struct http_request *r, struct dash_filter *out, char *err,
                         size_t size)
{
    int32_t from, to;
    if (!parse_date(r, "from", &from, err, size) || !parse_date(r, "to", &to, err, size))
        return false;
    char a[16], b[16];
    dash_day_format(from, a, sizeof a);
    dash_day_format(to, b, sizeof b);
    if (to < from) {
        snprintf(err, size, "to: %s is before from (%s); expected a date on or after it", b, a);
        return false;
    }
    if (to - from + 1 > HTTP_FILTER_MAX_DAYS) {
        snprintf(err, size, "from, to: %s to %s is %ld days; expected at most %d", a, b,
                 (long)(to - from + 1), HTTP_FILTER_MAX_DAYS);
        return false;
    }
    out->from_day = from;
    out->to_day = to + 1;
    return true;
}

/* [from, to) of a preset period ending in, or around, today. */
static void preset_days(enum dash_period period, int32_t today, struct dash_filter *out)
{
    int32_t monday = today - dash_weekday(today);
    int year, month, mday;
    dash_date_from_day(today, &year, &month, &mday);
    int32_t from = today, to = today + 1;
    switch (period) {
    case DASH_PERIOD_YESTERDAY:
        from = today - 1, to = today;
        break;
    case DASH_PERIOD_THIS_WEEK:
        from = monday;
        break;
    case DASH_PERIOD_LAST_WEEK:
        from = monday - 7, to = monday;
        break;
    case DASH_PERIOD_LAST_30_DAYS:
        from = today - 29;
        break;
    case DASH_PERIOD_THIS_MONTH:
        from = dash_day_from_date(year, month, 1);
        break;
    case DASH_PERIOD_LAST_7_DAYS:
        from = today - 6;
        break;
    case DASH_PERIOD_LAST_90_DAYS:
        from = today - 89;
        break;
    case DASH_PERIOD_THIS_QUARTER:
        from = dash_day_from_date(year, (month - 1) / 3 * 3 + 1, 1);
        break;
    case DASH_PERIOD_THIS_YEAR:
        from = dash_day_from_date(year, 1, 1);
        break;
    default:
        break;
    }
    out->from_day = from;
    out->to_day = to;
}

/* ?audience=customers|colleagues: the departments rated by them; absent or
 * empty: every department. */
static bool parse_audience(const struct http_request *r, char *out, size_t out_size, char *err,
                           size_t size)
{
    const char *v;
    if (!once(r, "audience", &v, err, size))
        return false;
    if (!v || !v[0] || !strcmp(v, "all")) {
        out[0] = '\0';
        return true;
    }
    if (strcmp(v, "customers") && strcmp(v, "colleagues")) {
        refuse(err, size, "audience: expected customers or colleagues, got '%.80s'", v);
        return false;
    }
    snprintf(out, out_size, "%s", v);
    return true;
}

static bool parse_misuse(const struct http_request *r, bool *out, char *err, size_t size)
{
    const char *a, *b;
    if (!once(r, "misuse", &a, err, size) || !once(r, "include_misuse", &b, err, size))
        return false;
    const char *v = a ? a : b;
    const char *name = a ? "misuse" : "include_misuse";
    if (!v || !v[0] || !strcmp(v, "0") || !strcmp(v, "false")) {
        *out = false;
        return true;
    }
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "on")) {
        *out = true;
        return true;
    }
    refuse(err, size, "%s: expected 1 or 0, got '%.80s'", name, v);
    return false;
}

/* The filter form sends, beside From and To, the dates it showed
 * (shown_from, shown_to): dates someone changed there mean a custom range,
 * so changing From or To without also choosing "Custom range" is not
 * ignored, with or without JavaScript; a preset chosen with the dates left
 * alone stays the preset. */
static void moved_dates(const struct http_request *r, struct dash_filter *out)
{
    const char *from = http_param(r, "from"), *to = http_param(r, "to");
    const char *shown_from = http_param(r, "shown_from"), *shown_to = http_param(r, "shown_to");
    if (!from || !from[0] || !to || !to[0] || !shown_from || !shown_to ||
        (!strcmp(from, shown_from) && !strcmp(to, shown_to)))
        return;
    struct dash_filter custom = *out;
    char err[160];
    if (parse_custom(r, &custom, err, sizeof err) &&
        (custom.from_day != out->from_day || custom.to_day != out->to_day)) {
        out->period = DASH_PERIOD_CUSTOM;
        out->from_day = custom.from_day;
        out->to_day = custom.to_day;
    }
}

bool http_parse_filter(const struct http_request *r, int32_t today, struct dash_filter *out,
                       char *err, size_t size)
{
    static const char *const periods[] = {
        "today",       "yesterday",    "this_week",    "last_week", "last_30_days", "this_month",
        "last_7_days", "last_90_days", "this_quarter", "this_year", "custom",       NULL};
    *out = (struct dash_filter){.period = DASH_PERIOD_LAST_30_DAYS};
    const char *period, *from, *to;
    if (!http_parse_choice(r, "period", periods, NULL, &period, err, size) ||
        !once(r, "from", &from, err, size) || !once(r, "to", &to, err, size))
        return false;
    if (!period && from && from[0] && to && to[0])
        period = "custom";
    for (int i = 0; period && periods[i]; i++)
        if (period == periods[i] || !strcmp(period, periods[i]))
            out->period = (enum dash_period)i;
    if (out->period == DASH_PERIOD_CUSTOM) {
        if (!parse_custom(r, out, err, size))
            return false;
    } else {
        preset_days(out->period, today, out);
        moved_dates(r, out);
    }
    return parse_id(r, "department", out->department, err, size) &&
           parse_id(r, "group", out->group, err, size) && parse_site(r, out->site, err, size) &&
           parse_id(r, "kiosk", out->kiosk, err, size) &&
           parse_misuse(r, &out->include_misuse, err, size) &&
           parse_audience(r, out->audience, sizeof out->audience, err, size);
}

static bool parse_count(const struct http_request *r, const char *name, int64_t min, int64_t max,
                        int64_t *out, char *err, size_t size)
{
    const char *v;
    if (!once(r, name, &v, err, size))
        return false;
    if (!v || !v[0])
        return true;
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || *end || v[0] < '0' || v[0] > '9' || n < min || n > max) {
        refuse(err, size, "%s: expected a whole number from %lld to %lld, got '%.80s'", name,
               (long long)min, (long long)max, v);
        return false;
    }
    *out = n;
    return true;
}

bool http_parse_paging(const struct http_request *r, int64_t default_limit, int64_t *offset,
                       int64_t *limit, char *err, size_t size)
{
    *offset = 0;
    *limit = default_limit;
    return parse_count(r, "offset", 0, INT32_MAX, offset, err, size) &&
           parse_count(r, "limit", 1, 10000, limit, err, size);
}

/* ---- replies ----------------------------------------------------------- */

void http_reply_init(struct reply *reply)
{
    *reply =
        (struct reply){.status = 200, .type = "text/plain; charset=utf-8", .cache = "no-store"};
}

void http_reply_free(struct reply *reply)
{
    strbuf_free(&reply->body);
    for (size_t i = 0; i < reply->n_headers; i++)
        free(reply->headers[i].value);
    *reply = (struct reply){0};
}

void http_reply_header(struct reply *reply, const char *name, const char *value)
{
    char *copy = reply->n_headers < REPLY_HEADERS_MAX ? strdup(value) : NULL;
    if (!copy) {
        reply->failed = true;
        return;
    }
    reply->headers[reply->n_headers++] = (struct reply_header){name, copy};
}

const char *http_reply_get(const struct reply *reply, const char *name)
{
    for (size_t i = 0; i < reply->n_headers; i++)
        if (!strcasecmp(reply->headers[i].name, name))
            return reply->headers[i].value;
    return NULL;
}

const char *http_reply_body(const struct reply *reply, size_t *len)
{
    if (reply->borrowed) {
        *len = reply->borrowed_len;
        return reply->borrowed;
    }
    *len = reply->body.len;
    return reply->body.data ? reply->body.data : "";
}

void http_reply_text(struct reply *reply, unsigned status, const char *text)
{
    strbuf_reset(&reply->body);
    reply->borrowed = NULL;
    reply->status = status;
    reply->type = "text/plain; charset=utf-8";
    strbuf_puts(&reply->body, text);
}
