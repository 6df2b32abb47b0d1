/*
 * test_consistency: the spread and the weakest places and times
 * (app/dash/model/consistency.h) on departments built by hand.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "consistency.h"

/* n responses of faces in the share a:b:c:d (of 10) into c. */
static void add(struct dash_counts *c, int64_t n, int a, int b, int cc, int d)
{
    c->n[0] += n * a / 10;
    c->n[1] += n * b / 10;
    c->n[2] += n * cc / 10;
    c->n[3] += n * d / 10;
}

/* A department open 9-17 every day with kiosks k1..k3 at sites A, A, B,
 * each hour of each kiosk alike: per_cell responses of 1:1:3:5. */
static void uniform(struct dash_department *d, int64_t per_cell)
{
    memset(d, 0, sizeof *d);
    static struct dash_kiosk_row kiosks[3];
    memset(kiosks, 0, sizeof kiosks);
    d->kiosks = kiosks;
    d->kiosks_n = 3;
    const char *ids[] = {"k1", "k2", "k3"}, *sites[] = {"A", "A", "B"};
    for (int k = 0; k < 3; k++) {
        snprintf(kiosks[k].kiosk_id, sizeof kiosks[k].kiosk_id, "%s", ids[k]);
        snprintf(kiosks[k].site, sizeof kiosks[k].site, "%s", sites[k]);
    }
    for (int w = 0; w < 7; w++)
        for (int h = 9; h < 17; h++)
            for (int k = 0; k < 3; k++) {
                add(&d->heat[w][h], per_cell, 1, 1, 3, 5);
                add(&kiosks[k].c, per_cell, 1, 1, 3, 5);
                add(&d->total, per_cell, 1, 1, 3, 5);
            }
}

static void test_uniform_is_consistent(void **state)
{
    (void)state;
    struct dash_department d;
    uniform(&d, 20);
    struct consistency k;
    consistency_of(&d, &k);
    assert_true(k.spread < 0.05);
    assert_int_equal(k.weakest_n, 0); /* nothing below its own level */
}

/* Kiosk k3 (site B) serves badly on Tuesday afternoons: it is the weakest
 * kiosk, its site the weakest site, Tuesday the weakest weekday, all
 * beyond chance, and the spread grows. */
static void test_a_weak_kiosk_is_found(void **state)
{
    (void)state;
    struct dash_department d;
    uniform(&d, 20);
    for (int h = 13; h < 17; h++) {
        add(&d.heat[1][h], 200, 5, 3, 1, 1);
        add(&d.kiosks[2].c, 200, 5, 3, 1, 1);
        add(&d.total, 200, 5, 3, 1, 1);
    }
    struct consistency k;
    consistency_of(&d, &k);
    assert_true(k.spread > 5.0);
    assert_true(k.weakest_n >= 3);
    bool kiosk = false, site = false, weekday = false;
    for (size_t i = 0; i < k.weakest_n; i++) {
        const struct consistency_cell *c = &k.weakest[i];
        assert_true(c->gap > 0);
        assert_true(i == 0 || k.weakest[i - 1].gap >= c->gap); /* widest first */
        if (c->kind == CONSISTENCY_KIOSK) {
            assert_string_equal(c->id, "k3");
            assert_true(c->significant);
            assert_int_equal(c->score.n, 3 * 7 * 8 * 20 / 3 + 800);
            kiosk = true;
        }
        site |= c->kind == CONSISTENCY_SITE && !strcmp(c->id, "B") && c->significant;
        weekday |= c->kind == CONSISTENCY_WEEKDAY && c->at == 1 && c->significant;
    }
    assert_true(kiosk && site && weekday);
}

/* A tiny bad cell (5 taps, all very unhappy) is not listed, and moves the
 * spread little: shrinking keeps small cells from dominating. */
static void test_a_tiny_cell_is_not_flagged(void **state)
{
    (void)state;
    struct dash_department d;
    uniform(&d, 20);
    d.heat[3][20].n[0] += 5;
    d.total.n[0] += 5;
    struct consistency k;
    consistency_of(&d, &k);
    for (size_t i = 0; i < k.weakest_n; i++)
        assert_false(k.weakest[i].kind == CONSISTENCY_HOUR && k.weakest[i].at == 20);
    assert_true(k.spread < 2.0);
    /* the same cell unshrunk would be 100 points under: the spread says far less */
}

/* A kiosk a little below the department, on its share of responses: it
 * is listed (enough responses, below) but not as beyond chance. */
static void test_a_slightly_lower_kiosk_is_within_the_noise(void **state)
{
    (void)state;
    struct dash_department d;
    uniform(&d, 20);
    add(&d.heat[2][10], 30, 2, 2, 3, 3);
    add(&d.kiosks[1].c, 30, 2, 2, 3, 3);
    add(&d.total, 30, 2, 2, 3, 3);
    struct consistency k;
    consistency_of(&d, &k);
    bool found = false;
    for (size_t i = 0; i < k.weakest_n; i++)
        if (k.weakest[i].kind == CONSISTENCY_KIOSK && !strcmp(k.weakest[i].id, "k2")) {
            found = true;
            assert_true(k.weakest[i].gap > 0);
            assert_false(k.weakest[i].significant);
        }
    assert_true(found);
}

static void test_no_responses(void **state)
{
    (void)state;
    struct dash_department d;
    memset(&d, 0, sizeof d);
    struct consistency k;
    consistency_of(&d, &k);
    assert_true(isnan(k.spread));
    assert_int_equal(k.weakest_n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uniform_is_consistent),
        cmocka_unit_test(test_a_weak_kiosk_is_found),
        cmocka_unit_test(test_a_tiny_cell_is_not_flagged),
        cmocka_unit_test(test_a_slightly_lower_kiosk_is_within_the_noise),
        cmocka_unit_test(test_no_responses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
