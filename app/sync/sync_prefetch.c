/*
 * sync_prefetch: the next batch read on a thread while one is pushed (see
 * sync_prefetch.h).  One short-lived thread per batch read ahead: a
 * backlog has a few batches, and creating a thread costs far less than
 * the read it overlaps.
 */
#include "sync_prefetch.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

struct sync_prefetch {
    pthread_t thread;
    /* set before the thread starts, then read by it only */
    char *path; /* owned */
    int max_rows;
    int64_t after_seq;
    /* written by the thread only, read after the join */
    struct sync_local_batch batch; /* owned until taken */
    int rc;
    char error[512];
};

static void *prefetch_main(void *arg)
{
    struct sync_prefetch *p = arg;
    p->rc = sync_local_read_after(p->path, p->max_rows, p->after_seq, &p->batch, p->error,
                                  sizeof p->error);
    return NULL;
}

struct sync_prefetch *sync_prefetch_start(const char *path, int max_rows, int64_t after_seq)
{
    struct sync_prefetch *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->path = strdup(path);
    p->max_rows = max_rows;
    p->after_seq = after_seq;
    if (p->path && pthread_create(&p->thread, NULL, prefetch_main, p) == 0)
        return p;
    log_warn("sync: cannot read the next batch ahead (%s); it is read when due",
             p->path ? "no thread" : "out of memory");
    free(p->path);
    free(p);
    return NULL;
}

/* Joins the thread and frees p but not its batch. */
static void finish(struct sync_prefetch *p)
{
    pthread_join(p->thread, NULL);
    free(p->path);
}

int sync_prefetch_take(struct sync_prefetch *p, struct sync_local_batch *batch, char *error,
                       size_t size)
{
    sync_local_batch_free(batch);
    if (!p) {
        snprintf(error, size, "sync: no batch read ahead");
        return -1;
    }
    finish(p);
    int rc = p->rc;
    if (rc == 0)
        *batch = p->batch; /* the batch's arrays change hands */
    else {
        snprintf(error, size, "%s", p->error);
        sync_local_batch_free(&p->batch);
    }
    free(p);
    return rc == 0 ? 0 : -1;
}

void sync_prefetch_cancel(struct sync_prefetch *p)
{
    if (!p)
        return;
    finish(p);
    sync_local_batch_free(&p->batch);
    free(p);
}
