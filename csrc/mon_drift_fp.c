/*
 * The Jensen-Shannon divergence and distance as binary floating values (mon_drift_fp, relative
 * accuracy; see mon_drift.h and docs/drift_metrics.md) from the exact JS accumulator of
 * mon_drift.c: the accumulator is divided again when the rounded js_raw has too few bits.
 */
#include "mon_drift_internal.h"
#include "mon_wide_internal.h"

#define ACC_EXTRA MON_DRIFT_ACC_EXTRA
#define ACC_LIMBS MON_DRIFT_ACC_LIMBS

/* x * 2^e as mant * 2^exp2 with mant in [2^63, 2^64) (truncated), or 0. */
mon_drift_fp mon_drift_fp_from(mon_u128 x, int32_t e)
{
    mon_drift_fp r;
    unsigned b = mon_u128_bitlen(x);
    if (b == 0) {
        r.mant = 0;
        r.exp2 = 0;
    } else if (b > 64) {
        r.mant = mon_u128_shr(x, b - 64u).lo;
        r.exp2 = e + (int32_t)(b - 64u);
    } else {
        r.mant = x.lo << (64u - b);
        r.exp2 = e - (int32_t)(64u - b);
    }
    return r;
}

/* sqrt(m 2^e) = sqrt(m 2^s) 2^((e - s)/2) with s in {61, 62} making e - s even; the integer
 * square root of the 125- or 126-bit m 2^s has 63 bits. */
mon_drift_fp mon_drift_fp_sqrt(mon_drift_fp j)
{
    unsigned s;
    uint64_t r;
    if (j.mant == 0) return j;
    s = ((j.exp2 - 62) % 2 == 0) ? 62u : 61u;
    r = mon_w_isqrt128(mon_u128_shl(mon_u128_make(0, j.mant), s));
    return mon_drift_fp_from(mon_u128_make(0, r), (j.exp2 - (int32_t)s) / 2);
}

/* JS = acc / (D 2^(241)) and sqrt(JS) as mon_drift_fp (see mon_drift.h). js_raw is the rounded
 * (and clamped) JS * 2^126: when it has >= 65 bits it is already relatively precise; below, the
 * accumulator is divided again so that the quotient has ~126 significant bits. */
void mon_drift_js_fp_finish(const uint64_t acc[ACC_LIMBS], mon_u128 dd, mon_u128 js_raw,
                            mon_drift_fp *js, mon_drift_fp *dist)
{
    enum {
        FRAC = 128 + ACC_EXTRA + 1,
        TARGET = 126
    };
    mon_drift_fp j;
    if (js_raw.hi != 0) {
        j = mon_drift_fp_from(js_raw, -MON_DRIFT_JS_FRAC_BITS);
    } else {
        uint64_t u[ACC_LIMBS + 1], qq[ACC_LIMBS + 1];
        unsigned an, bd, i, l, sh;
        int gap;
        for (i = 0; i < ACC_LIMBS; ++i) u[i] = acc[i];
        u[ACC_LIMBS] = 0;
        an = mon_w_len(u, ACC_LIMBS);
        if (an == 0) {
            j.mant = 0;
            j.exp2 = 0;
        } else {
            an = 64u * (an - 1u) + (64u - mon_w_clz64(u[an - 1u]));
            bd = mon_u128_bitlen(dd);
            gap = (int)an - (int)bd - TARGET;
            /* acc >= D 2^27 for any JS > 0 (JS >= 2^-214), so l <= 100 and an + l < 7 * 64 */
            l = gap >= 1 ? 0u : (unsigned)(1 - gap);
            sh = gap >= 1 ? (unsigned)gap : 1u;
            if (l) mon_w_shl(u, u, ACC_LIMBS + 1, l);
            mon_w_div_round_shift(u, ACC_LIMBS + 1, dd, sh,
                                  qq); /* < 2^128 (bitlen <= TARGET + 1) */
            j = mon_drift_fp_from(mon_u128_make(qq[1], qq[0]), (int32_t)sh - (int32_t)l - FRAC);
        }
    }
    *js = j;
    *dist = mon_drift_fp_sqrt(j);
}
