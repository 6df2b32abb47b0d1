/*
 * i18n: the kiosk's texts in several languages, from gettext .po catalogs
 * under assets/po/LANG.po.
 *
 * English is the source language: msgids are the English texts, so a
 * missing catalog, a missing entry or an empty msgstr falls back to the
 * English text, never to an empty label.  Only what the kiosk needs of the
 * .po format is read: msgctxt-free msgid/msgstr pairs, multi-line strings,
 * the C escapes \" \\ \n \t, comments, and the header entry (skipped).
 * Fuzzy entries ("#, fuzzy") are ignored, as gettext does.
 */
#ifndef WOW_I18N_H
#define WOW_I18N_H

#include <stdbool.h>

struct i18n_catalog; /* opaque: one language */

/* Parses .po text; name is used in errors ("FILE:LINE: what was expected").
 * Returns NULL with the error in err on a syntax error or allocation
 * failure.  The caller frees the result with i18n_catalog_destroy(). */
struct i18n_catalog *i18n_catalog_parse(const char *name, const char *text, char *err,
                                        unsigned err_size);

/* Reads and parses the file at path.  Same contract. */
struct i18n_catalog *i18n_catalog_load(const char *path, char *err, unsigned err_size);

void i18n_catalog_destroy(struct i18n_catalog *catalog);

/* The translation of msgid, or msgid itself when there is none.  The
 * result is owned by the catalog (or is msgid) and never empty unless
 * msgid is.  catalog may be NULL (English). */
const char *i18n_catalog_get(const struct i18n_catalog *catalog, const char *msgid);

/* Number of entries with a non-empty translation (for tests and the log). */
int i18n_catalog_count(const struct i18n_catalog *catalog);

/* The language's own name ("English", "Suomi", "Deutsch", "Svenska", ...),
 * for the language switch; the code itself if unknown.  Static storage. */
const char *i18n_native_name(const char *lang_code);

#endif
