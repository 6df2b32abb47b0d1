/*
 * paths: where the kiosk keeps its files when no configuration says so.
 */
#ifndef WOW_PATHS_H
#define WOW_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the default store path into buf: $XDG_DATA_HOME/wowkiosk/kiosk.db,
 * else $HOME/.local/share/wowkiosk/kiosk.db, creating the directory (0700).
 * Returns false (and logs why) if neither variable is usable or the
 * directory cannot be created. */
bool paths_default_store(char *buf, size_t size);

/* Creates every missing directory of the parent of file_path (mode 0700).
 * Returns false and logs the failing directory with strerror(). */
bool paths_make_parent(const char *file_path);

#endif
