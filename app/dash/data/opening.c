/* opening: the fleet's opening hours from the catalog (see opening.h). */
#include "opening.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog_db.h"

void opening_read(struct dashdb *db, struct opening *out)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    int64_t version = 0;
    char *body = NULL, err[256];
    out->n = 0;
    if (!catalog_db_newest(db, &version, &body, err, sizeof err) || !body)
        return;
    struct hours *h = NULL;
    char *save = NULL;
    for (char *line = strtok_r(body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line += strspn(line, " \t");
        if (line[0] == '[') {
            bool wanted = !strncmp(line, "[hours]", 7) || !strncmp(line, "[site ", 6);
            h = wanted && out->n < OPENING_SITES_MAX ? &out->hours[out->n++] : NULL;
            if (h)
                *h = (struct hours){.always_open = true};
            continue;
        }
        char key[16], value[200];
        size_t k = strspn(line, "abcdefghijklmnopqrstuvwxyz");
        const char *v = line + k + strspn(line + k, " \t");
        if (!h || k == 0 || k >= sizeof key || *v != '=')
            continue;
        v += 1 + strspn(v + 1, " \t");
        size_t n = strcspn(v, "\r");
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        snprintf(key, sizeof key, "%.*s", (int)k, line);
        snprintf(value, sizeof value, "%.*s", (int)n, v);
        for (int d = 0; d < 7; d++)
            if (!strcmp(key, days[d]) && hours_parse_day(h, d, value, err, sizeof err))
                h->always_open = false;
    }
    free(body);
    /* a section without weekday keys says nothing about when anyone opens */
    int kept = 0;
    for (int i = 0; i < out->n; i++)
        if (!out->hours[i].always_open)
            out->hours[kept++] = out->hours[i];
    out->n = kept;
}

int64_t opening_due_ms(const struct opening *o, const struct tz *zone, int hour, int default_hour,
                       int64_t period_end_ms)
{
    int64_t fallback = period_end_ms + (int64_t)default_hour * 3600000;
    if (hour >= 0)
        return period_end_ms + (int64_t)hour * 3600000;
    if (o->n == 0)
        return fallback;
    int64_t best = INT64_MAX;
    for (int i = 0; i < o->n; i++) {
        int64_t next = INT64_MAX;
        bool open = hours_is_open(&o->hours[i], zone, period_end_ms, &next);
        int64_t at = open ? fallback : next;
        best = at < best ? at : best;
    }
    return best == INT64_MAX ? fallback : best;
}
