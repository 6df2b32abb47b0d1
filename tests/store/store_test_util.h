/*
 * store_test_util: what both store test programs need: a fresh temp
 * directory per test, SQL read back through a second connection, files
 * read whole, and stderr captured to check the lines a crash test greps.
 */
#ifndef WOW_STORE_TEST_UTIL_H
#define WOW_STORE_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

#define TEST_NOW_MS 1790000000000LL /* 2026-09-21T...Z: names quarantined files */

/* The test's temp directory and the store path in it. */
struct test_dir {
    char dir[64];
    char db_path[128];
};

/* cmocka setup/teardown: *state becomes a malloc'd struct test_dir whose
 * directory (mkdtemp under /tmp) teardown removes with everything in it. */
int test_dir_setup(void **state);
int test_dir_teardown(void **state);

/* store_open on t->db_path as "kiosk-1" at TEST_NOW_MS; fails the test
 * unless it returns 0.  The caller owns the store. */
struct store *test_open(const struct test_dir *t, struct store_health *health);

/* One integer from sql, run on a separate read-only connection to path. */
long long test_query_int(const char *path, const char *sql);

/* Runs sql on a separate read-write connection; fails the test on error. */
void test_exec(const char *path, const char *sql);

/* Reads up to size bytes of path into buf; the length, or -1. */
long test_file_bytes(const char *path, unsigned char *buf, long size);

/* Sends stderr to a file in t->dir until test_capture_end; returns the
 * saved stderr to pass to it.  test_capture_end puts stderr back and returns
 * what was written (malloc'd, NUL-terminated: the caller frees it). */
int test_capture_begin(const struct test_dir *t);
char *test_capture_end(const struct test_dir *t, int saved_stderr);

#endif
