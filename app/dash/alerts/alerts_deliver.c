/*
 * alerts_deliver: step 3 of an evaluation (alerts.h), the webhook: every
 * alert opened in the last ALERTS_WEBHOOK_RETRY_MS, not closed and not
 * delivered, as JSON (lib/json.h: always valid UTF-8) POSTed by webhook.h,
 * its outcome recorded on the alert (alerts_private.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "alerts_private.h"
#include "clock.h"
#include "dashdb.h"
#include "json.h"
#include "log.h"
#include "strbuf.h"
#include "webhook.h"

static void json_number(struct strbuf *out, double value)
{
    char buf[40];
    if (isfinite(value))
        snprintf(buf, sizeof buf, "%.6g", value);
    else
        snprintf(buf, sizeof buf, "null");
    strbuf_puts(out, buf);
}

static void alert_json(const struct dash_alert *a, struct strbuf *out)
{
    char opened[32], link[48];
    clock_format_utc(a->opened_ms, opened, sizeof opened);
    snprintf(link, sizeof link, "/alerts/%" PRId64, a->id);
    strbuf_puts(out, "{\"alert_id\": ");
    strbuf_int(out, a->id);
    strbuf_puts(out, ", \"source\": ");
    json_string(out, a->source);
    strbuf_puts(out, ", \"kind\": ");
    json_string(out, a->kind);
    /* "up": good news (a rise), which a channel may celebrate rather than page someone */
    strbuf_puts(out, ", \"direction\": ");
    json_string(out, a->rise ? "up" : "down");
    strbuf_puts(out, ", \"department\": ");
    json_string(out, a->department);
    strbuf_puts(out, ", \"department_name\": ");
    json_string(out, a->department_name);
    strbuf_puts(out, ", \"detail\": ");
    json_string(out, a->detail);
    /* one line a chat channel shows as it is: the department by name */
    struct strbuf text = {0};
    strbuf_puts(&text, a->department_name[0] ? a->department_name : a->department);
    strbuf_puts(&text, ": ");
    strbuf_puts(&text, a->detail);
    strbuf_puts(out, ", \"text\": ");
    json_string(out, text.failed ? a->detail : text.data);
    strbuf_free(&text);
    strbuf_puts(out, ", \"value\": ");
    json_number(out, a->value);
    strbuf_puts(out, ", \"responses\": ");
    strbuf_int(out, a->responses);
    strbuf_puts(out, ", \"baseline\": ");
    json_number(out, a->baseline);
    strbuf_puts(out, ", \"opened\": ");
    json_string(out, opened);
    strbuf_puts(out, ", \"link\": ");
    json_string(out, link);
    strbuf_puts(out, "}");
}

/* POSTs one alert and records the outcome on it; *unreachable when the
 * receiver did not answer at all. */
static bool deliver(struct dashdb *db, const char *url, const struct dash_alert *a, int64_t now_ms,
                    struct alerts_report *report, bool *unreachable, char *err, size_t size)
{
    struct strbuf json = {0};
    alert_json(a, &json);
    char why[256] = "out of memory";
    enum webhook_result result =
        json.failed ? WEBHOOK_UNREACHABLE : webhook_post(url, json.data, why, sizeof why);
    strbuf_free(&json);
    bool sent = result == WEBHOOK_DELIVERED;
    *unreachable = result == WEBHOOK_UNREACHABLE;
    if (sent)
        report->delivered++;
    else
        report->undelivered++;
    if (!sent)
        log_warn("alerts: webhook for alert %" PRId64 " not delivered: %s (retried on the next "
                 "evaluation)",
                 a->id, why);
    struct dashdb_value p[2] = {sent ? DASHDB_INT(now_ms) : DASHDB_TEXT(why), DASHDB_INT(a->id)};
    return dashdb_exec(db,
                       sent ? "UPDATE dash_alerts SET webhook_ms = $1, webhook_error = NULL"
                              " WHERE alert_id = $2"
                            : "UPDATE dash_alerts SET webhook_error = $1 WHERE alert_id = $2",
                       p, 2, NULL, NULL, NULL, err, size);
}

/* Every alert opened in the last 24 h, not closed and not delivered, oldest
 * first.  A receiver that does not answer at all is not tried again for
 * the rest until the next evaluation: each try could cost the full
 * timeout, and the alert thread also runs the rollup. */
bool alerts_deliver_pending(struct dashdb *db, const char *url, int64_t now_ms,
                            struct alerts_report *report, char *err, size_t size)
{
    struct strbuf sql = {0};
    strbuf_puts(&sql, alerts_row_select);
    strbuf_puts(&sql, " WHERE a.webhook_ms IS NULL AND a.state <> 'closed' AND a.opened_ms >= $1"
                      " ORDER BY a.alert_id");
    struct alerts_rows list = {0};
    struct dashdb_value since = DASHDB_INT(now_ms - ALERTS_WEBHOOK_RETRY_MS);
    bool ok = !sql.failed &&
              dashdb_exec(db, sql.data, &since, 1, alerts_read_rows, &list, NULL, err, size);
    if (sql.failed)
        snprintf(err, size, "out of memory");
    strbuf_free(&sql);
    bool unreachable = false;
    for (size_t i = 0; ok && !unreachable && i < list.n; i++)
        ok = deliver(db, url, &list.items[i], now_ms, report, &unreachable, err, size);
    free(list.items);
    return ok;
}
