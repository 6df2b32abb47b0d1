/* auth: logins, sessions, API tokens, CSRF and the login throttle (see auth.h);
 * the rows they read and write are accounts.h's. */
#include "auth.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accounts.h"
#include "log.h"
#include "random.h"

_Static_assert(ACCOUNTS_CSRF_MAX == AUTH_TOKEN_LEN + 1, "a session's CSRF token as auth.h has it");

#define DENIED_MESSAGE "wrong user name or password"
#define SEED_BYTES     32
#define KEY_MAX        72 /* a throttle key: kind, ':', then a name or address, cut */

/* One name or address that failed lately.  Kept in memory only: a
 * restart forgets it, which costs an attacker a restart per 3 guesses. */
struct throttle_entry {
    char key[KEY_MAX]; /* "" = a free slot */
    int failures;      /* since the last success, or since it was forgotten */
    int64_t last_ms;   /* the last failure */
    int64_t until_ms;  /* no try before this (0: none) */
};

/* A name and an address it logged in from: a hash of the two, not the
 * text (the table need not hold who logs in from where). */
struct known_pair {
    unsigned char hash[16];
    int64_t last_ms; /* the last login; 0: a free slot */
};

struct auth {
    /* Guards every field below: the server's request threads all log in
     * through one struct auth. */
    pthread_mutex_t lock;
    pthread_cond_t slot_free;
    int verifying; /* verifications running now, at most AUTH_MAX_VERIFYING */
    struct auth_stats stats;
    struct throttle_entry *entries; /* owned; n_entries slots */
    size_t n_entries;
    struct known_pair known[AUTH_KNOWN_PAIRS];
    /* What an unknown name is checked against, so it costs what a known
     * one costs.  The built-in one, or made anew at auth_create when this
     * libsodium's interactive limits differ from those it was made with. */
    char dummy_hash[AUTH_PASSWORD_HASH_MAX];
};

/* argon2id with crypto_pwhash_OPSLIMIT_INTERACTIVE/MEMLIMIT_INTERACTIVE
 * (libsodium 1.0.18) of a random password nobody kept. */
static const char builtin_dummy_hash[] = "$argon2id$v=19$m=65536,t=2,p=1$ufFuukC+og1DUK0FcCyA9g$"
                                         "1Kn+5b/oTL5tmRi5yawecbDbA5VSu6fo8BA74S7q5Cw";

_Static_assert(crypto_pwhash_STRBYTES == AUTH_PASSWORD_HASH_MAX, "auth.h's hash size");
_Static_assert(sizeof builtin_dummy_hash <= AUTH_PASSWORD_HASH_MAX, "the dummy hash fits");

/* ---- tokens and hashes ------------------------------------------------- */

bool auth_random_token(char out[AUTH_TOKEN_LEN + 1])
{
    unsigned char seed[SEED_BYTES];
    _Static_assert(sodium_base64_ENCODED_LEN(
                       SEED_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == AUTH_TOKEN_LEN + 1,
                   "32 bytes are 43 characters of base64url");
    if (!random_bytes(seed, sizeof seed))
        return false;
    sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, seed, sizeof seed,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(seed, sizeof seed);
    return true;
}

void auth_token_hash(const char *token, char hex[AUTH_HASH_HEX_LEN + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *)token, strlen(token));
    sodium_bin2hex(hex, AUTH_HASH_HEX_LEN + 1, digest, sizeof digest);
}

/* Exactly AUTH_TOKEN_LEN characters of the base64url alphabet. */
static bool token_well_formed(const char *token)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    return token && strlen(token) == AUTH_TOKEN_LEN && strspn(token, alphabet) == AUTH_TOKEN_LEN;
}

bool auth_csrf_equal(const char *expected, const char *given)
{
    if (!expected || !given || !expected[0])
        return false;
    size_t n = strlen(expected);
    if (strlen(given) != n)
        return false; /* the length is no secret: every token has 43 characters */
    return sodium_memcmp(expected, given, n) == 0;
}

bool auth_hash_password(const char *password, char *out, size_t size)
{
    if (size < crypto_pwhash_STRBYTES || sodium_init() < 0)
        return false;
    return crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

/* ---- lifetime ---------------------------------------------------------- */

struct auth *auth_create_bounded(size_t entries)
{
    if (sodium_init() < 0 || entries < 2)
        return NULL;
    struct auth *auth = calloc(1, sizeof *auth);
    if (!auth)
        return NULL;
    auth->entries = calloc(entries, sizeof *auth->entries);
    if (!auth->entries) {
        free(auth);
        return NULL;
    }
    auth->n_entries = entries;
    memcpy(auth->dummy_hash, builtin_dummy_hash, sizeof builtin_dummy_hash);
    if (crypto_pwhash_str_needs_rehash(auth->dummy_hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        char password[AUTH_TOKEN_LEN + 1];
        if (!auth_random_token(password) ||
            !auth_hash_password(password, auth->dummy_hash, sizeof auth->dummy_hash)) {
            log_error("auth: cannot make the dummy password hash (random source or memory)");
            free(auth->entries);
            free(auth);
            return NULL;
        }
    }
    pthread_mutex_init(&auth->lock, NULL);
    pthread_cond_init(&auth->slot_free, NULL);
    return auth;
}

struct auth *auth_create(void)
{
    return auth_create_bounded(AUTH_THROTTLE_ENTRIES);
}

void auth_destroy(struct auth *auth)
{
    if (!auth)
        return;
    pthread_cond_destroy(&auth->slot_free);
    pthread_mutex_destroy(&auth->lock);
    free(auth->entries);
    free(auth);
}

void auth_get_stats(struct auth *auth, struct auth_stats *out)
{
    pthread_mutex_lock(&auth->lock);
    *out = auth->stats;
    pthread_mutex_unlock(&auth->lock);
}

/* ---- the throttle (callers hold auth->lock) ---------------------------- */

static void throttle_key(char key[KEY_MAX], char kind, const char *text)
{
    snprintf(key, KEY_MAX, "%c:%s", kind, text);
}

/* The entry for key, or NULL.  One quiet for AUTH_THROTTLE_FORGET_MS after
 * its wait is forgotten here. */
static struct throttle_entry *throttle_find(struct auth *auth, const char *key, int64_t now_ms)
{
    for (size_t i = 0; i < auth->n_entries; i++) {
        struct throttle_entry *e = &auth->entries[i];
        if (!e->key[0] || strcmp(e->key, key) != 0)
            continue;
        int64_t quiet_since = e->until_ms > e->last_ms ? e->until_ms : e->last_ms;
        if (now_ms - quiet_since >= AUTH_THROTTLE_FORGET_MS) {
            e->key[0] = '\0';
            return NULL;
        }
        return e;
    }
    return NULL;
}

/* How long key must still wait (0: it may try now). */
static int64_t throttle_wait(struct auth *auth, const char *key, int64_t now_ms)
{
    struct throttle_entry *e = throttle_find(auth, key, now_ms);
    if (!e || e->until_ms <= now_ms)
        return 0;
    int64_t wait = e->until_ms - now_ms;
    /* a clock set back must not stretch the wait past its cap */
    return wait < AUTH_THROTTLE_MAX_MS ? wait : AUTH_THROTTLE_MAX_MS;
}

/* A failure of key: the 4th and later set a wait of 1 s, 2 s, 4 s ...
 * capped.  A full table gives up its oldest entry (the longest quiet). */
static void throttle_fail(struct auth *auth, const char *key, int64_t now_ms)
{
    struct throttle_entry *e = throttle_find(auth, key, now_ms);
    if (!e) {
        struct throttle_entry *oldest = &auth->entries[0];
        for (size_t i = 0; i < auth->n_entries && oldest->key[0]; i++)
            if (!auth->entries[i].key[0] || auth->entries[i].last_ms < oldest->last_ms)
                oldest = &auth->entries[i];
        e = oldest;
        *e = (struct throttle_entry){0};
        snprintf(e->key, sizeof e->key, "%s", key);
    }
    e->failures++;
    e->last_ms = now_ms;
    if (e->failures >= AUTH_THROTTLE_AFTER) {
        int shift = e->failures - AUTH_THROTTLE_AFTER;
        int64_t wait = shift >= 20 ? AUTH_THROTTLE_MAX_MS : AUTH_THROTTLE_FIRST_MS << shift;
        e->until_ms = now_ms + (wait < AUTH_THROTTLE_MAX_MS ? wait : AUTH_THROTTLE_MAX_MS);
    }
}

static void throttle_reset(struct auth *auth, const char *key, int64_t now_ms)
{
    struct throttle_entry *e = throttle_find(auth, key, now_ms);
    if (e)
        e->key[0] = '\0';
}

/* ---- known pairs (callers hold auth->lock) ----------------------------- */

static void known_hash(const char *user, const char *client, unsigned char out[16])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 16);
    crypto_generichash_update(&st, (const unsigned char *)user, strlen(user) + 1);
    crypto_generichash_update(&st, (const unsigned char *)client, strlen(client) + 1);
    crypto_generichash_final(&st, out, 16);
}

static struct known_pair *known_find(struct auth *auth, const unsigned char hash[16],
                                     int64_t now_ms)
{
    for (size_t i = 0; i < AUTH_KNOWN_PAIRS; i++) {
        struct known_pair *k = &auth->known[i];
        if (k->last_ms != 0 && now_ms - k->last_ms < AUTH_KNOWN_MS &&
            memcmp(k->hash, hash, sizeof k->hash) == 0)
            return k;
    }
    return NULL;
}

/* Whether user logged in from client within AUTH_KNOWN_MS. */
static bool known_pair(struct auth *auth, const char *user, const char *client, int64_t now_ms)
{
    unsigned char hash[16];
    if (!client || !client[0])
        return false;
    known_hash(user, client, hash);
    return known_find(auth, hash, now_ms) != NULL;
}

/* Remembers that user logged in from client; a full table gives up the
 * pair unused the longest. */
static void known_add(struct auth *auth, const char *user, const char *client, int64_t now_ms)
{
    unsigned char hash[16];
    if (!client || !client[0])
        return;
    known_hash(user, client, hash);
    struct known_pair *k = known_find(auth, hash, now_ms);
    if (!k) {
        k = &auth->known[0];
        for (size_t i = 1; i < AUTH_KNOWN_PAIRS; i++)
            if (auth->known[i].last_ms < k->last_ms)
                k = &auth->known[i];
    }
    memcpy(k->hash, hash, sizeof k->hash);
    k->last_ms = now_ms;
}

/* The longer wait of the name and the address; name_key "" when the
 * name's throttle does not apply (a known pair). */
static int64_t throttle_wait_both(struct auth *auth, const char *name_key, const char *client_key,
                                  int64_t now_ms)
{
    int64_t a = name_key[0] ? throttle_wait(auth, name_key, now_ms) : 0;
    int64_t b = client_key[0] ? throttle_wait(auth, client_key, now_ms) : 0;
    return a > b ? a : b;
}

/* ---- login ------------------------------------------------------------- */

/* Waits for a verification slot unless the name or address became
 * throttled meanwhile (another thread's failure): then its wait. */
static int64_t take_slot(struct auth *auth, const char *name_key, const char *client_key,
                         int64_t now_ms)
{
    pthread_mutex_lock(&auth->lock);
    while (auth->verifying >= AUTH_MAX_VERIFYING)
        pthread_cond_wait(&auth->slot_free, &auth->lock);
    int64_t wait = throttle_wait_both(auth, name_key, client_key, now_ms);
    if (wait == 0) {
        auth->verifying++;
        auth->stats.verifications++;
        if (auth->verifying > auth->stats.peak_verifying)
            auth->stats.peak_verifying = auth->verifying;
    }
    pthread_mutex_unlock(&auth->lock);
    return wait;
}

/* Gives the slot back and counts the outcome against name and address;
 * a success makes (user, client) a known pair. */
static void give_slot(struct auth *auth, const char *name_key, const char *client_key, bool ok,
                      const char *user, const char *client, int64_t now_ms)
{
    pthread_mutex_lock(&auth->lock);
    auth->verifying--;
    pthread_cond_signal(&auth->slot_free);
    if (ok) {
        known_add(auth, user, client, now_ms);
        throttle_reset(auth, name_key, now_ms);
        if (client_key[0])
            throttle_reset(auth, client_key, now_ms);
    } else {
        throttle_fail(auth, name_key, now_ms);
        if (client_key[0])
            throttle_fail(auth, client_key, now_ms);
    }
    pthread_mutex_unlock(&auth->lock);
}

/* A new session row for user; its token into session. */
static enum auth_status start_session(struct dashdb *db, const char *user, int64_t now_ms,
                                      char session[AUTH_TOKEN_LEN + 1], char *err, size_t size)
{
    char token[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
    if (!auth_random_token(token) || !auth_random_token(csrf)) {
        snprintf(err, size, "cannot read /dev/urandom for a session token");
        return AUTH_ERROR;
    }
    auth_token_hash(token, hash);
    /* the expired sessions of everybody go first: lazily, here */
    if (!accounts_session_start(db, hash, user, csrf, now_ms, now_ms - AUTH_SESSION_IDLE_MS,
                                now_ms + AUTH_SESSION_ABSOLUTE_MS, err, size))
        return AUTH_ERROR;
    memcpy(session, token, sizeof token);
    sodium_memzero(token, sizeof token);
    return AUTH_OK;
}

enum auth_status auth_login(struct auth *auth, struct dashdb *db, const char *user,
                            const char *password, const char *client, int64_t now_ms,
                            char session[AUTH_TOKEN_LEN + 1], int64_t *retry_after_ms, char *err,
                            size_t size)
{
    char name_key[KEY_MAX], client_key[KEY_MAX] = "";
    session[0] = '\0';
    *retry_after_ms = 0;
    user = user ? user : "";
    password = password ? password : "";
    throttle_key(name_key, 'u', user);
    if (client && client[0])
        throttle_key(client_key, 'a', client);

    pthread_mutex_lock(&auth->lock);
    /* a name's owner is not locked out from where they logged in before */
    const char *name_throttle = known_pair(auth, user, client, now_ms) ? "" : name_key;
    *retry_after_ms = throttle_wait_both(auth, name_throttle, client_key, now_ms);
    pthread_mutex_unlock(&auth->lock);
    if (*retry_after_ms > 0) {
        snprintf(err, size, "too many failed logins: try again in %" PRId64 " s",
                 (*retry_after_ms + 999) / 1000);
        return AUTH_THROTTLED;
    }

    struct accounts_user row;
    if (!accounts_user_find(db, user, &row, err, size))
        return AUTH_ERROR;

    *retry_after_ms = take_slot(auth, name_throttle, client_key, now_ms);
    if (*retry_after_ms > 0) {
        snprintf(err, size, "too many failed logins: try again in %" PRId64 " s",
                 (*retry_after_ms + 999) / 1000);
        return AUTH_THROTTLED;
    }
    /* the same work whether or not the name exists, or is disabled */
    const char *hash = row.found ? row.password_hash : auth->dummy_hash;
    bool right = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    bool ok = right && row.found && !row.disabled;
    give_slot(auth, name_key, client_key, ok, user, client, now_ms);
    sodium_memzero(row.password_hash, sizeof row.password_hash);
    if (!ok) {
        snprintf(err, size, DENIED_MESSAGE);
        return AUTH_DENIED;
    }
    return start_session(db, user, now_ms, session, err, size);
}

/* ---- users ------------------------------------------------------------- */

bool auth_load_user(struct dashdb *db, const char *name, struct dash_user *user, char *err,
                    size_t size)
{
    dash_user_free(user);
    struct accounts_user row;
    if (!accounts_user_find(db, name, &row, err, size))
        return false;
    sodium_memzero(row.password_hash, sizeof row.password_hash);
    if (!row.found || row.disabled) {
        snprintf(err, size, "user %s: %s", name, row.found ? "disabled" : "no such user");
        return false;
    }
    snprintf(user->name, sizeof user->name, "%s", name);
    if (!strcmp(row.role, "admin")) {
        user->role = DASH_ROLE_ADMIN;
    } else if (!strcmp(row.role, "head")) {
        user->role = DASH_ROLE_HEAD;
    } else if (!strcmp(row.role, "technician")) {
        user->role = DASH_ROLE_TECHNICIAN;
    } else {
        snprintf(err, size, "user %s: role '%s', expected admin, head or technician", name,
                 row.role);
        return false;
    }
    user->may_roll_out =
        user->role == DASH_ROLE_ADMIN || (user->role == DASH_ROLE_TECHNICIAN && row.rollouts);
    if (user->role != DASH_ROLE_HEAD)
        return true;
    return accounts_head_departments(db, name, user, err, size);
}

/* ---- sessions and tokens ----------------------------------------------- */

enum auth_status auth_session(struct dashdb *db, const char *session, int64_t now_ms,
                              struct dash_user *user, char csrf[AUTH_TOKEN_LEN + 1], char *err,
                              size_t size)
{
    dash_user_free(user);
    csrf[0] = '\0';
    if (!token_well_formed(session)) {
        snprintf(err, size, "no session");
        return AUTH_DENIED;
    }
    char hash[AUTH_HASH_HEX_LEN + 1];
    auth_token_hash(session, hash);
    struct accounts_session row;
    if (!accounts_session_find(db, hash, &row, err, size))
        return AUTH_ERROR;
    if (!row.found || row.disabled) {
        snprintf(err, size, "no session");
        return AUTH_DENIED;
    }
    if (now_ms >= row.expires_ms || now_ms - row.seen_ms >= AUTH_SESSION_IDLE_MS) {
        if (!auth_logout(db, session, err, size))
            return AUTH_ERROR;
        snprintf(err, size, "the session has expired");
        return AUTH_DENIED;
    }
    if (now_ms - row.seen_ms >= AUTH_TOUCH_EVERY_MS &&
        !accounts_session_touch(db, hash, now_ms, err, size))
        return AUTH_ERROR;
    if (!auth_load_user(db, row.user, user, err, size))
        return AUTH_ERROR;
    memcpy(csrf, row.csrf, sizeof row.csrf);
    return AUTH_OK;
}

bool auth_logout(struct dashdb *db, const char *session, char *err, size_t size)
{
    if (!token_well_formed(session))
        return true; /* nothing of that shape was ever stored */
    char hash[AUTH_HASH_HEX_LEN + 1];
    auth_token_hash(session, hash);
    return accounts_session_end(db, hash, err, size);
}

/* The token in an Authorization header's value: after "Bearer " (any
 * case, any spaces), or the whole value. */
static const char *bearer_token(const char *value)
{
    if (!value)
        return "";
    if (strncasecmp(value, "bearer", 6) == 0 && (value[6] == ' ' || value[6] == '\t')) {
        value += 6;
        value += strspn(value, " \t");
    }
    return value;
}

enum auth_status auth_bearer(struct dashdb *db, const char *token, int64_t now_ms,
                             struct dash_user *user, char *err, size_t size)
{
    dash_user_free(user);
    token = bearer_token(token);
    size_t prefix = strlen(AUTH_API_TOKEN_PREFIX);
    if (strncmp(token, AUTH_API_TOKEN_PREFIX, prefix) != 0 || !token_well_formed(token + prefix)) {
        snprintf(err, size,
                 "expected an API token: Bearer " AUTH_API_TOKEN_PREFIX "and 43 characters");
        return AUTH_DENIED;
    }
    char hash[AUTH_HASH_HEX_LEN + 1];
    auth_token_hash(token, hash);
    struct accounts_token row;
    if (!accounts_token_find(db, hash, &row, err, size))
        return AUTH_ERROR;
    if (!row.found || row.disabled) {
        snprintf(err, size, "unknown or revoked API token");
        return AUTH_DENIED;
    }
    if ((row.last_used_ms < 0 || now_ms - row.last_used_ms >= AUTH_TOUCH_EVERY_MS) &&
        !accounts_token_touch(db, hash, now_ms, err, size))
        return AUTH_ERROR;
    return auth_load_user(db, row.user, user, err, size) ? AUTH_OK : AUTH_ERROR;
}
