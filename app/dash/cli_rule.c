/* cli_rule: PLACEHOLDER until the alerts work lands (dashcli.h). */
#include <stdio.h>

#include "dashcli.h"

const char cli_rule_usage[] = "wowdash rule ... (not yet)\n";
const char cli_alerts_usage[] = "wowdash alerts ... (not yet)\n";

int cli_rule(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "wowdash: not built yet\n");
    return 1;
}

int cli_alerts(int argc, char **argv)
{
    return cli_rule(argc, argv);
}
