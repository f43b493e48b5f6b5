/* libFuzzer harness: binning with arbitrary edges and values (mon_binner_init, mon_bin_count)
 * against a plain reference of the documented rule (numpy.histogram: e_i <= x < e_{i+1}, last
 * bin closed; NaN, below and above counted apart), and exact order statistics
 * (mon_select_prepare/ranks) against insertion sort. Input: byte 0 = number of edges (0..64),
 * then the edges and the values as little-endian binary64 bit patterns. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

#define MAXV 1024

static uint64_t g_mem[(1 << 16) / 8];
static uint32_t g_hist[MON_SELECT_HIST_LEN];
static uint64_t g_keys[MAXV + 1];

static double rdd(const uint8_t *p)
{
    uint64_t v = 0;
    double d;
    int i;
    for (i = 7; i >= 0; --i) v = (v << 8) | p[i];
    memcpy(&d, &v, sizeof d);
    return d;
}

/* total order of the selection: -0.0 == +0.0, NaN after +inf */
static int before(double a, double b)
{
    if (a != a) return 0;
    if (b != b) return 1;
    return a < b;
}

/* REQ: MON-REQ-BIN-001, MON-REQ-BIN-002, MON-REQ-BIN-003, MON-REQ-SELECT-001, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static double edges[64], x[MAXV], sorted[MAXV], out[MON_SELECT_MAX_RANKS];
    static uint64_t counts[64], ref[64], ranks[MON_SELECT_MAX_RANKS];
    mon_bin_extra extra;
    uint64_t rnan = 0, rbelow = 0, rabove = 0, nan = 0;
    mon_binner *b = NULL;
    size_t ne, n, i, j, nb;
    int valid = 1;
    mon_status st;
    if (size < 1) return 0;
    ne = data[0] % 65u;
    if (1 + 8 * ne > size) return 0;
    for (i = 0; i < ne; ++i) edges[i] = rdd(data + 1 + 8 * i);
    n = (size - 1 - 8 * ne) / 8;
    if (n > MAXV) n = MAXV;
    for (i = 0; i < n; ++i) x[i] = rdd(data + 1 + 8 * ne + 8 * i);
    for (i = 0; i < ne; ++i) {
        if (edges[i] != edges[i]) valid = 0;
        if (i > 0 && !(edges[i - 1] < edges[i])) valid = 0;
    }
    st = mon_binner_init(g_mem, sizeof g_mem, edges, ne, &b);
    if (ne < 2)
        REQUIRE(st == MON_E_SIZE);
    else
        REQUIRE((st == MON_OK) == valid && (valid || st == MON_E_EDGES));
    if (st == MON_OK) {
        nb = mon_binner_nbins(b);
        REQUIRE(nb == ne - 1);
        memset(counts, 0, sizeof counts);
        memset(ref, 0, sizeof ref);
        memset(&extra, 0, sizeof extra);
        REQUIRE(mon_bin_count(b, x, n, counts, &extra) == MON_OK);
        for (i = 0; i < n; ++i) {
            double v = x[i];
            if (v != v) {
                ++rnan;
                continue;
            }
            if (v < edges[0]) {
                ++rbelow;
                continue;
            }
            if (v > edges[ne - 1]) {
                ++rabove;
                continue;
            }
            for (j = nb; j-- > 0;)
                if (edges[j] <= v) {
                    ++ref[j];
                    break;
                }
        }
        REQUIRE(extra.nan == rnan && extra.below == rbelow && extra.above == rabove);
        REQUIRE(memcmp(counts, ref, nb * sizeof ref[0]) == 0);
    }
    /* order statistics of the values */
    if (n == 0) {
        REQUIRE(mon_select_prepare(x, 0, g_hist, &nan) == MON_E_SIZE);
        return 0;
    }
    REQUIRE(mon_select_prepare(x, n, g_hist, &nan) == MON_OK);
    for (i = 0; i < n; ++i) { /* insertion sort in the selection's order */
        double v = x[i];
        j = i;
        while (j > 0 && before(v, sorted[j - 1])) {
            sorted[j] = sorted[j - 1];
            --j;
        }
        sorted[j] = v;
    }
    {
        size_t nr = (size_t)data[0] % 7u + 1u, r;
        for (r = 0; r < nr; ++r) ranks[r] = (uint64_t)((n - 1) * r / (nr > 1 ? nr - 1 : 1));
        REQUIRE(mon_select_ranks(x, n, g_hist, ranks, nr, g_keys, out) == MON_OK);
        for (r = 0; r < nr; ++r) {
            double e = sorted[ranks[r]], o = out[r];
            if (e != e)
                REQUIRE(o != o);
            else {
                uint64_t bits;
                memcpy(&bits, &o, sizeof bits);
                REQUIRE(o == e && !(o == 0.0 && (bits >> 63))); /* a zero comes back as +0.0 */
            }
        }
        if (n < 4096) {
            ranks[0] = n; /* out of range */
            REQUIRE(mon_select_prepare(x, n, g_hist, &nan) == MON_OK);
            REQUIRE(mon_select_ranks(x, n, g_hist, ranks, 1, g_keys, out) == MON_E_VALUE);
        }
    }
    {
        uint64_t rn = 0;
        for (i = 0; i < n; ++i) rn += (x[i] != x[i]);
        REQUIRE(nan == rn);
    }
    return 0;
}
