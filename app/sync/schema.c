/*
 * schema: the shared database's DDL (see schema.h).  The same SQL serves
 * PostgreSQL and SQLite: both accept BIGINT, SMALLINT and TEXT, both do
 * INSERT .. ON CONFLICT.  What only PostgreSQL has (roles, row-level
 * security) is in sql_postgres.
 */
#include "schema.h"

const char schema_bookkeeping_sql[] = "CREATE TABLE IF NOT EXISTS wow_schema("
                                      "  version INTEGER PRIMARY KEY,"
                                      "  description TEXT NOT NULL,"
                                      "  applied_ms BIGINT NOT NULL)";

/* Step 2's policy, once per table: a kiosk role sees and writes only its
 * own rows; the owner everything.  current_user is "kiosk_<ID>". */
#define KIOSK_POLICY(table)                                                                        \
    "ALTER TABLE " table " ENABLE ROW LEVEL SECURITY;"                                             \
    "ALTER TABLE " table " FORCE ROW LEVEL SECURITY;"                                              \
    "GRANT SELECT, INSERT, UPDATE ON " table " TO " SCHEMA_FLEET_ROLE ";"                          \
    "CREATE POLICY wow_kiosk_own ON " table " TO " SCHEMA_FLEET_ROLE                               \
    "  USING (kiosk_id = substr(current_user::text, 7))"                                           \
    "  WITH CHECK (kiosk_id = substr(current_user::text, 7));"                                     \
    "CREATE POLICY wow_owner_all ON " table " TO CURRENT_USER USING (true) WITH CHECK (true);"

_Static_assert(sizeof SCHEMA_KIOSK_ROLE_PREFIX - 1 == 6,
               "the policy takes substr(current_user, 7)");

const struct schema_step schema_steps[] = {
    {1, "counts and heartbeat",
     /* One row per kiosk incarnation, 15-minute bucket and department, with
        the absolute count of each face, apart and flagged as misuse: the
        server keeps the greatest of each.  Four times fewer rows than one
        per rating, and a report reads a whole distribution from one row.
        The key leads by kiosk (sharding) then time (rows arrive in time
        order, so inserts append to the end of each kiosk's range). */
     "CREATE TABLE tap_counts("
     "  kiosk_id TEXT NOT NULL,"
     "  incarnation TEXT NOT NULL,"
     "  bucket_start_ms BIGINT NOT NULL,"
     "  department TEXT NOT NULL,"
     "  rating_1 BIGINT NOT NULL CHECK (rating_1 >= 0)," /* very unhappy, not misuse */
     "  rating_2 BIGINT NOT NULL CHECK (rating_2 >= 0),"
     "  rating_3 BIGINT NOT NULL CHECK (rating_3 >= 0),"
     "  rating_4 BIGINT NOT NULL CHECK (rating_4 >= 0)," /* WOW */
     "  misuse_1 BIGINT NOT NULL CHECK (misuse_1 >= 0)," /* the same faces, flagged misuse */
     "  misuse_2 BIGINT NOT NULL CHECK (misuse_2 >= 0),"
     "  misuse_3 BIGINT NOT NULL CHECK (misuse_3 >= 0),"
     "  misuse_4 BIGINT NOT NULL CHECK (misuse_4 >= 0),"
     "  PRIMARY KEY (kiosk_id, incarnation, bucket_start_ms, department));"
     /* reason is '' when the follow-up was skipped or timed out */
     "CREATE TABLE reason_counts("
     "  kiosk_id TEXT NOT NULL,"
     "  incarnation TEXT NOT NULL,"
     "  bucket_start_ms BIGINT NOT NULL,"
     "  department TEXT NOT NULL,"
     "  question TEXT NOT NULL CHECK (question IN ('positive', 'negative')),"
     "  reason TEXT NOT NULL,"
     "  ended_by TEXT NOT NULL CHECK (ended_by IN ('chosen', 'skipped', 'timeout')),"
     "  misuse SMALLINT NOT NULL CHECK (misuse IN (0, 1)),"
     "  n BIGINT NOT NULL CHECK (n > 0),"
     "  PRIMARY KEY (kiosk_id, incarnation, bucket_start_ms, department, question, reason,"
     "               ended_by, misuse));"
     /* one row per kiosk, rewritten by every sync round */
     "CREATE TABLE kiosks("
     "  kiosk_id TEXT PRIMARY KEY,"
     "  site TEXT NOT NULL,"
     "  label TEXT NOT NULL,"
     "  department TEXT NOT NULL,"
     "  timezone TEXT NOT NULL,"
     "  app_version TEXT NOT NULL,"
     "  incarnation TEXT NOT NULL,"
     "  kiosk_clock_ms BIGINT NOT NULL," /* the kiosk's clock when it sent this */
     "  last_seen_ms BIGINT NOT NULL,"   /* the database's clock; 0: never seen */
     "  last_success_ms BIGINT,"         /* last round that left nothing waiting */
     "  backlog BIGINT NOT NULL,"        /* rows waiting on the kiosk */
     "  last_error TEXT NOT NULL)",
     NULL},
    {2, "kiosk roles and row-level security",
     /* nothing for SQLite: one machine, one user */
     "SELECT 1",
     /* roles are per cluster, so another database may have made it already */
     "DO $$ BEGIN"
     "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" SCHEMA_FLEET_ROLE "') THEN"
     "    CREATE ROLE " SCHEMA_FLEET_ROLE " NOLOGIN;"
     "  END IF;"
     "END $$;" KIOSK_POLICY("tap_counts") KIOSK_POLICY("reason_counts") KIOSK_POLICY("kiosks")},
};
const size_t schema_step_count = sizeof schema_steps / sizeof schema_steps[0];

_Static_assert(sizeof schema_steps / sizeof schema_steps[0] == SCHEMA_VERSION,
               "SCHEMA_VERSION is the number of steps");
