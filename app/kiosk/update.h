/*
 * update: a catalog the sync received (docs/CATALOG.md) checked and run
 * without a restart.
 *
 * The sync thread keeps each catalog it fetches in the store and counts it
 * in its status (sync_status.catalogs_received).  The loop asks
 * update_poll every turn; at most every UPDATE_POLL_MS it reads that
 * status with the technician screen's try-lock (never waiting), and when
 * the count moved reads the latest catalog from the store and checks it
 * with the kiosk's own layers, as --check-config would (layers.h).  One
 * refused is marked so in the store with its error (the heartbeat reports
 * it) and the kiosk keeps what it runs.  One that passes waits for an idle
 * moment: the loop calls update_apply only when no customer is mid-flow
 * (update_idle, and nothing waiting to be recorded), and it swaps the
 * config in place and rebuilds what was made from it: the customer's
 * machine (hours, department, reasons, press filter, time-outs), the
 * zone, the translations, the heartbeat's departments.
 *
 * At start-up, update_startup does the same before anything reads the
 * config: a catalog received while the kiosk was stopped is checked, and
 * the latest applied one runs as the third layer.
 */
#ifndef WOW_KIOSK_UPDATE_H
#define WOW_KIOSK_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clock.h"

#define UPDATE_POLL_MS 2000

struct config;
struct frame;
struct kiosk;
struct kiosk_view;
struct layers;
struct session;
struct status_sources;
struct sync_thread;
struct tz;

/* What an applied catalog replaces or rebuilds; all borrowed from the
 * program, which owns them (the pointers to pointers are replaced). */
struct update_parts {
    struct layers *layers;
    struct session *session;  /* the store the catalogs are in */
    struct sync_thread *sync; /* NULL: sync off, nothing comes */
    struct frame *frame;
    struct kiosk **kiosk;
    struct tz **tz;
    struct status_sources *sources;
    const char *assets_dir;
};

struct update; /* opaque */

/* Creates the updater; NULL when out of memory (logged): the kiosk runs
 * without catalog updates.  Free with update_destroy (NULL is a no-op). */
struct update *update_create(const struct update_parts *parts);
void update_destroy(struct update *update);

/* Before the parts exist: checks a catalog received and not yet checked,
 * and makes the latest applied one part of l (layers_use_catalog).  The
 * store at store_path is opened for kiosk l->config.kiosk_id and closed. */
void update_startup(struct layers *l, const char *store_path, int64_t now_utc_ms);

/* Learns of and checks a new catalog (at most every UPDATE_POLL_MS).
 * True while a checked one waits for an idle moment. */
bool update_poll(struct update *update, struct clock_now now);

/* True when view is a moment a catalog may change under: the closed or
 * picker screen, or a single-department kiosk's rating screen in the first
 * language, with nothing pressed. */
bool update_idle(const struct update *update, const struct kiosk_view *view);

/* Runs the waiting catalog; the caller has seen update_idle and nothing
 * waiting to be recorded.  True when it changed the config (redraw). */
bool update_apply(struct update *update, struct clock_now now);

/* When the loop should turn again to poll: INT64_MAX without sync. */
int64_t update_next_deadline_ms(const struct update *update, struct clock_now now);

/* The last refusal, "version N: FILE:LINE: key: message", or "" (for the
 * technician screen). */
const char *update_refused(const struct update *update);

/* The SQLite default (docs/CATALOG.md): a shared file at target whose
 * catalog is empty is seeded from the kiosk's own files (l's main file and
 * override, parsed as kiosk files by catalog_parse): version 1, made by
 * kiosk:ID, and this kiosk's rendering, which its next sync round fetches.
 * Nothing for a PostgreSQL target, "off", or the development defaults
 * (no file).  Logged. */
void update_seed(const struct layers *l, const char *target, int64_t now_utc_ms);

/* What the heartbeat says of config: department ("" in picker mode),
 * mode ("single", "picker") and a picker's department ids, comma-separated. */
void update_departments_of(const struct config *config, char *department, size_t department_size,
                           char *mode, size_t mode_size, char *departments,
                           size_t departments_size);

#endif
