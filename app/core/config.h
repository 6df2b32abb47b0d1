/*
 * config: the kiosk's INI file (parsed with inih) as one plain value.
 *
 * struct config owns no heap memory: every text is a fixed array, so a
 * config can be copied, kept as "the last good one", and thrown away without
 * a free.  Limits are checked while parsing and reported as errors, never
 * truncated silently.
 *
 * Localised texts hold one string per configured language, in the order of
 * [kiosk] languages; an empty string means "not given" and the UI falls back
 * to the catalog translation of the first-language text, then to that text.
 *
 * Every key, with its kind, range, default and meaning, is one row of the
 * key table in config_keys.c; README.md ("Configuration") and
 * docs/CONFIG.md document them and test_config_keys keeps the three in
 * step.
 *
 * Layers: the main file (/etc/wowkiosk/kiosk.conf) can be overridden key by
 * key by later files (the boot partition's wowkiosk.conf, the catalog the
 * kiosk last accepted, then the technician's choices kept in the state
 * directory).  A later file changes only the keys it gives; a [department
 * ID] or [reason ID] it names that an earlier file defined is changed, not
 * redefined.  A file with a [catalog] section (docs/CATALOG.md) is
 * authoritative for lists: the departments, reasons and opening hours it
 * gives replace those of the files before it, and a local key in it (a key
 * only the kiosk's own files may give) is an error.  Errors name the file
 * each line came from.
 */
#ifndef WOW_CONFIG_H
#define WOW_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "hours.h"
#include "press_filter.h"

#define CONFIG_MAX_LANGUAGES   6
#define CONFIG_MAX_DEPARTMENTS 24
#define CONFIG_MAX_REASONS     6   /* per list: positive and negative */
#define CONFIG_ID_MAX          32  /* bytes, including the NUL */
#define CONFIG_TEXT_MAX        128 /* bytes of UTF-8, including the NUL */
#define CONFIG_PATH_MAX        512
#define CONFIG_MAX_ERRORS      24
#define CONFIG_MAX_LAYERS      4 /* the main file and the files that override it */
#define CONFIG_PIN_HASH_MAX    128

/* One text in every configured language; [0] is the first language. */
struct config_text {
    char lang[CONFIG_MAX_LANGUAGES][CONFIG_TEXT_MAX];
};

/* After which faces a department offers "Tell us more" (docs/COMMENTS.md):
 * never, after faces 1 and 2, or after every face. */
enum config_comments { CONFIG_COMMENTS_OFF, CONFIG_COMMENTS_NEGATIVE, CONFIG_COMMENTS_ANY };

struct config_department {
    char id[CONFIG_ID_MAX]; /* [A-Za-z0-9_-]+, what the store records */
    struct config_text name;
    bool customer_facing;
    char group[CONFIG_ID_MAX];     /* the catalog's [group ID] it belongs to; "" in none */
    struct config_text question;   /* its own question; "" in [0]: the kiosk's question */
    struct config_text we_did;     /* "You said, we did": its note to customers; "": none */
    int32_t we_did_from;           /* first day shown, YYYYMMDD in the site's zone; 0: any */
    int32_t we_did_until;          /* last day shown, YYYYMMDD; 0: no end */
    bool we_did_score;             /* beside the note: this week's answers at this kiosk */
    enum config_comments comments; /* when "Tell us more" is offered (docs/COMMENTS.md) */
};

struct config_reason {
    char id[CONFIG_ID_MAX];
    struct config_text label;
};

enum config_mode { CONFIG_MODE_SINGLE, CONFIG_MODE_PICKER };

/* Who a picker kiosk stands for ([kiosk] audience): every department it
 * has, the customer-facing ones, or the internal teams (a kiosk in a staff
 * area, where colleagues rate the teams that serve them). */
enum config_audience { CONFIG_AUDIENCE_ALL, CONFIG_AUDIENCE_CUSTOMERS, CONFIG_AUDIENCE_STAFF };
/* Where a portrait screen's buttons may be: everywhere, or (for seated
 * users, wheelchair users, children) in its lower part only. */
enum config_reach { CONFIG_REACH_FULL, CONFIG_REACH_LOW };
/* When a system update the dashboard offers may install (docs/DEPLOY.md):
 * outside opening hours, whenever nobody has used the kiosk for a while,
 * or never (nothing is fetched for the updater). */
enum config_install { CONFIG_INSTALL_CLOSED, CONFIG_INSTALL_IDLE, CONFIG_INSTALL_NEVER };

struct config {
    char path[CONFIG_PATH_MAX]; /* the file it came from; "" for defaults */
    int64_t catalog_version;    /* [catalog] version of the catalog layer; 0 without one */
    char kiosk_id[CONFIG_ID_MAX];
    char site[CONFIG_TEXT_MAX];
    char label[CONFIG_TEXT_MAX];

    int language_count;                      /* >= 1 */
    char languages[CONFIG_MAX_LANGUAGES][8]; /* "en", "fi", "de", ... */

    enum config_mode mode;
    enum config_audience audience; /* picker mode: the departments it offers */
    int department;                /* index into departments[] in single mode */
    int department_count;
    struct config_department departments[CONFIG_MAX_DEPARTMENTS];
    struct config_text question; /* "" in [0]: the catalog's default question */

    bool followup_enabled;
    int positive_count, negative_count;
    struct config_reason positive[CONFIG_MAX_REASONS];
    struct config_reason negative[CONFIG_MAX_REASONS];

    int64_t followup_timeout_ms; /* default 10 s */
    int64_t ack_ms;              /* pressed face shown this long; default 150 */
    int64_t thanks_ms;           /* default 2.5 s */
    int64_t picker_timeout_ms;   /* rating screen back to picker; default 20 s */
    int rotation;                /* 0, 90, 180, 270 */
    bool sleep_when_closed;      /* let the display sleep outside hours */
    enum config_reach reach;     /* portrait: every button low, or anywhere */

    char timezone[64]; /* IANA name, default "UTC" */
    struct hours hours;
    struct press_filter_settings press_filter;

    char store_path[CONFIG_PATH_MAX];      /* "" = the default under the data dir */
    char store_spill_dir[CONFIG_PATH_MAX]; /* "" = only the store's directory (spill.h) */

    /* [sync] target: a PostgreSQL conninfo ("postgresql://..." or
     * "host=... dbname=..."), a SQLite file path, or "off"; "" = the
     * SQLite file shared.db beside the store. */
    char sync_target[CONFIG_PATH_MAX];
    int64_t sync_interval_ms;            /* default 60 s */
    int64_t sync_backoff_max_ms;         /* default 300 s */
    enum config_install install_updates; /* [sync] install_updates; default closed */

    /* [comments] phone_url: the dashboard's public address of the phone
     * form, ending in "/c/"; "" = no QR code (docs/COMMENTS.md). */
    char comments_phone_url[CONFIG_TEXT_MAX * 2];

    /* [technician] pin_hash: "" = no PIN, the technician screen stays shut. */
    char technician_pin_hash[CONFIG_PIN_HASH_MAX];
};

struct config_error {
    char file[CONFIG_PATH_MAX];
    int line;          /* 0 when the error is about the file as a whole */
    char key[64];      /* "section.key" or "section" */
    char message[192]; /* what was expected */
};

struct config_errors {
    int count; /* errors stored in error[] */
    int total; /* errors found, may exceed CONFIG_MAX_ERRORS */
    struct config_error error[CONFIG_MAX_ERRORS];
};

/* Fills *config with the development defaults: kiosk "dev-kiosk", languages
 * en, fi, de, one demo department "demo", follow-ups with demo reasons,
 * always open, UTC, store in the user's data directory. */
void config_defaults(struct config *config);

/* The development defaults' catalog keys as a kiosk file: what a kiosk
 * run with no config file at all (make run) seeds its SQLite shared
 * file's catalog from, so the dashboard names its department and reasons.
 * test_catalog holds it to config_defaults(). */
extern const char config_defaults_ini[];

/* Parses the INI file at path on top of the defaults.  Returns true when
 * there were no errors; otherwise fills *errors (every error, in file
 * order, as far as CONFIG_MAX_ERRORS) and returns false, leaving *config in
 * an unspecified state.  Checks cross-references after parsing (e.g. the
 * single-mode department exists, the time zone loads). */
bool config_load(struct config *config, const char *path, struct config_errors *errors);

/* Parses count (1..CONFIG_MAX_LAYERS) files in order, each later one
 * overriding the earlier ones key by key.  A file that cannot be read is an
 * error.  config->path is paths[0].  Same contract as config_load(). */
bool config_load_layers(struct config *config, const char *const *paths, int count,
                        struct config_errors *errors);

/* The same from texts in memory; names[i] is used in errors for texts[i]. */
bool config_parse_layers(struct config *config, const char *const *names, const char *const *texts,
                         int count, struct config_errors *errors);

/* Same, from text in memory (tests and fuzzing); name is used in errors. */
bool config_parse(struct config *config, const char *name, const char *text,
                  struct config_errors *errors);

/* Formats one error as "FILE:LINE: key: message" into buf. */
void config_error_format(const struct config_error *error, char *buf, unsigned size);

/* Returns the index of the department with this id, or -1. */
int config_find_department(const struct config *config, const char *id);

/* Whether a picker kiosk offers department index (its audience: every
 * department, the customer-facing ones, or the internal teams). */
bool config_offers(const struct config *config, int department);

#endif
