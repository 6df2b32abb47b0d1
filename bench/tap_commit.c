/*
 * bench tap_commit: how long a tap takes to become durable in the local
 * store: one store_record_tap, i.e. one transaction with the tap row and
 * its count, WAL, synchronous=FULL (an fsync of the -wal per commit).
 * The goal is p99 <= 5 ms on the kiosk's SD card.
 *
 * usage: bench_tap_commit [DIR]
 *   DIR is where the database goes; by default a new directory under
 *   /var/tmp (on disk on most systems, unlike /tmp which may be tmpfs).
 *   The figure only means something on the disk the kiosk uses: the
 *   directory and its filesystem are printed with the figures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
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

/* Records TAPS taps spread over departments, faces and 20-second steps,
 * timing each commit into ms[].  Returns 0, or 1 after the store failed. */
static int record_taps(struct store *store, double ms[TAPS])
{
    static const char *const departments[] = {"front", "it", "lab", "pharmacy"};
    for (int i = 0; i < TAPS; i++) {
        struct store_tap tap = {1790000000000LL + (int64_t)i * 20000, departments[i % 4], 1 + i % 4,
                                i % 17 == 0};
        int64_t id;
        double t0 = now_ms();
        if (store_record_tap(store, &tap, &id) != 0)
            return 1; /* logged by the store */
        ms[i] = now_ms() - t0;
    }
    return 0;
}

/* Says which filesystem dir is on (statfs magic numbers, linux/magic.h),
 * and warns where fsync costs nothing. */
static void print_disk(const char *dir)
{
    static const struct {
        unsigned long magic;
        const char *name;
    } known[] = {{0xef53, "ext2/3/4"},  {0xf2f52010, "f2fs"}, {0x9123683e, "btrfs"},
                 {0x58465342, "xfs"},   {0x4d44, "vfat"},     {0x794c7630, "overlayfs"},
                 {0x01021994, "tmpfs"}, {0x6969, "nfs"}};
    struct statfs fs;
    const char *name = "unknown";
    if (statfs(dir, &fs) == 0)
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if ((unsigned long)fs.f_type == known[i].magic)
                name = known[i].name;
    printf("directory: %s (filesystem %s)\n", dir, name);
    if (strcmp(name, "tmpfs") == 0)
        printf("warning: tmpfs is RAM: fsync is free, these figures say nothing about a disk\n");
}

int main(int argc, char **argv)
{
    log_init("bench_tap_commit", LOG_WARN); /* no "tap committed" line per tap */
    char dir[256] = "/var/tmp/wowbench-XXXXXX";
    bool made = argc < 2;
    if (made ? mkdtemp(dir) == NULL : snprintf(dir, sizeof dir, "%s", argv[1]) >= (int)sizeof dir) {
        fprintf(stderr, "bench_tap_commit: cannot use directory %s\n", made ? dir : argv[1]);
        return 1;
    }
    char path[300];
    snprintf(path, sizeof path, "%s/bench-tap-commit.db", dir);
    unlink(path);
    struct store *store;
    struct store_health health;
    if (store_open(&store, path, "bench", 1790000000000LL, &health) != 0)
        return 1;
    print_disk(dir);
    static double ms[TAPS];
    int rc = record_taps(store, ms);
    store_close(store);
    unlink(path);
    if (made)
        rmdir(dir);
    if (rc != 0)
        return rc;
    qsort(ms, TAPS, sizeof ms[0], compare);

    printf("n: %d taps, one commit each (tap row + count), WAL, synchronous=FULL\n", TAPS);
    printf("figure: tap_commit_p50_ms %.3f ms\n", ms[TAPS / 2]);
    printf("figure: tap_commit_p99_ms %.3f ms\n", ms[TAPS * 99 / 100]);
    printf("figure: tap_commit_max_ms %.3f ms\n", ms[TAPS - 1]);
    printf("reproduce: build/bench/bench_tap_commit [DIR]\n");
    return 0;
}
