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

void strbuf_puts_all(struct strbuf *sb, const char *const *texts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        strbuf_puts(sb, texts[i]);
}

/* By hand, not snprintf: a backlog's arrays format a few million numbers,
 * and printf's machinery was most of that time. */
void strbuf_int(struct strbuf *sb, int64_t value)
{
    char digits[24];
    char *end = digits + sizeof digits, *p = end;
    /* the magnitude as unsigned, so INT64_MIN has one too */
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    do {
        *--p = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude > 0);
    if (value < 0)
        *--p = '-';
    strbuf_append(sb, p, (size_t)(end - p));
}

void strbuf_array_text(struct strbuf *sb, const char *text)
{
    strbuf_append(sb, "\"", 1);
    for (const char *p = text; *p;) {
        size_t plain = strcspn(p, "\"\\"); /* a run to copy as it is */
        strbuf_append(sb, p, plain);
        p += plain;
        if (*p) {
            strbuf_append(sb, "\\", 1);
            strbuf_append(sb, p++, 1);
        }
    }
    strbuf_append(sb, "\"", 1);
}
