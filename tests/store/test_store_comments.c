/*
 * test_store_comments: the customer's words in the store (store_comments.h):
 * a comment takes its tap's department, rating and time; one per tap; what
 * the store refuses (unknown tap, empty, too long, ill-formed, control
 * characters, a second text); a retried commit that landed is not doubled;
 * the sync reads the waiting ones in order and marks them after its push
 * only; the comment key is made once and read the same from both
 * connections; a version-2 store migrates.  Real SQLite files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_changes.h"
#include "store_comments.h"
#include "store_private.h"
#include "store_test_util.h"

static int64_t tap(struct store *s, const char *department, int rating, int64_t at)
{
    struct store_tap t = {.at_ms_utc = at, .department = department, .rating = rating};
    int64_t id = 0;
    assert_int_equal(store_record_tap(s, &t, &id), 0);
    return id;
}

static int comment(struct store *s, int64_t tap_id, const char *lang, const char *body)
{
    struct store_comment c = {.lang = lang, .body = body, .written_ms = TEST_NOW_MS + 5000};
    return store_record_comment(s, tap_id, &c);
}

struct seen {
    int n;
    int64_t tap_id[8];
    char body[8][64];
    char department[8][32];
    int rating[8];
    int64_t tap_ms[8];
};

static int collect(void *ctx, const struct store_comment_row *r)
{
    struct seen *seen = ctx;
    if (seen->n < 8) {
        seen->tap_id[seen->n] = r->tap_id;
        snprintf(seen->body[seen->n], sizeof seen->body[0], "%s", r->body);
        snprintf(seen->department[seen->n], sizeof seen->department[0], "%s", r->department);
        seen->rating[seen->n] = r->rating;
        seen->tap_ms[seen->n] = r->tap_ms;
    }
    seen->n++;
    return 0;
}

static void test_record_read_mark(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t a = tap(s, "front", 1, TEST_NOW_MS), b = tap(s, "cafe", 4, TEST_NOW_MS + 10);
    assert_int_equal(comment(s, b, "de", "Sehr gut, danke! Grüße"), 0);
    assert_int_equal(comment(s, a, "fi", "Jono oli pitkä"), 0);
    assert_int_equal(comment(s, a, "fi", "Jono oli pitkä"), 0); /* a landed retry */
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM comments"), 2);

    struct store_changes *ch;
    char error[512];
    assert_int_equal(store_changes_open(&ch, t->db_path, error, sizeof error), 0);
    struct store_changes_meta meta;
    assert_int_equal(store_changes_begin(ch, &meta), 0);
    struct seen seen = {0};
    int64_t upto = 0, waiting = -1;
    assert_int_equal(store_changes_comments(ch, 10, collect, &seen, &upto), 0);
    store_changes_end(ch);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.tap_id[0], b); /* in the order written */
    assert_string_equal(seen.body[0], "Sehr gut, danke! Grüße");
    assert_string_equal(seen.department[0], "cafe");
    assert_int_equal(seen.rating[0], 4);
    assert_int_equal(seen.tap_ms[0], TEST_NOW_MS + 10);
    assert_string_equal(seen.department[1], "front");
    assert_int_equal(seen.rating[1], 1);

    /* written after the read, on an earlier tap: the mark must not take it */
    int64_t c = tap(s, "front", 2, TEST_NOW_MS + 20);
    assert_int_equal(comment(s, c, "en", "late"), 0);
    assert_int_equal(store_changes_comments_mark(ch, "not-this-store", upto), 0);
    assert_int_equal(store_changes_comments_waiting(ch, &waiting), 0);
    assert_int_equal(waiting, 3);
    assert_int_equal(store_changes_comments_mark(ch, store_incarnation(s), upto), 0);
    assert_int_equal(store_changes_comments_waiting(ch, &waiting), 0);
    assert_int_equal(waiting, 1);
    seen = (struct seen){0};
    assert_int_equal(store_changes_comments(ch, 10, collect, &seen, &upto), 0);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.body[0], "late");
    store_changes_close(ch);
    store_close(s);
}

static void test_refused(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t a = tap(s, "front", 2, TEST_NOW_MS);
    char longest[STORE_COMMENT_BODY_MAX], over[STORE_COMMENT_BODY_MAX];
    /* 500 two-byte characters fit; 501 one-byte ones do not */
    for (int i = 0; i < STORE_COMMENT_MAX_CHARS; i++)
        memcpy(longest + 2 * i, "ä", 2);
    longest[2 * STORE_COMMENT_MAX_CHARS] = '\0';
    memset(over, 'x', STORE_COMMENT_MAX_CHARS + 1);
    over[STORE_COMMENT_MAX_CHARS + 1] = '\0';
    assert_int_equal(comment(s, a + 1, "en", "no such tap"), STORE_ERR_REFUSED);
    assert_int_equal(comment(s, a, "en", ""), STORE_ERR_REFUSED);
    assert_int_equal(comment(s, a, "en", over), STORE_ERR_REFUSED);
    assert_int_equal(comment(s, a, "en", "bad \xff byte"), STORE_ERR_REFUSED);
    assert_int_equal(comment(s, a, "en", "a \x1b[2J escape"), STORE_ERR_REFUSED);
    assert_int_equal(comment(s, a, "EN'; --", "lang"), STORE_ERR_REFUSED);
    assert_int_equal(comment(s, a, "de", longest), 0);
    assert_int_equal(comment(s, a, "de", "another text"), STORE_ERR_REFUSED);
    assert_int_equal(test_query_int(t->db_path, "SELECT count(*) FROM comments"), 1);
    assert_int_equal(test_query_int(t->db_path, "SELECT length(body) FROM comments"),
                     STORE_COMMENT_MAX_CHARS);
    store_close(s);
}

static void test_key_made_once(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    unsigned char k1[STORE_COMMENT_KEY_BYTES], k2[STORE_COMMENT_KEY_BYTES], zero[32] = {0};
    assert_int_equal(store_comment_key(s, k1), 0);
    assert_memory_not_equal(k1, zero, sizeof zero);
    store_close(s);
    s = test_open(t, &health);
    assert_int_equal(store_comment_key(s, k2), 0);
    assert_memory_equal(k1, k2, sizeof k1);
    struct store_changes *ch;
    char error[512], hex[2 * STORE_COMMENT_KEY_BYTES + 1], want[sizeof hex];
    for (int i = 0; i < STORE_COMMENT_KEY_BYTES; i++)
        snprintf(want + 2 * i, 3, "%02x", k1[i]);
    assert_int_equal(store_changes_open(&ch, t->db_path, error, sizeof error), 0);
    assert_int_equal(store_changes_comment_key(ch, hex), 0);
    assert_string_equal(hex, want);
    store_changes_close(ch);
    store_close(s);
}

/* A store of schema version 2 (before comments) takes them after an open. */
static void test_migrates_from_2(void **state)
{
    const struct test_dir *t = *state;
    struct store_health health;
    struct store *s = test_open(t, &health);
    int64_t a = tap(s, "front", 1, TEST_NOW_MS);
    store_close(s);
    /* the file as version 2 made it (the statements of this version cannot
       write there, so the later steps are undone by hand) */
    test_exec(t->db_path, "DROP TABLE comments; ALTER TABLE reason_counts DROP COLUMN first_seq;"
                          "DELETE FROM meta WHERE key = 'comment_key';"
                          "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    s = test_open(t, &health);
    assert_int_equal(health.migrated_from, 2);
    assert_int_equal(comment(s, a, "en", "after the update"), 0);
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_record_read_mark, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_refused, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_key_made_once, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_migrates_from_2, test_dir_setup, test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
