/*
 * test_store_oom: SQLite's allocations fail, one at a time, while the
 * kiosk store opens and records taps (app/store), as SQLite's own
 * malloc tests run: a wrapping allocator (SQLITE_CONFIG_MALLOC) fails
 * the Nth allocation, once or from then on, for N = 1, 2, ... (every
 * 7th and 29th in CI; FAULT_EVERY=1 for all of them) until a
 * run no longer reaches the Nth.  Each run must end in a clear result,
 * never a crash: store_open fails (logged) or succeeds; a record returns
 * 0 or STORE_ERR_RETRY, retried as the session does; every acknowledged
 * tap is in the file once.  Under ASan (WOW_ASAN builds) LeakSanitizer
 * checks nothing leaks on any of these paths.
 *
 * The project's own allocations are plain malloc calls spread over many
 * modules (no single allocation hook to fail), so this covers SQLite's
 * part, the store's allocations that can fail per tap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

#define TAPS      3
#define TRIES_MAX 40
#define NOW_MS    1790000000000LL

/* The failing allocator's state: SQLite's allocator is process-wide. */
static sqlite3_mem_methods oom_real;
static atomic_int oom_calls, oom_nth, oom_fired, oom_persistent;

static void *oom_malloc(int n)
{
    int c = atomic_fetch_add(&oom_calls, 1) + 1;
    int nth = atomic_load(&oom_nth);
    if (nth > 0 && (c == nth || (c > nth && atomic_load(&oom_persistent)))) {
        atomic_fetch_add(&oom_fired, 1);
        return NULL;
    }
    return oom_real.xMalloc(n);
}

static void *oom_realloc(void *p, int n)
{
    int c = atomic_fetch_add(&oom_calls, 1) + 1;
    int nth = atomic_load(&oom_nth);
    if (nth > 0 && (c == nth || (c > nth && atomic_load(&oom_persistent)))) {
        atomic_fetch_add(&oom_fired, 1);
        return NULL;
    }
    return oom_real.xRealloc(p, n);
}

static void oom_arm(int nth, bool persistent)
{
    atomic_store(&oom_nth, 0);
    atomic_store(&oom_calls, 0);
    atomic_store(&oom_fired, 0);
    atomic_store(&oom_persistent, persistent ? 1 : 0);
    atomic_store(&oom_nth, nth);
}

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

/* One run failing allocation nth; false when no allocation failed. */
static bool run_once(int nth, bool persistent)
{
    char dir[] = "/tmp/wowoom-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/kiosk.db", dir);
    oom_arm(nth, persistent);
    struct store *s = NULL;
    int acked = 0;
    for (int t = 0; t < TRIES_MAX && acked < TAPS; t++) {
        if (t == TRIES_MAX / 2) {
            int fired = atomic_load(&oom_fired);
            oom_arm(0, false); /* memory came back */
            atomic_store(&oom_fired, fired);
        }
        struct store_health h;
        if (s == NULL && store_open(&s, path, "kiosk-1", NOW_MS, &h) != 0) {
            assert_null(s);
            continue;
        }
        struct store_tap tap = {.at_ms_utc = NOW_MS + acked, .department = "d1", .rating = 2};
        int64_t id;
        int rc = store_record_tap(s, &tap, &id);
        if (rc == 0)
            acked++;
        else if (rc == STORE_ERR_CORRUPT || t % 3 == 2) {
            assert_int_not_equal(rc, STORE_ERR_REFUSED);
            store_close(s);
            s = NULL;
        }
    }
    store_close(s);
    int fired = atomic_load(&oom_fired);
    oom_arm(0, false);
    if (acked != TAPS)
        fail_msg("allocation #%d%s: %d of %d taps acknowledged", nth,
                 persistent ? " (persistent)" : "", acked, TAPS);
    long long taps = query_int(path, "SELECT count(*) FROM taps");
    if (taps != TAPS)
        fail_msg("allocation #%d%s: %lld taps in the file, %d acknowledged", nth,
                 persistent ? " (persistent)" : "", taps, TAPS);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return fired > 0;
}

static int env_int(const char *name, int fallback)
{
    const char *e = getenv(name);
    long v = e != NULL ? strtol(e, NULL, 10) : 0;
    return v > 0 && v < 10000000 ? (int)v : fallback;
}

/* Every stride-th N (FAULT_EVERY, 1 for all: make test-faults-long). */
static void loop_over_n(bool persistent, int stride)
{
    int cap = env_int("FAULT_STEPS", 1000000), n = 1, runs = 0;
    stride = env_int("FAULT_EVERY", stride);
    while (n <= cap && run_once(n, persistent)) {
        n += stride;
        runs++;
    }
    fprintf(stderr, "# allocation faults%s: %d runs, every %d up to %d\n",
            persistent ? " persistent" : "", runs, stride, n - 1);
    assert_true(runs > 0);
}

static void test_each_allocation_fails_once(void **state)
{
    (void)state;
    loop_over_n(false, 7);
}

static void test_allocations_fail_from_n_on(void **state)
{
    (void)state;
    loop_over_n(true, 29);
}

int main(void)
{
    log_init("test_store_oom", getenv("FAULT_LOG") != NULL ? LOG_DEBUG : (enum log_level)0);
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &oom_real) != SQLITE_OK)
        return 1;
    sqlite3_mem_methods m = oom_real;
    m.xMalloc = oom_malloc;
    m.xRealloc = oom_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_allocation_fails_once),
        cmocka_unit_test(test_allocations_fail_from_n_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
