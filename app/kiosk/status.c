/*
 * status: the kiosk's own report (see status.h).
 */
#include "status.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "net.h"
#include "session.h"
#include "store.h"
#include "sync.h"
#include "tz.h"
#include "ui.h"

#define DAY_MS (24 * 60 * 60 * 1000LL)

/* SQLite's value of PRAGMA synchronous for FULL, which the store sets. */
#define SYNCHRONOUS_FULL 2

bool status_run_checks(struct status *s, const char *store_path)
{
    const char *driver = syscheck_video_driver();
    struct syscheck_options o = {.root = "",
                                 .kmsdrm = driver != NULL && strcmp(driver, "kmsdrm") == 0,
                                 .store_path = store_path};
    syscheck_run(&o, &s->checks);
    syscheck_log(&s->checks);
    s->problem[0] = '\0';
    if (syscheck_count(&s->checks, SYSCHECK_WARN) > 0)
        syscheck_summary(&s->checks, s->problem, sizeof s->problem);
    return syscheck_count(&s->checks, SYSCHECK_ERROR) == 0;
}

void status_no_display(struct status *s)
{
    /* what failed was logged last on this thread: a missing font is not a
     * missing screen, and the fleet page should say which */
    const char *driver = syscheck_video_driver(), *why = log_thread_last_error();
    snprintf(s->problem, sizeof s->problem, "no display could be opened (%s)%s%s",
             driver != NULL ? driver : "default driver", why[0] ? ": " : "", why);
}

void status_headless(struct status *s, const char *reason)
{
    snprintf(s->problem, sizeof s->problem, "headless: %s", reason);
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return ((a % b) + b) % b;
}

static bool same_day(struct tz_local a, struct tz_local b)
{
    return a.year == b.year && a.month == b.month && a.day == b.day;
}

int64_t status_local_midnight_utc(const struct tz *tz, int64_t utc_ms)
{
    struct tz_local now = tz_to_local(tz, utc_ms);
    int64_t wall_ms = utc_ms + (int64_t)now.utc_offset_s * 1000;
    int64_t midnight_wall_ms = wall_ms - floor_mod(wall_ms, DAY_MS);
    /* Midnight with now's offset, and with the offset found there: on the
     * day the clocks change one of them is today's 00:00 (or, when the
     * clocks skipped midnight, the moment they jumped into today). */
    int64_t by_now = midnight_wall_ms - (int64_t)now.utc_offset_s * 1000;
    int64_t by_then = midnight_wall_ms - (int64_t)tz_to_local(tz, by_now).utc_offset_s * 1000;
    bool now_ok = same_day(tz_to_local(tz, by_now), now);
    bool then_ok = same_day(tz_to_local(tz, by_then), now);
    if (now_ok && (!then_ok || by_now < by_then))
        return by_now; /* the earlier of two midnights, when the clocks went back at one */
    return by_then;
}

static void row(struct ui_technician *t, const char *label, bool warn, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void row(struct ui_technician *t, const char *label, bool warn, const char *fmt, ...)
{
    if (t->row_count >= UI_INFO_ROWS)
        return;
    struct ui_info_row *r = &t->rows[t->row_count++];
    snprintf(r->label, sizeof r->label, "%s", label);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->value, sizeof r->value, fmt, ap);
    va_end(ap);
    r->warn = warn;
}

static void format_duration(int64_t s, char *buf, size_t size)
{
    if (s >= 86400)
        snprintf(buf, size, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        snprintf(buf, size, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(buf, size, "%lld min %lld s", (long long)(s / 60), (long long)(s % 60));
}

/* Taps since local midnight in the kiosk's zone. */
static void row_today(struct ui_technician *t, const struct status_sources *src,
                      struct clock_now now)
{
    struct store *store = src->session != NULL ? session_store_try(src->session) : NULL;
    if (store == NULL) {
        row(t, "Today", true, "the store is not open, or busy writing");
        return;
    }
    int64_t n[5], misuse;
    int rc =
        store_count_taps(store, NULL, status_local_midnight_utc(src->tz, now.utc_ms), n, &misuse);
    session_store_release(src->session);
    if (rc != 0) {
        row(t, "Today", true, "cannot read the counts (see the journal)");
        return;
    }
    row(t, "Today", false,
        "%lld taps: WOW %lld, happy %lld, unhappy %lld, very unhappy %lld; %lld misuse",
        (long long)(n[1] + n[2] + n[3] + n[4]), (long long)n[4], (long long)n[3], (long long)n[2],
        (long long)n[1], (long long)misuse);
}

/* sync: the sync thread's status as status_rows read it; NULL when off. */
static void row_sync(struct ui_technician *t, const struct sync_status *sync)
{
    if (sync == NULL) {
        row(t, "Sync", false, "off: counts stay on this kiosk");
        return;
    }
    const struct sync_status s = *sync;
    bool failing = s.state == SYNC_STATE_FAILING;
    if (failing)
        row(t, "Sync", true, "%s failing (%d in a row): %s", s.backend, s.consecutive_failures,
            s.last_error);
    else
        row(t, "Sync", false, "%s %s", s.backend, sync_state_name(s.state));
    char when[32] = "never";
    if (s.last_success_utc_ms != 0)
        clock_format_utc(s.last_success_utc_ms, when, sizeof when);
    row(t, "Last sync", s.backlog > 0 && failing, "%s, backlog %lld rows", when,
        (long long)s.backlog);
}

static void row_store(struct ui_technician *t, const struct status_sources *src)
{
    struct session_health h = {0};
    if (src->session != NULL)
        session_health(src->session, &h);
    char since[32] = "";
    if (h.since_utc_ms > 0)
        clock_format_utc(h.since_utc_ms, since, sizeof since);
    if (!h.store_open)
        row(t, "Store", true, "NOT OPEN (%s) since %s; %d records wait in memory: %s",
            src->store_path, since, h.waiting, h.error);
    else if (h.error[0] != '\0')
        row(t, "Store", true, "FAILING since %s, %s; %d records wait in memory: %s", since,
            src->store_path, h.waiting, h.error);
    else
        row(t, "Store", h.waiting > 0, "ok, %s, %d waiting", src->store_path, h.waiting);
    if (h.spill_files > 0 || h.dropped > 0)
        row(t, "Spilled", true, "%d spill files wait for the store; %d records lost", h.spill_files,
            h.dropped);
}

static void row_kiosk(struct ui_technician *t, const struct status_sources *src)
{
    const struct config *c = src->config;
    row(t, "Kiosk", false, "%s%s%s%s, %s", c->kiosk_id, c->label[0] ? " (" : "", c->label,
        c->label[0] ? ")" : "", c->site[0] ? c->site : "no site");
    if (c->mode == CONFIG_MODE_PICKER)
        row(t, "Department", false, "picker: customers choose among %d", c->department_count);
    else
        row(t, "Department", false, "%s (%s)%s", c->departments[c->department].name.lang[0],
            c->departments[c->department].id,
            src->department_overridden ? ", set on this kiosk" : "");
}

/* The program's version, the system slot and a system update under way
 * (the updater's report, as the sync thread last read it). */
static void row_version(struct ui_technician *t, const struct sync_status *sync)
{
    if (sync == NULL || sync->update.state[0] == '\0') {
        row(t, "Version", false, "wowkiosk %s", WOW_VERSION);
        return;
    }
    const struct sync_update_report *u = &sync->update;
    bool bad = !strcmp(u->state, "failed") || !strcmp(u->state, "fallback") ||
               !strcmp(u->state, "refused");
    row(t, "Version", bad, "wowkiosk %s%s%s; update %s: %s%s%s", WOW_VERSION,
        u->slot[0] ? ", slot " : "", u->slot, u->version, u->state, u->error[0] ? ": " : "",
        u->error);
}

/* The catalog version the kiosk runs, and one it refused since. */
static void row_catalog(struct ui_technician *t, const struct status_sources *src)
{
    bool refused = src->catalog_refused != NULL && src->catalog_refused[0] != '\0';
    char runs[48];
    if (src->config->catalog_version > 0)
        snprintf(runs, sizeof runs, "version %lld", (long long)src->config->catalog_version);
    else
        snprintf(runs, sizeof runs, "none yet: the local files alone");
    row(t, "Catalog", refused, "%s%s%s", runs, refused ? "; refused " : "",
        refused ? src->catalog_refused : "");
}

void status_rows(const struct status *s, const struct status_sources *src, struct clock_now now,
                 struct ui_technician *t)
{
    t->row_count = 0;
    struct sync_status sync_status; /* read once for the rows that show it */
    const struct sync_status *sync =
        src->sync != NULL && sync_thread_status(src->sync, &sync_status) ? &sync_status : NULL;
    row_kiosk(t, src);
    char address[96];
    net_primary_address(address, sizeof address);
    row_version(t, sync);
    bool stale = src->config_problem != NULL && src->config_problem[0] != '\0';
    row(t, "Config", src->department_overridden || stale, "%s%s%s", src->config_files,
        stale ? "; " : "", stale ? src->config_problem : "");
    row_catalog(t, src);
    row(t, "Network", strcmp(address, "no network") == 0, "%s", address);
    row_today(t, src, now);
    row_sync(t, sync);
    row_store(t, src);
    row(t, "Checks", s->problem[0] != '\0', "%s",
        s->problem[0] ? s->problem : "start-up checks passed");
    char program[32], system[32];
    format_duration(net_seconds_since_start(s->start_mono_ms), program, sizeof program);
    format_duration(net_seconds_since_boot(), system, sizeof system);
    row(t, "Uptime", false, "%s (program), %s (system)", program, system);
}

bool status_store_usable(const char *path, const char *kiosk_id, int64_t now_utc_ms, char *detail,
                         size_t size)
{
    struct store *store = NULL;
    struct store_health health;
    if (store_open(&store, path, kiosk_id, now_utc_ms, &health) != 0) {
        snprintf(detail, size, "%s cannot be opened (see the log above)", path);
        return false;
    }
    long long synchronous = -1;
    int64_t n[5], misuse;
    bool durable = store_pragma_int(store, "synchronous", &synchronous) == 0 &&
                   synchronous == SYNCHRONOUS_FULL;
    bool readable = store_count_taps(store, NULL, 0, n, &misuse) == 0;
    if (!durable)
        snprintf(detail, size, "%s opened, but synchronous is %lld, not FULL", path, synchronous);
    else if (!readable)
        snprintf(detail, size, "%s opened, but its counts cannot be read (see the log above)",
                 path);
    else
        snprintf(detail, size,
                 "%s: quick_check ok, WAL, schema version %d, synchronous FULL, counts "
                 "readable%s%s%s",
                 path, STORE_SCHEMA_VERSION,
                 health.quarantined ? " (a damaged file was moved aside)" : "",
                 health.kiosk_id_changed ? "; made for kiosk " : "",
                 health.kiosk_id_changed ? store_kiosk_id(store) : "");
    store_close(store);
    return durable && readable;
}
