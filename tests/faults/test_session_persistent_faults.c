/*
 * test_session_persistent_faults: the session (app/kiosk/session.c) on a real store
 * with a fault at every I/O call, one N at a time: the Nth xWrite or
 * xSync fails once (an I/O error, a full disk, a file that reads as
 * damaged: the STORE_ERR_CORRUPT path), or from the Nth call on for a
 * while (the REOPEN_AFTER path), while TAPS taps and their follow-ups are
 * queued.  The writer's retry must land every tap exactly once: the file
 * is read back through a plain connection afterwards.  And recording
 * never waits: session_record returns while the store fails.
 *
 * FAULT_STEPS (environment) caps N; FAULT_EVERY tests every k-th N only
 * for the persistent faults (default 8: each costs a back-off).
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
#include <unistd.h>

#include "config.h"
#include "fault_vfs.h"
#include "log.h"
#include "session.h"

#define TAPS   3
#define NOW_MS 1790000000000LL

static long long query_int(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, "unix"), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s: %s", path, sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static int env_int(const char *name, int fallback)
{
    const char *e = getenv(name);
    long v = e != NULL ? strtol(e, NULL, 10) : 0;
    return v > 0 && v < 10000000 ? (int)v : fallback;
}

/* One run with the fault armed at call nth; false when it never fired. */
static bool run_once(const struct config *config, enum fault_op op, int nth, int err,
                     bool persistent)
{
    char dir[] = "/tmp/wowsfaults-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);

    fault_vfs_arm(op, nth, err, persistent);
    struct session *s = session_create(config, path, NOW_MS);
    assert_non_null(s);
    for (int i = 0; i < TAPS; i++) {
        struct kiosk_actions a = {.record_tap = true};
        a.tap.department = 0;
        a.tap.rating = (enum rating)(1 + i % 4);
        a.tap.at_utc_ms = NOW_MS + i * 1000;
        session_record(s, &a, 1000 + i, NOW_MS + i * 1000);
        struct kiosk_actions fu = {.record_followup = true};
        fu.followup.ended_by = FOLLOWUP_SKIPPED;
        session_record(s, &fu, 1000 + i, NOW_MS + i * 1000);
    }
    if (persistent) {
        /* the disk fails for a while: the writer retries and reopens */
        if (!session_wait_idle(s, 1500) && fault_vfs_fired() > 0) {
            struct session_health h;
            session_health(s, &h);
            assert_true(h.waiting > 0 && h.error[0] != '\0' && h.since_utc_ms > 0);
        }
        fault_vfs_disarm();
    }
    if (!session_wait_idle(s, 60000))
        fail_msg("%s fault #%d (err %d): %d records still wait", fault_op_name(op), nth, err,
                 session_pending(s));
    int fired = fault_vfs_fired();
    session_destroy(s, NOW_MS + 60000);
    fault_vfs_disarm();

    long long taps = query_int(path, "SELECT count(*) FROM taps");
    long long counted = query_int(path, "SELECT coalesce(sum(n), 0) FROM counts");
    long long followups = query_int(path, "SELECT count(*) FROM followups");
    if (taps != TAPS || counted != TAPS || followups != TAPS)
        fail_msg("%s fault #%d (err %d%s): taps %lld, counted %lld, follow-ups %lld; "
                 "expected %d each",
                 fault_op_name(op), nth, err, persistent ? ", persistent" : "", taps, counted,
                 followups, TAPS);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return fired > 0;
}

static void loop_over_n(enum fault_op op, int err, bool persistent)
{
    static struct config config;
    config_defaults(&config);
    /* under ASan (slower: make test runs both builds) every 3rd once-only point */
    int once = getenv("WOW_ASAN") != NULL ? 3 : 1;
    int cap = env_int("FAULT_STEPS", 100000);
    int step = persistent ? env_int("FAULT_EVERY", 8) : env_int("FAULT_EVERY", once);
    int n = 1, runs = 0;
    while (n <= cap && run_once(&config, op, n, err, persistent)) {
        n += step;
        runs++;
    }
    fprintf(stderr, "# session %s err %d%s: %d runs, fault points up to %d\n", fault_op_name(op),
            err, persistent ? " persistent" : "", runs, n - 1);
    assert_true(runs > 0);
}

static void test_write_faults(void **state)
{
    (void)state;
    loop_over_n(FAULT_WRITE, SQLITE_IOERR_WRITE, false);
    loop_over_n(FAULT_WRITE, SQLITE_FULL, true);
}

static void test_sync_faults(void **state)
{
    (void)state;
    loop_over_n(FAULT_SYNC, SQLITE_IOERR_FSYNC, false);
    loop_over_n(FAULT_SYNC, SQLITE_IOERR_FSYNC, true);
}

/* A write that reports the file damaged: the session closes and reopens
 * the store at once (its STORE_ERR_CORRUPT path). */
static void test_corrupt_reopens(void **state)
{
    (void)state;
    loop_over_n(FAULT_WRITE, SQLITE_CORRUPT, false);
}

int main(void)
{
    log_init("test_session_persistent_faults",
             getenv("FAULT_LOG") != NULL ? LOG_DEBUG : (enum log_level)0);
    if (fault_vfs_install() != SQLITE_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_faults),
        cmocka_unit_test(test_sync_faults),
        cmocka_unit_test(test_corrupt_reopens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
