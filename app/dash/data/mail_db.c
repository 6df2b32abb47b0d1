/* mail_db: dash_reports and dash_mail (see mail_db.h). */
#include "mail_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"

static const char *const kind_names[MAIL_KIND_COUNT] = {"daily", "weekly", "monthly", "alerts"};

const char *mail_kind_name(enum mail_kind kind)
{
    return kind >= 0 && kind < MAIL_KIND_COUNT ? kind_names[kind] : "?";
}

int mail_kind_parse(const char *text)
{
    for (int i = 0; i < MAIL_KIND_COUNT; i++)
        if (text && !strcmp(text, kind_names[i]))
            return i;
    return -1;
}

bool mail_address_valid(const char *text)
{
    size_t n = strlen(text);
    const char *at = strrchr(text, '@');
    if (n == 0 || n >= MAIL_ADDRESS_MAX || !at || at == text || at[1] == '\0' ||
        strchr(at + 1, '.') == NULL || at[strlen(at) - 1] == '.')
        return false;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("\"<>(),;:\\[]", *p))
            return false;
    return strchr(text, '@') == at; /* one @ */
}

static int64_t parse_i64(const char *text)
{
    return text ? strtoll(text, NULL, 10) : 0;
}

/* Room for one more of n items of size bytes in *items (cap of them now):
 * doubles the array when full; false when out of memory (*items kept). */
static bool grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return true;
    size_t more = *cap ? *cap * 2 : 8;
    void *grown = realloc(*items, more * size);
    if (!grown)
        return false;
    *items = grown;
    *cap = more;
    return true;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* ---- subscriptions ----------------------------------------------------- */

bool mail_db_subscribe(struct dashdb *db, const struct mail_subscription *s, char *err, size_t size)
{
    struct dashdb_value p[] = {DASHDB_TEXT(s->user), DASHDB_TEXT(mail_kind_name(s->kind)),
                               DASHDB_TEXT(s->address), DASHDB_INT(s->hour),
                               DASHDB_INT(s->created_ms)};
    return dashdb_exec(db,
                       "INSERT INTO dash_reports(user_name, kind, address, hour, created_ms)"
                       " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_name, kind) DO UPDATE"
                       " SET address = excluded.address, hour = excluded.hour",
                       p, 5, NULL, NULL, NULL, err, size);
}

bool mail_db_unsubscribe(struct dashdb *db, const char *user, enum mail_kind kind, bool *found,
                         char *err, size_t size)
{
    int64_t changes = 0;
    struct dashdb_value p[] = {DASHDB_TEXT(user), DASHDB_TEXT(mail_kind_name(kind))};
    bool ok = dashdb_exec(db, "DELETE FROM dash_reports WHERE user_name = $1 AND kind = $2", p, 2,
                          NULL, NULL, &changes, err, size);
    *found = changes > 0;
    return ok;
}

struct subs_ctx {
    struct mail_subscription *items;
    size_t n, cap;
    bool oom;
};

static bool handle_subscription(void *ctx, int ncols, const char *const *v)
{
    struct subs_ctx *c = ctx;
    if (ncols != 5)
        return true;
    if (!grow((void **)&c->items, &c->cap, c->n, sizeof *c->items)) {
        c->oom = true;
        return false;
    }
    struct mail_subscription *s = &c->items[c->n];
    int kind = mail_kind_parse(v[1]);
    if (kind < 0)
        return true;
    *s = (struct mail_subscription){
        .kind = (enum mail_kind)kind, .hour = (int)parse_i64(v[3]), .created_ms = parse_i64(v[4])};
    copy(s->user, sizeof s->user, v[0]);
    copy(s->address, sizeof s->address, v[2]);
    c->n++;
    return true;
}

bool mail_db_subscriptions(struct dashdb *db, struct mail_subscription **out, size_t *n, char *err,
                           size_t size)
{
    struct subs_ctx c = {0};
    bool ok = dashdb_exec(db,
                          "SELECT user_name, kind, address, hour, created_ms FROM dash_reports"
                          " ORDER BY user_name, kind",
                          NULL, 0, handle_subscription, &c, NULL, err, size);
    if (c.oom) {
        snprintf(err, size, "out of memory reading dash_reports");
        ok = false;
    }
    if (!ok) {
        free(c.items);
        c.items = NULL, c.n = 0;
    }
    *out = c.items;
    *n = c.n;
    return ok;
}

/* ---- the outbox -------------------------------------------------------- */

static bool handle_one(void *ctx, int ncols, const char *const *v)
{
    *(bool *)ctx = true;
    return true;
}

bool mail_db_known(struct dashdb *db, const char *key, bool *known, char *err, size_t size)
{
    *known = false;
    struct dashdb_value p[] = {DASHDB_TEXT(key)};
    return dashdb_exec(db, "SELECT 1 FROM dash_mail WHERE mail_key = $1", p, 1, handle_one, known,
                       NULL, err, size);
}

bool mail_db_queue(struct dashdb *db, const char *key, const char *address, const char *subject,
                   const char *body, bool skipped, int64_t now_ms, bool *queued, char *err,
                   size_t size)
{
    int64_t changes = 0;
    struct dashdb_value p[] = {DASHDB_TEXT(key),     DASHDB_TEXT(address),
                               DASHDB_TEXT(subject), DASHDB_TEXT(body),
                               DASHDB_INT(now_ms),   DASHDB_TEXT(skipped ? "skipped" : "waiting")};
    bool ok = dashdb_exec(db,
                          "INSERT INTO dash_mail(mail_key, address, subject, body, created_ms,"
                          " state, next_try_ms) VALUES ($1, $2, $3, $4, $5, $6, $5)"
                          " ON CONFLICT (mail_key) DO NOTHING",
                          p, 6, NULL, NULL, &changes, err, size);
    *queued = ok && changes > 0;
    return ok;
}

struct items_ctx {
    struct mail_item *items;
    size_t n, cap;
    bool oom;
};

static bool handle_item(void *ctx, int ncols, const char *const *v)
{
    struct items_ctx *c = ctx;
    if (ncols != 5)
        return true;
    if (!grow((void **)&c->items, &c->cap, c->n, sizeof *c->items)) {
        c->oom = true;
        return false;
    }
    struct mail_item *m = &c->items[c->n];
    *m = (struct mail_item){.attempts = (int)parse_i64(v[4])};
    copy(m->key, sizeof m->key, v[0]);
    copy(m->address, sizeof m->address, v[1]);
    m->subject = strdup(v[2] ? v[2] : "");
    m->body = strdup(v[3] ? v[3] : "");
    if (!m->subject || !m->body) {
        free(m->subject);
        free(m->body);
        c->oom = true;
        return false;
    }
    c->n++;
    return true;
}

bool mail_db_waiting(struct dashdb *db, int64_t now_ms, int limit, struct mail_item **out,
                     size_t *n, char *err, size_t size)
{
    struct items_ctx c = {0};
    struct dashdb_value p[] = {DASHDB_INT(now_ms), DASHDB_INT(limit)};
    bool ok = dashdb_exec(db,
                          "SELECT mail_key, address, subject, body, attempts FROM dash_mail"
                          " WHERE state = 'waiting' AND next_try_ms <= $1"
                          " ORDER BY created_ms, mail_key LIMIT $2",
                          p, 2, handle_item, &c, NULL, err, size);
    if (c.oom) {
        snprintf(err, size, "out of memory reading dash_mail");
        ok = false;
    }
    if (!ok) {
        mail_items_free(c.items, c.n);
        c.items = NULL, c.n = 0;
    }
    *out = c.items;
    *n = c.n;
    return ok;
}

void mail_items_free(struct mail_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i].subject);
        free(items[i].body);
    }
    free(items);
}

bool mail_db_tried(struct dashdb *db, const char *key, bool sent, bool give_up, int attempts,
                   int64_t next_try_ms, const char *error, int64_t now_ms, char *err, size_t size)
{
    const char *state = sent ? "sent" : give_up ? "failed" : "waiting";
    struct dashdb_value p[] = {DASHDB_TEXT(key),     DASHDB_TEXT(state),
                               DASHDB_INT(attempts), DASHDB_INT(next_try_ms),
                               DASHDB_TEXT(error),   DASHDB_INT(sent ? now_ms : 0)};
    return dashdb_exec(db,
                       "UPDATE dash_mail SET state = $2, attempts = $3, next_try_ms = $4,"
                       " last_error = $5, sent_ms = $6 WHERE mail_key = $1",
                       p, 6, NULL, NULL, NULL, err, size);
}

static bool handle_count(void *ctx, int ncols, const char *const *v)
{
    struct mail_counts *c = ctx;
    if (ncols != 2 || !v[0])
        return true;
    int64_t n = parse_i64(v[1]);
    if (!strcmp(v[0], "waiting"))
        c->waiting = n;
    else if (!strcmp(v[0], "sent"))
        c->sent = n;
    else if (!strcmp(v[0], "failed"))
        c->failed = n;
    else if (!strcmp(v[0], "skipped"))
        c->skipped = n;
    return true;
}

bool mail_db_counts(struct dashdb *db, struct mail_counts *out, char *err, size_t size)
{
    *out = (struct mail_counts){0};
    return dashdb_exec(db, "SELECT state, COUNT(*) FROM dash_mail GROUP BY state", NULL, 0,
                       handle_count, out, NULL, err, size);
}
