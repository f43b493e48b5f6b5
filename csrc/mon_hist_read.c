/*
 * mon_hist_read.c - reading a latency histogram: stats, quantiles, counts, merge, snapshot,
 * reset, bucket iteration and the error bound (see mon_hist.h). Safe against concurrent
 * recorders as mon_hist.h's concurrency note says.
 */
#include <string.h>

#include "mon_atomic_internal.h"
#include "mon_hist.h"
#include "mon_hist_internal.h"
#include "mon_wide_internal.h"

#define MAX_QUANTILES ((size_t)MON_HIST_MAX_QUANTILES)

/* Loads of counters that recorders update concurrently (csrc/mon_atomic_internal.h). */
static inline uint64_t ld_acq(const uint64_t *p) { return mon_atomic_load_acquire(p); }
static inline uint64_t ld_rlx(const uint64_t *p) { return mon_atomic_load(p); }

/* ---- reading ----------------------------------------------------------------------------- */
mon_status mon_hist_get_config(const mon_hist *h, mon_hist_config *cfg, mon_hist_layout *layout)
{
    mon_status st = mon_hist_check(h);
    if (st != MON_OK) return st;
    if (!MON_ALIGNED_U64(cfg) || !MON_ALIGNED_U64(layout)) return MON_E_ALIGN;
    if (cfg) {
        cfg->lowest = h->lowest;
        cfg->highest = h->highest;
        cfg->scale = h->scale;
    }
    if (layout) {
        layout->scale = h->scale;
        layout->index_lo = h->index_lo;
        layout->index_hi = h->index_hi;
        layout->buckets = h->buckets;
        layout->range_lo = h->range_lo;
        layout->range_hi = h->range_hi;
    }
    return MON_OK;
}

/* Saturating sum of counts[0..n): four 128-bit accumulators (no per-step saturation chain). */
static uint64_t sum_counts(const mon_hist *h, uint32_t n)
{
    uint64_t lo[4] = {0, 0, 0, 0}, hi = 0, total;
    uint32_t k = 0;
    int j;
    for (; k + 4u <= n; k += 4u) {
        for (j = 0; j < 4; ++j) {
            uint64_t c = ld_acq(&h->counts[k + (uint32_t)j]);
            lo[j] += c;
            hi += (uint64_t)(lo[j] < c);
        }
    }
    for (; k < n; ++k) {
        uint64_t c = ld_acq(&h->counts[k]);
        lo[0] += c;
        hi += (uint64_t)(lo[0] < c);
    }
    total = 0;
    for (j = 0; j < 4; ++j) {
        total += lo[j];
        hi += (uint64_t)(total < lo[j]);
    }
    return hi ? UINT64_MAX : total;
}

/* The total first (acquire): every value it counts is then visible in the other fields. */
static void read_stats(const mon_hist *h, mon_hist_stats *s)
{
    s->count = ld_acq(&h->total);
    s->underflow = ld_rlx(&h->underflow);
    s->overflow = ld_rlx(&h->overflow);
    s->invalid = ld_rlx(&h->invalid);
    s->min = ld_rlx(&h->min);
    s->max = ld_rlx(&h->max);
    s->sum_hi = ld_rlx(&h->sum_hi);
    s->sum_lo = ld_rlx(&h->sum_lo);
}

mon_status mon_hist_get_stats(const mon_hist *h, mon_hist_stats *out)
{
    mon_status st = mon_hist_check(h);
    if (st != MON_OK) return st;
    if (!out) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out)) return MON_E_ALIGN;
    read_stats(h, out);
    return MON_OK;
}

uint64_t mon_hist_representative(uint64_t a, uint64_t b)
{
    /* Largest q in [0, d] with q (a + b) <= a d, i.e. b q <= a (d - q): r0 = a + q is the floor
     * of 2ab / (a + b), the real minimiser; then the better of r0 and r0 + 1. */
    uint64_t d = b - a, lo = 0, hi = d, r0, r1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1u) / 2u;
        if (mon_u128_cmp(mon_u128_mul64(b, mid), mon_u128_mul64(a, d - mid)) <= 0) {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    r0 = a + lo;
    if (r0 == b) return r0;
    r1 = r0 + 1u;
    /* err(r0) = (b - r0) / b, err(r1) = (r1 - a) / a */
    if (mon_u128_cmp(mon_u128_mul64(r1 - a, b), mon_u128_mul64(b - r0, a)) < 0) return r1;
    return r0;
}

mon_status mon_hist_quantiles(const mon_hist *h, const uint64_t *num, const uint64_t *den, size_t n,
                              uint64_t *out)
{
    uint64_t rank[MAX_QUANTILES];
    uint8_t order[MAX_QUANTILES];
    uint64_t cum_lo, cum_hi = 0, mn, mx, total, under;
    uint32_t k;
    size_t q, next = 0;
    mon_status st = mon_hist_check(h);
    if (st != MON_OK) return st;
    if (n && (!num || !den || !out)) return MON_E_NULL;
    if (!MON_ALIGNED_U64(num) || !MON_ALIGNED_U64(den) || !MON_ALIGNED_U64(out)) return MON_E_ALIGN;
    if (n > MAX_QUANTILES) return MON_E_LENGTH;
    for (q = 0; q < n; ++q) {
        if (den[q] == 0 || num[q] > den[q]) return MON_E_VALUE;
    }
    total = ld_acq(&h->total);
    under = ld_rlx(&h->underflow);
    if (total == 0) return MON_E_EMPTY;
    for (q = 0; q < n; ++q) { /* ranks, and their order by insertion sort (n <= 64) */
        mon_u128 prod = mon_u128_mul64(num[q], total); /* < den * 2^64: the quotient fits */
        uint64_t rem, r = mon_w_div128_64(prod.hi, prod.lo, den[q], &rem);
        size_t p = q;
        if (rem) ++r;
        rank[q] = r ? r : 1u;
        while (p > 0 && rank[order[p - 1]] > rank[q]) {
            order[p] = order[p - 1];
            --p;
        }
        order[p] = (uint8_t)q;
    }
    mn = ld_rlx(&h->min);
    while (next < n && rank[order[next]] <= under) out[order[next++]] = mn;
    cum_lo = under;
    for (k = 0; k < h->buckets && next < n; ++k) {
        uint64_t c = ld_rlx(&h->counts[k]);
        if (c == 0) continue;
        cum_lo += c;
        cum_hi += (uint64_t)(cum_lo < c);
        if (cum_hi || rank[order[next]] <= cum_lo) {
            int32_t i = h->index_lo + (int32_t)k;
            uint64_t r = mon_hist_representative(mon_hist_threshold_at(h->scale, i - 1) + 1u,
                                                 mon_hist_threshold_at(h->scale, i));
            /* min/max were published before this count: load them now for the clamp */
            mn = ld_rlx(&h->min);
            mx = ld_rlx(&h->max);
            r = r < mn ? mn : (r > mx ? mx : r);
            while (next < n && (cum_hi || rank[order[next]] <= cum_lo)) out[order[next++]] = r;
        }
    }
    mx = ld_rlx(&h->max);
    while (next < n) out[order[next++]] = mx; /* overflow ranks */
    return MON_OK;
}

mon_status mon_hist_count_at_or_below(const mon_hist *h, uint64_t v, uint64_t *out, int32_t *exact)
{
    mon_hist_stats s;
    uint64_t res;
    uint32_t k, upto;
    int32_t ex;
    mon_status st = mon_hist_check(h);
    if (st != MON_OK) return st;
    if (!out || !exact) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out) || !MON_ALIGNED_U32(exact)) return MON_E_ALIGN;
    read_stats(h, &s);
    if (s.count == 0 || v < s.min) {
        *out = 0;
        *exact = 1;
        return MON_OK;
    }
    if (v >= s.max) {
        *out = s.count;
        *exact = 1;
        return MON_OK;
    }
    if (v < h->range_lo) {
        *exact = v == h->range_lo - 1u;
        *out = *exact ? s.underflow : 0;
        return MON_OK;
    }
    res = s.underflow;
    if (v > h->range_hi) {
        upto = h->buckets;
        ex = 0;
    } else {
        int32_t i = mon_hist_index_at(h->scale, v);
        ex = mon_hist_threshold_at(h->scale, i) == v;
        upto = (uint32_t)(i - h->index_lo) + (ex ? 1u : 0u);
    }
    for (k = 0; k < upto; ++k) res = mon_sat_sum(res, ld_acq(&h->counts[k]));
    *out = res;
    *exact = ex;
    return MON_OK;
}

mon_status mon_hist_merge(mon_hist *dst, const mon_hist *src)
{
    uint32_t k;
    uint64_t slo, shi, lo, tlo, thi;
    mon_status st;
    if (!dst || !src) return MON_E_NULL;
    st = mon_hist_check(dst);
    if (st == MON_OK) st = mon_hist_check(src);
    if (st != MON_OK) return st;
    if (!mon_hist_same_config(dst, src)) return MON_E_MISMATCH;
    (void)ld_acq(&src->total); /* synchronise with src's recorders before reading the rest */
    tlo = 0;
    thi = 0;
    for (k = 0; k < dst->buckets; ++k) {
        /* dst == src (doubling) reads every value once before writing it */
        uint64_t a = dst->counts[k], x = a + ld_rlx(&src->counts[k]);
        x |= (uint64_t)0 - (uint64_t)(x < a);
        dst->counts[k] = x;
        tlo += x;
        thi += (uint64_t)(tlo < x);
    }
    dst->underflow = mon_sat_sum(dst->underflow, ld_rlx(&src->underflow));
    dst->overflow = mon_sat_sum(dst->overflow, ld_rlx(&src->overflow));
    /* the total of what was actually merged (src may be recorded to meanwhile) */
    dst->total = mon_sat_sum(mon_sat_sum(thi ? UINT64_MAX : tlo, dst->underflow), dst->overflow);
    dst->invalid = mon_sat_sum(dst->invalid, ld_rlx(&src->invalid));
    {
        uint64_t m = ld_rlx(&src->min), x = ld_rlx(&src->max);
        if (m < dst->min) dst->min = m;
        if (x > dst->max) dst->max = x;
    }
    slo = ld_rlx(&src->sum_lo);
    shi = ld_rlx(&src->sum_hi);
    lo = dst->sum_lo + slo;
    {
        uint64_t hi = dst->sum_hi + shi, hi2;
        int over = hi < shi;
        hi2 = hi + (uint64_t)(lo < slo);
        over |= hi2 < hi;
        dst->sum_hi = over ? UINT64_MAX : hi2;
        dst->sum_lo = over ? UINT64_MAX : lo;
    }
    return MON_OK;
}

mon_status mon_hist_snapshot(const mon_hist *src, mon_hist *dst)
{
    uint32_t k;
    mon_status st;
    if (!dst || !src) return MON_E_NULL;
    st = mon_hist_check(dst);
    if (st == MON_OK) st = mon_hist_check(src);
    if (st != MON_OK) return st;
    if (!mon_hist_same_config(dst, src)) return MON_E_MISMATCH;
    if (dst == src) return MON_OK;
    (void)ld_acq(&src->total);
    for (k = 0; k < src->buckets; ++k) dst->counts[k] = ld_rlx(&src->counts[k]);
    dst->underflow = ld_rlx(&src->underflow);
    dst->overflow = ld_rlx(&src->overflow);
    dst->total =
        mon_sat_sum(mon_sat_sum(sum_counts(dst, dst->buckets), dst->underflow), dst->overflow);
    dst->invalid = ld_rlx(&src->invalid);
    dst->min = ld_rlx(&src->min);
    dst->max = ld_rlx(&src->max);
    dst->sum_hi = ld_rlx(&src->sum_hi);
    dst->sum_lo = ld_rlx(&src->sum_lo);
    return MON_OK;
}

mon_status mon_hist_reset(mon_hist *h)
{
    mon_status st = mon_hist_check(h);
    if (st != MON_OK) return st;
    mon_hist_clear(h);
    return MON_OK;
}

int32_t mon_hist_next_bucket(const mon_hist *h, uint32_t *cursor, mon_hist_bucket *out)
{
    uint32_t k;
    if (mon_hist_check(h) != MON_OK || !cursor || !out) return 0;
    if (!MON_ALIGNED_U32(cursor) || !MON_ALIGNED_U64(out)) return 0;
    for (k = *cursor; k < h->buckets; ++k) {
        uint64_t c = ld_acq(&h->counts[k]);
        if (c) {
            int32_t i = h->index_lo + (int32_t)k;
            out->index = i;
            out->lower = mon_hist_threshold_at(h->scale, i - 1);
            out->upper = mon_hist_threshold_at(h->scale, i);
            out->count = c;
            *cursor = k + 1u;
            return 1;
        }
    }
    *cursor = h->buckets;
    return 0;
}

mon_status mon_hist_copy_counts(const mon_hist *h, uint64_t *out, size_t n)
{
    uint32_t k;
    mon_status st = mon_hist_check(h);
    if (st != MON_OK) return st;
    if (!out) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out)) return MON_E_ALIGN;
    if (n != h->buckets) return MON_E_LENGTH;
    for (k = 0; k < h->buckets; ++k) out[k] = ld_acq(&h->counts[k]);
    return MON_OK;
}

mon_status mon_hist_error_bound(const mon_hist_config *cfg, uint64_t *num, uint64_t *den)
{
    mon_hist_layout lay;
    int32_t i;
    uint64_t bn = 0, bd = 1;
    mon_status st;
    if (!num || !den) return MON_E_NULL;
    if (!MON_ALIGNED_U64(num) || !MON_ALIGNED_U64(den)) return MON_E_ALIGN;
    st = mon_hist_layout_of(cfg, &lay);
    if (st != MON_OK) return st;
    for (i = lay.index_lo; i <= lay.index_hi; ++i) {
        uint64_t a = mon_hist_threshold_at(lay.scale, i - 1) + 1u,
                 b = mon_hist_threshold_at(lay.scale, i), r, en, ed;
        if (a > b) continue; /* no integer in this bucket */
        r = mon_hist_representative(a, b);
        if (mon_u128_cmp(mon_u128_mul64(r - a, b), mon_u128_mul64(b - r, a)) >= 0) {
            en = r - a;
            ed = a;
        } else {
            en = b - r;
            ed = b;
        }
        if (mon_u128_cmp(mon_u128_mul64(en, bd), mon_u128_mul64(bn, ed)) > 0) {
            bn = en;
            bd = ed;
        }
    }
    *num = bn;
    *den = bd;
    return MON_OK;
}
