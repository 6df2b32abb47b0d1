/*
 * rollup: the rollups' refresh (see rollup.h).
 *
 * The database does the sums: for each kiosk and run of local days, one
 * INSERT .. SELECT per rollup reads the kiosk's raw rows (their key leads
 * by kiosk_id) and groups them by local day or hour.  The local time of a
 * row is bucket_start_ms plus the zone's offset at that instant, which
 * this file writes into the statement as a CASE over the zone's offset
 * changes inside the run (found with tz.h; a run of a year has two), so
 * both engines compute the same days without knowing about zones.
 *
 * Out of memory: the refresh fails with "out of memory" in err.
 */
#include "rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "dashview.h"
#include "log.h"
#include "schema.h"
#include "strbuf.h"
#include "tz.h"

#define DAY_MS    86400000LL
#define HOUR_MS   3600000LL
#define MARGIN_MS (5 * 60 * 1000LL) /* transactions open this long when the last refresh read */
/* rollup_refresh_recent's: a kiosk's push is one short pipelined
 * transaction; one open longer is caught by the next rollup_refresh */
#define RECENT_MARGIN_MS 2000LL
#define SPAN_PAD_MS      (14 * HOUR_MS) /* zones lie within UTC-12 .. UTC+14 */
/* Offsets are sampled this often and each change found by bisection; no
 * zone changes twice within six hours. */
#define ZONE_STEP_MS (6 * HOUR_MS)
#define MAX_CHANGES  512 /* offset changes in one run: a year has two */
#define BATCH_KIOSKS 16  /* kiosks per transaction */
/* Untouched days at most this long between touched ones are recomputed
 * with them: one pass over a few more rows beats another round of
 * statements.  Spans this short skip the look at which days changed. */
#define RUN_GAP_DAYS 14

struct zone {
    char *name;    /* owned */
    struct tz *tz; /* owned; NULL: UTC (the name did not load) */
};

struct kiosk_zone {
    char *kiosk_id; /* owned */
    char *timezone; /* owned */
};

struct kiosk_change {
    char *kiosk_id; /* owned */
    int64_t min_bucket, max_bucket;
    const struct tz *tz; /* borrowed from the zone cache; NULL: UTC */
};

struct day_list {
    int32_t *days; /* owned */
    size_t n, cap;
};

struct refresh {
    struct dashdb *db;
    char *err;
    size_t size;
    int64_t watermark[2];         /* tap_counts, reason_counts */
    int64_t read_at;              /* the database's clock before this refresh read */
    int64_t margin_ms;            /* read back this far before the watermark */
    struct kiosk_change *changes; /* owned, sorted by kiosk_id once collected */
    size_t n_changes, cap_changes;
    struct kiosk_zone *kiosk_zones; /* owned, sorted by kiosk_id */
    size_t n_kiosk_zones, cap_kiosk_zones;
    struct zone *zones; /* owned: each zone loaded once */
    size_t n_zones, cap_zones;
    char **departments; /* owned: the current run's departments */
    size_t n_departments, cap_departments;
    struct rollup_stats stats;
    struct strbuf sql;
};

static const char *const tables[2] = {"tap_counts", "reason_counts"};

static int64_t parse_i64(const char *text)
{
    return text ? strtoll(text, NULL, 10) : 0;
}

static char *copy_text(const char *text)
{
    size_t n = strlen(text ? text : "") + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, text ? text : "", n);
    return p;
}

static bool out_of_memory(struct refresh *r)
{
    snprintf(r->err, r->size, "rollup: out of memory");
    return false;
}

static void refresh_free(struct refresh *r)
{
    for (size_t i = 0; i < r->n_changes; i++)
        free(r->changes[i].kiosk_id);
    free(r->changes);
    for (size_t i = 0; i < r->n_kiosk_zones; i++) {
        free(r->kiosk_zones[i].kiosk_id);
        free(r->kiosk_zones[i].timezone);
    }
    free(r->kiosk_zones);
    for (size_t i = 0; i < r->n_zones; i++) {
        free(r->zones[i].name);
        tz_destroy(r->zones[i].tz);
    }
    free(r->zones);
    for (size_t i = 0; i < r->n_departments; i++)
        free(r->departments[i]);
    free(r->departments);
    strbuf_free(&r->sql);
}

/* ---- what changed ------------------------------------------------------ */

static bool handle_watermark(void *ctx, int ncols, const char *const *v)
{
    struct refresh *r = ctx;
    for (int t = 0; ncols == 2 && v[0] && t < 2; t++)
        if (!strcmp(v[0], tables[t]))
            r->watermark[t] = parse_i64(v[1]);
    return true;
}

struct change_ctx {
    struct refresh *r;
    int table;
};

static bool handle_change(void *ctx, int ncols, const char *const *v)
{
    struct change_ctx *c = ctx;
    struct refresh *r = c->r;
    if (ncols != 5 || !v[0])
        return true;
    if (!dash_grow((void **)&r->changes, r->n_changes, &r->cap_changes, sizeof *r->changes))
        return false;
    struct kiosk_change *k = &r->changes[r->n_changes];
    *k = (struct kiosk_change){
        .kiosk_id = copy_text(v[0]), .min_bucket = parse_i64(v[2]), .max_bucket = parse_i64(v[3])};
    if (!k->kiosk_id)
        return false;
    r->n_changes++;
    int64_t rows = parse_i64(v[1]);
    if (c->table == 0)
        r->stats.tap_rows += rows;
    else
        r->stats.reason_rows += rows;
    return true;
}

static int compare_changes(const void *a, const void *b)
{
    return strcmp(((const struct kiosk_change *)a)->kiosk_id,
                  ((const struct kiosk_change *)b)->kiosk_id);
}

/* One entry per kiosk: both tables' spans merged. */
static void merge_changes(struct refresh *r)
{
    if (r->n_changes > 1) /* qsort takes no NULL, even for 0 items */
        qsort(r->changes, r->n_changes, sizeof *r->changes, compare_changes);
    size_t out = 0;
    for (size_t i = 0; i < r->n_changes; i++) {
        struct kiosk_change *k = &r->changes[i];
        if (out > 0 && !strcmp(r->changes[out - 1].kiosk_id, k->kiosk_id)) {
            struct kiosk_change *into = &r->changes[out - 1];
            if (k->min_bucket < into->min_bucket)
                into->min_bucket = k->min_bucket;
            if (k->max_bucket > into->max_bucket)
                into->max_bucket = k->max_bucket;
            free(k->kiosk_id);
            continue;
        }
        r->changes[out++] = *k;
    }
    r->n_changes = out;
}

static bool handle_clock(void *ctx, int ncols, const char *const *v)
{
    if (ncols == 1)
        *(int64_t *)ctx = parse_i64(v[0]);
    return true;
}

/* The watermark: the clock that stamps synced_ms (the server's, or for
 * SQLite this machine's) read before the changes are.  A row the reads
 * below miss was not committed yet; it is stamped after the watermark
 * less the margin unless its transaction stayed open longer than that.
 * This, rather than the greatest stamp seen, lets a fleet gone quiet (a
 * night, a bulk load) stop being read again once the margin has passed. */
static bool read_clock(struct refresh *r)
{
    static const char pg_sql[] =
        "SELECT CAST(extract(epoch FROM clock_timestamp()) * 1000 AS BIGINT)";
    static const char sqlite_sql[] =
        "SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
    r->read_at = 0;
    return dashdb_exec(r->db, dashdb_is_postgres(r->db) ? pg_sql : sqlite_sql, NULL, 0,
                       handle_clock, &r->read_at, NULL, r->err, r->size);
}

static bool find_changes(struct refresh *r)
{
    static const char state_sql[] = "SELECT name, watermark_ms FROM dash_rollup_state";
    bool given = r->watermark[0] > 0; /* a recent refresh's own watermark */
    if ((!given &&
         !dashdb_exec(r->db, state_sql, NULL, 0, handle_watermark, r, NULL, r->err, r->size)) ||
        !read_clock(r))
        return false;
    for (int t = 0; t < 2; t++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT kiosk_id, COUNT(*), MIN(bucket_start_ms), MAX(bucket_start_ms),"
                 " MAX(synced_ms) FROM %s WHERE synced_ms > $1 GROUP BY kiosk_id",
                 tables[t]);
        struct dashdb_value since = DASHDB_INT(r->watermark[t] - r->margin_ms);
        struct change_ctx c = {r, t};
        if (!dashdb_exec(r->db, sql, &since, 1, handle_change, &c, NULL, r->err, r->size))
            return false;
    }
    merge_changes(r);
    return true;
}

/* ---- zones ------------------------------------------------------------- */

static bool handle_kiosk_zone(void *ctx, int ncols, const char *const *v)
{
    struct refresh *r = ctx;
    if (ncols != 2 || !v[0])
        return true;
    if (!dash_grow((void **)&r->kiosk_zones, r->n_kiosk_zones, &r->cap_kiosk_zones,
                   sizeof *r->kiosk_zones))
        return false;
    struct kiosk_zone *z = &r->kiosk_zones[r->n_kiosk_zones];
    z->kiosk_id = copy_text(v[0]);
    z->timezone = copy_text(v[1]);
    if (!z->kiosk_id || !z->timezone) {
        free(z->kiosk_id);
        free(z->timezone);
        return false;
    }
    r->n_kiosk_zones++;
    return true;
}

static int compare_kiosk_zones(const void *a, const void *b)
{
    return strcmp(((const struct kiosk_zone *)a)->kiosk_id,
                  ((const struct kiosk_zone *)b)->kiosk_id);
}

/* The zone called name, loaded on first use; *tz NULL (UTC) when it does
 * not load.  false only when out of memory. */
static bool zone_named(struct refresh *r, const char *name, const char *kiosk_id,
                       const struct tz **tz)
{
    for (size_t i = 0; i < r->n_zones; i++)
        if (!strcmp(r->zones[i].name, name)) {
            *tz = r->zones[i].tz;
            if (!*tz)
                log_warn("rollup: kiosk %s: time zone '%s' did not load; its days are UTC days",
                         kiosk_id, name);
            return true;
        }
    if (!dash_grow((void **)&r->zones, r->n_zones, &r->cap_zones, sizeof *r->zones))
        return false;
    char why[256];
    struct zone *z = &r->zones[r->n_zones];
    z->name = copy_text(name);
    if (!z->name)
        return false;
    z->tz = tz_load(name, NULL, why, sizeof why);
    if (!z->tz)
        log_warn("rollup: kiosk %s: time zone '%s': %s; its days are UTC days", kiosk_id, name,
                 why);
    r->n_zones++;
    *tz = z->tz;
    return true;
}

static bool assign_zones(struct refresh *r)
{
    static const char sql[] = "SELECT kiosk_id, timezone FROM kiosks";
    if (!dashdb_exec(r->db, sql, NULL, 0, handle_kiosk_zone, r, NULL, r->err, r->size))
        return false;
    if (r->n_kiosk_zones > 1)
        qsort(r->kiosk_zones, r->n_kiosk_zones, sizeof *r->kiosk_zones, compare_kiosk_zones);
    for (size_t i = 0; i < r->n_changes; i++) {
        struct kiosk_change *k = &r->changes[i];
        struct kiosk_zone key = {.kiosk_id = k->kiosk_id};
        const struct kiosk_zone *z = r->n_kiosk_zones
                                         ? bsearch(&key, r->kiosk_zones, r->n_kiosk_zones,
                                                   sizeof *r->kiosk_zones, compare_kiosk_zones)
                                         : NULL;
        if (!z) {
            log_warn("rollup: kiosk %s has no kiosks row (zone unknown); its days are UTC days",
                     k->kiosk_id);
            k->tz = NULL;
        } else if (!zone_named(r, z->timezone, k->kiosk_id, &k->tz)) {
            return out_of_memory(r);
        }
    }
    return true;
}

static int64_t offset_ms(const struct tz *tz, int64_t utc_ms)
{
    return tz ? (int64_t)tz_to_local(tz, utc_ms).utc_offset_s * 1000 : 0;
}

static int32_t local_day(const struct tz *tz, int64_t utc_ms)
{
    int64_t local = utc_ms + offset_ms(tz, utc_ms);
    return (int32_t)(local >= 0 ? local / DAY_MS : -((-local + DAY_MS - 1) / DAY_MS));
}

/* Appends "(bucket_start_ms + OFFSET)" where OFFSET is the zone's offset
 * in ms at bucket_start_ms, for rows in [lo, hi): a number, or a CASE
 * over the offset changes between lo and hi. */
static void append_local_ms(struct strbuf *sb, const struct tz *tz, int64_t lo, int64_t hi)
{
    int64_t change_at[MAX_CHANGES], before[MAX_CHANGES];
    size_t n = 0;
    int64_t off = offset_ms(tz, lo);
    for (int64_t t = lo; tz && t < hi && n < MAX_CHANGES;) {
        int64_t next = t + ZONE_STEP_MS < hi ? t + ZONE_STEP_MS : hi;
        if (offset_ms(tz, next) == off) {
            t = next;
            continue;
        }
        int64_t a = t, b = next; /* offset(a) == off != offset(b) */
        while (b - a > 1) {
            int64_t mid = a + (b - a) / 2;
            if (offset_ms(tz, mid) == off)
                a = mid;
            else
                b = mid;
        }
        change_at[n] = b;
        before[n++] = off;
        off = offset_ms(tz, b);
        t = b;
    }
    strbuf_puts(sb, "(bucket_start_ms + ");
    if (n > 0)
        strbuf_puts(sb, "CASE");
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(sb, " WHEN bucket_start_ms < ");
        strbuf_int(sb, change_at[i]);
        strbuf_puts(sb, " THEN ");
        strbuf_int(sb, before[i]);
    }
    if (n > 0)
        strbuf_puts(sb, " ELSE ");
    strbuf_int(sb, off);
    strbuf_puts(sb, n > 0 ? " END)" : ")");
}

/* ---- which days -------------------------------------------------------- */

struct days_ctx {
    struct day_list *list;
    const struct tz *tz;
};

static bool handle_bucket(void *ctx, int ncols, const char *const *v)
{
    struct days_ctx *c = ctx;
    if (ncols != 1 || !v[0])
        return true;
    if (!dash_grow((void **)&c->list->days, c->list->n, &c->list->cap, sizeof *c->list->days))
        return false;
    c->list->days[c->list->n++] = local_day(c->tz, parse_i64(v[0]));
    return true;
}

static int compare_days(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The local days of k's changed rows, sorted, duplicates kept. */
static bool touched_days(struct refresh *r, const struct kiosk_change *k, struct day_list *out)
{
    int32_t first = local_day(k->tz, k->min_bucket), last = local_day(k->tz, k->max_bucket);
    if (last - first <= RUN_GAP_DAYS) {
        for (int32_t d = first; d <= last; d++) {
            if (!dash_grow((void **)&out->days, out->n, &out->cap, sizeof *out->days))
                return out_of_memory(r);
            out->days[out->n++] = d;
        }
        return true;
    }
    for (int t = 0; t < 2; t++) {
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT DISTINCT bucket_start_ms FROM %s WHERE kiosk_id = $1 AND synced_ms > $2",
                 tables[t]);
        struct dashdb_value params[] = {DASHDB_TEXT(k->kiosk_id),
                                        DASHDB_INT(r->watermark[t] - r->margin_ms)};
        struct days_ctx c = {out, k->tz};
        if (!dashdb_exec(r->db, sql, params, 2, handle_bucket, &c, NULL, r->err, r->size))
            return false;
    }
    if (out->n > 1)
        qsort(out->days, out->n, sizeof *out->days, compare_days);
    return true;
}

/* ---- one run of days --------------------------------------------------- */

static bool handle_department(void *ctx, int ncols, const char *const *v)
{
    struct refresh *r = ctx;
    if (ncols != 1 || !v[0])
        return true;
    if (!dash_grow((void **)&r->departments, r->n_departments, &r->cap_departments,
                   sizeof *r->departments))
        return false;
    char *d = copy_text(v[0]);
    if (!d)
        return false;
    r->departments[r->n_departments++] = d;
    return true;
}

static void clear_departments(struct refresh *r)
{
    for (size_t i = 0; i < r->n_departments; i++)
        free(r->departments[i]);
    r->n_departments = 0;
}

/* The departments whose rollup rows for the run may exist or must: those
 * in the raw rows (a raw row never changes department, and never goes
 * away) and those already in dash_day. */
static bool run_departments(struct refresh *r, const char *kiosk_id, int32_t d0, int32_t d1,
                            int64_t lo, int64_t hi)
{
    static const char sql[] =
        "SELECT department FROM tap_counts WHERE kiosk_id = $1 AND bucket_start_ms >= $2"
        " AND bucket_start_ms < $3"
        " UNION SELECT department FROM reason_counts WHERE kiosk_id = $1"
        " AND bucket_start_ms >= $2 AND bucket_start_ms < $3"
        " UNION SELECT department FROM dash_day WHERE day >= $4 AND day < $5 AND kiosk_id = $1";
    struct dashdb_value params[] = {DASHDB_TEXT(kiosk_id), DASHDB_INT(lo), DASHDB_INT(hi),
                                    DASHDB_INT(d0), DASHDB_INT(d1)};
    clear_departments(r);
    return dashdb_exec(r->db, sql, params, 5, handle_department, r, NULL, r->err, r->size);
}

static bool delete_run(struct refresh *r, const char *kiosk_id, int32_t d0, int32_t d1)
{
    static const char day_sql[] =
        "DELETE FROM dash_day WHERE day >= $1 AND day < $2 AND kiosk_id = $3";
    static const char *const by_department[] = {
        "DELETE FROM dash_hour WHERE department = $1 AND day >= $2 AND day < $3"
        " AND kiosk_id = $4",
        "DELETE FROM dash_reason_day WHERE department = $1 AND day >= $2 AND day < $3"
        " AND kiosk_id = $4"};
    struct dashdb_value day_params[] = {DASHDB_INT(d0), DASHDB_INT(d1), DASHDB_TEXT(kiosk_id)};
    if (!dashdb_exec(r->db, day_sql, day_params, 3, NULL, NULL, NULL, r->err, r->size))
        return false;
    for (size_t i = 0; i < r->n_departments; i++)
        for (size_t s = 0; s < 2; s++) {
            struct dashdb_value params[] = {DASHDB_TEXT(r->departments[i]), DASHDB_INT(d0),
                                            DASHDB_INT(d1), DASHDB_TEXT(kiosk_id)};
            if (!dashdb_exec(r->db, by_department[s], params, 4, NULL, NULL, NULL, r->err, r->size))
                return false;
        }
    return true;
}

#define FACES "rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4"
#define FACE_SUMS                                                                                  \
    "SUM(rating_1), SUM(rating_2), SUM(rating_3), SUM(rating_4),"                                  \
    " SUM(misuse_1), SUM(misuse_2), SUM(misuse_3), SUM(misuse_4)"
#define RAW_COND  "kiosk_id = $1 AND bucket_start_ms >= $2 AND bucket_start_ms < $3"
#define RAW_RANGE " WHERE " RAW_COND ") u) t"
/* The follow-ups of the raw range, one row per (incarnation, bucket,
 * department, question, reason, ended_by, misuse): reason_counts' rows
 * and tap_counts' columns (schema.h's SCHEMA_FOLLOWUP_ROWS).  Rows written
 * before a step and columns written after it may count the same
 * follow-ups of one store (a kiosk upgraded mid-bucket): both are
 * absolute counts, so the greater holds. */
#define FOLLOWUPS                                                                                  \
    " (SELECT department, bucket_start_ms, question, reason, ended_by, misuse, MAX(n) AS n"        \
    " FROM (" SCHEMA_FOLLOWUP_ROWS(RAW_COND) ") r GROUP BY " SCHEMA_FOLLOWUP_KEY ") f"
/* Floor division of the local time lm: SQL's integer division rounds toward
 * zero, which puts a kiosk's time before 1970 (a bad clock, a zone west of
 * UTC at the epoch) on the wrong day and gives hour -5.  Both engines. */
#define FLOOR_DAY   "((lm - ((lm % 86400000) + 86400000) % 86400000) / 86400000)"
#define FLOOR_HOUR  "((lm - ((lm % 3600000) + 3600000) % 3600000) / 3600000)"
#define FLOOR_H_DAY "((h - ((h % 24) + 24) % 24) / 24)"

/* Builds the three INSERT .. SELECTs of one run into r->sql, one after
 * another, NUL-separated; *starts gets where each begins. */
static bool build_inserts(struct refresh *r, const struct tz *tz, int64_t lo, int64_t hi,
                          size_t starts[3])
{
    struct strbuf *sb = &r->sql;
    strbuf_reset(sb);
    starts[0] = sb->len;
    strbuf_puts(sb, "INSERT INTO dash_day(day, department, kiosk_id, " FACES ")"
                    " SELECT d, department, $1, " FACE_SUMS " FROM (SELECT department, " FLOOR_DAY
                    " AS d, " FACES " FROM (SELECT department, ");
    append_local_ms(sb, tz, lo, hi);
    strbuf_puts(sb, " AS lm, " FACES " FROM tap_counts" RAW_RANGE
                    " WHERE d >= $4 AND d < $5 GROUP BY d, department");
    strbuf_append(sb, "", 1);
    starts[1] = sb->len;
    strbuf_puts(sb, "INSERT INTO dash_hour(department, day, hour, kiosk_id, weekday, " FACES ")"
                    " SELECT department, " FLOOR_H_DAY ", h - 24 * " FLOOR_H_DAY ", $1,"
                    " ((" FLOOR_H_DAY " + 3) % 7 + 7) % 7, " FACE_SUMS
                    " FROM (SELECT department, " FLOOR_HOUR " AS h, " FACES
                    " FROM (SELECT department, ");
    append_local_ms(sb, tz, lo, hi);
    strbuf_puts(sb, " AS lm, " FACES " FROM tap_counts" RAW_RANGE
                    " WHERE h >= $4 AND h < $5 GROUP BY department, h");
    strbuf_append(sb, "", 1);
    starts[2] = sb->len;
    strbuf_puts(sb, "INSERT INTO dash_reason_day(department, day, kiosk_id, question, reason,"
                    " ended_by, misuse, n) SELECT department, d, $1, question, reason, ended_by,"
                    " misuse, SUM(n) FROM (SELECT department, " FLOOR_DAY
                    " AS d, question, reason, ended_by, misuse, n FROM (SELECT department, ");
    append_local_ms(sb, tz, lo, hi);
    strbuf_puts(sb, " AS lm, question, reason, ended_by, misuse, n FROM" FOLLOWUPS ") u) t"
                    " WHERE d >= $4 AND d < $5 AND n > 0 GROUP BY department, d, question,"
                    " reason, ended_by, misuse");
    strbuf_append(sb, "", 1);
    return sb->failed ? out_of_memory(r) : true;
}

/* Replaces the rollup rows of kiosk k's local days [d0, d1). */
static bool recompute_run(struct refresh *r, const struct kiosk_change *k, int32_t d0, int32_t d1)
{
    int64_t lo = (int64_t)d0 * DAY_MS - SPAN_PAD_MS, hi = (int64_t)d1 * DAY_MS + SPAN_PAD_MS;
    size_t starts[3];
    if (!run_departments(r, k->kiosk_id, d0, d1, lo, hi) || !delete_run(r, k->kiosk_id, d0, d1) ||
        !build_inserts(r, k->tz, lo, hi, starts))
        return false;
    /* $4 and $5: the local days, for dash_hour the local hours since the
     * epoch */
    struct dashdb_value days[] = {DASHDB_TEXT(k->kiosk_id), DASHDB_INT(lo), DASHDB_INT(hi),
                                  DASHDB_INT(d0), DASHDB_INT(d1)};
    struct dashdb_value hours[] = {DASHDB_TEXT(k->kiosk_id), DASHDB_INT(lo), DASHDB_INT(hi),
                                   DASHDB_INT((int64_t)d0 * 24), DASHDB_INT((int64_t)d1 * 24)};
    for (int s = 0; s < 3; s++)
        if (!dashdb_exec(r->db, r->sql.data + starts[s], s == 1 ? hours : days, 5, NULL, NULL, NULL,
                         r->err, r->size))
            return false;
    r->stats.days += d1 - d0;
    return true;
}

static bool recompute_kiosk(struct refresh *r, const struct kiosk_change *k)
{
    struct day_list days = {0};
    bool ok = touched_days(r, k, &days);
    for (size_t i = 0; ok && i < days.n;) {
        size_t j = i + 1;
        while (j < days.n && days.days[j] - days.days[j - 1] <= RUN_GAP_DAYS + 1)
            j++;
        ok = recompute_run(r, k, days.days[i], days.days[j - 1] + 1);
        i = j;
    }
    free(days.days);
    if (ok)
        r->stats.kiosks++;
    return ok;
}

/* One kiosk's recomputation in a savepoint: a row of it the rollups cannot
 * take (a CHECK, a value out of range) sets that kiosk aside, reported,
 * and never stops the others' numbers.  False only when the transaction
 * itself fails. */
static bool recompute_isolated(struct refresh *r, const struct kiosk_change *k)
{
    if (!dashdb_exec(r->db, "SAVEPOINT rollup_kiosk", NULL, 0, NULL, NULL, NULL, r->err, r->size))
        return false;
    if (recompute_kiosk(r, k))
        return dashdb_exec(r->db, "RELEASE SAVEPOINT rollup_kiosk", NULL, 0, NULL, NULL, NULL,
                           r->err, r->size);
    log_error("rollup: kiosk %s set aside, its numbers stay as they were: %s", k->kiosk_id, r->err);
    r->stats.kiosks_set_aside++;
    return dashdb_exec(r->db, "ROLLBACK TO SAVEPOINT rollup_kiosk", NULL, 0, NULL, NULL, NULL,
                       r->err, r->size) &&
           dashdb_exec(r->db, "RELEASE SAVEPOINT rollup_kiosk", NULL, 0, NULL, NULL, NULL, r->err,
                       r->size);
}

static bool recompute_batches(struct refresh *r)
{
    const char *begin = dashdb_is_postgres(r->db) ? "BEGIN" : "BEGIN IMMEDIATE";
    for (size_t i = 0; i < r->n_changes; i += BATCH_KIOSKS) {
        if (!dashdb_exec(r->db, begin, NULL, 0, NULL, NULL, NULL, r->err, r->size))
            return false;
        bool ok = true;
        for (size_t j = i; ok && j < i + BATCH_KIOSKS && j < r->n_changes; j++)
            ok = recompute_isolated(r, &r->changes[j]);
        if (ok)
            ok = dashdb_exec(r->db, "COMMIT", NULL, 0, NULL, NULL, NULL, r->err, r->size);
        if (!ok) {
            char ignored[64];
            dashdb_exec(r->db, "ROLLBACK", NULL, 0, NULL, NULL, NULL, ignored, sizeof ignored);
            return false;
        }
    }
    return true;
}

static bool save_watermarks(struct refresh *r, int64_t now_ms)
{
    static const char sql[] =
        "INSERT INTO dash_rollup_state(name, watermark_ms, refreshed_ms) VALUES ($1, $2, $3)"
        " ON CONFLICT (name) DO UPDATE SET watermark_ms = excluded.watermark_ms,"
        " refreshed_ms = excluded.refreshed_ms";
    for (int t = 0; t < 2; t++) {
        struct dashdb_value params[] = {DASHDB_TEXT(tables[t]), DASHDB_INT(r->read_at),
                                        DASHDB_INT(now_ms)};
        if (!dashdb_exec(r->db, sql, params, 3, NULL, NULL, NULL, r->err, r->size))
            return false;
    }
    return true;
}

bool rollup_refresh(struct dashdb *db, int64_t now_ms, struct rollup_stats *stats, char *err,
                    size_t size)
{
    struct refresh r = {.db = db, .err = err, .size = size, .margin_ms = MARGIN_MS};
    bool ok = find_changes(&r) && assign_zones(&r) && recompute_batches(&r) &&
              save_watermarks(&r, now_ms);
    if (stats)
        *stats = r.stats;
    refresh_free(&r);
    return ok;
}

bool rollup_refresh_recent(struct dashdb *db, int64_t *since_ms, struct rollup_stats *stats,
                           char *err, size_t size)
{
    struct refresh r = {.db = db,
                        .err = err,
                        .size = size,
                        .margin_ms = *since_ms > 0 ? RECENT_MARGIN_MS : MARGIN_MS,
                        .watermark = {*since_ms, *since_ms}};
    bool ok = find_changes(&r) && assign_zones(&r) && recompute_batches(&r);
    if (ok)
        *since_ms = r.read_at;
    if (stats)
        *stats = r.stats;
    refresh_free(&r);
    return ok;
}
