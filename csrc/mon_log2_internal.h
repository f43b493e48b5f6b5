/*
 * mon_log2_internal.h - the fixed-point base-2 logarithm of the drift metrics (2^-64 units):
 * table reduction plus an 8-term series, in exact integer arithmetic (docs/drift_metrics.md).
 * static inline: the drift pass calls it per bin and inlines it there (mon_drift.c); the public
 * mon_drift_log2_u64 (mon_log2.c) is the same function. Internal; not part of the API.
 */
#ifndef MON_LOG2_INTERNAL_H
#define MON_LOG2_INTERNAL_H

#include "mon_drift_internal.h"
#include "mon_wide_internal.h"

/* The Estrin evaluation below is written for this term count (the generator checks it). */
MON_STATIC_ASSERT(MON_DRIFT_LOG_NTERMS == 8, log_terms);

/* log2(m * 2^(e - 63)) in 2^-64 units, for m in [2^63, 2^64). Table reduction by the 8 bits
 * after the leading one (x * R[i] in [1, 1 + 2^-8)), then an 8-term series for log2(1 + y),
 * all unsigned (every Estrin bracket stays positive because y < 2^-8). */
static inline mon_u128 mon_log2_norm(uint64_t m, unsigned e)
{
    unsigned i =
        (unsigned)(m >> (63 - MON_DRIFT_LOG_TABLE_BITS)) & ((1u << MON_DRIFT_LOG_TABLE_BITS) - 1u);
    uint64_t zh, zl, y, y2, y4, y6, e0, e1, e2, e3, h, frac, sum;
    mon_u128 r;
    mon_w_mul64(m, mon_drift_log_r[i], &zh, &zl);
    /* z = x r in 2^-126 units, z in [2^126, 2^126 (1 + 2^-8)): y = (z - 2^126) in 2^-72 units */
    zh -= UINT64_C(1) << 62;
    y = (zh << 10) | (zl >> 54);
    /* Estrin's scheme (independent products, short dependency chain), unsigned throughout:
     * log2(1+y) = y * sum_j y^(2j) (c_(2j+1) - c_(2j+2) y), every bracket positive. */
    y2 = mon_w_mulhi64(y, y) >> 8; /* y^2 in 2^-72 units */
    y4 = mon_w_mulhi64(y2, y2) >> 8;
    y6 = mon_w_mulhi64(y4, y2) >> 8;
    e0 = mon_drift_log_c[0] - (mon_w_mulhi64(y, mon_drift_log_c[1]) >> 8);
    e1 = mon_drift_log_c[2] - (mon_w_mulhi64(y, mon_drift_log_c[3]) >> 8);
    e2 = mon_drift_log_c[4] - (mon_w_mulhi64(y, mon_drift_log_c[5]) >> 8);
    e3 = mon_drift_log_c[6] - (mon_w_mulhi64(y, mon_drift_log_c[7]) >> 8);
    h = e0 + (mon_w_mulhi64(y2, e1) >> 8) + (mon_w_mulhi64(y4, e2) >> 8) +
        (mon_w_mulhi64(y6, e3) >> 8);
    frac = mon_w_mulhi64(y, h) >> 6;
    sum = mon_drift_log_t[i] + frac;
    r.hi = (uint64_t)e + (sum < frac);
    r.lo = sum;
    return r;
}

/* log2(x) in 2^-64 units (0 for x == 0); the public mon_drift_log2_u64 (mon_log2.c) is this. */
static inline mon_u128 mon_log2_u64(uint64_t x)
{
    unsigned lz;
    if (x == 0) return mon_u128_make(0, 0);
    lz = mon_w_clz64(x);
    return mon_log2_norm(x << lz, 63u - lz);
}

/* log2 of a 128-bit integer >= 1: mantissa rounded to 64 bits (relative error <= 2^-64). */
static inline mon_u128 mon_log2_u128(mon_u128 x)
{
    unsigned b, e;
    uint64_t m, round_bit;
    mon_u128 t;
    if (x.hi == 0) return mon_log2_u64(x.lo);
    b = mon_u128_bitlen(x);
    e = b - 1;
    t = mon_u128_shr(x, b - 64);
    m = t.lo;
    round_bit = mon_u128_shr(x, b - 65).lo & 1u;
    m += round_bit;
    if (m == 0) {
        m = UINT64_C(1) << 63;
        ++e;
    }
    return mon_log2_norm(m, e);
}

#endif /* MON_LOG2_INTERNAL_H */
