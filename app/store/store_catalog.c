/*
 * store_catalog: the received catalogs in the kiosk's store (see
 * store_catalog.h).  The SQL on the catalogs table lives here, beside the
 * schema (store.c's step 2).
 */
#include "store_catalog.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_private.h"

static const char *const state_names[] = {
    [STORE_CATALOG_RECEIVED] = "received",
    [STORE_CATALOG_APPLIED] = "applied",
    [STORE_CATALOG_REFUSED] = "refused",
};

const char *store_catalog_state_name(enum store_catalog_state state)
{
    return (unsigned)state < sizeof state_names / sizeof state_names[0] ? state_names[state] : "?";
}

static enum store_catalog_state state_of(const unsigned char *text)
{
    for (unsigned i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
        if (text != NULL && strcmp((const char *)text, state_names[i]) == 0)
            return (enum store_catalog_state)i;
    return STORE_CATALOG_REFUSED; /* the CHECK makes this unreachable */
}

/* Replacing a row gives it the next seq: it is the latest again. */
static const char put_sql[] =
    "INSERT OR REPLACE INTO catalogs(version, body, received_ms, seq, state, error)"
    " VALUES (?1, ?2, ?3, (SELECT coalesce(max(seq), 0) + 1 FROM catalogs), ?4, ?5)";

static const char report_sql[] =
    "SELECT (SELECT version FROM catalogs ORDER BY seq DESC LIMIT 1),"
    " a.version, r.version, r.error"
    " FROM (SELECT 1) LEFT JOIN (SELECT version, seq FROM catalogs WHERE state = 'applied'"
    "  ORDER BY seq DESC LIMIT 1) AS a ON 1"
    " LEFT JOIN (SELECT version, seq, error FROM catalogs WHERE state = 'refused'"
    "  ORDER BY seq DESC LIMIT 1) AS r ON r.seq > coalesce(a.seq, 0)";

int store_catalog_put(struct store_changes *changes, int64_t version, const char *body,
                      int64_t received_ms, const char *refused)
{
    sqlite3 *db = store_changes_db(changes);
    sqlite3_stmt *st;
    if (version <= 0 || (refused == NULL && strlen(body) > STORE_CATALOG_BODY_MAX) ||
        (refused != NULL && refused[0] == '\0')) {
        snprintf(store_changes_error(changes), store_changes_error_size(changes),
                 "store: catalog version %lld not kept: a version above 0 and a text of at "
                 "most %d bytes expected",
                 (long long)version, STORE_CATALOG_BODY_MAX);
        return -1;
    }
    if (sqlite3_prepare_v2(db, put_sql, -1, &st, NULL) != SQLITE_OK)
        return store_changes_fail(changes, "prepare INSERT INTO catalogs");
    sqlite3_bind_int64(st, 1, version);
    sqlite3_bind_text(st, 2, refused != NULL ? "" : body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, received_ms);
    sqlite3_bind_text(st, 4, refused != NULL ? "refused" : "received", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, refused != NULL ? refused : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : store_changes_fail(changes, "INSERT INTO catalogs");
}

int store_catalog_report(struct store_changes *changes, struct store_catalog_report *out)
{
    sqlite3 *db = store_changes_db(changes);
    sqlite3_stmt *st;
    *out = (struct store_catalog_report){0};
    if (sqlite3_prepare_v2(db, report_sql, -1, &st, NULL) != SQLITE_OK)
        return store_changes_fail(changes, "prepare SELECT FROM catalogs");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->latest = sqlite3_column_int64(st, 0);
        out->applied = sqlite3_column_int64(st, 1);
        out->refused = sqlite3_column_int64(st, 2);
        if (out->refused > 0 && sqlite3_column_text(st, 3) != NULL)
            snprintf(out->error, sizeof out->error, "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : store_changes_fail(changes, "SELECT FROM catalogs");
}

static int store_fail(struct store *store, const char *what)
{
    log_error("store: %s: %s: %s", store->path, what, sqlite3_errmsg(store->db));
    return store_error_code(sqlite3_extended_errcode(store->db));
}

int store_catalog_latest(struct store *store, bool applied_only, struct store_catalog_entry *out)
{
    sqlite3_stmt *st;
    *out = (struct store_catalog_entry){0};
    const char *sql = applied_only ? "SELECT version, body, received_ms, state, error FROM catalogs"
                                     " WHERE state = 'applied' ORDER BY seq DESC LIMIT 1"
                                   : "SELECT version, body, received_ms, state, error FROM catalogs"
                                     " ORDER BY seq DESC LIMIT 1";
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_fail(store, "prepare SELECT FROM catalogs");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *body = sqlite3_column_text(st, 1);
        out->body = strdup(body != NULL ? (const char *)body : "");
        if (out->body == NULL) {
            sqlite3_finalize(st);
            log_error("store: %s: out of memory reading a catalog", store->path);
            return STORE_ERR_RETRY;
        }
        out->version = sqlite3_column_int64(st, 0);
        out->received_ms = sqlite3_column_int64(st, 2);
        out->state = state_of(sqlite3_column_text(st, 3));
        if (sqlite3_column_text(st, 4) != NULL)
            snprintf(out->error, sizeof out->error, "%s", (const char *)sqlite3_column_text(st, 4));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_fail(store, "SELECT FROM catalogs");
}

int store_catalog_mark(struct store *store, int64_t version, enum store_catalog_state state,
                       const char *error)
{
    bool refused = state == STORE_CATALOG_REFUSED;
    if (refused != (error != NULL && error[0] != '\0') || state == STORE_CATALOG_RECEIVED) {
        log_error("store: catalog version %lld: applied without an error or refused with one "
                  "expected",
                  (long long)version);
        return STORE_ERR_REFUSED;
    }
    sqlite3_stmt *st;
    const char *sql = "UPDATE catalogs SET state = ?2, error = ?3 WHERE version = ?1";
    if (sqlite3_prepare_v2(store->db, sql, -1, &st, NULL) != SQLITE_OK)
        return store_fail(store, "prepare UPDATE catalogs");
    sqlite3_bind_int64(st, 1, version);
    sqlite3_bind_text(st, 2, state_names[state], -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, refused ? error : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return store_fail(store, "UPDATE catalogs");
    if (sqlite3_changes(store->db) == 0) {
        log_error("store: %s: no catalog version %lld to mark %s", store->path, (long long)version,
                  state_names[state]);
        return STORE_ERR_REFUSED;
    }
    return 0;
}

void store_catalog_entry_free(struct store_catalog_entry *entry)
{
    free(entry->body);
    *entry = (struct store_catalog_entry){0};
}
