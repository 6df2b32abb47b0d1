/*
 * test_act: recognise-and-act times per department (model/act.h) against
 * sums done by hand: the medians (odd and even counts), each over the
 * alerts that have its time with that count, open alerts not recovered,
 * rules without a change point, rises counted apart, the total over every
 * department, rows by name, and spans that cannot be (a time before its
 * start) left out rather than counted as 0.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "act.h"

#define H (3600 * 1000LL)

static struct dash_alert alert(const char *dept, const char *name, int64_t change, int64_t opened,
                               int64_t acked, int64_t closed, bool rise)
{
    struct dash_alert a = {.change_ms = change,
                           .opened_ms = opened,
                           .acked_ms = acked,
                           .closed_ms = closed,
                           .rise = rise};
    snprintf(a.department, sizeof a.department, "%s", dept);
    snprintf(a.department_name, sizeof a.department_name, "%s", name);
    a.state = closed ? DASH_ALERT_CLOSED : acked ? DASH_ALERT_ACKNOWLEDGED : DASH_ALERT_OPEN;
    return a;
}

static void test_times(void **state)
{
    (void)state;
    const struct dash_alert alerts[] = {
        /* Ward B: recognise 2 h, 4 h, 9 h -> median 4 h; act 1 h, 3 h -> 2 h; recover 48 h */
        alert("ward-b", "Ward B", 100 * H, 102 * H, 103 * H, 150 * H, false),
        alert("ward-b", "Ward B", 200 * H, 204 * H, 207 * H, 0, false),
        alert("ward-b", "Ward B", 300 * H, 309 * H, 0, 0, false),
        alert("ward-b", "Ward B", 400 * H, 410 * H, 411 * H, 440 * H, true), /* a rise */
        /* Admissions: a rule (no change point), acknowledged before it opened (clocks) */
        alert("adm", "Admissions", 0, 500 * H, 499 * H, 520 * H, false),
    };
    struct act_table t;
    assert_true(act_table_build(alerts, 5, &t));
    assert_int_equal(t.n, 2);
    assert_string_equal(t.rows[0].name, "Admissions"); /* by name */
    assert_string_equal(t.rows[1].department, "ward-b");
    const struct act_row *b = &t.rows[1], *a = &t.rows[0];
    assert_int_equal(b->alerts, 3);
    assert_int_equal(b->rises, 1);
    assert_int_equal(b->open_now, 2);
    assert_int_equal(b->recognise_n, 3);
    assert_true(fabs(b->recognise_s - 4 * 3600.0) < 1e-6);
    assert_int_equal(b->act_n, 2);
    assert_true(fabs(b->act_s - 2 * 3600.0) < 1e-6);
    assert_int_equal(b->recover_n, 1);
    assert_true(fabs(b->recover_s - 48 * 3600.0) < 1e-6);
    assert_int_equal(a->alerts, 1);
    assert_int_equal(a->recognise_n, 0);
    assert_true(isnan(a->recognise_s));
    assert_int_equal(a->act_n, 0); /* a span below 0 is left out */
    assert_int_equal(a->recover_n, 1);
    assert_true(fabs(a->recover_s - 20 * 3600.0) < 1e-6);
    /* the organisation: 4 alerts; recover 48 h and 20 h -> 34 h */
    assert_int_equal(t.total.alerts, 4);
    assert_int_equal(t.total.rises, 1);
    assert_int_equal(t.total.recover_n, 2);
    assert_true(fabs(t.total.recover_s - 34 * 3600.0) < 1e-6);
    assert_true(fabs(t.total.recognise_s - 4 * 3600.0) < 1e-6);
    act_table_free(&t);
    assert_true(act_table_build(NULL, 0, &t));
    assert_int_equal(t.n, 0);
    assert_int_equal(t.total.alerts, 0);
    assert_true(isnan(t.total.act_s));
    act_table_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_times)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
