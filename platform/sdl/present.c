/*
 * present: puts the composed frame on the window, touching only what
 * changed.
 *
 * The window surface keeps what was last shown (SDL's own framebuffer: an
 * XShm image on X11, plain memory on the dummy driver), so comparing the
 * new frame with it finds the changed pixels without a second copy of the
 * frame.  The frame is compared in bands of rows; each band that differs
 * gives one rectangle spanning its changed columns, and touching bands with
 * overlapping columns are merged.  Only those rectangles are copied and
 * handed to SDL_UpdateWindowSurfaceRects: a face's pressed state or a
 * language switch uploads a part of the screen, not all of it.
 */
#include "display_private.h"
#include "log.h"

#define PRESENT_BAND     16 /* rows compared together */
#define PRESENT_MAX_RECT 64 /* more than that: one rectangle of their union */
#define PRESENT_RGB      0x00ffffffu

/* True when the window surface holds pixels we can compare with the frame
 * word for word (same 32-bit layout, ignoring alpha). */
static bool surface_comparable(const SDL_Surface *win, const SDL_Surface *frame)
{
    const SDL_PixelFormat *a = win->format, *b = frame->format;
    return a->BytesPerPixel == 4 && a->Rmask == b->Rmask && a->Gmask == b->Gmask &&
           a->Bmask == b->Bmask && win->w == frame->w && win->h == frame->h;
}

/* The changed columns of rows y0..y1-1: false when none changed. */
static bool band_span(const SDL_Surface *win, const SDL_Surface *frame, int y0, int y1, int *x0,
                      int *x1)
{
    int lo = frame->w, hi = -1;
    for (int y = y0; y < y1; y++) {
        const uint32_t *f = (const uint32_t *)((const uint8_t *)frame->pixels + y * frame->pitch);
        const uint32_t *w = (const uint32_t *)((const uint8_t *)win->pixels + y * win->pitch);
        int x = 0;
        while (x < lo && ((f[x] ^ w[x]) & PRESENT_RGB) == 0)
            x++;
        if (x == frame->w)
            continue; /* row unchanged */
        if (x < lo)
            lo = x;
        int r = frame->w - 1;
        while (r > hi && ((f[r] ^ w[r]) & PRESENT_RGB) == 0)
            r--;
        if (r > hi)
            hi = r;
    }
    if (hi < 0)
        return false;
    *x0 = lo;
    *x1 = hi + 1;
    return true;
}

/* Fills rects with the changed areas; returns their count (0: nothing
 * changed). */
static int dirty_rects(const SDL_Surface *win, const SDL_Surface *frame, SDL_Rect *rects)
{
    int n = 0;
    for (int y = 0; y < frame->h; y += PRESENT_BAND) {
        int y1 = y + PRESENT_BAND < frame->h ? y + PRESENT_BAND : frame->h, x0, x1;
        if (!band_span(win, frame, y, y1, &x0, &x1))
            continue;
        SDL_Rect *last = n > 0 ? &rects[n - 1] : NULL;
        if (last != NULL && last->y + last->h == y && x0 < last->x + last->w && x1 > last->x) {
            int l = x0 < last->x ? x0 : last->x;
            int r = x1 > last->x + last->w ? x1 : last->x + last->w;
            *last = (SDL_Rect){l, last->y, r - l, y1 - last->y};
        } else if (n < PRESENT_MAX_RECT) {
            rects[n++] = (SDL_Rect){x0, y, x1 - x0, y1 - y};
        } else { /* too scattered: the union of what is left */
            SDL_Rect tail = {x0, y, x1 - x0, y1 - y};
            SDL_UnionRect(last, &tail, last);
        }
    }
    return n;
}

bool present_frame(struct display *d)
{
    SDL_Surface *win = SDL_GetWindowSurface(d->window);
    if (win == NULL) {
        log_error("display: presenting the frame: %s", SDL_GetError());
        return false;
    }
    SDL_Rect rects[PRESENT_MAX_RECT];
    int n = 1;
    rects[0] = (SDL_Rect){0, 0, d->frame->w, d->frame->h};
    bool full = d->present_full || win != d->presented_on || !surface_comparable(win, d->frame) ||
                SDL_MUSTLOCK(win);
    if (!full)
        n = dirty_rects(win, d->frame, rects);
    long area = 0;
    for (int i = 0; i < n; i++) {
        SDL_Rect r = rects[i];
        area += (long)r.w * r.h;
        if (SDL_BlitSurface(d->frame, &r, win, &rects[i]) != 0) {
            log_error("display: presenting the frame: %s", SDL_GetError());
            return false;
        }
    }
    if (d->kms != NULL) {
        if (!kms_present(d->kms, d->frame, rects, n))
            return false;
    } else if (n > 0 && SDL_UpdateWindowSurfaceRects(d->window, rects, n) != 0) {
        log_error("display: presenting the frame: %s", SDL_GetError());
        return false;
    }
    d->present_full = false;
    d->presented_on = win;
    d->present_area = area;
    return true;
}

long display_presented_area(const struct display *d)
{
    return d->present_area;
}
