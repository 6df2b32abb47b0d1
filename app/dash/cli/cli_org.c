/*
 * cli_org: wowdash's commands for the organisation the dashboard groups
 * the counts by, and the rollups' refresh (cli.h):
 *
 *   wowdash department add ID --name NAME [--group GROUP] --db TARGET
 *       describes a department (again: replaces its name and group; no
 *       --group leaves it in none); GROUP must exist
 *   wowdash department list --db TARGET
 *       every known department, described or only seen in the counts:
 *       id, name, group, group name, tab-separated, by name
 *   wowdash group add ID --name NAME --db TARGET     (again: renames)
 *   wowdash group list --db TARGET                    id and name, by id
 *   wowdash rollup --db TARGET
 *       one refresh of the rollups (rollup.h), and what it did
 *
 * Ids are 1..63 characters of [A-Za-z0-9_.-]; names 1..127 bytes with no
 * control characters.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "cli.h"
#include "dashdb.h"
#include "dashq.h"
#include "dashview.h"
#include "rollup.h"

const char cli_department_usage[] =
    "wowdash department add ID --name NAME [--group GROUP] --db TARGET\n"
    "       wowdash department list --db TARGET\n";
const char cli_group_usage[] = "wowdash group add ID --name NAME --db TARGET\n"
                               "       wowdash group list --db TARGET\n";
const char cli_rollup_usage[] = "wowdash rollup --db TARGET\n";

struct org_args {
    const char *id, *name, *group, *db;
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

/* Parses argv[first..] into a: one positional ID (when want_id) and the
 * options allowed ("name", "group"); 0, or 2 after saying what is wrong. */
static int parse_args(const char *what, int argc, char **argv, int first, bool want_id, bool names,
                      bool groups, struct org_args *a)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        const char **dst = !strcmp(arg, "--db")                ? &a->db
                           : names && !strcmp(arg, "--name")   ? &a->name
                           : groups && !strcmp(arg, "--group") ? &a->group
                                                               : NULL;
        if (dst && i + 1 >= argc) {
            fprintf(stderr, "wowdash %s: %s needs a value\n", what, arg);
            return 2;
        }
        if (dst) {
            *dst = argv[++i];
        } else if (arg[0] != '-' && want_id && !a->id) {
            a->id = arg;
        } else {
            fprintf(stderr, "wowdash %s: unexpected argument '%s'\n", what, arg);
            return 2;
        }
    }
    const char *missing = !a->db              ? "--db TARGET"
                          : want_id && !a->id ? "an ID"
                          : names && !a->name ? "--name NAME"
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
    return 0;
}

static struct dashdb *open_target(const char *what, const char *target)
{
    char err[512];
    struct dashdb *db = dashdb_open(target, err, sizeof err);
    if (!db)
        fprintf(stderr, "wowdash %s: %s\n", what, err);
    return db;
}

static bool note_row(void *ctx, int ncols, const char *const *v)
{
    (void)ncols, (void)v;
    *(bool *)ctx = true;
    return true;
}

static int department_add(struct dashdb *db, const struct org_args *a)
{
    static const char group_sql[] = "SELECT 1 FROM dash_groups WHERE group_id = $1";
    static const char sql[] =
        "INSERT INTO dash_departments(department, name, group_id) VALUES ($1, $2, $3)"
        " ON CONFLICT (department) DO UPDATE SET name = excluded.name,"
        " group_id = excluded.group_id";
    char err[512];
    bool found = false;
    struct dashdb_value group = DASHDB_TEXT(a->group);
    if (a->group && !dashdb_exec(db, group_sql, &group, 1, note_row, &found, NULL, err, sizeof err))
        goto failed;
    if (a->group && !found) {
        fprintf(stderr,
                "wowdash department add: --group: no group '%s' (wowdash group add %s --name "
                "NAME first)\n",
                a->group, a->group);
        return 1;
    }
    struct dashdb_value params[] = {DASHDB_TEXT(a->id), DASHDB_TEXT(a->name),
                                    a->group ? DASHDB_TEXT(a->group)
                                             : (struct dashdb_value){.type = DASHDB_NULL}};
    if (!dashdb_exec(db, sql, params, 3, NULL, NULL, NULL, err, sizeof err))
        goto failed;
    printf("department %s: %s%s%s\n", a->id, a->name, a->group ? ", group " : "",
           a->group ? a->group : "");
    return 0;
failed:
    fprintf(stderr, "wowdash department add: %s\n", err);
    return 1;
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
    int rc = parse_args(what, argc, argv, 2, add, add, add, &a);
    if (rc)
        return rc;
    struct dashdb *db = open_target(what, a.db);
    if (!db)
        return 1;
    rc = add ? department_add(db, &a) : department_list(db);
    dashdb_close(db);
    return rc;
}

static bool print_group(void *ctx, int ncols, const char *const *v)
{
    (void)ctx;
    if (ncols == 2)
        printf("%s\t%s\n", v[0] ? v[0] : "", v[1] ? v[1] : "");
    return true;
}

int cli_group(int argc, char **argv)
{
    static const char add_sql[] = "INSERT INTO dash_groups(group_id, name) VALUES ($1, $2)"
                                  " ON CONFLICT (group_id) DO UPDATE SET name = excluded.name";
    static const char list_sql[] = "SELECT group_id, name FROM dash_groups ORDER BY group_id";
    bool add = argc > 1 && !strcmp(argv[1], "add"), list = argc > 1 && !strcmp(argv[1], "list");
    if (!add && !list) {
        fprintf(stderr, "wowdash group: expected add or list, got '%s'\nusage: %s",
                argc > 1 ? argv[1] : "", cli_group_usage);
        return 2;
    }
    struct org_args a = {0};
    const char *what = add ? "group add" : "group list";
    int rc = parse_args(what, argc, argv, 2, add, add, false, &a);
    if (rc)
        return rc;
    struct dashdb *db = open_target(what, a.db);
    if (!db)
        return 1;
    char err[512];
    struct dashdb_value params[] = {DASHDB_TEXT(a.id), DASHDB_TEXT(a.name)};
    bool ok = add ? dashdb_exec(db, add_sql, params, 2, NULL, NULL, NULL, err, sizeof err)
                  : dashdb_exec(db, list_sql, NULL, 0, print_group, NULL, NULL, err, sizeof err);
    if (!ok)
        fprintf(stderr, "wowdash %s: %s\n", what, err);
    else if (add)
        printf("group %s: %s\n", a.id, a.name);
    dashdb_close(db);
    return ok ? 0 : 1;
}

int cli_rollup(int argc, char **argv)
{
    struct org_args a = {0};
    int rc = parse_args("rollup", argc, argv, 1, false, false, false, &a);
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
    return 0;
}
