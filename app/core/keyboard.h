/*
 * keyboard: the on-screen keyboard's layouts (docs/COMMENTS.md): which
 * keys, where, and what each one types, per language (en QWERTY; fi with
 * å ö ä; de QWERTZ with ü ö ä ß; any other language gets en's).  One
 * table for both sides: app/ui draws the keys from it and the state
 * machine asks it what a pressed key means, so what is drawn is typed.
 *
 * Positions are in key units: row 0..KEYBOARD_ROWS-1, x and width in
 * tenths of a normal key (a row is at most KEYBOARD_ROW_UNITS wide).
 */
#ifndef WOW_KEYBOARD_H
#define WOW_KEYBOARD_H

#include <stdbool.h>

#define KEYBOARD_ROWS      5
#define KEYBOARD_ROW_UNITS 120 /* tenths: twelve normal keys */
#define KEYBOARD_MAX_KEYS  64

enum keyboard_kind {
    KEYBOARD_CHAR,      /* types text (shifted: shifted) */
    KEYBOARD_SHIFT,     /* the next letter upper case */
    KEYBOARD_BACKSPACE, /* removes the last character */
    KEYBOARD_SPACE,
    KEYBOARD_SEND, /* the comment is done */
    KEYBOARD_CLOSE /* back without sending */
};

struct keyboard_key {
    enum keyboard_kind kind;
    char text[8];    /* KEYBOARD_CHAR: UTF-8 typed without shift */
    char shifted[8]; /* and with it */
    int row, x, width;
};

struct keyboard_layout {
    int count;
    struct keyboard_key keys[KEYBOARD_MAX_KEYS];
};

/* Fills *layout for language lang ("en", "fi", "de"; others: en's). */
void keyboard_layout(const char *lang, struct keyboard_layout *layout);

#endif
