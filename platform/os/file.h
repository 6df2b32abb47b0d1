/*
 * file: whole small text files (configs, catalogs, scripts) into memory.
 */
#ifndef WOW_FILE_H
#define WOW_FILE_H

/* Reads the file at path and returns its bytes followed by a NUL, in a
 * buffer the caller frees.  Returns NULL with the errno value in *err_no
 * (ENOMEM when out of memory) when it cannot be read. */
char *file_read_text(const char *path, int *err_no);

#endif
