/*
 * test_net: the primary address is a real, up, non-loopback address of this
 * machine (checked against getifaddrs here), IPv4 when there is one; the
 * uptimes agree with /proc/uptime and the monotonic clock.
 */
#define _DEFAULT_SOURCE 1 /* getifaddrs */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "net.h"

/* Whether getifaddrs lists `address` on interface `name`, up and not loopback. */
static bool interface_has(const char *name, const char *address)
{
    struct ifaddrs *list;
    assert_int_equal(getifaddrs(&list), 0);
    bool found = false;
    for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL || strcmp(ifa->ifa_name, name) != 0)
            continue;
        int family = ifa->ifa_addr->sa_family;
        char text[INET6_ADDRSTRLEN] = "";
        if (family == AF_INET)
            inet_ntop(family, &((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr, text,
                      sizeof text);
        else if (family == AF_INET6)
            inet_ntop(family, &((struct sockaddr_in6 *)(void *)ifa->ifa_addr)->sin6_addr, text,
                      sizeof text);
        if (strcmp(text, address) == 0 && (ifa->ifa_flags & IFF_UP) &&
            !(ifa->ifa_flags & IFF_LOOPBACK))
            found = true;
    }
    freeifaddrs(list);
    return found;
}

/* Whether this machine has an up, non-loopback IPv4 address (not 127/8). */
static bool machine_has_ipv4(void)
{
    struct ifaddrs *list;
    assert_int_equal(getifaddrs(&list), 0);
    bool found = false;
    for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET)
            continue;
        uint32_t a = ntohl(((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr.s_addr);
        if ((ifa->ifa_flags & IFF_UP) && !(ifa->ifa_flags & IFF_LOOPBACK) && (a >> 24) != 127)
            found = true;
    }
    freeifaddrs(list);
    return found;
}

static bool machine_has_loopback(void)
{
    struct ifaddrs *list;
    assert_int_equal(getifaddrs(&list), 0);
    bool found = false;
    for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next)
        if (ifa->ifa_flags & IFF_LOOPBACK)
            found = true;
    freeifaddrs(list);
    return found;
}

static void test_primary_address_is_real_and_not_loopback(void **state)
{
    (void)state;
    char buf[128];
    net_primary_address(buf, sizeof buf);
    print_message("primary address: %s\n", buf);
    assert_true(machine_has_loopback()); /* or this test proves nothing */
    if (strcmp(buf, "no network") == 0) {
        assert_false(machine_has_ipv4());
        return;
    }
    /* "ADDRESS (IFNAME)" */
    char *open_paren = strstr(buf, " (");
    assert_non_null(open_paren);
    size_t len = strlen(buf);
    assert_int_equal(buf[len - 1], ')');
    buf[len - 1] = '\0';
    *open_paren = '\0';
    const char *address = buf, *name = open_paren + 2;
    assert_string_not_equal(name, "lo");
    unsigned char bin[16];
    bool v4 = inet_pton(AF_INET, address, bin) == 1;
    assert_true(v4 || inet_pton(AF_INET6, address, bin) == 1);
    assert_false(v4 && bin[0] == 127);
    assert_string_not_equal(address, "::1");
    assert_true(interface_has(name, address));
    if (machine_has_ipv4())
        assert_true(v4); /* IPv4 is preferred */
}

static void test_small_buffers_are_terminated(void **state)
{
    (void)state;
    char full[128], small[6];
    net_primary_address(full, sizeof full);
    memset(small, 'Z', sizeof small);
    net_primary_address(small, sizeof small);
    assert_int_equal(small[sizeof small - 1], '\0');
    assert_memory_equal(small, full, sizeof small - 1);
    char one = 'Z';
    net_primary_address(&one, 1);
    assert_int_equal(one, '\0');
    net_primary_address(NULL, 0); /* writes nothing */
}

static void test_seconds_since_boot_matches_proc_uptime(void **state)
{
    (void)state;
    FILE *f = fopen("/proc/uptime", "r");
    if (f == NULL)
        skip();
    char line[128];
    assert_non_null(fgets(line, sizeof line, f));
    fclose(f);
    double proc_uptime = strtod(line, NULL);
    int64_t boot = net_seconds_since_boot();
    print_message("since boot: %lld s; /proc/uptime %.2f s\n", (long long)boot, proc_uptime);
    assert_true(boot > 0);
    assert_in_range(boot, (int64_t)proc_uptime - 2, (int64_t)proc_uptime + 2);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_seconds_since_start(void **state)
{
    (void)state;
    int64_t now = mono_ms();
    assert_in_range(net_seconds_since_start(now - 5500), 5, 6);
    assert_in_range(net_seconds_since_start(now - 3600 * 1000), 3600, 3601);
    assert_int_equal(net_seconds_since_start(now + 60000), 0);
    assert_in_range(net_seconds_since_start(now), 0, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primary_address_is_real_and_not_loopback),
        cmocka_unit_test(test_small_buffers_are_terminated),
        cmocka_unit_test(test_seconds_since_boot_matches_proc_uptime),
        cmocka_unit_test(test_seconds_since_start),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
