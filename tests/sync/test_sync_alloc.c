/*
 * test_sync_alloc: allocation failure at each of SQLite's allocations in
 * the kiosk's start-up (opening and migrating its store), the recording of
 * taps, and a sync round to the shared SQLite file, in a loop over N as
 * SQLite's own tests do.
 *
 * SQLite's allocator is replaced (SQLITE_CONFIG_MALLOC) by one that fails
 * the Nth allocation once.  For N = 1, 2, ... the flow runs: every call
 * either works or fails with a clear error, never a crash; a store that
 * could not open because memory ran out is not taken for a damaged one
 * (its file is never moved aside); and once memory is back, the taps that
 * were refused are recorded again, a sync catches up and the shared file
 * holds every tap exactly once.  The loop ends at the first N past the
 * flow's last allocation.  All of them (about 11,700, six minutes) with
 * `make test-faults-long`; CI's run takes every STRIDE-th (the first
 * argument; 1: each), which still meets every phase of the flow.  Leaks are the sanitizer build's
 * to find (CI runs every test under ASan and LeakSanitizer).  The program's own allocations (malloc
 * in app/) are not failed here: out of memory there is handled by the same return paths
 * (docs/ARCHITECTURE.md, "Out-of-memory policy").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "sync.h"
#include "sync_test_util.h"

#define TAPS 3

/* SQLite's real allocator, and the one failure to make.  Process-wide
 * because SQLite's allocator is (set once, before SQLite starts). */
static sqlite3_mem_methods real_mem;
static struct {
    long target; /* 0: none */
    long count;
    int fired;
} plan;

static int fails_now(void)
{
    if (plan.target == 0)
        return 0;
    if (__atomic_add_fetch(&plan.count, 1, __ATOMIC_SEQ_CST) != plan.target)
        return 0;
    __atomic_store_n(&plan.fired, 1, __ATOMIC_SEQ_CST);
    return 1;
}

static void *mem_malloc(int n)
{
    return fails_now() ? NULL : real_mem.xMalloc(n);
}

static void *mem_realloc(void *p, int n)
{
    return fails_now() ? NULL : real_mem.xRealloc(p, n);
}

static void arm(long target)
{
    __atomic_store_n(&plan.count, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&plan.fired, 0, __ATOMIC_SEQ_CST);
    __atomic_store_n(&plan.target, target, __ATOMIC_SEQ_CST);
}

static bool disarm(void)
{
    __atomic_store_n(&plan.target, 0, __ATOMIC_SEQ_CST);
    return __atomic_load_n(&plan.fired, __ATOMIC_SEQ_CST) != 0;
}

/* Records taps [from, TAPS) that are not yet in; marks them. */
static void record(struct store *s, bool *in)
{
    for (int i = 0; i < TAPS; i++) {
        if (in[i])
            continue;
        struct store_tap tap = {T0_UTC_MS + i * 60000, "front", 1 + i % 4, false};
        int64_t id = 0;
        int rc = store_record_tap(s, &tap, &id);
        in[i] = rc == 0;
    }
}

/* One run with the target-th allocation failing; false when none failed. */
static bool run_once(long target, const struct shared_db *db)
{
    char store_path[128];
    snprintf(store_path, sizeof store_path, "%s/kiosk-%ld.db", db->dir, target);
    bool in[TAPS] = {false};
    struct store_health health;
    struct store *s = NULL;
    int64_t now = 0;

    arm(target);
    if (store_open(&s, store_path, "k1", T0_UTC_MS, &health) == 0) {
        record(s, in);
        store_close(s);
        struct sync_settings settings;
        test_settings(&settings, db->target, store_path, "k1");
        struct sync_engine *e = sync_engine_create(&settings, -1);
        if (e != NULL) {
            for (int round = 0; round < 3; round++) /* a round that fails retries later */
                now = sync_engine_step(e, now, T0_UTC_MS + now);
            sync_engine_destroy(e);
        }
    }
    bool fired = disarm();

    /* memory is back: nothing was moved aside, the refused taps go in, the sync catches up */
    char quarantined[160];
    snprintf(quarantined, sizeof quarantined,
             "ls %s/kiosk-%ld.db.* 2>/dev/null | "
             "grep -qv -e '-wal$' -e '-shm$' -e '-journal$'",
             db->dir, target);
    if (system(quarantined) == 0)
        fail_msg("allocation %ld failing made the store be moved aside", target);
    assert_int_equal(store_open(&s, store_path, "k1", T0_UTC_MS, &health), 0);
    record(s, in);
    for (int i = 0; i < TAPS; i++)
        assert_true(in[i]);
    int64_t by_rating[5], misuse;
    assert_int_equal(store_count_taps(s, NULL, 0, by_rating, &misuse), 0);
    if (by_rating[1] + by_rating[2] + by_rating[3] + by_rating[4] != TAPS)
        fail_msg("allocation %ld failing: %lld taps in the store, %d acknowledged", target,
                 (long long)(by_rating[1] + by_rating[2] + by_rating[3] + by_rating[4]), TAPS);
    store_close(s);
    struct sync_settings settings;
    test_settings(&settings, db->target, store_path, "k1");
    struct sync_engine *e = sync_engine_create(&settings, -1);
    assert_non_null(e);
    now += 3600000; /* past any back-off */
    sync_until_idle(e, &now, 5);
    sync_engine_destroy(e);
    char incarnation[40];
    store_incarnation_of(store_path, incarnation);
    char *local = local_dump(store_path), *shared = shared_dump(db, "k1", incarnation);
    assert_string_equal(shared, local);
    free(local);
    free(shared);
    return fired;
}

static long stride = 1; /* every stride-th allocation is failed (argv[1]) */

static void test_every_allocation(void **state)
{
    (void)state;
    struct shared_db db;
    shared_db_create(&db, false, "alloc");
    long n = 1, runs = 0;
    while (run_once(n, &db)) {
        n += stride;
        runs++;
    }
    printf("alloc: %ld of the %ld allocations of start-up, taps and a sync round (every %ld) "
           "failed once each: clear errors, every tap once\n",
           runs, n - 1, stride);
    assert_true(runs > 50); /* the flow did allocate */
    shared_db_destroy(&db);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (stride = strtol(argv[1], NULL, 10)) < 1) {
        fprintf(stderr, "usage: test_sync_alloc [STRIDE >= 1]\n");
        return 2;
    }
    log_init("test_sync_alloc", LOG_ERROR);
    assert_int_equal(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem), SQLITE_OK);
    sqlite3_mem_methods faulty = real_mem;
    faulty.xMalloc = mem_malloc;
    faulty.xRealloc = mem_realloc;
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &faulty) != SQLITE_OK) {
        fprintf(stderr, "test_sync_alloc: SQLite started before its allocator could be set\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_allocation)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
