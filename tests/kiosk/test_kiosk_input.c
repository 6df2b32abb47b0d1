/*
 * test_kiosk_input: the press router (app/kiosk/input.c), on a frame with
 * a customer target and a technician target.  One hit test a press: a
 * face goes to the customer's machine and records a tap; a technician
 * target while its screens are hidden reaches no machine; a corner belongs
 * to the technician's gesture even over a face; nothing reaches the
 * customer while a notice shows.
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
#include "input.h"
#include "kiosk.h"
#include "log.h"
#include "notice.h"
#include "status.h"
#include "technician_glue.h"
#include "ui.h"

struct world {
    struct config config;
    struct status status;
    struct status_sources sources;
    struct notice notice;
    struct ui_frame frame;
    struct kiosk *kiosk;
    struct technician_glue *glue;
    struct input in;
    char dir[32];
};

static const struct clock_now start = {.mono_ms = 100000, .utc_ms = 1790000000000LL};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -1;
    snprintf(w->dir, sizeof w->dir, "/tmp/wowinput-XXXXXX");
    if (mkdtemp(w->dir) == NULL || setenv("STATE_DIRECTORY", w->dir, 1) != 0)
        return -1;
    config_defaults(&w->config);
    w->sources = (struct status_sources){
        .config = &w->config, .config_files = "development defaults", .store_path = "none"};
    w->kiosk = kiosk_create(&w->config, NULL, start);
    w->glue = technician_glue_create(&w->status, &w->sources, start);
    if (w->kiosk == NULL || w->glue == NULL)
        return -1;
    /* a face in the middle reaching into the top-left corner, a PIN digit */
    static const struct ui_target targets[] = {
        {UI_TARGET_FACE, 4, {0, 0, 300, 300}},
        {UI_TARGET_PIN_DIGIT, 3, {500, 200, 100, 100}},
    };
    w->frame.w = 800;
    w->frame.h = 480;
    w->frame.target_count = 2;
    memcpy(w->frame.targets, targets, sizeof targets);
    w->in = (struct input){
        .frame = &w->frame, .technician = w->glue, .kiosk = w->kiosk, .notice = &w->notice};
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    technician_glue_destroy(w->glue);
    kiosk_destroy(w->kiosk);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
    int rc = system(cmd);
    free(w);
    return rc == 0 ? 0 : -1;
}

static void test_a_face_reaches_the_customer(void **state)
{
    struct world *w = *state;
    struct kiosk_actions a = {0};
    bool redraw = false;
    assert_true(input_press(&w->in, 200, 200, start, &a, &redraw));
    assert_true(a.record_tap);
    assert_int_equal(a.tap.rating, 4);
}

static void test_a_technician_target_while_hidden_reaches_nobody(void **state)
{
    struct world *w = *state;
    struct kiosk_actions a = {0};
    bool redraw = false;
    assert_false(input_press(&w->in, 550, 250, start, &a, &redraw));
    assert_false(a.record_tap);
    assert_false(technician_glue_active(w->glue));
}

static void test_a_corner_is_the_technicians(void **state)
{
    struct world *w = *state;
    struct kiosk_actions a = {0};
    bool redraw = false;
    assert_false(input_press(&w->in, 5, 5, start, &a, &redraw)); /* over the face */
    assert_false(a.record_tap);
}

static void test_a_notice_keeps_the_customer_out(void **state)
{
    struct world *w = *state;
    w->notice.forever = true;
    struct kiosk_actions a = {0};
    bool redraw = false;
    assert_false(input_press(&w->in, 200, 200, start, &a, &redraw));
    assert_false(a.record_tap);
}

int main(void)
{
    log_init("test_kiosk_input", LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_a_face_reaches_the_customer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_technician_target_while_hidden_reaches_nobody, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_corner_is_the_technicians, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_notice_keeps_the_customer_out, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
