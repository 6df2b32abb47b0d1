/*
 * options: the kiosk program's command line, parsed once into a plain
 * struct the other modules read (never write).
 */
#ifndef WOW_KIOSK_OPTIONS_H
#define WOW_KIOSK_OPTIONS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "log.h"

/* The boot partition's file, read key by key over --config when it exists. */
#define OPTIONS_BOOT_OVERRIDE "/boot/firmware/wowkiosk.conf"

struct options {
    const char *config_path;
    const char *override_path; /* NULL: OPTIONS_BOOT_OVERRIDE; "none": no override */
    const char *check_config_path;
    const char *script_path;
    const char *screenshot_dir;
    const char *assets_dir;
    const char *store_path;
    const char *sync_target;
    const char *headless_reason; /* --headless: no display ever; the heartbeat's error */
    bool windowed;
    int width, height;
    int64_t clock_start_utc_ms; /* CLOCK_NO_START: none */
    bool trace_latency;
    bool self_test;
    bool hash_pin;
    enum log_level log_level;
    char **argv;                     /* for a restart: the same program and options again */
    char installed_assets[PATH_MAX]; /* assets_dir of an installed binary */
};

/* Parses argv into *o (the strings stay argv's).  Returns 0 to go on, 1
 * when the program should exit successfully (--help, --version), -1 on a
 * usage error (printed on stderr). */
int options_parse(struct options *o, int argc, char **argv);

/* An installed binary finds its assets beside it (PREFIX/share/wowkiosk)
 * unless --assets named them. */
void options_resolve_assets(struct options *o);

/* The override file to read over --config, or NULL for none. */
const char *options_override(const struct options *o);

#endif
