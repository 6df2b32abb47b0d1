/*
 * act: recognise and act.  For each alert the times its readers are
 * judged by: time to recognise (from the change point the detector
 * estimated to the alert's opening), time to act (from opening to the
 * first acknowledgement, which resolving with a note also is) and time to
 * recover (from opening to the data's recovery, which closes it: judged by
 * the data, never by a click).  act_table() gathers them per department
 * over a list of alerts: how many, and the median of each time over the
 * alerts that have it (with that count, so a median of one is seen as
 * one).  Rises (good news) are counted apart and never enter the times.
 *
 * Pure functions of their arguments.
 */
#ifndef WOW_ACT_H
#define WOW_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "dashview.h"

/* Seconds from from_ms to to_ms; NaN when either is 0 (not yet) or the
 * span is negative (clocks disagreed). */
double act_seconds(int64_t from_ms, int64_t to_ms);

/* One department's alerts over a period (or the whole organisation's). */
struct act_row {
    char department[DASH_ID_MAX]; /* "" in the total */
    char name[DASH_NAME_MAX];
    int64_t alerts;   /* slips and rules (direction down) */
    int64_t open_now; /* of those, not closed */
    int64_t rises;    /* good news, apart */
    int64_t recognise_n, act_n, recover_n;
    double recognise_s, act_s, recover_s; /* medians; NaN when their n is 0 */
};

struct act_table {
    struct act_row *rows; /* owned; by name, then id */
    size_t n;
    struct act_row total; /* every alert of the list */
};

/* Gathers alerts[0..n) (borrowed) into out (emptied first; the caller
 * frees it with act_table_free, also after a failure).  False when out
 * of memory. */
bool act_table_build(const struct dash_alert *alerts, size_t n, struct act_table *out);
void act_table_free(struct act_table *table);

#endif
