/*
 * test_store_faults: the kiosk store (app/store) with a fault at every
 * I/O call, one N at a time, as SQLite's own fault tests run: for each of
 * xOpen, xWrite, xSync and each error (I/O error, disk full), the
 * Nth call fails, once or from then on, for N = 1, 2, ... until a whole
 * run no longer reaches the Nth call.
 *
 * Each run opens a fresh store and records TAPS taps (and a follow-up on
 * each) the way the session does: a STORE_ERR_RETRY is retried, after
 * REOPEN_AFTER failures in a row or a STORE_ERR_CORRUPT the store is
 * closed and opened again, a failed open is retried.  Afterwards, with
 * the fault gone, the file is read back through a plain connection: every
 * tap that was acknowledged (store_record_tap returned 0) is there
 * exactly once, with its count, and nothing else is.
 *
 * Not SQLITE_BUSY: the default VFS never returns it from xWrite or xSync,
 * and SQLite's checkpoint takes a BUSY there for "try later" and drops the
 * WAL.  A lock held by another process is test_session's.
 *
 * FAULT_STEPS (environment) caps N for a quick look; unset, the loop
 * runs to the end.
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

#include "fault_vfs.h"
#include "log.h"
#include "store.h"

#define TAPS         4
#define REOPEN_AFTER 3 /* as app/kiosk/session.c */
#define TRIES_MAX    50
#define NOW_MS       1790000000000LL

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

/* Opens the store, retrying while the fault makes it fail; the number
 * of tries is bounded so a store that can never open fails the test. */
static struct store *open_retrying(const char *path, int *opens)
{
    for (int i = 0; i < TRIES_MAX; i++) {
        struct store *s = NULL;
        struct store_health h;
        (*opens)++;
        if (store_open(&s, path, "kiosk-1", NOW_MS, &h) == 0)
            return s;
        if (i == TRIES_MAX / 2)
            fault_vfs_disarm(); /* a persistent fault: the disk came back */
    }
    fail_msg("store_open never succeeded");
    return NULL;
}

/* Records one tap (and its follow-up) until the store acknowledges it.
 * Returns its id. */
static int64_t record_acked(struct store **s, const char *path, int i, int *opens)
{
    struct store_tap tap = {
        .at_ms_utc = NOW_MS + i * 1000, .department = "d1", .rating = 1 + i % 4};
    int failures = 0;
    for (int t = 0; t < TRIES_MAX; t++) {
        if (t == TRIES_MAX / 2)
            fault_vfs_disarm();
        if (*s == NULL)
            *s = open_retrying(path, opens);
        int64_t id = 0;
        int rc = store_record_tap(*s, &tap, &id);
        if (rc == 0) {
            struct store_followup f = {.question = STORE_QUESTION_NEGATIVE,
                                       .ended_by = STORE_FOLLOWUP_SKIPPED};
            for (int u = 0; u < TRIES_MAX; u++) {
                if (u == TRIES_MAX / 2)
                    fault_vfs_disarm();
                int frc = store_record_followup(*s, id, &f);
                /* refused after a failure: an earlier try's commit landed
                 * (the count at the end shows it is there once) */
                if (frc == 0 || (frc == STORE_ERR_REFUSED && u > 0))
                    break;
                assert_int_not_equal(frc, STORE_ERR_REFUSED);
                if (frc == STORE_ERR_CORRUPT) {
                    store_close(*s);
                    *s = open_retrying(path, opens);
                }
            }
            return id;
        }
        assert_int_not_equal(rc, STORE_ERR_REFUSED);
        if (rc == STORE_ERR_CORRUPT || ++failures >= REOPEN_AFTER) {
            failures = 0;
            store_close(*s);
            *s = NULL;
        }
    }
    fail_msg("tap %d was never acknowledged", i);
    return 0;
}

/* One run with the fault armed at call nth; false when it never fired. */
static bool run_once(enum fault_op op, int nth, int err, bool persistent)
{
    char dir[] = "/tmp/wowfaults-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);

    fault_vfs_arm(op, nth, err, persistent);
    int opens = 0;
    struct store *s = open_retrying(path, &opens);
    for (int i = 0; i < TAPS; i++)
        record_acked(&s, path, i, &opens);
    store_close(s);
    int fired = fault_vfs_fired();
    fault_vfs_disarm();

    /* Every acknowledged tap exactly once, in a sound file. */
    if (getenv("FAULT_LOG") != NULL) {
        char ls[96];
        snprintf(ls, sizeof ls, "ls -la %s", dir);
        (void)system(ls);
    }
    long long taps = query_int(path, "SELECT count(*) FROM taps");
    long long counted = query_int(path, "SELECT coalesce(sum(n), 0) FROM counts");
    long long followups = query_int(path, "SELECT count(*) FROM followups");
    long long distinct = query_int(path, "SELECT count(DISTINCT at_ms_utc) FROM taps");
    if (taps != TAPS || counted != TAPS || followups != TAPS || distinct != TAPS)
        fail_msg("%s fault #%d (err %d%s): taps %lld, counted %lld, follow-ups %lld, "
                 "distinct %lld; expected %d each",
                 fault_op_name(op), nth, err, persistent ? ", persistent" : "", taps, counted,
                 followups, distinct, TAPS);
    assert_int_equal(query_int(path, "SELECT count(*) FROM pragma_integrity_check "
                                     "WHERE integrity_check != 'ok'"),
                     0);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return fired > 0;
}

static int steps_cap(void)
{
    const char *e = getenv("FAULT_STEPS");
    long v = e != NULL ? strtol(e, NULL, 10) : 0;
    return v > 0 && v < 10000000 ? (int)v : 100000;
}

static void loop_over_n(enum fault_op op, int err, bool persistent)
{
    int cap = steps_cap(), n = 1;
    while (n <= cap && run_once(op, n, err, persistent))
        n++;
    fprintf(stderr, "# %s err %d%s: %d fault points\n", fault_op_name(op), err,
            persistent ? " persistent" : "", n - 1);
    assert_true(n > 1); /* the fault fired at least once */
}

static void test_write_ioerr(void **state)
{
    (void)state;
    loop_over_n(FAULT_WRITE, SQLITE_IOERR_WRITE, false);
    loop_over_n(FAULT_WRITE, SQLITE_IOERR_WRITE, true);
}

static void test_write_full(void **state)
{
    (void)state;
    loop_over_n(FAULT_WRITE, SQLITE_FULL, false);
    loop_over_n(FAULT_WRITE, SQLITE_FULL, true);
}

static void test_sync_ioerr(void **state)
{
    (void)state;
    loop_over_n(FAULT_SYNC, SQLITE_IOERR_FSYNC, false);
    loop_over_n(FAULT_SYNC, SQLITE_IOERR_FSYNC, true);
}

static void test_open_fails(void **state)
{
    (void)state;
    loop_over_n(FAULT_OPEN, SQLITE_CANTOPEN, false);
    loop_over_n(FAULT_OPEN, SQLITE_CANTOPEN, true);
    loop_over_n(FAULT_OPEN, SQLITE_IOERR, false);
}

int main(void)
{
    log_init("test_store_faults", getenv("FAULT_LOG") != NULL ? LOG_DEBUG : (enum log_level)0);
    if (fault_vfs_install() != SQLITE_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_ioerr),
        cmocka_unit_test(test_write_full),
        cmocka_unit_test(test_sync_ioerr),
        cmocka_unit_test(test_open_fails),

    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
