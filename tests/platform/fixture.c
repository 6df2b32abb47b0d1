/*
 * fixture: shared set-up of the platform tests (see fixture.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fixture.h"

struct display *fixture_display(int w, int h, int rotation, const char *screenshot_dir)
{
    struct display_options o = {
        .windowed = true,
        .width = w,
        .height = h,
        .rotation = rotation,
        .font_dir = WOW_ASSETS_DIR "/fonts",
        .screenshot_dir = screenshot_dir,
    };
    struct display *d = display_create(&o);
    assert_non_null(d);
    return d;
}

struct ui_frame *fixture_frame(struct display *d)
{
    struct ui_frame *f = calloc(1, sizeof *f);
    assert_non_null(f);
    display_logical_size(d, &f->w, &f->h);
    return f;
}

struct ui_cmd *fixture_add(struct ui_frame *f, enum ui_cmd_type type, struct ui_color color)
{
    assert_true(f->cmd_count < UI_MAX_CMDS);
    struct ui_cmd *c = &f->cmds[f->cmd_count++];
    *c = (struct ui_cmd){.type = type, .color = color};
    return c;
}

uint32_t *fixture_pixels(struct display *d, int *w, int *h)
{
    display_physical_size(d, w, h);
    uint32_t *p = malloc((size_t)*w * (size_t)*h * sizeof *p);
    assert_non_null(p);
    assert_true(display_read_pixels(d, p, *w, *h));
    return p;
}

struct rgb fixture_at(const uint32_t *pixels, int w, int x, int y)
{
    uint32_t v = pixels[(size_t)y * (size_t)w + (size_t)x];
    return (struct rgb){(int)(v >> 16) & 255, (int)(v >> 8) & 255, (int)v & 255};
}

static int absdiff(int a, int b)
{
    return a > b ? a - b : b - a;
}

bool fixture_is(struct rgb p, struct ui_color c, int tolerance)
{
    return absdiff(p.r, c.r) <= tolerance && absdiff(p.g, c.g) <= tolerance &&
           absdiff(p.b, c.b) <= tolerance;
}
