/*
 * script: timed input for the real program (--script FILE).
 *
 * One command a line; '#' starts a comment; blank lines are skipped.
 *   wait MS                 sleep MS milliseconds of monotonic time
 *   advance MS              move the wall clock MS forward at once (tests of
 *                           wall-clock rules such as the PIN lockout)
 *   tap X Y                 press and release at logical pixel X,Y
 *   tap TARGET              press and release on the centre of a named target:
 *                           face:1..face:4, reason:N (1-based), skip,
 *                           accessible (the accessibility button),
 *                           comment (the "Tell us more" offer), key:N (the
 *                           keyboard's key N of keyboard_layout(), 0-based),
 *                           lang:XX, department:ID; on the technician
 *                           screens the names of technician_event_named()
 *                           (pin:0..pin:9, pin:delete, pin:ok,
 *                           tech:sync|touch|pattern|department|restart|close|back)
 *                           and tech-department:ID|configured
 *   press X Y | press TARGET    finger down (no release)
 *   release                 finger up where it went down
 *   screenshot              force a screenshot of the current frame
 *   quit                    end the program cleanly
 * Taps go through the same event path as real touches (the platform
 * injects them as SDL events), so a script exercises what a customer does.
 */
#ifndef WOW_SCRIPT_H
#define WOW_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

enum script_op {
    SCRIPT_WAIT,
    SCRIPT_ADVANCE,
    SCRIPT_TAP,
    SCRIPT_PRESS,
    SCRIPT_RELEASE,
    SCRIPT_SCREENSHOT,
    SCRIPT_QUIT,
};

enum script_target_kind {
    SCRIPT_AT_XY,     /* x, y */
    SCRIPT_AT_FACE,   /* index: rating 1..4 */
    SCRIPT_AT_REASON, /* index: 1-based */
    SCRIPT_AT_SKIP,
    SCRIPT_AT_ACCESSIBLE,
    SCRIPT_AT_COMMENT,    /* the "Tell us more" offer */
    SCRIPT_AT_KEY,        /* index: a key of the keyboard (keyboard.h) */
    SCRIPT_AT_LANG,       /* name: language code */
    SCRIPT_AT_DEPARTMENT, /* name: department id */
    SCRIPT_AT_TECH,       /* name: the whole word, e.g. "pin:3", "tech:sync" */
};

struct script_step {
    enum script_op op;
    int line;        /* in the script file, for errors */
    int64_t wait_ms; /* SCRIPT_WAIT, SCRIPT_ADVANCE */
    enum script_target_kind target;
    int x, y, index;
    char name[32];
};

struct script {
    int count;
    struct script_step *steps; /* owned; freed by script_destroy */
};

/* Parses script text.  On error returns false with "NAME:LINE: what was
 * expected" in err and leaves *script empty.  On success the caller frees
 * *script with script_destroy(). */
bool script_parse(struct script *script, const char *name, const char *text, char *err,
                  unsigned err_size);

/* Reads and parses the file at path.  Same contract. */
bool script_load(struct script *script, const char *path, char *err, unsigned err_size);

void script_destroy(struct script *script);

#endif
