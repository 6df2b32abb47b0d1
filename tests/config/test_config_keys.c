/*
 * test_config_keys: the config's key table (app/core/config_keys.c) is the
 * one place a key is written down; this test keeps everything else true to
 * it:
 *  - each generic row's field has the size its kind writes;
 *  - each documented default is what config_defaults() really sets: the
 *    file "[section]\nkey = DEFAULT" parses to the same config as none;
 *  - README.md's and docs/CONFIG.md's key tables name every key of the
 *    table and no other, and write each literal default as the table does;
 *  - docs/CONFIG.md's "where" column says each key's scope (local,
 *    catalog or both) as the table does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_private.h"
#include "file.h"

#define MAX_DOC_KEYS 128

/* One key a document's table names, with its default cell. */
struct doc_key {
    char section[32]; /* "kiosk", "kiosk ID", "department ID" */
    char name[40];
    char fallback[160];
    char where[16]; /* docs/CONFIG.md's scope cell; "" in README.md */
    bool seen;      /* matched by a table row */
};

struct doc {
    const char *path;
    int count;
    struct doc_key keys[MAX_DOC_KEYS];
};

static void test_fields_fit_their_kinds(void **state)
{
    (void)state;
    for (size_t i = 0; i < cfg_key_count; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        size_t want = k->kind == CFG_BOOL                           ? sizeof(bool)
                      : k->kind == CFG_INT                          ? sizeof(int)
                      : k->kind == CFG_MS || k->kind == CFG_SECONDS ? sizeof(int64_t)
                      : k->kind == CFG_ID                           ? (size_t)CONFIG_ID_MAX
                                                                    : k->size;
        if (k->kind != CFG_SPECIAL && k->size != want)
            fail_msg("%s.%s: field of %zu bytes, its kind writes %zu", cfg_section_name(k->section),
                     k->name, k->size, want);
        if (k->kind == CFG_SPECIAL && k->set == NULL)
            fail_msg("%s.%s: a special key without a setter", cfg_section_name(k->section),
                     k->name);
    }
}

/* The text that opens key's section (a department needs an id and keeps
 * the demo department's name, so only the key differs). */
static const char *section_header(enum cfg_section s)
{
    return s == SEC_DEPARTMENT ? "[department demo]\nname = Customer service\n"
           : s == SEC_REASON   ? "[reason wait]\nlabel = Waiting time\nfor = negative\n"
                               : NULL;
}

static void test_defaults_are_what_the_code_sets(void **state)
{
    (void)state;
    struct config *without = malloc(sizeof *without), *with = malloc(sizeof *with);
    struct config_errors *errors = malloc(sizeof *errors);
    assert_non_null(without);
    assert_non_null(with);
    assert_non_null(errors);
    for (size_t i = 0; i < cfg_key_count; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        if (k->fallback == NULL)
            continue;
        char base[256], text[512];
        const char *header = section_header(k->section);
        if (header != NULL)
            snprintf(base, sizeof base, "%s", header);
        else
            snprintf(base, sizeof base, "[%s]\n", cfg_section_name(k->section));
        snprintf(text, sizeof text, "%s%s = %s\n", base, k->name, k->fallback);
        assert_true(config_parse(without, "base.conf", base, errors));
        if (!config_parse(with, "key.conf", text, errors))
            fail_msg("%s.%s = %s: refused: %s", cfg_section_name(k->section), k->name, k->fallback,
                     errors->error[0].message);
        if (memcmp(without, with, sizeof *with) != 0)
            fail_msg("%s.%s: the documented default '%s' is not what the code sets",
                     cfg_section_name(k->section), k->name, k->fallback);
    }
    free(errors);
    free(with);
    free(without);
}

/* ---- reading the documents' tables ------------------------------------- */

/* Copies the cell'th '|' cell of a table row, trimmed, into buf. */
static bool row_cell(const char *row, int cell, char *buf, size_t size)
{
    const char *p = row;
    for (int i = 0; i <= cell; i++) {
        p = strchr(p, '|');
        if (p == NULL)
            return false;
        p++;
    }
    const char *end = p;
    while (*end && *end != '\n' && !(*end == '|' && end[-1] != '\\'))
        end++;
    while (p < end && *p == ' ')
        p++;
    while (end > p && end[-1] == ' ')
        end--;
    snprintf(buf, size, "%.*s", (int)(end - p), p);
    return true;
}

/* The section of "`[department ID]`" or "### `[kiosk]`": "department ID", "kiosk". */
static bool section_of(const char *text, char *buf, size_t size)
{
    const char *open = strstr(text, "`[");
    if (open == NULL)
        return false;
    size_t n = strcspn(open + 2, "]");
    snprintf(buf, size, "%.*s", (int)n, open + 2);
    return true;
}

/* A row's section as the documents write it: "kiosk", "kiosk ID". */
static void table_section(const struct cfg_key *k, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", cfg_section_name(k->section),
             cfg_section_takes_id(k->section) ? " ID" : "");
}

static void doc_add(struct doc *d, const char *section, const char *name, const char *fallback,
                    const char *where)
{
    if (strchr(name, '.') != NULL)
        return; /* name.LANG: the localised form of name, listed beside it */
    assert_true(d->count < MAX_DOC_KEYS);
    struct doc_key *k = &d->keys[d->count++];
    /* a doc's longer text would be cut and compared wrong: fail instead */
    assert_true(snprintf(k->section, sizeof k->section, "%s", section) < (int)sizeof k->section);
    assert_true(snprintf(k->name, sizeof k->name, "%s", name) < (int)sizeof k->name);
    assert_true(snprintf(k->fallback, sizeof k->fallback, "%s", fallback) <
                (int)sizeof k->fallback);
    assert_true(snprintf(k->where, sizeof k->where, "%s", where) < (int)sizeof k->where);
}

/* The table's keys from first to last in section (a doc's "`mon` … `sun`"). */
static void doc_add_range(struct doc *d, const char *section, const char *first, const char *last,
                          const char *fallback, const char *where)
{
    bool in = false;
    for (size_t i = 0; i < cfg_key_count; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        char name[32];
        table_section(k, name, sizeof name);
        if (strcmp(name, section) != 0)
            continue;
        in = in || strcmp(k->name, first) == 0;
        if (in)
            doc_add(d, section, k->name, fallback, where);
        if (in && strcmp(k->name, last) == 0)
            return;
    }
    fail_msg("%s: [%s] %s … %s is no run of keys in the table", d->path, section, first, last);
}

/* Every `code` span of a key cell is a key; "`a` … `b`" is a range. */
static void doc_add_cell(struct doc *d, const char *section, const char *cell, const char *fallback,
                         const char *where)
{
    char names[4][40];
    int n = 0;
    for (const char *p = strchr(cell, '`'); p != NULL && n < 4; p = strchr(p, '`')) {
        const char *end = strchr(p + 1, '`');
        assert_non_null(end);
        snprintf(names[n++], sizeof names[0], "%.*s", (int)(end - p - 1), p + 1);
        p = end + 1;
    }
    if (n == 2 && strstr(cell, "\u2026") != NULL) {
        doc_add_range(d, section, names[0], names[1], fallback, where);
        return;
    }
    for (int i = 0; i < n; i++)
        doc_add(d, section, names[i], fallback, where);
}

/* Reads the key rows of path: README's "| `[section]` | `key` | default |"
 * (a blank section cell repeats the last) or CONFIG.md's "### `[section]`"
 * then "| `key` | default | where |". */
static void doc_read(struct doc *d, const char *path, bool section_column)
{
    char full[512], *text;
    int err_no = 0;
    snprintf(full, sizeof full, "%s/%s", WOW_SOURCE_DIR, path);
    text = file_read_text(full, &err_no);
    if (text == NULL)
        fail_msg("%s: %s", full, strerror(err_no));
    d->path = path;
    d->count = 0;
    char section[32] = "", cell[256], fallback[160], where[16] = "";
    const char *start = section_column ? strstr(text, "\n## Configuration") : text;
    assert_non_null(start);
    for (const char *line = start; line != NULL && *line; line = strchr(line + 1, '\n')) {
        const char *l = *line == '\n' ? line + 1 : line;
        if (section_column && strncmp(l, "## ", 3) == 0 && l != start + 1)
            break; /* the Configuration section ends */
        if (!section_column && strncmp(l, "### `[", 6) == 0)
            section_of(l, section, sizeof section);
        if (*l != '|' || strncmp(l, "|---", 4) == 0 || strncmp(l, "| key |", 7) == 0)
            continue;
        int key_cell = section_column ? 1 : 0;
        if (section_column && row_cell(l, 0, cell, sizeof cell) && cell[0])
            section_of(cell, section, sizeof section);
        if (!section[0] || !row_cell(l, key_cell, cell, sizeof cell) ||
            !row_cell(l, key_cell + 1, fallback, sizeof fallback) ||
            (!section_column && !row_cell(l, key_cell + 2, where, sizeof where)))
            continue;
        doc_add_cell(d, section, cell, fallback, where);
    }
    free(text);
}

static void doc_check(struct doc *d)
{
    for (size_t i = 0; i < cfg_key_count; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        char section[32];
        table_section(k, section, sizeof section);
        struct doc_key *found = NULL;
        for (int j = 0; j < d->count && found == NULL; j++)
            if (!strcmp(d->keys[j].section, section) && !strcmp(d->keys[j].name, k->name))
                found = &d->keys[j];
        if (found == NULL)
            fail_msg("%s: [%s] %s is in the key table but not documented", d->path, section,
                     k->name);
        found->seen = true;
        char want[160];
        snprintf(want, sizeof want, "`%s`", k->fallback ? k->fallback : "");
        if (k->fallback != NULL && strcmp(found->fallback, want) != 0)
            fail_msg("%s: [%s] %s: the default is written '%s'; the key table says %s", d->path,
                     section, k->name, found->fallback, want);
        if (found->where[0] != '\0' && strcmp(found->where, cfg_scope_name(k->scope)) != 0)
            fail_msg("%s: [%s] %s: where is written '%s'; the key table says %s", d->path, section,
                     k->name, found->where, cfg_scope_name(k->scope));
    }
    for (int j = 0; j < d->count; j++)
        if (!d->keys[j].seen)
            fail_msg("%s: [%s] %s is documented but not in the key table", d->path,
                     d->keys[j].section, d->keys[j].name);
}

static void test_readme_matches_the_table(void **state)
{
    (void)state;
    static struct doc d;
    doc_read(&d, "README.md", true);
    assert_true(d.count > 20);
    doc_check(&d);
}

static void test_config_md_matches_the_table(void **state)
{
    (void)state;
    static struct doc d;
    doc_read(&d, "docs/CONFIG.md", false);
    assert_true(d.count > 20);
    for (int i = 0; i < d.count; i++)
        if (d.keys[i].where[0] == '\0')
            fail_msg("docs/CONFIG.md: [%s] %s has no where", d.keys[i].section, d.keys[i].name);
    doc_check(&d);
}

/* The scopes docs/CATALOG.md names: local keys are exactly these. */
static void test_local_keys_are_the_catalogs_list(void **state)
{
    (void)state;
    static const char *const local[] = {
        "kiosk.id",           "screen.rotation",    "screen.reach",
        "store.path",         "store.spill_dir",    "sync.target",
        "sync.interval_s",    "sync.backoff_max_s", "sync.install_updates",
        "comments.phone_url", "technician.pin_hash"};
    size_t n = 0;
    for (size_t i = 0; i < cfg_key_count; i++) {
        const struct cfg_key *k = &cfg_keys[i];
        char name[64];
        snprintf(name, sizeof name, "%s.%s", cfg_section_name(k->section), k->name);
        bool listed = false;
        for (size_t j = 0; j < sizeof local / sizeof local[0]; j++)
            listed = listed || (strcmp(local[j], name) == 0 && k->section < SEC_KIOSK_ID);
        if (listed != (k->scope == CFG_LOCAL))
            fail_msg("%s: scope %s", name, cfg_scope_name(k->scope));
        n += listed;
        if (cfg_section_is_fleet(k->section) || k->section == SEC_CATALOG)
            assert_int_equal(k->scope, CFG_CENTRAL);
    }
    assert_int_equal(n, sizeof local / sizeof local[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_fit_their_kinds),
        cmocka_unit_test(test_defaults_are_what_the_code_sets),
        cmocka_unit_test(test_readme_matches_the_table),
        cmocka_unit_test(test_config_md_matches_the_table),
        cmocka_unit_test(test_local_keys_are_the_catalogs_list),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
