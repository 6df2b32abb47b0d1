/*
 * config: reads the kiosk's INI file with inih into a struct config, and
 * reports every mistake a technician made, with its line, in one go.
 *
 * inih does not tell its handler the line number, so the parser feeds inih
 * through its own reader (ini_parse_stream) that counts lines; the reader
 * also notices section headers itself, so an empty [department x] section
 * still defines a department and errors can point at a section's line.
 *
 * Some checks need the whole file: name.LANG depends on [kiosk] languages,
 * which may come later, and a reason's list is known only from its `for`
 * key.  Those are kept in the parser and settled after inih is done.  All
 * errors are collected, sorted by line (stable) and the first
 * CONFIG_MAX_ERRORS are handed back.  Nothing is logged here: the caller
 * prints or logs the list once.  Out of memory is reported as an error.
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "tz.h"

#define CONFIG_PENDING_REASONS 32   /* [reason] sections read before sorting into lists */
#define CONFIG_MAX_KEPT_ERRORS 1000 /* beyond this errors are only counted */

/* Where a key was given: the layer in the high bits, the line in the low
 * ones, so lines kept for checks made after the last file (a department
 * named in one file, defined in another) still name the right file. */
#define CFG_LINE_BITS 24
#define CFG_LINE_MASK ((1 << CFG_LINE_BITS) - 1)

enum cfg_section {
    SEC_NONE,    /* before any header: keys there are errors */
    SEC_IGNORED, /* a bad header, already reported: its keys are skipped */
    SEC_KIOSK,
    SEC_DEPARTMENT,
    SEC_REASON,
    SEC_FOLLOWUP,
    SEC_SCREEN,
    SEC_HOURS,
    SEC_PRESS_FILTER,
    SEC_STORE,
    SEC_SYNC,
    SEC_TECHNICIAN,
};

enum cfg_reason_for { FOR_UNSET, FOR_POSITIVE, FOR_NEGATIVE, FOR_INVALID /* reported */ };

/* A [reason] section until its list is known. */
struct cfg_reason {
    struct config_reason reason;
    enum cfg_reason_for list;
    int line;
    bool has_label;
};

/* A name.LANG value, set once the language list is known. */
struct cfg_localized {
    int line;
    char key[64];
    char lang[8];
    char text[CONFIG_TEXT_MAX];
    struct config_text *dst; /* inside config or the parser's reasons */
};

struct cfg_error {
    int seq;   /* finding order, to keep the sort stable */
    int where; /* layer and line, the sort key */
    struct config_error error;
};

/* Growable arrays; each owned by the parser and freed by cfg_free(). */
struct cfg_parser {
    struct config *config;
    const char *name; /* the layer being read */
    const char *text; /* the reader's input */
    size_t pos;
    int line;  /* the line the reader last handed inih */
    int layer; /* 0: the main file; 1, 2: files that override it key by key */
    const char *names[CONFIG_MAX_LAYERS];

    enum cfg_section section;
    char section_name[64]; /* "kiosk", "department front" */
    int section_line;
    struct config_department *department; /* the open [department] */
    struct cfg_reason *reason;            /* the open [reason] */

    bool departments_replaced, reasons_replaced;
    char department_id[CONFIG_ID_MAX];
    int department_line, mode_line, timezone_line;
    bool hours_day_given, hours_always_given, hours_always;
    int hours_day_layer, hours_always_layer; /* the later layer's kind of hours wins */

    struct cfg_reason reasons[CONFIG_PENDING_REASONS];
    int reason_count;
    int department_lines[CONFIG_MAX_DEPARTMENTS];

    struct cfg_localized *localized;
    int localized_count, localized_cap;
    char (*seen)[80]; /* "section.key" already given */
    int seen_count, seen_cap;
    struct cfg_error *errors;
    int error_count, error_cap, error_total;
};

static void cfg_error(struct cfg_parser *p, int where, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The place of the line being read, as kept by the parser. */
static int cfg_here(const struct cfg_parser *p)
{
    return p->layer << CFG_LINE_BITS | (p->line & CFG_LINE_MASK);
}

/* Records one error at place `where` (cfg_here()); only counted once the
 * kept list is full or memory is out. */
static void cfg_error(struct cfg_parser *p, int where, const char *key, const char *fmt, ...)
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
static void cfg_full_key(const struct cfg_parser *p, const char *key, char *buf, size_t size)
{
    if (snprintf(buf, size, "%s.%s", p->section_name, key) >= (int)size) {
        /* cut: still unique enough for an error line */
    }
}

/* ---- values ---------------------------------------------------------- */

static bool cfg_text(struct cfg_parser *p, const char *key, const char *value, char *dst,
                     size_t size)
{
    size_t len = strlen(value);
    if (len >= size) {
        cfg_error(p, cfg_here(p), key, "text too long: %zu bytes, at most %zu", len, size - 1);
        return false;
    }
    memcpy(dst, value, len + 1);
    return true;
}

static bool cfg_is_id(const char *s)
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

static bool cfg_id(struct cfg_parser *p, int line, const char *key, const char *value, char *dst)
{
    if (!cfg_is_id(value)) {
        cfg_error(p, line, key, "expected an id of 1-%d letters, digits, '_' or '-', got '%.40s'",
                  CONFIG_ID_MAX - 1, value);
        return false;
    }
    memcpy(dst, value, strlen(value) + 1);
    return true;
}

static bool cfg_bool(struct cfg_parser *p, const char *key, const char *value, bool *dst)
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

static bool cfg_int(struct cfg_parser *p, const char *key, const char *value, long min, long max,
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

static bool cfg_seconds(struct cfg_parser *p, const char *key, const char *value, int64_t min_ms,
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

/* ---- sections -------------------------------------------------------- */

/* Splits "name.fi" into base "name" and lang "fi"; lang is "" without a dot. */
static void cfg_split_key(const char *key, char *base, size_t base_size, char *lang,
                          size_t lang_size)
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
static void cfg_localized(struct cfg_parser *p, const char *key, const char *lang,
                          const char *value, struct config_text *dst)
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
static void cfg_languages(struct cfg_parser *p, const char *key, const char *value)
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

static bool cfg_kiosk_key(struct cfg_parser *p, const char *key, const char *base, const char *lang,
                          const char *value)
{
    struct config *c = p->config;
    if (strcmp(base, "question") == 0)
        cfg_localized(p, key, lang, value, &c->question);
    else if (lang[0] != '\0')
        return false;
    else if (strcmp(base, "id") == 0)
        cfg_id(p, cfg_here(p), key, value, c->kiosk_id);
    else if (strcmp(base, "site") == 0)
        cfg_text(p, key, value, c->site, sizeof c->site);
    else if (strcmp(base, "label") == 0)
        cfg_text(p, key, value, c->label, sizeof c->label);
    else if (strcmp(base, "languages") == 0)
        cfg_languages(p, key, value);
    else if (strcmp(base, "mode") == 0) {
        p->mode_line = cfg_here(p);
        if (strcmp(value, "single") == 0)
            c->mode = CONFIG_MODE_SINGLE;
        else if (strcmp(value, "picker") == 0)
            c->mode = CONFIG_MODE_PICKER;
        else
            cfg_error(p, cfg_here(p), key, "expected single or picker, got '%.40s'", value);
    } else if (strcmp(base, "department") == 0) {
        if (cfg_id(p, cfg_here(p), key, value, p->department_id))
            p->department_line = cfg_here(p);
    } else
        return false;
    return true;
}

static bool cfg_department_key(struct cfg_parser *p, const char *key, const char *base,
                               const char *lang, const char *value)
{
    struct config_department *d = p->department;
    if (strcmp(base, "name") == 0)
        cfg_localized(p, key, lang, value, &d->name);
    else if (lang[0] == '\0' && strcmp(base, "customer_facing") == 0)
        cfg_bool(p, key, value, &d->customer_facing);
    else
        return false;
    return true;
}

static bool cfg_reason_key(struct cfg_parser *p, const char *key, const char *base,
                           const char *lang, const char *value)
{
    struct cfg_reason *r = p->reason;
    if (strcmp(base, "label") == 0) {
        cfg_localized(p, key, lang, value, &r->reason.label);
        r->has_label = r->has_label || lang[0] == '\0';
    } else if (lang[0] == '\0' && strcmp(base, "for") == 0) {
        if (strcmp(value, "positive") == 0)
            r->list = FOR_POSITIVE;
        else if (strcmp(value, "negative") == 0)
            r->list = FOR_NEGATIVE;
        else {
            r->list = FOR_INVALID;
            cfg_error(p, cfg_here(p), key, "expected positive or negative, got '%.40s'", value);
        }
    } else
        return false;
    return true;
}

static bool cfg_followup_key(struct cfg_parser *p, const char *key, const char *base,
                             const char *value)
{
    struct config *c = p->config;
    if (strcmp(base, "enabled") == 0)
        cfg_bool(p, key, value, &c->followup_enabled);
    else if (strcmp(base, "timeout_s") == 0)
        cfg_seconds(p, key, value, 1000, 120000, &c->followup_timeout_ms);
    else
        return false;
    return true;
}

static bool cfg_screen_key(struct cfg_parser *p, const char *key, const char *base,
                           const char *value)
{
    struct config *c = p->config;
    long v;
    if (strcmp(base, "rotation") == 0) {
        bool ok = strcmp(value, "0") == 0 || strcmp(value, "90") == 0 ||
                  strcmp(value, "180") == 0 || strcmp(value, "270") == 0;
        if (ok && cfg_int(p, key, value, 0, 270, &v))
            c->rotation = (int)v;
        else if (!ok)
            cfg_error(p, cfg_here(p), key, "expected 0, 90, 180 or 270, got '%.40s'", value);
    } else if (strcmp(base, "ack_ms") == 0) {
        if (cfg_int(p, key, value, 0, 2000, &v))
            c->ack_ms = v;
    } else if (strcmp(base, "thanks_s") == 0)
        cfg_seconds(p, key, value, 100, 60000, &c->thanks_ms);
    else if (strcmp(base, "picker_timeout_s") == 0)
        cfg_seconds(p, key, value, 5000, 600000, &c->picker_timeout_ms);
    else if (strcmp(base, "sleep_when_closed") == 0)
        cfg_bool(p, key, value, &c->sleep_when_closed);
    else
        return false;
    return true;
}

static bool cfg_hours_key(struct cfg_parser *p, const char *key, const char *base,
                          const char *value)
{
    static const char *const days[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    struct config *c = p->config;
    for (int d = 0; d < 7; d++) {
        if (strcmp(base, days[d]) == 0) {
            char err[160] = "";
            p->hours_day_given = true;
            p->hours_day_layer = p->layer;
            if (!hours_parse_day(&c->hours, d, value, err, sizeof err))
                cfg_error(p, cfg_here(p), key, "%s",
                          err[0] ? err : "expected 08:00-17:00 or closed");
            return true;
        }
    }
    if (strcmp(base, "timezone") == 0) {
        if (cfg_text(p, key, value, c->timezone, sizeof c->timezone))
            p->timezone_line = cfg_here(p);
    } else if (strcmp(base, "always") == 0) {
        if (cfg_bool(p, key, value, &p->hours_always)) {
            p->hours_always_given = true;
            p->hours_always_layer = p->layer;
        }
    } else
        return false;
    return true;
}

static bool cfg_press_filter_key(struct cfg_parser *p, const char *key, const char *base,
                                 const char *value)
{
    struct press_filter_settings *f = &p->config->press_filter;
    long v;
    if (strcmp(base, "min_interval_s") == 0)
        cfg_seconds(p, key, value, 0, 60000, &f->min_interval_ms);
    else if (strcmp(base, "burst_count") == 0) {
        if (cfg_int(p, key, value, 0, PRESS_FILTER_RING, &v))
            f->burst_count = (int)v;
    } else if (strcmp(base, "burst_window_s") == 0)
        cfg_seconds(p, key, value, 1000, 3600000, &f->burst_window_ms);
    else
        return false;
    return true;
}

static bool cfg_sync_key(struct cfg_parser *p, const char *key, const char *base, const char *value)
{
    struct config *c = p->config;
    if (strcmp(base, "target") == 0)
        cfg_text(p, key, value, c->sync_target, sizeof c->sync_target);
    else if (strcmp(base, "interval_s") == 0)
        cfg_seconds(p, key, value, 1000, 86400000, &c->sync_interval_ms);
    else if (strcmp(base, "backoff_max_s") == 0)
        cfg_seconds(p, key, value, 1000, 86400000, &c->sync_backoff_max_ms);
    else
        return false;
    return true;
}

static bool cfg_technician_key(struct cfg_parser *p, const char *key, const char *base,
                               const char *value)
{
    struct config *c = p->config;
    if (strcmp(base, "pin_hash") != 0)
        return false;
    if (value[0] != '\0' && strncmp(value, "$argon2id$", 10) != 0)
        cfg_error(p, cfg_here(p), key,
                  "expected an argon2id hash ($argon2id$...) as printed by wowkiosk --hash-pin, "
                  "never the PIN itself");
    else
        cfg_text(p, key, value, c->technician_pin_hash, sizeof c->technician_pin_hash);
    return true;
}

/* What each section takes, for "unknown key" errors. */
static const char *cfg_section_keys(enum cfg_section s)
{
    switch (s) {
    case SEC_KIOSK:
        return "id, site, label, languages, mode, department, question[.LANG]";
    case SEC_DEPARTMENT:
        return "name[.LANG], customer_facing";
    case SEC_REASON:
        return "label[.LANG], for";
    case SEC_FOLLOWUP:
        return "enabled, timeout_s";
    case SEC_SCREEN:
        return "rotation, ack_ms, thanks_s, picker_timeout_s, sleep_when_closed";
    case SEC_HOURS:
        return "timezone, always, mon, tue, wed, thu, fri, sat, sun";
    case SEC_PRESS_FILTER:
        return "min_interval_s, burst_count, burst_window_s";
    case SEC_STORE:
        return "path";
    case SEC_SYNC:
        return "target, interval_s, backoff_max_s";
    case SEC_TECHNICIAN:
        return "pin_hash";
    default:
        return "";
    }
}

/* Remembers key as given; false (and an error) if it was given before. */
static bool cfg_first_time(struct cfg_parser *p, const char *full_key)
{
    for (int i = 0; i < p->seen_count; i++) {
        if (strcmp(p->seen[i], full_key) == 0) {
            cfg_error(p, cfg_here(p), full_key, "duplicate key: given twice in this section");
            return false;
        }
    }
    if (p->seen_count == p->seen_cap) {
        int cap = p->seen_cap ? p->seen_cap * 2 : 32;
        char(*grown)[80] = realloc(p->seen, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return true; /* without memory duplicates go unnoticed; the value still counts */
        p->seen = grown;
        p->seen_cap = cap;
    }
    snprintf(p->seen[p->seen_count++], sizeof p->seen[0], "%s", full_key);
    return true;
}

/* The inih handler: one key = value in the section the reader saw last. */
static int handle_key(void *user, const char *section, const char *name, const char *value)
{
    (void)section; /* the reader tracks sections, with their lines */
    struct cfg_parser *p = user;
    char key[80], base[40], lang[8];
    if (p->section == SEC_IGNORED)
        return 1;
    if (p->section == SEC_NONE) {
        cfg_error(p, cfg_here(p), name, "key outside a section: expected a [section] line first");
        return 1;
    }
    cfg_full_key(p, name, key, sizeof key);
    if (!cfg_first_time(p, key))
        return 1;
    cfg_split_key(name, base, sizeof base, lang, sizeof lang);
    bool known;
    switch (p->section) {
    case SEC_KIOSK:
        known = cfg_kiosk_key(p, key, base, lang, value);
        break;
    case SEC_DEPARTMENT:
        known = cfg_department_key(p, key, base, lang, value);
        break;
    case SEC_REASON:
        known = cfg_reason_key(p, key, base, lang, value);
        break;
    case SEC_FOLLOWUP:
        known = !lang[0] && cfg_followup_key(p, key, base, value);
        break;
    case SEC_SCREEN:
        known = !lang[0] && cfg_screen_key(p, key, base, value);
        break;
    case SEC_HOURS:
        known = !lang[0] && cfg_hours_key(p, key, base, value);
        break;
    case SEC_PRESS_FILTER:
        known = !lang[0] && cfg_press_filter_key(p, key, base, value);
        break;
    case SEC_STORE:
        known = strcmp(name, "path") == 0;
        if (known)
            cfg_text(p, key, value, p->config->store_path, sizeof p->config->store_path);
        break;
    case SEC_SYNC:
        known = !lang[0] && cfg_sync_key(p, key, base, value);
        break;
    case SEC_TECHNICIAN:
        known = !lang[0] && cfg_technician_key(p, key, base, value);
        break;
    default:
        known = true;
        break;
    }
    if (!known)
        cfg_error(p, cfg_here(p), key, "unknown key; [%.40s] takes %s", p->section_name,
                  cfg_section_keys(p->section));
    return 1;
}

/* ---- section headers, seen by the reader ----------------------------- */

static void cfg_open_department(struct cfg_parser *p, const char *id)
{
    struct config *c = p->config;
    int existing = config_find_department(c, id);
    if (existing >= 0) {
        int first = p->department_lines[existing];
        if (first >> CFG_LINE_BITS < p->layer) { /* an override file changes it key by key */
            p->department = &c->departments[existing];
            p->section = SEC_DEPARTMENT;
            return;
        }
        cfg_error(p, cfg_here(p), p->section_name, "duplicate section id: first at line %d",
                  first & CFG_LINE_MASK);
        return;
    }
    if (c->department_count == CONFIG_MAX_DEPARTMENTS) {
        cfg_error(p, cfg_here(p), p->section_name, "too many departments: at most %d",
                  CONFIG_MAX_DEPARTMENTS);
        return;
    }
    p->department_lines[c->department_count] = cfg_here(p);
    struct config_department *d = &c->departments[c->department_count++];
    *d = (struct config_department){.customer_facing = true};
    memcpy(d->id, id, strlen(id) + 1);
    p->department = d;
    p->section = SEC_DEPARTMENT;
}

static void cfg_open_reason(struct cfg_parser *p, const char *id)
{
    for (int i = 0; i < p->reason_count; i++) {
        if (strcmp(p->reasons[i].reason.id, id) == 0) {
            if (p->reasons[i].line >> CFG_LINE_BITS < p->layer) { /* overridden key by key */
                p->reason = &p->reasons[i];
                p->section = SEC_REASON;
                return;
            }
            cfg_error(p, cfg_here(p), p->section_name, "duplicate section id: first at line %d",
                      p->reasons[i].line & CFG_LINE_MASK);
            return;
        }
    }
    if (p->reason_count == CONFIG_PENDING_REASONS) {
        cfg_error(p, cfg_here(p), p->section_name, "too many reasons: at most %d per list",
                  CONFIG_MAX_REASONS);
        return;
    }
    struct cfg_reason *r = &p->reasons[p->reason_count++];
    *r = (struct cfg_reason){.line = cfg_here(p)};
    memcpy(r->reason.id, id, strlen(id) + 1);
    p->reason = r;
    p->section = SEC_REASON;
}

/* A section with an id: [department ID] or [reason ID]. */
static void cfg_open_with_id(struct cfg_parser *p, const char *kind, const char *id)
{
    if (id[0] == '\0') {
        cfg_error(p, cfg_here(p), p->section_name, "expected [%s ID], got no id", kind);
        return;
    }
    /* Any such section replaces the demo ones, even one whose id is wrong. */
    if (kind[0] == 'd' && !p->departments_replaced) {
        p->config->department_count = 0;
        p->departments_replaced = true;
    } else if (kind[0] == 'r') {
        p->reasons_replaced = true;
    }
    char valid[CONFIG_ID_MAX];
    if (!cfg_id(p, cfg_here(p), p->section_name, id, valid))
        return;
    if (kind[0] == 'd')
        cfg_open_department(p, valid);
    else
        cfg_open_reason(p, valid);
}

static void cfg_section_start(struct cfg_parser *p, const char *name, size_t len)
{
    static const struct {
        const char *name;
        enum cfg_section section;
    } plain[] = {
        {"kiosk", SEC_KIOSK}, {"followup", SEC_FOLLOWUP},         {"screen", SEC_SCREEN},
        {"hours", SEC_HOURS}, {"press_filter", SEC_PRESS_FILTER}, {"store", SEC_STORE},
        {"sync", SEC_SYNC},   {"technician", SEC_TECHNICIAN},
    };
    while (len > 0 && (name[0] == ' ' || name[0] == '\t'))
        name++, len--;
    while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    snprintf(p->section_name, sizeof p->section_name, "%.*s", (int)len, name);
    p->section = SEC_IGNORED;
    p->section_line = p->line;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        if (strcmp(p->section_name, plain[i].name) == 0) {
            p->section = plain[i].section;
            return;
        }
    }
    size_t word = strcspn(p->section_name, " \t");
    const char *id = p->section_name + word + strspn(p->section_name + word, " \t");
    if (word == 10 && strncmp(p->section_name, "department", 10) == 0)
        cfg_open_with_id(p, "department", id);
    else if (word == 6 && strncmp(p->section_name, "reason", 6) == 0)
        cfg_open_with_id(p, "reason", id);
    else
        cfg_error(p, cfg_here(p), p->section_name,
                  "unknown section; expected kiosk, department ID, reason ID, followup, screen, "
                  "hours, press_filter, store, sync or technician");
}

/* inih's reader: one line of the text per call, counted; headers noted here.
 * Leading blanks are dropped before inih sees the line: inih would take an
 * indented line as the continuation of the previous value (so an indented
 * [section] or key would silently become part of a text), and indenting is
 * something technicians do. */
static char *cfg_read_line(char *str, int num, void *stream)
{
    struct cfg_parser *p = stream;
    const char *s = p->text + p->pos;
    if (*s == '\0' || num < 2)
        return NULL;
    p->line++;
    size_t skip = 0;
    if (p->line == 1 && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
        (unsigned char)s[2] == 0xBF)
        skip = 3; /* a UTF-8 byte order mark, as Windows editors write */
    skip += strspn(s + skip, " \t");
    s += skip;
    size_t len = strcspn(s, "\n");
    size_t next = len + (s[len] == '\n');
    p->pos += skip + next;
    if (len + 2 > (size_t)num) {
        cfg_error(p, cfg_here(p), p->section_name, "line too long: %zu bytes, at most %d", len,
                  num - 2);
        memcpy(str, "\n", 2); /* inih skips it as blank */
        return str;
    }
    memcpy(str, s, next);
    str[next] = '\0';
    if (str[0] == '[') {
        const char *close = strchr(str, ']');
        if (close != NULL)
            cfg_section_start(p, str + 1, (size_t)(close - str - 1));
    }
    return str;
}

/* ---- after the last line --------------------------------------------- */

static int cfg_language_index(const struct config *c, const char *lang)
{
    for (int i = 0; i < c->language_count; i++)
        if (strcmp(c->languages[i], lang) == 0)
            return i;
    return -1;
}

static void cfg_settle_localized(struct cfg_parser *p)
{
    struct config *c = p->config;
    for (int i = 0; i < p->localized_count; i++) {
        struct cfg_localized *l = &p->localized[i];
        int index = cfg_language_index(c, l->lang);
        if (index < 0) {
            char list[64] = "";
            size_t n = 0;
            for (int j = 0; j < c->language_count && n < sizeof list; j++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", j ? ", " : "",
                                      c->languages[j]);
            cfg_error(p, l->line, l->key, "language '%.7s' is not in [kiosk] languages (%s)",
                      l->lang, list);
            continue;
        }
        if (index == 0 && l->dst->lang[0][0] != '\0') {
            cfg_error(p, l->line, l->key,
                      "duplicate key: '%s' is the first language, given by the key without .%s",
                      l->lang, l->lang);
            continue;
        }
        memcpy(l->dst->lang[index], l->text, sizeof l->text);
    }
}

static void cfg_settle_reasons(struct cfg_parser *p)
{
    struct config *c = p->config;
    if (p->reasons_replaced)
        c->positive_count = c->negative_count = 0;
    for (int i = 0; i < p->reason_count; i++) {
        struct cfg_reason *r = &p->reasons[i];
        char key[80];
        snprintf(key, sizeof key, "reason %s", r->reason.id);
        if (r->list == FOR_UNSET) {
            cfg_error(p, r->line, key, "missing key for: expected for = positive or negative");
            continue;
        }
        if (r->list == FOR_INVALID)
            continue;
        if (!r->has_label)
            cfg_error(p, r->line, key, "missing key label: the text of the answer");
        bool positive = r->list == FOR_POSITIVE;
        int *count = positive ? &c->positive_count : &c->negative_count;
        if (*count == CONFIG_MAX_REASONS) {
            cfg_error(p, r->line, key, "too many %s reasons: at most %d",
                      positive ? "positive" : "negative", CONFIG_MAX_REASONS);
            continue;
        }
        (positive ? c->positive : c->negative)[(*count)++] = r->reason;
    }
}

static void cfg_settle_department(struct cfg_parser *p)
{
    struct config *c = p->config;
    if (c->mode == CONFIG_MODE_PICKER) {
        if (c->department_count == 0)
            cfg_error(p, p->mode_line, "kiosk.mode",
                      "picker mode needs at least one [department ID] section");
        return;
    }
    char list[128] = "";
    size_t n = 0;
    for (int i = 0; i < c->department_count && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                              c->departments[i].id);
    c->department = 0;
    if (p->department_id[0] == '\0') {
        /* One department can only mean that one; of several, guessing would
         * record a whole site's answers under the wrong department. */
        if (c->department_count == 0)
            cfg_error(p, p->mode_line, "kiosk.mode", "single mode needs a [department ID] section");
        else if (c->department_count > 1)
            cfg_error(p, 0, "kiosk.department",
                      "single mode with %d departments needs department = ID; defined: %s",
                      c->department_count, list);
        return;
    }
    c->department = config_find_department(c, p->department_id);
    if (c->department < 0) {
        cfg_error(p, p->department_line, "kiosk.department",
                  "department '%s' is not defined; defined: %s", p->department_id,
                  n ? list : "none");
        c->department = 0;
    }
}

static void cfg_settle_hours(struct cfg_parser *p)
{
    struct config *c = p->config;
    if (p->hours_always_given &&
        (!p->hours_day_given || p->hours_always_layer >= p->hours_day_layer))
        c->hours.always_open = p->hours_always;
    else if (p->hours_day_given)
        c->hours.always_open = false;
    if (p->timezone_line > 0) {
        char err[160] = "";
        struct tz *tz = tz_load(c->timezone, NULL, err, sizeof err);
        if (tz == NULL)
            cfg_error(p, p->timezone_line, "hours.timezone", "%s",
                      err[0] ? err : "not a time zone this system knows");
        tz_destroy(tz);
    }
}

static int cfg_error_compare(const void *a, const void *b)
{
    const struct cfg_error *x = a, *y = b;
    if (x->where != y->where)
        return x->where < y->where ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sorts the errors by line and hands the first CONFIG_MAX_ERRORS over. */
static bool cfg_finish(struct cfg_parser *p, struct config_errors *errors)
{
    if (p->error_count > 1)
        qsort(p->errors, (size_t)p->error_count, sizeof *p->errors, cfg_error_compare);
    errors->total = p->error_total;
    errors->count = p->error_count < CONFIG_MAX_ERRORS ? p->error_count : CONFIG_MAX_ERRORS;
    for (int i = 0; i < errors->count; i++)
        errors->error[i] = p->errors[i].error;
    bool ok = p->error_total == 0;
    free(p->errors);
    free(p->seen);
    free(p->localized);
    return ok;
}

/* ---- public ---------------------------------------------------------- */

void config_defaults(struct config *config)
{
    static const char *const positive[][2] = {
        {"friendly", "Friendly staff"}, {"fast", "Fast service"}, {"expert", "Expert help"}};
    static const char *const negative[][2] = {{"wait", "Waiting time"},
                                              {"unfriendly", "Unfriendly staff"},
                                              {"unsolved", "Problem not solved"},
                                              {"info", "Hard to find information"}};
    struct config *c = config;
    memset(c, 0, sizeof *c);
    snprintf(c->kiosk_id, sizeof c->kiosk_id, "dev-kiosk");
    snprintf(c->site, sizeof c->site, "Development");
    c->language_count = 3;
    memcpy(c->languages[0], "en", 3);
    memcpy(c->languages[1], "fi", 3);
    memcpy(c->languages[2], "de", 3);
    c->mode = CONFIG_MODE_SINGLE;
    c->department = 0;
    c->department_count = 1;
    snprintf(c->departments[0].id, sizeof c->departments[0].id, "demo");
    snprintf(c->departments[0].name.lang[0], CONFIG_TEXT_MAX, "Customer service");
    c->departments[0].customer_facing = true;
    c->followup_enabled = true;
    for (size_t i = 0; i < sizeof positive / sizeof positive[0]; i++) {
        snprintf(c->positive[i].id, CONFIG_ID_MAX, "%s", positive[i][0]);
        snprintf(c->positive[i].label.lang[0], CONFIG_TEXT_MAX, "%s", positive[i][1]);
    }
    c->positive_count = (int)(sizeof positive / sizeof positive[0]);
    for (size_t i = 0; i < sizeof negative / sizeof negative[0]; i++) {
        snprintf(c->negative[i].id, CONFIG_ID_MAX, "%s", negative[i][0]);
        snprintf(c->negative[i].label.lang[0], CONFIG_TEXT_MAX, "%s", negative[i][1]);
    }
    c->negative_count = (int)(sizeof negative / sizeof negative[0]);
    c->followup_timeout_ms = 10000;
    c->ack_ms = 150;
    c->thanks_ms = 2500;
    c->picker_timeout_ms = 20000;
    c->rotation = 0;
    c->sleep_when_closed = true;
    snprintf(c->timezone, sizeof c->timezone, "UTC");
    c->hours.always_open = true;
    press_filter_defaults(&c->press_filter);
    c->sync_interval_ms = 60000;
    c->sync_backoff_max_ms = 300000;
}

/* Reads one layer's text into the parser: sections and duplicates are per
 * file, everything set stays set for the next layer to change. */
static void cfg_parse_layer(struct cfg_parser *p, int layer, const char *name, const char *text)
{
    p->layer = layer;
    p->names[layer] = name;
    p->name = name;
    p->text = text;
    p->pos = 0;
    p->line = 0;
    p->section = SEC_NONE;
    p->section_name[0] = '\0';
    p->department = NULL;
    p->reason = NULL;
    p->seen_count = 0;
    int rc = ini_parse_stream(cfg_read_line, p, handle_key, p);
    if (rc > 0)
        cfg_error(p, layer << CFG_LINE_BITS | (rc & CFG_LINE_MASK), "",
                  "expected [section] or key = value");
    else if (rc < 0)
        cfg_error(p, layer << CFG_LINE_BITS, "", "inih could not parse the file (out of memory)");
}

bool config_parse_layers(struct config *config, const char *const *names, const char *const *texts,
                         int count, struct config_errors *errors)
{
    struct cfg_parser *p = calloc(1, sizeof *p); /* large: kept off the stack */
    if (p == NULL || count < 1 || count > CONFIG_MAX_LAYERS) {
        free(p);
        *errors = (struct config_errors){.count = 1, .total = 1};
        snprintf(errors->error[0].file, sizeof errors->error[0].file, "%s", names[0]);
        snprintf(errors->error[0].message, sizeof errors->error[0].message,
                 p == NULL ? "out of memory" : "too many configuration files");
        return false;
    }
    config_defaults(config);
    p->config = config;
    for (int i = 0; i < count; i++)
        cfg_parse_layer(p, i, names[i], texts[i]);
    cfg_settle_localized(p);
    cfg_settle_reasons(p);
    cfg_settle_department(p);
    cfg_settle_hours(p);
    bool ok = cfg_finish(p, errors);
    free(p);
    return ok;
}

bool config_parse(struct config *config, const char *name, const char *text,
                  struct config_errors *errors)
{
    return config_parse_layers(config, &name, &text, 1, errors);
}

bool config_load_layers(struct config *config, const char *const *paths, int count,
                        struct config_errors *errors)
{
    char *texts[CONFIG_MAX_LAYERS] = {0};
    bool ok = count >= 1 && count <= CONFIG_MAX_LAYERS;
    for (int i = 0; ok && i < count; i++) {
        int err_no = 0;
        texts[i] = file_read_text(paths[i], &err_no);
        if (texts[i] == NULL) {
            *errors = (struct config_errors){.count = 1, .total = 1};
            struct config_error *ce = &errors->error[0];
            snprintf(ce->file, sizeof ce->file, "%s", paths[i]);
            snprintf(ce->key, sizeof ce->key, "file");
            snprintf(ce->message, sizeof ce->message, "cannot read: %s", strerror(err_no));
            ok = false;
        }
    }
    if (ok)
        ok = config_parse_layers(config, paths, (const char *const *)texts, count, errors);
    else
        config_defaults(config);
    for (int i = 0; i < count && i < CONFIG_MAX_LAYERS; i++)
        free(texts[i]);
    /* the path is only shown: a cut one is still recognisable */
    int n = snprintf(config->path, sizeof config->path, "%s", count >= 1 ? paths[0] : "");
    (void)n;
    return ok;
}

bool config_load(struct config *config, const char *path, struct config_errors *errors)
{
    return config_load_layers(config, &path, 1, errors);
}

void config_error_format(const struct config_error *error, char *buf, unsigned size)
{
    if (size == 0)
        return;
    if (error->key[0] != '\0')
        snprintf(buf, size, "%s:%d: %s: %s", error->file, error->line, error->key, error->message);
    else
        snprintf(buf, size, "%s:%d: %s", error->file, error->line, error->message);
}

int config_find_department(const struct config *config, const char *id)
{
    for (int i = 0; i < config->department_count; i++)
        if (strcmp(config->departments[i].id, id) == 0)
            return i;
    return -1;
}
