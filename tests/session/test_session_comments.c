/*
 * test_session_comments: a comment is a record like a tap: queued on the
 * render thread, written by the session's writer behind its tap; while the
 * store cannot be opened it waits in memory (at most SESSION_COMMENTS of
 * them: one more is dropped, loudly, and taps still wait), and arrives on
 * its own tap when the store opens.  The newest committed tap and the
 * store's comment key are what the offer's token is made from.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "session.h"

#define T0 1790000000000LL

static char *query_text(const char *db_path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void record_tap(struct session *s, int rating, int64_t at)
{
    struct kiosk_actions a = {.record_tap = true};
    a.tap.rating = (enum rating)rating;
    a.tap.at_utc_ms = at;
    session_record(s, &a, 0, 0);
}

static void record_comment(struct session *s, const char *body, int language)
{
    struct kiosk_actions a = {.record_comment = true};
    a.comment.body = body;
    a.comment.language = language;
    a.comment.written_utc_ms = T0 + 9000;
    session_record(s, &a, 0, 0);
}

static void test_comment_waits_with_its_tap(void **state)
{
    (void)state;
    char dir[] = "/tmp/wowsession-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char blocker[64], db_path[96];
    snprintf(blocker, sizeof blocker, "%s/data", dir);
    snprintf(db_path, sizeof db_path, "%s/kiosk.db", blocker);
    FILE *f = fopen(blocker, "w"); /* the store's directory cannot be made */
    assert_non_null(f);
    fclose(f);
    static struct config config;
    config_defaults(&config); /* languages en, fi, de */
    struct session *s = session_create(&config, db_path, T0);
    assert_non_null(s);

    record_tap(s, 2, T0);
    record_comment(s, "Jono oli pitkä", 1);
    struct session_tap tap;
    assert_false(session_comment_tap(s, &tap)); /* nothing committed: no token */
    record_tap(s, 1, T0 + 60000);
    /* one more than the words kept in memory (16, the first included): the
       last one is dropped */
    for (int i = 0; i < 16; i++)
        record_comment(s, "again", 0);
    assert_int_equal(session_pending(s), 2 + 16);
    struct session_health h;
    session_health(s, &h);
    assert_int_equal(h.dropped, 1);

    assert_int_equal(unlink(blocker), 0);
    assert_true(session_wait_idle(s, 20000));
    assert_true(session_comment_tap(s, &tap));
    assert_int_equal(tap.tap_id, 2);
    assert_int_equal(tap.rating, 1);
    assert_int_equal(tap.tap_ms, T0 + 60000);
    assert_true(tap.has_key);
    assert_int_equal(strlen(tap.incarnation), 32);
    session_destroy(s, T0 + 70000);

    char *v = query_text(db_path, "SELECT tap_id || '|' || lang || '|' || body || '|' ||"
                                  " rating FROM comments ORDER BY id LIMIT 1");
    assert_string_equal(v, "1|fi|Jono oli pitkä|2");
    free(v);
    /* the same words again on the second tap: one row (a landed retry) */
    v = query_text(db_path, "SELECT count(*) FROM comments");
    assert_string_equal(v, "2");
    free(v);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comment_waits_with_its_tap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
