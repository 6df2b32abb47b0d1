/*
 * serve: wowdash serve, the dashboard's web server (libmicrohttpd).  For
 * now it serves the fleet page and a health check; users, sessions and the
 * league table come with the dashboard issue and build on this.
 *
 *   GET /healthz         200 "ok" when the database answers, else 503 and why
 *   GET /fleet           the fleet page (fleet.h)
 *   GET /assets/dash.css the one stylesheet, read once at start
 *   GET /                redirects to /fleet
 * Anything else is 404; methods other than GET and HEAD are 405.
 *
 * Until there are users and sessions the server listens on loopback only
 * (127.0.0.0/8, ::1): a technician reaches it through `ssh -L`.
 */
#ifndef WOW_SERVE_H
#define WOW_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SERVE_DEFAULT_LISTEN       "127.0.0.1:8080"
#define SERVE_DEFAULT_SILENT_AFTER (15 * 60 * 1000) /* ms */

struct serve_options {
    const char *db;          /* TARGET: a PostgreSQL conninfo or a SQLite path */
    const char *listen;      /* "ADDR:PORT", "[ADDR]:PORT" or "localhost:PORT" */
    const char *assets_dir;  /* holds dash.css; NULL: found as serve_find_assets says */
    int64_t silent_after_ms; /* a kiosk silent longer than this stands out */
};

/* Runs the server until SIGTERM or SIGINT.  Returns the exit status: 0
 * after a clean stop, 1 when it cannot start (stylesheet, port), 2 when
 * --listen is malformed or not loopback (said on stderr). */
int serve_run(const struct serve_options *options);

/* Checks --listen: 0 when it is a loopback ADDR:PORT; -1 malformed, -2
 * not loopback, with a message for the technician in err (size bytes). */
int serve_check_listen(const char *listen, char *err, size_t size);

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
