/*
 * png_compare: image comparison with a tolerance, and diff images (see
 * png_compare.h).  PNG reading and writing go through SDL2_image.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <SDL_image.h>

#include "png_compare.h"

bool png_image_load(struct png_image *img, const char *path)
{
    *img = (struct png_image){0};
    SDL_Surface *raw = IMG_Load(path);
    if (raw == NULL) {
        fprintf(stderr, "png_compare: cannot read %s: %s\n", path, IMG_GetError());
        return false;
    }
    SDL_Surface *s = SDL_ConvertSurfaceFormat(raw, SDL_PIXELFORMAT_ARGB8888, 0);
    SDL_FreeSurface(raw);
    if (s == NULL) {
        fprintf(stderr, "png_compare: converting %s: %s\n", path, SDL_GetError());
        return false;
    }
    img->pixels = malloc((size_t)s->w * (size_t)s->h * sizeof *img->pixels);
    if (img->pixels == NULL) {
        fprintf(stderr, "png_compare: out of memory reading %s\n", path);
        SDL_FreeSurface(s);
        return false;
    }
    img->w = s->w;
    img->h = s->h;
    for (int y = 0; y < s->h; y++) /* rows may be padded: copy one by one */
        memcpy(img->pixels + (size_t)y * (size_t)s->w, (const uint8_t *)s->pixels + y * s->pitch,
               (size_t)s->w * sizeof *img->pixels);
    SDL_FreeSurface(s);
    return true;
}

void png_image_free(struct png_image *img)
{
    free(img->pixels);
    *img = (struct png_image){0};
}

bool png_image_save(const struct png_image *img, const char *path)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormatFrom(img->pixels, img->w, img->h, 32, img->w * 4,
                                                        SDL_PIXELFORMAT_ARGB8888);
    if (s == NULL) {
        fprintf(stderr, "png_compare: surface for %s: %s\n", path, SDL_GetError());
        return false;
    }
    bool ok = IMG_SavePNG(s, path) == 0;
    if (!ok)
        fprintf(stderr, "png_compare: writing %s: %s\n", path, IMG_GetError());
    SDL_FreeSurface(s);
    return ok;
}

static int channel_delta(uint32_t a, uint32_t b, int shift)
{
    int x = (int)((a >> shift) & 255u), y = (int)((b >> shift) & 255u);
    return x > y ? x - y : y - x;
}

static bool pixel_differs(uint32_t a, uint32_t b)
{
    for (int shift = 0; shift <= 24; shift += 8)
        if (channel_delta(a, b, shift) > PNG_COMPARE_CHANNEL)
            return true;
    return false;
}

/* The actual pixel as a light grey, so magenta marks stand out on it. */
static uint32_t greyed(uint32_t p)
{
    uint32_t r = (p >> 16) & 255u, g = (p >> 8) & 255u, b = p & 255u;
    uint32_t lum = (r * 299u + g * 587u + b * 114u) / 1000u;
    uint32_t v = 150u + lum * 105u / 255u;
    return 0xFF000000u | (v << 16) | (v << 8) | v;
}

struct png_verdict png_compare(const struct png_image *expected, const struct png_image *actual,
                               struct png_image *diff)
{
    struct png_verdict v = {.same_size = expected->w == actual->w && expected->h == actual->h};
    v.total = (long)actual->w * actual->h;
    if (!v.same_size)
        return v;
    if (diff != NULL) {
        diff->w = actual->w;
        diff->h = actual->h;
        diff->pixels = malloc((size_t)v.total * sizeof *diff->pixels);
    }
    for (long i = 0; i < v.total; i++) {
        bool differs = pixel_differs(expected->pixels[i], actual->pixels[i]);
        v.differing += differs;
        if (diff != NULL && diff->pixels != NULL)
            diff->pixels[i] = differs ? 0xFFFF00FFu : greyed(actual->pixels[i]);
    }
    v.match = v.differing * 1000000L <= (long)PNG_COMPARE_SHARE_PPM * v.total;
    return v;
}
