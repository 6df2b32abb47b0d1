/*
 * dashq_place: the filter's site and kiosk (dashq_private.h): which kiosks
 * a query reads, as " AND kiosk_id IN (...)" on the rollups (every rollup
 * row carries its kiosk), and the sites and kiosks a viewer may choose.
 */
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "dashq.h"
#include "dashq_private.h"
#include "kiosks.h"
#include "names.h"
#include "org.h"
#include "strbuf.h"

struct place_ids {
    char (*ids)[DASH_ID_MAX]; /* owned */
    size_t n, cap;
    bool failed;
};

static bool handle_place_id(void *ctx, const struct kiosk_record *k)
{
    struct place_ids *p = ctx;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        void *grown = realloc(p->ids, cap * sizeof *p->ids);
        if (!grown) {
            p->failed = true;
            return false;
        }
        p->ids = grown, p->cap = cap;
    }
    dashq_set_text(p->ids[p->n++], DASH_ID_MAX, k->kiosk_id);
    return true;
}

bool dashq_place(struct dashdb *db, const struct dash_filter *f, struct strbuf *sql, bool *none,
                 char *err, size_t size)
{
    if (!f->site[0] && !f->kiosk[0])
        return true;
    if (!f->site[0]) {
        const char *one = f->kiosk; /* a kiosk gone from the kiosks table still has its rows */
        *none |= !dashq_append_in_list(sql, "kiosk_id", &one, 1);
        return sql->failed ? dashq_fail_oom(err, size) : true;
    }
    struct place_ids p = {0};
    struct dashdb_value params[] = {DASHDB_TEXT(f->site), DASHDB_TEXT(f->kiosk)};
    bool ok = kiosks_each(db, " WHERE site = $1 AND ($2 = '' OR kiosk_id = $2)", params, 2,
                          handle_place_id, &p, err, size);
    if (p.failed)
        ok = dashq_fail_oom(err, size);
    const char **ids = ok ? calloc(p.n + 1, sizeof *ids) : NULL;
    if (ok && !ids)
        ok = dashq_fail_oom(err, size);
    for (size_t i = 0; ok && i < p.n; i++)
        ids[i] = p.ids[i];
    if (ok)
        *none |= !dashq_append_in_list(sql, "kiosk_id", ids, p.n);
    free(ids);
    free(p.ids);
    return ok && sql->failed ? dashq_fail_oom(err, size) : ok;
}

/* ---- the choices ------------------------------------------------------- */

struct places_ctx {
    const struct dash_user *u;
    struct dash_places *out;
    size_t cap;
    bool failed;
};

/* Whether u sees a kiosk: its department, or one its picker offers. */
static bool sees_kiosk(const struct dash_user *u, const struct kiosk_record *k)
{
    if (u->role == DASH_ROLE_ADMIN || (k->department[0] && dash_user_sees(u, k->department)))
        return true;
    char id[DASH_ID_MAX];
    for (const char *p = k->departments; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n > 0 && n < sizeof id) {
            memcpy(id, p, n);
            id[n] = '\0';
            if (dash_user_sees(u, id))
                return true;
        }
        p += n + (p[n] == ',');
    }
    return false;
}

static bool handle_place(void *ctx, const struct kiosk_record *k)
{
    struct places_ctx *c = ctx;
    if (!sees_kiosk(c->u, k))
        return true;
    if (c->out->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        void *grown = realloc(c->out->items, cap * sizeof *c->out->items);
        if (!grown) {
            c->failed = true;
            return false;
        }
        c->out->items = grown, c->cap = cap;
    }
    struct dash_place *p = &c->out->items[c->out->n++];
    *p = (struct dash_place){0};
    dashq_set_text(p->kiosk_id, sizeof p->kiosk_id, k->kiosk_id);
    dashq_set_text(p->label, sizeof p->label, k->label ? k->label : "");
    dashq_set_text(p->site, sizeof p->site, k->site ? k->site : "");
    return true;
}

static int compare_places(const void *a, const void *b)
{
    const struct dash_place *x = a, *y = b;
    int c = strcmp(x->site, y->site);
    return c ? c : strcmp(x->kiosk_id, y->kiosk_id);
}

bool dashq_places(struct dashdb *db, const struct dash_user *u, struct dash_places *out, char *err,
                  size_t size)
{
    dash_places_free(out);
    struct places_ctx c = {u, out, 0, false};
    struct names names = {0};
    bool ok = kiosks_each(db, "", NULL, 0, handle_place, &c, err, size) &&
              org_names_read(db, u->lang, &names, err, size);
    if (c.failed)
        ok = dashq_fail_oom(err, size);
    for (size_t i = 0; ok && i < out->n; i++) {
        struct dash_place *p = &out->items[i];
        dashq_set_text(p->site_name, sizeof p->site_name,
                       names_or(&names, "site", p->site, p->site));
    }
    names_free(&names);
    if (ok && out->n > 1)
        qsort(out->items, out->n, sizeof *out->items, compare_places);
    return ok;
}
