/*
 * wowkiosk: the customer-feedback kiosk.
 *
 * main() reads as: parse the command line -> (the one-shot tools:
 * --hash-pin, --check-config) -> create the program -> run it -> tear it
 * down -> exec again when the technician asked for a restart.  The parts
 * and their order are in program.c; the loop in loop.c.
 */
#include <signal.h>
#include <stdio.h>

#include "layers.h"
#include "log.h"
#include "options.h"
#include "program.h"
#include "restart.h"
#include "self_test.h"

int main(int argc, char **argv)
{
    static struct options options; /* outlives the program (a restart reads argv) */
    int status = options_parse(&options, argc, argv);
    if (status != 0)
        return status > 0 ? 0 : 2;
    log_init("wowkiosk", options.log_level);
    if (options.hash_pin)
        return self_test_hash_pin();
    if (options.check_config_path != NULL)
        return layers_check(options.check_config_path, options.override_path);

    /* SIGHUP, SIGUSR1 and SIGUSR2 would end the kiosk mid-flow by default:
     * none of them means anything here, so a stray `kill -HUP` is ignored
     * (docs/DEPLOY.md).  SIGTERM and SIGINT stop it cleanly (SDL queues them
     * as a quit).  Set before any thread starts, so every thread inherits it. */
    signal(SIGHUP, SIG_IGN);
    signal(SIGUSR1, SIG_IGN);
    signal(SIGUSR2, SIG_IGN);
    log_info("wowkiosk %s starting", WOW_VERSION);
    options_resolve_assets(&options);
    log_info("assets: %s", options.assets_dir);
    struct program *program = program_create(&options);
    if (program == NULL)
        return 1;
    status = program_run(program);
    bool restart = program_restart_requested(program);
    program_destroy(program);
    if (restart)
        restart_exec(options.argv);
    return status;
}
