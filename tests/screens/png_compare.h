/*
 * png_compare: compares two images with the screenshot tests' tolerance
 * and writes a diff image a person can read.
 *
 * Tolerance: a pixel differs when any channel differs by more than
 * PNG_COMPARE_CHANNEL; two images match when they have the same size and
 * at most PNG_COMPARE_SHARE_PPM parts per million of their pixels differ
 * (font rasterisers differ a little between library versions; a moved or
 * missing element changes far more than that).
 */
#ifndef WOW_TEST_PNG_COMPARE_H
#define WOW_TEST_PNG_COMPARE_H

#include <stdbool.h>
#include <stdint.h>

#define PNG_COMPARE_CHANNEL   16
#define PNG_COMPARE_SHARE_PPM 5000 /* 0.5 % */

/* An image as w x h ARGB8888 pixels, row after row; owns pixels. */
struct png_image {
    int w, h;
    uint32_t *pixels;
};

/* Reads a PNG.  Returns false (message on stderr) if it cannot. */
bool png_image_load(struct png_image *img, const char *path);
void png_image_free(struct png_image *img);

/* Writes img as PNG.  Returns false (message on stderr) on failure. */
bool png_image_save(const struct png_image *img, const char *path);

struct png_verdict {
    bool same_size;
    long differing; /* pixels differing by more than the channel tolerance */
    long total;
    bool match;
};

/* Compares actual with expected.  If diff is non-NULL and the sizes agree,
 * fills it (the caller frees it) with the actual image greyed and faded and
 * every differing pixel in magenta. */
struct png_verdict png_compare(const struct png_image *expected, const struct png_image *actual,
                               struct png_image *diff);

#endif
