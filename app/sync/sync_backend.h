/*
 * sync_backend: what the sync engine needs of a shared database, behind a
 * small vtable with two implementations: postgres.c (libpq, the fleet
 * path) and sqlite_backend.c (a local file, the embedded default).
 *
 * A backend is used by one thread (the sync thread) only.  It pushes one
 * batch per call, in one transaction: every count and reason row with
 * n = GREATEST(stored, sent), then the heartbeat.  Counts are absolute, so
 * a batch sent twice, late or out of order changes nothing.  The push
 * also moves the database's cursor for the store and reads it back
 * (SCHEMA_CURSOR_ADVANCE): where the database holds less than the store
 * believes it sent, the engine sends again from there.  In the same
 * round trip it reads the kiosk's catalog (docs/CATALOG.md) when its
 * version differs from the one the kiosk has.
 */
#ifndef WOW_SYNC_BACKEND_H
#define WOW_SYNC_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sync_update.h"

/* Results of connect and push; the engine's reaction in brackets. */
enum sync_result {
    SYNC_OK = 0,
    SYNC_ERR_RETRY = -1, /* serialization failure, deadlock: [retry at once, a few times] */
    SYNC_ERR_CONNECTION =
        -2,                  /* cannot connect, connection lost, timed out: [reconnect, back off] */
    SYNC_ERR_SERVER = -3,    /* any other server error, logged with its statement: [back off] */
    SYNC_ERR_REFUSED = -4,   /* the target cannot work (network file system, bad conninfo) */
    SYNC_ERR_CANCELLED = -5, /* the engine is stopping */
};

/* The absolute counts of one bucket and department: n[SYNC_COUNT_INDEX(
 * rating, misuse)] taps with that face, flagged as misuse or not. */
#define SYNC_COUNT_COLUMNS               8
#define SYNC_COUNT_INDEX(rating, misuse) (((misuse) ? 4 : 0) + (rating)-1)

/* The follow-ups of those taps that ended without a reason (schema step
 * 13): ended[SYNC_END_INDEX(timed_out, negative, misuse)], the columns
 * skipped_pos .. misuse_timeout_neg (SCHEMA_END_COLUMNS). */
#define SYNC_END_COLUMNS 8
#define SYNC_END_INDEX(timed_out, negative, misuse)                                                \
    (((misuse) ? 4 : 0) + ((timed_out) ? 2 : 0) + ((negative) ? 1 : 0))

/* Each question's first chosen reason (schema step 19): first_reason[
 * SYNC_FIRST_INDEX(negative, misuse)] and its count, the columns
 * first_reason_pos .. misuse_first_reason_neg_n (SCHEMA_FIRST_COLUMNS); "" and 0: none.
 * The store keeps which reason is first as it grows (store_changes.h). */
#define SYNC_FIRST_REASONS                 4
#define SYNC_FIRST_INDEX(negative, misuse) (((misuse) ? 2 : 0) + ((negative) ? 1 : 0))

struct sync_count_row {
    const char *department;
    int64_t bucket_start_ms;
    int64_t n[SYNC_COUNT_COLUMNS];                /* rating_1..rating_4, misuse_1..misuse_4 */
    int64_t ended[SYNC_END_COLUMNS];              /* skipped_pos..misuse_timeout_neg */
    const char *first_reason[SYNC_FIRST_REASONS]; /* first_reason_pos..misuse_first_reason_neg */
    int64_t first_n[SYNC_FIRST_REASONS];          /* the same, _n */
};

/* A follow-up's chosen reason, not its question's first (those without a
 * reason, and each question's first, are columns of the count row). */
struct sync_reason_row {
    const char *department;
    int64_t bucket_start_ms;
    const char *question;
    const char *reason;
    const char *ended_by;
    int misuse;
    int64_t n;
};

/* A comment typed on the kiosk (sync_comments.h), for the shared
 * `comments` table as source 'kiosk'. */
struct sync_comment_row {
    int64_t tap_id;
    const char *department;
    int rating;
    int64_t tap_ms;
    const char *lang;
    const char *body;
    int64_t written_ms;
};

/* One push: the rows of one kiosk incarnation, and its heartbeat. */
struct sync_batch {
    const char *kiosk_id;
    const char *incarnation;
    const struct sync_count_row *counts;
    size_t count_n;
    const struct sync_reason_row *reasons;
    size_t reason_n;
    int64_t catalog_have; /* the catalog version the kiosk received last; 0: none */
    /* comments inserted ON CONFLICT DO NOTHING in the same transaction, and
       the comment key (hex) written to the kiosk's row after its heartbeat;
       NULL: not this round (sync_comments.h) */
    const struct sync_comment_row *comments;
    size_t comment_n;
    const char *comment_key;
    /* true: no catalog or update offer is read with this push (one sent
       before the answer to the push before it was read, which reads them) */
    bool no_fetch;
    /* the store's rows in this push: changed_seq in (from_seq, upto_seq];
       the push moves the database's cursor with them and reads it back
       (schema.h, SCHEMA_CURSOR_ADVANCE).  from_seq < 0: no range (a
       heartbeat sent alone), the cursor is neither moved nor read. */
    int64_t from_seq, upto_seq;
};

struct sync_heartbeat {
    const char *kiosk_id;
    const char *site;
    const char *label;
    const char *department; /* the configured one; "" in picker mode */
    const char *timezone;
    const char *app_version;
    const char *incarnation;
    int64_t kiosk_clock_ms;
    int64_t last_success_ms;   /* 0: never */
    int64_t backlog;           /* rows still waiting after this push */
    const char *last_error;    /* "" when none */
    int64_t catalog_version;   /* the catalog version the kiosk runs; 0: none */
    const char *catalog_error; /* "version N: FILE:LINE: key: message" of one it refused, or "" */
    const char *mode;          /* "single" or "picker" */
    const char *departments;   /* a picker's department ids, comma-separated; "" in single mode */
    int64_t store_waiting;     /* records in the kiosk's memory, not in its store */
    const char *store_error;   /* the store's last failure, "" while it works */
    int64_t store_error_since_ms; /* when the store started failing; 0 while it works */
    /* the system update's report (sync_update.h): the slot it runs, and
       where an update to update_version stands; "" where none */
    const char *slot;
    const char *update_version;
    const char *update_state;
    const char *update_error;
};

/* A fetched catalog is kept only up to this size (docs/CATALOG.md). */
#define SYNC_CATALOG_BODY_MAX (1024 * 1024)

/* What a push read of the kiosk's catalog: version 0 when the database has
 * none for it, or none other than catalog_have.  body is NULL (length
 * still set) when the text is over SYNC_CATALOG_BODY_MAX or holds a NUL;
 * else owned by the caller (free()). */
struct sync_fetched {
    int64_t version;
    char *body;
    size_t length;
    /* the kiosk's kiosk_update row, read in the same round trip;
       update_read is false when the answer did not come (nothing to
       conclude), update.present false when there is no row */
    bool update_read;
    struct sync_update_offer update;
    /* the database's cursor for the batch's store after the push: it holds
       every row with changed_seq <= cursor (-1: not known); cursor_read is
       false when the push had no range or the answer did not come */
    bool cursor_read;
    int64_t cursor;
};

/* What a push cost, for the status and the benchmarks. */
struct sync_push_stats {
    int64_t rows_sent;   /* count rows (one per bucket and department) and reason rows */
    int64_t round_trips; /* statements sent and answered */
};

struct sync_backend;

struct sync_backend_ops {
    const char *name; /* "postgresql", "sqlite" */
    /* Connects if not connected, within timeout_ms of real time (the
     * engine's clock may be simulated; network time is not). */
    enum sync_result (*connect)(struct sync_backend *backend, int64_t timeout_ms);
    /* Pushes batch (counts and reasons may be empty) and heartbeat in one
     * transaction; on error nothing of it is committed, or all of it was
     * and the answer was lost: both are safe to resend.  In the same round
     * trip reads the kiosk's kiosk_catalog row if its version is not
     * batch->catalog_have, into *fetched (zeroed first; filled only on
     * SYNC_OK). */
    enum sync_result (*push)(struct sync_backend *backend, const struct sync_batch *batch,
                             const struct sync_heartbeat *heartbeat, struct sync_push_stats *stats,
                             struct sync_fetched *fetched, int64_t timeout_ms);
    /* A push in two halves, so a backlog's next batch can go out before
     * the answer to the one before it is read (NULL where the backend
     * cannot: the engine then calls push).  send sends it; collect reads
     * the answer to the oldest push sent, as push would.  At most two
     * pushes wait for their answers; when one fails, the connection is
     * closed and the pushes sent after it are lost (safe to resend). */
    enum sync_result (*send)(struct sync_backend *backend, const struct sync_batch *batch,
                             const struct sync_heartbeat *heartbeat, int64_t timeout_ms);
    enum sync_result (*collect)(struct sync_backend *backend, struct sync_push_stats *stats,
                                struct sync_fetched *fetched, int64_t timeout_ms);
    void (*disconnect)(struct sync_backend *backend);
    void (*destroy)(struct sync_backend *backend); /* frees the backend */
};

/* Every backend starts with this. */
struct sync_backend {
    const struct sync_backend_ops *ops;
    char last_error[512];     /* what the last failure was, for status and heartbeat */
    int64_t connect_attempts; /* connections started, counted by the backend */
    /* set by a push that failed on its heartbeat's values (a constraint,
       a value the database cannot take: SQLSTATE class 22 or 23, SQLite's
       CONSTRAINT, MISMATCH or TOOBIG); the engine clears it before a push
       and sends a refused one again with a bare heartbeat, so no field of
       it holds back the counts */
    bool heartbeat_refused;
};

/* Creates the backend for target, borrowing nothing: a PostgreSQL
 * conninfo (a "postgresql://" URI or "key=value" pairs) or a SQLite file
 * path.  cancel_fd, when >= 0, is polled alongside network I/O; readable
 * means "stop now" (SYNC_ERR_CANCELLED).  Returns NULL only when out of
 * memory; a target that cannot work fails at connect. */
struct sync_backend *sync_backend_create(const char *target, int cancel_fd);

/* The two constructors sync_backend_create chooses between. */
struct sync_backend *postgres_backend_create(const char *conninfo, int cancel_fd);
struct sync_backend *sqlite_backend_create(const char *path);
/* Lets the engine's stop (cancel_fd readable) end a wait on another
 * writer's lock at once. */
void sqlite_backend_set_cancel(struct sync_backend *backend, int cancel_fd);

/* True when target names PostgreSQL rather than a file. */
bool sync_target_is_postgres(const char *target);

/* Writes at most size bytes of message into backend->last_error and logs
 * it at error level (one place, so log and status say the same). */
void sync_backend_fail(struct sync_backend *backend, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
