/*
 * score: index, CSAT, WOW rate and negative share of a set of counts,
 * with their 95 % intervals, the league's shrunk index and the "changed"
 * test (score.h says what each number means and why the small-sample
 * rules are there).
 */
#include "score.h"

#include <math.h>

#define FACE_STEP (100.0 / 3.0) /* index points between neighbouring faces */

static int64_t face_count(const struct dash_counts *c, int face)
{
    return c->n[face] > 0 ? c->n[face] : 0;
}

int64_t score_counts_total(const struct dash_counts *c)
{
    int64_t n = 0;
    for (int i = 0; i < 4; i++)
        n += face_count(c, i);
    return n;
}

void score_counts_add(struct dash_counts *sum, const struct dash_counts *c)
{
    for (int i = 0; i < 4; i++)
        sum->n[i] += c->n[i];
}

void score_wilson(int64_t k, int64_t n, double z, double *lo, double *hi)
{
    if (n <= 0 || k < 0 || k > n) {
        *lo = NAN;
        *hi = NAN;
        return;
    }
    double nn = (double)n, p = (double)k / nn, z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    *lo = fmax(0.0, centre - half);
    *hi = fmin(1.0, centre + half);
}

/* The index's interval around index for counts c of n >= 1 answers. */
static void index_interval(const struct dash_counts *c, int64_t n, double index, double *lo,
                           double *hi)
{
    if (n < 2) {
        *lo = 0.0;
        *hi = 100.0;
        return;
    }
    double mean = index / FACE_STEP, ss = 0.0; /* on the 0..3 face scale */
    for (int i = 0; i < 4; i++)
        ss += (double)face_count(c, i) * ((double)i - mean) * ((double)i - mean);
    double nn = (double)n;
    double s = sqrt(ss / (nn - 1.0)) * FACE_STEP;
    if (s == 0.0) /* one answer one face away: s^2 = step^2 / n (score.h) */
        s = FACE_STEP / sqrt(nn);
    double half = SCORE_Z95 * s / sqrt(nn);
    *lo = fmax(0.0, index - half);
    *hi = fmin(100.0, index + half);
}

struct score score_of(const struct dash_counts *c)
{
    struct score s = {.n = score_counts_total(c)};
    if (s.n == 0) {
        s.index = s.index_lo = s.index_hi = NAN;
        s.csat = s.csat_lo = s.csat_hi = NAN;
        s.wow = s.wow_lo = s.wow_hi = NAN;
        s.negative = NAN;
        return s;
    }
    double n = (double)s.n, points = 0.0;
    for (int i = 0; i < 4; i++)
        points += (double)i * (double)face_count(c, i);
    s.index = points / (3.0 * n) * 100.0;
    index_interval(c, s.n, s.index, &s.index_lo, &s.index_hi);
    int64_t satisfied = face_count(c, 2) + face_count(c, 3);
    s.csat = (double)satisfied / n;
    score_wilson(satisfied, s.n, SCORE_Z95, &s.csat_lo, &s.csat_hi);
    s.wow = (double)face_count(c, 3) / n;
    score_wilson(face_count(c, 3), s.n, SCORE_Z95, &s.wow_lo, &s.wow_hi);
    s.negative = (double)(face_count(c, 0) + face_count(c, 1)) / n;
    return s;
}

double score_shrunk_index(const struct dash_counts *c, double prior_mean, double k)
{
    int64_t n = score_counts_total(c);
    double weight = (double)n + k;
    if (!(weight > 0.0))
        return NAN;
    double points = 0.0; /* the sum of the face values, 0..100 each */
    for (int i = 0; i < 4; i++)
        points += (double)face_count(c, i) * (double)i * FACE_STEP;
    return (points + k * prior_mean) / weight;
}

bool score_changed(const struct score *now, const struct score *prev)
{
    if (now->n <= 0 || prev->n <= 0)
        return false;
    /* NaN compares false both ways, so a missing bound never flags */
    return now->index_lo > prev->index_hi || now->index_hi < prev->index_lo;
}
