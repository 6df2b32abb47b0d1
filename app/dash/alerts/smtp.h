/*
 * smtp: one mail handed to an SMTP server (libcurl), for the email reports
 * (mail.h).  smtp:// (with STARTTLS when asked, or always when the server
 * offers it and a password is sent) or smtps://; bounded like the webhook:
 * 10 s to connect, 30 s in all, so a dead mail server cannot stall the
 * refresh thread for long.  The message is text/plain UTF-8 (8bit), the
 * subject RFC 2047-encoded when it is not ASCII.
 */
#ifndef WOW_SMTP_H
#define WOW_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP_CONNECT_TIMEOUT_MS 10000
#define SMTP_TOTAL_TIMEOUT_MS   30000

/* Where mail goes and as whom; every string borrowed. */
struct smtp_settings {
    const char *url;      /* smtp://host[:port] or smtps://host[:port] */
    const char *from;     /* the From address (mail_db.h's mail_address_valid) */
    const char *user;     /* NULL: no login */
    const char *password; /* with user; from the environment, never the command line */
    bool starttls;        /* smtp:// must upgrade to TLS, or the mail is not sent */
};

/* Whether s can be used: the URL's scheme and host, the From address;
 * false with what was expected in err (size bytes). */
bool smtp_settings_valid(const struct smtp_settings *s, char *err, size_t size);

enum smtp_result {
    SMTP_SENT,        /* the server took it (250 after DATA) */
    SMTP_REFUSED,     /* it answered with an error (err: its reply) */
    SMTP_UNREACHABLE, /* no conversation: DNS, connection, TLS, timeout */
};

/* Sends one mail to `to` with subject and body (UTF-8, '\n' line ends);
 * message_id without brackets; now_ms for the Date header.  Anything but
 * SMTP_SENT says why in err.  Safe from any thread. */
enum smtp_result smtp_send(const struct smtp_settings *s, const char *to, const char *subject,
                           const char *body, const char *message_id, int64_t now_ms, char *err,
                           size_t size);

#endif
