/*
 * net: facts for the technician screen: where the kiosk can be reached on
 * the network, and how long the machine and the kiosk have been up.
 */
#ifndef WOW_NET_H
#define WOW_NET_H

#include <stddef.h>
#include <stdint.h>

/* Writes the kiosk's primary address as text into buf (the caller's, size
 * bytes, always NUL-terminated when size > 0), e.g. "192.168.1.23 (eth0)".
 * Chosen among the interfaces that are up and not loopback: an IPv4 address
 * first, else a global IPv6 address, else a link-local one (169.254/16,
 * fe80::/10); interfaces that have a carrier (running) before those that
 * have none; the system's interface order breaks ties.  "no network" when
 * there is no such address. */
void net_primary_address(char *buf, size_t size);

/* Whole seconds since the machine booted, suspend included (CLOCK_BOOTTIME);
 * -1 if that clock cannot be read. */
int64_t net_seconds_since_boot(void);

/* Whole seconds since start_mono_ms, a CLOCK_MONOTONIC time in milliseconds
 * as clock.h's mono_ms gives it (taken when the process started); 0 if
 * start_mono_ms lies in the future, -1 if the clock cannot be read. */
int64_t net_seconds_since_start(int64_t start_mono_ms);

#endif
