/*
 * test_session: records the store cannot take wait in memory, in order, and
 * arrive when it can (app/kiosk/session.c with a real store), and the
 * final flush at exit stamps what it creates with the real time.
 *
 * The store's directory is blocked by a regular file of the same name, so
 * the store cannot be opened; taps and a follow-up are recorded anyway; the
 * blocking file goes; the session's writer retries, opens the store and
 * writes everything, the follow-up attached to its own tap.  And recording
 * returns at once while another process holds the store's lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "session.h"

static long long query_int(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static struct kiosk_actions tap_action(int rating, int64_t at)
{
    struct kiosk_actions a = {.record_tap = true};
    a.tap.department = 0;
    a.tap.rating = (enum rating)rating;
    a.tap.at_utc_ms = at;
    return a;
}

static void test_records_wait_for_the_store_in_order(void **state)
{
    (void)state;
    char dir[] = "/tmp/wowsession-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char blocker[64], db_path[96];
    snprintf(blocker, sizeof blocker, "%s/data", dir);
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", blocker);
    FILE *f = fopen(blocker, "w"); /* a file where the store's directory must go */
    assert_non_null(f);
    fclose(f);

    static struct config config;
    config_defaults(&config);
    struct session *session = session_create(&config, db_path, 1790000000000LL);
    assert_non_null(session);
    assert_null(session_store_try(session));

    struct kiosk_actions a = tap_action(4, 1790000000000LL);
    session_record(session, &a, 1000, 1000);
    struct kiosk_actions fu = {.record_followup = true};
    fu.followup.positive = true;
    fu.followup.reason = 1; /* config_defaults' second positive reason */
    fu.followup.ended_by = FOLLOWUP_CHOSEN;
    session_record(session, &fu, 1100, 1100);
    a = tap_action(1, 1790000005000LL);
    session_record(session, &a, 1200, 1200);
    assert_int_equal(session_pending(session), 3);

    /* The store cannot open: the records wait, retried with back-off. */
    assert_false(session_wait_idle(session, 600));
    assert_int_equal(session_pending(session), 3);
    struct session_health h;
    session_health(session, &h);
    assert_false(h.store_open);
    assert_int_equal(h.waiting, 3);
    assert_true(h.error[0] != '\0' && h.since_utc_ms > 0);

    assert_int_equal(unlink(blocker), 0); /* the disk is usable again */
    assert_true(session_wait_idle(session, 20000));
    assert_int_equal(session_pending(session), 0);
    assert_int_equal(session_stored(session), 3);
    session_health(session, &h);
    assert_true(h.store_open && h.error[0] == '\0' && h.since_utc_ms == 0);
    session_destroy(session, 1790000008000LL);

    assert_int_equal(query_int(db_path, "SELECT count(*) FROM taps"), 2);
    assert_int_equal(query_int(db_path, "SELECT rating FROM taps WHERE id = 1"), 4);
    assert_int_equal(query_int(db_path, "SELECT rating FROM taps WHERE id = 2"), 1);
    assert_int_equal(query_int(db_path, "SELECT tap_id FROM followups WHERE reason = '"
                                        "fast' AND ended_by = 'chosen'"),
                     1);
    assert_int_equal(query_int(db_path, "SELECT sum(n) FROM counts"), 2);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Regression: the final flush at exit opened the store with the wall time
 * 0, so a store created then was stamped 1970 (created_ms_utc). */
static void test_final_flush_stamps_the_real_time(void **state)
{
    (void)state;
    char dir[] = "/tmp/wowsession-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char blocker[64], db_path[96];
    snprintf(blocker, sizeof blocker, "%s/data", dir);
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", blocker);
    FILE *f = fopen(blocker, "w"); /* the store cannot be opened at start */
    assert_non_null(f);
    fclose(f);

    static struct config config;
    config_defaults(&config);
    struct session *session = session_create(&config, db_path, 1790000000000LL);
    assert_non_null(session);
    struct kiosk_actions a = tap_action(3, 1790000001000LL);
    session_record(session, &a, 1000, 1000);
    assert_int_equal(session_pending(session), 1);
    assert_int_equal(unlink(blocker), 0);
    session_destroy(session, 1790000009000LL); /* exit: the store opens, now or in the flush */

    assert_int_equal(query_int(db_path, "SELECT count(*) FROM taps"), 1);
    /* made by the writer (the real clock) or the final flush (the time given): never 1970 */
    assert_true(query_int(db_path, "SELECT CAST(value AS INTEGER) FROM meta "
                                   "WHERE key = 'created_ms_utc'") >= 1790000000000LL);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The render thread never waits on the disk: with another process holding
 * the store's lock, recording returns at once; the records land once the
 * lock goes. */
static void test_recording_never_waits_on_the_store(void **state)
{
    (void)state;
    char dir[] = "/tmp/wowsession-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db_path[96];
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    static struct config config;
    config_defaults(&config);
    struct session *session = session_create(&config, db_path, 1790000000000LL);
    assert_non_null(session);
    assert_true(session_wait_idle(session, 5000));

    sqlite3 *other;
    assert_int_equal(sqlite3_open(db_path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    int64_t start = mono_ms(), slowest = 0;
    for (int i = 0; i < 5; i++) {
        struct kiosk_actions a = tap_action(i % 4 + 1, 1790000000000LL + i);
        int64_t t0 = mono_ms();
        session_record(session, &a, 1000 + i, 1000 + i);
        if (mono_ms() - t0 > slowest)
            slowest = mono_ms() - t0;
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL); /* the writer meets the lock meanwhile */
    }
    assert_true(slowest < 50); /* the busy wait (STORE_BUSY_MS) is the writer's */
    assert_true(mono_ms() - start < 1000);
    assert_true(session_pending(session) > 0);
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_true(session_wait_idle(session, 40000));
    session_destroy(session, 1790000008000LL);
    assert_int_equal(query_int(db_path, "SELECT count(*) FROM taps"), 5);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    log_init("test_session", LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_wait_for_the_store_in_order),
        cmocka_unit_test(test_final_flush_stamps_the_real_time),
        cmocka_unit_test(test_recording_never_waits_on_the_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
