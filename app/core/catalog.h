/*
 * catalog: the fleet's catalog (docs/CATALOG.md): what every kiosk asks,
 * as one document in the kiosk's own INI format, parsed and checked by the
 * kiosk's own config code, so the dashboard, `wowdash catalog import` and
 * the kiosk say the same words about the same mistake.
 *
 * A struct catalog is one parsed fleet document.  It is made by
 * catalog_parse() and owned by its caller, who frees it with
 * catalog_free(); texts it hands out (catalog_export, catalog_render) are
 * the caller's to free().  Nothing here does I/O.
 */
#ifndef WOW_CATALOG_H
#define WOW_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define CATALOG_MAX_KIOSKS 4096
#define CATALOG_MAX_GROUPS 256
#define CATALOG_MAX_SITES  256
/* fleet-wide; one kiosk rates at most CONFIG_MAX_DEPARTMENTS */
#define CATALOG_MAX_DEPARTMENTS 1024
#define CATALOG_MAX_REASONS     256

struct catalog;

/* One department as the dashboard needs it. */
struct catalog_department {
    char id[CONFIG_ID_MAX];
    struct config_text name;   /* [0]: the catalog's first language */
    char group[CONFIG_ID_MAX]; /* "" in no group */
    bool customer_facing;
    struct config_text question; /* its own question; "" in [0]: the kiosk's */
    struct config_text we_did;   /* "You said, we did": its note; "" in [0]: none */
    char we_did_from[11];        /* YYYY-MM-DD as written; "": from any day */
    char we_did_until[11];       /* YYYY-MM-DD; "": no end */
    bool we_did_score;           /* this week's figure beside the note */
    char comments[9];            /* "Tell us more": off, negative, any as written; "": off */
    bool head_edits;             /* its head may edit its question and note in the dashboard */
};

/* One node of the group tree; parent "" at the root. */
struct catalog_group {
    char id[CONFIG_ID_MAX];
    struct config_text name;
    char parent[CONFIG_ID_MAX];
};

/* One reason; list is "positive" or "negative", position its place in it. */
struct catalog_reason {
    char id[CONFIG_ID_MAX];
    struct config_text label;
    const char *list;
    int position;
    char owner[CONFIG_ID_MAX]; /* the department that owns its cause; "" none */
};

/* Parses count documents (a fleet document, or a fleet's kiosk files to be
 * merged: their central keys, each kiosk's own under [kiosk ID]); names[i]
 * names texts[i] in errors.  Returns the catalog, or NULL with *errors
 * filled (FILE:LINE: section.key: what was expected, as --check-config
 * says it).  A local key (docs/CATALOG.md) in a fleet document is an
 * error; in a kiosk file being merged it is skipped. */
struct catalog *catalog_parse(const char *const *names, const char *const *texts, int count,
                              struct config_errors *errors);

/* Parses one kiosk's layered files (config_parse_layers' order: the
 * image's kiosk.conf, the boot partition's file) as that one kiosk: the
 * files are laid over each other key by key as the kiosk reads them, then
 * imported as one kiosk file (its [kiosk] id, else the defaults' id), so
 * its rendering gives the kiosk back what its files say.  What the SQLite
 * default seeds its catalog from.  Same contract as catalog_parse(). */
struct catalog *catalog_parse_layers(const char *const *names, const char *const *texts, int count,
                                     struct config_errors *errors);

void catalog_free(struct catalog *catalog);

/* The catalog as one fleet document, canonical: parsing it again and
 * exporting gives the same bytes.  Caller frees; NULL when out of memory. */
char *catalog_export(const struct catalog *catalog);

/* What kiosk kiosk_id runs: a kiosk document with [catalog] version =
 * version, the fleet-wide keys, its own [kiosk ID] keys, its site's hours
 * and only the departments it rates (a kiosk_id without a section, or
 * NULL: the fleet-wide keys alone).  Caller frees; NULL when out of memory. */
char *catalog_render(const struct catalog *catalog, const char *kiosk_id, int64_t version);

/* Renders the catalog for each of the kiosks it names and each of
 * kiosk_ids (kiosks the database knows), parses each rendering as that
 * kiosk would and returns false with *errors if any is refused; errors
 * name the catalog's own lines. */
bool catalog_check(const struct catalog *catalog, const char *const *kiosk_ids, int count,
                   struct config_errors *errors);

/* Changes one key as an admin's edit does: section is the header without
 * its brackets ("department front", "kiosk", "kiosk lobby-1"), key as
 * written ("name", "name.fi"); value NULL removes the key, key NULL the
 * whole section.  The value is checked with the words --check-config
 * uses, and refused when it could not be written and read back the same
 * (a line break, blanks at either end, ';' after a blank, invalid UTF-8);
 * then the whole catalog is checked again (references, languages).  On
 * success the catalog is the edited one (errors from then on name the
 * document "catalog"); on failure it is unchanged and err says why
 * ("department front.name: ...").  Views handed out before are invalid
 * after a success. */
bool catalog_set(struct catalog *catalog, const char *section, const char *key, const char *value,
                 char *err, size_t err_size);

/* The catalog's languages, first one first. */
int catalog_language_count(const struct catalog *catalog);
const char *catalog_language(const struct catalog *catalog, int index);

/* Read-only views; index from 0 to count - 1, in document order. */
int catalog_department_count(const struct catalog *catalog);
const struct catalog_department *catalog_department_at(const struct catalog *catalog, int index);
int catalog_group_count(const struct catalog *catalog);
const struct catalog_group *catalog_group_at(const struct catalog *catalog, int index);
int catalog_reason_count(const struct catalog *catalog);
const struct catalog_reason *catalog_reason_at(const struct catalog *catalog, int index);
/* The kiosks the catalog has a [kiosk ID] section for. */
int catalog_kiosk_count(const struct catalog *catalog);
const char *catalog_kiosk_id(const struct catalog *catalog, int index);

#endif
