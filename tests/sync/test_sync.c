/*
 * test_sync: the sync engine against a real shared database: PostgreSQL
 * (the fixture's cluster, a fresh database per test) or a SQLite file,
 * chosen by argv[1] ("postgres" or "sqlite"); the same exactness tests
 * run on both.  Every check compares the shared rows with the kiosk's own
 * counts row by row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <time.h>

#include "clock.h"

#include "schema.h"
#include "strbuf.h"
#include "sync.h"
#include "sqlite_backend.h"
#include "sync_backend.h"
#include "sync_local.h"
#include "sync_test_util.h"

/* Which backend this run tests: set once from argv[1] in main. */
static bool use_postgres;

struct fixture {
    struct shared_db db;
    char store[128];
    struct proxy proxy; /* pid 0: none; stopped by teardown even when a test fails */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    shared_db_create(&f->db, use_postgres, "sync");
    snprintf(f->store, sizeof f->store, "%s/kiosk.db", f->db.dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->proxy.pid > 0)
        proxy_stop(&f->proxy);
    shared_db_destroy(&f->db);
    free(f);
    return 0;
}

/* The shared rows of the store's kiosk incarnation equal the store's. */
static void assert_synced(const struct shared_db *db, const char *store, const char *kiosk_id)
{
    char incarnation[40];
    store_incarnation_of(store, incarnation);
    char *local = local_dump(store);
    char *shared = shared_dump(db, kiosk_id, incarnation);
    assert_true(strlen(local) > 0);
    assert_string_equal(shared, local);
    free(local);
    free(shared);
}

static struct sync_engine *engine_for(const struct fixture *f, const char *store,
                                      const char *kiosk_id)
{
    struct sync_settings s;
    test_settings(&s, f->db.target, store, kiosk_id);
    struct sync_engine *e = sync_engine_create(&s, -1);
    assert_non_null(e);
    return e;
}

/* Taps, a sync, more taps, another sync: equal after each. */
static void test_normal_sync(void **state)
{
    struct fixture *f = *state;
    int64_t now = 0;
    store_fill(f->store, "k1", 400, T0_UTC_MS, 90 * 1000, 1);
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    assert_synced(&f->db, f->store, "k1");
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_true(st.rows_sent > 0);
    assert_int_equal(st.backlog, 0);

    store_fill(f->store, "k1", 150, T0_UTC_MS + 400 * 90 * 1000, 60 * 1000, 2);
    sync_engine_request(e);
    sync_until_idle(e, &now, 5);
    assert_synced(&f->db, f->store, "k1");
    sync_engine_destroy(e);
}

/* A backlog larger than one batch goes out in several batches, and the
 * rows that share a bucket are still exact. */
static void test_backlog_in_batches(void **state)
{
    struct fixture *f = *state;
    int64_t now = 0;
    store_fill(f->store, "k1", 600, T0_UTC_MS, 20 * 1000, 3);
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    s.batch_rows = 50;
    struct sync_engine *e = sync_engine_create(&s, -1);
    int rounds = sync_until_idle(e, &now, 100);
    assert_true(rounds > 5); /* it really was cut into batches */
    assert_synced(&f->db, f->store, "k1");
    sync_engine_destroy(e);
}

#define BUCKET_MS (15 * 60 * 1000LL)

/* A backlog's statements (some hundred rows or more) insert the rows
 * after the newest bucket stored plainly and merge the others: a first
 * backlog (nothing stored), one of half old buckets and half new, and a
 * resend of everything (all old) are each exact.  A tap per bucket, so
 * the count rows are many, and enough of them to give the chosen reasons
 * a statement of that size too. */
static void test_backlog_across_newest_bucket(void **state)
{
    struct fixture *f = *state;
    int64_t now = 0;
    store_fill(f->store, "k1", 1800, T0_UTC_MS, BUCKET_MS, 21);
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    assert_synced(&f->db, f->store, "k1");

    store_fill(f->store, "k1", 1800, T0_UTC_MS + 900 * BUCKET_MS, BUCKET_MS, 22);
    sync_engine_request(e);
    sync_until_idle(e, &now, 5);
    assert_synced(&f->db, f->store, "k1");

    test_exec_reset_synced(f->store);
    sync_engine_request(e);
    sync_until_idle(e, &now, 5);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.rounds_failed, 0);
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
}

/* An old snapshot of the store (same incarnation, smaller counts) synced
 * after the newer one, twice, and the newer one resent from scratch:
 * nothing changes. */
static void test_resend_and_out_of_order(void **state)
{
    struct fixture *f = *state;
    char old[160];
    snprintf(old, sizeof old, "%s/old.db", f->db.dir);
    store_fill(f->store, "k1", 300, T0_UTC_MS, 30 * 1000, 4);
    copy_file(f->store, old);                                 /* the store as it was then */
    store_fill(f->store, "k1", 300, T0_UTC_MS, 30 * 1000, 5); /* same buckets, more taps */
    int64_t now = 0;
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    sync_engine_destroy(e);
    char *newer = local_dump(f->store);

    for (int i = 0; i < 2; i++) { /* late, smaller counts, sent twice */
        e = engine_for(f, old, "k1");
        sync_until_idle(e, &now, 5);
        sync_engine_destroy(e);
        char incarnation[40];
        store_incarnation_of(f->store, incarnation);
        char *shared = shared_dump(&f->db, "k1", incarnation);
        assert_string_equal(shared, newer);
        free(shared);
        test_exec_reset_synced(old);
    }
    test_exec_reset_synced(f->store); /* resend everything */
    e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_true(st.rows_sent > 0);
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
    free(newer);
}

/* The kiosk dies after the push committed and before it recorded
 * synced_seq: the next round resends, and nothing is counted twice. */
static void test_crash_between_push_and_mark(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, "k1", 250, T0_UTC_MS, 45 * 1000, 6);
    int64_t backlog = sync_local_backlog(f->store);
    assert_true(backlog > 0);
    struct sync_local_batch batch = {0};
    char error[256];
    assert_int_equal(sync_local_read(f->store, 100000, &batch, error, sizeof error), 0);
    struct sync_backend *b = sync_backend_create(f->db.target, -1);
    assert_int_equal(b->ops->connect(b, 5000), SYNC_OK);
    struct sync_batch push = {.kiosk_id = batch.kiosk_id,
                              .incarnation = batch.incarnation,
                              .counts = batch.counts,
                              .count_n = batch.count_n,
                              .reasons = batch.reasons,
                              .reason_n = batch.reason_n,
                              .from_seq = batch.synced_seq,
                              .upto_seq = batch.upper_seq};
    struct sync_heartbeat hb = {.kiosk_id = "k1",
                                .site = "",
                                .label = "",
                                .department = "",
                                .timezone = "UTC",
                                .app_version = "t",
                                .incarnation = batch.incarnation,
                                .last_error = "",
                                .catalog_error = "",
                                .mode = "single",
                                .departments = "",
                                .store_error = ""};
    struct sync_push_stats stats = {0};
    struct sync_fetched fetched;
    assert_int_equal(b->ops->push(b, &push, &hb, &stats, &fetched, 10000), SYNC_OK);
    b->ops->destroy(b); /* "crash": synced_seq never recorded */
    size_t rows = batch.count_n + batch.reason_n;
    sync_local_batch_free(&batch);
    assert_int_equal(sync_local_backlog(f->store), backlog);

    int64_t now = 0;
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.rows_sent, (int64_t)rows); /* all of it went again */
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
    assert_int_equal(sync_local_backlog(f->store), 0);
}

/* Two kiosks, and kiosk k1 twice (its store replaced: a new
 * incarnation).  Each incarnation's rows stay its own; totals add up. */
static void test_two_kiosks_two_incarnations(void **state)
{
    struct fixture *f = *state;
    char k2[160], k1_new[160];
    snprintf(k2, sizeof k2, "%s/k2.db", f->db.dir);
    snprintf(k1_new, sizeof k1_new, "%s/k1-new.db", f->db.dir);
    store_fill(f->store, "k1", 200, T0_UTC_MS, 60 * 1000, 7);
    store_fill(k2, "k2", 150, T0_UTC_MS, 60 * 1000, 8);
    store_fill(k1_new, "k1", 120, T0_UTC_MS, 60 * 1000, 9); /* same buckets, new incarnation */
    int64_t now = 0;
    const char *stores[] = {f->store, k2, k1_new}, *ids[] = {"k1", "k2", "k1"};
    for (int i = 0; i < 3; i++) {
        struct sync_engine *e = engine_for(f, stores[i], ids[i]);
        sync_until_idle(e, &now, 5);
        sync_engine_destroy(e);
    }
    char *new_before = NULL;
    {
        char inc[40];
        store_incarnation_of(k1_new, inc);
        new_before = shared_dump(&f->db, "k1", inc);
    }
    /* the old incarnation goes on (an SD card put back): the new one's rows stay */
    store_fill(f->store, "k1", 80, T0_UTC_MS, 60 * 1000, 10);
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    sync_engine_destroy(e);
    for (int i = 0; i < 3; i++)
        assert_synced(&f->db, stores[i], ids[i]);
    char inc[40];
    store_incarnation_of(k1_new, inc);
    char *new_after = shared_dump(&f->db, "k1", inc);
    assert_string_equal(new_after, new_before);
    free(new_before);
    free(new_after);
    assert_int_equal(shared_total(&f->db), 200 + 150 + 120 + 80);
}

/* The database's cursor for the store, as its owner reads it ("" when
 * it has no row); malloc'd, caller frees. */
static char *cursor_of(const struct shared_db *db, const char *store)
{
    char incarnation[40], sql[160];
    store_incarnation_of(store, incarnation);
    snprintf(sql, sizeof sql, "SELECT seq FROM sync_cursors WHERE incarnation = '%s'", incarnation);
    return shared_query(db, sql);
}

/* The store's synced_seq as its meta says it. */
static int64_t store_synced_seq(const char *store)
{
    struct sync_local_batch b = {0};
    char error[256];
    assert_int_equal(sync_local_read(store, 1, &b, error, sizeof error), 0);
    int64_t seq = b.synced_seq;
    sync_local_batch_free(&b);
    return seq;
}

/* A kiosk that synced to another target for a while (a boot without its
 * own settings: the default target) and back: each database gets every
 * row, the rows of the time away included, although the store's mark
 * said they were sent.  The second database learns them with no new tap
 * (an idle round's cursor read is enough). */
static void test_target_switched(void **state)
{
    struct fixture *f = *state;
    struct shared_db other;
    shared_db_create(&other, use_postgres, "sync_other");
    int64_t now = 0;
    store_fill(f->store, "k1", 300, T0_UTC_MS, 60 * 1000, 21);
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
    int64_t first_mark = store_synced_seq(f->store);
    assert_true(first_mark > 0);

    /* away: the other target, nothing new yet, then taps there */
    struct sync_settings s;
    test_settings(&s, other.target, f->store, "k1");
    e = sync_engine_create(&s, -1);
    sync_until_idle(e, &now, 10);
    assert_synced(&other, f->store, "k1");
    store_fill(f->store, "k1", 40, T0_UTC_MS + 300 * 60 * 1000, 60 * 1000, 22);
    sync_engine_request(e);
    sync_until_idle(e, &now, 10);
    assert_synced(&other, f->store, "k1");
    sync_engine_destroy(e);
    assert_true(store_synced_seq(f->store) > first_mark);

    /* back: the first database gets the 40 taps of the time away */
    e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 10);
    struct sync_status st;
    sync_engine_status(e, &st);
    sync_engine_destroy(e);
    assert_int_equal(st.state, SYNC_STATE_OK);
    assert_synced(&f->db, f->store, "k1");
    assert_int_equal(shared_total(&f->db), 340);
    assert_int_equal(shared_total(&other), 340);
    /* both cursors are where the store's mark is */
    char want[32];
    snprintf(want, sizeof want, "%lld\n", (long long)store_synced_seq(f->store));
    char *cursor = cursor_of(&f->db, f->store), *other_cursor = cursor_of(&other, f->store);
    assert_string_equal(cursor, want);
    assert_string_equal(other_cursor, want);
    free(cursor);
    free(other_cursor);
    shared_db_destroy(&other);
}

/* The database restored from a copy older than the store's last push
 * (here: from before the store's first, its rows and cursor gone): the
 * next round, with no new tap, sends every row again, in batches. */
static void test_database_restored(void **state)
{
    struct fixture *f = *state;
    int64_t now = 0;
    store_fill(f->store, "k1", 400, T0_UTC_MS, 60 * 1000, 23);
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    s.batch_rows = 60;
    struct sync_engine *e = sync_engine_create(&s, -1);
    sync_until_idle(e, &now, 100);
    assert_synced(&f->db, f->store, "k1");
    shared_exec(&f->db, "DELETE FROM tap_counts; DELETE FROM reason_counts;"
                        " DELETE FROM sync_cursors");
    assert_int_equal(shared_total(&f->db), 0);
    sync_engine_request(e);
    int rounds = sync_until_idle(e, &now, 100);
    struct sync_status st;
    sync_engine_status(e, &st);
    sync_engine_destroy(e);
    assert_true(rounds > 3); /* the idle round that found out, then the batches */
    assert_int_equal(st.state, SYNC_STATE_OK);
    assert_int_equal(st.backlog, 0);
    assert_synced(&f->db, f->store, "k1");
    assert_int_equal(shared_total(&f->db), 400);
}

/* A database whose cursor never moves (here a trigger drops its updates)
 * must not make the kiosk send its whole store round after round: the
 * second time it is found behind the same place, the round fails and
 * backs off, saying why. */
static void test_cursor_stuck(void **state)
{
    struct fixture *f = *state;
    int64_t now = 0;
    store_fill(f->store, "k1", 100, T0_UTC_MS, 60 * 1000, 24);
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    shared_exec(&f->db, "DELETE FROM sync_cursors");
    if (f->db.postgres)
        shared_exec(&f->db, "CREATE FUNCTION drop_update() RETURNS trigger LANGUAGE plpgsql AS"
                            " $$BEGIN RETURN NULL; END$$;"
                            "CREATE TRIGGER stuck BEFORE UPDATE ON sync_cursors FOR EACH ROW"
                            " EXECUTE FUNCTION drop_update()");
    else
        shared_exec(&f->db, "CREATE TRIGGER stuck BEFORE UPDATE ON sync_cursors"
                            " BEGIN SELECT RAISE(IGNORE); END");
    struct sync_status st = {0};
    for (int round = 0; round < 6 && st.state != SYNC_STATE_FAILING; round++) {
        sync_engine_request(e);
        sync_engine_step(e, now, T0_UTC_MS + now);
        sync_engine_status(e, &st);
    }
    sync_engine_destroy(e);
    assert_int_equal(st.state, SYNC_STATE_FAILING);
    assert_int_equal(st.rounds_ok, 3); /* the first sync, the one that found out, one resend */
    assert_non_null(strstr(st.last_error, "never went past seq 0"));
    assert_true(st.next_attempt_mono_ms > now); /* backs off */
}

/* Nothing new: no rows, one round trip (the heartbeat), which the
 * database records with its own clock. */
static void test_idle_round_and_heartbeat(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, "k1", 50, T0_UTC_MS, 60 * 1000, 11);
    int64_t now = 0;
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    shared_exec(&f->db, "UPDATE kiosks SET last_seen_ms = 0, backlog = 99");
    now += 60 * 1000;
    sync_engine_step(e, now, T0_UTC_MS + now);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.state, SYNC_STATE_OK);
    assert_int_equal(st.last_round_rows, 0);
    assert_int_equal(st.last_round_trips, 1);
    sync_engine_destroy(e);
    char *row = shared_query(&f->db, "SELECT kiosk_id, site, department, timezone, app_version,"
                                     " backlog, last_error, last_seen_ms > 0 FROM kiosks");
    char want[160];
    snprintf(want, sizeof want, "k1|Test site|front|UTC|%s|0||%s\n", WOW_VERSION,
             f->db.postgres ? "t" : "1");
    assert_string_equal(row, want);
    free(row);
}

/* A kiosk whose start-up checks found a problem says so in its heartbeat
 * while the sync itself works; the rows still arrive. */
static void test_heartbeat_carries_kiosk_problem(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, "k1", 20, T0_UTC_MS, 60 * 1000, 5);
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    snprintf(s.problem, sizeof s.problem, "input: no /dev/input/event* readable by wowkiosk");
    struct sync_engine *e = sync_engine_create(&s, -1);
    assert_non_null(e);
    int64_t now = 0;
    sync_until_idle(e, &now, 5);
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
    char *row = shared_query(&f->db, "SELECT last_error FROM kiosks WHERE kiosk_id = 'k1'");
    assert_string_equal(row, "input: no /dev/input/event* readable by wowkiosk\n");
    free(row);
    /* a round that fails says why, and the kiosk's own problem still shows */
    snprintf(s.store_path, sizeof s.store_path, "%s/no-such-store.db", f->db.dir);
    e = sync_engine_create(&s, -1);
    sync_engine_step(e, now, T0_UTC_MS + now);
    sync_engine_destroy(e);
    row = shared_query(&f->db, "SELECT last_error FROM kiosks WHERE kiosk_id = 'k1'");
    assert_non_null(strstr(row, "sync: cannot open the store"));
    assert_non_null(strstr(row, "; input: no /dev/input/event* readable by wowkiosk"));
    free(row);
}

/* A heartbeat the database refuses (here a constraint its owner added
 * against the kiosk's site) never holds back the counts: the push goes
 * again with a bare heartbeat, whose last_error says so; once the
 * constraint is gone, the next heartbeat is whole again. */
/* Runs the kiosks' own merge (schema.h) of one tap_counts row with wows
 * WOW faces, whose positive question's first reason is reason, counted n
 * times. */
static void merge_first_reason(const struct shared_db *db, const char *reason, int n, int wows)
{
    char head[512];
    snprintf(head, sizeof head,
             "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
             " rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4,"
             " first_reason_pos, first_reason_pos_n) VALUES ('merge', 'i', 0, 'front', 0, 0, 0,"
             " %d, 0, 0, 0, 0, '%s', %d)",
             wows, reason, n);
    const char *const parts[] = {head, SCHEMA_TAP_COUNTS_MERGE_PARTS};
    struct strbuf sql = {0};
    strbuf_puts_all(&sql, parts, sizeof parts / sizeof parts[0]);
    assert_false(sql.failed);
    shared_exec(db, sql.data);
    strbuf_free(&sql);
}

/* The merge of a first reason (schema step 19), in both engines: the
 * first one sent fills the empty column; its count is the greater of
 * stored and sent; another reason sent in its place (which an honest
 * kiosk never does: its store keeps which is first) changes neither the
 * reason nor its count. */
static void test_first_reason_merge(void **state)
{
    struct fixture *f = *state;
    static const char read[] = "SELECT first_reason_pos, first_reason_pos_n, rating_4"
                               " FROM tap_counts WHERE kiosk_id = 'merge'";
    merge_first_reason(&f->db, "", 0, 1);
    char *got = shared_query(&f->db, read);
    assert_string_equal(got, "|0|1\n");
    free(got);
    merge_first_reason(&f->db, "fast", 2, 2);
    merge_first_reason(&f->db, "fast", 1, 1);
    got = shared_query(&f->db, read);
    assert_string_equal(got, "fast|2|2\n");
    free(got);
    merge_first_reason(&f->db, "slow", 9, 9);
    got = shared_query(&f->db, read);
    assert_string_equal(got, "fast|2|9\n"); /* the faces still merge */
    free(got);
    merge_first_reason(&f->db, "fast", 10, 10);
    got = shared_query(&f->db, read);
    assert_string_equal(got, "fast|10|10\n");
    free(got);
}

static void test_heartbeat_refused_counts_go_on(void **state)
{
    struct fixture *f = *state;
    if (f->db.postgres)
        shared_exec(&f->db, "ALTER TABLE kiosks ADD CONSTRAINT test_no_site"
                            " CHECK (site <> 'Test site')");
    else
        shared_exec(&f->db,
                    "CREATE TRIGGER test_no_site_insert BEFORE INSERT ON kiosks"
                    " WHEN NEW.site = 'Test site' BEGIN SELECT RAISE(ABORT, 'no site'); END;"
                    "CREATE TRIGGER test_no_site_update BEFORE UPDATE ON kiosks"
                    " WHEN NEW.site = 'Test site' BEGIN SELECT RAISE(ABORT, 'no site'); END");
    store_fill(f->store, "k1", 40, T0_UTC_MS, 60 * 1000, 16);
    /* in batches of 8: on PostgreSQL the pushes sent ahead are refused too */
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    s.batch_rows = 8;
    struct sync_engine *e = sync_engine_create(&s, -1);
    int64_t now = 0;
    sync_until_idle(e, &now, 20);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.state, SYNC_STATE_OK);
    assert_true(!f->db.postgres || st.pushes_ahead > 0);
    assert_synced(&f->db, f->store, "k1");
    char *row = shared_query(&f->db, "SELECT site, timezone, last_error FROM kiosks");
    assert_non_null(strstr(row, "|UTC|the database refused this kiosk's heartbeat, sent without "
                                "its texts: sync: "));
    assert_int_equal(row[0], '|'); /* the site went empty */
    free(row);
    if (f->db.postgres)
        shared_exec(&f->db, "ALTER TABLE kiosks DROP CONSTRAINT test_no_site");
    else
        shared_exec(&f->db, "DROP TRIGGER test_no_site_insert; DROP TRIGGER test_no_site_update");
    now += 120 * 1000;
    sync_engine_step(e, now, T0_UTC_MS + now);
    sync_engine_destroy(e);
    row = shared_query(&f->db, "SELECT site, last_error FROM kiosks");
    assert_string_equal(row, "Test site|\n");
    free(row);
}

/* A store that cannot be read sends no rows, but its heartbeat says why. */
static void test_store_unreadable_heartbeat(void **state)
{
    struct fixture *f = *state;
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no-such-store.db", f->db.dir);
    struct sync_engine *e = engine_for(f, missing, "k1");
    sync_engine_step(e, 0, T0_UTC_MS);
    struct sync_status st;
    sync_engine_status(e, &st);
    sync_engine_destroy(e);
    assert_int_equal(st.state, SYNC_STATE_FAILING);
    assert_non_null(strstr(st.last_error, "cannot open the store"));
    char *row = shared_query(&f->db, "SELECT kiosk_id, last_error FROM kiosks");
    assert_non_null(strstr(row, "k1|sync: cannot open the store"));
    assert_non_null(strstr(row, missing));
    free(row);
}

/* How the outage is made and ended for each backend: PostgreSQL behind
 * the fault proxy (refusing, then passing); SQLite in a directory that
 * is missing, then made. */
struct outage {
    struct proxy *proxy; /* the fixture's */
    char target[512];
    char sqlite_dir[160];
};

static void outage_begin(struct outage *o, struct fixture *f)
{
    if (use_postgres) {
        o->proxy = &f->proxy;
        proxy_start(o->proxy, f->db.dir);
        proxy_command(o->proxy, "refuse");
        snprintf(o->target, sizeof o->target,
                 "host=127.0.0.1 port=%d user=postgres dbname=%s sslmode=disable", o->proxy->port,
                 f->db.dbname);
    } else {
        snprintf(o->sqlite_dir, sizeof o->sqlite_dir, "%s/later", f->db.dir);
        snprintf(o->target, sizeof o->target, "%s/shared.db", o->sqlite_dir);
    }
}

static void outage_end(struct outage *o)
{
    if (use_postgres)
        proxy_command(o->proxy, "pass");
    else
        assert_int_equal(mkdir(o->sqlite_dir, 0755), 0);
}

/* Regression: the heartbeat sent alone after a failed read replaced the
 * kiosk's row with an empty incarnation.  It carries the one the last
 * read found, and the database keeps the row's when it is sent none. */
static void test_heartbeat_alone_keeps_incarnation(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, "k1", 20, T0_UTC_MS, 60 * 1000, 5);
    char incarnation[40];
    store_incarnation_of(f->store, incarnation);
    struct outage o;
    outage_begin(&o, f);
    struct sync_settings s;
    test_settings(&s, o.target, f->store, "k1");
    struct sync_engine *e = sync_engine_create(&s, -1);
    assert_non_null(e);
    sync_engine_step(e, 0, T0_UTC_MS); /* the store is read, the database is away */
    char moved[160];
    snprintf(moved, sizeof moved, "%s/moved-away.db", f->db.dir);
    assert_int_equal(rename(f->store, moved), 0); /* the next read fails */
    outage_end(&o);
    int64_t now = 3600 * 1000;
    sync_engine_step(e, now, T0_UTC_MS + now); /* the heartbeat alone: the row's first */
    struct sync_status st;
    sync_engine_status(e, &st);
    sync_engine_destroy(e);
    assert_int_equal(st.state, SYNC_STATE_FAILING);
    struct shared_db db = f->db; /* SQLite: the outage's file, made at its end */
    if (!use_postgres)
        snprintf(db.target, sizeof db.target, "%s", o.target);
    char *row = shared_query(&db, "SELECT incarnation || '|' || last_error FROM kiosks");
    char want[80];
    snprintf(want, sizeof want, "%s|sync: cannot open the store", incarnation);
    assert_non_null(strstr(row, want));
    free(row);
    /* restarted with the store still unreadable: no read has named an
       incarnation, and the kiosk's row keeps the last one sent */
    e = sync_engine_create(&s, -1);
    assert_non_null(e);
    sync_engine_step(e, now, T0_UTC_MS + now);
    sync_engine_destroy(e);
    row = shared_query(&db, "SELECT incarnation || '|' || last_error FROM kiosks");
    assert_non_null(strstr(row, want));
    free(row);
}

/* The rows a kiosk synced to the outage's target, as seen there. */
static char *outage_dump(const struct outage *o, const struct fixture *f, const char *store)
{
    struct shared_db db = f->db;
    if (!use_postgres)
        snprintf(db.target, sizeof db.target, "%s", o->target);
    char incarnation[40];
    store_incarnation_of(store, incarnation);
    return shared_dump(&db, "k1", incarnation);
}

#define WEEK_MS (7 * 24 * 3600 * 1000LL)

/* Seven days of simulated time without the database while taps go on:
 * attempts follow the back-off (never closer than its floor, never
 * further apart than its cap), then everything arrives, exactly. */
static void test_outage_7_days(void **state)
{
    struct fixture *f = *state;
    struct outage o;
    outage_begin(&o, f);
    struct sync_settings s;
    test_settings(&s, o.target, f->store, "k1");
    struct sync_engine *e = sync_engine_create(&s, -1);
    store_fill(f->store, "k1", 20, T0_UTC_MS, 60 * 1000, 12);
    int64_t now = 0, last_attempt = -1, min_gap = INT64_MAX, max_gap = 0, next_fill = 0;
    int64_t attempts = 0;
    struct sync_status st;
    while (now < WEEK_MS) {
        if (now >= next_fill) { /* a few taps every six hours */
            store_fill(f->store, "k1", 10, T0_UTC_MS + now, 60 * 1000, (unsigned)(now / 1000));
            next_fill += 6 * 3600 * 1000LL;
        }
        int64_t due = sync_engine_step(e, now, T0_UTC_MS + now);
        sync_engine_status(e, &st);
        assert_int_equal(st.state, SYNC_STATE_FAILING);
        if (st.connect_attempts > attempts) {
            assert_int_equal(st.connect_attempts, attempts + 1); /* one per round */
            if (last_attempt >= 0) {
                min_gap = now - last_attempt < min_gap ? now - last_attempt : min_gap;
                max_gap = now - last_attempt > max_gap ? now - last_attempt : max_gap;
            }
            last_attempt = now;
            attempts = st.connect_attempts;
        }
        assert_true(due > now); /* never due at once while failing: no busy loop */
        now = due;
    }
    print_message("outage: %lld attempts in 7 days, gaps %lld..%lld ms, backlog %lld\n",
                  (long long)attempts, (long long)min_gap, (long long)max_gap,
                  (long long)st.backlog);
    assert_true(min_gap >= s.backoff_min_ms);
    assert_true(max_gap <= s.backoff_min_ms + s.backoff_max_ms);
    /* mean gap at the cap is min + max / 2 = 151 s: about 4000 a week */
    assert_true(attempts > WEEK_MS / (s.backoff_min_ms + s.backoff_max_ms));
    assert_true(attempts < WEEK_MS / 100000);
    assert_true(st.backlog > 0);

    outage_end(&o);
    sync_until_idle(e, &now, 10);
    sync_engine_destroy(e);
    if (use_postgres) { /* the recovering round's own heartbeat says all is well */
        char *hb = shared_query(&f->db, "SELECT last_error, backlog, last_success_ms > 0"
                                        " FROM kiosks WHERE kiosk_id = 'k1'");
        assert_string_equal(hb, "|0|t\n");
        free(hb);
    }
    char *local = local_dump(f->store), *shared = outage_dump(&o, f, f->store);
    assert_string_equal(shared, local);
    free(local);
    free(shared);
}

/* The SQLite target refuses a network file system, saying why. */
static int statfs_nfs(const char *path, struct statfs *fs)
{
    (void)path;
    memset(fs, 0, sizeof *fs);
    fs->f_type = 0x6969; /* NFS_SUPER_MAGIC */
    return 0;
}

static void test_network_fs_refused(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(sqlite_backend_network_fs(0x6969), "NFS");
    assert_string_equal(sqlite_backend_network_fs(0xFF534D42UL), "CIFS");
    assert_string_equal(sqlite_backend_network_fs(0xFE534D42UL), "SMB2");
    assert_null(sqlite_backend_network_fs(0xEF53));     /* ext4 */
    assert_null(sqlite_backend_network_fs(0x01021994)); /* tmpfs */
    char path[160];
    snprintf(path, sizeof path, "%s/on-nfs.db", f->db.dir);
    struct sync_backend *b = sqlite_backend_create_statfs(path, statfs_nfs);
    assert_int_equal(b->ops->connect(b, 1000), SYNC_ERR_REFUSED);
    assert_non_null(strstr(b->last_error, path));
    assert_non_null(strstr(b->last_error, "network file system (NFS)"));
    assert_non_null(strstr(b->last_error, "PostgreSQL"));
    b->ops->destroy(b);
    assert_int_equal(access(path, F_OK), -1); /* nothing was created there */
    /* and the real statfs of a local directory passes */
    b = sqlite_backend_create(path);
    assert_int_equal(b->ops->connect(b, 1000), SYNC_OK);
    b->ops->destroy(b);
}

/* Runs sql as the connection's role; returns its SQLSTATE ("" when it
 * succeeded) and the affected or returned row count in *rows. */
static const char *as_role(PGconn *c, const char *sql, char *value, size_t size)
{
    static char state[8]; /* one test thread; copied out by the caller at once */
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    state[0] = '\0';
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        snprintf(state, sizeof state, "%s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
    else if (st == PGRES_TUPLES_OK && PQntuples(res) > 0)
        snprintf(value, size, "%s", PQgetvalue(res, 0, 0));
    else
        snprintf(value, size, "%s", PQcmdTuples(res));
    PQclear(res);
    return state;
}

static void assert_role_sql(PGconn *c, const char *sql, const char *want_state,
                            const char *want_value)
{
    char value[64] = "";
    const char *state = as_role(c, sql, value, sizeof value);
    if (strcmp(state, want_state) != 0)
        fail_msg("%s: SQLSTATE '%s', expected '%s'", sql, state, want_state);
    if (want_value && strcmp(value, want_value) != 0)
        fail_msg("%s: got '%s', expected '%s'", sql, value, want_value);
}

/* Fails unless the plan of sql (EXPLAIN, as the connection's role) has an
 * initplan: the policy's kiosk, evaluated once for the statement. */
static void assert_kiosk_once(PGconn *c, const char *sql)
{
    char explain[1024];
    snprintf(explain, sizeof explain, "EXPLAIN (COSTS OFF) %s", sql);
    PGresult *res = PQexec(c, explain);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", explain, PQresultErrorMessage(res));
    bool found = false;
    for (int i = 0; i < PQntuples(res) && !found; i++)
        found = strstr(PQgetvalue(res, i, 0), "InitPlan") != NULL;
    PQclear(res);
    if (!found)
        fail_msg("%s: no InitPlan: the policy names the kiosk once per row", sql);
}

/* Schema step 18 as a kiosk's role: a row's stamp is the database's clock
 * in milliseconds (by its column default, in double precision), and every
 * policy names the kiosk once per statement (an initplan), not per row. */
static void test_per_statement_as_kiosk(PGconn *c, const char *id)
{
    static const char *const tables[] = {"tap_counts", "reason_counts", "comments"};
    static const char *const columns[] = {
        "tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1, rating_2,"
        " rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4)",
        "reason_counts(kiosk_id, incarnation, bucket_start_ms, department, question, reason,"
        " ended_by, misuse, n)",
        "comments(kiosk_id, incarnation, tap_id, source, department, rating, tap_ms, lang, body,"
        " written_ms)"};
    static const char *const values[] = {"'stamp', -1, 'front', 1, 0, 0, 0, 0, 0, 0, 0",
                                         "'stamp', -1, 'front', 'positive', 'fast', 'chosen', 0, 1",
                                         "'stamp', 1, 'kiosk', 'front', 4, 1, 'en', 'stamped', 1"};
    char insert[512], sql[1024];
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(insert, sizeof insert, "INSERT INTO %s VALUES ('%s', %s)", columns[i], id,
                 values[i]);
        assert_kiosk_once(c, insert);
        /* within the statement's clock, to the millisecond (a default
           in seconds or microseconds is far outside) */
        snprintf(sql, sizeof sql,
                 "WITH i AS (%s RETURNING synced_ms) SELECT count(*) FROM i WHERE synced_ms"
                 " BETWEEN (extract(epoch FROM statement_timestamp()) * 1000)::bigint - 1"
                 " AND (extract(epoch FROM clock_timestamp()) * 1000)::bigint + 1",
                 insert);
        assert_role_sql(c, sql, "", "1");
        snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE incarnation = 'stamp'", tables[i]);
        assert_kiosk_once(c, sql);
    }
    assert_kiosk_once(c, "UPDATE kiosks SET label = label");
    assert_kiosk_once(c, "SELECT seq FROM sync_cursors");
}

/* Comments (schema step 12) as a kiosk's role: it inserts its own
 * kiosk-typed comments, once; it cannot change, delete or stamp one, write
 * another kiosk's, or pose as a phone (those the dashboard writes). */
static void test_comments_as_kiosk(PGconn *c, const char *id)
{
    static const char cols[] =
        "INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating, tap_ms,"
        " lang, body, written_ms";
    char sql[512];
    snprintf(sql, sizeof sql, "%s) VALUES ('%s', 'i', 7, 'kiosk', 'front', 1, 5, 'en', 'slow', 6)",
             cols, id);
    assert_role_sql(c, sql, "", "1");
    /* the resend is a no-op, not a second row and not an error */
    snprintf(sql, sizeof sql,
             "%s) VALUES ('%s', 'i', 7, 'kiosk', 'front', 1, 5, 'en', 'other words', 6)"
             " ON CONFLICT DO NOTHING",
             cols, id);
    assert_role_sql(c, sql, "", "0");
    snprintf(sql, sizeof sql, "SELECT body FROM comments WHERE kiosk_id = '%s'", id);
    assert_role_sql(c, sql, "", "slow");
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM comments WHERE synced_ms > 0 AND kiosk_id = '%s'", id);
    assert_role_sql(c, sql, "", "1");
    const char *refused[] = {
        "UPDATE comments SET body = 'changed'",
        "DELETE FROM comments",
        "INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating, tap_ms,"
        " lang, body, written_ms) VALUES ('other', 'i', 8, 'kiosk', 'front', 1, 5, 'en', 'x', 6)",
        "INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating, tap_ms,"
        " lang, body, written_ms, synced_ms) VALUES (substr(current_user, 7), 'i', 9, 'kiosk', "
        "'front', 1,"
        " 5, 'en', 'x', 6, 1)",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        assert_role_sql(c, refused[i], "42501", NULL);
    snprintf(sql, sizeof sql, "%s) VALUES ('%s', 'i', 10, 'phone', 'front', 1, 5, 'en', 'x', 6)",
             cols, id);
    assert_role_sql(c, sql, "42501", NULL);
    /* the database refuses an empty or overlong body, whoever writes it */
    snprintf(sql, sizeof sql, "%s) VALUES ('%s', 'i', 11, 'kiosk', 'front', 1, 5, 'en', '', 6)",
             cols, id);
    assert_role_sql(c, sql, "23514", NULL);
    snprintf(sql, sizeof sql,
             "%s) VALUES ('%s', 'i', 12, 'kiosk', 'front', 1, 5, 'en', repeat('x', %d), 6)", cols,
             id, SCHEMA_COMMENT_MAX_CHARS + 1);
    assert_role_sql(c, sql, "23514", NULL);
}

/* The sync cursors (schema step 15) as a kiosk's role: its own only; a
 * compromised kiosk can hold back its own rows' cursor, never another
 * kiosk's, and never below "not known". */
static void test_cursors_as_kiosk(PGconn *c, const char *id)
{
    char sql[160];
    assert_role_sql(c, "SELECT count(*) FROM sync_cursors", "", "1");
    assert_role_sql(c, "SELECT count(*) FROM sync_cursors WHERE kiosk_id = 'other'", "", "0");
    assert_role_sql(c, "UPDATE sync_cursors SET seq = 0 WHERE kiosk_id = 'other'", "", "0");
    assert_role_sql(c, "INSERT INTO sync_cursors VALUES ('other', 'x', 5)", "42501", NULL);
    assert_role_sql(c, "DELETE FROM sync_cursors", "42501", NULL);
    snprintf(sql, sizeof sql, "UPDATE sync_cursors SET seq = -2 WHERE kiosk_id = '%s'", id);
    assert_role_sql(c, sql, "23514", NULL);
}

/* The text a kiosk's role writes is bounded by the database (schema step
 * 17): the longest allowed goes in, one character more is refused, in the
 * heartbeat, the counts, the reasons, the comments and the cursors.  A
 * compromised kiosk stores no megabytes for the fleet page to render. */
static void test_bounds_as_kiosk(PGconn *c, const char *id)
{
    char sql[512];
    static const struct {
        const char *column;
        int max;
    } heartbeat[] = {{"last_error", SCHEMA_KIOSK_ERROR_MAX_CHARS},
                     {"update_error", SCHEMA_KIOSK_ERROR_MAX_CHARS},
                     {"store_error", SCHEMA_KIOSK_ERROR_MAX_CHARS},
                     {"catalog_error", SCHEMA_KIOSK_ERROR_MAX_CHARS},
                     {"site", SCHEMA_KIOSK_NAME_MAX_CHARS},
                     {"label", SCHEMA_KIOSK_NAME_MAX_CHARS},
                     {"update_version", SCHEMA_KIOSK_NAME_MAX_CHARS},
                     {"departments", SCHEMA_KIOSK_LIST_MAX_CHARS},
                     {"incarnation", SCHEMA_KIOSK_ID_MAX_CHARS}};
    for (size_t i = 0; i < sizeof heartbeat / sizeof heartbeat[0]; i++) {
        /* characters, not bytes: 'ä' is two bytes and one character */
        snprintf(sql, sizeof sql,
                 "UPDATE kiosks SET %s = repeat(chr(228), %d) WHERE kiosk_id = '%s'",
                 heartbeat[i].column, heartbeat[i].max, id);
        assert_role_sql(c, sql, "", "1");
        snprintf(sql, sizeof sql, "UPDATE kiosks SET %s = repeat('x', %d) WHERE kiosk_id = '%s'",
                 heartbeat[i].column, heartbeat[i].max + 1, id);
        assert_role_sql(c, sql, "23514", NULL);
    }
    snprintf(sql, sizeof sql,
             "UPDATE kiosks SET last_error = repeat('x', 8 * 1024 * 1024) WHERE kiosk_id = '%s'",
             id);
    assert_role_sql(c, sql, "23514", NULL);
    /* each row's text around the overlong value's length */
    static const struct {
        const char *before, *after;
    } rows[] = {
        {"INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
         " rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4) VALUES"
         " (substr(current_user, 7), 'i', -7, repeat('d', ",
         "), 1, 0, 0, 0, 0, 0, 0, 0)"},
        {"INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
         " rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4) VALUES"
         " (substr(current_user, 7), repeat('i', ",
         "), -7, 'front', 1, 0, 0, 0, 0, 0, 0, 0)"},
        {"INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms, department, question,"
         " reason, ended_by, misuse, n) VALUES (substr(current_user, 7), 'i', -7, 'front',"
         " 'negative', repeat('r', ",
         "), 'chosen', 0, 1)"},
        {"INSERT INTO comments(kiosk_id, incarnation, tap_id, source, department, rating, tap_ms,"
         " lang, body, written_ms) VALUES (substr(current_user, 7), 'i', 99, 'kiosk',"
         " repeat('d', ",
         "), 1, 5, 'en', 'slow', 6)"},
        {"INSERT INTO sync_cursors(kiosk_id, incarnation, seq) VALUES (substr(current_user, 7),"
         " repeat('i', ",
         "), 0)"},
        {"INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
         " rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4,"
         " misuse_first_reason_neg, misuse_first_reason_neg_n) VALUES"
         " (substr(current_user, 7), 'i', -8, 'front', 1, 0, 0, 0, 0, 0, 0, 0, repeat('r', ",
         "), 1)"}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        snprintf(sql, sizeof sql, "%s%d%s", rows[i].before, SCHEMA_KIOSK_ID_MAX_CHARS + 1,
                 rows[i].after);
        assert_role_sql(c, sql, "23514", NULL);
    }
    /* a first reason has a count, and a count its reason (step 19) */
    assert_role_sql(
        c,
        "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
        " rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3,"
        " misuse_4, first_reason_neg, first_reason_neg_n) VALUES"
        " (substr(current_user, 7), 'i', -9, 'front', 1, 0, 0, 0, 0, 0, 0, 0, 'slow', 0)",
        "23514", NULL);
    assert_role_sql(c,
                    "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
                    " rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3,"
                    " misuse_4, first_reason_neg, first_reason_neg_n) VALUES"
                    " (substr(current_user, 7), 'i', -9, 'front', 1, 0, 0, 0, 0, 0, 0, 0, '', 4)",
                    "23514", NULL);
    /* the longest id goes in (removed again by the rollback) */
    assert_role_sql(c, "BEGIN", "", NULL);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        snprintf(sql, sizeof sql, "%s%d%s", rows[i].before, SCHEMA_KIOSK_ID_MAX_CHARS,
                 rows[i].after);
        assert_role_sql(c, sql, "", "1");
    }
    assert_role_sql(c, "ROLLBACK", "", NULL);
}

/* Grows the kiosk's own counts as its role, so the lowering checks have
 * rows to refuse: the follow-up columns of schema step 14 (granted like
 * the faces) by 2, so no CHECK (>= 0) refuses a lowering by 1 before the
 * only-grows rule does; a first reason (step 19) where a row has none
 * (allowed: '' is none yet) and its count by 2; and a reason row of a
 * later reason, which a store this small may not have made. */
static void grow_as_kiosk(PGconn *c, const char *id)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "UPDATE tap_counts SET skipped_pos = skipped_pos + 2,"
             " misuse_timeout_neg = misuse_timeout_neg + 2,"
             " first_reason_pos = CASE first_reason_pos WHEN '' THEN 'fast' ELSE first_reason_pos"
             " END, first_reason_pos_n = first_reason_pos_n + 2 WHERE kiosk_id = '%s'",
             id);
    assert_role_sql(c, sql, "", NULL);
    snprintf(sql, sizeof sql,
             "INSERT INTO reason_counts(kiosk_id, incarnation, bucket_start_ms, department,"
             " question, reason, ended_by, misuse, n) VALUES ('%s', 'grown', -7, 'front',"
             " 'positive', 'later', 'chosen', 0, 1)",
             id);
    assert_role_sql(c, sql, "", "1");
    snprintf(sql, sizeof sql, "UPDATE reason_counts SET n = n + 1 WHERE kiosk_id = '%s'", id);
    assert_role_sql(c, sql, "", NULL);
}

/* Its own rows, as the kiosk's role: the merge's growth is the only
 * change it can make (the only-grows rule, steps 6, 14 and 19). */
static void lowering_refused_as_kiosk(PGconn *c, const char *id)
{
    char sql[256];
    const char *lowering[] = {
        "UPDATE tap_counts SET rating_4 = 0",
        "UPDATE tap_counts SET misuse_1 = misuse_1 - 1, rating_1 = rating_1 + 1",
        "UPDATE tap_counts SET department = 'elsewhere'",
        "UPDATE tap_counts SET bucket_start_ms = bucket_start_ms + 1",
        "UPDATE reason_counts SET n = 1 WHERE n > 1 AND",
        "UPDATE reason_counts SET reason = 'moved' WHERE",
        /* the follow-ups that ended without a reason only grow too */
        "UPDATE tap_counts SET skipped_pos = skipped_pos - 1",
        "UPDATE tap_counts SET misuse_timeout_neg = misuse_timeout_neg - 1,"
        " rating_1 = rating_1 + 1",
        /* a first reason's count only grows, and the reason stays (step 19):
           neither lowered, nor renamed, nor given up for another */
        "UPDATE tap_counts SET first_reason_pos_n = first_reason_pos_n - 1",
        "UPDATE tap_counts SET first_reason_pos = 'moved'",
        "UPDATE tap_counts SET first_reason_pos = '', first_reason_pos_n = 0,"
        " rating_1 = rating_1 + 1"};
    grow_as_kiosk(c, id);
    for (size_t i = 0; i < sizeof lowering / sizeof lowering[0]; i++) {
        snprintf(sql, sizeof sql, "%s%s kiosk_id = '%s'", lowering[i],
                 strstr(lowering[i], "WHERE") ? "" : " WHERE", id);
        assert_role_sql(c, sql, "23514", NULL);
    }
}

/* Connected as a kiosk's own role (not a superuser, not the owner, no
 * BYPASSRLS): it writes its own rows and cannot read or touch others'. */
static void test_row_level_security(void **state)
{
    struct fixture *f = *state;
    char id[32], role[64], sql[256], conninfo[768], other_store[160];
    snprintf(id, sizeof id, "rls%d", (int)getpid());
    snprintf(role, sizeof role, "kiosk_%s", id);
    snprintf(sql, sizeof sql, "CREATE ROLE %s LOGIN PASSWORD 'pw' IN ROLE wowkiosk_fleet", role);
    shared_exec(&f->db, sql);
    snprintf(conninfo, sizeof conninfo, "%s user=%s password=pw", f->db.admin, role);
    snprintf(other_store, sizeof other_store, "%s/other.db", f->db.dir);
    store_fill(other_store, "other", 30, T0_UTC_MS, 60 * 1000, 13);
    int64_t now = 0;
    struct sync_engine *e = engine_for(f, other_store, "other"); /* as the owner */
    sync_until_idle(e, &now, 5);
    sync_engine_destroy(e);

    store_fill(f->store, id, 40, T0_UTC_MS, 60 * 1000, 14);
    struct sync_settings s;
    test_settings(&s, conninfo, f->store, id);
    e = sync_engine_create(&s, -1);
    sync_until_idle(e, &now, 5); /* its own rows: allowed */
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, id);

    PGconn *c = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    assert_role_sql(c, "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user",
                    "", "f");
    assert_role_sql(c,
                    "SELECT tableowner = current_user FROM pg_tables WHERE tablename = "
                    "'tap_counts'",
                    "", "f");
    assert_role_sql(c, "SELECT count(*) FROM tap_counts WHERE kiosk_id = 'other'", "", "0");
    assert_role_sql(c, "SELECT count(*) FROM reason_counts WHERE kiosk_id = 'other'", "", "0");
    assert_role_sql(c, "SELECT count(*) FROM kiosks", "", "1");
    assert_role_sql(c, "SELECT count(DISTINCT kiosk_id) FROM tap_counts", "", "1");
    assert_role_sql(
        c, "INSERT INTO tap_counts VALUES ('other', 'x', 0, 'front', 1, 0, 0, 0, 0, 0, 0, 0)",
        "42501", NULL);
    assert_role_sql(c, "UPDATE tap_counts SET rating_1 = rating_1 + 100 WHERE kiosk_id = 'other'",
                    "", "0");
    assert_role_sql(c, "UPDATE kiosks SET last_error = 'x' WHERE kiosk_id = 'other'", "", "0");
    /* moving its rows to another kiosk: refused by the key rule (schema step 6),
       which runs before row-level security's check would (42501) */
    assert_role_sql(c, "UPDATE tap_counts SET kiosk_id = 'other'", "23514", NULL);
    assert_role_sql(c, "DELETE FROM tap_counts", "42501", NULL);
    lowering_refused_as_kiosk(c, id);
    snprintf(sql, sizeof sql,
             "UPDATE tap_counts SET rating_2 = rating_2 + 1 WHERE kiosk_id = '%s'"
             " AND bucket_start_ms < 0",
             id);
    assert_role_sql(c, sql, "", "0"); /* growing stays allowed (it is the merge) */

    /* the change stamp is the database's (schema step 10): the kiosk's rows
       carry one, and the role can neither insert nor update synced_ms */
    assert_role_sql(c, "SELECT count(*) FROM tap_counts WHERE synced_ms <= 0", "", "0");
    assert_role_sql(c, "SELECT count(*) FROM reason_counts WHERE synced_ms <= 0", "", "0");
    snprintf(sql, sizeof sql,
             "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department, rating_1,"
             " rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4, synced_ms)"
             " VALUES ('%s', 'x', -1, 'front', 1, 0, 0, 0, 0, 0, 0, 0, 1)",
             id);
    assert_role_sql(c, sql, "42501", NULL);
    snprintf(sql, sizeof sql, "UPDATE reason_counts SET synced_ms = 1 WHERE kiosk_id = '%s'", id);
    assert_role_sql(c, sql, "42501", NULL);
    /* an update that changes nothing is still stamped anew, by the database */
    snprintf(sql, sizeof sql,
             "WITH u AS (UPDATE tap_counts SET rating_1 = rating_1 WHERE kiosk_id = '%s'"
             " RETURNING synced_ms) SELECT count(*) FROM u WHERE synced_ms <"
             " (extract(epoch FROM statement_timestamp()) * 1000)::bigint",
             id);
    assert_role_sql(c, sql, "", "0");
    assert_role_sql(c, "CREATE TABLE mine(x int)", "42501", NULL);
    test_bounds_as_kiosk(c, id);
    test_cursors_as_kiosk(c, id);
    test_comments_as_kiosk(c, id);
    test_per_statement_as_kiosk(c, id); /* last: it adds rows of its own */
    PQfinish(c);
    assert_synced(&f->db, other_store, "other"); /* untouched */

    /* a store made for another kiosk, pushed with this role: refused,
       logged, and kept for later; never marked as sent */
    char foreign[160];
    snprintf(foreign, sizeof foreign, "%s/foreign.db", f->db.dir);
    store_fill(foreign, "other", 10, T0_UTC_MS, 60 * 1000, 15);
    int64_t backlog = sync_local_backlog(foreign);
    test_settings(&s, conninfo, foreign, id);
    e = sync_engine_create(&s, -1);
    sync_engine_step(e, now, T0_UTC_MS + now);
    struct sync_status st;
    sync_engine_status(e, &st);
    sync_engine_destroy(e);
    assert_int_equal(st.state, SYNC_STATE_FAILING);
    assert_non_null(strstr(st.last_error, "row-level security"));
    assert_non_null(strstr(st.last_error, "INSERT INTO tap_counts"));
    assert_int_equal(sync_local_backlog(foreign), backlog);
    /* the heartbeat alone got through and says why */
    snprintf(sql, sizeof sql, "SELECT last_error FROM kiosks WHERE kiosk_id = '%s'", id);
    char *why = shared_query(&f->db, sql);
    assert_non_null(strstr(why, "new row violates row-level security policy"));
    free(why);
    snprintf(sql, sizeof sql, "DROP OWNED BY %s; DROP ROLE %s", role, role);
    shared_exec(&f->db, sql);
}

/* Starts the fixture's fault proxy; target becomes a conninfo through it. */
static void proxy_for(struct fixture *f, char *target, size_t size)
{
    proxy_start(&f->proxy, f->db.dir);
    snprintf(target, size, "host=127.0.0.1 port=%d user=postgres dbname=%s sslmode=disable",
             f->proxy.port, f->db.dbname);
}

static int64_t real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static bool wait_status(struct sync_thread *t, int64_t rounds_ok, struct sync_status *st)
{
    for (int64_t until = real_ms() + 15000; real_ms() < until; sleep_ms(20))
        if (sync_thread_status(t, st) && st->rounds_ok >= rounds_ok && st->backlog == 0)
            return true;
    return false;
}

/* Regression: "sync now" on the technician screen did nothing until the
 * interval had passed; the thread's loop kept its own stale due time after a
 * request.  With an hour's interval, a request must run a round at once. */
static void test_thread_request_runs_a_round_now(void **state)
{
    struct fixture *f = *state;
    store_fill(f->store, "k1", 30, T0_UTC_MS, 60 * 1000, 21);
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    s.interval_ms = 3600 * 1000;
    int64_t offset = 0;
    struct clock clock = clock_system(&offset, CLOCK_NO_START);
    struct sync_thread *t = sync_thread_start(&s, &clock);
    assert_non_null(t);
    struct sync_status st;
    assert_true(wait_status(t, 1, &st));
    store_fill(f->store, "k1", 20, T0_UTC_MS + 3600000, 60 * 1000, 22);
    sleep_ms(300);
    assert_true(sync_thread_status(t, &st));
    assert_int_equal(st.rounds_ok, 1); /* nothing runs on its own within the hour */
    sync_thread_request(t);
    assert_true(wait_status(t, 2, &st));
    sync_thread_stop(t);
    assert_synced(&f->db, f->store, "k1");
}

/* The sync thread against a database that stops answering mid-push: the
 * render thread's status reads never wait, stop is immediate, and the
 * rows arrive once the database answers again. */
static void test_thread_never_blocks(void **state)
{
    struct fixture *f = *state;
    struct proxy *proxy = &f->proxy;
    char target[256];
    proxy_for(f, target, sizeof target);
    store_fill(f->store, "k1", 100, T0_UTC_MS, 60 * 1000, 16);
    struct sync_settings s;
    test_settings(&s, target, f->store, "k1");
    s.push_timeout_ms = 30000;
    int64_t offset = 0;
    struct clock clock = clock_system(&offset, CLOCK_NO_START);
    struct sync_thread *t = sync_thread_start(&s, &clock);
    assert_non_null(t);
    struct sync_status st;
    assert_true(wait_status(t, 1, &st));

    proxy_command(proxy, "stall");
    store_fill(f->store, "k1", 50, T0_UTC_MS + 3600000, 60 * 1000, 17);
    sync_thread_request(t);
    sleep_ms(300); /* the push is now waiting on a silent socket */
    int64_t worst = 0;
    for (int i = 0; i < 2000; i++) {
        int64_t start = real_ms();
        sync_thread_status(t, &st);
        worst = real_ms() - start > worst ? real_ms() - start : worst;
    }
    assert_true(worst <= 2);
    int64_t start = real_ms();
    sync_thread_stop(t);
    int64_t stop_ms = real_ms() - start;
    print_message("status read worst %lld ms; stop during a stalled push took %lld ms\n",
                  (long long)worst, (long long)stop_ms);
    assert_true(stop_ms < 1000);

    proxy_command(proxy, "pass");
    proxy_command(proxy, "cut");
    t = sync_thread_start(&s, &clock);
    assert_true(wait_status(t, 1, &st));
    sync_thread_stop(t);
    assert_synced(&f->db, f->store, "k1");
}

/* SQLSTATE handling, with faults injected by a trigger on the test
 * database (the shared schema itself has none): 40001 is retried at once
 * within the round; any other error waits for the back-off, logged with
 * its statement. nextval() survives the rollback, so it counts attempts. */
static void test_sqlstate_retry_and_backoff(void **state)
{
    struct fixture *f = *state;
    shared_exec(
        &f->db,
        "CREATE SEQUENCE fault_n; CREATE TABLE fault_code(code text);"
        "INSERT INTO fault_code VALUES ('40001');"
        "CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        "  IF nextval('fault_n') <= 2 THEN"
        "    RAISE EXCEPTION 'injected fault' USING ERRCODE = (SELECT code FROM fault_code);"
        "  END IF; RETURN NEW; END $$;"
        "CREATE TRIGGER fault BEFORE INSERT ON kiosks FOR EACH ROW EXECUTE FUNCTION fault()");
    store_fill(f->store, "k1", 30, T0_UTC_MS, 60 * 1000, 19);
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_engine_step(e, 0, T0_UTC_MS);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.state, SYNC_STATE_OK); /* two serialization failures, then through */
    assert_int_equal(st.rounds_failed, 0);
    assert_int_equal(st.connect_attempts, 3);
    assert_synced(&f->db, f->store, "k1");

    /* P0001, not a refusal of the heartbeat's values (class 22 or 23, sent
       again bare: test_heartbeat_refused_counts_go_on) */
    shared_exec(&f->db, "SELECT setval('fault_n', 1, false); UPDATE fault_code SET code = 'P0001'");
    store_fill(f->store, "k1", 5, T0_UTC_MS, 60 * 1000, 20);
    int64_t due = sync_engine_step(e, 60000, T0_UTC_MS + 60000);
    sync_engine_status(e, &st);
    assert_int_equal(st.state, SYNC_STATE_FAILING);
    /* the push once, then the heartbeat alone (to report the error): both
       met the trigger; no immediate retry of the push */
    char *tries = shared_query(&f->db, "SELECT last_value FROM fault_n");
    assert_string_equal(tries, "2\n");
    free(tries);
    assert_true(due >= 60000 + 1000);
    assert_non_null(strstr(st.last_error, "SQLSTATE P0001"));
    assert_non_null(strstr(st.last_error, "injected fault"));
    assert_non_null(strstr(st.last_error, "(statement: INSERT INTO kiosks"));
    sync_until_idle(e, &due, 5);
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
}

static void *commit_later(void *conn)
{
    struct timespec pause = {0, 300 * 1000 * 1000};
    nanosleep(&pause, NULL);
    PQclear(PQexec(conn, "COMMIT"));
    return NULL;
}

/* The department of the store's count row in bucket, found in its dump
 * ("c|department|bucket|..." lines). */
static void department_in_bucket(const char *store, int64_t bucket, char *out, size_t size)
{
    char *dump = local_dump(store), *line = dump, want[32];
    snprintf(want, sizeof want, "|%lld|", (long long)bucket);
    out[0] = '\0';
    for (char *end; line && *line; line = end ? end + 1 : NULL) {
        end = strchr(line, '\n');
        char *at = strstr(line, want);
        if (!strncmp(line, "c|", 2) && at && (!end || at < end)) {
            snprintf(out, size, "%.*s", (int)(at - line - 2), line + 2);
            break;
        }
    }
    free(dump);
    assert_true(out[0] != '\0');
}

/* A key the plain half of a backlog's statement inserts (after the newest
 * bucket) is committed meanwhile by another transaction of the same
 * incarnation, as a push left running by a lost connection would: the
 * insert fails with 23505, and the push is retried at once, in the same
 * round, and merges that row. */
static void test_backlog_key_committed_meanwhile(void **state)
{
    struct fixture *f = *state;
    int64_t now = 0;
    store_fill(f->store, "k1", 30, T0_UTC_MS, 60 * 1000, 23);
    struct sync_engine *e = engine_for(f, f->store, "k1");
    sync_until_idle(e, &now, 5);
    int64_t bucket = (T0_UTC_MS + 100 * BUCKET_MS) / BUCKET_MS * BUCKET_MS;
    store_fill(f->store, "k1", 400, bucket, BUCKET_MS, 24);
    char incarnation[40], department[32], sql[512];
    store_incarnation_of(f->store, incarnation);
    department_in_bucket(f->store, bucket, department, sizeof department);

    PGconn *other = PQconnectdb(f->db.admin);
    assert_int_equal(PQstatus(other), CONNECTION_OK);
    snprintf(sql, sizeof sql,
             "BEGIN; INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"
             " rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4)"
             " VALUES ('k1', '%s', %lld, '%s', 0, 0, 0, 0, 0, 0, 0, 0)",
             incarnation, (long long)bucket, department);
    PGresult *res = PQexec(other, sql);
    assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    pthread_t committer;
    assert_int_equal(pthread_create(&committer, NULL, commit_later, other), 0);
    sync_engine_request(e);
    sync_engine_step(e, now, T0_UTC_MS + now); /* waits for that row's transaction */
    pthread_join(committer, NULL);
    PQfinish(other);
    struct sync_status st;
    sync_engine_status(e, &st);
    assert_int_equal(st.state, SYNC_STATE_OK);
    assert_int_equal(st.rounds_failed, 0);
    assert_int_equal(st.backlog, 0);
    assert_int_equal(st.connect_attempts, 2); /* the failed push's connection was dropped */
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
}

/* Connections cut in the middle of a large push, and a slow link: the
 * totals are still exact. */
static void test_cut_mid_push(void **state)
{
    struct fixture *f = *state;
    struct proxy *proxy = &f->proxy;
    char target[256];
    proxy_for(f, target, sizeof target);
    store_fill(f->store, "k1", 3000, T0_UTC_MS, 30 * 1000, 18);
    struct sync_settings s;
    test_settings(&s, target, f->store, "k1");
    struct sync_engine *e = sync_engine_create(&s, -1);
    int64_t now = 0;
    struct sync_status st;
    proxy_command(proxy, "cut_after 30000"); /* inside the first push's arrays */
    for (int i = 0; i < 3; i++) {
        now = sync_engine_step(e, now, T0_UTC_MS + now);
        sync_engine_status(e, &st);
        assert_int_equal(st.state, SYNC_STATE_FAILING);
    }
    assert_int_equal(st.rows_sent, 0);
    proxy_command(proxy, "pass");
    proxy_command(proxy, "delay 100");
    sync_until_idle(e, &now, 10);
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
}

/* A backlog's next batch goes out before the answer to the one before it
 * is read: connections cut while both are on their way lose nothing and
 * count nothing twice, and once the link holds, batches go ahead again. */
static void test_backlog_sent_ahead_cut(void **state)
{
    struct fixture *f = *state;
    char target[256];
    proxy_for(f, target, sizeof target);
    store_fill(f->store, "k1", 3000, T0_UTC_MS, 30 * 1000, 19);
    struct sync_settings s;
    test_settings(&s, target, f->store, "k1");
    s.batch_rows = 400;
    struct sync_engine *e = sync_engine_create(&s, -1);
    int64_t now = 0;
    struct sync_status st;
    proxy_command(&f->proxy, "cut_after 60000"); /* inside the second or third push */
    for (int i = 0; i < 6; i++)
        now = sync_engine_step(e, now, T0_UTC_MS + now);
    sync_engine_status(e, &st);
    assert_true(st.rounds_failed > 0);
    assert_true(st.pushes_ahead > 0);
    int64_t ahead = st.pushes_ahead;
    proxy_command(&f->proxy, "pass");
    sync_until_idle(e, &now, 40);
    sync_engine_status(e, &st);
    assert_int_equal(st.backlog, 0);
    assert_true(st.pushes_ahead > ahead);
    sync_engine_destroy(e);
    assert_synced(&f->db, f->store, "k1");
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "postgres") && strcmp(argv[1], "sqlite"))) {
        fprintf(stderr, "usage: test_sync postgres|sqlite\n");
        return 2;
    }
    use_postgres = strcmp(argv[1], "postgres") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_normal_sync, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backlog_in_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_resend_and_out_of_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_between_push_and_mark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_kiosks_two_incarnations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_target_switched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_database_restored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_stuck, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_round_and_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outage_7_days, setup, teardown),
        cmocka_unit_test_setup_teardown(test_store_unreadable_heartbeat, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_alone_keeps_incarnation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_carries_kiosk_problem, setup, teardown),
        cmocka_unit_test_setup_teardown(test_heartbeat_refused_counts_go_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_reason_merge, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_request_runs_a_round_now, setup, teardown),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test_setup_teardown(test_network_fs_refused, setup, teardown),
    };
    const struct CMUnitTest postgres_only[] = {
        cmocka_unit_test_setup_teardown(test_row_level_security, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_never_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cut_mid_push, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backlog_sent_ahead_cut, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sqlstate_retry_and_backoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backlog_across_newest_bucket, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backlog_key_committed_meanwhile, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
    if (use_postgres)
        failed += cmocka_run_group_tests_name("postgres only", postgres_only, NULL, NULL);
    else
        failed += cmocka_run_group_tests_name("sqlite only", sqlite_only, NULL, NULL);
    return failed;
}
