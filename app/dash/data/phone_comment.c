/*
 * phone_comment: the phone form's token checked against the kiosks and
 * comments tables, and its comment written once (phone_comment.h).
 */
#include "phone_comment.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"

/* What the kiosks row says about the token's kiosk. */
struct phone_kiosk {
    bool found;
    char key[80];
    char department[PHONE_TOKEN_FIELD];
    char departments[1024]; /* a picker's, comma-separated (kiosk-written) */
    int64_t clock_ms, seen_ms;
};

static bool read_kiosk(void *ctx, int ncols, const char *const *v)
{
    struct phone_kiosk *k = ctx;
    k->found = true;
    snprintf(k->key, sizeof k->key, "%s", v[0] ? v[0] : "");
    snprintf(k->department, sizeof k->department, "%s", v[1] ? v[1] : "");
    snprintf(k->departments, sizeof k->departments, "%s", v[2] ? v[2] : "");
    k->clock_ms = v[3] ? strtoll(v[3], NULL, 10) : 0;
    k->seen_ms = v[4] ? strtoll(v[4], NULL, 10) : 0;
    return true; /* the key: one row */
}

/* Whether department is one of list's comma-separated ids. */
static bool listed(const char *list, const char *department)
{
    size_t n = strlen(department);
    for (const char *p = list; *p;) {
        p += strspn(p, " ,");
        size_t len = strcspn(p, ", ");
        if (len == n && !strncmp(p, department, n))
            return true;
        p += len;
    }
    return false;
}

static bool read_int(void *ctx, int ncols, const char *const *v)
{
    *(int64_t *)ctx = v[0] ? strtoll(v[0], NULL, 10) : 0;
    return true;
}

static bool load_kiosk(struct dashdb *db, const char *kiosk_id, struct phone_kiosk *k, char *err,
                       size_t size)
{
    struct dashdb_value p[] = {DASHDB_TEXT(kiosk_id)};
    bool ok = dashdb_exec(db,
                          "SELECT comment_key, department, departments, kiosk_clock_ms, "
                          "last_seen_ms FROM kiosks WHERE kiosk_id = $1",
                          p, 1, read_kiosk, k, NULL, err, size);
    return ok;
}

/* Whether t's phone row exists: -1 when the database failed. */
static int phone_row_exists(struct dashdb *db, const struct phone_token *t, char *err, size_t size)
{
    int64_t n = 0;
    struct dashdb_value p[] = {DASHDB_TEXT(t->kiosk_id), DASHDB_TEXT(t->incarnation),
                               DASHDB_INT(t->tap_id)};
    if (!dashdb_exec(db,
                     "SELECT count(*) FROM comments WHERE kiosk_id = $1 AND incarnation = $2 "
                     "AND tap_id = $3 AND source = 'phone'",
                     p, 3, read_int, &n, NULL, err, size))
        return -1;
    return n > 0;
}

/* The taps counted in t's bucket and face (-1: its counts have not
 * arrived) and the phone comments already sent for them; false when the
 * database failed. */
static bool bucket_room(struct dashdb *db, const struct phone_token *t, int64_t *taps,
                        int64_t *sent, char *err, size_t size)
{
    static const char *const taps_sql[] = {
        NULL,
        "SELECT rating_1 + misuse_1 FROM tap_counts WHERE kiosk_id = $1 AND incarnation = $2 AND "
        "bucket_start_ms = $3 AND department = $4",
        "SELECT rating_2 + misuse_2 FROM tap_counts WHERE kiosk_id = $1 AND incarnation = $2 AND "
        "bucket_start_ms = $3 AND department = $4",
        "SELECT rating_3 + misuse_3 FROM tap_counts WHERE kiosk_id = $1 AND incarnation = $2 AND "
        "bucket_start_ms = $3 AND department = $4",
        "SELECT rating_4 + misuse_4 FROM tap_counts WHERE kiosk_id = $1 AND incarnation = $2 AND "
        "bucket_start_ms = $3 AND department = $4",
    };
    int64_t start = t->tap_ms - t->tap_ms % PHONE_COMMENT_BUCKET_MS;
    struct dashdb_value p[] = {DASHDB_TEXT(t->kiosk_id),
                               DASHDB_TEXT(t->incarnation),
                               DASHDB_INT(start),
                               DASHDB_TEXT(t->department),
                               DASHDB_INT(start + PHONE_COMMENT_BUCKET_MS),
                               DASHDB_INT(t->rating)};
    *taps = -1;
    *sent = 0;
    return dashdb_exec(db, taps_sql[t->rating], p, 4, read_int, taps, NULL, err, size) &&
           dashdb_exec(db,
                       "SELECT count(*) FROM comments WHERE kiosk_id = $1 AND incarnation = $2 "
                       "AND tap_ms >= $3 AND department = $4 AND tap_ms < $5 AND rating = $6 "
                       "AND source = 'phone'",
                       p, 6, read_int, sent, NULL, err, size);
}

static enum phone_status check_room(struct dashdb *db, const struct phone_token *t, char *err,
                                    size_t size)
{
    int64_t taps, sent;
    if (!bucket_room(db, t, &taps, &sent, err, size))
        return PHONE_ERROR;
    return taps >= 0 && sent >= taps ? PHONE_FULL : PHONE_OK;
}

enum phone_status phone_comment_check(struct dashdb *db, const char *text, int64_t now_ms,
                                      struct phone_token *out, char *err, size_t size)
{
    if (!phone_token_parse(text, out))
        return PHONE_MALFORMED;
    struct phone_kiosk k = {0};
    if (!load_kiosk(db, out->kiosk_id, &k, err, size))
        return PHONE_ERROR;
    if (!k.found || !phone_token_verify(out, k.key) ||
        (strcmp(k.department, out->department) && !listed(k.departments, out->department)))
        return PHONE_FORGED;
    /* the tap on the dashboard's clock: the kiosk's clock ran ahead by
     * clock_ms - seen_ms at its last heartbeat */
    int64_t offset = k.seen_ms > 0 && k.clock_ms > 0 ? k.clock_ms - k.seen_ms : 0;
    int64_t age = now_ms - (out->tap_ms - offset);
    if (age < -PHONE_COMMENT_FUTURE_MS)
        return PHONE_FORGED;
    if (age > PHONE_COMMENT_TTL_MS)
        return PHONE_EXPIRED;
    int used = phone_row_exists(db, out, err, size);
    if (used != 0)
        return used < 0 ? PHONE_ERROR : PHONE_USED;
    return check_room(db, out, err, size);
}

enum phone_status phone_comment_insert(struct dashdb *db, const struct phone_token *t,
                                       const char *body, int64_t now_ms, char *err, size_t size)
{
    /* one statement, so the room is counted where the row is written: no
     * transaction that SQLite would have to upgrade from reading to
     * writing (SQLITE_BUSY at once when the refresher writes) */
    int64_t start = t->tap_ms - t->tap_ms % PHONE_COMMENT_BUCKET_MS, changes = 0;
    struct dashdb_value p[] = {DASHDB_TEXT(t->kiosk_id),
                               DASHDB_TEXT(t->incarnation),
                               DASHDB_INT(t->tap_id),
                               DASHDB_TEXT(t->department),
                               DASHDB_INT(t->rating),
                               DASHDB_INT(t->tap_ms),
                               DASHDB_TEXT(t->lang),
                               DASHDB_TEXT(body),
                               DASHDB_INT(now_ms),
                               DASHDB_INT(start),
                               DASHDB_INT(start + PHONE_COMMENT_BUCKET_MS)};
    if (!dashdb_exec(db,
                     "INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, "
                     "rating, tap_ms, lang, body, written_ms) "
                     "SELECT $1, $2, $3, 'phone', $4, CAST($5 AS INTEGER), $6, $7, $8, $9 WHERE "
                     "COALESCE((SELECT CASE CAST($5 AS INTEGER) WHEN 1 THEN rating_1 + misuse_1 "
                     "  WHEN 2 THEN rating_2 + misuse_2 WHEN 3 THEN rating_3 + misuse_3 "
                     "  ELSE rating_4 + misuse_4 END FROM tap_counts WHERE kiosk_id = $1 AND "
                     "  incarnation = $2 AND bucket_start_ms = $10 AND department = $4), "
                     "  9223372036854775807) > "
                     "(SELECT count(*) FROM comments WHERE kiosk_id = $1 AND incarnation = $2 "
                     "  AND department = $4 AND rating = CAST($5 AS INTEGER) AND tap_ms >= $10 AND "
                     "tap_ms < $11 "
                     "  AND source = 'phone') "
                     "ON CONFLICT DO NOTHING",
                     p, 11, NULL, NULL, &changes, err, size))
        return PHONE_ERROR;
    if (changes > 0)
        return PHONE_OK;
    int used = phone_row_exists(db, t, err, size);
    return used < 0 ? PHONE_ERROR : used ? PHONE_USED : PHONE_FULL;
}
