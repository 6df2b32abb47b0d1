/*
 * self_test: --self-test, what an A/B update system runs before it marks
 * a new slot good: the config loads, the store is usable, the start-up
 * checks pass, and a frame is presented: by the running service (its
 * ready file names a live process of this version) or, when none runs, by
 * the self-test itself.  And --hash-pin, the technician PIN's config line.
 */
#ifndef WOW_KIOSK_SELF_TEST_H
#define WOW_KIOSK_SELF_TEST_H

#include "clock.h"

struct kiosk;
struct layers;
struct notice;
struct options;
struct status;

/* What the self-test looks at; all borrowed. */
struct self_test_parts {
    const struct options *options;
    const struct layers *layers;
    struct notice *notice; /* the config's notice, drawn when it shows */
    struct kiosk *kiosk;   /* NULL with a bad config */
    struct status *status; /* the checks run into it */
    const char *store_path;
    const char *sync_target; /* as the sync thread would use it ("off": none) */
    const struct clock *clock;
};

/* Exit status of a kiosk that can serve customers but cannot sync: it
 * collects and its counts wait (an update must still be kept). */
#define SELF_TEST_CANNOT_SYNC 3
/* The longest the sync target's probe may take. */
#define SELF_TEST_SYNC_TIMEOUT_MS 10000

/* Prints one "ok  "/"FAIL" line per thing checked and a verdict.  Exit
 * status 0 when the kiosk can serve and sync, SELF_TEST_CANNOT_SYNC when
 * it can serve but not sync, else 1. */
int self_test_run(const struct self_test_parts *parts);

/* --hash-pin: reads a PIN from stdin, prints the config line.  Exit
 * status. */
int self_test_hash_pin(void);

#endif
