/*
 * app: what the kiosk program's files share: its options and the state of
 * the running kiosk.  wowkiosk.c creates and runs it; technician_glue.c
 * connects the technician screen to it; startup.c holds the start-up
 * checks and --self-test.
 */
#ifndef WOW_APP_H
#define WOW_APP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "config.h"
#include "kiosk.h"
#include "log.h"
#include "script.h"
#include "syscheck.h"
#include "technician.h"
#include "ui.h"

/* The boot partition's file, read key by key over --config when it exists. */
#define APP_BOOT_OVERRIDE "/boot/firmware/wowkiosk.conf"
/* The technician's choices (the department switch), in the state directory. */
#define APP_TECHNICIAN_CONF "technician.conf"

struct options {
    const char *config_path;
    const char *override_path; /* NULL: APP_BOOT_OVERRIDE; "none": no override */
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
    bool self_test;
    bool hash_pin;
    enum log_level log_level;
    char **argv;                     /* for a restart: the same program and options again */
    char installed_assets[PATH_MAX]; /* assets_dir of an installed binary */
};

/* Everything the running kiosk owns; torn down in reverse order of creation. */
struct app {
    struct options options;
    struct config config;
    struct config_errors config_errors;
    bool config_bad;                 /* show the config error screen, collect nothing */
    int64_t error_screen_until_ms;   /* on the last good config: errors shown till then */
    char error_title[PATH_MAX + 64]; /* the error screen's file line */
    char error_heading[64];          /* "" = "Configuration error" */
    char error_help[160];            /* "" = how to check a config */
    char config_files[3 * 96];       /* the files the config came from, for the screen */
    int64_t clock_offset;
    struct clock clock;
    struct tz *tz;
    struct catalog *catalogs[CONFIG_MAX_LANGUAGES];
    char store_path[CONFIG_PATH_MAX];
    struct session *session;
    struct sync_thread *sync; /* NULL when sync is off or could not start */
    struct kiosk *kiosk;
    struct display *display;
    struct ui_frame *frame;
    struct kiosk_actions pending; /* records to make once the frame is presented */

    struct syscheck_report checks; /* the start-up checks' findings */
    char problem[256];             /* their summary; "" when all is well */

    struct technician *technician;
    struct technician_view technician_view;
    struct ui_technician technician_ui;
    bool department_overridden; /* the technician chose it (technician.conf) */
    int64_t start_mono_ms;

    bool ready_sent;          /* systemd told READY=1 */
    int64_t watchdog_ms;      /* 0: no watchdog */
    int64_t watchdog_next_ms; /* mono time of the next WATCHDOG=1 */
    bool restart;             /* exec the program again once torn down */

    struct script script;
    int script_pos;
    int64_t script_next_ms;
    int press_x, press_y;
    int screenshot_count;
    long frames;
    int exit_code;
};

/* ---- wowkiosk.c ---- */

/* Loads the config (with its layers) into app, or shows why it cannot. */
void app_load_config(struct app *app, struct clock_now now);

/* Opens the display for the config's rotation and the options' size. */
bool app_create_display(struct app *app);

/* Lays out and presents the current screen. */
void app_draw_frame(struct app *app, struct clock_now now);

/* ---- technician_glue.c ---- */

/* Creates the technician machine with the lock kept on disk. */
bool app_technician_create(struct app *app);

/* Passes a press (down) or release to the technician screens.  Returns true
 * when they took it (a customer target must not see it); *redraw is set
 * when the screen changed. */
bool app_technician_input(struct app *app, bool down, int x, int y, struct clock_now now,
                          bool *redraw);

/* TICK for the technician machine; true when the screen must be redrawn. */
bool app_technician_tick(struct app *app, struct clock_now now);

/* The ui's view of the technician screen, refreshed (status rows and all)
 * when one is shown; NULL when hidden. */
const struct ui_technician *app_technician_ui(struct app *app, struct clock_now now);

/* Maps a script's tech target name ("pin:3", "tech:sync") to a target on
 * the current frame, or NULL. */
const struct ui_target *app_technician_find(const struct app *app, const char *name);

/* ---- startup.c ---- */

/* Runs the start-up checks for this kiosk (DRM, display and input only
 * under the kmsdrm video driver), logs each problem, and fills app->checks
 * and app->problem.  Returns false when one of them is an error. */
bool app_startup_checks(struct app *app);

/* Writes the state directory's ready file (pid, version, time) once the
 * first frame is presented: --self-test's proof that the service runs. */
void app_mark_ready(const struct app *app);

/* --self-test: config, store, checks, one presented frame.  Exit status. */
int app_self_test(struct app *app);

/* --hash-pin: reads a PIN from stdin, prints the config line.  Exit status. */
int app_hash_pin(void);

#endif
