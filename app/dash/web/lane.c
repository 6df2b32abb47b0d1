/* lane: a bounded queue of slow jobs and the threads that run them (see
 * lane.h). */
#include "lane.h"

#include <pthread.h>
#include <stdlib.h>

struct lane_job {
    void (*run)(void *arg);
    void *arg;
};

struct lane {
    pthread_mutex_t lock; /* guards the queue and stopping */
    pthread_cond_t work;
    bool stopping;
    int head, count, capacity;
    struct lane_job *jobs; /* owned: a ring of capacity jobs */
    int n_threads;
    pthread_t *threads; /* owned */
};

static void *lane_main(void *arg)
{
    struct lane *l = arg;
    pthread_mutex_lock(&l->lock);
    for (;;) {
        while (l->count == 0 && !l->stopping)
            pthread_cond_wait(&l->work, &l->lock);
        if (l->count == 0)
            break; /* stopping, and nothing left */
        struct lane_job job = l->jobs[l->head];
        l->head = (l->head + 1) % l->capacity;
        l->count--;
        pthread_mutex_unlock(&l->lock);
        job.run(job.arg);
        pthread_mutex_lock(&l->lock);
    }
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

struct lane *lane_start(int workers, int capacity)
{
    struct lane *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->capacity = capacity > 0 ? capacity : 1;
    l->jobs = calloc((size_t)l->capacity, sizeof *l->jobs);
    l->threads = calloc((size_t)(workers > 0 ? workers : 1), sizeof *l->threads);
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->work, NULL);
    if (!l->jobs || !l->threads) {
        lane_free(l);
        return NULL;
    }
    for (int i = 0; i < (workers > 0 ? workers : 1); i++) {
        if (pthread_create(&l->threads[i], NULL, lane_main, l) != 0) {
            lane_free(l);
            return NULL;
        }
        l->n_threads++;
    }
    return l;
}

bool lane_push(struct lane *l, void (*run)(void *arg), void *arg)
{
    pthread_mutex_lock(&l->lock);
    bool ok = !l->stopping && l->count < l->capacity;
    if (ok) {
        l->jobs[(l->head + l->count) % l->capacity] = (struct lane_job){run, arg};
        l->count++;
        pthread_cond_signal(&l->work);
    }
    pthread_mutex_unlock(&l->lock);
    return ok;
}

void lane_stop(struct lane *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = true;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->lock);
    for (int i = 0; i < l->n_threads; i++)
        pthread_join(l->threads[i], NULL);
    l->n_threads = 0;
}

void lane_free(struct lane *l)
{
    if (!l)
        return;
    lane_stop(l);
    pthread_cond_destroy(&l->work);
    pthread_mutex_destroy(&l->lock);
    free(l->threads);
    free(l->jobs);
    free(l);
}
