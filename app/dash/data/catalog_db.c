/*
 * catalog_db: catalog versions committed, read and rendered in the shared
 * database (catalog_db.h).  Every write runs in one transaction that first
 * takes the catalog's write lock (PostgreSQL: catalog_versions in SHARE
 * ROW EXCLUSIVE mode, which conflicts with itself; SQLite: BEGIN
 * IMMEDIATE), so two commits never read the same newest version.
 */
#include "catalog_db.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "catalog_text.h"
#include "dashdb.h"

/* ---- reading rows -------------------------------------------------------- */

static bool read_int(void *ctx, int ncols, const char *const *v)
{
    *(int64_t *)ctx = ncols >= 1 && v[0] ? strtoll(v[0], NULL, 10) : 0;
    return true;
}

static bool read_text(void *ctx, int ncols, const char *const *v)
{
    char **out = ctx;
    free(*out);
    *out = ncols >= 1 && v[0] ? strdup(v[0]) : NULL;
    return ncols < 1 || !v[0] || *out != NULL;
}

/* A list of kiosk ids, each owned. */
struct id_list {
    char **ids;
    int count, cap;
};

static bool id_list_add(struct id_list *l, const char *id)
{
    for (int i = 0; i < l->count; i++)
        if (!strcmp(l->ids[i], id))
            return true;
    if (l->count == l->cap) {
        int cap = l->cap ? l->cap * 2 : 16;
        char **ids = realloc(l->ids, (size_t)cap * sizeof *ids);
        if (!ids)
            return false;
        l->ids = ids;
        l->cap = cap;
    }
    return (l->ids[l->count] = strdup(id)) != NULL && ++l->count > 0;
}

static void id_list_free(struct id_list *l)
{
    for (int i = 0; i < l->count; i++)
        free(l->ids[i]);
    free(l->ids);
    *l = (struct id_list){0};
}

static bool read_id(void *ctx, int ncols, const char *const *v)
{
    return ncols < 1 || !v[0] || id_list_add(ctx, v[0]);
}

/* ---- the transaction ----------------------------------------------------- */

static bool begin_locked(struct dashdb *db, char *err, size_t size)
{
    if (!dashdb_is_postgres(db))
        return dashdb_exec(db, "BEGIN IMMEDIATE", NULL, 0, NULL, NULL, NULL, err, size);
    return dashdb_exec(db, "BEGIN", NULL, 0, NULL, NULL, NULL, err, size) &&
           dashdb_exec(db, "LOCK TABLE catalog_versions IN SHARE ROW EXCLUSIVE MODE", NULL, 0, NULL,
                       NULL, NULL, err, size);
}

static void rollback(struct dashdb *db)
{
    char ignored[256];
    dashdb_exec(db, "ROLLBACK", NULL, 0, NULL, NULL, NULL, ignored, sizeof ignored);
}

static bool commit(struct dashdb *db, char *err, size_t size)
{
    return dashdb_exec(db, "COMMIT", NULL, 0, NULL, NULL, NULL, err, size);
}

/* ---- the names ----------------------------------------------------------- */

static bool put_name(struct dashdb *db, const char *kind, const char *id, const char *lang,
                     const char *name, char *err, size_t size)
{
    static const char sql[] = "INSERT INTO catalog_names(kind, id, lang, name)"
                              " VALUES ($1, $2, $3, $4)";
    if (!name[0])
        return true;
    struct dashdb_value p[] = {DASHDB_TEXT(kind), DASHDB_TEXT(id), DASHDB_TEXT(lang),
                               DASHDB_TEXT(name)};
    return dashdb_exec(db, sql, p, 4, NULL, NULL, NULL, err, size);
}

/* One text in every language of the catalog: '' for the first. */
static bool put_text(struct dashdb *db, const struct catalog *cat, const char *kind, const char *id,
                     const struct config_text *text, char *err, size_t size)
{
    int n = catalog_language_count(cat);
    bool ok = true;
    for (int i = 0; ok && i < n && i < CONFIG_MAX_LANGUAGES; i++)
        ok = put_name(db, kind, id, i == 0 ? "" : catalog_language(cat, i), text->lang[i], err,
                      size);
    return ok;
}

static bool write_groups(struct dashdb *db, const struct catalog *cat, char *err, size_t size)
{
    static const char sql[] = "INSERT INTO dash_groups(group_id, name, parent_id)"
                              " VALUES ($1, $2, $3)";
    bool ok = true;
    for (int i = 0; ok && i < catalog_group_count(cat); i++) {
        const struct catalog_group *g = catalog_group_at(cat, i);
        const char *name = g->name.lang[0][0] ? g->name.lang[0] : g->id;
        struct dashdb_value p[] = {DASHDB_TEXT(g->id), DASHDB_TEXT(name),
                                   g->parent[0] ? DASHDB_TEXT(g->parent)
                                                : (struct dashdb_value){.type = DASHDB_NULL}};
        ok = dashdb_exec(db, sql, p, 3, NULL, NULL, NULL, err, size) &&
             put_text(db, cat, "group", g->id, &g->name, err, size);
    }
    return ok;
}

static bool write_departments(struct dashdb *db, const struct catalog *cat, char *err, size_t size)
{
    static const char sql[] =
        "INSERT INTO dash_departments(department, name, group_id, customer_facing)"
        " VALUES ($1, $2, $3, $4)";
    bool ok = true;
    for (int i = 0; ok && i < catalog_department_count(cat); i++) {
        const struct catalog_department *d = catalog_department_at(cat, i);
        const char *name = d->name.lang[0][0] ? d->name.lang[0] : d->id;
        struct dashdb_value p[] = {DASHDB_TEXT(d->id), DASHDB_TEXT(name),
                                   d->group[0] ? DASHDB_TEXT(d->group)
                                               : (struct dashdb_value){.type = DASHDB_NULL},
                                   DASHDB_INT(d->customer_facing ? 1 : 0)};
        ok = dashdb_exec(db, sql, p, 4, NULL, NULL, NULL, err, size) &&
             put_text(db, cat, "department", d->id, &d->name, err, size);
    }
    return ok;
}

static bool write_reasons(struct dashdb *db, const struct catalog *cat, char *err, size_t size)
{
    static const char sql[] = "INSERT INTO catalog_reasons(reason, list, position, owner)"
                              " VALUES ($1, $2, $3, $4)";
    bool ok = true;
    for (int i = 0; ok && i < catalog_reason_count(cat); i++) {
        const struct catalog_reason *r = catalog_reason_at(cat, i);
        struct dashdb_value p[] = {DASHDB_TEXT(r->id), DASHDB_TEXT(r->list),
                                   DASHDB_INT(r->position), DASHDB_TEXT(r->owner)};
        ok = dashdb_exec(db, sql, p, 4, NULL, NULL, NULL, err, size) &&
             put_text(db, cat, "reason", r->id, &r->label, err, size);
    }
    return ok;
}

/* The sites' names: catalog.h has no view of sites, so they are read from
 * the canonical document (a site's name is one text, not per language). */
static bool write_sites(struct dashdb *db, const char *body, char *err, size_t size)
{
    char id[CONFIG_ID_MAX + 8], section[CONFIG_ID_MAX + 16], name[CONFIG_TEXT_MAX];
    bool ok = true;
    for (const char *at = body; ok && catalog_text_next(&at, "site", id, sizeof id);) {
        snprintf(section, sizeof section, "site %s", id);
        if (catalog_text_get(body, section, "name", name, sizeof name))
            ok = put_name(db, "site", id, "", name, err, size);
    }
    return ok;
}

/* Replaces every derived name with the catalog's (body: its export),
 * inside the caller's transaction.  Departments go before groups: they
 * point at them. */
static bool write_names(struct dashdb *db, const struct catalog *cat, const char *body, char *err,
                        size_t size)
{
    static const char *const clear[] = {"DELETE FROM catalog_names", "DELETE FROM catalog_reasons",
                                        "DELETE FROM dash_departments", "DELETE FROM dash_groups"};
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof clear / sizeof clear[0]; i++)
        ok = dashdb_exec(db, clear[i], NULL, 0, NULL, NULL, NULL, err, size);
    return ok && write_groups(db, cat, err, size) && write_departments(db, cat, err, size) &&
           write_reasons(db, cat, err, size) && write_sites(db, body, err, size);
}

/* ---- kiosks -------------------------------------------------------------- */

static bool write_kiosk(struct dashdb *db, const struct catalog *cat, const char *kiosk_id,
                        int64_t version, char *err, size_t size)
{
    static const char sql[] = "INSERT INTO kiosk_catalog(kiosk_id, version, body)"
                              " VALUES ($1, $2, $3) ON CONFLICT (kiosk_id) DO UPDATE"
                              " SET version = excluded.version, body = excluded.body";
    char *body = catalog_render(cat, kiosk_id, version);
    if (!body) {
        snprintf(err, size, "out of memory rendering the catalog for kiosk %s", kiosk_id);
        return false;
    }
    struct dashdb_value p[] = {DASHDB_TEXT(kiosk_id), DASHDB_INT(version), DASHDB_TEXT(body)};
    bool ok = dashdb_exec(db, sql, p, 3, NULL, NULL, NULL, err, size);
    free(body);
    return ok;
}

/* Every kiosk the kiosks table holds, then those the catalog names. */
static bool every_kiosk(struct dashdb *db, const struct catalog *cat, struct id_list *ids,
                        char *err, size_t size)
{
    if (!dashdb_exec(db, "SELECT kiosk_id FROM kiosks ORDER BY kiosk_id", NULL, 0, read_id, ids,
                     NULL, err, size))
        return false;
    for (int i = 0; i < catalog_kiosk_count(cat); i++)
        if (!id_list_add(ids, catalog_kiosk_id(cat, i))) {
            snprintf(err, size, "out of memory");
            return false;
        }
    return true;
}

/* ---- committing ---------------------------------------------------------- */

/* Inside the locked transaction: checks, then writes the version, the
 * kiosks' rows and the names. */
static enum catalog_db_status commit_locked(struct dashdb *db, const struct catalog *cat,
                                            const char *made_by, const char *note, int64_t now_ms,
                                            int64_t *version, struct config_errors *errors,
                                            char *err, size_t size)
{
    static const char next_sql[] = "SELECT coalesce(max(version), 0) + 1 FROM catalog_versions";
    static const char insert_sql[] = "INSERT INTO catalog_versions(version, made_ms, made_by,"
                                     " note, body) VALUES ($1, $2, $3, $4, $5)";
    struct id_list ids = {0};
    if (!dashdb_exec(db, "SELECT kiosk_id FROM kiosks ORDER BY kiosk_id", NULL, 0, read_id, &ids,
                     NULL, err, size)) {
        id_list_free(&ids);
        return CATALOG_DB_FAILED;
    }
    if (!catalog_check(cat, (const char *const *)ids.ids, ids.count, errors)) {
        id_list_free(&ids);
        return CATALOG_DB_REFUSED;
    }
    id_list_free(&ids);
    int64_t next = 0;
    char *body = catalog_export(cat);
    bool ok = body && every_kiosk(db, cat, &ids, err, size) &&
              dashdb_exec(db, next_sql, NULL, 0, read_int, &next, NULL, err, size);
    if (!body)
        snprintf(err, size, "out of memory exporting the catalog");
    struct dashdb_value p[] = {DASHDB_INT(next), DASHDB_INT(now_ms), DASHDB_TEXT(made_by),
                               DASHDB_TEXT(note), DASHDB_TEXT(body ? body : "")};
    ok = ok && dashdb_exec(db, insert_sql, p, 5, NULL, NULL, NULL, err, size);
    for (int i = 0; ok && i < ids.count; i++)
        ok = write_kiosk(db, cat, ids.ids[i], next, err, size);
    ok = ok && write_names(db, cat, body, err, size);
    free(body);
    id_list_free(&ids);
    if (ok && version)
        *version = next;
    return ok ? CATALOG_DB_OK : CATALOG_DB_FAILED;
}

/* Inside the locked transaction: STALE when base is set and not the
 * newest version. */
static enum catalog_db_status check_base(struct dashdb *db, int64_t base, char *err, size_t size)
{
    static const char sql[] = "SELECT coalesce(max(version), 0) FROM catalog_versions";
    int64_t newest = 0;
    if (base == CATALOG_DB_ANY_BASE)
        return CATALOG_DB_OK;
    if (!dashdb_exec(db, sql, NULL, 0, read_int, &newest, NULL, err, size))
        return CATALOG_DB_FAILED;
    if (newest == base)
        return CATALOG_DB_OK;
    snprintf(err, size, "version %" PRId64 " was made since version %" PRId64 " was read", newest,
             base);
    return CATALOG_DB_STALE;
}

enum catalog_db_status catalog_db_commit(struct dashdb *db, const char *const *names,
                                         const char *const *texts, int count, int64_t base,
                                         const char *made_by, const char *note, int64_t now_ms,
                                         int64_t *version, struct config_errors *errors, char *err,
                                         size_t size)
{
    *errors = (struct config_errors){0};
    struct catalog *cat = catalog_parse(names, texts, count, errors);
    if (!cat)
        return CATALOG_DB_REFUSED;
    enum catalog_db_status st = CATALOG_DB_FAILED;
    if (begin_locked(db, err, size))
        st = check_base(db, base, err, size);
    if (st == CATALOG_DB_OK)
        st = commit_locked(db, cat, made_by, note, now_ms, version, errors, err, size);
    if (st == CATALOG_DB_OK && !commit(db, err, size))
        st = CATALOG_DB_FAILED;
    if (st != CATALOG_DB_OK)
        rollback(db);
    catalog_free(cat);
    return st;
}

enum catalog_db_status catalog_db_edit(struct dashdb *db, const struct catalog_db_edit *edits,
                                       int count, const char *made_by, const char *note,
                                       int64_t now_ms, int64_t *version,
                                       struct config_errors *errors, char *err, size_t size)
{
    enum catalog_db_status st = CATALOG_DB_STALE;
    for (int attempt = 0; st == CATALOG_DB_STALE && attempt < 5; attempt++) {
        int64_t base = 0;
        char *doc = NULL;
        if (!catalog_db_newest(db, &base, &doc, err, size))
            return CATALOG_DB_FAILED;
        bool empty = !doc;
        if (!doc)
            doc = strdup("");
        for (int i = 0; doc && i < count; i++) {
            if (edits[i].if_empty && !empty)
                continue;
            char *next = catalog_text_set(doc, edits[i].section, edits[i].key, edits[i].value);
            free(doc);
            doc = next;
        }
        if (!doc) {
            snprintf(err, size, "out of memory editing the catalog");
            return CATALOG_DB_FAILED;
        }
        const char *names[] = {"catalog"}, *texts[] = {doc};
        st = catalog_db_commit(db, names, texts, 1, base, made_by, note, now_ms, version, errors,
                               err, size);
        free(doc);
    }
    return st;
}

/* ---- reading ------------------------------------------------------------- */

bool catalog_db_newest(struct dashdb *db, int64_t *version, char **body, char *err, size_t size)
{
    static const char sql[] = "SELECT coalesce(max(version), 0) FROM catalog_versions";
    *version = 0;
    *body = NULL;
    return dashdb_exec(db, sql, NULL, 0, read_int, version, NULL, err, size) &&
           (*version == 0 || catalog_db_export(db, *version, body, err, size));
}

bool catalog_db_export(struct dashdb *db, int64_t version, char **body, char *err, size_t size)
{
    static const char sql[] = "SELECT body FROM catalog_versions WHERE version = $1";
    struct dashdb_value p = DASHDB_INT(version);
    *body = NULL;
    if (dashdb_exec(db, sql, &p, 1, read_text, body, NULL, err, size))
        return true;
    free(*body);
    *body = NULL;
    return false;
}

struct version_list {
    struct catalog_db_version *items;
    size_t count, cap;
};

static bool read_version(void *ctx, int ncols, const char *const *v)
{
    struct version_list *l = ctx;
    if (ncols != 4)
        return true;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        struct catalog_db_version *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return false;
        l->items = items;
        l->cap = cap;
    }
    struct catalog_db_version *out = &l->items[l->count++];
    out->version = v[0] ? strtoll(v[0], NULL, 10) : 0;
    out->made_ms = v[1] ? strtoll(v[1], NULL, 10) : 0;
    snprintf(out->made_by, sizeof out->made_by, "%s", v[2] ? v[2] : "");
    snprintf(out->note, sizeof out->note, "%s", v[3] ? v[3] : "");
    return true;
}

bool catalog_db_versions(struct dashdb *db, struct catalog_db_version **list, size_t *count,
                         char *err, size_t size)
{
    static const char sql[] = "SELECT version, made_ms, made_by, note FROM catalog_versions"
                              " ORDER BY version DESC";
    struct version_list l = {0};
    bool ok = dashdb_exec(db, sql, NULL, 0, read_version, &l, NULL, err, size);
    if (!ok) {
        free(l.items);
        l = (struct version_list){0};
    }
    *list = l.items;
    *count = l.count;
    return ok;
}

/* ---- one kiosk, and the names -------------------------------------------- */

/* Inside the locked transaction: the newest version parsed into *cat
 * (NULL when the catalog is empty), *version its number. */
static enum catalog_db_status newest_parsed(struct dashdb *db, struct catalog **cat, char **body,
                                            int64_t *version, struct config_errors *errors,
                                            char *err, size_t size)
{
    char name[64];
    *cat = NULL;
    if (!catalog_db_newest(db, version, body, err, size))
        return CATALOG_DB_FAILED;
    if (!*body)
        return CATALOG_DB_OK;
    snprintf(name, sizeof name, "catalog version %" PRId64, *version);
    const char *names[] = {name}, *texts[] = {*body};
    *cat = catalog_parse(names, texts, 1, errors);
    return *cat ? CATALOG_DB_OK : CATALOG_DB_REFUSED;
}

enum catalog_db_status catalog_db_render_kiosk(struct dashdb *db, const char *kiosk_id,
                                               bool *written, struct config_errors *errors,
                                               char *err, size_t size)
{
    struct catalog *cat = NULL;
    int64_t version = 0;
    *written = false;
    *errors = (struct config_errors){0};
    char *body = NULL;
    if (!begin_locked(db, err, size))
        return CATALOG_DB_FAILED;
    enum catalog_db_status st = newest_parsed(db, &cat, &body, &version, errors, err, size);
    free(body);
    if (st == CATALOG_DB_OK && cat && !catalog_check(cat, &kiosk_id, 1, errors))
        st = CATALOG_DB_REFUSED;
    if (st == CATALOG_DB_OK && cat && !write_kiosk(db, cat, kiosk_id, version, err, size))
        st = CATALOG_DB_FAILED;
    if (st == CATALOG_DB_OK && !commit(db, err, size))
        st = CATALOG_DB_FAILED;
    if (st != CATALOG_DB_OK)
        rollback(db);
    *written = st == CATALOG_DB_OK && cat;
    catalog_free(cat);
    return st;
}

bool catalog_db_names_ensure(struct dashdb *db, bool *derived, char *err, size_t size)
{
    static const char sql[] = "SELECT CASE WHEN EXISTS (SELECT 1 FROM catalog_versions)"
                              " AND NOT EXISTS (SELECT 1 FROM catalog_names)"
                              " AND NOT EXISTS (SELECT 1 FROM catalog_reasons)"
                              " THEN 1 ELSE 0 END";
    int64_t missing = 0;
    *derived = false;
    if (!dashdb_exec(db, sql, NULL, 0, read_int, &missing, NULL, err, size))
        return false;
    if (!missing)
        return true;
    struct catalog *cat = NULL;
    struct config_errors errors;
    char *body = NULL, *canonical = NULL;
    int64_t version = 0;
    if (!begin_locked(db, err, size))
        return false;
    enum catalog_db_status st = newest_parsed(db, &cat, &body, &version, &errors, err, size);
    if (st == CATALOG_DB_REFUSED && errors.count > 0)
        config_error_format(&errors.error[0], err, (unsigned)size);
    /* the names as a commit writes them, from the canonical export */
    if (cat && !(canonical = catalog_export(cat)))
        snprintf(err, size, "out of memory exporting the catalog");
    bool ok = st == CATALOG_DB_OK && (!cat || canonical) &&
              (!cat || write_names(db, cat, canonical, err, size)) && commit(db, err, size);
    if (!ok)
        rollback(db);
    *derived = ok && cat;
    catalog_free(cat);
    free(canonical);
    free(body);
    return ok;
}
