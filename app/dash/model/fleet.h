/*
 * fleet: the fleet page, one row per kiosk from the shared database's
 * kiosks table (the heartbeat each kiosk sends with every push), so a
 * technician sees at a glance which kiosks have gone silent or report an
 * error.
 *
 * Its parts are pure functions of the rows, the time "now" and the
 * silence threshold, so tests feed them rows and a clock of their own;
 * fleet_render.c draws them, page_fleet (pages.h) puts that in the
 * dashboard's frame with paging, dashdb.c reads the rows, the router
 * supplies the real clock.
 */
#ifndef WOW_FLEET_H
#define WOW_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "rollout.h"

struct strbuf;

/* One kiosks row.  Times are milliseconds since the epoch, UTC. */
struct fleet_kiosk {
    char *kiosk_id, *site, *label, *department, *app_version;
    char *last_error;             /* "" when none */
    int64_t last_seen_ms;         /* the database's clock at the last heartbeat; 0: never seen */
    int64_t last_success_ms;      /* the last push that left nothing waiting; 0: never */
    int64_t backlog;              /* rows waiting on the kiosk */
    int64_t catalog_version;      /* the catalog version it runs; 0: none yet */
    char *catalog_error;          /* why it refused a newer one, "" when none (NULL: "") */
    char *mode;                   /* "single" or "picker" (NULL: "single") */
    char *departments;            /* a picker's department ids, comma-separated (NULL: "") */
    int64_t store_waiting;        /* records in the kiosk's memory: its store fails */
    char *store_error;            /* the kiosk store's last failure, "" (NULL: "") */
    int64_t store_error_since_ms; /* the kiosk's clock when its store started failing; 0 */
    char *slot;                   /* the A/B system slot it booted, "" (NULL: "") */
    char *update_version;         /* the bundle its update report is about, "" (NULL: "") */
    char *update_state;           /* downloading, installing, trying, good, failed... (NULL: "") */
    char *update_error;           /* why it failed, refused or fell back (NULL: "") */
};

/* The newest staged rollout of a system bundle (updates.h), if any. */
#define FLEET_STARTABLE_MAX 20

struct fleet_rollout {
    bool found;
    char version[64];
    enum rollout_stage stage, paused_from;
    char note[512];
    /* who changed its stage last, and when: a user, or "wowdash" when the
       dashboard paused or ended it by itself */
    char changed_by[64];
    int64_t changed_ms;
    struct rollout_progress progress;
    /* published bundles never rolled out, newest first: what a new
       rollout may start with */
    char startable[FLEET_STARTABLE_MAX][64];
    int startable_n;
};

/* The rows of one read; every string in kiosks[] is owned by the fleet. */
struct fleet {
    struct fleet_kiosk *kiosks;
    size_t n;
    int64_t newest_version; /* the catalog in force (catalog_versions' max); 0: none */
    struct names names;     /* the catalog's names in the viewer's language */
    struct fleet_rollout rollout;
};

/* Frees every row and its strings, and empties the fleet. */
void fleet_free(struct fleet *fleet);

/* Silent: never seen, or no heartbeat for longer than silent_after_ms. */
bool fleet_kiosk_silent(const struct fleet_kiosk *kiosk, int64_t now_ms, int64_t silent_after_ms);

/* With an error: a kiosk that has reported (last_seen_ms != 0) a
 * non-empty last_error or catalog_error (a catalog it refused).  A provisioned kiosk's "never seen"
 * note is not an error: silence says it already. */
bool fleet_kiosk_has_error(const struct fleet_kiosk *kiosk);

/* "just now", "42 s ago", "3 min ago", "5 h ago", "12 days ago" for an
 * age in milliseconds (a negative age, a clock ahead of ours, is "just
 * now"), into buf of size bytes. */
void fleet_format_age(int64_t age_ms, char *buf, size_t size);

/* "90 s", "15 min", "2 h", "1 day": a duration as a person says it. */
void fleet_format_duration(int64_t ms, char *buf, size_t size);

/* A backlog of at least this many rows waiting on a kiosk is a problem:
 * a kiosk that syncs keeps a few rows at most between pushes. */
#define FLEET_BACKLOG_PROBLEM 100

/* A problem kiosk: silent, with an error, or with a backlog of at least
 * FLEET_BACKLOG_PROBLEM rows. */
bool fleet_kiosk_problem(const struct fleet_kiosk *kiosk, int64_t now_ms, int64_t silent_after_ms);

/* How many kiosks, and how many of them are silent, with errors, with a
 * backlog, and problems (any of those). */
struct fleet_summary {
    size_t n, silent, errors, backlogged, problems;
};

/* The kiosks in the order the page shows them: silent first, then with
 * errors, then with a backlog, then the rest, each by kiosk id; into
 * *order a malloc'd array of fleet->n pointers into fleet (the caller
 * frees the array, not the rows), and the counts into *summary.  False
 * when out of memory. */
bool fleet_order(const struct fleet *fleet, int64_t now_ms, int64_t silent_after_ms,
                 const struct fleet_kiosk ***order, struct fleet_summary *summary);

#endif
