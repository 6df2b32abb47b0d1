/*
 * store_catalog: the catalogs the kiosk received from the shared database
 * (docs/CATALOG.md), kept in its store so a kiosk offline or restarted
 * runs the last one it accepted.
 *
 * Each received version is one row: its text (the INI the kiosk's config
 * parser reads), when it came, and its state: received (not yet checked),
 * applied (checked and run) or refused (with the first error, as
 * "FILE:LINE: key: message").  Rows are ordered by arrival, not by version
 * number: "the latest" is the one the shared database gave last, even if
 * that is an older version number (a database restored from a backup).
 *
 * Two sides, two connections: the sync thread puts what it fetched and
 * reads what its heartbeat reports on its own connection (store_changes.h);
 * the kiosk's thread reads the latest and marks it applied or refused on
 * the store it records taps in (store.h).
 *
 * Errors: the store_changes side returns 0 or -1 with the text in the
 * connection's error buffer (nothing logged); the store side returns 0 or
 * a STORE_ERR_* after logging, as store.h's functions do.
 */
#ifndef WOW_STORE_CATALOG_H
#define WOW_STORE_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "store_changes.h"

#define STORE_CATALOG_ERROR_MAX 512
#define STORE_CATALOG_BODY_MAX  (1024 * 1024) /* bytes; a larger one is refused, not kept */

enum store_catalog_state {
    STORE_CATALOG_RECEIVED, /* stored "received" */
    STORE_CATALOG_APPLIED,  /* "applied" */
    STORE_CATALOG_REFUSED,  /* "refused" */
};

/* One stored catalog; version 0 when there is none. */
struct store_catalog_entry {
    int64_t version;
    char *body; /* owned: store_catalog_entry_free */
    int64_t received_ms;
    enum store_catalog_state state;
    char error[STORE_CATALOG_ERROR_MAX]; /* "" unless refused */
};

/* What a heartbeat says of the catalogs, read in the sync's snapshot. */
struct store_catalog_report {
    int64_t latest;  /* the version received last; 0: none (the fetch's $have) */
    int64_t applied; /* the version applied last; 0: none */
    int64_t refused; /* a version refused after that one was applied; 0: none */
    char error[STORE_CATALOG_ERROR_MAX]; /* refused's error; "" when refused is 0 */
};

/* --- the sync thread, on its own connection ------------------------------ */

/* Keeps version (> 0) and its body (NUL-terminated text, at most
 * STORE_CATALOG_BODY_MAX bytes) as the latest received at received_ms.
 * refused, when not NULL, stores it refused with that error and an empty
 * body (a body too large, not text).  A version already kept is replaced:
 * it becomes the latest again and is checked anew.  In its own write
 * transaction: call it outside store_changes_begin .. end. */
int store_catalog_put(struct store_changes *changes, int64_t version, const char *body,
                      int64_t received_ms, const char *refused);

/* Fills *out; inside or outside a snapshot. */
int store_catalog_report(struct store_changes *changes, struct store_catalog_report *out);

/* --- the kiosk's thread, on its store -------------------------------------- */

/* The latest catalog received (applied_only false) or the latest applied
 * (applied_only true) into *out (version 0 when none); the caller frees
 * it with store_catalog_entry_free. */
int store_catalog_latest(struct store *store, bool applied_only, struct store_catalog_entry *out);

/* Marks version applied, or refused with error (a non-empty text). */
int store_catalog_mark(struct store *store, int64_t version, enum store_catalog_state state,
                       const char *error);

/* Frees what *entry owns and zeroes it. */
void store_catalog_entry_free(struct store_catalog_entry *entry);

/* The stored word of a state ("received", "applied", "refused"). */
const char *store_catalog_state_name(enum store_catalog_state state);

#endif
