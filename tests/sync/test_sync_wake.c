/*
 * test_sync_wake: a committed tap wakes the real sync thread (sync.h's
 * sync_thread_committed) at the default 60 s interval, against the backend
 * chosen by argv[1] ("postgres" or "sqlite"): a tap reaches the shared
 * database within about a second, a rush of taps goes out as one round,
 * and an idle kiosk makes no more rounds than its interval asks for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "clock.h"
#include "sync.h"
#include "sync_test_util.h"

static bool use_postgres;

struct fixture {
    struct shared_db db;
    char store[128];
    int64_t clock_offset;
    struct clock clock;
    struct sync_thread *thread;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    shared_db_create(&f->db, use_postgres, "sync_wake");
    snprintf(f->store, sizeof f->store, "%s/kiosk.db", f->db.dir);
    f->clock = clock_system(&f->clock_offset, CLOCK_NO_START);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sync_thread_stop(f->thread);
    shared_db_destroy(&f->db);
    free(f);
    return 0;
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

static struct sync_status status_of(struct fixture *f)
{
    struct sync_status st;
    while (!sync_thread_status(f->thread, &st))
        sleep_ms(1);
    return st;
}

/* Starts the thread at interval_ms on a store with a few taps and waits
 * for its first round; then lets SYNC_WAKE_MIN_GAP_MS pass, as a kiosk's
 * first customer after start-up would. */
static void start(struct fixture *f, int64_t interval_ms)
{
    store_fill(f->store, "k1", 10, T0_UTC_MS, 60 * 1000, 1);
    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    s.interval_ms = interval_ms;
    f->thread = sync_thread_start(&s, &f->clock);
    assert_non_null(f->thread);
    int64_t until = real_ms() + 15000;
    while (status_of(f).rounds_ok < 1 && real_ms() < until)
        sleep_ms(10);
    assert_int_equal(status_of(f).rounds_ok, 1);
    sleep_ms(SYNC_WAKE_MIN_GAP_MS);
}

/* One tap committed and announced, as the kiosk's loop does. */
static void tap(struct fixture *f, int i)
{
    store_fill(f->store, "k1", 1, T0_UTC_MS + 3600000 + i * 1000LL, 1000, 100 + (unsigned)i);
    sync_thread_committed(f->thread);
}

/* At the default interval a tap is in the shared database within about a
 * second (the debounce is half of it), in one round. */
static void test_tap_reaches_database_in_a_second(void **state)
{
    struct fixture *f = *state;
    start(f, 60 * 1000);
    long long before = shared_total(&f->db);
    int64_t t0 = real_ms();
    tap(f, 0);
    while (shared_total(&f->db) == before && real_ms() - t0 < 10000)
        sleep_ms(20);
    int64_t took = real_ms() - t0;
    printf("# tap to shared database: %lld ms\n", (long long)took);
    assert_true(shared_total(&f->db) == before + 1);
    assert_true(took < 1500);
    /* the round publishes its status after its commit is visible */
    for (int64_t until = real_ms() + 2000; status_of(f).rounds_ok < 2 && real_ms() < until;)
        sleep_ms(10);
    assert_int_equal(status_of(f).rounds_ok, 2);
}

/* Twenty taps in a rush (faster than the debounce) are one round. */
static void test_rush_is_one_round(void **state)
{
    struct fixture *f = *state;
    start(f, 60 * 1000);
    long long before = shared_total(&f->db);
    /* the commits first, then their twenty announcements 10 ms apart: a
       store's synchronous commits can take longer than the debounce on a
       loaded machine (ASan), and a rush slower than the debounce is two
       rounds by design */
    for (int i = 0; i < 20; i++)
        store_fill(f->store, "k1", 1, T0_UTC_MS + 3600000 + i * 1000LL, 1000, 100 + (unsigned)i);
    for (int i = 0; i < 20; i++) { /* over ~200 ms, well inside the debounce */
        sync_thread_committed(f->thread);
        sleep_ms(10);
    }
    sleep_ms(SYNC_WAKE_DEBOUNCE_MS + SYNC_WAKE_MIN_GAP_MS + 500); /* past a second round's time */
    struct sync_status st = status_of(f);
    assert_int_equal(st.rounds_ok, 2);
    assert_int_equal(st.backlog, 0);
    assert_true(shared_total(&f->db) == before + 20);
}

/* Idle: no round beyond the interval's, at 60 s (none in 3 s) and at 1 s
 * (one a second). */
static void test_idle_rounds_per_interval(void **state)
{
    struct fixture *f = *state;
    start(f, 60 * 1000);
    sleep_ms(3000);
    assert_int_equal(status_of(f).rounds_ok, 1);
    sync_thread_stop(f->thread);
    f->thread = NULL;

    struct sync_settings s;
    test_settings(&s, f->db.target, f->store, "k1");
    s.interval_ms = 1000;
    f->thread = sync_thread_start(&s, &f->clock);
    assert_non_null(f->thread);
    sleep_ms(4500);
    struct sync_status st = status_of(f);
    printf("# idle rounds in 4.5 s at a 1 s interval: %lld\n", (long long)st.rounds_ok);
    assert_true(st.rounds_ok >= 3 && st.rounds_ok <= 5);
    assert_int_equal(st.last_round_rows, 0);
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "postgres") && strcmp(argv[1], "sqlite"))) {
        fprintf(stderr, "usage: test_sync_wake postgres|sqlite\n");
        return 2;
    }
    use_postgres = strcmp(argv[1], "postgres") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tap_reaches_database_in_a_second, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rush_is_one_round, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_rounds_per_interval, setup, teardown),
    };
    return cmocka_run_group_tests_name(argv[1], tests, NULL, NULL);
}
