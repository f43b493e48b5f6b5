/* Shared by every libFuzzer harness (fuzz_*.c): the entry point's prototype and REQUIRE, which
 * reports a violated property (file, line, the condition) and crashes so libFuzzer records the
 * input. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(c)                                                                  \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #c); \
            __builtin_trap();                                                       \
        }                                                                           \
    } while (0)

#endif /* FUZZ_COMMON_H */
