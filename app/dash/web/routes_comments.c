/*
 * routes_comments: the customers' comments where the pages and the API
 * show them: read for a department and period (comments_db.h), each in
 * its kiosk's time zone, moderated (moderation.h with the lists serve
 * loaded), hidden ones kept for admins only; the department page's face,
 * tag and paging parameters (cface, ctag, offset, limit) and
 * /api/v1/comments' (face, tag, includeHidden).
 */
#include "routes_comments.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "comments_db.h"
#include "http.h"
#include "log.h"
#include "tz.h"

/* A period's comments read per page: a department's month is far below. */
#define ROUTE_COMMENTS_MAX 5000

static const struct tz *zone_of(struct route_comments *rc, const char *name)
{
    if (!name[0])
        return NULL;
    for (size_t i = 0; i < rc->zones_n; i++)
        if (!strcmp(rc->names[i], name))
            return rc->zones[i];
    if (rc->zones_n == ROUTE_COMMENTS_ZONES)
        return NULL; /* the dashboard's zone for the rest */
    char err[256];
    struct tz *tz = tz_load(name, NULL, err, sizeof err);
    if (!tz)
        log_warn("comments: kiosk time zone %s: %s", name, err);
    snprintf(rc->names[rc->zones_n], sizeof rc->names[0], "%s", name);
    rc->zones[rc->zones_n++] = tz;
    return tz;
}

bool route_comments_load(struct route_ctx *c, const char *department, int64_t from_ms,
                         int64_t to_ms, struct route_comments *rc)
{
    bool admin = c->user.role == DASH_ROLE_ADMIN;
    if (!comments_read(c->db, &c->user, department, from_ms, to_ms, ROUTE_COMMENTS_MAX, &rc->list,
                       c->err, sizeof c->err)) {
        route_fail_db(c, "comments");
        return false;
    }
    for (size_t i = 0; i < rc->list.n; i++)
        rc->list.items[i].tz = zone_of(rc, rc->list.items[i].zone);
    comment_list_moderate(&rc->list, c->rt->moderation);
    struct comment_filter visible = {.include_hidden = admin};
    comment_list_filter(&rc->list, &visible);
    comment_list_tag_counts(&rc->list, rc->page.counts);
    rc->page.list = &rc->list;
    rc->page.department = department;
    rc->page.admin = admin;
    rc->page.from_ms = from_ms;
    rc->page.to_ms = to_ms;
    return true;
}

void route_comments_free(struct route_comments *rc)
{
    comment_list_free(&rc->list);
    for (size_t i = 0; i < rc->zones_n; i++)
        tz_destroy(rc->zones[i]);
    rc->zones_n = 0;
}

/* A face parameter: "" or absent 0, "1".."4"; false with err made. */
static bool parse_face(struct route_ctx *c, const char *name, int *face)
{
    const char *v = http_param(c->req, name);
    *face = 0;
    if (!v || !v[0])
        return true;
    if (strlen(v) == 1 && v[0] >= '1' && v[0] <= '4') {
        *face = v[0] - '0';
        return true;
    }
    snprintf(c->err, sizeof c->err, "%s: expected a face 1 to 4, got \"%.40s\"", name, v);
    return false;
}

static bool parse_tag(struct route_ctx *c, const char *name, unsigned *tag)
{
    const char *v = http_param(c->req, name);
    *tag = 0;
    if (!v || !v[0])
        return true;
    *tag = moderation_tag_of(v);
    if (*tag)
        return true;
    snprintf(c->err, sizeof c->err,
             "%s: expected appreciation, improvement, urgent, spam or abusive, got \"%.40s\"", name,
             v);
    return false;
}

bool route_comments_department(struct route_ctx *c, const char *department,
                               struct route_comments *rc)
{
    struct route_comments_query q = {0};
    if (!parse_face(c, "cface", &q.face) || !parse_tag(c, "ctag", &q.tag) ||
        !http_parse_paging(c->req, ROUTE_COMMENTS_PAGE, &rc->page.offset, &rc->page.limit, c->err,
                           sizeof c->err)) {
        route_fail(c, 400, c->err);
        return false;
    }
    int64_t from = router_day_start_ms(c->rt, c->filter.from_day);
    int64_t to = router_day_start_ms(c->rt, c->filter.to_day);
    if (!route_comments_load(c, department, from, to, rc))
        return false;
    struct comment_filter f = {.face = q.face, .tag = q.tag, .include_hidden = rc->page.admin};
    comment_list_filter(&rc->list, &f);
    rc->page.face = q.face;
    rc->page.tag = q.tag;
    return true;
}

bool route_comments_api(struct route_ctx *c, struct api_page *page, struct strbuf *body,
                        enum api_format format)
{
    struct route_comments_query q = {0};
    const char *hidden = http_param(c->req, "includeHidden");
    if (!parse_face(c, "face", &q.face) || !parse_tag(c, "tag", &q.tag)) {
        route_fail(c, 400, c->err);
        return false;
    }
    if (hidden && strcmp(hidden, "0") && strcmp(hidden, "1")) {
        route_fail(c, 400, "includeHidden: expected 0 or 1");
        return false;
    }
    bool include = hidden && !strcmp(hidden, "1");
    if (include && c->user.role != DASH_ROLE_ADMIN) {
        route_fail(c, 403, "includeHidden: only an admin may see hidden comments.");
        return false;
    }
    struct route_comments rc = {0};
    int64_t from = router_day_start_ms(c->rt, c->filter.from_day);
    int64_t to = router_day_start_ms(c->rt, c->filter.to_day);
    bool ok = route_comments_load(c, c->filter.department, from, to, &rc);
    if (ok) {
        struct comment_filter f = {.face = q.face, .tag = q.tag, .include_hidden = include};
        comment_list_filter(&rc.list, &f);
        api_comments(&rc.list, page, format, body);
    }
    route_comments_free(&rc);
    return ok;
}

bool route_comments_alert(struct route_ctx *c, const struct dash_alert *a,
                          struct route_comments *rc)
{
    int64_t to = a->closed_ms ? a->closed_ms : c->now_ms + 1;
    return route_comments_load(c, a->department, a->opened_ms, to, rc);
}
