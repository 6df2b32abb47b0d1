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
#include "pages_private.h"
#include "strbuf.h"

static void utc_readable(int64_t utc_ms, char *buf, unsigned size)
{
    char iso[32];
    clock_format_utc(utc_ms, iso, sizeof iso);
    snprintf(buf, size, "%.10s %.8s UTC", iso, iso + 11);
}

/* A time cell: "3 min ago" and, below it, the UTC time (a phone has no
 * hover for a title); "never" for 0. */
static void render_time(struct strbuf *out, const struct page_ctx *ctx, const char *label,
                        int64_t utc_ms)
{
    page_cell_open(out, ctx, "td", label, NULL);
    if (utc_ms == 0) {
        page_text(out, ctx, "never");
        strbuf_puts(out, "</td>");
        return;
    }
    char iso[32], readable[40], age[64];
    clock_format_utc(utc_ms, iso, sizeof iso);
    utc_readable(utc_ms, readable, sizeof readable);
    page_age(ctx, ctx->now_ms - utc_ms, age, sizeof age);
    strbuf_puts(out, "<time datetime=\"");
    strbuf_puts(out, iso);
    strbuf_puts(out, "\" title=\"");
    strbuf_puts(out, readable);
    strbuf_puts(out, "\">");
    html_escape(out, age);
    strbuf_puts(out, "</time> <span class=\"utc\">");
    strbuf_puts(out, readable);
    strbuf_puts(out, "</span></td>");
}

/* A cell of escaped text. */
static void render_text(struct strbuf *out, const struct page_ctx *ctx, const char *label,
                        const char *text)
{
    page_cell_open(out, ctx, "td", label, NULL);
    html_escape(out, text);
    strbuf_puts(out, "</td>");
}

/* The sync's last error, and the kiosk's store failing: since when, how
 * many records wait in its memory (they are in no count yet), what it said. */
static void render_errors(struct strbuf *out, const struct page_ctx *ctx,
                          const struct fleet_kiosk *k)
{
    page_cell_open(out, ctx, "td", N_("Last error"), NULL);
    html_escape(out, k->last_error);
    if ((k->store_error && k->store_error[0]) || k->store_waiting > 0) {
        strbuf_puts(out, k->last_error[0] ? "<br>" : "");
        strbuf_puts(out, "<strong>");
        page_text(out, ctx, "store failing");
        strbuf_puts(out, "</strong>");
        if (k->store_error_since_ms > 0) {
            char age[64];
            page_age(ctx, ctx->now_ms - k->store_error_since_ms, age, sizeof age);
            strbuf_puts(out, " ");
            page_textf(out, ctx, "since %s", age);
        }
        char count[48];
        page_int_text(ctx, k->store_waiting, count, sizeof count);
        strbuf_puts(out, ", ");
        if (k->store_waiting == 1)
            page_textf(out, ctx, "%s record waiting in its memory", count);
        else
            page_textf(out, ctx, "%s records waiting in its memory", count);
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
static void render_department_name(struct strbuf *out, const struct page_ctx *ctx,
                                   const struct fleet *fleet, const struct fleet_kiosk *k,
                                   const char *id)
{
    const char *name = names_find(&fleet->names, "department", id);
    if (name) {
        html_escape(out, name);
    } else if (names_has_departments(&fleet->names)) {
        strbuf_puts(out, "<strong class=\"unknown\">");
        page_textf(out, ctx, "unknown department %s (kiosk %s)", id, k->kiosk_id);
        strbuf_puts(out, "</strong>");
    } else {
        html_escape(out, id);
    }
}

/* Most departments a picker's cell lists (its heartbeat is the kiosk's
 * to write). */
#define PICKER_SHOWN 64

static void render_department(struct strbuf *out, const struct page_ctx *ctx,
                              const struct fleet *fleet, const struct fleet_kiosk *k)
{
    page_cell_open(out, ctx, "td", N_("Department"), NULL);
    if (!strcmp(text_or(k->mode, "single"), "picker")) {
        char ids[PICKER_SHOWN][DASH_ID_MAX];
        size_t n = names_split_ids(k->departments, ids, PICKER_SHOWN);
        page_text(out, ctx, "picker:");
        strbuf_puts(out, " ");
        for (size_t i = 0; i < n; i++) {
            strbuf_puts(out, i ? ", " : "");
            render_department_name(out, ctx, fleet, k, ids[i]);
        }
        if (!n)
            page_text(out, ctx, "every department");
    } else if (k->department[0]) {
        render_department_name(out, ctx, fleet, k, k->department);
    }
    strbuf_puts(out, "</td>");
}

/* The catalog version the kiosk runs against the newest, and the error
 * of one it refused, as it sent it (escaped). */
static void render_catalog(struct strbuf *out, const struct page_ctx *ctx,
                           const struct fleet *fleet, const struct fleet_kiosk *k)
{
    page_cell_open(out, ctx, "td", N_("Catalog"), " class=\"catalog\"");
    if (k->catalog_version <= 0) {
        page_text(out, ctx, "none yet");
    } else {
        strbuf_puts(out, "v");
        strbuf_int(out, k->catalog_version);
        strbuf_puts(out, " ");
        if (k->catalog_version >= fleet->newest_version) {
            page_text(out, ctx, "(newest)");
        } else {
            strbuf_puts(out, "<strong class=\"behind\">");
            page_textf(out, ctx, "behind: newest v%lld", (long long)fleet->newest_version);
            strbuf_puts(out, "</strong>");
        }
    }
    if (text_or(k->catalog_error, "")[0]) {
        strbuf_puts(out, "<br><strong>");
        page_text(out, ctx, "refused a newer catalog:");
        strbuf_puts(out, "</strong> <span class=\"refused\">");
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

/* An update report's word, in the viewer's language. */
static const char *update_state_msgid(const char *state)
{
    static const char *const words[][2] = {{"downloading", N_("downloading")},
                                           {"downloaded", N_("downloaded")},
                                           {"installing", N_("installing")},
                                           {"installed", N_("installed, waiting to restart")},
                                           {"trying", N_("trying")},
                                           {"good", N_("kept")},
                                           {"failed", N_("failed its self-test")},
                                           {"fallback", N_("fell back")},
                                           {"refused", N_("refused the download")}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(state, words[i][0]))
            return words[i][1];
    return NULL;
}

/* The kiosk's update report, after its version: "to 1.4.0: installing". */
static void render_update(struct strbuf *out, const struct page_ctx *ctx,
                          const struct fleet_kiosk *k)
{
    const char *state = text_or(k->update_state, ""), *version = text_or(k->update_version, "");
    const char *word = update_state_msgid(state);
    if (!state[0] || !version[0] || (!strcmp(state, "good") && !strcmp(version, k->app_version)))
        return;
    bool bad = !strcmp(state, "failed") || !strcmp(state, "fallback") || !strcmp(state, "refused");
    strbuf_puts(out, bad ? " <span class=\"tag update-failed\">" : " <span class=\"tag update\">");
    page_textf(out, ctx, "update to %s:", version);
    strbuf_puts(out, " ");
    if (word)
        page_text(out, ctx, word);
    else
        html_escape(out, state); /* a newer kiosk's word: shown as it came */
    strbuf_puts(out, "</span>");
    const char *why = text_or(k->update_error, "");
    if (bad && why[0]) { /* the kiosk's own words: which check failed, what it refused */
        strbuf_puts(out, " <span class=\"update-error\">");
        html_escape(out, why);
        strbuf_puts(out, "</span>");
    }
}

/* The version cell, tagged when it is not the fleet's usual one. */
static void render_version(struct strbuf *out, const struct page_ctx *ctx,
                           const struct fleet_kiosk *k, const char *usual)
{
    page_cell_open(out, ctx, "td", N_("Version"), NULL);
    html_escape(out, text_or(k->app_version, ""));
    if (usual && k->app_version && k->app_version[0] && strcmp(k->app_version, usual)) {
        strbuf_puts(out, " <span class=\"tag version-odd\">");
        page_textf(out, ctx, "most run %s", usual);
        strbuf_puts(out, "</span>");
    }
    render_update(out, ctx, k);
    if (k->slot && k->slot[0]) { /* the A/B slot it booted, whether or not an update goes on */
        strbuf_puts(out, " <span class=\"quiet slot\">");
        page_textf(out, ctx, "slot %s", k->slot);
        strbuf_puts(out, "</span>");
    }
    strbuf_puts(out, "</td>");
}

/* The status cell's words: silent, error, backlog, or ok. */
static void render_status(struct strbuf *out, const struct page_ctx *ctx, bool silent, bool error,
                          bool backlog)
{
    page_cell_open(out, ctx, "td", N_("Status"), " class=\"status\"");
    if (silent) {
        strbuf_puts(out, "<strong>");
        page_text(out, ctx, "silent");
        strbuf_puts(out, "</strong>");
    } else if (!error && !backlog) {
        page_text(out, ctx, "ok");
    }
    if (error) {
        strbuf_puts(out, " <strong>");
        page_text(out, ctx, "error");
        strbuf_puts(out, "</strong>");
    }
    if (backlog) {
        strbuf_puts(out, " <strong>");
        page_text(out, ctx, "backlog");
        strbuf_puts(out, "</strong>");
    }
    strbuf_puts(out, "</td>");
}

static void render_row(struct strbuf *out, const struct page_ctx *ctx, const struct fleet *fleet,
                       const struct fleet_kiosk *k, int64_t silent_after_ms, const char *usual)
{
    bool silent = fleet_kiosk_silent(k, ctx->now_ms, silent_after_ms);
    bool error = fleet_kiosk_has_error(k);
    bool backlog = k->backlog >= FLEET_BACKLOG_PROBLEM;
    strbuf_puts(out, "<tr class=\"kiosk");
    strbuf_puts(out, silent ? " silent" : "");
    strbuf_puts(out, error ? " error" : "");
    strbuf_puts(out, "\">");
    render_status(out, ctx, silent, error, backlog);
    strbuf_puts(out, "<th scope=\"row\" data-label=\"");
    page_text(out, ctx, "Kiosk");
    strbuf_puts(out, "\">");
    html_escape(out, k->kiosk_id);
    strbuf_puts(out, "</th>");
    render_text(out, ctx, N_("Site"), names_or(&fleet->names, "site", k->site, k->site));
    render_text(out, ctx, N_("Label"), k->label);
    render_department(out, ctx, fleet, k);
    render_version(out, ctx, k, usual);
    render_catalog(out, ctx, fleet, k);
    render_time(out, ctx, N_("Last heartbeat"), k->last_seen_ms);
    render_time(out, ctx, N_("Last successful sync"), k->last_success_ms);
    page_cell_open(out, ctx, "td", N_("Backlog"), " class=\"number\"");
    page_put_int(out, ctx, k->backlog);
    strbuf_puts(out, "</td>");
    render_errors(out, ctx, k);
    strbuf_puts(out, "</tr>\n");
}

void fleet_render_summary(const struct page_ctx *ctx, const struct fleet_summary *summary,
                          int64_t silent_after_ms, struct strbuf *out)
{
    char after[64], now[40], rows[48];
    size_t n = summary->n;
    strbuf_puts(out, "<p class=\"summary\">");
    if (n == 1)
        page_textf(out, ctx, "%zu kiosk, %zu silent, %zu with errors", n, summary->silent,
                   summary->errors);
    else
        page_textf(out, ctx, "%zu kiosks, %zu silent, %zu with errors", n, summary->silent,
                   summary->errors);
    if (summary->backlogged) {
        strbuf_puts(out, ", ");
        page_textf(out, ctx, "%zu with a backlog", summary->backlogged);
    }
    page_duration(ctx, silent_after_ms, after, sizeof after);
    utc_readable(ctx->now_ms, now, sizeof now);
    page_int_text(ctx, FLEET_BACKLOG_PROBLEM, rows, sizeof rows);
    strbuf_puts(out, "</p>\n<p class=\"note\">");
    page_textf(out, ctx,
               "Silent: no heartbeat for more than %s, or never seen. Backlog: %s rows or more "
               "waiting on the kiosk. As of %s.",
               after, rows, now);
    strbuf_puts(out, "</p>\n");
}

/* One button of the rollout's form. */
static void rollout_button(struct strbuf *out, const struct page_ctx *ctx, const char *action,
                           const char *label)
{
    strbuf_puts(out, "<button type=\"submit\" name=\"action\" value=\"");
    strbuf_puts(out, action);
    strbuf_puts(out, "\">");
    page_text(out, ctx, label);
    strbuf_puts(out, "</button>");
}

/* The actions on a rollout under way (POST /fleet/rollout) of a user who
 * may roll out, with an optional note; the stages' rules are checked
 * again when it acts. */
static void render_rollout_actions(const struct page_ctx *ctx, const struct fleet_rollout *r,
                                   struct strbuf *out)
{
    bool canary = r->stage == ROLLOUT_CANARY, fleet = r->stage == ROLLOUT_FLEET;
    if (!ctx->user || !ctx->user->may_roll_out || (!canary && !fleet && r->stage != ROLLOUT_PAUSED))
        return;
    strbuf_puts(out, "<form method=\"post\" action=\"/fleet/rollout\" class=\"rollout-act\">");
    page_csrf_field(out, ctx);
    strbuf_puts(out, "<label>");
    page_text(out, ctx, N_("Note (optional)"));
    strbuf_puts(out, " <input type=\"text\" name=\"note\" maxlength=\"300\"></label> ");
    if (canary)
        rollout_button(out, ctx, "promote", N_("Promote to the whole fleet"));
    if (canary || fleet)
        rollout_button(out, ctx, "pause", N_("Pause"));
    else
        rollout_button(out, ctx, "resume", N_("Resume"));
    rollout_button(out, ctx, "stop", N_("Stop"));
    strbuf_puts(out, "</form>\n");
}

/* The start of a rollout when none is under way, for a user who may roll
 * out: a published bundle never rolled out, and its canary kiosks (POST
 * /fleet/rollout/start). */
static void render_rollout_start(const struct page_ctx *ctx, const struct fleet_rollout *r,
                                 struct strbuf *out)
{
    bool under_way = r->found && (r->stage == ROLLOUT_CANARY || r->stage == ROLLOUT_FLEET ||
                                  r->stage == ROLLOUT_PAUSED);
    if (!ctx->user || !ctx->user->may_roll_out || under_way || r->startable_n == 0)
        return;
    strbuf_puts(out, "<form method=\"post\" action=\"/fleet/rollout/start\" "
                     "class=\"rollout-act rollout-start\">");
    page_csrf_field(out, ctx);
    strbuf_puts(out, "<label>");
    page_text(out, ctx, N_("System update"));
    strbuf_puts(out, " <select name=\"version\">");
    for (int i = 0; i < r->startable_n; i++) {
        strbuf_puts(out, "<option>");
        html_escape(out, r->startable[i]);
        strbuf_puts(out, "</option>");
    }
    strbuf_puts(out, "</select></label> <label>");
    page_text(out, ctx, N_("Canary kiosks"));
    strbuf_puts(out, " <input type=\"text\" name=\"canary\" required "
                     "placeholder=\"desk-1,desk-7\"></label> ");
    rollout_button(out, ctx, "start", N_("Start with the canary"));
    strbuf_puts(out, "</form>\n");
}

/* The rollout's note, escaped: in the reader's language when the
 * dashboard wrote it by itself (rollout.h's notes, stored in English),
 * as written otherwise. */
static void render_note(const struct page_ctx *ctx, const struct fleet_rollout *r,
                        struct strbuf *out)
{
    char kiosk[64], version[64], state[32];
    if (strcmp(r->changed_by, ROLLOUT_BY_ITSELF) != 0)
        html_escape(out, r->note);
    else if (strcmp(r->note, ROLLOUT_NOTE_DONE) == 0)
        page_text(out, ctx, N_("every kiosk runs it"));
    else if (rollout_note_paused_parse(r->note, kiosk, sizeof kiosk, version, sizeof version, state,
                                       sizeof state)) {
        const char *word = update_state_msgid(state); /* the tag's own words */
        page_textf(out, ctx, "Paused by itself: kiosk %s reports %s %s", kiosk, version,
                   word ? page_tr(ctx, word) : state);
    } else
        html_escape(out, r->note);
}

void fleet_render_rollout(const struct page_ctx *ctx, const struct fleet_rollout *rollout,
                          struct strbuf *out)
{
    static const char *const stages[] = {[ROLLOUT_CANARY] = N_("canary kiosks"),
                                         [ROLLOUT_FLEET] = N_("the whole fleet"),
                                         [ROLLOUT_PAUSED] = N_("paused"),
                                         [ROLLOUT_DONE] = N_("done"),
                                         [ROLLOUT_STOPPED] = N_("stopped")};
    render_rollout_start(ctx, rollout, out);
    if (!rollout->found)
        return;
    const struct rollout_progress *p = &rollout->progress;
    bool paused = rollout->stage == ROLLOUT_PAUSED;
    strbuf_puts(out, paused ? "<section class=\"rollout paused\">" : "<section class=\"rollout\">");
    strbuf_puts(out, "<h2>");
    page_textf(out, ctx, "Update %s", rollout->version);
    strbuf_puts(out, ": ");
    page_text(out, ctx, stages[rollout->stage]);
    if (paused) {
        strbuf_puts(out, " (");
        page_text(out, ctx, stages[rollout->paused_from]);
        strbuf_puts(out, ")");
    }
    strbuf_puts(out, "</h2>\n<p class=\"summary\">");
    if (rollout->stage != ROLLOUT_DONE && rollout->stage != ROLLOUT_STOPPED) {
        /* an ended rollout has no stage to count in */
        page_textf(out, ctx, "%d of %d kiosks in this stage run it, %d on their way, %d failed.",
                   p->updated, p->targets, p->underway, p->failed);
        strbuf_puts(out, " ");
    }
    page_textf(out, ctx, "%d kiosks of the fleet are on another version.", p->old);
    strbuf_puts(out, "</p>\n");
    /* what changed it last: the note, when, and who */
    strbuf_puts(out, "<p class=\"note\">");
    if (rollout->note[0]) {
        render_note(ctx, rollout, out);
        strbuf_puts(out, " \xe2\x80\x94 ");
    }
    page_put_local_time(out, ctx, rollout->changed_ms);
    /* the dashboard's own pause or end says so in its note */
    if (rollout->changed_by[0] && strcmp(rollout->changed_by, ROLLOUT_BY_ITSELF) != 0) {
        strbuf_puts(out, " ");
        page_textf(out, ctx, "changed by %s", rollout->changed_by);
    }
    strbuf_puts(out, "</p>\n");
    render_rollout_actions(ctx, rollout, out);
    strbuf_puts(out, "</section>\n");
}

void fleet_render_table(const struct page_ctx *ctx, const struct fleet *fleet,
                        const struct fleet_kiosk *const *rows, size_t n, int64_t silent_after_ms,
                        struct strbuf *out)
{
    static const char *const columns[] = {
        N_("Status"),  N_("Kiosk"),          N_("Site"),
        N_("Label"),   N_("Department"),     N_("Version"),
        N_("Catalog"), N_("Last heartbeat"), N_("Last successful sync"),
        N_("Backlog"), N_("Last error")};
    strbuf_puts(out, "<div class=\"scroll\"><table class=\"fleet\">\n<thead><tr>");
    for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
        strbuf_puts(out, "<th scope=\"col\">");
        page_text(out, ctx, columns[i]);
        strbuf_puts(out, "</th>");
    }
    strbuf_puts(out, "</tr></thead>\n<tbody>\n");
    const char *usual = usual_version(fleet);
    for (size_t i = 0; i < n; i++)
        render_row(out, ctx, fleet, rows[i], silent_after_ms, usual);
    strbuf_puts(out, "</tbody>\n</table></div>\n");
}
