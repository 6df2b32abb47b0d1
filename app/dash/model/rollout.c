/* rollout: what a staged rollout means (see rollout.h). */
#include "rollout.h"

#include <string.h>

static const char *const stage_names[] = {
    [ROLLOUT_CANARY] = "canary", [ROLLOUT_FLEET] = "fleet",     [ROLLOUT_PAUSED] = "paused",
    [ROLLOUT_DONE] = "done",     [ROLLOUT_STOPPED] = "stopped",
};

const char *rollout_stage_name(enum rollout_stage stage)
{
    return stage_names[stage];
}

bool rollout_stage_parse(const char *word, enum rollout_stage *out)
{
    for (size_t i = 0; i < sizeof stage_names / sizeof stage_names[0]; i++) {
        if (!strcmp(word, stage_names[i])) {
            *out = (enum rollout_stage)i;
            return true;
        }
    }
    return false;
}

/* Copies [from, to) into out as a string when it fits and is not empty. */
static bool take_part(const char *from, const char *to, char *out, size_t size)
{
    size_t n = (size_t)(to - from);
    if (n == 0 || n >= size)
        return false;
    memcpy(out, from, n);
    out[n] = '\0';
    return true;
}

bool rollout_note_paused_parse(const char *note, char *kiosk, size_t kiosk_size, char *version,
                               size_t version_size, char *state, size_t state_size)
{
    static const char head[] = "Paused by itself: kiosk ", middle[] = " reports ";
    /* HEAD %s MIDDLE %s " " %s: a change of the note is a change here */
    _Static_assert(sizeof ROLLOUT_NOTE_PAUSED == sizeof head + sizeof middle + 6,
                   "the parse follows ROLLOUT_NOTE_PAUSED");
    kiosk[0] = version[0] = state[0] = '\0';
    if (strncmp(note, head, sizeof head - 1) != 0)
        return false;
    const char *k = note + sizeof head - 1;
    const char *k_end = strstr(k, middle); /* a kiosk id has no spaces */
    if (!k_end || memchr(k, ' ', (size_t)(k_end - k)))
        return false;
    const char *v = k_end + sizeof middle - 1;
    const char *s = strrchr(v, ' ');
    if (!s || !take_part(k, k_end, kiosk, kiosk_size) || !take_part(v, s, version, version_size) ||
        !take_part(s + 1, s + 1 + strlen(s + 1), state, state_size)) {
        kiosk[0] = version[0] = state[0] = '\0';
        return false;
    }
    return true;
}

bool rollout_in_list(const char *list, const char *kiosk_id)
{
    size_t len = strlen(kiosk_id);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && len > 0 && !memcmp(p, kiosk_id, len))
            return true;
        p += n + (end != NULL);
    }
    return false;
}

static bool targeted(enum rollout_stage stage, const char *canary, const char *kiosk_id)
{
    return stage == ROLLOUT_FLEET || (stage == ROLLOUT_CANARY && rollout_in_list(canary, kiosk_id));
}

bool rollout_offers(enum rollout_stage stage, const char *canary, const char *version,
                    const struct rollout_kiosk *k)
{
    return targeted(stage, canary, k->kiosk_id) && strcmp(k->app_version, version) != 0 &&
           !rollout_kiosk_failed(version, k);
}

bool rollout_kiosk_failed(const char *version, const struct rollout_kiosk *k)
{
    if (strcmp(k->update_version, version) != 0)
        return false;
    return !strcmp(k->update_state, "failed") || !strcmp(k->update_state, "fallback") ||
           !strcmp(k->update_state, "refused");
}

static bool underway(const char *version, const struct rollout_kiosk *k)
{
    static const char *const states[] = {"downloading", "downloaded", "installing", "installed",
                                         "trying"};
    if (strcmp(k->update_version, version) != 0)
        return false;
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (!strcmp(k->update_state, states[i]))
            return true;
    return false;
}

void rollout_progress(enum rollout_stage stage, enum rollout_stage paused_from, const char *canary,
                      const char *excused, const char *version, const struct rollout_kiosk *kiosks,
                      size_t n, struct rollout_progress *out)
{
    *out = (struct rollout_progress){.first_failed = -1};
    enum rollout_stage reach = stage == ROLLOUT_PAUSED ? paused_from : stage;
    if (reach == ROLLOUT_DONE)
        reach = ROLLOUT_FLEET;
    for (size_t i = 0; i < n; i++) {
        const struct rollout_kiosk *k = &kiosks[i];
        bool runs = !strcmp(k->app_version, version);
        out->old += !runs;
        if (!targeted(reach, canary, k->kiosk_id))
            continue;
        out->targets++;
        if (runs) {
            out->updated++;
        } else if (rollout_kiosk_failed(version, k)) {
            out->failed++;
            if (!rollout_in_list(excused, k->kiosk_id) && out->unexcused++ == 0)
                out->first_failed = (int)i;
        } else if (underway(version, k)) {
            out->underway++;
        }
    }
}

enum rollout_step rollout_next_step(enum rollout_stage stage, const struct rollout_progress *p)
{
    if (stage != ROLLOUT_CANARY && stage != ROLLOUT_FLEET)
        return ROLLOUT_STEP_NONE;
    if (p->unexcused > 0)
        return ROLLOUT_STEP_PAUSE;
    if (stage == ROLLOUT_FLEET && p->targets > 0 && p->updated == p->targets)
        return ROLLOUT_STEP_DONE;
    return ROLLOUT_STEP_NONE;
}
