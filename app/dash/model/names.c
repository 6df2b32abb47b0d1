/*
 * names: the catalog's names for one viewer, and which language a viewer
 * reads (see names.h).
 */
#include "names.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Accept-Language ranges read; the rest of a longer header is ignored. */
#define ACCEPT_MAX 32

void names_free(struct names *names)
{
    free(names->items);
    free(names->reasons);
    *names = (struct names){0};
}

bool names_add(struct names *names, const char *kind, const char *id, const char *name,
               bool in_lang)
{
    if (!dash_grow((void **)&names->items, names->n, &names->cap, sizeof *names->items))
        return false;
    struct names_entry *e = &names->items[names->n++];
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    snprintf(e->id, sizeof e->id, "%s", id);
    snprintf(e->name, sizeof e->name, "%s", name);
    e->in_lang = in_lang;
    return true;
}

bool names_add_reason(struct names *names, const char *id, const char *list, int position)
{
    if (!dash_grow((void **)&names->reasons, names->reasons_n, &names->reasons_cap,
                   sizeof *names->reasons))
        return false;
    struct names_reason *r = &names->reasons[names->reasons_n++];
    snprintf(r->id, sizeof r->id, "%s", id);
    snprintf(r->list, sizeof r->list, "%s", list);
    r->position = position;
    return true;
}

static int compare_key(const char *kind_a, const char *id_a, const char *kind_b, const char *id_b)
{
    int c = strcmp(kind_a, kind_b);
    return c ? c : strcmp(id_a, id_b);
}

/* By kind and id; the viewer's language's first. */
static int compare_entries(const void *a, const void *b)
{
    const struct names_entry *x = a, *y = b;
    int c = compare_key(x->kind, x->id, y->kind, y->id);
    return c ? c : (int)y->in_lang - (int)x->in_lang;
}

static int compare_reasons(const void *a, const void *b)
{
    return strcmp(((const struct names_reason *)a)->id, ((const struct names_reason *)b)->id);
}

void names_sort(struct names *names)
{
    if (names->n > 1)
        qsort(names->items, names->n, sizeof *names->items, compare_entries);
    size_t out = 0;
    for (size_t i = 0; i < names->n; i++) {
        const struct names_entry *e = &names->items[i];
        if (out > 0 &&
            !compare_key(names->items[out - 1].kind, names->items[out - 1].id, e->kind, e->id))
            continue;
        names->items[out++] = *e;
    }
    names->n = out;
    if (names->reasons_n > 1)
        qsort(names->reasons, names->reasons_n, sizeof *names->reasons, compare_reasons);
}

const char *names_find(const struct names *names, const char *kind, const char *id)
{
    size_t lo = 0, hi = names ? names->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct names_entry *e = &names->items[mid];
        int c = compare_key(kind, id, e->kind, e->id);
        if (c == 0)
            return e->name[0] ? e->name : NULL;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const char *names_or(const struct names *names, const char *kind, const char *id,
                     const char *fallback)
{
    const char *name = names_find(names, kind, id);
    return name ? name : fallback;
}

const struct names_reason *names_reason_find(const struct names *names, const char *id)
{
    if (!names || names->reasons_n == 0)
        return NULL;
    struct names_reason key = {0};
    snprintf(key.id, sizeof key.id, "%s", id);
    return bsearch(&key, names->reasons, names->reasons_n, sizeof *names->reasons, compare_reasons);
}

bool names_has_departments(const struct names *names)
{
    for (size_t i = 0; names && i < names->n; i++)
        if (!strcmp(names->items[i].kind, "department"))
            return true;
    return false;
}

static bool id_byte(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

size_t names_split_ids(const char *list, char (*out)[DASH_ID_MAX], size_t max)
{
    size_t n = 0;
    for (const char *p = list; p && *p && n < max;) {
        size_t len = strcspn(p, ",");
        const char *id = p;
        size_t id_len = len;
        while (id_len > 0 && (*id == ' ' || *id == '\t'))
            id++, id_len--;
        while (id_len > 0 && (id[id_len - 1] == ' ' || id[id_len - 1] == '\t'))
            id_len--;
        bool ok = id_len > 0 && id_len < DASH_ID_MAX;
        for (size_t i = 0; ok && i < id_len; i++)
            ok = id_byte((unsigned char)id[i]) && (unsigned char)id[i] < 0x80;
        if (ok)
            snprintf(out[n++], DASH_ID_MAX, "%.*s", (int)id_len, id);
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

/* ---- languages --------------------------------------------------------- */

/* The line at p without its end and surrounding blanks, into buf. */
static const char *next_line(const char *p, char *buf, size_t size)
{
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    while (len > 0 && isspace((unsigned char)*p))
        p++, len--;
    while (len > 0 && isspace((unsigned char)p[len - 1]))
        len--;
    snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), p);
    return end ? end + 1 : NULL;
}

void names_first_language(const char *document, char *out, size_t size)
{
    char line[256];
    bool in_kiosk = false;
    out[0] = '\0';
    for (const char *p = document; p && *p;) {
        p = next_line(p, line, sizeof line);
        if (line[0] == '[') {
            in_kiosk = !strcmp(line, "[kiosk]");
            continue;
        }
        if (!in_kiosk || strncmp(line, "languages", 9) != 0)
            continue;
        const char *v = line + 9;
        while (*v == ' ' || *v == '\t')
            v++;
        if (*v++ != '=')
            continue;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t len = strcspn(v, ", \t");
        snprintf(out, size, "%.*s", (int)(len < size ? len : size - 1), v);
        return;
    }
}

/* A language range's primary subtag, lower case, into out; false for
 * "*" or anything but 1 to 8 letters. */
static bool primary_subtag(const char *range, size_t len, char *out, size_t size)
{
    size_t n = 0;
    while (n < len && range[n] != '-')
        n++;
    if (n == 0 || n > 8 || n >= size)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!isalpha((unsigned char)range[i]))
            return false;
        out[i] = (char)tolower((unsigned char)range[i]);
    }
    out[n] = '\0';
    return true;
}

/* "q=0.8" (RFC 9110: 0 to 1, at most three decimals) as 0..1000; -1 when
 * malformed. */
static int parse_q(const char *p, size_t len)
{
    if (len < 3 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
        return -1;
    p += 2, len -= 2;
    if (p[0] != '0' && p[0] != '1')
        return -1;
    int q = (p[0] - '0') * 1000, scale = 100;
    if (len == 1)
        return q;
    if (p[1] != '.' || len > 5)
        return -1;
    for (size_t i = 2; i < len; i++, scale /= 10) {
        if (!isdigit((unsigned char)p[i]))
            return -1;
        q += (p[i] - '0') * scale;
    }
    return q <= 1000 ? q : -1;
}

struct accepted {
    char lang[9];
    int q;
};

/* The ranges of an Accept-Language header, best first (equal q-values in
 * the header's order); ranges with q=0, "*" or malformed are left out. */
static size_t parse_accept(const char *accept, struct accepted *out, size_t max)
{
    size_t n = 0;
    for (const char *p = accept; p && *p && n < max;) {
        size_t len = strcspn(p, ",");
        const char *semi = memchr(p, ';', len);
        size_t tag_len = semi ? (size_t)(semi - p) : len;
        while (tag_len > 0 && (*p == ' ' || *p == '\t'))
            p++, tag_len--, len--;
        while (tag_len > 0 && (p[tag_len - 1] == ' ' || p[tag_len - 1] == '\t'))
            tag_len--;
        int q = 1000;
        if (semi) {
            const char *param = semi + 1;
            size_t plen = (size_t)(p + len - param);
            while (plen > 0 && (*param == ' ' || *param == '\t'))
                param++, plen--;
            while (plen > 0 && (param[plen - 1] == ' ' || param[plen - 1] == '\t'))
                plen--;
            q = parse_q(param, plen);
        }
        struct accepted a = {.q = q};
        if (q > 0 && primary_subtag(p, tag_len, a.lang, sizeof a.lang)) {
            size_t at = n++;
            while (at > 0 && out[at - 1].q < q) {
                out[at] = out[at - 1];
                at--;
            }
            out[at] = a;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    return n;
}

/* Whether the catalog has lang; *plain when it is the first language. */
static bool catalog_has(const char *lang, const char *const *langs, size_t n, const char *first,
                        bool *plain)
{
    *plain = first && first[0] && !strcmp(lang, first);
    for (size_t i = 0; i < n && !*plain; i++)
        if (!strcmp(lang, langs[i]))
            return true;
    return *plain;
}

void names_pick_language(const char *choice, const char *accept, const char *const *langs, size_t n,
                         const char *first, char *out, size_t size)
{
    struct accepted wanted[ACCEPT_MAX + 1];
    size_t count = 0;
    char lang[9];
    if (choice && primary_subtag(choice, strlen(choice), lang, sizeof lang) &&
        strlen(choice) < sizeof lang)
        snprintf(wanted[count++].lang, sizeof wanted[0].lang, "%s", lang);
    count += parse_accept(accept, wanted + count, ACCEPT_MAX);
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        bool plain;
        if (catalog_has(wanted[i].lang, langs, n, first, &plain)) {
            snprintf(out, size, "%s", plain ? "" : wanted[i].lang);
            return;
        }
    }
}
