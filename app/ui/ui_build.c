/*
 * ui_build: the small builders every screen uses to append commands,
 * targets and texts to a frame, and the text lookups (ui_text, ui_msg).
 * Below the screens and faces.c, which call it, and ui_layout.c, which calls them.
 *
 * A frame never overflows: a command or target that does not fit is
 * dropped and logged (a layout bug; the tests check the busiest screens
 * stay well inside the limits), and formatted texts are cut to the arena.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "i18n.h"
#include "log.h"
#include "ui_private.h"
#include "utf8.h"

const struct ui_palette ui_palette_standard = {
    .background = {243, 245, 248, 255},
    .card = {255, 255, 255, 255},
    .outline = {0, 0, 0, 0},
    .shadow = {16, 24, 40, 30},
    .quiet = {226, 231, 238, 255},
    .ink = {28, 33, 46, 255},
    .ink_soft = {84, 93, 110, 255},
    .selected = {28, 33, 46, 255},
    .on_selected = {255, 255, 255, 255},
    .feature = {36, 32, 30, 255},
};

/* Black ground, white text, a white edge on every button (a dark card on
 * black needs one to be seen), yellow for what is selected. */
const struct ui_palette ui_palette_contrast = {
    .background = {0, 0, 0, 255},
    .card = {20, 20, 20, 255},
    .outline = {255, 255, 255, 255},
    .shadow = {0, 0, 0, 0},
    .quiet = {58, 58, 58, 255},
    .ink = {255, 255, 255, 255},
    .ink_soft = {235, 235, 235, 255},
    .selected = {255, 221, 0, 255},
    .on_selected = {0, 0, 0, 255},
    .feature = {36, 32, 30, 255},
};

int ui_px(const struct ui_ctx *c, float px_at_480)
{
    return (int)lroundf(px_at_480 * c->u);
}

struct ui_cmd *ui_add(struct ui_ctx *c, enum ui_cmd_type type, struct ui_color color)
{
    struct ui_frame *f = c->frame;
    if (f->cmd_count >= UI_MAX_CMDS) {
        log_error("ui: screen %d needs more than %d drawing commands; the rest is dropped",
                  (int)c->view->screen, UI_MAX_CMDS);
        return NULL;
    }
    struct ui_cmd *cmd = &f->cmds[f->cmd_count++];
    *cmd = (struct ui_cmd){.type = type, .color = color};
    return cmd;
}

void ui_add_rect(struct ui_ctx *c, struct ui_rect r, int radius, struct ui_color color)
{
    struct ui_cmd *cmd = ui_add(c, UI_CMD_RECT, color);
    if (cmd != NULL) {
        cmd->rect = r;
        cmd->radius = radius;
    }
}

void ui_add_circle(struct ui_ctx *c, int cx, int cy, int radius, struct ui_color color)
{
    struct ui_cmd *cmd = ui_add(c, UI_CMD_CIRCLE, color);
    if (cmd != NULL) {
        cmd->rect = (struct ui_rect){cx, cy, 0, 0};
        cmd->radius = radius;
    }
}

void ui_add_ring(struct ui_ctx *c, int cx, int cy, int radius, int width, struct ui_color color)
{
    struct ui_cmd *cmd = ui_add(c, UI_CMD_RING, color);
    if (cmd != NULL) {
        cmd->rect = (struct ui_rect){cx, cy, 0, 0};
        cmd->radius = radius;
        cmd->width = width;
    }
}

void ui_add_text(struct ui_ctx *c, struct ui_rect r, const char *text, int size_px, bool bold,
                 struct ui_color color, enum ui_align align)
{
    struct ui_cmd *cmd = ui_add(c, UI_CMD_TEXT, color);
    if (cmd != NULL) {
        cmd->rect = r;
        cmd->text = text;
        cmd->size_px =
            c->text_scale > 1.0f ? (int)lroundf((float)size_px * c->text_scale) : size_px;
        cmd->bold = bold;
        cmd->align = align;
    }
}

void ui_add_target(struct ui_ctx *c, enum ui_target_kind kind, int index, struct ui_rect r)
{
    struct ui_frame *f = c->frame;
    if (f->target_count >= UI_MAX_TARGETS) {
        log_error("ui: screen %d needs more than %d touch targets; the rest is dropped",
                  (int)c->view->screen, UI_MAX_TARGETS);
        return;
    }
    f->targets[f->target_count++] = (struct ui_target){kind, index, r};
}

void ui_add_button(struct ui_ctx *c, struct ui_rect r, const char *text, int size_px,
                   enum ui_button_style style)
{
    int short_side = r.w < r.h ? r.w : r.h;
    int radius = short_side / 4;
    if (radius > ui_px(c, 18))
        radius = ui_px(c, 18);
    const struct ui_palette *pal = c->pal;
    struct ui_color fill = pal->card, ink = pal->ink;
    if (style == UI_BUTTON_SELECTED) {
        fill = pal->selected;
        ink = pal->on_selected;
    } else if (style == UI_BUTTON_QUIET) {
        fill = pal->quiet;
    } else if (pal->outline.a == 0) {
        struct ui_rect shadow = r;
        shadow.y += ui_px(c, 3);
        ui_add_rect(c, shadow, radius, pal->shadow);
    }
    if (pal->outline.a != 0 && style != UI_BUTTON_SELECTED) {
        int edge = ui_px(c, 3);
        ui_add_rect(c, r, radius, pal->outline);
        ui_add_rect(c, ui_rect_inset(r, edge, edge), radius > edge ? radius - edge : 0, fill);
    } else {
        ui_add_rect(c, r, radius, fill);
    }
    /* Padding keeps wrapped text off the rounded corners. */
    int pad_x = ui_px(c, 10), pad_y = ui_px(c, 6);
    if (text[0] != '\0')
        ui_add_text(c, ui_rect_inset(r, pad_x, pad_y), text, size_px, true, ink, UI_ALIGN_CENTER);
}

/* The international symbol of accessibility, drawn: a figure with its
 * arms spread inside a ring, on a normal button. */
void ui_add_accessible_button(struct ui_ctx *c, struct ui_rect r)
{
    ui_add_button(c, r, "", ui_px(c, 20), UI_BUTTON_NORMAL);
    ui_add_target(c, UI_TARGET_ACCESSIBLE, 0, r);
    int side = r.w < r.h ? r.w : r.h;
    int rad = side * 36 / 100, cx = r.x + r.w / 2, cy = r.y + r.h / 2;
    int line = rad / 7 > 2 ? rad / 7 : 2;
    struct ui_color ink = c->pal->ink;
    ui_add_ring(c, cx, cy, rad, line, ink);
    ui_add_circle(c, cx, cy - rad * 56 / 100, rad * 15 / 100, ink);
    const int strokes[3][3][2] = {
        {{-52, -22}, {0, -30}, {52, -22}}, /* arms */
        {{0, -30}, {0, 22}, {0, 22}},      /* body */
        {{-36, 66}, {0, 22}, {36, 66}},    /* legs */
    };
    for (int i = 0; i < 3; i++) {
        struct ui_cmd *cmd = ui_add(c, UI_CMD_POLYLINE, ink);
        if (cmd == NULL)
            return;
        cmd->width = line;
        cmd->point_count = 3;
        for (int p = 0; p < 3; p++)
            cmd->points[p] = (struct ui_point){(int16_t)(cx + rad * strokes[i][p][0] / 100),
                                               (int16_t)(cy + rad * strokes[i][p][1] / 100)};
    }
}

void ui_say(struct ui_ctx *c, const char *const *texts, int count)
{
    if (!c->accessible)
        return; /* nothing is spoken: no time spent on it */
    char said[UI_TEXT_ARENA / 2];
    size_t used = 0;
    said[0] = '\0';
    for (int i = 0; i < count && used + 1 < sizeof said; i++) {
        const char *t = texts[i];
        if (t == NULL || t[0] == '\0')
            continue;
        char last = t[strlen(t) - 1];
        bool stop = last == '.' || last == '?' || last == '!' || last == ':';
        const char *sep = used == 0 ? "" : " ";
        int n = snprintf(said + used, sizeof said - used, "%s%s%s", sep, t, stop ? "" : ".");
        if (n < 0 || (size_t)n >= sizeof said - used) {
            said[used] = '\0'; /* whole texts only; the layout tests keep screens well inside */
            break;
        }
        used += (size_t)n;
    }
    if (used > 0)
        c->frame->speech = ui_arena_printf(c, "%s", said);
}

const char *ui_arena_printf(struct ui_ctx *c, const char *fmt, ...)
{
    struct ui_frame *f = c->frame;
    int room = UI_TEXT_ARENA - f->arena_used;
    if (room <= 1) {
        log_error("ui: text arena full (%d bytes)", UI_TEXT_ARENA);
        return "";
    }
    char *buf = f->arena + f->arena_used;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, (size_t)room, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (n >= room) { /* cut: keep whole characters only */
        n = utf8_whole(buf, room - 1);
        log_warn("ui: text arena full (%d bytes): a text was shortened", UI_TEXT_ARENA);
    }
    buf[n] = '\0';
    f->arena_used += n + 1;
    return buf;
}

const char *ui_msg(const struct ui_ctx *c, const char *msgid)
{
    const char *s = i18n_catalog_get(c->catalog, msgid);
    return s != NULL && s[0] != '\0' ? s : msgid;
}

const char *ui_department_name(const struct ui_ctx *c, int department)
{
    if (department < 0 || department >= c->config->department_count)
        return "";
    const struct config_department *d = &c->config->departments[department];
    const char *name = ui_text(c->in, &d->name, c->lang);
    return name[0] != '\0' ? name : d->id;
}

struct ui_rect ui_rect_inset(struct ui_rect r, int dx, int dy)
{
    return (struct ui_rect){r.x + dx, r.y + dy, r.w - 2 * dx, r.h - 2 * dy};
}

struct ui_rect ui_grid_cell(struct ui_rect area, int cols, int rows, int gap, int i, int count)
{
    int cw = (area.w - (cols - 1) * gap) / cols;
    int ch = (area.h - (rows - 1) * gap) / rows;
    int x0 = area.x + (area.w - (cols * cw + (cols - 1) * gap)) / 2;
    int y0 = area.y + (area.h - (rows * ch + (rows - 1) * gap)) / 2;
    int col = i % cols, row = i / cols;
    int in_row = count - row * cols; /* a short last row is centred */
    if (in_row < cols)
        x0 += (cols - in_row) * (cw + gap) / 2;
    return (struct ui_rect){x0 + col * (cw + gap), y0 + row * (ch + gap), cw, ch};
}

const char *ui_we_did(const struct ui_ctx *c, int department)
{
    const struct config *config = c->config;
    if (department < 0 || department >= config->department_count ||
        department >= CONFIG_MAX_DEPARTMENTS)
        return NULL;
    const struct config_department *d = &config->departments[department];
    if (d->we_did.lang[0][0] == '\0')
        return NULL;
    int32_t today = c->in->today;
    bool dated = d->we_did_from != 0 || d->we_did_until != 0;
    if (dated && (today == 0 || (d->we_did_from != 0 && today < d->we_did_from) ||
                  (d->we_did_until != 0 && today > d->we_did_until)))
        return NULL;
    return ui_text(c->in, &d->we_did, c->lang);
}

const char *ui_we_did_week(struct ui_ctx *c, int department)
{
    const struct ui_week *w = c->in->week;
    if (w == NULL || w->answers <= 0 || ui_we_did(c, department) == NULL ||
        !c->config->departments[department].we_did_score)
        return NULL;
    long long pct = (long long)((w->satisfied * 100 + w->answers / 2) / w->answers);
    return ui_arena_printf(c, "%s: %lld %% %s (%lld %s)", ui_msg(c, "This week here"), pct,
                           ui_msg(c, "satisfied"), (long long)w->answers,
                           ui_msg(c, w->answers == 1 ? "answer" : "answers"));
}

const char *ui_text(const struct ui_input *in, const struct config_text *text, int lang)
{
    const struct config *config = in->config;
    if (lang < 0 || lang >= config->language_count)
        lang = 0;
    if (text->lang[lang][0] != '\0')
        return text->lang[lang];
    if (text->lang[0][0] == '\0')
        return text->lang[0]; /* never look "" up: a catalog maps it to its header */
    const struct i18n_catalog *catalog = in->catalogs != NULL ? in->catalogs[lang] : NULL;
    const char *s = i18n_catalog_get(catalog, text->lang[0]);
    return s != NULL ? s : text->lang[0];
}
