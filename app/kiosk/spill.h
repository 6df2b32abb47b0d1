/*
 * spill: the records a stopping kiosk could not store, kept in a small
 * text file in a second place, and replayed into the store, in order and
 * exactly once, at the next start (docs/ARCHITECTURE.md, "When the store
 * fails").
 *
 * Where: the directories of struct spill_places, in order: [store]
 * spill_dir when set (another file system: on the image, the boot
 * partition), then the store's own directory.  The first that takes the
 * whole file durably (fsync, rename, fsync of the directory) keeps it.
 *
 * A file is PLACE/BASE.spill-YYYYMMDDTHHMMSSZ-XXXXXXXX (BASE: the store's
 * file name), lines of text:
 *   wowkiosk-spill 1 ID KIOSK_ID
 *   tap AT_MS_UTC RATING MISUSE DEPARTMENT
 *   followup TAP QUESTION ENDED_BY REASON    TAP: the stored tap's id, or 0
 *                                            for the tap before it here;
 *                                            REASON "-" when none
 *   end COUNT
 * When no place takes a new file (the file system full), the records are
 * written over the reserve: BASE.spill-reserve in the store's directory,
 * SPILL_RESERVE_BYTES allocated at start, overwritten in place, so a full
 * file system still takes them.  A read-only one takes nothing: then only
 * spill_dir on another file system keeps them.
 *
 * A replay runs in one store transaction that also records ID in the
 * store's meta, so a crash between the commit and the file's removal
 * never replays it twice.  A file that does not parse is renamed
 * *.unreadable (kept for a person, never deleted) and logged with its
 * line.
 */
#ifndef WOW_KIOSK_SPILL_H
#define WOW_KIOSK_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define SPILL_PLACES_MAX    2
#define SPILL_RESERVE_BYTES (512 * 1024) /* the reserve: SESSION_QUEUE_MAX records fit */

struct spill_places {
    const char *dir[SPILL_PLACES_MAX]; /* borrowed; NULL or "" entries are skipped */
    const char *base;                  /* the store's file name, e.g. "kiosk.db" */
};

/* Fills places from the store path and the configured spill_dir ("" for
 * none), pointing into dir_buf (SPILL_PLACES_MAX paths of size each). */
void spill_places_of(struct spill_places *places, const char *store_path, const char *spill_dir,
                     char (*dir_buf)[512]);

/* Writes text (the lines above, from the session) durably to the first
 * place that takes it; id is its ID (also in the file's name).  True and
 * the file's path in written_to; false after logging each place's error. */
bool spill_write(const struct spill_places *places, const char *id, const char *text,
                 char *written_to, size_t size);

/* A new spill ID from the UTC time and 4 random bytes into buf (>= 32). */
void spill_new_id(int64_t now_utc_ms, char *buf, size_t size);

/* Allocates the reserve if it is missing or short (logged when it cannot:
 * the places still work while the file system has room). */
void spill_reserve_prepare(const struct spill_places *places);

/* True when some place can take a file now (a probe written, synced and
 * removed): the kiosk can keep what it thanks for even without its store. */
bool spill_probe(const struct spill_places *places);

/* Replays every spill file of places into store (borrowed), oldest first.
 * Returns the records replayed, or negative when a file could not be
 * replayed now (it stays for the next try). */
int spill_replay(const struct spill_places *places, struct store *store);

/* Spill files waiting in places (for the status screen). */
int spill_count(const struct spill_places *places);

#endif
