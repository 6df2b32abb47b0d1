/*
 * self_test: --self-test and --hash-pin (see self_test.h).
 */
#include "self_test.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "config.h"
#include "display.h"
#include "file.h"
#include "frame.h"
#include "kiosk.h"
#include "layers.h"
#include "notice.h"
#include "options.h"
#include "paths.h"
#include "status.h"
#include "sync_probe.h"
#include "technician.h"

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
                 file_error(err_no));
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

static bool self_test_config(const struct self_test_parts *p)
{
    const struct layers *l = p->layers;
    if (l->bad || l->fell_back) {
        /* the first error itself (FILE:LINE: key: message), so that the
           line alone, as slot-check reports it, says what to fix */
        char detail[PATH_MAX + 1024];
        layers_error_summary(&l->errors, detail, sizeof detail);
        report(false, "config", detail);
        return false;
    }
    /* the boot partition's file missing is no fault of this slot's system:
     * ok, but said (slot-check must not mark a slot bad for it) */
    char detail[PATH_MAX + 64];
    snprintf(detail, sizeof detail, "%s%s%s%s", l->files, l->override_missing ? " (" : "",
             l->override_missing ? l->missing_override : "",
             l->override_missing ? " is missing: its last good copy runs)" : "");
    report(true, "config", detail);
    return true;
}

static bool self_test_store(const struct self_test_parts *p)
{
    if (p->layers->bad) { /* the defaults' kiosk id would be written into a new store */
        report(false, "store", "not opened: the config has errors");
        return false;
    }
    char detail[PATH_MAX + 128];
    bool ok = status_store_usable(p->store_path, p->layers->config.kiosk_id,
                                  clock_read(p->clock).utc_ms, detail, sizeof detail);
    report(ok, "store", detail);
    return ok;
}

static bool self_test_checks(const struct self_test_parts *p)
{
    bool ok = status_run_checks(p->status, p->store_path);
    const struct syscheck_report *checks = &p->status->checks;
    for (int i = 0; i < checks->count; i++) {
        const struct syscheck_item *item = &checks->items[i];
        report(item->severity != SYSCHECK_ERROR, item->check, item->message);
    }
    return ok;
}

/* Presents one frame here: the config's notice, or the customer's first
 * screen. */
static bool present_frame(const struct self_test_parts *p, struct display *display)
{
    struct frame *frame = frame_create(&p->layers->config, p->options->assets_dir, NULL);
    if (frame == NULL)
        return false;
    struct clock_now now = clock_read(p->clock);
    const struct ui_notice *notice = notice_ui(p->notice, now.mono_ms);
    struct kiosk_view view;
    if (notice == NULL)
        view = kiosk_view(p->kiosk);
    struct frame_content content = {.view = notice == NULL ? &view : NULL, .notice = notice};
    frame_draw(frame, display, &content, now.utc_ms);
    frame_destroy(frame);
    return true;
}

static bool self_test_display(const struct self_test_parts *p)
{
    char why[PATH_MAX + 128];
    if (running_kiosk_ready(why, sizeof why)) {
        report(true, "display", why);
        return true;
    }
    printf("     (%s; presenting a frame here)\n", why);
    struct display *display = frame_open_display(p->options, &p->layers->config);
    if (display == NULL) {
        report(false, "display", "no display could be opened (see the log above)");
        return false;
    }
    bool ok = present_frame(p, display);
    display_destroy(display);
    report(ok, "display", ok ? "one frame presented" : "out of memory");
    return ok;
}

/* The sync target, reported apart: a kiosk that cannot sync still serves. */
static bool self_test_sync(const struct self_test_parts *p)
{
    char detail[1024];
    enum sync_probe_result r =
        sync_probe(p->sync_target, SELF_TEST_SYNC_TIMEOUT_MS, detail, sizeof detail);
    bool ok = r == SYNC_PROBE_OK || r == SYNC_PROBE_OFF;
    printf("%s sync (%s): %s\n", ok ? "ok  " : "FAIL", sync_probe_name(r), detail);
    return ok;
}

int self_test_run(const struct self_test_parts *p)
{
    bool ok = self_test_config(p);
    ok = self_test_store(p) && ok;
    ok = self_test_checks(p) && ok;
    ok = self_test_display(p) && ok;
    bool syncs = p->layers->bad || self_test_sync(p);
    if (ok && !syncs) {
        printf("self-test: passed, but this kiosk cannot sync: it collects, its counts wait "
               "(exit %d)\n",
               SELF_TEST_CANNOT_SYNC);
        return SELF_TEST_CANNOT_SYNC;
    }
    printf("self-test: %s\n", ok ? "passed" : "FAILED");
    return ok ? 0 : 1;
}

int self_test_hash_pin(void)
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
