/* conn_guard: per-address connection limit and whole-request deadlines
 * (see conn_guard.h). */
#include "conn_guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "trust.h"

/* How long a slot admitted at accept waits for its connection to open:
 * the server may still drop a connection between the two (out of memory). */
#define PENDING_MS 2000

struct conn_watch {
    bool used;
    bool pending;     /* admitted, its connection not opened yet (no fd) */
    bool cut;         /* shut down already: once is enough */
    int fd;           /* the connection's socket, the server's */
    char addr[64];    /* the peer's address */
    int64_t since_ms; /* mono: when the pending request began; 0: none pending */
};

struct conn_guard {
    const struct trust *trust; /* borrowed */
    int64_t deadline_ms;
    pthread_t thread;
    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;  /* stop */
    bool stopping;
    int high; /* slots [0, high) have been used: the scans end there */
    int64_t cut, refused;
    struct conn_watch watches[CONN_GUARD_MAX];
};

static int64_t now_ms(void)
{
    return clock_real().mono_ms;
}

/* Shuts down the sockets whose request is late, and frees admitted slots
 * whose connection never opened; under the lock. */
static void cut_late(struct conn_guard *g, int64_t now)
{
    for (int i = 0; i < g->high; i++) {
        struct conn_watch *w = &g->watches[i];
        if (w->used && w->pending && now - w->since_ms >= PENDING_MS)
            w->used = false;
        if (!w->used || w->pending || w->cut || w->since_ms == 0 ||
            now - w->since_ms < g->deadline_ms)
            continue;
        w->cut = true;
        g->cut++;
        shutdown(w->fd, SHUT_RDWR);
        log_warn("a request from %s took over %lld s to arrive: connection closed", w->addr,
                 (long long)(g->deadline_ms / 1000));
    }
}

static void *guard_main(void *arg)
{
    struct conn_guard *g = arg;
    pthread_mutex_lock(&g->lock);
    while (!g->stopping) {
        struct timespec until = clock_mono_after(CONN_GUARD_TICK_MS);
        int rc = pthread_cond_timedwait(&g->wake, &g->lock, &until);
        if (rc == ETIMEDOUT || rc == 0)
            cut_late(g, now_ms());
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

struct conn_guard *conn_guard_start(const struct trust *trust, int64_t deadline_ms)
{
    struct conn_guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->trust = trust;
    g->deadline_ms = deadline_ms;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&g->thread, NULL, guard_main, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        free(g);
        return NULL;
    }
    return g;
}

void conn_guard_stop(struct conn_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stopping = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

/* A free slot for addr, taken (pending: no fd yet), or NULL when the
 * table is full; under the lock. */
static struct conn_watch *take_slot(struct conn_guard *g, const char *addr)
{
    for (int i = 0; i < CONN_GUARD_MAX; i++) {
        struct conn_watch *w = &g->watches[i];
        if (w->used)
            continue;
        if (i >= g->high)
            g->high = i + 1;
        *w = (struct conn_watch){.used = true, .pending = true, .fd = -1, .since_ms = now_ms()};
        snprintf(w->addr, sizeof w->addr, "%s", addr);
        return w;
    }
    return NULL;
}

/* The accept threads race: the slot is taken here, under the lock, so two
 * connections admitted at once cannot both count as the 32nd. */
bool conn_guard_admit(struct conn_guard *g, const char *addr)
{
    if (trust_is_proxy(g->trust, addr))
        return true;
    int same = 0;
    pthread_mutex_lock(&g->lock);
    for (int i = 0; i < g->high; i++)
        same += g->watches[i].used && !strcmp(g->watches[i].addr, addr);
    bool ok = same < CONN_GUARD_PER_ADDRESS;
    if (ok)
        take_slot(g, addr); /* a full table: the connection goes unwatched */
    g->refused += !ok;
    pthread_mutex_unlock(&g->lock);
    if (!ok)
        log_warn("%s holds %d connections already: one more refused", addr, same);
    return ok;
}

struct conn_watch *conn_guard_open(struct conn_guard *g, int fd, const char *addr)
{
    struct conn_watch *w = NULL;
    pthread_mutex_lock(&g->lock);
    for (int i = 0; i < g->high && !w; i++)
        if (g->watches[i].used && g->watches[i].pending && !strcmp(g->watches[i].addr, addr))
            w = &g->watches[i];
    if (!w)
        w = take_slot(g, addr); /* a trusted proxy's, or one whose slot expired */
    if (w) {
        w->pending = false;
        w->fd = fd;
        w->since_ms = now_ms();
    }
    pthread_mutex_unlock(&g->lock);
    return w;
}

void conn_guard_close(struct conn_guard *g, struct conn_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&g->lock);
    w->used = false;
    while (g->high > 0 && !g->watches[g->high - 1].used)
        g->high--;
    pthread_mutex_unlock(&g->lock);
}

void conn_guard_request_in(struct conn_guard *g, struct conn_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&g->lock);
    w->since_ms = 0;
    pthread_mutex_unlock(&g->lock);
}

void conn_guard_request_begins(struct conn_guard *g, struct conn_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&g->lock);
    w->since_ms = now_ms();
    pthread_mutex_unlock(&g->lock);
}

void conn_guard_counts(struct conn_guard *g, int64_t *cut, int64_t *refused)
{
    pthread_mutex_lock(&g->lock);
    *cut = g->cut;
    *refused = g->refused;
    pthread_mutex_unlock(&g->lock);
}
