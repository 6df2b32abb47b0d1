/*
 * names: the catalog's names (docs/CATALOG.md) as the dashboard shows
 * them to one viewer: the name of a department, group, reason or site in
 * the viewer's language where the catalog has one, else in its first
 * language; the reasons' lists and order; and which language a viewer
 * reads (their choice, else Accept-Language with its q-values, else the
 * catalog's first).  Pure: org.h reads the rows, pages and the API show
 * them.
 *
 * Ownership: a struct names owns its arrays; names_free() frees them and
 * empties it (also an empty one).  Strings handed out are borrowed from
 * it and valid until names_free().
 */
#ifndef WOW_NAMES_H
#define WOW_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "dashview.h"

#define NAMES_LANG_MAX 16 /* a language code, with the NUL */

struct names_entry {
    char kind[12]; /* "department", "group", "reason", "site" */
    char id[DASH_ID_MAX];
    char name[DASH_NAME_MAX];
    bool in_lang; /* the viewer's language's (else the first language's) */
};

/* A reason's place in the catalog: its list and position in it. */
struct names_reason {
    char id[DASH_ID_MAX];
    char list[12]; /* "positive" or "negative" */
    int position;
};

struct names {
    struct names_entry *items; /* by kind, then id (strcmp), once each after names_sort */
    size_t n, cap;
    struct names_reason *reasons; /* by id after names_sort */
    size_t reasons_n, reasons_cap;
};

void names_free(struct names *names);

/* Adds a name (in_lang: in the viewer's language) or a reason's place;
 * false when out of memory. */
bool names_add(struct names *names, const char *kind, const char *id, const char *name,
               bool in_lang);
bool names_add_reason(struct names *names, const char *id, const char *list, int position);

/* Sorts for the finds and keeps one name per kind and id: the viewer's
 * language's when both are there. */
void names_sort(struct names *names);

/* The name of kind id, or NULL when the catalog has none. */
const char *names_find(const struct names *names, const char *kind, const char *id);

/* name of kind id, or fallback when the catalog has none. */
const char *names_or(const struct names *names, const char *kind, const char *id,
                     const char *fallback);

/* A reason's place, or NULL when the catalog does not list it. */
const struct names_reason *names_reason_find(const struct names *names, const char *id);

/* Whether the catalog names any department (then one it does not name is
 * unknown to it). */
bool names_has_departments(const struct names *names);

/* A picker kiosk's department list ("front, bar", as its heartbeat
 * sends it) into out[0..max): each id trimmed; an empty one, a longer one
 * than DASH_ID_MAX - 1 or one with a byte outside [A-Za-z0-9_.-] (what a
 * department id may hold) is skipped.  Returns how many were written. */
size_t names_split_ids(const char *list, char (*out)[DASH_ID_MAX], size_t max);

/* The first language of a fleet document (the [kiosk] section's
 * "languages = en, fi"), into out ("" when it has none). */
void names_first_language(const char *document, char *out, size_t size);

/* The language a viewer reads, into out (size >= NAMES_LANG_MAX): choice
 * (the viewer's own, NULL or "" for none) when the catalog has it, else
 * the first of accept (an Accept-Language header, NULL for none; ranges
 * by q-value, q=0 refused, "fi-FI" matching "fi") it has, else "".  ""
 * means the catalog's first language (first), the one its plain names
 * are in; langs[0..n) are its other languages. */
void names_pick_language(const char *choice, const char *accept, const char *const *langs, size_t n,
                         const char *first, char *out, size_t size);

#endif
