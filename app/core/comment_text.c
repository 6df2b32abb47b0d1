/*
 * comment_text: the typed comment's buffer (see comment_text.h).
 */
#include "comment_text.h"

#include <string.h>

#include "utf8.h"

void comment_text_clear(struct comment_text *t)
{
    t->bytes[0] = '\0';
    t->len = 0;
    t->chars = 0;
}

bool comment_text_add(struct comment_text *t, const char *s)
{
    size_t n = strlen(s);
    size_t chars = utf8_chars(s);
    if (n == 0 || !utf8_valid(s, n) || t->chars + (int)chars > COMMENT_TEXT_MAX_CHARS ||
        t->len + n >= sizeof t->bytes)
        return false;
    memcpy(t->bytes + t->len, s, n + 1);
    t->len += n;
    t->chars += (int)chars;
    return true;
}

bool comment_text_backspace(struct comment_text *t)
{
    if (t->len == 0)
        return false;
    size_t at = t->len - 1;
    while (at > 0 && ((unsigned char)t->bytes[at] & 0xC0) == 0x80)
        at--; /* back over the continuation bytes to the character's start */
    t->bytes[at] = '\0';
    t->len = at;
    t->chars--;
    return true;
}

bool comment_text_has_words(const struct comment_text *t)
{
    return strspn(t->bytes, " \n") < t->len;
}
