/*
 * dashq: the dashboard's queries (see dashq.h): departments, the league
 * and a department here; the API's paged rows in dashq_rows.c, which
 * borrows the helpers dashq_private.h declares.
 *
 * Scope: the departments a call may read are worked out in C first (the
 * known departments, kept to those dash_user_sees and the filter allow)
 * and go into the SQL as an IN list, which also lets PostgreSQL use the
 * rollups' keys that lead by department.  Sums over days and kiosks are
 * the database's; the shapes (periods, trends, groups) are made here.
 *
 * Out of memory: the call fails with "out of memory" in err.
 */
#include "dashq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "dashq_private.h"
#include "kiosks.h"
#include "names.h"
#include "org.h"
#include "strbuf.h"

int64_t dashq_parse_i64(const char *text)
{
    return text ? strtoll(text, NULL, 10) : 0;
}

void dashq_set_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

bool dashq_fail_oom(char *err, size_t size)
{
    snprintf(err, size, "out of memory");
    return false;
}

/* Eight columns rating_1..4, misuse_1..4 into what a filter shows (with
 * misuse when it includes it) and the misuse alone. */
void dashq_read_faces(const char *const *v, bool include_misuse, struct dash_counts *shown,
                      struct dash_counts *misuse)
{
    for (int i = 0; i < 4; i++) {
        int64_t rating = dashq_parse_i64(v[i]), flagged = dashq_parse_i64(v[4 + i]);
        shown->n[i] = rating + (include_misuse ? flagged : 0);
        if (misuse)
            misuse->n[i] = flagged;
    }
}

static void add_counts(struct dash_counts *sum, const struct dash_counts *c)
{
    for (int i = 0; i < 4; i++)
        sum->n[i] += c->n[i];
}

/* Appends text as a SQL string literal, quotes doubled; false (nothing
 * appended) when it holds a backslash or a control character, which no
 * id does (a backslash would mean something else to a PostgreSQL without
 * standard_conforming_strings). */
static bool append_literal(struct strbuf *sb, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p == '\\' || *p < 0x20 || *p == 0x7f)
            return false;
    strbuf_puts(sb, "'");
    for (const char *p = text; *p; p++) {
        if (*p == '\'')
            strbuf_puts(sb, "'");
        strbuf_append(sb, p, 1);
    }
    strbuf_puts(sb, "'");
    return true;
}

/* Appends " AND column IN ('a', ...)" over ids[0..n); false when none
 * can be written: then nothing can match. */
bool dashq_append_in_list(struct strbuf *sb, const char *column, const char *const *ids, size_t n)
{
    size_t written = 0;
    strbuf_puts(sb, " AND ");
    strbuf_puts(sb, column);
    strbuf_puts(sb, " IN (");
    for (size_t i = 0; i < n; i++) {
        struct strbuf one = {0};
        if (append_literal(&one, ids[i]) && !one.failed) {
            if (written++ > 0)
                strbuf_puts(sb, ", ");
            strbuf_puts(sb, one.data);
        }
        strbuf_free(&one);
    }
    strbuf_puts(sb, ")");
    return written > 0;
}

/* ---- departments ------------------------------------------------------- */

struct departments_ctx {
    struct dash_departments *out;
    size_t cap;
};

static bool handle_department(void *ctx, int ncols, const char *const *v)
{
    struct departments_ctx *c = ctx;
    if (ncols != 5 || !v[0])
        return true;
    if (!dash_grow((void **)&c->out->items, c->out->n, &c->cap, sizeof *c->out->items))
        return false;
    struct dash_department_info *d = &c->out->items[c->out->n++];
    memset(d, 0, sizeof *d);
    d->internal = v[4] && dashq_parse_i64(v[4]) == 0; /* NULL: nobody described it */
    dashq_set_text(d->id, sizeof d->id, v[0]);
    dashq_set_text(d->name, sizeof d->name, v[1] ? v[1] : v[0]);
    dashq_set_text(d->group, sizeof d->group, v[2]);
    dashq_set_text(d->group_name, sizeof d->group_name, v[3] ? v[3] : v[2]);
    return true;
}

static int compare_departments(const void *a, const void *b)
{
    const struct dash_department_info *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->id, y->id);
}

/* Adds the departments picker kiosks offer (kiosks.departments) that the
 * list does not hold yet, undescribed. */
static bool handle_picker(void *ctx, const struct kiosk_record *k)
{
    struct departments_ctx *c = ctx;
    char ids[DASHQ_PICKER_MAX][DASH_ID_MAX];
    size_t n = names_split_ids(k->departments, ids, DASHQ_PICKER_MAX);
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t j = 0; j < c->out->n && !known; j++)
            known = !strcmp(c->out->items[j].id, ids[i]);
        if (known)
            continue;
        const char *row[5] = {ids[i], NULL, NULL, NULL, NULL};
        if (!handle_department(c, 5, row))
            return false;
    }
    return true;
}

/* The catalog's names over the descriptions' (names.h: the viewer's
 * language, else the first). */
static void apply_names(struct dash_departments *list, const struct names *names)
{
    for (size_t i = 0; i < list->n; i++) {
        struct dash_department_info *d = &list->items[i];
        const char *name = names_find(names, "department", d->id);
        if (name)
            dashq_set_text(d->name, sizeof d->name, name);
        name = d->group[0] ? names_find(names, "group", d->group) : NULL;
        if (name)
            dashq_set_text(d->group_name, sizeof d->group_name, name);
    }
}

/* Every department anybody knows of, sorted by name, unscoped, named in
 * lang.  Those with rollup rows come from dash_hour's key by a skip scan
 * (one index probe per department), not from a scan of a rollup.  A
 * kiosks row's department '' (a picker kiosk's) is none; the departments
 * a picker kiosk offers are. */
static bool read_all_departments(struct dashdb *db, const char *lang, struct dash_departments *out,
                                 char *err, size_t size)
{
    static const char sql[] =
        "WITH RECURSIVE seen(department) AS ("
        " SELECT (SELECT department FROM dash_hour ORDER BY department LIMIT 1)"
        " UNION ALL SELECT (SELECT h.department FROM dash_hour h"
        "  WHERE h.department > seen.department ORDER BY h.department LIMIT 1)"
        " FROM seen WHERE seen.department IS NOT NULL)"
        " SELECT x.department, d.name, d.group_id, g.name, d.customer_facing FROM ("
        "  SELECT department FROM seen WHERE department IS NOT NULL"
        "  UNION SELECT department FROM dash_departments"
        "  UNION SELECT department FROM kiosks) x"
        " LEFT JOIN dash_departments d ON d.department = x.department"
        " LEFT JOIN dash_groups g ON g.group_id = d.group_id"
        " WHERE x.department <> ''";
    struct departments_ctx c = {out, 0};
    struct names names = {0};
    dash_departments_free(out);
    bool ok = dashdb_exec(db, sql, NULL, 0, handle_department, &c, NULL, err, size) &&
              kiosks_each(db, " WHERE departments <> ''", NULL, 0, handle_picker, &c, err, size) &&
              org_names_read(db, lang, &names, err, size);
    if (ok)
        apply_names(out, &names);
    names_free(&names);
    if (!ok)
        return false;
    if (out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, compare_departments);
    return true;
}

/* Keeps the departments u sees and f (NULL: none) selects. */
static void keep_visible(struct dash_departments *list, const struct dash_user *u,
                         const struct dash_filter *f)
{
    size_t out = 0;
    for (size_t i = 0; i < list->n; i++) {
        const struct dash_department_info *d = &list->items[i];
        if (!dash_user_sees(u, d->id))
            continue;
        if (f && f->department[0] && strcmp(f->department, d->id))
            continue;
        if (f && f->group[0] && strcmp(f->group, d->group))
            continue;
        if (f && f->audience[0] && strcmp(f->audience, dash_audience(d->internal)))
            continue;
        list->items[out++] = *d;
    }
    list->n = out;
}

bool dashq_departments(struct dashdb *db, const struct dash_user *u, struct dash_departments *out,
                       char *err, size_t size)
{
    if (!read_all_departments(db, u->lang, out, err, size))
        return false;
    keep_visible(out, u, NULL);
    return true;
}

/* The departments a call over f reads (into *list, owned by the caller),
 * and " AND department IN (...)" saying so appended to in; *none when
 * nothing can match. */
bool dashq_scoped(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                  struct dash_departments *list, struct strbuf *in, bool *none, char *err,
                  size_t size)
{
    if (!read_all_departments(db, u->lang, list, err, size))
        return false;
    keep_visible(list, u, f);
    const char **ids = calloc(list->n + 1, sizeof *ids);
    if (!ids)
        return dashq_fail_oom(err, size);
    for (size_t i = 0; i < list->n; i++)
        ids[i] = list->items[i].id;
    *none = !dashq_append_in_list(in, "department", ids, list->n);
    free(ids);
    if (in->failed)
        return dashq_fail_oom(err, size);
    return dashq_place(db, f, in, none, err, size);
}

/* ---- the filter's site and kiosk: " AND kiosk_id IN (...)" ----------- */

struct place_ids {
    char (*ids)[DASH_ID_MAX]; /* owned */
    size_t n, cap;
    bool failed;
};

static bool handle_place_id(void *ctx, const struct kiosk_record *k)
{
    struct place_ids *p = ctx;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        void *grown = realloc(p->ids, cap * sizeof *p->ids);
        if (!grown) {
            p->failed = true;
            return false;
        }
        p->ids = grown, p->cap = cap;
    }
    dashq_set_text(p->ids[p->n++], DASH_ID_MAX, k->kiosk_id);
    return true;
}

bool dashq_place(struct dashdb *db, const struct dash_filter *f, struct strbuf *sql, bool *none,
                 char *err, size_t size)
{
    if (!f->site[0] && !f->kiosk[0])
        return true;
    if (!f->site[0]) {
        const char *one = f->kiosk; /* a kiosk gone from the kiosks table still has its rows */
        *none |= !dashq_append_in_list(sql, "kiosk_id", &one, 1);
        return sql->failed ? dashq_fail_oom(err, size) : true;
    }
    struct place_ids p = {0};
    struct dashdb_value params[] = {DASHDB_TEXT(f->site), DASHDB_TEXT(f->kiosk)};
    bool ok = kiosks_each(db, " WHERE site = $1 AND ($2 = '' OR kiosk_id = $2)", params, 2,
                          handle_place_id, &p, err, size);
    if (p.failed)
        ok = dashq_fail_oom(err, size);
    const char **ids = ok ? calloc(p.n + 1, sizeof *ids) : NULL;
    if (ok && !ids)
        ok = dashq_fail_oom(err, size);
    for (size_t i = 0; ok && i < p.n; i++)
        ids[i] = p.ids[i];
    if (ok)
        *none |= !dashq_append_in_list(sql, "kiosk_id", ids, p.n);
    free(ids);
    free(p.ids);
    return ok && sql->failed ? dashq_fail_oom(err, size) : ok;
}

/* A department's place in list (sorted by name, so looked up by id one by
 * one: a list of departments is short); -1 when absent. */
long dashq_department_index(const struct dash_departments *list, const char *id)
{
    for (size_t i = 0; i < list->n; i++)
        if (!strcmp(list->items[i].id, id))
            return (long)i;
    return -1;
}

/* ---- the league -------------------------------------------------------- */

/* A department's id and its place in a list, for looking rows up by id. */
struct id_at {
    const char *id;
    size_t at;
};

static int compare_id_at(const void *a, const void *b)
{
    return strcmp(((const struct id_at *)a)->id, ((const struct id_at *)b)->id);
}

struct league_ctx {
    struct dash_league *out;
    const struct id_at *by_id; /* every department, sorted by id; at: its place in all */
    size_t n;
    const long *row_of;   /* per department of all: its league row, -1: not shown */
    const long *group_of; /* per department of all: its group's league row, -1: none */
    bool include_misuse;
    int32_t prev_from, from, to, recent_from, before_from;
};

/* Adds one day's counts of a league row over the period, the one before,
 * the last days and the days before those. */
static void league_add(const struct league_ctx *c, struct dash_league_row *row, int32_t day,
                       const struct dash_counts *counts)
{
    if (day >= c->prev_from && day < c->from)
        add_counts(&row->prev, counts);
    if (day >= c->from) {
        add_counts(&row->now, counts);
        add_counts(&row->daily[day - c->from], counts);
    }
    if (day >= c->recent_from)
        add_counts(&row->recent, counts);
    else if (day >= c->before_from)
        add_counts(&row->before, counts);
}

static bool handle_league(void *ctx, int ncols, const char *const *v)
{
    struct league_ctx *c = ctx;
    if (ncols != 10 || !v[0])
        return true;
    struct id_at key = {.id = v[0]};
    const struct id_at *found = bsearch(&key, c->by_id, c->n, sizeof *c->by_id, compare_id_at);
    int32_t day = (int32_t)dashq_parse_i64(v[1]);
    if (!found || day >= c->to)
        return true;
    struct dash_counts counts;
    dashq_read_faces(v + 2, c->include_misuse, &counts, NULL);
    if (c->row_of[found->at] >= 0)
        league_add(c, &c->out->rows[c->row_of[found->at]], day, &counts);
    if (c->group_of[found->at] >= 0)
        league_add(c, &c->out->rows[c->group_of[found->at]], day, &counts);
    if (day >= c->from)
        add_counts(&c->out->all_now[found->at], &counts), add_counts(&c->out->org_now, &counts);
    else if (day >= c->prev_from)
        add_counts(&c->out->org_prev, &counts);
    return true;
}

/* Appends one row, empty, per group of the department rows. */
static bool add_group_rows(struct dash_league *out, const struct dash_departments *list,
                           size_t days)
{
    size_t departments = out->n;
    for (size_t i = 0; i < departments; i++) {
        const struct dash_department_info *d = &list->items[i];
        if (!d->group[0])
            continue;
        size_t g = departments;
        while (g < out->n && strcmp(out->rows[g].id, d->group))
            g++;
        if (g == out->n) {
            struct dash_league_row *row = &out->rows[out->n];
            *row = (struct dash_league_row){.is_group = true};
            dashq_set_text(row->id, sizeof row->id, d->group);
            dashq_set_text(row->name, sizeof row->name, d->group_name);
            row->daily = calloc(days ? days : 1, sizeof *row->daily);
            if (!row->daily)
                return false;
            out->n++;
        }
    }
    return true;
}

/* The league's department rows, zero, one per department in list; room
 * for as many group rows again. */
static bool league_rows(struct dash_league *out, const struct dash_departments *list, size_t days)
{
    out->rows = calloc(list->n * 2 + 1, sizeof *out->rows);
    if (!out->rows)
        return false;
    for (size_t i = 0; i < list->n; i++) {
        struct dash_league_row *row = &out->rows[out->n];
        dashq_set_text(row->id, sizeof row->id, list->items[i].id);
        dashq_set_text(row->name, sizeof row->name, list->items[i].name);
        dashq_set_text(row->group, sizeof row->group, list->items[i].group);
        row->internal = list->items[i].internal;
        row->daily = calloc(days ? days : 1, sizeof *row->daily);
        if (!row->daily)
            return false;
        out->n++;
    }
    return true;
}

/* Where each department of all goes in the league: its own row (when
 * shown) and its group's row (when the group has one). */
static void league_map(const struct dash_league *out, const struct dash_departments *all,
                       long *row_of, long *group_of, struct id_at *by_id)
{
    for (size_t i = 0; i < all->n; i++) {
        by_id[i] = (struct id_at){all->items[i].id, i};
        row_of[i] = group_of[i] = -1;
        for (size_t r = 0; r < out->n; r++) {
            const struct dash_league_row *row = &out->rows[r];
            if (!row->is_group && !strcmp(row->id, all->items[i].id))
                row_of[i] = (long)r;
            if (row->is_group && all->items[i].group[0] && !strcmp(row->id, all->items[i].group))
                group_of[i] = (long)r;
        }
    }
    qsort(by_id, all->n, sizeof *by_id, compare_id_at);
}

/* Reads the league's counts: every department's (the benchmarks need
 * them all), kept per row as league_map says. */
static bool league_read(struct dashdb *db, struct dash_league *out,
                        const struct dash_departments *all, struct strbuf *sql,
                        struct league_ctx *c, char *err, size_t size)
{
    long *row_of = calloc(all->n + 1, sizeof *row_of);
    long *group_of = calloc(all->n + 1, sizeof *group_of);
    struct id_at *by_id = calloc(all->n + 1, sizeof *by_id);
    out->all_now = calloc(all->n + 1, sizeof *out->all_now);
    bool ok = row_of && group_of && by_id && out->all_now;
    if (!ok) {
        dashq_fail_oom(err, size);
    } else {
        out->all_n = all->n;
        league_map(out, all, row_of, group_of, by_id);
        c->by_id = by_id, c->n = all->n, c->row_of = row_of, c->group_of = group_of;
        int32_t start = c->prev_from < c->before_from ? c->prev_from : c->before_from;
        struct dashdb_value params[] = {DASHDB_INT(start), DASHDB_INT(c->to)};
        ok = dashdb_exec(db, sql->data, params, 2, handle_league, c, NULL, err, size);
    }
    free(row_of);
    free(group_of);
    free(by_id);
    return ok;
}

bool dashq_league(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                  struct dash_league *out, char *err, size_t size)
{
    struct dash_departments list = {0}, all = {0};
    struct strbuf sql = {0};
    bool none = false, none_all = false;
    dash_league_free(out);
    out->from_day = f->from_day;
    out->to_day = f->to_day > f->from_day ? f->to_day : f->from_day;
    size_t days = (size_t)(out->to_day - out->from_day);
    /* the benchmarks read every department whoever asks: only sums of
     * them leave this file (dashview.h) */
    struct dash_user everyone = {.role = DASH_ROLE_ADMIN};
    memcpy(everyone.lang, u->lang, sizeof everyone.lang);
    struct dash_filter any = *f;
    any.department[0] = any.group[0] = '\0';
    strbuf_puts(&sql, "SELECT department, day, " DASHQ_FACE_SUMS " FROM dash_day"
                      " WHERE day >= $1 AND day < $2");
    bool ok = dashq_scoped(db, &everyone, &any, &all, &sql, &none_all, err, size);
    if (ok && !(list.items = calloc(all.n + 1, sizeof *list.items)))
        ok = dashq_fail_oom(err, size);
    if (ok) {
        memcpy(list.items, all.items, all.n * sizeof *all.items);
        list.n = all.n;
        keep_visible(&list, u, f);
        none = list.n == 0;
    }
    if (ok && (!league_rows(out, &list, days) || !add_group_rows(out, &list, days)))
        ok = dashq_fail_oom(err, size);
    strbuf_puts(&sql, " GROUP BY day, department");
    if (ok && sql.failed)
        ok = dashq_fail_oom(err, size);
    struct league_ctx c = {.out = out,
                           .include_misuse = f->include_misuse,
                           .prev_from = out->from_day - (int32_t)days,
                           .from = out->from_day,
                           .to = out->to_day,
                           .recent_from = out->to_day - DASH_RECENT_DAYS,
                           .before_from = out->to_day - DASH_RECENT_DAYS - DASH_RECENT_BASE_DAYS};
    if (ok && !none && !none_all)
        ok = league_read(db, out, &all, &sql, &c, err, size);
    strbuf_free(&sql);
    dash_departments_free(&list);
    dash_departments_free(&all);
    return ok;
}

/* ---- a department ------------------------------------------------------ */

struct hours_ctx {
    struct dash_department *out;
    bool include_misuse;
    int32_t prev_from, from, to;
};

static bool handle_hour(void *ctx, int ncols, const char *const *v)
{
    struct hours_ctx *c = ctx;
    if (ncols != 10)
        return true;
    int32_t day = (int32_t)dashq_parse_i64(v[0]);
    int64_t hour = dashq_parse_i64(v[1]);
    if (day < c->prev_from || day >= c->to || hour < 0 || hour > 23)
        return true;
    struct dash_department *d = c->out;
    struct dash_counts counts;
    dashq_read_faces(v + 2, c->include_misuse, &counts, NULL);
    if (day < c->from) {
        add_counts(&d->prev, &counts);
        return true;
    }
    add_counts(&d->total, &counts);
    add_counts(&d->heat[dash_weekday(day)][hour], &counts);
    size_t step = d->hourly ? (size_t)(day - c->from) * 24 + (size_t)hour : (size_t)(day - c->from);
    add_counts(&d->trend[step].c, &counts);
    return true;
}

static bool department_hours(struct dashdb *db, const struct dash_filter *f,
                             struct dash_department *out, char *err, size_t size)
{
    struct strbuf sql = {0};
    bool none = false;
    strbuf_puts(&sql, "SELECT day, hour, " DASHQ_FACE_SUMS " FROM dash_hour"
                      " WHERE department = $1 AND day >= $2 AND day < $3");
    bool ok = dashq_place(db, f, &sql, &none, err, size);
    strbuf_puts(&sql, " GROUP BY day, hour");
    if (ok && sql.failed)
        ok = dashq_fail_oom(err, size);
    int32_t from = f->from_day, to = f->to_day > f->from_day ? f->to_day : f->from_day;
    out->hourly = to - from <= DASH_HOURLY_MAX_DAYS;
    out->trend_n = (size_t)(to - from) * (out->hourly ? 24 : 1);
    out->trend = calloc(out->trend_n ? out->trend_n : 1, sizeof *out->trend);
    if (!out->trend || !ok) {
        strbuf_free(&sql);
        return ok ? dashq_fail_oom(err, size) : false;
    }
    for (size_t i = 0; i < out->trend_n; i++) {
        out->trend[i].day = from + (int32_t)(out->hourly ? i / 24 : i);
        out->trend[i].hour = (int8_t)(out->hourly ? (int)(i % 24) : -1);
    }
    struct hours_ctx c = {out, f->include_misuse, from - (to - from), from, to};
    struct dashdb_value params[] = {DASHDB_TEXT(out->id), DASHDB_INT(c.prev_from), DASHDB_INT(to)};
    ok = none || dashdb_exec(db, sql.data, params, 3, handle_hour, &c, NULL, err, size);
    strbuf_free(&sql);
    return ok;
}

struct reasons_ctx {
    struct dash_department *out;
    size_t cap;
};

static bool handle_reason(void *ctx, int ncols, const char *const *v)
{
    struct reasons_ctx *c = ctx;
    if (ncols != 4)
        return true;
    if (!dash_grow((void **)&c->out->reasons, c->out->reasons_n, &c->cap, sizeof *c->out->reasons))
        return false;
    struct dash_reason_row *r = &c->out->reasons[c->out->reasons_n++];
    dashq_set_text(r->question, sizeof r->question, v[0]);
    dashq_set_text(r->reason, sizeof r->reason, v[1]);
    dashq_set_text(r->ended_by, sizeof r->ended_by, v[2]);
    r->n = dashq_parse_i64(v[3]);
    return true;
}

/* A reason's label and its place in the catalog's list (names.h); the
 * id and -1 for one the catalog does not list. */
void dashq_label_reason(struct dash_reason_row *r, const struct names *names)
{
    const struct names_reason *place = r->reason[0] ? names_reason_find(names, r->reason) : NULL;
    r->position = place ? place->position : -1;
    dashq_set_text(r->label, sizeof r->label, names_or(names, "reason", r->reason, r->reason));
}

/* Per question (the positive list first), the catalog's reasons in its
 * order, then the others most frequent first. */
static int compare_reasons(const void *a, const void *b)
{
    const struct dash_reason_row *x = a, *y = b;
    int q = strcmp(y->question, x->question); /* "positive" before "negative" */
    if (q)
        return q;
    if ((x->position >= 0) != (y->position >= 0))
        return x->position >= 0 ? -1 : 1;
    if (x->position != y->position)
        return x->position < y->position ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    int c = strcmp(x->question, y->question);
    if (!c)
        c = strcmp(x->reason, y->reason);
    return c ? c : strcmp(x->ended_by, y->ended_by);
}

static bool department_reasons(struct dashdb *db, const struct dash_filter *f,
                               const struct names *names, struct dash_department *out, char *err,
                               size_t size)
{
    struct strbuf sql = {0};
    bool none = false;
    strbuf_puts(&sql, "SELECT question, reason, ended_by, SUM(n) FROM dash_reason_day"
                      " WHERE department = $1 AND day >= $2 AND day < $3 AND misuse <= $4");
    bool ok = dashq_place(db, f, &sql, &none, err, size);
    strbuf_puts(&sql, " GROUP BY question, reason, ended_by");
    if (ok && sql.failed)
        ok = dashq_fail_oom(err, size);
    struct reasons_ctx c = {out, 0};
    struct dashdb_value params[] = {DASHDB_TEXT(out->id), DASHDB_INT(f->from_day),
                                    DASHDB_INT(f->to_day), DASHDB_INT(f->include_misuse ? 1 : 0)};
    if (ok && !none)
        ok = dashdb_exec(db, sql.data, params, 4, handle_reason, &c, NULL, err, size);
    strbuf_free(&sql);
    if (!ok)
        return false;
    for (size_t i = 0; i < out->reasons_n; i++)
        dashq_label_reason(&out->reasons[i], names);
    if (out->reasons_n > 1)
        qsort(out->reasons, out->reasons_n, sizeof *out->reasons, compare_reasons);
    return true;
}

void dashq_read_kiosk(const struct kiosk_record *r, struct dash_kiosk_row *k)
{
    memset(k, 0, sizeof *k);
    dashq_set_text(k->kiosk_id, sizeof k->kiosk_id, r->kiosk_id);
    dashq_set_text(k->site, sizeof k->site, r->site);
    dashq_set_text(k->label, sizeof k->label, r->label);
    dashq_set_text(k->department, sizeof k->department, r->department);
    dashq_set_text(k->app_version, sizeof k->app_version, r->app_version);
    dashq_set_text(k->last_error, sizeof k->last_error, r->last_error);
    dashq_set_text(k->catalog_error, sizeof k->catalog_error, r->catalog_error);
    dashq_set_text(k->mode, sizeof k->mode, r->mode[0] ? r->mode : "single");
    dashq_set_text(k->departments, sizeof k->departments, r->departments);
    k->catalog_version = r->catalog_version;
    k->last_seen_ms = r->last_seen_ms;
    k->last_success_ms = r->last_success_ms;
    k->backlog = r->backlog;
    k->store_waiting = r->store_waiting;
    dashq_set_text(k->store_error, sizeof k->store_error, r->store_error);
    k->store_error_since_ms = r->store_error_since_ms;
    dashq_set_text(k->slot, sizeof k->slot, r->slot);
    dashq_set_text(k->update_version, sizeof k->update_version, r->update_version);
    dashq_set_text(k->update_state, sizeof k->update_state, r->update_state);
    dashq_set_text(k->update_error, sizeof k->update_error, r->update_error);
}

struct kiosks_ctx {
    struct dash_kiosk_row **items;
    size_t *n, cap;
    bool include_misuse;
};

/* A kiosk of the department's: its row, or its counts (then only the
 * id and the counts: a kiosk with no kiosks row). */
static struct dash_kiosk_row *kiosk_entry(struct kiosks_ctx *c, const char *kiosk_id)
{
    for (size_t i = 0; i < *c->n; i++)
        if (!strcmp((*c->items)[i].kiosk_id, kiosk_id))
            return &(*c->items)[i];
    if (!dash_grow((void **)c->items, *c->n, &c->cap, sizeof **c->items))
        return NULL;
    struct dash_kiosk_row *k = &(*c->items)[(*c->n)++];
    memset(k, 0, sizeof *k);
    dashq_set_text(k->kiosk_id, sizeof k->kiosk_id, kiosk_id);
    return k;
}

static bool handle_kiosk_counts(void *ctx, int ncols, const char *const *v)
{
    struct kiosks_ctx *c = ctx;
    if (ncols != 9 || !v[0])
        return true;
    struct dash_kiosk_row *k = kiosk_entry(c, v[0]);
    if (!k)
        return false;
    dashq_read_faces(v + 1, c->include_misuse, &k->c, NULL);
    return true;
}

static bool handle_kiosk_row(void *ctx, const struct kiosk_record *r)
{
    struct kiosks_ctx *c = ctx;
    struct dash_kiosk_row *k = kiosk_entry(c, r->kiosk_id);
    if (!k)
        return false;
    struct dash_counts counts = k->c;
    dashq_read_kiosk(r, k);
    k->c = counts;
    return true;
}

static int compare_kiosks(const void *a, const void *b)
{
    return strcmp(((const struct dash_kiosk_row *)a)->kiosk_id,
                  ((const struct dash_kiosk_row *)b)->kiosk_id);
}

static bool department_kiosks(struct dashdb *db, const struct dash_filter *f,
                              struct dash_department *out, char *err, size_t size)
{
    struct strbuf counts_sql = {0}, place = {0}, rows_where = {0};
    bool none = false;
    bool ok = dashq_place(db, f, &place, &none, err, size);
    const char *in = place.data ? place.data : "";
    strbuf_puts(&counts_sql, "SELECT kiosk_id, " DASHQ_FACE_SUMS " FROM dash_hour"
                             " WHERE department = $1 AND day >= $2 AND day < $3");
    strbuf_puts(&counts_sql, in);
    strbuf_puts(&counts_sql, " GROUP BY kiosk_id");
    /* the department's kiosks, and those that counted for it in the period
     * (a kiosk moved since); only the filter's when it names a site or kiosk */
    strbuf_puts(&rows_where, " WHERE (department = $1 OR kiosk_id IN (SELECT kiosk_id FROM"
                             " dash_hour WHERE department = $1 AND day >= $2 AND day < $3))");
    strbuf_puts(&rows_where, in);
    if (ok && (counts_sql.failed || rows_where.failed || place.failed))
        ok = dashq_fail_oom(err, size);
    struct kiosks_ctx c = {&out->kiosks, &out->kiosks_n, 0, f->include_misuse};
    struct dashdb_value params[] = {DASHDB_TEXT(out->id), DASHDB_INT(f->from_day),
                                    DASHDB_INT(f->to_day)};
    if (ok && !none)
        ok =
            dashdb_exec(db, counts_sql.data, params, 3, handle_kiosk_counts, &c, NULL, err, size) &&
            kiosks_each(db, rows_where.data, params, 3, handle_kiosk_row, &c, err, size);
    strbuf_free(&counts_sql);
    strbuf_free(&place);
    strbuf_free(&rows_where);
    if (!ok)
        return false;
    if (out->kiosks_n > 1)
        qsort(out->kiosks, out->kiosks_n, sizeof *out->kiosks, compare_kiosks);
    return true;
}

enum dashq_status dashq_department(struct dashdb *db, const struct dash_user *u,
                                   const struct dash_filter *f, const char *department,
                                   struct dash_department *out, char *err, size_t size)
{
    struct dash_departments list = {0};
    dash_department_free(out);
    if (!dash_user_sees(u, department)) {
        snprintf(err, size, "no department '%.63s'", department);
        return DASHQ_NOT_FOUND;
    }
    if (!read_all_departments(db, u->lang, &list, err, size))
        return DASHQ_ERROR;
    long at = dashq_department_index(&list, department);
    if (at < 0) {
        dash_departments_free(&list);
        snprintf(err, size, "no department '%.63s'", department);
        return DASHQ_NOT_FOUND;
    }
    dashq_set_text(out->id, sizeof out->id, list.items[at].id);
    dashq_set_text(out->name, sizeof out->name, list.items[at].name);
    dashq_set_text(out->group, sizeof out->group, list.items[at].group);
    dashq_set_text(out->group_name, sizeof out->group_name, list.items[at].group_name);
    dash_departments_free(&list);
    struct names names = {0};
    bool ok = department_hours(db, f, out, err, size) &&
              org_names_read(db, u->lang, &names, err, size) &&
              department_reasons(db, f, &names, out, err, size) &&
              department_kiosks(db, f, out, err, size);
    for (size_t i = 0; ok && i < out->kiosks_n; i++) {
        struct dash_kiosk_row *k = &out->kiosks[i];
        dashq_set_text(k->site_name, sizeof k->site_name,
                       names_or(&names, "site", k->site, k->site));
    }
    names_free(&names);
    return ok ? DASHQ_OK : DASHQ_ERROR;
}
