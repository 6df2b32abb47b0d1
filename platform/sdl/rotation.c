/*
 * rotation: the panel's rotation as a mapping between logical pixels (what
 * app/ lays out, upright) and physical ones (the window surface).  Below
 * both display.c, which turns the canvas into the frame, and input.c, which
 * turns touches back into logical points.
 */
#include "display_private.h"

bool rotation_valid(int rotation)
{
    return rotation == 0 || rotation == 90 || rotation == 180 || rotation == 270;
}

bool rotation_swaps(int rotation)
{
    return rotation == 90 || rotation == 270;
}

/* Logical pixel (x, y) -> the physical pixel it is shown on.  The canvas is
 * turned clockwise by the rotation about the window's centre. */
void rotation_to_physical(const struct display *d, int x, int y, int *px, int *py)
{
    switch (d->rotation) {
    case 90:
        *px = d->phys_w - 1 - y;
        *py = x;
        break;
    case 180:
        *px = d->phys_w - 1 - x;
        *py = d->phys_h - 1 - y;
        break;
    case 270:
        *px = y;
        *py = d->phys_h - 1 - x;
        break;
    default:
        *px = x;
        *py = y;
        break;
    }
}

/* The inverse of rotation_to_physical(). */
void rotation_to_logical(const struct display *d, int px, int py, int *x, int *y)
{
    switch (d->rotation) {
    case 90:
        *x = py;
        *y = d->phys_w - 1 - px;
        break;
    case 180:
        *x = d->phys_w - 1 - px;
        *y = d->phys_h - 1 - py;
        break;
    case 270:
        *x = d->phys_h - 1 - py;
        *y = px;
        break;
    default:
        *x = px;
        *y = py;
        break;
    }
}
