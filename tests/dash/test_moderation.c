/*
 * test_moderation: the comments' moderation (app/dash/model/moderation.h)
 * on a table of sample comments in en, fi and de with the tags each must
 * get, judged with the real lists the build generated from naughty-words
 * (WOW_MODERATION_DIR); and the masking of e-mail addresses, phone and
 * card numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "file.h"
#include "moderation.h"
#include "strbuf.h"

#define A MODERATION_APPRECIATION
#define I MODERATION_IMPROVEMENT
#define U MODERATION_URGENT
#define S MODERATION_SPAM
#define X MODERATION_ABUSIVE

/* The table docs/DASHBOARD.md's rules are pinned by: comment, face, tags. */
static const struct sample {
    const char *body;
    int rating;
    unsigned tags;
} samples[] = {
    /* en */
    {"Thank you, the staff were friendly and quick!", 4, A},
    {"Fine.", 3, A},
    {"We waited 40 minutes in the queue and nobody came.", 1, I},
    {"Good food but the room was dirty.", 3, I},
    {"The staff were great, but the wait was long.", 2, A | I},
    {"There is smoke coming from the kitchen, fire alarm is off!", 1, I | U},
    {"A child got hurt on the broken glass near the door", 2, I | U},
    {"This place is shit, fuck you all", 1, I | X},
    {"Visit www.cheap-pills.example for deals", 4, S},
    {"asdfasdfasdfasdf", 1, S},
    {"qwrtzpsdfghjklmnbvcxz", 2, S},
    {"bad bad bad bad bad", 1, S},
    {"!!!!!!!!!!!!!!!!", 1, S},
    {"?!", 2, S},
    {"Analysis of the class schedule was helpful", 4, A},
    /* fi */
    {"Kiitos, henkilökunta oli todella ystävällistä!", 4, A},
    {"Jono oli pitkä ja odotimme puoli tuntia.", 1, I},
    {"Vessat olivat likaiset.", 2, I},
    {"Lapsi loukkaantui liukkaalla lattialla, tarvitaan apua heti", 1, I | U},
    {"Laukkuni varastettiin aulassa", 2, I | U},
    {"Haista vittu", 1, I | X},
    {"Hyvä palvelu, mutta hidas kassa.", 3, I},
    {"Varastossa oli siistiä", 4, A},
    {"hahahahahahahahaha", 3, S},
    /* de */
    {"Danke, sehr freundliches Personal!", 4, A},
    {"Wir mussten lange warten, das war schlecht.", 1, I},
    {"Es riecht nach Rauch im Flur, bitte die Feuerwehr rufen", 1, I | U},
    {"Das ist doch Scheiße, ihr Arschlöcher", 1, I | X},
    {"So ein Arschlochladen", 1, I | X}, /* a compound: the entry starts it */
    {"Alles gut, gerne wieder.", 3, A},
    {"Mein Handy wurde gestohlen!", 2, I | U},
    {"Die Bedienung war unfreundlich", 3, I},
    {"https://spam.example/de gewinnen", 4, S},
};

static struct moderation_lists *lists;

static int load(void **state)
{
    (void)state;
    lists = moderation_lists_new();
    const char *langs[] = {"en", "fi", "de"};
    for (int i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.txt", WOW_MODERATION_DIR, langs[i]);
        int err_no = 0;
        char *text = file_read_text(path, &err_no);
        if (!text) {
            fprintf(stderr, "%s: %s\n", path, file_error(err_no));
            return -1;
        }
        size_t added = 0;
        assert_true(moderation_lists_add(lists, langs[i], text, &added));
        assert_true(added > 50); /* the package's list, not an empty file */
        free(text);
    }
    return 0;
}

static int unload(void **state)
{
    (void)state;
    moderation_lists_free(lists);
    return 0;
}

static void tag_names(unsigned tags, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int i = 0; i < MODERATION_TAGS; i++)
        if (tags & (1u << i)) {
            strncat(buf, moderation_tag_ids[i], size - strlen(buf) - 1);
            strncat(buf, " ", size - strlen(buf) - 1);
        }
}

static void table(void **state)
{
    (void)state;
    int wrong = 0;
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        unsigned got = moderation_tags(lists, samples[i].body, samples[i].rating);
        if (got != samples[i].tags) {
            char g[128], w[128];
            tag_names(got, g, sizeof g);
            tag_names(samples[i].tags, w, sizeof w);
            fprintf(stderr, "\"%s\" (face %d): got [%s], expected [%s]\n", samples[i].body,
                    samples[i].rating, g, w);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void no_lists(void **state)
{
    (void)state;
    assert_int_equal(moderation_tags(NULL, "fuck", 1), I);
    assert_int_equal(moderation_tag_of("urgent"), U);
    assert_int_equal(moderation_tag_of("nope"), 0);
}

static void mask_one(const char *in, const char *want)
{
    struct strbuf out = {0};
    moderation_mask(in, &out);
    assert_false(out.failed);
    assert_string_equal(out.data ? out.data : "", want);
    strbuf_free(&out);
}

static void mask(void **state)
{
    (void)state;
    mask_one("mail me: jane.doe+x@example.co.uk.", "mail me: ***.");
    mask_one("john1234567@mail.example", "***");
    mask_one("call +358 40 123 4567 now", "call *** now");
    mask_one("(040) 123-4567", "***");
    mask_one("card 4111 1111 1111 1111 charged twice", "card *** charged twice");
    mask_one("card 4111111111111111", "card ***");
    mask_one("we waited 45 minutes at 14:30 on 5.12.", "we waited 45 minutes at 14:30 on 5.12.");
    mask_one("room 101, 2 people, 1200 €", "room 101, 2 people, 1200 €");
    mask_one("an @ sign and user@localhost", "an @ sign and user@localhost");
    mask_one("", "");
}

static void words(void **state)
{
    (void)state;
    char out[128];
    moderation_words("  ÄRGER über—Größe!! HELLO  ", out, sizeof out);
    assert_string_equal(out, "ärger über größe hello");
    moderation_words("abc def", out, 5);
    assert_string_equal(out, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(no_lists),
        cmocka_unit_test(mask),
        cmocka_unit_test(words),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
