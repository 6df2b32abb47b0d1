/*
 * score: the numbers the dashboard shows for a set of counts, each with
 * its uncertainty, so a department head can tell a real change from the
 * noise of a few taps.
 *
 *  - index: the mean face on 0..100 (face 1 = 0, 2 = 33.3, 3 = 66.7,
 *    4 = 100), with a 95 % interval from the normal approximation,
 *    index +- z * s / sqrt(n), s the sample standard deviation of the
 *    face values (n - 1 in the denominator), cut to [0, 100];
 *  - CSAT: the share of faces 3 + 4; WOW rate: the share of face 4; each
 *    with its 95 % Wilson score interval;
 *  - negative share: faces 1 + 2 (what the slip detector watches);
 *  - the shrunk index the league is ranked by, and whether two periods
 *    differ by more than their intervals.
 *
 * Small samples, where the textbook formulas say too much:
 *  - n = 1: no spread can be estimated; the index interval is [0, 100];
 *  - every answer the same face (s = 0): the interval would have no width
 *    and two lucky taps would look certain, so s is taken as if one of
 *    the n answers had been one face away (the smallest spread n answers
 *    on this scale can show).  For n = 2 both WOW that is [67.3, 100].
 *
 * Pure functions, no allocation, no global state.  Shares are 0..1,
 * index values 0..100.  With n = 0 every number is NaN: the pages show
 * "-", never 0.
 */
#ifndef WOW_SCORE_H
#define WOW_SCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "dashview.h"

#define SCORE_Z95      1.959963984540054 /* the two-sided 95 % normal quantile */
#define SCORE_SHRINK_K 30.0              /* the league's prior weight, in responses */

struct score {
    int64_t n;                        /* responses: the four faces' sum */
    double index, index_lo, index_hi; /* 0..100 */
    double csat, csat_lo, csat_hi;    /* faces 3 + 4, 0..1 */
    double wow, wow_lo, wow_hi;       /* face 4, 0..1 */
    double negative;                  /* faces 1 + 2, 0..1 */
};

/* Every number of c (95 % intervals).  n = 0: every double is NaN.
 * Negative counts are read as 0. */
struct score score_of(const struct dash_counts *c);

/* The Wilson score interval for k successes in n trials at normal
 * quantile z (SCORE_Z95 for 95 %), into *lo and *hi, within [0, 1].
 * n <= 0 (or k outside 0..n): both NaN. */
void score_wilson(int64_t k, int64_t n, double z, double *lo, double *hi);

/* The index shrunk toward prior_mean (0..100) by k pseudo-responses:
 * (sum of face values + k * prior_mean) / (n + k).  n = 0 gives
 * prior_mean; n + k <= 0 gives NaN.  The league ranks by it (k =
 * SCORE_SHRINK_K, prior_mean the mean index of the visible departments). */
double score_shrunk_index(const struct dash_counts *c, double prior_mean, double k);

/* True when now's index interval and prev's do not overlap (either
 * above or below); false when either has n = 0. */
bool score_changed(const struct score *now, const struct score *prev);

/* sum += c, face by face. */
void score_counts_add(struct dash_counts *sum, const struct dash_counts *c);

/* The four faces' sum (negative counts read as 0). */
int64_t score_counts_total(const struct dash_counts *c);

#endif
