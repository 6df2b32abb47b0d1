/* fuzz_catalog: the catalog's parser with arbitrary bytes as documents (a
 * NUL byte separates them, up to four, as an import of several kiosk files);
 * what it takes must export as a fixpoint and render for every kiosk into a
 * file the kiosk's parser reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "fuzz.h"

#define FUZZ_DOCS 4

/* A catalog that was taken: export(parse(export(x))) == export(x), and its renderings parse. */
static void fuzz_check_taken(const struct catalog *cat, struct config *config,
                             struct config_errors *errors)
{
    const char *name = "export";
    char *first = catalog_export(cat);
    struct catalog *again =
        first ? catalog_parse(&name, (const char *const *)&first, 1, errors) : NULL;
    char *second = again ? catalog_export(again) : NULL;
    if (first != NULL && (second == NULL || strcmp(first, second) != 0)) {
        fprintf(stderr, "fuzz_catalog: export is no fixpoint:\n%s\n---\n%s\n", first,
                second ? second : "(refused)");
        abort();
    }
    /* A kiosk the catalog does not name gets the fleet-wide keys alone.
     * catalog_check renders every kiosk it names and parses each rendering
     * with the kiosk's parser (rendering and parsing them here as well did
     * the same work twice). */
    char *text = catalog_render(cat, "unknown", 1);
    if (text != NULL)
        config_parse(config, "unknown", text, errors);
    free(text);
    catalog_check(cat, NULL, 0, errors);
    free(second);
    catalog_free(again);
    free(first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    struct config *config = malloc(sizeof *config);
    struct config_errors *errors = malloc(sizeof *errors);
    if (text != NULL && config != NULL && errors != NULL) {
        const char *names[FUZZ_DOCS] = {"a.conf", "b.conf", "c.conf", "d.conf"};
        const char *texts[FUZZ_DOCS];
        int count = 0;
        size_t at = 0;
        while (count < FUZZ_DOCS && at <= size) {
            texts[count++] = text + at;
            const uint8_t *nul = memchr(data + at, 0, size - at);
            if (nul == NULL)
                break;
            text[nul - data] = '\0';
            at = (size_t)(nul - data) + 1;
        }
        struct catalog *cat = catalog_parse(names, texts, count, errors);
        if (cat != NULL)
            fuzz_check_taken(cat, config, errors);
        catalog_free(cat);
    }
    free(errors);
    free(config);
    free(text);
    return 0;
}
