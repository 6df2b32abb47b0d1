/*
 * dashq: the dashboard's questions to the database, answered as the plain
 * values of dashview.h for one user and one filter.
 *
 * Reads only the rollups (dash_day, dash_hour, dash_reason_day; rollup.h)
 * and kiosks, dash_departments, dash_groups.  Every function applies the
 * user's scope (dash_user_sees: an admin sees every department, a head
 * those in its list, a technician none, but for dashq_kiosks) on top of
 * the filter's department, group and misuse: a filter never widens what a
 * user sees.  Department and group ids go into the SQL as quoted literals
 * (ids holding a backslash or a control character match nothing).
 *
 * Counts: a face's count is its rating_N, plus misuse_N when the filter
 * includes misuse.  Rows come out in a fixed order (documented per
 * function), so paging with offset and limit is stable; `more` says
 * whether rows exist past offset + limit.
 *
 * Ownership: *out is emptied first and owned by the caller afterwards,
 * freed with the dashview.h *_free function, also after a failure.
 * Errors: false (or DASHQ_ERROR) with the reason in err (size bytes).
 */
#ifndef WOW_DASHQ_H
#define WOW_DASHQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"

struct dashdb;

enum dashq_status {
    DASHQ_OK,
    DASHQ_NOT_FOUND,
    DASHQ_ERROR,
    DASHQ_INVALID /* bad input: err names the field */
};

/* The kiosks of the departments u sees (a picker's when it offers one of
 * them), with their sites named in u->lang, for the filter's selects;
 * out emptied first, the caller frees it with dash_places_free. */
bool dashq_places(struct dashdb *db, const struct dash_user *u, struct dash_places *out, char *err,
                  size_t size);

/* The departments u may see: those described in dash_departments, those
 * with rollup rows, those a kiosk is in now and those a picker kiosk
 * offers (kiosks.departments); a kiosks row's '' (a picker's) is none.
 * Named by the catalog in u->lang (else its first language), else by
 * their description, else by their id.  Sorted by name, then id. */
bool dashq_departments(struct dashdb *db, const struct dash_user *u, struct dash_departments *out,
                       char *err, size_t size);

/* The league over f's period: one row per department u sees (restricted
 * by f's department or group), every one even without responses, then
 * one per group of them summing its departments' counts; with the
 * previous period of the same length and the daily counts. */
bool dashq_league(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                  struct dash_league *out, char *err, size_t size);

/* Each department row of league (made by dashq_league for f): its
 * responses by weekday (0 = Monday) and each kiosk's local hour over f's
 * period and places, into row->weekhour (7 * 24, weekday-major; owned by
 * the league, freed with it).  Group rows are left without. */
bool dashq_league_weekhours(struct dashdb *db, const struct dash_filter *f,
                            struct dash_league *league, char *err, size_t size);

/* One department over f's period (f's department and group are ignored):
 * totals, the previous period, the trend (hourly when the period is at
 * most DASH_HOURLY_MAX_DAYS days), the hour x weekday heat map, reasons
 * (per question, the positive first: the catalog's in its list's order,
 * then the others most frequent first; labelled in u's language) and
 * kiosks (by id).  DASHQ_NOT_FOUND when u may
 * not see it or nobody knows it. */
enum dashq_status dashq_department(struct dashdb *db, const struct dash_user *u,
                                   const struct dash_filter *f, const char *department,
                                   struct dash_department *out, char *err, size_t size);

/* Counts per day (or per day and hour when hourly) and department (and
 * kiosk when per_kiosk), ordered by day, hour, department, kiosk; rows
 * with no taps at all are absent. */
bool dashq_counts(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                  bool hourly, bool per_kiosk, int64_t offset, int64_t limit,
                  struct dash_count_rows *out, char *err, size_t size);

/* As dashq_counts per week: a row's day is its week's Monday, and only the
 * period's days are counted in it (a period starting on a Wednesday has a
 * first week of five days).  Ordered by week, department, kiosk. */
bool dashq_counts_weekly(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                         bool per_kiosk, int64_t offset, int64_t limit, struct dash_count_rows *out,
                         char *err, size_t size);

/* Follow-up counts per day, department, question, reason, ended_by (and
 * misuse, whose rows come only when f includes misuse), in that order. */
bool dashq_reasons(struct dashdb *db, const struct dash_user *u, const struct dash_filter *f,
                   int64_t offset, int64_t limit, struct dash_reason_count_rows *out, char *err,
                   size_t size);

/* The kiosks' heartbeat rows by kiosk id: every one for an admin or a
 * technician, a head's those now in its departments.  Counts are zero. */
bool dashq_kiosks(struct dashdb *db, const struct dash_user *u, int64_t offset, int64_t limit,
                  struct dash_kiosk_rows *out, char *err, size_t size);

#endif
