/*
 * kiosk: the customer's flow as a pure state machine.
 *
 *   CLOSED <-> (opening hours) <-> PICKER? -> RATING -> [ack] -> FOLLOW_UP? -> THANKS -> back
 *                                     FOLLOW_UP or THANKS -> ("Tell us more") COMMENT -> THANKS
 *
 * Given an event and the time, kiosk_handle() changes the state and says
 * what the caller must do (record a tap, record how a follow-up ended,
 * redraw, let the display sleep).  No SDL, no SQLite, no clock reads: time
 * comes in with every call, so every transition and time-out is tested with
 * a fake clock.
 *
 * Ack: a face tap sets view.pressed_face and asks for a redraw and for the
 * tap to be recorded at once; the screen moves on to the follow-up (or the
 * thanks) only after config.ack_ms, so the caller presents the acknowledging
 * frame and commits the tap before the next screen can appear.
 *
 * Taps on the thanks screen, or during an ack, are ignored (no double
 * answers).  The language goes back to the first configured one whenever the
 * flow returns to the start, so the next customer starts in the default.
 *
 * Accessibility mode (view.accessible) is switched by its button on the
 * screens where a customer chooses (picker, rating, follow-up): the screens
 * then draw larger and in high contrast and speak, and every time-out of
 * the visit is KIOSK_ACCESSIBLE_TIME_FACTOR times longer.  Like the
 * language it ends with the visit.
 */
#ifndef WOW_KIOSK_H
#define WOW_KIOSK_H

#include <stdbool.h>
#include <stdint.h>

#include "clock.h"
#include "press_filter.h"
#include "rating.h"

struct config;
struct tz;

enum kiosk_screen {
    KIOSK_SCREEN_CLOSED,
    KIOSK_SCREEN_PICKER,
    KIOSK_SCREEN_RATING,
    KIOSK_SCREEN_FOLLOW_UP,
    KIOSK_SCREEN_THANKS,
    KIOSK_SCREEN_COMMENT, /* the on-screen keyboard: "Tell us more" */
};

enum kiosk_event_type {
    KIOSK_EVENT_TICK,            /* time passed; check deadlines and hours */
    KIOSK_EVENT_PICK_DEPARTMENT, /* arg: department index */
    KIOSK_EVENT_TAP_FACE,        /* arg: rating 1..4 */
    KIOSK_EVENT_CHOOSE_REASON,   /* arg: reason index in the shown list */
    KIOSK_EVENT_SKIP,            /* follow-up skipped */
    KIOSK_EVENT_SET_LANGUAGE,    /* arg: language index */
    KIOSK_EVENT_BACK,            /* rating screen back to the picker */
    KIOSK_EVENT_TOUCH,           /* a touch on no button: the follow-up's (and the picker's
                                    rating screen's) time-out starts again */
    KIOSK_EVENT_ACCESSIBLE,      /* the accessibility button: the mode on or off */
    KIOSK_EVENT_COMMENT,         /* the "Tell us more" offer: the keyboard opens */
    KIOSK_EVENT_KEY,             /* arg: key index in the language's keyboard_layout() */
};

struct kiosk_event {
    enum kiosk_event_type type;
    int arg;
};

enum followup_end { FOLLOWUP_CHOSEN, FOLLOWUP_SKIPPED, FOLLOWUP_TIMEOUT };

/* What the state machine asks of its caller after one event. */
struct kiosk_actions {
    bool redraw;
    bool record_tap; /* the fields below describe it */
    struct {
        int department; /* index into config.departments */
        enum rating rating;
        bool misuse;
        int64_t at_utc_ms;
    } tap;
    bool record_followup; /* belongs to the last recorded tap */
    struct {
        bool positive; /* which list was shown */
        int reason;    /* index in that list; -1 unless CHOSEN */
        enum followup_end ended_by;
    } followup;
    bool display_sleep;  /* true while closed and config.sleep_when_closed */
    bool record_comment; /* belongs to the last recorded tap */
    struct {
        const char *body; /* the words, UTF-8; valid until the next kiosk_handle */
        int language;     /* index into config.languages: the one typed in */
        int64_t written_utc_ms;
    } comment;
};

/* A read-only snapshot of what the screen must show. */
struct kiosk_view {
    enum kiosk_screen screen;
    int department;         /* index, -1 on the picker */
    int language;           /* index into config.languages */
    int pressed_face;       /* 1..4 while acknowledging a face tap, else 0 */
    int pressed_reason;     /* index while acknowledging a reason, else -1 */
    bool followup_positive; /* FOLLOW_UP/THANKS: which list / answer */
    enum rating rating;     /* the answer being followed up / thanked for */
    bool accessible;        /* accessibility mode: larger, high contrast, spoken */
    bool comment_offer;     /* FOLLOW_UP/THANKS: "Tell us more" is offered (not yet sent) */
    bool comment_sent;      /* THANKS: after the customer's comment */
    int comment_chars;      /* COMMENT: characters typed (kiosk_comment_text) */
    bool comment_shift;     /* COMMENT: the next letter upper case */
    int comment_left_s;     /* COMMENT: seconds before it closes unsent */
    int comment_timeout_s;  /* COMMENT: what each key press gives back */
};

/* How much longer each time-out (follow-up, thanks, picker) lasts in
 * accessibility mode: people who need it often need more time. */
#define KIOSK_ACCESSIBLE_TIME_FACTOR 2

/* The keyboard closes, the words unsent, after this long without a key
 * press (each press starts it again); a thank-you screen that offers a
 * comment stays at least KIOSK_COMMENT_OFFER_MS, time to reach for it or
 * scan its QR code. */
#define KIOSK_COMMENT_TIMEOUT_MS 60000
#define KIOSK_COMMENT_OFFER_MS   10000

struct kiosk; /* opaque */

/* Creates the state machine for config (and zone tz, may be NULL = UTC),
 * both borrowed: they must outlive the kiosk.  Starts on the picker or the
 * rating screen, or CLOSED if now is outside opening hours.  Returns NULL
 * on allocation failure.  Free with kiosk_destroy(). */
struct kiosk *kiosk_create(const struct config *config, const struct tz *tz, struct clock_now now);
void kiosk_destroy(struct kiosk *kiosk);

/* Handles one event at time now and returns what to do. */
struct kiosk_actions kiosk_handle(struct kiosk *kiosk, struct kiosk_event event,
                                  struct clock_now now);

/* The next monotonic time at which a TICK would change something (ack end,
 * follow-up or thanks time-out, picker time-out), or INT64_MAX. Opening-hours
 * changes are reported as well, converted from wall time. */
int64_t kiosk_next_deadline_ms(const struct kiosk *kiosk, struct clock_now now);

/* The current view; valid until the next call on this kiosk. */
struct kiosk_view kiosk_view(const struct kiosk *kiosk);

/* The words typed on the keyboard so far (UTF-8, "" when none); owned by
 * the kiosk, valid until the next kiosk_handle. */
const char *kiosk_comment_text(const struct kiosk *kiosk);

#endif
