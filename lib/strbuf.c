/* strbuf: a growable string (see strbuf.h). */
#include "strbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    sb->failed = false;
    if (sb->data)
        sb->data[0] = '\0';
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    *sb = (struct strbuf){0};
}

static bool reserve(struct strbuf *sb, size_t more)
{
    if (sb->failed)
        return false;
    if (sb->len + more + 1 <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + more + 1)
        cap *= 2;
    char *data = realloc(sb->data, cap);
    if (!data) {
        sb->failed = true;
        return false;
    }
    sb->data = data;
    sb->cap = cap;
    return true;
}

void strbuf_append(struct strbuf *sb, const char *text, size_t n)
{
    if (!reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, text, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

void strbuf_puts(struct strbuf *sb, const char *text)
{
    strbuf_append(sb, text, strlen(text));
}

void strbuf_int(struct strbuf *sb, int64_t value)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRId64, value);
    strbuf_append(sb, digits, (size_t)n);
}

void strbuf_array_text(struct strbuf *sb, const char *text)
{
    strbuf_append(sb, "\"", 1);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            strbuf_append(sb, "\\", 1);
        strbuf_append(sb, p, 1);
    }
    strbuf_append(sb, "\"", 1);
}
