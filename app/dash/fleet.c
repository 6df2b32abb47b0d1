/* fleet: the fleet page (see fleet.h). */
#include "fleet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "html.h"
#include "strbuf.h"

void fleet_free(struct fleet *fleet)
{
    for (size_t i = 0; i < fleet->n; i++) {
        struct fleet_kiosk *k = &fleet->kiosks[i];
        free(k->kiosk_id);
        free(k->site);
        free(k->label);
        free(k->department);
        free(k->app_version);
        free(k->last_error);
    }
    free(fleet->kiosks);
    *fleet = (struct fleet){0};
}

bool fleet_kiosk_silent(const struct fleet_kiosk *kiosk, int64_t now_ms, int64_t silent_after_ms)
{
    return kiosk->last_seen_ms == 0 || now_ms - kiosk->last_seen_ms > silent_after_ms;
}

bool fleet_kiosk_has_error(const struct fleet_kiosk *kiosk)
{
    return kiosk->last_seen_ms != 0 && kiosk->last_error[0] != '\0';
}

void fleet_format_age(int64_t age_ms, char *buf, size_t size)
{
    int64_t s = age_ms / 1000;
    if (s <= 0)
        snprintf(buf, size, "just now");
    else if (s < 60)
        snprintf(buf, size, "%" PRId64 " s ago", s);
    else if (s < 3600)
        snprintf(buf, size, "%" PRId64 " min ago", s / 60);
    else if (s < 48 * 3600)
        snprintf(buf, size, "%" PRId64 " h ago", s / 3600);
    else
        snprintf(buf, size, "%" PRId64 " days ago", s / 86400);
}

void fleet_format_duration(int64_t ms, char *buf, size_t size)
{
    int64_t s = ms / 1000;
    if (s % 86400 == 0 && s > 0)
        snprintf(buf, size, "%" PRId64 " day%s", s / 86400, s == 86400 ? "" : "s");
    else if (s % 3600 == 0 && s > 0)
        snprintf(buf, size, "%" PRId64 " h", s / 3600);
    else if (s % 60 == 0 && s > 0)
        snprintf(buf, size, "%" PRId64 " min", s / 60);
    else
        snprintf(buf, size, "%" PRId64 " s", s);
}

bool fleet_kiosk_problem(const struct fleet_kiosk *kiosk, int64_t now_ms, int64_t silent_after_ms)
{
    return fleet_kiosk_silent(kiosk, now_ms, silent_after_ms) || fleet_kiosk_has_error(kiosk) ||
           kiosk->backlog >= FLEET_BACKLOG_PROBLEM;
}

/* A row and its sort class (0 silent, 1 error, 2 backlog, 3 fine),
 * computed once. */
struct ranked {
    const struct fleet_kiosk *kiosk;
    int rank;
};

static int compare_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->kiosk->kiosk_id, y->kiosk->kiosk_id);
}

bool fleet_order(const struct fleet *fleet, int64_t now_ms, int64_t silent_after_ms,
                 const struct fleet_kiosk ***order, struct fleet_summary *summary)
{
    *summary = (struct fleet_summary){.n = fleet->n};
    *order = NULL;
    struct ranked *rows = calloc(fleet->n ? fleet->n : 1, sizeof *rows);
    const struct fleet_kiosk **list = calloc(fleet->n ? fleet->n : 1, sizeof *list);
    if (!rows || !list) {
        free(rows);
        free(list);
        return false;
    }
    for (size_t i = 0; i < fleet->n; i++) {
        const struct fleet_kiosk *k = &fleet->kiosks[i];
        bool silent = fleet_kiosk_silent(k, now_ms, silent_after_ms);
        bool error = fleet_kiosk_has_error(k);
        bool backlog = k->backlog >= FLEET_BACKLOG_PROBLEM;
        summary->silent += silent;
        summary->errors += error;
        summary->backlogged += backlog;
        summary->problems += silent || error || backlog;
        rows[i] = (struct ranked){k, silent ? 0 : error ? 1 : backlog ? 2 : 3};
    }
    qsort(rows, fleet->n, sizeof *rows, compare_ranked);
    for (size_t i = 0; i < fleet->n; i++)
        list[i] = rows[i].kiosk;
    free(rows);
    *order = list;
    return true;
}

/* "2026-11-28 19:41:18 UTC" from the ISO form clock_format_utc writes. */
static void utc_readable(int64_t utc_ms, char *buf, unsigned size)
{
    char iso[32];
    clock_format_utc(utc_ms, iso, sizeof iso);
    snprintf(buf, size, "%.10s %.8s UTC", iso, iso + 11);
}

/* A time cell: "3 min ago" and, below it, the UTC time (a phone has no
 * hover for a title); "never" for 0. */
static void render_time(struct strbuf *out, const char *label, int64_t utc_ms, int64_t now_ms)
{
    strbuf_puts(out, "<td data-label=\"");
    strbuf_puts(out, label);
    strbuf_puts(out, "\">");
    if (utc_ms == 0) {
        strbuf_puts(out, "never</td>");
        return;
    }
    char iso[32], readable[40], age[40];
    clock_format_utc(utc_ms, iso, sizeof iso);
    utc_readable(utc_ms, readable, sizeof readable);
    fleet_format_age(now_ms - utc_ms, age, sizeof age);
    strbuf_puts(out, "<time datetime=\"");
    strbuf_puts(out, iso);
    strbuf_puts(out, "\" title=\"");
    strbuf_puts(out, readable);
    strbuf_puts(out, "\">");
    strbuf_puts(out, age);
    strbuf_puts(out, "</time> <span class=\"utc\">");
    strbuf_puts(out, readable);
    strbuf_puts(out, "</span></td>");
}

/* A cell of escaped text. */
static void render_text(struct strbuf *out, const char *label, const char *text)
{
    strbuf_puts(out, "<td data-label=\"");
    strbuf_puts(out, label);
    strbuf_puts(out, "\">");
    html_escape(out, text);
    strbuf_puts(out, "</td>");
}

static void render_row(struct strbuf *out, const struct fleet_kiosk *k, int64_t now_ms,
                       int64_t silent_after_ms)
{
    bool silent = fleet_kiosk_silent(k, now_ms, silent_after_ms);
    bool error = fleet_kiosk_has_error(k);
    bool backlog = k->backlog >= FLEET_BACKLOG_PROBLEM;
    strbuf_puts(out, "<tr class=\"kiosk");
    strbuf_puts(out, silent ? " silent" : "");
    strbuf_puts(out, error ? " error" : "");
    strbuf_puts(out, "\"><td data-label=\"Status\" class=\"status\">");
    strbuf_puts(out, silent ? "<strong>silent</strong>" : error || backlog ? "" : "ok");
    strbuf_puts(out, error ? " <strong>error</strong>" : "");
    strbuf_puts(out, backlog ? " <strong>backlog</strong>" : "");
    strbuf_puts(out, "</td><th scope=\"row\" data-label=\"Kiosk\">");
    html_escape(out, k->kiosk_id);
    strbuf_puts(out, "</th>");
    render_text(out, "Site", k->site);
    render_text(out, "Label", k->label);
    render_text(out, "Department", k->department);
    render_text(out, "Version", k->app_version);
    render_time(out, "Last heartbeat", k->last_seen_ms, now_ms);
    render_time(out, "Last successful sync", k->last_success_ms, now_ms);
    strbuf_puts(out, "<td data-label=\"Backlog\" class=\"number\">");
    strbuf_int(out, k->backlog);
    strbuf_puts(out, "</td>");
    render_text(out, "Last error", k->last_error);
    strbuf_puts(out, "</tr>\n");
}

void fleet_render_summary(const struct fleet_summary *summary, int64_t now_ms,
                          int64_t silent_after_ms, struct strbuf *out)
{
    char line[200], after[40], now[40];
    size_t n = summary->n;
    int len = snprintf(line, sizeof line, "%zu kiosk%s, %zu silent, %zu with errors", n,
                       n == 1 ? "" : "s", summary->silent, summary->errors);
    if (summary->backlogged && len > 0 && (size_t)len < sizeof line)
        snprintf(line + len, sizeof line - (size_t)len, ", %zu with a backlog",
                 summary->backlogged);
    fleet_format_duration(silent_after_ms, after, sizeof after);
    utc_readable(now_ms, now, sizeof now);
    strbuf_puts(out, "<p class=\"summary\">");
    strbuf_puts(out, line);
    strbuf_puts(out, "</p>\n<p class=\"note\">Silent: no heartbeat for more than ");
    strbuf_puts(out, after);
    strbuf_puts(out, ", or never seen. Backlog: ");
    strbuf_int(out, FLEET_BACKLOG_PROBLEM);
    strbuf_puts(out, " rows or more waiting on the kiosk. As of ");
    strbuf_puts(out, now);
    strbuf_puts(out, ".</p>\n");
}

static const char table_head[] =
    "<div class=\"scroll\"><table class=\"fleet\">\n<thead><tr><th scope=\"col\">Status</th>"
    "<th scope=\"col\">Kiosk</th><th scope=\"col\">Site</th><th scope=\"col\">Label</th>"
    "<th scope=\"col\">Department</th><th scope=\"col\">Version</th>"
    "<th scope=\"col\">Last heartbeat</th><th scope=\"col\">Last successful sync</th>"
    "<th scope=\"col\">Backlog</th><th scope=\"col\">Last error</th></tr></thead>\n<tbody>\n";

void fleet_render_table(const struct fleet_kiosk *const *rows, size_t n, int64_t now_ms,
                        int64_t silent_after_ms, struct strbuf *out)
{
    strbuf_puts(out, table_head);
    for (size_t i = 0; i < n; i++)
        render_row(out, rows[i], now_ms, silent_after_ms);
    strbuf_puts(out, "</tbody>\n</table></div>\n");
}
