/*
 * act: the recognise-and-act times per department (act.h).
 */
#include "act.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double act_seconds(int64_t from_ms, int64_t to_ms)
{
    if (from_ms <= 0 || to_ms <= 0 || to_ms < from_ms)
        return NAN;
    return (double)(to_ms - from_ms) / 1000.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of values[0..n) (sorted in place); NaN for none. */
static double median(double *values, int64_t n)
{
    if (n <= 0)
        return NAN;
    qsort(values, (size_t)n, sizeof *values, cmp_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

/* The times of the alerts at idx[0..n) into row; scratch holds 3 * n. */
static void fill_row(struct act_row *row, const struct dash_alert *alerts, const size_t *idx,
                     size_t n, double *scratch)
{
    double *rec = scratch, *act = scratch + n, *rev = scratch + 2 * n;
    for (size_t i = 0; i < n; i++) {
        const struct dash_alert *a = &alerts[idx[i]];
        if (a->rise) {
            row->rises++;
            continue;
        }
        row->alerts++;
        row->open_now += a->state != DASH_ALERT_CLOSED;
        double t = act_seconds(a->change_ms, a->opened_ms);
        if (!isnan(t))
            rec[row->recognise_n++] = t;
        if (!isnan(t = act_seconds(a->opened_ms, a->acked_ms)))
            act[row->act_n++] = t;
        if (a->state == DASH_ALERT_CLOSED && !isnan(t = act_seconds(a->opened_ms, a->closed_ms)))
            rev[row->recover_n++] = t;
    }
    row->recognise_s = median(rec, row->recognise_n);
    row->act_s = median(act, row->act_n);
    row->recover_s = median(rev, row->recover_n);
}

/* qsort's context: the alerts the indexes point into (one sort at a time). */
static int cmp_by_department(const void *a, const void *b, void *ctx)
{
    const struct dash_alert *alerts = ctx;
    const struct dash_alert *x = &alerts[*(const size_t *)a], *y = &alerts[*(const size_t *)b];
    int c = strcmp(x->department_name, y->department_name);
    return c ? c : strcmp(x->department, y->department);
}

/* Insertion sort with a context (n is a page of alerts: small), so no
 * global state carries the array to a comparator. */
static void sort_indexes(size_t *idx, size_t n, const struct dash_alert *alerts)
{
    for (size_t i = 1; i < n; i++) {
        size_t v = idx[i], j = i;
        while (j > 0 && cmp_by_department(&idx[j - 1], &v, (void *)alerts) > 0) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = v;
    }
}

bool act_table_build(const struct dash_alert *alerts, size_t n, struct act_table *out)
{
    *out = (struct act_table){0};
    size_t *idx = calloc(n ? n : 1, sizeof *idx);
    double *scratch = malloc((n ? 3 * n : 1) * sizeof *scratch);
    out->rows = calloc(n ? n : 1, sizeof *out->rows);
    if (!idx || !scratch || !out->rows) {
        free(idx);
        free(scratch);
        act_table_free(out);
        return false;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    fill_row(&out->total, alerts, idx, n, scratch);
    sort_indexes(idx, n, alerts);
    for (size_t from = 0; from < n;) {
        size_t to = from + 1;
        while (to < n && !strcmp(alerts[idx[to]].department, alerts[idx[from]].department))
            to++;
        struct act_row *row = &out->rows[out->n++];
        const struct dash_alert *first = &alerts[idx[from]];
        snprintf(row->department, sizeof row->department, "%s", first->department);
        snprintf(row->name, sizeof row->name, "%s",
                 first->department_name[0] ? first->department_name : first->department);
        fill_row(row, alerts, idx + from, to - from, scratch);
        from = to;
    }
    free(idx);
    free(scratch);
    return true;
}

void act_table_free(struct act_table *table)
{
    free(table->rows);
    *table = (struct act_table){0};
}
