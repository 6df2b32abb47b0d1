/*
 * catalog_private: what the catalog's files share: the parsed catalog as
 * sections of key = value lines with the place each came from
 * (catalog.c reads and merges documents into it; catalog_out.c writes it
 * back out as a fleet document or as one kiosk's rendering, and checks the
 * renderings with the kiosk's own parser).  Only app/core's catalog files
 * include it.
 */
#ifndef WOW_CATALOG_PRIVATE_H
#define WOW_CATALOG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "config_private.h"

#define CAT_MAX_VALUES 64 /* keys in one section: each key once, each in up to 6 languages */
#define CAT_MAX_LIST   CONFIG_LIST_MAX /* bytes of a departments list: its line fits inih's */
#define CAT_MAX_LINE   198 /* bytes of a line the reader takes (inih's 200-byte buffer) */

/* Where a line came from: the document (names[doc]) and its line. */
struct cat_place {
    int doc;
    int line;
};

/* One key = value as given; value owned. */
struct cat_value {
    char key[24]; /* "name", "name.fi" */
    char *value;
    struct cat_place at;
};

/* One section; id "" for the plain ones ([kiosk], [followup], ...).
 * values owned, grown by cat_put up to CAT_MAX_VALUES: most sections hold
 * a few keys, and a catalog of thousands of sections is read, merged and
 * copied whole on every parse. */
struct cat_section {
    enum cfg_section kind;
    char id[CONFIG_ID_MAX];
    struct cat_place at;
    int count, cap;
    struct cat_value *values;
};

/* Sections by kind and id, for lookups that stay linear on big inputs. */
struct cat_index {
    int *slot; /* section index + 1; 0 empty */
    size_t cap;
};

struct cat_error {
    struct cat_place at;
    int seq;
    struct config_error error; /* file filled when handed over */
};

/* A growable list of errors; owned, freed by cat_errors_free(). */
struct cat_errors {
    struct cat_error *list;
    int count, cap, total;
};

struct catalog {
    struct cat_section **sections; /* each owned; document order within its kind */
    int count, cap;
    struct cat_index index;
    char **names; /* copies of the documents' names, for errors */
    int name_count;

    /* The views, built once everything is merged. */
    int language_count;
    char languages[CONFIG_MAX_LANGUAGES][8];
    struct catalog_department *departments;
    int department_count;
    struct catalog_group *groups;
    int group_count;
    struct catalog_reason *reasons;
    int reason_count;
    int *kiosks; /* section indices of the [kiosk ID] sections */
    int kiosk_count;
};

#define CAT_MAX_SECTIONS                                                                           \
    (CATALOG_MAX_KIOSKS + CATALOG_MAX_GROUPS + CATALOG_MAX_SITES + CATALOG_MAX_DEPARTMENTS +       \
     CATALOG_MAX_REASONS + 16)

/* ---- catalog_store.c ---- */

/* The section of kind and id, or NULL. */
struct cat_section *cat_find(const struct catalog *cat, enum cfg_section kind, const char *id);

/* The value of key in section, or NULL. */
const struct cat_value *cat_value(const struct cat_section *s, const char *key);

/* Records an error at place at; key and message as the config says them. */
void cat_error(struct cat_errors *e, struct cat_place at, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sorts the errors by place and hands the first CONFIG_MAX_ERRORS over,
 * file names from names; frees the list. */
void cat_errors_finish(struct cat_errors *e, char *const *names, int name_count,
                       struct config_errors *out);

/* A new empty section (the caller knows it is not there); NULL when out of memory. */
struct cat_section *cat_add(struct catalog *cat, enum cfg_section kind, const char *id,
                            struct cat_place at);

/* Sets key = value in s (replacing one there); false when out of memory or room. */
bool cat_put(struct cat_section *s, const char *key, const char *value, struct cat_place at);

/* Removes key from s when there. */
void cat_remove(struct cat_section *s, const char *key);

/* Frees the values of s and empties it (s itself is the caller's). */
void cat_section_clear(struct cat_section *s);

/* Frees every section of cat and its index (not cat). */
void cat_sections_free(struct catalog *cat);

/* How many sections of kind cat holds, and how many it may. */
int cat_kind_count(const struct catalog *cat, enum cfg_section kind);
int cat_kind_limit(enum cfg_section kind);

/* The name of the document at came from, for messages. */
const char *cat_name(const struct catalog *cat, struct cat_place at);

/* Whether value can be written as an INI value and read back the same;
 * false with why in msg. */
bool cat_text_round_trips(const char *value, char *msg, size_t size);

/* ---- catalog_read.c ---- */

/* Reads text (document doc_index) into doc, a catalog of this document's
 * sections only; errors go to *errors.  checker: cfg_checker_create(). */
void cat_read(struct catalog *doc, int doc_index, const char *text, struct cfg_parser *checker,
              struct cat_errors *errors);

/* ---- catalog_merge.c ---- */

/* Merges doc (read by cat_read) into cat, as a kiosk file when its [kiosk]
 * gives id, else as a fleet document. */
void cat_merge(struct catalog *cat, const struct catalog *doc, struct cat_errors *errors);

/* Lays layer (read by cat_read) over acc key by key, as the kiosk reads
 * its layers: a later value replaces an earlier one; days given after
 * always drop it. */
void cat_overlay(struct catalog *acc, const struct catalog *layer, struct cat_errors *errors);

/* Checks the merged catalog as a whole: limits, languages, references. */
void cat_check_all(struct catalog *cat, struct cat_errors *errors);

/* Builds the views catalog.h hands out; false when out of memory. */
bool cat_build_views(struct catalog *cat);

/* ---- catalog_out.c ---- */

/* A rendering with, for each of its lines, the catalog line it came from. */
struct cat_rendering {
    char *text;               /* owned */
    struct cat_place *origin; /* origin[line - 1]; owned */
    int lines, cap;
    bool failed;
};

/* Renders kiosk_id (or the fleet defaults when it has no section) into *r;
 * false when out of memory.  The caller frees with cat_rendering_free(). */
bool cat_render(const struct catalog *cat, const char *kiosk_id, int64_t version,
                struct cat_rendering *r);
void cat_rendering_free(struct cat_rendering *r);

#endif
