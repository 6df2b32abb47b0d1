/*
 * lane: a few threads of their own for the requests that are slow on
 * purpose (a login's argon2id check), so the server's polling threads,
 * which answer every page, never wait for them.
 *
 * serve.c suspends such a request's connection, pushes a job, and the job
 * resumes the connection when its answer is ready.  The queue is bounded:
 * a push to a full lane fails at once and the request is answered 503
 * with Retry-After, whatever the load of logins, pages keep their pace.
 *
 * Threads: lane_push from any thread; jobs run on the lane's workers.
 */
#ifndef WOW_LANE_H
#define WOW_LANE_H

#include <stdbool.h>

#define LANE_WORKERS  2  /* jobs at once: as many as password checks may run (auth.h) */
#define LANE_CAPACITY 32 /* jobs waiting at most; more are refused */

struct lane;

/* Starts the workers; NULL when out of memory or a thread cannot start. */
struct lane *lane_start(int workers, int capacity);

/* Queues run(arg) for a worker; false when the lane is full or stopping
 * (then run is not called, and arg stays the caller's). */
bool lane_push(struct lane *lane, void (*run)(void *arg), void *arg);

/* Runs the jobs already queued, refuses new ones (lane_push says false
 * from here on) and joins the workers.  NULL is nothing. */
void lane_stop(struct lane *lane);
/* Frees a stopped lane, once nobody can push any more.  NULL is nothing. */
void lane_free(struct lane *lane);

#endif
