/* fuzz_config: the INI parser, with arbitrary bytes as a config file. */
#include <stdlib.h>

#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_strndup(data, size);
    struct config *config = malloc(sizeof *config);
    struct config_errors *errors = malloc(sizeof *errors);
    if (text != NULL && config != NULL && errors != NULL) {
        if (!config_parse(config, "fuzz.conf", text, errors)) {
            char line[1024];
            for (int i = 0; i < errors->count; i++)
                config_error_format(&errors->error[i], line, sizeof line);
        }
    }
    free(errors);
    free(config);
    free(text);
    return 0;
}
