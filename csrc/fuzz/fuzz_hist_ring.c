/* libFuzzer harness: the latency histogram ring (mon_hist_ring_*) driven by an arbitrary
 * sequence of records, acquires and window reads at ticks that jump forwards and backwards.
 * Input: byte 0 slots (1..8; 0 = invalid), byte 1 slot_ticks, byte 2 start_tick, then 3-byte
 * operations (op, tick delta, value). Checks every result against a direct model of the
 * documented window semantics: epoch e(t), slot e mod slots claimed (emptied) by a newer epoch,
 * values of an epoch whose slot holds a newer one are late, a window at now over n slots
 * holds exactly the slots whose epoch is in e(now) - n + 1 .. e(now). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

#define MAXS 8
static uint64_t g_ring[(48 + MAXS * (16 + 128 + 8 * 64)) / 8 + 8];
static uint64_t g_dst[(128 + 8 * 64) / 8];

/* REQ: MON-REQ-RING-001, MON-REQ-WIN-001, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mon_hist_config hc = {1u, 1000000u, 0};
    mon_window_config wc;
    mon_hist_ring *r = (mon_hist_ring *)(void *)g_ring;
    mon_hist *dst = (mon_hist *)(void *)g_dst;
    uint64_t tag[MAXS], cnt[MAXS], late = 0, tick = 300, got_late;
    size_t i, need;
    if (size < 3) return 0;
    wc.slots = data[0] % 10u;
    wc.slot_ticks = data[1];
    wc.start_tick = data[2];
    wc.flags = 0;
    need = mon_hist_ring_size(&hc, &wc);
    if (wc.slots == 0 || wc.slot_ticks == 0) {
        REQUIRE(need == 0);
        REQUIRE(mon_hist_ring_init(g_ring, sizeof g_ring, &hc, &wc) == MON_E_CONFIG);
        return 0;
    }
    if (wc.slots > MAXS) return 0;
    REQUIRE(need > 0 && need <= sizeof g_ring);
    REQUIRE(mon_hist_init(g_dst, sizeof g_dst, &hc) == MON_OK);
    REQUIRE(mon_hist_ring_init(g_ring, need - 1, &hc, &wc) == MON_E_SIZE);
    REQUIRE(mon_hist_ring_init(g_ring, need, &hc, &wc) == MON_OK);
    memset(tag, 0, sizeof tag);
    memset(cnt, 0, sizeof cnt);
    for (i = 3; i + 3 <= size; i += 3) {
        unsigned op = data[i] % 4u;
        uint64_t v = data[i + 2], e, want;
        uint32_t k;
        if (data[i] & 0x80u)
            tick = tick > data[i + 1] ? tick - data[i + 1] : 0u;
        else
            tick += data[i + 1];
        e = mon_window_epoch(&wc, tick);
        want = e + 1u;
        k = (uint32_t)(e % wc.slots);
        if (op <= 1) { /* record, directly or through acquire / release */
            int in;
            if (op == 0) {
                in = mon_hist_ring_record(r, tick, v);
            } else {
                mon_hist *h = mon_hist_ring_acquire(r, tick);
                in = h != NULL;
                if (h) {
                    mon_hist_record_many(h, &v, 1);
                    mon_hist_ring_release(r, h);
                } else {
                    mon_hist_ring_add_late(r, 1u);
                }
            }
            if (tag[k] > want) {
                REQUIRE(!in);
                ++late;
            } else {
                REQUIRE(in);
                if (tag[k] < want) {
                    tag[k] = want;
                    cnt[k] = 0;
                }
                ++cnt[k];
            }
        } else { /* a window over the last n slots, at tick or later */
            uint64_t q = tick + (op == 3 ? (uint64_t)data[i + 2] * wc.slot_ticks : 0u);
            uint64_t eq = mon_window_epoch(&wc, q), first, expect = 0;
            uint32_t n = 1u + (uint32_t)(data[i + 2] % wc.slots), j;
            mon_hist_stats s;
            first = eq + 1u >= n ? eq + 1u - n : 0u;
            for (j = 0; j < wc.slots; ++j) {
                if (tag[j] != 0u && tag[j] - 1u >= first && tag[j] - 1u <= eq) expect += cnt[j];
            }
            REQUIRE(mon_hist_ring_window(r, q, n, dst) == MON_OK);
            REQUIRE(mon_hist_get_stats(dst, &s) == MON_OK);
            REQUIRE(s.count == expect);
            REQUIRE(mon_hist_ring_window(r, q, wc.slots + 1u, dst) == MON_E_VALUE);
        }
    }
    REQUIRE(mon_hist_ring_info(r, NULL, NULL, &got_late) == MON_OK);
    REQUIRE(got_late == late);
    return 0;
}
