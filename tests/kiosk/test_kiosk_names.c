/*
 * test_kiosk_names: the technician screens' target names a script taps
 * (technician_event_named's table, read by app/kiosk/script_driver.c).
 *
 * Regression: the program skipped the first five bytes of a name as if
 * they were "tech:" without looking, so "xxxx:sync" or "tech-sync" tapped
 * the menu's sync button.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "input.h"
#include "script_driver.h"
#include "technician.h"
#include "ui.h"

/* A frame holding one target of each technician kind. */
static struct ui_frame *technician_frame(void)
{
    static const struct ui_target targets[] = {
        {UI_TARGET_TECH_ITEM, TECHNICIAN_ITEM_SYNC_NOW, {10, 10, 100, 100}},
        {UI_TARGET_TECH_ITEM, TECHNICIAN_ITEM_CLOSE, {110, 10, 100, 100}},
        {UI_TARGET_TECH_CANCEL, 0, {210, 10, 100, 100}},
        {UI_TARGET_PIN_DIGIT, 3, {310, 10, 100, 100}},
        {UI_TARGET_PIN_ENTER, 0, {410, 10, 100, 100}},
        {UI_TARGET_TECH_DEPARTMENT, -1, {510, 10, 100, 100}},
    };
    struct ui_frame *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->w = 800;
    f->h = 480;
    f->target_count = (int)(sizeof targets / sizeof targets[0]);
    memcpy(f->targets, targets, sizeof targets);
    return f;
}

static void test_names_find_their_targets(void **state)
{
    (void)state;
    struct ui_frame *f = technician_frame();
    static struct config config;
    config_defaults(&config);
    const struct ui_target *t = script_driver_technician_target(f, &config, "tech:sync");
    assert_non_null(t);
    assert_int_equal(t->kind, UI_TARGET_TECH_ITEM);
    assert_int_equal(t->index, TECHNICIAN_ITEM_SYNC_NOW);
    t = script_driver_technician_target(f, &config, "tech:close");
    assert_non_null(t);
    assert_int_equal(t->index, TECHNICIAN_ITEM_CLOSE);
    t = script_driver_technician_target(f, &config, "tech:back");
    assert_non_null(t);
    assert_int_equal(t->kind, UI_TARGET_TECH_CANCEL);
    t = script_driver_technician_target(f, &config, "pin:3");
    assert_non_null(t);
    assert_int_equal(t->kind, UI_TARGET_PIN_DIGIT);
    assert_int_equal(t->index, 3);
    t = script_driver_technician_target(f, &config, "pin:ok");
    assert_non_null(t);
    assert_int_equal(t->kind, UI_TARGET_PIN_ENTER);
    t = script_driver_technician_target(f, &config, "tech-department:configured");
    assert_non_null(t);
    assert_int_equal(t->kind, UI_TARGET_TECH_DEPARTMENT);
    /* named, but not on this frame */
    assert_null(script_driver_technician_target(f, &config, "tech:restart"));
    assert_null(script_driver_technician_target(f, &config, "pin:4"));
    free(f);
}

/* The regression: a prefix that is not "tech:" names nothing. */
static void test_a_name_must_match_whole(void **state)
{
    (void)state;
    struct ui_frame *f = technician_frame();
    static struct config config;
    config_defaults(&config);
    static const char *const wrong[] = {"xxxx:sync", "tech-sync", "tech:", "tech:syncs",
                                        "TECH:sync", "pin:33",    "pin:",  "sync"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++)
        if (script_driver_technician_target(f, &config, wrong[i]) != NULL)
            fail_msg("'%s' named a target", wrong[i]);
    struct technician_event ev;
    assert_false(technician_event_named("xxxx:sync", 9, &ev));
    assert_true(technician_event_named("tech:sync", 9, &ev));
    assert_int_equal(ev.type, TECHNICIAN_EVENT_ITEM);
    assert_int_equal(ev.arg, TECHNICIAN_ITEM_SYNC_NOW);
    free(f);
}

/* The router's table read backwards gives each technician event's target. */
static void test_router_table_backwards(void **state)
{
    (void)state;
    struct ui_frame *f = technician_frame();
    const struct ui_target *t =
        input_target_of(f, INPUT_TECHNICIAN, TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_CLOSE);
    assert_non_null(t);
    assert_int_equal(t->kind, UI_TARGET_TECH_ITEM);
    assert_int_equal(t->index, TECHNICIAN_ITEM_CLOSE);
    assert_null(input_target_of(f, INPUT_CUSTOMER, KIOSK_EVENT_TAP_FACE, 4));
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_find_their_targets),
        cmocka_unit_test(test_a_name_must_match_whole),
        cmocka_unit_test(test_router_table_backwards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
