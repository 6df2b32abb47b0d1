/*
 * syscheck: the start-up checks SDL does not make, so that a kiosk under
 * systemd never fails silently.
 *
 * SDL's kmsdrm driver says little more than "kmsdrm not available" when the
 * service user may not open /dev/dri/card*, when no screen is plugged in or
 * when the touchscreen's /dev/input/event* is unreadable.  These checks say
 * which device, which group and what to do, in one technician-readable line
 * each, and check that the store's directory takes new files.
 *
 * Results go into a report (a fixed list, nothing allocated) that the caller
 * can log line by line (syscheck_log: the journal), draw on the technician
 * screen (items[i].message), and sum up in one line for the sync heartbeat's
 * last_error (syscheck_summary).
 *
 * The CALLER decides which checks apply: syscheck_run runs the DRM, display
 * and input checks only when options.kmsdrm is true (the caller sets it when
 * the video driver is kmsdrm; under X11, Wayland or the dummy driver those
 * devices belong to someone else), and the store check only when
 * options.store_path is set.
 *
 * Device and sysfs paths are read under options.root ("" = the real system),
 * so tests build a fake /dev and /sys in a temporary directory.  Whether a
 * device can be opened is asked through options.can_access (NULL = the real
 * faccessat(2) with the effective ids): tests run as root, for whom access
 * ignores mode bits, so they inject the answer to test the messages, and test
 * the real path in a child that drops to an unprivileged user.
 */
#ifndef WOW_SYSCHECK_H
#define WOW_SYSCHECK_H

#include <stdbool.h>
#include <stddef.h>

enum syscheck_severity {
    SYSCHECK_OK = 0,   /* checked and fine (the message says what was found) */
    SYSCHECK_WARN = 1, /* the kiosk can run, but something is likely wrong */
    SYSCHECK_ERROR = 2 /* the kiosk cannot work as installed */
};

#define SYSCHECK_MESSAGE_MAX 320
#define SYSCHECK_MAX_ITEMS   8

/* One check's outcome: what was checked ("drm", "display", "input", "touch",
 * "store") and one line for a technician. */
struct syscheck_item {
    enum syscheck_severity severity;
    const char *check; /* a static string */
    char message[SYSCHECK_MESSAGE_MAX];
};

/* The outcome of a run, in the order the checks ran.  Items past
 * SYSCHECK_MAX_ITEMS are dropped (the checks add at most 6). */
struct syscheck_report {
    int count;
    struct syscheck_item items[SYSCHECK_MAX_ITEMS];
};

/* Answers whether path can be opened with mode (R_OK, W_OK, their OR) by
 * this process; on false, sets errno to the reason. */
typedef bool syscheck_access_fn(const char *path, int mode, void *ctx);

struct syscheck_options {
    const char *root;               /* prefix of /dev and /sys paths; "" or NULL = real system */
    bool kmsdrm;                    /* run the DRM, display and input checks */
    const char *store_path;         /* the store's file (not under root); NULL = skip */
    syscheck_access_fn *can_access; /* NULL = faccessat(..., AT_EACCESS) */
    void *access_ctx;               /* passed to can_access */
};

/* Empties report, then runs the checks that options select (see above) into
 * it.  Returns true when no item is an error. */
bool syscheck_run(const struct syscheck_options *options, struct syscheck_report *report);

/* The single checks, each appending its item(s) to report; syscheck_run
 * calls them in this order.  Each returns false when it added an error.
 *  - drm: some <root>/dev/dri/card* is readable and writable; otherwise names
 *    each device, its owner and group, and that the service user must be in
 *    group video (or render).
 *  - display: the status file of some connector <root>/sys/class/drm/cardN-NAME
 *    reads "connected"; otherwise names the connectors found and their states
 *    (an error; a warning when some read "unknown", as some panels do).
 *    Writeback connectors are no screens and are left out.
 *  - input: some <root>/dev/input/event* is readable (else an error naming
 *    the devices and group input), then a "touch" item: a warning when no
 *    readable device reports absolute axes
 *    (<root>/sys/class/input/eventN/device/capabilities/abs non-zero).
 *  - store: a probe file can be created and removed beside store_path. */
bool syscheck_drm(const struct syscheck_options *options, struct syscheck_report *report);
bool syscheck_display(const struct syscheck_options *options, struct syscheck_report *report);
bool syscheck_input(const struct syscheck_options *options, struct syscheck_report *report);
bool syscheck_store(const char *store_path, struct syscheck_report *report);

/* The video driver the display will be asked for (SDL_VIDEODRIVER), or
 * NULL for SDL's default; "kmsdrm" is the kiosk's, and the one under which
 * the DRM, display and input checks apply.  A static string or the
 * environment's: do not free. */
const char *syscheck_video_driver(void);

/* How many items are at least min_severity. */
int syscheck_count(const struct syscheck_report *report, enum syscheck_severity min_severity);

/* Logs every item: errors with log_error, warnings with log_warn, the rest
 * with log_info, each as "syscheck: <check>: <message>". */
void syscheck_log(const struct syscheck_report *report);

/* One line for the heartbeat's last_error, into buf (the caller's, size
 * bytes, always NUL-terminated when size > 0): the first error's (else
 * warning's) message, followed by " (+N more)" when there are more problems;
 * "" when every check passed. */
void syscheck_summary(const struct syscheck_report *report, char *buf, size_t size);

#endif
