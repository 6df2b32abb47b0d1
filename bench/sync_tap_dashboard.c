/*
 * bench sync_tap_dashboard: how long from a tap's commit on a kiosk until
 * the dashboard's API shows it, with a fleet of 1000 kiosks at the
 * default settings on one PostgreSQL, and what the server spends on it.
 *
 * Every simulated kiosk is what a real one runs: its own store (a file in
 * a temp dir), and a real sync thread (sync_thread_start, the default 60 s
 * interval) logging in as its own role kiosk_live<NNNN> under row-level
 * security; a tap is store_record_tap (and a follow-up on every other tap)
 * then sync_thread_committed, as the kiosk's loop does.  The kiosks start
 * spread over the first interval (a fleet's rounds are not in step), then
 * taps arrive as a Poisson process at --taps-per-hour per kiosk, each at a
 * random kiosk.  The dashboard is a real `wowdash serve` (default
 * --refresh) on the same database.
 *
 * The probe: kiosk 0 is the only one of department "probe".  Again and
 * again a tap is recorded there, and the time from its commit until
 * GET /api/v1/counts.json?department=probe (bearer token) sums one more
 * response is one sample; then a pause of 1-3 s.  Printed: the samples'
 * p50, p95 and max (tap_to_dashboard_p95_s), and the server's CPU over the
 * measured window (PostgreSQL's processes and wowdash's, from /proc) as %
 * of one core.
 *
 * usage: bench_sync_tap_dashboard CONNINFO WOWDASH [--kiosks N] [--seconds S]
 *          [--taps-per-hour X] [--start-s S] [--dir DIR]
 *   defaults: 1000 kiosks started over 60 s (the interval), 120 s measured, 30 taps an hour per
 * kiosk (a busy hour: one every 2 minutes, 8.3 taps a second over the fleet). CONNINFO: a
 * PostgreSQL superuser's, on this machine, max_connections >= kiosks + 20.  Makes and drops
 * database wowbench_live and roles kiosk_liveNNNN.
 */
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_pg.h"
#include "clock.h"
#include "log.h"
#include "store.h"
#include "sync.h"

#define DBNAME      "wowbench_live"
#define ROLE_PREFIX "live"
#define MAX_SAMPLES 4096

struct options {
    const char *conninfo, *wowdash, *dir;
    int kiosks;
    double seconds, taps_per_hour, start_s;
};

struct kiosk {
    pthread_mutex_t lock; /* the store: the traffic and the probe both record */
    struct store *store;
    struct sync_thread *sync;
    int64_t taps;
};

struct bench {
    const struct options *o;
    struct kiosk *kiosks;
    int64_t clock_offset;
    struct clock clock;
    char dir[256], token[128];
    int port;
    _Atomic int started; /* kiosks 0..started-1 run */
    volatile bool stop;
};

static const char *const departments[] = {"front", "it", "lab", "pharmacy", "radiology", "billing"};
static const char *const reasons[] = {"friendly", "fast", "helpful"};

static void sleep_ms(double ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(fmod(ms, 1000) * 1e6)};
    nanosleep(&ts, NULL);
}

static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* One tap (and every other time a follow-up) on kiosk i, committed, and
 * the sync thread told, as the kiosk's loop does. */
static bool tap(struct bench *b, int i)
{
    static const int faces[8] = {4, 4, 3, 4, 2, 4, 3, 1};
    struct kiosk *k = &b->kiosks[i];
    pthread_mutex_lock(&k->lock);
    struct store_tap t = {bench_utc_ms(), i == 0 ? "probe" : departments[i % 6],
                          faces[(k->taps + i) % 8], false};
    int64_t id;
    bool ok = store_record_tap(k->store, &t, &id) == 0;
    if (ok && k->taps++ % 2 == 0) {
        struct store_followup fu = {t.rating >= 3 ? STORE_QUESTION_POSITIVE
                                                  : STORE_QUESTION_NEGATIVE,
                                    reasons[k->taps % 3], STORE_FOLLOWUP_CHOSEN};
        ok = store_record_followup(k->store, id, &fu) == 0;
    }
    pthread_mutex_unlock(&k->lock);
    sync_thread_committed(k->sync);
    return ok;
}

static bool kiosk_start(struct bench *b, int i)
{
    char id[32], path[320], role[48];
    snprintf(id, sizeof id, ROLE_PREFIX "%04d", i);
    snprintf(path, sizeof path, "%s/%s.db", b->dir, id);
    snprintf(role, sizeof role, "kiosk_%s", id);
    struct kiosk *k = &b->kiosks[i];
    struct store_health health;
    pthread_mutex_init(&k->lock, NULL);
    if (store_open(&k->store, path, id, bench_utc_ms(), &health) != 0)
        return false;
    struct sync_settings s;
    sync_settings_defaults(&s); /* the default interval, back-off and timeouts */
    snprintf(s.store_path, sizeof s.store_path, "%s", path);
    snprintf(s.kiosk_id, sizeof s.kiosk_id, "%s", id);
    snprintf(s.site, sizeof s.site, "Site %d", i / 10);
    snprintf(s.department, sizeof s.department, "%s", i == 0 ? "probe" : departments[i % 6]);
    snprintf(s.timezone, sizeof s.timezone, "UTC");
    if (!bench_conninfo(b->o->conninfo, role, DBNAME, s.target, sizeof s.target))
        return false;
    k->sync = sync_thread_start(&s, &b->clock);
    return k->sync != NULL;
}

/* --- the dashboard --------------------------------------------------------- */

/* Runs "WOWDASH ARGS --db CONNINFO" and keeps its first output line in
 * out (may be NULL); false unless it exits 0. */
static bool wowdash(struct bench *b, const char *args, const char *stdin_text, char *out,
                    size_t size)
{
    char db[600], cmd[1400];
    if (!bench_conninfo(b->o->conninfo, NULL, DBNAME, db, sizeof db))
        return false;
    snprintf(cmd, sizeof cmd, "%s%s%s '%s' %s --db \"%s\"", stdin_text ? "echo " : "",
             stdin_text ? stdin_text : "", stdin_text ? " |" : "", b->o->wowdash, args, db);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    char line[512] = "";
    if (!fgets(line, sizeof line, p))
        line[0] = '\0';
    line[strcspn(line, "\n")] = '\0';
    if (out)
        snprintf(out, size, "%s", line);
    while (fgets(line, sizeof line, p))
        ;
    int rc = pclose(p);
    if (rc != 0)
        fprintf(stderr, "bench_sync_tap_dashboard: wowdash %s: exit %d\n", args, rc);
    return rc == 0;
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static pid_t serve_start(struct bench *b, const char *log_path)
{
    char db[600], listen_at[64];
    if (!bench_conninfo(b->o->conninfo, NULL, DBNAME, db, sizeof db))
        return -1;
    snprintf(listen_at, sizeof listen_at, "127.0.0.1:%d", b->port);
    pid_t pid = fork();
    if (pid == 0) {
        FILE *log = freopen(log_path, "w", stdout);
        if (log)
            dup2(fileno(log), 2);
        execl(b->o->wowdash, b->o->wowdash, "serve", "--db", db, "--listen", listen_at,
              "--timezone", "UTC", (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* GET path on the dashboard: the status, and the body in buf. */
static int http_get(const struct bench *b, const char *path, char *buf, size_t size)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)b->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char req[512];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                     "Connection: close\r\n\r\n",
                     path, b->token);
    size_t got = 0;
    if (write(fd, req, (size_t)n) == n)
        for (ssize_t r; got + 1 < size && (r = read(fd, buf + got, size - 1 - got)) > 0;)
            got += (size_t)r;
    close(fd);
    buf[got] = '\0';
    /* "HTTP/1.1 200 OK" */
    return got > 12 && !strncmp(buf, "HTTP/1.", 7) ? (int)strtol(buf + 9, NULL, 10) : 0;
}

/* The probe department's responses in the API (last 30 days); -1 on error. */
static long long probe_total(const struct bench *b)
{
    static char buf[1 << 16];
    if (http_get(b, "/api/v1/counts.json?department=probe&period=last_30_days&limit=10000", buf,
                 sizeof buf) != 200)
        return -1;
    long long total = 0;
    for (const char *p = buf; (p = strstr(p, "\"responses\"")) != NULL;) {
        p += strlen("\"responses\"");
        p += strspn(p, " :");
        total += strtoll(p, NULL, 10);
    }
    return total;
}

/* --- traffic and probe ------------------------------------------------------ */

static void *traffic(void *arg)
{
    struct bench *b = arg;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    double rate = b->o->taps_per_hour * (b->o->kiosks - 1) / 3600.0; /* taps a second */
    while (!b->stop && rate > 0) {
        double u = (double)(next_random(&x) >> 11) / 9007199254740992.0;
        sleep_ms(-log(1.0 - u) / rate * 1000.0);
        int up = atomic_load(&b->started);
        if (up < 2)
            continue;
        int i = 1 + (int)(next_random(&x) % (uint64_t)(up - 1));
        if (!b->stop && !tap(b, i))
            fprintf(stderr, "bench_sync_tap_dashboard: kiosk %d: store error\n", i);
    }
    return NULL;
}

/* Probes until *stop or MAX_SAMPLES; latencies in seconds into s. */
static size_t probe(struct bench *b, double *s, double end_ms)
{
    uint64_t x = 12345;
    size_t n = 0;
    long long seen = probe_total(b);
    while (bench_mono_ms() < end_ms && n < MAX_SAMPLES && seen >= 0) {
        double t0 = bench_mono_ms();
        if (!tap(b, 0))
            return n;
        long long now = seen;
        while (now <= seen && bench_mono_ms() - t0 < 120000) {
            sleep_ms(50);
            now = probe_total(b);
        }
        if (now <= seen) {
            fprintf(stderr, "bench_sync_tap_dashboard: a probe tap never showed\n");
            return n;
        }
        s[n++] = (bench_mono_ms() - t0) / 1000.0;
        seen = now;
        sleep_ms(1000 + (double)(next_random(&x) % 2000));
    }
    return n;
}

/* --- set-up and run ---------------------------------------------------------- */

static bool prepare(struct bench *b)
{
    PGconn *admin = NULL;
    bool ok = bench_pg_fresh_database(b->o->conninfo, DBNAME) &&
              (admin = bench_pg_connect(b->o->conninfo)) &&
              bench_pg_make_roles(admin, ROLE_PREFIX, b->o->kiosks);
    PQfinish(admin);
    ok = ok && wowdash(b, "department add probe --name Probe", NULL, NULL, 0) &&
         wowdash(b, "user add bench --role admin --password-stdin", "bench-password-1234", NULL,
                 0) &&
         wowdash(b, "token add bench --label bench", NULL, b->token, sizeof b->token);
    return ok && b->token[0];
}

static void report(double *s, size_t n, double cpu_pct, double wall_s, int64_t rounds)
{
    if (n == 0) {
        printf("figure: tap_to_dashboard_p95_s nan s (no probe showed)\n");
        return;
    }
    double p50 = bench_percentile(s, n, 50), p95 = bench_percentile(s, n, 95);
    double max = bench_percentile(s, n, 100);
    printf("figure: tap_to_dashboard_p50_s %.2f s (%zu probe taps)\n", p50, n);
    printf("figure: tap_to_dashboard_p95_s %.2f s (max %.2f; goal <= 5)\n", p95, max);
    printf("figure: tap_to_dashboard_server_cpu_pct %.1f %% (of one core: PostgreSQL's "
           "processes and wowdash's, over %.0f s; goal < 25)\n",
           cpu_pct, wall_s);
    printf("figure: tap_to_dashboard_rounds_per_s %.1f rounds/s (the fleet's sync rounds)\n",
           (double)rounds / wall_s);
}

static int64_t fleet_rounds(struct bench *b)
{
    int64_t rounds = 0;
    for (int i = 0; i < b->o->kiosks; i++) {
        struct sync_status st;
        while (!sync_thread_status(b->kiosks[i].sync, &st))
            sleep_ms(1);
        rounds += st.rounds_ok + st.rounds_failed;
    }
    return rounds;
}

static int run(struct bench *b)
{
    int kiosks = b->o->kiosks;
    char log_path[300];
    snprintf(log_path, sizeof log_path, "%s/serve.log", b->dir);
    b->port = free_port();
    pid_t serve = serve_start(b, log_path);
    PGconn *admin = bench_pg_connect(b->o->conninfo);
    int postmaster = admin ? bench_pg_postmaster_pid(admin) : 0;
    PQfinish(admin);
    char body[256];
    for (int i = 0; i < 100 && http_get(b, "/healthz", body, sizeof body) != 200; i++)
        sleep_ms(100);
    /* the fleet starts spread over the first interval, traffic already on */
    pthread_t traffic_thread;
    bool traffic_on = false;
    double interval_ms = b->o->start_s * 1000.0, t_start = bench_mono_ms();
    for (int i = 0; i < kiosks; i++) {
        sleep_ms(t_start + interval_ms * i / kiosks - bench_mono_ms());
        if (!kiosk_start(b, i)) {
            fprintf(stderr, "bench_sync_tap_dashboard: kiosk %d cannot start\n", i);
            return 1;
        }
        atomic_store(&b->started, i + 1);
        if (i > 0 && !traffic_on) /* kiosk 0 is the probe; traffic once one more is up */
            traffic_on = pthread_create(&traffic_thread, NULL, traffic, b) == 0;
    }
    sleep_ms(10000); /* the last ones connected */
    bench_print_load("before the measured window");
    double cpu0 = bench_server_cpu_s(postmaster) + bench_server_cpu_s(serve);
    int64_t rounds0 = fleet_rounds(b);
    double w0 = bench_mono_ms();
    double *samples = calloc(MAX_SAMPLES, sizeof *samples);
    size_t n = samples ? probe(b, samples, w0 + b->o->seconds * 1000.0) : 0;
    double wall_s = (bench_mono_ms() - w0) / 1000.0;
    double cpu = bench_server_cpu_s(postmaster) + bench_server_cpu_s(serve) - cpu0;
    int64_t rounds = fleet_rounds(b) - rounds0;
    b->stop = true;
    if (traffic_on)
        pthread_join(traffic_thread, NULL);
    bench_print_load("after");
    report(samples, n, postmaster > 0 ? cpu / wall_s * 100.0 : NAN, wall_s, rounds);
    free(samples);
    kill(serve, SIGTERM);
    waitpid(serve, NULL, 0);
    return n > 0 ? 0 : 1;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    *o = (struct options){.kiosks = 1000, .seconds = 120, .taps_per_hour = 30, .start_s = 60};
    if (argc < 3) {
        fprintf(stderr, "usage: bench_sync_tap_dashboard CONNINFO WOWDASH [--kiosks N] "
                        "[--seconds S] [--taps-per-hour X] [--start-s S] [--dir DIR]\n");
        return 2;
    }
    o->conninfo = argv[1];
    o->wowdash = argv[2];
    for (int i = 3; i + 1 < argc; i += 2) {
        double *number = !strcmp(argv[i], "--seconds")         ? &o->seconds
                         : !strcmp(argv[i], "--taps-per-hour") ? &o->taps_per_hour
                         : !strcmp(argv[i], "--start-s")       ? &o->start_s
                                                               : NULL;
        char *end;
        if (!strcmp(argv[i], "--dir")) {
            o->dir = argv[i + 1];
        } else if (!strcmp(argv[i], "--kiosks")) {
            long n = strtol(argv[i + 1], &end, 10);
            if (*end || n < 2 || n > 100000)
                return fprintf(stderr, "bench_sync_tap_dashboard: --kiosks: 2..100000\n"), 2;
            o->kiosks = (int)n;
        } else if (number) {
            *number = strtod(argv[i + 1], &end);
            if (*end || !(*number >= 0))
                return fprintf(stderr, "bench_sync_tap_dashboard: %s: a number >= 0\n", argv[i]), 2;
        } else {
            return fprintf(stderr, "bench_sync_tap_dashboard: unknown option %s\n", argv[i]), 2;
        }
    }
    return o->seconds > 0 ? 0 : 2;
}

int main(int argc, char **argv)
{
    struct options o;
    int rc = parse_options(argc, argv, &o);
    if (rc)
        return rc;
    log_init("bench_sync_tap_dashboard", LOG_WARN);
    struct bench b = {.o = &o};
    b.clock = clock_system(&b.clock_offset, CLOCK_NO_START);
    snprintf(b.dir, sizeof b.dir, "%s/wowbench-live.XXXXXX", o.dir ? o.dir : "/tmp");
    b.kiosks = calloc((size_t)o.kiosks, sizeof *b.kiosks);
    if (!b.kiosks || !mkdtemp(b.dir)) {
        fprintf(stderr, "bench_sync_tap_dashboard: cannot make %s: %s\n", b.dir, strerror(errno));
        return 1;
    }
    printf("tap to dashboard: %d kiosks (real sync threads, default settings), %.0f taps an hour "
           "each, wowdash serve (default --refresh) on the same PostgreSQL\n",
           o.kiosks, o.taps_per_hour);
    fflush(stdout); /* before serve_start forks */
    rc = prepare(&b) ? run(&b) : 1;
    for (int i = 0; i < o.kiosks; i++) {
        sync_thread_stop(b.kiosks[i].sync);
        if (b.kiosks[i].store)
            store_close(b.kiosks[i].store);
    }
    bench_pg_drop_database(o.conninfo, DBNAME);
    PGconn *admin = bench_pg_connect(o.conninfo);
    if (admin)
        bench_pg_drop_roles(admin, ROLE_PREFIX, o.kiosks);
    PQfinish(admin);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b.dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_sync_tap_dashboard: cannot remove %s\n", b.dir);
    return rc;
}
