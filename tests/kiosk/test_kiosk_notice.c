/*
 * test_kiosk_notice: the technician's notice screen's words, composed by
 * the program (app/kiosk/notice.c) rather than passed as fake config
 * errors: failed start-up checks become lines of their own with their own
 * heading; a config's errors keep their FILE:LINE: key: message form; a
 * notice over a last good config ends, one over a bad config does not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layers.h"
#include "notice.h"
#include "syscheck.h"

static void add_item(struct syscheck_report *r, enum syscheck_severity severity, const char *check,
                     const char *message)
{
    struct syscheck_item *item = &r->items[r->count++];
    item->severity = severity;
    item->check = check;
    snprintf(item->message, sizeof item->message, "%s", message);
}

static void test_failed_checks(void **state)
{
    (void)state;
    static struct notice n;
    static struct syscheck_report r;
    add_item(&r, SYSCHECK_OK, "drm", "card0 is readable");
    add_item(&r, SYSCHECK_WARN, "touch", "no touch screen found");
    add_item(&r, SYSCHECK_ERROR, "input", "no /dev/input/event* is readable");
    n = (struct notice){0};
    notice_of_checks(&n, &r, "k1", 1000);
    const struct ui_notice *ui = notice_ui(&n, 1000);
    assert_non_null(ui);
    assert_string_equal(ui->heading, "Start-up check failed");
    assert_string_equal(ui->title, "kiosk k1, wowkiosk " WOW_VERSION);
    assert_int_equal(ui->line_count, 1);
    assert_int_equal(ui->total, 1);
    assert_string_equal(ui->lines[0], "start-up check:1: input: no /dev/input/event* is readable");
    assert_non_null(strstr(ui->help, "journalctl -u wowkiosk"));
    assert_int_equal(notice_deadline_ms(&n, 1000), 1000 + NOTICE_SHOW_MS);
    assert_null(notice_ui(&n, 1000 + NOTICE_SHOW_MS)); /* then the kiosk runs on */

    /* No error: no notice. */
    r.count = 2;
    n = (struct notice){0};
    notice_of_checks(&n, &r, "k1", 1000);
    assert_false(notice_set(&n));
    assert_null(notice_ui(&n, 1000));
}

static void test_config_errors(void **state)
{
    (void)state;
    static struct layers l;
    static struct notice n;
    l = (struct layers){.bad = true};
    snprintf(l.files, sizeof l.files, "/etc/wowkiosk/kiosk.conf");
    struct config_error *e = &l.errors.error[l.errors.count++];
    snprintf(e->file, sizeof e->file, "/etc/wowkiosk/kiosk.conf");
    e->line = 4;
    snprintf(e->key, sizeof e->key, "kiosk.languages");
    snprintf(e->message, sizeof e->message, "expected language codes");
    l.errors.total = 30;
    notice_of_config(&n, &l, 1000);
    const struct ui_notice *ui = notice_ui(&n, 1000 + 10 * NOTICE_SHOW_MS);
    assert_non_null(ui); /* a bad config: for good */
    assert_null(ui->heading);
    assert_null(ui->help); /* the screen's own: how to check a config */
    assert_string_equal(ui->title, "/etc/wowkiosk/kiosk.conf");
    assert_int_equal(ui->line_count, 1);
    assert_int_equal(ui->total, 30);
    assert_string_equal(ui->lines[0],
                        "/etc/wowkiosk/kiosk.conf:4: kiosk.languages: expected language codes");
    assert_int_equal(notice_deadline_ms(&n, 1000), INT64_MAX);

    /* A config's notice comes before the checks'. */
    static struct syscheck_report r;
    add_item(&r, SYSCHECK_ERROR, "input", "no /dev/input/event* is readable");
    notice_of_checks(&n, &r, "k1", 1000);
    assert_int_equal(notice_ui(&n, 1000)->total, 30);

    /* Running on the last good config: shown for a while, then gone. */
    l.bad = false;
    l.fell_back = true;
    notice_of_config(&n, &l, 1000);
    ui = notice_ui(&n, 1000);
    assert_non_null(ui);
    assert_string_equal(ui->title,
                        "/etc/wowkiosk/kiosk.conf (running on the last good config meanwhile)");
    assert_null(notice_ui(&n, 1000 + NOTICE_SHOW_MS));

    /* A good config: none. */
    l.fell_back = false;
    notice_of_config(&n, &l, 1000);
    assert_null(notice_ui(&n, 1000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_checks),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
