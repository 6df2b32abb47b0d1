/*
 * ui_frame: the display list, the one thing the screens (app/ui) and the
 * display (platform/sdl) both speak.  app/ui fills a frame with drawing
 * commands and hit targets in logical pixels; platform/sdl draws the
 * commands and measures their text; the same targets answer hit tests, so
 * what is drawn is what is tapped.
 *
 * Plain data, no functions: it sits below both, so the platform depends on
 * nothing in app/.
 */
#ifndef WOW_UI_FRAME_H
#define WOW_UI_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define UI_MAX_CMDS    256
#define UI_MAX_TARGETS 64   /* the on-screen keyboard's keys */
#define UI_MAX_POINTS  32   /* per polyline */
#define UI_TEXT_ARENA  4096 /* bytes for texts formatted during layout */

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
    UI_CMD_QR,       /* a QR code of text (borrowed) filling the square rect, dark on color */
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
    UI_TARGET_ACCESSIBLE, /* accessibility mode on / off */
    UI_TARGET_COMMENT,    /* "Tell us more": the keyboard opens */
    UI_TARGET_KEY,        /* index: the key in the language's keyboard_layout() */
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
    const char *speech; /* what the screen says in accessibility mode, in the
                           arena; NULL: nothing */
    int arena_used;
    char arena[UI_TEXT_ARENA];
};

#endif
