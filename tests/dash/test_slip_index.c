/*
 * test_slip_index: the index slip detector (slip_index.h) -- who is
 * judged (the baseline's minimum), the baseline's mean, spread and the
 * department's alarm level by hand, one step's arithmetic by hand, and on
 * seeded streams: quiet on a stable department at 50 and at 10 taps a
 * day, an alarm within a few days of a 15-point drop, recovery once the
 * data is back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "slip_index.h"

#define SEED 20261205u

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

/* taps answers with cumulative shares cum[0..2] of faces <= 1..3. */
static struct dash_counts hour_of(uint64_t *rng, const double cum[3], int taps)
{
    struct dash_counts c = {{0, 0, 0, 0}};
    for (int i = 0; i < taps; i++) {
        double u = uniform(rng);
        c.n[u < cum[0] ? 0 : u < cum[1] ? 1 : u < cum[2] ? 2 : 3]++;
    }
    return c;
}

/* Baseline 10/20/30/40 of faces 1..4 (100 responses):
 *   m0 = (0*10 + 33.33*20 + 66.67*30 + 100*40) / 100 = 66.667
 *   sum x^2 = 20*1111.1 + 30*4444.4 + 40*10000 = 555555.6
 *   var = (555555.6 - 100 * 4444.44) / 99 = 1122.33, s0 = 33.501
 * Over baseline_days days: r = 100 / days a day, so h = h50 + h_slope
 * ln(r / 50) (at least h_min), c = 1 / (1 + r * day_sd^2 / 1122.33). */
static void test_start_by_hand(void **state)
{
    (void)state;
    struct slip_index_params p = slip_index_params_default();
    struct slip_index_state s;
    struct dash_counts base = {{10, 20, 30, 40}};
    assert_true(slip_index_start(&s, &p, &base));
    assert_true(fabs(s.m0 - 66.6667) < 1e-3);
    assert_true(fabs(s.s0 - 33.5013) < 1e-3);
    double per_day = 100.0 / p.baseline_days,
           c = 1.0 / (1.0 + per_day * p.day_sd * p.day_sd / 1122.33);
    assert_true(fabs(s.per_day - per_day) < 1e-12);
    assert_true(fabs(s.h - fmax(p.h_min, p.h50 + p.h_slope * log(per_day / 50.0))) < 1e-9);
    assert_true(fabs(s.scale - c * p.delta / (s.s0 * s.s0)) < 1e-6);
    assert_true(slip_index_recovered(&s));

    /* one hour of 3 faces 1 and 2 faces 4: sum x = 200, n = 5:
       S = scale * (5 * (66.667 - delta / 2) - 200) */
    double expect = s.scale * (5.0 * (66.66667 - p.delta / 2.0) - 200.0);
    struct dash_counts h = {{3, 0, 0, 2}};
    assert_false(slip_index_step(&s, &h));
    assert_true(fabs(s.s - expect) < 1e-4);
    /* an empty hour leaves S; an hour of faces 4 takes it back to 0 */
    struct dash_counts none = {{0, 0, 0, 0}}, wow = {{0, 0, 0, 5}};
    assert_false(slip_index_step(&s, &none));
    assert_true(fabs(s.s - expect) < 1e-4);
    assert_false(slip_index_step(&s, &wow));
    assert_true(s.s == 0.0 && slip_index_recovered(&s));
    /* negative counts read as 0; a flood of faces 1 holds S at h */
    struct dash_counts bad = {{-50, 0, 0, 0}}, flood = {{200, 0, 0, 0}};
    assert_false(slip_index_step(&s, &bad));
    assert_true(s.s == 0.0);
    assert_true(slip_index_step(&s, &flood));
    assert_true(s.s == s.h);
}

/* Judged from min_baseline_n responses, not one fewer; the alarm level
 * follows the pace, clamped to [h_min, h50 + 2]; s0 floored. */
static void test_who_is_judged(void **state)
{
    (void)state;
    struct slip_index_params p = slip_index_params_default();
    struct slip_index_state s = {.s = 42};
    struct dash_counts few = {{0, 0, 0, p.min_baseline_n - 1}};
    assert_false(slip_index_start(&s, &p, &few));
    assert_true(s.s == 42); /* untouched */
    struct dash_counts none = {{0, 0, 0, 0}};
    assert_false(slip_index_start(&s, &p, &none));
    struct dash_counts enough = {{0, 0, 0, p.min_baseline_n}};
    assert_true(slip_index_start(&s, &p, &enough));
    assert_true(s.s0 == 15.0);                             /* all faces 4: no spread, floored */
    double r = (double)p.min_baseline_n / p.baseline_days; /* the quietest judged */
    assert_true(s.h == fmax(p.h_min, p.h50 + p.h_slope * log(r / 50.0)));
    assert_true(s.h < p.h50 - 1.5); /* a quiet department alarms on less evidence */
    struct dash_counts busy = {{0, 0, 0, 56 * 50}};
    assert_true(slip_index_start(&s, &p, &busy));
    assert_true(fabs(s.h - p.h50) < 1e-9);
    struct dash_counts huge = {{0, 0, 0, 56 * 500000}}; /* h would pass h50 + 2 */
    assert_true(slip_index_start(&s, &p, &huge));
    assert_true(s.h == p.h50 + 2);
}

/* Runs days of 10 opening hours at taps a day from a fresh baseline of
 * 56 days at the same shares; returns the first hour (from the start)
 * the detector alarms, -1 if never. */
static int first_alarm(uint64_t *rng, const double cum[3], int taps_per_day, int days)
{
    static const double base_cum[3] = {0.05, 0.15, 0.50};
    struct slip_index_params p = slip_index_params_default();
    struct dash_counts base = {{0, 0, 0, 0}};
    for (int h = 0; h < 56 * 10; h++) {
        struct dash_counts c = hour_of(rng, base_cum, taps_per_day / 10);
        for (int k = 0; k < 4; k++)
            base.n[k] += c.n[k];
    }
    struct slip_index_state s;
    assert_true(slip_index_start(&s, &p, &base));
    for (int h = 0; h < days * 10; h++) {
        struct dash_counts c = hour_of(rng, cum, taps_per_day / 10);
        if (slip_index_step(&s, &c))
            return h;
    }
    return -1;
}

/* Stable departments (5 / 15 / 50 % cumulative, index 76.7) over 21-day
 * windows: at 50 and at 10 taps a day, at most 1 window in 20 alarms
 * (the bench measures about 0.4 and 1 false alarm per 6 months). */
static void test_stable_is_quiet(void **state)
{
    (void)state;
    static const double cum[3] = {0.05, 0.15, 0.50};
    uint64_t rng = SEED;
    int alarms50 = 0, alarms10 = 0;
    for (int i = 0; i < 20; i++) {
        alarms50 += first_alarm(&rng, cum, 50, 21) >= 0;
        alarms10 += first_alarm(&rng, cum, 10, 21) >= 0;
    }
    assert_true(alarms50 <= 1);
    assert_true(alarms10 <= 1);
}

/* A drop of about 15 index points (12 / 30 / 75 % cumulative, index
 * 61.0) alarms within 3 days at 50 taps a day in every one of 20 seeded
 * departments, at 10 a day within 20 opening days in all and 6 in 3 of 4; then a return to the old
 * shares takes S back to 0 within 5 days. */
static void test_drop_alarms_and_recovers(void **state)
{
    (void)state;
    static const double drop[3] = {0.12, 0.30, 0.75}, back[3] = {0.05, 0.15, 0.50};
    uint64_t rng = SEED + 1;
    int late10 = 0;
    for (int i = 0; i < 20; i++) {
        int at50 = first_alarm(&rng, drop, 50, 10), at10 = first_alarm(&rng, drop, 10, 20);
        assert_true(at50 >= 0 && at50 < 3 * 10);
        assert_true(at10 >= 0);
        late10 += at10 >= 6 * 10;
    }
    assert_true(late10 <= 5); /* at 10 a day: 3 in 4 within 6 opening days */
    struct slip_index_params p = slip_index_params_default();
    struct dash_counts base = {{250, 500, 1750, 2500}}; /* index 76.7 at 90 a day */
    struct slip_index_state s;
    assert_true(slip_index_start(&s, &p, &base));
    int h = 0;
    while (!slip_index_step(&s, &(struct dash_counts){{1, 1, 2, 1}}))
        h++;
    assert_true(h < 24); /* 40 % negative at 9 an hour: within a day of opening hours */
    for (h = 0; h < 50 && !slip_index_recovered(&s); h++) {
        struct dash_counts c = hour_of(&rng, back, 9);
        slip_index_step(&s, &c);
    }
    assert_true(slip_index_recovered(&s));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_by_hand),
        cmocka_unit_test(test_who_is_judged),
        cmocka_unit_test(test_stable_is_quiet),
        cmocka_unit_test(test_drop_alarms_and_recovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
