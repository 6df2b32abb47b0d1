/*
 * routes_comments: the comments the department page, the evaluation
 * report, an alert's page and /api/v1/comments show (routes_comments.c).
 * Only app/dash/web includes it.
 */
#ifndef WOW_ROUTES_COMMENTS_H
#define WOW_ROUTES_COMMENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "api.h"
#include "comment_list.h"
#include "pages.h"
#include "router_private.h"

#define ROUTE_COMMENTS_ZONES 8  /* kiosk zones loaded per request; more: the dashboard's */
#define ROUTE_COMMENTS_PAGE  20 /* comments a department page shows at once */

/* A request's comments, their kiosks' zones, and what a page shows. */
struct route_comments {
    struct comment_list list;
    struct tz *zones[ROUTE_COMMENTS_ZONES]; /* owned; NULL for a zone that did not load */
    char names[ROUTE_COMMENTS_ZONES][64];
    size_t zones_n;
    struct page_comments page; /* points into list */
};

/* What a request narrows the comments by. */
struct route_comments_query {
    int face;
    unsigned tag;
};

/* Reads department's ("": every one c's user sees) comments tapped in
 * [from_ms, to_ms) into rc, moderated; hidden ones only for an admin;
 * page's counts by tag set.  false with 503 made.  Free rc with
 * route_comments_free either way. */
bool route_comments_load(struct route_ctx *c, const char *department, int64_t from_ms,
                         int64_t to_ms, struct route_comments *rc);

/* The department page's: c->filter's period, ?cface, ?ctag, ?offset,
 * ?limit; false with the reply made (400, 503). */
bool route_comments_department(struct route_ctx *c, const char *department,
                               struct route_comments *rc);

/* An alert page's: its department's comments while it was open
 * (opened_ms to closed_ms, or now); false with 503 made. */
bool route_comments_alert(struct route_ctx *c, const struct dash_alert *a,
                          struct route_comments *rc);

void route_comments_free(struct route_comments *rc);

/* /api/v1/comments' rows: the filter's period and department, ?face,
 * ?tag, ?includeHidden=1 (an admin's; a head gets 403). */
bool route_comments_api(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                        enum api_format format);

#endif
