/* mail: email reports queued when due and sent (see mail.h). */
#include "mail.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "auth.h"
#include "catalog_db.h"
#include "dashdb.h"
#include "dashq.h"
#include "log.h"
#include "mail_db.h"
#include "opening.h"
#include "score.h"
#include "strbuf.h"
#include "tz.h"

/* ---- days in the dashboard's zone -------------------------------------- */

static int32_t local_today(const struct tz *zone, int64_t now_ms)
{
    if (!zone)
        return (int32_t)(now_ms >= 0 ? now_ms / 86400000 : (now_ms - 86399999) / 86400000);
    struct tz_local t = tz_to_local(zone, now_ms);
    return dash_day_from_date(t.year, t.month, t.day);
}

static int64_t mail_day_start(const struct tz *zone, int32_t day)
{
    int64_t guess = (int64_t)day * 86400000;
    if (!zone)
        return guess;
    struct tz_local t = tz_to_local(zone, guess + 43200000); /* noon: no change then */
    return guess - (int64_t)t.utc_offset_s * 1000;
}

/* The year, month and day of a day number. */
static void ymd(int32_t day, int *y, int *m, int *d)
{
    char iso[16];
    dash_day_format(day, iso, sizeof iso); /* YYYY-MM-DD */
    *y = (int)strtol(iso, NULL, 10);
    *m = (int)strtol(iso + 5, NULL, 10);
    *d = (int)strtol(iso + 8, NULL, 10);
}

/* "Fri 4 Dec 2026" */
static void day_words(int32_t day, char *buf, size_t size)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const char *const weekdays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    int y, m, d;
    ymd(day, &y, &m, &d);
    snprintf(buf, size, "%s %d %s %d", weekdays[dash_weekday(day)], d,
             months[m >= 1 && m <= 12 ? m - 1 : 0], y);
}

/* The newest finished period of kind before today: [from, to). */
static void last_period(enum mail_kind kind, int32_t today, int32_t *from, int32_t *to)
{
    if (kind == MAIL_DAILY) {
        *from = today - 1, *to = today;
    } else if (kind == MAIL_WEEKLY) {
        *to = today - dash_weekday(today); /* this Monday */
        *from = *to - 7;
    } else {
        int y, m, d;
        ymd(today, &y, &m, &d);
        *to = dash_day_from_date(y, m, 1);
        *from = dash_day_from_date(m == 1 ? y - 1 : y, m == 1 ? 12 : m - 1, 1);
    }
}

/* ---- composing --------------------------------------------------------- */

static void put(struct strbuf *out, const char *text)
{
    strbuf_puts(out, text);
}

/* 12345 -> "12,345" */
static void put_count(struct strbuf *out, int64_t n)
{
    char digits[32], grouped[48];
    snprintf(digits, sizeof digits, "%" PRId64, n < 0 ? 0 : n);
    size_t len = strlen(digits), o = 0;
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            grouped[o++] = ',';
        grouped[o++] = digits[i];
    }
    grouped[o] = '\0';
    put(out, grouped);
}

/* "Alpha ward: index 77.0 · CSAT 84.9 % · WOW 50.0 % · 1,405 responses · change -0.9" */
static void put_row(struct strbuf *out, const char *name, const struct dash_counts *now,
                    const struct dash_counts *prev)
{
    struct score s = score_of(now), p = score_of(prev);
    char line[160];
    put(out, name);
    if (s.n == 0) {
        put(out, ": no responses\n");
        return;
    }
    snprintf(line, sizeof line, ": index %.1f · CSAT %.1f %% · WOW %.1f %% · ", s.index,
             s.csat * 100, s.wow * 100);
    put(out, line);
    put_count(out, s.n);
    put(out, s.n == 1 ? " response" : " responses");
    if (p.n > 0) {
        snprintf(line, sizeof line, " · change %+.1f", s.index - p.index);
        put(out, line);
    }
    put(out, "\n");
}

static int compare_rows(const void *a, const void *b)
{
    const struct dash_league_row *x = a, *y = b;
    struct score sx = score_of(&x->now), sy = score_of(&y->now);
    double ix = sx.n ? sx.index : -1, iy = sy.n ? sy.index : -1;
    return ix < iy ? 1 : ix > iy ? -1 : strcmp(x->name, y->name);
}

/* The report's subject and body for u over [from, to); *responses the
 * scope's total (0: nothing to report). */
static bool compose_report(struct dashdb *db, const struct mail_settings *s,
                           const struct mail_subscription *sub, const struct dash_user *u,
                           int32_t from, int32_t to, struct strbuf *subject, struct strbuf *body,
                           int64_t *responses, char *err, size_t size)
{
    struct dash_filter f = {.period = DASH_PERIOD_CUSTOM, .from_day = from, .to_day = to};
    struct dash_league league = {0};
    struct dash_alerts open = {0};
    bool ok = dashq_league(db, u, &f, &league, err, size) &&
              alerts_list(db, u, &f, "open", 0, 20, &open, err, size);
    if (ok) {
        qsort(league.rows, league.n, sizeof *league.rows, compare_rows);
        struct dash_counts total = {0}, total_prev = {0};
        for (size_t i = 0; i < league.n; i++)
            if (!league.rows[i].is_group) {
                score_counts_add(&total, &league.rows[i].now);
                score_counts_add(&total_prev, &league.rows[i].prev);
            }
        *responses = score_counts_total(&total);
        char a[32], b[32], line[256];
        day_words(from, a, sizeof a);
        day_words(to - 1, b, sizeof b);
        struct score st = score_of(&total);
        snprintf(line, sizeof line, "wowdash %s report: %s%s%s", mail_kind_name(sub->kind), a,
                 to - from > 1 ? " – " : "", to - from > 1 ? b : "");
        put(subject, line);
        if (st.n > 0) {
            snprintf(line, sizeof line, " — index %.1f, ", st.index);
            put(subject, line);
            put_count(subject, st.n);
            put(subject, " responses");
        }
        snprintf(line, sizeof line, "Your %s report, %s%s%s (%s).\n\n", mail_kind_name(sub->kind),
                 a, to - from > 1 ? " – " : "", to - from > 1 ? b : "",
                 s->zone_name ? s->zone_name : "UTC");
        put(body, line);
        put(body, "Departments, best first:\n");
        for (size_t i = 0; i < league.n; i++)
            if (!league.rows[i].is_group) {
                put(body, "  ");
                put_row(body, league.rows[i].name[0] ? league.rows[i].name : league.rows[i].id,
                        &league.rows[i].now, &league.rows[i].prev);
            }
        put(body, "\nTo compare with:\n");
        for (size_t i = 0; i < league.n; i++)
            if (league.rows[i].is_group) {
                put(body, "  Group ");
                put_row(body, league.rows[i].name[0] ? league.rows[i].name : league.rows[i].id,
                        &league.rows[i].now, &league.rows[i].prev);
            }
        put(body, "  ");
        put_row(body, "Whole organisation", &league.org_now, &league.org_prev);
        snprintf(line, sizeof line, "\nOpen alerts: %zu%s\n", open.n, open.more ? " or more" : "");
        put(body, line);
        for (size_t i = 0; i < open.n; i++) {
            put(body, "  - ");
            put(body, open.items[i].department_name[0] ? open.items[i].department_name
                                                       : open.items[i].department);
            put(body, ": ");
            put(body, open.items[i].detail);
            put(body, "\n");
        }
        if (s->public_url) {
            char iso_a[16], iso_b[16];
            dash_day_format(from, iso_a, sizeof iso_a);
            dash_day_format(to - 1, iso_b, sizeof iso_b);
            snprintf(line, sizeof line,
                     "\nOn the dashboard: %s/overview?period=custom&from=%s&to=%s\n", s->public_url,
                     iso_a, iso_b);
            put(body, line);
        }
        put(body, "\nYou get this because a wowdash admin subscribed you (wowdash report add).\n");
    }
    dash_league_free(&league);
    dash_alerts_free(&open);
    return ok;
}

static void compose_alert(const struct mail_settings *s, const struct dash_alert *a,
                          struct strbuf *subject, struct strbuf *body)
{
    const char *name = a->department_name[0] ? a->department_name : a->department;
    put(subject, "wowdash alert: ");
    put(subject, name);
    put(subject, " — ");
    put(subject, a->detail);
    put(body, "An alert opened for ");
    put(body, name);
    put(body, ":\n\n  ");
    put(body, a->detail);
    put(body, "\n");
    if (s->public_url) {
        char line[256];
        snprintf(line, sizeof line, "\nSee it, acknowledge it: %s/alerts/%" PRId64 "\n",
                 s->public_url, a->id);
        put(body, line);
    }
    put(body, "\nYou get this because a wowdash admin subscribed you to alerts.\n");
}

/* ---- queueing ---------------------------------------------------------- */

/* When the report of a period ending at day `to` goes out. */
static int64_t due(const struct opening *o, const struct mail_settings *s,
                   const struct mail_subscription *sub, int32_t to)
{
    return opening_due_ms(o, s->zone, sub->hour, MAIL_DEFAULT_HOUR, mail_day_start(s->zone, to));
}

/* Queues the report of [from, to) under its key, unless it was queued. */
static bool queue_period(struct dashdb *db, const struct mail_settings *s,
                         const struct mail_subscription *sub, const struct dash_user *u,
                         int32_t from, int32_t to, int64_t now_ms, struct mail_report *r, char *err,
                         size_t size)
{
    char key[MAIL_KEY_MAX], iso[16];
    dash_day_format(from, iso, sizeof iso);
    snprintf(key, sizeof key, "%s:%s:%s", mail_kind_name(sub->kind), sub->user, iso);
    bool known = false, queued = false;
    if (!mail_db_known(db, key, &known, err, size))
        return false;
    if (known)
        return true;
    struct strbuf subject = {0}, body = {0};
    int64_t responses = 0;
    bool ok = compose_report(db, s, sub, u, from, to, &subject, &body, &responses, err, size);
    if (ok && (subject.failed || body.failed)) {
        snprintf(err, size, "out of memory composing %s", key);
        ok = false;
    }
    if (ok)
        ok = mail_db_queue(db, key, sub->address, subject.data, body.data, responses == 0, now_ms,
                           &queued, err, size);
    if (ok && queued)
        responses == 0 ? r->skipped++ : r->queued++;
    strbuf_free(&subject);
    strbuf_free(&body);
    return ok;
}

/* Queues what one report subscription has due at now_ms: every one of its
 * last MAIL_CATCH_UP periods that fell due since it began (a weekend's
 * three daily reports on Monday morning; those a stopped server owes), and
 * the newest one due in any case (a new subscriber's first). */
static bool queue_report(struct dashdb *db, const struct mail_settings *s,
                         const struct mail_subscription *sub, const struct dash_user *u,
                         const struct opening *o, int64_t now_ms, struct mail_report *r, char *err,
                         size_t size)
{
    int32_t from, to;
    bool newest = true, ok = true;
    last_period(sub->kind, local_today(s->zone, now_ms), &from, &to);
    for (int k = 0; ok && k < MAIL_CATCH_UP; k++) {
        int64_t at = due(o, s, sub, to);
        if (now_ms >= at && (newest || at >= sub->created_ms)) {
            ok = queue_period(db, s, sub, u, from, to, now_ms, r, err, size);
            newest = false;
        }
        last_period(sub->kind, from, &from, &to);
    }
    return ok;
}

/* Queues a mail for each open alert u sees that opened after it subscribed. */
static bool queue_alerts(struct dashdb *db, const struct mail_settings *s,
                         const struct mail_subscription *sub, const struct dash_user *u,
                         int64_t now_ms, struct mail_report *r, char *err, size_t size)
{
    struct dash_filter f = {0};
    struct dash_alerts open = {0};
    bool ok = alerts_list(db, u, &f, "open", 0, 100, &open, err, size);
    for (size_t i = 0; ok && i < open.n; i++) {
        const struct dash_alert *a = &open.items[i];
        if (a->opened_ms < sub->created_ms)
            continue;
        char key[MAIL_KEY_MAX];
        snprintf(key, sizeof key, "alert:%s:%" PRId64, sub->user, a->id);
        bool known = false, queued = false;
        ok = mail_db_known(db, key, &known, err, size);
        if (!ok || known)
            continue;
        struct strbuf subject = {0}, body = {0};
        compose_alert(s, a, &subject, &body);
        ok = !subject.failed && !body.failed &&
             mail_db_queue(db, key, sub->address, subject.data, body.data, false, now_ms, &queued,
                           err, size);
        r->queued += ok && queued;
        strbuf_free(&subject);
        strbuf_free(&body);
    }
    dash_alerts_free(&open);
    return ok;
}

static bool queue_due(struct dashdb *db, const struct mail_settings *s, int64_t now_ms,
                      struct mail_report *r, char *err, size_t size)
{
    struct mail_subscription *subs = NULL;
    size_t n = 0;
    if (!mail_db_subscriptions(db, &subs, &n, err, size))
        return false;
    struct opening *o = calloc(1, sizeof *o);
    bool ok = o != NULL;
    if (o)
        opening_read(db, o);
    for (size_t i = 0; ok && i < n; i++) {
        struct dash_user u = {0};
        char why[256];
        if (!auth_load_user(db, subs[i].user, &u, why, sizeof why)) {
            log_warn("report for %s: %s: not sent", subs[i].user, why);
            dash_user_free(&u);
            continue; /* a user gone or disabled gets nothing */
        }
        ok = subs[i].kind == MAIL_ALERTS
                 ? queue_alerts(db, s, &subs[i], &u, now_ms, r, err, size)
                 : queue_report(db, s, &subs[i], &u, o, now_ms, r, err, size);
        dash_user_free(&u);
    }
    if (!o)
        snprintf(err, size, "out of memory");
    free(o);
    free(subs);
    return ok;
}

/* ---- sending ----------------------------------------------------------- */

static bool send_waiting(struct dashdb *db, const struct mail_settings *s, int64_t now_ms,
                         struct mail_report *r, char *err, size_t size)
{
    struct mail_item *items = NULL;
    size_t n = 0;
    if (!mail_db_waiting(db, now_ms, MAIL_SEND_BATCH, &items, &n, err, size))
        return false;
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        struct mail_item *m = &items[i];
        char why[512] = "", id[MAIL_KEY_MAX + 32];
        snprintf(id, sizeof id, "%s.%" PRId64 "@wowdash", m->key, now_ms);
        for (char *p = id; *p; p++)
            if (*p == ':')
                *p = '.';
        enum smtp_result res =
            smtp_send(&s->smtp, m->address, m->subject, m->body, id, now_ms, why, sizeof why);
        int attempts = m->attempts + 1;
        bool sent = res == SMTP_SENT, give_up = !sent && attempts >= MAIL_MAX_ATTEMPTS;
        int shift = attempts - 1 < 6 ? attempts - 1 : 6;
        int64_t next = now_ms + (MAIL_RETRY_FIRST_MS << shift);
        if (sent) {
            r->sent++;
        } else {
            r->failed++;
            log_warn("mail %s to %s: %s%s", m->key, m->address, why,
                     give_up ? " (given up)" : "; tried again later");
        }
        ok = mail_db_tried(db, m->key, sent, give_up, attempts, next, sent ? "" : why, now_ms, err,
                           size);
    }
    mail_items_free(items, n);
    return ok;
}

bool mail_run(struct dashdb *db, const struct mail_settings *s, int64_t now_ms,
              struct mail_report *report, char *err, size_t size)
{
    *report = (struct mail_report){0};
    return queue_due(db, s, now_ms, report, err, size) &&
           send_waiting(db, s, now_ms, report, err, size);
}
