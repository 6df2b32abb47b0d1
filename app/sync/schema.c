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

/* SQLite's clock in milliseconds since the epoch (julianday has them). */
#define SCHEMA_SQLITE_NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)"

/* PostgreSQL's clock in milliseconds since the epoch (step 10's stamp). */
#define SCHEMA_PG_NOW_MS "(extract(epoch FROM clock_timestamp()) * 1000)::bigint"

/* Step 18's: the same milliseconds in double precision.  extract()
 * returns numeric, whose multiplication and cast cost a backlog's insert
 * more than the default is worth; date_part() keeps the microseconds
 * (an epoch in seconds fits a double to a fraction of one). */
#define PG_NOW_MS_FAST "(date_part('epoch', clock_timestamp()) * 1000)::bigint"

/* Step 18's kiosk in a policy: a scalar subquery, which PostgreSQL
 * evaluates once per statement (an initplan), not once per row. */
#define KIOSK_SELF "(SELECT substr(current_user::text, 7))"
/* Step 2's wow_kiosk_own, and a kiosk's read of its own row, with it. */
#define KIOSK_OWN_ONCE(table)                                                                      \
    "ALTER POLICY wow_kiosk_own ON " table " USING (kiosk_id = " KIOSK_SELF ")"                    \
    " WITH CHECK (kiosk_id = " KIOSK_SELF ");"
#define KIOSK_READS_OWN_ONCE(table)                                                                \
    "ALTER POLICY wow_kiosk_reads_own ON " table " USING (kiosk_id = " KIOSK_SELF ");"

/* The counts' columns a kiosk role may write (step 10): all but synced_ms. */
#define TAP_COUNTS_COLUMNS                                                                         \
    "kiosk_id, incarnation, bucket_start_ms, department, rating_1, rating_2, rating_3,"            \
    " rating_4, misuse_1, misuse_2, misuse_3, misuse_4"
#define REASON_COUNTS_COLUMNS                                                                      \
    "kiosk_id, incarnation, bucket_start_ms, department, question, reason, ended_by, misuse, n"

/* Step 13: one follow-up column of tap_counts, and the only-grows
 * triggers' test that none of them went down (both engines). */
#define END_COLUMN(c)                                                                              \
    "ALTER TABLE tap_counts ADD COLUMN " c " BIGINT NOT NULL DEFAULT 0 CHECK (" c " >= 0);"
#define END_LOWERED_(c) " OR NEW." c " < OLD." c
#define ENDS_LOWERED    SCHEMA_ENDS_EACH_(END_LOWERED_)

/* Step 19: a first reason's two columns; the CHECK that keeps a count
 * with each reason and the reason bounded; the only-grows triggers' test
 * that a count went down or a reason, once there, changed (both engines). */
#define FIRST_COLUMN(c)                                                                            \
    "ALTER TABLE tap_counts ADD COLUMN " c " TEXT NOT NULL DEFAULT '';"                            \
    "ALTER TABLE tap_counts ADD COLUMN " c "_n BIGINT NOT NULL DEFAULT 0;"
#define FIRST_VALID_(c)                                                                            \
    " " c "_n >= 0 AND (" c " = '') = (" c "_n = 0) AND length(" c ") <= " BOUND_ID " AND"
#define FIRST_LOWERED_(c)                                                                          \
    " OR NEW." c "_n < OLD." c "_n OR (OLD." c " <> '' AND NEW." c " <> OLD." c ")"
#define FIRSTS_LOWERED SCHEMA_FIRSTS_EACH_(FIRST_LOWERED_)

/* The only-grows rule on tap_counts from step 14 on: a count went down
 * (lowered: an SQL condition), refused with message.  PostgreSQL's
 * trigger function also refuses a changed key and stamps the row with
 * stamp (step 19 takes step 18's, in double precision);
 * SQLite's trigger (after it dropped the one before) refuses both with
 * one message, its AFTER trigger stamps. */
#define TAP_COUNTS_LOWERED                                                                         \
    " NEW.rating_1 < OLD.rating_1 OR NEW.rating_2 < OLD.rating_2"                                  \
    " OR NEW.rating_3 < OLD.rating_3 OR NEW.rating_4 < OLD.rating_4"                               \
    " OR NEW.misuse_1 < OLD.misuse_1 OR NEW.misuse_2 < OLD.misuse_2"                               \
    " OR NEW.misuse_3 < OLD.misuse_3 OR NEW.misuse_4 < OLD.misuse_4" ENDS_LOWERED
#define TAP_COUNTS_ONLY_GROW_FN(lowered, message, stamp)                                           \
    "CREATE OR REPLACE FUNCTION wow_tap_counts_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$" \
    "BEGIN"                                                                                        \
    "  IF (NEW.kiosk_id, NEW.incarnation, NEW.bucket_start_ms, NEW.department)"                    \
    "     IS DISTINCT FROM (OLD.kiosk_id, OLD.incarnation, OLD.bucket_start_ms, OLD.department)"   \
    "  THEN RAISE EXCEPTION 'tap_counts: a row''s key never changes' USING ERRCODE = '23514';"     \
    "  END IF;"                                                                                    \
    "  IF" lowered "  THEN RAISE EXCEPTION '" message " (kiosk %, bucket %)',"                     \
    "    OLD.kiosk_id, OLD.bucket_start_ms USING ERRCODE = '23514';"                               \
    "  END IF;"                                                                                    \
    "  NEW.synced_ms := " stamp ";"                                                                \
    "  RETURN NEW;"                                                                                \
    "END $$"
/* SQLite: the stamp of a row whose faces or columns (a list) grew. */
#define TAP_COUNTS_STAMPED_ON(columns)                                                             \
    "DROP TRIGGER tap_counts_synced_update;"                                                       \
    "CREATE TRIGGER tap_counts_synced_update AFTER UPDATE OF rating_1, rating_2, rating_3,"        \
    "  rating_4, misuse_1, misuse_2, misuse_3, misuse_4, " columns " ON tap_counts"                \
    "  BEGIN UPDATE tap_counts SET synced_ms = " SCHEMA_SQLITE_NOW_MS                              \
    "  WHERE rowid = NEW.rowid; END"
#define TAP_COUNTS_ONLY_GROW_TRIGGER(lowered, message)                                             \
    "DROP TRIGGER tap_counts_only_grow;"                                                           \
    "CREATE TRIGGER tap_counts_only_grow BEFORE UPDATE ON tap_counts WHEN"                         \
    "  NEW.kiosk_id IS NOT OLD.kiosk_id OR NEW.incarnation IS NOT OLD.incarnation"                 \
    "  OR NEW.bucket_start_ms IS NOT OLD.bucket_start_ms OR NEW.department IS NOT OLD.department"  \
    "  OR" lowered "  BEGIN SELECT RAISE(ABORT, '" message "');"                                   \
    "  END;"

/* A number macro as an SQL literal. */
#define SCHEMA_STR_(x) #x
#define SCHEMA_STR(x)  SCHEMA_STR_(x)

/* step 17's bounds as SQL numbers */
#define BOUND_NAME  SCHEMA_STR(SCHEMA_KIOSK_NAME_MAX_CHARS)
#define BOUND_ERROR SCHEMA_STR(SCHEMA_KIOSK_ERROR_MAX_CHARS)
#define BOUND_LIST  SCHEMA_STR(SCHEMA_KIOSK_LIST_MAX_CHARS)
#define BOUND_ID    SCHEMA_STR(SCHEMA_KIOSK_ID_MAX_CHARS)

/* The comments' columns a kiosk role may insert (step 12): all but synced_ms. */
#define COMMENTS_COLUMNS                                                                           \
    "kiosk_id, incarnation, tap_id, source, department, rating, tap_ms, lang, body, written_ms"

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
     NULL, NULL},
    {2, "kiosk roles and row-level security",
     /* nothing for SQLite: one machine, one user */
     "SELECT 1",
     /* roles are per cluster, so another database may have made it already */
     "DO $$ BEGIN"
     "  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" SCHEMA_FLEET_ROLE "') THEN"
     "    CREATE ROLE " SCHEMA_FLEET_ROLE " NOLOGIN;"
     "  END IF;"
     "END $$;" KIOSK_POLICY("tap_counts") KIOSK_POLICY("reason_counts") KIOSK_POLICY("kiosks"),
     NULL},
    {3, "dashboard: change stamps, rollups, users, alerts",
     /* 0 for the rows already there: the first rollup reads them all */
     "ALTER TABLE tap_counts ADD COLUMN synced_ms BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE reason_counts ADD COLUMN synced_ms BIGINT NOT NULL DEFAULT 0;"
     "CREATE INDEX tap_counts_synced ON tap_counts(synced_ms);"
     "CREATE INDEX reason_counts_synced ON reason_counts(synced_ms);"
     "CREATE TABLE dash_groups("
     "  group_id TEXT PRIMARY KEY,"
     "  name TEXT NOT NULL);"
     /* a department nobody described is shown by its id, in no group */
     "CREATE TABLE dash_departments("
     "  department TEXT PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  group_id TEXT REFERENCES dash_groups(group_id));"
     "CREATE TABLE dash_users("
     "  user_name TEXT PRIMARY KEY,"
     "  role TEXT NOT NULL CHECK (role IN ('admin', 'head', 'technician')),"
     "  password_hash TEXT NOT NULL," /* libsodium crypto_pwhash_str, argon2id */
     "  created_ms BIGINT NOT NULL,"
     "  disabled SMALLINT NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)));"
     /* what a department head may see: departments, and groups of them */
     "CREATE TABLE dash_user_scopes("
     "  user_name TEXT NOT NULL REFERENCES dash_users(user_name) ON DELETE CASCADE,"
     "  kind TEXT NOT NULL CHECK (kind IN ('department', 'group')),"
     "  scope_id TEXT NOT NULL,"
     "  PRIMARY KEY (user_name, kind, scope_id));"
     /* tokens are kept only as hashes: a copy of the database logs nobody in */
     "CREATE TABLE dash_sessions("
     "  session_hash TEXT PRIMARY KEY,"
     "  user_name TEXT NOT NULL REFERENCES dash_users(user_name) ON DELETE CASCADE,"
     "  csrf_token TEXT NOT NULL,"
     "  created_ms BIGINT NOT NULL,"
     "  seen_ms BIGINT NOT NULL,"
     "  expires_ms BIGINT NOT NULL);"
     "CREATE TABLE dash_api_tokens("
     "  token_hash TEXT PRIMARY KEY,"
     "  user_name TEXT NOT NULL REFERENCES dash_users(user_name) ON DELETE CASCADE,"
     "  label TEXT NOT NULL,"
     "  created_ms BIGINT NOT NULL,"
     "  last_used_ms BIGINT);"
     /* the rollups: see schema.h */
     "CREATE TABLE dash_day("
     "  day INTEGER NOT NULL,"
     "  department TEXT NOT NULL,"
     "  kiosk_id TEXT NOT NULL,"
     "  rating_1 BIGINT NOT NULL, rating_2 BIGINT NOT NULL,"
     "  rating_3 BIGINT NOT NULL, rating_4 BIGINT NOT NULL,"
     "  misuse_1 BIGINT NOT NULL, misuse_2 BIGINT NOT NULL,"
     "  misuse_3 BIGINT NOT NULL, misuse_4 BIGINT NOT NULL,"
     "  PRIMARY KEY (day, department, kiosk_id));"
     "CREATE TABLE dash_hour("
     "  department TEXT NOT NULL,"
     "  day INTEGER NOT NULL,"
     "  hour SMALLINT NOT NULL CHECK (hour BETWEEN 0 AND 23),"
     "  kiosk_id TEXT NOT NULL,"
     "  weekday SMALLINT NOT NULL CHECK (weekday BETWEEN 0 AND 6)," /* 0 = Monday */
     "  rating_1 BIGINT NOT NULL, rating_2 BIGINT NOT NULL,"
     "  rating_3 BIGINT NOT NULL, rating_4 BIGINT NOT NULL,"
     "  misuse_1 BIGINT NOT NULL, misuse_2 BIGINT NOT NULL,"
     "  misuse_3 BIGINT NOT NULL, misuse_4 BIGINT NOT NULL,"
     "  PRIMARY KEY (department, day, hour, kiosk_id));"
     "CREATE TABLE dash_reason_day("
     "  department TEXT NOT NULL,"
     "  day INTEGER NOT NULL,"
     "  kiosk_id TEXT NOT NULL,"
     "  question TEXT NOT NULL,"
     "  reason TEXT NOT NULL,"
     "  ended_by TEXT NOT NULL,"
     "  misuse SMALLINT NOT NULL,"
     "  n BIGINT NOT NULL,"
     "  PRIMARY KEY (department, day, kiosk_id, question, reason, ended_by, misuse));"
     /* name: 'tap_counts' or 'reason_counts'; rows with synced_ms after
        watermark_ms (less a margin for transactions still open) are new */
     "CREATE TABLE dash_rollup_state("
     "  name TEXT PRIMARY KEY,"
     "  watermark_ms BIGINT NOT NULL,"
     "  refreshed_ms BIGINT NOT NULL);"
     "CREATE TABLE dash_rules("
     "  rule_id TEXT PRIMARY KEY,"
     "  kind TEXT NOT NULL"
     "    CHECK (kind IN ('negative_share', 'index_below', 'index_above', 'answer_count')),"
     "  department TEXT NOT NULL DEFAULT ''," /* '': every department */
     "  threshold DOUBLE PRECISION NOT NULL,"
     "  window_hours INTEGER NOT NULL CHECK (window_hours > 0),"
     "  min_responses BIGINT NOT NULL DEFAULT 0,"
     "  rating SMALLINT CHECK (rating BETWEEN 1 AND 4)," /* answer_count's face */
     "  enabled SMALLINT NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),"
     "  created_ms BIGINT NOT NULL);"
     "CREATE TABLE dash_alerts("
     "  alert_id BIGINT PRIMARY KEY,"
     "  source TEXT NOT NULL," /* 'slip', or the rule_id */
     "  kind TEXT NOT NULL,"
     "  department TEXT NOT NULL,"
     "  state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'closed')),"
     "  opened_ms BIGINT NOT NULL,"
     "  value DOUBLE PRECISION NOT NULL,"
     "  responses BIGINT NOT NULL,"
     "  baseline DOUBLE PRECISION,"
     "  detail TEXT NOT NULL,"
     "  acked_by TEXT,"
     "  acked_ms BIGINT,"
     "  closed_ms BIGINT,"
     "  webhook_ms BIGINT,"
     "  webhook_error TEXT);"
     "CREATE INDEX dash_alerts_state ON dash_alerts(state, department);"
     "CREATE TABLE dash_alert_comments("
     "  alert_id BIGINT NOT NULL REFERENCES dash_alerts(alert_id) ON DELETE CASCADE,"
     "  seq INTEGER NOT NULL,"
     "  user_name TEXT NOT NULL,"
     "  at_ms BIGINT NOT NULL,"
     "  body TEXT NOT NULL,"
     "  PRIMARY KEY (alert_id, seq))",
     /* PostgreSQL: the stamp before the row is written, so no second write */
     "CREATE OR REPLACE FUNCTION wow_stamp_synced() RETURNS trigger LANGUAGE plpgsql AS $$"
     "BEGIN NEW.synced_ms := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;"
     "  RETURN NEW; END $$;"
     "CREATE TRIGGER tap_counts_synced BEFORE INSERT OR UPDATE ON tap_counts"
     "  FOR EACH ROW EXECUTE FUNCTION wow_stamp_synced();"
     "CREATE TRIGGER reason_counts_synced BEFORE INSERT OR UPDATE ON reason_counts"
     "  FOR EACH ROW EXECUTE FUNCTION wow_stamp_synced();",
     /* SQLite: NEW cannot be assigned, so the row is stamped after; the
        UPDATE OF lists leave out synced_ms, so the stamp fires nothing */
     "CREATE TRIGGER tap_counts_synced_insert AFTER INSERT ON tap_counts BEGIN"
     "  UPDATE tap_counts SET synced_ms = " SCHEMA_SQLITE_NOW_MS " WHERE rowid = NEW.rowid; END;"
     "CREATE TRIGGER tap_counts_synced_update AFTER UPDATE OF rating_1, rating_2, rating_3,"
     "  rating_4, misuse_1, misuse_2, misuse_3, misuse_4 ON tap_counts BEGIN"
     "  UPDATE tap_counts SET synced_ms = " SCHEMA_SQLITE_NOW_MS " WHERE rowid = NEW.rowid; END;"
     "CREATE TRIGGER reason_counts_synced_insert AFTER INSERT ON reason_counts BEGIN"
     "  UPDATE reason_counts SET synced_ms = " SCHEMA_SQLITE_NOW_MS
     "  WHERE rowid = NEW.rowid; END;"
     "CREATE TRIGGER reason_counts_synced_update AFTER UPDATE OF n ON reason_counts BEGIN"
     "  UPDATE reason_counts SET synced_ms = " SCHEMA_SQLITE_NOW_MS
     "  WHERE rowid = NEW.rowid; END;"},
    {4, "the catalog: what kiosks ask flows down (docs/CATALOG.md)",
     /* Every change is a new version: the whole fleet document, who and
        when.  The newest version is the catalog in force. */
     "CREATE TABLE catalog_versions("
     "  version BIGINT PRIMARY KEY CHECK (version > 0),"
     "  made_ms BIGINT NOT NULL,"
     "  made_by TEXT NOT NULL,"
     "  note TEXT NOT NULL,"
     "  body TEXT NOT NULL);"
     /* What one kiosk runs: the version rendered for it (its departments,
        its site's hours), the INI text its own config parser reads.  The
        only catalog table a kiosk role may read, and only its own row. */
     "CREATE TABLE kiosk_catalog("
     "  kiosk_id TEXT PRIMARY KEY,"
     "  version BIGINT NOT NULL,"
     "  body TEXT NOT NULL);"
     /* The newest version's names, for the dashboard: lang '' is the
        catalog's first language (the plain key), others name.LANG. */
     "CREATE TABLE catalog_names("
     "  kind TEXT NOT NULL CHECK (kind IN ('department', 'group', 'reason', 'site')),"
     "  id TEXT NOT NULL,"
     "  lang TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  PRIMARY KEY (kind, id, lang));"
     "CREATE TABLE catalog_reasons("
     "  reason TEXT PRIMARY KEY,"
     "  list TEXT NOT NULL CHECK (list IN ('positive', 'negative')),"
     "  position INTEGER NOT NULL);"
     /* groups are a tree (site > area > ...); departments sit in one */
     "ALTER TABLE dash_groups ADD COLUMN parent_id TEXT;"
     "ALTER TABLE dash_departments ADD COLUMN customer_facing SMALLINT NOT NULL DEFAULT 1;"
     /* the heartbeat: the version the kiosk runs, the error of one it
        refused, and a picker kiosk's departments (department is '') */
     "ALTER TABLE kiosks ADD COLUMN catalog_version BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE kiosks ADD COLUMN catalog_error TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE kiosks ADD COLUMN mode TEXT NOT NULL DEFAULT 'single';"
     "ALTER TABLE kiosks ADD COLUMN departments TEXT NOT NULL DEFAULT ''",
     /* PostgreSQL: a kiosk reads its own rendered catalog and writes none
        of it; the counts' writes notify a listening dashboard (once per
        transaction: PostgreSQL folds equal notifications) */
     "ALTER TABLE kiosk_catalog ENABLE ROW LEVEL SECURITY;"
     "ALTER TABLE kiosk_catalog FORCE ROW LEVEL SECURITY;"
     "GRANT SELECT ON kiosk_catalog TO " SCHEMA_FLEET_ROLE ";"
     "CREATE POLICY wow_kiosk_reads_own ON kiosk_catalog FOR SELECT TO " SCHEMA_FLEET_ROLE
     "  USING (kiosk_id = substr(current_user::text, 7));"
     "CREATE POLICY wow_owner_all ON kiosk_catalog TO CURRENT_USER USING (true) WITH CHECK (true);"
     "CREATE OR REPLACE FUNCTION wow_notify_counts() RETURNS trigger LANGUAGE plpgsql AS $$"
     "BEGIN PERFORM pg_notify('" SCHEMA_COUNTS_CHANNEL "', ''); RETURN NULL; END $$;"
     "CREATE TRIGGER tap_counts_notify AFTER INSERT OR UPDATE ON tap_counts"
     "  FOR EACH STATEMENT EXECUTE FUNCTION wow_notify_counts();"
     "CREATE TRIGGER reason_counts_notify AFTER INSERT OR UPDATE ON reason_counts"
     "  FOR EACH STATEMENT EXECUTE FUNCTION wow_notify_counts();",
     NULL},
    /* step: store faults — the heartbeat says when the kiosk's store fails */
    {5, "the heartbeat reports the kiosk's store failing (docs/ARCHITECTURE.md)",
     /* records waiting in the kiosk's memory (not in its store), the
        store's last error, and since when it fails (0: it works) */
     "ALTER TABLE kiosks ADD COLUMN store_waiting BIGINT NOT NULL DEFAULT 0;"
     "ALTER TABLE kiosks ADD COLUMN store_error TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE kiosks ADD COLUMN store_error_since_ms BIGINT NOT NULL DEFAULT 0",
     NULL, NULL},
    /* step: counts only grow — in the database, not only in the kiosk's upsert */
    {6, "counts only grow: no role lowers a count or moves it to another key", "SELECT 1",
     /* A kiosk's own role may UPDATE its rows (the merge); RLS confines it to
        them, and these make the merge the only update it can make: a count
        never goes down, a row never changes its key.  SQLSTATE 23514. */
     "CREATE FUNCTION wow_tap_counts_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$"
     "BEGIN"
     "  IF (NEW.kiosk_id, NEW.incarnation, NEW.bucket_start_ms, NEW.department)"
     "     IS DISTINCT FROM (OLD.kiosk_id, OLD.incarnation, OLD.bucket_start_ms, OLD.department)"
     "  THEN RAISE EXCEPTION 'tap_counts: a row''s key never changes' USING ERRCODE = '23514';"
     "  END IF;"
     "  IF NEW.rating_1 < OLD.rating_1 OR NEW.rating_2 < OLD.rating_2"
     "     OR NEW.rating_3 < OLD.rating_3 OR NEW.rating_4 < OLD.rating_4"
     "     OR NEW.misuse_1 < OLD.misuse_1 OR NEW.misuse_2 < OLD.misuse_2"
     "     OR NEW.misuse_3 < OLD.misuse_3 OR NEW.misuse_4 < OLD.misuse_4"
     "  THEN RAISE EXCEPTION 'tap_counts: counts only grow (kiosk %, bucket %)',"
     "    OLD.kiosk_id, OLD.bucket_start_ms USING ERRCODE = '23514';"
     "  END IF;"
     "  RETURN NEW;"
     "END $$;"
     "CREATE TRIGGER tap_counts_only_grow BEFORE UPDATE ON tap_counts"
     "  FOR EACH ROW EXECUTE FUNCTION wow_tap_counts_only_grow();"
     "CREATE FUNCTION wow_reason_counts_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$"
     "BEGIN"
     "  IF (NEW.kiosk_id, NEW.incarnation, NEW.bucket_start_ms, NEW.department, NEW.question,"
     "      NEW.reason, NEW.ended_by, NEW.misuse) IS DISTINCT FROM (OLD.kiosk_id,"
     "      OLD.incarnation, OLD.bucket_start_ms, OLD.department, OLD.question, OLD.reason,"
     "      OLD.ended_by, OLD.misuse)"
     "  THEN RAISE EXCEPTION 'reason_counts: a row''s key never changes' USING ERRCODE = '23514';"
     "  END IF;"
     "  IF NEW.n < OLD.n THEN RAISE EXCEPTION 'reason_counts: counts only grow (kiosk %)',"
     "    OLD.kiosk_id USING ERRCODE = '23514';"
     "  END IF;"
     "  RETURN NEW;"
     "END $$;"
     "CREATE TRIGGER reason_counts_only_grow BEFORE UPDATE ON reason_counts"
     "  FOR EACH ROW EXECUTE FUNCTION wow_reason_counts_only_grow();",
     /* SQLite: the same rule, for whoever opens the shared file */
     "CREATE TRIGGER tap_counts_only_grow BEFORE UPDATE ON tap_counts WHEN"
     "  NEW.kiosk_id IS NOT OLD.kiosk_id OR NEW.incarnation IS NOT OLD.incarnation"
     "  OR NEW.bucket_start_ms IS NOT OLD.bucket_start_ms OR NEW.department IS NOT OLD.department"
     "  OR NEW.rating_1 < OLD.rating_1 OR NEW.rating_2 < OLD.rating_2"
     "  OR NEW.rating_3 < OLD.rating_3 OR NEW.rating_4 < OLD.rating_4"
     "  OR NEW.misuse_1 < OLD.misuse_1 OR NEW.misuse_2 < OLD.misuse_2"
     "  OR NEW.misuse_3 < OLD.misuse_3 OR NEW.misuse_4 < OLD.misuse_4"
     "  BEGIN SELECT RAISE(ABORT, 'tap_counts: counts only grow, and a row''s key never changes');"
     "  END;"
     "CREATE TRIGGER reason_counts_only_grow BEFORE UPDATE ON reason_counts WHEN"
     "  NEW.kiosk_id IS NOT OLD.kiosk_id OR NEW.incarnation IS NOT OLD.incarnation"
     "  OR NEW.bucket_start_ms IS NOT OLD.bucket_start_ms OR NEW.department IS NOT OLD.department"
     "  OR NEW.question IS NOT OLD.question OR NEW.reason IS NOT OLD.reason"
     "  OR NEW.ended_by IS NOT OLD.ended_by OR NEW.misuse IS NOT OLD.misuse OR NEW.n < OLD.n"
     "  BEGIN SELECT RAISE(ABORT, 'reason_counts: counts only grow, and a row''s key never"
     " changes'); END;"},
    /* step: reports by email — who gets which report, and the outbox */
    {7, "email reports (docs/DASHBOARD.md, Reports by email); kiosks may read the schema version",
     /* hour -1: sent when the fleet opens after the period ends */
     "CREATE TABLE dash_reports("
     "  user_name TEXT NOT NULL,"
     "  kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly', 'monthly', 'alerts')),"
     "  address TEXT NOT NULL,"
     "  hour SMALLINT NOT NULL DEFAULT -1 CHECK (hour BETWEEN -1 AND 23),"
     "  created_ms BIGINT NOT NULL,"
     "  PRIMARY KEY (user_name, kind));"
     /* one row per mail ever meant: its key (kind, user, period or alert)
        makes a second queueing of the same mail a no-op */
     "CREATE TABLE dash_mail("
     "  mail_key TEXT PRIMARY KEY,"
     "  address TEXT NOT NULL,"
     "  subject TEXT NOT NULL,"
     "  body TEXT NOT NULL,"
     "  created_ms BIGINT NOT NULL,"
     "  state TEXT NOT NULL DEFAULT 'waiting'"
     "    CHECK (state IN ('waiting', 'sent', 'failed', 'skipped')),"
     "  sent_ms BIGINT NOT NULL DEFAULT 0,"
     "  attempts INTEGER NOT NULL DEFAULT 0,"
     "  next_try_ms BIGINT NOT NULL DEFAULT 0,"
     "  last_error TEXT NOT NULL DEFAULT '');"
     "CREATE INDEX dash_mail_waiting ON dash_mail(state, next_try_ms)",
     /* PostgreSQL: a kiosk's self-test reads the schema's version */
     "GRANT SELECT ON wow_schema TO " SCHEMA_FLEET_ROLE, NULL},
    /* step: consistency — the league's weekday x hour sums (dashq_weekhours.c) read every
       department's hours of a period: by day, not a scan of every hour ever rolled up */
    {8, "the league's consistency reads the hour rollup by day (docs/DASHBOARD.md, Consistency)",
     "CREATE INDEX dash_hour_day ON dash_hour(day)", NULL, NULL},
    /* step: recognise and act — when the slip most likely began (the detector's change
       point), who owns an alert, what was done and when; and rises (good news) */
    {9,
     "recognise and act: an alert's change point, owner and resolution; rises (docs/DASHBOARD.md, "
     "Recognise and act)",
     "ALTER TABLE dash_alerts ADD COLUMN change_ms BIGINT;"
     "ALTER TABLE dash_alerts ADD COLUMN direction TEXT NOT NULL DEFAULT 'down'"
     "  CHECK (direction IN ('down', 'up'));"
     "ALTER TABLE dash_alerts ADD COLUMN assignee TEXT;"
     "ALTER TABLE dash_alerts ADD COLUMN assigned_by TEXT;"
     "ALTER TABLE dash_alerts ADD COLUMN assigned_ms BIGINT;"
     "ALTER TABLE dash_alerts ADD COLUMN resolved_by TEXT;"
     "ALTER TABLE dash_alerts ADD COLUMN resolved_ms BIGINT;"
     "ALTER TABLE dash_alerts ADD COLUMN resolution TEXT;"
     "CREATE INDEX dash_alerts_opened ON dash_alerts(opened_ms)",
     NULL, NULL},
    /* step: internal — each reason may name the department that owns its cause */
    {10, "reasons name the team that owns their cause (docs/CATALOG.md, Internal teams)",
     /* '' : nobody; else a department id the catalog checked on import.  The
        dashboard adds up the customers' answers naming a team's reasons, by
        reason, so the rollup's reasons are read by day across departments. */
     "ALTER TABLE catalog_reasons ADD COLUMN owner TEXT NOT NULL DEFAULT '';"
     "CREATE INDEX dash_reason_day_day ON dash_reason_day(day, reason)",
     NULL, NULL},
    /* step: backlog — the change stamp without a per-row trigger on insert: a column
       default the kiosk roles may not write, and the only-grows update trigger stamps */
    {11, "the change stamp by column default; kiosks may not write synced_ms (docs/SYNC.md)",
     "SELECT 1",
     /* The default is the database's clock, as the trigger's was.  Column
        grants leave synced_ms out of what a kiosk role may insert or update,
        so a kiosk naming it is refused (42501); an update is stamped by the
        only-grows trigger, which already runs for every updated row. */
     "ALTER TABLE tap_counts ALTER COLUMN synced_ms SET DEFAULT " SCHEMA_PG_NOW_MS ";"
     "ALTER TABLE reason_counts ALTER COLUMN synced_ms SET DEFAULT " SCHEMA_PG_NOW_MS ";"
     "DROP TRIGGER tap_counts_synced ON tap_counts;"
     "DROP TRIGGER reason_counts_synced ON reason_counts;"
     "DROP FUNCTION wow_stamp_synced();"
     "REVOKE INSERT, UPDATE ON tap_counts, reason_counts FROM " SCHEMA_FLEET_ROLE ";"
     "GRANT INSERT (" TAP_COUNTS_COLUMNS "), UPDATE (" TAP_COUNTS_COLUMNS
     ") ON tap_counts TO " SCHEMA_FLEET_ROLE ";"
     "GRANT INSERT (" REASON_COUNTS_COLUMNS "), UPDATE (" REASON_COUNTS_COLUMNS
     ") ON reason_counts TO " SCHEMA_FLEET_ROLE ";"
     "CREATE OR REPLACE FUNCTION wow_tap_counts_only_grow() RETURNS trigger LANGUAGE plpgsql AS $$"
     "BEGIN"
     "  IF (NEW.kiosk_id, NEW.incarnation, NEW.bucket_start_ms, NEW.department)"
     "     IS DISTINCT FROM (OLD.kiosk_id, OLD.incarnation, OLD.bucket_start_ms, OLD.department)"
     "  THEN RAISE EXCEPTION 'tap_counts: a row''s key never changes' USING ERRCODE = '23514';"
     "  END IF;"
     "  IF NEW.rating_1 < OLD.rating_1 OR NEW.rating_2 < OLD.rating_2"
     "     OR NEW.rating_3 < OLD.rating_3 OR NEW.rating_4 < OLD.rating_4"
     "     OR NEW.misuse_1 < OLD.misuse_1 OR NEW.misuse_2 < OLD.misuse_2"
     "     OR NEW.misuse_3 < OLD.misuse_3 OR NEW.misuse_4 < OLD.misuse_4"
     "  THEN RAISE EXCEPTION 'tap_counts: counts only grow (kiosk %, bucket %)',"
     "    OLD.kiosk_id, OLD.bucket_start_ms USING ERRCODE = '23514';"
     "  END IF;"
     "  NEW.synced_ms := " SCHEMA_PG_NOW_MS ";"
     "  RETURN NEW;"
     "END $$;"
     "CREATE OR REPLACE FUNCTION wow_reason_counts_only_grow() RETURNS trigger LANGUAGE plpgsql"
     " AS $$"
     "BEGIN"
     "  IF (NEW.kiosk_id, NEW.incarnation, NEW.bucket_start_ms, NEW.department, NEW.question,"
     "      NEW.reason, NEW.ended_by, NEW.misuse) IS DISTINCT FROM (OLD.kiosk_id,"
     "      OLD.incarnation, OLD.bucket_start_ms, OLD.department, OLD.question, OLD.reason,"
     "      OLD.ended_by, OLD.misuse)"
     "  THEN RAISE EXCEPTION 'reason_counts: a row''s key never changes' USING ERRCODE = '23514';"
     "  END IF;"
     "  IF NEW.n < OLD.n THEN RAISE EXCEPTION 'reason_counts: counts only grow (kiosk %)',"
     "    OLD.kiosk_id USING ERRCODE = '23514';"
     "  END IF;"
     "  NEW.synced_ms := " SCHEMA_PG_NOW_MS ";"
     "  RETURN NEW;"
     "END $$",
     NULL},
    /* step: comments — the customer's own words, attached to one tap (docs/COMMENTS.md) */
    {12, "comments: the customer's words, attached to a tap; written once, never changed",
     /* One row per tap and source: typed on the kiosk (synced like the
        counts) or sent from a phone through the tap's signed token (written
        by the dashboard).  The key makes a resend, or a second use of a
        token, a no-op.  Moderation (tags, masking, hidden) is the
        dashboard's own, beside it: the words as written are kept. */
     "CREATE TABLE comments("
     "  kiosk_id TEXT NOT NULL,"
     "  incarnation TEXT NOT NULL,"
     "  tap_id BIGINT NOT NULL CHECK (tap_id > 0)," /* the kiosk store's tap */
     "  source TEXT NOT NULL CHECK (source IN ('kiosk', 'phone')),"
     "  department TEXT NOT NULL,"
     "  rating SMALLINT NOT NULL CHECK (rating BETWEEN 1 AND 4),"
     "  tap_ms BIGINT NOT NULL," /* the tap's time, the kiosk's clock */
     "  lang TEXT NOT NULL,"
     "  body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND " SCHEMA_STR(
         SCHEMA_COMMENT_MAX_CHARS) "),"
                                   "  written_ms BIGINT NOT NULL," /* when the customer sent it */
                                   "  synced_ms BIGINT NOT NULL DEFAULT 0,"
                                   "  PRIMARY KEY (kiosk_id, incarnation, tap_id, source));"
                                   "CREATE INDEX comments_department ON comments(department, "
                                   "tap_ms);"
                                   "CREATE INDEX comments_synced ON comments(synced_ms);"
                                   /* the key the kiosk signs its phone tokens with (hex; '' : none
                                      yet) */
                                   "ALTER TABLE kiosks ADD COLUMN comment_key TEXT NOT NULL "
                                   "DEFAULT ''",
     /* PostgreSQL: a kiosk role inserts its own kiosk-typed comments and
        nothing else: no update, no delete, no phone rows, no stamp */
     "ALTER TABLE comments ALTER COLUMN synced_ms SET DEFAULT " SCHEMA_PG_NOW_MS ";"
     "ALTER TABLE comments ENABLE ROW LEVEL SECURITY;"
     "ALTER TABLE comments FORCE ROW LEVEL SECURITY;"
     "GRANT SELECT, INSERT (" COMMENTS_COLUMNS ") ON comments TO " SCHEMA_FLEET_ROLE ";"
     "CREATE POLICY wow_kiosk_reads_own ON comments FOR SELECT TO " SCHEMA_FLEET_ROLE
     "  USING (kiosk_id = substr(current_user::text, 7));"
     "CREATE POLICY wow_kiosk_inserts_own ON comments FOR INSERT TO " SCHEMA_FLEET_ROLE
     "  WITH CHECK (kiosk_id = substr(current_user::text, 7) AND source = 'kiosk');"
     "CREATE POLICY wow_owner_all ON comments TO CURRENT_USER USING (true) WITH CHECK (true);"
     "CREATE TRIGGER comments_notify AFTER INSERT ON comments"
     "  FOR EACH STATEMENT EXECUTE FUNCTION wow_notify_counts();",
     /* SQLite: stamped after the insert; the words never change */
     "CREATE TRIGGER comments_synced_insert AFTER INSERT ON comments BEGIN"
     "  UPDATE comments SET synced_ms = " SCHEMA_SQLITE_NOW_MS " WHERE rowid = NEW.rowid; END;"
     "CREATE TRIGGER comments_written_once BEFORE UPDATE OF kiosk_id, incarnation, tap_id,"
     "  source, department, rating, tap_ms, lang, body, written_ms ON comments BEGIN"
     "  SELECT RAISE(ABORT, 'comments: a comment is written once and never changed'); END;"
     "CREATE TRIGGER comments_never_deleted BEFORE DELETE ON comments BEGIN"
     "  SELECT RAISE(ABORT, 'comments: a comment is written once and never changed'); END"},
    /* step: updates — signed system bundles, rolled out in stages (docs/DEPLOY.md) */
    {13, "A/B updates: published bundles, staged rollouts, each kiosk's offer and update state",
     /* A bundle is published once: its version, where kiosks fetch it, its
        SHA-256 and size (checked by the kiosk before RAUC reads it) and the
        certificate RAUC verified it against when it was published. */
     "CREATE TABLE update_bundles("
     "  version TEXT PRIMARY KEY,"
     "  url TEXT NOT NULL,"
     "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
     "  size BIGINT NOT NULL CHECK (size > 0),"
     "  signer TEXT NOT NULL,"
     "  published_ms BIGINT NOT NULL,"
     "  published_by TEXT NOT NULL);"
     /* At most one rollout is under way (canary, fleet or paused) */
     "CREATE TABLE update_rollouts("
     "  rollout_id BIGINT PRIMARY KEY,"
     "  version TEXT NOT NULL REFERENCES update_bundles(version),"
     "  stage TEXT NOT NULL CHECK (stage IN ('canary', 'fleet', 'paused', 'done', 'stopped')),"
     "  paused_from TEXT NOT NULL DEFAULT ''," /* the stage a pause resumes */
     "  canary TEXT NOT NULL,"                 /* kiosk ids, comma-separated */
     "  started_ms BIGINT NOT NULL,"
     "  started_by TEXT NOT NULL,"
     "  changed_ms BIGINT NOT NULL,"
     "  changed_by TEXT NOT NULL,"
     "  note TEXT NOT NULL DEFAULT '',"     /* why it paused, or stopped */
     "  excused TEXT NOT NULL DEFAULT '');" /* failed kiosks a resume went past */
     /* What each kiosk is offered now: its own row is all it may read */
     "CREATE TABLE kiosk_update("
     "  kiosk_id TEXT PRIMARY KEY,"
     "  rollout_id BIGINT NOT NULL,"
     "  version TEXT NOT NULL,"
     "  url TEXT NOT NULL,"
     "  sha256 TEXT NOT NULL,"
     "  size BIGINT NOT NULL);"
     /* the heartbeat: the slot it runs, and where an update stands */
     "ALTER TABLE kiosks ADD COLUMN slot TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE kiosks ADD COLUMN update_version TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE kiosks ADD COLUMN update_state TEXT NOT NULL DEFAULT '';"
     "ALTER TABLE kiosks ADD COLUMN update_error TEXT NOT NULL DEFAULT ''",
     "ALTER TABLE kiosk_update ENABLE ROW LEVEL SECURITY;"
     "ALTER TABLE kiosk_update FORCE ROW LEVEL SECURITY;"
     "GRANT SELECT ON kiosk_update TO " SCHEMA_FLEET_ROLE ";"
     "CREATE POLICY wow_kiosk_reads_own ON kiosk_update FOR SELECT TO " SCHEMA_FLEET_ROLE
     "  USING (kiosk_id = substr(current_user::text, 7));"
     "CREATE POLICY wow_owner_all ON kiosk_update TO CURRENT_USER USING (true) WITH CHECK (true)",
     NULL},
    /* step: backlog — follow-ups that ended without a reason are counts of the tap_counts
       row (fewer rows to push), not reason_counts rows; old rows stay and are read too */
    {14,
     "follow-ups skipped or timed out: counts of tap_counts, only growing (docs/SYNC.md, "
     "Protocol)",
     /* absolute, as the faces: question positive or negative, then the same
        four of taps flagged as misuse */
     END_COLUMN("skipped_pos") END_COLUMN("skipped_neg") END_COLUMN("timeout_pos")
         END_COLUMN("timeout_neg") END_COLUMN("misuse_skipped_pos") END_COLUMN("misuse_skipped_neg")
             END_COLUMN("misuse_timeout_pos") "ALTER TABLE tap_counts ADD COLUMN "
                                              "misuse_timeout_neg BIGINT NOT NULL DEFAULT 0"
                                              "  CHECK (misuse_timeout_neg >= 0)",
     /* PostgreSQL: the kiosk roles may write them (column grants, as step
        11's), and the only-grows trigger keeps them growing */
     "GRANT INSERT (" SCHEMA_END_COLUMNS "), UPDATE (" SCHEMA_END_COLUMNS
     ") ON tap_counts TO " SCHEMA_FLEET_ROLE ";" TAP_COUNTS_ONLY_GROW_FN(
         TAP_COUNTS_LOWERED, "tap_counts: counts only grow", SCHEMA_PG_NOW_MS),
     /* SQLite: the same rule, and an update of them stamps the row too */
     TAP_COUNTS_ONLY_GROW_TRIGGER(TAP_COUNTS_LOWERED,
                                  "tap_counts: counts only grow, and a row''s key never changes")
         TAP_COUNTS_STAMPED_ON(SCHEMA_END_COLUMNS)},
    /* step: sync cursors — what the database holds of each store, so a kiosk
       whose store says "sent" sends again what this database never got */
    {15, "sync cursors: the rows of each kiosk store this database holds (docs/SYNC.md, Protocol)",
     /* Every row of the store (kiosk_id, incarnation) with changed_seq <=
        seq is here; -1: not known (the store synced here before this step:
        its next push is believed).  Moved by the kiosk's push only, in its
        transaction (SCHEMA_CURSOR_ADVANCE). */
     "CREATE TABLE sync_cursors("
     "  kiosk_id TEXT NOT NULL,"
     "  incarnation TEXT NOT NULL,"
     "  seq BIGINT NOT NULL CHECK (seq >= -1),"
     "  PRIMARY KEY (kiosk_id, incarnation));"
     "INSERT INTO sync_cursors(kiosk_id, incarnation, seq)"
     "  SELECT kiosk_id, incarnation, -1 FROM tap_counts"
     "  UNION SELECT kiosk_id, incarnation, -1 FROM reason_counts",
     /* PostgreSQL: a kiosk role reads and moves its own rows only */
     KIOSK_POLICY("sync_cursors"), NULL},
    /* step: rollouts — a technician an admin allows may act on rollouts */
    {16, "rollouts: a technician an admin allows may start, promote, pause and stop them",
     /* 1: this technician may act on a system update's rollout from the
        fleet page (wowdash user rollouts NAME on).  An admin always may; a
        head never, which the CHECK keeps whatever writes the row. */
     "ALTER TABLE dash_users ADD COLUMN rollouts SMALLINT NOT NULL DEFAULT 0"
     "  CHECK (rollouts = 0 OR (rollouts = 1 AND role = 'technician'))",
     NULL, NULL},
    /* step: bounds — the text a kiosk's role writes has a length the
       database enforces (schema.h, SCHEMA_KIOSK_*_MAX_CHARS) */
    {17, "bounds on the text a kiosk writes: heartbeat, counts, comments (docs/SYNC.md)",
     /* SQLite: one machine, the kiosk and the file its own (as step 2) */
     "SELECT 1",
     /* NOT VALID: new and changed rows are checked from now on; a fleet's
        millions of existing rows are not scanned under the migration's
        lock (they came from kiosks whose buffers are smaller still) */
     "ALTER TABLE kiosks ADD CONSTRAINT kiosks_text_bounded CHECK ("
     "  length(site) <= " BOUND_NAME " AND length(label) <= " BOUND_NAME
     "  AND length(department) <= " BOUND_NAME " AND length(timezone) <= " BOUND_NAME
     "  AND length(app_version) <= " BOUND_NAME " AND length(incarnation) <= " BOUND_ID
     "  AND length(mode) <= " BOUND_NAME " AND length(slot) <= " BOUND_NAME
     "  AND length(update_version) <= " BOUND_NAME " AND length(update_state) <= " BOUND_NAME
     "  AND length(comment_key) <= " BOUND_NAME " AND length(departments) <= " BOUND_LIST
     "  AND length(last_error) <= " BOUND_ERROR " AND length(catalog_error) <= " BOUND_ERROR
     "  AND length(store_error) <= " BOUND_ERROR " AND length(update_error) <= " BOUND_ERROR
     ") NOT VALID;"
     "ALTER TABLE tap_counts ADD CONSTRAINT tap_counts_text_bounded CHECK ("
     "  length(incarnation) <= " BOUND_ID " AND length(department) <= " BOUND_ID ") NOT VALID;"
     "ALTER TABLE reason_counts ADD CONSTRAINT reason_counts_text_bounded CHECK ("
     "  length(incarnation) <= " BOUND_ID " AND length(department) <= " BOUND_ID
     "  AND length(reason) <= " BOUND_ID ") NOT VALID;"
     "ALTER TABLE comments ADD CONSTRAINT comments_text_bounded CHECK ("
     "  length(incarnation) <= " BOUND_ID " AND length(department) <= " BOUND_ID
     "  AND length(lang) <= " BOUND_NAME ") NOT VALID;"
     "ALTER TABLE sync_cursors ADD CONSTRAINT sync_cursors_text_bounded CHECK ("
     "  length(incarnation) <= " BOUND_ID ") NOT VALID",
     NULL},
    /* step: per-statement work — what a backlog's insert evaluated once per
       row that has one value per statement (docs/SYNC.md, "Measured") */
    {18, "the change stamp in double precision; a policy's kiosk once per statement",
     /* SQLite: no roles, and its stamp is step 3's trigger */
     "SELECT 1",
     /* The only-grows triggers keep step 11's and 14's stamp: an update is
        a merge, a few rows a round, and the value is the same millisecond. */
     "ALTER TABLE tap_counts ALTER COLUMN synced_ms SET DEFAULT " PG_NOW_MS_FAST ";"
     "ALTER TABLE reason_counts ALTER COLUMN synced_ms SET DEFAULT " PG_NOW_MS_FAST ";"
     "ALTER TABLE comments ALTER COLUMN synced_ms SET DEFAULT " PG_NOW_MS_FAST ";"
     "ALTER POLICY wow_kiosk_inserts_own ON comments"
     "  WITH CHECK (kiosk_id = " KIOSK_SELF " AND source = 'kiosk');" KIOSK_OWN_ONCE("tap_counts")
         KIOSK_OWN_ONCE("reason_counts") KIOSK_OWN_ONCE("kiosks") KIOSK_OWN_ONCE("sync_cursors")
             KIOSK_READS_OWN_ONCE("comments") KIOSK_READS_OWN_ONCE("kiosk_catalog")
                 KIOSK_READS_OWN_ONCE("kiosk_update"),
     NULL},
    /* step: first reasons — each question's first chosen reason is columns
       of the counts' row, not a row of its own (docs/SYNC.md, Protocol) */
    {19, "each question's first chosen reason: columns of tap_counts, only growing (docs/SYNC.md)",
     FIRST_COLUMN("first_reason_pos") FIRST_COLUMN("first_reason_neg")
         FIRST_COLUMN("misuse_first_reason_pos") FIRST_COLUMN("misuse_first_reason_neg")
     /* every follow-up count as reason_counts held them before step 14 */
     "CREATE VIEW followup_counts AS SELECT " SCHEMA_FOLLOWUP_KEY ", MAX(n) AS n"
     " FROM (" SCHEMA_FOLLOWUP_ROWS("1 = 1") ") f GROUP BY " SCHEMA_FOLLOWUP_KEY,
     /* PostgreSQL: the kiosk roles may write them (column grants, as step
        14's); the bounds of step 17 and a count with each reason, NOT
        VALID (existing rows hold the defaults); the only-grows trigger
        keeps a first reason and lets its count only grow.  The view reads
        as its owner: no grant to the kiosks. */
     "GRANT INSERT (" SCHEMA_FIRST_COLUMNS "), UPDATE (" SCHEMA_FIRST_COLUMNS
     ") ON tap_counts TO " SCHEMA_FLEET_ROLE ";"
     "ALTER TABLE tap_counts ADD CONSTRAINT tap_counts_first_reasons CHECK ("
     "  " SCHEMA_FIRSTS_EACH_(FIRST_VALID_) " true) NOT VALID;" TAP_COUNTS_ONLY_GROW_FN(
         TAP_COUNTS_LOWERED FIRSTS_LOWERED,
         "tap_counts: counts only grow, and a first reason never changes", PG_NOW_MS_FAST),
     /* SQLite: the same rule, and an update of them stamps the row too */
     TAP_COUNTS_ONLY_GROW_TRIGGER(TAP_COUNTS_LOWERED FIRSTS_LOWERED,
                                  "tap_counts: counts only grow, a first reason never changes,"
                                  " and a row''s key never changes")
         TAP_COUNTS_STAMPED_ON(SCHEMA_END_COLUMNS ", " SCHEMA_FIRST_COLUMNS)},
};
const size_t schema_step_count = sizeof schema_steps / sizeof schema_steps[0];

_Static_assert(sizeof schema_steps / sizeof schema_steps[0] == SCHEMA_VERSION,
               "SCHEMA_VERSION is the number of steps");
