/*
 * test_kiosk_comment: "Tell us more" in the kiosk state machine and the
 * keyboard's layouts: offered after the faces the department's setting
 * names (off, negative, any); opened from the follow-up (which then ends
 * skipped) or the thanks; typing with shift, backspace over a two-byte
 * letter, the 500-character limit; send records the words once and thanks;
 * close and the time-out send nothing; each key press starts the time-out
 * again and the count-down moves by the second; å ä ö ü ß reachable in
 * fi and de.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "comment_text.h"
#include "config.h"
#include "keyboard.h"
#include "kiosk.h"

struct fixture {
    struct config config;
    struct clock_now now;
    struct kiosk *kiosk;
    int followups, comments;
    char last_comment[COMMENT_TEXT_MAX_BYTES];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    struct config *c = &f->config;
    c->language_count = 3;
    snprintf(c->languages[0], sizeof c->languages[0], "en");
    snprintf(c->languages[1], sizeof c->languages[1], "fi");
    snprintf(c->languages[2], sizeof c->languages[2], "de");
    c->mode = CONFIG_MODE_SINGLE;
    c->department_count = 1;
    c->departments[0].comments = CONFIG_COMMENTS_NEGATIVE;
    c->followup_enabled = true;
    c->positive_count = 2;
    c->negative_count = 2;
    c->followup_timeout_ms = 10000;
    c->ack_ms = 150;
    c->thanks_ms = 2500;
    c->picker_timeout_ms = 20000;
    c->hours.always_open = true;
    press_filter_defaults(&c->press_filter);
    f->now = (struct clock_now){.mono_ms = 5000000, .utc_ms = 1790000000000LL};
    f->kiosk = kiosk_create(&f->config, NULL, f->now);
    *state = f;
    return f->kiosk ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kiosk_destroy(f->kiosk);
    free(f);
    return 0;
}

static struct kiosk_actions deliver(struct fixture *f, enum kiosk_event_type type, int arg)
{
    struct kiosk_actions a = kiosk_handle(f->kiosk, (struct kiosk_event){type, arg}, f->now);
    f->followups += a.record_followup;
    if (a.record_comment) {
        f->comments++;
        snprintf(f->last_comment, sizeof f->last_comment, "%s", a.comment.body);
    }
    return a;
}

static void advance(struct fixture *f, int64_t ms)
{
    f->now.mono_ms += ms;
    f->now.utc_ms += ms;
    deliver(f, KIOSK_EVENT_TICK, 0);
}

static struct kiosk_view view(const struct fixture *f)
{
    return kiosk_view(f->kiosk);
}

/* A face, then its ack's end: on the follow-up. */
static void rate(struct fixture *f, int face)
{
    deliver(f, KIOSK_EVENT_TAP_FACE, face);
    advance(f, 150);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
}

/* The index of the key typing text (unshifted or shifted) in lang. */
static int key_of(const char *lang, enum keyboard_kind kind, const char *text)
{
    struct keyboard_layout l;
    keyboard_layout(lang, &l);
    for (int i = 0; i < l.count; i++)
        if (l.keys[i].kind == kind && (text == NULL || strcmp(l.keys[i].text, text) == 0 ||
                                       strcmp(l.keys[i].shifted, text) == 0))
            return i;
    fail_msg("%s has no key for %s", lang, text ? text : "(kind)");
    return -1;
}

static void type(struct fixture *f, const char *lang, const char *const *keys, int n)
{
    for (int i = 0; i < n; i++)
        deliver(f, KIOSK_EVENT_KEY, key_of(lang, KEYBOARD_CHAR, keys[i]));
}

static void test_offer_follows_the_setting(void **state)
{
    struct fixture *f = *state;
    rate(f, 4); /* negative only: no offer after a happy face */
    assert_false(view(f).comment_offer);
    deliver(f, KIOSK_EVENT_COMMENT, 0);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_FOLLOW_UP);
    deliver(f, KIOSK_EVENT_SKIP, 0);
    advance(f, 2500);
    f->config.departments[0].comments = CONFIG_COMMENTS_ANY;
    advance(f, 10000);
    rate(f, 3);
    assert_true(view(f).comment_offer);
    deliver(f, KIOSK_EVENT_SKIP, 0);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    /* a thanks that offers a comment stays long enough to reach it */
    advance(f, 9000);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    deliver(f, KIOSK_EVENT_COMMENT, 0);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_COMMENT);
    f->config.departments[0].comments = CONFIG_COMMENTS_OFF;
    deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_CLOSE, NULL));
    advance(f, 20000);
    rate(f, 1);
    assert_false(view(f).comment_offer);
}

static void test_type_and_send(void **state)
{
    struct fixture *f = *state;
    rate(f, 2);
    assert_true(view(f).comment_offer);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_COMMENT, 0);
    assert_true(a.record_followup); /* the follow-up ends, skipped */
    assert_int_equal(a.followup.ended_by, FOLLOWUP_SKIPPED);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_COMMENT);
    assert_int_equal(view(f).comment_left_s, 60);
    deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_SHIFT, NULL));
    assert_true(view(f).comment_shift);
    static const char *const slow[] = {"s", "l", "o", "w"};
    type(f, "en", slow, 4);
    assert_false(view(f).comment_shift); /* one letter only */
    deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_SPACE, NULL));
    static const char *const queue[] = {"q", "u", "e", "u", "e", "e"};
    type(f, "en", queue, 6);
    deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_BACKSPACE, NULL));
    assert_string_equal(kiosk_comment_text(f->kiosk), "Slow queue");
    assert_int_equal(view(f).comment_chars, 10);
    a = deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_SEND, NULL));
    assert_true(a.record_comment);
    assert_string_equal(a.comment.body, "Slow queue");
    assert_int_equal(a.comment.language, 0);
    assert_int_equal(a.comment.written_utc_ms, f->now.utc_ms);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    assert_true(view(f).comment_sent);
    deliver(f, KIOSK_EVENT_COMMENT, 0); /* once per tap */
    assert_int_equal(view(f).screen, KIOSK_SCREEN_THANKS);
    assert_int_equal(f->comments, 1);
    assert_int_equal(f->followups, 1);
}

static void test_umlauts_and_backspace(void **state)
{
    struct fixture *f = *state;
    deliver(f, KIOSK_EVENT_SET_LANGUAGE, 2);
    rate(f, 1);
    deliver(f, KIOSK_EVENT_COMMENT, 0);
    static const char *const words[] = {"g", "r", "ü", "ß", "e", "ä", "ö"};
    type(f, "de", words, 7);
    deliver(f, KIOSK_EVENT_KEY, key_of("de", KEYBOARD_BACKSPACE, NULL)); /* a two-byte letter */
    assert_string_equal(kiosk_comment_text(f->kiosk), "grüßeä");
    deliver(f, KIOSK_EVENT_KEY, key_of("de", KEYBOARD_SHIFT, NULL));
    deliver(f, KIOSK_EVENT_KEY, key_of("de", KEYBOARD_CHAR, "ü"));
    assert_string_equal(kiosk_comment_text(f->kiosk), "grüßeäÜ");
    assert_int_equal(view(f).comment_chars, 7);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_KEY, key_of("de", KEYBOARD_SEND, NULL));
    assert_int_equal(a.comment.language, 2);
    /* fi has å ä ö; en none */
    key_of("fi", KEYBOARD_CHAR, "å");
    key_of("fi", KEYBOARD_CHAR, "ä");
    key_of("fi", KEYBOARD_CHAR, "ö");
}

static void test_limit_and_empty(void **state)
{
    struct fixture *f = *state;
    rate(f, 1);
    deliver(f, KIOSK_EVENT_COMMENT, 0);
    struct kiosk_actions a = deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_SEND, NULL));
    assert_false(a.record_comment); /* nothing typed: nothing sent */
    deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_SPACE, NULL));
    a = deliver(f, KIOSK_EVENT_KEY, key_of("en", KEYBOARD_SEND, NULL));
    assert_false(a.record_comment); /* spaces alone neither */
    int x = key_of("en", KEYBOARD_CHAR, "x");
    for (int i = 0; i < COMMENT_TEXT_MAX_CHARS + 20; i++)
        deliver(f, KIOSK_EVENT_KEY, x);
    assert_int_equal(view(f).comment_chars, COMMENT_TEXT_MAX_CHARS);
    assert_int_equal(strlen(kiosk_comment_text(f->kiosk)), COMMENT_TEXT_MAX_CHARS);
}

static void test_timeout_extended_by_keys(void **state)
{
    struct fixture *f = *state;
    rate(f, 2);
    deliver(f, KIOSK_EVENT_COMMENT, 0);
    int a = key_of("en", KEYBOARD_CHAR, "a");
    advance(f, 59000);
    assert_int_equal(view(f).comment_left_s, 1);
    deliver(f, KIOSK_EVENT_KEY, a);
    assert_int_equal(view(f).comment_left_s, 60);
    /* the loop wakes each second for the bar */
    assert_int_equal(kiosk_next_deadline_ms(f->kiosk, f->now), f->now.mono_ms + 1000);
    advance(f, 1000);
    assert_int_equal(view(f).comment_left_s, 59);
    advance(f, 59000);
    assert_int_equal(view(f).screen, KIOSK_SCREEN_RATING); /* gone: nothing sent */
    assert_int_equal(f->comments, 0);
    assert_string_equal(kiosk_comment_text(f->kiosk), "");
}

static void test_layout_rows_fit(void **state)
{
    (void)state;
    static const char *const langs[] = {"en", "fi", "de", "sv"};
    for (int i = 0; i < 4; i++) {
        struct keyboard_layout l;
        keyboard_layout(langs[i], &l);
        assert_true(l.count > 40);
        for (int k = 0; k < l.count; k++) {
            assert_true(l.keys[k].row >= 0 && l.keys[k].row < KEYBOARD_ROWS);
            assert_true(l.keys[k].x + l.keys[k].width <= KEYBOARD_ROW_UNITS);
            assert_true(l.keys[k].width >= 10);
            for (int j = 0; j < k; j++) /* no two keys overlap */
                assert_false(l.keys[j].row == l.keys[k].row &&
                             l.keys[j].x < l.keys[k].x + l.keys[k].width &&
                             l.keys[k].x < l.keys[j].x + l.keys[j].width);
        }
    }
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_offer_follows_the_setting), T(test_type_and_send),
        T(test_umlauts_and_backspace),     T(test_limit_and_empty),
        T(test_timeout_extended_by_keys),  cmocka_unit_test(test_layout_rows_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
