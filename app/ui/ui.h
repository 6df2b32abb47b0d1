/*
 * ui: the screens, laid out as a display list in logical pixels.
 *
 * ui_layout() turns what the kiosk shows (struct kiosk_view, the config and
 * the catalogs) into drawing commands and hit targets for a logical canvas
 * of w x h (after rotation: a 800x480 panel turned 90 degrees is laid out
 * as 480x800).  It knows nothing of SDL: platform/ draws the list and
 * measures text, wrapping or shrinking it to fit its box, never cutting it.
 * The same list drives hit-testing, so what is drawn is what is tapped.
 *
 * Design rules the layout keeps: faces differ in shape, not only colour
 * (mouth curve, eyes, brows); the top face is labelled WOW; every touch
 * target is at least UI_MIN_TARGET_MM wide on a 7" 800x480 panel (about
 * 5.5 px/mm, so >= 110 px); the question's text is >= 32 px high at 480 px
 * of panel height (readable from 1.5 m).
 */
#ifndef WOW_UI_H
#define WOW_UI_H

#include <stdbool.h>
#include <stdint.h>

#include "kiosk.h"
#include "technician.h"

struct config;
struct config_text;
struct config_errors;
struct catalog;

#define UI_MAX_CMDS      192
#define UI_MAX_TARGETS   48
#define UI_MAX_POINTS    32   /* per polyline */
#define UI_TEXT_ARENA    4096 /* bytes for texts formatted during layout */
#define UI_MIN_TARGET_MM 20

struct ui_color {
    uint8_t r, g, b, a;
};

struct ui_rect {
    int x, y, w, h;
};

struct ui_point {
    int16_t x, y;
};

enum ui_cmd_type {
    UI_CMD_CLEAR,    /* fill the whole canvas with color */
    UI_CMD_RECT,     /* filled rectangle, corner radius `radius` (0: square) */
    UI_CMD_CIRCLE,   /* filled circle: centre (rect.x, rect.y), radius */
    UI_CMD_RING,     /* circle outline: centre, radius, width */
    UI_CMD_POLYLINE, /* open line through points, width px, round joins */
    UI_CMD_POLYGON,  /* filled convex-or-not simple polygon through points */
    UI_CMD_TEXT,     /* text in rect: size_px is the largest size wanted */
};

enum ui_align { UI_ALIGN_CENTER, UI_ALIGN_LEFT };

struct ui_cmd {
    enum ui_cmd_type type;
    struct ui_color color;
    struct ui_rect rect;
    int radius, width;
    int point_count;
    struct ui_point points[UI_MAX_POINTS];
    const char *text; /* borrowed: config, catalog or the frame's arena */
    int size_px;
    bool bold;
    enum ui_align align;
};

enum ui_target_kind {
    UI_TARGET_FACE,   /* index: rating 1..4 */
    UI_TARGET_REASON, /* index: 0-based in the shown list */
    UI_TARGET_SKIP,
    UI_TARGET_LANGUAGE,   /* index: language index */
    UI_TARGET_DEPARTMENT, /* index: department index */
    UI_TARGET_BACK,
    /* the technician screens */
    UI_TARGET_PIN_DIGIT,       /* index: 0..9 */
    UI_TARGET_PIN_DELETE,      /* the last digit */
    UI_TARGET_PIN_ENTER,       /* check the PIN */
    UI_TARGET_TECH_CANCEL,     /* back / close */
    UI_TARGET_TECH_ITEM,       /* index: enum technician_item */
    UI_TARGET_TECH_DEPARTMENT, /* index: department index, -1 = as configured */
};

struct ui_target {
    enum ui_target_kind kind;
    int index;
    struct ui_rect rect;
};

/* One laid-out frame.  Big (tens of KB): keep it in a long-lived struct,
 * not on a small stack. */
struct ui_frame {
    int w, h;
    int cmd_count, target_count;
    struct ui_cmd cmds[UI_MAX_CMDS];
    struct ui_target targets[UI_MAX_TARGETS];
    int arena_used;
    char arena[UI_TEXT_ARENA];
};

#define UI_INFO_ROWS      12
#define UI_INFO_VALUE_MAX 160

/* One line of the technician screen's status panel, composed by the
 * program (label: value); warn marks what needs a technician's eye. */
struct ui_info_row {
    char label[24];
    char value[UI_INFO_VALUE_MAX];
    bool warn;
};

struct ui_technician {
    const struct technician_view *view;
    int row_count;
    struct ui_info_row rows[UI_INFO_ROWS];
    int department;  /* the department the kiosk records now; -1 in picker mode */
    bool overridden; /* chosen on the technician screen, not in the config files */
};

/* Everything a screen is drawn from; all borrowed. */
struct ui_input {
    const struct kiosk_view *view;
    const struct config *config;
    const struct catalog *const *catalogs;  /* one per config language, may hold NULL */
    const struct config_errors *errors;     /* CONFIG_ERROR screen only */
    const char *error_title;                /* e.g. the config file's path */
    const char *error_heading;              /* NULL: "Configuration error" */
    const char *error_help;                 /* NULL: how to check a config file */
    const struct ui_technician *technician; /* NULL or hidden: the customer screens */
};

/* Lays out the screen for in on a w x h logical canvas into *frame. */
void ui_layout(struct ui_frame *frame, const struct ui_input *in, int w, int h);

/* The target under logical point (x, y), or NULL. */
const struct ui_target *ui_hit(const struct ui_frame *frame, int x, int y);

/* The first target of this kind and index, or NULL (scripts' named taps). */
const struct ui_target *ui_find(const struct ui_frame *frame, enum ui_target_kind kind, int index);

/* The text shown for a localised config text in language lang: the
 * configured translation, else the catalog's translation of the first
 * language's text, else that text.  Never NULL. */
const char *ui_text(const struct ui_input *in, const struct config_text *text, int lang);

#endif
