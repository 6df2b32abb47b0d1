/*
 * ui_private: what the ui module's files share and nobody else sees: the
 * layout in progress (struct ui_ctx), the palette, and small builders that
 * append commands and targets to the frame.
 *
 * Sizes are given "at 480": in pixels for a canvas whose short side is 480
 * (the 7" 800x480 panel) and scaled by ui_ctx.u = min(w, h) / 480, so the
 * same screen works at 800x480, 1280x800 and turned to portrait.
 */
#ifndef WOW_UI_PRIVATE_H
#define WOW_UI_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include "ui.h"

#define UI_RGB(r, g, b) ((struct ui_color){(r), (g), (b), 255})

/* The colours a customer screen is drawn in: ui_palette_standard (calm,
 * light: ink on near-white is > 14:1) or, in accessibility mode,
 * ui_palette_contrast (white and yellow on black, every text >= 12:1). */
struct ui_palette {
    struct ui_color background;
    struct ui_color card;     /* buttons */
    struct ui_color outline;  /* around buttons; alpha 0: none, a shadow instead */
    struct ui_color shadow;   /* under buttons */
    struct ui_color quiet;    /* secondary buttons: skip, back */
    struct ui_color ink;      /* text, the pressed ring */
    struct ui_color ink_soft; /* secondary text */
    struct ui_color selected; /* the current language, a pressed reason */
    struct ui_color on_selected;
    struct ui_color feature; /* eyes, brows and mouths */
};

extern const struct ui_palette ui_palette_standard;
extern const struct ui_palette ui_palette_contrast;

/* How much larger text is in accessibility mode (the display still
 * shrinks a text that would not fit its box, never cuts it). */
#define UI_ACCESSIBLE_TEXT_SCALE 1.25f

/* A layout in progress.  Everything in it is borrowed. */
struct ui_ctx {
    struct ui_frame *frame;
    const struct ui_input *in;
    const struct config *config;
    const struct kiosk_view *view;
    const struct i18n_catalog *catalog; /* of the view's language; NULL: English */
    int lang;                           /* the view's language, clamped to the config's */
    int w, h;
    float u;    /* scale: min(w, h) / 480 */
    int margin; /* around the screen's edge */
    int gap;    /* between buttons */
    const struct ui_palette *pal;
    bool accessible; /* the view's accessibility mode: larger, high contrast, spoken */
    float text_scale;
    int reach_top; /* no button above this y (config reach = low on a portrait canvas); 0: none */
};

enum ui_button_style {
    UI_BUTTON_NORMAL,   /* white card with a soft shadow */
    UI_BUTTON_SELECTED, /* ink fill, white text: current language, pressed reason */
    UI_BUTTON_QUIET,    /* grey fill: skip, back */
};

/* ---- ui_build.c: builders ---- */

/* px_at_480 scaled to this canvas, rounded. */
int ui_px(const struct ui_ctx *c, float px_at_480);

/* Appends a command of this type and colour; NULL (logged) if the frame is
 * full, so callers must check before filling in more. */
struct ui_cmd *ui_add(struct ui_ctx *c, enum ui_cmd_type type, struct ui_color color);

void ui_add_rect(struct ui_ctx *c, struct ui_rect r, int radius, struct ui_color color);
void ui_add_circle(struct ui_ctx *c, int cx, int cy, int radius, struct ui_color color);
void ui_add_ring(struct ui_ctx *c, int cx, int cy, int radius, int width, struct ui_color color);
void ui_add_text(struct ui_ctx *c, struct ui_rect r, const char *text, int size_px, bool bold,
                 struct ui_color color, enum ui_align align);
void ui_add_target(struct ui_ctx *c, enum ui_target_kind kind, int index, struct ui_rect r);

/* A rounded button with its text centred in it; size_px at this canvas. */
void ui_add_button(struct ui_ctx *c, struct ui_rect r, const char *text, int size_px,
                   enum ui_button_style style);

/* Copies a formatted text into the frame's arena and returns it there (cut
 * at a UTF-8 character boundary if the arena is nearly full; "" when it
 * is full). */
const char *ui_arena_printf(struct ui_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The view's translation of an English msgid. */
const char *ui_msg(const struct ui_ctx *c, const char *msgid);

/* A department's name in the view's language; its id if it has no name. */
const char *ui_department_name(const struct ui_ctx *c, int department);

/* The accessibility button (the international symbol on a button) in r. */
void ui_add_accessible_button(struct ui_ctx *c, struct ui_rect r);

/* In accessibility mode, sets what the screen says: the texts joined with
 * ". " (those already ending in a stop or colon with " "), in the frame's
 * arena.  Texts may be NULL or "" (skipped). */
void ui_say(struct ui_ctx *c, const char *const *texts, int count);

/* The department's "You said, we did" note in the view's language when it
 * has one and today is within its days; NULL otherwise. */
const char *ui_we_did(const struct ui_ctx *c, int department);

/* "This week here: 86 % satisfied (412 answers)" when the department
 * shows its week beside its note and the week has answers; NULL otherwise.
 * In the frame's arena. */
const char *ui_we_did_week(struct ui_ctx *c, int department);

/* Rectangle helpers. */
struct ui_rect ui_rect_inset(struct ui_rect r, int dx, int dy);

/* Cell i of count cells in a cols x rows grid of equal cells with gap
 * between them, filling area (left over pixels split evenly around the
 * grid; a short last row centred). */
struct ui_rect ui_grid_cell(struct ui_rect area, int cols, int rows, int gap, int i, int count);

/* ---- faces.c ---- */

/* The face of rating (1..4) as a disc of radius r centred at (cx, cy);
 * dimmed: faded toward the background (the faces not pressed). */
void ui_draw_face(struct ui_ctx *c, int rating, int cx, int cy, int r, bool dimmed);

/* The face's colour (red, orange, light green, dark green). */
struct ui_color ui_face_color(int rating);

/* The English label under a face: "Very unhappy" .. "WOW". */
const char *ui_face_label(int rating);

/* ---- screens ---- */

/* The language buttons along the bottom (and a Back button at the left
 * when back is set).  Returns the y at which the bar starts, or the
 * canvas's bottom edge minus the margin when there is nothing to show. */
int ui_language_bar(struct ui_ctx *c, bool back);

/* The accessibility button's width, and its place at y, h high: at the
 * right, clear of the technician's corner square (a press there is the
 * corner gesture's, never a customer's). */
int ui_accessible_button_width(const struct ui_ctx *c);
struct ui_rect ui_accessible_rect(const struct ui_ctx *c, int y, int h);

void ui_layout_rating(struct ui_ctx *c);
void ui_layout_picker(struct ui_ctx *c);
void ui_layout_followup(struct ui_ctx *c);
void ui_layout_thanks(struct ui_ctx *c);

/* ---- screen_comment.c ---- */

/* The on-screen keyboard ("Tell us more"). */
void ui_layout_comment(struct ui_ctx *c);

/* The thank-you screen's offer in r: the "Tell us more" button and, with
 * a phone link, its QR code beside it. */
void ui_add_comment_offer(struct ui_ctx *c, struct ui_rect r);
void ui_layout_closed(struct ui_ctx *c);
void ui_layout_notice(struct ui_ctx *c);
void ui_layout_technician(struct ui_ctx *c); /* in->technician's screen */

#endif
