/*
 * slip: the alert rules as pure functions over counts, so the alerts
 * module (alerts.c, over dash_hour rows) and bench/slip.c (over simulated
 * streams) run exactly the same code.
 *
 * 1. The statistical slip detector: a Bernoulli CUSUM on a department's
 *    negative share (faces 1 + 2, misuse excluded) against its own
 *    baseline p0, one step per hour:
 *        S = max(0, S + neg * ln(p1 / p0) + pos * ln((1 - p1) / (1 - p0)))
 *    with p1 = min(0.95, p0 * p1_factor), the share it is tuned to catch
 *    (the log-likelihood ratio of "p1" against "p0", summed while it
 *    grows: Page's CUSUM).  S is held at h once it gets there, and the
 *    detector is "in alarm" while S >= h.
 *
 *    The server keeps no detector state: every evaluation recomputes
 *    (slip_days_for says which days):
 *      - p0: the negative share over baseline_days days ending gap_days
 *        before the evaluation window (the gap keeps a slip that has just
 *        begun out of its own baseline), at least min_baseline_n
 *        responses (else the department is not judged), clamped to
 *        [0.02, 0.9] (slip_baseline);
 *      - S: from 0 at the start of the evaluation window (window_days
 *        local days, today included) over each hour up to the last
 *        complete one.
 *    An alert opens when S >= h at the last hour (slip_step returned
 *    true) and closes when S is back at 0 (slip_recovered): the evidence
 *    since the alarm has come to favour p0 again.  Because S is held at
 *    h, that takes about h / (p0-drift) responses of baseline-like data
 *    however long the slip lasted: some 130 responses, 2-3 days at 50
 *    taps a day, with the defaults (8 / 0.061 per response at p0 = 15 %).
 *
 *    A slip nobody fixes becomes the new baseline after about
 *    window_days + gap_days + baseline_days / 2 days (five weeks with the
 *    defaults) and the alert then closes; the fixed-threshold rules are
 *    the absolute floor for that case.
 *
 *    The defaults (slip_params_default: p1_factor 2, h 8, baseline 28
 *    days, gap 7, window 7, min_baseline_n 200) were chosen with
 *    bench/slip.c, which runs these functions hour by hour the way
 *    alerts.c does on simulated departments: taps Poisson at 50 a day over
 *    10 opening hours (8:00-18:00, every day), 85 % satisfied (faces
 *    3 + 4), so p0 = 15 % negative, each department's baseline estimated
 *    from its own simulated history.
 *      - False alarms: tuned to about 0.12 per department per 6 months
 *        (an alert opening on a stream with no drop; the goal is <= 1).
 *        The margin is for real departments being noisier than binomial:
 *        with each day's log-odds of a negative answer varying with sd
 *        0.2 on top, the same defaults give 0.44, with sd 0.3 about 1.1
 *        (bench_slip --day-spread).  Measured: 49 alerts over 400
 *        six-month streams (`bench_slip --seed 20261128`: 0.122).
 *      - Delay: on a drop from 85 % to 70 % satisfied (negative 15 % ->
 *        30 %, the doubling p1_factor = 2 is tuned to) at a random hour,
 *        the median time to the alert is 1.88 days, the 90th percentile
 *        3.6 days (nights count: no taps, no evidence); goal <= 2 days.
 *        The fixed rule "negative > 25 % over 7 days, >= 100 responses"
 *        needs 4.6 days (median) on the same streams.
 *      - h trades one for the other: h 7 gave 1.6 days and 0.32 false
 *        alarms, h 9 2.1 days and 0.05; at the same false-alarm rate
 *        p1_factor 1.7 was slower and 2.5 had a longer tail (p90);
 *        the window (3..10 days) and the baseline (28..42 days)
 *        mattered little.
 *    The false-alarm rate is bounded per response, not per day: a
 *    department with 200 taps a day gets about 0.16 false alarms per 6
 *    months, one with 10 taps a day 0.05 (but needs some 11 days to see
 *    the same drop, and a quieter one is not judged at all below
 *    min_baseline_n responses in its baseline).
 *
 * 2. The fixed-threshold rules (dash_rules' kinds) as predicates over one
 *    window's sums: negative share above X with at least N responses,
 *    index below / above X with at least N responses, one face's count at
 *    least X.  Each has its "recovered" twin: the rule no longer fires
 *    and, where the rule has a minimum, the window has that many
 *    responses (a quiet week is no evidence of recovery; the alert stays
 *    open until the data says so).
 *
 * The server's slip alerts now run the index CUSUM of slip_index.h,
 * which finds small drops and quiet departments' drops sooner; the share
 * CUSUM here stays for bench/slip.c and bench/slip_scenarios.c, which
 * print it as the earlier detector.
 *
 * Pure functions, no allocation, no global state.
 */
#ifndef WOW_SLIP_H
#define WOW_SLIP_H

#include <stdbool.h>
#include <stdint.h>

#include "dashview.h"

#define SLIP_P0_MIN 0.02
#define SLIP_P0_MAX 0.9
#define SLIP_P1_MAX 0.95

struct slip_params {
    double p1_factor;       /* p1 = min(SLIP_P1_MAX, p0 * p1_factor); > 1 */
    double h;               /* the alarm level of S */
    int baseline_days;      /* days the baseline p0 is taken over */
    int gap_days;           /* days between the baseline's end and the window's start */
    int window_days;        /* local days the CUSUM runs over, today included */
    int64_t min_baseline_n; /* fewer baseline responses: the department is not judged */
};

/* The tuned defaults (see above). */
struct slip_params slip_params_default(void);

/* The days an evaluation on local day `today` reads, half-open like
 * every period: the baseline [baseline_from, baseline_to) and the
 * window [window_from, today + 1), the window cut at the last complete
 * hour. */
struct slip_days {
    int32_t baseline_from, baseline_to;
    int32_t window_from;
};

struct slip_days slip_days_for(const struct slip_params *params, int32_t today);

/* p0 from the baseline's sums: false (*p0 untouched) when total is below
 * params->min_baseline_n (or 0); else the share clamped to
 * [SLIP_P0_MIN, SLIP_P0_MAX]. */
bool slip_baseline(const struct slip_params *params, int64_t negative, int64_t total, double *p0);

/* The detector's state: a plain value, owned by the caller (no
 * allocation), set up by slip_start. */
struct slip_state {
    double p0;
    double s;           /* the statistic, 0..h */
    double step_factor; /* the p1_factor up and down were computed for */
    double up, down;    /* ln(p1 / p0) and ln((1 - p1) / (1 - p0)) */
};

/* Starts a run at S = 0 against baseline p0 (clamped as slip_baseline). */
void slip_start(struct slip_state *state, double p0);

/* One hour's counts: negative (faces 1 + 2) of total responses (negative
 * is cut to 0..total).  Returns true when S has reached params->h (S is
 * held there).  An hour with total = 0 leaves S as it was. */
bool slip_step(struct slip_state *state, const struct slip_params *params, int64_t negative,
               int64_t total);

/* The statistic S (0..h). */
double slip_statistic(const struct slip_state *state);

/* The p1 a baseline p0 is tested against under params. */
double slip_p1(const struct slip_params *params, double p0);

/* Recovered: S is back at 0, so an open slip alert closes. */
bool slip_recovered(const struct slip_state *state);

/* ---- the fixed-threshold rules, over one window's sums --------------- */

/* negative / total > share (strictly: exactly at the share does not
 * fire), with total >= min_n and total > 0. */
bool threshold_negative_share(int64_t negative, int64_t total, double share, int64_t min_n);

/* total >= min_n, total > 0, and negative / total <= share. */
bool threshold_negative_share_recovered(int64_t negative, int64_t total, double share,
                                        int64_t min_n);

/* The window's index (0..100) strictly below / above index, with at least
 * min_n responses (and at least one). */
bool threshold_index_below(const struct dash_counts *window, double index, int64_t min_n);
bool threshold_index_above(const struct dash_counts *window, double index, int64_t min_n);

/* Recovered: at least min_n responses (and one) and no longer below /
 * above (exactly at index counts as recovered). */
bool threshold_index_below_recovered(const struct dash_counts *window, double index, int64_t min_n);
bool threshold_index_above_recovered(const struct dash_counts *window, double index, int64_t min_n);

/* Face face's (1..4) count in the window >= count; recovered: below it.
 * A face outside 1..4 never fires (and is always recovered). */
bool threshold_answer_count(const struct dash_counts *window, int face, double count);
bool threshold_answer_count_recovered(const struct dash_counts *window, int face, double count);

#endif
