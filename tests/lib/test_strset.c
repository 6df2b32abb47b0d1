/*
 * test_strset: lib/strset (texts kept once, compared by pointer after)
 * and lib/array (room for one more item), which a sync batch's read
 * builds its rows with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "array.h"
#include "strset.h"

static void test_kept_once(void **state)
{
    (void)state;
    struct strset set = {0};
    char front[] = "front", again[] = "front";
    const char *a = strset_keep(&set, front);
    assert_non_null(a);
    assert_ptr_not_equal(a, front); /* a copy of its own */
    front[0] = 'X';                 /* the caller's text may change after */
    assert_string_equal(a, "front");
    assert_ptr_equal(strset_keep(&set, again), a);
    const char *it = strset_keep(&set, "it");
    assert_ptr_not_equal(it, a);
    assert_ptr_equal(strset_keep(&set, "front"), a); /* not only the last one found */
    assert_ptr_equal(strset_keep(&set, NULL), strset_keep(&set, ""));
    assert_int_equal(set.n, 3);
    strset_free(&set);
    assert_int_equal(set.n, 0);
    assert_null(set.items);
}

static void test_many(void **state)
{
    (void)state;
    struct strset set = {0};
    const char *kept[100];
    char text[16];
    for (int i = 0; i < 100; i++) { /* past the first capacity, several times */
        snprintf(text, sizeof text, "reason-%d", i);
        kept[i] = strset_keep(&set, text);
        assert_non_null(kept[i]);
    }
    for (int i = 99; i >= 0; i--) {
        snprintf(text, sizeof text, "reason-%d", i);
        assert_ptr_equal(strset_keep(&set, text), kept[i]);
        assert_string_equal(kept[i], text);
    }
    assert_int_equal(set.n, 100);
    strset_free(&set);
}

static void test_array_room(void **state)
{
    (void)state;
    int64_t *items = NULL;
    size_t cap = 0, n = 0;
    for (int64_t i = 0; i < 1000; i++) {
        assert_true(array_room((void **)&items, &cap, n, sizeof *items, 4));
        assert_true(cap > n);
        items[n++] = i * 3;
    }
    assert_int_equal(cap, 1024); /* 4, doubled */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(items[i], (int64_t)i * 3);
    /* a capacity whose bytes would not fit in a size_t is refused, not
       wrapped (doubled, its bytes would wrap to 32) */
    size_t huge = SIZE_MAX / 32 + 2;
    assert_false(array_room((void **)&items, &huge, huge, 16, 4));
    assert_int_equal(huge, SIZE_MAX / 32 + 2);
    assert_non_null(items); /* unchanged */
    free(items);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_once),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_array_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
