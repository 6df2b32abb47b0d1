/*
 * screen_technician: the technician's screens, in English, dark slate with a
 * teal accent so they can never be mistaken for a customer screen: the PIN
 * pad, the status panel with its actions, the touch test, the test pattern
 * and the department switch.
 *
 * Technicians use a finger too, but they know what they are doing: buttons
 * here may be smaller than the customers' (at least 64 px at 480, ~12 mm).
 */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "ui_private.h"

#define TECH_BACKGROUND UI_RGB(20, 28, 36)
#define TECH_PANEL      UI_RGB(34, 46, 58)
#define TECH_ACCENT     UI_RGB(64, 196, 180)
#define TECH_TEXT       UI_RGB(232, 238, 244)
#define TECH_SOFT       UI_RGB(150, 166, 182)
#define TECH_WARN       UI_RGB(255, 184, 64)
#define TECH_KEY        UI_RGB(52, 68, 84)
#define TECH_KEY_DIM    UI_RGB(38, 48, 58)

static const char *const item_labels[TECHNICIAN_ITEM_COUNT] = {
    [TECHNICIAN_ITEM_SYNC_NOW] = "Sync now",       [TECHNICIAN_ITEM_TOUCH_TEST] = "Touch test",
    [TECHNICIAN_ITEM_PATTERN] = "Test pattern",    [TECHNICIAN_ITEM_DEPARTMENT] = "Department",
    [TECHNICIAN_ITEM_RESTART] = "Restart program", [TECHNICIAN_ITEM_CLOSE] = "Close",
};

/* A flat button in the technician's colours. */
static void tech_button(struct ui_ctx *c, struct ui_rect r, const char *text, struct ui_color fill,
                        struct ui_color ink, int size)
{
    ui_add_rect(c, r, ui_px(c, 10), fill);
    ui_add_text(c, ui_rect_inset(r, ui_px(c, 8), ui_px(c, 4)), text, size, true, ink,
                UI_ALIGN_CENTER);
}

static void heading(struct ui_ctx *c, struct ui_rect r, const char *text)
{
    ui_add_rect(c, (struct ui_rect){0, 0, c->w, ui_px(c, 6)}, 0, TECH_ACCENT);
    ui_add_text(c, r, text, ui_px(c, 28), true, TECH_TEXT, UI_ALIGN_LEFT);
}

/* What the pad says above the dots. */
static const char *pin_status(struct ui_ctx *c, const struct technician_view *v)
{
    if (v->no_pin)
        return "No PIN is set. Put [technician] pin_hash (from wowkiosk --hash-pin) in the "
               "config to use this screen.";
    if (v->locked_for_ms > 0)
        return ui_arena_printf(c, "Locked after %d wrong PINs. Try again in %lld s.", v->failures,
                               (long long)((v->locked_for_ms + 999) / 1000));
    if (v->wrong)
        return ui_arena_printf(c, "Wrong PIN (%d in a row).", v->failures);
    return "Enter the technician PIN.";
}

static void pin_keypad(struct ui_ctx *c, struct ui_rect area, bool locked)
{
    static const char *const keys[12] = {"1", "2", "3", "4",   "5", "6",
                                         "7", "8", "9", "Del", "0", "OK"};
    for (int i = 0; i < 12; i++) {
        struct ui_rect r = ui_grid_cell(area, 3, 4, ui_px(c, 10), i, 12);
        bool dim = locked && i != 9;
        struct ui_color fill = i == 11 && !dim ? TECH_ACCENT : dim ? TECH_KEY_DIM : TECH_KEY;
        struct ui_color ink = i == 11 && !dim ? TECH_BACKGROUND : dim ? TECH_SOFT : TECH_TEXT;
        tech_button(c, r, keys[i], fill, ink, ui_px(c, 30));
        if (i == 9)
            ui_add_target(c, UI_TARGET_PIN_DELETE, 0, r);
        else if (i == 11)
            ui_add_target(c, UI_TARGET_PIN_ENTER, 0, r);
        else
            ui_add_target(c, UI_TARGET_PIN_DIGIT, i == 10 ? 0 : i + 1, r);
    }
}

static void layout_pin(struct ui_ctx *c, const struct technician_view *v)
{
    int m = c->margin;
    bool portrait = c->h > c->w;
    struct ui_rect side = {m, m, portrait ? c->w - 2 * m : (c->w - 3 * m) * 2 / 5,
                           portrait ? (c->h - 2 * m) * 2 / 5 : c->h - 2 * m};
    struct ui_rect pad =
        portrait ? (struct ui_rect){m, side.y + side.h + m, side.w, c->h - side.h - 3 * m}
                 : (struct ui_rect){side.x + side.w + m, m, c->w - side.w - 3 * m, side.h};
    heading(c, (struct ui_rect){side.x, side.y, side.w, ui_px(c, 44)}, "Technician");
    struct ui_rect status = {side.x, side.y + ui_px(c, 50), side.w, ui_px(c, 96)};
    bool alert = v->locked_for_ms > 0 || v->wrong || v->no_pin;
    ui_add_text(c, status, pin_status(c, v), ui_px(c, 20), false, alert ? TECH_WARN : TECH_SOFT,
                UI_ALIGN_LEFT);
    /* one dot per digit typed; at least the shortest PIN's worth of rings */
    int slots = v->digits > TECHNICIAN_PIN_MIN ? v->digits : TECHNICIAN_PIN_MIN;
    int r = ui_px(c, 11), step = ui_px(c, 34);
    int y = status.y + status.h + ui_px(c, 26);
    for (int i = 0; i < slots; i++) {
        int x = side.x + r + i * step;
        if (i < v->digits)
            ui_add_circle(c, x, y, r, TECH_ACCENT);
        else
            ui_add_ring(c, x, y, r, ui_px(c, 2), TECH_SOFT);
    }
    int cancel_h = ui_px(c, 64);
    struct ui_rect cancel = {side.x, side.y + side.h - cancel_h, side.w * 2 / 3, cancel_h};
    tech_button(c, cancel, "Cancel", TECH_PANEL, TECH_TEXT, ui_px(c, 22));
    ui_add_target(c, UI_TARGET_TECH_CANCEL, 0, cancel);
    pin_keypad(c, pad, v->locked_for_ms > 0);
}

static void info_panel(struct ui_ctx *c, struct ui_rect panel)
{
    const struct ui_technician *t = c->in->technician;
    ui_add_rect(c, panel, ui_px(c, 12), TECH_PANEL);
    struct ui_rect inner = ui_rect_inset(panel, ui_px(c, 14), ui_px(c, 10));
    int rows = t->row_count > 0 ? t->row_count : 1;
    int row_h = inner.h / rows;
    int label_w = inner.w * 3 / 10;
    int size = ui_px(c, row_h < ui_px(c, 34) ? 14 : 16);
    for (int i = 0; i < t->row_count; i++) {
        const struct ui_info_row *row = &t->rows[i];
        struct ui_rect l = {inner.x, inner.y + i * row_h, label_w, row_h};
        struct ui_rect v = {inner.x + label_w, l.y, inner.w - label_w, row_h};
        ui_add_text(c, l, row->label, size, true, TECH_SOFT, UI_ALIGN_LEFT);
        ui_add_text(c, v, row->value, size, row->warn, row->warn ? TECH_WARN : TECH_TEXT,
                    UI_ALIGN_LEFT);
    }
}

static void layout_menu(struct ui_ctx *c, const struct technician_view *v)
{
    int m = c->margin, gap = ui_px(c, 10);
    bool portrait = c->h > c->w;
    int head_h = ui_px(c, 40);
    heading(c, (struct ui_rect){m, m, c->w - 2 * m, head_h}, "Technician");
    int top = m + head_h + gap;
    struct ui_rect panel, buttons;
    if (portrait) {
        int buttons_h = (c->h - top - m) * 2 / 5;
        panel = (struct ui_rect){m, top, c->w - 2 * m, c->h - top - m - buttons_h - gap};
        buttons = (struct ui_rect){m, panel.y + panel.h + gap, panel.w, buttons_h};
    } else {
        int buttons_w = (c->w - 2 * m) * 3 / 10;
        panel = (struct ui_rect){m, top, c->w - 2 * m - buttons_w - gap, c->h - top - m};
        buttons = (struct ui_rect){panel.x + panel.w + gap, top, buttons_w, panel.h};
    }
    info_panel(c, panel);
    int cols = portrait ? 2 : 1, rows = TECHNICIAN_ITEM_COUNT / cols;
    for (int i = 0; i < TECHNICIAN_ITEM_COUNT; i++) {
        struct ui_rect r = ui_grid_cell(buttons, cols, rows, gap, i, TECHNICIAN_ITEM_COUNT);
        const char *label = item_labels[i];
        if (i == TECHNICIAN_ITEM_SYNC_NOW && v->sync_requested)
            label = "Sync requested";
        bool close = i == TECHNICIAN_ITEM_CLOSE;
        tech_button(c, r, label, close ? TECH_ACCENT : TECH_KEY,
                    close ? TECH_BACKGROUND : TECH_TEXT, ui_px(c, 20));
        ui_add_target(c, UI_TARGET_TECH_ITEM, i, r);
    }
}

static struct ui_rect close_button(struct ui_ctx *c, const char *text)
{
    struct ui_rect r = {c->w - c->margin - ui_px(c, 150), c->margin + ui_px(c, 10), ui_px(c, 150),
                        ui_px(c, 64)};
    tech_button(c, r, text, TECH_ACCENT, TECH_BACKGROUND, ui_px(c, 22));
    ui_add_target(c, UI_TARGET_TECH_CANCEL, 0, r);
    return r;
}

static void layout_touch_test(struct ui_ctx *c, const struct technician_view *v)
{
    ui_add(c, UI_CMD_CLEAR, TECH_BACKGROUND);
    int step = ui_px(c, 80);
    for (int x = step; x < c->w; x += step)
        ui_add_rect(c, (struct ui_rect){x, 0, 1, c->h}, 0, TECH_PANEL);
    for (int y = step; y < c->h; y += step)
        ui_add_rect(c, (struct ui_rect){0, y, c->w, 1}, 0, TECH_PANEL);
    struct ui_rect text = {c->margin, c->margin, c->w - 2 * c->margin - ui_px(c, 170),
                           ui_px(c, 80)};
    ui_add_text(c, text,
                ui_arena_printf(c, "Touch test: %d touches. Each finger-down leaves a mark.",
                                v->touch_count),
                ui_px(c, 20), true, TECH_TEXT, UI_ALIGN_LEFT);
    for (int i = 0; i < v->touch_count; i++) {
        bool last = i == v->touch_count - 1;
        ui_add_ring(c, v->touch[i].x, v->touch[i].y, ui_px(c, 18), ui_px(c, 3),
                    last ? TECH_ACCENT : TECH_SOFT);
        ui_add_circle(c, v->touch[i].x, v->touch[i].y, ui_px(c, 3), last ? TECH_WARN : TECH_TEXT);
    }
    close_button(c, "Done");
}

/* Colour bars, a grey ramp, a border and a centre ring: dead pixels,
 * colour order, gamma and overscan show at a glance. */
static void layout_pattern(struct ui_ctx *c)
{
    static const struct ui_color bars[8] = {
        {255, 255, 255, 255}, {255, 255, 0, 255}, {0, 255, 255, 255}, {0, 255, 0, 255},
        {255, 0, 255, 255},   {255, 0, 0, 255},   {0, 0, 255, 255},   {0, 0, 0, 255},
    };
    ui_add(c, UI_CMD_CLEAR, UI_RGB(0, 0, 0));
    int bars_h = c->h * 3 / 5;
    for (int i = 0; i < 8; i++) {
        int x0 = c->w * i / 8, x1 = c->w * (i + 1) / 8;
        ui_add_rect(c, (struct ui_rect){x0, 0, x1 - x0, bars_h}, 0, bars[i]);
    }
    int ramp_y = bars_h, ramp_h = c->h / 4;
    for (int i = 0; i < 16; i++) {
        int x0 = c->w * i / 16, x1 = c->w * (i + 1) / 16;
        uint8_t g = (uint8_t)(i * 17);
        ui_add_rect(c, (struct ui_rect){x0, ramp_y, x1 - x0, ramp_h}, 0, UI_RGB(g, g, g));
    }
    struct ui_color edge = UI_RGB(255, 255, 255);
    ui_add_rect(c, (struct ui_rect){0, 0, c->w, 2}, 0, edge);
    ui_add_rect(c, (struct ui_rect){0, c->h - 2, c->w, 2}, 0, edge);
    ui_add_rect(c, (struct ui_rect){0, 0, 2, c->h}, 0, edge);
    ui_add_rect(c, (struct ui_rect){c->w - 2, 0, 2, c->h}, 0, edge);
    int short_side = c->w < c->h ? c->w : c->h;
    ui_add_ring(c, c->w / 2, c->h / 2, short_side / 4, 2, UI_RGB(128, 128, 128));
    struct ui_rect label = {c->margin, ramp_y + ramp_h, c->w - 2 * c->margin,
                            c->h - ramp_y - ramp_h};
    ui_add_text(c, label,
                ui_arena_printf(c, "Test pattern %dx%d. Touch anywhere to return.", c->w, c->h),
                ui_px(c, 18), true, TECH_TEXT, UI_ALIGN_CENTER);
}

static void layout_departments(struct ui_ctx *c)
{
    const struct ui_technician *t = c->in->technician;
    const struct config *cfg = c->config;
    int m = c->margin;
    struct ui_rect close = close_button(c, "Back");
    struct ui_rect head = {m, m, close.x - 2 * m, ui_px(c, 40)};
    heading(c, head, "Department");
    struct ui_rect sub = {m, head.y + head.h, close.x - 2 * m, ui_px(c, 48)};
    ui_add_text(c, sub,
                "Taps are recorded for the department chosen here; the kiosk restarts to "
                "apply it.",
                ui_px(c, 17), false, TECH_SOFT, UI_ALIGN_LEFT);
    int count = cfg->department_count + 1;
    int cols = c->w > c->h ? 3 : 2, rows = (count + cols - 1) / cols;
    struct ui_rect area = {m, sub.y + sub.h + ui_px(c, 8), c->w - 2 * m, 0};
    area.h = c->h - m - area.y;
    for (int i = 0; i < count; i++) {
        int dept = i < cfg->department_count ? i : -1;
        struct ui_rect r = ui_grid_cell(area, cols, rows, ui_px(c, 10), i, count);
        const char *text = dept < 0 ? "As configured"
                                    : ui_arena_printf(c, "%s (%s)", ui_department_name(c, dept),
                                                      cfg->departments[dept].id);
        bool current = dept >= 0 && dept == t->department;
        tech_button(c, r, text, current ? TECH_ACCENT : TECH_KEY,
                    current ? TECH_BACKGROUND : TECH_TEXT, ui_px(c, 18));
        ui_add_target(c, UI_TARGET_TECH_DEPARTMENT, dept, r);
    }
}

void ui_layout_technician(struct ui_ctx *c)
{
    const struct technician_view *v = c->in->technician->view;
    if (v->screen != TECHNICIAN_PATTERN && v->screen != TECHNICIAN_TOUCH_TEST)
        ui_add(c, UI_CMD_CLEAR, TECH_BACKGROUND);
    switch (v->screen) {
    case TECHNICIAN_PIN:
        layout_pin(c, v);
        break;
    case TECHNICIAN_MENU:
        layout_menu(c, v);
        break;
    case TECHNICIAN_TOUCH_TEST:
        layout_touch_test(c, v);
        break;
    case TECHNICIAN_PATTERN:
        layout_pattern(c);
        break;
    case TECHNICIAN_DEPARTMENTS:
        layout_departments(c);
        break;
    case TECHNICIAN_HIDDEN:
        break;
    }
}
