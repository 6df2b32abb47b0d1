/*
 * dashq_rows: the API's rows (dashq.h): counts, reasons and kiosks, a
 * page at a time, over the scope dashq.c works out, named by the catalog
 * in the viewer's language.
 *
 * Out of memory: the call fails with "out of memory" in err.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "dashq.h"
#include "dashq_private.h"
#include "kiosks.h"
#include "names.h"
#include "org.h"
#include "strbuf.h"

/* Checks and fixes a page: false (err says which) for a negative offset
 * or a limit below 1. */
static bool check_page(int64_t offset, int64_t limit, char *err, size_t size)
{
    if (offset < 0 || limit < 1) {
        snprintf(err, size, "paging: expected offset >= 0 and limit >= 1, got %lld and %lld",
                 (long long)offset, (long long)limit);
        return false;
    }
    return true;
}

static void append_page(struct strbuf *sql)
{
    strbuf_puts(sql, " LIMIT $3 OFFSET $4");
}

/* True when a page of limit rows is already read: the extra row read
 * only says that more exist. */
static bool page_full(size_t n, int64_t limit, bool *more)
{
    if ((int64_t)n < limit)
        return false;
    *more = true;
    return true;
}

/* The end every paged query over the filter's period shares: sql holds
 * "SELECT keys, sums FROM table WHERE day >= $1 AND day < $2 ..."; this
 * adds the user's scope, GROUP BY and ORDER BY keys and the page (limit +
 * 1 rows, so the row callback can tell that more exist), runs it, and
 * frees sql. */
static bool run_period_page(struct dashdb *db, const struct dash_user *u,
                            const struct dash_filter *f, struct strbuf *sql, const char *keys,
                            int64_t offset, int64_t limit, dashdb_row_fn row, void *ctx,
                            struct dash_departments *list, char *err, size_t size)
{
    bool none = false;
    bool ok = dashq_scoped(db, u, f, list, sql, &none, err, size);
    strbuf_puts(sql, " GROUP BY ");
    strbuf_puts(sql, keys);
    strbuf_puts(sql, " ORDER BY ");
    strbuf_puts(sql, keys);
    append_page(sql);
    if (ok && sql->failed)
        ok = dashq_fail_oom(err, size);
    if (ok && !none) {
        struct dashdb_value params[] = {DASHDB_INT(f->from_day), DASHDB_INT(f->to_day),
                                        DASHDB_INT(limit + 1), DASHDB_INT(offset)};
        ok = dashdb_exec(db, sql->data, params, 4, row, ctx, NULL, err, size);
    }
    strbuf_free(sql);
    return ok;
}

/* The name of department id in list (the scoped departments, named),
 * into dst. */
static void name_department(char *dst, size_t size, const struct dash_departments *list,
                            const char *id, bool *internal)
{
    long at = dashq_department_index(list, id);
    dashq_set_text(dst, size, at >= 0 ? list->items[at].name : id);
    *internal = at >= 0 && list->items[at].internal;
}

struct count_rows_ctx {
    struct dash_count_rows *out;
    size_t cap;
    int64_t limit;
    bool hourly, per_kiosk, include_misuse;
};

static bool handle_count_row(void *ctx, int ncols, const char *const *v)
{
    struct count_rows_ctx *c = ctx;
    int at = 0;
    if (ncols != 10 + c->hourly + c->per_kiosk)
        return true;
    if (page_full(c->out->n, c->limit, &c->out->more))
        return true;
    if (!dash_grow((void **)&c->out->items, c->out->n, &c->cap, sizeof *c->out->items))
        return false;
    struct dash_count_row *r = &c->out->items[c->out->n++];
    *r = (struct dash_count_row){.hour = -1};
    r->day = (int32_t)dashq_parse_i64(v[at++]);
    if (c->hourly)
        r->hour = (int8_t)dashq_parse_i64(v[at++]);
    dashq_set_text(r->department, sizeof r->department, v[at++]);
    if (c->per_kiosk)
        dashq_set_text(r->kiosk_id, sizeof r->kiosk_id, v[at++]);
    dashq_read_faces(v + at, c->include_misuse, &r->c, &r->misuse);
    return true;
}

bool dashq_counts(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                  bool hourly, bool per_kiosk, int64_t offset, int64_t limit,
                  struct dash_count_rows *out, char *err, size_t size)
{
    dash_count_rows_free(out);
    if (!check_page(offset, limit, err, size))
        return false;
    const char *keys =
        hourly ? (per_kiosk ? "day, hour, department, kiosk_id" : "day, hour, department")
               : (per_kiosk ? "day, department, kiosk_id" : "day, department");
    struct strbuf sql = {0};
    strbuf_puts(&sql, "SELECT ");
    strbuf_puts(&sql, keys);
    strbuf_puts(&sql, ", " DASHQ_FACE_SUMS " FROM ");
    strbuf_puts(&sql, hourly ? "dash_hour" : "dash_day");
    strbuf_puts(&sql, " WHERE day >= $1 AND day < $2");
    struct count_rows_ctx c = {out, 0, limit, hourly, per_kiosk, f->include_misuse};
    struct dash_departments list = {0};
    bool ok = run_period_page(db, u, f, &sql, keys, offset, limit, handle_count_row, &c, &list, err,
                              size);
    for (size_t i = 0; ok && i < out->n; i++)
        name_department(out->items[i].department_name, sizeof out->items[i].department_name, &list,
                        out->items[i].department, &out->items[i].internal);
    dash_departments_free(&list);
    return ok;
}

bool dashq_counts_weekly(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                         bool per_kiosk, int64_t offset, int64_t limit, struct dash_count_rows *out,
                         char *err, size_t size)
{
    dash_count_rows_free(out);
    if (!check_page(offset, limit, err, size))
        return false;
    const char *keys = per_kiosk ? "week, department, kiosk_id" : "week, department";
    struct strbuf sql = {0};
    /* a week is named by its Monday: day 0 (1970-01-01) was a Thursday */
    strbuf_puts(&sql, "SELECT day - (day + 3) % 7 AS week, department, ");
    strbuf_puts(&sql, per_kiosk ? "kiosk_id, " : "");
    strbuf_puts(&sql, DASHQ_FACE_SUMS " FROM dash_day WHERE day >= $1 AND day < $2");
    struct count_rows_ctx c = {out, 0, limit, false, per_kiosk, f->include_misuse};
    struct dash_departments list = {0};
    bool ok = run_period_page(db, u, f, &sql, keys, offset, limit, handle_count_row, &c, &list, err,
                              size);
    for (size_t i = 0; ok && i < out->n; i++)
        name_department(out->items[i].department_name, sizeof out->items[i].department_name, &list,
                        out->items[i].department, &out->items[i].internal);
    dash_departments_free(&list);
    return ok;
}

struct reason_rows_ctx {
    struct dash_reason_count_rows *out;
    size_t cap;
    int64_t limit;
};

static bool handle_reason_count(void *ctx, int ncols, const char *const *v)
{
    struct reason_rows_ctx *c = ctx;
    if (ncols != 7)
        return true;
    if (page_full(c->out->n, c->limit, &c->out->more))
        return true;
    if (!dash_grow((void **)&c->out->items, c->out->n, &c->cap, sizeof *c->out->items))
        return false;
    struct dash_reason_count_row *r = &c->out->items[c->out->n++];
    *r = (struct dash_reason_count_row){.day = (int32_t)dashq_parse_i64(v[0])};
    dashq_set_text(r->department, sizeof r->department, v[1]);
    dashq_set_text(r->r.question, sizeof r->r.question, v[2]);
    dashq_set_text(r->r.reason, sizeof r->r.reason, v[3]);
    dashq_set_text(r->r.ended_by, sizeof r->r.ended_by, v[4]);
    r->misuse = dashq_parse_i64(v[5]) != 0;
    r->r.n = dashq_parse_i64(v[6]);
    return true;
}

bool dashq_reasons(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                   int64_t offset, int64_t limit, struct dash_reason_count_rows *out, char *err,
                   size_t size)
{
    static const char keys[] = "day, department, question, reason, ended_by, misuse";
    dash_reason_count_rows_free(out);
    if (!check_page(offset, limit, err, size))
        return false;
    struct strbuf sql = {0};
    strbuf_puts(&sql, "SELECT ");
    strbuf_puts(&sql, keys);
    strbuf_puts(&sql, ", SUM(n) FROM dash_reason_day WHERE day >= $1 AND day < $2");
    if (!f->include_misuse)
        strbuf_puts(&sql, " AND misuse = 0");
    struct reason_rows_ctx c = {out, 0, limit};
    struct dash_departments list = {0};
    struct names names = {0};
    bool ok = run_period_page(db, u, f, &sql, keys, offset, limit, handle_reason_count, &c, &list,
                              err, size) &&
              org_names_read(db, u->lang, &names, err, size);
    for (size_t i = 0; ok && i < out->n; i++) {
        struct dash_reason_count_row *r = &out->items[i];
        name_department(r->department_name, sizeof r->department_name, &list, r->department,
                        &r->internal);
        dashq_label_reason(&r->r, &names);
    }
    names_free(&names);
    dash_departments_free(&list);
    return ok;
}

struct kiosk_rows_ctx {
    struct dash_kiosk_rows *out;
    size_t cap;
    int64_t limit;
};

static bool handle_kiosk_page(void *ctx, const struct kiosk_record *r)
{
    struct kiosk_rows_ctx *c = ctx;
    if (page_full(c->out->n, c->limit, &c->out->more))
        return true;
    if (!dash_grow((void **)&c->out->items, c->out->n, &c->cap, sizeof *c->out->items))
        return false;
    dashq_read_kiosk(r, &c->out->items[c->out->n++]);
    return true;
}

/* A kiosk's department's name, and a picker's departments' names. */
static void name_kiosk(struct dash_kiosk_row *k, const struct names *names)
{
    char ids[DASHQ_PICKER_MAX][DASH_ID_MAX];
    size_t n = names_split_ids(k->departments, ids, DASHQ_PICKER_MAX);
    struct strbuf joined = {0};
    dashq_set_text(k->site_name, sizeof k->site_name, names_or(names, "site", k->site, k->site));
    dashq_set_text(k->department_name, sizeof k->department_name,
                   names_or(names, "department", k->department, k->department));
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&joined, i ? ", " : "");
        strbuf_puts(&joined, names_or(names, "department", ids[i], ids[i]));
    }
    dashq_set_text(k->department_names, sizeof k->department_names,
                   joined.failed ? "" : joined.data);
    strbuf_free(&joined);
}

bool dashq_kiosks(struct dashdb *db, const struct dash_user *u, int64_t offset, int64_t limit,
                  struct dash_kiosk_rows *out, char *err, size_t size)
{
    dash_kiosk_rows_free(out);
    if (!check_page(offset, limit, err, size))
        return false;
    struct strbuf sql = {0};
    bool none = false;
    /* "WHERE 1 = 1" so the scope's " AND ..." follows */
    strbuf_puts(&sql, " WHERE 1 = 1");
    if (u->role == DASH_ROLE_HEAD) {
        const char **ids = calloc(u->n_departments + 1, sizeof *ids);
        if (!ids) {
            strbuf_free(&sql);
            return dashq_fail_oom(err, size);
        }
        for (size_t i = 0; i < u->n_departments; i++)
            ids[i] = u->departments[i];
        none = !dashq_append_in_list(&sql, "department", ids, u->n_departments);
        free(ids);
    } else if (u->role != DASH_ROLE_ADMIN && u->role != DASH_ROLE_TECHNICIAN) {
        none = true;
    }
    strbuf_puts(&sql, " ORDER BY kiosk_id LIMIT $1 OFFSET $2");
    bool ok = sql.failed ? dashq_fail_oom(err, size) : true;
    struct names names = {0};
    if (ok && !none) {
        struct kiosk_rows_ctx c = {out, 0, limit};
        struct dashdb_value params[] = {DASHDB_INT(limit + 1), DASHDB_INT(offset)};
        ok = kiosks_each(db, sql.data, params, 2, handle_kiosk_page, &c, err, size) &&
             org_names_read(db, u->lang, &names, err, size);
    }
    for (size_t i = 0; ok && i < out->n; i++)
        name_kiosk(&out->items[i], &names);
    names_free(&names);
    strbuf_free(&sql);
    return ok;
}
