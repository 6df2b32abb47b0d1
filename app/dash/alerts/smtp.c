/* smtp: one mail through libcurl's SMTP (see smtp.h). */
#include "smtp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mail_db.h"
#include "strbuf.h"
#include "webhook.h"

bool smtp_settings_valid(const struct smtp_settings *s, char *err, size_t size)
{
    const char *url = s->url ? s->url : "";
    size_t scheme = !strncasecmp(url, "smtp://", 7) ? 7 : !strncasecmp(url, "smtps://", 8) ? 8 : 0;
    if (!scheme || !url[scheme] || url[scheme] == '/' || url[scheme] == ':') {
        snprintf(err, size, "--smtp: expected smtp://HOST[:PORT] or smtps://HOST[:PORT], got '%s'",
                 url);
        return false;
    }
    if (!s->from || !mail_address_valid(s->from)) {
        snprintf(err, size, "--mail-from: expected an address as reports@example.org, got '%s'",
                 s->from ? s->from : "");
        return false;
    }
    return true;
}

/* text as base64 (RFC 4648, with padding) appended to out: an encoded
 * word of a header (RFC 2047). */
static void put_base64(struct strbuf *out, const char *text, size_t n)
{
    static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)text;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        char quad[4] = {digits[v >> 18 & 63], digits[v >> 12 & 63],
                        i + 1 < n ? digits[v >> 6 & 63] : '=', i + 2 < n ? digits[v & 63] : '='};
        strbuf_append(out, quad, 4);
    }
}

/* The message as it goes after DATA: headers, a blank line, the body with
 * CRLF line ends (libcurl escapes a leading '.'). */
static bool compose(struct strbuf *out, const struct smtp_settings *s, const char *to,
                    const char *subject, const char *body, const char *message_id, int64_t now_ms)
{
    char date[64];
    time_t t = (time_t)(now_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    char line[1024];
    snprintf(line, sizeof line, "Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nMessage-ID: <%s>\r\n", date,
             s->from, to, message_id);
    strbuf_puts(out, line);
    bool ascii = true;
    for (const unsigned char *p = (const unsigned char *)subject; *p; p++)
        ascii &= *p >= 0x20 && *p < 0x7f;
    if (ascii) {
        strbuf_puts(out, "Subject: ");
        strbuf_puts(out, subject);
        strbuf_puts(out, "\r\n");
    } else {
        /* encoded words of at most 45 bytes (75 characters, RFC 2047), never
         * splitting a character, on folded lines */
        strbuf_puts(out, "Subject:");
        for (size_t at = 0, n = strlen(subject); at < n;) {
            size_t take = n - at < 45 ? n - at : 45;
            while (take < n - at && take > 1 && ((unsigned char)subject[at + take] & 0xc0) == 0x80)
                take--;
            strbuf_puts(out, at ? "\r\n =?UTF-8?B?" : " =?UTF-8?B?");
            put_base64(out, subject + at, take);
            strbuf_puts(out, "?=");
            at += take;
        }
        strbuf_puts(out, "\r\n");
    }
    strbuf_puts(out, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                     "Content-Transfer-Encoding: 8bit\r\nAuto-Submitted: auto-generated\r\n\r\n");
    for (const char *p = body; *p; p++) {
        if (*p == '\n')
            strbuf_puts(out, "\r\n");
        else if (*p != '\r')
            strbuf_append(out, p, 1);
    }
    strbuf_puts(out, "\r\n");
    return !out->failed;
}

struct upload {
    const char *data;
    size_t len, at;
};

static size_t handle_read(char *buf, size_t size, size_t nmemb, void *userdata)
{
    struct upload *u = userdata;
    size_t n = size * nmemb, left = u->len - u->at;
    if (n > left)
        n = left;
    memcpy(buf, u->data + u->at, n);
    u->at += n;
    return n;
}

enum smtp_result smtp_send(const struct smtp_settings *s, const char *to, const char *subject,
                           const char *body, const char *message_id, int64_t now_ms, char *err,
                           size_t size)
{
    if (!mail_address_valid(to)) {
        snprintf(err, size, "not an address mail may go to: '%.80s'", to);
        return SMTP_REFUSED;
    }
    struct strbuf msg = {0};
    if (!compose(&msg, s, to, subject, body, message_id, now_ms)) {
        strbuf_free(&msg);
        snprintf(err, size, "out of memory composing the mail");
        return SMTP_UNREACHABLE;
    }
    CURL *curl = webhook_libcurl_ready() ? curl_easy_init() : NULL;
    if (!curl) {
        strbuf_free(&msg);
        snprintf(err, size, "libcurl cannot start");
        return SMTP_UNREACHABLE;
    }
    char curl_err[CURL_ERROR_SIZE] = "", rcpt_text[MAIL_ADDRESS_MAX + 2];
    snprintf(rcpt_text, sizeof rcpt_text, "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_text);
    char from[MAIL_ADDRESS_MAX + 2];
    snprintf(from, sizeof from, "<%s>", s->from);
    struct upload up = {msg.data, msg.len, 0};
    curl_easy_setopt(curl, CURLOPT_URL, s->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)SMTP_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)SMTP_TOTAL_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, handle_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &up);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    if (s->starttls || (s->user && s->password))
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (s->user && s->password) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, s->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, s->password);
    }
    CURLcode rc = rcpt ? curl_easy_perform(curl) : CURLE_OUT_OF_MEMORY;
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    strbuf_free(&msg);
    if (rc == CURLE_OK)
        return SMTP_SENT;
    if (code)
        snprintf(err, size, "%s (the server's reply: %ld)",
                 curl_err[0] ? curl_err : curl_easy_strerror(rc), code);
    else
        snprintf(err, size, "%s", curl_err[0] ? curl_err : curl_easy_strerror(rc));
    return code >= 400 ? SMTP_REFUSED : SMTP_UNREACHABLE;
}
