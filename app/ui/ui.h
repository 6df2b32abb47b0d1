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
#include "ui_frame.h"

struct config;
struct config_text;
struct i18n_catalog;

#define UI_MIN_TARGET_MM 20

/* With config reach = low, a portrait screen's buttons all start below
 * this share of its height: on a tall screen on a stand, the part a
 * seated user reaches forward to (the texts stay above, to be read). */
#define UI_LOW_REACH_PERCENT 45

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

#define UI_NOTICE_LINE_MAX 800 /* bytes of one line of a notice, with its NUL */

/* The technician's notice screen (a bad config, a failed start-up check):
 * what went wrong, composed by the program; all borrowed.  The screen is
 * the program's, not a state of the customer's machine. */
struct ui_notice {
    const char *heading;      /* NULL: "Configuration error" */
    const char *title;        /* e.g. the config file's path; NULL or "": none */
    const char *help;         /* NULL: how to check a config file */
    int line_count;           /* lines[0..line_count): one problem each */
    int total;                /* problems found, may exceed line_count */
    const char *const *lines; /* each at most UI_NOTICE_LINE_MAX - 1 bytes */
};

/* This week's answers at this kiosk for the department being rated, shown
 * beside its "You said, we did" note when the department asks for it
 * (config we_did_score). */
struct ui_week {
    int64_t answers;   /* misuse left out */
    int64_t satisfied; /* of those, happy or WOW */
};

/* Everything a screen is drawn from; all borrowed. */
struct ui_input {
    const struct kiosk_view *view;
    const struct config *config;
    const struct i18n_catalog *const *catalogs; /* one per config language, may hold NULL */
    const struct ui_notice *notice;             /* not NULL: the notice screen, not view's */
    const struct ui_technician *technician;     /* NULL or hidden: the customer screens */
    int32_t today;              /* YYYYMMDD in the site's zone, for dated notes; 0: unknown (only
                                   undated notes show) */
    const struct ui_week *week; /* NULL: not known (or not asked for) */
    const char *comment_text;   /* the keyboard's words so far; NULL: "" */
    const char *comment_url;    /* the offer's QR code: phone_url and the tap's token; NULL: none */
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
