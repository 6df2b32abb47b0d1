/*
 * fault_vfs: the counting, failing VFS wrapper of fault_vfs.h.  Each file
 * it opens is the default VFS's file placed right after a small header,
 * whose methods forward to it; xWrite and xSync go through fault_hit
 * first, xLock and xShmLock through fault_lock_hit, and a main database's
 * xRead may come back scrambled.  Shared memory methods
 * forward too: the store runs in WAL mode.  A file opened outside fault_vfs_only's prefix is
 * neither counted nor failed.
 */
#include "fault_vfs.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

struct fault_file {
    sqlite3_file base;
    sqlite3_file *real; /* the default VFS's file, right after this header */
    bool counted;       /* its path is under fault_vfs_only's prefix */
    bool main_db;       /* a database itself (not a log, journal or shared memory) */
};

/* The fault's settings and counters: process-wide because SQLite's VFS
 * is; atomics because the session's writer thread calls in. */
static atomic_int fault_op_armed = -1;
static atomic_int fault_nth, fault_err, fault_fired, fault_persistent;
static atomic_int fault_calls[FAULT_OP_COUNT_];
static sqlite3_vfs *fault_real;
/* fault_vfs_only's prefix: set by the test between runs, read at xOpen
 * (the code under test opens its files after the test set it). */
static char fault_prefix[512];
static sqlite3_vfs fault_vfs;
static sqlite3_io_methods fault_methods;

const char *fault_op_name(enum fault_op op)
{
    static const char *const names[] = {"xOpen",    "xWrite", "xSync", "writer's lock",
                                        "I/O call", "lock",   "xRead"};
    return op >= 0 && op < FAULT_OP_COUNT_ ? names[op] : "?";
}

/* 0 when the call of op may go ahead, else the error to return. */
static int fault_hit(enum fault_op op)
{
    int n = atomic_fetch_add(&fault_calls[op], 1) + 1;
    if (atomic_load(&fault_op_armed) != (int)op)
        return 0;
    int nth = atomic_load(&fault_nth);
    if (n == nth || (n > nth && atomic_load(&fault_persistent))) {
        atomic_fetch_add(&fault_fired, 1);
        return atomic_load(&fault_err);
    }
    return 0;
}

/* For an open, a write or a sync: its own kind's fault, else FAULT_IO's,
 * answered as that call would fail. */
static int fault_io_hit(enum fault_op op)
{
    int err = fault_hit(op), io = fault_hit(FAULT_IO);
    if (err != 0 || io == 0)
        return err;
    if (op == FAULT_OPEN)
        return SQLITE_CANTOPEN;
    if (io == SQLITE_IOERR)
        return op == FAULT_WRITE ? SQLITE_IOERR_WRITE : SQLITE_IOERR_FSYNC;
    return io;
}

/* For a lock: FAULT_ANY_LOCK's fault, else FAULT_LOCK's when it is a
 * writer's. */
static int fault_lock_hit(bool writer)
{
    int any = fault_hit(FAULT_ANY_LOCK), err = writer ? fault_hit(FAULT_LOCK) : 0;
    return any != 0 ? any : err;
}

void fault_vfs_arm(enum fault_op op, int nth, int err, bool persistent)
{
    atomic_store(&fault_op_armed, -1);
    for (int i = 0; i < FAULT_OP_COUNT_; i++)
        atomic_store(&fault_calls[i], 0);
    atomic_store(&fault_nth, nth);
    atomic_store(&fault_err, err);
    atomic_store(&fault_persistent, persistent ? 1 : 0);
    atomic_store(&fault_fired, 0);
    atomic_store(&fault_op_armed, (int)op);
}

void fault_vfs_only(const char *prefix)
{
    snprintf(fault_prefix, sizeof fault_prefix, "%s", prefix ? prefix : "");
}

static bool fault_counts(const char *name)
{
    return !fault_prefix[0] || (name && !strncmp(name, fault_prefix, strlen(fault_prefix)));
}

void fault_vfs_disarm(void)
{
    atomic_store(&fault_op_armed, -1);
}

int fault_vfs_fired(void)
{
    return atomic_load(&fault_fired);
}

#define REAL(f)    (((struct fault_file *)(f))->real)
#define COUNTED(f) (((struct fault_file *)(f))->counted)
#define MAIN_DB(f) (((struct fault_file *)(f))->main_db)

static int ff_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int ff_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    int rc = REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
    if (rc == SQLITE_OK && COUNTED(f) && MAIN_DB(f) && fault_hit(FAULT_READ) != 0)
        memset(buf, 0xA5, (size_t)n);
    return rc;
}
static int ff_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int err = COUNTED(f) ? fault_io_hit(FAULT_WRITE) : 0;
    return err != 0 ? err : REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int ff_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int ff_sync(sqlite3_file *f, int flags)
{
    int err = COUNTED(f) ? fault_io_hit(FAULT_SYNC) : 0;
    return err != 0 ? err : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int ff_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int ff_lock(sqlite3_file *f, int level)
{
    int err = COUNTED(f) ? fault_lock_hit(level > SQLITE_LOCK_SHARED) : 0;
    return err != 0 ? err : REAL(f)->pMethods->xLock(REAL(f), level);
}
static int ff_unlock(sqlite3_file *f, int level)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), level);
}
static int ff_check_lock(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int ff_file_control(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int ff_sector_size(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int ff_device_chars(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int ff_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **out)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, out);
}
static int ff_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    /* in WAL mode a writer's lock is an exclusive one in the shared memory */
    bool take = (flags & SQLITE_SHM_LOCK) != 0;
    int err = COUNTED(f) && take ? fault_lock_hit((flags & SQLITE_SHM_EXCLUSIVE) != 0) : 0;
    return err != 0 ? err : REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static void ff_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int ff_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int ff_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
    return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}
static int ff_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int fault_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
                      int *out_flags)
{
    (void)vfs;
    struct fault_file *ff = (struct fault_file *)file;
    ff->base.pMethods = NULL;
    ff->counted = fault_counts(name);
    ff->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    int err = ff->counted ? fault_io_hit(FAULT_OPEN) : 0;
    if (err != 0)
        return err;
    ff->real = (sqlite3_file *)(ff + 1);
    int rc = fault_real->xOpen(fault_real, name, ff->real, flags, out_flags);
    if (rc == SQLITE_OK && ff->real->pMethods != NULL)
        ff->base.pMethods = &fault_methods;
    else if (ff->real->pMethods != NULL)
        ff->real->pMethods->xClose(ff->real);
    return rc;
}

/* The rest of the VFS forwards to the default one. */
static int fault_delete(sqlite3_vfs *v, const char *n, int sync)
{
    (void)v;
    return fault_real->xDelete(fault_real, n, sync);
}
static int fault_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    (void)v;
    return fault_real->xAccess(fault_real, n, flags, out);
}
static int fault_full_path(sqlite3_vfs *v, const char *n, int size, char *out)
{
    (void)v;
    return fault_real->xFullPathname(fault_real, n, size, out);
}
static int fault_randomness(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return fault_real->xRandomness(fault_real, n, out);
}
static int fault_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return fault_real->xSleep(fault_real, us);
}
static int fault_current_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return fault_real->xCurrentTime(fault_real, out);
}
static int fault_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return fault_real->xGetLastError(fault_real, n, out);
}
static int fault_current_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return fault_real->xCurrentTimeInt64(fault_real, out);
}

int fault_vfs_install(void)
{
    if (fault_real != NULL)
        return SQLITE_OK;
    sqlite3_vfs *real = sqlite3_vfs_find(NULL);
    if (real == NULL)
        return SQLITE_ERROR;
    fault_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = ff_close,
        .xRead = ff_read,
        .xWrite = ff_write,
        .xTruncate = ff_truncate,
        .xSync = ff_sync,
        .xFileSize = ff_file_size,
        .xLock = ff_lock,
        .xUnlock = ff_unlock,
        .xCheckReservedLock = ff_check_lock,
        .xFileControl = ff_file_control,
        .xSectorSize = ff_sector_size,
        .xDeviceCharacteristics = ff_device_chars,
        .xShmMap = ff_shm_map,
        .xShmLock = ff_shm_lock,
        .xShmBarrier = ff_shm_barrier,
        .xShmUnmap = ff_shm_unmap,
        .xFetch = ff_fetch,
        .xUnfetch = ff_unfetch,
    };
    fault_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(struct fault_file) + real->szOsFile,
        .mxPathname = real->mxPathname,
        .zName = "wow-fault",
        .xOpen = fault_open,
        .xDelete = fault_delete,
        .xAccess = fault_access,
        .xFullPathname = fault_full_path,
        .xDlOpen = real->xDlOpen,
        .xDlError = real->xDlError,
        .xDlSym = real->xDlSym,
        .xDlClose = real->xDlClose,
        .xRandomness = fault_randomness,
        .xSleep = fault_sleep,
        .xCurrentTime = fault_current_time,
        .xGetLastError = fault_last_error,
        .xCurrentTimeInt64 = fault_current_time64,
    };
    fault_real = real;
    return sqlite3_vfs_register(&fault_vfs, 1);
}
