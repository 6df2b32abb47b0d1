/*
 * test_bundles: what `wowdash serve --bundles` takes from a request
 * (bundles.h): only a plain NAME.raucb under /updates/ (no slash, escape,
 * leading dot, other suffix, or over-long name), and one byte range:
 * "bytes=A-", "bytes=A-B" (cut at the end) and "bytes=-N"; a range past
 * the end is unsatisfiable; several ranges, another unit or a malformed
 * one give the whole file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bundles.h"

static void test_names(void **state)
{
    (void)state;
    char name[BUNDLES_NAME_MAX];
    assert_true(bundles_name("/updates/wowkiosk-1.4.0+rc1~b_2.raucb", name, sizeof name));
    assert_string_equal(name, "wowkiosk-1.4.0+rc1~b_2.raucb");
    static const char *const bad[] = {
        "/updates/",           "/updates/.raucb",    "/updates/.hidden.raucb",
        "/updates/../x.raucb", "/updates/a/b.raucb", "/updates/a%2Fb.raucb",
        "/updates/a.raucb.gz", "/updates/a.RAUCB",   "/update/a.raucb",
        "/updates/a b.raucb",  "/updates/a\n.raucb", "/updates/\xc3\xa4.raucb",
        "updates/a.raucb",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (bundles_name(bad[i], name, sizeof name))
            fail_msg("took %s", bad[i]);
    char long_path[256] = "/updates/";
    memset(long_path + 9, 'a', BUNDLES_NAME_MAX - 6);
    memcpy(long_path + 9 + BUNDLES_NAME_MAX - 6, ".raucb", sizeof ".raucb");
    assert_false(bundles_name(long_path, name, sizeof name));
    assert_false(bundles_name("/updates/a.raucb", name, 5)); /* no room */
}

static void part(const char *header, int64_t size, int64_t from, int64_t to)
{
    int64_t a = -7, b = -7;
    assert_int_equal(bundles_parse_range(header, size, &a, &b), BUNDLES_PART);
    assert_int_equal(a, from);
    assert_int_equal(b, to);
}

static void test_ranges(void **state)
{
    (void)state;
    int64_t a, b;
    part("bytes=0-", 1000, 0, 999);
    part("bytes=500-", 1000, 500, 999);
    part("bytes=10-19", 1000, 10, 19);
    part("bytes=990-5000", 1000, 990, 999);
    part("bytes=-100", 1000, 900, 999);
    part("bytes=-5000", 1000, 0, 999);
    part("bytes=999-999", 1000, 999, 999);
    assert_int_equal(bundles_parse_range("bytes=1000-", 1000, &a, &b), BUNDLES_UNSATISFIABLE);
    assert_int_equal(bundles_parse_range("bytes=-0", 1000, &a, &b), BUNDLES_UNSATISFIABLE);
    assert_int_equal(bundles_parse_range("bytes=0-", 0, &a, &b), BUNDLES_UNSATISFIABLE);
    static const char *const whole[] = {
        NULL,         "",
        "bytes=",     "bytes=0-1,5-6",
        "items=0-1",  "bytes=5-1",
        "bytes=a-",   "bytes=1-b",
        "bytes=1-2 ", "bytes= 1-2",
        "bytes=--1",  "bytes=1",
        "bytes=-",    "bytes=99999999999999999999-",
    };
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        if (bundles_parse_range(whole[i], 1000, &a, &b) != BUNDLES_WHOLE)
            fail_msg("'%s' was not ignored", whole[i] ? whole[i] : "(none)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
