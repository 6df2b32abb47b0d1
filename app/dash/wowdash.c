/*
 * wowdash: the shared database's administration program and the
 * dashboard's web server.  Its commands are one table (app/dash/cli/cli.c):
 * migrate, kiosk add, serve, user, token, department, group, rollup, rule
 * and alerts; `wowdash --help` lists them with their options.
 *
 * main() reads as: start the log, run the command argv names, exit with
 * its status.
 */
#include "cli.h"
#include "log.h"

int main(int argc, char **argv)
{
    log_init("wowdash", LOG_INFO);
    return cli_main(argc, argv);
}
