/*
 * sqlite_backend: the shared database in a local SQLite file (see
 * sqlite_backend.c).  sqlite_backend_create is declared in
 * sync_backend.h; this header adds what tests need.
 */
#ifndef WOW_SQLITE_BACKEND_H
#define WOW_SQLITE_BACKEND_H

struct statfs;
struct sync_backend;

/* The name of the network file system with statfs f_type, or NULL when
 * it is not one known to reach another machine. */
const char *sqlite_backend_network_fs(unsigned long f_type);

/* sqlite_backend_create with statfs replaced (tests make a path look as
 * if it were on NFS).  Returns NULL only when out of memory. */
struct sync_backend *sqlite_backend_create_statfs(const char *path,
                                                  int (*statfs_fn)(const char *, struct statfs *));

#endif
