/*
 * schema: the shared database's tables, as versioned migration steps, and
 * the bookkeeping that applies them once (wowdash migrate; the kiosk only
 * for the embedded SQLite default, see sqlite_backend.c).
 *
 * Tables (the full DDL is schema_steps[] in schema.c):
 *   wow_schema(version, description, applied_ms)     steps applied so far
 *   tap_counts(kiosk_id, incarnation, bucket_start_ms, department,
 *              rating_1..rating_4, misuse_1..misuse_4)  absolute G-counters,
 *                                                    one column per face
 *                                                    (and per face flagged as
 *                                                    misuse)
 *   reason_counts(kiosk_id, incarnation, bucket_start_ms, department,
 *                 question, reason, ended_by, misuse, n)
 *   kiosks(kiosk_id, ...)                            the heartbeat
 *
 * Keys lead by kiosk_id; no sequences, triggers or serial columns, so the
 * tables shard by kiosk on Citus, CockroachDB or YugabyteDB.  Times are
 * BIGINT milliseconds since the epoch, UTC, the same in both engines.
 *
 * PostgreSQL only (step 2): row-level security.  A kiosk logs in as its
 * own role "kiosk_<ID>", a member of the NOLOGIN role wowkiosk_fleet; the
 * policy lets it insert, update and read rows whose kiosk_id is <ID>, and
 * nothing else.  FORCE ROW LEVEL SECURITY applies it to the owner too,
 * whose own policy (wow_owner_all) lets it do everything.
 */
#ifndef WOW_SCHEMA_H
#define WOW_SCHEMA_H

#include <stddef.h>

#define SCHEMA_VERSION 2 /* the newest step */

/* A kiosk's role is this prefix and its id (schema step 2's policy). */
#define SCHEMA_KIOSK_ROLE_PREFIX "kiosk_"
#define SCHEMA_FLEET_ROLE        "wowkiosk_fleet"

/* One step: version - 1 to version.  Append-only, like the store's. */
struct schema_step {
    int version;
    const char *description;
    const char *sql;          /* both engines */
    const char *sql_postgres; /* PostgreSQL only, after sql; NULL: none */
};

extern const struct schema_step schema_steps[];
extern const size_t schema_step_count;

/* Creates the bookkeeping table if missing, in both engines. */
extern const char schema_bookkeeping_sql[];

#endif
