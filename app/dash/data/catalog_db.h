/*
 * catalog_db: the dashboard's side of the catalog (docs/CATALOG.md) in the
 * shared database, PostgreSQL or SQLite through a dashdb connection:
 * committing a new version (checked for every kiosk first, then written
 * whole in one transaction), reading the newest, listing and exporting
 * versions, rendering one kiosk's row (wowdash kiosk add), and deriving
 * the dashboard's names from the newest version when a kiosk seeded it
 * without them.
 *
 * Errors: a catalog that does not pass comes back in struct
 * config_errors (FILE:LINE: section.key: what was expected, the words
 * --check-config uses); a database failure as text in err (size bytes).
 */
#ifndef WOW_CATALOG_DB_H
#define WOW_CATALOG_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct dashdb;

#define CATALOG_DB_WHO_MAX  64  /* made_by, with the NUL */
#define CATALOG_DB_NOTE_MAX 256 /* note, with the NUL */

enum catalog_db_status {
    CATALOG_DB_OK,      /* done */
    CATALOG_DB_REFUSED, /* the catalog does not pass: *errors says why; nothing written */
    CATALOG_DB_FAILED,  /* the database failed: err says why; nothing written */
    CATALOG_DB_STALE,   /* base is no longer the newest version: nothing written */
};

#define CATALOG_DB_ANY_BASE (-1) /* commit on top of whatever is newest */

/* One version as catalog_db_versions lists it. */
struct catalog_db_version {
    int64_t version, made_ms;
    char made_by[CATALOG_DB_WHO_MAX];
    char note[CATALOG_DB_NOTE_MAX];
};

/* Parses count texts (names[i] names texts[i] in errors) as one catalog,
 * checks it for every kiosk the kiosks table holds and every kiosk it
 * names, and only if all pass writes in one transaction: the next
 * version (made_by, note, now_ms, the canonical export), every one of
 * those kiosks' kiosk_catalog rows, and the names (catalog_names,
 * catalog_reasons, dash_departments, dash_groups).  Commits made at the
 * same time are taken one after the other (a table lock on PostgreSQL,
 * BEGIN IMMEDIATE on SQLite): each gets its own version.  base is the
 * version the texts were made from (STALE when another is newest by
 * then), or CATALOG_DB_ANY_BASE.  *version gets the new version when not
 * NULL.  Strings are borrowed. */
enum catalog_db_status catalog_db_commit(struct dashdb *db, const char *const *names,
                                         const char *const *texts, int count, int64_t base,
                                         const char *made_by, const char *note, int64_t now_ms,
                                         int64_t *version, struct config_errors *errors, char *err,
                                         size_t size);

/* One key set in one section of the newest document (catalog_text.h);
 * value NULL removes the key.  if_empty: only when there is no version
 * yet (what a catalog begun by an edit needs, e.g. [kiosk] mode). */
struct catalog_db_edit {
    const char *section, *key, *value;
    bool if_empty;
};

/* The newest version (or an empty document) with count edits applied,
 * committed as catalog_db_commit does; errors name the document
 * "catalog".  Another commit in between makes it start again from the
 * new newest, so no change is lost. */
enum catalog_db_status catalog_db_edit(struct dashdb *db, const struct catalog_db_edit *edits,
                                       int count, const char *made_by, const char *note,
                                       int64_t now_ms, int64_t *version,
                                       struct config_errors *errors, char *err, size_t size);

/* The newest version and its document: *version 0 and *body NULL when the
 * catalog is empty.  The caller frees *body. */
bool catalog_db_newest(struct dashdb *db, int64_t *version, char **body, char *err, size_t size);

/* Version version's document into *body (the caller frees it), or NULL
 * when there is no such version. */
bool catalog_db_export(struct dashdb *db, int64_t version, char **body, char *err, size_t size);

/* Every version, newest first, into *list (*count entries; the caller
 * frees *list; NULL when there is none). */
bool catalog_db_versions(struct dashdb *db, struct catalog_db_version **list, size_t *count,
                         char *err, size_t size);

/* Writes kiosk_id's kiosk_catalog row from the newest version, when there
 * is one (*written says whether).  REFUSED with *errors when that kiosk's
 * rendering does not pass: nothing is written. */
enum catalog_db_status catalog_db_render_kiosk(struct dashdb *db, const char *kiosk_id,
                                               bool *written, struct config_errors *errors,
                                               char *err, size_t size);

/* When the newest version's names are missing (a kiosk seeded the SQLite
 * file with only catalog_versions and its own row), derives them as a
 * commit would; *derived says whether it did.  Cheap when they are there:
 * one query. */
bool catalog_db_names_ensure(struct dashdb *db, bool *derived, char *err, size_t size);

#endif
