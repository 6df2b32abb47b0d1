/*
 * serve: wowdash serve, the dashboard's web server (libmicrohttpd).  This
 * file only adapts libmicrohttpd to http.h and router.h (which answer
 * every route, see router.h): it reads the raw request target, the
 * Cookie, Authorization, Content-Type, Origin and Host headers, a POST's
 * form body (at most HTTP_BODY_MAX bytes, 413 beyond), the client's
 * address; and it adds the headers every response carries (CSP, nosniff,
 * Referrer-Policy, X-Frame-Options, Cache-Control).
 *
 * Beside the request threads a background thread, on a database
 * connection of its own, runs rollup_refresh then alerts_evaluate at start
 * and every --refresh (default 60 s); SIGTERM or SIGINT stops it at once
 * (it waits on a condition variable, never in sleep), after the refresh in
 * flight.
 *
 * --listen may be any address now that there are users and sessions; a
 * non-loopback one is logged with a reminder that the sessions travel in
 * clear unless a TLS proxy (and --secure-cookies) is in front.
 */
#ifndef WOW_SERVE_H
#define WOW_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVE_DEFAULT_LISTEN       "127.0.0.1:8080"
#define SERVE_DEFAULT_SILENT_AFTER (15 * 60 * 1000) /* ms */
#define SERVE_DEFAULT_REFRESH      (60 * 1000)      /* ms */

struct serve_options {
    const char *db;              /* TARGET: a PostgreSQL conninfo or a SQLite path */
    const char *listen;          /* "ADDR:PORT", "[ADDR]:PORT" or "localhost:PORT" */
    const char *assets_dir;      /* holds dash.css; NULL: found as serve_find_assets says */
    int64_t silent_after_ms;     /* a kiosk silent longer than this stands out */
    const char *timezone;        /* "today" is here; NULL: /etc/localtime's zone, else UTC */
    const char *webhook_url;     /* alerts are POSTed here as they open; NULL: none */
    bool secure_cookies;         /* the session cookie says Secure (HTTPS in front) */
    int64_t refresh_ms;          /* rollups and alerts every this often */
    const char *trusted_proxies; /* "ADDR[/BITS],...": X-Forwarded-For is read from these */
    const char *allowed_hosts;   /* "HOST[:PORT],...": the Host a POST may name; NULL: --listen's */
    const char *smtp_url;        /* email reports go through this server (mail.h); NULL: none */
    const char *mail_from;       /* their From address */
    const char *smtp_user;       /* login (password: $WOWDASH_SMTP_PASSWORD); NULL: none */
    bool starttls;               /* smtp:// must upgrade to TLS */
    const char *public_url;      /* the dashboard as users reach it, for links in mail */
    const char *bundles_dir;     /* system bundles served at /updates/ (bundles.h); NULL: none */
};

/* Runs the server until SIGTERM or SIGINT.  Returns the exit status: 0
 * after a clean stop, 1 when it cannot start (stylesheet, port), 2 when
 * --listen is malformed, --timezone names no zone or --webhook is not an
 * http(s) URL (said on stderr). */
int serve_run(const struct serve_options *options);

/* Checks --listen: 0 when it is a loopback ADDR:PORT; -1 malformed; -2 a
 * valid address that is not loopback (allowed; err then holds the warning
 * serve logs), with a message for the technician in err (size bytes). */
int serve_check_listen(const char *listen, char *err, size_t size);

/* The machine's zone name from /etc/localtime (a link into a zoneinfo
 * directory) or /etc/timezone, into name (size bytes); false when neither
 * says (the caller takes UTC). */
bool serve_system_zone(char *name, size_t size);

/* Parses "90s", "15m", "2h", "1d" or plain seconds ("900") into
 * milliseconds; false unless it is a positive whole number and one of
 * those units. */
bool serve_parse_duration(const char *text, int64_t *ms);

/* The directory holding dash.css, into dir (size bytes): option when not
 * NULL; else <directory of the executable>/../share/wowkiosk/dash when it
 * holds dash.css (an installed binary); else the source tree's
 * assets/dash (WOW_ASSETS_DIR, a binary run from its build tree). */
void serve_find_assets(const char *option, char *dir, size_t size);

#endif
