/* dashview: freeing the view values, and calendar days (see dashview.h). */
#include "dashview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dash_user_free(struct dash_user *user)
{
    free(user->departments);
    *user = (struct dash_user){0};
}

const char *dash_audience(bool internal)
{
    return internal ? "colleagues" : "customers";
}

bool dash_user_sees(const struct dash_user *user, const char *department)
{
    if (user->role == DASH_ROLE_ADMIN)
        return true;
    if (user->role != DASH_ROLE_HEAD)
        return false;
    for (size_t i = 0; i < user->n_departments; i++)
        if (!strcmp(user->departments[i], department))
            return true;
    return false;
}

void dash_league_free(struct dash_league *league)
{
    for (size_t i = 0; i < league->n; i++) {
        free(league->rows[i].daily);
        free(league->rows[i].weekhour);
    }
    free(league->rows);
    free(league->all_now);
    *league = (struct dash_league){0};
}

void dash_department_free(struct dash_department *department)
{
    free(department->trend);
    free(department->reasons);
    free(department->kiosks);
    *department = (struct dash_department){0};
}

void dash_departments_free(struct dash_departments *list)
{
    free(list->items);
    *list = (struct dash_departments){0};
}

void dash_places_free(struct dash_places *places)
{
    free(places->items);
    *places = (struct dash_places){0};
}

void dash_alerts_free(struct dash_alerts *alerts)
{
    for (size_t i = 0; i < alerts->n; i++) {
        for (size_t c = 0; c < alerts->items[i].comments_n; c++)
            free(alerts->items[i].comments[c].body);
        free(alerts->items[i].comments);
    }
    free(alerts->items);
    *alerts = (struct dash_alerts){0};
}

void dash_count_rows_free(struct dash_count_rows *rows)
{
    free(rows->items);
    *rows = (struct dash_count_rows){0};
}

void dash_reason_count_rows_free(struct dash_reason_count_rows *rows)
{
    free(rows->items);
    *rows = (struct dash_reason_count_rows){0};
}

void dash_kiosk_rows_free(struct dash_kiosk_rows *rows)
{
    free(rows->items);
    *rows = (struct dash_kiosk_rows){0};
}

bool dash_grow(void **items, size_t n, size_t *cap, size_t each)
{
    if (n < *cap)
        return true;
    size_t want = *cap ? *cap * 2 : 16;
    void *bigger = realloc(*items, want * each);
    if (!bigger)
        return false;
    *items = bigger;
    *cap = want;
    return true;
}

/* Howard Hinnant's days_from_civil: eras of 400 years, March-based years
 * so that the leap day is the last of its year. */
int32_t dash_day_from_date(int year, int month, int day)
{
    int y = year - (month <= 2);
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void dash_date_from_day(int32_t z, int *year, int *month, int *mday)
{
    int32_t zz = z + 719468;
    int32_t era = (zz >= 0 ? zz : zz - 146096) / 146097;
    int32_t doe = zz - era * 146097;
    int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int32_t mp = (5 * doy + 2) / 153;
    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

int dash_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0) */
    int w = (int)((day + 3) % 7);
    return w < 0 ? w + 7 : w;
}

void dash_day_format(int32_t day, char *buf, size_t size)
{
    int y, m, d;
    dash_date_from_day(day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

static int digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

bool dash_day_parse(const char *text, int32_t *day)
{
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return false;
    int y = digits(text, 4), m = digits(text + 5, 2), d = digits(text + 8, 2);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    int32_t z = dash_day_from_date(y, m, d);
    int yy, mm, dd;
    dash_date_from_day(z, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) /* 2026-02-30 */
        return false;
    *day = z;
    return true;
}
