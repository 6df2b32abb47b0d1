/*
 * test_sync_comments: the kiosk's comments through sync rounds into the
 * shared `comments` table, on PostgreSQL as the kiosk's own role (not the
 * owner) or on a SQLite file (argv[1] "postgres" or "sqlite"): every one
 * arrives once with its tap's department, rating and time and its words
 * exactly (quotes, backslashes, braces, commas, line breaks, å ä ö ü ß);
 * a resend (the synced marks lost) doubles and changes nothing; the comment
 * key reaches the kiosk's row; an idle round stays one round trip.
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

#include "store.h"
#include "store_comments.h"
#include "sync.h"
#include "sync_test_util.h"

static bool use_postgres;

struct fixture {
    struct shared_db db;
    char store[128];
    char kiosk[32];
    char target[768]; /* the kiosk role's conninfo, or the SQLite file */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    shared_db_create(&f->db, use_postgres, "synccom");
    snprintf(f->store, sizeof f->store, "%s/kiosk.db", f->db.dir);
    snprintf(f->kiosk, sizeof f->kiosk, "com%d", (int)getpid());
    snprintf(f->target, sizeof f->target, "%s", f->db.target);
    if (use_postgres) {
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE ROLE kiosk_%s LOGIN PASSWORD 'pw' IN ROLE wowkiosk_fleet",
                 f->kiosk);
        shared_exec(&f->db, sql);
        snprintf(f->target, sizeof f->target, "%s user=kiosk_%s password=pw", f->db.admin,
                 f->kiosk);
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (use_postgres) { /* roles are the cluster's: dropped, the database's grants first */
        char sql[128];
        snprintf(sql, sizeof sql, "DROP OWNED BY kiosk_%s; DROP ROLE kiosk_%s", f->kiosk, f->kiosk);
        shared_exec(&f->db, sql);
    }
    shared_db_destroy(&f->db);
    free(f);
    return 0;
}

static const char *const bodies[] = {
    "Jono oli pitkä, mutta henkilökunta ystävällistä.",
    "Quote \" and backslash \\ and {braces}, commas, NULL",
    "Zwei Zeilen:\nGrüße aus Köln – ß ü ö ä å",
};

/* Comments on taps 1, 3 and 5 of the filled store; the store's key as hex. */
static void add_comments(const struct fixture *f, char key_hex[65])
{
    struct store *s;
    struct store_health health;
    assert_int_equal(store_open(&s, f->store, f->kiosk, T0_UTC_MS, &health), 0);
    for (int i = 0; i < 3; i++) {
        struct store_comment c = {
            .lang = i == 2 ? "de" : "fi", .body = bodies[i], .written_ms = T0_UTC_MS + 1000 * i};
        assert_int_equal(store_record_comment(s, 1 + 2 * i, &c), 0);
    }
    unsigned char key[STORE_COMMENT_KEY_BYTES];
    assert_int_equal(store_comment_key(s, key), 0);
    for (int i = 0; i < STORE_COMMENT_KEY_BYTES; i++)
        snprintf(key_hex + 2 * i, 3, "%02x", key[i]);
    store_close(s);
}

static struct sync_engine *engine(const struct fixture *f)
{
    struct sync_settings s;
    test_settings(&s, f->target, f->store, f->kiosk);
    struct sync_engine *e = sync_engine_create(&s, -1);
    assert_non_null(e);
    return e;
}

/* What the shared table holds for the kiosk, as the store wrote it. */
static void assert_shared(const struct fixture *f)
{
    char sql[512], want[2048] = "", incarnation[40];
    store_incarnation_of(f->store, incarnation);
    snprintf(sql, sizeof sql,
             "SELECT count(*), count(DISTINCT tap_id) FROM comments WHERE kiosk_id = '%s'"
             " AND incarnation = '%s' AND source = 'kiosk' AND synced_ms > 0",
             f->kiosk, incarnation);
    char *row = shared_query(&f->db, sql);
    assert_string_equal(row, "3|3\n");
    free(row);
    for (int i = 0; i < 3; i++) {
        snprintf(
            sql, sizeof sql,
            "SELECT body, lang, written_ms FROM comments WHERE kiosk_id = '%s' AND tap_id = %d",
            f->kiosk, 1 + 2 * i);
        row = shared_query(&f->db, sql);
        snprintf(want, sizeof want, "%s|%s|%lld\n", bodies[i], i == 2 ? "de" : "fi",
                 (long long)(T0_UTC_MS + 1000 * i));
        assert_string_equal(row, want);
        free(row);
    }
}

/* The tap's department, rating and time, as the store counted it. */
static void assert_taps_match(const struct fixture *f)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->store, &db), SQLITE_OK);
    for (int i = 0; i < 3; i++) {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT department, rating, at_ms_utc FROM taps"
                                            " WHERE id = ?",
                                            -1, &st, NULL),
                         SQLITE_OK);
        sqlite3_bind_int(st, 1, 1 + 2 * i);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        char sql[256], want[256];
        snprintf(sql, sizeof sql,
                 "SELECT department, rating, tap_ms FROM comments WHERE kiosk_id = '%s'"
                 " AND tap_id = %d",
                 f->kiosk, 1 + 2 * i);
        snprintf(want, sizeof want, "%s|%d|%lld\n", sqlite3_column_text(st, 0),
                 sqlite3_column_int(st, 1), (long long)sqlite3_column_int64(st, 2));
        sqlite3_finalize(st);
        char *row = shared_query(&f->db, sql);
        assert_string_equal(row, want);
        free(row);
    }
    sqlite3_close(db);
}

static void store_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static long long test_comments_waiting(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT count(*) FROM comments WHERE synced = 0", -1, &st, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_comments_once(void **state)
{
    struct fixture *f = *state;
    char key[66], sql[256];
    store_fill(f->store, f->kiosk, 8, T0_UTC_MS, 60 * 1000, 21);
    add_comments(f, key);
    struct sync_engine *e = engine(f);
    int64_t now = 0;
    sync_until_idle(e, &now, 5);
    assert_shared(f);
    assert_taps_match(f);
    assert_int_equal(shared_total(&f->db), 8);
    snprintf(sql, sizeof sql, "SELECT comment_key FROM kiosks WHERE kiosk_id = '%s'", f->kiosk);
    char *row = shared_query(&f->db, sql);
    char want[80];
    snprintf(want, sizeof want, "%s\n", key);
    assert_string_equal(row, want);
    free(row);
    assert_int_equal(test_comments_waiting(f->store), 0);

    /* the synced marks lost (a push whose answer never came): sent again,
       nothing doubles or changes */
    store_exec(f->store, "UPDATE comments SET synced = 0");
    test_exec_reset_synced(f->store);
    now += 3600 * 1000;
    sync_engine_request(e);
    sync_until_idle(e, &now, 5);
    assert_int_equal(test_comments_waiting(f->store), 0);
    assert_shared(f);
    assert_int_equal(shared_total(&f->db), 8);

    /* idle: one round trip, nothing sent */
    now += 3600 * 1000;
    sync_engine_step(e, now, T0_UTC_MS + now);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.state, SYNC_STATE_OK);
    assert_int_equal(st.last_round_trips, 1);
    assert_int_equal(st.last_round_rows, 0);
    sync_engine_destroy(e);
}

/* A comment written after a round goes in the next, alone (no count
 * changed): still once. */
static void test_comment_alone(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, f->kiosk, 6, T0_UTC_MS, 60 * 1000, 22);
    struct sync_engine *e = engine(f);
    int64_t now = 0;
    sync_until_idle(e, &now, 5);
    char key[65];
    add_comments(f, key);
    now += 3600 * 1000;
    sync_engine_request(e);
    sync_until_idle(e, &now, 5);
    assert_shared(f);
    assert_int_equal(test_comments_waiting(f->store), 0);
    sync_engine_destroy(e);
}

/* The database restored from a copy older than the store's pushes (here
 * empty): the counts go again from its cursor, and the comments with
 * them, once each. */
static void test_comments_database_restored(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, f->kiosk, 8, T0_UTC_MS, 60 * 1000, 23);
    char key[66];
    add_comments(f, key);
    struct sync_engine *e = engine(f);
    int64_t now = 0;
    sync_until_idle(e, &now, 5);
    assert_shared(f);
    if (!f->db.postgres) /* SQLite's file keeps comments for good: the restore stands in */
        shared_exec(&f->db, "DROP TRIGGER comments_never_deleted");
    shared_exec(&f->db, "DELETE FROM comments; DELETE FROM tap_counts; DELETE FROM reason_counts;"
                        " DELETE FROM sync_cursors");
    now += 3600 * 1000;
    sync_engine_request(e);
    sync_until_idle(e, &now, 5);
    sync_engine_destroy(e);
    assert_int_equal(test_comments_waiting(f->store), 0);
    assert_shared(f);
    assert_taps_match(f);
    assert_int_equal(shared_total(&f->db), 8);
}

int main(int argc, char **argv)
{
    if (argc != 2 || (strcmp(argv[1], "postgres") != 0 && strcmp(argv[1], "sqlite") != 0)) {
        fprintf(stderr, "usage: %s postgres|sqlite\n", argv[0]);
        return 2;
    }
    use_postgres = strcmp(argv[1], "postgres") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_comments_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comment_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comments_database_restored, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
