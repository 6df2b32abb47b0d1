/*
 * accounts: dash_users, dash_user_scopes and dash_api_tokens written and
 * listed for wowdash user and token; the sessions their changes end
 * (accounts.h).
 */
#include "accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dashdb.h"

static bool note_row(void *ctx, int ncols, const char *const *v)
{
    (void)ncols, (void)v;
    *(bool *)ctx = true;
    return true;
}

static bool begin(struct dashdb *db, char *err, size_t size)
{
    return dashdb_exec(db, "BEGIN", NULL, 0, NULL, NULL, NULL, err, size);
}

/* COMMIT when ok, else ROLLBACK (keeping err); false when not committed. */
static bool end(struct dashdb *db, bool ok, char *err, size_t size)
{
    char ignored[256];
    if (ok)
        return dashdb_exec(db, "COMMIT", NULL, 0, NULL, NULL, NULL, err, size);
    dashdb_exec(db, "ROLLBACK", NULL, 0, NULL, NULL, NULL, ignored, sizeof ignored);
    return false;
}

bool accounts_user_exists(struct dashdb *db, const char *name, bool enabled_only, bool *found,
                          char *err, size_t size)
{
    const struct dashdb_value p = DASHDB_TEXT(name);
    *found = false;
    return dashdb_exec(db,
                       enabled_only
                           ? "SELECT 1 FROM dash_users WHERE user_name = $1 AND disabled = 0"
                           : "SELECT 1 FROM dash_users WHERE user_name = $1",
                       &p, 1, note_row, found, NULL, err, size);
}

bool accounts_user_add(struct dashdb *db, const char *name, const char *role, bool rollouts,
                       const char *password_hash, int64_t created_ms,
                       const struct accounts_scope *scopes, size_t n_scopes, bool *added, char *err,
                       size_t size)
{
    const struct dashdb_value row[] = {DASHDB_TEXT(name), DASHDB_TEXT(role),
                                       DASHDB_TEXT(password_hash), DASHDB_INT(created_ms),
                                       DASHDB_INT(rollouts ? 1 : 0)};
    int64_t changes = 0;
    *added = false;
    bool ok =
        begin(db, err, size) &&
        dashdb_exec(db,
                    "INSERT INTO dash_users(user_name, role, password_hash, created_ms,"
                    " rollouts) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_name) DO NOTHING",
                    row, 5, NULL, NULL, &changes, err, size);
    if (ok && changes == 0) {
        end(db, false, err, size);
        return true;
    }
    for (size_t i = 0; ok && i < n_scopes; i++) {
        const struct dashdb_value scope[] = {DASHDB_TEXT(name), DASHDB_TEXT(scopes[i].kind),
                                             DASHDB_TEXT(scopes[i].id)};
        ok = dashdb_exec(db,
                         "INSERT INTO dash_user_scopes(user_name, kind, scope_id)"
                         " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                         scope, 3, NULL, NULL, NULL, err, size);
    }
    *added = end(db, ok, err, size);
    return *added;
}

struct user_walk {
    bool (*handle_user_row)(void *ctx, const char *name, const char *role, bool disabled,
                            bool rollouts, const char *kind, const char *id);
    void *ctx;
};

static bool handle_users_row(void *ctx, int ncols, const char *const *v)
{
    const struct user_walk *walk = ctx;
    if (ncols != 6 || !v[0] || !v[1] || !v[2] || !v[3])
        return false;
    return walk->handle_user_row(walk->ctx, v[0], v[1], strcmp(v[2], "0") != 0,
                                 strcmp(v[3], "0") != 0, v[4] && v[5] ? v[4] : NULL,
                                 v[4] && v[5] ? v[5] : NULL);
}

bool accounts_users_each(struct dashdb *db,
                         bool (*handle_user_row)(void *ctx, const char *name, const char *role,
                                                 bool disabled, bool rollouts, const char *kind,
                                                 const char *id),
                         void *ctx, char *err, size_t size)
{
    struct user_walk walk = {handle_user_row, ctx};
    return dashdb_exec(db,
                       "SELECT u.user_name, u.role, u.disabled, u.rollouts, s.kind, s.scope_id"
                       " FROM dash_users u LEFT JOIN dash_user_scopes s"
                       " ON s.user_name = u.user_name ORDER BY 1, 5, 6",
                       NULL, 0, handle_users_row, &walk, NULL, err, size);
}

bool accounts_user_set_rollouts(struct dashdb *db, const char *name, bool on, bool *found,
                                bool *technician, char *err, size_t size)
{
    /* one statement: only a technician's row changes (the schema's CHECK
       says the same); no change means no such user, or another role */
    const struct dashdb_value row[] = {DASHDB_TEXT(name), DASHDB_INT(on ? 1 : 0)};
    int64_t changes = 0;
    *found = *technician = false;
    if (!dashdb_exec(db,
                     "UPDATE dash_users SET rollouts = $2 WHERE user_name = $1"
                     " AND role = 'technician'",
                     row, 2, NULL, NULL, &changes, err, size))
        return false;
    if (changes > 0) {
        *found = *technician = true;
        return true;
    }
    return accounts_user_exists(db, name, false, found, err, size);
}

bool accounts_user_disable(struct dashdb *db, const char *name, bool *found, int64_t *sessions,
                           int64_t *tokens, char *err, size_t size)
{
    const struct dashdb_value p = DASHDB_TEXT(name);
    int64_t users = 0;
    *sessions = *tokens = 0;
    bool ok = begin(db, err, size) &&
              dashdb_exec(db, "UPDATE dash_users SET disabled = 1 WHERE user_name = $1", &p, 1,
                          NULL, NULL, &users, err, size) &&
              dashdb_exec(db, "DELETE FROM dash_sessions WHERE user_name = $1", &p, 1, NULL, NULL,
                          sessions, err, size) &&
              dashdb_exec(db, "DELETE FROM dash_api_tokens WHERE user_name = $1", &p, 1, NULL, NULL,
                          tokens, err, size);
    *found = users > 0;
    if (ok && !*found) {
        end(db, false, err, size);
        return true;
    }
    return end(db, ok, err, size);
}

bool accounts_user_set_password(struct dashdb *db, const char *name, const char *password_hash,
                                char *err, size_t size)
{
    const struct dashdb_value p = DASHDB_TEXT(name);
    const struct dashdb_value row[] = {DASHDB_TEXT(name), DASHDB_TEXT(password_hash)};
    /* a new password logs out everywhere: the old one may have leaked */
    bool ok = begin(db, err, size) &&
              dashdb_exec(db, "UPDATE dash_users SET password_hash = $2 WHERE user_name = $1", row,
                          2, NULL, NULL, NULL, err, size) &&
              dashdb_exec(db, "DELETE FROM dash_sessions WHERE user_name = $1", &p, 1, NULL, NULL,
                          NULL, err, size);
    return end(db, ok, err, size);
}

bool accounts_token_exists(struct dashdb *db, const char *user, const char *label, bool *found,
                           char *err, size_t size)
{
    const struct dashdb_value ul[] = {DASHDB_TEXT(user), DASHDB_TEXT(label)};
    *found = false;
    return dashdb_exec(db, "SELECT 1 FROM dash_api_tokens WHERE user_name = $1 AND label = $2", ul,
                       2, note_row, found, NULL, err, size);
}

bool accounts_token_add(struct dashdb *db, const char *token_hash, const char *user,
                        const char *label, int64_t created_ms, char *err, size_t size)
{
    const struct dashdb_value row[] = {DASHDB_TEXT(token_hash), DASHDB_TEXT(user),
                                       DASHDB_TEXT(label), DASHDB_INT(created_ms)};
    return dashdb_exec(db,
                       "INSERT INTO dash_api_tokens(token_hash, user_name, label, created_ms)"
                       " VALUES ($1, $2, $3, $4)",
                       row, 4, NULL, NULL, NULL, err, size);
}

struct token_walk {
    bool (*handle_token)(void *ctx, const char *label, const char *user, int64_t created_ms,
                         const int64_t *last_used_ms);
    void *ctx;
};

static bool handle_tokens_row(void *ctx, int ncols, const char *const *v)
{
    const struct token_walk *walk = ctx;
    if (ncols != 4 || !v[0] || !v[1] || !v[2])
        return false;
    int64_t used = v[3] ? strtoll(v[3], NULL, 10) : 0;
    return walk->handle_token(walk->ctx, v[0], v[1], strtoll(v[2], NULL, 10), v[3] ? &used : NULL);
}

bool accounts_tokens_each(struct dashdb *db,
                          bool (*handle_token)(void *ctx, const char *label, const char *user,
                                               int64_t created_ms, const int64_t *last_used_ms),
                          void *ctx, char *err, size_t size)
{
    struct token_walk walk = {handle_token, ctx};
    return dashdb_exec(db,
                       "SELECT label, user_name, created_ms, last_used_ms FROM dash_api_tokens"
                       " ORDER BY user_name, label",
                       NULL, 0, handle_tokens_row, &walk, NULL, err, size);
}

bool accounts_token_revoke(struct dashdb *db, const char *user, const char *label, bool *found,
                           char *err, size_t size)
{
    const struct dashdb_value ul[] = {DASHDB_TEXT(user), DASHDB_TEXT(label)};
    int64_t changes = 0;
    bool ok = dashdb_exec(db, "DELETE FROM dash_api_tokens WHERE user_name = $1 AND label = $2", ul,
                          2, NULL, NULL, &changes, err, size);
    *found = changes > 0;
    return ok;
}

/* ---- for auth.c -------------------------------------------------------- */

static bool read_user(void *ctx, int ncols, const char *const *v)
{
    struct accounts_user *row = ctx;
    if (ncols != 4 || !v[0] || !v[1] || !v[2] || !v[3])
        return false;
    row->found = true;
    snprintf(row->role, sizeof row->role, "%s", v[0]);
    snprintf(row->password_hash, sizeof row->password_hash, "%s", v[1]);
    row->disabled = strcmp(v[2], "0") != 0;
    row->rollouts = strcmp(v[3], "0") != 0;
    return true;
}

bool accounts_user_find(struct dashdb *db, const char *name, struct accounts_user *out, char *err,
                        size_t size)
{
    *out = (struct accounts_user){0};
    const struct dashdb_value p = DASHDB_TEXT(name);
    return dashdb_exec(db,
                       "SELECT role, password_hash, disabled, rollouts FROM dash_users"
                       " WHERE user_name = $1",
                       &p, 1, read_user, out, NULL, err, size);
}

static bool read_department(void *ctx, int ncols, const char *const *v)
{
    struct dash_user *user = ctx;
    if (ncols != 1 || !v[0])
        return false;
    char(*grown)[DASH_ID_MAX] =
        realloc(user->departments, (user->n_departments + 1) * sizeof *grown);
    if (!grown)
        return false;
    user->departments = grown;
    snprintf(user->departments[user->n_departments++], DASH_ID_MAX, "%s", v[0]);
    return true;
}

bool accounts_head_departments(struct dashdb *db, const char *name, struct dash_user *user,
                               char *err, size_t size)
{
    /* a group scope is a node of the catalog's group tree: its
       departments and those of every group below it (UNION, not UNION
       ALL: a cycle, which the catalog refuses anyway, would still end) */
    static const char sql[] =
        "WITH RECURSIVE scoped(group_id) AS ("
        "  SELECT scope_id FROM dash_user_scopes WHERE user_name = $1 AND kind = 'group'"
        "  UNION SELECT g.group_id FROM dash_groups g JOIN scoped s ON g.parent_id = s.group_id)"
        " SELECT scope_id FROM dash_user_scopes WHERE user_name = $1 AND kind = 'department'"
        " UNION"
        " SELECT d.department FROM dash_departments d JOIN scoped s ON s.group_id = d.group_id"
        " ORDER BY 1";
    const struct dashdb_value p = DASHDB_TEXT(name);
    return dashdb_exec(db, sql, &p, 1, read_department, user, NULL, err, size);
}

bool accounts_session_start(struct dashdb *db, const char *session_hash, const char *user,
                            const char *csrf, int64_t now_ms, int64_t idle_before_ms,
                            int64_t expires_ms, char *err, size_t size)
{
    const struct dashdb_value sweep[] = {DASHDB_INT(now_ms), DASHDB_INT(idle_before_ms)};
    const struct dashdb_value row[] = {DASHDB_TEXT(session_hash), DASHDB_TEXT(user),
                                       DASHDB_TEXT(csrf), DASHDB_INT(now_ms),
                                       DASHDB_INT(expires_ms)};
    return dashdb_exec(db, "DELETE FROM dash_sessions WHERE expires_ms <= $1 OR seen_ms <= $2",
                       sweep, 2, NULL, NULL, NULL, err, size) &&
           dashdb_exec(db,
                       "INSERT INTO dash_sessions(session_hash, user_name, csrf_token, created_ms,"
                       " seen_ms, expires_ms) VALUES ($1, $2, $3, $4, $4, $5)",
                       row, 5, NULL, NULL, NULL, err, size);
}

static bool read_session(void *ctx, int ncols, const char *const *v)
{
    struct accounts_session *row = ctx;
    if (ncols != 5 || !v[0] || !v[1] || !v[2] || !v[3] || !v[4])
        return false;
    row->found = true;
    snprintf(row->user, sizeof row->user, "%s", v[0]);
    snprintf(row->csrf, sizeof row->csrf, "%s", v[1]);
    row->seen_ms = strtoll(v[2], NULL, 10);
    row->expires_ms = strtoll(v[3], NULL, 10);
    row->disabled = strcmp(v[4], "0") != 0;
    return true;
}

bool accounts_session_find(struct dashdb *db, const char *session_hash,
                           struct accounts_session *out, char *err, size_t size)
{
    *out = (struct accounts_session){0};
    const struct dashdb_value key = DASHDB_TEXT(session_hash);
    return dashdb_exec(db,
                       "SELECT s.user_name, s.csrf_token, s.seen_ms, s.expires_ms, u.disabled"
                       " FROM dash_sessions s JOIN dash_users u ON u.user_name = s.user_name"
                       " WHERE s.session_hash = $1",
                       &key, 1, read_session, out, NULL, err, size);
}

bool accounts_session_touch(struct dashdb *db, const char *session_hash, int64_t now_ms, char *err,
                            size_t size)
{
    const struct dashdb_value params[] = {DASHDB_INT(now_ms), DASHDB_TEXT(session_hash)};
    return dashdb_exec(db, "UPDATE dash_sessions SET seen_ms = $1 WHERE session_hash = $2", params,
                       2, NULL, NULL, NULL, err, size);
}

bool accounts_session_end(struct dashdb *db, const char *session_hash, char *err, size_t size)
{
    const struct dashdb_value key = DASHDB_TEXT(session_hash);
    return dashdb_exec(db, "DELETE FROM dash_sessions WHERE session_hash = $1", &key, 1, NULL, NULL,
                       NULL, err, size);
}

static bool read_token(void *ctx, int ncols, const char *const *v)
{
    struct accounts_token *row = ctx;
    if (ncols != 3 || !v[0] || !v[2])
        return false;
    row->found = true;
    snprintf(row->user, sizeof row->user, "%s", v[0]);
    row->last_used_ms = v[1] ? strtoll(v[1], NULL, 10) : -1;
    row->disabled = strcmp(v[2], "0") != 0;
    return true;
}

bool accounts_token_find(struct dashdb *db, const char *token_hash, struct accounts_token *out,
                         char *err, size_t size)
{
    *out = (struct accounts_token){0};
    const struct dashdb_value key = DASHDB_TEXT(token_hash);
    return dashdb_exec(db,
                       "SELECT t.user_name, t.last_used_ms, u.disabled FROM dash_api_tokens t"
                       " JOIN dash_users u ON u.user_name = t.user_name WHERE t.token_hash = $1",
                       &key, 1, read_token, out, NULL, err, size);
}

bool accounts_token_touch(struct dashdb *db, const char *token_hash, int64_t now_ms, char *err,
                          size_t size)
{
    const struct dashdb_value params[] = {DASHDB_INT(now_ms), DASHDB_TEXT(token_hash)};
    return dashdb_exec(db, "UPDATE dash_api_tokens SET last_used_ms = $1 WHERE token_hash = $2",
                       params, 2, NULL, NULL, NULL, err, size);
}
