/* array: room for one more item (see array.h). */
#include "array.h"

#include <stdint.h>
#include <stdlib.h>

bool array_room(void **items, size_t *cap, size_t n, size_t item_size, size_t first_cap)
{
    if (n < *cap)
        return true;
    size_t new_cap = *cap ? *cap * 2 : first_cap;
    if (new_cap < n + 1 || new_cap > SIZE_MAX / item_size)
        return false;
    void *p = realloc(*items, new_cap * item_size);
    if (!p)
        return false;
    *items = p;
    *cap = new_cap;
    return true;
}
