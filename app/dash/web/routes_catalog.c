/*
 * routes_catalog: the Catalog page and its forms (page_catalog.h,
 * docs/CATALOG.md "Who may change it").  GET /catalog shows it; the POSTs
 * (the router has checked role and csrf) make a new version through
 * catalog_db.h, or show why not with the words --check-config uses; a
 * version that fails changes nothing.
 *
 *   POST /catalog/document          admin: the whole document (field base:
 *                                   the version it was made from)
 *   POST /catalog/reason/ID         admin: label, label.LANG
 *   POST /catalog/department/ID     admin: name, question, we_did (and
 *                                   .LANG), we_did_from, we_did_until, comments,
 *                                   head_edits; a head: question, we_did
 *                                   (and .LANG) and the note's days, only of
 *                                   a department in its scope whose
 *                                   head_edits is true
 *                                   (404 otherwise, as the scope rule does)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "catalog_db.h"
#include "catalog_text.h"
#include "page_catalog.h"
#include "pages.h"
#include "router_private.h"

#define CATALOG_FORM_ERRORS 32
#define CATALOG_EDITS_MAX   (3 * CONFIG_MAX_LANGUAGES + 1)

/* The newest version as the page and the posts need it; all owned. */
struct catalog_state {
    int64_t version;
    char *document;
    struct catalog *catalog; /* NULL when the catalog is empty */
    char languages[CONFIG_MAX_LANGUAGES][8];
    int language_count;
    struct page_catalog_item *reasons, *departments;
    int reason_count, department_count;
    struct catalog_db_version *versions;
    size_t version_count;
    /* why a post was refused, one line each */
    char errors[CATALOG_FORM_ERRORS][1024];
    int error_count;
};

static void state_free(struct catalog_state *s)
{
    free(s->document);
    catalog_free(s->catalog);
    free(s->reasons);
    free(s->departments);
    free(s->versions);
}

static void add_error(struct catalog_state *s, const char *line)
{
    if (s->error_count < CATALOG_FORM_ERRORS)
        snprintf(s->errors[s->error_count++], sizeof s->errors[0], "%s", line);
}

static void add_config_errors(struct catalog_state *s, const struct config_errors *errors)
{
    char line[1024];
    for (int i = 0; i < errors->count; i++) {
        config_error_format(&errors->error[i], line, sizeof line);
        add_error(s, line);
    }
}

/* "question" or "question.fi": the key of language i. */
static void lang_key(const struct catalog_state *s, const char *key, int i, char *out, size_t size)
{
    if (i == 0)
        snprintf(out, size, "%s", key);
    else
        snprintf(out, size, "%s.%s", key, s->languages[i]);
}

static void fill_department(const struct catalog_department *d, struct page_catalog_item *item)
{
    snprintf(item->id, sizeof item->id, "%s", d->id);
    item->name = d->name;
    item->question = d->question;
    item->we_did = d->we_did;
    snprintf(item->we_did_from, sizeof item->we_did_from, "%s", d->we_did_from);
    snprintf(item->we_did_until, sizeof item->we_did_until, "%s", d->we_did_until);
    item->we_did_score = d->we_did_score;
    snprintf(item->comments, sizeof item->comments, "%s", d->comments);
    item->head_edits = d->head_edits;
}

/* The items of the parsed catalog: every reason, every department. */
static bool fill_items(struct catalog_state *s)
{
    const struct catalog *cat = s->catalog;
    s->language_count = catalog_language_count(cat);
    if (s->language_count > CONFIG_MAX_LANGUAGES)
        s->language_count = CONFIG_MAX_LANGUAGES;
    for (int i = 0; i < s->language_count; i++)
        snprintf(s->languages[i], sizeof s->languages[i], "%s", catalog_language(cat, i));
    int nr = catalog_reason_count(cat), nd = catalog_department_count(cat);
    s->reasons = calloc((size_t)nr + 1, sizeof *s->reasons);
    s->departments = calloc((size_t)nd + 1, sizeof *s->departments);
    if (!s->reasons || !s->departments)
        return false;
    for (int i = 0; i < nr; i++) {
        const struct catalog_reason *r = catalog_reason_at(cat, i);
        snprintf(s->reasons[i].id, sizeof s->reasons[i].id, "%s", r->id);
        s->reasons[i].name = r->label;
        snprintf(s->reasons[i].owner, sizeof s->reasons[i].owner, "%s", r->owner);
    }
    for (int i = 0; i < nd; i++)
        fill_department(catalog_department_at(cat, i), &s->departments[i]);
    s->reason_count = nr;
    s->department_count = nd;
    return true;
}

/* Reads the newest version (and, for an admin, the version list); false
 * with the reply made. */
static bool state_load(struct route_ctx *c, struct catalog_state *s)
{
    *s = (struct catalog_state){0};
    if (!catalog_db_newest(c->db, &s->version, &s->document, c->err, sizeof c->err) ||
        (c->user.role == DASH_ROLE_ADMIN &&
         !catalog_db_versions(c->db, &s->versions, &s->version_count, c->err, sizeof c->err))) {
        route_fail_db(c, "catalog");
        return false;
    }
    if (s->document) {
        struct config_errors errors = {0};
        const char *names[] = {"catalog"}, *texts[] = {s->document};
        s->catalog = catalog_parse(names, texts, 1, &errors);
        add_config_errors(s, &errors);
    }
    if (s->catalog && !fill_items(s)) {
        route_fail(c, 500, "out of memory");
        return false;
    }
    return true;
}

/* The page: for a head, only its departments open to edits. */
static void render(struct route_ctx *c, struct catalog_state *s, const char *document,
                   int64_t saved, unsigned status)
{
    bool admin = c->user.role == DASH_ROLE_ADMIN;
    int shown = 0;
    for (int i = 0; i < s->department_count; i++)
        if (admin ||
            (s->departments[i].head_edits && dash_user_sees(&c->user, s->departments[i].id)))
            s->departments[shown++] = s->departments[i];
    const char *errors[CATALOG_FORM_ERRORS];
    for (int i = 0; i < s->error_count; i++)
        errors[i] = s->errors[i];
    const struct page_catalog_view v = {
        .admin = admin,
        .version = s->version,
        .document = document ? document : s->document,
        .versions = s->versions,
        .version_count = s->version_count,
        .language_count = s->language_count,
        .languages = (const char(*)[8])s->languages,
        .reasons = s->reasons,
        .reason_count = s->reason_count,
        .departments = s->departments,
        .department_count = shown,
        .saved = saved,
        .errors = errors,
        .error_count = s->error_count,
    };
    struct page_ctx p;
    route_page_ctx(c, &p);
    strbuf_reset(&c->reply->body);
    page_catalog(&p, &v, &c->reply->body);
    route_html_done(c, status);
}

void handle_catalog(struct route_ctx *c, const struct route_match *m)
{
    struct catalog_state s;
    const char *saved = http_param(c->req, "saved");
    int64_t n = saved && strspn(saved, "0123456789") == strlen(saved) && strlen(saved) < 18
                    ? strtoll(saved, NULL, 10)
                    : 0;
    if (state_load(c, &s))
        render(c, &s, NULL, n, 200);
    state_free(&s);
}

/* ---- the posts ----------------------------------------------------------- */

/* The edits one form makes, and the keys they name (owned here). */
struct catalog_form {
    char section[DASH_ID_MAX + 16];
    char keys[CATALOG_EDITS_MAX][40];
    struct catalog_db_edit edits[CATALOG_EDITS_MAX];
    int count;
    bool refused; /* a value cannot be written: errors added */
};

static void form_edit(struct catalog_form *f, const char *key, const char *value)
{
    if (f->count >= CATALOG_EDITS_MAX)
        return;
    snprintf(f->keys[f->count], sizeof f->keys[0], "%s", key);
    f->edits[f->count] = (struct catalog_db_edit){f->section, f->keys[f->count], value, false};
    f->count++;
}

/* The form's fields for key in every language: a field not sent changes
 * nothing, an empty one removes the key (the first language's is then
 * refused by the parser, naming it); a value the kiosk's check refuses,
 * or one the INI format cannot hold, is refused here (catalog_set),
 * naming the field. */
static void form_texts(struct route_ctx *c, struct catalog_state *s, struct catalog_form *f,
                       const char *key)
{
    for (int i = 0; i < s->language_count; i++) {
        char k[40], why[400], line[512];
        lang_key(s, key, i, k, sizeof k);
        const char *value = http_form(c->req, k);
        if (!value)
            continue;
        /* the kiosk's own check of the value, on the parsed newest (its
         * views were copied already): the words --check-config uses */
        if (value[0] && !catalog_set(s->catalog, f->section, k, value, why, sizeof why)) {
            snprintf(line, sizeof line, "form:0: %s", why);
            add_error(s, line);
            f->refused = true;
            continue;
        }
        form_edit(f, k, value[0] ? value : NULL);
    }
}

/* The post's note (a default when none), or NULL with the error added. */
static const char *form_note(struct route_ctx *c, struct catalog_state *s, const char *fallback)
{
    const char *note = http_form(c->req, "note");
    char why[160], line[512];
    if (!note || !note[0])
        return fallback;
    if (catalog_text_value_ok(note, CATALOG_DB_NOTE_MAX - 1, why, sizeof why))
        return note;
    snprintf(line, sizeof line, "form:0: note: %s", why);
    add_error(s, line);
    return NULL;
}

/* After a commit: 303 to the page saying so, or the page with why not
 * (document: the editor's text to show again). */
static void finish(struct route_ctx *c, struct catalog_state *s, enum catalog_db_status st,
                   int64_t version, const struct config_errors *errors, const char *document)
{
    if (st == CATALOG_DB_OK) {
        char to[48];
        snprintf(to, sizeof to, "/catalog?saved=%" PRId64, version);
        route_redirect(c->reply, to);
        return;
    }
    if (st == CATALOG_DB_FAILED) {
        route_fail_db(c, "catalog commit");
        return;
    }
    if (st == CATALOG_DB_STALE) {
        char line[600];
        snprintf(line, sizeof line,
                 "catalog:0: base: %s; your text is below, reload for the "
                 "newest",
                 c->err);
        add_error(s, line);
    } else if (errors) {
        add_config_errors(s, errors);
    }
    render(c, s, document, 0, st == CATALOG_DB_STALE ? 409 : 422);
}

/* The form's values as posted, so a refused form shows what was sent
 * (each escaped when shown); one too long for the page keeps the old. */
static void keep_posted(struct route_ctx *c, const struct catalog_state *s,
                        struct config_text *text, const char *key)
{
    for (int i = 0; i < s->language_count; i++) {
        char k[40];
        lang_key(s, key, i, k, sizeof k);
        const char *value = http_form(c->req, k);
        if (value && strlen(value) < sizeof text->lang[i])
            memcpy(text->lang[i], value, strlen(value) + 1);
    }
}

/* A date field (YYYY-MM-DD, as <input type="date"> sends it): checked
 * like any value, empty removes the key; shown again as posted. */
static void form_date(struct route_ctx *c, struct catalog_state *s, struct catalog_form *f,
                      const char *key, char *shown, size_t shown_size)
{
    char why[400], line[512];
    const char *value = http_form(c->req, key);
    if (!value)
        return;
    if (strlen(value) < shown_size)
        memcpy(shown, value, strlen(value) + 1);
    if (value[0] && !catalog_set(s->catalog, f->section, key, value, why, sizeof why)) {
        snprintf(line, sizeof line, "form:0: %s", why);
        add_error(s, line);
        f->refused = true;
        return;
    }
    form_edit(f, key, value[0] ? value : NULL);
}

/* The department's "Tell us more" choice: "off" removes the key (its
 * default); another value is checked by the kiosk's parser, as a date is. */
static void form_comments(struct route_ctx *c, struct catalog_state *s, struct catalog_form *f,
                          char *shown, size_t shown_size)
{
    const char *value = http_form(c->req, "comments");
    if (value && strcmp(value, "off") == 0) {
        snprintf(shown, shown_size, "off");
        form_edit(f, "comments", NULL);
        return;
    }
    form_date(c, s, f, "comments", shown, shown_size);
}

static void commit_form(struct route_ctx *c, struct catalog_state *s, struct catalog_form *f,
                        const char *fallback_note)
{
    const char *note = form_note(c, s, fallback_note);
    if (f->refused || !note) {
        render(c, s, NULL, 0, 422);
        return;
    }
    struct config_errors errors = {0};
    int64_t version = 0;
    enum catalog_db_status st =
        catalog_db_edit(c->db, f->edits, f->count, c->user.name, note, c->now_ms, &version, &errors,
                        c->err, sizeof c->err);
    finish(c, s, st, version, &errors, NULL);
}

static struct page_catalog_item *find_item(struct page_catalog_item *items, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(items[i].id, id))
            return &items[i];
    return NULL;
}

void handle_catalog_reason(struct route_ctx *c, const struct route_match *m)
{
    struct catalog_state s;
    struct catalog_form f = {0};
    char note[DASH_ID_MAX + 16];
    if (!state_load(c, &s))
        goto done;
    struct page_catalog_item *r = find_item(s.reasons, s.reason_count, m->arg);
    if (!r) {
        route_fail(c, 404, "No such reason in the catalog.");
        goto done;
    }
    keep_posted(c, &s, &r->name, "label");
    snprintf(f.section, sizeof f.section, "reason %s", m->arg);
    snprintf(note, sizeof note, "reason %s", m->arg);
    form_texts(c, &s, &f, "label");
    /* the team owning its cause: "" none; not sent, unchanged (the parser
       refuses a department the catalog does not define, naming the key) */
    const char *owner = http_form(c->req, "owner");
    if (owner)
        form_edit(&f, "owner", owner[0] ? owner : NULL);
    commit_form(c, &s, &f, note);
done:
    state_free(&s);
}

void handle_catalog_department(struct route_ctx *c, const struct route_match *m)
{
    struct catalog_state s;
    struct catalog_form f = {0};
    char note[DASH_ID_MAX + 16];
    bool admin = c->user.role == DASH_ROLE_ADMIN;
    if (!state_load(c, &s))
        goto done;
    struct page_catalog_item *d = find_item(s.departments, s.department_count, m->arg);
    /* a head: only a department of its own whose head may edit it */
    if (!d || (!admin && (!dash_user_sees(&c->user, d->id) || !d->head_edits))) {
        route_fail(c, 404, "No such department.");
        goto done;
    }
    snprintf(f.section, sizeof f.section, "department %s", d->id);
    snprintf(note, sizeof note, "department %s", d->id);
    if (admin)
        form_texts(c, &s, &f, "name");
    form_texts(c, &s, &f, "question");
    form_texts(c, &s, &f, "we_did");
    form_date(c, &s, &f, "we_did_from", d->we_did_from, sizeof d->we_did_from);
    form_date(c, &s, &f, "we_did_until", d->we_did_until, sizeof d->we_did_until);
    if (http_form(c->req, "we_did_shown")) /* the form's marker: its checkbox is in this post */
        form_edit(&f, "we_did_score", http_form(c->req, "we_did_score") ? "true" : NULL);
    form_comments(c, &s, &f, d->comments, sizeof d->comments);
    if (admin)
        keep_posted(c, &s, &d->name, "name");
    keep_posted(c, &s, &d->question, "question");
    keep_posted(c, &s, &d->we_did, "we_did");
    if (admin)
        form_edit(&f, "head_edits", http_form(c->req, "head_edits") ? "true" : NULL);
    commit_form(c, &s, &f, note);
done:
    state_free(&s);
}

void handle_catalog_document(struct route_ctx *c, const struct route_match *m)
{
    struct catalog_state s;
    if (!state_load(c, &s))
        goto done;
    const char *document = http_form(c->req, "document"), *base = http_form(c->req, "base");
    const char *note = form_note(c, &s, "the document edited");
    if (!document || !base || strspn(base, "0123456789") != strlen(base) || strlen(base) > 18 ||
        !base[0]) {
        route_fail(c, 400, "The form lacks its document or its base version.");
        goto done;
    }
    if (!note) {
        render(c, &s, document, 0, 422);
        goto done;
    }
    struct config_errors errors = {0};
    int64_t version = 0;
    const char *names[] = {"catalog"}, *texts[] = {document};
    enum catalog_db_status st =
        catalog_db_commit(c->db, names, texts, 1, strtoll(base, NULL, 10), c->user.name, note,
                          c->now_ms, &version, &errors, c->err, sizeof c->err);
    finish(c, &s, st, version, &errors, document);
done:
    state_free(&s);
}
