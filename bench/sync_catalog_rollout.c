/*
 * bench sync_catalog_rollout: from an admin's catalog change to every kiosk
 * of a 1000-kiosk fleet reporting the new version in its heartbeat.
 *
 * The change is a real `wowdash catalog import` of a changed fleet
 * document, run as a process against the bench's PostgreSQL as its owner;
 * the clock starts when the process is started.  Each simulated kiosk is
 * what bench_sync_fleet's is (its own store, sync engine, role and
 * connection; rounds every interval at a random phase) and does with a
 * received catalog what app/kiosk/update.c does: the round stores it; the
 * kiosk's next poll (every UPDATE_POLL_MS = 2 s, so 0..2 s later, uniform)
 * checks it with config_parse_layers (the kiosk's own file, then the body)
 * and, the kiosk being idle, marks it applied at once and asks its sync
 * thread for a round (update_apply's sync_thread_request), whose heartbeat
 * carries the applied version.  The kiosk is assumed idle when the poll
 * finds the catalog (a customer at the screen delays it by one session).
 * Variant without the wake (`--no-wake`): the applied version goes out at
 * the kiosk's next interval round, as before update_apply asked for one.
 *
 * The bench polls kiosks.catalog_version from the owner's connection every
 * 100 ms and takes the first poll seeing each kiosk at the new version.
 *
 * Figures: catalog_rollout_p50/p95/max_s (per kiosk), catalog_rollout_all_s,
 * catalog_import_s (the import process's wall time, 1000 kiosks' rows),
 * catalog_rollout_server_cpu_pct (the server's CPU over the rollout; 100 %
 * is one core).  Goal: p95 <= interval + 10 s.
 *
 * usage: bench_sync_catalog_rollout CONNINFO WOWDASH [--kiosks N]
 *          [--workers N] [--interval-s S] [--no-wake]
 *   defaults: 1000 kiosks, 4 workers, 60 s interval, with the wake.
 * reproduce: python3 tests/sync/pg_cluster.py start /tmp/pg.json --opt
 *   max_connections=1100; build/bench/bench_sync_catalog_rollout "$(python3 -c
 *   'import json; print(json.load(open("/tmp/pg.json"))["conninfo"])')"
 *   build/app/dash/wowdash; python3 tests/sync/pg_cluster.py stop /tmp/pg.json
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_pg.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "store_catalog.h"
#include "sync.h"

#define DBNAME      "wowbench_rollout"
#define ROLE_PREFIX "roll"
#define POLL_MS     2000.0 /* UPDATE_POLL_MS (app/kiosk/update.h) */

struct options {
    const char *conninfo, *wowdash;
    int kiosks, workers;
    double interval_s;
    bool wake;
};

struct kiosk {
    int index;
    struct store *store;
    struct sync_engine *engine;
    double due_ms;   /* the engine's next round (mono) */
    double apply_ms; /* the poll that finds a received catalog; 0: none */
    double seen_ms;  /* when the owner first saw the new version; 0: not yet */
    int rounds, applied, refused;
    bool phased; /* its next round is its first at its own phase: asked for */
};

struct fleet {
    const struct options *o;
    struct kiosk *kiosks;
    char dir[256];
    volatile int stop;
    int worker_count;
    uint64_t seed;
};

static double urand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return (double)(*x >> 11) / 9007199254740992.0;
}

/* What update_poll + update_apply do with the store's newest received
 * catalog: check it over the kiosk's own file, mark it applied or refused. */
static void kiosk_apply(struct kiosk *k)
{
    struct store_catalog_entry e;
    if (store_catalog_latest(k->store, false, &e) != 0)
        return;
    if (e.version > 0 && e.state == STORE_CATALOG_RECEIVED) {
        static __thread struct config config;
        static __thread struct config_errors errors;
        char own[64];
        snprintf(own, sizeof own, "[kiosk]\nid = " ROLE_PREFIX "%04d\n", k->index);
        const char *names[2] = {"kiosk.conf", "catalog"}, *texts[2] = {own, e.body};
        memset(&config, 0, sizeof config);
        if (config_parse_layers(&config, names, texts, 2, &errors) &&
            config.catalog_version == e.version) {
            store_catalog_mark(k->store, e.version, STORE_CATALOG_APPLIED, NULL);
            k->applied++;
        } else {
            store_catalog_mark(k->store, e.version, STORE_CATALOG_REFUSED, "bench: refused");
            k->refused++;
        }
    }
    store_catalog_entry_free(&e);
}

/* One round; a catalog it received is found by the next poll. */
static void kiosk_round(struct fleet *f, struct kiosk *k, uint64_t *rng, bool now)
{
    struct sync_status before, st;
    sync_engine_status(k->engine, &before);
    if (now)
        sync_engine_request(k->engine);
    k->due_ms = (double)sync_engine_step(k->engine, (int64_t)bench_mono_ms(), bench_utc_ms());
    sync_engine_status(k->engine, &st);
    k->rounds++;
    if (st.state != SYNC_STATE_OK)
        fprintf(stderr, "bench_sync_catalog_rollout: kiosk %d: %s\n", k->index, st.last_error);
    if (st.catalogs_received != before.catalogs_received && k->apply_ms == 0)
        k->apply_ms = bench_mono_ms() + (rng ? urand(rng) * POLL_MS : 0);
    (void)f;
}

struct worker {
    struct fleet *f;
    int first, step;
    uint64_t rng;
};

/* Runs its kiosks' rounds and applies when due, until stopped. */
static void *worker_run(void *arg)
{
    struct worker *w = arg;
    struct fleet *f = w->f;
    while (!f->stop) {
        struct kiosk *next = NULL;
        double when = 1e300;
        for (int i = w->first; i < f->o->kiosks; i += w->step) {
            struct kiosk *k = &f->kiosks[i];
            double t = k->apply_ms > 0 && k->apply_ms < k->due_ms ? k->apply_ms : k->due_ms;
            if (t < when) {
                when = t;
                next = &f->kiosks[i];
            }
        }
        double now = bench_mono_ms();
        if (next == NULL || when > now) {
            double wait = next == NULL || when - now > 50 ? 50 : when - now;
            struct timespec ts = {0, (long)(wait * 1e6)};
            nanosleep(&ts, NULL);
            continue;
        }
        if (next->apply_ms > 0 && next->apply_ms <= next->due_ms) {
            next->apply_ms = 0;
            kiosk_apply(next);
            if (f->o->wake)
                kiosk_round(f, next, &w->rng, true);
        } else {
            bool first = next->phased;
            next->phased = false;
            kiosk_round(f, next, &w->rng, first);
        }
    }
    return NULL;
}

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
    snprintf(s.department, sizeof s.department, "front");
    if (!bench_conninfo(f->o->conninfo, role, DBNAME, s.target, sizeof s.target))
        return false;
    k->engine = sync_engine_create(&s, -1);
    return k->engine != NULL;
}

/* Writes the fleet document with question q; returns its path in out. */
static bool write_document(const struct fleet *f, const char *q, char *out, size_t size)
{
    snprintf(out, size, "%s/fleet.ini", f->dir);
    FILE *fp = fopen(out, "w");
    if (fp == NULL)
        return false;
    fprintf(fp,
            "[kiosk]\nmode = single\ndepartment = front\nquestion = %s\n\n"
            "[hours]\nalways = true\n\n[department front]\nname = Front desk\n\n"
            "[reason fast]\nlabel = Fast\nfor = positive\n",
            q);
    for (int i = 0; i < f->o->kiosks; i++)
        fprintf(fp, "\n[kiosk " ROLE_PREFIX "%04d]\nlabel = Kiosk %d\n", i, i);
    return fclose(fp) == 0;
}

/* Runs `wowdash catalog import DOC --db CONNINFO`; its wall time in *s. */
static bool import(const struct fleet *f, const char *doc, const char *db, double *s)
{
    double t0 = bench_mono_ms();
    pid_t pid = fork();
    if (pid == 0) {
        execl(f->o->wowdash, f->o->wowdash, "catalog", "import", doc, "--db", db, "--by", "bench",
              (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return false;
    *s = (bench_mono_ms() - t0) / 1e3;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Marks each kiosk seen at version; returns how many are. */
static int poll_seen(struct fleet *f, PGconn *db, int64_t version)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)version);
    const char *params[1] = {v};
    PGresult *r = PQexecParams(db, "SELECT kiosk_id FROM kiosks WHERE catalog_version = $1::bigint",
                               1, NULL, params, NULL, NULL, 0);
    double now = bench_mono_ms();
    int n = 0;
    if (PQresultStatus(r) == PGRES_TUPLES_OK)
        for (int i = 0; i < PQntuples(r); i++) {
            long idx = strtol(PQgetvalue(r, i, 0) + strlen(ROLE_PREFIX), NULL, 10);
            if (idx >= 0 && idx < f->o->kiosks && f->kiosks[idx].seen_ms == 0)
                f->kiosks[idx].seen_ms = now;
            n++;
        }
    else
        fprintf(stderr, "bench_sync_catalog_rollout: poll: %s", PQerrorMessage(db));
    PQclear(r);
    return n;
}

/* Warm-up: every kiosk connects, gets version 1 and reports it. */
static bool warm_up(struct fleet *f, const char *db)
{
    char doc[300];
    double s;
    for (int i = 0; i < f->o->kiosks; i++)
        kiosk_round(f, &f->kiosks[i], NULL, true);
    if (!write_document(f, "How did we do today?", doc, sizeof doc) || !import(f, doc, db, &s))
        return false;
    for (int i = 0; i < f->o->kiosks; i++) {
        struct kiosk *k = &f->kiosks[i];
        kiosk_round(f, k, NULL, true);
        k->apply_ms = 0;
        kiosk_apply(k);
        kiosk_round(f, k, NULL, true);
    }
    printf("warm-up: %d kiosks connected and at version 1 (import %.2f s)\n", f->o->kiosks, s);
    return true;
}

/* The timed change: import version 2, poll until every kiosk reports it. */
static bool rollout(struct fleet *f, const char *db, PGconn *owner, int postmaster)
{
    const struct options *o = f->o;
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    double start = bench_mono_ms();
    for (int i = 0; i < o->kiosks; i++) /* each kiosk's round at its own phase */
    {
        f->kiosks[i].due_ms = start + urand(&rng) * o->interval_s * 1000;
        f->kiosks[i].phased = true;
    }
    struct worker w[64];
    pthread_t th[64];
    int n = o->workers;
    for (int i = 0; i < n; i++) {
        w[i] = (struct worker){f, i, n, 0x2545f4914f6cdd1dULL + (uint64_t)i};
        pthread_create(&th[i], NULL, worker_run, &w[i]);
    }
    struct timespec settle = {o->interval_s > 10 ? 10 : 1, 0};
    nanosleep(&settle, NULL);
    char doc[300];
    double import_s = 0;
    bool ok = write_document(f, "How was your visit today?", doc, sizeof doc);
    double cpu0 = bench_server_cpu_s(postmaster), t0 = bench_mono_ms();
    ok = ok && import(f, doc, db, &import_s);
    double limit = t0 + (2 * o->interval_s + 30) * 1000;
    while (ok && poll_seen(f, owner, 2) < o->kiosks && bench_mono_ms() < limit) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    double wall = (bench_mono_ms() - t0) / 1e3, cpu = bench_server_cpu_s(postmaster) - cpu0;
    f->stop = 1;
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    double *lag = calloc((size_t)o->kiosks, sizeof *lag), worst = 0;
    int seen = 0, refused = 0;
    for (int i = 0; ok && lag && i < o->kiosks; i++) {
        refused += f->kiosks[i].refused;
        if (f->kiosks[i].seen_ms > 0)
            lag[seen++] = (f->kiosks[i].seen_ms - t0) / 1e3;
    }
    for (int i = 0; i < seen; i++)
        worst = lag[i] > worst ? lag[i] : worst;
    ok = ok && lag && seen == o->kiosks && refused == 0;
    if (!ok)
        fprintf(stderr,
                "bench_sync_catalog_rollout: %d of %d kiosks reported version 2 (%d refused)\n",
                seen, o->kiosks, refused);
    const char *suffix = o->wake ? "" : "_no_wake";
    if (ok) {
        printf("rollout: %d kiosks, %.0f s interval, %s\n", o->kiosks, o->interval_s,
               o->wake ? "a round asked for after the apply (update_apply)"
                       : "the applied version waits for the next interval round");
        printf("figure: catalog_rollout_p50_s%s %.1f s\n", suffix,
               bench_percentile(lag, (size_t)seen, 50));
        printf("figure: catalog_rollout_p95_s%s %.1f s (goal <= %.0f s)\n", suffix,
               bench_percentile(lag, (size_t)seen, 95), o->interval_s + 10);
        printf("figure: catalog_rollout_max_s%s %.1f s\n", suffix, worst);
        printf("figure: catalog_rollout_all_s%s %.1f s\n", suffix, worst);
        printf("figure: catalog_import_s %.2f s (%d kiosks)\n", import_s, o->kiosks);
        printf("figure: catalog_rollout_server_cpu_pct%s %.1f %% (over %.1f s)\n", suffix,
               100 * cpu / wall, wall);
    }
    free(lag);
    return ok;
}

/* text as a number in [min, max], all of it, into *out. */
static bool parse_num(const char *text, double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || !(v >= min && v <= max))
        return false;
    *out = v;
    return true;
}

static bool parse_options(int argc, char **argv, struct options *o)
{
    double kiosks = 1000, workers = 4;
    *o = (struct options){NULL, NULL, 1000, 4, 60, true};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!a) /* argv[argc] is NULL, never before: said for the analyser */
            return false;
        bool good = true;
        if (!strcmp(a, "--kiosks") && v)
            good = parse_num(argv[++i], 1, 4000, &kiosks);
        else if (!strcmp(a, "--workers") && v)
            good = parse_num(argv[++i], 1, 64, &workers);
        else if (!strcmp(a, "--interval-s") && v)
            good = parse_num(argv[++i], 1, 3600, &o->interval_s);
        else if (!strcmp(a, "--no-wake"))
            o->wake = false;
        else if (a[0] != '-' && !o->conninfo)
            o->conninfo = a;
        else if (a[0] != '-' && !o->wowdash)
            o->wowdash = a;
        else
            return false;
        if (!good)
            return false;
    }
    o->kiosks = (int)kiosks;
    o->workers = (int)workers;
    return o->conninfo && o->wowdash;
}

static bool setup(struct fleet *f, PGconn **admin, int *postmaster)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    f->kiosks = calloc((size_t)f->o->kiosks, sizeof *f->kiosks);
    if (!f->kiosks || !bench_pg_fresh_database(f->o->conninfo, DBNAME) ||
        (*admin = bench_pg_connect(f->o->conninfo)) == NULL ||
        !bench_pg_make_roles(*admin, ROLE_PREFIX, f->o->kiosks))
        return false;
    *postmaster = bench_pg_postmaster_pid(*admin);
    for (int i = 0; i < f->o->kiosks; i++) {
        f->kiosks[i].index = i;
        if (!kiosk_setup(f, &f->kiosks[i]))
            return false;
    }
    return true;
}

static void teardown(struct fleet *f)
{
    for (int i = 0; f->kiosks && i < f->o->kiosks; i++) {
        struct kiosk *k = &f->kiosks[i];
        sync_engine_destroy(k->engine);
        store_close(k->store);
        const char *suffix[] = {"", "-wal", "-shm"};
        for (int j = 0; j < 3; j++) {
            char path[320];
            snprintf(path, sizeof path, "%s/" ROLE_PREFIX "%04d.db%s", f->dir, i, suffix[j]);
            unlink(path);
        }
    }
    char doc[300];
    snprintf(doc, sizeof doc, "%s/fleet.ini", f->dir);
    unlink(doc);
    rmdir(f->dir);
    free(f->kiosks);
}

int main(int argc, char **argv)
{
    struct options o;
    if (!parse_options(argc, argv, &o)) {
        fprintf(stderr, "usage: bench_sync_catalog_rollout CONNINFO WOWDASH [--kiosks N] "
                        "[--workers N] [--interval-s S] [--no-wake]\n");
        return 2;
    }
    log_init("bench_sync_catalog_rollout", LOG_WARN);
    static struct fleet f;
    f.o = &o;
    snprintf(f.dir, sizeof f.dir, "/var/tmp/wowbench-rollout-XXXXXX");
    if (mkdtemp(f.dir) == NULL)
        return 1;
    PGconn *admin = NULL, *owner = NULL;
    int postmaster = 0;
    char db[1024];
    bool ok = setup(&f, &admin, &postmaster) &&
              bench_conninfo(o.conninfo, NULL, DBNAME, db, sizeof db) &&
              (owner = bench_pg_connect(db)) != NULL && warm_up(&f, db) &&
              rollout(&f, db, owner, postmaster);
    PQfinish(owner);
    teardown(&f);
    bench_pg_drop_database(o.conninfo, DBNAME);
    if (admin)
        bench_pg_drop_roles(admin, ROLE_PREFIX, o.kiosks);
    PQfinish(admin);
    if (ok)
        printf("reproduce: build/bench/bench_sync_catalog_rollout CONNINFO build/app/dash/wowdash "
               "--kiosks %d --workers %d --interval-s %g%s\n",
               o.kiosks, o.workers, o.interval_s, o.wake ? "" : " --no-wake");
    return ok ? 0 : 1;
}
