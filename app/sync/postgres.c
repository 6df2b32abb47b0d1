/*
 * postgres: the shared database on PostgreSQL through libpq, the fleet
 * path (see sync_backend.h).
 *
 * Everything runs on libpq's non-blocking interface with poll() and our
 * own deadline, so a server that stalls (or a network that black-holes
 * packets) costs at most the timeout, and the engine's cancel_fd stops it
 * at once.  Connections ask for TCP keepalives and a tcp_user_timeout;
 * connect_timeout and sslmode come from the conninfo as the technician
 * wrote it (sslmode=verify-full is documented in docs/SYNC.md).
 *
 * A push is one pipeline (libpq's pipeline mode): BEGIN, one INSERT ..
 * SELECT unnest(array), .. ON CONFLICT per 20000 rows, the heartbeat,
 * COMMIT, then a single sync, so a push of any size is one network round
 * trip.  An idle round sends only the heartbeat.  Every push ends with the
 * catalog fetch (the kiosk's kiosk_catalog row when its version is not the
 * one the kiosk has), in the same pipeline: still one round trip.
 *
 * This file and migrate_postgres.c are the only places in app/ that
 * include libpq (scripts/check-style.sh allows them).
 */
#include <errno.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "schema.h"
#include "strbuf.h"
#include "sync_backend.h"
#include "sync_comments.h"

#define ROWS_PER_STATEMENT 20000

/* One push sent: what its statements were, in order, until its answer is
 * read. */
struct pipeline {
    const char *what[64]; /* statement names, for the error message */
    const char *sql[64];  /* and their text */
    int n;
    int fetch;        /* the catalog fetch's index; -1: none */
    int update_fetch; /* the system update offer's */
    int cursor;       /* the sync cursor's read; -1: none */
    int64_t rows;     /* count and reason rows, for the stats */
};

/* Pushes sent and not yet answered: one, or two while a backlog's next
 * batch goes out before the answer to the one before it is read. */
#define PUSHES_IN_FLIGHT 2

struct postgres_backend {
    struct sync_backend base; /* first: the engine holds a pointer to it */
    PGconn *conn;             /* owned; NULL while disconnected */
    int cancel_fd;
    char *conninfo;                /* owned */
    struct strbuf arrays[26];      /* unnest()'s arrays, reused between pushes */
    struct strbuf count_sql;       /* count_parts, joined */
    struct strbuf count_split_sql; /* count_split_parts, joined */
    /* the pushes sent on this connection whose answers are not read yet,
       oldest first; the answers come in this order */
    struct pipeline sent[PUSHES_IN_FLIGHT];
    int sent_n;
};

/* The real monotonic clock, for the connect and push deadlines. */
static int64_t mono_ms(void)
{
    return clock_real().mono_ms;
}

enum wait_result { WAIT_READY, WAIT_TIMEOUT, WAIT_CANCELLED, WAIT_ERROR };

/* Waits until the connection's socket is ready for events, the deadline
 * passes or cancel_fd turns readable. */
static enum wait_result wait_socket(struct postgres_backend *b, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0)
            return WAIT_TIMEOUT;
        struct pollfd fds[2] = {{.fd = PQsocket(b->conn), .events = events},
                                {.fd = b->cancel_fd, .events = POLLIN}};
        int rc = poll(fds, b->cancel_fd >= 0 ? 2 : 1, (int)(left > 60000 ? 60000 : left));
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return WAIT_ERROR;
        if (b->cancel_fd >= 0 && (fds[1].revents & POLLIN))
            return WAIT_CANCELLED;
        if (fds[0].revents)
            return WAIT_READY;
    }
}

static void pg_disconnect(struct sync_backend *base)
{
    struct postgres_backend *b = (struct postgres_backend *)base;
    PQfinish(b->conn); /* NULL is a no-op */
    b->conn = NULL;
    b->sent_n = 0; /* their answers are lost with it: the engine sends them again */
}

static enum sync_result wait_failed(struct postgres_backend *b, enum wait_result w,
                                    const char *doing, int64_t timeout_ms)
{
    if (w == WAIT_CANCELLED) {
        pg_disconnect(&b->base);
        return SYNC_ERR_CANCELLED;
    }
    if (w == WAIT_TIMEOUT)
        sync_backend_fail(&b->base, "sync: PostgreSQL: timed out after %lld ms %s",
                          (long long)timeout_ms, doing);
    else if (b->conn && PQerrorMessage(b->conn)[0]) /* libpq failed reading or writing */
        sync_backend_fail(&b->base, "sync: PostgreSQL: connection lost %s: %s", doing,
                          PQerrorMessage(b->conn));
    else
        sync_backend_fail(&b->base, "sync: PostgreSQL: %s: poll: %s", doing, strerror(errno));
    pg_disconnect(&b->base);
    return SYNC_ERR_CONNECTION;
}

/* Our defaults first: the technician's conninfo, expanded from dbname,
 * overrides any of them. */
static PGconn *start_connect(const char *conninfo)
{
    const char *const keys[] = {"connect_timeout",     "keepalives",       "keepalives_idle",
                                "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                                "application_name",    "dbname",           NULL};
    const char *const values[] = {"10", "1", "30", "10", "3", "30000", "wowkiosk", conninfo, NULL};
    return PQconnectStartParams(keys, values, 1);
}

static enum sync_result pg_connect(struct sync_backend *base, int64_t timeout_ms)
{
    struct postgres_backend *b = (struct postgres_backend *)base;
    if (b->conn && PQstatus(b->conn) == CONNECTION_OK)
        return SYNC_OK;
    pg_disconnect(base);
    int64_t deadline = mono_ms() + timeout_ms;
    b->conn = start_connect(b->conninfo);
    base->connect_attempts++;
    if (!b->conn) {
        sync_backend_fail(base, "sync: PostgreSQL: out of memory starting a connection");
        return SYNC_ERR_CONNECTION;
    }
    PostgresPollingStatusType poll_status = PGRES_POLLING_WRITING;
    while (PQstatus(b->conn) != CONNECTION_BAD && poll_status != PGRES_POLLING_OK &&
           poll_status != PGRES_POLLING_FAILED) {
        short events = poll_status == PGRES_POLLING_READING ? POLLIN : POLLOUT;
        enum wait_result w = wait_socket(b, events, deadline);
        if (w != WAIT_READY)
            return wait_failed(b, w, "while connecting", timeout_ms);
        poll_status = PQconnectPoll(b->conn);
    }
    if (PQstatus(b->conn) != CONNECTION_OK) {
        sync_backend_fail(base, "sync: cannot connect to PostgreSQL: %s", PQerrorMessage(b->conn));
        pg_disconnect(base);
        return SYNC_ERR_CONNECTION;
    }
    if (PQsetnonblocking(b->conn, 1) != 0 || PQenterPipelineMode(b->conn) != 1) {
        sync_backend_fail(base, "sync: PostgreSQL: cannot enter pipeline mode: %s",
                          PQerrorMessage(b->conn));
        pg_disconnect(base);
        return SYNC_ERR_CONNECTION;
    }
    log_info("sync: connected to PostgreSQL %s:%s database %s as %s (ssl %s)", PQhost(b->conn),
             PQport(b->conn), PQdb(b->conn), PQuser(b->conn), PQsslInUse(b->conn) ? "on" : "off");
    return SYNC_OK;
}

/* The upserts: rows come as arrays (one parameter per column), unnest()
 * makes them rows again; the merges are schema.h's.  The unnests are in
 * the select list, where they advance in step, one row at a time
 * (ProjectSet): FROM unnest(a, b, ..) would first copy each array into a
 * tuplestore of its own, about a third of tap_counts' insert.
 *
 * A statement of at least SPLIT_MIN_ROWS rows (a backlog's) is split:
 * rows after the newest bucket the table holds of this incarnation cannot
 * meet a row of their own, so they are inserted plainly, sparing ON
 * CONFLICT's check before each insert (an index descent) and its
 * speculative insertion, about a third of the insert; the others are
 * merged.  Both halves read the same newest bucket, once, in the
 * statement's snapshot (and neither sees the other's rows: a
 * data-modifying WITH runs beside the main statement).  Should another
 * transaction of the same incarnation commit one of those keys meanwhile
 * (a push left running by a lost connection), the plain insert fails with
 * 23505 and the push is retried at once, where the newest bucket covers
 * it.  Smaller statements (a kiosk in use sends a few rows a round) stay
 * a single upsert, which the planner takes a fraction of a millisecond
 * less to plan. */
#define SPLIT_MIN_ROWS 256
#define NEWEST_BUCKET(table)                                                                       \
    "WITH newest AS (SELECT max(bucket_start_ms) AS b FROM " table                                 \
    " WHERE kiosk_id = $1 AND incarnation = $2),"
#define AFTER_NEWEST ", newest WHERE NOT coalesce(s.b <= newest.b, false)"
#define UP_TO_NEWEST ", newest WHERE s.b <= newest.b"

#define COUNT_INSERT                                                                               \
    "INSERT INTO tap_counts(kiosk_id, incarnation, bucket_start_ms, department,"                   \
    "  rating_1, rating_2, rating_3, rating_4, misuse_1, misuse_2, misuse_3, misuse_4,"            \
    "  " SCHEMA_END_COLUMNS ", " SCHEMA_FIRST_COLUMNS ") SELECT $1, $2, s.*"
#define COUNT_ROWS                                                                                 \
    " FROM (SELECT unnest($3::bigint[]) AS b, unnest($4::text[]), unnest($5::bigint[]),"           \
    "  unnest($6::bigint[]), unnest($7::bigint[]), unnest($8::bigint[]), unnest($9::bigint[]),"    \
    "  unnest($10::bigint[]), unnest($11::bigint[]), unnest($12::bigint[]),"                       \
    "  unnest($13::bigint[]), unnest($14::bigint[]), unnest($15::bigint[]),"                       \
    "  unnest($16::bigint[]), unnest($17::bigint[]), unnest($18::bigint[]),"                       \
    "  unnest($19::bigint[]), unnest($20::bigint[]), unnest($21::text[]), unnest($22::text[]),"    \
    "  unnest($23::text[]), unnest($24::text[]), unnest($25::bigint[]), unnest($26::bigint[]),"    \
    "  unnest($27::bigint[]), unnest($28::bigint[])) AS s"
/* Over the 4095 characters C lets one literal have: joined when the
 * backend is made (postgres_backend_create). */
static const char *const count_parts[] = {COUNT_INSERT COUNT_ROWS, SCHEMA_TAP_COUNTS_MERGE_PARTS};
static const char *const count_split_parts[] = {
    NEWEST_BUCKET("tap_counts") " merged AS (" COUNT_INSERT COUNT_ROWS UP_TO_NEWEST,
    SCHEMA_TAP_COUNTS_MERGE_PARTS, ") " COUNT_INSERT COUNT_ROWS AFTER_NEWEST};

#define REASON_INSERT                                                                              \
    "INSERT INTO reason_counts(kiosk_id, incarnation, department, bucket_start_ms, question,"      \
    "  reason, ended_by, misuse, n) SELECT $1, $2, s.*"
#define REASON_ROWS                                                                                \
    " FROM (SELECT unnest($3::text[]), unnest($4::bigint[]) AS b, unnest($5::text[]),"             \
    "  unnest($6::text[]), unnest($7::text[]), unnest($8::smallint[]),"                            \
    "  unnest($9::bigint[])) AS s"
static const char reason_sql[] = REASON_INSERT REASON_ROWS SCHEMA_REASON_COUNTS_MERGE;
static const char reason_split_sql[] =
    NEWEST_BUCKET("reason_counts") " merged AS (" REASON_INSERT REASON_ROWS UP_TO_NEWEST
        SCHEMA_REASON_COUNTS_MERGE ") " REASON_INSERT REASON_ROWS AFTER_NEWEST;

/* A backlog's statements are planned without their arrays' values: a
 * plan for the values (libpq's unnamed statements get one) would copy
 * each array into the plan at every mention, and the split statements
 * name each twice.  The plan is the same; the setting ends with the
 * transaction (so a pooler's next client never sees it). */
static const char generic_sql[] = "SET LOCAL plan_cache_mode = force_generic_plan";

#define HEARTBEAT_WHAT "INSERT INTO kiosks (heartbeat)"
static const char heartbeat_sql[] =
    "INSERT INTO kiosks(kiosk_id, site, label, department, timezone, app_version, incarnation,"
    "  kiosk_clock_ms, last_seen_ms, last_success_ms, backlog, last_error, catalog_version,"
    "  catalog_error, mode, departments, store_waiting, store_error, store_error_since_ms,"
    "  slot, update_version, update_state, update_error)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
    "  CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT),"
    "  $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)" SCHEMA_HEARTBEAT_MERGE
        SCHEMA_HEARTBEAT_CATALOG_MERGE SCHEMA_HEARTBEAT_STORE_MERGE SCHEMA_HEARTBEAT_UPDATE_MERGE;

static const char catalog_sql[] =
    "SELECT version, body FROM kiosk_catalog WHERE kiosk_id = $1 AND version <> $2";

static const char update_sql[] =
    "SELECT version, url, sha256, size FROM kiosk_update WHERE kiosk_id = $1";

static const char cursor_advance_sql[] = SCHEMA_CURSOR_ADVANCE;
static const char cursor_read_sql[] = SCHEMA_CURSOR_READ;

/* Sends one statement of push p, noting it for matching its results. */
static bool send(struct postgres_backend *b, struct pipeline *p, const char *what, const char *sql,
                 int nparams, const char *const *params)
{
    if (p->n == (int)(sizeof p->what / sizeof p->what[0]))
        return false;
    p->what[p->n] = what;
    p->sql[p->n++] = sql;
    return PQsendQueryParams(b->conn, sql, nparams, NULL, params, NULL, NULL, 0) == 1;
}

/* Fills the arrays of rows [from, to) of the counts as array literals:
 * bucket, department, the eight faces, the eight follow-up ends, then the
 * four first reasons and their counts. */
enum {
    FIRST_ARRAY = 2 + SYNC_COUNT_COLUMNS + SYNC_END_COLUMNS,
    COUNT_ARRAYS = FIRST_ARRAY + 2 * SYNC_FIRST_REASONS
};
_Static_assert(COUNT_ARRAYS == sizeof((struct postgres_backend *)0)->arrays /
                                   sizeof((struct postgres_backend *)0)->arrays[0],
               "one array per count column");
static void count_arrays(struct postgres_backend *b, const struct sync_batch *batch, size_t from,
                         size_t to)
{
    enum { ARRAYS = COUNT_ARRAYS };
    for (int i = 0; i < ARRAYS; i++) {
        strbuf_reset(&b->arrays[i]);
        strbuf_puts(&b->arrays[i], "{");
    }
    for (size_t i = from; i < to; i++) {
        const struct sync_count_row *row = &batch->counts[i];
        const char *sep = i == from ? "" : ",";
        for (int a = 0; a < ARRAYS; a++)
            strbuf_puts(&b->arrays[a], sep);
        strbuf_int(&b->arrays[0], row->bucket_start_ms);
        strbuf_array_text(&b->arrays[1], row->department);
        for (int c = 0; c < SYNC_COUNT_COLUMNS; c++)
            strbuf_int(&b->arrays[2 + c], row->n[c]);
        for (int c = 0; c < SYNC_END_COLUMNS; c++)
            strbuf_int(&b->arrays[2 + SYNC_COUNT_COLUMNS + c], row->ended[c]);
        for (int r = 0; r < SYNC_FIRST_REASONS; r++) {
            strbuf_array_text(&b->arrays[FIRST_ARRAY + r], row->first_reason[r]);
            strbuf_int(&b->arrays[FIRST_ARRAY + SYNC_FIRST_REASONS + r], row->first_n[r]);
        }
    }
    for (int i = 0; i < ARRAYS; i++)
        strbuf_puts(&b->arrays[i], "}");
}

static void reason_arrays(struct postgres_backend *b, const struct sync_batch *batch, size_t from,
                          size_t to)
{
    for (int i = 0; i < 7; i++) {
        strbuf_reset(&b->arrays[i]);
        strbuf_puts(&b->arrays[i], "{");
    }
    for (size_t i = from; i < to; i++) {
        const struct sync_reason_row *row = &batch->reasons[i];
        const char *sep = i == from ? "" : ",";
        for (int a = 0; a < 7; a++)
            strbuf_puts(&b->arrays[a], sep);
        strbuf_array_text(&b->arrays[0], row->department);
        strbuf_int(&b->arrays[1], row->bucket_start_ms);
        strbuf_array_text(&b->arrays[2], row->question);
        strbuf_array_text(&b->arrays[3], row->reason);
        strbuf_array_text(&b->arrays[4], row->ended_by);
        strbuf_int(&b->arrays[5], row->misuse);
        strbuf_int(&b->arrays[6], row->n);
    }
    for (int i = 0; i < 7; i++)
        strbuf_puts(&b->arrays[i], "}");
}

static bool arrays_ok(const struct postgres_backend *b)
{
    for (size_t i = 0; i < sizeof b->arrays / sizeof b->arrays[0]; i++)
        if (b->arrays[i].failed)
            return false;
    return true;
}

static bool send_counts(struct postgres_backend *b, struct pipeline *p,
                        const struct sync_batch *batch)
{
    for (size_t from = 0; from < batch->count_n; from += ROWS_PER_STATEMENT) {
        size_t to =
            batch->count_n - from > ROWS_PER_STATEMENT ? from + ROWS_PER_STATEMENT : batch->count_n;
        count_arrays(b, batch, from, to);
        const char *params[2 + COUNT_ARRAYS] = {batch->kiosk_id, batch->incarnation};
        for (int i = 0; i < COUNT_ARRAYS; i++)
            params[2 + i] = b->arrays[i].data;
        if (!arrays_ok(b) ||
            !send(b, p, "INSERT INTO tap_counts",
                  to - from >= SPLIT_MIN_ROWS ? b->count_split_sql.data : b->count_sql.data,
                  2 + COUNT_ARRAYS, params))
            return false;
    }
    return true;
}

static bool send_reasons(struct postgres_backend *b, struct pipeline *p,
                         const struct sync_batch *batch)
{
    for (size_t from = 0; from < batch->reason_n; from += ROWS_PER_STATEMENT) {
        size_t to = batch->reason_n - from > ROWS_PER_STATEMENT ? from + ROWS_PER_STATEMENT
                                                                : batch->reason_n;
        reason_arrays(b, batch, from, to);
        const char *params[9] = {batch->kiosk_id,   batch->incarnation, b->arrays[0].data,
                                 b->arrays[1].data, b->arrays[2].data,  b->arrays[3].data,
                                 b->arrays[4].data, b->arrays[5].data,  b->arrays[6].data};
        if (!arrays_ok(b) ||
            !send(b, p, "INSERT INTO reason_counts",
                  to - from >= SPLIT_MIN_ROWS ? reason_split_sql : reason_sql, 9, params))
            return false;
    }
    return true;
}

static const char *or_empty(const char *text)
{
    return text != NULL ? text : "";
}

static bool send_heartbeat(struct postgres_backend *b, struct pipeline *p,
                           const struct sync_heartbeat *h)
{
    char clock[24], success[24], backlog[24], version[24], waiting[24], since[24];
    snprintf(clock, sizeof clock, "%lld", (long long)h->kiosk_clock_ms);
    snprintf(success, sizeof success, "%lld", (long long)h->last_success_ms);
    snprintf(backlog, sizeof backlog, "%lld", (long long)h->backlog);
    snprintf(version, sizeof version, "%lld", (long long)h->catalog_version);
    snprintf(waiting, sizeof waiting, "%lld", (long long)h->store_waiting);
    snprintf(since, sizeof since, "%lld", (long long)h->store_error_since_ms);
    const char *params[22] = {h->kiosk_id,
                              h->site,
                              h->label,
                              h->department,
                              h->timezone,
                              h->app_version,
                              h->incarnation,
                              clock,
                              h->last_success_ms > 0 ? success : NULL,
                              backlog,
                              h->last_error,
                              version,
                              h->catalog_error,
                              h->mode,
                              h->departments,
                              waiting,
                              h->store_error,
                              since,
                              or_empty(h->slot),
                              or_empty(h->update_version),
                              or_empty(h->update_state),
                              or_empty(h->update_error)};
    return send(b, p, HEARTBEAT_WHAT, heartbeat_sql, 22, params);
}

static bool send_catalog_fetch(struct postgres_backend *b, struct pipeline *p,
                               const struct sync_batch *batch)
{
    char have[24];
    snprintf(have, sizeof have, "%lld", (long long)batch->catalog_have);
    const char *params[2] = {batch->kiosk_id, have};
    p->fetch = p->n;
    if (!send(b, p, "SELECT FROM kiosk_catalog", catalog_sql, 2, params))
        return false;
    p->update_fetch = p->n;
    return send(b, p, "SELECT FROM kiosk_update", update_sql, 1, params);
}

/* Moves the database's cursor for the batch's store and reads it back
 * (schema.h), when the batch has a range. */
static bool send_cursor(struct postgres_backend *b, struct pipeline *p,
                        const struct sync_batch *batch)
{
    if (batch->from_seq < 0)
        return true;
    char from[24], upto[24];
    snprintf(from, sizeof from, "%lld", (long long)batch->from_seq);
    snprintf(upto, sizeof upto, "%lld", (long long)batch->upto_seq);
    const char *params[4] = {batch->kiosk_id, batch->incarnation, from, upto};
    if (!send(b, p, "INSERT INTO sync_cursors", cursor_advance_sql, 4, params))
        return false;
    p->cursor = p->n;
    return send(b, p, "SELECT FROM sync_cursors", cursor_read_sql, 2, params);
}

/* The round's comments and comment key after the heartbeat (sync_comments.h). */
static bool send_comments(struct postgres_backend *b, struct pipeline *p,
                          const struct sync_batch *batch)
{
    struct sync_comments_pg c;
    bool ok = sync_comments_pg_statements(batch, &c);
    for (int i = 0; ok && i < c.n; i++)
        ok = send(b, p, c.what[i], c.sql[i], c.nparams[i], c.params[i]);
    sync_comments_pg_free(&c);
    return ok;
}

/* The fetch's row, if any: a version above 0 and its text (kept only up
 * to SYNC_CATALOG_BODY_MAX).  Anything else the server says is ignored. */
static void take_catalog(PGresult *res, struct sync_fetched *fetched)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != 2 ||
        PQgetisnull(res, 0, 0) || PQgetisnull(res, 0, 1))
        return;
    char *end = NULL;
    long long version = strtoll(PQgetvalue(res, 0, 0), &end, 10);
    if (end == PQgetvalue(res, 0, 0) || *end != '\0' || version <= 0)
        return;
    free(fetched->body);
    fetched->version = version;
    fetched->length = (size_t)PQgetlength(res, 0, 1);
    fetched->body = fetched->length <= SYNC_CATALOG_BODY_MAX ? strdup(PQgetvalue(res, 0, 1)) : NULL;
}

/* The cursor's row: none (the database holds nothing of the store) is 0. */
static void take_cursor(PGresult *res, struct sync_fetched *fetched)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 1 || PQntuples(res) > 1)
        return;
    fetched->cursor = 0;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        char *end = NULL;
        long long seq = strtoll(PQgetvalue(res, 0, 0), &end, 10);
        if (end == PQgetvalue(res, 0, 0) || *end != '\0' || seq < -1)
            return;
        fetched->cursor = seq;
    }
    fetched->cursor_read = true;
}

/* A text field of the row into out; one too long for it is left empty,
 * which sync_update_offer_check refuses (never cut into another value). */
static void take_field(PGresult *res, int field, char *out, size_t size)
{
    if ((size_t)PQgetlength(res, 0, field) < size)
        snprintf(out, size, "%s", PQgetvalue(res, 0, field));
}

/* The kiosk's kiosk_update row, if any: its fields as the database holds
 * them (sync_update_offer_check judges them). */
static void take_update(PGresult *res, struct sync_fetched *fetched)
{
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != 4)
        return;
    fetched->update_read = true;
    struct sync_update_offer *o = &fetched->update;
    *o = (struct sync_update_offer){0};
    if (PQntuples(res) != 1)
        return; /* kiosk_id is the key: none, or one row */
    for (int f = 0; f < 4; f++)
        if (PQgetisnull(res, 0, f))
            return;
    o->present = true;
    take_field(res, 0, o->version, sizeof o->version);
    take_field(res, 1, o->url, sizeof o->url);
    take_field(res, 2, o->sha256, sizeof o->sha256);
    o->size = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
}

/* Flushes the output buffer, reading input meanwhile so the server never
 * blocks on a full socket while we block on ours. */
static enum wait_result flush_all(struct postgres_backend *b, int64_t deadline)
{
    for (;;) {
        int rc = PQflush(b->conn);
        if (rc == 0)
            return WAIT_READY;
        if (rc < 0)
            return WAIT_ERROR;
        enum wait_result w = wait_socket(b, POLLIN | POLLOUT, deadline);
        if (w != WAIT_READY)
            return w;
        if (PQconsumeInput(b->conn) != 1)
            return WAIT_ERROR;
    }
}

/* The next result, waiting for it within the deadline.  *res is NULL at
 * the end of one statement's results. */
static enum wait_result next_result(struct postgres_backend *b, int64_t deadline, PGresult **res)
{
    while (PQisBusy(b->conn)) {
        enum wait_result w = wait_socket(b, POLLIN, deadline);
        if (w != WAIT_READY)
            return w;
        if (PQconsumeInput(b->conn) != 1)
            return WAIT_ERROR;
    }
    *res = PQgetResult(b->conn);
    return WAIT_READY;
}

static enum sync_result classify(struct postgres_backend *b, PGresult *res, const char *what,
                                 const char *sql)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (!state)
        state = "";
    enum sync_result r = SYNC_ERR_SERVER;
    /* 23505: a row the plain half of an upsert meant to insert was committed
       meanwhile by another push of this incarnation (SPLIT_MIN_ROWS) */
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "23505"))
        r = SYNC_ERR_RETRY;
    else if (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3) ||
             PQstatus(b->conn) == CONNECTION_BAD)
        r = SYNC_ERR_CONNECTION;
    else if (!strcmp(what, HEARTBEAT_WHAT) &&
             (!strncmp(state, "22", 2) || !strncmp(state, "23", 2)))
        b->base.heartbeat_refused = true;
    sync_backend_fail(&b->base, "sync: PostgreSQL: %s failed: SQLSTATE %s: %s (statement: %.160s)",
                      what, state, PQresultErrorMessage(res), sql);
    return r;
}

/* Reads every result of the pipeline up to its sync point; the first
 * error decides the outcome (later statements answer PIPELINE_ABORTED). */
static enum sync_result read_results(struct postgres_backend *b, const struct pipeline *p,
                                     int64_t deadline, int64_t timeout_ms,
                                     struct sync_fetched *fetched)
{
    enum sync_result outcome = SYNC_OK;
    for (int i = 0;;) {
        PGresult *res;
        enum wait_result w = next_result(b, deadline, &res);
        if (w != WAIT_READY)
            return wait_failed(b, w, "while waiting for the answer to the push", timeout_ms);
        if (!res) { /* end of statement i's results */
            i++;
            continue;
        }
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            /* a failed explicit transaction stays aborted after the sync:
               start the next push on a fresh connection */
            if (outcome != SYNC_OK)
                pg_disconnect(&b->base);
            return outcome;
        }
        if (status == PGRES_FATAL_ERROR && outcome == SYNC_OK)
            outcome =
                classify(b, res, i < p->n ? p->what[i] : "the push", i < p->n ? p->sql[i] : "");
        if (i == p->fetch)
            take_catalog(res, fetched);
        else if (i == p->update_fetch)
            take_update(res, fetched);
        else if (i == p->cursor)
            take_cursor(res, fetched);
        PQclear(res);
        if (PQstatus(b->conn) == CONNECTION_BAD) {
            if (outcome == SYNC_OK)
                sync_backend_fail(&b->base, "sync: PostgreSQL: connection lost: %s",
                                  PQerrorMessage(b->conn));
            pg_disconnect(&b->base);
            return SYNC_ERR_CONNECTION;
        }
    }
}

/* Sends one push as a pipeline ending in a sync point; its answer is read
 * by pg_collect, after those of the pushes sent before it. */
static enum sync_result pg_send(struct sync_backend *base, const struct sync_batch *batch,
                                const struct sync_heartbeat *heartbeat, int64_t timeout_ms)
{
    struct postgres_backend *b = (struct postgres_backend *)base;
    if (!b->conn || b->sent_n == PUSHES_IN_FLIGHT) {
        sync_backend_fail(base, "sync: PostgreSQL: cannot send the push: %s",
                          b->conn ? "two pushes already wait for their answers" : "not connected");
        return SYNC_ERR_CONNECTION;
    }
    int64_t deadline = mono_ms() + timeout_ms;
    struct pipeline *p = &b->sent[b->sent_n];
    *p = (struct pipeline){.fetch = -1, .update_fetch = -1, .cursor = -1};
    bool rows = batch->count_n + batch->reason_n + batch->comment_n > 0;
    bool backlog = batch->count_n >= SPLIT_MIN_ROWS || batch->reason_n >= SPLIT_MIN_ROWS;
    bool ok = true;
    if (rows)
        ok = send(b, p, "BEGIN", "BEGIN", 0, NULL) &&
             (!backlog || send(b, p, "SET LOCAL plan_cache_mode", generic_sql, 0, NULL)) &&
             send_counts(b, p, batch) && send_reasons(b, p, batch);
    ok = ok && send_cursor(b, p, batch) && send_heartbeat(b, p, heartbeat) &&
         send_comments(b, p, batch) && (batch->no_fetch || send_catalog_fetch(b, p, batch));
    if (rows)
        ok = ok && send(b, p, "COMMIT", "COMMIT", 0, NULL);
    if (!ok || PQpipelineSync(b->conn) != 1) {
        sync_backend_fail(base, "sync: PostgreSQL: cannot send the push: %s",
                          arrays_ok(b) ? PQerrorMessage(b->conn) : "out of memory");
        pg_disconnect(base);
        return SYNC_ERR_CONNECTION;
    }
    p->rows = (int64_t)(batch->count_n + batch->reason_n);
    b->sent_n++;
    enum wait_result w = flush_all(b, deadline);
    if (w != WAIT_READY)
        return wait_failed(b, w, "while sending the push", timeout_ms);
    return SYNC_OK;
}

/* Reads the answer to the oldest push sent.  A failed one leaves the
 * connection closed, and with it any push sent after it. */
static enum sync_result pg_collect(struct sync_backend *base, struct sync_push_stats *stats,
                                   struct sync_fetched *fetched, int64_t timeout_ms)
{
    struct postgres_backend *b = (struct postgres_backend *)base;
    *fetched = (struct sync_fetched){0};
    if (!b->conn || b->sent_n == 0) {
        sync_backend_fail(base, "sync: PostgreSQL: no push waits for its answer");
        return SYNC_ERR_CONNECTION;
    }
    struct pipeline p = b->sent[0];
    b->sent_n--;
    memmove(&b->sent[0], &b->sent[1], (size_t)b->sent_n * sizeof b->sent[0]);
    enum sync_result r = read_results(b, &p, mono_ms() + timeout_ms, timeout_ms, fetched);
    if (r == SYNC_OK) {
        stats->rows_sent += p.rows;
        stats->round_trips += 1;
    } else { /* read_results closed the connection, and the pushes after it */
        free(fetched->body);
        *fetched = (struct sync_fetched){0};
    }
    return r;
}

static enum sync_result pg_push(struct sync_backend *base, const struct sync_batch *batch,
                                const struct sync_heartbeat *heartbeat,
                                struct sync_push_stats *stats, struct sync_fetched *fetched,
                                int64_t timeout_ms)
{
    *fetched = (struct sync_fetched){0};
    enum sync_result r = pg_send(base, batch, heartbeat, timeout_ms);
    return r == SYNC_OK ? pg_collect(base, stats, fetched, timeout_ms) : r;
}

static void pg_destroy(struct sync_backend *base)
{
    struct postgres_backend *b = (struct postgres_backend *)base;
    pg_disconnect(base);
    for (size_t i = 0; i < sizeof b->arrays / sizeof b->arrays[0]; i++)
        strbuf_free(&b->arrays[i]);
    strbuf_free(&b->count_sql);
    strbuf_free(&b->count_split_sql);
    free(b->conninfo);
    free(b);
}

static const struct sync_backend_ops postgres_ops = {
    .name = "postgresql",
    .connect = pg_connect,
    .push = pg_push,
    .send = pg_send,
    .collect = pg_collect,
    .disconnect = pg_disconnect,
    .destroy = pg_destroy,
};

struct sync_backend *postgres_backend_create(const char *conninfo, int cancel_fd)
{
    struct postgres_backend *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->conninfo = strdup(conninfo);
    strbuf_puts_all(&b->count_sql, count_parts, sizeof count_parts / sizeof count_parts[0]);
    strbuf_puts_all(&b->count_split_sql, count_split_parts,
                    sizeof count_split_parts / sizeof count_split_parts[0]);
    if (!b->conninfo || b->count_sql.failed || b->count_split_sql.failed) {
        strbuf_free(&b->count_sql);
        strbuf_free(&b->count_split_sql);
        free(b->conninfo);
        free(b);
        return NULL;
    }
    b->base.ops = &postgres_ops;
    b->cancel_fd = cancel_fd;
    return &b->base;
}
