/*
 * session: record actions go to the store, or wait in memory (see session.h).
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "store.h"

#define RETRY_FIRST_MS 250
#define RETRY_MAX_MS   30000

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
};

/* The state machine's follow-up ends, as the store's (which spells them). */
static const enum store_followup_end store_ends[] = {[FOLLOWUP_CHOSEN] = STORE_FOLLOWUP_CHOSEN,
                                                     [FOLLOWUP_SKIPPED] = STORE_FOLLOWUP_SKIPPED,
                                                     [FOLLOWUP_TIMEOUT] = STORE_FOLLOWUP_TIMEOUT};

static void open_store(struct session *session, int64_t now_utc_ms)
{
    struct store_health health;
    if (store_open(&session->store, session->store_path, session->config->kiosk_id, now_utc_ms,
                   &health) != 0) {
        session->store = NULL;
        log_error("session: store %s cannot be opened; taps wait in memory and it is retried",
                  session->store_path);
        return;
    }
    if (health.quarantined)
        log_error("session: the store was corrupt and moved to %s; a new one was created",
                  health.quarantine_path);
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
    open_store(session, now_utc_ms);
    return session;
}

/* Writes one record.  Returns true when the record is done with: stored,
 * or refused for good (logged: the state machine never makes such a
 * record, so it is a bug, and retrying it would block every later tap). */
static bool write_record(struct session *session, const struct record *r)
{
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
    if (rc == 0)
        session->stored++;
    if (rc == STORE_ERR_CORRUPT) {
        /* Reopening quarantines the damaged file and starts a new one. */
        store_close(session->store);
        session->store = NULL;
    }
    return rc == 0;
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

static void submit(struct session *session, const struct record *r, int64_t now_mono_ms)
{
    /* Keep order: while anything waits, new records wait behind it. */
    if (session->len == 0 && write_record(session, r))
        return;
    enqueue(session, r, now_mono_ms);
}

void session_record(struct session *session, const struct kiosk_actions *a, int64_t now_mono_ms)
{
    const struct config *config = session->config;
    if (a->record_tap) {
        struct record r = {.kind = RECORD_TAP};
        r.tap.at_ms_utc = a->tap.at_utc_ms;
        r.tap.department = config->departments[a->tap.department].id;
        r.tap.rating = (int)a->tap.rating;
        r.tap.misuse = a->tap.misuse;
        submit(session, &r, now_mono_ms);
    }
    if (a->record_followup) {
        bool positive = a->followup.positive;
        const struct config_reason *list = positive ? config->positive : config->negative;
        struct record r = {.kind = RECORD_FOLLOWUP};
        r.followup.question = positive ? STORE_QUESTION_POSITIVE : STORE_QUESTION_NEGATIVE;
        r.followup.ended_by = store_ends[a->followup.ended_by];
        r.followup.reason =
            a->followup.ended_by == FOLLOWUP_CHOSEN ? list[a->followup.reason].id : NULL;
        submit(session, &r, now_mono_ms);
    }
}

int64_t session_retry(struct session *session, int64_t now_mono_ms, int64_t now_utc_ms)
{
    if (session->len == 0)
        return INT64_MAX;
    if (now_mono_ms < session->retry_at_ms)
        return session->retry_at_ms;
    if (session->store == NULL)
        open_store(session, now_utc_ms);
    while (session->len > 0 && write_record(session, &session->queue[session->head])) {
        session->head = (session->head + 1) % SESSION_QUEUE_MAX;
        session->len--;
    }
    if (session->len == 0) {
        log_info("session: the store took every waiting record");
        session->retry_delay_ms = RETRY_FIRST_MS;
        return INT64_MAX;
    }
    session->retry_delay_ms *= 2;
    if (session->retry_delay_ms > RETRY_MAX_MS)
        session->retry_delay_ms = RETRY_MAX_MS;
    session->retry_at_ms = now_mono_ms + session->retry_delay_ms;
    log_warn("session: %d records wait for the store; next try in %lld ms", session->len,
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

void session_destroy(struct session *session, int64_t now_utc_ms)
{
    if (session == NULL)
        return;
    if (session->len > 0) {
        session->retry_at_ms = 0;
        session_retry(session, 0, now_utc_ms); /* a store made now is stamped now */
        if (session->len > 0)
            log_error("session: %d records could not be stored before exit", session->len);
    }
    if (session->store != NULL)
        store_close(session->store);
    free(session);
}
