/*
 * display: the window, the software renderer, rotation and input, behind
 * one small interface; the only code in the kiosk that includes SDL.
 *
 * Drawing: display_draw() renders a ui_frame (logical pixels) into a
 * logical-size target texture, then copies it to the window rotated by
 * 0/90/180/270 degrees.  Text goes through SDL2_ttf with the bundled
 * DejaVu fonts; rendered texts are cached so an unchanged label costs a
 * texture copy, not a rasterisation.
 *
 * Input: mouse and touch become one stream of press/release events in
 * logical coordinates (rotation undone).  Only the first finger counts: a
 * second finger or a palm while one is down is ignored, and mouse events
 * SDL synthesises from touches are dropped, so one touch is one tap.
 *
 * The loop: display_wait() blocks until input or the deadline; nothing is
 * drawn unless the caller asks.  Under video drivers with a native wait
 * (x11, wayland, windows, cocoa) it sleeps in SDL_WaitEventTimeout.  Under
 * the others (kmsdrm on the kiosk, dummy in tests) SDL 2.26's
 * SDL_WaitEventTimeout polls every millisecond, ~1 % of a core when idle,
 * so display_wait() sleeps in poll() on its own read-only fds of
 * /dev/input/event* instead: no wake-ups while nobody touches the screen.
 *
 * Shapes, as drawn here: a RING's outer edge is at `radius` and its inner
 * edge at radius - width, so a ring fits the box of a CIRCLE of the same
 * radius; a POLYLINE is `width` px thick with round joins and caps.  Filled
 * shapes get a 1 px alpha-faded edge.  Overlapping parts of a translucent
 * polyline (its joins) are blended twice: draw polylines opaque.
 * Rendering is always SDL's software renderer: the same frame gives the
 * same pixels on every machine.
 */
#ifndef WOW_DISPLAY_H
#define WOW_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

struct ui_frame;
struct display; /* opaque */

struct display_options {
    bool windowed;              /* false: fullscreen desktop */
    int width, height;          /* window size when windowed (physical pixels) */
    int rotation;               /* 0, 90, 180, 270 */
    const char *font_dir;       /* holds DejaVuSans.ttf and DejaVuSans-Bold.ttf */
    const char *screenshot_dir; /* non-NULL: write every changed frame as PNG */
};

enum display_event_type {
    DISPLAY_EVENT_NONE,    /* timeout or an event of no interest */
    DISPLAY_EVENT_PRESS,   /* x, y: logical */
    DISPLAY_EVENT_RELEASE, /* x, y: logical */
    DISPLAY_EVENT_EXPOSE,  /* window needs a redraw */
    DISPLAY_EVENT_QUIT,    /* SIGTERM/SIGINT (SDL queues them) or a window manager's close */
    DISPLAY_EVENT_ESCAPE,  /* Escape key; the kiosk quits on it only in a windowed run */
};

struct display_event {
    enum display_event_type type;
    int x, y;
    int64_t at_mono_ms; /* when SDL saw it: ms since SDL_Init (display_ticks_ms base) */
};

/* Opens the window and renderer.  Returns NULL after logging SDL_GetError()
 * on failure.  Free with display_destroy(). */
struct display *display_create(const struct display_options *options);
void display_destroy(struct display *display);

/* The logical canvas size (window size with rotation applied). */
void display_logical_size(const struct display *display, int *w, int *h);

/* Draws frame and presents it.  Writes a screenshot when screenshots are on
 * and the pixels differ from the last written one.  Returns false on a
 * renderer error (logged). */
bool display_draw(struct display *display, const struct ui_frame *frame);

/* Waits at most timeout_ms (-1: forever) for the next input and returns it
 * normalised.  Returns DISPLAY_EVENT_NONE on timeout (or, under a native
 * wait, after events of no interest).  Sleeps without waking while idle
 * (see "The loop" above); an event pushed from another thread is seen at
 * the next input or within 5 s, one pushed from the caller's thread at
 * once.  Input devices that are plugged in later are watched from the
 * next quiet 5 s. */
struct display_event display_wait(struct display *display, int timeout_ms);

/* Queues a synthetic press or release at logical (x, y) as SDL touch
 * events, as a real finger would produce them (scripts). */
void display_inject(struct display *display, bool press, int x, int y);

/* Turns the backlight/output off or on (best effort; logged if unsupported). */
void display_set_sleep(struct display *display, bool sleep);

/* Writes the last presented frame as PNG to path.  Returns false (logged)
 * on failure. */
bool display_save_png(struct display *display, const char *path);

/* Milliseconds since SDL_Init (SDL_GetTicks64): the clock of
 * display_event.at_mono_ms, so a caller can measure input-to-frame latency
 * as display_ticks_ms() - event.at_mono_ms. */
int64_t display_ticks_ms(void);

/* The window's size in physical pixels. */
void display_physical_size(const struct display *display, int *w, int *h);

/* Copies the last presented frame into pixels: w x h ARGB8888 values, row
 * after row, w and h the physical size (display_physical_size).  The
 * caller owns pixels.  Returns false (logged) on a size mismatch or a
 * renderer error. */
bool display_read_pixels(struct display *display, uint32_t *pixels, int w, int h);

/* One wrapped line of a text: bytes [start, start + length) of it. */
struct display_text_line {
    int start, length;
    int width; /* px at the chosen size */
};

struct display_text_fit {
    int size_px;     /* the size chosen: size_px wanted, shrunk in 2 px steps */
    int line_count;  /* all lines, also those beyond max_lines */
    bool broke_word; /* a word longer than a line was broken between characters */
    bool overflow;   /* did not fit even at the minimum size: drawn overflowing */
};

/* Lays text out as a UI_CMD_TEXT in a box_w x box_h box would be: wrapped
 * at spaces (and at '\n'), shrunk until it fits, never cut.  Fills *fit
 * and up to max_lines entries of lines (may be NULL).  Returns false if no
 * font could be opened (logged). */
bool display_text_fit(struct display *display, const char *text, int box_w, int box_h, int size_px,
                      bool bold, struct display_text_fit *fit, struct display_text_line *lines,
                      int max_lines);

/* How many text lines have been rasterised since display_create(): an
 * unchanged screen redrawn adds none (the text cache's promise, tested). */
long display_text_renders(const struct display *display);

/* The physical pixels the last display_draw() uploaded to the window: the
 * area of the changed rectangles, the whole frame after the window was
 * created, exposed or resized, 0 when the frame equals what is shown. */
long display_presented_area(const struct display *display);

#endif
