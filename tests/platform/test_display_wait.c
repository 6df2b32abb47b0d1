/*
 * test_display_wait: display_wait() sleeps while nothing happens.
 *
 * A regression test for the busy wait of SDL 2.26's SDL_WaitEventTimeout
 * under video drivers without a native wait (dummy here, kmsdrm on the
 * kiosk): it polled every millisecond, ~1000 wake-ups and ~1 % of a core
 * per idle second.  Idle waits are measured in process CPU time and
 * voluntary context switches (one per sleep); the rest checks that
 * sleeping costs no promptness: queued events come back at once,
 * deadlines hold, a wait forever still returns, SIGTERM still quits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <SDL.h>

#include "fixture.h"

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(id, &ts), 0);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static long voluntary_switches(void)
{
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_nvcsw;
}

/* A display whose start-up events (window shown, exposed) are consumed. */
static struct display *quiet_display(void)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    SDL_FlushEvents(SDL_FIRSTEVENT, SDL_LASTEVENT);
    return d;
}

/* What one display_wait() cost. */
struct wait_cost {
    struct display_event ev;
    int64_t wall_ms, cpu_us;
    long switches;
};

static struct wait_cost measured_wait(struct display *d, int timeout_ms)
{
    struct wait_cost c;
    long sw0 = voluntary_switches();
    int64_t cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), wall0 = clock_ns(CLOCK_MONOTONIC);
    c.ev = display_wait(d, timeout_ms);
    c.wall_ms = (clock_ns(CLOCK_MONOTONIC) - wall0) / 1000000;
    c.cpu_us = (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu0) / 1000;
    c.switches = voluntary_switches() - sw0;
    return c;
}

/* The bug: a second of idle waiting cost ~10 ms of CPU in ~1000 wake-ups. */
static void test_idle_wait_sleeps(void **state)
{
    (void)state;
    struct display *d = quiet_display();
    struct wait_cost c = measured_wait(d, 1000);
    print_message("idle display_wait(1000): %lld ms, %lld us CPU, %ld voluntary switches\n",
                  (long long)c.wall_ms, (long long)c.cpu_us, c.switches);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_NONE);
    assert_in_range(c.wall_ms, 990, 1500);
    assert_true(c.cpu_us < 3000);
    assert_true(c.switches < 20);

    c = measured_wait(d, 300);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_NONE);
    assert_in_range(c.wall_ms, 290, 800);
    assert_true(c.cpu_us < 3000);
    display_destroy(d);
}

/* A press queued before the wait (as a script queues it) is not slept on. */
static void test_queued_press_returns_at_once(void **state)
{
    (void)state;
    struct display *d = quiet_display();
    display_inject(d, true, 123, 45);
    struct wait_cost c = measured_wait(d, 5000);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_PRESS);
    assert_int_equal(c.ev.x, 123);
    assert_int_equal(c.ev.y, 45);
    assert_true(c.wall_ms < 100);
    display_destroy(d);
}

/* Waiting forever still returns an event that is there. */
static void test_wait_forever_returns_event(void **state)
{
    (void)state;
    struct display *d = quiet_display();
    display_inject(d, true, 10, 20);
    display_inject(d, false, 10, 20);
    struct display_event ev = display_wait(d, -1);
    assert_int_equal(ev.type, DISPLAY_EVENT_PRESS);
    ev = display_wait(d, -1);
    assert_int_equal(ev.type, DISPLAY_EVENT_RELEASE);
    assert_int_equal(ev.x, 10);
    assert_int_equal(ev.y, 20);
    SDL_Event quit = {.type = SDL_QUIT};
    assert_int_equal(SDL_PushEvent(&quit), 1);
    assert_int_equal(display_wait(d, -1).type, DISPLAY_EVENT_QUIT);
    display_destroy(d);
}

/* A timeout of 0 polls: it returns at once, with or without an event. */
static void test_zero_timeout_returns_at_once(void **state)
{
    (void)state;
    struct display *d = quiet_display();
    struct wait_cost c = measured_wait(d, 0);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_NONE);
    assert_true(c.wall_ms < 20);
    display_inject(d, true, 5, 6);
    c = measured_wait(d, 0);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_PRESS);
    assert_true(c.wall_ms < 20);
    display_destroy(d);
}

/* Noise (motion, user events) is consumed without ending the wait early
 * or spinning on it: the press behind it comes back, and with nothing
 * behind it the deadline does. */
static void test_noise_is_skipped(void **state)
{
    (void)state;
    struct display *d = quiet_display();
    SDL_Event noise = {.type = SDL_USEREVENT};
    assert_int_equal(SDL_PushEvent(&noise), 1);
    display_inject(d, true, 7, 8);
    struct wait_cost c = measured_wait(d, 1000);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_PRESS);
    assert_true(c.wall_ms < 100);
    for (int i = 0; i < 10; i++)
        assert_int_equal(SDL_PushEvent(&noise), 1);
    c = measured_wait(d, 200);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_NONE);
    assert_true(c.wall_ms < 800);
    assert_int_equal(SDL_PeepEvents(NULL, 1, SDL_PEEKEVENT, SDL_FIRSTEVENT, SDL_LASTEVENT), 0);
    display_destroy(d);
}

/* A signal that interrupts the sleep neither ends the wait early nor makes
 * it spin. */
static void handle_alarm(int sig)
{
    (void)sig;
}

static void test_signal_does_not_end_wait(void **state)
{
    (void)state;
    struct display *d = quiet_display();
    struct sigaction sa = {.sa_handler = handle_alarm}, old;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    struct itimerval every_100ms = {{0, 100000}, {0, 100000}}, off = {{0, 0}, {0, 0}};
    assert_int_equal(setitimer(ITIMER_REAL, &every_100ms, NULL), 0);
    struct wait_cost c = measured_wait(d, 500);
    assert_int_equal(setitimer(ITIMER_REAL, &off, NULL), 0);
    assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_NONE);
    assert_in_range(c.wall_ms, 490, 1000);
    assert_true(c.cpu_us < 3000);
    display_destroy(d);
}

/* SIGTERM (systemd stopping the kiosk) during a wait forever: SDL's signal
 * handler makes it an SDL_QUIT, which the wait returns promptly. */
static void test_sigterm_wakes_wait_forever(void **state)
{
    (void)state;
    struct display *d = quiet_display();
    pid_t parent = getpid();
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        struct timespec t = {0, 200000000};
        nanosleep(&t, NULL);
        kill(parent, SIGTERM);
        _exit(0);
    }
    struct wait_cost c = measured_wait(d, -1);
    int status;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_int_equal(c.ev.type, DISPLAY_EVENT_QUIT);
    assert_in_range(c.wall_ms, 150, 1500);
    display_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_wait_sleeps),
        cmocka_unit_test(test_queued_press_returns_at_once),
        cmocka_unit_test(test_wait_forever_returns_event),
        cmocka_unit_test(test_zero_timeout_returns_at_once),
        cmocka_unit_test(test_noise_is_skipped),
        cmocka_unit_test(test_signal_does_not_end_wait),
        cmocka_unit_test(test_sigterm_wakes_wait_forever),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
