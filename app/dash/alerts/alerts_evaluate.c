/*
 * alerts_evaluate: the background evaluation (alerts.h): the slip detector
 * and the rules into alerts, opening and closing them, then the webhook
 * (alerts_deliver.c).  A user's alerts are alerts.c.
 *
 * An evaluation has three steps, so no lock is held while counts are read
 * or while a webhook answers:
 *   1. read the enabled rules, then every department's hourly series
 *      (one grouped query, ordered by department, so each department's
 *      series is built, judged and dropped before the next one: memory
 *      stays one series whatever the fleet), into verdicts: each source
 *      that fires, and each slip statistic still between "alarm" and
 *      "recovered" (hold);
 *   2. one transaction: every open or acknowledged alert without a
 *      verdict closes; every firing verdict without an alert opens one
 *      (alert_id = max + 1, read inside the transaction);
 *   3. the webhook, for every alert still undelivered.
 *
 * Out of memory: a failed allocation fails the evaluation (or the query)
 * with "out of memory" in err; nothing is half written (step 2 rolls back).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "alerts_private.h"
#include "alerts_rules.h"
#include "dashdb.h"
#include "log.h"
#include "score.h"
#include "slip.h"
#include "slip_index.h"
#include "tz.h"

#define MS_PER_HOUR  3600000LL
#define SERIES_HOURS (ALERTS_HISTORY_DAYS * 24 + 1) /* ages 0 .. days * 24 */

void alerts_report_free(struct alerts_report *report)
{
    free(report->events);
    *report = (struct alerts_report){0};
}

/* ---- step 1: rules and series into verdicts ---------------------------- */

struct verdict {
    char source[DASH_ID_MAX];
    char kind[32];
    char department[DASH_ID_MAX];
    bool firing;       /* false: hold (an open alert stays, none opens) */
    bool has_open;     /* step 2: an open alert matched it */
    bool rise;         /* good news: the index rose (source "rise") */
    int64_t change_ms; /* the detectors: the hour the change most likely began; 0: none */
    double value, baseline;
    int64_t responses;
    char detail[256];
};

/* A zone the rows name, and the local hour in progress there. */
struct zone {
    char name[DASH_NAME_MAX];
    int64_t now_hour;  /* local days since 1970 * 24 + local hour */
    int64_t responses; /* the department being read counted there */
};

struct evaluation {
    int64_t now_ms;
    struct slip_index_params slip;
    struct alerts_rule *rules;
    size_t rules_n;
    struct zone *zones;
    size_t zones_n, zones_cap;
    char department[DASH_ID_MAX]; /* whose series is being read */
    bool reading;
    struct dash_counts *hours; /* [SERIES_HOURS], by age */
    struct verdict *verdicts;
    size_t verdicts_n, verdicts_cap;
    int64_t departments;
};

static int64_t utc_hour(int64_t ms)
{
    return ms >= 0 ? ms / MS_PER_HOUR : -((-ms + MS_PER_HOUR - 1) / MS_PER_HOUR);
}

/* The zone named name (NULL: UTC), loaded on first sight.  A zone that
 * does not load counts as UTC, with one warning per evaluation. */
static struct zone *zone_find(struct evaluation *ev, const char *name)
{
    name = name && *name ? name : "UTC";
    for (size_t i = 0; i < ev->zones_n; i++)
        if (!strcmp(ev->zones[i].name, name))
            return &ev->zones[i];
    if (!dash_grow((void **)&ev->zones, ev->zones_n, &ev->zones_cap, sizeof *ev->zones))
        return NULL;
    struct zone *z = &ev->zones[ev->zones_n++];
    alerts_copy_text(z->name, sizeof z->name, name);
    z->now_hour = utc_hour(ev->now_ms);
    char err[256];
    struct tz *tz = tz_load(name, NULL, err, sizeof err);
    if (!tz) {
        log_warn("alerts: time zone %s of some kiosks does not load (%s); their hours are "
                 "taken as UTC",
                 name, err);
        return z;
    }
    struct tz_local local = tz_to_local(tz, ev->now_ms);
    z->now_hour = (int64_t)dash_day_from_date(local.year, local.month, local.day) * 24 + local.hour;
    tz_destroy(tz);
    return z;
}

/* The sum of the hours aged from..to (both included, cut to the series). */
static struct dash_counts window_sum(const struct dash_counts *hours, int64_t from, int64_t to)
{
    struct dash_counts sum = {{0}};
    if (from < 1)
        from = 1;
    if (to > SERIES_HOURS - 1)
        to = SERIES_HOURS - 1;
    for (int64_t age = from; age <= to; age++)
        score_counts_add(&sum, &hours[age]);
    return sum;
}

static int64_t negative_of(const struct dash_counts *c)
{
    return c->n[0] + c->n[1];
}

static struct verdict *verdict_add(struct evaluation *ev, const char *source, const char *kind)
{
    if (!dash_grow((void **)&ev->verdicts, ev->verdicts_n, &ev->verdicts_cap, sizeof *ev->verdicts))
        return NULL;
    struct verdict *v = &ev->verdicts[ev->verdicts_n++];
    *v = (struct verdict){.baseline = NAN};
    alerts_copy_text(v->source, sizeof v->source, source);
    alerts_copy_text(v->kind, sizeof v->kind, kind);
    alerts_copy_text(v->department, sizeof v->department, ev->department);
    return v;
}

/* "the last 7 days", "the last 48 hours" */
static void window_text(int64_t hours, char *buf, size_t size)
{
    if (hours == 24)
        snprintf(buf, size, "the last 24 hours");
    else if (hours % 24 == 0)
        snprintf(buf, size, "the last %" PRId64 " days", hours / 24);
    else
        snprintf(buf, size, "the last %" PRId64 " hour%s", hours, hours == 1 ? "" : "s");
}

/* value as a whole number, or with one decimal when rounding would make
 * it look equal to the threshold it is compared with ("25.1 % ... above
 * the 25 % threshold", not "25 % ... above the 25 % threshold"). */
static void number_text(double value, double threshold, char *buf, size_t size)
{
    bool close = fabs(round(value) - threshold) < 0.5;
    snprintf(buf, size, close ? "%.1f" : "%.0f", value);
}

static const char *const face_names[4] = {"very unhappy", "unhappy", "happy", "WOW"};

enum judgement { RECOVERED, HOLDING, FIRING };

/* Rule r on the department's window: fires, holds (neither fires nor has
 * recovered: too few responses to tell) or has recovered (slip.h's
 * predicates); fills value, n and the sentence a department head reads. */
static enum judgement judge_rule(const struct alerts_rule *r, const struct dash_counts *hours,
                                 struct verdict *out)
{
    struct dash_counts sum = window_sum(hours, 1, r->window_hours);
    int64_t n = score_counts_total(&sum), min_n = r->min_responses;
    char window[48];
    window_text(r->window_hours, window, sizeof window);
    out->responses = n;
    bool fires = false, recovered = true;
    if (!strcmp(r->kind, "negative_share")) {
        out->value = n > 0 ? (double)negative_of(&sum) / (double)n : NAN;
        char share[16];
        number_text(out->value * 100.0, r->threshold * 100.0, share, sizeof share);
        snprintf(out->detail, sizeof out->detail,
                 "Negative answers %s %% over %s (%" PRId64
                 " responses), above the %.3g %% threshold",
                 share, window, n, r->threshold * 100.0);
        fires = threshold_negative_share(negative_of(&sum), n, r->threshold, min_n);
        recovered = threshold_negative_share_recovered(negative_of(&sum), n, r->threshold, min_n);
    } else if (!strcmp(r->kind, "index_below") || !strcmp(r->kind, "index_above")) {
        bool below = !strcmp(r->kind, "index_below");
        out->value = score_of(&sum).index;
        char index[16];
        number_text(out->value, r->threshold, index, sizeof index);
        snprintf(out->detail, sizeof out->detail,
                 "Index %s (0-100) over %s (%" PRId64 " responses), %s the %.3g threshold", index,
                 window, n, below ? "below" : "above", r->threshold);
        fires = below ? threshold_index_below(&sum, r->threshold, min_n)
                      : threshold_index_above(&sum, r->threshold, min_n);
        recovered = below ? threshold_index_below_recovered(&sum, r->threshold, min_n)
                          : threshold_index_above_recovered(&sum, r->threshold, min_n);
    } else if (!strcmp(r->kind, "answer_count") && r->rating >= 1 && r->rating <= 4) {
        int64_t k = sum.n[r->rating - 1];
        out->value = (double)k;
        snprintf(out->detail, sizeof out->detail,
                 "%" PRId64 " \"%s\" answers over %s (%" PRId64
                 " responses), at or above the threshold of %.3g",
                 k, face_names[r->rating - 1], window, n, r->threshold);
        /* slip.h's count rule has no minimum; the rule's is kept here */
        fires = n >= min_n && threshold_answer_count(&sum, r->rating, r->threshold);
        recovered = threshold_answer_count_recovered(&sum, r->rating, r->threshold);
    }
    return fires ? FIRING : recovered ? RECOVERED : HOLDING;
}

/* The zone holding most of the department's responses: its "today" and
 * local midnight place the slip detector's days (slip_days_for). */
static const struct zone *main_zone(const struct evaluation *ev)
{
    const struct zone *best = NULL;
    for (size_t i = 0; i < ev->zones_n; i++)
        if (!best || ev->zones[i].responses > best->responses)
            best = &ev->zones[i];
    return best;
}

/* The index CUSUM over the department's series (slip_index.h), for a
 * slip or (rise) its mirror: the baseline days ending gap_days before the
 * window, the statistic over the window's hours up to the last complete
 * one.  The values shown are negative shares (the baseline's, and the one
 * since the statistic last stood at 0) with the indexes in the detail.
 * That hour, where the statistic last left 0, is the detector's own
 * estimate of when the change began: the change point (change_ms, an
 * hour's start in UTC; across a daylight-saving change it may be an hour
 * off). */
static bool judge_cusum(struct evaluation *ev, bool rise)
{
    const struct slip_index_params *p = &ev->slip;
    const struct zone *z = main_zone(ev);
    if (!z)
        return true;
    int64_t now = z->now_hour;
    int32_t today = (int32_t)((now - (now % 24 + 24) % 24) / 24);
    int64_t window_from = (int64_t)today - (p->window_days - 1);
    int64_t baseline_to = window_from - p->gap_days;
    /* hour index t = day * 24 + hour has age now - t */
    struct dash_counts base = window_sum(ev->hours, now - baseline_to * 24 + 1,
                                         now - (baseline_to - p->baseline_days) * 24);
    struct slip_index_state st;
    bool judged = rise ? slip_index_start_rise(&st, p, &base) : slip_index_start(&st, p, &base);
    bool alarm = false;
    struct dash_counts run = {{0}};
    int64_t run_hours = 0, run_start_age = 0;
    int64_t first = now - window_from * 24;
    for (int64_t age = first < SERIES_HOURS ? first : SERIES_HOURS - 1; judged && age >= 1; age--) {
        alarm = slip_index_step(&st, &ev->hours[age]);
        if (slip_index_recovered(&st)) {
            run = (struct dash_counts){{0}};
            run_hours = 0;
        } else {
            if (run_hours == 0)
                run_start_age = age;
            score_counts_add(&run, &ev->hours[age]);
            run_hours++;
        }
    }
    /* not judged (too little history): an open alert stays as it is */
    if (judged && !alarm && slip_index_recovered(&st))
        return true;
    struct verdict *v = verdict_add(ev, rise ? "rise" : "slip", rise ? "rise" : "slip");
    if (!v)
        return false;
    int64_t base_n = score_counts_total(&base), run_n = score_counts_total(&run);
    v->firing = judged && alarm;
    v->rise = rise;
    v->change_ms = run_hours > 0 ? (utc_hour(ev->now_ms) - run_start_age) * MS_PER_HOUR : 0;
    v->baseline = base_n > 0 ? (double)negative_of(&base) / (double)base_n : NAN;
    v->responses = run_n;
    v->value = run_n > 0 ? (double)negative_of(&run) / (double)run_n : NAN;
    char since[48];
    window_text(run_hours, since, sizeof since);
    struct score now_score = score_of(&run), base_score = score_of(&base);
    snprintf(v->detail, sizeof v->detail,
             rise ? "Good news: the index rose to %.0f over %s (%" PRId64
                    " responses), against this department's usual %.0f; negative answers %.0f %% "
                    "against %.0f %%"
                  : "Negative answers rose to %.0f %% over %s (%" PRId64
                    " responses), against this department's usual %.0f %%; index %.0f against %.0f",
             rise ? now_score.index : v->value * 100.0, since, run_n,
             rise ? base_score.index : v->baseline * 100.0,
             rise ? v->value * 100.0 : now_score.index,
             rise ? v->baseline * 100.0 : base_score.index);
    return true;
}

/* Every source on the series just read; false when out of memory. */
static bool judge_department(struct evaluation *ev)
{
    ev->departments++;
    if (!judge_cusum(ev, false) || !judge_cusum(ev, true))
        return false;
    for (size_t i = 0; i < ev->rules_n; i++) {
        const struct alerts_rule *r = &ev->rules[i];
        if (*r->department && strcmp(r->department, ev->department) != 0)
            continue;
        struct verdict probe = {.baseline = NAN};
        enum judgement j = judge_rule(r, ev->hours, &probe);
        if (j == RECOVERED)
            continue;
        struct verdict *v = verdict_add(ev, r->id, r->kind);
        if (!v)
            return false;
        v->firing = j == FIRING;
        v->value = probe.value;
        v->responses = probe.responses;
        memcpy(v->detail, probe.detail, sizeof v->detail);
    }
    return true;
}

/* One row of the grouped series query: department, day, hour, zone,
 * rating_1..rating_4. */
static bool read_hour(void *ctx, int ncols, const char *const *v)
{
    struct evaluation *ev = ctx;
    if (ncols < 8 || !v[0])
        return false;
    if (!ev->reading || strcmp(v[0], ev->department) != 0) {
        if (ev->reading && !judge_department(ev))
            return false;
        alerts_copy_text(ev->department, sizeof ev->department, v[0]);
        memset(ev->hours, 0, SERIES_HOURS * sizeof *ev->hours);
        for (size_t i = 0; i < ev->zones_n; i++)
            ev->zones[i].responses = 0;
        ev->reading = true;
    }
    struct zone *z = zone_find(ev, v[3]);
    if (!z)
        return false;
    int64_t age = z->now_hour - (alerts_to_int(v[1]) * 24 + alerts_to_int(v[2]));
    if (age < 1 || age >= SERIES_HOURS)
        return true; /* the hour in progress, or too old */
    struct dash_counts row = {
        {alerts_to_int(v[4]), alerts_to_int(v[5]), alerts_to_int(v[6]), alerts_to_int(v[7])}};
    score_counts_add(&ev->hours[age], &row);
    z->responses += score_counts_total(&row);
    return true;
}

/* Misuse is left out: the rollup's rating_N columns hold only the taps
 * the press filter passed. */
static const char series_sql[] =
    "SELECT h.department, h.day, h.hour, k.timezone, SUM(h.rating_1), SUM(h.rating_2),"
    " SUM(h.rating_3), SUM(h.rating_4)"
    " FROM dash_hour h LEFT JOIN kiosks k ON k.kiosk_id = h.kiosk_id"
    " WHERE h.day >= $1"
    " GROUP BY h.department, h.day, h.hour, k.timezone"
    " ORDER BY h.department";

static bool judge_all(struct dashdb *db, struct evaluation *ev, char *err, size_t size)
{
    if (!alerts_rules_enabled(db, &ev->rules, &ev->rules_n, err, size))
        return false;
    ev->hours = malloc(SERIES_HOURS * sizeof *ev->hours);
    if (!ev->hours) {
        snprintf(err, size, "out of memory");
        return false;
    }
    /* a day earlier than any zone's: the ages cut the rest */
    int64_t first_day = utc_hour(ev->now_ms) / 24 - ALERTS_HISTORY_DAYS - 2;
    struct dashdb_value from = DASHDB_INT(first_day);
    if (!dashdb_exec(db, series_sql, &from, 1, read_hour, ev, NULL, err, size))
        return false;
    if (ev->reading && !judge_department(ev)) {
        snprintf(err, size, "out of memory");
        return false;
    }
    return true;
}

/* ---- step 2: open and close -------------------------------------------- */

static int verdict_cmp(const void *a, const void *b)
{
    const struct verdict *x = a, *y = b;
    int c = strcmp(x->source, y->source);
    return c ? c : strcmp(x->department, y->department);
}

struct open_alert {
    int64_t id;
    char source[DASH_ID_MAX];
    char department[DASH_ID_MAX];
    char detail[256];
};

struct open_alerts {
    struct open_alert *items;
    size_t n, cap;
};

static bool read_open(void *ctx, int ncols, const char *const *v)
{
    struct open_alerts *list = ctx;
    if (ncols < 4 || !dash_grow((void **)&list->items, list->n, &list->cap, sizeof *list->items))
        return false;
    struct open_alert *a = &list->items[list->n++];
    a->id = alerts_to_int(v[0]);
    alerts_copy_text(a->source, sizeof a->source, v[1]);
    alerts_copy_text(a->department, sizeof a->department, v[2]);
    alerts_copy_text(a->detail, sizeof a->detail, v[3]);
    return true;
}

static bool report_add(struct alerts_report *report, bool opened, int64_t id, const char *source,
                       const char *department, const char *detail)
{
    size_t cap = report->n; /* the report grows one by one: alerts are few */
    void *items = report->events;
    if (!dash_grow(&items, report->n, &cap, sizeof *report->events))
        return false;
    report->events = items;
    struct alerts_event *e = &report->events[report->n++];
    e->opened = opened;
    e->id = id;
    alerts_copy_text(e->source, sizeof e->source, source);
    alerts_copy_text(e->department, sizeof e->department, department);
    alerts_copy_text(e->detail, sizeof e->detail, detail);
    return true;
}

static bool close_recovered(struct dashdb *db, struct evaluation *ev,
                            const struct open_alerts *open, struct alerts_report *report, char *err,
                            size_t size)
{
    for (size_t i = 0; i < open->n; i++) {
        const struct open_alert *a = &open->items[i];
        struct verdict key;
        memset(&key, 0, sizeof key);
        alerts_copy_text(key.source, sizeof key.source, a->source);
        alerts_copy_text(key.department, sizeof key.department, a->department);
        struct verdict *v = ev->verdicts_n ? bsearch(&key, ev->verdicts, ev->verdicts_n,
                                                     sizeof *ev->verdicts, verdict_cmp)
                                           : NULL;
        if (v) {
            v->has_open = true;
            continue;
        }
        struct dashdb_value p[2] = {DASHDB_INT(ev->now_ms), DASHDB_INT(a->id)};
        if (!dashdb_exec(db,
                         "UPDATE dash_alerts SET state = 'closed', closed_ms = $1"
                         " WHERE alert_id = $2",
                         p, 2, NULL, NULL, NULL, err, size))
            return false;
        if (!report_add(report, false, a->id, a->source, a->department, a->detail)) {
            snprintf(err, size, "out of memory");
            return false;
        }
    }
    return true;
}

static bool open_firing(struct dashdb *db, struct evaluation *ev, struct alerts_report *report,
                        char *err, size_t size)
{
    int64_t last_id = 0;
    if (!dashdb_exec(db, "SELECT COALESCE(MAX(alert_id), 0) FROM dash_alerts", NULL, 0,
                     alerts_read_int, &last_id, NULL, err, size))
        return false;
    for (size_t i = 0; i < ev->verdicts_n; i++) {
        const struct verdict *v = &ev->verdicts[i];
        if (!v->firing || v->has_open)
            continue;
        int64_t id = ++last_id;
        struct dashdb_value p[11] = {
            DASHDB_INT(id),
            DASHDB_TEXT(v->source),
            DASHDB_TEXT(v->kind),
            DASHDB_TEXT(v->department),
            DASHDB_INT(ev->now_ms),
            DASHDB_REAL(isfinite(v->value) ? v->value : 0.0),
            DASHDB_INT(v->responses),
            isfinite(v->baseline) ? DASHDB_REAL(v->baseline) : (struct dashdb_value){0},
            DASHDB_TEXT(v->detail),
            v->change_ms > 0 ? DASHDB_INT(v->change_ms) : (struct dashdb_value){0},
            DASHDB_TEXT(v->rise ? "up" : "down"),
        };
        if (!dashdb_exec(db,
                         "INSERT INTO dash_alerts (alert_id, source, kind, department, state,"
                         " opened_ms, value, responses, baseline, detail, change_ms, direction)"
                         " VALUES ($1, $2, $3, $4, 'open', $5, $6, $7, $8, $9, $10, $11)",
                         p, 11, NULL, NULL, NULL, err, size))
            return false;
        if (!report_add(report, true, id, v->source, v->department, v->detail)) {
            snprintf(err, size, "out of memory");
            return false;
        }
    }
    return true;
}

static bool apply_verdicts(struct dashdb *db, struct evaluation *ev, struct alerts_report *report,
                           char *err, size_t size)
{
    if (ev->verdicts_n > 0) /* qsort and bsearch take no NULL, even for 0 items */
        qsort(ev->verdicts, ev->verdicts_n, sizeof *ev->verdicts, verdict_cmp);
    /* SQLite: take the write lock now, not at the first write (a reader
     * that must become a writer can fail with "database is locked") */
    if (!dashdb_exec(db, dashdb_is_postgres(db) ? "BEGIN" : "BEGIN IMMEDIATE", NULL, 0, NULL, NULL,
                     NULL, err, size))
        return false;
    struct open_alerts open = {0};
    bool ok = dashdb_exec(db,
                          "SELECT alert_id, source, department, detail FROM dash_alerts"
                          " WHERE state <> 'closed' ORDER BY alert_id",
                          NULL, 0, read_open, &open, NULL, err, size) &&
              close_recovered(db, ev, &open, report, err, size) &&
              open_firing(db, ev, report, err, size) &&
              dashdb_exec(db, "COMMIT", NULL, 0, NULL, NULL, NULL, err, size);
    free(open.items);
    if (!ok) {
        char ignored[64];
        dashdb_exec(db, "ROLLBACK", NULL, 0, NULL, NULL, NULL, ignored, sizeof ignored);
        /* what opened and closed did not happen after all */
        alerts_report_free(report);
    }
    return ok;
}

bool alerts_evaluate(struct dashdb *db, const struct alerts_settings *settings, int64_t now_ms,
                     struct alerts_report *report, char *err, size_t size)
{
    alerts_report_free(report);
    struct evaluation ev = {.now_ms = now_ms, .slip = slip_index_params_default()};
    bool ok = judge_all(db, &ev, err, size);
    report->departments = ev.departments;
    report->rules = (int64_t)ev.rules_n;
    ok = ok && apply_verdicts(db, &ev, report, err, size);
    free(ev.rules);
    free(ev.zones);
    free(ev.hours);
    free(ev.verdicts);
    if (ok && settings && settings->webhook_url && *settings->webhook_url)
        ok = alerts_deliver_pending(db, settings->webhook_url, now_ms, report, err, size);
    return ok;
}
