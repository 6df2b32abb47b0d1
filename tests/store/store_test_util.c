/*
 * store_test_util: helpers shared by the store tests (see store_test_util.h).
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "store_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int test_dir_setup(void **state)
{
    struct test_dir *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/wowstore-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->db_path, sizeof t->db_path, "%s/kiosk.db", t->dir);
    *state = t;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    if (type == FTW_DP || type == FTW_D)
        chmod(path, 0700); /* a test may have made it read-only */
    return remove(path);
}

int test_dir_teardown(void **state)
{
    struct test_dir *t = *state;
    chmod(t->dir, 0700);
    int rc = nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(t);
    return rc == 0 ? 0 : -1;
}

struct store *test_open(const struct test_dir *t, struct store_health *health)
{
    struct store *s = NULL;
    assert_int_equal(store_open(&s, t->db_path, "kiosk-1", TEST_NOW_MS, health), 0);
    assert_non_null(s);
    return s;
}

long long test_query_int(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

void test_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
}

long test_file_bytes(const char *path, unsigned char *buf, long size)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    long n = (long)fread(buf, 1, (size_t)size, f);
    fclose(f);
    return n;
}

int test_capture_begin(const struct test_dir *t)
{
    char path[128];
    snprintf(path, sizeof path, "%s/stderr.txt", t->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    fflush(stderr);
    int saved_stderr = dup(STDERR_FILENO);
    assert_true(saved_stderr >= 0);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    close(fd);
    return saved_stderr;
}

char *test_capture_end(const struct test_dir *t, int saved_stderr)
{
    fflush(stderr);
    assert_true(dup2(saved_stderr, STDERR_FILENO) >= 0);
    close(saved_stderr);
    char path[128];
    snprintf(path, sizeof path, "%s/stderr.txt", t->dir);
    char *text = calloc(1, 1 << 16);
    assert_non_null(text);
    long n = test_file_bytes(path, (unsigned char *)text, (1 << 16) - 1);
    assert_true(n >= 0);
    text[n] = '\0';
    fputs(text, stderr); /* still shown in ctest's output */
    return text;
}
