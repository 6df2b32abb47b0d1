/* bench_random: splitmix64 and its draws (see bench_random.h). */
#include "bench_random.h"

#include <math.h>

uint64_t bench_random_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double bench_random_uniform(uint64_t *state)
{
    return (double)(bench_random_u64(state) >> 11) * (1.0 / 9007199254740992.0);
}

int bench_random_poisson(uint64_t *state, double limit)
{
    int k = 0;
    double p = bench_random_uniform(state);
    while (p > limit) {
        k++;
        p *= bench_random_uniform(state);
    }
    return k;
}

double bench_random_normal(uint64_t *state)
{
    double u = 1.0 - bench_random_uniform(state), v = bench_random_uniform(state);
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}
