/*
 * alerts_row: an alert as a row of dash_alerts (with its department's
 * name: the catalog's in its first language, else its description's), read the same way by the
 * webhook's delivery and a user's alerts, and the column conversions the room shares
 * (alerts_private.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_private.h"

void alerts_copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

int64_t alerts_to_int(const char *text)
{
    return text ? strtoll(text, NULL, 10) : 0;
}

double alerts_to_real(const char *text)
{
    return text ? strtod(text, NULL) : NAN;
}

bool alerts_read_int(void *ctx, int ncols, const char *const *v)
{
    if (ncols >= 1)
        *(int64_t *)ctx = alerts_to_int(v[0]);
    return true;
}

const char alerts_row_select[] =
    "SELECT a.alert_id, a.source, a.kind, a.department, COALESCE(c.name, d.name, a.department),"
    " a.state, a.opened_ms, a.acked_ms, a.closed_ms, a.acked_by, a.value, a.baseline,"
    " a.responses, a.detail, a.direction, a.change_ms, a.assignee, a.assigned_by, a.assigned_ms,"
    " a.resolved_by, a.resolved_ms, a.resolution FROM dash_alerts a"
    " LEFT JOIN dash_departments d ON d.department = a.department"
    " LEFT JOIN catalog_names c ON c.kind = 'department' AND c.id = a.department"
    " AND c.lang = ''";

void alerts_row_read(struct dash_alert *a, const char *const *v)
{
    *a = (struct dash_alert){0};
    a->id = alerts_to_int(v[0]);
    alerts_copy_text(a->source, sizeof a->source, v[1]);
    alerts_copy_text(a->kind, sizeof a->kind, v[2]);
    alerts_copy_text(a->department, sizeof a->department, v[3]);
    alerts_copy_text(a->department_name, sizeof a->department_name, v[4]);
    a->state = v[5] && !strcmp(v[5], "closed")         ? DASH_ALERT_CLOSED
               : v[5] && !strcmp(v[5], "acknowledged") ? DASH_ALERT_ACKNOWLEDGED
                                                       : DASH_ALERT_OPEN;
    a->opened_ms = alerts_to_int(v[6]);
    a->acked_ms = alerts_to_int(v[7]);
    a->closed_ms = alerts_to_int(v[8]);
    alerts_copy_text(a->acked_by, sizeof a->acked_by, v[9]);
    a->value = alerts_to_real(v[10]);
    a->baseline = alerts_to_real(v[11]);
    a->responses = alerts_to_int(v[12]);
    alerts_copy_text(a->detail, sizeof a->detail, v[13]);
    a->rise = v[14] && !strcmp(v[14], "up");
    a->change_ms = alerts_to_int(v[15]);
    alerts_copy_text(a->assignee, sizeof a->assignee, v[16]);
    alerts_copy_text(a->assigned_by, sizeof a->assigned_by, v[17]);
    a->assigned_ms = alerts_to_int(v[18]);
    alerts_copy_text(a->resolved_by, sizeof a->resolved_by, v[19]);
    a->resolved_ms = alerts_to_int(v[20]);
    alerts_copy_text(a->resolution, sizeof a->resolution, v[21]);
}

bool alerts_read_rows(void *ctx, int ncols, const char *const *v)
{
    struct alerts_rows *list = ctx;
    if (ncols < ALERTS_ROW_COLUMNS ||
        !dash_grow((void **)&list->items, list->n, &list->cap, sizeof *list->items))
        return false;
    alerts_row_read(&list->items[list->n++], v);
    return true;
}
