/*
 * phone_limits: how often the public comment form (/c/TOKEN) may be used,
 * counted per client address and per kiosk in fixed windows, in memory.
 * The form needs no login, so this is what stands between it and a flood:
 * an address may open or post it PHONE_LIMIT_ADDRESS times a window, and
 * a kiosk's tokens may post PHONE_LIMIT_KIOSK comments a window (a stolen
 * key mints no flood either).  The counts are lost on restart, which is
 * fine for a flood's time scale.  Thread-safe (one mutex).
 */
#ifndef WOW_PHONE_LIMITS_H
#define WOW_PHONE_LIMITS_H

#include <stdbool.h>
#include <stdint.h>

#define PHONE_LIMIT_WINDOW_MS (10 * 60 * 1000)
#define PHONE_LIMIT_ADDRESS   30 /* requests to /c/ per address and window */
#define PHONE_LIMIT_KIOSK     30 /* comments posted per kiosk and window */

struct phone_limits;

/* NULL when out of memory; free with phone_limits_destroy. */
struct phone_limits *phone_limits_create(void);
void phone_limits_destroy(struct phone_limits *l);

/* Counts one use of key (kind "address" or "kiosk" and the value) at
 * now_ms; false when that makes more than limit in the current window,
 * with the ms until the window ends in *retry_ms.  A full table forgets
 * its oldest window first. */
bool phone_limits_take(struct phone_limits *l, const char *kind, const char *key, int limit,
                       int64_t now_ms, int64_t *retry_ms);

#endif
