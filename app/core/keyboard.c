/*
 * keyboard: the layouts (see keyboard.h).  Each letter row is one string of
 * "lower upper" pairs; the rows around them (digits, shift, space, send)
 * are the same in every language.
 */
#include "keyboard.h"

#include <stdio.h>
#include <string.h>

/* Three letter rows per language: "q Q w W ..." (pairs separated by spaces). */
static const struct {
    const char *lang;
    const char *rows[3];
} letters[] = {
    {"en",
     {"q Q w W e E r R t T y Y u U i I o O p P", "a A s S d D f F g G h H j J k K l L ' \"",
      "z Z x X c C v V b B n N m M , ; . : ? !"}},
    {"fi",
     {"q Q w W e E r R t T y Y u U i I o O p P å Å", "a A s S d D f F g G h H j J k K l L ö Ö ä Ä",
      "z Z x X c C v V b B n N m M , ; . : - _"}},
    {"de",
     {"q Q w W e E r R t T z Z u U i I o O p P ü Ü", "a A s S d D f F g G h H j J k K l L ö Ö ä Ä",
      "y Y x X c C v V b B n N m M ß ? , ; . :"}},
};

static const char digits[] = "1 ! 2 @ 3 # 4 € 5 % 6 & 7 / 8 ( 9 ) 0 =";

static void add(struct keyboard_layout *l, enum keyboard_kind kind, int row, int x, int width)
{
    if (l->count >= KEYBOARD_MAX_KEYS)
        return;
    l->keys[l->count++] = (struct keyboard_key){.kind = kind, .row = row, .x = x, .width = width};
}

/* The pairs of one row as KEYBOARD_CHAR keys from x on, 10 units each;
 * returns the x after the last. */
static int add_row(struct keyboard_layout *l, const char *pairs, int row, int x)
{
    char copy[160];
    snprintf(copy, sizeof copy, "%s", pairs);
    char *save = NULL;
    for (char *lower = strtok_r(copy, " ", &save); lower != NULL;
         lower = strtok_r(NULL, " ", &save)) {
        char *upper = strtok_r(NULL, " ", &save);
        if (upper == NULL || l->count >= KEYBOARD_MAX_KEYS)
            break;
        add(l, KEYBOARD_CHAR, row, x, 10);
        struct keyboard_key *k = &l->keys[l->count - 1];
        snprintf(k->text, sizeof k->text, "%s", lower);
        snprintf(k->shifted, sizeof k->shifted, "%s", upper);
        x += 10;
    }
    return x;
}

void keyboard_layout(const char *lang, struct keyboard_layout *layout)
{
    size_t which = 0;
    for (size_t i = 0; i < sizeof letters / sizeof letters[0]; i++)
        if (lang != NULL && strcmp(lang, letters[i].lang) == 0)
            which = i;
    memset(layout, 0, sizeof *layout);
    int end = add_row(layout, digits, 0, 0);
    add(layout, KEYBOARD_BACKSPACE, 0, end, KEYBOARD_ROW_UNITS - end);
    add_row(layout, letters[which].rows[0], 1, 5);
    add_row(layout, letters[which].rows[1], 2, 5);
    add(layout, KEYBOARD_SHIFT, 3, 0, 15);
    add_row(layout, letters[which].rows[2], 3, 15);
    add(layout, KEYBOARD_CLOSE, 4, 0, 25);
    add(layout, KEYBOARD_SPACE, 4, 25, 60);
    add(layout, KEYBOARD_SEND, 4, 85, 35);
}
