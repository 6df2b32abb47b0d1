/*
 * test_tz: the TZif reader against the system's zone files.
 *
 * Expectations come from two independent sources: the published rules
 * (Helsinki +2/+3, changing at 01:00 UTC on the last Sundays of March and
 * October; New York; Lord Howe's 30-minute DST), with the dates computed
 * here by a plain day-counting loop, and the C library's own localtime_r()
 * under TZ=zone, swept over two centuries.  Synthetic files exercise
 * version 1, version 3 footers and every kind of corruption.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "tz.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define HOUR_MS  (3600 * 1000LL)

/* ---- an independent calendar: count days one year and month at a time ---- */

static int leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int mdays(int y, int m)
{
    static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 ? 28 + leap(y) : n[m - 1];
}

static int64_t days_since_epoch(int y, int m, int d)
{
    int64_t days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += 365 + leap(yy);
    for (int yy = y; yy < 1970; yy++)
        days -= 365 + leap(yy);
    for (int mm = 1; mm < m; mm++)
        days += mdays(y, mm);
    return days + d - 1;
}

static int64_t utc_ms(int y, int mo, int d, int h, int mi, int s)
{
    return ((days_since_epoch(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + s * 1000LL;
}

/* 0 = Sunday, counted from a known Sunday (1970-01-04). */
static int sunday_based_weekday(int y, int m, int d)
{
    int64_t diff = days_since_epoch(y, m, d) - 3;
    return (int)(((diff % 7) + 7) % 7);
}

static int last_sunday(int y, int m)
{
    int d = mdays(y, m);
    while (sunday_based_weekday(y, m, d) != 0)
        d--;
    return d;
}

static int nth_sunday(int y, int m, int n)
{
    int d = 1;
    while (sunday_based_weekday(y, m, d) != 0)
        d++;
    return d + 7 * (n - 1);
}

/* ---- helpers ---- */

static struct tz *load(const char *name)
{
    char err[256] = "";
    struct tz *tz = tz_load(name, NULL, err, sizeof err);
    if (tz == NULL)
        fail_msg("tz_load(%s): %s", name, err);
    return tz;
}

static unsigned char *slurp(const char *path, unsigned long *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *buf = malloc(1 << 20);
    assert_non_null(buf);
    *size = (unsigned long)fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* The offset in effect one second before and at utc. */
static void assert_change(const struct tz *tz, int64_t at_ms, int32_t before_s, int32_t after_s)
{
    struct tz_local a = tz_to_local(tz, at_ms - 1000);
    struct tz_local b = tz_to_local(tz, at_ms);
    if (a.utc_offset_s != before_s || b.utc_offset_s != after_s)
        fail_msg("at %lld ms: offsets %d -> %d, expected %d -> %d", (long long)at_ms,
                 (int)a.utc_offset_s, (int)b.utc_offset_s, (int)before_s, (int)after_s);
    assert_int_equal(a.is_dst, before_s > after_s ? 1 : 0);
    assert_int_equal(b.is_dst, after_s > before_s ? 1 : 0);
}

/* ---- against published rules ---- */

static void check_helsinki_year(const struct tz *tz, int year)
{
    int64_t spring = utc_ms(year, 3, last_sunday(year, 3), 1, 0, 0);
    int64_t autumn = utc_ms(year, 10, last_sunday(year, 10), 1, 0, 0);
    assert_change(tz, spring, 2 * 3600, 3 * 3600);
    assert_change(tz, autumn, 3 * 3600, 2 * 3600);
    /* Local wall time jumps from 03:00 to 04:00 in spring. */
    struct tz_local l = tz_to_local(tz, spring);
    assert_int_equal(l.hour, 4);
    assert_int_equal(l.minute, 0);
    assert_int_equal(l.day, last_sunday(year, 3));
    assert_int_equal(l.weekday, 6); /* Sunday */
    l = tz_to_local(tz, spring - 1000);
    assert_int_equal(l.hour, 2);
    assert_int_equal(l.minute, 59);
    assert_int_equal(l.second, 59);
}

static void test_helsinki(void **state)
{
    (void)state;
    struct tz *tz = load("Europe/Helsinki");
    check_helsinki_year(tz, 2026);
    check_helsinki_year(tz, 2040); /* after the table: the footer's rule */
    check_helsinki_year(tz, 2099);
    /* Midwinter and midsummer. */
    struct tz_local w = tz_to_local(tz, utc_ms(2026, 1, 15, 12, 0, 0));
    assert_int_equal(w.utc_offset_s, 7200);
    assert_int_equal(w.hour, 14);
    assert_false(w.is_dst);
    struct tz_local s = tz_to_local(tz, utc_ms(2040, 7, 1, 21, 30, 0));
    assert_int_equal(s.utc_offset_s, 10800);
    assert_true(s.is_dst);
    assert_int_equal(s.day, 2); /* 00:30 local, the next day */
    assert_int_equal(s.hour, 0);
    assert_int_equal(s.minute, 30);
    tz_destroy(tz);
}

static void test_new_york(void **state)
{
    (void)state;
    struct tz *tz = load("America/New_York");
    for (int year = 2026; year <= 2040; year += 14) {
        /* 02:00 EST = 07:00 UTC on the 2nd Sunday of March; 02:00 EDT = 06:00
         * UTC on the 1st Sunday of November. */
        assert_change(tz, utc_ms(year, 3, nth_sunday(year, 3, 2), 7, 0, 0), -5 * 3600, -4 * 3600);
        assert_change(tz, utc_ms(year, 11, nth_sunday(year, 11, 1), 6, 0, 0), -4 * 3600, -5 * 3600);
    }
    /* A negative offset crosses midnight backwards. */
    struct tz_local l = tz_to_local(tz, utc_ms(2026, 1, 1, 3, 0, 0));
    assert_int_equal(l.year, 2025);
    assert_int_equal(l.month, 12);
    assert_int_equal(l.day, 31);
    assert_int_equal(l.hour, 22);
    tz_destroy(tz);
}

static void test_lord_howe(void **state)
{
    (void)state;
    struct tz *tz = load("Australia/Lord_Howe");
    const int32_t std = 10 * 3600 + 1800, dst = 11 * 3600;
    for (int year = 2026; year <= 2040; year += 14) {
        /* DST ends at 02:00 local (DST) on the 1st Sunday of April = 15:00 UTC
         * the day before; starts at 02:00 local (standard) on the 1st Sunday of
         * October = 15:30 UTC the day before. */
        int64_t end = utc_ms(year, 4, nth_sunday(year, 4, 1), 2, 0, 0) - dst * 1000LL;
        int64_t start = utc_ms(year, 10, nth_sunday(year, 10, 1), 2, 0, 0) - std * 1000LL;
        assert_change(tz, end, dst, std);
        assert_change(tz, start, std, dst);
        struct tz_local l = tz_to_local(tz, start);
        assert_int_equal(l.hour, 2);
        assert_int_equal(l.minute, 30); /* 02:00 becomes 02:30 */
    }
    tz_destroy(tz);
}

static void test_utc(void **state)
{
    (void)state;
    struct tz *tz = load("UTC");
    struct tz_local l = tz_to_local(tz, 0);
    assert_int_equal(l.year, 1970);
    assert_int_equal(l.month, 1);
    assert_int_equal(l.day, 1);
    assert_int_equal(l.weekday, 3); /* a Thursday */
    assert_int_equal(l.utc_offset_s, 0);
    l = tz_to_local(tz, -1);
    assert_int_equal(l.year, 1969);
    assert_int_equal(l.hour, 23);
    assert_int_equal(l.second, 59);
    int64_t t = utc_ms(2040, 2, 29, 13, 14, 15) + 999;
    l = tz_to_local(tz, t);
    assert_int_equal(l.month, 2);
    assert_int_equal(l.day, 29);
    assert_int_equal(l.hour, 13);
    assert_int_equal(l.minute, 14);
    assert_int_equal(l.second, 15);
    tz_destroy(tz);
    /* NULL means UTC too. */
    struct tz_local n = tz_to_local(NULL, t);
    assert_int_equal(n.day, 29);
    assert_int_equal(n.hour, 13);
    assert_int_equal(n.utc_offset_s, 0);
}

/* ---- against the C library, two centuries at a time ---- */

static void compare_with_libc(const char *zone)
{
    struct tz *tz = load(zone);
    char env[128];
    snprintf(env, sizeof env, ":%s", zone);
    assert_int_equal(setenv("TZ", env, 1), 0);
    tzset();
    int checked = 0;
    /* Odd step so the samples drift through every hour of the day. */
    for (int64_t t = utc_ms(1900, 6, 1, 0, 0, 0) / 1000; t < utc_ms(2100, 1, 1, 0, 0, 0) / 1000;
         t += 3 * 86400 + 3 * 3600 + 17 * 60 + 13) {
        time_t tt = (time_t)t;
        struct tm tm;
        assert_non_null(localtime_r(&tt, &tm));
        struct tz_local l = tz_to_local(tz, t * 1000);
        if (l.year != tm.tm_year + 1900 || l.month != tm.tm_mon + 1 || l.day != tm.tm_mday ||
            l.hour != tm.tm_hour || l.minute != tm.tm_min || l.second != tm.tm_sec ||
            l.weekday != (tm.tm_wday + 6) % 7 || l.is_dst != (tm.tm_isdst > 0))
            fail_msg("%s at %lld: %04d-%02d-%02d %02d:%02d:%02d dst %d, libc %04d-%02d-%02d "
                     "%02d:%02d:%02d dst %d",
                     zone, (long long)t, l.year, l.month, l.day, l.hour, l.minute, l.second,
                     l.is_dst, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, tm.tm_isdst);
        /* The offset must agree with the fields themselves. */
        int64_t local_s = (days_since_epoch(l.year, l.month, l.day) * 24 + l.hour) * 3600 +
                          l.minute * 60 + l.second;
        assert_int_equal(local_s - t, l.utc_offset_s);
        checked++;
    }
    assert_true(checked > 20000);
    tz_destroy(tz);
}

static void test_against_libc(void **state)
{
    (void)state;
    compare_with_libc("Europe/Helsinki");
    compare_with_libc("America/New_York");
    compare_with_libc("Australia/Lord_Howe");
    compare_with_libc("Asia/Kolkata");
}

/* ---- names ---- */

static void test_bad_names(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "../../etc/passwd",
                         "/etc/passwd",
                         "Europe/../Europe/Helsinki",
                         "Europe/Hel sinki",
                         "Europe/Helsinki;rm",
                         "Europe\\Helsinki",
                         "Nowhere/Atlantis"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char err[256] = "";
        struct tz *tz = tz_load(bad[i], NULL, err, sizeof err);
        if (tz != NULL)
            fail_msg("\"%s\" loaded", bad[i]);
        assert_true(strlen(err) > 0);
    }
    char err[256] = "";
    assert_null(tz_load(NULL, NULL, err, sizeof err));
    /* A directory is not a zone. */
    assert_null(tz_load("Europe", NULL, err, sizeof err));
    assert_true(strlen(err) > 0);
}

static void test_utc_without_tzdata(void **state)
{
    (void)state;
    char err[256] = "";
    struct tz *tz = tz_load("UTC", "/nonexistent-zoneinfo", err, sizeof err);
    assert_non_null(tz);
    assert_int_equal(tz_to_local(tz, utc_ms(2026, 6, 1, 12, 0, 0)).hour, 12);
    tz_destroy(tz);
    assert_null(tz_load("Europe/Helsinki", "/nonexistent-zoneinfo", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent-zoneinfo/Europe/Helsinki"));
}

/* ---- synthetic files ---- */

struct ttype {
    int32_t utoff;
    uint8_t isdst, abbr;
};

struct builder {
    unsigned char buf[4096];
    size_t len;
};

static void put(struct builder *b, const void *p, size_t n)
{
    if (n == 0)
        return; /* p may be NULL then */
    assert_true(b->len + n <= sizeof b->buf);
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static void put32(struct builder *b, uint32_t v)
{
    unsigned char p[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    put(b, p, 4);
}

static void put_header(struct builder *b, char version, uint32_t timecnt, uint32_t typecnt,
                       uint32_t charcnt)
{
    put(b, "TZif", 4);
    unsigned char v[16] = {(unsigned char)version};
    put(b, v, 16);
    put32(b, 0); /* isutcnt */
    put32(b, 0); /* isstdcnt */
    put32(b, 0); /* leapcnt */
    put32(b, timecnt);
    put32(b, typecnt);
    put32(b, charcnt);
}

static void put_block(struct builder *b, int wide, const int64_t *times, const uint8_t *idx,
                      uint32_t n, const struct ttype *types, uint32_t ntypes, const char *chars,
                      uint32_t nchars)
{
    for (uint32_t i = 0; i < n; i++) {
        if (wide)
            put32(b, (uint32_t)((uint64_t)times[i] >> 32));
        put32(b, (uint32_t)times[i]);
    }
    put(b, idx, n);
    for (uint32_t i = 0; i < ntypes; i++) {
        put32(b, (uint32_t)types[i].utoff);
        put(b, &types[i].isdst, 1);
        put(b, &types[i].abbr, 1);
    }
    put(b, chars, nchars);
}

/* A whole file: version 0 (32-bit only) or '2'+ (both blocks and footer). */
static void build(struct builder *b, char version, const int64_t *times, const uint8_t *idx,
                  uint32_t n, const struct ttype *types, uint32_t ntypes, const char *footer)
{
    static const char chars[] = "AAA\0BBB";
    b->len = 0;
    put_header(b, version, n, ntypes, sizeof chars);
    put_block(b, 0, times, idx, n, types, ntypes, chars, sizeof chars);
    if (version == 0)
        return;
    put_header(b, version, n, ntypes, sizeof chars);
    put_block(b, 1, times, idx, n, types, ntypes, chars, sizeof chars);
    put(b, "\n", 1);
    put(b, footer, strlen(footer));
    put(b, "\n", 1);
}

static struct tz *parse(const struct builder *b, char *err, unsigned err_size)
{
    return tz_parse(b->buf, b->len, err, err_size);
}

static void test_version1(void **state)
{
    (void)state;
    const int64_t times[] = {1000000000, 1100000000};
    const uint8_t idx[] = {1, 0};
    const struct ttype types[] = {{3600, 0, 0}, {7200, 1, 4}};
    struct builder b;
    build(&b, 0, times, idx, 2, types, 2, "");
    char err[256] = "";
    struct tz *tz = parse(&b, err, sizeof err);
    if (tz == NULL)
        fail_msg("%s", err);
    assert_int_equal(tz_to_local(tz, 999999999 * 1000LL).utc_offset_s, 3600); /* type 0 */
    assert_int_equal(tz_to_local(tz, 1000000000 * 1000LL).utc_offset_s, 7200);
    assert_true(tz_to_local(tz, 1000000000 * 1000LL).is_dst);
    assert_int_equal(tz_to_local(tz, 1100000000 * 1000LL).utc_offset_s, 3600);
    assert_int_equal(tz_to_local(tz, 4000000000 * 1000LL).utc_offset_s, 3600); /* last lasts */
    tz_destroy(tz);
}

static void test_footer_only(void **state)
{
    (void)state;
    const struct ttype types[] = {{-18000, 0, 0}};
    struct builder b;
    char err[256] = "";
    /* Version 3: DST all year, written as a change at the start and one at
     * the very end of the year (hours beyond 24 are a v3 extension). */
    build(&b, '3', NULL, NULL, 0, types, 1, "EST5EDT,0/0,J365/25");
    struct tz *tz = parse(&b, err, sizeof err);
    if (tz == NULL)
        fail_msg("%s", err);
    for (int m = 1; m <= 12; m++) {
        struct tz_local l = tz_to_local(tz, utc_ms(2031, m, m == 12 ? 31 : 1, 12, 0, 0));
        assert_int_equal(l.utc_offset_s, -4 * 3600);
        assert_true(l.is_dst);
    }
    tz_destroy(tz);
    /* A quoted numeric abbreviation, a fractional offset, no DST. */
    build(&b, '2', NULL, NULL, 0, types, 1, "<+0330>-3:30");
    tz = parse(&b, err, sizeof err);
    if (tz == NULL)
        fail_msg("%s", err);
    assert_int_equal(tz_to_local(tz, utc_ms(2050, 1, 1, 0, 0, 0)).utc_offset_s, 3 * 3600 + 1800);
    tz_destroy(tz);
    /* Julian days: J60 is March 1 whether or not the year is a leap year. */
    build(&b, '2', NULL, NULL, 0, types, 1, "AAA0BBB,J60/0,J305/0");
    tz = parse(&b, err, sizeof err);
    if (tz == NULL)
        fail_msg("%s", err);
    assert_change(tz, utc_ms(2028, 3, 1, 0, 0, 0), 0, 3600);
    assert_change(tz, utc_ms(2027, 3, 1, 0, 0, 0), 0, 3600);
    tz_destroy(tz);
}

static void expect_reject(const unsigned char *data, unsigned long size, const char *what)
{
    char err[256] = "";
    struct tz *tz = tz_parse(data, size, err, sizeof err);
    if (tz != NULL) {
        tz_destroy(tz);
        fail_msg("accepted: %s", what);
    }
    if (strlen(err) == 0)
        fail_msg("no reason given: %s", what);
}

static void test_bad_footers(void **state)
{
    (void)state;
    const struct ttype types[] = {{0, 0, 0}};
    const char *bad[] = {"EE",
                         "EET",
                         "EET-2EEST,M13.1.0,M10.5.0",
                         "EET-2EEST,M3.6.0,M10.5.0",
                         "EET-2EEST,M3.5.7,M10.5.0",
                         "EET-2EEST,M3.5.0/200,M10.5.0",
                         "EET-2EEST,J0,J300",
                         "EET-2EEST,366,J300",
                         "EET-2EEST,M3.5.0",
                         "<EET-2",
                         "EET-2EEST,M3.5.0,M10.5.0junk",
                         "EET-25",
                         "EET-2:60"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct builder b;
        build(&b, '2', NULL, NULL, 0, types, 1, bad[i]);
        expect_reject(b.buf, b.len, bad[i]);
    }
}

/* Offsets of the parts of the 64-bit block of a real v2 file. */
struct layout {
    unsigned long h2, times, idx, types, timecnt, typecnt;
};

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static struct layout layout_of(const unsigned char *d)
{
    uint32_t isut = get32(d + 20), isstd = get32(d + 24), leap_n = get32(d + 28);
    uint32_t timecnt = get32(d + 32), typecnt = get32(d + 36), charcnt = get32(d + 40);
    struct layout l;
    l.h2 = 44 + timecnt * 5 + typecnt * 6 + charcnt + leap_n * 8 + isstd + isut;
    l.timecnt = get32(d + l.h2 + 32);
    l.typecnt = get32(d + l.h2 + 36);
    l.times = l.h2 + 44;
    l.idx = l.times + l.timecnt * 8;
    l.types = l.idx + l.timecnt;
    return l;
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void test_corrupt_real_file(void **state)
{
    (void)state;
    unsigned long size;
    unsigned char *orig = slurp(ZONEINFO "/Europe/Helsinki", &size);
    unsigned char *d = malloc(size);
    assert_non_null(d);
    struct layout l = layout_of(orig);
    assert_true(l.timecnt > 2);
    char err[256];
    struct tz *ok = tz_parse(orig, size, err, sizeof err);
    assert_non_null(ok); /* the untouched file parses */
    tz_destroy(ok);

    for (unsigned long n = 0; n < size; n++) /* every truncation */
        expect_reject(orig, n, "truncated");

#define CORRUPT(what, stmt)                                                                        \
    do {                                                                                           \
        memcpy(d, orig, size);                                                                     \
        stmt;                                                                                      \
        expect_reject(d, size, what);                                                              \
    } while (0)
    CORRUPT("magic", d[0] = 'X');
    CORRUPT("version", d[4] = '9');
    CORRUPT("second magic", d[l.h2 + 1] = 'X');
    CORRUPT("v1 timecnt past the end", put_be32(d + 32, 0x7fffffff));
    CORRUPT("v2 timecnt past the end", put_be32(d + l.h2 + 32, 0xffffffff));
    CORRUPT("v2 timecnt one more", put_be32(d + l.h2 + 32, (uint32_t)l.timecnt + 1));
    CORRUPT("no types", put_be32(d + l.h2 + 36, 0));
    CORRUPT("no chars", put_be32(d + l.h2 + 40, 0));
    CORRUPT("isstd count", put_be32(d + l.h2 + 24, (uint32_t)l.typecnt + 1));
    CORRUPT("type index", d[l.idx + 1] = (unsigned char)l.typecnt);
    CORRUPT("times not ascending", memcpy(d + l.times + 8, d + l.times, 8));
    CORRUPT("offset", put_be32(d + l.types, 0x7fffffff));
    CORRUPT("isdst", d[l.types + 4] = 2);
    CORRUPT("abbreviation index", d[l.types + 5] = 0xff);
    CORRUPT("footer", d[size - 5] = '!');
    CORRUPT("footer newline", d[size - 1] = 'x');
#undef CORRUPT
    free(d);
    free(orig);
}

/* Every byte changed in a few ways: rejected or converted, never a crash
 * (the sanitizer build turns an overread into a failure). */
static void test_mutations_do_not_crash(void **state)
{
    (void)state;
    unsigned long size;
    unsigned char *orig = slurp(ZONEINFO "/America/New_York", &size);
    unsigned char *d = malloc(size);
    assert_non_null(d);
    static const unsigned char values[] = {0x00, 0xff, 0x7f, 0x80, '\n'};
    int accepted = 0;
    for (unsigned long i = 0; i < size; i++) {
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(d, orig, size);
            d[i] = values[v];
            char err[128];
            struct tz *tz = tz_parse(d, size, err, sizeof err);
            if (tz == NULL)
                continue;
            accepted++;
            for (int64_t t = -4000000000000LL; t < 5000000000000LL; t += 700000000000LL)
                (void)tz_to_local(tz, t);
            (void)tz_to_local(tz, INT64_MAX);
            (void)tz_to_local(tz, INT64_MIN);
            tz_destroy(tz);
        }
    }
    /* Changing an abbreviation letter or a far-past time keeps a valid file. */
    assert_true(accepted > 0);
    free(d);
    free(orig);
}

/* ---- files of every size tz_load reads (it grows its buffer as it reads) ---- */

/* Writes dir/name: a version 1 file whose n transitions alternate between
 * +1 h and +2 h, one day apart from 2001-09-09 (5 bytes each, so n sets
 * the size: 64 + 5 n bytes). */
static void write_alternating(const char *dir, const char *name, uint32_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    struct builder b = {.len = 0};
    static const char chars[] = "AAA\0BBB";
    put_header(&b, 0, n, 2, sizeof chars);
    assert_int_equal(fwrite(b.buf, 1, b.len, f), b.len);
    for (uint32_t i = 0; i < n; i++) {
        b.len = 0;
        put32(&b, 1000000000u + i * 86400u);
        assert_int_equal(fwrite(b.buf, 1, b.len, f), b.len);
    }
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(fputc(i % 2 == 0 ? 1 : 0, f), i % 2 == 0 ? 1 : 0);
    b.len = 0;
    const struct ttype types[] = {{3600, 0, 0}, {7200, 1, 4}};
    put_block(&b, 0, NULL, NULL, 0, types, 2, chars, sizeof chars);
    assert_int_equal(fwrite(b.buf, 1, b.len, f), b.len);
    assert_int_equal(fclose(f), 0);
}

/* Zones of 0.1 KiB to 50 KiB load whole (the last transition is read), one
 * of 1 MiB and a byte is refused. */
static void test_load_sizes(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_tz_XXXXXX";
    assert_non_null(mkdtemp(dir));
    const uint32_t counts[] = {2, 806, 807, 1626, 1627, 2000, 10000};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        write_alternating(dir, "Big", counts[i]);
        char err[256] = "";
        struct tz *tz = tz_load("Big", dir, err, sizeof err);
        if (tz == NULL)
            fail_msg("%u transitions (%u bytes): %s", counts[i], 64 + 5 * counts[i], err);
        int64_t last = 1000000000LL + (int64_t)(counts[i] - 1) * 86400;
        int32_t want = (counts[i] - 1) % 2 == 0 ? 7200 : 3600;
        assert_int_equal(tz_to_local(tz, last * 1000).utc_offset_s, want);
        assert_int_equal(tz_to_local(tz, (last - 1) * 1000).utc_offset_s, 10800 - want);
        tz_destroy(tz);
    }
    char path[512];
    snprintf(path, sizeof path, "%s/Huge", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (long i = 0; i < 1024L * 1024 + 1; i++)
        assert_int_equal(fputc('x', f), 'x');
    assert_int_equal(fclose(f), 0);
    char err[256] = "";
    assert_null(tz_load("Huge", dir, err, sizeof err));
    assert_non_null(strstr(err, "too large for a zone file"));
    assert_int_equal(remove(path), 0);
    snprintf(path, sizeof path, "%s/Big", dir);
    assert_int_equal(remove(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helsinki),           cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_lord_howe),          cmocka_unit_test(test_utc),
        cmocka_unit_test(test_against_libc),       cmocka_unit_test(test_bad_names),
        cmocka_unit_test(test_utc_without_tzdata), cmocka_unit_test(test_version1),
        cmocka_unit_test(test_footer_only),        cmocka_unit_test(test_bad_footers),
        cmocka_unit_test(test_corrupt_real_file),  cmocka_unit_test(test_mutations_do_not_crash),
        cmocka_unit_test(test_load_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
