/*
 * test_session_faults: the tap flow through every failure point of the
 * store's I/O, as SQLite's own tests loop over N.
 *
 * A test VFS wraps the default one and makes exactly the Nth write, sync
 * or open (counted over every file the store opens: the database, its
 * write-ahead log and shared memory) fail with an I/O error or "disk
 * full", or the Nth lock answer "busy" (another process has the file), or
 * the Nth read of the database come back scrambled (a damaged card: the
 * session's corrupt path, which reopens the store and moves a damaged one
 * aside; the taps it held are counted there).  For N = 1, 2, ... a session
 * records taps and follow-ups; each recording must return at once (the customer's screen never
 * waits), the session retries and reopens the store as it must, and once the fault has fired and
 * passed every acknowledged tap is in the store exactly once, each follow-up on its own tap, and
 * the counts equal the taps.  The loop ends at the first N past the last I/O operation the flow
 * makes, so every point is covered whatever SQLite's version does.
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
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "session.h"

#define TAPS 4

/* What to break: the target-th counted operation fails with error. */
struct fault_plan {
    sqlite3_vfs *base;
    int target; /* 0: none */
    int error;  /* SQLITE_IOERR_WRITE, SQLITE_FULL, ... */
    int count;  /* operations counted so far */
    bool fired;
};

struct fault_file {
    sqlite3_file base; /* first: SQLite sees this */
    struct fault_plan *plan;
    bool main_db;       /* the database itself (not its log or shared memory) */
    sqlite3_file *real; /* the default VFS's file, after this struct */
};

/* Counts one operation; true when it is the one to fail.  One thread at a
 * time reaches here: session_create opens the store on the test thread
 * before its writer thread starts, the writer alone writes after that, and
 * the checks read the file through the plain "unix" VFS once the session
 * is gone. */
static bool fault_now(struct fault_plan *p)
{
    if (p->target == 0)
        return false;
    if (++p->count != p->target)
        return false;
    p->fired = true;
    return true;
}

static int f_close(sqlite3_file *f)
{
    struct fault_file *ff = (struct fault_file *)f;
    int rc = ff->real->pMethods ? ff->real->pMethods->xClose(ff->real) : SQLITE_OK;
    return rc;
}
/* "Corrupt": the Nth read of the database file hands SQLite scrambled
 * bytes (the file itself stays whole), so the store meets what a damaged
 * card looks like and the session's corrupt path runs mid-flow. */
static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    struct fault_file *ff = (struct fault_file *)f;
    int rc = ff->real->pMethods->xRead(ff->real, buf, n, off);
    if (rc == SQLITE_OK && ff->main_db && ff->plan->error == SQLITE_CORRUPT && fault_now(ff->plan))
        memset(buf, 0xA5, (size_t)n);
    return rc;
}
static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    struct fault_file *ff = (struct fault_file *)f;
    if (ff->plan->error != SQLITE_BUSY && ff->plan->error != SQLITE_CORRUPT && fault_now(ff->plan))
        return ff->plan->error == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_WRITE;
    return ff->real->pMethods->xWrite(ff->real, buf, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xTruncate(ff->real, size);
}
static int f_sync(sqlite3_file *f, int flags)
{
    struct fault_file *ff = (struct fault_file *)f;
    if (ff->plan->error != SQLITE_BUSY && ff->plan->error != SQLITE_CORRUPT && fault_now(ff->plan))
        return ff->plan->error == SQLITE_FULL ? SQLITE_FULL : SQLITE_IOERR_FSYNC;
    return ff->real->pMethods->xSync(ff->real, flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xFileSize(ff->real, size);
}
/* Locks (the file's, and the write-ahead log's in shared memory) are
 * counted only when the plan is "busy": another process holding the
 * database at that moment. */
static int f_lock(sqlite3_file *f, int level)
{
    struct fault_file *ff = (struct fault_file *)f;
    if (ff->plan->error == SQLITE_BUSY && fault_now(ff->plan))
        return SQLITE_BUSY;
    return ff->real->pMethods->xLock(ff->real, level);
}
static int f_unlock(sqlite3_file *f, int level)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xUnlock(ff->real, level);
}
static int f_check_lock(sqlite3_file *f, int *out)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xCheckReservedLock(ff->real, out);
}
static int f_control(sqlite3_file *f, int op, void *arg)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xFileControl(ff->real, op, arg);
}
static int f_sector(sqlite3_file *f)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xSectorSize(ff->real);
}
static int f_device(sqlite3_file *f)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xDeviceCharacteristics(ff->real);
}
static int f_shm_map(sqlite3_file *f, int page, int size, int extend, void volatile **p)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xShmMap(ff->real, page, size, extend, p);
}
static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    struct fault_file *ff = (struct fault_file *)f;
    if (ff->plan->error == SQLITE_BUSY && (flags & SQLITE_SHM_LOCK) && fault_now(ff->plan))
        return SQLITE_BUSY;
    return ff->real->pMethods->xShmLock(ff->real, offset, n, flags);
}
static void f_shm_barrier(sqlite3_file *f)
{
    struct fault_file *ff = (struct fault_file *)f;
    ff->real->pMethods->xShmBarrier(ff->real);
}
static int f_shm_unmap(sqlite3_file *f, int del)
{
    struct fault_file *ff = (struct fault_file *)f;
    return ff->real->pMethods->xShmUnmap(ff->real, del);
}

/* Version 2: no memory-mapped I/O (xFetch), so every write is seen here. */
static const sqlite3_io_methods fault_methods = {
    .iVersion = 2,
    .xClose = f_close,
    .xRead = f_read,
    .xWrite = f_write,
    .xTruncate = f_truncate,
    .xSync = f_sync,
    .xFileSize = f_size,
    .xLock = f_lock,
    .xUnlock = f_unlock,
    .xCheckReservedLock = f_check_lock,
    .xFileControl = f_control,
    .xSectorSize = f_sector,
    .xDeviceCharacteristics = f_device,
    .xShmMap = f_shm_map,
    .xShmLock = f_shm_lock,
    .xShmBarrier = f_shm_barrier,
    .xShmUnmap = f_shm_unmap,
};

static int v_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
    struct fault_plan *plan = vfs->pAppData;
    struct fault_file *ff = (struct fault_file *)file;
    ff->base.pMethods = NULL;
    ff->plan = plan;
    ff->real = (sqlite3_file *)(ff + 1);
    ff->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    if (plan->error != SQLITE_BUSY && plan->error != SQLITE_CORRUPT && fault_now(plan))
        return SQLITE_CANTOPEN;
    int rc = plan->base->xOpen(plan->base, name, ff->real, flags, out);
    if (rc == SQLITE_OK)
        ff->base.pMethods = &fault_methods;
    return rc;
}

/* The rest straight to the default VFS. */
static int v_delete(sqlite3_vfs *v, const char *n, int s)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xDelete(p->base, n, s);
}
static int v_access(sqlite3_vfs *v, const char *n, int f, int *o)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xAccess(p->base, n, f, o);
}
static int v_full(sqlite3_vfs *v, const char *n, int size, char *o)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xFullPathname(p->base, n, size, o);
}
static int v_random(sqlite3_vfs *v, int n, char *o)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xRandomness(p->base, n, o);
}
static int v_sleep(sqlite3_vfs *v, int us)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xSleep(p->base, us);
}
static int v_time(sqlite3_vfs *v, double *o)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xCurrentTime(p->base, o);
}
static int v_error(sqlite3_vfs *v, int n, char *o)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xGetLastError(p->base, n, o);
}
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *o)
{
    struct fault_plan *p = v->pAppData;
    return p->base->xCurrentTimeInt64(p->base, o);
}

static long long query_int(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, "unix"), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* One run with the target-th operation failing; false when no fault
 * fired (target is past the flow's last operation).  *moved_aside counts
 * the runs that left a store moved aside as damaged. */
static bool run_once(struct fault_plan *plan, int target, int error, const struct config *config,
                     int *moved_aside)
{
    char dir[] = "/tmp/wowfaults-XXXXXX", db_path[96];
    assert_non_null(mkdtemp(dir));
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", dir);
    *plan = (struct fault_plan){.base = plan->base, .target = target, .error = error};
    int64_t t0 = 1790000000000LL;
    struct session *session = session_create(config, db_path, t0);
    assert_non_null(session);
    for (int i = 0; i < TAPS; i++) {
        int64_t before = clock_real().mono_ms;
        struct kiosk_actions a = {.record_tap = true};
        a.tap.department = 0;
        a.tap.rating = (enum rating)(1 + i % 4);
        a.tap.at_utc_ms = t0 + i * 1000;
        session_record(session, &a, before, t0 + i * 1000);
        struct kiosk_actions fu = {.record_followup = true};
        fu.followup.positive = i % 4 >= 2;
        fu.followup.reason = -1;
        fu.followup.ended_by = FOLLOWUP_SKIPPED;
        session_record(session, &fu, before, t0 + i * 1000 + 1);
        /* the customer's screen never waits on the disk */
        assert_true(clock_real().mono_ms - before < 200);
    }
    bool idle = session_wait_idle(session, 20000);
    session_destroy(session, t0 + 60000);
    bool fired = plan->fired;
    plan->target = 0;
    if (!idle)
        fail_msg("fault %d at operation %d: the session never caught up", error, target);
    /* exactly once: the taps, their counts, each follow-up on its own tap; a store
     * the corrupt path moved aside (PATH.corrupt-*) keeps the taps it had */
    long long taps = 0, counted = 0, followups = 0, paired = 0, by_rating[5] = {0};
    char pattern[128];
    snprintf(pattern, sizeof pattern, "%s.corrupt-", db_path);
    const char *files[8] = {db_path};
    int n_files = 1;
    char aside[4][128];
    FILE *ls = NULL;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "ls %s* 2>/dev/null | grep -v -e '-wal$' -e '-shm$'", pattern);
    if ((ls = popen(cmd, "r")) != NULL) {
        while (n_files < 5 && fgets(aside[n_files - 1], sizeof aside[0], ls) != NULL) {
            aside[n_files - 1][strcspn(aside[n_files - 1], "\n")] = '\0';
            files[n_files] = aside[n_files - 1];
            n_files++;
        }
        pclose(ls);
    }
    *moved_aside += n_files > 1;
    for (int i = 0; i < n_files; i++) {
        if (query_int(files[i], "SELECT count(*) FROM sqlite_master WHERE name = 'taps'") == 0)
            continue; /* moved aside before it had tables */
        taps += query_int(files[i], "SELECT count(*) FROM taps");
        counted += query_int(files[i], "SELECT coalesce(sum(n), 0) FROM counts");
        followups += query_int(files[i], "SELECT count(*) FROM followups");
        paired += query_int(files[i], "SELECT count(*) FROM followups f JOIN taps t ON"
                                      " t.id = f.tap_id WHERE (t.rating >= 3) ="
                                      " (f.question = 'positive')");
        for (int r = 1; r <= 4; r++) {
            char sql[96];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM taps WHERE rating = %d", r);
            by_rating[r] += query_int(files[i], sql);
        }
    }
    if (taps != TAPS || counted != TAPS || followups != TAPS || paired != TAPS)
        fail_msg("fault %d at operation %d: %lld taps, %lld counted, %lld follow-ups (%lld on "
                 "their own tap) in %d files, expected %d",
                 error, target, taps, counted, followups, paired, n_files, TAPS);
    for (int r = 1; r <= 4; r++)
        assert_int_equal(by_rating[r], TAPS / 4);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return fired;
}

static void test_every_failure_point(void **state)
{
    (void)state;
    static struct fault_plan plan;
    static sqlite3_vfs vfs;
    plan.base = sqlite3_vfs_find(NULL);
    assert_non_null(plan.base);
    vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(struct fault_file) + plan.base->szOsFile,
        .mxPathname = plan.base->mxPathname,
        .zName = "wowfault",
        .pAppData = &plan,
        .xOpen = v_open,
        .xDelete = v_delete,
        .xAccess = v_access,
        .xFullPathname = v_full,
        .xRandomness = v_random,
        .xSleep = v_sleep,
        .xCurrentTime = v_time,
        .xGetLastError = v_error,
        .xCurrentTimeInt64 = v_time64,
    };
    assert_int_equal(sqlite3_vfs_register(&vfs, 1), SQLITE_OK); /* the store's default now */
    static struct config config;
    config_defaults(&config);
    const int errors[] = {SQLITE_IOERR, SQLITE_FULL, SQLITE_BUSY, SQLITE_CORRUPT};
    int points = 0, moved_aside = 0;
    for (size_t e = 0; e < sizeof errors / sizeof errors[0]; e++) {
        int n = 1;
        while (run_once(&plan, n, errors[e], &config, &moved_aside))
            n++;
        printf("faults: error %d at each of %d I/O operations: every tap once\n", errors[e], n - 1);
        /* the flow did reach the disk (the database file itself is read only at the
           start: the write-ahead log serves the rest) */
        assert_true(n > (errors[e] == SQLITE_CORRUPT ? 1 : 10));
        points += n - 1;
    }
    sqlite3_vfs_unregister(&vfs);
    printf("faults: %d failure points; %d runs moved a damaged store aside\n", points, moved_aside);
    assert_true(moved_aside > 0); /* the corrupt path ran */
}

int main(void)
{
    log_init("test_session_faults", LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_failure_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
