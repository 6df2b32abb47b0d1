/*
 * array: room for one more item in a growable array of fixed-size items,
 * doubling its capacity (from first_cap) when it is full.
 */
#ifndef WOW_ARRAY_H
#define WOW_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/* Makes *items (of item_size bytes each, *cap of them allocated, n used)
 * hold at least n + 1; false when out of memory, *items then unchanged. */
bool array_room(void **items, size_t *cap, size_t n, size_t item_size, size_t first_cap);

#endif
