/*
 * report: a team's evaluation report's numbers (report.h).
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t report_league_rank(const struct dash_league *league, double prior, double shrunk, size_t *of)
{
    size_t rank = 1;
    *of = 0;
    for (size_t i = 0; i < league->all_n; i++) {
        struct score s = score_of(&league->all_now[i]);
        if (s.n <= 0)
            continue;
        ++*of;
        if (score_shrunk_index(&league->all_now[i], prior, SCORE_SHRINK_K) > shrunk + 1e-9)
            rank++;
    }
    return rank;
}

/* The period's weeks, Monday to Sunday, the first and last cut at its
 * ends, with d's trend summed into them (hourly steps by their day). */
static bool weeks_of(const struct dash_department *d, int32_t from_day, int32_t to_day,
                     struct report *out)
{
    size_t cap = to_day > from_day ? (size_t)(to_day - from_day) / 7 + 2 : 1;
    out->weeks = calloc(cap, sizeof *out->weeks);
    if (!out->weeks)
        return false;
    for (int32_t day = from_day; day < to_day;) {
        int32_t end = day + (7 - dash_weekday(day)); /* the next Monday */
        end = end < to_day ? end : to_day;
        out->weeks[out->weeks_n++] = (struct report_week){day, end, {{0}}};
        day = end;
    }
    for (size_t i = 0; i < d->trend_n; i++) {
        const struct dash_point *p = &d->trend[i];
        for (size_t w = 0; w < out->weeks_n; w++)
            if (p->day >= out->weeks[w].from_day && p->day < out->weeks[w].to_day) {
                score_counts_add(&out->weeks[w].counts, &p->c);
                break;
            }
    }
    return true;
}

bool report_build(const struct dash_department *d, const struct dash_league *league,
                  int32_t from_day, int32_t to_day, struct report *out)
{
    *out = (struct report){.from_day = from_day, .to_day = to_day};
    out->now = score_of(&d->total);
    out->prev = score_of(&d->prev);
    out->changed = out->now.n > 0 && out->prev.n > 0 && score_changed(&out->now, &out->prev);
    out->org = score_of(&league->org_now);
    out->org_prev = score_of(&league->org_prev);
    out->group = score_of(&(struct dash_counts){{0}});
    for (size_t i = 0; d->group[0] && i < league->n; i++)
        if (league->rows[i].is_group && !strcmp(league->rows[i].id, d->group))
            out->group = score_of(&league->rows[i].now);
    if (out->now.n > 0 && out->org.n > 0) {
        double shrunk = score_shrunk_index(&d->total, out->org.index, SCORE_SHRINK_K);
        out->rank = report_league_rank(league, out->org.index, shrunk, &out->of);
    }
    return weeks_of(d, from_day, to_day, out);
}

void report_free(struct report *report)
{
    free(report->weeks);
    *report = (struct report){0};
}
