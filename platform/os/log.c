/*
 * log: one line per event on stderr (see log.h).
 */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Process-wide by nature: set once in main() before threads start, read-only
 * afterwards, so no lock is needed. */
static struct {
    const char *program;
    enum log_level min_level;
    bool journal;
} log_settings = {"wowkiosk", LOG_INFO, false};

/* Each thread's last error-level message (without the prefix): a caller
 * can report what a library below it logged (the store's SQLite message,
 * for the heartbeat) without every layer threading a buffer through.
 * Thread-local, so no lock; written only by log_msg on its own thread. */
static _Thread_local char log_last_error[512];

const char *log_thread_last_error(void)
{
    return log_last_error;
}

void log_init(const char *program, enum log_level min_level)
{
    log_settings.program = program;
    log_settings.min_level = min_level;
    log_settings.journal = getenv("JOURNAL_STREAM") != NULL;
}

static const char *level_name(enum log_level level)
{
    switch (level) {
    case LOG_ERROR:
        return "error";
    case LOG_WARN:
        return "warn";
    case LOG_INFO:
        return "info";
    case LOG_DEBUG:
        return "debug";
    }
    return "?";
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    if (level > log_settings.min_level)
        return;

    char line[1024];
    int n;
    if (log_settings.journal)
        n = snprintf(line, sizeof line, "<%d>%s[%s] ", (int)level, log_settings.program,
                     level_name(level));
    else
        n = snprintf(line, sizeof line, "%s[%s] ", log_settings.program, level_name(level));
    if (n < 0 || (size_t)n >= sizeof line)
        return;

    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    if (level == LOG_ERROR)
        snprintf(log_last_error, sizeof log_last_error, "%s", line + n);
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2)
        len = sizeof line - 2; /* long lines are cut at 1 KB, still ended */
    line[len++] = '\n';

    /* One write() per line keeps lines from two threads whole. */
    ssize_t ignored = write(STDERR_FILENO, line, len);
    (void)ignored;
}
