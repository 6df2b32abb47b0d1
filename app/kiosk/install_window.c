/*
 * install_window: the may-install mark for the root updater (see
 * install_window.h).
 */
#include "install_window.h"

#include <stdio.h>
#include <string.h>

#include "file.h"
#include "kiosk.h"
#include "log.h"
#include "paths.h"

void install_window_init(struct install_window *w, const char *dir, enum config_install when)
{
    /* nobody has pressed anything since the start (a kiosk restarted at
       night may install at once) */
    *w = (struct install_window){.when = when, .last_use_mono_ms = INT64_MIN / 2};
    if (dir == NULL || dir[0] == '\0' || when == CONFIG_INSTALL_NEVER)
        return;
    if (snprintf(w->path, sizeof w->path, "%s/may-install", dir) >= (int)sizeof w->path) {
        log_error("install: %s/may-install: the path is too long; system updates never install",
                  dir);
        w->path[0] = '\0';
        return;
    }
    int err = 0;
    if (!file_remove(w->path, &err))
        log_error("install: cannot remove %s: %s", w->path, strerror(err));
}

void install_window_used(struct install_window *w, int64_t now_mono_ms)
{
    w->last_use_mono_ms = now_mono_ms;
}

/* A screen no customer is on. */
static bool no_customer(const struct kiosk_view *v)
{
    if (v->pressed_face != 0 || v->pressed_reason >= 0 || v->accessible)
        return false;
    return v->screen == KIOSK_SCREEN_CLOSED || v->screen == KIOSK_SCREEN_PICKER ||
           (v->screen == KIOSK_SCREEN_RATING && v->language == 0);
}

static bool may_install(const struct install_window *w, const struct kiosk_view *v, bool free,
                        int64_t now)
{
    if (!free)
        return false;
    if (w->when == CONFIG_INSTALL_CLOSED)
        return v->screen == KIOSK_SCREEN_CLOSED &&
               now - w->last_use_mono_ms >= INSTALL_WINDOW_CLOSED_QUIET_MS;
    return no_customer(v) && now - w->last_use_mono_ms >= INSTALL_WINDOW_IDLE_MS;
}

void install_window_update(struct install_window *w, const struct kiosk_view *view, bool free,
                           int64_t now_mono_ms)
{
    if (w->path[0] == '\0')
        return;
    int err = 0;
    if (may_install(w, view, free, now_mono_ms)) {
        if (now_mono_ms < w->next_touch_ms) /* kept fresh, or a failed touch waits */
            return;
        /* the directory is the kiosk's, made by the first offer or here */
        if (!paths_make_parent(w->path) || !file_touch(w->path, &err)) {
            if (err != 0) /* paths_make_parent logged its own */
                log_error("install: cannot touch %s: %s (a system update waits)", w->path,
                          strerror(err));
            w->next_touch_ms = now_mono_ms + INSTALL_WINDOW_TOUCH_MS; /* not every turn */
            return;
        }
        if (!w->marked)
            log_info("install: a system update may install now (%s)", w->path);
        w->marked = true;
        w->next_touch_ms = now_mono_ms + INSTALL_WINDOW_TOUCH_MS;
    } else if (w->marked) {
        if (!file_remove(w->path, &err))
            log_error("install: cannot remove %s: %s", w->path, strerror(err));
        else
            log_info("install: a system update may not install now");
        w->marked = false;
        w->next_touch_ms = 0;
    }
}

int64_t install_window_deadline_ms(const struct install_window *w, int64_t now_mono_ms)
{
    if (w->path[0] == '\0')
        return INT64_MAX;
    if (w->marked || w->next_touch_ms > now_mono_ms) /* renewing, or retrying a failed touch */
        return w->next_touch_ms;
    int64_t quiet =
        w->when == CONFIG_INSTALL_CLOSED ? INSTALL_WINDOW_CLOSED_QUIET_MS : INSTALL_WINDOW_IDLE_MS;
    int64_t quiet_end = w->last_use_mono_ms + quiet;
    /* past it, only a change of screen can open the window, and the
       kiosk's own deadlines and events bring those */
    return quiet_end > now_mono_ms ? quiet_end : INT64_MAX;
}
