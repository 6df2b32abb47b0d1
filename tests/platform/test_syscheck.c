/*
 * test_syscheck: the start-up checks on a fake /dev and /sys built in a
 * temporary directory.
 *
 * Tests run as root in CI, and root passes access(2) whatever the mode bits
 * say, so "this device cannot be opened" is tested two ways: through the
 * injectable can_access (deterministic: every message's wording), and once
 * through the real faccessat in a forked child that drops to the unprivileged
 * user nobody (65534) first (the real permission path, mode bits 0000).
 */
#define _DEFAULT_SOURCE 1 /* setgroups */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "syscheck.h"

struct tree {
    char root[64];
    char store[128];              /* root/var/lib/wowkiosk/kiosk.db */
    const char *denied[8];        /* basenames the fake can_access refuses */
    struct syscheck_options opts; /* kmsdrm, root and the fake access set */
    struct syscheck_report report;
};

/* Writes root/rel with content and mode, creating its parent directories. */
static void put(const char *root, const char *rel, const char *content, mode_t mode)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
        *p = '/';
    }
    if (content == NULL) { /* a directory */
        assert_true(mkdir(path, mode) == 0 || errno == EEXIST);
        assert_int_equal(chmod(path, mode), 0);
        return;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    assert_int_equal(chmod(path, mode), 0);
}

/* The fake can_access: refuses the tree's denied names, else asks whether
 * the file exists (a missing file must still fail). */
static bool fake_access(const char *path, int mode, void *ctx)
{
    const struct tree *t = ctx;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (int i = 0; i < 8 && t->denied[i] != NULL; i++) {
        if (strcmp(base, t->denied[i]) == 0) {
            errno = EACCES;
            return false;
        }
    }
    return access(path, F_OK) == 0;
}

/* A kiosk as it should be: two cards, HDMI-A-1 connected, a touchscreen on
 * event1 beside a button device on event0, a writable store directory. */
static int setup(void **state)
{
    struct tree *t = calloc(1, sizeof *t);
    snprintf(t->root, sizeof t->root, "/tmp/wow-syscheck-XXXXXX");
    assert_non_null(mkdtemp(t->root));
    assert_int_equal(chmod(t->root, 0755), 0);
    put(t->root, "dev/dri/card0", "", 0660);
    put(t->root, "dev/dri/card1", "", 0660);
    put(t->root, "dev/dri/renderD128", "", 0660);
    put(t->root, "sys/class/drm/card1", NULL, 0755);
    put(t->root, "sys/class/drm/version", "drm 1.1.0\n", 0644);
    put(t->root, "sys/class/drm/card1-HDMI-A-1/status", "connected\n", 0644);
    put(t->root, "sys/class/drm/card1-HDMI-A-2/status", "disconnected\n", 0644);
    put(t->root, "dev/input/event0", "", 0660);
    put(t->root, "dev/input/event1", "", 0660);
    put(t->root, "dev/input/mice", "", 0660);
    put(t->root, "sys/class/input/event0/device/capabilities/abs", "0\n", 0644);
    put(t->root, "sys/class/input/event0/device/name", "gpio_keys\n", 0644);
    put(t->root, "sys/class/input/event1/device/capabilities/abs", "2608000 3\n", 0644);
    put(t->root, "sys/class/input/event1/device/name", "generic ft5x06 (79)\n", 0644);
    put(t->root, "var/lib/wowkiosk", NULL, 0755);
    snprintf(t->store, sizeof t->store, "%s/var/lib/wowkiosk/kiosk.db", t->root);
    t->opts = (struct syscheck_options){.root = t->root,
                                        .kmsdrm = true,
                                        .store_path = t->store,
                                        .can_access = fake_access,
                                        .access_ctx = t};
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static void rm(const struct tree *t, const char *rel)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s/%s'", t->root, rel);
    assert_int_equal(system(cmd), 0);
}

static const struct syscheck_item *item(const struct tree *t, const char *check)
{
    for (int i = 0; i < t->report.count; i++)
        if (strcmp(t->report.items[i].check, check) == 0)
            return &t->report.items[i];
    fail_msg("no %s item in the report", check);
    return &t->report.items[0]; /* not reached: fail_msg does not return */
}

static void assert_contains(const char *text, const char *needle)
{
    if (strstr(text, needle) == NULL)
        fail_msg("\"%s\" does not contain \"%s\"", text, needle);
}

/* "root:root 0660": what the check should say of a file the test made. */
static void owner_of(const char *path, char *buf, size_t size)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    struct passwd *pw = getpwuid(st.st_uid);
    struct group *gr = getgrgid(st.st_gid);
    assert_non_null(pw);
    assert_non_null(gr);
    snprintf(buf, size, "%s:%s %04o", pw->pw_name, gr->gr_name, (unsigned)(st.st_mode & 07777));
}

static void test_all_good(void **state)
{
    struct tree *t = *state;
    assert_true(syscheck_run(&t->opts, &t->report));
    for (int i = 0; i < t->report.count; i++)
        print_message("%s: %s\n", t->report.items[i].check, t->report.items[i].message);
    assert_int_equal(t->report.count, 5);
    assert_int_equal(syscheck_count(&t->report, SYSCHECK_WARN), 0);
    assert_contains(item(t, "drm")->message, "/dev/dri/card0 is readable and writable");
    assert_contains(item(t, "display")->message, "display connected: card1-HDMI-A-1");
    assert_null(strstr(item(t, "display")->message, "HDMI-A-2"));
    assert_contains(item(t, "input")->message, "event0, event1 (of 2 in");
    assert_contains(item(t, "touch")->message, "event1 (generic ft5x06 (79))");
    assert_contains(item(t, "store")->message, "/var/lib/wowkiosk is writable");
    char summary[64] = "x";
    syscheck_summary(&t->report, summary, sizeof summary);
    assert_string_equal(summary, "");

    /* The probe file is gone: the directory is empty again. */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s/var/lib/wowkiosk')\"", t->root);
    assert_int_equal(system(cmd), 0);
}

/* Under X11, Wayland or the dummy driver the caller passes kmsdrm = false. */
static void test_kmsdrm_off_checks_the_store_only(void **state)
{
    struct tree *t = *state;
    rm(t, "dev");
    t->opts.kmsdrm = false;
    assert_true(syscheck_run(&t->opts, &t->report));
    assert_int_equal(t->report.count, 1);
    assert_string_equal(t->report.items[0].check, "store");
    t->opts.store_path = NULL;
    assert_true(syscheck_run(&t->opts, &t->report));
    assert_int_equal(t->report.count, 0);
}

static void test_no_drm_device(void **state)
{
    struct tree *t = *state;
    rm(t, "dev/dri");
    assert_false(syscheck_run(&t->opts, &t->report));
    const struct syscheck_item *drm = item(t, "drm");
    assert_int_equal(drm->severity, SYSCHECK_ERROR);
    assert_contains(drm->message, "no DRM device");
    assert_contains(drm->message, "/dev/dri/card*");
    assert_contains(drm->message, "vc4-kms-v3d");
    assert_int_equal(syscheck_count(&t->report, SYSCHECK_ERROR), 1);
}

static void test_drm_refused_names_devices_owner_and_group(void **state)
{
    struct tree *t = *state;
    t->denied[0] = "card0";
    t->denied[1] = "card1";
    assert_false(syscheck_run(&t->opts, &t->report));
    const struct syscheck_item *drm = item(t, "drm");
    print_message("%s\n", drm->message);
    assert_int_equal(drm->severity, SYSCHECK_ERROR);
    char path[160], owner[64], expect[128];
    snprintf(path, sizeof path, "%s/dev/dri/card0", t->root);
    owner_of(path, owner, sizeof owner);
    snprintf(expect, sizeof expect, "card0 (%s: Permission denied)", owner);
    assert_contains(drm->message, expect);
    assert_contains(drm->message, ", card1 (");
    assert_contains(drm->message, "the service user must be in group video (or render)");
    char who[64];
    snprintf(who, sizeof who, "as uid %lu (", (unsigned long)geteuid());
    assert_contains(drm->message, who);
    assert_null(strstr(drm->message, "renderD128"));
}

static void test_one_usable_card_suffices(void **state)
{
    struct tree *t = *state;
    t->denied[0] = "card0"; /* e.g. the Pi's v3d render-only card */
    assert_true(syscheck_drm(&t->opts, &t->report));
    assert_int_equal(t->report.items[0].severity, SYSCHECK_OK);
    assert_contains(t->report.items[0].message, "/dev/dri/card1 is readable");
}

static void test_no_display_connected_lists_connectors(void **state)
{
    struct tree *t = *state;
    put(t->root, "sys/class/drm/card1-HDMI-A-1/status", "disconnected\n", 0644);
    assert_false(syscheck_display(&t->opts, &t->report));
    const struct syscheck_item *d = item(t, "display");
    assert_int_equal(d->severity, SYSCHECK_ERROR);
    assert_contains(d->message, "no display connected (card1-HDMI-A-1 disconnected, card1-HDMI-A-2 "
                                "disconnected)");
}

/* vc4's writeback connector always reads "unknown": it is no screen, so it
 * must not turn "no display" into a warning, nor count as a connector. */
static void test_writeback_connector_is_no_display(void **state)
{
    struct tree *t = *state;
    put(t->root, "sys/class/drm/card1-HDMI-A-1/status", "disconnected\n", 0644);
    put(t->root, "sys/class/drm/card1-Writeback-1/status", "unknown\n", 0644);
    assert_false(syscheck_display(&t->opts, &t->report));
    assert_int_equal(item(t, "display")->severity, SYSCHECK_ERROR);
    assert_null(strstr(item(t, "display")->message, "Writeback"));
    rm(t, "sys/class/drm/card1-HDMI-A-1");
    rm(t, "sys/class/drm/card1-HDMI-A-2");
    t->report.count = 0;
    assert_false(syscheck_display(&t->opts, &t->report));
    assert_contains(item(t, "display")->message, "no display connector in");
}

static void test_unknown_display_state_is_a_warning(void **state)
{
    struct tree *t = *state;
    rm(t, "sys/class/drm/card1-HDMI-A-1");
    rm(t, "sys/class/drm/card1-HDMI-A-2");
    put(t->root, "sys/class/drm/card1-DPI-1/status", "unknown\n", 0644);
    assert_true(syscheck_display(&t->opts, &t->report));
    assert_int_equal(item(t, "display")->severity, SYSCHECK_WARN);
    assert_contains(item(t, "display")->message, "card1-DPI-1 unknown");
}

static void test_no_display_connector(void **state)
{
    struct tree *t = *state;
    rm(t, "sys/class/drm/card1-HDMI-A-1");
    rm(t, "sys/class/drm/card1-HDMI-A-2");
    assert_false(syscheck_display(&t->opts, &t->report));
    assert_contains(item(t, "display")->message, "no display connector in");
}

static void test_no_input_device(void **state)
{
    struct tree *t = *state;
    rm(t, "dev/input/event0");
    rm(t, "dev/input/event1");
    assert_false(syscheck_input(&t->opts, &t->report));
    assert_int_equal(t->report.count, 1); /* no touch item without inputs */
    assert_int_equal(item(t, "input")->severity, SYSCHECK_ERROR);
    assert_contains(item(t, "input")->message, "no input device");
}

static void test_input_refused_names_devices_and_group(void **state)
{
    struct tree *t = *state;
    t->denied[0] = "event0";
    t->denied[1] = "event1";
    assert_false(syscheck_input(&t->opts, &t->report));
    assert_int_equal(t->report.count, 1);
    const char *m = item(t, "input")->message;
    print_message("%s\n", m);
    assert_contains(m, "event0 (");
    assert_contains(m, "event1 (");
    assert_contains(m, "Permission denied");
    assert_contains(m, "must be in group input");
    assert_null(strstr(m, "mice"));
}

static void test_no_touch_device_is_a_warning(void **state)
{
    struct tree *t = *state;
    put(t->root, "sys/class/input/event1/device/capabilities/abs", "0 0 0\n", 0644);
    assert_true(syscheck_run(&t->opts, &t->report)); /* warnings only */
    const struct syscheck_item *touch = item(t, "touch");
    assert_int_equal(touch->severity, SYSCHECK_WARN);
    assert_contains(touch->message, "no touch-capable input device: none of event0, event1");
    char summary[SYSCHECK_MESSAGE_MAX + 32];
    syscheck_summary(&t->report, summary, sizeof summary);
    assert_string_equal(summary, "touch: no touch-capable input device: none of event0, event1 "
                                 "reports absolute axes (is the touchscreen connected?)");
}

/* A touchscreen readable only through a denied device does not count. */
static void test_unreadable_touchscreen_does_not_count(void **state)
{
    struct tree *t = *state;
    t->denied[0] = "event1";
    assert_true(syscheck_input(&t->opts, &t->report));
    assert_int_equal(item(t, "touch")->severity, SYSCHECK_WARN);
    assert_contains(item(t, "input")->message, "readable: event0 (of 2 in");
}

static void test_devices_sorted_by_number(void **state)
{
    struct tree *t = *state;
    put(t->root, "dev/input/event10", "", 0660);
    put(t->root, "dev/input/event2", "", 0660);
    assert_true(syscheck_input(&t->opts, &t->report));
    assert_contains(item(t, "input")->message, "event0, event1, event2, event10 (of 4");
}

static void test_store_directory_missing(void **state)
{
    struct tree *t = *state;
    rm(t, "var/lib/wowkiosk");
    assert_false(syscheck_store(t->store, &t->report));
    const char *m = item(t, "store")->message;
    print_message("%s\n", m);
    assert_contains(m, "/var/lib/wowkiosk is not writable");
    assert_contains(m, "No such file or directory");
    assert_contains(m, "(running as uid");
}

static void test_store_directory_is_a_file(void **state)
{
    struct tree *t = *state;
    rm(t, "var/lib/wowkiosk");
    put(t->root, "var/lib/wowkiosk", "not a directory", 0644);
    assert_false(syscheck_store(t->store, &t->report));
    assert_contains(item(t, "store")->message, "Not a directory");
}

static void test_store_relative_path(void **state)
{
    struct tree *t = *state;
    char cwd[512];
    assert_non_null(getcwd(cwd, sizeof cwd));
    char dir[160];
    snprintf(dir, sizeof dir, "%s/var/lib/wowkiosk", t->root);
    assert_int_equal(chdir(dir), 0);
    bool ok = syscheck_store("kiosk.db", &t->report);
    assert_int_equal(chdir(cwd), 0);
    assert_true(ok);
    assert_string_equal(item(t, "store")->message, "store directory . is writable");
}

/* In a child that is not root (dropping to nobody when run as root), the
 * real faccessat and open decide.  Returns a bit per failed expectation, 77
 * when privileges cannot be dropped. */
static int unprivileged_checks(struct tree *t)
{
    if (geteuid() == 0 && (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0))
        return 77;
    if (geteuid() == 0)
        return 77;
    int bad = 0;
    t->opts.can_access = NULL;
    t->report.count = 0;
    if (syscheck_drm(&t->opts, &t->report) || !strstr(t->report.items[0].message, "card1 ("))
        bad |= 1; /* both cards are mode 0000 */
    t->report.count = 0;
    if (!syscheck_input(&t->opts, &t->report) ||
        !strstr(t->report.items[0].message, "readable: event0 (of 2"))
        bad |= 2; /* event0 is 0644, event1 0000 */
    t->report.count = 0;
    if (syscheck_store(t->store, &t->report) ||
        !strstr(t->report.items[0].message, "Permission denied"))
        bad |= 4; /* the directory is 0555 */
    printf("unprivileged child (uid %lu): %s\n", (unsigned long)geteuid(),
           t->report.items[0].message);
    fflush(stdout);
    return bad;
}

static void test_real_permissions_unprivileged(void **state)
{
    struct tree *t = *state;
    put(t->root, "dev/dri/card0", "", 0000);
    put(t->root, "dev/dri/card1", "", 0000);
    put(t->root, "dev/input/event0", "", 0644);
    put(t->root, "dev/input/event1", "", 0000);
    put(t->root, "var/lib/wowkiosk", NULL, 0555);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(unprivileged_checks(t));
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == 77)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void add(struct syscheck_report *r, enum syscheck_severity s, const char *check,
                const char *message)
{
    struct syscheck_item *it = &r->items[r->count++];
    it->severity = s;
    it->check = check;
    snprintf(it->message, sizeof it->message, "%s", message);
}

static void test_summary_names_the_first_error_and_counts_the_rest(void **state)
{
    (void)state;
    struct syscheck_report r = {0};
    add(&r, SYSCHECK_OK, "drm", "fine");
    add(&r, SYSCHECK_WARN, "touch", "no touch");
    add(&r, SYSCHECK_ERROR, "display", "no display connected");
    add(&r, SYSCHECK_ERROR, "store", "not writable");
    char buf[128];
    syscheck_summary(&r, buf, sizeof buf);
    assert_string_equal(buf, "display: no display connected (+2 more)");
    char small[10];
    memset(small, 'Z', sizeof small);
    syscheck_summary(&r, small, sizeof small);
    assert_string_equal(small, "display: ");
    r.count = 2;
    syscheck_summary(&r, buf, sizeof buf);
    assert_string_equal(buf, "touch: no touch");
    assert_int_equal(syscheck_count(&r, SYSCHECK_OK), 2);
    assert_int_equal(syscheck_count(&r, SYSCHECK_ERROR), 0);
}

static void test_report_never_overflows(void **state)
{
    struct tree *t = *state;
    t->report.count = 0;
    for (int i = 0; i < 3 * SYSCHECK_MAX_ITEMS; i++)
        syscheck_display(&t->opts, &t->report);
    assert_int_equal(t->report.count, SYSCHECK_MAX_ITEMS);
}

/* syscheck_log writes one journal line per item at its level. */
static void test_log_lines(void **state)
{
    struct tree *t = *state;
    t->denied[0] = "card0";
    t->denied[1] = "card1";
    put(t->root, "sys/class/input/event1/device/capabilities/abs", "0\n", 0644);
    syscheck_run(&t->opts, &t->report);
    char path[] = "/tmp/wow-syscheck-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    syscheck_log(&t->report);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    char text[4096];
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    assert_true(n > 0);
    text[n] = '\0';
    assert_contains(text, "[error] syscheck: drm: cannot open the DRM device");
    assert_contains(text, "[info] syscheck: display: display connected");
    assert_contains(text, "[warn] syscheck: touch: no touch-capable");
    int lines = 0;
    for (const char *p = text; *p != '\0'; p++)
        lines += *p == '\n';
    assert_int_equal(lines, t->report.count);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_all_good),
        T(test_kmsdrm_off_checks_the_store_only),
        T(test_no_drm_device),
        T(test_drm_refused_names_devices_owner_and_group),
        T(test_one_usable_card_suffices),
        T(test_no_display_connected_lists_connectors),
        T(test_writeback_connector_is_no_display),
        T(test_unknown_display_state_is_a_warning),
        T(test_no_display_connector),
        T(test_no_input_device),
        T(test_input_refused_names_devices_and_group),
        T(test_no_touch_device_is_a_warning),
        T(test_unreadable_touchscreen_does_not_count),
        T(test_devices_sorted_by_number),
        T(test_store_directory_missing),
        T(test_store_directory_is_a_file),
        T(test_store_relative_path),
        T(test_real_permissions_unprivileged),
        cmocka_unit_test(test_summary_names_the_first_error_and_counts_the_rest),
        T(test_report_never_overflows),
        T(test_log_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
