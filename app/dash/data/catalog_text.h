/*
 * catalog_text: small edits of a fleet document's text (docs/CATALOG.md),
 * for the dashboard's forms and wowdash department/group add: read one
 * key of one section, set or add it, and check that a value survives the
 * INI format unchanged.  The document is usually catalog_export()'s
 * canonical text; the result is parsed again by the catalog's own parser
 * before anything is written, so these functions only need to keep the
 * text's other lines as they were.
 *
 * A section is named as in its header without the brackets, words
 * separated by one blank: "department front", "reason fast", "kiosk".
 * Nothing here does I/O.
 */
#ifndef WOW_CATALOG_TEXT_H
#define WOW_CATALOG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The value of key in section (the first such line), copied into out
 * (size bytes, cut to fit); false, with out "", when there is none. */
bool catalog_text_get(const char *doc, const char *section, const char *key, char *out,
                      size_t size);

/* The next section of kind (e.g. "site") at or after *cursor (a point in
 * doc, start with doc itself): its id into id (size bytes), *cursor moved
 * past its header.  false when there is none. */
bool catalog_text_next(const char **cursor, const char *kind, char *id, size_t size);

/* A copy of doc with key = value in section: the key's line replaced, or
 * added at the end of the section, or a new section appended.  value NULL
 * removes the key's line.  The caller frees the result; NULL when out of
 * memory. */
char *catalog_text_set(const char *doc, const char *section, const char *key, const char *value);

/* Whether value can be written as an INI value and read back as it is:
 * UTF-8, no control characters (line breaks), no ';' after a blank (the
 * INI format cuts a comment there), no blank at either end, at most
 * max_bytes bytes.  false with what was expected in why (size bytes). */
bool catalog_text_value_ok(const char *value, size_t max_bytes, char *why, size_t size);

#endif
