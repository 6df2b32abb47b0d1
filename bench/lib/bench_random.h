/*
 * bench_random: the simulations' random numbers (bench/slip*.c): splitmix64
 * and what the simulations draw from it.  The caller owns the state, a
 * seed it chose, so a run is the same every time.
 */
#ifndef WOW_BENCH_RANDOM_H
#define WOW_BENCH_RANDOM_H

#include <stdint.h>

/* splitmix64: small, fast, and good enough for a simulation. */
uint64_t bench_random_u64(uint64_t *state);

/* Uniform in [0, 1). */
double bench_random_uniform(uint64_t *state);

/* Poisson by multiplying uniforms (Knuth), fine for a mean of a few;
 * limit = exp(-mean). */
int bench_random_poisson(uint64_t *state, double limit);

/* A standard normal deviate (Box-Muller). */
double bench_random_normal(uint64_t *state);

#endif
