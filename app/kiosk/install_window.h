/*
 * install_window: tells the root updater when this kiosk may install a
 * system update (docs/DEPLOY.md, "Rolling out from the dashboard").
 *
 * The kiosk never gets root.  While it may install, it keeps the file
 * may-install in its update directory fresh (touched every
 * INSTALL_WINDOW_TOUCH_MS; the updater takes it only if it is at most
 * five minutes old, so a kiosk that hangs or stops stops allowing), and
 * removes it the moment it may not.  When it may ([sync] install_updates):
 *   closed  the closed screen (outside opening hours), nobody has touched
 *           the screen for INSTALL_WINDOW_CLOSED_QUIET_MS (a technician)
 *   idle    a screen no customer is on (the closed, picker or first
 *           rating screen, nothing pressed, not in accessibility mode),
 *           untouched for INSTALL_WINDOW_IDLE_MS
 *   never   never; no file is written
 * and in every case nothing is waiting to be recorded, no technician is
 * at work and no notice shows (the caller's part).
 */
#ifndef WOW_KIOSK_INSTALL_WINDOW_H
#define WOW_KIOSK_INSTALL_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define INSTALL_WINDOW_TOUCH_MS        (60 * 1000)
#define INSTALL_WINDOW_CLOSED_QUIET_MS (2 * 60 * 1000)
#define INSTALL_WINDOW_IDLE_MS         (10 * 60 * 1000)

struct kiosk_view;

/* A plain value, owned by the loop. */
struct install_window {
    char path[CONFIG_PATH_MAX + 16]; /* DIR/may-install; "" when off */
    enum config_install when;
    bool marked;              /* the file is there, as far as the kiosk knows */
    int64_t next_touch_ms;    /* monotonic: when a kept mark is touched again */
    int64_t last_use_mono_ms; /* the last press on the screen */
};

/* Starts the window for the update directory dir ("" or NULL: off):
 * a mark left by an earlier run is removed (nobody has said yet that this
 * run may install); nobody has pressed the screen yet, so a kiosk started
 * while closed may install at once. */
void install_window_init(struct install_window *w, const char *dir, enum config_install when);

/* Someone pressed the screen: the mark goes at the next update. */
void install_window_used(struct install_window *w, int64_t now_mono_ms);

/* Keeps or removes the mark for the kiosk as it is now: view, and
 * whether the caller found it free (nothing waiting to be recorded, no
 * technician, no notice). */
void install_window_update(struct install_window *w, const struct kiosk_view *view, bool free,
                           int64_t now_mono_ms);

/* When install_window_update should run again without an event, from
 * now_mono_ms: INT64_MAX when nothing is due by time. */
int64_t install_window_deadline_ms(const struct install_window *w, int64_t now_mono_ms);

#endif
