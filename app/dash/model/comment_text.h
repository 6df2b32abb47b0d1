/*
 * comment_text: whether a customer's comment (docs/COMMENTS.md) may be
 * kept as written: 1..SCHEMA_COMMENT_MAX_CHARS characters of valid UTF-8
 * with no control characters but line breaks and tabs, and no
 * bidirectional controls (they reorder the words around them on a
 * reader's screen).  Pure: no I/O.
 */
#ifndef WOW_COMMENT_TEXT_H
#define WOW_COMMENT_TEXT_H

#include <stddef.h>

#define COMMENT_TEXT_MAX_CHARS 500 /* schema.h's SCHEMA_COMMENT_MAX_CHARS: the table's CHECK */

enum comment_text_verdict {
    COMMENT_TEXT_OK,
    COMMENT_TEXT_EMPTY,   /* nothing but white space */
    COMMENT_TEXT_LONG,    /* more than COMMENT_TEXT_MAX_CHARS characters */
    COMMENT_TEXT_UTF8,    /* not valid UTF-8 */
    COMMENT_TEXT_CONTROL, /* a control character (C0 but \n and \t, DEL, C1) */
    COMMENT_TEXT_BIDI,    /* a bidirectional control (utf8.h) */
};

/* Normalises body in place (CR LF and a lone CR become LF; white space at
 * either end goes), then judges it.  body is NUL-terminated and owned by
 * the caller. */
enum comment_text_verdict comment_text_check(char *body);

#endif
