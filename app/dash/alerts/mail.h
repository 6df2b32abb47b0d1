/*
 * mail: the email reports (docs/DASHBOARD.md, "Reports by email").  One
 * run, on the refresh thread after each refresh (serve --smtp) or from
 * `wowdash report send`:
 *
 * 1. For each subscription (mail_db.h) whose report is due, the report
 *    is composed for its user's scope, as the dashboard shows it (dashq.h's
 *    league, the open alerts), and queued under a key naming the user and
 *    the period ("daily:ada:2026-12-04"), so it is queued once whatever the
 *    runs, the restarts or the number of servers.  A period with no
 *    response at all in the scope (a closed day) is remembered, not sent.
 *    Daily: yesterday; weekly: last Monday to Sunday; monthly: last month;
 *    each due at the subscription's hour in the dashboard's zone, or, by
 *    default, when the fleet opens next after the period ends (the newest
 *    catalog's [hours] and sites; 07:00 when it has none or is always
 *    open).  Every period of the last MAIL_CATCH_UP that fell due since the
 *    subscription began is queued (Friday's, Saturday's and Sunday's daily
 *    reports on Monday at opening), and the newest due one in any case.
 *    "alerts": one mail per alert the user sees, opened after the
 *    subscription began, as it opens.
 * 2. The mails waiting are sent (smtp.h); a failure is tried again after
 *    1, 2, 4 ... 64 minutes, and given up after MAIL_MAX_ATTEMPTS tries
 *    (state "failed", in `wowdash report list`).  A mail is marked sent
 *    after the server took it: a crash between the two sends it again once.
 */
#ifndef WOW_MAIL_H
#define WOW_MAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "smtp.h"

struct dashdb;
struct tz;

#define MAIL_MAX_ATTEMPTS   10
#define MAIL_RETRY_FIRST_MS 60000LL
#define MAIL_SEND_BATCH     50 /* mails sent per run at most */
#define MAIL_DEFAULT_HOUR   7  /* the send time when the fleet has no opening hours */
#define MAIL_CATCH_UP       8  /* periods looked back over for reports still owed */

struct mail_settings {
    struct smtp_settings smtp;
    const char *public_url; /* the dashboard as users reach it, for links; NULL: no links */
    const struct tz *zone;  /* the dashboard's zone (borrowed); NULL: UTC */
    const char *zone_name;
};

struct mail_report {
    int64_t queued, skipped, sent, failed;
};

/* One run at now_ms: queue what is due, send what waits.  false only when
 * the database fails (err); a mail server's refusal is counted in failed
 * and kept for the next try. */
bool mail_run(struct dashdb *db, const struct mail_settings *s, int64_t now_ms,
              struct mail_report *report, char *err, size_t size);

#endif
