/*
 * technician_glue: the technician machine wired to the running kiosk (see
 * technician_glue.h).
 */
#include "technician_glue.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "file.h"
#include "layers.h"
#include "log.h"
#include "paths.h"
#include "status.h"
#include "sync.h"
#include "ui.h"

struct technician_glue {
    const struct status *status;
    const struct status_sources *sources;
    struct technician *machine;
    struct technician_view view;
    struct ui_technician ui;
    bool restart;
};

/* The lock file: "failures locked_until_utc_ms\n".  A missing file is no
 * lock; an unreadable or garbled one is logged and counts as a lock of the
 * longest kind, so breaking the file does not open the pad. */
static struct technician_lock lock_load(struct clock_now now)
{
    struct technician_lock lock = {0};
    char path[PATH_MAX];
    if (!paths_state_file("technician-lock", path, sizeof path))
        return lock;
    int err_no = 0;
    char *text = file_read_text(path, &err_no);
    if (text == NULL) {
        if (err_no != ENOENT)
            log_warn("technician: cannot read %s: %s", path, file_error(err_no));
        return lock;
    }
    char *end;
    errno = 0;
    long long failures = strtoll(text, &end, 10);
    bool ok = end != text && *end == ' ';
    const char *rest = end;
    long long until = ok ? strtoll(rest, &end, 10) : 0;
    ok = ok && end != rest && (*end == '\n' || *end == '\0') && errno == 0;
    if (!ok || failures < 0 || failures > 1000000) {
        log_warn("technician: %s: expected \"FAILURES LOCKED_UNTIL_MS\"; locking the PIN pad "
                 "for the longest time",
                 path);
        lock = (struct technician_lock){TECHNICIAN_FREE_TRIES, now.utc_ms + TECHNICIAN_LOCK_MAX_MS};
    } else {
        lock = (struct technician_lock){(int)failures, until};
    }
    free(text);
    return lock;
}

static void lock_save(struct technician_lock lock)
{
    char path[PATH_MAX], text[64];
    int err_no = 0;
    if (!paths_state_file("technician-lock", path, sizeof path))
        return;
    snprintf(text, sizeof text, "%d %" PRId64 "\n", lock.failures, lock.locked_until_utc_ms);
    if (!file_write_text(path, text, &err_no))
        log_error("technician: cannot keep the PIN lock in %s: %s", path, file_error(err_no));
}

struct technician_glue *technician_glue_create(const struct status *st,
                                               const struct status_sources *sources,
                                               struct clock_now now)
{
    struct technician_glue *g = calloc(1, sizeof *g);
    if (g == NULL)
        return NULL;
    const struct config *config = sources->config;
    g->status = st;
    g->sources = sources;
    g->machine = technician_create(config->technician_pin_hash, lock_load(now));
    if (g->machine == NULL) {
        free(g);
        return NULL;
    }
    g->ui.department = config->mode == CONFIG_MODE_SINGLE ? config->department : -1;
    return g;
}

void technician_glue_destroy(struct technician_glue *g)
{
    if (g == NULL)
        return;
    technician_destroy(g->machine);
    free(g);
}

bool technician_glue_active(const struct technician_glue *g)
{
    return technician_active(g->machine);
}

bool technician_glue_restart_requested(const struct technician_glue *g)
{
    return g->restart;
}

int64_t technician_glue_next_deadline_ms(const struct technician_glue *g, struct clock_now now)
{
    return technician_next_deadline_ms(g->machine, now);
}

static void carry_out(struct technician_glue *g, const struct technician_actions *a)
{
    const struct config *config = g->sources->config;
    switch (a->request) {
    case TECHNICIAN_REQUEST_SYNC_NOW:
        log_info("technician: sync now");
        if (g->sources->sync != NULL)
            sync_thread_request(g->sources->sync);
        break;
    case TECHNICIAN_REQUEST_SET_DEPARTMENT:
        if (a->department >= config->department_count)
            break;
        if (layers_save_department(config, a->department))
            g->restart = true;
        break;
    case TECHNICIAN_REQUEST_RESTART:
        log_info("technician: restart requested");
        g->restart = true;
        break;
    case TECHNICIAN_REQUEST_NONE:
        break;
    }
    if (a->lock_changed)
        lock_save(technician_lock(g->machine));
}

static const char *screen_name(enum technician_screen screen)
{
    static const char *const names[] = {
        [TECHNICIAN_HIDDEN] = "closed",
        [TECHNICIAN_PIN] = "PIN pad",
        [TECHNICIAN_MENU] = "menu",
        [TECHNICIAN_TOUCH_TEST] = "touch test",
        [TECHNICIAN_PATTERN] = "test pattern",
        [TECHNICIAN_DEPARTMENTS] = "departments",
    };
    return names[screen];
}

/* One journal line per thing a technician (or an intruder) did: the
 * screens opened, wrong PINs and locks.  Never the PIN. */
static void log_change(const struct technician_view *was, const struct technician_view *is)
{
    if (is->failures > was->failures) {
        if (is->locked_for_ms > 0)
            log_warn("technician: wrong PIN (%d in a row); PIN pad locked for %lld s", is->failures,
                     (long long)((is->locked_for_ms + 999) / 1000));
        else
            log_warn("technician: wrong PIN (%d in a row)", is->failures);
    }
    if (was->screen == TECHNICIAN_PIN && is->screen == TECHNICIAN_MENU)
        log_info("technician: PIN accepted");
    if (was->screen != is->screen)
        log_info("technician: %s", screen_name(is->screen));
}

bool technician_glue_handle(struct technician_glue *g, struct technician_event ev,
                            struct clock_now now, bool *redraw)
{
    struct technician_view was = technician_view(g->machine, now);
    struct technician_actions a = technician_handle(g->machine, ev, now);
    struct technician_view is = technician_view(g->machine, now);
    log_change(&was, &is);
    if (is.screen == TECHNICIAN_TOUCH_TEST && is.touch_count > 0 &&
        (was.touch_count != is.touch_count || was.screen != is.screen))
        log_info("technician: touch at %d,%d", is.touch[is.touch_count - 1].x,
                 is.touch[is.touch_count - 1].y);
    carry_out(g, &a);
    *redraw |= a.redraw;
    return a.consumed || technician_active(g->machine);
}

bool technician_glue_tick(struct technician_glue *g, struct clock_now now)
{
    if (!technician_active(g->machine))
        return false;
    struct technician_view was = technician_view(g->machine, now);
    struct technician_actions a = technician_handle(
        g->machine, (struct technician_event){.type = TECHNICIAN_EVENT_TICK}, now);
    struct technician_view is = technician_view(g->machine, now);
    log_change(&was, &is);
    return a.redraw;
}

const struct ui_technician *technician_glue_ui(struct technician_glue *g, struct clock_now now)
{
    if (!technician_active(g->machine))
        return NULL;
    g->view = technician_view(g->machine, now);
    g->ui.view = &g->view;
    if (g->view.screen == TECHNICIAN_MENU)
        status_rows(g->status, g->sources, now, &g->ui);
    return &g->ui;
}
