/*
 * cli_rule: `wowdash rule add|list|disable` (the fixed-threshold alert
 * rules, dash_rules) and `wowdash alerts evaluate` (one evaluation of the
 * rules and the slip detector, alerts.h), see cli.h.
 *
 * A rule's threshold means what its kind says: negative_share a share
 * 0..1 (0.3 = 30 %), index_below / index_above an index 0..100,
 * answer_count a number of answers of one face (--rating 1..4) in the
 * window.  A window is hours or days (48h, 7d), at most the history the
 * evaluation reads (ALERTS_HISTORY_DAYS).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_rules.h"
#include "clock.h"
#include "cli.h"
#include "dashdb.h"
#include "webhook.h"

const char cli_rule_usage[] =
    "wowdash rule add ID --kind K --threshold X --window 7d|48h --db TARGET\n"
    "                        [--min-responses N] [--department D] [--rating 1..4]\n"
    "       wowdash rule list --db TARGET\n"
    "       wowdash rule disable ID --db TARGET\n";
const char cli_alerts_usage[] =
    "wowdash alerts evaluate --db TARGET [--webhook URL] [--now YYYY-MM-DDTHH:MMZ]\n";

struct rule_args {
    const char *id, *kind, *threshold, *window, *db, *min_responses, *department, *rating;
    const char *webhook, *now;
};

/* The wall clock now, in milliseconds since the epoch. */
static int64_t now_utc_ms(void)
{
    int64_t offset = 0;
    struct clock c = clock_system(&offset, CLOCK_NO_START);
    return clock_read(&c).utc_ms;
}

/* Reads --name VALUE pairs (and the first bare word into *id when id is
 * not NULL); 2 on a usage error, said on stderr. */
static int parse_args(int argc, char **argv, int from, struct rule_args *a, const char **id)
{
    for (int i = from; i < argc; i++) {
        const char *o = argv[i];
        const char **dst = !strcmp(o, "--kind")            ? &a->kind
                           : !strcmp(o, "--threshold")     ? &a->threshold
                           : !strcmp(o, "--window")        ? &a->window
                           : !strcmp(o, "--db")            ? &a->db
                           : !strcmp(o, "--min-responses") ? &a->min_responses
                           : !strcmp(o, "--department")    ? &a->department
                           : !strcmp(o, "--rating")        ? &a->rating
                           : !strcmp(o, "--webhook")       ? &a->webhook
                           : !strcmp(o, "--now")           ? &a->now
                                                           : NULL;
        if (!dst && id && !*id && o[0] != '-') {
            *id = o;
            continue;
        }
        if (!dst) {
            fprintf(stderr, "wowdash %s: unexpected argument '%s'\n", argv[0], o);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "wowdash %s: %s needs a value\n", argv[0], o);
            return 2;
        }
        *dst = argv[++i];
    }
    if (!a->db) {
        fprintf(stderr, "wowdash %s: --db TARGET is required\n", argv[0]);
        return 2;
    }
    return 0;
}

static struct dashdb *open_db(const char *target)
{
    char err[512];
    struct dashdb *db = dashdb_open(target, err, sizeof err);
    if (!db)
        fprintf(stderr, "wowdash: %s\n", err);
    return db;
}

/* A rule id: 1..63 of [A-Za-z0-9_.-], and not "slip" or "rise" (the
 * detectors' own source names in dash_alerts). */
static bool valid_rule_id(const char *id)
{
    size_t n = strlen(id);
    return n > 0 && n < DASH_ID_MAX && strcmp(id, "slip") != 0 && strcmp(id, "rise") != 0 &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* "7d" or "48h" into hours, 1 hour .. ALERTS_HISTORY_DAYS days. */
static bool parse_window(const char *text, int64_t *hours)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end == text || v < 1 || end[1] != '\0' || (*end != 'd' && *end != 'h'))
        return false;
    *hours = *end == 'd' ? v * 24 : v;
    return *hours >= 1 && *hours <= ALERTS_HISTORY_DAYS * 24LL;
}

static bool parse_real(const char *text, double *out)
{
    char *end;
    *out = strtod(text, &end);
    return end != text && !*end && isfinite(*out);
}

/* The threshold as the kind reads it; false with what was expected on
 * stderr. */
static bool check_threshold(const char *kind, const char *text, double *x)
{
    bool number = parse_real(text, x);
    if (!strcmp(kind, "negative_share") && !(number && *x >= 0 && *x <= 1)) {
        fprintf(stderr,
                "wowdash rule add: --threshold: a negative_share threshold is a share from 0 to 1 "
                "(0.3 = 30 %%), got '%s'\n",
                text);
        return false;
    }
    if (!strncmp(kind, "index_", 6) && !(number && *x >= 0 && *x <= 100)) {
        fprintf(stderr,
                "wowdash rule add: --threshold: an %s threshold is an index from 0 to 100, got "
                "'%s'\n",
                kind, text);
        return false;
    }
    if (!strcmp(kind, "answer_count") && !(number && *x >= 1 && *x <= 1e12)) {
        fprintf(stderr,
                "wowdash rule add: --threshold: an answer_count threshold is a number of answers "
                "(1 or more), got '%s'\n",
                text);
        return false;
    }
    return true;
}

static bool check_kind(const char *kind)
{
    static const char *const kinds[] = {"negative_share", "index_below", "index_above",
                                        "answer_count"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(kind, kinds[i]))
            return true;
    fprintf(stderr,
            "wowdash rule add: --kind: expected negative_share, index_below, index_above or "
            "answer_count, got '%s'\n",
            kind);
    return false;
}

/* Every value of `rule add`, checked; 2 (said on stderr) when one is bad. */
static int check_rule(const struct rule_args *a, double *threshold, int64_t *window, int64_t *min_n,
                      int *rating)
{
    if (!a->id || !valid_rule_id(a->id)) {
        fprintf(stderr,
                "wowdash rule add: ID: expected 1 to %d letters, digits, '_', '.' or '-' (not "
                "\"slip\" or \"rise\"), got '%s'\n",
                DASH_ID_MAX - 1, a->id ? a->id : "");
        return 2;
    }
    if (!a->kind || !a->threshold || !a->window) {
        fprintf(stderr, "wowdash rule add: --kind, --threshold and --window are required\n");
        return 2;
    }
    if (!check_kind(a->kind) || !check_threshold(a->kind, a->threshold, threshold))
        return 2;
    if (!parse_window(a->window, window)) {
        fprintf(stderr,
                "wowdash rule add: --window: expected hours or days such as 48h or 7d, from 1h "
                "to %dd, got '%s'\n",
                ALERTS_HISTORY_DAYS, a->window);
        return 2;
    }
    char *end = NULL;
    *min_n = a->min_responses ? strtoll(a->min_responses, &end, 10) : 0;
    if (a->min_responses && (end == a->min_responses || *end || *min_n < 0)) {
        fprintf(stderr,
                "wowdash rule add: --min-responses: expected a whole number 0 or more, got "
                "'%s'\n",
                a->min_responses);
        return 2;
    }
    bool counts = !strcmp(a->kind, "answer_count");
    *rating = a->rating && strlen(a->rating) == 1 && a->rating[0] >= '1' && a->rating[0] <= '4'
                  ? a->rating[0] - '0'
                  : 0;
    if (counts != (a->rating != NULL) || (a->rating && !*rating)) {
        fprintf(stderr, "wowdash rule add: --rating: %s\n",
                counts ? "answer_count needs the face it counts, --rating 1..4 (1 very unhappy, "
                         "4 WOW)"
                       : "only answer_count rules take --rating");
        return 2;
    }
    if (a->department && (!*a->department || strlen(a->department) >= DASH_ID_MAX)) {
        fprintf(stderr,
                "wowdash rule add: --department: expected a department id (1 to %d "
                "bytes); leave it out for every department\n",
                DASH_ID_MAX - 1);
        return 2;
    }
    return 0;
}

static int rule_add(const struct rule_args *a)
{
    double threshold;
    int64_t window, min_n;
    int rating;
    int rc = check_rule(a, &threshold, &window, &min_n, &rating);
    if (rc)
        return rc;
    struct dashdb *db = open_db(a->db);
    if (!db)
        return 1;
    char err[512], now_text[32];
    int64_t now = now_utc_ms();
    const struct alerts_rule_spec rule = {
        a->id, a->kind, a->department ? a->department : "", threshold, window, min_n, rating};
    bool added = false;
    bool ok = alerts_rule_add(db, &rule, now, &added, err, sizeof err);
    dashdb_close(db);
    clock_format_utc(now, now_text, sizeof now_text);
    if (!ok) {
        fprintf(stderr, "wowdash rule add: %s\n", err);
        return 1;
    }
    if (!added) {
        fprintf(stderr, "wowdash rule add: a rule %s exists already (rule list shows it)\n", a->id);
        return 1;
    }
    printf("rule %s added: %s, threshold %g, window %" PRId64 " hours, min responses %" PRId64
           ", department %s\n",
           a->id, a->kind, threshold, window, min_n, a->department ? a->department : "(every one)");
    return 0;
}

static bool print_rule(void *ctx, const struct alerts_rule_text *r)
{
    (void)ctx;
    printf("%-20s %-15s %-15s %10s %7sh %8s %6s %s\n", r->id, r->kind,
           *r->department ? r->department : "*", r->threshold, r->window_hours, r->min_responses,
           r->rating ? r->rating : "-",
           !strcmp(r->enabled ? r->enabled : "1", "1") ? "enabled" : "disabled");
    return true;
}

static int rule_list(const struct rule_args *a)
{
    struct dashdb *db = open_db(a->db);
    if (!db)
        return 1;
    char err[512];
    printf("%-20s %-15s %-15s %10s %8s %8s %6s %s\n", "rule", "kind", "department", "threshold",
           "window", "min_n", "rating", "state");
    bool ok = alerts_rules_each(db, print_rule, NULL, err, sizeof err);
    dashdb_close(db);
    if (!ok)
        fprintf(stderr, "wowdash rule list: %s\n", err);
    return ok ? 0 : 1;
}

static int rule_disable(const struct rule_args *a)
{
    if (!a->id) {
        fprintf(stderr, "wowdash rule disable: which rule? (wowdash rule disable ID --db T)\n");
        return 2;
    }
    struct dashdb *db = open_db(a->db);
    if (!db)
        return 1;
    char err[512];
    bool found = false;
    bool ok = alerts_rule_disable(db, a->id, &found, err, sizeof err);
    dashdb_close(db);
    if (!ok) {
        fprintf(stderr, "wowdash rule disable: %s\n", err);
        return 1;
    }
    if (!found) {
        fprintf(stderr, "wowdash rule disable: no rule %s (rule list shows them)\n", a->id);
        return 1;
    }
    printf("rule %s disabled (its open alerts close at the next evaluation)\n", a->id);
    return 0;
}

int cli_rule(int argc, char **argv)
{
    struct rule_args a = {0};
    const char *verb = argc > 1 ? argv[1] : "";
    bool known = !strcmp(verb, "add") || !strcmp(verb, "list") || !strcmp(verb, "disable");
    if (!known) {
        fprintf(stderr, "wowdash rule: expected add, list or disable, got '%s'\nusage: %s", verb,
                cli_rule_usage);
        return 2;
    }
    int rc = parse_args(argc, argv, 2, &a, strcmp(verb, "list") ? &a.id : NULL);
    if (rc)
        return rc;
    return !strcmp(verb, "add")    ? rule_add(&a)
           : !strcmp(verb, "list") ? rule_list(&a)
                                   : rule_disable(&a);
}

static void print_report(const struct alerts_report *r, const char *webhook)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct alerts_event *e = &r->events[i];
        printf("%s alert %" PRId64 ": %s, department %s: %s\n", e->opened ? "opened" : "closed",
               e->id, e->source, e->department, e->detail);
    }
    printf("evaluated %" PRId64 " departments and %" PRId64 " rules", r->departments, r->rules);
    if (webhook)
        printf("; webhook: %" PRId64 " delivered, %" PRId64 " failed", r->delivered,
               r->undelivered);
    printf("\n");
}

int cli_alerts(int argc, char **argv)
{
    struct rule_args a = {0};
    if (argc < 2 || strcmp(argv[1], "evaluate") != 0) {
        fprintf(stderr, "wowdash alerts: expected evaluate, got '%s'\nusage: %s",
                argc > 1 ? argv[1] : "", cli_alerts_usage);
        return 2;
    }
    int rc = parse_args(argc, argv, 2, &a, NULL);
    if (rc)
        return rc;
    int64_t now = now_utc_ms();
    if (a.now && !clock_parse_utc(a.now, &now)) {
        fprintf(stderr,
                "wowdash alerts evaluate: --now: expected YYYY-MM-DDTHH:MMZ (UTC), got "
                "'%s'\n",
                a.now);
        return 2;
    }
    char err[512];
    if (a.webhook && !webhook_url_valid(a.webhook, err, sizeof err)) {
        fprintf(stderr, "wowdash alerts evaluate: --webhook: %s\n", err);
        return 2;
    }
    struct dashdb *db = open_db(a.db);
    if (!db)
        return 1;
    struct alerts_settings settings = {.webhook_url = a.webhook};
    struct alerts_report report = {0};
    bool ok = alerts_evaluate(db, &settings, now, &report, err, sizeof err);
    dashdb_close(db);
    if (ok)
        print_report(&report, a.webhook);
    else
        fprintf(stderr, "wowdash alerts evaluate: %s\n", err);
    alerts_report_free(&report);
    return ok ? 0 : 1;
}
