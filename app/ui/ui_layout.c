/*
 * ui_layout: the entry points: ui_layout() picks the screen for the view and has
 * it laid out; ui_hit() and ui_find() look targets up in a laid-out frame.
 * The screens are in screen_*.c, the faces in faces.c, and the builders
 * they all append with in ui_build.c, below them.
 */
#include "config.h"
#include "ui_private.h"

static void ctx_init(struct ui_ctx *c, struct ui_frame *frame, const struct ui_input *in, int w,
                     int h)
{
    *c = (struct ui_ctx){.frame = frame, .in = in, .config = in->config, .view = in->view};
    c->w = w;
    c->h = h;
    c->u = (float)(w < h ? w : h) / 480.0f;
    c->lang = in->view->language;
    if (c->lang < 0 || c->lang >= in->config->language_count)
        c->lang = 0;
    c->catalog = in->catalogs != NULL ? in->catalogs[c->lang] : NULL;
    c->margin = ui_px(c, 18);
    c->gap = ui_px(c, 12);
    c->accessible = in->view->accessible;
    c->pal = c->accessible ? &ui_palette_contrast : &ui_palette_standard;
    c->text_scale = c->accessible ? UI_ACCESSIBLE_TEXT_SCALE : 1.0f;
    if (in->config->reach == CONFIG_REACH_LOW && h > w)
        c->reach_top = (h * UI_LOW_REACH_PERCENT + 99) / 100; /* rounded up */
}

void ui_layout(struct ui_frame *frame, const struct ui_input *in, int w, int h)
{
    frame->w = w;
    frame->h = h;
    frame->cmd_count = 0;
    frame->target_count = 0;
    frame->arena_used = 0;
    frame->speech = NULL;
    struct ui_ctx c;
    ctx_init(&c, frame, in, w, h);
    bool technician = in->technician != NULL && in->technician->view != NULL &&
                      in->technician->view->screen != TECHNICIAN_HIDDEN;
    if (technician || in->notice != NULL) { /* the technician's screens: always plain */
        c.accessible = false;
        c.pal = &ui_palette_standard;
        c.text_scale = 1.0f;
        c.reach_top = 0;
    }
    if (technician) {
        ui_layout_technician(&c);
        return;
    }
    if (in->notice != NULL) {
        ui_layout_notice(&c);
        return;
    }
    switch (in->view->screen) {
    case KIOSK_SCREEN_CLOSED:
        ui_layout_closed(&c);
        break;
    case KIOSK_SCREEN_PICKER:
        ui_layout_picker(&c);
        break;
    case KIOSK_SCREEN_RATING:
        ui_layout_rating(&c);
        break;
    case KIOSK_SCREEN_FOLLOW_UP:
        ui_layout_followup(&c);
        break;
    case KIOSK_SCREEN_THANKS:
        ui_layout_thanks(&c);
        break;
    case KIOSK_SCREEN_COMMENT:
        ui_layout_comment(&c);
        break;
    }
}

static bool rect_contains(struct ui_rect r, int x, int y)
{
    return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

const struct ui_target *ui_hit(const struct ui_frame *frame, int x, int y)
{
    for (int i = 0; i < frame->target_count; i++)
        if (rect_contains(frame->targets[i].rect, x, y))
            return &frame->targets[i];
    return NULL;
}

const struct ui_target *ui_find(const struct ui_frame *frame, enum ui_target_kind kind, int index)
{
    for (int i = 0; i < frame->target_count; i++)
        if (frame->targets[i].kind == kind && frame->targets[i].index == index)
            return &frame->targets[i];
    return NULL;
}
