/*
 * net: the primary address and uptimes for the technician screen (see net.h).
 */
/* getifaddrs() and CLOCK_BOOTTIME are not POSIX: ask glibc for them. */
#define _DEFAULT_SOURCE 1

#include "net.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* How good an address is for a technician to reach the kiosk by: lower is
 * better, -1 for not at all. */
static int address_rank(const struct ifaddrs *ifa)
{
    if (ifa->ifa_addr == NULL || ifa->ifa_name == NULL)
        return -1;
    if (!(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK))
        return -1;
    int rank;
    if (ifa->ifa_addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)ifa->ifa_addr;
        uint32_t a = ntohl(in->sin_addr.s_addr);
        if ((a >> 24) == 127)
            return -1;
        rank = (a >> 16) == 0xa9fe ? 2 : 0; /* 169.254/16: link-local */
    } else if (ifa->ifa_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)ifa->ifa_addr;
        const unsigned char *b = in6->sin6_addr.s6_addr;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr) || IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
            return -1;
        rank = (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ? 2 : 1; /* fe80::/10 */
    } else {
        return -1;
    }
    return (ifa->ifa_flags & IFF_RUNNING) ? rank : rank + 3;
}

static bool format_address(const struct ifaddrs *ifa, char *buf, size_t size)
{
    char text[INET6_ADDRSTRLEN];
    const void *src;
    if (ifa->ifa_addr->sa_family == AF_INET)
        src = &((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr;
    else
        src = &((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr;
    if (inet_ntop(ifa->ifa_addr->sa_family, src, text, sizeof text) == NULL)
        return false;
    snprintf(buf, size, "%s (%s)", text, ifa->ifa_name);
    return true;
}

void net_primary_address(char *buf, size_t size)
{
    if (size == 0)
        return;
    snprintf(buf, size, "no network");
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return;
    const struct ifaddrs *best = NULL;
    int best_rank = 0;
    for (const struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
        int rank = address_rank(ifa);
        if (rank >= 0 && (best == NULL || rank < best_rank)) {
            best = ifa;
            best_rank = rank;
        }
    }
    if (best != NULL && !format_address(best, buf, size))
        snprintf(buf, size, "no network");
    freeifaddrs(list);
}

int64_t net_seconds_since_boot(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec;
}

int64_t net_seconds_since_start(int64_t start_mono_ms)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return -1;
    int64_t now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return now_ms > start_mono_ms ? (now_ms - start_mono_ms) / 1000 : 0;
}
