/*
 * startup: what the kiosk checks before and besides SDL.
 *
 * The start-up checks (platform/os/syscheck) find what would make a kiosk
 * under systemd fail silently: a DRM device or input devices the service
 * user cannot open, no display connected, a store directory it cannot
 * write.  Each finding is a journal line, an entry on the error screen (for
 * CHECKS_SHOW_MS; the kiosk then runs on, a check can be wrong) and the
 * heartbeat's last_error, so the fleet page names a kiosk that cannot work.
 *
 * --self-test is what an A/B update system runs before it marks a new slot
 * good: the config loads, the store opens, the checks pass, and a frame is
 * presented: by the running service (its ready file names a live process of
 * this version) or, when none runs, by the self-test itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "app.h"
#include "file.h"
#include "paths.h"
#include "store.h"
#include "technician.h"

/* Is the video driver the one that talks to DRM and evdev directly? */
static bool using_kmsdrm(void)
{
    const char *driver = getenv("SDL_VIDEODRIVER");
    return driver != NULL && strcmp(driver, "kmsdrm") == 0;
}

bool app_startup_checks(struct app *app)
{
    struct syscheck_options o = {
        .root = "", .kmsdrm = using_kmsdrm(), .store_path = app->store_path};
    syscheck_run(&o, &app->checks);
    syscheck_log(&app->checks);
    app->problem[0] = '\0';
    if (syscheck_count(&app->checks, SYSCHECK_WARN) > 0)
        syscheck_summary(&app->checks, app->problem, sizeof app->problem);
    return syscheck_count(&app->checks, SYSCHECK_ERROR) == 0;
}

void app_mark_ready(const struct app *app)
{
    char path[PATH_MAX], text[96];
    int err_no = 0;
    if (!paths_state_file("ready", path, sizeof path))
        return;
    snprintf(text, sizeof text, "%ld %s %" PRId64 "\n", (long)getpid(), WOW_VERSION,
             clock_read(&app->clock).utc_ms);
    if (!file_write_text(path, text, &err_no))
        log_warn("cannot write %s (used by --self-test): %s", path, strerror(err_no));
}

/* True when the ready file names a live process running this version. */
static bool running_kiosk_ready(char *why, size_t size)
{
    char path[PATH_MAX];
    if (!paths_state_file("ready", path, sizeof path))
        return false;
    int err_no = 0;
    char *text = file_read_text(path, &err_no);
    if (text == NULL) {
        snprintf(why, size, "no running kiosk has presented a frame (%s: %s)", path,
                 strerror(err_no));
        return false;
    }
    char *end, version[32] = "";
    errno = 0;
    long pid = strtol(text, &end, 10);
    bool ok = end != text && *end == ' ' && pid > 0 && errno == 0;
    if (ok) {
        size_t len = strcspn(end + 1, " \n");
        ok = len > 0 && len < sizeof version;
        if (ok)
            memcpy(version, end + 1, len);
    }
    free(text);
    if (!ok) {
        snprintf(why, size, "%s: expected \"PID VERSION UTC_MS\"", path);
        return false;
    }
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/%ld", pid);
    if (access(proc, F_OK) != 0 || (pid_t)pid == getpid()) {
        snprintf(why, size, "the kiosk that wrote %s (pid %ld) is not running", path, pid);
        return false;
    }
    if (strcmp(version, WOW_VERSION) != 0) {
        snprintf(why, size, "the running kiosk (pid %ld) is version %s, not %s", pid, version,
                 WOW_VERSION);
        return false;
    }
    snprintf(why, size, "the running kiosk (pid %ld, %s) presented its first frame", pid, version);
    return true;
}

static void report(bool ok, const char *what, const char *detail)
{
    printf("%s %s: %s\n", ok ? "ok  " : "FAIL", what, detail);
}

static bool self_test_store(struct app *app)
{
    struct store *store = NULL;
    struct store_health health;
    if (store_open(&store, app->store_path, app->config.kiosk_id, clock_read(&app->clock).utc_ms,
                   &health) != 0) {
        report(false, "store", app->store_path);
        return false;
    }
    long long wal = 0;
    bool ok = store_pragma_int(store, "user_version", &wal) == 0;
    char detail[PATH_MAX + 64];
    snprintf(detail, sizeof detail, "%s opened%s", app->store_path,
             health.quarantined ? " (a damaged file was moved aside)" : "");
    report(ok, "store", detail);
    store_close(store);
    return ok;
}

static bool self_test_display(struct app *app)
{
    char why[PATH_MAX + 128];
    if (running_kiosk_ready(why, sizeof why)) {
        report(true, "display", why);
        return true;
    }
    printf("     (%s; presenting a frame here)\n", why);
    if (!app_create_display(app)) {
        report(false, "display", "no display could be opened (see the log above)");
        return false;
    }
    app_draw_frame(app, clock_read(&app->clock));
    report(true, "display", "one frame presented");
    return true;
}

int app_self_test(struct app *app)
{
    bool ok = true;
    if (app->config_bad || app->error_screen_until_ms > 0) {
        char detail[PATH_MAX + 64];
        snprintf(detail, sizeof detail, "%d errors in %s", app->config_errors.total,
                 app->config_files);
        report(false, "config", detail);
        ok = false;
    } else {
        report(true, "config", app->config_files);
    }
    if (app->config_bad) /* the defaults' kiosk id would be written into a new store */
        report(false, "store", "not opened: the config has errors");
    else
        ok = self_test_store(app) && ok;
    bool checks = app_startup_checks(app);
    for (int i = 0; i < app->checks.count; i++) {
        const struct syscheck_item *item = &app->checks.items[i];
        report(item->severity != SYSCHECK_ERROR, item->check, item->message);
    }
    ok = checks && ok;
    ok = self_test_display(app) && ok;
    printf("self-test: %s\n", ok ? "passed" : "FAILED");
    return ok ? 0 : 1;
}

int app_hash_pin(void)
{
    char pin[64] = "";
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "PIN (%d to %d digits): ", TECHNICIAN_PIN_MIN, TECHNICIAN_PIN_MAX);
    if (fgets(pin, sizeof pin, stdin) == NULL) {
        fprintf(stderr, "wowkiosk: --hash-pin: expected a PIN on standard input\n");
        return 2;
    }
    pin[strcspn(pin, "\r\n")] = '\0';
    size_t len = strlen(pin);
    if (len < TECHNICIAN_PIN_MIN || len > TECHNICIAN_PIN_MAX || strspn(pin, "0123456789") != len) {
        fprintf(stderr, "wowkiosk: --hash-pin: expected %d to %d digits, got %zu characters\n",
                TECHNICIAN_PIN_MIN, TECHNICIAN_PIN_MAX, len);
        return 2;
    }
    char hash[CONFIG_PIN_HASH_MAX];
    bool ok = pin_hash(pin, hash, sizeof hash);
    memset(pin, 0, sizeof pin);
    if (!ok) {
        fprintf(stderr, "wowkiosk: --hash-pin: hashing failed (out of memory?)\n");
        return 1;
    }
    printf("[technician]\npin_hash = %s\n", hash);
    return 0;
}
