/*
 * alerts_rules: the threshold rules' table, dash_rules, its one reader
 * and writer: wowdash rule adds, lists and disables rules; the evaluation
 * (alerts_evaluate.c) reads the enabled ones.
 *
 * Values are checked by the caller (cli_rule.c); strings are borrowed.
 * Errors: false with the reason in err (size bytes).
 */
#ifndef WOW_ALERTS_RULES_H
#define WOW_ALERTS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"

struct dashdb;

/* An enabled rule as the evaluation judges it. */
struct alerts_rule {
    char id[DASH_ID_MAX];
    char kind[32];
    char department[DASH_ID_MAX]; /* "": every one */
    double threshold;
    int64_t window_hours, min_responses;
    int rating; /* answer_count's face, 1..4; 0: none */
};

/* Every enabled rule, by id, into *rules (malloc'd, the caller frees it,
 * also after a failure) and *n. */
bool alerts_rules_enabled(struct dashdb *db, struct alerts_rule **rules, size_t *n, char *err,
                          size_t size);

/* A new rule: department "" for every department, rating 0 for none. */
struct alerts_rule_spec {
    const char *id, *kind, *department;
    double threshold;
    int64_t window_hours, min_responses;
    int rating;
};

/* Adds rule r, enabled, created at created_ms; *added false (nothing
 * written) when a rule with its id exists. */
bool alerts_rule_add(struct dashdb *db, const struct alerts_rule_spec *r, int64_t created_ms,
                     bool *added, char *err, size_t size);

/* One rule as the database spells it (borrowed, valid during the call):
 * rating NULL when none, enabled "1" or "0". */
struct alerts_rule_text {
    const char *id, *kind, *department, *threshold, *window_hours, *min_responses, *rating,
        *enabled;
};

/* Calls handle_rule for every rule, by id; stops (returning false) when
 * it returns false. */
bool alerts_rules_each(struct dashdb *db,
                       bool (*handle_rule)(void *ctx, const struct alerts_rule_text *r), void *ctx,
                       char *err, size_t size);

/* Disables rule id; *found false when there is none. */
bool alerts_rule_disable(struct dashdb *db, const char *id, bool *found, char *err, size_t size);

#endif
