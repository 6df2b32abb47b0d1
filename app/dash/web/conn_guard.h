/*
 * conn_guard: keeps slow and greedy clients from taking the server's
 * connections (serve.c calls it from libmicrohttpd's callbacks).
 *
 * - At most CONN_GUARD_PER_ADDRESS open connections from one address
 *   (trusted proxies excepted: they carry everyone, and must limit per
 *   client themselves; docs/DASHBOARD.md).
 * - A deadline for each whole request: from the moment a connection opens,
 *   or the previous request on it was answered, to the last byte of the
 *   request's header and body, at most deadline_ms.  A client that trickles
 *   a header line every few seconds (each of which restarts an idle
 *   timeout) is cut off here.  A thread of its own looks every
 *   CONN_GUARD_TICK_MS and shuts the late sockets down (shutdown(2): the
 *   server then sees the connection end and closes it as its own).
 *
 * Threads: admit/open/close/begin/in come from the server's threads; the
 * guard's lock keeps its table.  A socket is shut down only under that
 * lock and only while its connection is in the table; the server removes
 * it (conn_guard_close) before it closes the socket, so a number reused by
 * a newer connection is never touched.
 */
#ifndef WOW_CONN_GUARD_H
#define WOW_CONN_GUARD_H

#include <stdbool.h>
#include <stdint.h>

struct trust;

#define CONN_GUARD_PER_ADDRESS 32   /* open connections from one client address */
#define CONN_GUARD_TICK_MS     250  /* how often late requests are looked for */
#define CONN_GUARD_MAX         4096 /* connections it can follow at once */

struct conn_guard;
struct conn_watch;

/* Starts the guard and its thread; trust is borrowed (its proxies are
 * exempt from the per-address limit).  NULL when out of memory or the
 * thread cannot start. */
struct conn_guard *conn_guard_start(const struct trust *trust, int64_t deadline_ms);
/* Stops the thread and frees the guard; the server has stopped (no watch
 * is left that the server could still use). */
void conn_guard_stop(struct conn_guard *guard);

/* Whether a new connection from addr (text, as inet_ntop writes it) may
 * be taken: false when that address holds its limit already. */
bool conn_guard_admit(struct conn_guard *guard, const char *addr);

/* A connection was taken: its socket and address; its first request's
 * deadline begins.  The watch is owned by the guard until conn_guard_close
 * (NULL when the table is full: that connection goes unwatched). */
struct conn_watch *conn_guard_open(struct conn_guard *guard, int fd, const char *addr);
/* The connection ends: forget it (before its socket is closed). */
void conn_guard_close(struct conn_guard *guard, struct conn_watch *watch);

/* The request on watch is all in: no deadline until the next one begins. */
void conn_guard_request_in(struct conn_guard *guard, struct conn_watch *watch);
/* The previous request was answered: the next one's deadline begins. */
void conn_guard_request_begins(struct conn_guard *guard, struct conn_watch *watch);

/* How many connections the guard has shut down for being late, and how
 * many it refused for their address's limit (logs, tests). */
void conn_guard_counts(struct conn_guard *guard, int64_t *cut, int64_t *refused);

#endif
