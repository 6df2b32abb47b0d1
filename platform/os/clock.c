/*
 * clock: the real clocks, shiftable, and UTC text (see clock.h).
 */
#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t timespec_ms(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

static struct clock_now system_now(void *ctx)
{
    const int64_t *offset = ctx;
    struct timespec mono, wall;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_REALTIME, &wall);
    return (struct clock_now){.mono_ms = timespec_ms(&mono),
                              .utc_ms = timespec_ms(&wall) + *offset};
}

struct clock clock_system(int64_t *offset_storage, int64_t start_utc_ms)
{
    *offset_storage = 0;
    if (start_utc_ms != CLOCK_NO_START) {
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        *offset_storage = start_utc_ms - timespec_ms(&wall);
    }
    return (struct clock){.now = system_now, .ctx = offset_storage};
}

struct clock_now clock_real(void)
{
    int64_t no_shift = 0;
    return system_now(&no_shift);
}

struct timespec clock_mono_after(int64_t ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += (time_t)(ms / 1000);
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static bool parse_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

bool clock_parse_utc(const char *text, int64_t *out_utc_ms)
{
    int y, mo, d, h, mi, s = 0;
    size_t len = strlen(text);
    if ((len != 17 && len != 20) || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
        text[13] != ':' || text[len - 1] != 'Z')
        return false;
    if (!parse_digits(text, 4, &y) || !parse_digits(text + 5, 2, &mo) ||
        !parse_digits(text + 8, 2, &d) || !parse_digits(text + 11, 2, &h) ||
        !parse_digits(text + 14, 2, &mi))
        return false;
    if (len == 20 && (text[16] != ':' || !parse_digits(text + 17, 2, &s)))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
        return false;
    int64_t days = days_from_civil(y, mo, d);
    *out_utc_ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)s * 1000;
    return true;
}

void clock_format_utc(int64_t utc_ms, char *buf, unsigned size)
{
    time_t t = (time_t)(utc_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
