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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "display.h"
#include "file.h"
#include "i18n.h"
#include "kiosk.h"
#include "log.h"
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

struct options {
    const char *config_path;
    const char *check_config_path;
    const char *script_path;
    const char *screenshot_dir;
    const char *assets_dir;
    const char *store_path;
    const char *sync_target;
    bool windowed;
    int width, height;
    int64_t clock_start_utc_ms;
    bool trace_latency;
    enum log_level log_level;
};

/* Everything the running kiosk owns; torn down in reverse order of creation. */
struct app {
    struct options options;
    struct config config;
    struct config_errors config_errors;
    bool config_bad;                 /* show the config error screen, collect nothing */
    int64_t error_screen_until_ms;   /* on the last good config: errors shown till then */
    char error_title[PATH_MAX + 64]; /* the error screen's heading */
    int64_t clock_offset;
    struct clock clock;
    struct tz *tz;
    struct catalog *catalogs[CONFIG_MAX_LANGUAGES];
    struct session *session;
    struct sync_thread *sync; /* NULL when sync is off or could not start */
    struct kiosk *kiosk;
    struct display *display;
    struct ui_frame *frame;
    struct kiosk_actions pending; /* records to make once the frame is presented */

    struct script script;
    int script_pos;
    int64_t script_next_ms;
    int press_x, press_y;
    int screenshot_count;
    long frames;
    int exit_code;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wowkiosk [options]\n"
            "  --config FILE        kiosk configuration (INI); none: development defaults\n"
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
            "  --version, --help\n",
            WOW_ASSETS_DIR);
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
    *o = (struct options){.assets_dir = WOW_ASSETS_DIR, .log_level = LOG_INFO};
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

/* --check-config FILE: the technician's validator.  Exit status 0 or 1. */
static int check_config(const char *path)
{
    struct config *config = malloc(sizeof *config);
    struct config_errors *errors = malloc(sizeof *errors);
    int status = 1;
    if (config == NULL || errors == NULL) {
        fprintf(stderr, "wowkiosk: out of memory\n");
    } else if (config_load(config, path, errors)) {
        printf("%s: ok\n", path);
        status = 0;
    } else {
        print_config_errors(errors);
    }
    free(errors);
    free(config);
    return status;
}

/* Keeps a copy of a config that loaded, so a later bad edit does not stop
 * the kiosk collecting: state-dir/last-good.conf, replaced atomically. */
static void save_last_good(const char *path)
{
    char dst[PATH_MAX], tmp[PATH_MAX + 8];
    if (!paths_state_file("last-good.conf", dst, sizeof dst))
        return;
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    int err_no = 0;
    char *text = file_read_text(path, &err_no);
    FILE *out = text != NULL ? fopen(tmp, "wb") : NULL;
    if (out == NULL && text != NULL)
        err_no = errno;
    bool ok = out != NULL && fputs(text, out) >= 0;
    if (out != NULL && fclose(out) != 0)
        ok = false;
    free(text);
    if (!ok || rename(tmp, dst) != 0) {
        log_warn("config: cannot keep a copy of %s as %s: %s", path, dst,
                 strerror(err_no != 0 ? err_no : errno));
        remove(tmp);
    }
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

/* Loads --config, or the defaults without one.  A bad file shows the error
 * screen; if an earlier good config was kept, the kiosk shows the errors
 * for CONFIG_ERROR_SHOW_MS and then collects taps on that one meanwhile. */
static void load_config(struct app *app, struct clock_now now)
{
    config_defaults(&app->config);
    const char *path = app->options.config_path;
    if (path == NULL)
        return;
    if (config_load(&app->config, path, &app->config_errors)) {
        save_last_good(path);
        return;
    }
    log_config_errors(path, &app->config_errors);
    char last_good[PATH_MAX];
    struct config_errors ignored;
    if (paths_state_file("last-good.conf", last_good, sizeof last_good) &&
        access(last_good, R_OK) == 0 && config_load(&app->config, last_good, &ignored)) {
        log_error("config: running on the last good config %s until %s is fixed", last_good, path);
        app->error_screen_until_ms = now.mono_ms + CONFIG_ERROR_SHOW_MS;
        snprintf(app->error_title, sizeof app->error_title,
                 "%s (running on the last good config meanwhile)", path);
        return;
    }
    log_error("config: no good config to fall back on: showing the errors, collecting nothing");
    app->config_bad = true;
    snprintf(app->error_title, sizeof app->error_title, "%s", path);
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
static void sync_target(const struct app *app, const char *store_path, char *buf, size_t size)
{
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
static void start_sync(struct app *app, const char *store_path)
{
    struct sync_settings s;
    sync_settings_defaults(&s);
    sync_target(app, store_path, s.target, sizeof s.target);
    if (strcmp(s.target, "off") == 0) {
        log_info("sync: off ([sync] target = off); counts stay on this kiosk");
        return;
    }
    const struct config *c = &app->config;
    snprintf(s.store_path, sizeof s.store_path, "%s", store_path);
    snprintf(s.kiosk_id, sizeof s.kiosk_id, "%s", c->kiosk_id);
    snprintf(s.site, sizeof s.site, "%s", c->site);
    snprintf(s.label, sizeof s.label, "%s", c->label);
    if (c->mode == CONFIG_MODE_SINGLE)
        snprintf(s.department, sizeof s.department, "%s", c->departments[c->department].id);
    snprintf(s.timezone, sizeof s.timezone, "%s", c->timezone);
    s.interval_ms = c->sync_interval_ms;
    s.backoff_max_ms = c->sync_backoff_max_ms;
    app->sync = sync_thread_start(&s, &app->clock);
}

static bool open_session(struct app *app, struct clock_now now)
{
    char path[CONFIG_PATH_MAX];
    if (app->options.store_path != NULL)
        snprintf(path, sizeof path, "%s", app->options.store_path);
    else if (app->config.store_path[0] != '\0')
        snprintf(path, sizeof path, "%s", app->config.store_path);
    else if (!paths_default_store(path, sizeof path))
        snprintf(path, sizeof path, "kiosk.db"); /* last resort: the working directory */
    app->session = session_create(&app->config, path, now.utc_ms);
    if (app->session != NULL)
        start_sync(app, path);
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

static bool create_display(struct app *app)
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

/* Lays out and presents the current view. */
static void draw_frame(struct app *app, struct clock_now now)
{
    struct kiosk_view view = current_view(app, now);
    struct ui_input in = {
        .view = &view,
        .config = &app->config,
        .catalogs = (const struct catalog *const *)app->catalogs,
        .errors = &app->config_errors,
        .error_title = app->error_title,
    };
    int w, h;
    display_logical_size(app->display, &w, &h);
    ui_layout(app->frame, &in, w, h);
    display_draw(app->display, app->frame);
    if (app->frames++ == 0)
        log_info("first frame presented (%dx%d logical)", w, h);
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
    if (showing_errors(app, now) || !target_event(ui_hit(app->frame, x, y), &ev))
        return false;
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
    case DISPLAY_EVENT_NONE:
    case DISPLAY_EVENT_RELEASE:
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
        if (dirty) {
            draw_frame(app, now);
            dirty = false;
            if (input.type == DISPLAY_EVENT_PRESS)
                trace_latency(app, &input);
        }
        input.type = DISPLAY_EVENT_NONE;
        flush_records(app, now.mono_ms);
        int64_t retry_at_ms = INT64_MAX;
        if (app->session != NULL) /* records the store could not take yet */
            retry_at_ms = session_retry(app->session, now.mono_ms, now.utc_ms);
        if (!run_script(app, now))
            return app->exit_code;
        struct display_event ev = display_wait(app->display, wait_timeout(app, now, retry_at_ms));
        if (!handle_event(app, &ev, &dirty))
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
    sync_thread_stop(app->sync);
    session_destroy(app->session);
    for (int i = 0; i < CONFIG_MAX_LANGUAGES; i++)
        if (app->catalogs[i] != NULL)
            catalog_destroy(app->catalogs[i]);
    tz_destroy(app->tz);
    free(app->frame);
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
    if (app->options.check_config_path != NULL) {
        status = check_config(app->options.check_config_path);
        free(app);
        return status;
    }

    log_info("wowkiosk %s starting", WOW_VERSION);
    app->clock = clock_system(&app->clock_offset, app->options.clock_start_utc_ms);
    struct clock_now now = clock_read(&app->clock);
    load_config(app, now);
    load_catalogs(app);
    app->frame = calloc(1, sizeof *app->frame);
    status = 1;
    if (app->frame == NULL || !load_script(app))
        goto out;
    if (!app->config_bad && (!open_session(app, now) || !create_kiosk(app, now)))
        goto out;
    if (!create_display(app))
        goto out;
    status = run(app);
    log_info("wowkiosk stopped");
out:
    destroy_app(app);
    free(app);
    return status;
}
