/* fuzz_po: the .po catalog parser and its lookups. */
#include <stdlib.h>

#include "fuzz.h"
#include "i18n.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    if (text == NULL)
        return 0;
    char err[256];
    struct catalog *catalog = catalog_parse("fuzz.po", text, err, sizeof err);
    if (catalog != NULL) {
        (void)catalog_get(catalog, "How did we do today?");
        (void)catalog_get(catalog, "");
        (void)catalog_count(catalog);
        catalog_destroy(catalog);
    }
    free(text);
    return 0;
}
