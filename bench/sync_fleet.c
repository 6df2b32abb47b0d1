/*
 * bench sync_fleet: how far one PostgreSQL goes as the shared database of
 * a fleet of kiosks syncing every 60 s, on loopback.
 *
 * Each simulated kiosk is what a real one runs: its own store (a file in
 * a temp dir, store_open), its own sync engine (sync_engine_create, its
 * own PostgreSQL connection, logging in as its own role kiosk_<id> under
 * row-level security), stepped with the real clocks.  A bounded pool of
 * worker threads runs the kiosks' rounds when the engines say they are
 * due; each kiosk's first round falls at a uniformly random moment of the
 * first interval.  Before each round, taps (and a follow-up on every
 * other tap) are recorded into the kiosk's store with store_record_tap /
 * store_record_followup, outside the timed round.
 *
 * First every kiosk connects and syncs once, back to back on the pool
 * (a server restart's reconnect storm): its wall time and the server's
 * CPU per connection.  A new backend is slow for its first rounds (cold
 * caches), and real kiosks stay connected, so the runs after it measure
 * connected kiosks.
 *
 * Paced run (--seconds): round time (one sync_engine_step) p50/p95, how
 * late rounds started, rows/s and rounds/s pushed, the server's CPU
 * (utime + stime of the postmaster and all its processes from /proc,
 * before and after, over the wall time: 100 % is one core busy) and per
 * round, the server's memory with every kiosk connected (PSS, shared
 * buffers counted once), this process's CPU and peak RSS.  Saturation run
 * (--saturate-seconds): the same kiosks and pool, rounds back to back with
 * no interval; max rounds/s x interval is how many kiosks one server could
 * take at that interval, here, where the simulator shares the machine.
 * Pooled run (--pooled-seconds): the same, with only as many kiosks as
 * workers, so few backends, each warm, serve every round: an estimate of
 * the server behind a pooler such as pgbouncer (the pooler's own cost not
 * included).
 * Round times by the kiosk's round number show the cold-cache effect.
 *
 * Afterwards every kiosk is synced once more and PostgreSQL must hold
 * exactly the taps and follow-ups recorded (sum(n)), else the benchmark
 * fails.  Any failed round is printed with its error and fails it too.
 *
 * usage: bench_sync_fleet CONNINFO [--kiosks N] [--workers N] [--seconds S]
 *          [--saturate-seconds S] [--pooled-seconds S] [--interval-s S]
 *          [--taps-per-round X] [--dir DIR] [--kiosk-port PORT]
 *   --kiosk-port: the kiosks log in at this port of CONNINFO's host (a real
 *   pooler, bench/fleet_pooled.py), the set-up and checks go straight to CONNINFO.
 *   defaults: 1000 kiosks, 32 workers, 90 s paced, 15 s saturated, 10 s
 *   pooled, 60 s interval, 1 tap per round (1440 taps a kiosk a day, a busy
 *   counter all day; 0.035 is 50 a day).
 *   CONNINFO: a PostgreSQL superuser's, on this machine; the server needs
 *   max_connections >= kiosks + 10 (bench/run.sh starts a throwaway
 *   cluster with tests/sync/pg_cluster.py --opt max_connections=1100).
 *   The benchmark makes and drops database wowbench_fleet and roles
 *   kiosk_fleetNNNN.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench_pg.h"
#include "log.h"
#include "store.h"
#include "sync.h"

#define DBNAME      "wowbench_fleet"
#define ROLE_PREFIX "fleet"
#define MAX_WORKERS 256

struct options {
    const char *conninfo;
    int kiosks, workers;
    double seconds, saturate_seconds, pooled_seconds, interval_s, taps_per_round;
    const char *dir;
    double kiosk_port; /* 0: the kiosks log in where CONNINFO says; else at this port (a pooler) */
};

struct kiosk {
    int index;
    struct store *store;
    struct sync_engine *engine;
    int64_t due_ms; /* monotonic: when the engine next wants a round */
    int64_t rounds;
    bool phase_started; /* has run a round in this run (the first is asked for) */
    double taps_owed;   /* fraction of a tap carried to the next round */
    int64_t taps, followups, last_tap_id;
};

struct sample {
    float round_ms, lag_ms;
    int rows;
    int round_no; /* the kiosk's how-manieth round since start (1: connects) */
    bool failed;
};

struct samples {
    struct sample *v;
    size_t n, cap;
    char last_error[300];
};

struct fleet {
    const struct options *o;
    struct kiosk *kiosks;
    char dir[256];
    /* the schedule: a min-heap of kiosks by due_ms, under lock */
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct kiosk **heap;
    size_t heap_n;
    bool saturate;
    double end_ms;
    struct samples per_worker[MAX_WORKERS];
    /* for_each_kiosk: the job, the next kiosk, whether one failed (under lock) */
    bool (*job)(struct fleet *f, struct kiosk *k);
    int job_next;
    bool job_failed;
};

static const char *const departments[] = {"front", "it", "lab", "pharmacy", "radiology", "billing"};
static const char *const reasons[] = {"friendly", "fast", "helpful"};

/* --- the schedule ---------------------------------------------------------- */

static void heap_swap(struct fleet *f, size_t a, size_t b)
{
    struct kiosk *t = f->heap[a];
    f->heap[a] = f->heap[b];
    f->heap[b] = t;
}

static void heap_push(struct fleet *f, struct kiosk *k)
{
    size_t i = f->heap_n++;
    f->heap[i] = k;
    while (i > 0 && f->heap[(i - 1) / 2]->due_ms > f->heap[i]->due_ms) {
        heap_swap(f, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static struct kiosk *heap_pop(struct fleet *f)
{
    struct kiosk *top = f->heap[0];
    f->heap[0] = f->heap[--f->heap_n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < f->heap_n && f->heap[l]->due_ms < f->heap[m]->due_ms)
            m = l;
        if (r < f->heap_n && f->heap[r]->due_ms < f->heap[m]->due_ms)
            m = r;
        if (m == i)
            break;
        heap_swap(f, i, m);
        i = m;
    }
    return top;
}

static void deadline(struct timespec *ts, double mono_ms)
{
    /* pthread_cond_timedwait uses CLOCK_REALTIME by default: convert */
    double wait = mono_ms - bench_mono_ms();
    clock_gettime(CLOCK_REALTIME, ts);
    if (wait < 0)
        wait = 0;
    long long ns = (long long)ts->tv_nsec + (long long)(wait * 1e6);
    ts->tv_sec += (time_t)(ns / 1000000000LL);
    ts->tv_nsec = (long)(ns % 1000000000LL);
}

/* The next kiosk whose round is due, waiting for it; NULL at the end. */
static struct kiosk *take_due(struct fleet *f)
{
    pthread_mutex_lock(&f->lock);
    struct kiosk *k = NULL;
    for (;;) {
        double now = bench_mono_ms();
        if (now >= f->end_ms)
            break;
        if (f->heap_n > 0 && (double)f->heap[0]->due_ms <= now) {
            k = heap_pop(f);
            break;
        }
        struct timespec ts;
        double until = f->heap_n > 0 && (double)f->heap[0]->due_ms < f->end_ms
                           ? (double)f->heap[0]->due_ms
                           : f->end_ms;
        deadline(&ts, until);
        pthread_cond_timedwait(&f->changed, &f->lock, &ts);
    }
    pthread_mutex_unlock(&f->lock);
    return k;
}

static void put_back(struct fleet *f, struct kiosk *k)
{
    pthread_mutex_lock(&f->lock);
    heap_push(f, k);
    pthread_cond_signal(&f->changed);
    pthread_mutex_unlock(&f->lock);
}

/* --- one kiosk ------------------------------------------------------------- */

/* The taps owed since the last round, each with a follow-up every other
 * time (a chosen reason, or skipped).  Returns false on a store error. */
static bool record_taps(struct fleet *f, struct kiosk *k)
{
    k->taps_owed += f->o->taps_per_round;
    for (; k->taps_owed >= 1.0; k->taps_owed -= 1.0) {
        static const int faces[8] = {4, 4, 3, 4, 2, 4, 3, 1};
        struct store_tap tap = {bench_utc_ms(), departments[k->index % 6],
                                faces[(k->taps + k->index) % 8], false};
        int64_t id;
        if (store_record_tap(k->store, &tap, &id) != 0)
            return false;
        if (k->taps++ % 2 == 0) {
            bool chosen = k->followups % 3 != 2;
            struct store_followup fu = {tap.rating >= 3 ? STORE_QUESTION_POSITIVE
                                                        : STORE_QUESTION_NEGATIVE,
                                        chosen ? reasons[k->followups % 3] : NULL,
                                        chosen ? STORE_FOLLOWUP_CHOSEN : STORE_FOLLOWUP_SKIPPED};
            if (store_record_followup(k->store, id, &fu) != 0)
                return false;
            k->followups++;
        }
    }
    return true;
}

static bool push_sample(struct samples *s, const struct sample *x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 4096;
        struct sample *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return false;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *x;
    return true;
}

/* Records the kiosk's taps, then one timed round. */
static void kiosk_round(struct fleet *f, struct kiosk *k, struct samples *mine)
{
    struct sync_status before, after;
    struct sample x = {0};
    if (!record_taps(f, k)) {
        x.failed = true;
        snprintf(mine->last_error, sizeof mine->last_error, "kiosk %d: store error", k->index);
    }
    int64_t scheduled = k->due_ms;
    sync_engine_status(k->engine, &before);
    /* the schedule says when a run's first round is; the engine the rest */
    if (f->saturate || !k->phase_started)
        sync_engine_request(k->engine);
    k->phase_started = true;
    double t0 = bench_mono_ms();
    int64_t due = sync_engine_step(k->engine, (int64_t)t0, bench_utc_ms());
    double t1 = bench_mono_ms();
    sync_engine_status(k->engine, &after);
    k->due_ms = f->saturate ? (int64_t)t1 : due;
    if (after.rounds_ok + after.rounds_failed == before.rounds_ok + before.rounds_failed)
        return; /* not due after all: no round ran */
    x.round_ms = (float)(t1 - t0);
    x.lag_ms = f->saturate ? 0.0f : (float)(t0 - (double)scheduled);
    x.rows = (int)(after.rows_sent - before.rows_sent);
    x.round_no = (int)++k->rounds;
    if (after.rounds_failed > before.rounds_failed) {
        x.failed = true;
        snprintf(mine->last_error, sizeof mine->last_error, "kiosk %d: %.255s", k->index,
                 after.last_error);
    }
    push_sample(mine, &x);
}

struct worker_arg {
    struct fleet *f;
    int id;
};

static void *round_worker(void *arg)
{
    struct worker_arg *w = arg;
    struct kiosk *k;
    while ((k = take_due(w->f)) != NULL) {
        kiosk_round(w->f, k, &w->f->per_worker[w->id]);
        put_back(w->f, k);
    }
    return NULL;
}

/* Opens kiosk k's store and makes its engine: its own role, its own seed. */
static bool kiosk_setup(struct fleet *f, struct kiosk *k)
{
    char id[32], path[320], role[48];
    snprintf(id, sizeof id, ROLE_PREFIX "%04d", k->index);
    snprintf(path, sizeof path, "%s/%s.db", f->dir, id);
    snprintf(role, sizeof role, "kiosk_%s", id);
    struct store_health health;
    if (store_open(&k->store, path, id, bench_utc_ms(), &health) != 0)
        return false;
    struct sync_settings s;
    sync_settings_defaults(&s);
    s.interval_ms = (int64_t)(f->o->interval_s * 1000);
    s.seed = (uint64_t)k->index + 1;
    snprintf(s.store_path, sizeof s.store_path, "%s", path);
    snprintf(s.kiosk_id, sizeof s.kiosk_id, "%s", id);
    snprintf(s.site, sizeof s.site, "Benchmark site %d", k->index / 10);
    snprintf(s.department, sizeof s.department, "%s", departments[k->index % 6]);
    char base[1024];
    if (f->o->kiosk_port > 0) /* the kiosks through a pooler: a later key wins in a conninfo */
        snprintf(base, sizeof base, "%s port=%d", f->o->conninfo, (int)f->o->kiosk_port);
    else
        snprintf(base, sizeof base, "%s", f->o->conninfo);
    if (!bench_conninfo(base, role, DBNAME, s.target, sizeof s.target))
        return false;
    k->engine = sync_engine_create(&s, -1);
    return k->engine != NULL;
}

static void *job_worker(void *arg)
{
    struct fleet *f = arg;
    for (;;) {
        pthread_mutex_lock(&f->lock);
        int i = f->job_failed ? f->o->kiosks : f->job_next++;
        pthread_mutex_unlock(&f->lock);
        if (i >= f->o->kiosks)
            return NULL;
        if (!f->job(f, &f->kiosks[i])) {
            pthread_mutex_lock(&f->lock);
            f->job_failed = true;
            pthread_mutex_unlock(&f->lock);
        }
    }
}

/* Runs fn on the pool's threads (arg per thread: args[i], or shared). */
static bool run_pool(struct fleet *f, void *(*fn)(void *), bool per_worker)
{
    pthread_t threads[MAX_WORKERS];
    struct worker_arg args[MAX_WORKERS];
    int started = 0;
    for (int i = 0; i < f->o->workers; i++, started++) {
        args[i] = (struct worker_arg){f, i};
        if (pthread_create(&threads[i], NULL, fn, per_worker ? (void *)&args[i] : (void *)f)) {
            fprintf(stderr, "bench_sync_fleet: cannot start thread %d\n", i);
            break;
        }
    }
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    return started == f->o->workers;
}

/* Runs job on every kiosk, spread over the pool; false if one failed. */
static bool for_each_kiosk(struct fleet *f, bool (*job)(struct fleet *f, struct kiosk *k))
{
    f->job = job;
    f->job_next = 0;
    f->job_failed = false;
    return run_pool(f, job_worker, false) && !f->job_failed;
}

/* --- the runs -------------------------------------------------------------- */

struct phase {
    double wall_s, server_cpu_s, self_cpu_s;
    size_t rounds, failed;
    int64_t rows;
    double *round_ms, *lag_ms; /* owned */
    size_t n;
    double *by_no[4]; /* owned: round ms of kiosks' rounds 1, 2, 3, 4 and later */
    size_t by_no_n[4];
    const char *last_error;
};

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Collects the workers' samples into the phase's arrays. */
static bool gather(struct fleet *f, struct phase *p)
{
    size_t total = 0;
    for (int w = 0; w < f->o->workers; w++)
        total += f->per_worker[w].n;
    p->round_ms = calloc(total + 1, sizeof *p->round_ms);
    p->lag_ms = calloc(total + 1, sizeof *p->lag_ms);
    for (int i = 0; i < 4; i++)
        p->by_no[i] = calloc(total + 1, sizeof *p->by_no[i]);
    if (!p->round_ms || !p->lag_ms || !p->by_no[0] || !p->by_no[1] || !p->by_no[2] || !p->by_no[3])
        return false;
    for (int w = 0; w < f->o->workers; w++) {
        const struct samples *s = &f->per_worker[w];
        for (size_t i = 0; i < s->n; i++) {
            const struct sample *x = &s->v[i];
            p->rounds++;
            p->rows += x->rows;
            p->failed += x->failed;
            p->round_ms[p->n] = x->round_ms;
            p->lag_ms[p->n++] = x->lag_ms;
            int b = x->round_no < 4 ? x->round_no - 1 : 3;
            p->by_no[b][p->by_no_n[b]++] = x->round_ms;
        }
        if (s->last_error[0])
            p->last_error = s->last_error;
    }
    return true;
}

/* One run of the first `kiosks` kiosks: paced (each kiosk's first round
 * uniformly in the first interval, then when its engine says) or
 * saturated (back to back). */
static bool run_phase(struct fleet *f, bool saturate, int kiosks, double seconds, int postmaster,
                      struct phase *p)
{
    uint64_t rng = 0x2545F4914F6CDD1DULL;
    double start = bench_mono_ms();
    f->heap_n = 0;
    for (int i = 0; i < kiosks; i++) {
        struct kiosk *k = &f->kiosks[i];
        double u = (double)(xorshift(&rng) >> 11) / 9007199254740992.0; /* [0, 1) */
        k->due_ms = saturate ? (int64_t)start : (int64_t)(start + u * f->o->interval_s * 1000);
        k->phase_started = false;
        heap_push(f, k);
    }
    for (int w = 0; w < f->o->workers; w++)
        f->per_worker[w].n = 0;
    f->saturate = saturate;
    f->end_ms = start + seconds * 1000;
    double cpu0 = bench_server_cpu_s(postmaster), self0 = bench_self_cpu_s();
    bool ok = run_pool(f, round_worker, true);
    p->wall_s = (bench_mono_ms() - start) / 1e3;
    p->server_cpu_s = bench_server_cpu_s(postmaster) - cpu0;
    p->self_cpu_s = bench_self_cpu_s() - self0;
    return ok && gather(f, p);
}

static void phase_free(struct phase *p)
{
    free(p->round_ms);
    free(p->lag_ms);
    for (int i = 0; i < 4; i++)
        free(p->by_no[i]);
}

/* Round time by the kiosk's round number: a new connection's first
 * statements are slower (the backend's caches are cold). */
static void print_by_round_no(struct phase *p)
{
    static const char *const names[4] = {"1st", "2nd", "3rd", "4th+"};
    printf("round ms by the kiosk's round number (p50/p95, rounds):");
    for (int i = 0; i < 4; i++)
        if (p->by_no_n[i] > 0)
            printf(" %s %.1f/%.1f (%zu)", names[i],
                   bench_percentile(p->by_no[i], p->by_no_n[i], 50),
                   bench_percentile(p->by_no[i], p->by_no_n[i], 95), p->by_no_n[i]);
    printf("\n");
}

/* --- reports ---------------------------------------------------------------- */

struct server {
    int postmaster; /* 0: not on this machine, no CPU or memory figures */
    double mem_mb;
    int processes;
    int64_t max_connections;
};

static void report_paced(const struct fleet *f, struct phase *p, const struct server *srv)
{
    int n = f->o->kiosks;
    if (p->n == 0) {
        printf("note: no round ran: run longer\n");
        return;
    }
    printf("figure: fleet_%d_p50_round_ms %.2f ms (%zu rounds)\n", n,
           bench_percentile(p->round_ms, p->n, 50), p->n);
    printf("figure: fleet_%d_p95_round_ms %.2f ms (max %.2f)\n", n,
           bench_percentile(p->round_ms, p->n, 95), p->round_ms[p->n - 1]);
    printf("figure: fleet_start_lag_p95_ms %.2f ms (how late rounds started)\n",
           bench_percentile(p->lag_ms, p->n, 95));
    printf("figure: fleet_rows_per_s %.1f rows/s (%lld rows in %.1f s)\n",
           (double)p->rows / p->wall_s, (long long)p->rows, p->wall_s);
    printf("figure: fleet_rounds_per_s %.1f rounds/s\n", (double)p->rounds / p->wall_s);
    print_by_round_no(p);
    if (srv->postmaster > 0) {
        printf("figure: fleet_server_cpu_ms_per_round %.2f ms (server CPU / rounds)\n",
               1e3 * p->server_cpu_s / (double)(p->rounds ? p->rounds : 1));
        printf("figure: fleet_server_cpu_pct %.1f %% (of one core; %ld cores here)\n",
               100.0 * p->server_cpu_s / p->wall_s, sysconf(_SC_NPROCESSORS_ONLN));
        printf("figure: fleet_server_mem_mb %.0f MB (PSS of %d server processes with every kiosk "
               "connected; %.2f MB a process)\n",
               srv->mem_mb, srv->processes, srv->mem_mb / (srv->processes ? srv->processes : 1));
    }
    printf("figure: fleet_bench_cpu_pct %.1f %% (this process: %d kiosks' stores and engines)\n",
           100.0 * p->self_cpu_s / p->wall_s, n);
    printf("figure: fleet_failed_rounds %zu rounds%s%s\n", p->failed,
           p->last_error ? "; last: " : "", p->last_error ? p->last_error : "");
}

/* A saturated run's figures; prefix "fleet" (every kiosk, its own
 * connection) or "fleet_pooled" (as many kiosks as workers). */
static void report_saturated(const struct fleet *f, const char *prefix, struct phase *p,
                             const struct server *srv)
{
    double rate = (double)p->rounds / p->wall_s;
    printf("figure: %s_max_rounds_per_s %.1f rounds/s (%zu rounds in %.1f s, %d workers)\n", prefix,
           rate, p->rounds, p->wall_s, f->o->workers);
    printf("figure: %s_max_kiosks_at_%.0fs %.0f kiosks (max rounds/s x %.0f s)\n", prefix,
           f->o->interval_s, rate * f->o->interval_s, f->o->interval_s);
    printf("figure: %s_saturated_p95_round_ms %.2f ms\n", prefix,
           bench_percentile(p->round_ms, p->n, 95));
    print_by_round_no(p);
    if (srv->postmaster > 0) {
        printf("figure: %s_saturated_server_cpu_pct %.1f %% (of one core)\n", prefix,
               100.0 * p->server_cpu_s / p->wall_s);
        printf("figure: %s_saturated_server_cpu_ms_per_round %.2f ms\n", prefix,
               1e3 * p->server_cpu_s / (double)(p->rounds ? p->rounds : 1));
    }
    printf("figure: %s_saturated_bench_cpu_pct %.1f %% (of one core)\n", prefix,
           100.0 * p->self_cpu_s / p->wall_s);
    printf("figure: %s_saturated_failed_rounds %zu rounds%s%s\n", prefix, p->failed,
           p->last_error ? "; last: " : "", p->last_error ? p->last_error : "");
}

/* "server S % + simulator C % of one core" for a run. */
static void cpu_split(const struct phase *p, char *out, size_t size)
{
    snprintf(out, size, "server %.0f %% + simulator %.0f %% of one core",
             100.0 * p->server_cpu_s / p->wall_s, 100.0 * p->self_cpu_s / p->wall_s);
}

/* A plain-text reading of the figures: how far one server goes, what
 * limits it first, and where pooling or sharding is needed. */
static void conclude(const struct fleet *f, struct phase *paced, const struct phase *sat,
                     const struct phase *pooled, const struct server *srv)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    double iv = f->o->interval_s;
    double direct = (double)sat->rounds / sat->wall_s * iv;
    double few = (double)pooled->rounds / pooled->wall_s * iv;
    double ms_direct = 1e3 * sat->server_cpu_s / (double)(sat->rounds ? sat->rounds : 1);
    double ms_few = 1e3 * pooled->server_cpu_s / (double)(pooled->rounds ? pooled->rounds : 1);
    char split_direct[96], split_few[96];
    cpu_split(sat, split_direct, sizeof split_direct);
    cpu_split(pooled, split_few, sizeof split_few);
    printf("conclusion: on this %ld-core machine, shared with the simulator, one PostgreSQL kept "
           "%d kiosks syncing every %.0f s at p95 %.1f ms a round, using %.1f %% of one core and "
           "%.0f MB for %d backends. Back to back, each kiosk on its own backend, it ran about "
           "%.0f kiosks' worth at %.0f s (%.1f ms of server CPU a round; %s); through %d warm "
           "backends, as a pooler keeps them, about %.0f (%.1f ms a round; %s), so at that cost "
           "one core takes about %.0f kiosks. %s: past max_connections (%lld here), or once "
           "backends cost more than the rounds, put pgbouncer in transaction pooling in front (a "
           "push is one pipeline ending in COMMIT, with no named prepared statements). Past what "
           "one server's CPU takes with pooling, shard by kiosk_id with a distributed engine "
           "(Citus and the like: every key leads by kiosk_id).\n",
           cores, f->o->kiosks, iv, bench_percentile(paced->round_ms, paced->n, 95),
           100.0 * paced->server_cpu_s / paced->wall_s, srv->mem_mb, srv->processes, direct, iv,
           ms_direct, split_direct, f->o->workers, few, ms_few, split_few,
           ms_few > 0 ? 1e3 / ms_few * iv : 0.0,
           few > 1.5 * direct ? "Many backends cost one server more than its rounds do"
                              : "Backends cost little next to the rounds here",
           (long long)srv->max_connections);
}

/* --- setup, checks, teardown ------------------------------------------------ */

/* One round outside any run: afterwards nothing may be waiting. */
static bool kiosk_sync_now(struct fleet *f, struct kiosk *k)
{
    struct sync_status st;
    sync_engine_request(k->engine);
    sync_engine_step(k->engine, (int64_t)bench_mono_ms(), bench_utc_ms());
    sync_engine_status(k->engine, &st);
    k->rounds++;
    if (st.state == SYNC_STATE_OK && st.backlog == 0)
        return true;
    fprintf(stderr, "bench_sync_fleet: kiosk %d: round %s, %lld rows waiting: %s\n", k->index,
            sync_state_name(st.state), (long long)st.backlog, st.last_error);
    return false;
}

/* A kiosk's first round, with taps and a follow-up so that its backend
 * runs every statement of a push once. */
static bool kiosk_first_round(struct fleet *f, struct kiosk *k)
{
    if (k->taps_owed + f->o->taps_per_round < 1.0)
        k->taps_owed = 1.0 - f->o->taps_per_round; /* at least one tap */
    if (!record_taps(f, k)) {
        fprintf(stderr, "bench_sync_fleet: kiosk %d: store error\n", k->index);
        return false;
    }
    return kiosk_sync_now(f, k);
}

/* Every kiosk connects and runs its first round, back to back on the pool
 * (what a server restart asks of it): a new backend per kiosk, whose
 * caches are cold (its first inserts load the tables' catalog entries).
 * The runs after this measure connected kiosks, as real ones stay. */
static bool connect_all(struct fleet *f, int postmaster)
{
    double cpu0 = bench_server_cpu_s(postmaster), t0 = bench_mono_ms();
    if (!for_each_kiosk(f, kiosk_first_round))
        return false;
    double wall = (bench_mono_ms() - t0) / 1e3, cpu = bench_server_cpu_s(postmaster) - cpu0;
    printf("figure: fleet_connect_all_s %.1f s (%d kiosks connect and sync once, %d at a time: "
           "a reconnect storm)\n",
           wall, f->o->kiosks, f->o->workers);
    if (postmaster > 0)
        printf("figure: fleet_connect_server_cpu_ms %.1f ms (server CPU per kiosk connected)\n",
               1e3 * cpu / f->o->kiosks);
    return true;
}

/* Every kiosk synced once more, then PostgreSQL must hold every tap and
 * follow-up recorded, and every kiosk's heartbeat. */
static bool flush_and_verify(struct fleet *f, PGconn *admin_db)
{
    int64_t taps = 0, followups = 0;
    if (!for_each_kiosk(f, kiosk_sync_now))
        return false;
    for (int i = 0; i < f->o->kiosks; i++) {
        taps += f->kiosks[i].taps;
        followups += f->kiosks[i].followups;
    }
    int64_t v[3];
    if (!bench_pg_ints(admin_db,
                       "SELECT (SELECT sum(rating_1 + rating_2 + rating_3 + rating_4 + misuse_1 +"
                       " misuse_2 + misuse_3 + misuse_4) FROM tap_counts),"
                       " (SELECT sum(n) FROM followup_counts),"
                       " (SELECT count(*) FROM kiosks)",
                       0, NULL, v, 3))
        return false;
    if (v[0] != taps || v[1] != followups || v[2] != f->o->kiosks) {
        fprintf(stderr,
                "bench_sync_fleet: WRONG DATA: PostgreSQL holds %lld taps, %lld follow-ups, %lld "
                "kiosks; the stores recorded %lld, %lld, %d\n",
                (long long)v[0], (long long)v[1], (long long)v[2], (long long)taps,
                (long long)followups, f->o->kiosks);
        return false;
    }
    printf("verified: PostgreSQL holds the %lld taps and %lld follow-ups the %d stores recorded\n",
           (long long)taps, (long long)followups, f->o->kiosks);
    return true;
}

/* Every kiosk needs a few descriptors (store, -wal, -shm, socket). */
static bool raise_nofile(int kiosks)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return false;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_cur < (rlim_t)kiosks * 6 + 64) {
        fprintf(stderr, "bench_sync_fleet: %d kiosks need %d file descriptors; the limit is %lu\n",
                kiosks, kiosks * 6 + 64, (unsigned long)rl.rlim_cur);
        return false;
    }
    return true;
}

/* Closes the kiosk's connection and store and removes its files. */
static bool kiosk_teardown(struct fleet *f, struct kiosk *k)
{
    sync_engine_destroy(k->engine);
    store_close(k->store);
    k->engine = NULL;
    k->store = NULL;
    const char *suffix[] = {"", "-wal", "-shm"};
    for (int j = 0; j < 3; j++) {
        char path[320];
        snprintf(path, sizeof path, "%s/" ROLE_PREFIX "%04d.db%s", f->dir, k->index, suffix[j]);
        unlink(path);
    }
    return true;
}

static void teardown(struct fleet *f)
{
    if (f->kiosks)
        for_each_kiosk(f, kiosk_teardown);
    free(f->kiosks);
    free(f->heap);
    for (int w = 0; w < f->o->workers; w++)
        free(f->per_worker[w].v);
}

static int parse_num(const char *text, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !(v >= min && v <= max))
        return -1;
    *out = v;
    return 0;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){NULL, 1000, 32, 90, 15, 10, 60, 1, NULL, 0};
    double kiosks = o->kiosks, workers = o->workers;
    for (int i = 1; i < argc && argv[i] != NULL; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (!strcmp(a, "--kiosks") && v)
            bad = parse_num(v, 1, 9999, &kiosks);
        else if (!strcmp(a, "--workers") && v)
            bad = parse_num(v, 1, MAX_WORKERS, &workers);
        else if (!strcmp(a, "--seconds") && v)
            bad = parse_num(v, 1, 3600, &o->seconds);
        else if (!strcmp(a, "--saturate-seconds") && v)
            bad = parse_num(v, 1, 3600, &o->saturate_seconds);
        else if (!strcmp(a, "--pooled-seconds") && v)
            bad = parse_num(v, 1, 3600, &o->pooled_seconds);
        else if (!strcmp(a, "--interval-s") && v)
            bad = parse_num(v, 1, 3600, &o->interval_s);
        else if (!strcmp(a, "--taps-per-round") && v)
            bad = parse_num(v, 0, 1000, &o->taps_per_round);
        else if (!strcmp(a, "--dir") && v)
            o->dir = v;
        else if (!strcmp(a, "--kiosk-port") && v)
            bad = parse_num(v, 1, 65535, &o->kiosk_port);
        else if (a[0] != '-' && !o->conninfo) {
            o->conninfo = a;
            continue;
        } else
            return false;
        if (bad)
            return false;
        i++;
    }
    o->kiosks = (int)kiosks;
    o->workers = (int)workers;
    return o->conninfo != NULL;
}

/* The database, the roles, the kiosks (set up on the pool's threads). */
static bool setup(struct fleet *f, PGconn **admin, struct server *srv)
{
    const struct options *o = f->o;
    double t0 = bench_mono_ms();
    f->kiosks = calloc((size_t)o->kiosks, sizeof *f->kiosks);
    f->heap = calloc((size_t)o->kiosks, sizeof *f->heap);
    if (!f->kiosks || !f->heap || !raise_nofile(o->kiosks) ||
        !bench_pg_fresh_database(o->conninfo, DBNAME) ||
        (*admin = bench_pg_connect(o->conninfo)) == NULL ||
        !bench_pg_make_roles(*admin, ROLE_PREFIX, o->kiosks) ||
        !bench_pg_ints(*admin, "SELECT current_setting('max_connections')::int", 0, NULL,
                       &srv->max_connections, 1))
        return false;
    if (o->kiosk_port == 0 && srv->max_connections < o->kiosks + 5) { /* a pooler: its few */
        fprintf(stderr,
                "bench_sync_fleet: the server's max_connections is %lld: %d kiosks need %d "
                "(start it with max_connections=%d)\n",
                (long long)srv->max_connections, o->kiosks, o->kiosks + 5, o->kiosks + 100);
        return false;
    }
    srv->postmaster = bench_pg_postmaster_pid(*admin);
    for (int i = 0; i < o->kiosks; i++)
        f->kiosks[i].index = i;
    if (!for_each_kiosk(f, kiosk_setup))
        return false;
    printf("setup: %d kiosks (stores in %s, roles kiosk_" ROLE_PREFIX "NNNN), %d workers, "
           "%.1f s; server pid %d\n",
           o->kiosks, f->dir, o->workers, (bench_mono_ms() - t0) / 1e3, srv->postmaster);
    return true;
}

/* Paced run, memory with everyone connected, saturated run, checks. */
static bool run(struct fleet *f, PGconn *admin_db, struct server *srv)
{
    const struct options *o = f->o;
    struct phase paced = {0}, sat = {0}, pooled = {0};
    int few = o->workers < o->kiosks ? o->workers : o->kiosks;
    printf("paced: %d kiosks every %.0f s, %.3g taps a round, for %.0f s\n", o->kiosks,
           o->interval_s, o->taps_per_round, o->seconds);
    fflush(stdout);
    bool ok = connect_all(f, srv->postmaster) &&
              run_phase(f, false, o->kiosks, o->seconds, srv->postmaster, &paced);
    srv->mem_mb = bench_server_pss_mb(srv->postmaster, &srv->processes);
    if (ok)
        report_paced(f, &paced, srv);
    printf("saturated: all %d kiosks back to back for %.0f s\n", o->kiosks, o->saturate_seconds);
    fflush(stdout);
    ok = ok && run_phase(f, true, o->kiosks, o->saturate_seconds, srv->postmaster, &sat);
    if (ok)
        report_saturated(f, "fleet", &sat, srv);
    printf("pooled: %d kiosks (%d warm backends, as a pooler keeps) back to back for %.0f s\n", few,
           few, o->pooled_seconds);
    fflush(stdout);
    ok = ok && run_phase(f, true, few, o->pooled_seconds, srv->postmaster, &pooled);
    if (ok) {
        report_saturated(f, "fleet_pooled", &pooled, srv);
        conclude(f, &paced, &sat, &pooled, srv);
    }
    ok = ok && flush_and_verify(f, admin_db) && paced.failed + sat.failed + pooled.failed == 0;
    phase_free(&paced);
    phase_free(&sat);
    phase_free(&pooled);
    return ok;
}

int main(int argc, char **argv)
{
    struct options o;
    if (!parse_options(argc, argv, &o)) {
        fprintf(stderr,
                "usage: bench_sync_fleet CONNINFO [--kiosks N] [--workers N] "
                "[--seconds S] [--saturate-seconds S] [--pooled-seconds S] [--interval-s S] "
                "[--taps-per-round X] [--dir DIR] [--kiosk-port PORT]\n");
        return 2;
    }
    log_init("bench_sync_fleet", LOG_WARN);
    static struct fleet f;
    f.o = &o;
    pthread_mutex_init(&f.lock, NULL);
    pthread_cond_init(&f.changed, NULL);
    snprintf(f.dir, sizeof f.dir, "%s", o.dir ? o.dir : "/var/tmp/wowbench-fleet-XXXXXX");
    if (!o.dir && mkdtemp(f.dir) == NULL) {
        fprintf(stderr, "bench_sync_fleet: cannot make %s\n", f.dir);
        return 1;
    }
    PGconn *admin = NULL, *admin_db = NULL;
    struct server srv = {0};
    bench_print_load("before");
    char conninfo[1024];
    bool ok = setup(&f, &admin, &srv) &&
              bench_conninfo(o.conninfo, NULL, DBNAME, conninfo, sizeof conninfo) &&
              (admin_db = bench_pg_connect(conninfo)) != NULL && run(&f, admin_db, &srv);
    PQfinish(admin_db);
    teardown(&f);
    bench_pg_drop_database(o.conninfo, DBNAME);
    if (admin)
        bench_pg_drop_roles(admin, ROLE_PREFIX, o.kiosks);
    PQfinish(admin);
    if (!o.dir)
        rmdir(f.dir);
    bench_print_load("after");
    if (!ok)
        return 1;
    printf("figure: fleet_peak_rss_mb %.1f MB (this process)\n", bench_peak_rss_mb());
    printf("reproduce: python3 tests/sync/pg_cluster.py start /tmp/pg.json --opt "
           "max_connections=%d; build/bench/bench_sync_fleet \"$(python3 -c 'import json; "
           "print(json.load(open(\"/tmp/pg.json\"))[\"conninfo\"])')\" --kiosks %d --workers "
           "%d --seconds %g --saturate-seconds %g --pooled-seconds %g --interval-s %g "
           "--taps-per-round %g; "
           "python3 tests/sync/pg_cluster.py stop /tmp/pg.json\n",
           o.kiosks < 1000 ? 1100 : o.kiosks + 100, o.kiosks, o.workers, o.seconds,
           o.saturate_seconds, o.pooled_seconds, o.interval_s, o.taps_per_round);
    return 0;
}
