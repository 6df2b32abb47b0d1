/*
 * loop: the running kiosk's one thread of control.
 *
 * Every turn: tick the state machines, draw if the view changed, hand the
 * records of the presented frame to the session, retry the store, ping
 * the watchdog, tell the sync thread of what was committed (it sends it
 * after a short debounce), run due script steps, then sleep in display_wait() until
 * the next input or deadline (a time-out of a machine, a script step, a
 * store retry, the end of a notice, the watchdog).  Nothing is drawn when
 * nothing changed.  A face tap is drawn (the acknowledging frame) before
 * its record goes to the store, and the next screen cannot appear before
 * ack_ms, so a tap is committed before the customer is thanked.
 *
 * A catalog received by the sync (update.h) is applied on a turn that
 * finds the customer's machine idle, nothing waiting to be recorded and
 * the technician screen shut: never under a customer mid-flow.
 */
#ifndef WOW_KIOSK_LOOP_H
#define WOW_KIOSK_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct clock;
struct display;
struct frame;
struct kiosk;
struct notice;
struct script_driver;
struct session;
struct sync_thread;
struct technician_glue;
struct update;

/* What the loop drives; all borrowed from the program. */
struct loop_parts {
    const struct clock *clock;
    int64_t *clock_offset; /* the wall clock's shift (a script moves it) */
    struct display *display;
    struct frame *frame;
    struct kiosk **kiosk;     /* *kiosk NULL: a bad config, nothing collected; an applied
                                 catalog replaces *kiosk */
    struct session *session;  /* NULL with kiosk */
    struct sync_thread *sync; /* told of each commit; NULL: sync off */
    struct technician_glue *technician;
    struct notice *notice;
    struct script_driver *script; /* NULL: no --script */
    struct update *update;        /* NULL: no catalog updates */
    const char *kiosk_id;         /* for the store's notice */
    const char *update_dir;       /* the system update's files; "": none (install_window.h) */
    enum config_install install_updates;
    int64_t watchdog_ms; /* WATCHDOG=1 this often; 0: none */
    bool trace_latency;  /* log input-to-frame latency */
    bool windowed;       /* Escape quits (development) */
};

/* Runs until a quit (signal, script, Escape in a window) or a restart
 * request.  Returns the exit status. */
int loop_run(const struct loop_parts *parts);

#endif
