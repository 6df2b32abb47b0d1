/*
 * test_display_text: text is wrapped, shrunk to fit its box and never cut;
 * drawn text lands inside its box, aligned as asked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#define MAX_LINES 256

static const struct ui_color WHITE = {255, 255, 255, 255};
static const struct ui_color INK = {20, 20, 20, 255};

struct layout {
    struct display_text_fit fit;
    struct display_text_line lines[MAX_LINES];
};

static struct layout fit_text(struct display *d, const char *text, int w, int h, int size)
{
    struct layout l;
    memset(&l, 0, sizeof l);
    assert_true(display_text_fit(d, text, w, h, size, false, &l.fit, l.lines, MAX_LINES));
    assert_true(l.fit.line_count <= MAX_LINES);
    return l;
}

/* Every character but the spaces at line breaks is on some line, in order,
 * and no line starts in the middle of a UTF-8 character. */
static void assert_nothing_dropped(const char *text, const struct layout *l)
{
    size_t len = strlen(text);
    char *joined = calloc(len + 1, 1), *expected = calloc(len + 1, 1);
    assert_non_null(joined);
    assert_non_null(expected);
    size_t j = 0, e = 0;
    for (int i = 0; i < l->fit.line_count; i++) {
        const struct display_text_line *ln = &l->lines[i];
        assert_true(ln->start >= 0 && (size_t)(ln->start + ln->length) <= len);
        if (ln->length > 0)
            assert_true(((unsigned char)text[ln->start] & 0xC0) != 0x80);
        for (int k = 0; k < ln->length; k++)
            if (text[ln->start + k] != ' ')
                joined[j++] = text[ln->start + k];
    }
    for (size_t k = 0; k < len; k++)
        if (text[k] != ' ' && text[k] != '\n')
            expected[e++] = text[k];
    assert_string_equal(joined, expected);
    free(joined);
    free(expected);
}

static void test_short_text_keeps_its_size(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    struct layout l = fit_text(d, "Wie zufrieden waren Sie?", 700, 100, 40);
    assert_int_equal(l.fit.size_px, 40);
    assert_int_equal(l.fit.line_count, 1);
    assert_false(l.fit.overflow);
    assert_false(l.fit.broke_word);
    assert_true(l.lines[0].width > 0 && l.lines[0].width <= 700);
    display_destroy(d);
}

static void test_long_german_text_wraps_and_shrinks(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    const char *text = "Wie zufrieden waren Sie heute mit der Beratung durch unsere "
                       "Kundendienstmitarbeiterinnen und Kundendienstmitarbeiter in der "
                       "Lebensmittelabteilung und der Haushaltswarenabteilung?";
    struct layout l = fit_text(d, text, 300, 160, 48);
    assert_true(l.fit.size_px < 48);
    assert_true(l.fit.size_px >= 12);
    assert_true(l.fit.line_count > 2);
    assert_false(l.fit.overflow);
    assert_false(l.fit.broke_word);
    for (int i = 0; i < l.fit.line_count; i++) {
        assert_true(l.lines[i].width <= 300);
        assert_true(text[l.lines[i].start] != ' ');
        assert_true(text[l.lines[i].start + l.lines[i].length - 1] != ' ');
    }
    assert_nothing_dropped(text, &l);
    /* 2 px more would not have fitted: asking for it shrinks again */
    struct layout bigger = fit_text(d, text, 300, 160, l.fit.size_px + 2);
    assert_int_equal(bigger.fit.size_px, l.fit.size_px);
    display_destroy(d);
}

static void test_word_longer_than_line_is_broken_not_cut(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    const char *text = "Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz ok";
    struct layout l = fit_text(d, text, 120, 400, 30);
    assert_true(l.fit.broke_word);
    assert_false(l.fit.overflow);
    assert_true(l.fit.line_count >= 2);
    for (int i = 0; i < l.fit.line_count; i++)
        assert_true(l.lines[i].width <= 120);
    assert_nothing_dropped(text, &l);
    display_destroy(d);
}

static void test_too_much_text_overflows_at_minimum(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    char text[2048];
    size_t n = 0;
    for (int i = 0; n + 20 < sizeof text; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "Wort%d ", i);
    struct layout l = fit_text(d, text, 200, 40, 32);
    assert_true(l.fit.overflow);
    assert_int_equal(l.fit.size_px, 12);
    assert_true(l.fit.line_count > 3);
    assert_nothing_dropped(text, &l);
    display_destroy(d);
}

static void test_newline_forces_a_break(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    const char *text = "eins\nzwei\n\ndrei";
    struct layout l = fit_text(d, text, 700, 400, 20);
    assert_int_equal(l.fit.line_count, 4);
    assert_int_equal(l.lines[2].length, 0);
    assert_int_equal(l.fit.size_px, 20);
    assert_nothing_dropped(text, &l);
    display_destroy(d);
}

/* The leftmost and rightmost inked columns of a rows band (-1: none). */
static void ink_span(const uint32_t *px, int w, int y0, int y1, int *left, int *right)
{
    *left = -1;
    *right = -1;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < w; x++)
            if (!fixture_is(fixture_at(px, w, x, y), WHITE, 60)) {
                if (*left < 0 || x < *left)
                    *left = x;
                if (x > *right)
                    *right = x;
            }
}

static void test_drawn_text_stays_in_its_box_and_aligns(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    struct ui_frame *f = fixture_frame(d);
    fixture_add(f, UI_CMD_CLEAR, WHITE);
    struct ui_cmd *c = fixture_add(f, UI_CMD_TEXT, INK);
    c->rect = (struct ui_rect){100, 20, 600, 200};
    c->text = "Wie zufrieden waren Sie heute mit unserem Service in dieser Filiale?";
    c->size_px = 64;
    c->align = UI_ALIGN_LEFT;
    c = fixture_add(f, UI_CMD_TEXT, INK);
    c->rect = (struct ui_rect){100, 300, 600, 100};
    c->text = "Danke!";
    c->size_px = 40;
    c->align = UI_ALIGN_CENTER;
    assert_true(display_draw(d, f));
    int w, h, left, right;
    uint32_t *px = fixture_pixels(d, &w, &h);
    ink_span(px, w, 0, 20, &left, &right);
    assert_int_equal(left, -1); /* nothing above the first box */
    ink_span(px, w, 20, 220, &left, &right);
    assert_true(left >= 100 && left < 110); /* left aligned */
    assert_true(right < 700 && right > 400);
    ink_span(px, w, 220, 300, &left, &right);
    assert_int_equal(left, -1);
    ink_span(px, w, 300, 400, &left, &right);
    assert_true(left > 300 && right < 500); /* centred about x = 400 */
    assert_true(abs((left + right) / 2 - 400) <= 3);
    free(px);
    free(f);
    display_destroy(d);
}

/* Redrawing an unchanged screen rasterises no text; a changed colour does. */
static void test_unchanged_text_is_not_rasterised_again(void **state)
{
    struct display *d = fixture_display(800, 480, 0, NULL);
    struct ui_frame *f = fixture_frame(d);
    fixture_add(f, UI_CMD_CLEAR, WHITE);
    struct ui_cmd *c = fixture_add(f, UI_CMD_TEXT, INK);
    c->rect = (struct ui_rect){10, 10, 300, 200};
    c->text = "Wie zufrieden waren Sie heute mit unserem Service?";
    c->size_px = 40;
    assert_true(display_draw(d, f));
    long first = display_text_renders(d);
    assert_true(first >= 2); /* wrapped: one raster per line */
    assert_true(display_draw(d, f));
    assert_int_equal(display_text_renders(d), first);
    c->color = (struct ui_color){200, 0, 0, 255};
    assert_true(display_draw(d, f));
    assert_int_equal(display_text_renders(d), 2 * first);
    free(f);
    display_destroy(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_text_keeps_its_size),
        cmocka_unit_test(test_long_german_text_wraps_and_shrinks),
        cmocka_unit_test(test_word_longer_than_line_is_broken_not_cut),
        cmocka_unit_test(test_too_much_text_overflows_at_minimum),
        cmocka_unit_test(test_newline_forces_a_break),
        cmocka_unit_test(test_drawn_text_stays_in_its_box_and_aligns),
        cmocka_unit_test(test_unchanged_text_is_not_rasterised_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
