/*
 * catalog_text: one key of a fleet document read or changed as text
 * (catalog_text.h).  Lines are walked one at a time; a section header's
 * words are compared with one blank between them, a key line's key is the
 * text before its first '=' or ':', blanks trimmed, as inih reads it.
 */
#include "catalog_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "utf8.h"

/* [begin, end) trimmed of blanks at both ends. */
static void trim(const char **begin, const char **end)
{
    while (*begin < *end && (**begin == ' ' || **begin == '\t'))
        (*begin)++;
    while (*end > *begin && ((*end)[-1] == ' ' || (*end)[-1] == '\t' || (*end)[-1] == '\r'))
        (*end)--;
}

/* Whether the line [b, e) is a section header; its words, joined by one
 * blank, into name (size bytes). */
static bool header_of(const char *b, const char *e, char *name, size_t size)
{
    trim(&b, &e);
    const char *close = b < e && *b == '[' ? memchr(b, ']', (size_t)(e - b)) : NULL;
    if (!close)
        return false;
    size_t n = 0;
    for (const char *p = b + 1; p < close;) {
        while (p < close && (*p == ' ' || *p == '\t'))
            p++;
        const char *w = p;
        while (p < close && *p != ' ' && *p != '\t')
            p++;
        if (p > w && n + (size_t)(p - w) + 2 < size) {
            if (n > 0)
                name[n++] = ' ';
            memcpy(name + n, w, (size_t)(p - w));
            n += (size_t)(p - w);
        }
    }
    name[n] = '\0';
    return true;
}

/* Whether the line [b, e) is "key = value" (or "key: value") for key;
 * the value's bounds, trimmed, in *vb and *ve. */
static bool key_line(const char *b, const char *e, const char *key, const char **vb,
                     const char **ve)
{
    trim(&b, &e);
    if (b == e || *b == ';' || *b == '#')
        return false;
    const char *sep = b;
    while (sep < e && *sep != '=' && *sep != ':')
        sep++;
    if (sep == e)
        return false;
    const char *kb = b, *ke = sep;
    trim(&kb, &ke);
    if ((size_t)(ke - kb) != strlen(key) || memcmp(kb, key, (size_t)(ke - kb)) != 0)
        return false;
    *vb = sep + 1;
    *ve = e;
    trim(vb, ve);
    return true;
}

/* Where one walk through the document found the section and the key. */
struct text_spot {
    const char *key_begin, *key_end; /* the key's whole line, newline included */
    const char *value_begin, *value_end;
    const char *section_end; /* just after the section's last non-blank line */
    bool in_section;         /* the section exists */
};

static void find_spot(const char *doc, const char *section, const char *key, struct text_spot *spot)
{
    *spot = (struct text_spot){0};
    bool inside = false;
    char name[160];
    for (const char *line = doc; *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line), *next = nl ? nl + 1 : end;
        const char *vb, *ve;
        if (header_of(line, end, name, sizeof name)) {
            inside = !strcmp(name, section);
            spot->in_section |= inside;
            if (inside)
                spot->section_end = next;
        } else if (inside) {
            const char *b = line, *e = end;
            trim(&b, &e);
            if (b < e)
                spot->section_end = next;
            if (!spot->key_begin && key_line(line, end, key, &vb, &ve)) {
                spot->key_begin = line;
                spot->key_end = next;
                spot->value_begin = vb;
                spot->value_end = ve;
            }
        }
        line = next;
    }
}

bool catalog_text_get(const char *doc, const char *section, const char *key, char *out, size_t size)
{
    struct text_spot spot;
    find_spot(doc ? doc : "", section, key, &spot);
    out[0] = '\0';
    if (!spot.key_begin)
        return false;
    snprintf(out, size, "%.*s", (int)(spot.value_end - spot.value_begin), spot.value_begin);
    return true;
}

bool catalog_text_next(const char **cursor, const char *kind, char *id, size_t size)
{
    char name[160];
    size_t n = strlen(kind);
    for (const char *line = *cursor; *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line), *next = nl ? nl + 1 : end;
        if (header_of(line, end, name, sizeof name) && !strncmp(name, kind, n) && name[n] == ' ' &&
            name[n + 1]) {
            snprintf(id, size, "%s", name + n + 1);
            *cursor = next;
            return true;
        }
        line = next;
    }
    *cursor += strlen(*cursor);
    return false;
}

char *catalog_text_set(const char *doc, const char *section, const char *key, const char *value)
{
    struct text_spot spot;
    struct strbuf out = {0};
    doc = doc ? doc : "";
    find_spot(doc, section, key, &spot);
    const char *cut = spot.key_begin ? spot.key_begin : spot.section_end;
    const char *resume = spot.key_begin ? spot.key_end : spot.section_end;
    if (!spot.in_section)
        cut = resume = doc + strlen(doc);
    strbuf_append(&out, doc, (size_t)(cut - doc));
    if (out.len > 0 && out.data[out.len - 1] != '\n')
        strbuf_puts(&out, "\n");
    if (!spot.in_section) {
        strbuf_puts(&out, out.len > 0 ? "\n[" : "[");
        strbuf_puts(&out, section);
        strbuf_puts(&out, "]\n");
    }
    if (value) {
        strbuf_puts(&out, key);
        strbuf_puts(&out, " = ");
        strbuf_puts(&out, value);
        strbuf_puts(&out, "\n");
    }
    strbuf_puts(&out, resume);
    if (out.failed || !out.data) {
        strbuf_free(&out);
        return out.failed ? NULL : strdup("");
    }
    return out.data;
}

bool catalog_text_value_ok(const char *value, size_t max_bytes, char *why, size_t size)
{
    size_t n = strlen(value);
    const char *problem = NULL;
    if (n > max_bytes) {
        snprintf(why, size, "expected at most %zu bytes, got %zu", max_bytes, n);
        return false;
    }
    if (!utf8_valid_string(value))
        problem = "UTF-8 text";
    else if (utf8_find_bidi_control(value))
        problem = "no bidirectional control character (U+202E and its kin reorder text on screen)";
    for (size_t i = 0; !problem && i < n; i++) {
        unsigned char ch = (unsigned char)value[i];
        if (ch < 0x20 || ch == 0x7f)
            problem = "one line of text without control characters";
        else if (ch == ';' && i > 0 && (value[i - 1] == ' ' || value[i - 1] == '\t'))
            problem = "no ';' after a blank (the file would cut it off there as a comment)";
    }
    if (!problem && n > 0 && (value[0] == ' ' || value[n - 1] == ' '))
        problem = "no blank at the start or the end";
    if (!problem)
        return true;
    snprintf(why, size, "expected %s", problem);
    return false;
}
