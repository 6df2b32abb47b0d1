/*
 * test_names: the catalog's names everywhere the dashboard shows a
 * department, group or reason (docs/CATALOG.md, "Names everywhere"), and
 * the picker regression, on a real database: a migrated SQLite file in a
 * temp dir, or the PostgreSQL database named by WOW_DASHQ_TARGET (the
 * driver test_dashq.py makes it).
 *
 * Order matters: the first tests run before any catalog exists (a picker
 * kiosk's '' is no department; its departments and its taps' are known),
 * then the catalog is loaded from catalog_fixture.sql (the one place tests
 * get a catalog from) and every query, page and API body is read in the
 * first language and in Finnish; last the fleet page's catalog states,
 * with hostile strings from kiosks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "accounts.h"
#include "alerts.h"
#include "api.h"
#include "dashdb.h"
#include "dashq.h"
#include "dashview.h"
#include "fleet.h"
#include "kiosks.h"
#include "migrate.h"
#include "names.h"
#include "org.h"
#include "pages.h"
#include "rollup.h"
#include "schema.h"
#include "strbuf.h"

static char target[4096];
static char tmp_dir[256];
static struct dashdb *db;
static char err[1024];

static const struct dash_user admin = {.name = "ada", .role = DASH_ROLE_ADMIN};
static const struct dash_user admin_fi = {.name = "aino", .role = DASH_ROLE_ADMIN, .lang = "fi"};

static int64_t utc_ms(int d, int h)
{
    return ((int64_t)dash_day_from_date(2026, 3, d) * 86400 + h * 3600) * 1000;
}

static struct dash_filter march(void)
{
    return (struct dash_filter){.period = DASH_PERIOD_CUSTOM,
                                .from_day = dash_day_from_date(2026, 3, 1),
                                .to_day = dash_day_from_date(2026, 4, 1)};
}

static void exec_ok(const char *sql, const struct dashdb_value *params, int n)
{
    if (!dashdb_exec(db, sql, params, n, NULL, NULL, NULL, err, sizeof err))
        fail_msg("%s: %s", sql, err);
}

/* The catalog of catalog_fixture.sql, statement by statement. */
static void load_catalog(void)
{
    FILE *f = fopen(WOW_SOURCE_DIR "/tests/dash/catalog_fixture.sql", "rb");
    assert_non_null(f);
    static char text[16384];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    struct strbuf one = {0};
    for (char *line = text; line && *line;) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (strncmp(line, "--", 2) != 0) {
            strbuf_append(&one, line, len);
            strbuf_puts(&one, "\n");
            if (len > 0 && line[len - 1] == ';') {
                assert_false(one.failed);
                exec_ok(one.data, NULL, 0);
                strbuf_free(&one);
            }
        }
        line = end ? end + 1 : NULL;
    }
    strbuf_free(&one);
}

/* A kiosks row as the heartbeat writes it. */
static void kiosk(const char *id, const char *mode, const char *department, const char *departments,
                  int64_t version, const char *catalog_error)
{
    static const char sql[] =
        "INSERT INTO kiosks(kiosk_id, site, label, department, timezone, app_version,"
        " incarnation, kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error,"
        " catalog_version, catalog_error, mode, departments)"
        " VALUES ($1, 'HQ', 'Label', $2, 'UTC', '1.0', 'i1', 1, $3, $3, 0, '', $4, $5, $6, $7)";
    struct dashdb_value p[] = {
        DASHDB_TEXT(id),         DASHDB_TEXT(department),    DASHDB_INT(utc_ms(31, 12)),
        DASHDB_INT(version),     DASHDB_TEXT(catalog_error), DASHDB_TEXT(mode),
        DASHDB_TEXT(departments)};
    exec_ok(sql, p, 7);
}

static void tap(const char *kiosk_id, const char *department, int64_t at, int happy)
{
    static const char *const parts[] = {
        "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
        " rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4)"
        " VALUES ($1, 'i1', $2, $3, 1, 0, $4, 0, 0, 0, 0, 0)",
        SCHEMA_TAP_COUNTS_MERGE_PARTS};
    struct strbuf sql = {0};
    strbuf_puts_all(&sql, parts, sizeof parts / sizeof parts[0]);
    assert_false(sql.failed);
    struct dashdb_value p[] = {DASHDB_TEXT(kiosk_id), DASHDB_INT(at), DASHDB_TEXT(department),
                               DASHDB_INT(happy)};
    exec_ok(sql.data, p, 4);
    strbuf_free(&sql);
}

static void reason(const char *department, const char *question, const char *why, int n)
{
    static const char sql[] =
        "INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms, department, question,"
        " reason, ended_by, misuse, n) VALUES ('k-pick', 'i1', $1, $2, $3, $4, 'chosen', 0, "
        "$5)" SCHEMA_REASON_COUNTS_MERGE;
    struct dashdb_value p[] = {DASHDB_INT(utc_ms(10, 9)), DASHDB_TEXT(department),
                               DASHDB_TEXT(question), DASHDB_TEXT(why), DASHDB_INT(n)};
    exec_ok(sql, p, 5);
}

static void refresh(void)
{
    struct rollup_stats stats;
    if (!rollup_refresh(db, 1000, &stats, err, sizeof err))
        fail_msg("rollup_refresh: %s", err);
}

static const struct dash_department_info *find_department(const struct dash_departments *list,
                                                          const char *id)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(list->items[i].id, id))
            return &list->items[i];
    return NULL;
}

static size_t count_of(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static struct page_ctx context(const struct dash_user *u, const struct dash_filter *f,
                               const struct dash_departments *departments)
{
    return (struct page_ctx){.user = u,
                             .filter = f,
                             .departments = departments,
                             .csrf = "c",
                             .now_ms = utc_ms(31, 12),
                             .today = dash_day_from_date(2026, 3, 31),
                             .zone = "UTC"};
}

/* ---- before any catalog: the picker regression -------------------------- */

static void test_picker_departments(void **state)
{
    (void)state;
    kiosk("k-pick", "picker", "", "front, bar", 0, "");
    kiosk("k-one", "single", "front", "", 0, "");
    tap("k-pick", "front", utc_ms(10, 9), 3);
    tap("k-pick", "pool", utc_ms(10, 10), 1); /* known from its taps only */
    refresh();
    struct dash_departments list = {0};
    assert_true(dashq_departments(db, &admin, &list, err, sizeof err));
    assert_null(find_department(&list, ""));
    assert_non_null(find_department(&list, "front"));
    assert_non_null(find_department(&list, "bar")); /* from the picker's list alone */
    assert_non_null(find_department(&list, "pool"));
    assert_int_equal(list.n, 3);

    struct dash_filter f = march();
    struct dash_league league = {0};
    assert_true(dashq_league(db, &admin, &f, &league, err, sizeof err));
    for (size_t i = 0; i < league.n; i++) {
        assert_true(league.rows[i].id[0] != '\0');
        assert_true(league.rows[i].name[0] != '\0');
    }
    struct strbuf page = {0};
    struct page_ctx ctx = context(&admin, &f, &list);
    page_overview(&ctx, &league, &(struct dash_alerts){0}, &page);
    assert_false(page.failed);
    assert_null(strstr(page.data, "\"></option>"));                 /* no blank option */
    assert_int_equal(count_of(page.data, "<option value=\"\""), 2); /* "All ..." twice */
    strbuf_free(&page);

    struct strbuf json = {0};
    struct api_page p = {0, 1000, false};
    api_departments(&list, &p, API_JSON, &json);
    assert_null(strstr(json.data, "\"id\": \"\""));
    assert_non_null(strstr(json.data, "\"id\": \"bar\""));
    strbuf_free(&json);
    dash_league_free(&league);
    dash_departments_free(&list);
}

static void test_department_known(void **state)
{
    (void)state;
    static const char *const known[] = {"front", "bar", "pool"};
    bool found;
    for (size_t i = 0; i < 3; i++) {
        assert_true(org_department_known(db, known[i], &found, err, sizeof err));
        assert_true(found);
    }
    assert_true(org_department_known(db, "nobody", &found, err, sizeof err));
    assert_false(found);
    assert_true(org_department_known(db, "", &found, err, sizeof err));
    assert_false(found);
    assert_true(org_department_known(db, "fro", &found, err, sizeof err)); /* no prefix match */
    assert_false(found);
}

/* (after test_departments_named, which loads the catalog fixture)
 * A head scoped to a node of the group tree sees the departments of every
 * group below it (site > area > department), not only its direct ones. */
static void test_group_tree_scope(void **state)
{
    (void)state;
    exec_ok("INSERT INTO dash_groups(group_id, name, parent_id) VALUES ('site1', 'Site', NULL)",
            NULL, 0);
    exec_ok("UPDATE dash_groups SET parent_id = 'site1' WHERE group_id = 'lobby'", NULL, 0);
    exec_ok("INSERT INTO dash_users(user_name, role, password_hash, created_ms)"
            " VALUES ('tree-head', 'head', 'x', 0)",
            NULL, 0);
    exec_ok("INSERT INTO dash_user_scopes(user_name, kind, scope_id)"
            " VALUES ('tree-head', 'group', 'site1')",
            NULL, 0);
    struct dash_user u = {.role = DASH_ROLE_HEAD};
    bool ok = accounts_head_departments(db, "tree-head", &u, err, sizeof err);
    exec_ok("DELETE FROM dash_users WHERE user_name = 'tree-head'", NULL, 0);
    exec_ok("UPDATE dash_groups SET parent_id = NULL WHERE group_id = 'lobby'", NULL, 0);
    exec_ok("DELETE FROM dash_groups WHERE group_id = 'site1'", NULL, 0);
    if (!ok)
        fail_msg("accounts_head_departments: %s", err);
    assert_int_equal(u.n_departments, 2);
    assert_string_equal(u.departments[0], "bar");
    assert_string_equal(u.departments[1], "front");
    dash_user_free(&u);
}

/* ---- with the catalog: names in the viewer's language ------------------ */

static void test_departments_named(void **state)
{
    (void)state;
    load_catalog();
    struct dash_departments list = {0};
    assert_true(dashq_departments(db, &admin, &list, err, sizeof err));
    const struct dash_department_info *front = find_department(&list, "front");
    const struct dash_department_info *bar = find_department(&list, "bar");
    assert_non_null(front);
    assert_non_null(bar);
    assert_string_equal(front->name, "Front desk");
    assert_string_equal(bar->name, "Lobby bar"); /* the catalog's over the description's */
    assert_string_equal(front->group_name, "Lobby");
    assert_true(dashq_departments(db, &admin_fi, &list, err, sizeof err));
    front = find_department(&list, "front");
    bar = find_department(&list, "bar");
    assert_string_equal(front->name, "Vastaanotto");
    assert_string_equal(bar->name, "Lobby bar"); /* no Finnish name: the first language's */
    assert_string_equal(front->group_name, "Aula");
    dash_departments_free(&list);
}

static void test_league_named(void **state)
{
    (void)state;
    struct dash_filter f = march();
    struct dash_league league = {0};
    assert_true(dashq_league(db, &admin_fi, &f, &league, err, sizeof err));
    bool front = false, group = false;
    for (size_t i = 0; i < league.n; i++) {
        const struct dash_league_row *r = &league.rows[i];
        if (!r->is_group && !strcmp(r->id, "front"))
            front = !strcmp(r->name, "Vastaanotto");
        if (r->is_group && !strcmp(r->id, "lobby"))
            group = !strcmp(r->name, "Aula");
    }
    assert_true(front);
    assert_true(group);
    struct dash_departments list = {0};
    assert_true(dashq_departments(db, &admin_fi, &list, err, sizeof err));
    struct strbuf page = {0};
    struct page_ctx ctx = context(&admin_fi, &f, &list);
    page_overview(&ctx, &league, &(struct dash_alerts){0}, &page);
    assert_non_null(strstr(page.data, ">Vastaanotto</option>"));
    assert_non_null(strstr(page.data, ">Aula</option>"));
    assert_null(strstr(page.data, ">front<"));
    strbuf_free(&page);
    dash_departments_free(&list);
    dash_league_free(&league);
}

static void test_department_page_named(void **state)
{
    (void)state;
    reason("front", "positive", "friendly", 1);
    reason("front", "positive", "fast", 5);
    reason("front", "positive", "mystery", 9); /* not in the catalog */
    reason("front", "negative", "wait", 7);
    reason("front", "negative", "slow", 2);
    refresh();
    struct dash_filter f = march();
    struct dash_department d = {0};
    assert_int_equal(dashq_department(db, &admin, &f, "front", &d, err, sizeof err), DASHQ_OK);
    assert_string_equal(d.name, "Front desk");
    assert_string_equal(d.group_name, "Lobby");
    /* per list, the catalog's order (friendly 0, fast 1; slow 0, wait 1), then the
     * rest by frequency: mystery, the most frequent, comes after fast */
    static const char *const order[] = {"friendly", "fast", "mystery", "slow", "wait"};
    assert_int_equal(d.reasons_n, 5);
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(d.reasons[i].reason, order[i]);
    assert_string_equal(d.reasons[0].label, "Friendly staff");
    assert_string_equal(d.reasons[2].label, "mystery");

    struct dash_departments list = {0};
    assert_true(dashq_departments(db, &admin, &list, err, sizeof err));
    struct strbuf page = {0};
    struct page_ctx ctx = context(&admin, &f, &list);
    page_department(&ctx, &d, &(struct dash_alerts){0}, NULL, &page);
    assert_non_null(strstr(page.data, "<h1>Front desk</h1>"));
    assert_non_null(strstr(page.data, "<title>Front desk"));
    const char *friendly = strstr(page.data, "<td>Friendly staff</td>");
    const char *quick = strstr(page.data, "<td>Quick service</td>");
    assert_non_null(friendly);
    assert_non_null(quick);
    assert_true(friendly < quick);
    assert_non_null(strstr(page.data, "<td>Long wait</td>"));
    assert_null(strstr(page.data, "<td>friendly</td>"));
    assert_non_null(strstr(page.data, ">Lobby</a>"));
    assert_non_null(strstr(page.data, "<td data-label=\"Site\">Head office</td>"));
    strbuf_free(&page);

    assert_int_equal(dashq_department(db, &admin_fi, &f, "front", &d, err, sizeof err), DASHQ_OK);
    assert_string_equal(d.name, "Vastaanotto");
    assert_string_equal(d.reasons[0].label, "Ystävällinen henkilökunta");
    assert_string_equal(d.reasons[1].label, "Quick service");
    assert_string_equal(d.reasons[3].label, "Hidas palvelu");
    dash_department_free(&d);
    dash_departments_free(&list);
}

static void test_api_named(void **state)
{
    (void)state;
    struct dash_filter f = march();
    struct dash_count_rows counts = {0};
    assert_true(dashq_counts(db, &admin_fi, &f, false, false, 0, 100, &counts, err, sizeof err));
    assert_true(counts.n > 0);
    struct strbuf csv = {0}, json = {0};
    struct api_page p = {0, 100, false};
    api_counts(&counts, &p, API_CSV, &csv);
    api_counts(&counts, &p, API_JSON, &json);
    assert_non_null(strstr(csv.data, ",misuse,department_name,audience\r\n"));
    assert_non_null(strstr(csv.data, ",front,"));
    assert_non_null(strstr(csv.data, ",Vastaanotto,customers\r\n"));
    assert_non_null(strstr(json.data, "\"department\": \"front\""));
    assert_non_null(strstr(json.data, "\"department_name\": \"Vastaanotto\""));
    strbuf_free(&csv);
    strbuf_free(&json);
    dash_count_rows_free(&counts);

    struct dash_reason_count_rows reasons = {0};
    assert_true(dashq_reasons(db, &admin, &f, 0, 100, &reasons, err, sizeof err));
    api_reasons(&reasons, &p, API_JSON, &json);
    assert_non_null(strstr(json.data, "\"reason\": \"slow\""));
    assert_non_null(strstr(json.data, "\"reason_label\": \"Slow service\""));
    assert_non_null(strstr(json.data, "\"department_name\": \"Front desk\""));
    strbuf_free(&json);
    dash_reason_count_rows_free(&reasons);

    struct dash_kiosk_rows kiosks = {0};
    assert_true(dashq_kiosks(db, &admin, 0, 100, &kiosks, err, sizeof err));
    api_kiosks(&kiosks, &p, API_JSON, &json);
    assert_non_null(strstr(json.data, "\"departments\": \"front, bar\""));
    assert_non_null(strstr(json.data, "\"department_names\": \"Front desk, Lobby bar\""));
    assert_non_null(strstr(json.data, "\"mode\": \"picker\""));
    assert_non_null(strstr(json.data, "\"site\": \"HQ\""));
    assert_non_null(strstr(json.data, "\"site_name\": \"Head office\""));
    strbuf_free(&json);
    dash_kiosk_rows_free(&kiosks);
}

static void test_alerts_named(void **state)
{
    (void)state;
    exec_ok("INSERT INTO dash_alerts (alert_id, source, kind, department, state, opened_ms, value,"
            " responses, baseline, detail) VALUES"
            " (7, 'slip', 'slip', 'front', 'open', 5000, 0.31, 212, 0.15, 'Negative answers rose')",
            NULL, 0);
    struct dash_filter f = march();
    struct dash_alerts list = {0};
    assert_true(alerts_list(db, &admin, &f, "all", 0, 10, &list, err, sizeof err));
    assert_int_equal(list.n, 1);
    assert_string_equal(list.items[0].department, "front");
    assert_string_equal(list.items[0].department_name, "Front desk");
    assert_true(alerts_list(db, &admin_fi, &f, "all", 0, 10, &list, err, sizeof err));
    assert_string_equal(list.items[0].department_name, "Vastaanotto");
    struct strbuf page = {0};
    struct page_ctx ctx = context(&admin_fi, &f, &(struct dash_departments){0});
    page_alerts(&ctx, &list, "all", 0, 10, &page);
    assert_non_null(strstr(page.data, "Vastaanotto"));
    strbuf_free(&page);
    struct dash_alert one = {0};
    assert_int_equal(alerts_get(db, &admin_fi, 7, &one, err, sizeof err), DASHQ_OK);
    assert_string_equal(one.department_name, "Vastaanotto");
    alerts_alert_free(&one);
    dash_alerts_free(&list);
}

static void test_viewer_language(void **state)
{
    (void)state;
    static const struct {
        const char *choice, *accept, *want;
    } cases[] = {
        {NULL, NULL, ""},
        {NULL, "fi", "fi"},
        {NULL, "fi-FI;q=0.9, en;q=0.8", "fi"},
        {NULL, "en, fi;q=0.5", ""},         /* en is the catalog's first */
        {NULL, "en;q=0.4, fi;q=0.5", "fi"}, /* by q, not by place */
        {NULL, "de, fi;q=0.1", "fi"},       /* de is not in the catalog */
        {NULL, "fi;q=0, en", ""},           /* q=0: not acceptable */
        {NULL, "fi;q=2", ""},               /* malformed q: left out */
        {NULL, "*", ""},
        {"fi", "en", "fi"},
        {"xx", "fi", "fi"},
        {"en", "fi", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char lang[NAMES_LANG_MAX];
        assert_true(org_viewer_language(db, cases[i].choice, cases[i].accept, lang, sizeof lang,
                                        err, sizeof err));
        if (strcmp(lang, cases[i].want) != 0)
            fail_msg("choice %s, Accept-Language %s: got '%s', expected '%s'",
                     cases[i].choice ? cases[i].choice : "(none)",
                     cases[i].accept ? cases[i].accept : "(none)", lang, cases[i].want);
    }
}

/* ---- the fleet page's catalog states ----------------------------------- */

#define HOSTILE_ERROR "<img src=x onerror=alert(1)> [kiosk] mode: expected single or picker"

static void test_fleet_states(void **state)
{
    (void)state;
    exec_ok("UPDATE kiosks SET catalog_version = 2 WHERE kiosk_id = 'k-one'", NULL, 0);
    kiosk("k-old", "single", "bar", "", 1, HOSTILE_ERROR);
    kiosk("k-rogue", "single", "ghost<b>", "", 2, "");
    kiosk("k-evil", "picker", "", "front, <script>, =cmd, ghost", 2, "=HYPERLINK(\"http://x\")");
    struct fleet fleet = {0};
    assert_true(kiosks_read_fleet(db, "", &fleet, err, sizeof err));
    assert_int_equal(fleet.newest_version, 2);
    struct dash_filter f = march();
    struct page_ctx ctx = context(&admin, &f, &(struct dash_departments){0});
    struct strbuf page = {0};
    page_fleet(&ctx, &fleet, 3600 * 1000, 0, 50, false, &page);
    assert_false(page.failed);
    assert_non_null(strstr(page.data, "v2 (newest)"));
    assert_non_null(strstr(page.data, "v1 <strong class=\"behind\">behind: newest v2</strong>"));
    assert_non_null(strstr(page.data, "refused a newer catalog:</strong> <span class=\"refused\">"
                                      "&lt;img src=x onerror=alert(1)&gt; [kiosk] mode"));
    assert_null(strstr(page.data, "<img"));
    assert_non_null(strstr(page.data, "unknown department ghost&lt;b&gt; (kiosk k-rogue)"));
    assert_non_null(strstr(page.data, "picker: Front desk, Lobby bar</td>"));
    assert_non_null(strstr(page.data, "picker: Front desk, <strong class=\"unknown\">unknown "
                                      "department ghost (kiosk k-evil)</strong></td>"));
    assert_null(strstr(page.data, "<script>"));
    assert_null(strstr(page.data, "=cmd"));
    assert_non_null(strstr(page.data, "none yet")); /* k-pick runs no catalog */
    assert_non_null(strstr(page.data, "<td data-label=\"Site\">Head office</td>"));
    assert_null(strstr(page.data, ">HQ<"));
    strbuf_free(&page);
    fleet_free(&fleet);

    /* the API: ids as ids, the hostile texts escaped and formula-guarded */
    struct dash_kiosk_rows kiosks = {0};
    assert_true(dashq_kiosks(db, &admin, 0, 100, &kiosks, err, sizeof err));
    struct strbuf csv = {0}, json = {0};
    struct api_page p = {0, 100, false};
    api_kiosks(&kiosks, &p, API_CSV, &csv);
    api_kiosks(&kiosks, &p, API_JSON, &json);
    assert_non_null(strstr(csv.data, "\"'=HYPERLINK(\"\"http://x\"\")\""));
    assert_non_null(strstr(json.data, "\\u003cimg src=x"));
    assert_null(strstr(json.data, "<img"));
    assert_non_null(strstr(json.data, "\"catalog_version\": 1"));
    strbuf_free(&csv);
    strbuf_free(&json);
    dash_kiosk_rows_free(&kiosks);

    /* a department a kiosk reports and the catalog does not know is no
     * blank row: it keeps its id */
    struct dash_league league = {0};
    assert_true(dashq_league(db, &admin, &f, &league, err, sizeof err));
    for (size_t i = 0; i < league.n; i++)
        assert_true(league.rows[i].id[0] && league.rows[i].name[0]);
    dash_league_free(&league);
}

/* ---- pure parts -------------------------------------------------------- */

static void test_split_ids(void **state)
{
    (void)state;
    char ids[4][DASH_ID_MAX];
    assert_int_equal(names_split_ids(" front , ,bar,a b,<x>,=1,ok.1-2_x", ids, 4), 3);
    assert_string_equal(ids[0], "front");
    assert_string_equal(ids[1], "bar");
    assert_string_equal(ids[2], "ok.1-2_x");
    char many[2][DASH_ID_MAX];
    assert_int_equal(names_split_ids("a,b,c,d", many, 2), 2);
    char long_id[200];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_int_equal(names_split_ids(long_id, ids, 4), 0);
    assert_int_equal(names_split_ids(NULL, ids, 4), 0);
    char first[NAMES_LANG_MAX];
    names_first_language("[screen]\nlanguages = de\n[kiosk]\nid = x\n  languages=sv, en\n", first,
                         sizeof first);
    assert_string_equal(first, "sv");
}

static int setup(void **state)
{
    (void)state;
    const char *pg = getenv("WOW_DASHQ_TARGET");
    struct migrate_report report;
    if (pg && *pg) {
        snprintf(target, sizeof target, "%s", pg);
        PGconn *conn = PQconnectdb(target);
        if (PQstatus(conn) != CONNECTION_OK ||
            migrate_postgres((struct pg_conn *)conn, SCHEMA_VERSION, &report) != 0) {
            fprintf(stderr, "test_names: cannot migrate %s: %s\n", target, PQerrorMessage(conn));
            PQfinish(conn);
            return -1;
        }
        PQfinish(conn);
    } else {
        snprintf(tmp_dir, sizeof tmp_dir, "/tmp/test_names.XXXXXX");
        if (!mkdtemp(tmp_dir))
            return -1;
        snprintf(target, sizeof target, "%s/shared.db", tmp_dir);
        sqlite3 *s = NULL;
        int rc = sqlite3_open_v2(target, &s, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
        if (rc != SQLITE_OK || migrate_sqlite(s, SCHEMA_VERSION, &report) != 0) {
            sqlite3_close(s);
            return -1;
        }
        sqlite3_close(s);
    }
    db = dashdb_open(target, err, sizeof err);
    if (!db) {
        fprintf(stderr, "test_names: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dashdb_close(db);
    if (tmp_dir[0]) {
        char path[300];
        snprintf(path, sizeof path, "%s/shared.db", tmp_dir);
        unlink(path);
        rmdir(tmp_dir);
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_picker_departments), cmocka_unit_test(test_department_known),
        cmocka_unit_test(test_departments_named),  cmocka_unit_test(test_group_tree_scope),
        cmocka_unit_test(test_league_named),       cmocka_unit_test(test_department_page_named),
        cmocka_unit_test(test_api_named),          cmocka_unit_test(test_alerts_named),
        cmocka_unit_test(test_viewer_language),    cmocka_unit_test(test_fleet_states),
        cmocka_unit_test(test_split_ids),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
