/*
 * program: the kiosk's parts, created in order, run, and destroyed in
 * reverse (see program.h).
 */
#include "program.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "display.h"
#include "frame.h"
#include "kiosk.h"
#include "layers.h"
#include "log.h"
#include "loop.h"
#include "notice.h"
#include "notify.h"
#include "options.h"
#include "paths.h"
#include "script_driver.h"
#include "self_test.h"
#include "session.h"
#include "status.h"
#include "sync.h"
#include "sync_update.h"
#include "technician_glue.h"
#include "tz.h"
#include "update.h"

/* No display: nothing can be tapped, but the kiosk stays up so its
 * heartbeat tells the fleet page why, and tries the display again every
 * HEADLESS_RETRY_MS (a DRM driver that loads late at boot); once it opens,
 * the kiosk runs as usual.  Crash-looping instead would spend systemd's
 * start limit in seconds and leave a dark kiosk.  With --headless REASON
 * (wowkiosk-headless.service, which systemd starts when wowkiosk.service
 * stopped restarting after a crash loop) no display is ever tried. */
#define HEADLESS_RETRY_MS 5000

/* Each part is owned here and handed to the modules that use it. */
struct program {
    const struct options *options;
    int64_t clock_offset; /* the wall clock's shift (--clock-start, script) */
    struct clock clock;
    struct layers layers;
    struct notice notice;
    struct status status;
    struct status_sources sources; /* what the status rows read */
    char config_problem[640];      /* layers_problem(): "" on the kiosk's own files */
    char store_path[CONFIG_PATH_MAX];
    char update_dir[CONFIG_PATH_MAX]; /* the system update's files: "update" beside the store */
    struct tz *tz;
    struct session *session;
    struct sync_thread *sync; /* NULL when sync is off or could not start */
    struct kiosk *kiosk;      /* NULL with a bad config */
    struct display *display;  /* NULL while there is none */
    struct frame *frame;
    struct technician_glue *technician;
    struct update *update;        /* NULL: no catalog updates */
    struct script_driver *script; /* NULL: no --script */
    int64_t watchdog_ms;          /* 0: no watchdog */
    sigset_t signals_before;      /* the mask before block_stop_signals() */
};

/* The store's path: --store, else [store] path, else the default. */
static void resolve_store_path(struct program *p)
{
    char *path = p->store_path;
    size_t size = sizeof p->store_path;
    if (p->options->store_path != NULL)
        snprintf(path, size, "%s", p->options->store_path);
    else if (p->layers.config.store_path[0] != '\0')
        snprintf(path, size, "%s", p->layers.config.store_path);
    else if (!paths_default_store(path, size))
        snprintf(path, size, "kiosk.db"); /* last resort: the working directory */
}

/* DIR/name where DIR is the store's directory (the working directory for
 * a bare file name). */
static void beside_store(const char *store_path, const char *name, char *buf, size_t size)
{
    const char *slash = strrchr(store_path, '/');
    int dir_len = slash ? (int)(slash - store_path) + 1 : 0;
    snprintf(buf, size, "%.*s%s", dir_len, store_path, name);
}

/* The system update's directory (sync_update.h): update/ beside the store,
 * as the root updater expects it in the state directory. */
static void resolve_update_dir(struct program *p)
{
    beside_store(p->store_path, "update", p->update_dir, sizeof p->update_dir);
}

/* The sync target: --sync, else [sync] target, else shared.db beside the
 * store (the embedded default: kiosk and dashboard on one machine). */
static void sync_target(const struct program *p, char *buf, size_t size)
{
    const char *store_path = p->store_path;
    if (p->options->sync_target != NULL) {
        snprintf(buf, size, "%s", p->options->sync_target);
    } else if (p->layers.config.sync_target[0] != '\0') {
        snprintf(buf, size, "%s", p->layers.config.sync_target);
    } else {
        beside_store(store_path, "shared.db", buf, size);
    }
}

/* The version the heartbeat reports: the system's (SYNC_SYSTEM_VERSION_FILE),
 * what a rollout's bundle version is compared with; $WOWKIOSK_SYSTEM_VERSION
 * stands for the file, as it does for wowkiosk-updater (the tests).  Without
 * either, or with one that is not a version, the kiosk's own. */
static void system_version(char *buf, size_t size)
{
    char version[SYNC_UPDATE_VERSION_MAX], why[256];
    const char *env = getenv("WOWKIOSK_SYSTEM_VERSION");
    int got;
    if (env != NULL) {
        got = strlen(env) < size && sync_update_version_ok(env) ? 1 : -1;
        if (got > 0)
            snprintf(version, sizeof version, "%s", env);
        else
            snprintf(why, sizeof why,
                     "WOWKIOSK_SYSTEM_VERSION: expected a version of 1 to %zu "
                     "letters, digits and . + ~ -",
                     size - 1);
    } else {
        got = sync_update_read_system_version(SYNC_SYSTEM_VERSION_FILE, version, size, why,
                                              sizeof why);
    }
    if (got > 0)
        memcpy(buf, version, strlen(version) + 1); /* both ways checked it fits */
    else if (got < 0)
        log_error("sync: %s; the heartbeat reports wowkiosk's own version, %s", why, buf);
}

/* Starts the sync thread; the kiosk collects taps whether or not it runs.
 * The heartbeat carries the config's problem (the fleet sees a kiosk on a
 * last good copy) and the status's as they are now. */
static void start_sync(struct program *p)
{
    struct sync_settings s;
    sync_settings_defaults(&s);
    sync_target(p, s.target, sizeof s.target);
    if (strcmp(s.target, "off") == 0) {
        log_info("sync: off ([sync] target = off); counts stay on this kiosk");
        return;
    }
    const struct config *c = &p->layers.config;
    snprintf(s.store_path, sizeof s.store_path, "%s", p->store_path);
    snprintf(s.kiosk_id, sizeof s.kiosk_id, "%s", c->kiosk_id);
    snprintf(s.site, sizeof s.site, "%s", c->site);
    snprintf(s.label, sizeof s.label, "%s", c->label);
    update_departments_of(c, s.department, sizeof s.department, s.mode, sizeof s.mode,
                          s.departments, sizeof s.departments);
    snprintf(s.timezone, sizeof s.timezone, "%s", c->timezone);
    system_version(s.app_version, sizeof s.app_version);
    /* $WOWKIOSK_CMDLINE stands for /proc/cmdline, as for wowkiosk-updater (the tests) */
    const char *cmdline = getenv("WOWKIOSK_CMDLINE");
    sync_update_booted_slot(cmdline != NULL ? cmdline : "/proc/cmdline", s.slot, sizeof s.slot);
    if (p->config_problem[0] == '\0') /* the fleet page's line, cut to fit */
        snprintf(s.problem, sizeof s.problem, "%s", p->status.problem);
    else
        snprintf(s.problem, sizeof s.problem, "%.300s%s%.200s", p->config_problem,
                 p->status.problem[0] ? "; " : "", p->status.problem);
    s.interval_ms = c->sync_interval_ms;
    s.backoff_max_ms = c->sync_backoff_max_ms;
    snprintf(s.update_dir, sizeof s.update_dir, "%s", p->update_dir);
    s.update_offers = c->install_updates != CONFIG_INSTALL_NEVER;
    update_seed(&p->layers, s.target, clock_read(&p->clock).utc_ms);
    p->sync = sync_thread_start(&s, &p->clock);
}

static bool open_session(struct program *p, struct clock_now now)
{
    p->session = session_create(&p->layers.config, p->store_path, now.utc_ms);
    if (p->session != NULL) {
        start_sync(p);
        session_set_sync(p->session, p->sync); /* the writer tells it of commits */
    }
    return p->session != NULL;
}

static bool create_kiosk(struct program *p, struct clock_now now)
{
    char err[256];
    p->tz = tz_load(p->layers.config.timezone, NULL, err, sizeof err);
    if (p->tz == NULL)
        log_error("tz: %s; opening hours are evaluated in UTC", err);
    p->kiosk = kiosk_create(&p->layers.config, p->tz, now);
    return p->kiosk != NULL;
}

struct program *program_create(const struct options *options)
{
    /* The program is large (config, notice): it lives on the heap. */
    struct program *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->options = options;
    p->clock = clock_system(&p->clock_offset, options->clock_start_utc_ms);
    struct clock_now now = clock_read(&p->clock);
    layers_load(&p->layers, options->config_path, options_override(options));
    notice_of_config(&p->notice, &p->layers, now.mono_ms);
    layers_problem(&p->layers, p->config_problem, sizeof p->config_problem);
    resolve_store_path(p);
    resolve_update_dir(p);
    if (!options->self_test) /* the catalog the kiosk last accepted, as the third layer */
        update_startup(&p->layers, p->store_path, now.utc_ms);
    p->frame = frame_create(&p->layers.config, options->assets_dir,
                            p->layers.bad ? "showing configuration errors" : "collecting taps");
    if (p->frame == NULL)
        goto fail;
    if (options->script_path != NULL &&
        (p->script = script_driver_create(options->script_path, options->screenshot_dir,
                                          &p->layers.config)) == NULL)
        goto fail;
    return p;
fail:
    program_destroy(p);
    return NULL;
}

/* SIGTERM and SIGINT, which run_headless() takes with sigtimedwait(): blocked
 * before the sync thread starts, so that it inherits the block and the signal
 * waits for the main thread.  (With a display SDL's handler takes them; a
 * kiosk without one was ended by the default action, in any thread.) */
static void block_stop_signals(struct program *p)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, &p->signals_before);
}

/* Everything up to the loop; false when the kiosk cannot run at all. */
static bool start(struct program *p, struct clock_now now)
{
    if (!status_run_checks(&p->status, p->store_path))
        notice_of_checks(&p->notice, &p->status.checks, p->layers.config.kiosk_id, now.mono_ms);
    if (p->options->headless_reason != NULL)
        status_headless(&p->status, p->options->headless_reason);
    else if ((p->display = frame_open_display(p->options, &p->layers.config)) == NULL)
        status_no_display(&p->status);
    if (p->display == NULL)
        block_stop_signals(p);
    if (!p->layers.bad && (!open_session(p, now) || !create_kiosk(p, now)))
        return false;
    p->watchdog_ms = notify_watchdog_interval_ms();
    p->status.start_mono_ms = now.mono_ms;
    p->sources = (struct status_sources){.config = &p->layers.config,
                                         .config_files = p->layers.files,
                                         .department_overridden = p->layers.department_overridden,
                                         .config_problem = p->config_problem,
                                         .session = p->session,
                                         .sync = p->sync,
                                         .tz = p->tz,
                                         .store_path = p->store_path};
    p->technician = technician_glue_create(&p->status, &p->sources, now);
    if (!p->layers.bad) {
        struct update_parts parts = {.layers = &p->layers,
                                     .session = p->session,
                                     .sync = p->sync,
                                     .frame = p->frame,
                                     .kiosk = &p->kiosk,
                                     .tz = &p->tz,
                                     .sources = &p->sources,
                                     .assets_dir = p->options->assets_dir};
        p->update = update_create(&parts);
        p->sources.catalog_refused = update_refused(p->update);
    }
    return p->technician != NULL;
}

static int run_loop(struct program *p)
{
    struct loop_parts parts = {.clock = &p->clock,
                               .clock_offset = &p->clock_offset,
                               .display = p->display,
                               .frame = p->frame,
                               .kiosk = &p->kiosk,
                               .session = p->session,
                               .sync = p->sync,
                               .technician = p->technician,
                               .notice = &p->notice,
                               .script = p->script,
                               .update = p->update,
                               .kiosk_id = p->layers.config.kiosk_id,
                               .update_dir = p->update_dir,
                               .install_updates = p->layers.config.install_updates,
                               .watchdog_ms = p->watchdog_ms,
                               .trace_latency = p->options->trace_latency,
                               .windowed = p->options->windowed};
    return loop_run(&parts);
}

static int run_headless(struct program *p)
{
    const char *reason = p->options->headless_reason;
    if (reason != NULL)
        log_error("headless (--headless): no display is opened; the heartbeat says: %s", reason);
    else
        log_error("no display: running without a screen so the heartbeat reports it; "
                  "nothing is collected; trying again every %d s",
                  HEADLESS_RETRY_MS / 1000);
    sigset_t stop; /* blocked since start() */
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    notify_ready(reason != NULL ? "headless: see the journal" : "no display: see the journal");
    for (;;) {
        int64_t wait_ms = HEADLESS_RETRY_MS;
        if (p->watchdog_ms > 0 && p->watchdog_ms < wait_ms)
            wait_ms = p->watchdog_ms;
        struct timespec ts = {wait_ms / 1000, (long)(wait_ms % 1000) * 1000000L};
        if (sigtimedwait(&stop, NULL, &ts) > 0)
            return 0; /* stopped as asked: a clean exit, not a failure for systemd */
        notify_watchdog();
        if (reason != NULL)
            continue; /* headless on purpose: only the heartbeat */
        p->display = frame_open_display(p->options, &p->layers.config);
        if (p->display != NULL) {
            log_info("display opened at last");
            pthread_sigmask(SIG_SETMASK, &p->signals_before, NULL);
            frame_set_ready_sent(p->frame);
            return run_loop(p);
        }
    }
}

static int run_self_test(struct program *p, struct clock_now now)
{
    if (!p->layers.bad && !create_kiosk(p, now))
        return 1;
    struct self_test_parts parts = {.options = p->options,
                                    .layers = &p->layers,
                                    .notice = &p->notice,
                                    .kiosk = p->kiosk,
                                    .status = &p->status,
                                    .store_path = p->store_path,
                                    .clock = &p->clock};
    char target[CONFIG_PATH_MAX];
    sync_target(p, target, sizeof target);
    parts.sync_target = target;
    return self_test_run(&parts);
}

int program_run(struct program *p)
{
    struct clock_now now = clock_read(&p->clock);
    if (p->options->self_test)
        return run_self_test(p, now);
    if (!start(p, now))
        return 1;
    int status = p->display != NULL ? run_loop(p) : run_headless(p);
    notify_stopping();
    log_info("wowkiosk stopped");
    return status;
}

bool program_restart_requested(const struct program *p)
{
    return p != NULL && p->technician != NULL && technician_glue_restart_requested(p->technician);
}

void program_destroy(struct program *p)
{
    if (p == NULL)
        return;
    script_driver_destroy(p->script);
    if (p->display != NULL)
        display_destroy(p->display);
    if (p->kiosk != NULL)
        kiosk_destroy(p->kiosk);
    technician_glue_destroy(p->technician);
    update_destroy(p->update);
    if (p->session != NULL)
        session_set_sync(p->session, NULL); /* the writer must not tell a stopped thread */
    sync_thread_stop(p->sync);
    session_destroy(p->session, clock_read(&p->clock).utc_ms);
    frame_destroy(p->frame);
    tz_destroy(p->tz);
    free(p);
}
