/*
 * catalog_out: the catalog written out: as one canonical fleet document
 * (catalog_export), as what one kiosk runs (catalog_render), and checked
 * by parsing each kiosk's rendering with the kiosk's own parser
 * (catalog_check), whose errors are led back to the catalog's own lines.
 *
 * The canonical order: [kiosk], [followup], [screen], [hours],
 * [press_filter], then every [group ID], [site ID], [department ID],
 * [reason ID] and [kiosk ID] in the order they were first given; in a
 * section, the key table's order, a localised key's languages in the
 * catalog's order.  Values are written as they were read, which is what
 * reading gives back (catalog.c refuses what would not).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_private.h"
#include "strbuf.h"

static const struct cat_place cat_nowhere = {-1, 0};

void cat_rendering_free(struct cat_rendering *r)
{
    free(r->text);
    free(r->origin);
    *r = (struct cat_rendering){0};
}

/* Appends one line (without its newline) and where it came from. */
static void cat_line(struct cat_rendering *r, struct strbuf *sb, struct cat_place at,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void cat_line(struct cat_rendering *r, struct strbuf *sb, struct cat_place at,
                     const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        r->failed = true; /* never: values fit a config line */
    strbuf_puts(sb, line);
    strbuf_puts(sb, "\n");
    if (r->lines == r->cap) {
        int cap = r->cap ? r->cap * 2 : 64;
        struct cat_place *grown = realloc(r->origin, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            r->failed = true;
            return;
        }
        r->origin = grown;
        r->cap = cap;
    }
    r->origin[r->lines++] = at;
}

/* key = value; a value that starts with ';' follows '=' without a blank,
 * as only then does the reader not take it for a comment. */
static void cat_key_line(struct cat_rendering *r, struct strbuf *sb, const struct cat_value *v)
{
    if (v->value[0] == '\0' || v->value[0] == ';')
        cat_line(r, sb, v->at, "%s =%s", v->key, v->value);
    else
        cat_line(r, sb, v->at, "%s = %s", v->key, v->value);
}

/* Whether include lets key base through (NULL: every key). */
static bool cat_included(const char *const *include, const char *base)
{
    if (include == NULL)
        return true;
    for (; *include != NULL; include++)
        if (strcmp(*include, base) == 0)
            return true;
    return false;
}

/* s's keys in canonical order, those of include only (NULL: all); for a
 * kiosk's rendering (kiosk true) without the catalog's own keys of its
 * other sections ([department ID] head_edits: the dashboard's alone). */
static void cat_keys(const struct catalog *cat, const struct cat_section *s,
                     const char *const *include, bool kiosk, struct cat_rendering *r,
                     struct strbuf *sb)
{
    char key[40];
    for (size_t i = 0; s != NULL && i < cfg_key_count; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        if (k->section != s->kind || !cat_included(include, k->name) ||
            (kiosk && k->scope == CFG_CENTRAL && !cfg_section_is_fleet(k->section)))
            continue;
        const struct cat_value *v = cat_value(s, k->name);
        if (v != NULL)
            cat_key_line(r, sb, v);
        for (int l = 0; k->localized && l < cat->language_count; l++) {
            snprintf(key, sizeof key, "%s.%s", k->name, cat->languages[l]);
            if ((v = cat_value(s, key)) != NULL)
                cat_key_line(r, sb, v);
        }
    }
}

static void cat_header(struct cat_rendering *r, struct strbuf *sb, const struct cat_section *s)
{
    if (sb->len > 0)
        cat_line(r, sb, cat_nowhere, "%s", "");
    if (s->id[0] != '\0')
        cat_line(r, sb, s->at, "[%s %s]", cfg_section_name(s->kind), s->id);
    else
        cat_line(r, sb, s->at, "[%s]", cfg_section_name(s->kind));
}

static bool cat_finish_text(struct cat_rendering *r, struct strbuf *sb)
{
    if (sb->failed || r->failed || sb->data == NULL) {
        strbuf_free(sb);
        return false;
    }
    r->text = sb->data;
    return true;
}

char *catalog_export(const struct catalog *catalog)
{
    static const enum cfg_section plain[] = {SEC_KIOSK, SEC_FOLLOWUP, SEC_SCREEN, SEC_HOURS,
                                             SEC_PRESS_FILTER};
    static const enum cfg_section items[] = {SEC_GROUP, SEC_SITE, SEC_DEPARTMENT, SEC_REASON,
                                             SEC_KIOSK_ID};
    struct cat_rendering r = {0};
    struct strbuf sb = {0};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        const struct cat_section *s = cat_find(catalog, plain[i], "");
        if (s == NULL || s->count == 0)
            continue;
        cat_header(&r, &sb, s);
        cat_keys(catalog, s, NULL, false, &r, &sb);
    }
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        for (int j = 0; j < catalog->count; j++) {
            const struct cat_section *s = catalog->sections[j];
            if (s->kind != items[i])
                continue;
            cat_header(&r, &sb, s);
            cat_keys(catalog, s, NULL, false, &r, &sb);
        }
    }
    strbuf_puts(&sb, "");
    char *text = cat_finish_text(&r, &sb) ? r.text : NULL;
    free(r.origin);
    return text;
}

/* ---- one kiosk's rendering ------------------------------------------- */

/* Whether s gives key base (plain or in any language). */
static bool cat_gives(const struct cat_section *s, const char *base)
{
    size_t n = strlen(base);
    for (int i = 0; s != NULL && i < s->count; i++)
        if (strncmp(s->values[i].key, base, n) == 0 &&
            (s->values[i].key[n] == '\0' || s->values[i].key[n] == '.'))
            return true;
    return false;
}

/* [kiosk]: the fleet's keys, the kiosk's own over them, its site's name as site. */
static void cat_render_kiosk(const struct catalog *cat, const struct cat_section *kiosk,
                             const struct cat_section *site, struct cat_rendering *r,
                             struct strbuf *sb)
{
    static const char *const own[] = {"site",     "label",      "mode",
                                      "audience", "department", "question"};
    const struct cat_section *fleet = cat_find(cat, SEC_KIOSK, "");
    const char *from_fleet[8], *from_kiosk[8];
    int nf = 0, nk = 0;
    from_fleet[nf++] = "languages";
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        bool by_kiosk = cat_gives(kiosk, own[i]) && strcmp(own[i], "site") != 0;
        if (by_kiosk)
            from_kiosk[nk++] = own[i];
        else if (strcmp(own[i], "site") != 0 || site == NULL)
            from_fleet[nf++] = own[i];
    }
    from_fleet[nf] = from_kiosk[nk] = NULL;
    struct cat_section header = {.kind = SEC_KIOSK, .at = kiosk ? kiosk->at : cat_nowhere};
    cat_header(r, sb, &header);
    cat_keys(cat, fleet, from_fleet, true, r, sb);
    if (site != NULL) {
        const struct cat_value *name = cat_value(site, "name");
        cat_line(r, sb, cat_value(kiosk, "site")->at, "site = %s",
                 name != NULL ? name->value : site->id);
    }
    if (kiosk != NULL)
        cat_keys(cat, kiosk, from_kiosk, true, r, sb);
}

/* Whether department id is among the kiosk's: single: its department; picker: its list or all. */
static bool cat_rates(const struct catalog *cat, const struct cat_section *kiosk, const char *id)
{
    const struct cat_section *fleet = cat_find(cat, SEC_KIOSK, "");
    const struct cat_value *mode = cat_value(kiosk, "mode");
    if (mode == NULL)
        mode = cat_value(fleet, "mode");
    if (mode != NULL && strcmp(mode->value, "picker") == 0) {
        const struct cat_value *list = cat_value(kiosk, "departments");
        if (list == NULL || list->value[0] == '\0')
            return true;
        size_t n = strlen(id);
        for (const char *p = list->value; *p != '\0';) {
            p += strspn(p, " \t,");
            if (strncmp(p, id, n) == 0 && strchr(" \t,", p[n]) != NULL)
                return true;
            p += strcspn(p, ",");
        }
        return false;
    }
    const struct cat_value *department = cat_value(kiosk, "department");
    if (department == NULL)
        department = cat_value(fleet, "department");
    return department == NULL || strcmp(department->value, id) == 0;
}

/* [hours]: the timezone of the site, else the fleet's; the days and always
 * of the site when it gives any, else the fleet's. */
static void cat_render_hours(const struct catalog *cat, const struct cat_section *site,
                             struct cat_rendering *r, struct strbuf *sb)
{
    static const char *const days[] = {"always", "mon", "tue", "wed", "thu",
                                       "fri",    "sat", "sun", NULL};
    const struct cat_section *fleet = cat_find(cat, SEC_HOURS, "");
    bool site_days = false;
    for (int i = 0; days[i] != NULL; i++)
        site_days = site_days || cat_value(site, days[i]) != NULL;
    const struct cat_section *tz = cat_value(site, "timezone") ? site : fleet;
    const struct cat_section *d = site_days ? site : fleet;
    if ((tz == NULL || cat_value(tz, "timezone") == NULL) && (d == NULL || d->count == 0))
        return;
    struct cat_section header = {.kind = SEC_HOURS, .at = d ? d->at : tz->at};
    cat_header(r, sb, &header);
    if (tz != NULL) {
        const struct cat_value *v = cat_value(tz, "timezone");
        if (v != NULL)
            cat_key_line(r, sb, v);
    }
    for (int i = 0; d != NULL && days[i] != NULL; i++) {
        const struct cat_value *v = cat_value(d, days[i]);
        if (v != NULL)
            cat_key_line(r, sb, v);
    }
}

bool cat_render(const struct catalog *cat, const char *kiosk_id, int64_t version,
                struct cat_rendering *r)
{
    struct strbuf sb = {0};
    const struct cat_section *kiosk = cat_find(cat, SEC_KIOSK_ID, kiosk_id ? kiosk_id : "");
    const struct cat_value *site_id = cat_value(kiosk, "site");
    const struct cat_section *site = site_id ? cat_find(cat, SEC_SITE, site_id->value) : NULL;
    *r = (struct cat_rendering){0};
    cat_line(r, &sb, cat_nowhere, "[catalog]");
    cat_line(r, &sb, cat_nowhere, "version = %lld", (long long)version);
    cat_render_kiosk(cat, kiosk, site, r, &sb);
    for (int i = 0; i < cat->count; i++) {
        const struct cat_section *s = cat->sections[i];
        if (s->kind == SEC_DEPARTMENT && !cat_rates(cat, kiosk, s->id))
            continue;
        if (s->kind != SEC_DEPARTMENT && s->kind != SEC_REASON)
            continue;
        cat_header(r, &sb, s);
        cat_keys(cat, s, NULL, true, r, &sb);
    }
    static const enum cfg_section plain[] = {SEC_FOLLOWUP, SEC_SCREEN, SEC_PRESS_FILTER};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        const struct cat_section *s = cat_find(cat, plain[i], "");
        if (s == NULL || s->count == 0)
            continue;
        cat_header(r, &sb, s);
        cat_keys(cat, s, NULL, true, r, &sb);
    }
    cat_render_hours(cat, site, r, &sb);
    if (!cat_finish_text(r, &sb)) {
        cat_rendering_free(r);
        return false;
    }
    return true;
}

char *catalog_render(const struct catalog *catalog, const char *kiosk_id, int64_t version)
{
    struct cat_rendering r;
    if (!cat_render(catalog, kiosk_id, version, &r))
        return NULL;
    char *text = r.text;
    free(r.origin);
    return text;
}

/* ---- checking every rendering ----------------------------------------- */

static bool cat_already(const struct cat_errors *e, struct cat_place at, const char *key,
                        const char *message)
{
    for (int i = 0; i < e->count; i++)
        if (e->list[i].at.doc == at.doc && e->list[i].at.line == at.line &&
            strcmp(e->list[i].error.key, key) == 0 &&
            strcmp(e->list[i].error.message, message) == 0)
            return true;
    return false;
}

/* Renders kiosk_id, parses it as the kiosk would, and records its errors at the catalog's lines. */
static void cat_check_kiosk(const struct catalog *cat, const char *kiosk_id, struct config *config,
                            struct config_errors *found, struct cat_errors *e)
{
    struct cat_rendering r;
    char name[64];
    snprintf(name, sizeof name, "kiosk %s", kiosk_id);
    if (!cat_render(cat, kiosk_id, 1, &r)) {
        cat_error(e, (struct cat_place){0, 0}, "", "out of memory");
        return;
    }
    const struct cat_section *kiosk = cat_find(cat, SEC_KIOSK_ID, kiosk_id);
    if (!config_parse(config, name, r.text, found)) {
        for (int i = 0; i < found->count; i++) {
            const struct config_error *x = &found->error[i];
            struct cat_place at = x->line >= 1 && x->line <= r.lines ? r.origin[x->line - 1]
                                  : kiosk != NULL                    ? kiosk->at
                                                                     : cat_nowhere;
            char message[sizeof x->message];
            snprintf(message, sizeof message, "%s", x->message);
            if (at.doc < 0 || x->line < 1)
                snprintf(message, sizeof message, "kiosk %s: %.150s", kiosk_id, x->message);
            if (at.doc < 0)
                at = (struct cat_place){0, 0};
            if (!cat_already(e, at, x->key, message))
                cat_error(e, at, x->key, "%s", message);
        }
    }
    cat_rendering_free(&r);
}

bool catalog_check(const struct catalog *catalog, const char *const *kiosk_ids, int count,
                   struct config_errors *errors)
{
    struct cat_errors e = {0};
    struct config *config = malloc(sizeof *config);
    struct config_errors *found = malloc(sizeof *found);
    if (config == NULL || found == NULL) {
        cat_error(&e, (struct cat_place){0, 0}, "", "out of memory");
    } else {
        for (int i = 0; i < catalog->kiosk_count; i++)
            cat_check_kiosk(catalog, catalog->sections[catalog->kiosks[i]]->id, config, found, &e);
        for (int i = 0; i < count; i++)
            if (cat_find(catalog, SEC_KIOSK_ID, kiosk_ids[i]) == NULL)
                cat_check_kiosk(catalog, kiosk_ids[i], config, found, &e);
        if (catalog->kiosk_count == 0 && count == 0)
            cat_check_kiosk(catalog, "", config, found, &e);
    }
    free(config);
    free(found);
    if (e.total == 0)
        return true;
    cat_errors_finish(&e, catalog->names, catalog->name_count, errors);
    return false;
}
