/*
 * webhook: one HTTP POST of a JSON body to an alert webhook (libcurl), the
 * only outbound request wowdash makes.  Bounded so a slow or dead receiver
 * cannot stall the alert thread: 5 s to connect, 10 s in all; http and
 * https only; redirects are not followed (a 3xx is a failure, reported as
 * such); the response body is read and dropped.
 */
#ifndef WOW_WEBHOOK_H
#define WOW_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

#define WEBHOOK_CONNECT_TIMEOUT_MS 5000
#define WEBHOOK_TOTAL_TIMEOUT_MS   10000

/* Whether url is an absolute http:// or https:// URL with a host; false
 * with what was expected in err (size bytes). */
bool webhook_url_valid(const char *url, char *err, size_t size);

enum webhook_result {
    WEBHOOK_DELIVERED,   /* the receiver answered 2xx */
    WEBHOOK_REFUSED,     /* it answered something else (err: "HTTP <status>") */
    WEBHOOK_UNREACHABLE, /* no answer: DNS, connection, TLS, timeout (err: libcurl's message) */
};

/* libcurl's global set-up, once per process, for every sender here (the
 * webhook, smtp.c); false when it failed. */
bool webhook_libcurl_ready(void);

/* POSTs json (borrowed, NUL-terminated) to url with Content-Type
 * application/json and User-Agent wowdash/<version>; anything but
 * WEBHOOK_DELIVERED says why in err.  Safe to call from any thread
 * (libcurl's global set-up runs once, on the first call). */
enum webhook_result webhook_post(const char *url, const char *json, char *err, size_t size);

#endif
