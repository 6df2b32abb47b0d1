/*
 * serve_langs: the pages' languages wowdash serve reads at start: English,
 * then one per assets/dash/po/LANG.po (the directory beside dash.css), in
 * the order of their codes.
 */
#ifndef WOW_SERVE_LANGS_H
#define WOW_SERVE_LANGS_H

#include "page_lang.h"

struct i18n_catalog;

/* The languages and the catalogs they borrow. */
struct serve_langs {
    struct page_langs langs;
    struct i18n_catalog *catalogs[PAGE_LANGS_MAX]; /* owned; [0] (English) NULL */
};

/* Fills out from the LANG.po files in dir/po.  A catalog that cannot be read or parsed is
 * left out with an error logged naming its file and line; no po directory
 * means English only (logged).  Never fails: English is always there.
 * The caller frees with serve_langs_free(). */
void serve_langs_load(const char *dir, struct serve_langs *out);

void serve_langs_free(struct serve_langs *langs);

#endif
