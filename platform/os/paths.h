/*
 * paths: where the kiosk keeps its files when no configuration says so.
 */
#ifndef WOW_PATHS_H
#define WOW_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* Writes the path of file name in the kiosk's state directory into buf:
 * $STATE_DIRECTORY (set by systemd's StateDirectory=), else
 * $XDG_DATA_HOME/wowkiosk, else $HOME/.local/share/wowkiosk, creating the
 * directory (0700).  Returns false (and logs why) if none is usable. */
bool paths_state_file(const char *name, char *buf, size_t size);

/* Writes the default store path, kiosk.db in the state directory. */
bool paths_default_store(char *buf, size_t size);

/* Creates every missing directory of the parent of file_path (mode 0700).
 * Returns false and logs the failing directory with strerror(). */
bool paths_make_parent(const char *file_path);

/* The data directory of an installed program: PREFIX/share/NAME when the
 * running binary is PREFIX/bin/... and that directory exists (so
 * /usr/bin/wowkiosk finds /usr/share/wowkiosk, and a copy installed under
 * /opt/x finds /opt/x/share/wowkiosk).  False when it does not exist: a
 * binary run from the build tree uses its compiled-in source directory. */
bool paths_installed_data(const char *name, char *buf, size_t size);

#endif
