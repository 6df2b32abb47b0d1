/*
 * tz: local time in a named IANA time zone, read from the system's TZif
 * files (/usr/share/zoneinfo), without touching the process-wide TZ.
 *
 * Opening hours and the dashboard's hour x weekday reports need the local
 * time of a *site*, which may differ from the machine's, and must be right
 * across DST changes.  localtime_r() with setenv("TZ") would change global
 * state under other threads; this module keeps each zone in its own value.
 */
#ifndef WOW_TZ_H
#define WOW_TZ_H

#include <stdbool.h>
#include <stdint.h>

struct tz; /* opaque */

struct tz_local {
    int year, month, day; /* month 1..12, day 1..31 */
    int hour, minute, second;
    int weekday;          /* 0 = Monday .. 6 = Sunday */
    int32_t utc_offset_s; /* local = utc + offset */
    bool is_dst;
};

/* Loads zone name (e.g. "Europe/Helsinki", "UTC") from zoneinfo_dir, or from
 * /usr/share/zoneinfo when zoneinfo_dir is NULL.  Returns NULL, with a
 * reason in err (what file, what was wrong), if the name is not a safe zone
 * name, the file is missing, or it is not valid TZif.  The caller frees the
 * result with tz_destroy(). */
struct tz *tz_load(const char *name, const char *zoneinfo_dir, char *err, unsigned err_size);

/* Loads a zone from TZif bytes in memory (tests, fuzzing). Same contract. */
struct tz *tz_parse(const unsigned char *data, unsigned long size, char *err, unsigned err_size);

/* Frees a zone; NULL is allowed. */
void tz_destroy(struct tz *tz);

/* Converts UTC milliseconds to local time in the zone. */
struct tz_local tz_to_local(const struct tz *tz, int64_t utc_ms);

#endif
