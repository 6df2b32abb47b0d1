/*
 * test_strbuf: lib/strbuf's number and array-element formatting, which
 * the PostgreSQL push writes every value of a batch with.  Expectations
 * are written out by hand (PostgreSQL's array literal syntax: an element
 * in double quotes, with '"' and '\' escaped by a backslash).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"

/* The text strbuf_int gives for value. */
static void assert_int_text(int64_t value, const char *expected)
{
    struct strbuf sb = {0};
    strbuf_int(&sb, value);
    assert_false(sb.failed);
    assert_string_equal(sb.data, expected);
    strbuf_free(&sb);
}

static void test_int(void **state)
{
    (void)state;
    assert_int_text(0, "0");
    assert_int_text(7, "7");
    assert_int_text(10, "10");
    assert_int_text(-1, "-1");
    assert_int_text(1764979200000, "1764979200000");
    assert_int_text(-1764979200000, "-1764979200000");
    assert_int_text(INT64_MAX, "9223372036854775807");
    assert_int_text(INT64_MIN, "-9223372036854775808");
}

static void test_int_appends(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    strbuf_puts(&sb, "{");
    for (int i = -2; i <= 2; i++) {
        if (i > -2)
            strbuf_puts(&sb, ",");
        strbuf_int(&sb, i * 1000);
    }
    strbuf_puts(&sb, "}");
    assert_string_equal(sb.data, "{-2000,-1000,0,1000,2000}");
    strbuf_free(&sb);
}

/* The element strbuf_array_text gives for text. */
static void assert_element(const char *text, const char *expected)
{
    struct strbuf sb = {0};
    strbuf_array_text(&sb, text);
    assert_false(sb.failed);
    assert_string_equal(sb.data, expected);
    strbuf_free(&sb);
}

static void test_array_text(void **state)
{
    (void)state;
    assert_element("", "\"\"");
    assert_element("front desk", "\"front desk\"");
    assert_element("a\"b", "\"a\\\"b\"");
    assert_element("a\\b", "\"a\\\\b\"");
    assert_element("\"", "\"\\\"\"");
    assert_element("\\\"\\", "\"\\\\\\\"\\\\\"");
    assert_element("{x,y}", "\"{x,y}\"");
    assert_element("M\xc3\xa4kel\xc3\xa4", "\"M\xc3\xa4kel\xc3\xa4\"");
    assert_element("ends with \\", "\"ends with \\\\\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_int_appends),
        cmocka_unit_test(test_array_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
