/*
 * test_utf8: lib/utf8 and lib/json, the one copy of each that the kiosk and
 * the dashboard share.  Expectations are written out by hand from the
 * Unicode standard's table of well-formed byte sequences (Table 3-7).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "strbuf.h"
#include "utf8.h"

static void test_sequence_lengths(void **state)
{
    (void)state;
    assert_int_equal(utf8_sequence("a", 1), 1);
    assert_int_equal(utf8_sequence("\xC3\xA4", 2), 2);         /* ä */
    assert_int_equal(utf8_sequence("\xE2\x82\xAC", 3), 3);     /* € */
    assert_int_equal(utf8_sequence("\xF0\x9F\x98\x80", 4), 4); /* 😀 */
    assert_int_equal(utf8_sequence("\xC3\xA4", 1), 0);         /* cut short */
    assert_int_equal(utf8_sequence("", 0), 0);
}

static void test_ill_formed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\x80",             /* a lone continuation byte */
        "\xC0\xAF",         /* overlong '/' */
        "\xC1\xBF",         /* overlong */
        "\xE0\x9F\xBF",     /* overlong three-byte */
        "\xED\xA0\x80",     /* a surrogate, U+D800 */
        "\xF0\x8F\xBF\xBF", /* overlong four-byte */
        "\xF4\x90\x80\x80", /* past U+10FFFF */
        "\xF5\x80\x80\x80", /* no such lead byte */
        "\xFF",
        "\xC3(", /* a lead byte without its continuation */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(utf8_valid(bad[i], strlen(bad[i])));
        assert_false(utf8_valid_string(bad[i]));
    }
    assert_true(utf8_valid_string("K\xC3\xA4sittely \xE2\x82\xAC \xF0\x9F\x98\x80"));
    assert_true(utf8_valid_string("\xED\x9F\xBF"));     /* U+D7FF, just below surrogates */
    assert_true(utf8_valid_string("\xF4\x8F\xBF\xBF")); /* U+10FFFF */
}

static void test_chars_next_whole(void **state)
{
    (void)state;
    const char *s = "a\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"; /* a ä € 😀: 10 bytes */
    assert_int_equal(utf8_chars(s), 4);
    assert_int_equal(utf8_next(s, 0, 10), 1);
    assert_int_equal(utf8_next(s, 1, 10), 3);
    assert_int_equal(utf8_next(s, 3, 10), 6);
    assert_int_equal(utf8_next(s, 6, 10), 10);
    assert_int_equal(utf8_next(s, 6, 8), 8); /* never past end */
    assert_int_equal(utf8_whole(s, 10), 10);
    assert_int_equal(utf8_whole(s, 9), 6); /* 😀 cut short: drop it */
    assert_int_equal(utf8_whole(s, 7), 6);
    assert_int_equal(utf8_whole(s, 5), 3); /* € cut short */
    assert_int_equal(utf8_whole(s, 2), 1);
    assert_int_equal(utf8_whole(s, 0), 0);
}

static char *json_of(const char *text)
{
    struct strbuf out = {0};
    json_string(&out, text);
    assert_false(out.failed);
    return out.data;
}

/* utf8_sanitize: stray bytes become '?', characters stay, the result is valid. */
static void test_sanitize(void **state)
{
    (void)state;
    char latin1[] = "M\xe4kel\xe4 Stra\xdf"
                    "e \xc3\xa4 \xe2\x82"; /* a cut 3-byte at the end */
    utf8_sanitize(latin1);
    assert_string_equal(latin1, "M?kel? Stra?e \xc3\xa4 ??");
    assert_true(utf8_valid_string(latin1));
    char fine[] = "Caf\xc3\xa9 \xf0\x9f\x98\x80";
    utf8_sanitize(fine);
    assert_string_equal(fine, "Caf\xc3\xa9 \xf0\x9f\x98\x80");
}

static void test_json_escapes(void **state)
{
    (void)state;
    char *j = json_of("a\"b\\c\n\t\x01<\x7f>&");
    assert_string_equal(j, "\"a\\\"b\\\\c\\n\\t\\u0001\\u003c\\u007f\\u003e\\u0026\"");
    free(j);
    j = json_of("");
    assert_string_equal(j, "\"\"");
    free(j);
}

/* Whatever the bytes, the output is valid UTF-8: each byte that is not part
 * of a well-formed sequence becomes U+FFFD, well-formed ones pass through. */
static void test_json_invalid_utf8(void **state)
{
    (void)state;
    char *j = json_of("K\xC3\xA4si\xff\xC0\xAF\xED\xA0\x80!");
    assert_string_equal(j, "\"K\xC3\xA4si"
                           "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                           "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD!\"");
    assert_true(utf8_valid_string(j));
    free(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence_lengths),  cmocka_unit_test(test_ill_formed),
        cmocka_unit_test(test_chars_next_whole),  cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_invalid_utf8), cmocka_unit_test(test_sanitize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
