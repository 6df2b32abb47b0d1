/*
 * sync: pushes the kiosk's absolute counts to the shared database
 * (PostgreSQL or a SQLite file, see sync_backend.h), exactly once in
 * effect, however long the kiosk was offline.
 *
 * A round (sync_engine_step): in one read transaction on its own
 * connection to the kiosk's store (store_changes.h), read meta (kiosk_id, incarnation,
 * synced_seq) and the count and reason rows with changed_seq above
 * synced_seq (at most batch_rows of them, cut at a changed_seq); push them
 * and the heartbeat in one transaction; then record the new synced_seq,
 * only if the store still has the same incarnation.  A crash between push
 * and record resends rows the server already has: harmless, since the
 * server keeps n = GREATEST(stored, sent).  A new incarnation (the store
 * was replaced) writes rows of its own and never touches the old ones.
 * A heartbeat sent alone (the store unreadable, the rows refused) names
 * the incarnation the last read found.
 *
 * Failures back off exponentially with full jitter, capped
 * (backoff_min_ms + uniform(0, min(backoff_max_ms, backoff_base_ms *
 * 2^failures))); serialization failures and deadlocks are retried at once
 * up to SYNC_IMMEDIATE_RETRIES times.  Nothing is ever dropped: rows stay
 * in the store until a push of them succeeds.
 *
 * The engine takes time as arguments (tests drive it through a simulated
 * week); sync_thread runs it on a thread of its own with the real clock.
 */
#ifndef WOW_SYNC_H
#define WOW_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "sync_update.h"

#define SYNC_IMMEDIATE_RETRIES 3
#define SYNC_BATCH_ROWS_MAX    500000 /* local rows per push */
#define SYNC_TEXT_MAX          128
#define SYNC_TARGET_MAX        512
#define SYNC_DEPARTMENTS_MAX   1024 /* a picker's department ids, comma-separated */
#define SYNC_WAKE_DEBOUNCE_MS  500  /* from a rush's first commit to its round */
#define SYNC_WAKE_MIN_GAP_MS   2000 /* between the starts of rounds a commit brings */

struct sync_settings {
    char target[SYNC_TARGET_MAX];     /* conninfo or SQLite path (sync_backend.h) */
    char store_path[SYNC_TARGET_MAX]; /* the kiosk's local store */
    char kiosk_id[SYNC_TEXT_MAX];     /* the configured id, for the heartbeat */
    char site[SYNC_TEXT_MAX];
    char label[SYNC_TEXT_MAX];
    char department[SYNC_TEXT_MAX];         /* "" in picker mode */
    char mode[8];                           /* "single" (the default) or "picker" */
    char departments[SYNC_DEPARTMENTS_MAX]; /* a picker's ids, comma-separated; "" in single */
    char timezone[64];
    /* the system's version, the heartbeat's app_version (the kiosk's program.c) */
    char app_version[SYNC_UPDATE_VERSION_MAX];
    int64_t interval_ms;        /* between rounds when all is sent; default 60 s */
    int64_t backoff_min_ms;     /* default 1 s */
    int64_t backoff_base_ms;    /* default 2 s */
    int64_t backoff_max_ms;     /* default 300 s */
    int64_t connect_timeout_ms; /* default 10 s */
    int64_t push_timeout_ms;    /* default 60 s */
    int batch_rows;             /* local rows per push at most; default 50000 */
    uint64_t seed;              /* jitter; 0 = from /dev/urandom */
    /* A start-up problem of the kiosk (no input device, a store it cannot
     * write), sent as the heartbeat's last_error while the sync itself has
     * none, so the fleet page shows a kiosk that cannot collect. */
    char problem[512];
    /* The system update's files (sync_update.h), "" for none: the report
       read before each push; the offer written after it when
       update_offers (a kiosk set never to install writes none). */
    char update_dir[SYNC_TARGET_MAX];
    bool update_offers;
    /* The system slot the kiosk booted (rauc.slot= on the kernel's command
       line; "" on a system without slots): the heartbeat's slot, whatever
       slot the update's report last named. */
    char slot[16];
};

enum sync_state {
    SYNC_STATE_STARTING, /* no round yet */
    SYNC_STATE_OK,       /* the last round succeeded */
    SYNC_STATE_FAILING,  /* the last round failed; retrying with back-off */
    SYNC_STATE_OFF,      /* sync is switched off in the config */
};

/* A plain value: copied out for the log, the heartbeat and the
 * technician screen. */
struct sync_status {
    enum sync_state state;
    char backend[16];             /* "postgresql", "sqlite" */
    int64_t last_attempt_utc_ms;  /* 0: never */
    int64_t last_success_utc_ms;  /* 0: never; everything up to then is sent */
    int64_t next_attempt_mono_ms; /* when the next round is due */
    int64_t backlog;              /* store rows (counts per rating, reasons) not yet sent */
    int64_t rows_sent;            /* since start */
    int64_t rounds_ok, rounds_failed;
    int64_t connect_attempts;
    /* a backlog's pushes sent before the answer to the push before them
       was read (the backend's send and collect), since start */
    int64_t pushes_ahead;
    int consecutive_failures;
    int64_t last_round_rows;   /* rows sent by the last successful round */
    int64_t last_round_trips;  /* round trips of the last successful push (not counting
                                  those of connecting) */
    int64_t catalogs_received; /* catalogs kept in the store since start: the kiosk's signal */
    int64_t catalog_latest;    /* the version received last, as the store says; 0: none */
    char last_error[512];      /* "" after a success */
    struct sync_update_report update; /* the system update's report, as the last round read it */
};

void sync_settings_defaults(struct sync_settings *settings);

/* Returns the state's name ("ok", "failing", ...). */
const char *sync_state_name(enum sync_state state);

/* --- the engine, driven by a caller's clock ------------------------------ */

struct sync_engine; /* opaque */

/* Creates an engine for settings (copied).  cancel_fd as in
 * sync_backend_create.  Returns NULL when out of memory.  Nothing is
 * opened until the first step.  Free with sync_engine_destroy. */
struct sync_engine *sync_engine_create(const struct sync_settings *settings, int cancel_fd);
void sync_engine_destroy(struct sync_engine *engine);

/* Runs a round if one is due at now_mono_ms (as many batches as a backlog
 * needs, one per call, back to back).  Returns the monotonic time at which
 * the next round is due. */
int64_t sync_engine_step(struct sync_engine *engine, int64_t now_mono_ms, int64_t now_utc_ms);

/* Makes the next round due at once (technician's "sync now"). */
void sync_engine_request(struct sync_engine *engine);

/* What the heartbeat says of the kiosk's departments from the next round
 * on (a catalog applied in process): department, mode and departments as
 * in struct sync_settings, copied. */
void sync_engine_set_departments(struct sync_engine *engine, const char *department,
                                 const char *mode, const char *departments);

/* The kiosk's store, as the heartbeat reports it (session_health): records
 * waiting in memory, the store's last failure ("" while it works) and
 * since when (0 while it works). */
struct sync_store_health {
    int64_t waiting;
    char error[256];
    int64_t since_ms;
};

/* What the engine's heartbeats say of the store, from the next round on. */
void sync_engine_set_store_health(struct sync_engine *engine,
                                  const struct sync_store_health *health);

/* Copies the engine's status into *out. */
void sync_engine_status(const struct sync_engine *engine, struct sync_status *out);

/* --- the thread ----------------------------------------------------------- */

struct sync_thread; /* opaque */
struct clock;

/* Starts a thread running an engine for settings (copied) on clock
 * (borrowed, read from the thread).  Returns NULL, logged, when the thread
 * cannot start; the kiosk goes on collecting taps without sync. */
struct sync_thread *sync_thread_start(const struct sync_settings *settings,
                                      const struct clock *clock);

/* Asks for a round now; never blocks. */
void sync_thread_request(struct sync_thread *thread);

/* sync_engine_set_departments for the thread's engine, from the next
 * round on.  Never blocks: false when the sync thread holds the lock at
 * this instant (try again later). */
bool sync_thread_set_departments(struct sync_thread *thread, const char *department,
                                 const char *mode, const char *departments);
/* sync_engine_set_store_health for the thread's engine.  Never blocks:
 * false when the sync thread holds the lock at this instant (try again).
 * A change of health (the store starting or ending to fail) also asks a
 * round, so the fleet page learns it without waiting an interval. */
bool sync_thread_set_store_health(struct sync_thread *thread,
                                  const struct sync_store_health *health);

/* Says that records were committed to the store; never blocks.  The first
 * commit of a rush brings a round SYNC_WAKE_DEBOUNCE_MS later (no sooner
 * than SYNC_WAKE_MIN_GAP_MS after the last round began), which carries
 * every commit made until it reads; while the engine backs off from a
 * failure, its back-off decides.  NULL is a no-op. */
void sync_thread_committed(struct sync_thread *thread);

/* Copies the latest status into *out without waiting: if the sync thread
 * is publishing at this instant, *out keeps what it held and false is
 * returned.  Safe to call every frame from the render thread. */
bool sync_thread_status(struct sync_thread *thread, struct sync_status *out);

/* Stops the thread (interrupting network I/O at once), joins it and frees
 * everything.  NULL is a no-op. */
void sync_thread_stop(struct sync_thread *thread);

#endif
