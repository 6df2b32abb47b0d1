/*
 * press_filter: tells a considered answer from button-mashing.
 *
 * Two rules, both judged at the moment of the tap and never revised later
 * (the store's counts only ever grow, so a tap cannot be re-flagged):
 *  - response interval: a tap less than min_interval_ms after the previous
 *    tap (flagged or not) is misuse;
 *  - burst: a tap that makes more than burst_count taps inside
 *    burst_window_ms is misuse.
 * Flagged taps are still stored, with misuse set; reports exclude them by
 * default.  No allocation: the window lives in a fixed ring.
 */
#ifndef WOW_PRESS_FILTER_H
#define WOW_PRESS_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#define PRESS_FILTER_RING 64 /* most taps a burst window can remember */

struct press_filter_settings {
    int64_t min_interval_ms; /* default 4000; 0 disables the rule */
    int burst_count;         /* default 6; 0 disables the rule; <= PRESS_FILTER_RING */
    int64_t burst_window_ms; /* default 60000 */
};

struct press_filter {
    struct press_filter_settings settings;
    int64_t last_tap_ms;             /* mono time of the previous tap; INT64_MIN if none */
    int64_t ring[PRESS_FILTER_RING]; /* mono times of recent taps */
    int ring_len, ring_head;
};

/* Sets the default settings. */
void press_filter_defaults(struct press_filter_settings *settings);

/* Starts a filter with no history. */
void press_filter_init(struct press_filter *filter, const struct press_filter_settings *settings);

/* Registers a tap at monotonic time now_ms and returns true if it is misuse.
 * Every tap, flagged or not, enters the history. */
bool press_filter_tap(struct press_filter *filter, int64_t now_ms);

#endif
