/*
 * press_filter: flags button-mashing at the moment of the tap.
 *
 * The burst window lives in a fixed ring of the most recent tap times, so a
 * tap costs at most PRESS_FILTER_RING comparisons and nothing is allocated.
 */
#include "press_filter.h"

void press_filter_defaults(struct press_filter_settings *settings)
{
    settings->min_interval_ms = 4000;
    settings->burst_count = 6;
    settings->burst_window_ms = 60000;
}

void press_filter_init(struct press_filter *filter, const struct press_filter_settings *settings)
{
    filter->settings = *settings;
    /* A burst larger than the ring could not be counted; clamp rather than overflow. */
    if (filter->settings.burst_count > PRESS_FILTER_RING)
        filter->settings.burst_count = PRESS_FILTER_RING;
    if (filter->settings.burst_count < 0)
        filter->settings.burst_count = 0;
    filter->last_tap_ms = INT64_MIN;
    filter->ring_len = 0;
    filter->ring_head = 0;
}

/* How many remembered taps lie inside the window ending at now_ms. */
static int taps_in_window(const struct press_filter *filter, int64_t now_ms)
{
    int n = 0;
    for (int i = 0; i < filter->ring_len; i++) {
        int64_t t = filter->ring[i];
        if (t <= now_ms && now_ms - t < filter->settings.burst_window_ms)
            n++;
    }
    return n;
}

bool press_filter_tap(struct press_filter *filter, int64_t now_ms)
{
    const struct press_filter_settings *s = &filter->settings;
    bool misuse = false;

    if (s->min_interval_ms > 0 && filter->last_tap_ms != INT64_MIN &&
        now_ms - filter->last_tap_ms < s->min_interval_ms)
        misuse = true;
    /* The tap itself counts towards the burst. */
    if (s->burst_count > 0 && taps_in_window(filter, now_ms) + 1 > s->burst_count)
        misuse = true;

    filter->last_tap_ms = now_ms;
    filter->ring[filter->ring_head] = now_ms;
    filter->ring_head = (filter->ring_head + 1) % PRESS_FILTER_RING;
    if (filter->ring_len < PRESS_FILTER_RING)
        filter->ring_len++;
    return misuse;
}
