/*
 * cli_catalog: wowdash's catalog commands (docs/CATALOG.md, cli.h):
 *
 *   wowdash catalog import FILE... --db TARGET [--note TEXT] [--by NAME]
 *       parses the files as one fleet document (a fleet's kiosk files are
 *       merged), checks it for every kiosk and, only if all pass, commits
 *       it as the next version (catalog_db.h).  Errors are printed as
 *       FILE:LINE: key: message, the words --check-config uses; exit 1 and
 *       nothing written.
 *   wowdash catalog export [--version N] --db TARGET
 *       the newest version (or version N) as a fleet document, to stdout
 *   wowdash catalog versions --db TARGET
 *       version, when (UTC), who and note, tab-separated, newest first
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

#include "catalog_db.h"
#include "cli.h"
#include "clock.h"
#include "dashdb.h"
#include "file.h"
#include "utf8.h"

const char cli_catalog_usage[] =
    "wowdash catalog import FILE... --db TARGET [--note TEXT] [--by NAME]\n"
    "       wowdash catalog export [--version N] --db TARGET\n"
    "       wowdash catalog versions --db TARGET\n";

#define CATALOG_FILES_MAX 4096

struct catalog_args {
    const char *verb, *db, *note, *by;
    int64_t version; /* 0: the newest */
    const char *files[CATALOG_FILES_MAX];
    int file_count;
};

/* A note or a name: one line of UTF-8 text of at most max - 1 bytes. */
static bool valid_text(const char *text, size_t max)
{
    if (strlen(text) >= max || !utf8_valid_string(text) || utf8_find_bidi_control(text))
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

static int option_value(struct catalog_args *a, const char *flag, const char *value)
{
    char *end = NULL;
    if (!strcmp(flag, "--db")) {
        a->db = value;
    } else if (!strcmp(flag, "--note") && !strcmp(a->verb, "import")) {
        a->note = value;
    } else if (!strcmp(flag, "--by") && !strcmp(a->verb, "import")) {
        a->by = value;
    } else if (!strcmp(flag, "--version") && !strcmp(a->verb, "export")) {
        errno = 0;
        a->version = strtoll(value, &end, 10);
        if (errno || end == value || *end || a->version < 1) {
            fprintf(stderr,
                    "wowdash catalog export: --version: expected a version from 1, got "
                    "'%.40s'\n",
                    value);
            return 2;
        }
    } else {
        fprintf(stderr, "wowdash catalog %s: unexpected argument '%s'\n", a->verb, flag);
        return 2;
    }
    return 0;
}

/* Reads argv[2..] into a; 0, or 2 after saying what is wrong. */
static int read_args(int argc, char **argv, struct catalog_args *a)
{
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' && !strcmp(a->verb, "import") && a->file_count < CATALOG_FILES_MAX) {
            a->files[a->file_count++] = arg;
            continue;
        }
        if (arg[0] == '-' && i + 1 >= argc) {
            fprintf(stderr, "wowdash catalog %s: %s needs a value\n", a->verb, arg);
            return 2;
        }
        int rc = option_value(a, arg, arg[0] == '-' ? argv[++i] : "");
        if (rc)
            return rc;
    }
    const char *missing = !a->db                                             ? "--db TARGET"
                          : !strcmp(a->verb, "import") && a->file_count == 0 ? "a FILE"
                                                                             : NULL;
    const char *bad = a->note && !valid_text(a->note, CATALOG_DB_NOTE_MAX) ? "--note"
                      : a->by && !valid_text(a->by, CATALOG_DB_WHO_MAX)    ? "--by"
                                                                           : NULL;
    if (missing)
        fprintf(stderr, "wowdash catalog %s: missing %s\n", a->verb, missing);
    else if (bad)
        fprintf(stderr,
                "wowdash catalog %s: %s: expected one line of UTF-8 text, at most %d bytes\n",
                a->verb, bad, bad[2] == 'n' ? CATALOG_DB_NOTE_MAX - 1 : CATALOG_DB_WHO_MAX - 1);
    return missing || bad ? 2 : 0;
}

static void print_errors(const struct config_errors *errors)
{
    for (int i = 0; i < errors->count; i++) {
        char line[1024];
        config_error_format(&errors->error[i], line, sizeof line);
        fprintf(stderr, "%s\n", line);
    }
    if (errors->total > errors->count)
        fprintf(stderr, "... and %d more errors\n", errors->total - errors->count);
}

void cli_catalog_who(const char *by, char *out, size_t size)
{
    const char *user = getenv("USER");
    if (!user || !valid_text(user, 41)) {
        const struct passwd *pw = getpwuid(geteuid());
        user = pw && valid_text(pw->pw_name, 41) ? pw->pw_name : "unknown";
    }
    if (by)
        snprintf(out, size, "%s", by);
    else
        snprintf(out, size, "cli:%.40s", user);
}

static void who(const struct catalog_args *a, char *out, size_t size)
{
    cli_catalog_who(a->by, out, size);
}

static int import_run(struct dashdb *db, const struct catalog_args *a)
{
    char *texts[CATALOG_FILES_MAX] = {0};
    int rc = 0;
    for (int i = 0; i < a->file_count && rc == 0; i++) {
        int err_no = 0;
        texts[i] = file_read_text(a->files[i], &err_no);
        if (!texts[i]) {
            fprintf(stderr, "%s:0: file: cannot be read: %s\n", a->files[i], file_error(err_no));
            rc = 1;
        }
    }
    char err[512], by[CATALOG_DB_WHO_MAX];
    struct config_errors errors;
    int64_t version = 0;
    who(a, by, sizeof by);
    enum catalog_db_status st =
        rc ? CATALOG_DB_FAILED
           : catalog_db_commit(db, a->files, (const char *const *)texts, a->file_count,
                               CATALOG_DB_ANY_BASE, by, a->note ? a->note : "", clock_real().utc_ms,
                               &version, &errors, err, sizeof err);
    for (int i = 0; i < a->file_count; i++)
        free(texts[i]);
    if (rc)
        return rc;
    if (st == CATALOG_DB_REFUSED) {
        print_errors(&errors);
        return 1;
    }
    if (st != CATALOG_DB_OK) {
        fprintf(stderr, "wowdash catalog import: %s\n", err);
        return 1;
    }
    printf("catalog version %" PRId64 " made by %s\n", version, by);
    return 0;
}

static int export_run(struct dashdb *db, const struct catalog_args *a)
{
    char err[512], *body = NULL;
    int64_t version = a->version;
    bool ok = version ? catalog_db_export(db, version, &body, err, sizeof err)
                      : catalog_db_newest(db, &version, &body, err, sizeof err);
    if (!ok) {
        fprintf(stderr, "wowdash catalog export: %s\n", err);
        return 1;
    }
    if (!body) {
        if (a->version)
            fprintf(stderr, "wowdash catalog export: --version: no version %" PRId64 "\n",
                    a->version);
        else
            fprintf(stderr, "wowdash catalog export: the catalog is empty (wowdash catalog "
                            "import FILE first)\n");
        return 1;
    }
    fputs(body, stdout);
    free(body);
    return 0;
}

static int versions_run(struct dashdb *db)
{
    struct catalog_db_version *list = NULL;
    size_t count = 0;
    char err[512];
    if (!catalog_db_versions(db, &list, &count, err, sizeof err)) {
        fprintf(stderr, "wowdash catalog versions: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        time_t at = (time_t)(list[i].made_ms / 1000);
        struct tm tm;
        char when[32];
        gmtime_r(&at, &tm);
        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &tm);
        printf("%" PRId64 "\t%s\t%s\t%s\n", list[i].version, when, list[i].made_by, list[i].note);
    }
    free(list);
    return 0;
}

int cli_catalog(int argc, char **argv)
{
    const char *verb = argc > 1 ? argv[1] : "";
    if (strcmp(verb, "import") && strcmp(verb, "export") && strcmp(verb, "versions")) {
        fprintf(stderr,
                "wowdash catalog: expected import, export or versions, got '%.40s'\n"
                "usage: %s",
                verb, cli_catalog_usage);
        return 2;
    }
    static struct catalog_args a; /* large (the file list): not on the stack */
    a = (struct catalog_args){.verb = verb};
    int rc = read_args(argc, argv, &a);
    if (rc)
        return rc;
    char err[512];
    struct dashdb *db = dashdb_open(a.db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "wowdash catalog %s: %s\n", verb, err);
        return 1;
    }
    rc = !strcmp(verb, "import")   ? import_run(db, &a)
         : !strcmp(verb, "export") ? export_run(db, &a)
                                   : versions_run(db);
    dashdb_close(db);
    return rc;
}
