/*
 * cli_report: wowdash's commands for the email reports (cli.h, mail.h):
 *
 *   wowdash report add USER --every daily|weekly|monthly|alerts --email ADDRESS
 *                      [--hour H] --db TARGET
 *       subscribes USER (again: a new address or hour); --hour 0..23 in the
 *       dashboard's zone, else when the fleet opens after the period
 *   wowdash report remove USER --every KIND --db TARGET
 *   wowdash report list --db TARGET
 *       the subscriptions, tab-separated, and the outbox's counts
 *   wowdash report send --db TARGET --smtp URL --mail-from ADDRESS
 *                       [--smtp-user NAME] [--starttls] [--public-url URL]
 *                       [--timezone ZONE] [--now YYYY-MM-DDTHH:MMZ]
 *       one run: queue what is due and send what waits (the server does
 *       this after each refresh when started with --smtp); the password,
 *       when --smtp-user is given, comes from WOWDASH_SMTP_PASSWORD
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clock.h"
#include "dashdb.h"
#include "mail.h"
#include "mail_db.h"
#include "tz.h"

const char cli_report_usage[] =
    "wowdash report add USER --every daily|weekly|monthly|alerts --email ADDRESS [--hour H] "
    "--db TARGET\n"
    "       wowdash report remove USER --every KIND --db TARGET\n"
    "       wowdash report list --db TARGET\n"
    "       wowdash report send --db TARGET --smtp URL --mail-from ADDRESS [--smtp-user NAME]\n"
    "                           [--starttls] [--public-url URL] [--timezone ZONE]\n"
    "                           [--now YYYY-MM-DDTHH:MMZ]\n";

struct report_args {
    const char *user, *every, *email, *hour, *db, *smtp, *from, *smtp_user, *public_url, *timezone,
        *now;
    bool starttls;
};

static int parse_args(int argc, char **argv, struct report_args *a)
{
    for (int i = 2; i < argc; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--starttls")) {
            a->starttls = true;
            continue;
        }
        const char **dst = !strcmp(o, "--every")        ? &a->every
                           : !strcmp(o, "--email")      ? &a->email
                           : !strcmp(o, "--hour")       ? &a->hour
                           : !strcmp(o, "--db")         ? &a->db
                           : !strcmp(o, "--smtp")       ? &a->smtp
                           : !strcmp(o, "--mail-from")  ? &a->from
                           : !strcmp(o, "--smtp-user")  ? &a->smtp_user
                           : !strcmp(o, "--public-url") ? &a->public_url
                           : !strcmp(o, "--timezone")   ? &a->timezone
                           : !strcmp(o, "--now")        ? &a->now
                                                        : NULL;
        if (!dst && !a->user && o[0] != '-') {
            a->user = o;
            continue;
        }
        if (!dst) {
            fprintf(stderr, "wowdash report: unexpected argument '%s'\n", o);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "wowdash report: %s needs a value\n", o);
            return 2;
        }
        *dst = argv[++i];
    }
    if (!a->db) {
        fprintf(stderr, "wowdash report: --db TARGET is required\n");
        return 2;
    }
    return 0;
}

static int64_t now_ms(const char *option, bool *ok)
{
    *ok = true;
    if (option) {
        int64_t ms = 0;
        *ok = clock_parse_utc(option, &ms);
        if (!*ok)
            fprintf(stderr, "wowdash report send: --now: expected YYYY-MM-DDTHH:MMZ, got '%s'\n",
                    option);
        return ms;
    }
    int64_t offset = 0;
    struct clock c = clock_system(&offset, CLOCK_NO_START);
    return clock_read(&c).utc_ms;
}

static int add(struct dashdb *db, const struct report_args *a)
{
    int kind = mail_kind_parse(a->every);
    char *end = NULL;
    long hour = a->hour ? strtol(a->hour, &end, 10) : -1;
    if (!a->user || kind < 0 || !a->email) {
        fprintf(stderr, "wowdash report add: expected USER --every daily|weekly|monthly|alerts "
                        "--email ADDRESS\n");
        return 2;
    }
    if (!mail_address_valid(a->email)) {
        fprintf(stderr,
                "wowdash report add: --email: expected one address as name@example.org "
                "(printable ASCII, no blank, quote, comma or angle bracket), got '%.80s'\n",
                a->email);
        return 2;
    }
    if (a->hour && (end == a->hour || *end || hour < 0 || hour > 23)) {
        fprintf(stderr, "wowdash report add: --hour: expected 0 to 23, got '%s'\n", a->hour);
        return 2;
    }
    bool ok;
    struct mail_subscription s = {
        .kind = (enum mail_kind)kind, .hour = (int)hour, .created_ms = now_ms(NULL, &ok)};
    snprintf(s.user, sizeof s.user, "%s", a->user);
    snprintf(s.address, sizeof s.address, "%s", a->email);
    char err[512];
    if (!mail_db_subscribe(db, &s, err, sizeof err)) {
        fprintf(stderr, "wowdash report add: %s\n", err);
        return 1;
    }
    printf("%s gets the %s report at %s\n", s.user, mail_kind_name(s.kind), s.address);
    return 0;
}

static int list(struct dashdb *db)
{
    struct mail_subscription *subs = NULL;
    size_t n = 0;
    struct mail_counts c;
    char err[512];
    if (!mail_db_subscriptions(db, &subs, &n, err, sizeof err) ||
        !mail_db_counts(db, &c, err, sizeof err)) {
        free(subs);
        fprintf(stderr, "wowdash report list: %s\n", err);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        char hour[16];
        snprintf(hour, sizeof hour, "%02d:00", subs[i].hour);
        printf("%s\t%s\t%s\t%s\n", subs[i].user, mail_kind_name(subs[i].kind), subs[i].address,
               subs[i].hour < 0 ? "opening" : hour);
    }
    printf("outbox: %" PRId64 " waiting, %" PRId64 " sent, %" PRId64 " failed, %" PRId64
           " skipped (no responses)\n",
           c.waiting, c.sent, c.failed, c.skipped);
    free(subs);
    return 0;
}

static int send(struct dashdb *db, const struct report_args *a)
{
    struct mail_settings s = {.smtp = {.url = a->smtp,
                                       .from = a->from,
                                       .user = a->smtp_user,
                                       .password = getenv("WOWDASH_SMTP_PASSWORD"),
                                       .starttls = a->starttls},
                              .public_url = a->public_url,
                              .zone_name = a->timezone ? a->timezone : "UTC"};
    char err[512];
    if (!smtp_settings_valid(&s.smtp, err, sizeof err)) {
        fprintf(stderr, "wowdash report send: %s\n", err);
        return 2;
    }
    struct tz *zone = a->timezone ? tz_load(a->timezone, NULL, err, sizeof err) : NULL;
    if (a->timezone && !zone) {
        fprintf(stderr, "wowdash report send: --timezone %s: %s\n", a->timezone, err);
        return 2;
    }
    s.zone = zone;
    bool ok;
    int64_t now = now_ms(a->now, &ok);
    if (!ok) {
        tz_destroy(zone);
        return 2;
    }
    struct mail_report r;
    ok = mail_run(db, &s, now, &r, err, sizeof err);
    tz_destroy(zone);
    if (!ok) {
        fprintf(stderr, "wowdash report send: %s\n", err);
        return 1;
    }
    printf("report send: %" PRId64 " queued, %" PRId64 " skipped (no responses), %" PRId64
           " sent, %" PRId64 " failed (tried again later)\n",
           r.queued, r.skipped, r.sent, r.failed);
    return r.failed ? 1 : 0;
}

int cli_report(int argc, char **argv)
{
    const char *verb = argc >= 2 ? argv[1] : "";
    struct report_args a = {0};
    bool known = !strcmp(verb, "add") || !strcmp(verb, "remove") || !strcmp(verb, "list") ||
                 !strcmp(verb, "send");
    if (!known) {
        fprintf(stderr, "usage: %s", cli_report_usage);
        return 2;
    }
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    char err[512];
    struct dashdb *db = dashdb_open(a.db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "wowdash report: %s\n", err);
        return 1;
    }
    if (!strcmp(verb, "add")) {
        rc = add(db, &a);
    } else if (!strcmp(verb, "list")) {
        rc = list(db);
    } else if (!strcmp(verb, "send")) {
        rc = send(db, &a);
    } else {
        int kind = mail_kind_parse(a.every);
        bool found = false;
        if (!a.user || kind < 0) {
            fprintf(stderr, "wowdash report remove: expected USER --every KIND\n");
            rc = 2;
        } else if (!mail_db_unsubscribe(db, a.user, (enum mail_kind)kind, &found, err,
                                        sizeof err)) {
            fprintf(stderr, "wowdash report remove: %s\n", err);
            rc = 1;
        } else {
            printf(found ? "removed\n" : "there was no such subscription\n");
        }
    }
    dashdb_close(db);
    return rc;
}
