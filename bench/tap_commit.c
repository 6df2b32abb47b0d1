/*
 * bench tap_commit: how long a tap takes to become durable in the local
 * store (one transaction: tap row + its count, WAL, synchronous=FULL).
 *
 * usage: bench_tap_commit [DIR]   (default: a new directory under /var/tmp)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store.h"

#define TAPS 2000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    log_init("bench", LOG_WARN); /* no "tap committed" line per tap */
    char dir[256] = "/var/tmp/wowbench-XXXXXX";
    bool made = argc < 2;
    if (made ? mkdtemp(dir) == NULL : snprintf(dir, sizeof dir, "%s", argv[1]) < 0) {
        perror("bench_tap_commit: directory");
        return 1;
    }
    char path[300];
    snprintf(path, sizeof path, "%s/bench-tap-commit.db", dir);
    unlink(path);
    struct store *store;
    struct store_health health;
    if (store_open(&store, path, "bench", 1790000000000LL, &health) != 0)
        return 1;

    static double ms[TAPS];
    static const char *const departments[] = {"front", "it", "lab", "pharmacy"};
    for (int i = 0; i < TAPS; i++) {
        struct store_tap tap = {1790000000000LL + (int64_t)i * 20000, departments[i % 4], 1 + i % 4,
                                i % 17 == 0};
        int64_t id;
        double t0 = now_ms();
        if (store_record_tap(store, &tap, &id) != 0)
            return 1;
        ms[i] = now_ms() - t0;
    }
    store_close(store);
    qsort(ms, TAPS, sizeof ms[0], compare);

    printf("store at %s, %d taps, WAL, synchronous=FULL\n", path, TAPS);
    printf("figure: tap_commit_p50_ms %.3f ms\n", ms[TAPS / 2]);
    printf("figure: tap_commit_p99_ms %.3f ms\n", ms[TAPS * 99 / 100]);
    printf("figure: tap_commit_max_ms %.3f ms\n", ms[TAPS - 1]);
    printf("reproduce: build/bench/bench_tap_commit [DIR]\n");
    unlink(path);
    if (made)
        rmdir(dir);
    return 0;
}
