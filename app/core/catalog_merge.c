/*
 * catalog_merge: a document read on its own goes into the catalog: a fleet
 * document's sections as they are (a local key is an error), a kiosk
 * file's [kiosk] keys into its own [kiosk ID] section, its [hours] into
 * its site's [site ID] section, its other central keys fleet-wide (the
 * first file's value; a different one is an error naming both places),
 * its departments and reasons unioned (the same id defined differently is
 * an error naming both).  Cross references and the views are settled once
 * every document is in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_private.h"

/* ---- merging a document into the catalog ------------------------------ */

struct cat_merge {
    struct catalog *cat;
    struct cat_errors *errors;
};

/* The catalog's section of kind and id, made (at at) when missing; NULL when out of memory. */
static struct cat_section *cat_get(struct cat_merge *m, enum cfg_section kind, const char *id,
                                   struct cat_place at)
{
    struct cat_section *s = cat_find(m->cat, kind, id);
    if (s != NULL)
        return s;
    if (m->cat->count >= CAT_MAX_SECTIONS) { /* the merged catalog is capped like one file */
        cat_error(m->errors, at, cfg_section_name(kind), "too many sections: at most %d",
                  CAT_MAX_SECTIONS);
        return NULL;
    }
    if ((s = cat_add(m->cat, kind, id, at)) == NULL)
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
            s->kind == SEC_COMMENTS || s->kind == SEC_TECHNICIAN)
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
                                const struct cat_section *kiosk, const char *id,
                                struct cat_section *k, struct cat_section *site)
{
    const struct cat_section *hours = cat_find(doc, SEC_HOURS, "");
    const struct cat_value *site_name = cat_value(kiosk, "site");
    const struct cat_value *given = cat_value(kiosk, "id");
    *k = (struct cat_section){.kind = SEC_KIOSK_ID, .at = given ? given->at : kiosk->at};
    *site = (struct cat_section){.kind = SEC_SITE, .at = site_name ? site_name->at : k->at};
    snprintf(k->id, sizeof k->id, "%s", id);
    for (int i = 0; i < kiosk->count; i++) {
        const struct cat_value *v = &kiosk->values[i];
        if (strcmp(v->key, "id") != 0 && strcmp(v->key, "languages") != 0 &&
            strcmp(v->key, "site") != 0)
            cat_put(k, v->key, v->value, v->at);
    }
    cat_kiosk_departments(doc, k, k->at, m->errors);
    if (site_name != NULL || (hours != NULL && hours->count > 0)) {
        if (site_name != NULL)
            cat_site_id(site_name->value, site->id, sizeof site->id);
        if (site->id[0] == '\0')
            snprintf(site->id, sizeof site->id, "%s", id);
        if (site_name != NULL)
            cat_put(site, "name", site_name->value, site_name->at);
        for (int i = 0; hours != NULL && i < hours->count; i++)
            cat_put(site, hours->values[i].key, hours->values[i].value, hours->values[i].at);
        cat_put(k, "site", site->id, site->at);
        char header[64];
        snprintf(header, sizeof header, "site %s", site->id);
        cat_merge_item(m, site, header);
    }
    char header[64];
    snprintf(header, sizeof header, "kiosk %s", id);
    cat_merge_item(m, k, header);
}

/* A kiosk file: its own keys under [kiosk ID], its central keys fleet-wide,
 * its local keys skipped. */
static void cat_merge_kiosk_file(struct cat_merge *m, const struct catalog *doc,
                                 const struct cat_section *kiosk, const char *id)
{
    struct cat_section own[2];
    cat_merge_kiosk_own(m, doc, kiosk, id, &own[0], &own[1]);
    cat_section_clear(&own[0]);
    cat_section_clear(&own[1]);
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

void cat_merge(struct catalog *cat, const struct catalog *doc, struct cat_errors *errors)
{
    struct cat_merge m = {cat, errors};
    const struct cat_section *kiosk = cat_find(doc, SEC_KIOSK, "");
    const struct cat_value *id = cat_value(kiosk, "id");
    if (id != NULL)
        cat_merge_kiosk_file(&m, doc, kiosk, id->value);
    else
        cat_merge_fleet(&m, doc);
}

void cat_overlay(struct catalog *acc, const struct catalog *layer, struct cat_errors *errors)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int i = 0; i < layer->count; i++) {
        const struct cat_section *s = layer->sections[i];
        struct cat_section *d = cat_find(acc, s->kind, s->id);
        if (d == NULL && acc->count >= CAT_MAX_SECTIONS) {
            cat_error(errors, s->at, cfg_section_name(s->kind), "too many sections: at most %d",
                      CAT_MAX_SECTIONS);
            return;
        }
        if (d == NULL && (d = cat_add(acc, s->kind, s->id, s->at)) == NULL) {
            cat_error(errors, s->at, cfg_section_name(s->kind), "out of memory");
            return;
        }
        bool gives_days = false;
        for (size_t j = 0; j < sizeof days / sizeof days[0]; j++)
            gives_days = gives_days || cat_value(s, days[j]) != NULL;
        if (s->kind == SEC_HOURS && gives_days && cat_value(s, "always") == NULL)
            cat_remove(d, "always"); /* days after always: the later layer's kind decides */
        for (int j = 0; j < s->count; j++)
            if (!cat_put(d, s->values[j].key, s->values[j].value, s->values[j].at))
                cat_error(errors, s->values[j].at, s->values[j].key, "out of memory");
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
    snprintf(full, sizeof full, "%s%s%s.%s", cfg_section_name(s->kind), s->id[0] ? " " : "", s->id,
             key);
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

void cat_check_all(struct catalog *cat, struct cat_errors *e)
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
        if (s->kind == SEC_KIOSK) { /* the fleet's: its site is a name, not a [site ID] */
            cat_check_ref(cat, s, "department", SEC_DEPARTMENT, e);
        } else if (s->kind == SEC_KIOSK_ID) {
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
            cat_check_ref(cat, s, "owner", SEC_DEPARTMENT, e);
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

/* A boolean value as cfg_bool took it: true, yes, on, 1. */
static bool cat_is_true(const char *value)
{
    return strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "on") == 0 ||
           strcmp(value, "1") == 0;
}

static void cat_id_of(const struct cat_section *s, const char *key, char *id)
{
    const struct cat_value *v = cat_value(s, key);
    snprintf(id, CONFIG_ID_MAX, "%.*s", CONFIG_ID_MAX - 1, v != NULL ? v->value : "");
}

bool cat_build_views(struct catalog *cat)
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
            cat_text_of(cat, s, "question", &d->question);
            cat_text_of(cat, s, "we_did", &d->we_did);
            const struct cat_value *from = cat_value(s, "we_did_from");
            const struct cat_value *until = cat_value(s, "we_did_until");
            snprintf(d->we_did_from, sizeof d->we_did_from, "%.10s", from ? from->value : "");
            snprintf(d->we_did_until, sizeof d->we_did_until, "%.10s", until ? until->value : "");
            const struct cat_value *score = cat_value(s, "we_did_score");
            d->we_did_score = score != NULL && cat_is_true(score->value);
            const struct cat_value *comments = cat_value(s, "comments");
            snprintf(d->comments, sizeof d->comments, "%.8s", comments ? comments->value : "");
            const struct cat_value *head = cat_value(s, "head_edits");
            d->customer_facing = cf == NULL || cat_is_true(cf->value);
            d->head_edits = head != NULL && cat_is_true(head->value);
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
            cat_id_of(s, "owner", r->owner);
            r->list = pos ? "positive" : "negative";
            r->position = pos ? positive++ : negative++;
        } else if (s->kind == SEC_KIOSK_ID) {
            cat->kiosks[cat->kiosk_count++] = i;
        }
    }
    return true;
}
