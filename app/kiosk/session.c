/*
 * session: record actions go to the store, or wait in memory (see session.h).
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "spill.h"
#include "store.h"

#define RETRY_FIRST_MS 250
#define RETRY_MAX_MS   30000
#define REOPEN_AFTER   3     /* failed writes in a row before the store is reopened */
#define PROBE_EVERY_MS 10000 /* how often a failing session asks whether a spill place works */
#define CHECK_EVERY_MS 1000  /* how often an idle session checks its store's file */

enum record_kind { RECORD_TAP, RECORD_FOLLOWUP };

struct record {
    enum record_kind kind;
    struct store_tap tap;
    struct store_followup followup;
};

struct session {
    const struct config *config;
    char store_path[CONFIG_PATH_MAX];
    struct store *store; /* owned; NULL while it cannot be opened */
    int64_t last_tap_id; /* follow-ups belong to this tap; 0 = none yet */

    /* FIFO ring of records the store has not taken yet. */
    struct record queue[SESSION_QUEUE_MAX];
    int head, len;
    int64_t retry_at_ms, retry_delay_ms;
    int dropped;    /* records lost because the queue was full */
    int64_t stored; /* records the store took, since creation */

    /* The store's failures, for the heartbeat and the technician screen. */
    int failures;                  /* writes failed in a row; 0 while it works */
    char error[SESSION_ERROR_MAX]; /* the last failure's message; "" while it works */
    int64_t error_since_utc_ms;    /* when the store started failing; 0 while it works */
    bool spill_ok;                 /* a spill place took a probe (at probed_mono_ms) */
    int64_t probed_mono_ms;        /* 0: never probed */
    struct spill_places spill;     /* where records go at a stop (spill.h) */
    char spill_dirs[SPILL_PLACES_MAX][512];
    int spill_waiting;       /* spill files not replayed yet */
    int64_t checked_mono_ms; /* the store's file last checked (session_poll) */
};

/* The state machine's follow-up ends, as the store's (which spells them). */
static const enum store_followup_end store_ends[] = {[FOLLOWUP_CHOSEN] = STORE_FOLLOWUP_CHOSEN,
                                                     [FOLLOWUP_SKIPPED] = STORE_FOLLOWUP_SKIPPED,
                                                     [FOLLOWUP_TIMEOUT] = STORE_FOLLOWUP_TIMEOUT};

/* The store failed: keeps what it said (the last error line this thread
 * logged) and since when. */
static void note_failure(struct session *session, const char *what, int64_t now_utc_ms)
{
    const char *logged = log_thread_last_error();
    snprintf(session->error, sizeof session->error, "%s%s%s", what, logged[0] ? ": " : "", logged);
    if (session->error_since_utc_ms == 0)
        session->error_since_utc_ms = now_utc_ms > 0 ? now_utc_ms : 1;
}

static void note_success(struct session *session)
{
    session->failures = 0;
    session->error[0] = '\0';
    session->error_since_utc_ms = 0;
}

/* Spill files left by an earlier stop go into the store first, in order. */
static void replay_spills(struct session *session)
{
    if (session->store == NULL)
        return;
    int n = spill_replay(&session->spill, session->store);
    if (n > 0)
        session->stored += n;
    session->spill_waiting = n < 0 ? spill_count(&session->spill) : 0;
}

static void open_store(struct session *session, int64_t now_utc_ms)
{
    struct store_health health;
    if (store_open(&session->store, session->store_path, session->config->kiosk_id, now_utc_ms,
                   &health) != 0) {
        session->store = NULL;
        note_failure(session, "cannot open the store", now_utc_ms); /* the store's own words */
        log_error("session: store %s cannot be opened; taps wait in memory and it is retried",
                  session->store_path);
        return;
    }
    if (health.quarantined)
        log_error("session: the store was corrupt and moved to %s; a new one was created",
                  health.quarantine_path);
    replay_spills(session);
}

struct session *session_create(const struct config *config, const char *store_path,
                               int64_t now_utc_ms)
{
    struct session *session = calloc(1, sizeof *session);
    if (session == NULL)
        return NULL;
    session->config = config;
    size_t len = strlen(store_path);
    if (len >= sizeof session->store_path)
        len = sizeof session->store_path - 1; /* config limits paths to the same size */
    memcpy(session->store_path, store_path, len);
    session->retry_delay_ms = RETRY_FIRST_MS;
    spill_places_of(&session->spill, session->store_path, config->store_spill_dir,
                    session->spill_dirs);
    open_store(session, now_utc_ms);
    spill_reserve_prepare(&session->spill);
    return session;
}

/* Before a write: the store's file still the one it has open (store.h). */
static void recheck_store(struct session *session, int64_t now_utc_ms)
{
    struct store_health health;
    if (store_recheck(&session->store, now_utc_ms, &health) != 0 && session->store == NULL)
        note_failure(session, "the store's file changed and could not be reopened", now_utc_ms);
    else if (health.quarantined)
        log_error("session: the store found at %s was corrupt and moved to %s", session->store_path,
                  health.quarantine_path);
}

/* Writes one record.  Returns true when the record is done with: stored,
 * or refused for good (logged: the state machine never makes such a
 * record, so it is a bug, and retrying it would block every later tap). */
static bool write_record(struct session *session, const struct record *r, int64_t now_utc_ms)
{
    if (session->store != NULL)
        recheck_store(session, now_utc_ms);
    if (session->store == NULL)
        return false;
    int rc;
    if (r->kind == RECORD_TAP) {
        int64_t id;
        rc = store_record_tap(session->store, &r->tap, &id);
        if (rc == 0)
            session->last_tap_id = id;
    } else if (session->last_tap_id == 0) {
        return true; /* its tap was dropped: nothing to attach it to */
    } else {
        rc = store_record_followup(session->store, session->last_tap_id, &r->followup);
    }
    if (rc == STORE_ERR_REFUSED) {
        if (r->kind == RECORD_TAP)
            session->last_tap_id = 0; /* its follow-up must not land on an older tap */
        log_error("session: the store refused a %s record for good; it is dropped",
                  r->kind == RECORD_TAP ? "tap" : "follow-up");
        return true;
    }
    if (rc == 0) {
        session->stored++;
        note_success(session);
        return true;
    }
    note_failure(session, "cannot write to the store", now_utc_ms);
    /* Reopening quarantines a damaged file and starts a new one; and a
     * store that keeps failing (a file system remounted, a lock that never
     * goes) is reopened too. */
    if (rc == STORE_ERR_CORRUPT || ++session->failures >= REOPEN_AFTER) {
        if (rc != STORE_ERR_CORRUPT)
            log_warn("session: %d writes failed in a row: the store is reopened",
                     session->failures);
        session->failures = 0;
        store_close(session->store);
        session->store = NULL;
    }
    return false;
}

static void enqueue(struct session *session, const struct record *r, int64_t now_mono_ms)
{
    if (session->len == SESSION_QUEUE_MAX) {
        /* Memory is bounded on a kiosk: the oldest record goes, loudly. */
        if (session->queue[session->head].kind == RECORD_TAP)
            session->last_tap_id = 0; /* its follow-up must not land on an older tap */
        session->head = (session->head + 1) % SESSION_QUEUE_MAX;
        session->len--;
        session->dropped++;
        log_error("session: %d records lost: the store has failed for %d records in a row",
                  session->dropped, SESSION_QUEUE_MAX);
    }
    session->queue[(session->head + session->len) % SESSION_QUEUE_MAX] = *r;
    if (session->len++ == 0)
        session->retry_at_ms = now_mono_ms + session->retry_delay_ms;
}

static void submit(struct session *session, const struct record *r, int64_t now_mono_ms,
                   int64_t now_utc_ms)
{
    /* Keep order: while anything waits, new records wait behind it. */
    if (session->len == 0 && write_record(session, r, now_utc_ms))
        return;
    enqueue(session, r, now_mono_ms);
}

void session_record(struct session *session, const struct kiosk_actions *a, int64_t now_mono_ms,
                    int64_t now_utc_ms)
{
    const struct config *config = session->config;
    if (a->record_tap) {
        struct record r = {.kind = RECORD_TAP};
        r.tap.at_ms_utc = a->tap.at_utc_ms;
        r.tap.department = config->departments[a->tap.department].id;
        r.tap.rating = (int)a->tap.rating;
        r.tap.misuse = a->tap.misuse;
        submit(session, &r, now_mono_ms, now_utc_ms);
    }
    if (a->record_followup) {
        bool positive = a->followup.positive;
        const struct config_reason *list = positive ? config->positive : config->negative;
        struct record r = {.kind = RECORD_FOLLOWUP};
        r.followup.question = positive ? STORE_QUESTION_POSITIVE : STORE_QUESTION_NEGATIVE;
        r.followup.ended_by = store_ends[a->followup.ended_by];
        r.followup.reason =
            a->followup.ended_by == FOLLOWUP_CHOSEN ? list[a->followup.reason].id : NULL;
        submit(session, &r, now_mono_ms, now_utc_ms);
    }
}

void session_poll(struct session *session, int64_t now_mono_ms, int64_t now_utc_ms)
{
    if (session->store == NULL || now_mono_ms - session->checked_mono_ms < CHECK_EVERY_MS)
        return;
    session->checked_mono_ms = now_mono_ms;
    recheck_store(session, now_utc_ms);
}

int64_t session_retry(struct session *session, int64_t now_mono_ms, int64_t now_utc_ms)
{
    /* A store that never opened is retried even with nothing waiting: the
     * kiosk may be refusing taps because of it (session_can_keep). */
    if (session->len == 0 && session->store != NULL && session->spill_waiting == 0)
        return INT64_MAX;
    if (session->len == 0 && session->retry_at_ms == 0)
        session->retry_at_ms = now_mono_ms + session->retry_delay_ms;
    if (now_mono_ms < session->retry_at_ms)
        return session->retry_at_ms;
    if (session->store == NULL)
        open_store(session, now_utc_ms);
    else if (session->spill_waiting > 0)
        replay_spills(session);
    while (session->len > 0 && write_record(session, &session->queue[session->head], now_utc_ms)) {
        session->head = (session->head + 1) % SESSION_QUEUE_MAX;
        session->len--;
    }
    if (session->len == 0 && session->store != NULL && session->spill_waiting == 0) {
        log_info("session: the store took every waiting record");
        session->retry_delay_ms = RETRY_FIRST_MS;
        session->retry_at_ms = 0;
        return INT64_MAX;
    }
    session->retry_delay_ms *= 2;
    if (session->retry_delay_ms > RETRY_MAX_MS)
        session->retry_delay_ms = RETRY_MAX_MS;
    session->retry_at_ms = now_mono_ms + session->retry_delay_ms;
    if (session->len > 0)
        log_warn("session: %d records wait for the store%s; next try in %lld ms", session->len,
                 session->store == NULL ? " (not open)" : "", (long long)session->retry_delay_ms);
    else
        log_warn("session: the store is not open; next try in %lld ms",
                 (long long)session->retry_delay_ms);
    return session->retry_at_ms;
}

int session_pending(const struct session *session)
{
    return session->len;
}

int64_t session_stored(const struct session *session)
{
    return session->stored;
}

struct store *session_store(struct session *session)
{
    return session->store;
}

/* One record as a line of a spill file (spill.h); false when it has no
 * tap to belong to.  *tap_before: a tap was written earlier in the file. */
static bool spill_line(const struct session *session, const struct record *r, bool *tap_before,
                       char *buf, size_t size)
{
    if (r->kind == RECORD_TAP) {
        *tap_before = true;
        snprintf(buf, size, "tap %lld %d %d %s\n", (long long)r->tap.at_ms_utc, r->tap.rating,
                 r->tap.misuse ? 1 : 0, r->tap.department);
        return true;
    }
    int64_t tap = *tap_before ? 0 : session->last_tap_id;
    if (!*tap_before && tap == 0)
        return false;
    const struct store_followup *f = &r->followup;
    snprintf(buf, size, "followup %lld %s %s %s\n", (long long)tap,
             store_question_name(f->question), store_followup_end_name(f->ended_by),
             f->reason != NULL ? f->reason : "-");
    return true;
}

/* The records still waiting go to a spill file (spill.h). */
static void spill_queue(struct session *session, int64_t now_utc_ms)
{
    size_t cap = 160 + (size_t)session->len * 320, used = 0;
    char *text = malloc(cap), id[48], path[700];
    if (text == NULL) {
        log_error("session: out of memory: %d waiting records are lost", session->len);
        return;
    }
    spill_new_id(now_utc_ms, id, sizeof id);
    used += (size_t)snprintf(text, cap, "wowkiosk-spill 1 %s %s\n", id, session->config->kiosk_id);
    bool tap_before = false;
    int n = 0;
    for (int i = 0; i < session->len; i++) {
        const struct record *r = &session->queue[(session->head + i) % SESSION_QUEUE_MAX];
        if (spill_line(session, r, &tap_before, text + used, cap - used)) {
            used += strlen(text + used);
            n++;
        }
    }
    snprintf(text + used, cap - used, "end %d\n", n);
    if (spill_write(&session->spill, id, text, path, sizeof path))
        log_warn("session: %d waiting records kept in %s; they go into the store at the next "
                 "start",
                 n, path);
    else
        log_error("session: %d records could not be stored or kept before exit", session->len);
    free(text);
}

bool session_can_keep(struct session *session, int64_t now_mono_ms)
{
    if (session->store != NULL && session->error[0] == '\0')
        return true;
    if (session->probed_mono_ms == 0 || now_mono_ms - session->probed_mono_ms >= PROBE_EVERY_MS) {
        session->spill_ok = spill_probe(&session->spill);
        session->probed_mono_ms = now_mono_ms;
        if (!session->spill_ok)
            log_error("session: neither the store nor a spill place can keep a tap: the kiosk "
                      "stops taking them until one can");
    }
    return session->spill_ok;
}

void session_health(const struct session *session, struct session_health *out)
{
    *out = (struct session_health){.waiting = session->len,
                                   .dropped = session->dropped,
                                   .spill_files = session->spill_waiting,
                                   .since_utc_ms = session->error_since_utc_ms};
    snprintf(out->error, sizeof out->error, "%s", session->error);
}

void session_destroy(struct session *session, int64_t now_utc_ms)
{
    if (session == NULL)
        return;
    if (session->len > 0) {
        session->retry_at_ms = 0;
        session_retry(session, 0, now_utc_ms); /* a store made now is stamped now */
        if (session->len > 0)
            spill_queue(session, now_utc_ms);
    }
    if (session->store != NULL)
        store_close(session->store);
    free(session);
}
