/*
 * dashcli: wowdash's commands that live beside the module they drive,
 * each parsing its own arguments.  argv[0] is the command's name ("user"),
 * argv[1] its verb ("add"); each returns the exit status (0 done, 1 failed,
 * 2 usage) and says what went wrong on stderr.
 *
 *   cli_user        user add|list|disable|password ...   (cli_user.c, auth.h)
 *   cli_token       token add|list|revoke ...            (cli_user.c)
 *   cli_department  department add|list ...             (cli_org.c)
 *   cli_group       group add|list ...                   (cli_org.c)
 *   cli_rollup      rollup --db TARGET                   (cli_org.c, rollup.h)
 *   cli_rule        rule add|list|disable ...            (cli_rule.c, alerts.h)
 *   cli_alerts      alerts evaluate --db TARGET ...      (cli_rule.c)
 */
#ifndef WOW_DASHCLI_H
#define WOW_DASHCLI_H

struct dashcli_command {
    const char *name;
    const char *usage; /* the usage lines, each starting "wowdash " and ending in a newline */
    int (*run)(int argc, char **argv);
};

int cli_user(int argc, char **argv);
int cli_token(int argc, char **argv);
int cli_department(int argc, char **argv);
int cli_group(int argc, char **argv);
int cli_rollup(int argc, char **argv);
int cli_rule(int argc, char **argv);
int cli_alerts(int argc, char **argv);

extern const char cli_user_usage[], cli_token_usage[], cli_department_usage[], cli_group_usage[],
    cli_rollup_usage[], cli_rule_usage[], cli_alerts_usage[];

#endif
