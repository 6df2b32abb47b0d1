/*
 * comment_text: the words a customer types on the on-screen keyboard: a
 * fixed buffer of well-formed UTF-8, at most COMMENT_TEXT_MAX_CHARS
 * characters (the shared table's limit, SCHEMA_COMMENT_MAX_CHARS), with
 * the keyboard's two edits: add a key's text, remove the last character.
 */
#ifndef WOW_COMMENT_TEXT_H
#define WOW_COMMENT_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define COMMENT_TEXT_MAX_CHARS 500
#define COMMENT_TEXT_MAX_BYTES (COMMENT_TEXT_MAX_CHARS * 4 + 1)

struct comment_text {
    char bytes[COMMENT_TEXT_MAX_BYTES]; /* NUL-terminated UTF-8 */
    size_t len;                         /* bytes */
    int chars;                          /* characters */
};

void comment_text_clear(struct comment_text *t);

/* Appends s (one key's UTF-8 text); false, changing nothing, when it would
 * pass the limit or s is not well-formed. */
bool comment_text_add(struct comment_text *t, const char *s);

/* Removes the last character; false when there is none. */
bool comment_text_backspace(struct comment_text *t);

/* Whether the text has more than spaces and line breaks. */
bool comment_text_has_words(const struct comment_text *t);

#endif
