/*
 * speech: espeak-ng into SDL's audio queue on a thread of its own (speech.h).
 *
 * The speech thread waits for a text, synthesizes it (espeak-ng's
 * synchronous mode hands the sound over in pieces of about 0.2 s) and
 * queues each piece on the audio device.  Every request has a generation
 * number: a piece of an older text is refused under the lock and its
 * synthesis stopped, so after speech_say() returns nothing of the old text
 * is queued any more.
 */
#include "speech.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <SDL.h>
#include <espeak-ng/speak_lib.h>

#include "log.h"

#define SPEECH_DEVICE_RATE   22050 /* espeak-ng's voices speak at 22.05 kHz */
#define SPEECH_WORDS_PER_MIN 150   /* a little slower than its 175: clearer in a hall */
#define SPEECH_LANG_MAX      16

#define SPEECH_LIBRARY "libespeak-ng.so.1"

/* The espeak-ng functions used, from the library opened at run time. */
struct espeak_api {
    int (*initialize)(espeak_AUDIO_OUTPUT, int, const char *, int);
    void (*set_synth_callback)(t_espeak_callback *);
    espeak_ERROR (*set_voice_by_name)(const char *);
    espeak_ERROR (*set_parameter)(espeak_PARAMETER, int, int);
    espeak_VOICE *(*get_current_voice)(void);
    espeak_ERROR (*synth)(const void *, size_t, unsigned int, espeak_POSITION_TYPE, unsigned int,
                          unsigned int, unsigned int *, void *);
};

/* espeak-ng is one synthesizer per process: it is opened and started once
 * and every synthesis holds espeak_lock.  Process-wide because espeak-ng's
 * own state is. */
static pthread_once_t espeak_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t espeak_lock = PTHREAD_MUTEX_INITIALIZER;
static struct espeak_api espeak; /* set once by espeak_start() */
static int espeak_rate;          /* samples per second; <= 0: espeak-ng could not start */
static char espeak_error[160];   /* why not, when it could not */
static char espeak_missing_voice[SPEECH_LANG_MAX]; /* logged once: under espeak_lock */

struct synth_job {
    /* Takes n samples; false stops the synthesis. */
    bool (*sink)(void *ctx, const int16_t *samples, size_t n);
    void *ctx;
};

static int on_samples(short *wav, int n, espeak_EVENT *events)
{
    struct synth_job *job = events != NULL ? events->user_data : NULL;
    if (job == NULL || wav == NULL || n <= 0)
        return 0;
    return job->sink(job->ctx, wav, (size_t)n) ? 0 : 1;
}

/* Looks name up in lib into *fn; false (and espeak_error) when missing. */
static bool espeak_symbol(void *lib, const char *name, void *fn, size_t fn_size)
{
    void *sym = dlsym(lib, name);
    if (sym == NULL) {
        snprintf(espeak_error, sizeof espeak_error, "%s has no %s", SPEECH_LIBRARY, name);
        return false;
    }
    memcpy(fn, &sym, fn_size); /* POSIX: a data pointer converts to a function pointer */
    return true;
}

static void espeak_start(void)
{
    void *lib = dlopen(SPEECH_LIBRARY, RTLD_NOW | RTLD_LOCAL); /* kept open for the process */
    if (lib == NULL) {
        snprintf(espeak_error, sizeof espeak_error, "cannot open %s (is libespeak-ng1 installed?)",
                 SPEECH_LIBRARY);
        return;
    }
    struct espeak_api *e = &espeak;
    if (!espeak_symbol(lib, "espeak_Initialize", &e->initialize, sizeof e->initialize) ||
        !espeak_symbol(lib, "espeak_SetSynthCallback", &e->set_synth_callback,
                       sizeof e->set_synth_callback) ||
        !espeak_symbol(lib, "espeak_SetVoiceByName", &e->set_voice_by_name,
                       sizeof e->set_voice_by_name) ||
        !espeak_symbol(lib, "espeak_SetParameter", &e->set_parameter, sizeof e->set_parameter) ||
        !espeak_symbol(lib, "espeak_GetCurrentVoice", &e->get_current_voice,
                       sizeof e->get_current_voice) ||
        !espeak_symbol(lib, "espeak_Synth", &e->synth, sizeof e->synth))
        return;
    espeak_rate = e->initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, NULL, espeakINITIALIZE_DONT_EXIT);
    if (espeak_rate <= 0)
        snprintf(espeak_error, sizeof espeak_error,
                 "espeak-ng cannot start (is espeak-ng-data installed?)");
    else
        e->set_synth_callback(on_samples);
}

/* Synthesizes text in lang into job's sink; false with err when espeak-ng
 * cannot start or refuses the text. */
static bool synthesize(const char *lang, const char *text, struct synth_job *job, char *voice,
                       size_t voice_size, char *err, size_t err_size)
{
    pthread_once(&espeak_once, espeak_start);
    if (espeak_rate <= 0) {
        snprintf(err, err_size, "%s", espeak_error);
        return false;
    }
    pthread_mutex_lock(&espeak_lock);
    if (espeak.set_voice_by_name(lang) != EE_OK) {
        if (strcmp(espeak_missing_voice, lang) != 0) {
            log_warn("speech: espeak-ng has no voice for \"%s\": the default voice speaks", lang);
            snprintf(espeak_missing_voice, sizeof espeak_missing_voice, "%s", lang);
        }
        espeak.set_voice_by_name("en");
    }
    espeak.set_parameter(espeakRATE, SPEECH_WORDS_PER_MIN, 0);
    const espeak_VOICE *current = espeak.get_current_voice();
    if (voice != NULL)
        snprintf(voice, voice_size, "%s",
                 current != NULL && current->identifier != NULL ? current->identifier : "");
    espeak_ERROR e =
        espeak.synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, job);
    pthread_mutex_unlock(&espeak_lock);
    if (e != EE_OK) {
        snprintf(err, err_size, "espeak-ng refused the text (error %d)", (int)e);
        return false;
    }
    return true;
}

/* ---- into memory ---- */

struct pcm_buffer {
    int16_t *samples;
    size_t count, cap;
    bool out_of_memory;
};

static bool pcm_append(void *ctx, const int16_t *samples, size_t n)
{
    struct pcm_buffer *b = ctx;
    if (b->count + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->count + n)
            cap *= 2;
        int16_t *grown = realloc(b->samples, cap * sizeof *grown);
        if (grown == NULL) {
            b->out_of_memory = true;
            return false;
        }
        b->samples = grown;
        b->cap = cap;
    }
    memcpy(b->samples + b->count, samples, n * sizeof *samples);
    b->count += n;
    return true;
}

bool speech_synthesize(const char *lang, const char *text, struct speech_pcm *out, char *err,
                       size_t err_size)
{
    struct pcm_buffer b = {0};
    struct synth_job job = {pcm_append, &b};
    *out = (struct speech_pcm){0};
    if (!synthesize(lang, text, &job, out->voice, sizeof out->voice, err, err_size) ||
        b.out_of_memory) {
        if (b.out_of_memory)
            snprintf(err, err_size, "out of memory for %zu samples", b.count);
        free(b.samples);
        return false;
    }
    out->samples = b.samples;
    out->count = b.count;
    out->rate = espeak_rate;
    return true;
}

/* ---- onto the audio device ---- */

struct speech {
    SDL_AudioDeviceID device; /* 0: none (nothing audible) */
    SDL_Thread *thread;
    SDL_mutex *lock; /* guards everything below */
    SDL_cond *wake;
    unsigned long asked; /* the generation of the latest request */
    unsigned long taken; /* the generation the thread took last */
    bool quit;
    char lang[SPEECH_LANG_MAX];
    char text[SPEECH_TEXT_MAX];
};

struct queue_ctx {
    struct speech *speech;
    unsigned long generation;
};

static bool queue_samples(void *ctx, const int16_t *samples, size_t n)
{
    struct queue_ctx *q = ctx;
    struct speech *s = q->speech;
    SDL_LockMutex(s->lock);
    bool current = !s->quit && s->asked == q->generation;
    if (current && s->device != 0 &&
        SDL_QueueAudio(s->device, samples, (Uint32)(n * sizeof *samples)) != 0)
        log_warn("speech: cannot queue sound: %s", SDL_GetError());
    SDL_UnlockMutex(s->lock);
    return current;
}

static int speech_thread(void *arg)
{
    struct speech *s = arg;
    char lang[SPEECH_LANG_MAX], err[160];
    char *text = malloc(SPEECH_TEXT_MAX); /* the thread's copy of the text */
    if (text == NULL) {
        log_error("speech: out of memory: nothing is spoken");
        return 1;
    }
    /* Synthesis is bursts of CPU work: on a Pi's few cores the render
       thread must win them, or a tap's frame waits on a sentence. */
    if (SDL_SetThreadPriority(SDL_THREAD_PRIORITY_LOW) != 0)
        log_warn("speech: cannot lower its thread's priority: %s", SDL_GetError());
    SDL_LockMutex(s->lock);
    while (!s->quit) {
        if (s->taken == s->asked) {
            SDL_CondWait(s->wake, s->lock);
            continue;
        }
        struct queue_ctx q = {s, s->asked};
        s->taken = s->asked;
        memcpy(lang, s->lang, sizeof lang);
        memcpy(text, s->text, SPEECH_TEXT_MAX);
        SDL_UnlockMutex(s->lock);
        struct synth_job job = {queue_samples, &q};
        if (text[0] != '\0' && !synthesize(lang, text, &job, NULL, 0, err, sizeof err))
            log_error("speech: %s", err);
        SDL_LockMutex(s->lock);
    }
    SDL_UnlockMutex(s->lock);
    free(text);
    return 0;
}

static SDL_AudioDeviceID open_device(void)
{
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        log_warn("speech: no audio (%s): nothing is heard", SDL_GetError());
        return 0;
    }
    SDL_AudioSpec want = {
        .freq = SPEECH_DEVICE_RATE, .format = AUDIO_S16SYS, .channels = 1, .samples = 1024};
    SDL_AudioSpec have;
    SDL_AudioDeviceID device = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (device == 0) {
        log_warn("speech: cannot open an audio device (%s): nothing is heard", SDL_GetError());
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
        return 0;
    }
    log_info("speech: audio on %s", SDL_GetCurrentAudioDriver());
    SDL_PauseAudioDevice(device, 0);
    return device;
}

struct speech *speech_create(void)
{
    struct speech *s = calloc(1, sizeof *s);
    if (s == NULL) {
        log_error("speech: out of memory");
        return NULL;
    }
    s->lock = SDL_CreateMutex();
    s->wake = SDL_CreateCond();
    if (s->lock == NULL || s->wake == NULL) {
        log_error("speech: %s", SDL_GetError());
        speech_destroy(s);
        return NULL;
    }
    s->device = open_device();
    s->thread = SDL_CreateThread(speech_thread, "speech", s);
    if (s->thread == NULL) {
        log_error("speech: cannot start its thread: %s", SDL_GetError());
        speech_destroy(s);
        return NULL;
    }
    return s;
}

void speech_destroy(struct speech *s)
{
    if (s == NULL)
        return;
    if (s->thread != NULL) {
        SDL_LockMutex(s->lock);
        s->quit = true;
        SDL_CondSignal(s->wake);
        SDL_UnlockMutex(s->lock);
        SDL_WaitThread(s->thread, NULL);
    }
    if (s->device != 0) {
        SDL_CloseAudioDevice(s->device);
        SDL_QuitSubSystem(SDL_INIT_AUDIO);
    }
    if (s->wake != NULL)
        SDL_DestroyCond(s->wake);
    if (s->lock != NULL)
        SDL_DestroyMutex(s->lock);
    free(s);
}

void speech_say(struct speech *s, const char *lang, const char *text)
{
    SDL_LockMutex(s->lock);
    s->asked++;
    snprintf(s->lang, sizeof s->lang, "%s", lang);
    snprintf(s->text, sizeof s->text, "%s", text);
    if (s->device != 0)
        SDL_ClearQueuedAudio(s->device);
    SDL_CondSignal(s->wake);
    SDL_UnlockMutex(s->lock);
}

void speech_stop(struct speech *s)
{
    speech_say(s, "en", "");
}
