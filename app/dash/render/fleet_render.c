/*
 * fleet_render: the fleet page's HTML (see fleet_render.h).
 */
#include "fleet_render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "html.h"
#include "strbuf.h"

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

/* The sync's last error, and the kiosk's store failing: since when, how
 * many records wait in its memory (they are in no count yet), what it said. */
static void render_errors(struct strbuf *out, const struct fleet_kiosk *k, int64_t now_ms)
{
    strbuf_puts(out, "<td data-label=\"Last error\">");
    html_escape(out, k->last_error);
    if ((k->store_error && k->store_error[0]) || k->store_waiting > 0) {
        strbuf_puts(out, k->last_error[0] ? "<br>" : "");
        strbuf_puts(out, "<strong>store failing</strong>");
        if (k->store_error_since_ms > 0) {
            char age[40];
            fleet_format_age(now_ms - k->store_error_since_ms, age, sizeof age);
            strbuf_puts(out, " since ");
            html_escape(out, age);
        }
        strbuf_puts(out, ", ");
        strbuf_int(out, k->store_waiting);
        strbuf_puts(out, k->store_waiting == 1 ? " record" : " records");
        strbuf_puts(out, " waiting in its memory");
        if (k->store_error && k->store_error[0]) {
            strbuf_puts(out, ": <span class=\"store-error\">");
            html_escape(out, k->store_error);
            strbuf_puts(out, "</span>");
        }
    }
    strbuf_puts(out, "</td>");
}

static const char *text_or(const char *text, const char *fallback)
{
    return text && text[0] ? text : fallback;
}

/* One department of kiosk k: its catalog name, or, when the catalog
 * names departments but not this one, "unknown department X (kiosk K)". */
static void render_department_name(struct strbuf *out, const struct fleet *fleet,
                                   const struct fleet_kiosk *k, const char *id)
{
    const char *name = names_find(&fleet->names, "department", id);
    if (name) {
        html_escape(out, name);
    } else if (names_has_departments(&fleet->names)) {
        strbuf_puts(out, "<strong class=\"unknown\">unknown department ");
        html_escape(out, id);
        strbuf_puts(out, " (kiosk ");
        html_escape(out, k->kiosk_id);
        strbuf_puts(out, ")</strong>");
    } else {
        html_escape(out, id);
    }
}

/* Most departments a picker's cell lists (its heartbeat is the kiosk's
 * to write). */
#define PICKER_SHOWN 64

static void render_department(struct strbuf *out, const struct fleet *fleet,
                              const struct fleet_kiosk *k)
{
    strbuf_puts(out, "<td data-label=\"Department\">");
    if (!strcmp(text_or(k->mode, "single"), "picker")) {
        char ids[PICKER_SHOWN][DASH_ID_MAX];
        size_t n = names_split_ids(k->departments, ids, PICKER_SHOWN);
        strbuf_puts(out, "picker: ");
        for (size_t i = 0; i < n; i++) {
            strbuf_puts(out, i ? ", " : "");
            render_department_name(out, fleet, k, ids[i]);
        }
        strbuf_puts(out, n ? "" : "every department");
    } else if (k->department[0]) {
        render_department_name(out, fleet, k, k->department);
    }
    strbuf_puts(out, "</td>");
}

/* The catalog version the kiosk runs against the newest, and the error
 * of one it refused, as it sent it (escaped). */
static void render_catalog(struct strbuf *out, const struct fleet *fleet,
                           const struct fleet_kiosk *k)
{
    strbuf_puts(out, "<td data-label=\"Catalog\" class=\"catalog\">");
    if (k->catalog_version <= 0) {
        strbuf_puts(out, "none yet");
    } else {
        strbuf_puts(out, "v");
        strbuf_int(out, k->catalog_version);
        if (k->catalog_version >= fleet->newest_version) {
            strbuf_puts(out, " (newest)");
        } else {
            strbuf_puts(out, " <strong class=\"behind\">behind: newest v");
            strbuf_int(out, fleet->newest_version);
            strbuf_puts(out, "</strong>");
        }
    }
    if (text_or(k->catalog_error, "")[0]) {
        strbuf_puts(out, "<br><strong>refused a newer catalog:</strong> <span class=\"refused\">");
        html_escape(out, k->catalog_error);
        strbuf_puts(out, "</span>");
    }
    strbuf_puts(out, "</td>");
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The app version most of the fleet's kiosks run (NULL when none says, or
 * out of memory): a kiosk on another one stands out (an old 1.3.2 among
 * 0.2.x, or a rollout's new version while it goes on). */
static const char *usual_version(const struct fleet *fleet)
{
    const char **v = calloc(fleet->n + 1, sizeof *v);
    size_t n = 0, best = 0, run = 0;
    const char *usual = NULL;
    for (size_t i = 0; v && i < fleet->n; i++)
        if (fleet->kiosks[i].app_version && fleet->kiosks[i].app_version[0])
            v[n++] = fleet->kiosks[i].app_version;
    if (v)
        qsort(v, n, sizeof *v, compare_text);
    for (size_t i = 0; i < n; i++) {
        run = i > 0 && !strcmp(v[i], v[i - 1]) ? run + 1 : 1;
        if (run > best)
            best = run, usual = v[i];
    }
    free(v);
    return usual;
}

/* The version cell, tagged when it is not the fleet's usual one. */
static void render_version(struct strbuf *out, const struct fleet_kiosk *k, const char *usual)
{
    strbuf_puts(out, "<td data-label=\"Version\">");
    html_escape(out, text_or(k->app_version, ""));
    if (usual && k->app_version && k->app_version[0] && strcmp(k->app_version, usual)) {
        strbuf_puts(out, " <span class=\"tag version-odd\">most run ");
        html_escape(out, usual);
        strbuf_puts(out, "</span>");
    }
    strbuf_puts(out, "</td>");
}

static void render_row(struct strbuf *out, const struct fleet *fleet, const struct fleet_kiosk *k,
                       int64_t now_ms, int64_t silent_after_ms, const char *usual)
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
    render_text(out, "Site", names_or(&fleet->names, "site", k->site, k->site));
    render_text(out, "Label", k->label);
    render_department(out, fleet, k);
    render_version(out, k, usual);
    render_catalog(out, fleet, k);
    render_time(out, "Last heartbeat", k->last_seen_ms, now_ms);
    render_time(out, "Last successful sync", k->last_success_ms, now_ms);
    strbuf_puts(out, "<td data-label=\"Backlog\" class=\"number\">");
    strbuf_int(out, k->backlog);
    strbuf_puts(out, "</td>");
    render_errors(out, k, now_ms);
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
    "<th scope=\"col\">Catalog</th>"
    "<th scope=\"col\">Last heartbeat</th><th scope=\"col\">Last successful sync</th>"
    "<th scope=\"col\">Backlog</th><th scope=\"col\">Last error</th></tr></thead>\n<tbody>\n";

void fleet_render_table(const struct fleet *fleet, const struct fleet_kiosk *const *rows, size_t n,
                        int64_t now_ms, int64_t silent_after_ms, struct strbuf *out)
{
    strbuf_puts(out, table_head);
    const char *usual = usual_version(fleet);
    for (size_t i = 0; i < n; i++)
        render_row(out, fleet, rows[i], now_ms, silent_after_ms, usual);
    strbuf_puts(out, "</tbody>\n</table></div>\n");
}
