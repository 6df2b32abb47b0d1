/*
 * sqlite_backend: the shared database as a local SQLite file, the
 * embedded default when kiosk and dashboard run on one machine.  Same
 * tables and semantics as PostgreSQL (schema.h), without roles.
 *
 * The file must be on a local file system: SQLite's locks and its WAL's
 * shared memory do not work over NFS or SMB/CIFS, where two writers can
 * corrupt the file.  Such a path is refused with a message that says so
 * and points at PostgreSQL.
 *
 * Unlike PostgreSQL, the kiosk migrates this file itself: on one machine
 * there is no one else to run wowdash migrate before the first tap.
 *
 * A push reads the kiosk's catalog in its own transaction, as PostgreSQL's
 * pipeline does.
 */
#include "sqlite_backend.h"

#include <errno.h>
#include <libgen.h>
#include <sqlite3.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

#include "log.h"
#include "migrate.h"
#include "schema.h"
#include "strbuf.h"
#include "sync_backend.h"
#include "sync_comments.h"

struct sqlite_backend {
    struct sync_backend base; /* first: the engine holds a pointer to it */
    sqlite3 *db;              /* owned; NULL while disconnected */
    sqlite3_stmt *count_stmt, *reason_stmt, *heartbeat_stmt, *catalog_stmt, *update_stmt,
        *cursor_advance_stmt, *cursor_read_stmt; /* owned, on db */
    int (*statfs_fn)(const char *, struct statfs *);
    char path[512];
    int cancel_fd; /* the engine's stop: readable ends a wait on a lock; -1: none */
};

/* Waits on another writer's lock in 10 ms steps, as busy_timeout(5000)
 * would, but gives up at once when the sync is being stopped: a shared
 * file held by another process kept a stopping kiosk 14-20 s. */
static int busy_wait(void *ctx, int count)
{
    const struct sqlite_backend *b = ctx;
    if (count >= 500)
        return 0;
    struct pollfd fd = {.fd = b->cancel_fd, .events = POLLIN};
    if (b->cancel_fd < 0) {
        poll(NULL, 0, 10);
        return 1;
    }
    return poll(&fd, 1, 10) == 0; /* readable (or an error): stop waiting */
}

void sqlite_backend_set_cancel(struct sync_backend *base, int cancel_fd)
{
    ((struct sqlite_backend *)base)->cancel_fd = cancel_fd;
}

/* f_type values of file systems that reach another machine (statfs(2),
 * linux/magic.h).  FUSE is not listed: it is often local. */
static const struct {
    unsigned long magic;
    const char *name;
} network_fs[] = {
    {0x6969UL, "NFS"},      {0x517BUL, "SMB"},       {0xFF534D42UL, "CIFS"},
    {0xFE534D42UL, "SMB2"}, {0x5346414FUL, "AFS"},   {0x73757245UL, "Coda"},
    {0x564CUL, "NCP"},      {0x01021997UL, "9P"},    {0x00C36400UL, "CephFS"},
    {0x01161970UL, "GFS2"}, {0x7461636FUL, "OCFS2"}, {0x0BD00BD0UL, "Lustre"},
    {0x47504653UL, "GPFS"}, {0x013111A8UL, "IBRIX"}, {0x19830326UL, "FhGFS/BeeGFS"},
};

const char *sqlite_backend_network_fs(unsigned long f_type)
{
    for (size_t i = 0; i < sizeof network_fs / sizeof network_fs[0]; i++)
        if (network_fs[i].magic == (f_type & 0xFFFFFFFFUL))
            return network_fs[i].name;
    return NULL;
}

/* Refuses a path whose directory is on a network file system. */
static enum sync_result check_local(struct sqlite_backend *b)
{
    char dir[sizeof b->path];
    snprintf(dir, sizeof dir, "%s", b->path);
    struct statfs fs;
    if (b->statfs_fn(dirname(dir), &fs) != 0) {
        sync_backend_fail(&b->base, "sync: cannot check the file system of %s: %s", b->path,
                          strerror(errno));
        return SYNC_ERR_CONNECTION;
    }
    const char *name = sqlite_backend_network_fs((unsigned long)fs.f_type);
    if (name) {
        sync_backend_fail(&b->base,
                          "sync: %s is on a network file system (%s); SQLite's locking and "
                          "WAL are unsafe there and could corrupt it. Keep the SQLite file "
                          "on a local disk, or use PostgreSQL to share counts between machines",
                          b->path, name);
        return SYNC_ERR_REFUSED;
    }
    return SYNC_OK;
}

static enum sync_result fail_sqlite(struct sqlite_backend *b, const char *what)
{
    int code = b->db ? sqlite3_extended_errcode(b->db) : SQLITE_CANTOPEN;
    sync_backend_fail(&b->base, "sync: %s: %s: %s", b->path, what,
                      b->db ? sqlite3_errmsg(b->db) : "cannot open");
    int primary = code & 0xFF;
    return primary == SQLITE_BUSY || primary == SQLITE_LOCKED ? SYNC_ERR_RETRY : SYNC_ERR_SERVER;
}

/* Over the 4095 characters C lets one literal have: joined at connect. */
static const char *const count_parts[] = {
    "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
    "  rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4,"
    "  " SCHEMA_END_COLUMNS ", " SCHEMA_FIRST_COLUMNS ")"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
    "  ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)",
    SCHEMA_TAP_COUNTS_MERGE_PARTS};

static const char reason_sql[] =
    "INSERT INTO reason_counts(kiosk_id, incarnation, department, bucket_start_ms, question,"
    "  reason, ended_by, misuse, n)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)" SCHEMA_REASON_COUNTS_MERGE;

static const char heartbeat_sql[] =
    "INSERT INTO kiosks(kiosk_id, site, label, department, timezone, app_version, incarnation,"
    "  kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error, catalog_version,"
    "  catalog_error, mode, departments, store_waiting, store_error, store_error_since_ms,"
    "  slot, update_version, update_state, update_error)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
    "  CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER),"
    "  ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)" SCHEMA_HEARTBEAT_MERGE
        SCHEMA_HEARTBEAT_CATALOG_MERGE SCHEMA_HEARTBEAT_STORE_MERGE SCHEMA_HEARTBEAT_UPDATE_MERGE;

static const char catalog_sql[] =
    "SELECT version, body FROM kiosk_catalog WHERE kiosk_id = ?1 AND version <> ?2";

static const char update_sql[] =
    "SELECT version, url, sha256, size FROM kiosk_update WHERE kiosk_id = ?1";

static void sqlite_disconnect(struct sync_backend *base)
{
    struct sqlite_backend *b = (struct sqlite_backend *)base;
    sqlite3_finalize(b->count_stmt);
    sqlite3_finalize(b->reason_stmt);
    sqlite3_finalize(b->heartbeat_stmt);
    sqlite3_finalize(b->catalog_stmt);
    sqlite3_finalize(b->update_stmt);
    sqlite3_finalize(b->cursor_advance_stmt);
    sqlite3_finalize(b->cursor_read_stmt);
    b->count_stmt = b->reason_stmt = b->heartbeat_stmt = b->catalog_stmt = b->update_stmt = NULL;
    b->cursor_advance_stmt = b->cursor_read_stmt = NULL;
    sqlite3_close(b->db); /* NULL is a no-op */
    b->db = NULL;
}

static enum sync_result sqlite_connect(struct sync_backend *base, int64_t timeout_ms)
{
    struct sqlite_backend *b = (struct sqlite_backend *)base;
    if (b->db)
        return SYNC_OK;
    base->connect_attempts++;
    enum sync_result r = check_local(b);
    if (r != SYNC_OK)
        return r;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(b->path, &b->db, flags, NULL) != SQLITE_OK)
        goto fail_open;
    if (sqlite3_busy_handler(b->db, busy_wait, b) != SQLITE_OK ||
        sqlite3_exec(b->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL", NULL, NULL, NULL) !=
            SQLITE_OK)
        goto fail_open;
    struct migrate_report report;
    if (migrate_sqlite(b->db, SCHEMA_VERSION, &report) != 0) {
        sync_backend_fail(base, "sync: %s: cannot bring the shared schema to version %d", b->path,
                          SCHEMA_VERSION);
        sqlite_disconnect(base);
        return SYNC_ERR_SERVER;
    }
    struct strbuf count_sql = {0};
    strbuf_puts_all(&count_sql, count_parts, sizeof count_parts / sizeof count_parts[0]);
    if (count_sql.failed) {
        sync_backend_fail(base, "sync: %s: out of memory preparing the counts' statement", b->path);
        sqlite_disconnect(base);
        return SYNC_ERR_SERVER;
    }
    int counts_rc = sqlite3_prepare_v2(b->db, count_sql.data, -1, &b->count_stmt, NULL);
    strbuf_free(&count_sql);
    if (counts_rc != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, reason_sql, -1, &b->reason_stmt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, heartbeat_sql, -1, &b->heartbeat_stmt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, catalog_sql, -1, &b->catalog_stmt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, update_sql, -1, &b->update_stmt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(b->db, SCHEMA_CURSOR_ADVANCE, -1, &b->cursor_advance_stmt, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(b->db, SCHEMA_CURSOR_READ, -1, &b->cursor_read_stmt, NULL) != SQLITE_OK)
        goto fail_open;
    log_info("sync: connected to the SQLite file %s", b->path);
    return SYNC_OK;

fail_open:
    r = fail_sqlite(b, "open");
    sqlite_disconnect(base);
    return r == SYNC_ERR_RETRY ? r : SYNC_ERR_CONNECTION;
}

/* Runs a bound statement to completion and resets it. */
static bool step_done(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_DONE;
}

static bool push_counts(struct sqlite_backend *b, const struct sync_batch *batch)
{
    sqlite3_stmt *s = b->count_stmt;
    for (size_t i = 0; i < batch->count_n; i++) {
        const struct sync_count_row *row = &batch->counts[i];
        sqlite3_bind_text(s, 1, batch->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, batch->incarnation, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 3, row->bucket_start_ms);
        sqlite3_bind_text(s, 4, row->department, -1, SQLITE_STATIC);
        for (int c = 0; c < SYNC_COUNT_COLUMNS; c++)
            sqlite3_bind_int64(s, 5 + c, row->n[c]);
        for (int c = 0; c < SYNC_END_COLUMNS; c++)
            sqlite3_bind_int64(s, 5 + SYNC_COUNT_COLUMNS + c, row->ended[c]);
        int first = 5 + SYNC_COUNT_COLUMNS + SYNC_END_COLUMNS;
        for (int r = 0; r < SYNC_FIRST_REASONS; r++) {
            sqlite3_bind_text(s, first + r, row->first_reason[r], -1, SQLITE_STATIC);
            sqlite3_bind_int64(s, first + SYNC_FIRST_REASONS + r, row->first_n[r]);
        }
        if (!step_done(s))
            return false;
    }
    return true;
}

static bool push_reasons(struct sqlite_backend *b, const struct sync_batch *batch)
{
    sqlite3_stmt *s = b->reason_stmt;
    for (size_t i = 0; i < batch->reason_n; i++) {
        const struct sync_reason_row *row = &batch->reasons[i];
        sqlite3_bind_text(s, 1, batch->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, batch->incarnation, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, row->department, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, row->bucket_start_ms);
        sqlite3_bind_text(s, 5, row->question, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 6, row->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 7, row->ended_by, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 8, row->misuse);
        sqlite3_bind_int64(s, 9, row->n);
        if (!step_done(s))
            return false;
    }
    return true;
}

static bool push_heartbeat(struct sqlite_backend *b, const struct sync_heartbeat *h)
{
    sqlite3_stmt *s = b->heartbeat_stmt;
    const char *text[] = {h->kiosk_id, h->site,        h->label,      h->department,
                          h->timezone, h->app_version, h->incarnation};
    for (int i = 0; i < 7; i++)
        sqlite3_bind_text(s, i + 1, text[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, h->kiosk_clock_ms);
    if (h->last_success_ms > 0)
        sqlite3_bind_int64(s, 9, h->last_success_ms);
    else
        sqlite3_bind_null(s, 9);
    sqlite3_bind_int64(s, 10, h->backlog);
    sqlite3_bind_text(s, 11, h->last_error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 12, h->catalog_version);
    sqlite3_bind_text(s, 13, h->catalog_error, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 14, h->mode, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 15, h->departments, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 16, h->store_waiting);
    sqlite3_bind_text(s, 17, h->store_error, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 18, h->store_error_since_ms);
    const char *update[] = {h->slot, h->update_version, h->update_state, h->update_error};
    for (int i = 0; i < 4; i++)
        sqlite3_bind_text(s, 19 + i, update[i] != NULL ? update[i] : "", -1, SQLITE_STATIC);
    return step_done(s);
}

/* Moves the database's cursor for the batch's store and reads it back
 * (schema.h), when the batch has a range.  The statements name their
 * parameters $1..$4, which SQLite numbers in order of first use. */
static bool push_cursor(struct sqlite_backend *b, const struct sync_batch *batch,
                        struct sync_fetched *fetched)
{
    if (batch->from_seq < 0)
        return true;
    sqlite3_stmt *s = b->cursor_advance_stmt;
    sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, "$1"), batch->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, "$2"), batch->incarnation, -1,
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, "$3"), batch->from_seq);
    sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, "$4"), batch->upto_seq);
    if (!step_done(s))
        return false;
    s = b->cursor_read_stmt;
    sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, "$1"), batch->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, "$2"), batch->incarnation, -1,
                      SQLITE_STATIC);
    int rc = sqlite3_step(s);
    fetched->cursor = 0; /* no row: the database holds nothing of the store */
    if (rc == SQLITE_ROW) {
        fetched->cursor = sqlite3_column_int64(s, 0);
        rc = sqlite3_step(s); /* the key: one row at most */
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    fetched->cursor_read = rc == SQLITE_DONE;
    return rc == SQLITE_DONE;
}

/* The kiosk's catalog when its version is not batch->catalog_have: a
 * version above 0 and its text (kept only up to SYNC_CATALOG_BODY_MAX). */
static bool fetch_catalog(struct sqlite_backend *b, const struct sync_batch *batch,
                          struct sync_fetched *fetched)
{
    sqlite3_stmt *s = b->catalog_stmt;
    sqlite3_bind_text(s, 1, batch->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, batch->catalog_have);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_type(s, 0) == SQLITE_INTEGER &&
        sqlite3_column_int64(s, 0) > 0 && sqlite3_column_type(s, 1) == SQLITE_TEXT) {
        fetched->version = sqlite3_column_int64(s, 0);
        fetched->length = (size_t)sqlite3_column_bytes(s, 1);
        const char *body = (const char *)sqlite3_column_text(s, 1);
        fetched->body = body != NULL && fetched->length <= SYNC_CATALOG_BODY_MAX &&
                                strlen(body) == fetched->length
                            ? strdup(body)
                            : NULL;
        if (fetched->body == NULL && fetched->length <= SYNC_CATALOG_BODY_MAX)
            fetched->length = SYNC_CATALOG_BODY_MAX + 1; /* a NUL inside: not a text */
        rc = sqlite3_step(s);                            /* kiosk_id is the key: one row at most */
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE;
}

/* A text column of the row into out; one too long for it (or not text)
 * is left empty, which sync_update_offer_check refuses. */
static void column_field(sqlite3_stmt *s, int column, char *out, size_t size)
{
    const char *text = (const char *)sqlite3_column_text(s, column);
    if (text != NULL && (size_t)sqlite3_column_bytes(s, column) < size && strlen(text) < size)
        snprintf(out, size, "%s", text);
}

/* The kiosk's kiosk_update row, if any (sync_update_offer_check judges it). */
static bool fetch_update(struct sqlite_backend *b, const struct sync_batch *batch,
                         struct sync_fetched *fetched)
{
    sqlite3_stmt *s = b->update_stmt;
    struct sync_update_offer *o = &fetched->update;
    *o = (struct sync_update_offer){0};
    sqlite3_bind_text(s, 1, batch->kiosk_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        o->present = true;
        column_field(s, 0, o->version, sizeof o->version);
        column_field(s, 1, o->url, sizeof o->url);
        column_field(s, 2, o->sha256, sizeof o->sha256);
        o->size = sqlite3_column_type(s, 3) == SQLITE_INTEGER ? sqlite3_column_int64(s, 3) : 0;
        rc = sqlite3_step(s); /* kiosk_id is the key: one row at most */
    }
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    fetched->update_read = rc == SQLITE_DONE;
    return rc == SQLITE_DONE;
}

static enum sync_result sqlite_push(struct sync_backend *base, const struct sync_batch *batch,
                                    const struct sync_heartbeat *heartbeat,
                                    struct sync_push_stats *stats, struct sync_fetched *fetched,
                                    int64_t timeout_ms)
{
    struct sqlite_backend *b = (struct sqlite_backend *)base;
    *fetched = (struct sync_fetched){0};
    if (sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail_sqlite(b, "BEGIN IMMEDIATE");
    const char *what = "INSERT INTO tap_counts";
    bool ok = push_counts(b, batch);
    if (ok) {
        what = "INSERT INTO reason_counts";
        ok = push_reasons(b, batch);
    }
    if (ok) {
        what = "INSERT INTO sync_cursors";
        ok = push_cursor(b, batch, fetched);
    }
    if (ok) {
        what = "INSERT INTO kiosks";
        ok = push_heartbeat(b, heartbeat);
        int code = ok ? SQLITE_OK : sqlite3_errcode(b->db) & 0xff;
        base->heartbeat_refused =
            code == SQLITE_CONSTRAINT || code == SQLITE_MISMATCH || code == SQLITE_TOOBIG;
        ok = ok && sync_comments_sqlite(b->db, batch, &what);
    }
    if (ok) {
        what = "SELECT FROM kiosk_catalog";
        ok = fetch_catalog(b, batch, fetched);
    }
    if (ok) {
        what = "SELECT FROM kiosk_update";
        ok = fetch_update(b, batch, fetched);
    }
    if (ok) {
        what = "COMMIT";
        ok = sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
    }
    if (!ok) {
        enum sync_result r = fail_sqlite(b, what);
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
        free(fetched->body);
        *fetched = (struct sync_fetched){0};
        return r;
    }
    stats->rows_sent += (int64_t)(batch->count_n + batch->reason_n);
    stats->round_trips += 1; /* one local transaction */
    return SYNC_OK;
}

static void sqlite_destroy(struct sync_backend *base)
{
    sqlite_disconnect(base);
    free(base);
}

static const struct sync_backend_ops sqlite_ops = {
    .name = "sqlite",
    .connect = sqlite_connect,
    .push = sqlite_push,
    .disconnect = sqlite_disconnect,
    .destroy = sqlite_destroy,
};

struct sync_backend *sqlite_backend_create_statfs(const char *path,
                                                  int (*statfs_fn)(const char *, struct statfs *))
{
    struct sqlite_backend *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->base.ops = &sqlite_ops;
    b->statfs_fn = statfs_fn;
    b->cancel_fd = -1;
    snprintf(b->path, sizeof b->path, "%s", path);
    return &b->base;
}

struct sync_backend *sqlite_backend_create(const char *path)
{
    return sqlite_backend_create_statfs(path, statfs);
}

static const char seed_sql[] =
    "INSERT INTO catalog_versions(version, made_ms, made_by, note, body)"
    " SELECT 1, ?1, 'kiosk:' || ?2, 'seeded from the kiosk''s config', ?3"
    " WHERE NOT EXISTS (SELECT 1 FROM catalog_versions);"
    "INSERT OR REPLACE INTO kiosk_catalog(kiosk_id, version, body) SELECT ?2, 1, ?4"
    " WHERE changes() = 1";

/* Runs the two seeding statements; true when the version was made. */
static bool seed(sqlite3 *db, const char *kiosk_id, const char *body, const char *rendering,
                 int64_t now_utc_ms, bool *seeded)
{
    const char *sql = seed_sql;
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, sql, -1, &st, &sql) != SQLITE_OK)
            return false;
        int n = sqlite3_bind_parameter_count(st);
        sqlite3_bind_int64(st, 1, now_utc_ms);
        sqlite3_bind_text(st, 2, kiosk_id, -1, SQLITE_STATIC);
        if (n >= 3)
            sqlite3_bind_text(st, 3, body, -1, SQLITE_STATIC);
        if (n >= 4)
            sqlite3_bind_text(st, 4, rendering, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (i == 0)
            *seeded = sqlite3_changes(db) == 1;
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return false;
    }
    return true;
}

int sqlite_backend_seed_catalog(const char *path, const char *kiosk_id, const char *body,
                                const char *rendering, int64_t now_utc_ms, char *error, size_t size)
{
    if (sync_target_is_postgres(path)) {
        snprintf(error, size,
                 "catalog: a kiosk never seeds a PostgreSQL catalog "
                 "(wowdash catalog import fills it)");
        return -1;
    }
    struct sync_backend *base = sqlite_backend_create(path);
    if (base == NULL) {
        snprintf(error, size, "catalog: out of memory seeding %s", path);
        return -1;
    }
    struct sqlite_backend *b = (struct sqlite_backend *)base;
    bool seeded = false, ok = sqlite_connect(base, 10000) == SYNC_OK &&
                              sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
    if (ok && seed(b->db, kiosk_id, body, rendering, now_utc_ms, &seeded) &&
        sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        sqlite_destroy(base);
        return seeded ? 1 : 0;
    }
    snprintf(error, size, "catalog: cannot seed %s: %s", path,
             b->db != NULL ? sqlite3_errmsg(b->db) : base->last_error);
    if (b->db != NULL)
        sqlite3_exec(b->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite_destroy(base);
    return -1;
}
