/*
 * consistency: the spread and the weakest places and times of a
 * department (consistency.h).
 */
#include "consistency.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double consistency_spread(const struct dash_counts *weekhour)
{
    struct dash_counts sum = {{0}};
    for (int i = 0; i < 7 * 24; i++)
        score_counts_add(&sum, &weekhour[i]);
    struct score all = score_of(&sum);
    if (all.n <= 0)
        return NAN;
    double weighted = 0;
    for (int i = 0; i < 7 * 24; i++) {
        int64_t n = score_counts_total(&weekhour[i]);
        if (n <= 0)
            continue;
        double shrunk = score_shrunk_index(&weekhour[i], all.index, CONSISTENCY_SHRINK_K);
        weighted += (double)n * (shrunk - all.index) * (shrunk - all.index);
    }
    return sqrt(weighted / (double)all.n);
}

/* Keeps cell among out's weakest when it qualifies: enough responses and
 * below the department, ordered by the gap, the widest first. */
static void consider(struct consistency *out, struct consistency_cell cell)
{
    if (cell.score.n < CONSISTENCY_MIN_N || !isfinite(cell.score.index) ||
        !(cell.score.index < out->department.index))
        return;
    cell.gap = out->department.index - cell.score.index;
    cell.significant = cell.score.index_hi < out->department.index;
    size_t at = out->weakest_n;
    while (at > 0 && out->weakest[at - 1].gap < cell.gap)
        at--;
    if (at >= CONSISTENCY_WEAKEST)
        return;
    size_t keep = out->weakest_n < CONSISTENCY_WEAKEST ? out->weakest_n : CONSISTENCY_WEAKEST - 1;
    memmove(&out->weakest[at + 1], &out->weakest[at], (keep - at) * sizeof out->weakest[0]);
    out->weakest[at] = cell;
    if (out->weakest_n < CONSISTENCY_WEAKEST)
        out->weakest_n++;
}

static void places(const struct dash_department *d, struct consistency *out)
{
    for (size_t i = 0; i < d->kiosks_n; i++) {
        const struct dash_kiosk_row *k = &d->kiosks[i];
        struct consistency_cell c = {.kind = CONSISTENCY_KIOSK, .at = -1, .score = score_of(&k->c)};
        snprintf(c.id, sizeof c.id, "%s", k->kiosk_id);
        snprintf(c.name, sizeof c.name, "%s", k->label);
        consider(out, c);
    }
    /* sites: their kiosks summed, each site once */
    for (size_t i = 0; i < d->kiosks_n; i++) {
        const char *site = d->kiosks[i].site;
        bool seen = !site[0];
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(d->kiosks[j].site, site);
        if (seen)
            continue;
        struct dash_counts sum = {{0}};
        for (size_t j = i; j < d->kiosks_n; j++)
            if (!strcmp(d->kiosks[j].site, site))
                score_counts_add(&sum, &d->kiosks[j].c);
        struct consistency_cell c = {.kind = CONSISTENCY_SITE, .at = -1, .score = score_of(&sum)};
        snprintf(c.id, sizeof c.id, "%s", site);
        snprintf(c.name, sizeof c.name, "%s",
                 d->kiosks[i].site_name[0] ? d->kiosks[i].site_name : site);
        consider(out, c);
    }
}

static void times(const struct dash_department *d, struct consistency *out)
{
    for (int w = 0; w < 7; w++) {
        struct dash_counts sum = {{0}};
        for (int h = 0; h < 24; h++)
            score_counts_add(&sum, &d->heat[w][h]);
        consider(out, (struct consistency_cell){
                          .kind = CONSISTENCY_WEEKDAY, .at = w, .score = score_of(&sum)});
    }
    for (int h = 0; h < 24; h++) {
        struct dash_counts sum = {{0}};
        for (int w = 0; w < 7; w++)
            score_counts_add(&sum, &d->heat[w][h]);
        consider(out, (struct consistency_cell){
                          .kind = CONSISTENCY_HOUR, .at = h, .score = score_of(&sum)});
    }
}

void consistency_of(const struct dash_department *d, struct consistency *out)
{
    *out = (struct consistency){.department = score_of(&d->total)};
    out->spread = consistency_spread(&d->heat[0][0]);
    if (out->department.n <= 0)
        return;
    places(d, out);
    times(d, out);
}
