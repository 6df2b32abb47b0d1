/*
 * kiosk: the customer's flow as a pure state machine (see kiosk.h).
 *
 * Each screen has at most one deadline on the monotonic clock: the end of an
 * ack, the follow-up and thanks time-outs, the picker time-out.  Every call
 * first lets one expired deadline fire (so an event sees the screen the
 * customer saw), then applies opening hours, then the event itself.  At most
 * one record is asked for per call, so a tap is always recorded before the
 * follow-up answer that belongs to it.
 *
 * Opening hours never cut a customer off: when the site closes mid-flow the
 * flow finishes and the kiosk closes when it would return to the start.
 * BACK keeps the chosen language (the same customer is still there); a
 * time-out or the end of the thanks screen resets it for the next customer,
 * and so does accessibility mode, which stretches every time-out meanwhile.
 */
#include "kiosk.h"

#include <stdlib.h>

#include "comment_text.h"
#include "config.h"
#include "hours.h"
#include "keyboard.h"
#include "log.h"

struct kiosk {
    const struct config *config; /* borrowed */
    const struct tz *tz;         /* borrowed; NULL = UTC */
    struct kiosk_view view;
    int64_t deadline_ms; /* monotonic; INT64_MAX = none on this screen */
    struct press_filter filter;
    struct comment_text comment; /* the keyboard's words */
};

static bool picker_mode(const struct kiosk *k)
{
    return k->config->mode == CONFIG_MODE_PICKER;
}

static bool is_open(const struct kiosk *k, struct clock_now now)
{
    return hours_is_open(&k->config->hours, k->tz, now.utc_ms, NULL);
}

/* The department taps are recorded for in single mode, or -1 if the config
 * names none that exists (then taps are ignored rather than misfiled). */
static int single_department(const struct config *config)
{
    if (config->department < 0 || config->department >= config->department_count ||
        config->department >= CONFIG_MAX_DEPARTMENTS)
        return -1;
    return config->department;
}

static int64_t after(struct clock_now now, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    return now.mono_ms > 0 && ms > INT64_MAX - now.mono_ms ? INT64_MAX : now.mono_ms + ms;
}

/* A configured time-out as this visit gets it: longer in accessibility
 * mode (the ack stays as it is: it is the acknowledging frame, not a wait). */
static int64_t visit_ms(const struct kiosk *k, int64_t ms)
{
    if (!k->view.accessible || ms <= 0)
        return ms;
    return ms > INT64_MAX / KIOSK_ACCESSIBLE_TIME_FACTOR ? INT64_MAX
                                                         : ms * KIOSK_ACCESSIBLE_TIME_FACTOR;
}

static void show(struct kiosk *k, enum kiosk_screen screen, int64_t deadline_ms)
{
    k->view.screen = screen;
    k->view.pressed_face = 0;
    k->view.pressed_reason = -1;
    k->deadline_ms = deadline_ms;
}

/* The start screens wait for ever, except in picker mode (the rating
 * screen goes back to the picker) and in accessibility mode (both go back
 * to the start, so the next customer does not find the mode on). */
static int64_t start_deadline(const struct kiosk *k, enum kiosk_screen screen, struct clock_now now)
{
    int64_t timeout = visit_ms(k, k->config->picker_timeout_ms);
    bool runs = k->view.accessible || (picker_mode(k) && screen == KIOSK_SCREEN_RATING);
    return runs && timeout > 0 ? after(now, timeout) : INT64_MAX;
}

/* The rating screen, with the picker time-out running in picker mode. */
static void show_rating(struct kiosk *k, struct clock_now now)
{
    show(k, KIOSK_SCREEN_RATING, start_deadline(k, KIOSK_SCREEN_RATING, now));
}

/* Back to where the next customer starts: the picker or the rating screen
 * in the first language, or CLOSED outside opening hours. */
static void show_start(struct kiosk *k, struct clock_now now)
{
    k->view.language = 0;
    k->view.accessible = false;
    k->view.rating = RATING_VERY_UNHAPPY;
    k->view.followup_positive = false;
    k->view.comment_offer = k->view.comment_sent = k->view.comment_shift = false;
    k->view.comment_chars = k->view.comment_left_s = 0;
    comment_text_clear(&k->comment);
    if (!is_open(k, now)) {
        k->view.department = picker_mode(k) ? -1 : single_department(k->config);
        show(k, KIOSK_SCREEN_CLOSED, INT64_MAX);
    } else if (picker_mode(k)) {
        k->view.department = -1;
        show(k, KIOSK_SCREEN_PICKER, INT64_MAX);
    } else {
        k->view.department = single_department(k->config);
        show_rating(k, now);
    }
}

struct kiosk *kiosk_create(const struct config *config, const struct tz *tz, struct clock_now now)
{
    struct kiosk *k = calloc(1, sizeof *k);
    if (k == NULL) {
        log_error("kiosk: out of memory");
        return NULL;
    }
    k->config = config;
    k->tz = tz;
    press_filter_init(&k->filter, &config->press_filter);
    if (config->mode != CONFIG_MODE_PICKER && single_department(config) < 0)
        log_error("kiosk: department index %d does not exist (%d configured); taps are ignored",
                  config->department, config->department_count);
    show_start(k, now);
    return k;
}

void kiosk_destroy(struct kiosk *kiosk)
{
    free(kiosk);
}

static int reason_count(const struct kiosk *k, bool positive)
{
    int n = positive ? k->config->positive_count : k->config->negative_count;
    return n < 0 ? 0 : n > CONFIG_MAX_REASONS ? CONFIG_MAX_REASONS : n;
}

static void record_followup(struct kiosk_actions *a, bool positive, int reason,
                            enum followup_end ended_by)
{
    a->record_followup = true;
    a->followup.positive = positive;
    a->followup.reason = reason;
    a->followup.ended_by = ended_by;
}

/* Whether the department asks for a comment after this face (config
 * comments: off, negative, any). */
static bool comment_wanted(const struct kiosk *k)
{
    int d = k->view.department;
    if (d < 0 || d >= k->config->department_count || d >= CONFIG_MAX_DEPARTMENTS)
        return false;
    enum config_comments c = k->config->departments[d].comments;
    return c == CONFIG_COMMENTS_ANY ||
           (c == CONFIG_COMMENTS_NEGATIVE && !rating_is_positive(k->view.rating));
}

/* The thank-you screen; one that offers a comment stays long enough to
 * reach for it. */
static void show_thanks(struct kiosk *k, struct clock_now now)
{
    int64_t ms = k->config->thanks_ms;
    if (k->view.comment_offer && ms < KIOSK_COMMENT_OFFER_MS)
        ms = KIOSK_COMMENT_OFFER_MS;
    show(k, KIOSK_SCREEN_THANKS, after(now, visit_ms(k, ms)));
}

/* The end of the face ack: the follow-up if there is one to ask. */
static void after_face_ack(struct kiosk *k, struct clock_now now)
{
    bool positive = k->view.followup_positive;
    k->view.comment_offer = comment_wanted(k);
    if (k->config->followup_enabled && reason_count(k, positive) > 0)
        show(k, KIOSK_SCREEN_FOLLOW_UP, after(now, visit_ms(k, k->config->followup_timeout_ms)));
    else
        show_thanks(k, now);
}

/* Fires the current screen's deadline if it has passed. */
static void expire(struct kiosk *k, struct clock_now now, struct kiosk_actions *a)
{
    if (now.mono_ms < k->deadline_ms)
        return;
    switch (k->view.screen) {
    case KIOSK_SCREEN_RATING:
        if (k->view.pressed_face != 0)
            after_face_ack(k, now);
        else
            show_start(k, now); /* picker time-out: the customer walked away */
        break;
    case KIOSK_SCREEN_FOLLOW_UP:
        if (k->view.pressed_reason < 0)
            record_followup(a, k->view.followup_positive, -1, FOLLOWUP_TIMEOUT);
        show_thanks(k, now);
        break;
    case KIOSK_SCREEN_COMMENT: /* walked away mid-comment: the words are not sent */
    case KIOSK_SCREEN_THANKS:
    case KIOSK_SCREEN_PICKER: /* only in accessibility mode: the customer walked away */
        show_start(k, now);
        break;
    default:
        k->deadline_ms = INT64_MAX;
        break;
    }
}

/* Opens or closes on the start screens; mid-flow screens are left alone. */
static void apply_hours(struct kiosk *k, struct clock_now now)
{
    bool open = is_open(k, now);
    enum kiosk_screen s = k->view.screen;
    if (s == KIOSK_SCREEN_CLOSED && open)
        show_start(k, now);
    else if (!open &&
             (s == KIOSK_SCREEN_PICKER || (s == KIOSK_SCREEN_RATING && k->view.pressed_face == 0)))
        show_start(k, now);
}

static void tap_face(struct kiosk *k, int arg, struct clock_now now, struct kiosk_actions *a)
{
    if (k->view.screen != KIOSK_SCREEN_RATING || k->view.pressed_face != 0 ||
        !rating_is_valid(arg) || k->view.department < 0)
        return;
    enum rating rating = (enum rating)arg;
    k->view.pressed_face = arg;
    k->view.rating = rating;
    k->view.followup_positive = rating_is_positive(rating);
    k->deadline_ms = after(now, k->config->ack_ms);
    a->record_tap = true;
    a->tap.department = k->view.department;
    a->tap.rating = rating;
    a->tap.misuse = press_filter_tap(&k->filter, now.mono_ms);
    a->tap.at_utc_ms = now.utc_ms;
}

static void choose_reason(struct kiosk *k, int arg, struct clock_now now, struct kiosk_actions *a)
{
    bool positive = k->view.followup_positive;
    if (k->view.screen != KIOSK_SCREEN_FOLLOW_UP || k->view.pressed_reason >= 0 || arg < 0 ||
        arg >= reason_count(k, positive))
        return;
    k->view.pressed_reason = arg;
    k->deadline_ms = after(now, k->config->ack_ms);
    record_followup(a, positive, arg, FOLLOWUP_CHOSEN);
}

static void skip(struct kiosk *k, struct clock_now now, struct kiosk_actions *a)
{
    if (k->view.screen != KIOSK_SCREEN_FOLLOW_UP || k->view.pressed_reason >= 0)
        return;
    record_followup(a, k->view.followup_positive, -1, FOLLOWUP_SKIPPED);
    show_thanks(k, now);
}

/* ---- "Tell us more": the keyboard ------------------------------------------ */

static void comment_deadline(struct kiosk *k, struct clock_now now)
{
    k->deadline_ms = after(now, visit_ms(k, KIOSK_COMMENT_TIMEOUT_MS));
}

/* The offer, on the follow-up (which then ends skipped) or the thanks. */
static void open_comment(struct kiosk *k, struct clock_now now, struct kiosk_actions *a)
{
    enum kiosk_screen s = k->view.screen;
    bool offered =
        k->view.comment_offer && !k->view.comment_sent &&
        ((s == KIOSK_SCREEN_FOLLOW_UP && k->view.pressed_reason < 0) || s == KIOSK_SCREEN_THANKS);
    if (!offered)
        return;
    if (s == KIOSK_SCREEN_FOLLOW_UP)
        record_followup(a, k->view.followup_positive, -1, FOLLOWUP_SKIPPED);
    comment_text_clear(&k->comment);
    k->view.comment_chars = 0;
    k->view.comment_shift = false;
    show(k, KIOSK_SCREEN_COMMENT, INT64_MAX);
    comment_deadline(k, now);
}

static void send_comment(struct kiosk *k, struct clock_now now, struct kiosk_actions *a)
{
    if (!comment_text_has_words(&k->comment))
        return;
    a->record_comment = true;
    a->comment.body = k->comment.bytes;
    a->comment.language = k->view.language;
    a->comment.written_utc_ms = now.utc_ms;
    k->view.comment_sent = true;
    k->view.comment_offer = false;
    show_thanks(k, now);
}

static void press_key(struct kiosk *k, int arg, struct clock_now now, struct kiosk_actions *a)
{
    if (k->view.screen != KIOSK_SCREEN_COMMENT)
        return;
    struct keyboard_layout layout;
    keyboard_layout(k->config->languages[k->view.language], &layout);
    if (arg < 0 || arg >= layout.count)
        return;
    const struct keyboard_key *key = &layout.keys[arg];
    comment_deadline(k, now);
    switch (key->kind) {
    case KEYBOARD_CHAR:
        comment_text_add(&k->comment, k->view.comment_shift ? key->shifted : key->text);
        k->view.comment_shift = false;
        break;
    case KEYBOARD_SHIFT:
        k->view.comment_shift = !k->view.comment_shift;
        break;
    case KEYBOARD_BACKSPACE:
        comment_text_backspace(&k->comment);
        break;
    case KEYBOARD_SPACE:
        comment_text_add(&k->comment, " ");
        break;
    case KEYBOARD_SEND:
        send_comment(k, now, a);
        break;
    case KEYBOARD_CLOSE:
        show_thanks(k, now);
        break;
    }
    k->view.comment_chars = k->comment.chars;
}

/* The keyboard's count-down, in whole seconds (the screen's bar). */
static void comment_left(struct kiosk *k, struct clock_now now)
{
    if (k->view.screen != KIOSK_SCREEN_COMMENT) {
        k->view.comment_left_s = 0;
        return;
    }
    int64_t left = k->deadline_ms - now.mono_ms;
    k->view.comment_left_s = left <= 0 ? 0 : (int)((left + 999) / 1000);
    k->view.comment_timeout_s = (int)(visit_ms(k, KIOSK_COMMENT_TIMEOUT_MS) / 1000);
}

static void pick_department(struct kiosk *k, int arg, struct clock_now now)
{
    if (k->view.screen != KIOSK_SCREEN_PICKER || arg < 0 || arg >= k->config->department_count ||
        arg >= CONFIG_MAX_DEPARTMENTS || !config_offers(k->config, arg))
        return;
    k->view.department = arg;
    show_rating(k, now);
}

static void set_language(struct kiosk *k, int arg, struct clock_now now)
{
    enum kiosk_screen s = k->view.screen;
    bool choosing =
        s == KIOSK_SCREEN_PICKER || (s == KIOSK_SCREEN_RATING && k->view.pressed_face == 0);
    if (!choosing || arg < 0 || arg >= k->config->language_count || arg >= CONFIG_MAX_LANGUAGES)
        return;
    k->view.language = arg;
    if (s == KIOSK_SCREEN_RATING)
        show_rating(k, now); /* the customer is busy: the picker time-out starts again */
}

static void back(struct kiosk *k, struct clock_now now)
{
    if (k->view.screen != KIOSK_SCREEN_RATING || k->view.pressed_face != 0 || !picker_mode(k))
        return;
    k->view.department = -1;
    show(k, KIOSK_SCREEN_PICKER, start_deadline(k, KIOSK_SCREEN_PICKER, now));
}

/* A finger on the screen but on no button: the customer is still there.
 * The follow-up's time-out, and the picker's on a rating screen, start
 * again from now (never shortened); an ack's deadline is left alone. */
static void touch(struct kiosk *k, struct clock_now now)
{
    int64_t timeout = 0;
    if (k->view.screen == KIOSK_SCREEN_FOLLOW_UP && k->view.pressed_reason < 0)
        timeout = visit_ms(k, k->config->followup_timeout_ms);
    else if (k->view.screen == KIOSK_SCREEN_COMMENT)
        timeout = visit_ms(k, KIOSK_COMMENT_TIMEOUT_MS);
    else if ((k->view.screen == KIOSK_SCREEN_RATING && k->view.pressed_face == 0) ||
             k->view.screen == KIOSK_SCREEN_PICKER)
        timeout = k->deadline_ms == INT64_MAX ? 0 : visit_ms(k, k->config->picker_timeout_ms);
    if (timeout > 0 && after(now, timeout) > k->deadline_ms)
        k->deadline_ms = after(now, timeout);
}

/* The accessibility button: on the screens where a customer chooses, and
 * not while a tap is being acknowledged.  The screen's time-out starts
 * again at its new length (the customer is busy). */
static void toggle_accessible(struct kiosk *k, struct clock_now now)
{
    enum kiosk_screen s = k->view.screen;
    bool choosing = s == KIOSK_SCREEN_PICKER ||
                    (s == KIOSK_SCREEN_RATING && k->view.pressed_face == 0) ||
                    (s == KIOSK_SCREEN_FOLLOW_UP && k->view.pressed_reason < 0);
    if (!choosing)
        return;
    k->view.accessible = !k->view.accessible;
    if (s == KIOSK_SCREEN_RATING || s == KIOSK_SCREEN_PICKER)
        k->deadline_ms = start_deadline(k, s, now);
    else if (s == KIOSK_SCREEN_FOLLOW_UP)
        k->deadline_ms = after(now, visit_ms(k, k->config->followup_timeout_ms));
}

static void dispatch(struct kiosk *k, struct kiosk_event event, struct clock_now now,
                     struct kiosk_actions *a)
{
    switch (event.type) {
    case KIOSK_EVENT_TICK:
        break;
    case KIOSK_EVENT_PICK_DEPARTMENT:
        pick_department(k, event.arg, now);
        break;
    case KIOSK_EVENT_TAP_FACE:
        tap_face(k, event.arg, now, a);
        break;
    case KIOSK_EVENT_CHOOSE_REASON:
        choose_reason(k, event.arg, now, a);
        break;
    case KIOSK_EVENT_SKIP:
        skip(k, now, a);
        break;
    case KIOSK_EVENT_SET_LANGUAGE:
        set_language(k, event.arg, now);
        break;
    case KIOSK_EVENT_BACK:
        back(k, now);
        break;
    case KIOSK_EVENT_TOUCH:
        touch(k, now);
        break;
    case KIOSK_EVENT_ACCESSIBLE:
        toggle_accessible(k, now);
        break;
    case KIOSK_EVENT_COMMENT:
        open_comment(k, now, a);
        break;
    case KIOSK_EVENT_KEY:
        press_key(k, event.arg, now, a);
        break;
    }
}

static bool view_equal(const struct kiosk_view *a, const struct kiosk_view *b)
{
    return a->screen == b->screen && a->department == b->department && a->language == b->language &&
           a->pressed_face == b->pressed_face && a->pressed_reason == b->pressed_reason &&
           a->followup_positive == b->followup_positive && a->rating == b->rating &&
           a->accessible == b->accessible && a->comment_offer == b->comment_offer &&
           a->comment_sent == b->comment_sent && a->comment_chars == b->comment_chars &&
           a->comment_shift == b->comment_shift && a->comment_left_s == b->comment_left_s;
}

struct kiosk_actions kiosk_handle(struct kiosk *kiosk, struct kiosk_event event,
                                  struct clock_now now)
{
    struct kiosk_actions a = {.followup.reason = -1};
    struct kiosk_view before = kiosk->view;
    /* A follow-up time-out leaves the thanks screen, which ignores every
     * event, so expiry and event never both ask for a record. */
    expire(kiosk, now, &a);
    apply_hours(kiosk, now);
    dispatch(kiosk, event, now, &a);
    comment_left(kiosk, now);
    a.redraw = !view_equal(&before, &kiosk->view);
    a.display_sleep = kiosk->view.screen == KIOSK_SCREEN_CLOSED && kiosk->config->sleep_when_closed;
    return a;
}

int64_t kiosk_next_deadline_ms(const struct kiosk *kiosk, struct clock_now now)
{
    int64_t deadline = kiosk->deadline_ms;
    int64_t left = deadline - now.mono_ms;
    if (kiosk->view.screen == KIOSK_SCREEN_COMMENT && left > 1000) /* the next second's bar */
        deadline = now.mono_ms + (left - 1) % 1000 + 1;
    int64_t change_utc;
    hours_is_open(&kiosk->config->hours, kiosk->tz, now.utc_ms, &change_utc);
    if (change_utc != INT64_MAX) {
        int64_t ahead = change_utc > now.utc_ms ? change_utc - now.utc_ms : 0;
        int64_t mono = after(now, ahead);
        if (mono < deadline)
            deadline = mono;
    }
    return deadline;
}

struct kiosk_view kiosk_view(const struct kiosk *kiosk)
{
    return kiosk->view;
}

const char *kiosk_comment_text(const struct kiosk *kiosk)
{
    return kiosk->comment.bytes;
}
