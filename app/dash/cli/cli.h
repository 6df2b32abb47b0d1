/*
 * cli: wowdash's commands, one table of them (cli.c) and the entry points
 * each command's file defines.  A command gets argv from its own name on
 * (argv[0] "user", argv[1] its verb "add"), parses its own arguments and
 * returns the exit status: 0 done, 1 failed, 2 usage (said on stderr), or
 * CLI_USAGE when the whole command line was malformed and cli_main() should
 * print the full usage.
 *
 *   cli_migrate     migrate --db TARGET ...                   (cli_setup.c)
 *   cli_kiosk       kiosk add ID ...                          (cli_setup.c)
 *   cli_serve       serve --db TARGET ...                     (cli_setup.c, serve.h)
 *   cli_user        user add|list|disable|password ...        (cli_user.c, auth.h)
 *   cli_token       token add|list|revoke ...                 (cli_user.c)
 *   cli_department  department add|list ...                   (cli_org.c)
 *   cli_group       group add|list ...                        (cli_org.c)
 *   cli_rollup      rollup --db TARGET                        (cli_org.c, rollup.h)
 *   cli_rule        rule add|list|disable ...                 (cli_rule.c, alerts.h)
 *   cli_alerts      alerts evaluate --db TARGET ...           (cli_rule.c)
 *   cli_catalog     catalog import|export|versions ...        (cli_catalog.c, catalog_db.h)
 *   cli_report      report add|remove|list|send ...           (cli_report.c, mail.h)
 *   cli_bundle      bundle publish FILE ...                   (cli_update.c, updates.h)
 *   cli_rollout     rollout start|promote|pause|... ...       (cli_update.c, rollout.h)
 */
#ifndef WOW_CLI_H
#define WOW_CLI_H

#include <stddef.h>

#define CLI_USAGE (-1)

/* Runs the command argv[1] names, or --help/--version; the exit status. */
int cli_main(int argc, char **argv);

int cli_migrate(int argc, char **argv);
int cli_kiosk(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_department(int argc, char **argv);
int cli_group(int argc, char **argv);
int cli_rollup(int argc, char **argv);
int cli_rule(int argc, char **argv);
int cli_alerts(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_catalog(int argc, char **argv);
int cli_bundle(int argc, char **argv);
int cli_rollout(int argc, char **argv);

/* Who makes a catalog version from the command line: by (--by) when not
 * NULL, else "cli:" and the login ($USER, else the account of the
 * effective uid), else "cli:unknown"; written into out. */
void cli_catalog_who(const char *by, char *out, size_t size);

/* Each command's usage lines, each starting "wowdash " and ending in a
 * newline; continuation lines indented as printed after "usage: ". */
extern const char cli_migrate_usage[], cli_kiosk_usage[], cli_serve_usage[], cli_user_usage[],
    cli_token_usage[], cli_department_usage[], cli_group_usage[], cli_rollup_usage[],
    cli_rule_usage[], cli_alerts_usage[], cli_catalog_usage[], cli_report_usage[],
    cli_bundle_usage[], cli_rollout_usage[];

#endif
