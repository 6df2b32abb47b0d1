/*
 * comment_list: comments moderated, narrowed, counted (comment_list.h).
 */
#include "comment_list.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void comment_list_free(struct comment_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i].body);
    free(l->items);
    *l = (struct comment_list){0};
}

bool comment_list_add(struct comment_list *l, const struct comment_item *item)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct comment_item *items = realloc(l->items, cap * sizeof *items);
        if (!items)
            return false;
        l->items = items;
        l->cap = cap;
    }
    char *body = strdup(item->body ? item->body : "");
    if (!body)
        return false;
    l->items[l->n] = *item;
    l->items[l->n].body = body;
    l->n++;
    return true;
}

void comment_list_moderate(struct comment_list *l, const struct moderation_lists *lists)
{
    for (size_t i = 0; i < l->n; i++) {
        struct comment_item *c = &l->items[i];
        c->tags = moderation_tags(lists, c->body, c->rating);
        c->hidden = (c->tags & MODERATION_HIDDEN) != 0;
    }
}

void comment_list_filter(struct comment_list *l, const struct comment_filter *f)
{
    size_t w = 0;
    for (size_t i = 0; i < l->n; i++) {
        struct comment_item *c = &l->items[i];
        bool keep = (!f->face || c->rating == f->face) && (!f->tag || (c->tags & f->tag)) &&
                    (f->include_hidden || !c->hidden);
        if (keep)
            l->items[w++] = *c;
        else
            free(c->body);
    }
    l->n = w;
}

void comment_list_tag_counts(const struct comment_list *l, int64_t counts[MODERATION_TAGS])
{
    for (int t = 0; t < MODERATION_TAGS; t++)
        counts[t] = 0;
    for (size_t i = 0; i < l->n; i++)
        for (int t = 0; t < MODERATION_TAGS; t++)
            counts[t] += (l->items[i].tags >> t) & 1u;
}

#define COMPLAINT_SLOTS 128

static void count(struct comment_complaint *all, size_t *n, const char *text, bool tag)
{
    for (size_t i = 0; i < *n; i++)
        if (all[i].tag == tag && !strcmp(all[i].text, text)) {
            all[i].n++;
            return;
        }
    if (*n == COMPLAINT_SLOTS)
        return;
    size_t len = strnlen(text, sizeof all[*n].text - 1); /* words are shorter already */
    memcpy(all[*n].text, text, len);
    all[*n].text[len] = '\0';
    all[*n].tag = tag;
    all[*n].n = 1;
    (*n)++;
}

static int by_count(const void *a, const void *b)
{
    const struct comment_complaint *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    if (x->tag != y->tag)
        return x->tag ? -1 : 1; /* urgent before a phrase said as often */
    return strcmp(x->text, y->text);
}

size_t comment_list_complaints(const struct comment_list *l, int64_t from_ms, int64_t to_ms,
                               struct comment_complaint *out, size_t max)
{
    struct comment_complaint *all = calloc(COMPLAINT_SLOTS, sizeof *all);
    if (!all)
        return 0;
    size_t n = 0;
    /* the first word each stem matched names it: stem index -> word */
    static const size_t stems = 256;
    char(*names)[64] = calloc(stems, 64);
    for (size_t i = 0; names && i < l->n; i++) {
        const struct comment_item *c = &l->items[i];
        if (c->hidden || c->rating > 2 || c->tap_ms < from_ms || c->tap_ms >= to_ms)
            continue;
        if (c->tags & MODERATION_URGENT)
            count(all, &n, "urgent", true);
        size_t idx[16];
        char words[16][64];
        size_t k = moderation_complaints(c->body, idx, words, 16);
        for (size_t j = 0; j < k; j++) {
            if (idx[j] < stems && !names[idx[j]][0])
                memcpy(names[idx[j]], words[j], 64);
            count(all, &n, idx[j] < stems ? names[idx[j]] : words[j], false);
        }
    }
    qsort(all, n, sizeof *all, by_count);
    size_t k = n < max ? n : max;
    memcpy(out, all, k * sizeof *all);
    free(all);
    free(names);
    return k;
}
