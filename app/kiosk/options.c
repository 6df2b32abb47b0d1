/*
 * options: the command line (see options.h); usage() is the one place the
 * options are listed for a user.
 */
#include "options.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "paths.h"

#ifndef WOW_ASSETS_DIR
#define WOW_ASSETS_DIR "/usr/share/wowkiosk"
#endif

static void usage(FILE *out)
{
    fprintf(out,
            "usage: wowkiosk [options]\n"
            "  --config FILE        kiosk configuration (INI); none: development defaults\n"
            "  --override FILE      read FILE key by key over --config (default %s\n"
            "                       when it exists; none: no override)\n"
            "  --check-config FILE  check FILE, print every error as FILE:LINE: key: message\n"
            "  --windowed WxH       a window instead of fullscreen (development; Escape quits)\n"
            "  --script FILE        feed timed input (see docs/CONFIG.md, \"Scripts\")\n"
            "  --screenshot DIR     write every changed frame to DIR as PNG\n"
            "  --clock-start UTC    run the wall clock from UTC (YYYY-MM-DDTHH:MM[:SS]Z)\n"
            "  --store PATH         the local database (overrides [store] path)\n"
            "  --sync TARGET        where counts go (overrides [sync] target; off: nowhere)\n"
            "  --assets DIR         fonts and catalogs (default %s)\n"
            "  --headless REASON    open no display: only sync, the heartbeat saying REASON\n"
            "                       (wowkiosk-headless.service, after a crash loop)\n"
            "  --trace-latency      log input-to-frame latency of every input\n"
            "  --verbose            log debug lines\n"
            "  --self-test          check config, store, devices and display; exit 0 if the\n"
            "                       kiosk can serve (for an update system marking a slot good)\n"
            "  --hash-pin           read a technician PIN on stdin, print its pin_hash line\n"
            "  --version, --help\n",
            OPTIONS_BOOT_OVERRIDE, WOW_ASSETS_DIR);
}

static bool parse_size(const char *text, int *w, int *h)
{
    char *end;
    long lw = strtol(text, &end, 10);
    if (end == text || *end != 'x')
        return false;
    const char *rest = end + 1;
    long lh = strtol(rest, &end, 10);
    if (end == rest || *end != '\0' || lw < 64 || lh < 64 || lw > 8192 || lh > 8192)
        return false;
    *w = (int)lw;
    *h = (int)lh;
    return true;
}

/* The options without a value: sets its flag and returns true when arg
 * is one of them. */
static bool parse_flag(struct options *o, const char *arg)
{
    if (strcmp(arg, "--trace-latency") == 0)
        o->trace_latency = true;
    else if (strcmp(arg, "--verbose") == 0)
        o->log_level = LOG_DEBUG;
    else if (strcmp(arg, "--self-test") == 0)
        o->self_test = true;
    else if (strcmp(arg, "--hash-pin") == 0)
        o->hash_pin = true;
    else
        return false;
    return true;
}

/* The options that take a file or word: where its value goes, or NULL. */
static const char **string_option(struct options *o, const char *arg)
{
    static const struct {
        const char *name;
        size_t offset;
    } names[] = {
        {"--override", offsetof(struct options, override_path)},
        {"--config", offsetof(struct options, config_path)},
        {"--check-config", offsetof(struct options, check_config_path)},
        {"--script", offsetof(struct options, script_path)},
        {"--screenshot", offsetof(struct options, screenshot_dir)},
        {"--assets", offsetof(struct options, assets_dir)},
        {"--store", offsetof(struct options, store_path)},
        {"--sync", offsetof(struct options, sync_target)},
        {"--headless", offsetof(struct options, headless_reason)},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(arg, names[i].name) == 0)
            return (const char **)(void *)((char *)o + names[i].offset);
    return NULL;
}

/* --windowed WxH and --clock-start UTC: false (printed) when value is not
 * what the option expects. */
static bool parse_valued(struct options *o, const char *arg, const char *value)
{
    if (strcmp(arg, "--windowed") == 0) {
        if (value == NULL || !parse_size(value, &o->width, &o->height)) {
            fprintf(stderr, "wowkiosk: --windowed: expected WxH (e.g. 800x480)\n");
            return false;
        }
        o->windowed = true;
        return true;
    }
    if (value == NULL || !clock_parse_utc(value, &o->clock_start_utc_ms)) {
        fprintf(stderr, "wowkiosk: --clock-start: expected YYYY-MM-DDTHH:MM[:SS]Z\n");
        return false;
    }
    return true;
}

int options_parse(struct options *o, int argc, char **argv)
{
    *o = (struct options){.assets_dir = WOW_ASSETS_DIR,
                          .log_level = LOG_INFO,
                          .clock_start_utc_ms = CLOCK_NO_START,
                          .argv = argv};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        const char **target = string_option(o, arg);
        if (strcmp(arg, "--help") == 0) {
            usage(stdout);
            return 1;
        } else if (strcmp(arg, "--version") == 0) {
            printf("wowkiosk %s\n", WOW_VERSION);
            return 1;
        } else if (parse_flag(o, arg)) {
            continue;
        } else if (strcmp(arg, "--windowed") == 0 || strcmp(arg, "--clock-start") == 0) {
            if (!parse_valued(o, arg, value))
                return -1;
        } else if (target == NULL) {
            fprintf(stderr, "wowkiosk: unknown option %s\n", arg);
            usage(stderr);
            return -1;
        } else if (value == NULL) {
            fprintf(stderr, "wowkiosk: %s needs a value\n", arg);
            return -1;
        } else {
            *target = value;
        }
        i++;
    }
    return 0;
}

void options_resolve_assets(struct options *o)
{
    if (strcmp(o->assets_dir, WOW_ASSETS_DIR) != 0)
        return; /* given with --assets */
    /* beside the binary first: an installed kiosk must not read a source
     * tree that happens to exist on the machine it was built on */
    if (paths_installed_data("wowkiosk", o->installed_assets, sizeof o->installed_assets))
        o->assets_dir = o->installed_assets;
}

const char *options_override(const struct options *o)
{
    const char *override = o->override_path ? o->override_path : OPTIONS_BOOT_OVERRIDE;
    return strcmp(override, "none") == 0 ? NULL : override;
}
