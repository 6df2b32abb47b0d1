/*
 * test_sync_prefetch: the next batch of a backlog read on a thread while
 * one is pushed (sync_prefetch.h), and the check that decides whether the
 * round after may use it (sync_local_recheck): the batch read ahead is
 * the very batch a plain read gives once the push is recorded; it is
 * refused while the push is not recorded, and for a store made anew at
 * the same path; the catalog state a push kept meanwhile is read again; a
 * read that fails says why.  No shared database: the store alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sync_local.h"
#include "sync_prefetch.h"
#include "sync_test_util.h"

#define BATCH 40

struct fixture {
    char dir[64];
    char store[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wow-prefetch-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->store, sizeof f->store, "%s/kiosk.db", f->dir);
    store_fill(f->store, "k1", 300, T0_UTC_MS, 60 * 1000, 7);
    *state = f;
    return 0;
}

static void remove_store(const char *path)
{
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", path, suffix[i]);
        unlink(p);
    }
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    remove_store(f->store);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Everything a push sends of a batch, summed, to compare two reads. */
static int64_t batch_sum(const struct sync_local_batch *b)
{
    int64_t sum = (int64_t)b->count_n * 1000003 + (int64_t)b->reason_n * 7919 + b->upper_seq;
    for (size_t i = 0; i < b->count_n; i++) {
        sum += b->counts[i].bucket_start_ms / 60000 + (int64_t)strlen(b->counts[i].department);
        for (int c = 0; c < SYNC_COUNT_COLUMNS; c++)
            sum += b->counts[i].n[c] * (c + 1);
        for (int c = 0; c < SYNC_END_COLUMNS; c++)
            sum += b->counts[i].ended[c] * (c + 11);
    }
    for (size_t i = 0; i < b->reason_n; i++)
        sum += b->reasons[i].n * 13 + (int64_t)strlen(b->reasons[i].reason);
    return sum;
}

static void test_read_ahead_is_the_next_batch(void **state)
{
    struct fixture *f = *state;
    char error[512] = "";
    struct sync_local_batch first = {0}, ahead = {0}, plain = {0};
    assert_int_equal(sync_local_read(f->store, BATCH, &first, error, sizeof error), 0);
    assert_true(first.backlog_after > 0);
    struct sync_prefetch *p = sync_prefetch_start(f->store, BATCH, first.upper_seq);
    assert_non_null(p);
    assert_int_equal(sync_prefetch_take(p, &ahead, error, sizeof error), 0);
    assert_int_equal(ahead.synced_seq, first.upper_seq);
    assert_true(ahead.upper_seq > first.upper_seq);
    assert_true(ahead.count_n + ahead.reason_n > 0);
    /* the push of the first batch is not recorded yet: not usable */
    assert_int_equal(sync_local_recheck(f->store, &ahead, error, sizeof error), 0);
    assert_int_equal(sync_local_mark(f->store, &first, error, sizeof error), 0);
    assert_int_equal(sync_local_recheck(f->store, &ahead, error, sizeof error), 1);
    /* once recorded, a plain read gives the very same batch */
    assert_int_equal(sync_local_read(f->store, BATCH, &plain, error, sizeof error), 0);
    assert_int_equal(plain.synced_seq, ahead.synced_seq);
    assert_int_equal(plain.upper_seq, ahead.upper_seq);
    assert_int_equal(plain.backlog_after, ahead.backlog_after);
    assert_true(batch_sum(&plain) == batch_sum(&ahead));
    sync_local_batch_free(&first);
    sync_local_batch_free(&ahead);
    sync_local_batch_free(&plain);
}

static void test_refused_for_a_new_store(void **state)
{
    struct fixture *f = *state;
    char error[512] = "";
    struct sync_local_batch first = {0}, ahead = {0};
    assert_int_equal(sync_local_read(f->store, BATCH, &first, error, sizeof error), 0);
    struct sync_prefetch *p = sync_prefetch_start(f->store, BATCH, first.upper_seq);
    assert_int_equal(sync_prefetch_take(p, &ahead, error, sizeof error), 0);
    assert_int_equal(sync_local_mark(f->store, &first, error, sizeof error), 0);
    /* the store is replaced (moved aside as corrupt, a new SD card) and the
       new one happens to have recorded up to the same seq */
    remove_store(f->store);
    store_fill(f->store, "k1", 300, T0_UTC_MS, 60 * 1000, 8);
    struct sync_local_batch now = {0};
    assert_int_equal(sync_local_read(f->store, BATCH, &now, error, sizeof error), 0);
    assert_string_not_equal(now.incarnation, ahead.incarnation);
    now.upper_seq = ahead.synced_seq;
    assert_int_equal(sync_local_mark(f->store, &now, error, sizeof error), 0);
    assert_int_equal(sync_local_recheck(f->store, &ahead, error, sizeof error), 0);
    sync_local_batch_free(&first);
    sync_local_batch_free(&ahead);
    sync_local_batch_free(&now);
}

static void test_catalog_read_again(void **state)
{
    struct fixture *f = *state;
    char error[512] = "";
    struct sync_local_batch first = {0}, ahead = {0};
    assert_int_equal(sync_local_read(f->store, BATCH, &first, error, sizeof error), 0);
    assert_int_equal(first.catalog_latest, 0);
    struct sync_prefetch *p = sync_prefetch_start(f->store, BATCH, first.upper_seq);
    assert_int_equal(sync_prefetch_take(p, &ahead, error, sizeof error), 0);
    /* the first batch's push brought a catalog, kept before it is recorded */
    char body[] = "[kiosk]\n";
    struct sync_fetched fetched = {.version = 7, .body = body, .length = sizeof body - 1};
    assert_int_equal(sync_local_put_catalog(f->store, &fetched, T0_UTC_MS, error, sizeof error), 0);
    assert_int_equal(sync_local_mark(f->store, &first, error, sizeof error), 0);
    assert_int_equal(ahead.catalog_latest, 0);
    assert_int_equal(sync_local_recheck(f->store, &ahead, error, sizeof error), 1);
    assert_int_equal(ahead.catalog_latest, 7); /* not fetched (and kept) a second time */
    sync_local_batch_free(&first);
    sync_local_batch_free(&ahead);
}

static void test_failed_read_says_why(void **state)
{
    struct fixture *f = *state;
    char error[512] = "", missing[160];
    snprintf(missing, sizeof missing, "%s/none.db", f->dir);
    struct sync_local_batch batch = {0};
    struct sync_prefetch *p = sync_prefetch_start(missing, BATCH, 0);
    assert_non_null(p);
    assert_int_equal(sync_prefetch_take(p, &batch, error, sizeof error), -1);
    assert_non_null(strstr(error, missing));
    assert_int_equal(batch.count_n + batch.reason_n, 0);
    assert_int_equal(sync_prefetch_take(NULL, &batch, error, sizeof error), -1);
    sync_prefetch_cancel(sync_prefetch_start(f->store, BATCH, 0)); /* dropped unread */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_ahead_is_the_next_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_for_a_new_store, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_read_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_read_says_why, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
