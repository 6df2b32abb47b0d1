/*
 * rollup: keeps the dashboard's rollups (dash_day, dash_hour,
 * dash_reason_day; schema.h) in step with the kiosks' 15-minute rows.
 *
 * A refresh finds the tap_counts and reason_counts rows stamped (synced_ms)
 * after the watermark kept in dash_rollup_state, less a margin of five
 * minutes for transactions that were still open when the last refresh
 * read, and works out which (kiosk, local day) pairs they touch, the day
 * in the kiosk's own zone (kiosks.timezone).  It then recomputes those
 * days of those kiosks from every raw row, over all incarnations, and
 * replaces their rollup rows: a delete and an insert in one transaction
 * per batch of kiosks, so a reader never sees half a day.  Recomputing
 * from the raw rows makes it idempotent, and right when rows arrive weeks
 * late or a kiosk changes department in the middle of a day.  Once every
 * batch is in, the watermark moves to the database's clock as it was
 * before the refresh read (the clock that stamps synced_ms), so rows are
 * read again only within the margin of a refresh, even when the fleet
 * goes quiet.
 *
 * Memory stays bounded by the fleet's size and one kiosk's history: the
 * sums are done by the database, per kiosk and run of days.
 *
 * A kiosk with no kiosks row, or whose zone does not load, is rolled up in
 * UTC, with a warning naming the kiosk and the zone.  When a kiosk's zone
 * changes, only the days touched afterwards are recomputed in the new zone.
 */
#ifndef WOW_ROLLUP_H
#define WOW_ROLLUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dashdb;

struct rollup_stats {
    int64_t tap_rows;         /* tap_counts rows found changed (with the margin) */
    int64_t reason_rows;      /* reason_counts rows found changed */
    int64_t days;             /* (kiosk, local day) pairs recomputed */
    int64_t kiosks;           /* kiosks whose days were recomputed */
    int64_t kiosks_set_aside; /* kiosks with a row the rollups cannot take (logged) */
};

/* One refresh over db (borrowed; a connection of its own: it runs
 * transactions).  now_ms goes into dash_rollup_state.refreshed_ms.  Fills
 * *stats (may be NULL).  false with the reason in err (size bytes); the
 * batches committed before a failure stay, and the watermark does not
 * move, so the next refresh does the rest again. */
bool rollup_refresh(struct dashdb *db, int64_t now_ms, struct rollup_stats *stats, char *err,
                    size_t size);

/* A quick refresh for counts just signalled (dashdb_wait_change): the same
 * recomputation, of the rows stamped after *since_ms less a margin of two
 * seconds (0: after the stored watermark less rollup_refresh's margin),
 * leaving dash_rollup_state alone, so the periodic rollup_refresh still
 * reads them within its own margin: a push whose transaction stayed open
 * longer than the short margin reaches the rollups then.  On success
 * *since_ms becomes the database's clock as it was before this refresh
 * read; on failure it is kept (err as rollup_refresh). */
bool rollup_refresh_recent(struct dashdb *db, int64_t *since_ms, struct rollup_stats *stats,
                           char *err, size_t size);

#endif
