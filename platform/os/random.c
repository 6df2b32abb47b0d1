/* random: bytes from /dev/urandom (see random.h). */
#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

bool random_bytes(void *buf, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t got = read(fd, buf, n);
    int err = errno;
    close(fd);
    if (got == (ssize_t)n)
        return true;
    errno = got < 0 ? err : EIO;
    return false;
}
