/*
 * kiosks: the kiosks table read into struct kiosk_record, for dashq.c's
 * lists and the fleet page (kiosks.h).
 */
#include "kiosks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "fleet.h"
#include "org.h"
#include "strbuf.h"
#include "updates.h"

#define KIOSK_COLUMNS 20

struct kiosk_walk {
    bool (*handle_kiosk)(void *ctx, const struct kiosk_record *k);
    void *ctx;
};

static const char *text_of(const char *v)
{
    return v ? v : "";
}

static bool handle_kiosk_row(void *ctx, int ncols, const char *const *v)
{
    const struct kiosk_walk *walk = ctx;
    if (ncols != KIOSK_COLUMNS || !v[0])
        return true;
    const struct kiosk_record k = {
        .kiosk_id = v[0],
        .site = text_of(v[1]),
        .label = text_of(v[2]),
        .department = text_of(v[3]),
        .app_version = text_of(v[4]),
        .last_error = text_of(v[5]),
        .last_seen_ms = v[6] ? strtoll(v[6], NULL, 10) : 0,
        .last_success_ms = v[7] ? strtoll(v[7], NULL, 10) : 0,
        .backlog = v[8] ? strtoll(v[8], NULL, 10) : 0,
        .catalog_version = v[9] ? strtoll(v[9], NULL, 10) : 0,
        .catalog_error = text_of(v[10]),
        .mode = text_of(v[11]),
        .departments = text_of(v[12]),
        .store_waiting = v[13] ? strtoll(v[13], NULL, 10) : 0,
        .store_error = text_of(v[14]),
        .store_error_since_ms = v[15] ? strtoll(v[15], NULL, 10) : 0,
        .slot = text_of(v[16]),
        .update_version = text_of(v[17]),
        .update_state = text_of(v[18]),
        .update_error = text_of(v[19]),
    };
    return walk->handle_kiosk(walk->ctx, &k);
}

bool kiosks_each(struct dashdb *db, const char *tail, const struct dashdb_value *params,
                 int nparams, bool (*handle_kiosk)(void *ctx, const struct kiosk_record *k),
                 void *ctx, char *err, size_t size)
{
    struct strbuf sql = {0};
    strbuf_puts(&sql, "SELECT kiosk_id, site, label, department, app_version, last_error,"
                      " last_seen_ms, last_success_ms, backlog, catalog_version,"
                      " catalog_error, mode, departments, store_waiting, store_error,"
                      " store_error_since_ms, slot, update_version, update_state, update_error"
                      " FROM kiosks");
    strbuf_puts(&sql, tail);
    struct kiosk_walk walk = {handle_kiosk, ctx};
    bool ok = !sql.failed &&
              dashdb_exec(db, sql.data, params, nparams, handle_kiosk_row, &walk, NULL, err, size);
    if (sql.failed)
        snprintf(err, size, "out of memory");
    strbuf_free(&sql);
    return ok;
}

/* Appends a copy of k to the fleet. */
static bool handle_fleet_kiosk(void *ctx, const struct kiosk_record *k)
{
    struct fleet *out = ctx;
    struct fleet_kiosk *grown = realloc(out->kiosks, (out->n + 1) * sizeof *grown);
    if (!grown)
        return false;
    out->kiosks = grown;
    struct fleet_kiosk *f = &out->kiosks[out->n++];
    *f = (struct fleet_kiosk){
        .kiosk_id = strdup(k->kiosk_id),
        .site = strdup(k->site),
        .label = strdup(k->label),
        .department = strdup(k->department),
        .app_version = strdup(k->app_version),
        .last_error = strdup(k->last_error),
        .last_seen_ms = k->last_seen_ms,
        .last_success_ms = k->last_success_ms,
        .backlog = k->backlog,
        .catalog_version = k->catalog_version,
        .catalog_error = strdup(k->catalog_error),
        .mode = strdup(k->mode),
        .departments = strdup(k->departments),
        .store_waiting = k->store_waiting,
        .store_error = strdup(k->store_error),
        .store_error_since_ms = k->store_error_since_ms,
        .slot = strdup(k->slot),
        .update_version = strdup(k->update_version),
        .update_state = strdup(k->update_state),
        .update_error = strdup(k->update_error),
    };
    return f->kiosk_id && f->site && f->label && f->department && f->app_version && f->last_error &&
           f->catalog_error && f->mode && f->departments && f->store_error && f->slot &&
           f->update_version && f->update_state && f->update_error;
}

static bool read_newest(void *ctx, int ncols, const char *const *v)
{
    if (ncols == 1 && v[0])
        *(int64_t *)ctx = strtoll(v[0], NULL, 10);
    return true;
}

static bool read_startable(void *ctx, int ncols, const char *const *v)
{
    struct fleet_rollout *f = ctx;
    if (ncols == 1 && v[0] && f->startable_n < FLEET_STARTABLE_MAX)
        snprintf(f->startable[f->startable_n++], sizeof f->startable[0], "%s", v[0]);
    return true;
}

/* The newest rollout and where it stands over the fleet's rows. */
static bool read_rollout(struct dashdb *db, struct fleet *out, char *err, size_t size)
{
    struct update_rollout r;
    bool found;
    if (!updates_read_rollout(db, &r, &found, err, size))
        return false;
    struct fleet_rollout *f = &out->rollout;
    struct rollout_kiosk *ks = found ? calloc(out->n + 1, sizeof *ks) : NULL;
    if (found && ks) {
        for (size_t i = 0; i < out->n; i++) {
            const struct fleet_kiosk *k = &out->kiosks[i];
            ks[i] = (struct rollout_kiosk){k->kiosk_id, k->app_version, k->update_version,
                                           k->update_state};
        }
        f->found = true;
        snprintf(f->version, sizeof f->version, "%s", r.version);
        f->stage = r.stage;
        f->paused_from = r.paused_from;
        snprintf(f->note, sizeof f->note, "%s", r.note);
        snprintf(f->changed_by, sizeof f->changed_by, "%s", r.changed_by);
        f->changed_ms = r.changed_ms;
        rollout_progress(r.stage, r.paused_from, r.canary, r.excused, r.version, ks, out->n,
                         &f->progress);
    }
    free(ks);
    updates_rollout_free(&r);
    if (found && !f->found) {
        snprintf(err, size, "out of memory reading the rollout");
        return false;
    }
    return dashdb_exec(db,
                       "SELECT version FROM update_bundles WHERE version NOT IN"
                       " (SELECT version FROM update_rollouts)"
                       " ORDER BY published_ms DESC, version LIMIT 20",
                       NULL, 0, read_startable, f, NULL, err, size);
}

bool kiosks_read_fleet(struct dashdb *db, const char *lang, struct fleet *out, char *err,
                       size_t size)
{
    fleet_free(out);
    bool ok = dashdb_exec(db, "SELECT MAX(version) FROM catalog_versions", NULL, 0, read_newest,
                          &out->newest_version, NULL, err, size) &&
              org_names_read(db, lang, &out->names, err, size) &&
              kiosks_each(db, "", NULL, 0, handle_fleet_kiosk, out, err, size) &&
              read_rollout(db, out, err, size);
    if (!ok && !strncmp(err, "stopped", 7))
        snprintf(err, size, "out of memory reading the kiosks table");
    return ok;
}
