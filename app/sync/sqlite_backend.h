/*
 * sqlite_backend: the shared database in a local SQLite file (see
 * sqlite_backend.c).  sqlite_backend_create is declared in
 * sync_backend.h; this header adds what tests need.
 */
#ifndef WOW_SQLITE_BACKEND_H
#define WOW_SQLITE_BACKEND_H

#include <stddef.h>
#include <stdint.h>

struct statfs;
struct sync_backend;

/* The name of the network file system with statfs f_type, or NULL when
 * it is not one known to reach another machine. */
const char *sqlite_backend_network_fs(unsigned long f_type);

/* sqlite_backend_create with statfs replaced (tests make a path look as
 * if it were on NFS).  Returns NULL only when out of memory. */
struct sync_backend *sqlite_backend_create_statfs(const char *path,
                                                  int (*statfs_fn)(const char *, struct statfs *));

/* The SQLite default on one machine (docs/CATALOG.md): a shared file at
 * path whose catalog_versions is empty gets version 1, made by
 * "kiosk:KIOSK_ID", with body (the fleet document, catalog_export's text)
 * and the kiosk's own kiosk_catalog row with rendering (catalog_render's
 * text), in one transaction; the file is created and migrated as the sync
 * does.  A file that has a catalog is left as it is.  Returns 1 when it
 * seeded, 0 when the file had a catalog, -1 with error (size bytes)
 * otherwise.  Never for PostgreSQL: a conninfo is refused (-1). */
int sqlite_backend_seed_catalog(const char *path, const char *kiosk_id, const char *body,
                                const char *rendering, int64_t now_utc_ms, char *error,
                                size_t size);

#endif
