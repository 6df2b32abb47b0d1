/*
 * updates: published system bundles and their staged rollouts in the
 * shared database (schema step 13; docs/DEPLOY.md, "Rolling out from the
 * dashboard").  What the stages mean is rollout.h's; this file reads and
 * writes the tables, and keeps kiosk_update (the offer each kiosk reads
 * through its own role) equal to what the rollout's stage offers.
 *
 * Errors: false with the reason in err (size bytes); a refusal (a version
 * published twice, a rollout while another is under way, an unknown
 * kiosk) is an error whose text says what was expected.
 */
#ifndef WOW_UPDATES_H
#define WOW_UPDATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollout.h"

struct dashdb;

#define UPDATES_VERSION_MAX 64
#define UPDATES_URL_MAX     1024
#define UPDATES_WHO_MAX     64
#define UPDATES_NOTE_MAX    512
#define UPDATES_SIGNER_MAX  256

struct update_bundle {
    char version[UPDATES_VERSION_MAX];
    char url[UPDATES_URL_MAX];
    char sha256[65];
    int64_t size;
    char signer[UPDATES_SIGNER_MAX];
};

/* Records a bundle as published by `by` at now_ms.  Refused when the
 * version is already published (a version names one bundle for ever). */
bool updates_publish(struct dashdb *db, const struct update_bundle *bundle, const char *by,
                     int64_t now_ms, char *err, size_t size);

/* The newest rollout; *found false when there was none.  canary and
 * excused are malloc'd (the caller frees it with updates_rollout_free). */
struct update_rollout {
    int64_t rollout_id;
    char version[UPDATES_VERSION_MAX];
    enum rollout_stage stage, paused_from;
    char *canary;
    char *excused; /* failed kiosks a resume went past, comma-separated */
    char started_by[UPDATES_WHO_MAX], changed_by[UPDATES_WHO_MAX];
    int64_t started_ms, changed_ms;
    char note[UPDATES_NOTE_MAX];
};
bool updates_read_rollout(struct dashdb *db, struct update_rollout *out, bool *found, char *err,
                          size_t size);
void updates_rollout_free(struct update_rollout *rollout);

/* Starts rolling version out to the canary kiosks (comma-separated ids,
 * each a kiosk the fleet knows).  Refused while another rollout is in
 * canary, fleet or paused, or when the version is not published. */
bool updates_start(struct dashdb *db, const char *version, const char *canary, const char *by,
                   int64_t now_ms, char *err, size_t size);

/* By hand: "promote" (canary to fleet), "pause", "resume", "stop".
 * Resuming goes past the kiosks that reported the version failed: they
 * are excused (never offered it again; they no longer pause it). */
bool updates_act(struct dashdb *db, const char *action, const char *by, const char *note,
                 int64_t now_ms, char *err, size_t size);

/* By itself, after each heartbeat that may matter (the server's refresher
 * and `rollout status`): pauses on a failed target, finishes a fleet stage
 * every kiosk reached, and rewrites the offers.  *step (may be NULL) says
 * what it did. */
bool updates_check(struct dashdb *db, int64_t now_ms, enum rollout_step *step, char *err,
                   size_t size);

/* The rollout's kiosks, for the fleet page and `rollout status`: every
 * kiosks row's id, version and update report (malloc'd strings; free with
 * updates_kiosks_free). */
struct update_kiosks {
    struct rollout_kiosk *kiosks;
    size_t n;
};
bool updates_read_kiosks(struct dashdb *db, struct update_kiosks *out, char *err, size_t size);
void updates_kiosks_free(struct update_kiosks *kiosks);

#endif
