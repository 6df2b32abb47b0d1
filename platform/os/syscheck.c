/*
 * syscheck: start-up checks of the DRM device, display, input devices and
 * the store's directory, each as one technician-readable line (see
 * syscheck.h).
 */
#include "syscheck.h"

#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_NAMES    16
#define NAME_MAX_LEN 64
#define PATH_LEN     512

/* Directory entries of one kind ("card0", "event3"), sorted. */
struct name_list {
    int count;
    char names[MAX_NAMES][NAME_MAX_LEN];
};

/* Appends printf-style text to the NUL-terminated buf, cutting at size. */
static void appendf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* Sets buf to printf-style text, cut at size (messages: cut is fine). */
static void setf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void setf(char *buf, size_t size, const char *fmt, ...)
{
    if (size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

/* Sets buf to a path made printf-style; a path too long for buf becomes ""
 * (which no open or access finds) rather than a cut path naming another
 * file. */
static void make_path(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void make_path(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size)
        buf[0] = '\0';
}

/* Adds an item; returns severity != SYSCHECK_ERROR so checks can return it. */
static bool add_item(struct syscheck_report *report, enum syscheck_severity severity,
                     const char *check, const char *message)
{
    if (report->count < SYSCHECK_MAX_ITEMS) {
        struct syscheck_item *item = &report->items[report->count++];
        item->severity = severity;
        item->check = check;
        snprintf(item->message, sizeof item->message, "%s", message);
    }
    return severity != SYSCHECK_ERROR;
}

static const char *root_of(const struct syscheck_options *options)
{
    return options->root != NULL ? options->root : "";
}

static bool default_access(const char *path, int mode, void *ctx)
{
    (void)ctx;
    return faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0;
}

static bool can_access(const struct syscheck_options *options, const char *path, int mode)
{
    syscheck_access_fn *fn = options->can_access != NULL ? options->can_access : default_access;
    return fn(path, mode, options->access_ctx);
}

/* "event10" sorts after "event9": shorter names first, then by bytes. */
static int compare_names(const void *a, const void *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

/* Whether name is prefix, digits, then (if dash) '-' and anything. */
static bool name_matches(const char *name, const char *prefix, bool dash)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0 || name[n] < '0' || name[n] > '9')
        return false;
    const char *p = name + n;
    while (*p >= '0' && *p <= '9')
        p++;
    return dash ? (p[0] == '-' && p[1] != '\0') : *p == '\0';
}

/* Lists dir's entries that name_matches; an unreadable dir lists nothing. */
static void list_names(const char *dir, const char *prefix, bool dash, struct name_list *out)
{
    out->count = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && out->count < MAX_NAMES) {
        if (name_matches(e->d_name, prefix, dash) && strlen(e->d_name) < NAME_MAX_LEN)
            snprintf(out->names[out->count++], NAME_MAX_LEN, "%.*s", NAME_MAX_LEN - 1, e->d_name);
    }
    closedir(d);
    qsort(out->names, (size_t)out->count, sizeof out->names[0], compare_names);
}

/* Reads the first line of a small file without its newline; false if the
 * file cannot be read. */
static bool read_line(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return false;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return true;
}

static void group_name(gid_t gid, char *buf, size_t size)
{
    struct group grp, *found = NULL;
    char scratch[1024];
    if (getgrgid_r(gid, &grp, scratch, sizeof scratch, &found) == 0 && found != NULL)
        snprintf(buf, size, "%s", found->gr_name);
    else
        snprintf(buf, size, "%lu", (unsigned long)gid);
}

static void user_name(uid_t uid, char *buf, size_t size)
{
    struct passwd pw, *found = NULL;
    char scratch[1024];
    if (getpwuid_r(uid, &pw, scratch, sizeof scratch, &found) == 0 && found != NULL)
        snprintf(buf, size, "%s", found->pw_name);
    else
        snprintf(buf, size, "%lu", (unsigned long)uid);
}

/* Appends "owner:group 0660" of path, or why it cannot be said. */
static void append_owner(char *buf, size_t size, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        appendf(buf, size, "stat: %s", strerror(errno));
        return;
    }
    char user[64], group[64];
    user_name(st.st_uid, user, sizeof user);
    group_name(st.st_gid, group, sizeof group);
    appendf(buf, size, "%s:%s %04o", user, group, (unsigned)(st.st_mode & 07777));
}

/* Appends "uid 998 (wowkiosk)": who this process is, for the advice. */
static void append_identity(char *buf, size_t size)
{
    char user[64];
    user_name(geteuid(), user, sizeof user);
    appendf(buf, size, "uid %lu (%s)", (unsigned long)geteuid(), user);
}

/* Appends "card0 (root:video 0660: Permission denied)" for each name. */
static void append_refusals(char *buf, size_t size, const char *dir, const struct name_list *names,
                            const int *errnos)
{
    for (int i = 0; i < names->count; i++) {
        char path[PATH_LEN];
        make_path(path, sizeof path, "%s/%s", dir, names->names[i]);
        appendf(buf, size, "%s%s (", i > 0 ? ", " : "", names->names[i]);
        append_owner(buf, size, path);
        appendf(buf, size, ": %s)", strerror(errnos[i]));
    }
}

bool syscheck_drm(const struct syscheck_options *options, struct syscheck_report *report)
{
    char dir[PATH_LEN], path[PATH_LEN], msg[SYSCHECK_MESSAGE_MAX] = "";
    make_path(dir, sizeof dir, "%s/dev/dri", root_of(options));
    struct name_list cards;
    list_names(dir, "card", false, &cards);
    if (cards.count == 0) {
        setf(msg, sizeof msg,
             "no DRM device %s/card*: no KMS display driver is loaded "
             "(Raspberry Pi: dtoverlay=vc4-kms-v3d in config.txt)",
             dir);
        return add_item(report, SYSCHECK_ERROR, "drm", msg);
    }
    int errnos[MAX_NAMES] = {0};
    for (int i = 0; i < cards.count; i++) {
        make_path(path, sizeof path, "%s/%s", dir, cards.names[i]);
        errno = 0;
        if (can_access(options, path, R_OK | W_OK)) {
            setf(msg, sizeof msg, "DRM device %s is readable and writable", path);
            return add_item(report, SYSCHECK_OK, "drm", msg);
        }
        errnos[i] = errno != 0 ? errno : EACCES;
    }
    appendf(msg, sizeof msg, "cannot open the DRM device %s/: ", dir);
    append_refusals(msg, sizeof msg, dir, &cards, errnos);
    appendf(msg, sizeof msg, " as ");
    append_identity(msg, sizeof msg);
    appendf(msg, sizeof msg, ": the service user must be in group video (or render)");
    return add_item(report, SYSCHECK_ERROR, "drm", msg);
}

bool syscheck_display(const struct syscheck_options *options, struct syscheck_report *report)
{
    char dir[PATH_LEN], path[PATH_LEN], state[32];
    char connected[SYSCHECK_MESSAGE_MAX] = "", all[SYSCHECK_MESSAGE_MAX] = "";
    make_path(dir, sizeof dir, "%s/sys/class/drm", root_of(options));
    struct name_list connectors;
    list_names(dir, "card", true, &connectors);
    int n_screens = 0, n_connected = 0, n_unknown = 0;
    for (int i = 0; i < connectors.count; i++) {
        /* A writeback connector (vc4 has one) is no screen and always reads
         * "unknown": it would turn "no screen" into a mere warning. */
        if (strstr(connectors.names[i], "-Writeback-") != NULL)
            continue;
        make_path(path, sizeof path, "%s/%s/status", dir, connectors.names[i]);
        if (!read_line(path, state, sizeof state))
            setf(state, sizeof state, "unreadable");
        appendf(all, sizeof all, "%s%s %s", n_screens++ > 0 ? ", " : "", connectors.names[i],
                state);
        if (strcmp(state, "connected") == 0)
            appendf(connected, sizeof connected, "%s%s", n_connected++ > 0 ? ", " : "",
                    connectors.names[i]);
        else if (strcmp(state, "unknown") == 0)
            n_unknown++;
    }
    char msg[SYSCHECK_MESSAGE_MAX];
    if (n_connected > 0) {
        setf(msg, sizeof msg, "display connected: %s", connected);
        return add_item(report, SYSCHECK_OK, "display", msg);
    }
    if (n_screens == 0) {
        setf(msg, sizeof msg, "no display connector in %s: the DRM driver found no outputs", dir);
        return add_item(report, SYSCHECK_ERROR, "display", msg);
    }
    if (n_unknown > 0) {
        setf(msg, sizeof msg,
             "no display reports connected (%s); some panels cannot tell: check the screen", all);
        return add_item(report, SYSCHECK_WARN, "display", msg);
    }
    setf(msg, sizeof msg,
         "no display connected (%s): plug in and power the screen, then restart the kiosk", all);
    return add_item(report, SYSCHECK_ERROR, "display", msg);
}

/* Whether a capabilities bitmap ("0", "3 0 0", "2608000 3") has a bit set. */
static bool bitmap_nonzero(const char *text)
{
    for (const char *p = text; *p != '\0'; p++)
        if (*p != '0' && *p != ' ')
            return true;
    return false;
}

/* Adds the "touch" item: which readable device reports absolute axes. */
static void check_touch(const struct syscheck_options *options, const struct name_list *readable,
                        struct syscheck_report *report)
{
    char path[PATH_LEN], caps[256], name[96], msg[SYSCHECK_MESSAGE_MAX];
    for (int i = 0; i < readable->count; i++) {
        const char *dev = readable->names[i];
        make_path(path, sizeof path, "%s/sys/class/input/%s/device/capabilities/abs",
                  root_of(options), dev);
        if (!read_line(path, caps, sizeof caps) || !bitmap_nonzero(caps))
            continue;
        make_path(path, sizeof path, "%s/sys/class/input/%s/device/name", root_of(options), dev);
        if (!read_line(path, name, sizeof name))
            setf(name, sizeof name, "no name");
        setf(msg, sizeof msg, "touch-capable input device: %s (%s)", dev, name);
        add_item(report, SYSCHECK_OK, "touch", msg);
        return;
    }
    setf(msg, sizeof msg, "no touch-capable input device: none of ");
    for (int i = 0; i < readable->count; i++)
        appendf(msg, sizeof msg, "%s%s", i > 0 ? ", " : "", readable->names[i]);
    appendf(msg, sizeof msg, " reports absolute axes (is the touchscreen connected?)");
    add_item(report, SYSCHECK_WARN, "touch", msg);
}

bool syscheck_input(const struct syscheck_options *options, struct syscheck_report *report)
{
    char dir[PATH_LEN], path[PATH_LEN], msg[SYSCHECK_MESSAGE_MAX] = "";
    make_path(dir, sizeof dir, "%s/dev/input", root_of(options));
    struct name_list events, readable = {0};
    list_names(dir, "event", false, &events);
    if (events.count == 0) {
        setf(msg, sizeof msg,
             "no input device %s/event*: connect the touchscreen (see dmesg for its driver)", dir);
        return add_item(report, SYSCHECK_ERROR, "input", msg);
    }
    int errnos[MAX_NAMES] = {0};
    for (int i = 0; i < events.count; i++) {
        make_path(path, sizeof path, "%s/%s", dir, events.names[i]);
        errno = 0;
        if (can_access(options, path, R_OK))
            memcpy(readable.names[readable.count++], events.names[i], NAME_MAX_LEN);
        errnos[i] = errno != 0 ? errno : EACCES;
    }
    if (readable.count == 0) {
        appendf(msg, sizeof msg, "cannot read the input devices in %s/: ", dir);
        append_refusals(msg, sizeof msg, dir, &events, errnos);
        appendf(msg, sizeof msg, " as ");
        append_identity(msg, sizeof msg);
        appendf(msg, sizeof msg, ": the service user must be in group input");
        return add_item(report, SYSCHECK_ERROR, "input", msg);
    }
    appendf(msg, sizeof msg, "input devices readable: ");
    for (int i = 0; i < readable.count; i++)
        appendf(msg, sizeof msg, "%s%s", i > 0 ? ", " : "", readable.names[i]);
    appendf(msg, sizeof msg, " (of %d in %s)", events.count, dir);
    add_item(report, SYSCHECK_OK, "input", msg);
    check_touch(options, &readable, report);
    return true;
}

/* The directory part of path: "." when it has none, "/" for "/x". */
static void directory_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        make_path(dir, size, "%.*s", (int)(slash - path), path);
}

bool syscheck_store(const char *store_path, struct syscheck_report *report)
{
    char dir[PATH_LEN], probe[PATH_LEN + 32], msg[SYSCHECK_MESSAGE_MAX] = "";
    directory_of(store_path, dir, sizeof dir);
    make_path(probe, sizeof probe, "%s/.wowkiosk-probe-%ld", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST && unlink(probe) == 0) /* left by a killed run */
        fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        int err = errno;
        appendf(msg, sizeof msg, "store directory %s is not writable: cannot create %s: %s (", dir,
                probe, strerror(err));
        struct stat st;
        if (stat(dir, &st) == 0) {
            append_owner(msg, sizeof msg, dir);
            appendf(msg, sizeof msg, "; ");
        }
        appendf(msg, sizeof msg, "running as ");
        append_identity(msg, sizeof msg);
        appendf(msg, sizeof msg, ")");
        return add_item(report, SYSCHECK_ERROR, "store", msg);
    }
    close(fd);
    if (unlink(probe) != 0) {
        setf(msg, sizeof msg, "store directory %s: cannot remove the probe file %s: %s", dir, probe,
             strerror(errno));
        return add_item(report, SYSCHECK_ERROR, "store", msg);
    }
    setf(msg, sizeof msg, "store directory %s is writable", dir);
    return add_item(report, SYSCHECK_OK, "store", msg);
}

bool syscheck_run(const struct syscheck_options *options, struct syscheck_report *report)
{
    report->count = 0;
    if (options->kmsdrm) {
        syscheck_drm(options, report);
        syscheck_display(options, report);
        syscheck_input(options, report);
    }
    if (options->store_path != NULL)
        syscheck_store(options->store_path, report);
    return syscheck_count(report, SYSCHECK_ERROR) == 0;
}

const char *syscheck_video_driver(void)
{
    const char *driver = getenv("SDL_VIDEODRIVER");
    return driver != NULL && driver[0] != '\0' ? driver : NULL;
}

int syscheck_count(const struct syscheck_report *report, enum syscheck_severity min_severity)
{
    int n = 0;
    for (int i = 0; i < report->count; i++)
        if (report->items[i].severity >= min_severity)
            n++;
    return n;
}

void syscheck_log(const struct syscheck_report *report)
{
    for (int i = 0; i < report->count; i++) {
        const struct syscheck_item *item = &report->items[i];
        enum log_level level = item->severity == SYSCHECK_ERROR  ? LOG_ERROR
                               : item->severity == SYSCHECK_WARN ? LOG_WARN
                                                                 : LOG_INFO;
        log_msg(level, "syscheck: %s: %s", item->check, item->message);
    }
}

void syscheck_summary(const struct syscheck_report *report, char *buf, size_t size)
{
    if (size == 0)
        return;
    buf[0] = '\0';
    const struct syscheck_item *first = NULL;
    for (int i = 0; i < report->count && first == NULL; i++)
        if (report->items[i].severity == SYSCHECK_ERROR)
            first = &report->items[i];
    for (int i = 0; i < report->count && first == NULL; i++)
        if (report->items[i].severity == SYSCHECK_WARN)
            first = &report->items[i];
    if (first == NULL)
        return;
    int more = syscheck_count(report, SYSCHECK_WARN) - 1;
    if (more > 0)
        snprintf(buf, size, "%s: %s (+%d more)", first->check, first->message, more);
    else
        snprintf(buf, size, "%s: %s", first->check, first->message);
}
