/*
 * notify: the sd_notify datagram protocol (see notify.h).
 */
#include "notify.h"

#include "log.h"

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Whether the last send failed.  Process-wide on purpose: it is what makes a
 * failure logged once rather than on every watchdog tick; atomic because any
 * thread may send. */
static atomic_bool notify_failing = false;

/* Logs a failure the first time after a success (or ever). */
static void note_failure(const char *socket_name, const char *what, int err)
{
    if (!atomic_exchange(&notify_failing, true))
        log_error("notify: %s NOTIFY_SOCKET=%s: %s (not logged again until it works)", what,
                  socket_name, strerror(err));
}

static void note_success(const char *socket_name)
{
    if (atomic_exchange(&notify_failing, false))
        log_info("notify: sending to NOTIFY_SOCKET=%s works again", socket_name);
}

/* Fills addr from $NOTIFY_SOCKET's value: "/path" or "@abstract".  Returns
 * the address length to pass to sendto, or 0 with errno set. */
static socklen_t notify_address(const char *name, struct sockaddr_un *addr)
{
    size_t len = strlen(name);
    memset(addr, 0, sizeof *addr);
    addr->sun_family = AF_UNIX;
    if (name[0] != '/' && name[0] != '@') {
        errno = EAFNOSUPPORT; /* e.g. systemd's "vsock:" form: not supported here */
        return 0;
    }
    if (len >= sizeof addr->sun_path || len < 2) {
        errno = len < 2 ? EINVAL : ENAMETOOLONG;
        return 0;
    }
    memcpy(addr->sun_path, name, len);
    if (name[0] == '@') {
        /* Abstract namespace: a leading NUL, and the name's length counts
         * exactly, without a trailing NUL (which would be part of the name). */
        addr->sun_path[0] = '\0';
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    }
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
}

bool notify_send(const char *state)
{
    const char *name = getenv("NOTIFY_SOCKET");
    if (name == NULL || name[0] == '\0')
        return true;
    if (state == NULL || state[0] == '\0') {
        note_failure(name, "empty message for", EINVAL);
        return false;
    }

    struct sockaddr_un addr;
    socklen_t addr_len = notify_address(name, &addr);
    if (addr_len == 0) {
        note_failure(name, "cannot use address", errno);
        return false;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        note_failure(name, "cannot create a socket for", errno);
        return false;
    }
    size_t len = strlen(state);
    ssize_t sent = sendto(fd, state, len, MSG_NOSIGNAL, (const struct sockaddr *)&addr, addr_len);
    int err = sent < 0 ? errno : EMSGSIZE;
    close(fd);
    if (sent != (ssize_t)len) {
        note_failure(name, "cannot send to", err);
        return false;
    }
    note_success(name);
    return true;
}

/* Sends prefix followed by text with newlines turned into spaces. */
static bool send_with_text(const char *prefix, const char *text)
{
    char msg[1024];
    size_t n = strlen(prefix);
    if (n >= sizeof msg)
        return false;
    memcpy(msg, prefix, n);
    for (const char *p = text; p != NULL && *p != '\0' && n < sizeof msg - 1; p++)
        msg[n++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
    msg[n] = '\0';
    return notify_send(msg);
}

bool notify_ready(const char *status)
{
    if (status == NULL)
        return notify_send("READY=1");
    return send_with_text("READY=1\nSTATUS=", status);
}

bool notify_status(const char *status)
{
    return send_with_text("STATUS=", status != NULL ? status : "");
}

bool notify_stopping(void)
{
    return notify_send("STOPPING=1");
}

bool notify_watchdog(void)
{
    return notify_send("WATCHDOG=1");
}

/* Parses a whole non-negative decimal number; false on anything else. */
static bool parse_decimal(const char *text, unsigned long long *out)
{
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return false;
    *out = v;
    return true;
}

int64_t notify_watchdog_interval_ms(void)
{
    unsigned long long usec, pid;
    if (!parse_decimal(getenv("WATCHDOG_USEC"), &usec) || usec == 0)
        return 0;
    const char *pid_text = getenv("WATCHDOG_PID");
    if (pid_text != NULL && (!parse_decimal(pid_text, &pid) || pid != (unsigned long long)getpid()))
        return 0;
    if (usec > (unsigned long long)INT64_MAX)
        usec = (unsigned long long)INT64_MAX;
    int64_t ms = (int64_t)(usec / 2000);
    return ms > 0 ? ms : 1;
}
