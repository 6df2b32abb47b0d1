/*
 * accounts: the one writer of the dashboard's people and their keys:
 * dash_users, dash_user_scopes, dash_api_tokens, and the sessions a
 * user's change ends (dash_sessions).  wowdash user and token call it;
 * auth.h keeps the crypto (password hashes, token hashes) and logging in.
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

struct dashdb;

/* One of a head's scopes: kind "department" or "group", and its id. */
struct accounts_scope {
    const char *kind, *id;
};

/* Sets *found to whether user name exists (and, when enabled_only, is
 * not disabled). */
bool accounts_user_exists(struct dashdb *db, const char *name, bool enabled_only, bool *found,
                          char *err, size_t size);

/* Adds user name with role, password_hash and its scopes; *added false
 * (nothing written) when the name exists already. */
bool accounts_user_add(struct dashdb *db, const char *name, const char *role,
                       const char *password_hash, int64_t created_ms,
                       const struct accounts_scope *scopes, size_t n_scopes, bool *added, char *err,
                       size_t size);

/* Calls handle_user_row once per user and scope, ordered by user, kind,
 * scope id (kind and id NULL for a user without scopes); strings valid
 * only during the call.  Stops (returning false) when it returns false. */
bool accounts_users_each(struct dashdb *db,
                         bool (*handle_user_row)(void *ctx, const char *name, const char *role,
                                                 bool disabled, const char *kind, const char *id),
                         void *ctx, char *err, size_t size);

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

#endif
