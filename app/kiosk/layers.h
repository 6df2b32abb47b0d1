/*
 * layers: the kiosk's configuration as it is layered: the main file
 * (--config), the boot partition's override read key by key over it, and
 * the technician's department choice (technician.conf in the state
 * directory) over both.  A good config is kept as last-good copies; a bad
 * one falls back on them, so a typo at the next reboot does not stop a
 * kiosk that worked.
 */
#ifndef WOW_KIOSK_LAYERS_H
#define WOW_KIOSK_LAYERS_H

#include <stdbool.h>

#include "config.h"

/* The technician's choices (the department switch), in the state directory. */
#define LAYERS_TECHNICIAN_CONF "technician.conf"

struct layers {
    struct config config;        /* what the kiosk runs on (the defaults when bad) */
    struct config_errors errors; /* of the files named in files[] */
    bool bad;                    /* no good config at all: collect nothing */
    bool fell_back;              /* running on the last good copies meanwhile */
    bool department_overridden;  /* the technician chose it (technician.conf) */
    char files[3 * 96];          /* the files read, "A + B + C", for screens and logs */
};

/* Loads config_path with its override (NULL: none) and the technician's
 * choice into *l, or the development defaults when config_path is NULL.
 * Errors are logged; see struct layers for what the caller shows. */
void layers_load(struct layers *l, const char *config_path, const char *override_path);

/* --check-config FILE [--override FILE2]: the technician's validator, of
 * one file or of a file and its override (NULL or "none": none) read key
 * by key.
 * Prints "FILE: ok" or every error.  Exit status 0 or 1. */
int layers_check(const char *path, const char *override_path);

/* Writes the department choice as the third layer, or removes it
 * (department -1: as the config files say).  True when it is in place. */
bool layers_save_department(const struct config *config, int department);

#endif
