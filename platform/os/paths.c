/*
 * paths: default locations (see paths.h).
 */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool paths_state_file(const char *name, char *buf, size_t size)
{
    const char *state = getenv("STATE_DIRECTORY");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    int n;
    if (state != NULL && state[0] == '/') /* systemd may list several, ':'-separated */
        n = snprintf(buf, size, "%.*s/%s", (int)strcspn(state, ":"), state, name);
    else if (xdg != NULL && xdg[0] == '/')
        n = snprintf(buf, size, "%s/wowkiosk/%s", xdg, name);
    else if (home != NULL && home[0] == '/')
        n = snprintf(buf, size, "%s/.local/share/wowkiosk/%s", home, name);
    else {
        log_error("paths: none of STATE_DIRECTORY, XDG_DATA_HOME, HOME is an absolute path; "
                  "set [store] path in the config");
        return false;
    }
    if (n < 0 || (size_t)n >= size) {
        log_error("paths: state directory path too long");
        return false;
    }
    return paths_make_parent(buf);
}

bool paths_default_store(char *buf, size_t size)
{
    return paths_state_file("kiosk.db", buf, size);
}

bool paths_installed_data(const char *name, char *buf, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return false;
    *slash = '\0'; /* the directory of the binary, e.g. /usr/bin */
    char probe[PATH_MAX + 64];
    snprintf(probe, sizeof probe, "%s/../share/%s", exe, name);
    struct stat st;
    if (stat(probe, &st) != 0 || !S_ISDIR(st.st_mode))
        return false;
    /* say /usr/share/x rather than /usr/bin/../share/x in logs */
    char *prefix_end = strrchr(exe, '/');
    if (prefix_end != NULL)
        *prefix_end = '\0';
    int len = snprintf(buf, size, "%s/share/%s", exe, name);
    return len > 0 && (size_t)len < size;
}
