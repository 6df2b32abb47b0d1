/*
 * page_lang: the languages the dashboard's pages are written in, and how
 * each writes numbers and dates.
 *
 * English is the source: every page text is an English msgid, and a
 * language is a gettext catalog (assets/dash/po/LANG.po, read by the
 * server at start) plus its conventions: "17,256.5" in English,
 * "17 256,5" in Finnish (a no-break space), "17.256,5" in German; dates
 * "28 Nov 2026" or "28.11.2026".  Pages reach their language through
 * struct page_ctx (pages.h) and the page_tr() family (pages_private.h).
 */
#ifndef WOW_PAGE_LANG_H
#define WOW_PAGE_LANG_H

#include <stdbool.h>
#include <stddef.h>

struct i18n_catalog;

/* English and at most this many translations. */
#define PAGE_LANGS_MAX 8

struct page_lang {
    char code[16];                      /* "en", "fi", "de" */
    const char *name;                   /* in itself, "Suomi" (static) */
    const struct i18n_catalog *catalog; /* borrowed; NULL: the English msgids */
    const char *decimal;                /* "." or "," (static) */
    const char *group;                  /* between thousands: ",", ".", U+00A0 (static) */
    bool numeric_dates;                 /* "28.11.2026", not "28 Nov 2026" */
};

/* English first, then the loaded catalogs' languages. */
struct page_langs {
    struct page_lang lang[PAGE_LANGS_MAX];
    size_t n;
};

/* English, with no catalog: what a page with no language set is written in. */
extern const struct page_lang page_lang_english;

/* Sets lang up for code (1 to 15 letters and '-') and catalog (borrowed,
 * NULL for English); the number and date conventions follow the code, an
 * unknown one gets English's. */
void page_lang_init(struct page_lang *lang, const char *code, const struct i18n_catalog *catalog);

/* The language of langs a viewer reads: choice (?lang= or its cookie;
 * NULL or "" for none) when langs has it, else the first of accept (an
 * Accept-Language header, NULL for none) langs has, else English (langs
 * holds it first).  Borrowed from langs. */
const struct page_lang *page_langs_pick(const struct page_langs *langs, const char *choice,
                                        const char *accept);

/* The translation of msgid in lang (NULL: English), or msgid itself. */
const char *page_lang_get(const struct page_lang *lang, const char *msgid)
    __attribute__((format_arg(2)));

#endif
