/*
 * page_lang: the page languages' conventions and the viewer's pick among
 * them (page_lang.h).
 */
#include "page_lang.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "names.h"

/* How a language writes numbers and dates (CLDR's conventions). */
struct lang_style {
    const char *code, *decimal, *group;
    bool numeric_dates;
};

static const struct lang_style styles[] = {
    {"en", ".", ",", false},
    {"fi", ",", "\u00a0", true},
    {"de", ",", ".", true},
    {"sv", ",", "\u00a0", false},
};

const struct page_lang page_lang_english = {
    .code = "en", .name = "English", .decimal = ".", .group = ",", .numeric_dates = false};

void page_lang_init(struct page_lang *lang, const char *code, const struct i18n_catalog *catalog)
{
    const struct lang_style *style = &styles[0];
    for (size_t i = 0; i < sizeof styles / sizeof styles[0]; i++)
        if (!strcmp(styles[i].code, code))
            style = &styles[i];
    *lang = (struct page_lang){.catalog = catalog,
                               .decimal = style->decimal,
                               .group = style->group,
                               .numeric_dates = style->numeric_dates};
    snprintf(lang->code, sizeof lang->code, "%s", code);
    lang->name = i18n_native_name(code);
}

const struct page_lang *page_langs_pick(const struct page_langs *langs, const char *choice,
                                        const char *accept)
{
    if (langs == NULL || langs->n == 0)
        return &page_lang_english;
    const char *codes[PAGE_LANGS_MAX];
    for (size_t i = 1; i < langs->n; i++)
        codes[i - 1] = langs->lang[i].code;
    char picked[NAMES_LANG_MAX];
    names_pick_language(choice, accept, codes, langs->n - 1, langs->lang[0].code, picked,
                        sizeof picked);
    for (size_t i = 1; i < langs->n; i++)
        if (!strcmp(picked, langs->lang[i].code))
            return &langs->lang[i];
    return &langs->lang[0];
}

const char *page_lang_get(const struct page_lang *lang, const char *msgid)
{
    return lang != NULL ? i18n_catalog_get(lang->catalog, msgid) : msgid;
}
