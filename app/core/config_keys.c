/*
 * config_keys: every key of the kiosk's config file, once, in one table:
 * its section, name, kind, range, field, default and meaning.  Parsing
 * (cfg_key_set), the "unknown key; [screen] takes ..." list and the
 * documentation are driven by or checked against it.
 *
 * How to add a config key:
 *  1. add its field to struct config (config.h) and its default to
 *     config_defaults() (config.c);
 *  2. add one row to cfg_keys[] below, in its section's rows: a generic
 *     kind (text, id, bool, int, ms, seconds) needs only the field and its
 *     range; a key that sets more than one field or is checked against
 *     others gets a setter (CFG_SPECIAL) in this file;
 *  3. add a row to the section's table in docs/CONFIG.md and in README.md
 *     ("Configuration"), with the same default: test_config_keys fails
 *     until both say what the table says, and until the default in the
 *     table is what config_defaults() really sets.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_private.h"

/* ---- the keys that are more than one field ---------------------------- */

/* A catalog layer's opening hours replace the earlier layers' (docs/CATALOG.md). */
static void cfg_catalog_hours(struct cfg_parser *p)
{
    if (!p->catalog_layer || p->hours_cleared == p->layer + 1)
        return;
    p->hours_cleared = p->layer + 1;
    p->hours_day_given = p->hours_always_given = false;
    memset(p->config->hours.count, 0, sizeof p->config->hours.count);
}

static void set_question(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    cfg_localized(p, key, lang, value, &p->config->question);
}

static void set_languages(struct cfg_parser *p, const char *key, const char *lang,
                          const char *value)
{
    cfg_languages(p, key, value);
}

static void set_mode(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    p->mode_line = cfg_here(p);
    if (strcmp(value, "single") == 0)
        p->config->mode = CONFIG_MODE_SINGLE;
    else if (strcmp(value, "picker") == 0)
        p->config->mode = CONFIG_MODE_PICKER;
    else
        cfg_error(p, cfg_here(p), key, "expected single or picker, got '%.40s'", value);
}

static void set_audience(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    p->audience_line = cfg_here(p);
    if (strcmp(value, "all") == 0)
        p->config->audience = CONFIG_AUDIENCE_ALL;
    else if (strcmp(value, "customers") == 0)
        p->config->audience = CONFIG_AUDIENCE_CUSTOMERS;
    else if (strcmp(value, "staff") == 0)
        p->config->audience = CONFIG_AUDIENCE_STAFF;
    else
        cfg_error(p, cfg_here(p), key, "expected all, customers or staff, got '%.40s'", value);
}

/* The department rated in single mode: checked once every file is read. */
static void set_department(struct cfg_parser *p, const char *key, const char *lang,
                           const char *value)
{
    if (cfg_id(p, cfg_here(p), key, value, p->department_id))
        p->department_line = cfg_here(p);
}

static void set_department_name(struct cfg_parser *p, const char *key, const char *lang,
                                const char *value)
{
    cfg_localized(p, key, lang, value, &p->department->name);
}

static void set_department_question(struct cfg_parser *p, const char *key, const char *lang,
                                    const char *value)
{
    cfg_localized(p, key, lang, value, &p->department->question);
}

static void set_reason_label(struct cfg_parser *p, const char *key, const char *lang,
                             const char *value)
{
    struct cfg_reason *r = p->reason;
    cfg_localized(p, key, lang, value, &r->reason.label);
    r->has_label = r->has_label || lang[0] == '\0';
}

static void set_reason_for(struct cfg_parser *p, const char *key, const char *lang,
                           const char *value)
{
    struct cfg_reason *r = p->reason;
    if (strcmp(value, "positive") == 0) {
        r->list = FOR_POSITIVE;
    } else if (strcmp(value, "negative") == 0) {
        r->list = FOR_NEGATIVE;
    } else {
        r->list = FOR_INVALID;
        cfg_error(p, cfg_here(p), key, "expected positive or negative, got '%.40s'", value);
    }
}

static void set_rotation(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    long v;
    bool ok = strcmp(value, "0") == 0 || strcmp(value, "90") == 0 || strcmp(value, "180") == 0 ||
              strcmp(value, "270") == 0;
    if (ok && cfg_int(p, key, value, 0, 270, &v))
        p->config->rotation = (int)v;
    else if (!ok)
        cfg_error(p, cfg_here(p), key, "expected 0, 90, 180 or 270, got '%.40s'", value);
}

static void set_reach(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    if (strcmp(value, "full") == 0)
        p->config->reach = CONFIG_REACH_FULL;
    else if (strcmp(value, "low") == 0)
        p->config->reach = CONFIG_REACH_LOW;
    else
        cfg_error(p, cfg_here(p), key, "expected full or low, got '%.40s'", value);
}

/* The index of value in names (n of them, "a, b or c" in the error);
 * -1, said as FILE:LINE: key: expected ..., when it is none of them. */
static int choice(struct cfg_parser *p, const char *key, const char *value,
                  const char *const *names, size_t n, const char *expected)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(value, names[i]) == 0)
            return (int)i;
    cfg_error(p, cfg_here(p), key, "expected %s, got '%.40s'", expected, value);
    return -1;
}

static void set_install_updates(struct cfg_parser *p, const char *key, const char *lang,
                                const char *value)
{
    static const char *const names[] = {[CONFIG_INSTALL_CLOSED] = "closed",
                                        [CONFIG_INSTALL_IDLE] = "idle",
                                        [CONFIG_INSTALL_NEVER] = "never"};
    int i = choice(p, key, value, names, sizeof names / sizeof names[0], "closed, idle or never");
    if (i >= 0)
        p->config->install_updates = (enum config_install)i;
}

static void set_department_comments(struct cfg_parser *p, const char *key, const char *lang,
                                    const char *value)
{
    static const char *const names[] = {[CONFIG_COMMENTS_OFF] = "off",
                                        [CONFIG_COMMENTS_NEGATIVE] = "negative",
                                        [CONFIG_COMMENTS_ANY] = "any"};
    int i = choice(p, key, value, names, sizeof names / sizeof names[0], "off, negative or any");
    if (i >= 0)
        p->department->comments = (enum config_comments)i;
}

/* A web address the QR code can carry: http(s)://, no spaces or quotes. */
static void set_phone_url(struct cfg_parser *p, const char *key, const char *lang,
                          const char *value)
{
    bool scheme = strncmp(value, "https://", 8) == 0 || strncmp(value, "http://", 7) == 0;
    bool clean = strpbrk(value, " \t\"'<>\\") == NULL;
    if (!scheme || !clean || strlen(value) > 200) {
        cfg_error(p, cfg_here(p), key,
                  "expected the dashboard's address of the phone form, http(s)://HOST/c/, "
                  "got '%.60s'",
                  value);
        return;
    }
    cfg_text(p, key, value, p->config->comments_phone_url, sizeof p->config->comments_phone_url);
}

static void set_department_we_did(struct cfg_parser *p, const char *key, const char *lang,
                                  const char *value)
{
    cfg_localized(p, key, lang, value, &p->department->we_did);
}

/* A calendar date YYYY-MM-DD (years 2000-2999) as YYYYMMDD; 0 if it is none. */
static int32_t parse_date(const char *v)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? v[i] != '-' : (v[i] < '0' || v[i] > '9'))
            return 0;
    if (v[10] != '\0')
        return 0;
    /* every character was checked to be a digit above */
    int y = (v[0] - '0') * 1000 + (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
    int m = (v[5] - '0') * 10 + (v[6] - '0'), d = (v[8] - '0') * 10 + (v[9] - '0');
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 2000 || y > 2999 || m < 1 || m > 12 || d < 1 ||
        d > days[m - 1] + (m == 2 && leap ? 1 : 0))
        return 0;
    return y * 10000 + m * 100 + d;
}

/* we_did_from / we_did_until: a date, and never an end before the start. */
static void set_we_did_date(struct cfg_parser *p, const char *key, const char *lang,
                            const char *value)
{
    struct config_department *d = p->department;
    int32_t date = parse_date(value);
    if (date == 0) {
        cfg_error(p, cfg_here(p), key, "expected a date YYYY-MM-DD, got '%.40s'", value);
        return;
    }
    bool until = strstr(key, "we_did_until") != NULL; /* key: "department ID.we_did_until" */
    int32_t from = until ? d->we_did_from : date, last = until ? date : d->we_did_until;
    if (from != 0 && last != 0 && last < from) {
        cfg_error(p, cfg_here(p), key, "the note would end (%d) before it starts (%d)", last, from);
        return;
    }
    *(until ? &d->we_did_until : &d->we_did_from) = date;
}

static void set_timezone(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    if (cfg_text(p, key, value, p->config->timezone, sizeof p->config->timezone))
        p->timezone_line = cfg_here(p);
}

static void set_always(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    cfg_catalog_hours(p);
    if (cfg_bool(p, key, value, &p->hours_always)) {
        p->hours_always_given = true;
        p->hours_always_layer = p->layer;
    }
}

/* mon .. sun: the day is the key's place among them. */
static void set_day(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    static const char *const days[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    const char *base = strrchr(key, '.') + 1; /* key is "hours.mon" */
    int d = 0;
    while (d < 6 && strcmp(base, days[d]) != 0)
        d++;
    char err[160] = "";
    cfg_catalog_hours(p);
    p->hours_day_given = true;
    p->hours_day_layer = p->layer;
    if (!hours_parse_day(&p->config->hours, d, value, err, sizeof err))
        cfg_error(p, cfg_here(p), key, "%s", err[0] ? err : "expected 08:00-17:00 or closed");
}

static void set_pin_hash(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    struct config *c = p->config;
    if (value[0] != '\0' && strncmp(value, "$argon2id$", 10) != 0)
        cfg_error(p, cfg_here(p), key,
                  "expected an argon2id hash ($argon2id$...) as printed by wowkiosk --hash-pin, "
                  "never the PIN itself");
    else
        cfg_text(p, key, value, c->technician_pin_hash, sizeof c->technician_pin_hash);
}

static void set_catalog_version(struct cfg_parser *p, const char *key, const char *lang,
                                const char *value)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (end == value || *end != '\0' || errno != 0 || v < 1 || value[0] == '+')
        cfg_error(p, cfg_here(p), key, "expected a whole number from 1 to %lld, got '%.40s'",
                  (long long)INT64_MAX, value);
    else
        p->config->catalog_version = v;
}

/* The catalog's own sections ([kiosk ID], [site ID], [group ID]) are only
 * checked here (cfg_check_value); their values go to the parser's scratch. */
static void set_fleet_id(struct cfg_parser *p, const char *key, const char *lang, const char *value)
{
    cfg_id(p, cfg_here(p), key, value, p->scratch_id);
}

static void set_fleet_text(struct cfg_parser *p, const char *key, const char *lang,
                           const char *value)
{
    cfg_text(p, key, value, p->scratch_text.lang[0], sizeof p->scratch_text.lang[0]);
}

static void set_fleet_bool(struct cfg_parser *p, const char *key, const char *lang,
                           const char *value)
{
    bool scratch;
    cfg_bool(p, key, value, &scratch);
}

static void set_fleet_localized(struct cfg_parser *p, const char *key, const char *lang,
                                const char *value)
{
    cfg_localized(p, key, lang, value, &p->scratch_text);
}

/* "front, lab": department ids, each once; empty means every department. */
static void set_departments(struct cfg_parser *p, const char *key, const char *lang,
                            const char *value)
{
    char id[64];
    if (strlen(value) > CONFIG_LIST_MAX) {
        cfg_error(p, cfg_here(p), key, "too long: %zu bytes, at most %d", strlen(value),
                  CONFIG_LIST_MAX);
        return;
    }
    for (const char *s = value; *s != '\0';) {
        size_t n = strcspn(s, ",");
        const char *a = s, *b = s + n;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        snprintf(id, sizeof id, "%.*s", (int)(b - a < 63 ? b - a : 63), a);
        if (!cfg_is_id(id)) {
            cfg_error(p, cfg_here(p), key,
                      "expected department ids separated by commas, got '%.40s'", id);
            return;
        }
        s += n + (s[n] == ',');
    }
}

/* ---- the table -------------------------------------------------------- */

#define FIELD(member)                                                                              \
    CFG_IN_CONFIG, offsetof(struct config, member), sizeof(((struct config *)0)->member)
#define DEPT_FIELD(member)                                                                         \
    CFG_IN_DEPARTMENT, offsetof(struct config_department, member),                                 \
        sizeof(((struct config_department *)0)->member)
#define SPECIAL CFG_SPECIAL, 0, 0, CFG_IN_CONFIG, 0, 0
#define LOCAL   CFG_LOCAL
#define CENTRAL CFG_CENTRAL
#define BOTH    CFG_BOTH

/* In each section, the rows' order is the order "unknown key" lists them. */
const struct cfg_key cfg_keys[] = {
    {SEC_KIOSK, "id", false, CFG_ID, 0, 0, FIELD(kiosk_id), NULL, "dev-kiosk", "this kiosk's id",
     LOCAL},
    {SEC_KIOSK, "site", false, CFG_TEXT, 0, 0, FIELD(site), NULL, "Development", "site name", BOTH},
    {SEC_KIOSK, "label", false, CFG_TEXT, 0, 0, FIELD(label), NULL, NULL, "free text", BOTH},
    {SEC_KIOSK, "languages", false, SPECIAL, set_languages, "en, fi, de", "language codes", BOTH},
    {SEC_KIOSK, "mode", false, SPECIAL, set_mode, "single", "single or picker", BOTH},
    {SEC_KIOSK, "audience", false, SPECIAL, set_audience, "all",
     "picker mode: all, customers or staff (the internal teams)", BOTH},
    {SEC_KIOSK, "department", false, SPECIAL, set_department, NULL, "single mode: the department",
     BOTH},
    {SEC_KIOSK, "question", true, SPECIAL, set_question, NULL, "the rating question", BOTH},
    {SEC_DEPARTMENT, "name", true, SPECIAL, set_department_name, NULL, "the name shown", BOTH},
    {SEC_DEPARTMENT, "customer_facing", false, CFG_BOOL, 0, 0, DEPT_FIELD(customer_facing), NULL,
     "true", "internal departments: false", BOTH},
    {SEC_DEPARTMENT, "group", false, CFG_ID, 0, 0, DEPT_FIELD(group), NULL, NULL,
     "the catalog's group it belongs to", BOTH},
    {SEC_DEPARTMENT, "question", true, SPECIAL, set_department_question, NULL,
     "its own question, asked instead of the kiosk's", BOTH},
    {SEC_DEPARTMENT, "we_did", true, SPECIAL, set_department_we_did, NULL,
     "\"You said, we did\": a short note to its customers", BOTH},
    {SEC_DEPARTMENT, "we_did_from", false, SPECIAL, set_we_did_date, NULL,
     "the note's first day, YYYY-MM-DD", BOTH},
    {SEC_DEPARTMENT, "we_did_until", false, SPECIAL, set_we_did_date, NULL,
     "the note's last day, YYYY-MM-DD", BOTH},
    {SEC_DEPARTMENT, "we_did_score", false, CFG_BOOL, 0, 0, DEPT_FIELD(we_did_score), NULL, "false",
     "beside the note, this week's share of happy answers here", BOTH},
    {SEC_DEPARTMENT, "comments", false, SPECIAL, set_department_comments, "off",
     "\"Tell us more\" after a face: off, negative or any", BOTH},
    {SEC_DEPARTMENT, "head_edits", false, SPECIAL, set_fleet_bool, NULL,
     "its head may edit its question in the dashboard", CENTRAL},
    {SEC_REASON, "label", true, SPECIAL, set_reason_label, NULL, "the answer's text", BOTH},
    {SEC_REASON, "for", false, SPECIAL, set_reason_for, NULL, "positive or negative", BOTH},
    {SEC_REASON, "owner", false, SPECIAL, set_fleet_id, NULL, "the department that owns the cause",
     CENTRAL},
    {SEC_FOLLOWUP, "enabled", false, CFG_BOOL, 0, 0, FIELD(followup_enabled), NULL, "true",
     "ask why after a face", BOTH},
    {SEC_FOLLOWUP, "timeout_s", false, CFG_SECONDS, 1000, 120000, FIELD(followup_timeout_ms), NULL,
     "10", "no answer for this long ends the follow-up", BOTH},
    {SEC_SCREEN, "rotation", false, SPECIAL, set_rotation, "0", "0, 90, 180, 270", LOCAL},
    {SEC_SCREEN, "ack_ms", false, CFG_MS, 0, 2000, FIELD(ack_ms), NULL, "150",
     "the pressed face is shown this long", BOTH},
    {SEC_SCREEN, "thanks_s", false, CFG_SECONDS, 100, 60000, FIELD(thanks_ms), NULL, "2.5",
     "the thank-you screen", BOTH},
    {SEC_SCREEN, "picker_timeout_s", false, CFG_SECONDS, 5000, 600000, FIELD(picker_timeout_ms),
     NULL, "20", "picker mode: back to the picker", BOTH},
    {SEC_SCREEN, "sleep_when_closed", false, CFG_BOOL, 0, 0, FIELD(sleep_when_closed), NULL, "true",
     "the display sleeps outside opening hours", BOTH},
    {SEC_SCREEN, "reach", false, SPECIAL, set_reach, "full",
     "full, or low: a portrait screen's buttons in its lower part only", LOCAL},
    {SEC_HOURS, "timezone", false, SPECIAL, set_timezone, "UTC", "the site's IANA zone", BOTH},
    {SEC_HOURS, "always", false, SPECIAL, set_always, NULL,
     "open around the clock, or only the days given", BOTH},
    {SEC_HOURS, "mon", false, SPECIAL, set_day, NULL, "Monday's hours", BOTH},
    {SEC_HOURS, "tue", false, SPECIAL, set_day, NULL, "Tuesday's hours", BOTH},
    {SEC_HOURS, "wed", false, SPECIAL, set_day, NULL, "Wednesday's hours", BOTH},
    {SEC_HOURS, "thu", false, SPECIAL, set_day, NULL, "Thursday's hours", BOTH},
    {SEC_HOURS, "fri", false, SPECIAL, set_day, NULL, "Friday's hours", BOTH},
    {SEC_HOURS, "sat", false, SPECIAL, set_day, NULL, "Saturday's hours", BOTH},
    {SEC_HOURS, "sun", false, SPECIAL, set_day, NULL, "Sunday's hours", BOTH},
    {SEC_PRESS_FILTER, "min_interval_s", false, CFG_SECONDS, 0, 60000,
     FIELD(press_filter.min_interval_ms), NULL, "4", "a tap sooner than this is misuse", BOTH},
    {SEC_PRESS_FILTER, "burst_count", false, CFG_INT, 0, PRESS_FILTER_RING,
     FIELD(press_filter.burst_count), NULL, "6", "more taps than this in the window are misuse",
     BOTH},
    {SEC_PRESS_FILTER, "burst_window_s", false, CFG_SECONDS, 1000, 3600000,
     FIELD(press_filter.burst_window_ms), NULL, "60", "the burst rule's window", BOTH},
    {SEC_STORE, "path", false, CFG_TEXT, 0, 0, FIELD(store_path), NULL, NULL, "the local database",
     LOCAL},
    {SEC_STORE, "spill_dir", false, CFG_TEXT, 0, 0, FIELD(store_spill_dir), NULL, NULL,
     "where records waiting at a stop are kept", LOCAL},
    {SEC_SYNC, "target", false, CFG_TEXT, 0, 0, FIELD(sync_target), NULL, NULL, "where counts go",
     LOCAL},
    {SEC_SYNC, "interval_s", false, CFG_SECONDS, 1000, 86400000, FIELD(sync_interval_ms), NULL,
     "60", "between rounds", LOCAL},
    {SEC_SYNC, "backoff_max_s", false, CFG_SECONDS, 1000, 86400000, FIELD(sync_backoff_max_ms),
     NULL, "300", "the cap of the back-off", LOCAL},
    {SEC_SYNC, "install_updates", false, SPECIAL, set_install_updates, "closed",
     "when a system update the dashboard offers may install: closed (outside opening hours), "
     "idle (after 10 minutes unused) or never",
     LOCAL},
    {SEC_COMMENTS, "phone_url", false, SPECIAL, set_phone_url, NULL,
     "the phone form's address, ending in /c/ (no QR code without it)", LOCAL},
    {SEC_TECHNICIAN, "pin_hash", false, SPECIAL, set_pin_hash, NULL, "the PIN's argon2id hash",
     LOCAL},
    {SEC_CATALOG, "version", false, SPECIAL, set_catalog_version, NULL, "the catalog's version",
     CENTRAL},
    {SEC_KIOSK_ID, "site", false, SPECIAL, set_fleet_id, NULL, "its [site ID]", CENTRAL},
    {SEC_KIOSK_ID, "label", false, SPECIAL, set_fleet_text, NULL, "free text", CENTRAL},
    {SEC_KIOSK_ID, "mode", false, SPECIAL, set_mode, NULL, "single or picker", CENTRAL},
    {SEC_KIOSK_ID, "audience", false, SPECIAL, set_audience, NULL,
     "picker mode: all, customers or staff (the internal teams)", CENTRAL},
    {SEC_KIOSK_ID, "department", false, SPECIAL, set_fleet_id, NULL, "single mode: the department",
     CENTRAL},
    {SEC_KIOSK_ID, "departments", false, SPECIAL, set_departments, NULL,
     "picker mode: the departments offered", CENTRAL},
    {SEC_KIOSK_ID, "question", true, SPECIAL, set_fleet_localized, NULL, "its rating question",
     CENTRAL},
    {SEC_SITE, "name", false, SPECIAL, set_fleet_text, NULL, "the site's name", CENTRAL},
    {SEC_SITE, "timezone", false, SPECIAL, set_timezone, NULL, "the site's IANA zone", CENTRAL},
    {SEC_SITE, "always", false, SPECIAL, set_always, NULL,
     "open around the clock, or only the days given", CENTRAL},
    {SEC_SITE, "mon", false, SPECIAL, set_day, NULL, "Monday's hours", CENTRAL},
    {SEC_SITE, "tue", false, SPECIAL, set_day, NULL, "Tuesday's hours", CENTRAL},
    {SEC_SITE, "wed", false, SPECIAL, set_day, NULL, "Wednesday's hours", CENTRAL},
    {SEC_SITE, "thu", false, SPECIAL, set_day, NULL, "Thursday's hours", CENTRAL},
    {SEC_SITE, "fri", false, SPECIAL, set_day, NULL, "Friday's hours", CENTRAL},
    {SEC_SITE, "sat", false, SPECIAL, set_day, NULL, "Saturday's hours", CENTRAL},
    {SEC_SITE, "sun", false, SPECIAL, set_day, NULL, "Sunday's hours", CENTRAL},
    {SEC_GROUP, "name", true, SPECIAL, set_fleet_localized, NULL, "the group's name", CENTRAL},
    {SEC_GROUP, "parent", false, SPECIAL, set_fleet_id, NULL, "the group it is part of", CENTRAL},
};

const size_t cfg_key_count = sizeof cfg_keys / sizeof cfg_keys[0];

const char *cfg_section_name(enum cfg_section section)
{
    static const char *const names[] = {
        [SEC_KIOSK] = "kiosk",
        [SEC_DEPARTMENT] = "department",
        [SEC_REASON] = "reason",
        [SEC_FOLLOWUP] = "followup",
        [SEC_SCREEN] = "screen",
        [SEC_HOURS] = "hours",
        [SEC_PRESS_FILTER] = "press_filter",
        [SEC_STORE] = "store",
        [SEC_SYNC] = "sync",
        [SEC_COMMENTS] = "comments",
        [SEC_TECHNICIAN] = "technician",
        [SEC_CATALOG] = "catalog",
        [SEC_KIOSK_ID] = "kiosk",
        [SEC_SITE] = "site",
        [SEC_GROUP] = "group",
    };
    return section < sizeof names / sizeof names[0] && names[section] ? names[section] : "";
}

bool cfg_section_takes_id(enum cfg_section section)
{
    return section == SEC_DEPARTMENT || section == SEC_REASON || cfg_section_is_fleet(section);
}

bool cfg_section_is_fleet(enum cfg_section section)
{
    return section == SEC_KIOSK_ID || section == SEC_SITE || section == SEC_GROUP;
}

const char *cfg_scope_name(enum cfg_scope scope)
{
    return scope == CFG_LOCAL ? "local" : scope == CFG_CENTRAL ? "catalog" : "both";
}

const struct cfg_key *cfg_key_find(enum cfg_section section, const char *base)
{
    for (size_t i = 0; i < cfg_key_count; i++)
        if (cfg_keys[i].section == section && strcmp(cfg_keys[i].name, base) == 0)
            return &cfg_keys[i];
    return NULL;
}

void cfg_section_list(char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_TECHNICIAN && n < size; s++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s%s",
                              s == SEC_KIOSK        ? ""
                              : s == SEC_TECHNICIAN ? " or "
                                                    : ", ",
                              cfg_section_name(s), cfg_section_takes_id(s) ? " ID" : "");
}

/* A generic kind's value into its field. */
static void set_field(struct cfg_parser *p, const struct cfg_key *k, const char *key,
                      const char *value)
{
    char *base = k->base == CFG_IN_DEPARTMENT ? (char *)p->department : (char *)p->config;
    void *field = base + k->offset;
    long v;
    switch (k->kind) {
    case CFG_TEXT:
        cfg_text(p, key, value, field, k->size);
        break;
    case CFG_ID:
        cfg_id(p, cfg_here(p), key, value, field);
        break;
    case CFG_BOOL:
        cfg_bool(p, key, value, field);
        break;
    case CFG_INT:
        if (cfg_int(p, key, value, k->min, k->max, &v))
            *(int *)field = (int)v;
        break;
    case CFG_MS:
        if (cfg_int(p, key, value, k->min, k->max, &v))
            *(int64_t *)field = v;
        break;
    case CFG_SECONDS:
        cfg_seconds(p, key, value, k->min, k->max, field);
        break;
    case CFG_SPECIAL:
        break;
    }
}

bool cfg_key_set(struct cfg_parser *p, const char *key, const char *base, const char *lang,
                 const char *value)
{
    const struct cfg_key *k = cfg_key_find(p->section, base);
    if (k == NULL || (lang[0] != '\0' && !k->localized))
        return false;
    if (k->kind == CFG_SPECIAL)
        k->set(p, key, lang, value);
    else
        set_field(p, k, key, value);
    return true;
}

void cfg_section_keys(enum cfg_section section, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cfg_key_count && n < size; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        if (k->section == section)
            n += (size_t)snprintf(buf + n, size - n, "%s%s%s", n ? ", " : "", k->name,
                                  k->localized ? "[.LANG]" : "");
    }
}
