/*
 * provision: setting the shared database up for wowdash migrate and
 * wowdash kiosk add, on PostgreSQL (a conninfo) or a SQLite file:
 * the schema's missing steps (app/sync/migrate.h), and a kiosk's login
 * role (PostgreSQL: kiosk_ID, member of the fleet role, row-level
 * security limits it to its own rows) and its first heartbeat row.
 *
 * Failures are logged (log.h) with what went wrong; the functions then
 * return false.  Strings are borrowed.
 */
#ifndef WOW_PROVISION_H
#define WOW_PROVISION_H

#include <stdbool.h>
#include <stddef.h>

struct migrate_report;

/* Applies the schema's steps up to to_version to target; *report says
 * from which version to which. */
bool provision_migrate(const char *target, int to_version, struct migrate_report *report);

/* A kiosk to provision in db (a conninfo or a SQLite path); site and
 * label "" when not given, kiosk_host NULL for the host db names. */
struct provision_kiosk {
    const char *db;
    const char *kiosk_id, *department, *site, *label;
    const char *kiosk_host, *sslmode;
    bool replace; /* a role that exists gets a new password */
};

/* Provisions kiosk o and writes the sync target its config names into
 * target (size bytes): on PostgreSQL a conninfo with its new role and
 * password (shown only this once), on SQLite the file's path.  When the
 * catalog has a version, the kiosk's kiosk_catalog row is written from the
 * newest (catalog_db.h); a rendering the kiosk would refuse is an error
 * (each line logged), the kiosk then being provisioned without it. */
bool provision_kiosk(const struct provision_kiosk *o, char *target, size_t size);

#endif
