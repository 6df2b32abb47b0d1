/*
 * technician_glue: connects the technician machine (app/core/technician.c)
 * to the running kiosk: its events in, the PIN lock kept in the state
 * directory, its screens' status rows (composed by status.c), and its
 * requests (sync now, restart, switch department) carried out.
 */
#ifndef WOW_KIOSK_TECHNICIAN_GLUE_H
#define WOW_KIOSK_TECHNICIAN_GLUE_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "technician.h"

struct status;
struct status_sources;
struct ui_technician;

struct technician_glue; /* opaque */

/* Creates the machine with the lock kept on disk, for the config and
 * status of sources and s (all borrowed, must outlive it).  NULL when out
 * of memory.  Free with technician_glue_destroy(). */
struct technician_glue *technician_glue_create(const struct status *s,
                                               const struct status_sources *sources,
                                               struct clock_now now);
void technician_glue_destroy(struct technician_glue *glue);

/* True while a technician screen is shown. */
bool technician_glue_active(const struct technician_glue *glue);

/* Passes ev (a raw press or release, or a press on one of its targets) to
 * the machine and carries out what it asks.  Returns true when the
 * technician took the press (a customer target must not see it); *redraw
 * is set when its screen changed. */
bool technician_glue_handle(struct technician_glue *glue, struct technician_event ev,
                            struct clock_now now, bool *redraw);

/* TICK for the machine; true when its screen must be redrawn. */
bool technician_glue_tick(struct technician_glue *glue, struct clock_now now);

/* The next monotonic time a TICK changes something, or INT64_MAX. */
int64_t technician_glue_next_deadline_ms(const struct technician_glue *glue, struct clock_now now);

/* The ui's view of the technician screens (status rows refreshed on the
 * menu), pointing into glue; NULL when hidden. */
const struct ui_technician *technician_glue_ui(struct technician_glue *glue, struct clock_now now);

/* True once the technician asked for a restart (or a department switch,
 * which takes one). */
bool technician_glue_restart_requested(const struct technician_glue *glue);

#endif
