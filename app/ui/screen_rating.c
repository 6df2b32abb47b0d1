/*
 * screen_rating: the start of a customer's visit: the rating screen (the
 * question and the four faces), the department picker, and the language
 * bar both of them carry along the bottom.
 *
 * Landscape puts the faces in one row, very unhappy at the left and WOW at
 * the right; portrait puts them in a 2 x 2 grid in the same reading order
 * (very unhappy, unhappy / happy, WOW).  Each face's touch target is its
 * whole cell, so a customer's finger landing a bit off the face still
 * counts, and the cells tile without gaps or overlaps.
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "i18n.h"
#include "rating.h"
#include "ui_private.h"

#define PICKER_MAX_COLUMNS 6

static bool is_portrait(const struct ui_ctx *c)
{
    return c->h > c->w;
}

int ui_accessible_button_width(const struct ui_ctx *c)
{
    return ui_px(c, 76);
}

struct ui_rect ui_accessible_rect(const struct ui_ctx *c, int y, int h)
{
    int w = ui_accessible_button_width(c);
    int right = c->w - technician_corner_size(c->w, c->h) - c->gap / 2;
    return (struct ui_rect){right - w, y, w, h};
}

/* Whether the accessibility button fits at the end of the bottom bar with
 * every language button still >= 120 px (at 480) wide; if not (a narrow
 * portrait screen) it sits in the top right corner instead. */
static bool accessible_in_bar(const struct ui_ctx *c, bool back)
{
    int n = c->config->language_count > 1 ? c->config->language_count : 0;
    int need = c->w - ui_accessible_rect(c, 0, 0).x - c->margin + 2 * c->gap;
    if (back)
        need += ui_px(c, 120) + 2 * c->gap;
    if (n > 0)
        need += n * ui_px(c, 120) + (n - 1) * c->gap;
    return need <= c->w - 2 * c->margin;
}

/* The box for the screen's title at the top (question, picker title),
 * under the accessibility button when that is in the top right corner. */
static struct ui_rect title_box(const struct ui_ctx *c, bool back)
{
    float top = 0.04f * (float)c->h;
    float height = (is_portrait(c) ? 0.14f : 0.17f) * (float)c->h;
    struct ui_rect r = {c->margin, (int)top, c->w - 2 * c->margin, (int)height};
    if (!accessible_in_bar(c, back) && c->reach_top == 0)
        r.y += ui_px(c, 56) + c->gap / 2;
    return r;
}

static void back_button(struct ui_ctx *c, struct ui_rect r)
{
    /* A no-break space keeps the arrow with its word when the label wraps. */
    const char *label = ui_arena_printf(c, "\u2190\u00a0%s", ui_msg(c, "Back"));
    ui_add_button(c, r, label, ui_px(c, 20), UI_BUTTON_QUIET);
    ui_add_target(c, UI_TARGET_BACK, 0, r);
}

int ui_language_bar(struct ui_ctx *c, bool back)
{
    int n = c->config->language_count;
    int bh = ui_px(c, 56);
    int y = c->h - c->margin - bh;
    int left = c->margin, right = c->w - c->margin;
    /* The accessibility button at the bar's right end; where the bar is too
     * full, in the top right corner, or just above the bar when the screen's
     * buttons must stay low (then the bar is said to start there). */
    int bar_top = y;
    if (accessible_in_bar(c, back)) {
        struct ui_rect a = ui_accessible_rect(c, y, bh);
        ui_add_accessible_button(c, a);
        right = a.x - 2 * c->gap;
    } else if (c->reach_top > 0) {
        bar_top = y - bh - c->gap;
        ui_add_accessible_button(c, ui_accessible_rect(c, bar_top, bh));
    } else {
        ui_add_accessible_button(c, ui_accessible_rect(c, (int)(0.04f * (float)c->h), bh));
    }
    if (back) {
        int bw = (right - left) / 4;
        if (bw > ui_px(c, 160))
            bw = ui_px(c, 160);
        back_button(c, (struct ui_rect){left, y, bw, bh});
        left += bw + 2 * c->gap;
    }
    if (n <= 1)
        return bar_top;
    int avail = right - left;
    int bw = (avail - (n - 1) * c->gap) / n;
    if (bw > ui_px(c, 150))
        bw = ui_px(c, 150);
    int total = n * bw + (n - 1) * c->gap;
    /* Centred on the screen alone (moved left of the accessibility button if
     * need be); next to Back, kept to the right so the two never touch. */
    int x = back ? right - total : (c->w - total) / 2;
    if (x + total > right)
        x = right - total;
    if (x < left)
        x = left;
    for (int i = 0; i < n; i++, x += bw + c->gap) {
        struct ui_rect r = {x, y, bw, bh};
        const char *name = i18n_native_name(c->config->languages[i]);
        ui_add_button(c, r, name, ui_px(c, 20),
                      i == c->lang ? UI_BUTTON_SELECTED : UI_BUTTON_NORMAL);
        ui_add_target(c, UI_TARGET_LANGUAGE, i, r);
    }
    return bar_top;
}

/* An internal team's question, worded for the colleagues who rate it: the
 * translation's "%s" becomes the team's name and "%%" a '%' (done by hand:
 * the catalog's parser has already held the translation to the msgid's one
 * "%s", and a text read from a file is never handed to printf). */
static const char *internal_question(struct ui_ctx *c, int department)
{
    const char *t = ui_msg(c, "How well did %s help you serve our customers today?");
    const char *name = ui_department_name(c, department);
    char out[2 * CONFIG_TEXT_MAX];
    size_t n = 0;
    bool named = false;
    for (const char *s = t; *s != '\0' && n + 1 < sizeof out; s++) {
        if (s[0] == '%' && s[1] == '%') {
            out[n++] = '%';
            s++;
        } else if (s[0] == '%' && s[1] == 's' && !named) {
            n += (size_t)snprintf(out + n, sizeof out - n, "%s", name);
            n = n < sizeof out ? n : sizeof out - 1;
            named = true;
            s++;
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
    return ui_arena_printf(c, "%s", out);
}

/* The rated department's own question when it has one; an internal
 * team's worded for colleagues; else the kiosk's. */
static const char *question_text(struct ui_ctx *c)
{
    const struct config *config = c->config;
    int d = c->view->department;
    const struct config_text *q = &config->question;
    bool known = d >= 0 && d < config->department_count;
    if (known && config->departments[d].question.lang[0][0])
        q = &config->departments[d].question;
    else if (known && !config->departments[d].customer_facing)
        return internal_question(c, d);
    if (q->lang[0][0] == '\0')
        return ui_msg(c, "How did we do today?");
    return ui_text(c->in, q, c->lang);
}

/* One face in its cell: the face, its label under it, the pressed ring. */
static void face_cell(struct ui_ctx *c, int rating, struct ui_rect cell)
{
    int pressed = c->view->pressed_face;
    int label_h = ui_px(c, c->accessible ? 64 : 56); /* two lines: long labels wrap first */
    float fw = c->accessible ? 0.45f : 0.37f, fh = c->accessible ? 0.44f : 0.40f;
    float rw = fw * (float)cell.w, rh = fh * (float)(cell.h - label_h);
    int r = (int)(rw < rh ? rw : rh);
    int spacing = r / 4; /* room for the pressed ring between face and label */
    int block = 2 * r + spacing + label_h;
    int cx = cell.x + cell.w / 2;
    int cy = cell.y + (cell.h - block) / 2 + r;
    if (pressed == rating)
        ui_add_ring(c, cx, cy, r + r / 5, r / 10 > 3 ? r / 10 : 3, c->pal->ink);
    ui_draw_face(c, rating, cx, cy, r, pressed != 0 && pressed != rating);
    struct ui_rect label = {cell.x + ui_px(c, 4), cy + r + spacing, cell.w - ui_px(c, 8), label_h};
    bool quiet = pressed != 0 && pressed != rating;
    ui_add_text(c, label, ui_msg(c, ui_face_label(rating)), ui_px(c, 22), true,
                quiet ? c->pal->ink_soft : c->pal->ink, UI_ALIGN_CENTER);
    ui_add_target(c, UI_TARGET_FACE, rating, cell);
}

void ui_layout_rating(struct ui_ctx *c)
{
    ui_add(c, UI_CMD_CLEAR, c->pal->background);
    bool back = c->config->mode == CONFIG_MODE_PICKER;
    int bottom = ui_language_bar(c, back) - c->gap;

    struct ui_rect q = title_box(c, back);
    ui_add_text(c, q, question_text(c), ui_px(c, 40), true, c->pal->ink, UI_ALIGN_CENTER);
    struct ui_rect dept = {q.x, q.y + q.h, q.w, ui_px(c, 34)};
    const char *name = ui_department_name(c, c->view->department);
    if (name[0] != '\0')
        ui_add_text(c, dept, name, ui_px(c, 24), false, c->pal->ink_soft, UI_ALIGN_CENTER);

    int top = dept.y + dept.h + c->gap;
    /* "You said, we did": a quiet line under the department, no button */
    const char *we_did = ui_we_did(c, c->view->department);
    const char *we_did_line = NULL;
    if (we_did != NULL) {
        const char *week = ui_we_did_week(c, c->view->department);
        we_did_line =
            week != NULL
                ? ui_arena_printf(c, "%s: %s · %s", ui_msg(c, "You said, we did"), we_did, week)
                : ui_arena_printf(c, "%s: %s", ui_msg(c, "You said, we did"), we_did);
        int line_h = ui_px(c, is_portrait(c) ? 60 : 30); /* portrait: room for two lines */
        struct ui_rect note = {q.x, dept.y + dept.h, q.w, line_h};
        ui_add_text(c, note, we_did_line, ui_px(c, 18), false, c->pal->ink_soft, UI_ALIGN_CENTER);
        top = note.y + note.h + c->gap;
    }
    if (top < c->reach_top)
        top = c->reach_top;
    struct ui_rect area = {c->margin, top, c->w - 2 * c->margin, bottom - top};
    int cols = is_portrait(c) ? 2 : 4, rows = is_portrait(c) ? 2 : 1;
    for (int rating = RATING_VERY_UNHAPPY; rating <= RATING_WOW; rating++)
        face_cell(c, rating, ui_grid_cell(area, cols, rows, 0, rating - 1, RATING_COUNT));

    const char *said[4 + RATING_COUNT] = {
        question_text(c), name, we_did_line,
        ui_msg(c, rows > 1 ? "From left to right, top to bottom:" : "From left to right:")};
    for (int rating = RATING_VERY_UNHAPPY; rating <= RATING_WOW; rating++)
        said[3 + rating] = ui_msg(c, ui_face_label(rating));
    ui_say(c, said, 4 + RATING_COUNT);
}

/* Columns for n department buttons in area: the count whose buttons give
 * the largest text, judged as min(width / 3, height) (names are wide). */
static int picker_columns(const struct ui_ctx *c, struct ui_rect area, int n)
{
    int best = 1, best_score = -1;
    for (int cols = 1; cols <= n && cols <= PICKER_MAX_COLUMNS; cols++) {
        int rows = (n + cols - 1) / cols;
        int cw = (area.w - (cols - 1) * c->gap) / cols;
        int ch = (area.h - (rows - 1) * c->gap) / rows;
        int score = cw / 3 < ch ? cw / 3 : ch;
        if (score > best_score) {
            best = cols;
            best_score = score;
        }
    }
    return best;
}

void ui_layout_picker(struct ui_ctx *c)
{
    ui_add(c, UI_CMD_CLEAR, c->pal->background);
    int bottom = ui_language_bar(c, false) - 2 * c->gap;
    struct ui_rect t = title_box(c, false);
    bool staff = c->config->audience == CONFIG_AUDIENCE_STAFF;
    ui_add_text(c, t,
                ui_msg(c, staff ? "Which team would you like to rate today?"
                                : "Which team helped you today?"),
                ui_px(c, 36), true, c->pal->ink, UI_ALIGN_CENTER);

    /* the departments it offers (a staff area's kiosk: the internal teams) */
    int offered[CONFIG_MAX_DEPARTMENTS], n = 0;
    for (int i = 0; i < c->config->department_count && n < CONFIG_MAX_DEPARTMENTS; i++)
        if (config_offers(c->config, i))
            offered[n++] = i;
    if (n <= 0)
        return;
    int top = t.y + t.h + c->gap;
    if (top < c->reach_top)
        top = c->reach_top;
    struct ui_rect area = {c->margin, top, c->w - 2 * c->margin, bottom - top};
    int cols = picker_columns(c, area, n);
    int rows = (n + cols - 1) / cols;
    /* Few departments: buttons of a sensible height, the grid centred. */
    int max_h = rows * ui_px(c, 110) + (rows - 1) * c->gap;
    if (area.h > max_h) {
        area.y += (area.h - max_h) / 2;
        area.h = max_h;
    }
    const char *said[2 + CONFIG_MAX_DEPARTMENTS] = {
        ui_msg(c,
               staff ? "Which team would you like to rate today?" : "Which team helped you today?"),
        ui_msg(c, rows > 1 ? "From left to right, top to bottom:" : "From left to right:")};
    for (int i = 0; i < n; i++) {
        struct ui_rect r = ui_grid_cell(area, cols, rows, c->gap, i, n);
        ui_add_button(c, r, ui_department_name(c, offered[i]), ui_px(c, 24), UI_BUTTON_NORMAL);
        ui_add_target(c, UI_TARGET_DEPARTMENT, offered[i], r);
        said[2 + i] = ui_department_name(c, offered[i]);
    }
    ui_say(c, said, 2 + n);
}
