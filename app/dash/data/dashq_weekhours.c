/*
 * dashq_weekhours: a league's departments' responses by weekday and local
 * hour (the kiosk's), for the league's consistency column
 * (model/consistency.h): one query over dash_hour grouped by department,
 * weekday and hour, at most 168 rows a department whatever the period.
 */
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "dashq.h"
#include "dashq_private.h"
#include "strbuf.h"

/* A department row of the league, by id (for bsearch). */
struct row_at {
    const char *id;
    struct dash_league_row *row;
};

static int compare_row_at(const void *a, const void *b)
{
    return strcmp(((const struct row_at *)a)->id, ((const struct row_at *)b)->id);
}

struct weekhours_ctx {
    struct row_at *rows;
    size_t n;
    bool include_misuse;
};

static bool handle_weekhour(void *ctx, int ncols, const char *const *v)
{
    struct weekhours_ctx *c = ctx;
    if (ncols != 11 || !v[0])
        return true;
    struct row_at key = {.id = v[0]};
    const struct row_at *found = bsearch(&key, c->rows, c->n, sizeof *c->rows, compare_row_at);
    int64_t weekday = dashq_parse_i64(v[1]), hour = dashq_parse_i64(v[2]);
    if (!found || weekday < 0 || weekday > 6 || hour < 0 || hour > 23)
        return true;
    struct dash_counts counts;
    dashq_read_faces(v + 3, c->include_misuse, &counts, NULL);
    struct dash_counts *cell = &found->row->weekhour[weekday * 24 + hour];
    for (int i = 0; i < 4; i++)
        cell->n[i] += counts.n[i];
    return true;
}

bool dashq_league_weekhours(struct dashdb *db, const struct dash_filter *f,
                            struct dash_league *league, char *err, size_t size)
{
    struct weekhours_ctx c = {.rows = calloc(league->n + 1, sizeof *c.rows),
                              .include_misuse = f->include_misuse};
    if (!c.rows)
        return dashq_fail_oom(err, size);
    bool ok = true;
    for (size_t i = 0; i < league->n && ok; i++) {
        struct dash_league_row *row = &league->rows[i];
        if (row->is_group)
            continue;
        row->weekhour = calloc(7 * 24, sizeof *row->weekhour);
        ok = row->weekhour != NULL;
        c.rows[c.n++] = (struct row_at){row->id, row};
    }
    qsort(c.rows, c.n, sizeof *c.rows, compare_row_at);
    struct strbuf sql = {0};
    bool none = false;
    strbuf_puts(&sql, "SELECT department, weekday, hour, " DASHQ_FACE_SUMS
                      " FROM dash_hour WHERE day >= $1 AND day < $2");
    ok = ok ? dashq_place(db, f, &sql, &none, err, size) : dashq_fail_oom(err, size);
    strbuf_puts(&sql, " GROUP BY department, weekday, hour");
    if (ok && sql.failed)
        ok = dashq_fail_oom(err, size);
    struct dashdb_value params[] = {DASHDB_INT(f->from_day), DASHDB_INT(f->to_day)};
    if (ok && !none && c.n > 0)
        ok = dashdb_exec(db, sql.data, params, 2, handle_weekhour, &c, NULL, err, size);
    strbuf_free(&sql);
    free(c.rows);
    return ok;
}
