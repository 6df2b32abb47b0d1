/*
 * test_kiosk_status: what the kiosk reports about itself (app/kiosk/status.c).
 *
 * - The technician's "Today" starts at the site's local midnight with the
 *   offset midnight had: on the days the clocks change, midnight at today's
 *   current offset is an hour off (regression: it was computed so).
 * - --self-test's store line says what it proved: the store opened as the
 *   kiosk opens it (quick_check, WAL, the write lock, this schema), writes
 *   are durable and counts readable (regression: it read user_version
 *   into a variable named wal and said "opened").
 * - The technician rows show the catalog version the kiosk runs, and one it
 *   refused since, flagged; all twelve rows fit (Uptime is still there).
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "status.h"
#include "store.h"
#include "sync.h"
#include "tz.h"
#include "ui.h"

static int64_t utc(const char *text)
{
    int64_t ms = 0;
    assert_true(clock_parse_utc(text, &ms));
    return ms;
}

static struct tz *zone(const char *name)
{
    char err[256];
    struct tz *tz = tz_load(name, NULL, err, sizeof err);
    if (tz == NULL)
        fail_msg("tz_load(%s): %s", name, err);
    return tz;
}

static void test_midnight_on_an_ordinary_day(void **state)
{
    (void)state;
    struct tz *helsinki = zone("Europe/Helsinki");
    /* 2026-06-15 12:00 local (+03): midnight was 2026-06-14 21:00Z */
    assert_int_equal(status_local_midnight_utc(helsinki, utc("2026-06-15T09:00Z")),
                     utc("2026-06-14T21:00Z"));
    /* one minute after midnight, and at midnight itself */
    assert_int_equal(status_local_midnight_utc(helsinki, utc("2026-06-14T21:01Z")),
                     utc("2026-06-14T21:00Z"));
    assert_int_equal(status_local_midnight_utc(helsinki, utc("2026-06-14T21:00Z")),
                     utc("2026-06-14T21:00Z"));
    assert_int_equal(status_local_midnight_utc(NULL, utc("2026-06-15T09:00Z")),
                     utc("2026-06-15T00:00Z"));
    tz_destroy(helsinki);
}

/* The regression: the days the clocks change. */
static void test_midnight_on_dst_days(void **state)
{
    (void)state;
    struct tz *helsinki = zone("Europe/Helsinki");
    /* Spring: 2026-03-29 03:00 +02 -> 04:00 +03.  At noon (+03) the day
     * began at 00:00 +02 = 2026-03-28 22:00Z, not 21:00Z. */
    assert_int_equal(status_local_midnight_utc(helsinki, utc("2026-03-29T09:00Z")),
                     utc("2026-03-28T22:00Z"));
    /* Autumn: 2026-10-25 04:00 +03 -> 03:00 +02.  At noon (+02) the day
     * began at 00:00 +03 = 2026-10-24 21:00Z, not 22:00Z. */
    assert_int_equal(status_local_midnight_utc(helsinki, utc("2026-10-25T10:00Z")),
                     utc("2026-10-24T21:00Z"));
    tz_destroy(helsinki);
    /* A midnight the clocks skip: Chile, 2026-09-06 00:00 -04 -> 01:00 -03.
     * The day began when the clocks jumped, 04:00Z. */
    struct tz *santiago = zone("America/Santiago");
    assert_int_equal(status_local_midnight_utc(santiago, utc("2026-09-06T15:00Z")),
                     utc("2026-09-06T04:00Z"));
    tz_destroy(santiago);
}

static void test_self_test_store_proves_it_usable(void **state)
{
    (void)state;
    char dir[] = "/tmp/wowstatus-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db_path[96], detail[512];
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    int64_t now = utc("2026-06-15T09:00Z");

    assert_true(status_store_usable(db_path, "k1", now, detail, sizeof detail));
    assert_non_null(strstr(detail, "quick_check ok"));

    /* The regression: the line says what was proven, not just "opened". */
    char expect[64];
    snprintf(expect, sizeof expect, "WAL, schema version %d, synchronous FULL, counts readable",
             STORE_SCHEMA_VERSION);
    assert_non_null(strstr(detail, expect));

    /* A store another process keeps locked for writing cannot take taps. */
    sqlite3 *holder;
    assert_int_equal(sqlite3_open(db_path, &holder), SQLITE_OK);
    assert_int_equal(sqlite3_exec(holder, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_false(status_store_usable(db_path, "k1", now, detail, sizeof detail));
    assert_non_null(strstr(detail, "cannot be opened"));
    assert_int_equal(sqlite3_exec(holder, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(holder);

    /* Made for another kiosk: usable, and the line says so. */
    assert_true(status_store_usable(db_path, "k2", now, detail, sizeof detail));
    assert_non_null(strstr(detail, "made for kiosk k1"));

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static const struct ui_info_row *find_row(const struct ui_technician *t, const char *label)
{
    for (int i = 0; i < t->row_count; i++)
        if (strcmp(t->rows[i].label, label) == 0)
            return &t->rows[i];
    fail_msg("no %s row", label);
    return NULL;
}

static void test_catalog_row(void **state)
{
    (void)state;
    struct config *c = malloc(sizeof *c);
    assert_non_null(c);
    config_defaults(c);
    struct status s = {0};
    struct status_sources src = {.config = c, .config_files = "kiosk.conf", .store_path = "x"};
    struct ui_technician t = {0};
    struct clock_now now = {.mono_ms = 1000, .utc_ms = utc("2026-03-29T12:00:00Z")};
    status_rows(&s, &src, now, &t);
    const struct ui_info_row *r = find_row(&t, "Catalog");
    assert_string_equal(r->value, "none yet: the local files alone");
    assert_false(r->warn);
    c->catalog_version = 7;
    src.catalog_refused = "version 8: catalog v8:3: followup.timeout_s: expected 1 to 120";
    status_rows(&s, &src, now, &t);
    r = find_row(&t, "Catalog");
    assert_string_equal(r->value, "version 7; refused version 8: catalog v8:3: "
                                  "followup.timeout_s: expected 1 to 120");
    assert_true(r->warn);
    find_row(&t, "Uptime");
    free(c);
}

/* The Version row carries the system update's report as the sync thread
 * read it from the updater's state file, flagged when the update failed. */
static void test_version_row(void **state)
{
    (void)state;
    struct config *c = malloc(sizeof *c);
    assert_non_null(c);
    config_defaults(c);
    char dir[] = "/tmp/wow-status-XXXXXX", path[128];
    assert_non_null(mkdtemp(dir));
    struct sync_settings settings;
    sync_settings_defaults(&settings);
    snprintf(settings.target, sizeof settings.target, "%s/shared.db", dir);
    snprintf(settings.store_path, sizeof settings.store_path, "%s/kiosk.db", dir); /* none */
    snprintf(settings.kiosk_id, sizeof settings.kiosk_id, "k1");
    snprintf(settings.update_dir, sizeof settings.update_dir, "%s/update", dir);
    snprintf(path, sizeof path, "%s/update", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/update/state", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("slot=B\nversion=1.4.0\nstate=failed\nerror=self-test exit 2 on slot B\n", f);
    fclose(f);
    int64_t offset = 0;
    struct clock clock = clock_system(&offset, CLOCK_NO_START);
    struct sync_thread *thread = sync_thread_start(&settings, &clock);
    assert_non_null(thread);

    struct status s = {0};
    struct status_sources src = {
        .config = c, .config_files = "kiosk.conf", .store_path = "x", .sync = thread};
    struct ui_technician t = {0};
    struct clock_now now = {.mono_ms = 1000, .utc_ms = utc("2026-03-29T12:00:00Z")};
    const struct ui_info_row *r = NULL;
    for (int i = 0; i < 200; i++) { /* the first round reads the report */
        status_rows(&s, &src, now, &t);
        r = find_row(&t, "Version");
        if (strstr(r->value, "update") != NULL)
            break;
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    assert_string_equal(r->value, "wowkiosk " WOW_VERSION
                                  ", slot B; update 1.4.0: failed: self-test exit 2 on slot B");
    assert_true(r->warn);
    sync_thread_stop(thread);

    src.sync = NULL; /* sync off: the version alone */
    status_rows(&s, &src, now, &t);
    r = find_row(&t, "Version");
    assert_string_equal(r->value, "wowkiosk " WOW_VERSION);
    assert_false(r->warn);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(c);
}

int main(void)
{
    log_init("test_kiosk_status", LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_midnight_on_an_ordinary_day),
        cmocka_unit_test(test_midnight_on_dst_days),
        cmocka_unit_test(test_self_test_store_proves_it_usable),
        cmocka_unit_test(test_catalog_row),
        cmocka_unit_test(test_version_row),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
