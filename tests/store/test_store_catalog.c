/*
 * test_store_catalog: the received catalogs in the store (store_catalog.h):
 * put on the sync's connection, the latest and the latest applied on the
 * kiosk's, marks, the heartbeat's report (applied version, the error of a
 * version refused after it), arrival order over version order, and what a
 * hostile server cannot make the store keep.  Real SQLite files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_catalog.h"
#include "store_changes.h"
#include "store_test_util.h"

struct sync_side {
    struct store_changes *changes;
    char error[512];
};

static void sync_open(const struct test_dir *t, struct sync_side *side)
{
    assert_int_equal(
        store_changes_open(&side->changes, t->db_path, side->error, sizeof side->error), 0);
}

static void put(struct sync_side *side, int64_t version, const char *body)
{
    assert_int_equal(store_catalog_put(side->changes, version, body, TEST_NOW_MS + version, NULL),
                     0);
}

static struct store_catalog_report report(struct sync_side *side)
{
    struct store_catalog_report r;
    assert_int_equal(store_catalog_report(side->changes, &r), 0);
    return r;
}

/* Nothing received: version 0 everywhere, no error. */
static void test_empty(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct sync_side side;
    sync_open(t, &side);
    struct store_catalog_report r = report(&side);
    assert_int_equal(r.latest, 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.refused, 0);
    assert_string_equal(r.error, "");
    struct store_catalog_entry e;
    assert_int_equal(store_catalog_latest(s, false, &e), 0);
    assert_int_equal(e.version, 0);
    assert_null(e.body);
    store_changes_close(side.changes);
    store_close(s);
}

/* Received, then applied: the kiosk reads it back whole; the report
 * names it applied; a later refused one carries its error; a still later
 * applied one clears the error. */
static void test_received_applied_refused(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct sync_side side;
    sync_open(t, &side);

    put(&side, 7, "[catalog]\nversion = 7\n");
    struct store_catalog_entry e;
    assert_int_equal(store_catalog_latest(s, false, &e), 0);
    assert_int_equal(e.version, 7);
    assert_string_equal(e.body, "[catalog]\nversion = 7\n");
    assert_int_equal(e.state, STORE_CATALOG_RECEIVED);
    assert_int_equal(e.received_ms, TEST_NOW_MS + 7);
    store_catalog_entry_free(&e);
    assert_int_equal(store_catalog_latest(s, true, &e), 0);
    assert_int_equal(e.version, 0); /* nothing applied yet */
    assert_int_equal(report(&side).latest, 7);

    assert_int_equal(store_catalog_mark(s, 7, STORE_CATALOG_APPLIED, NULL), 0);
    assert_int_equal(store_catalog_latest(s, true, &e), 0);
    assert_int_equal(e.version, 7);
    assert_int_equal(e.state, STORE_CATALOG_APPLIED);
    store_catalog_entry_free(&e);

    put(&side, 8, "[bad\n");
    assert_int_equal(
        store_catalog_mark(s, 8, STORE_CATALOG_REFUSED, "catalog v8:1: [bad: ']' expected"), 0);
    struct store_catalog_report r = report(&side);
    assert_int_equal(r.latest, 8);
    assert_int_equal(r.applied, 7);
    assert_int_equal(r.refused, 8);
    assert_string_equal(r.error, "catalog v8:1: [bad: ']' expected");
    /* the start-up layer is still the last good one */
    assert_int_equal(store_catalog_latest(s, true, &e), 0);
    assert_int_equal(e.version, 7);
    store_catalog_entry_free(&e);

    put(&side, 9, "[catalog]\nversion = 9\n");
    assert_int_equal(store_catalog_mark(s, 9, STORE_CATALOG_APPLIED, NULL), 0);
    r = report(&side);
    assert_int_equal(r.applied, 9);
    assert_int_equal(r.refused, 0);
    assert_string_equal(r.error, "");
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM catalogs"), 3);
    store_changes_close(side.changes);
    store_close(s);
}

/* The latest is the one that came last, even with a lower number (a
 * database restored from a backup); put again, a version is checked anew. */
static void test_arrival_order(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct sync_side side;
    sync_open(t, &side);
    put(&side, 5, "five");
    assert_int_equal(store_catalog_mark(s, 5, STORE_CATALOG_APPLIED, NULL), 0);
    put(&side, 6, "six");
    assert_int_equal(store_catalog_mark(s, 6, STORE_CATALOG_APPLIED, NULL), 0);
    put(&side, 5, "five again");
    assert_int_equal(report(&side).latest, 5);
    struct store_catalog_entry e;
    assert_int_equal(store_catalog_latest(s, false, &e), 0);
    assert_int_equal(e.version, 5);
    assert_string_equal(e.body, "five again");
    assert_int_equal(e.state, STORE_CATALOG_RECEIVED);
    store_catalog_entry_free(&e);
    assert_int_equal(store_catalog_latest(s, true, &e), 0);
    assert_int_equal(e.version, 6); /* 5 is not applied again until checked */
    store_catalog_entry_free(&e);
    store_changes_close(side.changes);
    store_close(s);
}

/* What a hostile or broken server sends: a version 0 or below, a body
 * over the limit (kept refused, bodiless, so it is not fetched again),
 * and marks the kiosk cannot make. */
static void test_hostile(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct sync_side side;
    sync_open(t, &side);
    assert_int_equal(store_catalog_put(side.changes, 0, "x", TEST_NOW_MS, NULL), -1);
    assert_non_null(strstr(side.error, "version 0 not kept"));
    assert_int_equal(store_catalog_put(side.changes, -3, "x", TEST_NOW_MS, NULL), -1);
    size_t big = STORE_CATALOG_BODY_MAX + 1;
    char *body = malloc(big + 1);
    assert_non_null(body);
    memset(body, 'a', big);
    body[big] = '\0';
    assert_int_equal(store_catalog_put(side.changes, 4, body, TEST_NOW_MS, NULL), -1);
    free(body);
    assert_int_equal(store_catalog_put(side.changes, 4, "", TEST_NOW_MS, "version 4: too large"),
                     0);
    struct store_catalog_report r = report(&side);
    assert_int_equal(r.latest, 4);
    assert_int_equal(r.refused, 4);
    assert_string_equal(r.error, "version 4: too large");
    assert_int_equal(store_catalog_mark(s, 99, STORE_CATALOG_APPLIED, NULL), STORE_ERR_REFUSED);
    assert_int_equal(store_catalog_mark(s, 4, STORE_CATALOG_REFUSED, ""), STORE_ERR_REFUSED);
    assert_int_equal(store_catalog_mark(s, 4, STORE_CATALOG_APPLIED, "why"), STORE_ERR_REFUSED);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM catalogs"), 1);
    store_changes_close(side.changes);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_received_applied_refused, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_arrival_order, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_hostile, test_dir_setup, test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
