/*
 * bench sync_backlog: how long the sync engine takes to push a kiosk's
 * 30-day offline backlog to an empty PostgreSQL database, and what an idle
 * round (nothing new) costs once everything is sent.
 *
 * The store is a real one (store_open makes it; meta, incarnation,
 * schema), filled directly with SQLite in one transaction as if the kiosk
 * had recorded every tap and follow-up itself: 16 departments, every
 * 15-minute bucket of 30 days, all four faces in each, two or three
 * follow-up reason rows per bucket and department; one seq per tap or
 * follow-up, each count row's changed_seq that of its last one, meta seq
 * the last seq, synced_seq 0 (see app/store/store_record.c).  The taps
 * and followups rows are written too, so sum(n) equals the rows counted.
 *
 * The engine (default settings: batch_rows 50000) pushes as a kiosk role
 * (kiosk_<id>, row-level security on, as in the field) until its backlog
 * is 0.  The time includes connecting, reading the store, every batch
 * and recording synced_seq.  Afterwards the database must hold exactly
 * the store's rows (count, sum(n) and weighted sums per table), else the
 * benchmark fails.  Goal: <= 1 s.
 *
 * usage: bench_sync_backlog CONNINFO [--days N] [--departments N]
 *                           [--batch-rows N] [--idle-rounds N] [--dir DIR]
 *                           [--schema-version N]
 *   CONNINFO: a PostgreSQL superuser's conninfo; the benchmark makes (and
 *   drops) database wowbench_backlog and role kiosk_backlog0000.
 *   bench/run.sh starts a throwaway cluster with tests/sync/pg_cluster.py.
 *   DIR: where the store goes, kept afterwards for a look (by default a
 *   new directory under /var/tmp, removed at the end).
 *   --schema-version: migrate the database only that far (default the
 *   newest), to measure an older schema beside the newest in one run; no
 *   older than step 19, whose columns this kiosk's push writes.
 */
#include <errno.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_pg.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "sync.h"

#define DBNAME       "wowbench_backlog"
#define ROLE_PREFIX  "backlog"
#define KIOSK_ID     ROLE_PREFIX "0000"
#define DAY_MS       (24LL * 3600 * 1000)
#define MAX_PER_FACE 8

struct options {
    const char *conninfo;
    int days, departments, batch_rows, idle_rounds;
    const char *dir;    /* NULL: a new directory under /var/tmp */
    int schema_version; /* migrate this far (default SCHEMA_VERSION) */
};

/* Table fingerprints compared between the store and PostgreSQL: rows,
 * sum(n), and sums of n weighted by face/misuse, by bucket, by the
 * department's length and by the reason's length. */
struct fingerprint {
    int64_t v[5];
};

/* The generator's state: statements on the store, seq, this bucket's taps. */
struct gen {
    sqlite3 *db;
    sqlite3_stmt *tap, *count, *followup, *reason;
    int64_t seq;
    int64_t tap_ids[5][MAX_PER_FACE]; /* [face][i] */
    int64_t taps, followups, count_rows, reason_rows;
};

static const char *const department_names[] = {
    "front",   "it",        "lab",      "pharmacy",  "radiology", "reception",
    "billing", "cafeteria", "parking",  "security",  "cleaning",  "xray",
    "dental",  "eye",       "children", "emergency",
};
static const char *const positive_reasons[] = {"friendly", "fast", "helpful"};
static const char *const negative_reasons[] = {"waiting", "unclear", "unfriendly"};

static uint64_t mix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL; /* splitmix64 */
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static bool step_done(struct gen *g, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        fprintf(stderr, "bench_sync_backlog: generating the store: %s\n", sqlite3_errmsg(g->db));
    return rc == SQLITE_DONE;
}

/* One tap transaction: a taps row, seq + 1. */
static bool gen_tap(struct gen *g, const char *dept, int64_t at, int face, int64_t *id)
{
    g->seq++;
    sqlite3_bind_int64(g->tap, 1, at);
    sqlite3_bind_text(g->tap, 2, dept, -1, SQLITE_STATIC);
    sqlite3_bind_int(g->tap, 3, face);
    if (!step_done(g, g->tap))
        return false;
    *id = sqlite3_last_insert_rowid(g->db);
    g->taps++;
    return true;
}

/* n follow-ups on the taps ids[0..n), then their reason_counts row. */
static bool gen_reason(struct gen *g, const char *dept, int64_t bucket, enum store_question q,
                       const char *reason, enum store_followup_end end, const int64_t *ids, int n)
{
    const char *question = store_question_name(q), *ended_by = store_followup_end_name(end);
    for (int i = 0; i < n; i++) {
        g->seq++;
        sqlite3_bind_int64(g->followup, 1, ids[i]);
        sqlite3_bind_text(g->followup, 2, question, -1, SQLITE_STATIC);
        if (reason[0])
            sqlite3_bind_text(g->followup, 3, reason, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(g->followup, 3);
        sqlite3_bind_text(g->followup, 4, ended_by, -1, SQLITE_STATIC);
        if (!step_done(g, g->followup))
            return false;
        g->followups++;
    }
    sqlite3_bind_text(g->reason, 1, dept, -1, SQLITE_STATIC);
    sqlite3_bind_int64(g->reason, 2, bucket);
    sqlite3_bind_text(g->reason, 3, question, -1, SQLITE_STATIC);
    sqlite3_bind_text(g->reason, 4, reason, -1, SQLITE_STATIC);
    sqlite3_bind_text(g->reason, 5, ended_by, -1, SQLITE_STATIC);
    sqlite3_bind_int(g->reason, 6, n);
    sqlite3_bind_int64(g->reason, 7, g->seq);
    g->reason_rows++;
    return step_done(g, g->reason);
}

/* One department's bucket: 1-2 taps of faces 1 and 2, 1-3 of face 3,
 * 2-5 of face 4 (each face's count row after its taps), then a chosen
 * positive reason (1-2), a chosen negative one, and on about half the
 * buckets a positive follow-up skipped or timed out. */
static bool gen_bucket(struct gen *g, const char *dept, int64_t bucket, uint64_t h)
{
    int n[5] = {0, 1 + (int)(h & 1), 1 + (int)(h >> 1 & 1),
                1 + (int)(h >> 2 & 1) + (int)(h >> 3 & 1), 2 + (int)(h >> 4 & 3)};
    int total = n[1] + n[2] + n[3] + n[4], k = 0;
    for (int face = 1; face <= 4; face++) {
        for (int i = 0; i < n[face]; i++, k++)
            if (!gen_tap(g, dept, bucket + (k + 1) * (STORE_BUCKET_MS / (total + 1)), face,
                         &g->tap_ids[face][i]))
                return false;
        sqlite3_bind_text(g->count, 1, dept, -1, SQLITE_STATIC);
        sqlite3_bind_int64(g->count, 2, bucket);
        sqlite3_bind_int(g->count, 3, face);
        sqlite3_bind_int(g->count, 4, n[face]);
        sqlite3_bind_int64(g->count, 5, g->seq);
        g->count_rows++;
        if (!step_done(g, g->count))
            return false;
    }
    bool ok = gen_reason(g, dept, bucket, STORE_QUESTION_POSITIVE, positive_reasons[h % 3],
                         STORE_FOLLOWUP_CHOSEN, g->tap_ids[4], 1 + n[4] / 4) &&
              gen_reason(g, dept, bucket, STORE_QUESTION_NEGATIVE, negative_reasons[(h >> 8) % 3],
                         STORE_FOLLOWUP_CHOSEN, g->tap_ids[1], 1);
    if (ok && (h >> 12 & 1))
        ok = gen_reason(g, dept, bucket, STORE_QUESTION_POSITIVE, "",
                        (h >> 13 & 1) ? STORE_FOLLOWUP_SKIPPED : STORE_FOLLOWUP_TIMEOUT,
                        g->tap_ids[3], 1);
    return ok;
}

static bool gen_prepare(struct gen *g)
{
    const char *sql[4] = {
        "INSERT INTO taps(at_ms_utc, department, rating, misuse) VALUES (?, ?, ?, 0)",
        "INSERT INTO counts(department, bucket_start_ms_utc, rating, misuse, n, changed_seq)"
        " VALUES (?, ?, ?, 0, ?, ?)",
        "INSERT INTO followups(tap_id, question, reason, ended_by) VALUES (?, ?, ?, ?)",
        "INSERT INTO reason_counts(department, bucket_start_ms_utc, question, reason, ended_by,"
        " misuse, n, changed_seq, first_seq) VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?7, ?7)"};
    sqlite3_stmt **st[4] = {&g->tap, &g->count, &g->followup, &g->reason};
    for (int i = 0; i < 4; i++)
        if (sqlite3_prepare_v2(g->db, sql[i], -1, st[i], NULL) != SQLITE_OK) {
            fprintf(stderr, "bench_sync_backlog: %s: %s\n", sql[i], sqlite3_errmsg(g->db));
            return false;
        }
    return true;
}

static bool exec_sql(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return true;
    fprintf(stderr, "bench_sync_backlog: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return false;
}

/* Fills the (new, empty) store at path with the backlog, one transaction. */
static bool fill_store(const char *path, const struct options *o, int64_t first_bucket,
                       struct gen *g)
{
    if (sqlite3_open_v2(path, &g->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench_sync_backlog: cannot open %s\n", path);
        sqlite3_close(g->db);
        return false;
    }
    bool ok =
        exec_sql(g->db, "PRAGMA synchronous=OFF; PRAGMA foreign_keys=ON; BEGIN") && gen_prepare(g);
    int64_t buckets = o->days * (DAY_MS / STORE_BUCKET_MS);
    for (int64_t b = 0; ok && b < buckets; b++)
        for (int d = 0; ok && d < o->departments; d++)
            ok = gen_bucket(g, department_names[d], first_bucket + b * STORE_BUCKET_MS,
                            mix((uint64_t)(b * 64 + d)));
    char sql[96];
    snprintf(sql, sizeof sql, "UPDATE meta SET value = %lld WHERE key = 'seq'", (long long)g->seq);
    ok = ok && exec_sql(g->db, sql) && exec_sql(g->db, "COMMIT");
    sqlite3_stmt *st[4] = {g->tap, g->count, g->followup, g->reason};
    for (int i = 0; i < 4; i++)
        sqlite3_finalize(st[i]);
    sqlite3_close(g->db); /* checkpoints the WAL into the file */
    g->db = NULL;
    return ok;
}

/* The store's fingerprint of counts (reasons false) or reason_counts; also
 * checks the rows add up to the taps and follow-ups recorded. */
static bool store_fingerprint(const char *path, bool reasons, struct fingerprint *f)
{
    const char *sql =
        reasons ? "SELECT count(*), sum(n), sum(n * misuse * 5), sum(n * (bucket_start_ms_utc /"
                  " 900000)), sum(n * (length(department) + 7 * length(reason) +"
                  " 3 * length(ended_by) + length(question))), (SELECT count(*) FROM followups)"
                  " FROM reason_counts"
                : "SELECT count(*), sum(n), sum(n * (rating + misuse * 5)), sum(n *"
                  " (bucket_start_ms_utc / 900000)), sum(n * length(department)),"
                  " (SELECT count(*) FROM taps) FROM counts";
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
              sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW;
    if (ok) {
        for (int i = 0; i < 5; i++)
            f->v[i] = sqlite3_column_int64(st, i);
        ok = sqlite3_column_int64(st, 5) == f->v[1];
        if (!ok)
            fprintf(stderr, "bench_sync_backlog: the generated %s do not add up\n",
                    reasons ? "reason counts" : "counts");
    } else {
        fprintf(stderr, "bench_sync_backlog: reading %s: %s\n", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return ok;
}

/* The same fingerprints as PostgreSQL holds them for this kiosk. */
static bool pg_fingerprint(PGconn *conn, const char *incarnation, bool reasons,
                           struct fingerprint *f)
{
    const char *sql =
        /* reason_counts holds the later chosen reasons, tap_counts' columns
           the follow-ups that ended without one (schema step 13) and each
           question's first reason (step 19): step 19's view has them all */
        reasons ? "SELECT count(*), sum(n), sum(n * misuse * 5), sum(n * (bucket_start_ms /"
                  " 900000)), sum(n * (length(department) + 7 * length(reason) +"
                  " 3 * length(ended_by) + length(question))) FROM followup_counts"
                  " WHERE kiosk_id = $1 AND incarnation = $2 AND n > 0"
                /* tap_counts holds a column per face and misuse flag: the
                   same sums, one cell per store row */
                : "SELECT sum((rating_1 > 0)::int + (rating_2 > 0)::int + (rating_3 > 0)::int +"
                  " (rating_4 > 0)::int + (misuse_1 > 0)::int + (misuse_2 > 0)::int +"
                  " (misuse_3 > 0)::int + (misuse_4 > 0)::int), sum(t),"
                  " sum(rating_1 + 2 * rating_2 + 3 * rating_3 + 4 * rating_4 + 6 * misuse_1 +"
                  " 7 * misuse_2 + 8 * misuse_3 + 9 * misuse_4),"
                  " sum(t * (bucket_start_ms / 900000)), sum(t * length(department))"
                  " FROM (SELECT *, rating_1 + rating_2 + rating_3 + rating_4 + misuse_1 +"
                  " misuse_2 + misuse_3 + misuse_4 AS t FROM tap_counts"
                  " WHERE kiosk_id = $1 AND incarnation = $2) AS pivoted";
    const char *params[2] = {KIOSK_ID, incarnation};
    return bench_pg_ints(conn, sql, 2, params, f->v, 5);
}

/* Compares the store's rows with PostgreSQL's; prints and returns false
 * on any difference. */
static bool verify(const char *admin_db, const char *path, const char *incarnation)
{
    PGconn *conn = bench_pg_connect(admin_db);
    bool ok = conn != NULL;
    for (int t = 0; ok && t < 2; t++) {
        struct fingerprint local, shared;
        ok = store_fingerprint(path, t == 1, &local) &&
             pg_fingerprint(conn, incarnation, t == 1, &shared);
        for (int i = 0; ok && i < 5; i++)
            if (local.v[i] != shared.v[i]) {
                fprintf(stderr,
                        "bench_sync_backlog: WRONG DATA: %s fingerprint %d: store %lld, "
                        "PostgreSQL %lld\n",
                        t ? "reason_counts" : "tap_counts", i, (long long)local.v[i],
                        (long long)shared.v[i]);
                ok = false;
            }
        if (ok)
            printf("verified: PostgreSQL %s = the store's: %lld rows, sum(n) %lld\n",
                   t ? "reason_counts" : "tap_counts", (long long)local.v[0],
                   (long long)local.v[1]);
    }
    PQfinish(conn);
    return ok;
}

struct push_result {
    double seconds;
    int64_t rows;
    int rounds;
    /* CPU seconds meanwhile: this process (the kiosk's sync, its read
       ahead threads) and the server's processes (the kiosk's backend);
       on a machine of two cores the wall time cannot go below half their
       sum, and they move less with the machine's load than it does */
    double client_cpu_s, server_cpu_s;
};

/* Steps the engine until its backlog is 0; any failed round fails. */
static bool push_backlog(struct sync_engine *e, int postmaster, struct push_result *r)
{
    struct sync_status st;
    double client0 = bench_self_cpu_s(), server0 = bench_server_cpu_s(postmaster);
    double t0 = bench_mono_ms();
    for (r->rounds = 0; r->rounds < 100000;) {
        sync_engine_step(e, (int64_t)bench_mono_ms(), bench_utc_ms());
        sync_engine_status(e, &st);
        r->rounds++;
        if (st.state != SYNC_STATE_OK) {
            fprintf(stderr, "bench_sync_backlog: round %d failed: %s\n", r->rounds, st.last_error);
            return false;
        }
        if (st.backlog == 0)
            break;
    }
    r->seconds = (bench_mono_ms() - t0) / 1e3;
    r->client_cpu_s = bench_self_cpu_s() - client0;
    r->server_cpu_s = bench_server_cpu_s(postmaster) - server0;
    r->rows = st.rows_sent;
    return st.backlog == 0;
}

/* idle_rounds rounds with nothing new: prints their rows, round trips
 * and time; false if one failed or sent a row. */
static bool idle_rounds(struct sync_engine *e, int rounds)
{
    double *ms = calloc((size_t)rounds, sizeof *ms);
    int64_t rows = 0, trips = 0;
    bool ok = ms != NULL;
    for (int i = 0; ok && i < rounds; i++) {
        struct sync_status st;
        sync_engine_request(e);
        double t0 = bench_mono_ms();
        sync_engine_step(e, (int64_t)t0, bench_utc_ms());
        ms[i] = bench_mono_ms() - t0;
        sync_engine_status(e, &st);
        ok = st.state == SYNC_STATE_OK;
        if (!ok)
            fprintf(stderr, "bench_sync_backlog: idle round failed: %s\n", st.last_error);
        rows += st.last_round_rows;
        trips = st.last_round_trips > trips ? st.last_round_trips : trips;
    }
    if (ok) {
        double median = bench_percentile(ms, (size_t)rounds, 50);
        printf("figure: idle_sync_rows %lld rows (sum over %d rounds with nothing new)\n",
               (long long)rows, rounds);
        printf("figure: idle_sync_round_trips %lld round trips (max of %d rounds; goal <= 1)\n",
               (long long)trips, rounds);
        printf("figure: idle_sync_round_ms %.3f ms (median of %d; max %.3f)\n", median, rounds,
               ms[rounds - 1]);
    }
    free(ms);
    return ok && rows == 0 && trips <= 1;
}

/* One tap recorded through the store, then a round: its rows and time. */
static bool one_tap_round(struct sync_engine *e, struct store *store)
{
    struct store_tap tap = {bench_utc_ms(), "front", 4, false};
    int64_t id;
    if (store_record_tap(store, &tap, &id) != 0)
        return false;
    struct sync_status st;
    sync_engine_request(e);
    double t0 = bench_mono_ms();
    sync_engine_step(e, (int64_t)t0, bench_utc_ms());
    double ms = bench_mono_ms() - t0;
    sync_engine_status(e, &st);
    if (st.state != SYNC_STATE_OK || st.last_round_rows != 1) {
        fprintf(stderr, "bench_sync_backlog: one-tap round: %s, %lld rows\n",
                sync_state_name(st.state), (long long)st.last_round_rows);
        return false;
    }
    printf("figure: one_tap_round_ms %.3f ms (1 row, %lld round trip)\n", ms,
           (long long)st.last_round_trips);
    return true;
}

static int parse_int(const char *text, int min, int max, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){NULL, 30, 16, 0, 20, NULL, SCHEMA_VERSION};
    int n = sizeof department_names / sizeof department_names[0];
    for (int i = 1; i < argc && argv[i] != NULL; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--days") && v)
            bad = parse_int(v, 1, 3650, &o->days);
        else if (!strcmp(a, "--departments") && v)
            bad = parse_int(v, 1, n, &o->departments);
        else if (!strcmp(a, "--batch-rows") && v)
            bad = parse_int(v, 1, INT_MAX, &o->batch_rows);
        else if (!strcmp(a, "--idle-rounds") && v)
            bad = parse_int(v, 1, 100000, &o->idle_rounds);
        else if (!strcmp(a, "--schema-version") && v)
            bad = parse_int(v, 19, SCHEMA_VERSION, &o->schema_version);
        else if (!strcmp(a, "--dir") && v)
            o->dir = v;
        else if (a[0] != '-' && !o->conninfo) {
            o->conninfo = a;
            continue;
        } else
            return false;
        if (bad)
            return false;
        i++;
    }
    return o->conninfo != NULL;
}

/* Makes the store and fills it; prints what it holds. */
static bool make_store(const char *path, const struct options *o, char incarnation[40])
{
    struct store *store;
    struct store_health health;
    unlink(path);
    if (store_open(&store, path, KIOSK_ID, bench_utc_ms(), &health) != 0)
        return false;
    snprintf(incarnation, 40, "%s", store_incarnation(store));
    store_close(store);
    struct gen g = {0};
    int64_t first = (bench_utc_ms() - o->days * DAY_MS) / STORE_BUCKET_MS * STORE_BUCKET_MS;
    double t0 = bench_mono_ms();
    if (!fill_store(path, o, first, &g))
        return false;
    printf("store: %s: %d days x %d departments x 96 buckets: %lld count rows (%lld taps), "
           "%lld reason rows (%lld follow-ups), seq %lld; made in %.1f s\n",
           path, o->days, o->departments, (long long)g.count_rows, (long long)g.taps,
           (long long)g.reason_rows, (long long)g.followups, (long long)g.seq,
           (bench_mono_ms() - t0) / 1e3);
    return true;
}

/* Settings of the kiosk: its own role, fixed jitter seed. */
static bool kiosk_settings(const struct options *o, const char *path, struct sync_settings *s)
{
    sync_settings_defaults(s);
    if (o->batch_rows > 0)
        s->batch_rows = o->batch_rows;
    s->seed = 1;
    snprintf(s->store_path, sizeof s->store_path, "%s", path);
    snprintf(s->kiosk_id, sizeof s->kiosk_id, "%s", KIOSK_ID);
    snprintf(s->site, sizeof s->site, "Benchmark");
    return bench_conninfo(o->conninfo, "kiosk_" KIOSK_ID, DBNAME, s->target, sizeof s->target);
}

/* Pushes the backlog, verifies it, then the idle and one-tap rounds.  The
 * store stays open meanwhile, as the kiosk keeps it (so the sync's own
 * connection is never the last one, whose close would checkpoint). */
static bool run(const struct options *o, const char *path, const char *incarnation,
                const char *admin_db, int postmaster)
{
    struct sync_settings settings;
    struct store *store;
    struct store_health health;
    if (!kiosk_settings(o, path, &settings) ||
        store_open(&store, path, KIOSK_ID, bench_utc_ms(), &health) != 0)
        return false;
    struct sync_engine *engine = sync_engine_create(&settings, -1);
    struct push_result r = {0};
    bool ok = engine && push_backlog(engine, postmaster, &r);
    if (ok) {
        printf("figure: sync_backlog_30d_s %.3f s (%d days, %lld rows in %d batches of at most "
               "%d; goal <= 1 s)\n",
               r.seconds, o->days, (long long)r.rows, r.rounds, settings.batch_rows);
        printf("figure: sync_backlog_rows %lld rows\n", (long long)r.rows);
        printf("figure: sync_backlog_rows_per_s %.0f rows/s\n", (double)r.rows / r.seconds);
        printf("figure: sync_backlog_client_cpu_s %.3f s (this process, its threads)\n",
               r.client_cpu_s);
        printf("figure: sync_backlog_server_cpu_s %.3f s (the server's processes)\n",
               r.server_cpu_s);
        ok = verify(admin_db, path, incarnation);
    }
    ok = ok && idle_rounds(engine, o->idle_rounds) && one_tap_round(engine, store);
    sync_engine_destroy(engine);
    store_close(store);
    return ok;
}

int main(int argc, char **argv)
{
    struct options o;
    if (!parse_options(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_sync_backlog CONNINFO [--days N] [--departments N] "
                        "[--batch-rows N] [--idle-rounds N] [--dir DIR] "
                        "[--schema-version N]\n");
        return 2;
    }
    log_init("bench_sync_backlog", getenv("WOW_BENCH_VERBOSE") ? LOG_INFO : LOG_WARN);
    char dir[256] = "/var/tmp/wowbench-XXXXXX", path[300], admin_db[1024], incarnation[40];
    bool made = o.dir == NULL;
    if (made ? mkdtemp(dir) == NULL : snprintf(dir, sizeof dir, "%s", o.dir) >= (int)sizeof dir) {
        fprintf(stderr, "bench_sync_backlog: cannot use directory %s\n", made ? dir : o.dir);
        return 1;
    }
    snprintf(path, sizeof path, "%s/backlog.db", dir);
    bench_print_load("before");
    PGconn *admin = NULL;
    bool ok = bench_conninfo(o.conninfo, NULL, DBNAME, admin_db, sizeof admin_db) &&
              bench_pg_fresh_database_at(o.conninfo, DBNAME, o.schema_version) &&
              (admin = bench_pg_connect(o.conninfo)) != NULL &&
              bench_pg_make_roles(admin, ROLE_PREFIX, 1) && make_store(path, &o, incarnation) &&
              run(&o, path, incarnation, admin_db, bench_pg_postmaster_pid(admin));
    bench_pg_drop_database(o.conninfo, DBNAME);
    if (admin)
        bench_pg_drop_roles(admin, ROLE_PREFIX, 1);
    PQfinish(admin);
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; made && i < 3; i++) {
        char f[320];
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        unlink(f);
    }
    if (made)
        rmdir(dir);
    bench_print_load("after");
    if (!ok)
        return 1;
    printf("figure: sync_backlog_peak_rss_mb %.1f MB (this process)\n", bench_peak_rss_mb());
    printf("reproduce: python3 tests/sync/pg_cluster.py start /tmp/pg.json; "
           "build/bench/bench_sync_backlog \"$(python3 -c 'import json; "
           "print(json.load(open(\"/tmp/pg.json\"))[\"conninfo\"])')\" --days %d "
           "--departments %d; python3 tests/sync/pg_cluster.py stop /tmp/pg.json\n",
           o.days, o.departments);
    return 0;
}
