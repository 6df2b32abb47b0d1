/*
 * test_store: what the kiosk writes while customers tap: taps and their
 * counts, follow-ups and their reason counts, the sync's changed_seq, what
 * is refused, the pragmas on the store's own connection, the incarnation,
 * and the log line the crash test greps.  Real SQLite files in a temp dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "store_test_util.h"

static const char *const departments[] = {"front", "it", "lab"};

enum { N_DEPARTMENTS = 3, N_BUCKETS = 12 };

/* Sends n taps spread by a fixed LCG over departments, buckets (first and
 * last millisecond of each), faces and misuse; sent[][][][] counts them. */
static void send_random_taps(struct store *s, int n, int64_t base,
                             int sent[N_DEPARTMENTS][N_BUCKETS][5][2])
{
    unsigned seed = 12345;
    for (int i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        int d = (int)((seed >> 8) % N_DEPARTMENTS), b = (int)((seed >> 12) % N_BUCKETS);
        int r = 1 + (int)((seed >> 16) % 4);
        bool misuse = (seed >> 20) % 5 == 0;
        int64_t at = base + (int64_t)b * STORE_BUCKET_MS + (i % 2 ? STORE_BUCKET_MS - 1 : 0);
        struct store_tap tap = {at, departments[d], r, misuse};
        int64_t id = 0;
        assert_int_equal(store_record_tap(s, &tap, &id), 0);
        assert_int_equal(id, i + 1);
        sent[d][b][r][misuse]++;
    }
}

/* "department = .. AND <column> = bucket AND rating = .. AND misuse = .." */
static void where_cell(char *buf, size_t size, int d, const char *column, long long bucket, int r,
                       int m)
{
    snprintf(buf, size, "department = '%s' AND %s = %lld AND rating = %d AND misuse = %d",
             departments[d], column, bucket, r, m);
}

/* Counts equal taps: every (department, bucket, rating, misuse) count is
 * what the test sent, and the taps table grouped the same way. */
static void test_counts_equal_taps(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    assert_true(health.created);
    enum { N = 400 };
    static int sent[N_DEPARTMENTS][N_BUCKETS][5][2];
    memset(sent, 0, sizeof sent);
    int64_t base = TEST_NOW_MS / STORE_BUCKET_MS * STORE_BUCKET_MS;
    send_random_taps(s, N, base, sent);
    store_close(s);

    char sql[400];
    for (int d = 0; d < N_DEPARTMENTS; d++)
        for (int b = 0; b < N_BUCKETS; b++)
            for (int r = 1; r <= 4; r++)
                for (int m = 0; m < 2; m++) {
                    long long bucket = base + (int64_t)b * STORE_BUCKET_MS;
                    char cond[200];
                    where_cell(cond, sizeof cond, d, "bucket_start_ms_utc", bucket, r, m);
                    snprintf(sql, sizeof sql, "SELECT coalesce(sum(n), 0) FROM counts WHERE %s",
                             cond);
                    assert_int_equal(test_query_int(t->db_path, sql), sent[d][b][r][m]);
                    where_cell(cond, sizeof cond, d, "at_ms_utc / 900000 * 900000", bucket, r, m);
                    snprintf(sql, sizeof sql, "SELECT count(*) FROM taps WHERE %s", cond);
                    assert_int_equal(test_query_int(t->db_path, sql), sent[d][b][r][m]);
                }
    assert_int_equal(test_query_int(t->db_path, "SELECT sum(n) FROM counts"), N);
    /* no count row without taps behind it */
    assert_int_equal(test_query_int(t->db_path,
                                    "SELECT count(*) FROM counts k WHERE n <> (SELECT count(*) "
                                    "FROM taps t WHERE t.department = k.department AND "
                                    "t.at_ms_utc / 900000 * 900000 = k.bucket_start_ms_utc AND "
                                    "t.rating = k.rating AND t.misuse = k.misuse)"),
                     0);
    /* one transaction per tap, each with its own seq */
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = 'seq'"), N);
    assert_int_equal(test_query_int(t->db_path, "SELECT max(changed_seq) FROM counts"), N);
}

/* store_count_taps by department and from a time (the figure beside a
 * department's note, the technician's "Today"): the sent taps summed by
 * hand, misuse apart, a bucket counted from its start. */
static void test_count_taps(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    static int sent[N_DEPARTMENTS][N_BUCKETS][5][2];
    memset(sent, 0, sizeof sent);
    int64_t base = TEST_NOW_MS / STORE_BUCKET_MS * STORE_BUCKET_MS;
    send_random_taps(s, 300, base, sent);
    for (int from_bucket = 0; from_bucket < N_BUCKETS; from_bucket += 5) {
        for (int d = -1; d < N_DEPARTMENTS; d++) {
            int64_t want[5] = {0}, want_misuse = 0, got[5], misuse = -1;
            for (int dd = 0; dd < N_DEPARTMENTS; dd++)
                for (int b = from_bucket; b < N_BUCKETS; b++)
                    for (int r = 1; r <= 4; r++)
                        if (d < 0 || dd == d) {
                            want[r] += sent[dd][b][r][0];
                            want_misuse += sent[dd][b][r][1];
                        }
            /* from a time inside the bucket: the whole bucket counts */
            int64_t from = base + (int64_t)from_bucket * STORE_BUCKET_MS + 1;
            assert_int_equal(store_count_taps(s, d < 0 ? NULL : departments[d], from, got, &misuse),
                             0);
            for (int r = 1; r <= 4; r++)
                assert_int_equal(got[r], want[r]);
            assert_int_equal(misuse, want_misuse);
        }
    }
    int64_t got[5], misuse;
    assert_int_equal(store_count_taps(s, "nobody", 0, got, &misuse), 0);
    assert_int_equal(got[1] + got[2] + got[3] + got[4] + misuse, 0);
    store_close(s);
}

/* A tap before 1970 lands in the bucket that contains it (floor, not truncation). */
static void test_bucket_is_floor(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t id;
    struct store_tap tap = {-1, "front", 2, false};
    assert_int_equal(store_record_tap(s, &tap, &id), 0);
    tap.at_ms_utc = 2 * STORE_BUCKET_MS + 5;
    assert_int_equal(store_record_tap(s, &tap, &id), 0);
    store_close(s);
    assert_int_equal(test_query_int(t->db_path, "SELECT min(bucket_start_ms_utc) FROM counts"),
                     -STORE_BUCKET_MS);
    assert_int_equal(test_query_int(t->db_path, "SELECT max(bucket_start_ms_utc) FROM counts"),
                     2 * STORE_BUCKET_MS);
}

static long long changed_seq_of(const struct test_dir *t, const char *department)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT changed_seq FROM counts WHERE department = '%s'", department);
    return test_query_int(t->db_path, sql);
}

/* Every write stamps its count with a seq above every earlier one, so
 * "changed_seq > synced_seq" finds exactly what moved. */
static void test_changed_seq_increases(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t id_front, id_it;
    struct store_tap front = {TEST_NOW_MS, "front", 4, false};
    struct store_tap it = {TEST_NOW_MS, "it", 4, false};
    assert_int_equal(store_record_tap(s, &front, &id_front), 0);
    long long first = changed_seq_of(t, "front");
    assert_int_equal(store_record_tap(s, &it, &id_it), 0);
    long long other = changed_seq_of(t, "it");
    assert_true(other > first);
    assert_int_equal(changed_seq_of(t, "front"), first); /* untouched row keeps its seq */
    assert_int_equal(store_record_tap(s, &front, &id_front), 0);
    assert_true(changed_seq_of(t, "front") > other);

    struct store_followup f = {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_CHOSEN};
    assert_int_equal(store_record_followup(s, id_front, &f), 0);
    long long reason_seq =
        test_query_int(t->db_path, "SELECT changed_seq FROM reason_counts WHERE reason = 'fast'");
    assert_true(reason_seq > changed_seq_of(t, "front"));
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = 'seq'"),
                     reason_seq);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = 'synced_seq'"),
                     0);
    store_close(s);
}

static void test_followups(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t id1, id2, id3, id4;
    struct store_tap tap = {TEST_NOW_MS, "front", 4, false};
    assert_int_equal(store_record_tap(s, &tap, &id1), 0);
    tap.rating = 1;
    tap.misuse = true;
    assert_int_equal(store_record_tap(s, &tap, &id2), 0);
    tap.rating = 2;
    assert_int_equal(store_record_tap(s, &tap, &id3), 0);
    tap.at_ms_utc += STORE_BUCKET_MS; /* the next bucket */
    tap.misuse = false;
    assert_int_equal(store_record_tap(s, &tap, &id4), 0);

    struct store_followup chosen = {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_CHOSEN};
    struct store_followup skipped = {STORE_QUESTION_NEGATIVE, NULL, STORE_FOLLOWUP_SKIPPED};
    struct store_followup timeout = {STORE_QUESTION_NEGATIVE, NULL, STORE_FOLLOWUP_TIMEOUT};
    assert_int_equal(store_record_followup(s, id1, &chosen), 0);
    assert_int_equal(store_record_followup(s, id2, &skipped), 0);
    assert_int_equal(store_record_followup(s, id3, &skipped), 0);
    assert_int_equal(store_record_followup(s, id4, &timeout), 0);
    store_close(s);

    const char *db = t->db_path;
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM followups"), 4);
    assert_int_equal(test_query_int(db, "SELECT sum(n) FROM reason_counts"), 4);
    /* the tap's department, bucket and misuse, not the caller's */
    assert_int_equal(test_query_int(db, "SELECT n FROM reason_counts WHERE reason = 'fast' AND "
                                        "ended_by = 'chosen' AND misuse = 0 AND "
                                        "department = 'front' AND question = 'positive'"),
                     1);
    assert_int_equal(test_query_int(db, "SELECT n FROM reason_counts WHERE reason = '' AND "
                                        "ended_by = 'skipped' AND misuse = 1"),
                     2);
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT n FROM reason_counts WHERE ended_by = 'timeout' AND misuse = 0 AND "
             "bucket_start_ms_utc = %lld",
             (long long)((TEST_NOW_MS + STORE_BUCKET_MS) / STORE_BUCKET_MS * STORE_BUCKET_MS));
    assert_int_equal(test_query_int(db, sql), 1);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM followups WHERE reason IS NULL"), 3);
}

/* Invalid input, a second follow-up and an unknown tap are refused (not
 * worth a retry) and write nothing, not even a seq. */
static void test_refused_input_writes_nothing(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t id = 0;
    struct store_tap bad[] = {
        {1, "front", 0, false}, {1, "front", 5, false}, {1, "", 3, false}, {1, NULL, 3, false}};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(store_record_tap(s, &bad[i], &id), STORE_ERR_REFUSED);
    struct store_tap ok = {1, "front", 3, false};
    assert_int_equal(store_record_tap(s, &ok, &id), 0);
    struct store_followup badf[] = {{(enum store_question)2, NULL, STORE_FOLLOWUP_SKIPPED},
                                    {STORE_QUESTION_POSITIVE, NULL, (enum store_followup_end)3},
                                    {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_SKIPPED},
                                    {STORE_QUESTION_POSITIVE, NULL, STORE_FOLLOWUP_CHOSEN},
                                    {STORE_QUESTION_POSITIVE, "", STORE_FOLLOWUP_CHOSEN},
                                    {(enum store_question) - 1, NULL, STORE_FOLLOWUP_TIMEOUT},
                                    {STORE_QUESTION_POSITIVE, NULL, (enum store_followup_end) - 1}};
    for (unsigned i = 0; i < sizeof badf / sizeof badf[0]; i++)
        assert_int_equal(store_record_followup(s, id, &badf[i]), STORE_ERR_REFUSED);
    struct store_followup good = {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_CHOSEN};
    assert_int_equal(store_record_followup(s, id + 1, &good), STORE_ERR_REFUSED);
    assert_int_equal(store_record_followup(s, id, &good), 0);
    struct store_followup again = {STORE_QUESTION_NEGATIVE, NULL, STORE_FOLLOWUP_SKIPPED};
    assert_int_equal(store_record_followup(s, id, &again), STORE_ERR_REFUSED);
    /* the refusals left no transaction open: the store still writes (a
     * tap of another millisecond: the same one again is the same tap) */
    ok.at_ms_utc = 2;
    assert_int_equal(store_record_tap(s, &ok, &id), 0);
    store_close(s);

    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps"), 2);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM followups"), 1);
    assert_int_equal(test_query_int(t->db_path, "SELECT sum(n) FROM reason_counts"), 1);
    assert_int_equal(test_query_int(t->db_path, "SELECT sum(n) FROM counts"), 2);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = 'seq'"), 3);
}

/* The CHECKs hold against another writer too. */
static void test_schema_checks(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    store_close(test_open(t, &health));
    sqlite3 *db;
    assert_int_equal(sqlite3_open(t->db_path, &db), SQLITE_OK);
    const char *bad[] = {
        "INSERT INTO taps(at_ms_utc, department, rating, misuse) VALUES (1, 'a', 5, 0)",
        "INSERT INTO taps(at_ms_utc, department, rating, misuse) VALUES (1, 'a', 1, 2)",
        "INSERT INTO taps(at_ms_utc, department, rating, misuse) VALUES (1, '', 1, 0)",
        "INSERT INTO counts VALUES ('a', 0, 0, 0, 1, 1)",
        "INSERT INTO counts VALUES ('a', 0, 1, 0, 0, 1)",
        "INSERT INTO reason_counts VALUES ('a', 0, 'positive', 'x', 'skipped', 0, 1, 1, 1)",
        "INSERT INTO reason_counts VALUES ('a', 0, 'maybe', '', 'skipped', 0, 1, 1, 1)",
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sqlite3_exec(db, bad[i], NULL, NULL, NULL), SQLITE_CONSTRAINT);
    sqlite3_close(db);
}

/* WAL, synchronous=FULL, foreign keys and the busy timeout, read back on
 * the store's own connection (synchronous is per connection). */
static void test_pragmas(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    long long v = -1;
    assert_int_equal(store_pragma_int(s, "synchronous", &v), 0);
    assert_int_equal(v, 2); /* FULL */
    assert_int_equal(store_pragma_int(s, "foreign_keys", &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(store_pragma_int(s, "busy_timeout", &v), 0);
    assert_int_equal(v, STORE_BUSY_MS);
    assert_true(store_pragma_int(s, "journal_mode", &v) < 0); /* text, not a number */
    assert_true(store_pragma_int(s, "synchronous=OFF", &v) < 0);
    assert_int_equal(store_pragma_int(s, "synchronous", &v), 0);
    assert_int_equal(v, 2);

    sqlite3 *db; /* journal_mode is the file's: any connection sees it */
    assert_int_equal(sqlite3_open(t->db_path, &db), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
    store_close(s);
}

static void test_incarnation(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    assert_true(health.created);
    assert_false(health.quarantined);
    assert_int_equal(health.migrated_from, 0);
    char first[33];
    snprintf(first, sizeof first, "%s", store_incarnation(s));
    assert_int_equal(strlen(first), 32);
    assert_int_equal(strspn(first, "0123456789abcdef"), 32);
    assert_string_equal(store_path(s), t->db_path);
    assert_string_equal(store_kiosk_id(s), "kiosk-1");
    int64_t id;
    struct store_tap tap = {1, "front", 3, false};
    assert_int_equal(store_record_tap(s, &tap, &id), 0);
    store_close(s);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = "
                                                "'created_ms_utc'"),
                     TEST_NOW_MS);

    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = "
                                                "'schema_version'"),
                     STORE_SCHEMA_VERSION);

    s = test_open(t, &health); /* reopen: a no-op, same incarnation, data kept */
    assert_false(health.created);
    assert_int_equal(health.migrated_from, STORE_SCHEMA_VERSION);
    assert_string_equal(store_incarnation(s), first);
    store_close(s);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps"), 1);

    unlink(t->db_path); /* a new database is a new incarnation */
    s = test_open(t, &health);
    assert_true(health.created);
    assert_string_not_equal(store_incarnation(s), first);
    store_close(s);
}

/* A file from a newer wowkiosk (schema_version 99 set by hand) is refused
 * and left exactly as it was: not migrated, not quarantined. */
static void test_newer_schema_refused(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t id;
    struct store_tap tap = {TEST_NOW_MS, "front", 2, false};
    assert_int_equal(store_record_tap(s, &tap, &id), 0);
    store_close(s);
    test_exec(t->db_path, "UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    static unsigned char before[1 << 16], after[1 << 16];
    long len = test_file_bytes(t->db_path, before, sizeof before);
    assert_true(len > 0 && len < (long)sizeof before);

    s = (struct store *)&s; /* must be reset to NULL */
    assert_true(store_open(&s, t->db_path, "kiosk-1", TEST_NOW_MS, &health) < 0);
    assert_null(s);
    assert_false(health.quarantined);
    assert_int_equal(health.migrated_from, 99);
    assert_int_equal(test_file_bytes(t->db_path, after, sizeof after), len);
    assert_memory_equal(after, before, (size_t)len);
    assert_int_equal(test_query_int(t->db_path, "SELECT value FROM meta WHERE key = "
                                                "'schema_version'"),
                     99);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM taps"), 1);
    DIR *dir = opendir(t->dir); /* nothing was moved aside */
    assert_non_null(dir);
    for (struct dirent *e = readdir(dir); e != NULL; e = readdir(dir))
        assert_null(strstr(e->d_name, ".corrupt-"));
    closedir(dir);
}

/* The crash test greps "tap committed id=N" to know which taps the kiosk
 * reported durable: the line must come, once, with the id the store gave. */
static void test_commit_log_lines(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t id1, id2;
    struct store_tap tap = {TEST_NOW_MS, "front", 3, true};
    assert_int_equal(store_record_tap(s, &tap, &id1), 0);
    log_init("test_store", LOG_INFO);
    int saved = test_capture_begin(t);
    tap.rating = 4;
    tap.misuse = false;
    int rc_tap = store_record_tap(s, &tap, &id2);
    struct store_followup f = {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_CHOSEN};
    int rc_followup = store_record_followup(s, id2, &f);
    struct store_tap bad = {TEST_NOW_MS, "front", 9, false};
    int64_t unused;
    int rc_bad = store_record_tap(s, &bad, &unused);
    char *text = test_capture_end(t, saved);
    log_init("test_store", LOG_WARN);
    store_close(s);

    assert_int_equal(rc_tap, 0);
    assert_int_equal(rc_followup, 0);
    assert_int_equal(rc_bad, STORE_ERR_REFUSED);
    char want[160];
    snprintf(want, sizeof want, "tap committed id=%lld department=front rating=4 misuse=0\n",
             (long long)id2);
    assert_non_null(strstr(text, want));
    snprintf(want, sizeof want, "followup committed tap=%lld ", (long long)id2);
    assert_non_null(strstr(text, want));
    const char *first = strstr(text, "tap committed id=");
    assert_null(strstr(first + 1, "tap committed id=")); /* none for the refused tap */
    free(text);
}

int main(void)
{
    log_init("test_store", LOG_WARN);
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_counts_equal_taps), T(test_count_taps),
        T(test_bucket_is_floor),   T(test_changed_seq_increases),
        T(test_followups),         T(test_refused_input_writes_nothing),
        T(test_schema_checks),     T(test_pragmas),
        T(test_incarnation),       T(test_newer_schema_refused),
        T(test_commit_log_lines),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
