/*
 * speech: spoken output for accessibility mode, through espeak-ng (the
 * speech synthesizer Debian packages) and SDL's audio device.
 *
 * speech_say() returns at once: a thread of the speech's own synthesizes
 * the text and queues the sound on the audio device as it comes, so the
 * frame that asked for it is never held up.  A new text (or speech_stop())
 * cuts off what is being said, queued sound included: the kiosk always
 * speaks the screen the customer sees.
 *
 * espeak-ng keeps its state in the process (one voice, one synthesis at a
 * time): this module serialises every use of it, so speech_synthesize()
 * and a struct speech may live side by side.  Nothing is loaded until
 * speech is first needed: a kiosk whose customers never ask for it pays
 * nothing (no audio device, no voice data, no thread).
 */
#ifndef WOW_SPEECH_H
#define WOW_SPEECH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SPEECH_TEXT_MAX 2048 /* bytes of one text, with its NUL; longer is cut */

struct speech; /* opaque */

/* Opens the default audio device and starts the speech thread.  When no
 * audio device can be opened (none, or SDL_AUDIODRIVER=dummy) the speech
 * still runs and says nothing audible: logged once.  NULL when out of
 * memory or no thread can be started (logged).  Free with
 * speech_destroy(). */
struct speech *speech_create(void);

/* Stops speaking, waits for the thread and closes the device.  NULL: no-op. */
void speech_destroy(struct speech *speech);

/* Says text (UTF-8) in language lang ("en", "fi", "de": an espeak-ng
 * voice name; an unknown one speaks with the default voice, logged once),
 * cutting off whatever was being said.  Both copied. */
void speech_say(struct speech *speech, const char *lang, const char *text);

/* Cuts off whatever is being said. */
void speech_stop(struct speech *speech);

/* Sound made in memory by speech_synthesize(). */
struct speech_pcm {
    int16_t *samples; /* mono, signed 16 bits; owned: free() */
    size_t count;
    int rate;       /* samples per second */
    char voice[40]; /* espeak-ng's identifier of the voice that spoke, e.g. "urj/fi" */
};

/* Synthesizes text in lang into *out.  False with a message in err when
 * espeak-ng cannot start or synthesize (its data missing); then *out
 * holds nothing to free. */
bool speech_synthesize(const char *lang, const char *text, struct speech_pcm *out, char *err,
                       size_t err_size);

#endif
