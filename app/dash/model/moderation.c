/*
 * moderation: a comment's tags, its visibility and its masked words
 * (moderation.h).  Words are compared lowercased, as letters and digits
 * only: " word word " with a space at each end, so a whole word is
 * " word " and a word's start " wor".
 */
#include "moderation.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

const char *const moderation_tag_ids[MODERATION_TAGS] = {"appreciation", "improvement", "urgent",
                                                         "spam", "abusive"};

struct moderation_lists {
    char **entries; /* normalised, owned */
    size_t n, cap;
};

/* Rule words, matched at a word's start (moderation.h says what each
 * tag means); en, fi, de. */
static const char *const complaint_words[] = {
    "slow",     "wait",       "queue",   "dirty",        "rude",      "cold",      "late",
    "broken",   "wrong",      "bad",     "terrible",     "awful",     "worst",     "expensive",
    "noisy",    "unfriendly", "poor",    "disappoint",   "mess",      "smell",     "improve",
    "should",   "hidas",      "hitaa",   "odot",         "jono",      "likai",     "töykeä",
    "epäystäv", "kylmä",      "myöhä",   "rikki",        "huono",     "kallis",    "meluisa",
    "petty",    "sotku",      "haisi",   "parann",       "pitäisi",   "langsam",   "wart",
    "schlange", "schmutzig",  "dreckig", "unfreundlich", "unhöflich", "kalt",      "spät",
    "kaputt",   "schlecht",   "teuer",   "laut",         "enttäusch", "verbesser", "sollte",
    NULL};
static const char *const thanks_words[] = {
    "thank",      "great",       "friendly",  "helpful",       "nice",    "excellent", "love",
    "perfect",    "kind",        "wonderful", "amazing",       "kiitos",  "kiitti",    "ystävälli",
    "mahtava",    "loistava",    "ihana",     "erinomai",      "avulia",  "danke",     "super",
    "freundlich", "hilfsbereit", "toll",      "ausgezeichnet", "perfekt", "prima",     NULL};
static const char *const urgent_words[] = {
    "fire",     "smoke",        "injur",      "hurt",     "bleed",   "blood",     "danger",
    "emergenc", "police",       "stolen",     "theft",    "unsafe",  "ambulance", "allerg",
    "poison",   "faint",        "threat",     "tulipalo", "savu",    "loukkaan",  "veri",
    "vaara",    "hätä",         "poliisi",    "varastet", "varasti", "turvaton",  "ambulanssi",
    "allergi",  "myrky",        "pyörty",     "uhkail",   "feuer",   "rauch",     "verletz",
    "blut",     "gefahr",       "gefährlich", "notfall",  "polizei", "gestohlen", "diebstahl",
    "unsicher", "krankenwagen", "vergift",    "ohnmacht", "bedroh",  NULL};

struct moderation_lists *moderation_lists_new(void)
{
    return calloc(1, sizeof(struct moderation_lists));
}

void moderation_lists_free(struct moderation_lists *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        free(l->entries[i]);
    free(l->entries);
    free(l);
}

size_t moderation_lists_count(const struct moderation_lists *l)
{
    return l ? l->n : 0;
}

unsigned moderation_tag_of(const char *id)
{
    for (int i = 0; id && i < MODERATION_TAGS; i++)
        if (!strcmp(id, moderation_tag_ids[i]))
            return 1u << i;
    return 0;
}

/* The length of the letter or digit at p (a UTF-8 sequence of two or more
 * bytes counts as a letter), 0 for anything else. */
static size_t letter_len(const unsigned char *p)
{
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
        return 1;
    if (*p < 0xc2)
        return 0;
    size_t n = *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    /* U+00A0..U+00BF (no-break space, punctuation, signs) and U+00D7, U+00F7 are not letters;
     * U+2000..U+206F (general punctuation: dashes, quotes) neither */
    if ((p[0] == 0xc2) || (p[0] == 0xc3 && (p[1] == 0x97 || p[1] == 0xb7)) ||
        (p[0] == 0xe2 && p[1] >= 0x80 && p[1] <= 0x81))
        return 0;
    return n;
}

void moderation_words(const char *body, char *out, size_t size)
{
    size_t w = 0;
    bool space = true;
    if (size == 0)
        return;
    for (const unsigned char *p = (const unsigned char *)body; *p;) {
        size_t n = letter_len(p);
        if (n == 0) {
            if (!space && w + 1 < size)
                out[w++] = ' ';
            space = true;
            p++;
            continue;
        }
        if (w + n >= size)
            break;
        for (size_t i = 0; i < n; i++)
            out[w++] = (char)(n == 1 && p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
        /* Ä Ö Ü Å É to ä ö ü å é: the letters these three languages capitalise */
        if (n == 2 && p[0] == 0xc3 && p[1] >= 0x80 && p[1] <= 0x9e && p[1] != 0x97)
            out[w - 1] = (char)(p[1] + 0x20);
        space = false;
        p += n;
    }
    while (w > 0 && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
}

bool moderation_lists_add(struct moderation_lists *l, const char *lang, const char *text,
                          size_t *added)
{
    (void)lang; /* every language's list judges every comment: people swear across languages */
    size_t count = 0;
    for (const char *p = text; p && *p;) {
        size_t len = strcspn(p, "\n");
        char line[256], norm[256];
        if (len > 0 && len < sizeof line && p[0] != '#') {
            memcpy(line, p, len);
            line[len] = '\0';
            moderation_words(line, norm, sizeof norm);
            if (norm[0]) {
                if (l->n == l->cap) {
                    size_t cap = l->cap ? 2 * l->cap : 256;
                    char **e = realloc(l->entries, cap * sizeof *e);
                    if (!e)
                        return false;
                    l->entries = e;
                    l->cap = cap;
                }
                if (!(l->entries[l->n] = strdup(norm)))
                    return false;
                l->n++;
                count++;
            }
        }
        p += len + (p[len] == '\n');
    }
    if (added)
        *added = count;
    return true;
}

/* Whether padded (" w w ") holds entry as whole words, or as a word's
 * start when prefix. */
static bool has_words(const char *padded, const char *entry, bool prefix)
{
    size_t n = strlen(entry);
    for (const char *p = strstr(padded, entry); p; p = strstr(p + 1, entry))
        if (p[-1] == ' ' && (p[n] == ' ' || prefix))
            return true;
    return false;
}

static bool any_word(const char *padded, const char *const *words)
{
    for (size_t i = 0; words[i]; i++)
        if (has_words(padded, words[i], true))
            return true;
    return false;
}

static bool abusive(const struct moderation_lists *l, const char *padded)
{
    for (size_t i = 0; l && i < l->n; i++)
        if (has_words(padded, l->entries[i],
                      strlen(l->entries[i]) >= 5 && !strchr(l->entries[i], ' ')))
            return true;
    return false;
}

static bool is_vowel(const char *p, size_t n)
{
    if (n == 1)
        return strchr("aeiouy", *p) != NULL;
    /* ä ö ü å é (lowercased by moderation_words) */
    return n == 2 && (unsigned char)p[0] == 0xc3 && strchr("\xa4\xb6\xbc\xa5\xa9", p[1]) != NULL;
}

/* A word of 9 or more letters made of one piece three or more times over
 * ("asdfasdfasdf", "hahahaha" is 8: kept). */
static bool periodic(const char *w, size_t n)
{
    if (n < 9)
        return false;
    for (size_t period = 1; period <= n / 3; period++) {
        size_t i = period;
        while (i < n && w[i] == w[i - period])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

/* Gibberish: 12+ letters under 1 in 8 vowels, a 15-letter word without a
 * vowel, a periodic word; or no letter at all. */
static bool gibberish(const char *words)
{
    size_t letters = 0, vowels = 0;
    for (const char *p = words; *p;) {
        size_t len = strcspn(p, " "), wl = 0, wv = 0;
        for (size_t i = 0; i < len;) {
            size_t n = letter_len((const unsigned char *)p + i);
            n = n ? n : 1;
            bool digit = n == 1 && p[i] >= '0' && p[i] <= '9';
            wl += !digit;
            wv += is_vowel(p + i, n);
            i += n;
        }
        if ((wl >= 15 && wv == 0) || periodic(p, len))
            return true;
        letters += wl;
        vowels += wv;
        p += len + (p[len] == ' ');
    }
    return letters == 0 || (letters >= 12 && vowels * 8 < letters);
}

/* One word making over half of 4 or more. */
static bool repeated_word(const char *words)
{
    size_t total = 0, best = 0;
    for (const char *p = words; *p;) {
        size_t len = strcspn(p, " "), same = 0;
        for (const char *q = words; *q;) {
            size_t ql = strcspn(q, " ");
            same += ql == len && !strncmp(p, q, len);
            q += ql + (q[ql] == ' ');
        }
        best = same > best ? same : best;
        total++;
        p += len + (p[len] == ' ');
    }
    return total >= 4 && 2 * best > total;
}

/* A link, or one character 10 times running. */
static bool spam_text(const char *body)
{
    size_t run = 1;
    for (const char *p = body; *p; p++) {
        run = p > body && *p == p[-1] && *p != ' ' ? run + 1 : 1;
        if (run >= 10)
            return true;
    }
    char lower[64];
    for (const char *p = body; *p; p++) {
        size_t i = 0;
        for (; i < 8 && p[i]; i++)
            lower[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
        lower[i] = '\0';
        if (!strncmp(lower, "http://", 7) || !strncmp(lower, "https://", 8) ||
            !strncmp(lower, "www.", 4))
            return true;
    }
    return false;
}

unsigned moderation_tags(const struct moderation_lists *lists, const char *body, int rating)
{
    size_t size = 2 * strlen(body) + 3;
    char stack[2048], *padded = size <= sizeof stack ? stack : malloc(size);
    if (!padded)
        return 0;
    padded[0] = ' ';
    moderation_words(body, padded + 1, size - 2);
    unsigned tags = 0;
    if (spam_text(body) || gibberish(padded + 1) || repeated_word(padded + 1))
        tags |= MODERATION_SPAM;
    size_t end = strlen(padded);
    padded[end] = ' ';
    padded[end + 1] = '\0';
    if (abusive(lists, padded))
        tags |= MODERATION_ABUSIVE;
    if (!(tags & MODERATION_SPAM)) {
        bool complaint = any_word(padded, complaint_words);
        if (any_word(padded, urgent_words))
            tags |= MODERATION_URGENT;
        if (rating <= 2 || complaint)
            tags |= MODERATION_IMPROVEMENT;
        if ((rating >= 3 && !complaint) || any_word(padded, thanks_words))
            tags |= MODERATION_APPRECIATION;
    }
    if (padded != stack)
        free(padded);
    return tags;
}

/* ---- masking ---- */

static bool email_local(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("._%+-", c));
}

static bool email_domain(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-';
}

/* The e-mail address around the '@' at, as [*from, *to); false for none. */
static bool email_at(const char *body, const char *at, const char **from, const char **to)
{
    const char *s = at, *e = at + 1;
    while (s > body && email_local(s[-1]))
        s--;
    while (email_domain(*e))
        e++;
    while (e > at + 1 && (e[-1] == '.' || e[-1] == '-'))
        e--;
    const char *dot = memchr(at + 1, '.', (size_t)(e - at - 1));
    if (s == at || !dot || dot == at + 1 || dot + 1 >= e)
        return false;
    *from = s;
    *to = e;
    return true;
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The end of a digit run starting at p (digits joined by one space, '-',
 * '(' or ')'), with its digits in *digits. */
static const char *digit_run(const char *p, size_t *digits)
{
    const char *end = p;
    *digits = 0;
    for (const char *q = p; *q;) {
        if (digit(*q)) {
            (*digits)++;
            end = ++q;
        } else if (strchr(" -()", *q) &&
                   (digit(q[1]) || (q[1] && strchr(" -()", q[1]) && digit(q[2])))) {
            q++;
        } else {
            break;
        }
    }
    return end;
}

/* E-mail addresses of body as "***" onto out. */
static void mask_emails(const char *body, struct strbuf *out)
{
    const char *copied = body;
    for (const char *p = body; *p; p++) {
        const char *from, *to;
        if (*p == '@' && email_at(body, p, &from, &to) && from >= copied) {
            strbuf_append(out, copied, (size_t)(from - copied));
            strbuf_puts(out, "***");
            copied = to;
            p = to - 1;
        }
    }
    strbuf_puts(out, copied);
}

/* Runs of 7 or more digits of body as "***" onto out. */
static void mask_digits(const char *body, struct strbuf *out)
{
    const char *p = body, *copied = body;
    while (*p) {
        bool sign = (*p == '+' || *p == '(') && digit(p[1]);
        bool start = (digit(*p) || sign) && (p == body || !digit(p[-1]));
        if (!start) {
            p++;
            continue;
        }
        size_t digits = 0;
        const char *end = digit_run(sign ? p + 1 : p, &digits);
        if (digits >= 7) {
            strbuf_append(out, copied, (size_t)(p - copied));
            strbuf_puts(out, "***");
            copied = end;
        }
        p = end;
    }
    strbuf_puts(out, copied);
}

void moderation_mask(const char *body, struct strbuf *out)
{
    struct strbuf mid = {0};
    mask_emails(body, &mid);
    if (mid.failed) {
        out->failed = true;
        strbuf_free(&mid);
        return;
    }
    mask_digits(mid.data ? mid.data : "", out);
    strbuf_free(&mid);
}

size_t moderation_complaints(const char *body, size_t *idx, char (*words)[64], size_t max)
{
    size_t size = 2 * strlen(body) + 3, n = 0;
    char *padded = malloc(size);
    if (!padded)
        return 0;
    padded[0] = ' ';
    moderation_words(body, padded + 1, size - 2);
    size_t end = strlen(padded);
    padded[end] = ' ';
    padded[end + 1] = '\0';
    for (size_t i = 0; complaint_words[i] && n < max; i++) {
        size_t len = strlen(complaint_words[i]);
        for (const char *p = strstr(padded, complaint_words[i]); p;
             p = strstr(p + 1, complaint_words[i])) {
            if (p[-1] != ' ')
                continue;
            size_t wl = strcspn(p, " ");
            idx[n] = i;
            snprintf(words[n], 64, "%.*s", (int)(wl < 63 ? wl : 63), p);
            n++;
            break;
        }
        (void)len;
    }
    free(padded);
    return n;
}
