/*
 * screen_answer: what follows a face tap: the follow-up question (why?)
 * with its reason buttons and Skip, and the thank-you screen.
 *
 * The follow-up shows the chosen face small beside the question, so the
 * customer sees what they are being asked about.  Reason buttons are big
 * (each at least UI_MIN_TARGET_MM on the 7" panel) in 2 or 3 columns;
 * Skip is a quieter button under them, never as loud as an answer.
 */
#include "config.h"
#include "rating.h"
#include "ui_private.h"

/* The reasons of the list the view shows, and how many. */
static const struct config_reason *shown_reasons(const struct ui_ctx *c, int *count)
{
    const struct config *cfg = c->config;
    *count = c->view->followup_positive ? cfg->positive_count : cfg->negative_count;
    if (*count > CONFIG_MAX_REASONS)
        *count = CONFIG_MAX_REASONS;
    if (*count < 0)
        *count = 0;
    return c->view->followup_positive ? cfg->positive : cfg->negative;
}

static int reason_columns(const struct ui_ctx *c, int n)
{
    if (c->h > c->w && c->reach_top > 0) /* low reach: less height, so more columns */
        return n <= 2 ? 1 : n <= 4 ? 2 : 3;
    if (c->h > c->w)
        return n <= 3 ? 1 : 2;
    if (n <= 3)
        return n < 1 ? 1 : n; /* one row */
    return n == 4 ? 2 : 3;
}

static const char *followup_msgid(const struct ui_ctx *c)
{
    return c->view->followup_positive ? "What made it great?" : "What could we do better?";
}

/* The question with the answered face beside it (landscape) or above it
 * (portrait, where the width is better spent on the question's words).
 * Returns the header's bottom. */
static int followup_header(struct ui_ctx *c)
{
    const char *question = ui_msg(c, followup_msgid(c));
    int top = (int)(0.04f * (float)c->h);
    if (c->h > c->w) {
        int r = ui_px(c, 32);
        ui_draw_face(c, c->view->rating, c->w / 2, top + r, r, false);
        struct ui_rect q = {c->margin, top + 2 * r + c->gap, c->w - 2 * c->margin,
                            (int)(0.12f * (float)c->h)};
        ui_add_text(c, q, question, ui_px(c, 36), true, c->pal->ink, UI_ALIGN_CENTER);
        return q.y + q.h;
    }
    int height = (int)(0.19f * (float)c->h);
    int r = ui_px(c, 36);
    int face_w = 2 * r + c->gap;
    ui_draw_face(c, c->view->rating, c->margin + r, top + height / 2, r, false);
    /* The text box is symmetric about the centre, so the question is centred. */
    struct ui_rect q = {c->margin + face_w, top, c->w - 2 * (c->margin + face_w), height};
    ui_add_text(c, q, question, ui_px(c, 36), true, c->pal->ink, UI_ALIGN_CENTER);
    return top + height;
}

void ui_layout_followup(struct ui_ctx *c)
{
    ui_add(c, UI_CMD_CLEAR, c->pal->background);
    int top = followup_header(c) + c->gap;
    if (top < c->reach_top)
        top = c->reach_top;

    int skip_h = ui_px(c, 60);
    int skip_w = c->w / 3;
    struct ui_rect skip = {(c->w - skip_w) / 2, c->h - c->margin - skip_h, skip_w, skip_h};
    struct ui_rect access = ui_accessible_rect(c, skip.y, skip_h);
    if (c->view->comment_offer) { /* "Tell us more" beside Skip, clear of the button */
        skip_h = ui_px(c, 76);
        int room = access.x - c->gap - c->margin, offer_w = room * 55 / 100;
        skip_w = room - offer_w - c->gap;
        if (skip_w > c->w / 4)
            skip_w = c->w / 4;
        int left = c->margin + (room - skip_w - c->gap - offer_w) / 2;
        skip = (struct ui_rect){left, c->h - c->margin - skip_h, skip_w, skip_h};
        access = ui_accessible_rect(c, skip.y, skip_h);
        struct ui_rect offer = {left + skip_w + c->gap, skip.y, offer_w, skip_h};
        ui_add_button(c, offer, ui_msg(c, "Tell us more"), ui_px(c, 24), UI_BUTTON_NORMAL);
        ui_add_target(c, UI_TARGET_COMMENT, 0, offer);
    }
    ui_add_button(c, skip, ui_msg(c, "Skip"), ui_px(c, 22), UI_BUTTON_QUIET);
    ui_add_target(c, UI_TARGET_SKIP, 0, skip);
    ui_add_accessible_button(c, access);

    int n;
    const struct config_reason *reasons = shown_reasons(c, &n);
    const char *said[CONFIG_MAX_REASONS + 5] = {ui_msg(c, followup_msgid(c))};
    int said_count = 1;
    if (n == 0) {
        said[said_count++] = ui_msg(c, "At the bottom:");
        said[said_count++] = ui_msg(c, "Skip");
        if (c->view->comment_offer)
            said[said_count++] = ui_msg(c, "Tell us more");
        ui_say(c, said, said_count);
        return;
    }
    struct ui_rect area = {c->margin, top, c->w - 2 * c->margin, skip.y - 2 * c->gap - top};
    int cols = reason_columns(c, n), rows = (n + cols - 1) / cols;
    /* Few reasons: no giant buttons; keep them a comfortable height. */
    int max_h = rows * ui_px(c, 150) + (rows - 1) * c->gap;
    if (area.h > max_h) {
        area.y += (area.h - max_h) / 2;
        area.h = max_h;
    }
    for (int i = 0; i < n; i++) {
        struct ui_rect r = ui_grid_cell(area, cols, rows, c->gap, i, n);
        const char *label = ui_text(c->in, &reasons[i].label, c->lang);
        if (label[0] == '\0')
            label = reasons[i].id;
        bool pressed = c->view->pressed_reason == i;
        ui_add_button(c, r, label, ui_px(c, 26), pressed ? UI_BUTTON_SELECTED : UI_BUTTON_NORMAL);
        ui_add_target(c, UI_TARGET_REASON, i, r);
        if (i == 0)
            said[said_count++] =
                ui_msg(c, rows > 1 ? "From left to right, top to bottom:" : "From left to right:");
        said[said_count++] = label;
    }
    said[said_count++] = ui_msg(c, "At the bottom:");
    said[said_count++] = ui_msg(c, "Skip");
    if (c->view->comment_offer)
        said[said_count++] = ui_msg(c, "Tell us more");
    ui_say(c, said, said_count);
}

/* The "You said, we did" card at the bottom of the thank-you screen:
 * its heading and the note, on a card. */
static void we_did_card(struct ui_ctx *c, struct ui_rect r, const char *note, const char *week)
{
    if (c->pal->outline.a != 0) { /* high contrast: an edge, as buttons have */
        int edge = ui_px(c, 3);
        ui_add_rect(c, r, ui_px(c, 16), c->pal->outline);
        ui_add_rect(c, ui_rect_inset(r, edge, edge), ui_px(c, 13), c->pal->card);
    } else {
        ui_add_rect(c, r, ui_px(c, 16), c->pal->card);
    }
    int pad = ui_px(c, 14), head_h = ui_px(c, 30);
    struct ui_rect head = {r.x + pad, r.y + pad / 2, r.w - 2 * pad, head_h};
    ui_add_text(c, head, ui_msg(c, "You said, we did"), ui_px(c, 18), true, c->pal->ink_soft,
                UI_ALIGN_CENTER);
    int week_h = week != NULL ? ui_px(c, 28) : 0;
    struct ui_rect body = {r.x + pad, head.y + head_h, r.w - 2 * pad, r.h - head_h - pad - week_h};
    ui_add_text(c, body, note, ui_px(c, 24), false, c->pal->ink, UI_ALIGN_CENTER);
    if (week != NULL)
        ui_add_text(c, (struct ui_rect){body.x, body.y + body.h, body.w, week_h}, week,
                    ui_px(c, 18), true, c->pal->ink_soft, UI_ALIGN_CENTER);
}

void ui_layout_thanks(struct ui_ctx *c)
{
    ui_add(c, UI_CMD_CLEAR, c->pal->background);
    const char *note = ui_we_did(c, c->view->department);
    const char *week = note != NULL ? ui_we_did_week(c, c->view->department) : NULL;
    int r = ui_px(c, note != NULL ? 52 : 78);
    bool face = rating_is_valid((int)c->view->rating);
    int title_h = ui_px(c, 84), sub_h = ui_px(c, 70), gap = ui_px(c, 20);
    int card_h = note != NULL ? ui_px(c, (c->h > c->w ? 150 : 110) + (week != NULL ? 28 : 0)) : 0;
    bool offer = c->view->comment_offer;
    bool tall = c->h > c->w && c->in->comment_url != NULL; /* the code under the button */
    int offer_h = offer ? ui_px(c, tall ? 300 : c->in->comment_url != NULL ? 170 : 90) : 0;
    if (offer && note != NULL)
        face = false; /* the words before the picture */
    else if (offer)
        r = ui_px(c, 40);
    int block = (face ? 2 * r + gap : 0) + title_h + sub_h + (note != NULL ? gap + card_h : 0);
    int room = c->h - (offer ? offer_h + c->margin + gap : 0);
    int y = (room - block) / 2;
    if (y < c->margin / 2)
        y = c->margin / 2;
    if (face) {
        ui_draw_face(c, (int)c->view->rating, c->w / 2, y + r, r, false);
        y += 2 * r + gap;
    }
    struct ui_rect title = {c->margin, y, c->w - 2 * c->margin, title_h};
    ui_add_text(c, title, ui_msg(c, "Thank you!"), ui_px(c, 60), true, c->pal->ink,
                UI_ALIGN_CENTER);
    struct ui_rect sub = {c->margin, y + title_h, c->w - 2 * c->margin, sub_h};
    const char *said[6] = {ui_msg(c, "Thank you!"),
                           ui_msg(c, c->view->comment_sent
                                         ? "Thank you for your words."
                                         : "Your feedback helps us serve you better."),
                           note != NULL ? ui_msg(c, "You said, we did") : NULL,
                           note,
                           week,
                           offer ? ui_msg(c, "Tell us more") : NULL};
    ui_add_text(c, sub, said[1], ui_px(c, 26), false, c->pal->ink_soft, UI_ALIGN_CENTER);
    if (note != NULL) {
        int card_w = c->w - 2 * c->margin;
        if (card_w > ui_px(c, 640))
            card_w = ui_px(c, 640);
        we_did_card(c, (struct ui_rect){(c->w - card_w) / 2, sub.y + sub_h + gap, card_w, card_h},
                    note, week);
    }
    if (offer)
        ui_add_comment_offer(c, (struct ui_rect){c->margin, c->h - c->margin - offer_h,
                                                 c->w - 2 * c->margin, offer_h});
    ui_say(c, said, 6);
}
