/*
 * layers: the kiosk's configuration as it is layered: the main file
 * (--config), the boot partition's override read key by key over it, the
 * catalog the kiosk last accepted (docs/CATALOG.md, kept in its store),
 * and the technician's department choice (technician.conf in the state
 * directory) over all.  A good config is kept as last-good copies; a bad
 * one falls back on them, so a typo at the next reboot does not stop a
 * kiosk that worked.  An override that is missing (the boot partition not
 * mounted) is replaced by its last good copy, so a kiosk that ran with one
 * does not go on as "unnamed"; an empty override file is how a technician
 * says none.  A catalog is checked with the same parse over the same files
 * before it is run.
 */
#ifndef WOW_KIOSK_LAYERS_H
#define WOW_KIOSK_LAYERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* The technician's choices (the department switch), in the state directory. */
#define LAYERS_TECHNICIAN_CONF "technician.conf"

struct layers {
    struct config config;        /* what the kiosk runs on (the defaults when bad) */
    struct config_errors errors; /* of the files named in files[] */
    bool bad;                    /* no good config at all: collect nothing */
    bool fell_back;              /* running on the last good copies meanwhile */
    bool override_missing;       /* the override is missing: its last good copy runs */
    bool department_overridden;  /* the technician chose it (technician.conf) */
    char files[5 * 96];          /* the files read, "A + B + C", for screens and logs */
    /* the kiosk's own files in force (the last good copies after a fall
       back), read again to check a catalog; main "" on the defaults */
    char main_path[CONFIG_PATH_MAX];
    char override_path[CONFIG_PATH_MAX];    /* "" when none */
    char files_alone[5 * 96];               /* files without the catalog */
    char missing_override[CONFIG_PATH_MAX]; /* the override that is missing, when it is */
};

/* The name a catalog layer goes by in errors and on screens. */
#define LAYERS_CATALOG_NAME_MAX 32

/* Loads config_path with its override (NULL: none) and the technician's
 * choice into *l, or the development defaults when config_path is NULL.
 * Errors are logged; see struct layers for what the caller shows. */
void layers_load(struct layers *l, const char *config_path, const char *override_path);

/* What the fleet and the technician should know of a kiosk that does
 * not run on its own files: the override missing (its last good copy in
 * its place), or errors (the last good copies in their place).  Writes
 * one line into buf (size bytes), "" when it runs on its own files. */
void layers_problem(const struct layers *l, char *buf, size_t size);

/* --check-config FILE [--override FILE2]: the technician's validator, of
 * one file or of a file and its override (NULL or "none": none) read key
 * by key.
 * Prints "FILE: ok" or every error.  Exit status 0 or 1. */
int layers_check(const char *path, const char *override_path);

/* Parses the kiosk's own layers with catalog body of version (> 0) as
 * the third, as --check-config parses files: into *config (the caller's),
 * errors into *errors, named "catalog vN" for the catalog's lines.  True
 * when it passes.  l is not changed. */
bool layers_parse_catalog(const struct layers *l, int64_t version, const char *body,
                          struct config *config, struct config_errors *errors);

/* Makes config (passed by layers_parse_catalog) the one in force: copied
 * over l->config, where every part of the kiosk reads it, and named in
 * l->files.  The caller rebuilds what depends on it. */
void layers_use_catalog(struct layers *l, const struct config *config);

/* The first error as "FILE:LINE: key: message", and how many more, into
 * buf (size bytes). */
void layers_error_summary(const struct config_errors *errors, char *buf, size_t size);

/* Writes the department choice as the last layer, or removes it
 * (department -1: as the config files say).  True when it is in place. */
bool layers_save_department(const struct config *config, int department);

#endif
