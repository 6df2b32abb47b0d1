/*
 * test_press_filter: the response-interval and burst rules, their
 * defaults, switching each off, and the ring's limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "press_filter.h"

static struct press_filter filter_with(int64_t min_interval_ms, int burst_count,
                                       int64_t burst_window_ms)
{
    struct press_filter_settings s = {min_interval_ms, burst_count, burst_window_ms};
    struct press_filter f;
    press_filter_init(&f, &s);
    return f;
}

static void test_defaults(void **state)
{
    (void)state;
    struct press_filter_settings s;
    press_filter_defaults(&s);
    assert_int_equal(s.min_interval_ms, 4000);
    assert_int_equal(s.burst_count, 6);
    assert_int_equal(s.burst_window_ms, 60000);
}

static void test_first_tap_is_fine(void **state)
{
    (void)state;
    struct press_filter_settings s;
    press_filter_defaults(&s);
    struct press_filter f;
    press_filter_init(&f, &s);
    /* Whatever the clock reads at start-up, a first tap has nothing before it. */
    assert_false(press_filter_tap(&f, 0));
    press_filter_init(&f, &s);
    assert_false(press_filter_tap(&f, -5000));
}

static void test_min_interval(void **state)
{
    (void)state;
    struct press_filter f = filter_with(4000, 0, 0);
    assert_false(press_filter_tap(&f, 10000));
    assert_true(press_filter_tap(&f, 10000 + 3999)); /* just too soon */
    /* Measured from the previous tap even though that one was flagged. */
    assert_true(press_filter_tap(&f, 10000 + 3999 + 3999));
    assert_false(press_filter_tap(&f, 10000 + 3999 + 3999 + 4000)); /* exactly the interval */
    assert_false(press_filter_tap(&f, 10000 + 3999 + 3999 + 4000 + 60000));
}

static void test_min_interval_off(void **state)
{
    (void)state;
    struct press_filter f = filter_with(0, 0, 60000);
    for (int i = 0; i < 20; i++)
        assert_false(press_filter_tap(&f, 1000 + i));
}

static void test_burst(void **state)
{
    (void)state;
    /* Interval rule off: only the burst rule speaks.  3 taps in 10 s allowed. */
    struct press_filter f = filter_with(0, 3, 10000);
    assert_false(press_filter_tap(&f, 0));
    assert_false(press_filter_tap(&f, 1000));
    assert_false(press_filter_tap(&f, 2000));
    assert_true(press_filter_tap(&f, 3000)); /* the 4th within 10 s */
    /* At 10 500 the taps at 1000, 2000, 3000 are still inside (less than
     * 10 s ago): a 4th again. */
    assert_true(press_filter_tap(&f, 10500));
    /* At 20 000 only 10 500 is inside the window: fine. */
    assert_false(press_filter_tap(&f, 20000));
}

static void test_burst_window_edge(void **state)
{
    (void)state;
    struct press_filter f = filter_with(0, 1, 10000);
    assert_false(press_filter_tap(&f, 0));
    assert_true(press_filter_tap(&f, 9999));
    /* 10 s after 9999: that tap has left the window. */
    assert_false(press_filter_tap(&f, 9999 + 10000));
}

static void test_defaults_realistic(void **state)
{
    (void)state;
    struct press_filter_settings s;
    press_filter_defaults(&s);
    struct press_filter f;
    press_filter_init(&f, &s);
    /* Taps 5 s apart pass the interval rule; the 7th inside a minute is a burst. */
    for (int i = 0; i < 6; i++)
        assert_false(press_filter_tap(&f, i * 5000));
    assert_true(press_filter_tap(&f, 6 * 5000));
    /* A customer a minute after the last tap is fine again. */
    assert_false(press_filter_tap(&f, 6 * 5000 + 60000));
}

static void test_burst_count_clamped_to_ring(void **state)
{
    (void)state;
    struct press_filter f = filter_with(0, 1000, 1000000);
    int flagged_at = -1;
    for (int i = 0; i < PRESS_FILTER_RING + 5 && flagged_at < 0; i++)
        if (press_filter_tap(&f, i))
            flagged_at = i;
    /* The ring remembers PRESS_FILTER_RING taps, so that is the most a
     * burst can be: the next one is flagged. */
    assert_int_equal(flagged_at, PRESS_FILTER_RING);
}

static void test_burst_off(void **state)
{
    (void)state;
    struct press_filter f = filter_with(0, 0, 60000);
    for (int i = 0; i < 3 * PRESS_FILTER_RING; i++)
        assert_false(press_filter_tap(&f, i * 10));
}

static void test_clock_backwards(void **state)
{
    (void)state;
    struct press_filter f = filter_with(4000, 6, 60000);
    assert_false(press_filter_tap(&f, 100000));
    /* A monotonic clock should never go back; if it does, call it too soon. */
    assert_true(press_filter_tap(&f, 50000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_first_tap_is_fine),
        cmocka_unit_test(test_min_interval),
        cmocka_unit_test(test_min_interval_off),
        cmocka_unit_test(test_burst),
        cmocka_unit_test(test_burst_window_edge),
        cmocka_unit_test(test_defaults_realistic),
        cmocka_unit_test(test_burst_count_clamped_to_ring),
        cmocka_unit_test(test_burst_off),
        cmocka_unit_test(test_clock_backwards),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
