/*
 * store_identity: the registry of the files this process's open stores
 * have open (see store_private.h), so the sync's own connections never
 * open a store's name while it names another file.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "store_private.h"

/* The file each open store of this process has open, by path.  The sync's
 * own connections (store_changes) open the path only while it names that
 * file: a connection opened at the name after a rename over it would apply
 * the old file's -wal (still at that name) to the new file.  While
 * store_recheck moves the store over (changing), nobody else opens it.
 * Process-wide because a file's identity is; guarded by its mutex. */
#define IDENTITIES_MAX 8
static struct {
    pthread_mutex_t lock;
    struct identity {
        char path[STORE_PATH_MAX]; /* "" = a free entry */
        dev_t dev;
        ino_t ino;
        int refs; /* open stores on it */
        bool changing;
    } e[IDENTITIES_MAX];
} identities = {.lock = PTHREAD_MUTEX_INITIALIZER};

static struct identity *identity_find(const char *path)
{
    for (int i = 0; i < IDENTITIES_MAX; i++)
        if (strcmp(identities.e[i].path, path) == 0)
            return &identities.e[i];
    return NULL;
}

void store_identity_set(const char *path, dev_t dev, ino_t ino)
{
    pthread_mutex_lock(&identities.lock);
    struct identity *e = identity_find(path);
    if (e != NULL && !e->changing && e->dev == dev && e->ino == ino) {
        e->refs++; /* another store on the same file (a check, a seed) */
    } else {
        if (e == NULL)
            e = identity_find("");
        if (e != NULL) { /* more files than entries: the extra ones go unguarded */
            *e = (struct identity){.dev = dev, .ino = ino, .refs = 1};
            snprintf(e->path, sizeof e->path, "%s", path);
        }
    }
    pthread_mutex_unlock(&identities.lock);
}

void store_identity_clear(const char *path, bool changing)
{
    pthread_mutex_lock(&identities.lock);
    struct identity *e = identity_find(path);
    if (e != NULL && changing)
        e->changing = true;
    else if (e != NULL && !e->changing && --e->refs <= 0)
        e->path[0] = '\0';
    pthread_mutex_unlock(&identities.lock);
}

void store_identity_release(const char *path)
{
    pthread_mutex_lock(&identities.lock);
    struct identity *e = identity_find(path);
    if (e != NULL)
        e->path[0] = '\0';
    pthread_mutex_unlock(&identities.lock);
}

bool store_identity_usable(const char *path, char *why, size_t size)
{
    struct stat st;
    bool found = stat(path, &st) == 0;
    pthread_mutex_lock(&identities.lock);
    const struct identity *e = identity_find(path);
    bool ok = e == NULL || (!e->changing && found && st.st_dev == e->dev && st.st_ino == e->ino);
    pthread_mutex_unlock(&identities.lock);
    if (!ok)
        snprintf(why, size,
                 "the store's file %s changed under the kiosk; it is taken up before the next "
                 "round",
                 path);
    return ok;
}
