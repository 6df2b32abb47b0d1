/*
 * store_private: the store's layout and its seams, shared by store.c (open,
 * migrations, quarantine) and store_record.c (taps and follow-ups), and used
 * by tests/store to run the migration mechanism with a test-only step.
 * Nothing outside app/store and its tests includes this.
 */
#ifndef WOW_STORE_PRIVATE_H
#define WOW_STORE_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/types.h>

#include <sqlite3.h>

#include "store.h"

#define STORE_PATH_MAX     512 /* CONFIG_PATH_MAX */
#define STORE_KIOSK_ID_MAX 128

/* The statements a record needs, prepared once at open and reused. */
enum store_stmt {
    STORE_STMT_BEGIN,
    STORE_STMT_COMMIT,
    STORE_STMT_ROLLBACK,
    STORE_STMT_NEXT_SEQ,
    STORE_STMT_READ_SEQ,
    STORE_STMT_INSERT_TAP,
    STORE_STMT_SAME_TAP,
    STORE_STMT_COUNT_TAP,
    STORE_STMT_READ_TAP,
    STORE_STMT_INSERT_FOLLOWUP,
    STORE_STMT_COUNT_REASON,
    STORE_STMT_COUNT_
};

struct store {
    sqlite3 *db;                           /* owned; closed by store_close */
    sqlite3_stmt *stmt[STORE_STMT_COUNT_]; /* owned; finalized before db closes */
    char path[STORE_PATH_MAX];
    char incarnation[33];              /* 32 hex chars */
    char kiosk_id[STORE_KIOSK_ID_MAX]; /* the kiosk the database was made for */
    char open_as[STORE_KIOSK_ID_MAX];  /* the kiosk_id store_open was given, for reopening */
    dev_t dev;                         /* the file path named when it was opened: */
    ino_t ino;                         /* store_recheck sees it deleted or replaced */
    bool in_batch;                     /* store_batch_begin: records use savepoints */
};

/* One schema step: the SQL that takes version to_version - 1 to
 * to_version.  A list of steps is ordered, steps[i].to_version == i + 1. */
struct store_migration {
    int to_version;
    const char *sql;
};

/* store_open with an explicit list of schema steps instead of the built-in
 * one; the schema version reached is n.  Tests use it to add a step. */
int store_open_migrations(struct store **out, const char *path, const char *kiosk_id,
                          int64_t now_utc_ms, struct store_health *health,
                          const struct store_migration *steps, size_t n);

/* The built-in steps (store.c). */
extern const struct store_migration store_migrations[];
extern const size_t store_migration_count;

/* Prepares every statement of enum store_stmt on store->db; 0 or negative
 * (logged).  store_statements_finalize frees them (NULL ones are skipped). */
int store_statements_prepare(struct store *store);
void store_statements_finalize(struct store *store);

/* The connection of a store_changes, and its error: "store PATH: what:
 * sqlite3_errmsg" into the caller's buffer; returns -1 (store_catalog.c). */
struct store_changes;
sqlite3 *store_changes_db(struct store_changes *changes);
int store_changes_fail(struct store_changes *changes, const char *what);
char *store_changes_error(struct store_changes *changes);
size_t store_changes_error_size(const struct store_changes *changes);

/* Writes PATH.TAG-YYYYMMDDTHHMMSSZ (e.g. TAG "corrupt") into buf, with
 * -2, -3.. appended when that name is taken (two in one second keep
 * both); false when no free name fits (store.c). */
bool store_aside_name(const struct store *store, const char *tag, int64_t now_utc_ms, char *buf,
                      size_t size);

/* The registry of open stores' files (store_file.c): set by store_open,
 * cleared by store_close (or held, changing, by store_recheck). */
void store_identity_set(const char *path, dev_t dev, ino_t ino);
void store_identity_clear(const char *path, bool changing);
void store_identity_release(const char *path); /* forgets path whatever its state */

/* Maps a failing SQLite result code onto STORE_ERR_*. */
int store_error_code(int sqlite_rc);

#endif
