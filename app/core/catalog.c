/*
 * catalog: the fleet's catalog (docs/CATALOG.md): catalog_parse reads each
 * document on its own (catalog_read.c), merges it in (catalog_merge.c),
 * checks the whole and builds the read-only views answered here.  The
 * texts it writes are catalog_out.c's.
 */
#include "catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_private.h"

/* ---- public ------------------------------------------------------------ */

struct cat_parse {
    struct catalog *cat;
    struct cat_errors *errors;
};

/* Reads document i on its own, then merges it as a kiosk file or a fleet document. */
static void cat_parse_one(struct cat_parse *m, struct cfg_parser *checker, int i, const char *text)
{
    struct catalog *doc = calloc(1, sizeof *doc);
    if (doc == NULL) {
        cat_error(m->errors, (struct cat_place){i, 0}, "", "out of memory");
        return;
    }
    cat_read(doc, i, text != NULL ? text : "", checker, m->errors);
    cat_merge(m->cat, doc, m->errors);
    cat_sections_free(doc);
    free(doc);
}

struct catalog *catalog_parse(const char *const *names, const char *const *texts, int count,
                              struct config_errors *errors)
{
    struct cat_errors e = {0};
    struct catalog *cat = calloc(1, sizeof *cat);
    struct cfg_parser *checker = cfg_checker_create();
    if (cat != NULL && count > 0)
        cat->names = calloc((size_t)count, sizeof *cat->names);
    if (cat == NULL || checker == NULL || count < 1 || cat->names == NULL) {
        cat_error(&e, (struct cat_place){0, 0}, "", count < 1 ? "no document" : "out of memory");
    } else {
        for (int i = 0; i < count; i++) {
            cat->names[i] = strdup(names[i] != NULL ? names[i] : "catalog");
            cat->name_count += cat->names[i] != NULL;
            if (cat->names[i] == NULL)
                break;
        }
        struct cat_parse m = {cat, &e};
        for (int i = 0; i < cat->name_count; i++)
            cat_parse_one(&m, checker, i, texts[i]);
        cat_check_all(cat, &e);
        if (e.total == 0 && !cat_build_views(cat))
            cat_error(&e, (struct cat_place){0, 0}, "", "out of memory");
    }
    cfg_checker_destroy(checker);
    if (e.total == 0)
        return cat;
    char *const fallback[] = {(char *)"catalog"};
    cat_errors_finish(&e, cat && cat->names ? cat->names : fallback,
                      cat && cat->names ? cat->name_count : 1, errors);
    catalog_free(cat);
    return NULL;
}

int catalog_language_count(const struct catalog *catalog)
{
    return catalog->language_count;
}

const char *catalog_language(const struct catalog *catalog, int index)
{
    return index >= 0 && index < catalog->language_count ? catalog->languages[index] : NULL;
}

int catalog_department_count(const struct catalog *catalog)
{
    return catalog->department_count;
}

const struct catalog_department *catalog_department_at(const struct catalog *catalog, int index)
{
    return index >= 0 && index < catalog->department_count ? &catalog->departments[index] : NULL;
}

int catalog_group_count(const struct catalog *catalog)
{
    return catalog->group_count;
}

const struct catalog_group *catalog_group_at(const struct catalog *catalog, int index)
{
    return index >= 0 && index < catalog->group_count ? &catalog->groups[index] : NULL;
}

int catalog_reason_count(const struct catalog *catalog)
{
    return catalog->reason_count;
}

const struct catalog_reason *catalog_reason_at(const struct catalog *catalog, int index)
{
    return index >= 0 && index < catalog->reason_count ? &catalog->reasons[index] : NULL;
}

int catalog_kiosk_count(const struct catalog *catalog)
{
    return catalog->kiosk_count;
}

const char *catalog_kiosk_id(const struct catalog *catalog, int index)
{
    return index >= 0 && index < catalog->kiosk_count
               ? catalog->sections[catalog->kiosks[index]]->id
               : NULL;
}
