/*
 * serve_moderation: the moderation lists read at start
 * (serve_moderation.h).
 */
#include "serve_moderation.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "file.h"
#include "log.h"
#include "moderation.h"

#ifndef WOW_MODERATION_DIR
#define WOW_MODERATION_DIR ""
#endif

struct moderation_lists *serve_moderation_load(const char *assets)
{
    static const char *const langs[] = {"en", "fi", "de"};
    struct moderation_lists *l = moderation_lists_new();
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/moderation", assets);
    snprintf(path, sizeof path, "%s/en.txt", dir);
    if (access(path, R_OK) != 0)
        snprintf(dir, sizeof dir, "%s", WOW_MODERATION_DIR);
    for (size_t i = 0; l && i < sizeof langs / sizeof langs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s.txt", dir, langs[i]);
        int err_no = 0;
        char *text = file_read_text(path, &err_no);
        size_t added = 0;
        if (!text) {
            log_error("%s: %s: comments in %s are not checked for abuse", path, file_error(err_no),
                      langs[i]);
            continue;
        }
        if (!moderation_lists_add(l, langs[i], text, &added)) {
            free(text);
            moderation_lists_free(l);
            return NULL;
        }
        free(text);
        log_info("moderation: %zu entries from %s", added, path);
    }
    return l;
}
