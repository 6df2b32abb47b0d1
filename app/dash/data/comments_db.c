/*
 * comments_db: the comments table read into a comment_list
 * (comments_db.h).
 */
#include "comments_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comment_list.h"
#include "dashdb.h"
#include "dashview.h"

struct reading {
    const struct dash_user *user;
    struct comment_list *out;
    size_t max, seen;
};

static void text(char *dst, size_t size, const char *v)
{
    snprintf(dst, size, "%s", v ? v : "");
}

static bool read_row(void *ctx, int ncols, const char *const *v)
{
    struct reading *r = ctx;
    if (!dash_user_sees(r->user, v[4] ? v[4] : ""))
        return true;
    if (++r->seen > r->max) {
        r->out->truncated = true;
        return true;
    }
    struct comment_item c = {0};
    text(c.kiosk_id, sizeof c.kiosk_id, v[0]);
    text(c.incarnation, sizeof c.incarnation, v[1]);
    c.tap_id = v[2] ? strtoll(v[2], NULL, 10) : 0;
    text(c.source, sizeof c.source, v[3]);
    text(c.department, sizeof c.department, v[4]);
    c.rating = v[5] ? (int)strtol(v[5], NULL, 10) : 0;
    c.tap_ms = v[6] ? strtoll(v[6], NULL, 10) : 0;
    c.written_ms = v[7] ? strtoll(v[7], NULL, 10) : 0;
    text(c.lang, sizeof c.lang, v[8]);
    c.body = (char *)(v[9] ? v[9] : "");
    text(c.zone, sizeof c.zone, v[10]);
    return comment_list_add(r->out, &c);
}

bool comments_read(struct dashdb *db, const struct dash_user *user, const char *department,
                   int64_t from_ms, int64_t to_ms, size_t max, struct comment_list *out, char *err,
                   size_t size)
{
    struct reading r = {.user = user, .out = out, .max = max};
    struct dashdb_value p[] = {DASHDB_TEXT(department ? department : ""), DASHDB_INT(from_ms),
                               DASHDB_INT(to_ms)};
    return dashdb_exec(db,
                       "SELECT c.kiosk_id, c.incarnation, c.tap_id, c.source, c.department, "
                       "c.rating, c.tap_ms, c.written_ms, c.lang, c.body, "
                       "COALESCE(k.timezone, '') FROM comments c "
                       "LEFT JOIN kiosks k ON k.kiosk_id = c.kiosk_id "
                       "WHERE ($1 = '' OR c.department = $1) AND c.tap_ms >= $2 "
                       "AND c.tap_ms < $3 "
                       "ORDER BY c.tap_ms DESC, c.kiosk_id, c.tap_id, c.source",
                       p, 3, read_row, &r, NULL, err, size);
}
