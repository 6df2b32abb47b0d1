/* cli_user: PLACEHOLDER until the auth work lands (dashcli.h). */
#include <stdio.h>

#include "dashcli.h"

const char cli_user_usage[] = "wowdash user ... (not yet)\n";
const char cli_token_usage[] = "wowdash token ... (not yet)\n";

int cli_user(int argc, char **argv)
{
    (void)argc, (void)argv;
    fprintf(stderr, "wowdash: user: not built yet\n");
    return 1;
}

int cli_token(int argc, char **argv)
{
    return cli_user(argc, argv);
}
