/*
 * test_kiosk: the kiosk state machine driven by a fake clock.
 *
 * Every transition and time-out of kiosk.h: the face ack, follow-up
 * (reason, skip, time-out), thanks, the picker and its time-out, languages,
 * ignored and invalid input, the press filter's misuse flag, opening hours
 * (in UTC and in Europe/Helsinki) and the deadlines the main loop sleeps
 * until.  The config is built by hand, independent of config.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "hours.h"
#include "kiosk.h"
#include "tz.h"

#define MIN_MS  60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)

/* 2026-01-05, a Monday, 00:00 UTC: 20458 days after 1970-01-01. */
#define MONDAY_UTC_MS (20458 * DAY_MS)

#define ACK_MS      150
#define FOLLOWUP_MS 10000
#define THANKS_MS   2500
#define PICKER_MS   20000

struct fixture {
    struct config config;
    struct clock_now now;
    struct kiosk *kiosk;
    int taps, followups; /* records asked for so far */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    struct config *c = &f->config;
    c->language_count = 3;
    c->mode = CONFIG_MODE_SINGLE;
    c->department_count = 3;
    c->department = 1;
    c->followup_enabled = true;
    c->positive_count = 2;
    c->negative_count = 3;
    c->followup_timeout_ms = FOLLOWUP_MS;
    c->ack_ms = ACK_MS;
    c->thanks_ms = THANKS_MS;
    c->picker_timeout_ms = PICKER_MS;
    c->sleep_when_closed = true;
    c->hours.always_open = true;
    press_filter_defaults(&c->press_filter);
    /* The two clocks deliberately far apart: conversions must not mix them. */
    f->now = (struct clock_now){.mono_ms = 5000000, .utc_ms = MONDAY_UTC_MS + 10 * HOUR_MS};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kiosk_destroy(f->kiosk);
    free(f);
    return 0;
}

static void start(struct fixture *f, const struct tz *tz)
{
    f->kiosk = kiosk_create(&f->config, tz, f->now);
    assert_non_null(f->kiosk);
}

static void advance(struct fixture *f, int64_t ms)
{
    f->now.mono_ms += ms;
    f->now.utc_ms += ms;
}

/* Sends an event and counts the records it asks for. */
static struct kiosk_actions deliver(struct fixture *f, enum kiosk_event_type type, int arg)
{
    struct kiosk_actions a = kiosk_handle(f->kiosk, (struct kiosk_event){type, arg}, f->now);
    f->taps += a.record_tap;
    f->followups += a.record_followup;
    return a;
}

static struct kiosk_actions tick(struct fixture *f)
{
    return deliver(f, KIOSK_EVENT_TICK, 0);
}

static struct kiosk_view view(const struct fixture *f)
{
    return kiosk_view(f->kiosk);
}

static int64_t deadline(const struct fixture *f)
{
    return kiosk_next_deadline_ms(f->kiosk, f->now);
}

/* An event that must change nothing at all. */
static void assert_ignored(struct fixture *f, enum kiosk_event_type type, int arg)
{
    struct kiosk_view before = view(f);
    int64_t before_deadline = deadline(f);
    struct kiosk_actions a = deliver(f, type, arg);
    assert_false(a.redraw);
    assert_false(a.record_tap);
    assert_false(a.record_followup);
    struct kiosk_view after = view(f);
    assert_int_equal(after.screen, before.screen);
    assert_int_equal(after.department, before.department);
    assert_int_equal(after.language, before.language);
    assert_int_equal(after.pressed_face, before.pressed_face);
    assert_int_equal(after.pressed_reason, before.pressed_reason);
    assert_int_equal(deadline(f), before_deadline);
}

/* Taps a face on the rating screen and checks the ack and the record. */
static void tap(struct fixture *f, int rating, int department, bool misuse)
{
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_TAP_FACE, rating);
    assert_true(a.redraw);
    assert_true(a.record_tap);
    assert_false(a.record_followup);
    assert_int_equal(a.tap.department, department);
    assert_int_equal(a.tap.rating, rating);
    assert_int_equal(a.tap.misuse, misuse);
    assert_int_equal(a.tap.at_utc_ms, f->now.utc_ms);
    struct kiosk_view v = view(f);
    assert_int_equal(v.screen, KIOSK_SCREEN_RATING);
    assert_int_equal(v.pressed_face, rating);
    assert_int_equal(deadline(f), f->now.mono_ms + ACK_MS);
}

/* Lets the ack run out: one TICK a millisecond early changes nothing. */
static void finish_ack(struct fixture *f)
{
    advance(f, ACK_MS - 1);
    assert_false(tick(f).redraw);
    advance(f, 1);
    assert_true(tick(f).redraw);
}

static void finish_thanks(struct fixture *f)
{
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    assert_int_equal(deadline(f), f->now.mono_ms + THANKS_MS);
    advance(f, THANKS_MS - 1);
    assert_false(tick(f).redraw);
    advance(f, 1);
    assert_true(tick(f).redraw);
}

/* ---- the single-department flow ---- */

static void test_starts_on_rating(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    struct kiosk_view v = view(f);
    assert_int_equal(v.screen, KIOSK_SCREEN_RATING);
    assert_int_equal(v.department, 1);
    assert_int_equal(v.language, 0);
    assert_int_equal(v.pressed_face, 0);
    assert_int_equal(v.pressed_reason, -1);
    /* Always open, nothing pending: nothing to wake up for. */
    assert_int_equal(deadline(f), INT64_MAX);
    struct kiosk_actions a = tick(f);
    assert_false(a.redraw);
    assert_false(a.display_sleep);
}

static void test_positive_reason(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    tap(f, RATING_WOW, 1, false);
    finish_ack(f);
    struct kiosk_view v = view(f);
    assert_int_equal(v.screen, KIOSK_SCREEN_FOLLOW_UP);
    assert_true(v.followup_positive);
    assert_int_equal(v.rating, RATING_WOW);
    assert_int_equal(v.pressed_face, 0);
    assert_int_equal(deadline(f), f->now.mono_ms + FOLLOWUP_MS);

    advance(f, 3000);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_CHOOSE_REASON, 1);
    assert_true(a.redraw);
    assert_true(a.record_followup);
    assert_true(a.followup.positive);
    assert_int_equal(a.followup.reason, 1);
    assert_int_equal(a.followup.ended_by, FOLLOWUP_CHOSEN);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    assert_int_equal(view(f).pressed_reason, 1);
    assert_int_equal(deadline(f), f->now.mono_ms + ACK_MS);
    /* While the reason is acknowledged, no second answer. */
    assert_ignored(f, KIOSK_EVENT_CHOOSE_REASON, 0);
    assert_ignored(f, KIOSK_EVENT_SKIP, 0);

    finish_ack(f);
    v = view(f);
    assert_int_equal(v.screen, KIOSK_SCREEN_THANKS);
    assert_true(v.followup_positive);
    assert_int_equal(v.rating, RATING_WOW);
    assert_int_equal(v.pressed_reason, -1);
    finish_thanks(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING);
    assert_int_equal(view(f).department, 1);
    assert_int_equal(f->taps, 1);
    assert_int_equal(f->followups, 1);
}

static void test_negative_skip(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    tap(f, RATING_VERY_UNHAPPY, 1, false);
    finish_ack(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    assert_false(view(f).followup_positive);
    /* The negative list has 3 reasons, so index 2 is valid here (the
     * positive list has only 2). */
    assert_ignored(f, KIOSK_EVENT_CHOOSE_REASON, 3);
    assert_ignored(f, KIOSK_EVENT_CHOOSE_REASON, -1);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_SKIP, 0);
    assert_true(a.redraw);
    assert_true(a.record_followup);
    assert_false(a.followup.positive);
    assert_int_equal(a.followup.reason, -1);
    assert_int_equal(a.followup.ended_by, FOLLOWUP_SKIPPED);
    finish_thanks(f);
    assert_int_equal(f->taps, 1);
    assert_int_equal(f->followups, 1);
}

static void test_negative_last_reason(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    tap(f, RATING_UNHAPPY, 1, false);
    finish_ack(f);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_CHOOSE_REASON, 2);
    assert_true(a.record_followup);
    assert_false(a.followup.positive);
    assert_int_equal(a.followup.reason, 2);
}

static void test_positive_reason_out_of_range(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    tap(f, RATING_HAPPY, 1, false);
    finish_ack(f);
    assert_true(view(f).followup_positive);
    assert_ignored(f, KIOSK_EVENT_CHOOSE_REASON, 2);
    assert_ignored(f, KIOSK_EVENT_CHOOSE_REASON, 100000);
}

static void test_followup_timeout(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    tap(f, RATING_HAPPY, 1, false);
    finish_ack(f);
    advance(f, FOLLOWUP_MS - 1);
    assert_false(tick(f).record_followup);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    advance(f, 1);
    struct kiosk_actions a = tick(f);
    assert_true(a.redraw);
    assert_true(a.record_followup);
    assert_true(a.followup.positive);
    assert_int_equal(a.followup.reason, -1);
    assert_int_equal(a.followup.ended_by, FOLLOWUP_TIMEOUT);
    finish_thanks(f);
    assert_int_equal(f->followups, 1);
}

/* A finger on the follow-up but on no button (reading, hesitating, a hand
 * resting on the glass) starts its time-out again; it never shortens it,
 * and on the thanks screen or during an ack it changes nothing. */
static void test_touch_extends_timeouts(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    tap(f, RATING_UNHAPPY, 1, false);
    int64_t ack_deadline = deadline(f);
    assert_false(deliver(f, KIOSK_EVENT_TOUCH, 0).redraw);
    assert_int_equal(deadline(f), ack_deadline); /* the ack is not a time-out */
    finish_ack(f);
    advance(f, FOLLOWUP_MS - 10);
    assert_false(deliver(f, KIOSK_EVENT_TOUCH, 0).redraw);
    assert_int_equal(deadline(f), f->now.mono_ms + FOLLOWUP_MS);
    advance(f, FOLLOWUP_MS - 1);
    assert_false(tick(f).record_followup);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    advance(f, 1);
    struct kiosk_actions a = tick(f);
    assert_true(a.record_followup);
    assert_int_equal(a.followup.ended_by, FOLLOWUP_TIMEOUT);
    int64_t thanks_deadline = deadline(f);
    deliver(f, KIOSK_EVENT_TOUCH, 0);
    assert_int_equal(deadline(f), thanks_deadline); /* thanks keeps its own pace */
    finish_thanks(f);
    assert_int_equal(f->followups, 1);
    assert_int_equal(f->taps, 1);
}

/* Accessibility mode: switched by its button where a customer chooses,
 * never during an ack or on the thanks screen; every time-out of the visit
 * doubles (KIOSK_ACCESSIBLE_TIME_FACTOR); a start screen left alone in
 * the mode goes back to the start, and the next visit begins without it. */
static void test_accessible_mode(void **state)
{
    struct fixture *f = *state;
    const int64_t factor = KIOSK_ACCESSIBLE_TIME_FACTOR;
    start(f, NULL);
    assert_false(view(f).accessible);
    assert_int_equal(deadline(f), INT64_MAX);
    assert_true(deliver(f, KIOSK_EVENT_ACCESSIBLE, 0).redraw);
    assert_true(view(f).accessible);
    /* single mode's rating screen waits for ever, but not in the mode */
    assert_int_equal(deadline(f), f->now.mono_ms + factor * PICKER_MS);
    tap(f, RATING_UNHAPPY, 1, false);
    assert_ignored(f, KIOSK_EVENT_ACCESSIBLE, 0); /* during the ack */
    assert_true(view(f).accessible);
    finish_ack(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    assert_int_equal(deadline(f), f->now.mono_ms + factor * FOLLOWUP_MS);
    advance(f, FOLLOWUP_MS);
    assert_false(tick(f).record_followup); /* the plain time-out has passed: still asking */
    assert_true(deliver(f, KIOSK_EVENT_CHOOSE_REASON, 0).record_followup);
    finish_ack(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    assert_int_equal(deadline(f), f->now.mono_ms + factor * THANKS_MS);
    assert_ignored(f, KIOSK_EVENT_ACCESSIBLE, 0);
    advance(f, factor * THANKS_MS);
    tick(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING);
    assert_false(view(f).accessible); /* the next customer starts without it */
    assert_int_equal(deadline(f), INT64_MAX);

    /* switched on and left alone: back to the start after the picker wait */
    deliver(f, KIOSK_EVENT_ACCESSIBLE, 0);
    advance(f, factor * PICKER_MS - 1);
    tick(f);
    assert_true(view(f).accessible);
    advance(f, 1);
    assert_true(tick(f).redraw);
    assert_false(view(f).accessible);
    /* on and off again: the plain screen's waits come back */
    deliver(f, KIOSK_EVENT_ACCESSIBLE, 0);
    deliver(f, KIOSK_EVENT_ACCESSIBLE, 0);
    assert_false(view(f).accessible);
    assert_int_equal(deadline(f), INT64_MAX);
    assert_int_equal(f->taps, 1);
    assert_int_equal(f->followups, 1);
}

/* In picker mode the picker itself has the button, and the picker left
 * alone in the mode goes back to the start as the rating screen would. */
static void test_accessible_picker(void **state)
{
    struct fixture *f = *state;
    f->config.mode = CONFIG_MODE_PICKER;
    start(f, NULL);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    deliver(f, KIOSK_EVENT_ACCESSIBLE, 0);
    assert_true(view(f).accessible);
    assert_int_equal(deadline(f), f->now.mono_ms + KIOSK_ACCESSIBLE_TIME_FACTOR * PICKER_MS);
    deliver(f, KIOSK_EVENT_PICK_DEPARTMENT, 2);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING);
    assert_true(view(f).accessible);
    deliver(f, KIOSK_EVENT_BACK, 0);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    advance(f, KIOSK_ACCESSIBLE_TIME_FACTOR * PICKER_MS);
    tick(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    assert_false(view(f).accessible);
    assert_int_equal(deadline(f), INT64_MAX);
}

static void test_followup_disabled(void **state)
{
    struct fixture *f = *state;
    f->config.followup_enabled = false;
    start(f, NULL);
    tap(f, RATING_WOW, 1, false);
    finish_ack(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    assert_int_equal(view(f).rating, RATING_WOW);
    finish_thanks(f);
    assert_int_equal(f->followups, 0);
}

static void test_empty_list_skips_followup(void **state)
{
    struct fixture *f = *state;
    f->config.positive_count = 0;
    start(f, NULL);
    tap(f, RATING_HAPPY, 1, false);
    finish_ack(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    finish_thanks(f);
    /* The negative list is still asked. */
    advance(f, 10000);
    tap(f, RATING_UNHAPPY, 1, false);
    finish_ack(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    assert_false(view(f).followup_positive);
}

static void test_ignored_inputs(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    /* Not faces. */
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, 0);
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, 5);
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, -1);
    /* Not on this screen. */
    assert_ignored(f, KIOSK_EVENT_CHOOSE_REASON, 0);
    assert_ignored(f, KIOSK_EVENT_SKIP, 0);
    assert_ignored(f, KIOSK_EVENT_PICK_DEPARTMENT, 0);
    assert_ignored(f, KIOSK_EVENT_BACK, 0); /* single mode has no picker */
    assert_ignored(f, (enum kiosk_event_type)99, 0);

    tap(f, RATING_HAPPY, 1, false);
    /* During the ack: no second tap, no language change. */
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, RATING_WOW);
    assert_ignored(f, KIOSK_EVENT_SET_LANGUAGE, 1);
    finish_ack(f);
    /* On the follow-up: no faces, no language. */
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, RATING_WOW);
    assert_ignored(f, KIOSK_EVENT_SET_LANGUAGE, 1);
    deliver(f, KIOSK_EVENT_SKIP, 0);
    /* On the thanks screen: nothing. */
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, RATING_WOW);
    assert_ignored(f, KIOSK_EVENT_SKIP, 0);
    assert_ignored(f, KIOSK_EVENT_CHOOSE_REASON, 0);
    assert_ignored(f, KIOSK_EVENT_SET_LANGUAGE, 1);
    assert_int_equal(f->taps, 1);
    assert_int_equal(f->followups, 1);
}

static void test_late_tick(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    tap(f, RATING_WOW, 1, false);
    /* The loop woke late: the follow-up still gets its full time from now. */
    advance(f, 5000);
    assert_true(tick(f).redraw);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    assert_int_equal(deadline(f), f->now.mono_ms + FOLLOWUP_MS);
    /* An event arriving after a deadline sees the screen after it: the
     * thanks time-out fires first, then the tap counts on the rating screen. */
    deliver(f, KIOSK_EVENT_SKIP, 0);
    advance(f, THANKS_MS + 700);
    tap(f, RATING_UNHAPPY, 1, false);
    assert_int_equal(f->taps, 2);
}

/* ---- languages ---- */

static void test_language(void **state)
{
    struct fixture *f = *state;
    start(f, NULL);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_SET_LANGUAGE, 2);
    assert_true(a.redraw);
    assert_int_equal(view(f).language, 2);
    assert_ignored(f, KIOSK_EVENT_SET_LANGUAGE, 2); /* already */
    assert_ignored(f, KIOSK_EVENT_SET_LANGUAGE, 3); /* only 3 configured */
    assert_ignored(f, KIOSK_EVENT_SET_LANGUAGE, -1);
    tap(f, RATING_HAPPY, 1, false);
    finish_ack(f);
    assert_int_equal(view(f).language, 2); /* kept through the flow */
    deliver(f, KIOSK_EVENT_CHOOSE_REASON, 0);
    finish_ack(f);
    assert_int_equal(view(f).language, 2);
    finish_thanks(f);
    /* The next customer starts in the first language. */
    assert_int_equal(view(f).language, 0);
}

/* ---- picker mode ---- */

static void test_picker_flow(void **state)
{
    struct fixture *f = *state;
    f->config.mode = CONFIG_MODE_PICKER;
    start(f, NULL);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    assert_int_equal(view(f).department, -1);
    assert_int_equal(deadline(f), INT64_MAX); /* the picker waits forever */
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, RATING_WOW);
    assert_ignored(f, KIOSK_EVENT_PICK_DEPARTMENT, 3);
    assert_ignored(f, KIOSK_EVENT_PICK_DEPARTMENT, -1);
    assert_ignored(f, KIOSK_EVENT_BACK, 0);

    struct kiosk_actions a = deliver(f, KIOSK_EVENT_SET_LANGUAGE, 1);
    assert_true(a.redraw);
    a = deliver(f, KIOSK_EVENT_PICK_DEPARTMENT, 2);
    assert_true(a.redraw);
    assert_false(a.record_tap);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING);
    assert_int_equal(view(f).department, 2);
    assert_int_equal(view(f).language, 1);
    assert_int_equal(deadline(f), f->now.mono_ms + PICKER_MS);
    assert_ignored(f, KIOSK_EVENT_PICK_DEPARTMENT, 0);

    advance(f, 1000);
    tap(f, RATING_UNHAPPY, 2, false);
    finish_ack(f);
    deliver(f, KIOSK_EVENT_SKIP, 0);
    finish_thanks(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    assert_int_equal(view(f).department, -1);
    assert_int_equal(view(f).language, 0);
}

static void test_picker_timeout(void **state)
{
    struct fixture *f = *state;
    f->config.mode = CONFIG_MODE_PICKER;
    start(f, NULL);
    deliver(f, KIOSK_EVENT_PICK_DEPARTMENT, 0);
    /* Changing the language shows someone is there: the time-out restarts. */
    advance(f, PICKER_MS - 100);
    assert_true(deliver(f, KIOSK_EVENT_SET_LANGUAGE, 2).redraw);
    assert_int_equal(deadline(f), f->now.mono_ms + PICKER_MS);
    advance(f, PICKER_MS - 1);
    assert_false(tick(f).redraw);
    advance(f, 1);
    assert_true(tick(f).redraw);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    assert_int_equal(view(f).department, -1);
    assert_int_equal(view(f).language, 0); /* the customer walked away */
    assert_int_equal(f->taps, 0);
}

static void test_picker_back(void **state)
{
    struct fixture *f = *state;
    f->config.mode = CONFIG_MODE_PICKER;
    start(f, NULL);
    deliver(f, KIOSK_EVENT_SET_LANGUAGE, 1);
    deliver(f, KIOSK_EVENT_PICK_DEPARTMENT, 1);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_BACK, 0);
    assert_true(a.redraw);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    assert_int_equal(view(f).department, -1);
    assert_int_equal(view(f).language, 1); /* the same customer: kept */
    assert_int_equal(deadline(f), INT64_MAX);
    /* No BACK during the ack. */
    deliver(f, KIOSK_EVENT_PICK_DEPARTMENT, 0);
    tap(f, RATING_WOW, 0, false);
    assert_ignored(f, KIOSK_EVENT_BACK, 0);
}

static void test_picker_timeout_off(void **state)
{
    struct fixture *f = *state;
    f->config.mode = CONFIG_MODE_PICKER;
    f->config.picker_timeout_ms = 0;
    start(f, NULL);
    deliver(f, KIOSK_EVENT_PICK_DEPARTMENT, 0);
    assert_int_equal(deadline(f), INT64_MAX);
    advance(f, DAY_MS);
    assert_false(tick(f).redraw);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING);
}

/* ---- the press filter through the actions ---- */

static void test_misuse(void **state)
{
    struct fixture *f = *state;
    f->config.followup_enabled = false;
    start(f, NULL);
    tap(f, RATING_WOW, 1, false);
    finish_ack(f);
    finish_thanks(f);
    /* ack + thanks = 2650 ms after the first tap: sooner than 4 s. */
    tap(f, RATING_WOW, 1, true);
    finish_ack(f);
    finish_thanks(f);
    advance(f, 4000);
    tap(f, RATING_VERY_UNHAPPY, 1, false);
    finish_ack(f);
    finish_thanks(f);
    /* Burst: 6 taps allowed per minute, counting the flagged one; these are
     * the 4th, 5th and 6th within the minute, 4 s apart. */
    for (int i = 0; i < 3; i++) {
        advance(f, 4000);
        tap(f, RATING_HAPPY, 1, false);
        finish_ack(f);
        finish_thanks(f);
    }
    advance(f, 4000);
    tap(f, RATING_HAPPY, 1, true); /* the 7th */
    assert_int_equal(f->taps, 7);
}

/* ---- configuration edge cases ---- */

static void test_bad_single_department(void **state)
{
    struct fixture *f = *state;
    f->config.department = 3; /* only 3 departments: 0..2 */
    start(f, NULL);
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, RATING_WOW);
    assert_int_equal(f->taps, 0);
}

/* ---- opening hours ---- */

static void weekdays(struct config *c, const char *text)
{
    char err[200];
    for (int d = 0; d < 7; d++)
        assert_true(hours_parse_day(&c->hours, d, d < 5 ? text : "closed", err, sizeof err));
    c->hours.always_open = false;
}

static void test_closed_then_open(void **state)
{
    struct fixture *f = *state;
    weekdays(&f->config, "08:00-17:00");
    f->now.utc_ms = MONDAY_UTC_MS + 7 * HOUR_MS; /* 07:00 UTC */
    start(f, NULL);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_CLOSED);
    /* Sleep until 08:00: an hour on the monotonic clock. */
    assert_int_equal(deadline(f), f->now.mono_ms + HOUR_MS);
    struct kiosk_actions a = tick(f);
    assert_true(a.display_sleep);
    assert_false(a.redraw);
    assert_ignored(f, KIOSK_EVENT_TAP_FACE, RATING_WOW);
    assert_ignored(f, KIOSK_EVENT_SET_LANGUAGE, 1);
    assert_ignored(f, KIOSK_EVENT_PICK_DEPARTMENT, 0);

    advance(f, HOUR_MS - 1);
    assert_true(tick(f).display_sleep);
    advance(f, 1);
    a = tick(f);
    assert_true(a.redraw);
    assert_false(a.display_sleep);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING);
    assert_int_equal(view(f).department, 1);
    /* Open until 17:00. */
    assert_int_equal(deadline(f), f->now.mono_ms + 9 * HOUR_MS);
    tap(f, RATING_WOW, 1, false);
}

static void test_closes_on_start_screen(void **state)
{
    struct fixture *f = *state;
    weekdays(&f->config, "08:00-17:00");
    f->config.sleep_when_closed = false;
    f->now.utc_ms = MONDAY_UTC_MS + 16 * HOUR_MS;
    start(f, NULL);
    deliver(f, KIOSK_EVENT_SET_LANGUAGE, 2);
    advance(f, HOUR_MS);
    struct kiosk_actions a = tick(f);
    assert_true(a.redraw);
    assert_false(a.display_sleep); /* not wanted in this config */
    assert_int_equal(view(f).screen, KIOSK_SCREEN_CLOSED);
    assert_int_equal(view(f).language, 0);
    /* Closed until Tuesday 08:00. */
    assert_int_equal(deadline(f), f->now.mono_ms + 15 * HOUR_MS);
}

static void test_closing_mid_flow_finishes_it(void **state)
{
    struct fixture *f = *state;
    weekdays(&f->config, "08:00-17:00");
    f->now.utc_ms = MONDAY_UTC_MS + 17 * HOUR_MS - 1000; /* 16:59:59 */
    start(f, NULL);
    tap(f, RATING_UNHAPPY, 1, false);
    /* The ack ends before closing time; closing is nearer than the
     * follow-up's time-out. */
    assert_int_equal(deadline(f), f->now.mono_ms + ACK_MS);
    finish_ack(f);
    assert_int_equal(deadline(f), f->now.mono_ms + 1000 - ACK_MS);
    advance(f, 5000); /* 17:00:04 */
    struct kiosk_actions a = tick(f);
    assert_false(a.redraw);
    assert_false(a.display_sleep);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    /* The answer still counts. */
    a = deliver(f, KIOSK_EVENT_CHOOSE_REASON, 0);
    assert_true(a.record_followup);
    assert_int_equal(a.followup.ended_by, FOLLOWUP_CHOSEN);
    finish_ack(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    advance(f, THANKS_MS);
    a = tick(f);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_CLOSED);
    assert_true(a.display_sleep);
    assert_int_equal(f->taps, 1);
    assert_int_equal(f->followups, 1);
}

static void test_closing_during_picker(void **state)
{
    struct fixture *f = *state;
    weekdays(&f->config, "08:00-17:00");
    f->config.mode = CONFIG_MODE_PICKER;
    f->now.utc_ms = MONDAY_UTC_MS + 17 * HOUR_MS - 1000;
    start(f, NULL);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_PICKER);
    advance(f, 1000);
    /* A department picked at closing time: closing is checked first. */
    deliver(f, KIOSK_EVENT_PICK_DEPARTMENT, 1);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_CLOSED);
    assert_int_equal(view(f).department, -1);
}

static void test_hours_in_helsinki(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    struct tz *tz = tz_load("Europe/Helsinki", NULL, err, sizeof err);
    if (tz == NULL)
        fail_msg("%s", err);
    weekdays(&f->config, "08:00-17:00");
    /* Monday 05:30 UTC in January is 07:30 EET: closed for 30 more minutes. */
    f->now.utc_ms = MONDAY_UTC_MS + 5 * HOUR_MS + 30 * MIN_MS;
    start(f, tz);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_CLOSED);
    assert_int_equal(deadline(f), f->now.mono_ms + 30 * MIN_MS);
    advance(f, 30 * MIN_MS);
    assert_true(tick(f).redraw);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING);
    kiosk_destroy(f->kiosk);
    f->kiosk = NULL;
    tz_destroy(tz);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_starts_on_rating),
        T(test_positive_reason),
        T(test_negative_skip),
        T(test_negative_last_reason),
        T(test_positive_reason_out_of_range),
        T(test_followup_timeout),
        T(test_touch_extends_timeouts),
        T(test_accessible_mode),
        T(test_accessible_picker),
        T(test_followup_disabled),
        T(test_empty_list_skips_followup),
        T(test_ignored_inputs),
        T(test_late_tick),
        T(test_language),
        T(test_picker_flow),
        T(test_picker_timeout),
        T(test_picker_back),
        T(test_picker_timeout_off),
        T(test_misuse),
        T(test_bad_single_department),
        T(test_closed_then_open),
        T(test_closes_on_start_screen),
        T(test_closing_mid_flow_finishes_it),
        T(test_closing_during_picker),
        T(test_hours_in_helsinki),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
