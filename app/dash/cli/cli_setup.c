/*
 * cli_setup: the commands that set the shared database up and serve it,
 * which share one set of options:
 *
 *   wowdash migrate --db TARGET [--to VERSION]
 *       applies the schema's missing steps (app/sync/schema.c) to a
 *       PostgreSQL database (TARGET a conninfo) or a SQLite file; again
 *       is a no-op.
 *
 *   wowdash kiosk add ID --department D --db TARGET [--site S] [--label L]
 *                        [--kiosk-host HOST] [--sslmode MODE] [--replace]
 *       provisions a kiosk: on PostgreSQL its own login role kiosk_ID with
 *       a generated password, member of wowkiosk_fleet (row-level security
 *       limits it to its own rows), and its heartbeat row; then prints the
 *       config lines the technician puts into that kiosk's kiosk.conf.
 *
 *   wowdash serve --db TARGET [--listen ADDR:PORT] [--silent-after DURATION]
 *                 [--assets DIR] [--timezone ZONE] [--webhook URL]
 *                 [--secure-cookies] [--refresh DURATION]
 *       the dashboard's web server (serve.h, router.h).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "migrate.h"
#include "provision.h"
#include "schema.h"
#include "utf8.h"
#include "serve.h"

const char cli_migrate_usage[] = "wowdash migrate --db TARGET [--to VERSION]\n";
const char cli_kiosk_usage[] =
    "wowdash kiosk add ID --department D --db TARGET [--site S] [--label L]\n"
    "                            [--kiosk-host HOST] [--sslmode MODE] [--replace]\n";
const char cli_serve_usage[] =
    "wowdash serve --db TARGET [--listen ADDR:PORT] [--silent-after DURATION]\n"
    "                     [--assets DIR] [--timezone ZONE] [--webhook URL]\n"
    "                     [--secure-cookies] [--refresh DURATION]\n"
    "                     [--trusted-proxy ADDR,...] [--allowed-host HOST[:PORT],...]\n"
    "                     [--smtp URL --mail-from ADDRESS [--smtp-user NAME] [--starttls]]\n"
    "                     [--public-url URL] [--bundles DIR]\n";

struct setup_options {
    const char *command; /* "migrate", "kiosk add" or "serve" */
    const char *db;
    int to_version;
    const char *kiosk_id, *department, *site, *label;
    const char *kiosk_host, *sslmode;
    bool replace;
    struct serve_options serve;
};

/* A kiosk id as the kiosk's config allows it: [A-Za-z0-9_-], 1..31. */
static bool valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > 31)
        return false;
    return strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* Every option's value is one line of UTF-8: a newline in --site would
 * print config lines of the caller's choosing into the kiosk's file. */
static bool option_text_ok(const char *name, const char *value)
{
    for (size_t i = 0; value[i] != '\0'; i++)
        if ((unsigned char)value[i] < 0x20 || value[i] == 0x7f) {
            fprintf(stderr,
                    "wowdash: %s: control character 0x%02x at byte %zu; expected one line "
                    "of text\n",
                    name, (unsigned char)value[i], i + 1);
            return false;
        }
    if (!utf8_valid_string(value)) {
        fprintf(stderr, "wowdash: %s: not valid UTF-8; expected UTF-8 text\n", name);
        return false;
    }
    /* what the kiosk's config holds, so kiosk add prints lines it reads */
    if ((!strcmp(name, "--site") || !strcmp(name, "--label")) && strlen(value) >= CONFIG_TEXT_MAX) {
        fprintf(stderr,
                "wowdash: %s: %zu bytes; expected at most %d (the kiosk's config holds no "
                "more)\n",
                name, strlen(value), CONFIG_TEXT_MAX - 1);
        return false;
    }
    if (utf8_find_bidi_control(value)) {
        fprintf(stderr,
                "wowdash: %s: a bidirectional control character; expected text without them\n",
                name);
        return false;
    }
    return true;
}

/* The options' handlers: each stores value (NULL for a switch) into
 * field, a member of struct setup_options; 0, or -1 after saying what is wrong. */
static int set_text(void *field, const char *value)
{
    *(const char **)field = value;
    return 0;
}

static int set_switch(void *field, const char *value)
{
    (void)value;
    *(bool *)field = true;
    return 0;
}

static int set_version(void *field, const char *value)
{
    char *end;
    long to = strtol(value, &end, 10);
    if (*end || to < 1 || to > SCHEMA_VERSION) {
        fprintf(stderr, "wowdash: --to: expected a version from 1 to %d, got '%s'\n",
                SCHEMA_VERSION, value);
        return -1;
    }
    *(int *)field = (int)to;
    return 0;
}

static int set_silent_after(void *field, const char *value)
{
    if (serve_parse_duration(value, field))
        return 0;
    fprintf(stderr,
            "wowdash: --silent-after: expected a duration such as 90s, 15m, 2h or 1d "
            "(at most a year), got '%s'\n",
            value);
    return -1;
}

static int set_refresh(void *field, const char *value)
{
    if (serve_parse_duration(value, field))
        return 0;
    fprintf(stderr, "wowdash: --refresh: expected a duration such as 30s, 1m or 5m, got '%s'\n",
            value);
    return -1;
}

/* Every option of migrate, kiosk add and serve: its flag, the member of
 * struct setup_options it sets, how, and whether it takes a value. */
static const struct setup_option {
    const char *flag;
    size_t field;
    int (*set)(void *field, const char *value);
    bool takes_value;
} setup_options[] = {
    {"--db", offsetof(struct setup_options, db), set_text, true},
    {"--department", offsetof(struct setup_options, department), set_text, true},
    {"--site", offsetof(struct setup_options, site), set_text, true},
    {"--label", offsetof(struct setup_options, label), set_text, true},
    {"--kiosk-host", offsetof(struct setup_options, kiosk_host), set_text, true},
    {"--sslmode", offsetof(struct setup_options, sslmode), set_text, true},
    {"--listen", offsetof(struct setup_options, serve.listen), set_text, true},
    {"--assets", offsetof(struct setup_options, serve.assets_dir), set_text, true},
    {"--timezone", offsetof(struct setup_options, serve.timezone), set_text, true},
    {"--webhook", offsetof(struct setup_options, serve.webhook_url), set_text, true},
    {"--refresh", offsetof(struct setup_options, serve.refresh_ms), set_refresh, true},
    {"--trusted-proxy", offsetof(struct setup_options, serve.trusted_proxies), set_text, true},
    {"--allowed-host", offsetof(struct setup_options, serve.allowed_hosts), set_text, true},
    {"--smtp", offsetof(struct setup_options, serve.smtp_url), set_text, true},
    {"--mail-from", offsetof(struct setup_options, serve.mail_from), set_text, true},
    {"--smtp-user", offsetof(struct setup_options, serve.smtp_user), set_text, true},
    {"--starttls", offsetof(struct setup_options, serve.starttls), set_switch, false},
    {"--public-url", offsetof(struct setup_options, serve.public_url), set_text, true},
    {"--bundles", offsetof(struct setup_options, serve.bundles_dir), set_text, true},
    {"--to", offsetof(struct setup_options, to_version), set_version, true},
    {"--silent-after", offsetof(struct setup_options, serve.silent_after_ms), set_silent_after,
     true},
    {"--replace", offsetof(struct setup_options, replace), set_switch, false},
    {"--secure-cookies", offsetof(struct setup_options, serve.secure_cookies), set_switch, false},
};

static const struct setup_option *find_option(const char *flag)
{
    for (size_t i = 0; i < sizeof setup_options / sizeof *setup_options; i++)
        if (!strcmp(flag, setup_options[i].flag))
            return &setup_options[i];
    return NULL;
}

static int parse_flags(struct setup_options *o, int argc, char **argv, int i)
{
    for (; i < argc; i++) {
        const struct setup_option *opt = find_option(argv[i]);
        if (!opt) {
            fprintf(stderr, "wowdash: unknown option %s\n", argv[i]);
            return -1;
        }
        if (opt->takes_value && i + 1 >= argc) {
            fprintf(stderr, "wowdash: %s needs a value\n", argv[i]);
            return -1;
        }
        const char *value = opt->takes_value ? argv[++i] : NULL;
        if (value != NULL && !option_text_ok(argv[i - 1], value))
            return -1;
        if (opt->set((char *)o + opt->field, value) != 0)
            return -1;
    }
    return 0;
}

/* Parses the command's arguments (argv[0] is its name, "migrate",
 * "kiosk" or "serve").  0 to go on; CLI_USAGE when the command itself is
 * malformed (cli.c prints the whole usage); 1 on a bad option (said). */
static int parse_options(struct setup_options *o, int argc, char **argv)
{
    *o = (struct setup_options){.to_version = SCHEMA_VERSION,
                                .site = "",
                                .label = "",
                                .sslmode = "verify-full",
                                .serve = {.listen = SERVE_DEFAULT_LISTEN,
                                          .silent_after_ms = SERVE_DEFAULT_SILENT_AFTER,
                                          .refresh_ms = SERVE_DEFAULT_REFRESH}};
    int first_flag = 1;
    o->command = argv[0];
    if (!strcmp(argv[0], "kiosk")) {
        if (argc < 3 || strcmp(argv[1], "add") != 0)
            return CLI_USAGE;
        o->command = "kiosk add";
        o->kiosk_id = argv[2];
        first_flag = 3;
    }
    if (parse_flags(o, argc, argv, first_flag) != 0)
        return 1;
    if (!o->db) {
        fprintf(stderr, "wowdash: %s: --db TARGET is required\n", o->command);
        return 1;
    }
    if (o->kiosk_id && (!valid_id(o->kiosk_id) || !o->department || !valid_id(o->department))) {
        fprintf(stderr, "wowdash: kiosk add: expected an ID and --department D, each 1 to 31 "
                        "characters of A-Z a-z 0-9 _ -\n");
        return 1;
    }
    return 0;
}

/* What the technician pastes into the kiosk's config. */
static void print_config(const struct setup_options *o, const char *target)
{
    printf("# kiosk.conf lines for kiosk %s, from wowdash kiosk add\n"
           "[kiosk]\nid = %s\n",
           o->kiosk_id, o->kiosk_id);
    if (o->site[0])
        printf("site = %s\n", o->site);
    if (o->label[0])
        printf("label = %s\n", o->label);
    printf("department = %s\n\n[department %s]\nname = %s\n\n[sync]\ntarget = %s\n", o->department,
           o->department, o->department, target);
}

static int migrate_run(const struct setup_options *o)
{
    struct migrate_report report;
    if (!provision_migrate(o->db, o->to_version, &report))
        return 1;
    if (report.from_version == report.to_version)
        printf("schema already at version %d; nothing to do\n", report.to_version);
    else
        printf("schema migrated from version %d to %d\n", report.from_version, report.to_version);
    return 0;
}

/* Parses, then runs: the exit status (2 on a bad option). */
static int parse_then(int argc, char **argv, int (*run)(const struct setup_options *o))
{
    struct setup_options o;
    int rc = parse_options(&o, argc, argv);
    if (rc != 0)
        return rc == CLI_USAGE ? CLI_USAGE : 2;
    return run(&o);
}

static int kiosk_add_run(const struct setup_options *o)
{
    const struct provision_kiosk k = {.db = o->db,
                                      .kiosk_id = o->kiosk_id,
                                      .department = o->department,
                                      .site = o->site,
                                      .label = o->label,
                                      .kiosk_host = o->kiosk_host,
                                      .sslmode = o->sslmode,
                                      .replace = o->replace};
    char target[512];
    if (!provision_kiosk(&k, target, sizeof target))
        return 1;
    print_config(o, target);
    return 0;
}

static int serve_then(const struct setup_options *o)
{
    struct serve_options s = o->serve;
    s.db = o->db;
    return serve_run(&s);
}

int cli_migrate(int argc, char **argv)
{
    return parse_then(argc, argv, migrate_run);
}

int cli_kiosk(int argc, char **argv)
{
    return parse_then(argc, argv, kiosk_add_run);
}

int cli_serve(int argc, char **argv)
{
    return parse_then(argc, argv, serve_then);
}
