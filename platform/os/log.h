/*
 * log: one line per event on stderr, which systemd's journal captures.
 *
 * Lines look like "wowkiosk[info] store: opened /var/lib/wowkiosk/kiosk.db".
 * When stderr is the journal (JOURNAL_STREAM is set) each line starts with a
 * syslog priority prefix "<N>" so journalctl shows levels.  Log once, where a
 * failure happens, with the library's own message and the context a
 * technician needs (file, line, key, SQL statement).
 */
#ifndef WOW_LOG_H
#define WOW_LOG_H

enum log_level { LOG_ERROR = 3, LOG_WARN = 4, LOG_INFO = 6, LOG_DEBUG = 7 };

/* Sets the program name shown in every line and the lowest level printed.
 * Called once from main() before any thread starts. */
void log_init(const char *program, enum log_level min_level);

/* Prints one line at the given level; thread-safe (one write() per line). */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message this thread logged at LOG_ERROR (without the program
 * and level prefix), or "" when none: valid until its next log_msg. */
const char *log_thread_last_error(void);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
