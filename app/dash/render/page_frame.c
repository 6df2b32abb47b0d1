/*
 * page_frame: the pieces every page shares: links that keep the filter,
 * the frame (nav bar with the language choice, filter form, period line)
 * and the score and change cells.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "fleet_render.h"
#include "html.h"
#include "page_lang.h"
#include "pages_private.h"
#include "strbuf.h"
#include "tz.h"

static const char *const period_names[] = {
    "today",       "yesterday",    "this_week",    "last_week", "last_30_days", "this_month",
    "last_7_days", "last_90_days", "this_quarter", "this_year", "custom"};
static const char *const period_labels[] = {
    N_("Today"),        N_("Yesterday"),    N_("This week"),   N_("Last week"),
    N_("Last 30 days"), N_("This month"),   N_("Last 7 days"), N_("Last 90 days"),
    N_("This quarter"), N_("Year to date"), N_("Custom range")};

/* ---- words and numbers ------------------------------------------------- */

const char *page_period_name(enum dash_period period)
{
    return (unsigned)period < sizeof period_names / sizeof period_names[0] ? period_names[period]
                                                                           : "last_30_days";
}

static const char *period_label(const struct page_ctx *ctx, enum dash_period period)
{
    return page_tr(ctx, (unsigned)period < sizeof period_labels / sizeof period_labels[0]
                            ? period_labels[period]
                            : N_("Period"));
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
    if (f->audience[0]) {
        strbuf_puts(out, "&audience=");
        html_url_encode(out, f->audience);
    }
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

/* ---- the frame --------------------------------------------------------- */

/* The nav's language choice: a link per language to this page in it
 * (the request's query kept, its lang= replaced), the current one marked. */
static void lang_links(struct strbuf *out, const struct page_ctx *ctx)
{
    const struct page_langs *langs = ctx->langs;
    /* a target not starting with one '/' ("//host/") would make the link leave the site */
    if (!langs || langs->n < 2 || !ctx->here || ctx->here[0] != '/' || ctx->here[1] == '/' ||
        ctx->here[1] == '\\')
        return;
    size_t path_len = strcspn(ctx->here, "?#");
    const char *query = ctx->here[path_len] == '?' ? ctx->here + path_len + 1 : "";
    strbuf_puts(out, "<ul class=\"langs\" aria-label=\"");
    page_text(out, ctx, "Language");
    strbuf_puts(out, "\">");
    for (size_t i = 0; i < langs->n; i++) {
        const struct page_lang *l = &langs->lang[i];
        struct strbuf href = {0};
        strbuf_append(&href, ctx->here, path_len);
        strbuf_puts(&href, "?");
        for (const char *q = query; *q && *q != '#';) {
            size_t n = strcspn(q, "&#");
            if (n > 0 && strncmp(q, "lang=", 5) != 0) {
                strbuf_append(&href, q, n);
                strbuf_puts(&href, "&");
            }
            q += n + (q[n] == '&');
        }
        strbuf_puts(&href, "lang=");
        html_url_encode(&href, l->code);
        strbuf_puts(out, "<li><a href=\"");
        html_escape(out, href.data ? href.data : "/");
        strbuf_puts(out, "\" hreflang=\"");
        html_escape(out, l->code);
        strbuf_puts(out, "\" lang=\"");
        html_escape(out, l->code);
        strbuf_puts(out, ctx->lang == l ? "\" aria-current=\"true\">" : "\">");
        html_escape(out, l->name);
        strbuf_puts(out, "</a></li>");
        if (href.failed)
            out->failed = true;
        strbuf_free(&href);
    }
    strbuf_puts(out, "</ul>");
}

static const char *role_name(const struct page_ctx *ctx, enum dash_role role)
{
    return page_tr(ctx, role == DASH_ROLE_ADMIN  ? N_("admin")
                        : role == DASH_ROLE_HEAD ? N_("head")
                                                 : N_("technician"));
}

static void nav_item(struct strbuf *out, const struct page_ctx *ctx, const char *path,
                     const char *text, bool current)
{
    strbuf_puts(out, "<li><a href=\"");
    page_url(out, path, NULL, ctx->filter, NULL);
    strbuf_puts(out, current ? "\" aria-current=\"page\">" : "\">");
    page_text(out, ctx, text);
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
    strbuf_puts(out, "<header class=\"top\"><nav aria-label=\"");
    page_text(out, ctx, "Main");
    strbuf_puts(out, "\"><a class=\"brand\" href=\"");
    page_url(out, "/", NULL, ctx->filter, NULL);
    strbuf_puts(out, "\">wowdash</a><ul>");
    bool reads = u && u->role != DASH_ROLE_TECHNICIAN;
    if (reads) {
        nav_item(out, ctx, "/overview", N_("Overview"), !strcmp(active, "overview"));
        nav_item(out, ctx, "/alerts", N_("Alerts"), !strcmp(active, "alerts"));
    }
    if (u && u->role != DASH_ROLE_HEAD)
        nav_item(out, ctx, "/fleet", N_("Fleet"), !strcmp(active, "fleet"));
    if (reads)
        nav_item(out, ctx, "/catalog", N_("Catalog"), !strcmp(active, "catalog"));
    strbuf_puts(out, "</ul>");
    lang_links(out, ctx);
    if (u) {
        strbuf_puts(out, "<div class=\"who\"><span class=\"user\">");
        html_escape(out, u->name);
        strbuf_puts(out, "</span> <span class=\"role\">");
        html_escape(out, role_name(ctx, u->role));
        strbuf_puts(out, "</span><form method=\"post\" action=\"/logout\" class=\"logout\">");
        page_csrf_field(out, ctx);
        strbuf_puts(out, "<button type=\"submit\">");
        page_text(out, ctx, "Log out");
        strbuf_puts(out, "</button></form></div>");
    }
    strbuf_puts(out, "</nav></header>\n");
}

/* <div class="field"><label for="id">text</label>: a field's start. */
static void field_open(struct strbuf *out, const struct page_ctx *ctx, const char *id,
                       const char *msgid)
{
    strbuf_puts(out, "<div class=\"field\"><label for=\"");
    strbuf_puts(out, id);
    strbuf_puts(out, "\">");
    page_text(out, ctx, msgid);
    strbuf_puts(out, "</label>");
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
    field_open(out, ctx, "f-department", "Department");
    strbuf_puts(out, "<select id=\"f-department\" name=\"department\">");
    if (!department)
        option(out, "", page_tr(ctx, "All departments"), !f->department[0]);
    for (size_t i = 0; i < n; i++)
        option(out, d->items[i].id, d->items[i].name,
               !strcmp(department ? department : f->department, d->items[i].id));
    if (department) {
        strbuf_puts(out, "</select></div>");
        return;
    }
    strbuf_puts(out, "</select></div>");
    field_open(out, ctx, "f-group", "Group");
    strbuf_puts(out, "<select id=\"f-group\" name=\"group\">");
    option(out, "", page_tr(ctx, "All groups"), !f->group[0]);
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
    field_open(out, ctx, "f-site", "Site");
    strbuf_puts(out, "<select id=\"f-site\" name=\"site\">");
    option(out, "", page_tr(ctx, "All sites"), !f->site[0]);
    for (size_t i = 0; i < pl->n; i++)
        if (pl->items[i].site[0] && (i == 0 || strcmp(pl->items[i - 1].site, pl->items[i].site)))
            option(out, pl->items[i].site, pl->items[i].site_name,
                   !strcmp(f->site, pl->items[i].site));
    strbuf_puts(out, "</select></div>");
    field_open(out, ctx, "f-kiosk", "Kiosk");
    strbuf_puts(out, "<select id=\"f-kiosk\" name=\"kiosk\">");
    option(out, "", page_tr(ctx, "All kiosks"), !f->kiosk[0]);
    for (size_t i = 0; i < pl->n; i++) {
        const struct dash_place *p = &pl->items[i];
        char label[2 * DASH_NAME_MAX + 8];
        snprintf(label, sizeof label, "%s%s%s", p->label[0] ? p->label : p->kiosk_id,
                 p->site_name[0] ? " · " : "", p->site_name);
        option(out, p->kiosk_id, label, !strcmp(f->kiosk, p->kiosk_id));
    }
    strbuf_puts(out, "</select></div>");
}

/* "Rated by": every department, those rated by customers, or internal
 * teams rated by colleagues; only where the viewer has an internal team. */
static void audience_select(struct strbuf *out, const struct page_ctx *ctx)
{
    bool any = false;
    for (size_t i = 0; ctx->departments && i < ctx->departments->n; i++)
        any |= ctx->departments->items[i].internal;
    if (!any && !ctx->filter->audience[0])
        return;
    const char *a = ctx->filter->audience;
    field_open(out, ctx, "f-audience", "Rated by");
    strbuf_puts(out, "<select id=\"f-audience\" name=\"audience\">");
    option(out, "", page_tr(ctx, "Customers and colleagues"), !a[0]);
    option(out, "customers", page_tr(ctx, "Customers"), !strcmp(a, "customers"));
    option(out, "colleagues", page_tr(ctx, "Colleagues (internal teams)"),
           !strcmp(a, "colleagues"));
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
    strbuf_puts(out, "\">");
    field_open(out, ctx, "f-period", "Period");
    strbuf_puts(out, "<select id=\"f-period\" name=\"period\">");
    static const enum dash_period order[] = {
        DASH_PERIOD_TODAY,        DASH_PERIOD_YESTERDAY,   DASH_PERIOD_THIS_WEEK,
        DASH_PERIOD_LAST_WEEK,    DASH_PERIOD_LAST_7_DAYS, DASH_PERIOD_LAST_30_DAYS,
        DASH_PERIOD_LAST_90_DAYS, DASH_PERIOD_THIS_MONTH,  DASH_PERIOD_THIS_QUARTER,
        DASH_PERIOD_THIS_YEAR,    DASH_PERIOD_CUSTOM};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        enum dash_period p = order[i];
        option(out, period_names[p],
               p == DASH_PERIOD_CUSTOM ? page_tr(ctx, "Custom range (the dates)")
                                       : period_label(ctx, p),
               f->period == p);
    }
    char from[16], to[16];
    dash_day_format(f->from_day, from, sizeof from);
    dash_day_format(f->to_day - 1, to, sizeof to);
    strbuf_puts(out, "</select></div>");
    field_open(out, ctx, "f-from", "From");
    strbuf_puts(out, "<input type=\"date\" id=\"f-from\" name=\"from\" value=\"");
    strbuf_puts(out, from);
    strbuf_puts(out, "\"></div>");
    field_open(out, ctx, "f-to", "To");
    strbuf_puts(out, "<input type=\"date\" id=\"f-to\" name=\"to\" value=\"");
    strbuf_puts(out, to);
    strbuf_puts(out, "\"><input type=\"hidden\" name=\"shown_from\" value=\"");
    strbuf_puts(out, from);
    strbuf_puts(out, "\"><input type=\"hidden\" name=\"shown_to\" value=\"");
    strbuf_puts(out, to);
    strbuf_puts(out, "\"></div>");
    scope_selects(out, ctx, path && !strcmp(path, "/department/") ? segment : NULL);
    if (path && strncmp(path, "/alerts", 7) != 0)
        place_selects(out, ctx); /* alerts are a department's: a site would narrow nothing */
    audience_select(out, ctx);
    strbuf_puts(out, "<div class=\"field check\"><input type=\"checkbox\" id=\"f-misuse\" "
                     "name=\"misuse\" value=\"1\"");
    strbuf_puts(out, f->include_misuse ? " checked" : "");
    strbuf_puts(out, "><label for=\"f-misuse\">");
    page_text(out, ctx, "Include misuse");
    strbuf_puts(out, "</label></div><button type=\"submit\">");
    page_text(out, ctx, "Apply");
    strbuf_puts(out, "</button></form>\n");
}

/* "Last 30 days: 28 Oct – 26 Nov 2026, Europe/Helsinki." */
static void period_line(struct strbuf *out, const struct page_ctx *ctx)
{
    const struct dash_filter *f = ctx->filter;
    char words[80];
    page_period_words(ctx, f->from_day, f->to_day, words, sizeof words);
    strbuf_puts(out, "<p class=\"period\"><strong>");
    html_escape(out, period_label(ctx, f->period));
    strbuf_puts(out, ":</strong> ");
    html_escape(out, words);
    if (ctx->zone && ctx->zone[0]) {
        strbuf_puts(out, ", ");
        html_escape(out, ctx->zone);
    }
    /* the numbers count these kiosks only: say so where the period is said */
    strbuf_puts(out, ". ");
    if (f->site[0] && f->kiosk[0])
        page_textf(out, ctx, "Site %s, kiosk %s only.", f->site, f->kiosk);
    else if (f->site[0])
        page_textf(out, ctx, "Site %s only.", f->site);
    else if (f->kiosk[0])
        page_textf(out, ctx, "Kiosk %s only.", f->kiosk);
    if (f->site[0] || f->kiosk[0])
        strbuf_puts(out, " ");
    if (f->audience[0]) {
        page_text(out, ctx,
                  strcmp(f->audience, "colleagues") ? N_("Rated by customers only.")
                                                    : N_("Rated by colleagues only."));
        strbuf_puts(out, " ");
    }
    page_text(out, ctx, f->include_misuse ? N_("Misuse included.") : N_("Misuse left out."));
    strbuf_puts(out, "</p>\n");
}

/* The head, nav, <main>, the <h1> (title escaped) and, when path is not
 * NULL, the filter form sending there (path and segment as page_url() takes
 * them) and the period line. */
void page_frame_begin(struct strbuf *out, const struct page_ctx *ctx, const char *title,
                      const char *active, const char *path, const char *segment)
{
    html_page_head(out, ctx->lang ? ctx->lang->code : NULL, title);
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
void page_score_cell(struct strbuf *out, const struct page_ctx *ctx, double v, double lo, double hi,
                     bool share, int64_t n)
{
    bool titled = n > 0; /* -n: the same cell without the title */
    n = n < 0 ? -n : n;
    if (n <= 0 || !isfinite(v)) {
        strbuf_puts(out, "<td title=\"");
        page_text(out, ctx, "No responses");
        strbuf_puts(out, "\">" DASH "</td>");
        return;
    }
    char value[40], ci[96], over[64];
    if (share)
        page_pct(ctx, v, value, sizeof value);
    else
        page_num1(ctx, v, value, sizeof value);
    page_interval(ctx, lo, hi, share, ci, sizeof ci);
    page_responses(ctx, n, over, sizeof over);
    if (titled) {
        strbuf_puts(out, "<td title=\"");
        html_escape(out, over);
        strbuf_puts(out, "\">");
    } else {
        strbuf_puts(out, "<td>");
    }
    html_escape(out, value);
    if (isfinite(lo) && isfinite(hi)) {
        strbuf_puts(out, "<small>");
        html_escape(out, ci);
        strbuf_puts(out, "</small>");
    }
    strbuf_puts(out, "</td>");
}

/* The change against the previous period: "▲ +5.1" in bold when the
 * intervals do not overlap (score_changed), the bare difference in grey
 * when they do, DASH when either period has no responses. */
void page_change_text(struct strbuf *out, const struct page_ctx *ctx, const struct score *now,
                      const struct score *prev, char *title, size_t size)
{
    char diff[40];
    if (now->n <= 0 || prev->n <= 0) {
        snprintf(title, size, "%s",
                 page_tr(ctx, now->n <= 0 ? N_("No responses in this period")
                                          : N_("No responses in the previous period")));
        strbuf_puts(out, DASH);
        return;
    }
    double d = now->index - prev->index;
    page_num1(ctx, fabs(d), diff, sizeof diff);
    char before[40], over[64];
    page_num1(ctx, prev->index, before, sizeof before);
    page_responses(ctx, prev->n, over, sizeof over);
    const char *sign = d > 0.05 ? "+" : d < -0.05 ? "-" : "±";
    if (score_changed(now, prev)) {
        page_trf(title, size, ctx, "Clear change (intervals apart); before: %s over %s", before,
                 over);
        strbuf_puts(out, d > 0 ? "<strong class=\"up\"><span aria-hidden=\"true\">▲</span> "
                               : "<strong class=\"down\"><span aria-hidden=\"true\">▼</span> ");
        page_text(out, ctx, d > 0 ? N_("up") : N_("down"));
        strbuf_puts(out, " ");
        strbuf_puts(out, sign);
        html_escape(out, diff);
        strbuf_puts(out, "</strong>");
    } else {
        page_trf(title, size, ctx, "Within the noise; before: %s over %s", before, over);
        strbuf_puts(out, "<span class=\"same\">");
        strbuf_puts(out, sign);
        html_escape(out, diff);
        strbuf_puts(out, "</span>");
    }
}

void page_change_cell(struct strbuf *out, const struct page_ctx *ctx, const struct score *now,
                      const struct score *prev)
{
    struct strbuf text = {0};
    char title[256];
    page_change_text(&text, ctx, now, prev, title, sizeof title);
    strbuf_puts(out, "<td title=\"");
    html_escape(out, title);
    strbuf_puts(out, "\">");
    strbuf_puts(out, text.data ? text.data : "");
    strbuf_puts(out, "</td>");
    if (text.failed)
        out->failed = true;
    strbuf_free(&text);
}
