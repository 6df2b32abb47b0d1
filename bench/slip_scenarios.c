/*
 * bench slip_scenarios: the slip detector where detection is hard -- small
 * drops, quiet departments, real day-to-day noise -- beside a daily
 * threshold calibrated to the same false-alarm rate.
 *
 * The departments: taps Poisson at taps-per-day / 10 an hour during
 * opening hours (8:00-18:00, every day), none at night.  Each response's
 * face comes from an ordinal (cumulative logit) model: P(face <= k) =
 * logistic(c_k + mu), cut points giving 5 / 10 / 35 / 50 % of faces 1..4
 * at mu = 0 (index 76.7, 15 % negative, as bench/slip.c).  Day-to-day
 * noise: each day's mu moves by a normal deviate of sd --day-spread (0.2
 * by default: real departments are noisier than binomial).  A drop of D
 * index points moves mu by the amount that lowers the expected index by
 * D (found by bisection), from a random hour of a random day.
 *
 * Scenarios (drop, taps/day, goal for the median days to detect):
 * 15 at 50 (<= 1.5), 10 at 50 (<= 2.5), 5 at 50 (<= 7), 15 at 10 (<= 3.5),
 * 5 at 10 (<= 17), and a low-tap row (15 at 3) to show how departments
 * with few taps are judged.  Each runs the server's slip detector
 * (app/dash/model/slip.h, evaluated hourly and statelessly the way
 * alerts_evaluate.c does) on --departments drop streams (60 days of
 * history, a drop within the next 30 days, 60 days to find it; not found:
 * counted as 60) and as many quiet streams (60 days of history, then 6
 * months evaluated hourly; a false alarm is an alert opening).
 *
 * The calibrated daily threshold: after each day's closing, the day's
 * index against the department's 28-day baseline index (ending the day
 * before), in standard errors of the day's mean (z = (day - base) /
 * (sd / sqrt(n)), sd the baseline's per-response sd).  It alarms when
 * z < -T; an alert opens on an alarming day after a quiet one.  T is the
 * smallest threshold (so the fastest) whose false-alarm rate on the quiet
 * streams is at most the slip detector's own (and at most 1 per 6
 * months): both detectors judged at the same false-alarm rate.
 *
 * Prints, per scenario, figure: slip_<drop>at<taps>_median_days and
 * slip_threshold_<drop>at<taps>_median_days, and
 * slip_false_alarms_per_6mo for the worst scenario.  Deterministic: its
 * own PRNG (splitmix64) from --seed, printed.
 *
 * usage: bench_slip_scenarios [--seed N] [--departments N] [--day-spread X]
 *            [--delta X] [--h50 X] [--h-min X] [--day-sd X] [--window-days N]
 *            [--min-baseline-n N]   (the index detector's settings)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_pg.h"
#include "bench_random.h"
#include "slip.h"
#include "slip_index.h"

#define OPEN_HOUR        8
#define OPEN_HOURS       10
#define HISTORY_DAYS     90
#define DROP_SPREAD_DAYS 30
#define DETECT_DAYS      60
#define QUIET_DAYS       182 /* plus half a day: 6 months */
#define QUIET_HOURS      4380
#define BASE_DAYS        28 /* the threshold's baseline */
#define FA_GOAL          1.0

struct scenario {
    int drop; /* index points */
    double taps_per_day;
    double goal; /* median days to detect; 0: shown, no goal */
};

static const struct scenario SCENARIOS[] = {
    {15, 50, 1.5}, {10, 50, 2.5}, {5, 50, 7}, {15, 10, 3.5}, {5, 10, 17}, {15, 3, 0},
};
#define SCENARIOS_N (sizeof SCENARIOS / sizeof SCENARIOS[0])

/* cut points for 5 / 15 / 50 % cumulative at mu = 0 */
static const double CUT[3] = {-2.944438979, -1.734601055, 0.0};

struct options {
    uint64_t seed;
    int departments;
    double day_spread;
    struct slip_index_params index; /* the index detector's settings */
};

/* One department's hourly face counts. */
struct stream {
    int hours;
    int32_t (*faces)[4]; /* per hour */
    int64_t (*cum)[4];   /* [i] = sum over hours < i */
};

static double logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

/* The cumulative shares P(face <= 1..3) at latent shift mu (lower mu:
 * more low faces, so mu < 0 is a drop). */
static void cumulative(double mu, double cum[3])
{
    for (int k = 0; k < 3; k++)
        cum[k] = logistic(CUT[k] - mu);
}

/* The expected index (0..100) at mu. */
static double expected_index(double mu)
{
    double cum[3];
    cumulative(mu, cum);
    double p[4] = {cum[0], cum[1] - cum[0], cum[2] - cum[1], 1.0 - cum[2]};
    return (p[1] * 1.0 + p[2] * 2.0 + p[3] * 3.0) * 100.0 / 3.0;
}

/* The mu that lowers the expected index by drop points (bisection). */
static double mu_for_drop(double drop)
{
    double target = expected_index(0.0) - drop, lo = -10.0, hi = 0.0;
    for (int i = 0; i < 100; i++) {
        double mid = (lo + hi) / 2.0;
        if (expected_index(mid) < target)
            lo = mid;
        else
            hi = mid;
    }
    return (lo + hi) / 2.0;
}

static int face_of(double u, const double cum[3])
{
    return u < cum[0] ? 0 : u < cum[1] ? 1 : u < cum[2] ? 2 : 3;
}

/* Fills st with hours of taps; mu_drop applies from drop_hour on
 * (drop_hour < 0: never). */
static void stream_fill(struct stream *st, int hours, int drop_hour, double mu_drop,
                        double taps_per_day, double day_spread, uint64_t *rng)
{
    double limit = exp(-taps_per_day / OPEN_HOURS), shift = 0.0;
    st->hours = hours;
    memset(st->cum[0], 0, sizeof st->cum[0]);
    for (int i = 0; i < hours; i++) {
        int hour_of_day = i % 24, n = 0;
        if (hour_of_day == 0)
            shift = day_spread > 0 ? day_spread * bench_random_normal(rng) : 0.0;
        if (hour_of_day >= OPEN_HOUR && hour_of_day < OPEN_HOUR + OPEN_HOURS)
            n = bench_random_poisson(rng, limit);
        double cum[3];
        cumulative(shift + (drop_hour >= 0 && i >= drop_hour ? mu_drop : 0.0), cum);
        int32_t f[4] = {0, 0, 0, 0};
        for (int t = 0; t < n; t++)
            f[face_of(bench_random_uniform(rng), cum)]++;
        for (int k = 0; k < 4; k++) {
            st->faces[i][k] = f[k];
            st->cum[i + 1][k] = st->cum[i][k] + f[k];
        }
    }
}

static int clamp_hour(const struct stream *st, int64_t h)
{
    return h < 0 ? 0 : h > st->hours ? st->hours : (int)h;
}

static int64_t range_sum(const struct stream *st, int from, int to, int face)
{
    return st->cum[to][face] - st->cum[from][face];
}

/* The server's slip detector at hour now (hours < now complete); *judged:
 * whether the baseline had enough responses; *recovered: whether an open
 * alert would close. */
static bool slip_at(const struct stream *st, const struct slip_params *p, int now, bool *judged,
                    bool *recovered)
{
    struct slip_days d = slip_days_for(p, now / 24);
    int b0 = clamp_hour(st, (int64_t)d.baseline_from * 24);
    int b1 = clamp_hour(st, (int64_t)d.baseline_to * 24);
    int64_t neg = range_sum(st, b0, b1, 0) + range_sum(st, b0, b1, 1), tot = neg;
    tot += range_sum(st, b0, b1, 2) + range_sum(st, b0, b1, 3);
    double p0;
    *recovered = true;
    *judged = slip_baseline(p, neg, tot, &p0);
    if (!*judged)
        return false;
    struct slip_state state;
    slip_start(&state, p0);
    bool alarm = false;
    for (int i = clamp_hour(st, (int64_t)d.window_from * 24); i < now; i++) {
        const int32_t *f = st->faces[i];
        alarm = slip_step(&state, p, f[0] + f[1], f[0] + f[1] + f[2] + f[3]);
    }
    *recovered = slip_recovered(&state);
    return alarm;
}

static struct dash_counts range_counts(const struct stream *st, int from, int to)
{
    struct dash_counts c;
    for (int k = 0; k < 4; k++)
        c.n[k] = range_sum(st, from, to, k);
    return c;
}

/* The index detector (slip_index.h) at hour now, like slip_at. */
static bool index_at(const struct stream *st, const struct slip_index_params *p, int now,
                     bool *judged, bool *recovered)
{
    int window_from = (now / 24 - (p->window_days - 1)) * 24;
    int b1 = clamp_hour(st, (int64_t)window_from - (int64_t)p->gap_days * 24);
    int b0 = clamp_hour(st, (int64_t)b1 - (int64_t)p->baseline_days * 24);
    struct dash_counts base = range_counts(st, b0, b1);
    struct slip_index_state state;
    *recovered = true;
    *judged = slip_index_start(&state, p, &base);
    if (!*judged)
        return false;
    bool alarm = false;
    for (int i = clamp_hour(st, window_from); i < now; i++) {
        struct dash_counts h = {
            {st->faces[i][0], st->faces[i][1], st->faces[i][2], st->faces[i][3]}};
        alarm = slip_index_step(&state, &h);
    }
    *recovered = slip_index_recovered(&state);
    return alarm;
}

/* Detector 0: slip.h's share CUSUM (the server's today); 1: slip_index.h. */
static bool detector_at(const struct stream *st, const struct options *o, int kind, int now,
                        bool *judged, bool *recovered)
{
    struct slip_params p = slip_params_default();
    return kind == 0 ? slip_at(st, &p, now, judged, recovered)
                     : index_at(st, &o->index, now, judged, recovered);
}

/* The threshold's z for day `day` (its closing hour past): NAN when the
 * day or its baseline has no responses. */
static double day_z(const struct stream *st, int day)
{
    int d0 = day * 24, d1 = d0 + 24, b0 = clamp_hour(st, (int64_t)(day - BASE_DAYS) * 24);
    double bn = 0, bsum = 0, bsq = 0, dn = 0, dsum = 0;
    for (int k = 0; k < 4; k++) {
        double c = (double)range_sum(st, b0, d0, k), v = k * 100.0 / 3.0;
        bn += c, bsum += c * v, bsq += c * v * v;
        c = (double)range_sum(st, d0, d1, k);
        dn += c, dsum += c * v;
    }
    if (bn < 2 || dn < 1)
        return NAN;
    double mean = bsum / bn, var = (bsq - bn * mean * mean) / (bn - 1);
    double sd = sqrt(var > 1.0 ? var : 1.0);
    return (dsum / dn - mean) / (sd / sqrt(dn));
}

static bool stream_alloc(struct stream *st, int hours)
{
    st->faces = calloc((size_t)hours, sizeof *st->faces);
    st->cum = calloc((size_t)hours + 1, sizeof *st->cum);
    return st->faces && st->cum;
}

static void stream_free(struct stream *st)
{
    free(st->faces);
    free(st->cum);
}

/* One scenario's measurements. */
struct result {
    double *slip_delay[2]; /* [detector] per drop stream, days */
    double *z_drop;        /* [stream * (DETECT_DAYS + 1) + j]: day j from the drop's day */
    int *drop_hour;        /* per drop stream */
    double *z_quiet;       /* [stream * QUIET_DAYS + j] */
    long slip_alarms[2];   /* false alarms over all quiet streams */
    long slip_unjudged[2]; /* drop streams the detector never judged */
    double threshold;      /* the calibrated T */
    double *thr_delay;     /* per drop stream, days */
    long thr_alarms;
};

/* Days from drop_hour to the first alarm (DETECT_DAYS if none); *judged
 * set when any evaluation had a baseline. */
static double slip_delay(const struct stream *st, const struct options *o, int kind, int drop_hour,
                         bool *judged)
{
    bool j, recovered;
    *judged = false;
    for (int now = drop_hour + 1; now <= drop_hour + DETECT_DAYS * 24; now++) {
        bool alarm = detector_at(st, o, kind, now, &j, &recovered);
        *judged = *judged || j;
        if (alarm)
            return (now - drop_hour) / 24.0;
    }
    return DETECT_DAYS;
}

static int slip_false_alarms(const struct stream *st, const struct options *o, int kind)
{
    int opened = 0;
    bool open = false, judged, recovered;
    for (int now = HISTORY_DAYS * 24 + 1; now <= st->hours; now++) {
        bool alarm = detector_at(st, o, kind, now, &judged, &recovered);
        if (!open && alarm)
            open = true, opened++;
        else if (open && recovered)
            open = false;
    }
    return opened;
}

/* Alerts the threshold T opens on the quiet streams. */
static long threshold_false_alarms(const struct result *r, int departments, double t)
{
    long opened = 0;
    for (int i = 0; i < departments; i++) {
        bool prev = false;
        for (int j = 0; j < QUIET_DAYS; j++) {
            bool alarm = r->z_quiet[(size_t)i * QUIET_DAYS + j] < -t; /* NAN: no */
            opened += alarm && !prev;
            prev = alarm;
        }
    }
    return opened;
}

/* The smallest T whose false alarms per department are at most target. */
static double threshold_calibrate(const struct result *r, int departments, double target)
{
    double lo = 0.0, hi = 30.0;
    for (int i = 0; i < 60; i++) {
        double mid = (lo + hi) / 2.0;
        if ((double)threshold_false_alarms(r, departments, mid) / departments <= target)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

static void threshold_delays(struct result *r, int departments)
{
    for (int i = 0; i < departments; i++) {
        int drop_day = r->drop_hour[i] / 24;
        r->thr_delay[i] = DETECT_DAYS;
        for (int j = 0; j <= DETECT_DAYS; j++) {
            int close = (drop_day + j) * 24 + OPEN_HOUR + OPEN_HOURS;
            if (close <= r->drop_hour[i])
                continue;
            if (r->z_drop[(size_t)i * (DETECT_DAYS + 1) + j] < -r->threshold) {
                double d = (close - r->drop_hour[i]) / 24.0;
                r->thr_delay[i] = d < DETECT_DAYS ? d : DETECT_DAYS;
                break;
            }
        }
    }
}

static void run_drops(const struct scenario *sc, const struct options *o, struct stream *st,
                      struct result *r, uint64_t *rng)
{
    int len = (HISTORY_DAYS + DROP_SPREAD_DAYS + DETECT_DAYS + 2) * 24;
    double mu = mu_for_drop(sc->drop);
    for (int i = 0; i < o->departments; i++) {
        int drop_hour = (HISTORY_DAYS + (int)(bench_random_uniform(rng) * DROP_SPREAD_DAYS)) * 24 +
                        (int)(bench_random_uniform(rng) * 24);
        stream_fill(st, len, drop_hour, mu, sc->taps_per_day, o->day_spread, rng);
        bool judged;
        r->drop_hour[i] = drop_hour;
        for (int k = 0; k < 2; k++) {
            r->slip_delay[k][i] = slip_delay(st, o, k, drop_hour, &judged);
            r->slip_unjudged[k] += !judged;
        }
        for (int j = 0; j <= DETECT_DAYS; j++)
            r->z_drop[(size_t)i * (DETECT_DAYS + 1) + j] = day_z(st, drop_hour / 24 + j);
    }
}

static void run_quiet(const struct scenario *sc, const struct options *o, struct stream *st,
                      struct result *r, uint64_t *rng)
{
    for (int i = 0; i < o->departments; i++) {
        stream_fill(st, HISTORY_DAYS * 24 + QUIET_HOURS, -1, 0.0, sc->taps_per_day, o->day_spread,
                    rng);
        for (int k = 0; k < 2; k++)
            r->slip_alarms[k] += slip_false_alarms(st, o, k);
        for (int j = 0; j < QUIET_DAYS; j++)
            r->z_quiet[(size_t)i * QUIET_DAYS + j] = day_z(st, HISTORY_DAYS + j);
    }
}

static bool result_alloc(struct result *r, int n)
{
    *r = (struct result){0};
    r->slip_delay[0] = calloc((size_t)n, sizeof(double));
    r->slip_delay[1] = calloc((size_t)n, sizeof(double));
    r->thr_delay = calloc((size_t)n, sizeof(double));
    r->drop_hour = calloc((size_t)n, sizeof(int));
    r->z_drop = calloc((size_t)n * (DETECT_DAYS + 1), sizeof(double));
    r->z_quiet = calloc((size_t)n * QUIET_DAYS, sizeof(double));
    return r->slip_delay[0] && r->slip_delay[1] && r->thr_delay && r->drop_hour && r->z_drop &&
           r->z_quiet;
}

static void result_free(struct result *r)
{
    free(r->slip_delay[0]);
    free(r->slip_delay[1]);
    free(r->thr_delay);
    free(r->drop_hour);
    free(r->z_drop);
    free(r->z_quiet);
}

/* Runs one scenario and prints its rows; returns its false alarms per
 * department per 6 months (the detector's), or -1 out of memory. */
static double scenario_run(const struct scenario *sc, const struct options *o, struct stream *st)
{
    struct result r;
    uint64_t rng = o->seed ^ ((uint64_t)sc->drop << 32) ^ (uint64_t)(sc->taps_per_day * 16);
    if (!result_alloc(&r, o->departments)) {
        result_free(&r);
        return -1;
    }
    run_drops(sc, o, st, &r, &rng);
    run_quiet(sc, o, st, &r, &rng);
    double n = o->departments, fa = (double)r.slip_alarms[1] / n;
    r.threshold = threshold_calibrate(&r, o->departments, fa < FA_GOAL ? fa : FA_GOAL);
    r.thr_alarms = threshold_false_alarms(&r, o->departments, r.threshold);
    threshold_delays(&r, o->departments);
    double med[2], p90[2], tmed = bench_percentile(r.thr_delay, (size_t)n, 50);
    for (int k = 0; k < 2; k++) {
        med[k] = bench_percentile(r.slip_delay[k], (size_t)n, 50);
        p90[k] = bench_percentile(r.slip_delay[k], (size_t)n, 90);
    }
    char goal[32] = "none"; /* a scenario the issue sets no goal for */
    if (sc->goal > 0)
        snprintf(goal, sizeof goal, "<= %.3g", sc->goal);
    printf("# | %2d | %2g | %5.2f (p90 %5.2f) | %5.3f | %3ld | %5.2f (T %.2f) | %5.3f | %5.2f "
           "(p90 %5.2f) | %5.3f | %3ld | %s |\n",
           sc->drop, sc->taps_per_day, med[1], p90[1], fa, r.slip_unjudged[1], tmed, r.threshold,
           (double)r.thr_alarms / n, med[0], p90[0], (double)r.slip_alarms[0] / n,
           r.slip_unjudged[0], goal);
    printf("figure: slip_%dat%g_median_days %.2f days\n", sc->drop, sc->taps_per_day, med[1]);
    printf("figure: slip_threshold_%dat%g_median_days %.2f days\n", sc->drop, sc->taps_per_day,
           tmed);
    result_free(&r);
    return fa;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){.seed = 20261205,
                          .departments = 400,
                          .day_spread = 0.2,
                          .index = slip_index_params_default()};
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        char *end = NULL;
        double v = i + 1 < argc ? strtod(argv[++i], &end) : NAN;
        if (end == NULL || *end != '\0' || !(v >= 0 && v <= 1e15)) {
            fprintf(stderr, "bench_slip_scenarios: %s needs a number\n", name);
            return false;
        }
        if (strcmp(name, "--seed") == 0)
            o->seed = (uint64_t)v;
        else if (strcmp(name, "--departments") == 0 && v >= 1 && v <= 100000)
            o->departments = (int)v;
        else if (strcmp(name, "--day-spread") == 0 && v <= 2)
            o->day_spread = v;
        else if (strcmp(name, "--delta") == 0 && v > 0 && v <= 100)
            o->index.delta = v;
        else if (strcmp(name, "--h50") == 0 && v > 0)
            o->index.h50 = v;
        else if (strcmp(name, "--baseline-days") == 0 && v >= 1 && v <= 62)
            o->index.baseline_days = (int)v;
        else if (strcmp(name, "--h-slope") == 0 && v <= 3)
            o->index.h_slope = v;
        else if (strcmp(name, "--h-min") == 0 && v > 0)
            o->index.h_min = v;
        else if (strcmp(name, "--day-sd") == 0 && v <= 50)
            o->index.day_sd = v;
        else if (strcmp(name, "--window-days") == 0 && v >= 1 && v <= 25)
            o->index.window_days = (int)v;
        else if (strcmp(name, "--min-baseline-n") == 0)
            o->index.min_baseline_n = (int64_t)v;
        else {
            fprintf(stderr, "bench_slip_scenarios: unknown option or out of range: %s %s\n", name,
                    argv[i]);
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    struct options o;
    struct stream st;
    if (!parse_options(argc, argv, &o))
        return 2;
    const struct slip_index_params *ip = &o.index;
    printf("# bench_slip_scenarios --seed %llu --departments %d --day-spread %g --delta %g "
           "--h50 %g --h-min %g --day-sd %g --window-days %d --min-baseline-n %lld\n",
           (unsigned long long)o.seed, o.departments, o.day_spread, ip->delta, ip->h50, ip->h_min,
           ip->day_sd, ip->window_days, (long long)ip->min_baseline_n);
    int hours = (HISTORY_DAYS + DROP_SPREAD_DAYS + DETECT_DAYS + 2) * 24;
    if (hours < HISTORY_DAYS * 24 + QUIET_HOURS)
        hours = HISTORY_DAYS * 24 + QUIET_HOURS;
    if (!stream_alloc(&st, hours)) {
        stream_free(&st);
        fprintf(stderr, "bench_slip_scenarios: out of memory\n");
        return 1;
    }
    printf("# | drop | taps/day | index CUSUM median days | its false alarms/6mo | drops "
           "never judged | calibrated daily threshold median days | its false alarms/6mo | "
           "share CUSUM (before) median days | its false alarms/6mo | never judged | goal |\n");
    double t0 = bench_mono_ms(), worst = 0;
    for (size_t i = 0; i < SCENARIOS_N; i++) {
        double fa = scenario_run(&SCENARIOS[i], &o, &st);
        if (fa < 0) {
            stream_free(&st);
            fprintf(stderr, "bench_slip_scenarios: out of memory\n");
            return 1;
        }
        worst = fa > worst ? fa : worst;
    }
    printf("figure: slip_false_alarms_per_6mo %.3f per department\n", worst);
    printf("# %.1f s\n", (bench_mono_ms() - t0) / 1000.0);
    stream_free(&st);
    return 0;
}
