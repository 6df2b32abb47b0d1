/*
 * consistency: how evenly a department serves across its places and
 * times.  The same company often serves very differently from one
 * counter, shift or site to the next; these numbers say where and how
 * much, without letting a handful of taps make a cell look bad.
 *
 * The spread: every weekday x local-hour cell with responses, its index
 * shrunk toward the department's own by CONSISTENCY_SHRINK_K responses
 * (a cell of 3 taps moves little, one of 300 nearly all the way), then the
 * response-weighted standard deviation of those indexes around the
 * department's: in index points, 0 when every hour of every day serves
 * alike.  Shrinking is what keeps small cells from dominating; weighting
 * by responses makes it the spread a customer meets.
 *
 * The weakest places and times: kiosks, sites, weekdays and hours with at
 * least CONSISTENCY_MIN_N responses, below the department's index, the
 * furthest below first; a cell whose 95 % interval lies wholly under the
 * department's index is marked significant (its gap is not chance).
 *
 * Pure functions of counts; no allocation.
 */
#ifndef WOW_CONSISTENCY_H
#define WOW_CONSISTENCY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"
#include "score.h"

#define CONSISTENCY_SHRINK_K 30.0
#define CONSISTENCY_MIN_N    30
#define CONSISTENCY_WEAKEST  6 /* cells listed at most */

/* The spread (index points) of weekhour[7 * 24] (weekday-major, 0 =
 * Monday) around their sum's index; NaN without responses. */
double consistency_spread(const struct dash_counts *weekhour);

enum consistency_kind {
    CONSISTENCY_KIOSK,
    CONSISTENCY_SITE,
    CONSISTENCY_WEEKDAY,
    CONSISTENCY_HOUR
};

/* One place or time. */
struct consistency_cell {
    enum consistency_kind kind;
    char id[DASH_NAME_MAX];   /* a kiosk id, a site; "" for a weekday or an hour */
    char name[DASH_NAME_MAX]; /* a kiosk's label, a site's name; "" */
    int at;                   /* the weekday (0 = Monday) or the hour; -1 */
    struct score score;
    double gap;       /* the department's index minus the cell's, points */
    bool significant; /* its interval lies under the department's index */
};

struct consistency {
    struct score department; /* the department over the period */
    double spread;           /* consistency_spread of its weekday x hour cells */
    struct consistency_cell weakest[CONSISTENCY_WEAKEST];
    size_t weakest_n;
};

/* d's consistency over its period (d->heat, d->kiosks). */
void consistency_of(const struct dash_department *d, struct consistency *out);

#endif
