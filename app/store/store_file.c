/*
 * store_file: the store's file under a running kiosk (see store.h):
 * noticing it deleted or replaced, and replaying spilled records in one
 * transaction.
 *
 * A deleted file stays open: its data is still there through the open
 * connection, and only the name is gone.  So the store writes itself back
 * under its name (VACUUM INTO a temporary name, then rename) and reopens:
 * nothing is lost and the incarnation is kept.  A file renamed over the
 * store is someone's deliberate act (a backup restored): the store's own
 * data is written aside as PATH.displaced-STAMP, and the new file opened.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "file.h"
#include "store_private.h"

/* Writes the open database, as it is now, into a new file at to.  It
 * must not exist. */
static int write_copy(struct store *s, const char *to)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "VACUUM INTO ?", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_DONE)
        log_error("store: %s: cannot write its data to %s: %s", s->path, to, sqlite3_errmsg(s->db));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_error_code(rc);
    int err_no = 0;
    if (!file_sync_path(to, false, &err_no) || !file_sync_parent(to, &err_no)) {
        log_error("store: cannot sync %s: %s", to, strerror(err_no));
        return STORE_ERR_RETRY;
    }
    return 0;
}

/* The store's file was deleted: its data is written, durably, to a
 * temporary name; it takes the store's name once the old connection is
 * closed (closing removes the old file's -wal and -shm, which still carry
 * that name and must not be taken for the copy's). */
static int copy_deleted(struct store *s, char *tmp, size_t size)
{
    snprintf(tmp, size, "%s.restore", s->path);
    if (unlink(tmp) != 0 && errno != ENOENT) {
        log_error("store: cannot remove %s: %s", tmp, strerror(errno));
        return STORE_ERR_RETRY;
    }
    return write_copy(s, tmp);
}

/* The old file's -wal and -shm still carry the store's name while another
 * connection (the sync's) has the old file open: the next open at that
 * name would apply the old file's log to the new file.  What they hold is
 * in the copy just written, so they go. */
static void drop_old_wal(const char *path)
{
    static const char *const suffix[] = {"-wal", "-shm"};
    for (int i = 0; i < 2; i++) {
        char name[STORE_PATH_MAX + 8];
        snprintf(name, sizeof name, "%s%s", path, suffix[i]);
        if (unlink(name) != 0 && errno != ENOENT)
            log_error("store: cannot remove the old %s: %s", name, strerror(errno));
    }
}

int store_recheck(struct store **store, int64_t now_utc_ms, struct store_health *health)
{
    struct store *s = *store;
    *health = (struct store_health){0};
    struct stat st;
    int found = stat(s->path, &st) == 0 ? 0 : errno;
    if (found == 0 && st.st_dev == s->dev && st.st_ino == s->ino)
        return 0;
    bool vanished = found == ENOENT;
    if (found != 0 && !vanished) {
        log_error("store: %s: cannot check the file: %s", s->path, strerror(found));
        return STORE_ERR_RETRY;
    }
    char path[STORE_PATH_MAX], kiosk_id[STORE_KIOSK_ID_MAX], aside[STORE_PATH_MAX + 48];
    snprintf(path, sizeof path, "%s", s->path);
    snprintf(kiosk_id, sizeof kiosk_id, "%s", s->open_as);
    int rc;
    if (vanished) {
        rc = copy_deleted(s, aside, sizeof aside);
    } else {
        rc = store_aside_name(s, "displaced", now_utc_ms, aside, sizeof aside)
                 ? write_copy(s, aside)
                 : STORE_ERR_RETRY;
    }
    if (rc != 0)
        return rc; /* keep writing to the open file: nothing is lost while it runs */
    store_identity_clear(path, true); /* the sync opens nothing at the name meanwhile */
    int persist = 1; /* closing must not remove names that may be the next file's */
    sqlite3_file_control(s->db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    store_close(s);
    *store = NULL;
    drop_old_wal(path);
    if (vanished) {
        if (rename(aside, path) != 0) {
            log_error("store: cannot move %s to %s: %s", aside, path, strerror(errno));
            return STORE_ERR_RETRY;
        }
        int err_no = 0;
        if (!file_sync_parent(path, &err_no))
            log_warn("store: cannot sync the directory of %s: %s", path, strerror(err_no));
        log_error("store: %s was deleted under the running kiosk: its data was written back "
                  "from the open file, and it is reopened",
                  path);
    } else {
        log_error("store: %s was replaced under the running kiosk: the kiosk's data is kept in "
                  "%s, and the new file is opened",
                  path, aside);
    }
    rc = store_open(store, path, kiosk_id, now_utc_ms, health);
    if (rc != 0)
        store_identity_release(path);
    return rc;
}

int store_replay_begin(struct store *store)
{
    char *msg = NULL;
    if (sqlite3_exec(store->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK) {
        log_error("store: %s: replay: BEGIN: %s", store->path,
                  msg != NULL ? msg : sqlite3_errmsg(store->db));
        sqlite3_free(msg);
        return store_error_code(sqlite3_extended_errcode(store->db));
    }
    store->in_batch = true;
    return 0;
}

int store_replay_end(struct store *store, const char *spill_id, bool commit)
{
    store->in_batch = false;
    int rc = SQLITE_OK;
    if (commit) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(
            store->db, "INSERT OR REPLACE INTO meta(key, value) VALUES ('spill_replayed', ?)", -1,
            &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_text(st, 1, spill_id, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_finalize(st);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(store->db, "COMMIT", NULL, NULL, NULL);
    }
    int code = rc == SQLITE_OK && commit ? 0 : STORE_ERR_RETRY;
    if (rc != SQLITE_OK) {
        log_error("store: %s: replay: %s", store->path, sqlite3_errmsg(store->db));
        code = store_error_code(sqlite3_extended_errcode(store->db));
    }
    if (!sqlite3_get_autocommit(store->db))
        sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
    return code;
}

bool store_replayed(struct store *store, const char *spill_id)
{
    sqlite3_stmt *st = NULL;
    bool done = false;
    if (sqlite3_prepare_v2(store->db, "SELECT value FROM meta WHERE key = 'spill_replayed'", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        done = strcmp((const char *)sqlite3_column_text(st, 0), spill_id) == 0;
    sqlite3_finalize(st);
    return done;
}
