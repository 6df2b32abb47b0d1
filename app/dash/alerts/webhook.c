/* webhook: the alert webhook's POST over libcurl (see webhook.h). */
#include "webhook.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#ifndef WOW_VERSION
#define WOW_VERSION "0"
#endif

/* curl_global_init is not safe to race with itself; once per process
 * (global state, but it is libcurl's and set only here). */
static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
    global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool webhook_libcurl_ready(void)
{
    pthread_once(&global_once, global_init);
    return global_rc == CURLE_OK;
}

bool webhook_url_valid(const char *url, char *err, size_t size)
{
    size_t scheme = !strncasecmp(url, "http://", 7) ? 7 : !strncasecmp(url, "https://", 8) ? 8 : 0;
    if (!scheme) {
        snprintf(err, size, "expected an http:// or https:// URL, got '%s'", url);
        return false;
    }
    const char *host = url + scheme;
    if (!*host || *host == '/' || *host == '?' || *host == '#' || *host == ':') {
        snprintf(err, size, "expected a host after %.*s in '%s'", (int)scheme, url, url);
        return false;
    }
    if (strpbrk(url, " \t\r\n")) {
        snprintf(err, size, "a URL has no spaces or line breaks: '%s'", url);
        return false;
    }
    return true;
}

/* The receiver's answer is not used: read and dropped. */
static size_t handle_body(char *data, size_t size, size_t n, void *ctx)
{
    (void)data, (void)ctx;
    return size * n;
}

static enum webhook_result post(CURL *curl, const char *url, const char *json, char *err,
                                size_t size)
{
    char curl_err[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (!headers) {
        snprintf(err, size, "out of memory");
        return WEBHOOK_UNREACHABLE;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)WEBHOOK_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)WEBHOOK_TOTAL_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "wowdash/" WOW_VERSION);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(json));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, handle_body);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
        snprintf(err, size, "%s", *curl_err ? curl_err : curl_easy_strerror(rc));
        return WEBHOOK_UNREACHABLE;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        snprintf(err, size, "HTTP %ld", status);
        return WEBHOOK_REFUSED;
    }
    return WEBHOOK_DELIVERED;
}

enum webhook_result webhook_post(const char *url, const char *json, char *err, size_t size)
{
    if (!webhook_url_valid(url, err, size))
        return WEBHOOK_UNREACHABLE;
    pthread_once(&global_once, global_init);
    if (global_rc != CURLE_OK) {
        snprintf(err, size, "libcurl: %s", curl_easy_strerror(global_rc));
        return WEBHOOK_UNREACHABLE;
    }
    CURL *curl = curl_easy_init();
    if (!curl) {
        snprintf(err, size, "libcurl: cannot create a handle");
        return WEBHOOK_UNREACHABLE;
    }
    enum webhook_result result = post(curl, url, json, err, size);
    curl_easy_cleanup(curl);
    return result;
}
