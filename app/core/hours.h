/*
 * hours: opening hours per weekday, in the site's local time.
 *
 * Up to HOURS_MAX_RANGES ranges a day, minutes since local midnight,
 * end exclusive; "00:00-24:00" is the whole day.  A range may not cross
 * midnight (write it as two days).  Evaluated on local wall time from tz,
 * so a kiosk open 08:00-17:00 opens at 08:00 local on both sides of a DST
 * change.
 */
#ifndef WOW_HOURS_H
#define WOW_HOURS_H

#include <stdbool.h>
#include <stdint.h>

#define HOURS_MAX_RANGES 4

struct tz;

struct hours_range {
    int16_t start_min, end_min; /* 0..1440, start < end */
};

struct hours {
    bool always_open; /* default true: no [hours] section */
    int count[7];     /* ranges per weekday, 0 = Monday .. 6 = Sunday */
    struct hours_range range[7][HOURS_MAX_RANGES];
};

/* Parses one day's value: "08:00-17:00", "08:00-12:00, 13:00-17:00" or
 * "closed".  Returns false with what was expected in err. */
bool hours_parse_day(struct hours *hours, int weekday, const char *text, char *err,
                     unsigned err_size);

/* Is the site open at utc_ms?  When next_change_utc_ms is not NULL it
 * receives the next moment the answer changes (at most 8 days ahead;
 * INT64_MAX if it never does), so the main loop can sleep until then. */
bool hours_is_open(const struct hours *hours, const struct tz *tz, int64_t utc_ms,
                   int64_t *next_change_utc_ms);

#endif
