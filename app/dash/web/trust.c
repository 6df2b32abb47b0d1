/* trust: the client's address behind trusted proxies, and the hosts a POST
 * may name (see trust.h). */
#include "trust.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* The next comma-separated item of *list (spaces around it dropped) into
 * item; false at the end, or when the item is longer than size - 1. */
static bool next_item(const char **list, char *item, size_t size, bool *too_long)
{
    const char *p = *list;
    p += strspn(p, " ,");
    if (*p == '\0')
        return false;
    size_t n = strcspn(p, ",");
    *list = p + n;
    while (n > 0 && p[n - 1] == ' ')
        n--;
    *too_long = n >= size;
    snprintf(item, size, "%.*s", (int)n, p);
    return true;
}

static bool parse_address(const char *text, int *family, unsigned char bytes[16])
{
    if (inet_pton(AF_INET, text, bytes) == 1) {
        *family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, text, bytes) == 1) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

/* "ADDR" or "ADDR/BITS" into net; false when it is neither. */
static bool parse_net(const char *text, struct trust_net *net)
{
    char addr[64];
    const char *slash = strchr(text, '/');
    size_t n = slash ? (size_t)(slash - text) : strlen(text);
    if (n >= sizeof addr)
        return false;
    snprintf(addr, sizeof addr, "%.*s", (int)n, text);
    memset(net, 0, sizeof *net);
    if (!parse_address(addr, &net->family, net->bytes))
        return false;
    int max = net->family == AF_INET ? 32 : 128;
    net->bits = max;
    if (slash) {
        char *end;
        long bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end || bits < 0 || bits > max)
            return false;
        net->bits = (int)bits;
    }
    return true;
}

static bool net_contains(const struct trust_net *net, int family, const unsigned char *bytes)
{
    if (family != net->family)
        return false;
    int whole = net->bits / 8, rest = net->bits % 8;
    if (memcmp(net->bytes, bytes, (size_t)whole) != 0)
        return false;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return rest == 0 || (net->bytes[whole] & mask) == (bytes[whole] & mask);
}

bool trust_parse_proxies(struct trust *t, const char *list, char *err, size_t size)
{
    char item[80];
    bool too_long;
    while (next_item(&list, item, sizeof item, &too_long)) {
        if (t->n_proxies == TRUST_PROXIES_MAX) {
            snprintf(err, size, "--trusted-proxy: at most %d addresses or blocks",
                     TRUST_PROXIES_MAX);
            return false;
        }
        if (too_long || !parse_net(item, &t->proxies[t->n_proxies])) {
            snprintf(err, size,
                     "--trusted-proxy: expected numeric addresses or CIDR blocks separated by "
                     "commas, as 127.0.0.1,10.0.0.0/8,::1; got '%s'",
                     item);
            return false;
        }
        t->n_proxies++;
    }
    return true;
}

/* host[:port] as a Host header may hold it: letters, digits, '.', '-',
 * and a bracketed IPv6 address; a port of digits. */
static bool host_syntax(const char *text)
{
    const char *p = text;
    if (*p == '[') {
        p += 1 + strspn(p + 1, "0123456789abcdefABCDEF:.");
        if (*p++ != ']')
            return false;
    } else {
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
        if (n == 0)
            return false;
        p += n;
    }
    if (*p == ':') {
        size_t n = strspn(p + 1, "0123456789");
        if (n == 0 || n > 5)
            return false;
        p += 1 + n;
    }
    return *p == '\0';
}

static void add_host(struct trust *t, const char *host)
{
    if (t->n_hosts < TRUST_HOSTS_MAX)
        snprintf(t->hosts[t->n_hosts++], TRUST_HOST_LEN, "%s", host);
}

bool trust_parse_hosts(struct trust *t, const char *list, char *err, size_t size)
{
    char item[TRUST_HOST_LEN];
    bool too_long;
    while (next_item(&list, item, sizeof item, &too_long)) {
        if (t->n_hosts == TRUST_HOSTS_MAX) {
            snprintf(err, size, "--allowed-host: at most %d names", TRUST_HOSTS_MAX);
            return false;
        }
        if (too_long || !host_syntax(item)) {
            snprintf(err, size,
                     "--allowed-host: expected host names (with a port when not 80 or 443) "
                     "separated by commas, as dash.example.org,dash.example.org:8443; got '%s'",
                     item);
            return false;
        }
        add_host(t, item);
    }
    return true;
}

void trust_add_listen(struct trust *t, const char *host, bool v6, long port)
{
    char name[TRUST_HOST_LEN];
    snprintf(name, sizeof name, v6 ? "[%s]:%ld" : "%s:%ld", host, port);
    add_host(t, name);
    if (!strcmp(host, "127.0.0.1") || !strcmp(host, "::1")) {
        snprintf(name, sizeof name, "localhost:%ld", port);
        add_host(t, name);
    }
}

bool trust_is_proxy(const struct trust *t, const char *addr)
{
    int family;
    unsigned char bytes[16];
    if (!t || t->n_proxies == 0 || !parse_address(addr, &family, bytes))
        return false;
    for (int i = 0; i < t->n_proxies; i++)
        if (net_contains(&t->proxies[i], family, bytes))
            return true;
    return false;
}

void trust_client(const struct trust *t, const char *peer, const char *forwarded_for, char *out,
                  size_t size)
{
    snprintf(out, size, "%s", peer);
    if (!forwarded_for || !trust_is_proxy(t, peer))
        return;
    /* from the right: each hop appended the address it saw */
    const char *end = forwarded_for + strlen(forwarded_for);
    while (end > forwarded_for) {
        const char *start = end;
        while (start > forwarded_for && start[-1] != ',')
            start--;
        char item[64];
        const char *a = start + strspn(start, " \t");
        size_t n = (size_t)(end - a);
        while (n > 0 && (a[n - 1] == ' ' || a[n - 1] == '\t'))
            n--;
        int family;
        unsigned char bytes[16];
        if (n == 0 || n >= sizeof item)
            return;
        snprintf(item, sizeof item, "%.*s", (int)n, a);
        if (!parse_address(item, &family, bytes))
            return; /* not an address: the proxy's own is all we know */
        if (!trust_is_proxy(t, item)) {
            snprintf(out, size, "%s", item);
            return;
        }
        end = start > forwarded_for ? start - 1 : start;
    }
}

static bool host_allowed(const struct trust *t, const char *host)
{
    for (int i = 0; i < t->n_hosts; i++)
        if (!strcasecmp(t->hosts[i], host))
            return true;
    return false;
}

const char *trust_post_refusal(const struct trust *t, const char *host, const char *origin)
{
    if (t && t->n_hosts > 0 && (!host || !host_allowed(t, host)))
        return "This form was sent to a host name this dashboard does not answer for (Host); it "
               "is refused.";
    if (!origin)
        return NULL; /* not sent (older clients, curl): the csrf token decides */
    const char *origin_host = strstr(origin, "://");
    if (!strcmp(origin, "null") || !origin_host || !host || strcasecmp(origin_host + 3, host) != 0)
        return "This form was sent from another site (Origin); it is refused.";
    return NULL;
}
