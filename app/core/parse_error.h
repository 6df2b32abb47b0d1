/*
 * parse_error: the one shape of a parser's error, "NAME:LINE: message",
 * shared by the .po, script and other text parsers.
 */
#ifndef WOW_PARSE_ERROR_H
#define WOW_PARSE_ERROR_H

#include <stdarg.h>
#include <stdbool.h>

/* Writes "NAME:LINE: " and the formatted message into err (err_size bytes;
 * nothing when err is NULL or err_size 0).  Always returns false, so a
 * parser can end with `return parse_error_v(...)`. */
bool parse_error_v(char *err, unsigned err_size, const char *name, int line, const char *fmt,
                   va_list ap) __attribute__((format(printf, 5, 0)));

#endif
