/* libFuzzer harness: state validation of the latency histogram and its ring. A valid object is
 * built, its header bytes (for the ring: its header and every slot histogram's header) are
 * mutated as the input says (fuzz_state.h), then every public function is called on it. Nothing
 * may crash or trip ASan/UBSan; a function that reports MON_OK on the histogram must leave it in
 * a state the full check still accepts or refuses consistently.
 * Skipped (g_forged): a histogram header whose bucket count exceeds the buffer while agreeing
 * with index_hi - index_lo + 1 (what the recorders check), and a ring header whose slots,
 * hist_size and total_size agree on more memory than the buffer has. */
#include <stdlib.h>

#include "fuzz_state.h"
#include "monitor.h"
#include "mon_hist_internal.h"

static const mon_hist_config CFGS[4] = {{1000u, UINT64_C(3600000000000), 6},
                                        {1u, 1000000u, 0},
                                        {100000u, 100000000u, 8},
                                        {1u, UINT64_MAX, 2}};

static uint8_t g_ser[MON_HIST_SERIAL_HEADER_BYTES + 12 * MON_HIST_MAX_BUCKETS + 8];
static uint64_t g_counts[MON_HIST_MAX_BUCKETS];

static int hist_forged(const mon_hist *h, uint32_t real_buckets)
{
    return h->buckets > real_buckets &&
           h->buckets == (uint32_t)h->index_hi - (uint32_t)h->index_lo + 1u &&
           h->buckets <= MON_HIST_MAX_BUCKETS;
}

static void call_hist(mon_hist *h, mon_hist *peer, uint64_t seed)
{
    uint64_t num[3] = {1, 99, 999}, den[3] = {2, 100, 1000}, out[3], v[3], cnt;
    int64_t iv[3];
    double dv[3];
    mon_hist_stats st;
    mon_hist_config c;
    mon_hist_layout lay;
    mon_hist_bucket b;
    uint32_t cur = 0;
    int32_t ex;
    size_t wr, i;
    for (i = 0; i < 3; ++i) {
        v[i] = seed >> (8 * i);
        iv[i] = (int64_t)(seed >> (9 * i)) - 100;
        dv[i] = (double)(seed >> (11 * i)) / 1e6;
    }
    (void)mon_hist_record(h, v[0]);
    (void)mon_hist_record(h, 0);
    (void)mon_hist_record(h, UINT64_MAX);
    (void)mon_hist_record_many(h, v, 3);
    (void)mon_hist_record_many_i64(h, iv, 3, MON_HIST_US);
    (void)mon_hist_record_many_u64(h, v, 3, MON_HIST_NS | MON_HIST_STRICT);
    (void)mon_hist_record_many_f64(h, dv, 3, MON_HIST_MS);
    (void)mon_hist_record_f64(h, dv[1], MON_HIST_S);
    (void)mon_hist_record_us(h, dv[2]);
    (void)mon_hist_add_invalid(h, 1);
    (void)mon_hist_get_config(h, &c, &lay);
    (void)mon_hist_get_stats(h, &st);
    (void)mon_hist_quantiles(h, num, den, 3, out);
    (void)mon_hist_count_at_or_below(h, v[1], &cnt, &ex);
    (void)mon_hist_merge(peer, h);
    (void)mon_hist_merge(h, peer);
    (void)mon_hist_merge(h, h);
    (void)mon_hist_snapshot(h, peer);
    (void)mon_hist_snapshot(peer, h);
    while (mon_hist_next_bucket(h, &cur, &b)) {
    }
    if (mon_hist_get_config(h, NULL, &lay) == MON_OK) {
        REQUIRE(lay.buckets <= MON_HIST_MAX_BUCKETS);
        REQUIRE(mon_hist_copy_counts(h, g_counts, lay.buckets) == MON_OK);
    } else {
        REQUIRE(mon_hist_copy_counts(h, g_counts, 1) != MON_OK);
    }
    if (mon_hist_serialize(h, g_ser, sizeof g_ser, &wr) == MON_OK) {
        mon_hist_config pc;
        REQUIRE(wr <= sizeof g_ser);
        (void)mon_hist_peek_config(g_ser, wr, &pc);
    }
    (void)mon_hist_serialized_size_max(h);
    (void)mon_hist_reset(h);
}

static void fuzz_hist(const mon_hist_config *cfg, const uint8_t *data, size_t size)
{
    size_t n = mon_hist_size(cfg);
    mon_hist_layout lay;
    uint64_t *buf = (uint64_t *)malloc(n), *pbuf = (uint64_t *)malloc(n);
    mon_hist *h = (mon_hist *)(void *)buf, *peer = (mon_hist *)(void *)pbuf;
    REQUIRE(buf && pbuf && mon_hist_layout_of(cfg, &lay) == MON_OK);
    REQUIRE(mon_hist_init(buf, n, cfg) == MON_OK && mon_hist_init(pbuf, n, cfg) == MON_OK);
    (void)mon_hist_record(h, 5000);
    (void)mon_hist_record(peer, 70000);
    mutate((uint8_t *)buf, MON_HIST_HEADER_BYTES, data, size);
    if (hist_forged(h, lay.buckets)) {
        ++g_forged;
    } else {
        call_hist(h, peer, 0x9e3779b97f4a7c15u ^ (uint64_t)size);
        REQUIRE(mon_hist_check(peer) == MON_OK); /* the valid peer stays valid */
    }
    free(buf);
    free(pbuf);
}

static void fuzz_ring(const uint8_t *data, size_t size)
{
    mon_hist_config cfg = {1000u, 1000000u, 2}, c;
    mon_window_config w = {10u, 5u, (uint32_t)(1u + (data[0] >> 4) % 4u), 0u}, wc;
    size_t n = mon_hist_ring_size(&cfg, &w), hs = mon_hist_size(&cfg), span, k;
    uint64_t *buf = (uint64_t *)malloc(n), *dbuf = (uint64_t *)malloc(hs), late;
    uint8_t *raw = (uint8_t *)buf;
    mon_hist_ring *r = (mon_hist_ring *)(void *)buf;
    mon_hist *dst = (mon_hist *)(void *)dbuf, *held;
    uint32_t slots, hist_size, total;
    REQUIRE(buf && dbuf && mon_hist_init(dbuf, hs, &cfg) == MON_OK);
    REQUIRE(mon_hist_ring_init(buf, n, &cfg, &w) == MON_OK);
    (void)mon_hist_ring_record(r, 7, 2000);
    /* mutate the ring header (48 bytes) and the slot histograms' headers: map the offset
     * space [0, 48 + slots * 128) onto those bytes, skipping the slot gates (sync state) */
    span = 48u + (size_t)w.slots * MON_HIST_HEADER_BYTES;
    {
        uint8_t *tmp = (uint8_t *)malloc(span);
        REQUIRE(tmp != NULL);
        memcpy(tmp, raw, 48);
        for (k = 0; k < w.slots; ++k)
            memcpy(tmp + 48 + k * MON_HIST_HEADER_BYTES, raw + 48 + 16 * w.slots + k * hs,
                   MON_HIST_HEADER_BYTES);
        mutate(tmp, span, data, size);
        memcpy(raw, tmp, 48);
        for (k = 0; k < w.slots; ++k)
            memcpy(raw + 48 + 16 * w.slots + k * hs, tmp + 48 + k * MON_HIST_HEADER_BYTES,
                   MON_HIST_HEADER_BYTES);
        free(tmp);
    }
    memcpy(&slots, raw + 24, 4);
    memcpy(&hist_size, raw + 32, 4);
    memcpy(&total, raw + 36, 4);
    if ((uint64_t)total == 48u + (uint64_t)slots * (16u + (uint64_t)hist_size) && total > n) {
        ++g_forged;
    } else {
        uint64_t t;
        for (t = 0; t < 120; t += 13) {
            (void)mon_hist_ring_record(r, t, 1000 + t * 977);
            (void)mon_hist_ring_record_f64(r, t + 3, (double)t, MON_HIST_US);
            held = mon_hist_ring_acquire(r, t + 5);
            if (held) {
                (void)mon_hist_record(held, 4000);
                mon_hist_ring_release(r, held);
            } else {
                (void)mon_hist_ring_add_late(r, 1);
            }
            (void)mon_hist_ring_window(r, t, 1u + (uint32_t)(t % 4u), dst);
        }
        (void)mon_hist_ring_info(r, &c, &wc, &late);
        REQUIRE(mon_hist_check(dst) == MON_OK);
    }
    free(buf);
    free(dbuf);
}

/* REQ: MON-REQ-CORE-006, MON-REQ-CORE-004 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (data[0] & 4u)
        fuzz_ring(data, size);
    else
        fuzz_hist(&CFGS[data[0] & 3u], data, size);
    return 0;
}
