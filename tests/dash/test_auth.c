/*
 * test_auth: logins, sessions, API tokens, CSRF and the login throttle
 * (auth.h) on a real database with injected times: a SQLite file in a
 * temporary directory migrated by app/sync's migrate_sqlite, or, when
 * WOW_AUTH_TARGET names one (test_auth.py does, for PostgreSQL), an
 * already migrated database whose dash_* rows are emptied first.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "auth.h"
#include "dashdb.h"
#include "migrate.h"
#include "schema.h"

#define SEC_MS  1000LL
#define MIN_MS  (60 * SEC_MS)
#define HOUR_MS (60 * MIN_MS)
#define DAY_MS  (24 * HOUR_MS)
/* 2026-11-28T12:00:00Z */
#define T0 ((20785LL * 86400 + 12 * 3600) * 1000)

#define PASSWORD "correct horse battery"
#define DENIED   "wrong user name or password"

struct fixture {
    char dir[64], path[96];
    const char *target;
    struct dashdb *db;
    struct auth *auth;
};

/* PASSWORD's hash, made once for the whole run (argon2id costs ~0.1 s). */
static char password_hash[AUTH_PASSWORD_HASH_MAX];

static void exec_ok(struct dashdb *db, const char *sql, const struct dashdb_value *params, int n)
{
    char err[256];
    if (!dashdb_exec(db, sql, params, n, NULL, NULL, NULL, err, sizeof err))
        fail_msg("%s: %s", sql, err);
}

static void add_user(struct dashdb *db, const char *name, const char *role, int disabled)
{
    const struct dashdb_value p[] = {DASHDB_TEXT(name), DASHDB_TEXT(role),
                                     DASHDB_TEXT(password_hash), DASHDB_INT(disabled)};
    exec_ok(db,
            "INSERT INTO dash_users(user_name, role, password_hash, created_ms, disabled)"
            " VALUES ($1, $2, $3, 0, $4)",
            p, 4);
}

static void add_scope(struct dashdb *db, const char *user, const char *kind, const char *id)
{
    const struct dashdb_value p[] = {DASHDB_TEXT(user), DASHDB_TEXT(kind), DASHDB_TEXT(id)};
    exec_ok(db, "INSERT INTO dash_user_scopes(user_name, kind, scope_id) VALUES ($1, $2, $3)", p,
            3);
}

/* alice (admin), dave (technician, disabled), hannah (head of group g1
 * and department solo); groups g1 (d1, d2) and g2 (d3). */
static void seed(struct dashdb *db)
{
    static const char *const wipe[] = {
        "DELETE FROM dash_sessions", "DELETE FROM dash_api_tokens",  "DELETE FROM dash_user_scopes",
        "DELETE FROM dash_users",    "DELETE FROM dash_departments", "DELETE FROM dash_groups"};
    for (size_t i = 0; i < sizeof wipe / sizeof wipe[0]; i++)
        exec_ok(db, wipe[i], NULL, 0);
    add_user(db, "alice", "admin", 0);
    add_user(db, "dave", "technician", 1);
    add_user(db, "hannah", "head", 0);
    add_user(db, "tom", "technician", 0);
    exec_ok(db, "INSERT INTO dash_groups(group_id, name) VALUES ('g1', 'North'), ('g2', 'South')",
            NULL, 0);
    exec_ok(db,
            "INSERT INTO dash_departments(department, name, group_id) VALUES ('d1', 'One', 'g1'), "
            "('d2', 'Two', 'g1'),"
            " ('d3', 'Three', 'g2'), ('d4', 'Four', NULL)",
            NULL, 0);
    add_scope(db, "hannah", "group", "g1");
    add_scope(db, "hannah", "department", "solo");
    add_scope(db, "hannah", "department", "d1"); /* also through g1: listed once */
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    assert_non_null(f);
    f->target = getenv("WOW_AUTH_TARGET");
    if (!f->target || !f->target[0]) {
        snprintf(f->dir, sizeof f->dir, "/tmp/test_auth.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/shared.db", f->dir);
        sqlite3 *s = NULL;
        struct migrate_report report;
        assert_int_equal(sqlite3_open(f->path, &s), SQLITE_OK);
        assert_int_equal(sqlite3_exec(s, "PRAGMA journal_mode=WAL", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(migrate_sqlite(s, SCHEMA_VERSION, &report), 0);
        sqlite3_close(s);
        f->target = f->path;
    }
    f->db = dashdb_open(f->target, err, sizeof err);
    if (!f->db)
        fail_msg("dashdb_open: %s", err);
    seed(f->db);
    f->auth = auth_create();
    assert_non_null(f->auth);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    auth_destroy(f->auth);
    dashdb_close(f->db);
    if (f->dir[0]) {
        const char *suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            char p[128];
            snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
            unlink(p);
        }
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

/* auth_login with its outputs checked for shape; returns the status. */
static enum auth_status login(struct fixture *f, const char *user, const char *password,
                              const char *client, int64_t now, char session[AUTH_TOKEN_LEN + 1],
                              int64_t *retry)
{
    char err[256] = "";
    int64_t ignored;
    enum auth_status st = auth_login(f->auth, f->db, user, password, client, now, session,
                                     retry ? retry : &ignored, err, sizeof err);
    if (st == AUTH_OK)
        assert_int_equal(strlen(session), AUTH_TOKEN_LEN);
    else
        assert_string_equal(session, "");
    if (st == AUTH_DENIED)
        assert_string_equal(err, DENIED);
    if (st == AUTH_ERROR)
        fail_msg("auth_login: %s", err);
    return st;
}

static int64_t verifications(struct fixture *f)
{
    struct auth_stats s;
    auth_get_stats(f->auth, &s);
    return s.verifications;
}

struct column_values {
    char values[8][128];
    int ncols;
    int rows;
};

static bool read_columns(void *ctx, int ncols, const char *const *v)
{
    struct column_values *out = ctx;
    out->rows++;
    out->ncols = ncols < 8 ? ncols : 8;
    for (int i = 0; i < out->ncols; i++)
        snprintf(out->values[i], sizeof out->values[i], "%s", v[i] ? v[i] : "NULL");
    return true;
}

/* The (last) row sql gives, as text. */
static struct column_values query(struct fixture *f, const char *sql)
{
    struct column_values out = {0};
    char err[256];
    if (!dashdb_exec(f->db, sql, NULL, 0, read_columns, &out, NULL, err, sizeof err))
        fail_msg("%s: %s", sql, err);
    return out;
}

static void test_login_statuses(void **state)
{
    struct fixture *f = *state;
    char s[AUTH_TOKEN_LEN + 1];
    assert_int_equal(login(f, "alice", PASSWORD, "10.0.0.1", T0, s, NULL), AUTH_OK);
    assert_int_equal(login(f, "alice", "correct horse battery!", "10.0.0.2", T0, s, NULL),
                     AUTH_DENIED);
    assert_int_equal(login(f, "nobody", PASSWORD, "10.0.0.3", T0, s, NULL), AUTH_DENIED);
    assert_int_equal(login(f, "dave", PASSWORD, "10.0.0.4", T0, s, NULL), AUTH_DENIED);
    assert_int_equal(login(f, "", "", NULL, T0, s, NULL), AUTH_DENIED);
    /* every one verified a hash: the unknown names against the dummy */
    assert_int_equal(verifications(f), 5);
    assert_int_equal(query(f, "SELECT count(*) FROM dash_sessions").values[0][0], '1');
}

static void test_session_is_stored_hashed(void **state)
{
    struct fixture *f = *state;
    char s[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1], err[256];
    struct dash_user u = {0};
    assert_int_equal(login(f, "alice", PASSWORD, "10.0.0.1", T0, s, NULL), AUTH_OK);
    assert_int_equal(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                     AUTH_TOKEN_LEN);
    struct column_values row = query(f, "SELECT session_hash, user_name, csrf_token, created_ms,"
                                        " seen_ms, expires_ms FROM dash_sessions");
    assert_int_equal(row.rows, 1);
    auth_token_hash(s, hash);
    assert_string_equal(row.values[0], hash);
    for (int i = 0; i < row.ncols; i++)
        assert_null(strstr(row.values[i], s)); /* the cookie's value is nowhere */
    assert_string_equal(row.values[1], "alice");
    assert_int_equal(strtoll(row.values[5], NULL, 10), T0 + AUTH_SESSION_ABSOLUTE_MS);

    assert_int_equal(auth_session(f->db, s, T0 + 1, &u, csrf, err, sizeof err), AUTH_OK);
    assert_string_equal(u.name, "alice");
    assert_int_equal(u.role, DASH_ROLE_ADMIN);
    assert_string_equal(csrf, row.values[2]);
    assert_int_equal(strlen(csrf), AUTH_TOKEN_LEN);
    assert_string_not_equal(csrf, s);

    /* another token of the right shape, and malformed ones */
    char other[AUTH_TOKEN_LEN + 1];
    assert_true(auth_random_token(other));
    assert_int_equal(auth_session(f->db, other, T0, &u, csrf, err, sizeof err), AUTH_DENIED);
    assert_string_equal(csrf, "");
    const char *bad[] = {"", "short", "!AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", hash};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(auth_session(f->db, bad[i], T0, &u, csrf, err, sizeof err), AUTH_DENIED);
    assert_int_equal(auth_session(f->db, NULL, T0, &u, csrf, err, sizeof err), AUTH_DENIED);

    assert_true(auth_logout(f->db, s, err, sizeof err));
    assert_int_equal(auth_session(f->db, s, T0 + 2, &u, csrf, err, sizeof err), AUTH_DENIED);
    assert_int_equal(query(f, "SELECT count(*) FROM dash_sessions").values[0][0], '0');
    assert_true(auth_logout(f->db, s, err, sizeof err)); /* again: no error */
    dash_user_free(&u);
}

static int64_t seen_ms(struct fixture *f)
{
    return strtoll(query(f, "SELECT seen_ms FROM dash_sessions").values[0], NULL, 10);
}

static void test_session_expiry(void **state)
{
    struct fixture *f = *state;
    char s[AUTH_TOKEN_LEN + 1], csrf[AUTH_TOKEN_LEN + 1], err[256];
    struct dash_user u = {0};
    assert_int_equal(login(f, "alice", PASSWORD, NULL, T0, s, NULL), AUTH_OK);
    /* seen_ms is written at most once a minute */
    assert_int_equal(auth_session(f->db, s, T0 + 30 * SEC_MS, &u, csrf, err, sizeof err), AUTH_OK);
    assert_int_equal(seen_ms(f), T0);
    assert_int_equal(auth_session(f->db, s, T0 + 61 * SEC_MS, &u, csrf, err, sizeof err), AUTH_OK);
    assert_int_equal(seen_ms(f), T0 + 61 * SEC_MS);
    /* idle: just under 12 h since seen is fine, and slides it */
    int64_t t = T0 + 61 * SEC_MS + AUTH_SESSION_IDLE_MS - 1;
    assert_int_equal(auth_session(f->db, s, t, &u, csrf, err, sizeof err), AUTH_OK);
    assert_int_equal(seen_ms(f), t);
    assert_int_equal(auth_session(f->db, s, t + AUTH_SESSION_IDLE_MS, &u, csrf, err, sizeof err),
                     AUTH_DENIED);
    assert_int_equal(query(f, "SELECT count(*) FROM dash_sessions").values[0][0], '0');

    /* absolute: used every 11 h, it still ends 7 days after the login */
    assert_int_equal(login(f, "alice", PASSWORD, NULL, T0, s, NULL), AUTH_OK);
    for (t = T0 + 11 * HOUR_MS; t < T0 + AUTH_SESSION_ABSOLUTE_MS; t += 11 * HOUR_MS)
        assert_int_equal(auth_session(f->db, s, t, &u, csrf, err, sizeof err), AUTH_OK);
    t = T0 + AUTH_SESSION_ABSOLUTE_MS;
    assert_int_equal(auth_session(f->db, s, t - 1, &u, csrf, err, sizeof err), AUTH_OK);
    assert_int_equal(auth_session(f->db, s, t, &u, csrf, err, sizeof err), AUTH_DENIED);

    /* expired rows nobody asks for again go at the next login */
    char s2[AUTH_TOKEN_LEN + 1];
    assert_int_equal(login(f, "alice", PASSWORD, NULL, T0, s, NULL), AUTH_OK);
    assert_int_equal(login(f, "tom", PASSWORD, NULL, T0 + 13 * HOUR_MS, s2, NULL), AUTH_OK);
    struct column_values left = query(f, "SELECT count(*), min(user_name) FROM dash_sessions");
    assert_string_equal(left.values[0], "1");
    assert_string_equal(left.values[1], "tom");
    dash_user_free(&u);
}

static void test_throttle_sequence(void **state)
{
    struct fixture *f = *state;
    char s[AUTH_TOKEN_LEN + 1];
    int64_t retry = -1;
    const char *ip = "192.0.2.7";
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(f, "alice", "wrong password", ip, T0, s, &retry), AUTH_DENIED);
    int64_t verified = verifications(f);
    assert_int_equal(login(f, "alice", PASSWORD, ip, T0, s, &retry), AUTH_THROTTLED);
    assert_int_equal(retry, 1000);
    assert_int_equal(login(f, "alice", PASSWORD, ip, T0 + 999, s, &retry), AUTH_THROTTLED);
    assert_int_equal(retry, 1);
    assert_int_equal(verifications(f), verified); /* throttled tries verify nothing */
    assert_int_equal(login(f, "alice", "wrong password", ip, T0 + 1000, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "alice", PASSWORD, ip, T0 + 1001, s, &retry), AUTH_THROTTLED);
    assert_int_equal(retry, 1999);
    assert_int_equal(login(f, "alice", "wrong password", ip, T0 + 3000, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "alice", PASSWORD, ip, T0 + 3000, s, &retry), AUTH_THROTTLED);
    assert_int_equal(retry, 4000);
    assert_int_equal(verifications(f), verified + 2);
    /* a success resets the name and the address */
    assert_int_equal(login(f, "alice", PASSWORD, ip, T0 + 7000, s, &retry), AUTH_OK);
    assert_int_equal(retry, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(f, "alice", "wrong password", ip, T0 + 7000, s, &retry),
                         AUTH_DENIED);
    assert_int_equal(login(f, "alice", PASSWORD, ip, T0 + 7000, s, &retry), AUTH_THROTTLED);

    /* the waits double up to 5 minutes, no further */
    int64_t t = T0 + DAY_MS, expect = 1000;
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(f, "tom", "wrong password", NULL, t, s, &retry), AUTH_DENIED);
    for (int i = 0; i < 11; i++) {
        assert_int_equal(login(f, "tom", PASSWORD, NULL, t, s, &retry), AUTH_THROTTLED);
        assert_int_equal(retry, expect);
        t += retry;
        assert_int_equal(login(f, "tom", "wrong password", NULL, t, s, &retry), AUTH_DENIED);
        expect = expect * 2 < AUTH_THROTTLE_MAX_MS ? expect * 2 : AUTH_THROTTLE_MAX_MS;
    }
    assert_int_equal(expect, AUTH_THROTTLE_MAX_MS);
    assert_int_equal(login(f, "tom", PASSWORD, NULL, t, s, &retry), AUTH_THROTTLED);
    assert_int_equal(retry, AUTH_THROTTLE_MAX_MS);
}

static void test_throttle_per_address(void **state)
{
    struct fixture *f = *state;
    char s[AUTH_TOKEN_LEN + 1];
    int64_t retry = 0;
    /* one address guessing many names */
    const char *names[] = {"n1", "n2", "alice"};
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(f, names[i], "guess", "198.51.100.1", T0, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "n4", "guess", "198.51.100.1", T0, s, &retry), AUTH_THROTTLED);
    assert_int_equal(retry, 1000);
    assert_int_equal(login(f, "n4", "guess", "198.51.100.2", T0, s, &retry), AUTH_DENIED);
    /* the right password from there waits too, then resets the address */
    assert_int_equal(login(f, "tom", PASSWORD, "198.51.100.1", T0, s, &retry), AUTH_THROTTLED);
    assert_int_equal(login(f, "tom", PASSWORD, "198.51.100.1", T0 + 1000, s, &retry), AUTH_OK);
    assert_int_equal(login(f, "n5", "guess", "198.51.100.1", T0 + 1000, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "n6", "guess", "198.51.100.1", T0 + 1000, s, &retry), AUTH_DENIED);
    /* alice had one failure from .1; two more from elsewhere throttle her name */
    assert_int_equal(login(f, "alice", "guess", "203.0.113.1", T0 + 1000, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "alice", "guess", "203.0.113.2", T0 + 1000, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "alice", PASSWORD, "203.0.113.3", T0 + 1000, s, &retry),
                     AUTH_THROTTLED);
}

static void test_throttle_forgets(void **state)
{
    struct fixture *f = *state;
    char s[AUTH_TOKEN_LEN + 1];
    int64_t retry = 0;
    /* a name quiet for an hour after its wait starts afresh */
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(f, "alice", "guess", NULL, T0, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "alice", "guess", NULL, T0, s, &retry), AUTH_THROTTLED);
    int64_t later = T0 + 1000 + AUTH_THROTTLE_FORGET_MS;
    for (int i = 0; i < 2; i++)
        assert_int_equal(login(f, "alice", "guess", NULL, later, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "alice", PASSWORD, NULL, later, s, &retry), AUTH_OK);

    /* a full table gives up its oldest entry */
    auth_destroy(f->auth);
    f->auth = auth_create_bounded(2);
    assert_non_null(f->auth);
    for (int i = 0; i < 3; i++)
        assert_int_equal(login(f, "u1", "guess", NULL, T0, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "u1", "guess", NULL, T0, s, &retry), AUTH_THROTTLED);
    assert_int_equal(login(f, "u2", "guess", NULL, T0 + 1, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "u1", "guess", NULL, T0 + 2, s, &retry), AUTH_THROTTLED);
    assert_int_equal(login(f, "u3", "guess", NULL, T0 + 2, s, &retry), AUTH_DENIED);
    assert_int_equal(login(f, "u1", "guess", NULL, T0 + 3, s, &retry), AUTH_DENIED);
}

static void test_csrf(void **state)
{
    (void)state;
    char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];
    assert_true(auth_random_token(a));
    assert_true(auth_random_token(b));
    assert_string_not_equal(a, b);
    assert_true(auth_csrf_equal(a, a));
    assert_false(auth_csrf_equal(a, b));
    char c[AUTH_TOKEN_LEN + 1];
    memcpy(c, a, sizeof c);
    c[AUTH_TOKEN_LEN - 1] = c[AUTH_TOKEN_LEN - 1] == 'A' ? 'B' : 'A';
    assert_false(auth_csrf_equal(a, c)); /* the last character differs */
    c[AUTH_TOKEN_LEN - 1] = '\0';
    assert_false(auth_csrf_equal(a, c)); /* a prefix */
    assert_false(auth_csrf_equal(a, NULL));
    assert_false(auth_csrf_equal(a, ""));
    assert_false(auth_csrf_equal("", ""));
    assert_false(auth_csrf_equal(NULL, a));
}

static void add_token(struct fixture *f, const char *user, char token[AUTH_API_TOKEN_LEN + 1])
{
    char hash[AUTH_HASH_HEX_LEN + 1];
    memcpy(token, AUTH_API_TOKEN_PREFIX, 4);
    assert_true(auth_random_token(token + 4));
    auth_token_hash(token, hash);
    const struct dashdb_value p[] = {DASHDB_TEXT(hash), DASHDB_TEXT(user)};
    exec_ok(f->db,
            "INSERT INTO dash_api_tokens(token_hash, user_name, label, created_ms)"
            " VALUES ($1, $2, 'test', 0)",
            p, 2);
}

static void test_bearer(void **state)
{
    struct fixture *f = *state;
    char token[AUTH_API_TOKEN_LEN + 1], header[AUTH_API_TOKEN_LEN + 16], err[256];
    struct dash_user u = {0};
    add_token(f, "hannah", token);
    snprintf(header, sizeof header, "Bearer %s", token);
    assert_int_equal(auth_bearer(f->db, header, T0, &u, err, sizeof err), AUTH_OK);
    assert_string_equal(u.name, "hannah");
    assert_int_equal(u.role, DASH_ROLE_HEAD);
    const char *used = "SELECT last_used_ms, token_hash FROM dash_api_tokens";
    assert_int_equal(strtoll(query(f, used).values[0], NULL, 10), T0);
    assert_null(strstr(query(f, used).values[1], token + 4));
    assert_int_equal(auth_bearer(f->db, token, T0 + 30 * SEC_MS, &u, err, sizeof err), AUTH_OK);
    assert_int_equal(strtoll(query(f, used).values[0], NULL, 10), T0);
    assert_int_equal(auth_bearer(f->db, token, T0 + 61 * SEC_MS, &u, err, sizeof err), AUTH_OK);
    assert_int_equal(strtoll(query(f, used).values[0], NULL, 10), T0 + 61 * SEC_MS);

    char other[AUTH_API_TOKEN_LEN + 1];
    memcpy(other, token, sizeof other);
    other[10] = other[10] == 'x' ? 'y' : 'x';
    const char *bad[] = {other, token + 4, "wdt_short", "", "Bearer", "Basic YWxpY2U6eA=="};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(auth_bearer(f->db, bad[i], T0, &u, err, sizeof err), AUTH_DENIED);
    assert_int_equal(auth_bearer(f->db, NULL, T0, &u, err, sizeof err), AUTH_DENIED);
    /* a session's cookie is no API token */
    char s[AUTH_TOKEN_LEN + 1];
    assert_int_equal(login(f, "alice", PASSWORD, NULL, T0, s, NULL), AUTH_OK);
    assert_int_equal(auth_bearer(f->db, s, T0, &u, err, sizeof err), AUTH_DENIED);
    /* a disabled user's token is refused */
    add_token(f, "dave", token);
    assert_int_equal(auth_bearer(f->db, token, T0, &u, err, sizeof err), AUTH_DENIED);
    dash_user_free(&u);
}

static void test_head_scope(void **state)
{
    struct fixture *f = *state;
    struct dash_user u = {0};
    char err[256];
    assert_true(auth_load_user(f->db, "hannah", &u, err, sizeof err));
    assert_int_equal(u.role, DASH_ROLE_HEAD);
    assert_int_equal(u.n_departments, 3);
    assert_string_equal(u.departments[0], "d1");
    assert_string_equal(u.departments[1], "d2");
    assert_string_equal(u.departments[2], "solo");
    assert_true(dash_user_sees(&u, "d2"));
    assert_false(dash_user_sees(&u, "d3"));
    assert_false(dash_user_sees(&u, "d4"));
    /* a department moved into the group is seen at the next load */
    exec_ok(f->db, "UPDATE dash_departments SET group_id = 'g1' WHERE department = 'd4'", NULL, 0);
    assert_true(auth_load_user(f->db, "hannah", &u, err, sizeof err));
    assert_int_equal(u.n_departments, 4);
    assert_true(dash_user_sees(&u, "d4"));

    assert_true(auth_load_user(f->db, "tom", &u, err, sizeof err));
    assert_int_equal(u.role, DASH_ROLE_TECHNICIAN);
    assert_int_equal(u.n_departments, 0);
    assert_false(dash_user_sees(&u, "d1"));
    assert_true(auth_load_user(f->db, "alice", &u, err, sizeof err));
    assert_true(dash_user_sees(&u, "d3"));
    assert_false(auth_load_user(f->db, "nobody", &u, err, sizeof err));
    assert_non_null(strstr(err, "no such user"));
    assert_false(auth_load_user(f->db, "dave", &u, err, sizeof err));
    assert_non_null(strstr(err, "disabled"));
    dash_user_free(&u);
}

#define STORM 8

struct storm {
    struct fixture *f;
    pthread_barrier_t *start;
    int index;
    enum auth_status status;
};

static void *storm_thread(void *arg)
{
    struct storm *t = arg;
    char err[256], session[AUTH_TOKEN_LEN + 1], client[32];
    int64_t retry;
    struct dashdb *db = dashdb_open(t->f->target, err, sizeof err);
    snprintf(client, sizeof client, "10.1.0.%d", t->index);
    pthread_barrier_wait(t->start);
    t->status = db ? auth_login(t->f->auth, db, "alice", PASSWORD, client, T0, session, &retry, err,
                                sizeof err)
                   : AUTH_ERROR;
    if (t->status != AUTH_OK)
        print_message("storm thread %d: %s\n", t->index, err);
    dashdb_close(db);
    return NULL;
}

static void test_login_storm(void **state)
{
    struct fixture *f = *state;
    pthread_t threads[STORM];
    struct storm t[STORM];
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, STORM);
    for (int i = 0; i < STORM; i++) {
        t[i] = (struct storm){.f = f, .start = &start, .index = i};
        assert_int_equal(pthread_create(&threads[i], NULL, storm_thread, &t[i]), 0);
    }
    for (int i = 0; i < STORM; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(t[i].status, AUTH_OK);
    }
    pthread_barrier_destroy(&start);
    struct auth_stats stats;
    auth_get_stats(f->auth, &stats);
    print_message("%d logins at once: %d verifications ran at most at once\n", STORM,
                  stats.peak_verifying);
    assert_int_equal(stats.verifications, STORM);
    assert_true(stats.peak_verifying >= 1 && stats.peak_verifying <= AUTH_MAX_VERIFYING);
    assert_int_equal(strtoll(query(f, "SELECT count(*) FROM dash_sessions").values[0], NULL, 10),
                     STORM);
}

static void test_hash_password(void **state)
{
    (void)state;
    char small[64], hash[AUTH_PASSWORD_HASH_MAX];
    assert_false(auth_hash_password("x", small, sizeof small));
    assert_true(auth_hash_password("x", hash, sizeof hash));
    assert_memory_equal(hash, "$argon2id$", 10);
    assert_string_not_equal(hash, password_hash);
}

int main(void)
{
    if (!auth_hash_password(PASSWORD, password_hash, sizeof password_hash)) {
        fprintf(stderr, "test_auth: cannot hash the test password\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_login_statuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_is_stored_hashed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_per_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_throttle_forgets, setup, teardown),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test_setup_teardown(test_bearer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_head_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_storm, setup, teardown),
        cmocka_unit_test(test_hash_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
