/*
 * notice: what the technician's notice screen says, composed by the
 * program: a config with errors (for good, or for NOTICE_SHOW_MS while the
 * kiosk runs on its last good config), an override missing (for
 * NOTICE_SHOW_MS: its last good copy runs) or failed start-up checks (for
 * NOTICE_SHOW_MS: a check can be wrong, the kiosk then runs on).  It is
 * not a state of the customer's machine: while it shows, the machine is
 * neither ticked nor tapped.
 */
#ifndef WOW_KIOSK_NOTICE_H
#define WOW_KIOSK_NOTICE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "ui.h"

/* How long a notice shows before the kiosk starts collecting: long enough
 * for the technician who just rebooted it to read it. */
#define NOTICE_SHOW_MS 60000

struct layers;
struct syscheck_report;

/* How long the store's notice lasts past its last renewal: the loop renews
 * it while the store can keep nothing (session_can_keep). */
#define NOTICE_STORE_MS 2000

struct notice {
    bool forever;     /* a bad config: shown until the program ends */
    bool store;       /* the store's notice (notice_of_store) */
    int64_t until_ms; /* monotonic end of a timed notice; 0: none */
    char heading[64]; /* "" = the screen's "Configuration error" */
    char title[PATH_MAX + 64];
    char help[160]; /* "" = the screen's how to check a config */
    int line_count, total;
    char lines[CONFIG_MAX_ERRORS][UI_NOTICE_LINE_MAX];
    const char *line_ptr[CONFIG_MAX_ERRORS];
    struct ui_notice ui;
};

/* Composes the notice of a config with errors (l->bad: forever;
 * l->fell_back: for NOTICE_SHOW_MS from now_mono_ms), or of an override
 * replaced by its last good copy (l->override_missing: for NOTICE_SHOW_MS);
 * no notice when the kiosk runs on its own good files. */
void notice_of_config(struct notice *n, const struct layers *l, int64_t now_mono_ms);

/* Composes the notice of the failed start-up checks in report, unless a
 * notice is already set (the config's comes first).  kiosk_id names the
 * kiosk in the title. */
void notice_of_checks(struct notice *n, const struct syscheck_report *report, const char *kiosk_id,
                      int64_t now_mono_ms);

/* Composes, or renews for NOTICE_STORE_MS, the notice of a kiosk that can
 * keep no tap (error: the store's last failure), unless another notice
 * shows. */
void notice_of_store(struct notice *n, const char *kiosk_id, const char *error,
                     int64_t now_mono_ms);

/* True while a notice is set (a timed one until its end). */
bool notice_set(const struct notice *n);

/* True while the notice is shown at now_mono_ms. */
bool notice_showing(const struct notice *n, int64_t now_mono_ms);

/* The monotonic time a timed notice ends, while it shows; else INT64_MAX
 * (the loop wakes then to go back to the customer's screens). */
int64_t notice_deadline_ms(const struct notice *n, int64_t now_mono_ms);

/* The ui's view of the notice (pointing into *n), or NULL when it is not
 * shown at now_mono_ms. */
const struct ui_notice *notice_ui(struct notice *n, int64_t now_mono_ms);

#endif
