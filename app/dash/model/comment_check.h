/*
 * comment_check: whether a customer's comment (docs/COMMENTS.md) may be
 * kept as written: 1..SCHEMA_COMMENT_MAX_CHARS characters of valid UTF-8
 * with no control characters but line breaks and tabs, and no
 * bidirectional controls (they reorder the words around them on a
 * reader's screen).  Pure: no I/O.
 */
#ifndef WOW_COMMENT_CHECK_H
#define WOW_COMMENT_CHECK_H

#include <stddef.h>

#define COMMENT_CHECK_MAX_CHARS 500 /* schema.h's SCHEMA_COMMENT_MAX_CHARS: the table's CHECK */

enum comment_check_verdict {
    COMMENT_CHECK_OK,
    COMMENT_CHECK_EMPTY,   /* nothing but white space */
    COMMENT_CHECK_LONG,    /* more than COMMENT_CHECK_MAX_CHARS characters */
    COMMENT_CHECK_UTF8,    /* not valid UTF-8 */
    COMMENT_CHECK_CONTROL, /* a control character (C0 but \n and \t, DEL, C1) */
    COMMENT_CHECK_BIDI,    /* a bidirectional control (utf8.h) */
};

/* Normalises body in place (CR LF and a lone CR become LF; white space at
 * either end goes), then judges it.  body is NUL-terminated and owned by
 * the caller. */
enum comment_check_verdict comment_check(char *body);

#endif
