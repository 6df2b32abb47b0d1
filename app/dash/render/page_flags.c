/*
 * page_flags: what a department's page says before its numbers when they
 * may be incomplete: a kiosk of the department silent past the fleet's
 * threshold (its rows waiting on the kiosk), or one with a backlog of rows
 * it has not sent yet.
 */
#include <stdio.h>

#include "fleet.h"
#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

/* A backlog this long flags a kiosk even while it is heard (the fleet page's
 * "problem" threshold too). */
#define FLAGS_BACKLOG 100

/* When the router gives no threshold: the serve default (--silent-after). */
#define FLAGS_SILENT_MS (15 * 60 * 1000)

static void flag_kiosk(struct strbuf *out, const struct page_ctx *ctx,
                       const struct dash_kiosk_row *k, bool silent)
{
    char age[64], rows[48];
    strbuf_puts(out, "<li>");
    page_text(out, ctx, "Kiosk");
    strbuf_puts(out, " <strong>");
    html_escape(out, k->label[0] ? k->label : k->kiosk_id);
    strbuf_puts(out, "</strong> (");
    html_escape(out, k->kiosk_id);
    strbuf_puts(out, ") ");
    page_age(ctx, ctx->now_ms - k->last_seen_ms, age, sizeof age);
    page_int_text(ctx, k->backlog, rows, sizeof rows);
    if (silent && k->backlog > 0)
        page_textf(out, ctx,
                   "has been silent: last heard %s; at its last heartbeat %s rows were waiting "
                   "to be sent.",
                   age, rows);
    else if (silent)
        page_textf(out, ctx, "has been silent: last heard %s.", age);
    else
        page_textf(out, ctx, "is behind in sending: %s rows were waiting to be sent.", rows);
    strbuf_puts(out, "</li>\n");
}

void page_flags_missing(struct strbuf *out, const struct page_ctx *ctx,
                        const struct dash_department *d)
{
    int64_t silent_ms = ctx->silent_after_ms > 0 ? ctx->silent_after_ms : FLAGS_SILENT_MS;
    size_t flagged = 0;
    for (size_t i = 0; i < d->kiosks_n; i++) {
        const struct dash_kiosk_row *k = &d->kiosks[i];
        bool silent = k->last_seen_ms > 0 && ctx->now_ms - k->last_seen_ms > silent_ms;
        bool behind = k->backlog >= FLAGS_BACKLOG;
        if (!silent && !behind)
            continue;
        if (flagged++ == 0) {
            strbuf_puts(out, "<div class=\"flag-missing\" role=\"status\"><p><strong>");
            page_text(out, ctx, "These numbers may be incomplete.");
            strbuf_puts(out, "</strong></p><ul>\n");
        }
        flag_kiosk(out, ctx, k, silent);
    }
    if (flagged)
        strbuf_puts(out, "</ul></div>\n");
}
