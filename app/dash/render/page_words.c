/*
 * page_words: the words, numbers, dates and times of every page, in the
 * viewer's language (ctx->lang, page_lang.h; NULL: English).
 *
 * Every visible text goes through page_tr() and its kin with an English
 * msgid that scripts/dash_pot.py collects into assets/dash/po/wowdash.pot;
 * a table of texts marks its entries with N_().  A format's translation
 * holds the same conversions (i18n.c refuses a catalog where it does not),
 * so a catalog can never make a format read what was not passed.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "strbuf.h"
#include "tz.h"

const char *const page_month_names[] = {N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"),
                                        N_("May"), N_("Jun"), N_("Jul"), N_("Aug"),
                                        N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")};
const char *const page_weekday_names[] = {N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"),
                                          N_("Fri"), N_("Sat"), N_("Sun")};
const char *const page_face_names[] = {N_("Very unhappy"), N_("Unhappy"), N_("Happy"), N_("WOW")};

static const struct page_lang *lang_of(const struct page_ctx *ctx)
{
    return ctx && ctx->lang ? ctx->lang : &page_lang_english;
}

/* ---- texts ------------------------------------------------------------- */

const char *page_tr(const struct page_ctx *ctx, const char *msgid)
{
    return page_lang_get(lang_of(ctx), msgid);
}

void page_text(struct strbuf *out, const struct page_ctx *ctx, const char *msgid)
{
    html_escape(out, page_tr(ctx, msgid));
}

/* vsnprintf's format is the msgid's translation, which i18n.c has checked
 * to convert exactly as the msgid the compiler checked against the
 * arguments. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void tr_vformat(char *buf, size_t size, const struct page_ctx *ctx, const char *fmt,
                       va_list ap)
{
    vsnprintf(buf, size, page_tr(ctx, fmt), ap);
}
#pragma GCC diagnostic pop

void page_trf(char *buf, size_t size, const struct page_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tr_vformat(buf, size, ctx, fmt, ap);
    va_end(ap);
}

void page_textf(struct strbuf *out, const struct page_ctx *ctx, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    tr_vformat(line, sizeof line, ctx, fmt, ap);
    va_end(ap);
    html_escape(out, line);
}

void page_head_cells(struct strbuf *out, const struct page_ctx *ctx, const char *const *msgids,
                     size_t n)
{
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(out, "<th scope=\"col\">");
        page_text(out, ctx, msgids[i]);
        strbuf_puts(out, "</th>");
    }
}

void page_cell_open(struct strbuf *out, const struct page_ctx *ctx, const char *tag,
                    const char *label, const char *extra)
{
    strbuf_puts(out, "<");
    strbuf_puts(out, tag);
    strbuf_puts(out, " data-label=\"");
    page_text(out, ctx, label);
    strbuf_puts(out, "\"");
    strbuf_puts(out, extra ? extra : "");
    strbuf_puts(out, ">");
}

/* ---- numbers ----------------------------------------------------------- */

/* digits ("-17256", ASCII) into buf with the language's group separator. */
static void group_digits(const struct page_lang *lang, const char *digits, char *buf, size_t size)
{
    size_t used = 0;
    const char *p = digits + (digits[0] == '-');
    size_t n = strlen(p), sep = strlen(lang->group);
    if (p != digits && used + 1 < size)
        buf[used++] = '-';
    for (size_t i = 0; i < n && used + 1 + sep < size; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            memcpy(buf + used, lang->group, sep);
            used += sep;
        }
        buf[used++] = p[i];
    }
    buf[used] = '\0';
}

/* tenths (v × 10, rounded) as "72.4" in the language, with suffix. */
static void put_tenths(const struct page_ctx *ctx, long long tenths, const char *suffix, char *buf,
                       size_t size)
{
    const struct page_lang *lang = lang_of(ctx);
    char whole[32], grouped[48];
    snprintf(whole, sizeof whole, "%s%lld", tenths < 0 ? "-" : "", llabs(tenths) / 10);
    group_digits(lang, whole, grouped, sizeof grouped);
    snprintf(buf, size, "%s%s%lld%s", grouped, lang->decimal, llabs(tenths) % 10, suffix);
}

void page_num1(const struct page_ctx *ctx, double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, DASH);
        return;
    }
    v = v > 1e12 ? 1e12 : v < -1e12 ? -1e12 : v;
    put_tenths(ctx, llround(v * 10.0), "", buf, size);
}

void page_pct(const struct page_ctx *ctx, double share, char *buf, size_t size)
{
    if (!isfinite(share)) {
        snprintf(buf, size, DASH);
        return;
    }
    share = share > 1e9 ? 1e9 : share < -1e9 ? -1e9 : share;
    put_tenths(ctx, llround(share * 1000.0), "%", buf, size);
}

void page_interval(const struct page_ctx *ctx, double lo, double hi, bool share, char *buf,
                   size_t size)
{
    char a[40], b[40];
    page_num1(ctx, share ? lo * 100 : lo, a, sizeof a);
    page_num1(ctx, share ? hi * 100 : hi, b, sizeof b);
    snprintf(buf, size, "%s–%s%s", a, b, share ? "%" : "");
}

void page_int_text(const struct page_ctx *ctx, int64_t v, char *buf, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRId64, v);
    group_digits(lang_of(ctx), digits, buf, size);
}

void page_responses(const struct page_ctx *ctx, int64_t n, char *buf, size_t size)
{
    char count[48];
    page_int_text(ctx, n, count, sizeof count);
    if (n == 1)
        page_trf(buf, size, ctx, "%s response", count);
    else
        page_trf(buf, size, ctx, "%s responses", count);
}

void page_put_int(struct strbuf *out, const struct page_ctx *ctx, int64_t v)
{
    char text[48];
    page_int_text(ctx, v, text, sizeof text);
    strbuf_puts(out, text);
}

/* ---- dates and times --------------------------------------------------- */

/* "28 Nov 2026" or "28.11.2026"; without the year when year is 0, without
 * the month too (numeric: "28.") when month is 0. */
static void date_text(const struct page_ctx *ctx, int y, int m, int d, char *buf, size_t size)
{
    bool numeric = lang_of(ctx)->numeric_dates;
    if (m == 0)
        snprintf(buf, size, numeric ? "%d." : "%d", d);
    else if (numeric && y == 0)
        snprintf(buf, size, "%d.%d.", d, m);
    else if (numeric)
        snprintf(buf, size, "%d.%d.%d", d, m, y);
    else if (y == 0)
        snprintf(buf, size, "%d %s", d, page_tr(ctx, page_month_names[m - 1]));
    else
        snprintf(buf, size, "%d %s %d", d, page_tr(ctx, page_month_names[m - 1]), y);
}

void page_period_words(const struct page_ctx *ctx, int32_t from_day, int32_t to_day, char *buf,
                       size_t size)
{
    if (to_day <= from_day) {
        snprintf(buf, size, "%s", page_tr(ctx, "no days"));
        return;
    }
    int y1, m1, d1, y2, m2, d2;
    dash_date_from_day(from_day, &y1, &m1, &d1);
    dash_date_from_day(to_day - 1, &y2, &m2, &d2);
    char a[40], b[40];
    date_text(ctx, y2, m2, d2, b, sizeof b);
    if (to_day - from_day == 1) {
        snprintf(buf, size, "%s", b);
        return;
    }
    if (y1 == y2 && m1 == m2)
        date_text(ctx, 0, 0, d1, a, sizeof a);
    else if (y1 == y2)
        date_text(ctx, 0, m1, d1, a, sizeof a);
    else
        date_text(ctx, y1, m1, d1, a, sizeof a);
    bool tight = y1 == y2 && m1 == m2;
    snprintf(buf, size, tight ? "%s–%s" : "%s – %s", a, b);
}

void page_age(const struct page_ctx *ctx, int64_t age_ms, char *buf, size_t size)
{
    int64_t s = age_ms / 1000;
    if (s <= 0)
        snprintf(buf, size, "%s", page_tr(ctx, "just now"));
    else if (s < 60)
        page_trf(buf, size, ctx, "%lld s ago", (long long)(s));
    else if (s < 3600)
        page_trf(buf, size, ctx, "%lld min ago", (long long)(s / 60));
    else if (s < 48 * 3600)
        page_trf(buf, size, ctx, "%lld h ago", (long long)(s / 3600));
    else
        page_trf(buf, size, ctx, "%lld days ago", (long long)(s / 86400));
}

void page_duration(const struct page_ctx *ctx, int64_t ms, char *buf, size_t size)
{
    int64_t s = ms / 1000;
    if (s % 86400 == 0 && s == 86400)
        snprintf(buf, size, "%s", page_tr(ctx, "1 day"));
    else if (s % 86400 == 0 && s > 0)
        page_trf(buf, size, ctx, "%lld days", (long long)(s / 86400));
    else if (s % 3600 == 0 && s > 0)
        page_trf(buf, size, ctx, "%lld h", (long long)(s / 3600));
    else if (s % 60 == 0 && s > 0)
        page_trf(buf, size, ctx, "%lld min", (long long)(s / 60));
    else
        page_trf(buf, size, ctx, "%lld s", (long long)(s));
}

void page_span(const struct page_ctx *ctx, int64_t ms, char *buf, size_t size)
{
    int64_t s = ms / 1000, m = s / 60, h = s / 3600, d = s / 86400;
    if (s < 60)
        page_trf(buf, size, ctx, "%lld s", (long long)s);
    else if (s < 3600)
        page_trf(buf, size, ctx, "%lld min", (long long)m);
    else if (h < 48)
        page_trf(buf, size, ctx, "%lld h %lld min", (long long)h, (long long)(m % 60));
    else
        page_trf(buf, size, ctx, "%lld days %lld h", (long long)d, (long long)(h % 24));
}

void page_clock_text(const struct page_ctx *ctx, int64_t at_ms, char *buf, size_t size)
{
    struct tz_local t = tz_to_local(ctx->tz, at_ms); /* NULL: UTC */
    int32_t off = t.utc_offset_s < 0 ? -t.utc_offset_s : t.utc_offset_s;
    char date[40];
    if (lang_of(ctx)->numeric_dates)
        date_text(ctx, t.year, t.month, t.day, date, sizeof date);
    else
        snprintf(date, sizeof date, "%04d-%02d-%02d", t.year, t.month, t.day);
    snprintf(buf, size, "%s %02d:%02d %c%02d:%02d", date, t.hour, t.minute,
             t.utc_offset_s < 0 ? '-' : '+', (int)(off / 3600), (int)(off / 60 % 60));
}

void page_put_local_time(struct strbuf *out, const struct page_ctx *ctx, int64_t at_ms)
{
    if (at_ms == 0) {
        strbuf_puts(out, DASH);
        return;
    }
    char iso[32], age[64], line[80];
    clock_format_utc(at_ms, iso, sizeof iso);
    page_age(ctx, ctx->now_ms - at_ms, age, sizeof age);
    page_clock_text(ctx, at_ms, line, sizeof line);
    strbuf_puts(out, "<time datetime=\"");
    html_escape(out, iso);
    strbuf_puts(out, "\" title=\"");
    html_escape(out, ctx->zone ? ctx->zone : "UTC");
    strbuf_puts(out, "\">");
    html_escape(out, line);
    strbuf_puts(out, "</time> <span class=\"age\">(");
    html_escape(out, age);
    strbuf_puts(out, ")</span>");
}
