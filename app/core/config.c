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

#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_private.h"
#include "utf8.h"
#include "file.h"
#include "tz.h"

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
    const struct cfg_key *row = cfg_key_find(p->section, base);
    if (p->catalog_layer && row != NULL && row->scope == CFG_LOCAL) {
        cfg_error(p, cfg_here(p), key,
                  "a local key: set in the kiosk's own files, never in the catalog");
        return 1;
    }
    if (!p->catalog_layer && row != NULL && row->scope == CFG_CENTRAL) {
        cfg_error(p, cfg_here(p), key,
                  "a catalog key: only the fleet's catalog gives it (wowdash catalog import)");
        return 1;
    }
    if (!cfg_key_set(p, key, base, lang, value)) {
        char takes[256];
        cfg_section_keys(p->section, takes, sizeof takes);
        cfg_error(p, cfg_here(p), key, "unknown key; [%.40s] takes %s", p->section_name, takes);
    }
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
    /* Any such section replaces the demo ones, even one whose id is wrong;
     * in a catalog layer, the earlier layers' ones too. */
    bool clear = p->catalog_layer &&
                 (kind[0] == 'd' ? p->departments_cleared : p->reasons_cleared) != p->layer + 1;
    if (kind[0] == 'd' && (!p->departments_replaced || clear)) {
        p->config->department_count = 0;
        p->departments_replaced = true;
        p->departments_cleared = clear ? p->layer + 1 : p->departments_cleared;
    } else if (kind[0] == 'r') {
        p->reasons_replaced = true;
        if (clear) {
            p->reason_count = 0;
            p->reasons_cleared = p->layer + 1;
        }
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
    while (len > 0 && (name[0] == ' ' || name[0] == '\t'))
        name++, len--;
    while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    snprintf(p->section_name, sizeof p->section_name, "%.*s", (int)len, name);
    p->section = SEC_IGNORED;
    p->section_line = p->line;
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_LAST; s++) {
        if (!cfg_section_takes_id(s) && strcmp(p->section_name, cfg_section_name(s)) == 0) {
            p->section = s;
            return;
        }
    }
    size_t word = strcspn(p->section_name, " \t");
    const char *id = p->section_name + word + strspn(p->section_name + word, " \t");
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_LAST; s++) {
        const char *kind = cfg_section_name(s);
        if (!cfg_section_takes_id(s) || strlen(kind) != word ||
            strncmp(p->section_name, kind, word) != 0)
            continue;
        if (cfg_section_is_fleet(s))
            cfg_error(p, cfg_here(p), p->section_name,
                      "[%s ID] belongs in the catalog (wowdash catalog import), not in a "
                      "kiosk's file",
                      kind);
        else
            cfg_open_with_id(p, kind, id);
        return;
    }
    char expected[160];
    cfg_section_list(expected, sizeof expected);
    cfg_error(p, cfg_here(p), p->section_name, "unknown section; expected %s", expected);
}

/* A line that is not UTF-8 (an editor saving Latin-1): refused here, where
 * it enters, naming its key and column; such a value went through every
 * check and then failed each PostgreSQL round ("invalid byte sequence for
 * encoding UTF8"), forever. */
static void cfg_not_utf8(struct cfg_parser *p, const char *line, size_t len)
{
    size_t at = 0;
    while (at < len) {
        size_t n = utf8_sequence(line + at, len - at);
        if (n == 0)
            break;
        at += n;
    }
    char key[64] = "", full[96];
    size_t k = strcspn(line, "=");
    if (line[0] != '[' && line[0] != ';' && line[0] != '#' && k < len) {
        while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'))
            k--;
        snprintf(key, sizeof key, "%.*s", (int)(k < sizeof key ? k : sizeof key - 1), line);
        if (!utf8_valid_string(key)) /* the message must be UTF-8 itself */
            key[0] = '\0';
    }
    cfg_full_key(p, key, full, sizeof full);
    cfg_error(p, p->line, key[0] ? full : "file",
              "byte 0x%02x at column %zu is not UTF-8; expected UTF-8 text (save the file as "
              "UTF-8, not Latin-1)",
              (unsigned char)line[at], at + 1);
}

/* inih's reader: one line of the text per call (cfg_cut_line), counted;
 * headers noted here. */
static char *cfg_read_line(char *str, int num, void *stream)
{
    struct cfg_parser *p = stream;
    long len = cfg_cut_line(p->text, &p->pos, p->line + 1, str, num);
    if (len < 0)
        return NULL;
    p->line++;
    if (len + 2 > num) {
        cfg_error(p, cfg_here(p), p->section_name, "line too long: %ld bytes, at most %d", len,
                  num - 2);
        return str;
    }
    if (str[0] != ';' && str[0] != '#' && !utf8_valid(str, (size_t)len)) { /* comments: anything */
        cfg_not_utf8(p, str, (size_t)len);
        memcpy(str, "\n", 2); /* left out: inih skips it as blank */
        return str;
    }
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
        int offered = 0;
        for (int i = 0; i < c->department_count; i++)
            offered += config_offers(c, i);
        if (c->department_count == 0)
            cfg_error(p, p->mode_line, "kiosk.mode",
                      "picker mode needs at least one [department ID] section");
        else if (offered == 0)
            cfg_error(p, p->audience_line, "kiosk.audience",
                      c->audience == CONFIG_AUDIENCE_STAFF
                          ? "staff: no internal department (customer_facing = false) to offer"
                          : "customers: no customer-facing department to offer");
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
    c->reach = CONFIG_REACH_FULL;
    snprintf(c->timezone, sizeof c->timezone, "UTC");
    c->hours.always_open = true;
    press_filter_defaults(&c->press_filter);
    c->sync_interval_ms = 60000;
    c->sync_backoff_max_ms = 300000;
    c->install_updates = CONFIG_INSTALL_CLOSED;
}

const char config_defaults_ini[] =
    "[kiosk]\n"
    "languages = en, fi, de\n"
    "mode = single\n"
    "department = demo\n"
    "\n"
    "[department demo]\n"
    "name = Customer service\n"
    "\n"
    "[reason friendly]\nlabel = Friendly staff\nfor = positive\n"
    "[reason fast]\nlabel = Fast service\nfor = positive\n"
    "[reason expert]\nlabel = Expert help\nfor = positive\n"
    "[reason wait]\nlabel = Waiting time\nfor = negative\n"
    "[reason unfriendly]\nlabel = Unfriendly staff\nfor = negative\n"
    "[reason unsolved]\nlabel = Problem not solved\nfor = negative\n"
    "[reason info]\nlabel = Hard to find information\nfor = negative\n";

/* Whether text has a [catalog] header line, as the reader would see it. */
static bool cfg_has_catalog(const char *text)
{
    const char *s = text;
    if (strncmp(s, "\xEF\xBB\xBF", 3) == 0)
        s += 3;
    for (; *s != '\0'; s += strcspn(s, "\n"), s += *s == '\n') {
        s += strspn(s, " \t");
        if (*s != '[')
            continue;
        size_t len = strcspn(s + 1, "]\n");
        const char *name = s + 1 + strspn(s + 1, " \t");
        if (s[1 + len] != ']' || (size_t)(name - s - 1) > len)
            continue;
        size_t n = len - (size_t)(name - s - 1);
        while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
            n--;
        if (n == 7 && strncmp(name, "catalog", 7) == 0)
            return true;
    }
    return false;
}

/* Reads one layer's text into the parser: sections and duplicates are per
 * file, everything set stays set for the next layer to change. */
static void cfg_parse_layer(struct cfg_parser *p, int layer, const char *name, const char *text)
{
    p->layer = layer;
    p->catalog_layer = cfg_has_catalog(text);
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
            snprintf(ce->message, sizeof ce->message, "cannot read: %s", file_error(err_no));
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

/* ---- one value outside a file (the catalog) -------------------------- */

struct cfg_parser *cfg_checker_create(void)
{
    struct cfg_parser *p = calloc(1, sizeof *p);
    struct config *c = malloc(sizeof *c);
    if (p == NULL || c == NULL) {
        free(p);
        free(c);
        return NULL;
    }
    config_defaults(c);
    p->config = c;
    p->names[0] = "";
    return p;
}

void cfg_checker_destroy(struct cfg_parser *p)
{
    if (p == NULL)
        return;
    free(p->errors);
    free(p->seen);
    free(p->localized);
    free(p->config);
    free(p);
}

bool cfg_check_value(struct cfg_parser *p, enum cfg_section section, const char *section_name,
                     const char *name, const char *value, char *msg, size_t size)
{
    char key[80], base[40], lang[8];
    p->error_count = p->error_total = p->localized_count = 0;
    p->section = section;
    snprintf(p->section_name, sizeof p->section_name, "%s", section_name);
    p->scratch_department.we_did_from = p->scratch_department.we_did_until =
        0; /* one value alone */
    p->department = &p->scratch_department;
    p->reason = &p->scratch_reason;
    cfg_full_key(p, name, key, sizeof key);
    cfg_split_key(name, base, sizeof base, lang, sizeof lang);
    if (!cfg_key_set(p, key, base, lang, value)) {
        char takes[256];
        cfg_section_keys(section, takes, sizeof takes);
        snprintf(msg, size, "unknown key; [%.40s] takes %s", section_name, takes);
        return false;
    }
    if (p->error_total == 0 && strcmp(base, "timezone") == 0) {
        char err[160] = "";
        struct tz *tz = tz_load(value, NULL, err, sizeof err);
        if (tz == NULL)
            snprintf(msg, size, "%s", err[0] ? err : "not a time zone this system knows");
        tz_destroy(tz);
        return tz != NULL;
    }
    if (p->error_total == 0)
        return true;
    snprintf(msg, size, "%s", p->error_count > 0 ? p->errors[0].error.message : "out of memory");
    return false;
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

bool config_offers(const struct config *config, int department)
{
    if (department < 0 || department >= config->department_count)
        return false;
    bool facing = config->departments[department].customer_facing;
    switch (config->audience) {
    case CONFIG_AUDIENCE_CUSTOMERS:
        return facing;
    case CONFIG_AUDIENCE_STAFF:
        return !facing;
    default:
        return true;
    }
}

int config_find_department(const struct config *config, const char *id)
{
    for (int i = 0; i < config->department_count; i++)
        if (strcmp(config->departments[i].id, id) == 0)
            return i;
    return -1;
}
