/* test_rollout_model: what a staged rollout offers, counts and does by
 * itself (app/dash/model/rollout.h), on rows made here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "rollout.h"

static const struct rollout_kiosk fleet[] = {
    {"k1", "2.0", "2.0", "good"},        /* the canary, done */
    {"k10", "1.0", "2.0", "installing"}, /* under way; not the canary "k1" */
    {"k2", "1.0", "2.0", "fallback"},    /* tried it, back on 1.0 */
    {"k3", "1.0", "", ""},               /* not reached yet */
    {"k4", "1.0", "1.9", "failed"},      /* failed another version: not this one's */
};
#define FLEET_N (sizeof fleet / sizeof fleet[0])

static void test_list_matches_whole_ids(void **state)
{
    (void)state;
    assert_true(rollout_in_list("k1", "k1"));
    assert_true(rollout_in_list("k10,k1", "k1"));
    assert_false(rollout_in_list("k10,k2", "k1"));
    assert_false(rollout_in_list("k1", "k"));
    assert_false(rollout_in_list("", "k1"));
    assert_false(rollout_in_list("k1,,k2", ""));
}

static void test_offers(void **state)
{
    (void)state;
    /* canary: only the listed kiosks that do not run it yet */
    assert_false(rollout_offers(ROLLOUT_CANARY, "k1", "2.0", &fleet[0])); /* runs it */
    assert_false(rollout_offers(ROLLOUT_CANARY, "k1", "2.0", &fleet[1])); /* k10 is not k1 */
    assert_true(rollout_offers(ROLLOUT_FLEET, "k1", "2.0", &fleet[1]));
    assert_false(rollout_offers(ROLLOUT_FLEET, "k1", "2.0", &fleet[2])); /* failed it once */
    assert_true(rollout_offers(ROLLOUT_FLEET, "k1", "2.0", &fleet[4]));  /* 1.9's failure */
    assert_false(rollout_offers(ROLLOUT_PAUSED, "k1", "2.0", &fleet[3]));
    assert_false(rollout_offers(ROLLOUT_DONE, "k1", "2.0", &fleet[3]));
    assert_false(rollout_offers(ROLLOUT_STOPPED, "k1", "2.0", &fleet[3]));
}

static void test_progress_and_pause(void **state)
{
    (void)state;
    struct rollout_progress p;
    rollout_progress(ROLLOUT_FLEET, ROLLOUT_CANARY, "k1", "", "2.0", fleet, FLEET_N, &p);
    assert_int_equal(p.targets, 5);
    assert_int_equal(p.updated, 1);
    assert_int_equal(p.underway, 1);
    assert_int_equal(p.failed, 1);
    assert_int_equal(p.unexcused, 1);
    assert_int_equal(p.first_failed, 2);
    assert_int_equal(p.old, 4);
    assert_int_equal(rollout_next_step(ROLLOUT_FLEET, &p), ROLLOUT_STEP_PAUSE);
    /* a resume excused k2: it no longer pauses it, and still counts as failed */
    rollout_progress(ROLLOUT_FLEET, ROLLOUT_CANARY, "k1", "k2", "2.0", fleet, FLEET_N, &p);
    assert_int_equal(p.failed, 1);
    assert_int_equal(p.unexcused, 0);
    assert_int_equal(rollout_next_step(ROLLOUT_FLEET, &p), ROLLOUT_STEP_NONE);
    /* paused from canary: the canary is what it reaches */
    rollout_progress(ROLLOUT_PAUSED, ROLLOUT_CANARY, "k1", "", "2.0", fleet, FLEET_N, &p);
    assert_int_equal(p.targets, 1);
    assert_int_equal(rollout_next_step(ROLLOUT_PAUSED, &p), ROLLOUT_STEP_NONE);
    /* every target on it: a fleet stage is done, a canary stage waits for a person */
    rollout_progress(ROLLOUT_CANARY, ROLLOUT_CANARY, "k1", "", "2.0", fleet, FLEET_N, &p);
    assert_int_equal(p.updated, p.targets);
    assert_int_equal(rollout_next_step(ROLLOUT_CANARY, &p), ROLLOUT_STEP_NONE);
    const struct rollout_kiosk all[] = {{"a", "2.0", "2.0", "good"}, {"b", "2.0", "", ""}};
    rollout_progress(ROLLOUT_FLEET, ROLLOUT_CANARY, "a", "", "2.0", all, 2, &p);
    assert_int_equal(rollout_next_step(ROLLOUT_FLEET, &p), ROLLOUT_STEP_DONE);
}

/* The dashboard's own pause note, written from ROLLOUT_NOTE_PAUSED, gives
 * back its parts for the page to say in the reader's language; anything
 * else (a user's note, a cut one) is not taken for it. */
static void test_pause_note_parts(void **state)
{
    (void)state;
    char note[256], kiosk[64], version[64], st[32];
    snprintf(note, sizeof note, ROLLOUT_NOTE_PAUSED, "k-bad", "1.5.0", "failed");
    assert_true(rollout_note_paused_parse(note, kiosk, sizeof kiosk, version, sizeof version, st,
                                          sizeof st));
    assert_string_equal(kiosk, "k-bad");
    assert_string_equal(version, "1.5.0");
    assert_string_equal(st, "failed");
    /* a version with a space (a kiosk's own words): the state is the last word */
    snprintf(note, sizeof note, ROLLOUT_NOTE_PAUSED, "k2", "1.6 rc", "fallback");
    assert_true(rollout_note_paused_parse(note, kiosk, sizeof kiosk, version, sizeof version, st,
                                          sizeof st));
    assert_string_equal(version, "1.6 rc");
    assert_string_equal(st, "fallback");
    const char *not_ours[] = {"k-bad gets a new SD card",
                              "Paused by itself: kiosk k-bad reports 1.5.0",
                              "Paused by itself: kiosk k bad reports 1.5.0 failed",
                              "Paused by itself: kiosk  reports 1.5.0 failed",
                              "Paused by itself: kiosk k-bad reports 1.5.0 ",
                              ""};
    for (size_t i = 0; i < sizeof not_ours / sizeof not_ours[0]; i++) {
        assert_false(rollout_note_paused_parse(not_ours[i], kiosk, sizeof kiosk, version,
                                               sizeof version, st, sizeof st));
        assert_string_equal(kiosk, "");
    }
    /* a part longer than its buffer: not cut, refused */
    snprintf(note, sizeof note, ROLLOUT_NOTE_PAUSED, "k-bad", "1.5.0", "failed");
    assert_false(rollout_note_paused_parse(note, kiosk, 5, version, sizeof version, st, sizeof st));
    assert_string_equal(version, "");
}

static void test_stage_names(void **state)
{
    (void)state;
    enum rollout_stage s;
    for (int i = ROLLOUT_CANARY; i <= ROLLOUT_STOPPED; i++) {
        assert_true(rollout_stage_parse(rollout_stage_name((enum rollout_stage)i), &s));
        assert_int_equal(s, i);
    }
    assert_false(rollout_stage_parse("canary ", &s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_matches_whole_ids), cmocka_unit_test(test_offers),
        cmocka_unit_test(test_progress_and_pause),     cmocka_unit_test(test_stage_names),
        cmocka_unit_test(test_pause_note_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
