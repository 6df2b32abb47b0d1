/*
 * moderation: what the dashboard makes of a customer's comment when it
 * shows it (docs/DASHBOARD.md, "Comments"): its tags, whether heads see
 * it, and its words with personal data masked.  The words as written stay
 * in the comments table; this is computed on read, so a new profanity
 * list or rule applies to old comments too.  Pure: the lists come in as
 * text (serve.c reads the files scripts/moderation_lists.py generates
 * from the npm package naughty-words).
 *
 * Tags, each by a rule a test table pins (tests/dash/test_moderation.c):
 *   spam         a link; one character 8 times running; one word making
 *                most of 4 or more; or gibberish: 12+ letters of which
 *                under 1 in 8 are vowels, or a 15-letter word without one
 *   abusive      a word or phrase of any loaded profanity list, whole
 *                words, without regard to case (an entry of 5 or more
 *                bytes also starts a longer word: German compounds)
 *   urgent       a safety word (fire, injury, police, theft ...; fi, de)
 *   improvement  a face 1 or 2, or a complaint word (slow, dirty, rude ...)
 *   appreciation a face 3 or 4 with no complaint word, or a thanks word
 * Spam is only spam (and abusive when it is); abusive and spam comments
 * are hidden from heads.
 */
#ifndef WOW_MODERATION_H
#define WOW_MODERATION_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf;

enum moderation_tag {
    MODERATION_APPRECIATION = 1u << 0,
    MODERATION_IMPROVEMENT = 1u << 1,
    MODERATION_URGENT = 1u << 2,
    MODERATION_SPAM = 1u << 3,
    MODERATION_ABUSIVE = 1u << 4,
};
#define MODERATION_TAGS   5
#define MODERATION_HIDDEN (MODERATION_SPAM | MODERATION_ABUSIVE)

/* The tags' ids in bit order: "appreciation", "improvement", "urgent",
 * "spam", "abusive" (the API's and the filter's words). */
extern const char *const moderation_tag_ids[MODERATION_TAGS];

/* The bit of id, 0 for none. */
unsigned moderation_tag_of(const char *id);

/* The loaded profanity lists; read-only once loaded, so any number of
 * threads may judge with them. */
struct moderation_lists;

/* An empty set; NULL when out of memory.  Free with
 * moderation_lists_free. */
struct moderation_lists *moderation_lists_new(void);
void moderation_lists_free(struct moderation_lists *l);

/* Adds text's entries (one a line, '#' lines and blank ones skipped) as
 * language lang's; false when out of memory.  Returns the entries added
 * in *added (may be NULL). */
bool moderation_lists_add(struct moderation_lists *l, const char *lang, const char *text,
                          size_t *added);

/* Entries loaded in all. */
size_t moderation_lists_count(const struct moderation_lists *l);

/* The tags of body (valid UTF-8) tapped with face rating (1..4); lists
 * may be NULL (nothing is abusive then). */
unsigned moderation_tags(const struct moderation_lists *lists, const char *body, int rating);

/* Appends body to out with e-mail addresses, and runs of 7 or more digits
 * joined by spaces, '-', '/', '.', parentheses or a leading '+' (phone
 * numbers, card numbers), each written as "***". */
void moderation_mask(const char *body, struct strbuf *out);

/* The words of body that moderation counts as the same (lowercased,
 * letters and digits only), one after another with single spaces, into
 * out (size bytes, cut at a word's end). */
void moderation_words(const char *body, char *out, size_t size);

/* The complaint words (the improvement rule's) body holds, at most max:
 * their indices into *idx, each once, and for each the first word of
 * body it started into words[i] (64 bytes each, lowercased).  Returns how
 * many. */
size_t moderation_complaints(const char *body, size_t *idx, char (*words)[64], size_t max);

#endif
