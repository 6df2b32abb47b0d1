/*
 * loop: the kiosk's run loop, its deadlines and the watchdog (see loop.h).
 */
#include "loop.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "display.h"
#include "frame.h"
#include "input.h"
#include "install_window.h"
#include "kiosk.h"
#include "log.h"
#include "notice.h"
#include "notify.h"
#include "script_driver.h"
#include "session.h"
#include "store.h"
#include "sync.h"
#include "technician_glue.h"
#include "tz.h"
#include "comment_offer.h"
#include "ui.h"
#include "update.h"

/* The loop's own state: what waits for the next frame, the watchdog. */
/* This week's answers of one department at this kiosk, the figure beside
 * a "You said, we did" note: read from the store again when a record was
 * committed since, the department changed, or a minute passed (a new
 * week may have begun). */
#define WEEK_REFRESH_MS 60000

struct week_cache {
    int department;       /* whose; -1: none yet */
    int64_t read_mono_ms; /* when */
    int64_t stored;       /* the session's commits then */
    bool known;
    struct ui_week week;
};

struct loop_state {
    const struct loop_parts *p;
    struct week_cache week;
    struct kiosk_actions pending;  /* records to make once the frame is presented */
    int64_t watchdog_next_ms;      /* mono time of the next WATCHDOG=1 */
    int64_t stored;                /* the session's commits the sync thread knows of */
    struct sync_store_health told; /* the store's health the sync thread knows of */
    char comment_url[700];         /* the thank-you screen's phone link (comment_offer.h) */
    struct install_window install; /* the system update's may-install mark */
    int exit_code;
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* Keeps the machine's records for after the frame that acknowledges them
 * and applies its display request; returns its redraw request. */
static bool apply_actions(struct loop_state *s, const struct kiosk_actions *a)
{
    if (a->record_tap) {
        s->pending.record_tap = true;
        s->pending.tap = a->tap;
    }
    if (a->record_followup) {
        s->pending.record_followup = true;
        s->pending.followup = a->followup;
    }
    if (a->record_comment) { /* its words stay in the machine until its next visit */
        s->pending.record_comment = true;
        s->pending.comment = a->comment;
    }
    display_set_sleep(s->p->display, a->display_sleep);
    return a->redraw;
}

static void flush_records(struct loop_state *s, struct clock_now now)
{
    if (!s->pending.record_tap && !s->pending.record_followup && !s->pending.record_comment)
        return;
    session_record(s->p->session, &s->pending, now.mono_ms, now.utc_ms);
    s->pending = (struct kiosk_actions){0};
}

/* The store's health goes to the heartbeat when it changes. */
static void tell_store_health(struct loop_state *s)
{
    struct session_health h;
    session_health(s->p->session, &h);
    struct sync_store_health now = {.waiting = h.waiting, .since_ms = h.since_utc_ms};
    snprintf(now.error, sizeof now.error, "%s", h.error);
    if (now.waiting == s->told.waiting && now.since_ms == s->told.since_ms &&
        strcmp(now.error, s->told.error) == 0)
        return;
    if (sync_thread_set_store_health(s->p->sync, &now))
        s->told = now;
}

/* Committed records wake the sync thread (which debounces a rush); the
 * session's writer tells it too, at once: this is the backstop for a
 * moment the sync thread was too busy to hear. */
static void tell_sync(struct loop_state *s)
{
    if (s->p->session == NULL)
        return;
    tell_store_health(s);
    int64_t stored = session_stored(s->p->session);
    if (stored != s->stored)
        sync_thread_committed(s->p->sync);
    s->stored = stored;
}

static struct input input_of(const struct loop_parts *p)
{
    return (struct input){.frame = frame_list(p->frame),
                          .technician = p->technician,
                          .kiosk = *p->kiosk,
                          .notice = p->notice};
}

/* Monday 00:00 of this week in the site's zone, in UTC (an hour off in a
 * week with a daylight-saving change: a figure, not an account). */
static int64_t week_start_utc(const struct tz *tz, int64_t utc_ms)
{
    struct tz_local t = tz_to_local(tz, utc_ms);
    int64_t into = ((int64_t)t.weekday * 86400 + t.hour * 3600 + t.minute * 60 + t.second) * 1000;
    return utc_ms - into - (utc_ms % 1000 + 1000) % 1000;
}

/* The week's figure for the view's department when its note shows it. */
static const struct ui_week *week_of(struct loop_state *s, const struct kiosk_view *view,
                                     struct clock_now now)
{
    const struct loop_parts *p = s->p;
    const struct config *config = frame_config(p->frame);
    int d = view->department;
    if (p->session == NULL || d < 0 || d >= config->department_count ||
        !config->departments[d].we_did_score || config->departments[d].we_did.lang[0][0] == '\0' ||
        (view->screen != KIOSK_SCREEN_RATING && view->screen != KIOSK_SCREEN_THANKS))
        return NULL;
    struct week_cache *w = &s->week;
    int64_t stored = session_stored(p->session);
    if (w->department == d && w->known && w->stored == stored &&
        now.mono_ms - w->read_mono_ms < WEEK_REFRESH_MS)
        return &w->week;
    struct store *store = session_store_try(p->session);
    if (store == NULL) /* busy writing: the last figure, if it is this department's */
        return w->department == d && w->known ? &w->week : NULL;
    int64_t n[5], misuse;
    int64_t from = week_start_utc(frame_zone(p->frame), now.utc_ms);
    int rc = store_count_taps(store, config->departments[d].id, from, n, &misuse);
    session_store_release(p->session);
    *w = (struct week_cache){
        .department = d, .read_mono_ms = now.mono_ms, .stored = stored, .known = rc == 0};
    w->week = (struct ui_week){.answers = n[1] + n[2] + n[3] + n[4], .satisfied = n[3] + n[4]};
    return w->known ? &w->week : NULL;
}

static void draw(struct loop_state *s, struct clock_now now)
{
    const struct loop_parts *p = s->p;
    const struct ui_notice *notice = notice_ui(p->notice, now.mono_ms);
    struct kiosk_view view;
    if (notice == NULL)
        view = kiosk_view(*p->kiosk);
    struct frame_content content = {.view = notice == NULL ? &view : NULL,
                                    .notice = notice,
                                    .technician = technician_glue_ui(p->technician, now),
                                    .week = notice == NULL ? week_of(s, &view, now) : NULL};
    if (notice == NULL && view.screen == KIOSK_SCREEN_COMMENT)
        content.comment_text = kiosk_comment_text(*p->kiosk);
    if (notice == NULL && view.screen == KIOSK_SCREEN_THANKS &&
        comment_offer_url(frame_config(p->frame), p->session, &view, now.utc_ms, s->comment_url,
                          sizeof s->comment_url))
        content.comment_url = s->comment_url;
    frame_draw(p->frame, p->display, &content, now.utc_ms);
}

/* How long the loop may sleep: until the nearest deadline.  The store's
 * retries are the session's writer's own. */
static int wait_timeout(const struct loop_state *s, struct clock_now now)
{
    const struct loop_parts *p = s->p;
    int64_t deadline = INT64_MAX;
    if (*p->kiosk != NULL) /* none with a bad config */
        deadline = min64(deadline, kiosk_next_deadline_ms(*p->kiosk, now));
    deadline = min64(deadline, notice_deadline_ms(p->notice, now.mono_ms));
    if (p->script != NULL)
        deadline = min64(deadline, script_driver_next_ms(p->script));
    deadline = min64(deadline, technician_glue_next_deadline_ms(p->technician, now));
    if (p->watchdog_ms > 0 && frame_ready_sent(p->frame))
        deadline = min64(deadline, s->watchdog_next_ms);
    deadline = min64(deadline, update_next_deadline_ms(p->update, now));
    deadline = min64(deadline, install_window_deadline_ms(&s->install, now.mono_ms));
    if (deadline == INT64_MAX)
        return -1;
    int64_t ms = deadline - now.mono_ms;
    if (ms < 0)
        return 0;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

/* Handles one input event; returns false when the program should stop. */
static bool handle_event(struct loop_state *s, const struct display_event *ev, bool *dirty)
{
    struct clock_now now = clock_read(s->p->clock);
    struct input in = input_of(s->p);
    struct kiosk_actions a;
    bool redraw = false;
    switch (ev->type) {
    case DISPLAY_EVENT_PRESS:
        install_window_used(&s->install, now.mono_ms);
        if (input_press(&in, ev->x, ev->y, now, &a, &redraw))
            redraw = apply_actions(s, &a);
        *dirty |= redraw;
        break;
    case DISPLAY_EVENT_EXPOSE:
        *dirty = true;
        break;
    case DISPLAY_EVENT_QUIT:
        /* Only a signal (systemd stopping us) or a window manager in a
         * development run can send this: customers have neither. */
        log_info("quit requested");
        return false;
    case DISPLAY_EVENT_ESCAPE:
        if (s->p->windowed) {
            log_info("Escape pressed in a windowed run: exiting");
            return false;
        }
        break;
    case DISPLAY_EVENT_RELEASE:
        *dirty |= input_release(&in, ev->x, ev->y, now);
        break;
    case DISPLAY_EVENT_NONE:
        break;
    }
    return true;
}

static void trace_latency(const struct loop_parts *p, const struct display_event *ev)
{
    if (p->trace_latency)
        log_info("latency: input to frame %lld ms",
                 (long long)(display_ticks_ms() - ev->at_mono_ms));
}

/* WATCHDOG=1 once per half watchdog period, only from a loop that has
 * presented its first frame and is still turning. */
static void ping_watchdog(struct loop_state *s, int64_t now_mono_ms)
{
    if (s->p->watchdog_ms <= 0 || !frame_ready_sent(s->p->frame) ||
        now_mono_ms < s->watchdog_next_ms)
        return;
    notify_watchdog();
    s->watchdog_next_ms = now_mono_ms + s->p->watchdog_ms;
}

/* A kiosk that could keep no tap takes none: the store's notice shows
 * (renewed while it lasts) instead of the faces. */
static void check_can_keep(const struct loop_parts *p, struct clock_now now)
{
    if (p->session == NULL || session_can_keep(p->session))
        return;
    struct session_health health;
    session_health(p->session, &health);
    notice_of_store(p->notice, p->kiosk_id, health.error, now.mono_ms);
}

/* Ticks the machines; true when the view changed.  While a notice shows
 * the customer's machine stands still. */
static bool tick(struct loop_state *s, struct clock_now now, bool *showed_notice)
{
    const struct loop_parts *p = s->p;
    bool dirty = false, notice = notice_showing(p->notice, now.mono_ms) || *p->kiosk == NULL;
    if (notice != *showed_notice)
        dirty = true;
    *showed_notice = notice;
    if (!notice) {
        struct kiosk_actions a =
            kiosk_handle(*p->kiosk, (struct kiosk_event){KIOSK_EVENT_TICK, 0}, now);
        dirty |= apply_actions(s, &a);
    }
    return technician_glue_tick(p->technician, now) | dirty;
}

/* No customer mid-flow: a machine to show, no record waiting, no
 * technician at work, no notice (a catalog applies, an update may install). */
static bool no_one_mid_flow(const struct loop_state *s, struct clock_now now)
{
    const struct loop_parts *p = s->p;
    return *p->kiosk != NULL && !s->pending.record_tap && !s->pending.record_followup &&
           session_pending(p->session) == 0 && !technician_glue_active(p->technician) &&
           !notice_showing(p->notice, now.mono_ms);
}

/* A catalog checked and waiting is applied when no customer is mid-flow:
 * the machine idle, no record waiting, no technician at work, no notice.
 * True when the view changed. */
static bool apply_catalog(struct loop_state *s, struct clock_now now)
{
    const struct loop_parts *p = s->p;
    if (!update_poll(p->update, now) || !no_one_mid_flow(s, now))
        return false;
    struct kiosk_view view = kiosk_view(*p->kiosk);
    return update_idle(p->update, &view) && update_apply(p->update, now);
}

/* The may-install mark for the root updater: kept while the kiosk is
 * free as apply_catalog sees it and its window is open. */
static void mark_install(struct loop_state *s, struct clock_now now)
{
    const struct loop_parts *p = s->p;
    if (s->install.path[0] == '\0')
        return;
    bool free = no_one_mid_flow(s, now);
    struct kiosk_view view = {.screen = KIOSK_SCREEN_FOLLOW_UP}; /* no kiosk: a customer's */
    if (*p->kiosk != NULL)
        view = kiosk_view(*p->kiosk);
    install_window_update(&s->install, &view, free, now.mono_ms);
}

/* The script's turn: false when the program should stop. */
static bool run_script(struct loop_state *s, struct clock_now now)
{
    const struct loop_parts *p = s->p;
    if (p->script == NULL)
        return true;
    enum script_driver_result r =
        script_driver_run(p->script, now, p->display, frame_list(p->frame), p->clock_offset);
    if (r == SCRIPT_DRIVER_FAILED)
        s->exit_code = 1;
    return r == SCRIPT_DRIVER_GO_ON;
}

int loop_run(const struct loop_parts *p)
{
    struct loop_state s = {.p = p, .week.department = -1};
    install_window_init(&s.install, p->update_dir, p->install_updates);
    bool dirty = true, showed_notice = false;
    struct display_event input = {0}; /* the input the next frame answers */
    for (;;) {
        struct clock_now now = clock_read(p->clock);
        check_can_keep(p, now);
        dirty |= tick(&s, now, &showed_notice);
        if (dirty) {
            draw(&s, now);
            dirty = false;
            if (input.type == DISPLAY_EVENT_PRESS)
                trace_latency(p, &input);
        }
        input.type = DISPLAY_EVENT_NONE;
        flush_records(&s, now);
        if (apply_catalog(&s, now)) {
            draw(&s, now);
            continue;
        }
        tell_sync(&s);
        mark_install(&s, now);
        ping_watchdog(&s, now.mono_ms);
        if (!run_script(&s, now) || technician_glue_restart_requested(p->technician))
            return s.exit_code;
        struct display_event ev = display_wait(p->display, wait_timeout(&s, now));
        if (!handle_event(&s, &ev, &dirty) || technician_glue_restart_requested(p->technician))
            return s.exit_code;
        if (dirty)
            input = ev;
    }
}
