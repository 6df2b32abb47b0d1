/*
 * org: the organisation's tables and the catalog's names read (org.h);
 * a catalog commit (catalog_db.c) is their one writer.
 */
#include "org.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "names.h"

/* A catalog's languages beyond the first (CONFIG.md allows 6). */
#define ORG_LANGS_MAX 16

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

struct picker_lookup {
    const char *department;
    bool *found;
};

/* A picker kiosk's departments column: does it list the department? */
static bool handle_picker_row(void *ctx, int ncols, const char *const *v)
{
    struct picker_lookup *l = ctx;
    char ids[64][DASH_ID_MAX];
    size_t n = ncols == 1 ? names_split_ids(v[0], ids, 64) : 0;
    for (size_t i = 0; i < n && !*l->found; i++)
        *l->found = !strcmp(ids[i], l->department);
    return true;
}

bool org_department_known(struct dashdb *db, const char *department, bool *found, char *err,
                          size_t size)
{
    static const char sql[] =
        "SELECT 1 FROM dash_departments WHERE department = $1"
        " UNION ALL SELECT 1 FROM catalog_names WHERE kind = 'department' AND id = $1"
        " UNION ALL SELECT 1 FROM kiosks WHERE department = $1"
        " UNION ALL SELECT 1 FROM (SELECT 1 FROM tap_counts WHERE department = $1 LIMIT 1) t";
    static const char pickers[] = "SELECT departments FROM kiosks WHERE departments <> ''";
    struct dashdb_value p = DASHDB_TEXT(department);
    *found = false;
    if (!department[0])
        return true;
    struct picker_lookup l = {department, found};
    return dashdb_exec(db, sql, &p, 1, note_row, found, NULL, err, size) &&
           (*found || dashdb_exec(db, pickers, NULL, 0, handle_picker_row, &l, NULL, err, size));
}

struct names_read {
    struct names *out;
    bool failed;
};

static bool handle_name_row(void *ctx, int ncols, const char *const *v)
{
    struct names_read *r = ctx;
    if (ncols != 4 || !v[0] || !v[1] || !v[3] || !v[3][0])
        return true; /* an empty name names nothing: the next language's shows */
    if (!names_add(r->out, v[0], v[1], v[3], v[2] && v[2][0]))
        r->failed = true;
    return !r->failed;
}

static bool handle_reason_row(void *ctx, int ncols, const char *const *v)
{
    struct names_read *r = ctx;
    if (ncols != 3 || !v[0] || !v[1])
        return true;
    if (!names_add_reason(r->out, v[0], v[1], v[2] ? (int)strtol(v[2], NULL, 10) : 0))
        r->failed = true;
    return !r->failed;
}

bool org_names_read(struct dashdb *db, const char *lang, struct names *out, char *err, size_t size)
{
    static const char names_sql[] =
        "SELECT kind, id, lang, name FROM catalog_names WHERE lang = '' OR lang = $1";
    static const char reasons_sql[] = "SELECT reason, list, position FROM catalog_reasons";
    struct names_read r = {out, false};
    struct dashdb_value p = DASHDB_TEXT(lang ? lang : "");
    names_free(out);
    bool ok = dashdb_exec(db, names_sql, &p, 1, handle_name_row, &r, NULL, err, size) &&
              dashdb_exec(db, reasons_sql, NULL, 0, handle_reason_row, &r, NULL, err, size);
    if (r.failed)
        snprintf(err, size, "out of memory reading the catalog's names");
    if (ok)
        names_sort(out);
    return ok;
}

struct langs_read {
    char langs[ORG_LANGS_MAX][NAMES_LANG_MAX];
    size_t n;
    char first[NAMES_LANG_MAX];
};

static bool handle_lang_row(void *ctx, int ncols, const char *const *v)
{
    struct langs_read *l = ctx;
    if (ncols == 1 && v[0] && l->n < ORG_LANGS_MAX)
        snprintf(l->langs[l->n++], NAMES_LANG_MAX, "%s", v[0]);
    return true;
}

static bool handle_document_row(void *ctx, int ncols, const char *const *v)
{
    struct langs_read *l = ctx;
    if (ncols == 1 && v[0])
        names_first_language(v[0], l->first, sizeof l->first);
    return true;
}

bool org_viewer_language(struct dashdb *db, const char *choice, const char *accept, char *out,
                         size_t out_size, char *err, size_t size)
{
    static const char langs_sql[] = "SELECT DISTINCT lang FROM catalog_names WHERE lang <> ''"
                                    " ORDER BY lang";
    /* the head of the newest document: an export writes [kiosk] first */
    static const char document_sql[] = "SELECT substr(body, 1, 4096) FROM catalog_versions"
                                       " ORDER BY version DESC LIMIT 1";
    struct langs_read l = {0};
    out[0] = '\0';
    if ((!choice || !choice[0]) && (!accept || !accept[0]))
        return true;
    if (!dashdb_exec(db, langs_sql, NULL, 0, handle_lang_row, &l, NULL, err, size) ||
        !dashdb_exec(db, document_sql, NULL, 0, handle_document_row, &l, NULL, err, size))
        return false;
    const char *langs[ORG_LANGS_MAX];
    for (size_t i = 0; i < l.n; i++)
        langs[i] = l.langs[i];
    names_pick_language(choice, accept, langs, l.n, l.first, out, out_size);
    return true;
}
