/* updates: bundles and rollouts in the shared database (see updates.h). */
#include "updates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"
#include "strbuf.h"

#define ROLLOUT_COLUMNS 11

static void copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static bool handle_count_row(void *ctx, int ncols, const char *const *values)
{
    (void)ncols;
    (void)values;
    ++*(int64_t *)ctx;
    return true;
}

/* How many rows sql (one text parameter) returns, into *rows. */
static bool count_rows(struct dashdb *db, const char *sql, const char *param, int64_t *rows,
                       char *err, size_t size)
{
    const struct dashdb_value p[] = {DASHDB_TEXT(param)};
    *rows = 0;
    return dashdb_exec(db, sql, p, 1, handle_count_row, rows, NULL, err, size);
}

bool updates_publish(struct dashdb *db, const struct update_bundle *b, const char *by,
                     int64_t now_ms, char *err, size_t size)
{
    int64_t known;
    if (!count_rows(db, "SELECT 1 FROM update_bundles WHERE version = $1", b->version, &known, err,
                    size))
        return false;
    if (known > 0) {
        snprintf(err, size,
                 "version %s: already published (a version names one bundle for ever: give the "
                 "new bundle a new version)",
                 b->version);
        return false;
    }
    const struct dashdb_value p[] = {
        DASHDB_TEXT(b->version), DASHDB_TEXT(b->url), DASHDB_TEXT(b->sha256), DASHDB_INT(b->size),
        DASHDB_TEXT(b->signer),  DASHDB_INT(now_ms),  DASHDB_TEXT(by)};
    return dashdb_exec(db,
                       "INSERT INTO update_bundles(version, url, sha256, size, signer, "
                       "published_ms, published_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       p, 7, NULL, NULL, NULL, err, size);
}

struct rollout_read {
    struct update_rollout *out;
    bool found;
};

static bool handle_rollout_row(void *ctx, int ncols, const char *const *v)
{
    struct rollout_read *r = ctx;
    if (ncols != ROLLOUT_COLUMNS || r->found)
        return true;
    struct update_rollout *o = r->out;
    o->rollout_id = strtoll(v[0], NULL, 10);
    copy_text(o->version, sizeof o->version, v[1]);
    if (!rollout_stage_parse(v[2] ? v[2] : "", &o->stage))
        o->stage = ROLLOUT_STOPPED;
    if (!rollout_stage_parse(v[3] ? v[3] : "", &o->paused_from))
        o->paused_from = ROLLOUT_CANARY;
    o->canary = strdup(v[4] ? v[4] : "");
    copy_text(o->started_by, sizeof o->started_by, v[5]);
    copy_text(o->changed_by, sizeof o->changed_by, v[6]);
    o->started_ms = v[7] ? strtoll(v[7], NULL, 10) : 0;
    o->changed_ms = v[8] ? strtoll(v[8], NULL, 10) : 0;
    copy_text(o->note, sizeof o->note, v[9]);
    o->excused = strdup(v[10] ? v[10] : "");
    r->found = o->canary && o->excused;
    return r->found;
}

bool updates_read_rollout(struct dashdb *db, struct update_rollout *out, bool *found, char *err,
                          size_t size)
{
    *out = (struct update_rollout){0};
    struct rollout_read r = {out, false};
    bool ok = dashdb_exec(db,
                          "SELECT rollout_id, version, stage, paused_from, canary, started_by,"
                          " changed_by, started_ms, changed_ms, note, excused FROM update_rollouts"
                          " ORDER BY rollout_id DESC LIMIT 1",
                          NULL, 0, handle_rollout_row, &r, NULL, err, size);
    *found = ok && r.found;
    return ok;
}

void updates_rollout_free(struct update_rollout *rollout)
{
    free(rollout->canary);
    free(rollout->excused);
    rollout->canary = rollout->excused = NULL;
}

static bool under_way(enum rollout_stage stage)
{
    return stage == ROLLOUT_CANARY || stage == ROLLOUT_FLEET || stage == ROLLOUT_PAUSED;
}

/* Each id of canary is a kiosk the fleet knows; else err names the first
 * that is not. */
static bool canary_known(struct dashdb *db, const char *canary, char *err, size_t size)
{
    if (!canary[0]) {
        snprintf(err, size, "--canary: expected at least one kiosk id");
        return false;
    }
    for (const char *p = canary; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        char id[128];
        if (n == 0 || n >= sizeof id) {
            snprintf(err, size, "--canary: expected kiosk ids separated by commas, got '%.60s'",
                     canary);
            return false;
        }
        memcpy(id, p, n);
        id[n] = '\0';
        int64_t rows;
        if (!count_rows(db, "SELECT 1 FROM kiosks WHERE kiosk_id = $1", id, &rows, err, size))
            return false;
        if (rows == 0) {
            snprintf(err, size, "--canary: no kiosk '%s' in this fleet (wowdash kiosk add)", id);
            return false;
        }
        p += n + (end != NULL);
    }
    return true;
}

bool updates_start(struct dashdb *db, const char *version, const char *canary, const char *by,
                   int64_t now_ms, char *err, size_t size)
{
    struct update_rollout cur;
    bool found;
    if (!updates_read_rollout(db, &cur, &found, err, size))
        return false;
    bool busy = found && under_way(cur.stage);
    int64_t next_id = found ? cur.rollout_id + 1 : 1;
    if (busy)
        snprintf(err, size,
                 "the rollout of %s is %s: stop it (wowdash rollout stop) before starting another",
                 cur.version, rollout_stage_name(cur.stage));
    updates_rollout_free(&cur);
    if (busy)
        return false;
    int64_t known;
    if (!count_rows(db, "SELECT 1 FROM update_bundles WHERE version = $1", version, &known, err,
                    size))
        return false;
    if (known == 0) {
        snprintf(err, size, "version %s: not published (wowdash bundle publish)", version);
        return false;
    }
    if (!canary_known(db, canary, err, size))
        return false;
    const struct dashdb_value p[] = {DASHDB_INT(next_id), DASHDB_TEXT(version), DASHDB_TEXT(canary),
                                     DASHDB_INT(now_ms), DASHDB_TEXT(by)};
    if (!dashdb_exec(db,
                     "INSERT INTO update_rollouts(rollout_id, version, stage, canary, started_ms,"
                     " started_by, changed_ms, changed_by) VALUES ($1, $2, 'canary', $3, $4, $5,"
                     " $4, $5)",
                     p, 5, NULL, NULL, NULL, err, size))
        return false;
    return updates_check(db, now_ms, NULL, err, size);
}

static bool set_stage(struct dashdb *db, const struct update_rollout *r, enum rollout_stage stage,
                      enum rollout_stage paused_from, const char *by, const char *note,
                      int64_t now_ms, char *err, size_t size)
{
    const struct dashdb_value p[] = {
        DASHDB_TEXT(rollout_stage_name(stage)),
        DASHDB_TEXT(stage == ROLLOUT_PAUSED ? rollout_stage_name(paused_from) : ""),
        DASHDB_INT(now_ms),
        DASHDB_TEXT(by),
        DASHDB_TEXT(note),
        DASHDB_INT(r->rollout_id)};
    return dashdb_exec(db,
                       "UPDATE update_rollouts SET stage = $1, paused_from = $2, changed_ms = $3,"
                       " changed_by = $4, note = $5 WHERE rollout_id = $6",
                       p, 6, NULL, NULL, NULL, err, size);
}

/* The stage an action moves r to; false with err when it cannot. */
static bool act_target(const struct update_rollout *r, const char *action,
                       enum rollout_stage *stage, char *err, size_t size)
{
    const char *from = rollout_stage_name(r->stage);
    if (!strcmp(action, "promote") && r->stage == ROLLOUT_CANARY)
        *stage = ROLLOUT_FLEET;
    else if (!strcmp(action, "pause") && (r->stage == ROLLOUT_CANARY || r->stage == ROLLOUT_FLEET))
        *stage = ROLLOUT_PAUSED;
    else if (!strcmp(action, "resume") && r->stage == ROLLOUT_PAUSED)
        *stage = r->paused_from;
    else if (!strcmp(action, "stop") && under_way(r->stage))
        *stage = ROLLOUT_STOPPED;
    else {
        snprintf(err, size, "rollout %s: cannot %s a rollout that is %s", r->version, action, from);
        return false;
    }
    return true;
}

/* Records every kiosk now reporting r's version failed as excused. */
static bool excuse_failed(struct dashdb *db, const struct update_rollout *r, char *err, size_t size)
{
    struct update_kiosks ks;
    if (!updates_read_kiosks(db, &ks, err, size))
        return false;
    struct strbuf list = {0};
    for (size_t i = 0; i < ks.n; i++) {
        if (!rollout_kiosk_failed(r->version, &ks.kiosks[i]))
            continue;
        if (list.len)
            strbuf_puts(&list, ",");
        strbuf_puts(&list, ks.kiosks[i].kiosk_id);
    }
    updates_kiosks_free(&ks);
    const struct dashdb_value p[] = {DASHDB_TEXT(list.data ? list.data : ""),
                                     DASHDB_INT(r->rollout_id)};
    bool ok = !list.failed && dashdb_exec(db,
                                          "UPDATE update_rollouts SET excused = $1"
                                          " WHERE rollout_id = $2",
                                          p, 2, NULL, NULL, NULL, err, size);
    if (list.failed)
        snprintf(err, size, "out of memory");
    strbuf_free(&list);
    return ok;
}

bool updates_act(struct dashdb *db, const char *action, const char *by, const char *note,
                 int64_t now_ms, char *err, size_t size)
{
    struct update_rollout r;
    bool found;
    if (!updates_read_rollout(db, &r, &found, err, size))
        return false;
    if (!found) {
        snprintf(err, size, "no rollout yet (wowdash rollout start VERSION --canary IDS)");
        return false;
    }
    enum rollout_stage stage;
    bool ok = act_target(&r, action, &stage, err, size) &&
              set_stage(db, &r, stage, r.stage, by, note ? note : "", now_ms, err, size) &&
              (strcmp(action, "resume") || excuse_failed(db, &r, err, size));
    updates_rollout_free(&r);
    return ok && updates_check(db, now_ms, NULL, err, size);
}

static bool handle_kiosk_row(void *ctx, int ncols, const char *const *v)
{
    struct update_kiosks *out = ctx;
    if (ncols != 4 || !v[0])
        return true;
    struct rollout_kiosk *grown = realloc(out->kiosks, (out->n + 1) * sizeof *grown);
    if (!grown)
        return false;
    out->kiosks = grown;
    struct rollout_kiosk *k = &out->kiosks[out->n];
    *k = (struct rollout_kiosk){strdup(v[0]), strdup(v[1] ? v[1] : ""), strdup(v[2] ? v[2] : ""),
                                strdup(v[3] ? v[3] : "")};
    out->n++;
    return k->kiosk_id && k->app_version && k->update_version && k->update_state;
}

bool updates_read_kiosks(struct dashdb *db, struct update_kiosks *out, char *err, size_t size)
{
    *out = (struct update_kiosks){0};
    return dashdb_exec(db,
                       "SELECT kiosk_id, app_version, update_version, update_state FROM kiosks"
                       " ORDER BY kiosk_id",
                       NULL, 0, handle_kiosk_row, out, NULL, err, size);
}

void updates_kiosks_free(struct update_kiosks *kiosks)
{
    for (size_t i = 0; i < kiosks->n; i++) {
        free((char *)kiosks->kiosks[i].kiosk_id);
        free((char *)kiosks->kiosks[i].app_version);
        free((char *)kiosks->kiosks[i].update_version);
        free((char *)kiosks->kiosks[i].update_state);
    }
    free(kiosks->kiosks);
    *kiosks = (struct update_kiosks){0};
}

struct offers_seen {
    const struct update_rollout *r;
    const struct update_kiosks *ks;
    size_t n;   /* rows read */
    bool equal; /* every row read is one the stage offers, with its rollout */
};

static bool offered(const struct update_rollout *r, const struct update_kiosks *ks,
                    const char *kiosk_id)
{
    for (size_t i = 0; r && i < ks->n; i++)
        if (!strcmp(ks->kiosks[i].kiosk_id, kiosk_id))
            return rollout_offers(r->stage, r->canary, r->version, &ks->kiosks[i]);
    return false;
}

static bool handle_offer_row(void *ctx, int ncols, const char *const *v)
{
    struct offers_seen *seen = ctx;
    seen->n++;
    if (ncols != 2 || !v[0] || !v[1] || !seen->r ||
        strtoll(v[1], NULL, 10) != seen->r->rollout_id || !offered(seen->r, seen->ks, v[0]))
        seen->equal = false;
    return true;
}

/* Whether kiosk_update already holds exactly what r's stage offers: the
 * server checks every refresh, and a fleet's offers change seldom. */
static bool offers_current(struct dashdb *db, const struct update_rollout *r,
                           const struct update_kiosks *ks, bool *current, char *err, size_t size)
{
    struct offers_seen seen = {r, ks, 0, true};
    if (!dashdb_exec(db, "SELECT kiosk_id, rollout_id FROM kiosk_update", NULL, 0, handle_offer_row,
                     &seen, NULL, err, size))
        return false;
    size_t wanted = 0;
    for (size_t i = 0; r && i < ks->n; i++)
        wanted += rollout_offers(r->stage, r->canary, r->version, &ks->kiosks[i]);
    *current = seen.equal && seen.n == wanted;
    return true;
}

/* kiosk_update made equal to what r's stage offers (one transaction). */
static bool write_offers(struct dashdb *db, const struct update_rollout *r,
                         const struct update_kiosks *ks, char *err, size_t size)
{
    bool current;
    if (!offers_current(db, r, ks, &current, err, size))
        return false;
    if (current)
        return true;
    if (!dashdb_exec(db, "BEGIN", NULL, 0, NULL, NULL, NULL, err, size))
        return false;
    bool ok = dashdb_exec(db, "DELETE FROM kiosk_update", NULL, 0, NULL, NULL, NULL, err, size);
    for (size_t i = 0; ok && r && i < ks->n; i++) {
        if (!rollout_offers(r->stage, r->canary, r->version, &ks->kiosks[i]))
            continue;
        const struct dashdb_value p[] = {DASHDB_TEXT(ks->kiosks[i].kiosk_id),
                                         DASHDB_INT(r->rollout_id), DASHDB_TEXT(r->version)};
        ok =
            dashdb_exec(db,
                        "INSERT INTO kiosk_update(kiosk_id, rollout_id, version, url, sha256, size)"
                        " SELECT $1, $2, version, url, sha256, size FROM update_bundles"
                        " WHERE version = $3",
                        p, 3, NULL, NULL, NULL, err, size);
    }
    if (ok)
        return dashdb_exec(db, "COMMIT", NULL, 0, NULL, NULL, NULL, err, size);
    char ignored[64];
    dashdb_exec(db, "ROLLBACK", NULL, 0, NULL, NULL, NULL, ignored, sizeof ignored);
    return false;
}

bool updates_check(struct dashdb *db, int64_t now_ms, enum rollout_step *step, char *err,
                   size_t size)
{
    struct update_rollout r;
    struct update_kiosks ks;
    bool found;
    if (step)
        *step = ROLLOUT_STEP_NONE;
    if (!updates_read_rollout(db, &r, &found, err, size))
        return false;
    /* without a rollout (most refreshes of most fleets) the kiosks are not
       read: no kiosk is offered anything, and write_offers needs none */
    ks = (struct update_kiosks){0};
    if (found && !updates_read_kiosks(db, &ks, err, size)) {
        updates_rollout_free(&r);
        return false;
    }
    bool ok = true;
    if (found) {
        struct rollout_progress p;
        rollout_progress(r.stage, r.paused_from, r.canary, r.excused, r.version, ks.kiosks, ks.n,
                         &p);
        enum rollout_step next = rollout_next_step(r.stage, &p);
        if (next == ROLLOUT_STEP_PAUSE) {
            const struct rollout_kiosk *k = &ks.kiosks[p.first_failed];
            char note[UPDATES_NOTE_MAX];
            snprintf(note, sizeof note, ROLLOUT_NOTE_PAUSED, k->kiosk_id, k->update_version,
                     k->update_state);
            ok = set_stage(db, &r, ROLLOUT_PAUSED, r.stage, ROLLOUT_BY_ITSELF, note, now_ms, err,
                           size);
            r.paused_from = r.stage;
            r.stage = ROLLOUT_PAUSED;
        } else if (next == ROLLOUT_STEP_DONE) {
            ok = set_stage(db, &r, ROLLOUT_DONE, r.stage, ROLLOUT_BY_ITSELF, ROLLOUT_NOTE_DONE,
                           now_ms, err, size);
            r.stage = ROLLOUT_DONE;
        }
        if (step)
            *step = next;
    }
    ok = ok && write_offers(db, found ? &r : NULL, &ks, err, size);
    updates_rollout_free(&r);
    updates_kiosks_free(&ks);
    return ok;
}
