/*
 * report: a team's evaluation report for a period (a month, a quarter, a
 * year), the numbers to put beside a performance review: its index,
 * satisfaction and WOW rate with their 95 % intervals, the period before,
 * the organisation and the team's group over the same days, its rank
 * among every department, the index week by week, and its alerts.  One
 * struct for the page (render/page_report.c) and the API (api_report), so
 * the printed report and /api/v1/report cannot disagree.
 *
 * Sums and ranks only from the league: a head's report names no other
 * department (the organisation and the group are counted whole).
 */
#ifndef WOW_REPORT_H
#define WOW_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dashview.h"
#include "score.h"

/* A week of the period (Monday to Sunday, cut at the period's ends). */
struct report_week {
    int32_t from_day, to_day; /* [from_day, to_day) */
    struct dash_counts counts;
};

struct report {
    int32_t from_day, to_day;   /* the period, [from_day, to_day) */
    struct score now, prev;     /* the team; prev over as many days just before */
    bool changed;               /* score_changed(now, prev): the intervals do not overlap */
    struct score org, org_prev; /* every department together */
    struct score group;         /* the team's group together; n = 0: it has none */
    size_t rank, of;            /* by the shrunk index among departments with responses */
    struct report_week *weeks;  /* owned */
    size_t weeks_n;
};

/* Builds out for department d (its period's counts and trend, from
 * dashq_department) against league (the same filter's league: its
 * organisation sums, the group rows, every department's counts).
 * False when out of memory.  Free with report_free(). */
bool report_build(const struct dash_department *d, const struct dash_league *league,
                  int32_t from_day, int32_t to_day, struct report *out);

void report_free(struct report *report);

/* The rank of a department whose shrunk index is shrunk (toward prior, by
 * SCORE_SHRINK_K) among league's departments with responses, 1 the best;
 * *of how many have responses. */
size_t report_league_rank(const struct dash_league *league, double prior, double shrunk,
                          size_t *of);

#endif
