/*
 * fault_vfs: a test sqlite3_vfs that wraps the default one, counts the
 * calls of xOpen, xWrite and xSync on every file, and fails the Nth call
 * of one kind with a chosen SQLite error (SQLITE_IOERR_*, SQLITE_FULL,
 * SQLITE_BUSY, SQLITE_CANTOPEN), as SQLite's own fault tests do: a test
 * runs its flow once per N until the fault no longer fires.
 *
 * Registered as the process's default VFS by fault_vfs_install, so the
 * code under test opens its databases through it unchanged.  Its counters
 * are atomics: the session's writer thread and the test both call in.
 *
 * fault_vfs_only narrows the counting and the faults to the files whose
 * path starts with a prefix (a database and its -wal, -shm and -journal):
 * the shared SQLite file fails while the kiosk's store beside it works.
 * FAULT_LOCK counts a writer's locks (xLock above SHARED; in WAL mode the
 * exclusive xShmLock), where another process holding the file answers
 * SQLITE_BUSY.
 */
#ifndef WOW_FAULT_VFS_H
#define WOW_FAULT_VFS_H

#include <stdbool.h>

/* What is counted, and what fails at the Nth:
 * - FAULT_OPEN, FAULT_WRITE, FAULT_SYNC: that call, with the error given;
 * - FAULT_LOCK: a writer's lock (above), with the error given;
 * - FAULT_IO: opens, writes and syncs as one sequence, each failing as
 *   that call would: an open with SQLITE_CANTOPEN, a write or sync with the
 *   error given (SQLITE_IOERR becomes SQLITE_IOERR_WRITE or _FSYNC);
 * - FAULT_ANY_LOCK: every lock asked for, on the file (xLock, any level)
 *   and in the shared memory (xShmLock), with the error given (SQLITE_BUSY:
 *   another process holds the database at that moment);
 * - FAULT_READ: a read of a main database file succeeds but hands SQLite
 *   scrambled bytes (the file stays whole): what a damaged card looks like;
 *   the error is not used. */
enum fault_op {
    FAULT_OPEN,
    FAULT_WRITE,
    FAULT_SYNC,
    FAULT_LOCK,
    FAULT_IO,
    FAULT_ANY_LOCK,
    FAULT_READ,
    FAULT_OP_COUNT_
};

/* Registers the wrapper as the default VFS (once; later calls do nothing).
 * 0, or an SQLite error code. */
int fault_vfs_install(void);

/* Arms the fault: the nth call (1-based, counted from now) of op fails
 * with err; persistent: every later call of op fails too, until
 * fault_vfs_disarm.  Resets the counters. */
void fault_vfs_arm(enum fault_op op, int nth, int err, bool persistent);

/* Counts and fails only the files opened from now on whose full path
 * starts with prefix (copied; NULL or "": every file, the default). */
void fault_vfs_only(const char *prefix);

/* No fault from now on; the counters keep counting. */
void fault_vfs_disarm(void);

/* How many faults fired since the last fault_vfs_arm. */
int fault_vfs_fired(void);

/* The name of op, for messages. */
const char *fault_op_name(enum fault_op op);

#endif
