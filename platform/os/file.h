/*
 * file: whole small text files (configs, catalogs, scripts) into memory,
 * small state files written whole, and files written durably (fsync'd,
 * renamed into place, the directory fsync'd).
 */
#ifndef WOW_FILE_H
#define WOW_FILE_H

#include <stdbool.h>
#include <stddef.h>

#define FILE_READ_MAX (4 * 1024 * 1024) /* the largest file file_read_text reads */

/* *err_no values beyond errno's: file_error() says them in words. */
#define FILE_ERR_NOT_REGULAR (-1001) /* a directory, FIFO, device... */
#define FILE_ERR_TOO_BIG     (-1002) /* over FILE_READ_MAX */

/* Reads the regular file at path (at most FILE_READ_MAX bytes) and returns
 * its bytes followed by a NUL, in a buffer the caller frees.  Returns NULL
 * with an errno value or a FILE_ERR_* in *err_no (ENOMEM when out of
 * memory).  A FIFO or device is refused without blocking on it. */
char *file_read_text(const char *path, int *err_no);

/* What an *err_no of file_read_text means, in words (a static string). */
const char *file_error(int err_no);

/* Replaces the file at path with len bytes of text atomically (PATH.tmp,
 * then rename): a reader sees the old file or the new one, never half of
 * one; and durably when it returns true: the file is fsync'd before the
 * rename and its directory after.  False with the errno value in *err_no.
 * file_write_text: the same for a NUL-terminated text. */
bool file_write_durable(const char *path, const char *text, size_t len, int *err_no);
bool file_write_text(const char *path, const char *text, int *err_no);

/* fsync of a file or directory (directory true) by path, and of the
 * directory holding path.  False with the errno value in *err_no. */
bool file_sync_path(const char *path, bool directory, int *err_no);
bool file_sync_parent(const char *path, int *err_no);

/* Sets the file at path's modification time to now, creating it empty
 * (mode 0644) if missing; a symbolic link there is refused (ELOOP), not
 * followed.  False with the errno value in *err_no. */
bool file_touch(const char *path, int *err_no);

/* Removes the file at path; one that is already missing is no failure.
 * False with the errno value in *err_no. */
bool file_remove(const char *path, int *err_no);

#endif
