/*
 * comment_list: a period's comments as the dashboard shows them: each
 * with its moderation (moderation.h) worked out, then narrowed by face,
 * tag and who may see hidden ones, counted by tag, and the commonest
 * complaints of the negative ones.  Pure: the rows come from
 * comments_db.h.
 */
#ifndef WOW_COMMENT_LIST_H
#define WOW_COMMENT_LIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "moderation.h"

struct tz;

/* One comment. */
struct comment_item {
    char kiosk_id[64];
    char incarnation[64];
    int64_t tap_id;
    char source[8]; /* "kiosk" or "phone" */
    char department[64];
    int rating; /* 1..4 */
    int64_t tap_ms, written_ms;
    char lang[16];
    char zone[64];       /* the kiosk's time zone name ("" unknown) */
    const struct tz *tz; /* borrowed: that zone loaded, NULL: the dashboard's */
    char *body;          /* owned: the words as written */
    unsigned tags;       /* moderation_tags() */
    bool hidden;         /* tags & MODERATION_HIDDEN */
};

/* Newest first; free with comment_list_free. */
struct comment_list {
    struct comment_item *items;
    size_t n, cap;
    bool truncated; /* more rows than were read */
};

void comment_list_free(struct comment_list *l);

/* Appends a copy of item (its body copied); false when out of memory. */
bool comment_list_add(struct comment_list *l, const struct comment_item *item);

/* Works out every item's tags and hidden flag with lists (may be NULL). */
void comment_list_moderate(struct comment_list *l, const struct moderation_lists *lists);

/* What to keep. */
struct comment_filter {
    int face;            /* 1..4; 0 any */
    unsigned tag;        /* a MODERATION_* bit; 0 any */
    bool include_hidden; /* an admin's: spam and abusive ones too */
};

/* Drops the items f does not keep (moderate first). */
void comment_list_filter(struct comment_list *l, const struct comment_filter *f);

/* How many items carry each tag, in moderation_tag_ids' order. */
void comment_list_tag_counts(const struct comment_list *l, int64_t counts[MODERATION_TAGS]);

/* A complaint: a tag or a phrase, and how many negative comments said it. */
struct comment_complaint {
    char text[64]; /* a tag's id ("urgent") or the words ("long wait") */
    bool tag;
    int64_t n;
};

/* The commonest complaints among l's visible comments of face 1 or 2
 * tapped in [from_ms, to_ms): the tags urgent and improvement's phrases
 * (two-word runs, else words of 4 or more letters, said by 2 or more
 * comments), most said first; at most max into out.  Returns how many. */
size_t comment_list_complaints(const struct comment_list *l, int64_t from_ms, int64_t to_ms,
                               struct comment_complaint *out, size_t max);

#endif
