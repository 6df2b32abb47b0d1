/*
 * script_driver: replays a --script file (app/core/script.c parses it)
 * into the running kiosk: taps on points or on named targets of the frame
 * last drawn, injected through the display as real input; waits, wall
 * clock jumps, screenshots and quit.
 */
#ifndef WOW_KIOSK_SCRIPT_DRIVER_H
#define WOW_KIOSK_SCRIPT_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

struct config;
struct display;
struct ui_frame;
struct ui_target;

struct script_driver; /* opaque */

/* What a turn of the script asks of the loop. */
enum script_driver_result {
    SCRIPT_DRIVER_GO_ON, /* carry on (maybe input was injected) */
    SCRIPT_DRIVER_QUIT,  /* the script said quit */
    SCRIPT_DRIVER_FAILED /* a step could not run (logged): exit status 1 */
};

/* Loads the script at path (logged when it cannot) for config (borrowed);
 * screenshot_dir (borrowed, NULL: ".") takes its screenshots.  NULL on
 * error.  Free with script_driver_destroy(). */
struct script_driver *script_driver_create(const char *path, const char *screenshot_dir,
                                           const struct config *config);
void script_driver_destroy(struct script_driver *driver);

/* Runs the steps due at now on display, naming targets of frame;
 * "advance" moves *clock_offset (the wall clock's shift). */
enum script_driver_result script_driver_run(struct script_driver *driver, struct clock_now now,
                                            struct display *display, const struct ui_frame *frame,
                                            int64_t *clock_offset);

/* The monotonic time of the next step, or INT64_MAX when the script is
 * done. */
int64_t script_driver_next_ms(const struct script_driver *driver);

/* The technician screens' target a script names ("pin:3", "tech:sync",
 * "tech-department:ID|configured") on frame, or NULL when the name is not
 * one or the target is not shown. */
const struct ui_target *script_driver_technician_target(const struct ui_frame *frame,
                                                        const struct config *config,
                                                        const char *name);

#endif
