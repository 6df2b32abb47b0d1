/*
 * alerts: the dashboard's alerts.  alerts_evaluate runs the statistical
 * slip detector (slip_index.h) and every enabled rule (dash_rules) over each
 * department's hourly counts (dash_hour, faces 1..4, misuse left out),
 * opens an alert when a source fires, closes it when the data recovers,
 * and POSTs each newly opened alert to a webhook (webhook.h).  The rest
 * reads and changes alerts for a user: list, one with its comments,
 * acknowledge, comment.
 *
 * Time: dash_hour holds each kiosk's local (day, hour).  An hour's age is
 * how many hours before "now" it began, on the clock of the kiosk that
 * counted it (kiosks.timezone, UTC when the kiosk has no row or its zone
 * does not load); age 0 is the hour in progress and is never evaluated,
 * age 1 is the last complete hour.  A department's series is the sum over
 * its kiosks by age, so kiosks in different zones line up.  Only the last
 * ALERTS_HISTORY_DAYS days are read.
 *
 * Evaluation is stateless: every call recomputes every source from the
 * rollups alone, so restarts, missed runs and late data need no care.
 *   - slip (slip_index.h): the department's index and its spread over
 *     baseline_days ending gap_days before the evaluation window (ending
 *     with the last complete hour); the index CUSUM starts at 0 at the
 *     window's start and steps through each hour.  It fires when the
 *     statistic ends at the department's h; an open slip alert closes
 *     when slip_index_recovered says so.  A
 *     drop that persists becomes the baseline after gap + window days, and
 *     the alert then closes: it announces a change, not a level.
 *   - rules: the window is the last window_hours complete hours; a rule
 *     with department '' runs for every department.  An alert closes when
 *     its rule no longer fires (or was disabled or removed).
 * At most one open or acknowledged alert per (source, department).
 *
 * Webhook: each alert opened within the last ALERTS_WEBHOOK_RETRY_MS
 * that is not closed and not yet delivered is POSTed on every evaluation
 * (so a failure is retried on the next one, for up to 24 h after the
 * alert opened); 2xx sets webhook_ms, anything else webhook_error.  A
 * receiver that does not answer at all (connection refused, timeout) ends
 * that evaluation's deliveries: the rest wait for the next one.  An alert
 * that closes before it was delivered is not sent any more.
 *
 * Access: an admin sees every alert, a head those of its departments
 * (dash_user_sees), a technician none; an alert the user may not see is
 * DASHQ_NOT_FOUND, as if it did not exist.
 */
#ifndef WOW_ALERTS_H
#define WOW_ALERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashq.h"
#include "dashview.h"

struct dashdb;

#define ALERTS_HISTORY_DAYS      90
#define ALERTS_WEBHOOK_RETRY_MS  (24 * 3600 * 1000LL)
#define ALERTS_COMMENT_MAX_BYTES 2000

struct alerts_settings {
    const char *webhook_url; /* NULL: none */
};

/* What one evaluation did, alert by alert. */
struct alerts_event {
    bool opened; /* false: closed */
    int64_t id;
    char source[DASH_ID_MAX];
    char department[DASH_ID_MAX];
    char detail[256];
};

struct alerts_report {
    struct alerts_event *events; /* owned; opened and closed, in that order */
    size_t n;
    int64_t departments; /* evaluated */
    int64_t rules;       /* enabled rules */
    int64_t delivered;   /* webhook POSTs answered 2xx */
    int64_t undelivered; /* webhook POSTs that failed (retried next time) */
};

/* Frees report's events and empties it; an empty report is fine. */
void alerts_report_free(struct alerts_report *report);

/* One evaluation at now_ms (see above).  report (emptied first, freed by
 * the caller with alerts_report_free, also after a failure) gets what
 * opened and closed.  false with the reason in err when the database
 * failed; webhook failures are not failures of the evaluation (they are
 * recorded on the alert and counted in report->undelivered). */
bool alerts_evaluate(struct dashdb *db, const struct alerts_settings *settings, int64_t now_ms,
                     struct alerts_report *report, char *err, size_t size);

/* The alerts u may see, newest first, filtered by f's department and
 * group (not by its period: an alert stays news until it closes); state
 * "open" (open and acknowledged), "closed" or "all".  out (emptied first,
 * freed by the caller with dash_alerts_free) gets at most limit alerts
 * after skipping offset, and more = whether another exists.  No comments.
 * false with the reason in err (also for an unknown state). */
bool alerts_list(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                 const char *state, int64_t offset, int64_t limit, struct dash_alerts *out,
                 char *err, size_t size);

/* One alert with its comments, oldest first, into out (zeroed first; the
 * caller frees it by putting it in a dash_alerts or freeing comments[i].body
 * and comments). */
enum dashq_status alerts_get(struct dashdb *db, const struct dash_user *u, int64_t id,
                             struct dash_alert *out, char *err, size_t size);

/* Marks an open alert acknowledged by u at now_ms; an acknowledged or
 * closed one is left as it is (DASHQ_OK: pressing twice is harmless). */
enum dashq_status alerts_acknowledge(struct dashdb *db, const struct dash_user *u, int64_t id,
                                     int64_t now_ms, char *err, size_t size);

/* Adds u's comment body (borrowed; 1..ALERTS_COMMENT_MAX_BYTES bytes of
 * UTF-8, stored verbatim: escaping is the renderer's job).  DASHQ_ERROR
 * with the reason in err for an empty or too long body. */
enum dashq_status alerts_comment(struct dashdb *db, const struct dash_user *u, int64_t id,
                                 const char *body, int64_t now_ms, char *err, size_t size);

/* Makes user assignee (borrowed; "" takes the assignment away) the owner
 * of alert id, as u at now_ms.  The assignee must be an enabled admin, or
 * an enabled head who sees the alert's department: DASHQ_INVALID with
 * why in err otherwise. */
enum dashq_status alerts_assign(struct dashdb *db, const struct dash_user *u, int64_t id,
                                const char *assignee, int64_t now_ms, char *err, size_t size);

/* Records what was done about alert id (note, borrowed: 1 to
 * ALERT_RESOLUTION_MAX - 1 bytes of UTF-8), by u at now_ms; an open alert
 * is acknowledged at the same time.  The alert stays until the data shows
 * recovery (the evaluation closes it); resolving again replaces the
 * note.  DASHQ_INVALID with why in err for a bad note. */
enum dashq_status alerts_resolve(struct dashdb *db, const struct dash_user *u, int64_t id,
                                 const char *note, int64_t now_ms, char *err, size_t size);

/* Frees one alert's comments (alerts_get's out). */
void alerts_alert_free(struct dash_alert *alert);

#endif
