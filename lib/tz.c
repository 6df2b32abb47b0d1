/*
 * tz: a TZif reader (RFC 8536, versions 1 to 4) and UTC-to-local conversion
 * for one zone, kept in its own value instead of the process-wide TZ.
 *
 * Version 2+ files carry a second data block with 64-bit times and a footer
 * holding a POSIX TZ string ("EET-2EEST,M3.5.0/3,M10.5.0/4"); Debian's files
 * list transitions only up to about 2037 and rely on that footer for every
 * later date, so the footer rule is evaluated here as well.
 *
 * The input is untrusted (fuzzed): every count is checked against the bytes
 * that remain before anything is read, every index against its table.  Leap
 * second records are skipped: zones under "right/" would be off by the leap
 * seconds, and kiosks use the POSIX zones.
 */
#include "tz.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TZ_HEADER_SIZE 44
#define TZ_FILE_MAX    (1024 * 1024) /* real zone files are a few KiB */
#define TZ_READ_FIRST  4096          /* read_file's first buffer: most zones fit */
#define TZ_FOOTER_MAX  256
#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"

struct tz_type {
    int32_t utoff; /* local = utc + utoff, seconds */
    bool is_dst;
};

/* One POSIX rule date: Jn (1..365, no leap day), n (0..365) or Mm.w.d. */
struct tz_rule_date {
    char kind;      /* 'J', 'D' (zero-based day) or 'M' */
    int n, m, w, d; /* n for J/D; month, week 1..5 (5 = last), weekday 0 = Sunday */
    int32_t time_s; /* local time of day of the change, may be < 0 or > 24 h (v3) */
};

struct tz_rule {
    int32_t std_utoff, dst_utoff;
    bool has_dst;
    struct tz_rule_date start, end;
};

struct tz {
    uint32_t time_count, type_count;
    int64_t *times;        /* owned; time_count ascending transition times, UTC seconds */
    uint8_t *type_of;      /* owned; time type index after each transition */
    struct tz_type *types; /* owned; type_count entries */
    bool has_rule;         /* the footer gives the rule after the last transition */
    struct tz_rule rule;
};

/* The counts of one TZif header, in file order. */
struct tz_header {
    char version; /* 0, '2', '3' or '4' */
    uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static void fail(char *err, unsigned err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(char *err, unsigned err_size, const char *fmt, ...)
{
    if (err == NULL || err_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static int64_t be64(const unsigned char *p)
{
    uint64_t v = (uint64_t)be32(p) << 32 | be32(p + 4);
    return (int64_t)v; /* two's complement on every platform we build for */
}

/* ---- calendar arithmetic (proleptic Gregorian, days since 1970-01-01) ---- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = era * 400 + yoe + (*month <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_length(int64_t y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* ---- the POSIX TZ string of the footer ---- */

/* Reads 1..max_digits decimal digits. */
static bool parse_num(const char **s, int max_digits, int *out)
{
    int v = 0, n = 0;
    while (**s >= '0' && **s <= '9') {
        if (++n > max_digits)
            return false;
        v = v * 10 + (**s - '0');
        (*s)++;
    }
    *out = v;
    return n > 0;
}

/* A zone abbreviation: "EET" or "<+0330>". */
static bool parse_abbr(const char **s)
{
    const char *p = *s;
    int n = 0;
    if (*p == '<') {
        for (p++; *p != '>'; p++, n++) {
            bool ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                      (*p >= '0' && *p <= '9') || *p == '+' || *p == '-';
            if (!ok)
                return false;
        }
        p++;
    } else {
        for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++)
            n++;
    }
    *s = p;
    return n >= 3;
}

/* [+-]hh[:mm[:ss]], hours up to max_hours, as signed seconds. */
static bool parse_hms(const char **s, int max_hours, int32_t *out)
{
    int sign = 1, h, m = 0, sec = 0;
    if (**s == '+' || **s == '-')
        sign = *(*s)++ == '-' ? -1 : 1;
    if (!parse_num(s, 3, &h) || h > max_hours)
        return false;
    if (**s == ':') {
        (*s)++;
        if (!parse_num(s, 2, &m) || m > 59)
            return false;
        if (**s == ':') {
            (*s)++;
            if (!parse_num(s, 2, &sec) || sec > 59)
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

/* One rule date with its optional /time (default 02:00). */
static bool parse_rule_date(const char **s, struct tz_rule_date *d)
{
    d->time_s = 2 * 3600;
    if (**s == 'J') {
        (*s)++;
        d->kind = 'J';
        if (!parse_num(s, 3, &d->n) || d->n < 1 || d->n > 365)
            return false;
    } else if (**s == 'M') {
        (*s)++;
        d->kind = 'M';
        if (!parse_num(s, 2, &d->m) || d->m < 1 || d->m > 12 || *(*s)++ != '.')
            return false;
        if (!parse_num(s, 1, &d->w) || d->w < 1 || d->w > 5 || *(*s)++ != '.')
            return false;
        if (!parse_num(s, 1, &d->d) || d->d > 6)
            return false;
    } else {
        d->kind = 'D';
        if (!parse_num(s, 3, &d->n) || d->n > 365)
            return false;
    }
    if (**s == '/') {
        (*s)++;
        return parse_hms(s, 167, &d->time_s); /* RFC 8536 v3 allows -167..167 hours */
    }
    return true;
}

/* Parses "std offset [dst [offset] [,start[/time],end[/time]]]".  POSIX
 * offsets count west of Greenwich, hence the minus signs. */
static bool parse_posix_tz(const char *s, struct tz_rule *rule)
{
    int32_t off;
    memset(rule, 0, sizeof *rule);
    if (!parse_abbr(&s) || !parse_hms(&s, 24, &off))
        return false;
    rule->std_utoff = -off;
    rule->dst_utoff = rule->std_utoff + 3600;
    if (*s == '\0')
        return true;
    rule->has_dst = true;
    if (!parse_abbr(&s))
        return false;
    if (*s != ',' && *s != '\0') {
        if (!parse_hms(&s, 24, &off))
            return false;
        rule->dst_utoff = -off;
    }
    if (*s == '\0') {
        /* No rule given: POSIX leaves it to the implementation; like glibc,
         * use the United States rule. */
        rule->start = (struct tz_rule_date){.kind = 'M', .m = 3, .w = 2, .d = 0, .time_s = 7200};
        rule->end = (struct tz_rule_date){.kind = 'M', .m = 11, .w = 1, .d = 0, .time_s = 7200};
        return true;
    }
    if (*s++ != ',' || !parse_rule_date(&s, &rule->start) || *s++ != ',' ||
        !parse_rule_date(&s, &rule->end))
        return false;
    return *s == '\0';
}

/* The day (days since the epoch) on which a rule date falls in year. */
static int64_t rule_day(const struct tz_rule_date *d, int64_t year)
{
    int64_t jan1 = days_from_civil(year, 1, 1);
    if (d->kind == 'J')
        return jan1 + d->n - 1 + (is_leap(year) && d->n >= 60);
    if (d->kind == 'D')
        return jan1 + d->n;
    int64_t first = days_from_civil(year, d->m, 1);
    int weekday = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday; 0 = Sunday */
    int day = 1 + (d->d - weekday + 7) % 7 + (d->w - 1) * 7;
    while (day > month_length(year, d->m))
        day -= 7;
    return first + day - 1;
}

/* The UTC second of a change, whose time is given in the local time in
 * effect before it (offset utoff_before). */
static int64_t rule_change(const struct tz_rule_date *d, int64_t year, int32_t utoff_before)
{
    return rule_day(d, year) * 86400 + d->time_s - utoff_before;
}

static struct tz_type rule_type(const struct tz_rule *rule, int64_t t)
{
    if (!rule->has_dst)
        return (struct tz_type){rule->std_utoff, false};
    int64_t year;
    int month, day;
    civil_from_days(floor_div(t + rule->std_utoff, 86400), &year, &month, &day);
    int64_t start = rule_change(&rule->start, year, rule->std_utoff);
    int64_t end = rule_change(&rule->end, year, rule->dst_utoff);
    bool dst = start <= end ? (start <= t && t < end) : !(end <= t && t < start);
    return (struct tz_type){dst ? rule->dst_utoff : rule->std_utoff, dst};
}

/* ---- TZif ---- */

static bool read_header(const unsigned char *data, unsigned long size, unsigned long off,
                        struct tz_header *h, char *err, unsigned err_size)
{
    if (size - off < TZ_HEADER_SIZE) {
        fail(err, err_size, "TZif: truncated header at byte %lu (file has %lu bytes)", off, size);
        return false;
    }
    const unsigned char *p = data + off;
    if (memcmp(p, "TZif", 4) != 0) {
        fail(err, err_size, "not a TZif file (no \"TZif\" magic at byte %lu)", off);
        return false;
    }
    h->version = (char)p[4];
    if (h->version != 0 && (h->version < '2' || h->version > '4')) {
        fail(err, err_size, "TZif: unknown version byte 0x%02x", p[4]);
        return false;
    }
    h->isutcnt = be32(p + 20);
    h->isstdcnt = be32(p + 24);
    h->leapcnt = be32(p + 28);
    h->timecnt = be32(p + 32);
    h->typecnt = be32(p + 36);
    h->charcnt = be32(p + 40);
    return true;
}

/* Bytes of the data block that follows header h; time_size is 4 or 8.
 * 64-bit arithmetic: 32-bit counts cannot overflow it. */
static uint64_t block_size(const struct tz_header *h, unsigned time_size)
{
    return (uint64_t)h->timecnt * (time_size + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
           (uint64_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

static bool check_counts(const struct tz_header *h, char *err, unsigned err_size)
{
    if (h->typecnt == 0 || h->typecnt > 256) {
        fail(err, err_size, "TZif: %u time types (expected 1..256)", h->typecnt);
        return false;
    }
    if (h->charcnt == 0) {
        fail(err, err_size, "TZif: no abbreviation characters");
        return false;
    }
    if ((h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt)) {
        fail(err, err_size, "TZif: %u standard/wall and %u UT/local indicators for %u types",
             h->isstdcnt, h->isutcnt, h->typecnt);
        return false;
    }
    return true;
}

/* Reads the transitions and types of one data block into tz (which owns
 * the arrays it allocates here). */
static bool read_block(struct tz *tz, const unsigned char *p, const struct tz_header *h,
                       unsigned time_size, char *err, unsigned err_size)
{
    tz->time_count = h->timecnt;
    tz->type_count = h->typecnt;
    tz->times = malloc(sizeof *tz->times * (h->timecnt > 0 ? h->timecnt : 1));
    tz->type_of = malloc(h->timecnt > 0 ? h->timecnt : 1);
    tz->types = malloc(sizeof *tz->types * h->typecnt);
    if (tz->times == NULL || tz->type_of == NULL || tz->types == NULL) {
        fail(err, err_size, "TZif: out of memory for %u transitions", h->timecnt);
        return false;
    }
    for (uint32_t i = 0; i < h->timecnt; i++, p += time_size) {
        tz->times[i] = time_size == 8 ? be64(p) : (int32_t)be32(p);
        if (i > 0 && tz->times[i] <= tz->times[i - 1]) {
            fail(err, err_size, "TZif: transition %u is not after the one before it", i);
            return false;
        }
    }
    for (uint32_t i = 0; i < h->timecnt; i++, p++) {
        tz->type_of[i] = *p;
        if (*p >= h->typecnt) {
            fail(err, err_size, "TZif: transition %u uses type %u of %u", i, *p, h->typecnt);
            return false;
        }
    }
    for (uint32_t i = 0; i < h->typecnt; i++, p += 6) {
        int32_t utoff = (int32_t)be32(p);
        /* RFC 8536 bounds: -25:59:59 .. +25:59:59. */
        if (utoff < -93599 || utoff > 93599 || p[4] > 1 || p[5] >= h->charcnt) {
            fail(err, err_size, "TZif: time type %u is invalid (offset %ld s)", i, (long)utoff);
            return false;
        }
        tz->types[i] = (struct tz_type){utoff, p[4] == 1};
    }
    return true;
}

/* The footer "\nTZ\n" after a v2+ block, from off to the end of data. */
static bool read_footer(struct tz *tz, const unsigned char *data, unsigned long size,
                        unsigned long off, char *err, unsigned err_size)
{
    if (off >= size || data[off] != '\n') {
        fail(err, err_size, "TZif: missing footer after the 64-bit data");
        return false;
    }
    off++;
    char text[TZ_FOOTER_MAX];
    unsigned long n = 0;
    while (off + n < size && data[off + n] != '\n') {
        if (n + 1 >= sizeof text || data[off + n] == '\0') {
            fail(err, err_size, "TZif: footer TZ string too long or not text");
            return false;
        }
        text[n] = (char)data[off + n];
        n++;
    }
    if (off + n >= size) {
        fail(err, err_size, "TZif: footer TZ string is not terminated by a newline");
        return false;
    }
    text[n] = '\0';
    if (n == 0)
        return true; /* an empty footer: the last transition's type lasts */
    if (!parse_posix_tz(text, &tz->rule)) {
        fail(err, err_size, "TZif: footer TZ string \"%s\" not understood", text);
        return false;
    }
    tz->has_rule = true;
    return true;
}

struct tz *tz_parse(const unsigned char *data, unsigned long size, char *err, unsigned err_size)
{
    struct tz_header h;
    if (data == NULL || !read_header(data, size, 0, &h, err, err_size))
        return NULL;
    unsigned long off = TZ_HEADER_SIZE;
    unsigned time_size = 4;
    if (h.version != 0) {
        /* Skip the 32-bit block: only its size matters to a v2+ reader. */
        uint64_t skip = block_size(&h, 4);
        if (skip > size - off) {
            fail(err, err_size, "TZif: 32-bit data block runs past the end (%lu bytes)", size);
            return NULL;
        }
        off += (unsigned long)skip;
        if (!read_header(data, size, off, &h, err, err_size))
            return NULL;
        off += TZ_HEADER_SIZE;
        time_size = 8;
    }
    if (!check_counts(&h, err, err_size))
        return NULL;
    uint64_t need = block_size(&h, time_size);
    if (need > size - off) {
        fail(err, err_size, "TZif: data block needs %llu bytes, %lu remain",
             (unsigned long long)need, size - off);
        return NULL;
    }
    struct tz *tz = calloc(1, sizeof *tz);
    if (tz == NULL) {
        fail(err, err_size, "TZif: out of memory");
        return NULL;
    }
    if (!read_block(tz, data + off, &h, time_size, err, err_size) ||
        (h.version != 0 &&
         !read_footer(tz, data, size, off + (unsigned long)need, err, err_size))) {
        tz_destroy(tz);
        return NULL;
    }
    return tz;
}

/* A zone name is a relative path made of safe characters, never climbing out. */
static bool safe_name(const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len > 128 || name[0] == '/' || strstr(name, "..") != NULL)
        return false;
    for (const char *p = name; *p != '\0'; p++) {
        char c = *p;
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '+' || c == '-' || c == '/';
        if (!ok)
            return false;
    }
    return true;
}

/* UTC without a file, for systems whose zoneinfo lacks it. */
static struct tz *tz_utc(void)
{
    struct tz *tz = calloc(1, sizeof *tz);
    if (tz == NULL)
        return NULL;
    tz->times = malloc(sizeof *tz->times);
    tz->type_of = malloc(1);
    tz->types = calloc(1, sizeof *tz->types);
    if (tz->times == NULL || tz->type_of == NULL || tz->types == NULL) {
        tz_destroy(tz);
        return NULL;
    }
    tz->type_count = 1;
    return tz;
}

/* Reads the whole file at path into a buffer the caller frees.  The buffer
 * starts at TZ_READ_FIRST bytes and doubles up to TZ_FILE_MAX + 1 (one byte
 * more tells a file over the limit): a zone is loaded for every timezone key
 * a config or catalog check reads, and a 1 MiB buffer for a 2 KiB file was
 * most of that (under ASan each one a mapping of its own, mapped and
 * unmapped per load). */
static unsigned char *read_file(const char *path, unsigned long *size, char *err, unsigned err_size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail(err, err_size, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = TZ_READ_FIRST, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap > TZ_FILE_MAX)
            break; /* the end, an error, or one byte too many */
        size_t bigger = cap * 2 <= TZ_FILE_MAX ? cap * 2 : TZ_FILE_MAX + 1;
        unsigned char *grown = realloc(buf, bigger);
        if (grown == NULL)
            free(buf);
        buf = grown;
        cap = bigger;
    }
    if (buf == NULL || ferror(f) || n > TZ_FILE_MAX) {
        fail(err, err_size, "%s: %s", path,
             buf == NULL       ? "out of memory"
             : n > TZ_FILE_MAX ? "too large for a zone file"
                               : strerror(errno));
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *size = (unsigned long)n;
    return buf;
}

struct tz *tz_load(const char *name, const char *zoneinfo_dir, char *err, unsigned err_size)
{
    if (name == NULL || !safe_name(name)) {
        fail(err, err_size, "time zone \"%s\": expected an IANA name like \"Europe/Helsinki\"",
             name != NULL ? name : "(null)");
        return NULL;
    }
    char path[1024];
    const char *dir = zoneinfo_dir != NULL ? zoneinfo_dir : TZ_DEFAULT_DIR;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        fail(err, err_size, "time zone \"%s\": path under %s too long", name, dir);
        return NULL;
    }
    unsigned long size = 0;
    unsigned char *data = read_file(path, &size, err, err_size);
    if (data == NULL) {
        if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
            return tz_utc(); /* UTC needs no data, so it works without tzdata */
        return NULL;
    }
    char why[256];
    struct tz *tz = tz_parse(data, size, why, sizeof why);
    free(data);
    if (tz == NULL)
        fail(err, err_size, "%s: %s", path, why);
    return tz;
}

void tz_destroy(struct tz *tz)
{
    if (tz == NULL)
        return;
    free(tz->times);
    free(tz->type_of);
    free(tz->types);
    free(tz);
}

/* The time type in effect at UTC second t. */
static struct tz_type type_at(const struct tz *tz, int64_t t)
{
    if (tz->time_count == 0 || t < tz->times[0]) {
        /* Before the first transition type 0 applies (RFC 8536), except a
         * zone with no transitions at all, which the footer describes. */
        if (tz->time_count == 0 && tz->has_rule)
            return rule_type(&tz->rule, t);
        return tz->types[0];
    }
    uint32_t lo = 0, hi = tz->time_count - 1; /* times[lo] <= t */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (tz->times[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (lo == tz->time_count - 1 && tz->has_rule)
        return rule_type(&tz->rule, t);
    return tz->types[tz->type_of[lo]];
}

struct tz_local tz_to_local(const struct tz *tz, int64_t utc_ms)
{
    int64_t t = floor_div(utc_ms, 1000);
    struct tz_type type = tz != NULL ? type_at(tz, t) : (struct tz_type){0, false};
    int64_t local = t + type.utoff;
    int64_t days = floor_div(local, 86400);
    int64_t sod = local - days * 86400;
    int64_t year;
    struct tz_local out;
    civil_from_days(days, &year, &out.month, &out.day);
    out.year = (int)year;
    out.hour = (int)(sod / 3600);
    out.minute = (int)(sod / 60 % 60);
    out.second = (int)(sod % 60);
    out.weekday = (int)(((days + 3) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    out.utc_offset_s = type.utoff;
    out.is_dst = type.is_dst;
    return out;
}
