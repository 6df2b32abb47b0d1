/*
 * test_fleet: the fleet page as a pure function of rows and "now"
 * (page_fleet), HTML escaping, the ages and durations it prints, and
 * serve's parsers for --listen and --silent-after.  No server, no database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fleet.h"
#include "html.h"
#include "pages.h"
#include "serve.h"
#include "strbuf.h"

#define MIN_MS (60 * 1000LL)
/* 2026-11-28T12:00:00Z: 20785 days after the epoch, and 12 hours. */
#define NOW_MS ((20785LL * 86400 + 12 * 3600) * 1000)

static char *escaped(struct strbuf *sb, const char *text)
{
    strbuf_reset(sb);
    html_escape(sb, text);
    assert_false(sb->failed);
    return sb->data;
}

static void test_escape(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    assert_string_equal(escaped(&sb, "<script>alert(\"x\")</script>"),
                        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    assert_string_equal(escaped(&sb, "a & b's"), "a &amp; b&#39;s");
    assert_string_equal(escaped(&sb, "plain"), "plain");
    assert_string_equal(escaped(&sb, ""), "");
    assert_string_equal(escaped(&sb, "bell\a tab\t nl\n del\x7f"), "bell  tab\t nl\n del ");
    assert_string_equal(escaped(&sb, "ä ö ü → ✓"), "ä ö ü → ✓"); /* UTF-8 passes through */
    strbuf_free(&sb);
}

static void test_age_and_duration(void **state)
{
    (void)state;
    char buf[40];
    const struct {
        int64_t ms;
        const char *age;
    } ages[] = {{-5000, "just now"},
                {0, "just now"},
                {999, "just now"},
                {42000, "42 s ago"},
                {60000, "1 min ago"},
                {59 * MIN_MS, "59 min ago"},
                {60 * MIN_MS, "1 h ago"},
                {47 * 60 * MIN_MS, "47 h ago"},
                {48 * 60 * MIN_MS, "2 days ago"}};
    for (size_t i = 0; i < sizeof ages / sizeof ages[0]; i++) {
        fleet_format_age(ages[i].ms, buf, sizeof buf);
        assert_string_equal(buf, ages[i].age);
    }
    fleet_format_duration(15 * MIN_MS, buf, sizeof buf);
    assert_string_equal(buf, "15 min");
    fleet_format_duration(90000, buf, sizeof buf);
    assert_string_equal(buf, "90 s");
    fleet_format_duration(120 * MIN_MS, buf, sizeof buf);
    assert_string_equal(buf, "2 h");
    fleet_format_duration(24 * 60 * MIN_MS, buf, sizeof buf);
    assert_string_equal(buf, "1 day");
}

/* Makes a fleet_kiosk from literals; the strings are only read. */
static struct fleet_kiosk kiosk(const char *id, int64_t seen_ago_ms, const char *error)
{
    return (struct fleet_kiosk){.kiosk_id = (char *)id,
                                .site = (char *)"HQ",
                                .label = (char *)"Front",
                                .department = (char *)"front",
                                .app_version = (char *)"0.1.0",
                                .last_error = (char *)error,
                                .last_seen_ms = seen_ago_ms < 0 ? 0 : NOW_MS - seen_ago_ms,
                                .last_success_ms = 0,
                                .backlog = 3};
}

/* The row of kiosk id (as it appears escaped), from its <tr to its </tr>. */
static const char *row_of(const char *page, const char *escaped_id, char *row, size_t size)
{
    char needle[200];
    snprintf(needle, sizeof needle, "data-label=\"Kiosk\">%s</th>", escaped_id);
    const char *hit = strstr(page, needle);
    assert_non_null(hit);
    const char *start = hit;
    while (start > page && strncmp(start, "<tr", 3) != 0)
        start--;
    const char *end = strstr(hit, "</tr>");
    assert_non_null(end);
    snprintf(row, size, "%.*s", (int)(end - start), start);
    return start;
}

/* The fleet page as a technician sees it: every kiosk on one page. */
static void render_fleet(const struct fleet *fleet, struct strbuf *page)
{
    struct dash_user tech = {.name = "tech", .role = DASH_ROLE_TECHNICIAN};
    struct dash_filter filter = {.period = DASH_PERIOD_LAST_30_DAYS};
    struct dash_departments none = {0};
    struct page_ctx ctx = {.user = &tech,
                           .filter = &filter,
                           .departments = &none,
                           .csrf = "csrf-token",
                           .now_ms = NOW_MS,
                           .zone = "UTC"};
    page_fleet(&ctx, fleet, 15 * MIN_MS, 0, 1000, false, page);
}

static void test_render(void **state)
{
    (void)state;
    struct fleet_kiosk rows[] = {
        kiosk("b-ok", 1 * MIN_MS, ""),
        kiosk("a-quiet", 16 * MIN_MS, ""),
        kiosk("c-never", -1, "provisioned, never seen"),
        kiosk("<script>x</script>", 3 * MIN_MS, "<script>alert(1)</script>"),
        kiosk("d-edge", 15 * MIN_MS, ""), /* exactly the threshold: not yet silent */
    };
    struct fleet fleet = {.kiosks = rows, .n = sizeof rows / sizeof rows[0]};
    struct strbuf page = {0};
    render_fleet(&fleet, &page);
    assert_false(page.failed);
    const char *html = page.data;

    assert_non_null(strstr(html, "<p class=\"summary\">5 kiosks, 2 silent, 1 with errors</p>"));
    assert_non_null(strstr(html, "no heartbeat for more than 15 min"));
    assert_non_null(strstr(html, "As of 2026-11-28 12:00:00 UTC"));
    /* the one script is the live update's file (no inline script) */
    const char *live = strstr(html, "<script src=\"/assets/live.js\" defer></script>");
    assert_non_null(live);
    assert_true(strstr(html, "<script") == live);
    assert_null(strstr(live + 1, "<script"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "<meta name=\"viewport\""));

    /* silent first (by id), then the rest by id ('&' of "&lt;" sorts by '<') */
    char row[2048];
    const char *order[] = {"a-quiet", "c-never", "&lt;script&gt;x&lt;/script&gt;", "b-ok",
                           "d-edge"};
    const char *previous = html;
    for (size_t i = 0; i < 5; i++) {
        const char *at = row_of(html, order[i], row, sizeof row);
        assert_true(at > previous);
        previous = at;
        bool silent = i < 2;
        assert_int_equal(strstr(row, "class=\"kiosk silent") != NULL, silent);
        assert_int_equal(strstr(row, "<strong>silent</strong>") != NULL, silent);
    }
    row_of(html, "b-ok", row, sizeof row);
    assert_non_null(strstr(row, "<time datetime=\"2026-11-28T11:59:00Z\" "
                                "title=\"2026-11-28 11:59:00 UTC\">1 min ago</time>"));
    assert_non_null(strstr(row, "data-label=\"Last successful sync\">never</td>"));
    row_of(html, "c-never", row, sizeof row);
    assert_non_null(strstr(row, "data-label=\"Last heartbeat\">never</td>"));
    assert_null(strstr(row, "<strong>error</strong>")); /* never seen: not an error */
    row_of(html, "&lt;script&gt;x&lt;/script&gt;", row, sizeof row);
    assert_non_null(strstr(row, "class=\"kiosk error\""));
    assert_non_null(strstr(row, "<strong>error</strong>"));
    strbuf_free(&page);
}

static void test_render_empty_and_error(void **state)
{
    (void)state;
    struct fleet none = {0};
    struct strbuf page = {0};
    render_fleet(&none, &page);
    assert_false(page.failed);
    assert_non_null(strstr(page.data, "0 kiosks, 0 silent, 0 with errors"));
    assert_non_null(strstr(page.data, "No kiosks yet"));
    assert_null(strstr(page.data, "<table"));
    strbuf_reset(&page);
    page_error(NULL, NULL, 503, "no such table: <kiosks>", &page);
    assert_non_null(strstr(page.data, "no such table: &lt;kiosks&gt;"));
    assert_non_null(strstr(page.data, "</html>"));
    strbuf_free(&page);
}

static void test_silent_and_error_rules(void **state)
{
    (void)state;
    struct fleet_kiosk k = kiosk("k", 10 * MIN_MS, "");
    assert_false(fleet_kiosk_silent(&k, NOW_MS, 10 * MIN_MS));
    assert_true(fleet_kiosk_silent(&k, NOW_MS + 1, 10 * MIN_MS));
    assert_false(fleet_kiosk_has_error(&k));
    k.last_error = (char *)"timeout";
    assert_true(fleet_kiosk_has_error(&k));
    k.last_seen_ms = 0;
    assert_true(fleet_kiosk_silent(&k, NOW_MS, 100 * MIN_MS));
    assert_false(fleet_kiosk_has_error(&k));
}

/* A kiosk whose store fails: an error on the fleet page, with since when, the records
 * waiting in its memory and its words, escaped; a working store says nothing. */
static void test_store_failing(void **state)
{
    (void)state;
    struct fleet_kiosk rows[] = {kiosk("k-store", 1 * MIN_MS, ""), kiosk("k-fine", 1 * MIN_MS, "")};
    rows[0].store_waiting = 62;
    rows[0].store_error = (char *)"cannot open the store: <read-only>";
    rows[0].store_error_since_ms = NOW_MS - 5 * MIN_MS;
    rows[1].store_error = (char *)"";
    assert_true(fleet_kiosk_has_error(&rows[0]));
    assert_false(fleet_kiosk_has_error(&rows[1]));
    struct fleet fleet = {.kiosks = rows, .n = 2};
    struct strbuf page = {0};
    render_fleet(&fleet, &page);
    assert_false(page.failed);
    assert_non_null(strstr(page.data, "2 kiosks, 0 silent, 1 with errors"));
    char row[4096];
    row_of(page.data, "k-store", row, sizeof row);
    assert_non_null(strstr(row, "<strong>error</strong>"));
    assert_non_null(strstr(row,
                           "<strong>store failing</strong> since 5 min ago, 62 records waiting in "
                           "its memory: <span class=\"store-error\">cannot open the store: "
                           "&lt;read-only&gt;</span>"));
    row_of(page.data, "k-fine", row, sizeof row);
    assert_null(strstr(row, "store failing"));
    strbuf_free(&page);
}

static void test_listen(void **state)
{
    (void)state;
    char err[512];
    const char *loopback[] = {"127.0.0.1:8080", "127.1.2.3:1", "localhost:8080", "[::1]:8080",
                              "127.0.0.1:0"};
    for (size_t i = 0; i < sizeof loopback / sizeof loopback[0]; i++)
        assert_int_equal(serve_check_listen(loopback[i], err, sizeof err), 0);
    const char *elsewhere[] = {
        "0.0.0.0:8080", "10.0.0.1:80", "128.0.0.1:80", "[::]:8080", "[::ffff:127.0.0.1]:8080",
        "[fe80::1]:80"};
    for (size_t i = 0; i < sizeof elsewhere / sizeof elsewhere[0]; i++) {
        assert_int_equal(serve_check_listen(elsewhere[i], err, sizeof err), -2);
        assert_non_null(strstr(err, "not a loopback address"));
        assert_non_null(strstr(err, "ssh -L"));
    }
    const char *malformed[] = {"8080",         ":8080",    "127.0.0.1:", "127.0.0.1:65536",
                               "127.0.0.1:-1", "::1:8080", "[::1]8080",  "host.example:80",
                               "127.0.0.1:80x"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
        assert_int_equal(serve_check_listen(malformed[i], err, sizeof err), -1);
        assert_non_null(strstr(err, "expected ADDR:PORT"));
    }
}

static void test_duration(void **state)
{
    (void)state;
    int64_t ms = -1;
    assert_true(serve_parse_duration("15m", &ms));
    assert_int_equal(ms, 15 * MIN_MS);
    assert_true(serve_parse_duration("90s", &ms));
    assert_int_equal(ms, 90000);
    assert_true(serve_parse_duration("900", &ms));
    assert_int_equal(ms, 900000);
    assert_true(serve_parse_duration("2h", &ms));
    assert_int_equal(ms, 120 * MIN_MS);
    assert_true(serve_parse_duration("1d", &ms));
    assert_int_equal(ms, 1440 * MIN_MS);
    const char *bad[] = {
        "", "0", "-5m", "15 m", "15min", "m", "1.5h", "367d", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(serve_parse_duration(bad[i], &ms));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_age_and_duration),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_empty_and_error),
        cmocka_unit_test(test_silent_and_error_rules),
        cmocka_unit_test(test_store_failing),
        cmocka_unit_test(test_listen),
        cmocka_unit_test(test_duration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
