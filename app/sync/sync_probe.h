/*
 * sync_probe: can this kiosk sync? (`wowkiosk --self-test`, docs/DEPLOY.md)
 *
 * Connects to the sync target once, as the sync thread would, and says
 * what stands in the way, distinctly: the server cannot be reached, it
 * refuses the credentials, TLS cannot be had as the conninfo demands
 * (sslmode=verify-full against a server without TLS), or the shared schema
 * is older than this kiosk writes (or newer than it knows).  A SQLite
 * target (the embedded default) is checked for a directory the kiosk can
 * write and a file it can open.  Nothing is written to the target.
 */
#ifndef WOW_SYNC_PROBE_H
#define WOW_SYNC_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sync_probe_result {
    SYNC_PROBE_OK,
    SYNC_PROBE_OFF,         /* target "off": nothing to check */
    SYNC_PROBE_UNREACHABLE, /* no answer: DNS, connection, timeout */
    SYNC_PROBE_CREDENTIALS, /* the server refused the role or its password */
    SYNC_PROBE_TLS,         /* TLS as the conninfo demands cannot be had */
    SYNC_PROBE_SCHEMA,      /* the shared schema is not the version this kiosk writes */
    SYNC_PROBE_OTHER,       /* anything else (a file it cannot open, a bad conninfo) */
};

/* A word for the result: "ok", "off", "unreachable", "credentials", "tls",
 * "schema", "error". */
const char *sync_probe_name(enum sync_probe_result result);

/* Probes target within timeout_ms; detail (size bytes) says what was found
 * or what failed, in one line, without the password. */
enum sync_probe_result sync_probe(const char *target, int64_t timeout_ms, char *detail,
                                  size_t size);

#endif
