/*
 * paths: default locations (see paths.h).
 */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

bool paths_make_parent(const char *file_path)
{
    char dir[1024];
    int n = snprintf(dir, sizeof dir, "%s", file_path);
    if (n < 0 || (size_t)n >= sizeof dir) {
        log_error("paths: path too long: %s", file_path);
        return false;
    }
    char *slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
        return true;
    *slash = '\0';
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
            log_error("paths: cannot create directory %s: %s", dir, strerror(errno));
            return false;
        }
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        log_error("paths: cannot create directory %s: %s", dir, strerror(errno));
        return false;
    }
    return true;
}

bool paths_default_store(char *buf, size_t size)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg != NULL && xdg[0] == '/')
        n = snprintf(buf, size, "%s/wowkiosk/kiosk.db", xdg);
    else if (home != NULL && home[0] == '/')
        n = snprintf(buf, size, "%s/.local/share/wowkiosk/kiosk.db", home);
    else {
        log_error("paths: neither XDG_DATA_HOME nor HOME is an absolute path; "
                  "set [store] path in the config");
        return false;
    }
    if (n < 0 || (size_t)n >= size) {
        log_error("paths: data directory path too long");
        return false;
    }
    return paths_make_parent(buf);
}
