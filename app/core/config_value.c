/*
 * config_value: the config parser's values and errors: one error recorded
 * at its file and line, texts, ids, booleans, whole numbers and seconds
 * within their ranges, localised texts (name.LANG waits for the language
 * list), the language list itself.  Every message a technician reads for a
 * bad value is written here (see config_private.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_private.h"

/* The place of the line being read, as kept by the parser. */
int cfg_here(const struct cfg_parser *p)
{
    return p->layer << CFG_LINE_BITS | (p->line & CFG_LINE_MASK);
}

/* Records one error at place `where` (cfg_here()); only counted once the
 * kept list is full or memory is out. */
void cfg_error(struct cfg_parser *p, int where, const char *key, const char *fmt, ...)
{
    p->error_total++;
    if (p->error_count == p->error_cap) {
        int cap = p->error_cap ? p->error_cap * 2 : 16;
        struct cfg_error *grown = NULL;
        if (cap <= CONFIG_MAX_KEPT_ERRORS)
            grown = realloc(p->errors, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return;
        p->errors = grown;
        p->error_cap = cap;
    }
    struct cfg_error *e = &p->errors[p->error_count];
    e->seq = p->error_count++;
    struct config_error *ce = &e->error;
    const char *file = p->names[where >> CFG_LINE_BITS];
    if (snprintf(ce->file, sizeof ce->file, "%s", file ? file : "") >= (int)sizeof ce->file) {
        /* a long path is shown cut; the line still finds the error */
    }
    ce->line = where & CFG_LINE_MASK;
    e->where = where;
    if (snprintf(ce->key, sizeof ce->key, "%s", key) >= (int)sizeof ce->key) {
        /* keys are short; a cut one still names the section */
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ce->message, sizeof ce->message, fmt, ap);
    va_end(ap);
}

/* "section.key" for errors and the duplicate check. */
void cfg_full_key(const struct cfg_parser *p, const char *key, char *buf, size_t size)
{
    if (snprintf(buf, size, "%s.%s", p->section_name, key) >= (int)size) {
        /* cut: still unique enough for an error line */
    }
}

bool cfg_text(struct cfg_parser *p, const char *key, const char *value, char *dst, size_t size)
{
    size_t len = strlen(value);
    if (len >= size) {
        cfg_error(p, cfg_here(p), key, "text too long: %zu bytes, at most %zu", len, size - 1);
        return false;
    }
    memcpy(dst, value, len + 1);
    return true;
}

bool cfg_is_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= CONFIG_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

bool cfg_id(struct cfg_parser *p, int line, const char *key, const char *value, char *dst)
{
    if (!cfg_is_id(value)) {
        cfg_error(p, line, key, "expected an id of 1-%d letters, digits, '_' or '-', got '%.40s'",
                  CONFIG_ID_MAX - 1, value);
        return false;
    }
    memcpy(dst, value, strlen(value) + 1);
    return true;
}

bool cfg_bool(struct cfg_parser *p, const char *key, const char *value, bool *dst)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcmp(value, yes[i]) == 0) {
            *dst = true;
            return true;
        }
        if (strcmp(value, no[i]) == 0) {
            *dst = false;
            return true;
        }
    }
    cfg_error(p, cfg_here(p), key, "expected true/false/yes/no/on/off/1/0, got '%.40s'", value);
    return false;
}

bool cfg_int(struct cfg_parser *p, const char *key, const char *value, long min, long max,
             long *dst)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (end == value || *end != '\0' || errno != 0 || v < min || v > max) {
        cfg_error(p, cfg_here(p), key, "expected a whole number from %ld to %ld, got '%.40s'", min,
                  max, value);
        return false;
    }
    *dst = v;
    return true;
}

/* Parses "2", "2.5", "0.25" as milliseconds (at most 3 decimals), no locale involved. */
static bool cfg_parse_ms(const char *s, int64_t *ms)
{
    int64_t whole = 0, frac = 0;
    int digits = 0, decimals = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (digits >= 9)
            return false;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, decimals++) {
            if (decimals >= 3)
                return false;
            frac = frac * 10 + (*s - '0');
        }
        if (decimals == 0)
            return false;
    }
    if (*s != '\0' || digits == 0)
        return false;
    for (int i = decimals; i < 3; i++)
        frac *= 10;
    *ms = whole * 1000 + frac;
    return true;
}

bool cfg_seconds(struct cfg_parser *p, const char *key, const char *value, int64_t min_ms,
                 int64_t max_ms, int64_t *dst)
{
    int64_t ms;
    if (!cfg_parse_ms(value, &ms) || ms < min_ms || ms > max_ms) {
        cfg_error(p, cfg_here(p), key, "expected seconds from %g to %g (e.g. 2.5), got '%.40s'",
                  (double)min_ms / 1000.0, (double)max_ms / 1000.0, value);
        return false;
    }
    *dst = ms;
    return true;
}

/* Splits "name.fi" into base "name" and lang "fi"; lang is "" without a dot. */
void cfg_split_key(const char *key, char *base, size_t base_size, char *lang, size_t lang_size)
{
    const char *dot = strchr(key, '.');
    size_t n = dot != NULL ? (size_t)(dot - key) : strlen(key);
    if (n >= base_size)
        n = base_size - 1;
    memcpy(base, key, n);
    base[n] = '\0';
    lang[0] = '\0';
    if (dot != NULL &&
        (dot[1] == '\0' || snprintf(lang, lang_size, "%s", dot + 1) >= (int)lang_size))
        snprintf(lang, lang_size, "?"); /* no code or too long: reported as an unknown language */
}

/* A localised text: the plain key is the first language; .LANG waits for the list. */
void cfg_localized(struct cfg_parser *p, const char *key, const char *lang, const char *value,
                   struct config_text *dst)
{
    if (lang[0] == '\0') {
        cfg_text(p, key, value, dst->lang[0], sizeof dst->lang[0]);
        return;
    }
    struct cfg_localized l = {.line = cfg_here(p), .dst = dst};
    if (!cfg_text(p, key, value, l.text, sizeof l.text))
        return;
    snprintf(l.key, sizeof l.key, "%s", key);
    snprintf(l.lang, sizeof l.lang, "%s", lang);
    if (p->localized_count == p->localized_cap) {
        int cap = p->localized_cap ? p->localized_cap * 2 : 16;
        struct cfg_localized *grown = realloc(p->localized, (size_t)cap * sizeof *grown);
        if (grown == NULL) {
            cfg_error(p, cfg_here(p), key, "out of memory");
            return;
        }
        p->localized = grown;
        p->localized_cap = cap;
    }
    p->localized[p->localized_count++] = l;
}

/* Reads "en, fi, de" into the language list. */
void cfg_languages(struct cfg_parser *p, const char *key, const char *value)
{
    struct config *c = p->config;
    int count = 0;
    char codes[CONFIG_MAX_LANGUAGES][8] = {{0}}; /* zeroed: configs are compared bytewise */
    for (const char *s = value; *s != '\0';) {
        while (*s == ' ' || *s == '\t')
            s++;
        size_t n = strcspn(s, ",");
        size_t len = n;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len != 2 || s[0] < 'a' || s[0] > 'z' || s[1] < 'a' || s[1] > 'z') {
            cfg_error(p, cfg_here(p), key,
                      "expected 2-letter lower-case codes like 'en, fi', got '%.*s'",
                      (int)(len < 20 ? len : 20), s);
            return;
        }
        for (int i = 0; i < count; i++) {
            if (memcmp(codes[i], s, 2) == 0) {
                cfg_error(p, cfg_here(p), key, "language '%.2s' listed twice", s);
                return;
            }
        }
        if (count == CONFIG_MAX_LANGUAGES) {
            cfg_error(p, cfg_here(p), key, "too many languages: at most %d", CONFIG_MAX_LANGUAGES);
            return;
        }
        memcpy(codes[count], s, 2);
        codes[count++][2] = '\0';
        s += n;
        if (*s == ',')
            s++;
    }
    if (count == 0) {
        cfg_error(p, cfg_here(p), key, "expected at least one language code, got ''");
        return;
    }
    memcpy(c->languages, codes, sizeof codes);
    c->language_count = count;
}

long cfg_cut_line(const char *text, size_t *pos, int line_number, char *str, int num)
{
    const char *s = text + *pos;
    if (*s == '\0' || num < 2)
        return -1;
    size_t skip = 0;
    if (line_number == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        skip = 3; /* as Windows editors write */
    skip += strspn(s + skip, " \t");
    s += skip;
    size_t len = strcspn(s, "\n");
    size_t next = len + (s[len] == '\n');
    *pos += skip + next;
    if (len + 2 > (size_t)num)
        memcpy(str, "\n", 2); /* inih skips it as blank */
    else {
        memcpy(str, s, next);
        str[next] = '\0';
    }
    return (long)len;
}
