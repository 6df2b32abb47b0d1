/*
 * session: record actions go to the store on the session's writer thread,
 * or wait in memory (see session.h).
 *
 * Threads: the render thread only appends to the queue and reads the
 * shared fields, under `lock`.  The writer thread owns the store, the
 * follow-up's tap, the retry timing and the spill places; it takes a
 * record from the queue's head, writes it with `lock` released (holding
 * `store_lock`, which the render thread's rare direct uses of the store
 * take too: session_store_acquire), and removes it once written.
 */
#include "session.h"

#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "spill.h"
#include "store.h"
#include "store_comments.h"
#include "sync.h"

#define RETRY_FIRST_MS 250
#define RETRY_MAX_MS   30000
#define REOPEN_AFTER   3     /* failed writes in a row before the store is reopened */
#define PROBE_EVERY_MS 10000 /* how often a failing session asks whether a spill place works */
#define CHECK_EVERY_MS 1000  /* how often the writer checks its store's file */

enum record_kind { RECORD_TAP, RECORD_FOLLOWUP, RECORD_COMMENT };

/* A record with its own copies of the ids: a catalog applied meanwhile
 * rewrites the config the state machine's indexes point into. */
struct record {
    enum record_kind kind;
    uint64_t seq; /* the session's count of records, for the writer to find it again */
    struct store_tap tap;
    struct store_followup followup;
    char department[CONFIG_ID_MAX];
    char reason[CONFIG_ID_MAX];
    /* RECORD_COMMENT: its language, and its words in comment_bodies[slot]
       (kept out of the ring: 4096 records of 2 KB would be 8 MB) */
    struct store_comment comment;
    char lang[8];
    int slot;
};

#define SESSION_COMMENTS 16 /* comments waiting at once; more are dropped, loudly */

struct session {
    const struct config *config;
    char store_path[CONFIG_PATH_MAX];

    pthread_t writer;
    bool writer_started;
    pthread_mutex_t lock;       /* guards what is marked (shared) */
    pthread_cond_t wake;        /* a record came, or stop */
    pthread_mutex_t store_lock; /* held while the store is used (writer, or acquire) */

    /* (shared) FIFO ring of records the store has not taken yet. */
    struct record queue[SESSION_QUEUE_MAX];
    int head, len;
    uint64_t next_seq;
    bool stopping;
    int dropped;                   /* (shared) records lost because the queue was full */
    int64_t stored;                /* (shared) records the store took, since creation */
    char error[SESSION_ERROR_MAX]; /* (shared) the last failure; "" while it works */
    int64_t error_since_utc_ms;    /* (shared) when the store started failing; 0 */
    bool store_open;               /* (shared) the writer has a store */
    bool spill_ok;                 /* (shared) a spill place took the last probe */
    int spill_waiting;             /* (shared) spill files not replayed yet */
    struct sync_thread *sync;      /* (shared) told of commits and health; NULL: none */

    struct session_tap tap; /* (shared) the newest committed tap, for a comment's token */
    char comment_bodies[SESSION_COMMENTS][STORE_COMMENT_BODY_MAX]; /* (shared) queued words */
    bool comment_used[SESSION_COMMENTS];                           /* (shared) */
    char writing_body[STORE_COMMENT_BODY_MAX]; /* the writer's copy of the words it writes */

    /* The writer's own. */
    struct store *store; /* owned; NULL while it cannot be opened */
    int64_t last_tap_id; /* follow-ups belong to this tap; 0 = none yet */
    int failures;        /* writes failed in a row */
    int64_t retry_at_ms, retry_delay_ms, checked_ms, probed_ms;
    struct spill_places spill; /* where records go at a stop (spill.h) */
    char spill_dirs[SPILL_PLACES_MAX][512];
};

/* The state machine's follow-up ends, as the store's (which spells them). */
static const enum store_followup_end store_ends[] = {[FOLLOWUP_CHOSEN] = STORE_FOLLOWUP_CHOSEN,
                                                     [FOLLOWUP_SKIPPED] = STORE_FOLLOWUP_SKIPPED,
                                                     [FOLLOWUP_TIMEOUT] = STORE_FOLLOWUP_TIMEOUT};

/* ---- health (called on the writer, or at create and destroy) ------------ */

/* The sync thread hears of a change of health (it never blocks: if it is
 * busy this instant, the next change or commit tells it). */
static void tell_health(struct session *s)
{
    struct sync_store_health h = {.waiting = s->len, .since_ms = s->error_since_utc_ms};
    snprintf(h.error, sizeof h.error, "%s", s->error);
    if (s->sync != NULL)
        sync_thread_set_store_health(s->sync, &h);
}

/* The store failed: keeps what it said (the last error line this thread
 * logged) and since when.  Takes lock. */
static void note_failure(struct session *s, const char *what)
{
    const char *logged = log_thread_last_error();
    pthread_mutex_lock(&s->lock);
    snprintf(s->error, sizeof s->error, "%s%s%s", what, logged[0] ? ": " : "", logged);
    bool began = s->error_since_utc_ms == 0;
    if (began)
        s->error_since_utc_ms = clock_real().utc_ms;
    s->store_open = s->store != NULL;
    tell_health(s);
    pthread_mutex_unlock(&s->lock);
}

static void note_success(struct session *s)
{
    s->failures = 0;
    pthread_mutex_lock(&s->lock);
    bool was_failing = s->error[0] != '\0';
    s->error[0] = '\0';
    s->error_since_utc_ms = 0;
    s->store_open = true;
    if (was_failing)
        tell_health(s);
    pthread_mutex_unlock(&s->lock);
}

/* ---- the store (writer thread, store_lock held) ------------------------- */

/* Spill files left by an earlier stop go into the store first, in order. */
static void replay_spills(struct session *s)
{
    if (s->store == NULL)
        return;
    int n = spill_replay(&s->spill, s->store);
    int waiting = n < 0 ? spill_count(&s->spill) : 0;
    pthread_mutex_lock(&s->lock);
    if (n > 0)
        s->stored += n;
    s->spill_waiting = waiting;
    pthread_mutex_unlock(&s->lock);
}

static void open_store(struct session *s, int64_t now_utc_ms)
{
    struct store_health health;
    if (store_open(&s->store, s->store_path, s->config->kiosk_id, now_utc_ms, &health) != 0) {
        s->store = NULL;
        note_failure(s, "cannot open the store"); /* the store's own words */
        log_error("session: store %s cannot be opened; taps wait in memory and it is retried",
                  s->store_path);
        return;
    }
    if (health.quarantined)
        log_error("session: the store was corrupt and moved to %s; a new one was created",
                  health.quarantine_path);
    unsigned char key[STORE_COMMENT_KEY_BYTES];
    bool have_key = store_comment_key(s->store, key) == 0;
    pthread_mutex_lock(&s->lock);
    s->store_open = true;
    s->tap = (struct session_tap){0};
    snprintf(s->tap.incarnation, sizeof s->tap.incarnation, "%s", store_incarnation(s->store));
    if (have_key)
        memcpy(s->tap.comment_key, key, sizeof key);
    s->tap.has_key = have_key;
    pthread_mutex_unlock(&s->lock);
    replay_spills(s);
}

/* The store's file still the one it has open (store.h). */
static void recheck_store(struct session *s, int64_t now_utc_ms)
{
    struct store_health health;
    if (store_recheck(&s->store, now_utc_ms, &health) != 0 && s->store == NULL)
        note_failure(s, "the store's file changed and could not be reopened");
    else if (health.quarantined)
        log_error("session: the store found at %s was corrupt and moved to %s", s->store_path,
                  health.quarantine_path);
}

/* The newest committed tap, for the comment offer's token (lock taken). */
static void note_tap(struct session *s, const struct record *r, int64_t id)
{
    pthread_mutex_lock(&s->lock);
    s->tap.tap_id = id;
    s->tap.tap_ms = r->tap.at_ms_utc;
    s->tap.rating = r->tap.rating;
    snprintf(s->tap.department, sizeof s->tap.department, "%s", r->department);
    pthread_mutex_unlock(&s->lock);
}

/* Writes one record.  WRITTEN; DONE when the record is done with without
 * being written (refused for good, logged: the state machine never makes
 * such a record, so it is a bug, and retrying it would block every later
 * tap; or a follow-up whose tap was dropped); FAILED: keep it, retry. */
enum written { WRITTEN, DONE, FAILED };

static enum written write_record(struct session *s, const struct record *r, int64_t now_utc_ms)
{
    if (s->store != NULL)
        recheck_store(s, now_utc_ms);
    if (s->store == NULL)
        return FAILED;
    int rc;
    if (r->kind == RECORD_TAP) {
        int64_t id;
        rc = store_record_tap(s->store, &r->tap, &id);
        if (rc == 0) {
            s->last_tap_id = id;
            note_tap(s, r, id);
        }
    } else if (s->last_tap_id == 0) {
        return DONE; /* its tap was dropped: nothing to attach it to */
    } else if (r->kind == RECORD_COMMENT) {
        rc = store_record_comment(s->store, s->last_tap_id, &r->comment);
    } else {
        rc = store_record_followup(s->store, s->last_tap_id, &r->followup);
    }
    if (rc == STORE_ERR_REFUSED) {
        if (r->kind == RECORD_TAP)
            s->last_tap_id = 0; /* its follow-up must not land on an older tap */
        log_error("session: the store refused a %s record for good; it is dropped",
                  r->kind == RECORD_TAP       ? "tap"
                  : r->kind == RECORD_COMMENT ? "comment"
                                              : "follow-up");
        return DONE;
    }
    if (rc == 0) {
        note_success(s);
        return WRITTEN;
    }
    note_failure(s, "cannot write to the store");
    /* Reopening quarantines a damaged file and starts a new one; and a
     * store that keeps failing (a file system remounted, a lock that never
     * goes) is reopened too. */
    if (rc == STORE_ERR_CORRUPT || ++s->failures >= REOPEN_AFTER) {
        if (rc != STORE_ERR_CORRUPT)
            log_warn("session: %d writes failed in a row: the store is reopened", s->failures);
        s->failures = 0;
        store_close(s->store);
        s->store = NULL;
    }
    return FAILED;
}

/* ---- the writer thread -------------------------------------------------- */

/* A record's pointers into its own copies (a struct copy moves them). */
static void point_record(struct record *r)
{
    r->tap.department = r->department;
    r->followup.reason = r->reason[0] != '\0' ? r->reason : NULL;
    r->comment.lang = r->lang;
}

/* Removes the queue's first record (lock held), and frees its words. */
static void drop_head(struct session *s)
{
    const struct record *r = &s->queue[s->head];
    if (r->kind == RECORD_COMMENT)
        s->comment_used[r->slot] = false;
    s->head = (s->head + 1) % SESSION_QUEUE_MAX;
    s->len--;
}

/* Writes the queue's records in order until one fails; lock held on entry
 * and exit, released around each write.  True when the queue emptied. */
static bool drain(struct session *s)
{
    while (s->len > 0 && !s->stopping) {
        struct record r = s->queue[s->head];
        if (r.kind == RECORD_COMMENT) /* copied: a full queue may drop and reuse its slot */
            memcpy(s->writing_body, s->comment_bodies[r.slot], sizeof s->writing_body);
        pthread_mutex_unlock(&s->lock);
        point_record(&r);
        r.comment.body = s->writing_body;
        pthread_mutex_lock(&s->store_lock);
        enum written w = write_record(s, &r, clock_real().utc_ms);
        pthread_mutex_unlock(&s->store_lock);
        pthread_mutex_lock(&s->lock);
        if (w == FAILED)
            return false;
        /* the render thread may have dropped it meanwhile (a full queue) */
        if (s->len > 0 && s->queue[s->head].seq == r.seq)
            drop_head(s);
        if (w == WRITTEN) {
            s->stored++;
            if (s->sync != NULL)
                sync_thread_committed(s->sync);
        }
    }
    return s->len == 0;
}

/* The writer's periodic work, lock released: the file check, a store to
 * open, spills to replay, a spill place to probe while failing. */
static void housekeeping(struct session *s, int64_t now_ms)
{
    pthread_mutex_lock(&s->store_lock);
    if (s->store != NULL && now_ms - s->checked_ms >= CHECK_EVERY_MS) {
        s->checked_ms = now_ms;
        recheck_store(s, clock_real().utc_ms);
    }
    if (s->store == NULL && now_ms >= s->retry_at_ms)
        open_store(s, clock_real().utc_ms);
    else if (s->store != NULL && s->spill_waiting > 0 && now_ms >= s->retry_at_ms)
        replay_spills(s);
    pthread_mutex_unlock(&s->store_lock);
    pthread_mutex_lock(&s->lock);
    bool failing = s->error[0] != '\0' || s->store == NULL;
    pthread_mutex_unlock(&s->lock);
    if (failing && (s->probed_ms == 0 || now_ms - s->probed_ms >= PROBE_EVERY_MS)) {
        s->probed_ms = now_ms;
        bool ok = spill_probe(&s->spill);
        if (!ok)
            log_error("session: neither the store nor a spill place can keep a tap: the kiosk "
                      "stops taking them until one can");
        pthread_mutex_lock(&s->lock);
        s->spill_ok = ok;
        pthread_mutex_unlock(&s->lock);
    }
}

/* After a failed round: the next try later, up to RETRY_MAX_MS. */
static void back_off(struct session *s, int64_t now_ms)
{
    s->retry_at_ms = now_ms + s->retry_delay_ms;
    if (s->len > 0)
        log_warn("session: %d records wait for the store%s; next try in %lld ms", s->len,
                 s->store == NULL ? " (not open)" : "", (long long)s->retry_delay_ms);
    else if (s->store == NULL)
        log_warn("session: the store is not open; next try in %lld ms",
                 (long long)s->retry_delay_ms);
    s->retry_delay_ms *= 2;
    if (s->retry_delay_ms > RETRY_MAX_MS)
        s->retry_delay_ms = RETRY_MAX_MS;
}

static void wait_until(struct session *s, int64_t deadline_ms)
{
    int64_t wait = deadline_ms - clock_real().mono_ms;
    if (wait <= 0)
        return;
    struct timespec ts = clock_mono_after(wait); /* the condition waits on CLOCK_MONOTONIC */
    pthread_cond_timedwait(&s->wake, &s->lock, &ts);
}

static void *writer_main(void *arg)
{
    struct session *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        int64_t now = clock_real().mono_ms;
        pthread_mutex_unlock(&s->lock);
        housekeeping(s, now);
        pthread_mutex_lock(&s->lock);
        bool due = now >= s->retry_at_ms;
        if (due && s->len > 0 && s->store != NULL) {
            int before = s->len;
            if (drain(s)) {
                if (s->retry_delay_ms > RETRY_FIRST_MS)
                    log_info("session: the store took every waiting record");
                s->retry_delay_ms = RETRY_FIRST_MS;
            } else if (!s->stopping) {
                back_off(s, clock_real().mono_ms);
            }
            if (before != s->len)
                tell_health(s);
        } else if (due && s->store == NULL) {
            back_off(s, now);
        }
        int64_t next = now + CHECK_EVERY_MS;
        if (s->len > 0 && s->retry_at_ms < next)
            next = s->retry_at_ms;
        if (!s->stopping && (s->len == 0 || s->retry_at_ms > clock_real().mono_ms))
            wait_until(s, next);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- the render thread's side ------------------------------------------- */

struct session *session_create(const struct config *config, const char *store_path,
                               int64_t now_utc_ms)
{
    struct session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->config = config;
    size_t len = strlen(store_path);
    if (len >= sizeof s->store_path)
        len = sizeof s->store_path - 1; /* config limits paths to the same size */
    memcpy(s->store_path, store_path, len);
    s->retry_delay_ms = RETRY_FIRST_MS;
    s->spill_ok = true; /* until a probe says otherwise */
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->store_lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &attr);
    pthread_condattr_destroy(&attr);
    spill_places_of(&s->spill, s->store_path, config->store_spill_dir, s->spill_dirs);
    open_store(s, now_utc_ms);
    spill_reserve_prepare(&s->spill);
    s->retry_at_ms = clock_real().mono_ms + (s->store == NULL ? RETRY_FIRST_MS : 0);
    int err = pthread_create(&s->writer, NULL, writer_main, s);
    if (err != 0) {
        log_error("session: cannot start the store's writer thread: %s", strerror(err));
        session_destroy(s, now_utc_ms);
        return NULL;
    }
    s->writer_started = true;
    return s;
}

void session_set_sync(struct session *s, struct sync_thread *sync)
{
    pthread_mutex_lock(&s->lock);
    s->sync = sync;
    pthread_mutex_unlock(&s->lock);
}

/* Appends r (lock held).  Memory is bounded on a kiosk: when full, the
 * oldest record goes, loudly, and a follow-up behind a dropped tap too. */
static void enqueue(struct session *s, struct record *r)
{
    for (int pass = 0; s->len == SESSION_QUEUE_MAX && pass < 2; pass++) {
        bool tap = s->queue[s->head].kind == RECORD_TAP;
        drop_head(s);
        s->dropped++;
        if (tap && s->len > 0 && s->queue[s->head].kind == RECORD_FOLLOWUP) {
            drop_head(s);
            s->dropped++;
        }
        log_error("session: %d records lost: the store has failed for %d records in a row",
                  s->dropped, SESSION_QUEUE_MAX);
    }
    r->seq = ++s->next_seq;
    s->queue[(s->head + s->len) % SESSION_QUEUE_MAX] = *r;
    s->len++;
    pthread_cond_signal(&s->wake);
}

/* A comment waits like a tap, behind the tap it belongs to (lock held);
 * its words in a free slot of comment_bodies, or it is lost, loudly. */
static void enqueue_comment(struct session *s, const struct kiosk_actions *a)
{
    int slot = 0;
    while (slot < SESSION_COMMENTS && s->comment_used[slot])
        slot++;
    if (slot == SESSION_COMMENTS) {
        s->dropped++;
        log_error("session: a comment is lost: %d wait for the store already", SESSION_COMMENTS);
        return;
    }
    struct record r = {.kind = RECORD_COMMENT, .slot = slot};
    int lang = a->comment.language;
    snprintf(r.lang, sizeof r.lang, "%s",
             lang >= 0 && lang < s->config->language_count ? s->config->languages[lang] : "en");
    snprintf(s->comment_bodies[slot], sizeof s->comment_bodies[slot], "%s", a->comment.body);
    s->comment_used[slot] = true;
    r.comment.written_ms = a->comment.written_utc_ms;
    enqueue(s, &r);
}

void session_record(struct session *s, const struct kiosk_actions *a, int64_t now_mono_ms,
                    int64_t now_utc_ms)
{
    (void)now_mono_ms;
    (void)now_utc_ms;
    const struct config *config = s->config;
    pthread_mutex_lock(&s->lock);
    if (a->record_tap) {
        struct record r = {.kind = RECORD_TAP};
        r.tap.at_ms_utc = a->tap.at_utc_ms;
        snprintf(r.department, sizeof r.department, "%s",
                 config->departments[a->tap.department].id);
        r.tap.rating = (int)a->tap.rating;
        r.tap.misuse = a->tap.misuse;
        enqueue(s, &r);
    }
    if (a->record_followup) {
        bool positive = a->followup.positive;
        const struct config_reason *list = positive ? config->positive : config->negative;
        struct record r = {.kind = RECORD_FOLLOWUP};
        r.followup.question = positive ? STORE_QUESTION_POSITIVE : STORE_QUESTION_NEGATIVE;
        r.followup.ended_by = store_ends[a->followup.ended_by];
        if (a->followup.ended_by == FOLLOWUP_CHOSEN)
            snprintf(r.reason, sizeof r.reason, "%s", list[a->followup.reason].id);
        enqueue(s, &r);
    }
    if (a->record_comment)
        enqueue_comment(s, a);
    pthread_mutex_unlock(&s->lock);
}

bool session_comment_tap(struct session *s, struct session_tap *out)
{
    pthread_mutex_lock(&s->lock);
    *out = s->tap;
    pthread_mutex_unlock(&s->lock);
    return out->tap_id > 0 && out->has_key;
}

bool session_wait_idle(struct session *s, int64_t timeout_ms)
{
    int64_t end = clock_real().mono_ms + timeout_ms;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        bool idle = s->len == 0 && s->store_open;
        pthread_mutex_unlock(&s->lock);
        if (idle || clock_real().mono_ms >= end)
            return idle;
        struct timespec pause = {0, 5 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

int session_pending(const struct session *s)
{
    pthread_mutex_lock((pthread_mutex_t *)&s->lock);
    int n = s->len;
    pthread_mutex_unlock((pthread_mutex_t *)&s->lock);
    return n;
}

int64_t session_stored(const struct session *s)
{
    pthread_mutex_lock((pthread_mutex_t *)&s->lock);
    int64_t n = s->stored;
    pthread_mutex_unlock((pthread_mutex_t *)&s->lock);
    return n;
}

bool session_can_keep(struct session *s)
{
    pthread_mutex_lock(&s->lock);
    bool keep = (s->store_open && s->error[0] == '\0') || s->spill_ok;
    pthread_mutex_unlock(&s->lock);
    return keep;
}

void session_health(const struct session *s, struct session_health *out)
{
    pthread_mutex_lock((pthread_mutex_t *)&s->lock);
    *out = (struct session_health){.waiting = s->len,
                                   .dropped = s->dropped,
                                   .spill_files = s->spill_waiting,
                                   .since_utc_ms = s->error_since_utc_ms,
                                   .store_open = s->store_open};
    snprintf(out->error, sizeof out->error, "%s", s->error);
    pthread_mutex_unlock((pthread_mutex_t *)&s->lock);
}

struct store *session_store_acquire(struct session *s)
{
    pthread_mutex_lock(&s->store_lock);
    if (s->store == NULL)
        pthread_mutex_unlock(&s->store_lock);
    return s->store;
}

struct store *session_store_try(struct session *s)
{
    if (pthread_mutex_trylock(&s->store_lock) != 0)
        return NULL;
    if (s->store == NULL)
        pthread_mutex_unlock(&s->store_lock);
    return s->store;
}

void session_store_release(struct session *s)
{
    pthread_mutex_unlock(&s->store_lock);
}

/* ---- the stop ----------------------------------------------------------- */

/* One record as a line of a spill file (spill.h); false when it has no
 * tap to belong to.  *tap_before: a tap was written earlier in the file. */
static bool spill_line(const struct session *s, const struct record *r, bool *tap_before, char *buf,
                       size_t size)
{
    if (r->kind == RECORD_TAP) {
        *tap_before = true;
        snprintf(buf, size, "tap %lld %d %d %s\n", (long long)r->tap.at_ms_utc, r->tap.rating,
                 r->tap.misuse ? 1 : 0, r->department);
        return true;
    }
    if (r->kind == RECORD_COMMENT) {
        log_warn("session: a comment waiting for the store is not kept at a stop");
        return false;
    }
    int64_t tap = *tap_before ? 0 : s->last_tap_id;
    if (!*tap_before && tap == 0)
        return false;
    const struct store_followup *f = &r->followup;
    snprintf(buf, size, "followup %lld %s %s %s\n", (long long)tap,
             store_question_name(f->question), store_followup_end_name(f->ended_by),
             r->reason[0] != '\0' ? r->reason : "-");
    return true;
}

/* The records still waiting go to a spill file (spill.h). */
static void spill_queue(struct session *s, int64_t now_utc_ms)
{
    size_t cap = 160 + (size_t)s->len * 160, used = 0;
    char *text = malloc(cap), id[48], path[700];
    if (text == NULL) {
        log_error("session: out of memory: %d waiting records are lost", s->len);
        return;
    }
    spill_new_id(now_utc_ms, id, sizeof id);
    used += (size_t)snprintf(text, cap, "wowkiosk-spill 1 %s %s\n", id, s->config->kiosk_id);
    bool tap_before = false;
    int n = 0;
    for (int i = 0; i < s->len; i++) {
        const struct record *r = &s->queue[(s->head + i) % SESSION_QUEUE_MAX];
        if (spill_line(s, r, &tap_before, text + used, cap - used)) {
            used += strlen(text + used);
            n++;
        }
    }
    snprintf(text + used, cap - used, "end %d\n", n);
    if (spill_write(&s->spill, id, text, path, sizeof path))
        log_warn("session: %d waiting records kept in %s; they go into the store at the next "
                 "start",
                 n, path);
    else
        log_error("session: %d records could not be stored or kept before exit", s->len);
    free(text);
}

void session_destroy(struct session *s, int64_t now_utc_ms)
{
    if (s == NULL)
        return;
    if (s->writer_started) {
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->writer, NULL);
    }
    /* The writer has stopped: this thread owns everything now.  One more
     * try (opening the store now if it must: a store made now is stamped
     * now), then what still waits is spilled. */
    s->stopping = false;
    if (s->len > 0) {
        if (s->store == NULL)
            open_store(s, now_utc_ms);
        pthread_mutex_lock(&s->lock);
        if (s->store != NULL)
            drain(s);
        pthread_mutex_unlock(&s->lock);
        if (s->len > 0)
            spill_queue(s, now_utc_ms);
    }
    if (s->store != NULL)
        store_close(s->store);
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->store_lock);
    free(s);
}
