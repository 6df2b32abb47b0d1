/*
 * dashq_place: the sites and kiosks a viewer may choose in the filter
 * (dashq.h); which kiosks a query then reads is dashq.c's dashq_place.
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
