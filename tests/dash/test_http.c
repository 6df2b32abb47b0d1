/*
 * test_http: the dashboard's request parsers (http.h) and API writers
 * (api.h) on strings, without sockets: percent-decoding and its refusals,
 * '+' against %2B, duplicate parameters, cookies with spaces and quotes,
 * the size limits, the filter's presets against a fixed "today", custom
 * ranges (bad dates, to < from, longer than 366 days), paging, and the
 * JSON and CSV bodies (escaping, UTF-8, BOM, CRLF, quoting, formula guard).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api.h"
#include "dashview.h"
#include "http.h"
#include "json.h"
#include "utf8.h"

static struct http_request parse(const char *target)
{
    struct http_request r;
    http_request_init(&r, "GET", "127.0.0.1");
    http_parse_target(&r, target);
    return r;
}

/* The decoded text, or NULL when refused (err then names why). */
static char *decode(const char *text, bool plus)
{
    char err[128];
    return http_decode(text, strlen(text), plus, false, err, sizeof err);
}

static void test_decode(void **state)
{
    (void)state;
    char *s;
    assert_string_equal(s = decode("a%41%2f%2B+b", true), "aA/+ b"), free(s);
    assert_string_equal(s = decode("a+b", false), "a+b"), free(s);
    assert_string_equal(s = decode("%C3%A4%E2%82%AC%F0%9F%98%80", false),
                        "\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"),
        free(s);
    assert_string_equal(s = decode("", true), ""), free(s);
    const char *bad[] = {"%",      "%4",     "%4g",    "%zz",       "a%00b",        "%0A",
                         "%7F",    "%C3%28", "%C0%AF", "%ED%A0%80", "%F4%90%80%80", "\xff",
                         "%E2%82", "\x01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = decode(bad[i], true);
        if (s)
            fail_msg("'%s' decoded to '%s', expected a refusal", bad[i], s);
    }
    char err[128];
    s = http_decode("a%0Ab\tc", 7, true, true, err, sizeof err);
    assert_non_null(s);
    assert_string_equal(s, "a\nb\tc");
    free(s);
    assert_null(http_decode("%zz", 3, true, false, err, sizeof err));
    assert_non_null(strstr(err, "two hex digits"));
}

static void test_target(void **state)
{
    (void)state;
    struct http_request r = parse("/a%20b/c+d?x=1+2&y=%2B&&z&=w&x=3");
    assert_int_equal(r.error, 0);
    assert_string_equal(r.path, "/a b/c+d");
    assert_string_equal(r.query, "x=1+2&y=%2B&&z&=w&x=3");
    assert_int_equal(r.n_params, 4); /* x, y, z, x: the empty and nameless pieces are skipped */
    assert_string_equal(http_param(&r, "x"), "1 2"); /* the first of duplicates */
    assert_int_equal(http_param_count(&r, "x"), 2);
    assert_string_equal(http_param(&r, "y"), "+");
    assert_string_equal(http_param(&r, "z"), "");
    assert_null(http_param(&r, "w"));
    http_request_free(&r);

    const char *refused[] = {"/a/../b", "/..", "/a/%2e%2E/b", "/./x", "/a/.", "x/y", "", "/%00",
                             "/a%2", "/?q=%FF", "/?a=%0D", "/%C3%28",
                             /* a nameless pair is dropped but checked: the raw query is
                                echoed in the language links (fuzz-corpus/crash-nameless-pair) */
                             "/?x&=las\x95\x01", "/?=%FF", "/?=%01",
                             /* escapes and a raw byte that decode to a character: the raw
                                target is echoed too (fuzz-corpus/crash-raw-byte-after-escape) */
                             "/?group=n%E2%81\xab"
                             "AE",
                             "/%E2%81\xab"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        r = parse(refused[i]);
        if (r.error != 400)
            fail_msg("'%s': error %u, expected 400", refused[i], r.error);
        assert_true(r.error_text[0] != '\0');
        http_request_free(&r);
    }
    r = parse("/a..b/...");
    assert_int_equal(r.error, 0);
    assert_string_equal(r.path, "/a..b/...");
    http_request_free(&r);
}

static void test_limits(void **state)
{
    (void)state;
    char url[HTTP_URL_MAX + 2];
    memset(url, 'a', sizeof url);
    url[0] = '/';
    url[HTTP_URL_MAX] = '\0'; /* exactly the limit */
    struct http_request r = parse(url);
    assert_int_equal(r.error, 0);
    http_request_free(&r);
    url[HTTP_URL_MAX] = 'a';
    url[HTTP_URL_MAX + 1] = '\0';
    r = parse(url);
    assert_int_equal(r.error, 414);
    assert_non_null(strstr(r.error_text, "4097"));
    http_request_free(&r);

    struct strbuf q = {0};
    strbuf_puts(&q, "/x?");
    for (int i = 0; i < HTTP_PARAMS_MAX; i++)
        strbuf_puts(&q, "p=1&");
    r = parse(q.data);
    assert_int_equal(r.error, 0);
    assert_int_equal(r.n_params, HTTP_PARAMS_MAX);
    http_request_free(&r);
    strbuf_puts(&q, "p=1");
    r = parse(q.data);
    assert_int_equal(r.error, 400);
    assert_non_null(strstr(r.error_text, "more than 64"));
    http_request_free(&r);
    strbuf_free(&q);
}

static void test_cookies(void **state)
{
    (void)state;
    struct http_request r;
    http_request_init(&r, "GET", NULL);
    assert_true(http_parse_cookies(
        &r, " a=1;wowdash_session=\"abc def\";  b = x y ; noequals; c=; d=\"\"; a=2; e=\"q"));
    assert_string_equal(http_cookie(&r, "a"), "1");
    assert_string_equal(http_cookie(&r, "wowdash_session"), "abc def");
    assert_string_equal(http_cookie(&r, "b"), "x y");
    assert_string_equal(http_cookie(&r, "c"), "");
    assert_string_equal(http_cookie(&r, "d"), "");
    assert_string_equal(http_cookie(&r, "e"), "\"q"); /* unbalanced: kept as sent */
    assert_null(http_cookie(&r, "noequals"));
    http_request_free(&r);

    struct strbuf h = {0};
    for (int i = 0; i < HTTP_COOKIES_MAX + 5; i++)
        strbuf_puts(&h, "k=v; ");
    http_request_init(&r, "GET", NULL);
    assert_true(http_parse_cookies(&r, h.data));
    assert_int_equal(r.n_cookies, HTTP_COOKIES_MAX);
    http_request_free(&r);
    while (h.len <= HTTP_HEADER_MAX)
        strbuf_puts(&h, "k=v; ");
    http_request_init(&r, "GET", NULL);
    assert_true(http_parse_cookies(&r, h.data));
    assert_int_equal(r.error, 431);
    http_request_free(&r);
    strbuf_free(&h);
}

static void test_form(void **state)
{
    (void)state;
    struct http_request r;
    http_request_init(&r, "POST", NULL);
    const char body[] = "user=ann+lee&password=p%2Bw+d&body=line1%0D%0Aline2&csrf=x";
    assert_true(http_parse_form(&r, "application/x-www-form-urlencoded; charset=UTF-8", body,
                                strlen(body)));
    assert_string_equal(http_form(&r, "user"), "ann lee");
    assert_string_equal(http_form(&r, "password"), "p+w d");
    assert_string_equal(http_form(&r, "body"), "line1\r\nline2");
    assert_null(http_param(&r, "user")); /* the form is not the query */
    http_request_free(&r);

    http_request_init(&r, "POST", NULL);
    assert_false(http_parse_form(&r, "multipart/form-data; boundary=x", "a=1", 3));
    assert_int_equal(r.error, 415);
    http_request_free(&r);
    /* the refusal quotes the header, which goes into a UTF-8 page: a stray
     * byte, and a character cut by the 80-byte limit, become '?' (found by
     * fuzz_request: tests/dash/fuzz-corpus/crash-415-latin1) */
    http_request_init(&r, "POST", NULL);
    assert_false(http_parse_form(&r,
                                 "appl\x9f"
                                 "cation/x",
                                 "a=1", 3));
    assert_int_equal(r.error, 415);
    assert_true(utf8_valid_string(r.error_text));
    assert_non_null(strstr(r.error_text, "'appl?cation/x'"));
    http_request_free(&r);
    char cut[100];
    memset(cut, 'a', 79);
    memcpy(cut + 79, "\xc3\xa4", 3); /* byte 80 starts an "ä" */
    http_request_init(&r, "POST", NULL);
    assert_false(http_parse_form(&r, cut, "a=1", 3));
    assert_true(utf8_valid_string(r.error_text));
    http_request_free(&r);
    http_request_init(&r, "POST", NULL);
    assert_false(http_parse_form(&r, NULL, "a=1\0b", 5));
    assert_int_equal(r.error, 400);
    http_request_free(&r);

    char *big = malloc(HTTP_BODY_MAX + 2);
    assert_non_null(big);
    memset(big, 'a', HTTP_BODY_MAX + 1);
    big[0] = 'x', big[1] = '=';
    http_request_init(&r, "POST", NULL);
    assert_true(http_parse_form(&r, NULL, big, HTTP_BODY_MAX));
    assert_int_equal(strlen(http_form(&r, "x")), HTTP_BODY_MAX - 2);
    http_request_free(&r);
    http_request_init(&r, "POST", NULL);
    assert_false(http_parse_form(&r, NULL, big, HTTP_BODY_MAX + 1));
    assert_int_equal(r.error, 413);
    http_request_free(&r);
    free(big);
}

/* ---- the filter -------------------------------------------------------- */

static int32_t day(int y, int m, int d)
{
    return dash_day_from_date(y, m, d);
}

/* Parses the query of "/x?" + query with today; returns whether it parsed. */
static bool filter(const char *query, int32_t today, struct dash_filter *f, char *err, size_t size)
{
    char url[1024];
    snprintf(url, sizeof url, "/x?%s", query);
    struct http_request r = parse(url);
    assert_int_equal(r.error, 0);
    err[0] = '\0';
    bool ok = http_parse_filter(&r, today, f, err, size);
    http_request_free(&r);
    return ok;
}

static void expect_days(const char *query, int32_t today, int32_t from, int32_t to)
{
    struct dash_filter f;
    char err[256];
    if (!filter(query, today, &f, err, sizeof err))
        fail_msg("'%s': %s", query, err);
    char a[16], b[16], c[16], d[16];
    dash_day_format(f.from_day, a, sizeof a);
    dash_day_format(f.to_day, b, sizeof b);
    dash_day_format(from, c, sizeof c);
    dash_day_format(to, d, sizeof d);
    if (f.from_day != from || f.to_day != to)
        fail_msg("'%s': [%s, %s), expected [%s, %s)", query, a, b, c, d);
}

static void test_presets(void **state)
{
    (void)state;
    int32_t thu = day(2026, 11, 26); /* a Thursday */
    assert_int_equal(dash_weekday(thu), 3);
    expect_days("", thu, day(2026, 10, 28), day(2026, 11, 27)); /* default: last 30 days */
    expect_days("period=last_30_days", thu, day(2026, 10, 28), day(2026, 11, 27));
    expect_days("period=today", thu, thu, thu + 1);
    expect_days("period=yesterday", thu, thu - 1, thu);
    expect_days("period=this_week", thu, day(2026, 11, 23), thu + 1);
    expect_days("period=last_week", thu, day(2026, 11, 16), day(2026, 11, 23));
    expect_days("period=this_month", thu, day(2026, 11, 1), thu + 1);
    /* week edges: a Monday's week is itself; a Sunday's began six days before */
    int32_t mon = day(2026, 11, 23), sun = day(2026, 11, 29);
    expect_days("period=this_week", mon, mon, mon + 1);
    expect_days("period=last_week", mon, day(2026, 11, 16), mon);
    expect_days("period=this_week", sun, mon, sun + 1);
    /* the month's first day, and yesterday across a year */
    expect_days("period=this_month", day(2026, 3, 1), day(2026, 3, 1), day(2026, 3, 2));
    expect_days("period=yesterday", day(2027, 1, 1), day(2026, 12, 31), day(2027, 1, 1));
    /* presets ignore from/to (the form always sends them) */
    expect_days("period=today&from=2020-01-01&to=2020-02-01", thu, thu, thu + 1);
    expect_days("period=today&from=&to=", thu, thu, thu + 1);

    struct dash_filter f;
    char err[256];
    assert_true(filter("department=front-desk&group=g.1&misuse=1", thu, &f, err, sizeof err));
    assert_string_equal(f.department, "front-desk");
    assert_string_equal(f.group, "g.1");
    assert_true(f.include_misuse);
    assert_int_equal(f.period, DASH_PERIOD_LAST_30_DAYS);
    assert_true(filter("include_misuse=true&department=", thu, &f, err, sizeof err));
    assert_true(f.include_misuse);
    assert_string_equal(f.department, "");
    assert_true(filter("misuse=0", thu, &f, err, sizeof err));
    assert_false(f.include_misuse);
}

static void test_custom(void **state)
{
    (void)state;
    int32_t today = day(2026, 11, 26);
    expect_days("period=custom&from=2026-02-01&to=2026-02-28", today, day(2026, 2, 1),
                day(2026, 3, 1));
    expect_days("from=2026-02-01&to=2026-02-01", today, day(2026, 2, 1), day(2026, 2, 2));
    /* 366 days inclusive is allowed (a leap year), 367 not */
    expect_days("period=custom&from=2024-01-01&to=2024-12-31", today, day(2024, 1, 1),
                day(2025, 1, 1));
    struct {
        const char *query;
        const char *words[3]; /* each must be in the message */
    } bad[] = {
        {"period=custom&from=2026-02-30&to=2026-03-01", {"from", "2026-02-30", "YYYY-MM-DD"}},
        {"period=custom&from=2026-02-01&to=26-03-01", {"to", "26-03-01", "YYYY-MM-DD"}},
        {"period=custom&from=2026-02-01", {"to", "YYYY-MM-DD", ""}},
        {"period=custom&from=2026-03-02&to=2026-03-01", {"to", "2026-03-01", "before"}},
        {"period=custom&from=2024-01-01&to=2025-01-01", {"367 days", "at most 366", "2024-01-01"}},
        {"period=week", {"period", "'week'", "last_30_days"}},
        {"period=today&period=today", {"period", "2 times", ""}},
        {"period=custom&from=2026-01-01&from=2026-01-02&to=2026-01-03", {"from", "2 times", ""}},
        {"department=a%20b", {"department", "'a b'", "A-Z"}},
        {"group=%C3%A4", {"group", "expected an id", ""}},
        {"misuse=yes", {"misuse", "'yes'", "1 or 0"}},
        {"include_misuse=2", {"include_misuse", "'2'", ""}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct dash_filter f;
        char err[256];
        if (filter(bad[i].query, today, &f, err, sizeof err))
            fail_msg("'%s' parsed, expected a refusal", bad[i].query);
        for (int w = 0; w < 3; w++)
            if (!strstr(err, bad[i].words[w]))
                fail_msg("'%s': message '%s' lacks '%s'", bad[i].query, err, bad[i].words[w]);
    }
}

static void test_paging_and_choice(void **state)
{
    (void)state;
    struct http_request r = parse("/x?offset=20&limit=5&state=closed");
    int64_t offset, limit;
    char err[256];
    assert_true(http_parse_paging(&r, 1000, &offset, &limit, err, sizeof err));
    assert_int_equal(offset, 20);
    assert_int_equal(limit, 5);
    static const char *const states[] = {"open", "closed", "all", NULL};
    const char *st;
    assert_true(http_parse_choice(&r, "state", states, "open", &st, err, sizeof err));
    assert_string_equal(st, "closed");
    assert_true(http_parse_choice(&r, "absent", states, "open", &st, err, sizeof err));
    assert_string_equal(st, "open");
    http_request_free(&r);

    r = parse("/x");
    assert_true(http_parse_paging(&r, 50, &offset, &limit, err, sizeof err));
    assert_int_equal(offset, 0);
    assert_int_equal(limit, 50);
    http_request_free(&r);

    const char *bad[] = {"limit=0",   "limit=10001", "offset=-1",
                         "offset=1x", "limit=+5",    "offset=99999999999999999999",
                         "limit= 5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char url[128];
        snprintf(url, sizeof url, "/x?%s", bad[i]);
        r = parse(url);
        if (http_parse_paging(&r, 50, &offset, &limit, err, sizeof err))
            fail_msg("'%s' parsed", bad[i]);
        assert_non_null(strstr(err, "expected a whole number"));
        http_request_free(&r);
    }
    r = parse("/x?state=maybe");
    assert_false(http_parse_choice(&r, "state", states, "open", &st, err, sizeof err));
    assert_string_equal(err, "state: expected open, closed or all, got 'maybe'");
    http_request_free(&r);
}

/* A refusal quotes the value at most 80 bytes long: a value whose 80th
 * byte starts a character (U+206E, three bytes) is cut inside it, and the
 * text, which goes into a UTF-8 page or JSON, stays UTF-8 (found by
 * fuzz_request: ?group= of 79 bytes and that character). */
static void test_refusal_cuts_a_character(void **state)
{
    (void)state;
    char v[128];
    memset(v, 'a', 79);
    snprintf(v + 79, sizeof v - 79, "%%E2%%81%%AE"); /* U+206E */
    static const char *const around[][2] = {{"period=", ""},
                                            {"group=", ""},
                                            {"department=", ""},
                                            {"kiosk=", ""},
                                            {"audience=", ""},
                                            {"misuse=", ""},
                                            {"period=custom&from=", "&to=2026-01-01"}};
    char query[256], err[256];
    struct dash_filter f;
    for (size_t i = 0; i < sizeof around / sizeof around[0]; i++) {
        snprintf(query, sizeof query, "%s%s%s", around[i][0], v, around[i][1]);
        if (filter(query, day(2026, 6, 1), &f, err, sizeof err))
            fail_msg("'%s' parsed", query);
        if (!utf8_valid_string(err))
            fail_msg("'%s': the refusal is not UTF-8: %s", query, err);
        if (!strstr(err, "aaaa?'"))
            fail_msg("'%s': %s", query, err);
    }
    char url[256];
    snprintf(url, sizeof url, "/x?limit=%s", v);
    struct http_request r = parse(url);
    int64_t offset, limit;
    assert_false(http_parse_paging(&r, 50, &offset, &limit, err, sizeof err));
    assert_true(utf8_valid_string(err));
    assert_non_null(strstr(err, "aaaa?'"));
    http_request_free(&r);
}

static void test_encode_and_next(void **state)
{
    (void)state;
    struct strbuf out = {0};
    http_encode(&out, "/a b/\xC3\xA4?x=1&y=%");
    assert_string_equal(out.data, "/a%20b/%C3%A4%3Fx%3D1%26y%3D%25");
    strbuf_free(&out);
    assert_true(http_local_path("/overview?period=today"));
    assert_true(http_local_path("/"));
    const char *bad[] = {
        NULL,   "", "overview", "//evil.example/", "/\\evil.example", "https://evil.example/",
        "/a\nb"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(http_local_path(bad[i]));
}

/* ---- API bodies -------------------------------------------------------- */

static void test_json_string(void **state)
{
    (void)state;
    struct strbuf out = {0};
    json_string(&out, "a\"b\\c\n\t\x01<\x7f>&\xC3\xA4\xF0\x9F\x98\x80\xff!");
    assert_string_equal(out.data, "\"a\\\"b\\\\c\\n\\t\\u0001\\u003c\\u007f\\u003e\\u0026"
                                  "\xC3\xA4\xF0\x9F\x98\x80\xEF\xBF\xBD!\"");
    strbuf_free(&out);
    api_error("no \"session\"", &out);
    assert_string_equal(out.data, "{\"error\": \"no \\\"session\\\"\"}\n");
    strbuf_free(&out);
}

static void test_csv_cell(void **state)
{
    (void)state;
    struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"", ""},
        {"a,b", "\"a,b\""},
        {"say \"hi\"", "\"say \"\"hi\"\"\""},
        {"two\r\nlines", "\"two\r\nlines\""},
        {"=1+2", "\"'=1+2\""},
        {"+1", "\"'+1\""},
        {"-cmd", "\"'-cmd\""},
        {"@SUM(A1)", "\"'@SUM(A1)\""},
        {"\tx", "\"'\tx\""},
        {"a=b", "a=b"},
        {"K\xC3\xA4se", "K\xC3\xA4se"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct strbuf out = {0};
        api_csv_text(&out, cases[i].in);
        if (strcmp(out.data ? out.data : "", cases[i].out) != 0)
            fail_msg("csv '%s' gave '%s', expected '%s'", cases[i].in, out.data, cases[i].out);
        strbuf_free(&out);
    }
}

static void test_counts_bodies(void **state)
{
    (void)state;
    struct dash_count_row items[2] = {
        {.day = day(2026, 11, 1),
         .hour = -1,
         .department = "front",
         .department_name = "Front desk",
         .c = {{1, 2, 3, 4}},
         .misuse = {{0, 0, 1, 1}}},
        {.day = day(2026, 11, 2),
         .hour = 13,
         .department = "=cmd",
         .kiosk_id = "k1",
         .internal = true},
    };
    struct dash_count_rows rows = {.items = items, .n = 2, .more = true};
    struct api_page page = {.offset = 0, .limit = 2, .more = true};
    struct strbuf out = {0};
    api_counts(&rows, &page, API_CSV, &out);
    assert_string_equal(
        out.data,
        "\xEF\xBB\xBF"
        "date,hour,department,kiosk_id,very_unhappy,unhappy,happy,wow,responses,index,csat,"
        "wow_rate,misuse,department_name,audience\r\n"
        "2026-11-01,,front,,1,2,3,4,10,66.7,0.7000,0.4000,2,Front desk,customers\r\n"
        "2026-11-02,13,\"'=cmd\",k1,0,0,0,0,0,,,,0,,colleagues\r\n");
    strbuf_free(&out);
    api_counts(&rows, &page, API_JSON, &out);
    assert_string_equal(
        out.data,
        "{\"offset\": 0, \"limit\": 2, \"more\": true, \"items\": [\n"
        "  {\"date\": \"2026-11-01\", \"hour\": null, \"department\": \"front\", \"kiosk_id\": "
        "null, "
        "\"very_unhappy\": 1, \"unhappy\": 2, \"happy\": 3, \"wow\": 4, \"responses\": 10, "
        "\"index\": 66.7, \"csat\": 0.7000, \"wow_rate\": 0.4000, \"misuse\": 2, "
        "\"department_name\": \"Front desk\", \"audience\": \"customers\"},\n"
        "  {\"date\": \"2026-11-02\", \"hour\": 13, \"department\": \"=cmd\", \"kiosk_id\": "
        "\"k1\", "
        "\"very_unhappy\": 0, \"unhappy\": 0, \"happy\": 0, \"wow\": 0, \"responses\": 0, "
        "\"index\": null, \"csat\": null, \"wow_rate\": null, \"misuse\": 0, "
        "\"department_name\": \"\", \"audience\": \"colleagues\"}\n"
        "]}\n");
    strbuf_free(&out);
    struct dash_count_rows none = {0};
    api_counts(&none, &(struct api_page){.limit = 1000}, API_JSON, &out);
    assert_string_equal(out.data,
                        "{\"offset\": 0, \"limit\": 1000, \"more\": false, \"items\": []}\n");
    strbuf_free(&out);
}

static void test_departments_paging(void **state)
{
    (void)state;
    struct dash_department_info items[3] = {
        {.id = "a", .name = "A", .group = "g", .group_name = "G"},
        {.id = "b", .name = "B", .internal = true},
        {.id = "c", .name = "C, \"the\" third"}};
    struct dash_departments list = {.items = items, .n = 3};
    struct api_page page = {.offset = 1, .limit = 1};
    struct strbuf out = {0};
    api_departments(&list, &page, API_JSON, &out);
    assert_true(page.more);
    assert_string_equal(out.data, "{\"offset\": 1, \"limit\": 1, \"more\": true, \"items\": [\n"
                                  "  {\"id\": \"b\", \"name\": \"B\", \"group\": null, "
                                  "\"group_name\": null, \"audience\": \"colleagues\"}\n]}\n");
    strbuf_free(&out);
    page = (struct api_page){.offset = 2, .limit = 5};
    api_departments(&list, &page, API_CSV, &out);
    assert_false(page.more);
    assert_string_equal(out.data, "\xEF\xBB\xBFid,name,group,group_name,audience\r\n"
                                  "c,\"C, \"\"the\"\" third\",,,customers\r\n");
    strbuf_free(&out);
    page = (struct api_page){.offset = 7, .limit = 5};
    api_departments(&list, &page, API_CSV, &out);
    assert_string_equal(out.data, "\xEF\xBB\xBFid,name,group,group_name,audience\r\n");
    strbuf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_cookies),
        cmocka_unit_test(test_form),
        cmocka_unit_test(test_presets),
        cmocka_unit_test(test_custom),
        cmocka_unit_test(test_paging_and_choice),
        cmocka_unit_test(test_refusal_cuts_a_character),
        cmocka_unit_test(test_encode_and_next),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_csv_cell),
        cmocka_unit_test(test_counts_bodies),
        cmocka_unit_test(test_departments_paging),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
