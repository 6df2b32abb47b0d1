/*
 * clock: the two clocks the kiosk lives by, behind one small interface so
 * time can be shifted (--clock-start); the state machine takes time as a
 * value, so its tests need no clock at all.
 *
 * mono_ms never jumps (timeouts, press filter); utc_ms is wall time in
 * milliseconds since the Unix epoch (tap timestamps, opening hours, buckets).
 */
#ifndef WOW_CLOCK_H
#define WOW_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct clock_now {
    int64_t mono_ms;
    int64_t utc_ms;
};

struct clock {
    struct clock_now (*now)(void *ctx);
    void *ctx;
};

/* Reads both clocks at once through the interface. */
static inline struct clock_now clock_read(const struct clock *c)
{
    return c->now(c->ctx);
}

/* No --clock-start: the wall clock as it is.  0 is a time like any other
 * (1970-01-01T00:00Z), so it cannot mean "none". */
#define CLOCK_NO_START INT64_MIN

/* The real clocks (CLOCK_MONOTONIC, CLOCK_REALTIME).  When start_utc_ms is
 * not CLOCK_NO_START the wall clock is shifted so that it reads start_utc_ms now and runs
 * on from there; *offset_storage holds the shift and must outlive the clock.
 * The shift lets a test or a technician's demo run the real binary "on a
 * Monday at 07:59" without touching the system clock. */
struct clock clock_system(int64_t *offset_storage, int64_t start_utc_ms);

/* Both real clocks now, unshifted: for code that never runs on a shifted
 * clock (the dashboard, the sync's own timing and deadlines). */
struct clock_now clock_real(void);

/* The CLOCK_MONOTONIC time ms milliseconds from now, as the absolute time
 * pthread_cond_timedwait() takes on a condition variable set to that clock
 * (pthread_condattr_setclock). */
struct timespec clock_mono_after(int64_t ms);

/* Parses "YYYY-MM-DDTHH:MM[:SS]Z" (UTC) into milliseconds since the epoch.
 * Returns false if the text is not exactly that form. */
bool clock_parse_utc(const char *text, int64_t *out_utc_ms);

/* Formats utc_ms as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
void clock_format_utc(int64_t utc_ms, char *buf, unsigned size);

#endif
