/*
 * strset: a few texts kept once each, for reads that repeat the same
 * handful (a batch's departments and reasons): strset_keep returns the
 * kept copy, so equal texts share one pointer and compare by it.  A
 * linear search, with the last one found tried first: the sets are a few
 * dozen texts, and rows come grouped.
 */
#ifndef WOW_STRSET_H
#define WOW_STRSET_H

#include <stddef.h>

struct strset {
    char **items; /* owned, with the texts; free with strset_free */
    size_t n, cap;
    size_t last; /* the index found last */
};

/* The set's copy of text (NULL is taken as ""), added if new; NULL when
 * out of memory.  Valid until strset_free. */
const char *strset_keep(struct strset *set, const char *text);

void strset_free(struct strset *set); /* and empties it */

#endif
