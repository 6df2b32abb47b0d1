/*
 * refresher: the dashboard's refresh thread.  It keeps the rollups
 * (rollup.h) and the alerts (alerts.h) up to date on connections of its
 * own, and counts a generation that moves whenever what the pages show may
 * have changed, for the pages' live update (serve.c's /api/v1/live).
 *
 * Every every_ms: a full refresh (rollup_refresh, then alerts_evaluate).
 * Between them it listens (dashdb_wait_change): on PostgreSQL a LISTEN on
 * SCHEMA_COUNTS_CHANNEL on a connection of its own, on SQLite the file's
 * data_version, looked at once a second.  A signal is debounced
 * (REFRESHER_DEBOUNCE_MS from the first, so a burst of kiosks' rounds is
 * one refresh) and runs rollup_refresh_recent, which reads only the rows
 * stamped since the last one: cheap for a thousand kiosks.  A lost
 * listening connection is opened again with exponential back-off and
 * jitter (1 s up to REFRESHER_RELISTEN_MAX_MS); meanwhile the periodic
 * refresh goes on.
 */
#ifndef WOW_REFRESHER_H
#define WOW_REFRESHER_H

#include <stdbool.h>
#include <stdint.h>

#include "alerts.h"
#include "mail.h"
#include "clock.h"

#define REFRESHER_DEBOUNCE_MS     500
#define REFRESHER_RELISTEN_MAX_MS (60 * 1000)
#define REFRESHER_TICK_MS         1000 /* tick is called at least this often */

struct refresher_settings {
    const char *target; /* borrowed for the thread's life: conninfo or SQLite path */
    int64_t every_ms;   /* the full refresh's period */
    struct alerts_settings alerts;
    /* The email reports, after each full refresh (mail.h); mail.smtp.url
     * NULL: no mail.  Strings and zone borrowed for the thread's life. */
    struct mail_settings mail;
    struct clock clock;
    /* Called on the refresher's thread after each refresh that changed
     * something, with the new generation, and at least every
     * REFRESHER_TICK_MS with the current one; NULL: none.  Must not block. */
    void (*tick)(void *ctx, uint64_t generation);
    void *ctx;
};

struct refresher; /* opaque */

/* Starts the thread (settings copied).  NULL when it cannot start. */
struct refresher *refresher_start(const struct refresher_settings *settings);

/* Stops it (after the refresh in flight) and frees everything. NULL: no-op. */
void refresher_stop(struct refresher *refresher);

/* The generation: 1 after the first refresh, one more after each refresh
 * that recomputed rollups or opened or closed alerts.  Any thread. */
uint64_t refresher_generation(const struct refresher *refresher);

#endif
