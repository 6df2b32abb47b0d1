/*
 * restart: exec the program again (see restart.h).
 */
#include "restart.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

void restart_exec(char **argv)
{
    int n = 0;
    while (argv[n] != NULL)
        n++;
    char **again = calloc((size_t)n + 1, sizeof *again);
    if (again == NULL)
        return;
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(argv[i], "--script") == 0 && i + 1 < n) {
            i++;
            continue;
        }
        again[k++] = argv[i];
    }
    log_info("restarting");
    execv("/proc/self/exe", again);
    log_error("restart: cannot exec /proc/self/exe: %s", strerror(errno));
    free(again);
}
