/*
 * auth: who is asking the dashboard.  Logins (argon2id password hashes,
 * libsodium), sessions behind a cookie, API tokens behind a bearer header,
 * CSRF tokens, and the slowing-down of failed logins.
 *
 * Secrets never reach the database in clear: a session token (the
 * cookie's value, 32 random bytes as 43 characters of base64url without
 * padding) and an API token ("wdt_" and 43 such characters) are stored as
 * the SHA-256 of their text, in hex; a copy of the database logs nobody in.
 * A session ends after 12 h without a request or 7 days after the login,
 * whichever comes first; expired rows are deleted when next met (and at
 * each login).
 *
 * Failed logins are counted per user name and per client address, in
 * memory (struct auth): after 3 failures every further try must wait
 * 1 s, 2 s, 4 s ... up to 5 min after the last failure, and a try inside
 * that wait is answered AUTH_THROTTLED at once, without checking the
 * password.  A success resets the name and the address.  An unknown user
 * name costs the same work (a verification against a fixed dummy hash) and
 * gets the same answer as a wrong password or a disabled user.  At most
 * AUTH_MAX_VERIFYING password verifications (64 MiB and ~0.1 s each) run
 * at once, so a login storm cannot starve the page threads.
 *
 * The rows (users, scopes, sessions, API tokens) are read and written
 * through accounts.h, their one owner; auth keeps the hashes and the rules.
 *
 * Times are milliseconds since the epoch, UTC, passed in (tests inject
 * them).  Errors come back as text in the caller's buffer; nothing here
 * logs but auth_create.
 */
#ifndef WOW_AUTH_H
#define WOW_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dashview.h"

struct dashdb;

#define AUTH_TOKEN_LEN 43 /* a session, CSRF or API token's random part */
#define AUTH_COOKIE    "wowdash_session"
/* Its name over HTTPS: the browser then takes it only from a secure origin,
 * for Path=/, without a Domain (no sibling host can set or shadow it). */
#define AUTH_COOKIE_SECURE     "__Host-" AUTH_COOKIE
#define AUTH_API_TOKEN_PREFIX  "wdt_"
#define AUTH_API_TOKEN_LEN     (4 + AUTH_TOKEN_LEN) /* "wdt_" and the random part */
#define AUTH_HASH_HEX_LEN      64                   /* SHA-256 in hex */
#define AUTH_PASSWORD_HASH_MAX 128                  /* crypto_pwhash_STRBYTES, with the NUL */

#define AUTH_SESSION_IDLE_MS     (12 * 3600 * 1000LL)
#define AUTH_SESSION_ABSOLUTE_MS (7 * 24 * 3600 * 1000LL)
#define AUTH_TOUCH_EVERY_MS      (60 * 1000LL) /* seen_ms, last_used_ms: at most one write a minute */
#define AUTH_THROTTLE_AFTER      3             /* failures before the waits begin */
#define AUTH_THROTTLE_FIRST_MS   1000LL
#define AUTH_THROTTLE_MAX_MS     (5 * 60 * 1000LL)
#define AUTH_THROTTLE_FORGET_MS                                                                    \
    (3600 * 1000LL)                /* a name or address quiet this long starts afresh */
#define AUTH_THROTTLE_ENTRIES 4096 /* names and addresses remembered; the oldest go */
#define AUTH_MAX_VERIFYING    2
/* A name's throttle does not hold back the addresses that name logged in
 * from lately (so ten wrong passwords from elsewhere cannot lock its owner
 * out); the address's own throttle still does. */
#define AUTH_KNOWN_PAIRS 1024                      /* (name, address) pairs remembered */
#define AUTH_KNOWN_MS    (30 * 24 * 3600 * 1000LL) /* for this long after a login */

enum auth_status { AUTH_OK, AUTH_DENIED, AUTH_THROTTLED, AUTH_ERROR };

struct auth;

/* The throttle table (AUTH_THROTTLE_ENTRIES) and the verification slots;
 * NULL when out of memory.  Safe to share between threads: its state is
 * guarded by a mutex inside.  Free with auth_destroy. */
struct auth *auth_create(void);
/* The same with a throttle table of `entries` (at least 2) entries, for
 * tests of the eviction. */
struct auth *auth_create_bounded(size_t entries);
void auth_destroy(struct auth *auth);

/* What auth has done so far (tests, logs). */
struct auth_stats {
    int64_t verifications; /* password verifications run, dummy ones included */
    int peak_verifying;    /* the most that ever ran at once */
};
void auth_get_stats(struct auth *auth, struct auth_stats *out);

/* Checks user's password and, when right, starts a session: AUTH_OK with
 * the cookie's value in session.  AUTH_DENIED (err "wrong user name or
 * password") for an unknown user, a wrong password and a disabled user
 * alike; AUTH_THROTTLED with the wait in *retry_after_ms; AUTH_ERROR with
 * the database's message in err.  client: the client's address (NULL or
 * "" when unknown: only the name is throttled).  db is used by this thread
 * only for the call. */
enum auth_status auth_login(struct auth *auth, struct dashdb *db, const char *user,
                            const char *password, const char *client, int64_t now_ms,
                            char session[AUTH_TOKEN_LEN + 1], int64_t *retry_after_ms, char *err,
                            size_t size);

/* The session behind a cookie's value: AUTH_OK with the user (the caller
 * frees it with dash_user_free, also after a failure) and its CSRF token;
 * AUTH_DENIED for an unknown, malformed or expired session (an expired
 * one is deleted) or a disabled user; AUTH_ERROR with the reason in err.
 * Moves the idle expiry on (writes seen_ms at most once a minute). */
enum auth_status auth_session(struct dashdb *db, const char *session, int64_t now_ms,
                              struct dash_user *user, char csrf[AUTH_TOKEN_LEN + 1], char *err,
                              size_t size);

/* Ends the session (deletes its row; an unknown one is no error).  false
 * with the reason in err when the database fails. */
bool auth_logout(struct dashdb *db, const char *session, char *err, size_t size);

/* The user behind an API token: token is the Authorization header's value
 * ("Bearer wdt_...") or the token alone.  Results as auth_session's; the
 * token's last_used_ms is written at most once a minute. */
enum auth_status auth_bearer(struct dashdb *db, const char *token, int64_t now_ms,
                             struct dash_user *user, char *err, size_t size);

/* Whether a form's CSRF token (given, may be NULL) is the session's
 * (expected), in time that does not depend on where they differ. */
bool auth_csrf_equal(const char *expected, const char *given);

/* Fills user (emptied first; the caller frees it with dash_user_free, also
 * after a failure) with name's role and, for a head, its departments: the
 * scoped ones and every department of a scoped group (dash_departments),
 * each once, sorted.  false with the reason in err for an unknown or
 * disabled user or a database error. */
bool auth_load_user(struct dashdb *db, const char *name, struct dash_user *user, char *err,
                    size_t size);

/* The argon2id hash of password (crypto_pwhash_str, interactive limits)
 * into out (size >= AUTH_PASSWORD_HASH_MAX).  false when out is too small
 * or memory runs out. */
bool auth_hash_password(const char *password, char *out, size_t size);

/* AUTH_TOKEN_LEN characters of base64url from 32 random bytes into out.
 * false when the random source fails. */
bool auth_random_token(char out[AUTH_TOKEN_LEN + 1]);

/* The SHA-256 of token's text in lower-case hex: what the database keeps
 * of a session or an API token. */
void auth_token_hash(const char *token, char hex[AUTH_HASH_HEX_LEN + 1]);

#endif
