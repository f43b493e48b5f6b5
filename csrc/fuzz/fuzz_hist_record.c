/* libFuzzer harness: latency histogram recording, merging and quantiles with arbitrary
 * configurations and values. Input: lowest (8 bytes LE), highest (8), scale (1 byte), then
 * values (8 bytes LE each; the first half to A, the rest to B; a value whose top byte is 0xF0
 * is converted from its low bytes as a binary64 in a unit instead). Checks: merges commute
 * bit for bit; A + B counts add up; quantiles are monotone and within [min, max] (bucket
 * representatives clamped to the exact extremes); the exact
 * sum; serialise/deserialise round trip; count_at_or_below bounds. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

#define MEM (1 << 17)

static uint64_t g_h[4][MEM / 8];
static uint8_t g_s1[MEM * 2], g_s2[MEM * 2];

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

/* REQ: MON-REQ-HIST-003, MON-REQ-HIST-006, MON-REQ-HIST-007, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mon_hist_config cfg;
    mon_hist *h[4];
    mon_hist_stats sa, sb, sm;
    size_t need, n, i, n1 = 0, n2 = 0;
    uint64_t sum_lo = 0, sum_hi = 0, valid = 0;
    int k;
    if (size < 17) return 0;
    cfg.lowest = rd64(data);
    cfg.highest = rd64(data + 8);
    cfg.scale = (int32_t)(data[16] % 10u); /* 9 is invalid */
    need = mon_hist_size(&cfg);
    if (mon_hist_check_config(&cfg) != MON_OK) {
        REQUIRE(need == 0 && mon_hist_init(g_h[0], MEM, &cfg) == MON_E_CONFIG);
        return 0;
    }
    if (need > MEM) return 0;
    for (k = 0; k < 4; ++k) {
        REQUIRE(mon_hist_init(g_h[k], need, &cfg) == MON_OK);
        h[k] = (mon_hist *)(void *)g_h[k];
    }
    n = (size - 17) / 8;
    for (i = 0; i < n; ++i) {
        uint64_t v = rd64(data + 17 + 8 * i);
        mon_hist *dst = h[i < n / 2 ? 0 : 1];
        if ((v >> 56) == 0xF0u) {
            double x;
            uint64_t bits = v << 8, ns = 0;
            uint32_t unit = (uint32_t)(v & 3u);
            memcpy(&x, &bits, sizeof x);
            if (mon_hist_f64_to_ns(x, unit, &ns) == MON_OK) {
                REQUIRE(x >= 0.0);
                REQUIRE(mon_hist_record_f64(dst, x, unit) == MON_OK);
                v = ns;
            } else {
                REQUIRE(mon_hist_record_f64(dst, x, unit) != MON_OK);
                continue;
            }
        } else {
            mon_hist_record(dst, v);
        }
        ++valid;
        sum_lo += v;
        sum_hi += (sum_lo < v);
    }
    REQUIRE(mon_hist_merge(h[2], h[0]) == MON_OK && mon_hist_merge(h[2], h[1]) == MON_OK);
    REQUIRE(mon_hist_merge(h[3], h[1]) == MON_OK && mon_hist_merge(h[3], h[0]) == MON_OK);
    REQUIRE(mon_hist_serialize(h[2], g_s1, sizeof g_s1, &n1) == MON_OK);
    REQUIRE(mon_hist_serialize(h[3], g_s2, sizeof g_s2, &n2) == MON_OK);
    REQUIRE(n1 == n2 && memcmp(g_s1, g_s2, n1) == 0);
    REQUIRE(mon_hist_get_stats(h[0], &sa) == MON_OK && mon_hist_get_stats(h[1], &sb) == MON_OK);
    REQUIRE(mon_hist_get_stats(h[2], &sm) == MON_OK);
    REQUIRE(sm.count == valid && sa.count + sb.count == valid);
    REQUIRE(sm.sum_lo == sum_lo && sm.sum_hi == sum_hi);
    REQUIRE(sm.invalid == sa.invalid + sb.invalid);
    if (valid > 0) {
        static const uint64_t num[6] = {0, 1, 1, 9, 999, 1}, den[6] = {1, 100, 2, 10, 1000, 1};
        uint64_t q[6], below = 0;
        int32_t exact = 0;
        REQUIRE(mon_hist_quantiles(h[2], num, den, 6, q) == MON_OK);
        for (k = 0; k < 6; ++k)
            REQUIRE(q[k] >= sm.min && q[k] <= sm.max && (k == 0 || q[k] >= q[k - 1]));
        REQUIRE(mon_hist_count_at_or_below(h[2], sm.max, &below, &exact) == MON_OK);
        REQUIRE(below == sm.count && exact == 1);
        REQUIRE(mon_hist_count_at_or_below(h[2], q[2], &below, &exact) == MON_OK);
        REQUIRE(below <= sm.count);
    }
    /* round trip of the merge */
    REQUIRE(mon_hist_reset(h[3]) == MON_OK);
    REQUIRE(mon_hist_deserialize(g_h[3], need, g_s1, n1) == MON_OK);
    REQUIRE(mon_hist_serialize(h[3], g_s2, sizeof g_s2, &n2) == MON_OK);
    REQUIRE(n1 == n2 && memcmp(g_s1, g_s2, n1) == 0);
    return 0;
}
