/* fuzz_script: the --script parser. */
#include <stdlib.h>

#include "fuzz.h"
#include "script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    if (text == NULL)
        return 0;
    struct script script;
    char err[256];
    if (script_parse(&script, "fuzz.script", text, err, sizeof err))
        script_destroy(&script);
    free(text);
    return 0;
}
