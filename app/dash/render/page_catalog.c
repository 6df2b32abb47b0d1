/*
 * page_catalog: the Catalog page (page_catalog.h): a notice or the errors
 * of a refused post, the versions, the document editor, the reason and
 * department forms.  Every text from the database or a post is escaped.
 */
#include "page_catalog.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "pages_private.h"
#include "strbuf.h"

/* <tag>msgid</tag>, the text translated. */
static void tagged(struct strbuf *out, const struct page_ctx *ctx, const char *open,
                   const char *msgid, const char *close)
{
    strbuf_puts(out, open);
    page_text(out, ctx, msgid);
    strbuf_puts(out, close);
}

static void messages(struct strbuf *out, const struct page_ctx *ctx,
                     const struct page_catalog_view *v)
{
    if (v->saved > 0) {
        strbuf_puts(out, "<p class=\"notice\" role=\"status\">");
        page_textf(out, ctx, "Version %lld saved: kiosks fetch it at their next round.",
                   (long long)v->saved);
        strbuf_puts(out, "</p>\n");
    }
    if (v->error_count == 0)
        return;
    tagged(out, ctx, "<section class=\"errors\" role=\"alert\"><h2>", "Not saved: nothing changed",
           "</h2><ul>");
    for (int i = 0; i < v->error_count; i++) {
        strbuf_puts(out, "<li><code>");
        html_escape(out, v->errors[i]);
        strbuf_puts(out, "</code></li>");
    }
    strbuf_puts(out, "</ul></section>\n");
}

static void versions(struct strbuf *out, const struct page_ctx *ctx,
                     const struct page_catalog_view *v)
{
    tagged(out, ctx, "<section><h2>", "Versions", "</h2>\n");
    if (v->version_count == 0) {
        tagged(out, ctx, "<p>",
               "The catalog is empty: import one with wowdash catalog import FILE, or save a "
               "document below.",
               "</p></section>\n");
        return;
    }
    strbuf_puts(out, "<div class=\"scroll\"><table class=\"versions\"><thead><tr>");
    tagged(out, ctx, "<th>", "Version", "</th>");
    tagged(out, ctx, "<th>", "Made", "</th>");
    tagged(out, ctx, "<th>", "By", "</th>");
    tagged(out, ctx, "<th>", "Note", "</th>");
    strbuf_puts(out, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < v->version_count && i < PAGE_LIMIT_DEFAULT; i++) {
        const struct catalog_db_version *r = &v->versions[i];
        strbuf_puts(out, "<tr><td>");
        page_put_int(out, ctx, r->version);
        strbuf_puts(out, "</td><td>");
        page_put_local_time(out, ctx, r->made_ms);
        strbuf_puts(out, "</td><td translate=\"no\">");
        html_escape(out, r->made_by);
        strbuf_puts(out, "</td><td translate=\"no\">");
        html_escape(out, r->note);
        strbuf_puts(out, "</td></tr>\n");
    }
    strbuf_puts(out, "</tbody></table></div></section>\n");
}

/* <form> POSTing to action with the csrf field. */
static void form_open(struct strbuf *out, const struct page_ctx *ctx, const char *cls,
                      const char *action, const char *id)
{
    strbuf_puts(out, "<form method=\"post\" class=\"");
    strbuf_puts(out, cls);
    strbuf_puts(out, "\" action=\"");
    strbuf_puts(out, action);
    html_url_encode(out, id);
    strbuf_puts(out, "\">");
    page_csrf_field(out, ctx);
}

static void note_field(struct strbuf *out, const struct page_ctx *ctx, const char *id)
{
    strbuf_puts(out, "<div class=\"field\"><label for=\"n-");
    html_escape(out, id);
    tagged(out, ctx, "\">", "Note", "</label><input id=\"n-");
    html_escape(out, id);
    strbuf_puts(out, "\" name=\"note\" maxlength=\"255\"></div>");
}

static void editor(struct strbuf *out, const struct page_ctx *ctx,
                   const struct page_catalog_view *v)
{
    char base[24];
    snprintf(base, sizeof base, "%" PRId64, v->version);
    tagged(out, ctx, "<section><h2>", "The document", "</h2>\n");
    form_open(out, ctx, "catalog-document", "/catalog/document", "");
    page_hidden(out, "base", base);
    tagged(out, ctx, "<div class=\"field\"><label for=\"c-document\">",
           "Fleet document (INI, as wowdash catalog export prints it)",
           "</label><textarea id=\"c-document\" name=\"document\" rows=\"24\" "
           "spellcheck=\"false\">");
    html_escape(out, v->document ? v->document : "");
    strbuf_puts(out, "</textarea></div>");
    note_field(out, ctx, "document");
    tagged(out, ctx, "<button type=\"submit\">", "Save as a new version",
           "</button></form></section>\n");
}

/* One input per language: key for the first, key.LANG for the others. */
static void text_fields(struct strbuf *out, const struct page_ctx *ctx,
                        const struct page_catalog_view *v, const char *id, const char *key,
                        const char *words, const struct config_text *text)
{
    for (int i = 0; i < v->language_count && i < CONFIG_MAX_LANGUAGES; i++) {
        struct strbuf name = {0}, input = {0};
        strbuf_puts(&name, key);
        if (i > 0) {
            strbuf_puts(&name, ".");
            strbuf_puts(&name, v->languages[i]);
        }
        strbuf_puts(&input, id);
        strbuf_puts(&input, "-");
        strbuf_puts(&input, name.data ? name.data : key);
        strbuf_puts(out, "<div class=\"field\"><label for=\"");
        html_escape(out, input.data ? input.data : "");
        strbuf_puts(out, "\">");
        page_text(out, ctx, words);
        strbuf_puts(out, " (<span translate=\"no\">");
        html_escape(out, v->languages[i]);
        strbuf_puts(out, "</span>)</label><input id=\"");
        html_escape(out, input.data ? input.data : "");
        strbuf_puts(out, "\" name=\"");
        html_escape(out, name.data ? name.data : key);
        strbuf_puts(out, "\" maxlength=\"127\" value=\"");
        html_escape(out, text->lang[i]);
        strbuf_puts(out, "\"></div>");
        out->failed |= name.failed || input.failed;
        strbuf_free(&name);
        strbuf_free(&input);
    }
}

/* A reason's team owning its cause: none, or one of the departments. */
static void owner_field(struct strbuf *out, const struct page_ctx *ctx,
                        const struct page_catalog_view *v, const char *prefix, const char *owner)
{
    strbuf_puts(out, "<div class=\"field\"><label for=\"");
    html_escape(out, prefix);
    strbuf_puts(out, "-owner\">");
    page_text(out, ctx, "Team that owns the cause");
    strbuf_puts(out, "</label><select id=\"");
    html_escape(out, prefix);
    strbuf_puts(out, "-owner\" name=\"owner\"><option value=\"\"");
    strbuf_puts(out, owner[0] ? ">" : " selected>");
    page_text(out, ctx, "None");
    strbuf_puts(out, "</option>");
    for (int i = 0; i < v->department_count; i++) {
        const struct page_catalog_item *d = &v->departments[i];
        strbuf_puts(out, "<option value=\"");
        html_escape(out, d->id);
        strbuf_puts(out, strcmp(owner, d->id) ? "\">" : "\" selected>");
        html_escape(out, d->name.lang[0][0] ? d->name.lang[0] : d->id);
        strbuf_puts(out, "</option>");
    }
    strbuf_puts(out, "</select></div>");
}

/* A date input (YYYY-MM-DD; a plain text field where a browser has no
 * date picker, the server checks it either way). */
static void date_field(struct strbuf *out, const struct page_ctx *ctx, const char *id,
                       const char *key, const char *words, const char *value)
{
    strbuf_puts(out, "<div class=\"field\"><label for=\"");
    html_escape(out, id);
    strbuf_puts(out, "-");
    strbuf_puts(out, key);
    strbuf_puts(out, "\">");
    page_text(out, ctx, words);
    strbuf_puts(out, "</label><input type=\"date\" id=\"");
    html_escape(out, id);
    strbuf_puts(out, "-");
    strbuf_puts(out, key);
    strbuf_puts(out, "\" name=\"");
    strbuf_puts(out, key);
    strbuf_puts(out, "\" value=\"");
    html_escape(out, value);
    strbuf_puts(out, "\"></div>");
}

/* When the department offers "Tell us more" (docs/COMMENTS.md). */
static void comments_field(struct strbuf *out, const struct page_ctx *ctx, const char *prefix,
                           const char *value)
{
    static const char *const choices[][2] = {
        {"off", N_("Never")},
        {"negative", N_("After an unhappy face (1 or 2)")},
        {"any", N_("After every face")},
    };
    strbuf_puts(out, "<div class=\"field\"><label for=\"");
    html_escape(out, prefix);
    strbuf_puts(out, "-comments\">");
    page_text(out, ctx, "\"Tell us more\": the customer's comment");
    strbuf_puts(out, "</label><select id=\"");
    html_escape(out, prefix);
    strbuf_puts(out, "-comments\" name=\"comments\">");
    for (size_t i = 0; i < sizeof choices / sizeof choices[0]; i++) {
        bool on = strcmp(value, choices[i][0]) == 0 || (i == 0 && value[0] == '\0');
        strbuf_puts(out, "<option value=\"");
        strbuf_puts(out, choices[i][0]);
        strbuf_puts(out, on ? "\" selected>" : "\">");
        page_text(out, ctx, choices[i][1]);
        strbuf_puts(out, "</option>");
    }
    strbuf_puts(out, "</select></div>");
}

static void reason_forms(struct strbuf *out, const struct page_ctx *ctx,
                         const struct page_catalog_view *v)
{
    tagged(out, ctx, "<section><h2>", "Reasons", "</h2>\n");
    if (v->reason_count == 0)
        tagged(out, ctx, "<p>", "No reasons.", "</p>");
    for (int i = 0; i < v->reason_count; i++) {
        const struct page_catalog_item *r = &v->reasons[i];
        char prefix[CONFIG_ID_MAX + 4];
        snprintf(prefix, sizeof prefix, "r-%s", r->id);
        form_open(out, ctx, "catalog-item", "/catalog/reason/", r->id);
        tagged(out, ctx, "<h3>", "Reason", " <code>");
        html_escape(out, r->id);
        strbuf_puts(out, "</code></h3>");
        text_fields(out, ctx, v, prefix, "label", N_("Label"), &r->name);
        owner_field(out, ctx, v, prefix, r->owner);
        note_field(out, ctx, prefix);
        tagged(out, ctx, "<button type=\"submit\">", "Save", "</button></form>\n");
    }
    strbuf_puts(out, "</section>\n");
}

static void department_form(struct strbuf *out, const struct page_ctx *ctx,
                            const struct page_catalog_view *v, const struct page_catalog_item *d)
{
    char prefix[CONFIG_ID_MAX + 4];
    snprintf(prefix, sizeof prefix, "d-%s", d->id);
    form_open(out, ctx, "catalog-item", "/catalog/department/", d->id);
    tagged(out, ctx, "<h3>", "Department", " <code>");
    html_escape(out, d->id);
    strbuf_puts(out, "</code></h3>");
    if (v->admin)
        text_fields(out, ctx, v, prefix, "name", N_("Name"), &d->name);
    text_fields(out, ctx, v, prefix, "question", N_("Question"), &d->question);
    tagged(out, ctx, "<p class=\"note\">",
           "\"You said, we did\": a short note to its customers on the kiosks (the thank-you "
           "and the rating screen), saying what changed because of their answers; shown on the "
           "days given, in the kiosk's zone.",
           "</p>");
    text_fields(out, ctx, v, prefix, "we_did", N_("You said, we did"), &d->we_did);
    date_field(out, ctx, prefix, "we_did_from", N_("Shown from"), d->we_did_from);
    date_field(out, ctx, prefix, "we_did_until", N_("Shown until"), d->we_did_until);
    page_hidden(out, "we_did_shown", "1");
    strbuf_puts(out, "<div class=\"field check\"><input type=\"checkbox\" id=\"");
    html_escape(out, prefix);
    strbuf_puts(out, "-score\" name=\"we_did_score\" value=\"true\"");
    strbuf_puts(out, d->we_did_score ? " checked" : "");
    strbuf_puts(out, "><label for=\"");
    html_escape(out, prefix);
    tagged(out, ctx, "-score\">",
           "Beside the note, this week's share of happy answers at the kiosk", "</label></div>");
    comments_field(out, ctx, prefix, d->comments);
    if (v->admin) {
        strbuf_puts(out, "<div class=\"field check\"><input type=\"checkbox\" id=\"");
        html_escape(out, prefix);
        strbuf_puts(out, "-head\" name=\"head_edits\" value=\"true\"");
        strbuf_puts(out, d->head_edits ? " checked" : "");
        strbuf_puts(out, "><label for=\"");
        html_escape(out, prefix);
        tagged(out, ctx, "-head\">", "Its head may edit its question", "</label></div>");
    }
    note_field(out, ctx, prefix);
    tagged(out, ctx, "<button type=\"submit\">", "Save", "</button></form>\n");
}

void page_catalog(const struct page_ctx *ctx, const struct page_catalog_view *v, struct strbuf *out)
{
    page_frame_begin(out, ctx, page_tr(ctx, "Catalog"), "catalog", NULL, NULL);
    messages(out, ctx, v);
    if (v->admin) {
        versions(out, ctx, v);
        editor(out, ctx, v);
        reason_forms(out, ctx, v);
    } else {
        tagged(out, ctx, "<p>",
               "The questions an admin lets you edit. Each save makes a new version of the "
               "catalog, which kiosks fetch at their next round.",
               "</p>\n");
    }
    tagged(out, ctx, "<section><h2>", "Departments", "</h2>\n");
    if (v->department_count == 0)
        tagged(out, ctx, "<p>",
               v->admin ? N_("No departments.") : N_("No department of yours is open to edits."),
               "</p>");
    for (int i = 0; i < v->department_count; i++)
        department_form(out, ctx, v, &v->departments[i]);
    strbuf_puts(out, "</section>\n");
    page_frame_end(out);
}
