/*
 * rating: the four faces, from very unhappy (1) to WOW (4).
 *
 * The numbers are what the store and the shared database hold; never
 * renumber them.  Index points map a face onto 0..100 so scores are
 * comparable with the category's "happy index".
 */
#ifndef WOW_RATING_H
#define WOW_RATING_H

#include <stdbool.h>

enum rating {
    RATING_VERY_UNHAPPY = 1,
    RATING_UNHAPPY = 2,
    RATING_HAPPY = 3,
    RATING_WOW = 4,
};

#define RATING_COUNT 4

static inline bool rating_is_valid(int r)
{
    return r >= RATING_VERY_UNHAPPY && r <= RATING_WOW;
}

/* Positive faces get the positive follow-up question, the others the negative one. */
static inline bool rating_is_positive(enum rating r)
{
    return r >= RATING_HAPPY;
}

#endif
