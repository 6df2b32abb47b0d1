/*
 * session: carries the state machine's record actions into the store, and
 * keeps them when the store cannot take them.
 *
 * A tap the customer saw acknowledged must not be lost because the disk
 * is full for a minute or the database could not be opened at start-up:
 * whatever the store refuses waits in a bounded in-memory queue, in order,
 * and is retried with back-off (and the store reopened if it never
 * opened, after REOPEN_AFTER failed writes in a row, or when its file was
 * deleted or replaced: store_recheck before every write).  Follow-ups
 * wait behind their tap, so a follow-up is never written before the tap it
 * belongs to.  What still waits at a stop is kept in a spill file and
 * replayed first at the next start (spill.h).
 */
#ifndef WOW_SESSION_H
#define WOW_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "kiosk.h"

struct config;
struct store;
struct store_health;

#define SESSION_QUEUE_MAX 4096 /* records kept in memory while the store fails */
#define SESSION_ERROR_MAX 256

struct session; /* opaque */

/* Creates a session writing to the store at store_path for config (both
 * borrowed).  Opens the store now; if that fails the session still works
 * and keeps retrying.  Returns NULL only when out of memory.  Free with
 * session_destroy(), which tries once more to flush the queue: opening
 * the store then if it must, at now_utc_ms (the wall clock's time, which
 * a new store's creation and a quarantined file's name carry). */
struct session *session_create(const struct config *config, const char *store_path,
                               int64_t now_utc_ms);
void session_destroy(struct session *session, int64_t now_utc_ms);

/* Records what actions asks for (a tap, a follow-up, or both). */
void session_record(struct session *session, const struct kiosk_actions *actions,
                    int64_t now_mono_ms, int64_t now_utc_ms);

/* Retries queued records if their time has come.  Returns the monotonic
 * time of the next retry, or INT64_MAX when nothing waits. */
int64_t session_retry(struct session *session, int64_t now_mono_ms, int64_t now_utc_ms);

/* Checks, at most once a second, that the store's file is still the one
 * open (store_recheck), so a deleted or replaced file is taken up even
 * while nobody taps, and the sync (which opens it by name) is not held
 * back long. */
void session_poll(struct session *session, int64_t now_mono_ms, int64_t now_utc_ms);

/* Records waiting in memory (0 in normal operation). */
int session_pending(const struct session *session);

/* Records the store has taken (committed) since session_create: a caller
 * that sees it grow knows there is something new to sync. */
int64_t session_stored(const struct session *session);

/* How the store is doing, for the heartbeat and the technician screen. */
struct session_health {
    int waiting;                   /* records in memory, not in the store yet */
    int dropped;                   /* records lost since start (the queue was full) */
    int spill_files;               /* spill files not replayed yet */
    char error[SESSION_ERROR_MAX]; /* the store's last failure; "" while it works */
    int64_t since_utc_ms;          /* when it started failing; 0 while it works */
};
void session_health(const struct session *session, struct session_health *out);

/* False when a tap thanked now could not be kept: the store fails and no
 * spill place takes a file (probed at most every 10 s).  The kiosk then
 * takes no taps (docs/ARCHITECTURE.md, "When the store fails"). */
bool session_can_keep(struct session *session, int64_t now_mono_ms);

/* The open store, or NULL while it cannot be opened. */
struct store *session_store(struct session *session);

#endif
