/*
 * input: SDL's events as the kiosk's press/release stream.
 *
 * Touch and mouse become one kind of press in logical coordinates (the
 * rotation undone).  The one-finger rule: while a finger or the mouse is
 * down, other fingers are ignored and only the pressing finger's release is
 * reported, so a palm or a second hand cannot tap a second face.  Mouse
 * events SDL made up from touches (which == SDL_TOUCH_MOUSEID) are dropped:
 * one touch is one press.  Scripts inject SDL touch events, so they go
 * through exactly this mapping.
 */
#include "display_private.h"
#include "log.h"

/* A press held this long whose release never came (a lost event) no longer
 * blocks other fingers; no customer holds a face for 10 s. */
#define INPUT_STALE_PRESS_MS 10000

/* A touch device id no real device uses: injected (scripted) touches. */
#define INPUT_SCRIPT_TOUCH_ID ((SDL_TouchID)0x574f57)

/* SDL's 32-bit event timestamp in the 64-bit SDL_GetTicks64 base (the
 * 32-bit counter wraps after 49 days; kiosks run longer). */
static int64_t event_ms(Uint32 timestamp)
{
    Uint64 now = SDL_GetTicks64();
    Uint32 age = (Uint32)now - timestamp;
    return (int64_t)(now - age);
}

static int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static struct display_event press_event(const struct display *d, enum display_event_type type,
                                        int px, int py, Uint32 timestamp)
{
    struct display_event ev = {.type = type, .at_mono_ms = event_ms(timestamp)};
    px = clamp_int(px, 0, d->phys_w - 1);
    py = clamp_int(py, 0, d->phys_h - 1);
    display_to_logical(d, px, py, &ev.x, &ev.y);
    return ev;
}

static struct display_event finger_down(struct display *d, const SDL_TouchFingerEvent *f,
                                        Uint32 timestamp)
{
    struct input_state *in = &d->input;
    struct display_event none = {.type = DISPLAY_EVENT_NONE};
    if (in->source != INPUT_NONE) {
        bool same = in->source == INPUT_FINGER && in->touch_id == f->touchId &&
                    in->finger_id == f->fingerId; /* its release was lost */
        if (!same && event_ms(timestamp) - in->since_ms < INPUT_STALE_PRESS_MS)
            return none; /* a second finger or a palm */
        log_warn("input: the press of %s was never released; taking the new one",
                 in->source == INPUT_MOUSE ? "the mouse" : "a finger");
    }
    in->source = INPUT_FINGER;
    in->touch_id = f->touchId;
    in->finger_id = f->fingerId;
    in->since_ms = event_ms(timestamp);
    return press_event(d, DISPLAY_EVENT_PRESS, (int)(f->x * (float)d->phys_w),
                       (int)(f->y * (float)d->phys_h), timestamp);
}

static struct display_event finger_up(struct display *d, const SDL_TouchFingerEvent *f,
                                      Uint32 timestamp)
{
    struct input_state *in = &d->input;
    if (in->source != INPUT_FINGER || in->touch_id != f->touchId || in->finger_id != f->fingerId)
        return (struct display_event){.type = DISPLAY_EVENT_NONE};
    in->source = INPUT_NONE;
    return press_event(d, DISPLAY_EVENT_RELEASE, (int)(f->x * (float)d->phys_w),
                       (int)(f->y * (float)d->phys_h), timestamp);
}

static struct display_event mouse_button(struct display *d, const SDL_MouseButtonEvent *b,
                                         bool down)
{
    struct input_state *in = &d->input;
    struct display_event none = {.type = DISPLAY_EVENT_NONE};
    if (b->which == SDL_TOUCH_MOUSEID || b->button != SDL_BUTTON_LEFT)
        return none; /* a touch already reported as a finger, or not a tap */
    if (down) {
        if (in->source != INPUT_NONE &&
            event_ms(b->timestamp) - in->since_ms < INPUT_STALE_PRESS_MS)
            return none;
        in->source = INPUT_MOUSE;
        in->since_ms = event_ms(b->timestamp);
        return press_event(d, DISPLAY_EVENT_PRESS, b->x, b->y, b->timestamp);
    }
    if (in->source != INPUT_MOUSE)
        return none;
    in->source = INPUT_NONE;
    return press_event(d, DISPLAY_EVENT_RELEASE, b->x, b->y, b->timestamp);
}

static struct display_event window_event(const SDL_WindowEvent *w)
{
    struct display_event ev = {.type = DISPLAY_EVENT_NONE, .at_mono_ms = event_ms(w->timestamp)};
    switch (w->event) {
    case SDL_WINDOWEVENT_EXPOSED:
    case SDL_WINDOWEVENT_SHOWN:
    case SDL_WINDOWEVENT_RESTORED:
    case SDL_WINDOWEVENT_SIZE_CHANGED:
        ev.type = DISPLAY_EVENT_EXPOSE;
        break;
    default:
        break;
    }
    return ev;
}

/* One SDL event as a display event (NONE: of no interest). */
struct display_event input_translate(struct display *d, const SDL_Event *e)
{
    struct display_event ev = {.type = DISPLAY_EVENT_NONE,
                               .at_mono_ms = event_ms(e->common.timestamp)};
    switch (e->type) {
    case SDL_FINGERDOWN:
        return finger_down(d, &e->tfinger, e->tfinger.timestamp);
    case SDL_FINGERUP:
        return finger_up(d, &e->tfinger, e->tfinger.timestamp);
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        return mouse_button(d, &e->button, e->type == SDL_MOUSEBUTTONDOWN);
    case SDL_WINDOWEVENT:
        return window_event(&e->window);
    case SDL_RENDER_TARGETS_RESET: /* the canvas's pixels are gone */
    case SDL_RENDER_DEVICE_RESET:
        ev.type = DISPLAY_EVENT_EXPOSE;
        break;
    case SDL_QUIT:
        ev.type = DISPLAY_EVENT_QUIT;
        break;
    case SDL_KEYDOWN:
        if (e->key.keysym.sym == SDLK_ESCAPE)
            ev.type = DISPLAY_EVENT_ESCAPE;
        break;
    default:
        break;
    }
    return ev;
}

struct display_event display_wait(struct display *d, int timeout_ms)
{
    SDL_Event e;
    int got = timeout_ms < 0 ? SDL_WaitEvent(&e) : SDL_WaitEventTimeout(&e, timeout_ms);
    if (!got)
        return (struct display_event){.type = DISPLAY_EVENT_NONE, .at_mono_ms = display_ticks_ms()};
    struct display_event ev = input_translate(d, &e);
    /* Motion and other noise already queued is drained here rather than
     * costing the caller a loop turn each; stop at the first real event. */
    while (ev.type == DISPLAY_EVENT_NONE && SDL_PollEvent(&e))
        ev = input_translate(d, &e);
    return ev;
}

void display_inject(struct display *d, bool press, int x, int y)
{
    int px, py;
    display_to_physical(d, clamp_int(x, 0, d->log_w - 1), clamp_int(y, 0, d->log_h - 1), &px, &py);
    SDL_Event e = {0};
    e.type = press ? SDL_FINGERDOWN : SDL_FINGERUP;
    e.tfinger.timestamp = SDL_GetTicks();
    e.tfinger.touchId = INPUT_SCRIPT_TOUCH_ID;
    e.tfinger.fingerId = 0;
    /* The centre of the pixel, so the receiving side's floor lands on it. */
    e.tfinger.x = ((float)px + 0.5f) / (float)d->phys_w;
    e.tfinger.y = ((float)py + 0.5f) / (float)d->phys_h;
    e.tfinger.pressure = press ? 1.0f : 0.0f;
    e.tfinger.windowID = SDL_GetWindowID(d->window);
    if (SDL_PushEvent(&e) < 0)
        log_error("input: SDL_PushEvent(%s at %d,%d): %s", press ? "press" : "release", x, y,
                  SDL_GetError());
}
