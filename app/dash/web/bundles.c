/*
 * bundles: the names and byte ranges of bundles served to kiosks (see
 * bundles.h).
 */
#include "bundles.h"

#include <stdio.h>
#include <string.h>

bool bundles_name(const char *path, char *name, size_t size)
{
    static const char suffix[] = ".raucb";
    size_t prefix = strlen(BUNDLES_PREFIX);
    if (strncmp(path, BUNDLES_PREFIX, prefix) != 0)
        return false;
    const char *n = path + prefix;
    size_t len = strlen(n), slen = sizeof suffix - 1;
    if (len <= slen || len >= BUNDLES_NAME_MAX || len >= size || n[0] == '.' ||
        strcmp(n + len - slen, suffix) != 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = n[i];
        bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '.' || c == '+' || c == '~' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    memcpy(name, n, len + 1);
    return true;
}

/* A decimal number of at most 18 digits at *p, moving *p past it; -1 when
 * there is none. */
static int64_t number(const char **p)
{
    int64_t v = 0;
    int digits = 0;
    while (**p >= '0' && **p <= '9' && digits < 18) {
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    return digits == 0 || (**p >= '0' && **p <= '9') ? -1 : v;
}

enum bundles_range bundles_parse_range(const char *header, int64_t size, int64_t *from, int64_t *to)
{
    if (header == NULL || strncmp(header, "bytes=", 6) != 0 || strchr(header, ',') != NULL)
        return BUNDLES_WHOLE;
    const char *p = header + 6;
    int64_t a = -1, b = -1;
    if (*p == '-') { /* the last N bytes */
        p++;
        int64_t n = number(&p);
        if (n < 0 || *p != '\0')
            return BUNDLES_WHOLE;
        if (n == 0 || size == 0)
            return BUNDLES_UNSATISFIABLE;
        a = n >= size ? 0 : size - n;
        b = size - 1;
    } else {
        a = number(&p);
        if (a < 0 || *p++ != '-')
            return BUNDLES_WHOLE;
        if (*p != '\0') {
            b = number(&p);
            if (b < 0 || *p != '\0' || b < a)
                return BUNDLES_WHOLE;
        }
        if (a >= size)
            return BUNDLES_UNSATISFIABLE;
        if (b < 0 || b >= size)
            b = size - 1;
    }
    *from = a;
    *to = b;
    return BUNDLES_PART;
}
