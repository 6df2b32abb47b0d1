/*
 * sync: the engine (see sync.h): rounds, back-off, status.  It takes time
 * as arguments, so tests can run it through a simulated week.
 */
#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "random.h"
#include "schema.h"
#include "sync_backend.h"
#include "sync_comments.h"
#include "sync_local.h"
#include "sync_prefetch.h"
#include "sync_update.h"
#include "utf8.h"

struct sync_engine {
    struct sync_settings settings;
    struct sync_backend *backend; /* owned */
    struct sync_status status;
    struct sync_local_batch batch; /* owned, reused */
    /* the next batch of a backlog, read while this one is pushed; owned,
       NULL when none is under way */
    struct sync_prefetch *prefetch;
    /* that next batch once taken, when the backend sends a push before the
       answer to the one before it is read (send and collect): owned;
       ahead_sent says its push is on its way, so the next round only
       reads its answer */
    struct sync_local_batch ahead;
    bool ahead_sent;
    /* the store's incarnation the last read found: a heartbeat sent alone
       (no batch) still names it, as the kiosks row it replaces does */
    char incarnation[SYNC_INCARNATION_MAX];
    /* the catalogs as the last read found them, likewise */
    int64_t catalog_latest, catalog_applied;
    char catalog_error[600];
    uint64_t rng; /* xorshift64 state, never 0 */
    int64_t next_due_mono_ms;
    bool warned_kiosk_id;           /* the store's kiosk_id differs from the config's: said once */
    struct sync_store_health store; /* the kiosk's store, for the heartbeat */
    /* the heartbeat's error texts, made UTF-8: one stray byte (a path, a
       library's message) must not fail the heartbeat, and with it the
       counts sent in the same transaction */
    char hb_error[512], hb_catalog[600], hb_store[256];
    struct sync_comments comments; /* the round's comments and the comment key */
    /* the system update: the updater's report, and the offer's text last
       known to be in its file ("" before the first round) */
    struct sync_update_report update;
    char offer_last[SYNC_UPDATE_URL_MAX + 256];
    /* an offer the kiosk refused to write (sync_update_offer_check): its
       version and why, reported as "refused" until the offer changes */
    char refused_version[SYNC_UPDATE_VERSION_MAX], refused_why[256];
    /* the seq the rows were last sent again from, the database holding
       less than the store believed (send_again; -1: never), and the
       highest cursor the database answered since: one that never went
       past it means the cursor does not move, and sending again would
       only loop */
    int64_t sent_again_from, cursor_high;
};

static const char *utf8_copy(char *buf, size_t size, const char *text)
{
    snprintf(buf, size, "%s", text);
    utf8_sanitize(buf);
    return buf;
}

void sync_settings_defaults(struct sync_settings *s)
{
    *s = (struct sync_settings){
        .interval_ms = 60 * 1000,
        .backoff_min_ms = 1000,
        .backoff_base_ms = 2000,
        .backoff_max_ms = 300 * 1000,
        .connect_timeout_ms = 10 * 1000,
        .push_timeout_ms = 60 * 1000,
        .batch_rows = 50000,
    };
    snprintf(s->app_version, sizeof s->app_version, "%s", WOW_VERSION);
    snprintf(s->timezone, sizeof s->timezone, "UTC");
    snprintf(s->mode, sizeof s->mode, "single");
}

const char *sync_state_name(enum sync_state state)
{
    switch (state) {
    case SYNC_STATE_STARTING:
        return "starting";
    case SYNC_STATE_OK:
        return "ok";
    case SYNC_STATE_FAILING:
        return "failing";
    case SYNC_STATE_OFF:
        return "off";
    }
    return "?";
}

struct sync_backend *sync_backend_create(const char *target, int cancel_fd)
{
    if (sync_target_is_postgres(target))
        return postgres_backend_create(target, cancel_fd);
    struct sync_backend *b = sqlite_backend_create(target);
    if (b != NULL)
        sqlite_backend_set_cancel(b, cancel_fd);
    return b;
}

/* Real elapsed time, for the log (the engine's own clock may be simulated). */
static int64_t elapsed_ms(void)
{
    return clock_real().mono_ms;
}

static uint64_t seed_from_urandom(void)
{
    uint64_t seed = 0;
    if (!random_bytes(&seed, sizeof seed))
        seed = 0;
    return seed ? seed : 0x9E3779B97F4A7C15ULL; /* jitter still spreads, if less well */
}

struct sync_engine *sync_engine_create(const struct sync_settings *settings, int cancel_fd)
{
    struct sync_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->settings = *settings;
    /* a push is one pipeline of at most 64 statements of 20000 rows */
    if (e->settings.batch_rows <= 0 || e->settings.batch_rows > SYNC_BATCH_ROWS_MAX)
        e->settings.batch_rows = SYNC_BATCH_ROWS_MAX;
    e->backend = sync_backend_create(settings->target, cancel_fd);
    if (!e->backend) {
        free(e);
        return NULL;
    }
    e->rng = settings->seed ? settings->seed : seed_from_urandom();
    e->next_due_mono_ms = INT64_MIN;
    e->sent_again_from = e->cursor_high = -1;
    e->status.state = SYNC_STATE_STARTING;
    snprintf(e->status.backend, sizeof e->status.backend, "%s", e->backend->ops->name);
    return e;
}

void sync_engine_destroy(struct sync_engine *e)
{
    if (!e)
        return;
    sync_prefetch_cancel(e->prefetch);
    e->backend->ops->destroy(e->backend);
    sync_local_batch_free(&e->batch);
    sync_local_batch_free(&e->ahead);
    sync_comments_free(&e->comments);
    free(e);
}

static uint64_t next_random(struct sync_engine *e)
{
    e->rng ^= e->rng << 13;
    e->rng ^= e->rng >> 7;
    e->rng ^= e->rng << 17;
    return e->rng;
}

/* Full jitter: uniform in [0, min(max, base * 2^failures)], after a floor
 * that keeps a dead server from turning into a busy loop. */
static int64_t backoff_ms(struct sync_engine *e, int failures)
{
    const struct sync_settings *s = &e->settings;
    int64_t ceiling = s->backoff_base_ms;
    for (int i = 1; i < failures && ceiling < s->backoff_max_ms; i++)
        ceiling *= 2;
    if (ceiling > s->backoff_max_ms)
        ceiling = s->backoff_max_ms;
    return s->backoff_min_ms + (int64_t)(next_random(e) % (uint64_t)(ceiling + 1));
}

/* The heartbeat goes in the same transaction as the rows, so it is only
 * ever stored if the push succeeds: it says so (no error; a success now
 * if nothing is left waiting).  error, when not NULL, is sent instead
 * with a heartbeat that carries no rows. */
static void heartbeat_for(struct sync_engine *e, const struct sync_local_batch *batch,
                          int64_t now_utc_ms, const char *error, struct sync_heartbeat *h)
{
    const struct sync_settings *s = &e->settings;
    /* every text fits the database's bounds (schema step 17) with room: a
       byte is at most a character, and the NUL is counted too */
#define FITS(field, bound) _Static_assert(sizeof(field) <= (bound), #field " fits " #bound)
    FITS(s->site, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(s->label, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(s->department, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(s->timezone, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(s->app_version, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(s->mode, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(s->departments, SCHEMA_KIOSK_LIST_MAX_CHARS);
    FITS(batch->incarnation, SCHEMA_KIOSK_ID_MAX_CHARS);
    FITS(e->hb_error, SCHEMA_KIOSK_ERROR_MAX_CHARS);
    FITS(e->hb_catalog, SCHEMA_KIOSK_ERROR_MAX_CHARS);
    FITS(e->hb_store, SCHEMA_KIOSK_ERROR_MAX_CHARS);
    FITS(e->update.slot, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(e->update.version, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(e->update.state, SCHEMA_KIOSK_NAME_MAX_CHARS);
    FITS(e->update.error, SCHEMA_KIOSK_ERROR_MAX_CHARS);
#undef FITS
    /* a failed round's error first, and the kiosk's own problem after it:
       the sync's trouble must not hide the kiosk's (both cut to fit) */
    char both[sizeof e->hb_error];
    const char *last_error = error ? error : s->problem;
    if (error && s->problem[0] != '\0') {
        _Static_assert(sizeof both >= 255 + 2 + 254 + 1, "both halves fit");
        snprintf(both, sizeof both, "%.255s; %.254s", error, s->problem);
        last_error = both;
    }
    int64_t success = e->status.last_success_utc_ms;
    /* records waiting in memory are not sent either: no success yet */
    if (!error && batch->backlog_after == 0 && e->store.waiting == 0)
        success = now_utc_ms;
    *h = (struct sync_heartbeat){
        .kiosk_id = s->kiosk_id,
        .site = s->site,
        .label = s->label,
        .department = s->department,
        .timezone = s->timezone,
        .app_version = s->app_version,
        .incarnation = batch->incarnation,
        .kiosk_clock_ms = now_utc_ms,
        .last_success_ms = success,
        .backlog = batch->backlog_after,
        .last_error = utf8_copy(e->hb_error, sizeof e->hb_error, last_error),
        .catalog_version = e->catalog_applied,
        .catalog_error = utf8_copy(e->hb_catalog, sizeof e->hb_catalog, e->catalog_error),
        .mode = s->mode,
        .departments = s->departments,
        .store_waiting = e->store.waiting,
        .store_error = utf8_copy(e->hb_store, sizeof e->hb_store, e->store.error),
        .store_error_since_ms = e->store.since_ms,
        .slot = e->update.slot,
        .update_version = e->update.version,
        .update_state = e->update.state,
        .update_error = e->update.error,
    };
}

/* The updater's report for the heartbeat, or the kiosk's own refusal of
 * the offer while it stands. */
static void read_update_report(struct sync_engine *e)
{
    if (e->settings.update_dir[0] == '\0')
        return;
    sync_update_read_report(e->settings.update_dir, &e->update);
    _Static_assert(sizeof e->settings.slot == sizeof e->update.slot, "one slot size");
    if (e->settings.slot[0] != '\0') /* the report's is the slot it was written on */
        memcpy(e->update.slot, e->settings.slot, sizeof e->update.slot);
    e->status.update = e->update;
    if (e->refused_why[0] == '\0')
        return;
    snprintf(e->update.version, sizeof e->update.version, "%s", e->refused_version);
    snprintf(e->update.state, sizeof e->update.state, "refused");
    snprintf(e->update.error, sizeof e->update.error, "the offer's %s", e->refused_why);
    e->status.update = e->update;
}

/* The push of a batch read from the store, without comments. */
static struct sync_batch batch_of(const struct sync_engine *e, const struct sync_local_batch *lb)
{
    return (struct sync_batch){
        .kiosk_id = lb->kiosk_id,
        .incarnation = lb->incarnation,
        .catalog_have = e->catalog_latest,
        .counts = lb->counts,
        .count_n = lb->count_n,
        .reasons = lb->reasons,
        .reason_n = lb->reason_n,
        .from_seq = lb->synced_seq,
        .upto_seq = lb->upper_seq,
    };
}

/* The round's own push: e->batch with the round's comments, and its
 * heartbeat (error as in heartbeat_for). */
static void round_push(struct sync_engine *e, int64_t now_utc_ms, const char *error,
                       struct sync_batch *batch, struct sync_heartbeat *heartbeat)
{
    *batch = batch_of(e, &e->batch);
    sync_comments_to_batch(&e->comments, batch);
    read_update_report(e);
    heartbeat_for(e, &e->batch, now_utc_ms, error, heartbeat);
}

/* The heartbeat the database would not take (heartbeat_refused), bare:
 * the kiosk's ids, zone and numbers, every free text emptied, and a short
 * last_error saying so.  The counts go with it; what the texts say waits
 * for a heartbeat the database takes.  Uses e->hb_error. */
static void bare_heartbeat(struct sync_engine *e, struct sync_heartbeat *h)
{
    log_warn("%s (the counts go again with a bare heartbeat)", e->backend->last_error);
    snprintf(e->hb_error, sizeof e->hb_error,
             "the database refused this kiosk's heartbeat, sent without its texts: %.300s",
             e->backend->last_error);
    utf8_sanitize(e->hb_error);
    h->site = h->label = h->app_version = "";
    h->catalog_error = h->store_error = "";
    h->slot = h->update_version = h->update_state = h->update_error = "";
    h->last_error = e->hb_error;
}

/* Connects and pushes the batch, retrying serialization failures, and
 * once with a bare heartbeat when the database refuses its heartbeat
 * (bare: at once); error as in heartbeat_for.  *fetched: the catalog read
 * with it. */
static enum sync_result push_batch(struct sync_engine *e, int64_t now_utc_ms, const char *error,
                                   bool bare, struct sync_push_stats *stats,
                                   struct sync_fetched *fetched)
{
    struct sync_backend *b = e->backend;
    struct sync_batch batch;
    struct sync_heartbeat heartbeat;
    round_push(e, now_utc_ms, error, &batch, &heartbeat);
    if (bare)
        bare_heartbeat(e, &heartbeat);
    *fetched = (struct sync_fetched){0};
    enum sync_result r = SYNC_ERR_RETRY;
    for (int attempt = 0; r == SYNC_ERR_RETRY && attempt <= SYNC_IMMEDIATE_RETRIES; attempt++) {
        b->heartbeat_refused = false;
        r = b->ops->connect(b, e->settings.connect_timeout_ms);
        if (r == SYNC_OK)
            r = b->ops->push(b, &batch, &heartbeat, stats, fetched, e->settings.push_timeout_ms);
        if (r != SYNC_OK && b->heartbeat_refused && !bare) {
            bare = true;
            bare_heartbeat(e, &heartbeat);
            r = SYNC_ERR_RETRY;
        }
    }
    return r;
}

/* Real milliseconds until deadline (elapsed_ms's clock), at least 1. */
static int64_t time_left(int64_t deadline)
{
    int64_t left = deadline - elapsed_ms();
    return left > 0 ? left : 1;
}

/* Forgets the batch sent ahead, and its push with the connection: it
 * follows a batch not recorded.  Sent again from the store later. */
static void drop_ahead(struct sync_engine *e)
{
    if (e->ahead_sent)
        e->backend->ops->disconnect(e->backend);
    e->ahead_sent = false;
    sync_local_batch_free(&e->ahead);
}

/* A backlog's next batch, read while this one was sent, goes out before
 * the answer to this one is read: the server works on it while the kiosk
 * reads that answer and records its batch.  It carries no comments and
 * reads no catalog (this push does); its answer is the next round's.
 * Nothing is lost when it cannot go: the next round reads it again.
 * Returns the send's result (SYNC_OK when there was nothing to send). */
static enum sync_result send_ahead(struct sync_engine *e, int64_t now_utc_ms, int64_t timeout_ms)
{
    struct sync_prefetch *ahead = e->prefetch;
    char error[512];
    e->prefetch = NULL;
    if (!ahead)
        return SYNC_OK;
    if (sync_prefetch_take(ahead, &e->ahead, error, sizeof error) != 0) {
        log_warn("%s (read again next round)", error);
        return SYNC_OK;
    }
    /* Read from a store made anew since this batch's read (quarantined),
       its range would start at this store's seq, not the new one's
       synced_seq: recording it would pass over the new store's first
       rows.  Left to the next round, which reads the new store afresh
       (read_batch's recheck, for the same reason). */
    if (strcmp(e->ahead.incarnation, e->batch.incarnation) != 0) {
        sync_local_batch_free(&e->ahead);
        return SYNC_OK;
    }
    if (e->ahead.backlog_after > 0)
        e->prefetch =
            sync_prefetch_start(e->settings.store_path, e->settings.batch_rows, e->ahead.upper_seq);
    struct sync_batch batch = batch_of(e, &e->ahead);
    batch.no_fetch = true;
    struct sync_heartbeat heartbeat;
    heartbeat_for(e, &e->ahead, now_utc_ms, NULL, &heartbeat);
    enum sync_result r = e->backend->ops->send(e->backend, &batch, &heartbeat, timeout_ms);
    e->ahead_sent = r == SYNC_OK;
    e->status.pushes_ahead += e->ahead_sent;
    if (!e->ahead_sent) {
        sync_local_batch_free(&e->ahead);
        sync_prefetch_cancel(e->prefetch);
        e->prefetch = NULL;
    }
    return r;
}

/* The round's push: e->batch sent now, or by the round before (sent);
 * while a backlog goes on, the next batch is sent before this answer is
 * read, where the backend can (send and collect).  A push that must be
 * tried again goes alone, as push_batch does. */
static enum sync_result push_round(struct sync_engine *e, bool sent, int64_t now_utc_ms,
                                   struct sync_push_stats *stats, struct sync_fetched *fetched)
{
    struct sync_backend *b = e->backend;
    bool halves = b->ops->send != NULL && b->ops->collect != NULL;
    *fetched = (struct sync_fetched){0};           /* as push_batch leaves it on every path */
    if (!halves || (!sent && e->prefetch == NULL)) /* sent: by send, so halves */
        return push_batch(e, now_utc_ms, NULL, false, stats, fetched);
    b->heartbeat_refused = false;
    enum sync_result r = SYNC_OK;
    struct sync_batch batch;
    struct sync_heartbeat heartbeat;
    if (!sent) {
        round_push(e, now_utc_ms, NULL, &batch, &heartbeat);
        r = b->ops->connect(b, e->settings.connect_timeout_ms);
    }
    /* the round's halves share one push timeout, as one push did: a server
       that stalls holds the round no longer */
    int64_t deadline = elapsed_ms() + e->settings.push_timeout_ms;
    if (!sent && r == SYNC_OK)
        r = b->ops->send(b, &batch, &heartbeat, time_left(deadline));
    if (r == SYNC_OK) /* failed: the connection went, and this answer with it */
        r = send_ahead(e, now_utc_ms, time_left(deadline));
    if (r == SYNC_OK)
        r = b->ops->collect(b, stats, fetched, time_left(deadline));
    if (r != SYNC_OK)
        drop_ahead(e);
    if (r == SYNC_ERR_RETRY || (r != SYNC_OK && b->heartbeat_refused))
        r = push_batch(e, now_utc_ms, NULL, b->heartbeat_refused, stats, fetched);
    return r;
}

static void round_failed(struct sync_engine *e, int64_t now_mono_ms, const char *error)
{
    struct sync_status *st = &e->status;
    sync_prefetch_cancel(e->prefetch); /* it follows a batch not recorded */
    e->prefetch = NULL;
    drop_ahead(e);
    st->state = SYNC_STATE_FAILING;
    st->rounds_failed++;
    st->consecutive_failures++;
    snprintf(st->last_error, sizeof st->last_error, "%s", error);
    int64_t wait = backoff_ms(e, st->consecutive_failures);
    e->next_due_mono_ms = now_mono_ms + wait;
    log_warn("sync: round failed (%d in a row); next try in %lld ms, %lld rows waiting",
             st->consecutive_failures, (long long)wait, (long long)st->backlog);
}

static void round_succeeded(struct sync_engine *e, int64_t now_mono_ms, int64_t now_utc_ms,
                            const struct sync_push_stats *stats, int64_t read_ms, int64_t push_ms)
{
    struct sync_status *st = &e->status;
    if (st->consecutive_failures > 0)
        log_info("sync: %s reachable again after %d failed rounds", st->backend,
                 st->consecutive_failures);
    st->state = SYNC_STATE_OK;
    st->rounds_ok++;
    st->consecutive_failures = 0;
    st->last_error[0] = '\0';
    st->rows_sent += stats->rows_sent;
    st->last_round_rows = stats->rows_sent;
    st->last_round_trips = stats->round_trips;
    st->backlog = e->batch.backlog_after;
    if (e->batch.backlog_after == 0 && e->store.waiting == 0) /* as heartbeat_for */
        st->last_success_utc_ms = now_utc_ms;
    /* a backlog goes out batch after batch; otherwise wait the interval */
    e->next_due_mono_ms = now_mono_ms + (e->batch.backlog_after > 0 ? 0 : e->settings.interval_ms);
    if (stats->rows_sent > 0)
        log_info("sync: sent %lld rows (seq %lld..%lld) in %lld ms (read %lld ms), %lld waiting",
                 (long long)stats->rows_sent, (long long)e->batch.synced_seq,
                 (long long)e->batch.upper_seq, (long long)push_ms, (long long)read_ms,
                 (long long)e->batch.backlog_after);
}

/* No rows can go (the store cannot be read, or the database refused
 * them), but the heartbeat alone can still tell the fleet page why this
 * kiosk's counts stopped arriving: error becomes its last_error. */
static void send_heartbeat_alone(struct sync_engine *e, int64_t now_utc_ms, const char *error)
{
    snprintf(e->status.last_error, sizeof e->status.last_error, "%s", error);
    sync_local_batch_free(&e->batch); /* no rows, and no range: the cursor stays */
    sync_comments_free(&e->comments);
    e->batch.synced_seq = e->batch.upper_seq = -1;
    snprintf(e->batch.incarnation, sizeof e->batch.incarnation, "%s", e->incarnation);
    e->batch.backlog_after = e->status.backlog;
    struct sync_push_stats stats = {0};
    struct sync_fetched fetched; /* the store cannot keep it now: fetched again later */
    if (push_batch(e, now_utc_ms, error, false, &stats, &fetched) == SYNC_OK)
        log_info("sync: heartbeat sent with the error");
    free(fetched.body);
    e->status.connect_attempts = e->backend->connect_attempts;
}

/* A fetched catalog goes into the store for the kiosk to check and apply;
 * status.catalogs_received tells it one came.  One the store cannot take
 * now is fetched again next round. */
static void keep_catalog(struct sync_engine *e, const struct sync_fetched *fetched,
                         int64_t now_utc_ms)
{
    char error[512];
    if (fetched->version <= 0)
        return;
    if (fetched->body == NULL && fetched->length <= SYNC_CATALOG_BODY_MAX) {
        log_error("sync: out of memory reading catalog version %lld; fetched again next round",
                  (long long)fetched->version);
        return;
    }
    if (sync_local_put_catalog(e->settings.store_path, fetched, now_utc_ms, error, sizeof error) !=
        0) {
        log_error("%s (catalog version %lld is fetched again next round)", error,
                  (long long)fetched->version);
        return;
    }
    e->catalog_latest = fetched->version;
    e->status.catalog_latest = fetched->version;
    e->status.catalogs_received++;
    log_info("sync: catalog version %lld received (%zu bytes)", (long long)fetched->version,
             fetched->length);
}

/* The offer read with the push goes to the updater's file (or the file
 * goes, when nothing is offered or the kiosk never installs); one whose fields are not what the
 * updater takes is not written, and the heartbeat says why. */
static void keep_update(struct sync_engine *e, const struct sync_fetched *fetched)
{
    const struct sync_settings *s = &e->settings;
    if (s->update_dir[0] == '\0' || !fetched->update_read)
        return;
    struct sync_update_offer offer = fetched->update;
    if (!s->update_offers) /* a kiosk set never to install: nothing to fetch, none left */
        offer = (struct sync_update_offer){0};
    char why[sizeof e->refused_why], error[512];
    if (sync_update_offer_check(&offer, why, sizeof why)) {
        e->refused_why[0] = '\0';
    } else {
        if (strcmp(why, e->refused_why) != 0)
            log_error("sync: the system update offered is refused: %s", why);
        snprintf(e->refused_why, sizeof e->refused_why, "%s", why);
        snprintf(e->refused_version, sizeof e->refused_version, "%s",
                 sync_update_version_ok(offer.version) ? offer.version : "");
        offer.present = false; /* nothing for the updater */
    }
    if (sync_update_put_offer(s->update_dir, &offer, e->offer_last, sizeof e->offer_last, error,
                              sizeof error) != 0)
        log_error("%s (tried again next round)", error);
}

/* The database holds the store's rows only up to cursor, below where this
 * batch started: the store's mark says more was sent than arrived (sent
 * to another target, a boot without the kiosk's own settings; or the
 * database restored from an older copy).  The store's mark goes back to
 * cursor and the rows after it go again, at once: counts are absolute
 * and merged by the greater value, so what the database has is never
 * counted twice.  Returns 0, or -1 with error (the round failed). */
static int send_again(struct sync_engine *e, int64_t cursor, char *error, size_t size)
{
    const char *path = e->settings.store_path;
    if (e->sent_again_from >= 0 && e->cursor_high <= e->sent_again_from) {
        snprintf(error, size,
                 "sync: the %s database's cursor for store %s never went past seq %lld after "
                 "the rows after it were sent again (it answers %lld now; can this kiosk "
                 "update sync_cursors?)",
                 e->status.backend, e->batch.incarnation, (long long)e->sent_again_from,
                 (long long)cursor);
        return -1;
    }
    sync_prefetch_cancel(e->prefetch); /* they follow the mark that goes back */
    e->prefetch = NULL;
    drop_ahead(e);
    if (cursor == 0)
        log_warn("sync: the %s database holds none of store %s's rows, which the store believed "
                 "sent up to seq %lld: sending them all again",
                 e->status.backend, e->batch.incarnation, (long long)e->batch.synced_seq);
    else
        log_warn("sync: the %s database holds store %s's rows only up to seq %lld, not %lld as "
                 "the store believed: sending them from seq %lld again",
                 e->status.backend, e->batch.incarnation, (long long)cursor,
                 (long long)e->batch.synced_seq, (long long)cursor);
    if (sync_local_rewind(path, &e->batch, cursor, error, size) != 0)
        return -1;
    e->sent_again_from = cursor;
    e->cursor_high = cursor;
    int64_t backlog = sync_local_backlog(path);
    e->batch.backlog_after = backlog > 0 ? backlog : 1; /* the next round at once, whatever */
    return 0;
}

/* The round's batch: the one read ahead while the last one was pushed,
 * if it still follows what the store recorded; otherwise read now.  A
 * backlog that goes on has its next batch read ahead, while this one is
 * pushed. */
static int read_batch(struct sync_engine *e, char *error, size_t size)
{
    const char *path = e->settings.store_path;
    struct sync_prefetch *ahead = e->prefetch;
    e->prefetch = NULL;
    bool taken = ahead != NULL && sync_prefetch_take(ahead, &e->batch, error, size) == 0 &&
                 sync_local_recheck(path, &e->batch, error, size) == 1;
    if (!taken && sync_local_read(path, e->settings.batch_rows, &e->batch, error, size) != 0)
        return -1;
    if (e->batch.backlog_after > 0)
        e->prefetch = sync_prefetch_start(path, e->settings.batch_rows, e->batch.upper_seq);
    return 0;
}

static void run_round(struct sync_engine *e, int64_t now_mono_ms, int64_t now_utc_ms)
{
    struct sync_status *st = &e->status;
    char error[512];
    st->last_attempt_utc_ms = now_utc_ms;
    int64_t started = elapsed_ms();
    bool sent = e->ahead_sent; /* by the round before: only its answer is read now */
    if (sent) {                /* the batch sent ahead is this round's now */
        sync_local_batch_free(&e->batch);
        e->batch = e->ahead;
        e->ahead = (struct sync_local_batch){0};
        e->ahead_sent = false;
    } else if (read_batch(e, error, sizeof error) != 0) {
        log_error("%s", error);
        send_heartbeat_alone(e, now_utc_ms, error);
        round_failed(e, now_mono_ms, error);
        return;
    }
    snprintf(e->incarnation, sizeof e->incarnation, "%s", e->batch.incarnation);
    if (!sent) { /* a batch sent ahead was read before the catalog the last push kept */
        e->catalog_latest = e->batch.catalog_latest;
        e->catalog_applied = e->batch.catalog_applied;
        st->catalog_latest = e->batch.catalog_latest;
        snprintf(e->catalog_error, sizeof e->catalog_error, "%s", e->batch.catalog_error);
    }
    if (!e->warned_kiosk_id && strcmp(e->batch.kiosk_id, e->settings.kiosk_id) != 0) {
        log_warn("sync: the store %s was made for kiosk %s, the config says %s: its rows are "
                 "sent as %s's (a database of its role may refuse them)",
                 e->settings.store_path, e->batch.kiosk_id, e->settings.kiosk_id,
                 e->batch.kiosk_id);
        e->warned_kiosk_id = true;
    }
    st->backlog = e->batch.backlog_before;
    if (sent) { /* it went without comments */
        sync_comments_free(&e->comments);
        e->comments.send_key = false;
    } else if (sync_comments_read(&e->comments, e->settings.store_path, e->batch.incarnation, error,
                                  sizeof error) != 0)
        log_warn("%s (the counts go without the comments)", error);
    int64_t read_ms = elapsed_ms() - started;
    struct sync_push_stats stats = {0};
    struct sync_fetched fetched;
    enum sync_result r = push_round(e, sent, now_utc_ms, &stats, &fetched);
    int64_t push_ms = elapsed_ms() - started - read_ms;
    bool behind = r == SYNC_OK && fetched.cursor_read && fetched.cursor < e->batch.synced_seq;
    if (r == SYNC_OK && fetched.cursor_read && !behind && fetched.cursor > e->cursor_high)
        e->cursor_high = fetched.cursor;
    if (r == SYNC_OK) {
        keep_catalog(e, &fetched, now_utc_ms);
        keep_update(e, &fetched);
    }
    free(fetched.body);
    st->connect_attempts = e->backend->connect_attempts;
    if (r == SYNC_ERR_SERVER)
        sync_comments_refused(&e->comments);
    if (r == SYNC_ERR_SERVER && (e->batch.count_n > 0 || e->batch.reason_n > 0)) {
        /* the rows were refused (row-level security, a constraint): the
           heartbeat alone may still pass and show the fleet page why */
        char refused[sizeof e->backend->last_error];
        snprintf(refused, sizeof refused, "%s", e->backend->last_error);
        send_heartbeat_alone(e, now_utc_ms, refused);
        snprintf(e->backend->last_error, sizeof e->backend->last_error, "%s", refused);
    }
    if (r != SYNC_OK) {
        round_failed(e, now_mono_ms, e->backend->last_error);
        return;
    }
    if (behind) {
        if (send_again(e, fetched.cursor, error, sizeof error) != 0) {
            log_error("%s", error);
            round_failed(e, now_mono_ms, error);
            return;
        }
    } else if (sync_local_mark(e->settings.store_path, &e->batch, error, sizeof error) != 0) {
        /* pushed: a failure to record it only means a harmless resend */
        log_error("%s (the rows will be sent again)", error);
        round_failed(e, now_mono_ms, error);
        return;
    }
    size_t comments = e->comments.n;
    if (sync_comments_pushed(&e->comments, e->settings.store_path, e->batch.incarnation, error,
                             sizeof error) != 0)
        log_error("%s (the comments will be sent again)", error);
    round_succeeded(e, now_mono_ms, now_utc_ms, &stats, read_ms, push_ms);
    /* more comments may wait, or they waited while the batches went ahead:
       the next round at once */
    if (comments == SYNC_COMMENTS_PER_ROUND || sent)
        e->next_due_mono_ms = now_mono_ms;
}

int64_t sync_engine_step(struct sync_engine *e, int64_t now_mono_ms, int64_t now_utc_ms)
{
    if (now_mono_ms >= e->next_due_mono_ms)
        run_round(e, now_mono_ms, now_utc_ms);
    e->status.next_attempt_mono_ms = e->next_due_mono_ms;
    return e->next_due_mono_ms;
}

void sync_engine_request(struct sync_engine *e)
{
    e->next_due_mono_ms = INT64_MIN;
}

void sync_engine_set_departments(struct sync_engine *e, const char *department, const char *mode,
                                 const char *departments)
{
    struct sync_settings *s = &e->settings;
    snprintf(s->department, sizeof s->department, "%s", department);
    snprintf(s->mode, sizeof s->mode, "%s", mode);
    snprintf(s->departments, sizeof s->departments, "%s", departments);
}

void sync_engine_set_store_health(struct sync_engine *e, const struct sync_store_health *health)
{
    e->store = *health;
}

void sync_engine_status(const struct sync_engine *e, struct sync_status *out)
{
    *out = e->status;
}
