/*
 * test_config_layers: the boot-partition file overrides the main config key
 * by key.  For every key the main file knows, an override giving only that
 * key must change that field and nothing else; errors in either file name
 * that file and its line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"

/* A main file that sets every key to something other than its default. */
static const char base_text[] =
    "[kiosk]\n"
    "id = lobby-1\n"
    "site = Head office\n"
    "label = By the door\n"
    "languages = en, fi\n"
    "mode = single\n"
    "department = front\n"
    "question = How did we do?\n"
    "question.fi = Miten onnistuimme?\n"
    "[department front]\n"
    "name = Front desk\n"
    "name.fi = Vastaanotto\n"
    "customer_facing = true\n"
    "[department back]\n"
    "name = Back office\n"
    "customer_facing = false\n"
    "[reason quick]\n"
    "label = Quick\n"
    "label.fi = Nopea\n"
    "for = positive\n"
    "[reason slow]\n"
    "label = Slow\n"
    "for = negative\n"
    "[followup]\n"
    "enabled = true\n"
    "timeout_s = 12\n"
    "[screen]\n"
    "rotation = 90\n"
    "ack_ms = 200\n"
    "thanks_s = 3\n"
    "picker_timeout_s = 30\n"
    "sleep_when_closed = true\n"
    "[hours]\n"
    "timezone = Europe/Helsinki\n"
    "mon = 08:00-17:00\n"
    "tue = 08:00-17:00\n"
    "wed = 08:00-17:00\n"
    "thu = 08:00-17:00\n"
    "fri = 08:00-16:00\n"
    "sat = 10:00-14:00\n"
    "sun = closed\n"
    "[press_filter]\n"
    "min_interval_s = 3\n"
    "burst_count = 5\n"
    "burst_window_s = 50\n"
    "[store]\n"
    "path = /var/lib/wowkiosk/kiosk.db\n"
    "[sync]\n"
    "target = host=db.example dbname=wow\n"
    "interval_s = 90\n"
    "backoff_max_s = 600\n"
    "[technician]\n"
    "pin_hash = $argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g\n";

/* Copies one field from the main-only config over the merged one. */
typedef void restore_fn(struct config *merged, const struct config *base);

struct override_case {
    const char *text; /* the override file */
    restore_fn *restore;
};

#define RESTORE(name, field)                                                                       \
    static void restore_##name(struct config *merged, const struct config *base)                   \
    {                                                                                              \
        memcpy(&merged->field, &base->field, sizeof merged->field);                                \
    }

RESTORE(id, kiosk_id)
RESTORE(site, site)
RESTORE(label, label)
RESTORE(question, question)
RESTORE(department, department)
RESTORE(departments, departments)
RESTORE(followup_enabled, followup_enabled)
RESTORE(followup_timeout, followup_timeout_ms)
RESTORE(rotation, rotation)
RESTORE(ack, ack_ms)
RESTORE(thanks, thanks_ms)
RESTORE(picker_timeout, picker_timeout_ms)
RESTORE(sleep, sleep_when_closed)
RESTORE(timezone, timezone)
RESTORE(hours, hours)
RESTORE(press_filter, press_filter)
RESTORE(store, store_path)
RESTORE(sync_target, sync_target)
RESTORE(sync_interval, sync_interval_ms)
RESTORE(sync_backoff, sync_backoff_max_ms)
RESTORE(pin, technician_pin_hash)

static void restore_reasons(struct config *merged, const struct config *base)
{
    memcpy(merged->positive, base->positive, sizeof merged->positive);
    memcpy(merged->negative, base->negative, sizeof merged->negative);
    merged->positive_count = base->positive_count;
    merged->negative_count = base->negative_count;
}

static void restore_languages(struct config *merged, const struct config *base)
{
    memcpy(merged->languages, base->languages, sizeof merged->languages);
    merged->language_count = base->language_count;
}

static void restore_mode(struct config *merged, const struct config *base)
{
    merged->mode = base->mode;
}

static const struct override_case cases[] = {
    {"[kiosk]\nid = lobby-2\n", restore_id},
    {"[kiosk]\nsite = Branch office\n", restore_site},
    {"[kiosk]\nlabel = Second floor\n", restore_label},
    {"[kiosk]\nlanguages = en, fi, de\n", restore_languages},
    {"[kiosk]\nmode = picker\n", restore_mode},
    {"[kiosk]\ndepartment = back\n", restore_department},
    {"[kiosk]\nquestion = How was it?\n", restore_question},
    {"[kiosk]\nquestion.fi = Miten meni?\n", restore_question},
    {"[department front]\nname = Reception\n", restore_departments},
    {"[department front]\nname.fi = Aula\n", restore_departments},
    {"[department back]\ncustomer_facing = true\n", restore_departments},
    {"[reason quick]\nlabel = Very quick\n", restore_reasons},
    {"[reason quick]\nlabel.fi = Ripeä\n", restore_reasons},
    {"[reason slow]\nfor = positive\nlabel = Unhurried\n", restore_reasons},
    {"[followup]\nenabled = false\n", restore_followup_enabled},
    {"[followup]\ntimeout_s = 20\n", restore_followup_timeout},
    {"[screen]\nrotation = 270\n", restore_rotation},
    {"[screen]\nack_ms = 120\n", restore_ack},
    {"[screen]\nthanks_s = 4\n", restore_thanks},
    {"[screen]\npicker_timeout_s = 45\n", restore_picker_timeout},
    {"[screen]\nsleep_when_closed = false\n", restore_sleep},
    {"[hours]\ntimezone = Europe/Berlin\n", restore_timezone},
    {"[hours]\nalways = true\n", restore_hours},
    {"[hours]\nmon = 07:00-18:00\n", restore_hours},
    {"[hours]\ntue = closed\n", restore_hours},
    {"[hours]\nwed = 09:00-12:00, 13:00-17:00\n", restore_hours},
    {"[hours]\nthu = 10:00-11:00\n", restore_hours},
    {"[hours]\nfri = closed\n", restore_hours},
    {"[hours]\nsat = closed\n", restore_hours},
    {"[hours]\nsun = 12:00-15:00\n", restore_hours},
    {"[press_filter]\nmin_interval_s = 2\n", restore_press_filter},
    {"[press_filter]\nburst_count = 4\n", restore_press_filter},
    {"[press_filter]\nburst_window_s = 40\n", restore_press_filter},
    {"[store]\npath = /data/kiosk.db\n", restore_store},
    {"[sync]\ntarget = off\n", restore_sync_target},
    {"[sync]\ninterval_s = 30\n", restore_sync_interval},
    {"[sync]\nbackoff_max_s = 900\n", restore_sync_backoff},
    {"[technician]\npin_hash = $argon2id$v=19$m=65536,t=2,p=1$b3RoZXJzYWx0$b3RoZXJoYXNo\n",
     restore_pin},
};

struct fixture {
    struct config base, merged;
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

static void fail_with_errors(const struct config_errors *errors, const char *what)
{
    for (int i = 0; i < errors->count; i++) {
        char line[512];
        config_error_format(&errors->error[i], line, sizeof line);
        print_message("  %s\n", line);
    }
    fail_msg("%s", what);
}

static bool parse_two(struct fixture *f, const char *override_text)
{
    const char *names[] = {"kiosk.conf", "boot.conf"};
    const char *texts[] = {base_text, override_text};
    return config_parse_layers(&f->merged, names, texts, 2, &f->errors);
}

/* Every key: the override changes exactly its field. */
static void test_each_key_overrides_only_itself(void **state)
{
    struct fixture *f = *state;
    if (!config_parse(&f->base, "kiosk.conf", base_text, &f->errors))
        fail_with_errors(&f->errors, "the main file was rejected");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("override: %s", cases[i].text);
        if (!parse_two(f, cases[i].text))
            fail_with_errors(&f->errors, "a valid override was rejected");
        assert_true(memcmp(&f->merged, &f->base, sizeof f->base) != 0); /* it changed something */
        cases[i].restore(&f->merged, &f->base);
        assert_memory_equal(&f->merged, &f->base, sizeof f->base); /* and nothing else */
    }
}

/* A few overrides checked for their values, not only for a change. */
static void test_override_values(void **state)
{
    struct fixture *f = *state;
    assert_true(parse_two(f, "[kiosk]\nid = lobby-2\ndepartment = back\n"
                             "[hours]\nalways = true\n[screen]\nrotation = 180\n"));
    assert_string_equal(f->merged.kiosk_id, "lobby-2");
    assert_string_equal(f->merged.departments[f->merged.department].id, "back");
    assert_true(f->merged.hours.always_open);
    assert_int_equal(f->merged.rotation, 180);
    assert_string_equal(f->merged.site, "Head office"); /* not given: kept */
    assert_int_equal(f->merged.department_count, 2);

    /* a new department in the override adds to the main file's */
    assert_true(parse_two(f, "[department cafe]\nname = Cafe\n[kiosk]\ndepartment = cafe\n"));
    assert_int_equal(f->merged.department_count, 3);
    assert_string_equal(f->merged.departments[f->merged.department].name.lang[0], "Cafe");
    assert_string_equal(f->merged.departments[0].name.lang[0], "Front desk");

    /* hours given as days in the override win over always in the main file */
    const char *names[] = {"kiosk.conf", "boot.conf"};
    const char *texts[] = {"[hours]\nalways = true\n", "[hours]\nmon = 08:00-09:00\n"};
    assert_true(config_parse_layers(&f->merged, names, texts, 2, &f->errors));
    assert_false(f->merged.hours.always_open);
    assert_int_equal(f->merged.hours.count[0], 1);
}

/* The third layer (the technician's choices) overrides the boot file. */
static void test_three_layers(void **state)
{
    struct fixture *f = *state;
    const char *names[] = {"kiosk.conf", "boot.conf", "technician.conf"};
    const char *texts[] = {base_text, "[kiosk]\ndepartment = back\nsite = Boot\n",
                           "[kiosk]\ndepartment = front\n"};
    if (!config_parse_layers(&f->merged, names, texts, 3, &f->errors))
        fail_with_errors(&f->errors, "three valid layers were rejected");
    assert_string_equal(f->merged.departments[f->merged.department].id, "front");
    assert_string_equal(f->merged.site, "Boot");
}

/* An error in the override names the override and its line; one in a
 * check made after both files names the file of the line that caused it. */
static void test_errors_name_their_file(void **state)
{
    struct fixture *f = *state;
    assert_false(parse_two(f, "# boot partition\n[screen]\nrotation = 45\n"));
    assert_int_equal(f->errors.total, 1);
    assert_string_equal(f->errors.error[0].file, "boot.conf");
    assert_int_equal(f->errors.error[0].line, 3);
    assert_string_equal(f->errors.error[0].key, "screen.rotation");

    assert_false(parse_two(f, "\n[kiosk]\ndepartment = nowhere\n"));
    assert_int_equal(f->errors.total, 1);
    assert_string_equal(f->errors.error[0].file, "boot.conf");
    assert_int_equal(f->errors.error[0].line, 3);
    assert_non_null(strstr(f->errors.error[0].message, "front, back"));

    /* a key given twice within the override is still a duplicate */
    assert_false(parse_two(f, "[kiosk]\nsite = A\nsite = B\n"));
    assert_string_equal(f->errors.error[0].file, "boot.conf");
    assert_int_equal(f->errors.error[0].line, 3);

    /* errors of both files come main file first, each in line order */
    const char *names[] = {"kiosk.conf", "boot.conf"};
    const char *texts[] = {"[screen]\n\nack_ms = x\n", "[screen]\nrotation = 1\n"};
    assert_false(config_parse_layers(&f->merged, names, texts, 2, &f->errors));
    assert_int_equal(f->errors.total, 2);
    assert_string_equal(f->errors.error[0].file, "kiosk.conf");
    assert_int_equal(f->errors.error[0].line, 3);
    assert_string_equal(f->errors.error[1].file, "boot.conf");
    assert_int_equal(f->errors.error[1].line, 2);
}

/* The PIN is never stored in clear: anything but an argon2id string is refused. */
static void test_pin_hash_must_be_a_hash(void **state)
{
    struct fixture *f = *state;
    assert_false(parse_two(f, "[technician]\npin_hash = 1234\n"));
    assert_string_equal(f->errors.error[0].key, "technician.pin_hash");
    assert_non_null(strstr(f->errors.error[0].message, "--hash-pin"));
    assert_true(parse_two(f, "[technician]\npin_hash =\n"));
    assert_string_equal(f->merged.technician_pin_hash, "");
}

/* A missing override file is the caller's business; an unreadable one given
 * to config_load_layers is an error naming it. */
static void test_load_layers_unreadable(void **state)
{
    struct fixture *f = *state;
    const char *paths[] = {"/nonexistent/kiosk.conf", "/nonexistent/boot.conf"};
    assert_false(config_load_layers(&f->merged, paths, 2, &f->errors));
    assert_string_equal(f->errors.error[0].file, "/nonexistent/kiosk.conf");
    assert_string_equal(f->errors.error[0].key, "file");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_each_key_overrides_only_itself),
        T(test_override_values),
        T(test_three_layers),
        T(test_errors_name_their_file),
        T(test_pin_hash_must_be_a_hash),
        T(test_load_layers_unreadable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
