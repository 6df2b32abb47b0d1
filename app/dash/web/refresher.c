/*
 * refresher: the refresh thread (see refresher.h).
 *
 * One thread, two connections of its own: db for the refreshes and
 * listener for the signal (PostgreSQL; for SQLite one connection does
 * both, since its own writes do not move data_version).  Stopping writes
 * to a pipe every wait polls.
 */
#include "refresher.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog_db.h"
#include "dashdb.h"
#include "log.h"
#include "rollup.h"
#include "updates.h"
#include "schema.h"
#include "sync_backend.h"

struct refresher {
    pthread_t thread;
    struct refresher_settings s;
    int stop_pipe[2];            /* [0] read end, [1] write end */
    _Atomic uint64_t generation; /* read by any thread */
    struct dashdb *db;           /* refreshes; reopened after a failure */
    struct dashdb *listener;     /* NULL: not listening */
    int64_t relisten_at_ms;      /* mono: when to try listening again */
    int listen_failures;
    int64_t since_ms; /* rollup_refresh_recent's watermark */
    uint64_t seed;    /* the back-off's jitter */
};

static int64_t mono_ms(const struct refresher *f)
{
    return clock_read(&f->s.clock).mono_ms;
}

static void bump(struct refresher *f)
{
    uint64_t g = atomic_fetch_add(&f->generation, 1) + 1;
    if (f->s.tick)
        f->s.tick(f->s.ctx, g);
}

static bool open_db(struct refresher *f)
{
    char err[512];
    if (!f->db && !(f->db = dashdb_open(f->s.target, err, sizeof err)))
        log_warn("refresh: cannot open the database: %s", err);
    return f->db != NULL;
}

static void drop_db(struct refresher *f)
{
    if (f->listener == f->db)
        f->listener = NULL;
    dashdb_close(f->db); /* a fresh connection next time */
    f->db = NULL;
}

/* The periodic refresh: every changed row within the margin, then alerts. */
static void refresh_full(struct refresher *f)
{
    char err[512];
    if (!open_db(f))
        return;
    struct rollup_stats stats = {0};
    struct alerts_report report = {0};
    int64_t now = clock_read(&f->s.clock).utc_ms;
    bool derived = false; /* a kiosk seeded the catalog without its names */
    if (!catalog_db_names_ensure(f->db, &derived, err, sizeof err))
        log_warn("refresh: the catalog's names: %s", err);
    else if (derived)
        log_info("refresh: the catalog's names derived from its newest version");
    bool ok = rollup_refresh(f->db, now, &stats, err, sizeof err);
    if (!ok)
        log_warn("refresh: rollup: %s", err);
    else if (!(ok = alerts_evaluate(f->db, &f->s.alerts, now, &report, err, sizeof err)))
        log_warn("refresh: alerts: %s", err);
    if (ok && (stats.days > 0 || report.n > 0 || report.undelivered > 0))
        log_info("refresh: %" PRId64 " days of %" PRId64 " kiosks recomputed; %zu alerts opened "
                 "or closed; %" PRId64 " webhook deliveries failed",
                 stats.days, stats.kiosks, report.n, report.undelivered);
    alerts_report_free(&report);
    struct mail_report mail = {0};
    if (ok && f->s.mail.smtp.url && !mail_run(f->db, &f->s.mail, now, &mail, err, sizeof err))
        log_warn("refresh: email reports: %s", err); /* the mail waits; the pages go on */
    else if (mail.queued || mail.sent || mail.failed)
        log_info("refresh: email: %" PRId64 " queued, %" PRId64 " sent, %" PRId64 " failed",
                 mail.queued, mail.sent, mail.failed);
    enum rollout_step step = ROLLOUT_STEP_NONE;
    if (ok && !(ok = updates_check(f->db, now, &step, err, sizeof err)))
        log_warn("refresh: rollout: %s", err);
    else if (step == ROLLOUT_STEP_PAUSE)
        log_warn("refresh: the rollout paused itself: a kiosk reported its update failed");
    else if (step == ROLLOUT_STEP_DONE)
        log_info("refresh: the rollout is done: every kiosk runs its version");
    if (!ok)
        drop_db(f);
    else if (stats.days > 0 || report.n > 0 || step != ROLLOUT_STEP_NONE ||
             atomic_load(&f->generation) == 0)
        bump(f);
}

/* The signalled refresh: only the rows stamped since the last one. */
static void refresh_recent(struct refresher *f)
{
    char err[512];
    if (!open_db(f))
        return;
    struct rollup_stats stats = {0};
    if (!rollup_refresh_recent(f->db, &f->since_ms, &stats, err, sizeof err)) {
        log_warn("refresh: rollup of what just arrived: %s", err);
        drop_db(f);
        return;
    }
    if (stats.days > 0)
        bump(f);
}

static void listen_failed(struct refresher *f, const char *err)
{
    int64_t ceiling = 1000;
    for (int i = 0; i < f->listen_failures && ceiling < REFRESHER_RELISTEN_MAX_MS; i++)
        ceiling *= 2;
    if (ceiling > REFRESHER_RELISTEN_MAX_MS)
        ceiling = REFRESHER_RELISTEN_MAX_MS;
    f->seed = f->seed * 6364136223846793005ULL + 1442695040888963407ULL;
    int64_t wait = 1000 + (int64_t)((f->seed >> 33) % (uint64_t)ceiling);
    f->listen_failures++;
    f->relisten_at_ms = mono_ms(f) + wait;
    log_warn("refresh: not listening for new counts (%s); the refresh stays periodic; "
             "listening again in %" PRId64 " ms",
             err, wait);
}

/* Opens the listening connection if it is due: SQLite's is db itself.
 * true when it was just opened: what came while nobody listened is then
 * refreshed at once. */
static bool listen_again(struct refresher *f)
{
    if (f->listener || mono_ms(f) < f->relisten_at_ms)
        return false;
    char err[512] = "";
    if (!sync_target_is_postgres(f->s.target)) {
        if (open_db(f) && dashdb_listen(f->db, SCHEMA_COUNTS_CHANNEL, err, sizeof err))
            f->listener = f->db;
    } else if ((f->listener = dashdb_open(f->s.target, err, sizeof err)) &&
               !dashdb_listen(f->listener, SCHEMA_COUNTS_CHANNEL, err, sizeof err)) {
        dashdb_close(f->listener);
        f->listener = NULL;
    }
    if (!f->listener) {
        listen_failed(f, err[0] ? err : "no database");
        return false;
    }
    if (f->listen_failures > 0)
        log_info("refresh: listening for new counts again");
    f->listen_failures = 0;
    return true;
}

static void drop_listener(struct refresher *f, const char *err)
{
    if (f->listener != f->db)
        dashdb_close(f->listener);
    else
        drop_db(f);
    f->listener = NULL;
    listen_failed(f, err);
}

/* Waits up to timeout_ms for a signal; false on stop. *signalled on one. */
static bool wait_signal(struct refresher *f, int timeout_ms, bool *signalled)
{
    char err[512];
    if (!f->listener) {
        struct pollfd p = {.fd = f->stop_pipe[0], .events = POLLIN};
        return poll(&p, 1, timeout_ms) <= 0 || !(p.revents & POLLIN);
    }
    switch (dashdb_wait_change(f->listener, timeout_ms, f->stop_pipe[0], err, sizeof err)) {
    case DASHDB_WAIT_CANCELLED:
        return false;
    case DASHDB_WAIT_CHANGED:
        *signalled = true;
        break;
    case DASHDB_WAIT_FAILED:
        drop_listener(f, err);
        break;
    case DASHDB_WAIT_TIMEOUT:
        break;
    }
    return true;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static void *run(void *arg)
{
    struct refresher *f = arg;
    int64_t next_full = mono_ms(f), signal_due = INT64_MAX;
    for (;;) {
        int64_t now = mono_ms(f);
        if (now >= next_full) {
            refresh_full(f);
            next_full = now + f->s.every_ms;
        }
        if (now >= signal_due) {
            refresh_recent(f);
            signal_due = INT64_MAX;
        }
        if (listen_again(f) && signal_due == INT64_MAX)
            signal_due = now; /* what came while nobody listened */
        if (f->s.tick)
            f->s.tick(f->s.ctx, atomic_load(&f->generation));
        int64_t until = min64(min64(next_full, signal_due), now + REFRESHER_TICK_MS);
        if (!f->listener)
            until = min64(until, f->relisten_at_ms);
        now = mono_ms(f);
        bool signalled = false;
        if (!wait_signal(f, until > now ? (int)(until - now) : 0, &signalled))
            break;
        if (signalled && signal_due == INT64_MAX)
            signal_due = mono_ms(f) + REFRESHER_DEBOUNCE_MS;
    }
    if (f->listener != f->db)
        dashdb_close(f->listener);
    dashdb_close(f->db);
    return NULL;
}

struct refresher *refresher_start(const struct refresher_settings *settings)
{
    struct refresher *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->s = *settings;
    f->seed = (uint64_t)clock_read(&f->s.clock).utc_ms ^ (uint64_t)(uintptr_t)f;
    atomic_init(&f->generation, 0);
    if (pipe(f->stop_pipe) != 0) {
        free(f);
        return NULL;
    }
    for (int i = 0; i < 2; i++)
        fcntl(f->stop_pipe[i], F_SETFD, FD_CLOEXEC);
    if (pthread_create(&f->thread, NULL, run, f) != 0) {
        close(f->stop_pipe[0]);
        close(f->stop_pipe[1]);
        free(f);
        return NULL;
    }
    return f;
}

void refresher_stop(struct refresher *f)
{
    if (!f)
        return;
    if (write(f->stop_pipe[1], "s", 1) < 0)
        log_warn("refresh: cannot stop the refresh thread: %s", strerror(errno));
    pthread_join(f->thread, NULL);
    close(f->stop_pipe[0]);
    close(f->stop_pipe[1]);
    free(f);
}

uint64_t refresher_generation(const struct refresher *f)
{
    return f ? atomic_load(&((struct refresher *)f)->generation) : 0;
}
