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

/* A catalog with copies of the documents' names; NULL with an error in *e. */
static struct catalog *cat_begin(const char *const *names, int count, struct cat_errors *e)
{
    struct catalog *cat = count >= 1 ? calloc(1, sizeof *cat) : NULL;
    if (cat != NULL)
        cat->names = calloc((size_t)count, sizeof *cat->names);
    for (int i = 0; cat != NULL && cat->names != NULL && i < count; i++) {
        cat->names[i] = strdup(names[i] != NULL ? names[i] : "catalog");
        if (cat->names[i] == NULL)
            break;
        cat->name_count++;
    }
    if (cat == NULL || cat->name_count < count) {
        cat_error(e, (struct cat_place){0, 0}, "", count < 1 ? "no document" : "out of memory");
        catalog_free(cat);
        return NULL;
    }
    return cat;
}

/* Checks what was merged; the catalog, or NULL with *errors filled. */
static struct catalog *cat_end(struct catalog *cat, struct cat_errors *e,
                               struct config_errors *errors)
{
    if (cat != NULL) {
        cat_check_all(cat, e);
        if (e->total == 0 && !cat_build_views(cat))
            cat_error(e, (struct cat_place){0, 0}, "", "out of memory");
    }
    if (cat != NULL && e->total == 0)
        return cat;
    char *const fallback[] = {(char *)"catalog"};
    cat_errors_finish(e, cat ? cat->names : fallback, cat ? cat->name_count : 1, errors);
    catalog_free(cat);
    return NULL;
}

struct catalog *catalog_parse(const char *const *names, const char *const *texts, int count,
                              struct config_errors *errors)
{
    struct cat_errors e = {0};
    struct catalog *cat = cat_begin(names, count, &e);
    struct cfg_parser *checker = cat != NULL ? cfg_checker_create() : NULL;
    if (cat != NULL && checker == NULL)
        cat_error(&e, (struct cat_place){0, 0}, "", "out of memory");
    struct cat_parse m = {cat, &e};
    for (int i = 0; checker != NULL && i < count; i++)
        cat_parse_one(&m, checker, i, texts[i]);
    cfg_checker_destroy(checker);
    return cat_end(cat, &e, errors);
}

/* Reads the layers over each other into acc. */
static void cat_read_layers(struct catalog *acc, const char *const *texts, int count,
                            struct cfg_parser *checker, struct cat_errors *e)
{
    for (int i = 0; i < count; i++) {
        struct catalog *doc = calloc(1, sizeof *doc);
        if (doc == NULL) {
            cat_error(e, (struct cat_place){i, 0}, "", "out of memory");
            return;
        }
        cat_read(doc, i, texts[i] != NULL ? texts[i] : "", checker, e);
        cat_overlay(acc, doc, e);
        cat_sections_free(doc);
        free(doc);
    }
    struct cat_section *kiosk = cat_find(acc, SEC_KIOSK, "");
    if (kiosk == NULL)
        kiosk = cat_add(acc, SEC_KIOSK, "", (struct cat_place){0, 0});
    if (kiosk != NULL && cat_value(kiosk, "id") == NULL) /* none given: the default's id */
        cat_put(kiosk, "id", checker->config->kiosk_id, (struct cat_place){0, 0});
}

struct catalog *catalog_parse_layers(const char *const *names, const char *const *texts, int count,
                                     struct config_errors *errors)
{
    struct cat_errors e = {0};
    struct catalog *cat = cat_begin(names, count, &e);
    struct catalog *acc = cat != NULL ? calloc(1, sizeof *acc) : NULL;
    struct cfg_parser *checker = acc != NULL ? cfg_checker_create() : NULL;
    if (cat != NULL && checker == NULL)
        cat_error(&e, (struct cat_place){0, 0}, "", "out of memory");
    if (checker != NULL) {
        cat_read_layers(acc, texts, count, checker, &e);
        cat_merge(cat, acc, &e);
    }
    cfg_checker_destroy(checker);
    if (acc != NULL)
        cat_sections_free(acc);
    free(acc);
    return cat_end(cat, &e, errors);
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

/* ---- an admin's edit --------------------------------------------------- */

/* The kind and id of a header's text ("department front"); false when none. */
static bool cat_header_of(const char *section, enum cfg_section *kind, char *id)
{
    size_t word = strcspn(section, " ");
    const char *rest = section + word + (section[word] == ' ');
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_LAST; s++) {
        const char *name = cfg_section_name(s);
        if (strlen(name) != word || strncmp(section, name, word) != 0 ||
            cfg_section_takes_id(s) != (rest[0] != '\0') || s == SEC_CATALOG)
            continue;
        if (rest[0] != '\0' && !cfg_is_id(rest))
            return false;
        *kind = s;
        snprintf(id, CONFIG_ID_MAX, "%s", rest);
        return true;
    }
    return false;
}

/* A copy of catalog through its own export; NULL with err. */
static struct catalog *cat_reparse(const struct catalog *catalog, char *err, size_t size)
{
    const char *name = "catalog";
    char *text = catalog_export(catalog);
    struct config_errors *errors = malloc(sizeof *errors);
    struct catalog *copy = NULL;
    if (text != NULL && errors != NULL)
        copy = catalog_parse(&name, (const char *const *)&text, 1, errors);
    if (copy == NULL && text != NULL && errors != NULL && errors->count > 0)
        snprintf(err, size, "%s: %s", errors->error[0].key, errors->error[0].message);
    else if (copy == NULL)
        snprintf(err, size, "out of memory");
    free(errors);
    free(text);
    return copy;
}

/* Applies the edit to cat (a copy): false with err. */
static bool cat_edit(struct catalog *cat, enum cfg_section kind, const char *id, const char *key,
                     const char *value, char *err, size_t size)
{
    struct cat_section *s = cat_find(cat, kind, id);
    if (key == NULL) {
        if (s != NULL) {
            cat_section_clear(s);
            s->kind = SEC_IGNORED; /* export skips it; the copy is only exported */
        }
        return true;
    }
    if (s == NULL && (s = cat_add(cat, kind, id, (struct cat_place){0, 0})) == NULL) {
        snprintf(err, size, "out of memory");
        return false;
    }
    if (value == NULL) {
        cat_remove(s, key);
    } else if (!cat_put(s, key, value, (struct cat_place){0, 0})) {
        snprintf(err, size, "too many keys in this section: at most %d", CAT_MAX_VALUES);
        return false;
    }
    return true;
}

bool catalog_set(struct catalog *catalog, const char *section, const char *key, const char *value,
                 char *err, size_t err_size)
{
    enum cfg_section kind;
    char id[CONFIG_ID_MAX], msg[192], full[96];
    snprintf(full, sizeof full, "%.40s.%.40s", section, key != NULL ? key : "");
    if (!cat_header_of(section, &kind, id)) {
        snprintf(err, err_size,
                 "%.40s: expected kiosk, kiosk ID, site ID, group ID, department "
                 "ID, reason ID, followup, screen, hours or press_filter",
                 section);
        return false;
    }
    struct cfg_parser *checker = cfg_checker_create();
    bool ok = checker != NULL;
    if (!ok)
        snprintf(msg, sizeof msg, "out of memory");
    else if (key != NULL && value != NULL)
        ok = cat_text_round_trips(value, msg, sizeof msg) &&
             cfg_check_value(checker, kind, section, key, value, msg, sizeof msg);
    char base[40], lang[8];
    cfg_split_key(key != NULL ? key : "", base, sizeof base, lang, sizeof lang);
    const struct cfg_key *row = cfg_key_find(kind, base);
    if (ok && key != NULL && row != NULL && row->scope == CFG_LOCAL) {
        snprintf(msg, sizeof msg,
                 "a local key: set in the kiosk's own files, never in the catalog");
        ok = false;
    }
    cfg_checker_destroy(checker);
    if (!ok) {
        snprintf(err, err_size, "%s: %s", full, msg);
        return false;
    }
    struct catalog *copy = cat_reparse(catalog, err, err_size), *edited = NULL;
    if (copy != NULL && cat_edit(copy, kind, id, key, value, err, err_size))
        edited = cat_reparse(copy, err, err_size);
    catalog_free(copy);
    const struct cat_value *now =
        edited != NULL && key != NULL ? cat_value(cat_find(edited, kind, id), key) : NULL;
    if (edited != NULL && value != NULL && (now == NULL || strcmp(now->value, value) != 0)) {
        snprintf(err, err_size, "%s: would not read back as written", full);
        catalog_free(edited);
        return false;
    }
    if (edited == NULL)
        return false;
    struct catalog old = *catalog;
    *catalog = *edited;
    *edited = old;
    catalog_free(edited);
    return true;
}
