/*
 * spill: records kept in a file at a stop and replayed at the next start
 * (see spill.h).
 */
#include "spill.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "file.h"
#include "log.h"
#include "random.h"
#include "store.h"

#define SPILL_FILES_MAX 64 /* replayed per start; more wait for the next */
#define RESERVE_NAME    "spill-reserve"
#define SPILL_ID_MAX    40
#define SPILL_FIELD_MAX 128

void spill_places_of(struct spill_places *places, const char *store_path, const char *spill_dir,
                     char (*dir_buf)[512])
{
    *places = (struct spill_places){0};
    const char *slash = strrchr(store_path, '/');
    places->base = slash != NULL ? slash + 1 : store_path;
    int n = 0;
    if (spill_dir != NULL && spill_dir[0] != '\0') {
        snprintf(dir_buf[n], 512, "%s", spill_dir);
        places->dir[n] = dir_buf[n];
        n++;
    }
    if (slash == NULL)
        snprintf(dir_buf[n], 512, ".");
    else if (slash == store_path)
        snprintf(dir_buf[n], 512, "/");
    else
        snprintf(dir_buf[n], 512, "%.*s", (int)(slash - store_path), store_path);
    places->dir[n] = dir_buf[n];
}

void spill_new_id(int64_t now_utc_ms, char *buf, size_t size)
{
    char utc[32], stamp[24];
    clock_format_utc(now_utc_ms, utc, sizeof utc);
    size_t j = 0;
    for (size_t i = 0; utc[i] != '\0' && j < sizeof stamp - 1; i++)
        if (utc[i] != '-' && utc[i] != ':')
            stamp[j++] = utc[i];
    stamp[j] = '\0';
    unsigned char r[4] = {0};
    if (!random_bytes(r, sizeof r)) /* the time alone still orders and names it */
        r[0] = (unsigned char)getpid();
    snprintf(buf, size, "%s-%02x%02x%02x%02x", stamp, r[0], r[1], r[2], r[3]);
}

/* The reserve: the last place's (the store's directory) preallocated
 * file; false when the name does not fit. */
static bool reserve_path(const struct spill_places *places, char *buf, size_t size)
{
    const char *dir = places->dir[0];
    for (int i = 0; i < SPILL_PLACES_MAX; i++)
        if (places->dir[i] != NULL && places->dir[i][0] != '\0')
            dir = places->dir[i];
    if (dir == NULL)
        return false;
    int len = snprintf(buf, size, "%s/%s.%s", dir, places->base, RESERVE_NAME);
    return len > 0 && (size_t)len < size;
}

void spill_reserve_prepare(const struct spill_places *places)
{
    char path[700];
    struct stat st;
    if (!reserve_path(places, path, sizeof path) ||
        (stat(path, &st) == 0 && st.st_size >= SPILL_RESERVE_BYTES))
        return;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    int err = fd < 0 ? errno : posix_fallocate(fd, 0, SPILL_RESERVE_BYTES);
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (fd >= 0)
        close(fd);
    int dir_err = 0;
    if (err == 0 && !file_sync_parent(path, &dir_err))
        err = dir_err;
    if (err != 0) {
        log_warn("spill: cannot reserve %d bytes at %s: %s", SPILL_RESERVE_BYTES, path,
                 strerror(err));
        unlink(path); /* a short reserve would promise what it cannot keep */
    }
}

/* Overwrites the reserve's first bytes in place: no block is allocated, so
 * a full file system still takes it.  True when written and synced. */
static bool reserve_write(const struct spill_places *places, const char *text, char *written_to,
                          size_t size)
{
    size_t len = strlen(text);
    struct stat st;
    if (!reserve_path(places, written_to, size) || stat(written_to, &st) != 0 ||
        (size_t)st.st_size < len + 1)
        return false;
    int fd = open(written_to, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = pwrite(fd, text, len + 1, 0) == (ssize_t)(len + 1) && fdatasync(fd) == 0;
    if (!ok)
        log_error("spill: cannot write the reserve %s: %s", written_to, strerror(errno));
    close(fd);
    return ok;
}

/* The reserve emptied in place after a replay (no block allocated). */
static void reserve_clear(const char *path)
{
    static const char empty[] = "empty\n";
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    bool ok = fd >= 0 && pwrite(fd, empty, sizeof empty, 0) == (ssize_t)sizeof empty &&
              fdatasync(fd) == 0;
    if (!ok)
        log_error("spill: cannot empty the reserve %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
}

/* True when the reserve holds records not replayed yet. */
static bool reserve_holds(const char *path)
{
    char head[24] = "";
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, head, sizeof head - 1);
    close(fd);
    return n > 0 && strncmp(head, "wowkiosk-spill 1 ", 17) == 0;
}

bool spill_write(const struct spill_places *places, const char *id, const char *text,
                 char *written_to, size_t size)
{
    for (int i = 0; i < SPILL_PLACES_MAX; i++) {
        const char *dir = places->dir[i];
        if (dir == NULL || dir[0] == '\0')
            continue;
        int len = snprintf(written_to, size, "%s/%s.spill-%s", dir, places->base, id);
        int err_no = ENAMETOOLONG;
        if (len > 0 && (size_t)len < size &&
            file_write_durable(written_to, text, strlen(text), &err_no))
            return true;
        log_error("spill: cannot keep waiting records in %s: %s", dir, strerror(err_no));
    }
    if (reserve_write(places, text, written_to, size))
        return true;
    written_to[0] = '\0';
    return false;
}

bool spill_probe(const struct spill_places *places)
{
    for (int i = 0; i < SPILL_PLACES_MAX; i++) {
        const char *dir = places->dir[i];
        char path[600];
        if (dir == NULL || dir[0] == '\0' ||
            snprintf(path, sizeof path, "%s/%s.spill-probe", dir, places->base) >= (int)sizeof path)
            continue;
        int err_no = 0;
        bool ok = file_write_durable(path, "probe\n", 6, &err_no);
        unlink(path);
        if (ok)
            return true;
    }
    char reserve[700];
    struct stat st;
    return reserve_path(places, reserve, sizeof reserve) && stat(reserve, &st) == 0 &&
           st.st_size >= SPILL_RESERVE_BYTES && !reserve_holds(reserve) &&
           access(reserve, W_OK) == 0;
}

/* One parsed line of a spill file. */
struct spill_line {
    bool tap;
    long long at_ms, tap_id;
    int rating, misuse;
    char question[16], ended_by[16];
    char text[SPILL_FIELD_MAX]; /* department or reason */
};

static bool field_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < SPILL_FIELD_MAX && strcspn(s, " \t\r\n") == n;
}

/* Splits line (modified) at single spaces into at most max words; the
 * count, or -1 when there are more or an empty one. */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    for (char *p = line; p != NULL; n++) {
        if (n == max)
            return -1;
        words[n] = p;
        p = strchr(p, ' ');
        if (p != NULL)
            *p++ = '\0';
        if (words[n][0] == '\0')
            return -1;
    }
    return n;
}

static bool number_of(const char *text, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_line(const char *line, struct spill_line *l)
{
    char copy[SPILL_FIELD_MAX * 3], *w[6];
    long long rating = 0, misuse = 0;
    *l = (struct spill_line){0};
    if (strlen(line) >= sizeof copy)
        return false;
    snprintf(copy, sizeof copy, "%s", line);
    int n = split_words(copy, w, 6);
    if (n == 5 && strcmp(w[0], "tap") == 0) {
        l->tap = true;
        if (!number_of(w[1], INT64_MIN / 2, INT64_MAX / 2, &l->at_ms) ||
            !number_of(w[2], 1, 4, &rating) || !number_of(w[3], 0, 1, &misuse) || !field_ok(w[4]))
            return false;
        l->rating = (int)rating;
        l->misuse = (int)misuse;
        snprintf(l->text, sizeof l->text, "%s", w[4]);
        return true;
    }
    if (n == 5 && strcmp(w[0], "followup") == 0) {
        if (!number_of(w[1], 0, INT64_MAX, &l->tap_id) || strlen(w[2]) >= sizeof l->question ||
            strlen(w[3]) >= sizeof l->ended_by || !field_ok(w[4]))
            return false;
        snprintf(l->question, sizeof l->question, "%s", w[2]);
        snprintf(l->ended_by, sizeof l->ended_by, "%s", w[3]);
        snprintf(l->text, sizeof l->text, "%s", w[4]);
        return true;
    }
    return false;
}

static bool word_of(const char *word, const char *const *names, int count, int *out)
{
    for (int i = 0; i < count; i++)
        if (strcmp(word, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

/* Writes one parsed line into the store.  *last_tap: the tap before it. */
static int replay_line(struct store *store, const struct spill_line *l, int64_t *last_tap)
{
    if (l->tap) {
        struct store_tap tap = {.at_ms_utc = l->at_ms,
                                .department = l->text,
                                .rating = l->rating,
                                .misuse = l->misuse != 0};
        return store_record_tap(store, &tap, last_tap);
    }
    static const char *const questions[] = {"negative", "positive"};
    static const char *const ends[] = {"chosen", "skipped", "timeout"};
    int q = 0, e = 0;
    if (!word_of(l->question, questions, 2, &q) || !word_of(l->ended_by, ends, 3, &e))
        return STORE_ERR_REFUSED;
    struct store_followup f = {.question =
                                   q == 1 ? STORE_QUESTION_POSITIVE : STORE_QUESTION_NEGATIVE,
                               .ended_by = e == 0   ? STORE_FOLLOWUP_CHOSEN
                                           : e == 1 ? STORE_FOLLOWUP_SKIPPED
                                                    : STORE_FOLLOWUP_TIMEOUT,
                               .reason = strcmp(l->text, "-") == 0 ? NULL : l->text};
    int64_t tap = l->tap_id != 0 ? l->tap_id : *last_tap;
    if (tap == 0)
        return 0; /* its tap was lost before the stop: nothing to attach it to */
    return store_record_followup(store, tap, &f);
}

/* Moves a spill file that cannot be read aside, for a person. */
static void set_aside(const char *path)
{
    char to[700];
    snprintf(to, sizeof to, "%s.unreadable", path);
    if (rename(path, to) == 0)
        log_error("spill: %s moved to %s: it is kept, never replayed", path, to);
    else
        log_error("spill: cannot move %s aside: %s", path, strerror(errno));
}

/* Checks the header; ID into id.  False (logged) when it is not a spill. */
static bool read_header(const char *path, char *text, char **rest, char *id)
{
    char *nl = strchr(text, '\n'), *w[4];
    if (nl == NULL)
        return false;
    *nl = '\0';
    *rest = nl + 1;
    if (split_words(text, w, 4) != 4 || strcmp(w[0], "wowkiosk-spill") != 0 ||
        strcmp(w[1], "1") != 0 || strlen(w[2]) >= SPILL_ID_MAX || !field_ok(w[3])) {
        log_error("%s:1: header: expected \"wowkiosk-spill 1 ID KIOSK_ID\"", path);
        return false;
    }
    snprintf(id, SPILL_ID_MAX, "%s", w[2]);
    return true;
}

/* Replays the records of text (after its header) in the open replay;
 * 0 and the count in *n, or STORE_ERR_* / 1 for a line that does not parse. */
static int replay_lines(const char *path, char *rest, struct store *store, int *n)
{
    int64_t last_tap = 0;
    int lineno = 1;
    for (char *line = rest; *line != '\0';) {
        char *nl = strchr(line, '\n');
        lineno++;
        if (nl == NULL) {
            log_warn("%s:%d: an unfinished last line is left out", path, lineno);
            break;
        }
        *nl = '\0';
        struct spill_line l;
        if (strncmp(line, "end ", 4) == 0)
            break;
        if (!parse_line(line, &l)) {
            log_error("%s:%d: record: expected \"tap AT RATING MISUSE DEPARTMENT\" or "
                      "\"followup TAP QUESTION ENDED_BY REASON\"",
                      path, lineno);
            return 1;
        }
        int rc = replay_line(store, &l, &last_tap);
        if (rc == STORE_ERR_REFUSED)
            log_error("%s:%d: the store refused this record; it is left out", path, lineno);
        else if (rc != 0)
            return rc;
        else
            (*n)++;
        line = nl + 1;
    }
    return 0;
}

/* Replays one file: the count replayed, or negative to try again later.
 * The reserve is emptied in place instead of removed. */
static int replay_file(const char *path, struct store *store, bool reserve)
{
    int err_no = 0;
    char *text = file_read_text(path, &err_no), *rest = NULL, id[SPILL_ID_MAX] = "";
    if (text == NULL) {
        log_error("spill: cannot read %s: %s", path, file_error(err_no));
        return -1;
    }
    if (!read_header(path, text, &rest, id)) {
        free(text);
        set_aside(path);
        return 0;
    }
    int n = 0, rc = 0;
    if (!store_replayed(store, id)) {
        rc = store_replay_begin(store);
        if (rc == 0)
            rc = replay_lines(path, rest, store, &n);
        int end = store_replay_end(store, id, rc == 0);
        rc = rc != 0 ? rc : end;
    }
    free(text);
    if (rc == 1) { /* a line that does not parse: nothing of it was kept */
        set_aside(path);
        return 0;
    }
    if (rc != 0)
        return -1;
    if (reserve)
        reserve_clear(path);
    else if (unlink(path) != 0)
        log_warn("spill: %s replayed but not removed: %s", path, strerror(errno));
    log_info("spill: %d records of %s replayed into the store", n, path);
    return n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spill files of one place, sorted (their names sort by time); owned
 * strings the caller frees.  Returns how many. */
static int list_place(const char *dir, const char *base, char **out, int max)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s.spill-", base);
    size_t plen = strlen(prefix);
    int n = 0;
    struct dirent *e;
    while (n < max && (e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        size_t len = strlen(name);
        if (strncmp(name, prefix, plen) != 0 || strcmp(name + plen, "probe") == 0 ||
            strcmp(name + plen, "reserve") == 0 ||
            (len > 4 && strcmp(name + len - 4, ".tmp") == 0) || strstr(name, ".unreadable"))
            continue;
        size_t size = strlen(dir) + len + 2;
        out[n] = malloc(size);
        if (out[n] != NULL)
            snprintf(out[n++], size, "%s/%s", dir, name);
    }
    closedir(d);
    qsort(out, (size_t)n, sizeof *out, by_name);
    return n;
}

int spill_replay(const struct spill_places *places, struct store *store)
{
    int total = 0;
    for (int i = 0; i < SPILL_PLACES_MAX && total >= 0; i++) {
        if (places->dir[i] == NULL || places->dir[i][0] == '\0')
            continue;
        char *files[SPILL_FILES_MAX];
        int n = list_place(places->dir[i], places->base, files, SPILL_FILES_MAX);
        for (int k = 0; k < n; k++) {
            int rc = total >= 0 ? replay_file(files[k], store, false) : 0;
            total = rc < 0 ? rc : total + rc;
            free(files[k]);
        }
    }
    char reserve[700];
    if (total >= 0 && reserve_path(places, reserve, sizeof reserve) && reserve_holds(reserve)) {
        int rc = replay_file(reserve, store, true);
        total = rc < 0 ? rc : total + rc;
    }
    return total;
}

int spill_count(const struct spill_places *places)
{
    int total = 0;
    for (int i = 0; i < SPILL_PLACES_MAX; i++) {
        if (places->dir[i] == NULL || places->dir[i][0] == '\0')
            continue;
        char *files[SPILL_FILES_MAX];
        int n = list_place(places->dir[i], places->base, files, SPILL_FILES_MAX);
        for (int k = 0; k < n; k++)
            free(files[k]);
        total += n;
    }
    char reserve[700];
    if (reserve_path(places, reserve, sizeof reserve) && reserve_holds(reserve))
        total++;
    return total;
}
