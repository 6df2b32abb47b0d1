/*
 * file: whole small text files into memory (see file.h).
 */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

char *file_read_text(const char *path, int *err_no)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *err_no = errno;
        return NULL;
    }
    char *text = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(text, cap);
            if (grown == NULL) {
                *err_no = ENOMEM;
                goto fail;
            }
            text = grown;
        }
        n = fread(text + len, 1, 4096, f);
        len += n;
    } while (n == 4096);
    if (ferror(f)) {
        *err_no = errno != 0 ? errno : EIO;
        goto fail;
    }
    fclose(f);
    text[len] = '\0';
    return text;
fail:
    fclose(f);
    free(text);
    return NULL;
}

bool file_write_text(const char *path, const char *text, int *err_no)
{
    char tmp[4096 + 8];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        *err_no = ENAMETOOLONG;
        return false;
    }
    FILE *f = fopen(tmp, "w");
    if (f == NULL) {
        *err_no = errno;
        return false;
    }
    bool ok = fputs(text, f) >= 0 && fflush(f) == 0;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        remove(tmp);
        *err_no = saved != 0 ? saved : EIO;
    }
    return ok;
}
