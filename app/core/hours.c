/*
 * hours: opening hours per weekday, judged on the site's local wall time.
 *
 * Ranges are kept sorted and disjoint per day.  hours_is_open() converts the
 * instant to local time through tz (NULL = UTC); the next change is found by
 * walking forward from one local boundary (a range's start or end, or
 * midnight) to the next, watching for UTC offset changes on the way, so a
 * DST change between two boundaries moves the answer to the right instant.
 */
#include "hours.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "tz.h"

#define HOURS_EXPECTED "expected \"HH:MM-HH:MM[, HH:MM-HH:MM...]\" or \"closed\""
#define DAY_S          86400
#define HORIZON_S      (8 * DAY_S)

static const char *skip_spaces(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* "H:MM" or "HH:MM", 00:00..24:00, as minutes since midnight. */
static bool parse_clock(const char **s, int *out_min)
{
    const char *p = *s;
    int h = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 3) {
        h = h * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 2 || *p != ':' || !(p[1] >= '0' && p[1] <= '5') ||
        !(p[2] >= '0' && p[2] <= '9'))
        return false;
    int m = (p[1] - '0') * 10 + (p[2] - '0');
    if (h > 24 || (h == 24 && m != 0))
        return false;
    *s = p + 3;
    *out_min = h * 60 + m;
    return true;
}

/* Case-insensitive "closed", surrounded by nothing but blanks. */
static bool is_closed(const char *text)
{
    const char *p = skip_spaces(text);
    static const char word[] = "closed";
    for (size_t i = 0; i < sizeof word - 1; i++, p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        if (c != word[i])
            return false;
    }
    return *skip_spaces(p) == '\0';
}

/* Inserts r into the sorted list, refusing an overlap. */
static bool insert_range(struct hours_range *list, int *count, struct hours_range r)
{
    int i = *count;
    while (i > 0 && list[i - 1].start_min > r.start_min) {
        list[i] = list[i - 1];
        i--;
    }
    list[i] = r;
    (*count)++;
    bool overlaps_before = i > 0 && list[i - 1].end_min > r.start_min;
    bool overlaps_after = i + 1 < *count && r.end_min > list[i + 1].start_min;
    return !overlaps_before && !overlaps_after;
}

/* Parses the comma-separated ranges of text into list; false with err. */
static bool parse_ranges(const char *text, struct hours_range *list, int *count, char *err,
                         unsigned err_size)
{
    const char *p = skip_spaces(text);
    *count = 0;
    for (;;) {
        int start, end;
        const char *at = p;
        bool ok = parse_clock(&p, &start);
        p = skip_spaces(p);
        ok = ok && *p == '-';
        if (ok) {
            p = skip_spaces(p + 1);
            ok = parse_clock(&p, &end);
        }
        if (!ok) {
            snprintf(err, err_size, HOURS_EXPECTED ", got \"%s\"", text);
            return false;
        }
        if (start >= end) {
            snprintf(err, err_size, "expected a range that ends after it starts, got \"%.*s\"",
                     (int)(p - at), at);
            return false;
        }
        if (*count == HOURS_MAX_RANGES) {
            snprintf(err, err_size, "expected at most %d ranges a day, got \"%s\"",
                     HOURS_MAX_RANGES, text);
            return false;
        }
        struct hours_range r = {(int16_t)start, (int16_t)end};
        if (!insert_range(list, count, r)) {
            snprintf(err, err_size, "expected ranges that do not overlap, got \"%s\"", text);
            return false;
        }
        p = skip_spaces(p);
        if (*p == '\0')
            return true;
        if (*p != ',') {
            snprintf(err, err_size, HOURS_EXPECTED ", got \"%s\"", text);
            return false;
        }
        p = skip_spaces(p + 1);
    }
}

bool hours_parse_day(struct hours *hours, int weekday, const char *text, char *err,
                     unsigned err_size)
{
    if (weekday < 0 || weekday > 6) {
        snprintf(err, err_size, "expected a weekday 0..6, got %d", weekday);
        return false;
    }
    if (text == NULL)
        text = "";
    struct hours_range list[HOURS_MAX_RANGES];
    int count = 0;
    if (!is_closed(text) && !parse_ranges(text, list, &count, err, err_size))
        return false; /* the day keeps what it had */
    hours->count[weekday] = count;
    memcpy(hours->range[weekday], list, sizeof list[0] * (size_t)count);
    /* Giving a day's hours means the site keeps hours. */
    hours->always_open = false;
    return true;
}

/* Open at second sod (0..86399) of a local day with this weekday? */
static bool open_on(const struct hours *hours, int weekday, int64_t sod)
{
    int n = hours->count[weekday];
    if (n < 0 || n > HOURS_MAX_RANGES)
        return false; /* a struct filled by hand with nonsense: closed, not a crash */
    for (int i = 0; i < n; i++) {
        const struct hours_range *r = &hours->range[weekday][i];
        if (sod >= (int64_t)r->start_min * 60 && sod < (int64_t)r->end_min * 60)
            return true;
    }
    return false;
}

static int64_t local_sod(const struct tz_local *l)
{
    return (int64_t)l->hour * 3600 + l->minute * 60 + l->second;
}

static bool open_at(const struct hours *hours, const struct tz *tz, int64_t t)
{
    struct tz_local l = tz_to_local(tz, t * 1000);
    return open_on(hours, l.weekday, local_sod(&l));
}

/* Seconds from local second sod of a day with this weekday to the next
 * boundary: a range start or end today, or the next midnight. */
static int64_t to_next_boundary(const struct hours *hours, int weekday, int64_t sod)
{
    int64_t next = DAY_S;
    int n = hours->count[weekday];
    for (int i = 0; i < n && i < HOURS_MAX_RANGES; i++) {
        int64_t a = (int64_t)hours->range[weekday][i].start_min * 60;
        int64_t b = (int64_t)hours->range[weekday][i].end_min * 60;
        if (a > sod && a < next)
            next = a;
        if (b > sod && b < next)
            next = b;
    }
    return next - sod;
}

/* The first second in (from, to] whose UTC offset differs from from's; the
 * offset is known to differ at to. */
static int64_t offset_change(const struct tz *tz, int64_t from, int64_t to)
{
    int32_t before = tz_to_local(tz, from * 1000).utc_offset_s;
    while (to - from > 1) {
        int64_t mid = from + (to - from) / 2;
        if (tz_to_local(tz, mid * 1000).utc_offset_s == before)
            from = mid;
        else
            to = mid;
    }
    return to;
}

/* The next second after t (UTC seconds) at which open_at() differs from
 * open, or INT64_MAX if none within the horizon. */
static int64_t next_change(const struct hours *hours, const struct tz *tz, int64_t t, bool open)
{
    int64_t limit = t + HORIZON_S;
    while (t < limit) {
        struct tz_local l = tz_to_local(tz, t * 1000);
        int64_t next = t + to_next_boundary(hours, l.weekday, local_sod(&l));
        if (tz_to_local(tz, next * 1000).utc_offset_s != l.utc_offset_s)
            next = offset_change(tz, t, next);
        if (open_at(hours, tz, next) != open)
            return next;
        t = next;
    }
    return INT64_MAX;
}

bool hours_is_open(const struct hours *hours, const struct tz *tz, int64_t utc_ms,
                   int64_t *next_change_utc_ms)
{
    if (next_change_utc_ms != NULL)
        *next_change_utc_ms = INT64_MAX;
    if (hours == NULL || hours->always_open)
        return true;
    /* Whole seconds: the boundaries are whole minutes of local time and
     * zone offsets are whole seconds.  No next change is searched for
     * absurdly far times, where the search could overflow. */
    const int64_t far = INT64_MAX / 1000 - 2 * HORIZON_S;
    int64_t t = utc_ms / 1000 - (utc_ms % 1000 < 0);
    bool open = open_at(hours, tz, t);
    if (next_change_utc_ms != NULL && t < far && t > -far) {
        int64_t change = next_change(hours, tz, t, open);
        if (change != INT64_MAX)
            *next_change_utc_ms = change * 1000;
    }
    return open;
}
