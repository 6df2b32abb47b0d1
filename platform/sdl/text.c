/*
 * text: lays a UI_CMD_TEXT out in its box and draws it, never cutting it.
 *
 * Layout: words are wrapped at spaces ('\n' forces a break); if the lines
 * are too tall for the box the size shrinks in TEXT_STEP_PX steps down to
 * TEXT_MIN_PX.  Only when no size fits with whole words may a word be
 * broken between UTF-8 characters; only when nothing fits even then is the
 * text drawn at the minimum size overflowing its box (and a warning
 * logged): a customer may see a crowded label, never half a question.
 *
 * Three small caches, all least-recently-used with fixed entry counts, make
 * an unchanged screen cost texture copies only: fonts per (size, bold),
 * layouts per (text, box, size, bold) and rendered lines per (line, size,
 * bold, colour).  The cache owns every string, font and texture in it.
 */
#include <stdlib.h>
#include <string.h>

#include "display_private.h"
#include "log.h"
#include "utf8.h"

#define TEXT_MIN_PX  12
#define TEXT_STEP_PX 2
#define TEXT_FONTS   24
#define TEXT_LAYOUTS 128 /* the keyboard: its keys, shifted and not */
#define TEXT_LINES   256

struct font_entry {
    TTF_Font *font; /* owned; NULL: free slot */
    int size_px;
    bool bold;
    uint64_t used;
};

struct layout_entry {
    char *text; /* owned copy; NULL: free slot */
    uint32_t hash;
    int box_w, box_h, size_px;
    bool bold;
    struct display_text_fit fit;
    struct display_text_line *lines; /* owned, fit.line_count of them */
    uint64_t used;
};

struct line_entry {
    char *text; /* owned copy; NULL: free slot */
    uint32_t hash;
    int size_px;
    bool bold;
    SDL_Color color;
    SDL_Texture *texture; /* owned */
    int w, h;
    uint64_t used;
};

struct text_cache {
    char font_path[2][4096]; /* [bold] */
    uint64_t clock;          /* use counter for the LRU order */
    struct font_entry fonts[TEXT_FONTS];
    struct layout_entry layouts[TEXT_LAYOUTS];
    struct line_entry lines[TEXT_LINES];
    char *scratch; /* NUL-terminated copies of substrings for SDL_ttf */
    size_t scratch_cap;
    struct display_text_line *work; /* the lines of the layout being made */
    int work_count, work_cap;
    bool work_failed; /* out of memory while wrapping */
    long renders;     /* lines rasterised, for tests and curiosity */
};

static uint32_t text_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s != '\0'; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* ---- fonts ---- */

static TTF_Font *font_get(struct text_cache *tc, int size_px, bool bold)
{
    struct font_entry *victim = &tc->fonts[0];
    for (int i = 0; i < TEXT_FONTS; i++) {
        struct font_entry *e = &tc->fonts[i];
        if (e->font != NULL && e->size_px == size_px && e->bold == bold) {
            e->used = ++tc->clock;
            return e->font;
        }
        if (e->font == NULL || (victim->font != NULL && e->used < victim->used))
            victim = e;
    }
    TTF_Font *font = TTF_OpenFont(tc->font_path[bold], size_px);
    if (font == NULL) {
        log_error("text: opening %s at %d px: %s", tc->font_path[bold], size_px, TTF_GetError());
        return NULL;
    }
    if (victim->font != NULL)
        TTF_CloseFont(victim->font);
    *victim = (struct font_entry){font, size_px, bold, ++tc->clock};
    return font;
}

struct text_cache *text_cache_create(const char *font_dir)
{
    struct text_cache *tc = calloc(1, sizeof *tc);
    if (tc == NULL) {
        log_error("text: out of memory");
        return NULL;
    }
    snprintf(tc->font_path[0], sizeof tc->font_path[0], "%s/DejaVuSans.ttf", font_dir);
    snprintf(tc->font_path[1], sizeof tc->font_path[1], "%s/DejaVuSans-Bold.ttf", font_dir);
    /* Open both now: a missing font is a broken install, said at start-up. */
    if (font_get(tc, 24, false) == NULL || font_get(tc, 24, true) == NULL) {
        text_cache_destroy(tc);
        return NULL;
    }
    return tc;
}

void text_cache_destroy(struct text_cache *tc)
{
    if (tc == NULL)
        return;
    for (int i = 0; i < TEXT_FONTS; i++)
        if (tc->fonts[i].font != NULL)
            TTF_CloseFont(tc->fonts[i].font);
    for (int i = 0; i < TEXT_LAYOUTS; i++) {
        free(tc->layouts[i].text);
        free(tc->layouts[i].lines);
    }
    text_cache_drop_textures(tc);
    free(tc->scratch);
    free(tc->work);
    free(tc);
}

void text_cache_drop_textures(struct text_cache *tc)
{
    for (int i = 0; i < TEXT_LINES; i++) {
        free(tc->lines[i].text);
        if (tc->lines[i].texture != NULL)
            SDL_DestroyTexture(tc->lines[i].texture);
        tc->lines[i] = (struct line_entry){0};
    }
}

long text_cache_renders(const struct text_cache *tc)
{
    return tc->renders;
}

/* ---- wrapping ---- */

static bool scratch_reserve(struct text_cache *tc, size_t bytes)
{
    if (bytes <= tc->scratch_cap)
        return true;
    char *s = realloc(tc->scratch, bytes);
    if (s == NULL)
        return false;
    tc->scratch = s;
    tc->scratch_cap = bytes;
    return true;
}

/* Width in px of text[start, start + len); a huge width if unmeasurable so
 * that it never "fits". */
static int measure(struct text_cache *tc, TTF_Font *font, const char *text, int start, int len)
{
    if (len == 0)
        return 0;
    memcpy(tc->scratch, text + start, (size_t)len); /* scratch holds the whole text */
    tc->scratch[len] = '\0';
    int w = 0, h = 0;
    if (TTF_SizeUTF8(font, tc->scratch, &w, &h) != 0)
        return 1 << 28;
    return w;
}

static void line_add(struct text_cache *tc, int start, int len, int width)
{
    if (tc->work_count == tc->work_cap) {
        int cap = tc->work_cap > 0 ? tc->work_cap * 2 : 16;
        struct display_text_line *w = realloc(tc->work, (size_t)cap * sizeof *w);
        if (w == NULL) {
            tc->work_failed = true;
            return;
        }
        tc->work = w;
        tc->work_cap = cap;
    }
    tc->work[tc->work_count++] = (struct display_text_line){start, len, width};
}

/* The end of the longest run of whole characters from pos (at least one)
 * that fits max_w: the last resort for a word wider than the line. */
static int break_word(struct text_cache *tc, TTF_Font *font, const char *text, int pos,
                      int word_end, int max_w)
{
    int end = utf8_next(text, pos, word_end);
    for (int next = utf8_next(text, end, word_end); end < word_end;
         next = utf8_next(text, end, word_end)) {
        if (measure(tc, font, text, pos, next - pos) > max_w)
            break;
        end = next;
    }
    return end;
}

/* The end of the next line from pos (not a space) within [pos, end):
 * as many whole words as fit.  -1 if the first word alone is too wide. */
static int line_end(struct text_cache *tc, TTF_Font *font, const char *text, int pos, int end,
                    int max_w, int *width)
{
    int best = -1;
    int q = pos;
    for (;;) {
        int word_end = q;
        while (word_end < end && text[word_end] != ' ')
            word_end++;
        int w = measure(tc, font, text, pos, word_end - pos);
        if (w > max_w)
            break;
        best = word_end;
        *width = w;
        q = word_end;
        while (q < end && text[q] == ' ')
            q++;
        if (q >= end)
            break;
    }
    return best;
}

/* Wraps one paragraph text[start, end) (no '\n' in it) into tc->work.
 * Returns false if a word is wider than max_w and may_break is false. */
static bool wrap_paragraph(struct text_cache *tc, TTF_Font *font, const char *text, int start,
                           int end, int max_w, bool may_break, bool *broke)
{
    int pos = start;
    while (pos < end && text[pos] == ' ')
        pos++;
    if (pos >= end) {
        line_add(tc, pos, 0, 0); /* an empty paragraph keeps its line */
        return true;
    }
    while (pos < end) {
        int width = 0;
        int stop = line_end(tc, font, text, pos, end, max_w, &width);
        if (stop < 0) {
            if (!may_break)
                return false;
            int word_end = pos;
            while (word_end < end && text[word_end] != ' ')
                word_end++;
            stop = break_word(tc, font, text, pos, word_end, max_w);
            width = measure(tc, font, text, pos, stop - pos);
            *broke = true;
        }
        line_add(tc, pos, stop - pos, width);
        pos = stop;
        while (pos < end && text[pos] == ' ')
            pos++;
    }
    return true;
}

/* Wraps the whole text into tc->work at this font. */
static bool wrap_text(struct text_cache *tc, TTF_Font *font, const char *text, int max_w,
                      bool may_break, bool *broke)
{
    tc->work_count = 0;
    *broke = false;
    int len = (int)strlen(text);
    for (int start = 0; start <= len;) {
        const char *nl = memchr(text + start, '\n', (size_t)(len - start));
        int end = nl != NULL ? (int)(nl - text) : len;
        if (!wrap_paragraph(tc, font, text, start, end, max_w, may_break, broke))
            return false;
        start = end + 1;
    }
    return !tc->work_failed;
}

static int text_height(TTF_Font *font, int lines)
{
    return lines <= 0 ? 0 : (lines - 1) * TTF_FontLineSkip(font) + TTF_FontHeight(font);
}

/* Tries the sizes from size_px down; fills fit and leaves the lines in
 * tc->work.  Returns true when some size fits the box. */
static bool fit_search(struct text_cache *tc, const char *text, int box_w, int box_h, int size_px,
                       bool bold, bool may_break, struct display_text_fit *fit)
{
    int min = size_px < TEXT_MIN_PX ? size_px : TEXT_MIN_PX;
    for (int s = size_px;; s -= TEXT_STEP_PX) {
        if (s < min)
            s = min;
        TTF_Font *font = font_get(tc, s, bold);
        if (font == NULL)
            return false;
        bool broke = false;
        if (wrap_text(tc, font, text, box_w, may_break, &broke) &&
            text_height(font, tc->work_count) <= box_h) {
            *fit = (struct display_text_fit){s, tc->work_count, broke, false};
            return true;
        }
        if (s == min)
            return false;
    }
}

/* Lays text out into tc->work and *fit.  Returns false if no font opened. */
static bool layout_compute(struct text_cache *tc, const char *text, int box_w, int box_h,
                           int size_px, bool bold, struct display_text_fit *fit)
{
    tc->work_failed = false;
    if (size_px < 1)
        size_px = 1;
    if (!scratch_reserve(tc, strlen(text) + 1)) {
        log_error("text: out of memory measuring a %zu-byte text", strlen(text));
        return false;
    }
    if (fit_search(tc, text, box_w, box_h, size_px, bold, false, fit) ||
        fit_search(tc, text, box_w, box_h, size_px, bold, true, fit))
        return true;
    int min = size_px < TEXT_MIN_PX ? size_px : TEXT_MIN_PX;
    TTF_Font *font = font_get(tc, min, bold);
    bool broke = false;
    if (font == NULL || !wrap_text(tc, font, text, box_w, true, &broke))
        return false;
    *fit = (struct display_text_fit){min, tc->work_count, broke, true};
    log_warn("text: \"%.60s\" (%zu bytes) does not fit %dx%d even at %d px: %d lines drawn "
             "overflowing the box",
             text, strlen(text), box_w, box_h, min, tc->work_count);
    return true;
}

static struct layout_entry *layout_get(struct text_cache *tc, const char *text, int box_w,
                                       int box_h, int size_px, bool bold)
{
    uint32_t hash = text_hash(text);
    struct layout_entry *victim = &tc->layouts[0];
    for (int i = 0; i < TEXT_LAYOUTS; i++) {
        struct layout_entry *e = &tc->layouts[i];
        if (e->text != NULL && e->hash == hash && e->box_w == box_w && e->box_h == box_h &&
            e->size_px == size_px && e->bold == bold && strcmp(e->text, text) == 0) {
            e->used = ++tc->clock;
            return e;
        }
        if (e->text == NULL || (victim->text != NULL && e->used < victim->used))
            victim = e;
    }
    struct display_text_fit fit;
    if (!layout_compute(tc, text, box_w, box_h, size_px, bold, &fit))
        return NULL;
    char *copy = strdup(text);
    struct display_text_line *lines = malloc((size_t)(fit.line_count + 1) * sizeof *lines);
    if (copy == NULL || lines == NULL) {
        log_error("text: out of memory caching a layout");
        free(copy);
        free(lines);
        return NULL;
    }
    memcpy(lines, tc->work, (size_t)fit.line_count * sizeof *lines);
    free(victim->text);
    free(victim->lines);
    *victim =
        (struct layout_entry){copy, hash, box_w, box_h, size_px, bold, fit, lines, ++tc->clock};
    return victim;
}

bool text_fit(struct text_cache *tc, const char *text, int box_w, int box_h, int size_px, bool bold,
              struct display_text_fit *fit, struct display_text_line *lines, int max_lines)
{
    const struct layout_entry *e = layout_get(tc, text, box_w, box_h, size_px, bold);
    if (e == NULL)
        return false;
    *fit = e->fit;
    for (int i = 0; i < e->fit.line_count && i < max_lines && lines != NULL; i++)
        lines[i] = e->lines[i];
    return true;
}

/* ---- drawing ---- */

static bool color_equal(SDL_Color a, SDL_Color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a;
}

/* Rasterises one line (cached).  line is NUL-terminated. */
static struct line_entry *line_get(struct text_cache *tc, SDL_Renderer *r, const char *line,
                                   int size_px, bool bold, SDL_Color color)
{
    uint32_t hash = text_hash(line);
    struct line_entry *victim = &tc->lines[0];
    for (int i = 0; i < TEXT_LINES; i++) {
        struct line_entry *e = &tc->lines[i];
        if (e->text != NULL && e->hash == hash && e->size_px == size_px && e->bold == bold &&
            color_equal(e->color, color) && strcmp(e->text, line) == 0) {
            e->used = ++tc->clock;
            return e;
        }
        if (e->text == NULL || (victim->text != NULL && e->used < victim->used))
            victim = e;
    }
    TTF_Font *font = font_get(tc, size_px, bold);
    if (font == NULL)
        return NULL;
    SDL_Surface *s = TTF_RenderUTF8_Blended(font, line, color);
    tc->renders++;
    if (s == NULL) {
        log_error("text: rendering \"%.60s\" at %d px: %s", line, size_px, TTF_GetError());
        return NULL;
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    char *copy = strdup(line);
    if (t == NULL || copy == NULL) {
        log_error("text: texture for \"%.60s\": %s", line, t == NULL ? SDL_GetError() : "");
        if (t != NULL)
            SDL_DestroyTexture(t);
        free(copy);
        SDL_FreeSurface(s);
        return NULL;
    }
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    free(victim->text);
    if (victim->texture != NULL)
        SDL_DestroyTexture(victim->texture);
    *victim = (struct line_entry){copy, hash, size_px, bold, color, t, s->w, s->h, ++tc->clock};
    SDL_FreeSurface(s);
    return victim;
}

bool text_draw(struct text_cache *tc, SDL_Renderer *r, const struct ui_cmd *cmd)
{
    if (cmd->text == NULL || cmd->text[0] == '\0')
        return true;
    const struct ui_rect *box = &cmd->rect;
    const struct layout_entry *lay =
        layout_get(tc, cmd->text, box->w, box->h, cmd->size_px, cmd->bold);
    TTF_Font *font = lay != NULL ? font_get(tc, lay->fit.size_px, cmd->bold) : NULL;
    if (font == NULL)
        return true; /* logged; the frame goes on without this text */
    int skip = TTF_FontLineSkip(font);
    int y = box->y + (box->h - text_height(font, lay->fit.line_count)) / 2;
    if (y < box->y)
        y = box->y; /* overflowing text runs down from the top, not off both ends */
    SDL_Color color = {cmd->color.r, cmd->color.g, cmd->color.b, cmd->color.a};
    bool ok = true;
    for (int i = 0; i < lay->fit.line_count; i++, y += skip) {
        const struct display_text_line *ln = &lay->lines[i];
        if (ln->length == 0)
            continue;
        memcpy(tc->scratch, cmd->text + ln->start, (size_t)ln->length); /* fits: see layout */
        tc->scratch[ln->length] = '\0';
        const struct line_entry *e =
            line_get(tc, r, tc->scratch, lay->fit.size_px, cmd->bold, color);
        if (e == NULL)
            continue;
        int x = box->x;
        if (cmd->align == UI_ALIGN_CENTER)
            x += (box->w - e->w) / 2;
        SDL_Rect dst = {x, y, e->w, e->h};
        if (SDL_RenderCopy(r, e->texture, NULL, &dst) != 0) {
            log_error("text: SDL_RenderCopy: %s", SDL_GetError());
            ok = false;
        }
    }
    return ok;
}
