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
    int stop_after;    /* 0: never stop */
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
       reason row (the shared tap_counts' misuse_skipped_neg) */
    assert_int_equal(seen.reasons, 1);
    assert_int_equal(seen.reason_sum, 1);
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
    int64_t count_n[8], ended[8];
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
 * its faces and the follow-ups that ended without a reason folded in. */
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
    assert_int_equal(store_record_followup(s, id[0], &chosen), 0);  /* zeta, b0 + 1 */
    assert_int_equal(store_record_followup(s, id[3], &chosen), 0);  /* alpha, b0 + 1 */
    assert_int_equal(store_record_followup(s, id[4], &chosen), 0);  /* zeta, b0 */
    assert_int_equal(store_record_followup(s, id[2], &skipped), 0); /* alpha, b0 */
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
    for (int i = 0; i < 4; i++) {
        assert_int_equal(o.count_bucket[i], want_bucket[i]);
        assert_string_equal(o.count_department[i], want_department[i]);
        assert_int_equal(o.count_n[i], want_n[i]);
        assert_int_equal(o.ended[i], want_ended[i]);
    }
    assert_int_equal(o.reasons, 3);
    const int64_t want_reason_bucket[3] = {b0, b0 + bucket, b0 + bucket};
    const char *const want_reason_department[3] = {"zeta", "alpha", "zeta"};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(o.reason_bucket[i], want_reason_bucket[i]);
        assert_string_equal(o.reason_department[i], want_reason_department[i]);
    }
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
        T(test_mark),
        T(test_missing_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
