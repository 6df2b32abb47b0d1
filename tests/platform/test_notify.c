/*
 * test_notify: the sd_notify datagrams reach $NOTIFY_SOCKET byte for byte,
 * for a socket path and an abstract name; nothing is sent (and true
 * returned) without it; failures are logged once; the watchdog interval is
 * read from WATCHDOG_USEC/WATCHDOG_PID, garbage included.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "notify.h"

/* A datagram socket bound where NOTIFY_SOCKET points, as systemd's is. */
struct listener {
    int fd;
    char dir[64];
    char name[128]; /* NOTIFY_SOCKET's value */
};

static int bind_listener(const char *name)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    size_t len = strlen(name);
    assert_true(len < sizeof addr.sun_path);
    memcpy(addr.sun_path, name, len);
    socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    if (name[0] == '@')
        addr.sun_path[0] = '\0'; /* abstract: exactly the name's bytes */
    else
        addr_len++;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, addr_len), 0);
    struct timeval tv = {.tv_sec = 5};
    assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
    return fd;
}

static int setup_path(void **state)
{
    struct listener *l = calloc(1, sizeof *l);
    snprintf(l->dir, sizeof l->dir, "/tmp/wow-notify-XXXXXX");
    assert_non_null(mkdtemp(l->dir));
    snprintf(l->name, sizeof l->name, "%s/notify.sock", l->dir);
    l->fd = bind_listener(l->name);
    setenv("NOTIFY_SOCKET", l->name, 1);
    *state = l;
    return 0;
}

static int setup_abstract(void **state)
{
    struct listener *l = calloc(1, sizeof *l);
    unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    snprintf(l->name, sizeof l->name, "@wowkiosk-test-notify-%ld-%u", (long)getpid(), seed);
    l->fd = bind_listener(l->name);
    setenv("NOTIFY_SOCKET", l->name, 1);
    *state = l;
    return 0;
}

static int teardown(void **state)
{
    struct listener *l = *state;
    close(l->fd);
    if (l->dir[0] != '\0') {
        unlink(l->name);
        rmdir(l->dir);
    }
    unsetenv("NOTIFY_SOCKET");
    free(l);
    return 0;
}

/* Receives one datagram and checks it is exactly `expected`. */
static void expect_datagram(const struct listener *l, const char *expected)
{
    char buf[2048];
    ssize_t n = recv(l->fd, buf, sizeof buf, 0);
    assert_true(n >= 0);
    buf[n] = '\0';
    assert_int_equal((size_t)n, strlen(expected));
    assert_memory_equal(buf, expected, (size_t)n);
}

static void expect_nothing(const struct listener *l)
{
    char buf[64];
    assert_int_equal(recv(l->fd, buf, sizeof buf, MSG_DONTWAIT), -1);
    assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Every function's exact bytes. */
static void check_every_message(const struct listener *l)
{
    assert_true(notify_ready("serving 4 faces"));
    expect_datagram(l, "READY=1\nSTATUS=serving 4 faces");
    assert_true(notify_ready(NULL));
    expect_datagram(l, "READY=1");
    assert_true(notify_status("store: retrying in 2 s"));
    expect_datagram(l, "STATUS=store: retrying in 2 s");
    assert_true(notify_stopping());
    expect_datagram(l, "STOPPING=1");
    assert_true(notify_watchdog());
    expect_datagram(l, "WATCHDOG=1");
    assert_true(notify_send("RELOADING=1\nMONOTONIC_USEC=12345"));
    expect_datagram(l, "RELOADING=1\nMONOTONIC_USEC=12345");
    expect_nothing(l);
}

static void test_path_socket(void **state)
{
    check_every_message(*state);
}

static void test_abstract_socket(void **state)
{
    check_every_message(*state);
}

/* A newline in a status must not add a key (e.g. a store error text). */
static void test_status_newlines_cannot_add_keys(void **state)
{
    struct listener *l = *state;
    assert_true(notify_status("disk full\nREADY=1\r\nx"));
    expect_datagram(l, "STATUS=disk full READY=1  x");
    assert_true(notify_ready("a\nSTOPPING=1"));
    expect_datagram(l, "READY=1\nSTATUS=a STOPPING=1");
    assert_true(notify_status(""));
    expect_datagram(l, "STATUS=");
}

static void test_long_status_is_cut_not_lost(void **state)
{
    struct listener *l = *state;
    char status[3000];
    memset(status, 'x', sizeof status - 1);
    status[sizeof status - 1] = '\0';
    assert_true(notify_status(status));
    char buf[4096];
    ssize_t n = recv(l->fd, buf, sizeof buf, 0);
    assert_true(n > 100 && n < 3000);
    assert_memory_equal(buf, "STATUS=xxx", 10);
}

/* Without NOTIFY_SOCKET every call is a no-op that succeeds. */
static void test_unset_is_a_quiet_no_op(void **state)
{
    struct listener *l = *state;
    unsetenv("NOTIFY_SOCKET");
    assert_true(notify_ready("x"));
    assert_true(notify_status("x"));
    assert_true(notify_stopping());
    assert_true(notify_watchdog());
    assert_true(notify_send("A=1"));
    setenv("NOTIFY_SOCKET", "", 1);
    assert_true(notify_watchdog());
    expect_nothing(l);
}

static void test_empty_message_is_refused(void **state)
{
    assert_false(notify_send(""));
    assert_false(notify_send(NULL));
    expect_nothing(*state);
}

/* Runs fn with stderr sent to a file; returns what was written (static). */
static const char *captured_stderr(void (*fn)(void))
{
    static char text[4096];
    char path[] = "/tmp/wow-notify-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    fn();
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    assert_true(n >= 0);
    text[n] = '\0';
    return text;
}

static int count_lines_with(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static const struct listener *failing_listener;

static void fail_three_times_then_work_then_fail(void)
{
    setenv("NOTIFY_SOCKET", "/nonexistent-dir-wow/notify.sock", 1);
    assert_false(notify_watchdog());
    assert_false(notify_watchdog());
    assert_false(notify_status("x"));
    setenv("NOTIFY_SOCKET", failing_listener->name, 1);
    assert_true(notify_watchdog());
    assert_true(notify_watchdog());
    setenv("NOTIFY_SOCKET", "/nonexistent-dir-wow/notify.sock", 1);
    assert_false(notify_watchdog());
    assert_false(notify_watchdog());
    setenv("NOTIFY_SOCKET", failing_listener->name, 1);
}

/* One error line per run of failures (with strerror), one when it works
 * again: not a line per watchdog tick. */
static void test_failure_logged_once(void **state)
{
    failing_listener = *state;
    assert_true(notify_watchdog()); /* an earlier test's failure is over */
    expect_datagram(*state, "WATCHDOG=1");
    const char *log = captured_stderr(fail_three_times_then_work_then_fail);
    assert_int_equal(count_lines_with(log, "[error] notify:"), 2);
    assert_int_equal(count_lines_with(log, "No such file or directory"), 2);
    assert_int_equal(count_lines_with(log, "/nonexistent-dir-wow/notify.sock"), 2);
    assert_int_equal(count_lines_with(log, "works again"), 1);
    assert_int_equal(count_lines_with(log, "\n"), 3);
    expect_datagram(*state, "WATCHDOG=1");
    expect_datagram(*state, "WATCHDOG=1");
    expect_nothing(*state);
}

static void test_unusable_addresses_fail(void **state)
{
    setenv("NOTIFY_SOCKET", "relative/notify.sock", 1); /* neither '/' nor '@' */
    assert_false(notify_watchdog());
    setenv("NOTIFY_SOCKET", "vsock:2:1234", 1); /* newer systemd; not supported */
    assert_false(notify_watchdog());
    setenv("NOTIFY_SOCKET", "@", 1);
    assert_false(notify_watchdog());
    char long_path[200] = "/";
    memset(long_path + 1, 'a', sizeof long_path - 2);
    long_path[sizeof long_path - 1] = '\0';
    setenv("NOTIFY_SOCKET", long_path, 1);
    assert_false(notify_watchdog());
    expect_nothing(*state);
}

/* Two threads sending at once: every datagram arrives whole. */
static void *send_watchdogs(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100; i++)
        if (!notify_watchdog())
            return (void *)1;
    return NULL;
}

static void test_threads_send_whole_datagrams(void **state)
{
    struct listener *l = *state;
    int size = 1 << 20;
    setsockopt(l->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, send_watchdogs, NULL), 0);
    assert_int_equal(pthread_create(&b, NULL, send_watchdogs, NULL), 0);
    int received = 0;
    for (; received < 200; received++)
        expect_datagram(l, "WATCHDOG=1");
    void *ra, *rb;
    assert_int_equal(pthread_join(a, &ra), 0);
    assert_int_equal(pthread_join(b, &rb), 0);
    assert_null(ra);
    assert_null(rb);
    expect_nothing(l);
}

static int64_t interval_with(const char *usec, const char *pid)
{
    if (usec != NULL)
        setenv("WATCHDOG_USEC", usec, 1);
    else
        unsetenv("WATCHDOG_USEC");
    if (pid != NULL)
        setenv("WATCHDOG_PID", pid, 1);
    else
        unsetenv("WATCHDOG_PID");
    return notify_watchdog_interval_ms();
}

static void test_watchdog_interval(void **state)
{
    (void)state;
    char me[32], other[32];
    snprintf(me, sizeof me, "%ld", (long)getpid());
    snprintf(other, sizeof other, "%ld", (long)getpid() + 1);

    assert_int_equal(interval_with(NULL, NULL), 0);
    assert_int_equal(interval_with("30000000", NULL), 15000);
    assert_int_equal(interval_with("30000000", me), 15000);
    assert_int_equal(interval_with("5000001", me), 2500);
    assert_int_equal(interval_with("30000000", other), 0);
    assert_int_equal(interval_with("1000", NULL), 1); /* 0.5 ms: at least 1 */
    assert_int_equal(interval_with("0", NULL), 0);
    /* Garbage is "off", never a huge or negative interval. */
    assert_int_equal(interval_with("", NULL), 0);
    assert_int_equal(interval_with("abc", NULL), 0);
    assert_int_equal(interval_with("-30000000", NULL), 0);
    assert_int_equal(interval_with(" 30000000", NULL), 0);
    assert_int_equal(interval_with("30000000s", NULL), 0);
    assert_int_equal(interval_with("99999999999999999999999", NULL), 0);
    assert_int_equal(interval_with("30000000", ""), 0);
    assert_int_equal(interval_with("30000000", "12abc"), 0);
    assert_int_equal(interval_with("30000000", "-1"), 0);
    assert_int_equal(interval_with("18446744073709551615", NULL), INT64_MAX / 2000);
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_path_socket, setup_path, teardown),
        cmocka_unit_test_setup_teardown(test_abstract_socket, setup_abstract, teardown),
        cmocka_unit_test_setup_teardown(test_status_newlines_cannot_add_keys, setup_path, teardown),
        cmocka_unit_test_setup_teardown(test_long_status_is_cut_not_lost, setup_abstract, teardown),
        cmocka_unit_test_setup_teardown(test_unset_is_a_quiet_no_op, setup_path, teardown),
        cmocka_unit_test_setup_teardown(test_empty_message_is_refused, setup_path, teardown),
        cmocka_unit_test_setup_teardown(test_failure_logged_once, setup_path, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_addresses_fail, setup_path, teardown),
        cmocka_unit_test_setup_teardown(test_threads_send_whole_datagrams, setup_abstract,
                                        teardown),
        cmocka_unit_test(test_watchdog_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
