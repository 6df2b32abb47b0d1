/*
 * program: the running kiosk, put together from its parts in order and
 * taken apart in reverse: config layers, notice, store (through a
 * session) and sync, the customer's state machine, the display and frame,
 * the technician, the script; then the loop, or a headless wait for a
 * display, or --self-test.
 */
#ifndef WOW_KIOSK_PROGRAM_H
#define WOW_KIOSK_PROGRAM_H

#include <stdbool.h>

struct options;

struct program; /* opaque */

/* Creates the program for options (borrowed, must outlive it): loads the
 * config and everything that does not need a display.  NULL when the
 * kiosk cannot run at all (logged).  Free with program_destroy(). */
struct program *program_create(const struct options *options);

/* Runs the kiosk (or the self-test when options ask for it) until it
 * stops.  Returns the exit status. */
int program_run(struct program *program);

/* True when the program should be executed again once destroyed (the
 * technician's restart). */
bool program_restart_requested(const struct program *program);

/* Tears the parts down in reverse order of creation; NULL is allowed. */
void program_destroy(struct program *program);

#endif
