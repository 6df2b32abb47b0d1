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
 * The kiosks' tables' keys lead by kiosk_id; no sequences or serial
 * columns, so they shard by kiosk on Citus, CockroachDB or YugabyteDB.
 * Times are BIGINT milliseconds since the epoch, UTC, the same in both
 * engines.
 *
 * Step 3 (the dashboard): tap_counts and reason_counts gain synced_ms, the
 * database's clock when the row last changed, set by a row trigger (the
 * one trigger: it touches only the row being written, so the kiosk roles
 * need no other grant), indexed, so wowdash finds what changed since its
 * last look.  The dash_* tables are the dashboard's own, written only by
 * wowdash: departments and groups, users and their scopes, sessions, API
 * tokens, alert rules, alerts and comments, and three rollups of the
 * counts by the kiosk's local day (and hour) that the pages read instead
 * of 15-minute rows:
 *   dash_day(day, department, kiosk_id, rating_1..4, misuse_1..4)
 *   dash_hour(department, day, hour, kiosk_id, weekday, rating_1..4, misuse_1..4)
 *   dash_reason_day(department, day, kiosk_id, question, reason, ended_by, misuse, n)
 * "day" is the kiosk's local date (kiosks.timezone) as days since
 * 1970-01-01, hour its local hour; dash_rollup_state keeps the watermark.
 * Since step 11 (PostgreSQL) the stamp is the column's default on insert
 * and the only-grows trigger's on update; kiosk roles may not write it.
 *
 * Step 4 (the catalog, docs/CATALOG.md): catalog_versions (every version
 * of the fleet's catalog, whole, with who and when), kiosk_catalog (the
 * newest version rendered for each kiosk: the INI text it applies),
 * catalog_names and catalog_reasons (the newest version's names and reason
 * lists, for the dashboard); kiosks gains catalog_version, catalog_error,
 * mode and departments.  On PostgreSQL a kiosk role may only SELECT its own
 * kiosk_catalog row, and a statement trigger on the counts notifies
 * SCHEMA_COUNTS_CHANNEL.
 *
 * Step 13 (the backlog): follow-ups that ended without a reason are counts
 * of the tap_counts row, not reason_counts rows: skipped_pos, skipped_neg,
 * timeout_pos, timeout_neg (positive or negative question) and the same
 * four of taps flagged as misuse (misuse_skipped_pos ...), absolute and
 * only growing like the faces.  A kiosk of this version writes
 * reason_counts rows only for chosen reasons; rows written before (reason
 * '', ended_by skipped or timeout) stay, and the dashboard's rollup reads
 * both, the greater of the two where both count the same follow-ups.
 *
 * Step 15 (sync cursors): sync_cursors(kiosk_id, incarnation, seq) says
 * up to which store seq the database holds a store's rows.  The kiosk's
 * own mark of what it sent is only its belief: a store that synced to
 * another target (a boot without its settings), or a database restored
 * from an older copy, is sent again from the database's seq.
 *
 * Step 16 (rollouts): dash_users.rollouts, 1 for a technician an admin
 * allowed to act on a system update's rollout (admins always may).
 *
 * Step 17 (bounds): CHECKs on the length of every text a kiosk's role
 * writes (SCHEMA_KIOSK_*_MAX_CHARS below); PostgreSQL only.
 *
 * Step 18 (per-statement work): on PostgreSQL the counts' and comments'
 * change stamp is computed in double precision, and every kiosk policy
 * takes its kiosk from a scalar subquery, which a statement evaluates
 * once, not once per row.  The same rows and the same rights; a backlog's
 * insert costs the server less.
 *
 * Step 19 (first reasons): each question's first chosen reason of a
 * bucket and department is columns of the tap_counts row, not a
 * reason_counts row: first_reason_pos, first_reason_neg and the same two
 * of taps flagged as misuse, each with its count (first_reason_pos_n ...).
 * A reason once in a column stays; its count only grows.  The later
 * reasons of the same question are reason_counts rows, as before.  Most
 * buckets have at most one reason a question, so a backlog pushes about a
 * third of the rows it did (docs/SYNC.md, "Measured since").  The rollup
 * reads the columns and the rows, the greater where both count the same
 * reason (a kiosk upgraded mid-bucket).  A view, followup_counts, gives
 * every follow-up count in reason_counts' shape for anyone reading the
 * database by hand.
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

#define SCHEMA_VERSION 19 /* the newest step */

/* A comment's longest body, in characters (step 12's CHECK; the kiosk's
 * keyboard and the phone form stop there). */
#define SCHEMA_COMMENT_MAX_CHARS 500

/* The longest text a kiosk's role may write, in characters (step 17's
 * CHECKs on PostgreSQL): far above what an honest kiosk sends (sync.c
 * asserts its buffers fit), so only a compromised kiosk's write is
 * refused, not megabytes on the fleet page.
 *   NAME: the kiosks row's site, label, department, timezone, versions,
 *         mode, slot, update state and comment key;
 *   ERROR: its last_error, catalog_error, store_error, update_error;
 *   LIST: its departments (a picker's ids, comma-separated);
 *   ID: a store's incarnation, department and reason ids in counts and
 *       comments (a comment's language is a NAME). */
#define SCHEMA_KIOSK_NAME_MAX_CHARS  256
#define SCHEMA_KIOSK_ERROR_MAX_CHARS 1024
#define SCHEMA_KIOSK_LIST_MAX_CHARS  2048
#define SCHEMA_KIOSK_ID_MAX_CHARS    64

/* PostgreSQL: the channel step 4's trigger notifies when counts arrive. */
#define SCHEMA_COUNTS_CHANNEL "wow_counts"

/* A kiosk's role is this prefix and its id (schema step 2's policy). */
#define SCHEMA_KIOSK_ROLE_PREFIX "kiosk_"
#define SCHEMA_FLEET_ROLE        "wowkiosk_fleet"

/* The merges, the same SQL in both engines (which both spell the row
 * being inserted "excluded"; SQLite has no GREATEST, so CASE says it).
 * Each count becomes the greater of the stored and the sent; a row none
 * of whose counts grew is not written at all (no dead row versions).
 * tap_counts' is longer than the 4095 characters C lets one literal have:
 * it comes in parts, for an array's initializer, which its users join. */
#define SCHEMA_TAP_COUNTS_MERGE_PARTS                                                              \
    " ON CONFLICT (kiosk_id, incarnation, bucket_start_ms, department) DO UPDATE SET"              \
    " rating_1 = CASE WHEN excluded.rating_1 > tap_counts.rating_1 THEN excluded.rating_1"         \
    " ELSE tap_counts.rating_1 END" SCHEMA_FACES_EACH_(SCHEMA_END_GROW_)                           \
        SCHEMA_ENDS_EACH_(SCHEMA_END_GROW_),                                                       \
        SCHEMA_FIRSTS_EACH_(SCHEMA_FIRST_GROW_),                                                   \
        " WHERE excluded.rating_1 > tap_counts.rating_1" SCHEMA_FACES_EACH_(SCHEMA_END_GREW_)      \
            SCHEMA_ENDS_MERGE SCHEMA_FIRSTS_MERGE

/* The faces after rating_1, which starts the merge's lists. */
#define SCHEMA_FACES_EACH_(f)                                                                      \
    f("rating_2") f("rating_3") f("rating_4") f("misuse_1") f("misuse_2") f("misuse_3")            \
        f("misuse_4")

/* The follow-ups that ended without a reason (step 14), in the order of
 * the sync's count rows (sync_backend.h): index (misuse ? 4 : 0) +
 * (timed out ? 2 : 0) + (negative question ? 1 : 0). */
#define SCHEMA_END_COLUMNS                                                                         \
    "skipped_pos, skipped_neg, timeout_pos, timeout_neg, misuse_skipped_pos,"                      \
    " misuse_skipped_neg, misuse_timeout_pos, misuse_timeout_neg"

/* Each as the faces: the greater of stored and sent, and written only
 * when one grew (SCHEMA_TAP_COUNTS_MERGE_PARTS' SET and WHERE). */
#define SCHEMA_END_GROW_(c)                                                                        \
    ", " c " = CASE WHEN excluded." c " > tap_counts." c " THEN excluded." c " ELSE tap_counts." c \
    " END"
#define SCHEMA_END_GREW_(c) " OR excluded." c " > tap_counts." c
#define SCHEMA_ENDS_EACH_(f)                                                                       \
    f("skipped_pos") f("skipped_neg") f("timeout_pos") f("timeout_neg") f("misuse_skipped_pos")    \
        f("misuse_skipped_neg") f("misuse_timeout_pos") f("misuse_timeout_neg")
#define SCHEMA_ENDS_MERGE SCHEMA_ENDS_EACH_(SCHEMA_END_GREW_)

/* Each question's first chosen reason and its count (step 19), in the
 * order of the sync's count rows (sync_backend.h): the reasons, index
 * (misuse ? 2 : 0) + (negative question ? 1 : 0), then their counts. */
#define SCHEMA_FIRST_COLUMNS                                                                       \
    "first_reason_pos, first_reason_neg, misuse_first_reason_pos, misuse_first_reason_neg,"        \
    " first_reason_pos_n, first_reason_neg_n, misuse_first_reason_pos_n, "                         \
    "misuse_first_reason_neg_n"

/* A first reason, once there, is kept, and its count is the greater of
 * stored and sent when the same reason is sent ('' and 0: none yet).  An
 * honest kiosk never sends another (its store keeps which is first); the
 * merge does not let a compromised one rename a count. */
#define SCHEMA_FIRST_SAME_(c) " (tap_counts." c " = '' OR excluded." c " = tap_counts." c ")"
#define SCHEMA_FIRST_GROW_(c)                                                                      \
    ", " c " = CASE WHEN tap_counts." c " = '' THEN excluded." c " ELSE tap_counts." c " END, " c  \
    "_n = CASE WHEN excluded." c "_n > tap_counts." c                                              \
    "_n AND" SCHEMA_FIRST_SAME_(c) " THEN excluded." c "_n ELSE tap_counts." c "_n END"
#define SCHEMA_FIRST_GREW_(c)                                                                      \
    " OR (excluded." c "_n > tap_counts." c "_n AND" SCHEMA_FIRST_SAME_(c) ")"
#define SCHEMA_FIRSTS_EACH_(f)                                                                     \
    f("first_reason_pos") f("first_reason_neg") f("misuse_first_reason_pos")                       \
        f("misuse_first_reason_neg")
#define SCHEMA_FIRSTS_MERGE SCHEMA_FIRSTS_EACH_(SCHEMA_FIRST_GREW_)

/* reason_counts' key: what a follow-up count is of. */
#define SCHEMA_FOLLOWUP_KEY                                                                        \
    "kiosk_id, incarnation, bucket_start_ms, department, question, reason, ended_by, misuse"

/* Every follow-up count of the rows where cond holds, in reason_counts'
 * shape (SCHEMA_FOLLOWUP_KEY, n): reason_counts' rows, and tap_counts'
 * columns of those that ended without a reason (step 14, reason '') and
 * of each question's first chosen reason (step 19).  A kiosk upgraded
 * mid-bucket may count the same follow-ups in a row and in a column: both
 * are absolute, so a reader takes the greater per key (the rollup,
 * step 19's view followup_counts).  The same SQL in both engines. */
#define SCHEMA_FOLLOWUP_ROWS(cond)                                                                 \
    "SELECT " SCHEMA_FOLLOWUP_KEY ", n FROM reason_counts WHERE " cond                             \
    " UNION ALL SELECT kiosk_id, incarnation, bucket_start_ms, department, "                       \
    "e.question, " SCHEMA_COLUMN_REASON_ ", e.ended_by, e.misuse, " SCHEMA_COLUMN_N_               \
    " FROM tap_counts CROSS JOIN" SCHEMA_COLUMN_KINDS_ " WHERE " cond " AND " SCHEMA_COLUMN_N_     \
    " > 0"
/* The follow-up counts that are tap_counts columns, one kind (e.k) each:
 * 0..7 the ends without a reason (step 14), 8..11 the first reasons. */
#define SCHEMA_COLUMN_KINDS_                                                                       \
    " (SELECT 0 AS k, 'positive' AS question, 'skipped' AS ended_by, 0 AS misuse"                  \
    " UNION ALL SELECT 1, 'negative', 'skipped', 0 UNION ALL SELECT 2, 'positive', 'timeout', 0"   \
    " UNION ALL SELECT 3, 'negative', 'timeout', 0 UNION ALL SELECT 4, 'positive', 'skipped', 1"   \
    " UNION ALL SELECT 5, 'negative', 'skipped', 1 UNION ALL SELECT 6, 'positive', 'timeout', 1"   \
    " UNION ALL SELECT 7, 'negative', 'timeout', 1 UNION ALL SELECT 8, 'positive', 'chosen', 0"    \
    " UNION ALL SELECT 9, 'negative', 'chosen', 0 UNION ALL SELECT 10, 'positive', 'chosen', 1"    \
    " UNION ALL SELECT 11, 'negative', 'chosen', 1) e"
#define SCHEMA_COLUMN_N_                                                                           \
    "CASE e.k WHEN 0 THEN skipped_pos WHEN 1 THEN skipped_neg WHEN 2 THEN timeout_pos"             \
    " WHEN 3 THEN timeout_neg WHEN 4 THEN misuse_skipped_pos WHEN 5 THEN misuse_skipped_neg"       \
    " WHEN 6 THEN misuse_timeout_pos WHEN 7 THEN misuse_timeout_neg"                               \
    " WHEN 8 THEN first_reason_pos_n WHEN 9 THEN first_reason_neg_n"                               \
    " WHEN 10 THEN misuse_first_reason_pos_n ELSE misuse_first_reason_neg_n END"
#define SCHEMA_COLUMN_REASON_                                                                      \
    "CASE e.k WHEN 8 THEN first_reason_pos WHEN 9 THEN first_reason_neg"                           \
    " WHEN 10 THEN misuse_first_reason_pos WHEN 11 THEN misuse_first_reason_neg ELSE '' END"

#define SCHEMA_REASON_COUNTS_MERGE                                                                 \
    " ON CONFLICT (kiosk_id, incarnation, bucket_start_ms, department, question, reason,"          \
    " ended_by, misuse) DO UPDATE SET n = excluded.n WHERE excluded.n > reason_counts.n"

/* The heartbeat replaces the kiosk's row, but keeps its last success
 * when this one has none, and its incarnation when this one names none
 * (a kiosk whose store could not be read since it started). */
#define SCHEMA_HEARTBEAT_MERGE                                                                     \
    " ON CONFLICT (kiosk_id) DO UPDATE SET site = excluded.site, label = excluded.label,"          \
    " department = excluded.department, timezone = excluded.timezone,"                             \
    " app_version = excluded.app_version,"                                                         \
    " incarnation = coalesce(nullif(excluded.incarnation, ''), kiosks.incarnation),"               \
    " kiosk_clock_ms = excluded.kiosk_clock_ms, last_seen_ms = excluded.last_seen_ms,"             \
    " last_success_ms = coalesce(excluded.last_success_ms, kiosks.last_success_ms),"               \
    " backlog = excluded.backlog, last_error = excluded.last_error"

/* The heartbeat's catalog columns (schema step 4), merged by the kiosk's
 * own heartbeat only (wowdash kiosk add leaves them as they are). */
#define SCHEMA_HEARTBEAT_CATALOG_MERGE                                                             \
    ", catalog_version = excluded.catalog_version, catalog_error = excluded.catalog_error,"        \
    " mode = excluded.mode, departments = excluded.departments"

/* The heartbeat's store columns (schema step 5): what waits in the kiosk's
 * memory because its store fails, the store's error and since when. */
#define SCHEMA_HEARTBEAT_STORE_MERGE                                                               \
    ", store_waiting = excluded.store_waiting, store_error = excluded.store_error,"                \
    " store_error_since_ms = excluded.store_error_since_ms"

/* The heartbeat's system update columns (schema step 13): the slot the
 * kiosk runs and where an update stands (docs/DEPLOY.md). */
#define SCHEMA_HEARTBEAT_UPDATE_MERGE                                                              \
    ", slot = excluded.slot, update_version = excluded.update_version,"                            \
    " update_state = excluded.update_state, update_error = excluded.update_error"

/* The sync cursor (step 15), moved by every push of rows in its
 * transaction: $1 kiosk_id, $2 incarnation, $3 the seq the push's rows
 * start after, $4 the seq they reach.  The database's seq becomes $4 only
 * when it already held every row up to $3 (or did not know, -1): a push
 * that starts past what it holds leaves it, and SCHEMA_CURSOR_READ then
 * tells the kiosk where to send from.  A new store's first push ($3 = 0)
 * starts it; any other first push finds the database holding nothing. */
#define SCHEMA_CURSOR_ADVANCE                                                                      \
    "INSERT INTO sync_cursors(kiosk_id, incarnation, seq) VALUES ($1, $2,"                         \
    " CASE WHEN CAST($3 AS BIGINT) = 0 THEN CAST($4 AS BIGINT) ELSE 0 END)"                        \
    " ON CONFLICT (kiosk_id, incarnation) DO UPDATE SET seq = CAST($4 AS BIGINT)"                  \
    " WHERE (sync_cursors.seq < 0 OR sync_cursors.seq >= CAST($3 AS BIGINT))"                      \
    " AND sync_cursors.seq < CAST($4 AS BIGINT)"
#define SCHEMA_CURSOR_READ "SELECT seq FROM sync_cursors WHERE kiosk_id = $1 AND incarnation = $2"

/* One step: version - 1 to version.  Append-only, like the store's. */
struct schema_step {
    int version;
    const char *description;
    const char *sql;          /* both engines */
    const char *sql_postgres; /* PostgreSQL only, after sql; NULL: none */
    const char *sql_sqlite;   /* SQLite only, after sql; NULL: none */
};

extern const struct schema_step schema_steps[];
extern const size_t schema_step_count;

/* Creates the bookkeeping table if missing, in both engines. */
extern const char schema_bookkeeping_sql[];

#endif
