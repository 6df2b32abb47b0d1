/*
 * catalog: reads fleet documents and kiosk files into one catalog
 * (docs/CATALOG.md) and answers the read-only views.
 *
 * Each document is read line by line through inih, as the kiosk reads its
 * file (the same reader rules: blanks before a line dropped, a byte order
 * mark skipped, lines at most inih's buffer), and every value is checked
 * by the config parser's own key table (cfg_check_value), so the words of
 * an error are the kiosk's.  A document is first read on its own; then it
 * is merged: a fleet document's sections as they are, a kiosk file's
 * [kiosk] keys into its own [kiosk ID] section, its [hours] into its
 * site's [site ID] section, its other central keys fleet-wide.  Cross
 * references (a kiosk's site and departments, a department's group, a
 * group's parent, name.LANG's language) are checked once all is merged.
 * Sections are found through a hash index, so big or hostile inputs stay
 * linear; their numbers are capped (catalog.h).
 */
#include "catalog.h"

#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_private.h"
#include "utf8.h"

#define CAT_MAX_SECTIONS                                                                           \
    (CATALOG_MAX_KIOSKS + CATALOG_MAX_GROUPS + CATALOG_MAX_SITES + CATALOG_MAX_DEPARTMENTS +       \
     CATALOG_MAX_REASONS + 16)

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
static struct cat_section *cat_add(struct catalog *cat, enum cfg_section kind, const char *id,
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
static bool cat_put(struct cat_section *s, const char *key, const char *value, struct cat_place at)
{
    struct cat_value *v = (struct cat_value *)cat_value(s, key);
    char *copy = strdup(value);
    if (copy == NULL || (v == NULL && s->count == CAT_MAX_VALUES)) {
        free(copy);
        return false;
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

static void cat_sections_free(struct catalog *cat)
{
    for (int i = 0; i < cat->count; i++) {
        for (int j = 0; j < cat->sections[i]->count; j++)
            free(cat->sections[i]->values[j].value);
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
    else
        return true;
    return false;
}

/* ---- reading one document -------------------------------------------- */

struct cat_reader {
    struct catalog *doc; /* this document's sections */
    struct cat_errors *errors;
    struct cfg_parser *checker;
    int doc_index;
    const char *text;
    size_t pos;
    int line;
    struct cat_section *open; /* NULL: no section or an ignored one */
    bool any_header;
    char section_name[64];
};

static struct cat_place cat_here(const struct cat_reader *r)
{
    return (struct cat_place){r->doc_index, r->line};
}

static int cat_kind_limit(enum cfg_section kind)
{
    return kind == SEC_KIOSK_ID     ? CATALOG_MAX_KIOSKS
           : kind == SEC_GROUP      ? CATALOG_MAX_GROUPS
           : kind == SEC_SITE       ? CATALOG_MAX_SITES
           : kind == SEC_DEPARTMENT ? CATALOG_MAX_DEPARTMENTS
                                    : CATALOG_MAX_REASONS;
}

static int cat_kind_count(const struct catalog *cat, enum cfg_section kind)
{
    int n = 0;
    for (int i = 0; i < cat->count; i++)
        n += cat->sections[i]->kind == kind;
    return n;
}

/* Opens [kind id] in the document being read. */
static void cat_open_with_id(struct cat_reader *r, enum cfg_section kind, const char *id)
{
    const char *word = cfg_section_name(kind);
    if (!cfg_is_id(id)) {
        if (id[0] == '\0')
            cat_error(r->errors, cat_here(r), r->section_name, "expected [%s ID], got no id", word);
        else
            cat_error(r->errors, cat_here(r), r->section_name,
                      "expected an id of 1-%d letters, digits, '_' or '-', got '%.40s'",
                      CONFIG_ID_MAX - 1, id);
        return;
    }
    struct cat_section *s = cat_find(r->doc, kind, id);
    if (s != NULL) {
        cat_error(r->errors, cat_here(r), r->section_name, "duplicate section id: first at line %d",
                  s->at.line);
        return;
    }
    if (r->doc->count >= CAT_MAX_SECTIONS) {
        cat_error(r->errors, cat_here(r), r->section_name, "too many sections: at most %d",
                  CAT_MAX_SECTIONS);
        return;
    }
    r->open = cat_add(r->doc, kind, id, cat_here(r));
    if (r->open == NULL)
        cat_error(r->errors, cat_here(r), r->section_name, "out of memory");
}

static void cat_section_start(struct cat_reader *r, const char *name, size_t len)
{
    while (len > 0 && (name[0] == ' ' || name[0] == '\t'))
        name++, len--;
    while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    snprintf(r->section_name, sizeof r->section_name, "%.*s", (int)len, name);
    r->open = NULL;
    r->any_header = true;
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_LAST; s++) {
        if (!cfg_section_takes_id(s) && strcmp(r->section_name, cfg_section_name(s)) == 0) {
            r->open = cat_find(r->doc, s, ""); /* a plain section given twice is one */
            if (r->open == NULL && (r->open = cat_add(r->doc, s, "", cat_here(r))) == NULL)
                cat_error(r->errors, cat_here(r), r->section_name, "out of memory");
            return;
        }
    }
    size_t word = strcspn(r->section_name, " \t");
    const char *id = r->section_name + word + strspn(r->section_name + word, " \t");
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_LAST; s++) {
        const char *kind = cfg_section_name(s);
        if (cfg_section_takes_id(s) && strlen(kind) == word &&
            strncmp(r->section_name, kind, word) == 0 && (s != SEC_KIOSK_ID || id[0] != '\0')) {
            cat_open_with_id(r, s, id);
            return;
        }
    }
    cat_error(r->errors, cat_here(r), r->section_name,
              "unknown section; expected kiosk, kiosk ID, site ID, group ID, department ID, "
              "reason ID, followup, screen, hours, press_filter or catalog");
}

/* inih's reader: the config's rules (config.c), headers noted here. */
static char *cat_read_line(char *str, int num, void *stream)
{
    struct cat_reader *r = stream;
    const char *s = r->text + r->pos;
    if (*s == '\0' || num < 2)
        return NULL;
    r->line++;
    size_t skip = 0;
    if (r->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        skip = 3;
    skip += strspn(s + skip, " \t");
    s += skip;
    size_t len = strcspn(s, "\n");
    size_t next = len + (s[len] == '\n');
    r->pos += skip + next;
    if (len + 2 > (size_t)num) {
        cat_error(r->errors, cat_here(r), r->section_name, "line too long: %zu bytes, at most %d",
                  len, num - 2);
        memcpy(str, "\n", 2);
        return str;
    }
    memcpy(str, s, next);
    str[next] = '\0';
    if (str[0] == '[') {
        const char *close = strchr(str, ']');
        if (close != NULL)
            cat_section_start(r, str + 1, (size_t)(close - str - 1));
    }
    return str;
}

static int cat_handle_key(void *user, const char *section, const char *name, const char *value)
{
    (void)section;
    struct cat_reader *r = user;
    char key[96], msg[192];
    snprintf(key, sizeof key, "%s.%s", r->section_name, name);
    if (!r->any_header) {
        cat_error(r->errors, cat_here(r), name,
                  "key outside a section: expected a [section] line first");
        return 1;
    }
    struct cat_section *s = r->open;
    if (s == NULL)
        return 1;
    if (cat_value(s, name) != NULL) {
        cat_error(r->errors, cat_here(r), key, "duplicate key: given twice in this section");
        return 1;
    }
    if (!cfg_check_value(r->checker, s->kind, r->section_name, name, value, msg, sizeof msg)) {
        cat_error(r->errors, cat_here(r), key, "%s", msg);
        return 1;
    }
    if (!utf8_valid_string(value)) {
        cat_error(r->errors, cat_here(r), key, "expected UTF-8 text");
        return 1;
    }
    if (strlen(name) >= sizeof s->values[0].key || !cat_put(s, name, value, cat_here(r)))
        cat_error(r->errors, cat_here(r), key, "too many keys in this section: at most %d",
                  CAT_MAX_VALUES);
    return 1;
}

/* Reads text into doc (sections of this document only). */
static void cat_read(struct catalog *doc, int doc_index, const char *text,
                     struct cfg_parser *checker, struct cat_errors *errors)
{
    struct cat_reader r = {
        .doc = doc, .errors = errors, .checker = checker, .doc_index = doc_index, .text = text};
    int rc = ini_parse_stream(cat_read_line, &r, cat_handle_key, &r);
    if (rc > 0)
        cat_error(errors, (struct cat_place){doc_index, rc}, "",
                  "expected [section] or key = value");
    else if (rc < 0)
        cat_error(errors, (struct cat_place){doc_index, 0}, "", "out of memory");
}

/* ---- merging a document into the catalog ------------------------------ */

struct cat_merge {
    struct catalog *cat;
    struct cat_errors *errors;
};

static const char *cat_name(const struct catalog *cat, struct cat_place at)
{
    return at.doc >= 0 && at.doc < cat->name_count ? cat->names[at.doc] : "catalog";
}

/* The catalog's section of kind and id, made (at at) when missing; NULL when out of memory. */
static struct cat_section *cat_get(struct cat_merge *m, enum cfg_section kind, const char *id,
                                   struct cat_place at)
{
    struct cat_section *s = cat_find(m->cat, kind, id);
    if (s == NULL && (s = cat_add(m->cat, kind, id, at)) == NULL)
        cat_error(m->errors, at, cfg_section_name(kind), "out of memory");
    return s;
}

/* A fleet-wide key: the first value given wins, a different one is an error naming both. */
static void cat_merge_key(struct cat_merge *m, struct cat_section *dst, const char *section,
                          const struct cat_value *v)
{
    const struct cat_value *had = cat_value(dst, v->key);
    char key[96];
    snprintf(key, sizeof key, "%s.%s", section, v->key);
    if (had == NULL) {
        if (!cat_put(dst, v->key, v->value, v->at))
            cat_error(m->errors, v->at, key, "out of memory");
    } else if (strcmp(had->value, v->value) != 0) {
        cat_error(m->errors, v->at, key,
                  "'%.40s' here, '%.40s' at %.80s:%d: one value for the whole fleet", v->value,
                  had->value, cat_name(m->cat, had->at), had->at.line);
    }
}

/* The first key whose value differs between a and b (or that one lacks), or NULL. */
static const char *cat_first_difference(const struct cat_section *a, const struct cat_section *b)
{
    for (int i = 0; i < a->count; i++) {
        const struct cat_value *w = cat_value(b, a->values[i].key);
        if (w == NULL || strcmp(w->value, a->values[i].value) != 0)
            return a->values[i].key;
    }
    for (int i = 0; i < b->count; i++)
        if (cat_value(a, b->values[i].key) == NULL)
            return b->values[i].key;
    return NULL;
}

/* An item section (department, reason, group, kiosk, site) from another
 * document: new, or the same as before, or an error naming both. */
static void cat_merge_item(struct cat_merge *m, const struct cat_section *src, const char *header)
{
    struct cat_section *had = cat_find(m->cat, src->kind, src->id);
    if (had == NULL) {
        struct cat_section *dst = cat_get(m, src->kind, src->id, src->at);
        for (int i = 0; dst != NULL && i < src->count; i++)
            cat_merge_key(m, dst, header, &src->values[i]);
        return;
    }
    const char *differs = cat_first_difference(had, src);
    if (src->kind == SEC_KIOSK_ID)
        cat_error(m->errors, src->at, header, "kiosk '%s' is also defined at %.80s:%d", src->id,
                  cat_name(m->cat, had->at), had->at.line);
    else if (differs != NULL)
        cat_error(m->errors, src->at, header, "defined differently (%s) at %.80s:%d", differs,
                  cat_name(m->cat, had->at), had->at.line);
}

static bool cat_is_local(enum cfg_section kind, const char *key)
{
    char base[40], lang[8];
    cfg_split_key(key, base, sizeof base, lang, sizeof lang);
    const struct cfg_key *k = cfg_key_find(kind, base);
    return k != NULL && k->scope == CFG_LOCAL;
}

/* A fleet document: local keys are errors, [catalog] is ignored. */
static void cat_merge_fleet(struct cat_merge *m, const struct catalog *doc)
{
    for (int i = 0; i < doc->count; i++) {
        const struct cat_section *s = doc->sections[i];
        const char *name = cfg_section_name(s->kind);
        char header[64];
        snprintf(header, sizeof header, "%s%s%s", name, s->id[0] ? " " : "", s->id);
        for (int j = 0; j < s->count; j++) {
            char key[96];
            snprintf(key, sizeof key, "%s.%s", header, s->values[j].key);
            if (cat_is_local(s->kind, s->values[j].key))
                cat_error(m->errors, s->values[j].at, key,
                          "a local key: set in the kiosk's own files, never in the catalog");
        }
        if (s->kind == SEC_CATALOG || s->kind == SEC_STORE || s->kind == SEC_SYNC ||
            s->kind == SEC_TECHNICIAN)
            continue;
        if (s->id[0] != '\0') {
            cat_merge_item(m, s, header);
            continue;
        }
        struct cat_section *dst = cat_get(m, s->kind, "", s->at);
        for (int j = 0; dst != NULL && j < s->count; j++)
            if (!cat_is_local(s->kind, s->values[j].key))
                cat_merge_key(m, dst, header, &s->values[j]);
    }
}

static void cat_section_clear(struct cat_section *s)
{
    for (int i = 0; i < s->count; i++)
        free(s->values[i].value);
    s->count = 0;
}

/* A site id from a site's name: "Main street" is main-street; "" when none is left. */
static void cat_site_id(const char *name, char *id, size_t size)
{
    size_t n = 0;
    for (const char *s = name; *s != '\0' && n + 1 < size; s++) {
        char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
        bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (keep)
            id[n++] = c;
        else if (n > 0 && id[n - 1] != '-')
            id[n++] = '-';
    }
    while (n > 0 && id[n - 1] == '-')
        n--;
    id[n] = '\0';
}

/* The kiosk file's departments, for its [kiosk ID]: picker: the list it
 * offers; single without department =: the one it defines. */
static void cat_kiosk_departments(const struct catalog *doc, struct cat_section *k,
                                  struct cat_place at, struct cat_errors *errors)
{
    char list[CONFIG_MAX_DEPARTMENTS * (CONFIG_ID_MAX + 2)] = "", *one = NULL;
    size_t n = 0;
    int count = 0;
    for (int i = 0; i < doc->count; i++) {
        struct cat_section *s = doc->sections[i];
        if (s->kind != SEC_DEPARTMENT)
            continue;
        if (count++ < CONFIG_MAX_DEPARTMENTS)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", s->id);
        one = s->id;
    }
    const struct cat_value *mode = cat_value(k, "mode");
    if (count == 0 || n >= sizeof list)
        return;
    if (mode != NULL && strcmp(mode->value, "picker") == 0 && n > CAT_MAX_LIST)
        cat_error(errors, mode->at, "kiosk.mode",
                  "picker mode with departments %.60s...: the list is %zu bytes, at most %d fit "
                  "on the catalog's line: shorten the ids",
                  list, n, CAT_MAX_LIST);
    else if (mode != NULL && strcmp(mode->value, "picker") == 0)
        cat_put(k, "departments", list, mode->at);
    else if (cat_value(k, "department") == NULL && count == 1)
        cat_put(k, "department", one, at);
}

/* A kiosk file's [kiosk] and [hours] as its [kiosk ID] and [site ID]. */
static void cat_merge_kiosk_own(struct cat_merge *m, const struct catalog *doc,
                                const struct cat_section *kiosk, const char *id)
{
    static struct cat_section k, site; /* large; the merge is not re-entered */
    const struct cat_section *hours = cat_find(doc, SEC_HOURS, "");
    const struct cat_value *site_name = cat_value(kiosk, "site");
    k = (struct cat_section){.kind = SEC_KIOSK_ID, .at = cat_value(kiosk, "id")->at};
    site = (struct cat_section){.kind = SEC_SITE, .at = site_name ? site_name->at : k.at};
    snprintf(k.id, sizeof k.id, "%s", id);
    for (int i = 0; i < kiosk->count; i++) {
        const struct cat_value *v = &kiosk->values[i];
        if (strcmp(v->key, "id") != 0 && strcmp(v->key, "languages") != 0 &&
            strcmp(v->key, "site") != 0)
            cat_put(&k, v->key, v->value, v->at);
    }
    cat_kiosk_departments(doc, &k, k.at, m->errors);
    if (site_name != NULL || (hours != NULL && hours->count > 0)) {
        if (site_name != NULL)
            cat_site_id(site_name->value, site.id, sizeof site.id);
        if (site.id[0] == '\0')
            snprintf(site.id, sizeof site.id, "%s", id);
        if (site_name != NULL)
            cat_put(&site, "name", site_name->value, site_name->at);
        for (int i = 0; hours != NULL && i < hours->count; i++)
            cat_put(&site, hours->values[i].key, hours->values[i].value, hours->values[i].at);
        cat_put(&k, "site", site.id, site.at);
        char header[64];
        snprintf(header, sizeof header, "site %s", site.id);
        cat_merge_item(m, &site, header);
    }
    char header[64];
    snprintf(header, sizeof header, "kiosk %s", id);
    cat_merge_item(m, &k, header);
    cat_section_clear(&k);
    cat_section_clear(&site);
}

/* A kiosk file: its own keys under [kiosk ID], its central keys fleet-wide,
 * its local keys skipped. */
static void cat_merge_kiosk_file(struct cat_merge *m, const struct catalog *doc,
                                 const struct cat_section *kiosk, const char *id)
{
    cat_merge_kiosk_own(m, doc, kiosk, id);
    const struct cat_value *languages = cat_value(kiosk, "languages");
    if (languages != NULL) {
        struct cat_section *fleet = cat_get(m, SEC_KIOSK, "", kiosk->at);
        if (fleet != NULL)
            cat_merge_key(m, fleet, "kiosk", languages);
    }
    for (int i = 0; i < doc->count; i++) {
        const struct cat_section *s = doc->sections[i];
        char header[64];
        snprintf(header, sizeof header, "%s%s%s", cfg_section_name(s->kind), s->id[0] ? " " : "",
                 s->id);
        if (s->id[0] != '\0') {
            cat_merge_item(m, s, header);
            continue;
        }
        if (s->kind != SEC_FOLLOWUP && s->kind != SEC_SCREEN && s->kind != SEC_PRESS_FILTER)
            continue; /* [kiosk] and [hours] above; [catalog] ignored; the local sections skipped */
        struct cat_section *dst = NULL;
        for (int j = 0; j < s->count; j++)
            if (!cat_is_local(s->kind, s->values[j].key) &&
                (dst != NULL || (dst = cat_get(m, s->kind, "", s->at)) != NULL))
                cat_merge_key(m, dst, header, &s->values[j]);
    }
}

/* ---- checks once everything is merged, and the views ------------------ */

static int cat_language_index(const struct catalog *cat, const char *lang)
{
    for (int i = 0; i < cat->language_count; i++)
        if (strcmp(cat->languages[i], lang) == 0)
            return i;
    return -1;
}

static void cat_settle_languages(struct catalog *cat)
{
    const struct cat_value *v = cat_value(cat_find(cat, SEC_KIOSK, ""), "languages");
    const char *list = v != NULL ? v->value : "en, fi, de";
    cat->language_count = 0;
    for (const char *s = list; *s != '\0' && cat->language_count < CONFIG_MAX_LANGUAGES;) {
        s += strspn(s, " \t");
        size_t n = strcspn(s, ",");
        if (n >= 2)
            snprintf(cat->languages[cat->language_count++], 8, "%.2s", s);
        s += n + (s[n] == ',');
    }
}

/* name.LANG: a language of the catalog, and not the first one next to name. */
static void cat_check_languages(struct catalog *cat, const struct cat_section *s,
                                struct cat_errors *e)
{
    for (int i = 0; i < s->count; i++) {
        const struct cat_value *v = &s->values[i];
        char base[40], lang[8], key[96];
        cfg_split_key(v->key, base, sizeof base, lang, sizeof lang);
        if (lang[0] == '\0')
            continue;
        snprintf(key, sizeof key, "%s%s%s.%s", cfg_section_name(s->kind), s->id[0] ? " " : "",
                 s->id, v->key);
        int index = cat_language_index(cat, lang);
        if (index < 0) {
            char list[64] = "";
            size_t n = 0;
            for (int j = 0; j < cat->language_count && n < sizeof list; j++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", j ? ", " : "",
                                      cat->languages[j]);
            cat_error(e, v->at, key, "language '%.7s' is not in [kiosk] languages (%s)", lang,
                      list);
        } else if (index == 0 && cat_value(s, base) != NULL) {
            cat_error(e, v->at, key,
                      "duplicate key: '%s' is the first language, given by the key without .%s",
                      lang, lang);
        }
    }
}

static void cat_check_ref(struct catalog *cat, const struct cat_section *s, const char *key,
                          enum cfg_section kind, struct cat_errors *e)
{
    const struct cat_value *v = cat_value(s, key);
    if (v == NULL || v->value[0] == '\0')
        return;
    char full[96];
    snprintf(full, sizeof full, "%s %s.%s", cfg_section_name(s->kind), s->id, key);
    if (kind != SEC_DEPARTMENT || strcmp(key, "departments") != 0) {
        if (cat_find(cat, kind, v->value) == NULL)
            cat_error(e, v->at, full, "%s '%.40s' is not defined: expected a [%s ID] section",
                      cfg_section_name(kind), v->value, cfg_section_name(kind));
        return;
    }
    for (const char *p = v->value; *p != '\0';) {
        size_t n = strcspn(p, ","), a = strspn(p, " \t"), b = n;
        while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
            b--;
        char id[CONFIG_ID_MAX];
        snprintf(id, sizeof id, "%.*s", (int)(b - a), p + a);
        if (cat_find(cat, SEC_DEPARTMENT, id) == NULL)
            cat_error(e, v->at, full, "department '%s' is not defined: expected a [department ID]",
                      id);
        p += n + (p[n] == ',');
    }
}

/* A group's parents lead to a root within CATALOG_MAX_GROUPS steps, or round a circle. */
static void cat_check_group(struct catalog *cat, const struct cat_section *g, struct cat_errors *e)
{
    const struct cat_section *at = g;
    for (int steps = 0; at != NULL; steps++) {
        const struct cat_value *parent = cat_value(at, "parent");
        if (parent == NULL || parent->value[0] == '\0')
            return;
        at = cat_find(cat, SEC_GROUP, parent->value);
        if (at == g || steps > CATALOG_MAX_GROUPS) {
            char key[96];
            snprintf(key, sizeof key, "group %s.parent", g->id);
            cat_error(e, cat_value(g, "parent")->at, key,
                      "the group is its own ancestor: parents must lead to a root");
            return;
        }
    }
}

static void cat_check_reason(const struct cat_section *s, struct cat_errors *e)
{
    char key[80];
    snprintf(key, sizeof key, "reason %s", s->id);
    if (cat_value(s, "for") == NULL)
        cat_error(e, s->at, key, "missing key for: expected for = positive or negative");
    if (cat_value(s, "label") == NULL)
        cat_error(e, s->at, key, "missing key label: the text of the answer");
}

static void cat_check_all(struct catalog *cat, struct cat_errors *e)
{
    cat_settle_languages(cat);
    static const enum cfg_section kinds[] = {SEC_KIOSK_ID, SEC_GROUP, SEC_SITE, SEC_DEPARTMENT,
                                             SEC_REASON};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        int n = cat_kind_count(cat, kinds[k]);
        if (n > cat_kind_limit(kinds[k]))
            cat_error(e, (struct cat_place){cat->name_count - 1, 0}, cfg_section_name(kinds[k]),
                      "too many [%s ID] sections: %d, at most %d", cfg_section_name(kinds[k]), n,
                      cat_kind_limit(kinds[k]));
    }
    for (int i = 0; i < cat->count; i++) {
        const struct cat_section *s = cat->sections[i];
        cat_check_languages(cat, s, e);
        if (s->kind == SEC_KIOSK_ID) {
            cat_check_ref(cat, s, "site", SEC_SITE, e);
            cat_check_ref(cat, s, "department", SEC_DEPARTMENT, e);
            cat_check_ref(cat, s, "departments", SEC_DEPARTMENT, e);
        } else if (s->kind == SEC_DEPARTMENT) {
            cat_check_ref(cat, s, "group", SEC_GROUP, e);
        } else if (s->kind == SEC_GROUP) {
            cat_check_ref(cat, s, "parent", SEC_GROUP, e);
            cat_check_group(cat, s, e);
        } else if (s->kind == SEC_REASON) {
            cat_check_reason(s, e);
        }
    }
}

/* key and key.LANG of s into *text, in the catalog's languages. */
static void cat_text_of(const struct catalog *cat, const struct cat_section *s, const char *key,
                        struct config_text *text)
{
    memset(text, 0, sizeof *text);
    for (int i = 0; i < s->count; i++) {
        char base[40], lang[8];
        cfg_split_key(s->values[i].key, base, sizeof base, lang, sizeof lang);
        int index = lang[0] ? cat_language_index(cat, lang) : 0;
        if (strcmp(base, key) == 0 && index >= 0)
            snprintf(text->lang[index], sizeof text->lang[index], "%.*s", CONFIG_TEXT_MAX - 1,
                     s->values[i].value);
    }
}

static void cat_id_of(const struct cat_section *s, const char *key, char *id)
{
    const struct cat_value *v = cat_value(s, key);
    snprintf(id, CONFIG_ID_MAX, "%.*s", CONFIG_ID_MAX - 1, v != NULL ? v->value : "");
}

static bool cat_build_views(struct catalog *cat)
{
    size_t n = (size_t)cat->count + 1;
    cat->departments = calloc(n, sizeof *cat->departments);
    cat->groups = calloc(n, sizeof *cat->groups);
    cat->reasons = calloc(n, sizeof *cat->reasons);
    cat->kiosks = calloc(n, sizeof *cat->kiosks);
    if (!cat->departments || !cat->groups || !cat->reasons || !cat->kiosks)
        return false;
    int positive = 0, negative = 0;
    for (int i = 0; i < cat->count; i++) {
        const struct cat_section *s = cat->sections[i];
        if (s->kind == SEC_DEPARTMENT) {
            struct catalog_department *d = &cat->departments[cat->department_count++];
            const struct cat_value *cf = cat_value(s, "customer_facing");
            snprintf(d->id, sizeof d->id, "%s", s->id);
            cat_text_of(cat, s, "name", &d->name);
            cat_id_of(s, "group", d->group);
            d->customer_facing =
                cf == NULL || strchr("ty1", cf->value[0]) != NULL || strcmp(cf->value, "on") == 0;
        } else if (s->kind == SEC_GROUP) {
            struct catalog_group *g = &cat->groups[cat->group_count++];
            snprintf(g->id, sizeof g->id, "%s", s->id);
            cat_text_of(cat, s, "name", &g->name);
            cat_id_of(s, "parent", g->parent);
        } else if (s->kind == SEC_REASON) {
            struct catalog_reason *r = &cat->reasons[cat->reason_count++];
            const struct cat_value *list = cat_value(s, "for");
            bool pos = list != NULL && strcmp(list->value, "positive") == 0;
            snprintf(r->id, sizeof r->id, "%s", s->id);
            cat_text_of(cat, s, "label", &r->label);
            r->list = pos ? "positive" : "negative";
            r->position = pos ? positive++ : negative++;
        } else if (s->kind == SEC_KIOSK_ID) {
            cat->kiosks[cat->kiosk_count++] = i;
        }
    }
    return true;
}

/* ---- public ------------------------------------------------------------ */

/* Reads document i on its own, then merges it as a kiosk file or a fleet document. */
static void cat_parse_one(struct cat_merge *m, struct cfg_parser *checker, int i, const char *text)
{
    struct catalog *doc = calloc(1, sizeof *doc);
    if (doc == NULL) {
        cat_error(m->errors, (struct cat_place){i, 0}, "", "out of memory");
        return;
    }
    cat_read(doc, i, text != NULL ? text : "", checker, m->errors);
    const struct cat_section *kiosk = cat_find(doc, SEC_KIOSK, "");
    const struct cat_value *id = cat_value(kiosk, "id");
    if (id != NULL)
        cat_merge_kiosk_file(m, doc, kiosk, id->value);
    else
        cat_merge_fleet(m, doc);
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
        struct cat_merge m = {cat, &e};
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
