/*
 * slip_index: the index CUSUM (slip_index.h says what it computes and
 * why the corrections).
 */
#include "slip_index.h"

#include <math.h>

#define SLIP_INDEX_S0_MIN 15.0

struct slip_index_params slip_index_params_default(void)
{
    return (struct slip_index_params){
        .delta = 9.0,
        .h50 = 5.3,
        .h_min = 3.0,
        .h_slope = 0.4,
        .day_sd = 3.0,
        .baseline_days = 56,
        .gap_days = 7,
        .window_days = 21,
        .min_baseline_n = 40,
    };
}

static double face_score(int face)
{
    return face * 100.0 / 3.0; /* face index 0..3 */
}

bool slip_index_start(struct slip_index_state *state, const struct slip_index_params *params,
                      const struct dash_counts *baseline)
{
    double n = 0, sum = 0, sq = 0;
    for (int k = 0; k < 4; k++) {
        double c = baseline->n[k] > 0 ? (double)baseline->n[k] : 0.0;
        n += c, sum += c * face_score(k), sq += c * face_score(k) * face_score(k);
    }
    if (n <= 0 || n < (double)params->min_baseline_n || params->baseline_days <= 0)
        return false;
    double m0 = sum / n, var = n > 1 ? (sq - n * m0 * m0) / (n - 1) : 0.0;
    double s0 = sqrt(var > 0 ? var : 0);
    s0 = s0 > SLIP_INDEX_S0_MIN ? s0 : SLIP_INDEX_S0_MIN;
    double per_day = n / params->baseline_days;
    double c = 1.0 / (1.0 + per_day * params->day_sd * params->day_sd / (s0 * s0));
    double h = params->h50 + params->h_slope * log(per_day / 50.0);
    h = h < params->h_min ? params->h_min : h > params->h50 + 2 ? params->h50 + 2 : h;
    *state = (struct slip_index_state){
        .m0 = m0,
        .s0 = s0,
        .per_day = per_day,
        .h = h,
        .scale = c * params->delta / (s0 * s0),
        .delta = params->delta,
    };
    return true;
}

bool slip_index_start_rise(struct slip_index_state *state, const struct slip_index_params *params,
                           const struct dash_counts *baseline)
{
    if (!slip_index_start(state, params, baseline))
        return false;
    state->rise = true;
    return true;
}

bool slip_index_step(struct slip_index_state *state, const struct dash_counts *hour)
{
    double n = 0, sum = 0;
    for (int k = 0; k < 4; k++) {
        double c = hour->n[k] > 0 ? (double)hour->n[k] : 0.0;
        n += c, sum += c * face_score(k);
    }
    if (n > 0) {
        double half = state->delta / 2.0;
        double evidence = state->rise ? sum - n * (state->m0 + half) : n * (state->m0 - half) - sum;
        double s = state->s + state->scale * evidence;
        s = s > 0.0 ? s : 0.0;
        state->s = s < state->h ? s : state->h;
    }
    return state->s >= state->h;
}

bool slip_index_recovered(const struct slip_index_state *state)
{
    return state->s <= 0.0;
}
