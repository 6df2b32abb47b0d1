/*
 * test_store: the kiosk's local store on real SQLite files in a temp dir.
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

#include "log.h"
#include "store.h"

static char dir[64];
static char db_path[128];

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/wowstore-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct store *open_store(struct store_health *health)
{
    struct store *s = NULL;
    assert_int_equal(store_open(&s, db_path, "kiosk-1", 1790000000000LL, health), 0);
    assert_non_null(s);
    return s;
}

static long long query_int(const char *sql)
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

static const char *const departments[] = {"front", "it", "lab"};

/* Counts equal taps: every (department, bucket, rating, misuse) sum equals
 * what the test sent, and equals the taps table grouped the same way. */
static void test_counts_equal_taps(void **state)
{
    struct store_health health;
    struct store *s = open_store(&health);
    assert_true(health.created);
    enum { N = 400, BUCKETS = 12 };
    static int sent[3][BUCKETS][5][2];
    memset(sent, 0, sizeof sent);
    unsigned seed = 12345;
    int64_t base = 1790000000000LL / STORE_BUCKET_MS * STORE_BUCKET_MS;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        int d = (int)(seed >> 8) % 3, b = (int)(seed >> 12) % BUCKETS,
            r = 1 + (int)(seed >> 16) % 4;
        bool misuse = (seed >> 20) % 5 == 0;
        /* first and last millisecond of the bucket alternate */
        int64_t at = base + (int64_t)b * STORE_BUCKET_MS + (i % 2 ? STORE_BUCKET_MS - 1 : 0);
        struct store_tap tap = {at, departments[d], r, misuse};
        int64_t id;
        assert_int_equal(store_record_tap(s, &tap, &id), 0);
        assert_int_equal(id, i + 1);
        sent[d][b][r][misuse]++;
    }
    store_close(s);

    for (int d = 0; d < 3; d++)
        for (int b = 0; b < BUCKETS; b++)
            for (int r = 1; r <= 4; r++)
                for (int m = 0; m < 2; m++) {
                    char sql[256];
                    snprintf(sql, sizeof sql,
                             "SELECT coalesce(sum(n), 0) FROM counts WHERE department = '%s' AND "
                             "bucket_start_ms_utc = %lld AND rating = %d AND misuse = %d",
                             departments[d], (long long)(base + (int64_t)b * STORE_BUCKET_MS), r,
                             m);
                    assert_int_equal(query_int(sql), sent[d][b][r][m]);
                }
    assert_int_equal(query_int("SELECT count(*) FROM taps"), N);
    assert_int_equal(query_int("SELECT sum(n) FROM counts"), N);
    assert_int_equal(query_int("SELECT count(*) FROM (SELECT department, "
                               "at_ms_utc / 900000 * 900000 AS b, rating, misuse, count(*) AS c "
                               "FROM taps GROUP BY 1, 2, 3, 4) t JOIN counts k ON "
                               "k.department = t.department AND k.bucket_start_ms_utc = t.b AND "
                               "k.rating = t.rating AND k.misuse = t.misuse AND k.n = t.c"),
                     query_int("SELECT count(*) FROM counts"));
    /* one transaction per tap, each with its own seq */
    assert_int_equal(query_int("SELECT value FROM meta WHERE key = 'seq'"), N);
    assert_int_equal(query_int("SELECT max(changed_seq) FROM counts"), N);
}

static void test_followups(void **state)
{
    struct store_health health;
    struct store *s = open_store(&health);
    int64_t id1, id2, id3;
    struct store_tap t = {1790000000000LL, "front", 4, false};
    assert_int_equal(store_record_tap(s, &t, &id1), 0);
    t.rating = 1;
    t.misuse = true;
    assert_int_equal(store_record_tap(s, &t, &id2), 0);
    t.rating = 2;
    assert_int_equal(store_record_tap(s, &t, &id3), 0);

    struct store_followup chosen = {"positive", "fast", "chosen"};
    struct store_followup skipped = {"negative", NULL, "skipped"};
    struct store_followup timeout = {"negative", NULL, "timeout"};
    assert_int_equal(store_record_followup(s, id1, &chosen), 0);
    assert_int_equal(store_record_followup(s, id2, &skipped), 0);
    assert_int_equal(store_record_followup(s, id3, &timeout), 0);
    /* a second answer for one tap, or an answer for no tap, changes nothing */
    assert_true(store_record_followup(s, id1, &chosen) < 0);
    assert_true(store_record_followup(s, 999, &skipped) < 0);
    store_close(s);

    assert_int_equal(query_int("SELECT count(*) FROM followups"), 3);
    assert_int_equal(query_int("SELECT sum(n) FROM reason_counts"), 3);
    assert_int_equal(query_int("SELECT n FROM reason_counts WHERE reason = 'fast' AND "
                               "ended_by = 'chosen' AND misuse = 0 AND department = 'front'"),
                     1);
    assert_int_equal(query_int("SELECT count(*) FROM reason_counts WHERE reason = '' AND "
                               "misuse = 1 AND question = 'negative'"),
                     2);
    assert_int_equal(query_int("SELECT count(*) FROM followups WHERE reason IS NULL"), 2);
}

static void test_invalid_input_writes_nothing(void **state)
{
    struct store_health health;
    struct store *s = open_store(&health);
    int64_t id;
    struct store_tap bad[] = {
        {1, "front", 0, false}, {1, "front", 5, false}, {1, "", 3, false}, {1, NULL, 3, false}};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_true(store_record_tap(s, &bad[i], &id) < 0);
    struct store_tap ok = {1, "front", 3, false};
    assert_int_equal(store_record_tap(s, &ok, &id), 0);
    struct store_followup badf[] = {{"neutral", NULL, "skipped"},
                                    {"positive", NULL, "gone"},
                                    {"positive", "fast", "skipped"},
                                    {"positive", NULL, "chosen"},
                                    {NULL, NULL, "timeout"}};
    for (unsigned i = 0; i < sizeof badf / sizeof badf[0]; i++)
        assert_true(store_record_followup(s, id, &badf[i]) < 0);
    store_close(s);
    assert_int_equal(query_int("SELECT count(*) FROM taps"), 1);
    assert_int_equal(query_int("SELECT count(*) FROM followups"), 0);
    assert_int_equal(query_int("SELECT count(*) FROM reason_counts"), 0);
    assert_int_equal(query_int("SELECT value FROM meta WHERE key = 'seq'"), 1);
}

static void test_wal_and_incarnation(void **state)
{
    struct store_health health;
    struct store *s = open_store(&health);
    char first[33];
    snprintf(first, sizeof first, "%s", store_incarnation(s));
    assert_int_equal(strlen(first), 32);
    assert_int_equal(strspn(first, "0123456789abcdef"), 32);
    int64_t id;
    struct store_tap t = {1, "front", 3, false};
    assert_int_equal(store_record_tap(s, &t, &id), 0);
    store_close(s);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(query_int("SELECT value FROM meta WHERE key = 'schema_version'"),
                     STORE_SCHEMA_VERSION);

    /* reopen: same incarnation, no migration, data kept */
    s = open_store(&health);
    assert_false(health.created);
    assert_int_equal(health.migrated_from, STORE_SCHEMA_VERSION);
    assert_string_equal(store_incarnation(s), first);
    store_close(s);
    assert_int_equal(query_int("SELECT count(*) FROM taps"), 1);

    /* a new database is a new incarnation */
    unlink(db_path);
    s = open_store(&health);
    assert_true(health.created);
    assert_string_not_equal(store_incarnation(s), first);
    store_close(s);
}

static void test_newer_schema_is_refused_not_quarantined(void **state)
{
    struct store_health health;
    store_close(open_store(&health));
    sqlite3 *db;
    assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE meta SET value = 99 WHERE key = 'schema_version'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    struct store *s = NULL;
    assert_true(store_open(&s, db_path, "kiosk-1", 1790000000000LL, &health) < 0);
    assert_null(s);
    assert_false(health.quarantined);
    assert_int_equal(query_int("SELECT value FROM meta WHERE key = 'schema_version'"), 99);
}

static long file_bytes(const char *path, unsigned char *buf, long size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    long n = (long)fread(buf, 1, (size_t)size, f);
    fclose(f);
    return n;
}

static void check_quarantined(const unsigned char *orig, long orig_len)
{
    struct store_health health;
    struct store *s = open_store(&health);
    assert_true(health.quarantined);
    assert_true(health.created);
    assert_non_null(strstr(health.quarantine_path, ".corrupt-2026"));
    static unsigned char moved[1 << 20];
    assert_int_equal(file_bytes(health.quarantine_path, moved, sizeof moved), orig_len);
    assert_memory_equal(moved, orig, (size_t)orig_len);
    int64_t id;
    struct store_tap t = {1, "front", 3, false};
    assert_int_equal(store_record_tap(s, &t, &id), 0);
    assert_int_equal(id, 1);
    store_close(s);
}

static void test_quarantine_garbage_file(void **state)
{
    static unsigned char garbage[8192];
    for (unsigned i = 0; i < sizeof garbage; i++)
        garbage[i] = (unsigned char)(i * 7 + 3);
    FILE *f = fopen(db_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(garbage, 1, sizeof garbage, f), sizeof garbage);
    fclose(f);
    check_quarantined(garbage, sizeof garbage);
}

static void test_quarantine_corrupt_pages(void **state)
{
    struct store_health health;
    struct store *s = open_store(&health);
    int64_t id;
    char dept[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(dept, sizeof dept, "department-%d", i % 50);
        struct store_tap t = {1790000000000LL + (int64_t)i * 60000, dept, 1 + i % 4, false};
        assert_int_equal(store_record_tap(s, &t, &id), 0);
    }
    store_close(s); /* checkpoints the WAL into the file */
    static unsigned char orig[1 << 20];
    long len = file_bytes(db_path, orig, sizeof orig);
    assert_true(len > 16 * 4096);
    /* overwrite pages in the middle (not the header) with a pattern */
    FILE *f = fopen(db_path, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, (len / 4096 / 2) * 4096, SEEK_SET), 0);
    for (int i = 0; i < 4 * 4096; i++)
        fputc(0x5a, f);
    fclose(f);
    len = file_bytes(db_path, orig, sizeof orig);
    /* the damage must be one quick_check sees, or this test proves nothing */
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
    bool damaged = rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
                   strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0;
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(damaged);
    check_quarantined(orig, len);
}

static void test_unusable_path(void **state)
{
    char file[160], path[200];
    snprintf(file, sizeof file, "%s/plain-file", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(path, sizeof path, "%s/kiosk.db", file);
    struct store *s = NULL;
    struct store_health health;
    assert_true(store_open(&s, path, "kiosk-1", 1, &health) < 0);
    assert_null(s);
}

int main(void)
{
    log_init("test_store", LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_counts_equal_taps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_followups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_input_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wal_and_incarnation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_is_refused_not_quarantined, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_quarantine_garbage_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quarantine_corrupt_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_path, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
