/* fuzz_tz: the TZif reader, then conversions across the zone's range. */
#include "fuzz.h"
#include "tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    struct tz *tz = tz_parse(data, size, err, sizeof err);
    if (tz == NULL)
        return 0;
    /* 1900, 1970, 2026, 2100: before, inside and after any transition table. */
    static const int64_t when_ms[] = {-2208988800000LL, 0, 1790000000000LL, 4102444800000LL};
    for (unsigned i = 0; i < sizeof when_ms / sizeof when_ms[0]; i++)
        (void)tz_to_local(tz, when_ms[i]);
    tz_destroy(tz);
    return 0;
}
