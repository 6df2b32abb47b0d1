/*
 * technician: the gesture, the PIN pad with its lockout, and the menu of the
 * technician screen (see technician.h).  Pure: events and time in, a view
 * and requests out.
 */
#include "technician.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct technician {
    const char *pin_hash; /* borrowed */
    enum technician_screen screen;
    struct technician_lock lock;
    char pin[TECHNICIAN_PIN_MAX + 1];
    int digits;
    bool wrong;
    bool sync_requested;
    int64_t last_input_ms; /* mono: the idle time-out counts from here */

    /* the gesture */
    int press_corner; /* corner the finger went down in, or -1 */
    int64_t press_at_ms;
    int held_corner; /* corner held long enough, waiting for its opposite, or -1 */
    int64_t held_at_ms;

    int touch_count, touch_head;
    struct technician_point touch[TECHNICIAN_TOUCH_POINTS];
};

static const struct technician_name {
    const char *name;
    enum technician_event_type type;
    int arg;
} technician_names[] = {
    {"pin:0", TECHNICIAN_EVENT_DIGIT, 0},
    {"pin:1", TECHNICIAN_EVENT_DIGIT, 1},
    {"pin:2", TECHNICIAN_EVENT_DIGIT, 2},
    {"pin:3", TECHNICIAN_EVENT_DIGIT, 3},
    {"pin:4", TECHNICIAN_EVENT_DIGIT, 4},
    {"pin:5", TECHNICIAN_EVENT_DIGIT, 5},
    {"pin:6", TECHNICIAN_EVENT_DIGIT, 6},
    {"pin:7", TECHNICIAN_EVENT_DIGIT, 7},
    {"pin:8", TECHNICIAN_EVENT_DIGIT, 8},
    {"pin:9", TECHNICIAN_EVENT_DIGIT, 9},
    {"pin:delete", TECHNICIAN_EVENT_DELETE, 0},
    {"pin:ok", TECHNICIAN_EVENT_ENTER, 0},
    {"tech:sync", TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_SYNC_NOW},
    {"tech:touch", TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_TOUCH_TEST},
    {"tech:pattern", TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_PATTERN},
    {"tech:department", TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_DEPARTMENT},
    {"tech:restart", TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_RESTART},
    {"tech:close", TECHNICIAN_EVENT_ITEM, TECHNICIAN_ITEM_CLOSE},
    {"tech:back", TECHNICIAN_EVENT_CANCEL, 0},
};

bool technician_event_named(const char *name, unsigned long len, struct technician_event *event)
{
    for (size_t i = 0; i < sizeof technician_names / sizeof technician_names[0]; i++) {
        const struct technician_name *n = &technician_names[i];
        if (strlen(n->name) == len && memcmp(n->name, name, len) == 0) {
            *event = (struct technician_event){.type = n->type, .arg = n->arg};
            return true;
        }
    }
    return false;
}

int technician_corner_size(int w, int h)
{
    int side = (w < h ? w : h) / 8;
    return side < 48 ? 48 : side;
}

int technician_corner(int x, int y, int w, int h)
{
    int side = technician_corner_size(w, h);
    bool left = x < side, right = x >= w - side, top = y < side, bottom = y >= h - side;
    if (top && left)
        return 0;
    if (top && right)
        return 1;
    if (bottom && right)
        return 2;
    if (bottom && left)
        return 3;
    return -1;
}

struct technician *technician_create(const char *pin_hash, struct technician_lock lock)
{
    struct technician *t = calloc(1, sizeof *t);
    if (t == NULL)
        return NULL;
    t->pin_hash = pin_hash;
    t->lock = lock;
    t->press_corner = t->held_corner = -1;
    return t;
}

void technician_destroy(struct technician *technician)
{
    free(technician);
}

bool technician_active(const struct technician *technician)
{
    return technician->screen != TECHNICIAN_HIDDEN;
}

/* How long the pad stays locked from now; a lock reaching further than the
 * longest one (the wall clock went back) counts as the longest. */
static int64_t locked_for_ms(const struct technician *t, struct clock_now now)
{
    int64_t left = t->lock.locked_until_utc_ms - now.utc_ms;
    if (t->lock.locked_until_utc_ms == 0 || left <= 0)
        return 0;
    return left > TECHNICIAN_LOCK_MAX_MS ? TECHNICIAN_LOCK_MAX_MS : left;
}

static void clear_pin(struct technician *t)
{
    sodium_memzero(t->pin, sizeof t->pin);
    t->digits = 0;
}

static void show(struct technician *t, enum technician_screen screen)
{
    t->screen = screen;
    if (screen != TECHNICIAN_PIN)
        clear_pin(t);
    if (screen == TECHNICIAN_HIDDEN) {
        t->wrong = false;
        t->sync_requested = false;
    }
    if (screen == TECHNICIAN_TOUCH_TEST)
        t->touch_count = t->touch_head = 0;
}

/* Hidden: a corner held, lifted, then the opposite corner held. */
static bool gesture_release(struct technician *t, struct clock_now now)
{
    int corner = t->press_corner;
    t->press_corner = -1;
    if (corner < 0 || now.mono_ms - t->press_at_ms < TECHNICIAN_HOLD_MS)
        return false;
    if (t->held_corner >= 0 && corner == (t->held_corner + 2) % 4 &&
        t->press_at_ms - t->held_at_ms <= TECHNICIAN_SECOND_MS) {
        t->held_corner = -1;
        return true;
    }
    t->held_corner = corner;
    t->held_at_ms = now.mono_ms;
    return false;
}

static void add_touch(struct technician *t, int x, int y)
{
    int slot = (t->touch_head + t->touch_count) % TECHNICIAN_TOUCH_POINTS;
    if (t->touch_count == TECHNICIAN_TOUCH_POINTS)
        t->touch_head = (t->touch_head + 1) % TECHNICIAN_TOUCH_POINTS;
    else
        t->touch_count++;
    t->touch[slot] = (struct technician_point){(int16_t)x, (int16_t)y};
}

static void enter_pin(struct technician *t, struct technician_actions *a, struct clock_now now)
{
    if (locked_for_ms(t, now) > 0 || t->pin_hash[0] == '\0')
        return;
    if (t->digits >= TECHNICIAN_PIN_MIN && pin_verify(t->pin_hash, t->pin)) {
        t->lock = (struct technician_lock){0};
        t->wrong = false;
        a->lock_changed = true;
        show(t, TECHNICIAN_MENU);
        return;
    }
    t->wrong = true;
    clear_pin(t);
    t->lock.failures++;
    a->lock_changed = true;
    int over = t->lock.failures - TECHNICIAN_FREE_TRIES;
    if (over >= 0) {
        int64_t ms = TECHNICIAN_LOCK_FIRST_MS;
        for (int i = 0; i < over && ms < TECHNICIAN_LOCK_MAX_MS; i++)
            ms *= 2;
        if (ms > TECHNICIAN_LOCK_MAX_MS)
            ms = TECHNICIAN_LOCK_MAX_MS;
        t->lock.locked_until_utc_ms = now.utc_ms + ms;
    }
}

static void handle_pin(struct technician *t, struct technician_event ev,
                       struct technician_actions *a, struct clock_now now)
{
    switch (ev.type) {
    case TECHNICIAN_EVENT_DIGIT:
        if (locked_for_ms(t, now) == 0 && t->digits < TECHNICIAN_PIN_MAX && ev.arg >= 0 &&
            ev.arg <= 9) {
            t->pin[t->digits++] = (char)('0' + ev.arg);
            t->pin[t->digits] = '\0';
            t->wrong = false;
        }
        break;
    case TECHNICIAN_EVENT_DELETE:
        if (t->digits > 0)
            t->pin[--t->digits] = '\0';
        break;
    case TECHNICIAN_EVENT_ENTER:
        enter_pin(t, a, now);
        break;
    case TECHNICIAN_EVENT_CANCEL:
        show(t, TECHNICIAN_HIDDEN);
        break;
    default:
        return;
    }
    a->redraw = true;
}

static void handle_item(struct technician *t, int item, struct technician_actions *a)
{
    switch (item) {
    case TECHNICIAN_ITEM_SYNC_NOW:
        a->request = TECHNICIAN_REQUEST_SYNC_NOW;
        t->sync_requested = true;
        break;
    case TECHNICIAN_ITEM_TOUCH_TEST:
        show(t, TECHNICIAN_TOUCH_TEST);
        break;
    case TECHNICIAN_ITEM_PATTERN:
        show(t, TECHNICIAN_PATTERN);
        break;
    case TECHNICIAN_ITEM_DEPARTMENT:
        show(t, TECHNICIAN_DEPARTMENTS);
        break;
    case TECHNICIAN_ITEM_RESTART:
        a->request = TECHNICIAN_REQUEST_RESTART;
        break;
    case TECHNICIAN_ITEM_CLOSE:
        show(t, TECHNICIAN_HIDDEN);
        break;
    default:
        return;
    }
    a->redraw = true;
}

/* Events on the menu and its sub-screens. */
static void handle_shown(struct technician *t, struct technician_event ev,
                         struct technician_actions *a)
{
    if (ev.type == TECHNICIAN_EVENT_ITEM && t->screen == TECHNICIAN_MENU) {
        handle_item(t, ev.arg, a);
    } else if (ev.type == TECHNICIAN_EVENT_CANCEL) {
        show(t, t->screen == TECHNICIAN_MENU ? TECHNICIAN_HIDDEN : TECHNICIAN_MENU);
        a->redraw = true;
    } else if (ev.type == TECHNICIAN_EVENT_PRESS && t->screen == TECHNICIAN_TOUCH_TEST) {
        add_touch(t, ev.x, ev.y);
        a->redraw = true;
    } else if (ev.type == TECHNICIAN_EVENT_PRESS && t->screen == TECHNICIAN_PATTERN) {
        show(t, TECHNICIAN_MENU); /* the pattern has no buttons: any touch ends it */
        a->redraw = true;
    } else if (ev.type == TECHNICIAN_EVENT_DEPARTMENT && t->screen == TECHNICIAN_DEPARTMENTS) {
        a->request = TECHNICIAN_REQUEST_SET_DEPARTMENT;
        a->department = ev.arg;
        a->redraw = true;
    }
}

struct technician_actions technician_handle(struct technician *t, struct technician_event ev,
                                            struct clock_now now)
{
    struct technician_actions a = {.department = -1};
    if (t->screen == TECHNICIAN_HIDDEN) {
        if (ev.type == TECHNICIAN_EVENT_PRESS) {
            t->press_corner = technician_corner(ev.x, ev.y, ev.w, ev.h);
            t->press_at_ms = now.mono_ms;
            a.consumed = t->press_corner >= 0; /* corners are the gesture's, never an answer */
        } else if (ev.type == TECHNICIAN_EVENT_RELEASE && gesture_release(t, now)) {
            show(t, TECHNICIAN_PIN);
            t->last_input_ms = now.mono_ms;
            a.redraw = true;
        }
        return a;
    }
    if (ev.type == TECHNICIAN_EVENT_TICK) {
        if (now.mono_ms - t->last_input_ms >= TECHNICIAN_IDLE_MS) {
            show(t, TECHNICIAN_HIDDEN);
            a.redraw = true;
        } else if (t->screen == TECHNICIAN_PIN) {
            a.redraw = true; /* the lock's countdown */
        }
        return a;
    }
    a.consumed = true;
    if (ev.type == TECHNICIAN_EVENT_RELEASE)
        return a;
    t->last_input_ms = now.mono_ms;
    if (t->screen == TECHNICIAN_PIN)
        handle_pin(t, ev, &a, now);
    else
        handle_shown(t, ev, &a);
    return a;
}

int64_t technician_next_deadline_ms(const struct technician *t, struct clock_now now)
{
    if (t->screen == TECHNICIAN_HIDDEN)
        return INT64_MAX;
    int64_t deadline = t->last_input_ms + TECHNICIAN_IDLE_MS;
    int64_t locked = t->screen == TECHNICIAN_PIN ? locked_for_ms(t, now) : 0;
    if (locked > 0) {
        /* redraw the countdown each second, and when the lock ends */
        int64_t step = locked % 1000 ? locked % 1000 : 1000;
        if (now.mono_ms + step < deadline)
            deadline = now.mono_ms + step;
    }
    return deadline;
}

struct technician_view technician_view(const struct technician *t, struct clock_now now)
{
    struct technician_view v = {
        .screen = t->screen,
        .digits = t->digits,
        .wrong = t->wrong,
        .no_pin = t->pin_hash[0] == '\0',
        .locked_for_ms = locked_for_ms(t, now),
        .failures = t->lock.failures,
        .sync_requested = t->sync_requested,
        .touch_count = t->touch_count,
    };
    for (int i = 0; i < t->touch_count; i++)
        v.touch[i] = t->touch[(t->touch_head + i) % TECHNICIAN_TOUCH_POINTS];
    return v;
}

struct technician_lock technician_lock(const struct technician *t)
{
    return t->lock;
}

bool pin_verify(const char *hash, const char *pin)
{
    if (sodium_init() < 0 || memchr(hash, '\0', crypto_pwhash_STRBYTES) == NULL)
        return false;
    return crypto_pwhash_str_verify(hash, pin, strlen(pin)) == 0;
}

bool pin_hash(const char *pin, char *out, unsigned out_size)
{
    char hash[crypto_pwhash_STRBYTES];
    if (sodium_init() < 0 || out_size < sizeof hash)
        return false;
    if (crypto_pwhash_str(hash, pin, strlen(pin), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return false;
    memcpy(out, hash, sizeof hash);
    return true;
}
