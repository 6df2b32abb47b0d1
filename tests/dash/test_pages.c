/*
 * test_pages: the dashboard's pages (pages.h) and charts (svg.h) rendered
 * from hand-built values: hostile names escaped wherever a name appears,
 * the league ranked by the shrunk index, "–" for n = 0, the filter kept in
 * every link, csrf in every POST form, no style attribute and no script,
 * numbers with their n, the fleet paged under 100 KB for 1000 kiosks, the
 * heat map's 7 x 24 cells, and balanced tags (a small checker below).
 * Every rendered page is also written to the build directory as
 * pages-*.html for people to look at.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dashview.h"
#include "fleet.h"
#include "html.h"
#include "page_lang.h"
#include "pages.h"
#include "pages_private.h"
#include "score.h"
#include "strbuf.h"
#include "svg.h"

#define HOSTILE      "<script>alert(\"x\")</script>'"
#define HOSTILE_HTML "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;"
#define CSRF         "csrfTOKENcsrfTOKENcsrfTOKENcsrfTOKENcsrfTOK"
#define MIN_MS       (60 * 1000LL)
/* 2026-11-28T12:00:00Z */
#define NOW_MS ((20785LL * 86400 + 12 * 3600) * 1000)

/* ---- checks shared by every page -------------------------------------- */

static bool is_void(const char *name, size_t len)
{
    static const char *const voids[] = {"area",  "base", "br",   "col",    "embed", "hr", "img",
                                        "input", "link", "meta", "source", "track", "wbr"};
    for (size_t i = 0; i < sizeof voids / sizeof voids[0]; i++)
        if (strlen(voids[i]) == len && !strncmp(voids[i], name, len))
            return true;
    return false;
}

/* Whether every element of html is closed in order (void elements and
 * "/>" need no end tag); prints the first mismatch. */
static bool balanced(const char *html)
{
    const char *stack[512];
    size_t lens[512], depth = 0;
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        if (p[1] == '!')
            continue;
        bool closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789");
        const char *end = strchr(p, '>');
        if (!end || len == 0) {
            fprintf(stderr, "bad tag at: %.60s\n", p);
            return false;
        }
        if (closing) {
            if (depth == 0 || lens[depth - 1] != len || strncmp(stack[depth - 1], name, len)) {
                fprintf(stderr, "unexpected </%.*s> (open: <%.*s>) at: %.80s\n", (int)len, name,
                        depth ? (int)lens[depth - 1] : 0, depth ? stack[depth - 1] : "", p);
                return false;
            }
            depth--;
        } else if (end[-1] != '/' && !is_void(name, len)) {
            if (depth == 512)
                return false;
            stack[depth] = name;
            lens[depth++] = len;
        }
    }
    if (depth)
        fprintf(stderr, "<%.*s> never closed\n", (int)lens[depth - 1], stack[depth - 1]);
    return depth == 0;
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Every POST form carries the session's csrf token. */
static void assert_csrf_in_post_forms(const char *html)
{
    for (const char *p = strstr(html, "<form method=\"post\""); p;
         p = strstr(p + 1, "<form method=\"post\"")) {
        const char *end = strstr(p, "</form>");
        assert_non_null(end);
        const char *token = strstr(p, "name=\"csrf\" value=\"" CSRF "\"");
        assert_non_null(token);
        assert_true(token < end);
    }
}

/* Every link and form action of the page (but the stylesheet, the icon
 * and the logout form) is local and carries the filter. */
static void assert_links_keep(const char *html, const char *filter)
{
    size_t links = 0;
    const char *attrs[] = {"href=\"", "action=\""};
    for (size_t a = 0; a < 2; a++) {
        for (const char *p = strstr(html, attrs[a]); p; p = strstr(p + 1, attrs[a])) {
            const char *value = p + strlen(attrs[a]);
            const char *end = strchr(value, '"');
            assert_non_null(end);
            assert_true(value[0] == '/'); /* no other host */
            if (!strncmp(value, "/assets/dash.css\"", 17) ||
                !strncmp(value, "/assets/icon.svg\"", 17) || !strncmp(value, "/logout\"", 8))
                continue;
            /* a GET form's fields carry the filter (the filter form itself) */
            const char *tag = p;
            while (tag > html && *tag != '<')
                tag--;
            if (a == 1 && strstr(tag, "method=\"get\"") && strstr(tag, "method=\"get\"") < p)
                continue;
            char link[1024];
            snprintf(link, sizeof link, "%.*s", (int)(end - value), value);
            if (!strstr(link, filter))
                fail_msg("link without the filter: %s", link);
            links++;
        }
    }
    assert_true(links > 0);
}

/* What every page must be: no script but the live update's file (no
 * inline script), no inline style, balanced, no NaN. */
static void assert_clean(const char *html)
{
    const char *script = strstr(html, "<script");
    if (script)
        assert_true(!strncmp(script, "<script src=\"/assets/live.js\" defer></script>",
                             strlen("<script src=\"/assets/live.js\" defer></script>")) &&
                    !strstr(script + 1, "<script"));
    assert_null(strstr(html, "style="));
    assert_null(strstr(html, "<style"));
    assert_null(strstr(html, "nan"));
    assert_null(strstr(html, "inf\""));
    assert_non_null(strstr(html, "</html>"));
    assert_true(balanced(html));
    /* no request to another host: the only "http" is the SVG namespace */
    size_t http = count(html, "http");
    assert_int_equal(http, count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
}

/* Writes the page to <build>/pages-<name>.html for people to look at. */
static void keep(const char *name, const struct strbuf *page)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/pages-%s.html", WOW_BUILD_DIR, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return; /* a read-only build dir loses the copy, not the test */
    fwrite(page->data, 1, page->len, f);
    fclose(f);
}

/* ---- hand-built values -------------------------------------------------- */

static struct dash_user user = {.name = HOSTILE, .role = DASH_ROLE_ADMIN};
static struct dash_department_info department_list[] = {
    {"big", "Big ward", "g1", "Group <one>", false},
    {"small", "Small desk", "g1", "Group <one>", false},
    {"x\"y", HOSTILE, "", "", false},
};
static const struct dash_departments departments = {department_list, 3};

/* 1-30 Nov 2026, custom, misuse included, group "g 1". */
static struct dash_filter filter(void)
{
    struct dash_filter f = {.period = DASH_PERIOD_CUSTOM,
                            .from_day = dash_day_from_date(2026, 11, 1),
                            .to_day = dash_day_from_date(2026, 12, 1),
                            .include_misuse = true};
    snprintf(f.group, sizeof f.group, "g 1");
    return f;
}

#define FILTER_HTML "period=custom&amp;from=2026-11-01&amp;to=2026-11-30"

static struct page_ctx context(const struct dash_filter *f)
{
    return (struct page_ctx){.user = &user,
                             .filter = f,
                             .departments = &departments,
                             .csrf = CSRF,
                             .now_ms = NOW_MS,
                             .today = dash_day_from_date(2026, 11, 28),
                             .zone = "Europe/Helsinki"};
}

static struct dash_counts counts(int64_t a, int64_t b, int64_t c, int64_t d)
{
    return (struct dash_counts){{a, b, c, d}};
}

static struct dash_alert alert(int64_t id, const char *department, const char *name)
{
    struct dash_alert a = {.id = id,
                           .state = DASH_ALERT_OPEN,
                           .opened_ms = NOW_MS - 3 * 60 * MIN_MS,
                           .value = 0.34,
                           .baseline = 0.15,
                           .responses = 120};
    snprintf(a.source, sizeof a.source, "slip");
    snprintf(a.kind, sizeof a.kind, "slip");
    snprintf(a.department, sizeof a.department, "%s", department);
    snprintf(a.department_name, sizeof a.department_name, "%s", name);
    snprintf(a.detail, sizeof a.detail, "negative share 34%% against 15%%: %s", name);
    return a;
}

/* ---- svg ---------------------------------------------------------------- */

static void test_svg_numbers_and_gaps(void **state)
{
    (void)state;
    struct strbuf sb = {0};
    svg_number(&sb, 72.44);
    strbuf_puts(&sb, " ");
    svg_number(&sb, -3.05);
    strbuf_puts(&sb, " ");
    svg_number(&sb, -0.01);
    strbuf_puts(&sb, " ");
    svg_number(&sb, 100);
    assert_string_equal(sb.data, "72.4 -3.1 0.0 100.0");

    /* a gap in the middle breaks the line into two runs; the lone point
     * at the end is a dot; NaN and inf never reach the output */
    double v[] = {50, 60, NAN, 70, 80, INFINITY, 90};
    strbuf_reset(&sb);
    svg_sparkline(&sb, v, 7, "t <x>");
    assert_false(sb.failed);
    assert_true(balanced(sb.data));
    const char *d = strstr(sb.data, " d=\"");
    assert_non_null(d);
    size_t moves = 0;
    for (const char *c = d + 4; *c && *c != '"'; c++)
        moves += *c == 'M';
    assert_int_equal(moves, 2);
    assert_int_equal(count(sb.data, "<circle"), 1);
    assert_null(strstr(sb.data, "nan"));
    assert_null(strstr(sb.data, "inf"));
    assert_non_null(strstr(sb.data, "<title>t &lt;x&gt;</title>"));

    struct svg_point p[] = {{50, 40, 60}, {NAN, NAN, NAN}, {70, 60, 80}, {75, NAN, 80}};
    const char *labels[] = {"a", NULL, "", "<d>"};
    strbuf_reset(&sb);
    svg_band_chart(&sb, p, labels, 4, "band");
    assert_true(balanced(sb.data));
    assert_int_equal(count(sb.data, "fill-opacity"), 2); /* two band runs of one step each */
    assert_non_null(strstr(sb.data, ">&lt;d&gt;</text>"));
    assert_null(strstr(sb.data, "nan"));
    strbuf_free(&sb);
}

/* ---- overview ----------------------------------------------------------- */

struct league_fixture {
    struct dash_league_row rows[5];
    struct dash_counts daily[5][30];
    struct dash_league league;
};

static void league_fixture(struct league_fixture *l, const struct dash_filter *f)
{
    memset(l, 0, sizeof *l);
    /* Big: 500 responses, index 82.7; Small: 5 taps, all WOW (index 100);
     * Mid: 200 at index 50 (pulls the mean down); Empty: none */
    const struct {
        const char *id, *name, *group;
        struct dash_counts now, prev;
        bool is_group;
    } spec[] = {
        {"small", "Small desk", "g1", counts(0, 0, 0, 5), counts(0, 0, 0, 0), false},
        {"big", "Big ward", "g1", counts(10, 40, 150, 300), counts(60, 80, 160, 200), false},
        {"x\"y", HOSTILE, "", counts(50, 50, 50, 50), counts(50, 50, 50, 50), false},
        {"empty", "Empty hall", "", counts(0, 0, 0, 0), counts(1, 1, 1, 1), false},
        {"g1", "Group <one>", "", counts(10, 40, 150, 305), counts(60, 80, 160, 200), true},
    };
    for (size_t i = 0; i < 5; i++) {
        struct dash_league_row *r = &l->rows[i];
        snprintf(r->id, sizeof r->id, "%s", spec[i].id);
        snprintf(r->name, sizeof r->name, "%s", spec[i].name);
        snprintf(r->group, sizeof r->group, "%s", spec[i].group);
        r->is_group = spec[i].is_group;
        r->now = spec[i].now;
        r->prev = spec[i].prev;
        r->daily = l->daily[i];
        for (int d = 0; d < 30 && spec[i].now.n[3] + spec[i].now.n[0] > 0; d++)
            /* Sundays (1 Nov 2026 is one) without responses, a slow drift */
            l->daily[i][d] = d % 7 == 0
                                 ? counts(0, 0, 0, 0)
                                 : counts(1 + (int64_t)i, 2, 4 + d % 5, 8 + (int64_t)(i * d) % 9);
    }
    l->league =
        (struct dash_league){.from_day = f->from_day, .to_day = f->to_day, .rows = l->rows, .n = 5};
}

static void test_overview(void **state)
{
    (void)state;
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct league_fixture l;
    league_fixture(&l, &f);
    struct dash_alert open_items[] = {alert(7, "x\"y", HOSTILE)};
    struct dash_alerts open = {open_items, 1, false};
    struct strbuf page = {0};
    page_overview(&ctx, &l.league, &open, &page);
    assert_false(page.failed);
    keep("overview", &page);
    const char *html = page.data;
    assert_clean(html);
    assert_links_keep(html, FILTER_HTML);
    assert_links_keep(html, "misuse=1");
    assert_csrf_in_post_forms(html);

    /* hostile names: the user, a department in the league, the select, the alert and its
     * department's heading over the open alerts */
    assert_int_equal(count(html, HOSTILE_HTML), 1 + 1 + 1 + 2 + 1);
    assert_non_null(strstr(html, "/department/x%22y?"));
    assert_non_null(strstr(html, "<option value=\"x&quot;y\">" HOSTILE_HTML "</option>"));
    /* each group once in its select, its name escaped */
    assert_int_equal(count(html, "<option value=\"g1\">Group &lt;one&gt;</option>"), 1);
    assert_non_null(strstr(html, "1–30 Nov 2026, Europe/Helsinki"));
    assert_non_null(strstr(html, "<option value=\"custom\" selected>"));
    assert_non_null(strstr(html, "name=\"misuse\" value=\"1\" checked"));

    /* the open alert at the top, before the league, linked */
    const char *alerts_at = strstr(html, "Open alerts (1)");
    const char *league_at = strstr(html, "<table class=\"league\"");
    assert_non_null(alerts_at);
    assert_non_null(league_at);
    assert_true(alerts_at < league_at);
    assert_non_null(strstr(html, "href=\"/alerts/7?" FILTER_HTML));
    assert_non_null(strstr(html, "&amp;state=all\">All alerts"));

    /* ranked by the shrunk index: 5 lucky taps below 500 good ones */
    const char *big = strstr(html, ">Big ward</a>");
    const char *small = strstr(html, ">Small desk</a>");
    const char *empty = strstr(html, ">Empty hall</a>");
    const char *group = strstr(html, ">Group &lt;one&gt;</a>");
    assert_non_null(big);
    assert_non_null(small);
    assert_non_null(empty);
    assert_non_null(group);
    assert_true(big < small);
    assert_true(small < empty); /* no responses: last */
    assert_true(empty < group); /* groups after departments, as summaries */
    assert_non_null(strstr(html, "<tbody class=\"groups\">"));
    assert_non_null(strstr(html, "<tr class=\"group\">"));
    assert_non_null(strstr(small, "few responses"));
    assert_true(strstr(big, "few responses") > small);
    assert_non_null(strstr(empty, "<span class=\"tag\">no responses</span>"));

    /* numbers with their n; "–" for n = 0 */
    assert_non_null(strstr(big, "<td title=\"500 responses\">82.7<small>80.5–84.8</small></td>"
                                "<td>90.0%<small>"));
    assert_non_null(strstr(big, "<td>500</td>"));
    assert_non_null(strstr(empty, "<td title=\"No responses\">–</td><td title=\"No responses\">–"
                                  "</td><td title=\"No responses\">–</td><td>–</td>"));
    assert_non_null(strstr(small, "<td>100.0%<small>"));
    /* Big moved from (80 + 320 + 600) / 1500 = 66.7 to (40 + 300 + 900) /
     * 1500 = 82.7 on 500 responses each: a clear change */
    assert_non_null(strstr(big, "▲</span> up +16.0"));
    /* Mid's 50.0 both times: the difference, not marked */
    assert_non_null(strstr(html, "<span class=\"same\">±0.0</span>"));
    /* the sparkline: gaps for the days without responses */
    assert_true(count(html, "<svg") >= 5);
    strbuf_free(&page);
}

static void test_filter_query(void **state)
{
    (void)state;
    struct dash_filter f = {.period = DASH_PERIOD_LAST_30_DAYS};
    struct strbuf sb = {0};
    page_filter_query(&f, &sb);
    assert_string_equal(sb.data, "period=last_30_days");
    strbuf_reset(&sb);
    f = filter();
    snprintf(f.department, sizeof f.department, "a&b=c d");
    page_filter_query(&f, &sb);
    assert_string_equal(sb.data, "period=custom&from=2026-11-01&to=2026-11-30&department=a%26b%3Dc%"
                                 "20d&group=g%201&misuse=1");
    strbuf_free(&sb);

    char words[64];
    page_period_words(NULL, dash_day_from_date(2026, 10, 28), dash_day_from_date(2026, 11, 27),
                      words, sizeof words);
    assert_string_equal(words, "28 Oct – 26 Nov 2026");
    page_period_words(NULL, dash_day_from_date(2026, 12, 28), dash_day_from_date(2027, 1, 4), words,
                      sizeof words);
    assert_string_equal(words, "28 Dec 2026 – 3 Jan 2027");
    page_period_words(NULL, dash_day_from_date(2026, 11, 28), dash_day_from_date(2026, 11, 29),
                      words, sizeof words);
    assert_string_equal(words, "28 Nov 2026");
}

/* Numbers and dates as each language writes them, and the pick among the languages. */
static void test_languages(void **state)
{
    (void)state;
    struct page_langs langs = {.n = 3};
    page_lang_init(&langs.lang[0], "en", NULL);
    page_lang_init(&langs.lang[1], "de", NULL);
    page_lang_init(&langs.lang[2], "fi", NULL);
    static const struct {
        const char *code, *num, *neg, *pct, *n, *month, *months, *years;
    } want[] = {
        {"en", "1,234.6", "-12,345.6", "85.1%", "17,256", "1–30 Nov 2026", "28 Oct – 3 Nov 2026",
         "28 Dec 2026 – 3 Jan 2027"},
        {"de", "1.234,6", "-12.345,6", "85,1%", "17.256", "1.–30.11.2026", "28.10. – 3.11.2026",
         "28.12.2026 – 3.1.2027"},
        {"fi", "1\u00a0234,6", "-12\u00a0345,6", "85,1%", "17\u00a0256", "1.–30.11.2026",
         "28.10. – 3.11.2026", "28.12.2026 – 3.1.2027"},
    };
    for (size_t i = 0; i < 3; i++) {
        struct page_ctx ctx = {.lang = &langs.lang[i]};
        char buf[96];
        assert_string_equal(langs.lang[i].code, want[i].code);
        page_num1(&ctx, 1234.56, buf, sizeof buf);
        assert_string_equal(buf, want[i].num);
        page_num1(&ctx, -12345.6, buf, sizeof buf);
        assert_string_equal(buf, want[i].neg);
        page_pct(&ctx, 0.8512, buf, sizeof buf);
        assert_string_equal(buf, want[i].pct);
        page_int_text(&ctx, 17256, buf, sizeof buf);
        assert_string_equal(buf, want[i].n);
        page_period_words(&ctx, dash_day_from_date(2026, 11, 1), dash_day_from_date(2026, 12, 1),
                          buf, sizeof buf);
        assert_string_equal(buf, want[i].month);
        page_period_words(&ctx, dash_day_from_date(2026, 10, 28), dash_day_from_date(2026, 11, 4),
                          buf, sizeof buf);
        assert_string_equal(buf, want[i].months);
        page_period_words(&ctx, dash_day_from_date(2026, 12, 28), dash_day_from_date(2027, 1, 4),
                          buf, sizeof buf);
        assert_string_equal(buf, want[i].years);
    }
    /* the viewer's choice first, then Accept-Language by q-value, else English */
    assert_string_equal(page_langs_pick(&langs, "de", "fi")->code, "de");
    assert_string_equal(page_langs_pick(&langs, NULL, "sv, fi-FI;q=0.8, de;q=0.5")->code, "fi");
    assert_string_equal(page_langs_pick(&langs, "xx", "de-AT")->code, "de");
    assert_string_equal(page_langs_pick(&langs, NULL, "sv, fi;q=0")->code, "en");
    assert_string_equal(page_langs_pick(&langs, NULL, NULL)->code, "en");
    assert_string_equal(page_langs_pick(NULL, "fi", "fi")->code, "en");
}

/* ---- a department ------------------------------------------------------- */

static void department_fixture(struct dash_department *d, struct dash_point *trend, size_t n,
                               int32_t from_day, struct dash_reason_row *reasons,
                               struct dash_kiosk_row *kiosks)
{
    memset(d, 0, sizeof *d);
    snprintf(d->id, sizeof d->id, "x\"y");
    snprintf(d->name, sizeof d->name, "%s", HOSTILE);
    snprintf(d->group, sizeof d->group, "g1");
    d->total = counts(30, 40, 200, 230);
    d->prev = counts(30, 40, 200, 230);
    for (size_t i = 0; i < n; i++) {
        trend[i] = (struct dash_point){.day = from_day + (int32_t)i, .hour = -1};
        if (i % 5 != 2) /* every fifth day a gap */
            trend[i].c = counts(1, 2, (int64_t)(i % 7), 5);
    }
    d->trend = trend;
    d->trend_n = n;
    for (int w = 0; w < 7; w++)
        for (int h = 8; h < 20; h++)
            d->heat[w][h] = counts(1, 1, 3, w + 1);
    d->heat[1][14] = counts(2, 4, 12, 13); /* index (4 + 24 + 39) / 93 * 100 = 72.04 */
    d->reasons = reasons;
    d->reasons_n = 5;
    d->kiosks = kiosks;
    d->kiosks_n = 1;
}

static void test_department(void **state)
{
    (void)state;
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct dash_point trend[30];
    struct dash_reason_row reasons[] = {
        {"positive", "Friendly staff", "chosen", 30, "", -1},
        {"positive", HOSTILE, "chosen", 10, "", -1},
        {"positive", "", "skipped", 7, "", -1},
        {"positive", "", "timeout", 3, "", -1},
        {"negative", "Waiting", "chosen", 4, "", -1},
    };
    struct dash_kiosk_row kiosks[1] = {{.kiosk_id = "k-1",
                                        .site = HOSTILE,
                                        .label = "Front <door>",
                                        .app_version = "0.4.0",
                                        .last_seen_ms = NOW_MS - 2 * MIN_MS,
                                        .c = {{1, 2, 3, 4}}}};
    struct dash_department d;
    department_fixture(&d, trend, 30, f.from_day, reasons, kiosks);
    struct dash_alert items[] = {alert(9, "x\"y", HOSTILE)};
    struct dash_alerts alerts = {items, 1, false};
    struct strbuf page = {0};
    page_department(&ctx, &d, &alerts, NULL, &page);
    assert_false(page.failed);
    keep("department", &page);
    const char *html = page.data;
    assert_clean(html);
    assert_links_keep(html, FILTER_HTML);
    assert_csrf_in_post_forms(html);
    /* the name: title, h1, the select; the reason, the kiosk's site, the alert twice */
    assert_int_equal(count(html, HOSTILE_HTML), 3 + 1 + 1 + 2 + 1);
    assert_non_null(strstr(html, "action=\"/department/x%22y\""));
    assert_non_null(strstr(html, "Front &lt;door&gt;"));

    /* headline numbers with n and interval */
    assert_non_null(strstr(html, "over 500 responses"));
    assert_non_null(strstr(html, "95 % interval"));
    /* the trend: six gaps (days 2, 7, ... 27) split line and band into seven runs */
    const char *chart = strstr(html, "<svg class=\"chart\"");
    assert_non_null(chart);
    const char *chart_end = strstr(chart, "</svg>");
    size_t chart_len = (size_t)(chart_end - chart);
    char *copy = malloc(chart_len + 1);
    assert_non_null(copy);
    memcpy(copy, chart, chart_len);
    copy[chart_len] = '\0';
    assert_int_equal(count(copy, " M"), 7);
    assert_int_equal(count(copy, "fill-opacity"), 7);
    free(copy);
    /* the distribution: four bars with counts and shares */
    assert_non_null(strstr(html, ">30 (6.0%)</text>"));
    assert_non_null(strstr(html, ">230 (46.0%)</text>"));
    /* the heat map: the 12 hours anybody answered in (the 12 empty ones left out), the
     * example cell's title, coloured around the department's own index */
    const char *heat = strstr(html, "<svg class=\"heat");
    assert_non_null(heat);
    assert_int_equal(count(heat, "<g><title>"), 7 * 12);
    assert_non_null(strstr(heat, "<g><title>Tue 14:00 – index 72, n = 31</title>"));
    assert_int_equal(count(heat, "– no responses</title>"), 0);
    assert_non_null(strstr(html, "White is this department&#39;s own index"));
    /* reasons: shares of the chosen, skipped and timeout apart */
    assert_non_null(strstr(html, "<td>Friendly staff</td><td class=\"num\">30</td>"
                                 "<td class=\"num\">75.0%</td>"));
    assert_non_null(strstr(html, "Skipped: 7; timed out: 3; of 50 follow-up questions"));
    strbuf_free(&page);
}

static void test_department_empty_and_hourly(void **state)
{
    (void)state;
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct dash_point trend[48];
    struct dash_department d;
    memset(&d, 0, sizeof d);
    snprintf(d.id, sizeof d.id, "quiet");
    d.hourly = true;
    for (int i = 0; i < 48; i++)
        trend[i] = (struct dash_point){.day = f.from_day + i / 24, .hour = (int8_t)(i % 24)};
    trend[30].c = counts(0, 0, 1, 0); /* one lone hour: a dot, no line */
    d.trend = trend;
    d.trend_n = 48;
    struct dash_alerts none = {0};
    struct strbuf page = {0};
    page_department(&ctx, &d, &none, NULL, &page);
    assert_false(page.failed);
    keep("department-empty", &page);
    const char *html = page.data;
    assert_clean(html);
    assert_non_null(strstr(html, "<dd class=\"big\">–</dd><dd class=\"sub\">no responses</dd>"));
    assert_non_null(strstr(html, "Index per hour"));
    assert_non_null(strstr(html, ">Sun 1 Nov</text>"));
    assert_non_null(strstr(html, ">06:00</text>"));
    assert_int_equal(count(html, "<circle"), 1);
    assert_non_null(strstr(html, "No responses in this period."));
    assert_int_equal(count(html, "class=\"empty\""), 7 * 24);
    strbuf_free(&page);
}

/* ---- alerts ------------------------------------------------------------- */

static void test_alerts_list(void **state)
{
    (void)state;
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct dash_alert items[3] = {alert(3, "a", "Alpha"), alert(2, "x\"y", HOSTILE),
                                  alert(1, "b", "Beta")};
    items[2].state = DASH_ALERT_CLOSED;
    items[2].closed_ms = NOW_MS - 60 * MIN_MS;
    snprintf(items[1].kind, sizeof items[1].kind, "index_below");
    items[1].value = 61.25;
    struct dash_alerts alerts = {items, 3, true};
    struct strbuf page = {0};
    page_alerts(&ctx, &alerts, "all", 50, 50, &page);
    assert_false(page.failed);
    keep("alerts", &page);
    const char *html = page.data;
    assert_clean(html);
    assert_links_keep(html, FILTER_HTML);
    assert_csrf_in_post_forms(html);
    assert_int_equal(count(html, HOSTILE_HTML), 1 + 1 + 2);
    assert_non_null(strstr(html, "href=\"/alerts?" FILTER_HTML
                                 "&amp;group=g%201&amp;misuse=1&amp;state=all&amp;offset=100&amp;"
                                 "limit=50\">Next"));
    assert_non_null(strstr(html, "offset=0&amp;limit=50\">← Previous"));
    assert_non_null(strstr(html, "state=open&amp;offset=0&amp;limit=50\">Open</a>"));
    assert_non_null(strstr(html, "aria-current=\"page\">All</a>"));
    assert_non_null(strstr(html, "Alerts 51–53"));
    assert_non_null(strstr(html, ">61.3</td>"));  /* an index */
    assert_non_null(strstr(html, ">34.0%</td>")); /* a share */
    strbuf_reset(&page);

    struct dash_alerts none = {0};
    page_alerts(&ctx, &none, "open", 0, 50, &page);
    assert_clean(page.data);
    assert_non_null(strstr(page.data, "No open alerts."));
    assert_null(strstr(page.data, "rel=\"next\""));
    assert_null(strstr(page.data, "rel=\"prev\""));
    strbuf_free(&page);
}

static void test_alert(void **state)
{
    (void)state;
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct dash_alert a = alert(12, "x\"y", HOSTILE);
    char first[] = "First: " HOSTILE, second[] = "Second\nline";
    struct dash_comment comments[] = {{"ann", NOW_MS - 50 * MIN_MS, first},
                                      {"<bob>", NOW_MS - 5 * MIN_MS, second}};
    a.comments = comments;
    a.comments_n = 2;
    struct strbuf page = {0};
    page_alert(&ctx, &a, &page);
    assert_false(page.failed);
    keep("alert", &page);
    const char *html = page.data;
    assert_clean(html);
    assert_links_keep(html, FILTER_HTML);
    assert_csrf_in_post_forms(html);
    /* title, h1, facts (what, department), the select, a comment */
    assert_int_equal(count(html, HOSTILE_HTML), 2 + 2 + 1 + 1 + 1);
    assert_non_null(strstr(html, "action=\"/alerts/12/acknowledge?" FILTER_HTML));
    assert_non_null(strstr(html, "action=\"/alerts/12/comment?" FILTER_HTML));
    assert_non_null(strstr(html, "name=\"body\""));
    /* logout, ack, comment, and recognise and act's assign and resolve */
    assert_int_equal(count(html, "<form method=\"post\""), 5);
    assert_non_null(strstr(html, "action=\"/alerts/12/assign?" FILTER_HTML));
    assert_non_null(strstr(html, "action=\"/alerts/12/resolve?" FILTER_HTML));
    const char *one = strstr(html, "First: ");
    const char *two = strstr(html, "Second\nline");
    assert_non_null(one);
    assert_non_null(two);
    assert_true(one < two); /* oldest first */
    assert_non_null(strstr(html, "&lt;bob&gt;"));
    assert_non_null(strstr(html, "negative share 34.0% over 120 responses"));
    assert_non_null(strstr(html, "<dt>Baseline</dt><dd>15.0%</dd>"));
    strbuf_reset(&page);

    a.state = DASH_ALERT_ACKNOWLEDGED; /* acknowledged: no second acknowledge */
    a.acked_ms = NOW_MS - MIN_MS;
    snprintf(a.acked_by, sizeof a.acked_by, "<eve>");
    a.baseline = NAN;
    page_alert(&ctx, &a, &page);
    assert_clean(page.data);
    assert_null(strstr(page.data, "/acknowledge"));
    assert_null(strstr(page.data, "Baseline"));
    assert_non_null(strstr(page.data, " by &lt;eve&gt;"));
    strbuf_free(&page);
}

/* ---- fleet -------------------------------------------------------------- */

static void test_fleet_paged(void **state)
{
    (void)state;
    enum { N = 1000 };
    struct fleet_kiosk *rows = calloc(N, sizeof *rows);
    char(*ids)[32] = calloc(N, sizeof *ids);
    assert_non_null(rows);
    assert_non_null(ids);
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "kiosk-%04d", i);
        rows[i] = (struct fleet_kiosk){.kiosk_id = ids[i],
                                       .site = (char *)"Main building, floor 2",
                                       .label = (char *)"Entrance <left>",
                                       .department = (char *)"customer-service",
                                       .app_version = (char *)"0.4.0",
                                       .last_error = (char *)"",
                                       .last_seen_ms = NOW_MS - 30000,
                                       .last_success_ms = NOW_MS - 30000,
                                       .backlog = 2};
        if (i % 100 == 7) /* 10 silent */
            rows[i].last_seen_ms = NOW_MS - 60 * MIN_MS;
        if (i % 100 == 8) /* 10 with errors */
            rows[i].last_error = (char *)"push: <timeout>";
        if (i % 250 == 9) /* 4 with a backlog */
            rows[i].backlog = 5000;
    }
    struct fleet fleet = {.kiosks = rows, .n = N};
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct strbuf page = {0};
    page_fleet(&ctx, &fleet, 15 * MIN_MS, 0, 50, false, &page);
    assert_false(page.failed);
    keep("fleet", &page);
    const char *html = page.data;
    assert_clean(html);
    assert_links_keep(html, FILTER_HTML);
    assert_csrf_in_post_forms(html);
    assert_true(page.len < 100 * 1024);
    assert_non_null(strstr(html, "1000 kiosks, 10 silent, 10 with errors, 4 with a backlog"));
    assert_int_equal(count(html, "<tr class=\"kiosk"), 50);
    assert_non_null(strstr(html, "Kiosks (of 1000) 1–50"));
    assert_non_null(strstr(html, "offset=50&amp;limit=50\">Next"));
    assert_null(strstr(html, "rel=\"prev\""));
    /* problems first: silent, then errors, then backlog */
    const char *silent = strstr(html, ">kiosk-0007</th>");
    const char *error = strstr(html, ">kiosk-0008</th>");
    const char *backlog = strstr(html, ">kiosk-0009</th>");
    const char *fine = strstr(html, ">kiosk-0000</th>");
    assert_non_null(silent);
    assert_non_null(error);
    assert_non_null(backlog);
    assert_non_null(fine);
    assert_true(silent < error && error < backlog && backlog < fine);
    assert_non_null(strstr(html, "push: &lt;timeout&gt;"));
    strbuf_reset(&page);

    page_fleet(&ctx, &fleet, 15 * MIN_MS, 0, 50, true, &page);
    assert_clean(page.data);
    assert_int_equal(count(page.data, "<tr class=\"kiosk"), 24);
    assert_non_null(strstr(page.data, "name=\"problems\" value=\"1\" checked"));
    assert_null(strstr(page.data, "rel=\"next\""));
    strbuf_reset(&page);

    page_fleet(&ctx, &fleet, 15 * MIN_MS, 975, 50, false, &page);
    assert_clean(page.data);
    assert_int_equal(count(page.data, "<tr class=\"kiosk"), 25);
    assert_non_null(strstr(page.data, "offset=925&amp;limit=50\">← Previous"));
    assert_null(strstr(page.data, "rel=\"next\""));
    strbuf_free(&page);
    free(rows);
    free(ids);
}

/* ---- login, errors, roles ------------------------------------------------ */

static void test_login_and_error(void **state)
{
    (void)state;
    struct strbuf page = {0};
    page_login(NULL, "Wrong user name or password: " HOSTILE, "/department/a?x=\"1\"", &page);
    keep("login", &page);
    assert_clean(page.data);
    assert_non_null(strstr(page.data, "role=\"alert\">Wrong user name or password: " HOSTILE_HTML));
    assert_non_null(strstr(page.data, "name=\"next\" value=\"/department/a?x=&quot;1&quot;\""));
    assert_non_null(strstr(page.data, "action=\"/login\""));
    assert_non_null(strstr(page.data, "type=\"password\""));
    assert_null(strstr(page.data, "class=\"filter\""));
    assert_null(strstr(page.data, "<nav"));
    strbuf_reset(&page);

    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    page_error(&ctx, NULL, 404, "No department " HOSTILE, &page);
    keep("error", &page);
    assert_clean(page.data);
    assert_csrf_in_post_forms(page.data);
    assert_links_keep(page.data, FILTER_HTML);
    assert_non_null(strstr(page.data, "<h1>404 Not found</h1>"));
    assert_non_null(strstr(page.data, "No department " HOSTILE_HTML));
    assert_non_null(strstr(page.data, "Back to the dashboard</a>"));
    strbuf_reset(&page);
    page_error(NULL, NULL, 500, "boom", &page);
    assert_clean(page.data);
    assert_non_null(strstr(page.data, "<a href=\"/\">Back to the dashboard</a>"));
    strbuf_free(&page);
}

static void test_nav_by_role(void **state)
{
    (void)state;
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct dash_user tech = {.name = "tess", .role = DASH_ROLE_TECHNICIAN};
    struct dash_user head = {.name = "hugo", .role = DASH_ROLE_HEAD};
    struct strbuf page = {0};
    ctx.user = &tech;
    page_error(&ctx, NULL, 403, "no", &page);
    assert_null(strstr(page.data, ">Overview</a>"));
    assert_non_null(strstr(page.data, ">Fleet</a>"));
    strbuf_reset(&page);
    ctx.user = &head;
    page_error(&ctx, NULL, 403, "no", &page);
    assert_non_null(strstr(page.data, ">Overview</a>"));
    assert_non_null(strstr(page.data, ">Alerts</a>"));
    assert_null(strstr(page.data, ">Fleet</a>"));
    strbuf_free(&page);
}

/* ---- page weight -------------------------------------------------------- */

/* The overview of rows league rows (a tenth of them groups) over days
 * days, with 20 open alerts and every department in the filter's select:
 * its size in bytes. */
static size_t overview_weight(int n_rows, int days, const char *name)
{
    struct dash_filter f = filter();
    f.to_day = dash_day_from_date(2026, 11, 29);
    f.from_day = f.to_day - days;
    struct page_ctx ctx = context(&f);
    struct dash_league_row *rows = calloc((size_t)n_rows, sizeof *rows);
    struct dash_counts *daily = calloc((size_t)n_rows * (size_t)days, sizeof *daily);
    struct dash_department_info *info = calloc((size_t)n_rows, sizeof *info);
    assert_non_null(rows);
    assert_non_null(daily);
    assert_non_null(info);
    for (int i = 0; i < n_rows; i++) {
        snprintf(rows[i].id, sizeof rows[i].id, "d%03d", i);
        snprintf(rows[i].name, sizeof rows[i].name, "Outpatient clinics %d", i);
        rows[i].is_group = i % 11 == 10;
        rows[i].now = counts(100 + i, 200, 3000 + 10 * i, 4000);
        rows[i].prev = counts(100, 250, 3000, 3900 + 10 * i);
        rows[i].daily = daily + (size_t)i * (size_t)days;
        for (int d = 0; d < days; d++) /* a wavy line: the heaviest path */
            rows[i].daily[d] = counts(d % 3, 1 + d % 5, 10 + (d * i) % 7, 12 + d % 4);
        info[i] = (struct dash_department_info){.group = "g01", .group_name = "Outpatient"};
        snprintf(info[i].id, sizeof info[i].id, "%s", rows[i].id);
        snprintf(info[i].name, sizeof info[i].name, "%s", rows[i].name);
    }
    struct dash_departments list = {info, (size_t)n_rows};
    ctx.departments = &list;
    struct dash_league league = {
        .from_day = f.from_day, .to_day = f.to_day, .rows = rows, .n = (size_t)n_rows};
    struct dash_alert items[20];
    for (int i = 0; i < 20; i++)
        items[i] = alert(i + 1, "d001", "Outpatient clinics 1");
    struct dash_alerts open = {items, 20, false};
    struct strbuf page = {0};
    page_overview(&ctx, &league, &open, &page);
    assert_false(page.failed);
    keep(name, &page);
    assert_clean(page.data);
    assert_int_equal(count(page.data, "<svg class=\"spark\""), n_rows);
    /* one department's 20 open alerts: one box, its first 3 and a link to the other 17 */
    assert_int_equal(count(page.data, "<li class=\"alert-group"), 1);
    assert_int_equal(count(page.data, "<li class=\"alert "), 3);
    assert_non_null(strstr(page.data, "17 more of this department"));
    size_t len = page.len;
    printf("overview, %d rows over %d days: %zu bytes\n", n_rows, days, len);
    strbuf_free(&page);
    free(rows);
    free(daily);
    free(info);
    return len;
}

/* The benchmark's league (100 departments in 10 groups) stays under 100 KB
 * for a month and for a year (sparklines step several days at a time). */
static void test_weight_overview(void **state)
{
    (void)state;
    assert_true(overview_weight(110, 30, "overview-110") < 100 * 1024);
    assert_true(overview_weight(110, 366, "overview-110-year") < 100 * 1024);
}

/* A year of days with responses every day, every heat map cell, 40
 * reasons, 30 kiosks, 20 alerts: the department page stays under 100 KB. */
static void test_weight_department_year(void **state)
{
    (void)state;
    enum { DAYS = 366 };
    struct dash_filter f = filter();
    struct page_ctx ctx = context(&f);
    struct dash_point *trend = calloc(DAYS, sizeof *trend);
    struct dash_reason_row reasons[40];
    struct dash_kiosk_row kiosks[30];
    assert_non_null(trend);
    struct dash_department d;
    department_fixture(&d, trend, DAYS, dash_day_from_date(2025, 11, 29), reasons, kiosks);
    for (int i = 0; i < DAYS; i++)
        trend[i].c = counts(3, 5, 20 + i % 9, 25);
    for (int w = 0; w < 7; w++)
        for (int h = 0; h < 24; h++)
            d.heat[w][h] = counts(10, 20, 300 + h, 400 + w);
    for (int i = 0; i < 40; i++) {
        reasons[i] = (struct dash_reason_row){.n = 100 - i};
        snprintf(reasons[i].question, sizeof reasons[i].question, i % 2 ? "negative" : "positive");
        snprintf(reasons[i].reason, sizeof reasons[i].reason, "A reason people give %d", i);
        snprintf(reasons[i].ended_by, sizeof reasons[i].ended_by, "chosen");
    }
    d.reasons_n = 40;
    for (int i = 0; i < 30; i++) {
        kiosks[i] =
            (struct dash_kiosk_row){.last_seen_ms = NOW_MS - i * MIN_MS, .c = {{10, 20, 300, 400}}};
        snprintf(kiosks[i].kiosk_id, sizeof kiosks[i].kiosk_id, "kiosk-%04d", i);
        snprintf(kiosks[i].site, sizeof kiosks[i].site, "Main building, floor %d", i % 5);
        snprintf(kiosks[i].label, sizeof kiosks[i].label, "Entrance %d", i);
        snprintf(kiosks[i].app_version, sizeof kiosks[i].app_version, "0.4.%d", i % 3);
    }
    d.kiosks_n = 30;
    struct dash_alert items[20];
    for (int i = 0; i < 20; i++)
        items[i] = alert(i + 1, d.id, d.name);
    struct dash_alerts alerts = {items, 20, false};
    struct strbuf page = {0};
    page_department(&ctx, &d, &alerts, NULL, &page);
    assert_false(page.failed);
    keep("department-year", &page);
    assert_clean(page.data);
    printf("department over %d days: %zu bytes\n", DAYS, page.len);
    assert_true(page.len < 100 * 1024);
    strbuf_free(&page);
    free(trend);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_svg_numbers_and_gaps),
        cmocka_unit_test(test_filter_query),
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_overview),
        cmocka_unit_test(test_department),
        cmocka_unit_test(test_department_empty_and_hourly),
        cmocka_unit_test(test_alerts_list),
        cmocka_unit_test(test_alert),
        cmocka_unit_test(test_fleet_paged),
        cmocka_unit_test(test_login_and_error),
        cmocka_unit_test(test_nav_by_role),
        cmocka_unit_test(test_weight_overview),
        cmocka_unit_test(test_weight_department_year),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
