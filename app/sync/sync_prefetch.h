/*
 * sync_prefetch: reads the next batch of a backlog from the kiosk's store
 * on a thread of its own while the engine pushes the batch before it, so
 * a long backlog costs the pushes and not the reads as well.
 *
 * Ownership is handed over whole: the thread alone touches the batch it
 * reads (and its own connection to the store) until sync_prefetch_take
 * joins it and moves the batch to the caller.  Nothing else is shared, so
 * there is no lock.  The batch read ahead starts after the batch being
 * pushed; the engine uses it only if that push was recorded (the store's
 * synced_seq is where the batch starts, and the incarnation is the same:
 * sync_local_recheck), and otherwise reads again as usual.
 */
#ifndef WOW_SYNC_PREFETCH_H
#define WOW_SYNC_PREFETCH_H

#include <stddef.h>
#include <stdint.h>

#include "sync_local.h"

struct sync_prefetch; /* opaque: one read under way */

/* Starts reading, from the store at path (copied), at most max_rows rows
 * with changed_seq above after_seq (sync_local_read_after).  Returns NULL
 * when the thread cannot start (the caller then reads when it needs to);
 * otherwise end it with sync_prefetch_take or sync_prefetch_cancel. */
struct sync_prefetch *sync_prefetch_start(const char *path, int max_rows, int64_t after_seq);

/* Waits for the read, frees p, and on success moves the batch into
 * *batch (freed first; the caller owns it as any batch) and returns 0;
 * otherwise returns negative with the read's error in error (size bytes)
 * and leaves *batch empty.  NULL p returns negative. */
int sync_prefetch_take(struct sync_prefetch *p, struct sync_local_batch *batch, char *error,
                       size_t size);

/* Waits for the read and frees it and what it read; NULL is a no-op. */
void sync_prefetch_cancel(struct sync_prefetch *p);

#endif
