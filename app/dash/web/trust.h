/*
 * trust: what the server believes about where a request comes from.
 *
 * - The client's address.  The TCP peer, unless the peer is one of the
 *   trusted proxies (serve --trusted-proxy): then the right-most address
 *   of X-Forwarded-For that is not itself a trusted proxy.  The header is
 *   never read from anyone else, so a client cannot choose the address the
 *   login throttle counts against.
 * - The hosts this dashboard answers for (serve --allowed-host, else the
 *   --listen address as 127.0.0.1:PORT, localhost:PORT, [::1]:PORT).  A
 *   POST whose Host is not one of them, whose Origin is "null" or names
 *   another host, is refused: a page elsewhere, or a name that resolves
 *   here by DNS rebinding, cannot post a form with a user's session.
 *
 * A struct trust is filled once at start and then only read: any number
 * of threads may call the lookups.
 */
#ifndef WOW_TRUST_H
#define WOW_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#define TRUST_PROXIES_MAX 16
#define TRUST_HOSTS_MAX   16
#define TRUST_HOST_LEN    256 /* a Host header's host[:port], with the NUL */

/* An address and how many leading bits of it must match (a CIDR block). */
struct trust_net {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char bytes[16]; /* 4 used for AF_INET */
    int bits;
};

struct trust {
    struct trust_net proxies[TRUST_PROXIES_MAX];
    int n_proxies;
    char hosts[TRUST_HOSTS_MAX][TRUST_HOST_LEN];
    int n_hosts;
};

/* Adds the comma-separated addresses or CIDR blocks of list ("127.0.0.1",
 * "10.0.0.0/8", "::1") to the trusted proxies; false with what is wrong
 * in err (size bytes). */
bool trust_parse_proxies(struct trust *t, const char *list, char *err, size_t size);

/* Adds the comma-separated host[:port] names of list to the allowed
 * hosts (compared without regard to case); false with what is wrong in err. */
bool trust_parse_hosts(struct trust *t, const char *list, char *err, size_t size);

/* Adds the names a loopback --listen address is reached by: host:port
 * and, for a loopback host, localhost:port. */
void trust_add_listen(struct trust *t, const char *host, bool v6, long port);

/* Whether addr (text, as inet_ntop writes it) is a trusted proxy. */
bool trust_is_proxy(const struct trust *t, const char *addr);

/* The client's address into out (size bytes): peer, or when peer is a
 * trusted proxy the right-most untrusted address of forwarded_for (the
 * X-Forwarded-For header, may be NULL); peer when that names none or
 * holds something that is not an address. */
void trust_client(const struct trust *t, const char *peer, const char *forwarded_for, char *out,
                  size_t size);

/* Why a POST with these Host and Origin headers (either may be NULL) must
 * be refused, as a sentence for the 403 page; NULL when it may go on.  t
 * may be NULL (tests): then only Origin against Host is checked. */
const char *trust_post_refusal(const struct trust *t, const char *host, const char *origin);

#endif
