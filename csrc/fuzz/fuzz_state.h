/* Shared part of the state-validation harnesses (fuzz_*_state.c): the input is a list of
 * mutations of a live object's header bytes, applied after a valid init and before every public
 * function is called on the object. Input: byte 0 selects the configuration, then 4-byte
 * mutations (offset lo, offset hi, value, mode): mode 0 xor, 1 set, 2 add, 3 set a 64-bit word
 * (the 8 bytes from the offset rounded down to 8) to a "nice" value (0, 1, -1, a power of two,
 * the value byte replicated). Objects live in malloc'd buffers of exactly their size, so
 * AddressSanitizer sees any access beyond them.
 *
 * What no check can see - a header rewritten into the self-consistent header of a larger object
 * (the size of the caller's memory is not known to the core; see mon_hist.h) - is skipped by
 * each harness with its own rule, stated there and counted in g_forged. */
#ifndef FUZZ_STATE_H
#define FUZZ_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"

static unsigned long g_forged = 0;

/* Apply the mutations of data[1..size) to the first `span` bytes of obj. */
static void mutate(uint8_t *obj, size_t span, const uint8_t *data, size_t size)
{
    size_t i;
    for (i = 1; i + 4 <= size; i += 4) {
        size_t off = ((size_t)data[i] | ((size_t)data[i + 1] << 8)) % span;
        uint8_t v = data[i + 2];
        switch (data[i + 3] & 3u) {
        case 0: obj[off] ^= v; break;
        case 1: obj[off] = v; break;
        case 2: obj[off] = (uint8_t)(obj[off] + v); break;
        default: {
            static const uint64_t nice[8] = {0u, 1u, UINT64_MAX, UINT64_C(1) << 63,
                                             UINT64_C(1) << 31, UINT64_C(1) << 32, 0xffffffffu,
                                             0x8000u};
            uint64_t w = (v & 8u) ? UINT64_C(0x0101010101010101) * v : nice[v & 7u];
            size_t base = off & ~(size_t)7u;
            if (base + 8 <= span) memcpy(obj + base, &w, 8);
            break;
        }
        }
    }
}

#endif /* FUZZ_STATE_H */
