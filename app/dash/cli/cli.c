/*
 * cli: the table of wowdash's commands and the dispatch (see cli.h).
 *
 * How to add a command: write `int cli_NAME(int argc, char **argv)` and
 * its `cli_NAME_usage[]` in the file of its family (or a new cli_*.c in
 * this folder, listed in app/dash/CMakeLists.txt), declare both in cli.h,
 * and add one row to commands[] below: the name, the usage, the function.
 * The usage, the help and the dispatch all come from that row.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "schema.h"
#include "serve.h"

struct cli_command {
    const char *name;
    const char *usage;
    int (*run)(int argc, char **argv);
};

static const struct cli_command commands[] = {
    {"migrate", cli_migrate_usage, cli_migrate},
    {"kiosk", cli_kiosk_usage, cli_kiosk},
    {"serve", cli_serve_usage, cli_serve},
    {"user", cli_user_usage, cli_user},
    {"token", cli_token_usage, cli_token},
    {"department", cli_department_usage, cli_department},
    {"group", cli_group_usage, cli_group},
    {"rollup", cli_rollup_usage, cli_rollup},
    {"rule", cli_rule_usage, cli_rule},
    {"alerts", cli_alerts_usage, cli_alerts},
    {"catalog", cli_catalog_usage, cli_catalog},
    {"report", cli_report_usage, cli_report},
    {"bundle", cli_bundle_usage, cli_bundle},
    {"rollout", cli_rollout_usage, cli_rollout},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "%s%s", i == 0 ? "usage: " : "       ", commands[i].usage);
    fprintf(out,
            "\n"
            "TARGET is a PostgreSQL conninfo (\"postgresql://...\" or \"host=... dbname=...\")\n"
            "or the path of the SQLite file that is the embedded default.\n"
            "--to VERSION   stop at that schema version (default: the newest, %d)\n"
            "--kiosk-host   the host name kiosks use (default: the one --db names)\n"
            "--sslmode      sslmode for the kiosk's conninfo (default: verify-full)\n"
            "--replace      give an existing kiosk role a new password\n"
            "--listen       where serve listens (default " SERVE_DEFAULT_LISTEN "); any address,\n"
            "               but off loopback put a TLS proxy in front and add --secure-cookies\n"
            "--silent-after a kiosk without a heartbeat for this long stands out on the fleet\n"
            "               page: 90s, 15m, 2h, 1d (default 15m)\n"
            "--assets DIR   the directory holding dash.css (default: found next to the binary)\n"
            "--timezone     the zone \"today\" is counted in, e.g. Europe/Helsinki (default: the\n"
            "               machine's /etc/localtime, else UTC)\n"
            "--webhook URL  POST each alert as it opens, as JSON, to this http(s) URL\n"
            "--secure-cookies  the session cookie says Secure (serve behind HTTPS)\n"
            "--refresh      how often rollups and alerts are brought up to date (default 60s)\n"
            "--trusted-proxy ADDR,...  proxies (addresses or CIDR blocks) whose\n"
            "               X-Forwarded-For names the client; no one else's is read\n"
            "--allowed-host HOST,...   the Host names forms may be posted to (default:\n"
            "               the --listen address); the public name behind a proxy\n"
            "--smtp URL     email reports go through smtp://HOST[:PORT] or smtps://... (with\n"
            "               --mail-from; the password of --smtp-user in WOWDASH_SMTP_PASSWORD)\n"
            "--public-url   the dashboard's address as users reach it, for links in mail\n",
            SCHEMA_VERSION);
}

int cli_main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "--version")) {
        printf("wowdash %s\n", WOW_VERSION);
        return 0;
    }
    for (size_t i = 0; argc >= 2 && i < COMMAND_COUNT; i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        int status = commands[i].run(argc - 1, argv + 1);
        if (status != CLI_USAGE)
            return status;
        break;
    }
    usage(stderr);
    return 2;
}
