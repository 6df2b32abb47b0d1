/*
 * test_score: score.h against values computed by hand (the working is in
 * the comments): index, CSAT, WOW rate, negative share, the Wilson and
 * index intervals, the small-sample rules, shrinkage, "changed", and
 * counts large enough to overflow a careless int.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "score.h"

#define TOL 1e-4

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.9f, want %.9f (+- %g)", got, want, tol);
}

/* counts {1, 2, 3, 4}: n = 10
 *   index = (0*1 + 1*2 + 2*3 + 3*4) / (3*10) * 100 = 20/30 * 100 = 66.6667
 *   CSAT = (3 + 4)/10 = 0.7, WOW = 4/10 = 0.4, negative = (1 + 2)/10 = 0.3
 *   faces on 0..3: mean 2; squared deviations 1*4 + 2*1 + 3*0 + 4*1 = 10;
 *   s^2 = 10/9, s = sqrt(10/9) * 100/3 index points;
 *   s / sqrt(10) = (1/3) * 100/3 = 100/9 = 11.1111;
 *   half width = 1.959964 * 11.1111 = 21.7774 -> [44.8893, 88.4440] */
static void test_counts_1234(void **state)
{
    (void)state;
    struct dash_counts c = {{1, 2, 3, 4}};
    struct score s = score_of(&c);
    assert_int_equal(s.n, 10);
    assert_near(s.index, 66.666667, TOL);
    assert_near(s.index_lo, 44.889289, TOL);
    assert_near(s.index_hi, 88.444044, TOL);
    assert_near(s.csat, 0.7, 1e-12);
    assert_near(s.wow, 0.4, 1e-12);
    assert_near(s.negative, 0.3, 1e-12);
    /* Wilson 7/10 and 4/10, as test_wilson works out for 8/10 */
    assert_near(s.csat_lo, 0.396778, TOL);
    assert_near(s.csat_hi, 0.892209, TOL);
    assert_near(s.wow_lo, 0.168180, TOL);
    assert_near(s.wow_hi, 0.687326, TOL);
}

/* Wilson 8/10, z = 1.959964 (z^2 = 3.841459):
 *   p = 0.8; denominator 1 + z^2/n = 1.3841459
 *   centre = (0.8 + 3.841459/20) / 1.3841459 = 0.992073 / 1.3841459 = 0.716740
 *   half = z / 1.3841459 * sqrt(0.8*0.2/10 + 3.841459/400)
 *        = 1.416012 * sqrt(0.016 + 0.0096036) = 1.416012 * 0.160012 = 0.226578
 *   -> [0.490162, 0.943318]
 * 0/10: lo = 0, hi = z^2 / (n + z^2) = 3.841459 / 13.841459 = 0.277533;
 * 10/10 is its mirror: [0.722467, 1]. */
static void test_wilson(void **state)
{
    (void)state;
    double lo, hi;
    score_wilson(8, 10, SCORE_Z95, &lo, &hi);
    assert_near(lo, 0.490162, TOL);
    assert_near(hi, 0.943318, TOL);
    score_wilson(0, 10, SCORE_Z95, &lo, &hi);
    assert_near(lo, 0.0, 1e-12);
    assert_near(hi, 0.277533, TOL);
    score_wilson(10, 10, SCORE_Z95, &lo, &hi);
    assert_near(lo, 0.722467, TOL);
    assert_near(hi, 1.0, 1e-12);
    assert_true(hi <= 1.0);
    score_wilson(0, 0, SCORE_Z95, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    score_wilson(11, 10, SCORE_Z95, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    score_wilson(-1, 10, SCORE_Z95, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

static void test_empty_is_nan(void **state)
{
    (void)state;
    struct dash_counts c = {{0, 0, 0, 0}};
    struct score s = score_of(&c);
    assert_int_equal(s.n, 0);
    const double all[] = {s.index,   s.index_lo, s.index_hi, s.csat,   s.csat_lo,
                          s.csat_hi, s.wow,      s.wow_lo,   s.wow_hi, s.negative};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        assert_true(isnan(all[i]));
    /* shrinking nothing gives the prior itself; no weight at all, NaN */
    assert_near(score_shrunk_index(&c, 61.5, 30), 61.5, 1e-12);
    assert_true(isnan(score_shrunk_index(&c, 61.5, 0)));
}

/* Small samples (score.h):
 *   one answer: no spread to estimate, [0, 100];
 *   {0, 0, 0, 2}: s = 0, so s is taken as step/sqrt(n) = 33.333/sqrt(2)
 *   = 23.570; s/sqrt(2) = 16.667; half = 1.959964 * 16.667 = 32.666
 *   -> [67.334, 100] (cut at 100). */
static void test_small_samples(void **state)
{
    (void)state;
    struct dash_counts one = {{0, 0, 1, 0}};
    struct score s = score_of(&one);
    assert_near(s.index, 66.666667, TOL);
    assert_near(s.index_lo, 0.0, 1e-12);
    assert_near(s.index_hi, 100.0, 1e-12);
    struct dash_counts two_wow = {{0, 0, 0, 2}};
    s = score_of(&two_wow);
    assert_near(s.index, 100.0, 1e-12);
    assert_near(s.index_lo, 67.333934, TOL);
    assert_near(s.index_hi, 100.0, 1e-12);
    /* all face 1: mirrored, [0, 32.666] */
    struct dash_counts two_bad = {{2, 0, 0, 0}};
    s = score_of(&two_bad);
    assert_near(s.index, 0.0, 1e-12);
    assert_near(s.index_lo, 0.0, 1e-12);
    assert_near(s.index_hi, 32.666066, TOL);
    /* negative counts (a corrupt row) read as 0 */
    struct dash_counts bad = {{-5, 0, 0, 1}};
    assert_int_equal(score_of(&bad).n, 1);
}

/* Shrinkage, k = 30, prior 60:
 *   five WOWs: (5*100 + 30*60) / (5 + 30) = 2300/35 = 65.714286
 *   {0, 0, 100, 100}: index 83.333; (100*66.667 + 100*100 + 1800) / 230
 *   = 18466.667/230 = 80.289855: the big department stays near its own
 *   index and now outranks the five lucky taps. */
static void test_shrinkage(void **state)
{
    (void)state;
    struct dash_counts lucky = {{0, 0, 0, 5}};
    struct dash_counts big = {{0, 0, 100, 100}};
    assert_near(score_of(&lucky).index, 100.0, 1e-12);
    double small = score_shrunk_index(&lucky, 60.0, SCORE_SHRINK_K);
    double large = score_shrunk_index(&big, 60.0, SCORE_SHRINK_K);
    assert_near(small, 65.714286, TOL);
    assert_near(large, 80.289855, TOL);
    assert_true(large > small);
    /* k = 0: no shrinkage */
    assert_near(score_shrunk_index(&big, 60.0, 0), 83.333333, TOL);
}

/* Changed: intervals apart.  {0,0,0,50}: index 100, s = 0 so s is
 * 33.333/sqrt(50), half = 1.959964 * 33.333/50 = 1.3066 -> [98.69, 100];
 * {0,0,50,0}: 66.667 +- 1.3066 -> [65.36, 67.97]: apart.  {1,2,3,4}
 * [44.9, 88.4] overlaps the second and not the first. */
static void test_changed(void **state)
{
    (void)state;
    struct dash_counts wow = {{0, 0, 0, 50}}, happy = {{0, 0, 50, 0}}, mixed = {{1, 2, 3, 4}};
    struct dash_counts none = {{0, 0, 0, 0}};
    struct score s_wow = score_of(&wow), s_happy = score_of(&happy);
    struct score s_mixed = score_of(&mixed), s_none = score_of(&none);
    assert_true(score_changed(&s_wow, &s_happy));
    assert_true(score_changed(&s_happy, &s_wow));
    assert_true(score_changed(&s_mixed, &s_wow));
    assert_false(score_changed(&s_happy, &s_mixed));
    assert_false(score_changed(&s_none, &s_wow));
    assert_false(score_changed(&s_wow, &s_none));
    assert_false(score_changed(&s_none, &s_none));
}

/* A billion of each face: index 50; faces on 0..3 have variance 1.25
 * (sample: 5e9/(4e9 - 1)), s = 1.118034 * 33.333 = 37.2678;
 * half = 1.959964 * 37.2678 / sqrt(4e9) = 0.0011549.  CSAT 0.5, Wilson
 * half about 1.959964 * sqrt(0.25/4e9) = 1.5495e-5. */
static void test_large_n(void **state)
{
    (void)state;
    const int64_t g = 1000000000;
    struct dash_counts c = {{g, g, g, g}};
    struct score s = score_of(&c);
    assert_true(s.n == 4 * g);
    assert_near(s.index, 50.0, 1e-9);
    assert_near(s.index_hi - s.index, 0.0011549, 1e-6);
    assert_near(s.index - s.index_lo, 0.0011549, 1e-6);
    assert_near(s.csat, 0.5, 1e-12);
    assert_near(s.csat_hi - s.csat, 1.5495e-5, 1e-8);
    /* adding counts: face by face, no overflow at 4e9 */
    struct dash_counts sum = {{0, 0, 0, 0}};
    score_counts_add(&sum, &c);
    score_counts_add(&sum, &c);
    assert_true(sum.n[0] == 2 * g && sum.n[3] == 2 * g);
    assert_true(score_counts_total(&sum) == 8 * g);
}

static void test_counts_add(void **state)
{
    (void)state;
    struct dash_counts sum = {{1, 2, 3, 4}}, c = {{10, 0, 5, 1}};
    score_counts_add(&sum, &c);
    assert_true(sum.n[0] == 11 && sum.n[1] == 2 && sum.n[2] == 8 && sum.n[3] == 5);
    assert_int_equal(score_counts_total(&sum), 26);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_1234),  cmocka_unit_test(test_wilson),
        cmocka_unit_test(test_empty_is_nan), cmocka_unit_test(test_small_samples),
        cmocka_unit_test(test_shrinkage),    cmocka_unit_test(test_changed),
        cmocka_unit_test(test_large_n),      cmocka_unit_test(test_counts_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
