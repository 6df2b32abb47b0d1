/*
 * sync_backend: what every backend shares with the engine, below both: the
 * one place a backend's failure is written down (sync_backend_fail), so the
 * log, the status and the heartbeat say the same words.  The backends call
 * it; sync.c, which creates them, reads last_error.  And which of them a
 * target names (sync_target_is_postgres).
 */
#include "sync_backend.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

bool sync_target_is_postgres(const char *target)
{
    return !strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11) ||
           strchr(target, '=') != NULL;
}

void sync_backend_fail(struct sync_backend *backend, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(backend->last_error, sizeof backend->last_error, fmt, ap);
    va_end(ap);
    /* libpq's messages end in a newline: one line for the log and the heartbeat */
    for (char *p = backend->last_error; (p = strpbrk(p, "\n\t")) != NULL;)
        *p = ' ';
    size_t n = strlen(backend->last_error);
    while (n > 0 && (backend->last_error[n - 1] == '\n' || backend->last_error[n - 1] == ' '))
        backend->last_error[--n] = '\0';
    log_error("%s", backend->last_error);
}
