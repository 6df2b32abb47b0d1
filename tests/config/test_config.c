/*
 * test_config: the development defaults, a file using every key, and one
 * test per kind of error, each checking file, line, key and message.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "hours.h"
#include "tz.h"

/* Each test gets its own config and error list: both are large. */
struct fixture {
    struct config config;
    struct config_errors errors;
};

static int setup(void **state)
{
    *state = calloc(1, sizeof(struct fixture));
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void print_errors(const struct config_errors *errors)
{
    for (int i = 0; i < errors->count; i++) {
        char line[512];
        config_error_format(&errors->error[i], line, sizeof line);
        print_message("  %s\n", line);
    }
}

static void parse_ok(struct fixture *f, const char *text)
{
    if (!config_parse(&f->config, "ok.conf", text, &f->errors)) {
        print_errors(&f->errors);
        fail_msg("a valid config was rejected");
    }
    assert_int_equal(f->errors.total, 0);
}

/* The text must give exactly one error, at line with key, containing fragment. */
static void expect_error(struct fixture *f, const char *text, int line, const char *key,
                         const char *fragment)
{
    assert_false(config_parse(&f->config, "bad.conf", text, &f->errors));
    if (f->errors.count != 1 || f->errors.total != 1) {
        print_errors(&f->errors);
        fail_msg("expected one error, got %d", f->errors.total);
    }
    const struct config_error *e = &f->errors.error[0];
    assert_string_equal(e->file, "bad.conf");
    assert_int_equal(e->line, line);
    assert_string_equal(e->key, key);
    if (strstr(e->message, fragment) == NULL)
        fail_msg("message '%s' lacks '%s'", e->message, fragment);
}

static void test_defaults(void **state)
{
    struct fixture *f = *state;
    struct config *c = &f->config;
    memset(c, 0x5a, sizeof *c); /* every field must be set, not left over */
    config_defaults(c);
    assert_string_equal(c->path, "");
    assert_string_equal(c->kiosk_id, "dev-kiosk");
    assert_string_equal(c->site, "Development");
    assert_string_equal(c->label, "");
    assert_int_equal(c->language_count, 3);
    assert_string_equal(c->languages[0], "en");
    assert_string_equal(c->languages[1], "fi");
    assert_string_equal(c->languages[2], "de");
    assert_int_equal(c->mode, CONFIG_MODE_SINGLE);
    assert_int_equal(c->department, 0);
    assert_int_equal(c->department_count, 1);
    assert_string_equal(c->departments[0].id, "demo");
    assert_string_equal(c->departments[0].name.lang[0], "Customer service");
    assert_string_equal(c->departments[0].name.lang[1], "");
    assert_true(c->departments[0].customer_facing);
    assert_string_equal(c->question.lang[0], "");
    assert_true(c->followup_enabled);
    assert_int_equal(c->positive_count, 3);
    assert_string_equal(c->positive[0].id, "friendly");
    assert_string_equal(c->positive[1].label.lang[0], "Fast service");
    assert_string_equal(c->positive[2].id, "expert");
    assert_int_equal(c->negative_count, 4);
    assert_string_equal(c->negative[0].id, "wait");
    assert_string_equal(c->negative[1].label.lang[0], "Unfriendly staff");
    assert_string_equal(c->negative[2].id, "unsolved");
    assert_string_equal(c->negative[3].label.lang[0], "Hard to find information");
    assert_int_equal(c->followup_timeout_ms, 10000);
    assert_int_equal(c->ack_ms, 150);
    assert_int_equal(c->thanks_ms, 2500);
    assert_int_equal(c->picker_timeout_ms, 20000);
    assert_int_equal(c->rotation, 0);
    assert_true(c->sleep_when_closed);
    assert_int_equal(c->reach, CONFIG_REACH_FULL);
    assert_string_equal(c->timezone, "UTC");
    assert_true(c->hours.always_open);
    struct press_filter_settings pf;
    press_filter_defaults(&pf);
    assert_int_equal(c->press_filter.min_interval_ms, pf.min_interval_ms);
    assert_int_equal(c->press_filter.burst_count, pf.burst_count);
    assert_int_equal(c->press_filter.burst_window_ms, pf.burst_window_ms);
    assert_string_equal(c->store_path, "");
}

static void test_empty_file_is_defaults(void **state)
{
    struct fixture *f = *state;
    struct config *d = malloc(sizeof *d);
    assert_non_null(d);
    config_defaults(d);
    parse_ok(f, "; only a comment\n\n");
    assert_memory_equal(&f->config, d, sizeof *d);
    free(d);
}

static const char FULL[] = "[kiosk]\n"
                           "id = front-1\n"
                           "site = Main street\n"
                           "label = left of the door\n"
                           "languages = fi, en ,de, sv\n"
                           "mode = single\n"
                           "department = it\n"
                           "question = Miten meni?\n"
                           "question.en = How was it?\n"
                           "\n"
                           "[department front]\n"
                           "name = Front desk\n"
                           "name.sv = Reception\n"
                           "customer_facing = yes\n"
                           "\n"
                           "[department it]\n"
                           "name = IT\n"
                           "customer_facing = off\n"
                           "we_did_until = 2027-02-28\n"
                           "we_did = Uusi tukinumero\n"
                           "we_did.en = A new help line\n"
                           "we_did_from = 2024-02-29\n"
                           "\n"
                           "[reason fast]\n"
                           "label = Fast\n"
                           "for = positive\n"
                           "[reason slow]\n"
                           "label = Slow\n"
                           "label.de = Langsam\n"
                           "for = negative\n"
                           "[reason kind]\n"
                           "for = positive\n"
                           "label = Kind\n"
                           "\n"
                           "[followup]\n"
                           "enabled = false\n"
                           "timeout_s = 8.5\n"
                           "[screen]\n"
                           "rotation = 270\n"
                           "ack_ms = 120\n"
                           "thanks_s = 0.25\n"
                           "picker_timeout_s = 30\n"
                           "sleep_when_closed = 0\n"
                           "reach = low\n"
                           "[hours]\n"
                           "timezone = Europe/Helsinki\n"
                           "mon = 08:00-17:00\n"
                           "tue = 08:00-12:00, 13:00-17:00\n"
                           "sat = closed\n"
                           "[press_filter]\n"
                           "min_interval_s = 0.3\n"
                           "burst_count = 64\n"
                           "burst_window_s = 3600\n"
                           "[store]\n"
                           "path = /var/lib/wowkiosk/front.db\n";

static void test_full_file(void **state)
{
    struct fixture *f = *state;
    const struct config *c = &f->config;
    parse_ok(f, FULL);
    assert_string_equal(c->kiosk_id, "front-1");
    assert_string_equal(c->site, "Main street");
    assert_string_equal(c->label, "left of the door");
    assert_int_equal(c->language_count, 4);
    assert_string_equal(c->languages[0], "fi");
    assert_string_equal(c->languages[1], "en");
    assert_string_equal(c->languages[2], "de");
    assert_string_equal(c->languages[3], "sv");
    assert_int_equal(c->mode, CONFIG_MODE_SINGLE);
    assert_int_equal(c->department_count, 2);
    assert_int_equal(c->department, 1);
    assert_int_equal(config_find_department(c, "it"), 1);
    assert_int_equal(config_find_department(c, "front"), 0);
    assert_int_equal(config_find_department(c, "demo"), -1);
    assert_string_equal(c->question.lang[0], "Miten meni?"); /* plain key: first language */
    assert_string_equal(c->question.lang[1], "How was it?");
    assert_string_equal(c->question.lang[2], "");
    assert_string_equal(c->departments[0].id, "front");
    assert_string_equal(c->departments[0].name.lang[0], "Front desk");
    assert_string_equal(c->departments[0].name.lang[3], "Reception");
    assert_string_equal(c->departments[0].name.lang[1], "");
    assert_true(c->departments[0].customer_facing);
    assert_string_equal(c->departments[1].name.lang[0], "IT");
    assert_false(c->departments[1].customer_facing);
    assert_string_equal(c->departments[1].we_did.lang[0], "Uusi tukinumero");
    assert_string_equal(c->departments[1].we_did.lang[1], "A new help line");
    assert_int_equal(c->departments[1].we_did_from, 20240229);
    assert_int_equal(c->departments[1].we_did_until, 20270228);
    assert_int_equal(c->departments[0].we_did_from, 0);
    assert_int_equal(c->positive_count, 2);
    assert_string_equal(c->positive[0].id, "fast");
    assert_string_equal(c->positive[1].id, "kind");
    assert_string_equal(c->positive[1].label.lang[0], "Kind");
    assert_int_equal(c->negative_count, 1);
    assert_string_equal(c->negative[0].label.lang[0], "Slow");
    assert_string_equal(c->negative[0].label.lang[2], "Langsam");
    assert_false(c->followup_enabled);
    assert_int_equal(c->followup_timeout_ms, 8500);
    assert_int_equal(c->rotation, 270);
    assert_int_equal(c->ack_ms, 120);
    assert_int_equal(c->thanks_ms, 250);
    assert_int_equal(c->picker_timeout_ms, 30000);
    assert_false(c->sleep_when_closed);
    assert_int_equal(c->reach, CONFIG_REACH_LOW);
    assert_string_equal(c->timezone, "Europe/Helsinki");
    assert_false(c->hours.always_open);
    assert_int_equal(c->hours.count[0], 1);
    assert_int_equal(c->hours.range[0][0].start_min, 8 * 60);
    assert_int_equal(c->hours.range[0][0].end_min, 17 * 60);
    assert_int_equal(c->hours.count[1], 2);
    assert_int_equal(c->hours.count[2], 0); /* not given: closed */
    assert_int_equal(c->hours.count[5], 0);
    assert_int_equal(c->press_filter.min_interval_ms, 300);
    assert_int_equal(c->press_filter.burst_count, 64);
    assert_int_equal(c->press_filter.burst_window_ms, 3600000);
    assert_string_equal(c->store_path, "/var/lib/wowkiosk/front.db");
}

static void test_question_localized(void **state)
{
    struct fixture *f = *state;
    /* question.fi given before languages: it still lands in fi's slot. */
    parse_ok(f, "[kiosk]\nquestion.fi = Miten meni?\nlanguages = en, fi\nquestion = How?\n");
    assert_string_equal(f->config.question.lang[0], "How?");
    assert_string_equal(f->config.question.lang[1], "Miten meni?");
}

static void test_single_mode_only_department(void **state)
{
    struct fixture *f = *state;
    parse_ok(f, "[kiosk]\nid = k\n[department b]\nname = B\n");
    assert_int_equal(f->config.department_count, 1);
    assert_int_equal(f->config.department, 0);
    assert_string_equal(f->config.departments[0].id, "b");
    assert_true(f->config.departments[0].customer_facing);
    /* Reasons were not redefined: the demo ones stay. */
    assert_int_equal(f->config.positive_count, 3);
    parse_ok(f, "[department b]\n[department a]\n[kiosk]\ndepartment = a\n");
    assert_int_equal(f->config.department, 1);
}

static void test_picker_mode(void **state)
{
    struct fixture *f = *state;
    parse_ok(f, "[kiosk]\nmode = picker\n[department x]\n[department y]\n");
    assert_int_equal(f->config.mode, CONFIG_MODE_PICKER);
    assert_int_equal(f->config.department_count, 2);
}

/* A file saved by a Windows editor (byte order mark, CRLF, no final newline)
 * and indented lines, which are never continuations of the value above. */
static void test_crlf_and_bom(void **state)
{
    struct fixture *f = *state;
    parse_ok(f, "\xef\xbb\xbf[kiosk]\r\nid = crlf-1\r\nlanguages = fi,en\r\n"
                "question.en = Hi ; an inline comment\r\n"
                "  [ department  a ]  \r\n\tname = A\r\n  name.en = \xc3\x84\r\n"
                "[reason r]\r\nfor = positive\r\nlabel = R");
    const struct config *c = &f->config;
    assert_string_equal(c->kiosk_id, "crlf-1");
    assert_int_equal(c->language_count, 2);
    assert_string_equal(c->languages[1], "en");
    assert_string_equal(c->question.lang[1], "Hi");
    assert_int_equal(c->department_count, 1);
    assert_string_equal(c->departments[0].id, "a");
    assert_string_equal(c->departments[0].name.lang[0], "A");
    assert_string_equal(c->departments[0].name.lang[1], "\xc3\x84");
    assert_int_equal(c->positive_count, 1);
    assert_string_equal(c->positive[0].label.lang[0], "R");
    assert_int_equal(c->negative_count, 0);
}

/* What docs/CONFIG.md says about comments, ':' and quotes. */
static void test_comments_and_values(void **state)
{
    struct fixture *f = *state;
    parse_ok(f, "# comment\n; comment\n[kiosk]\nsite = Mall ; 2nd floor\nlabel: #3 \"west\"\n"
                "question = Fast;friendly?\n");
    assert_string_equal(f->config.site, "Mall");
    assert_string_equal(f->config.label, "#3 \"west\"");
    assert_string_equal(f->config.question.lang[0], "Fast;friendly?");
}

static void test_hours_always(void **state)
{
    struct fixture *f = *state;
    parse_ok(f, "[hours]\nmon = 08:00-17:00\nalways = true\n");
    assert_true(f->config.hours.always_open);
    parse_ok(f, "[hours]\ntimezone = UTC\n");
    assert_true(f->config.hours.always_open);
    parse_ok(f, "[hours]\nsun = closed\n");
    assert_false(f->config.hours.always_open);
}

static void test_seconds_and_booleans(void **state)
{
    struct fixture *f = *state;
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    char text[128];
    for (int i = 0; i < 4; i++) {
        snprintf(text, sizeof text, "[followup]\nenabled = %s\n", no[i]);
        parse_ok(f, text);
        assert_false(f->config.followup_enabled);
        snprintf(text, sizeof text, "[screen]\nsleep_when_closed = %s\n", no[i]);
        parse_ok(f, text);
        assert_false(f->config.sleep_when_closed);
        snprintf(text, sizeof text, "[department d]\ncustomer_facing = %s\n", yes[i]);
        parse_ok(f, text);
        assert_true(f->config.departments[0].customer_facing);
    }
    parse_ok(f, "[screen]\nthanks_s = 0.1\npicker_timeout_s = 600\n");
    assert_int_equal(f->config.thanks_ms, 100);
    assert_int_equal(f->config.picker_timeout_ms, 600000);
    parse_ok(f, "[press_filter]\nmin_interval_s = 0\nburst_count = 0\nburst_window_s = 1\n");
    assert_int_equal(f->config.press_filter.min_interval_ms, 0);
    assert_int_equal(f->config.press_filter.burst_count, 0);
    assert_int_equal(f->config.press_filter.burst_window_ms, 1000);
}

static void test_sync_section(void **state)
{
    struct fixture *f = *state;
    parse_ok(f, "");
    assert_string_equal(f->config.sync_target, "");
    assert_int_equal(f->config.sync_interval_ms, 60000);
    assert_int_equal(f->config.sync_backoff_max_ms, 300000);
    parse_ok(f, "[sync]\ntarget = host=db.example.org dbname=wow user=kiosk_a password=x_-9 "
                "sslmode=verify-full\ninterval_s = 15\nbackoff_max_s = 600\n");
    assert_string_equal(f->config.sync_target,
                        "host=db.example.org dbname=wow user=kiosk_a password=x_-9 "
                        "sslmode=verify-full");
    assert_int_equal(f->config.sync_interval_ms, 15000);
    assert_int_equal(f->config.sync_backoff_max_ms, 600000);
    expect_error(f, "[sync]\ninterval_s = 0\n", 2, "sync.interval_s", "expected seconds from 1");
    expect_error(f, "[sync]\nbackoff_max_s = soon\n", 2, "sync.backoff_max_s", "got 'soon'");
    expect_error(f, "[sync]\nurl = x\n", 2, "sync.url",
                 "[sync] takes target, interval_s, backoff_max_s");
}

/* "Tell us more" per department, and the phone form's address (docs/COMMENTS.md). */
static void test_comments_settings(void **state)
{
    struct fixture *f = *state;
    parse_ok(f, "[kiosk]\nmode = single\ndepartment = a\n[department a]\nname = A\n[department "
                "b]\nname = B\n"
                "comments = negative\n[department c]\nname = C\ncomments = any\n");
    assert_int_equal(f->config.departments[0].comments, CONFIG_COMMENTS_OFF);
    assert_int_equal(f->config.departments[1].comments, CONFIG_COMMENTS_NEGATIVE);
    assert_int_equal(f->config.departments[2].comments, CONFIG_COMMENTS_ANY);
    assert_string_equal(f->config.comments_phone_url, "");
    parse_ok(f, "[comments]\nphone_url = https://feedback.example.com/c/\n");
    assert_string_equal(f->config.comments_phone_url, "https://feedback.example.com/c/");
    expect_error(f, "[department a]\nname = A\ncomments = always\n", 3, "department a.comments",
                 "expected off, negative or any, got 'always'");
    expect_error(f, "[comments]\nphone_url = javascript:alert(1)\n", 2, "comments.phone_url",
                 "expected the dashboard's address of the phone form, http(s)://HOST/c/");
    expect_error(f, "[comments]\nphone_url = https://x/c/\"><script>\n", 2, "comments.phone_url",
                 "http(s)://HOST/c/");
    expect_error(f, "[comments]\nurl = x\n", 2, "comments.url", "[comments] takes phone_url");
}

/* ---- one test per kind of error ---------------------------------------- */

static void test_err_unknown_section(void **state)
{
    expect_error(*state, "[kiosk]\nid = a\n[colours]\nbg = red\n", 3, "colours",
                 "unknown section; expected kiosk, department ID");
}

static void test_err_unknown_key(void **state)
{
    expect_error(*state, "[screen]\nrotation = 90\ncolour = blue\n", 3, "screen.colour",
                 "unknown key; [screen] takes rotation, ack_ms, thanks_s, picker_timeout_s");
    expect_error(*state, "[department a]\nname.fi.x = y\n", 2, "department a.name.fi.x",
                 "language 'fi.x' is not in [kiosk] languages");
    expect_error(*state, "[department a]\nname. = y\n", 2, "department a.name.",
                 "language '?' is not in [kiosk] languages");
    expect_error(*state, "[followup]\nenabled.fi = true\n", 2, "followup.enabled.fi",
                 "unknown key; [followup] takes enabled, timeout_s");
    expect_error(*state, "[store]\ndb = x\n", 2, "store.db", "takes path");
}

static void test_err_bad_values(void **state)
{
    static const struct {
        const char *text;
        const char *key;
        const char *fragment;
    } cases[] = {
        {"[screen]\nrotation = 45\n", "screen.rotation", "expected 0, 90, 180 or 270, got '45'"},
        {"[screen]\nack_ms = 2001\n", "screen.ack_ms", "from 0 to 2000, got '2001'"},
        {"[screen]\nack_ms = 1.5\n", "screen.ack_ms", "whole number from 0 to 2000"},
        {"[screen]\nthanks_s = 0.05\n", "screen.thanks_s", "seconds from 0.1 to 60"},
        {"[screen]\nthanks_s = 61\n", "screen.thanks_s", "got '61'"},
        {"[screen]\nthanks_s = 2.\n", "screen.thanks_s", "got '2.'"},
        {"[screen]\nthanks_s = -1\n", "screen.thanks_s", "got '-1'"},
        {"[screen]\npicker_timeout_s = 4\n", "screen.picker_timeout_s", "from 5 to 600"},
        {"[screen]\nsleep_when_closed = maybe\n", "screen.sleep_when_closed",
         "expected true/false/yes/no/on/off/1/0, got 'maybe'"},
        {"[screen]\nreach = high\n", "screen.reach", "expected full or low, got 'high'"},
        {"[department d]\nwe_did_from = 2026-02-29\n", "department d.we_did_from",
         "expected a date YYYY-MM-DD, got '2026-02-29'"},
        {"[department d]\nwe_did_until = 2026-12-5\n", "department d.we_did_until",
         "got '2026-12-5'"},

        {"[followup]\ntimeout_s = 0.5\n", "followup.timeout_s", "from 1 to 120"},
        {"[followup]\nenabled = 2\n", "followup.enabled", "got '2'"},
        {"[press_filter]\nmin_interval_s = 61\n", "press_filter.min_interval_s", "0 to 60"},
        {"[press_filter]\nburst_count = 65\n", "press_filter.burst_count", "0 to 64"},
        {"[press_filter]\nburst_window_s = 0.5\n", "press_filter.burst_window_s", "1 to 3600"},
        {"[kiosk]\nmode = both\n", "kiosk.mode", "expected single or picker, got 'both'"},
        {"[kiosk]\nlanguages = en, eng\n", "kiosk.languages", "2-letter lower-case codes"},
        {"[kiosk]\nlanguages = en, en\n", "kiosk.languages", "'en' listed twice"},
        {"[reason r]\nlabel = R\nfor = neutral\n", "reason r.for",
         "expected positive or negative, got 'neutral'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int line = cases[i].text[1] == 'r' ? 3 : 2;
        expect_error(*state, cases[i].text, line, cases[i].key, cases[i].fragment);
    }
    expect_error(*state, "[department d]\nwe_did_from = 2026-12-05\nwe_did_until = 2026-12-04\n", 3,
                 "department d.we_did_until", "would end (20261204) before it starts (20261205)");
}

static void test_err_bad_id(void **state)
{
    const char *want = "expected an id of 1-31 letters, digits, '_' or '-'";
    expect_error(*state, "[kiosk]\nid = front 1\n", 2, "kiosk.id", want);
    expect_error(*state, "[kiosk]\nid = abcdefghijabcdefghijabcdefghijab\n", 2, "kiosk.id", want);
    expect_error(*state, "[kiosk]\nmode = picker\n[department a]\n[department fr@nt]\n", 4,
                 "department fr@nt", want);
    expect_error(*state, "[reason]\nlabel = x\n", 1, "reason", "expected [reason ID], got no id");
}

static void test_err_text_too_long(void **state)
{
    char text[400];
    char long_text[CONFIG_TEXT_MAX + 1];
    memset(long_text, 'x', CONFIG_TEXT_MAX);
    long_text[CONFIG_TEXT_MAX] = '\0';
    snprintf(text, sizeof text, "[kiosk]\n\nsite = %s\n", long_text);
    expect_error(*state, text, 3, "kiosk.site", "text too long: 128 bytes, at most 127");
    snprintf(text, sizeof text, "[department a]\nname.de = %s\n", long_text);
    expect_error(*state, text, 2, "department a.name.de", "at most 127");
}

static void test_err_line_too_long(void **state)
{
    struct fixture *f = *state;
    size_t n = 5000;
    char *text = malloc(n + 64);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, 64, "[store]\npath = ");
    memset(text + len, 'p', n);
    memcpy(text + len + n, "\n[screen]\nrotation = 7\n", 24);
    assert_false(config_parse(&f->config, "bad.conf", text, &f->errors));
    assert_int_equal(f->errors.total, 2);
    assert_int_equal(f->errors.error[0].line, 2);
    assert_non_null(strstr(f->errors.error[0].message, "line too long"));
    assert_int_equal(f->errors.error[1].line, 4);
    assert_string_equal(f->errors.error[1].key, "screen.rotation");
    free(text);
}

static void test_err_too_many_departments(void **state)
{
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, "[kiosk]\nmode = picker\n");
    for (int i = 0; i <= CONFIG_MAX_DEPARTMENTS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "[department d%d]\n", i);
    expect_error(*state, text, CONFIG_MAX_DEPARTMENTS + 3, "department d24",
                 "too many departments: at most 24");
}

static void test_err_too_many_reasons(void **state)
{
    char text[2048];
    size_t n = 0;
    for (int i = 0; i <= CONFIG_MAX_REASONS; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "[reason r%d]\nlabel = R\nfor = %s\n", i,
                              "negative");
    n += (size_t)snprintf(text + n, sizeof text - n, "[reason p]\nlabel = P\nfor = positive\n");
    expect_error(*state, text, 3 * CONFIG_MAX_REASONS + 1, "reason r6",
                 "too many negative reasons: at most 6");
    struct fixture *f = *state;
    assert_int_equal(f->config.negative_count, CONFIG_MAX_REASONS);
    assert_int_equal(f->config.positive_count, 1);
}

static void test_err_too_many_languages(void **state)
{
    expect_error(*state, "[kiosk]\nlanguages = en, fi, de, sv, fr, es, nl\n", 2, "kiosk.languages",
                 "too many languages: at most 6");
}

static void test_err_reason_incomplete(void **state)
{
    expect_error(*state, "[reason a]\nlabel = A\n", 1, "reason a",
                 "missing key for: expected for = positive or negative");
    expect_error(*state, "[reason a]\nfor = positive\nlabel.fi = A\n", 1, "reason a",
                 "missing key label");
}

static void test_err_duplicate_key(void **state)
{
    expect_error(*state, "[screen]\nack_ms = 100\n[kiosk]\n[screen]\nack_ms = 200\n", 5,
                 "screen.ack_ms", "duplicate key");
    expect_error(*state, "[department a]\nname = A\nname = B\n", 3, "department a.name",
                 "duplicate key");
}

static void test_err_duplicate_section(void **state)
{
    expect_error(*state, "[department a]\nname = A\n[department a]\nname = B\n", 3, "department a",
                 "duplicate section id: first at line 1");
    expect_error(*state, "[reason a]\nlabel = A\nfor = positive\n\n[reason a]\n", 5, "reason a",
                 "duplicate section id: first at line 1");
}

static void test_err_language_not_configured(void **state)
{
    expect_error(*state, "[kiosk]\nlanguages = en, fi\n[department a]\nname.sv = Kassa\n", 4,
                 "department a.name.sv", "language 'sv' is not in [kiosk] languages (en, fi)");
}

static void test_err_single_department_undefined(void **state)
{
    expect_error(*state, "[kiosk]\ndepartment = it\n[department front]\n[department shop]\n", 2,
                 "kiosk.department", "department 'it' is not defined; defined: front, shop");
}

static void test_err_single_department_missing(void **state)
{
    /* Several departments and no choice: no key to point at, so line 0. */
    expect_error(*state, "[kiosk]\nmode = single\n[department b]\n[department a]\n", 0,
                 "kiosk.department",
                 "single mode with 2 departments needs department = ID; "
                 "defined: b, a");
}

static void test_err_picker_without_departments(void **state)
{
    struct fixture *f = *state;
    /* The only department's id is wrong: it replaces the demo one but is not defined. */
    assert_false(config_parse(&f->config, "bad.conf",
                              "[kiosk]\nmode = picker\n[department bad id]\n", &f->errors));
    assert_int_equal(f->errors.total, 2);
    assert_int_equal(f->errors.error[0].line, 2);
    assert_string_equal(f->errors.error[0].key, "kiosk.mode");
    assert_non_null(strstr(f->errors.error[0].message, "picker mode needs"));
    assert_int_equal(f->errors.error[1].line, 3);
    assert_string_equal(f->errors.error[1].key, "department bad id");
    assert_non_null(strstr(f->errors.error[1].message, "expected an id"));
}

static void test_err_first_language_twice(void **state)
{
    expect_error(*state, "[kiosk]\nlanguages = fi, en\nquestion = Miten?\nquestion.fi = Kuinka?\n",
                 4, "kiosk.question.fi", "duplicate key: 'fi' is the first language");
}

/* The error carries tz_load's own reason (which file, what was wrong). */
static void test_err_timezone(void **state)
{
    static const char *const zones[] = {"Mars/Olympus", "../etc/passwd", "Europe/helsinki"};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        char text[128], want[160] = "";
        struct tz *tz = tz_load(zones[i], NULL, want, sizeof want);
        assert_null(tz);
        assert_true(want[0] != '\0');
        snprintf(text, sizeof text, "[hours]\n\ntimezone = %s\n", zones[i]);
        expect_error(*state, text, 3, "hours.timezone", want);
    }
}

/* A value saved as Latin-1 is refused where it enters, with its key and
 * column (it used to pass, then fail every PostgreSQL round); a comment
 * may hold any bytes. */
static void test_err_not_utf8(void **state)
{
    expect_error(*state,
                 "[kiosk]\nid = k\nsite = M\xe4kel\xe4 Stra\xdf"
                 "e\n",
                 3, "kiosk.site", "byte 0xe4 at column 9 is not UTF-8");
    expect_error(*state,
                 "[kiosk]\nid = k\nl\xe4"
                 "bel = x\n",
                 3, "file", "is not UTF-8");
    struct fixture *f = *state;
    assert_true(config_parse(&f->config, "t.conf", "; caf\xe9 Latin-1 comment\n[kiosk]\nid = k\n",
                             &f->errors));
}

/* The error carries hours_parse_day's own message. */
static void test_err_hours_day(void **state)
{
    static const char *const days[] = {"8 to 5", "17:00-08:00", "08:00-25:00", "closed, 08:00"};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        struct hours hours = {0};
        char text[128], want[160] = "";
        assert_false(hours_parse_day(&hours, 2, days[i], want, sizeof want));
        assert_true(want[0] != '\0');
        snprintf(text, sizeof text, "[hours]\nmon = 08:00-17:00\nwed = %s\n", days[i]);
        expect_error(*state, text, 3, "hours.wed", want);
    }
}

static void test_err_outside_section_and_syntax(void **state)
{
    expect_error(*state, "id = x\n[kiosk]\n", 1, "id", "key outside a section");
    expect_error(*state, "[kiosk]\nid = a\njust words\n", 3, "",
                 "expected [section] or key = value");
}

static void test_err_file_unreadable(void **state)
{
    struct fixture *f = *state;
    assert_false(config_load(&f->config, WOW_SOURCE_DIR, &f->errors));
    assert_int_equal(f->errors.count, 1);
    const struct config_error *e = &f->errors.error[0];
    assert_string_equal(e->file, WOW_SOURCE_DIR);
    assert_int_equal(e->line, 0);
    assert_string_equal(e->key, "file");
    assert_non_null(strstr(e->message, "not a regular file")); /* a directory */
}

static void test_err_file_not_found(void **state)
{
    struct fixture *f = *state;
    assert_false(config_load(&f->config, "/nonexistent/wowkiosk.conf", &f->errors));
    assert_int_equal(f->errors.count, 1);
    const struct config_error *e = &f->errors.error[0];
    assert_string_equal(e->file, "/nonexistent/wowkiosk.conf");
    assert_int_equal(e->line, 0);
    assert_string_equal(e->key, "file");
    assert_non_null(strstr(e->message, strerror(ENOENT)));
}

/* ---- several errors ------------------------------------------------------ */

static void test_errors_in_line_order(void **state)
{
    struct fixture *f = *state;
    const char *text = "[kiosk]\n"                 /* 1 */
                       "id = front 1\n"            /* 2 */
                       "languages = en, de\n"      /* 3 */
                       "department = nowhere\n"    /* 4: found after the last line */
                       "[department a]\n"          /* 5 */
                       "name.fi = A\n"             /* 6: found after the last line */
                       "[screen]\n"                /* 7 */
                       "rotation = 45\n"           /* 8 */
                       "colour = blue\n"           /* 9 */
                       "[hours]\n"                 /* 10 */
                       "timezone = Nowhere/City\n" /* 11: found after the last line */
                       "[nope]\n";                 /* 12 */
    assert_false(config_parse(&f->config, "bad.conf", text, &f->errors));
    static const int lines[] = {2, 4, 6, 8, 9, 11, 12};
    static const char *const keys[] = {"kiosk.id",
                                       "kiosk.department",
                                       "department a.name.fi",
                                       "screen.rotation",
                                       "screen.colour",
                                       "hours.timezone",
                                       "nope"};
    assert_int_equal(f->errors.total, 7);
    assert_int_equal(f->errors.count, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(f->errors.error[i].line, lines[i]);
        assert_string_equal(f->errors.error[i].key, keys[i]);
        assert_string_equal(f->errors.error[i].file, "bad.conf");
    }
}

static void test_errors_capped(void **state)
{
    struct fixture *f = *state;
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "[screen]\n");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "bad%d = 1\n", i);
    assert_false(config_parse(&f->config, "bad.conf", text, &f->errors));
    assert_int_equal(f->errors.total, 40);
    assert_int_equal(f->errors.count, CONFIG_MAX_ERRORS);
    assert_int_equal(f->errors.error[0].line, 2);
    assert_int_equal(f->errors.error[CONFIG_MAX_ERRORS - 1].line, CONFIG_MAX_ERRORS + 1);
}

static void test_error_format(void **state)
{
    (void)state;
    struct config_error e = {.file = "/etc/wowkiosk.conf",
                             .line = 7,
                             .key = "screen.rotation",
                             .message = "expected 0, 90, 180 or 270, got '45'"};
    char buf[256];
    config_error_format(&e, buf, sizeof buf);
    assert_string_equal(buf, "/etc/wowkiosk.conf:7: screen.rotation: expected 0, 90, 180 or 270, "
                             "got '45'");
    char small[12];
    config_error_format(&e, small, sizeof small);
    assert_int_equal(strlen(small), sizeof small - 1);
}

static void test_load_file(void **state)
{
    struct fixture *f = *state;
    char path[] = "/tmp/test_config_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, FULL, strlen(FULL)), (ssize_t)strlen(FULL));
    close(fd);
    bool ok = config_load(&f->config, path, &f->errors);
    if (!ok)
        print_errors(&f->errors);
    assert_true(ok);
    assert_string_equal(f->config.path, path);
    assert_string_equal(f->config.kiosk_id, "front-1");
    unlink(path);
}

/* The complete example in docs/CONFIG.md is a valid file. */
static void test_docs_example(void **state)
{
    struct fixture *f = *state;
    FILE *doc = fopen(WOW_SOURCE_DIR "/docs/CONFIG.md", "r");
    assert_non_null(doc);
    char *text = calloc(1, 16384);
    assert_non_null(text);
    char line[512];
    size_t n = 0;
    bool inside = false, found = false;
    while (fgets(line, sizeof line, doc) != NULL) {
        if (strncmp(line, "```", 3) == 0) {
            if (inside)
                break;
            inside = found = strncmp(line, "```ini", 6) == 0;
            continue;
        }
        size_t len = strlen(line);
        if (inside && n + len < 16384) {
            memcpy(text + n, line, len + 1);
            n += len;
        }
    }
    fclose(doc);
    assert_true(found);
    parse_ok(f, text);
    assert_string_equal(f->config.kiosk_id, "front-1");
    assert_true(f->config.department_count >= 1);
    free(text);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_defaults),
        T(test_empty_file_is_defaults),
        T(test_full_file),
        T(test_question_localized),
        T(test_single_mode_only_department),
        T(test_picker_mode),
        T(test_crlf_and_bom),
        T(test_comments_and_values),
        T(test_hours_always),
        T(test_seconds_and_booleans),
        T(test_sync_section),
        T(test_comments_settings),
        T(test_err_unknown_section),
        T(test_err_unknown_key),
        T(test_err_bad_values),
        T(test_err_bad_id),
        T(test_err_text_too_long),
        T(test_err_line_too_long),
        T(test_err_too_many_departments),
        T(test_err_too_many_reasons),
        T(test_err_too_many_languages),
        T(test_err_reason_incomplete),
        T(test_err_duplicate_key),
        T(test_err_duplicate_section),
        T(test_err_language_not_configured),
        T(test_err_single_department_undefined),
        T(test_err_single_department_missing),
        T(test_err_picker_without_departments),
        T(test_err_first_language_twice),
        T(test_err_timezone),
        T(test_err_not_utf8),
        T(test_err_hours_day),
        T(test_err_outside_section_and_syntax),
        T(test_err_file_not_found),
        T(test_err_file_unreadable),
        T(test_errors_in_line_order),
        T(test_errors_capped),
        T(test_error_format),
        T(test_load_file),
        T(test_docs_example),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
