/* cli_org: PLACEHOLDER until the rollup work lands (dashcli.h). */
#include <stdio.h>

#include "dashcli.h"

const char cli_department_usage[] = "wowdash department ... (not yet)\n";
const char cli_group_usage[] = "wowdash group ... (not yet)\n";
const char cli_rollup_usage[] = "wowdash rollup ... (not yet)\n";

int cli_department(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "wowdash: not built yet\n");
    return 1;
}

int cli_group(int argc, char **argv)
{
    return cli_department(argc, argv);
}

int cli_rollup(int argc, char **argv)
{
    return cli_department(argc, argv);
}
