/*
 * test_speech: accessibility mode's spoken output, from the screen to the
 * sound.
 *
 * The rating, follow-up and thanks screens are laid out by the real ui in
 * accessibility mode with the shipped catalogs (en, fi, de); what each says
 * is synthesized by espeak-ng and must be sound, not silence, of a length
 * that fits its text (35..150 ms a character), and spoken by the screen's
 * language's own voice.  Each is written as a WAV beside the test, to be
 * listened to.  Then struct speech on SDL's disk audio driver (real SDL
 * audio into a file): a long text is cut off by a new request, and
 * speech_stop() leaves silence.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "i18n.h"
#include "speech.h"
#include "ui.h"

#ifndef WOW_TEST_OUT
#define WOW_TEST_OUT "."
#endif

#define WINDOW_MS 20
#define FLOOR_RMS 300.0 /* of 32767: quieter windows count as silence */

/* The share of 20 ms windows louder than FLOOR_RMS. */
static double voiced_share(const int16_t *s, size_t n, int rate)
{
    size_t win = (size_t)rate * WINDOW_MS / 1000, windows = 0, voiced = 0;
    for (size_t i = 0; win > 0 && i + win <= n; i += win) {
        double sum = 0;
        for (size_t k = 0; k < win; k++)
            sum += (double)s[i + k] * s[i + k];
        windows++;
        voiced += sqrt(sum / (double)win) > FLOOR_RMS;
    }
    return windows > 0 ? (double)voiced / (double)windows : 0;
}

static void write_wav(const char *path, const struct speech_pcm *snd)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint32_t data = (uint32_t)(snd->count * 2), rate = (uint32_t)snd->rate;
    uint32_t riff = 36 + data, fmt_size = 16, byte_rate = rate * 2;
    uint16_t pcm = 1, channels = 1, align = 2, bits = 16;
    fwrite("RIFF", 1, 4, f);
    fwrite(&riff, 4, 1, f);
    fwrite("WAVEfmt ", 1, 8, f);
    fwrite(&fmt_size, 4, 1, f);
    fwrite(&pcm, 2, 1, f);
    fwrite(&channels, 2, 1, f);
    fwrite(&rate, 4, 1, f);
    fwrite(&byte_rate, 4, 1, f);
    fwrite(&align, 2, 1, f);
    fwrite(&bits, 2, 1, f);
    fwrite("data", 1, 4, f);
    fwrite(&data, 4, 1, f);
    fwrite(snd->samples, 2, snd->count, f);
    assert_int_equal(fclose(f), 0);
}

static struct speech_pcm say(const char *lang, const char *text)
{
    struct speech_pcm snd;
    char err[160];
    if (!speech_synthesize(lang, text, &snd, err, sizeof err))
        fail_msg("speech_synthesize(%s): %s", lang, err);
    assert_true(snd.rate >= 16000);
    return snd;
}

/* Lays out screen in accessibility mode in language lang of config. */
static const char *screen_says(struct ui_frame *frame, const struct config *config,
                               struct i18n_catalog *const *catalogs, enum kiosk_screen screen,
                               int lang)
{
    struct kiosk_view view = {.screen = screen,
                              .department = config->department,
                              .language = lang,
                              .pressed_reason = -1,
                              .rating = RATING_UNHAPPY,
                              .accessible = true};
    struct ui_input in = {
        .view = &view, .config = config, .catalogs = (const struct i18n_catalog *const *)catalogs};
    ui_layout(frame, &in, 800, 480);
    assert_non_null(frame->speech);
    return frame->speech;
}

static void test_screens_spoken(void **state)
{
    (void)state;
    struct config *config = calloc(1, sizeof *config);
    struct ui_frame *frame = calloc(1, sizeof *frame);
    assert_non_null(config);
    assert_non_null(frame);
    config_defaults(config);
    struct i18n_catalog *catalogs[CONFIG_MAX_LANGUAGES] = {0};
    for (int i = 1; i < config->language_count; i++) {
        char path[1024], err[256];
        snprintf(path, sizeof path, "%s/po/%s.po", WOW_ASSETS_DIR, config->languages[i]);
        catalogs[i] = i18n_catalog_load(path, err, sizeof err);
        if (catalogs[i] == NULL)
            fail_msg("%s", err);
    }
    const enum kiosk_screen screens[] = {KIOSK_SCREEN_RATING, KIOSK_SCREEN_FOLLOW_UP,
                                         KIOSK_SCREEN_THANKS};
    const char *names[] = {"rating", "followup", "thanks"};
    for (int lang = 0; lang < config->language_count; lang++) {
        for (int s = 0; s < 3; s++) {
            const char *code = config->languages[lang];
            const char *text = screen_says(frame, config, catalogs, screens[s], lang);
            struct speech_pcm snd = say(code, text);
            double seconds = (double)snd.count / snd.rate, chars = (double)strlen(text);
            double voiced = voiced_share(snd.samples, snd.count, snd.rate);
            printf("speech: %s %s: %.0f chars, %.2f s, %.0f%% voiced: \"%s\"\n", names[s], code,
                   chars, seconds, 100 * voiced, text);
            assert_true(seconds >= 0.035 * chars && seconds <= 0.150 * chars);
            assert_true(voiced >= 0.35);
            char path[1024];
            snprintf(path, sizeof path, "%s/speech-%s-%s.wav", WOW_TEST_OUT, names[s], code);
            write_wav(path, &snd);
            /* the language's own voice ("gmw/en", "urj/fi", "gmw/de"), no fallback */
            const char *slash = strrchr(snd.voice, '/');
            assert_string_equal(slash != NULL ? slash + 1 : snd.voice, code);
            free(snd.samples);
        }
    }
    for (int i = 0; i < CONFIG_MAX_LANGUAGES; i++)
        if (catalogs[i] != NULL)
            i18n_catalog_destroy(catalogs[i]);
    free(frame);
    free(config);
}

/* The disk driver's file: mono S16 at 22.05 kHz, written at the pace it
 * would be played. */
static int16_t *read_all(const char *path, size_t *count)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    int16_t *s = malloc((size_t)size + 2);
    assert_non_null(s);
    *count = fread(s, 2, (size_t)size / 2, f);
    fclose(f);
    return s;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0)
        ;
}

static double seconds_voiced(const int16_t *s, size_t n, int rate)
{
    return voiced_share(s, n, rate) * (double)n / rate;
}

static void test_device_cut_off(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/speech-device.raw", WOW_TEST_OUT);
    unlink(path);
    setenv("SDL_AUDIODRIVER", "disk", 1);
    setenv("SDL_DISKAUDIOFILE", path, 1);
    const char *text = "How did we do today? From left to right: Very unhappy. Unhappy. Happy. "
                       "WOW. Thank you! Your feedback helps us serve you better. Thank you again, "
                       "and have a very good day.";
    struct speech_pcm full = say("en", text);
    double full_s = seconds_voiced(full.samples, full.count, full.rate);
    free(full.samples);

    struct speech *sp = speech_create();
    assert_non_null(sp);
    speech_say(sp, "en", text);
    sleep_ms(1500);
    speech_say(sp, "en", "Thank you!"); /* cuts the long text off */
    sleep_ms(1500);
    speech_stop(sp);
    sleep_ms(1000);
    speech_destroy(sp);

    size_t n;
    int16_t *s = read_all(path, &n);
    int rate = 22050;
    double heard = seconds_voiced(s, n, rate);
    /* the last half second, after the stop: silence */
    size_t tail = (size_t)rate / 2;
    double tail_voiced = n > tail ? voiced_share(s + n - tail, tail, rate) : 1;
    printf("speech: device: %.2f s written, %.2f s voiced (the whole text: %.2f s), last 0.5 s "
           "%.0f%% voiced\n",
           (double)n / rate, heard, full_s, 100 * tail_voiced);
    assert_true(heard >= 0.6);         /* the start of the long text, and the thanks */
    assert_true(heard < full_s - 1.0); /* but not the whole long text */
    assert_true(tail_voiced < 0.05);   /* stopped */
    free(s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screens_spoken),
        cmocka_unit_test(test_device_cut_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
