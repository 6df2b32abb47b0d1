/*
 * wowkiosk: the customer-feedback kiosk.
 *
 * main() reads as: parse the command line -> load the config (or show why
 * it cannot) -> open the store through a session -> create the state
 * machine and the display -> run the loop -> tear down in reverse.
 *
 * The loop sleeps in display_wait() until input or the next deadline (a
 * time-out of the state machine, a script step, a store retry, an opening
 * hours change) and draws only when the view changed.  A face tap is drawn
 * (the acknowledging frame) before its record goes to the store, and the
 * next screen cannot appear before ack_ms, so a tap is committed before the
 * customer is thanked.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "clock.h"
#include "config.h"
#include "display.h"
#include "file.h"
#include "i18n.h"
#include "kiosk.h"
#include "log.h"
#include "notify.h"
#include "paths.h"
#include "script.h"
#include "session.h"
#include "store.h"
#include "sync.h"
#include "tz.h"
#include "ui.h"

#ifndef WOW_ASSETS_DIR
#define WOW_ASSETS_DIR "/usr/share/wowkiosk"
#endif

/* How long a kiosk that fell back on its last good config shows the errors
 * of the new one before it starts collecting: long enough for the
 * technician who just rebooted it to read them. */
#define CONFIG_ERROR_SHOW_MS 60000

/* The technician PIN of the development defaults (no --config): 0000.  A
 * config file without [technician] pin_hash has no PIN at all. */
#define DEV_PIN_HASH                                                                               \
    "$argon2id$v=19$m=65536,t=2,p=1$Vwpck+QHryKfD+V2g41jYQ$"                                       \
    "SqHhm2iqH1ph6YewyRzZUzkHvEFsaEkiaQU3CtNwnvY"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wowkiosk [options]\n"
            "  --config FILE        kiosk configuration (INI); none: development defaults\n"
            "  --override FILE      read FILE key by key over --config (default %s\n"
            "                       when it exists; none: no override)\n"
            "  --check-config FILE  check FILE, print every error as FILE:LINE: key: message\n"
            "  --windowed WxH       a window instead of fullscreen (development; Escape quits)\n"
            "  --script FILE        feed timed input (see docs/CONFIG.md, \"Scripts\")\n"
            "  --screenshot DIR     write every changed frame to DIR as PNG\n"
            "  --clock-start UTC    run the wall clock from UTC (YYYY-MM-DDTHH:MM[:SS]Z)\n"
            "  --store PATH         the local database (overrides [store] path)\n"
            "  --sync TARGET        where counts go (overrides [sync] target; off: nowhere)\n"
            "  --assets DIR         fonts and catalogs (default %s)\n"
            "  --trace-latency      log input-to-frame latency of every input\n"
            "  --verbose            log debug lines\n"
            "  --self-test          check config, store, devices and display; exit 0 if the\n"
            "                       kiosk can serve (for an update system marking a slot good)\n"
            "  --hash-pin           read a technician PIN on stdin, print its pin_hash line\n"
            "  --version, --help\n",
            APP_BOOT_OVERRIDE, WOW_ASSETS_DIR);
}

static bool parse_size(const char *text, int *w, int *h)
{
    char *end;
    long lw = strtol(text, &end, 10);
    if (end == text || *end != 'x')
        return false;
    const char *rest = end + 1;
    long lh = strtol(rest, &end, 10);
    if (end == rest || *end != '\0' || lw < 64 || lh < 64 || lw > 8192 || lh > 8192)
        return false;
    *w = (int)lw;
    *h = (int)lh;
    return true;
}

/* Returns 0 to go on, 1 to exit successfully, -1 on a usage error. */
static int parse_options(struct options *o, int argc, char **argv)
{
    *o = (struct options){.assets_dir = WOW_ASSETS_DIR, .log_level = LOG_INFO, .argv = argv};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        const char **target = NULL;
        if (strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(arg, "--version") == 0) {
            printf("wowkiosk %s\n", WOW_VERSION);
            return 1;
        } else if (strcmp(arg, "--trace-latency") == 0) {
            o->trace_latency = true;
            continue;
        } else if (strcmp(arg, "--verbose") == 0) {
            o->log_level = LOG_DEBUG;
            continue;
        } else if (strcmp(arg, "--self-test") == 0) {
            o->self_test = true;
            continue;
        } else if (strcmp(arg, "--hash-pin") == 0) {
            o->hash_pin = true;
            continue;
        } else if (strcmp(arg, "--override") == 0) {
            target = &o->override_path;
        } else if (strcmp(arg, "--config") == 0) {
            target = &o->config_path;
        } else if (strcmp(arg, "--check-config") == 0) {
            target = &o->check_config_path;
        } else if (strcmp(arg, "--script") == 0) {
            target = &o->script_path;
        } else if (strcmp(arg, "--screenshot") == 0) {
            target = &o->screenshot_dir;
        } else if (strcmp(arg, "--assets") == 0) {
            target = &o->assets_dir;
        } else if (strcmp(arg, "--store") == 0) {
            target = &o->store_path;
        } else if (strcmp(arg, "--sync") == 0) {
            target = &o->sync_target;
        } else if (strcmp(arg, "--windowed") == 0) {
            if (value == NULL || !parse_size(value, &o->width, &o->height)) {
                fprintf(stderr, "wowkiosk: --windowed: expected WxH (e.g. 800x480)\n");
                return -1;
            }
            o->windowed = true;
            i++;
            continue;
        } else if (strcmp(arg, "--clock-start") == 0) {
            if (value == NULL || !clock_parse_utc(value, &o->clock_start_utc_ms)) {
                fprintf(stderr, "wowkiosk: --clock-start: expected YYYY-MM-DDTHH:MM[:SS]Z\n");
                return -1;
            }
            i++;
            continue;
        } else {
            fprintf(stderr, "wowkiosk: unknown option %s\n", arg);
            usage(stderr);
            return -1;
        }
        if (value == NULL) {
            fprintf(stderr, "wowkiosk: %s needs a value\n", arg);
            return -1;
        }
        *target = value;
        i++;
    }
    return 0;
}

static void print_config_errors(const struct config_errors *errors)
{
    char line[1024];
    for (int i = 0; i < errors->count; i++) {
        config_error_format(&errors->error[i], line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    if (errors->total > errors->count)
        fprintf(stderr, "... and %d more errors\n", errors->total - errors->count);
}

/* --check-config FILE [--override FILE2]: the technician's validator, of
 * one file or of a file and its override read key by key.  Exit 0 or 1. */
static int check_config(const char *path, const char *override)
{
    struct config *config = malloc(sizeof *config);
    struct config_errors *errors = malloc(sizeof *errors);
    const char *paths[] = {path, override};
    int count = override != NULL && strcmp(override, "none") != 0 ? 2 : 1;
    int status = 1;
    if (config == NULL || errors == NULL) {
        fprintf(stderr, "wowkiosk: out of memory\n");
    } else if (config_load_layers(config, paths, count, errors)) {
        printf("%s%s%s: ok\n", path, count == 2 ? " + " : "", count == 2 ? override : "");
        status = 0;
    } else {
        print_config_errors(errors);
    }
    free(errors);
    free(config);
    return status;
}

/* Copies src to state-dir/name atomically, or removes name when src is
 * NULL: the last good config is kept as its layers were. */
static void keep_copy(const char *src, const char *name)
{
    char dst[PATH_MAX];
    if (!paths_state_file(name, dst, sizeof dst))
        return;
    if (src == NULL) {
        if (remove(dst) != 0 && errno != ENOENT)
            log_warn("config: cannot remove %s: %s", dst, strerror(errno));
        return;
    }
    int err_no = 0;
    char *text = file_read_text(src, &err_no);
    if (text == NULL || !file_write_text(dst, text, &err_no))
        log_warn("config: cannot keep a copy of %s as %s: %s", src, dst, strerror(err_no));
    free(text);
}

static void log_config_errors(const char *path, const struct config_errors *errors)
{
    log_error("config: %s has %d errors", path, errors->total);
    char line[1024];
    for (int i = 0; i < errors->count; i++) {
        config_error_format(&errors->error[i], line, sizeof line);
        log_error("config: %s", line);
    }
}

/* The files a config is read from, in order: main, the boot partition's
 * override when it exists, the technician's choice when there is one. */
struct layers {
    int count;
    const char *path[CONFIG_MAX_LAYERS];
    char buf[CONFIG_MAX_LAYERS][PATH_MAX];
    bool has_override, has_choice;
};

static void layers_add(struct layers *l, const char *path)
{
    snprintf(l->buf[l->count], sizeof l->buf[0], "%s", path);
    l->path[l->count] = l->buf[l->count];
    l->count++;
}

/* A layer file that exists (even unreadable: then its error is shown). */
static bool file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void layers_collect(struct layers *l, const char *main_path, const char *override_path)
{
    *l = (struct layers){0};
    layers_add(l, main_path);
    if (override_path != NULL && file_exists(override_path)) {
        layers_add(l, override_path);
        l->has_override = true;
    }
    char choice[PATH_MAX];
    if (paths_state_file(APP_TECHNICIAN_CONF, choice, sizeof choice) && file_exists(choice)) {
        layers_add(l, choice);
        l->has_choice = true;
    }
}

static void describe_layers(struct app *app, const struct layers *l)
{
    size_t n = 0;
    app->config_files[0] = '\0';
    for (int i = 0; i < l->count && n < sizeof app->config_files; i++)
        n += (size_t)snprintf(app->config_files + n, sizeof app->config_files - n, "%s%s",
                              i ? " + " : "", l->path[i]);
}

/* Loads --config with its layers, or the defaults without one.  A bad file
 * shows the error screen; if an earlier good config was kept, the kiosk
 * shows the errors for CONFIG_ERROR_SHOW_MS and then collects taps on that
 * one meanwhile. */
void app_load_config(struct app *app, struct clock_now now)
{
    config_defaults(&app->config);
    const char *path = app->options.config_path;
    if (path == NULL) {
        snprintf(app->config_files, sizeof app->config_files, "development defaults");
        snprintf(app->config.technician_pin_hash, sizeof app->config.technician_pin_hash, "%s",
                 DEV_PIN_HASH);
        return;
    }
    const char *override =
        app->options.override_path ? app->options.override_path : APP_BOOT_OVERRIDE;
    if (strcmp(override, "none") == 0)
        override = NULL;
    struct layers l;
    layers_collect(&l, path, override);
    describe_layers(app, &l);
    if (config_load_layers(&app->config, l.path, l.count, &app->config_errors)) {
        keep_copy(path, "last-good.conf");
        keep_copy(l.has_override ? l.path[1] : NULL, "last-good.override.conf");
        app->department_overridden = l.has_choice;
        log_info("config: %s", app->config_files);
        return;
    }
    log_config_errors(app->config_files, &app->config_errors);
    char last_good[PATH_MAX], last_override[PATH_MAX];
    struct config_errors ignored;
    if (paths_state_file("last-good.conf", last_good, sizeof last_good) &&
        paths_state_file("last-good.override.conf", last_override, sizeof last_override) &&
        access(last_good, R_OK) == 0) {
        struct layers kept;
        layers_collect(&kept, last_good, last_override);
        if (config_load_layers(&app->config, kept.path, kept.count, &ignored)) {
            log_error("config: running on the last good config %s until %s is fixed", last_good,
                      app->config_files);
            app->error_screen_until_ms = now.mono_ms + CONFIG_ERROR_SHOW_MS;
            app->department_overridden = kept.has_choice;
            snprintf(app->error_title, sizeof app->error_title,
                     "%s (running on the last good config meanwhile)", app->config_files);
            return;
        }
    }
    log_error("config: no good config to fall back on: showing the errors, collecting nothing");
    app->config_bad = true;
    snprintf(app->error_title, sizeof app->error_title, "%s", app->config_files);
    config_defaults(&app->config); /* the error screen still needs languages */
}

static void load_catalogs(struct app *app)
{
    for (int i = 0; i < app->config.language_count; i++) {
        const char *lang = app->config.languages[i];
        if (strcmp(lang, "en") == 0)
            continue; /* English is the source language */
        char path[PATH_MAX], err[256];
        snprintf(path, sizeof path, "%s/po/%s.po", app->options.assets_dir, lang);
        app->catalogs[i] = catalog_load(path, err, sizeof err);
        if (app->catalogs[i] == NULL)
            log_warn("i18n: %s; %s texts fall back to English", err, lang);
    }
}

/* The sync target: --sync, else [sync] target, else shared.db beside the
 * store (the embedded default: kiosk and dashboard on one machine). */
static void sync_target(const struct app *app, char *buf, size_t size)
{
    const char *store_path = app->store_path;
    if (app->options.sync_target != NULL) {
        snprintf(buf, size, "%s", app->options.sync_target);
    } else if (app->config.sync_target[0] != '\0') {
        snprintf(buf, size, "%s", app->config.sync_target);
    } else {
        const char *slash = strrchr(store_path, '/');
        int dir_len = slash ? (int)(slash - store_path) + 1 : 0;
        snprintf(buf, size, "%.*sshared.db", dir_len, store_path);
    }
}

/* Starts the sync thread; the kiosk collects taps whether or not it runs. */
static void start_sync(struct app *app)
{
    struct sync_settings s;
    sync_settings_defaults(&s);
    sync_target(app, s.target, sizeof s.target);
    if (strcmp(s.target, "off") == 0) {
        log_info("sync: off ([sync] target = off); counts stay on this kiosk");
        return;
    }
    const struct config *c = &app->config;
    snprintf(s.store_path, sizeof s.store_path, "%s", app->store_path);
    snprintf(s.kiosk_id, sizeof s.kiosk_id, "%s", c->kiosk_id);
    snprintf(s.site, sizeof s.site, "%s", c->site);
    snprintf(s.label, sizeof s.label, "%s", c->label);
    if (c->mode == CONFIG_MODE_SINGLE)
        snprintf(s.department, sizeof s.department, "%s", c->departments[c->department].id);
    snprintf(s.timezone, sizeof s.timezone, "%s", c->timezone);
    snprintf(s.problem, sizeof s.problem, "%s", app->problem);
    s.interval_ms = c->sync_interval_ms;
    s.backoff_max_ms = c->sync_backoff_max_ms;
    app->sync = sync_thread_start(&s, &app->clock);
}

/* The store's path: --store, else [store] path, else the default. */
static void resolve_store_path(struct app *app)
{
    char *path = app->store_path;
    size_t size = sizeof app->store_path;
    if (app->options.store_path != NULL)
        snprintf(path, size, "%s", app->options.store_path);
    else if (app->config.store_path[0] != '\0')
        snprintf(path, size, "%s", app->config.store_path);
    else if (!paths_default_store(path, size))
        snprintf(path, size, "kiosk.db"); /* last resort: the working directory */
}

static bool open_session(struct app *app, struct clock_now now)
{
    app->session = session_create(&app->config, app->store_path, now.utc_ms);
    if (app->session != NULL)
        start_sync(app);
    return app->session != NULL;
}

static bool create_kiosk(struct app *app, struct clock_now now)
{
    char err[256];
    app->tz = tz_load(app->config.timezone, NULL, err, sizeof err);
    if (app->tz == NULL)
        log_error("tz: %s; opening hours are evaluated in UTC", err);
    app->kiosk = kiosk_create(&app->config, app->tz, now);
    return app->kiosk != NULL;
}

bool app_create_display(struct app *app)
{
    char font_dir[PATH_MAX];
    snprintf(font_dir, sizeof font_dir, "%s/fonts", app->options.assets_dir);
    struct display_options d = {
        .windowed = app->options.windowed,
        .width = app->options.width,
        .height = app->options.height,
        .rotation = app->config.rotation,
        .font_dir = font_dir,
        .screenshot_dir = app->options.screenshot_dir,
    };
    app->display = display_create(&d);
    return app->display != NULL;
}

static bool showing_errors(const struct app *app, struct clock_now now)
{
    return app->config_bad || app->kiosk == NULL || now.mono_ms < app->error_screen_until_ms;
}

static struct kiosk_view current_view(const struct app *app, struct clock_now now)
{
    if (showing_errors(app, now))
        return (struct kiosk_view){
            .screen = KIOSK_SCREEN_CONFIG_ERROR, .department = -1, .pressed_reason = -1};
    return kiosk_view(app->kiosk);
}

/* Lays out and presents the current view; after the first frame tells
 * systemd (and --self-test, through the ready file) the kiosk is up. */
void app_draw_frame(struct app *app, struct clock_now now)
{
    struct kiosk_view view = current_view(app, now);
    struct ui_input in = {
        .view = &view,
        .config = &app->config,
        .catalogs = (const struct catalog *const *)app->catalogs,
        .errors = &app->config_errors,
        .error_title = app->error_title,
        .error_heading = app->error_heading[0] ? app->error_heading : NULL,
        .error_help = app->error_help[0] ? app->error_help : NULL,
        .technician = app_technician_ui(app, now),
    };
    int w, h;
    display_logical_size(app->display, &w, &h);
    ui_layout(app->frame, &in, w, h);
    display_draw(app->display, app->frame);
    if (app->frames++ == 0) {
        log_info("first frame presented (%dx%d logical)", w, h);
        if (!app->options.self_test) {
            app_mark_ready(app);
            notify_ready(app->config_bad ? "showing configuration errors" : "collecting taps");
            app->ready_sent = true;
        }
    }
}

/* Hands the state machine's requests on: redraw now, records after the
 * frame that acknowledges them has been presented. */
static bool apply_actions(struct app *app, const struct kiosk_actions *a)
{
    if (a->record_tap) {
        app->pending.record_tap = true;
        app->pending.tap = a->tap;
    }
    if (a->record_followup) {
        app->pending.record_followup = true;
        app->pending.followup = a->followup;
    }
    display_set_sleep(app->display, a->display_sleep);
    return a->redraw;
}

static void flush_records(struct app *app, int64_t now_mono_ms)
{
    if (!app->pending.record_tap && !app->pending.record_followup)
        return;
    session_record(app->session, &app->pending, now_mono_ms);
    app->pending = (struct kiosk_actions){0};
}

static bool target_event(const struct ui_target *t, struct kiosk_event *ev)
{
    static const enum kiosk_event_type by_kind[] = {
        [UI_TARGET_FACE] = KIOSK_EVENT_TAP_FACE,
        [UI_TARGET_REASON] = KIOSK_EVENT_CHOOSE_REASON,
        [UI_TARGET_SKIP] = KIOSK_EVENT_SKIP,
        [UI_TARGET_LANGUAGE] = KIOSK_EVENT_SET_LANGUAGE,
        [UI_TARGET_DEPARTMENT] = KIOSK_EVENT_PICK_DEPARTMENT,
        [UI_TARGET_BACK] = KIOSK_EVENT_BACK,
    };
    if (t == NULL)
        return false;
    *ev = (struct kiosk_event){.type = by_kind[t->kind], .arg = t->index};
    return true;
}

/* A press acts at once (finger down), as on the category's terminals: the
 * acknowledging frame should not wait for the finger to lift. */
static bool handle_press(struct app *app, int x, int y, struct clock_now now)
{
    struct kiosk_event ev;
    bool redraw = false;
    if (app_technician_input(app, true, x, y, now, &redraw))
        return redraw; /* the technician screens took it */
    if (showing_errors(app, now) || !target_event(ui_hit(app->frame, x, y), &ev))
        return redraw;
    struct kiosk_actions a = kiosk_handle(app->kiosk, ev, now);
    return apply_actions(app, &a);
}

static int language_index(const struct config *config, const char *code)
{
    for (int i = 0; i < config->language_count; i++)
        if (strcmp(config->languages[i], code) == 0)
            return i;
    return -1;
}

/* Where a script step points, in logical pixels.  False (logged) if the
 * named target is not on the current screen. */
static bool script_point(struct app *app, const struct script_step *step, int *x, int *y)
{
    const struct ui_target *t = NULL;
    switch (step->target) {
    case SCRIPT_AT_XY:
        *x = step->x;
        *y = step->y;
        return true;
    case SCRIPT_AT_FACE:
        t = ui_find(app->frame, UI_TARGET_FACE, step->index);
        break;
    case SCRIPT_AT_REASON:
        t = ui_find(app->frame, UI_TARGET_REASON, step->index - 1);
        break;
    case SCRIPT_AT_SKIP:
        t = ui_find(app->frame, UI_TARGET_SKIP, 0);
        break;
    case SCRIPT_AT_LANG:
        t = ui_find(app->frame, UI_TARGET_LANGUAGE, language_index(&app->config, step->name));
        break;
    case SCRIPT_AT_DEPARTMENT:
        t = ui_find(app->frame, UI_TARGET_DEPARTMENT,
                    config_find_department(&app->config, step->name));
        break;
    case SCRIPT_AT_TECH:
        t = app_technician_find(app, step->name);
        break;
    }
    if (t == NULL) {
        log_error("script: %s:%d: that target is not on the current screen",
                  app->options.script_path, step->line);
        return false;
    }
    *x = t->rect.x + t->rect.w / 2;
    *y = t->rect.y + t->rect.h / 2;
    return true;
}

/* Runs the script's steps that are due.  Returns false when the program
 * should stop (quit, or a step that cannot run). */
static bool run_script(struct app *app, struct clock_now now)
{
    while (app->script_pos < app->script.count && now.mono_ms >= app->script_next_ms) {
        const struct script_step *step = &app->script.steps[app->script_pos++];
        switch (step->op) {
        case SCRIPT_WAIT:
            app->script_next_ms = now.mono_ms + step->wait_ms;
            break;
        case SCRIPT_ADVANCE:
            app->clock_offset += step->wait_ms; /* the wall clock jumps ahead */
            log_info("script: wall clock advanced %lld ms at line %d", (long long)step->wait_ms,
                     step->line);
            break;
        case SCRIPT_TAP:
        case SCRIPT_PRESS:
            if (!script_point(app, step, &app->press_x, &app->press_y)) {
                app->exit_code = 1;
                return false;
            }
            display_inject(app->display, true, app->press_x, app->press_y);
            if (step->op == SCRIPT_TAP)
                display_inject(app->display, false, app->press_x, app->press_y);
            return true; /* let the loop handle it before the next step */
        case SCRIPT_RELEASE:
            display_inject(app->display, false, app->press_x, app->press_y);
            return true;
        case SCRIPT_SCREENSHOT: {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/shot-%03d.png",
                     app->options.screenshot_dir ? app->options.screenshot_dir : ".",
                     ++app->screenshot_count);
            display_save_png(app->display, path);
            break;
        }
        case SCRIPT_QUIT:
            log_info("script: quit at line %d", step->line);
            return false;
        }
    }
    return true;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* How long the loop may sleep: until the nearest deadline, the store's
 * next retry (retry_at_ms) among them. */
static int wait_timeout(const struct app *app, struct clock_now now, int64_t retry_at_ms)
{
    int64_t deadline = retry_at_ms;
    if (app->kiosk != NULL && !app->config_bad)
        deadline = min64(deadline, kiosk_next_deadline_ms(app->kiosk, now));
    if (now.mono_ms < app->error_screen_until_ms)
        deadline = min64(deadline, app->error_screen_until_ms);
    if (app->script_pos < app->script.count)
        deadline = min64(deadline, app->script_next_ms);
    if (app->technician != NULL)
        deadline = min64(deadline, technician_next_deadline_ms(app->technician, now));
    if (app->watchdog_ms > 0 && app->ready_sent)
        deadline = min64(deadline, app->watchdog_next_ms);
    if (deadline == INT64_MAX)
        return -1;
    int64_t ms = deadline - now.mono_ms;
    if (ms < 0)
        return 0;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Handles one input event; returns false when the program should stop. */
static bool handle_event(struct app *app, const struct display_event *ev, bool *dirty)
{
    struct clock_now now = clock_read(&app->clock);
    switch (ev->type) {
    case DISPLAY_EVENT_PRESS:
        if (handle_press(app, ev->x, ev->y, now)) {
            *dirty = true;
            return true;
        }
        break;
    case DISPLAY_EVENT_EXPOSE:
        *dirty = true;
        break;
    case DISPLAY_EVENT_QUIT:
        /* Only a signal (systemd stopping us) or a window manager in a
         * development run can send this: customers have neither. */
        log_info("quit requested");
        return false;
    case DISPLAY_EVENT_ESCAPE:
        if (app->options.windowed) {
            log_info("Escape pressed in a windowed run: exiting");
            return false;
        }
        break;
    case DISPLAY_EVENT_RELEASE:
        app_technician_input(app, false, ev->x, ev->y, now, dirty); /* the corner gesture */
        break;
    case DISPLAY_EVENT_NONE:
        break;
    }
    return true;
}

static void trace_latency(const struct app *app, const struct display_event *ev)
{
    if (app->options.trace_latency)
        log_info("latency: input to frame %lld ms",
                 (long long)(display_ticks_ms() - ev->at_mono_ms));
}

/* WATCHDOG=1 once per half watchdog period, only from a loop that has
 * presented its first frame and is still turning. */
static void ping_watchdog(struct app *app, int64_t now_mono_ms)
{
    if (app->watchdog_ms <= 0 || !app->ready_sent || now_mono_ms < app->watchdog_next_ms)
        return;
    notify_watchdog();
    app->watchdog_next_ms = now_mono_ms + app->watchdog_ms;
}

static int run(struct app *app)
{
    bool dirty = true, showed_errors = false;
    struct display_event input = {0}; /* the input the next frame answers */
    app->script_next_ms = clock_read(&app->clock).mono_ms;
    for (;;) {
        struct clock_now now = clock_read(&app->clock);
        bool errors = showing_errors(app, now);
        if (errors != showed_errors)
            dirty = true;
        showed_errors = errors;
        if (!errors) {
            struct kiosk_actions a =
                kiosk_handle(app->kiosk, (struct kiosk_event){KIOSK_EVENT_TICK, 0}, now);
            dirty |= apply_actions(app, &a);
        }
        dirty |= app_technician_tick(app, now);
        if (dirty) {
            app_draw_frame(app, now);
            dirty = false;
            if (input.type == DISPLAY_EVENT_PRESS)
                trace_latency(app, &input);
        }
        input.type = DISPLAY_EVENT_NONE;
        flush_records(app, now.mono_ms);
        int64_t retry_at_ms = INT64_MAX;
        if (app->session != NULL) /* records the store could not take yet */
            retry_at_ms = session_retry(app->session, now.mono_ms, now.utc_ms);
        ping_watchdog(app, now.mono_ms);
        if (!run_script(app, now) || app->restart)
            return app->exit_code;
        struct display_event ev = display_wait(app->display, wait_timeout(app, now, retry_at_ms));
        if (!handle_event(app, &ev, &dirty) || app->restart)
            return app->exit_code;
        if (dirty)
            input = ev;
    }
}

static bool load_script(struct app *app)
{
    if (app->options.script_path == NULL)
        return true;
    char err[512];
    if (!script_load(&app->script, app->options.script_path, err, sizeof err)) {
        log_error("script: %s", err);
        return false;
    }
    return true;
}

static void destroy_app(struct app *app)
{
    script_destroy(&app->script);
    if (app->display != NULL)
        display_destroy(app->display);
    if (app->kiosk != NULL)
        kiosk_destroy(app->kiosk);
    if (app->technician != NULL)
        technician_destroy(app->technician);
    sync_thread_stop(app->sync);
    session_destroy(app->session);
    for (int i = 0; i < CONFIG_MAX_LANGUAGES; i++)
        if (app->catalogs[i] != NULL)
            catalog_destroy(app->catalogs[i]);
    tz_destroy(app->tz);
    free(app->frame);
}

/* Shows failed start-up checks like config errors, for CONFIG_ERROR_SHOW_MS
 * (a check can be wrong: the kiosk then runs on). */
static void show_check_errors(struct app *app, struct clock_now now)
{
    if (app_startup_checks(app) || app->config_bad || app->error_screen_until_ms > 0)
        return;
    struct config_errors *e = &app->config_errors;
    *e = (struct config_errors){0};
    for (int i = 0; i < app->checks.count && e->count < CONFIG_MAX_ERRORS; i++) {
        const struct syscheck_item *item = &app->checks.items[i];
        if (item->severity != SYSCHECK_ERROR)
            continue;
        struct config_error *ce = &e->error[e->count++];
        snprintf(ce->file, sizeof ce->file, "start-up check");
        ce->line = e->count;
        snprintf(ce->key, sizeof ce->key, "%s", item->check);
        /* cut to the screen's box; the journal has the whole line */
        snprintf(ce->message, sizeof ce->message, "%.*s", (int)sizeof ce->message - 1,
                 item->message);
    }
    e->total = e->count;
    app->error_screen_until_ms = now.mono_ms + CONFIG_ERROR_SHOW_MS;
    snprintf(app->error_heading, sizeof app->error_heading, "Start-up check failed");
    snprintf(app->error_title, sizeof app->error_title, "kiosk %s, wowkiosk %s",
             app->config.kiosk_id, WOW_VERSION);
    snprintf(app->error_help, sizeof app->error_help,
             "The kiosk goes on in a minute but may not work until this is fixed.\n"
             "Details: journalctl -u wowkiosk");
}

/* No display: nothing can be tapped, but the kiosk stays up so its
 * heartbeat tells the fleet page why, and tries the display again every
 * HEADLESS_RETRY_MS (a DRM driver that loads late at boot); once it opens,
 * the kiosk runs as usual.  Crash-looping instead would spend systemd's
 * start limit in seconds and leave a dark kiosk. */
#define HEADLESS_RETRY_MS 5000

static int run_headless(struct app *app)
{
    log_error("no display: running without a screen so the heartbeat reports it; "
              "nothing is collected; trying again every %d s",
              HEADLESS_RETRY_MS / 1000);
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, &old);
    notify_ready("no display: see the journal");
    for (;;) {
        int64_t wait_ms = HEADLESS_RETRY_MS;
        if (app->watchdog_ms > 0 && app->watchdog_ms < wait_ms)
            wait_ms = app->watchdog_ms;
        struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
        if (sigtimedwait(&stop, NULL, &ts) > 0)
            return 1;
        notify_watchdog();
        if (app_create_display(app)) {
            log_info("display opened at last");
            sigprocmask(SIG_SETMASK, &old, NULL);
            app->ready_sent = true;
            return run(app);
        }
    }
}

/* Runs the program again in this process, with the same options but no
 * script (a script has done its part); the technician's restart. */
static void exec_again(struct app *app)
{
    char **argv = app->options.argv;
    int n = 0;
    while (argv[n] != NULL)
        n++;
    char **again = calloc((size_t)n + 1, sizeof *again);
    if (again == NULL)
        return;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(argv[i], "--script") == 0 && i + 1 < n) {
            i++;
            continue;
        }
        again[k++] = argv[i];
    }
    log_info("restarting");
    execv("/proc/self/exe", again);
    log_error("restart: cannot exec /proc/self/exe: %s", strerror(errno));
    free(again);
}

/* An installed binary finds its assets beside it (PREFIX/share/wowkiosk). */
static void resolve_assets(struct options *o)
{
    if (strcmp(o->assets_dir, WOW_ASSETS_DIR) != 0)
        return; /* given with --assets */
    /* beside the binary first: an installed kiosk must not read a source
     * tree that happens to exist on the machine it was built on */
    if (paths_installed_data("wowkiosk", o->installed_assets, sizeof o->installed_assets))
        o->assets_dir = o->installed_assets;
}

/* Everything up to the loop; false when the kiosk cannot run at all. */
static bool start(struct app *app, struct clock_now now)
{
    show_check_errors(app, now);
    bool display_ok = app_create_display(app);
    if (!display_ok)
        snprintf(app->problem, sizeof app->problem, "no display could be opened (%s)",
                 getenv("SDL_VIDEODRIVER") ? getenv("SDL_VIDEODRIVER") : "default driver");
    if (!app->config_bad && (!open_session(app, now) || !create_kiosk(app, now)))
        return false;
    app->watchdog_ms = notify_watchdog_interval_ms();
    app->start_mono_ms = now.mono_ms;
    return app_technician_create(app);
}

int main(int argc, char **argv)
{
    /* The app is large (config, frame): it lives on the heap, not the stack. */
    struct app *app = calloc(1, sizeof *app);
    if (app == NULL)
        return 1;
    int status = parse_options(&app->options, argc, argv);
    if (status != 0) {
        free(app);
        return status > 0 ? 0 : 2;
    }
    log_init("wowkiosk", app->options.log_level);
    if (app->options.hash_pin || app->options.check_config_path != NULL) {
        status = app->options.hash_pin
                     ? app_hash_pin()
                     : check_config(app->options.check_config_path, app->options.override_path);
        free(app);
        return status;
    }

    log_info("wowkiosk %s starting", WOW_VERSION);
    resolve_assets(&app->options);
    log_info("assets: %s", app->options.assets_dir);
    app->clock = clock_system(&app->clock_offset, app->options.clock_start_utc_ms);
    struct clock_now now = clock_read(&app->clock);
    app_load_config(app, now);
    load_catalogs(app);
    resolve_store_path(app);
    app->frame = calloc(1, sizeof *app->frame);
    status = 1;
    if (app->frame == NULL || !load_script(app))
        goto out;
    if (app->options.self_test) {
        if (app->config_bad || create_kiosk(app, now))
            status = app_self_test(app);
        goto out;
    }
    if (!start(app, now))
        goto out;
    status = app->display != NULL ? run(app) : run_headless(app);
    notify_stopping();
    log_info("wowkiosk stopped");
out:
    destroy_app(app);
    if (app->restart)
        exec_again(app);
    free(app);
    return status;
}
