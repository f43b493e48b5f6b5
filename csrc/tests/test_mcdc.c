/* MC/DC closing tests (make -C csrc mcdc): each case toggles one condition of a decision in
 * mon_bin, mon_hist recording and quantiles, or mon_drift while the others hold, so clang's
 * -fcoverage-mcdc sees its independence pair. Everything is checked through the public API
 * (plus mon_hist_internal.h's layout to build one reachable saturated state). */
#include <stdint.h>
#include <string.h>

#include "mon_hist_internal.h"
#include "monitor.h"
#include "mon_test.h"

static uint64_t bbuf[64]; /* binner memory */
static uint64_t abuf[64]; /* scratch for misaligned pointers */
static unsigned char *mis(void) { return (unsigned char *)abuf + 1; } /* misaligned for all */

/* The binner's header as mon_bin.c lays it out: magic, nbins, log2p, reserved (uint32), thr[]. */
static uint32_t *hdr(void) { return (uint32_t *)(void *)bbuf; }
static uint64_t *thr(void) { return bbuf + 2; }

static mon_binner *fresh_binner(void)
{
    static const double e[3] = {0.0, 1.0, 2.0}; /* 2 bins, P = 8, log2p = 3 */
    mon_binner *b = NULL;
    CHECK_STATUS(mon_binner_init(bbuf, sizeof bbuf, e, 3, &b), MON_OK);
    return b;
}

static void test_bin(void)
{
    static const double e[3] = {0.0, 1.0, 2.0};
    static const double x[2] = {0.5, 1.5};
    static const int64_t codes[1] = {0};
    mon_binner *b = NULL, *b2;
    const mon_binner *list[1];
    uint64_t counts[4] = {0}, unseen = 0;
    mon_bin_extra ex[1];
    uint32_t save;
    memset(ex, 0, sizeof ex);
    /* init: out NULL alone; out misaligned alone */
    CHECK_STATUS(mon_binner_init(bbuf, sizeof bbuf, e, 3, NULL), MON_E_NULL);
    CHECK_STATUS(mon_binner_init(bbuf, sizeof bbuf, e, 3, (mon_binner **)(void *)mis()),
                 MON_E_ALIGN);
    /* nbins(): NULL and misaligned binners are 0 bins */
    CHECK(mon_binner_nbins(NULL) == 0);
    CHECK(mon_binner_nbins((const mon_binner *)(const void *)mis()) == 0);
    b = fresh_binner();
    CHECK(mon_binner_nbins(b) == 2);
    /* header corruptions, one field each */
    save = hdr()[2];
    hdr()[2] = 1u; /* log2p < 2 */
    CHECK(mon_binner_nbins(b) == 0);
    hdr()[2] = 4u; /* log2p one too large for 2 bins: P/2 = 8 >= nbins + 4 */
    CHECK(mon_binner_nbins(b) == 0);
    hdr()[2] = save;
    save = hdr()[1];
    hdr()[1] = 0u; /* nbins == 0 */
    CHECK(mon_binner_nbins(b) == 0);
    hdr()[1] = save;
    thr()[3] = UINT64_MAX; /* thr[nbins + 1] above NANPLUS, the other fixed entries intact */
    CHECK(mon_binner_nbins(b) == 0);
    b = fresh_binner();
    /* mon_bin_count: each pointer NULL alone, extra misaligned alone */
    CHECK_STATUS(mon_bin_count(NULL, x, 2, counts, ex), MON_E_NULL);
    CHECK_STATUS(mon_bin_count(b, x, 2, NULL, ex), MON_E_NULL);
    CHECK_STATUS(mon_bin_count(b, x, 2, counts, NULL), MON_E_NULL);
    CHECK_STATUS(mon_bin_count(b, NULL, 0, counts, ex), MON_OK);
    CHECK_STATUS(mon_bin_count(b, NULL, 1, counts, ex), MON_E_NULL);
    CHECK_STATUS(mon_bin_count(b, x, 2, counts, (mon_bin_extra *)(void *)mis()), MON_E_ALIGN);
    CHECK_STATUS(mon_bin_count(b, x, 2, (uint64_t *)(void *)mis(), ex), MON_E_ALIGN);
    CHECK_STATUS(mon_bin_count(b, x, 2, counts, ex), MON_OK);
    CHECK(counts[0] == 1 && counts[1] == 1);
    /* matrix: each pointer NULL alone, x NULL with and without rows, each alignment alone */
    b2 = b;
    list[0] = b2;
    CHECK_STATUS(mon_bin_count_matrix(NULL, 1, x, 2, 1, counts, ex), MON_E_NULL);
    CHECK_STATUS(mon_bin_count_matrix(list, 1, x, 2, 1, NULL, ex), MON_E_NULL);
    CHECK_STATUS(mon_bin_count_matrix(list, 1, x, 2, 1, counts, NULL), MON_E_NULL);
    CHECK_STATUS(mon_bin_count_matrix(list, 1, NULL, 2, 1, counts, ex), MON_E_NULL);
    CHECK_STATUS(mon_bin_count_matrix(list, 1, NULL, 0, 1, counts, ex), MON_OK);
    CHECK_STATUS(mon_bin_count_matrix((const mon_binner *const *)(const void *)mis(), 1, x, 2, 1,
                                      counts, ex),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_bin_count_matrix(list, 1, x, 2, 1, (uint64_t *)(void *)mis(), ex),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_bin_count_matrix(list, 1, x, 2, 1, counts, (mon_bin_extra *)(void *)mis()),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_bin_count_matrix(list, 1, x, 2, 1, counts, ex), MON_OK);
    CHECK(counts[0] == 2 && counts[1] == 2);
    /* codes: unseen NULL alone, codes NULL with and without values, counts misaligned alone */
    CHECK_STATUS(mon_bin_count_codes(codes, 1, counts, 2, NULL), MON_E_NULL);
    CHECK_STATUS(mon_bin_count_codes(NULL, 1, counts, 2, &unseen), MON_E_NULL);
    CHECK_STATUS(mon_bin_count_codes(NULL, 0, counts, 2, &unseen), MON_OK);
    CHECK_STATUS(mon_bin_count_codes(codes, 1, (uint64_t *)(void *)mis(), 2, &unseen), MON_E_ALIGN);
    CHECK_STATUS(mon_bin_count_codes(codes, 1, counts, 2, &unseen), MON_OK);
    CHECK(counts[0] == 3 && unseen == 0);
}

static uint64_t hbuf[(MON_HIST_HEADER_BYTES / 8) + MON_HIST_MAX_BUCKETS];
static uint64_t big[(1u << 20) + 8];

static void test_hist(void)
{
    mon_hist_config cfg = {1000u, 1000000000u, 3};
    mon_hist_config wide = {1u, UINT64_MAX, 8}; /* MON_HIST_MAX_BUCKETS buckets */
    mon_hist *h = (mon_hist *)(void *)hbuf;
    int32_t idx;
    int64_t iv[3] = {-1, 5000, INT64_MAX};
    uint64_t num[2] = {1, 1}, den[2] = {2, 1}, out[2] = {0, 0};
    mon_hist_stats s;
    size_t i;
    CHECK_STATUS(mon_hist_index_of(-1, 5, &idx), MON_E_CONFIG);
    CHECK_STATUS(mon_hist_init(hbuf, sizeof hbuf, NULL), MON_E_NULL);
    /* the batch table is skipped for a histogram with more buckets than it holds */
    CHECK_STATUS(mon_hist_init(hbuf, sizeof hbuf, &wide), MON_OK);
    for (i = 0; i < 4096; ++i) big[i] = (uint64_t)i * 977u + 1u;
    CHECK_STATUS(mon_hist_record_many(h, big, 4096), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(h, &s), MON_OK);
    CHECK(s.count == 4096 && s.min == 1u && s.max == 4095u * 977u + 1u);
    /* a batch long enough to publish before its end (pending >= BATCH_MAX_VALUES) */
    CHECK_STATUS(mon_hist_init(hbuf, sizeof hbuf, &cfg), MON_OK);
    for (i = 0; i < sizeof big / sizeof big[0]; ++i) big[i] = 2000u + (uint64_t)(i & 1023u);
    CHECK_STATUS(mon_hist_record_many(h, big, sizeof big / sizeof big[0]), MON_OK);
    CHECK_STATUS(mon_hist_get_stats(h, &s), MON_OK);
    CHECK(s.count == sizeof big / sizeof big[0] && s.min == 2000u && s.max == 3023u);
    /* array recorders: values NULL with n > 0 alone; negative and too-large int64 apart */
    CHECK(mon_hist_record_many_i64(h, NULL, 1, MON_HIST_NS) == MON_HIST_NOT_RECORDED);
    CHECK(mon_hist_record_many_i64(h, NULL, 0, MON_HIST_NS) == 0);
    CHECK(mon_hist_record_many_i64(h, iv, 3, MON_HIST_MS) == 2); /* -1 and INT64_MAX ms */
    CHECK(mon_hist_record_many_i64(h, iv, 3, MON_HIST_MS | MON_HIST_STRICT) == 2);
    CHECK(mon_hist_record_many_i64(h, iv + 1, 1, MON_HIST_MS | MON_HIST_STRICT) == 0);
    /* quantiles: n == 0 with NULL arrays; each array NULL alone; each alignment alone */
    CHECK_STATUS(mon_hist_quantiles(h, NULL, NULL, 0, NULL), MON_OK);
    CHECK_STATUS(mon_hist_quantiles(h, num, NULL, 2, out), MON_E_NULL);
    CHECK_STATUS(mon_hist_quantiles(h, num, den, 2, NULL), MON_E_NULL);
    CHECK_STATUS(mon_hist_quantiles(h, (const uint64_t *)(const void *)mis(), den, 2, out),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_hist_quantiles(h, num, (const uint64_t *)(const void *)mis(), 2, out),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_hist_quantiles(h, num, den, 2, out), MON_OK);
    CHECK(out[0] >= 2000u && out[1] == 5000000000u);
    /* More than 2^64 values in total (reachable by merging saturated histograms): the running
     * sum of bucket counts carries, and every later rank lies in the carried part. */
    CHECK_STATUS(mon_hist_init(hbuf, sizeof hbuf, &cfg), MON_OK);
    h->counts[0] = UINT64_C(1) << 63;
    h->counts[1] = (UINT64_C(1) << 63) + 5u;
    h->counts[2] = 7u;
    h->total = UINT64_MAX; /* saturated */
    h->min = 1000u;
    h->max = 2000000u;
    num[0] = 1;
    den[0] = 1;
    CHECK_STATUS(mon_hist_quantiles(h, num, den, 1, out), MON_OK);
    CHECK(out[0] >= 1000u && out[0] <= 2000000u);
}

static void test_drift(void)
{
    uint64_t p[3] = {5, 0, 3}, q[3] = {4, 4, 0};
    mon_u128 raw, num, den, js;
    uint64_t dist;
    mon_drift_result r;
    CHECK_STATUS(mon_drift_tv(p, q, 3, &raw, &num, &den), MON_OK);
    CHECK_STATUS(mon_drift_tv(p, (const uint64_t *)(const void *)mis(), 3, &raw, &num, &den),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_drift_tv(p, q, 3, (mon_u128 *)(void *)mis(), &num, &den), MON_E_ALIGN);
    CHECK_STATUS(mon_drift_tv(p, q, 3, &raw, (mon_u128 *)(void *)mis(), &den), MON_E_ALIGN);
    CHECK_STATUS(mon_drift_tv(p, q, 3, &raw, &num, (mon_u128 *)(void *)mis()), MON_E_ALIGN);
    CHECK_STATUS(mon_drift_js(p, q, 3, (mon_u128 *)(void *)mis(), &dist), MON_E_ALIGN);
    CHECK_STATUS(mon_drift_js(p, q, 3, &js, (uint64_t *)(void *)mis()), MON_E_ALIGN);
    CHECK_STATUS(mon_drift_js(p, q, 3, &js, &dist), MON_OK);
    CHECK_STATUS(mon_drift_scores(p, q, 3, NULL, &r), MON_OK);
    CHECK(r.total_actual == 8 && r.total_expected == 8);
    {
        /* the expected total alone above 2^53 (each count within it) */
        uint64_t a[2] = {1, 1}, e[2] = {UINT64_C(1) << 53, 1};
        CHECK_STATUS(mon_drift_tv(a, e, 2, &raw, NULL, NULL), MON_E_OVERFLOW);
    }
    {
        /* the same proportions under the floor rule: every bin's smoothed shares are equal, so
         * each PSI term is exactly 0 (and so is the PSI) */
        uint64_t a[2] = {1, 2}, e[2] = {2, 4};
        mon_psi_options o;
        mon_u128 psi;
        o.smoothing = MON_PSI_FLOOR;
        o.eps_mant = 1;
        o.eps_exp2 = -20;
        CHECK_STATUS(mon_drift_psi(a, e, 2, &o, &psi), MON_OK);
        CHECK(psi.hi == 0 && psi.lo == 0);
        CHECK_STATUS(mon_drift_psi(p, p, 3, NULL, &psi), MON_OK); /* identical: every term 0 */
        CHECK(psi.hi == 0 && psi.lo == 0);
    }
    {
        /* A tiny JS (shares 2^-52 apart) keeps its relative precision as mon_drift_fp. JS ~ d^2 / (2 ln 2) with d = 1/(2a+1) ~ 2^-52: ~2^-104.5. */
        uint64_t a = UINT64_C(1) << 51;
        uint64_t pa[2], qa[2];
        mon_drift_fp jf, df;
        pa[0] = a;
        pa[1] = a + 1u;
        qa[0] = a + 1u;
        qa[1] = a;
        CHECK_STATUS(mon_drift_js_fp(pa, qa, 2, &jf, &df), MON_OK);
        CHECK(jf.mant >> 63 == 1u && jf.exp2 + 64 >= -106 && jf.exp2 + 64 <= -103);
        CHECK(df.mant >> 63 == 1u && df.exp2 + 64 >= -54 && df.exp2 + 64 <= -51);
    }
    {
        /* JS ~ 2^-158.5 (shares 1/(A B) apart at totals A = 2^52, B = 2^52 - 1): the accumulator
         * has fewer bits than bitlen(D) + 126, so js_fp_finish shifts it left (limbs_shl) before
         * the second division. Expected values from mpmath (600 bits), top 24 bits of the
         * truncated mantissas. */
        uint64_t pa[2], qa[2];
        mon_drift_fp jf, df;
        pa[0] = (UINT64_C(1) << 52) - 1u;
        pa[1] = 1u;
        qa[0] = (UINT64_C(1) << 52) - 2u;
        qa[1] = 1u;
        CHECK_STATUS(mon_drift_js_fp(pa, qa, 2, &jf, &df), MON_OK);
        CHECK(jf.exp2 + 64 == -158 && (jf.mant >> 40) == 12102203u);
        CHECK(df.exp2 + 64 == -79 && (df.mant >> 40) == 14249255u);
    }
    {
        /* JS ~ 2^-177.5 where that left shift is a whole limb (64 bits: limbs_shl's bits == 0
         * side). a B - b A = 1 with A = 2^52, c = 7086607, B = -c^-1 mod A; mpmath as above. */
        uint64_t pa[2], qa[2];
        mon_drift_fp jf, df;
        pa[0] = (UINT64_C(1) << 52) - UINT64_C(7086607);
        pa[1] = UINT64_C(7086607);
        qa[0] = UINT64_C(1332919529075219);
        qa[1] = UINT64_C(2097406);
        CHECK_STATUS(mon_drift_js_fp(pa, qa, 2, &jf, &df), MON_OK);
        CHECK(jf.exp2 + 64 == -177 && (jf.mant >> 40) == 10221336u);
        CHECK(df.exp2 + 64 == -88 && (df.mant >> 40) == 9259740u);
    }
}

int main(void)
{
    test_bin();
    test_hist();
    test_drift();
    MON_TEST_MAIN_END();
}
