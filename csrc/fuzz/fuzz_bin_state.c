/* libFuzzer harness: state validation of the binner and of the order-statistic scratch. A valid
 * binner is built and its header and first table entries mutated (fuzz_state.h), then binned
 * into (counts sized by the original bin count: a corrupted bin count must never write past
 * them); and a selection's radix histogram is mutated between mon_select_prepare and
 * mon_select_ranks (refused or exact, never out of bounds). Nothing may crash or trip
 * ASan/UBSan.
 * Skipped (g_forged): a binner header whose nbins and log2p agree on a larger table than the
 * buffer. */
#include <stdlib.h>

#include "fuzz_state.h"
#include "monitor.h"

static uint32_t g_hist[MON_SELECT_HIST_LEN];

static void fuzz_binner(const uint8_t *data, size_t size)
{
    double edges[9] = {-4.0, -2.0, -1.0, 0.0, 0.5, 1.0, 2.0, 8.0, 1e300}, x[16];
    size_t ne = 2u + (data[0] >> 1) % 8u, need = mon_binner_size(ne), i;
    uint64_t *buf = (uint64_t *)malloc(need), *counts = (uint64_t *)malloc(8 * (ne - 1));
    mon_bin_extra extra = {0, 0, 0};
    mon_binner *b;
    const mon_binner *bs[2];
    uint32_t nbins, log2p;
    REQUIRE(buf && counts && mon_binner_init(buf, need, edges, ne, &b) == MON_OK);
    memset(counts, 0, 8 * (ne - 1));
    mutate((uint8_t *)buf, need < 16 + 8 * 12 ? need : 16 + 8 * 12, data, size);
    memcpy(&nbins, (uint8_t *)buf + 4, 4);
    memcpy(&log2p, (uint8_t *)buf + 8, 4);
    if (log2p >= 2 && log2p <= 21 && nbins + 4u <= (1u << log2p) &&
        (log2p == 2 || nbins + 4u > (1u << (log2p - 1))) && 16u + (8u << log2p) > need) {
        ++g_forged;
    } else {
        for (i = 0; i < 16; ++i) x[i] = (double)((int)(i * 37 % 23) - 11) / 2.0;
        x[3] = 0.0 / 0.0;
        x[4] = 1e308 * 10;
        if (mon_binner_nbins(b) != 0) REQUIRE(mon_binner_nbins(b) == ne - 1);
        (void)mon_bin_count(b, x, 16, counts, &extra);
        bs[0] = b;
        (void)mon_bin_count_matrix(bs, 1, x, 16, 1, counts, &extra);
        (void)mon_bin_count_matrix(bs, 1, x, 8, 2, counts, &extra);
    }
    free(buf);
    free(counts);
}

static void fuzz_select(const uint8_t *data, size_t size)
{
    double x[64], out[4];
    uint64_t keys[65], nan, ranks[4] = {0, 10, 40, 63};
    size_t i, n = 8u + (data[0] >> 2) % 57u;
    /* huge negative values: keys in a few low buckets, so the walk over hist stays short */
    for (i = 0; i < n; ++i) x[i] = -1e300 / (double)(1u + (i * 7919u) % 101u) * (i % 3 ? 1.0 : 3.0);
    for (i = 0; i < 4; ++i) ranks[i] = ranks[i] % n;
    if (ranks[1] < ranks[0]) ranks[1] = ranks[0];
    if (ranks[2] < ranks[1]) ranks[2] = ranks[1];
    if (ranks[3] < ranks[2]) ranks[3] = ranks[2];
    REQUIRE(mon_select_prepare(x, n, g_hist, &nan) == MON_OK);
    REQUIRE(mon_select_ranks(x, n, g_hist, ranks, 4, keys, out) == MON_OK);
    /* the histogram's 16-bit buckets: mutate around the ones in use (map offsets there) */
    {
        uint8_t tmp[256];
        uint64_t bits, key;
        size_t bucket;
        uint8_t *h8 = (uint8_t *)(void *)g_hist;
        memcpy(&bits, &x[0], 8);
        key = ~bits; /* the order key of a negative double */
        bucket = (size_t)(key >> 48);
        if (bucket < 32) bucket = 32;
        memcpy(tmp, h8 + 4 * bucket - 128, 256);
        mutate(tmp, 256, data, size);
        memcpy(h8 + 4 * bucket - 128, tmp, 256);
    }
    (void)mon_select_ranks(x, n, g_hist, ranks, 4, keys, out);
    (void)mon_select_ranks(x, n, g_hist, ranks, 4, keys, out);
}

/* REQ: MON-REQ-CORE-006, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if ((data[0] & 3u) == 1u) /* a quarter of the inputs: the selection is the slower path */
        fuzz_select(data, size);
    else
        fuzz_binner(data, size);
    return 0;
}
