/*
 * test_alerts: a user's side of alerts.h against a real database: list
 * (state, department and group filters, paging), get with comments,
 * acknowledge, comment; a head sees only its departments and gets
 * DASHQ_NOT_FOUND for another's alert (exactly as for an id that does not
 * exist), a technician sees none; comment bodies are bounded, checked as
 * UTF-8 and stored verbatim.
 *
 * The database: $WOW_ALERTS_DB (a SQLite file or a PostgreSQL conninfo
 * already migrated; tests/dash/test_alerts.py runs this program against
 * both engines), else a fresh SQLite file migrated here.  The alerts it
 * makes use ids from 1000 and departments acc-*, so other rows in the
 * database do not matter.
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
#include <sqlite3.h>

#include "accounts.h"
#include "alerts.h"
#include "dashdb.h"
#include "migrate.h"
#include "schema.h"

static char target[512];
static struct dashdb *db;

static struct dash_user make_user(const char *name, enum dash_role role, const char *department)
{
    struct dash_user u = {.role = role};
    snprintf(u.name, sizeof u.name, "%s", name);
    if (department) {
        u.departments = calloc(1, sizeof *u.departments);
        assert_non_null(u.departments);
        snprintf(u.departments[0], sizeof u.departments[0], "%s", department);
        u.n_departments = 1;
    }
    return u;
}

static void run(const char *sql)
{
    char err[512];
    if (!dashdb_exec(db, sql, NULL, 0, NULL, NULL, NULL, err, sizeof err))
        fail_msg("%s", err);
}

static int setup(void **state)
{
    (void)state;
    const char *env = getenv("WOW_ALERTS_DB");
    if (env && *env) {
        snprintf(target, sizeof target, "%s", env);
    } else {
        snprintf(target, sizeof target, "/tmp/test_alerts_%d.db", (int)getpid());
        unlink(target);
        sqlite3 *s = NULL;
        struct migrate_report report;
        if (sqlite3_open(target, &s) != SQLITE_OK || migrate_sqlite(s, SCHEMA_VERSION, &report))
            fail_msg("cannot make %s", target);
        sqlite3_close(s);
    }
    char err[512];
    db = dashdb_open(target, err, sizeof err);
    if (!db)
        fail_msg("%s", err);
    run("DELETE FROM dash_alert_comments WHERE alert_id >= 1000");
    run("DELETE FROM dash_user_scopes WHERE user_name LIKE 'acc-%'");
    run("DELETE FROM dash_users WHERE user_name LIKE 'acc-%'");
    run("DELETE FROM dash_alerts WHERE alert_id >= 1000");
    run("DELETE FROM dash_departments WHERE department LIKE 'acc-%'");
    run("DELETE FROM dash_groups WHERE group_id = 'acc-g'");
    run("INSERT INTO dash_groups (group_id, name) VALUES ('acc-g', 'Access group')");
    run("INSERT INTO dash_departments (department, name, group_id)"
        " VALUES ('acc-a', 'Access A', 'acc-g')");
    run("INSERT INTO dash_alerts (alert_id, source, kind, department, state, opened_ms, value,"
        " responses, baseline, detail) VALUES"
        " (1001, 'slip', 'slip', 'acc-a', 'open', 5000, 0.31, 212, 0.15, 'A slipped'),"
        " (1002, 'neg7', 'negative_share', 'acc-b', 'open', 4000, 0.4, 100, NULL, 'B is low'),"
        " (1003, 'neg7', 'negative_share', 'acc-a', 'closed', 3000, 0.3, 90, NULL, 'A was low')");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dashdb_close(db);
    if (!getenv("WOW_ALERTS_DB"))
        unlink(target);
    return 0;
}

/* The ids alerts_list gives u, as "1001,1003". */
static void list_ids(const struct dash_user *u, const char *department, const char *group,
                     const char *state, int64_t offset, int64_t limit, char *out, size_t size,
                     bool *more)
{
    struct dash_filter f = {0};
    snprintf(f.department, sizeof f.department, "%s", department);
    snprintf(f.group, sizeof f.group, "%s", group);
    struct dash_alerts list = {0};
    char err[512];
    if (!alerts_list(db, u, &f, state, offset, limit, &list, err, sizeof err))
        fail_msg("%s", err);
    *out = 0;
    for (size_t i = 0; i < list.n; i++) {
        if (list.items[i].id < 1000)
            continue; /* another test's alert in a shared database */
        size_t len = strlen(out);
        snprintf(out + len, size - len, "%s%lld", len ? "," : "", (long long)list.items[i].id);
    }
    if (more)
        *more = list.more;
    dash_alerts_free(&list);
}

static void test_list_filters_and_paging(void **state)
{
    (void)state;
    struct dash_user admin = make_user("root", DASH_ROLE_ADMIN, NULL);
    char ids[256];
    bool more = false;
    list_ids(&admin, "acc-a", "", "open", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "1001");
    list_ids(&admin, "acc-a", "", "closed", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "1003");
    list_ids(&admin, "acc-a", "", "all", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "1001,1003"); /* newest first */
    assert_false(more);
    list_ids(&admin, "acc-a", "", "all", 0, 1, ids, sizeof ids, &more);
    assert_string_equal(ids, "1001");
    assert_true(more);
    list_ids(&admin, "acc-a", "", "all", 1, 1, ids, sizeof ids, &more);
    assert_string_equal(ids, "1003");
    assert_false(more);
    list_ids(&admin, "", "acc-g", "all", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "1001,1003");

    struct dash_alerts list = {0};
    struct dash_filter f = {0};
    char err[256] = "";
    assert_false(alerts_list(db, &admin, &f, "bogus", 0, 50, &list, err, sizeof err));
    assert_non_null(strstr(err, "open, closed or all"));
    dash_user_free(&admin);
}

static void test_list_scope(void **state)
{
    (void)state;
    struct dash_user head_a = make_user("ann", DASH_ROLE_HEAD, "acc-a");
    struct dash_user head_b = make_user("bob", DASH_ROLE_HEAD, "acc-b");
    struct dash_user tech = make_user("tim", DASH_ROLE_TECHNICIAN, NULL);
    char ids[256];
    bool more = true;
    list_ids(&head_a, "", "", "all", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "1001,1003");
    list_ids(&head_b, "", "", "all", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "1002");
    /* a head asking for another's department gets nothing, not its alerts */
    list_ids(&head_b, "acc-a", "", "all", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "");
    /* paging counts only what the head sees */
    list_ids(&head_a, "", "", "all", 1, 1, ids, sizeof ids, &more);
    assert_string_equal(ids, "1003");
    assert_false(more);
    list_ids(&tech, "", "", "all", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "");
    dash_user_free(&head_a);
    dash_user_free(&head_b);
    dash_user_free(&tech);
}

static void test_get_scope(void **state)
{
    (void)state;
    struct dash_user head_a = make_user("ann", DASH_ROLE_HEAD, "acc-a");
    struct dash_user head_b = make_user("bob", DASH_ROLE_HEAD, "acc-b");
    struct dash_user tech = make_user("tim", DASH_ROLE_TECHNICIAN, NULL);
    struct dash_alert a;
    char err[256];
    assert_int_equal(alerts_get(db, &head_b, 1001, &a, err, sizeof err), DASHQ_NOT_FOUND);
    assert_int_equal(alerts_get(db, &tech, 1001, &a, err, sizeof err), DASHQ_NOT_FOUND);
    assert_int_equal(alerts_get(db, &head_a, 999999, &a, err, sizeof err), DASHQ_NOT_FOUND);
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_int_equal(a.id, 1001);
    assert_string_equal(a.source, "slip");
    assert_string_equal(a.department, "acc-a");
    assert_string_equal(a.department_name, "Access A");
    assert_int_equal(a.state, DASH_ALERT_OPEN);
    assert_int_equal(a.responses, 212);
    assert_true(a.value > 0.3099 && a.value < 0.3101);
    assert_true(a.baseline > 0.1499 && a.baseline < 0.1501);
    assert_string_equal(a.detail, "A slipped");
    alerts_alert_free(&a);
    assert_int_equal(alerts_get(db, &head_b, 1002, &a, err, sizeof err), DASHQ_OK);
    assert_string_equal(a.department_name, "acc-b"); /* undescribed: its id */
    assert_true(a.baseline != a.baseline);           /* NULL: NaN */
    alerts_alert_free(&a);
    dash_user_free(&head_a);
    dash_user_free(&head_b);
    dash_user_free(&tech);
}

static void test_acknowledge(void **state)
{
    (void)state;
    struct dash_user head_a = make_user("ann", DASH_ROLE_HEAD, "acc-a");
    struct dash_user head_b = make_user("bob", DASH_ROLE_HEAD, "acc-b");
    struct dash_alert a;
    char err[256];
    assert_int_equal(alerts_acknowledge(db, &head_b, 1001, 7000, err, sizeof err), DASHQ_NOT_FOUND);
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_int_equal(a.state, DASH_ALERT_OPEN);
    alerts_alert_free(&a);

    assert_int_equal(alerts_acknowledge(db, &head_a, 1001, 7000, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_acknowledge(db, &head_a, 1001, 9000, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_int_equal(a.state, DASH_ALERT_ACKNOWLEDGED);
    assert_int_equal(a.acked_ms, 7000); /* the first press counts */
    assert_string_equal(a.acked_by, "ann");
    alerts_alert_free(&a);
    /* acknowledged is still open work */
    char ids[64];
    bool more;
    list_ids(&head_a, "", "", "open", 0, 50, ids, sizeof ids, &more);
    assert_string_equal(ids, "1001");
    /* a closed alert stays closed */
    assert_int_equal(alerts_acknowledge(db, &head_a, 1003, 7000, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_get(db, &head_a, 1003, &a, err, sizeof err), DASHQ_OK);
    assert_int_equal(a.state, DASH_ALERT_CLOSED);
    alerts_alert_free(&a);
    dash_user_free(&head_a);
    dash_user_free(&head_b);
}

static void test_comment(void **state)
{
    (void)state;
    struct dash_user head_a = make_user("ann", DASH_ROLE_HEAD, "acc-a");
    struct dash_user head_b = make_user("bob", DASH_ROLE_HEAD, "acc-b");
    struct dash_user admin = make_user("root", DASH_ROLE_ADMIN, NULL);
    const char *markup = "<script>alert('x')</script> & \"quoted\" – ok";
    char err[256], body[ALERTS_COMMENT_MAX_BYTES + 2];
    assert_int_equal(alerts_comment(db, &head_b, 1001, "mine", 100, err, sizeof err),
                     DASHQ_NOT_FOUND);
    assert_int_equal(alerts_comment(db, &head_a, 1001, markup, 100, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_comment(db, &admin, 1001, "looking", 200, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_comment(db, &head_a, 1001, "", 300, err, sizeof err), DASHQ_ERROR);
    assert_non_null(strstr(err, "body"));
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = 0; /* 2001 bytes */
    assert_int_equal(alerts_comment(db, &head_a, 1001, body, 300, err, sizeof err), DASHQ_ERROR);
    assert_non_null(strstr(err, "2000"));
    body[ALERTS_COMMENT_MAX_BYTES] = 0; /* exactly 2000 */
    assert_int_equal(alerts_comment(db, &head_a, 1001, body, 300, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_comment(db, &head_a, 1001, "bad \xff byte", 400, err, sizeof err),
                     DASHQ_ERROR);
    assert_int_equal(alerts_comment(db, &head_a, 1001, "\xc0\xaf", 400, err, sizeof err),
                     DASHQ_ERROR); /* overlong "/" */

    struct dash_alert a;
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_int_equal(a.comments_n, 3);
    assert_string_equal(a.comments[0].body, markup); /* verbatim */
    assert_string_equal(a.comments[0].user, "ann");
    assert_int_equal(a.comments[0].at_ms, 100);
    assert_string_equal(a.comments[1].body, "looking");
    assert_string_equal(a.comments[1].user, "root");
    assert_int_equal(strlen(a.comments[2].body), ALERTS_COMMENT_MAX_BYTES);
    alerts_alert_free(&a);
    /* the other head's alert has none of them */
    assert_int_equal(alerts_get(db, &head_b, 1002, &a, err, sizeof err), DASHQ_OK);
    assert_int_equal(a.comments_n, 0);
    alerts_alert_free(&a);
    dash_user_free(&head_a);
    dash_user_free(&head_b);
    dash_user_free(&admin);
}

static void add_user(const char *name, const char *role, const char *department, bool disabled)
{
    char err[256];
    bool added = false;
    struct accounts_scope scope = {"department", department};
    if (!accounts_user_add(db, name, role, false, "x", 1, &scope, department ? 1 : 0, &added, err,
                           sizeof err) ||
        !added)
        fail_msg("cannot add %s: %s", name, err);
    if (disabled) {
        bool found = false;
        int64_t sessions = 0, tokens = 0;
        if (!accounts_user_disable(db, name, &found, &sessions, &tokens, err, sizeof err))
            fail_msg("%s", err);
    }
}

/* Recognise and act: an alert gets an owner who may see it (an admin, or
 * a head of its department, enabled), loses it with "", and a note of what
 * was done, which acknowledges it too (the first acknowledgement stays);
 * what is refused names the field and changes nothing. */
static void test_assign_and_resolve(void **state)
{
    (void)state;
    struct dash_user head_a = make_user("ann", DASH_ROLE_HEAD, "acc-a");
    struct dash_user head_b = make_user("bob", DASH_ROLE_HEAD, "acc-b");
    add_user("acc-head-a", "head", "acc-a", false);
    add_user("acc-head-b", "head", "acc-b", false);
    add_user("acc-gone", "head", "acc-a", true);
    add_user("acc-admin", "admin", NULL, false);
    char err[256];
    struct dash_alert a;
    assert_int_equal(alerts_assign(db, &head_b, 1001, "acc-head-b", 50, err, sizeof err),
                     DASHQ_NOT_FOUND); /* not bob's alert */
    const char *refused[] = {"acc-head-b", "acc-gone", "nobody-at-all"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(alerts_assign(db, &head_a, 1001, refused[i], 50, err, sizeof err),
                         DASHQ_INVALID);
        assert_non_null(strstr(err, "assignee"));
    }
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_string_equal(a.assignee, "");
    alerts_alert_free(&a);
    assert_int_equal(alerts_assign(db, &head_a, 1001, "acc-head-a", 60, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_assign(db, &head_a, 1001, "acc-admin", 70, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_string_equal(a.assignee, "acc-admin");
    assert_string_equal(a.assigned_by, "ann");
    assert_int_equal(a.assigned_ms, 70);
    alerts_alert_free(&a);

    char note[ALERT_RESOLUTION_MAX + 1];
    memset(note, 'n', sizeof note - 1);
    note[sizeof note - 1] = 0;
    const char *bad[] = {"", note, "bad \xff", "a \xe2\x80\xae b"};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(alerts_resolve(db, &head_a, 1001, bad[i], 80, err, sizeof err),
                         DASHQ_INVALID);
        assert_non_null(strstr(err, "note"));
    }
    assert_int_equal(alerts_resolve(db, &head_b, 1001, "mine", 80, err, sizeof err),
                     DASHQ_NOT_FOUND);
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    int64_t acked = a.acked_ms;
    bool was_open = a.state == DASH_ALERT_OPEN;
    alerts_alert_free(&a);
    assert_int_equal(
        alerts_resolve(db, &head_a, 1001, "Second desk opened <b>Mondays</b>", 90, err, sizeof err),
        DASHQ_OK);
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_string_equal(a.resolution, "Second desk opened <b>Mondays</b>"); /* verbatim */
    assert_string_equal(a.resolved_by, "ann");
    assert_int_equal(a.resolved_ms, 90);
    assert_int_equal(a.state, DASH_ALERT_ACKNOWLEDGED);
    assert_int_equal(a.acked_ms, was_open ? 90 : acked); /* an earlier acknowledgement stays */
    alerts_alert_free(&a);
    /* unassigned again */
    assert_int_equal(alerts_assign(db, &head_a, 1001, "", 95, err, sizeof err), DASHQ_OK);
    assert_int_equal(alerts_get(db, &head_a, 1001, &a, err, sizeof err), DASHQ_OK);
    assert_string_equal(a.assignee, "");
    alerts_alert_free(&a);
    dash_user_free(&head_a);
    dash_user_free(&head_b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_filters_and_paging),
        cmocka_unit_test(test_list_scope),
        cmocka_unit_test(test_get_scope),
        cmocka_unit_test(test_acknowledge),
        cmocka_unit_test(test_comment),
        cmocka_unit_test(test_assign_and_resolve),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
