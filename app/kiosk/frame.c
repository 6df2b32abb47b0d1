/*
 * frame: layout, drawing and the first frame's announcement (see frame.h).
 */
#include "frame.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "display.h"
#include "file.h"
#include "i18n.h"
#include "kiosk.h"
#include "log.h"
#include "notify.h"
#include "options.h"
#include "paths.h"
#include "speech.h"
#include "tz.h"
#include "ui.h"

struct frame {
    const struct config *config;
    const char *ready_status; /* NULL: announce nothing */
    struct i18n_catalog *catalogs[CONFIG_MAX_LANGUAGES];
    bool ready_sent;
    long count;
    struct tz *tz;              /* owned: the site's zone, for dated notes; NULL: unknown */
    struct speech *speech;      /* owned; created when accessibility mode is first used */
    char said[SPEECH_TEXT_MAX]; /* what it was last asked to say; "": silent */
    struct ui_frame list;
};

/* The site's zone (the config's, which a catalog may change). */
static void load_zone(struct frame *f)
{
    char err[160];
    tz_destroy(f->tz);
    f->tz = tz_load(f->config->timezone, NULL, err, sizeof err);
    if (f->tz == NULL)
        log_warn("frame: %s: dated notes are not shown", err);
}

static void load_catalogs(struct frame *f, const char *assets_dir)
{
    for (int i = 0; i < f->config->language_count; i++) {
        const char *lang = f->config->languages[i];
        if (strcmp(lang, "en") == 0)
            continue; /* English is the source language */
        char path[PATH_MAX], err[256];
        snprintf(path, sizeof path, "%s/po/%s.po", assets_dir, lang);
        f->catalogs[i] = i18n_catalog_load(path, err, sizeof err);
        if (f->catalogs[i] == NULL)
            log_warn("i18n: %s; %s texts fall back to English", err, lang);
    }
}

struct frame *frame_create(const struct config *config, const char *assets_dir,
                           const char *ready_status)
{
    /* The display list is large: the frame lives on the heap. */
    struct frame *f = calloc(1, sizeof *f);
    if (f == NULL)
        return NULL;
    f->config = config;
    f->ready_status = ready_status;
    load_catalogs(f, assets_dir);
    load_zone(f);
    return f;
}

static void free_catalogs(struct frame *f)
{
    for (int i = 0; i < CONFIG_MAX_LANGUAGES; i++) {
        if (f->catalogs[i] != NULL)
            i18n_catalog_destroy(f->catalogs[i]);
        f->catalogs[i] = NULL;
    }
}

void frame_reload_texts(struct frame *f, const char *assets_dir)
{
    free_catalogs(f);
    load_catalogs(f, assets_dir);
    load_zone(f);
}

void frame_destroy(struct frame *f)
{
    if (f == NULL)
        return;
    free_catalogs(f);
    tz_destroy(f->tz);
    speech_destroy(f->speech);
    free(f);
}

/* The ready file: "PID VERSION UTC_MS", --self-test's proof that the
 * service runs and presented a frame. */
static void write_ready_file(int64_t now_utc_ms)
{
    char path[PATH_MAX], text[96];
    int err_no = 0;
    if (!paths_state_file("ready", path, sizeof path))
        return;
    snprintf(text, sizeof text, "%ld %s %" PRId64 "\n", (long)getpid(), WOW_VERSION, now_utc_ms);
    if (!file_write_text(path, text, &err_no))
        log_warn("cannot write %s (used by --self-test): %s", path, strerror(err_no));
}

/* Speaks what the screen says in accessibility mode, once per new text
 * (an ack frame says what its screen said: nothing new), and falls silent
 * when the mode ends.  After the frame is up, so speech never delays it. */
static void speak(struct frame *f, const struct kiosk_view *view)
{
    const char *text = f->list.speech;
    if (text == NULL || view == NULL || !view->accessible) {
        if (f->said[0] != '\0' && f->speech != NULL)
            speech_stop(f->speech);
        f->said[0] = '\0';
        return;
    }
    if (strncmp(text, f->said, sizeof f->said - 1) == 0)
        return;
    if (f->speech == NULL && (f->speech = speech_create()) == NULL)
        return; /* logged; the screens still work */
    int lang =
        view->language >= 0 && view->language < f->config->language_count ? view->language : 0;
    speech_say(f->speech, f->config->languages[lang], text);
    snprintf(f->said, sizeof f->said, "%s", text);
}

void frame_draw(struct frame *f, struct display *display, const struct frame_content *content,
                int64_t now_utc_ms)
{
    /* A notice is no screen of the customer's machine: a blank view gives
     * the ui its language (the first) and nothing pressed. */
    struct kiosk_view blank = {.department = -1, .pressed_reason = -1};
    struct ui_input in = {
        .view = content->view != NULL ? content->view : &blank,
        .config = f->config,
        .catalogs = (const struct i18n_catalog *const *)f->catalogs,
        .notice = content->notice,
        .technician = content->technician,
        .week = content->week,
        .comment_text = content->comment_text,
        .comment_url = content->comment_url,
    };
    if (f->tz != NULL) {
        struct tz_local day = tz_to_local(f->tz, now_utc_ms);
        in.today = day.year * 10000 + day.month * 100 + day.day;
    }
    int w, h;
    display_logical_size(display, &w, &h);
    ui_layout(&f->list, &in, w, h);
    display_draw(display, &f->list);
    const struct ui_technician *tech = content->technician;
    bool customer = content->notice == NULL &&
                    (tech == NULL || tech->view == NULL || tech->view->screen == TECHNICIAN_HIDDEN);
    speak(f, customer ? content->view : NULL);
    if (f->count++ == 0) {
        log_info("first frame presented (%dx%d logical)", w, h);
        if (f->ready_status != NULL) {
            write_ready_file(now_utc_ms);
            notify_ready(f->ready_status);
            f->ready_sent = true;
        }
    }
}

const struct config *frame_config(const struct frame *f)
{
    return f->config;
}

const struct tz *frame_zone(const struct frame *f)
{
    return f->tz;
}

const struct ui_frame *frame_list(const struct frame *f)
{
    return &f->list;
}

bool frame_ready_sent(const struct frame *f)
{
    return f->ready_sent;
}

void frame_set_ready_sent(struct frame *f)
{
    f->ready_sent = true;
}

struct display *frame_open_display(const struct options *o, const struct config *config)
{
    char font_dir[PATH_MAX];
    snprintf(font_dir, sizeof font_dir, "%s/fonts", o->assets_dir);
    struct display_options d = {
        .windowed = o->windowed,
        .width = o->width,
        .height = o->height,
        .rotation = config->rotation,
        .font_dir = font_dir,
        .screenshot_dir = o->screenshot_dir,
    };
    return display_create(&d);
}
