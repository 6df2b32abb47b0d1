/*
 * org: the one writer of the organisation's tables, dash_groups and
 * dash_departments (what the dashboard groups the counts by), and whether
 * a group or department exists.  Reading departments for a user is
 * dashq_departments (dashq.h).
 *
 * Ids and names are checked by the caller (wowdash department/group add);
 * these functions store what they are given.  Errors: false with the
 * reason in err (size bytes).
 */
#ifndef WOW_ORG_H
#define WOW_ORG_H

#include <stdbool.h>
#include <stddef.h>

struct dashdb;

/* Sets *found to whether group group_id exists. */
bool org_group_exists(struct dashdb *db, const char *group_id, bool *found, char *err, size_t size);

/* Adds group group_id named name, or renames it. */
bool org_group_put(struct dashdb *db, const char *group_id, const char *name, char *err,
                   size_t size);

/* Calls handle_group for every group, by id; its strings are valid only
 * during the call.  Stops (returning false) when it returns false. */
bool org_groups_each(struct dashdb *db,
                     bool (*handle_group)(void *ctx, const char *group_id, const char *name),
                     void *ctx, char *err, size_t size);

/* Sets *found to whether department is described (dash_departments) or
 * a kiosk reports it (kiosks). */
bool org_department_known(struct dashdb *db, const char *department, bool *found, char *err,
                          size_t size);

/* Adds department, or replaces its name and group; group_id NULL puts it
 * in no group. */
bool org_department_put(struct dashdb *db, const char *department, const char *name,
                        const char *group_id, char *err, size_t size);

#endif
