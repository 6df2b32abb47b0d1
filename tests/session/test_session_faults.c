/*
 * test_session_faults: the tap flow through every failure point of the
 * store's I/O, as SQLite's own tests loop over N.
 *
 * The fault VFS (tests/faults/fault_vfs.h) makes exactly the Nth write, sync
 * or open (counted over every file the store opens: the database, its
 * write-ahead log and shared memory) fail with an I/O error or "disk
 * full", or the Nth lock answer "busy" (another process has the file), or
 * the Nth read of the database come back scrambled (a damaged card: the
 * session's corrupt path, which reopens the store and moves a damaged one
 * aside; the taps it held are counted there).  For N = 1, 2, ... a session
 * records taps and follow-ups; each recording must return at once (the customer's screen never
 * waits), the session retries and reopens the store as it must, and once the fault has fired and
 * passed every acknowledged tap is in the store exactly once, each follow-up on its own tap, and
 * the counts equal the taps.  The loop ends at the first N past the last I/O operation the flow
 * makes, so every point is covered whatever SQLite's version does.
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

#include "clock.h"
#include "config.h"
#include "log.h"
#include "fault_vfs.h"
#include "session.h"

#define TAPS 4

/* The fault VFS's kind and error for each of the loop's errors: an I/O
 * error or disk full at the Nth open, write or sync (over every file the
 * store opens), busy at the Nth lock, a scrambled Nth read of the
 * database (corrupt). */
static enum fault_op op_of(int error)
{
    return error == SQLITE_BUSY ? FAULT_ANY_LOCK : error == SQLITE_CORRUPT ? FAULT_READ : FAULT_IO;
}

static long long query_int(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, "unix"), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* One run with the target-th operation failing; false when no fault
 * fired (target is past the flow's last operation).  *moved_aside counts
 * the runs that left a store moved aside as damaged. */
static bool run_once(int target, int error, const struct config *config, int *moved_aside)
{
    char dir[] = "/tmp/wowfaults-XXXXXX", db_path[96];
    assert_non_null(mkdtemp(dir));
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    fault_vfs_arm(op_of(error), target, error, false);
    int64_t t0 = 1790000000000LL;
    struct session *session = session_create(config, db_path, t0);
    assert_non_null(session);
    for (int i = 0; i < TAPS; i++) {
        int64_t before = clock_real().mono_ms;
        struct kiosk_actions a = {.record_tap = true};
        a.tap.department = 0;
        a.tap.rating = (enum rating)(1 + i % 4);
        a.tap.at_utc_ms = t0 + i * 1000;
        session_record(session, &a, before, t0 + i * 1000);
        struct kiosk_actions fu = {.record_followup = true};
        fu.followup.positive = i % 4 >= 2;
        fu.followup.reason = -1;
        fu.followup.ended_by = FOLLOWUP_SKIPPED;
        session_record(session, &fu, before, t0 + i * 1000 + 1);
        /* the customer's screen never waits on the disk */
        assert_true(clock_real().mono_ms - before < 200);
    }
    bool idle = session_wait_idle(session, 20000);
    session_destroy(session, t0 + 60000);
    fault_vfs_disarm();
    bool fired = fault_vfs_fired() > 0;
    if (!idle)
        fail_msg("fault %d at operation %d: the session never caught up", error, target);
    /* exactly once: the taps, their counts, each follow-up on its own tap; a store
     * the corrupt path moved aside (PATH.corrupt-*) keeps the taps it had */
    long long taps = 0, counted = 0, followups = 0, paired = 0, by_rating[5] = {0};
    char pattern[128];
    snprintf(pattern, sizeof pattern, "%s.corrupt-", db_path);
    const char *files[8] = {db_path};
    int n_files = 1;
    char aside[4][128];
    FILE *ls = NULL;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "ls %s* 2>/dev/null | grep -v -e '-wal$' -e '-shm$'", pattern);
    if ((ls = popen(cmd, "r")) != NULL) {
        while (n_files < 5 && fgets(aside[n_files - 1], sizeof aside[0], ls) != NULL) {
            aside[n_files - 1][strcspn(aside[n_files - 1], "\n")] = '\0';
            files[n_files] = aside[n_files - 1];
            n_files++;
        }
        pclose(ls);
    }
    *moved_aside += n_files > 1;
    for (int i = 0; i < n_files; i++) {
        if (query_int(files[i], "SELECT count(*) FROM sqlite_master WHERE name = 'taps'") == 0)
            continue; /* moved aside before it had tables */
        taps += query_int(files[i], "SELECT count(*) FROM taps");
        counted += query_int(files[i], "SELECT coalesce(sum(n), 0) FROM counts");
        followups += query_int(files[i], "SELECT count(*) FROM followups");
        paired += query_int(files[i], "SELECT count(*) FROM followups f JOIN taps t ON"
                                      " t.id = f.tap_id WHERE (t.rating >= 3) ="
                                      " (f.question = 'positive')");
        for (int r = 1; r <= 4; r++) {
            char sql[96];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM taps WHERE rating = %d", r);
            by_rating[r] += query_int(files[i], sql);
        }
    }
    if (taps != TAPS || counted != TAPS || followups != TAPS || paired != TAPS)
        fail_msg("fault %d at operation %d: %lld taps, %lld counted, %lld follow-ups (%lld on "
                 "their own tap) in %d files, expected %d",
                 error, target, taps, counted, followups, paired, n_files, TAPS);
    for (int r = 1; r <= 4; r++)
        assert_int_equal(by_rating[r], TAPS / 4);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return fired;
}

static void test_every_failure_point(void **state)
{
    (void)state;
    assert_int_equal(fault_vfs_install(), SQLITE_OK); /* the store's default VFS now */
    static struct config config;
    config_defaults(&config);
    const int errors[] = {SQLITE_IOERR, SQLITE_FULL, SQLITE_BUSY, SQLITE_CORRUPT};
    int points = 0, moved_aside = 0;
    for (size_t e = 0; e < sizeof errors / sizeof errors[0]; e++) {
        int n = 1;
        while (run_once(n, errors[e], &config, &moved_aside))
            n++;
        printf("faults: error %d at each of %d I/O operations: every tap once\n", errors[e], n - 1);
        /* the flow did reach the disk (the database file itself is read only at the
           start: the write-ahead log serves the rest) */
        assert_true(n > (errors[e] == SQLITE_CORRUPT ? 1 : 10));
        points += n - 1;
    }
    printf("faults: %d failure points; %d runs moved a damaged store aside\n", points, moved_aside);
    assert_true(moved_aside > 0); /* the corrupt path ran */
}

int main(void)
{
    log_init("test_session_faults", LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_failure_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
