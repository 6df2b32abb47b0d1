/*
 * update: received catalogs checked, kept and applied at an idle moment
 * (see update.h).
 */
#include "update.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "config.h"
#include "file.h"
#include "frame.h"
#include "kiosk.h"
#include "layers.h"
#include "log.h"
#include "session.h"
#include "sqlite_backend.h"
#include "sync_backend.h"
#include "status.h"
#include "store.h"
#include "store_catalog.h"
#include "sync.h"
#include "tz.h"

struct update {
    struct update_parts parts;
    int64_t next_poll_ms;    /* mono */
    int64_t seen;            /* sync_status.catalogs_received when last looked */
    bool recheck;            /* the store could not be read: look again next poll */
    bool departments_unsent; /* the sync thread was busy: hand them over next poll */
    int64_t pending_version; /* checked, waiting for an idle moment; 0: none */
    struct config pending;   /* its config */
    struct config previous;  /* the one in force, while a swap is under way */
    struct config_errors errors;
    char refused[STORE_CATALOG_ERROR_MAX + 32];
};

void update_departments_of(const struct config *c, char *department, size_t department_size,
                           char *mode, size_t mode_size, char *departments, size_t departments_size)
{
    bool picker = c->mode == CONFIG_MODE_PICKER;
    snprintf(department, department_size, "%s", picker ? "" : c->departments[c->department].id);
    snprintf(mode, mode_size, "%s", picker ? "picker" : "single");
    size_t n = 0;
    departments[0] = '\0';
    for (int i = 0; picker && i < c->department_count && n < departments_size; i++)
        if (config_offers(c, i)) /* a staff picker's: its internal teams */
            n += (size_t)snprintf(departments + n, departments_size - n, "%s%s", n ? "," : "",
                                  c->departments[i].id);
}

/* Checks version's body with the kiosk's own layers into *config; on
 * refusal writes "FILE:LINE: key: message" into error. */
static bool check(const struct layers *l, const struct store_catalog_entry *e,
                  struct config *config, struct config_errors *errors, char *error, size_t size)
{
    if (!layers_parse_catalog(l, e->version, e->body, config, errors)) {
        layers_error_summary(errors, error, size);
        return false;
    }
    if (config->catalog_version != e->version) {
        snprintf(error, size,
                 "catalog v%lld: catalog.version: %lld expected (the version it came as), "
                 "found %lld",
                 (long long)e->version, (long long)e->version, (long long)config->catalog_version);
        return false;
    }
    return true;
}

/* Marks e refused in store with error, loudly. */
static void refuse(struct store *store, const struct store_catalog_entry *e, const char *error)
{
    log_error("catalog: version %lld refused, keeping the config in force: %s",
              (long long)e->version, error);
    store_catalog_mark(store, e->version, STORE_CATALOG_REFUSED, error);
}

/* The latest applied catalog as l's third layer, if it still passes. */
static void run_applied(struct layers *l, struct store *store, struct config *config,
                        struct config_errors *errors)
{
    struct store_catalog_entry e;
    char error[STORE_CATALOG_ERROR_MAX];
    if (store_catalog_latest(store, true, &e) != 0 || e.version == 0) {
        log_info("catalog: none applied yet; running on %s alone", l->files);
        return;
    }
    if (check(l, &e, config, errors, error, sizeof error))
        layers_use_catalog(l, config);
    else
        log_error("catalog: version %lld no longer passes with %s (%s); running on the files alone",
                  (long long)e.version, l->files_alone, error);
    store_catalog_entry_free(&e);
}

void update_startup(struct layers *l, const char *store_path, int64_t now_utc_ms)
{
    if (l->bad)
        return;
    struct store *store = NULL;
    struct store_health health;
    struct config *config = malloc(sizeof *config);
    struct config_errors *errors = malloc(sizeof *errors);
    if (config == NULL || errors == NULL ||
        store_open(&store, store_path, l->config.kiosk_id, now_utc_ms, &health) != 0) {
        log_error("catalog: cannot read the store's catalogs; running on %s alone", l->files);
        free(config);
        free(errors);
        return;
    }
    struct store_catalog_entry e;
    char error[STORE_CATALOG_ERROR_MAX];
    if (store_catalog_latest(store, false, &e) == 0 && e.version > 0 &&
        e.state == STORE_CATALOG_RECEIVED) {
        if (check(l, &e, config, errors, error, sizeof error))
            store_catalog_mark(store, e.version, STORE_CATALOG_APPLIED, NULL);
        else
            refuse(store, &e, error);
    }
    store_catalog_entry_free(&e);
    run_applied(l, store, config, errors);
    store_close(store);
    free(config);
    free(errors);
}

struct update *update_create(const struct update_parts *parts)
{
    struct update *u = calloc(1, sizeof *u);
    if (u == NULL) {
        log_error("catalog: out of memory; catalogs received are applied at the next start");
        return NULL;
    }
    u->parts = *parts;
    struct store *store = session_store_acquire(parts->session);
    struct store_catalog_entry e;
    if (store != NULL && store_catalog_latest(store, false, &e) == 0) {
        if (e.state == STORE_CATALOG_REFUSED)
            snprintf(u->refused, sizeof u->refused, "version %lld: %s", (long long)e.version,
                     e.error);
        store_catalog_entry_free(&e);
    }
    if (store != NULL)
        session_store_release(parts->session);
    return u;
}

void update_destroy(struct update *u)
{
    free(u);
}

const char *update_refused(const struct update *u)
{
    return u != NULL ? u->refused : "";
}

/* The latest catalog the store holds, checked if it was not yet.  The
 * store is the session's, borrowed from its writer for the while (a new
 * catalog is rare); the writer being busy just means: look again next poll. */
static void check_latest(struct update *u)
{
    struct store *store = session_store_try(u->parts.session);
    struct store_catalog_entry e;
    char error[STORE_CATALOG_ERROR_MAX];
    u->recheck = store == NULL || store_catalog_latest(store, false, &e) != 0;
    if (u->recheck || e.version == 0 || e.state != STORE_CATALOG_RECEIVED) {
        if (!u->recheck)
            store_catalog_entry_free(&e);
        if (store != NULL)
            session_store_release(u->parts.session);
        return;
    }
    u->pending_version = 0;
    if (check(u->parts.layers, &e, &u->pending, &u->errors, error, sizeof error)) {
        u->pending_version = e.version;
        log_info("catalog: version %lld passes; applied at the next idle moment",
                 (long long)e.version);
    } else {
        refuse(store, &e, error);
        snprintf(u->refused, sizeof u->refused, "version %lld: %s", (long long)e.version, error);
        sync_thread_request(u->parts.sync); /* the fleet page hears of it now */
    }
    store_catalog_entry_free(&e);
    session_store_release(u->parts.session);
}

/* Marks version applied in the store (the writer's, borrowed). */
static void mark_applied(struct update *u, int64_t version)
{
    struct store *store = session_store_acquire(u->parts.session);
    if (store == NULL)
        return;
    store_catalog_mark(store, version, STORE_CATALOG_APPLIED, NULL);
    session_store_release(u->parts.session);
}

static void send_departments(struct update *u)
{
    char department[SYNC_TEXT_MAX], mode[8], departments[SYNC_DEPARTMENTS_MAX];
    update_departments_of(&u->parts.layers->config, department, sizeof department, mode,
                          sizeof mode, departments, sizeof departments);
    u->departments_unsent =
        !sync_thread_set_departments(u->parts.sync, department, mode, departments);
}

bool update_poll(struct update *u, struct clock_now now)
{
    if (u == NULL || u->parts.sync == NULL || now.mono_ms < u->next_poll_ms)
        return u != NULL && u->pending_version > 0;
    u->next_poll_ms = now.mono_ms + UPDATE_POLL_MS;
    if (u->departments_unsent)
        send_departments(u);
    struct sync_status st;
    if (sync_thread_status(u->parts.sync, &st) && (st.catalogs_received != u->seen || u->recheck)) {
        u->seen = st.catalogs_received;
        check_latest(u);
    }
    return u->pending_version > 0;
}

bool update_idle(const struct update *u, const struct kiosk_view *v)
{
    if (v->pressed_face != 0 || v->pressed_reason >= 0 || v->accessible)
        return false; /* in accessibility mode a customer is there */
    switch (v->screen) {
    case KIOSK_SCREEN_CLOSED:
    case KIOSK_SCREEN_PICKER:
        return true;
    case KIOSK_SCREEN_RATING: /* after a pick a customer stands there */
        return u->parts.layers->config.mode == CONFIG_MODE_SINGLE && v->language == 0;
    case KIOSK_SCREEN_FOLLOW_UP:
    case KIOSK_SCREEN_THANKS:
    case KIOSK_SCREEN_COMMENT:
        return false;
    }
    return false;
}

/* The machine and the zone, made anew from the config now in force. */
static bool rebuild(struct update *u, struct clock_now now)
{
    const struct config *c = &u->parts.layers->config;
    char err[256];
    struct tz *tz = tz_load(c->timezone, NULL, err, sizeof err);
    if (tz == NULL)
        log_error("tz: %s; opening hours are evaluated in UTC", err);
    struct kiosk *kiosk = kiosk_create(c, tz, now);
    if (kiosk == NULL) {
        tz_destroy(tz);
        return false;
    }
    kiosk_destroy(*u->parts.kiosk);
    tz_destroy(*u->parts.tz);
    *u->parts.kiosk = kiosk;
    *u->parts.tz = tz;
    u->parts.sources->tz = tz;
    return true;
}

/* True when a and b differ at most in their catalog version and path (both parsed
 * from zeroed structs by the same code, so equal values are equal bytes;
 * a difference in padding would only cost a rebuild). */
static bool same_but_version(const struct config *a, const struct config *b)
{
    struct config *copy = malloc(sizeof *copy);
    if (copy == NULL)
        return false;
    *copy = *a;
    copy->catalog_version = b->catalog_version;
    memcpy(copy->path, b->path, sizeof copy->path); /* names the first file read */
    bool same = memcmp(copy, b, sizeof *copy) == 0;
    free(copy);
    return same;
}

bool update_apply(struct update *u, struct clock_now now)
{
    if (u == NULL || u->pending_version == 0)
        return false;
    int64_t version = u->pending_version;
    u->pending_version = 0;
    struct layers *l = u->parts.layers;
    if (same_but_version(&u->pending, &l->config)) {
        /* nothing the kiosk shows or counts changes: keep the machine (its
           press filter remembers the last taps) */
        layers_use_catalog(l, &u->pending);
        mark_applied(u, version);
        u->refused[0] = '\0';
        log_info("catalog: version %lld applied (the same config as before)", (long long)version);
        sync_thread_request(u->parts.sync); /* report the version now, not an interval later */
        return false;
    }
    u->previous = l->config;
    char files[sizeof l->files];
    snprintf(files, sizeof files, "%s", l->files);
    layers_use_catalog(l, &u->pending);
    if (!rebuild(u, now)) {
        log_error("catalog: out of memory applying version %lld; kept the config in force",
                  (long long)version);
        l->config = u->previous;
        snprintf(l->files, sizeof l->files, "%s", files);
        return false;
    }
    frame_reload_texts(u->parts.frame, u->parts.assets_dir);
    mark_applied(u, version);
    u->refused[0] = '\0';
    send_departments(u);
    sync_thread_request(u->parts.sync); /* report the version now, not an interval later */
    log_info("catalog: version %lld applied", (long long)version);
    return true;
}

int64_t update_next_deadline_ms(const struct update *u, struct clock_now now)
{
    (void)now;
    return u == NULL || u->parts.sync == NULL ? INT64_MAX : u->next_poll_ms;
}

/* The kiosk's own files, laid over each other as it reads them; seeds target. */
static void seed_from(const char *const *names, const char *const *texts, int count,
                      const struct layers *l, const char *target, int64_t now_utc_ms)
{
    struct config_errors *errors = malloc(sizeof *errors);
    struct catalog *catalog =
        errors != NULL ? catalog_parse_layers(names, texts, count, errors) : NULL;
    char *body = catalog != NULL ? catalog_export(catalog) : NULL;
    char *rendering = catalog != NULL ? catalog_render(catalog, l->config.kiosk_id, 1) : NULL;
    char error[STORE_CATALOG_ERROR_MAX];
    if (body == NULL || rendering == NULL) {
        if (catalog == NULL && errors != NULL)
            layers_error_summary(errors, error, sizeof error);
        else
            snprintf(error, sizeof error, "out of memory");
        log_error("catalog: cannot seed %s from this kiosk's config: %s", target, error);
    } else {
        int seeded = sqlite_backend_seed_catalog(target, l->config.kiosk_id, body, rendering,
                                                 now_utc_ms, error, sizeof error);
        if (seeded < 0)
            log_error("%s", error);
        else if (seeded > 0)
            log_info("catalog: %s had none; seeded version 1 from %s", target, l->files_alone);
    }
    free(rendering);
    free(body);
    catalog_free(catalog);
    free(errors);
}

void update_seed(const struct layers *l, const char *target, int64_t now_utc_ms)
{
    if (l->bad || strcmp(target, "off") == 0 || sync_target_is_postgres(target))
        return;
    if (l->main_path[0] == '\0') { /* no config file: the development defaults */
        const char *name = "(development defaults)", *text = config_defaults_ini;
        seed_from(&name, &text, 1, l, target, now_utc_ms);
        return;
    }
    const char *names[2] = {l->main_path, l->override_path};
    char *owned[2] = {NULL, NULL};
    int count = l->override_path[0] != '\0' ? 2 : 1;
    for (int i = 0; i < count; i++) {
        int err_no = 0;
        owned[i] = file_read_text(names[i], &err_no);
        if (owned[i] == NULL) {
            log_error("catalog: cannot seed %s: %s: %s", target, names[i], file_error(err_no));
            count = -1;
            break;
        }
    }
    if (count > 0)
        seed_from(names, (const char *const *)owned, count, l, target, now_utc_ms);
    free(owned[0]);
    free(owned[1]);
}
