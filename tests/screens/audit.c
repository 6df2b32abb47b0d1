/*
 * audit: contrast and target sizes of a rendered screen (audit.h).
 */
#include "audit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* sRGB channel 0..255 -> linear light (WCAG 2.2's definition). */
static double linear(unsigned c)
{
    double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(unsigned rgb)
{
    return 0.2126 * linear((rgb >> 16) & 255u) + 0.7152 * linear((rgb >> 8) & 255u) +
           0.0722 * linear(rgb & 255u);
}

double audit_contrast(unsigned rgb1, unsigned rgb2)
{
    double a = luminance(rgb1), b = luminance(rgb2);
    return (fmax(a, b) + 0.05) / (fmin(a, b) + 0.05);
}

/* The physical pixel of logical (x, y), clamped to the image. */
static uint32_t pixel_at(const struct png_image *img, int rotation, int x, int y)
{
    int px = x, py = y;
    if (rotation == 90) {
        px = img->w - 1 - y;
        py = x;
    }
    px = px < 0 ? 0 : px >= img->w ? img->w - 1 : px;
    py = py < 0 ? 0 : py >= img->h ? img->h - 1 : py;
    return img->pixels[(size_t)py * (size_t)img->w + (size_t)px] & 0xFFFFFFu;
}

/* The colour most pixels of r show: the background behind a text (its
 * glyphs cover a small share of its box).  A sparse grid keeps it fast. */
static unsigned background_of(const struct png_image *img, int rotation, struct ui_rect r)
{
    enum { SLOTS = 64 };
    unsigned colours[SLOTS];
    int counts[SLOTS] = {0}, used = 0;
    int step = r.w * r.h > 40000 ? 3 : 1;
    for (int y = r.y; y < r.y + r.h; y += step)
        for (int x = r.x; x < r.x + r.w; x += step) {
            unsigned c = pixel_at(img, rotation, x, y);
            int i = 0;
            while (i < used && colours[i] != c)
                i++;
            if (i == used && used < SLOTS)
                colours[used++] = c;
            if (i < used)
                counts[i]++;
        }
    int best = 0;
    for (int i = 1; i < used; i++)
        best = counts[i] > counts[best] ? i : best;
    return used ? colours[best] : 0xFFFFFFu;
}

static bool large_text(const struct ui_cmd *c)
{
    return c->size_px >= 24 || (c->bold && c->size_px >= 19);
}

static bool customer_target(enum ui_target_kind kind)
{
    return kind <= UI_TARGET_KEY;
}

void audit_screen(const struct ui_frame *frame, const struct png_image *img, int rotation,
                  double mm_per_px, struct audit_result *out)
{
    *out = (struct audit_result){.worst_margin = INFINITY, .worst_contrast = INFINITY};
    for (int i = 0; i < frame->cmd_count; i++) {
        const struct ui_cmd *c = &frame->cmds[i];
        if (c->type != UI_CMD_TEXT || !c->text || !c->text[0] || c->rect.w <= 0 || c->rect.h <= 0)
            continue;
        unsigned fg = (unsigned)c->color.r << 16 | (unsigned)c->color.g << 8 | c->color.b;
        double ratio = audit_contrast(fg, background_of(img, rotation, c->rect));
        double required = large_text(c) ? 3.0 : 4.5;
        double margin = ratio / required;
        out->texts++;
        if (margin < out->worst_margin) {
            out->worst_margin = margin;
            out->worst_contrast = ratio;
            out->worst_required = required;
            out->worst_text = c->text;
        }
    }
    for (int i = 0; i < frame->target_count; i++) {
        const struct ui_target *t = &frame->targets[i];
        double side = fmin(t->rect.w, t->rect.h) * mm_per_px;
        double *min = customer_target(t->kind) ? &out->min_target_mm : &out->min_tech_target_mm;
        if (*min == 0 || side < *min)
            *min = side;
        out->customer_targets += customer_target(t->kind);
    }
}
