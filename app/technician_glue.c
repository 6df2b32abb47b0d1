/*
 * technician_glue: connects the technician machine (app/core/technician.c)
 * to the running kiosk: presses and targets in, the lock and the
 * department choice kept in the state directory, the status rows composed
 * from the store, the sync thread, the network and the start-up checks, and
 * the requests (sync now, restart, switch department) carried out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "file.h"
#include "net.h"
#include "paths.h"
#include "session.h"
#include "store.h"
#include "sync.h"
#include "tz.h"

#define DAY_MS (24 * 60 * 60 * 1000LL)

/* The lock file: "failures locked_until_utc_ms\n".  A missing file is no
 * lock; an unreadable or garbled one is logged and counts as a lock of the
 * longest kind, so breaking the file does not open the pad. */
static struct technician_lock lock_load(struct clock_now now)
{
    struct technician_lock lock = {0};
    char path[PATH_MAX];
    if (!paths_state_file("technician-lock", path, sizeof path))
        return lock;
    int err_no = 0;
    char *text = file_read_text(path, &err_no);
    if (text == NULL) {
        if (err_no != ENOENT)
            log_warn("technician: cannot read %s: %s", path, strerror(err_no));
        return lock;
    }
    char *end;
    errno = 0;
    long long failures = strtoll(text, &end, 10);
    bool ok = end != text && *end == ' ';
    const char *rest = end;
    long long until = ok ? strtoll(rest, &end, 10) : 0;
    ok = ok && end != rest && (*end == '\n' || *end == '\0') && errno == 0;
    if (!ok || failures < 0 || failures > 1000000) {
        log_warn("technician: %s: expected \"FAILURES LOCKED_UNTIL_MS\"; locking the PIN pad "
                 "for the longest time",
                 path);
        lock = (struct technician_lock){TECHNICIAN_FREE_TRIES, now.utc_ms + TECHNICIAN_LOCK_MAX_MS};
    } else {
        lock = (struct technician_lock){(int)failures, until};
    }
    free(text);
    return lock;
}

static void lock_save(struct technician_lock lock)
{
    char path[PATH_MAX], text[64];
    int err_no = 0;
    if (!paths_state_file("technician-lock", path, sizeof path))
        return;
    snprintf(text, sizeof text, "%d %" PRId64 "\n", lock.failures, lock.locked_until_utc_ms);
    if (!file_write_text(path, text, &err_no))
        log_error("technician: cannot keep the PIN lock in %s: %s", path, strerror(err_no));
}

bool app_technician_create(struct app *app)
{
    struct clock_now now = clock_read(&app->clock);
    app->technician = technician_create(app->config.technician_pin_hash, lock_load(now));
    app->technician_ui.department =
        app->config.mode == CONFIG_MODE_SINGLE ? app->config.department : -1;
    return app->technician != NULL;
}

/* Writes the department choice as the third config layer, or removes it
 * (department -1: as the config files say).  True when it is in place. */
static bool save_department_choice(const struct config *config, int department)
{
    char path[PATH_MAX], text[CONFIG_ID_MAX + 160];
    int err_no = 0;
    if (!paths_state_file(APP_TECHNICIAN_CONF, path, sizeof path))
        return false;
    if (department < 0) {
        if (remove(path) != 0 && errno != ENOENT) {
            log_error("technician: cannot remove %s: %s", path, strerror(errno));
            return false;
        }
        log_info("technician: department back to the configured one (%s removed)", path);
        return true;
    }
    snprintf(text, sizeof text,
             "# Written by the technician screen; delete to use the config files.\n"
             "[kiosk]\nmode = single\ndepartment = %s\n",
             config->departments[department].id);
    if (!file_write_text(path, text, &err_no)) {
        log_error("technician: cannot write %s: %s", path, strerror(err_no));
        return false;
    }
    log_info("technician: department set to %s in %s", config->departments[department].id, path);
    return true;
}

static void carry_out(struct app *app, const struct technician_actions *a)
{
    switch (a->request) {
    case TECHNICIAN_REQUEST_SYNC_NOW:
        log_info("technician: sync now");
        if (app->sync != NULL)
            sync_thread_request(app->sync);
        break;
    case TECHNICIAN_REQUEST_SET_DEPARTMENT:
        if (a->department >= app->config.department_count)
            break;
        if (save_department_choice(&app->config, a->department))
            app->restart = true;
        break;
    case TECHNICIAN_REQUEST_RESTART:
        log_info("technician: restart requested");
        app->restart = true;
        break;
    case TECHNICIAN_REQUEST_NONE:
        break;
    }
    if (a->lock_changed)
        lock_save(technician_lock(app->technician));
}

/* The technician event for a target of its screens. */
static bool target_event(const struct ui_target *t, struct technician_event *ev)
{
    switch (t->kind) {
    case UI_TARGET_PIN_DIGIT:
        *ev = (struct technician_event){.type = TECHNICIAN_EVENT_DIGIT, .arg = t->index};
        return true;
    case UI_TARGET_PIN_DELETE:
        *ev = (struct technician_event){.type = TECHNICIAN_EVENT_DELETE};
        return true;
    case UI_TARGET_PIN_ENTER:
        *ev = (struct technician_event){.type = TECHNICIAN_EVENT_ENTER};
        return true;
    case UI_TARGET_TECH_CANCEL:
        *ev = (struct technician_event){.type = TECHNICIAN_EVENT_CANCEL};
        return true;
    case UI_TARGET_TECH_ITEM:
        *ev = (struct technician_event){.type = TECHNICIAN_EVENT_ITEM, .arg = t->index};
        return true;
    case UI_TARGET_TECH_DEPARTMENT:
        *ev = (struct technician_event){.type = TECHNICIAN_EVENT_DEPARTMENT, .arg = t->index};
        return true;
    default:
        return false;
    }
}

static const char *screen_name(enum technician_screen screen)
{
    static const char *const names[] = {
        [TECHNICIAN_HIDDEN] = "closed",
        [TECHNICIAN_PIN] = "PIN pad",
        [TECHNICIAN_MENU] = "menu",
        [TECHNICIAN_TOUCH_TEST] = "touch test",
        [TECHNICIAN_PATTERN] = "test pattern",
        [TECHNICIAN_DEPARTMENTS] = "departments",
    };
    return names[screen];
}

/* One journal line per thing a technician (or an intruder) did: the
 * screens opened, wrong PINs and locks.  Never the PIN. */
static void log_change(const struct technician_view *was, const struct technician_view *is)
{
    if (is->failures > was->failures) {
        if (is->locked_for_ms > 0)
            log_warn("technician: wrong PIN (%d in a row); PIN pad locked for %lld s", is->failures,
                     (long long)((is->locked_for_ms + 999) / 1000));
        else
            log_warn("technician: wrong PIN (%d in a row)", is->failures);
    }
    if (was->screen == TECHNICIAN_PIN && is->screen == TECHNICIAN_MENU)
        log_info("technician: PIN accepted");
    if (was->screen != is->screen)
        log_info("technician: %s", screen_name(is->screen));
}

bool app_technician_input(struct app *app, bool down, int x, int y, struct clock_now now,
                          bool *redraw)
{
    if (app->technician == NULL)
        return false;
    struct technician_event ev = {.type = down ? TECHNICIAN_EVENT_PRESS : TECHNICIAN_EVENT_RELEASE,
                                  .x = x,
                                  .y = y,
                                  .w = app->frame->w,
                                  .h = app->frame->h};
    const struct ui_target *t = ui_hit(app->frame, x, y);
    if (down && technician_active(app->technician) && t != NULL)
        target_event(t, &ev);
    struct technician_view was = technician_view(app->technician, now);
    struct technician_actions a = technician_handle(app->technician, ev, now);
    struct technician_view is = technician_view(app->technician, now);
    log_change(&was, &is);
    if (is.screen == TECHNICIAN_TOUCH_TEST && is.touch_count > 0 &&
        (was.touch_count != is.touch_count || was.screen != is.screen))
        log_info("technician: touch at %d,%d", is.touch[is.touch_count - 1].x,
                 is.touch[is.touch_count - 1].y);
    carry_out(app, &a);
    *redraw |= a.redraw;
    return a.consumed || technician_active(app->technician);
}

bool app_technician_tick(struct app *app, struct clock_now now)
{
    if (app->technician == NULL || !technician_active(app->technician))
        return false;
    struct technician_view was = technician_view(app->technician, now);
    struct technician_actions a = technician_handle(
        app->technician, (struct technician_event){.type = TECHNICIAN_EVENT_TICK}, now);
    struct technician_view is = technician_view(app->technician, now);
    log_change(&was, &is);
    return a.redraw;
}

/* ---- the status rows ---- */

static void row(struct ui_technician *t, const char *label, bool warn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void row(struct ui_technician *t, const char *label, bool warn, const char *fmt, ...)
{
    if (t->row_count >= UI_INFO_ROWS)
        return;
    struct ui_info_row *r = &t->rows[t->row_count++];
    snprintf(r->label, sizeof r->label, "%s", label);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->value, sizeof r->value, fmt, ap);
    va_end(ap);
    r->warn = warn;
}

static void format_duration(int64_t s, char *buf, size_t size)
{
    if (s >= 86400)
        snprintf(buf, size, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        snprintf(buf, size, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(buf, size, "%lld min %lld s", (long long)(s / 60), (long long)(s % 60));
}

/* Taps since local midnight in the kiosk's zone. */
static void row_today(struct app *app, struct clock_now now)
{
    struct store *store = app->session != NULL ? session_store(app->session) : NULL;
    if (store == NULL) {
        row(&app->technician_ui, "Today", true, "the store is not open");
        return;
    }
    struct tz_local local = tz_to_local(app->tz, now.utc_ms);
    int64_t local_ms = now.utc_ms + (int64_t)local.utc_offset_s * 1000;
    int64_t midnight_utc =
        local_ms - ((local_ms % DAY_MS) + DAY_MS) % DAY_MS - (int64_t)local.utc_offset_s * 1000;
    int64_t n[5], misuse;
    if (store_count_taps(store, midnight_utc, n, &misuse) != 0) {
        row(&app->technician_ui, "Today", true, "cannot read the counts (see the journal)");
        return;
    }
    row(&app->technician_ui, "Today", false,
        "%lld taps: WOW %lld, happy %lld, unhappy %lld, very unhappy %lld; %lld misuse",
        (long long)(n[1] + n[2] + n[3] + n[4]), (long long)n[4], (long long)n[3], (long long)n[2],
        (long long)n[1], (long long)misuse);
}

static void row_sync(struct app *app)
{
    struct ui_technician *t = &app->technician_ui;
    struct sync_status s;
    if (app->sync == NULL || !sync_thread_status(app->sync, &s)) {
        row(t, "Sync", false, "off: counts stay on this kiosk");
        return;
    }
    bool failing = s.state == SYNC_STATE_FAILING;
    if (failing)
        row(t, "Sync", true, "%s failing (%d in a row): %s", s.backend, s.consecutive_failures,
            s.last_error);
    else
        row(t, "Sync", false, "%s %s", s.backend, sync_state_name(s.state));
    char when[32] = "never";
    if (s.last_success_utc_ms != 0)
        clock_format_utc(s.last_success_utc_ms, when, sizeof when);
    row(t, "Last sync", s.backlog > 0 && failing, "%s, backlog %lld rows", when,
        (long long)s.backlog);
}

static void row_store(struct app *app)
{
    int waiting = app->session != NULL ? session_pending(app->session) : 0;
    struct store *store = app->session != NULL ? session_store(app->session) : NULL;
    if (store == NULL)
        row(&app->technician_ui, "Store", true, "NOT OPEN (%s); %d records wait in memory",
            app->store_path, waiting);
    else
        row(&app->technician_ui, "Store", waiting > 0, "ok, %s, %d waiting", store_path(store),
            waiting);
}

static void fill_rows(struct app *app, struct clock_now now)
{
    struct ui_technician *t = &app->technician_ui;
    const struct config *c = &app->config;
    t->row_count = 0;
    row(t, "Kiosk", false, "%s%s%s%s, %s", c->kiosk_id, c->label[0] ? " (" : "", c->label,
        c->label[0] ? ")" : "", c->site[0] ? c->site : "no site");
    if (c->mode == CONFIG_MODE_PICKER)
        row(t, "Department", false, "picker: customers choose among %d", c->department_count);
    else
        row(t, "Department", false, "%s (%s)%s", c->departments[c->department].name.lang[0],
            c->departments[c->department].id,
            app->department_overridden ? ", set on this kiosk" : "");
    char address[96];
    net_primary_address(address, sizeof address);
    row(t, "Version", false, "wowkiosk %s", WOW_VERSION);
    row(t, "Config", app->department_overridden, "%s", app->config_files);
    row(t, "Network", strcmp(address, "no network") == 0, "%s", address);
    row_today(app, now);
    row_sync(app);
    row_store(app);
    row(t, "Checks", app->problem[0] != '\0', "%s",
        app->problem[0] ? app->problem : "start-up checks passed");
    char program[32], system[32];
    format_duration(net_seconds_since_start(app->start_mono_ms), program, sizeof program);
    format_duration(net_seconds_since_boot(), system, sizeof system);
    row(t, "Uptime", false, "%s (program), %s (system)", program, system);
}

const struct ui_technician *app_technician_ui(struct app *app, struct clock_now now)
{
    if (app->technician == NULL || !technician_active(app->technician))
        return NULL;
    app->technician_view = technician_view(app->technician, now);
    app->technician_ui.view = &app->technician_view;
    if (app->technician_view.screen == TECHNICIAN_MENU)
        fill_rows(app, now);
    return &app->technician_ui;
}

const struct ui_target *app_technician_find(const struct app *app, const char *name)
{
    static const char *const items[] = {"sync",       "touch",   "pattern",
                                        "department", "restart", "close"};
    const struct ui_frame *f = app->frame;
    if (strncmp(name, "pin:", 4) == 0) {
        const char *key = name + 4;
        if (strcmp(key, "ok") == 0)
            return ui_find(f, UI_TARGET_PIN_ENTER, 0);
        if (strcmp(key, "delete") == 0)
            return ui_find(f, UI_TARGET_PIN_DELETE, 0);
        return ui_find(f, UI_TARGET_PIN_DIGIT, key[0] - '0');
    }
    if (strncmp(name, "tech-department:", 16) == 0) {
        const char *id = name + 16;
        int index = -1;
        if (strcmp(id, "configured") != 0 && (index = config_find_department(&app->config, id)) < 0)
            return NULL;
        return ui_find(f, UI_TARGET_TECH_DEPARTMENT, index);
    }
    const char *item = name + 5; /* "tech:" */
    if (strcmp(item, "back") == 0)
        return ui_find(f, UI_TARGET_TECH_CANCEL, 0);
    for (int i = 0; i < (int)(sizeof items / sizeof items[0]); i++)
        if (strcmp(item, items[i]) == 0)
            return ui_find(f, UI_TARGET_TECH_ITEM, i);
    return NULL;
}
