/*
 * script_driver: a --script file played into the running kiosk (see
 * script_driver.h).
 */
#include "script_driver.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "display.h"
#include "input.h"
#include "log.h"
#include "script.h"
#include "technician.h"
#include "ui.h"

#define DEPARTMENT_PREFIX "tech-department:"

/* How long a tap waits for a named target that is not on the screen yet
 * (the screen before it still on its way out on a loaded machine), and how
 * often it looks again: once a frame. */
#define TARGET_WAIT_MS 2000
#define TARGET_LOOK_MS 16

struct script_driver {
    const char *path;
    const char *screenshot_dir;
    const struct config *config;
    struct script script;
    int pos;
    int64_t next_ms;         /* monotonic time of the next step; 0: at once */
    int64_t missing_from_ms; /* when the step's named target was first missing; 0: it was not */
    int press_x, press_y;
    int screenshot_count;
};

struct script_driver *script_driver_create(const char *path, const char *screenshot_dir,
                                           const struct config *config)
{
    struct script_driver *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    char err[512];
    if (!script_load(&d->script, path, err, sizeof err)) {
        log_error("script: %s", err);
        free(d);
        return NULL;
    }
    d->path = path;
    d->screenshot_dir = screenshot_dir != NULL ? screenshot_dir : ".";
    d->config = config;
    return d;
}

void script_driver_destroy(struct script_driver *d)
{
    if (d == NULL)
        return;
    script_destroy(&d->script);
    free(d);
}

int64_t script_driver_next_ms(const struct script_driver *d)
{
    return d->pos < d->script.count ? d->next_ms : INT64_MAX;
}

const struct ui_target *script_driver_technician_target(const struct ui_frame *frame,
                                                        const struct config *config,
                                                        const char *name)
{
    size_t prefix = strlen(DEPARTMENT_PREFIX);
    if (strncmp(name, DEPARTMENT_PREFIX, prefix) == 0) {
        const char *id = name + prefix;
        int index = -1;
        if (strcmp(id, "configured") != 0 && (index = config_find_department(config, id)) < 0)
            return NULL;
        return ui_find(frame, UI_TARGET_TECH_DEPARTMENT, index);
    }
    struct technician_event ev;
    if (!technician_event_named(name, strlen(name), &ev))
        return NULL;
    return input_target_of(frame, INPUT_TECHNICIAN, (int)ev.type, ev.arg);
}

static int language_index(const struct config *config, const char *code)
{
    for (int i = 0; i < config->language_count; i++)
        if (strcmp(config->languages[i], code) == 0)
            return i;
    return -1;
}

/* Where a step points, in logical pixels.  False if the named target is
 * not on the current screen. */
static bool step_point(const struct script_driver *d, const struct ui_frame *frame,
                       const struct script_step *step, int *x, int *y)
{
    const struct ui_target *t = NULL;
    switch (step->target) {
    case SCRIPT_AT_XY:
        *x = step->x;
        *y = step->y;
        return true;
    case SCRIPT_AT_FACE:
        t = ui_find(frame, UI_TARGET_FACE, step->index);
        break;
    case SCRIPT_AT_REASON:
        t = ui_find(frame, UI_TARGET_REASON, step->index - 1);
        break;
    case SCRIPT_AT_SKIP:
        t = ui_find(frame, UI_TARGET_SKIP, 0);
        break;
    case SCRIPT_AT_ACCESSIBLE:
        t = ui_find(frame, UI_TARGET_ACCESSIBLE, 0);
        break;
    case SCRIPT_AT_COMMENT:
        t = ui_find(frame, UI_TARGET_COMMENT, 0);
        break;
    case SCRIPT_AT_KEY:
        t = ui_find(frame, UI_TARGET_KEY, step->index);
        break;
    case SCRIPT_AT_LANG:
        t = ui_find(frame, UI_TARGET_LANGUAGE, language_index(d->config, step->name));
        break;
    case SCRIPT_AT_DEPARTMENT:
        t = ui_find(frame, UI_TARGET_DEPARTMENT, config_find_department(d->config, step->name));
        break;
    case SCRIPT_AT_TECH:
        t = script_driver_technician_target(frame, d->config, step->name);
        break;
    }
    if (t == NULL)
        return false;
    *x = t->rect.x + t->rect.w / 2;
    *y = t->rect.y + t->rect.h / 2;
    return true;
}

/* One step that does not wait for the loop.  Returns the step's result
 * and *yield when the loop must handle injected input first. */
static enum script_driver_result run_step(struct script_driver *d, const struct script_step *step,
                                          struct clock_now now, struct display *display,
                                          const struct ui_frame *frame, int64_t *clock_offset,
                                          bool *yield)
{
    switch (step->op) {
    case SCRIPT_WAIT:
        d->next_ms = now.mono_ms + step->wait_ms;
        break;
    case SCRIPT_ADVANCE:
        *clock_offset += step->wait_ms; /* the wall clock jumps ahead */
        log_info("script: wall clock advanced %lld ms at line %d", (long long)step->wait_ms,
                 step->line);
        break;
    case SCRIPT_TAP:
    case SCRIPT_PRESS:
        if (!step_point(d, frame, step, &d->press_x, &d->press_y)) {
            if (d->missing_from_ms == 0)
                d->missing_from_ms = now.mono_ms;
            if (now.mono_ms - d->missing_from_ms < TARGET_WAIT_MS) {
                d->pos--; /* the same step again at the next look */
                d->next_ms = now.mono_ms + TARGET_LOOK_MS;
                break;
            }
            log_error("script: %s:%d: that target is not on the current screen (waited %d ms)",
                      d->path, step->line, TARGET_WAIT_MS);
            return SCRIPT_DRIVER_FAILED;
        }
        d->missing_from_ms = 0;
        display_inject(display, true, d->press_x, d->press_y);
        if (step->op == SCRIPT_TAP)
            display_inject(display, false, d->press_x, d->press_y);
        *yield = true; /* let the loop handle it before the next step */
        break;
    case SCRIPT_RELEASE:
        display_inject(display, false, d->press_x, d->press_y);
        *yield = true;
        break;
    case SCRIPT_SCREENSHOT: {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/shot-%03d.png", d->screenshot_dir, ++d->screenshot_count);
        display_save_png(display, path);
        break;
    }
    case SCRIPT_QUIT:
        log_info("script: quit at line %d", step->line);
        return SCRIPT_DRIVER_QUIT;
    }
    return SCRIPT_DRIVER_GO_ON;
}

enum script_driver_result script_driver_run(struct script_driver *d, struct clock_now now,
                                            struct display *display, const struct ui_frame *frame,
                                            int64_t *clock_offset)
{
    bool yield = false;
    while (!yield && d->pos < d->script.count && now.mono_ms >= d->next_ms) {
        const struct script_step *step = &d->script.steps[d->pos++];
        enum script_driver_result r = run_step(d, step, now, display, frame, clock_offset, &yield);
        if (r != SCRIPT_DRIVER_GO_ON)
            return r;
    }
    return SCRIPT_DRIVER_GO_ON;
}
