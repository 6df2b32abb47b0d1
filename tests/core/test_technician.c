/*
 * test_technician: the hidden gesture, the PIN pad and its growing lockout,
 * the idle time-out and each menu item, with a fake clock and a real
 * argon2id hash (made here at libsodium's minimum cost, so the test is fast
 * while pin_verify() runs the real check).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "technician.h"

#define W 800
#define H 480

struct fixture {
    char hash[crypto_pwhash_STRBYTES];
    struct clock_now now;
    struct technician *t;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL || sodium_init() < 0)
        return -1;
    if (crypto_pwhash_str(f->hash, "2468", 4, crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) != 0)
        return -1;
    f->now = (struct clock_now){.mono_ms = 1000000, .utc_ms = 1790000000000};
    f->t = technician_create(f->hash, (struct technician_lock){0});
    *state = f;
    return f->t == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    technician_destroy(f->t);
    free(f);
    return 0;
}

static void advance(struct fixture *f, int64_t ms)
{
    f->now.mono_ms += ms;
    f->now.utc_ms += ms;
}

static struct technician_actions send(struct fixture *f, enum technician_event_type type, int arg)
{
    return technician_handle(f->t, (struct technician_event){.type = type, .arg = arg}, f->now);
}

/* Finger down at (x, y), held for ms, lifted. */
static struct technician_actions hold(struct fixture *f, int x, int y, int64_t ms)
{
    struct technician_event ev = {.type = TECHNICIAN_EVENT_PRESS, .x = x, .y = y, .w = W, .h = H};
    struct technician_actions a = technician_handle(f->t, ev, f->now);
    /* hidden: a press is the customer's, but never one in a corner */
    assert_int_equal(a.consumed, technician_corner(x, y, W, H) >= 0);
    advance(f, ms);
    ev.type = TECHNICIAN_EVENT_RELEASE;
    return technician_handle(f->t, ev, f->now);
}

static void open_pad(struct fixture *f)
{
    hold(f, 5, 5, TECHNICIAN_HOLD_MS);
    advance(f, 1000);
    struct technician_actions a = hold(f, W - 5, H - 5, TECHNICIAN_HOLD_MS);
    assert_true(a.redraw);
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_PIN);
}

static void type_pin(struct fixture *f, const char *pin)
{
    for (const char *p = pin; *p; p++)
        send(f, TECHNICIAN_EVENT_DIGIT, *p - '0');
    send(f, TECHNICIAN_EVENT_ENTER, 0);
}

static void test_corners(void **state)
{
    (void)state;
    int side = technician_corner_size(W, H);
    assert_int_equal(side, 60);
    assert_int_equal(technician_corner(0, 0, W, H), 0);
    assert_int_equal(technician_corner(W - 1, 0, W, H), 1);
    assert_int_equal(technician_corner(W - 1, H - 1, W, H), 2);
    assert_int_equal(technician_corner(0, H - 1, W, H), 3);
    assert_int_equal(technician_corner(side, side - 1, W, H), -1);
    assert_int_equal(technician_corner(W / 2, H / 2, W, H), -1);
    assert_int_equal(technician_corner_size(320, 240), 48); /* never smaller than a fingertip */
}

static void test_gesture_opens_pad(void **state)
{
    struct fixture *f = *state;
    assert_false(technician_active(f->t));
    open_pad(f);
    assert_true(technician_active(f->t));
    /* the other diagonal, in the other order, works too */
    send(f, TECHNICIAN_EVENT_CANCEL, 0);
    assert_false(technician_active(f->t));
    hold(f, 5, H - 5, TECHNICIAN_HOLD_MS);
    hold(f, W - 5, 5, TECHNICIAN_HOLD_MS);
    assert_true(technician_active(f->t));
}

static void test_gesture_is_hard_to_hit(void **state)
{
    struct fixture *f = *state;
    /* short holds, the same corner twice, an adjacent corner, the middle;
     * each try starts after the last one has expired */
    hold(f, 5, 5, TECHNICIAN_HOLD_MS - 1);
    hold(f, W - 5, H - 5, TECHNICIAN_HOLD_MS - 1);
    assert_false(technician_active(f->t));
    advance(f, TECHNICIAN_SECOND_MS + 1);
    hold(f, 5, 5, TECHNICIAN_HOLD_MS);
    hold(f, 5, 5, TECHNICIAN_HOLD_MS);
    assert_false(technician_active(f->t));
    advance(f, TECHNICIAN_SECOND_MS + 1);
    hold(f, 5, 5, TECHNICIAN_HOLD_MS);
    hold(f, W - 5, 5, TECHNICIAN_HOLD_MS);
    assert_false(technician_active(f->t));
    advance(f, TECHNICIAN_SECOND_MS + 1);
    hold(f, W / 2, H / 2, 10000);
    hold(f, 5, H - 5, TECHNICIAN_HOLD_MS);
    assert_false(technician_active(f->t));
    advance(f, TECHNICIAN_SECOND_MS + 1);
    /* the opposite corner, but too late */
    hold(f, 5, 5, TECHNICIAN_HOLD_MS);
    advance(f, TECHNICIAN_SECOND_MS + 1);
    hold(f, W - 5, H - 5, TECHNICIAN_HOLD_MS);
    assert_false(technician_active(f->t));
}

static void test_right_pin_opens_menu(void **state)
{
    struct fixture *f = *state;
    open_pad(f);
    send(f, TECHNICIAN_EVENT_DIGIT, 2);
    send(f, TECHNICIAN_EVENT_DIGIT, 9);
    send(f, TECHNICIAN_EVENT_DELETE, 0);
    assert_int_equal(technician_view(f->t, f->now).digits, 1);
    for (int d = 4; d <= 8; d += 2)
        send(f, TECHNICIAN_EVENT_DIGIT, d);
    struct technician_actions a = send(f, TECHNICIAN_EVENT_ENTER, 0);
    assert_true(a.consumed);
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_MENU);
    assert_int_equal(technician_view(f->t, f->now).digits, 0);
}

static void test_lockout_grows(void **state)
{
    struct fixture *f = *state;
    open_pad(f);
    type_pin(f, "1111");
    type_pin(f, "1112");
    struct technician_view v = technician_view(f->t, f->now);
    assert_true(v.wrong);
    assert_int_equal(v.failures, 2);
    assert_int_equal(v.locked_for_ms, 0);
    type_pin(f, "1113"); /* the third wrong PIN locks */
    v = technician_view(f->t, f->now);
    assert_int_equal(v.locked_for_ms, TECHNICIAN_LOCK_FIRST_MS);
    /* while locked even the right PIN does nothing */
    type_pin(f, "2468");
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_PIN);
    assert_int_equal(technician_view(f->t, f->now).digits, 0);
    /* the pad wakes for the countdown and the end of the lock */
    int64_t next = technician_next_deadline_ms(f->t, f->now);
    assert_true(next > f->now.mono_ms && next <= f->now.mono_ms + 1000);

    int64_t expect = TECHNICIAN_LOCK_FIRST_MS;
    for (int i = 0; i < 8; i++) {
        advance(f, technician_view(f->t, f->now).locked_for_ms);
        send(f, TECHNICIAN_EVENT_TICK, 0);
        if (!technician_active(f->t))
            open_pad(f); /* a long lock outlasts the idle time-out */
        assert_int_equal(technician_view(f->t, f->now).locked_for_ms, 0);
        type_pin(f, "0000");
        expect = expect * 2 > TECHNICIAN_LOCK_MAX_MS ? TECHNICIAN_LOCK_MAX_MS : expect * 2;
        assert_int_equal(technician_view(f->t, f->now).locked_for_ms, expect);
    }
    assert_int_equal(expect, TECHNICIAN_LOCK_MAX_MS);
    /* the right PIN after the lock clears it all */
    advance(f, expect);
    send(f, TECHNICIAN_EVENT_TICK, 0);
    open_pad(f);
    type_pin(f, "2468");
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_MENU);
    assert_int_equal(technician_lock(f->t).failures, 0);
    assert_int_equal(technician_lock(f->t).locked_until_utc_ms, 0);
}

/* The lock comes back from disk: a restart does not reset it, and a clock
 * set back cannot stretch it beyond the longest lock. */
static void test_lock_survives_restart(void **state)
{
    struct fixture *f = *state;
    struct technician_lock kept = {.failures = 4, .locked_until_utc_ms = f->now.utc_ms + 50000};
    technician_destroy(f->t);
    f->t = technician_create(f->hash, kept);
    assert_non_null(f->t);
    open_pad(f);
    assert_int_equal(technician_view(f->t, f->now).locked_for_ms,
                     50000 - 2 * TECHNICIAN_HOLD_MS - 1000);
    f->now.utc_ms -= 10LL * TECHNICIAN_LOCK_MAX_MS; /* the wall clock jumps back */
    assert_int_equal(technician_view(f->t, f->now).locked_for_ms, TECHNICIAN_LOCK_MAX_MS);
}

static void test_no_pin_never_opens_menu(void **state)
{
    struct fixture *f = *state;
    technician_destroy(f->t);
    f->t = technician_create("", (struct technician_lock){0});
    assert_non_null(f->t);
    open_pad(f);
    assert_true(technician_view(f->t, f->now).no_pin);
    type_pin(f, "0000");
    type_pin(f, "");
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_PIN);
}

static void test_short_pin_and_garbage_hash(void **state)
{
    struct fixture *f = *state;
    assert_false(pin_verify(f->hash, "246"));
    assert_false(pin_verify("$argon2id$garbage", "2468"));
    assert_true(pin_verify(f->hash, "2468"));
    char made[crypto_pwhash_STRBYTES];
    assert_false(pin_hash("2468", made, 16)); /* too small a buffer */
}

static void open_menu(struct fixture *f)
{
    open_pad(f);
    type_pin(f, "2468");
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_MENU);
}

static void test_menu_items(void **state)
{
    struct fixture *f = *state;
    open_menu(f);
    struct technician_actions a = send(f, TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_SYNC_NOW);
    assert_int_equal(a.request, TECHNICIAN_REQUEST_SYNC_NOW);
    assert_true(technician_view(f->t, f->now).sync_requested);

    send(f, TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_TOUCH_TEST);
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_TOUCH_TEST);
    for (int i = 0; i < TECHNICIAN_TOUCH_POINTS + 5; i++) {
        struct technician_event ev = {.type = TECHNICIAN_EVENT_PRESS, .x = i, .y = 2 * i};
        a = technician_handle(f->t, ev, f->now);
        assert_true(a.consumed);
    }
    struct technician_view v = technician_view(f->t, f->now);
    assert_int_equal(v.touch_count, TECHNICIAN_TOUCH_POINTS);
    assert_int_equal(v.touch[0].x, 5); /* the oldest went */
    assert_int_equal(v.touch[TECHNICIAN_TOUCH_POINTS - 1].y, 2 * (TECHNICIAN_TOUCH_POINTS + 4));
    send(f, TECHNICIAN_EVENT_CANCEL, 0);
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_MENU);

    send(f, TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_PATTERN);
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_PATTERN);
    technician_handle(f->t, (struct technician_event){.type = TECHNICIAN_EVENT_PRESS}, f->now);
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_MENU);

    send(f, TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_DEPARTMENT);
    assert_int_equal(technician_view(f->t, f->now).screen, TECHNICIAN_DEPARTMENTS);
    a = send(f, TECHNICIAN_EVENT_DEPARTMENT, 2);
    assert_int_equal(a.request, TECHNICIAN_REQUEST_SET_DEPARTMENT);
    assert_int_equal(a.department, 2);
    a = send(f, TECHNICIAN_EVENT_DEPARTMENT, -1);
    assert_int_equal(a.department, -1);
    send(f, TECHNICIAN_EVENT_CANCEL, 0);

    a = send(f, TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_RESTART);
    assert_int_equal(a.request, TECHNICIAN_REQUEST_RESTART);
    send(f, TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_CLOSE);
    assert_false(technician_active(f->t));
}

static void test_idle_closes(void **state)
{
    struct fixture *f = *state;
    open_menu(f);
    assert_int_equal(technician_next_deadline_ms(f->t, f->now),
                     f->now.mono_ms + TECHNICIAN_IDLE_MS);
    advance(f, TECHNICIAN_IDLE_MS - 1);
    send(f, TECHNICIAN_EVENT_TICK, 0);
    assert_true(technician_active(f->t));
    advance(f, 1);
    struct technician_actions a = send(f, TECHNICIAN_EVENT_TICK, 0);
    assert_true(a.redraw);
    assert_false(technician_active(f->t));
    assert_int_equal(technician_next_deadline_ms(f->t, f->now), INT64_MAX);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_corners),
        T(test_gesture_opens_pad),
        T(test_gesture_is_hard_to_hit),
        T(test_right_pin_opens_menu),
        T(test_lockout_grows),
        T(test_lock_survives_restart),
        T(test_no_pin_never_opens_menu),
        T(test_short_pin_and_garbage_hash),
        T(test_menu_items),
        T(test_idle_closes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
