/*
 * file: whole small text files into memory, and files written durably
 * (see file.h).
 */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Opens path for reading without blocking on a FIFO, and refuses what is
 * not a regular file: a FIFO would block the reader, /dev/zero never ends. */
static int open_regular(const char *path, int *err_no)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *err_no = errno;
        return -1;
    }
    struct stat st;
    int bad = 0;
    if (fstat(fd, &st) != 0)
        bad = errno;
    else if (!S_ISREG(st.st_mode))
        bad = FILE_ERR_NOT_REGULAR;
    else if (st.st_size > FILE_READ_MAX)
        bad = FILE_ERR_TOO_BIG;
    if (bad != 0) {
        *err_no = bad;
        close(fd);
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

char *file_read_text(const char *path, int *err_no)
{
    int fd = open_regular(path, err_no);
    if (fd < 0)
        return NULL;
    char *text = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(text, cap);
            if (grown == NULL) {
                *err_no = ENOMEM;
                goto fail;
            }
            text = grown;
        }
        ssize_t n = read(fd, text + len, 4096);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *err_no = errno;
            goto fail;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > FILE_READ_MAX) { /* it grew while read */
            *err_no = FILE_ERR_TOO_BIG;
            goto fail;
        }
    }
    close(fd);
    text[len] = '\0';
    return text;
fail:
    close(fd);
    free(text);
    return NULL;
}

const char *file_error(int err_no)
{
    if (err_no == FILE_ERR_NOT_REGULAR)
        return "not a regular file";
    if (err_no == FILE_ERR_TOO_BIG)
        return "over 4 MiB, expected a small text file";
    return strerror(err_no);
}

bool file_write_text(const char *path, const char *text, int *err_no)
{
    return file_write_durable(path, text, strlen(text), err_no);
}

bool file_sync_path(const char *path, bool directory, int *err_no)
{
    int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) {
        *err_no = errno;
        return false;
    }
    bool ok = fsync(fd) == 0;
    if (!ok)
        *err_no = errno;
    close(fd);
    return ok;
}

bool file_sync_parent(const char *path, int *err_no)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return file_sync_path(".", true, err_no);
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    if (len >= sizeof dir) {
        *err_no = ENAMETOOLONG;
        return false;
    }
    memcpy(dir, path, len);
    dir[len] = '\0';
    return file_sync_path(dir, true, err_no);
}

bool file_write_durable(const char *path, const char *text, size_t len, int *err_no)
{
    char tmp[4096 + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        *err_no = ENAMETOOLONG;
        return false;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        *err_no = errno;
        return false;
    }
    size_t done = 0;
    bool ok = true;
    while (ok && done < len) {
        ssize_t n = write(fd, text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            done += (size_t)n;
    }
    if (ok)
        ok = fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        unlink(tmp);
        *err_no = saved != 0 ? saved : EIO;
        return false;
    }
    return file_sync_parent(path, err_no);
}

bool file_touch(const char *path, int *err_no)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
    if (fd < 0) {
        *err_no = errno;
        return false;
    }
    bool ok = futimens(fd, NULL) == 0;
    int saved = errno;
    close(fd);
    if (!ok)
        *err_no = saved;
    return ok;
}

bool file_remove(const char *path, int *err_no)
{
    if (unlink(path) == 0 || errno == ENOENT)
        return true;
    *err_no = errno;
    return false;
}
