/*
 * test_script: every --script command and target, and every error with
 * its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "script.h"

static void test_every_command(void **state)
{
    (void)state;
    struct script s;
    char err[256] = "";
    const char *text = "# a session\n"
                       "\n"
                       "wait 500\n"
                       "tap 100 200   # a comment after a command\n"
                       "tap face:4\n"
                       "tap reason:2\n"
                       "tap skip\n"
                       "press lang:fi\n"
                       "release\n"
                       "press 0 10000\n"
                       "release\r\n"
                       "tap department:front_desk-2\n"
                       "  screenshot\n"
                       "wait 0\n"
                       "wait 3600000\n"
                       "tap accessible\n"
                       "quit";
    if (!script_parse(&s, "t.script", text, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(s.count, 15);
    const struct script_step *st = s.steps;
    assert_int_equal(st[0].op, SCRIPT_WAIT);
    assert_int_equal(st[0].wait_ms, 500);
    assert_int_equal(st[0].line, 3);
    assert_int_equal(st[1].op, SCRIPT_TAP);
    assert_int_equal(st[1].target, SCRIPT_AT_XY);
    assert_int_equal(st[1].x, 100);
    assert_int_equal(st[1].y, 200);
    assert_int_equal(st[2].target, SCRIPT_AT_FACE);
    assert_int_equal(st[2].index, 4);
    assert_int_equal(st[3].target, SCRIPT_AT_REASON);
    assert_int_equal(st[3].index, 2);
    assert_int_equal(st[4].target, SCRIPT_AT_SKIP);
    assert_int_equal(st[5].op, SCRIPT_PRESS);
    assert_int_equal(st[5].target, SCRIPT_AT_LANG);
    assert_string_equal(st[5].name, "fi");
    assert_int_equal(st[6].op, SCRIPT_RELEASE);
    assert_int_equal(st[7].op, SCRIPT_PRESS);
    assert_int_equal(st[7].target, SCRIPT_AT_XY);
    assert_int_equal(st[7].y, 10000);
    assert_int_equal(st[8].op, SCRIPT_RELEASE);
    assert_int_equal(st[9].target, SCRIPT_AT_DEPARTMENT);
    assert_string_equal(st[9].name, "front_desk-2");
    assert_int_equal(st[10].op, SCRIPT_SCREENSHOT);
    assert_int_equal(st[10].line, 13);
    assert_int_equal(st[11].wait_ms, 0);
    assert_int_equal(st[12].wait_ms, 3600000);
    assert_int_equal(st[13].op, SCRIPT_TAP);
    assert_int_equal(st[13].target, SCRIPT_AT_ACCESSIBLE);
    assert_int_equal(st[14].op, SCRIPT_QUIT);
    assert_int_equal(st[14].line, 17);
    script_destroy(&s);
    assert_null(s.steps);
    assert_int_equal(s.count, 0);
}

static void test_empty(void **state)
{
    (void)state;
    struct script s;
    char err[64];
    assert_true(script_parse(&s, "e", "# nothing\n\n", err, sizeof err));
    assert_int_equal(s.count, 0);
    script_destroy(&s);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        const char *fragment;
    } cases[] = {
        {"jump", "expected wait, advance, tap, press, release, screenshot or quit, got 'jump'"},
        {"tap face:4 \xe4", "byte 0xe4 at column 12 is not UTF-8; expected UTF-8 text"},
        {"advance", "expected advance and milliseconds"},
        {"advance -5", "expected advance and milliseconds"},
        {"tap pin:10", "expected pin:0..pin:9"},
        {"tap pin:", "got 'pin:'"},
        {"tap pin:enter", "got 'pin:enter'"},
        {"tap tech:reboot", "got 'tech:reboot'"},
        {"tap tech-department:a.b", "got 'tech-department:a.b'"},
        {"wait", "expected wait and milliseconds from 0 to 3600000, got ''"},
        {"wait -1", "milliseconds from 0 to 3600000, got '-1'"},
        {"wait 3600001", "got '3600001'"},
        {"wait 1s", "got '1s'"},
        {"wait 5 6", "expected end of line after wait MS, got '6'"},
        {"tap", "expected X Y or a target after tap, got end of line"},
        {"press", "after press, got end of line"},
        {"tap 10", "expected X Y or face:N"},
        {"tap 10001 5", "expected a coordinate from 0 to 10000, got '10001'"},
        {"tap 5 -5", "coordinate from 0 to 10000, got '-5'"},
        {"tap 1 2 3", "expected end of line after X Y, got '3'"},
        {"tap face:0", "expected face:1 to face:4, got 'face:0'"},
        {"tap key:64", "expected key:0 to key:63, got 'key:64'"},
        {"tap key:", "got 'key:'"},
        {"tap comments", "expected X Y or face:N, reason:N, skip, comment, key:N"},
        {"tap face:5", "got 'face:5'"},
        {"tap face:", "got 'face:'"},
        {"tap reason:7", "expected reason:1 to reason:6, got 'reason:7'"},
        {"tap reason:0", "got 'reason:0'"},
        {"tap lang:fin", "expected lang: and a 2-letter code like lang:fi, got 'lang:fin'"},
        {"tap lang:F1", "got 'lang:F1'"},
        {"tap department:", "expected department: and an id"},
        {"tap department:a.b", "got 'department:a.b'"},
        {"tap department:abcdefghijabcdefghijabcdefghijabc", "got 'department:abcdef"},
        {"tap button", "got 'button'"},
        {"release 1", "expected end of line after release, got '1'"},
        {"screenshot now", "after screenshot, got 'now'"},
        {"quit 0", "after quit, got '0'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128], err[256] = "", want[160];
        snprintf(text, sizeof text, "wait 10\n# comment\n%s\nquit\n", cases[i].line);
        struct script s = {.count = 99};
        if (script_parse(&s, "bad.script", text, err, sizeof err))
            fail_msg("case %zu '%s' parsed", i, cases[i].line);
        assert_int_equal(s.count, 0);
        assert_null(s.steps);
        snprintf(want, sizeof want, "bad.script:3: ");
        if (strncmp(err, want, strlen(want)) != 0 || strstr(err, cases[i].fragment) == NULL)
            fail_msg("case %zu: '%s' lacks '%s%s'", i, err, want, cases[i].fragment);
    }
}

/* The technician screens' targets keep their whole word for the program. */
static void test_technician_targets(void **state)
{
    (void)state;
    static const char text[] = "tap pin:7\ntap pin:ok\ntap pin:delete\ntap tech:sync\n"
                               "tap tech:back\ntap tech-department:front\n"
                               "tap tech-department:configured\nadvance 31000\n";
    static const char *const names[] = {"pin:7",
                                        "pin:ok",
                                        "pin:delete",
                                        "tech:sync",
                                        "tech:back",
                                        "tech-department:front",
                                        "tech-department:configured"};
    struct script s;
    char err[256] = "";
    if (!script_parse(&s, "tech.script", text, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(s.count, 8);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(s.steps[i].op, SCRIPT_TAP);
        assert_int_equal(s.steps[i].target, SCRIPT_AT_TECH);
        assert_string_equal(s.steps[i].name, names[i]);
    }
    assert_int_equal(s.steps[7].op, SCRIPT_ADVANCE);
    assert_int_equal(s.steps[7].wait_ms, 31000);
    script_destroy(&s);
}

/* "Tell us more": the offer and the keyboard's keys by index. */
static void test_comment_targets(void **state)
{
    (void)state;
    struct script s;
    char err[256] = "";
    if (!script_parse(&s, "t.script", "tap comment\ntap key:0\npress key:63\n", err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(s.count, 3);
    assert_int_equal(s.steps[0].target, SCRIPT_AT_COMMENT);
    assert_int_equal(s.steps[1].target, SCRIPT_AT_KEY);
    assert_int_equal(s.steps[1].index, 0);
    assert_int_equal(s.steps[2].op, SCRIPT_PRESS);
    assert_int_equal(s.steps[2].index, 63);
    script_destroy(&s);
}

static void test_load(void **state)
{
    (void)state;
    char path[] = "/tmp/test_script_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "wait 1\ntap face:2\nquit\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    struct script s;
    char err[256] = "";
    if (!script_load(&s, path, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(s.count, 3);
    assert_int_equal(s.steps[1].index, 2);
    script_destroy(&s);
    unlink(path);

    assert_false(script_load(&s, path, err, sizeof err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(s.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_command), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),        cmocka_unit_test(test_technician_targets),
        cmocka_unit_test(test_load),          cmocka_unit_test(test_comment_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
