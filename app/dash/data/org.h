/*
 * org: what the organisation's tables say (dash_groups, dash_departments,
 * and the catalog's names): whether a group or department exists, the
 * groups listed, the names in a language and the viewer's language.  They
 * are written only by a catalog commit (catalog_db.h), the one source of
 * truth.  Reading departments for a user is dashq_departments (dashq.h).
 * Errors: false with the reason in err (size bytes).
 */
#ifndef WOW_ORG_H
#define WOW_ORG_H

#include <stdbool.h>
#include <stddef.h>

struct dashdb;
struct names;

/* Sets *found to whether group group_id exists. */
bool org_group_exists(struct dashdb *db, const char *group_id, bool *found, char *err, size_t size);

/* Calls handle_group for every group, by id; its strings are valid only
 * during the call.  Stops (returning false) when it returns false. */
bool org_groups_each(struct dashdb *db,
                     bool (*handle_group)(void *ctx, const char *group_id, const char *name),
                     void *ctx, char *err, size_t size);

/* Sets *found to whether department is described (dash_departments),
 * named by the catalog (catalog_names), a kiosk reports it (kiosks: a
 * single kiosk's department, or one of a picker's departments) or taps
 * were counted for it (tap_counts). */
bool org_department_known(struct dashdb *db, const char *department, bool *found, char *err,
                          size_t size);

/* The catalog's names (catalog_names) in language lang ("" the first
 * language; a name missing in lang falls back to the first language's)
 * and its reasons' lists and order (catalog_reasons) into out, emptied
 * first and sorted (names.h); the caller frees it with names_free(), also
 * after a failure. */
bool org_names_read(struct dashdb *db, const char *lang, struct names *out, char *err, size_t size);

/* The language a viewer reads names in (names_pick_language over the
 * catalog's languages): choice and accept as it takes them; into out
 * (size >= NAMES_LANG_MAX), "" for the catalog's first. */
bool org_viewer_language(struct dashdb *db, const char *choice, const char *accept, char *out,
                         size_t out_size, char *err, size_t size);

#endif
