/*
 * test_slip: the slip detector (slip.h) on seeded streams -- quiet on a
 * stable department, an alarm soon after a big drop, recovery once the
 * data is back at baseline -- its step arithmetic against hand-computed
 * values, the baseline and day ranges, and the fixed-threshold rules at
 * their edges (exactly at the threshold, one response short of the
 * minimum).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "slip.h"

#define SEED 20261128u

/* splitmix64: the tests' own deterministic stream of numbers. */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(uint64_t *s)
{
    return (double)(next_u64(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* One opening hour: 5 taps, each negative with probability p. */
static int64_t hour_negatives(uint64_t *rng, double p, int64_t taps)
{
    int64_t neg = 0;
    for (int64_t i = 0; i < taps; i++)
        neg += uniform(rng) < p;
    return neg;
}

/* One hand-worked step, p0 = 0.2, p1_factor 2 (p1 = 0.4), h = 8:
 *   up = ln(0.4/0.2) = ln 2 = 0.693147, down = ln(0.6/0.8) = -0.287682
 *   hour 1: 3 negative of 5: 3*0.693147 - 2*0.287682 = 1.504077
 *   hour 2: 0 of 4: 1.504077 - 4*0.287682 = 0.353349
 *   hour 3: 0 of 2: max(0, 0.353349 - 0.575364) = 0 -> recovered
 *   an empty hour leaves S alone; 20 negatives of 20 hold S at h. */
static void test_step_arithmetic(void **state)
{
    (void)state;
    struct slip_params p = slip_params_default();
    p.p1_factor = 2.0;
    p.h = 8.0;
    struct slip_state s;
    slip_start(&s, 0.2);
    assert_true(slip_recovered(&s));
    assert_false(slip_step(&s, &p, 3, 5));
    assert_true(fabs(slip_statistic(&s) - 1.504077) < 1e-5);
    assert_false(slip_recovered(&s));
    assert_false(slip_step(&s, &p, 0, 0));
    assert_true(fabs(slip_statistic(&s) - 1.504077) < 1e-5);
    assert_false(slip_step(&s, &p, 0, 4));
    assert_true(fabs(slip_statistic(&s) - 0.353349) < 1e-5);
    assert_false(slip_step(&s, &p, 0, 2));
    assert_true(slip_statistic(&s) == 0.0);
    assert_true(slip_recovered(&s));
    assert_true(slip_step(&s, &p, 20, 20)); /* 20 * 0.693 = 13.9 > 8 */
    assert_true(slip_statistic(&s) == 8.0); /* held at h */
    /* negative above total is cut to total; below 0 to 0 */
    slip_start(&s, 0.2);
    assert_false(slip_step(&s, &p, 9, 3));
    assert_true(fabs(slip_statistic(&s) - 3 * 0.693147) < 1e-5);
    assert_false(slip_step(&s, &p, -4, 3));
    assert_true(fabs(slip_statistic(&s) - 3 * (0.693147 - 0.287682)) < 1e-5);
}

static void test_p1_and_baseline(void **state)
{
    (void)state;
    struct slip_params p = slip_params_default();
    assert_true(p.h > 0 && p.p1_factor > 1 && p.min_baseline_n > 0);
    assert_true(fabs(slip_p1(&p, 0.15) - 0.15 * p.p1_factor) < 1e-12);
    assert_true(slip_p1(&p, 0.8) == SLIP_P1_MAX);
    double p0 = -1;
    assert_false(slip_baseline(&p, 10, p.min_baseline_n - 1, &p0));
    assert_true(p0 == -1); /* untouched */
    assert_false(slip_baseline(&p, 0, 0, &p0));
    /* exactly the minimum is enough: 15 % of it */
    assert_true(slip_baseline(&p, p.min_baseline_n * 15 / 100, p.min_baseline_n, &p0));
    assert_true(fabs(p0 - (double)(p.min_baseline_n * 15 / 100) / (double)p.min_baseline_n) <
                1e-12);
    assert_true(slip_baseline(&p, 0, 1000, &p0)); /* a spotless baseline */
    assert_true(p0 == SLIP_P0_MIN);
    assert_true(slip_baseline(&p, 1000, 1000, &p0));
    assert_true(p0 == SLIP_P0_MAX);
    /* today 100, window 7 days (94..100), gap 7, baseline 28: [59, 87) */
    p.window_days = 7;
    p.gap_days = 7;
    p.baseline_days = 28;
    struct slip_days d = slip_days_for(&p, 100);
    assert_int_equal(d.window_from, 94);
    assert_int_equal(d.baseline_to, 87);
    assert_int_equal(d.baseline_from, 59);
}

/* A stable department at its own baseline (15 % negative, 5 taps an
 * opening hour, 10 hours a day) for 26 weeks: the defaults never alarm
 * on this seed's stream (the bench measures the rate: ~0.12 alarms per
 * 6 months), and the statistic keeps coming back to 0. */
static void test_stable_stream_is_quiet(void **state)
{
    (void)state;
    struct slip_params p = slip_params_default();
    struct slip_state s;
    slip_start(&s, 0.15);
    uint64_t rng = SEED;
    int alarms = 0, zeros = 0;
    const int hours = 182 * 10;
    for (int i = 0; i < hours; i++) {
        alarms += slip_step(&s, &p, hour_negatives(&rng, 0.15, 5), 5);
        zeros += slip_recovered(&s);
    }
    assert_int_equal(alarms, 0);
    assert_true(zeros > hours / 4);
}

/* A big drop: negative share 15 % -> 45 %.  Expected drift per response
 * under the drop: 0.45 ln 2 + 0.55 ln(0.7/0.85) = 0.205, ~1 per opening
 * hour, so h = 8 is reached in about 8 opening hours; allow 20.  Then
 * back at 15 %: the drift is -0.061 per response (-0.3 an hour), so S
 * falls from 8 to 0 in about 26 opening hours; allow 60. */
static void test_drop_alarms_and_recovers(void **state)
{
    (void)state;
    struct slip_params p = slip_params_default();
    struct slip_state s;
    slip_start(&s, 0.15);
    uint64_t rng = SEED + 1;
    for (int i = 0; i < 100; i++)
        slip_step(&s, &p, hour_negatives(&rng, 0.15, 5), 5);
    int alarm_after = -1;
    for (int i = 1; i <= 200 && alarm_after < 0; i++)
        if (slip_step(&s, &p, hour_negatives(&rng, 0.45, 5), 5))
            alarm_after = i;
    assert_true(alarm_after > 0 && alarm_after <= 20);
    /* the slip goes on: a good hour may dip S below h, but it never gets
       back to 0, so the open alert stays open */
    for (int i = 0; i < 50; i++) {
        slip_step(&s, &p, hour_negatives(&rng, 0.45, 5), 5);
        assert_false(slip_recovered(&s));
    }
    int recovered_after = -1;
    for (int i = 1; i <= 200 && recovered_after < 0; i++) {
        slip_step(&s, &p, hour_negatives(&rng, 0.15, 5), 5);
        if (slip_recovered(&s))
            recovered_after = i;
    }
    assert_true(recovered_after >= 8 && recovered_after <= 60);
}

/* negative share > X with >= N: 25 of 100 is exactly at 25 % (no),
 * 26 of 100 fires, 26 of 99 is one short of N = 100 (no, and not
 * recovered either: no evidence); 0.3 is at 3 of 10 (no). */
static void test_threshold_negative_share(void **state)
{
    (void)state;
    assert_false(threshold_negative_share(25, 100, 0.25, 100));
    assert_true(threshold_negative_share_recovered(25, 100, 0.25, 100));
    assert_true(threshold_negative_share(26, 100, 0.25, 100));
    assert_false(threshold_negative_share_recovered(26, 100, 0.25, 100));
    assert_false(threshold_negative_share(26, 99, 0.25, 100));
    assert_false(threshold_negative_share_recovered(26, 99, 0.25, 100));
    assert_false(threshold_negative_share(3, 10, 0.3, 0));
    assert_true(threshold_negative_share(4, 10, 0.3, 0));
    assert_false(threshold_negative_share(0, 0, 0.0, 0)); /* no responses, no share */
    assert_false(threshold_negative_share_recovered(0, 0, 0.0, 0));
}

/* Index rules.  {1, 0, 0, 1}: (0 + 3) / 6 * 100 = 50 exactly.
 * {0, 1, 1, 0}: (1 + 2) / 6 * 100 = 50 as well. */
static void test_threshold_index(void **state)
{
    (void)state;
    struct dash_counts fifty = {{1, 0, 0, 1}}, also = {{0, 1, 1, 0}};
    struct dash_counts low = {{3, 1, 0, 0}}; /* 1/12 * 100 = 8.33 */
    struct dash_counts none = {{0, 0, 0, 0}};
    assert_false(threshold_index_below(&fifty, 50.0, 2));
    assert_true(threshold_index_below_recovered(&fifty, 50.0, 2));
    assert_false(threshold_index_above(&also, 50.0, 2));
    assert_true(threshold_index_above_recovered(&also, 50.0, 2));
    assert_true(threshold_index_below(&fifty, 50.1, 2));
    assert_true(threshold_index_above(&fifty, 49.9, 2));
    assert_false(threshold_index_below(&fifty, 50.1, 3)); /* one short */
    assert_false(threshold_index_below_recovered(&fifty, 50.1, 3));
    assert_true(threshold_index_below(&low, 10.0, 4));
    assert_false(threshold_index_below_recovered(&low, 10.0, 4));
    assert_false(threshold_index_below(&none, 100.0, 0));
    assert_false(threshold_index_above(&none, -1.0, 0));
}

/* One face's count >= X: 5 WOWs against 5 fires, against 6 not. */
static void test_threshold_answer_count(void **state)
{
    (void)state;
    struct dash_counts c = {{7, 0, 2, 5}};
    assert_true(threshold_answer_count(&c, 4, 5));
    assert_false(threshold_answer_count_recovered(&c, 4, 5));
    assert_false(threshold_answer_count(&c, 4, 6));
    assert_true(threshold_answer_count_recovered(&c, 4, 6));
    assert_true(threshold_answer_count(&c, 1, 7));
    assert_false(threshold_answer_count(&c, 2, 1));
    assert_true(threshold_answer_count(&c, 2, 0));  /* >= 0 always */
    assert_false(threshold_answer_count(&c, 0, 0)); /* no face 0 */
    assert_false(threshold_answer_count(&c, 5, 0));
    assert_true(threshold_answer_count_recovered(&c, 5, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_arithmetic),
        cmocka_unit_test(test_p1_and_baseline),
        cmocka_unit_test(test_stable_stream_is_quiet),
        cmocka_unit_test(test_drop_alarms_and_recovers),
        cmocka_unit_test(test_threshold_negative_share),
        cmocka_unit_test(test_threshold_index),
        cmocka_unit_test(test_threshold_answer_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
