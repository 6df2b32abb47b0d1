/*
 * test_session_diskfull: a full disk on a real file system.  The store
 * lives on a small tmpfs mounted for the test (root only: skipped, exit
 * 77, where mount is not allowed).  A filler file takes the last free
 * blocks; taps and follow-ups are recorded anyway (each call returns at
 * once), wait in memory, and the session's health says the disk is full
 * (what the technician screen and the heartbeat show); the filler goes,
 * and every tap lands exactly once with its follow-up.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "session.h"

#define TAPS 40

static char dir[] = "/tmp/wowdiskfull-XXXXXX";

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

/* Writes zeros to path until the file system refuses. */
static void fill(const char *path)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    static char block[4096];
    while (fwrite(block, 1, sizeof block, f) == sizeof block && fflush(f) == 0)
        ;
    fclose(f);
}

static void record_tap(struct session *session, int i, int64_t t0)
{
    int64_t before = clock_real().mono_ms;
    struct kiosk_actions a = {.record_tap = true};
    a.tap.department = 0;
    a.tap.rating = (enum rating)(1 + i % 4);
    a.tap.at_utc_ms = t0 + i * 60000;
    session_record(session, &a, before, a.tap.at_utc_ms);
    struct kiosk_actions fu = {.record_followup = true};
    fu.followup.positive = i % 4 >= 2;
    fu.followup.reason = -1;
    fu.followup.ended_by = FOLLOWUP_TIMEOUT;
    session_record(session, &fu, before, a.tap.at_utc_ms + 1);
    assert_true(clock_real().mono_ms - before < 200); /* the screen never waits */
}

static void test_disk_full(void **state)
{
    (void)state;
    char db_path[96], filler[96];
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    snprintf(filler, sizeof filler, "%s/filler", dir);
    static struct config config;
    config_defaults(&config);
    int64_t t0 = 1790000000000LL;
    struct session *session = session_create(&config, db_path, t0);
    assert_non_null(session);
    record_tap(session, 0, t0);
    assert_true(session_wait_idle(session, 10000));

    fill(filler);
    for (int i = 1; i < TAPS; i++)
        record_tap(session, i, t0);
    assert_false(session_wait_idle(session, 1500)); /* the disk is full: they wait */
    struct session_health h;
    session_health(session, &h);
    printf("diskfull: %d records waiting, store says \"%s\"\n", h.waiting, h.error);
    assert_true(h.waiting > 0);
    assert_non_null(strstr(h.error, "full"));
    assert_true(h.since_utc_ms > 0);

    assert_int_equal(unlink(filler), 0); /* space is back */
    if (getenv("WOW_DEBUG")) {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "df -k %s; ls -la %s", dir, dir);
        (void)!system(cmd);
    }
    assert_true(session_wait_idle(session, 60000));
    session_health(session, &h);
    assert_int_equal(h.waiting, 0);
    assert_string_equal(h.error, "");
    assert_int_equal(h.dropped, 0);
    session_destroy(session, t0 + 3600000);

    assert_int_equal(query_int(db_path, "SELECT count(*) FROM taps"), TAPS);
    assert_int_equal(query_int(db_path, "SELECT sum(n) FROM counts"), TAPS);
    assert_int_equal(query_int(db_path, "SELECT count(*) FROM followups f JOIN taps t ON"
                                        " t.id = f.tap_id WHERE (t.rating >= 3) ="
                                        " (f.question = 'positive')"),
                     TAPS);
    assert_int_equal(query_int(db_path, "SELECT count(DISTINCT at_ms_utc) FROM taps"), TAPS);
}

int main(void)
{
    log_init("test_session_diskfull", getenv("WOW_DEBUG") ? LOG_INFO : LOG_ERROR);
    if (mkdtemp(dir) == NULL)
        return 1;
    if (mount("tmpfs", dir, "tmpfs", 0, "size=16m") != 0) {
        fprintf(stderr, "test_session_diskfull: cannot mount a tmpfs (%s): skipped\n",
                strerror(errno));
        rmdir(dir);
        return 77;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_disk_full)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    return rc;
}
