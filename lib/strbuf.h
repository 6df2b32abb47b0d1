/*
 * strbuf: a growable NUL-terminated string, for building SQL array
 * literals.  Out of memory makes the buffer "failed" (every later append
 * is ignored) so callers check once, at the end.
 */
#ifndef WOW_STRBUF_H
#define WOW_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
    char *data; /* owned; free with strbuf_free */
    size_t len, cap;
    bool failed; /* an allocation failed */
};

void strbuf_reset(struct strbuf *sb); /* empties, keeps the memory */
void strbuf_free(struct strbuf *sb);
void strbuf_append(struct strbuf *sb, const char *text, size_t n);
void strbuf_puts(struct strbuf *sb, const char *text);
/* Appends the n texts one after another (SQL longer than one C literal). */
void strbuf_puts_all(struct strbuf *sb, const char *const *texts, size_t n);
void strbuf_int(struct strbuf *sb, int64_t value);
/* Appends text as a double-quoted element of a PostgreSQL array literal. */
void strbuf_array_text(struct strbuf *sb, const char *text);

#endif
