/*
 * alerts: a user's alerts (alerts.h): the list, one alert with its
 * comments, acknowledging and commenting, each within what the user may
 * see.  The evaluation that opens and closes alerts is alerts_evaluate.c.
 */
#include "alerts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "alerts_private.h"
#include "dashdb.h"
#include "names.h"
#include "org.h"
#include "strbuf.h"
#include "utf8.h"

void alerts_alert_free(struct dash_alert *alert)
{
    for (size_t c = 0; c < alert->comments_n; c++)
        free(alert->comments[c].body);
    free(alert->comments);
    alert->comments = NULL;
    alert->comments_n = 0;
}

struct listing {
    const struct dash_user *user;
    int64_t offset, limit, seen; /* visible rows so far */
    struct dash_alerts *out;
    size_t cap;
};

static bool read_listed(void *ctx, int ncols, const char *const *v)
{
    struct listing *l = ctx;
    if (ncols < ALERTS_ROW_COLUMNS || !v[3] || !dash_user_sees(l->user, v[3]))
        return ncols >= ALERTS_ROW_COLUMNS;
    int64_t at = l->seen++;
    if (at < l->offset)
        return true;
    if (at >= l->offset + l->limit) {
        l->out->more = true;
        return true;
    }
    if (!dash_grow((void **)&l->out->items, l->out->n, &l->cap, sizeof *l->out->items))
        return false;
    alerts_row_read(&l->out->items[l->out->n++], v);
    return true;
}

/* The department names of alerts[0..n) in the viewer's language, where
 * the catalog has one (alerts_row_select gave its first language's). */
static bool name_alerts(struct dashdb *db, const struct dash_user *u, struct dash_alert *alerts,
                        size_t n, char *err, size_t size)
{
    if (!u->lang[0] || n == 0)
        return true;
    struct names names = {0};
    bool ok = org_names_read(db, u->lang, &names, err, size);
    for (size_t i = 0; ok && i < n; i++) {
        const char *name = names_find(&names, "department", alerts[i].department);
        if (name)
            alerts_copy_text(alerts[i].department_name, sizeof alerts[i].department_name, name);
    }
    names_free(&names);
    return ok;
}

bool alerts_list(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                 const char *state, int64_t offset, int64_t limit, struct dash_alerts *out,
                 char *err, size_t size)
{
    dash_alerts_free(out);
    const char *where = !strcmp(state, "open")     ? " WHERE a.state <> 'closed'"
                        : !strcmp(state, "closed") ? " WHERE a.state = 'closed'"
                        : !strcmp(state, "all")    ? " WHERE 1 = 1"
                                                   : NULL;
    if (!where) {
        snprintf(err, size, "state: expected open, closed or all, got '%s'", state);
        return false;
    }
    if (offset < 0 || limit < 1) {
        snprintf(err, size, "paging: expected offset >= 0 and limit >= 1");
        return false;
    }
    if (u->role == DASH_ROLE_TECHNICIAN)
        return true;
    struct strbuf sql = {0};
    struct dashdb_value p[6];
    int n = 0;
    strbuf_puts(&sql, alerts_row_select);
    strbuf_puts(&sql, where);
    if (f && *f->department) {
        p[n++] = DASHDB_TEXT(f->department);
        strbuf_puts(&sql, " AND a.department = $");
        strbuf_int(&sql, n);
    }
    if (f && *f->group) {
        p[n++] = DASHDB_TEXT(f->group);
        strbuf_puts(&sql, " AND d.group_id = $");
        strbuf_int(&sql, n);
    }
    if (f && f->alerts_to_ms > f->alerts_from_ms) {
        /* open at some time in the period: opened before its end, closed after its start */
        p[n++] = DASHDB_INT(f->alerts_to_ms);
        strbuf_puts(&sql, " AND a.opened_ms < $");
        strbuf_int(&sql, n);
        p[n++] = DASHDB_INT(f->alerts_from_ms);
        strbuf_puts(&sql, " AND (a.closed_ms IS NULL OR a.closed_ms = 0 OR a.closed_ms >= $");
        strbuf_int(&sql, n);
        strbuf_puts(&sql, ")");
    }
    strbuf_puts(&sql, " ORDER BY a.opened_ms DESC, a.alert_id DESC");
    struct listing l = {.user = u, .offset = offset, .limit = limit, .out = out};
    if (u->role == DASH_ROLE_ADMIN) {
        /* everything is visible: the database pages (one row more tells
         * whether another page exists) */
        p[n++] = DASHDB_INT(limit + 1);
        strbuf_puts(&sql, " LIMIT $");
        strbuf_int(&sql, n);
        p[n++] = DASHDB_INT(offset);
        strbuf_puts(&sql, " OFFSET $");
        strbuf_int(&sql, n);
        l.offset = 0;
    }
    bool ok = !sql.failed && dashdb_exec(db, sql.data, p, n, read_listed, &l, NULL, err, size);
    if (sql.failed)
        snprintf(err, size, "out of memory");
    strbuf_free(&sql);
    return ok && name_alerts(db, u, out->items, out->n, err, size);
}

/* The alert id when u may see it: DASHQ_NOT_FOUND otherwise, exactly as
 * for an id that does not exist. */
static enum dashq_status find_visible(struct dashdb *db, const struct dash_user *u, int64_t id,
                                      struct dash_alert *out, char *err, size_t size)
{
    struct alerts_rows list = {0};
    struct strbuf sql = {0};
    strbuf_puts(&sql, alerts_row_select);
    strbuf_puts(&sql, " WHERE a.alert_id = $1");
    struct dashdb_value p = DASHDB_INT(id);
    bool ok =
        !sql.failed && dashdb_exec(db, sql.data, &p, 1, alerts_read_rows, &list, NULL, err, size);
    if (sql.failed)
        snprintf(err, size, "out of memory");
    strbuf_free(&sql);
    enum dashq_status status = !ok ? DASHQ_ERROR
                               : list.n == 1 && dash_user_sees(u, list.items[0].department)
                                   ? DASHQ_OK
                                   : DASHQ_NOT_FOUND;
    if (status == DASHQ_OK && out)
        *out = list.items[0];
    if (status == DASHQ_NOT_FOUND)
        snprintf(err, size, "no alert %" PRId64, id);
    free(list.items);
    return status;
}

static bool read_comment(void *ctx, int ncols, const char *const *v)
{
    struct dash_alert *a = ctx;
    size_t cap = a->comments_n;
    void *items = a->comments;
    if (ncols < 3 || !dash_grow(&items, a->comments_n, &cap, sizeof *a->comments))
        return false;
    a->comments = items;
    struct dash_comment *c = &a->comments[a->comments_n];
    alerts_copy_text(c->user, sizeof c->user, v[0]);
    c->at_ms = alerts_to_int(v[1]);
    c->body = strdup(v[2] ? v[2] : "");
    if (!c->body)
        return false;
    a->comments_n++;
    return true;
}

enum dashq_status alerts_get(struct dashdb *db, const struct dash_user *u, int64_t id,
                             struct dash_alert *out, char *err, size_t size)
{
    *out = (struct dash_alert){0};
    enum dashq_status status = find_visible(db, u, id, out, err, size);
    if (status != DASHQ_OK)
        return status;
    if (!name_alerts(db, u, out, 1, err, size)) {
        alerts_alert_free(out);
        return DASHQ_ERROR;
    }
    struct dashdb_value p = DASHDB_INT(id);
    if (!dashdb_exec(db,
                     "SELECT user_name, at_ms, body FROM dash_alert_comments WHERE alert_id = $1"
                     " ORDER BY seq",
                     &p, 1, read_comment, out, NULL, err, size)) {
        alerts_alert_free(out);
        return DASHQ_ERROR;
    }
    return DASHQ_OK;
}

enum dashq_status alerts_acknowledge(struct dashdb *db, const struct dash_user *u, int64_t id,
                                     int64_t now_ms, char *err, size_t size)
{
    enum dashq_status status = find_visible(db, u, id, NULL, err, size);
    if (status != DASHQ_OK)
        return status;
    struct dashdb_value p[3] = {DASHDB_INT(now_ms), DASHDB_TEXT(u->name), DASHDB_INT(id)};
    return dashdb_exec(db,
                       "UPDATE dash_alerts SET state = 'acknowledged', acked_ms = $1,"
                       " acked_by = $2 WHERE alert_id = $3 AND state = 'open'",
                       p, 3, NULL, NULL, NULL, err, size)
               ? DASHQ_OK
               : DASHQ_ERROR;
}

enum dashq_status alerts_comment(struct dashdb *db, const struct dash_user *u, int64_t id,
                                 const char *body, int64_t now_ms, char *err, size_t size)
{
    size_t len = strlen(body);
    if (utf8_find_bidi_control(body)) {
        snprintf(err, size,
                 "body: a bidirectional control character at byte %zu; expected text without "
                 "them (they reorder a comment on screen)",
                 (size_t)(utf8_find_bidi_control(body) - body) + 1);
        return DASHQ_ERROR;
    }
    if (len == 0 || len > ALERTS_COMMENT_MAX_BYTES || !utf8_valid_string(body)) {
        snprintf(err, size, "body: expected 1 to %d bytes of UTF-8 text, got %zu bytes%s",
                 ALERTS_COMMENT_MAX_BYTES, len, len ? " (or not UTF-8)" : "");
        return DASHQ_ERROR;
    }
    enum dashq_status status = find_visible(db, u, id, NULL, err, size);
    if (status != DASHQ_OK)
        return status;
    if (!dashdb_exec(db, dashdb_is_postgres(db) ? "BEGIN" : "BEGIN IMMEDIATE", NULL, 0, NULL, NULL,
                     NULL, err, size))
        return DASHQ_ERROR;
    int64_t seq = 0;
    struct dashdb_value key = DASHDB_INT(id);
    struct dashdb_value p[5] = {DASHDB_INT(id), DASHDB_INT(0), DASHDB_TEXT(u->name),
                                DASHDB_INT(now_ms), DASHDB_TEXT(body)};
    bool ok = dashdb_exec(db,
                          "SELECT COALESCE(MAX(seq), 0) FROM dash_alert_comments"
                          " WHERE alert_id = $1",
                          &key, 1, alerts_read_int, &seq, NULL, err, size);
    p[1] = DASHDB_INT(seq + 1);
    ok = ok &&
         dashdb_exec(db,
                     "INSERT INTO dash_alert_comments (alert_id, seq, user_name, at_ms, body)"
                     " VALUES ($1, $2, $3, $4, $5)",
                     p, 5, NULL, NULL, NULL, err, size) &&
         dashdb_exec(db, "COMMIT", NULL, 0, NULL, NULL, NULL, err, size);
    if (!ok) {
        char ignored[64];
        dashdb_exec(db, "ROLLBACK", NULL, 0, NULL, NULL, NULL, ignored, sizeof ignored);
    }
    return ok ? DASHQ_OK : DASHQ_ERROR;
}

/* Whether user name may own an alert of department: an enabled admin, or
 * an enabled head who sees it.  DASHQ_ERROR with why in err otherwise. */
static enum dashq_status check_assignee(struct dashdb *db, const char *name, const char *department,
                                        char *err, size_t size)
{
    struct accounts_user found;
    if (!accounts_user_find(db, name, &found, err, size))
        return DASHQ_ERROR;
    bool admin = !strcmp(found.role, "admin"), head = !strcmp(found.role, "head");
    if (!found.found || found.disabled || (!admin && !head)) {
        snprintf(err, size, "assignee: expected an enabled admin or head, got '%.63s'", name);
        return DASHQ_INVALID;
    }
    if (admin)
        return DASHQ_OK;
    struct dash_user who = {.role = DASH_ROLE_HEAD};
    alerts_copy_text(who.name, sizeof who.name, name);
    bool ok = accounts_head_departments(db, name, &who, err, size);
    bool sees = ok && dash_user_sees(&who, department);
    dash_user_free(&who);
    if (!ok)
        return DASHQ_ERROR;
    if (!sees) {
        snprintf(err, size, "assignee: %.63s is not a head of this alert's department", name);
        return DASHQ_INVALID;
    }
    return DASHQ_OK;
}

enum dashq_status alerts_assign(struct dashdb *db, const struct dash_user *u, int64_t id,
                                const char *assignee, int64_t now_ms, char *err, size_t size)
{
    struct dash_alert a;
    enum dashq_status status = find_visible(db, u, id, &a, err, size);
    if (status != DASHQ_OK)
        return status;
    if (*assignee && (status = check_assignee(db, assignee, a.department, err, size)) != DASHQ_OK)
        return status;
    struct dashdb_value p[4] = {*assignee ? DASHDB_TEXT(assignee) : (struct dashdb_value){0},
                                DASHDB_TEXT(u->name), DASHDB_INT(now_ms), DASHDB_INT(id)};
    return dashdb_exec(db,
                       "UPDATE dash_alerts SET assignee = $1, assigned_by = $2, assigned_ms = $3"
                       " WHERE alert_id = $4",
                       p, 4, NULL, NULL, NULL, err, size)
               ? DASHQ_OK
               : DASHQ_ERROR;
}

enum dashq_status alerts_resolve(struct dashdb *db, const struct dash_user *u, int64_t id,
                                 const char *note, int64_t now_ms, char *err, size_t size)
{
    size_t len = strlen(note);
    if (len == 0 || len >= ALERT_RESOLUTION_MAX || !utf8_valid_string(note) ||
        utf8_find_bidi_control(note)) {
        snprintf(err, size,
                 "note: expected 1 to %d bytes of UTF-8 text saying what was done (no "
                 "bidirectional controls), got %zu bytes",
                 ALERT_RESOLUTION_MAX - 1, len);
        return DASHQ_INVALID;
    }
    enum dashq_status status = find_visible(db, u, id, NULL, err, size);
    if (status != DASHQ_OK)
        return status;
    /* acting implies having recognised it: an open alert is acknowledged
     * too, by the same person at the same time */
    struct dashdb_value p[3] = {DASHDB_INT(now_ms), DASHDB_TEXT(u->name), DASHDB_INT(id)};
    struct dashdb_value q[4] = {DASHDB_TEXT(u->name), DASHDB_INT(now_ms), DASHDB_TEXT(note),
                                DASHDB_INT(id)};
    return dashdb_exec(db,
                       "UPDATE dash_alerts SET state = 'acknowledged', acked_ms = $1,"
                       " acked_by = $2 WHERE alert_id = $3 AND state = 'open'",
                       p, 3, NULL, NULL, NULL, err, size) &&
                   dashdb_exec(db,
                               "UPDATE dash_alerts SET resolved_by = $1, resolved_ms = $2,"
                               " resolution = $3 WHERE alert_id = $4",
                               q, 4, NULL, NULL, NULL, err, size)
               ? DASHQ_OK
               : DASHQ_ERROR;
}
