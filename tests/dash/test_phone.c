/*
 * test_phone: the phone comment's pure parts: the token's parser and MAC
 * check (app/dash/data/phone_token.h) against a token python3's hmac made
 * by docs/COMMENTS.md, the words' checks (app/dash/model/comment_check.h)
 * and the form's rate limits (app/dash/web/phone_limits.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "comment_check.h"
#include "phone_limits.h"
#include "phone_token.h"

/* python3: payload b"1|k1|i1|42|front|2|1700000000000|fi", key 0x11 * 32,
 * hmac.new(key, payload, hashlib.sha256).digest()[:16], base64url unpadded */
#define GOOD "MXxrMXxpMXw0Mnxmcm9udHwyfDE3MDAwMDAwMDAwMDB8Zmk.SswjRaotlyWku_E8syjNJw"
#define KEY  "1111111111111111111111111111111111111111111111111111111111111111"
/* the same without the lang field: seven fields, signed */
#define SEVEN "MXxrMXxpMXw0Mnxmcm9udHwyfDE3MDAwMDAwMDAwMDA.sbIGzYQzaFN9HibBJCcqdA"

static void token_good(void **state)
{
    (void)state;
    struct phone_token t;
    assert_true(phone_token_parse(GOOD, &t));
    assert_string_equal(t.kiosk_id, "k1");
    assert_string_equal(t.incarnation, "i1");
    assert_int_equal(t.tap_id, 42);
    assert_string_equal(t.department, "front");
    assert_int_equal(t.rating, 2);
    assert_int_equal(t.tap_ms, 1700000000000LL);
    assert_string_equal(t.lang, "fi");
    assert_true(phone_token_verify(&t, KEY));
    assert_false(
        phone_token_verify(&t, "2222222222222222222222222222222222222222222222222222222222222222"));
    assert_false(phone_token_verify(&t, ""));       /* no key yet */
    assert_false(phone_token_verify(&t, "11"));     /* short */
    assert_false(phone_token_verify(&t, KEY "11")); /* long */
    t.mac[15] ^= 1;
    assert_false(phone_token_verify(&t, KEY));
}

static void token_malformed(void **state)
{
    (void)state;
    struct phone_token t;
    const char *bad[] = {
        "",
        ".",
        "abc",
        GOOD ".x",
        "." GOOD,
        "MXxrMX$pMXw0.SswjRaotlyWku_E8syjNJw",
        "MXxrMXxpMXw0Mnxmcm9udHwyfDE3MDAwMDAwMDAwMDB8Zmk.SswjRaotlyWku_E8syjN",    /* mac short */
        "MXxrMXxpMXw0Mnxmcm9udHwyfDE3MDAwMDAwMDAwMDB8Zmk=.SswjRaotlyWku_E8syjNJw", /* padding */
        SEVEN,
        NULL};
    for (size_t i = 0; bad[i]; i++)
        assert_false(phone_token_parse(bad[i], &t));
    assert_false(phone_token_parse(NULL, &t));
    char longer[PHONE_TOKEN_MAX + 8];
    memset(longer, 'A', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    longer[100] = '.';
    assert_false(phone_token_parse(longer, &t));
}

static void words(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
        enum comment_check_verdict want;
    } cases[] = {
        {"  fine words \r\n", "fine words", COMMENT_CHECK_OK},
        {"a\r\nb\rc\n\td", "a\nb\nc\n\td", COMMENT_CHECK_OK},
        {"Ärger über Größe", "Ärger über Größe", COMMENT_CHECK_OK},
        {" \r\n\t ", "", COMMENT_CHECK_EMPTY},
        {"", "", COMMENT_CHECK_EMPTY},
        {"bell\x07", NULL, COMMENT_CHECK_CONTROL},
        {"del\x7f", NULL, COMMENT_CHECK_CONTROL},
        {"c1 \xc2\x85", NULL, COMMENT_CHECK_CONTROL},
        {"rlo \xe2\x80\xae", NULL, COMMENT_CHECK_BIDI},
        {"bad \xff", NULL, COMMENT_CHECK_UTF8},
        {"overlong \xc0\xaf", NULL, COMMENT_CHECK_UTF8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", cases[i].in);
        assert_int_equal(comment_check(buf), cases[i].want);
        if (cases[i].out)
            assert_string_equal(buf, cases[i].out);
    }
    char big[2 * 501 + 1];
    for (int i = 0; i < 500; i++)
        memcpy(big + 2 * i, "\xc3\xa4", 2); /* ä: 500 characters, 1000 bytes */
    big[1000] = '\0';
    assert_int_equal(comment_check(big), COMMENT_CHECK_OK);
    memcpy(big + 1000, "\xc3\xa4", 3);
    assert_int_equal(comment_check(big), COMMENT_CHECK_LONG);
}

static void limits(void **state)
{
    (void)state;
    struct phone_limits *l = phone_limits_create();
    assert_non_null(l);
    int64_t now = 10 * PHONE_LIMIT_WINDOW_MS + 1000, retry = 0;
    for (int i = 0; i < 3; i++)
        assert_true(phone_limits_take(l, "address", "10.0.0.1", 3, now, &retry));
    assert_false(phone_limits_take(l, "address", "10.0.0.1", 3, now, &retry));
    assert_int_equal(retry, PHONE_LIMIT_WINDOW_MS - 1000);
    assert_true(phone_limits_take(l, "address", "10.0.0.2", 3, now, &retry));
    assert_true(phone_limits_take(l, "kiosk", "10.0.0.1", 3, now, &retry)); /* kinds apart */
    assert_true(
        phone_limits_take(l, "address", "10.0.0.1", 3, now + PHONE_LIMIT_WINDOW_MS, &retry));
    /* thousands of other addresses (a spoofing flood) fill the table; it keeps answering */
    for (int i = 0; i < 20000; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.1.%d.%d", i / 256, i % 256);
        phone_limits_take(l, "address", a, 3, now, &retry);
    }
    assert_true(phone_limits_take(l, "address", "10.9.9.9", 3, now, &retry));
    phone_limits_destroy(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_good),
        cmocka_unit_test(token_malformed),
        cmocka_unit_test(words),
        cmocka_unit_test(limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
