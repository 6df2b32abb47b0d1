/*
 * cli_org: wowdash's commands for the organisation the dashboard groups
 * the counts by, and the rollups' refresh (cli.h):
 *
 *   wowdash department add ID --name NAME [--group GROUP] --db TARGET
 *       describes a department (again: replaces its name and group; no
 *       --group leaves it in none); GROUP must exist.  A catalog edit:
 *       the newest catalog version with [department ID] name and group
 *       set becomes the next version (catalog_db.h), so the catalog stays
 *       the one source of the names
 *   wowdash department list --db TARGET
 *       every known department, described or only seen in the counts:
 *       id, name, group, group name, tab-separated, by name
 *   wowdash group add ID --name NAME --db TARGET     (again: renames;
 *       a catalog edit too: [group ID] name)
 *   wowdash group list --db TARGET                    id and name, by id
 *   wowdash rollup --db TARGET
 *       one refresh of the rollups (rollup.h), and what it did
 *
 * Ids are 1..63 characters of [A-Za-z0-9_.-]; names 1..127 bytes of UTF-8
 * with no control characters.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_db.h"
#include "catalog_text.h"
#include "cli.h"
#include "clock.h"
#include "dashdb.h"
#include "dashq.h"
#include "dashview.h"
#include "org.h"
#include "rollup.h"
#include "utf8.h"

const char cli_department_usage[] =
    "wowdash department add ID --name NAME [--group GROUP] --db TARGET\n"
    "       wowdash department list --db TARGET\n";
const char cli_group_usage[] = "wowdash group add ID --name NAME --db TARGET\n"
                               "       wowdash group list --db TARGET\n";
const char cli_rollup_usage[] = "wowdash rollup --db TARGET\n";

struct org_args {
    const char *id, *name, *group, *db;
};

/* What a command takes besides --db: a positional ID, --name, --group. */
enum { ORG_ID = 1, ORG_NAME = 2, ORG_GROUP = 4 };

/* The options, each with the field of struct org_args it fills and what a
 * command must take for the option to be allowed (0: every command). */
static const struct org_option {
    const char *flag;
    unsigned needs;
    size_t field;
} org_options[] = {
    {"--db", 0, offsetof(struct org_args, db)},
    {"--name", ORG_NAME, offsetof(struct org_args, name)},
    {"--group", ORG_GROUP, offsetof(struct org_args, group)},
};

static bool valid_id(const char *id)
{
    size_t n = strlen(id);
    return n >= 1 && n < DASH_ID_MAX &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n < 1 || n >= DASH_NAME_MAX)
        return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* The field arg (an option this command takes) fills, or NULL. */
static const char **option_field(struct org_args *a, const char *arg, unsigned takes)
{
    for (size_t i = 0; i < sizeof org_options / sizeof *org_options; i++)
        if ((org_options[i].needs & takes) == org_options[i].needs &&
            !strcmp(arg, org_options[i].flag))
            return (const char **)(void *)((char *)a + org_options[i].field);
    return NULL;
}

/* Reads argv[first..] into a; 0, or 2 after saying what is wrong. */
static int read_args(const char *what, int argc, char **argv, int first, unsigned takes,
                     struct org_args *a)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        const char **dst = option_field(a, arg, takes);
        if (dst && i + 1 >= argc) {
            fprintf(stderr, "wowdash %s: %s needs a value\n", what, arg);
            return 2;
        }
        if (dst) {
            *dst = argv[++i];
        } else if (arg[0] != '-' && (takes & ORG_ID) && !a->id) {
            a->id = arg;
        } else {
            fprintf(stderr, "wowdash %s: unexpected argument '%s'\n", what, arg);
            return 2;
        }
    }
    return 0;
}

/* Checks what read_args read: nothing missing, ids and the name well
 * formed; 0, or 2 after saying what is wrong. */
static int check_args(const char *what, unsigned takes, const struct org_args *a)
{
    const char *missing = !a->db                           ? "--db TARGET"
                          : (takes & ORG_ID) && !a->id     ? "an ID"
                          : (takes & ORG_NAME) && !a->name ? "--name NAME"
                                                           : NULL;
    if (missing) {
        fprintf(stderr, "wowdash %s: missing %s\n", what, missing);
        return 2;
    }
    const char *bad = a->id && !valid_id(a->id)         ? "ID"
                      : a->group && !valid_id(a->group) ? "--group"
                                                        : NULL;
    if (bad) {
        fprintf(stderr,
                "wowdash %s: %s: expected 1 to %d characters of A-Z a-z 0-9 _ . -, got '%.80s'\n",
                what, bad, DASH_ID_MAX - 1, bad[0] == 'I' ? a->id : a->group);
        return 2;
    }
    if (a->name && !valid_name(a->name)) {
        fprintf(stderr,
                "wowdash %s: --name: expected 1 to %d bytes without control characters, got "
                "'%.80s'\n",
                what, DASH_NAME_MAX - 1, a->name);
        return 2;
    }
    if (a->name && !utf8_valid_string(a->name)) {
        fprintf(stderr, "wowdash %s: --name: not valid UTF-8\n", what);
        return 2;
    }
    if (a->name && utf8_find_bidi_control(a->name)) {
        fprintf(stderr,
                "wowdash %s: --name: a bidirectional control character at byte %zu; expected "
                "text without them (they reorder a name on screen)\n",
                what, (size_t)(utf8_find_bidi_control(a->name) - a->name) + 1);
        return 2;
    }
    return 0;
}

/* Parses argv[first..] into a: one positional ID and the options the
 * command takes (ORG_*); 0, or 2 after saying what is wrong. */
static int parse_args(const char *what, int argc, char **argv, int first, unsigned takes,
                      struct org_args *a)
{
    int rc = read_args(what, argc, argv, first, takes, a);
    return rc ? rc : check_args(what, takes, a);
}

static struct dashdb *open_target(const char *what, const char *target)
{
    char err[512];
    struct dashdb *db = dashdb_open(target, err, sizeof err);
    if (!db)
        fprintf(stderr, "wowdash %s: %s\n", what, err);
    return db;
}

/* Commits edits as the catalog's next version (the catalog is the one
 * source of the names: dash_departments and dash_groups are derived from
 * it); 0, or 1 after printing why (each FILE:LINE: key: message). */
static int catalog_change(struct dashdb *db, const char *what, const struct catalog_db_edit *edits,
                          int count, const char *id)
{
    char err[512], by[CATALOG_DB_WHO_MAX], note[CATALOG_DB_NOTE_MAX];
    cli_catalog_who(NULL, by, sizeof by);
    snprintf(note, sizeof note, "wowdash %s %s", what, id);
    struct config_errors errors;
    int64_t version = 0;
    enum catalog_db_status st = catalog_db_edit(db, edits, count, by, note, clock_real().utc_ms,
                                                &version, &errors, err, sizeof err);
    if (st == CATALOG_DB_OK)
        return 0;
    if (st != CATALOG_DB_REFUSED) {
        fprintf(stderr, "wowdash %s: %s\n", what, err);
        return 1;
    }
    for (int i = 0; i < errors.count; i++) {
        config_error_format(&errors.error[i], err, sizeof err);
        fprintf(stderr, "wowdash %s: the catalog refuses it: %s\n", what, err);
    }
    return 1;
}

/* 0 when name survives the catalog's INI text unchanged; 2 after saying
 * why not. */
static int check_ini_name(const char *what, const char *name)
{
    char why[160];
    if (catalog_text_value_ok(name, CONFIG_TEXT_MAX - 1, why, sizeof why))
        return 0;
    fprintf(stderr, "wowdash %s: --name: %s, got '%.80s'\n", what, why, name);
    return 2;
}

static int department_add(struct dashdb *db, const struct org_args *a)
{
    char err[512], section[80];
    bool found = false;
    int rc = check_ini_name("department add", a->name);
    if (rc)
        return rc;
    if (a->group && !org_group_exists(db, a->group, &found, err, sizeof err)) {
        fprintf(stderr, "wowdash department add: %s\n", err);
        return 1;
    }
    if (a->group && !found) {
        fprintf(stderr,
                "wowdash department add: --group: no group '%s' (wowdash group add %s --name "
                "NAME first)\n",
                a->group, a->group);
        return 1;
    }
    snprintf(section, sizeof section, "department %s", a->id);
    /* a catalog begun here lets kiosks offer every department (picker):
     * single mode would need to name one, and the parser refuses it */
    const struct catalog_db_edit edits[] = {{"kiosk", "mode", "picker", true},
                                            {section, "name", a->name, false},
                                            {section, "group", a->group, false}};
    rc = catalog_change(db, "department add", edits, 3, a->id);
    if (rc == 0)
        printf("department %s: %s%s%s\n", a->id, a->name, a->group ? ", group " : "",
               a->group ? a->group : "");
    return rc;
}

static int group_add(struct dashdb *db, const struct org_args *a)
{
    char section[80];
    int rc = check_ini_name("group add", a->name);
    if (rc)
        return rc;
    snprintf(section, sizeof section, "group %s", a->id);
    const struct catalog_db_edit edits[] = {{"kiosk", "mode", "picker", true},
                                            {section, "name", a->name, false}};
    rc = catalog_change(db, "group add", edits, 2, a->id);
    if (rc == 0)
        printf("group %s: %s\n", a->id, a->name);
    return rc;
}

static int department_list(struct dashdb *db)
{
    struct dash_user admin = {.role = DASH_ROLE_ADMIN};
    struct dash_departments list = {0};
    char err[512];
    if (!dashq_departments(db, &admin, &list, err, sizeof err)) {
        fprintf(stderr, "wowdash department list: %s\n", err);
        dash_departments_free(&list);
        return 1;
    }
    for (size_t i = 0; i < list.n; i++)
        printf("%s\t%s\t%s\t%s\n", list.items[i].id, list.items[i].name, list.items[i].group,
               list.items[i].group_name);
    dash_departments_free(&list);
    return 0;
}

int cli_department(int argc, char **argv)
{
    bool add = argc > 1 && !strcmp(argv[1], "add"), list = argc > 1 && !strcmp(argv[1], "list");
    if (!add && !list) {
        fprintf(stderr, "wowdash department: expected add or list, got '%s'\nusage: %s",
                argc > 1 ? argv[1] : "", cli_department_usage);
        return 2;
    }
    struct org_args a = {0};
    const char *what = add ? "department add" : "department list";
    int rc = parse_args(what, argc, argv, 2, add ? ORG_ID | ORG_NAME | ORG_GROUP : 0, &a);
    if (rc)
        return rc;
    struct dashdb *db = open_target(what, a.db);
    if (!db)
        return 1;
    rc = add ? department_add(db, &a) : department_list(db);
    dashdb_close(db);
    return rc;
}

static bool print_group(void *ctx, const char *group_id, const char *name)
{
    (void)ctx;
    printf("%s\t%s\n", group_id, name);
    return true;
}

int cli_group(int argc, char **argv)
{
    bool add = argc > 1 && !strcmp(argv[1], "add"), list = argc > 1 && !strcmp(argv[1], "list");
    if (!add && !list) {
        fprintf(stderr, "wowdash group: expected add or list, got '%s'\nusage: %s",
                argc > 1 ? argv[1] : "", cli_group_usage);
        return 2;
    }
    struct org_args a = {0};
    const char *what = add ? "group add" : "group list";
    int rc = parse_args(what, argc, argv, 2, add ? ORG_ID | ORG_NAME : 0, &a);
    if (rc)
        return rc;
    struct dashdb *db = open_target(what, a.db);
    if (!db)
        return 1;
    char err[512];
    if (add) {
        rc = group_add(db, &a);
    } else if (!org_groups_each(db, print_group, NULL, err, sizeof err)) {
        fprintf(stderr, "wowdash %s: %s\n", what, err);
        rc = 1;
    }
    dashdb_close(db);
    return rc;
}

int cli_rollup(int argc, char **argv)
{
    struct org_args a = {0};
    int rc = parse_args("rollup", argc, argv, 1, 0, &a);
    if (rc)
        return rc;
    struct dashdb *db = open_target("rollup", a.db);
    if (!db)
        return 1;
    char err[512];
    struct rollup_stats stats;
    struct clock_now start = clock_real();
    bool ok = rollup_refresh(db, start.utc_ms, &stats, err, sizeof err);
    dashdb_close(db);
    if (!ok) {
        fprintf(stderr, "wowdash rollup: %s\n", err);
        return 1;
    }
    printf("rollup: %lld tap rows, %lld reason rows changed; %lld days of %lld kiosks "
           "recomputed in %.2f s\n",
           (long long)stats.tap_rows, (long long)stats.reason_rows, (long long)stats.days,
           (long long)stats.kiosks, (double)(clock_real().mono_ms - start.mono_ms) / 1e3);
    if (stats.kiosks_set_aside > 0)
        fprintf(stderr,
                "wowdash rollup: %lld kiosks set aside: a row of theirs the rollups cannot take "
                "(see the log above); the others' numbers are up to date\n",
                (long long)stats.kiosks_set_aside);
    return stats.kiosks_set_aside > 0 ? 3 : 0;
}
