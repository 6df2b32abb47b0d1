/*
 * test_store_open: what store_open finds and does: schema migrations (from
 * version 0, a test-only step to version 2, a failing step, a newer file),
 * a database made for another kiosk, corrupt files moved aside with their
 * bytes intact, and paths that cannot be used.
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
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_private.h"
#include "store_test_util.h"

static void record_taps(struct store *s, int n)
{
    for (int i = 0; i < n; i++) {
        struct store_tap tap = {TEST_NOW_MS + i * 1000LL, "front", 1 + i % 4, false};
        int64_t id;
        assert_int_equal(store_record_tap(s, &tap, &id), 0);
    }
}

/* The built-in steps plus extra, for a schema one version newer. */
static struct store_migration *steps_plus(const char *extra_sql, size_t *n)
{
    *n = store_migration_count + 1;
    struct store_migration *steps = calloc(*n, sizeof *steps);
    assert_non_null(steps);
    memcpy(steps, store_migrations, store_migration_count * sizeof *steps);
    steps[*n - 1] = (struct store_migration){(int)*n, extra_sql};
    return steps;
}

static int open_with(const struct test_dir *t, const struct store_migration *steps, size_t n,
                     struct store **s, struct store_health *health)
{
    return store_open_migrations(s, t->db_path, "kiosk-1", TEST_NOW_MS, health, steps, n);
}

/* A version-0 file (meta only, as a crash right after creating it leaves
 * it) is migrated, keeping its incarnation: it is not a new database. */
static void test_migrates_from_version_0(void **state)
{
    const struct test_dir *t = *state;
    test_exec(t->db_path, "CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);"
                          "INSERT INTO meta VALUES ('kiosk_id', 'kiosk-1'),"
                          " ('incarnation', '0123456789abcdef0123456789abcdef'),"
                          " ('schema_version', '0'), ('seq', '7'), ('synced_seq', '0'),"
                          " ('created_ms_utc', '1')");
    struct store_health health;
    struct store *s = test_open(t, &health);
    assert_false(health.created);
    assert_int_equal(health.migrated_from, 0);
    assert_string_equal(store_incarnation(s), "0123456789abcdef0123456789abcdef");
    record_taps(s, 1);
    store_close(s);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = 'seq'"), 8);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = "
                                                "'schema_version'"),
                     STORE_SCHEMA_VERSION);
}

/* Adding a schema version is one more step: it runs once, in order, and
 * the data of the older version is still there after it. */
static void test_added_step_keeps_data_and_runs_once(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    record_taps(s, 25);
    store_close(s);

    size_t n;
    struct store_migration *steps = steps_plus(
        "ALTER TABLE taps ADD COLUMN language TEXT NOT NULL DEFAULT 'en';"
        "CREATE TABLE screens(tap_id INTEGER PRIMARY KEY REFERENCES taps(id), ms INTEGER)",
        &n);
    assert_int_equal(open_with(t, steps, n, &s, &health), 0);
    assert_false(health.created);
    assert_int_equal(health.migrated_from, STORE_SCHEMA_VERSION);
    record_taps(s, 1);
    store_close(s);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps"), 26);
    assert_int_equal(test_query_int(t->db_path, "SELECT sum(n) FROM counts"), 26);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps WHERE language = 'en'"),
                     26);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = "
                                                "'schema_version'"),
                     (long long)n);

    /* again: a no-op (an ALTER run twice would fail the open) */
    assert_int_equal(open_with(t, steps, n, &s, &health), 0);
    assert_int_equal(health.migrated_from, (int)n);
    store_close(s);

    /* this program's own steps stop short of the file: refused, untouched */
    s = NULL;
    assert_true(store_open(&s, t->db_path, "kiosk-1", TEST_NOW_MS, &health) < 0);
    assert_null(s);
    assert_false(health.quarantined);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps"), 26);
    free(steps);
}

/* A step that fails is rolled back whole: version, tables and data as before. */
static void test_failing_step_rolls_back(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    record_taps(s, 3);
    store_close(s);

    size_t n;
    struct store_migration *steps =
        steps_plus("CREATE TABLE half(a); DELETE FROM taps; SELECT * FROM no_such_table", &n);
    s = NULL;
    assert_true(open_with(t, steps, n, &s, &health) < 0);
    assert_null(s);
    assert_false(health.quarantined);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = "
                                                "'schema_version'"),
                     STORE_SCHEMA_VERSION);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM sqlite_master WHERE name = "
                                                "'half'"),
                     0);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps"), 3);
    free(steps);

    /* steps out of order are a programming error, refused before touching anything */
    struct store_migration wrong[] = {{2, "SELECT 1"}};
    assert_true(open_with(t, wrong, 1, &s, &health) < 0);
    assert_null(s);
}

/* Opened as another kiosk: everything is kept under the first kiosk_id. */
static void test_other_kiosk_id_keeps_data(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    char incarnation[33];
    snprintf(incarnation, sizeof incarnation, "%s", store_incarnation(s));
    record_taps(s, 4);
    store_close(s);

    assert_int_equal(store_open(&s, t->db_path, "kiosk-2", TEST_NOW_MS, &health), 0);
    assert_true(health.kiosk_id_changed);
    assert_false(health.created);
    assert_string_equal(store_kiosk_id(s), "kiosk-1");
    assert_string_equal(store_incarnation(s), incarnation);
    record_taps(s, 1);
    store_close(s);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps"), 5);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM meta WHERE key = 'kiosk_id' "
                                                "AND value = 'kiosk-1'"),
                     1);

    s = test_open(t, &health);
    assert_false(health.kiosk_id_changed);
    store_close(s);
}

/* Opens the damaged file at t->db_path and checks it went aside intact,
 * logged with both paths, and that the new database works under a new
 * incarnation (old_incarnation: the damaged file's, or NULL if it had none). */
static void check_quarantined(const struct test_dir *t, const unsigned char *orig, long orig_len,
                              const char *old_incarnation)
{
    struct store_health health;
    int saved = test_capture_begin(t);
    struct store *s = NULL;
    int rc = store_open(&s, t->db_path, "kiosk-1", TEST_NOW_MS, &health);
    char *log = test_capture_end(t, saved);
    assert_int_equal(rc, 0);
    assert_true(health.quarantined);
    assert_true(health.created);
    char want[800];
    snprintf(want, sizeof want, "%s.corrupt-20260921T", t->db_path); /* TEST_NOW_MS, UTC */
    assert_memory_equal(health.quarantine_path, want, strlen(want));
    assert_int_equal(strlen(health.quarantine_path), strlen(want) + 7); /* HHMMSSZ */
    snprintf(want, sizeof want, "%s is corrupt: moved to %s", t->db_path, health.quarantine_path);
    assert_non_null(strstr(log, want));
    free(log);

    static unsigned char moved[1 << 21];
    assert_int_equal(test_file_bytes(health.quarantine_path, moved, sizeof moved), orig_len);
    assert_memory_equal(moved, orig, (size_t)orig_len);
    assert_int_equal(strspn(store_incarnation(s), "0123456789abcdef"), 32);
    if (old_incarnation != NULL)
        assert_string_not_equal(store_incarnation(s), old_incarnation);
    int64_t id;
    struct store_tap tap = {1, "front", 3, false};
    assert_int_equal(store_record_tap(s, &tap, &id), 0);
    assert_int_equal(id, 1);
    store_close(s);
}

static void test_quarantine_garbage_file(void **state)
{
    const struct test_dir *t = *state;
    static unsigned char garbage[8192];
    for (unsigned i = 0; i < sizeof garbage; i++)
        garbage[i] = (unsigned char)(i * 7 + 3);
    FILE *f = fopen(t->db_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(garbage, 1, sizeof garbage, f), sizeof garbage);
    fclose(f);
    check_quarantined(t, garbage, sizeof garbage, NULL);
}

/* True when a fresh connection's quick_check finds path damaged. */
static bool quick_check_fails(const char *path)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
    bool damaged = rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
                   strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return damaged;
}

/* A real store whose middle pages (not the header) are overwritten. */
static void test_quarantine_corrupt_pages(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    char incarnation[33], dept[32];
    snprintf(incarnation, sizeof incarnation, "%s", store_incarnation(s));
    for (int i = 0; i < 3000; i++) {
        snprintf(dept, sizeof dept, "department-%d", i % 50);
        struct store_tap tap = {TEST_NOW_MS + (int64_t)i * 60000, dept, 1 + i % 4, false};
        int64_t id;
        assert_int_equal(store_record_tap(s, &tap, &id), 0);
    }
    store_close(s); /* checkpoints the WAL into the file */
    static unsigned char orig[1 << 21];
    long len = test_file_bytes(t->db_path, orig, sizeof orig);
    assert_true(len > 16 * 4096 && len < (long)sizeof orig);
    FILE *f = fopen(t->db_path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (len / 4096 / 2) * 4096, SEEK_SET), 0);
    for (int i = 0; i < 4 * 4096; i++)
        fputc(0x5a, f);
    fclose(f);
    len = test_file_bytes(t->db_path, orig, sizeof orig);
    assert_true(quick_check_fails(t->db_path)); /* else this test proves nothing */
    check_quarantined(t, orig, len, incarnation);
}

static void write_file(const char *path, const unsigned char *bytes, long len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, (size_t)len, f), (size_t)len);
    assert_int_equal(fclose(f), 0);
}

/* A crash left committed taps in the -wal and the file is damaged: both go
 * aside as they were found; the WAL is not checkpointed into the bad file. */
static void test_quarantine_keeps_wal(void **state)
{
    const struct test_dir *t = *state;
    char wal[160], moved_wal[700];
    snprintf(wal, sizeof wal, "%s-wal", t->db_path);
    struct store_health health;
    struct store *s = test_open(t, &health);
    record_taps(s, 3000);
    store_close(s); /* all of it in the main file */
    s = test_open(t, &health);
    struct store_tap late = {TEST_NOW_MS * 2, "zzz-late", 4, false};
    int64_t id;
    assert_int_equal(store_record_tap(s, &late, &id), 0);
    static unsigned char db_bytes[1 << 21], wal_bytes[1 << 20], moved[1 << 21];
    long db_len = test_file_bytes(t->db_path, db_bytes, sizeof db_bytes);
    long wal_len = test_file_bytes(wal, wal_bytes, sizeof wal_bytes);
    assert_true(db_len > 16 * 4096 && wal_len > 0 && wal_len < (long)sizeof wal_bytes);
    store_close(s); /* checkpoints and removes the -wal: put back what a crash leaves */
    memset(db_bytes + (db_len / 4096 / 2) * 4096, 0x5a, 4 * 4096);
    write_file(t->db_path, db_bytes, db_len);
    write_file(wal, wal_bytes, wal_len);

    s = test_open(t, &health);
    assert_true(health.quarantined);
    store_close(s);
    assert_int_equal(test_file_bytes(health.quarantine_path, moved, sizeof moved), db_len);
    assert_memory_equal(moved, db_bytes, (size_t)db_len);
    snprintf(moved_wal, sizeof moved_wal, "%s-wal", health.quarantine_path);
    assert_int_equal(test_file_bytes(moved_wal, moved, sizeof moved), wal_len);
    assert_memory_equal(moved, wal_bytes, (size_t)wal_len);
}

/* Two corrupt files in one second: the second does not overwrite the first. */
static void test_quarantine_twice_keeps_both(void **state)
{
    const struct test_dir *t = *state;
    char first[600];
    for (int round = 0; round < 2; round++) {
        FILE *f = fopen(t->db_path, "wb");
        assert_non_null(f);
        assert_true(
            fprintf(f, "not a database, round %d, padded to look like one%0500d", round, 0) > 0);
        fclose(f);
        struct store_health health;
        struct store *s = test_open(t, &health);
        assert_true(health.quarantined);
        store_close(s);
        unlink(t->db_path);
        if (round == 0)
            snprintf(first, sizeof first, "%s", health.quarantine_path);
        else
            assert_string_not_equal(health.quarantine_path, first);
        unsigned char head[32];
        assert_int_equal(test_file_bytes(health.quarantine_path, head, sizeof head), 32);
        assert_int_equal(head[22], '0' + round); /* "not a database, round N" */
    }
}

/* An SQLite file that is not a store (no meta, other tables) is left alone. */
static void test_foreign_database_untouched(void **state)
{
    const struct test_dir *t = *state;
    test_exec(t->db_path, "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total);"
                          "INSERT INTO invoices(total) VALUES (42)");
    struct store *s = NULL;
    struct store_health health;
    assert_true(store_open(&s, t->db_path, "kiosk-1", TEST_NOW_MS, &health) < 0);
    assert_null(s);
    assert_false(health.quarantined);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM sqlite_master"), 1);
    assert_int_equal(test_query_int(t->db_path, "SELECT total FROM invoices"), 42);
}

static void expect_open_fails(const char *path, const char *kiosk_id)
{
    struct store *s = (struct store *)&s; /* must be reset to NULL */
    struct store_health health;
    assert_true(store_open(&s, path, kiosk_id, TEST_NOW_MS, &health) < 0);
    assert_null(s);
}

/* A regular file where the directory must go, a path too long, no kiosk id. */
static void test_unusable_path(void **state)
{
    const struct test_dir *t = *state;
    char file[160], path[200];
    snprintf(file, sizeof file, "%s/plain-file", t->dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/kiosk.db", file);
    expect_open_fails(path, "kiosk-1");
    static char long_path[2048];
    memset(long_path, 'a', sizeof long_path - 1);
    long_path[0] = '/';
    expect_open_fails(long_path, "kiosk-1");
    expect_open_fails("", "kiosk-1");
    expect_open_fails(t->db_path, "");
    expect_open_fails(t->db_path, NULL);
    assert_int_equal(access(t->db_path, F_OK), -1); /* nothing was created */
}

/* A read-only directory: root ignores the mode, so only as another user. */
static void test_read_only_directory(void **state)
{
    const struct test_dir *t = *state;
    if (geteuid() == 0)
        skip();
    char ro[128], path[160];
    snprintf(ro, sizeof ro, "%s/ro", t->dir);
    assert_int_equal(mkdir(ro, 0500), 0);
    snprintf(path, sizeof path, "%s/kiosk.db", ro);
    expect_open_fails(path, "kiosk-1");
    snprintf(path, sizeof path, "%s/sub/kiosk.db", ro);
    expect_open_fails(path, "kiosk-1");
}

int main(void)
{
    log_init("test_store_open", LOG_WARN);
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_migrates_from_version_0),    T(test_added_step_keeps_data_and_runs_once),
        T(test_failing_step_rolls_back),    T(test_other_kiosk_id_keeps_data),
        T(test_quarantine_garbage_file),    T(test_quarantine_corrupt_pages),
        T(test_quarantine_keeps_wal),       T(test_quarantine_twice_keeps_both),
        T(test_foreign_database_untouched), T(test_unusable_path),
        T(test_read_only_directory),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
