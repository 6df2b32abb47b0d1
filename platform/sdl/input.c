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
 *
 * Waiting: SDL 2.26's SDL_WaitEventTimeout blocks only under video drivers
 * with a native wait (x11, wayland, windows, cocoa).  Under the others --
 * kmsdrm on the kiosk, dummy in tests and benchmarks -- it polls: pump,
 * SDL_Delay(1), again, ~1000 wake-ups and ~1 % of a core per idle second.
 * There display_wait() sleeps in poll() on its own read-only fds of the
 * input devices instead (see wait_own below).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

int64_t display_ticks_ms(void)
{
    return (int64_t)SDL_GetTicks64();
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
    rotation_to_logical(d, px, py, &ev.x, &ev.y);
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
        int x = b->x, y = b->y;
        if (pointer_abs_press(d, &x, &y)) /* an absolute pointer: its real position */
            log_debug("input: absolute pointer pressed at %d,%d (SDL said %d,%d)", x, y, b->x,
                      b->y);
        return press_event(d, DISPLAY_EVENT_PRESS, x, y, b->timestamp);
    }
    if (in->source != INPUT_MOUSE)
        return none;
    in->source = INPUT_NONE;
    int x = b->x, y = b->y;
    pointer_abs_release(d, &x, &y);
    return press_event(d, DISPLAY_EVENT_RELEASE, x, y, b->timestamp);
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
        ev = window_event(&e->window);
        if (ev.type == DISPLAY_EVENT_EXPOSE)
            d->present_full = true; /* the window's pixels may be gone */
        return ev;
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

/* Where the kernel offers input devices (evdev); each open fd gets its own
 * copy of every event, so ours only tell us when to wake. */
#define INPUT_DEVICE_DIR "/dev/input"

/* The longest single sleep: a hot-plugged device is picked up by the scan
 * that follows a quiet stretch this long. */
#define INPUT_WAIT_CAP_MS 5000

/* True for video drivers whose SDL_WaitEventTimeout really blocks. */
static bool driver_waits_natively(const char *driver)
{
    static const char *const native[] = {"x11", "wayland", "windows", "cocoa"};
    for (size_t i = 0; driver != NULL && i < sizeof native / sizeof native[0]; i++)
        if (SDL_strcasecmp(driver, native[i]) == 0)
            return true;
    return false;
}

static void devices_close(struct input_wait *w)
{
    for (int i = 0; i < w->fd_count; i++)
        close(w->fds[i]);
    w->fd_count = 0;
}

/* (Re)opens every readable /dev/input/event*.  One we may not read (no
 * permission) is skipped: SDL cannot read it either. */
static void devices_scan(struct input_wait *w)
{
    devices_close(w);
    w->scanned_ms = SDL_GetTicks64();
    DIR *dir = opendir(INPUT_DEVICE_DIR);
    if (dir == NULL) {
        log_debug("input: %s: %s; waits are plain sleeps", INPUT_DEVICE_DIR, strerror(errno));
        return;
    }
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL) {
        if (strncmp(ent->d_name, "event", 5) != 0)
            continue;
        if (w->fd_count == INPUT_WAIT_MAX_DEVICES) {
            log_debug("input: more than %d input devices; %s not watched", INPUT_WAIT_MAX_DEVICES,
                      ent->d_name);
            continue;
        }
        char path[300];
        snprintf(path, sizeof path, "%s/%s", INPUT_DEVICE_DIR, ent->d_name);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
            log_debug("input: %s: %s; not watched", path, strerror(errno));
        else
            w->fds[w->fd_count++] = fd;
    }
    closedir(dir);
}

void input_wait_open(struct display *d)
{
    const char *driver = SDL_GetCurrentVideoDriver();
    d->wait.own = !driver_waits_natively(driver);
    if (!d->wait.own)
        return;
    devices_scan(&d->wait);
    log_debug("input: video driver %s has no blocking wait: sleeping on %d input device(s)",
              driver != NULL ? driver : "(none)", d->wait.fd_count);
}

void input_wait_close(struct display *d)
{
    devices_close(&d->wait);
}

/* Empties our copies of the events that woke poll() (SDL reads its own fds
 * when pumped, so nothing is lost) and drops devices that went away, either
 * of which would otherwise keep poll() returning at once. */
static void devices_drain(struct input_wait *w, const struct pollfd *pfds)
{
    char buf[4096];
    int kept = 0;
    for (int i = 0; i < w->fd_count; i++) {
        bool gone = (pfds[i].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0;
        if (!gone && (pfds[i].revents & POLLIN)) {
            ssize_t n;
            do { /* discarded: SDL reads its own copy when pumped */
                n = read(w->fds[i], buf, sizeof buf);
            } while (n > 0);
            gone = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
        }
        if (gone) {
            log_debug("input: an input device went away (fd %d)", w->fds[i]);
            close(w->fds[i]);
        } else {
            w->fds[kept++] = w->fds[i];
        }
    }
    w->fd_count = kept;
}

/* Sleeps up to ms in poll() until one of our input devices has data. */
static void devices_sleep(struct input_wait *w, int ms)
{
    struct pollfd pfds[INPUT_WAIT_MAX_DEVICES];
    for (int i = 0; i < w->fd_count; i++)
        pfds[i] = (struct pollfd){.fd = w->fds[i], .events = POLLIN};
    int n = poll(pfds, (nfds_t)w->fd_count, ms); /* no fds: a plain sleep */
    if (n > 0) {
        devices_drain(w, pfds);
    } else if (n == 0) {
        /* Quiet for a while: look for hot-plugged devices. */
        if (SDL_GetTicks64() - w->scanned_ms >= INPUT_WAIT_CAP_MS)
            devices_scan(w);
    } else if (errno != EINTR) { /* EINTR: SDL's handler queues SIGTERM as SDL_QUIT */
        log_error("input: poll on %d input device(s): %s", w->fd_count, strerror(errno));
        SDL_Delay((Uint32)ms); /* never spin */
    }
}

/* display_wait() for drivers without a native wait: pump, take an event,
 * or sleep until an input device stirs or the deadline.  An event pushed
 * from this thread (scripts) is queued before the wait and taken by the
 * first look; a device's events reach SDL's queue on the pump after the
 * wake-up.  Events of no interest are consumed and the wait goes on. */
static struct display_event wait_own(struct display *d, int timeout_ms)
{
    Uint64 deadline = timeout_ms < 0 ? UINT64_MAX : SDL_GetTicks64() + (Uint64)timeout_ms;
    for (;;) {
        SDL_Event e;
        SDL_PumpEvents();
        if (SDL_PeepEvents(&e, 1, SDL_GETEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT) > 0) {
            struct display_event ev = input_translate(d, &e);
            if (ev.type != DISPLAY_EVENT_NONE)
                return ev;
            continue;
        }
        Uint64 now = SDL_GetTicks64();
        if (now >= deadline)
            return (struct display_event){.type = DISPLAY_EVENT_NONE, .at_mono_ms = (int64_t)now};
        Uint64 left = deadline - now;
        devices_sleep(&d->wait, left < INPUT_WAIT_CAP_MS ? (int)left : INPUT_WAIT_CAP_MS);
    }
}

/* display_wait() for drivers whose SDL_WaitEventTimeout blocks. */
static struct display_event wait_native(struct display *d, int timeout_ms)
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

struct display_event display_wait(struct display *d, int timeout_ms)
{
    return d->wait.own ? wait_own(d, timeout_ms) : wait_native(d, timeout_ms);
}

void display_inject(struct display *d, bool press, int x, int y)
{
    int px, py;
    rotation_to_physical(d, clamp_int(x, 0, d->log_w - 1), clamp_int(y, 0, d->log_h - 1), &px, &py);
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
