/*
 * test_layout: the ui's display lists, checked without drawing them.
 *
 * Every screen on several canvases (landscape, portrait, small and big) in
 * every language: everything inside the canvas, touch targets big enough
 * and not overlapping, every named target findable and hit at its centre,
 * faces that differ in shape, the question big enough to read from 1.5 m,
 * missing translations falling back to English, and the frame's fixed
 * limits (commands, targets, text arena) never reached.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "layout_fixture.h"

struct canvas {
    int w, h;
};

static const struct canvas canvases[] = {
    {800, 480}, {1280, 800}, {480, 800}, {1024, 600}, {600, 1024}, {1920, 1080},
};
#define CANVAS_COUNT (int)(sizeof canvases / sizeof canvases[0])

/* One test's world: big, so on the heap. */
struct world {
    struct config config;
    struct i18n_catalog *fi;
    const struct i18n_catalog *catalogs[CONFIG_MAX_LANGUAGES];
    struct config_errors errors;
    char lines[CONFIG_MAX_ERRORS][UI_NOTICE_LINE_MAX]; /* the errors, as the program writes them */
    const char *line_ptr[CONFIG_MAX_ERRORS];
    struct ui_notice notice;
    struct kiosk_view view;
    struct ui_input in;
    struct ui_frame frame;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof *w);
    if (w == NULL)
        return -1;
    w->fi = fixture_finnish();
    if (w->fi == NULL) {
        free(w);
        return -1;
    }
    w->catalogs[1] = w->fi; /* en: none (English), fi: the fixture, de: none (missing) */
    struct fixture_shape shape = {.languages = 3, .departments = 6, .reasons = 6};
    fixture_config(&w->config, &shape);
    w->view = (struct kiosk_view){.screen = KIOSK_SCREEN_RATING,
                                  .pressed_reason = -1,
                                  .rating = RATING_HAPPY,
                                  .followup_positive = true};
    w->in = (struct ui_input){.view = &w->view, .config = &w->config, .catalogs = w->catalogs};
    w->notice = (struct ui_notice){.title = "/etc/wowkiosk/kiosk.conf", .lines = w->line_ptr};
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;
    i18n_catalog_destroy(w->fi);
    free(w);
    return 0;
}

static void layout(struct world *w, struct canvas c)
{
    ui_layout(&w->frame, &w->in, c.w, c.h);
}

/* ---- geometry checks every frame must pass ---- */

static bool rect_inside(struct ui_rect r, int w, int h)
{
    return r.x >= 0 && r.y >= 0 && r.w >= 0 && r.h >= 0 && r.x + r.w <= w && r.y + r.h <= h;
}

static bool point_inside(struct ui_point p, int grow, int w, int h)
{
    return p.x - grow >= 0 && p.y - grow >= 0 && p.x + grow <= w && p.y + grow <= h;
}

static bool cmd_inside(const struct ui_cmd *c, int w, int h)
{
    switch (c->type) {
    case UI_CMD_CLEAR:
        return true;
    case UI_CMD_RECT:
    case UI_CMD_TEXT:
    case UI_CMD_QR:
        return rect_inside(c->rect, w, h);
    case UI_CMD_CIRCLE:
    case UI_CMD_RING:
        return c->radius > 0 &&
               rect_inside((struct ui_rect){c->rect.x - c->radius, c->rect.y - c->radius,
                                            2 * c->radius, 2 * c->radius},
                           w, h);
    case UI_CMD_POLYLINE:
    case UI_CMD_POLYGON:
        if (c->point_count < 2 || c->point_count > UI_MAX_POINTS)
            return false;
        for (int i = 0; i < c->point_count; i++)
            if (!point_inside(c->points[i], (c->width + 1) / 2, w, h))
                return false;
        return true;
    }
    return false;
}

static bool rects_overlap(struct ui_rect a, struct ui_rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static const char *const screen_names[] = {"closed",    "picker", "rating",
                                           "follow-up", "thanks", "config-error"};

/* Fails with the case's name, so a failure says where. */
static void check(bool ok, const struct world *w, const char *what, int index)
{
    if (ok)
        return;
    print_error("%s on %s at %dx%d, language %d, item %d\n", what, screen_names[w->view.screen],
                w->frame.w, w->frame.h, w->view.language, index);
    fail();
}

static void check_texts(const struct world *w)
{
    const struct ui_frame *f = &w->frame;
    for (int i = 0; i < f->cmd_count; i++) {
        const struct ui_cmd *c = &f->cmds[i];
        if (c->type != UI_CMD_TEXT)
            continue;
        check(c->text != NULL && c->text[0] != '\0', w, "empty text", i);
        check(c->size_px >= 12 && c->rect.w > 0 && c->rect.h > 0, w, "text box or size", i);
        /* A text from the arena must lie wholly inside it. */
        if (c->text >= f->arena && c->text < f->arena + UI_TEXT_ARENA)
            check(c->text + strlen(c->text) < f->arena + f->arena_used, w, "arena text", i);
    }
}

static void check_targets(const struct world *w)
{
    const struct ui_frame *f = &w->frame;
    int short_side = f->w < f->h ? f->w : f->h;
    for (int i = 0; i < f->target_count; i++) {
        const struct ui_target *t = &f->targets[i];
        check(rect_inside(t->rect, f->w, f->h) && t->rect.w > 0 && t->rect.h > 0, w,
              "target outside the canvas", i);
        for (int j = i + 1; j < f->target_count; j++)
            check(!rects_overlap(t->rect, f->targets[j].rect), w, "targets overlap", i);
        int cx = t->rect.x + t->rect.w / 2, cy = t->rect.y + t->rect.h / 2;
        check(ui_hit(f, cx, cy) == t, w, "ui_hit at a target's centre", i);
        check(ui_find(f, t->kind, t->index) == t, w, "ui_find of a shown target", i);
        if (t->kind == UI_TARGET_ACCESSIBLE) { /* as big as a language button at least */
            check(t->rect.w * 480 >= 55 * short_side && t->rect.h * 480 >= 55 * short_side, w,
                  "accessibility button too small", i);
            /* and clear of the corners, where a press is the technician gesture's */
            int side = technician_corner_size(f->w, f->h);
            for (int corner = 0; corner < 4; corner++) {
                struct ui_rect sq = {corner == 1 || corner == 2 ? f->w - side : 0,
                                     corner >= 2 ? f->h - side : 0, side, side};
                check(!rects_overlap(t->rect, sq), w, "accessibility button in a corner", corner);
            }
        }
        if (t->kind == UI_TARGET_FACE || t->kind == UI_TARGET_REASON) {
            /* >= 110 px on the 7" 800x480 panel, scaled with the canvas. */
            int need = 110 * short_side;
            check(t->rect.w * 480 >= need && t->rect.h * 480 >= need, w, "target too small", i);
        }
    }
}

static void check_frame(const struct world *w, struct canvas c)
{
    const struct ui_frame *f = &w->frame;
    check(f->w == c.w && f->h == c.h, w, "frame size", 0);
    check(f->cmd_count > 1 && f->cmd_count < UI_MAX_CMDS, w, "command count", f->cmd_count);
    check(f->target_count < UI_MAX_TARGETS, w, "target count", f->target_count);
    check(f->arena_used >= 0 && f->arena_used <= UI_TEXT_ARENA, w, "arena", f->arena_used);
    check(f->cmds[0].type == UI_CMD_CLEAR, w, "first command clears", 0);
    for (int i = 0; i < f->cmd_count; i++)
        check(cmd_inside(&f->cmds[i], c.w, c.h), w, "command outside the canvas", i);
    check_texts(w);
    check_targets(w);
}

/* Lays out the current view on every canvas in every language and checks
 * each frame. */
static void check_everywhere(struct world *w)
{
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        for (int lang = 0; lang < w->config.language_count; lang++) {
            w->view.language = lang;
            layout(w, canvases[ci]);
            check_frame(w, canvases[ci]);
        }
    }
    w->view.language = 0;
}

/* Fills w->errors and the notice the program makes of them. */
static void fill_errors(struct world *w, int count, int total, const char *path)
{
    struct config_errors *e = &w->errors;
    memset(e, 0, sizeof *e);
    e->count = count;
    e->total = total;
    for (int i = 0; i < count; i++) {
        snprintf(e->error[i].file, sizeof e->error[i].file, "%s", path);
        e->error[i].line = 10 + i;
        snprintf(e->error[i].key, sizeof e->error[i].key, "department.front.name");
        snprintf(e->error[i].message, sizeof e->error[i].message,
                 "expected a text of at most 127 bytes, got %d bytes", 130 + i);
        config_error_format(&e->error[i], w->lines[i], sizeof w->lines[i]);
        w->line_ptr[i] = w->lines[i];
    }
    w->notice.line_count = count;
    w->notice.total = total;
}

/* Every technician screen fits every canvas, with the most departments. */
static void test_technician_screens_fit(void **state)
{
    struct world *w = *state;
    const struct fixture_shape shape = {.languages = 3,
                                        .picker = true,
                                        .departments = CONFIG_MAX_DEPARTMENTS,
                                        .reasons = 1,
                                        .long_texts = true};
    fixture_config(&w->config, &shape);
    struct technician_view tv = {.touch_count = TECHNICIAN_TOUCH_POINTS,
                                 .failures = 7,
                                 .locked_for_ms = TECHNICIAN_LOCK_MAX_MS};
    for (int i = 0; i < TECHNICIAN_TOUCH_POINTS; i++)
        tv.touch[i] = (struct technician_point){(int16_t)(60 + 5 * i), (int16_t)(60 + 4 * i)};
    struct ui_technician tech = {.view = &tv, .department = 3, .row_count = UI_INFO_ROWS};
    for (int i = 0; i < UI_INFO_ROWS; i++) {
        snprintf(tech.rows[i].label, sizeof tech.rows[i].label, "Label %d", i);
        memset(tech.rows[i].value, 'v', sizeof tech.rows[i].value - 1);
    }
    w->in.technician = &tech;
    for (int screen = TECHNICIAN_PIN; screen <= TECHNICIAN_DEPARTMENTS; screen++) {
        tv.screen = (enum technician_screen)screen;
        for (int ci = 0; ci < CANVAS_COUNT; ci++) {
            layout(w, canvases[ci]);
            const struct ui_frame *f = &w->frame;
            check(f->cmd_count > 1 && f->cmd_count < UI_MAX_CMDS, w, "command count", f->cmd_count);
            for (int i = 0; i < f->cmd_count; i++)
                check(cmd_inside(&f->cmds[i], f->w, f->h), w, "command outside the canvas", i);
            check_targets(w);
            int want = screen == TECHNICIAN_PIN           ? 13
                       : screen == TECHNICIAN_MENU        ? TECHNICIAN_ITEM_COUNT
                       : screen == TECHNICIAN_DEPARTMENTS ? CONFIG_MAX_DEPARTMENTS + 2
                       : screen == TECHNICIAN_TOUCH_TEST  ? 1
                                                          : 0;
            check(f->target_count == want, w, "technician targets", f->target_count);
        }
    }
    w->in.technician = NULL;
}

/* Every screen, with its variants, in every shape of config. */
static void test_every_screen_fits(void **state)
{
    struct world *w = *state;
    const struct fixture_shape shapes[] = {
        {.languages = 3, .departments = 6, .reasons = 6},
        {.languages = 3, .picker = true, .departments = CONFIG_MAX_DEPARTMENTS, .reasons = 1},
        {.languages = 1, .departments = 1, .reasons = 3},
        {.languages = 3, .picker = true, .departments = 6, .reasons = 5, .long_texts = true},
        {.languages = 2, .picker = true, .departments = 2, .reasons = 0},
    };
    char long_path[CONFIG_PATH_MAX];
    memset(long_path, 'x', sizeof long_path - 1);
    long_path[sizeof long_path - 1] = '\0';
    fill_errors(w, CONFIG_MAX_ERRORS, 100, long_path);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        fixture_config(&w->config, &shapes[s]);
        /* every screen of the machine, then the notice (one past the last) */
        for (int screen = KIOSK_SCREEN_CLOSED; screen <= KIOSK_SCREEN_THANKS + 1; screen++) {
            bool notice = screen > KIOSK_SCREEN_THANKS;
            w->view.screen = notice ? KIOSK_SCREEN_THANKS : (enum kiosk_screen)screen;
            w->in.notice = notice ? &w->notice : NULL;
            w->view.department = screen == KIOSK_SCREEN_PICKER ? -1 : 0;
            for (int variant = 0; variant < 8; variant++) {
                w->view.pressed_face = variant % 4; /* 0: none, else that face */
                w->view.pressed_reason = variant % 4 - 1;
                w->view.rating = (enum rating)(variant % 4 + 1);
                w->view.followup_positive = variant % 4 >= 2;
                w->view.accessible = variant >= 4;
                check_everywhere(w);
            }
            w->view.accessible = false;
        }
    }
}

static void test_rating_faces_in_order(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_RATING;
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        layout(w, canvases[ci]);
        const struct ui_target *t[5] = {0};
        for (int r = 1; r <= 4; r++) {
            t[r] = ui_find(&w->frame, UI_TARGET_FACE, r);
            assert_non_null(t[r]);
        }
        if (canvases[ci].w >= canvases[ci].h) { /* one row, left to right */
            for (int r = 2; r <= 4; r++) {
                assert_true(t[r]->rect.x > t[r - 1]->rect.x);
                assert_int_equal(t[r]->rect.y, t[1]->rect.y);
            }
        } else { /* 2 x 2 in reading order */
            assert_true(t[2]->rect.x > t[1]->rect.x);
            assert_int_equal(t[2]->rect.y, t[1]->rect.y);
            assert_true(t[3]->rect.y > t[1]->rect.y);
            assert_int_equal(t[3]->rect.x, t[1]->rect.x);
            assert_true(t[4]->rect.x > t[3]->rect.x);
        }
        for (int lang = 0; lang < w->config.language_count; lang++)
            assert_non_null(ui_find(&w->frame, UI_TARGET_LANGUAGE, lang));
        assert_null(ui_find(&w->frame, UI_TARGET_BACK, 0)); /* single mode */
        assert_null(ui_hit(&w->frame, 0, 0));               /* the margin is no target */
    }
    w->config.mode = CONFIG_MODE_PICKER;
    layout(w, canvases[0]);
    assert_non_null(ui_find(&w->frame, UI_TARGET_BACK, 0));
    w->config.language_count = 1;
    w->config.mode = CONFIG_MODE_SINGLE;
    layout(w, canvases[0]);
    assert_null(ui_find(&w->frame, UI_TARGET_LANGUAGE, 0)); /* nothing to switch to */
}

static void test_followup_targets(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_FOLLOW_UP;
    for (int n = 0; n <= CONFIG_MAX_REASONS; n++) {
        w->config.positive_count = n;
        w->config.negative_count = n;
        for (int positive = 0; positive <= 1; positive++) {
            w->view.followup_positive = positive;
            for (int ci = 0; ci < CANVAS_COUNT; ci++) {
                layout(w, canvases[ci]);
                check_frame(w, canvases[ci]);
                for (int i = 0; i < n; i++)
                    assert_non_null(ui_find(&w->frame, UI_TARGET_REASON, i));
                assert_null(ui_find(&w->frame, UI_TARGET_REASON, n));
                assert_non_null(ui_find(&w->frame, UI_TARGET_SKIP, 0));
            }
        }
    }
}

static void test_picker_targets(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_PICKER;
    w->view.department = -1;
    for (int n = 1; n <= CONFIG_MAX_DEPARTMENTS; n++) {
        struct fixture_shape shape = {.languages = 3, .picker = true, .departments = n};
        fixture_config(&w->config, &shape);
        for (int ci = 0; ci < CANVAS_COUNT; ci++) {
            layout(w, canvases[ci]);
            check_frame(w, canvases[ci]);
            for (int i = 0; i < n; i++)
                assert_non_null(ui_find(&w->frame, UI_TARGET_DEPARTMENT, i));
            assert_null(ui_find(&w->frame, UI_TARGET_DEPARTMENT, n));
            assert_null(ui_find(&w->frame, UI_TARGET_FACE, 1));
        }
    }
}

/* ---- faces ---- */

/* The drawing of one face: its disc, and its features relative to the
 * disc's centre in hundredths of its radius. */
struct face_drawing {
    int cx, cy, r;
    int feature_count;
    struct {
        enum ui_cmd_type type;
        int point_count;
        int x[UI_MAX_POINTS], y[UI_MAX_POINTS];
    } features[8];
};

static bool in_rect(struct ui_rect r, int x, int y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

/* Collects the face drawn in cell: the biggest circle, then the features. */
static struct face_drawing face_in(const struct ui_frame *f, struct ui_rect cell)
{
    struct face_drawing d = {0};
    for (int i = 0; i < f->cmd_count; i++) {
        const struct ui_cmd *c = &f->cmds[i];
        if (c->type == UI_CMD_CIRCLE && in_rect(cell, c->rect.x, c->rect.y) && c->radius > d.r)
            d = (struct face_drawing){.cx = c->rect.x, .cy = c->rect.y, .r = c->radius};
    }
    assert_true(d.r > 0);
    for (int i = 0; i < f->cmd_count && d.feature_count < 8; i++) {
        const struct ui_cmd *c = &f->cmds[i];
        bool shape = c->type == UI_CMD_POLYLINE || c->type == UI_CMD_POLYGON ||
                     (c->type == UI_CMD_CIRCLE && c->radius < d.r);
        int x = c->point_count > 0 ? c->points[0].x : c->rect.x;
        int y = c->point_count > 0 ? c->points[0].y : c->rect.y;
        if (!shape || (x - d.cx) * (x - d.cx) + (y - d.cy) * (y - d.cy) > d.r * d.r)
            continue;
        int k = d.feature_count++;
        d.features[k].type = c->type;
        d.features[k].point_count = c->type == UI_CMD_CIRCLE ? 1 : c->point_count;
        for (int p = 0; p < d.features[k].point_count; p++) {
            int px = c->type == UI_CMD_CIRCLE ? c->rect.x : c->points[p].x;
            int py = c->type == UI_CMD_CIRCLE ? c->rect.y : c->points[p].y;
            d.features[k].x[p] = (px - d.cx) * 100 / d.r;
            d.features[k].y[p] = (py - d.cy) * 100 / d.r;
        }
    }
    return d;
}

static bool same_shape(const struct face_drawing *a, const struct face_drawing *b)
{
    if (a->feature_count != b->feature_count)
        return false;
    for (int k = 0; k < a->feature_count; k++) {
        if (a->features[k].type != b->features[k].type ||
            a->features[k].point_count != b->features[k].point_count)
            return false;
        for (int p = 0; p < a->features[k].point_count; p++)
            if (abs(a->features[k].x[p] - b->features[k].x[p]) > 3 ||
                abs(a->features[k].y[p] - b->features[k].y[p]) > 3)
                return false;
    }
    return true;
}

/* The mouth: the feature with most points.  Returns how far its middle
 * lies below its corners, in hundredths of the radius: > 0 a smile. */
static int mouth_curve(const struct face_drawing *d)
{
    int best = -1;
    for (int k = 0; k < d->feature_count; k++)
        if (best < 0 || d->features[k].point_count > d->features[best].point_count)
            best = k;
    assert_true(best >= 0 && d->features[best].point_count >= 3);
    int n = d->features[best].point_count, left = 0, middle = 0;
    for (int p = 1; p < n; p++) {
        if (d->features[best].x[p] < d->features[best].x[left])
            left = p;
        /* the point nearest the vertical axis, the lowest of those */
        int dx = abs(d->features[best].x[p]), mdx = abs(d->features[best].x[middle]);
        if (dx < mdx || (dx == mdx && d->features[best].y[p] > d->features[best].y[middle]))
            middle = p;
    }
    return d->features[best].y[middle] - d->features[best].y[left];
}

static void test_faces_differ_in_shape(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_RATING;
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        layout(w, canvases[ci]);
        struct face_drawing d[5];
        for (int r = 1; r <= 4; r++)
            d[r] = face_in(&w->frame, ui_find(&w->frame, UI_TARGET_FACE, r)->rect);
        for (int a = 1; a <= 4; a++)
            for (int b = a + 1; b <= 4; b++)
                if (same_shape(&d[a], &d[b])) {
                    print_error("faces %d and %d have the same features at %dx%d\n", a, b,
                                canvases[ci].w, canvases[ci].h);
                    fail();
                }
        int curve[5];
        for (int r = 1; r <= 4; r++)
            curve[r] = mouth_curve(&d[r]);
        assert_true(curve[1] < curve[2] && curve[2] < 0); /* deep frown, slight frown */
        assert_true(curve[3] > 0 && curve[4] > curve[3]); /* smile, big smile */
    }
}

static void test_pressed_face_acknowledged(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_RATING;
    layout(w, canvases[0]);
    struct face_drawing plain[5];
    struct ui_color plain_color[5];
    for (int r = 1; r <= 4; r++) {
        plain[r] = face_in(&w->frame, ui_find(&w->frame, UI_TARGET_FACE, r)->rect);
        for (int i = 0; i < w->frame.cmd_count; i++)
            if (w->frame.cmds[i].type == UI_CMD_CIRCLE && w->frame.cmds[i].rect.x == plain[r].cx &&
                w->frame.cmds[i].rect.y == plain[r].cy && w->frame.cmds[i].radius == plain[r].r)
                plain_color[r] = w->frame.cmds[i].color;
    }
    w->view.pressed_face = RATING_WOW;
    layout(w, canvases[0]);
    int rings = 0;
    struct ui_rect access = ui_find(&w->frame, UI_TARGET_ACCESSIBLE, 0)->rect;
    for (int i = 0; i < w->frame.cmd_count; i++) {
        const struct ui_cmd *c = &w->frame.cmds[i];
        if (c->type == UI_CMD_RING && !in_rect(access, c->rect.x, c->rect.y)) {
            rings++;
            assert_int_equal(c->rect.x, plain[4].cx); /* around WOW, outside the face */
            assert_int_equal(c->rect.y, plain[4].cy);
            assert_true(c->radius - c->width > plain[4].r);
            assert_true(c->width * 20 >= plain[4].r); /* thick */
        }
        if (c->type == UI_CMD_CIRCLE) {
            for (int r = 1; r <= 4; r++) {
                if (c->rect.x != plain[r].cx || c->rect.y != plain[r].cy || c->radius != plain[r].r)
                    continue;
                bool same = memcmp(&c->color, &plain_color[r], sizeof c->color) == 0;
                assert_true(r == 4 ? same : !same); /* the others dimmed */
            }
        }
    }
    assert_int_equal(rings, 1);
}

/* ---- texts ---- */

static const struct ui_cmd *text_cmd(const struct ui_frame *f, const char *text)
{
    for (int i = 0; i < f->cmd_count; i++)
        if (f->cmds[i].type == UI_CMD_TEXT && strcmp(f->cmds[i].text, text) == 0)
            return &f->cmds[i];
    return NULL;
}

static void test_question_is_big(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_RATING;
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        layout(w, canvases[ci]);
        const struct ui_cmd *q = text_cmd(&w->frame, "How did we do today?");
        assert_non_null(q);
        int short_side = canvases[ci].w < canvases[ci].h ? canvases[ci].w : canvases[ci].h;
        assert_true(q->size_px * 480 >= 32 * short_side);
        assert_true(q->bold);
        /* the question is the biggest text on the screen */
        for (int i = 0; i < w->frame.cmd_count; i++)
            if (w->frame.cmds[i].type == UI_CMD_TEXT)
                assert_true(w->frame.cmds[i].size_px <= q->size_px);
    }
    snprintf(w->config.question.lang[0], CONFIG_TEXT_MAX, "How was your visit?");
    snprintf(w->config.question.lang[2], CONFIG_TEXT_MAX, "Wie war Ihr Besuch?");
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "How was your visit?"));
    assert_null(text_cmd(&w->frame, "How did we do today?"));
    w->view.language = 2;
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "Wie war Ihr Besuch?"));

    /* the rated department's own question is asked instead of the kiosk's */
    w->view.language = 0;
    w->view.department = 1;
    snprintf(w->config.departments[1].question.lang[0], CONFIG_TEXT_MAX, "How was the pharmacy?");
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "How was the pharmacy?"));
    assert_null(text_cmd(&w->frame, "How was your visit?"));
    w->view.department = 0;
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "How was your visit?"));
}

/* An internal team (customer_facing = false) without a question of its
 * own is asked about in its colleagues' words, its name put in (a
 * translation's "%%" a '%').  A staff-area picker offers only the
 * internal teams, under its own title. */
static void test_internal_team_and_staff_picker(void **state)
{
    struct world *w = *state;
    char want[256];
    w->view.screen = KIOSK_SCREEN_RATING;
    w->view.department = 1;
    w->config.departments[1].customer_facing = false;
    w->config.departments[3].customer_facing = false;
    snprintf(w->config.question.lang[0], CONFIG_TEXT_MAX, "How was your visit?");
    layout(w, canvases[0]);
    snprintf(want, sizeof want, "How well did %s help you serve our customers today?",
             w->config.departments[1].name.lang[0]);
    assert_non_null(text_cmd(&w->frame, want));
    assert_null(text_cmd(&w->frame, "How was your visit?"));
    w->view.department = 0; /* customer-facing: the kiosk's question */
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "How was your visit?"));
    w->view.department = 1; /* its own question wins */
    snprintf(w->config.departments[1].question.lang[0], CONFIG_TEXT_MAX, "How was IT?");
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "How was IT?"));
    w->config.departments[1].question.lang[0][0] = '\0';

    char err[256];
    struct i18n_catalog *odd =
        i18n_catalog_parse("odd.po",
                           "msgid \"How well did %s help you serve our customers today?\"\n"
                           "msgstr \"Auttoiko %s 100 %%?\"\n",
                           err, sizeof err);
    assert_non_null(odd);
    w->catalogs[1] = odd;
    w->view.language = 1;
    layout(w, canvases[0]);
    snprintf(want, sizeof want, "Auttoiko %s 100 %%?", w->config.departments[1].name.lang[0]);
    assert_non_null(text_cmd(&w->frame, want));
    w->catalogs[1] = w->fi;
    i18n_catalog_destroy(odd);
    w->view.language = 0;

    w->view.screen = KIOSK_SCREEN_PICKER;
    w->view.department = -1;
    w->config.mode = CONFIG_MODE_PICKER;
    w->config.audience = CONFIG_AUDIENCE_STAFF;
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        layout(w, canvases[ci]);
        check_frame(w, canvases[ci]);
        assert_non_null(text_cmd(&w->frame, "Which team would you like to rate today?"));
        for (int i = 0; i < w->config.department_count; i++)
            if (i == 1 || i == 3)
                assert_non_null(ui_find(&w->frame, UI_TARGET_DEPARTMENT, i));
            else
                assert_null(ui_find(&w->frame, UI_TARGET_DEPARTMENT, i));
    }
    w->config.audience = CONFIG_AUDIENCE_CUSTOMERS;
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "Which team helped you today?"));
    assert_null(ui_find(&w->frame, UI_TARGET_DEPARTMENT, 1));
    assert_non_null(ui_find(&w->frame, UI_TARGET_DEPARTMENT, 0));
}

static void test_translations_and_fallbacks(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_RATING;
    w->view.language = 1; /* fi: the fixture catalog */
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, FIXTURE_FI_QUESTION));
    assert_non_null(text_cmd(&w->frame, "Tyytyväinen"));
    assert_non_null(text_cmd(&w->frame, "Unhappy"));        /* not in the catalog: English */
    assert_non_null(text_cmd(&w->frame, "Asiakaspalvelu")); /* configured translation */
    assert_null(text_cmd(&w->frame, "How did we do today?"));

    w->view.language = 2; /* de: no catalog at all */
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "How did we do today?"));
    assert_non_null(text_cmd(&w->frame, "Front desk"));

    w->view.screen = KIOSK_SCREEN_FOLLOW_UP;
    w->view.language = 1;
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, FIXTURE_FI_SKIP));
    assert_non_null(text_cmd(&w->frame, "Lyhyt odotus"));   /* first-language text translated */
    assert_non_null(text_cmd(&w->frame, "Friendly staff")); /* neither: the text itself */

    /* ui_text directly: configured, catalog, then the text itself. */
    const struct config_department *d = w->config.departments;
    assert_string_equal(ui_text(&w->in, &d[0].name, 1), "Asiakaspalvelu");
    assert_string_equal(ui_text(&w->in, &d[1].name, 1), "Apteekki");
    assert_string_equal(ui_text(&w->in, &d[2].name, 1), "Lab");
    assert_string_equal(ui_text(&w->in, &d[1].name, 2), "Pharmacy");
    assert_string_equal(ui_text(&w->in, &d[1].name, 9), "Pharmacy"); /* bad index: first */
    w->in.catalogs = NULL;
    assert_string_equal(ui_text(&w->in, &d[1].name, 1), "Pharmacy");

    /* A department without any name shows its id, never a blank (nor a
     * catalog's header, which gettext files keep under the empty msgid). */
    w->in.catalogs = w->catalogs;
    memset(&w->config.departments[3].name, 0, sizeof w->config.departments[3].name);
    assert_string_equal(ui_text(&w->in, &w->config.departments[3].name, 1), "");
    w->view.screen = KIOSK_SCREEN_RATING;
    w->view.department = 3;
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, w->config.departments[3].id));
}

static void test_pressed_reason_highlighted(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_FOLLOW_UP;
    w->view.pressed_reason = -1;
    layout(w, canvases[0]);
    struct ui_color normal = text_cmd(&w->frame, "Short wait")->color;
    w->view.pressed_reason = 1;
    layout(w, canvases[0]);
    struct ui_color pressed = text_cmd(&w->frame, "Short wait")->color;
    struct ui_color other = text_cmd(&w->frame, "Friendly staff")->color;
    assert_memory_not_equal(&normal, &pressed, sizeof normal);
    assert_memory_equal(&normal, &other, sizeof normal);
}

static void test_config_error_lists_errors(void **state)
{
    struct world *w = *state;
    w->in.notice = &w->notice;
    fill_errors(w, 2, 2, "/boot/firmware/wowkiosk.conf");
    layout(w, canvases[0]);
    assert_int_equal(w->frame.target_count, 0);
    assert_non_null(text_cmd(&w->frame, "Configuration error"));
    assert_non_null(text_cmd(&w->frame, "/etc/wowkiosk/kiosk.conf"));
    char line[1024];
    for (int i = 0; i < 2; i++) {
        config_error_format(&w->errors.error[i], line, sizeof line);
        assert_non_null(text_cmd(&w->frame, line));
    }
    for (int i = 0; i < w->frame.cmd_count; i++)
        if (w->frame.cmds[i].type == UI_CMD_TEXT)
            assert_null(strstr(w->frame.cmds[i].text, "more"));

    /* More errors than fit: the rest are counted, and the count is right. */
    fill_errors(w, CONFIG_MAX_ERRORS, 57, "/boot/firmware/wowkiosk.conf");
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        layout(w, canvases[ci]);
        check_frame(w, canvases[ci]);
        int shown = 0;
        for (int i = 0; i < CONFIG_MAX_ERRORS; i++) {
            config_error_format(&w->errors.error[i], line, sizeof line);
            shown += text_cmd(&w->frame, line) != NULL;
        }
        assert_true(shown >= 3);
        char more[64];
        snprintf(more, sizeof more, "and %d more", 57 - shown);
        assert_non_null(text_cmd(&w->frame, more));
    }
}

static void test_closed_has_no_targets(void **state)
{
    struct world *w = *state;
    w->view.screen = KIOSK_SCREEN_CLOSED;
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        layout(w, canvases[ci]);
        assert_int_equal(w->frame.target_count, 0);
        assert_non_null(text_cmd(&w->frame, "We are closed"));
        assert_non_null(text_cmd(&w->frame, "Please come back during our opening hours."));
    }
}

/* texts appear in speech in this order, each after the one before */
static void assert_said_in_order(const struct ui_frame *f, const char *const *texts, int n)
{
    assert_non_null(f->speech);
    const char *at = f->speech;
    for (int i = 0; i < n; i++) {
        const char *found = strstr(at, texts[i]);
        if (found == NULL)
            fail_msg("'%s' not said after its predecessor in \"%s\"", texts[i], f->speech);
        at = found + strlen(texts[i]);
    }
}

static int clear_luminance(const struct ui_frame *f)
{
    struct ui_color c = f->cmds[0].color;
    return c.r + c.g + c.b;
}

/* Accessibility mode: a button on every screen where a customer chooses
 * (none on thanks and closed), high contrast (a black ground), larger
 * faces and text, and what each screen says in the order a finger meets
 * its buttons, in the customer's language; the technician's screens stay
 * plain. */
static void test_accessible_mode(void **state)
{
    struct world *w = *state;
    for (int ci = 0; ci < CANVAS_COUNT; ci++) {
        w->view.screen = KIOSK_SCREEN_RATING;
        w->view.accessible = false;
        layout(w, canvases[ci]);
        assert_non_null(ui_find(&w->frame, UI_TARGET_ACCESSIBLE, 0));
        assert_null(w->frame.speech); /* said only in the mode */
        int plain_r = face_in(&w->frame, ui_find(&w->frame, UI_TARGET_FACE, 1)->rect).r;
        int plain_q = text_cmd(&w->frame, "How did we do today?")->size_px;
        assert_true(clear_luminance(&w->frame) > 600);

        w->view.accessible = true;
        layout(w, canvases[ci]);
        assert_true(clear_luminance(&w->frame) == 0);
        int big_r = face_in(&w->frame, ui_find(&w->frame, UI_TARGET_FACE, 1)->rect).r;
        /* larger everywhere, by a tenth at least on the 7" panel (wide canvases
         * are bound by height, which the larger labels share) */
        assert_true(big_r * 100 >= plain_r * (ci == 0 ? 110 : 101));
        assert_true(text_cmd(&w->frame, "How did we do today?")->size_px * 100 >= plain_q * 120);
        const char *rating[] = {"How did we do today?", "Very unhappy", "Unhappy", "Happy", "WOW"};
        assert_said_in_order(&w->frame, rating, 5);

        w->view.language = 1; /* Finnish */
        layout(w, canvases[ci]);
        const char *fi[] = {FIXTURE_FI_QUESTION, "Erittäin tyytymätön", "Tyytyväinen"};
        assert_said_in_order(&w->frame, fi, 3);
        w->view.language = 0;

        w->view.screen = KIOSK_SCREEN_FOLLOW_UP;
        w->view.followup_positive = true;
        layout(w, canvases[ci]);
        assert_non_null(ui_find(&w->frame, UI_TARGET_ACCESSIBLE, 0));
        const char *followup[] = {"What made it great?", w->config.positive[0].label.lang[0],
                                  "Skip."};
        if (ui_find(&w->frame, UI_TARGET_REASON, 0) != NULL)
            assert_said_in_order(&w->frame, followup, 3);

        w->view.screen = KIOSK_SCREEN_THANKS;
        layout(w, canvases[ci]);
        assert_null(ui_find(&w->frame, UI_TARGET_ACCESSIBLE, 0));
        const char *thanks[] = {"Thank you!", "Your feedback helps us serve you better."};
        assert_said_in_order(&w->frame, thanks, 2);

        w->view.screen = KIOSK_SCREEN_CLOSED;
        layout(w, canvases[ci]);
        assert_null(w->frame.speech);
        assert_int_equal(w->frame.target_count, 0);
    }
    /* the technician's notice over an accessible view: plain colours */
    w->view.screen = KIOSK_SCREEN_RATING;
    w->in.notice = &w->notice;
    fill_errors(w, 2, 2, "kiosk.conf");
    layout(w, canvases[0]);
    int accessible_clear = clear_luminance(&w->frame), accessible_cmds = w->frame.cmd_count;
    int accessible_size = w->frame.cmds[1].size_px;
    w->view.accessible = false;
    layout(w, canvases[0]);
    assert_int_equal(clear_luminance(&w->frame), accessible_clear);
    assert_int_equal(w->frame.cmd_count, accessible_cmds);
    assert_int_equal(w->frame.cmds[1].size_px, accessible_size);
    w->in.notice = NULL;
    w->view.accessible = false;
}

/* reach = low: on portrait canvases every customer's button is in the
 * lower part, on landscape ones nothing moves; in every screen and shape,
 * accessibility mode and picker mode included. */
static void test_low_reach(void **state)
{
    struct world *w = *state;
    const struct fixture_shape shapes[] = {
        {.languages = 3, .departments = 6, .reasons = 6},
        {.languages = 3, .picker = true, .departments = 6, .reasons = 4},
        {.languages = 1, .departments = 1, .reasons = 2},
    };
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        fixture_config(&w->config, &shapes[s]);
        for (int screen = KIOSK_SCREEN_PICKER; screen <= KIOSK_SCREEN_FOLLOW_UP; screen++) {
            w->view.screen = (enum kiosk_screen)screen;
            w->view.department = screen == KIOSK_SCREEN_PICKER ? -1 : 0;
            for (int accessible = 0; accessible <= 1; accessible++) {
                w->view.accessible = accessible;
                for (int ci = 0; ci < CANVAS_COUNT; ci++) {
                    struct canvas c = canvases[ci];
                    w->config.reach = CONFIG_REACH_FULL;
                    layout(w, c);
                    struct ui_frame full = w->frame;
                    w->config.reach = CONFIG_REACH_LOW;
                    layout(w, c);
                    check_frame(w, c);
                    int lowest_top = c.h;
                    for (int i = 0; i < w->frame.target_count; i++) {
                        const struct ui_target *t = &w->frame.targets[i];
                        if (t->rect.y < lowest_top)
                            lowest_top = t->rect.y;
                        if (c.h > c.w)
                            check(t->rect.y * 100 >= c.h * UI_LOW_REACH_PERCENT, w,
                                  "a button above the low reach line", i);
                    }
                    if (c.h <= c.w) /* landscape: the same targets */
                        assert_memory_equal(full.targets, w->frame.targets,
                                            sizeof full.targets[0] * (size_t)full.target_count);
                    assert_true(w->frame.target_count > 0 && lowest_top < c.h);
                }
            }
        }
    }
    w->config.reach = CONFIG_REACH_FULL;
    w->view.accessible = false;
}

/* "You said, we did": the note on the idle rating screen and on the
 * thank-you screen, only on its days (today unknown: only an undated
 * note), in the customer's language, never a touch target, and said in
 * accessibility mode. */
static void test_we_did(void **state)
{
    struct world *w = *state;
    struct config_department *d = &w->config.departments[0];
    snprintf(d->we_did.lang[0], CONFIG_TEXT_MAX, "%s", "We opened a second counter.");
    snprintf(d->we_did.lang[1], CONFIG_TEXT_MAX, "%s", "Avasimme toisen tiskin.");
    const char *en_line = "You said, we did: We opened a second counter.";
    w->view.department = 0;
    struct {
        int32_t from, until, today;
        bool shown;
    } days[] = {
        {0, 0, 0, true},
        {20261201, 20261231, 20261205, true},
        {20261201, 20261231, 20261201, true},
        {20261201, 20261231, 20261231, true},
        {20261201, 20261231, 20261130, false},
        {20261201, 20261231, 20270101, false},
        {20261201, 0, 20300101, true},
        {0, 20261231, 20261231, true},
        {20261201, 20261231, 0, false},
    };
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        d->we_did_from = days[i].from;
        d->we_did_until = days[i].until;
        w->in.today = days[i].today;
        for (int ci = 0; ci < CANVAS_COUNT; ci++) {
            w->view.screen = KIOSK_SCREEN_RATING;
            layout(w, canvases[ci]);
            check_frame(w, canvases[ci]);
            assert_true((text_cmd(&w->frame, en_line) != NULL) == days[i].shown);
            w->view.screen = KIOSK_SCREEN_THANKS;
            layout(w, canvases[ci]);
            check_frame(w, canvases[ci]);
            assert_true((text_cmd(&w->frame, "We opened a second counter.") != NULL) ==
                        days[i].shown);
            assert_true((text_cmd(&w->frame, "You said, we did") != NULL) == days[i].shown);
        }
    }
    d->we_did_from = d->we_did_until = 0;
    w->view.language = 1;
    w->view.screen = KIOSK_SCREEN_THANKS;
    layout(w, canvases[0]);
    assert_non_null(text_cmd(&w->frame, "Avasimme toisen tiskin."));
    w->view.language = 0;
    w->view.accessible = true;
    layout(w, canvases[0]);
    const char *said[] = {"Thank you!", "You said, we did", "We opened a second counter."};
    assert_said_in_order(&w->frame, said, 3);
    /* this week's figure: only when the department asks for it, and has answers */
    struct ui_week week = {.answers = 412, .satisfied = 354};
    const char *figure = "This week here: 86 % satisfied (412 answers)";
    w->view.accessible = false;
    w->in.week = &week;
    for (int score = 0; score <= 1; score++) {
        d->we_did_score = score;
        for (int screen = KIOSK_SCREEN_RATING; screen <= KIOSK_SCREEN_THANKS; screen += 2) {
            w->view.screen = (enum kiosk_screen)screen;
            layout(w, canvases[0]);
            bool found = false;
            for (int i = 0; i < w->frame.cmd_count; i++)
                found |= w->frame.cmds[i].type == UI_CMD_TEXT &&
                         strstr(w->frame.cmds[i].text, figure) != NULL;
            assert_true(found == (score == 1));
        }
    }
    week.answers = week.satisfied = 0;
    w->view.screen = KIOSK_SCREEN_THANKS;
    layout(w, canvases[0]);
    for (int i = 0; i < w->frame.cmd_count; i++)
        assert_false(w->frame.cmds[i].type == UI_CMD_TEXT &&
                     strstr(w->frame.cmds[i].text, "This week here") != NULL);
    w->in.week = NULL;
    d->we_did_score = false;
    w->view.accessible = true;
    w->view.screen = KIOSK_SCREEN_PICKER; /* the picker has no department: no note */
    w->view.department = -1;
    layout(w, canvases[0]);
    for (int i = 0; i < w->frame.cmd_count; i++)
        assert_false(w->frame.cmds[i].type == UI_CMD_TEXT &&
                     strstr(w->frame.cmds[i].text, "second counter") != NULL);
    w->view.accessible = false;
    memset(&d->we_did, 0, sizeof d->we_did);
}

/* The arena holds what fits and cuts the rest at a character boundary. */
static void test_arena_never_overflows(void **state)
{
    struct world *w = *state;
    w->in.notice = &w->notice;
    char path[CONFIG_PATH_MAX];
    memset(path, 0, sizeof path);
    for (size_t i = 0; i + 2 < sizeof path - 1; i += 2)
        memcpy(path + i, "\xc3\xa4", 2); /* "ä" again and again */
    fill_errors(w, CONFIG_MAX_ERRORS, CONFIG_MAX_ERRORS, path);
    layout(w, (struct canvas){1280, 4000}); /* tall: room for every error */
    check_texts(w);
    assert_true(w->frame.arena_used <= UI_TEXT_ARENA);
    for (int i = 0; i < w->frame.cmd_count; i++) {
        const struct ui_cmd *c = &w->frame.cmds[i];
        if (c->type != UI_CMD_TEXT)
            continue;
        size_t n = strlen(c->text);
        /* never half a character at the end */
        assert_false(n > 0 && (unsigned char)c->text[n - 1] == 0xc3);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_screen_fits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rating_faces_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_followup_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_picker_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faces_differ_in_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pressed_face_acknowledged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_question_is_big, setup, teardown),
        cmocka_unit_test_setup_teardown(test_translations_and_fallbacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_internal_team_and_staff_picker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pressed_reason_highlighted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_error_lists_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed_has_no_targets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_arena_never_overflows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_technician_screens_fit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accessible_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_low_reach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_we_did, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
