/*
 * test_catalog_hostile: the catalog's parser (app/core/catalog.h) on what
 * an attacker or a broken tool would feed it: thousands of sections, many
 * files, megabytes of keys, invalid UTF-8, a NUL, lines that would not
 * read back: errors naming the file and line, in bounded time, never a
 * crash (the sanitizers of tests/fuzz's replay run the same parser).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "catalog.h"

static struct config_errors errors;
static struct config config_a;

/* The first error as "FILE:LINE: key: message". */
static const char *first_error(const struct config_errors *found)
{
    static char line[512];
    assert_true(found->count > 0);
    config_error_format(&found->error[0], line, sizeof line);
    return line;
}

static struct catalog *parse_one(const char *name, const char *text, struct config_errors *found)
{
    return catalog_parse(&name, &text, 1, found);
}

static double seconds_since(clock_t start)
{
    return (double)(clock() - start) / CLOCKS_PER_SEC;
}

static void test_hostile_input(void **state)
{
    (void)state;
    size_t size = 20u << 20, n = 0;
    char *big = malloc(size + 64);
    assert_non_null(big);
    /* 10k sections a kiosk file would not have: errors, in bounded time */
    for (int i = 0; n + 64 < size && i < 10000; i++)
        n += (size_t)snprintf(big + n, 64, "[department d%d]\nname = D\n", i);
    clock_t start = clock();
    assert_null(parse_one("many.ini", big, &errors));
    double many = seconds_since(start);
    assert_true(errors.total >= 1);
    assert_non_null(strstr(first_error(&errors), "too many"));
    /* 20 MB of keys under one section */
    n = (size_t)snprintf(big, 64, "[screen]\n");
    while (n + 32 < size)
        n += (size_t)snprintf(big + n, 32, "ack_ms = 1\n");
    start = clock();
    assert_null(parse_one("huge.ini", big, &errors));
    double huge = seconds_since(start);
    assert_string_equal(first_error(&errors), "huge.ini:3: screen.ack_ms: duplicate key: given "
                                              "twice in this section");
    /* three files of 3000 departments each: the merged catalog is capped too */
    char *docs[3];
    const char *names[] = {"1.ini", "2.ini", "3.ini"};
    for (int d = 0; d < 3; d++) {
        docs[d] = malloc(3000 * 40);
        assert_non_null(docs[d]);
        n = 0;
        for (int i = 0; i < 3000; i++)
            n += (size_t)snprintf(docs[d] + n, 40, "[department d%d-%d]\n", d, i);
    }
    start = clock();
    assert_null(catalog_parse(names, (const char *const *)docs, 3, &errors));
    double merged = seconds_since(start);
    assert_non_null(strstr(first_error(&errors), "too many sections"));
    assert_null(catalog_parse_layers(names, (const char *const *)docs, 3, &errors));
    assert_non_null(strstr(first_error(&errors), "too many sections"));
    for (int d = 0; d < 3; d++)
        free(docs[d]);
    print_message("10k sections: %.3f s; 20 MB: %.3f s; 3 x 3000: %.3f s\n", many, huge, merged);
    assert_true(many < 5.0 && huge < 10.0);
    free(big);

    /* a line the reader takes that export would write 2 bytes longer */
    char line[256] = "[kiosk k]\ndepartments=d";
    for (size_t i = 0, at = strlen(line); i < 60; i++)
        at += (size_t)snprintf(line + at, sizeof line - at, ",d%zu", i % 10);
    assert_null(parse_one("list.ini", line, &errors));
    assert_string_equal(first_error(&errors), "list.ini:2: kiosk k.departments: too long: 181 "
                                              "bytes, at most 180");
    snprintf(line, sizeof line, "[hours]\nmon=08:00-09:00%*s\n", 183, ", 10:00-11:00");
    assert_true(config_parse(&config_a, "k.conf", line, &errors)); /* the kiosk takes it */
    assert_null(parse_one("spaced.ini", line, &errors));
    assert_string_equal(first_error(&errors), "spaced.ini:2: hours.mon: too long to write back as "
                                              "'mon = ...': 200 bytes, at most 198");
    assert_null(parse_one("utf.ini", "[kiosk]\nsite = \xc3\x28\n", &errors));
    assert_string_equal(first_error(&errors), "utf.ini:2: kiosk.site: expected UTF-8 text");
    static const char with_nul[] = "[kiosk]\nsite = a\0\n[sync]\ntarget = x\n";
    struct catalog *cat = parse_one("nul.ini", with_nul, &errors); /* the text ends at the NUL */
    assert_non_null(cat);
    catalog_free(cat);
    assert_null(parse_one("bad.ini", "[kiosk\nx\n[\n]\n=\n[department \x01]\n", &errors));
    cat = parse_one("null.ini", NULL, &errors); /* no text: an empty catalog */
    assert_non_null(cat);
    catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
