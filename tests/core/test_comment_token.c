/*
 * test_comment_token: the phone comment's token is exactly what
 * docs/COMMENTS.md says, checked against an independent computation
 * (python3's hmac and base64 modules, run by the test) with a fixed key
 * and tap; and fields that would change the payload's shape are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "comment_token.h"

static const struct comment_token_tap tap = {
    .kiosk_id = "lobby-1",
    .incarnation = "0123456789abcdef0123456789abcdef",
    .tap_id = 4711,
    .department = "front",
    .rating = 2,
    .tap_ms = 1764936000123,
    .lang = "fi",
};

static void fixed_key(unsigned char key[COMMENT_TOKEN_KEY_BYTES])
{
    for (int i = 0; i < COMMENT_TOKEN_KEY_BYTES; i++)
        key[i] = (unsigned char)(i * 7 + 1);
}

/* The same token from python3: bytes(i * 7 + 1), the payload as the doc
 * writes it, hmac.new(..., sha256).digest()[:16], urlsafe base64, '=' cut. */
static void python_token(char *buf, size_t size)
{
    const char *cmd =
        "python3 -c 'import hmac, hashlib, base64\n"
        "key = bytes(i * 7 + 1 for i in range(32))\n"
        "p = b\"|\".join([b\"1\", b\"lobby-1\", b\"0123456789abcdef0123456789abcdef\", b\"4711\","
        " b\"front\", b\"2\", b\"1764936000123\", b\"fi\"])\n"
        "b = lambda x: base64.urlsafe_b64encode(x).rstrip(b\"=\").decode()\n"
        "print(b(p) + \".\" + b(hmac.new(key, p, hashlib.sha256).digest()[:16]), end=\"\")'";
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    assert_int_equal(pclose(f), 0);
    assert_true(n > 20);
}

static void test_token_matches_python(void **state)
{
    (void)state;
    unsigned char key[COMMENT_TOKEN_KEY_BYTES];
    char mine[COMMENT_TOKEN_MAX], theirs[COMMENT_TOKEN_MAX];
    fixed_key(key);
    assert_true(comment_token_make(&tap, key, mine, sizeof mine));
    python_token(theirs, sizeof theirs);
    assert_string_equal(mine, theirs);
    assert_null(strchr(mine, '='));
    assert_null(strchr(mine, '+'));
    assert_null(strchr(mine, '/'));
}

static void test_payload_is_the_doc_s(void **state)
{
    (void)state;
    char p[COMMENT_TOKEN_MAX];
    assert_true(comment_token_payload(&tap, p, sizeof p));
    assert_string_equal(p, "1|lobby-1|0123456789abcdef0123456789abcdef|4711|front|2|"
                           "1764936000123|fi");
}

static void test_another_key_another_mac(void **state)
{
    (void)state;
    unsigned char key[COMMENT_TOKEN_KEY_BYTES];
    char a[COMMENT_TOKEN_MAX], b[COMMENT_TOKEN_MAX];
    fixed_key(key);
    assert_true(comment_token_make(&tap, key, a, sizeof a));
    key[31] ^= 1;
    assert_true(comment_token_make(&tap, key, b, sizeof b));
    assert_string_not_equal(a, b);
    assert_memory_equal(a, b, (size_t)(strchr(a, '.') - a)); /* same payload */
}

static void test_refuses_bad_fields(void **state)
{
    (void)state;
    unsigned char key[COMMENT_TOKEN_KEY_BYTES];
    char buf[COMMENT_TOKEN_MAX];
    fixed_key(key);
    struct comment_token_tap t = tap;
    t.department = "front|2"; /* would shift every later field */
    assert_false(comment_token_make(&t, key, buf, sizeof buf));
    t = tap;
    t.rating = 5;
    assert_false(comment_token_make(&t, key, buf, sizeof buf));
    t = tap;
    t.lang = "";
    assert_false(comment_token_make(&t, key, buf, sizeof buf));
    t = tap;
    t.tap_id = 0;
    assert_false(comment_token_make(&t, key, buf, sizeof buf));
    assert_false(comment_token_make(&tap, key, buf, 40)); /* too small: no overrun */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_matches_python),
        cmocka_unit_test(test_payload_is_the_doc_s),
        cmocka_unit_test(test_another_key_another_mac),
        cmocka_unit_test(test_refuses_bad_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
