/* libFuzzer harness: latency histogram deserialisation (mon_hist_peek_config,
 * mon_hist_deserialize) on arbitrary bytes. Must never read outside the input (ASan), never
 * hit undefined behaviour (UBSan), and whatever it accepts must be a consistent histogram:
 * serialise -> deserialise -> serialise is a fixed point, counts add up, quantiles lie in
 * [min, max]. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

static uint64_t g_a[(1 << 20) / 8], g_b[(1 << 20) / 8];
static uint8_t g_s1[1 << 20], g_s2[1 << 20];

static void check_bytes(const uint8_t *data, size_t size);

/* Each input is decoded as is, and again with its CRC-32C trailer recomputed, so that mutations
 * reach the structural validation behind the checksum. */
/* REQ: MON-REQ-CODEC-002, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t fixed[1 << 16];
    check_bytes(data, size);
    if (size >= 4 && size <= sizeof fixed) {
        uint32_t crc;
        memcpy(fixed, data, size);
        crc = mon_hist_crc32c(fixed, size - 4);
        fixed[size - 4] = (uint8_t)crc;
        fixed[size - 3] = (uint8_t)(crc >> 8);
        fixed[size - 2] = (uint8_t)(crc >> 16);
        fixed[size - 1] = (uint8_t)(crc >> 24);
        check_bytes(fixed, size);
    }
    return 0;
}

static void check_bytes(const uint8_t *data, size_t size)
{
    mon_hist_config cfg;
    mon_hist_stats st;
    size_t need, n1 = 0, n2 = 0;
    mon_status s = mon_hist_peek_config(data, size, &cfg);
    mon_status d;
    if (s != MON_OK) {
        /* deserialize must fail the same way, and leave the buffer untouched */
        g_a[0] = 0x5a5a5a5a5a5a5a5aull;
        d = mon_hist_deserialize(g_a, sizeof g_a, data, size);
        REQUIRE(d == s && g_a[0] == 0x5a5a5a5a5a5a5a5aull);
        return;
    }
    REQUIRE(mon_hist_check_config(&cfg) == MON_OK);
    need = mon_hist_size(&cfg);
    REQUIRE(need > 0);
    if (need > sizeof g_a) return;
    REQUIRE(mon_hist_deserialize(g_a, need - 1, data, size) == MON_E_SIZE);
    REQUIRE(mon_hist_deserialize(g_a, need, data, size) == MON_OK);
    {
        const mon_hist *h = (const mon_hist *)(const void *)g_a;
        uint32_t cur = 0;
        mon_hist_bucket bk;
        uint64_t total, prev_q = 0;
        static const uint64_t num[5] = {0, 1, 1, 99, 1}, den[5] = {1, 100, 2, 100, 1};
        uint64_t q[5];
        int k;
        REQUIRE(mon_hist_get_stats(h, &st) == MON_OK);
        total = st.underflow + st.overflow;
        while (mon_hist_next_bucket(h, &cur, &bk)) {
            REQUIRE(bk.count > 0 && bk.lower < bk.upper);
            total += bk.count;
        }
        if (st.count != UINT64_MAX) REQUIRE(total == st.count);
        if (st.count > 0) {
            REQUIRE(st.min <= st.max);
            REQUIRE(mon_hist_quantiles(h, num, den, 5, q) == MON_OK);
            for (k = 0; k < 5; ++k) {
                REQUIRE(q[k] >= st.min && q[k] <= st.max && q[k] >= prev_q);
                prev_q = q[k];
            }
        } else {
            REQUIRE(mon_hist_quantiles(h, num, den, 5, q) == MON_E_EMPTY);
        }
        REQUIRE(mon_hist_serialize(h, g_s1, sizeof g_s1, &n1) == MON_OK);
        REQUIRE(mon_hist_deserialize(g_b, need, g_s1, n1) == MON_OK);
        REQUIRE(mon_hist_serialize((const mon_hist *)(const void *)g_b, g_s2, sizeof g_s2, &n2) ==
                MON_OK);
        REQUIRE(n1 == n2 && memcmp(g_s1, g_s2, n1) == 0);
    }
}
