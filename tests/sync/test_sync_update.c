/*
 * test_sync_update: the kiosk's half of a system update (sync_update.h).
 * An offer is checked field by field (a URL that is not http(s), one with
 * a space, quote or newline that would become another line or argument,
 * a checksum that is not 64 lowercase hex digits, a size out of range);
 * the offer file is written once, not again while the offer stays the
 * same (nor on a new engine's first round when the file already says
 * it), and removed when nothing is offered; the updater's state file is
 * read back with only what the updater writes kept (an unknown state, a
 * version or slot of other characters dropped; the error made UTF-8
 * without control characters).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "sync_update.h"

static struct sync_update_offer good_offer(void)
{
    struct sync_update_offer o = {.present = true, .size = 123456};
    snprintf(o.version, sizeof o.version, "1.4.0+rc1");
    snprintf(o.url, sizeof o.url, "https://updates.example.org/wowkiosk-1.4.0.raucb");
    snprintf(o.sha256, sizeof o.sha256, "%064d", 7);
    return o;
}

static void refused(const struct sync_update_offer *o, const char *field)
{
    char why[256] = "";
    assert_false(sync_update_offer_check(o, why, sizeof why));
    if (strncmp(why, field, strlen(field)) != 0)
        fail_msg("expected a refusal of %s, got '%s'", field, why);
}

static void test_offer_check(void **state)
{
    (void)state;
    char why[256] = "";
    struct sync_update_offer o = good_offer();
    assert_true(sync_update_offer_check(&o, why, sizeof why));
    assert_true(sync_update_offer_check(&(struct sync_update_offer){0}, why, sizeof why));
    snprintf(o.url, sizeof o.url, "http://10.0.0.1:8080/b.raucb");
    assert_true(sync_update_offer_check(&o, why, sizeof why));

    static const char *const bad_urls[] = {
        "file:///etc/shadow",
        "ftp://x/y",
        "https://",
        "HTTPS//x",
        "https://x/a b",
        "https://x/a\nsha256=0000",
        "https://x/'$(reboot)'",
        "https://x/\"a\"",
        "https://x/\x7f",
        "https://x/\xc3\xa4",
        "",
    };
    for (size_t i = 0; i < sizeof bad_urls / sizeof bad_urls[0]; i++) {
        o = good_offer();
        snprintf(o.url, sizeof o.url, "%s", bad_urls[i]);
        refused(&o, "url");
    }
    o = good_offer();
    memset(o.url, 'a', sizeof o.url - 1);
    memcpy(o.url, "https://", 8);
    o.url[sizeof o.url - 1] = '\0'; /* the longest that fits (a longer one arrives empty) */
    assert_true(sync_update_offer_check(&o, why, sizeof why));

    static const char *const bad_versions[] = {"", "1.4 0", "1.4/../0", "1.4\n", "1;reboot"};
    for (size_t i = 0; i < sizeof bad_versions / sizeof bad_versions[0]; i++) {
        o = good_offer();
        snprintf(o.version, sizeof o.version, "%s", bad_versions[i]);
        refused(&o, "version");
    }
    o = good_offer();
    o.sha256[10] = 'A'; /* upper case: the updater compares sha256sum's lower case */
    refused(&o, "sha256");
    o = good_offer();
    o.sha256[63] = '\0';
    refused(&o, "sha256");
    o = good_offer();
    o.size = 0;
    refused(&o, "size");
    o.size = SYNC_UPDATE_SIZE_MAX + 1;
    refused(&o, "size");
    assert_true(sync_update_version_ok("1.4.0~beta-2"));
    assert_false(sync_update_version_ok("1.4.0 beta"));
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_offer_file(void **state)
{
    (void)state;
    char dir[] = "/tmp/wow-update-XXXXXX", sub[64], path[96], last[2048] = "", error[512];
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof sub, "%s/update", dir); /* made by the first offer */
    snprintf(path, sizeof path, "%s/offer", sub);

    struct sync_update_offer none = {0}, o = good_offer();
    assert_int_equal(sync_update_put_offer(sub, &none, last, sizeof last, error, sizeof error), 0);
    assert_null(read_file(path));
    assert_int_equal(sync_update_put_offer(sub, &o, last, sizeof last, error, sizeof error), 0);
    char expect[2048];
    sync_update_offer_text(&o, expect, sizeof expect);
    assert_string_equal(read_file(path), expect);
    assert_non_null(strstr(expect, "version=1.4.0+rc1\nurl=https://"));
    assert_non_null(strstr(expect, "\nsize=123456\n"));

    /* the same offer again: the file is not written (a marker left in it stays) */
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs("marker\n", f);
    fclose(f);
    assert_int_equal(sync_update_put_offer(sub, &o, last, sizeof last, error, sizeof error), 0);
    assert_non_null(strstr(read_file(path), "marker"));

    /* a new engine (last forgotten) finds the file as it should be: untouched */
    assert_int_equal(sync_update_put_offer(sub, &none, last, sizeof last, error, sizeof error), 0);
    assert_null(read_file(path));
    assert_int_equal(sync_update_put_offer(sub, &o, last, sizeof last, error, sizeof error), 0);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    char fresh[2048] = "";
    sleep(1);
    assert_int_equal(sync_update_put_offer(sub, &o, fresh, sizeof fresh, error, sizeof error), 0);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_mtime, after.st_mtime);
    assert_int_equal(before.st_ino, after.st_ino);

    /* another version replaces it */
    snprintf(o.version, sizeof o.version, "1.5.0");
    assert_int_equal(sync_update_put_offer(sub, &o, last, sizeof last, error, sizeof error), 0);
    assert_non_null(strstr(read_file(path), "version=1.5.0\n"));

    /* a directory it cannot write: the error names the file */
    char blocked[96];
    snprintf(blocked, sizeof blocked, "%s/blocked", dir);
    f = fopen(blocked, "w"); /* a file where the directory should be */
    assert_non_null(f);
    fclose(f);
    char other[2048] = "";
    assert_int_equal(sync_update_put_offer(blocked, &o, other, sizeof other, error, sizeof error),
                     -1);
    assert_non_null(strstr(error, "blocked/offer"));

    assert_int_equal(sync_update_put_offer(sub, &none, last, sizeof last, error, sizeof error), 0);
    assert_null(read_file(path));
    unlink(blocked);
    rmdir(sub);
    assert_int_equal(rmdir(dir), 0);
}

static void test_report(void **state)
{
    (void)state;
    struct sync_update_report r;
    sync_update_parse_report(
        "slot=B\nversion=1.4.0\nstate=failed\nerror=self-test exit 2 on slot B\n", &r);
    assert_string_equal(r.slot, "B");
    assert_string_equal(r.version, "1.4.0");
    assert_string_equal(r.state, "failed");
    assert_string_equal(r.error, "self-test exit 2 on slot B");

    /* the first line naming a key wins, as the updater's own reading */
    sync_update_parse_report("state=good\nstate=failed\nversion=2\n", &r);
    assert_string_equal(r.state, "good");
    assert_string_equal(r.slot, "");

    /* only what the updater writes */
    sync_update_parse_report("slot=A B\nversion=1.4.0;x\nstate=pwned\nerror=a\x01\xff\x7f"
                             "b\n",
                             &r);
    assert_string_equal(r.slot, "");
    assert_string_equal(r.version, "");
    assert_string_equal(r.state, "");
    for (const char *c = r.error; *c; c++)
        assert_true((unsigned char)*c >= ' ' && *c != 0x7f);
    assert_non_null(strstr(r.error, "a"));

    /* an error longer than the column is cut, not dropped */
    char text[1200];
    int n = snprintf(text, sizeof text, "state=refused\nerror=");
    memset(text + n, 'x', 1000);
    text[n + 1000] = '\0';
    sync_update_parse_report(text, &r);
    assert_string_equal(r.state, "refused");
    assert_int_equal(strlen(r.error), sizeof r.error - 1);

    /* no file: nothing to report */
    sync_update_read_report("/nonexistent/wow", &r);
    assert_string_equal(r.state, "");
}

static void test_system_version(void **state)
{
    (void)state;
    /* v is shorter than SYNC_UPDATE_VERSION_MAX: a version must fit the caller's buffer */
    char dir[] = "/tmp/wow-sysver-XXXXXX", path[64], v[32] = "kept", why[256] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/system-version", dir);

    /* no file: nothing read, nothing said */
    assert_int_equal(sync_update_read_system_version(path, v, sizeof v, why, sizeof why), 0);
    assert_string_equal(v, "kept");

    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("1.4.0-site+2\nanything after the first line\n", f);
    fclose(f);
    assert_int_equal(sync_update_read_system_version(path, v, sizeof v, why, sizeof why), 1);
    assert_string_equal(v, "1.4.0-site+2");

    /* what the updater would not take, or what does not fit, is refused at its line */
    static const char *const bad[] = {"1.4.0 beta\n", "\n", "1.4;reboot\n", "\xe4\n",
                                      "123456789012345678901234567890123\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        f = fopen(path, "w");
        assert_non_null(f);
        fputs(bad[i], f);
        fclose(f);
        snprintf(v, sizeof v, "kept");
        assert_int_equal(sync_update_read_system_version(path, v, sizeof v, why, sizeof why), -1);
        assert_string_equal(v, "kept");
        assert_non_null(strstr(why, path));
        assert_non_null(strstr(why, ":1: expected a version"));
    }
    unlink(path);
    rmdir(dir);
}

static void test_booted_slot(void **state)
{
    (void)state;
    char dir[] = "/tmp/wow-cmdline-XXXXXX", path[64], slot[16] = "x";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/cmdline", dir);
    static const struct {
        const char *cmdline, *slot;
    } cases[] = {
        {"console=ttyAMA0 root=LABEL=wowroot-b rauc.slot=B quiet\n", "B"},
        {"rauc.slot=A rauc.slot=B\n", "B"}, /* the last one, as the kernel reads it */
        {"rauc.slot=B rauc.slot=$(x)\n", ""},
        {"root=/dev/mmcblk0p2 rootwait\n", ""},
        {"rauc.slot=\n", ""},
        {"rauc.slot=0123456789abcdef\n", ""}, /* does not fit */
        {"xrauc.slot=A\n", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(cases[i].cmdline, f);
        fclose(f);
        sync_update_booted_slot(path, slot, sizeof slot);
        assert_string_equal(slot, cases[i].slot);
    }
    unlink(path);
    sync_update_booted_slot(path, slot, sizeof slot);
    assert_string_equal(slot, "");
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offer_check), cmocka_unit_test(test_offer_file),
        cmocka_unit_test(test_report),      cmocka_unit_test(test_system_version),
        cmocka_unit_test(test_booted_slot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
