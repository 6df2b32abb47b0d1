/*
 * opening: when the fleet opens, from the newest catalog's [hours] and
 * [site ...] sections (docs/CATALOG.md), for what is sent at opening time
 * (the email reports, alerts/mail.c).
 */
#ifndef WOW_OPENING_H
#define WOW_OPENING_H

#include <stdbool.h>
#include <stdint.h>

#include "hours.h"

struct dashdb;
struct tz;

#define OPENING_SITES_MAX 16 /* sections with opening hours read at most */

struct opening {
    struct hours hours[OPENING_SITES_MAX];
    int n; /* 0: no section says when anyone opens */
};

/* The weekday keys of the newest catalog's [hours] and [site] sections
 * into out; none (n = 0) when there is no catalog or it cannot be read. */
void opening_read(struct dashdb *db, struct opening *out);

/* When something due at the start of a period's end (period_end_ms) goes
 * out: at hour:00 that day when hour >= 0; else (hour -1) when the first
 * site opens at or after period_end_ms, or at default_hour:00 when no
 * opening hours are known or a site is open then (always open). */
int64_t opening_due_ms(const struct opening *o, const struct tz *zone, int hour, int default_hour,
                       int64_t period_end_ms);

#endif
