/*
 * screen_notice: screens with nothing to tap: "closed" for customers
 * outside opening hours, and the technician's notice (a configuration
 * error, a failed start-up check).
 *
 * Closed is dark and calm (a crescent moon, two lines of text): it is on
 * for hours and should not glare.  The notice is for a technician, in
 * English, dark red with amber headings so it can never be mistaken for
 * the customer screens: what it is about, one box per problem the program
 * found (a config error as FILE:LINE: key: message; as many as fit, then
 * "and N more"), and what to do next.
 */
#include <stdio.h>
#include <string.h>

#include "ui_private.h"
#include "utf8.h"

#define CLOSED_BACKGROUND UI_RGB(24, 30, 44)
#define CLOSED_TEXT       UI_RGB(236, 239, 244)
#define CLOSED_SOFT       UI_RGB(160, 170, 190)
#define CLOSED_MOON       UI_RGB(244, 214, 140)

#define ERROR_BACKGROUND  UI_RGB(52, 14, 16)
#define ERROR_PANEL       UI_RGB(74, 24, 26)
#define ERROR_AMBER       UI_RGB(255, 184, 64)
#define ERROR_TEXT        UI_RGB(250, 236, 220)
#define ERROR_ARENA_SPARE 64 /* arena bytes kept for "and N more" */

void ui_layout_closed(struct ui_ctx *c)
{
    ui_add(c, UI_CMD_CLEAR, CLOSED_BACKGROUND);
    int r = ui_px(c, 44);
    int title_h = ui_px(c, 70), sub_h = ui_px(c, 70), gap = ui_px(c, 28);
    int y = (c->h - (2 * r + gap + title_h + sub_h)) / 2;
    /* A crescent: the moon, then a disc of the background over part of it. */
    ui_add_circle(c, c->w / 2, y + r, r, CLOSED_MOON);
    ui_add_circle(c, c->w / 2 + r / 2, y + r - r / 3, r - r / 10, CLOSED_BACKGROUND);
    y += 2 * r + gap;
    struct ui_rect title = {c->margin, y, c->w - 2 * c->margin, title_h};
    ui_add_text(c, title, ui_msg(c, "We are closed"), ui_px(c, 44), true, CLOSED_TEXT,
                UI_ALIGN_CENTER);
    struct ui_rect sub = {c->margin, y + title_h, c->w - 2 * c->margin, sub_h};
    ui_add_text(c, sub, ui_msg(c, "Please come back during our opening hours."), ui_px(c, 26),
                false, CLOSED_SOFT, UI_ALIGN_CENTER);
}

/* The notice's lines, one box each, as many as fit in area; the rest
 * counted. */
static void error_list(struct ui_ctx *c, struct ui_rect area)
{
    const struct ui_notice *notice = c->in->notice;
    int count = notice->lines != NULL && notice->line_count > 0 ? notice->line_count : 0;
    int total = notice->total;
    if (total < count)
        total = count;
    /* Room for each error's lines at full size (narrow portrait: three),
     * so the list reads evenly instead of in shrunken odd sizes. */
    int lines = c->h > c->w ? 3 : 2;
    int size = ui_px(c, 17), box_h = ui_px(c, 21.0f * (float)lines + 2), gap = ui_px(c, 8);
    int slots = (area.h + gap) / (box_h + gap);
    int shown = count <= slots ? count : slots;
    if (total > shown && shown == slots && shown > 0)
        shown--; /* the last slot says how many more there are */
    /* Each line gets a fair share of the arena, so the count still fits. */
    int share = shown > 0 ? (UI_TEXT_ARENA - ERROR_ARENA_SPARE) / shown - 1 : 0;
    int y = area.y;
    for (int i = 0; i < shown; i++, y += box_h + gap) {
        const char *line = notice->lines[i];
        int len = (int)strlen(line);
        const char *text =
            len < share ? ui_arena_printf(c, "%s", line)
                        : ui_arena_printf(c, "%.*s\u2026", utf8_whole(line, share - 4), line);
        struct ui_rect r = {area.x, y, area.w, box_h};
        if (text[0] != '\0')
            ui_add_text(c, r, text, size, false, ERROR_TEXT, UI_ALIGN_LEFT);
    }
    struct ui_rect more = {area.x, y, area.w, box_h};
    if (total > shown)
        ui_add_text(c, more, ui_arena_printf(c, "and %d more", total - shown), size, true,
                    ERROR_AMBER, UI_ALIGN_LEFT);
    else if (count == 0)
        ui_add_text(c, more, "(no details were recorded)", size, false, ERROR_TEXT, UI_ALIGN_LEFT);
}

void ui_layout_notice(struct ui_ctx *c)
{
    const struct ui_notice *notice = c->in->notice;
    ui_add(c, UI_CMD_CLEAR, ERROR_BACKGROUND);
    int m = c->margin, inner_w = c->w - 2 * m;
    int y = m;
    ui_add_rect(c, (struct ui_rect){0, 0, c->w, ui_px(c, 8)}, 0, ERROR_AMBER);
    struct ui_rect title = {m, y + ui_px(c, 8), inner_w, ui_px(c, 44)};
    const char *heading = notice->heading ? notice->heading : "Configuration error";
    ui_add_text(c, title, heading, ui_px(c, 32), true, ERROR_AMBER, UI_ALIGN_LEFT);
    y = title.y + title.h;
    if (notice->title != NULL && notice->title[0] != '\0') {
        struct ui_rect file = {m, y, inner_w, ui_px(c, 32)};
        ui_add_text(c, file, notice->title, ui_px(c, 20), true, ERROR_TEXT, UI_ALIGN_LEFT);
        y += file.h;
    }
    y += ui_px(c, 8);

    int help_h = ui_px(c, 56);
    struct ui_rect help = {m, c->h - m - help_h, inner_w, help_h};
    struct ui_rect panel = {m, y, inner_w, help.y - ui_px(c, 10) - y};
    ui_add_rect(c, panel, ui_px(c, 10), ERROR_PANEL);
    error_list(c, ui_rect_inset(panel, ui_px(c, 14), ui_px(c, 10)));
    const char *text = notice->help ? notice->help
                                    : "Fix the file and restart the kiosk; check it with:\n"
                                      "wowkiosk --check-config FILE";
    ui_add_text(c, help, text, ui_px(c, 19), false, ERROR_AMBER, UI_ALIGN_LEFT);
}
