/*
 * notify: tells systemd how the service is doing, through the sd_notify
 * datagram protocol, without libsystemd.
 *
 * A unit with Type=notify waits for READY=1 before it counts the service as
 * started; WatchdogSec= restarts it when WATCHDOG=1 stops coming; STATUS= is
 * the line `systemctl status` shows.  Each message is one datagram of
 * "KEY=VALUE" lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path,
 * or "@name" for the Linux abstract namespace).  Outside systemd
 * ($NOTIFY_SOCKET unset) every call is a no-op that returns true, so callers
 * never need to know how they were started.
 *
 * Every send opens its own socket (no descriptor is kept, no thread, no
 * polling), so all functions are thread-safe.  A failure is logged once
 * (log.h, with strerror), not on every call; when sending works again that
 * is logged once too.
 */
#ifndef WOW_NOTIFY_H
#define WOW_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* Sends state, one or more "KEY=VALUE" lines separated by '\n', as one
 * datagram to $NOTIFY_SOCKET.  Returns true when it was sent or when
 * $NOTIFY_SOCKET is unset; false (logged once) when it is set but the
 * message could not be sent, or when state is NULL or empty.  The caller
 * keeps state. */
bool notify_send(const char *state);

/* "READY=1\nSTATUS=<status>": the service is up.  status may be NULL (then
 * READY=1 alone); a '\n' in it is sent as a space, so it cannot add keys. */
bool notify_ready(const char *status);

/* "STATUS=<status>": the line `systemctl status` shows (newlines as above). */
bool notify_status(const char *status);

/* "STOPPING=1": the service is shutting down on purpose. */
bool notify_stopping(void);

/* How often WATCHDOG=1 must be sent: half of $WATCHDOG_USEC in milliseconds
 * (at least 1), or 0 when the watchdog is off: $WATCHDOG_USEC unset, not a
 * positive decimal number, or $WATCHDOG_PID set to anything but this
 * process's pid (it is meant for another process, or is garbage). */
int64_t notify_watchdog_interval_ms(void);

/* "WATCHDOG=1": the service is alive.  Send it every
 * notify_watchdog_interval_ms() from the loop that must not hang. */
bool notify_watchdog(void);

#endif
