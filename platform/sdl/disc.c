/*
 * disc: filled circles and rings, anti-aliased exactly, written straight
 * into the canvas.
 *
 * SDL 2.26's software triangles snap their corners to whole pixels, so a
 * circle drawn as a triangle mesh shows its chords on a large face (the
 * thank-you face's edge was a polygon).  Here each pixel's coverage is
 * computed from its distance to the centre: 1 inside r - 0.5, 0 outside
 * r + 0.5, linear between (the same 1 px fringe the meshes of draw.c
 * have), so the edge is round at any radius.  Coordinates are pixel
 * centres, as in draw.c.  The interior needs no square root (squared
 * distances decide), so a disc costs about as much as copying its pixels.
 * A thick line with round joins is the same thing around its segments
 * instead of a point: coverage from the distance to the nearest segment.
 */
#include <math.h>

#include "display_private.h"
#include "log.h"

/* Mixes colour c over the ARGB8888 pixel at coverage a (0..256). */
static uint32_t disc_blend(uint32_t dst, SDL_Color c, unsigned a)
{
    unsigned dr = (dst >> 16) & 0xff, dg = (dst >> 8) & 0xff, db = dst & 0xff;
    dr = (c.r * a + dr * (256 - a)) >> 8;
    dg = (c.g * a + dg * (256 - a)) >> 8;
    db = (c.b * a + db * (256 - a)) >> 8;
    return 0xff000000u | dr << 16 | dg << 8 | db;
}

/* The coverage of a pixel at squared distance d2 from the centre by the
 * band r0..r1 (r0 = 0: a disc), 0..1. */
static float disc_coverage(float d2, float r0, float r1)
{
    float dist = sqrtf(d2);
    float outer = r1 + 0.5f - dist;
    float inner = r0 > 0.0f ? dist - (r0 - 0.5f) : 1.0f;
    float cov = outer < inner ? outer : inner;
    return cov < 0.0f ? 0.0f : cov > 1.0f ? 1.0f : cov;
}

/* One row of the band: pixels x0..x1 at vertical offset dy. */
static void disc_row(uint32_t *row, int x0, int x1, float cx, float dy, float r0, float r1,
                     SDL_Color c)
{
    float full_out = r1 > 0.5f ? (r1 - 0.5f) * (r1 - 0.5f) : -1.0f;
    float full_in = r0 > 0.0f ? (r0 + 0.5f) * (r0 + 0.5f) : 0.0f;
    float none_out = (r1 + 0.5f) * (r1 + 0.5f);
    float none_in = r0 > 0.5f ? (r0 - 0.5f) * (r0 - 0.5f) : -1.0f;
    uint32_t solid = 0xff000000u | (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
    for (int x = x0; x <= x1; x++) {
        float dx = (float)x - cx, d2 = dx * dx + dy * dy;
        if (d2 >= none_out || d2 <= none_in)
            continue;
        unsigned a = c.a + (c.a >> 7); /* 0..256 */
        if (d2 > full_out || d2 < full_in)
            a = (unsigned)(disc_coverage(d2, r0, r1) * (float)a + 0.5f);
        if (a >= 256)
            row[x] = solid;
        else if (a > 0)
            row[x] = disc_blend(row[x], c, a);
    }
}

bool disc_draw(struct display *d, float cx, float cy, float r0, float r1, SDL_Color c)
{
    if (r1 <= 0.0f || r0 >= r1 || c.a == 0)
        return true;
    if (SDL_RenderFlush(d->renderer) != 0) { /* what came before lies below */
        log_error("draw: SDL_RenderFlush: %s", SDL_GetError());
        return false;
    }
    SDL_Surface *s = d->canvas;
    float reach = r1 + 0.5f;
    int y0 = (int)floorf(cy - reach), y1 = (int)ceilf(cy + reach);
    if (y0 < 0)
        y0 = 0;
    if (y1 > s->h - 1)
        y1 = s->h - 1;
    for (int y = y0; y <= y1; y++) {
        float dy = (float)y - cy;
        if (dy * dy >= reach * reach)
            continue;
        float half = sqrtf(reach * reach - dy * dy);
        int x0 = (int)floorf(cx - half), x1 = (int)ceilf(cx + half);
        if (x0 < 0)
            x0 = 0;
        if (x1 > s->w - 1)
            x1 = s->w - 1;
        disc_row((uint32_t *)((uint8_t *)s->pixels + (long)y * s->pitch), x0, x1, cx, dy, r0, r1,
                 c);
    }
    return true;
}

/* The squared distance from p to the segment a-b. */
static float segment_d2(float px, float py, float ax, float ay, float bx, float by)
{
    float vx = bx - ax, vy = by - ay, wx = px - ax, wy = py - ay;
    float len2 = vx * vx + vy * vy;
    float t = len2 > 0.0f ? (wx * vx + wy * vy) / len2 : 0.0f;
    t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
    float dx = wx - t * vx, dy = wy - t * vy;
    return dx * dx + dy * dy;
}

/* One pixel of the line: its coverage from the squared distance d2 to the
 * nearest segment, 0..256 of the colour's alpha. */
static unsigned line_alpha(float d2, float half, SDL_Color c)
{
    unsigned a = c.a + (c.a >> 7);
    if (d2 >= (half + 0.5f) * (half + 0.5f))
        return 0;
    if (half > 0.5f && d2 <= (half - 0.5f) * (half - 0.5f))
        return a;
    float cov = half + 0.5f - sqrtf(d2);
    cov = cov < 0.0f ? 0.0f : cov > 1.0f ? 1.0f : cov;
    return (unsigned)(cov * (float)a + 0.5f);
}

bool disc_line(struct display *d, const struct ui_point *p, int n, float half, SDL_Color c)
{
    if (n < 1 || half <= 0.0f || c.a == 0)
        return true;
    if (SDL_RenderFlush(d->renderer) != 0) {
        log_error("draw: SDL_RenderFlush: %s", SDL_GetError());
        return false;
    }
    SDL_Surface *s = d->canvas;
    int x0 = p[0].x, x1 = p[0].x, y0 = p[0].y, y1 = p[0].y;
    for (int i = 1; i < n; i++) {
        x0 = p[i].x < x0 ? p[i].x : x0, x1 = p[i].x > x1 ? p[i].x : x1;
        y0 = p[i].y < y0 ? p[i].y : y0, y1 = p[i].y > y1 ? p[i].y : y1;
    }
    int reach = (int)ceilf(half + 0.5f);
    x0 = x0 - reach < 0 ? 0 : x0 - reach, y0 = y0 - reach < 0 ? 0 : y0 - reach;
    x1 = x1 + reach > s->w - 1 ? s->w - 1 : x1 + reach;
    y1 = y1 + reach > s->h - 1 ? s->h - 1 : y1 + reach;
    uint32_t solid = 0xff000000u | (uint32_t)c.r << 16 | (uint32_t)c.g << 8 | c.b;
    for (int y = y0; y <= y1; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)s->pixels + (long)y * s->pitch);
        for (int x = x0; x <= x1; x++) {
            float d2 = 1e30f;
            for (int i = 0; i < (n > 1 ? n - 1 : 1); i++) {
                const struct ui_point *b = n > 1 ? &p[i + 1] : &p[i];
                float e = segment_d2((float)x, (float)y, p[i].x, p[i].y, b->x, b->y);
                d2 = e < d2 ? e : d2;
            }
            unsigned a = line_alpha(d2, half, c);
            if (a >= 256)
                row[x] = solid;
            else if (a > 0)
                row[x] = disc_blend(row[x], c, a);
        }
    }
    return true;
}
