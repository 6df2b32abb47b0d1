/* strset: a few texts kept once each (see strset.h). */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

const char *strset_keep(struct strset *set, const char *text)
{
    const char *s = text ? text : "";
    if (set->last < set->n && strcmp(set->items[set->last], s) == 0)
        return set->items[set->last];
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i], s) == 0)
            return set->items[set->last = i];
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        char **items = realloc(set->items, cap * sizeof *items);
        if (!items)
            return NULL;
        set->items = items;
        set->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy)
        return NULL;
    set->last = set->n;
    set->items[set->n++] = copy;
    return copy;
}

void strset_free(struct strset *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->items[i]);
    free(set->items);
    *set = (struct strset){0};
}
