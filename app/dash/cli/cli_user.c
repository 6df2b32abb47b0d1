/*
 * cli_user: wowdash's user and token commands (cli.h), on either
 * engine through dashdb:
 *
 *   user add NAME --role admin|head|technician [--department D]... [--group G]...
 *            [--rollouts] --db TARGET [--password-stdin]
 *   user list --db TARGET                 name, role, scope, rollouts, disabled
 *   user rollouts NAME on|off --db TARGET a technician may act on rollouts, or no
 *                                         longer (admins always may, heads never)
 *   user disable NAME --db TARGET         also ends its sessions and API tokens
 *   user password NAME --db TARGET [--password-stdin]   also ends its sessions
 *   token add USER --label L --db TARGET  prints the token, once, alone on stdout
 *   token list --db TARGET                label, user, created, last used
 *   token revoke USER LABEL --db TARGET
 *
 * A password comes from stdin (one line) with --password-stdin, else from
 * the terminal, asked twice with echo off; fewer than 10 characters are
 * refused.  Exit status: 0 done, 1 failed, 2 usage (the message names the
 * argument and what was expected).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "auth.h"
#include "clock.h"
#include "cli.h"
#include "dashdb.h"
#include "org.h"
#include "rollout.h"
#include "strbuf.h"
#include "utf8.h"

const char cli_user_usage[] =
    "wowdash user add NAME --role admin|head|technician [--department D]... [--group G]...\n"
    "                         [--rollouts] --db TARGET [--password-stdin]\n"
    "       wowdash user list --db TARGET\n"
    "       wowdash user rollouts NAME on|off --db TARGET\n"
    "       wowdash user disable NAME --db TARGET\n"
    "       wowdash user password NAME --db TARGET [--password-stdin]\n";
const char cli_token_usage[] = "wowdash token add USER --label L --db TARGET\n"
                               "       wowdash token list --db TARGET\n"
                               "       wowdash token revoke USER LABEL --db TARGET\n";

#define PASSWORD_MIN_CHARS 10
#define PASSWORD_MAX_BYTES 1024
#define LABEL_MAX_BYTES    100
#define ERR_SIZE           512

/* What a command line said.  Pointers borrow argv; the two lists are owned. */
struct cli_args {
    const char *verb; /* "user add", "token list", ... for messages */
    const char *pos[2];
    int n_pos;
    const char *db, *role, *label;
    bool password_stdin;
    bool rollouts; /* --rollouts: a technician who may act on rollouts */
    const char **departments, **groups;
    size_t n_departments, n_groups;
};

static void args_free(struct cli_args *a)
{
    free(a->departments);
    free(a->groups);
}

/* Whether flag is among the verb's (a space-separated list). */
static bool flag_allowed(const char *allowed, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = allowed; (p = strstr(p, flag)) != NULL; p += n)
        if ((p == allowed || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return true;
    return false;
}

/* One option with its value, into a. */
static int parse_option(struct cli_args *a, int argc, char **argv, int *i)
{
    const char *flag = argv[*i];
    if (!strcmp(flag, "--password-stdin")) {
        a->password_stdin = true;
        return 0;
    }
    if (!strcmp(flag, "--rollouts")) {
        a->rollouts = true;
        return 0;
    }
    if (*i + 1 >= argc) {
        fprintf(stderr, "wowdash: %s: %s needs a value\n", a->verb, flag);
        return 2;
    }
    const char *value = argv[++*i];
    if (!strcmp(flag, "--db"))
        a->db = value;
    else if (!strcmp(flag, "--role"))
        a->role = value;
    else if (!strcmp(flag, "--label"))
        a->label = value;
    else if (!strcmp(flag, "--department"))
        a->departments[a->n_departments++] = value;
    else
        a->groups[a->n_groups++] = value;
    return 0;
}

/* Parses argv[first..] into a: exactly n_pos positional arguments (named
 * in pos_names, for messages) and the flags allowed.  0, or 2 after
 * saying what was wrong. */
static int parse_args(struct cli_args *a, int argc, char **argv, int first, int n_pos,
                      const char *pos_names, const char *allowed)
{
    a->departments = calloc((size_t)argc, sizeof *a->departments);
    a->groups = calloc((size_t)argc, sizeof *a->groups);
    if (!a->departments || !a->groups) {
        fprintf(stderr, "wowdash: out of memory\n");
        return 1;
    }
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] == '-' && arg[1] == '-') {
            if (!flag_allowed(allowed, arg)) {
                fprintf(stderr, "wowdash: %s: unknown option %s (expected: %s)\n", a->verb, arg,
                        allowed);
                return 2;
            }
            int rc = parse_option(a, argc, argv, &i);
            if (rc != 0)
                return rc;
        } else if (a->n_pos < n_pos) {
            a->pos[a->n_pos++] = arg;
        } else {
            fprintf(stderr, "wowdash: %s: unexpected argument '%s'\n", a->verb, arg);
            return 2;
        }
    }
    if (a->n_pos < n_pos) {
        fprintf(stderr, "wowdash: %s: expected %s\n", a->verb, pos_names);
        return 2;
    }
    if (!a->db) {
        fprintf(stderr, "wowdash: %s: --db TARGET is required\n", a->verb);
        return 2;
    }
    return 0;
}

/* 1..max-1 bytes, each a letter, a digit or one of extra. */
static bool valid_name(const char *s, size_t max, const char *extra)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  (c != '\0' && strchr(extra, c) != NULL);
        if (!ok)
            return false;
    }
    return true;
}

static bool check_user_name(const struct cli_args *a, const char *what, const char *name)
{
    /* the fleet page names no one for the dashboard's own changes: a user
       of its name would act unnamed */
    if (!strcmp(a->verb, "user add") && !strcmp(name, ROLLOUT_BY_ITSELF)) {
        fprintf(stderr,
                "wowdash: %s: %s: '%s' is the name the dashboard signs its own rollout changes "
                "with; expected another\n",
                a->verb, what, name);
        return false;
    }
    if (valid_name(name, DASH_ID_MAX, "._@-"))
        return true;
    fprintf(stderr,
            "wowdash: %s: %s: expected 1 to %d characters of A-Z a-z 0-9 . _ @ -, got '%s'\n",
            a->verb, what, DASH_ID_MAX - 1, name);
    return false;
}

/* Department and group ids as the kiosk's config spells them. */
static bool check_scope_ids(const struct cli_args *a, const char *flag, const char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!valid_name(ids[i], 32, "_-")) {
            fprintf(stderr,
                    "wowdash: %s: %s: expected an id of 1 to 31 characters of A-Z a-z 0-9 _ -, "
                    "got '%s'\n",
                    a->verb, flag, ids[i]);
            return false;
        }
    return true;
}

static int64_t now_ms(void)
{
    return clock_real().utc_ms;
}

/* ---- the database ------------------------------------------------------ */

/* Says what failed, with a hint when the schema is missing; returns 1. */
static int db_failed(const struct cli_args *a, const char *err)
{
    bool no_table = strstr(err, "no such table") || strstr(err, "does not exist");
    fprintf(stderr, "wowdash: %s: %s%s\n", a->verb, err,
            no_table ? " (has wowdash migrate --db TARGET run?)" : "");
    return 1;
}

/* ---- passwords --------------------------------------------------------- */

/* The terminal's settings while echo is off, for the signal handler that
 * puts them back: process-wide because a signal handler has no context. */
static struct termios saved_tty;
static volatile sig_atomic_t tty_fd = -1;

static void handle_interrupt(int sig)
{
    if (tty_fd >= 0)
        tcsetattr(tty_fd, TCSAFLUSH, &saved_tty);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* One line from in into buf, without its line end; false at end of input
 * or when longer than PASSWORD_MAX_BYTES. */
static bool read_line(FILE *in, char buf[PASSWORD_MAX_BYTES + 2], const char **why)
{
    if (!fgets(buf, PASSWORD_MAX_BYTES + 2, in)) {
        *why = "no password given";
        return false;
    }
    size_t n = strlen(buf);
    if (n > 0 && buf[n - 1] == '\n')
        buf[--n] = '\0';
    else if (!feof(in)) {
        *why = "the password is longer than 1024 bytes";
        return false;
    }
    if (n > 0 && buf[n - 1] == '\r')
        buf[--n] = '\0';
    return true;
}

/* Asks on the terminal with echo off. */
static bool ask_tty(FILE *tty, const char *prompt, char buf[PASSWORD_MAX_BYTES + 2],
                    const char **why)
{
    struct termios quiet;
    int fd = fileno(tty);
    if (tcgetattr(fd, &saved_tty) != 0) {
        *why = "cannot switch the terminal's echo off";
        return false;
    }
    quiet = saved_tty;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    tty_fd = fd;
    void (*old_int)(int) = signal(SIGINT, handle_interrupt);
    void (*old_term)(int) = signal(SIGTERM, handle_interrupt);
    /* echo off before the prompt: what is typed after it is never shown
     * (TCSAFLUSH drops what was typed before it); the prompt straight to
     * the descriptor, as tty is read through stdio */
    bool ok = tcsetattr(fd, TCSAFLUSH, &quiet) == 0 && write(fd, prompt, strlen(prompt)) >= 0;
    if (!ok)
        *why = "cannot write to the terminal";
    ok = ok && read_line(tty, buf, why);
    tcsetattr(fd, TCSANOW, &saved_tty);
    tty_fd = -1;
    signal(SIGINT, old_int);
    signal(SIGTERM, old_term);
    return ok;
}

static bool ask_twice(const char *user, char buf[PASSWORD_MAX_BYTES + 2], const char **why)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    FILE *tty = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!tty) {
        if (fd >= 0)
            close(fd);
        *why = "no terminal to ask on (give the password with --password-stdin)";
        return false;
    }
    char again[PASSWORD_MAX_BYTES + 2], prompt[DASH_ID_MAX + 32];
    snprintf(prompt, sizeof prompt, "Password for %s: ", user);
    bool ok = ask_tty(tty, prompt, buf, why) && ask_tty(tty, "Again: ", again, why);
    if (ok && strcmp(buf, again) != 0) {
        *why = "the two passwords differ";
        ok = false;
    }
    memset(again, 0, sizeof again);
    fclose(tty);
    return ok;
}

/* Reads the new password (stdin or the terminal) and hashes it into
 * hash; 0, or 1 after saying why not. */
static int new_password_hash(const struct cli_args *a, const char *user,
                             char hash[AUTH_PASSWORD_HASH_MAX])
{
    char password[PASSWORD_MAX_BYTES + 2];
    const char *why = NULL;
    bool ok =
        a->password_stdin ? read_line(stdin, password, &why) : ask_twice(user, password, &why);
    if (ok && utf8_chars(password) < PASSWORD_MIN_CHARS) {
        fprintf(stderr, "wowdash: %s: the password has %zu characters; expected at least %d\n",
                a->verb, utf8_chars(password), PASSWORD_MIN_CHARS);
        memset(password, 0, sizeof password);
        return 1;
    }
    if (ok && !auth_hash_password(password, hash, AUTH_PASSWORD_HASH_MAX))
        why = "cannot hash the password (out of memory)", ok = false;
    memset(password, 0, sizeof password);
    if (!ok) {
        fprintf(stderr, "wowdash: %s: password: %s\n", a->verb, why);
        return 1;
    }
    return 0;
}

/* ---- user add ---------------------------------------------------------- */

/* The role and scope flags agree: a head has some scope, the others none. */
static int check_role(const struct cli_args *a)
{
    if (!a->role) {
        fprintf(stderr, "wowdash: %s: --role is required: admin, head or technician\n", a->verb);
        return 2;
    }
    bool head = !strcmp(a->role, "head");
    if (!head && strcmp(a->role, "admin") != 0 && strcmp(a->role, "technician") != 0) {
        fprintf(stderr, "wowdash: %s: --role: expected admin, head or technician, got '%s'\n",
                a->verb, a->role);
        return 2;
    }
    if (head && a->n_departments + a->n_groups == 0) {
        fprintf(stderr,
                "wowdash: %s: --role head: expected at least one --department D or --group G "
                "(a head without either would see nothing)\n",
                a->verb);
        return 2;
    }
    if (!head && a->n_departments + a->n_groups > 0) {
        fprintf(stderr, "wowdash: %s: %s: only a head has departments and groups (an %s sees %s)\n",
                a->verb, a->n_departments ? "--department" : "--group", a->role,
                !strcmp(a->role, "admin") ? "everything" : "the fleet");
        return 2;
    }
    if (a->rollouts && strcmp(a->role, "technician") != 0) {
        fprintf(stderr,
                "wowdash: %s: --rollouts: only a technician is allowed to act on rollouts (an "
                "admin always may, a head never), got --role %s\n",
                a->verb, a->role);
        return 2;
    }
    if (!check_scope_ids(a, "--department", a->departments, a->n_departments) ||
        !check_scope_ids(a, "--group", a->groups, a->n_groups))
        return 2;
    return 0;
}

/* Every --group must exist; a --department nobody has heard of (no
 * catalog name, no description, no kiosk, picker or single, and no taps:
 * org_department_known) gets a warning (departments need not be
 * described). */
static int check_scopes_exist(const struct cli_args *a, struct dashdb *db, char *err)
{
    bool found;
    for (size_t i = 0; i < a->n_groups; i++) {
        if (!org_group_exists(db, a->groups[i], &found, err, ERR_SIZE))
            return db_failed(a, err);
        if (!found) {
            fprintf(stderr,
                    "wowdash: %s: --group %s: no such group (wowdash group add %s --name N "
                    "first)\n",
                    a->verb, a->groups[i], a->groups[i]);
            return 1;
        }
    }
    for (size_t i = 0; i < a->n_departments; i++) {
        if (!org_department_known(db, a->departments[i], &found, err, ERR_SIZE))
            return db_failed(a, err);
        if (!found)
            fprintf(stderr,
                    "wowdash: %s: warning: --department %s: not in the catalog, not described "
                    "(wowdash department add) and no kiosk reports it yet\n",
                    a->verb, a->departments[i]);
    }
    return 0;
}

/* The user's row and its scope rows, in one transaction. */
static int insert_user(const struct cli_args *a, struct dashdb *db, const char *hash, char *err)
{
    const char *name = a->pos[0];
    size_t n = a->n_departments + a->n_groups;
    struct accounts_scope *scopes = calloc(n ? n : 1, sizeof *scopes);
    if (!scopes)
        return db_failed(a, "out of memory");
    for (size_t i = 0; i < n; i++) {
        bool dep = i < a->n_departments;
        scopes[i] =
            (struct accounts_scope){dep ? "department" : "group",
                                    dep ? a->departments[i] : a->groups[i - a->n_departments]};
    }
    bool added = false;
    bool ok = accounts_user_add(db, name, a->role, a->rollouts, hash, now_ms(), scopes, n, &added,
                                err, ERR_SIZE);
    free(scopes);
    if (!ok)
        return db_failed(a, err);
    if (!added) {
        fprintf(stderr, "wowdash: %s: user %s exists already\n", a->verb, name);
        return 1;
    }
    printf("user %s added (%s%s)\n", name, a->role, a->rollouts ? ", may act on rollouts" : "");
    return 0;
}

static int user_add(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE], hash[AUTH_PASSWORD_HASH_MAX];
    bool found;
    if (!accounts_user_exists(db, a->pos[0], false, &found, err, sizeof err))
        return db_failed(a, err);
    if (found) {
        fprintf(stderr, "wowdash: %s: user %s exists already\n", a->verb, a->pos[0]);
        return 1;
    }
    int rc = check_scopes_exist(a, db, err);
    if (rc == 0)
        rc = new_password_hash(a, a->pos[0], hash);
    if (rc == 0)
        rc = insert_user(a, db, hash, err);
    return rc;
}

/* ---- user list, disable, password -------------------------------------- */

/* Rows arrive ordered by user; a user's line is printed when the next
 * user's first row (or the end) comes. */
struct user_list {
    char name[DASH_ID_MAX], role[16];
    bool disabled, rollouts, any;
    struct strbuf scope;
};

static void user_list_flush(struct user_list *l)
{
    if (!l->any)
        return;
    const char *scope = !strcmp(l->role, "admin")        ? "everything"
                        : !strcmp(l->role, "technician") ? "fleet"
                        : l->scope.data                  ? l->scope.data
                                                         : "nothing";
    bool rollouts = !strcmp(l->role, "admin") || l->rollouts;
    printf("%s\t%s\t%s\t%s\t%s\n", l->name, l->role, scope, rollouts ? "yes" : "no",
           l->disabled ? "yes" : "no");
    strbuf_reset(&l->scope);
    l->any = false;
}

static bool user_list_row(void *ctx, const char *name, const char *role, bool disabled,
                          bool rollouts, const char *kind, const char *id)
{
    struct user_list *l = ctx;
    if (l->any && strcmp(l->name, name) != 0)
        user_list_flush(l);
    if (!l->any) {
        snprintf(l->name, sizeof l->name, "%s", name);
        snprintf(l->role, sizeof l->role, "%s", role);
        l->disabled = disabled;
        l->rollouts = rollouts;
        l->any = true;
    }
    if (kind && id) {
        if (l->scope.len > 0)
            strbuf_puts(&l->scope, ",");
        strbuf_puts(&l->scope, kind);
        strbuf_puts(&l->scope, ":");
        strbuf_puts(&l->scope, id);
    }
    return !l->scope.failed;
}

static int user_list(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE];
    struct user_list l = {0};
    printf("NAME\tROLE\tSCOPE\tROLLOUTS\tDISABLED\n");
    bool ok = accounts_users_each(db, user_list_row, &l, err, sizeof err);
    if (ok)
        user_list_flush(&l);
    strbuf_free(&l.scope);
    return ok ? 0 : db_failed(a, err);
}

static int user_disable(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE];
    bool found;
    int64_t sessions = 0, tokens = 0;
    if (!accounts_user_disable(db, a->pos[0], &found, &sessions, &tokens, err, sizeof err))
        return db_failed(a, err);
    if (!found) {
        fprintf(stderr, "wowdash: %s: no user %s\n", a->verb, a->pos[0]);
        return 1;
    }
    printf("user %s disabled; %lld sessions and %lld API tokens ended\n", a->pos[0],
           (long long)sessions, (long long)tokens);
    return 0;
}

static int user_rollouts(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE];
    bool on = !strcmp(a->pos[1], "on"), found, technician;
    if (!accounts_user_set_rollouts(db, a->pos[0], on, &found, &technician, err, sizeof err))
        return db_failed(a, err);
    if (!found) {
        fprintf(stderr, "wowdash: %s: no user %s\n", a->verb, a->pos[0]);
        return 1;
    }
    if (!technician) {
        fprintf(stderr,
                "wowdash: %s: %s is not a technician (an admin always may act on rollouts, a "
                "head never)\n",
                a->verb, a->pos[0]);
        return 1;
    }
    printf("%s %s act on rollouts\n", a->pos[0], on ? "may now" : "may no longer");
    return 0;
}

static int user_password(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE], hash[AUTH_PASSWORD_HASH_MAX];
    bool found;
    if (!accounts_user_exists(db, a->pos[0], false, &found, err, sizeof err))
        return db_failed(a, err);
    if (!found) {
        fprintf(stderr, "wowdash: %s: no user %s\n", a->verb, a->pos[0]);
        return 1;
    }
    int rc = new_password_hash(a, a->pos[0], hash);
    if (rc != 0)
        return rc;
    if (!accounts_user_set_password(db, a->pos[0], hash, err, sizeof err))
        return db_failed(a, err);
    printf("password of %s changed; its sessions ended\n", a->pos[0]);
    return 0;
}

/* ---- tokens ------------------------------------------------------------ */

static bool check_label(const struct cli_args *a, const char *label)
{
    size_t n = strlen(label);
    bool ok = n > 0 && n <= LABEL_MAX_BYTES;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)label[i] >= 0x20 && label[i] != 0x7f;
    if (!ok)
        fprintf(stderr,
                "wowdash: %s: --label: expected 1 to %d bytes of printable text, got '%s'\n",
                a->verb, LABEL_MAX_BYTES, label);
    return ok;
}

static int token_add(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE], token[AUTH_API_TOKEN_LEN + 1], hash[AUTH_HASH_HEX_LEN + 1];
    const char *user = a->pos[0];
    bool found;
    if (!accounts_user_exists(db, user, true, &found, err, sizeof err))
        return db_failed(a, err);
    if (!found) {
        fprintf(stderr, "wowdash: %s: USER: no user %s that is not disabled\n", a->verb, user);
        return 1;
    }
    if (!accounts_token_exists(db, user, a->label, &found, err, sizeof err))
        return db_failed(a, err);
    if (found) {
        fprintf(stderr,
                "wowdash: %s: --label: %s already has a token labelled '%s' (wowdash token "
                "revoke first)\n",
                a->verb, user, a->label);
        return 1;
    }
    memcpy(token, AUTH_API_TOKEN_PREFIX, sizeof AUTH_API_TOKEN_PREFIX - 1);
    if (!auth_random_token(token + sizeof AUTH_API_TOKEN_PREFIX - 1)) {
        fprintf(stderr, "wowdash: %s: cannot read /dev/urandom: %s\n", a->verb, strerror(errno));
        return 1;
    }
    auth_token_hash(token, hash);
    if (!accounts_token_add(db, hash, user, a->label, now_ms(), err, sizeof err))
        return db_failed(a, err);
    printf("%s\n", token);
    fprintf(stderr, "wowdash: the token for %s (%s) is shown only this once\n", user, a->label);
    return 0;
}

static bool token_list_row(void *ctx, const char *label, const char *user, int64_t created_ms,
                           const int64_t *last_used_ms)
{
    (void)ctx;
    char created[32], used[32] = "never";
    clock_format_utc(created_ms, created, sizeof created);
    if (last_used_ms)
        clock_format_utc(*last_used_ms, used, sizeof used);
    printf("%s\t%s\t%s\t%s\n", label, user, created, used);
    return true;
}

static int token_list(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE];
    printf("LABEL\tUSER\tCREATED\tLAST USED\n");
    if (!accounts_tokens_each(db, token_list_row, NULL, err, sizeof err))
        return db_failed(a, err);
    return 0;
}

static int token_revoke(struct cli_args *a, struct dashdb *db)
{
    char err[ERR_SIZE];
    bool found;
    if (!accounts_token_revoke(db, a->pos[0], a->pos[1], &found, err, sizeof err))
        return db_failed(a, err);
    if (!found) {
        fprintf(stderr, "wowdash: %s: no token labelled '%s' for user %s\n", a->verb, a->pos[1],
                a->pos[0]);
        return 1;
    }
    printf("token '%s' of %s revoked\n", a->pos[1], a->pos[0]);
    return 0;
}

/* ---- the commands ------------------------------------------------------ */

struct verb {
    const char *command, *verb, *name; /* name: "user add", for messages */
    int n_pos;
    const char *pos_names; /* what the positional arguments are, for messages */
    const char *flags;
    int (*run)(struct cli_args *a, struct dashdb *db);
};

static const struct verb verbs[] = {
    {"user", "add", "user add", 1, "NAME",
     "--role --department --group --rollouts --db --password-stdin", user_add},
    {"user", "rollouts", "user rollouts", 2, "NAME on|off", "--db", user_rollouts},
    {"user", "list", "user list", 0, "", "--db", user_list},
    {"user", "disable", "user disable", 1, "NAME", "--db", user_disable},
    {"user", "password", "user password", 1, "NAME", "--db --password-stdin", user_password},
    {"token", "add", "token add", 1, "USER", "--label --db", token_add},
    {"token", "list", "token list", 0, "", "--db", token_list},
    {"token", "revoke", "token revoke", 2, "USER LABEL", "--db", token_revoke},
};

/* Arguments that need no database: names, labels, roles. */
static int check_args(const struct verb *v, struct cli_args *a)
{
    if (!strcmp(v->name, "token add") && !a->label) {
        fprintf(stderr, "wowdash: %s: --label L is required\n", a->verb);
        return 2;
    }
    if (v->n_pos >= 1 && !check_user_name(a, v->pos_names[0] == 'N' ? "NAME" : "USER", a->pos[0]))
        return 2;
    if (!strcmp(v->name, "user rollouts")) {
        if (strcmp(a->pos[1], "on") != 0 && strcmp(a->pos[1], "off") != 0) {
            fprintf(stderr, "wowdash: %s: expected on or off after NAME, got '%s'\n", a->verb,
                    a->pos[1]);
            return 2;
        }
        return 0;
    }
    if ((a->label && !check_label(a, a->label)) || (v->n_pos == 2 && !check_label(a, a->pos[1])))
        return 2;
    if (!strcmp(v->name, "user add"))
        return check_role(a);
    return 0;
}

static int run_verb(const char *command, const char *usage, int argc, char **argv)
{
    const struct verb *v = NULL;
    for (size_t i = 0; argc >= 2 && i < sizeof verbs / sizeof verbs[0]; i++)
        if (!strcmp(verbs[i].command, command) && !strcmp(verbs[i].verb, argv[1]))
            v = &verbs[i];
    struct cli_args a = {.verb = v ? v->name : command};
    if (!v) {
        if (argc >= 2)
            fprintf(stderr, "wowdash: %s: unknown verb '%s'\n", command, argv[1]);
        fprintf(stderr, "usage: %s", usage);
        return 2;
    }
    int rc = parse_args(&a, argc, argv, 2, v->n_pos, v->pos_names, v->flags);
    if (rc == 0)
        rc = check_args(v, &a);
    if (rc == 0) {
        char err[ERR_SIZE];
        struct dashdb *db = dashdb_open(a.db, err, sizeof err);
        rc = db ? v->run(&a, db) : db_failed(&a, err);
        dashdb_close(db);
    }
    if (rc == 2)
        fprintf(stderr, "usage: %s", usage);
    args_free(&a);
    return rc;
}

int cli_user(int argc, char **argv)
{
    return run_verb("user", cli_user_usage, argc, argv);
}

int cli_token(int argc, char **argv)
{
    return run_verb("token", cli_token_usage, argc, argv);
}
