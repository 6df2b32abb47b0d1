/*
 * test_display_input: touches and clicks become presses and releases in
 * logical coordinates under every rotation; the one-finger rule; mouse
 * events SDL made up from touches are dropped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>

#include <cmocka.h>
#include <SDL.h>

#include "fixture.h"

/* The next press or release (window events of the new window skipped);
 * NONE after 10 quiet waits. */
static struct display_event next_input(struct display *d)
{
    for (int i = 0; i < 10; i++) {
        struct display_event ev = display_wait(d, 20);
        if (ev.type == DISPLAY_EVENT_PRESS || ev.type == DISPLAY_EVENT_RELEASE)
            return ev;
    }
    return (struct display_event){.type = DISPLAY_EVENT_NONE};
}

/* Nothing but noise is left in the queue. */
static void assert_no_input(struct display *d)
{
    struct display_event ev = next_input(d);
    assert_int_equal(ev.type, DISPLAY_EVENT_NONE);
}

static void assert_event(struct display_event ev, enum display_event_type type, int x, int y)
{
    assert_int_equal(ev.type, type);
    assert_int_equal(ev.x, x);
    assert_int_equal(ev.y, y);
}

static void test_injected_taps_round_trip_every_rotation(void **state)
{
    static const int rotations[] = {0, 90, 180, 270};
    for (size_t r = 0; r < 4; r++) {
        struct display *d = fixture_display(800, 480, rotations[r], NULL);
        int lw, lh;
        display_logical_size(d, &lw, &lh);
        const int points[][2] = {{0, 0},           {lw - 1, 0},      {0, lh - 1},
                                 {lw - 1, lh - 1}, {lw / 3, lh / 5}, {123, 45}};
        for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
            display_inject(d, true, points[i][0], points[i][1]);
            display_inject(d, false, points[i][0], points[i][1]);
            assert_event(next_input(d), DISPLAY_EVENT_PRESS, points[i][0], points[i][1]);
            assert_event(next_input(d), DISPLAY_EVENT_RELEASE, points[i][0], points[i][1]);
        }
        display_destroy(d);
    }
}

/* A physical touch at the top-left of the panel is where the rotation puts
 * the logical canvas's corner (same mapping as the drawing test). */
static void test_physical_touch_maps_through_rotation(void **state)
{
    struct display *d = fixture_display(800, 480, 90, NULL);
    SDL_Event e = {.type = SDL_FINGERDOWN};
    e.tfinger.touchId = 7;
    e.tfinger.x = 0.999f; /* the panel's top-right: logical top-left at 90 */
    e.tfinger.y = 0.0f;
    assert_true(SDL_PushEvent(&e) == 1);
    struct display_event ev = next_input(d);
    assert_event(ev, DISPLAY_EVENT_PRESS, 0, 0);
    display_destroy(d);
}

static void push_finger(Uint32 type, SDL_FingerID finger, float x, float y)
{
    SDL_Event e = {.type = type};
    e.tfinger.touchId = 42;
    e.tfinger.fingerId = finger;
    e.tfinger.x = x;
    e.tfinger.y = y;
    assert_true(SDL_PushEvent(&e) == 1);
}

static void test_second_finger_is_ignored(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    push_finger(SDL_FINGERDOWN, 0, 0.25f, 0.5f);
    push_finger(SDL_FINGERDOWN, 1, 0.75f, 0.5f); /* a palm while the finger is down */
    push_finger(SDL_FINGERUP, 1, 0.75f, 0.5f);
    push_finger(SDL_FINGERUP, 0, 0.25f, 0.5f);
    assert_event(next_input(d), DISPLAY_EVENT_PRESS, 200, 240);
    assert_event(next_input(d), DISPLAY_EVENT_RELEASE, 200, 240);
    assert_no_input(d);
    /* once released, the other finger may press */
    push_finger(SDL_FINGERDOWN, 1, 0.75f, 0.5f);
    assert_event(next_input(d), DISPLAY_EVENT_PRESS, 600, 240);
    display_destroy(d);
}

static void push_mouse(Uint32 type, Uint32 which, Uint8 button, int x, int y)
{
    SDL_Event e = {.type = type};
    e.button.which = which;
    e.button.button = button;
    e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
    e.button.x = x;
    e.button.y = y;
    assert_true(SDL_PushEvent(&e) == 1);
}

static void test_touch_synthesised_mouse_is_dropped(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    push_mouse(SDL_MOUSEBUTTONDOWN, SDL_TOUCH_MOUSEID, SDL_BUTTON_LEFT, 10, 20);
    push_mouse(SDL_MOUSEBUTTONUP, SDL_TOUCH_MOUSEID, SDL_BUTTON_LEFT, 10, 20);
    push_mouse(SDL_MOUSEBUTTONDOWN, 0, SDL_BUTTON_RIGHT, 10, 20);
    assert_no_input(d);
    /* a real left click counts, and blocks fingers until released */
    push_mouse(SDL_MOUSEBUTTONDOWN, 0, SDL_BUTTON_LEFT, 30, 40);
    push_finger(SDL_FINGERDOWN, 0, 0.5f, 0.5f);
    push_mouse(SDL_MOUSEBUTTONUP, 0, SDL_BUTTON_LEFT, 31, 41);
    assert_event(next_input(d), DISPLAY_EVENT_PRESS, 30, 40);
    assert_event(next_input(d), DISPLAY_EVENT_RELEASE, 31, 41);
    assert_no_input(d);
    display_destroy(d);
}

/* at_mono_ms is in the display_ticks_ms() base. */
static void test_event_time_is_in_ticks_base(void **state)
{
    struct display *d = fixture_display(320, 200, 0, NULL);
    SDL_Delay(30);
    int64_t before = display_ticks_ms();
    display_inject(d, true, 10, 10);
    struct display_event ev = next_input(d);
    int64_t after = display_ticks_ms();
    assert_int_equal(ev.type, DISPLAY_EVENT_PRESS);
    assert_true(ev.at_mono_ms >= before && ev.at_mono_ms <= after);
    display_destroy(d);
}

static void test_quit_and_escape(void **state)
{
    struct display *d = fixture_display(320, 200, 0, NULL);
    SDL_Event e = {.type = SDL_KEYDOWN};
    e.key.keysym.sym = SDLK_ESCAPE;
    assert_true(SDL_PushEvent(&e) == 1);
    e = (SDL_Event){.type = SDL_QUIT};
    assert_true(SDL_PushEvent(&e) == 1);
    int seen_escape = 0, seen_quit = 0;
    for (int i = 0; i < 20; i++) {
        struct display_event ev = display_wait(d, 10);
        seen_escape += ev.type == DISPLAY_EVENT_ESCAPE;
        seen_quit += ev.type == DISPLAY_EVENT_QUIT;
    }
    assert_int_equal(seen_escape, 1);
    assert_int_equal(seen_quit, 1);
    display_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_injected_taps_round_trip_every_rotation),
        cmocka_unit_test(test_physical_touch_maps_through_rotation),
        cmocka_unit_test(test_second_finger_is_ignored),
        cmocka_unit_test(test_touch_synthesised_mouse_is_dropped),
        cmocka_unit_test(test_event_time_is_in_ticks_base),
        cmocka_unit_test(test_quit_and_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
