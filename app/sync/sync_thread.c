/*
 * sync_thread: runs a sync engine on a thread of its own (see sync.h).
 *
 * The render thread never waits on it: requests go through a pipe, and
 * the status is copied out under a mutex the render thread only ever
 * try-locks.  Stopping writes to a second pipe that the backend polls
 * alongside its socket, so a stalled database cannot delay shutdown.
 *
 * The wake pipe carries two kinds of byte: WAKE_NOW (the technician's
 * "sync now": a round at once) and WAKE_COMMIT (a record was committed).
 * The first commit of a rush arms a round SYNC_WAKE_DEBOUNCE_MS later,
 * and no sooner than SYNC_WAKE_MIN_GAP_MS after the last round began; the
 * commits that follow before it runs ride along.  A commit while the
 * engine backs off from a failure changes nothing: the back-off decides.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "sync.h"

#define WAKE_NOW    'w'
#define WAKE_COMMIT 'c'

struct sync_thread {
    pthread_t thread;
    struct sync_engine *engine;     /* owned; touched by the sync thread only */
    const struct clock *clock;      /* borrowed */
    int stop_pipe[2], wake_pipe[2]; /* owned; [0] read end, [1] write end */
    pthread_mutex_t status_lock;    /* guards status */
    struct sync_status status;      /* the last published copy */
    /* a catalog applied in process: the heartbeat's departments, handed
       to the engine before its next round */
    pthread_mutex_t departments_lock; /* guards the four below */
    bool departments_set;
    char department[SYNC_TEXT_MAX], mode[8], departments[SYNC_DEPARTMENTS_MAX];
    /* the kiosk's store, handed over likewise, under departments_lock */
    bool store_set;
    struct sync_store_health store;
    /* the sync thread's own: */
    int64_t commit_due_mono_ms; /* a round for committed records; INT64_MAX: none */
    int64_t last_round_mono_ms; /* when the last round began */
};

static void take_departments(struct sync_thread *t)
{
    pthread_mutex_lock(&t->departments_lock);
    if (t->departments_set)
        sync_engine_set_departments(t->engine, t->department, t->mode, t->departments);
    t->departments_set = false;
    if (t->store_set)
        sync_engine_set_store_health(t->engine, &t->store);
    t->store_set = false;
    pthread_mutex_unlock(&t->departments_lock);
}

bool sync_thread_set_departments(struct sync_thread *t, const char *department, const char *mode,
                                 const char *departments)
{
    if (!t)
        return true;
    if (pthread_mutex_trylock(&t->departments_lock) != 0)
        return false;
    snprintf(t->department, sizeof t->department, "%s", department);
    snprintf(t->mode, sizeof t->mode, "%s", mode);
    snprintf(t->departments, sizeof t->departments, "%s", departments);
    t->departments_set = true;
    pthread_mutex_unlock(&t->departments_lock);
    return true;
}

bool sync_thread_set_store_health(struct sync_thread *t, const struct sync_store_health *health)
{
    if (!t)
        return true;
    if (pthread_mutex_trylock(&t->departments_lock) != 0)
        return false;
    bool changed = t->store.since_ms != health->since_ms; /* started or ended failing */
    t->store = *health;
    t->store_set = true;
    pthread_mutex_unlock(&t->departments_lock);
    if (changed)
        sync_thread_request(t);
    return true;
}

static void publish(struct sync_thread *t)
{
    pthread_mutex_lock(&t->status_lock);
    sync_engine_status(t->engine, &t->status);
    pthread_mutex_unlock(&t->status_lock);
}

/* Reads what waits in the wake pipe: *now when a round is asked for at
 * once, *commit when records were committed. */
static void drain(int fd, bool *now, bool *commit)
{
    char buf[64];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < n; i++) {
            *now |= buf[i] == WAKE_NOW;
            *commit |= buf[i] == WAKE_COMMIT;
        }
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* A commit arms the round for committed records, unless one is armed or
 * the engine is backing off (that round's rows go with its next try). */
static void arm_commit_round(struct sync_thread *t, int64_t now_mono_ms)
{
    if (t->commit_due_mono_ms != INT64_MAX || t->status.state == SYNC_STATE_FAILING)
        return;
    t->commit_due_mono_ms =
        max64(now_mono_ms + SYNC_WAKE_DEBOUNCE_MS, t->last_round_mono_ms + SYNC_WAKE_MIN_GAP_MS);
}

/* Sleeps until *due, the armed commit round, a request or stop.  A
 * request, or the commit round's time, makes the engine due now, and *due
 * with it (the loop keeps its own copy of the engine's due time).
 * Returns false on stop. */
static bool wait_until(struct sync_thread *t, int64_t *due)
{
    int64_t due_mono_ms = min64(*due, t->commit_due_mono_ms);
    int64_t now = clock_read(t->clock).mono_ms;
    int timeout = due_mono_ms <= now                ? 0
                  : due_mono_ms - now > 3600 * 1000 ? 3600 * 1000
                                                    : (int)(due_mono_ms - now);
    struct pollfd fds[2] = {{.fd = t->stop_pipe[0], .events = POLLIN},
                            {.fd = t->wake_pipe[0], .events = POLLIN}};
    int rc = poll(fds, 2, timeout);
    if (rc < 0 && errno != EINTR)
        log_warn("sync: poll: %s", strerror(errno));
    if (fds[0].revents & POLLIN)
        return false;
    bool wake_now = false, commit = false;
    if (fds[1].revents & POLLIN)
        drain(t->wake_pipe[0], &wake_now, &commit);
    now = clock_read(t->clock).mono_ms;
    if (commit)
        arm_commit_round(t, now);
    if (now >= t->commit_due_mono_ms) {
        t->commit_due_mono_ms = INT64_MAX;
        wake_now |= t->status.state != SYNC_STATE_FAILING;
    }
    if (wake_now) {
        sync_engine_request(t->engine);
        *due = INT64_MIN;
    }
    return true;
}

static void *run(void *arg)
{
    struct sync_thread *t = arg;
    int64_t due = INT64_MIN;
    do {
        struct clock_now now = clock_read(t->clock);
        if (now.mono_ms >= due) {
            take_departments(t);
            /* this round takes whatever was committed before it reads */
            t->commit_due_mono_ms = INT64_MAX;
            t->last_round_mono_ms = now.mono_ms;
            due = sync_engine_step(t->engine, now.mono_ms, now.utc_ms);
            publish(t);
        }
    } while (wait_until(t, &due));
    return NULL;
}

static bool make_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return false;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    return true;
}

static void close_pipes(struct sync_thread *t)
{
    for (int i = 0; i < 2; i++) {
        if (t->stop_pipe[i] >= 0)
            close(t->stop_pipe[i]);
        if (t->wake_pipe[i] >= 0)
            close(t->wake_pipe[i]);
    }
}

struct sync_thread *sync_thread_start(const struct sync_settings *settings,
                                      const struct clock *clock)
{
    struct sync_thread *t = calloc(1, sizeof *t);
    if (!t) {
        log_error("sync: out of memory; not syncing");
        return NULL;
    }
    t->stop_pipe[0] = t->stop_pipe[1] = t->wake_pipe[0] = t->wake_pipe[1] = -1;
    t->clock = clock;
    t->commit_due_mono_ms = INT64_MAX;
    t->last_round_mono_ms = INT64_MIN / 2;
    if (!make_pipe(t->stop_pipe) || !make_pipe(t->wake_pipe)) {
        log_error("sync: pipe: %s; not syncing", strerror(errno));
        goto fail_pipes;
    }
    t->engine = sync_engine_create(settings, t->stop_pipe[0]);
    if (!t->engine) {
        log_error("sync: out of memory; not syncing");
        goto fail_pipes;
    }
    sync_engine_status(t->engine, &t->status);
    pthread_mutex_init(&t->status_lock, NULL);
    pthread_mutex_init(&t->departments_lock, NULL);
    int rc = pthread_create(&t->thread, NULL, run, t);
    if (rc != 0) {
        log_error("sync: cannot start the sync thread: %s; not syncing", strerror(rc));
        pthread_mutex_destroy(&t->status_lock);
        pthread_mutex_destroy(&t->departments_lock);
        sync_engine_destroy(t->engine);
        goto fail_pipes;
    }
    log_info("sync: to %s every %lld s", t->status.backend,
             (long long)(settings->interval_ms / 1000));
    return t;

fail_pipes:
    close_pipes(t);
    free(t);
    return NULL;
}

static void wake(struct sync_thread *t, char what)
{
    if (t && write(t->wake_pipe[1], &what, 1) < 0 && errno != EAGAIN)
        log_warn("sync: cannot wake the sync thread: %s", strerror(errno));
}

void sync_thread_request(struct sync_thread *t)
{
    wake(t, WAKE_NOW);
}

void sync_thread_committed(struct sync_thread *t)
{
    wake(t, WAKE_COMMIT);
}

bool sync_thread_status(struct sync_thread *t, struct sync_status *out)
{
    if (!t || pthread_mutex_trylock(&t->status_lock) != 0)
        return false;
    *out = t->status;
    pthread_mutex_unlock(&t->status_lock);
    return true;
}

void sync_thread_stop(struct sync_thread *t)
{
    if (!t)
        return;
    if (write(t->stop_pipe[1], "s", 1) < 0)
        log_warn("sync: cannot signal the sync thread: %s", strerror(errno));
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->status_lock);
    pthread_mutex_destroy(&t->departments_lock);
    sync_engine_destroy(t->engine);
    close_pipes(t);
    free(t);
}
