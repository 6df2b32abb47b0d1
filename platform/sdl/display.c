/*
 * display: the window, the software renderer, the logical canvas and its
 * rotation onto the panel, screenshots and sleep.
 *
 * Every frame is drawn into a canvas surface of the logical size by SDL's
 * software renderer, then turned by the configured rotation into the frame
 * (physical size) that goes to the window surface; app/ lays out for one
 * upright canvas and never sees the panel's orientation.  Software
 * rendering always: pixels are the same on every machine (screen tests
 * compare them) and a Raspberry-Pi-class CPU draws our frames in a few
 * milliseconds.  The frame is kept: it is what screenshots and
 * display_read_pixels() return.
 */
#include <stdlib.h>
#include <string.h>

#include <SDL_image.h>

#include "display_private.h"
#include "log.h"
#include "paths.h"

/* Frees the canvas, its renderer and the frame (the text cache's line
 * textures belong to the renderer and go first). */
static void canvas_free(struct display *d)
{
    if (d->text != NULL)
        text_cache_drop_textures(d->text);
    if (d->renderer != NULL)
        SDL_DestroyRenderer(d->renderer);
    if (d->canvas != NULL)
        SDL_FreeSurface(d->canvas);
    if (d->frame != NULL)
        SDL_FreeSurface(d->frame);
    d->renderer = NULL;
    d->canvas = NULL;
    d->frame = NULL;
}

/* Makes the canvas, its software renderer and the frame for a w x h
 * (physical) window. */
static bool canvas_create(struct display *d, int w, int h)
{
    canvas_free(d);
    d->phys_w = w;
    d->phys_h = h;
    d->log_w = rotation_swaps(d->rotation) ? h : w;
    d->log_h = rotation_swaps(d->rotation) ? w : h;
    d->canvas = SDL_CreateRGBSurfaceWithFormat(0, d->log_w, d->log_h, 32, SDL_PIXELFORMAT_ARGB8888);
    d->frame = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_ARGB8888);
    if (d->canvas == NULL || d->frame == NULL) {
        log_error("display: %dx%d canvas: %s", d->log_w, d->log_h, SDL_GetError());
        return false;
    }
    /* The frame is opaque: blitting it to the window needs no blending. */
    SDL_SetSurfaceBlendMode(d->frame, SDL_BLENDMODE_NONE);
    d->renderer = SDL_CreateSoftwareRenderer(d->canvas);
    if (d->renderer == NULL) {
        log_error("display: software renderer: %s", SDL_GetError());
        return false;
    }
    d->present_full = true; /* a new frame: the window gets all of it */
    free(d->shot_pixels);   /* a screenshot of another size never equals */
    d->shot_pixels = NULL;
    return true;
}

/* Follows the window's size (fixed for a kiosk; a window manager may still
 * change it in a development run). */
static bool canvas_fit_window(struct display *d)
{
    SDL_Surface *win = SDL_GetWindowSurface(d->window);
    if (win == NULL) {
        log_error("display: SDL_GetWindowSurface: %s", SDL_GetError());
        return false;
    }
    if (d->canvas != NULL && win->w == d->phys_w && win->h == d->phys_h)
        return true;
    if (d->canvas != NULL && !d->size_logged) {
        log_info("display: window is now %dx%d", win->w, win->h);
        d->size_logged = true;
    }
    return canvas_create(d, win->w, win->h);
}

static bool window_create(struct display *d, const struct display_options *o)
{
    Uint32 flags = o->windowed ? 0 : SDL_WINDOW_FULLSCREEN_DESKTOP;
    int w = o->width > 0 ? o->width : 800;
    int h = o->height > 0 ? o->height : 480;
    if (d->kms != NULL) { /* SDL's window is memory only: the panel's size */
        flags = 0;
        w = d->kms_w;
        h = d->kms_h;
    }
    d->window =
        SDL_CreateWindow("wowkiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h, flags);
    if (d->window == NULL) {
        log_error("display: SDL_CreateWindow %dx%d%s: %s", w, h, o->windowed ? "" : " fullscreen",
                  SDL_GetError());
        return false;
    }
    if (!o->windowed)
        SDL_ShowCursor(SDL_DISABLE); /* customers touch; a pointer would only confuse */
    return canvas_fit_window(d);
}

/* Touch, not SDL's imitation of a mouse, is our input: SDL would turn every
 * touch into mouse events too (a second press for one tap), and a mouse
 * into touches.  input.c also drops any mouse event marked
 * SDL_TOUCH_MOUSEID, for drivers that synthesise them on their own. */
static void set_input_hints(void)
{
    SDL_SetHint(SDL_HINT_TOUCH_MOUSE_EVENTS, "0");
    SDL_SetHint(SDL_HINT_MOUSE_TOUCH_EVENTS, "0");
}

/* Our frames are drawn in software; the window surface only has to carry
 * pixels to the screen.  Without this hint SDL 2 backs the window surface
 * with a texture of an accelerated renderer where the driver has one: on
 * X11 that loads the whole GL stack (Mesa, swrast, libLLVM: about 25 MB
 * of the process) to copy a picture.  With it, SDL uses the video
 * driver's own framebuffer: an XShm image on X11.  SDL_HINT_FRAMEBUFFER_
 * ACCELERATION in the environment still wins (SDL reads it first). */
static void set_present_hints(void)
{
    SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0");
}

struct display *display_create(const struct display_options *o)
{
    if (!rotation_valid(o->rotation)) {
        log_error("display: rotation %d is not 0, 90, 180 or 270", o->rotation);
        return NULL;
    }
    struct display *d = calloc(1, sizeof *d);
    if (d == NULL) {
        log_error("display: out of memory");
        return NULL;
    }
    d->rotation = o->rotation;
    set_input_hints();
    set_present_hints();
    if (kms_wanted()) {
        d->kms = kms_open(&d->kms_w, &d->kms_h);
        if (d->kms != NULL) /* SDL for input only: its evdev driver shows nothing */
            SDL_SetHintWithPriority(SDL_HINT_VIDEODRIVER, "evdev", SDL_HINT_OVERRIDE);
    }
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_EVENTS) != 0) {
        log_error("display: SDL_Init: %s", SDL_GetError());
        kms_close(d->kms);
        free(d);
        return NULL;
    }
    if (TTF_Init() != 0) {
        log_error("display: TTF_Init: %s", TTF_GetError());
        SDL_Quit();
        kms_close(d->kms);
        free(d);
        return NULL;
    }
    if (o->screenshot_dir != NULL) {
        d->screenshot_dir = strdup(o->screenshot_dir);
        if (d->screenshot_dir == NULL)
            log_error("display: out of memory; screenshots off");
    }
    d->text = text_cache_create(o->font_dir != NULL ? o->font_dir : ".");
    if (d->text == NULL || !window_create(d, o)) {
        display_destroy(d);
        return NULL;
    }
    input_wait_open(d); /* the video driver decides how display_wait() sleeps */
    log_info("display: %dx%d physical, rotation %d, logical %dx%d, software renderer, %s",
             d->phys_w, d->phys_h, d->rotation, d->log_w, d->log_h,
             d->kms != NULL ? "DRM dumb buffers" : SDL_GetCurrentVideoDriver());
    return d;
}

void display_destroy(struct display *d)
{
    if (d == NULL)
        return;
    input_wait_close(d);
    canvas_free(d);
    if (d->text != NULL)
        text_cache_destroy(d->text);
    if (d->window != NULL)
        SDL_DestroyWindow(d->window);
    kms_close(d->kms);
    draw_buffers_free(&d->draw);
    free(d->shot_pixels);
    free(d->screenshot_dir);
    TTF_Quit();
    SDL_Quit();
    free(d);
}

void display_logical_size(const struct display *d, int *w, int *h)
{
    *w = d->log_w;
    *h = d->log_h;
}

void display_physical_size(const struct display *d, int *w, int *h)
{
    *w = d->phys_w;
    *h = d->phys_h;
}

/* Draws the commands into the canvas, in order. */
static bool canvas_draw(struct display *d, const struct ui_frame *frame)
{
    bool ok = true;
    for (int i = 0; i < frame->cmd_count; i++) {
        const struct ui_cmd *cmd = &frame->cmds[i];
        if (cmd->type == UI_CMD_TEXT)
            ok &= text_draw(d->text, d->renderer, cmd);
        else
            ok &= draw_shape(d, cmd);
    }
    return ok;
}

/* Turns the canvas by the rotation into dst (phys_w x phys_h, pitch in
 * pixels): dst(px, py) = canvas(rotation_to_logical(px, py)).  That source
 * index is linear in px and py, so one loop serves every rotation; it runs
 * in tiles so that the 90/270 cases' column reads stay in the cache.  This
 * replaces SDL_RenderCopyEx, whose software path costs 25-40 ms a frame at
 * 1280x800 against 1-3 ms here. */
static void canvas_rotate(const struct display *d, uint32_t *dst, int dst_pitch)
{
    enum { TILE = 64 };
    const uint32_t *src = d->canvas->pixels;
    long s = d->canvas->pitch / 4, pw = d->phys_w, ph = d->phys_h;
    long c0 = 0, ax = 1, ay = s; /* source index = c0 + px * ax + py * ay */
    if (d->rotation == 90) {
        c0 = (pw - 1) * s, ax = -s, ay = 1;
    } else if (d->rotation == 180) {
        c0 = (ph - 1) * s + pw - 1, ax = -1, ay = -s;
    } else if (d->rotation == 270) {
        c0 = ph - 1, ax = s, ay = -1;
    }
    for (long ty = 0; ty < ph; ty += TILE) {
        long y_end = ty + TILE < ph ? ty + TILE : ph;
        for (long tx = 0; tx < pw; tx += TILE) {
            long x_end = tx + TILE < pw ? tx + TILE : pw;
            for (long py = ty; py < y_end; py++) {
                uint32_t *out = dst + py * dst_pitch;
                long i = c0 + tx * ax + py * ay;
                for (long px = tx; px < x_end; px++, i += ax)
                    out[px] = src[i] | 0xff000000u;
            }
        }
    }
}

/* Makes d->frame what the panel shows: the turned canvas, or black. */
static bool frame_compose(struct display *d)
{
    if (SDL_RenderFlush(d->renderer) != 0) {
        log_error("display: SDL_RenderFlush: %s", SDL_GetError());
        return false;
    }
    if (d->asleep) {
        SDL_FillRect(d->frame, NULL, 0xff000000u);
        return true;
    }
    canvas_rotate(d, d->frame->pixels, d->frame->pitch / 4);
    return true;
}

static bool png_write(const uint32_t *pixels, int w, int h, const char *path)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormatFrom((void *)pixels, w, h, 32, w * 4,
                                                        SDL_PIXELFORMAT_ARGB8888);
    if (s == NULL) {
        log_error("display: surface for %s: %s", path, SDL_GetError());
        return false;
    }
    bool ok = IMG_SavePNG(s, path) == 0;
    if (!ok)
        log_error("display: writing %s: %s", path, IMG_GetError());
    SDL_FreeSurface(s);
    return ok;
}

/* Writes the frame as the next frame-NNNNN.png if it differs from the
 * last one written. */
static void screenshot_write(struct display *d)
{
    size_t bytes = (size_t)d->phys_w * (size_t)d->phys_h * 4;
    const uint32_t *pixels = d->frame->pixels; /* pitch == w * 4 for ARGB8888 */
    if (d->shot_pixels != NULL && memcmp(pixels, d->shot_pixels, bytes) == 0)
        return;
    if (d->shot_pixels == NULL) {
        d->shot_pixels = malloc(bytes);
        if (d->shot_pixels == NULL) {
            log_error("display: out of memory for a %dx%d screenshot", d->phys_w, d->phys_h);
            return;
        }
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/frame-%05d.png", d->screenshot_dir, d->screenshot_number + 1);
    if (!paths_make_parent(path) || !png_write(pixels, d->phys_w, d->phys_h, path))
        return;
    d->screenshot_number++;
    memcpy(d->shot_pixels, pixels, bytes);
    log_debug("display: wrote %s", path);
}

/* Composes the frame and shows it. */
static bool window_present(struct display *d)
{
    if (!frame_compose(d))
        return false;
    if (d->screenshot_dir != NULL)
        screenshot_write(d);
    return present_frame(d);
}

bool display_draw(struct display *d, const struct ui_frame *frame)
{
    if (!canvas_fit_window(d)) /* no-op unless the window changed size */
        return false;
    bool ok = canvas_draw(d, frame);
    return window_present(d) && ok;
}

void display_set_sleep(struct display *d, bool sleep)
{
    if (sleep == d->asleep)
        return;
    d->asleep = sleep;
    if (!d->sleep_logged) {
        /* SDL has no backlight control: we let the OS blank the output and
         * show black meanwhile. */
        log_info("display: sleep is best effort: black frame, screensaver allowed");
        d->sleep_logged = true;
    }
    if (sleep)
        SDL_EnableScreenSaver();
    else
        SDL_DisableScreenSaver();
    window_present(d); /* waking shows the last canvas until the next draw */
}

bool display_read_pixels(struct display *d, uint32_t *pixels, int w, int h)
{
    if (w != d->phys_w || h != d->phys_h) {
        log_error("display: read_pixels %dx%d but the window is %dx%d", w, h, d->phys_w, d->phys_h);
        return false;
    }
    memcpy(pixels, d->frame->pixels, (size_t)w * (size_t)h * 4);
    return true;
}

bool display_save_png(struct display *d, const char *path)
{
    return png_write(d->frame->pixels, d->phys_w, d->phys_h, path);
}

bool display_text_fit(struct display *d, const char *text, int box_w, int box_h, int size_px,
                      bool bold, struct display_text_fit *fit, struct display_text_line *lines,
                      int max_lines)
{
    return text_fit(d->text, text, box_w, box_h, size_px, bold, fit, lines, max_lines);
}

long display_text_renders(const struct display *d)
{
    return text_cache_renders(d->text);
}
