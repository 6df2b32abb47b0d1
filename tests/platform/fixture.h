/*
 * fixture: what the platform tests share: a headless display of a given
 * size and rotation, frames built by hand (no ui_layout.c), pixel reads.
 */
#ifndef WOW_TEST_PLATFORM_FIXTURE_H
#define WOW_TEST_PLATFORM_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "display.h"
#include "ui.h"

struct rgb {
    int r, g, b;
};

/* A windowed w x h display turned by rotation; screenshot_dir may be NULL.
 * Fails the test if it cannot be made. */
struct display *fixture_display(int w, int h, int rotation, const char *screenshot_dir);

/* A zeroed frame of the display's logical size; free() it. */
struct ui_frame *fixture_frame(struct display *d);

/* Appends a command; returns it so the caller fills the rest. */
struct ui_cmd *fixture_add(struct ui_frame *f, enum ui_cmd_type type, struct ui_color color);

/* The presented frame's pixels (physical); free() them. */
uint32_t *fixture_pixels(struct display *d, int *w, int *h);
struct rgb fixture_at(const uint32_t *pixels, int w, int x, int y);
bool fixture_is(struct rgb p, struct ui_color c, int tolerance);

#endif
