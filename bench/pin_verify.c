/*
 * bench pin_verify: what checking a technician PIN costs the kiosk.  The
 * PIN pad checks on the render loop's thread (argon2id at libsodium's
 * "interactive" cost: 64 MiB, 2 passes), so this is how long the pad
 * freezes after OK, and how much memory the check takes at its peak.  Also
 * the cost of the wrong-PIN path, which is the same by design (a guess
 * costs what a right PIN costs).
 *
 * usage: bench_pin_verify [ROUNDS]   (default 10)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_pg.h"
#include "config.h"
#include "technician.h"

int main(int argc, char **argv)
{
    char *end = NULL;
    long rounds = argc > 1 ? strtol(argv[1], &end, 10) : 10;
    if (rounds < 1 || rounds > 1000 || (end != NULL && *end != '\0')) {
        fprintf(stderr, "usage: bench_pin_verify [ROUNDS 1..1000]\n");
        return 2;
    }
    char hash[CONFIG_PIN_HASH_MAX];
    double t0 = bench_mono_ms();
    if (!pin_hash("482913", hash, sizeof hash)) {
        fprintf(stderr, "bench_pin_verify: hashing failed\n");
        return 1;
    }
    double hash_ms = bench_mono_ms() - t0;
    double *right = calloc((size_t)rounds, sizeof *right);
    double *wrong = calloc((size_t)rounds, sizeof *wrong);
    bool ok = right != NULL && wrong != NULL;
    for (int i = 0; ok && i < rounds; i++) {
        t0 = bench_mono_ms();
        ok = pin_verify(hash, "482913");
        right[i] = bench_mono_ms() - t0;
        t0 = bench_mono_ms();
        ok = ok && !pin_verify(hash, "482914");
        wrong[i] = bench_mono_ms() - t0;
    }
    if (!ok) {
        fprintf(stderr, "bench_pin_verify: out of memory, or a PIN was judged wrongly\n");
        free(right);
        free(wrong);
        return 1;
    }
    printf("# bench_pin_verify %ld   (argon2id, libsodium interactive limits)\n", rounds);
    printf("figure: pin_hash_ms %.1f ms\n", hash_ms);
    printf("figure: pin_verify_right_p50_ms %.1f ms\n",
           bench_percentile(right, (size_t)rounds, 50));
    printf("figure: pin_verify_wrong_p50_ms %.1f ms\n",
           bench_percentile(wrong, (size_t)rounds, 50));
    printf("figure: pin_verify_peak_rss_mb %.1f MB\n", bench_peak_rss_mb());
    free(right);
    free(wrong);
    return 0;
}
