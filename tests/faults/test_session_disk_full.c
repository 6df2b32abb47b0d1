/*
 * test_session_disk_full: the disk really fills (a 4 MiB tmpfs the test
 * mounts; skipped, saying so, where mount is not permitted).  The session
 * keeps taking taps while the store's file system has no byte left: they
 * wait in memory, and session_health (what the heartbeat and the
 * technician screen show) says the store fails and how many wait.  When
 * space returns, every tap lands exactly once.
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

#include "clock.h"
#include "config.h"
#include "log.h"
#include "session.h"

#define BEFORE 3  /* taps while there is room */
#define DURING 20 /* taps while the disk is full */
#define NOW_MS 1790000000000LL

static long long query_int(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s: %s", path, sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* A tap and its follow-up; recording returns at once whatever the disk does. */
static void tap(struct session *s, int i)
{
    int64_t before = clock_real().mono_ms;
    struct kiosk_actions a = {.record_tap = true};
    a.tap.department = 0;
    a.tap.rating = (enum rating)(1 + i % 4);
    a.tap.at_utc_ms = NOW_MS + i * 1000;
    session_record(s, &a, 1000 + i, NOW_MS + i * 1000);
    struct kiosk_actions fu = {.record_followup = true};
    fu.followup.positive = i % 4 >= 2;
    fu.followup.reason = -1;
    fu.followup.ended_by = FOLLOWUP_TIMEOUT;
    session_record(s, &fu, 1000 + i, NOW_MS + i * 1000 + 1);
    assert_true(clock_real().mono_ms - before < 200); /* the screen never waits */
}

static void test_taps_wait_while_the_disk_is_full(void **state)
{
    (void)state;
    char dir[] = "/tmp/wowdiskfull-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[256], path[96], filler[96];
    snprintf(cmd, sizeof cmd, "mount -t tmpfs -o size=4m wowdiskfull '%s' 2>/dev/null", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "# SKIPPED: cannot mount a tmpfs here (needs root); disk full untested\n");
        rmdir(dir);
        skip();
    }
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    snprintf(filler, sizeof filler, "%s/filler", dir);
    static struct config config;
    config_defaults(&config);
    struct session *s = session_create(&config, path, NOW_MS);
    assert_non_null(s);
    for (int i = 0; i < BEFORE; i++)
        tap(s, i);
    assert_true(session_wait_idle(s, 20000));

    /* every byte taken */
    snprintf(cmd, sizeof cmd, "dd if=/dev/zero of='%s' bs=64k 2>/dev/null; sync", filler);
    (void)system(cmd);
    for (int i = BEFORE; i < BEFORE + DURING; i++)
        tap(s, i); /* returns at once: the customer is served */
    assert_false(session_wait_idle(s, 1500));
    struct session_health h;
    session_health(s, &h);
    fprintf(stderr, "# disk full: %d waiting, error \"%s\"\n", h.waiting, h.error);
    assert_true(h.waiting > 0 && h.error[0] != '\0' && h.since_utc_ms > 0);
    assert_non_null(strstr(h.error, "full")); /* says why: what the technician reads */

    assert_int_equal(unlink(filler), 0); /* space returns */
    assert_true(session_wait_idle(s, 90000));
    session_health(s, &h);
    assert_true(h.waiting == 0 && h.error[0] == '\0' && h.dropped == 0);
    session_destroy(s, NOW_MS + 100000);

    assert_int_equal(query_int(path, "SELECT count(*) FROM taps"), BEFORE + DURING);
    assert_int_equal(query_int(path, "SELECT count(DISTINCT at_ms_utc) FROM taps"),
                     BEFORE + DURING);
    assert_int_equal(query_int(path, "SELECT sum(n) FROM counts"), BEFORE + DURING);
    assert_int_equal(query_int(path, "SELECT count(*) FROM followups f JOIN taps t ON"
                                     " t.id = f.tap_id WHERE (t.rating >= 3) ="
                                     " (f.question = 'positive')"),
                     BEFORE + DURING);
    snprintf(cmd, sizeof cmd, "umount '%s' && rmdir '%s'", dir, dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    log_init("test_session_disk_full", getenv("FAULT_LOG") != NULL ? LOG_DEBUG : LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taps_wait_while_the_disk_is_full),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
