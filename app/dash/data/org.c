/*
 * org: dash_groups and dash_departments written (and groups listed) for
 * wowdash's department and group commands (org.h).
 */
#include "org.h"

#include "dashdb.h"

static bool note_row(void *ctx, int ncols, const char *const *v)
{
    (void)ncols, (void)v;
    *(bool *)ctx = true;
    return true;
}

bool org_group_exists(struct dashdb *db, const char *group_id, bool *found, char *err, size_t size)
{
    static const char sql[] = "SELECT 1 FROM dash_groups WHERE group_id = $1";
    struct dashdb_value group = DASHDB_TEXT(group_id);
    *found = false;
    return dashdb_exec(db, sql, &group, 1, note_row, found, NULL, err, size);
}

bool org_group_put(struct dashdb *db, const char *group_id, const char *name, char *err,
                   size_t size)
{
    static const char sql[] = "INSERT INTO dash_groups(group_id, name) VALUES ($1, $2)"
                              " ON CONFLICT (group_id) DO UPDATE SET name = excluded.name";
    struct dashdb_value params[] = {DASHDB_TEXT(group_id), DASHDB_TEXT(name)};
    return dashdb_exec(db, sql, params, 2, NULL, NULL, NULL, err, size);
}

struct group_walk {
    bool (*handle_group)(void *ctx, const char *group_id, const char *name);
    void *ctx;
};

static bool handle_group_row(void *ctx, int ncols, const char *const *v)
{
    const struct group_walk *walk = ctx;
    if (ncols != 2)
        return true;
    return walk->handle_group(walk->ctx, v[0] ? v[0] : "", v[1] ? v[1] : "");
}

bool org_groups_each(struct dashdb *db,
                     bool (*handle_group)(void *ctx, const char *group_id, const char *name),
                     void *ctx, char *err, size_t size)
{
    static const char sql[] = "SELECT group_id, name FROM dash_groups ORDER BY group_id";
    struct group_walk walk = {handle_group, ctx};
    return dashdb_exec(db, sql, NULL, 0, handle_group_row, &walk, NULL, err, size);
}

bool org_department_known(struct dashdb *db, const char *department, bool *found, char *err,
                          size_t size)
{
    static const char sql[] = "SELECT 1 FROM dash_departments WHERE department = $1"
                              " UNION ALL SELECT 1 FROM kiosks WHERE department = $1";
    struct dashdb_value p = DASHDB_TEXT(department);
    *found = false;
    return dashdb_exec(db, sql, &p, 1, note_row, found, NULL, err, size);
}

bool org_department_put(struct dashdb *db, const char *department, const char *name,
                        const char *group_id, char *err, size_t size)
{
    static const char sql[] =
        "INSERT INTO dash_departments(department, name, group_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (department) DO UPDATE SET name = excluded.name,"
        " group_id = excluded.group_id";
    struct dashdb_value params[] = {DASHDB_TEXT(department), DASHDB_TEXT(name),
                                    group_id ? DASHDB_TEXT(group_id)
                                             : (struct dashdb_value){.type = DASHDB_NULL}};
    return dashdb_exec(db, sql, params, 3, NULL, NULL, NULL, err, size);
}
