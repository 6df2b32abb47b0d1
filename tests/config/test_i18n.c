/*
 * test_i18n: the .po parser and lookup, and the shipped catalogs
 * (every msgid of wowkiosk.pot translated in fi.po and de.po).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"

static struct i18n_catalog *parse_ok(const char *text)
{
    char err[256] = "";
    struct i18n_catalog *c = i18n_catalog_parse("t.po", text, err, sizeof err);
    if (c == NULL)
        fail_msg("parse failed: %s", err);
    return c;
}

/* Parses text expecting a syntax error; returns the message. */
static void parse_error(const char *text, char *err, unsigned size)
{
    struct i18n_catalog *c = i18n_catalog_parse("bad.po", text, err, size);
    assert_null(c);
}

static void test_pairs_and_header(void **state)
{
    (void)state;
    struct i18n_catalog *c = parse_ok("# translator comment\n"
                                      "msgid \"\"\n"
                                      "msgstr \"\"\n"
                                      "\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
                                      "\n"
                                      "#: screen.c:12\n"
                                      "msgid \"Skip\"\n"
                                      "msgstr \"Ohita\"\n"
                                      "\n"
                                      "msgid \"Back\"\n"
                                      "msgstr \"Takaisin\"\n");
    assert_int_equal(i18n_catalog_count(c), 2);
    assert_string_equal(i18n_catalog_get(c, "Skip"), "Ohita");
    assert_string_equal(i18n_catalog_get(c, "Back"), "Takaisin");
    /* The header entry (empty msgid) is no translation of "". */
    assert_string_equal(i18n_catalog_get(c, ""), "");
    i18n_catalog_destroy(c);
}

static void test_escapes_and_multiline(void **state)
{
    (void)state;
    struct i18n_catalog *c = parse_ok("msgid \"\"\n"
                                      "\"Say \\\"hi\\\"\\n\"\n"
                                      "\"back\\\\slash\\ttab\"\n"
                                      "msgstr \"Sano \"\n"
                                      "  \"\\\"moi\\\"\"\n");
    assert_int_equal(i18n_catalog_count(c), 1);
    assert_string_equal(i18n_catalog_get(c, "Say \"hi\"\nback\\slash\ttab"), "Sano \"moi\"");
    i18n_catalog_destroy(c);
}

static void test_fuzzy_and_empty_ignored(void **state)
{
    (void)state;
    struct i18n_catalog *c = parse_ok("#, fuzzy, c-format\n"
                                      "msgid \"Happy\"\n"
                                      "msgstr \"Onnellinen\"\n"
                                      "\n"
                                      "msgid \"Unhappy\"\n"
                                      "msgstr \"\"\n"
                                      "\n"
                                      "#, c-format\n"
                                      "msgid \"WOW\"\n"
                                      "msgstr \"WAU\"\n");
    assert_int_equal(i18n_catalog_count(c), 1);
    assert_string_equal(i18n_catalog_get(c, "Happy"), "Happy");     /* fuzzy: English */
    assert_string_equal(i18n_catalog_get(c, "Unhappy"), "Unhappy"); /* empty: English */
    assert_string_equal(i18n_catalog_get(c, "WOW"), "WAU");         /* flags without fuzzy */
    i18n_catalog_destroy(c);
}

static void test_context_and_plural_skipped(void **state)
{
    (void)state;
    struct i18n_catalog *c = parse_ok("msgctxt \"menu\"\n"
                                      "msgid \"Back\"\n"
                                      "msgstr \"Paluu\"\n"
                                      "msgid \"%d tap\"\n"
                                      "msgid_plural \"%d taps\"\n"
                                      "msgstr[0] \"%d kosketus\"\n"
                                      "msgstr[1] \"%d kosketusta\"\n"
                                      "msgid \"Skip\"\n"
                                      "msgstr \"Ohita\"\n");
    assert_int_equal(i18n_catalog_count(c), 1);
    assert_string_equal(i18n_catalog_get(c, "Back"), "Back");
    assert_string_equal(i18n_catalog_get(c, "%d tap"), "%d tap");
    assert_string_equal(i18n_catalog_get(c, "Skip"), "Ohita");
    i18n_catalog_destroy(c);
}

static void test_fallback(void **state)
{
    (void)state;
    struct i18n_catalog *c = parse_ok("msgid \"Skip\"\nmsgstr \"Ohita\"\n");
    assert_string_equal(i18n_catalog_get(c, "Not there"), "Not there");
    assert_string_equal(i18n_catalog_get(NULL, "Skip"), "Skip");
    assert_int_equal(i18n_catalog_count(NULL), 0);
    i18n_catalog_destroy(c);
    struct i18n_catalog *empty = parse_ok("");
    assert_int_equal(i18n_catalog_count(empty), 0);
    assert_string_equal(i18n_catalog_get(empty, "Skip"), "Skip");
    i18n_catalog_destroy(empty);
    i18n_catalog_destroy(NULL);
}

static void test_many_entries_lookup(void **state)
{
    (void)state;
    char *text = malloc(200 * 40);
    assert_non_null(text);
    size_t n = 0;
    for (int i = 199; i >= 0; i--)
        n += (size_t)snprintf(text + n, 200 * 40 - n, "msgid \"k%d\"\nmsgstr \"v%d\"\n", i, i);
    struct i18n_catalog *c = parse_ok(text);
    assert_int_equal(i18n_catalog_count(c), 200);
    for (int i = 0; i < 200; i++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "k%d", i);
        snprintf(v, sizeof v, "v%d", i);
        assert_string_equal(i18n_catalog_get(c, k), v);
    }
    i18n_catalog_destroy(c);
    free(text);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *fragment;
    } cases[] = {
        {"msgid \"a\"\nmsgstr \"b\"\nmsgfoo \"c\"\n", "bad.po:3: expected msgid"},
        {"msgid \"a\"\nmsgstr \"b\n", "bad.po:2: expected a closing \""},
        {"msgid \"a\"\nmsgstr \"\\q\"\n", "bad.po:2: expected one of the escapes"},
        {"msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n", "bad.po:3: expected msgstr"},
        {"msgid \"a\"\n", "bad.po:1: expected msgstr, got end of file"},
        {"msgstr \"a\"\n", "bad.po:1: expected msgid, got msgstr"},
        {"\"orphan\"\n", "bad.po:1: expected msgid or msgstr before a string"},
        {"msgid a\nmsgstr \"b\"\n", "bad.po:1: expected a \"string\", got 'a'"},
        {"msgid \"a\" x\nmsgstr \"b\"\n", "bad.po:1: expected end of line after the string"},
        {"msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"\n", "bad.po:3: expected msgid, got msgstr"},
        {"msgid \"a\"\nmsgstr \"b\"\n\nmsgid \"a\"\nmsgstr \"c\"\n",
         "bad.po:4: expected each msgid once, got a duplicate of line 1"},
        /* a catalog saved as Latin-1: refused where it enters, not shown mangled */
        {"msgid \"Street\"\nmsgstr \"Stra\xdf"
         "e\"\n",
         "bad.po:2: expected UTF-8 text, got byte 0xdf"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        parse_error(cases[i].text, err, sizeof err);
        if (strstr(err, cases[i].fragment) == NULL)
            fail_msg("case %zu: '%s' does not contain '%s'", i, err, cases[i].fragment);
        assert_non_null(strstr(err, "got"));
    }
}

/* A translation must convert as its msgid does: the same printf conversions in the
 * same order, "%%" and a '%' that starts none being text. */
static void test_conversions_must_match(void **state)
{
    (void)state;
    struct i18n_catalog *c =
        parse_ok("msgid \"%s of %zu (%.1f%%)\"\nmsgstr \"%s / %zu (%.1f %%)\"\n"
                 "\nmsgid \"Interval (95 %)\"\nmsgstr \"Väli (95 %)\"\n");
    assert_string_equal(i18n_catalog_get(c, "%s of %zu (%.1f%%)"), "%s / %zu (%.1f %%)");
    assert_string_equal(i18n_catalog_get(c, "Interval (95 %)"), "Väli (95 %)");
    i18n_catalog_destroy(c);
    static const struct {
        const char *text;
        const char *fragment;
    } cases[] = {
        /* a conversion dropped, one added, two swapped, a type changed */
        {"msgid \"x\"\nmsgstr \"y\"\n\nmsgid \"Site %s only.\"\nmsgstr \"Nur.\"\n",
         "bad.po:4: expected msgstr with the msgid's conversions in the same order (s ), got "
         "(none)"},
        {"msgid \"Apply\"\nmsgstr \"%s%s%n\"\n", "bad.po:1: expected msgstr with the msgid's"},
        {"msgid \"%s by %d\"\nmsgstr \"%d: %s\"\n", "got (d s )"},
        {"msgid \"%lld s\"\nmsgstr \"%s s\"\n", "(lld ), got (s )"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[256] = "";
        parse_error(cases[i].text, err, sizeof err);
        if (strstr(err, cases[i].fragment) == NULL)
            fail_msg("case %zu: '%s' does not contain '%s'", i, err, cases[i].fragment);
    }
}

static void test_load_missing_file(void **state)
{
    (void)state;
    char err[256] = "";
    assert_null(i18n_catalog_load("/nonexistent/xx.po", err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/xx.po"));
    assert_non_null(strstr(err, "No such file"));
}

static void test_native_names(void **state)
{
    (void)state;
    assert_string_equal(i18n_native_name("en"), "English");
    assert_string_equal(i18n_native_name("fi"), "Suomi");
    assert_string_equal(i18n_native_name("de"), "Deutsch");
    assert_string_equal(i18n_native_name("sv"), "Svenska");
    assert_string_equal(i18n_native_name("fr"), "Français");
    assert_string_equal(i18n_native_name("et"), "Eesti");
    assert_string_equal(i18n_native_name("xx"), "xx");
}

/* Every msgid of the template is translated, non-empty, in fi.po and de.po. */
static void check_catalog_complete(const char *lang)
{
    char err[512], path[1024];
    snprintf(path, sizeof path, "%s/po/wowkiosk.pot", WOW_ASSETS_DIR);
    /* The template's msgids are read line by line: its msgstrs are empty. */
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    snprintf(path, sizeof path, "%s/po/%s.po", WOW_ASSETS_DIR, lang);
    struct i18n_catalog *c = i18n_catalog_load(path, err, sizeof err);
    if (c == NULL)
        fail_msg("%s", err);
    char line[512];
    int ids = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "msgid \"", 7) != 0)
            continue;
        char *end = strrchr(line, '"');
        assert_true(end > line + 6);
        *end = '\0';
        const char *id = line + 7;
        if (id[0] == '\0')
            continue; /* the header */
        ids++;
        const char *tr = i18n_catalog_get(c, id);
        assert_true(tr[0] != '\0');
        if (strcmp(id, "WOW") != 0 && tr == id)
            fail_msg("%s.po does not translate '%s'", lang, id);
    }
    fclose(f);
    assert_int_equal(ids, 40);
    /* "WOW" stays WOW but has its own entry. */
    assert_string_equal(i18n_catalog_get(c, "WOW"), "WOW");
    assert_int_equal(i18n_catalog_count(c), ids);
    i18n_catalog_destroy(c);
}

static void test_real_catalogs(void **state)
{
    (void)state;
    check_catalog_complete("fi");
    check_catalog_complete("de");
}

/* True if the template has msgid (a one-line msgid, as all of ours are). */
static bool pot_has(const char *msgid)
{
    char path[1024], line[512], want[512];
    snprintf(path, sizeof path, "%s/po/wowkiosk.pot", WOW_ASSETS_DIR);
    snprintf(want, sizeof want, "msgid \"%s\"\n", msgid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    bool found = false;
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = strcmp(line, want) == 0;
    fclose(f);
    return found;
}

/* Every literal the UI looks up (ui_msg(c, "...")) is in wowkiosk.pot, so
 * a new UI text cannot ship untranslated without this test saying so. */
static void test_ui_texts_in_template(void **state)
{
    (void)state;
    const char *dir_path = WOW_SOURCE_DIR "/app/ui";
    DIR *dir = opendir(dir_path);
    assert_non_null(dir);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 3 || strcmp(e->d_name + n - 2, ".c") != 0)
            continue;
        char path[1024], line[1024];
        snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        while (fgets(line, sizeof line, f) != NULL) {
            for (char *s = strstr(line, "ui_msg(c, \""); s != NULL; s = strstr(s, "ui_msg(c, \"")) {
                s += strlen("ui_msg(c, \"");
                char *end = strchr(s, '"');
                assert_non_null(end);
                *end = '\0';
                if (!pot_has(s))
                    fail_msg("%s: '%s' is not in wowkiosk.pot", e->d_name, s);
                found++;
                s = end + 1;
            }
        }
        fclose(f);
    }
    closedir(dir);
    print_message("%d UI texts found in the template\n", found);
    assert_true(found > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_and_header),
        cmocka_unit_test(test_escapes_and_multiline),
        cmocka_unit_test(test_fuzzy_and_empty_ignored),
        cmocka_unit_test(test_context_and_plural_skipped),
        cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_many_entries_lookup),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_conversions_must_match),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_native_names),
        cmocka_unit_test(test_real_catalogs),
        cmocka_unit_test(test_ui_texts_in_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
