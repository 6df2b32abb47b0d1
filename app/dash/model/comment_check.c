/*
 * comment_check: the checks a comment's words pass before they are kept
 * (comment_check.h).
 */
#include "comment_check.h"

#include <stdbool.h>
#include <string.h>

#include "utf8.h"

static bool is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\t';
}

/* CR LF and lone CR to LF, then the white space at both ends cut. */
static void normalise(char *body)
{
    char *w = body;
    for (const char *r = body; *r; r++) {
        if (*r == '\r') {
            *w++ = '\n';
            if (r[1] == '\n')
                r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    size_t n = strlen(body);
    while (n > 0 && is_space(body[n - 1]))
        body[--n] = '\0';
    size_t lead = strspn(body, " \n\t");
    memmove(body, body + lead, n - lead + 1);
}

/* Whether text holds a C0 control but \n and \t, DEL or a C1 control
 * (U+0080..U+009F, UTF-8 C2 80..C2 9F). */
static bool has_control(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            return true;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            return true;
    }
    return false;
}

enum comment_check_verdict comment_check(char *body)
{
    if (!utf8_valid_string(body))
        return COMMENT_CHECK_UTF8;
    normalise(body);
    if (!body[0])
        return COMMENT_CHECK_EMPTY;
    if (has_control(body))
        return COMMENT_CHECK_CONTROL;
    if (utf8_find_bidi_control(body))
        return COMMENT_CHECK_BIDI;
    if (utf8_chars(body) > COMMENT_CHECK_MAX_CHARS)
        return COMMENT_CHECK_LONG;
    return COMMENT_CHECK_OK;
}
