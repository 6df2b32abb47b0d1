/*
 * test_store_changes: what a sync reads from the store and the mark it
 * records (store_changes.h): meta, the rows changed in a seq range with
 * their typed words, the row limit, the backlog, and a mark that follows
 * the incarnation and never goes back.  Real SQLite files in a temp dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store_changes.h"
#include "store_test_util.h"

/* What the handlers saw. */
struct seen {
    int counts, reasons;
    int64_t count_sum, reason_sum;
    int chosen, skipped, positive;
    int64_t ended_sum; /* follow-ups that ended without a reason, in the count rows */
    int firsts;        /* first reasons in the count rows */
    int64_t first_sum;
    int stop_after; /* 0: never stop */
};

static bool handle_count(void *ctx, const struct store_count_change *row)
{
    struct seen *seen = ctx;
    seen->counts++;
    for (int i = 0; i < STORE_CHANGES_COUNT_COLUMNS; i++)
        seen->count_sum += row->n[i];
    /* a negative follow-up of a misuse tap, skipped: (misuse 4) + (negative 1) */
    seen->skipped += (int)row->ended[5];
    for (int i = 0; i < STORE_CHANGES_END_COLUMNS; i++)
        seen->ended_sum += row->ended[i];
    for (int i = 0; i < STORE_CHANGES_FIRST_REASONS; i++) {
        assert_true((row->first_n[i] > 0) == (row->first_reason[i][0] != '\0'));
        seen->firsts += row->first_n[i] > 0;
        seen->first_sum += row->first_n[i];
        seen->chosen += strcmp(row->first_reason[i], "fast") == 0;
        seen->positive += row->first_n[i] > 0 && i % 2 == 0; /* index 0, 2: positive */
    }
    return seen->stop_after == 0 || seen->counts < seen->stop_after;
}

static bool handle_reason(void *ctx, const struct store_reason_change *row)
{
    struct seen *seen = ctx;
    seen->reasons++;
    seen->reason_sum += row->n;
    seen->chosen += row->ended_by == STORE_FOLLOWUP_CHOSEN && strcmp(row->reason, "fast") == 0;
    seen->skipped += row->ended_by != STORE_FOLLOWUP_CHOSEN; /* never: they are counts */
    seen->positive += row->question == STORE_QUESTION_POSITIVE;
    return true;
}

/* Three taps in two departments, two follow-ups: seq 1..5. */
static void fill(const struct test_dir *t)
{
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct store_tap taps[] = {{TEST_NOW_MS, "front", 4, false},
                               {TEST_NOW_MS + 1, "front", 1, true},
                               {TEST_NOW_MS + 2, "it", 3, false}};
    int64_t id[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_record_tap(s, &taps[i], &id[i]), 0);
    struct store_followup chosen = {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_CHOSEN};
    struct store_followup skipped = {STORE_QUESTION_NEGATIVE, NULL, STORE_FOLLOWUP_SKIPPED};
    assert_int_equal(store_record_followup(s, id[0], &chosen), 0);
    assert_int_equal(store_record_followup(s, id[1], &skipped), 0);
    store_close(s);
}

static void test_read_a_range(void **state)
{
    const struct test_dir *t = *state;
    fill(t);
    char error[256] = "";
    struct store_changes *c;
    assert_int_equal(store_changes_open(&c, t->db_path, error, sizeof error), 0);
    struct store_changes_meta meta;
    assert_int_equal(store_changes_begin(c, &meta), 0);
    assert_string_equal(meta.kiosk_id, "kiosk-1");
    assert_int_equal(strlen(meta.incarnation), 32);
    assert_int_equal(meta.synced_seq, 0);
    assert_int_equal(meta.seq, 5);

    struct seen seen = {0};
    struct store_changes_handlers h = {handle_count, handle_reason, &seen};
    assert_int_equal(store_changes_read(c, 0, meta.seq, &h), 0);
    assert_int_equal(seen.counts, 2); /* (front, bucket), (it, bucket): faces pivoted */
    assert_int_equal(seen.count_sum, 3);
    /* the skipped follow-up comes as a count of front's row, not as a
       reason row (the shared tap_counts' misuse_skipped_neg), and so does
       the chosen one, its question's first (first_reason_pos) */
    assert_int_equal(seen.reasons, 0);
    assert_int_equal(seen.firsts, 1);
    assert_int_equal(seen.first_sum, 1);
    assert_int_equal(seen.chosen, 1);
    assert_int_equal(seen.skipped, 1);
    assert_int_equal(seen.ended_sum, 1);
    assert_int_equal(seen.positive, 1);

    /* a range holding only the skipped follow-up (seq 5) brings front's
       row along, faces and all */
    seen = (struct seen){0};
    assert_int_equal(store_changes_read(c, 4, 5, &h), 0);
    assert_int_equal(seen.counts, 1);
    assert_int_equal(seen.count_sum, 2);
    assert_int_equal(seen.skipped, 1);
    assert_int_equal(seen.reasons, 0);

    /* a range holding the taps of seq 2..3 only brings front's faces along */
    seen = (struct seen){0};
    assert_int_equal(store_changes_read(c, 1, 3, &h), 0);
    assert_int_equal(seen.counts, 2);
    assert_int_equal(seen.count_sum, 3);
    assert_int_equal(seen.reasons, 0);

    int64_t upper = meta.seq, backlog = -1;
    assert_int_equal(store_changes_limit(c, 0, 2, &upper), 0);
    assert_int_equal(upper, 2); /* the second row waiting */
    upper = meta.seq;
    assert_int_equal(store_changes_limit(c, 0, 100, &upper), 0);
    assert_int_equal(upper, meta.seq); /* fewer waiting: left as it was */
    assert_int_equal(store_changes_backlog(c, 0, &backlog), 0);
    assert_int_equal(backlog, 5); /* 3 count rows, 2 reason rows */
    assert_int_equal(store_changes_backlog(c, 3, &backlog), 0);
    assert_int_equal(backlog, 2);
    assert_int_equal(store_changes_count(c, 0, 3, &backlog), 0);
    assert_int_equal(backlog, 3); /* the three count rows */
    assert_int_equal(store_changes_count(c, 1, 4, &backlog), 0);
    assert_int_equal(backlog, 3); /* two count rows, a reason row */
    assert_int_equal(store_changes_count(c, 5, 5, &backlog), 0);
    assert_int_equal(backlog, 0);
    store_changes_end(c);

    /* a reader that stops makes the read fail, and says so */
    seen = (struct seen){.stop_after = 1};
    assert_int_equal(store_changes_read(c, 0, meta.seq, &h), -1);
    assert_non_null(strstr(error, "stopped by the reader"));
    store_changes_close(c);
}

/* The rows in the order they were handed over. */
struct order {
    int64_t count_bucket[8], reason_bucket[8];
    char count_department[8][16], reason_department[8][16];
    int64_t count_n[8], ended[8], first_n[8];
    int counts, reasons;
};

static bool order_count(void *ctx, const struct store_count_change *row)
{
    struct order *o = ctx;
    assert_true(o->counts < 8);
    o->count_bucket[o->counts] = row->bucket_start_ms;
    snprintf(o->count_department[o->counts], sizeof o->count_department[0], "%s", row->department);
    for (int i = 0; i < STORE_CHANGES_COUNT_COLUMNS; i++)
        o->count_n[o->counts] += row->n[i];
    for (int i = 0; i < STORE_CHANGES_END_COLUMNS; i++)
        o->ended[o->counts] += row->ended[i];
    for (int i = 0; i < STORE_CHANGES_FIRST_REASONS; i++)
        o->first_n[o->counts] += row->first_n[i];
    o->counts++;
    return true;
}

static bool order_reason(void *ctx, const struct store_reason_change *row)
{
    struct order *o = ctx;
    assert_true(o->reasons < 8);
    o->reason_bucket[o->reasons] = row->bucket_start_ms;
    snprintf(o->reason_department[o->reasons], sizeof o->reason_department[0], "%s",
             row->department);
    o->reasons++;
    return true;
}

/* Rows written out of order (a later bucket first, departments against
 * the alphabet, a follow-up after the next bucket's taps) come in bucket
 * then department order, one count row per (department, bucket) with
 * its faces, the follow-ups that ended without a reason and each
 * question's first reason folded in; the later reasons as reason rows. */
static void test_read_order(void **state)
{
    const struct test_dir *t = *state;
    const int64_t bucket = 15 * 60 * 1000, b0 = TEST_NOW_MS - TEST_NOW_MS % bucket;
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct store_tap taps[] = {
        {b0 + bucket + 5, "zeta", 4, false}, {b0 + 1, "zeta", 2, false},
        {b0 + 2, "alpha", 1, false},         {b0 + bucket + 6, "alpha", 3, false},
        {b0 + 3, "zeta", 4, false},          {b0 + bucket + 7, "zeta", 1, false}};
    int64_t id[6];
    for (int i = 0; i < 6; i++)
        assert_int_equal(store_record_tap(s, &taps[i], &id[i]), 0);
    struct store_followup chosen = {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_CHOSEN};
    struct store_followup skipped = {STORE_QUESTION_NEGATIVE, NULL, STORE_FOLLOWUP_SKIPPED};
    struct store_followup later = {STORE_QUESTION_POSITIVE, "friendly", STORE_FOLLOWUP_CHOSEN};
    assert_int_equal(store_record_followup(s, id[0], &chosen), 0);  /* zeta, b0 + 1 */
    assert_int_equal(store_record_followup(s, id[3], &chosen), 0);  /* alpha, b0 + 1 */
    assert_int_equal(store_record_followup(s, id[4], &chosen), 0);  /* zeta, b0 */
    assert_int_equal(store_record_followup(s, id[2], &skipped), 0); /* alpha, b0 */
    assert_int_equal(store_record_followup(s, id[5], &later), 0);   /* zeta, b0 + 1 */
    assert_int_equal(store_record_followup(s, id[1], &later), 0);   /* zeta, b0 */
    store_close(s);

    char error[256] = "";
    struct store_changes *c;
    assert_int_equal(store_changes_open(&c, t->db_path, error, sizeof error), 0);
    struct store_changes_meta meta;
    assert_int_equal(store_changes_begin(c, &meta), 0);
    struct order o = {0};
    struct store_changes_handlers h = {order_count, order_reason, &o};
    assert_int_equal(store_changes_read(c, 0, meta.seq, &h), 0);
    store_changes_end(c);
    store_changes_close(c);

    assert_int_equal(o.counts, 4);
    const int64_t want_bucket[4] = {b0, b0, b0 + bucket, b0 + bucket};
    const char *const want_department[4] = {"alpha", "zeta", "alpha", "zeta"};
    const int64_t want_n[4] = {1, 2, 1, 2}, want_ended[4] = {1, 0, 0, 0};
    const int64_t want_first[4] = {0, 1, 1, 1};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(o.count_bucket[i], want_bucket[i]);
        assert_string_equal(o.count_department[i], want_department[i]);
        assert_int_equal(o.count_n[i], want_n[i]);
        assert_int_equal(o.ended[i], want_ended[i]);
        assert_int_equal(o.first_n[i], want_first[i]);
    }
    assert_int_equal(o.reasons, 2);
    const int64_t want_reason_bucket[2] = {b0, b0 + bucket};
    const char *const want_reason_department[2] = {"zeta", "zeta"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(o.reason_bucket[i], want_reason_bucket[i]);
        assert_string_equal(o.reason_department[i], want_reason_department[i]);
    }
}

/* What one count row of front carried, and the reason rows beside it. */
struct firsts {
    char first[STORE_CHANGES_FIRST_REASONS][16];
    int64_t first_n[STORE_CHANGES_FIRST_REASONS];
    char reason[4][16];
    int64_t reason_n[4];
    int counts, reasons;
};

static bool firsts_count(void *ctx, const struct store_count_change *row)
{
    struct firsts *f = ctx;
    f->counts++;
    for (int i = 0; i < STORE_CHANGES_FIRST_REASONS; i++) {
        snprintf(f->first[i], sizeof f->first[i], "%s", row->first_reason[i]);
        f->first_n[i] = row->first_n[i];
    }
    return true;
}

static bool firsts_reason(void *ctx, const struct store_reason_change *row)
{
    struct firsts *f = ctx;
    assert_true(f->reasons < 4);
    snprintf(f->reason[f->reasons], sizeof f->reason[0], "%s", row->reason);
    f->reason_n[f->reasons++] = row->n;
    return true;
}

static struct firsts read_firsts(const struct test_dir *t, int64_t after_seq)
{
    char error[256] = "";
    struct store_changes *c;
    assert_int_equal(store_changes_open(&c, t->db_path, error, sizeof error), 0);
    struct store_changes_meta meta;
    assert_int_equal(store_changes_begin(c, &meta), 0);
    struct firsts f = {0};
    struct store_changes_handlers h = {firsts_count, firsts_reason, &f};
    assert_int_equal(store_changes_read(c, after_seq, meta.seq, &h), 0);
    store_changes_end(c);
    store_changes_close(c);
    return f;
}

/* A question's first chosen reason is the one chosen first, and stays
 * first as others come (one alphabetically before it, the first chosen
 * again): the shared column it fills must only grow.  The others are
 * reason rows; each question has its own first. */
static void test_first_reason_stays_first(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct store_tap tap = {TEST_NOW_MS, "front", 4, false};
    struct store_followup fast = {STORE_QUESTION_POSITIVE, "fast", STORE_FOLLOWUP_CHOSEN};
    struct store_followup alpha = {STORE_QUESTION_POSITIVE, "alpha", STORE_FOLLOWUP_CHOSEN};
    struct store_followup slow = {STORE_QUESTION_NEGATIVE, "slow", STORE_FOLLOWUP_CHOSEN};
    int64_t id[4];
    for (int i = 0; i < 4; i++) {
        tap.at_ms_utc = TEST_NOW_MS + i;
        assert_int_equal(store_record_tap(s, &tap, &id[i]), 0);
    }
    assert_int_equal(store_record_followup(s, id[0], &fast), 0); /* seq 5 */
    struct firsts f = read_firsts(t, 0);
    assert_int_equal(f.counts, 1);
    assert_string_equal(f.first[0], "fast");
    assert_int_equal(f.first_n[0], 1);
    assert_int_equal(f.reasons, 0);

    assert_int_equal(store_record_followup(s, id[1], &alpha), 0); /* seq 6 */
    assert_int_equal(store_record_followup(s, id[2], &fast), 0);  /* seq 7 */
    assert_int_equal(store_record_followup(s, id[3], &slow), 0);  /* seq 8 */
    f = read_firsts(t, 0);
    assert_string_equal(f.first[0], "fast");
    assert_int_equal(f.first_n[0], 2);
    assert_string_equal(f.first[1], "slow"); /* the negative question's own first */
    assert_int_equal(f.first_n[1], 1);
    assert_string_equal(f.first[2], "");
    assert_int_equal(f.first_n[2], 0);
    assert_int_equal(f.reasons, 1);
    assert_string_equal(f.reason[0], "alpha");
    assert_int_equal(f.reason_n[0], 1);

    /* only alpha's change in the range: front's row comes along, with
       fast still first */
    f = read_firsts(t, 5);
    assert_int_equal(f.counts, 1);
    assert_string_equal(f.first[0], "fast");
    store_close(s);
}

/* A store of version 3 (before first_seq): its reason rows count as made
 * before any later one, so a reason chosen after the update, even one
 * alphabetically before, never takes the first's place. */
static void test_first_reason_after_migration(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    struct store_tap tap = {TEST_NOW_MS, "front", 4, false};
    struct store_followup zeta = {STORE_QUESTION_POSITIVE, "zeta", STORE_FOLLOWUP_CHOSEN};
    struct store_followup alpha = {STORE_QUESTION_POSITIVE, "alpha", STORE_FOLLOWUP_CHOSEN};
    int64_t id;
    assert_int_equal(store_record_tap(s, &tap, &id), 0);
    assert_int_equal(store_record_followup(s, id, &zeta), 0);
    store_close(s);
    /* the file as version 3 made it: no first_seq (the statements of this
       version cannot write there, so it is undone by hand) */
    test_exec(t->db_path, "ALTER TABLE reason_counts DROP COLUMN first_seq;"
                          "UPDATE meta SET value = '3' WHERE key = 'schema_version'");
    s = test_open(t, &health);
    assert_int_equal(health.migrated_from, 3);
    tap.at_ms_utc++;
    assert_int_equal(store_record_tap(s, &tap, &id), 0);
    assert_int_equal(store_record_followup(s, id, &alpha), 0);
    struct firsts f = read_firsts(t, 0);
    assert_string_equal(f.first[0], "zeta");
    assert_int_equal(f.reasons, 1);
    assert_string_equal(f.reason[0], "alpha");
    store_close(s);
}

static void test_mark(void **state)
{
    const struct test_dir *t = *state;
    fill(t);
    char error[256] = "";
    struct store_changes *c;
    assert_int_equal(store_changes_open(&c, t->db_path, error, sizeof error), 0);
    struct store_changes_meta meta;
    assert_int_equal(store_changes_begin(c, &meta), 0);
    store_changes_end(c);
    const char *synced = "SELECT value FROM meta WHERE key = 'synced_seq'";

    assert_int_equal(store_changes_mark(c, "another-incarnation", 0, 4), 0);
    assert_int_equal(test_query_int(t->db_path, synced), 0); /* not this store's batch */
    assert_int_equal(store_changes_mark(c, meta.incarnation, 2, 4), 0);
    assert_int_equal(test_query_int(t->db_path, synced), 0); /* read from 2: not after 0 */
    assert_int_equal(store_changes_mark(c, meta.incarnation, 0, 4), 0);
    assert_int_equal(test_query_int(t->db_path, synced), 4);
    assert_int_equal(store_changes_mark(c, meta.incarnation, 4, 3), 0);
    assert_int_equal(test_query_int(t->db_path, synced), 4); /* never back */
    assert_int_equal(store_changes_mark(c, meta.incarnation, 0, 5), 0);
    assert_int_equal(test_query_int(t->db_path, synced), 4); /* a range before the last */
    int64_t backlog = -1;
    assert_int_equal(store_changes_begin(c, &meta), 0);
    assert_int_equal(meta.synced_seq, 4);
    assert_int_equal(store_changes_backlog(c, meta.synced_seq, &backlog), 0);
    assert_int_equal(backlog, 1);
    store_changes_end(c);
    store_changes_close(c);
}

static void test_missing_store(void **state)
{
    const struct test_dir *t = *state;
    char error[256] = "";
    struct store_changes *c = (struct store_changes *)&error; /* overwritten */
    assert_int_equal(store_changes_open(&c, t->db_path, error, sizeof error), -1);
    assert_null(c);
    assert_non_null(strstr(error, "cannot open the store"));
    assert_non_null(strstr(error, t->db_path));
    FILE *f = fopen(t->db_path, "r");
    assert_null(f); /* never creates one */
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_read_a_range),
        T(test_read_order),
        T(test_first_reason_stays_first),
        T(test_first_reason_after_migration),
        T(test_mark),
        T(test_missing_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
