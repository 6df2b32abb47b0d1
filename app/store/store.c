/*
 * store: opening the kiosk's local SQLite database (see store.h): pragmas,
 * meta and the incarnation, versioned schema migrations, and moving a
 * corrupt file aside.  The writes made per tap are in store_record.c.
 *
 * Schema: store_migrations[] below is the DDL, one entry per version, and
 * the one place the schema is written down (docs/ARCHITECTURE.md points
 * here).  meta is made before any step, in the same transaction as the
 * incarnation, so a database with a meta table always has an incarnation:
 *   CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL)
 *   keys: kiosk_id, incarnation, schema_version, seq, synced_seq, created_ms_utc
 *
 * Out of memory: SQLite errors (SQLITE_NOMEM included) are logged and
 * returned like any other failure; store_open then returns negative.
 */
#include "store_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "paths.h"
#include "random.h"

/* Append-only: schema version N+1 is one more entry, never an edit of an
 * old one (kiosks in the field have run the old ones).  The CHECKs repeat
 * the C-side validation so no other writer can store a face 5. */
const struct store_migration store_migrations[] = {
    {1, "CREATE TABLE taps("
        "  id INTEGER PRIMARY KEY,"
        "  at_ms_utc INTEGER NOT NULL,"
        "  department TEXT NOT NULL CHECK (department <> ''),"
        "  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),"
        "  misuse INTEGER NOT NULL CHECK (misuse IN (0, 1)));"
        /* tap_id as the key: one follow-up per tap */
        "CREATE TABLE followups("
        "  tap_id INTEGER PRIMARY KEY REFERENCES taps(id),"
        "  question TEXT NOT NULL CHECK (question IN ('positive', 'negative')),"
        "  reason TEXT CHECK (reason <> ''),"
        "  ended_by TEXT NOT NULL CHECK (ended_by IN ('chosen', 'skipped', 'timeout')),"
        "  CHECK ((ended_by = 'chosen') = (reason IS NOT NULL)));"
        /* absolute counts per 15-minute UTC bucket; changed_seq = meta seq of the
           transaction that last raised n, for the sync's "changed since" */
        "CREATE TABLE counts("
        "  department TEXT NOT NULL,"
        "  bucket_start_ms_utc INTEGER NOT NULL,"
        "  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),"
        "  misuse INTEGER NOT NULL CHECK (misuse IN (0, 1)),"
        "  n INTEGER NOT NULL CHECK (n > 0),"
        "  changed_seq INTEGER NOT NULL,"
        "  PRIMARY KEY (department, bucket_start_ms_utc, rating, misuse)) WITHOUT ROWID;"
        "CREATE INDEX counts_changed ON counts(changed_seq);"
        /* reason is '' when none was chosen: NULLs are distinct in a key, so
           NULL would split one count into one row per follow-up */
        "CREATE TABLE reason_counts("
        "  department TEXT NOT NULL,"
        "  bucket_start_ms_utc INTEGER NOT NULL,"
        "  question TEXT NOT NULL CHECK (question IN ('positive', 'negative')),"
        "  reason TEXT NOT NULL,"
        "  ended_by TEXT NOT NULL CHECK (ended_by IN ('chosen', 'skipped', 'timeout')),"
        "  misuse INTEGER NOT NULL CHECK (misuse IN (0, 1)),"
        "  n INTEGER NOT NULL CHECK (n > 0),"
        "  changed_seq INTEGER NOT NULL,"
        "  CHECK ((ended_by = 'chosen') = (reason <> '')),"
        "  PRIMARY KEY (department, bucket_start_ms_utc, question, reason, ended_by, misuse))"
        "  WITHOUT ROWID;"
        "CREATE INDEX reason_counts_changed ON reason_counts(changed_seq);"},
    /* the catalogs the sync received (store_catalog.h): seq orders them as
       they came, so "the latest" follows the shared database even back to an
       older version; error is "FILE:LINE: key: message" of a refused one */
    {2, "CREATE TABLE catalogs("
        "  version INTEGER PRIMARY KEY CHECK (version > 0),"
        "  body TEXT NOT NULL,"
        "  received_ms INTEGER NOT NULL,"
        "  seq INTEGER NOT NULL UNIQUE,"
        "  state TEXT NOT NULL CHECK (state IN ('received', 'applied', 'refused')),"
        "  error TEXT NOT NULL DEFAULT '',"
        "  CHECK ((state = 'refused') = (error <> '')))"},
    /* the customer's own words after a tap (store_comments.h): one per tap;
       id orders them as written, for the sync's "synced up to" mark */
    {3, "CREATE TABLE comments("
        "  id INTEGER PRIMARY KEY,"
        "  tap_id INTEGER NOT NULL UNIQUE REFERENCES taps(id),"
        "  department TEXT NOT NULL CHECK (department <> ''),"
        "  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),"
        "  tap_ms INTEGER NOT NULL,"
        "  lang TEXT NOT NULL CHECK (length(lang) BETWEEN 2 AND 7),"
        "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 500),"
        "  written_ms INTEGER NOT NULL,"
        "  synced INTEGER NOT NULL DEFAULT 0 CHECK (synced IN (0, 1)));"
        "CREATE INDEX comments_waiting ON comments(synced, id)"},
    /* the seq of the transaction that made a reason count row, never
       changed after: the first chosen reason of each bucket, department,
       question and misuse flag (the lowest first_seq, then reason) stays the
       first, and the sync sends it as columns of the counts' row
       (store_changes.c); 0 for rows made before this version */
    {4, "ALTER TABLE reason_counts ADD COLUMN first_seq INTEGER NOT NULL DEFAULT 0"},
};
const size_t store_migration_count = sizeof store_migrations / sizeof store_migrations[0];

_Static_assert(sizeof store_migrations / sizeof store_migrations[0] == STORE_SCHEMA_VERSION,
               "STORE_SCHEMA_VERSION is the number of migration steps");

/* Logs what failed with SQLite's message; returns the STORE_ERR_* for it. */
static int fail(struct store *s, const char *what)
{
    log_error("store: %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return store_error_code(sqlite3_extended_errcode(s->db));
}

static int exec(struct store *s, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    log_error("store: %s: \"%s\": %s", s->path, sql, msg != NULL ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return store_error_code(rc);
}

/* Ends the transaction open_* began: COMMIT if rc is 0, else ROLLBACK. */
static int end_transaction(struct store *s, int rc)
{
    if (rc == 0)
        rc = exec(s, "COMMIT");
    if (rc != 0 && !sqlite3_get_autocommit(s->db))
        exec(s, "ROLLBACK");
    return rc;
}

static bool make_incarnation(char out[33])
{
    unsigned char bytes[16];
    if (!random_bytes(bytes, sizeof bytes)) {
        log_error("store: cannot read 16 bytes from /dev/urandom for the incarnation: %s",
                  strerror(errno));
        return false;
    }
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", bytes[i]);
    return true;
}

/* Runs sql (one row, one column) with an optional text parameter and
 * copies the text of the result into buf; "" when there is no row. */
static int query_text(struct store *s, const char *sql, const char *param, char *buf, size_t size)
{
    sqlite3_stmt *st;
    buf[0] = '\0';
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(s, sql);
    if (param != NULL)
        sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0) != NULL)
        snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : fail(s, sql);
    sqlite3_finalize(st);
    return result;
}

static int meta_get(struct store *s, const char *key, char *buf, size_t size)
{
    return query_text(s, "SELECT value FROM meta WHERE key = ?", key, buf, size);
}

static int meta_set(struct store *s, const char *key, const char *value)
{
    sqlite3_stmt *st;
    const char *sql = "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(s, sql);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : fail(s, sql);
    sqlite3_finalize(st);
    return rc;
}

/* The first use of a file: meta with a new incarnation, schema version 0.
 * Refuses a database that already holds other tables: it is not ours. */
static int create_meta(struct store *s, const char *kiosk_id, int64_t now_utc_ms)
{
    char tables[32], created[32];
    int rc = query_text(s, "SELECT count(*) FROM sqlite_master", NULL, tables, sizeof tables);
    if (rc != 0)
        return rc;
    if (strcmp(tables, "0") != 0) {
        log_error("store: %s is an SQLite database without a wowkiosk meta table; "
                  "not touching it (point [store] path elsewhere)",
                  s->path);
        return STORE_ERR_RETRY;
    }
    if (!make_incarnation(s->incarnation))
        return STORE_ERR_RETRY;
    snprintf(created, sizeof created, "%lld", (long long)now_utc_ms);
    if ((rc = exec(s, "CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL)")) != 0 ||
        (rc = meta_set(s, "kiosk_id", kiosk_id)) != 0 ||
        (rc = meta_set(s, "incarnation", s->incarnation)) != 0 ||
        (rc = meta_set(s, "schema_version", "0")) != 0 || (rc = meta_set(s, "seq", "0")) != 0 ||
        (rc = meta_set(s, "synced_seq", "0")) != 0 ||
        (rc = meta_set(s, "created_ms_utc", created)) != 0)
        return rc;
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "%s", kiosk_id);
    log_info("store: %s created for kiosk %s, incarnation %s", s->path, kiosk_id, s->incarnation);
    return 0;
}

/* Reads meta, or creates it, in one transaction (another process opening
 * the same new file at the same moment must not make a second incarnation). */
static int load_meta(struct store *s, const char *kiosk_id, int64_t now_utc_ms,
                     struct store_health *health)
{
    char has_meta[8];
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc != 0)
        return rc;
    rc = query_text(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                    NULL, has_meta, sizeof has_meta);
    if (rc == 0 && strcmp(has_meta, "0") == 0) {
        health->created = true;
        return end_transaction(s, create_meta(s, kiosk_id, now_utc_ms));
    }
    if (rc == 0)
        rc = meta_get(s, "incarnation", s->incarnation, sizeof s->incarnation);
    if (rc == 0)
        rc = meta_get(s, "kiosk_id", s->kiosk_id, sizeof s->kiosk_id);
    rc = end_transaction(s, rc);
    if (rc != 0)
        return rc;
    if (strlen(s->incarnation) != 32 || strspn(s->incarnation, "0123456789abcdef") != 32) {
        log_error("store: %s: meta has no valid incarnation (\"%s\")", s->path, s->incarnation);
        return STORE_ERR_CORRUPT;
    }
    if (strcmp(s->kiosk_id, kiosk_id) != 0) {
        health->kiosk_id_changed = true;
        log_warn("store: %s was made for kiosk \"%s\", now opened as \"%s\": its taps, counts "
                 "and incarnation are kept under \"%s\"",
                 s->path, s->kiosk_id, kiosk_id, s->kiosk_id);
    }
    return 0;
}

static int read_version(struct store *s, int *version)
{
    char buf[32];
    int rc = meta_get(s, "schema_version", buf, sizeof buf);
    if (rc != 0)
        return rc;
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (end == buf || *end != '\0' || errno != 0 || v < 0 || v > 1000000) {
        log_error("store: %s: meta schema_version is \"%s\", expected a number", s->path, buf);
        return STORE_ERR_CORRUPT;
    }
    *version = (int)v;
    return 0;
}

/* Applies one step in its own transaction with its version bump.  The
 * version is read again inside: another process may have just done it. */
static int migrate_step(struct store *s, const struct store_migration *step)
{
    char buf[16];
    int version = 0;
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc != 0)
        return rc;
    rc = read_version(s, &version);
    if (rc != 0 || version >= step->to_version)
        return end_transaction(s, rc);
    snprintf(buf, sizeof buf, "%d", step->to_version);
    rc = exec(s, step->sql);
    if (rc == 0)
        rc = meta_set(s, "schema_version", buf);
    rc = end_transaction(s, rc);
    if (rc == 0)
        log_info("store: %s migrated to schema version %d", s->path, step->to_version);
    else
        log_error("store: %s: migration to schema version %d failed; still at %d", s->path,
                  step->to_version, version);
    return rc;
}

/* Brings the schema to version n.  health->migrated_from gets the version
 * found.  A newer database than this program knows is left alone. */
static int migrate(struct store *s, const struct store_migration *steps, size_t n,
                   struct store_health *health)
{
    int version = 0;
    int rc = read_version(s, &version);
    if (rc != 0)
        return rc;
    health->migrated_from = version;
    if ((size_t)version > n) {
        log_error("store: %s has schema version %d, newer than this program's %zu; "
                  "run a newer wowkiosk or move the file aside",
                  s->path, version, n);
        return STORE_ERR_RETRY;
    }
    for (size_t i = (size_t)version; i < n && rc == 0; i++)
        rc = migrate_step(s, &steps[i]);
    return rc;
}

static int set_pragmas(struct store *s)
{
    char mode[16];
    /* Short: the store runs on the render thread, and a lock held by
     * another process (a backup, sqlite3 at a shell) must not freeze the
     * screen; a record that finds it busy waits in the session's queue. */
    int rc = sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
    if (rc != SQLITE_OK)
        return fail(s, "busy_timeout");
    rc = query_text(s, "PRAGMA journal_mode=WAL", NULL, mode, sizeof mode);
    if (rc != 0)
        return rc;
    if (strcmp(mode, "wal") != 0) {
        log_error("store: %s: journal_mode is \"%s\", expected wal (is it on a network "
                  "filesystem or read-only?)",
                  s->path, mode);
        return STORE_ERR_RETRY;
    }
    return exec(s, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON");
}

/* PRAGMA quick_check; its report (one problem a line) goes on one log line. */
static int quick_check(struct store *s)
{
    char what[512];
    int rc = query_text(s, "PRAGMA quick_check", NULL, what, sizeof what);
    if (rc != 0)
        return rc;
    if (strcmp(what, "ok") == 0)
        return 0;
    for (char *c = what; *c != '\0'; c++)
        if (*c == '\n')
            *c = ';';
    log_error("store: %s: quick_check: %s", s->path, what);
    return STORE_ERR_CORRUPT;
}

static bool steps_are_ordered(const struct store_migration *steps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (steps[i].to_version != (int)i + 1 || steps[i].sql == NULL) {
            log_error("store: migration step %zu goes to version %d, expected %zu", i,
                      steps[i].to_version, i + 1);
            return false;
        }
    return true;
}

/* Closes the connection.  A corrupt file is closed without the checkpoint
 * that normally runs at close, so what is moved aside is what was found. */
static void close_db(struct store *s, bool corrupt)
{
    store_statements_finalize(s);
    if (s->db != NULL && corrupt)
        sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_close(s->db); /* a no-op on NULL */
    s->db = NULL;
}

/* A file this process cannot write (a backup copied in by root, a file
 * system mounted read-only) still opens: SQLite falls back to read-only
 * without an error, and every later write fails.  Refuse it at once,
 * saying whose file it is. */
static int check_read_write(struct store *s)
{
    if (sqlite3_db_readonly(s->db, "main") == 1) {
        struct stat st;
        if (stat(s->path, &st) == 0)
            log_error("store: %s: opened read-only: the file is owned by uid %ld with mode %04o "
                      "and this process runs as uid %ld; make it writable by the kiosk's user "
                      "(chown, chmod) or move it aside",
                      s->path, (long)st.st_uid, (unsigned)(st.st_mode & 07777), (long)geteuid());
        else
            log_error("store: %s: opened read-only (%s)", s->path, strerror(errno));
        return STORE_ERR_RETRY;
    }
    return 0;
}

/* A test write, committed: a no-op UPDATE of meta still writes its page
 * and syncs, so a store that passes can keep a tap. */
static int check_writable(struct store *s)
{
    int rc = exec(s, "BEGIN IMMEDIATE");
    if (rc == 0)
        rc = exec(s, "UPDATE meta SET value = value WHERE key = 'seq'");
    rc = end_transaction(s, rc);
    if (rc != 0)
        log_error("store: %s: a test write failed: taps cannot be kept here", s->path);
    return rc;
}

/* One attempt at opening s->path: 0 or a STORE_ERR_* (CORRUPT: move it aside). */
static int open_once(struct store *s, const char *kiosk_id, int64_t now_utc_ms,
                     struct store_health *health, const struct store_migration *steps, size_t n)
{
    int rc = sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK)
        return s->db != NULL ? fail(s, "open") : STORE_ERR_RETRY;
    if ((rc = check_read_write(s)) != 0 || (rc = set_pragmas(s)) != 0 ||
        (rc = quick_check(s)) != 0 || (rc = load_meta(s, kiosk_id, now_utc_ms, health)) != 0 ||
        (rc = check_writable(s)) != 0 || (rc = migrate(s, steps, n, health)) != 0 ||
        (rc = store_statements_prepare(s)) != 0)
        return rc;
    if (health->created)
        health->migrated_from = 0;
    return 0;
}

bool store_aside_name(const struct store *s, const char *tag, int64_t now_utc_ms, char *buf,
                      size_t size)
{
    char stamp[24], utc[32];
    clock_format_utc(now_utc_ms, utc, sizeof utc); /* 2026-11-22T10:00:00Z */
    size_t j = 0;
    for (size_t i = 0; utc[i] != '\0' && j < sizeof stamp - 1; i++)
        if (utc[i] != '-' && utc[i] != ':')
            stamp[j++] = utc[i];
    stamp[j] = '\0';
    for (int k = 1; k < 100; k++) {
        char extra[8] = "";
        if (k > 1)
            snprintf(extra, sizeof extra, "-%d", k);
        int len = snprintf(buf, size, "%s.%s-%s%s", s->path, tag, stamp, extra);
        if (len < 0 || (size_t)len >= size)
            return false;
        struct stat st;
        if (lstat(buf, &st) != 0 && errno == ENOENT)
            return true;
    }
    return false;
}

/* Moves s->path and its -wal and -shm aside (see store_aside_name). */
static bool quarantine(struct store *s, int64_t now_utc_ms, struct store_health *health)
{
    if (!store_aside_name(s, "corrupt", now_utc_ms, health->quarantine_path,
                          sizeof health->quarantine_path)) {
        log_error("store: %s is corrupt and no free name to move it to", s->path);
        return false;
    }
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char from[STORE_PATH_MAX + 8], to[sizeof health->quarantine_path + 8];
        snprintf(from, sizeof from, "%s%s", s->path, suffix[i]);
        snprintf(to, sizeof to, "%s%s", health->quarantine_path, suffix[i]);
        if (rename(from, to) != 0 && errno != ENOENT) {
            log_error("store: cannot move corrupt %s to %s: %s", from, to, strerror(errno));
            return false;
        }
    }
    health->quarantined = true;
    log_error("store: %s is corrupt: moved to %s; starting a new database (new incarnation)",
              s->path, health->quarantine_path);
    return true;
}

int store_open_migrations(struct store **out, const char *path, const char *kiosk_id,
                          int64_t now_utc_ms, struct store_health *health,
                          const struct store_migration *steps, size_t n)
{
    *out = NULL;
    *health = (struct store_health){0};
    if (path == NULL || kiosk_id == NULL || kiosk_id[0] == '\0' ||
        strlen(kiosk_id) >= STORE_KIOSK_ID_MAX) {
        log_error("store: cannot open %s: kiosk_id \"%s\" is empty or too long",
                  path != NULL ? path : "(null)", kiosk_id != NULL ? kiosk_id : "(null)");
        return STORE_ERR_RETRY;
    }
    if (!steps_are_ordered(steps, n))
        return STORE_ERR_RETRY;
    struct store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        log_error("store: out of memory opening %s", path);
        return STORE_ERR_RETRY;
    }
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof s->path) {
        log_error("store: cannot use path \"%.80s%s\": %zu bytes, expected 1 to %zu", path,
                  len > 80 ? "..." : "", len, sizeof s->path - 1);
        free(s);
        return STORE_ERR_RETRY;
    }
    memcpy(s->path, path, len + 1);
    if (!paths_make_parent(path)) { /* logged there */
        free(s);
        return STORE_ERR_RETRY;
    }
    int rc = open_once(s, kiosk_id, now_utc_ms, health, steps, n);
    if (rc == STORE_ERR_CORRUPT) {
        close_db(s, true);
        *health = (struct store_health){0};
        rc = quarantine(s, now_utc_ms, health)
                 ? open_once(s, kiosk_id, now_utc_ms, health, steps, n)
                 : STORE_ERR_RETRY;
    }
    struct stat st;
    if (rc == 0 && stat(s->path, &st) != 0) {
        log_error("store: %s: gone right after opening: %s", s->path, strerror(errno));
        rc = STORE_ERR_RETRY;
    }
    if (rc != 0) {
        close_db(s, rc == STORE_ERR_CORRUPT);
        free(s);
        return rc;
    }
    s->dev = st.st_dev;
    s->ino = st.st_ino;
    store_identity_set(s->path, s->dev, s->ino);
    snprintf(s->open_as, sizeof s->open_as, "%s", kiosk_id);
    *out = s;
    return 0;
}

int store_open(struct store **out, const char *path, const char *kiosk_id, int64_t now_utc_ms,
               struct store_health *health)
{
    return store_open_migrations(out, path, kiosk_id, now_utc_ms, health, store_migrations,
                                 store_migration_count);
}

void store_close(struct store *store)
{
    if (store == NULL)
        return;
    store_identity_clear(store->path, false);
    close_db(store, false);
    free(store);
}

const char *store_incarnation(const struct store *store)
{
    return store->incarnation;
}

const char *store_path(const struct store *store)
{
    return store->path;
}

const char *store_kiosk_id(const struct store *store)
{
    return store->kiosk_id;
}

int store_pragma_int(struct store *store, const char *name, long long *value)
{
    char sql[80], text[32];
    if (name[0] == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz_") != strlen(name) ||
        strlen(name) > 40) {
        log_error("store: not a pragma name: \"%s\"", name);
        return STORE_ERR_REFUSED;
    }
    snprintf(sql, sizeof sql, "PRAGMA %s", name);
    int rc = query_text(store, sql, NULL, text, sizeof text);
    if (rc != 0)
        return rc;
    char *end;
    errno = 0;
    *value = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0) {
        log_error("store: %s: PRAGMA %s is \"%s\", not a number", store->path, name, text);
        return STORE_ERR_REFUSED;
    }
    return 0;
}

int store_count_taps(struct store *store, const char *department, int64_t from_utc_ms,
                     int64_t by_rating[5], int64_t *misuse)
{
    static const char sql[] = "SELECT rating, misuse, sum(n) FROM counts"
                              " WHERE bucket_start_ms_utc >= ?1 AND (?2 IS NULL OR department = ?2)"
                              " GROUP BY rating, misuse";
    memset(by_rating, 0, 5 * sizeof *by_rating);
    *misuse = 0;
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(store->db, sql, -1, &stmt, NULL);
    /* the bucket holding from_utc_ms counts whole, as documented (floor) */
    int64_t bucket =
        from_utc_ms - ((from_utc_ms % STORE_BUCKET_MS) + STORE_BUCKET_MS) % STORE_BUCKET_MS;
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(stmt, 1, bucket);
    if (rc == SQLITE_OK && department != NULL)
        rc = sqlite3_bind_text(stmt, 2, department, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int rating = sqlite3_column_int(stmt, 0);
        int64_t n = sqlite3_column_int64(stmt, 2);
        if (sqlite3_column_int(stmt, 1) != 0)
            *misuse += n;
        else if (rating >= 1 && rating <= 4)
            by_rating[rating] += n;
        rc = SQLITE_OK;
    }
    if (rc != SQLITE_DONE)
        log_error("store: %s: counting taps: %s", store->path, sqlite3_errmsg(store->db));
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : store_error_code(rc);
}
