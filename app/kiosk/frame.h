/*
 * frame: lays out and presents a screen, and keeps what the ui needs
 * between frames: the display list (hit tests read it too) and the
 * language catalogs.  After the first frame it tells systemd READY=1 and
 * writes the state directory's ready file (pid, version, time), which
 * --self-test reads as the running service's proof.
 */
#ifndef WOW_KIOSK_FRAME_H
#define WOW_KIOSK_FRAME_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct display;
struct options;
struct kiosk_view;
struct ui_frame;
struct ui_notice;
struct ui_technician;
struct ui_week;
struct tz;

struct frame; /* opaque */

/* What one frame shows; all borrowed.  The technician's screens come
 * first, then the notice, then the customer's view. */
struct frame_content {
    const struct kiosk_view *view;          /* NULL: none (a notice shows) */
    const struct ui_notice *notice;         /* NULL: none */
    const struct ui_technician *technician; /* NULL: hidden */
    const struct ui_week *week;             /* NULL: none (see ui.h) */
    const char *comment_text;               /* the keyboard's words; NULL: none */
    const char *comment_url;                /* the offer's QR code; NULL: none */
};

/* Creates the frame for config (borrowed, must outlive it), loading the
 * catalogs of its languages from assets_dir/po.  ready_status is what
 * systemd is told with READY=1 after the first frame (static string); NULL
 * announces nothing (--self-test).  NULL when out of memory.  Free with
 * frame_destroy(). */
struct frame *frame_create(const struct config *config, const char *assets_dir,
                           const char *ready_status);
void frame_destroy(struct frame *frame);

/* Loads the translations again for the config's languages as they are
 * now (a catalog applied in process may have changed them). */
void frame_reload_texts(struct frame *frame, const char *assets_dir);

/* Lays out content for display's logical size and presents it. */
void frame_draw(struct frame *frame, struct display *display, const struct frame_content *content,
                int64_t now_utc_ms);

/* The config the frame draws (borrowed from frame_create's caller). */
const struct config *frame_config(const struct frame *frame);

/* The site's zone (the config's), or NULL when it did not load. */
const struct tz *frame_zone(const struct frame *frame);

/* The display list last drawn (empty before the first frame). */
const struct ui_frame *frame_list(const struct frame *frame);

/* True once systemd was told READY=1 (the first frame is up). */
bool frame_ready_sent(const struct frame *frame);

/* Opens the display for config's rotation (borrowed) and the window size,
 * fonts (assets_dir/fonts) and screenshot directory of o.  NULL when none
 * can be opened (logged by the display).  Free with display_destroy(). */
struct display *frame_open_display(const struct options *o, const struct config *config);

/* Records that systemd was told READY=1 before any frame (by a kiosk
 * that waited for its display), so the watchdog may start. */
void frame_set_ready_sent(struct frame *frame);

#endif
