/*
 * page_frame: the pieces every page shares: words and numbers, links that keep the
 * filter, times, the frame (nav bar, filter form, period line) and the
 * score and change cells.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fleet_render.h"
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"
#include "tz.h"

static const char *const period_names[] = {
    "today",       "yesterday",    "this_week",    "last_week", "last_30_days", "this_month",
    "last_7_days", "last_90_days", "this_quarter", "this_year", "custom"};
static const char *const period_labels[] = {
    "Today",       "Yesterday",    "This week",    "Last week",    "Last 30 days", "This month",
    "Last 7 days", "Last 90 days", "This quarter", "Year to date", "Custom range"};
const char *const page_month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char *const page_weekday_names[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
const char *const page_face_names[] = {"Very unhappy", "Unhappy", "Happy", "WOW"};

/* ---- words and numbers ------------------------------------------------- */

const char *page_period_name(enum dash_period period)
{
    return (unsigned)period < sizeof period_names / sizeof period_names[0] ? period_names[period]
                                                                           : "last_30_days";
}

static const char *period_label(enum dash_period period)
{
    return (unsigned)period < sizeof period_labels / sizeof period_labels[0] ? period_labels[period]
                                                                             : "Period";
}

void page_period_words(int32_t from_day, int32_t to_day, char *buf, size_t size)
{
    if (to_day <= from_day) {
        snprintf(buf, size, "no days");
        return;
    }
    int y1, m1, d1, y2, m2, d2;
    dash_date_from_day(from_day, &y1, &m1, &d1);
    dash_date_from_day(to_day - 1, &y2, &m2, &d2);
    if (to_day - from_day == 1)
        snprintf(buf, size, "%d %s %d", d1, page_month_names[m1 - 1], y1);
    else if (y1 == y2 && m1 == m2)
        snprintf(buf, size, "%d–%d %s %d", d1, d2, page_month_names[m1 - 1], y1);
    else if (y1 == y2)
        snprintf(buf, size, "%d %s – %d %s %d", d1, page_month_names[m1 - 1], d2,
                 page_month_names[m2 - 1], y1);
    else
        snprintf(buf, size, "%d %s %d – %d %s %d", d1, page_month_names[m1 - 1], y1, d2,
                 page_month_names[m2 - 1], y2);
}

/* v with one decimal and '.', whatever the locale ("72.4"); DASH for
 * NaN or infinity. */
void page_num1(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, DASH);
        return;
    }
    v = v > 1e12 ? 1e12 : v < -1e12 ? -1e12 : v;
    long long tenths = llround(v * 10.0);
    snprintf(buf, size, "%s%lld.%lld", tenths < 0 ? "-" : "", llabs(tenths) / 10,
             llabs(tenths) % 10);
}

/* A share 0..1 as "85.1%"; DASH for NaN. */
void page_pct(double share, char *buf, size_t size)
{
    if (!isfinite(share)) {
        snprintf(buf, size, DASH);
        return;
    }
    long long tenths = llround(share * 1000.0);
    snprintf(buf, size, "%s%lld.%lld%%", tenths < 0 ? "-" : "", llabs(tenths) / 10,
             llabs(tenths) % 10);
}

/* "68.1–76.5" (or with '%' for shares). */
void page_interval(double lo, double hi, bool share, char *buf, size_t size)
{
    char a[24], b[24];
    if (share) {
        page_num1(lo * 100, a, sizeof a);
        page_num1(hi * 100, b, sizeof b);
        snprintf(buf, size, "%s–%s%%", a, b);
    } else {
        page_num1(lo, a, sizeof a);
        page_num1(hi, b, sizeof b);
        snprintf(buf, size, "%s–%s", a, b);
    }
}

/* "1 response", "512 responses". */
void page_responses(int64_t n, char *buf, size_t size)
{
    snprintf(buf, size, "%" PRId64 " response%s", n, n == 1 ? "" : "s");
}

/* Thousands grouped by a narrow no-break space (U+202F), as ISO 80000 and
 * all three of the dashboard's languages read them ("17 256"): a comma
 * would be a decimal comma to a Finn or a German. */
void page_put_int(struct strbuf *out, int64_t v)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRId64, v);
    const char *p = digits + (digits[0] == '-');
    strbuf_append(out, digits, (size_t)(p - digits));
    size_t n = strlen(p);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            strbuf_puts(out, "\u202f");
        strbuf_append(out, p + i, 1);
    }
}

/* ---- links ------------------------------------------------------------- */

void page_filter_query(const struct dash_filter *f, struct strbuf *out)
{
    strbuf_puts(out, "period=");
    strbuf_puts(out, page_period_name(f->period));
    if (f->period == DASH_PERIOD_CUSTOM) {
        char day[16];
        dash_day_format(f->from_day, day, sizeof day);
        strbuf_puts(out, "&from=");
        strbuf_puts(out, day);
        dash_day_format(f->to_day - 1, day, sizeof day);
        strbuf_puts(out, "&to=");
        strbuf_puts(out, day);
    }
    if (f->department[0]) {
        strbuf_puts(out, "&department=");
        html_url_encode(out, f->department);
    }
    if (f->group[0]) {
        strbuf_puts(out, "&group=");
        html_url_encode(out, f->group);
    }
    if (f->site[0]) {
        strbuf_puts(out, "&site=");
        html_url_encode(out, f->site);
    }
    if (f->kiosk[0]) {
        strbuf_puts(out, "&kiosk=");
        html_url_encode(out, f->kiosk);
    }
    if (f->include_misuse)
        strbuf_puts(out, "&misuse=1");
}

/* Appends path, then segment percent-encoded (NULL: none), then '?' and
 * the filter and extra (raw query text, NULL: none), all escaped for a
 * quoted attribute: the value of an href or action. */
void page_url(struct strbuf *out, const char *path, const char *segment,
              const struct dash_filter *f, const char *extra)
{
    strbuf_puts(out, path);
    if (segment)
        html_url_encode(out, segment);
    struct strbuf q = {0};
    if (f)
        page_filter_query(f, &q);
    if (extra && extra[0]) {
        if (q.len)
            strbuf_puts(&q, "&");
        strbuf_puts(&q, extra);
    }
    if (q.failed)
        out->failed = true;
    if (q.len) {
        strbuf_puts(out, "?");
        html_escape(out, q.data);
    }
    strbuf_free(&q);
}

/* <a href="..."> for page_url()'s arguments; the caller writes the text and </a>. */
void page_link_open(struct strbuf *out, const char *path, const char *segment,
                    const struct dash_filter *f, const char *extra)
{
    strbuf_puts(out, "<a href=\"");
    page_url(out, path, segment, f, extra);
    strbuf_puts(out, "\">");
}

/* The filter of a row's link: ctx's, with department and group replaced. */
struct dash_filter page_filter_with(const struct dash_filter *f, const char *department,
                                    const char *group)
{
    struct dash_filter copy = *f;
    snprintf(copy.department, sizeof copy.department, "%s", department);
    snprintf(copy.group, sizeof copy.group, "%s", group);
    return copy;
}

/* ---- times ------------------------------------------------------------- */

/* <time> for a UTC instant: "2026-11-28 12:00 UTC (3 h ago)"; "–" for 0. */
void page_put_time(struct strbuf *out, int64_t at_ms, int64_t now_ms)
{
    if (at_ms == 0) {
        strbuf_puts(out, DASH);
        return;
    }
    char iso[32], age[40], line[64];
    clock_format_utc(at_ms, iso, sizeof iso);
    fleet_format_age(now_ms - at_ms, age, sizeof age);
    snprintf(line, sizeof line, "%.10s %.5s UTC", iso, iso + 11);
    strbuf_puts(out, "<time datetime=\"");
    html_escape(out, iso);
    strbuf_puts(out, "\">");
    strbuf_puts(out, line);
    strbuf_puts(out, "</time> <span class=\"age\">(");
    strbuf_puts(out, age);
    strbuf_puts(out, ")</span>");
}

void page_put_local_time(struct strbuf *out, const struct page_ctx *ctx, int64_t at_ms)
{
    if (at_ms == 0) {
        strbuf_puts(out, DASH);
        return;
    }
    char iso[32], age[40], line[80];
    clock_format_utc(at_ms, iso, sizeof iso);
    fleet_format_age(ctx->now_ms - at_ms, age, sizeof age);
    struct tz_local t = tz_to_local(ctx->tz, at_ms); /* NULL: UTC */
    int32_t off = t.utc_offset_s < 0 ? -t.utc_offset_s : t.utc_offset_s;
    snprintf(line, sizeof line, "%04d-%02d-%02d %02d:%02d %c%02d:%02d", t.year, t.month, t.day,
             t.hour, t.minute, t.utc_offset_s < 0 ? '-' : '+', (int)(off / 3600),
             (int)(off / 60 % 60));
    strbuf_puts(out, "<time datetime=\"");
    html_escape(out, iso);
    strbuf_puts(out, "\" title=\"");
    html_escape(out, ctx->zone ? ctx->zone : "UTC");
    strbuf_puts(out, "\">");
    strbuf_puts(out, line);
    strbuf_puts(out, "</time> <span class=\"age\">(");
    strbuf_puts(out, age);
    strbuf_puts(out, ")</span>");
}

/* ---- the frame --------------------------------------------------------- */

static const char *role_name(enum dash_role role)
{
    return role == DASH_ROLE_ADMIN ? "admin" : role == DASH_ROLE_HEAD ? "head" : "technician";
}

static void nav_item(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                     const char *text, bool current)
{
    strbuf_puts(out, "<li><a href=\"");
    page_url(out, path, NULL, ctx->filter, NULL);
    strbuf_puts(out, current ? "\" aria-current=\"page\">" : "\">");
    strbuf_puts(out, text);
    strbuf_puts(out, "</a></li>");
}

/* A hidden csrf field (the session's token). */
void page_csrf_field(struct strbuf *out, const struct page_ctx *ctx)
{
    strbuf_puts(out, "<input type=\"hidden\" name=\"csrf\" value=\"");
    html_escape(out, ctx && ctx->csrf ? ctx->csrf : "");
    strbuf_puts(out, "\">");
}

/* The nav bar: the pages the user's role may open, its name, log out. */
static void nav(struct strbuf *out, const struct page_ctx *ctx, const char *active)
{
    const struct dash_user *u = ctx->user;
    strbuf_puts(out, "<header class=\"top\"><nav aria-label=\"Main\"><a class=\"brand\" href=\"");
    page_url(out, "/", NULL, ctx->filter, NULL);
    strbuf_puts(out, "\">wowdash</a><ul>");
    bool reads = u && u->role != DASH_ROLE_TECHNICIAN;
    if (reads) {
        nav_item(out, ctx, "/overview", "Overview", !strcmp(active, "overview"));
        nav_item(out, ctx, "/alerts", "Alerts", !strcmp(active, "alerts"));
    }
    if (u && u->role != DASH_ROLE_HEAD)
        nav_item(out, ctx, "/fleet", "Fleet", !strcmp(active, "fleet"));
    if (reads)
        nav_item(out, ctx, "/catalog", "Catalog", !strcmp(active, "catalog"));
    strbuf_puts(out, "</ul>");
    if (u) {
        strbuf_puts(out, "<div class=\"who\"><span class=\"user\">");
        html_escape(out, u->name);
        strbuf_puts(out, "</span> <span class=\"role\">");
        strbuf_puts(out, role_name(u->role));
        strbuf_puts(out, "</span><form method=\"post\" action=\"/logout\" class=\"logout\">");
        page_csrf_field(out, ctx);
        strbuf_puts(out, "<button type=\"submit\">Log out</button></form></div>");
    }
    strbuf_puts(out, "</nav></header>\n");
}

static void option(struct strbuf *out, const char *value, const char *text, bool selected)
{
    strbuf_puts(out, "<option value=\"");
    html_escape(out, value);
    strbuf_puts(out, selected ? "\" selected>" : "\">");
    html_escape(out, text);
    strbuf_puts(out, "</option>");
}

/* The department and group selects, from ctx->departments (the
 * departments the user may see; each group once). */
/* The Department and Group selectors; on a department's page (department
 * not NULL) the Department selector alone, choosing which department's page
 * (the server answers with that page), and no group. */
static void scope_selects(struct strbuf *out, const struct page_ctx *ctx, const char *department)
{
    const struct dash_filter *f = ctx->filter;
    const struct dash_departments *d = ctx->departments;
    size_t n = d ? d->n : 0;
    strbuf_puts(out, "<div class=\"field\"><label for=\"f-department\">Department</label>"
                     "<select id=\"f-department\" name=\"department\">");
    if (!department)
        option(out, "", "All departments", !f->department[0]);
    for (size_t i = 0; i < n; i++)
        option(out, d->items[i].id, d->items[i].name,
               !strcmp(department ? department : f->department, d->items[i].id));
    if (department) {
        strbuf_puts(out, "</select></div>");
        return;
    }
    strbuf_puts(out, "</select></div><div class=\"field\"><label for=\"f-group\">Group</label>"
                     "<select id=\"f-group\" name=\"group\">");
    option(out, "", "All groups", !f->group[0]);
    for (size_t i = 0; i < n; i++) {
        const struct dash_department_info *g = &d->items[i];
        bool seen = !g->group[0];
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(d->items[j].group, g->group);
        if (!seen)
            option(out, g->group, g->group_name[0] ? g->group_name : g->group,
                   !strcmp(f->group, g->group));
    }
    strbuf_puts(out, "</select></div>");
}

/* The site and kiosk selects: the kiosks of the viewer's departments,
 * grouped by site; none when there are no kiosks to choose. */
static void place_selects(struct strbuf *out, const struct page_ctx *ctx)
{
    const struct dash_filter *f = ctx->filter;
    const struct dash_places *pl = ctx->places;
    if (!pl || pl->n == 0)
        return;
    strbuf_puts(out, "<div class=\"field\"><label for=\"f-site\">Site</label>"
                     "<select id=\"f-site\" name=\"site\">");
    option(out, "", "All sites", !f->site[0]);
    for (size_t i = 0; i < pl->n; i++)
        if (pl->items[i].site[0] && (i == 0 || strcmp(pl->items[i - 1].site, pl->items[i].site)))
            option(out, pl->items[i].site, pl->items[i].site_name,
                   !strcmp(f->site, pl->items[i].site));
    strbuf_puts(out, "</select></div><div class=\"field\"><label for=\"f-kiosk\">Kiosk</label>"
                     "<select id=\"f-kiosk\" name=\"kiosk\">");
    option(out, "", "All kiosks", !f->kiosk[0]);
    for (size_t i = 0; i < pl->n; i++) {
        const struct dash_place *p = &pl->items[i];
        char label[2 * DASH_NAME_MAX + 8];
        snprintf(label, sizeof label, "%s%s%s", p->label[0] ? p->label : p->kiosk_id,
                 p->site_name[0] ? " · " : "", p->site_name);
        option(out, p->kiosk_id, label, !strcmp(f->kiosk, p->kiosk_id));
    }
    strbuf_puts(out, "</select></div>");
}

/* The filter form (GET to path and segment, as page_url() writes them):
 * period, dates, department, group, misuse. */
static void filter_form(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                        const char *segment)
{
    const struct dash_filter *f = ctx->filter;
    strbuf_puts(out, "<form class=\"filter\" method=\"get\" action=\"");
    page_url(out, path, segment, NULL, NULL);
    strbuf_puts(out, "\"><div class=\"field\"><label for=\"f-period\">Period</label>"
                     "<select id=\"f-period\" name=\"period\">");
    static const enum dash_period order[] = {
        DASH_PERIOD_TODAY,        DASH_PERIOD_YESTERDAY,   DASH_PERIOD_THIS_WEEK,
        DASH_PERIOD_LAST_WEEK,    DASH_PERIOD_LAST_7_DAYS, DASH_PERIOD_LAST_30_DAYS,
        DASH_PERIOD_LAST_90_DAYS, DASH_PERIOD_THIS_MONTH,  DASH_PERIOD_THIS_QUARTER,
        DASH_PERIOD_THIS_YEAR,    DASH_PERIOD_CUSTOM};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum dash_period p = order[i];
        option(out, period_names[p],
               p == DASH_PERIOD_CUSTOM ? "Custom range (the dates)" : period_labels[p],
               f->period == p);
    }
    char from[16], to[16];
    dash_day_format(f->from_day, from, sizeof from);
    dash_day_format(f->to_day - 1, to, sizeof to);
    strbuf_puts(out, "</select></div><div class=\"field\"><label for=\"f-from\">From</label>"
                     "<input type=\"date\" id=\"f-from\" name=\"from\" value=\"");
    strbuf_puts(out, from);
    strbuf_puts(out, "\"></div><div class=\"field\"><label for=\"f-to\">To</label>"
                     "<input type=\"date\" id=\"f-to\" name=\"to\" value=\"");
    strbuf_puts(out, to);
    strbuf_puts(out, "\"><input type=\"hidden\" name=\"shown_from\" value=\"");
    strbuf_puts(out, from);
    strbuf_puts(out, "\"><input type=\"hidden\" name=\"shown_to\" value=\"");
    strbuf_puts(out, to);
    strbuf_puts(out, "\"></div>");
    scope_selects(out, ctx, path && !strcmp(path, "/department/") ? segment : NULL);
    if (path && strncmp(path, "/alerts", 7) != 0)
        place_selects(out, ctx); /* alerts are a department's: a site would narrow nothing */
    strbuf_puts(out, "<div class=\"field check\"><input type=\"checkbox\" id=\"f-misuse\" "
                     "name=\"misuse\" value=\"1\"");
    strbuf_puts(out, f->include_misuse ? " checked" : "");
    strbuf_puts(out, "><label for=\"f-misuse\">Include misuse</label></div>"
                     "<button type=\"submit\">Apply</button></form>\n");
}

/* "Last 30 days: 28 Oct – 26 Nov 2026, Europe/Helsinki." */
static void period_line(struct strbuf *out, const struct page_ctx *ctx)
{
    const struct dash_filter *f = ctx->filter;
    char words[80];
    page_period_words(f->from_day, f->to_day, words, sizeof words);
    strbuf_puts(out, "<p class=\"period\"><strong>");
    strbuf_puts(out, period_label(f->period));
    strbuf_puts(out, ":</strong> ");
    strbuf_puts(out, words);
    if (ctx->zone && ctx->zone[0]) {
        strbuf_puts(out, ", ");
        html_escape(out, ctx->zone);
    }
    if (f->site[0] || f->kiosk[0]) {
        /* the numbers count these kiosks only: say so where the period is said */
        strbuf_puts(out, f->site[0] ? ". Site " : "");
        html_escape(out, f->site);
        strbuf_puts(out, f->kiosk[0] ? (f->site[0] ? ", kiosk " : ". Kiosk ") : "");
        html_escape(out, f->kiosk);
        strbuf_puts(out, " only");
    }
    strbuf_puts(out, f->include_misuse ? ". Misuse included." : ". Misuse left out.");
    strbuf_puts(out, "</p>\n");
}

/* The head, nav, <main>, the <h1> (title escaped) and, when path is not
 * NULL, the filter form sending there (path and segment as page_url() takes
 * them) and the period line. */
void page_frame_begin(struct strbuf *out, const struct page_ctx *ctx, const char *title,
                      const char *active, const char *path, const char *segment)
{
    html_page_head(out, title);
    nav(out, ctx, active);
    strbuf_puts(out, "<main>\n<h1>");
    html_escape(out, title);
    strbuf_puts(out, "</h1>\n");
    if (path) {
        filter_form(out, ctx, path, segment);
        period_line(out, ctx);
    }
}

void page_frame_end(struct strbuf *out)
{
    strbuf_puts(out, "</main>\n<script src=\"/assets/live.js\" defer></script>\n");
    html_page_end(out);
}

/* ---- the live update --------------------------------------------------- */

/* /assets/live.js: a file of its own, so the CSP keeps forbidding inline
 * script.  It long-polls /api/v1/live with the generation it last saw;
 * when the answer names another, it fetches the page again and swaps its
 * <main> in, unless a field of it has the focus or differs from what the
 * page came with (someone is typing a comment or changing the filter: the
 * next change will do, or their own submit).  An answer that comes back at once unchanged
 * (the server's waiting places are taken) waits 5 s before asking again;
 * errors (logged out, server away) back off up to a minute. */
const char page_live_script[] =
    "/* wowdash: keeps an open page's figures current (see page_frame.c). */\n"
    "(function () {\n"
    "  'use strict';\n"
    "  var gen = null, failures = 0;\n"
    "  function edited(main) {\n"
    "    return Array.prototype.some.call(main.querySelectorAll('input, select, textarea'),\n"
    "      function (e) {\n"
    "        if (e.tagName === 'SELECT')\n"
    "          return Array.prototype.some.call(e.options,\n"
    "            function (o) { return o.selected !== o.defaultSelected; });\n"
    "        if (e.type === 'checkbox' || e.type === 'radio') return e.checked !== "
    "e.defaultChecked;\n"
    "        return e.value !== e.defaultValue;\n"
    "      });\n"
    "  }\n"
    "  function swap(html) {\n"
    "    var fresh = new DOMParser().parseFromString(html, 'text/html').querySelector('main');\n"
    "    var old = document.querySelector('main'), active = document.activeElement;\n"
    "    if (!fresh || !old || edited(old)) return;\n"
    "    if (active && old.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName))\n"
    "      return;\n"
    "    old.replaceWith(document.adoptNode(fresh));\n"
    "    document.documentElement.dataset.liveGeneration = String(gen);\n"
    "  }\n"
    "  function reload() {\n"
    "    fetch(location.href, {credentials: 'same-origin', cache: 'no-store'})\n"
    "      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })\n"
    "      .then(swap).catch(function () {});\n"
    "  }\n"
    "  function poll() {\n"
    "    var asked = Date.now();\n"
    "    fetch('/api/v1/live' + (gen === null ? '' : '?since=' + gen),\n"
    "          {credentials: 'same-origin', cache: 'no-store'})\n"
    "      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })\n"
    "      .then(function (j) {\n"
    "        var same = j.generation === gen;\n"
    "        if (gen !== null && !same) { gen = j.generation; reload(); }\n"
    "        gen = j.generation;\n"
    "        failures = 0;\n"
    "        setTimeout(poll, same && Date.now() - asked < 1000 ? 5000 : 0);\n"
    "      })\n"
    "      .catch(function () {\n"
    "        failures = Math.min(failures + 1, 6);\n"
    "        setTimeout(poll, 1000 * Math.pow(2, failures));\n"
    "      });\n"
    "  }\n"
    "  poll();\n"
    "})();\n";

/* ---- cells ------------------------------------------------------------- */

/* A league number: the value, its 95 % interval under it, and in its
 * title over how many responses it stands; DASH with n = 0.  Plain cells
 * (the stylesheet aligns the columns): a league of 100 departments must
 * stay light. */
void page_score_cell(struct strbuf *out, double v, double lo, double hi, bool share, int64_t n)
{
    if (n <= 0 || !isfinite(v)) {
        strbuf_puts(out, "<td title=\"No responses\">" DASH "</td>");
        return;
    }
    char value[32], ci[64], over[48];
    if (share)
        page_pct(v, value, sizeof value);
    else
        page_num1(v, value, sizeof value);
    page_interval(lo, hi, share, ci, sizeof ci);
    page_responses(n, over, sizeof over);
    strbuf_puts(out, "<td title=\"");
    strbuf_puts(out, over);
    strbuf_puts(out, "\">");
    strbuf_puts(out, value);
    if (isfinite(lo) && isfinite(hi)) {
        strbuf_puts(out, "<small>");
        strbuf_puts(out, ci);
        strbuf_puts(out, "</small>");
    }
    strbuf_puts(out, "</td>");
}

/* The change against the previous period: "▲ +5.1" in bold when the
 * intervals do not overlap (score_changed), the bare difference in grey
 * when they do, DASH when either period has no responses. */
void page_change_text(struct strbuf *out, const struct score *now, const struct score *prev,
                      char *title, size_t size)
{
    char before[48], diff[32];
    if (now->n <= 0 || prev->n <= 0) {
        snprintf(title, size, "%s",
                 now->n <= 0 ? "No responses in this period"
                             : "No responses in the previous period");
        strbuf_puts(out, DASH);
        return;
    }
    double d = now->index - prev->index;
    page_num1(fabs(d), diff, sizeof diff);
    char pv[32], over[48];
    page_num1(prev->index, pv, sizeof pv);
    page_responses(prev->n, over, sizeof over);
    snprintf(before, sizeof before, "%s", pv);
    const char *sign = d > 0.05 ? "+" : d < -0.05 ? "-" : "±";
    if (score_changed(now, prev)) {
        snprintf(title, size, "Clear change. Before: %s over %s; intervals apart", before, over);
        strbuf_puts(out, d > 0 ? "<strong class=\"up\"><span aria-hidden=\"true\">▲</span> "
                               : "<strong class=\"down\"><span aria-hidden=\"true\">▼</span> ");
        strbuf_puts(out, d > 0 ? "up " : "down ");
        strbuf_puts(out, sign);
        strbuf_puts(out, diff);
        strbuf_puts(out, "</strong>");
    } else {
        snprintf(title, size, "Within the noise. Before: %s over %s; intervals overlap", before,
                 over);
        strbuf_puts(out, "<span class=\"same\">");
        strbuf_puts(out, sign);
        strbuf_puts(out, diff);
        strbuf_puts(out, "</span>");
    }
}

void page_change_cell(struct strbuf *out, const struct score *now, const struct score *prev)
{
    struct strbuf text = {0};
    char title[200];
    page_change_text(&text, now, prev, title, sizeof title);
    strbuf_puts(out, "<td title=\"");
    strbuf_puts(out, title);
    strbuf_puts(out, "\">");
    strbuf_puts(out, text.data ? text.data : "");
    strbuf_puts(out, "</td>");
    if (text.failed)
        out->failed = true;
    strbuf_free(&text);
}
