/*
 * bench slip: "if standards started to slip, how long would it take you
 * to recognise there was a problem?" -- the detection delay and the false
 * alarms of the statistical slip detector and of a typical fixed-threshold
 * rule, on simulated departments, running the server's own functions
 * (app/dash/slip.h) the way alerts.c runs them: every hour, stateless,
 * the baseline and the window read from the department's history.
 *
 * The departments: taps Poisson at taps-per-day / 10 an hour during
 * opening hours (8:00-18:00, every day), none at night; 85 % satisfied
 * (faces 3 + 4), so 15 % negative (faces 1 + 2).
 *  - drop streams: 60 days of history, then from a random hour of a
 *    random day among the next 30 the satisfied share is 70 % (30 %
 *    negative).  Delay = hours from the drop to the first evaluation
 *    that alarms, / 24, in days; a stream not detected within 30 days
 *    counts as 30 (how many were is printed).
 *  - streams with no drop: 60 days of history, then 182.5 days (6 months)
 *    evaluated hourly; a false alarm is an alert opening (the detector
 *    alarms with no alert open; an alert closes when slip_recovered / the
 *    rule's recovered twin says so, as in alerts.c).
 * The fixed-threshold rule: negative share > 25 % over the last 7 days
 * (168 hours) with >= 100 responses, evaluated hourly.
 *
 * Deterministic: its own PRNG (splitmix64) from --seed, printed.
 *
 * usage: bench_slip [--seed N] [--departments N] [--taps-per-day X]
 *                   [--h X] [--p1-factor X] [--baseline-days N]
 *                   [--gap-days N] [--window-days N] [--min-baseline-n N]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_pg.h"
#include "bench_random.h"
#include "slip.h"

#define OPEN_HOUR        8
#define OPEN_HOURS       10
#define HISTORY_DAYS     60
#define DROP_SPREAD_DAYS 30
#define DETECT_DAYS      30
#define QUIET_HOURS      4380 /* 182.5 days: 6 months */
#define P_NEG_BEFORE     0.15
#define P_NEG_AFTER      0.30
#define RULE_SHARE       0.25
#define RULE_HOURS       168
#define RULE_MIN_N       100

struct options {
    uint64_t seed;
    int departments; /* of each kind */
    double taps_per_day;
    double day_spread; /* sd of each day's log-odds of negative around the stream's */
    struct slip_params params;
};

/* One department's hourly counts and their running sums. */
struct stream {
    int hours;
    int32_t *neg, *tot;         /* per hour */
    int64_t *cum_neg, *cum_tot; /* [i] = sum over hours < i; hours + 1 entries */
};

/* p with its log-odds moved by shift. */
static double odds_shift(double p, double shift)
{
    double odds = p / (1.0 - p) * exp(shift);
    return odds / (1.0 + odds);
}

/* Fills st with hours of taps; the negative share is P_NEG_AFTER from
 * hour drop_hour on (drop_hour < 0: never), each day's share moved by a
 * random log-odds shift of sd o->day_spread (0: plain binomial). */
static void stream_fill(struct stream *st, int hours, int drop_hour, const struct options *o,
                        uint64_t *rng)
{
    double mean = o->taps_per_day / OPEN_HOURS, limit = exp(-mean), shift = 0.0;
    st->hours = hours;
    st->cum_neg[0] = st->cum_tot[0] = 0;
    for (int i = 0; i < hours; i++) {
        int hour_of_day = i % 24, n = 0, neg = 0;
        if (hour_of_day == 0 && o->day_spread > 0)
            shift = o->day_spread * bench_random_normal(rng);
        if (hour_of_day >= OPEN_HOUR && hour_of_day < OPEN_HOUR + OPEN_HOURS)
            n = bench_random_poisson(rng, limit);
        double p = drop_hour >= 0 && i >= drop_hour ? P_NEG_AFTER : P_NEG_BEFORE;
        p = odds_shift(p, shift);
        for (int t = 0; t < n; t++)
            neg += bench_random_uniform(rng) < p;
        st->neg[i] = neg;
        st->tot[i] = n;
        st->cum_neg[i + 1] = st->cum_neg[i] + neg;
        st->cum_tot[i + 1] = st->cum_tot[i] + n;
    }
}

static int clamp_hour(const struct stream *st, int64_t h)
{
    return h < 0 ? 0 : h > st->hours ? st->hours : (int)h;
}

/* The slip detector evaluated at "now" = hour `now` (hours < now are
 * complete), as alerts.c does.  Returns whether it alarms; *recovered
 * says whether an open alert would close. */
static bool slip_at(const struct stream *st, const struct slip_params *p, int now, bool *recovered)
{
    struct slip_days d = slip_days_for(p, now / 24);
    int b0 = clamp_hour(st, (int64_t)d.baseline_from * 24);
    int b1 = clamp_hour(st, (int64_t)d.baseline_to * 24);
    double p0;
    *recovered = true; /* a department not judged has nothing open */
    if (!slip_baseline(p, st->cum_neg[b1] - st->cum_neg[b0], st->cum_tot[b1] - st->cum_tot[b0],
                       &p0))
        return false;
    struct slip_state state;
    slip_start(&state, p0);
    bool alarm = false;
    for (int i = clamp_hour(st, (int64_t)d.window_from * 24); i < now; i++)
        alarm = slip_step(&state, p, st->neg[i], st->tot[i]);
    *recovered = slip_recovered(&state);
    return alarm;
}

/* The fixed-threshold rule at "now", like slip_at. */
static bool rule_at(const struct stream *st, int now, bool *recovered)
{
    int from = clamp_hour(st, (int64_t)now - RULE_HOURS);
    int64_t neg = st->cum_neg[now] - st->cum_neg[from];
    int64_t tot = st->cum_tot[now] - st->cum_tot[from];
    *recovered = threshold_negative_share_recovered(neg, tot, RULE_SHARE, RULE_MIN_N);
    return threshold_negative_share(neg, tot, RULE_SHARE, RULE_MIN_N);
}

static bool detector_at(const struct stream *st, const struct slip_params *p, bool statistical,
                        int now, bool *recovered)
{
    return statistical ? slip_at(st, p, now, recovered) : rule_at(st, now, recovered);
}

/* Days from drop_hour to the first alarm, DETECT_DAYS if none by then. */
static double delay_days(const struct stream *st, const struct slip_params *p, bool statistical,
                         int drop_hour)
{
    bool recovered;
    for (int now = drop_hour + 1; now <= drop_hour + DETECT_DAYS * 24; now++)
        if (detector_at(st, p, statistical, now, &recovered))
            return (now - drop_hour) / 24.0;
    return DETECT_DAYS;
}

/* Alerts opened over the QUIET_HOURS after the history. */
static int false_alarms(const struct stream *st, const struct slip_params *p, bool statistical)
{
    int opened = 0;
    bool open = false, recovered;
    for (int now = HISTORY_DAYS * 24 + 1; now <= st->hours; now++) {
        bool alarm = detector_at(st, p, statistical, now, &recovered);
        if (!open && alarm) {
            open = true;
            opened++;
        } else if (open && recovered) {
            open = false;
        }
    }
    return opened;
}

static bool stream_alloc(struct stream *st, int hours)
{
    st->neg = calloc((size_t)hours, sizeof *st->neg);
    st->tot = calloc((size_t)hours, sizeof *st->tot);
    st->cum_neg = calloc((size_t)hours + 1, sizeof *st->cum_neg);
    st->cum_tot = calloc((size_t)hours + 1, sizeof *st->cum_tot);
    return st->neg && st->tot && st->cum_neg && st->cum_tot;
}

static void stream_free(struct stream *st)
{
    free(st->neg);
    free(st->tot);
    free(st->cum_neg);
    free(st->cum_tot);
}

struct results {
    double *delay[2];     /* [statistical] per drop stream */
    int missed[2];        /* drop streams not detected within DETECT_DAYS */
    long alarms[2];       /* false alarms over all quiet streams */
    int quiet_with_fa[2]; /* quiet streams with at least one */
};

static bool run(const struct options *o, struct results *r)
{
    struct stream st;
    int drop_len = (HISTORY_DAYS + DROP_SPREAD_DAYS + DETECT_DAYS + 1) * 24;
    int quiet_len = HISTORY_DAYS * 24 + QUIET_HOURS;
    if (!stream_alloc(&st, drop_len > quiet_len ? drop_len : quiet_len)) {
        stream_free(&st);
        return false;
    }
    uint64_t rng = o->seed;
    for (int i = 0; i < o->departments; i++) {
        int drop_hour = (HISTORY_DAYS + (int)(bench_random_uniform(&rng) * DROP_SPREAD_DAYS)) * 24 +
                        (int)(bench_random_uniform(&rng) * 24);
        stream_fill(&st, drop_len, drop_hour, o, &rng);
        for (int k = 0; k < 2; k++) {
            r->delay[k][i] = delay_days(&st, &o->params, k == 1, drop_hour);
            r->missed[k] += r->delay[k][i] >= DETECT_DAYS;
        }
    }
    for (int i = 0; i < o->departments; i++) {
        stream_fill(&st, quiet_len, -1, o, &rng);
        for (int k = 0; k < 2; k++) {
            int n = false_alarms(&st, &o->params, k == 1);
            r->alarms[k] += n;
            r->quiet_with_fa[k] += n > 0;
        }
    }
    stream_free(&st);
    return true;
}

static bool parse_number(const char *text, double min, double max, double *out)
{
    char *end = NULL;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){
        .seed = 20261128, .departments = 400, .taps_per_day = 50, .params = slip_params_default()};
    for (int i = 1; i < argc; i++) {
        double v;
        const char *name = argv[i];
        if (i + 1 >= argc || !parse_number(argv[++i], 0, 1e15, &v)) {
            fprintf(stderr, "bench_slip: %s needs a number\n", name);
            return false;
        }
        if (strcmp(name, "--seed") == 0)
            o->seed = (uint64_t)v;
        else if (strcmp(name, "--departments") == 0 && v >= 1 && v <= 100000)
            o->departments = (int)v;
        else if (strcmp(name, "--taps-per-day") == 0 && v > 0 && v <= 1000)
            o->taps_per_day = v;
        else if (strcmp(name, "--day-spread") == 0 && v <= 2)
            o->day_spread = v;
        else if (strcmp(name, "--h") == 0 && v > 0)
            o->params.h = v;
        else if (strcmp(name, "--p1-factor") == 0 && v > 1)
            o->params.p1_factor = v;
        else if (strcmp(name, "--baseline-days") == 0 && v >= 1 && v <= 50)
            o->params.baseline_days = (int)v;
        else if (strcmp(name, "--gap-days") == 0 && v <= 20)
            o->params.gap_days = (int)v;
        else if (strcmp(name, "--window-days") == 0 && v >= 1 && v <= 30)
            o->params.window_days = (int)v;
        else if (strcmp(name, "--min-baseline-n") == 0)
            o->params.min_baseline_n = (int64_t)v;
        else {
            fprintf(stderr, "bench_slip: unknown option or value out of range: %s %s\n", name,
                    argv[i]);
            return false;
        }
    }
    /* the history must hold the baseline of the first evaluation */
    const struct slip_params *p = &o->params;
    if (p->window_days - 1 + p->gap_days + p->baseline_days > HISTORY_DAYS) {
        fprintf(stderr, "bench_slip: window + gap + baseline days exceed the %d-day history\n",
                HISTORY_DAYS);
        return false;
    }
    return true;
}

static void report(const struct options *o, struct results *r)
{
    const char *name[2] = {"threshold", "stat"};
    size_t n = (size_t)o->departments;
    for (int k = 1; k >= 0; k--) {
        printf("figure: slip_%s_median_delay_days %.2f days\n", name[k],
               bench_percentile(r->delay[k], n, 50));
        printf("figure: slip_%s_p90_delay_days %.2f days\n", name[k],
               bench_percentile(r->delay[k], n, 90));
        printf("figure: slip_%s_false_alarms_per_6mo %.3f per department\n", name[k],
               (double)r->alarms[k] / (double)n);
        printf("# %s: %d of %zu drops not detected within %d days (counted as %d); "
               "%d of %zu quiet departments with a false alarm\n",
               name[k], r->missed[k], n, DETECT_DAYS, DETECT_DAYS, r->quiet_with_fa[k], n);
    }
}

int main(int argc, char **argv)
{
    struct options o;
    if (!parse_options(argc, argv, &o))
        return 2;
    const struct slip_params *p = &o.params;
    printf("# bench_slip --seed %llu --departments %d --taps-per-day %g --day-spread %g --h %g "
           "--p1-factor %g --baseline-days %d --gap-days %d --window-days %d "
           "--min-baseline-n %lld\n",
           (unsigned long long)o.seed, o.departments, o.taps_per_day, o.day_spread, p->h,
           p->p1_factor, p->baseline_days, p->gap_days, p->window_days,
           (long long)p->min_baseline_n);
    printf("# %d departments with a drop 85 %% -> 70 %% satisfied, %d without (6 months); "
           "threshold rule: negative > %.0f %% over %d h with >= %d responses\n",
           o.departments, o.departments, RULE_SHARE * 100, RULE_HOURS, RULE_MIN_N);
    struct results r = {0};
    r.delay[0] = calloc((size_t)o.departments, sizeof(double));
    r.delay[1] = calloc((size_t)o.departments, sizeof(double));
    double t0 = bench_mono_ms();
    if (r.delay[0] == NULL || r.delay[1] == NULL || !run(&o, &r)) {
        fprintf(stderr, "bench_slip: out of memory\n");
        free(r.delay[0]);
        free(r.delay[1]);
        return 1;
    }
    report(&o, &r);
    printf("# %.1f s\n", (bench_mono_ms() - t0) / 1000.0);
    free(r.delay[0]);
    free(r.delay[1]);
    return 0;
}
