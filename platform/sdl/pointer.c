/*
 * pointer: where an absolute pointer really is, under SDL's evdev input.
 *
 * Many USB touch screens, and the virtio and USB tablets of a virtual
 * machine, present themselves to the kernel as an absolute mouse (ABS_X,
 * ABS_Y and BTN_LEFT) rather than as a touch screen (BTN_TOUCH).  SDL
 * 2.26's evdev input -- the one the kiosk runs under its own kms presenter
 * -- passes such a device's raw units (0..32767 for a tablet) on as window
 * pixels, clamped to the window: every touch would press the bottom-right
 * corner.  The kernel keeps each axis's range and current value for every
 * reader, so the kiosk reads them from its own read-only fds of the input
 * devices (input.c's wait fds) and scales them to the screen itself.
 */
#include <limits.h>
#include <linux/input.h>
#include <string.h>
#include <sys/ioctl.h>

#include "display_private.h"

#define POINTER_BITS_PER_LONG (int)(sizeof(unsigned long) * CHAR_BIT)

static bool bit_set(const unsigned long *bits, int bit)
{
    return (bits[bit / POINTER_BITS_PER_LONG] >> (bit % POINTER_BITS_PER_LONG)) & 1ul;
}

/* Scales fd's current ABS_X/ABS_Y to physical pixels; false when fd has
 * no absolute axes (a relative mouse, a keyboard) or no usable range. */
static bool axes_at(const struct display *d, int fd, int *px, int *py)
{
    struct input_absinfo ax, ay;
    memset(&ax, 0, sizeof ax);
    memset(&ay, 0, sizeof ay);
    if (ioctl(fd, EVIOCGABS(ABS_X), &ax) < 0 || ioctl(fd, EVIOCGABS(ABS_Y), &ay) < 0 ||
        ax.maximum <= ax.minimum || ay.maximum <= ay.minimum)
        return false;
    long long rx = (long long)ax.maximum - ax.minimum + 1;
    long long ry = (long long)ay.maximum - ay.minimum + 1;
    *px = (int)(((long long)ax.value - ax.minimum) * d->phys_w / rx);
    *py = (int)(((long long)ay.value - ay.minimum) * d->phys_h / ry);
    return true;
}

/* Whether fd is a pointer with absolute axes whose left button is down. */
static bool left_down(int fd)
{
    unsigned long keys[KEY_CNT / POINTER_BITS_PER_LONG + 1];
    unsigned long abs_bits[ABS_CNT / POINTER_BITS_PER_LONG + 1];
    memset(keys, 0, sizeof keys);
    memset(abs_bits, 0, sizeof abs_bits);
    if (ioctl(fd, EVIOCGBIT(EV_ABS, sizeof abs_bits), abs_bits) < 0 || !bit_set(abs_bits, ABS_X) ||
        !bit_set(abs_bits, ABS_Y))
        return false;
    if (ioctl(fd, EVIOCGKEY(sizeof keys), keys) < 0)
        return false;
    return bit_set(keys, BTN_LEFT);
}

bool pointer_abs_press(struct display *d, int *px, int *py)
{
    d->input.abs_fd = -1;
    if (d->kms == NULL || !d->wait.own)
        return false; /* SDL's own coordinates are right outside its evdev input */
    for (int i = 0; i < d->wait.fd_count; i++) {
        int fd = d->wait.fds[i];
        if (left_down(fd) && axes_at(d, fd, px, py)) {
            d->input.abs_fd = fd;
            return true;
        }
    }
    return false;
}

bool pointer_abs_release(struct display *d, int *px, int *py)
{
    int fd = d->input.abs_fd;
    d->input.abs_fd = -1;
    for (int i = 0; fd >= 0 && i < d->wait.fd_count; i++)
        if (d->wait.fds[i] == fd) /* still open: the device did not go away */
            return axes_at(d, fd, px, py);
    return false;
}
