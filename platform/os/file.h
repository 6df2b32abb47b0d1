/*
 * file: whole small text files (configs, catalogs, scripts) into memory,
 * and small state files written whole.
 */
#ifndef WOW_FILE_H
#define WOW_FILE_H

#include <stdbool.h>

/* Reads the file at path and returns its bytes followed by a NUL, in a
 * buffer the caller frees.  Returns NULL with the errno value in *err_no
 * (ENOMEM when out of memory) when it cannot be read. */
char *file_read_text(const char *path, int *err_no);

/* Replaces the file at path with text atomically (PATH.tmp, then rename):
 * a reader sees the old file or the new one, never half of one.  Returns
 * false with the errno value in *err_no. */
bool file_write_text(const char *path, const char *text, int *err_no);

#endif
