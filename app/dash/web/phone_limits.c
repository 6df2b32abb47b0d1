/*
 * phone_limits: fixed-window counters in an open-addressed table
 * (phone_limits.h).
 */
#include "phone_limits.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4096 /* power of two */
#define PROBE 16   /* slots looked at for a key */

struct slot {
    char key[96]; /* "kind\x1fvalue"; "" free */
    int64_t window_ms;
    int count;
};

struct phone_limits {
    pthread_mutex_t mu;
    struct slot slots[SLOTS];
};

struct phone_limits *phone_limits_create(void)
{
    struct phone_limits *l = calloc(1, sizeof *l);
    if (l && pthread_mutex_init(&l->mu, NULL) != 0) {
        free(l);
        return NULL;
    }
    return l;
}

void phone_limits_destroy(struct phone_limits *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->mu);
    free(l);
}

static uint32_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* The slot of key: its own, else a free or stale one, else the oldest. */
static struct slot *find(struct phone_limits *l, const char *key, int64_t window)
{
    uint32_t h = hash(key);
    struct slot *oldest = NULL;
    for (int i = 0; i < PROBE; i++) {
        struct slot *s = &l->slots[(h + (uint32_t)i) & (SLOTS - 1)];
        if (!strcmp(s->key, key))
            return s;
        if (!oldest || s->window_ms < oldest->window_ms)
            oldest = s;
    }
    for (int i = 0; i < PROBE; i++) {
        struct slot *s = &l->slots[(h + (uint32_t)i) & (SLOTS - 1)];
        if (!s->key[0] || s->window_ms < window) {
            oldest = s;
            break;
        }
    }
    snprintf(oldest->key, sizeof oldest->key, "%s", key);
    oldest->window_ms = window;
    oldest->count = 0;
    return oldest;
}

bool phone_limits_take(struct phone_limits *l, const char *kind, const char *key, int limit,
                       int64_t now_ms, int64_t *retry_ms)
{
    char full[96];
    snprintf(full, sizeof full, "%s\x1f%s", kind, key);
    int64_t window = now_ms - now_ms % PHONE_LIMIT_WINDOW_MS;
    pthread_mutex_lock(&l->mu);
    struct slot *s = find(l, full, window);
    if (s->window_ms != window) {
        s->window_ms = window;
        s->count = 0;
    }
    bool ok = s->count < limit;
    if (ok)
        s->count++;
    pthread_mutex_unlock(&l->mu);
    *retry_ms = window + PHONE_LIMIT_WINDOW_MS - now_ms;
    return ok;
}
