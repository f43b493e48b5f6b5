/* Every status every public function can return, provoked at least once (run under ASan and
 * UBSan by `make sanitize`), plus the state-validation, alignment and unit contracts:
 *  - ST(fn, expr, status) checks one call and prints "STATUS-PATH fn STATUS" once per pair, so
 *    tests/cert/test_status_paths.py can compare the pairs with the statuses each function's
 *    header comment documents (a documented status never provoked, or a provoked status the
 *    header does not name, fails there);
 *  - every byte of every object header is corrupted in turn and every function called on it;
 *  - misaligned host arrays give the same results as aligned ones, misaligned objects and
 *    outputs are refused (MON_E_ALIGN);
 *  - mon_select_ranks may be called any number of times after one prepare. */
#include <stdint.h>
#include <string.h>

#include "monitor.h"
#include "mon_test.h"

/* ---- the status-path registry ------------------------------------------------------------ */
#define MAX_PAIRS 1024
static const char *seen_fn[MAX_PAIRS];
static int seen_st[MAX_PAIRS];
static int nseen = 0;

static void record_pair(const char *fn, int st)
{
    int i;
    for (i = 0; i < nseen; ++i)
        if (seen_st[i] == st && strcmp(seen_fn[i], fn) == 0) return;
    if (nseen < MAX_PAIRS) {
        seen_fn[nseen] = fn;
        seen_st[nseen] = st;
        ++nseen;
        printf("STATUS-PATH %s %s\n", fn, mon_status_name((mon_status)st));
    }
}

#define ST(fn, expr, want)                                                               \
    do {                                                                                 \
        mon_status st_ = (expr);                                                         \
        CHECK(st_ == (want));                                                            \
        if (st_ != (want)) fprintf(stderr, "  %s: got %s\n", #fn, mon_status_name(st_)); \
        record_pair(#fn, (int)st_);                                                      \
    } while (0)

/* ---- buffers ------------------------------------------------------------------------------- */
#define HWORDS ((MON_HIST_HEADER_BYTES + 8 * MON_HIST_MAX_BUCKETS) / 8 + 2)
static uint64_t hA[HWORDS], hB[HWORDS], hC[HWORDS];
static uint64_t ringbuf[40000];
static uint64_t svcbuf[4096];
static uint64_t binbuf[512];
static uint32_t shist[MON_SELECT_HIST_LEN];
static uint64_t skeys[4097];
static uint8_t ser[MON_HIST_SERIAL_HEADER_BYTES + 12 * 4096 + 8];

/* A pointer one byte past an 8-aligned address (deliberately misaligned for every type > 1). */
static void *mis(void *p) { return (unsigned char *)p + 1; }

static mon_hist *mk(uint64_t *buf, uint64_t lo, uint64_t hi, int32_t scale)
{
    mon_hist_config c;
    c.lowest = lo;
    c.highest = hi;
    c.scale = scale;
    CHECK(mon_hist_init(buf, HWORDS * 8, &c) == MON_OK);
    return (mon_hist *)(void *)buf;
}

static const mon_hist_config CFG = {1000u, 1000000000u, 4};

/* ---- histogram ------------------------------------------------------------------------------ */
/* REQ: MON-REQ-STATUS-002 */
static void test_hist_paths(void)
{
    mon_hist_config c = CFG, bad = CFG;
    mon_hist_layout lay;
    mon_hist_stats stats;
    mon_hist *h = mk(hA, CFG.lowest, CFG.highest, CFG.scale), *g, *z = (mon_hist *)(void *)hC;
    uint64_t num[2] = {1, 99}, den[2] = {2, 100}, out[2], v, ns, counts[4096], n64, d64;
    uint64_t zero_den[1] = {0};
    int32_t ex, idx;
    uint32_t cur = 0;
    size_t wr;
    mon_hist_bucket bk;
    uint64_t aligned_cfg[4];

    memset(hC, 0, sizeof hC); /* z: a zeroed buffer, never initialised */
    bad.scale = 99;
    ST(mon_hist_check_config, mon_hist_check_config(&c), MON_OK);
    ST(mon_hist_check_config, mon_hist_check_config(NULL), MON_E_NULL);
    ST(mon_hist_check_config, mon_hist_check_config(&bad), MON_E_CONFIG);
    memcpy(aligned_cfg, &c, sizeof c);
    ST(mon_hist_check_config, mon_hist_check_config((const mon_hist_config *)mis(aligned_cfg)),
       MON_E_ALIGN);
    CHECK(mon_hist_size(&bad) == 0 && mon_hist_size(NULL) == 0 && mon_hist_size(&c) > 0);
    ST(mon_hist_layout_of, mon_hist_layout_of(&c, &lay), MON_OK);
    ST(mon_hist_layout_of, mon_hist_layout_of(&c, NULL), MON_E_NULL);
    ST(mon_hist_layout_of, mon_hist_layout_of(&bad, &lay), MON_E_CONFIG);
    ST(mon_hist_layout_of, mon_hist_layout_of(&c, (mon_hist_layout *)mis(counts)), MON_E_ALIGN);

    ST(mon_hist_init, mon_hist_init(hB, sizeof hB, &c), MON_OK);
    ST(mon_hist_init, mon_hist_init(NULL, sizeof hB, &c), MON_E_NULL);
    ST(mon_hist_init, mon_hist_init(hB, sizeof hB, &bad), MON_E_CONFIG);
    ST(mon_hist_init, mon_hist_init(hB, 64, &c), MON_E_SIZE);
    ST(mon_hist_init, mon_hist_init(mis(hB), sizeof hB - 8, &c), MON_E_ALIGN);
    g = (mon_hist *)(void *)hB;

    ST(mon_hist_record, mon_hist_record(h, 5000), MON_OK);
    ST(mon_hist_record, mon_hist_record(NULL, 5000), MON_E_NULL);
    ST(mon_hist_record, mon_hist_record((mon_hist *)mis(hA), 5000), MON_E_ALIGN);
    ST(mon_hist_record, mon_hist_record(z, 5000), MON_E_STATE);
    v = 7000;
    ST(mon_hist_record_many, mon_hist_record_many(h, &v, 1), MON_OK);
    ST(mon_hist_record_many, mon_hist_record_many(h, NULL, 0), MON_OK);
    ST(mon_hist_record_many, mon_hist_record_many(h, NULL, 3), MON_E_NULL);
    ST(mon_hist_record_many, mon_hist_record_many(NULL, &v, 1), MON_E_NULL);
    ST(mon_hist_record_many, mon_hist_record_many((mon_hist *)mis(hA), &v, 1), MON_E_ALIGN);
    ST(mon_hist_record_many, mon_hist_record_many(z, &v, 1), MON_E_STATE);
    CHECK(mon_hist_record_many_i64(z, (const int64_t *)&v, 1, MON_HIST_NS) ==
          MON_HIST_NOT_RECORDED);
    CHECK(mon_hist_record_many_u64(h, NULL, 2, MON_HIST_NS) == MON_HIST_NOT_RECORDED);
    CHECK(mon_hist_record_many_f64(h, (const double *)&v, 1, 7) == MON_HIST_NOT_RECORDED);
    CHECK(mon_hist_record_many_i64(h, (const int64_t *)&v, 1, 4 | MON_HIST_STRICT) ==
          MON_HIST_NOT_RECORDED);
    CHECK(mon_hist_record_many_u64(h, &v, 1, 512) == MON_HIST_NOT_RECORDED);

    ST(mon_hist_f64_to_ns, mon_hist_f64_to_ns(1.5, MON_HIST_MS, &ns), MON_OK);
    CHECK(ns == 1500000u);
    ST(mon_hist_f64_to_ns, mon_hist_f64_to_ns(1.5, MON_HIST_MS, NULL), MON_E_NULL);
    ST(mon_hist_f64_to_ns, mon_hist_f64_to_ns(1.5, MON_HIST_MS, (uint64_t *)mis(counts)),
       MON_E_ALIGN);
    ST(mon_hist_f64_to_ns, mon_hist_f64_to_ns(-1.0, MON_HIST_MS, &ns), MON_E_VALUE);
    ST(mon_hist_f64_to_ns, mon_hist_f64_to_ns(1.5, 7, &ns), MON_E_CONFIG);
    ST(mon_hist_f64_to_ns, mon_hist_f64_to_ns(1.5, 4096 | MON_HIST_MS, &ns), MON_E_CONFIG);
    /* issue 10 item 17: an invalid unit is refused by the recorder exactly as by the converter */
    mon_hist_get_stats(h, &stats);
    v = stats.invalid;
    ST(mon_hist_record_f64, mon_hist_record_f64(h, 1.5, 7), MON_E_CONFIG);
    ST(mon_hist_record_f64, mon_hist_record_f64(h, 1.5, MON_HIST_MS), MON_OK);
    ST(mon_hist_record_f64, mon_hist_record_f64(h, -1.0, MON_HIST_MS), MON_E_VALUE);
    ST(mon_hist_record_f64, mon_hist_record_f64(NULL, 1.5, MON_HIST_MS), MON_E_NULL);
    ST(mon_hist_record_f64, mon_hist_record_f64((mon_hist *)mis(hA), 1.5, 0), MON_E_ALIGN);
    ST(mon_hist_record_f64, mon_hist_record_f64(z, 1.5, MON_HIST_MS), MON_E_STATE);
    mon_hist_get_stats(h, &stats);
    CHECK(stats.invalid == v + 1u); /* only the -1.0: the bad unit counted nothing */
#define FIXED_UNIT_PATHS(fn)                           \
    ST(fn, fn(h, 3.0), MON_OK);                        \
    ST(fn, fn(h, -3.0), MON_E_VALUE);                  \
    ST(fn, fn(NULL, 3.0), MON_E_NULL);                 \
    ST(fn, fn((mon_hist *)mis(hA), 3.0), MON_E_ALIGN); \
    ST(fn, fn(z, 3.0), MON_E_STATE)
    FIXED_UNIT_PATHS(mon_hist_record_us);
    FIXED_UNIT_PATHS(mon_hist_record_ms);
    FIXED_UNIT_PATHS(mon_hist_record_s);
    ST(mon_hist_add_invalid, mon_hist_add_invalid(h, 2), MON_OK);
    ST(mon_hist_add_invalid, mon_hist_add_invalid(NULL, 2), MON_E_NULL);
    ST(mon_hist_add_invalid, mon_hist_add_invalid((mon_hist *)mis(hA), 2), MON_E_ALIGN);
    ST(mon_hist_add_invalid, mon_hist_add_invalid(z, 2), MON_E_STATE);

    ST(mon_hist_get_config, mon_hist_get_config(h, &c, &lay), MON_OK);
    ST(mon_hist_get_config, mon_hist_get_config(NULL, &c, &lay), MON_E_NULL);
    ST(mon_hist_get_config, mon_hist_get_config(h, (mon_hist_config *)mis(counts), NULL),
       MON_E_ALIGN);
    ST(mon_hist_get_config, mon_hist_get_config(z, &c, NULL), MON_E_STATE);
    ST(mon_hist_get_stats, mon_hist_get_stats(h, &stats), MON_OK);
    ST(mon_hist_get_stats, mon_hist_get_stats(h, NULL), MON_E_NULL);
    ST(mon_hist_get_stats, mon_hist_get_stats(h, (mon_hist_stats *)mis(counts)), MON_E_ALIGN);
    ST(mon_hist_get_stats, mon_hist_get_stats(z, &stats), MON_E_STATE);

    ST(mon_hist_quantiles, mon_hist_quantiles(h, num, den, 2, out), MON_OK);
    ST(mon_hist_quantiles, mon_hist_quantiles(h, NULL, den, 2, out), MON_E_NULL);
    ST(mon_hist_quantiles, mon_hist_quantiles(h, num, den, 2, (uint64_t *)mis(counts)),
       MON_E_ALIGN);
    ST(mon_hist_quantiles, mon_hist_quantiles(z, num, den, 2, out), MON_E_STATE);
    ST(mon_hist_quantiles, mon_hist_quantiles(h, num, zero_den, 1, out), MON_E_VALUE);
    ST(mon_hist_quantiles, mon_hist_quantiles(h, num, den, MON_HIST_MAX_QUANTILES + 1, out),
       MON_E_LENGTH);
    ST(mon_hist_quantiles, mon_hist_quantiles(g, num, den, 2, out), MON_E_EMPTY);

    ST(mon_hist_count_at_or_below, mon_hist_count_at_or_below(h, 6000, &v, &ex), MON_OK);
    ST(mon_hist_count_at_or_below, mon_hist_count_at_or_below(h, 6000, NULL, &ex), MON_E_NULL);
    ST(mon_hist_count_at_or_below, mon_hist_count_at_or_below(h, 6000, &v, (int32_t *)mis(counts)),
       MON_E_ALIGN);
    ST(mon_hist_count_at_or_below, mon_hist_count_at_or_below(z, 6000, &v, &ex), MON_E_STATE);

    ST(mon_hist_merge, mon_hist_merge(g, h), MON_OK);
    ST(mon_hist_merge, mon_hist_merge(g, NULL), MON_E_NULL);
    ST(mon_hist_merge, mon_hist_merge(g, (mon_hist *)mis(hA)), MON_E_ALIGN);
    ST(mon_hist_merge, mon_hist_merge(g, z), MON_E_STATE);
    ST(mon_hist_snapshot, mon_hist_snapshot(h, g), MON_OK);
    ST(mon_hist_snapshot, mon_hist_snapshot(NULL, g), MON_E_NULL);
    ST(mon_hist_snapshot, mon_hist_snapshot((mon_hist *)mis(hA), g), MON_E_ALIGN);
    ST(mon_hist_snapshot, mon_hist_snapshot(z, g), MON_E_STATE);
    {
        mon_hist *o = mk(hC, 1, 100, 0);
        ST(mon_hist_merge, mon_hist_merge(g, o), MON_E_MISMATCH);
        ST(mon_hist_snapshot, mon_hist_snapshot(o, g), MON_E_MISMATCH);
        memset(hC, 0, sizeof hC);
    }
    ST(mon_hist_reset, mon_hist_reset(g), MON_OK);
    ST(mon_hist_reset, mon_hist_reset(NULL), MON_E_NULL);
    ST(mon_hist_reset, mon_hist_reset((mon_hist *)mis(hB)), MON_E_ALIGN);
    ST(mon_hist_reset, mon_hist_reset(z), MON_E_STATE);
    CHECK(mon_hist_next_bucket(h, &cur, &bk) == 1);
    CHECK(mon_hist_next_bucket(z, &cur, &bk) == 0);
    CHECK(mon_hist_next_bucket(h, (uint32_t *)mis(counts), &bk) == 0);
    mon_hist_get_config(h, NULL, &lay);
    ST(mon_hist_copy_counts, mon_hist_copy_counts(h, counts, lay.buckets), MON_OK);
    ST(mon_hist_copy_counts, mon_hist_copy_counts(h, NULL, lay.buckets), MON_E_NULL);
    ST(mon_hist_copy_counts, mon_hist_copy_counts(h, (uint64_t *)mis(counts), lay.buckets - 1),
       MON_E_ALIGN);
    ST(mon_hist_copy_counts, mon_hist_copy_counts(z, counts, lay.buckets), MON_E_STATE);
    ST(mon_hist_copy_counts, mon_hist_copy_counts(h, counts, lay.buckets + 1), MON_E_LENGTH);

    ST(mon_hist_index_of, mon_hist_index_of(4, 1000, &idx), MON_OK);
    ST(mon_hist_index_of, mon_hist_index_of(4, 1000, NULL), MON_E_NULL);
    ST(mon_hist_index_of, mon_hist_index_of(4, 1000, (int32_t *)mis(counts)), MON_E_ALIGN);
    ST(mon_hist_index_of, mon_hist_index_of(9, 1000, &idx), MON_E_CONFIG);
    ST(mon_hist_index_of, mon_hist_index_of(4, 0, &idx), MON_E_VALUE);
    ST(mon_hist_threshold, mon_hist_threshold(4, 10, &v), MON_OK);
    ST(mon_hist_threshold, mon_hist_threshold(4, 10, NULL), MON_E_NULL);
    ST(mon_hist_threshold, mon_hist_threshold(4, 10, (uint64_t *)mis(counts)), MON_E_ALIGN);
    ST(mon_hist_threshold, mon_hist_threshold(-1, 10, &v), MON_E_CONFIG);
    ST(mon_hist_threshold, mon_hist_threshold(4, 64 * 16 + 1, &v), MON_E_VALUE);
    ST(mon_hist_error_bound, mon_hist_error_bound(&CFG, &n64, &d64), MON_OK);
    ST(mon_hist_error_bound, mon_hist_error_bound(&CFG, NULL, &d64), MON_E_NULL);
    ST(mon_hist_error_bound, mon_hist_error_bound(&CFG, (uint64_t *)mis(counts), &d64),
       MON_E_ALIGN);
    ST(mon_hist_error_bound, mon_hist_error_bound(&bad, &n64, &d64), MON_E_CONFIG);

    CHECK(mon_hist_serialized_size_max(z) == 0 && mon_hist_serialized_size_max(h) > 0);
    ST(mon_hist_serialize, mon_hist_serialize(h, ser, sizeof ser, &wr), MON_OK);
    ST(mon_hist_serialize, mon_hist_serialize(h, NULL, sizeof ser, &wr), MON_E_NULL);
    ST(mon_hist_serialize, mon_hist_serialize(h, ser, sizeof ser, (size_t *)mis(counts)),
       MON_E_ALIGN);
    ST(mon_hist_serialize, mon_hist_serialize(z, ser, sizeof ser, &wr), MON_E_STATE);
    ST(mon_hist_serialize, mon_hist_serialize(h, ser, 10, &wr), MON_E_SIZE);
    mon_hist_serialize(h, ser, sizeof ser, &wr);
    ST(mon_hist_peek_config, mon_hist_peek_config(ser, wr, &c), MON_OK);
    ST(mon_hist_peek_config, mon_hist_peek_config(NULL, wr, &c), MON_E_NULL);
    ST(mon_hist_peek_config, mon_hist_peek_config(ser, wr, (mon_hist_config *)mis(counts)),
       MON_E_ALIGN);
    ST(mon_hist_peek_config, mon_hist_peek_config(ser, 3, &c), MON_E_TRUNCATED);
    ser[0] ^= 1u;
    ST(mon_hist_peek_config, mon_hist_peek_config(ser, wr, &c), MON_E_FORMAT);
    ser[0] ^= 1u;
    ser[20] ^= 1u;
    ST(mon_hist_peek_config, mon_hist_peek_config(ser, wr, &c), MON_E_CHECKSUM);
    ST(mon_hist_deserialize, mon_hist_deserialize(hB, sizeof hB, ser, wr), MON_E_CHECKSUM);
    ser[20] ^= 1u;
    ST(mon_hist_deserialize, mon_hist_deserialize(hB, sizeof hB, ser, wr), MON_OK);
    ST(mon_hist_deserialize, mon_hist_deserialize(NULL, sizeof hB, ser, wr), MON_E_NULL);
    ST(mon_hist_deserialize, mon_hist_deserialize(hB, 64, ser, wr), MON_E_SIZE);
    ST(mon_hist_deserialize, mon_hist_deserialize(mis(hB), sizeof hB - 8, ser, wr), MON_E_ALIGN);
    ST(mon_hist_deserialize, mon_hist_deserialize(hB, sizeof hB, ser, 3), MON_E_TRUNCATED);
    ser[0] ^= 1u;
    ST(mon_hist_deserialize, mon_hist_deserialize(hB, sizeof hB, ser, wr), MON_E_FORMAT);
    ser[0] ^= 1u;
    CHECK(mon_hist_crc32c((const uint8_t *)"123456789", 9) == 0xe3069283u);
}

/* ---- ring ---------------------------------------------------------------------------------- */
/* REQ: MON-REQ-STATUS-002 */
static void test_ring_paths(void)
{
    mon_hist_config c = {1000u, 100000u, 2}, bad = c;
    mon_window_config w = {10u, 0u, 4u, 0u}, wbad = w;
    mon_hist_ring *r = (mon_hist_ring *)(void *)ringbuf, *zr = (mon_hist_ring *)(void *)svcbuf;
    mon_hist *dst = mk(hA, c.lowest, c.highest, c.scale), *other = mk(hB, 1, 10, 0), *hh;
    uint64_t late;
    size_t need = mon_hist_ring_size(&c, &w);
    bad.scale = -1;
    wbad.slots = 0;
    memset(svcbuf, 0, sizeof svcbuf);
    CHECK(need > 0 && need <= sizeof ringbuf && mon_hist_ring_size(&bad, &w) == 0);
    ST(mon_hist_ring_init, mon_hist_ring_init(ringbuf, need, &c, &w), MON_OK);
    ST(mon_hist_ring_init, mon_hist_ring_init(NULL, need, &c, &w), MON_E_NULL);
    ST(mon_hist_ring_init, mon_hist_ring_init(ringbuf, need, &c, &wbad), MON_E_CONFIG);
    ST(mon_hist_ring_init, mon_hist_ring_init(ringbuf, need - 1, &c, &w), MON_E_SIZE);
    ST(mon_hist_ring_init, mon_hist_ring_init(mis(ringbuf), need, &c, &w), MON_E_ALIGN);
    mon_hist_ring_init(ringbuf, need, &c, &w);
    CHECK(mon_hist_ring_record(r, 5, 2000) == 1);
    CHECK(mon_hist_ring_record(r, 40, 2000) == 1); /* epoch 4: slot 0 again */
    CHECK(mon_hist_ring_record(r, 5, 2000) == 0);  /* epoch 0's slot now holds a newer epoch */
    CHECK(mon_hist_ring_record(zr, 5, 2000) == -1);
    CHECK(mon_hist_ring_record(NULL, 5, 2000) == -1);
    ST(mon_hist_ring_record_f64, mon_hist_ring_record_f64(r, 100, 2.0, MON_HIST_US), MON_OK);
    ST(mon_hist_ring_record_f64, mon_hist_ring_record_f64(r, 100, -2.0, MON_HIST_US), MON_E_VALUE);
    ST(mon_hist_ring_record_f64, mon_hist_ring_record_f64(r, 100, 2.0, 9), MON_E_CONFIG);
    ST(mon_hist_ring_record_f64, mon_hist_ring_record_f64(NULL, 100, 2.0, 0), MON_E_NULL);
    ST(mon_hist_ring_record_f64,
       mon_hist_ring_record_f64((mon_hist_ring *)mis(ringbuf), 100, 2.0, 0), MON_E_ALIGN);
    ST(mon_hist_ring_record_f64, mon_hist_ring_record_f64(zr, 100, 2.0, 0), MON_E_STATE);
    hh = mon_hist_ring_acquire(r, 100);
    CHECK(hh != NULL);
    mon_hist_ring_release(r, hh);
    CHECK(mon_hist_ring_acquire(zr, 100) == NULL && mon_hist_ring_acquire(NULL, 1) == NULL);
    mon_hist_ring_release(zr, hh); /* ignored */
    ST(mon_hist_ring_add_late, mon_hist_ring_add_late(r, 1), MON_OK);
    ST(mon_hist_ring_add_late, mon_hist_ring_add_late(NULL, 1), MON_E_NULL);
    ST(mon_hist_ring_add_late, mon_hist_ring_add_late((mon_hist_ring *)mis(ringbuf), 1),
       MON_E_ALIGN);
    ST(mon_hist_ring_add_late, mon_hist_ring_add_late(zr, 1), MON_E_STATE);
    ST(mon_hist_ring_window, mon_hist_ring_window(r, 100, 4, dst), MON_OK);
    {
        mon_hist_stats hs;
        CHECK(mon_hist_get_stats(dst, &hs) == MON_OK && hs.count == 1); /* the f64 value */
    }
    ST(mon_hist_ring_window, mon_hist_ring_window(r, 100, 4, NULL), MON_E_NULL);
    ST(mon_hist_ring_window, mon_hist_ring_window(r, 100, 4, (mon_hist *)mis(hA)), MON_E_ALIGN);
    ST(mon_hist_ring_window, mon_hist_ring_window(zr, 100, 4, dst), MON_E_STATE);
    ST(mon_hist_ring_window, mon_hist_ring_window(r, 100, 5, dst), MON_E_VALUE);
    ST(mon_hist_ring_window, mon_hist_ring_window(r, 100, 4, other), MON_E_MISMATCH);
    ST(mon_hist_ring_info, mon_hist_ring_info(r, &c, &w, &late), MON_OK);
    CHECK(late == 2);
    ST(mon_hist_ring_info, mon_hist_ring_info(NULL, &c, &w, &late), MON_E_NULL);
    ST(mon_hist_ring_info, mon_hist_ring_info(r, NULL, NULL, (uint64_t *)mis(svcbuf)), MON_E_ALIGN);
    ST(mon_hist_ring_info, mon_hist_ring_info(zr, NULL, NULL, NULL), MON_E_STATE);
}

/* ---- window and service -------------------------------------------------------------------- */
/* REQ: MON-REQ-STATUS-002, MON-REQ-WIN-001 */
static void test_service_paths(void)
{
    mon_service_config c = {100u, 0u, 8u, 0u}, bad = c;
    mon_service *s = (mon_service *)(void *)svcbuf;
    mon_service *z = (mon_service *)(void *)ringbuf;
    mon_service_counts cnt;
    mon_service_window win;
    size_t need = mon_service_size(&c);
    uint64_t cfgcopy[4];
    memcpy(cfgcopy, &c, sizeof c);
    bad.slot_ticks = 0;
    ST(mon_window_check_config, mon_window_check_config(&c), MON_OK);
    ST(mon_window_check_config, mon_window_check_config(NULL), MON_E_NULL);
    ST(mon_window_check_config, mon_window_check_config((const mon_window_config *)mis(cfgcopy)),
       MON_E_ALIGN);
    ST(mon_window_check_config, mon_window_check_config(&bad), MON_E_CONFIG);
    CHECK(mon_window_epoch(&bad, 1000) == 0 && mon_window_epoch(&c, 1000) == 10);
    ST(mon_service_check_config, mon_service_check_config(&c), MON_OK);
    ST(mon_service_check_config, mon_service_check_config(NULL), MON_E_NULL);
    ST(mon_service_check_config, mon_service_check_config((const mon_window_config *)mis(cfgcopy)),
       MON_E_ALIGN);
    ST(mon_service_check_config, mon_service_check_config(&bad), MON_E_CONFIG);
    CHECK(need > 0 && need <= sizeof svcbuf && mon_service_size(&bad) == 0);
    ST(mon_service_init, mon_service_init(svcbuf, need, &c), MON_OK);
    ST(mon_service_init, mon_service_init(NULL, need, &c), MON_E_NULL);
    ST(mon_service_init, mon_service_init(svcbuf, need, &bad), MON_E_CONFIG);
    ST(mon_service_init, mon_service_init(svcbuf, need - 1, &c), MON_E_SIZE);
    ST(mon_service_init, mon_service_init(mis(svcbuf), need, &c), MON_E_ALIGN);
    mon_service_init(svcbuf, need, &c);
    /* an uninitialised (zeroed, then garbage) buffer: a status, never a division by zero */
    memset(ringbuf, 0, 4096);
    ST(mon_service_begin, mon_service_begin(z, 5), MON_E_STATE);
    memset(ringbuf, 0xa5, 4096);
    ST(mon_service_begin, mon_service_begin(z, 5), MON_E_STATE);
    ST(mon_service_begin, mon_service_begin(s, 5), MON_OK);
    ST(mon_service_begin, mon_service_begin(NULL, 5), MON_E_NULL);
    ST(mon_service_begin, mon_service_begin((mon_service *)mis(svcbuf), 5), MON_E_ALIGN);
    ST(mon_service_ok, mon_service_ok(s, 6), MON_OK);
    ST(mon_service_ok, mon_service_ok(s, 6), MON_E_STATE); /* nothing in flight */
    ST(mon_service_ok, mon_service_ok(NULL, 6), MON_E_NULL);
    ST(mon_service_ok, mon_service_ok((mon_service *)mis(svcbuf), 6), MON_E_ALIGN);
    mon_service_begin(s, 7);
    ST(mon_service_fail, mon_service_fail(s, 8, (mon_error_category)7), MON_E_VALUE);
    ST(mon_service_fail, mon_service_fail(s, 8, MON_ERR_TIMEOUT), MON_OK);
    ST(mon_service_fail, mon_service_fail(s, 8, MON_ERR_TIMEOUT), MON_E_STATE);
    ST(mon_service_fail, mon_service_fail(NULL, 8, MON_ERR_TIMEOUT), MON_E_NULL);
    ST(mon_service_fail, mon_service_fail((mon_service *)mis(svcbuf), 8, MON_ERR_TIMEOUT),
       MON_E_ALIGN);
    mon_service_begin(s, 9);
    ST(mon_service_drop, mon_service_drop(s, 9), MON_OK);
    ST(mon_service_drop, mon_service_drop(s, 9), MON_E_STATE);
    ST(mon_service_drop, mon_service_drop(NULL, 9), MON_E_NULL);
    ST(mon_service_drop, mon_service_drop((mon_service *)mis(svcbuf), 9), MON_E_ALIGN);
    ST(mon_service_reject, mon_service_reject(s, 9), MON_OK);
    ST(mon_service_reject, mon_service_reject(NULL, 9), MON_E_NULL);
    ST(mon_service_reject, mon_service_reject((mon_service *)mis(svcbuf), 9), MON_E_ALIGN);
    ST(mon_service_reject, mon_service_reject(z, 9), MON_E_STATE);
    ST(mon_service_error, mon_service_error(s, 9, MON_ERR_BUSINESS_LOGIC), MON_OK);
    ST(mon_service_error, mon_service_error(s, 9, (mon_error_category)-1), MON_E_VALUE);
    ST(mon_service_error, mon_service_error(NULL, 9, MON_ERR_TIMEOUT), MON_E_NULL);
    ST(mon_service_error, mon_service_error((mon_service *)mis(svcbuf), 9, MON_ERR_TIMEOUT),
       MON_E_ALIGN);
    ST(mon_service_error, mon_service_error(z, 9, MON_ERR_TIMEOUT), MON_E_STATE);
    ST(mon_service_totals, mon_service_totals(s, &cnt), MON_OK);
    CHECK(cnt.received == 4 && cnt.processed == 1 && cnt.failed == 1 && cnt.dropped == 2);
    ST(mon_service_totals, mon_service_totals(s, NULL), MON_E_NULL);
    ST(mon_service_totals, mon_service_totals(s, (mon_service_counts *)mis(hA)), MON_E_ALIGN);
    ST(mon_service_totals, mon_service_totals(z, &cnt), MON_E_STATE);
    ST(mon_service_window_counts, mon_service_window_counts(s, 10, &win), MON_OK);
    ST(mon_service_window_counts, mon_service_window_counts(NULL, 10, &win), MON_E_NULL);
    ST(mon_service_window_counts, mon_service_window_counts(s, 10, (mon_service_window *)mis(hA)),
       MON_E_ALIGN);
    ST(mon_service_window_counts, mon_service_window_counts(z, 10, &win), MON_E_STATE);
    ST(mon_service_config_of, mon_service_config_of(s, &c), MON_OK);
    ST(mon_service_config_of, mon_service_config_of(s, NULL), MON_E_NULL);
    ST(mon_service_config_of, mon_service_config_of(s, (mon_service_config *)mis(hA)), MON_E_ALIGN);
    ST(mon_service_config_of, mon_service_config_of(z, &c), MON_E_STATE);
    CHECK(mon_error_category_name((mon_error_category)5) == NULL);
}

/* ---- binning, selection, drift ------------------------------------------------------------- */
/* REQ: MON-REQ-STATUS-002 */
static void test_bin_select_drift_paths(void)
{
    double edges[4] = {0.0, 1.0, 2.0, 3.0}, bad_edges[3] = {0.0, 2.0, 1.0}, x[8];
    uint64_t store[16], counts[8], counts2[8], out64[8], ranks[3] = {0, 3, 7}, dec[2] = {3, 1};
    uint64_t p[3] = {5, 3, 2}, q[3] = {4, 4, 2}, zero[3] = {0, 0, 0}, huge[2] = {1, UINT64_MAX};
    mon_bin_extra extra, extra2;
    mon_binner *b, *zb = (mon_binner *)(void *)hC;
    const mon_binner *bs[1];
    int64_t codes[4] = {0, 1, 9, -1};
    uint64_t unseen = 0, nan = 0, mant = 0;
    double sel[3];
    mon_psi_options opt = {MON_PSI_FLOOR, 0, 0}, badopt = {7, 0, 0};
    mon_u128 raw, num, den;
    mon_drift_result res;
    size_t i;
    memset(hC, 0, sizeof hC);
    for (i = 0; i < 8; ++i) x[i] = (double)(i % 4) + 0.5;
    ST(mon_binner_init, mon_binner_init(binbuf, sizeof binbuf, edges, 4, &b), MON_OK);
    ST(mon_binner_init, mon_binner_init(binbuf, sizeof binbuf, NULL, 4, &b), MON_E_NULL);
    ST(mon_binner_init, mon_binner_init(binbuf, 8, edges, 4, &b), MON_E_SIZE);
    ST(mon_binner_init, mon_binner_init(mis(binbuf), sizeof binbuf - 8, edges, 4, &b), MON_E_ALIGN);
    ST(mon_binner_init, mon_binner_init(binbuf, sizeof binbuf, bad_edges, 3, &b), MON_E_EDGES);
    mon_binner_init(binbuf, sizeof binbuf, edges, 4, &b);
    CHECK(mon_binner_nbins(b) == 3 && mon_binner_nbins(zb) == 0 && mon_binner_size(1) == 0);
    memset(counts, 0, sizeof counts);
    memset(&extra, 0, sizeof extra);
    ST(mon_bin_count, mon_bin_count(b, x, 8, counts, &extra), MON_OK);
    ST(mon_bin_count, mon_bin_count(b, NULL, 8, counts, &extra), MON_E_NULL);
    ST(mon_bin_count, mon_bin_count(b, x, 8, (uint64_t *)mis(store), &extra), MON_E_ALIGN);
    ST(mon_bin_count, mon_bin_count(zb, x, 8, counts, &extra), MON_E_STATE);
    bs[0] = b;
    ST(mon_bin_count_matrix, mon_bin_count_matrix(bs, 1, x, 8, 1, counts, &extra), MON_OK);
    ST(mon_bin_count_matrix, mon_bin_count_matrix(NULL, 1, x, 8, 1, counts, &extra), MON_E_NULL);
    ST(mon_bin_count_matrix,
       mon_bin_count_matrix(bs, 1, x, 8, 1, counts, (mon_bin_extra *)mis(store)), MON_E_ALIGN);
    ST(mon_bin_count_matrix, mon_bin_count_matrix(bs, 1, x, 8, 0, counts, &extra), MON_E_LENGTH);
    bs[0] = zb;
    ST(mon_bin_count_matrix, mon_bin_count_matrix(bs, 1, x, 8, 1, counts, &extra), MON_E_STATE);
    ST(mon_bin_count_codes, mon_bin_count_codes(codes, 4, counts, 3, &unseen), MON_OK);
    CHECK(unseen == 2);
    ST(mon_bin_count_codes, mon_bin_count_codes(codes, 4, NULL, 3, &unseen), MON_E_NULL);
    ST(mon_bin_count_codes, mon_bin_count_codes(codes, 4, counts, 3, (uint64_t *)mis(store)),
       MON_E_ALIGN);
    ST(mon_bin_count_codes, mon_bin_count_codes(codes, 4, counts, 0, &unseen), MON_E_LENGTH);

    /* misaligned host data: same counts as aligned */
    memcpy((unsigned char *)store + 1, x, sizeof x);
    memset(counts, 0, sizeof counts);
    memset(counts2, 0, sizeof counts2);
    memset(&extra, 0, sizeof extra);
    memset(&extra2, 0, sizeof extra2);
    CHECK(mon_bin_count(b, x, 8, counts, &extra) == MON_OK);
    CHECK(mon_bin_count(b, (const double *)mis(store), 8, counts2, &extra2) == MON_OK);
    CHECK(memcmp(counts, counts2, sizeof counts) == 0 &&
          memcmp(&extra, &extra2, sizeof extra) == 0);
    memcpy((unsigned char *)store + 1, codes, sizeof codes);
    unseen = 0;
    memset(counts, 0, sizeof counts);
    CHECK(mon_bin_count_codes((const int64_t *)mis(store), 4, counts, 3, &unseen) == MON_OK);
    CHECK(unseen == 2 && counts[0] == 1 && counts[1] == 1);
    memcpy((unsigned char *)store + 1, edges, sizeof edges);
    CHECK(mon_binner_init(binbuf, sizeof binbuf, (const double *)mis(store), 4, &b) == MON_OK);

    ST(mon_select_prepare, mon_select_prepare(x, 8, shist, &nan), MON_OK);
    ST(mon_select_prepare, mon_select_prepare(NULL, 8, shist, &nan), MON_E_NULL);
    ST(mon_select_prepare, mon_select_prepare(x, 8, (uint32_t *)mis(shist), &nan), MON_E_ALIGN);
    ST(mon_select_prepare, mon_select_prepare(x, 0, shist, &nan), MON_E_SIZE);
    ST(mon_select_ranks, mon_select_ranks(x, 8, shist, ranks, 3, skeys, sel), MON_OK);
    CHECK(sel[0] == 0.5 && sel[1] == 1.5 && sel[2] == 3.5);
    /* issue 10 item 17: a second selection after one prepare is allowed and exact */
    sel[0] = sel[1] = sel[2] = 0.0;
    ST(mon_select_ranks, mon_select_ranks(x, 8, shist, ranks, 3, skeys, sel), MON_OK);
    CHECK(sel[0] == 0.5 && sel[1] == 1.5 && sel[2] == 3.5);
    ST(mon_select_ranks, mon_select_ranks(x, 8, shist, NULL, 3, skeys, sel), MON_E_NULL);
    ST(mon_select_ranks, mon_select_ranks(x, 8, shist, ranks, 3, skeys, (double *)mis(store)),
       MON_E_ALIGN);
    ST(mon_select_ranks, mon_select_ranks(x, 0, shist, ranks, 3, skeys, sel), MON_E_SIZE);
    ST(mon_select_ranks, mon_select_ranks(x, 8, shist, dec, 2, skeys, sel), MON_E_VALUE);
    /* a histogram that is not x's: refused, never out of bounds */
    ST(mon_select_ranks, mon_select_ranks(x, 5, shist, ranks, 2, skeys, sel), MON_E_STATE);
    memset(shist, 0, sizeof shist); /* counts total less than the ranks */
    ST(mon_select_ranks, mon_select_ranks(x, 8, shist, ranks, 3, skeys, sel), MON_E_STATE);
    memset(shist, 0, sizeof shist);
    shist[0] = 8; /* right total, wrong bucket */
    ST(mon_select_ranks, mon_select_ranks(x, 8, shist, ranks, 3, skeys, sel), MON_E_STATE);
    CHECK(shist[0] == 8); /* restored on error too */
    /* misaligned x: same selection */
    memcpy((unsigned char *)store + 1, x, sizeof x);
    CHECK(mon_select_prepare((const double *)mis(store), 8, shist, &nan) == MON_OK);
    CHECK(mon_select_ranks((const double *)mis(store), 8, shist, ranks, 3, skeys, sel) == MON_OK);
    CHECK(sel[0] == 0.5 && sel[1] == 1.5 && sel[2] == 3.5);

    ST(mon_drift_tv, mon_drift_tv(p, q, 3, &raw, &num, &den), MON_OK);
    ST(mon_drift_tv, mon_drift_tv(NULL, q, 3, &raw, &num, &den), MON_E_NULL);
    ST(mon_drift_tv, mon_drift_tv((const uint64_t *)mis(store), q, 3, &raw, NULL, NULL),
       MON_E_ALIGN);
    ST(mon_drift_tv, mon_drift_tv(p, q, 0, &raw, NULL, NULL), MON_E_LENGTH);
    ST(mon_drift_tv, mon_drift_tv(p, zero, 3, &raw, NULL, NULL), MON_E_EMPTY);
    ST(mon_drift_tv, mon_drift_tv(huge, p, 2, &raw, NULL, NULL), MON_E_OVERFLOW);
    ST(mon_drift_js, mon_drift_js(p, q, 3, &raw, out64), MON_OK);
    ST(mon_drift_js, mon_drift_js(p, NULL, 3, &raw, out64), MON_E_NULL);
    ST(mon_drift_js, mon_drift_js(p, q, 3, &raw, (uint64_t *)mis(store)), MON_E_ALIGN);
    ST(mon_drift_js, mon_drift_js(p, q, 0, &raw, NULL), MON_E_LENGTH);
    ST(mon_drift_js, mon_drift_js(zero, q, 3, &raw, NULL), MON_E_EMPTY);
    ST(mon_drift_js, mon_drift_js(p, huge, 2, &raw, NULL), MON_E_OVERFLOW);
    {
        mon_drift_fp jfp, dfp;
        ST(mon_drift_js_fp, mon_drift_js_fp(p, q, 3, &jfp, &dfp), MON_OK);
        ST(mon_drift_js_fp, mon_drift_js_fp(p, NULL, 3, &jfp, NULL), MON_E_NULL);
        ST(mon_drift_js_fp, mon_drift_js_fp((const uint64_t *)mis(store), q, 3, &jfp, NULL),
           MON_E_ALIGN);
        ST(mon_drift_js_fp, mon_drift_js_fp(p, q, 0, &jfp, NULL), MON_E_LENGTH);
        ST(mon_drift_js_fp, mon_drift_js_fp(zero, q, 3, &jfp, NULL), MON_E_EMPTY);
        ST(mon_drift_js_fp, mon_drift_js_fp(p, huge, 2, NULL, &dfp), MON_E_OVERFLOW);
    }
    ST(mon_drift_psi, mon_drift_psi(p, q, 3, &opt, &raw), MON_OK);
    ST(mon_drift_psi, mon_drift_psi(p, NULL, 3, NULL, &raw), MON_E_NULL);
    ST(mon_drift_psi, mon_drift_psi(p, q, 3, (const mon_psi_options *)mis(store), &raw),
       MON_E_ALIGN);
    ST(mon_drift_psi, mon_drift_psi(p, q, 0, NULL, &raw), MON_E_LENGTH);
    ST(mon_drift_psi, mon_drift_psi(p, zero, 3, NULL, &raw), MON_E_EMPTY);
    ST(mon_drift_psi, mon_drift_psi(huge, q, 2, NULL, &raw), MON_E_OVERFLOW);
    ST(mon_drift_psi, mon_drift_psi(p, q, 3, &badopt, &raw), MON_E_VALUE);
    ST(mon_drift_scores, mon_drift_scores(p, q, 3, NULL, &res), MON_OK);
    ST(mon_drift_scores, mon_drift_scores(p, q, 3, NULL, NULL), MON_E_NULL);
    ST(mon_drift_scores, mon_drift_scores(p, q, 3, NULL, (mon_drift_result *)mis(store)),
       MON_E_ALIGN);
    ST(mon_drift_scores, mon_drift_scores(p, q, 0, NULL, &res), MON_E_LENGTH);
    ST(mon_drift_scores, mon_drift_scores(zero, q, 3, NULL, &res), MON_E_EMPTY);
    ST(mon_drift_scores, mon_drift_scores(p, huge, 2, NULL, &res), MON_E_OVERFLOW);
    ST(mon_drift_scores, mon_drift_scores(p, q, 3, &badopt, &res), MON_E_VALUE);
    {
        mon_u128 contrib[3];
        ST(mon_drift_psi_bins, mon_drift_psi_bins(p, q, 3, NULL, contrib), MON_OK);
        ST(mon_drift_psi_bins, mon_drift_psi_bins(p, q, 3, NULL, NULL), MON_E_NULL);
        ST(mon_drift_psi_bins, mon_drift_psi_bins(p, q, 3, NULL, (mon_u128 *)mis(store)),
           MON_E_ALIGN);
        ST(mon_drift_psi_bins, mon_drift_psi_bins(p, q, 0, NULL, contrib), MON_E_LENGTH);
        ST(mon_drift_psi_bins, mon_drift_psi_bins(p, zero, 3, NULL, contrib), MON_E_EMPTY);
        ST(mon_drift_psi_bins, mon_drift_psi_bins(huge, q, 2, NULL, contrib), MON_E_OVERFLOW);
        ST(mon_drift_psi_bins, mon_drift_psi_bins(p, q, 3, &badopt, contrib), MON_E_VALUE);
    }
    (void)mant;
}

/* ---- misaligned arrays to record: identical histograms --------------------------------------- */
/* REQ: MON-REQ-STATUS-002, MON-REQ-CORE-006 */
static void test_misaligned_records(void)
{
    static uint64_t vals[3000], raw[3002];
    static double dv[3000];
    mon_hist *a = mk(hA, 1000, 1000000000, 6), *m = mk(hB, 1000, 1000000000, 6);
    unsigned char *p = (unsigned char *)raw + 1;
    size_t i, ba, bm;
    uint64_t x = 12345;
    uint8_t s1[MON_HIST_SERIAL_HEADER_BYTES + 12 * 2000 + 8], s2[sizeof s1];
    size_t w1, w2;
    for (i = 0; i < 3000; ++i) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        vals[i] = (x >> 33) % 2000000000u;
        dv[i] = (double)vals[i] / 1000.0 - (i % 97 == 0 ? 1e9 : 0.0);
    }
    memcpy(p, vals, sizeof vals);
    CHECK(mon_hist_record_many(a, vals, 3000) == MON_OK);
    CHECK(mon_hist_record_many(m, (const uint64_t *)(void *)p, 3000) == MON_OK);
    ba = mon_hist_record_many_i64(a, (const int64_t *)vals, 3000, MON_HIST_NS);
    bm = mon_hist_record_many_i64(m, (const int64_t *)(void *)p, 3000, MON_HIST_NS);
    CHECK(ba == bm);
    ba = mon_hist_record_many_u64(a, vals, 3000, MON_HIST_US);
    bm = mon_hist_record_many_u64(m, (const uint64_t *)(void *)p, 3000, MON_HIST_US);
    CHECK(ba == bm);
    ba = mon_hist_record_many_u64(a, vals, 3000, MON_HIST_US | MON_HIST_STRICT);
    bm = mon_hist_record_many_u64(m, (const uint64_t *)(void *)p, 3000,
                                  MON_HIST_US | MON_HIST_STRICT);
    CHECK(ba == bm);
    memcpy(p, dv, sizeof dv);
    ba = mon_hist_record_many_f64(a, dv, 3000, MON_HIST_US);
    bm = mon_hist_record_many_f64(m, (const double *)(void *)p, 3000, MON_HIST_US);
    CHECK(ba == bm && ba > 0);
    ba = mon_hist_record_many_f64(a, dv, 3000, MON_HIST_US | MON_HIST_STRICT);
    bm =
        mon_hist_record_many_f64(m, (const double *)(void *)p, 3000, MON_HIST_US | MON_HIST_STRICT);
    CHECK(ba == bm && ba > 0);
    ba = mon_hist_record_many_i64(a, (const int64_t *)dv, 3000, MON_HIST_MS | MON_HIST_STRICT);
    bm = mon_hist_record_many_i64(m, (const int64_t *)(void *)p, 3000,
                                  MON_HIST_MS | MON_HIST_STRICT);
    CHECK(ba == bm);
    CHECK(mon_hist_serialize(a, s1, sizeof s1, &w1) == MON_OK);
    CHECK(mon_hist_serialize(m, s2, sizeof s2, &w2) == MON_OK);
    CHECK(w1 == w2 && memcmp(s1, s2, w1) == 0);
}

/* ---- corrupted headers: every byte, every function ---------------------------------------- */
static uint64_t hist_calls(mon_hist *h, mon_hist *peer)
{
    uint64_t num[1] = {1}, den[1] = {2}, out[1], v = 5000, counts[MON_HIST_MAX_BUCKETS], sink = 0;
    int64_t iv = 5000;
    double dv = 5.0;
    mon_hist_stats st;
    mon_hist_config c;
    mon_hist_layout lay;
    mon_hist_bucket b;
    uint32_t cur = 0;
    int32_t ex;
    size_t wr;
    sink += (uint64_t)mon_hist_record(h, 5000);
    sink += (uint64_t)mon_hist_record(h, 0);
    sink += (uint64_t)mon_hist_record(h, UINT64_MAX);
    sink += (uint64_t)mon_hist_record_many(h, &v, 1);
    sink += (uint64_t)mon_hist_record_many_i64(h, &iv, 1, MON_HIST_US);
    sink += (uint64_t)mon_hist_record_many_u64(h, &v, 1, MON_HIST_NS);
    sink += (uint64_t)mon_hist_record_many_f64(h, &dv, 1, MON_HIST_MS);
    sink += (uint64_t)mon_hist_record_f64(h, 5.0, MON_HIST_US);
    sink += (uint64_t)mon_hist_add_invalid(h, 1);
    sink += (uint64_t)mon_hist_get_config(h, &c, &lay);
    sink += (uint64_t)mon_hist_get_stats(h, &st);
    sink += (uint64_t)mon_hist_quantiles(h, num, den, 1, out);
    sink += (uint64_t)mon_hist_count_at_or_below(h, 7000, &v, &ex);
    sink += (uint64_t)mon_hist_merge(peer, h);
    sink += (uint64_t)mon_hist_merge(h, peer);
    sink += (uint64_t)mon_hist_snapshot(h, peer);
    sink += (uint64_t)mon_hist_snapshot(peer, h);
    while (mon_hist_next_bucket(h, &cur, &b)) sink += b.count;
    sink += (uint64_t)mon_hist_copy_counts(h, counts, 1);
    sink += (uint64_t)mon_hist_serialized_size_max(h);
    sink += (uint64_t)mon_hist_serialize(h, ser, sizeof ser, &wr);
    sink += (uint64_t)mon_hist_reset(h);
    return sink;
}

/* REQ: MON-REQ-STATUS-002, MON-REQ-CORE-006 */
static void test_corrupted_headers(void)
{
    size_t off;
    int pat;
    static const uint8_t pats[3] = {0xff, 0x80, 0x01};
    /* histogram: each byte of the 128-byte header, three corruptions each */
    for (off = 0; off < MON_HIST_HEADER_BYTES; ++off) {
        for (pat = 0; pat < 3; ++pat) {
            mon_hist *h = mk(hA, 1000, 1000000000, 4), *peer = mk(hB, 1000, 1000000000, 4);
            mon_hist_stats st;
            ((uint8_t *)hA)[off] ^= pats[pat];
            (void)hist_calls(h, peer);
            /* a corrupted magic or layout field is refused by the full check (lowest and
             * highest may change into another valid configuration of the same layout) */
            if (off < 8 || (off >= 24 && off < 56)) {
                CHECK(mon_hist_get_stats(h, &st) == MON_E_STATE);
            } else if (off < 24) {
                mon_hist_config c, c0 = {1000u, 1000000000u, 4};
                mon_hist_layout lay, lay0;
                CHECK(mon_hist_layout_of(&c0, &lay0) == MON_OK);
                if (mon_hist_get_config(h, &c, &lay) == MON_OK)
                    CHECK(memcmp(&lay, &lay0, sizeof lay) == 0);
            }
        }
    }
    /* ring: each byte of the header and of slot 0's histogram header */
    {
        mon_hist_config c = {1000u, 100000u, 2};
        mon_window_config w = {10u, 0u, 4u, 0u};
        size_t need = mon_hist_ring_size(&c, &w);
        for (off = 0; off < 48 + 4 * 16 + MON_HIST_HEADER_BYTES; ++off) {
            for (pat = 0; pat < 3; ++pat) {
                mon_hist_ring *r = (mon_hist_ring *)(void *)ringbuf;
                mon_hist *dst = mk(hA, c.lowest, c.highest, c.scale), *hh;
                uint64_t late;
                if (off >= 48 && off < 48 + 4 * 16) continue; /* slot gates: sync state */
                CHECK(mon_hist_ring_init(ringbuf, need, &c, &w) == MON_OK);
                ((uint8_t *)ringbuf)[off] ^= pats[pat];
                (void)mon_hist_ring_record(r, 5, 2000);
                (void)mon_hist_ring_record_f64(r, 15, 2.0, MON_HIST_US);
                hh = mon_hist_ring_acquire(r, 25);
                if (hh) {
                    (void)mon_hist_record(hh, 3000);
                    mon_hist_ring_release(r, hh);
                }
                (void)mon_hist_ring_add_late(r, 1);
                (void)mon_hist_ring_window(r, 30, 4, dst);
                (void)mon_hist_ring_info(r, &c, &w, &late);
                c.lowest = 1000u;
                c.highest = 100000u;
                c.scale = 2;
                w.slot_ticks = 10u;
                w.start_tick = 0u;
                w.slots = 4u;
                w.flags = 0u;
                /* magic, slots, flags, hist_size, total_size: refused (slot_ticks != 0 and
                 * start_tick are any value) */
                if (off < 8 || (off >= 24 && off < 40)) {
                    CHECK(mon_hist_ring_info(r, NULL, NULL, NULL) == MON_E_STATE);
                } else if (off >= 48 + 4 * 16 &&
                           (off < 48 + 4 * 16 + 8 ||
                            (off >= 48 + 4 * 16 + 24 && off < 48 + 4 * 16 + 56))) {
                    /* slot 0's histogram: magic or layout */
                    CHECK(mon_hist_ring_info(r, &c, NULL, NULL) == MON_E_STATE);
                }
            }
        }
    }
    /* service counters: each byte of the header */
    {
        mon_service_config c = {100u, 0u, 8u, 0u};
        size_t need = mon_service_size(&c);
        for (off = 0; off < 128; ++off) {
            for (pat = 0; pat < 3; ++pat) {
                mon_service *s = (mon_service *)(void *)svcbuf;
                mon_service_counts cnt;
                mon_service_window win;
                mon_service_config got;
                CHECK(mon_service_init(svcbuf, need, &c) == MON_OK);
                ((uint8_t *)svcbuf)[off] ^= pats[pat];
                (void)mon_service_begin(s, 1000);
                (void)mon_service_ok(s, 1001);
                (void)mon_service_begin(s, 2000);
                (void)mon_service_fail(s, 2001, MON_ERR_TIMEOUT);
                (void)mon_service_begin(s, 3000);
                (void)mon_service_drop(s, 3001);
                (void)mon_service_reject(s, 4000);
                (void)mon_service_error(s, 5000, MON_ERR_INFRASTRUCTURE);
                (void)mon_service_totals(s, &cnt);
                (void)mon_service_window_counts(s, 6000, &win);
                /* magic, slots, flags, size (slot_ticks != 0 and start_tick: any value) */
                if (off < 8 || (off >= 24 && off < 40))
                    CHECK(mon_service_config_of(s, &got) == MON_E_STATE);
            }
        }
    }
    /* binner: each byte of the header and of the first table entries */
    {
        double edges[5] = {-1.0, 0.0, 1.0, 2.0, 3.0}, x[6] = {-2, 0.5, 1.5, 2.5, 3.5, 9};
        for (off = 0; off < 16 + 8 * 8; ++off) {
            for (pat = 0; pat < 3; ++pat) {
                mon_binner *b;
                const mon_binner *bs[1];
                uint64_t counts[8] = {0};
                mon_bin_extra extra = {0, 0, 0};
                CHECK(mon_binner_init(binbuf, sizeof binbuf, edges, 5, &b) == MON_OK);
                ((uint8_t *)binbuf)[off] ^= pats[pat];
                bs[0] = b;
                if (mon_binner_nbins(b) > 4) CHECK(0); /* a bin count beyond the counts */
                (void)mon_bin_count(b, x, 6, counts, &extra);
                (void)mon_bin_count_matrix(bs, 1, x, 6, 1, counts, &extra);
                if (off >= 4 && off < 12) CHECK(mon_binner_nbins(b) == 0); /* nbins, log2p */
            }
        }
    }
}

/* ---- SHA-256 and the shared-segment helpers ------------------------------------------------ */
static uint64_t shsvc[4096], shsvc2[4096];
/* REQ: MON-REQ-STATUS-002 */
static void test_sha256_shared_paths(void)
{
    mon_sha256_ctx c;
    uint8_t d[32];
    mon_service_config sc = {100u, 0u, 8u, 0u};
    mon_service *s = (mon_service *)(void *)shsvc;
    mon_service *z = (mon_service *)(void *)shsvc2; /* never initialised: zeroed */
    mon_hist *h = mk(hA, 1000u, 1000000000u, 4);
    ST(mon_sha256, mon_sha256("abc", 3, d), MON_OK);
    ST(mon_sha256, mon_sha256(NULL, 1, d), MON_E_NULL);
#if SIZE_MAX > 0x1FFFFFFFFFFFFFFFu
    /* refused before a byte is read: the length alone passes the limit */
    ST(mon_sha256, mon_sha256("a", SIZE_MAX, d), MON_E_OVERFLOW);
#endif
    ST(mon_sha256_init, mon_sha256_init(&c), MON_OK);
    ST(mon_sha256_init, mon_sha256_init(NULL), MON_E_NULL);
    ST(mon_sha256_update, mon_sha256_update(&c, "abc", 3), MON_OK);
    ST(mon_sha256_update, mon_sha256_update(&c, NULL, 1), MON_E_NULL);
    c.total = MON_SHA256_MAX_BYTES - 2u; /* two bytes from the limit (a consistent context) */
    c.used = (uint32_t)(c.total % 64u);
    ST(mon_sha256_update, mon_sha256_update(&c, "abcd", 4), MON_E_OVERFLOW);
    ST(mon_sha256_final, mon_sha256_final(&c, NULL), MON_E_NULL);
    ST(mon_sha256_final, mon_sha256_final(&c, d), MON_OK);
    ST(mon_sha256_final, mon_sha256_final(&c, d), MON_E_STATE);
    ST(mon_sha256_update, mon_sha256_update(&c, "a", 1), MON_E_STATE);

    CHECK(mon_service_init(shsvc, mon_service_size(&sc), &sc) == MON_OK);
    CHECK(h != NULL);
    ST(mon_shared_begin, mon_shared_begin(s, NULL, 5), MON_OK);
    ST(mon_shared_begin, mon_shared_begin((mon_service *)mis(shsvc), NULL, 5), MON_E_ALIGN);
    ST(mon_shared_begin, mon_shared_begin(NULL, z, 5), MON_E_STATE);
    ST(mon_shared_finish, mon_shared_finish(s, h, 5, MON_OUTCOME_OK, 0, 1000u), MON_OK);
    ST(mon_shared_finish, mon_shared_finish(NULL, h, 5, MON_OUTCOME_OK, 0, 1000u), MON_E_NULL);
    ST(mon_shared_finish, mon_shared_finish(s, h, 5, 9, 0, 1000u), MON_E_VALUE);
    ST(mon_shared_finish, mon_shared_finish(s, (mon_hist *)mis(hA), 5, MON_OUTCOME_OK, 0, 1u),
       MON_E_ALIGN);
    ST(mon_shared_finish, mon_shared_finish(z, h, 5, MON_OUTCOME_OK, 0, 1000u), MON_E_STATE);
    {
        mon_hist_config rc = {1000u, 1000000000u, 4};
        mon_window_config rw = {10u, 0u, 4u, 0u};
        mon_hist_ring *r = (mon_hist_ring *)(void *)ringbuf, *zr = (mon_hist_ring *)(void *)shsvc2;
        CHECK(mon_hist_ring_init(ringbuf, mon_hist_ring_size(&rc, &rw), &rc, &rw) == MON_OK);
        mon_service_begin(s, 5);
        ST(mon_shared_finish_ring, mon_shared_finish_ring(s, r, h, 5, MON_OUTCOME_OK, 0, 1000u),
           MON_OK);
        ST(mon_shared_finish_ring, mon_shared_finish_ring(s, NULL, h, 5, MON_OUTCOME_OK, 0, 1u),
           MON_E_NULL);
        ST(mon_shared_finish_ring, mon_shared_finish_ring(s, r, h, 5, 9, 0, 1u), MON_E_VALUE);
        ST(mon_shared_finish_ring,
           mon_shared_finish_ring(s, r, (mon_hist *)mis(hA), 5, MON_OUTCOME_OK, 0, 1u),
           MON_E_ALIGN);
        mon_service_begin(s, 5);
        ST(mon_shared_finish_ring, mon_shared_finish_ring(s, zr, h, 5, MON_OUTCOME_OK, 0, 1u),
           MON_E_STATE);
    }
}

#include "status_paths_monitor.h"
/* ---- audit ledger and binary reference ------------------------------------------------------ */
static uint64_t ledmem[(8 * 224 + 512) / 8];
static int fail_next;
static int write_cb(void *ctx, const uint8_t *b, size_t n)
{
    (void)ctx;
    (void)b;
    (void)n;
    return fail_next;
}
static uint8_t ledfile[8 * 224];

static void test_ledger_reference_paths(void)
{
    mon_ledger_genesis g;
    mon_ledger *l = NULL;
    mon_ledger_anchor a;
    mon_ledger_entry e;
    mon_ledger_report r;
    uint8_t buf[224];
    size_t sz = mon_ledger_size(8), i, n;
    uint64_t w;
    memset(&g, 0, sizeof g);
    CHECK(mon_ledger_size(0) == 0 && mon_ledger_size(MON_LEDGER_MAX_CAPACITY + 1) == 0);
    ST(mon_ledger_init, mon_ledger_init(NULL, sz, 8, &g, 0, NULL, NULL, &l), MON_E_NULL);
    ST(mon_ledger_init, mon_ledger_init(mis(ledmem), sz, 8, &g, 0, NULL, NULL, &l), MON_E_ALIGN);
    ST(mon_ledger_init, mon_ledger_init(ledmem, sz - 1, 8, &g, 0, NULL, NULL, &l), MON_E_SIZE);
    g.model_len = 1;
    g.model[0] = 0x07;
    ST(mon_ledger_init, mon_ledger_init(ledmem, sz, 8, &g, 0, NULL, NULL, &l), MON_E_VALUE);
    g.model_len = 0;
    fail_next = 1;
    ST(mon_ledger_init, mon_ledger_init(ledmem, sz, 8, &g, 0, write_cb, NULL, &l), MON_E_TRUNCATED);
    ST(mon_ledger_flush, mon_ledger_flush(l), MON_E_TRUNCATED);
    fail_next = 0;
    ST(mon_ledger_flush, mon_ledger_flush(l), MON_OK);
    ST(mon_ledger_flush, mon_ledger_flush(NULL), MON_E_NULL);
    ST(mon_ledger_flush, mon_ledger_flush((mon_ledger *)mis(ledmem)), MON_E_ALIGN);
    ST(mon_ledger_flush, mon_ledger_flush((mon_ledger *)(void *)binbuf), MON_E_STATE);
    ST(mon_ledger_init, mon_ledger_init(ledmem, sz, 2, &g, 0, write_cb, NULL, &l), MON_OK);
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_STATE, 1, (const uint8_t *)"x", 1),
       MON_OK);
    ST(mon_ledger_append, mon_ledger_append(NULL, MON_LEDGER_STATE, 1, NULL, 0), MON_E_NULL);
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_STATE, 1, NULL, 1), MON_E_NULL);
    ST(mon_ledger_append, mon_ledger_append((mon_ledger *)mis(ledmem), 1, 1, NULL, 0), MON_E_ALIGN);
    ST(mon_ledger_append, mon_ledger_append((mon_ledger *)(void *)binbuf, 1, 1, NULL, 0),
       MON_E_STATE);
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_CHECKPOINT, 1, NULL, 0), MON_E_VALUE);
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_KIND_COUNT, 1, NULL, 0), MON_E_VALUE);
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_STATE, 1, buf, 129), MON_E_SIZE);
    fail_next = 1;
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_STATE, 2, NULL, 0), MON_E_TRUNCATED);
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_STATE, 2, NULL, 0), MON_E_TRUNCATED);
    ST(mon_ledger_append, mon_ledger_append(l, MON_LEDGER_STATE, 3, NULL, 0), MON_E_OVERFLOW);
    fail_next = 0;
    ST(mon_ledger_head, mon_ledger_head(l, &a, &w), MON_OK);
    ST(mon_ledger_head, mon_ledger_head(l, NULL, &w), MON_E_NULL);
    ST(mon_ledger_head, mon_ledger_head(l, (mon_ledger_anchor *)mis(&a), &w), MON_E_ALIGN);
    ST(mon_ledger_head, mon_ledger_head((const mon_ledger *)(void *)binbuf, &a, &w), MON_E_STATE);
    ST(mon_ledger_entry_bytes, mon_ledger_entry_bytes(l, a.count - 1, buf), MON_OK);
    ST(mon_ledger_entry_bytes, mon_ledger_entry_bytes(l, 0, NULL), MON_E_NULL);
    ST(mon_ledger_entry_bytes, mon_ledger_entry_bytes((mon_ledger *)mis(ledmem), 0, buf),
       MON_E_ALIGN);
    ST(mon_ledger_entry_bytes, mon_ledger_entry_bytes((mon_ledger *)(void *)binbuf, 0, buf),
       MON_E_STATE);
    ST(mon_ledger_entry_bytes, mon_ledger_entry_bytes(l, a.count, buf), MON_E_VALUE);
    ST(mon_ledger_decode, mon_ledger_decode(buf, 224, &e), MON_OK);
    ST(mon_ledger_decode, mon_ledger_decode(NULL, 224, &e), MON_E_NULL);
    ST(mon_ledger_decode, mon_ledger_decode(buf, 224, (mon_ledger_entry *)mis(&e)), MON_E_ALIGN);
    ST(mon_ledger_decode, mon_ledger_decode(buf, 223, &e), MON_E_TRUNCATED);
    buf[200] ^= 1;
    ST(mon_ledger_decode, mon_ledger_decode(buf, 224, &e), MON_E_CHECKSUM);
    buf[0] ^= 1;
    ST(mon_ledger_decode, mon_ledger_decode(buf, 224, &e), MON_E_FORMAT);
    /* a ledger file: genesis + 3 entries (memory ledger, entries read back) */
    ST(mon_ledger_init, mon_ledger_init(ledmem, sz, 8, &g, 0, NULL, NULL, &l), MON_OK);
    for (i = 0; i < 3; ++i) (void)mon_ledger_append(l, MON_LEDGER_RULE, i, NULL, 0);
    for (i = 0; i < 4; ++i) (void)mon_ledger_entry_bytes(l, i, ledfile + 224 * i);
    (void)mon_ledger_head(l, &a, NULL);
    ST(mon_ledger_verify, mon_ledger_verify(ledfile, 4 * 224, &a, &r), MON_OK);
    ST(mon_ledger_verify, mon_ledger_verify(NULL, 224, NULL, &r), MON_E_NULL);
    ST(mon_ledger_verify, mon_ledger_verify(ledfile, 224, NULL, NULL), MON_E_NULL);
    ST(mon_ledger_verify, mon_ledger_verify(ledfile, 224, NULL, (mon_ledger_report *)mis(&r)),
       MON_E_ALIGN);
    ST(mon_ledger_verify, mon_ledger_verify(ledfile, 3 * 224, &a, &r), MON_E_TRUNCATED);
    ledfile[224 + 20] ^= 1;
    ST(mon_ledger_verify, mon_ledger_verify(ledfile, 4 * 224, NULL, &r), MON_E_CHECKSUM);
    ledfile[224] ^= 1;
    ST(mon_ledger_verify, mon_ledger_verify(ledfile, 4 * 224, NULL, &r), MON_E_FORMAT);
    /* every byte of the object header corrupted: refused or harmless, the callback never
     * called through a corrupted pointer */
    ST(mon_ledger_init, mon_ledger_init(ledmem, sz, 8, &g, 0, write_cb, NULL, &l), MON_OK);
    {
        uint8_t *h = (uint8_t *)ledmem;
        for (i = 0; i < 128; ++i) {
            uint8_t keep = h[i];
            h[i] ^= 0xA5;
            (void)mon_ledger_append(l, MON_LEDGER_HOST, 1, NULL, 0);
            (void)mon_ledger_flush(l);
            (void)mon_ledger_head(l, &a, &w);
            (void)mon_ledger_entry_bytes(l, 0, buf);
            h[i] = keep;
        }
    }
    /* binary reference: a one-feature reference built here */
    {
        static uint8_t rb[256];
        static uint64_t rm[64];
        mon_reference_info info;
        mon_reference *ref = NULL;
        mon_reference_feature f;
        uint64_t v;
        uint32_t crc;
        double edges[3] = {-1.0, 0.0, 1.0};
        memset(rb, 0, sizeof rb);
        memcpy(rb, "MONREFB", 8);
        rb[8] = 1;
        rb[12] = 1;
        rb[16] = 3; /* rows */
        n = 56;
        rb[n] = 1; /* name length */
        rb[n + 2] = 'a';
        n += 3;
        rb[n + 4] = 3; /* edges */
        n += 32;
        for (i = 0; i < 3; ++i) {
            memcpy(&v, &edges[i], 8);
            for (w = 0; w < 8; ++w) rb[n + 8 * i + w] = (uint8_t)(v >> (8 * w));
        }
        n += 24;
        rb[n] = 1;
        rb[n + 8] = 2;
        n += 16 + 36;
        mon_sha256(rb, n - 36, rb + n - 36);
        crc = mon_hist_crc32c(rb, n - 4);
        for (i = 0; i < 4; ++i) rb[n - 4 + i] = (uint8_t)(crc >> (8 * i));
        ST(mon_reference_peek, mon_reference_peek(rb, n, &info), MON_OK);
        ST(mon_reference_peek, mon_reference_peek(NULL, n, &info), MON_E_NULL);
        ST(mon_reference_peek, mon_reference_peek(rb, n, (mon_reference_info *)mis(&info)),
           MON_E_ALIGN);
        ST(mon_reference_peek, mon_reference_peek(rb, 60, &info), MON_E_TRUNCATED);
        ST(mon_reference_load, mon_reference_load(rm, sizeof rm, rb, n, &ref), MON_OK);
        ST(mon_reference_load, mon_reference_load(NULL, sizeof rm, rb, n, &ref), MON_E_NULL);
        ST(mon_reference_load, mon_reference_load(mis(rm), sizeof rm, rb, n, &ref), MON_E_ALIGN);
        ST(mon_reference_load, mon_reference_load(rm, 8, rb, n, &ref), MON_E_SIZE);
        ST(mon_reference_info_of, mon_reference_info_of(ref, &info), MON_OK);
        ST(mon_reference_info_of, mon_reference_info_of(ref, NULL), MON_E_NULL);
        ST(mon_reference_info_of, mon_reference_info_of(ref, (mon_reference_info *)mis(&info)),
           MON_E_ALIGN);
        ST(mon_reference_info_of, mon_reference_info_of((mon_reference *)(void *)binbuf, &info),
           MON_E_STATE);
        ST(mon_reference_feature_at, mon_reference_feature_at(ref, 0, &f), MON_OK);
        CHECK(f.nedges == 3 && f.counts[0] == 1 && f.counts[1] == 2 && f.edges[2] == 1.0);
        ST(mon_reference_feature_at, mon_reference_feature_at(ref, 1, &f), MON_E_VALUE);
        ST(mon_reference_feature_at, mon_reference_feature_at(NULL, 0, &f), MON_E_NULL);
        ST(mon_reference_feature_at,
           mon_reference_feature_at(ref, 0, (mon_reference_feature *)mis(&f)), MON_E_ALIGN);
        ST(mon_reference_feature_at,
           mon_reference_feature_at((mon_reference *)(void *)binbuf, 0, &f), MON_E_STATE);
        /* every byte of the loaded object corrupted: refused or views inside the object */
        for (i = 0; i < 8 * sizeof rm && i < info.need; ++i) {
            uint8_t *h = (uint8_t *)rm, keep = h[i];
            h[i] ^= 0x5A;
            if (mon_reference_feature_at(ref, 0, &f) == MON_OK) {
                CHECK((const uint8_t *)f.edges >= h &&
                      (const uint8_t *)(f.edges + f.nedges) <= h + info.need);
                CHECK((const uint8_t *)f.name >= h && (const uint8_t *)f.name < h + info.need);
            }
            (void)mon_reference_info_of(ref, &info);
            h[i] = keep;
        }
        ST(mon_reference_peek, mon_reference_peek(rb, n - 1, &info), MON_E_CHECKSUM);
        ST(mon_reference_load, mon_reference_load(rm, sizeof rm, rb, n - 1, &ref), MON_E_CHECKSUM);
        ST(mon_reference_load, mon_reference_load(rm, sizeof rm, rb, 60, &ref), MON_E_TRUNCATED);
        rb[0] = 'X';
        ST(mon_reference_peek, mon_reference_peek(rb, n, &info), MON_E_FORMAT);
        ST(mon_reference_load, mon_reference_load(rm, sizeof rm, rb, n, &ref), MON_E_FORMAT);
        rb[0] = 'M';
        edges[1] = 2.0; /* not increasing */
        memcpy(&v, &edges[1], 8);
        for (w = 0; w < 8; ++w) rb[91 + 8 + w] = (uint8_t)(v >> (8 * w));
        mon_sha256(rb, n - 36, rb + n - 36);
        crc = mon_hist_crc32c(rb, n - 4);
        for (i = 0; i < 4; ++i) rb[n - 4 + i] = (uint8_t)(crc >> (8 * i));
        ST(mon_reference_peek, mon_reference_peek(rb, n, &info), MON_E_EDGES);
        ST(mon_reference_load, mon_reference_load(rm, sizeof rm, rb, n, &ref), MON_E_EDGES);
    }
}

/* ---- rules ---------------------------------------------------------------------------------- */
static void test_rules_paths(void)
{
    static uint64_t cbuf[16], sbuf[sizeof(mon_rule_state) / 8 + 2], ebuf[8];
    mon_rule_config *cfg = (mon_rule_config *)(void *)cbuf;
    mon_rule_state *st = (mon_rule_state *)(void *)sbuf;
    mon_rule_event *ev = (mon_rule_event *)(void *)ebuf;
    uint32_t field = 99u;
    memset(cbuf, 0, sizeof cbuf);
    cfg->kind = MON_RULE_THRESHOLD;
    cfg->op = MON_RULE_GT;
    cfg->threshold = 1.0;
    ST(mon_rule_config_check, mon_rule_config_check(cfg, &field), MON_OK);
    CHECK(field == MON_RULE_FIELD_NONE);
    ST(mon_rule_config_check, mon_rule_config_check(NULL, &field), MON_E_NULL);
    ST(mon_rule_config_check, mon_rule_config_check((mon_rule_config *)mis(cbuf), &field),
       MON_E_ALIGN);
    cfg->op = 9u;
    ST(mon_rule_config_check, mon_rule_config_check(cfg, &field), MON_E_CONFIG);
    CHECK(field == MON_RULE_FIELD_OP);
    ST(mon_rule_init, mon_rule_init(cfg, st), MON_E_CONFIG);
    cfg->op = MON_RULE_GT;
    ST(mon_rule_init, mon_rule_init(cfg, st), MON_OK);
    ST(mon_rule_init, mon_rule_init(NULL, st), MON_E_NULL);
    ST(mon_rule_init, mon_rule_init(cfg, NULL), MON_E_NULL);
    ST(mon_rule_init, mon_rule_init(cfg, (mon_rule_state *)mis(sbuf)), MON_E_ALIGN);
    ST(mon_rule_init, mon_rule_init((mon_rule_config *)mis(cbuf), st), MON_E_ALIGN);
    ST(mon_rule_step, mon_rule_step(cfg, st, 5u, 2.0, ev), MON_OK);
    ST(mon_rule_step, mon_rule_step(cfg, st, 4u, 2.0, ev), MON_E_VALUE);
    ST(mon_rule_step, mon_rule_step(NULL, st, 6u, 2.0, ev), MON_E_NULL);
    ST(mon_rule_step, mon_rule_step(cfg, NULL, 6u, 2.0, ev), MON_E_NULL);
    ST(mon_rule_step, mon_rule_step(cfg, st, 6u, 2.0, NULL), MON_E_NULL);
    ST(mon_rule_step, mon_rule_step(cfg, (mon_rule_state *)mis(sbuf), 6u, 2.0, ev), MON_E_ALIGN);
    ST(mon_rule_step, mon_rule_step(cfg, st, 6u, 2.0, (mon_rule_event *)mis(ebuf)), MON_E_ALIGN);
    cfg->kind = 7u;
    ST(mon_rule_step, mon_rule_step(cfg, st, 6u, 2.0, ev), MON_E_CONFIG);
    cfg->kind = MON_RULE_THRESHOLD;
    st->phase = 3u;
    ST(mon_rule_step, mon_rule_step(cfg, st, 6u, 2.0, ev), MON_E_STATE);
    {
        static double vbuf[2];
        size_t done = 9u;
        st->phase = MON_RULE_INACTIVE;
        ST(mon_rule_step_many, mon_rule_step_many(cfg, st, 1u, 6u, vbuf, ev, &done), MON_OK);
        CHECK(done == 1u);
        ST(mon_rule_step_many, mon_rule_step_many(NULL, st, 1u, 7u, vbuf, ev, &done), MON_E_NULL);
        ST(mon_rule_step_many,
           mon_rule_step_many(cfg, st, 1u, 7u, (const double *)mis(vbuf), ev, &done), MON_E_ALIGN);
        ST(mon_rule_step_many,
           mon_rule_step_many(cfg, st, (size_t)MON_RULE_MAX_BATCH + 1u, 7u, vbuf, ev, &done),
           MON_E_SIZE);
        ST(mon_rule_step_many, mon_rule_step_many(cfg, st, 1u, 5u, vbuf, ev, &done), MON_E_VALUE);
        CHECK(done == 0u);
        cfg->kind = 7u;
        ST(mon_rule_step_many, mon_rule_step_many(cfg, st, 1u, 7u, vbuf, ev, &done), MON_E_CONFIG);
        cfg->kind = MON_RULE_THRESHOLD;
        st->phase = 3u;
        ST(mon_rule_step_many, mon_rule_step_many(cfg, st, 1u, 7u, vbuf, ev, &done), MON_E_STATE);
        st->phase = MON_RULE_INACTIVE;
    }
}

int main(void)
{
    test_hist_paths();
    test_ring_paths();
    test_service_paths();
    test_bin_select_drift_paths();
    test_misaligned_records();
    test_corrupted_headers();
    test_ledger_reference_paths();
    test_sha256_shared_paths();
    test_monitor_policy_paths();
    test_rules_paths();
    MON_TEST_MAIN_END();
}
