/*
 * notice: the technician's notice screen's words (see notice.h).
 */
#include "notice.h"

#include <stdio.h>
#include <string.h>

#include "layers.h"
#include "syscheck.h"

/* The override missing with its last good copy running (l->override_missing)
 * is no notice: the kiosk runs on its own settings, and a notice would keep
 * customers from tapping for a minute at each boot whose boot partition is
 * late.  The technician screen's Config row, the heartbeat and the log say
 * it (program.c, layers_problem). */
void notice_of_config(struct notice *n, const struct layers *l, int64_t now_mono_ms)
{
    *n = (struct notice){0};
    if (!l->bad && !l->fell_back)
        return;
    n->forever = l->bad;
    n->until_ms = l->bad ? 0 : now_mono_ms + NOTICE_SHOW_MS;
    snprintf(n->title, sizeof n->title, "%s%s", l->files,
             l->bad ? "" : " (running on the last good config meanwhile)");
    const struct config_errors *e = &l->errors;
    for (int i = 0; i < e->count && i < CONFIG_MAX_ERRORS; i++)
        config_error_format(&e->error[i], n->lines[n->line_count++], UI_NOTICE_LINE_MAX);
    n->total = e->total;
}

void notice_of_checks(struct notice *n, const struct syscheck_report *report, const char *kiosk_id,
                      int64_t now_mono_ms)
{
    if (notice_set(n))
        return;
    *n = (struct notice){0};
    for (int i = 0; i < report->count && n->line_count < CONFIG_MAX_ERRORS; i++) {
        const struct syscheck_item *item = &report->items[i];
        if (item->severity != SYSCHECK_ERROR)
            continue;
        /* cut to the screen's box; the journal has the whole line */
        snprintf(n->lines[n->line_count], UI_NOTICE_LINE_MAX, "start-up check:%d: %s: %.191s",
                 n->line_count + 1, item->check, item->message);
        n->line_count++;
    }
    if (n->line_count == 0)
        return;
    n->total = n->line_count;
    n->until_ms = now_mono_ms + NOTICE_SHOW_MS;
    snprintf(n->heading, sizeof n->heading, "Start-up check failed");
    snprintf(n->title, sizeof n->title, "kiosk %s, wowkiosk %s", kiosk_id, WOW_VERSION);
    snprintf(n->help, sizeof n->help,
             "The kiosk goes on in a minute but may not work until this is fixed.\n"
             "Details: journalctl -u wowkiosk");
}

void notice_of_store(struct notice *n, const char *kiosk_id, const char *error, int64_t now_mono_ms)
{
    if (notice_showing(n, now_mono_ms) && !n->store)
        return; /* the config's or the checks' notice first */
    *n = (struct notice){.store = true, .until_ms = now_mono_ms + NOTICE_STORE_MS};
    snprintf(n->heading, sizeof n->heading, "Out of order: answers cannot be kept");
    snprintf(n->title, sizeof n->title, "kiosk %s, wowkiosk %s", kiosk_id, WOW_VERSION);
    snprintf(n->lines[0], UI_NOTICE_LINE_MAX, "%s", error[0] ? error : "store: not writable");
    n->line_count = n->total = 1;
    snprintf(n->help, sizeof n->help,
             "Neither the store nor a spill place can be written: no tap is taken until one can.\n"
             "Details: journalctl -u wowkiosk");
}

bool notice_set(const struct notice *n)
{
    return n->forever || n->until_ms > 0;
}

bool notice_showing(const struct notice *n, int64_t now_mono_ms)
{
    return n->forever || now_mono_ms < n->until_ms;
}

int64_t notice_deadline_ms(const struct notice *n, int64_t now_mono_ms)
{
    return !n->forever && now_mono_ms < n->until_ms ? n->until_ms : INT64_MAX;
}

const struct ui_notice *notice_ui(struct notice *n, int64_t now_mono_ms)
{
    if (!notice_showing(n, now_mono_ms))
        return NULL;
    for (int i = 0; i < n->line_count; i++)
        n->line_ptr[i] = n->lines[i];
    n->ui = (struct ui_notice){.heading = n->heading[0] ? n->heading : NULL,
                               .title = n->title,
                               .help = n->help[0] ? n->help : NULL,
                               .line_count = n->line_count,
                               .total = n->total,
                               .lines = n->line_ptr};
    return &n->ui;
}
