/*
 * alerts_rules: dash_rules added, listed and disabled for wowdash rule
 * (alerts_rules.h).
 */
#include "alerts_rules.h"

#include "alerts_private.h"
#include "dashdb.h"

bool alerts_rule_add(struct dashdb *db, const struct alerts_rule_spec *r, int64_t created_ms,
                     bool *added, char *err, size_t size)
{
    int64_t changes = 0;
    struct dashdb_value p[8] = {
        DASHDB_TEXT(r->id),
        DASHDB_TEXT(r->kind),
        DASHDB_TEXT(r->department),
        DASHDB_REAL(r->threshold),
        DASHDB_INT(r->window_hours),
        DASHDB_INT(r->min_responses),
        r->rating ? DASHDB_INT(r->rating) : (struct dashdb_value){0},
        DASHDB_INT(created_ms),
    };
    bool ok = dashdb_exec(db,
                          "INSERT INTO dash_rules (rule_id, kind, department, threshold,"
                          " window_hours, min_responses, rating, enabled, created_ms)"
                          " VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)"
                          " ON CONFLICT (rule_id) DO NOTHING",
                          p, 8, NULL, NULL, &changes, err, size);
    *added = changes > 0;
    return ok;
}

struct rule_walk {
    bool (*handle_rule)(void *ctx, const struct alerts_rule_text *r);
    void *ctx;
};

static bool handle_rule_row(void *ctx, int ncols, const char *const *v)
{
    const struct rule_walk *walk = ctx;
    if (ncols < 8)
        return false;
    const struct alerts_rule_text r = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
    return walk->handle_rule(walk->ctx, &r);
}

bool alerts_rules_each(struct dashdb *db,
                       bool (*handle_rule)(void *ctx, const struct alerts_rule_text *r), void *ctx,
                       char *err, size_t size)
{
    struct rule_walk walk = {handle_rule, ctx};
    return dashdb_exec(db,
                       "SELECT rule_id, kind, department, threshold, window_hours,"
                       " min_responses, rating, enabled FROM dash_rules ORDER BY rule_id",
                       NULL, 0, handle_rule_row, &walk, NULL, err, size);
}

bool alerts_rule_disable(struct dashdb *db, const char *id, bool *found, char *err, size_t size)
{
    int64_t changes = 0;
    struct dashdb_value p = DASHDB_TEXT(id);
    bool ok = dashdb_exec(db, "UPDATE dash_rules SET enabled = 0 WHERE rule_id = $1", &p, 1, NULL,
                          NULL, &changes, err, size);
    *found = changes > 0;
    return ok;
}

struct enabled_rules {
    struct alerts_rule **items;
    size_t *n, cap;
};

static bool read_enabled_rule(void *ctx, int ncols, const char *const *v)
{
    struct enabled_rules *list = ctx;
    if (ncols < 7 || !dash_grow((void **)list->items, *list->n, &list->cap, sizeof **list->items))
        return false;
    struct alerts_rule *r = &(*list->items)[(*list->n)++];
    alerts_copy_text(r->id, sizeof r->id, v[0]);
    alerts_copy_text(r->kind, sizeof r->kind, v[1]);
    alerts_copy_text(r->department, sizeof r->department, v[2]);
    r->threshold = alerts_to_real(v[3]);
    r->window_hours = alerts_to_int(v[4]);
    r->min_responses = alerts_to_int(v[5]);
    r->rating = (int)alerts_to_int(v[6]);
    return true;
}

bool alerts_rules_enabled(struct dashdb *db, struct alerts_rule **rules, size_t *n, char *err,
                          size_t size)
{
    struct enabled_rules list = {rules, n, 0};
    *rules = NULL;
    *n = 0;
    return dashdb_exec(db,
                       "SELECT rule_id, kind, department, threshold, window_hours, min_responses,"
                       " COALESCE(rating, 0) FROM dash_rules WHERE enabled = 1 ORDER BY rule_id",
                       NULL, 0, read_enabled_rule, &list, NULL, err, size);
}
