/*
 * cli_update: wowdash's A/B update commands (docs/DEPLOY.md, "Rolling out
 * from the dashboard"; updates.h, rollout.h):
 *
 *   wowdash bundle publish FILE --url URL --keyring CA.pem --db TARGET [--by NAME]
 *                          [--bundles DIR]
 *       checks FILE with `rauc info --keyring CA.pem` (its signature, and
 *       that it is a wowkiosk system bundle), takes its version, SHA-256 and
 *       size, and records it: kiosks offered it fetch it from URL and check
 *       both before RAUC reads a byte.  A bad signature is refused with
 *       RAUC's reason, and nothing is recorded; so is a URL or version a
 *       kiosk would refuse (sync_update.h's rules).  --bundles DIR copies
 *       FILE into the directory `wowdash serve --bundles DIR` serves, as
 *       the last part of URL's path (/updates/NAME), durably, before it is
 *       recorded.
 *   wowdash rollout start VERSION --canary ID[,ID...] --db TARGET [--by NAME]
 *   wowdash rollout promote|pause|resume|stop --db TARGET [--by NAME] [--note TEXT]
 *   wowdash rollout status --db TARGET
 *       the stage and, for every kiosk, its version and update report;
 *       also pauses a rollout a kiosk reported failing, as the server does.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "clock.h"
#include "bundles.h"
#include "dashdb.h"
#include "file.h"
#include "sync_update.h"
#include "updates.h"
#include "utf8.h"

const char cli_bundle_usage[] =
    "wowdash bundle publish FILE --url URL --keyring CA.pem --db TARGET [--by NAME]\n"
    "                              [--bundles DIR]\n";
const char cli_rollout_usage[] =
    "wowdash rollout start VERSION --canary ID[,ID...] --db TARGET [--by NAME]\n"
    "       wowdash rollout promote|pause|resume|stop|status --db TARGET [--by NAME] [--note "
    "TEXT]\n";

#define RAUC_OUTPUT_MAX 65536

struct update_args {
    const char *cmd, *verb, *subject; /* subject: FILE or VERSION */
    const char *db, *url, *keyring, *by, *note, *canary, *bundles;
};

static int parse_args(int argc, char **argv, struct update_args *a)
{
    a->cmd = argv[0];
    a->verb = argc > 1 ? argv[1] : "";
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-') {
            if (a->subject) {
                fprintf(stderr, "wowdash %s %s: unexpected argument '%s'\n", a->cmd, a->verb, arg);
                return 2;
            }
            a->subject = arg;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "wowdash %s %s: %s needs a value\n", a->cmd, a->verb, arg);
            return 2;
        }
        const char *v = argv[++i];
        const char **slot = !strcmp(arg, "--db")        ? &a->db
                            : !strcmp(arg, "--url")     ? &a->url
                            : !strcmp(arg, "--keyring") ? &a->keyring
                            : !strcmp(arg, "--by")      ? &a->by
                            : !strcmp(arg, "--note")    ? &a->note
                            : !strcmp(arg, "--canary")  ? &a->canary
                            : !strcmp(arg, "--bundles") ? &a->bundles
                                                        : NULL;
        if (!slot) {
            fprintf(stderr, "wowdash %s %s: unexpected argument '%s'\n", a->cmd, a->verb, arg);
            return 2;
        }
        if (!utf8_valid_string(v) || utf8_find_bidi_control(v)) {
            fprintf(stderr, "wowdash %s %s: %s: expected UTF-8 text without bidi controls\n",
                    a->cmd, a->verb, arg);
            return 2;
        }
        *slot = v;
    }
    if (!a->db) {
        fprintf(stderr, "wowdash %s %s: missing --db TARGET\n", a->cmd, a->verb);
        return 2;
    }
    return 0;
}

/* Runs argv (no shell), its stdout and stderr into out (NUL-terminated,
 * cut at size); the exit status, or -1 when it could not run. */
static int run_capture(char *const argv[], char *out, size_t size)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t used = 0;
    for (;;) {
        char chunk[4096];
        ssize_t n = read(fds[0], chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        size_t keep = (size_t)n < size - 1 - used ? (size_t)n : size - 1 - used;
        memcpy(out + used, chunk, keep);
        used += keep;
    }
    out[used] = '\0';
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The value of KEY='VALUE' in rauc's shell output, into out. */
static bool shell_value(const char *text, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, klen) || p[klen] != '=' || p[klen + 1] != '\'')
            continue;
        const char *v = p + klen + 2, *end = strchr(v, '\'');
        if (!end || (size_t)(end - v) >= size)
            return false;
        memcpy(out, v, (size_t)(end - v));
        out[end - v] = '\0';
        return true;
    }
    return false;
}

/* The last line of text that starts with prefix (RAUC's reasons), or its
 * last line. */
static void last_line(const char *text, char *out, size_t size)
{
    const char *end = text + strlen(text);
    while (end > text && end[-1] == '\n')
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    snprintf(out, size, "%.*s", (int)(end - start), start);
}

static bool file_digest(const char *path, char hex[65], int64_t *size_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    unsigned char buf[65536];
    int64_t total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
        total += n;
    }
    close(fd);
    if (n < 0)
        return false;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, digest);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
    *size_out = total;
    return true;
}

/* `rauc info` checks the signature over the manifest; `rauc extract`, into
 * a directory thrown away after, also checks the payload against it (a
 * verity bundle is otherwise checked block by block only as a kiosk
 * installs it).  Its exit status; its output in out. */
static int payload_checked(const struct update_args *a, char *keyring, char *out, size_t size)
{
    char dir[] = "/tmp/wowbundle.XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char into[sizeof dir + 8];
    snprintf(into, sizeof into, "%s/x", dir);
    char *argv[] = {"rauc", "extract", keyring, (char *)a->subject, into, NULL};
    char *saved = strdup(out);
    int rc = run_capture(argv, out, size);
    char *rm[] = {"rm", "-rf", "--one-file-system", dir, NULL};
    char ignored[256];
    run_capture(rm, ignored, sizeof ignored);
    if (rc == 0 && saved)
        snprintf(out, size, "%s", saved); /* the manifest's fields, for the caller */
    free(saved);
    return saved ? rc : -1;
}

/* Fills b from FILE through `rauc info`; false after saying why. */
static bool inspect_bundle(const struct update_args *a, struct update_bundle *b)
{
    char *out = malloc(RAUC_OUTPUT_MAX), reason[512], compatible[128];
    if (!out)
        return false;
    char keyring[4096];
    snprintf(keyring, sizeof keyring, "--keyring=%s", a->keyring);
    char *argv[] = {"rauc", "info", keyring, "--output-format=shell", (char *)a->subject, NULL};
    int rc = run_capture(argv, out, RAUC_OUTPUT_MAX);
    bool ok = false;
    if (rc == 0)
        rc = payload_checked(a, keyring, out, RAUC_OUTPUT_MAX);
    if (rc != 0) {
        last_line(out, reason, sizeof reason);
        fprintf(stderr, "wowdash bundle publish: %s: refused: %s\n", a->subject,
                rc < 0 || rc == 127 ? "cannot run rauc (apt-get install rauc)" : reason);
    } else if (!shell_value(out, "RAUC_MF_COMPATIBLE", compatible, sizeof compatible) ||
               strcmp(compatible, "wowkiosk-rpi-arm64") != 0) {
        fprintf(stderr,
                "wowdash bundle publish: %s: compatible '%s', expected 'wowkiosk-rpi-arm64'\n",
                a->subject, compatible);
    } else if (!shell_value(out, "RAUC_MF_VERSION", b->version, sizeof b->version) ||
               !b->version[0]) {
        fprintf(stderr, "wowdash bundle publish: %s: its manifest names no version\n", a->subject);
    } else {
        /* verity bundles carry an inline signature, plain ones a detached one */
        const char *by = strstr(out, " signature by '");
        if (by) {
            by += strlen(" signature by '");
            const char *end = strchr(by, '\'');
            snprintf(b->signer, sizeof b->signer, "%.*s", end ? (int)(end - by) : 0, by);
        }
        ok = true;
    }
    free(out);
    return ok;
}

/* Copies src to dir/name through dir/.name.part: written, fsync'd,
 * renamed, the directory fsync'd; false with what failed in err. */
static bool copy_durably(const char *src, const char *dir, const char *name, char *err, size_t size)
{
    char part[4096], dst[4096];
    if (snprintf(part, sizeof part, "%s/.%s.part", dir, name) >= (int)sizeof part ||
        snprintf(dst, sizeof dst, "%s/%s", dir, name) >= (int)sizeof dst) {
        snprintf(err, size, "%s: the path is too long", dir);
        return false;
    }
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = in < 0 ? -1 : open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = in >= 0 && out >= 0;
    const char *what = in < 0 ? src : part;
    unsigned char buf[65536];
    ssize_t n = 0;
    while (ok && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        for (ssize_t done = 0; ok && done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            ok = w > 0;
            done += w > 0 ? w : 0;
        }
    }
    ok = ok && fsync(out) == 0;
    int saved = errno;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(part, dst) != 0) {
        ok = false;
        saved = errno;
    }
    int e = 0;
    if (ok && !file_sync_parent(dst, &e)) {
        ok = false;
        saved = e;
    }
    if (!ok) {
        snprintf(err, size, "%.400s: cannot copy into %.400s: %s", what, dir, strerror(saved));
        if (out >= 0)
            unlink(part);
    }
    return ok;
}

/* --bundles DIR: the name URL's path ends in, which the dashboard serves
 * from DIR at /updates/NAME; false (said) when URL does not end so. */
static bool served_name(const char *url, char *name, size_t size)
{
    const char *path = strstr(url, "://");
    path = path ? strchr(path + 3, '/') : NULL;
    if (path && bundles_name(path, name, size))
        return true;
    fprintf(stderr,
            "wowdash bundle publish: --url: with --bundles, expected it to end in "
            "/updates/NAME.raucb (where wowdash serve --bundles serves the copy), got '%.200s'\n",
            url);
    return false;
}

static void who(const char *by, char *out, size_t size)
{
    const char *user = by ? by : getenv("USER");
    snprintf(out, size, "%s", user && user[0] ? user : "unknown");
}

static int publish(const struct update_args *a, struct dashdb *db)
{
    if (!a->subject || !a->url || !a->keyring) {
        fprintf(stderr, "wowdash bundle publish: expected FILE, --url URL and --keyring CA.pem\n");
        return 2;
    }
    if (strncmp(a->url, "https://", 8) && strncmp(a->url, "http://", 7)) {
        fprintf(stderr,
                "wowdash bundle publish: --url: expected http:// or https://, got '%.80s'\n",
                a->url);
        return 2;
    }
    char name[BUNDLES_NAME_MAX], err[1024];
    if (a->bundles && !served_name(a->url, name, sizeof name))
        return 2;
    struct update_bundle b = {0};
    if (strlen(a->url) >= sizeof b.url || !inspect_bundle(a, &b))
        return 1;
    snprintf(b.url, sizeof b.url, "%s", a->url);
    if (!file_digest(a->subject, b.sha256, &b.size)) {
        fprintf(stderr, "wowdash bundle publish: %s: cannot read: %s\n", a->subject,
                strerror(errno));
        return 1;
    }
    /* what each kiosk will check before it hands the offer to root */
    struct sync_update_offer offer = {.present = true, .size = b.size};
    snprintf(offer.version, sizeof offer.version, "%s", b.version);
    snprintf(offer.url, sizeof offer.url, "%s", b.url);
    snprintf(offer.sha256, sizeof offer.sha256, "%s", b.sha256);
    if (strlen(b.version) >= sizeof offer.version ||
        !sync_update_offer_check(&offer, err, sizeof err)) {
        fprintf(stderr, "wowdash bundle publish: kiosks would refuse this offer: %s\n",
                strlen(b.version) >= sizeof offer.version ? "version: too long" : err);
        return 2;
    }
    if (a->bundles && !copy_durably(a->subject, a->bundles, name, err, sizeof err)) {
        fprintf(stderr, "wowdash bundle publish: %s\n", err);
        return 1;
    }
    char by[UPDATES_WHO_MAX];
    who(a->by, by, sizeof by);
    if (!updates_publish(db, &b, by, clock_real().utc_ms, err, sizeof err)) {
        fprintf(stderr, "wowdash bundle publish: %s\n", err);
        return 1;
    }
    printf("published %s: %" PRId64 " bytes, sha256 %s, signed by %s, at %s\n", b.version, b.size,
           b.sha256, b.signer[0] ? b.signer : "?", b.url);
    if (a->bundles)
        printf("copied to %s/%s, served at /updates/%s\n", a->bundles, name, name);
    return 0;
}

static void print_status(struct dashdb *db, const struct update_rollout *r)
{
    struct update_kiosks ks;
    char err[512];
    if (!updates_read_kiosks(db, &ks, err, sizeof err)) {
        fprintf(stderr, "wowdash rollout status: %s\n", err);
        return;
    }
    struct rollout_progress p;
    rollout_progress(r->stage, r->paused_from, r->canary, r->excused, r->version, ks.kiosks, ks.n,
                     &p);
    printf("rollout %" PRId64 " of %s: %s%s%s%s; %d of %d targets run it, %d under way, %d "
           "failed; %d of %zu kiosks not on it\n",
           r->rollout_id, r->version, rollout_stage_name(r->stage),
           r->stage == ROLLOUT_PAUSED ? " (from " : "",
           r->stage == ROLLOUT_PAUSED ? rollout_stage_name(r->paused_from) : "",
           r->stage == ROLLOUT_PAUSED ? ")" : "", p.updated, p.targets, p.underway, p.failed, p.old,
           ks.n);
    if (r->note[0])
        printf("note: %s\n", r->note);
    for (size_t i = 0; i < ks.n; i++) {
        const struct rollout_kiosk *k = &ks.kiosks[i];
        printf("%s\t%s\t%s\t%s%s\n", k->kiosk_id, k->app_version[0] ? k->app_version : "-",
               k->update_state[0] ? k->update_state : "-", k->update_version,
               rollout_in_list(r->canary, k->kiosk_id) ? "\tcanary" : "");
    }
    updates_kiosks_free(&ks);
}

static int rollout(const struct update_args *a, struct dashdb *db)
{
    char by[UPDATES_WHO_MAX], err[1024];
    who(a->by, by, sizeof by);
    int64_t now = clock_real().utc_ms;
    bool ok;
    if (!strcmp(a->verb, "start")) {
        if (!a->subject || !a->canary) {
            fprintf(stderr, "wowdash rollout start: expected VERSION and --canary ID[,ID...]\n");
            return 2;
        }
        ok = updates_start(db, a->subject, a->canary, by, now, err, sizeof err);
    } else if (!strcmp(a->verb, "status")) {
        ok = updates_check(db, now, NULL, err, sizeof err);
    } else {
        if (a->note && strlen(a->note) >= UPDATES_NOTE_MAX) {
            fprintf(stderr, "wowdash rollout %s: --note: at most %d bytes\n", a->verb,
                    UPDATES_NOTE_MAX - 1);
            return 2;
        }
        ok = updates_act(db, a->verb, by, a->note, now, err, sizeof err);
    }
    if (!ok) {
        fprintf(stderr, "wowdash rollout %s: %s\n", a->verb, err);
        return 1;
    }
    struct update_rollout r;
    bool found;
    if (updates_read_rollout(db, &r, &found, err, sizeof err) && found)
        print_status(db, &r);
    updates_rollout_free(&r);
    return 0;
}

static int run(int argc, char **argv, bool bundle)
{
    struct update_args a = {0};
    static const char *const verbs[] = {"start", "promote", "pause", "resume", "stop", "status"};
    bool known = bundle ? argc > 1 && !strcmp(argv[1], "publish") : false;
    for (size_t i = 0; !bundle && argc > 1 && i < sizeof verbs / sizeof verbs[0]; i++)
        known = known || !strcmp(argv[1], verbs[i]);
    if (!known)
        return CLI_USAGE;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    char err[1024];
    struct dashdb *db = dashdb_open(a.db, err, sizeof err);
    if (!db) {
        fprintf(stderr, "wowdash %s %s: %s\n", a.cmd, a.verb, err);
        return 1;
    }
    rc = bundle ? publish(&a, db) : rollout(&a, db);
    dashdb_close(db);
    return rc;
}

int cli_bundle(int argc, char **argv)
{
    return run(argc, argv, true);
}

int cli_rollout(int argc, char **argv)
{
    return run(argc, argv, false);
}
