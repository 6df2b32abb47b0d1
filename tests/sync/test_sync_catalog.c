/*
 * test_sync_catalog: the catalog's way down through a sync round, on
 * PostgreSQL or a SQLite file (argv[1] "postgres" or "sqlite"): the
 * kiosk's kiosk_catalog row is fetched in the round trip of the heartbeat
 * (an idle round is still one), kept in the store, not fetched again once
 * kept (even refused), and the heartbeat carries the applied version, the
 * error of a refused one, the mode and a picker's departments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sqlite_backend.h"
#include "store.h"
#include "store_catalog.h"
#include "sync.h"
#include "sync_test_util.h"

static bool use_postgres;

struct fixture {
    struct shared_db db;
    char store[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    shared_db_create(&f->db, use_postgres, "synccat");
    snprintf(f->store, sizeof f->store, "%s/kiosk.db", f->db.dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    shared_db_destroy(&f->db);
    free(f);
    return 0;
}

/* One round at now (a minute after the last), its status. */
static struct sync_status round_at(struct sync_engine *e, int64_t *now)
{
    *now += 60 * 1000;
    sync_engine_step(e, *now, T0_UTC_MS + *now);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.state, SYNC_STATE_OK);
    return st;
}

/* The latest catalog the store holds, as the kiosk reads it. */
static struct store_catalog_entry latest(const char *path)
{
    struct store *s;
    struct store_health health;
    assert_int_equal(store_open(&s, path, "k1", T0_UTC_MS, &health), 0);
    struct store_catalog_entry e;
    assert_int_equal(store_catalog_latest(s, false, &e), 0);
    store_close(s);
    return e;
}

static void mark(const char *path, int64_t version, enum store_catalog_state state,
                 const char *error)
{
    struct store *s;
    struct store_health health;
    assert_int_equal(store_open(&s, path, "k1", T0_UTC_MS, &health), 0);
    assert_int_equal(store_catalog_mark(s, version, state, error), 0);
    store_close(s);
}

static void assert_heartbeat(const struct fixture *f, const char *want)
{
    char *row = shared_query(&f->db, "SELECT catalog_version, catalog_error, mode, department,"
                                     " departments FROM kiosks WHERE kiosk_id = 'k1'");
    assert_string_equal(row, want);
    free(row);
}

/* Idle rounds, one round trip each, whether a catalog comes with them or
 * not; the store keeps it; once kept it is not fetched again. */
static void test_fetch_in_the_heartbeat_round_trip(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, "k1", 30, T0_UTC_MS, 60 * 1000, 3);
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    struct sync_engine *e = sync_engine_create(&s, -1);
    int64_t now = 0;
    sync_until_idle(e, &now, 5);
    struct sync_status st = round_at(e, &now);
    assert_int_equal(st.last_round_trips, 1);
    assert_int_equal(st.catalogs_received, 0);
    assert_int_equal(latest(f->store).version, 0);

    shared_exec(&f->db, "INSERT INTO kiosk_catalog VALUES ('k1', 7, '[catalog]\nversion = 7\n'),"
                        " ('k2', 8, 'not yours')");
    st = round_at(e, &now);
    assert_int_equal(st.last_round_trips, 1);
    assert_int_equal(st.last_round_rows, 0);
    assert_int_equal(st.catalogs_received, 1);
    assert_int_equal(st.catalog_latest, 7);
    struct store_catalog_entry c = latest(f->store);
    assert_int_equal(c.version, 7);
    assert_string_equal(c.body, "[catalog]\nversion = 7\n");
    assert_int_equal(c.state, STORE_CATALOG_RECEIVED);
    store_catalog_entry_free(&c);

    /* kept: the next rounds fetch nothing, refused or not */
    st = round_at(e, &now);
    assert_int_equal(st.catalogs_received, 1);
    mark(f->store, 7, STORE_CATALOG_REFUSED, "catalog v7:2: catalog.version: bad");
    st = round_at(e, &now);
    assert_int_equal(st.catalogs_received, 1);
    assert_int_equal(st.last_round_trips, 1);

    /* a new version, with rows waiting: fetched in the push's one round trip */
    shared_exec(&f->db, "UPDATE kiosk_catalog SET version = 9, body = 'nine' WHERE kiosk_id = "
                        "'k1'");
    store_fill(f->store, "k1", 5, T0_UTC_MS + 3600 * 1000, 60 * 1000, 4);
    st = round_at(e, &now);
    assert_true(st.last_round_rows > 0);
    assert_int_equal(st.last_round_trips, 1);
    assert_int_equal(st.catalogs_received, 2);
    c = latest(f->store);
    assert_int_equal(c.version, 9);
    assert_string_equal(c.body, "nine");
    store_catalog_entry_free(&c);
    sync_engine_destroy(e);
    assert_int_equal(shared_total(&f->db), 35);
}

/* The heartbeat's catalog columns: the applied version, the error of a
 * version refused since, the mode, a picker's departments (department
 * '' then), and what sync_engine_set_departments changes. */
static void test_heartbeat_catalog_columns(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, "k1", 10, T0_UTC_MS, 60 * 1000, 5);
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    struct sync_engine *e = sync_engine_create(&s, -1);
    int64_t now = 0;
    sync_until_idle(e, &now, 5);
    assert_heartbeat(f, "0||single|front|\n");

    shared_exec(&f->db, "INSERT INTO kiosk_catalog VALUES ('k1', 4, 'four')");
    round_at(e, &now);
    mark(f->store, 4, STORE_CATALOG_APPLIED, NULL);
    round_at(e, &now);
    assert_heartbeat(f, "4||single|front|\n");

    shared_exec(&f->db, "UPDATE kiosk_catalog SET version = 5, body = '[x' WHERE kiosk_id = 'k1'");
    round_at(e, &now);
    mark(f->store, 5, STORE_CATALOG_REFUSED, "catalog v5:1: x: a section header ends with ]");
    sync_engine_set_departments(e, "", "picker", "front,it,cafe");
    round_at(e, &now);
    assert_heartbeat(f, "4|version 5: catalog v5:1: x: a section header ends with ]|picker||"
                        "front,it,cafe\n");

    shared_exec(&f->db, "UPDATE kiosk_catalog SET version = 6, body = 'six' WHERE kiosk_id = 'k1'");
    round_at(e, &now);
    mark(f->store, 6, STORE_CATALOG_APPLIED, NULL);
    sync_engine_set_departments(e, "it", "single", "");
    round_at(e, &now);
    assert_heartbeat(f, "6||single|it|\n");
    sync_engine_destroy(e);
}

/* The SQLite default: an empty catalog is seeded once (version 1, made
 * by the kiosk, its own rendering), a second kiosk or start seeds
 * nothing, and a PostgreSQL target is never seeded. */
static void test_seed_sqlite_only(void **state)
{
    struct fixture *f = *state;
    char error[512];
    if (use_postgres) {
        assert_int_equal(sqlite_backend_seed_catalog(f->db.target, "k1", "[kiosk]\n",
                                                     "[catalog]\nversion = 1\n", T0_UTC_MS, error,
                                                     sizeof error),
                         -1);
        assert_non_null(strstr(error, "never seeds a PostgreSQL catalog"));
        char *n = shared_query(&f->db, "SELECT count(*) FROM catalog_versions");
        assert_string_equal(n, "0\n");
        free(n);
        return;
    }
    assert_int_equal(sqlite_backend_seed_catalog(f->db.target, "k1", "fleet v1",
                                                 "[catalog]\nversion = 1\n", T0_UTC_MS, error,
                                                 sizeof error),
                     1);
    assert_int_equal(sqlite_backend_seed_catalog(f->db.target, "k2", "fleet by k2", "k2's",
                                                 T0_UTC_MS + 1, error, sizeof error),
                     0);
    char *rows = shared_query(&f->db, "SELECT version, made_ms, made_by, note, body"
                                      " FROM catalog_versions");
    char want[256];
    snprintf(want, sizeof want, "1|%lld|kiosk:k1|seeded from the kiosk's config|fleet v1\n",
             (long long)T0_UTC_MS);
    assert_string_equal(rows, want);
    free(rows);
    rows = shared_query(&f->db, "SELECT kiosk_id, version, body FROM kiosk_catalog");
    assert_string_equal(rows, "k1|1|[catalog]\nversion = 1\n\n");
    free(rows);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "postgres") != 0 && strcmp(argv[1], "sqlite") != 0)) {
        fprintf(stderr, "usage: %s postgres|sqlite\n", argv[0]);
        return 2;
    }
    use_postgres = strcmp(argv[1], "postgres") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fetch_in_the_heartbeat_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_catalog_columns, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seed_sqlite_only, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
