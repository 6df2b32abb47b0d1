/*
 * catalog_read: one document read on its own, line by line through inih as
 * the kiosk reads its file (blanks before a line dropped, a byte order mark
 * skipped, lines at most inih's buffer), every value checked by the config
 * parser's own key table (cfg_check_value) so an error says the kiosk's
 * words, and each value kept with its line.
 */
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "catalog_private.h"
#include "utf8.h"

/* ---- reading one document -------------------------------------------- */

struct cat_reader {
    struct catalog *doc; /* this document's sections */
    struct cat_errors *errors;
    struct cfg_parser *checker;
    int doc_index;
    const char *text;
    size_t pos;
    int line;
    struct cat_section *open; /* NULL: no section or an ignored one */
    bool any_header;
    char section_name[64];
};

static struct cat_place cat_here(const struct cat_reader *r)
{
    return (struct cat_place){r->doc_index, r->line};
}

/* Opens [kind id] in the document being read. */
static void cat_open_with_id(struct cat_reader *r, enum cfg_section kind, const char *id)
{
    const char *word = cfg_section_name(kind);
    if (!cfg_is_id(id)) {
        if (id[0] == '\0')
            cat_error(r->errors, cat_here(r), r->section_name, "expected [%s ID], got no id", word);
        else
            cat_error(r->errors, cat_here(r), r->section_name,
                      "expected an id of 1-%d letters, digits, '_' or '-', got '%.40s'",
                      CONFIG_ID_MAX - 1, id);
        return;
    }
    struct cat_section *s = cat_find(r->doc, kind, id);
    if (s != NULL) {
        cat_error(r->errors, cat_here(r), r->section_name, "duplicate section id: first at line %d",
                  s->at.line);
        return;
    }
    if (r->doc->count >= CAT_MAX_SECTIONS) {
        cat_error(r->errors, cat_here(r), r->section_name, "too many sections: at most %d",
                  CAT_MAX_SECTIONS);
        return;
    }
    r->open = cat_add(r->doc, kind, id, cat_here(r));
    if (r->open == NULL)
        cat_error(r->errors, cat_here(r), r->section_name, "out of memory");
}

static void cat_section_start(struct cat_reader *r, const char *name, size_t len)
{
    while (len > 0 && (name[0] == ' ' || name[0] == '\t'))
        name++, len--;
    while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
        len--;
    snprintf(r->section_name, sizeof r->section_name, "%.*s", (int)len, name);
    r->open = NULL;
    r->any_header = true;
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_LAST; s++) {
        if (!cfg_section_takes_id(s) && strcmp(r->section_name, cfg_section_name(s)) == 0) {
            r->open = cat_find(r->doc, s, ""); /* a plain section given twice is one */
            if (r->open == NULL && (r->open = cat_add(r->doc, s, "", cat_here(r))) == NULL)
                cat_error(r->errors, cat_here(r), r->section_name, "out of memory");
            return;
        }
    }
    size_t word = strcspn(r->section_name, " \t");
    const char *id = r->section_name + word + strspn(r->section_name + word, " \t");
    for (enum cfg_section s = SEC_KIOSK; s <= SEC_LAST; s++) {
        const char *kind = cfg_section_name(s);
        if (cfg_section_takes_id(s) && strlen(kind) == word &&
            strncmp(r->section_name, kind, word) == 0 && (s != SEC_KIOSK_ID || id[0] != '\0')) {
            cat_open_with_id(r, s, id);
            return;
        }
    }
    cat_error(r->errors, cat_here(r), r->section_name,
              "unknown section; expected kiosk, kiosk ID, site ID, group ID, department ID, "
              "reason ID, followup, screen, hours, press_filter or catalog");
}

/* inih's reader: the config's rules (cfg_cut_line), headers noted here. */
static char *cat_read_line(char *str, int num, void *stream)
{
    struct cat_reader *r = stream;
    long len = cfg_cut_line(r->text, &r->pos, r->line + 1, str, num);
    if (len < 0)
        return NULL;
    r->line++;
    if (len + 2 > num) {
        cat_error(r->errors, cat_here(r), r->section_name, "line too long: %ld bytes, at most %d",
                  len, num - 2);
        return str;
    }
    if (str[0] == '[') {
        const char *close = strchr(str, ']');
        if (close != NULL)
            cat_section_start(r, str + 1, (size_t)(close - str - 1));
    }
    return str;
}

static int cat_handle_key(void *user, const char *section, const char *name, const char *value)
{
    (void)section;
    struct cat_reader *r = user;
    char key[96], msg[192];
    snprintf(key, sizeof key, "%s.%s", r->section_name, name);
    if (!r->any_header) {
        cat_error(r->errors, cat_here(r), name,
                  "key outside a section: expected a [section] line first");
        return 1;
    }
    struct cat_section *s = r->open;
    if (s == NULL)
        return 1;
    if (cat_value(s, name) != NULL) {
        cat_error(r->errors, cat_here(r), key, "duplicate key: given twice in this section");
        return 1;
    }
    if (!cfg_check_value(r->checker, s->kind, r->section_name, name, value, msg, sizeof msg)) {
        cat_error(r->errors, cat_here(r), key, "%s", msg);
        return 1;
    }
    if (!utf8_valid_string(value)) {
        cat_error(r->errors, cat_here(r), key, "expected UTF-8 text");
        return 1;
    }
    if (utf8_find_bidi_control(value)) {
        cat_error(r->errors, cat_here(r), key,
                  "a bidirectional control character at byte %zu of the value; expected text "
                  "without them (they reorder a name on screen)",
                  (size_t)(utf8_find_bidi_control(value) - value) + 1);
        return 1;
    }
    size_t line = strlen(name) + 3 + strlen(value); /* as export writes it: "key = value" */
    if (line > CAT_MAX_LINE) {
        cat_error(r->errors, cat_here(r), key,
                  "too long to write back as '%s = ...': %zu bytes, at most %d", name, line,
                  CAT_MAX_LINE);
        return 1;
    }
    if (strlen(name) >= sizeof s->values[0].key || !cat_put(s, name, value, cat_here(r)))
        cat_error(r->errors, cat_here(r), key, "too many keys in this section: at most %d",
                  CAT_MAX_VALUES);
    return 1;
}

/* Reads text into doc (sections of this document only). */
void cat_read(struct catalog *doc, int doc_index, const char *text, struct cfg_parser *checker,
              struct cat_errors *errors)
{
    struct cat_reader r = {
        .doc = doc, .errors = errors, .checker = checker, .doc_index = doc_index, .text = text};
    int rc = ini_parse_stream(cat_read_line, &r, cat_handle_key, &r);
    if (rc > 0)
        cat_error(errors, (struct cat_place){doc_index, rc}, "",
                  "expected [section] or key = value");
    else if (rc < 0)
        cat_error(errors, (struct cat_place){doc_index, 0}, "", "out of memory");
}
