/*
 * store: the kiosk's local SQLite database, where every acknowledged tap is
 * made durable before the customer is thanked.
 *
 * journal_mode=WAL, synchronous=FULL.  One transaction per tap writes the
 * tap row and bumps its absolute per-bucket count (15-minute buckets, UTC),
 * stamping the count with a new changed_seq so a sync can find what moved.
 * Follow-ups likewise write a followups row and a reason_counts row.
 * Counts only ever grow: nothing here deletes or lowers them.
 *
 * Tables (schema version 4; the full DDL is store_migrations[] in store.c):
 *   meta(key PRIMARY KEY, value)   kiosk_id, incarnation, schema_version,
 *                                  seq, synced_seq, created_ms_utc
 *   taps(id, at_ms_utc, department, rating, misuse)
 *   followups(tap_id, question, reason, ended_by)
 *   counts(department, bucket_start_ms_utc, rating, misuse, n, changed_seq)
 *   reason_counts(department, bucket_start_ms_utc, question, reason, ended_by,
 *                 misuse, n, changed_seq, first_seq)
 *   catalogs(version, body, received_ms, seq, state, error)   store_catalog.h
 *   comments(id, tap_id, department, rating, tap_ms, lang, body,
 *            written_ms, synced)                               store_comments.h
 *   meta comment_key: the phone tokens' key (hex)              store_comments.h
 *
 * At open: PRAGMA quick_check.  A database that fails it (or is not a
 * database) is moved aside to PATH.corrupt-YYYYMMDDTHHMMSSZ (with its -wal
 * and -shm), logged at error level, and a fresh one with a new incarnation
 * is created, so taps keep being collected.
 *
 * A database keeps the kiosk_id it was made for.  Opened for another
 * kiosk_id (a config edited, an SD card moved), it is kept as it is: its
 * taps, counts and incarnation stay, meta keeps the first kiosk_id, a
 * warning is logged and health.kiosk_id_changed is set.  Renaming the data
 * silently could make the shared database count the same taps under two
 * kiosks; store_kiosk_id() lets the sync and the status screen see it.
 *
 * What a sync reads (rows changed since a seq, meta) and the synced mark
 * it records go through store_changes.h, on a connection of its own: no
 * code outside app/store runs SQL on these tables.
 *
 * Out of memory and I/O errors are SQLite errors like any other: logged
 * with sqlite3_errmsg and returned as STORE_ERR_RETRY.
 */
#ifndef WOW_STORE_H
#define WOW_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STORE_BUCKET_MS      (15 * 60 * 1000)
#define STORE_SCHEMA_VERSION 4
#define STORE_BUSY_MS        250 /* how long a write waits for another's lock */

/* Negative results of store_record_*: what the caller should do next. */
#define STORE_ERR_RETRY   (-1) /* busy, I/O, disk full, no memory: keep it, retry later */
#define STORE_ERR_REFUSED (-2) /* invalid, unknown tap, duplicate: retrying cannot help */
#define STORE_ERR_CORRUPT (-3) /* the file is damaged: store_close, store_open again */

struct store; /* opaque */

struct store_tap {
    int64_t at_ms_utc;
    const char *department; /* department id */
    int rating;             /* 1..4 */
    bool misuse;
};

/* Which follow-up question was asked: the one after a good face (3, 4)
 * or after a bad one.  Stored as "positive" / "negative". */
enum store_question { STORE_QUESTION_NEGATIVE, STORE_QUESTION_POSITIVE, STORE_QUESTION_COUNT_ };

/* How a follow-up ended.  Stored as "chosen", "skipped" or "timeout". */
enum store_followup_end {
    STORE_FOLLOWUP_CHOSEN,  /* the customer chose a reason */
    STORE_FOLLOWUP_SKIPPED, /* the customer skipped the question */
    STORE_FOLLOWUP_TIMEOUT, /* nobody answered */
    STORE_FOLLOWUP_END_COUNT_
};

struct store_followup {
    enum store_question question;
    const char *reason; /* reason id when ended_by is STORE_FOLLOWUP_CHOSEN, else NULL */
    enum store_followup_end ended_by;
};

/* What store_open found and did, for the log and the technician screen. */
struct store_health {
    bool quarantined;          /* a corrupt file was moved aside */
    char quarantine_path[600]; /* where it went */
    bool created;              /* a new database (new incarnation) */
    int migrated_from;         /* schema version before open; 0 = new */
    bool kiosk_id_changed;     /* made for another kiosk_id (kept): store_kiosk_id() */
};

/* Opens (creating, migrating or quarantining as needed) the store at path
 * for kiosk kiosk_id; now_utc_ms names a quarantined file.  On success
 * *out owns the connection (free with store_close) and *health says what
 * happened.  Returns 0, or a negative value after logging why (path and
 * sqlite3_errmsg) when even a fresh database cannot be made. */
int store_open(struct store **out, const char *path, const char *kiosk_id, int64_t now_utc_ms,
               struct store_health *health);

void store_close(struct store *store);

/* Records one tap and its count in one transaction.  On success returns 0
 * and the new tap's id in *tap_id, and logs "tap committed id=..".  On
 * failure logs the SQLite error, rolls back and returns a STORE_ERR_*;
 * on STORE_ERR_RETRY the caller keeps the tap and retries.  A tap equal
 * to the newest one (same millisecond, department, rating, misuse) is
 * that tap, its commit reported failed but landed: its id is returned
 * and nothing is written again.  A tap with a
 * rating outside 1..4 or no department is STORE_ERR_REFUSED. */
int store_record_tap(struct store *store, const struct store_tap *tap, int64_t *tap_id);

/* Records how the follow-up of tap tap_id ended, and its reason count, in
 * one transaction (the tap's department, bucket and misuse are read from
 * its row).  Same return convention; a second follow-up for one tap, an
 * unknown tap, or fields outside the values documented in struct
 * store_followup are STORE_ERR_REFUSED. */
int store_record_followup(struct store *store, int64_t tap_id, const struct store_followup *f);

/* The text the store (and the shared database after it) keeps for a
 * question or a follow-up's end: a static string, "?" for a value outside
 * the enum.  The one table from these enums to their words (store.c's DDL
 * CHECKs the same words). */
const char *store_question_name(enum store_question question);
const char *store_followup_end_name(enum store_followup_end ended_by);

/* The random id made when this database was created (32 hex chars). */
const char *store_incarnation(const struct store *store);

/* Path of the open database. */
const char *store_path(const struct store *store);

/* The kiosk_id the database was made for (see above). */
const char *store_kiosk_id(const struct store *store);

/* Counts the taps recorded since from_utc_ms (rounded down to its
 * 15-minute bucket), of department (borrowed; NULL: every department):
 * by_rating[1..4] without misuse, *misuse the flagged ones.  For the
 * technician screen and the week's figure beside a department's note.
 * Returns 0, or a STORE_ERR_* (logged). */
int store_count_taps(struct store *store, const char *department, int64_t from_utc_ms,
                     int64_t by_rating[5], int64_t *misuse);

/* Checks that the store's path still names the file it has open, before a
 * write (a stat: cheap).  0 when it does.  When the file was deleted, its
 * data (still open) is written back under its name; when another file was
 * renamed over it, the data is written aside as PATH.displaced-STAMP; in
 * both cases *store is closed and reopened at its path (*store is NULL if
 * that fails, and the result is negative), and *health says what the open
 * found.  Logged at error level.  Negative when the check itself fails:
 * *store is then kept, still writing to the open file. */
int store_recheck(struct store **store, int64_t now_utc_ms, struct store_health *health);

/* False (and why) while path is the file of an open store of this process
 * that changed under it (deleted, replaced, being taken up by
 * store_recheck): another connection must not open it then.  True for a
 * path no store of this process has open. */
bool store_identity_usable(const char *path, char *why, size_t size);

/* Spilled records (session.h) are replayed in one transaction: between
 * store_replay_begin and store_replay_end, store_record_* nest in it as
 * savepoints.  store_replay_end(commit true) records spill_id in meta and
 * commits, so the same spill is never replayed twice (store_replayed);
 * with commit false, or on failure, none of it is kept.  0 or STORE_ERR_*. */
int store_replay_begin(struct store *store);
int store_replay_end(struct store *store, const char *spill_id, bool commit);
bool store_replayed(struct store *store, const char *spill_id);

/* Reads an integer PRAGMA (name: letters and '_' only, e.g. "synchronous")
 * on the store's own connection, for checks and the status screen.
 * Returns 0 and *value, or negative (logged). */
int store_pragma_int(struct store *store, const char *name, long long *value);

#endif
