/*
 * test_install_window: the may-install mark the root updater waits for
 * (install_window.h).  "closed": the mark appears on the closed screen of
 * a kiosk nobody has pressed, is renewed (its mtime moves) once a
 * touch period has passed and not before, goes at once when the kiosk
 * opens, when a record waits or a technician is at work, and after a
 * press comes back only after the quiet time; "idle": only after ten
 * minutes untouched on a screen no customer is on, never on the
 * thank-you screen or in accessibility mode; "never" writes nothing; a
 * mark left by an earlier run is removed at start; no update directory
 * is made; one that cannot be made is tried again a period later, not
 * in a busy loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "install_window.h"
#include "kiosk.h"

#define MIN (60 * 1000)

struct fixture {
    char dir[64], mark[96];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/wow-install-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->mark, sizeof f->mark, "%s/may-install", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    unlink(f->mark);
    rmdir(f->dir);
    free(f);
    return 0;
}

static bool marked(const struct fixture *f)
{
    return access(f->mark, F_OK) == 0;
}

static struct kiosk_view view_of(enum kiosk_screen screen)
{
    return (struct kiosk_view){.screen = screen, .pressed_reason = -1};
}

static void test_closed(void **state)
{
    struct fixture *f = *state;
    FILE *stale = fopen(f->mark, "w"); /* an earlier run's */
    assert_non_null(stale);
    fclose(stale);
    struct install_window w;
    install_window_init(&w, f->dir, CONFIG_INSTALL_CLOSED);
    assert_false(marked(f));

    struct kiosk_view open = view_of(KIOSK_SCREEN_RATING), closed = view_of(KIOSK_SCREEN_CLOSED);
    int64_t t = 1000000;
    install_window_update(&w, &open, true, t);
    assert_false(marked(f));
    assert_int_equal(install_window_deadline_ms(&w, t), INT64_MAX); /* no busy loop */
    install_window_update(&w, &closed, true, t);
    assert_true(marked(f));

    /* renewed once a period has passed, not before */
    struct stat st;
    struct timespec old[2] = {{.tv_sec = 1000}, {.tv_sec = 1000}};
    assert_int_equal(utimensat(AT_FDCWD, f->mark, old, 0), 0);
    assert_int_equal(install_window_deadline_ms(&w, t), t + INSTALL_WINDOW_TOUCH_MS);
    install_window_update(&w, &closed, true, t + INSTALL_WINDOW_TOUCH_MS - 1);
    assert_int_equal(stat(f->mark, &st), 0);
    assert_int_equal(st.st_mtime, 1000);
    install_window_update(&w, &closed, true, t + INSTALL_WINDOW_TOUCH_MS);
    assert_int_equal(stat(f->mark, &st), 0);
    assert_true(st.st_mtime > 1000);

    /* busy (a record waiting, a technician): gone at once, back when free */
    install_window_update(&w, &closed, false, t + 2 * MIN);
    assert_false(marked(f));
    install_window_update(&w, &closed, true, t + 2 * MIN + 1);
    assert_true(marked(f));

    /* a press: gone, and back only after the quiet time */
    t += 10 * MIN;
    install_window_used(&w, t);
    install_window_update(&w, &closed, true, t);
    assert_false(marked(f));
    assert_int_equal(install_window_deadline_ms(&w, t), t + INSTALL_WINDOW_CLOSED_QUIET_MS);
    install_window_update(&w, &closed, true, t + INSTALL_WINDOW_CLOSED_QUIET_MS - 1);
    assert_false(marked(f));
    install_window_update(&w, &closed, true, t + INSTALL_WINDOW_CLOSED_QUIET_MS);
    assert_true(marked(f));

    /* the kiosk opens */
    install_window_update(&w, &open, true, t + 3 * MIN);
    assert_false(marked(f));
}

static void test_idle(void **state)
{
    struct fixture *f = *state;
    struct install_window w;
    install_window_init(&w, f->dir, CONFIG_INSTALL_IDLE);
    struct kiosk_view rating = view_of(KIOSK_SCREEN_RATING), thanks = view_of(KIOSK_SCREEN_THANKS);
    int64_t t = 5000000;
    install_window_used(&w, t);
    install_window_update(&w, &rating, true, t + INSTALL_WINDOW_IDLE_MS - 1);
    assert_false(marked(f));
    install_window_update(&w, &thanks, true, t + INSTALL_WINDOW_IDLE_MS);
    assert_false(marked(f));
    struct kiosk_view accessible = rating;
    accessible.accessible = true;
    install_window_update(&w, &accessible, true, t + INSTALL_WINDOW_IDLE_MS);
    assert_false(marked(f));
    struct kiosk_view pressed = rating;
    pressed.pressed_face = 4;
    install_window_update(&w, &pressed, true, t + INSTALL_WINDOW_IDLE_MS);
    assert_false(marked(f));
    install_window_update(&w, &rating, true, t + INSTALL_WINDOW_IDLE_MS);
    assert_true(marked(f));
    install_window_used(&w, t + INSTALL_WINDOW_IDLE_MS + 5);
    install_window_update(&w, &rating, true, t + INSTALL_WINDOW_IDLE_MS + 5);
    assert_false(marked(f));
}

static void test_never_and_no_directory(void **state)
{
    struct fixture *f = *state;
    struct install_window w;
    struct kiosk_view closed = view_of(KIOSK_SCREEN_CLOSED);
    install_window_init(&w, f->dir, CONFIG_INSTALL_NEVER);
    install_window_update(&w, &closed, true, 10 * MIN);
    assert_false(marked(f));
    assert_int_equal(install_window_deadline_ms(&w, 10 * MIN), INT64_MAX);

    /* the update directory is made if no offer made it yet */
    char missing[128], mark[160];
    snprintf(missing, sizeof missing, "%s/update", f->dir);
    snprintf(mark, sizeof mark, "%s/may-install", missing);
    install_window_init(&w, missing, CONFIG_INSTALL_CLOSED);
    install_window_update(&w, &closed, true, 10 * MIN);
    assert_true(w.marked);
    assert_int_equal(access(mark, F_OK), 0);
    assert_int_equal(unlink(mark), 0);
    assert_int_equal(rmdir(missing), 0);
    /* one it cannot make (a file in the way): tried again a period later, not every turn */
    FILE *in_way = fopen(missing, "w");
    assert_non_null(in_way);
    fclose(in_way);
    install_window_init(&w, missing, CONFIG_INSTALL_CLOSED);
    install_window_update(&w, &closed, true, 10 * MIN);
    assert_false(w.marked);
    assert_int_equal(install_window_deadline_ms(&w, 10 * MIN), 10 * MIN + INSTALL_WINDOW_TOUCH_MS);
    assert_int_equal(unlink(missing), 0);
    install_window_init(&w, "", CONFIG_INSTALL_CLOSED);
    install_window_update(&w, &closed, true, 10 * MIN);
    assert_int_equal(install_window_deadline_ms(&w, 10 * MIN), INT64_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_and_no_directory, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
