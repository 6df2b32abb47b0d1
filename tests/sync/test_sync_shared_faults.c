/*
 * test_sync_shared_faults: faults on the shared SQLite file (the embedded
 * default sync target, sqlite_backend.c) while taps keep arriving, in a
 * loop over N as SQLite's own tests do.
 *
 * The fault VFS (tests/faults/fault_vfs.h) is narrowed to the shared
 * file's paths (the database, its -wal and -shm): the kiosk's store beside
 * it works.  For each kind of fault (the Nth open, write or sync of the
 * shared file failing with an I/O error, "disk full" or "busy", the Nth
 * writer's lock answering busy as when another process writes; and disk
 * full or an I/O error that lasts from the Nth write or sync on) and for
 * N = 1, 2, ...: a session records taps and follow-ups round after round
 * while a sync engine pushes them on a simulated clock, as the kiosk's
 * sync thread does (a round on each commit unless it backs off).  Each
 * recording returns at once and the store takes every tap (the kiosk
 * keeps serving); once the fault is gone the sync catches up and the
 * shared file's rows for the kiosk equal the store's exactly: no tap lost,
 * none doubled.  A kind's loop ends at the first N past the last
 * operation of its kind the flow makes.
 *
 * Every point: `make test-faults-long` (argument 1); CI takes every
 * STRIDE-th point (the first argument), each kind starting at another
 * offset so that together they still meet every phase of a round.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "clock.h"
#include "config.h"
#include "fault_vfs.h"
#include "log.h"
#include "session.h"
#include "sync.h"
#include "sync_test_util.h"

#define ROUNDS         5 /* rounds of tapping, a sync step after each */
#define TAPS_PER_ROUND 3
#define ROUND_MS       5000 /* simulated time between rounds */

struct fault_kind {
    enum fault_op op;
    int error;
    bool persistent; /* from the Nth on, until the tapping ends */
    const char *name;
};

static const struct fault_kind kinds[] = {
    {FAULT_OPEN, SQLITE_IOERR, false, "open: I/O error"},
    {FAULT_OPEN, SQLITE_FULL, false, "open: disk full"},
    {FAULT_OPEN, SQLITE_BUSY, false, "open: busy"},
    {FAULT_WRITE, SQLITE_IOERR_WRITE, false, "write: I/O error"},
    {FAULT_WRITE, SQLITE_FULL, false, "write: disk full"},
    {FAULT_WRITE, SQLITE_BUSY, false, "write: busy"},
    {FAULT_SYNC, SQLITE_IOERR_FSYNC, false, "sync: I/O error"},
    {FAULT_SYNC, SQLITE_FULL, false, "sync: disk full"},
    {FAULT_SYNC, SQLITE_BUSY, false, "sync: busy"},
    {FAULT_LOCK, SQLITE_BUSY, false, "writer's lock: busy"},
    {FAULT_WRITE, SQLITE_FULL, true, "write: disk full, lasting"},
    {FAULT_SYNC, SQLITE_IOERR_FSYNC, true, "sync: I/O error, lasting"},
};

static long stride = 1; /* every stride-th point (argv[1]) */

/* How long a recording may take: it only queues (the sanitizer build and a
 * loaded machine get more room; it is still far below a sync's time). */
static int64_t record_limit_ms(void)
{
    return getenv("WOW_ASAN") ? 1000 : 200;
}

/* One round of taps, each with a follow-up, queued as the render thread
 * does; none may wait on the disk. */
static void record_round(struct session *session, int round, int64_t t0)
{
    for (int i = 0; i < TAPS_PER_ROUND; i++) {
        int k = round * TAPS_PER_ROUND + i;
        int64_t at = t0 + (int64_t)k * 61000; /* over several minute buckets */
        int64_t before = clock_real().mono_ms;
        struct kiosk_actions a = {.record_tap = true};
        a.tap.department = 0;
        a.tap.rating = (enum rating)(1 + k % 4);
        a.tap.misuse = k % 7 == 3;
        a.tap.at_utc_ms = at;
        session_record(session, &a, before, at);
        struct kiosk_actions fu = {.record_followup = true};
        fu.followup.positive = k % 4 >= 2;
        fu.followup.reason = -1;
        fu.followup.ended_by = FOLLOWUP_SKIPPED;
        session_record(session, &fu, before, at + 1);
        int64_t took = clock_real().mono_ms - before;
        if (took > record_limit_ms())
            fail_msg("recording a tap took %lld ms: the kiosk waited on the sync", (long long)took);
    }
}

/* sum of the kiosk's shared tap counts (every rating and misuse column) */
static long long shared_taps(const struct shared_db *db, const char *kiosk_id)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT coalesce(sum(rating_1 + rating_2 + rating_3 + rating_4 + misuse_1 + misuse_2"
             " + misuse_3 + misuse_4), 0) FROM tap_counts WHERE kiosk_id = '%s'",
             kiosk_id);
    char *rows = shared_query(db, sql);
    long long n = strtoll(rows, NULL, 10);
    free(rows);
    return n;
}

/* The tapping rounds with the fault armed; the engine steps as the sync
 * thread would: a round on each commit unless it is backing off. */
static void tap_and_sync(struct session *session, struct sync_engine *e, int64_t *now, int64_t t0,
                         const char *what)
{
    for (int round = 0; round < ROUNDS; round++) {
        record_round(session, round, t0);
        if (!session_wait_idle(session, 20000))
            fail_msg("%s: the store did not take round %d's taps", what, round);
        struct session_health h;
        session_health(session, &h);
        if (h.error[0] || h.waiting)
            fail_msg("%s: the store fails with the shared file (%s)", what, h.error);
        struct sync_status st;
        sync_engine_status(e, &st);
        if (st.state != SYNC_STATE_FAILING)
            sync_engine_request(e);
        sync_engine_step(e, *now, T0_UTC_MS + *now);
        *now += ROUND_MS;
    }
}

/* One run with the nth operation of kind failing; false when none failed. */
static bool run_once(const struct fault_kind *kind, int kind_index, int n,
                     const struct shared_db *db, struct config *config)
{
    char store[160], what[160];
    snprintf(config->kiosk_id, sizeof config->kiosk_id, "k%d-%d", kind_index, n);
    snprintf(store, sizeof store, "%s/%s.db", db->dir, config->kiosk_id);
    snprintf(what, sizeof what, "%s at %s %d", kind->name, fault_op_name(kind->op), n);
    int64_t t0 = T0_UTC_MS, now = 0;
    struct session *session = session_create(config, store, t0);
    assert_non_null(session);
    struct sync_settings settings;
    test_settings(&settings, db->target, store, config->kiosk_id);
    struct sync_engine *e = sync_engine_create(&settings, -1);
    assert_non_null(e);

    fault_vfs_arm(kind->op, n, kind->error, kind->persistent);
    tap_and_sync(session, e, &now, t0, what);
    fault_vfs_disarm();
    bool fired = fault_vfs_fired() > 0;

    now += 3600000; /* past any back-off */
    sync_engine_request(e);
    sync_until_idle(e, &now, 10);
    sync_engine_destroy(e);
    session_destroy(session, t0 + 3600000);

    char incarnation[40];
    store_incarnation_of(store, incarnation);
    char *local = local_dump(store), *shared = shared_dump(db, config->kiosk_id, incarnation);
    if (strcmp(local, shared) != 0)
        fail_msg("%s: the shared rows differ from the store's\nstore:\n%s\nshared:\n%s", what,
                 local, shared);
    free(local);
    free(shared);
    long long taps = shared_taps(db, config->kiosk_id);
    if (taps != ROUNDS * TAPS_PER_ROUND)
        fail_msg("%s: %lld taps in the shared totals, %d recorded", what, taps,
                 ROUNDS * TAPS_PER_ROUND);
    return fired;
}

static void test_every_shared_fault(void **state)
{
    (void)state;
    struct shared_db db;
    shared_db_create(&db, false, "shared_faults");
    assert_true(db.target[0] == '/'); /* as SQLite names the files it opens */
    fault_vfs_only(db.target);
    static struct config config;
    config_defaults(&config);
    int points = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = 1 + (int)(k % (size_t)stride), runs = 0;
        while (run_once(&kinds[k], (int)k, n, &db, &config)) {
            n += (int)stride;
            runs++;
        }
        if (runs == 0) { /* a kind with fewer points than the stride: its first */
            assert_true(run_once(&kinds[k], (int)k, 1, &db, &config));
            runs = 1;
        }
        printf("shared faults: %s: %d runs over points 1..%d (every %ld): every tap once\n",
               kinds[k].name, runs, n - 1, stride);
        /* the flow did reach the shared file with this kind */
        assert_true(n - 1 >= (kinds[k].op == FAULT_OPEN ? 2 : 5));
        points += runs;
    }
    printf("shared faults: %d runs, the shared totals equal the store's after each\n", points);
    fault_vfs_only(NULL);
    shared_db_destroy(&db);
}

int main(int argc, char **argv)
{
    if (argc > 1 && (stride = strtol(argv[1], NULL, 10)) < 1) {
        fprintf(stderr, "usage: test_sync_shared_faults [STRIDE >= 1]\n");
        return 2;
    }
    log_init("test_sync_shared_faults", LOG_ERROR);
    if (fault_vfs_install() != SQLITE_OK) {
        fprintf(stderr, "test_sync_shared_faults: cannot register the fault VFS\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_shared_fault)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
