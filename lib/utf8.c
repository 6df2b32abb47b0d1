/*
 * utf8: validation, stepping and cutting of UTF-8 text (see utf8.h).
 */
#include "utf8.h"

#include <string.h>

size_t utf8_sequence(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    if (n == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4
                                          : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    /* overlong three- and four-byte forms, surrogates, beyond U+10FFFF */
    if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f) || (c == 0xf0 && s[1] < 0x90) ||
        (c == 0xf4 && s[1] > 0x8f))
        return 0;
    return len;
}

bool utf8_valid(const char *text, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence(text + i, n - i);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

bool utf8_valid_string(const char *text)
{
    return utf8_valid(text, strlen(text));
}

void utf8_sanitize(char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i < n;) {
        size_t len = utf8_sequence(text + i, n - i);
        if (len == 0) {
            text[i] = '?';
            len = 1;
        }
        i += len;
    }
}

size_t utf8_chars(const char *text)
{
    size_t n = 0;
    for (; *text; text++)
        n += ((unsigned char)*text & 0xC0) != 0x80;
    return n;
}

int utf8_next(const char *text, int pos, int end)
{
    pos++;
    while (pos < end && ((unsigned char)text[pos] & 0xC0) == 0x80)
        pos++;
    return pos;
}

int utf8_whole(const char *text, int len)
{
    int p = len;
    while (p > 0 && ((unsigned char)text[p - 1] & 0xC0) == 0x80)
        p--; /* back over continuation bytes to the lead byte */
    if (p == 0)
        return 0;
    unsigned char lead = (unsigned char)text[p - 1];
    int need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return (p - 1) + need <= len ? len : p - 1;
}

size_t utf8_bidi_control(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    if (p[0] == 0xd8 && p[1] == 0x9c)
        return 2; /* U+061C ARABIC LETTER MARK */
    if (p[0] != 0xe2 || p[1] == 0 || p[2] == 0)
        return 0;
    unsigned cp = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
    bool bidi = cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
                (cp >= 0x2066 && cp <= 0x2069);
    return bidi && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 ? 3 : 0;
}

const char *utf8_find_bidi_control(const char *text)
{
    for (const char *p = text; *p; p++)
        if (utf8_bidi_control(p))
            return p;
    return NULL;
}

size_t utf8_invalid_at(const char *text, size_t n)
{
    size_t at = 0;
    while (at < n) {
        size_t len = utf8_sequence(text + at, n - at);
        if (len == 0)
            return at;
        at += len;
    }
    return n;
}
