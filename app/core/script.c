/*
 * script: parses --script files into steps the main loop replays.
 *
 * A script is read whole before the kiosk starts, so a typo on line 40
 * fails at once with "NAME:LINE: expected ..., got ..." instead of halfway
 * through a recorded session.  Nothing is logged here; the caller reports
 * the error once.  Out of memory is reported as an error too.
 */
#include "script.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "parse_error.h"
#include "utf8.h"
#include "technician.h"

#define SCRIPT_MAX_WAIT_MS 3600000
#define SCRIPT_MAX_COORD   10000
#define SCRIPT_MAX_WORDS   4 /* a command and its arguments; more are an error */

struct script_parser {
    const char *name;
    int line;
    char *err;
    unsigned err_size;
};

/* One word of a line: where it starts and how long it is (not terminated). */
struct script_word {
    const char *s;
    int len;
};

static bool script_fail(struct script_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes "NAME:LINE: " and the message into the caller's err; always false. */
static bool script_fail(struct script_parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    parse_error_v(p->err, p->err_size, p->name, p->line, fmt, ap);
    va_end(ap);
    return false;
}

static bool word_is(struct script_word w, const char *s)
{
    return (size_t)w.len == strlen(s) && memcmp(w.s, s, (size_t)w.len) == 0;
}

/* Parses a whole decimal number in min..max from the word. */
static bool word_number(struct script_word w, long min, long max, long *out)
{
    char buf[16];
    if (w.len == 0 || w.len >= (int)sizeof buf)
        return false;
    memcpy(buf, w.s, (size_t)w.len);
    buf[w.len] = '\0';
    if (buf[0] < '0' || buf[0] > '9')
        return false; /* no sign, no blanks: strtol would accept them */
    char *end;
    errno = 0;
    long v = strtol(buf, &end, 10);
    if (*end != '\0' || errno != 0 || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Splits a line into words, up to the end of line or a '#'. */
static int script_split(const char *s, struct script_word *words, int max)
{
    int count = 0;
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\r')
            s++;
        if (*s == '\0' || *s == '\n' || *s == '#')
            return count;
        const char *start = s;
        while (*s != '\0' && *s != '\n' && *s != '#' && *s != ' ' && *s != '\t' && *s != '\r')
            s++;
        if (count < max)
            words[count] = (struct script_word){start, (int)(s - start)};
        count++;
    }
}

static bool script_is_id(struct script_word w)
{
    if (w.len < 1 || w.len > 31)
        return false;
    for (int i = 0; i < w.len; i++) {
        char c = w.s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* The technician screens' targets: the names of technician.h's table
 * (pin:N, pin:ok, tech:ITEM...) or tech-department:ID|configured.  The
 * whole word is kept in step->name; the program maps it to a target. */
static bool script_tech_target(struct script_parser *p, struct script_word w,
                               struct script_word kind, struct script_word arg,
                               struct script_step *step)
{
    struct technician_event ignored;
    bool ok = word_is(kind, "tech-department")
                  ? script_is_id(arg)
                  : technician_event_named(w.s, (unsigned long)w.len, &ignored);
    if (!ok || w.len >= (int)sizeof step->name)
        return script_fail(p,
                           "expected pin:0..pin:9, pin:delete, pin:ok, tech:sync|touch|pattern|"
                           "department|restart|close|back or tech-department:ID, got '%.*s'",
                           w.len > 40 ? 40 : w.len, w.s);
    step->target = SCRIPT_AT_TECH;
    memcpy(step->name, w.s, (size_t)w.len);
    step->name[w.len] = '\0';
    return true;
}

/* lang:XX, a 2-letter code. */
static bool script_lang_target(struct script_parser *p, struct script_word w,
                               struct script_word arg, struct script_step *step)
{
    if (arg.len != 2 || arg.s[0] < 'a' || arg.s[0] > 'z' || arg.s[1] < 'a' || arg.s[1] > 'z')
        return script_fail(p, "expected lang: and a 2-letter code like lang:fi, got '%.*s'", w.len,
                           w.s);
    step->target = SCRIPT_AT_LANG;
    memcpy(step->name, arg.s, 2);
    step->name[2] = '\0';
    return true;
}

/* The comment offer ("comment") or a key of the keyboard ("key:N"). */
static bool script_comment_target(struct script_parser *p, struct script_word w,
                                  struct script_word arg, struct script_step *step)
{
    long n;
    if (word_is(w, "comment")) {
        step->target = SCRIPT_AT_COMMENT;
        return true;
    }
    if (!word_number(arg, 0, 63, &n))
        return script_fail(p, "expected key:0 to key:63, got '%.*s'", w.len, w.s);
    step->target = SCRIPT_AT_KEY;
    step->index = (int)n;
    return true;
}

/* A named target: face:N, reason:N, skip, lang:XX, department:ID, or one
 * of the technician screens'. */
static bool script_target(struct script_parser *p, struct script_word w, struct script_step *step)
{
    const char *colon = memchr(w.s, ':', (size_t)w.len);
    struct script_word kind = {w.s, colon ? (int)(colon - w.s) : w.len};
    struct script_word arg = {colon ? colon + 1 : w.s + w.len, colon ? w.len - kind.len - 1 : 0};
    long n;
    if (word_is(w, "skip")) {
        step->target = SCRIPT_AT_SKIP;
    } else if (word_is(w, "accessible")) {
        step->target = SCRIPT_AT_ACCESSIBLE;
    } else if (word_is(w, "comment") || (colon != NULL && word_is(kind, "key"))) {
        return script_comment_target(p, w, arg, step);
    } else if (colon != NULL && word_is(kind, "face")) {
        if (!word_number(arg, 1, 4, &n))
            return script_fail(p, "expected face:1 to face:4, got '%.*s'", w.len, w.s);
        step->target = SCRIPT_AT_FACE;
        step->index = (int)n;
    } else if (colon != NULL && word_is(kind, "reason")) {
        if (!word_number(arg, 1, 6, &n))
            return script_fail(p, "expected reason:1 to reason:6, got '%.*s'", w.len, w.s);
        step->target = SCRIPT_AT_REASON;
        step->index = (int)n;
    } else if (colon != NULL && word_is(kind, "lang")) {
        return script_lang_target(p, w, arg, step);
    } else if (colon != NULL && word_is(kind, "department")) {
        if (!script_is_id(arg))
            return script_fail(p,
                               "expected department: and an id of 1-31 letters, digits, '_' "
                               "or '-', got '%.*s'",
                               w.len, w.s);
        step->target = SCRIPT_AT_DEPARTMENT;
        memcpy(step->name, arg.s, (size_t)arg.len);
        step->name[arg.len] = '\0';
    } else if (colon != NULL && (word_is(kind, "pin") || word_is(kind, "tech") ||
                                 word_is(kind, "tech-department"))) {
        return script_tech_target(p, w, kind, arg, step);
    } else {
        return script_fail(p,
                           "expected X Y or face:N, reason:N, skip, comment, key:N, lang:XX, "
                           "department:ID, pin:N, tech:ITEM, tech-department:ID, got '%.*s'",
                           w.len > 40 ? 40 : w.len, w.s);
    }
    return true;
}

/* tap / press: X Y or one named target. */
static bool script_where(struct script_parser *p, const struct script_word *words, int count,
                         struct script_step *step)
{
    if (count == 1)
        return script_fail(p, "expected X Y or a target after %.*s, got end of line", words[0].len,
                           words[0].s);
    if (count == 2)
        return script_target(p, words[1], step);
    if (count > 3)
        return script_fail(p, "expected end of line after X Y, got '%.*s'", words[3].len,
                           words[3].s);
    long x, y;
    for (int i = 1; i <= 2; i++) {
        if (!word_number(words[i], 0, SCRIPT_MAX_COORD, i == 1 ? &x : &y))
            return script_fail(p, "expected a coordinate from 0 to %d, got '%.*s'",
                               SCRIPT_MAX_COORD, words[i].len > 40 ? 40 : words[i].len, words[i].s);
    }
    step->target = SCRIPT_AT_XY;
    step->x = (int)x;
    step->y = (int)y;
    return true;
}

/* One non-empty line: a command and its arguments. */
static bool script_command(struct script_parser *p, const struct script_word *words, int count,
                           struct script_step *step)
{
    struct script_word cmd = words[0];
    bool bare = true; /* commands without arguments */
    *step = (struct script_step){.line = p->line};
    if (word_is(cmd, "wait")) {
        long ms;
        if (count > 2)
            return script_fail(p, "expected end of line after wait MS, got '%.*s'",
                               words[2].len > 40 ? 40 : words[2].len, words[2].s);
        if (count != 2 || !word_number(words[1], 0, SCRIPT_MAX_WAIT_MS, &ms))
            return script_fail(p, "expected wait and milliseconds from 0 to %d, got '%.*s'",
                               SCRIPT_MAX_WAIT_MS, count > 1 ? words[1].len : 0,
                               count > 1 ? words[1].s : "");
        step->op = SCRIPT_WAIT;
        step->wait_ms = ms;
        return true;
    }
    if (word_is(cmd, "advance")) {
        long ms;
        if (count != 2 || !word_number(words[1], 0, SCRIPT_MAX_WAIT_MS, &ms))
            return script_fail(p, "expected advance and milliseconds from 0 to %d",
                               SCRIPT_MAX_WAIT_MS);
        step->op = SCRIPT_ADVANCE;
        step->wait_ms = ms;
        return true;
    }
    if (word_is(cmd, "tap") || word_is(cmd, "press")) {
        step->op = word_is(cmd, "tap") ? SCRIPT_TAP : SCRIPT_PRESS;
        return script_where(p, words, count, step);
    }
    if (word_is(cmd, "release"))
        step->op = SCRIPT_RELEASE;
    else if (word_is(cmd, "screenshot"))
        step->op = SCRIPT_SCREENSHOT;
    else if (word_is(cmd, "quit"))
        step->op = SCRIPT_QUIT;
    else
        bare = false;
    if (!bare)
        return script_fail(p,
                           "expected wait, advance, tap, press, release, screenshot or quit, "
                           "got '%.*s'",
                           cmd.len > 40 ? 40 : cmd.len, cmd.s);
    if (count > 1)
        return script_fail(p, "expected end of line after %.*s, got '%.*s'", cmd.len, cmd.s,
                           words[1].len > 40 ? 40 : words[1].len, words[1].s);
    return true;
}

bool script_parse(struct script *script, const char *name, const char *text, char *err,
                  unsigned err_size)
{
    struct script_parser p = {.name = name, .err = err, .err_size = err_size};
    struct script_step *steps = NULL;
    int count = 0, cap = 0;
    *script = (struct script){0};
    for (const char *s = text; *s != '\0';) {
        struct script_word words[SCRIPT_MAX_WORDS];
        p.line++;
        size_t len = strcspn(s, "\n"), bad = utf8_invalid_at(s, len);
        if (bad < len) {
            free(steps);
            return script_fail(&p, "byte 0x%02x at column %zu is not UTF-8; expected UTF-8 text",
                               (unsigned char)s[bad], bad + 1);
        }
        int n = script_split(s, words, SCRIPT_MAX_WORDS);
        if (n > SCRIPT_MAX_WORDS)
            n = SCRIPT_MAX_WORDS; /* the extra words are reported as "expected end of line" */
        if (n > 0) {
            if (count == cap) {
                cap = cap ? cap * 2 : 32;
                struct script_step *grown = realloc(steps, (size_t)cap * sizeof *grown);
                if (grown == NULL) {
                    free(steps);
                    return script_fail(&p, "out of memory");
                }
                steps = grown;
            }
            if (!script_command(&p, words, n, &steps[count])) {
                free(steps);
                return false;
            }
            count++;
        }
        const char *nl = strchr(s, '\n');
        if (nl == NULL)
            break;
        s = nl + 1;
    }
    script->steps = steps;
    script->count = count;
    return true;
}

bool script_load(struct script *script, const char *path, char *err, unsigned err_size)
{
    *script = (struct script){0};
    int err_no = 0;
    char *text = file_read_text(path, &err_no);
    if (text == NULL) {
        snprintf(err, err_size, "%s:0: cannot read: %s", path, file_error(err_no));
        return false;
    }
    bool ok = script_parse(script, path, text, err, err_size);
    free(text);
    return ok;
}

void script_destroy(struct script *script)
{
    if (script == NULL)
        return;
    free(script->steps);
    *script = (struct script){0};
}
