/*
 * parse_error: "NAME:LINE: message" (see parse_error.h).
 */
#include "parse_error.h"

#include <stdio.h>

bool parse_error_v(char *err, unsigned err_size, const char *name, int line, const char *fmt,
                   va_list ap)
{
    if (err == NULL || err_size == 0)
        return false;
    int n = snprintf(err, err_size, "%s:%d: ", name, line);
    if (n >= 0 && (unsigned)n < err_size)
        vsnprintf(err + n, err_size - (unsigned)n, fmt, ap);
    return false;
}
