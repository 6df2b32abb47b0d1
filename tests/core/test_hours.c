/*
 * test_hours: parsing a day's opening hours, and whether the site is open
 * and until when, on both sides of DST changes in Europe/Helsinki.
 *
 * Expected instants are reasoned out in the comments from Helsinki's rules
 * (EET = UTC+2 in winter, EEST = UTC+3 from 01:00 UTC on the last Sunday of
 * March to 01:00 UTC on the last Sunday of October).  In 2026 those Sundays
 * are March 29 and October 25; the test checks that too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hours.h"
#include "tz.h"

#define MIN_MS  60000LL
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)

/* Days since 1970-01-01 by counting, independent of the code under test. */
static int64_t utc_ms(int y, int mo, int d, int h, int mi)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += (yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0 ? 366 : 365;
    for (int mm = 1; mm < mo; mm++)
        days += mdays[mm - 1] + (mm == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0));
    days += d - 1;
    return days * DAY_MS + h * HOUR_MS + mi * MIN_MS;
}

/* 0 = Monday; 1970-01-01 was a Thursday. */
static int weekday_of(int64_t ms)
{
    return (int)((ms / DAY_MS + 3) % 7);
}

static struct hours weekdays(const char *text)
{
    struct hours h;
    memset(&h, 0, sizeof h);
    h.always_open = true;
    char err[200];
    for (int d = 0; d < 7; d++)
        assert_true(hours_parse_day(&h, d, d < 5 ? text : "closed", err, sizeof err));
    return h;
}

static void expect_open(const struct hours *h, const struct tz *tz, int64_t at, bool open,
                        int64_t next)
{
    int64_t change = 0;
    bool got = hours_is_open(h, tz, at, &change);
    if (got != open || change != next)
        fail_msg("at %lld: open %d next %lld, expected open %d next %lld", (long long)at, got,
                 (long long)change, open, (long long)next);
    /* Without the out-parameter the answer is the same. */
    assert_int_equal(hours_is_open(h, tz, at, NULL), open);
}

static void test_parse(void **state)
{
    (void)state;
    struct hours h;
    memset(&h, 0, sizeof h);
    h.always_open = true;
    char err[200] = "";
    assert_true(hours_parse_day(&h, 0, "08:00-17:00", err, sizeof err));
    assert_false(h.always_open);
    assert_int_equal(h.count[0], 1);
    assert_int_equal(h.range[0][0].start_min, 8 * 60);
    assert_int_equal(h.range[0][0].end_min, 17 * 60);

    /* Given out of order and with spaces: kept sorted. */
    assert_true(hours_parse_day(&h, 2, " 13:00 - 17:30 ,8:15-12:00 ", err, sizeof err));
    assert_int_equal(h.count[2], 2);
    assert_int_equal(h.range[2][0].start_min, 8 * 60 + 15);
    assert_int_equal(h.range[2][0].end_min, 12 * 60);
    assert_int_equal(h.range[2][1].start_min, 13 * 60);
    assert_int_equal(h.range[2][1].end_min, 17 * 60 + 30);

    assert_true(hours_parse_day(&h, 6, "00:00-24:00", err, sizeof err));
    assert_int_equal(h.range[6][0].end_min, 1440);
    assert_true(hours_parse_day(&h, 6, "Closed", err, sizeof err));
    assert_int_equal(h.count[6], 0);
    assert_true(
        hours_parse_day(&h, 5, "06:00-07:00,08:00-09:00,10:00-11:00,12:00-13:00", err, sizeof err));
    assert_int_equal(h.count[5], 4);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct hours h;
    memset(&h, 0, sizeof h);
    char err[200] = "";
    assert_false(hours_parse_day(&h, 0, "8-17", err, sizeof err));
    assert_string_equal(err,
                        "expected \"HH:MM-HH:MM[, HH:MM-HH:MM...]\" or \"closed\", got \"8-17\"");

    /* Each message names what was wrong and what it got. */
    const struct {
        const char *text, *says;
    } bad[] = {
        {"", "expected \"HH:MM"},
        {"08:00", "expected \"HH:MM"},
        {"08:00-17:00,", "expected \"HH:MM"},
        {"08:00-17:00 x", "expected \"HH:MM"},
        {"08:60-17:00", "expected \"HH:MM"},
        {"25:00-26:00", "expected \"HH:MM"},
        {"08:00-24:01", "expected \"HH:MM"},
        {"008:00-17:00", "expected \"HH:MM"},
        {"17:00-08:00", "ends after it starts, got \"17:00-08:00\""},
        {"08:00-08:00", "ends after it starts"},
        {"08:00-12:00,11:00-13:00", "do not overlap"},
        {"08:00-12:00,08:00-09:00", "do not overlap"},
        {"01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00", "at most 4 ranges"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (hours_parse_day(&h, 1, bad[i].text, err, sizeof err))
            fail_msg("accepted \"%s\"", bad[i].text);
        if (strstr(err, bad[i].says) == NULL)
            fail_msg("\"%s\": message \"%s\" lacks \"%s\"", bad[i].text, err, bad[i].says);
    }
    assert_false(hours_parse_day(&h, 7, "08:00-17:00", err, sizeof err));
    assert_false(hours_parse_day(&h, -1, "08:00-17:00", err, sizeof err));

    /* A failed parse leaves the day as it was. */
    assert_true(hours_parse_day(&h, 3, "09:00-10:00", err, sizeof err));
    assert_false(hours_parse_day(&h, 3, "09:00-25:00", err, sizeof err));
    assert_int_equal(h.count[3], 1);
    assert_int_equal(h.range[3][0].start_min, 9 * 60);
}

static void test_always_open(void **state)
{
    (void)state;
    struct hours h;
    memset(&h, 0, sizeof h);
    h.always_open = true;
    expect_open(&h, NULL, utc_ms(2026, 3, 28, 3, 0), true, INT64_MAX);
    expect_open(NULL, NULL, 0, true, INT64_MAX);
    /* Every day 00:00-24:00 never changes either; every day closed neither. */
    char err[200];
    for (int d = 0; d < 7; d++)
        assert_true(hours_parse_day(&h, d, "00:00-24:00", err, sizeof err));
    expect_open(&h, NULL, utc_ms(2026, 3, 28, 3, 0), true, INT64_MAX);
    for (int d = 0; d < 7; d++)
        assert_true(hours_parse_day(&h, d, "closed", err, sizeof err));
    expect_open(&h, NULL, utc_ms(2026, 3, 28, 3, 0), false, INT64_MAX);
}

static void test_utc_weekdays(void **state)
{
    (void)state;
    struct hours h = weekdays("08:00-12:00, 13:00-17:00");
    int64_t mon = utc_ms(2026, 1, 5, 0, 0);
    assert_int_equal(weekday_of(mon), 0); /* 2026-01-05 is a Monday */
    expect_open(&h, NULL, mon + 7 * HOUR_MS + 59 * MIN_MS, false, mon + 8 * HOUR_MS);
    expect_open(&h, NULL, mon + 8 * HOUR_MS, true, mon + 12 * HOUR_MS);
    expect_open(&h, NULL, mon + 12 * HOUR_MS + 30 * MIN_MS, false, mon + 13 * HOUR_MS);
    expect_open(&h, NULL, mon + 16 * HOUR_MS + 59 * MIN_MS + 59999, true, mon + 17 * HOUR_MS);
    /* Friday 17:00 to Monday 08:00: the weekend is closed. */
    int64_t fri = mon + 4 * DAY_MS;
    expect_open(&h, NULL, fri + 17 * HOUR_MS, false, mon + 7 * DAY_MS + 8 * HOUR_MS);
    expect_open(&h, NULL, fri + DAY_MS + 10 * HOUR_MS, false, mon + 7 * DAY_MS + 8 * HOUR_MS);
    /* Milliseconds within the second do not shift the answer. */
    expect_open(&h, NULL, mon + 8 * HOUR_MS - 1, false, mon + 8 * HOUR_MS);
}

static void test_across_midnight(void **state)
{
    (void)state;
    struct hours h;
    memset(&h, 0, sizeof h);
    char err[200];
    assert_true(hours_parse_day(&h, 0, "20:00-24:00", err, sizeof err));
    assert_true(hours_parse_day(&h, 1, "00:00-02:00", err, sizeof err));
    int64_t mon = utc_ms(2026, 1, 5, 0, 0);
    /* Open from Monday 20:00 through midnight to Tuesday 02:00. */
    expect_open(&h, NULL, mon + 21 * HOUR_MS, true, mon + 26 * HOUR_MS);
    expect_open(&h, NULL, mon + 24 * HOUR_MS, true, mon + 26 * HOUR_MS);
    /* After that, next Monday at 20:00. */
    expect_open(&h, NULL, mon + 26 * HOUR_MS, false, mon + 7 * DAY_MS + 20 * HOUR_MS);
}

static struct tz *helsinki(void)
{
    char err[256] = "";
    struct tz *tz = tz_load("Europe/Helsinki", NULL, err, sizeof err);
    if (tz == NULL)
        fail_msg("%s", err);
    return tz;
}

static void test_helsinki_spring(void **state)
{
    (void)state;
    struct tz *tz = helsinki();
    struct hours h = weekdays("08:00-17:00");
    int64_t mon_before = utc_ms(2026, 3, 23, 0, 0); /* the Monday before the change (EET) */
    int64_t mon_after = utc_ms(2026, 3, 30, 0, 0);  /* the Monday after it (EEST) */
    assert_int_equal(weekday_of(mon_before), 0);
    assert_int_equal(weekday_of(utc_ms(2026, 3, 29, 0, 0)), 6); /* the change is on a Sunday */
    assert_int_equal(tz_to_local(tz, utc_ms(2026, 3, 29, 1, 0)).utc_offset_s, 3 * 3600);

    /* Winter: 08:00 local = 06:00 UTC, 17:00 local = 15:00 UTC. */
    expect_open(&h, tz, mon_before + 5 * HOUR_MS, false, mon_before + 6 * HOUR_MS);
    expect_open(&h, tz, mon_before + 6 * HOUR_MS, true, mon_before + 15 * HOUR_MS);
    /* Friday 17:00 EET (15:00 UTC) to Monday 08:00 EEST (05:00 UTC): the
     * weekend spans the change, so the next opening is an hour "earlier" in UTC. */
    int64_t fri = mon_before + 4 * DAY_MS;
    expect_open(&h, tz, fri + 15 * HOUR_MS, false, mon_after + 5 * HOUR_MS);
    expect_open(&h, tz, fri + DAY_MS + 9 * HOUR_MS, false, mon_after + 5 * HOUR_MS); /* Saturday */
    /* Summer: 05:00 UTC is 08:00 local, open until 14:00 UTC. */
    expect_open(&h, tz, mon_after + 4 * HOUR_MS + 59 * MIN_MS, false, mon_after + 5 * HOUR_MS);
    expect_open(&h, tz, mon_after + 5 * HOUR_MS, true, mon_after + 14 * HOUR_MS);
    expect_open(&h, tz, mon_after + 14 * HOUR_MS, false, mon_after + DAY_MS + 5 * HOUR_MS);
    tz_destroy(tz);
}

static void test_helsinki_autumn(void **state)
{
    (void)state;
    struct tz *tz = helsinki();
    struct hours h = weekdays("08:00-17:00");
    int64_t fri = utc_ms(2026, 10, 23, 0, 0); /* EEST */
    int64_t mon = utc_ms(2026, 10, 26, 0, 0); /* EET again */
    assert_int_equal(weekday_of(fri), 4);
    assert_int_equal(tz_to_local(tz, utc_ms(2026, 10, 25, 1, 0)).utc_offset_s, 2 * 3600);
    /* Friday 08:00-17:00 EEST = 05:00-14:00 UTC. */
    expect_open(&h, tz, fri + 5 * HOUR_MS, true, fri + 14 * HOUR_MS);
    /* The next opening, Monday 08:00 EET, is 06:00 UTC. */
    expect_open(&h, tz, fri + 14 * HOUR_MS, false, mon + 6 * HOUR_MS);
    expect_open(&h, tz, mon + 5 * HOUR_MS + 30 * MIN_MS, false, mon + 6 * HOUR_MS);
    expect_open(&h, tz, mon + 6 * HOUR_MS, true, mon + 15 * HOUR_MS);
    tz_destroy(tz);
}

static void test_helsinki_in_the_gap(void **state)
{
    (void)state;
    struct tz *tz = helsinki();
    struct hours h;
    memset(&h, 0, sizeof h);
    char err[200];
    /* Sunday 03:30-05:00 local: on 2026-03-29 local time jumps from 03:00 to
     * 04:00 at 01:00 UTC, so 03:30 never happens and the site opens at the
     * jump itself (04:00 EEST) and closes at 05:00 EEST = 02:00 UTC. */
    assert_true(hours_parse_day(&h, 6, "03:30-05:00", err, sizeof err));
    int64_t sun = utc_ms(2026, 3, 29, 0, 0);
    expect_open(&h, tz, sun + 30 * MIN_MS, false, sun + 1 * HOUR_MS);
    expect_open(&h, tz, sun + 1 * HOUR_MS, true, sun + 2 * HOUR_MS);
    /* Autumn: 03:00-04:00 local happens twice on 2026-10-25 (00:00-01:00 UTC
     * in EEST, then 01:00-02:00 UTC in EET).  Judged on the wall clock, the
     * site opens at the first 03:30 (00:30 UTC), closes when the clock goes
     * back to 03:00 (01:00 UTC), opens at the second 03:30 (01:30 UTC) and
     * closes at 05:00 EET (03:00 UTC). */
    int64_t sun2 = utc_ms(2026, 10, 25, 0, 0);
    expect_open(&h, tz, sun2, false, sun2 + 30 * MIN_MS);
    expect_open(&h, tz, sun2 + 30 * MIN_MS, true, sun2 + 1 * HOUR_MS);
    expect_open(&h, tz, sun2 + 1 * HOUR_MS, false, sun2 + 90 * MIN_MS);
    expect_open(&h, tz, sun2 + 90 * MIN_MS, true, sun2 + 3 * HOUR_MS);
    tz_destroy(tz);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),           cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_always_open),     cmocka_unit_test(test_utc_weekdays),
        cmocka_unit_test(test_across_midnight), cmocka_unit_test(test_helsinki_spring),
        cmocka_unit_test(test_helsinki_autumn), cmocka_unit_test(test_helsinki_in_the_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
