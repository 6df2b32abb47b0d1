/*
 * input: one hit test and one table per press (see input.h).
 */
#include "input.h"

#include <stddef.h>

#include "notice.h"
#include "technician.h"
#include "technician_glue.h"
#include "ui.h"

/* Where a press on a target goes: its machine and event; the event's
 * argument is always the target's index. */
struct input_route {
    enum input_machine machine;
    int event; /* enum kiosk_event_type or enum technician_event_type */
};

static const struct input_route input_routes[] = {
    [UI_TARGET_FACE] = {INPUT_CUSTOMER, KIOSK_EVENT_TAP_FACE},
    [UI_TARGET_REASON] = {INPUT_CUSTOMER, KIOSK_EVENT_CHOOSE_REASON},
    [UI_TARGET_SKIP] = {INPUT_CUSTOMER, KIOSK_EVENT_SKIP},
    [UI_TARGET_LANGUAGE] = {INPUT_CUSTOMER, KIOSK_EVENT_SET_LANGUAGE},
    [UI_TARGET_DEPARTMENT] = {INPUT_CUSTOMER, KIOSK_EVENT_PICK_DEPARTMENT},
    [UI_TARGET_BACK] = {INPUT_CUSTOMER, KIOSK_EVENT_BACK},
    [UI_TARGET_ACCESSIBLE] = {INPUT_CUSTOMER, KIOSK_EVENT_ACCESSIBLE},
    [UI_TARGET_COMMENT] = {INPUT_CUSTOMER, KIOSK_EVENT_COMMENT},
    [UI_TARGET_KEY] = {INPUT_CUSTOMER, KIOSK_EVENT_KEY},
    [UI_TARGET_PIN_DIGIT] = {INPUT_TECHNICIAN, TECHNICIAN_EVENT_DIGIT},
    [UI_TARGET_PIN_DELETE] = {INPUT_TECHNICIAN, TECHNICIAN_EVENT_DELETE},
    [UI_TARGET_PIN_ENTER] = {INPUT_TECHNICIAN, TECHNICIAN_EVENT_ENTER},
    [UI_TARGET_TECH_CANCEL] = {INPUT_TECHNICIAN, TECHNICIAN_EVENT_CANCEL},
    [UI_TARGET_TECH_ITEM] = {INPUT_TECHNICIAN, TECHNICIAN_EVENT_ITEM},
    [UI_TARGET_TECH_DEPARTMENT] = {INPUT_TECHNICIAN, TECHNICIAN_EVENT_DEPARTMENT},
};

#define INPUT_ROUTES (sizeof input_routes / sizeof input_routes[0])
_Static_assert(INPUT_ROUTES == UI_TARGET_TECH_DEPARTMENT + 1, "one route per ui target kind");

/* The technician's event for a press at (x, y) on target t (NULL: none):
 * its own target's event while its screens show, else the raw press its
 * corner gesture watches. */
static struct technician_event technician_press(const struct input *in, const struct ui_target *t,
                                                int x, int y)
{
    if (t != NULL && technician_glue_active(in->technician) &&
        input_routes[t->kind].machine == INPUT_TECHNICIAN)
        return (struct technician_event){.type = input_routes[t->kind].event, .arg = t->index};
    return (struct technician_event){
        .type = TECHNICIAN_EVENT_PRESS, .x = x, .y = y, .w = in->frame->w, .h = in->frame->h};
}

/* A press acts at once (finger down), as on the category's terminals: the
 * acknowledging frame should not wait for the finger to lift. */
bool input_press(const struct input *in, int x, int y, struct clock_now now,
                 struct kiosk_actions *actions, bool *redraw)
{
    const struct ui_target *t = ui_hit(in->frame, x, y);
    if (technician_glue_handle(in->technician, technician_press(in, t, x, y), now, redraw))
        return false; /* the technician screens took it */
    if (in->kiosk == NULL || notice_showing(in->notice, now.mono_ms))
        return false;
    if (t == NULL || input_routes[t->kind].machine != INPUT_CUSTOMER) {
        /* on no button: nothing to do but note the customer is still there */
        kiosk_handle(in->kiosk, (struct kiosk_event){.type = KIOSK_EVENT_TOUCH}, now);
        return false;
    }
    struct kiosk_event ev = {.type = input_routes[t->kind].event, .arg = t->index};
    *actions = kiosk_handle(in->kiosk, ev, now);
    return true;
}

bool input_release(const struct input *in, int x, int y, struct clock_now now)
{
    bool redraw = false;
    struct technician_event ev = {
        .type = TECHNICIAN_EVENT_RELEASE, .x = x, .y = y, .w = in->frame->w, .h = in->frame->h};
    technician_glue_handle(in->technician, ev, now, &redraw); /* the corner gesture */
    return redraw;
}

const struct ui_target *input_target_of(const struct ui_frame *frame, enum input_machine machine,
                                        int event, int arg)
{
    for (size_t kind = 0; kind < INPUT_ROUTES; kind++)
        if (input_routes[kind].machine == machine && input_routes[kind].event == event)
            return ui_find(frame, (enum ui_target_kind)kind, arg);
    return NULL;
}
