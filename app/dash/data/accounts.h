/*
 * accounts: the one owner of the dashboard's people and their keys:
 * dash_users, dash_user_scopes, dash_api_tokens and dash_sessions, read
 * and written here only.  wowdash user and token call it, and auth.h,
 * which keeps the crypto (password and token hashes), the throttle and
 * the rules of logging in, sessions and tokens.
 *
 * Names, roles, labels and hashes are checked (or made) by the caller;
 * these functions store what they are given.  Strings are borrowed.
 * Errors: false with the reason in err (size bytes); a change of several
 * rows runs in one transaction and is rolled back on failure.
 */
#ifndef WOW_ACCOUNTS_H
#define WOW_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"

struct dashdb;

/* One of a head's scopes: kind "department" or "group", and its id. */
struct accounts_scope {
    const char *kind, *id;
};

/* Sets *found to whether user name exists (and, when enabled_only, is
 * not disabled). */
bool accounts_user_exists(struct dashdb *db, const char *name, bool enabled_only, bool *found,
                          char *err, size_t size);

/* Adds user name with role, password_hash and its scopes; rollouts: a
 * technician allowed to act on rollouts (schema step 16; false for the
 * other roles).  *added false (nothing written) when the name exists
 * already. */
bool accounts_user_add(struct dashdb *db, const char *name, const char *role, bool rollouts,
                       const char *password_hash, int64_t created_ms,
                       const struct accounts_scope *scopes, size_t n_scopes, bool *added, char *err,
                       size_t size);

/* Calls handle_user_row once per user and scope, ordered by user, kind,
 * scope id (kind and id NULL for a user without scopes); strings valid
 * only during the call.  Stops (returning false) when it returns false. */
bool accounts_users_each(struct dashdb *db,
                         bool (*handle_user_row)(void *ctx, const char *name, const char *role,
                                                 bool disabled, bool rollouts, const char *kind,
                                                 const char *id),
                         void *ctx, char *err, size_t size);

/* Lets technician name act on rollouts, or no longer (on false); *found
 * false (nothing written) when there is no such user, *technician false
 * when it is not a technician (nothing written either: an admin always
 * may, a head never).  The user's sessions see it at their next request. */
bool accounts_user_set_rollouts(struct dashdb *db, const char *name, bool on, bool *found,
                                bool *technician, char *err, size_t size);

/* Disables user name and ends its sessions and API tokens (*sessions,
 * *tokens: how many); *found false (nothing written) when no such user. */
bool accounts_user_disable(struct dashdb *db, const char *name, bool *found, int64_t *sessions,
                           int64_t *tokens, char *err, size_t size);

/* Replaces user name's password hash and ends its sessions. */
bool accounts_user_set_password(struct dashdb *db, const char *name, const char *password_hash,
                                char *err, size_t size);

/* Sets *found to whether user has a token labelled label. */
bool accounts_token_exists(struct dashdb *db, const char *user, const char *label, bool *found,
                           char *err, size_t size);

/* Stores an API token of user by its hash (auth_token_hash). */
bool accounts_token_add(struct dashdb *db, const char *token_hash, const char *user,
                        const char *label, int64_t created_ms, char *err, size_t size);

/* Calls handle_token for every API token, by user then label;
 * last_used_ms NULL when never used; strings valid only during the call.
 * Stops (returning false) when it returns false. */
bool accounts_tokens_each(struct dashdb *db,
                          bool (*handle_token)(void *ctx, const char *label, const char *user,
                                               int64_t created_ms, const int64_t *last_used_ms),
                          void *ctx, char *err, size_t size);

/* Deletes user's token labelled label; *found false when there was none. */
bool accounts_token_revoke(struct dashdb *db, const char *user, const char *label, bool *found,
                           char *err, size_t size);

/* ---- for auth.c ---- */

/* A user's row: found, disabled, its role ("admin", "head", ...) and
 * password hash (cut to their sizes). */
struct accounts_user {
    bool found, disabled, rollouts;
    char role[16];
    char password_hash[128];
};

/* User name's row into *out (zeroed first). */
bool accounts_user_find(struct dashdb *db, const char *name, struct accounts_user *out, char *err,
                        size_t size);

/* Appends head name's departments to user->departments (realloc'd; the
 * caller frees with dash_user_free): the named ones and those of its
 * named groups and of every group below them in the catalog's tree,
 * sorted, without repeats. */
bool accounts_head_departments(struct dashdb *db, const char *name, struct dash_user *user,
                               char *err, size_t size);

/* A session's row, with its user's disabled flag; csrf cut to 43
 * characters (auth.h's AUTH_TOKEN_LEN). */
#define ACCOUNTS_CSRF_MAX 44
struct accounts_session {
    bool found, disabled;
    char user[DASH_ID_MAX];
    char csrf[ACCOUNTS_CSRF_MAX];
    int64_t seen_ms, expires_ms;
};

/* Deletes every session that expired (expires_ms <= now_ms, or seen_ms <=
 * idle_before_ms), then stores a new one by its hash, seen now. */
bool accounts_session_start(struct dashdb *db, const char *session_hash, const char *user,
                            const char *csrf, int64_t now_ms, int64_t idle_before_ms,
                            int64_t expires_ms, char *err, size_t size);

/* The session stored under session_hash into *out (zeroed first). */
bool accounts_session_find(struct dashdb *db, const char *session_hash,
                           struct accounts_session *out, char *err, size_t size);

/* Marks the session seen at now_ms. */
bool accounts_session_touch(struct dashdb *db, const char *session_hash, int64_t now_ms, char *err,
                            size_t size);

/* Deletes the session stored under session_hash (none: fine). */
bool accounts_session_end(struct dashdb *db, const char *session_hash, char *err, size_t size);

/* An API token's row, with its user's disabled flag. */
struct accounts_token {
    bool found, disabled;
    char user[DASH_ID_MAX];
    int64_t last_used_ms; /* -1: never */
};

/* The API token stored under token_hash into *out (zeroed first). */
bool accounts_token_find(struct dashdb *db, const char *token_hash, struct accounts_token *out,
                         char *err, size_t size);

/* Marks the API token used at now_ms. */
bool accounts_token_touch(struct dashdb *db, const char *token_hash, int64_t now_ms, char *err,
                          size_t size);

#endif
