/*
 * slip_index: a slip detector on the index itself (the mean face, 0..100)
 * rather than on the negative share, for the drops the share-based CUSUM
 * of slip.h finds slowly or not at all: small ones (5-10 index points),
 * departments with few taps, and days that differ more than chance says.
 *
 * A one-sided Gaussian CUSUM on each response's score x (face 1..4 ->
 * 0, 33.3, 66.7, 100) against the department's baseline mean m0 and
 * per-response sd s0, tuned to a drop of delta points:
 *     S = max(0, S + c * delta / s0^2 * sum(m0 - x - delta / 2))
 * summed hour by hour, held at h once there (so recovery is bounded, as
 * in slip.h).  Two corrections make one setting fit every department:
 *  - day-to-day noise: a day's mean varies by day_sd index points beyond
 *    sampling (a busy morning, a new colleague); with r responses a day
 *    the per-response evidence is scaled by c = 1 / (1 + r * day_sd^2 /
 *    s0^2), the share of a day's variance that sampling explains, so a
 *    busy department does not take one bad day for a slip;
 *  - the alarm level follows the department's pace: false alarms of a
 *    CUSUM come per response, so a department with r taps a day gets
 *    h = h50 + h_slope * ln(r / 50), clamped to [h_min, h50 + 2]: a
 *    quiet department alarms on less evidence (slope 1 would give every
 *    pace the same false alarms for a perfect baseline; 0.4 spends the
 *    budget of at most one false alarm per six months where it buys
 *    the most: at 50 taps a day about 0.7, at 10 about 0.95).
 * A department is judged from min_baseline_n responses in its baseline
 * (40 by default: under one tap a day over 56 days), far below
 * slip.h's 200; s0 is floored at 15 points so a tiny, uniform baseline
 * does not make every answer a surprise.
 *
 * The window (21 days) is longer than slip.h's 7 so that a small drop
 * can build up evidence over two weeks and more; the baseline (56 days,
 * ending gap_days = 7 before the window) is twice slip.h's, which halved
 * the false alarms of departments with 10 taps a day.  Defaults: delta 9,
 * h50 5.3, h_slope 0.4, h_min 3, day_sd 3, chosen with
 * bench/slip_scenarios.c (docs/DASHBOARD.md has its table), which runs
 * them beside slip.h's share CUSUM and a daily threshold calibrated to the
 * same false-alarm rate.  A slip nobody fixes becomes the baseline after
 * about window + gap + baseline / 2 days (eight weeks) and its alert
 * closes.
 *
 * Pure functions, no allocation, no global state.
 */
#ifndef WOW_SLIP_INDEX_H
#define WOW_SLIP_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "dashview.h"

struct slip_index_params {
    double delta;           /* the drop (index points) the statistic is tuned to; > 0 */
    double h50;             /* the alarm level at 50 taps a day */
    double h_min;           /* the lowest alarm level, however quiet the department */
    double h_slope;         /* h = h50 + h_slope * ln(taps a day / 50) */
    double day_sd;          /* day-to-day noise beyond sampling, index points */
    int baseline_days;      /* days the baseline is taken over */
    int gap_days;           /* days between the baseline's end and the window's start */
    int window_days;        /* local days the CUSUM runs over, today included */
    int64_t min_baseline_n; /* fewer baseline responses: not judged */
};

/* The tuned defaults (see above). */
struct slip_index_params slip_index_params_default(void);

/* The detector's state: a plain value owned by the caller. */
struct slip_index_state {
    double m0, s0;  /* the baseline's mean and per-response sd (floored) */
    double per_day; /* the baseline's responses a day */
    double h;       /* the alarm level for this department */
    double scale;   /* c * delta / s0^2 */
    double delta;
    double s;  /* the statistic, 0..h */
    bool rise; /* the mirror detector: a rise of delta, not a drop */
};

/* Starts a run from the baseline's face counts over params->baseline_days
 * days.  False (state untouched) when the baseline has fewer than
 * params->min_baseline_n responses (or none): the department is not
 * judged. */
bool slip_index_start(struct slip_index_state *state, const struct slip_index_params *params,
                      const struct dash_counts *baseline);

/* The same for the mirror detector, which finds a clear rise of the index
 * (good news to celebrate) with the same delta, alarm level and
 * corrections: S = max(0, S + c * delta / s0^2 * sum(x - m0 - delta / 2)). */
bool slip_index_start_rise(struct slip_index_state *state, const struct slip_index_params *params,
                           const struct dash_counts *baseline);

/* One hour's face counts (negative counts read as 0).  Returns true when
 * S has reached the department's h (S is held there). */
bool slip_index_step(struct slip_index_state *state, const struct dash_counts *hour);

/* Recovered: S is back at 0. */
bool slip_index_recovered(const struct slip_index_state *state);

#endif
