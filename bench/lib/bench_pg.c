/*
 * bench_pg: helpers of the sync benchmarks (see bench_pg.h).  Measures
 * nothing by itself.
 */
#include "bench_pg.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "migrate.h"
#include "schema.h"

double bench_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int64_t bench_utc_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Appends key='value' (quotes and backslashes escaped) to out at *len. */
static bool append_pair(char *out, size_t size, size_t *len, const char *key, const char *value)
{
    int n = snprintf(out + *len, size - *len, "%s%s='", *len ? " " : "", key);
    if (n < 0 || (size_t)n >= size - *len)
        return false;
    *len += (size_t)n;
    for (const char *c = value; *c; c++) {
        if (*len + 3 >= size)
            return false;
        if (*c == '\'' || *c == '\\')
            out[(*len)++] = '\\';
        out[(*len)++] = *c;
    }
    out[(*len)++] = '\'';
    out[*len] = '\0';
    return true;
}

bool bench_conninfo(const char *base, const char *user, const char *dbname, char *out, size_t size)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(base, &err);
    if (!opts) {
        fprintf(stderr, "bench: cannot parse conninfo \"%s\": %s\n", base, err ? err : "?");
        PQfreemem(err);
        return false;
    }
    size_t len = 0;
    bool ok = size > 0;
    if (ok)
        out[0] = '\0';
    for (PQconninfoOption *o = opts; ok && o->keyword; o++) {
        const char *value = o->val;
        if (!strcmp(o->keyword, "user") && user)
            value = user;
        else if (!strcmp(o->keyword, "dbname") && dbname)
            value = dbname;
        if (value && value[0])
            ok = append_pair(out, size, &len, o->keyword, value);
    }
    PQconninfoFree(opts);
    return ok;
}

PGconn *bench_pg_connect(const char *conninfo)
{
    PGconn *conn = PQconnectdb(conninfo);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "bench: cannot connect to PostgreSQL (%s): %s", conninfo,
                PQerrorMessage(conn));
        PQfinish(conn);
        return NULL;
    }
    PQclear(PQexec(conn, "SET client_min_messages = warning"));
    return conn;
}

bool bench_pg_exec(PGconn *conn, const char *sql)
{
    PGresult *res = PQexec(conn, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fprintf(stderr, "bench: PostgreSQL: %.200s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

bool bench_pg_ints(PGconn *conn, const char *sql, int nparams, const char *const *params,
                   int64_t *values, int n)
{
    PGresult *res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) > 0 && PQnfields(res) >= n;
    if (!ok)
        fprintf(stderr, "bench: PostgreSQL: %.200s: %s", sql,
                PQresultStatus(res) == PGRES_TUPLES_OK ? "no row\n" : PQresultErrorMessage(res));
    for (int i = 0; ok && i < n; i++) {
        const char *text = PQgetisnull(res, 0, i) ? "0" : PQgetvalue(res, 0, i);
        char *end;
        errno = 0;
        values[i] = strtoll(text, &end, 10);
        ok = end != text && *end == '\0' && errno == 0;
        if (!ok)
            fprintf(stderr, "bench: PostgreSQL: %.200s: not an integer: %s\n", sql, text);
    }
    PQclear(res);
    return ok;
}

/* DROP DATABASE with a quoted name; WITH (FORCE) ends its sessions. */
static bool drop_database(PGconn *admin, const char *dbname)
{
    char *ident = PQescapeIdentifier(admin, dbname, strlen(dbname));
    char sql[256];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", ident ? ident : "\"\"");
    PQfreemem(ident);
    return bench_pg_exec(admin, sql);
}

bool bench_pg_fresh_database(const char *admin, const char *dbname)
{
    return bench_pg_fresh_database_at(admin, dbname, SCHEMA_VERSION);
}

bool bench_pg_fresh_database_at(const char *admin, const char *dbname, int version)
{
    PGconn *conn = bench_pg_connect(admin);
    if (!conn)
        return false;
    char *ident = PQescapeIdentifier(conn, dbname, strlen(dbname));
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", ident ? ident : "\"\"");
    PQfreemem(ident);
    bool ok = drop_database(conn, dbname) && bench_pg_exec(conn, sql);
    PQfinish(conn);
    char conninfo[1024];
    if (!ok || !bench_conninfo(admin, NULL, dbname, conninfo, sizeof conninfo))
        return false;
    conn = bench_pg_connect(conninfo);
    if (!conn)
        return false;
    struct migrate_report report;
    ok = migrate_postgres(conn, version, &report) == 0 && report.to_version == version;
    if (!ok)
        fprintf(stderr, "bench: migrating database %s to schema version %d failed\n", dbname,
                version);
    PQfinish(conn);
    return ok;
}

void bench_pg_drop_database(const char *admin, const char *dbname)
{
    PGconn *conn = bench_pg_connect(admin);
    if (conn)
        drop_database(conn, dbname);
    PQfinish(conn);
}

/* One server-side loop over the roles: CREATE (or DROP) ROLE for each. */
static bool roles_loop(PGconn *admin, const char *prefix, int count, bool create)
{
    char sql[1024];
    /* an argument of snprintf, not its format: one % */
    const char *body =
        create ? "EXECUTE format('CREATE ROLE %I LOGIN IN ROLE " SCHEMA_FLEET_ROLE "', r);" : "";
    int n = snprintf(sql, sizeof sql,
                     "DO $$ DECLARE r text; BEGIN"
                     " FOR i IN 0..%d LOOP"
                     "  r := '" SCHEMA_KIOSK_ROLE_PREFIX "%s' || lpad(i::text, 4, '0');"
                     "  IF EXISTS (SELECT FROM pg_roles WHERE rolname = r) THEN"
                     "   EXECUTE format('DROP OWNED BY %%I', r);"
                     "   EXECUTE format('DROP ROLE %%I', r);"
                     "  END IF; %s"
                     " END LOOP; END $$",
                     count - 1, prefix, body);
    /* the prefix goes into a literal: keep it to the kiosk id alphabet */
    if (n < 0 || (size_t)n >= sizeof sql ||
        strspn(prefix, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(prefix))
        return false;
    return bench_pg_exec(admin, sql);
}

bool bench_pg_make_roles(PGconn *admin, const char *prefix, int count)
{
    return roles_loop(admin, prefix, count, true);
}

void bench_pg_drop_roles(PGconn *admin, const char *prefix, int count)
{
    roles_loop(admin, prefix, count, false);
}

/* Fields of /proc/PID/stat after the command's closing parenthesis:
 * ppid is field 4, utime..cstime fields 14..17 (man 5 proc). */
struct proc_stat {
    long ppid;
    long long ticks[4]; /* utime, stime, cutime, cstime */
};

static bool read_proc_stat(const char *pid, struct proc_stat *out)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return false;
    p++; /* at " S ppid ..." : field 3 is next */
    for (int field = 3; field <= 17; field++) {
        char *end;
        while (*p == ' ')
            p++;
        if (field == 3) {
            p = strchr(p, ' ');
            if (!p)
                return false;
            continue;
        }
        long long v = strtoll(p, &end, 10);
        if (end == p)
            return false;
        p = end;
        if (field == 4)
            out->ppid = (long)v;
        else if (field >= 14)
            out->ticks[field - 14] = v;
    }
    return true;
}

int bench_pg_postmaster_pid(PGconn *conn)
{
    int64_t backend = 0;
    if (!bench_pg_ints(conn, "SELECT pg_backend_pid()", 0, NULL, &backend, 1))
        return 0;
    char pid[24];
    snprintf(pid, sizeof pid, "%lld", (long long)backend);
    struct proc_stat st;
    return read_proc_stat(pid, &st) ? (int)st.ppid : 0;
}

/* Calls visit for the postmaster and each of its children. */
static void for_server_processes(int postmaster,
                                 void (*visit)(const char *pid, bool root,
                                               const struct proc_stat *st, void *ctx),
                                 void *ctx)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        struct proc_stat st;
        long pid = strtol(e->d_name, NULL, 10);
        if (!read_proc_stat(e->d_name, &st))
            continue;
        if (pid == postmaster || st.ppid == postmaster)
            visit(e->d_name, pid == postmaster, &st, ctx);
    }
    closedir(d);
}

static void add_cpu(const char *pid, bool root, const struct proc_stat *st, void *ctx)
{
    long long *ticks = ctx;
    *ticks += st->ticks[0] + st->ticks[1];
    if (root)
        *ticks += st->ticks[2] + st->ticks[3];
}

double bench_server_cpu_s(int postmaster_pid)
{
    long long ticks = 0;
    if (postmaster_pid > 0)
        for_server_processes(postmaster_pid, add_cpu, &ticks);
    return (double)ticks / (double)sysconf(_SC_CLK_TCK);
}

struct pss_sum {
    long long kb;
    int processes;
};

static void add_pss(const char *pid, bool root, const struct proc_stat *st, void *ctx)
{
    struct pss_sum *sum = ctx;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%.24s/smaps_rollup", pid); /* a pid is short */
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "Pss:", 4)) {
            sum->kb += strtoll(line + 4, NULL, 10);
            break;
        }
    fclose(f);
    sum->processes++;
}

double bench_server_pss_mb(int postmaster_pid, int *processes)
{
    struct pss_sum sum = {0, 0};
    if (postmaster_pid > 0)
        for_server_processes(postmaster_pid, add_pss, &sum);
    *processes = sum.processes;
    return (double)sum.kb / 1024.0;
}

double bench_self_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

double bench_peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

void bench_print_load(const char *when)
{
    char buf[128] = "?";
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (!fgets(buf, sizeof buf, f))
            snprintf(buf, sizeof buf, "?");
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = '\0';
    printf("load %s: %s (%ld cores online)\n", when, buf, sysconf(_SC_NPROCESSORS_ONLN));
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_percentile(double *values, size_t n, double p)
{
    if (n == 0)
        return 0.0;
    qsort(values, n, sizeof values[0], compare_double);
    double rank = p / 100.0 * (double)n;
    size_t k = (size_t)rank;
    if ((double)k < rank)
        k++; /* nearest rank: ceil(p/100 * n), 1-based */
    return values[k > 0 ? k - 1 : 0];
}
