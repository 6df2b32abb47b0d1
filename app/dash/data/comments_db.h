/*
 * comments_db: the shared comments table (docs/COMMENTS.md) read for the
 * dashboard's pages and API: a period's comments, newest first, of the
 * departments a user may see, each with its kiosk's time zone.
 *
 * Errors: false with the reason in err (size bytes).
 */
#ifndef WOW_COMMENTS_DB_H
#define WOW_COMMENTS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct comment_list;
struct dashdb;
struct dash_user;

/* Appends to out the comments of department ("": every one user sees)
 * whose tap is in [from_ms, to_ms), newest first, at most max (out's
 * truncated says when more were there).  Not moderated yet
 * (comment_list_moderate).  The caller frees out, also after a failure. */
bool comments_read(struct dashdb *db, const struct dash_user *user, const char *department,
                   int64_t from_ms, int64_t to_ms, size_t max, struct comment_list *out, char *err,
                   size_t size);

#endif
