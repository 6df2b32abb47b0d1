/*
 * test_kiosk_layers: the kiosk's config layers and their last good copies
 * (app/kiosk/layers.c), in a state directory of their own.
 *
 * - A main file and an override that load are kept as last-good.conf and
 *   last-good.override.conf.
 * - Regression (power-cut test, a boot whose boot partition timed out):
 *   with the override missing the kiosk ran on the image's shared file
 *   alone, as "unnamed" in the default department, syncing to the default
 *   target, and the copy of the override was removed.  Now its last good
 *   copy runs in its place over the main file as it is now, flagged for the
 *   technician's notice, the Config row and the heartbeat, and kept.
 * - No override ever and no copy: the main file alone, as before.
 * - An empty override file is how a technician says none: the main file
 *   alone, and the copy becomes the empty file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "layers.h"
#include "log.h"
#include "notice.h"
#include "status.h"
#include "ui.h"

#define MAIN_TEXT                                                                                  \
    "[kiosk]\nid = unnamed\nsite = Main street\ndepartment = front\n\n"                            \
    "[department front]\nname = Front desk\n\n[department lab]\nname = Lab\n"
#define MAIN_TEXT_NEW                                                                              \
    "[kiosk]\nid = unnamed\nsite = New street\ndepartment = front\n\n"                             \
    "[department front]\nname = Front desk\n\n[department lab]\nname = Lab\n"
#define OVERRIDE_TEXT                                                                              \
    "[kiosk]\nid = front-7\ndepartment = lab\n\n[sync]\n"                                          \
    "target = postgresql://kiosk@db.example/wow\n"

struct dir {
    char root[64];
    char main_path[128], override_path[128], state[128];
    char kept_main[160], kept_override[160];
};

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/* The file's text, or NULL when it does not exist; the caller frees it. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char *text = calloc(1, 4096);
    assert_non_null(text);
    size_t n = fread(text, 1, 4095, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void assert_file_text(const char *path, const char *expected)
{
    char *text = read_file(path);
    assert_non_null(text);
    assert_string_equal(text, expected);
    free(text);
}

/* A fresh directory with the main file, the boot partition's file and the
 * kiosk's state directory (STATE_DIRECTORY). */
static void dir_make(struct dir *d)
{
    snprintf(d->root, sizeof d->root, "/tmp/wow-layers-XXXXXX");
    assert_non_null(mkdtemp(d->root));
    snprintf(d->main_path, sizeof d->main_path, "%s/kiosk.conf", d->root);
    snprintf(d->override_path, sizeof d->override_path, "%s/wowkiosk.conf", d->root);
    snprintf(d->state, sizeof d->state, "%s/state", d->root);
    snprintf(d->kept_main, sizeof d->kept_main, "%s/last-good.conf", d->state);
    snprintf(d->kept_override, sizeof d->kept_override, "%s/last-good.override.conf", d->state);
    assert_int_equal(setenv("STATE_DIRECTORY", d->state, 1), 0);
    write_file(d->main_path, MAIN_TEXT);
}

static void dir_remove(const struct dir *d)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->root);
    assert_int_equal(system(cmd), 0);
}

static const char *department_id(const struct config *c)
{
    return c->departments[c->department].id;
}

/* The first boot with both files keeps both; with the override gone, its
 * copy runs over the main file as it is now, and stays. */
static void test_missing_override_runs_on_its_last_good_copy(void **state)
{
    (void)state;
    static struct layers l;
    struct dir d;
    dir_make(&d);
    write_file(d.override_path, OVERRIDE_TEXT);
    layers_load(&l, d.main_path, d.override_path);
    assert_false(l.bad);
    assert_false(l.override_missing);
    assert_string_equal(l.config.kiosk_id, "front-7");
    assert_file_text(d.kept_main, MAIN_TEXT);
    assert_file_text(d.kept_override, OVERRIDE_TEXT);

    assert_int_equal(unlink(d.override_path), 0); /* the boot partition did not mount */
    write_file(d.main_path, MAIN_TEXT_NEW);       /* and the image's file changed */
    for (int boot = 0; boot < 2; boot++) {        /* and again at the next boot */
        layers_load(&l, d.main_path, d.override_path);
        assert_false(l.bad);
        assert_string_equal(l.config.kiosk_id, "front-7");
        assert_string_equal(department_id(&l.config), "lab");
        assert_string_equal(l.config.sync_target, "postgresql://kiosk@db.example/wow");
        assert_string_equal(l.config.site, "New street");
        assert_false(l.fell_back);
        assert_true(l.override_missing);
        assert_string_equal(l.missing_override, d.override_path);
        assert_string_equal(l.override_path, d.kept_override); /* a catalog is checked over it */
        assert_file_text(d.kept_override, OVERRIDE_TEXT);
        assert_file_text(d.kept_main, MAIN_TEXT_NEW);
    }
    char files[512];
    snprintf(files, sizeof files, "%s + %s", d.main_path, d.kept_override);
    assert_string_equal(l.files, files);

    /* Seen: the heartbeat's problem, the Config row, a timed notice. */
    char problem[640], expected[640];
    layers_problem(&l, problem, sizeof problem);
    snprintf(expected, sizeof expected, "config: %s is missing: running on its last good copy",
             d.override_path);
    assert_string_equal(problem, expected);
    struct status s = {0};
    struct status_sources src = {
        .config = &l.config, .config_files = l.files, .config_problem = problem, .store_path = "x"};
    static struct ui_technician t;
    status_rows(&s, &src, (struct clock_now){.mono_ms = 1000}, &t);
    int row = 0;
    while (row < t.row_count && strcmp(t.rows[row].label, "Config") != 0)
        row++;
    assert_true(row < t.row_count);
    assert_true(t.rows[row].warn);
    assert_non_null(strstr(t.rows[row].value, "is missing"));
    /* no notice: the kiosk collects at once, on its own settings */
    static struct notice n;
    notice_of_config(&n, &l, 1000);
    assert_null(notice_ui(&n, 1000));

    /* The file back: the kiosk's own files again. */
    write_file(d.override_path, OVERRIDE_TEXT);
    layers_load(&l, d.main_path, d.override_path);
    assert_false(l.override_missing);
    layers_problem(&l, problem, sizeof problem);
    assert_string_equal(problem, "");
    dir_remove(&d);
}

/* No override ever, no copy: the main file alone, as before. */
static void test_no_override_ever_runs_on_main_alone(void **state)
{
    (void)state;
    static struct layers l;
    struct dir d;
    dir_make(&d);
    layers_load(&l, d.main_path, d.override_path);
    assert_false(l.bad);
    assert_false(l.override_missing);
    assert_string_equal(l.config.kiosk_id, "unnamed");
    assert_string_equal(department_id(&l.config), "front");
    assert_string_equal(l.files, d.main_path);
    assert_string_equal(l.override_path, "");
    assert_file_text(d.kept_main, MAIN_TEXT);
    assert_null(read_file(d.kept_override));
    static struct notice n;
    notice_of_config(&n, &l, 1000);
    assert_false(notice_set(&n));
    dir_remove(&d);
}

/* An empty override: none, and the copy is replaced by it. */
static void test_empty_override_replaces_the_copy(void **state)
{
    (void)state;
    static struct layers l;
    struct dir d;
    dir_make(&d);
    write_file(d.override_path, OVERRIDE_TEXT);
    layers_load(&l, d.main_path, d.override_path);
    assert_file_text(d.kept_override, OVERRIDE_TEXT);
    write_file(d.override_path, "");
    layers_load(&l, d.main_path, d.override_path);
    assert_false(l.bad);
    assert_false(l.override_missing);
    assert_string_equal(l.config.kiosk_id, "unnamed");
    assert_string_equal(department_id(&l.config), "front");
    assert_file_text(d.kept_override, "");

    /* and with the file then missing, the empty copy runs: still none */
    assert_int_equal(unlink(d.override_path), 0);
    layers_load(&l, d.main_path, d.override_path);
    assert_false(l.bad);
    assert_string_equal(l.config.kiosk_id, "unnamed");
    dir_remove(&d);
}

int main(void)
{
    log_init("test_kiosk_layers", LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_override_runs_on_its_last_good_copy),
        cmocka_unit_test(test_no_override_ever_runs_on_main_alone),
        cmocka_unit_test(test_empty_override_replaces_the_copy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
