/* fleet: the fleet page (see fleet.h). */
#include "fleet.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "strbuf.h"

void fleet_free(struct fleet *fleet)
{
    for (size_t i = 0; i < fleet->n; i++) {
        struct fleet_kiosk *k = &fleet->kiosks[i];
        free(k->kiosk_id);
        free(k->site);
        free(k->label);
        free(k->department);
        free(k->app_version);
        free(k->last_error);
        free(k->store_error);
        free(k->catalog_error);
        free(k->mode);
        free(k->departments);
        free(k->slot);
        free(k->update_version);
        free(k->update_state);
        free(k->update_error);
    }
    free(fleet->kiosks);
    names_free(&fleet->names);
    *fleet = (struct fleet){0};
}

bool fleet_kiosk_silent(const struct fleet_kiosk *kiosk, int64_t now_ms, int64_t silent_after_ms)
{
    return kiosk->last_seen_ms == 0 || now_ms - kiosk->last_seen_ms > silent_after_ms;
}

bool fleet_kiosk_has_error(const struct fleet_kiosk *kiosk)
{
    return kiosk->last_seen_ms != 0 &&
           (kiosk->last_error[0] != '\0' || (kiosk->catalog_error && kiosk->catalog_error[0]) ||
            (kiosk->store_error && kiosk->store_error[0]) || kiosk->store_waiting > 0);
}

void fleet_format_age(int64_t age_ms, char *buf, size_t size)
{
    int64_t s = age_ms / 1000;
    if (s <= 0)
        snprintf(buf, size, "just now");
    else if (s < 60)
        snprintf(buf, size, "%" PRId64 " s ago", s);
    else if (s < 3600)
        snprintf(buf, size, "%" PRId64 " min ago", s / 60);
    else if (s < 48 * 3600)
        snprintf(buf, size, "%" PRId64 " h ago", s / 3600);
    else
        snprintf(buf, size, "%" PRId64 " days ago", s / 86400);
}

void fleet_format_duration(int64_t ms, char *buf, size_t size)
{
    int64_t s = ms / 1000;
    if (s % 86400 == 0 && s > 0)
        snprintf(buf, size, "%" PRId64 " day%s", s / 86400, s == 86400 ? "" : "s");
    else if (s % 3600 == 0 && s > 0)
        snprintf(buf, size, "%" PRId64 " h", s / 3600);
    else if (s % 60 == 0 && s > 0)
        snprintf(buf, size, "%" PRId64 " min", s / 60);
    else
        snprintf(buf, size, "%" PRId64 " s", s);
}

bool fleet_kiosk_problem(const struct fleet_kiosk *kiosk, int64_t now_ms, int64_t silent_after_ms)
{
    return fleet_kiosk_silent(kiosk, now_ms, silent_after_ms) || fleet_kiosk_has_error(kiosk) ||
           kiosk->backlog >= FLEET_BACKLOG_PROBLEM;
}

/* A row and its sort class (0 silent, 1 error, 2 backlog, 3 fine),
 * computed once. */
struct ranked {
    const struct fleet_kiosk *kiosk;
    int rank;
};

static int compare_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->kiosk->kiosk_id, y->kiosk->kiosk_id);
}

bool fleet_order(const struct fleet *fleet, int64_t now_ms, int64_t silent_after_ms,
                 const struct fleet_kiosk ***order, struct fleet_summary *summary)
{
    *summary = (struct fleet_summary){.n = fleet->n};
    *order = NULL;
    struct ranked *rows = calloc(fleet->n ? fleet->n : 1, sizeof *rows);
    const struct fleet_kiosk **list = calloc(fleet->n ? fleet->n : 1, sizeof *list);
    if (!rows || !list) {
        free(rows);
        free(list);
        return false;
    }
    for (size_t i = 0; i < fleet->n; i++) {
        const struct fleet_kiosk *k = &fleet->kiosks[i];
        bool silent = fleet_kiosk_silent(k, now_ms, silent_after_ms);
        bool error = fleet_kiosk_has_error(k);
        bool backlog = k->backlog >= FLEET_BACKLOG_PROBLEM;
        summary->silent += silent;
        summary->errors += error;
        summary->backlogged += backlog;
        summary->problems += silent || error || backlog;
        rows[i] = (struct ranked){k, silent ? 0 : error ? 1 : backlog ? 2 : 3};
    }
    qsort(rows, fleet->n, sizeof *rows, compare_ranked);
    for (size_t i = 0; i < fleet->n; i++)
        list[i] = rows[i].kiosk;
    free(rows);
    *order = list;
    return true;
}

/* "2026-11-28 19:41:18 UTC" from the ISO form clock_format_utc writes. */
