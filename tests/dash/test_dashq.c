/*
 * test_dashq: the rollups' refresh (rollup.h) and the dashboard's queries
 * (dashq.h) on a real database: a migrated SQLite file in a temp dir, or
 * the PostgreSQL database named by WOW_DASHQ_TARGET (an empty one; the
 * driver test_dashq.py makes it in the CTest fixture's cluster).
 *
 * The rows are few and placed by hand around two DST changes (New York
 * 2026-03-08 07:00Z, Helsinki 2026-03-29 01:00Z), a kiosk that changes
 * department mid-day, a kiosk without a kiosks row and one with a zone
 * that does not exist (both UTC), two incarnations of one bucket, misuse,
 * follow-up reasons, a row arriving late and a row that grows.  Every
 * expected number below was worked out by hand from the rows' local times
 * (written next to each row), not by the code under test.
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

#include "dashdb.h"
#include "dashq.h"
#include "dashview.h"
#include "migrate.h"
#include "rollup.h"
#include "schema.h"
#include "strbuf.h"

static char target[4096]; /* the database under test */
static char tmp_dir[256]; /* SQLite: the temp dir holding it */
static struct dashdb *db; /* one connection for every test */
static char err[1024];

static int64_t utc_ms(int y, int mo, int d, int h, int mi)
{
    return ((int64_t)dash_day_from_date(y, mo, d) * 86400 + h * 3600 + mi * 60) * 1000;
}

static int32_t march(int d)
{
    return dash_day_from_date(2026, 3, d);
}

static void exec_ok(const char *sql, const struct dashdb_value *params, int n)
{
    if (!dashdb_exec(db, sql, params, n, NULL, NULL, NULL, err, sizeof err))
        fail_msg("%s: %s", sql, err);
}

/* A tap_counts row: faces r[0..3], misuse m[0..3]; an existing one grows
 * (the kiosks' merge). */
static void tap(const char *kiosk, const char *incarnation, int64_t at, const char *department,
                const int r[4], const int m[4])
{
    static const char *const parts[] = {
        "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms,"
        " department, rating_1, rating_2, rating_3, rating_4, misuse_1,"
        " misuse_2, misuse_3, misuse_4)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        SCHEMA_TAP_COUNTS_MERGE_PARTS};
    struct strbuf sql = {0};
    strbuf_puts_all(&sql, parts, sizeof parts / sizeof parts[0]);
    assert_false(sql.failed);
    struct dashdb_value p[12] = {DASHDB_TEXT(kiosk), DASHDB_TEXT(incarnation), DASHDB_INT(at),
                                 DASHDB_TEXT(department)};
    for (int i = 0; i < 4; i++) {
        p[4 + i] = DASHDB_INT(r[i]);
        p[8 + i] = DASHDB_INT(m[i]);
    }
    exec_ok(sql.data, p, 12);
    strbuf_free(&sql);
}

static void reason(const char *kiosk, int64_t at, const char *department, const char *question,
                   const char *why, const char *ended_by, int misuse, int n)
{
    static const char sql[] =
        "INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms,"
        " department, question, reason, ended_by, misuse, n)"
        " VALUES ($1, 'i1', $2, $3, $4, $5, $6, $7, $8)" SCHEMA_REASON_COUNTS_MERGE;
    struct dashdb_value p[] = {DASHDB_TEXT(kiosk),    DASHDB_INT(at),   DASHDB_TEXT(department),
                               DASHDB_TEXT(question), DASHDB_TEXT(why), DASHDB_TEXT(ended_by),
                               DASHDB_INT(misuse),    DASHDB_INT(n)};
    exec_ok(sql, p, 8);
}

static void kiosk(const char *id, const char *department, const char *zone)
{
    static const char sql[] = "INSERT INTO kiosks(kiosk_id, site, label, department, timezone,"
                              " app_version, incarnation, kiosk_clock_ms, last_seen_ms,"
                              " last_success_ms, backlog, last_error)"
                              " VALUES ($1, 'Site', 'Label', $2, $3, '1.0', 'i1', 1, 2, 3, 0, '')";
    struct dashdb_value p[] = {DASHDB_TEXT(id), DASHDB_TEXT(department), DASHDB_TEXT(zone)};
    exec_ok(sql, p, 3);
}

static void refresh(struct rollup_stats *stats)
{
    if (!rollup_refresh(db, 1000, stats, err, sizeof err))
        fail_msg("rollup_refresh: %s", err);
}

/* Every rollup row as text, in a fixed order, to compare two states. */
static bool dump_row(void *ctx, int ncols, const char *const *v)
{
    struct strbuf *sb = ctx;
    for (int i = 0; i < ncols; i++) {
        strbuf_puts(sb, v[i] ? v[i] : "NULL");
        strbuf_puts(sb, i + 1 < ncols ? "|" : "\n");
    }
    return true;
}

static char *dump_rollups(void)
{
    static const char *const sql[] = {
        "SELECT day, department, kiosk_id, rating_1, rating_2, rating_3, rating_4, misuse_1,"
        " misuse_2, misuse_3, misuse_4 FROM dash_day ORDER BY day, department, kiosk_id",
        "SELECT department, day, hour, kiosk_id, weekday, rating_1, rating_2, rating_3, rating_4,"
        " misuse_1, misuse_2, misuse_3, misuse_4 FROM dash_hour"
        " ORDER BY department, day, hour, kiosk_id",
        "SELECT department, day, kiosk_id, question, reason, ended_by, misuse, n"
        " FROM dash_reason_day ORDER BY department, day, kiosk_id, question, reason, ended_by,"
        " misuse"};
    struct strbuf sb = {0};
    for (size_t i = 0; i < 3; i++) {
        if (!dashdb_exec(db, sql[i], NULL, 0, dump_row, &sb, NULL, err, sizeof err))
            fail_msg("%s: %s", sql[i], err);
        strbuf_puts(&sb, "--\n");
    }
    assert_false(sb.failed);
    return sb.data;
}

static const int Z[4] = {0, 0, 0, 0};

/* The rows of the first sync; their local times by hand. */
static void first_rows(void)
{
    kiosk("hel-1", "front", "Europe/Helsinki");
    kiosk("nyc-1", "lab", "America/New_York"); /* moved from back to lab on 03-08 */
    kiosk("bad-1", "lab", "Mars/Olympus_Mons");
    kiosk("idle-1", "store", "UTC");
    /* Helsinki: +2 until 2026-03-29 01:00Z, +3 after */
    tap("hel-1", "i1", utc_ms(2026, 3, 28, 21, 45), "front", (int[]){0, 0, 0, 2},
        Z); /* 03-28 23:45 */
    tap("hel-1", "i1", utc_ms(2026, 3, 28, 22, 0), "front", (int[]){1, 0, 0, 0},
        Z); /* 03-29 00:00 */
    tap("hel-1", "i1", utc_ms(2026, 3, 29, 0, 45), "front", (int[]){0, 1, 0, 0}, Z); /* 02:45 */
    tap("hel-1", "i1", utc_ms(2026, 3, 29, 1, 0), "front", (int[]){0, 0, 3, 0},
        (int[]){0, 1, 0, 0});                                                       /* 04:00 */
    tap("hel-1", "i2", utc_ms(2026, 3, 29, 1, 0), "front", (int[]){0, 0, 2, 0}, Z); /* 04:00 */
    reason("hel-1", utc_ms(2026, 3, 29, 1, 0), "front", "negative", "slow", "chosen", 0, 2);
    /* New York: -5 until 2026-03-08 07:00Z, -4 after */
    tap("nyc-1", "i1", utc_ms(2026, 3, 8, 4, 30), "back", (int[]){2, 0, 0, 0}, Z); /* 03-07 23:30 */
    tap("nyc-1", "i1", utc_ms(2026, 3, 8, 6, 45), "back", (int[]){0, 0, 0, 1}, Z); /* 03-08 01:45 */
    tap("nyc-1", "i1", utc_ms(2026, 3, 8, 7, 0), "back", (int[]){0, 0, 0, 1}, Z);  /* 03:00 */
    tap("nyc-1", "i1", utc_ms(2026, 3, 8, 18, 0), "lab", (int[]){0, 0, 4, 0}, Z);  /* 14:00 */
    reason("nyc-1", utc_ms(2026, 3, 8, 18, 0), "lab", "positive", "friendly", "chosen", 0, 3);
    reason("nyc-1", utc_ms(2026, 3, 8, 18, 0), "lab", "positive", "friendly", "chosen", 1, 1);
    reason("nyc-1", utc_ms(2026, 3, 8, 18, 15), "lab", "negative", "", "skipped", 0, 1);
    /* no kiosks row, and a zone that does not load: UTC */
    tap("ghost", "i1", utc_ms(2026, 3, 8, 23, 30), "back", (int[]){0, 5, 0, 0}, Z); /* 03-08 23 */
    tap("bad-1", "i1", utc_ms(2026, 3, 9, 0, 15), "lab", (int[]){1, 0, 0, 0}, Z);   /* 03-09 00 */
    /* described departments and a group; lab and store are only seen */
    exec_ok("INSERT INTO dash_groups(group_id, name) VALUES ('ops', 'Operations')", NULL, 0);
    exec_ok("INSERT INTO dash_departments(department, name, group_id) VALUES"
            " ('front', 'Front desk', 'ops'), ('back', 'Back office', 'ops')",
            NULL, 0);
}

/* Rows after the first refresh: one weeks late, one grown. */
static void later_rows(void)
{
    tap("hel-1", "i1", utc_ms(2026, 3, 1, 10, 0), "front", (int[]){0, 0, 0, 7}, Z);   /* 03-01 12 */
    tap("hel-1", "i1", utc_ms(2026, 3, 28, 21, 45), "front", (int[]){0, 0, 0, 4}, Z); /* was 2 */
}

static struct dash_user admin = {.name = "root", .role = DASH_ROLE_ADMIN};
static char head_scope[2][DASH_ID_MAX] = {"back", "front"};
static struct dash_user head = {
    .name = "boss", .role = DASH_ROLE_HEAD, .departments = head_scope, .n_departments = 2};
static struct dash_user technician = {.name = "tech", .role = DASH_ROLE_TECHNICIAN};

static struct dash_filter period(int32_t from, int32_t to)
{
    return (struct dash_filter){.period = DASH_PERIOD_CUSTOM, .from_day = from, .to_day = to};
}

static void assert_counts(const struct dash_counts *c, int64_t a, int64_t b, int64_t x, int64_t d)
{
    if (c->n[0] != a || c->n[1] != b || c->n[2] != x || c->n[3] != d)
        fail_msg("counts {%lld, %lld, %lld, %lld}, expected {%lld, %lld, %lld, %lld}",
                 (long long)c->n[0], (long long)c->n[1], (long long)c->n[2], (long long)c->n[3],
                 (long long)a, (long long)b, (long long)x, (long long)d);
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
            fprintf(stderr, "test_dashq: cannot migrate %s: %s\n", target, PQerrorMessage(conn));
            PQfinish(conn);
            return -1;
        }
        PQfinish(conn);
    } else {
        snprintf(tmp_dir, sizeof tmp_dir, "/tmp/test_dashq.XXXXXX");
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
        fprintf(stderr, "test_dashq: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dashdb_close(db);
    if (tmp_dir[0]) {
        char path[512];
        snprintf(path, sizeof path, "%s/shared.db", tmp_dir);
        unlink(path);
        rmdir(tmp_dir);
    }
    return 0;
}

static char *query_text(const char *sql)
{
    struct strbuf sb = {0};
    if (!dashdb_exec(db, sql, NULL, 0, dump_row, &sb, NULL, err, sizeof err))
        fail_msg("%s: %s", sql, err);
    strbuf_puts(&sb, "");
    assert_false(sb.failed);
    return sb.data;
}

static void expect_query(const char *sql, const char *expected)
{
    char *got = query_text(sql);
    if (strcmp(got, expected))
        fail_msg("%s\ngot:\n%s\nexpected:\n%s", sql, got, expected);
    free(got);
}

/* The rollup rows of the first sync, by local day and hour. */
static void check_first_rollup(void)
{
    char want[1024];
    snprintf(want, sizeof want,
             "%d|23|5|0|0|0|2|0\n" /* 03-28 23:45 */
             "%d|0|6|1|0|0|0|0\n"  /* 03-29 00:00, before the change */
             "%d|2|6|0|1|0|0|0\n"  /* 02:45 */
             "%d|4|6|0|0|5|0|1\n", /* 04:00 after it; two incarnations */
             march(28), march(29), march(29), march(29));
    expect_query("SELECT day, hour, weekday, rating_1, rating_2, rating_3, rating_4, misuse_2"
                 " FROM dash_hour WHERE kiosk_id = 'hel-1' ORDER BY day, hour",
                 want);
    snprintf(want, sizeof want,
             "back|%d|23|5|2|0|0|0\n"
             "back|%d|1|6|0|0|0|1\n"
             "back|%d|3|6|0|0|0|1\n"
             "lab|%d|14|6|0|0|4|0\n",
             march(7), march(8), march(8), march(8));
    expect_query("SELECT department, day, hour, weekday, rating_1, rating_2, rating_3, rating_4"
                 " FROM dash_hour WHERE kiosk_id = 'nyc-1' ORDER BY department, day, hour",
                 want);
    snprintf(want, sizeof want, "back|%d|23|0|5\nlab|%d|0|1|0\n", march(8), march(9));
    expect_query("SELECT department, day, hour, rating_1, rating_2 FROM dash_hour"
                 " WHERE kiosk_id IN ('ghost', 'bad-1') ORDER BY department",
                 want);
    snprintf(want, sizeof want, "%d|back|2|0|0|0\n%d|back|0|0|0|2\n%d|lab|0|0|4|0\n", march(7),
             march(8), march(8));
    expect_query("SELECT day, department, rating_1, rating_2, rating_3, rating_4 FROM dash_day"
                 " WHERE kiosk_id = 'nyc-1' ORDER BY day, department",
                 want);
    snprintf(want, sizeof want,
             "front|%d|negative|slow|chosen|0|2\n"
             "lab|%d|negative||skipped|0|1\n"
             "lab|%d|positive|friendly|chosen|0|3\n"
             "lab|%d|positive|friendly|chosen|1|1\n",
             march(29), march(8), march(8), march(8));
    expect_query("SELECT department, day, question, reason, ended_by, misuse, n"
                 " FROM dash_reason_day ORDER BY department, day, question, misuse",
                 want);
}

static void test_rollup(void **state)
{
    (void)state;
    struct rollup_stats st;
    first_rows();
    refresh(&st);
    assert_int_equal(st.tap_rows, 11);
    assert_int_equal(st.reason_rows, 4);
    assert_int_equal(st.kiosks, 4);
    assert_int_equal(st.days, 6); /* hel-1 and nyc-1 two days each, ghost and bad-1 one */
    check_first_rollup();
    expect_query("SELECT name FROM dash_rollup_state WHERE watermark_ms > 0 ORDER BY name",
                 "reason_counts\ntap_counts\n");
    /* the watermark is the stamping clock before the read: past every row read */
    expect_query("SELECT COUNT(*) FROM tap_counts WHERE synced_ms >"
                 " (SELECT watermark_ms FROM dash_rollup_state WHERE name = 'tap_counts')",
                 "0\n");

    /* again: the same rows (the margin reads them again) */
    char *before = dump_rollups();
    refresh(&st);
    char *again = dump_rollups();
    assert_string_equal(before, again);
    free(before);
    free(again);

    /* a row weeks late and a grown one: only the touched days are redone */
    later_rows();
    refresh(&st);
    assert_int_equal(st.days, 3 + 2 + 1 + 1); /* hel-1: 03-01, 03-28..29, not the days between */
    char want[256];
    snprintf(want, sizeof want, "%d|12|6|7\n%d|23|5|4\n", march(1), march(28));
    expect_query("SELECT day, hour, weekday, rating_4 FROM dash_hour"
                 " WHERE kiosk_id = 'hel-1' AND rating_4 > 0 ORDER BY day",
                 want);

    /* from scratch: the same rows as the refreshes made step by step */
    char *stepwise = dump_rollups();
    exec_ok("DELETE FROM dash_day", NULL, 0);
    exec_ok("DELETE FROM dash_hour", NULL, 0);
    exec_ok("DELETE FROM dash_reason_day", NULL, 0);
    exec_ok("DELETE FROM dash_rollup_state", NULL, 0);
    refresh(&st);
    assert_int_equal(st.tap_rows, 12);
    char *scratch = dump_rollups();
    assert_string_equal(stepwise, scratch);
    free(stepwise);
    free(scratch);
}

/* ---- the queries, on the final rows ------------------------------------
 * front (hel-1): 03-01 12h r4 7; 03-28 23h r4 4; 03-29 0h r1 1, 2h r2 1,
 *                4h r3 5 + misuse r2 1
 * back: nyc-1 03-07 23h r1 2, 03-08 1h r4 1, 3h r4 1; ghost 03-08 23h r2 5
 * lab: nyc-1 03-08 14h r3 4; bad-1 03-09 0h r1 1
 * store: no taps (idle-1 is there)                                        */

static void test_departments(void **state)
{
    (void)state;
    struct dash_departments list = {0};
    assert_true(dashq_departments(db, &admin, &list, err, sizeof err));
    assert_int_equal(list.n, 4); /* by name: "Back office" "Front desk" "lab" "store" */
    const char *ids[] = {"back", "front", "lab", "store"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(list.items[i].id, ids[i]);
    assert_string_equal(list.items[0].name, "Back office");
    assert_string_equal(list.items[0].group, "ops");
    assert_string_equal(list.items[0].group_name, "Operations");
    assert_string_equal(list.items[2].name, "lab");
    assert_string_equal(list.items[2].group, "");
    assert_true(dashq_departments(db, &head, &list, err, sizeof err));
    assert_int_equal(list.n, 2);
    assert_string_equal(list.items[1].id, "front");
    assert_true(dashq_departments(db, &technician, &list, err, sizeof err));
    assert_int_equal(list.n, 0);
    dash_departments_free(&list);
}

static const struct dash_league_row *league_row(const struct dash_league *l, const char *id,
                                                bool group)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->rows[i].id, id) && l->rows[i].is_group == group)
            return &l->rows[i];
    return NULL;
}

static void test_league(void **state)
{
    (void)state;
    struct dash_league l = {0};
    struct dash_filter f = period(march(8), march(15)); /* previous: 03-01 .. 03-07 */
    assert_true(dashq_league(db, &admin, &f, &l, err, sizeof err));
    assert_int_equal(l.n, 5); /* four departments and ops */
    const struct dash_league_row *r = league_row(&l, "back", false);
    assert_non_null(r);
    assert_string_equal(r->group, "ops");
    assert_counts(&r->now, 0, 5, 0, 2);
    assert_counts(&r->prev, 2, 0, 0, 0);
    assert_counts(&r->daily[0], 0, 5, 0, 2);
    assert_counts(&r->daily[1], 0, 0, 0, 0);
    r = league_row(&l, "front", false);
    assert_counts(&r->now, 0, 0, 0, 0);
    assert_counts(&r->prev, 0, 0, 0, 7);
    r = league_row(&l, "lab", false);
    assert_counts(&r->now, 1, 0, 4, 0);
    assert_counts(&r->daily[1], 1, 0, 0, 0);
    assert_non_null(league_row(&l, "store", false));
    r = league_row(&l, "ops", true);
    assert_non_null(r);
    assert_string_equal(r->name, "Operations");
    assert_counts(&r->now, 0, 5, 0, 2);
    assert_counts(&r->prev, 2, 0, 0, 7);

    /* March, misuse in: front's 03-29 misuse adds to face 2 */
    f = period(march(1), march(31));
    f.include_misuse = true;
    assert_true(dashq_league(db, &admin, &f, &l, err, sizeof err));
    assert_counts(&league_row(&l, "front", false)->now, 1, 2, 5, 11);
    f.include_misuse = false;
    assert_true(dashq_league(db, &admin, &f, &l, err, sizeof err));
    assert_counts(&league_row(&l, "front", false)->now, 1, 1, 5, 11);
    assert_counts(&league_row(&l, "ops", true)->now, 3, 6, 5, 13);

    /* a head: its departments and their group only, whatever the filter */
    assert_true(dashq_league(db, &head, &f, &l, err, sizeof err));
    assert_int_equal(l.n, 3);
    assert_null(league_row(&l, "lab", false));
    snprintf(f.department, sizeof f.department, "lab");
    assert_true(dashq_league(db, &head, &f, &l, err, sizeof err));
    assert_int_equal(l.n, 0);
    f.department[0] = '\0';
    snprintf(f.group, sizeof f.group, "ops");
    assert_true(dashq_league(db, &admin, &f, &l, err, sizeof err));
    assert_int_equal(l.n, 3); /* back, front, ops */
    assert_true(dashq_league(db, &technician, &f, &l, err, sizeof err));
    assert_int_equal(l.n, 0);
    dash_league_free(&l);
}

static void test_department(void **state)
{
    (void)state;
    struct dash_department d = {0};
    struct dash_filter f = period(march(28), march(30)); /* two days: hourly */
    assert_int_equal(dashq_department(db, &admin, &f, "front", &d, err, sizeof err), DASHQ_OK);
    assert_string_equal(d.name, "Front desk");
    assert_true(d.hourly);
    assert_int_equal(d.trend_n, 48);
    assert_counts(&d.total, 1, 1, 5, 4);
    assert_counts(&d.prev, 0, 0, 0, 0);
    assert_int_equal(d.trend[23].day, march(28));
    assert_int_equal(d.trend[23].hour, 23);
    assert_counts(&d.trend[23].c, 0, 0, 0, 4);
    assert_counts(&d.trend[24].c, 1, 0, 0, 0);
    assert_counts(&d.trend[26].c, 0, 1, 0, 0);
    assert_counts(&d.trend[28].c, 0, 0, 5, 0);
    assert_counts(&d.heat[5][23], 0, 0, 0, 4); /* Saturday */
    assert_counts(&d.heat[6][4], 0, 0, 5, 0);  /* Sunday */
    assert_int_equal(d.reasons_n, 1);
    assert_string_equal(d.reasons[0].reason, "slow");
    assert_int_equal(d.reasons[0].n, 2);
    assert_int_equal(d.kiosks_n, 1);
    assert_string_equal(d.kiosks[0].kiosk_id, "hel-1");
    assert_string_equal(d.kiosks[0].site, "Site");
    assert_counts(&d.kiosks[0].c, 1, 1, 5, 4);

    /* March per day; nyc-1 is in lab now and counted in back before */
    f = period(march(1), march(31));
    assert_int_equal(dashq_department(db, &admin, &f, "lab", &d, err, sizeof err), DASHQ_OK);
    assert_false(d.hourly);
    assert_int_equal(d.trend_n, 30);
    assert_int_equal(d.trend[7].day, march(8));
    assert_int_equal(d.trend[7].hour, -1);
    assert_counts(&d.trend[7].c, 0, 0, 4, 0);
    assert_counts(&d.trend[8].c, 1, 0, 0, 0);
    assert_int_equal(d.reasons_n, 2); /* most frequent first */
    assert_string_equal(d.reasons[0].reason, "friendly");
    assert_int_equal(d.reasons[0].n, 3);
    assert_string_equal(d.reasons[1].ended_by, "skipped");
    assert_int_equal(d.kiosks_n, 2);
    assert_string_equal(d.kiosks[0].kiosk_id, "bad-1");
    assert_string_equal(d.kiosks[1].kiosk_id, "nyc-1");
    assert_counts(&d.kiosks[1].c, 0, 0, 4, 0);
    f.include_misuse = true;
    assert_int_equal(dashq_department(db, &admin, &f, "lab", &d, err, sizeof err), DASHQ_OK);
    assert_int_equal(d.reasons[0].n, 4);
    f.include_misuse = false;
    assert_int_equal(dashq_department(db, &admin, &f, "back", &d, err, sizeof err), DASHQ_OK);
    assert_int_equal(d.kiosks_n, 2); /* ghost has no kiosks row; nyc-1 has moved on */
    assert_string_equal(d.kiosks[0].kiosk_id, "ghost");
    assert_string_equal(d.kiosks[0].site, "");
    assert_counts(&d.kiosks[0].c, 0, 5, 0, 0);
    assert_string_equal(d.kiosks[1].department, "lab");
    assert_counts(&d.kiosks[1].c, 2, 0, 0, 2);
    assert_int_equal(dashq_department(db, &admin, &f, "store", &d, err, sizeof err), DASHQ_OK);
    assert_int_equal(d.kiosks_n, 1); /* idle-1: there now, no taps */

    assert_int_equal(dashq_department(db, &head, &f, "lab", &d, err, sizeof err), DASHQ_NOT_FOUND);
    assert_int_equal(dashq_department(db, &technician, &f, "front", &d, err, sizeof err),
                     DASHQ_NOT_FOUND);
    assert_int_equal(dashq_department(db, &admin, &f, "nope", &d, err, sizeof err),
                     DASHQ_NOT_FOUND);
    dash_department_free(&d);
}

static void test_counts(void **state)
{
    (void)state;
    struct dash_count_rows rows = {0};
    struct dash_filter f = period(march(1), march(31));
    /* days and departments: 7 rows, read in pages of 3 */
    static const int days[] = {1, 7, 8, 8, 9, 28, 29};
    static const char *const departments[] = {"front", "back",  "back", "lab",
                                              "lab",   "front", "front"};
    for (int64_t offset = 0; offset < 9; offset += 3) {
        assert_true(dashq_counts(db, &admin, &f, false, false, offset, 3, &rows, err, sizeof err));
        assert_int_equal(rows.n, offset < 6 ? 3 : 1);
        assert_int_equal(rows.more, offset < 6);
        for (size_t i = 0; i < rows.n; i++) {
            assert_int_equal(rows.items[i].day, march(days[offset + (int64_t)i]));
            assert_int_equal(rows.items[i].hour, -1);
            assert_string_equal(rows.items[i].department, departments[offset + (int64_t)i]);
            assert_string_equal(rows.items[i].kiosk_id, "");
        }
    }
    assert_true(dashq_counts(db, &admin, &f, false, false, 0, 7, &rows, err, sizeof err));
    assert_false(rows.more);
    assert_counts(&rows.items[2].c, 0, 5, 0, 2);
    assert_counts(&rows.items[6].c, 1, 1, 5, 0);
    assert_counts(&rows.items[6].misuse, 0, 1, 0, 0);
    f.include_misuse = true;
    assert_true(dashq_counts(db, &admin, &f, false, false, 0, 7, &rows, err, sizeof err));
    assert_counts(&rows.items[6].c, 1, 2, 5, 0);
    assert_counts(&rows.items[6].misuse, 0, 1, 0, 0);
    f.include_misuse = false;

    /* a head: back and front only, lab never, even asked for */
    assert_true(dashq_counts(db, &head, &f, false, false, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 5);
    for (size_t i = 0; i < rows.n; i++)
        assert_string_not_equal(rows.items[i].department, "lab");
    snprintf(f.department, sizeof f.department, "lab");
    assert_true(dashq_counts(db, &head, &f, false, false, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 0);
    assert_true(dashq_counts(db, &technician, &f, false, false, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 0);

    /* per hour and kiosk on 03-08, local hours */
    f = period(march(8), march(9));
    assert_true(dashq_counts(db, &admin, &f, true, true, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 4);
    static const int hours[] = {1, 3, 14, 23};
    static const char *const kiosks[] = {"nyc-1", "nyc-1", "nyc-1", "ghost"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(rows.items[i].hour, hours[i]);
        assert_string_equal(rows.items[i].kiosk_id, kiosks[i]);
    }
    assert_counts(&rows.items[3].c, 0, 5, 0, 0);
    snprintf(f.department, sizeof f.department, "back");
    assert_true(dashq_counts(db, &head, &f, true, false, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 3);
    assert_false(dashq_counts(db, &admin, &f, true, false, -1, 100, &rows, err, sizeof err));
    dash_count_rows_free(&rows);
}

static void test_reasons(void **state)
{
    (void)state;
    struct dash_reason_count_rows rows = {0};
    struct dash_filter f = period(march(1), march(31));
    assert_true(dashq_reasons(db, &admin, &f, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 3);
    assert_false(rows.more);
    assert_int_equal(rows.items[0].day, march(8));
    assert_string_equal(rows.items[0].department, "lab");
    assert_string_equal(rows.items[0].r.question, "negative");
    assert_string_equal(rows.items[0].r.ended_by, "skipped");
    assert_int_equal(rows.items[1].r.n, 3);
    assert_string_equal(rows.items[2].r.reason, "slow");
    assert_int_equal(rows.items[2].day, march(29));
    f.include_misuse = true;
    assert_true(dashq_reasons(db, &admin, &f, 1, 2, &rows, err, sizeof err));
    assert_int_equal(rows.n, 2);
    assert_true(rows.more);
    assert_false(rows.items[0].misuse);
    assert_true(rows.items[1].misuse);
    assert_int_equal(rows.items[1].r.n, 1);
    assert_true(dashq_reasons(db, &head, &f, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.items[0].department, "front");
    dash_reason_count_rows_free(&rows);
}

static void test_kiosks(void **state)
{
    (void)state;
    struct dash_kiosk_rows rows = {0};
    assert_true(dashq_kiosks(db, &admin, 0, 2, &rows, err, sizeof err));
    assert_int_equal(rows.n, 2);
    assert_true(rows.more);
    assert_string_equal(rows.items[0].kiosk_id, "bad-1");
    assert_string_equal(rows.items[1].kiosk_id, "hel-1");
    assert_int_equal(rows.items[1].last_seen_ms, 2);
    assert_int_equal(rows.items[1].last_success_ms, 3);
    assert_true(dashq_kiosks(db, &admin, 2, 2, &rows, err, sizeof err));
    assert_int_equal(rows.n, 2);
    assert_false(rows.more);
    assert_string_equal(rows.items[1].kiosk_id, "nyc-1");
    assert_true(dashq_kiosks(db, &technician, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 4);
    assert_true(dashq_kiosks(db, &head, 0, 100, &rows, err, sizeof err));
    assert_int_equal(rows.n, 1);
    assert_string_equal(rows.items[0].kiosk_id, "hel-1");
    dash_kiosk_rows_free(&rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollup), cmocka_unit_test(test_departments),
        cmocka_unit_test(test_league), cmocka_unit_test(test_department),
        cmocka_unit_test(test_counts), cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_kiosks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
