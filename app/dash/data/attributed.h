/*
 * attributed: the customers' answers traced to the team that owns their
 * cause (docs/DASHBOARD.md, "Internal teams").  A catalog reason may name
 * an owner (docs/CATALOG.md); every negative answer a customer chose at a
 * customer-facing department that names one of a team's reasons counts
 * for that team, whatever department the customer rated.
 *
 * Reads dash_reason_day (chosen answers of the negative list, misuse only
 * when the filter includes it, the filter's site and kiosk), catalog_reasons
 * and dash_departments.  The team must be one the user sees; the places
 * the answers came from are named although the user may not see those
 * departments' pages: how many of its customers' answers point at the team
 * is the team's own figure.
 *
 * Ownership: *out is emptied first and owned by the caller afterwards,
 * freed with attributed_free, also after a failure.  Errors: false (or
 * DASHQ_ERROR) with the reason in err (size bytes).
 */
#ifndef WOW_ATTRIBUTED_H
#define WOW_ATTRIBUTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashq.h"

/* A department where customers named the team's reasons, or one of the
 * team's reasons; n answers in the period. */
struct attributed_item {
    char id[DASH_ID_MAX];
    char name[DASH_NAME_MAX];
    int64_t n;
};

struct attributed {
    char team[DASH_ID_MAX];
    char name[DASH_NAME_MAX];
    bool internal;    /* the team is not customer-facing (its ratings are colleagues') */
    int64_t n;        /* customers' answers naming the team's reasons in the period */
    int64_t prev;     /* the same over as many days just before */
    int64_t negative; /* every negative answer customers chose in the period */
    double share;     /* n / negative; NaN when negative is 0 */
    int64_t *daily;   /* owned; days entries, the period's days in order */
    int32_t from_day; /* daily[0]'s day */
    size_t days;
    struct attributed_item *places; /* owned; most answers first, then by id */
    size_t places_n;
    struct attributed_item *reasons; /* owned; most answers first, then by id */
    size_t reasons_n;
    size_t owned_reasons; /* reasons the catalog gives the team (answered or not) */
};

void attributed_free(struct attributed *a);

/* The team's attributed answers over f's period (f's department and group
 * are ignored; its site, kiosk and misuse apply).  DASHQ_NOT_FOUND when u
 * may not see the team. */
enum dashq_status attributed_read(struct dashdb *db, const struct dash_user *u,
                                  const struct dash_filter *f, const char *team,
                                  struct attributed *out, char *err, size_t size);

/* The internal teams u sees (those f's department or group selects), each
 * with its attributed answers (n, prev, negative, share; no lists), most
 * answers first, then by id: the league of customer impact.  *out is an
 * owned array of *n (free each with attributed_free, then the array). */
bool attributed_league(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                       struct attributed **out, size_t *n, char *err, size_t size);

#endif
