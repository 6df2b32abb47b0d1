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
    struct i18n_catalog *catalog = i18n_catalog_parse("fuzz.po", text, err, sizeof err);
    if (catalog != NULL) {
        (void)i18n_catalog_get(catalog, "How did we do today?");
        (void)i18n_catalog_get(catalog, "");
        (void)i18n_catalog_count(catalog);
        i18n_catalog_destroy(catalog);
    }
    free(text);
    return 0;
}
