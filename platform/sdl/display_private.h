/*
 * display_private: the layout of struct display and the interfaces between
 * the files of platform/sdl (display.c: window, frames, screenshots;
 * draw.c: shapes; text.c: text layout and caches; input.c: events and
 * the wait; rotation.c: logical <-> physical pixels; present.c: the
 * changed rectangles onto the window; disc.c: circles and rings).
 * Only platform/sdl includes this header.
 */
#ifndef WOW_DISPLAY_PRIVATE_H
#define WOW_DISPLAY_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "display.h"
#include "ui_frame.h"

/* Growable vertex and index arrays, reused from shape to shape so drawing
 * allocates only while a frame is bigger than any before it. */
struct draw_mesh {
    SDL_Vertex *vertices;
    int vertex_count, vertex_cap;
    int *indices;
    int index_count, index_cap;
};

/* The two meshes one shape is drawn with: the opaque body (no blending:
 * cheaper in the software renderer, which blends through a temporary
 * surface per triangle) and the 1 px anti-aliasing fringe (blended). */
struct draw_buffers {
    struct draw_mesh body, fringe;
    bool failed; /* an allocation failed: the shape is skipped (logged once) */
};

/* Who is pressing: the one-finger rule remembers the press it reported. */
enum input_source { INPUT_NONE, INPUT_MOUSE, INPUT_FINGER };

struct input_state {
    enum input_source source;
    SDL_TouchID touch_id;
    SDL_FingerID finger_id;
    int64_t since_ms; /* when the press began (SDL ticks) */
    int abs_fd;       /* the absolute pointer pressing (pointer.c), -1: none */
};

/* The input devices display_wait() sleeps on when the video driver has no
 * native wait (input.c explains why). */
#define INPUT_WAIT_MAX_DEVICES 32

struct input_wait {
    bool own;                        /* true: poll() on fds; false: SDL_WaitEventTimeout */
    int fds[INPUT_WAIT_MAX_DEVICES]; /* owned: /dev/input/event* opened read-only */
    int fd_count;
    Uint64 scanned_ms; /* last scan of /dev/input (SDL ticks) */
};

struct text_cache;

struct display {
    SDL_Window *window;
    SDL_Surface *canvas;    /* owned: logical size, ARGB8888, every command draws here */
    SDL_Renderer *renderer; /* owned: SDL's software renderer drawing into canvas */
    SDL_Surface *frame;     /* owned: the last presented frame, physical, ARGB8888 */
    int rotation;           /* 0, 90, 180, 270: clockwise, logical -> physical */
    int phys_w, phys_h;     /* the window surface's size */
    int log_w, log_h;       /* phys with w/h swapped at 90/270 */
    bool asleep;            /* presents black while true */
    bool sleep_logged;
    char *screenshot_dir;      /* owned copy, NULL: no screenshots */
    int screenshot_number;     /* of the last written frame-NNNNN.png */
    uint32_t *shot_pixels;     /* owned: the last written screenshot (ARGB8888, phys) */
    bool size_logged;          /* a window that changed size was logged */
    bool present_full;         /* the next present copies the whole frame */
    long present_area;         /* pixels the last present uploaded (0: none changed) */
    SDL_Surface *presented_on; /* the window surface the last present went to (not owned) */
    struct kms *kms;           /* owned; NULL: SDL presents */
    int kms_w, kms_h;          /* the panel's mode when kms */
    struct draw_buffers draw;
    struct text_cache *text; /* owned */
    struct input_state input;
    struct input_wait wait;
};

/* draw.c: one shape command into the current render target.  Returns false
 * on a renderer error (logged). */
bool draw_shape(struct display *display, const struct ui_cmd *cmd);

/* Draws a UI_CMD_QR (qr.c); false (logged) when it cannot be made. */
bool draw_qr(struct display *display, const struct ui_cmd *cmd);
void draw_buffers_free(struct draw_buffers *buffers);

/* disc.c: a filled circle (r0 = 0) or the ring between radii r0 < r1,
 * centred at (cx, cy) in canvas pixels, anti-aliased, into d->canvas (the
 * renderer's pending commands are flushed first).  Returns false on a
 * renderer error (logged). */
bool disc_draw(struct display *display, float cx, float cy, float r0, float r1, SDL_Color color);
/* disc.c: a line through the n points, half width `half`, round joins and
 * caps, anti-aliased, into d->canvas.  Returns false on a renderer error. */
bool disc_line(struct display *display, const struct ui_point *points, int n, float half,
               SDL_Color color);

/* text.c */
struct text_cache *text_cache_create(const char *font_dir);
/* Frees every cached texture and font; call before the renderer goes. */
void text_cache_destroy(struct text_cache *cache);
/* Frees the cached line textures: the renderer they belong to is going. */
void text_cache_drop_textures(struct text_cache *cache);
long text_cache_renders(const struct text_cache *cache);
/* Draws a UI_CMD_TEXT into the current target.  Returns false on a
 * renderer error (logged); a text that cannot be rasterised is logged and
 * skipped. */
bool text_draw(struct text_cache *cache, SDL_Renderer *renderer, const struct ui_cmd *cmd);
bool text_fit(struct text_cache *cache, const char *text, int box_w, int box_h, int size_px,
              bool bold, struct display_text_fit *fit, struct display_text_line *lines,
              int max_lines);

/* input.c */
struct display_event input_translate(struct display *display, const SDL_Event *event);
/* Chooses how display_wait() sleeps for the current video driver and, for
 * our own wait, opens the input devices; call once the video is up. */
void input_wait_open(struct display *display);
/* Closes the devices input_wait_open() opened. */
void input_wait_close(struct display *display);

/* pointer.c: under SDL's evdev input (the kms presenter), the position of
 * the absolute pointer whose left button is down, read from the kernel
 * through display->wait's fds and scaled to physical pixels; false when
 * there is none (SDL's coordinates stand).  _release reads the device the
 * press came from. */
bool pointer_abs_press(struct display *display, int *px, int *py);
bool pointer_abs_release(struct display *display, int *px, int *py);
/* present.c: copies the rectangles where d->frame differs from the window
 * surface to it and uploads only those (all of it when d->present_full or
 * the window surface is new).  Returns false on an SDL error (logged). */
bool present_frame(struct display *display);

/* kms.c: the DRM/KMS presenter (dumb buffers, page flips) used instead of
 * SDL's kmsdrm driver.  kms_wanted(): WOWKIOSK_PRESENTER=kms|sdl, else
 * automatic (SDL_VIDEODRIVER=kmsdrm, or no driver named, no X or Wayland
 * and a /dev/dri/card0).  kms_open() sets the panel's preferred mode and
 * returns its size, or NULL (logged: present through SDL); kms_close()
 * restores the CRTC and frees everything.  kms_present() shows frame
 * (the mode's size, ARGB8888) after copying the n changed rectangles;
 * false on an error (logged). */
struct kms;
bool kms_wanted(void);
struct kms *kms_open(int *w, int *h);
bool kms_present(struct kms *kms, const SDL_Surface *frame, const SDL_Rect *rects, int n);
void kms_close(struct kms *kms);

/* rotation.c: the logical <-> physical pixel mapping of the rotation. */
bool rotation_valid(int rotation); /* 0, 90, 180 or 270 */
bool rotation_swaps(int rotation); /* 90 or 270: width and height trade places */
void rotation_to_physical(const struct display *display, int x, int y, int *px, int *py);
void rotation_to_logical(const struct display *display, int px, int py, int *x, int *y);

#endif
