/*
 * drift_v2_proto.c - a PROTOTYPE of a cheaper exact drift kernel (issue 15, "golden v2" study).
 * Benchmark-only code: not part of the library, not built into libmonitor. It fills the same
 * mon_drift_result as mon_drift_scores, with the same raw formats and error bounds at most the
 * documented ones (mon_drift.h), but not the same last bits (a shorter series; see the bound
 * below and benchmarks/drift_v2_accuracy.py, which measures it against mpmath).
 *
 * Covered: the hot case, Laplace smoothing with N_P N_Q < 2^62 and (N_P + B)(N_Q + B) < 2^62
 * (every product in one limb; mon_drift.c's 64-bit pass). Anything else (floor smoothing, larger
 * totals, a bad argument) is handed to mon_drift_scores unchanged.
 *
 * What differs from mon_drift.c's per-bin series (same d = n/S, same 1/4 threshold, same
 * generated coefficients mon_drift_js_g / mon_drift_psi_h):
 *  - d's quotient is not renormalised (qd in [2^62, 2^64): 1 bit less, no select);
 *  - G(z) by Horner with a term count K taken from a table on the bit length of z = d^2: K is
 *    the least count whose truncated tail is < 2^-66 of the first term for every z of that bit
 *    length (tables below, re-derived by the accuracy script); v1 always evaluates 8 or 16;
 *  - no z^2, z^4, z^8 powers (Horner needs none);
 *  - the term n d G is added as its top 64 bits (one mulhi) at a fixed-unit accumulator of five
 *    limbs in 2^-125 count-bits (a term is >= 2^60 units there, so the truncation is relative),
 *    instead of the exact 128-bit product into 384 bits in 2^-240 units;
 *  - the end: js_raw = round(acc / D) (one-limb divisor, 3 divisions), TV by two divisions,
 *    js_distance_fp from js_distance_raw when that has >= 56 bits (one integer square root).
 *
 * Error bound of one series term (relative; u = 2^-64): qd truncation < 2^-62; m1 (top 64 bits of
 * nm qd, normalised) < 2^-63; Horner: each of the K-1 steps truncates < 1 unit of 2^-64 and the
 * coefficients are rounded to 1/2 unit, propagated with factor z < 2^-4, so |G~ - G| < 1.6 u on
 * G >= 1/(2 ln 2) > 0.72, i.e. < 2^-62.8; z's truncation moves G by < g_1 2^-68 (< 2^-70
 * relative); the tail < 2^-66; the term's top 64 bits (t >= 2^62.5) < 2^-62.5. Total < 2^-60
 * per term (documented: JS < 2^-55, PSI < 2^-58 max(1, PSI) all in), so the JS and PSI bounds of
 * mon_drift.h hold with the same log branch (mon_drift_log2_u64, as v1).
 */
#include "drift_v2_proto.h"

#include "mon_drift_internal.h"
#include "mon_wide_internal.h"

/* least Horner term count per bit length of z (2^-66 units), tail < 2^-66 relative
 * (re-derived and checked by benchmarks/drift_v2_accuracy.py) */
static const unsigned char K_JS[65] = {1, 1, 1, 2, 2, 2, 2, 2, 2, 2,  2,  2,  2,  2, 2, 2, 2,
                                       2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  2,  2,  2,  2, 2, 2, 2,
                                       2, 3, 3, 3, 3, 3, 3, 3, 3, 3,  3,  3,  4,  4, 4, 4, 4,
                                       5, 5, 5, 5, 6, 6, 7, 8, 9, 10, 12, 15, 16, 16};
static const unsigned char K_PSI[65] = {1, 1, 2, 2, 2, 2, 2, 2, 2, 2,  2,  2,  2,  2, 2, 2, 2,
                                        2, 2, 2, 2, 2, 2, 2, 2, 2, 2,  2,  2,  2,  2, 2, 2, 2,
                                        2, 3, 3, 3, 3, 3, 3, 3, 3, 3,  3,  4,  4,  4, 4, 4, 4,
                                        5, 5, 5, 6, 6, 7, 7, 8, 9, 11, 13, 16, 16, 16};

#if defined(__GNUC__) || defined(__clang__)
#define V2_INLINE __attribute__((always_inline)) inline
#define V2_CLZ(x) ((unsigned)__builtin_clzll((unsigned long long)(x))) /* x != 0 */
#else
#define V2_INLINE inline
#define V2_CLZ(x) mon_w_clz64(x)
#endif

#define V2_LIMBS 5
#define V2_UNIT 125 /* accumulators count in 2^-125 (JS: T_b; PSI: (a-c) log2(a/c) / 4) */

const unsigned char *drift_v2_k_table(int psi) { return psi ? K_PSI : K_JS; }

typedef struct v2_pre {
    uint64_t z, m1;
    unsigned pos; /* where the term's 64-bit mantissa goes in the accumulator */
    unsigned zbl; /* bit length of z (1 for z = 0) */
} v2_pre;

/* 1 <= n, 4 n < s < 2^63. d = n / s = (qd + delta) 2^(-63 - e), e = ln - ls >= 2 (n < s/4). */
static V2_INLINE void v2_prep(uint64_t n, uint64_t s, v2_pre *p)
{
    unsigned ln = V2_CLZ(n), ls = V2_CLZ(s), e = ln - ls, sz;
    uint64_t nm = n << ln, sm = s << ls, rem, hi, lo, qd;
    qd = mon_w_div128_64(nm >> 1, nm << 63, sm, &rem); /* floor(nm 2^63 / sm), in [2^62, 2^64) */
    /* z = d^2 in 2^-66 units = qd^2 2^-(60 + 2e) (< 2^62: d < 1/4); a shift clamped at 63 leaves
     * z <= 1 where it should be 0 (e >= 34): an error of < 1 unit, as the truncation's */
    mon_w_mul64(qd, qd, &hi, &lo);
    sz = 2u * e - 4u;
    p->z = hi >> (sz < 63u ? sz : 63u);
    p->zbl = 64u - V2_CLZ(p->z | 1u); /* 1 for z = 0: K_*[1] >= K_*[0] */
    /* n d = nm (qd + delta) 2^(-ln - 63 - e), nm qd = hi 2^64 + lo with hi >= 2^61: m1 = hi
     * (relative truncation < 2^-61), n d ~ m1 2^(1 - ln - e); with h = G 2^64 and
     * t = mulhi(m1, h) the term n d G ~ t 2^(1 - ln - e) count-bits, in 2^-125 units at
     * position 126 - ln - e, in [126 - 63 - 62, 126 - 3 - 2] = [1, 121] */
    mon_w_mul64(nm, qd, &hi, &lo);
    p->m1 = hi;
    p->pos = V2_UNIT + 1u - ln - e;
}

/* G(z) = sum_{k<K} c_k z^k by Horner, z in 2^-66 units, c in 2^-64 units. */
static V2_INLINE uint64_t v2_poly(uint64_t z, const uint64_t *c, unsigned k)
{
    uint64_t r = 0;
    switch (k & 15u) { /* 16 terms: case 0 (every case listed: no range test) */
    case 0: r = c[15]; /* fall through */
    case 15: r = c[14] + (mon_w_mulhi64(z, r) >> 2); /* fall through */
    case 14: r = c[13] + (mon_w_mulhi64(z, r) >> 2); /* fall through */
    case 13: r = c[12] + (mon_w_mulhi64(z, r) >> 2); /* fall through */
    case 12: r = c[11] + (mon_w_mulhi64(z, r) >> 2); /* fall through */
    case 11: r = c[10] + (mon_w_mulhi64(z, r) >> 2); /* fall through */
    case 10: r = c[9] + (mon_w_mulhi64(z, r) >> 2);  /* fall through */
    case 9: r = c[8] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 8: r = c[7] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 7: r = c[6] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 6: r = c[5] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 5: r = c[4] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 4: r = c[3] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 3: r = c[2] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 2: r = c[1] + (mon_w_mulhi64(z, r) >> 2);   /* fall through */
    case 1:
    default: r = c[0] + (mon_w_mulhi64(z, r) >> 2); break;
    }
    return r;
}

/* A 192-bit accumulator in scalars (kept in registers in the loop; an array indexed by the
 * term's position would live in memory): value = w0 + (w1 + cy) 2^64 + w2 2^128, the carries
 * out of w0 counted in cy and added once at the end (fewer dependent adds per term). */
typedef struct v2_acc {
    uint64_t w0, w1, w2, cy;
} v2_acc;

/* acc += t 2^pos, 1 <= pos <= 121. The accumulator stays < 2^189 (the sum of all terms is
 * < 2D 2^125 < 2^188), so w2 never wraps. */
static V2_INLINE void v2_add64(v2_acc *acc, uint64_t t, unsigned pos)
{
    unsigned bits = pos & 63u, high = pos >> 6; /* 0 or 1 */
    uint64_t lo = t << bits, hi = (t >> 1) >> (63u - bits);
    uint64_t x0 = high ? 0u : lo, x1 = high ? lo : hi, x2 = high ? hi : 0u;
    acc->w0 += x0;
    acc->cy += acc->w0 < x0;
#if MON_HAVE_INT128
    {
        mon_w_native128 u =
            (((mon_w_native128)acc->w2 << 64) | acc->w1) + (((mon_w_native128)x2 << 64) | x1);
        acc->w1 = (uint64_t)u;
        acc->w2 = (uint64_t)(u >> 64);
    }
#else
    acc->w1 += x1;
    acc->w2 += x2 + (acc->w1 < x1);
#endif
}

/* The accumulator's value as three limbs. */
static void v2_acc_limbs(v2_acc a, uint64_t r[3])
{
    r[0] = a.w0;
    r[1] = a.w1 + a.cy;
    r[2] = a.w2 + (r[1] < a.cy);
}

/* acc + v 2^sh for a 4-limb v (the log branches; the sum stays < 2^189). */
static v2_acc v2_add_wide(v2_acc acc, const uint64_t v[4], unsigned sh)
{
    uint64_t t[4] = {0, 0, 0, 0}, a[4];
    unsigned limb = sh / 64u, bits = sh % 64u, i;
    for (i = 0; i < 4; ++i) {
        if (i + limb < 4) t[i + limb] |= v[i] << bits;
        if (bits && i + limb + 1 < 4) t[i + limb + 1] |= v[i] >> (64u - bits);
    }
    v2_acc_limbs(acc, a);
    a[3] = 0;
    (void)mon_w_add(a, a, t, 4);
    acc.w0 = a[0];
    acc.w1 = a[1];
    acc.w2 = a[2];
    acc.cy = 0;
    return acc;
}

/* u[0..un) / d rounded to nearest (ties up) into q[0..un); d != 0 one limb. */
static void v2_div_round(const uint64_t *u, unsigned un, uint64_t d, uint64_t *q)
{
    uint64_t rem = 0;
    unsigned i;
    for (i = un; i-- > 0;) {
        if (rem == 0 && u[i] < d) {
            q[i] = 0;
            rem = u[i];
        } else {
            q[i] = mon_w_div128_64(rem, u[i], d, &rem);
        }
    }
    if (rem >= d - rem) {
        for (i = 0; i < un; ++i)
            if (++q[i] != 0) break;
    }
}

/* JS log branch (|d| >= 1/4, X > Y > 0): acc + (X (lx + 1 - ls) - Y (ls - ly - 1)) 2^61. */
static v2_acc v2_js_logs(v2_acc acc, uint64_t x, uint64_t y, mon_u128 lx, mon_u128 ly, uint64_t s)
{
    mon_u128 ls = mon_drift_log2_u64(s), one = mon_u128_make(1, 0), ax, ay;
    uint64_t px[4], py[4], t[4];
    ax = mon_u128_add(lx, one);
    if (mon_u128_cmp(ax, ls) <= 0) return acc;
    ax = mon_u128_sub(ax, ls);
    ay = mon_u128_add(ly, one);
    if (mon_u128_cmp(ls, ay) <= 0) return acc;
    ay = mon_u128_sub(ls, ay);
    mon_w_mul128(px, mon_u128_make(0, x), ax);
    mon_w_mul128(py, mon_u128_make(0, y), ay);
    if (mon_w_sub(t, px, py, 4)) return acc;
    return v2_add_wide(acc, t, V2_UNIT - 64);
}

/* PSI log branch: acc += (a - c)(la - lc) / 4 in 2^-125 units = (...) 2^-64 units << 59, into
 * its own accumulator of V2_LIMBS limbs (these terms can reach ~2^191 in total, the series
 * terms' sum stays < 2^187: the three-word accumulator holds those alone). */
static void v2_psi_logs(uint64_t acc[V2_LIMBS], uint64_t a, uint64_t c, mon_u128 la, mon_u128 lc)
{
    uint64_t t[4];
    if (a > c) {
        if (mon_u128_cmp(la, lc) <= 0) return;
        mon_w_mul128(t, mon_u128_make(0, a - c), mon_u128_sub(la, lc));
    } else {
        if (mon_u128_cmp(lc, la) <= 0) return;
        mon_w_mul128(t, mon_u128_make(0, c - a), mon_u128_sub(lc, la));
    }
    {
        enum {
            SH = V2_UNIT - 64 - 2
        };
        uint64_t w[V2_LIMBS] = {0, 0, 0, 0, 0};
        unsigned i;
        for (i = 0; i < 4; ++i) {
            w[i] |= t[i] << SH;
            w[i + 1] |= t[i] >> (64 - SH);
        }
        (void)mon_w_add(acc, acc, w, V2_LIMBS);
    }
}

static int v2_fits62(uint64_t a, uint64_t b)
{
    uint64_t hi, lo;
    mon_w_mul64(a, b, &hi, &lo);
    return hi == 0 && (lo >> 62) == 0;
}

static mon_drift_fp v2_norm(uint64_t hi, uint64_t lo, int32_t e)
{
    mon_drift_fp r;
    if (hi != 0) {
        unsigned l = mon_w_clz64(hi);
        r.mant = l ? (hi << l) | (lo >> (64u - l)) : hi;
        r.exp2 = e + 64 - (int32_t)l;
    } else if (lo != 0) {
        unsigned l = mon_w_clz64(lo);
        r.mant = lo << l;
        r.exp2 = e - (int32_t)l;
    } else {
        r.mant = 0;
        r.exp2 = 0;
    }
    return r;
}

mon_status drift_v2_scores(const uint64_t *p, const uint64_t *q, size_t nbins,
                           const mon_psi_options *opt, mon_drift_result *out)
{
    uint64_t np = 0, nq = 0, npb, nqb, tv = 0, dd;
    v2_acc ja = {0, 0, 0, 0}, pa = {0, 0, 0, 0};
    uint64_t pl[V2_LIMBS] = {0, 0, 0, 0, 0}; /* PSI log-branch terms */
    mon_u128 lnp = {0, 0}, lnq = {0, 0}, lnpb = {0, 0}, lnqb = {0, 0};
    int have_lt = 0, have_lb = 0;
    size_t b;
    if (out == NULL || p == NULL || q == NULL || nbins == 0 || nbins > (size_t)1 << 40 ||
        (opt != NULL && opt->smoothing != MON_PSI_LAPLACE))
        return mon_drift_scores(p, q, nbins, opt, out);
    for (b = 0; b < nbins; ++b) { /* totals; any count or sum >= 2^53: v1 decides */
        np += p[b];
        nq += q[b];
        if ((p[b] | q[b] | np | nq) >> 53) return mon_drift_scores(p, q, nbins, opt, out);
    }
    npb = np + (uint64_t)nbins;
    nqb = nq + (uint64_t)nbins;
    if (np == 0 || nq == 0 || !v2_fits62(np, nq) || !v2_fits62(npb, nqb))
        return mon_drift_scores(p, q, nbins, opt, out);

    for (b = 0; b < nbins; ++b) {
        uint64_t pb = p[b], qb = q[b], a = pb * nq, c = qb * np, n = a >= c ? a - c : c - a;
        uint64_t aa, cc, nn, ss;
        v2_pre sp;
        tv += n;
        if (n != 0) {
            uint64_t s = a + c;
            if ((n << 2) < s) {
                v2_prep(n, s, &sp);
                v2_add64(&ja, mon_w_mulhi64(sp.m1, v2_poly(sp.z, mon_drift_js_g, K_JS[sp.zbl])),
                         sp.pos);
            } else if (a == 0 || c == 0) {
                uint64_t v[4];
                v[0] = a | c;
                v[1] = v[2] = v[3] = 0;
                ja = v2_add_wide(ja, v, V2_UNIT); /* log2(2X/X) = 1: T_b = X */
            } else {
                mon_u128 lp, lq;
                if (!have_lt) {
                    lnp = mon_drift_log2_u64(np);
                    lnq = mon_drift_log2_u64(nq);
                    have_lt = 1;
                }
                lp = mon_u128_add(mon_drift_log2_u64(pb), lnq);
                lq = mon_u128_add(mon_drift_log2_u64(qb), lnp);
                if (a > c)
                    ja = v2_js_logs(ja, a, c, lp, lq, s);
                else
                    ja = v2_js_logs(ja, c, a, lq, lp, s);
            }
        }
        if (pb == qb && np == nq) continue;
        aa = (pb + 1u) * nqb;
        cc = (qb + 1u) * npb;
        if (aa == cc) continue;
        nn = aa > cc ? aa - cc : cc - aa;
        ss = aa + cc;
        if ((nn << 2) < ss) {
            v2_prep(nn, ss, &sp);
            v2_add64(&pa, mon_w_mulhi64(sp.m1, v2_poly(sp.z, mon_drift_psi_h, K_PSI[sp.zbl])),
                     sp.pos);
        } else {
            if (!have_lb) {
                lnpb = mon_drift_log2_u64(npb);
                lnqb = mon_drift_log2_u64(nqb);
                have_lb = 1;
            }
            v2_psi_logs(pl, aa, cc, mon_u128_add(mon_drift_log2_u64(pb + 1u), lnqb),
                        mon_u128_add(mon_drift_log2_u64(qb + 1u), lnpb));
        }
    }

    dd = np * nq; /* < 2^62 */
    {             /* TV: tv_raw = round(tv 2^64 / (2D)), tv <= 2D < 2^63 */
        uint64_t u[2] = {0, tv}, qq[2];
        v2_div_round(u, 2, 2u * dd, qq);
        out->tv_raw = mon_u128_make(qq[1], qq[0]);
        out->tv_num = mon_u128_make(0, tv);
        out->tv_den = mon_u128_make(0, 2u * dd);
    }
    { /* JS 2^126 = jacc 2^-125 2^126 / (2D) = jacc / D; jacc < 2^189 */
        uint64_t jacc[3], qq[3], r, hi, lo;
        mon_u128 js;
        v2_acc_limbs(ja, jacc);
        v2_div_round(jacc, 3, dd, qq);
        js = mon_u128_make(qq[1], qq[0]);
        if (qq[2] != 0 || mon_u128_cmp(js, mon_u128_make(UINT64_C(1) << 62, 0)) > 0)
            js = mon_u128_make(UINT64_C(1) << 62, 0);
        out->js_raw = js;
        r = mon_w_isqrt128(js);
        mon_w_mul64(r, r, &hi, &lo);
        if (mon_u128_cmp(mon_u128_sub(js, mon_u128_make(hi, lo)), mon_u128_make(0, r)) > 0) ++r;
        out->js_distance_raw = r;
        if (js.hi != 0) {
            out->js_fp = v2_norm(js.hi, js.lo, -MON_DRIFT_JS_FRAC_BITS);
        } else { /* jacc < D 2^64 < 2^126: jacc 2^64 / D has >= 64 significant bits */
            uint64_t u[3] = {0, jacc[0], jacc[1]}, q3[3], rem = 0;
            unsigned i;
            for (i = 3; i-- > 0;) q3[i] = mon_w_div128_64(rem, u[i], dd, &rem);
            /* JS = jacc 2^-125 / (2D) = (jacc 2^64 / D) 2^-190 */
            out->js_fp = q3[2] ? v2_norm(q3[2], q3[1], -190 + 64) : v2_norm(q3[1], q3[0], -190);
        }
        if (r >> 55) { /* sqrt(JS) 2^63 rounded, >= 2^55: relative error < 2^-56 */
            out->js_distance_fp = v2_norm(0, r, -MON_DRIFT_JS_DISTANCE_FRAC_BITS);
        } else if (out->js_fp.mant == 0) {
            out->js_distance_fp = out->js_fp;
        } else {
            int32_t ex = out->js_fp.exp2;
            unsigned s = ((ex - 62) % 2 == 0) ? 62u : 61u;
            uint64_t rr = mon_w_isqrt128(mon_u128_shl(mon_u128_make(0, out->js_fp.mant), s));
            out->js_distance_fp = v2_norm(0, rr, (ex - (int32_t)s) / 2);
        }
    }
    { /* PSI 2^64 = 4 ln2 pacc 2^-125 2^64 / (N_P~ N_Q~) = pacc LN2 / (N_P~ N_Q~ 2^123) */
        uint64_t u[V2_LIMBS + 1], carry = 0, qq[V2_LIMBS + 1], pacc[V2_LIMBS];
        unsigned i;
        v2_acc_limbs(pa, pacc);
        pacc[3] = pacc[4] = 0;
        (void)mon_w_add(pacc, pacc, pl,
                        V2_LIMBS); /* < 2^192: sum abs(a - c) < 2^63, log2(a/c) < 62 */
        for (i = 0; i < V2_LIMBS; ++i) {
            uint64_t hi, lo;
            mon_w_mul64(pacc[i], mon_drift_ln2, &hi, &lo);
            lo += carry;
            hi += lo < carry;
            u[i] = lo;
            carry = hi;
        }
        u[V2_LIMBS] = carry;
        /* >> 123 (keeping the rounding exact: add half of 2^123 N~ first is what v1 does; here
         * round(u / (N~ 2^123)) = round(floor(u / 2^122) / (2 N~)) up to the tie rule, which the
         * bound does not need) */
        for (i = 0; i + 2 < V2_LIMBS + 1; ++i) u[i] = (u[i + 1] >> 58) | (u[i + 2] << 6);
        u[V2_LIMBS - 1] = u[V2_LIMBS] >> 58;
        v2_div_round(u, V2_LIMBS, 2u * (npb * nqb), qq);
        out->psi_raw = mon_u128_make(qq[1], qq[0]);
    }
    out->total_actual = np;
    out->total_expected = nq;
    return MON_OK;
}
