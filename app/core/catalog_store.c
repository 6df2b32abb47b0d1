/*
 * catalog_store: the catalog's sections and their values, found through a
 * hash index (so big or hostile inputs stay linear), and its error list:
 * what the catalog's other files build on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_private.h"
#include "utf8.h"

/* ---- errors ------------------------------------------------------------ */

void cat_error(struct cat_errors *e, struct cat_place at, const char *key, const char *fmt, ...)
{
    e->total++;
    if (e->count == e->cap) {
        int cap = e->cap ? e->cap * 2 : 16;
        struct cat_error *grown = NULL;
        if (cap <= CONFIG_MAX_KEPT_ERRORS)
            grown = realloc(e->list, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return;
        e->list = grown;
        e->cap = cap;
    }
    struct cat_error *x = &e->list[e->count];
    memset(x, 0, sizeof *x);
    x->seq = e->count++;
    x->at = at;
    x->error.line = at.line;
    snprintf(x->error.key, sizeof x->error.key, "%.63s", key);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->error.message, sizeof x->error.message, fmt, ap);
    va_end(ap);
}

static int cat_error_compare(const void *a, const void *b)
{
    const struct cat_error *x = a, *y = b;
    if (x->at.doc != y->at.doc)
        return x->at.doc < y->at.doc ? -1 : 1;
    if (x->at.line != y->at.line)
        return x->at.line < y->at.line ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

void cat_errors_finish(struct cat_errors *e, char *const *names, int name_count,
                       struct config_errors *out)
{
    if (e->count > 1)
        qsort(e->list, (size_t)e->count, sizeof *e->list, cat_error_compare);
    out->total = e->total;
    out->count = e->count < CONFIG_MAX_ERRORS ? e->count : CONFIG_MAX_ERRORS;
    for (int i = 0; i < out->count; i++) {
        out->error[i] = e->list[i].error;
        int doc = e->list[i].at.doc;
        const char *name = doc >= 0 && doc < name_count ? names[doc] : "catalog";
        snprintf(out->error[i].file, sizeof out->error[i].file, "%.*s",
                 (int)sizeof out->error[i].file - 1, name);
    }
    free(e->list);
    *e = (struct cat_errors){0};
}

/* ---- sections and their index ---------------------------------------- */

static size_t cat_hash(enum cfg_section kind, const char *id)
{
    size_t h = 2166136261u ^ (size_t)kind;
    for (const unsigned char *s = (const unsigned char *)id; *s; s++)
        h = (h ^ *s) * 16777619u;
    return h;
}

static bool cat_index_put(struct catalog *cat, int index)
{
    if ((size_t)cat->count * 2 >= cat->index.cap) {
        size_t cap = cat->index.cap ? cat->index.cap * 2 : 64;
        int *slot = calloc(cap, sizeof *slot);
        if (slot == NULL)
            return false;
        free(cat->index.slot);
        cat->index = (struct cat_index){slot, cap};
        for (int i = 0; i < cat->count; i++)
            if (i != index)
                cat_index_put(cat, i);
    }
    const struct cat_section *s = cat->sections[index];
    size_t h = cat_hash(s->kind, s->id) & (cat->index.cap - 1);
    while (cat->index.slot[h] != 0)
        h = (h + 1) & (cat->index.cap - 1);
    cat->index.slot[h] = index + 1;
    return true;
}

struct cat_section *cat_find(const struct catalog *cat, enum cfg_section kind, const char *id)
{
    if (cat->index.cap == 0)
        return NULL;
    size_t h = cat_hash(kind, id) & (cat->index.cap - 1);
    for (; cat->index.slot[h] != 0; h = (h + 1) & (cat->index.cap - 1)) {
        struct cat_section *s = cat->sections[cat->index.slot[h] - 1];
        if (s->kind == kind && strcmp(s->id, id) == 0)
            return s;
    }
    return NULL;
}

/* A new empty section (the caller knows it is not there yet); NULL when out of memory. */
struct cat_section *cat_add(struct catalog *cat, enum cfg_section kind, const char *id,
                            struct cat_place at)
{
    if (cat->count == cat->cap) {
        int cap = cat->cap ? cat->cap * 2 : 32;
        struct cat_section **grown = realloc(cat->sections, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        cat->sections = grown;
        cat->cap = cap;
    }
    struct cat_section *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->kind = kind;
    snprintf(s->id, sizeof s->id, "%s", id);
    s->at = at;
    cat->sections[cat->count++] = s;
    if (!cat_index_put(cat, cat->count - 1)) {
        free(s);
        cat->count--;
        return NULL;
    }
    return s;
}

const struct cat_value *cat_value(const struct cat_section *s, const char *key)
{
    for (int i = 0; s != NULL && i < s->count; i++)
        if (strcmp(s->values[i].key, key) == 0)
            return &s->values[i];
    return NULL;
}

/* Sets key = value in s (replacing one there); false when out of memory or room. */
bool cat_put(struct cat_section *s, const char *key, const char *value, struct cat_place at)
{
    struct cat_value *v = (struct cat_value *)cat_value(s, key);
    char *copy = strdup(value);
    if (copy == NULL || (v == NULL && s->count == CAT_MAX_VALUES)) {
        free(copy);
        return false;
    }
    if (v == NULL && s->count == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        struct cat_value *grown = realloc(s->values, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            free(copy);
            return false;
        }
        s->values = grown;
        s->cap = cap;
    }
    if (v == NULL) {
        v = &s->values[s->count++];
        snprintf(v->key, sizeof v->key, "%s", key);
    } else {
        free(v->value);
    }
    v->value = copy;
    v->at = at;
    return true;
}

void cat_remove(struct cat_section *s, const char *key)
{
    struct cat_value *v = (struct cat_value *)cat_value(s, key);
    if (v == NULL)
        return;
    free(v->value);
    memmove(v, v + 1, (size_t)(s->values + s->count - (v + 1)) * sizeof *v);
    s->count--;
}

void cat_sections_free(struct catalog *cat)
{
    for (int i = 0; i < cat->count; i++) {
        cat_section_clear(cat->sections[i]);
        free(cat->sections[i]);
    }
    free(cat->sections);
    free(cat->index.slot);
}

void catalog_free(struct catalog *catalog)
{
    if (catalog == NULL)
        return;
    cat_sections_free(catalog);
    for (int i = 0; i < catalog->name_count; i++)
        free(catalog->names[i]);
    free(catalog->names);
    free(catalog->departments);
    free(catalog->groups);
    free(catalog->reasons);
    free(catalog->kiosks);
    free(catalog);
}

bool cat_text_round_trips(const char *value, char *msg, size_t size)
{
    size_t len = strlen(value);
    const char *semi = strchr(value, ';');
    while (semi != NULL && semi != value && semi[-1] != ' ' && semi[-1] != '\t')
        semi = strchr(semi + 1, ';');
    if (strpbrk(value, "\r\n") != NULL)
        snprintf(msg, size, "a line break cannot be written in a value");
    else if (len > 0 && (strchr(" \t", value[0]) != NULL || strchr(" \t", value[len - 1]) != NULL))
        snprintf(msg, size, "blanks at the start or end of a value are dropped when read");
    else if (semi != NULL && semi != value)
        snprintf(msg, size, "';' after a blank starts a comment: write it without the blank");
    else if (!utf8_valid_string(value))
        snprintf(msg, size, "expected UTF-8 text");
    else if (utf8_find_bidi_control(value))
        snprintf(msg, size,
                 "a bidirectional control character reorders text on screen: leave it out");
    else
        return true;
    return false;
}

void cat_section_clear(struct cat_section *s)
{
    for (int i = 0; i < s->count; i++)
        free(s->values[i].value);
    free(s->values);
    s->values = NULL;
    s->count = s->cap = 0;
}

int cat_kind_limit(enum cfg_section kind)
{
    return kind == SEC_KIOSK_ID     ? CATALOG_MAX_KIOSKS
           : kind == SEC_GROUP      ? CATALOG_MAX_GROUPS
           : kind == SEC_SITE       ? CATALOG_MAX_SITES
           : kind == SEC_DEPARTMENT ? CATALOG_MAX_DEPARTMENTS
                                    : CATALOG_MAX_REASONS;
}

int cat_kind_count(const struct catalog *cat, enum cfg_section kind)
{
    int n = 0;
    for (int i = 0; i < cat->count; i++)
        n += cat->sections[i]->kind == kind;
    return n;
}

const char *cat_name(const struct catalog *cat, struct cat_place at)
{
    return at.doc >= 0 && at.doc < cat->name_count ? cat->names[at.doc] : "catalog";
}
