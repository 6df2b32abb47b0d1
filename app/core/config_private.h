/*
 * config_private: what the files of the config parser share: the parser's
 * state (config.c reads files and sections and settles what needs the whole
 * file), the values and their errors (config_value.c), and the table of
 * keys (config_keys.c).  Only app/core's config files include it.
 */
#ifndef WOW_CONFIG_PRIVATE_H
#define WOW_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define CONFIG_PENDING_REASONS 32 /* [reason] sections read before sorting into lists */
#define CONFIG_LIST_MAX        180 /* bytes of [kiosk ID] departments: written back, it fits a line */
#define CONFIG_MAX_KEPT_ERRORS 1000 /* beyond this errors are only counted */

/* Where a key was given: the layer in the high bits, the line in the low
 * ones, so lines kept for checks made after the last file (a department
 * named in one file, defined in another) still name the right file. */
#define CFG_LINE_BITS 24
#define CFG_LINE_MASK ((1 << CFG_LINE_BITS) - 1)

enum cfg_section {
    SEC_NONE,    /* before any header: keys there are errors */
    SEC_IGNORED, /* a bad header, already reported: its keys are skipped */
    SEC_KIOSK,   /* from here to SEC_TECHNICIAN: the sections, in the order errors list them */
    SEC_DEPARTMENT,
    SEC_REASON,
    SEC_FOLLOWUP,
    SEC_SCREEN,
    SEC_HOURS,
    SEC_PRESS_FILTER,
    SEC_STORE,
    SEC_SYNC,
    SEC_COMMENTS,
    SEC_TECHNICIAN,
    SEC_CATALOG,  /* [catalog] version: what a catalog layer carries */
    SEC_KIOSK_ID, /* from here to SEC_LAST: the catalog's own sections, errors in a kiosk's file */
    SEC_SITE,
    SEC_GROUP,
    SEC_LAST = SEC_GROUP,
};

/* Who may give a key (docs/CATALOG.md): the kiosk's own files only, the
 * catalog only, or both (the catalog's value wins over the boot file's). */
enum cfg_scope { CFG_LOCAL, CFG_CENTRAL, CFG_BOTH };

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
    bool catalog_layer; /* the layer being read has a [catalog] section */
    int departments_cleared, reasons_cleared, hours_cleared; /* by catalog layer n + 1; 0: none */

    enum cfg_section section;
    char section_name[64]; /* "kiosk", "department front" */
    int section_line;
    struct config_department *department; /* the open [department] */
    struct cfg_reason *reason;            /* the open [reason] */

    bool departments_replaced, reasons_replaced;
    char department_id[CONFIG_ID_MAX];
    int department_line, mode_line, timezone_line, audience_line;
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

    /* cfg_check_value's places for the values of sections a kiosk's own
     * files do not have. */
    struct config_department scratch_department;
    struct cfg_reason scratch_reason;
    struct config_text scratch_text;
    char scratch_id[CONFIG_ID_MAX];
};

/* ---- config_value.c ---- */

/* The place of the line being read (layer and line), as kept by the parser. */
int cfg_here(const struct cfg_parser *p);

/* Records one error at place `where` (cfg_here()); only counted once the
 * kept list is full or memory is out. */
void cfg_error(struct cfg_parser *p, int where, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "section.key" for errors and the duplicate check. */
void cfg_full_key(const struct cfg_parser *p, const char *key, char *buf, size_t size);

/* Each parses value into *dst and returns true, or records why not (key
 * names it) and returns false leaving *dst as it was. */
bool cfg_text(struct cfg_parser *p, const char *key, const char *value, char *dst, size_t size);
bool cfg_is_id(const char *s);
bool cfg_id(struct cfg_parser *p, int line, const char *key, const char *value, char *dst);
bool cfg_bool(struct cfg_parser *p, const char *key, const char *value, bool *dst);
bool cfg_int(struct cfg_parser *p, const char *key, const char *value, long min, long max,
             long *dst);
bool cfg_seconds(struct cfg_parser *p, const char *key, const char *value, int64_t min_ms,
                 int64_t max_ms, int64_t *dst);

/* One line of text from *pos for inih, as the config's and the catalog's
 * readers hand it over: a UTF-8 byte order mark on the first line
 * (line_number 1) and leading blanks are dropped (inih would take an
 * indented line as the continuation of the previous value, and indenting
 * is something technicians do), the line and its '\n' are copied into str
 * and *pos moves past it.  Returns the line's length, -1 at the end of the
 * text; a line longer than num - 2 bytes is handed over as a blank line
 * and its length returned, for the caller to report. */
long cfg_cut_line(const char *text, size_t *pos, int line_number, char *str, int num);

/* Splits "name.fi" into base "name" and lang "fi"; lang is "" without a dot. */
void cfg_split_key(const char *key, char *base, size_t base_size, char *lang, size_t lang_size);

/* A localised text: the plain key is the first language; .LANG waits for the list. */
void cfg_localized(struct cfg_parser *p, const char *key, const char *lang, const char *value,
                   struct config_text *dst);

/* Reads "en, fi, de" into the language list. */
void cfg_languages(struct cfg_parser *p, const char *key, const char *value);

/* ---- config_keys.c ---- */

enum cfg_kind {
    CFG_TEXT,    /* a text of at most size - 1 bytes */
    CFG_ID,      /* an id: 1-31 of A-Z a-z 0-9 _ - */
    CFG_BOOL,    /* true/false, yes/no, on/off, 1/0 */
    CFG_INT,     /* an int from min to max */
    CFG_MS,      /* whole milliseconds from min to max, into an int64_t */
    CFG_SECONDS, /* seconds with up to 3 decimals, min..max in ms, into an int64_t of ms */
    CFG_SPECIAL, /* set by its own function: more than one field, or checked against others */
};

/* Where a key's field lives: the config itself or the open section's item. */
enum cfg_base { CFG_IN_CONFIG, CFG_IN_DEPARTMENT };

/* One key of the config file: the one place it is written down.  Parsing,
 * the "unknown key" list and the docs' tables (test_config_keys checks
 * README.md and docs/CONFIG.md against it) come from this table. */
struct cfg_key {
    enum cfg_section section;
    const char *name;
    bool localized; /* takes name.LANG too */
    enum cfg_kind kind;
    long min, max;       /* CFG_INT, CFG_MS, CFG_SECONDS (in ms) */
    enum cfg_base base;  /* the generic kinds: which struct */
    size_t offset, size; /* the generic kinds: the field */
    void (*set)(struct cfg_parser *p, const char *key, const char *lang, const char *value);
    const char *fallback; /* the default as the docs write it in `code`; NULL: described */
    const char *doc;      /* one line: what it is for */
    enum cfg_scope scope; /* docs/CONFIG.md's "where" column */
};

extern const struct cfg_key cfg_keys[];
extern const size_t cfg_key_count;

/* The section's name as in the file ("press_filter", "department"). */
const char *cfg_section_name(enum cfg_section section);

/* Whether the section's header names an item: [department ID], [reason ID]. */
bool cfg_section_takes_id(enum cfg_section section);

/* Whether the section is the catalog's own ([kiosk ID], [site ID], [group ID]). */
bool cfg_section_is_fleet(enum cfg_section section);

/* The row of section's key base ("name" of "name.fi"), or NULL. */
const struct cfg_key *cfg_key_find(enum cfg_section section, const char *base);

/* "local", "catalog" or "both", as docs/CONFIG.md's "where" column writes it. */
const char *cfg_scope_name(enum cfg_scope scope);

/* Every section as a header is written, for "unknown section" errors:
 * "kiosk, department ID, reason ID, ... or technician". */
void cfg_section_list(char *buf, size_t size);

/* Sets key (full "section.key"), its base and lang as the open section's
 * table row says; false when the section takes no such key. */
bool cfg_key_set(struct cfg_parser *p, const char *key, const char *base, const char *lang,
                 const char *value);

/* What a section takes, for "unknown key" errors: "id, site, ..., question[.LANG]". */
void cfg_section_keys(enum cfg_section section, char *buf, size_t size);

/* ---- config.c: one value outside a file ---- */

/* A parser for cfg_check_value(), with no file; NULL when out of memory.
 * The caller frees it with cfg_checker_destroy(). */
struct cfg_parser *cfg_checker_create(void);
void cfg_checker_destroy(struct cfg_parser *p);

/* Checks value as key (name, or name.LANG) of a [section_name] of kind
 * section would be taken, with the words a file's error would use.  True
 * when taken; otherwise the first error's message goes into msg.  The
 * language of name.LANG and cross-references (a department that exists, a
 * time zone that loads) are the caller's to check. */
bool cfg_check_value(struct cfg_parser *p, enum cfg_section section, const char *section_name,
                     const char *name, const char *value, char *msg, size_t size);

#endif
