/*
 * faces: the four rating faces, drawn from circles, lines and polygons.
 *
 * They differ in shape, not only in colour, so a colour-blind customer (or
 * a washed-out panel in sunlight) still tells them apart:
 *   1 very unhappy  red          round eyes, brows slanted up toward the
 *                                middle (worried), deep frown
 *   2 unhappy       orange       round eyes, slight frown
 *   3 happy         light green  round eyes, smile
 *   4 WOW           dark green   star eyes, big open smile (a filled shape)
 * Geometry is in fractions of the face's radius, so a face looks the same
 * at every size.
 */
#include <math.h>

#include "rating.h"
#include "ui_private.h"

#define FACE_PI           3.14159265358979323846f
#define FACE_MOUTH_POINTS 11 /* per polyline mouth, <= UI_MAX_POINTS */
#define FACE_STAR_TIPS    5

struct face_shape {
    float mouth_half_w; /* half the mouth's width */
    float mouth_ends_y; /* y of the corners of the mouth */
    float mouth_mid_y;  /* y of its middle: below the ends = smile */
    float mouth_width;  /* line width */
};

/* Per rating 1..4 ([0] unused).  WOW's mouth is a polygon (see wow_mouth). */
static const struct face_shape face_shapes[RATING_COUNT + 1] = {
    [1] = {0.40f, 0.52f, 0.26f, 0.085f},
    [2] = {0.34f, 0.44f, 0.34f, 0.08f},
    [3] = {0.40f, 0.22f, 0.44f, 0.085f},
    [4] = {0.52f, 0.10f, 0.62f, 0.0f},
};

struct ui_color ui_face_color(int rating)
{
    switch (rating) {
    case 1:
        return UI_RGB(214, 52, 52);
    case 2:
        return UI_RGB(242, 142, 28);
    case 3:
        return UI_RGB(132, 196, 65);
    default:
        return UI_RGB(22, 128, 66);
    }
}

const char *ui_face_label(int rating)
{
    static const char *const labels[RATING_COUNT + 1] = {"", "Very unhappy", "Unhappy", "Happy",
                                                         "WOW"};
    return rating_is_valid(rating) ? labels[rating] : "";
}

/* Mixes colour toward the background: what a dimmed face looks like. */
static struct ui_color fade(struct ui_color c, struct ui_color bg, bool dimmed)
{
    if (!dimmed)
        return c;
    const int keep = 35; /* percent of the colour left */
    c.r = (uint8_t)((c.r * keep + bg.r * (100 - keep)) / 100);
    c.g = (uint8_t)((c.g * keep + bg.g * (100 - keep)) / 100);
    c.b = (uint8_t)((c.b * keep + bg.b * (100 - keep)) / 100);
    return c;
}

static struct ui_point face_point(int cx, int cy, int r, float fx, float fy)
{
    return (struct ui_point){(int16_t)lroundf((float)cx + fx * (float)r),
                             (int16_t)lroundf((float)cy + fy * (float)r)};
}

/* The mouth's y at t in -1..1 across it: a parabola through the corners
 * and the middle. */
static float mouth_y(const struct face_shape *s, float t)
{
    return s->mouth_ends_y + (s->mouth_mid_y - s->mouth_ends_y) * (1.0f - t * t);
}

static void line_mouth(struct ui_ctx *c, const struct face_shape *s, int cx, int cy, int r,
                       struct ui_color ink)
{
    struct ui_cmd *cmd = ui_add(c, UI_CMD_POLYLINE, ink);
    if (cmd == NULL)
        return;
    cmd->width = (int)lroundf(s->mouth_width * (float)r);
    cmd->point_count = FACE_MOUTH_POINTS;
    for (int i = 0; i < FACE_MOUTH_POINTS; i++) {
        float t = -1.0f + 2.0f * (float)i / (FACE_MOUTH_POINTS - 1);
        cmd->points[i] = face_point(cx, cy, r, t * s->mouth_half_w, mouth_y(s, t));
    }
}

/* WOW's open smile: a gently curved upper lip and a deep round lower one,
 * filled, with a tongue inside. */
static void wow_mouth(struct ui_ctx *c, const struct face_shape *s, int cx, int cy, int r,
                      struct ui_color ink, struct ui_color tongue)
{
    enum { TOP = 7, BOTTOM = 15 };
    struct ui_cmd *cmd = ui_add(c, UI_CMD_POLYGON, ink);
    if (cmd == NULL)
        return;
    int n = 0;
    for (int i = 0; i < TOP; i++) { /* left to right along the upper lip */
        float t = -1.0f + 2.0f * (float)i / (TOP - 1);
        float y = s->mouth_ends_y + 0.05f * (1.0f - t * t);
        cmd->points[n++] = face_point(cx, cy, r, t * s->mouth_half_w, y);
    }
    for (int i = 1; i < BOTTOM - 1; i++) { /* right to left along the lower lip */
        float t = 1.0f - 2.0f * (float)i / (BOTTOM - 1);
        cmd->points[n++] = face_point(cx, cy, r, t * s->mouth_half_w, mouth_y(s, t));
    }
    cmd->point_count = n;

    /* The tongue: the lower lip's middle part closed by a flatter arc. */
    struct ui_cmd *tc = ui_add(c, UI_CMD_POLYGON, tongue);
    if (tc == NULL)
        return;
    n = 0;
    const float span = 0.5f, inset = 0.06f;
    for (int i = 0; i <= 8; i++) { /* along the lower lip, inside it */
        float t = -span + 2.0f * span * (float)i / 8;
        tc->points[n++] = face_point(cx, cy, r, t * s->mouth_half_w, mouth_y(s, t) - inset);
    }
    for (int i = 1; i < 8; i++) { /* back along the tongue's upper edge */
        float t = span - 2.0f * span * (float)i / 8;
        float y = mouth_y(s, span) - inset - 0.14f * (1.0f - (t / span) * (t / span));
        tc->points[n++] = face_point(cx, cy, r, t * s->mouth_half_w, y);
    }
    tc->point_count = n;
}

/* A five-pointed star eye centred at (fx, fy) in face units. */
static void star_eye(struct ui_ctx *c, int cx, int cy, int r, float fx, float fy,
                     struct ui_color ink)
{
    struct ui_cmd *cmd = ui_add(c, UI_CMD_POLYGON, ink);
    if (cmd == NULL)
        return;
    const float outer = 0.17f, inner = 0.075f;
    cmd->point_count = 2 * FACE_STAR_TIPS;
    for (int i = 0; i < 2 * FACE_STAR_TIPS; i++) {
        float a = -FACE_PI / 2 + (float)i * FACE_PI / FACE_STAR_TIPS;
        float rad = i % 2 == 0 ? outer : inner;
        cmd->points[i] = face_point(cx, cy, r, fx + rad * cosf(a), fy + rad * sinf(a));
    }
}

/* Worried brows: each rises toward the middle of the face. */
static void worried_brows(struct ui_ctx *c, int cx, int cy, int r, struct ui_color ink)
{
    for (int side = -1; side <= 1; side += 2) {
        struct ui_cmd *cmd = ui_add(c, UI_CMD_POLYLINE, ink);
        if (cmd == NULL)
            return;
        cmd->width = (int)lroundf(0.075f * (float)r);
        cmd->point_count = 2;
        cmd->points[0] = face_point(cx, cy, r, (float)side * 0.52f, -0.40f);
        cmd->points[1] = face_point(cx, cy, r, (float)side * 0.17f, -0.56f);
    }
}

void ui_draw_face(struct ui_ctx *c, int rating, int cx, int cy, int r, bool dimmed)
{
    if (!rating_is_valid(rating))
        return;
    const struct face_shape *s = &face_shapes[rating];
    struct ui_color ink = fade(c->pal->feature, c->pal->background, dimmed);
    ui_add_circle(c, cx, cy, r, fade(ui_face_color(rating), c->pal->background, dimmed));
    if (rating == RATING_WOW) {
        star_eye(c, cx, cy, r, -0.33f, -0.24f, ink);
        star_eye(c, cx, cy, r, 0.33f, -0.24f, ink);
        wow_mouth(c, s, cx, cy, r, ink, fade(UI_RGB(240, 110, 110), c->pal->background, dimmed));
        return;
    }
    int eye_r = (int)lroundf(0.105f * (float)r);
    int eye_dx = (int)lroundf(0.32f * (float)r), eye_y = cy - (int)lroundf(0.2f * (float)r);
    ui_add_circle(c, cx - eye_dx, eye_y, eye_r, ink);
    ui_add_circle(c, cx + eye_dx, eye_y, eye_r, ink);
    if (rating == RATING_VERY_UNHAPPY)
        worried_brows(c, cx, cy, r, ink);
    line_mouth(c, s, cx, cy, r, ink);
}
