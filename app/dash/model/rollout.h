/*
 * rollout: what a staged rollout of a system bundle means, with no I/O
 * (docs/DEPLOY.md, "Rolling out from the dashboard"): which kiosks are
 * offered the bundle at each stage, how far it got, and when it must stop
 * by itself.
 *
 * Stages: canary (the named kiosks are offered it), fleet (every kiosk),
 * paused (nobody new is offered it; it resumes the stage it paused),
 * done (every kiosk runs it), stopped (given up by hand).  A kiosk's own
 * report (the heartbeat's update_version and update_state) of "failed"
 * (its self-test failed on the new slot), "fallback" (the new slot never
 * confirmed: it runs the old one again) or "refused" (the download did not
 * match its checksum or signature) for the rollout's version pauses it.
 */
#ifndef WOW_ROLLOUT_H
#define WOW_ROLLOUT_H

#include <stdbool.h>
#include <stddef.h>

enum rollout_stage {
    ROLLOUT_CANARY,
    ROLLOUT_FLEET,
    ROLLOUT_PAUSED,
    ROLLOUT_DONE,
    ROLLOUT_STOPPED,
};

/* Who changed a rollout's stage when the dashboard did it by itself
 * (update_rollouts.changed_by), and the notes it writes then: stored in
 * English, for the API and the command line; the fleet page shows them in
 * its reader's language (rollout_note_paused_parse).  No user may take
 * this name (wowdash user add refuses it). */
#define ROLLOUT_BY_ITSELF   "wowdash"
#define ROLLOUT_NOTE_PAUSED "Paused by itself: kiosk %s reports %s %s" /* kiosk, version, state */
#define ROLLOUT_NOTE_DONE   "every kiosk runs it"

/* The kiosk, version and state of a note written from ROLLOUT_NOTE_PAUSED
 * (the state is its last word, the version what lies between); false,
 * outputs "", when note is not one or a part does not fit. */
bool rollout_note_paused_parse(const char *note, char *kiosk, size_t kiosk_size, char *version,
                               size_t version_size, char *state, size_t state_size);

/* The stage's word in the database ("canary", ...); its stage from a word,
 * false when it is none of them. */
const char *rollout_stage_name(enum rollout_stage stage);
bool rollout_stage_parse(const char *word, enum rollout_stage *out);

/* One kiosk as the rollout sees it (strings borrowed, "" when unknown). */
struct rollout_kiosk {
    const char *kiosk_id;
    const char *app_version;    /* what it runs */
    const char *update_version; /* the bundle its update_state is about */
    const char *update_state;   /* "", downloading, installing, trying, good, failed, ... */
};

/* Whether kiosk_id is in list, comma-separated ids (the canary, the excused). */
bool rollout_in_list(const char *list, const char *kiosk_id);

/* Whether stage (canary or fleet; never paused, done or stopped) offers
 * version to kiosk k: it is a target and does not run version yet. */
bool rollout_offers(enum rollout_stage stage, const char *canary, const char *version,
                    const struct rollout_kiosk *k);

/* Whether k reports that version failed on it (failed, fallback, refused). */
bool rollout_kiosk_failed(const char *version, const struct rollout_kiosk *k);

struct rollout_progress {
    int targets;      /* kiosks the stage (or, paused, the stage it paused) reaches */
    int updated;      /* of them, running the version */
    int underway;     /* of them, downloading, installing or trying it */
    int failed;       /* of them, reporting it failed */
    int unexcused;    /* of those, not excused by a resume: these pause it */
    int old;          /* kiosks of the whole fleet not running the version */
    int first_failed; /* the index in kiosks of the first unexcused failed one; -1 */
};

/* Counts where the rollout of version stands over kiosks[0..n).  excused:
 * the comma-separated kiosks whose failure an admin went past by resuming
 * (they are never offered the version again, and do not pause it). */
void rollout_progress(enum rollout_stage stage, enum rollout_stage paused_from, const char *canary,
                      const char *excused, const char *version, const struct rollout_kiosk *kiosks,
                      size_t n, struct rollout_progress *out);

/* What the rollout does by itself now: pause (a target failed), finish
 * (the fleet stage reached every kiosk), or nothing. */
enum rollout_step { ROLLOUT_STEP_NONE, ROLLOUT_STEP_PAUSE, ROLLOUT_STEP_DONE };
enum rollout_step rollout_next_step(enum rollout_stage stage, const struct rollout_progress *p);

#endif
