/* libFuzzer harness: the binary reference loader (mon_reference_peek, mon_reference_load,
 * mon_reference_feature_at) on arbitrary bytes. Never reads outside the input (ASan), no
 * undefined behaviour (UBSan); whatever it accepts loads into exactly info.need bytes, load
 * and peek agree, every feature's views lie inside the loaded object, edges are strictly
 * increasing and the counts add up to the rows. Each input is checked as is and again with
 * its SHA-256 and CRC trailer recomputed, so mutations reach the field checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

static void check_bytes(const uint8_t *data, size_t size)
{
    mon_reference_info info, info2;
    mon_reference *r = NULL;
    uint64_t *mem;
    uint32_t i;
    mon_status s = mon_reference_peek(data, size, &info);
    static uint64_t probe[4];
    if (s != MON_OK) {
        probe[0] = 0x5a5a5a5a5a5a5a5aull;
        REQUIRE(mon_reference_load(probe, sizeof probe, data, size, &r) == s);
        REQUIRE(probe[0] == 0x5a5a5a5a5a5a5a5aull);
        return;
    }
    if (info.need > (1u << 24)) return;
    mem = (uint64_t *)malloc((size_t)info.need); /* exactly the size: ASan sees any overrun */
    REQUIRE(mem != NULL);
    REQUIRE(mon_reference_load(mem, (size_t)info.need - 1, data, size, &r) == MON_E_SIZE);
    REQUIRE(mon_reference_load(mem, (size_t)info.need, data, size, &r) == MON_OK);
    REQUIRE(mon_reference_info_of(r, &info2) == MON_OK);
    REQUIRE(memcmp(&info, &info2, sizeof info) == 0);
    for (i = 0; i < info.features; ++i) {
        mon_reference_feature f;
        uint64_t total;
        uint32_t k;
        REQUIRE(mon_reference_feature_at(r, i, &f) == MON_OK);
        REQUIRE(f.nedges >= 2 && f.name[f.name_len] == 0);
        total = f.nan + f.below + f.above;
        for (k = 0; k + 1 < f.nedges; ++k) {
            REQUIRE(f.edges[k] < f.edges[k + 1]);
            total += f.counts[k];
        }
        REQUIRE(total == info.rows);
    }
    free(mem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t fixed[1 << 16];
    check_bytes(data, size);
    if (size >= MON_REFERENCE_HEADER_BYTES + MON_REFERENCE_TRAILER_BYTES && size <= sizeof fixed) {
        uint32_t crc;
        memcpy(fixed, data, size);
        (void)mon_sha256(fixed, size - 36, fixed + size - 36);
        crc = mon_hist_crc32c(fixed, size - 4);
        fixed[size - 4] = (uint8_t)crc;
        fixed[size - 3] = (uint8_t)(crc >> 8);
        fixed[size - 2] = (uint8_t)(crc >> 16);
        fixed[size - 1] = (uint8_t)(crc >> 24);
        check_bytes(fixed, size);
    }
    return 0;
}
