/*
 * kiosks: the one reader of the kiosks table (the heartbeat rows the sync
 * writes, app/sync/schema.c) on the dashboard's side: one column list and
 * one row, struct kiosk_record, for the department page's and the API's
 * kiosk lists (dashq.h) and the fleet page (kiosks_read_fleet).
 *
 * Errors: false with the reason in err (size bytes).
 */
#ifndef WOW_KIOSKS_H
#define WOW_KIOSKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dashdb;
struct dashdb_value;
struct fleet;

/* One kiosks row.  The strings are borrowed from the query (valid only
 * during the handler's call), "" for NULL; the numbers 0 for NULL. */
struct kiosk_record {
    const char *kiosk_id, *site, *label, *department, *app_version;
    const char *last_error;
    int64_t last_seen_ms;         /* the database's clock at the last heartbeat; 0: never seen */
    int64_t last_success_ms;      /* the last push that left nothing waiting; 0: never */
    int64_t backlog;              /* rows waiting on the kiosk */
    int64_t catalog_version;      /* the catalog version it runs; 0: none yet */
    const char *catalog_error;    /* why it refused a version; "" */
    const char *mode;             /* "single" or "picker" */
    const char *departments;      /* a picker's ids, comma-separated (kiosk-written: untrusted) */
    int64_t store_waiting;        /* records in the kiosk's memory: its store fails */
    const char *store_error;      /* the kiosk store's last failure; "" while it works */
    int64_t store_error_since_ms; /* the kiosk's clock when its store started failing; 0 */
    const char *slot;             /* the A/B slot it booted; "" */
    const char *update_version;   /* the bundle its update report is about; "" */
    const char *update_state;     /* where that update stands; "" */
    const char *update_error;     /* why it failed, as the kiosk said (kiosk-written); "" */
};

/* Calls handle_kiosk for each row of "SELECT <the columns> FROM kiosks"
 * followed by tail (borrowed: a WHERE, ORDER BY, LIMIT ... using params,
 * or ""), in the order tail asks for.  Stops (returning false) when the
 * handler returns false. */
bool kiosks_each(struct dashdb *db, const char *tail, const struct dashdb_value *params,
                 int nparams, bool (*handle_kiosk)(void *ctx, const struct kiosk_record *k),
                 void *ctx, char *err, size_t size);

/* Reads every kiosks row into out, with the newest catalog version and
 * the catalog's names in language lang ("" the first; org.h), emptied
 * first; the caller frees it with fleet_free, also after a failure. */
bool kiosks_read_fleet(struct dashdb *db, const char *lang, struct fleet *out, char *err,
                       size_t size);

#endif
