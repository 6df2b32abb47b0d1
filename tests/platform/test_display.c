/*
 * test_display: the shapes, the rotation, screenshots and sleep of
 * platform/sdl, checked on the pixels of the presented frame.  Frames are
 * built by hand so these tests do not depend on the layouts of app/ui.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <SDL_image.h>

#include "fixture.h"

static const struct ui_color WHITE = {255, 255, 255, 255};
static const struct ui_color RED = {200, 30, 40, 255};
static const struct ui_color BLUE = {20, 60, 200, 255};

/* A display, a white frame, and one shape to draw on it. */
struct scene {
    struct display *d;
    struct ui_frame *f;
    uint32_t *px;
    int w, h;
};

static struct scene scene_open(int w, int h, int rotation)
{
    struct scene s = {.d = fixture_display(w, h, rotation, NULL)};
    s.f = fixture_frame(s.d);
    fixture_add(s.f, UI_CMD_CLEAR, WHITE);
    return s;
}

static void scene_draw(struct scene *s)
{
    assert_true(display_draw(s->d, s->f));
    free(s->px);
    s->px = fixture_pixels(s->d, &s->w, &s->h);
}

static bool scene_is(const struct scene *s, int x, int y, struct ui_color c)
{
    return fixture_is(fixture_at(s->px, s->w, x, y), c, 8);
}

static void scene_close(struct scene *s)
{
    free(s->px);
    free(s->f);
    display_destroy(s->d);
}

static void test_rect_square_and_rounded(void **state)
{
    struct scene s = scene_open(800, 480, 0);
    struct ui_cmd *c = fixture_add(s.f, UI_CMD_RECT, RED);
    c->rect = (struct ui_rect){100, 100, 200, 100};
    c = fixture_add(s.f, UI_CMD_RECT, BLUE);
    c->rect = (struct ui_rect){400, 100, 200, 100};
    c->radius = 30;
    scene_draw(&s);
    /* square: every corner pixel inside, the pixels beside it outside */
    assert_true(scene_is(&s, 100, 100, RED));
    assert_true(scene_is(&s, 299, 199, RED));
    assert_true(scene_is(&s, 99, 100, WHITE));
    assert_true(scene_is(&s, 300, 199, WHITE));
    assert_true(scene_is(&s, 200, 200, WHITE));
    /* rounded: the corner of the box is cut, the edges' middles are not */
    assert_true(scene_is(&s, 500, 150, BLUE));
    assert_true(scene_is(&s, 402, 102, WHITE));
    assert_true(scene_is(&s, 597, 197, WHITE));
    assert_true(scene_is(&s, 401, 150, BLUE));
    assert_true(scene_is(&s, 500, 101, BLUE));
    assert_true(scene_is(&s, 500, 198, BLUE));
    scene_close(&s);
}

static void test_circle_is_round(void **state)
{
    struct scene s = scene_open(800, 480, 0);
    struct ui_cmd *c = fixture_add(s.f, UI_CMD_CIRCLE, RED);
    c->rect = (struct ui_rect){400, 240, 0, 0};
    c->radius = 120;
    scene_draw(&s);
    assert_true(scene_is(&s, 400, 240, RED));
    /* the corner of the bounding box is outside, the same distance along
     * every axis and diagonal is in, a bit further is out */
    assert_true(scene_is(&s, 400 - 118, 240 - 118, WHITE));
    assert_true(scene_is(&s, 400 + 118, 240 + 118, WHITE));
    static const int dirs[8][2] = {{1, 0}, {-1, 0}, {0, 1},  {0, -1},
                                   {1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
    for (int i = 0; i < 8; i++) {
        float k = (dirs[i][0] != 0 && dirs[i][1] != 0) ? 0.7071f : 1.0f;
        int in_x = 400 + (int)((float)dirs[i][0] * 117.0f * k);
        int in_y = 240 + (int)((float)dirs[i][1] * 117.0f * k);
        int out_x = 400 + (int)((float)dirs[i][0] * 123.0f * k);
        int out_y = 240 + (int)((float)dirs[i][1] * 123.0f * k);
        assert_true(scene_is(&s, in_x, in_y, RED));
        assert_true(scene_is(&s, out_x, out_y, WHITE));
    }
    scene_close(&s);
}

/* The coverage of a red pixel on white, 0..1, from its green channel. */
static float red_coverage(const struct scene *s, int x, int y)
{
    struct rgb p = fixture_at(s->px, s->w, x, y);
    return (float)(255 - p.g) / (float)(255 - RED.g);
}

/* A large circle's edge follows the true circle on every row to a fraction
 * of a pixel: a polygon's chords (and corners snapped to whole pixels)
 * stray by pixels on a circle this size. */
static void test_large_circle_edge_is_smooth(void **state)
{
    (void)state;
    struct scene s = scene_open(800, 480, 0);
    struct ui_cmd *c = fixture_add(s.f, UI_CMD_CIRCLE, RED);
    c->rect = (struct ui_rect){400, 240, 0, 0};
    c->radius = 220;
    scene_draw(&s);
    for (int y = 240 - 215; y <= 240 + 215; y++) {
        float width = 0.0f;
        for (int x = 400 - 230; x <= 400 + 230; x++)
            width += red_coverage(&s, x, y);
        float dy = (float)(y - 240), expect = 2.0f * sqrtf(220.0f * 220.0f - dy * dy);
        if (fabsf(width - expect) > 0.5f)
            fail_msg("row %d: the circle is %.2f px wide, a true one %.2f", y, width, expect);
    }
    scene_close(&s);
}

static void test_ring_has_a_hole(void **state)
{
    struct scene s = scene_open(800, 480, 0);
    struct ui_cmd *c = fixture_add(s.f, UI_CMD_RING, BLUE);
    c->rect = (struct ui_rect){300, 240, 0, 0};
    c->radius = 100;
    c->width = 20; /* outer edge at 100, inner at 80 */
    scene_draw(&s);
    assert_true(scene_is(&s, 300, 240, WHITE));
    assert_true(scene_is(&s, 300 + 77, 240, WHITE));
    assert_true(scene_is(&s, 300 + 90, 240, BLUE));
    assert_true(scene_is(&s, 300, 240 - 90, BLUE));
    assert_true(scene_is(&s, 300 - 63, 240 + 63, BLUE)); /* 89 px along the diagonal */
    assert_true(scene_is(&s, 300 + 103, 240, WHITE));
    scene_close(&s);
}

static void test_polyline_thick_with_round_join(void **state)
{
    struct scene s = scene_open(800, 480, 0);
    struct ui_cmd *c = fixture_add(s.f, UI_CMD_POLYLINE, RED);
    c->width = 12;
    c->point_count = 3;
    c->points[0] = (struct ui_point){100, 100};
    c->points[1] = (struct ui_point){300, 100};
    c->points[2] = (struct ui_point){300, 300};
    scene_draw(&s);
    assert_true(scene_is(&s, 200, 100, RED));
    assert_true(scene_is(&s, 200, 104, RED)); /* inside the 12 px width */
    assert_true(scene_is(&s, 200, 109, WHITE));
    assert_true(scene_is(&s, 300, 200, RED));
    assert_true(scene_is(&s, 200, 200, WHITE)); /* not filled between the segments */
    assert_true(scene_is(&s, 96, 100, RED));    /* round cap beyond the end point */
    assert_true(scene_is(&s, 95, 95, WHITE));   /* ... but not a square one */
    assert_true(scene_is(&s, 303, 97, RED));    /* round join at the corner */
    scene_close(&s);
}

static void add_l_shape(struct ui_frame *f, bool reversed)
{
    static const struct ui_point l[6] = {{100, 100}, {300, 100}, {300, 200},
                                         {200, 200}, {200, 400}, {100, 400}};
    struct ui_cmd *c = fixture_add(f, UI_CMD_POLYGON, BLUE);
    c->point_count = 6;
    for (int i = 0; i < 6; i++)
        c->points[i] = l[reversed ? 5 - i : i];
}

static void test_concave_polygon_keeps_its_notch(void **state)
{
    for (int reversed = 0; reversed < 2; reversed++) {
        struct scene s = scene_open(800, 480, 0);
        add_l_shape(s.f, reversed);
        scene_draw(&s);
        assert_true(scene_is(&s, 150, 150, BLUE));
        assert_true(scene_is(&s, 280, 150, BLUE));
        assert_true(scene_is(&s, 150, 380, BLUE));
        assert_true(scene_is(&s, 250, 300, WHITE)); /* the notch */
        assert_true(scene_is(&s, 205, 205, WHITE));
        assert_true(scene_is(&s, 195, 300, BLUE));
        assert_true(scene_is(&s, 350, 150, WHITE));
        scene_close(&s);
    }
}

/* A marker at the logical top-left corner shows up at the physical corner
 * the clockwise rotation carries it to. */
static void test_rotation_moves_the_top_left_corner(void **state)
{
    static const struct {
        int rotation;
        int corner_x, corner_y; /* 0: left/top edge, 1: right/bottom edge */
    } cases[] = {{0, 0, 0}, {90, 1, 0}, {180, 1, 1}, {270, 0, 1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct scene s = scene_open(800, 480, cases[i].rotation);
        int lw, lh;
        display_logical_size(s.d, &lw, &lh);
        bool swapped = cases[i].rotation % 180 != 0;
        assert_int_equal(lw, swapped ? 480 : 800);
        assert_int_equal(lh, swapped ? 800 : 480);
        struct ui_cmd *c = fixture_add(s.f, UI_CMD_RECT, RED);
        c->rect = (struct ui_rect){0, 0, 40, 40};
        scene_draw(&s);
        assert_int_equal(s.w, 800);
        assert_int_equal(s.h, 480);
        int x = cases[i].corner_x ? 800 - 1 : 0, y = cases[i].corner_y ? 480 - 1 : 0;
        int inward_x = cases[i].corner_x ? -1 : 1, inward_y = cases[i].corner_y ? -1 : 1;
        assert_true(scene_is(&s, x, y, RED));
        assert_true(scene_is(&s, x + inward_x * 39, y + inward_y * 39, RED));
        assert_true(scene_is(&s, x + inward_x * 40, y, WHITE));
        assert_true(scene_is(&s, x, y + inward_y * 40, WHITE));
        assert_true(scene_is(&s, 799 - x, 479 - y, WHITE));
        scene_close(&s);
    }
}

static int count_pngs(const char *dir)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    int n = 0;
    for (struct dirent *e = readdir(dp); e != NULL; e = readdir(dp))
        if (strncmp(e->d_name, "frame-", 6) == 0 && strstr(e->d_name, ".png") != NULL)
            n++;
    closedir(dp);
    return n;
}

static void remove_dir(const char *dir)
{
    DIR *dp = opendir(dir);
    assert_non_null(dp);
    char path[512];
    for (struct dirent *e = readdir(dp); e != NULL; e = readdir(dp)) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(dp);
    rmdir(dir);
}

static void test_screenshots_only_changed_frames(void **state)
{
    char dir[] = "/tmp/wow-shots-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct display *d = fixture_display(320, 200, 0, dir);
    struct ui_frame *f = fixture_frame(d);
    fixture_add(f, UI_CMD_CLEAR, WHITE);
    struct ui_cmd *c = fixture_add(f, UI_CMD_CIRCLE, RED);
    c->rect = (struct ui_rect){100, 100, 0, 0};
    c->radius = 50;
    assert_true(display_draw(d, f));
    assert_true(display_draw(d, f));
    assert_int_equal(count_pngs(dir), 1);
    c->color = BLUE;
    assert_true(display_draw(d, f));
    assert_int_equal(count_pngs(dir), 2);
    char path[512];
    snprintf(path, sizeof path, "%s/frame-00002.png", dir);
    assert_int_equal(access(path, R_OK), 0);
    free(f);
    display_destroy(d);
    remove_dir(dir);
}

/* display_save_png writes what display_read_pixels sees. */
static void test_save_png_round_trip(void **state)
{
    struct scene s = scene_open(320, 200, 90);
    struct ui_cmd *c = fixture_add(s.f, UI_CMD_CIRCLE, BLUE);
    c->rect = (struct ui_rect){60, 60, 0, 0};
    c->radius = 40;
    scene_draw(&s);
    char path[] = "/tmp/wow-png-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_true(display_save_png(s.d, path));
    SDL_Surface *img = IMG_Load(path);
    assert_non_null(img);
    SDL_Surface *argb = SDL_ConvertSurfaceFormat(img, SDL_PIXELFORMAT_ARGB8888, 0);
    assert_non_null(argb);
    assert_int_equal(argb->w, s.w);
    assert_int_equal(argb->h, s.h);
    for (int y = 0; y < s.h; y += 7) {
        const uint32_t *row = (const uint32_t *)((const uint8_t *)argb->pixels + y * argb->pitch);
        for (int x = 0; x < s.w; x += 5)
            assert_int_equal(row[x] & 0xffffff, s.px[y * s.w + x] & 0xffffff);
    }
    SDL_FreeSurface(argb);
    SDL_FreeSurface(img);
    unlink(path);
    scene_close(&s);
}

/* The window surface shows exactly the presented frame. */
static void assert_window_shows_frame(const struct scene *s)
{
    SDL_Window *win = NULL;
    for (Uint32 id = 1; id < 1000 && win == NULL; id++)
        win = SDL_GetWindowFromID(id);
    assert_non_null(win);
    SDL_Surface *ws = SDL_GetWindowSurface(win);
    assert_non_null(ws);
    assert_int_equal(ws->w, s->w);
    assert_int_equal(ws->h, s->h);
    for (int y = 0; y < s->h; y++) {
        const uint32_t *row = (const uint32_t *)((const uint8_t *)ws->pixels + y * ws->pitch);
        for (int x = 0; x < s->w; x++)
            if (((row[x] ^ s->px[y * s->w + x]) & 0xffffffu) != 0)
                fail_msg("window pixel (%d, %d) is %08x, the frame's %08x", x, y, row[x],
                         s->px[y * s->w + x]);
    }
}

static void test_present_uploads_only_changes(void **state)
{
    (void)state;
    const int rotations[] = {0, 90};
    for (int i = 0; i < 2; i++) {
        struct scene s = scene_open(800, 480, rotations[i]);
        scene_draw(&s);
        assert_int_equal(display_presented_area(s.d), 800 * 480); /* a new window: all */
        scene_draw(&s);
        assert_int_equal(display_presented_area(s.d), 0); /* nothing changed */
        struct ui_cmd *c = fixture_add(s.f, UI_CMD_RECT, RED);
        c->rect = (struct ui_rect){200, 150, 100, 40};
        scene_draw(&s);
        long area = display_presented_area(s.d);
        assert_true(area >= 100 * 40);
        assert_true(area <= 800 * 480 / 20); /* a band around the rectangle, no more */
        assert_window_shows_frame(&s);
        s.f->cmd_count--; /* and back: the same area again */
        scene_draw(&s);
        assert_int_equal(display_presented_area(s.d), area);
        assert_window_shows_frame(&s);
        scene_close(&s);
    }
}

/* Asked for the DRM presenter where there is no DRM card with an output
 * (this machine, CI), the display falls back to SDL and draws. */
static void test_kms_falls_back_to_sdl(void **state)
{
    (void)state;
    setenv("WOWKIOSK_PRESENTER", "kms", 1);
    struct scene s = scene_open(640, 400, 0);
    unsetenv("WOWKIOSK_PRESENTER");
    struct ui_cmd *c = fixture_add(s.f, UI_CMD_CIRCLE, BLUE);
    c->rect = (struct ui_rect){320, 200, 0, 0};
    c->radius = 50;
    scene_draw(&s);
    assert_int_equal(s.w, 640);
    assert_true(scene_is(&s, 320, 200, BLUE));
    assert_true(scene_is(&s, 10, 10, WHITE));
    scene_close(&s);
}

static void test_sleep_shows_black_and_wakes(void **state)
{
    struct scene s = scene_open(320, 200, 0);
    scene_draw(&s);
    assert_true(scene_is(&s, 10, 10, WHITE));
    display_set_sleep(s.d, true);
    display_set_sleep(s.d, true); /* idempotent: the loop calls it every turn */
    free(s.px);
    s.px = fixture_pixels(s.d, &s.w, &s.h);
    assert_true(scene_is(&s, 10, 10, (struct ui_color){0, 0, 0, 255}));
    display_set_sleep(s.d, false);
    free(s.px);
    s.px = fixture_pixels(s.d, &s.w, &s.h);
    assert_true(scene_is(&s, 10, 10, WHITE));
    scene_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rect_square_and_rounded),
        cmocka_unit_test(test_circle_is_round),
        cmocka_unit_test(test_large_circle_edge_is_smooth),
        cmocka_unit_test(test_ring_has_a_hole),
        cmocka_unit_test(test_polyline_thick_with_round_join),
        cmocka_unit_test(test_concave_polygon_keeps_its_notch),
        cmocka_unit_test(test_rotation_moves_the_top_left_corner),
        cmocka_unit_test(test_screenshots_only_changed_frames),
        cmocka_unit_test(test_save_png_round_trip),
        cmocka_unit_test(test_sleep_shows_black_and_wakes),
        cmocka_unit_test(test_present_uploads_only_changes),
        cmocka_unit_test(test_kms_falls_back_to_sdl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
