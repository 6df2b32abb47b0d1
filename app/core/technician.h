/*
 * technician: the hidden technician screen as a pure state machine.
 *
 *   HIDDEN --corner gesture--> PIN --right PIN--> MENU --> TOUCH_TEST | PATTERN | DEPARTMENTS
 *
 * The gesture is hard to make by accident and needs one finger only: hold a
 * corner of the screen for TECHNICIAN_HOLD_MS, lift, then within
 * TECHNICIAN_SECOND_MS hold the opposite corner as long.  Customers tap
 * the middle of the screen and let go at once.  A press in a corner square
 * is the gesture's, never a customer's: a big face button may reach into a
 * corner, and holding it there must not record an answer.
 *
 * Wrong PINs lock the pad for a growing time: the first
 * TECHNICIAN_FREE_TRIES are free, then each wrong PIN locks it for
 * TECHNICIAN_LOCK_FIRST_MS, doubling up to TECHNICIAN_LOCK_MAX_MS.  The
 * count and the end of the lock are wall-clock values the caller keeps on
 * disk (technician_lock), so pulling the plug does not reset them; a lock
 * that reaches further than TECHNICIAN_LOCK_MAX_MS (the clock was set back)
 * is cut to that.
 *
 * Like kiosk.c: no SDL, no files, no clock reads; time comes with every
 * event, and the PIN is checked by pin_verify() (libsodium argon2id).
 */
#ifndef WOW_TECHNICIAN_H
#define WOW_TECHNICIAN_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"

#define TECHNICIAN_HOLD_MS       3000
#define TECHNICIAN_SECOND_MS     10000
#define TECHNICIAN_PIN_MAX       8 /* digits */
#define TECHNICIAN_PIN_MIN       4
#define TECHNICIAN_FREE_TRIES    3
#define TECHNICIAN_LOCK_FIRST_MS 30000
#define TECHNICIAN_LOCK_MAX_MS   3600000
#define TECHNICIAN_IDLE_MS       120000 /* any technician screen closes after this without input */
#define TECHNICIAN_TOUCH_POINTS  48

enum technician_screen {
    TECHNICIAN_HIDDEN,
    TECHNICIAN_PIN,
    TECHNICIAN_MENU,
    TECHNICIAN_TOUCH_TEST,
    TECHNICIAN_PATTERN,
    TECHNICIAN_DEPARTMENTS,
};

/* Buttons of the menu, in the order shown. */
enum technician_item {
    TECHNICIAN_ITEM_SYNC_NOW,
    TECHNICIAN_ITEM_TOUCH_TEST,
    TECHNICIAN_ITEM_PATTERN,
    TECHNICIAN_ITEM_DEPARTMENT,
    TECHNICIAN_ITEM_RESTART,
    TECHNICIAN_ITEM_CLOSE,
    TECHNICIAN_ITEM_COUNT,
};

enum technician_event_type {
    TECHNICIAN_EVENT_TICK,
    TECHNICIAN_EVENT_PRESS,      /* raw finger down at (x, y) of a w x h canvas */
    TECHNICIAN_EVENT_RELEASE,    /* raw finger up */
    TECHNICIAN_EVENT_DIGIT,      /* arg: 0..9 */
    TECHNICIAN_EVENT_DELETE,     /* the last digit */
    TECHNICIAN_EVENT_ENTER,      /* check the PIN */
    TECHNICIAN_EVENT_CANCEL,     /* back: PIN -> hidden, sub-screens -> menu */
    TECHNICIAN_EVENT_ITEM,       /* arg: enum technician_item */
    TECHNICIAN_EVENT_DEPARTMENT, /* arg: department index, -1 = as configured */
};

struct technician_event {
    enum technician_event_type type;
    int arg;
    int x, y, w, h; /* PRESS, RELEASE */
};

/* What the wrong PINs so far have done; kept on disk by the caller. */
struct technician_lock {
    int failures;                /* wrong PINs since the last right one */
    int64_t locked_until_utc_ms; /* 0: not locked */
};

enum technician_request {
    TECHNICIAN_REQUEST_NONE,
    TECHNICIAN_REQUEST_SYNC_NOW,
    TECHNICIAN_REQUEST_RESTART,
    TECHNICIAN_REQUEST_SET_DEPARTMENT, /* department: index, -1 = as configured */
};

struct technician_actions {
    bool redraw;
    bool lock_changed; /* save technician_lock() */
    bool consumed;     /* the press belongs to the technician (its screens, or a
                          corner while hidden): not a customer's */
    enum technician_request request;
    int department;
};

struct technician_point {
    int16_t x, y;
};

/* A read-only snapshot for the UI. */
struct technician_view {
    enum technician_screen screen;
    int digits;            /* PIN digits entered (shown as dots) */
    bool wrong;            /* the last PIN was wrong */
    bool no_pin;           /* no pin_hash configured: the pad cannot open the menu */
    int64_t locked_for_ms; /* > 0 while the pad is locked */
    int failures;          /* wrong PINs in a row */
    bool sync_requested;   /* "sync now" was pressed on this visit */
    int touch_count;       /* TOUCH_TEST: points, oldest first */
    struct technician_point touch[TECHNICIAN_TOUCH_POINTS];
};

struct technician; /* opaque */

/* Creates the machine.  pin_hash (borrowed, may be "" = no PIN) must
 * outlive it; lock is what was kept on disk.  NULL when out of memory. */
struct technician *technician_create(const char *pin_hash, struct technician_lock lock);
void technician_destroy(struct technician *technician);

struct technician_actions technician_handle(struct technician *technician,
                                            struct technician_event event, struct clock_now now);

/* True while a technician screen is shown (customers' input is ignored). */
bool technician_active(const struct technician *technician);

/* The next monotonic time a TICK changes something, or INT64_MAX. */
int64_t technician_next_deadline_ms(const struct technician *technician, struct clock_now now);

struct technician_view technician_view(const struct technician *technician, struct clock_now now);
struct technician_lock technician_lock(const struct technician *technician);

/* The corner square (0 top-left, 1 top-right, 2 bottom-right, 3 bottom-left)
 * holding (x, y) on a w x h canvas, or -1.  The UI keeps targets out of them. */
int technician_corner(int x, int y, int w, int h);

/* Side of the corner squares for a w x h canvas. */
int technician_corner_size(int w, int h);

/* The technician screens' targets by name, the one table of that
 * vocabulary (scripts tap them; see script.h): "pin:0".."pin:9",
 * "pin:delete", "pin:ok", "tech:sync", "tech:touch", "tech:pattern",
 * "tech:department", "tech:restart", "tech:close", "tech:back".  Sets
 * *event to what a press on that target means and returns true; false
 * when the len bytes at name (not NUL-terminated) are none of them.
 * "tech-department:ID" names a department, not an entry of this table. */
bool technician_event_named(const char *name, unsigned long len, struct technician_event *event);

/* Checks pin against an argon2id hash string (libsodium); false on any
 * mismatch or malformed hash. */
bool pin_verify(const char *pin_hash, const char *pin);

/* Hashes pin into out (CONFIG_PIN_HASH_MAX bytes) with argon2id at
 * libsodium's "interactive" cost.  False on failure (out of memory). */
bool pin_hash(const char *pin, char *out, unsigned out_size);

#endif
