/*
 * attributed: the customers' answers traced to the team that owns their
 * cause (see attributed.h).  Three reads per team: its description, its
 * answers by place, day and reason over the period and the one before,
 * and every negative answer of the period (the share's denominator).
 */
#include "attributed.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "dashq_private.h"
#include "names.h"
#include "org.h"
#include "strbuf.h"

/* A customer's answer: chosen, from the negative list, at a department
 * that is customer-facing (one the catalog does not describe counts as
 * customer-facing, as the catalog's default says). */
#define ATTRIBUTED_WHERE                                                                           \
    " r.question = 'negative' AND r.ended_by = 'chosen' AND r.misuse <= $4"                        \
    " AND r.day >= $2 AND r.day < $3 AND COALESCE(d.customer_facing, 1) = 1"

void attributed_free(struct attributed *a)
{
    free(a->daily);
    free(a->places);
    free(a->reasons);
    memset(a, 0, sizeof *a);
    a->share = NAN;
}

struct attributed_ctx {
    struct attributed *out;
    const struct names *names;
    size_t places_cap, reasons_cap;
};

/* id's entry in *items (made with n 0 when new); NULL when out of memory. */
static struct attributed_item *item_of(struct attributed_item **items, size_t *n, size_t *cap,
                                       const char *id)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*items)[i].id, id))
            return &(*items)[i];
    if (!dash_grow((void **)items, *n, cap, sizeof **items))
        return NULL;
    struct attributed_item *it = &(*items)[(*n)++];
    memset(it, 0, sizeof *it);
    dashq_set_text(it->id, sizeof it->id, id);
    return it;
}

static bool handle_answer(void *ctx, int ncols, const char *const *v)
{
    struct attributed_ctx *c = ctx;
    struct attributed *a = c->out;
    if (ncols != 4 || !v[0] || !v[1] || !v[2])
        return true;
    int64_t day = dashq_parse_i64(v[1]), n = dashq_parse_i64(v[3]);
    if (day < a->from_day) {
        a->prev += n;
        return true;
    }
    if ((size_t)(day - a->from_day) >= a->days)
        return true;
    a->daily[day - a->from_day] += n;
    a->n += n;
    struct attributed_item *place = item_of(&a->places, &a->places_n, &c->places_cap, v[0]);
    struct attributed_item *reason =
        place ? item_of(&a->reasons, &a->reasons_n, &c->reasons_cap, v[2]) : NULL;
    if (!reason)
        return false;
    place->n += n;
    reason->n += n;
    return true;
}

static bool handle_int(void *ctx, int ncols, const char *const *v)
{
    if (ncols >= 1)
        *(int64_t *)ctx = dashq_parse_i64(v[0]);
    return true;
}

/* Most answers first, then by id. */
static int compare_items(const void *x, const void *y)
{
    const struct attributed_item *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* The period's negative answers at the filter's places (in: its SQL
 * condition), whoever owns their reasons: a team's share is of these.
 * The same query for one team's page and for the league. */
static void negative_answers_sql(struct strbuf *sql, const char *in)
{
    strbuf_puts(sql, "SELECT SUM(r.n) FROM dash_reason_day r"
                     " LEFT JOIN dash_departments d ON d.department = r.department"
                     /* $1 typed by a column: PostgreSQL refuses a parameter it cannot type */
                     " WHERE (r.department = $1 OR r.department <> $1) AND" ATTRIBUTED_WHERE);
    strbuf_puts(sql, in);
}

/* The answers naming the team's reasons, by place, day and reason, over
 * [from - days, to), and the period's negative answers. */
static bool read_answers(struct dashdb *db, const struct dash_filter *f, struct attributed_ctx *c,
                         char *err, size_t size)
{
    struct attributed *a = c->out;
    struct strbuf mine = {0}, all = {0}, place = {0};
    bool none = false;
    bool ok = dashq_place(db, f, &place, &none, err, size);
    const char *in = place.data ? place.data : "";
    strbuf_puts(&mine, "SELECT r.department, r.day, r.reason, SUM(r.n) FROM dash_reason_day r"
                       " JOIN catalog_reasons c ON c.reason = r.reason AND c.list = 'negative'"
                       " LEFT JOIN dash_departments d ON d.department = r.department"
                       " WHERE c.owner = $1 AND" ATTRIBUTED_WHERE);
    strbuf_puts(&mine, in);
    strbuf_puts(&mine, " GROUP BY r.department, r.day, r.reason");
    negative_answers_sql(&all, in);
    if (ok && (mine.failed || all.failed || place.failed))
        ok = dashq_fail_oom(err, size);
    int64_t span = (int64_t)f->to_day - f->from_day;
    struct dashdb_value both[] = {DASHDB_TEXT(a->team), DASHDB_INT(f->from_day - span),
                                  DASHDB_INT(f->to_day), DASHDB_INT(f->include_misuse ? 1 : 0)};
    struct dashdb_value now[] = {DASHDB_TEXT(a->team), DASHDB_INT(f->from_day),
                                 DASHDB_INT(f->to_day), DASHDB_INT(f->include_misuse ? 1 : 0)};
    if (ok && !none)
        ok = dashdb_exec(db, mine.data, both, 4, handle_answer, c, NULL, err, size) &&
             dashdb_exec(db, all.data, now, 4, handle_int, &a->negative, NULL, err, size);
    strbuf_free(&mine);
    strbuf_free(&all);
    strbuf_free(&place);
    return ok;
}

static void name_items(struct attributed_item *items, size_t n, const struct names *names,
                       const char *kind)
{
    for (size_t i = 0; i < n; i++)
        dashq_set_text(items[i].name, sizeof items[i].name,
                       names_or(names, kind, items[i].id, items[i].id));
    if (n > 1)
        qsort(items, n, sizeof *items, compare_items);
}

static bool handle_team(void *ctx, int ncols, const char *const *v)
{
    int *facing = ctx;
    if (ncols == 1)
        *facing = v[0] && dashq_parse_i64(v[0]) != 0 ? 1 : 0;
    return true;
}

enum dashq_status attributed_read(struct dashdb *db, const struct dash_user *u,
                                  const struct dash_filter *f, const char *team,
                                  struct attributed *out, char *err, size_t size)
{
    attributed_free(out);
    int facing = -1;
    struct dashdb_value id[] = {DASHDB_TEXT(team)};
    if (!dash_user_sees(u, team)) {
        snprintf(err, size, "no department '%.63s'", team);
        return DASHQ_NOT_FOUND;
    }
    if (!dashdb_exec(db, "SELECT customer_facing FROM dash_departments WHERE department = $1", id,
                     1, handle_team, &facing, NULL, err, size))
        return DASHQ_ERROR;
    if (facing < 0) {
        snprintf(err, size, "no department '%.63s' in the catalog", team);
        return DASHQ_NOT_FOUND;
    }
    dashq_set_text(out->team, sizeof out->team, team);
    out->internal = facing == 0;
    out->from_day = f->from_day;
    out->days = f->to_day > f->from_day ? (size_t)(f->to_day - f->from_day) : 0;
    out->daily = calloc(out->days + 1, sizeof *out->daily);
    if (!out->daily)
        return dashq_fail_oom(err, size), DASHQ_ERROR;
    int64_t owned = 0;
    struct names names = {0};
    struct attributed_ctx c = {out, &names, 0, 0};
    bool ok = dashdb_exec(db, "SELECT COUNT(*) FROM catalog_reasons WHERE owner = $1", id, 1,
                          handle_int, &owned, NULL, err, size) &&
              read_answers(db, f, &c, err, size) && org_names_read(db, u->lang, &names, err, size);
    if (ok) {
        out->owned_reasons = (size_t)owned;
        out->share = out->negative > 0 ? (double)out->n / (double)out->negative : NAN;
        dashq_set_text(out->name, sizeof out->name, names_or(&names, "department", team, team));
        name_items(out->places, out->places_n, &names, "department");
        name_items(out->reasons, out->reasons_n, &names, "reason");
    }
    names_free(&names);
    return ok ? DASHQ_OK : DASHQ_ERROR;
}

struct teams_ctx {
    char (*ids)[DASH_ID_MAX];
    size_t n, cap;
};

static bool handle_internal(void *ctx, int ncols, const char *const *v)
{
    struct teams_ctx *c = ctx;
    if (ncols != 2 || !v[0])
        return true;
    if (!dash_grow((void **)&c->ids, c->n, &c->cap, sizeof *c->ids))
        return false;
    dashq_set_text(c->ids[c->n++], DASH_ID_MAX, v[0]);
    return true;
}

static int compare_teams(const void *x, const void *y)
{
    const struct attributed *a = x, *b = y;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    return strcmp(a->team, b->team);
}

struct league_ctx {
    struct attributed *teams;
    size_t n;
};

/* owner, 1 in the period (0 the one before), answers */
static bool handle_owner(void *ctx, int ncols, const char *const *v)
{
    struct league_ctx *c = ctx;
    if (ncols != 3 || !v[0])
        return true;
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->teams[i].team, v[0])) {
            int64_t n = dashq_parse_i64(v[2]);
            *(dashq_parse_i64(v[1]) ? &c->teams[i].n : &c->teams[i].prev) += n;
        }
    return true;
}

/* Every team's answers in one read, grouped by owner, and the period's
 * negative answers once (the same for every team). */
static bool league_sums(struct dashdb *db, const struct dash_filter *f, struct league_ctx *c,
                        char *err, size_t size)
{
    struct strbuf mine = {0}, all = {0}, place = {0};
    bool none = false;
    bool ok = dashq_place(db, f, &place, &none, err, size);
    const char *in = place.data ? place.data : "";
    strbuf_puts(&mine, "SELECT c.owner, CASE WHEN r.day >= $5 THEN 1 ELSE 0 END, SUM(r.n)"
                       " FROM dash_reason_day r"
                       " JOIN catalog_reasons c ON c.reason = r.reason AND c.list = 'negative'"
                       " LEFT JOIN dash_departments d ON d.department = r.department"
                       " WHERE c.owner <> $1 AND" ATTRIBUTED_WHERE);
    strbuf_puts(&mine, in);
    strbuf_puts(&mine, " GROUP BY c.owner, CASE WHEN r.day >= $5 THEN 1 ELSE 0 END");
    negative_answers_sql(&all, in);
    if (ok && (mine.failed || all.failed || place.failed))
        ok = dashq_fail_oom(err, size);
    int64_t span = (int64_t)f->to_day - f->from_day, negative = 0;
    struct dashdb_value both[] = {DASHDB_TEXT(""), DASHDB_INT(f->from_day - span),
                                  DASHDB_INT(f->to_day), DASHDB_INT(f->include_misuse ? 1 : 0),
                                  DASHDB_INT(f->from_day)};
    struct dashdb_value now[] = {DASHDB_TEXT(""), DASHDB_INT(f->from_day), DASHDB_INT(f->to_day),
                                 DASHDB_INT(f->include_misuse ? 1 : 0)};
    if (ok && !none)
        ok = dashdb_exec(db, mine.data, both, 5, handle_owner, c, NULL, err, size) &&
             dashdb_exec(db, all.data, now, 4, handle_int, &negative, NULL, err, size);
    for (size_t i = 0; ok && i < c->n; i++) {
        c->teams[i].negative = negative;
        c->teams[i].share = negative > 0 ? (double)c->teams[i].n / (double)negative : NAN;
    }
    strbuf_free(&mine);
    strbuf_free(&all);
    strbuf_free(&place);
    return ok;
}

bool attributed_league(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                       struct attributed **out, size_t *n, char *err, size_t size)
{
    struct teams_ctx c = {0};
    struct names names = {0};
    *out = NULL;
    *n = 0;
    struct dashdb_value group[] = {DASHDB_TEXT(f->group)};
    bool ok = dashdb_exec(db,
                          "SELECT department, group_id FROM dash_departments"
                          " WHERE customer_facing = 0 AND ($1 = '' OR group_id = $1)"
                          " ORDER BY department",
                          group, 1, handle_internal, &c, NULL, err, size) &&
              org_names_read(db, u->lang, &names, err, size);
    if (ok && c.n > 0 && !(*out = calloc(c.n, sizeof **out)))
        ok = dashq_fail_oom(err, size);
    for (size_t i = 0; ok && *out != NULL && i < c.n; i++) {
        if (!dash_user_sees(u, c.ids[i]) || (f->department[0] && strcmp(f->department, c.ids[i])))
            continue;
        struct attributed *a = &(*out)[(*n)++];
        *a = (struct attributed){.internal = true, .from_day = f->from_day, .share = NAN};
        dashq_set_text(a->team, sizeof a->team, c.ids[i]);
        dashq_set_text(a->name, sizeof a->name, names_or(&names, "department", a->team, a->team));
    }
    struct league_ctx lc = {*out, *n};
    if (ok && *n > 0)
        ok = league_sums(db, f, &lc, err, size);
    free(c.ids);
    names_free(&names);
    if (ok && *n > 1)
        qsort(*out, *n, sizeof **out, compare_teams);
    return ok;
}
