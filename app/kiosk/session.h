/*
 * session: carries the state machine's record actions into the store, and
 * keeps them when the store cannot take them.
 *
 * A tap the customer saw acknowledged must not be lost because the disk
 * is full for a minute or the database could not be opened at start-up:
 * whatever the store refuses waits in a bounded in-memory queue, in order,
 * and is retried with back-off (and the store reopened if it never
 * opened, after REOPEN_AFTER failed writes in a row, or when its file was
 * deleted or replaced: store_recheck before every write and each second).
 * Follow-ups wait behind their tap, so a follow-up is never written before
 * the tap it belongs to.  What still waits at a stop is kept in a spill
 * file and replayed first at the next start (spill.h).
 *
 * The store is written on the session's own writer thread: the render
 * thread only queues a record, so neither the customer's screen nor the
 * watchdog's ping waits on the disk (a file system that freezes, a lock
 * held by another process).  The writer tells the sync thread of each
 * commit and of the store's health itself.
 */
#ifndef WOW_SESSION_H
#define WOW_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "kiosk.h"

struct config;
struct store;
struct sync_thread;
struct store_health;

#define SESSION_QUEUE_MAX 4096 /* records kept in memory while the store fails */
#define SESSION_ERROR_MAX 256

struct session; /* opaque */

/* Creates a session writing to the store at store_path for config (both
 * borrowed; config's kiosk id and [store] keys are read from the writer
 * thread: a catalog never changes them).  Opens the store now (on this
 * thread), then starts the writer; if the open fails the session still
 * works and keeps retrying.  Returns NULL only when out of memory or no
 * thread can be started.  Free with
 * session_destroy(), which tries once more to flush the queue: opening
 * the store then if it must, at now_utc_ms (the wall clock's time, which
 * a new store's creation and a quarantined file's name carry). */
struct session *session_create(const struct config *config, const char *store_path,
                               int64_t now_utc_ms);
void session_destroy(struct session *session, int64_t now_utc_ms);

/* Queues what actions asks for (a tap, a follow-up, or both), for the
 * writer; never waits on the disk. */
void session_record(struct session *session, const struct kiosk_actions *actions,
                    int64_t now_mono_ms, int64_t now_utc_ms);

/* The sync thread to tell of each commit and of the store's health
 * (borrowed; NULL: none); set once it runs. */
void session_set_sync(struct session *session, struct sync_thread *sync);

/* Waits until nothing waits for the store and it is open, up to
 * timeout_ms; true when so.  For tests and a clean stop. */
bool session_wait_idle(struct session *session, int64_t timeout_ms);

/* Records waiting in memory (0 in normal operation). */
int session_pending(const struct session *session);

/* Records the store has taken (committed) since session_create: a caller
 * that sees it grow knows there is something new to sync. */
int64_t session_stored(const struct session *session);

/* The newest tap the store committed, with what a comment offer's token
 * (comment_token.h) needs from the store. */
struct session_tap {
    int64_t tap_id; /* 0: none since the store opened */
    int64_t tap_ms;
    int rating;
    char department[CONFIG_ID_MAX];
    char incarnation[40];
    unsigned char comment_key[32]; /* STORE_COMMENT_KEY_BYTES */
    bool has_key;
};

/* Copies the newest committed tap into *out; true when there is one and
 * the store's comment key could be read (a token can be made). */
bool session_comment_tap(struct session *session, struct session_tap *out);

/* How the store is doing, for the heartbeat and the technician screen. */
struct session_health {
    int waiting;                   /* records in memory, not in the store yet */
    int dropped;                   /* records lost since start (the queue was full) */
    int spill_files;               /* spill files not replayed yet */
    char error[SESSION_ERROR_MAX]; /* the store's last failure; "" while it works */
    int64_t since_utc_ms;          /* when it started failing; 0 while it works */
    bool store_open;               /* the store is open (it may still fail to write) */
};
void session_health(const struct session *session, struct session_health *out);

/* False when a tap thanked now could not be kept: the store fails and no
 * spill place takes a file (probed at most every 10 s).  The kiosk then
 * takes no taps (docs/ARCHITECTURE.md, "When the store fails"). */
bool session_can_keep(struct session *session);

/* The store, for the render thread's rare direct uses (a catalog to
 * check or mark, the technician's counts): NULL while it is not open;
 * else it is held (the writer waits) until session_store_release.
 * session_store_try never waits: NULL also while the writer uses it. */
struct store *session_store_acquire(struct session *session);
struct store *session_store_try(struct session *session);
void session_store_release(struct session *session);

#endif
