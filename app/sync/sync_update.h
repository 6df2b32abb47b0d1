/*
 * sync_update: the kiosk's half of a system update rolled out from the
 * dashboard (docs/DEPLOY.md, "Rolling out from the dashboard").
 *
 * The kiosk never gets root; it and the root updater (wowkiosk-updater)
 * talk through files in the update directory beside the store:
 *
 *   offer        written here from the kiosk's kiosk_update row, which
 *                each push reads in its own round trip: version=, url=,
 *                sha256=, size=, one per line; removed when the database
 *                offers nothing (the rollout paused, stopped or done)
 *   state        written by the updater and slot-check (slot=, version=,
 *                state=, error=), read here before each push and sent in
 *                the heartbeat
 *   may-install  kept fresh by the kiosk's loop while it may install
 *                (install_window.h)
 *
 * Every field crosses a privilege boundary one way or the other, so each
 * is checked where it enters: an offer the database holds that is not a
 * plain version, an http(s) URL, 64 hex digits and a size is not written
 * (its version is reported "refused" with what was wrong), and a state
 * file's fields are kept only when they are what the updater writes.
 */
#ifndef WOW_SYNC_UPDATE_H
#define WOW_SYNC_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SYNC_UPDATE_VERSION_MAX 64
#define SYNC_UPDATE_URL_MAX     1024
#define SYNC_UPDATE_SIZE_MAX    (16LL * 1024 * 1024 * 1024) /* a bundle larger is refused */

/* What the database offers this kiosk (its kiosk_update row). */
struct sync_update_offer {
    bool present; /* false: no row, nothing offered */
    char version[SYNC_UPDATE_VERSION_MAX];
    char url[SYNC_UPDATE_URL_MAX];
    char sha256[65];
    int64_t size;
};

/* Where an update stands, as the updater wrote it; "" where unknown. */
struct sync_update_report {
    char slot[16];
    char version[SYNC_UPDATE_VERSION_MAX];
    char state[16];
    char error[320];
};

/* True for a version the updater takes: letters, digits and . + ~ -, 1 to
 * SYNC_UPDATE_VERSION_MAX - 1 bytes. */
bool sync_update_version_ok(const char *version);

/* Checks an offer's fields; false with "FIELD: expected ..., got ..." in
 * why.  An offer that is not present passes. */
bool sync_update_offer_check(const struct sync_update_offer *offer, char *why, size_t size);

/* Reads dir/state into *report (emptied first).  A missing or unreadable
 * file leaves it empty; a field that is not what the updater writes
 * (a slot or version of other characters, an unknown state) is left
 * empty, and the error is made valid UTF-8 without control characters. */
void sync_update_read_report(const char *dir, struct sync_update_report *report);

/* Parses the text of a state file (as sync_update_read_report). */
void sync_update_parse_report(const char *text, struct sync_update_report *report);

/* The text of dir/offer for offer (present and checked), in buf. */
void sync_update_offer_text(const struct sync_update_offer *offer, char *buf, size_t size);

/* Makes dir/offer say offer: written durably when its text differs from
 * what the file holds, removed when offer is not present.  last (size
 * bytes, "" at first) remembers the text last known to be in the file,
 * so a round whose offer did not change touches no file.  Returns 0, or
 * -1 with what failed in error. */
int sync_update_put_offer(const char *dir, const struct sync_update_offer *offer, char *last,
                          size_t last_size, char *error, size_t size);

/* The slot booted, from the kernel's command line in the file at path
 * (/proc/cmdline): the value of its last rauc.slot= word, copied into
 * slot (size bytes) when it is 1 to size-1 letters and digits; "" when
 * there is none, it is not, or the file cannot be read. */
void sync_update_booted_slot(const char *path, char *slot, size_t size);

/* The file naming the version of the system the kiosk runs: the image's
 * (build-image.sh --system-version, the wowkiosk package's version by
 * default) or the bundle's that an update installed.  The heartbeat
 * reports it, since a rollout compares it with the bundle's version. */
#define SYNC_SYSTEM_VERSION_FILE "/etc/wowkiosk/system-version"

/* Reads the version on the first line of path into version (size bytes).
 * Returns 1 when it is one the updater takes and fits, 0 when the file
 * does not exist (a system without one), -1 with "PATH:1: expected ..."
 * (or why it could not be read) in why. */
int sync_update_read_system_version(const char *path, char *version, size_t size, char *why,
                                    size_t why_size);

#endif
