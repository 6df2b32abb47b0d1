/*
 * audit: the kiosk's screens measured against the accessibility norms for
 * public terminals (WCAG 2.2 AA as EN 301 549 clause 5 applies it to
 * closed functionality): every text's contrast with what is drawn behind
 * it, read from the rendered screenshot, and every touch target's size in
 * millimetres on the reference panel.
 *
 * Contrast is WCAG's: (L1 + 0.05) / (L2 + 0.05) of the relative
 * luminances of the text's colour (from the display list) and the
 * background, the colour most of the text's box shows in the PNG (the
 * glyphs cover a small part of it).  At least 4.5:1, or 3:1 for large
 * text: 24 logical pixels and up, or 19 and up in bold (18 pt and 14 pt
 * bold at the panels' ~96 logical pixels per inch and up).
 */
#ifndef WOW_TEST_AUDIT_H
#define WOW_TEST_AUDIT_H

#include <stdbool.h>

#include "png_compare.h"
#include "ui_frame.h"

/* What one screen measured. */
struct audit_result {
    double worst_margin;       /* the lowest contrast / its required ratio; < 1 fails */
    double worst_contrast;     /* that text's contrast */
    double worst_required;     /* and what it needs: 4.5, or 3 for large text */
    const char *worst_text;    /* borrowed from the frame */
    int texts;                 /* texts measured */
    double min_target_mm;      /* the smaller side of the smallest customer target */
    double min_tech_target_mm; /* the same for the technician's targets (0: none) */
    int customer_targets;      /* customer targets measured */
};

/* Measures frame as drawn into img (physical pixels; rotation as the
 * display turned it: 0 or 90), mm_per_px the panel's pixel pitch. */
void audit_screen(const struct ui_frame *frame, const struct png_image *img, int rotation,
                  double mm_per_px, struct audit_result *out);

/* WCAG's contrast ratio of two opaque colours (0xRRGGBB). */
double audit_contrast(unsigned rgb1, unsigned rgb2);

#endif
