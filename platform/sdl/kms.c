/*
 * kms: frames straight to the panel through DRM/KMS dumb buffers and page
 * flips, for a kiosk without X or Wayland.
 *
 * SDL 2's kmsdrm driver shows a window surface through GBM and EGL: it
 * loads a GL driver and uploads every frame as a texture, though our
 * frames are drawn in software.  A dumb buffer is plain memory the display
 * controller scans out, so the frame's changed rectangles are copied into
 * it and a page flip shows it: no GL anywhere.  Two buffers: the one on
 * screen is never written; the other gets the rectangles changed in this
 * frame and in the one before (which it has not seen yet), then is flipped
 * in.  SDL keeps doing what it does well: it runs on its "evdev" driver
 * (no video output, input from /dev/input), and fonts, events and the
 * software renderer are unchanged.  See docs/ARCHITECTURE.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xf86drm.h>
#include <xf86drmMode.h>

#include "display_private.h"
#include "log.h"

#define KMS_MAX_RECT     64
#define KMS_FLIP_WAIT_MS 100 /* a flip lands within a refresh; longer: give up waiting */

struct kms_buffer {
    uint32_t handle, fb_id, pitch;
    uint64_t size;
    uint8_t *map;
};

struct kms {
    int fd;
    uint32_t connector_id, crtc_id;
    drmModeModeInfo mode;
    drmModeCrtc *saved; /* the CRTC as we found it, restored on close */
    struct kms_buffer buf[2];
    int front; /* the buffer on screen */
    SDL_Rect last[KMS_MAX_RECT];
    int last_count;
    bool flip_pending;
};

bool kms_wanted(void)
{
    const char *choice = getenv("WOWKIOSK_PRESENTER");
    if (choice != NULL && strcmp(choice, "kms") == 0)
        return true;
    if (choice != NULL && strcmp(choice, "sdl") == 0)
        return false;
    /* auto: only where SDL would pick kmsdrm itself, or was told to */
    const char *driver = getenv("SDL_VIDEODRIVER");
    if (driver != NULL && *driver != '\0')
        return strcmp(driver, "kmsdrm") == 0;
    return getenv("DISPLAY") == NULL && getenv("WAYLAND_DISPLAY") == NULL &&
           access("/dev/dri/card0", R_OK | W_OK) == 0;
}

static bool buffer_create(struct kms *k, struct kms_buffer *b)
{
    struct drm_mode_create_dumb create = {
        .width = k->mode.hdisplay, .height = k->mode.vdisplay, .bpp = 32};
    if (drmIoctl(k->fd, DRM_IOCTL_MODE_CREATE_DUMB, &create) != 0)
        return false;
    b->handle = create.handle;
    b->pitch = create.pitch;
    b->size = create.size;
    if (drmModeAddFB(k->fd, k->mode.hdisplay, k->mode.vdisplay, 24, 32, b->pitch, b->handle,
                     &b->fb_id) != 0)
        return false;
    struct drm_mode_map_dumb map = {.handle = b->handle};
    if (drmIoctl(k->fd, DRM_IOCTL_MODE_MAP_DUMB, &map) != 0)
        return false;
    void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, k->fd, (off_t)map.offset);
    if (p == MAP_FAILED)
        return false;
    b->map = p;
    memset(b->map, 0, b->size);
    return true;
}

static void buffer_destroy(struct kms *k, struct kms_buffer *b)
{
    if (b->map != NULL)
        munmap(b->map, b->size);
    if (b->fb_id != 0)
        drmModeRmFB(k->fd, b->fb_id);
    if (b->handle != 0) {
        struct drm_mode_destroy_dumb destroy = {.handle = b->handle};
        drmIoctl(k->fd, DRM_IOCTL_MODE_DESTROY_DUMB, &destroy);
    }
    memset(b, 0, sizeof *b);
}

/* A CRTC that can drive the connector: its encoder's, or the first free
 * one an encoder allows. */
static uint32_t crtc_for(int fd, const drmModeRes *res, const drmModeConnector *conn)
{
    drmModeEncoder *enc = conn->encoder_id != 0 ? drmModeGetEncoder(fd, conn->encoder_id) : NULL;
    uint32_t crtc = enc != NULL ? enc->crtc_id : 0;
    drmModeFreeEncoder(enc);
    for (int e = 0; crtc == 0 && e < conn->count_encoders; e++) {
        enc = drmModeGetEncoder(fd, conn->encoders[e]);
        for (int c = 0; enc != NULL && crtc == 0 && c < res->count_crtcs; c++)
            if (enc->possible_crtcs & (1u << c))
                crtc = res->crtcs[c];
        drmModeFreeEncoder(enc);
    }
    return crtc;
}

/* The first connected connector with a mode, its preferred mode and a
 * CRTC for it. */
static bool output_choose(struct kms *k)
{
    drmModeRes *res = drmModeGetResources(k->fd);
    if (res == NULL)
        return false;
    bool found = false;
    for (int i = 0; i < res->count_connectors && !found; i++) {
        drmModeConnector *conn = drmModeGetConnector(k->fd, res->connectors[i]);
        if (conn != NULL && conn->connection == DRM_MODE_CONNECTED && conn->count_modes > 0) {
            k->mode = conn->modes[0];
            for (int m = 0; m < conn->count_modes; m++)
                if (conn->modes[m].type & DRM_MODE_TYPE_PREFERRED) {
                    k->mode = conn->modes[m];
                    break;
                }
            k->connector_id = conn->connector_id;
            k->crtc_id = crtc_for(k->fd, res, conn);
            found = k->crtc_id != 0;
        }
        drmModeFreeConnector(conn);
    }
    drmModeFreeResources(res);
    return found;
}

static int card_open(char *path, size_t size)
{
    for (int i = 0; i < 4; i++) {
        snprintf(path, size, "/dev/dri/card%d", i);
        int fd = open(path, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            continue;
        uint64_t dumb = 0;
        if (drmGetCap(fd, DRM_CAP_DUMB_BUFFER, &dumb) == 0 && dumb != 0)
            return fd;
        close(fd);
    }
    return -1;
}

struct kms *kms_open(int *w, int *h)
{
    struct kms *k = calloc(1, sizeof *k);
    if (k == NULL)
        return NULL;
    char path[64];
    k->fd = card_open(path, sizeof path);
    if (k->fd < 0) {
        log_info("kms: no DRM card with dumb buffers; presenting through SDL");
        free(k);
        return NULL;
    }
    if (!output_choose(k) || !buffer_create(k, &k->buf[0]) || !buffer_create(k, &k->buf[1])) {
        log_error("kms: %s: no usable output or buffers (%s); presenting through SDL", path,
                  strerror(errno));
        kms_close(k);
        return NULL;
    }
    k->saved = drmModeGetCrtc(k->fd, k->crtc_id);
    if (drmModeSetCrtc(k->fd, k->crtc_id, k->buf[0].fb_id, 0, 0, &k->connector_id, 1, &k->mode) !=
        0) {
        log_error("kms: %s: setting mode %s: %s; presenting through SDL", path, k->mode.name,
                  strerror(errno));
        kms_close(k);
        return NULL;
    }
    *w = k->mode.hdisplay;
    *h = k->mode.vdisplay;
    log_info("kms: %s %s@%u, dumb buffers and page flips (no GL)", path, k->mode.name,
             k->mode.vrefresh);
    return k;
}

static void flip_done(int fd, unsigned seq, unsigned sec, unsigned usec, void *data)
{
    (void)fd, (void)seq, (void)sec, (void)usec;
    ((struct kms *)data)->flip_pending = false;
}

/* Waits for the pending flip (the buffer it hides may then be written). */
static void flip_wait(struct kms *k)
{
    drmEventContext ev = {.version = 2, .page_flip_handler = flip_done};
    while (k->flip_pending) {
        struct pollfd p = {.fd = k->fd, .events = POLLIN};
        if (poll(&p, 1, KMS_FLIP_WAIT_MS) <= 0 || drmHandleEvent(k->fd, &ev) != 0) {
            k->flip_pending = false; /* a lost event must not stop the kiosk */
            log_error("kms: page flip did not complete");
        }
    }
}

static void rect_copy(struct kms_buffer *b, const SDL_Surface *frame, const SDL_Rect *r)
{
    for (int y = r->y; y < r->y + r->h; y++)
        memcpy(b->map + (size_t)y * b->pitch + (size_t)r->x * 4,
               (const uint8_t *)frame->pixels + (size_t)y * (size_t)frame->pitch + (size_t)r->x * 4,
               (size_t)r->w * 4);
}

bool kms_present(struct kms *k, const SDL_Surface *frame, const SDL_Rect *rects, int n)
{
    if (n <= 0)
        return true;
    if (frame->w != k->mode.hdisplay || frame->h != k->mode.vdisplay)
        return false;
    flip_wait(k);
    struct kms_buffer *back = &k->buf[1 - k->front];
    for (int i = 0; i < k->last_count; i++)
        rect_copy(back, frame, &k->last[i]);
    for (int i = 0; i < n; i++)
        rect_copy(back, frame, &rects[i]);
    k->last_count = n < KMS_MAX_RECT ? n : KMS_MAX_RECT;
    memcpy(k->last, rects, (size_t)k->last_count * sizeof *rects);
    if (drmModePageFlip(k->fd, k->crtc_id, back->fb_id, DRM_MODE_PAGE_FLIP_EVENT, k) == 0) {
        k->flip_pending = true;
    } else if (drmModeSetCrtc(k->fd, k->crtc_id, back->fb_id, 0, 0, &k->connector_id, 1,
                              &k->mode) != 0) {
        log_error("kms: showing the frame: %s", strerror(errno));
        return false;
    }
    k->front = 1 - k->front;
    return true;
}

void kms_close(struct kms *k)
{
    if (k == NULL)
        return;
    flip_wait(k);
    if (k->saved != NULL) {
        drmModeSetCrtc(k->fd, k->saved->crtc_id, k->saved->buffer_id, k->saved->x, k->saved->y,
                       &k->connector_id, 1, &k->saved->mode);
        drmModeFreeCrtc(k->saved);
    }
    buffer_destroy(k, &k->buf[0]);
    buffer_destroy(k, &k->buf[1]);
    close(k->fd);
    free(k);
}
