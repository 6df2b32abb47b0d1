/*
 * sync_comments: the kiosk's comments and comment key in the sync's round
 * (see sync_comments.h): read from the store, the statements of both
 * backends, and the synced mark after a committed push.
 */
#include "sync_comments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"
#include "store_changes.h"
#include "store_comments.h"

/* ---- the store's side -------------------------------------------------- */

static char *copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

struct reading {
    struct sync_comments *c;
    size_t cap;
};

static int take_row(void *ctx, const struct store_comment_row *r)
{
    struct reading *rd = ctx;
    struct sync_comments *c = rd->c;
    if (c->n == rd->cap)
        return -1; /* never: the read is limited to cap */
    struct sync_comment_row *row = &c->rows[c->n];
    *row = (struct sync_comment_row){
        .tap_id = r->tap_id,
        .department = copy(r->department),
        .rating = r->rating,
        .tap_ms = r->tap_ms,
        .lang = copy(r->lang),
        .body = copy(r->body),
        .written_ms = r->written_ms,
    };
    c->n++;
    if (row->department == NULL || row->lang == NULL || row->body == NULL)
        return -1;
    return 0;
}

int sync_comments_read(struct sync_comments *c, const char *path, const char *incarnation,
                       char *error, size_t size)
{
    sync_comments_free(c);
    if (c->skip_next) {
        c->skip_next = false;
        return 0;
    }
    struct store_changes *ch = NULL;
    if (store_changes_open(&ch, path, error, size) != 0)
        return -1;
    int rc = store_changes_comment_key(ch, c->key);
    if (rc != 0)
        c->key[0] = '\0';
    c->send_key = c->key[0] != '\0' && strcmp(c->key_sent, incarnation) != 0;
    struct store_changes_meta meta;
    if (rc == 0)
        rc = store_changes_begin(ch, &meta);
    if (rc == 0) {
        c->rows = calloc(SYNC_COMMENTS_PER_ROUND, sizeof *c->rows);
        struct reading rd = {c, SYNC_COMMENTS_PER_ROUND};
        rc = c->rows == NULL
                 ? -1
                 : store_changes_comments(ch, SYNC_COMMENTS_PER_ROUND, take_row, &rd, &c->upto);
        if (c->rows == NULL)
            snprintf(error, size, "sync: reading the comments: out of memory");
        store_changes_end(ch);
        if (strcmp(meta.incarnation, incarnation) != 0) /* made anew since the batch */
            sync_comments_free(c);
    }
    store_changes_close(ch);
    if (rc != 0)
        sync_comments_free(c);
    return rc == 0 ? 0 : -1;
}

void sync_comments_to_batch(const struct sync_comments *c, struct sync_batch *batch)
{
    batch->comments = c->n > 0 ? c->rows : NULL;
    batch->comment_n = c->n;
    batch->comment_key = c->send_key || c->n > 0 ? c->key : NULL;
    if (batch->comment_key != NULL && batch->comment_key[0] == '\0')
        batch->comment_key = NULL;
}

int sync_comments_pushed(struct sync_comments *c, const char *path, const char *incarnation,
                         char *error, size_t size)
{
    if (c->send_key)
        snprintf(c->key_sent, sizeof c->key_sent, "%s", incarnation);
    if (c->n == 0)
        return 0;
    struct store_changes *ch = NULL;
    int rc = store_changes_open(&ch, path, error, size);
    if (rc == 0)
        rc = store_changes_comments_mark(ch, incarnation, c->upto);
    store_changes_close(ch);
    sync_comments_free(c);
    return rc;
}

void sync_comments_refused(struct sync_comments *c)
{
    if (c->n > 0)
        c->skip_next = true;
}

void sync_comments_free(struct sync_comments *c)
{
    for (size_t i = 0; c->rows != NULL && i < c->n; i++) {
        free((char *)c->rows[i].department);
        free((char *)c->rows[i].lang);
        free((char *)c->rows[i].body);
    }
    free(c->rows);
    c->rows = NULL;
    c->n = 0;
}

/* ---- PostgreSQL ---------------------------------------------------------- */

/* The kiosk role may insert its own 'kiosk' rows (schema step 12); a
 * resend is a no-op. */
static const char pg_insert_sql[] =
    "INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating, tap_ms,"
    "  lang, body, written_ms)"
    " SELECT $1, $2, t, 'kiosk', d, r, m, l, b, w"
    " FROM unnest($3::bigint[], $4::text[], $5::smallint[], $6::bigint[], $7::text[],"
    "  $8::text[], $9::bigint[]) AS u(t, d, r, m, l, b, w)"
    " ON CONFLICT (kiosk_id, incarnation, tap_id, source) DO NOTHING";

static const char pg_key_sql[] =
    "UPDATE kiosks SET comment_key = $2 WHERE kiosk_id = $1 AND comment_key <> $2";

bool sync_comments_pg_statements(const struct sync_batch *batch, struct sync_comments_pg *out)
{
    memset(out, 0, sizeof *out);
    if (batch->comment_n > 0) {
        for (int a = 0; a < 7; a++)
            strbuf_puts(&out->arrays[a], "{");
        for (size_t i = 0; i < batch->comment_n; i++) {
            const struct sync_comment_row *r = &batch->comments[i];
            for (int a = 0; i > 0 && a < 7; a++)
                strbuf_puts(&out->arrays[a], ",");
            strbuf_int(&out->arrays[0], r->tap_id);
            strbuf_array_text(&out->arrays[1], r->department);
            strbuf_int(&out->arrays[2], r->rating);
            strbuf_int(&out->arrays[3], r->tap_ms);
            strbuf_array_text(&out->arrays[4], r->lang);
            strbuf_array_text(&out->arrays[5], r->body);
            strbuf_int(&out->arrays[6], r->written_ms);
        }
        for (int a = 0; a < 7; a++) {
            strbuf_puts(&out->arrays[a], "}");
            if (out->arrays[a].failed)
                return false;
        }
        out->what[0] = "INSERT INTO comments";
        out->sql[0] = pg_insert_sql;
        out->nparams[0] = 9;
        out->params[0][0] = batch->kiosk_id;
        out->params[0][1] = batch->incarnation;
        for (int a = 0; a < 7; a++)
            out->params[0][2 + a] = out->arrays[a].data;
        out->n = 1;
    }
    if (batch->comment_key != NULL) {
        out->what[out->n] = "UPDATE kiosks (comment key)";
        out->sql[out->n] = pg_key_sql;
        out->nparams[out->n] = 2;
        out->params[out->n][0] = batch->kiosk_id;
        out->params[out->n][1] = batch->comment_key;
        out->n++;
    }
    return true;
}

void sync_comments_pg_free(struct sync_comments_pg *out)
{
    for (int a = 0; a < 7; a++)
        strbuf_free(&out->arrays[a]);
}

/* ---- SQLite -------------------------------------------------------------- */

static const char sqlite_insert_sql[] =
    "INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating, tap_ms,"
    "  lang, body, written_ms) VALUES (?, ?, ?, 'kiosk', ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (kiosk_id, incarnation, tap_id, source) DO NOTHING";

static const char sqlite_key_sql[] =
    "UPDATE kiosks SET comment_key = ?2 WHERE kiosk_id = ?1 AND comment_key <> ?2";

static bool sqlite_rows(sqlite3 *db, const struct sync_batch *batch)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sqlite_insert_sql, -1, &st, NULL) != SQLITE_OK)
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < batch->comment_n; i++) {
        const struct sync_comment_row *r = &batch->comments[i];
        sqlite3_bind_text(st, 1, batch->kiosk_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, batch->incarnation, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, r->tap_id);
        sqlite3_bind_text(st, 4, r->department, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, r->rating);
        sqlite3_bind_int64(st, 6, r->tap_ms);
        sqlite3_bind_text(st, 7, r->lang, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 8, r->body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, r->written_ms);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return ok;
}

static bool sqlite_key(sqlite3 *db, const struct sync_batch *batch)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sqlite_key_sql, -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, batch->kiosk_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, batch->comment_key, -1, SQLITE_STATIC);
    bool ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_finalize(st);
    return ok;
}

bool sync_comments_sqlite(sqlite3 *db, const struct sync_batch *batch, const char **what)
{
    *what = "INSERT INTO comments";
    if (batch->comment_n > 0 && !sqlite_rows(db, batch))
        return false;
    *what = "UPDATE kiosks (comment key)";
    return batch->comment_key == NULL || sqlite_key(db, batch);
}
