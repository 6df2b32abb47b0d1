/*
 * png_compare: compares two PNGs as the screenshot tests do, by hand:
 *
 *   png_compare EXPECTED ACTUAL [DIFF]
 *
 * Prints how many pixels differ; writes DIFF (magenta on grey) if given.
 * Exit status 0 when they match within the tolerance, 1 when not, 2 on
 * bad arguments or unreadable files.
 */
#include <stdio.h>

#include "png_compare.h"

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: png_compare EXPECTED ACTUAL [DIFF]\n");
        return 2;
    }
    struct png_image expected, actual, diff = {0};
    if (!png_image_load(&expected, argv[1]))
        return 2;
    if (!png_image_load(&actual, argv[2])) {
        png_image_free(&expected);
        return 2;
    }
    struct png_verdict v = png_compare(&expected, &actual, argc == 4 ? &diff : NULL);
    if (!v.same_size)
        printf("sizes differ: %dx%d and %dx%d\n", expected.w, expected.h, actual.w, actual.h);
    else
        printf("%ld of %ld pixels differ by more than %d (%.3f %%): %s\n", v.differing, v.total,
               PNG_COMPARE_CHANNEL, 100.0 * (double)v.differing / (double)v.total,
               v.match ? "match" : "MISMATCH");
    if (argc == 4 && diff.pixels != NULL && !png_image_save(&diff, argv[3]))
        v.match = false;
    png_image_free(&expected);
    png_image_free(&actual);
    png_image_free(&diff);
    return v.match ? 0 : 1;
}
