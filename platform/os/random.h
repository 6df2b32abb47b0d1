/*
 * random: bytes from the kernel's random source, for ids that must not
 * repeat (store incarnations), secrets (kiosk passwords) and jitter seeds.
 */
#ifndef WOW_RANDOM_H
#define WOW_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

/* Fills buf with n random bytes from /dev/urandom.  Returns false, with
 * errno set, when the source cannot be read (buf is then unspecified). */
bool random_bytes(void *buf, size_t n);

#endif
