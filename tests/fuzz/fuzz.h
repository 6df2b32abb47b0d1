/*
 * fuzz: the libFuzzer entry point every target defines.  Built with clang's
 * -fsanitize=fuzzer when WOW_FUZZ is on; always built with fuzz_replay.c,
 * which runs a committed corpus through the same entry point under CTest.
 */
#ifndef WOW_FUZZ_H
#define WOW_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data (the parsers take C strings); the caller
 * frees it.  Returns NULL when out of memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

#endif
