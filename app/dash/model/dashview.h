/*
 * dashview: what the dashboard's pages and API show, as plain values.
 * The database side (dashq.h) fills them for a user and a filter; the
 * pages (pages.h) and the API (api.h) draw them; neither knows the other.
 *
 * Days: a "day" is a local calendar date as days since 1970-01-01, in the
 * time zone of the kiosk that counted the taps (kiosks.timezone), the
 * rollups' unit (schema.h).  Periods are half-open [from_day, to_day).
 *
 * Ownership: every pointer member is owned by its struct and freed by the
 * matching *_free function, which also resets the struct to empty and
 * may be called on an empty one.  Fixed-size text members are always
 * NUL-terminated (longer values are cut, never overrun).
 */
#ifndef WOW_DASHVIEW_H
#define WOW_DASHVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DASH_ID_MAX   64  /* department, group, kiosk ids and user names, with the NUL */
#define DASH_NAME_MAX 128 /* display names and reasons, with the NUL */

/* The four faces' counts: n[0] very unhappy .. n[3] WOW. */
struct dash_counts {
    int64_t n[4];
};

enum dash_period {
    DASH_PERIOD_TODAY,
    DASH_PERIOD_YESTERDAY,
    DASH_PERIOD_THIS_WEEK, /* Monday to today */
    DASH_PERIOD_LAST_WEEK,
    DASH_PERIOD_LAST_30_DAYS, /* the default: 30 days ending today */
    DASH_PERIOD_THIS_MONTH,
    DASH_PERIOD_LAST_7_DAYS,  /* 7 days ending today */
    DASH_PERIOD_LAST_90_DAYS, /* 90 days ending today */
    DASH_PERIOD_THIS_QUARTER, /* the calendar quarter to today */
    DASH_PERIOD_THIS_YEAR,    /* year to date */
    DASH_PERIOD_CUSTOM,       /* from and to given as dates */
};

/* What every page and API call is filtered by (from the query string). */
struct dash_filter {
    enum dash_period period;
    int32_t from_day, to_day;     /* [from, to) */
    char department[DASH_ID_MAX]; /* "": every department the user may see */
    char group[DASH_ID_MAX];      /* "": any group */
    char site[DASH_NAME_MAX];     /* "": every site; else the kiosks at this site (kiosks.site) */
    char kiosk[DASH_ID_MAX];      /* "": every kiosk; else this kiosk's counts only */
    bool include_misuse;          /* count taps the press filter flagged (off by default) */
    char audience[12]; /* "": every department; "customers" or "colleagues": those rated by them */
    /* The period as UTC milliseconds [from, to), set where alerts are
     * listed by period (the alerts page): those open at any time in it.
     * 0, 0: alerts are not narrowed by time. */
    int64_t alerts_from_ms, alerts_to_ms;
};

/* A period of at most this many days is drawn per hour, longer per day. */
#define DASH_HOURLY_MAX_DAYS 2

enum dash_role { DASH_ROLE_ADMIN, DASH_ROLE_HEAD, DASH_ROLE_TECHNICIAN };

/* Who is asking, from a session or an API token (auth.h). */
struct dash_user {
    char name[DASH_ID_MAX];
    enum dash_role role;
    /* A head's departments, its groups expanded (owned, n_departments
     * entries); unused for the other roles. */
    char (*departments)[DASH_ID_MAX];
    size_t n_departments;
    /* May start, promote, pause, resume and stop a system update's
     * rollout: every admin, and a technician an admin allowed (schema
     * step 16, wowdash user rollouts NAME on). */
    bool may_roll_out;
    /* The language the catalog's names are shown in (names.h): "" for the
     * catalog's first language. */
    char lang[16];
};

void dash_user_free(struct dash_user *user);

/* Who a department's figures come from: "colleagues" for an internal one,
 * else "customers" (static strings; the API's audience field and the
 * ?audience= filter's values). */
const char *dash_audience(bool internal);

/* Whether user may see department's numbers: an admin every one, a head
 * those in its list, a technician none. */
bool dash_user_sees(const struct dash_user *user, const char *department);

/* ---- overview ---------------------------------------------------------- */

struct dash_league_row {
    char id[DASH_ID_MAX]; /* a department's id, or a group's when is_group */
    char name[DASH_NAME_MAX];
    char group[DASH_ID_MAX];   /* a department's group, "" for none */
    bool is_group;             /* a group: its departments' counts summed */
    bool internal;             /* a department rated by colleagues (customer_facing = false) */
    struct dash_counts now;    /* over the filter's period */
    struct dash_counts prev;   /* over the period as long just before it */
    struct dash_counts *daily; /* owned: to_day - from_day entries, for the sparkline */
    /* The period's last DASH_RECENT_DAYS days, and the DASH_RECENT_BASE_DAYS
     * before them: a slip of a week or two shows here undiluted. */
    struct dash_counts recent, before;
    /* By weekday (0 = Monday) and local hour, weekday-major, 7 * 24 (the
     * consistency column); owned; NULL unless dashq_league_weekhours read it. */
    struct dash_counts *weekhour;
};

#define DASH_RECENT_DAYS      7
#define DASH_RECENT_BASE_DAYS 28

struct dash_league {
    int32_t from_day, to_day;
    /* owned; the departments the viewer sees, then one row per group of
     * them summing every department of that group (also those the viewer
     * does not see: a head's benchmark), unsorted */
    struct dash_league_row *rows;
    size_t n;
    /* Every department of the organisation over the period, counts only
     * (no ids: a head's benchmark must not name them); owned, all_n
     * entries.  org_now/org_prev are their sum. */
    struct dash_counts *all_now;
    size_t all_n;
    struct dash_counts org_now, org_prev;
};

void dash_league_free(struct dash_league *league);

/* ---- a department ------------------------------------------------------ */

/* One step of a trend: a day, or an hour of a day when hour >= 0. */
struct dash_point {
    int32_t day;
    int8_t hour; /* -1: the whole day */
    struct dash_counts c;
};

struct dash_reason_row {
    char question[16];          /* "positive" or "negative" */
    char reason[DASH_NAME_MAX]; /* "" when ended_by is skipped or timeout */
    char ended_by[16];          /* "chosen", "skipped", "timeout" */
    int64_t n;
    char label[DASH_NAME_MAX]; /* the catalog's label in the viewer's language, else reason */
    int position;              /* its place in the catalog's list; -1: not in the catalog */
};

struct dash_kiosk_row {
    char kiosk_id[DASH_ID_MAX];
    char site[DASH_NAME_MAX];
    char site_name[DASH_NAME_MAX]; /* the catalog's name of the site, else site */
    char label[DASH_NAME_MAX];
    char department[DASH_ID_MAX]; /* where the kiosk is now (its heartbeat); "" for a picker */
    char department_name[DASH_NAME_MAX];
    char mode[16];                            /* "single" or "picker" */
    char departments[DASH_NAME_MAX];          /* a picker's department ids, comma-separated */
    char department_names[DASH_NAME_MAX * 2]; /* their names, ", "-separated */
    int64_t catalog_version;                  /* the version it runs; 0: none yet */
    char catalog_error[DASH_NAME_MAX * 2];    /* why it refused the newest one; "" */
    char app_version[DASH_ID_MAX];
    char last_error[DASH_NAME_MAX * 2];
    int64_t last_seen_ms; /* 0: never seen */
    int64_t last_success_ms;
    int64_t backlog;
    int64_t store_waiting;                /* records in the kiosk's memory: its store fails */
    char store_error[DASH_NAME_MAX * 2];  /* the kiosk store's last failure; "" */
    int64_t store_error_since_ms;         /* the kiosk's clock when it started failing; 0 */
    char slot[16];                        /* the A/B system slot it booted; "" */
    char update_version[DASH_ID_MAX];     /* the bundle its update report is about; "" */
    char update_state[32];                /* where that update stands (DEPLOY.md); "" */
    char update_error[DASH_NAME_MAX * 2]; /* why it failed, as the kiosk said; "" */
    struct dash_counts c;                 /* its taps for this department in the period */
};

struct dash_department {
    char id[DASH_ID_MAX];
    char name[DASH_NAME_MAX];
    char group[DASH_ID_MAX];
    char group_name[DASH_NAME_MAX];
    struct dash_counts total, prev; /* the period, and the one before */
    bool hourly;                    /* trend per hour (a short period) */
    struct dash_point *trend;       /* owned; every step of the period, empty ones too */
    size_t trend_n;
    struct dash_counts heat[7][24];  /* [weekday, 0 = Monday][local hour] */
    struct dash_reason_row *reasons; /* owned; the catalog's order, then most frequent first */
    size_t reasons_n;
    struct dash_kiosk_row
        *kiosks; /* owned; kiosks that counted here in the period, or are here now */
    size_t kiosks_n;
};

void dash_department_free(struct dash_department *department);

/* ---- departments and groups (filters, the API) ------------------------- */

struct dash_department_info {
    char id[DASH_ID_MAX];
    char name[DASH_NAME_MAX]; /* the id when nobody described it */
    char group[DASH_ID_MAX];
    char group_name[DASH_NAME_MAX];
    /* customer_facing = false in the catalog: its raters are colleagues,
       the internal customers it serves (docs/DASHBOARD.md, "Internal teams") */
    bool internal;
};

struct dash_departments {
    struct dash_department_info *items; /* owned; by name */
    size_t n;
};

void dash_departments_free(struct dash_departments *list);

/* A kiosk a viewer may filter by, and its site. */
struct dash_place {
    char kiosk_id[DASH_ID_MAX];
    char label[DASH_NAME_MAX];     /* the kiosk's label ("" none) */
    char site[DASH_NAME_MAX];      /* kiosks.site: the filter's value */
    char site_name[DASH_NAME_MAX]; /* the catalog's name for it, else the site */
};

/* The kiosks of the departments a viewer sees, by site then kiosk id. */
struct dash_places {
    struct dash_place *items; /* owned */
    size_t n;
};

void dash_places_free(struct dash_places *places);

/* ---- alerts ------------------------------------------------------------ */

enum dash_alert_state { DASH_ALERT_OPEN, DASH_ALERT_ACKNOWLEDGED, DASH_ALERT_CLOSED };

struct dash_comment {
    char user[DASH_ID_MAX];
    int64_t at_ms;
    char *body; /* owned */
};

#define ALERT_RESOLUTION_MAX 1001 /* bytes of a resolution note, with its NUL */

struct dash_alert {
    int64_t id;
    char source[DASH_ID_MAX]; /* "slip" or a rule's id */
    char kind[32];            /* "slip", "negative_share", "index_below", ... */
    char department[DASH_ID_MAX];
    char department_name[DASH_NAME_MAX];
    enum dash_alert_state state;
    int64_t opened_ms, acked_ms, closed_ms; /* 0: not yet */
    char acked_by[DASH_ID_MAX];
    double value;               /* what tripped it: a share 0..1, an index 0..100, a count */
    double baseline;            /* the slip detector's baseline share; NaN for rules */
    int64_t responses;          /* over how many responses value stands */
    char detail[256];           /* one sentence a person reads */
    bool rise;                  /* good news: the index rose (source "rise") */
    int64_t change_ms;          /* the detector's change point; 0: none (rules) */
    char assignee[DASH_ID_MAX]; /* who owns it; "": nobody yet */
    char assigned_by[DASH_ID_MAX];
    int64_t assigned_ms;
    char resolved_by[DASH_ID_MAX]; /* who said what was done; "": not yet */
    int64_t resolved_ms;
    char resolution[ALERT_RESOLUTION_MAX]; /* what was done */
    struct dash_comment *comments;         /* owned; oldest first (filled for one alert) */
    size_t comments_n;
};

struct dash_alerts {
    struct dash_alert *items; /* owned */
    size_t n;
    bool more; /* another page exists */
};

void dash_alerts_free(struct dash_alerts *alerts);

/* ---- the API's rows ---------------------------------------------------- */

struct dash_count_row {
    int32_t day;
    int8_t hour; /* -1 for daily rows */
    char department[DASH_ID_MAX];
    char department_name[DASH_NAME_MAX];
    char kiosk_id[DASH_ID_MAX]; /* "" unless rows are per kiosk */
    bool internal;              /* the department's raters are colleagues, not customers */
    struct dash_counts c;       /* with misuse only when the filter includes it */
    struct dash_counts misuse;  /* the flagged taps, always */
};

struct dash_count_rows {
    struct dash_count_row *items; /* owned */
    size_t n;
    bool more; /* rows exist past offset + limit */
};

void dash_count_rows_free(struct dash_count_rows *rows);

struct dash_reason_count_row {
    int32_t day;
    char department[DASH_ID_MAX];
    char department_name[DASH_NAME_MAX];
    struct dash_reason_row r;
    bool misuse;
    bool internal; /* the department's raters are colleagues, not customers */
};

struct dash_reason_count_rows {
    struct dash_reason_count_row *items; /* owned */
    size_t n;
    bool more;
};

void dash_reason_count_rows_free(struct dash_reason_count_rows *rows);

struct dash_kiosk_rows {
    struct dash_kiosk_row *items; /* owned */
    size_t n;
    bool more;
};

void dash_kiosk_rows_free(struct dash_kiosk_rows *rows);

/* Makes room for element n in *items, an array of *cap elements of each
 * bytes owned by the caller: doubles it when full (16 the first time).
 * false when out of memory (*items and *cap unchanged). */
bool dash_grow(void **items, size_t n, size_t *cap, size_t each);

/* ---- days -------------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int32_t dash_day_from_date(int year, int month, int day);
void dash_date_from_day(int32_t day, int *year, int *month, int *mday);
/* 0 = Monday .. 6 = Sunday */
int dash_weekday(int32_t day);
/* "YYYY-MM-DD" into buf (at least 11 bytes). */
void dash_day_format(int32_t day, char *buf, size_t size);
/* Parses "YYYY-MM-DD" (a real date); false otherwise. */
bool dash_day_parse(const char *text, int32_t *day);

#endif
