/*
 * status: what the kiosk says about itself, composed in one place: the
 * start-up checks and their one-line summary (the heartbeat's last_error),
 * the technician screen's status rows, and --self-test's proof that the
 * store is usable.
 */
#ifndef WOW_KIOSK_STATUS_H
#define WOW_KIOSK_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"
#include "syscheck.h"

struct config;
struct session;
struct sync_thread;
struct tz;
struct ui_technician;

struct status {
    struct syscheck_report checks; /* the start-up checks' findings */
    char problem[512];             /* their summary; "" when all is well */
    int64_t start_mono_ms;         /* the program's start, for its uptime */
};

/* What the status rows are composed from; all borrowed, read when the
 * rows are. */
struct status_sources {
    const struct config *config;
    const char *config_files; /* "A + B", as read */
    bool department_overridden;
    const char *config_problem; /* layers_problem(): NULL, "": the kiosk's own files */
    struct session *session;    /* NULL: no store */
    struct sync_thread *sync;   /* NULL: sync off */
    const struct tz *tz;        /* the site's zone; NULL: UTC */
    const char *store_path;
    const char
        *catalog_refused; /* "version N: error" of the last refused catalog; NULL, "": none */
};

/* Runs the start-up checks for the store at store_path (DRM, display and
 * input only under the kmsdrm video driver), logs each problem, and fills
 * s->checks and s->problem.  Returns false when one of them is an error. */
bool status_run_checks(struct status *s, const char *store_path);

/* Records that no display could be opened (naming the video driver) as
 * the problem the heartbeat reports. */
void status_no_display(struct status *s);

/* Records that the kiosk runs headless on purpose (--headless REASON) as
 * the problem the heartbeat reports. */
void status_headless(struct status *s, const char *reason);

/* Fills t's rows (kiosk, department, config, catalog, network, today,
 * sync, store, checks, uptime) at now. */
void status_rows(const struct status *s, const struct status_sources *src, struct clock_now now,
                 struct ui_technician *t);

/* The UTC time of the last local midnight before utc_ms in zone tz (NULL:
 * UTC), with the offset midnight had, not the one utc_ms has: on the day
 * the clocks change they differ by an hour. */
int64_t status_local_midnight_utc(const struct tz *tz, int64_t utc_ms);

/* --self-test's store check: opens the store at path for kiosk_id as the
 * kiosk does, which proves it whole (quick_check), journaled in WAL,
 * writable (opening takes the write lock) and at this version's schema
 * (migrated; a newer one is refused); then proves its writes durable
 * (synchronous=FULL) and its counts readable.  Writes
 * what it found into detail (size bytes).  True when the kiosk can record
 * into it. */
bool status_store_usable(const char *path, const char *kiosk_id, int64_t now_utc_ms, char *detail,
                         size_t size);

#endif
