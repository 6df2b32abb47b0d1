/*
 * input: the one router of presses.  A press is hit-tested once, on the
 * display list last drawn, and one table says, for each of the ui's
 * target kinds, which machine it belongs to (the customer's or the
 * technician's) and which event it is.  The technician sees every press
 * first (its corner gesture and its screens); a press it does not take
 * goes to the customer's machine, unless a notice is shown.
 */
#ifndef WOW_KIOSK_INPUT_H
#define WOW_KIOSK_INPUT_H

#include <stdbool.h>

#include "clock.h"
#include "kiosk.h"

struct kiosk;
struct notice;
struct technician_glue;
struct ui_frame;
struct ui_target;

/* The machines a target can belong to. */
enum input_machine { INPUT_CUSTOMER, INPUT_TECHNICIAN };

/* What a press is routed through; all borrowed. */
struct input {
    const struct ui_frame *frame; /* the display list last drawn */
    struct technician_glue *technician;
    struct kiosk *kiosk; /* NULL: no customer machine (bad config) */
    const struct notice *notice;
};

/* A finger down at logical (x, y).  Returns true when the press reached
 * the customer's machine on one of its buttons, with what it asks in
 * *actions; false when the technician took it or it hit no button (which
 * still restarts the customer's time-outs: KIOSK_EVENT_TOUCH), with
 * *redraw set when the screen changed. */
bool input_press(const struct input *in, int x, int y, struct clock_now now,
                 struct kiosk_actions *actions, bool *redraw);

/* A finger up at (x, y): only the technician's corner gesture wants it.
 * Returns true when the screen must be redrawn. */
bool input_release(const struct input *in, int x, int y, struct clock_now now);

/* The target on frame that stands for event of machine with argument arg
 * (the router's table read backwards), or NULL when it is not shown. */
const struct ui_target *input_target_of(const struct ui_frame *frame, enum input_machine machine,
                                        int event, int arg);

#endif
