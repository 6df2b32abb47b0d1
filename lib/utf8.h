/*
 * utf8: the few UTF-8 questions both programs ask, answered in one place:
 * is this well-formed (no overlong forms, no surrogates, nothing past
 * U+10FFFF), how long is the character here, where does the next one
 * start, how many characters is this, where can it be cut.
 *
 * Pure functions on borrowed bytes; nothing is allocated.
 */
#ifndef WOW_UTF8_H
#define WOW_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1..4) of the well-formed character at text[0] within n
 * bytes, or 0 when the bytes there are not one (or n is 0). */
size_t utf8_sequence(const char *text, size_t n);

/* Whether text[0..n) is well-formed UTF-8 throughout. */
bool utf8_valid(const char *text, size_t n);

/* The offset of the first byte of text[0..n) that does not start a
 * well-formed character; n when all of it is UTF-8. */
size_t utf8_invalid_at(const char *text, size_t n);

/* Whether the NUL-terminated text is well-formed UTF-8. */
bool utf8_valid_string(const char *text);

/* Replaces each byte of text that is not part of a well-formed character
 * with '?', in place: for text bound where only UTF-8 goes (a database). */
void utf8_sanitize(char *text);

/* Characters in the NUL-terminated text: bytes that are not continuation
 * bytes (a count of what a person types, not a validation). */
size_t utf8_chars(const char *text);

/* The position of the next character's lead byte after pos, at most end:
 * steps over pos and then over continuation bytes. */
int utf8_next(const char *text, int pos, int end);

/* The length of text[0..len) without a character cut short at its end. */
int utf8_whole(const char *text, int len);

/* The length (2 or 3) of the bidirectional control at text[0] (U+061C,
 * U+200E, U+200F, U+202A..U+202E, U+2066..U+2069), else 0.  Such a
 * character reorders the text around it on screen: "txt.exe" shown as
 * "exe.txt", a name that reads as someone else's. */
size_t utf8_bidi_control(const char *text);

/* The first bidirectional control in the NUL-terminated text, or NULL. */
const char *utf8_find_bidi_control(const char *text);

#endif
