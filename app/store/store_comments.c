/*
 * store_comments: the comments table and the comment key (see
 * store_comments.h): the writer's record, and what a sync reads and marks
 * on its own connection.  Comments are rare (a customer types one now and
 * then), so their statements are prepared per call.
 */
#include "store_comments.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "store_changes.h"
#include "store_private.h"
#include "utf8.h"

/* ---- checks ------------------------------------------------------------ */

static bool lang_is_valid(const char *lang)
{
    size_t n = lang != NULL ? strlen(lang) : 0;
    return n >= 2 && n <= 7 && strspn(lang, "abcdefghijklmnopqrstuvwxyz") == n;
}

/* Well-formed UTF-8 of 1..500 characters, no control character but a
 * line break (nothing the keyboard makes; a hostile caller may). */
static bool body_is_valid(const char *body)
{
    if (body == NULL || body[0] == '\0' || strlen(body) >= STORE_COMMENT_BODY_MAX ||
        !utf8_valid_string(body) || utf8_chars(body) > STORE_COMMENT_MAX_CHARS)
        return false;
    for (const unsigned char *p = (const unsigned char *)body; *p; p++)
        if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
            return false;
    return true;
}

/* ---- the writer's side --------------------------------------------------- */

static int step_done(struct store *s, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW)
        return 0;
    log_error("store: %s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
    return store_error_code(rc);
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    if (rc == SQLITE_OK)
        return 0;
    log_error("store: %s: prepare \"%s\": %s", s->path, sql, sqlite3_errmsg(s->db));
    return store_error_code(rc);
}

/* 1 when tap_id already has a comment with these words, -1 with others,
 * 0 with none; or a STORE_ERR_*. */
static int existing_comment(struct store *s, int64_t tap_id, const char *body)
{
    sqlite3_stmt *st;
    int rc = prepare(s, "SELECT body = ? FROM comments WHERE tap_id = ?", &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, tap_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        rc = sqlite3_column_int(st, 0) ? 1 : -1;
    else if (step != SQLITE_DONE)
        rc = step_done(s, st, "read a comment");
    sqlite3_finalize(st);
    return rc;
}

static int insert_comment(struct store *s, int64_t tap_id, const struct store_comment *c)
{
    sqlite3_stmt *st;
    int rc = prepare(s,
                     "INSERT INTO comments(tap_id, department, rating, tap_ms, lang, body,"
                     " written_ms) SELECT id, department, rating, at_ms_utc, ?, ?, ?"
                     " FROM taps WHERE id = ?",
                     &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, c->lang, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->written_ms);
    sqlite3_bind_int64(st, 4, tap_id);
    rc = step_done(s, st, "insert a comment");
    if (rc == 0 && sqlite3_changes(s->db) != 1) {
        log_error("store: refused the comment of tap %lld: no such tap", (long long)tap_id);
        rc = STORE_ERR_REFUSED;
    }
    sqlite3_finalize(st);
    return rc;
}

/* A transaction, or a savepoint inside a replay's batch (store_batch_begin). */
static int run_sql(struct store *s, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    log_error("store: %s: %s: %s", s->path, sql, msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return store_error_code(rc);
}

int store_record_comment(struct store *s, int64_t tap_id, const struct store_comment *c)
{
    if (!lang_is_valid(c->lang) || !body_is_valid(c->body) || tap_id <= 0) {
        log_error("store: refused a comment of tap %lld: language \"%.8s\" or its words "
                  "(1..%d characters of UTF-8) are not valid",
                  (long long)tap_id, c->lang ? c->lang : "", STORE_COMMENT_MAX_CHARS);
        return STORE_ERR_REFUSED;
    }
    int rc = run_sql(s, s->in_batch ? "SAVEPOINT comment" : "BEGIN IMMEDIATE");
    if (rc != 0)
        return rc;
    int have = existing_comment(s, tap_id, c->body);
    if (have == -1) {
        log_error("store: refused a second comment of tap %lld", (long long)tap_id);
        rc = STORE_ERR_REFUSED;
    } else if (have < -1) {
        rc = have;
    } else if (have == 0) {
        rc = insert_comment(s, tap_id, c);
    }
    if (s->in_batch) {
        if (rc != 0)
            run_sql(s, "ROLLBACK TO comment");
        int released = run_sql(s, "RELEASE comment");
        rc = rc != 0 ? rc : released;
    } else {
        if (rc == 0)
            rc = run_sql(s, "COMMIT");
        if (rc != 0 && !sqlite3_get_autocommit(s->db))
            run_sql(s, "ROLLBACK");
    }
    if (rc == 0)
        log_info("comment %s tap=%lld lang=%s chars=%zu", have == 1 ? "was there" : "committed",
                 (long long)tap_id, c->lang, utf8_chars(c->body));
    return rc;
}

/* ---- the key ------------------------------------------------------------- */

/* Reads meta comment_key into hex: SQLITE_OK, SQLITE_NOTFOUND when there
 * is none, or a SQLite result code. */
static int key_read(sqlite3 *db, char hex[2 * STORE_COMMENT_KEY_BYTES + 1])
{
    sqlite3_stmt *st = NULL;
    int rc =
        sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'comment_key'", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        int step = sqlite3_step(st);
        const char *v = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (step == SQLITE_DONE)
            rc = SQLITE_NOTFOUND;
        else if (step != SQLITE_ROW)
            rc = sqlite3_errcode(db);
        else if (v == NULL || strlen(v) != 2 * STORE_COMMENT_KEY_BYTES ||
                 strspn(v, "0123456789abcdef") != 2 * STORE_COMMENT_KEY_BYTES)
            rc = SQLITE_CORRUPT;
        else
            memcpy(hex, v, 2 * STORE_COMMENT_KEY_BYTES + 1);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Reads meta comment_key into hex, making it first when missing (INSERT OR
 * IGNORE: two connections making it at once keep the first).  SQLite
 * result code. */
static int key_hex(sqlite3 *db, char hex[2 * STORE_COMMENT_KEY_BYTES + 1])
{
    int rc = key_read(db, hex);
    if (rc != SQLITE_NOTFOUND)
        return rc;
    unsigned char key[STORE_COMMENT_KEY_BYTES];
    char made[2 * STORE_COMMENT_KEY_BYTES + 1];
    if (sodium_init() < 0)
        return SQLITE_ERROR;
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(made, sizeof made, key, sizeof key);
    sodium_memzero(key, sizeof key);
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO meta(key, value) VALUES ('comment_key', ?)",
                            -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, made, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : sqlite3_errcode(db);
    }
    sqlite3_finalize(st);
    sodium_memzero(made, sizeof made);
    return rc == SQLITE_OK ? key_read(db, hex) : rc;
}

int store_comment_key(struct store *s, unsigned char key[STORE_COMMENT_KEY_BYTES])
{
    char hex[2 * STORE_COMMENT_KEY_BYTES + 1];
    int rc = key_hex(s->db, hex);
    if (rc != SQLITE_OK) {
        log_error("store: %s: the comment key: %s", s->path, sqlite3_errstr(rc));
        return store_error_code(rc);
    }
    sodium_hex2bin(key, STORE_COMMENT_KEY_BYTES, hex, strlen(hex), NULL, NULL, NULL);
    sodium_memzero(hex, sizeof hex);
    return 0;
}

/* ---- the sync's side ------------------------------------------------------ */

int store_changes_comment_key(struct store_changes *changes,
                              char hex[2 * STORE_COMMENT_KEY_BYTES + 1])
{
    if (key_hex(store_changes_db(changes), hex) != SQLITE_OK)
        return store_changes_fail(changes, "the comment key");
    return 0;
}

int store_changes_comments(struct store_changes *changes, int max_rows,
                           int (*row)(void *ctx, const struct store_comment_row *r), void *ctx,
                           int64_t *upto)
{
    sqlite3 *db = store_changes_db(changes);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, tap_id, department, rating, tap_ms, lang, body, written_ms"
                           " FROM comments WHERE synced = 0 ORDER BY id LIMIT ?",
                           -1, &st, NULL) != SQLITE_OK)
        return store_changes_fail(changes, "read comments");
    sqlite3_bind_int(st, 1, max_rows);
    int rc, stopped = 0;
    while (stopped == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct store_comment_row r = {
            .id = sqlite3_column_int64(st, 0),
            .tap_id = sqlite3_column_int64(st, 1),
            .department = (const char *)sqlite3_column_text(st, 2),
            .rating = sqlite3_column_int(st, 3),
            .tap_ms = sqlite3_column_int64(st, 4),
            .lang = (const char *)sqlite3_column_text(st, 5),
            .body = (const char *)sqlite3_column_text(st, 6),
            .written_ms = sqlite3_column_int64(st, 7),
        };
        if (r.department == NULL || r.lang == NULL || r.body == NULL) {
            rc = SQLITE_NOMEM;
            break;
        }
        stopped = row(ctx, &r);
        *upto = r.id;
    }
    int result = stopped != 0 ? stopped : rc == SQLITE_DONE ? 0 : -1;
    if (result == -1)
        store_changes_fail(changes, "read comments");
    sqlite3_finalize(st);
    return result;
}

int store_changes_comments_mark(struct store_changes *changes, const char *incarnation,
                                int64_t upto)
{
    sqlite3 *db = store_changes_db(changes);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "UPDATE comments SET synced = 1 WHERE synced = 0 AND id <= ?1"
                           " AND (SELECT value FROM meta WHERE key = 'incarnation') = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return store_changes_fail(changes, "mark comments synced");
    sqlite3_bind_int64(st, 1, upto);
    sqlite3_bind_text(st, 2, incarnation, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : store_changes_fail(changes, "mark comments");
    sqlite3_finalize(st);
    return rc;
}

int store_changes_comments_waiting(struct store_changes *changes, int64_t *n)
{
    sqlite3 *db = store_changes_db(changes);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM comments WHERE synced = 0", -1, &st, NULL) !=
        SQLITE_OK)
        return store_changes_fail(changes, "count comments");
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : store_changes_fail(changes, "count comments");
    if (rc == 0)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc;
}
