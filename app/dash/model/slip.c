/*
 * slip: the Bernoulli CUSUM slip detector and the fixed-threshold rules
 * (slip.h says what they compute, how the server runs them and how the
 * defaults were chosen).
 */
#include "slip.h"

#include <math.h>

#include "score.h"

struct slip_params slip_params_default(void)
{
    return (struct slip_params){
        .p1_factor = 2.0,
        .h = 8.0,
        .baseline_days = 28,
        .gap_days = 7,
        .window_days = 7,
        .min_baseline_n = 200,
    };
}

struct slip_days slip_days_for(const struct slip_params *params, int32_t today)
{
    struct slip_days d;
    d.window_from = today - (params->window_days - 1);
    d.baseline_to = d.window_from - params->gap_days;
    d.baseline_from = d.baseline_to - params->baseline_days;
    return d;
}

static double clamp_p0(double p0)
{
    if (!(p0 >= SLIP_P0_MIN)) /* NaN too */
        return SLIP_P0_MIN;
    return p0 > SLIP_P0_MAX ? SLIP_P0_MAX : p0;
}

bool slip_baseline(const struct slip_params *params, int64_t negative, int64_t total, double *p0)
{
    if (total <= 0 || total < params->min_baseline_n)
        return false;
    *p0 = clamp_p0((double)negative / (double)total);
    return true;
}

double slip_p1(const struct slip_params *params, double p0)
{
    double p1 = p0 * params->p1_factor;
    return p1 < SLIP_P1_MAX ? p1 : SLIP_P1_MAX;
}

void slip_start(struct slip_state *state, double p0)
{
    *state = (struct slip_state){.p0 = clamp_p0(p0), .step_factor = NAN};
}

bool slip_step(struct slip_state *state, const struct slip_params *params, int64_t negative,
               int64_t total)
{
    if (state->step_factor != params->p1_factor) { /* first step, or params changed */
        double p1 = slip_p1(params, state->p0);
        state->up = log(p1 / state->p0);
        state->down = log((1.0 - p1) / (1.0 - state->p0));
        state->step_factor = params->p1_factor;
    }
    if (total > 0) {
        if (negative < 0)
            negative = 0;
        if (negative > total)
            negative = total;
        double s =
            state->s + (double)negative * state->up + (double)(total - negative) * state->down;
        s = s > 0.0 ? s : 0.0;
        state->s = s < params->h ? s : params->h; /* held at h: recovery time is bounded */
    }
    return state->s >= params->h;
}

double slip_statistic(const struct slip_state *state)
{
    return state->s;
}

bool slip_recovered(const struct slip_state *state)
{
    return state->s <= 0.0;
}

/* ---- the fixed-threshold rules ---------------------------------------- */

bool threshold_negative_share(int64_t negative, int64_t total, double share, int64_t min_n)
{
    /* a quotient of integers rounds like the decimal threshold does, so
       25/100 against 0.25 is "exactly at" and does not fire */
    return total > 0 && total >= min_n && (double)negative / (double)total > share;
}

bool threshold_negative_share_recovered(int64_t negative, int64_t total, double share,
                                        int64_t min_n)
{
    return total > 0 && total >= min_n && (double)negative / (double)total <= share;
}

/* The window's index, or NaN without min_n responses (or any). */
static double window_index(const struct dash_counts *window, int64_t min_n)
{
    struct score s = score_of(window);
    return s.n > 0 && s.n >= min_n ? s.index : NAN;
}

bool threshold_index_below(const struct dash_counts *window, double index, int64_t min_n)
{
    return window_index(window, min_n) < index; /* NaN: false */
}

bool threshold_index_above(const struct dash_counts *window, double index, int64_t min_n)
{
    return window_index(window, min_n) > index;
}

bool threshold_index_below_recovered(const struct dash_counts *window, double index, int64_t min_n)
{
    return window_index(window, min_n) >= index;
}

bool threshold_index_above_recovered(const struct dash_counts *window, double index, int64_t min_n)
{
    return window_index(window, min_n) <= index;
}

bool threshold_answer_count(const struct dash_counts *window, int face, double count)
{
    return face >= 1 && face <= 4 && (double)window->n[face - 1] >= count;
}

bool threshold_answer_count_recovered(const struct dash_counts *window, int face, double count)
{
    return !threshold_answer_count(window, face, count);
}
