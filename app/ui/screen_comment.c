/*
 * screen_comment: "Tell us more" (docs/COMMENTS.md): the offer on the
 * thank-you screen (a button, and a QR code of the phone link when the
 * kiosk has one) and the on-screen keyboard.
 *
 * The keyboard's keys come from keyboard_layout() (app/core), the same
 * table the state machine reads a pressed key from.  Landscape screens lay
 * a layout row out on one line of twelve key widths; a portrait screen
 * flows it onto lines of eight, so every key stays at least as large as a
 * language button (55 px at 480, about 10 mm on the 7" panel).  Above the
 * keys: the words so far (their end, when long), the count toward the
 * limit, and the time-out bar that each key press fills again.
 */
#include <stdio.h>
#include <string.h>

#include "comment_text.h"
#include "config.h"
#include "keyboard.h"
#include "ui_private.h"

#define UNITS_LANDSCAPE KEYBOARD_ROW_UNITS /* tenths of a key per line */
#define UNITS_PORTRAIT  80
#define SHOWN_CHARS     140 /* the end of a long text, so it stays readable */

/* ---- the offer ------------------------------------------------------------- */

void ui_add_comment_offer(struct ui_ctx *c, struct ui_rect r)
{
    const char *url = c->in->comment_url;
    int button_h = ui_px(c, 80);
    if (url != NULL && c->h > c->w) { /* portrait: the button above, the code under it */
        struct ui_rect button = {r.x + r.w / 8, r.y, r.w * 3 / 4, button_h};
        ui_add_button(c, button, ui_msg(c, "Tell us more"), ui_px(c, 26), UI_BUTTON_NORMAL);
        ui_add_target(c, UI_TARGET_COMMENT, 0, button);
        r = (struct ui_rect){r.x, r.y + button_h + c->gap, r.w, r.h - button_h - c->gap};
        button_h = 0;
    }
    int qr = url != NULL ? r.h : 0;
    int caption_w = url != NULL ? (r.w - qr) * 35 / 100 : 0;
    int button_w = r.w - qr - caption_w - (url != NULL ? 2 * c->gap : 0);
    if (button_w > ui_px(c, 320))
        button_w = ui_px(c, 320);
    if (button_h == 0) /* placed above */
        button_w = -c->gap;
    int total = button_w + (url != NULL ? 2 * c->gap + caption_w + qr : 0);
    int x = r.x + (r.w - total) / 2;
    if (button_h > 0) {
        struct ui_rect button = {x, r.y + (r.h - button_h) / 2, button_w, button_h};
        ui_add_button(c, button, ui_msg(c, "Tell us more"), ui_px(c, 26), UI_BUTTON_NORMAL);
        ui_add_target(c, UI_TARGET_COMMENT, 0, button);
    }
    if (url == NULL)
        return;
    struct ui_rect caption = {x + button_w + c->gap, r.y, caption_w, r.h};
    ui_add_text(c, caption, ui_msg(c, "or on your phone: scan the code"), ui_px(c, 20), false,
                c->pal->ink_soft, UI_ALIGN_CENTER);
    struct ui_cmd *q = ui_add(c, UI_CMD_QR, UI_RGB(255, 255, 255));
    if (q != NULL) {
        q->rect = (struct ui_rect){caption.x + caption_w + c->gap, r.y, qr, qr};
        q->text = url;
    }
}

/* ---- the keyboard ------------------------------------------------------------ */

/* A key's place on the screen, in lines and tenths of a key. */
struct key_place {
    int line, x, width;
};

/* A row's total width, in tenths: its keys from first, and their count. */
static int row_width(const struct keyboard_layout *l, int first, int *count)
{
    int width = 0, n = 0;
    for (int i = first; i < l->count && l->keys[i].row == l->keys[first].row; i++, n++)
        width += l->keys[i].width;
    *count = n;
    return width;
}

/* Lays the layout's rows onto lines of units tenths, each line centred;
 * returns the lines.  A row wider than a line is split in two halves of
 * about the same width; the bottom row (close, space, send) is narrowed
 * instead, its space bar first. */
static int flow_keys(const struct keyboard_layout *l, int units, struct key_place *places)
{
    int line = 0;
    for (int first = 0; first < l->count;) {
        int n, width = row_width(l, first, &n);
        bool bottom = l->keys[first].row == KEYBOARD_ROWS - 1;
        int split = n; /* keys on the row's first line */
        if (width > units && !bottom)
            for (int i = 0, sum = 0; i < n; i++) {
                sum += l->keys[first + i].width;
                if (2 * sum >= width) {
                    split = i + 1;
                    break;
                }
            }
        for (int part = 0; part < (split < n ? 2 : 1); part++) {
            int from = part == 0 ? 0 : split, to = part == 0 ? split : n, lw = 0;
            for (int i = from; i < to; i++) {
                const struct keyboard_key *k = &l->keys[first + i];
                int w = k->width;
                if (bottom && width > units) /* narrowed: the space bar gives most */
                    w = k->kind == KEYBOARD_SPACE ? k->width - (width - units) * 3 / 4
                                                  : k->width - (width - units) / 8;
                places[first + i] = (struct key_place){line, lw, w};
                lw += w;
            }
            for (int i = from; i < to; i++)
                places[first + i].x += (units - lw) / 2;
            line++;
        }
        first += n;
    }
    return line;
}

/* The key's label; a letter copied into the frame's arena (the layout is
 * the caller's, on its stack). */
static const char *key_label(struct ui_ctx *c, const struct keyboard_key *k)
{
    switch (k->kind) {
    case KEYBOARD_CHAR:
        return ui_arena_printf(c, "%s", c->view->comment_shift ? k->shifted : k->text);
    case KEYBOARD_SHIFT:
        return "⇧";
    case KEYBOARD_BACKSPACE:
        return "⌫";
    case KEYBOARD_SPACE:
        return ui_msg(c, "Space");
    case KEYBOARD_SEND:
        return ui_msg(c, "Send");
    case KEYBOARD_CLOSE:
        return ui_msg(c, "Back");
    }
    return "";
}

static enum ui_button_style key_style(const struct ui_ctx *c, const struct keyboard_key *k)
{
    if (k->kind == KEYBOARD_SEND || (k->kind == KEYBOARD_SHIFT && c->view->comment_shift))
        return UI_BUTTON_SELECTED;
    return k->kind == KEYBOARD_CHAR || k->kind == KEYBOARD_SPACE ? UI_BUTTON_NORMAL
                                                                 : UI_BUTTON_QUIET;
}

/* One key: square corners, which the display fills as plain rectangles
 * (a rounded one costs its edge's every pixel, and fifty keys are redrawn
 * at each press), a shadow or, in high contrast, an edge as buttons have. */
static void add_key(struct ui_ctx *c, struct ui_rect r, const char *label, int size_px,
                    enum ui_button_style style)
{
    const struct ui_palette *pal = c->pal;
    struct ui_color fill = style == UI_BUTTON_SELECTED ? pal->selected
                           : style == UI_BUTTON_QUIET  ? pal->quiet
                                                       : pal->card;
    struct ui_color ink = style == UI_BUTTON_SELECTED ? pal->on_selected : pal->ink;
    if (pal->outline.a != 0 && style != UI_BUTTON_SELECTED) {
        int edge = ui_px(c, 2);
        ui_add_rect(c, r, 0, pal->outline);
        r = ui_rect_inset(r, edge, edge);
    } else if (pal->outline.a == 0 && style != UI_BUTTON_QUIET) {
        ui_add_rect(c, (struct ui_rect){r.x, r.y + ui_px(c, 3), r.w, r.h}, 0, pal->shadow);
    }
    ui_add_rect(c, r, 0, fill);
    ui_add_text(c, ui_rect_inset(r, ui_px(c, 4), ui_px(c, 2)), label, size_px, true, ink,
                UI_ALIGN_CENTER);
}

/* The keys in area's bottom; returns the y where they start. */
static int keyboard_keys(struct ui_ctx *c, struct ui_rect area)
{
    struct keyboard_layout layout;
    keyboard_layout(c->config->languages[c->lang], &layout);
    struct key_place places[KEYBOARD_MAX_KEYS] = {{0}};
    int units = c->w >= c->h ? UNITS_LANDSCAPE : UNITS_PORTRAIT;
    int lines = flow_keys(&layout, units, places);
    if (lines <= 0)
        return area.y + area.h; /* a layout without keys: nothing to draw */
    int gap = ui_px(c, 5);
    int key_h = (area.h - (lines - 1) * gap) / lines;
    if (key_h > ui_px(c, 72))
        key_h = ui_px(c, 72);
    int top = area.y + area.h - lines * key_h - (lines - 1) * gap;
    for (int i = 0; i < layout.count; i++) {
        const struct keyboard_key *k = &layout.keys[i];
        int x0 = area.x + places[i].x * area.w / units; /* tenths to pixels, not rounded */
        int x1 = area.x + (places[i].x + places[i].width) * area.w / units;
        struct ui_rect r = {x0, top + places[i].line * (key_h + gap), x1 - x0 - gap, key_h};
        add_key(c, r, key_label(c, k), ui_px(c, k->kind == KEYBOARD_CHAR ? 30 : 22),
                key_style(c, k));
        ui_add_target(c, UI_TARGET_KEY, i, r);
    }
    return top;
}

/* The end of a long text (whole characters), with an ellipsis before it. */
static const char *shown_text(struct ui_ctx *c, const char *text, int chars)
{
    if (chars <= SHOWN_CHARS)
        return ui_arena_printf(c, "%s|", text);
    const char *p = text;
    for (int skip = chars - SHOWN_CHARS; skip > 0 && *p; skip--)
        do
            p++;
        while (((unsigned char)*p & 0xC0) == 0x80);
    return ui_arena_printf(c, "…%s|", p);
}

void ui_layout_comment(struct ui_ctx *c)
{
    ui_add(c, UI_CMD_CLEAR, c->pal->background);
    const struct kiosk_view *v = c->view;
    const char *text = c->in->comment_text != NULL ? c->in->comment_text : "";
    int title_h = ui_px(c, 34), bar_h = ui_px(c, 8), top = c->margin / 2;
    int keys_h = c->w >= c->h ? c->h * 62 / 100 : c->h * 66 / 100;
    struct ui_rect keys = {c->margin, c->h - c->margin / 2 - keys_h, c->w - 2 * c->margin, keys_h};
    int keys_top = keyboard_keys(c, keys);

    struct ui_rect title = {c->margin, top, (c->w - 2 * c->margin) * 70 / 100, title_h};
    ui_add_text(c, title, ui_msg(c, "Tell us more in your own words"), ui_px(c, 24), true,
                c->pal->ink, UI_ALIGN_LEFT);
    struct ui_rect count = {title.x + title.w, top, c->w - 2 * c->margin - title.w, title_h};
    ui_add_text(c, count, ui_arena_printf(c, "%d / %d", v->comment_chars, COMMENT_TEXT_MAX_CHARS),
                ui_px(c, 20), true, c->pal->ink_soft, UI_ALIGN_CENTER);

    int box_y = top + title_h + ui_px(c, 4);
    struct ui_rect box = {c->margin, box_y, c->w - 2 * c->margin,
                          keys_top - box_y - bar_h - 2 * ui_px(c, 6)};
    ui_add_rect(c, box, ui_px(c, 10), c->pal->card);
    if (c->pal->outline.a != 0) /* high contrast: an edge as buttons have */
        ui_add_rect(c, (struct ui_rect){box.x, box.y + box.h - ui_px(c, 3), box.w, ui_px(c, 3)}, 0,
                    c->pal->outline);
    struct ui_rect inner = ui_rect_inset(box, ui_px(c, 12), ui_px(c, 6));
    if (text[0] == '\0')
        ui_add_text(c, inner, ui_msg(c, "Type here, then press Send."), ui_px(c, 24), false,
                    c->pal->ink_soft, UI_ALIGN_LEFT);
    else
        ui_add_text(c, inner, shown_text(c, text, v->comment_chars), ui_px(c, 26), false,
                    c->pal->ink, UI_ALIGN_LEFT);

    /* the time left: a bar that each key press fills again */
    struct ui_rect bar = {c->margin, box.y + box.h + ui_px(c, 6), c->w - 2 * c->margin, bar_h};
    ui_add_rect(c, bar, bar_h / 2, c->pal->quiet);
    int total = v->comment_timeout_s > 0 ? v->comment_timeout_s : 1;
    int fill = bar.w * (v->comment_left_s < total ? v->comment_left_s : total) / total;
    if (fill > 0)
        ui_add_rect(c, (struct ui_rect){bar.x, bar.y, fill, bar.h}, bar_h / 2, c->pal->ink_soft);

    const char *said[2] = {ui_msg(c, "Tell us more in your own words"),
                           ui_msg(c, "Type here, then press Send.")};
    ui_say(c, said, 2);
}
