/*
 * sync_update: the offer written for the root updater, its report read
 * back (see sync_update.h).
 */
#include "sync_update.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "log.h"
#include "paths.h"
#include "utf8.h"

/* What the text of a missing offer file is remembered as: no offer text
 * is a lone newline. */
static const char no_offer[] = "\n";

/* Letters, digits and . + ~ - (a Debian-style version), 1 to max-1 long:
 * the same rule as the updater's, so a version that passes here is one it
 * takes too. */
static bool version_ok(const char *v, size_t max)
{
    size_t n = strlen(v);
    if (n == 0 || n >= max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '.' || c == '+' || c == '~' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

bool sync_update_version_ok(const char *version)
{
    return version_ok(version, SYNC_UPDATE_VERSION_MAX);
}

/* http:// or https://, then printable ASCII without spaces or quotes: one
 * line of the offer file, nothing a shell or curl would read as more. */
static bool url_ok(const char *url)
{
    size_t n = strlen(url);
    if (n >= SYNC_UPDATE_URL_MAX)
        return false;
    size_t scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
    if (scheme == 0 || n == scheme)
        return false;
    for (size_t i = scheme; i < n; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == '`')
            return false;
    }
    return true;
}

static bool sha256_ok(const char *hex)
{
    if (strlen(hex) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return false;
    return true;
}

bool sync_update_offer_check(const struct sync_update_offer *o, char *why, size_t size)
{
    if (!o->present)
        return true;
    if (!version_ok(o->version, sizeof o->version))
        snprintf(why, size, "version: expected letters, digits and . + ~ -, got '%.40s'",
                 o->version);
    else if (!url_ok(o->url))
        snprintf(why, size,
                 "url: expected http:// or https:// and printable characters without spaces "
                 "or quotes, under %d bytes",
                 SYNC_UPDATE_URL_MAX);
    else if (!sha256_ok(o->sha256))
        snprintf(why, size, "sha256: expected 64 lowercase hex digits, got '%.70s'", o->sha256);
    else if (o->size <= 0 || o->size > SYNC_UPDATE_SIZE_MAX)
        snprintf(why, size, "size: expected 1 to %lld bytes, got %lld",
                 (long long)SYNC_UPDATE_SIZE_MAX, (long long)o->size);
    else
        return true;
    utf8_sanitize(why);
    return false;
}

static bool state_known(const char *state)
{
    static const char *const states[] = {"downloading", "downloaded", "installing",
                                         "installed",   "trying",     "good",
                                         "failed",      "fallback",   "refused"};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (strcmp(state, states[i]) == 0)
            return true;
    return false;
}

/* Copies the value (up to the end of the line) into out, if it fits. */
static void take_value(const char *value, size_t len, char *out, size_t size)
{
    if (len >= size)
        len = size - 1; /* an error cut short still says what went wrong */
    memcpy(out, value, len);
    out[len] = '\0';
}

static void keep_only(char *field, size_t size, bool ok)
{
    if (!ok)
        memset(field, 0, size);
}

void sync_update_parse_report(const char *text, struct sync_update_report *r)
{
    *r = (struct sync_update_report){0};
    bool seen[4] = {false};
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        static const char *const keys[] = {"slot=", "version=", "state=", "error="};
        char *fields[] = {r->slot, r->version, r->state, r->error};
        size_t sizes[] = {sizeof r->slot, sizeof r->version, sizeof r->state, sizeof r->error};
        for (int k = 0; k < 4; k++) {
            size_t klen = strlen(keys[k]);
            if (!seen[k] && len >= klen && strncmp(line, keys[k], klen) == 0) {
                take_value(line + klen, len - klen, fields[k], sizes[k]);
                seen[k] = true; /* the first line naming it, as the updater reads */
            }
        }
        line = end != NULL ? end + 1 : NULL;
    }
    keep_only(r->slot, sizeof r->slot, r->slot[0] == '\0' || version_ok(r->slot, sizeof r->slot));
    keep_only(r->version, sizeof r->version, version_ok(r->version, sizeof r->version));
    keep_only(r->state, sizeof r->state, state_known(r->state));
    utf8_sanitize(r->error);
    for (char *c = r->error; *c != '\0'; c++)
        if ((unsigned char)*c < ' ' || *c == 0x7f)
            *c = ' ';
}

void sync_update_read_report(const char *dir, struct sync_update_report *report)
{
    *report = (struct sync_update_report){0};
    char path[4096];
    if (snprintf(path, sizeof path, "%s/state", dir) >= (int)sizeof path)
        return;
    int err = 0;
    char *text = file_read_text(path, &err);
    if (text == NULL)
        return; /* none yet: no update has started here */
    sync_update_parse_report(text, report);
    free(text);
}

void sync_update_offer_text(const struct sync_update_offer *o, char *buf, size_t size)
{
    snprintf(buf, size, "version=%s\nurl=%s\nsha256=%s\nsize=%lld\n", o->version, o->url, o->sha256,
             (long long)o->size);
}

int sync_update_put_offer(const char *dir, const struct sync_update_offer *offer, char *last,
                          size_t last_size, char *error, size_t size)
{
    char path[4096], text[SYNC_UPDATE_URL_MAX + 256];
    if (snprintf(path, sizeof path, "%s/offer", dir) >= (int)sizeof path) {
        snprintf(error, size, "sync: %s/offer: the path is too long", dir);
        return -1;
    }
    if (offer->present)
        sync_update_offer_text(offer, text, sizeof text);
    else
        snprintf(text, sizeof text, "%s", no_offer);
    if (strcmp(text, last) == 0)
        return 0;
    if (last[0] == '\0') { /* first round: what the file holds already */
        int err = 0;
        char *held = file_read_text(path, &err);
        bool same = held != NULL ? strcmp(held, text) == 0 : err == ENOENT && !offer->present;
        free(held);
        if (same) {
            snprintf(last, last_size, "%s", text);
            return 0;
        }
    }
    int err = 0;
    bool ok = offer->present
                  ? paths_make_parent(path) && file_write_durable(path, text, strlen(text), &err)
                  : file_remove(path, &err);
    if (!ok && err == 0)
        err = ENOENT; /* the directory could not be made (logged) */
    if (!ok) {
        snprintf(error, size, "sync: %s: cannot %s the system update's offer: %s", path,
                 offer->present ? "write" : "remove", strerror(err));
        return -1;
    }
    snprintf(last, last_size, "%s", text);
    if (offer->present)
        log_info("sync: system update %s offered (%lld bytes from %s), written to %s",
                 offer->version, (long long)offer->size, offer->url, path);
    else
        log_info("sync: no system update offered any more: %s removed", path);
    return 0;
}

int sync_update_read_system_version(const char *path, char *version, size_t size, char *why,
                                    size_t why_size)
{
    int err = 0;
    char *text = file_read_text(path, &err);
    if (text == NULL) {
        if (err == ENOENT)
            return 0;
        snprintf(why, why_size, "%s: %s", path, file_error(err));
        return -1;
    }
    size_t len = strcspn(text, "\n");
    text[len] = '\0';
    bool ok = version_ok(text, size < SYNC_UPDATE_VERSION_MAX ? size : SYNC_UPDATE_VERSION_MAX);
    if (ok) {
        memcpy(version, text, len + 1);
    } else {
        snprintf(why, why_size,
                 "%s:1: expected a version of 1 to %zu letters, digits and . + ~ -, got '%.40s'",
                 path, size - 1, text);
        utf8_sanitize(why);
    }
    free(text);
    return ok ? 1 : -1;
}

void sync_update_booted_slot(const char *path, char *slot, size_t size)
{
    slot[0] = '\0';
    int err = 0;
    char *text = file_read_text(path, &err);
    if (text == NULL)
        return;
    static const char key[] = "rauc.slot=";
    for (char *word = text; *word != '\0';) {
        size_t len = strcspn(word, " \t\n");
        if (len > sizeof key - 1 && strncmp(word, key, sizeof key - 1) == 0) {
            const char *v = word + sizeof key - 1;
            size_t n = len - (sizeof key - 1);
            bool ok = n < size;
            for (size_t i = 0; ok && i < n; i++)
                ok = (v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'z') ||
                     (v[i] >= 'A' && v[i] <= 'Z');
            if (ok) {
                memcpy(slot, v, n);
                slot[n] = '\0';
            } else {
                slot[0] = '\0'; /* the last one decides, as for the kernel */
            }
        }
        word += len;
        word += strspn(word, " \t\n");
    }
    free(text);
}
