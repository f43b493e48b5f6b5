/*
 * The drift metrics' 64-bit pass (golden version 2): TV, JS and Laplace PSI when every product
 * fits one limb, N_P N_Q < 2^62 and (N_P + B)(N_Q + B) < 2^62 (mon_drift.c chooses it; floor
 * PSI and wider totals stay on mon_drift.c's pass). Same quantities as mon_drift.c: A = P_b N_Q,
 * C = Q_b N_P, n = |A - C|, S = A + C, d = n / S, and for PSI the same on
 * a = (P_b + 1) N_Q~, c = (Q_b + 1) N_P~; the same 1/4 threshold between the series and the
 * log branch, the same generated coefficients (mon_drift_js_g, mon_drift_psi_h) and log2.
 *
 * Per series term (|d| < 1/4) it differs from mon_drift.c's exact 128-bit product:
 *  - qd = floor(nm 2^63 / sm) in [2^62, 2^64) (one division, not renormalised);
 *  - G(z) = sum_{k<K} c_k z^k by Horner, z = d^2 in 2^-66 units, K from a generated table
 *    (mon_drift_js_k / mon_drift_psi_k) on the bit length of z: the least K whose tail is
 *    < 2^-66 of c_0 for every z of that length (tools/gen/gen_drift_tables.py);
 *  - the term n d G is added as its top 64 bits (one mulhi) into a 192-bit accumulator in
 *    2^-125 count-bits (a term is >= 2^60 units there, so the truncation is relative).
 * Error bound of one series term (relative, u = 2^-64): qd's truncation < 2^-62; m1 (the top
 * word of nm qd, >= 2^61) < 2^-61; Horner: K - 1 truncations of < 1 unit and coefficients to
 * 1/2 unit, propagated with factor z < 2^-4, < 1.6 u on G >= 1/(2 ln 2) > 0.72, i.e. < 2^-62.8;
 * z's truncation < 2^-68; the tail < 2^-66; the term's top word (>= 2^60.5) < 2^-60.5: in all
 * < 2^-59.3, inside mon_drift.h's per-term 2^-55 (JS) and PSI's 2^-58 max(1, PSI). The log
 * branch is mon_drift.c's (same logs, same products), added in the same 2^-125 units (exact);
 * the final divisions round once (JS, TV, PSI: to nearest, ties up).
 * Results are integers, bit-identical on every compiler and architecture, with or without
 * unsigned __int128 (benchmarks/drift_accuracy.py and tests/unit/test_drift_relative.py
 * check the bounds against mpmath; the golden vectors v2 pin the bits).
 */
#include "mon_drift.h"
#include "mon_drift_internal.h"
#include "mon_log2_internal.h"
#include "mon_wide_internal.h"

/* the accumulators count in 2^-UNIT count-bits (JS: T_b; PSI: (a - c) log2(a / c) / 4) */
#define UNIT 125
/* the PSI log terms' accumulator: 5 limbs (their sum reaches ~2^191) */
#define PSI_LOG_LIMBS 5

/* d = n / s for 1 <= n, 4 n < s < 2^63: the Horner argument and the term's placement. */
typedef struct pre64 {
    uint64_t z;   /* d^2 in 2^-66 units */
    uint64_t m1;  /* top 64 bits of n d */
    unsigned pos; /* the term's position in the accumulator (in [1, 121]) */
    unsigned zbl; /* bit length of z (1 for z = 0) */
} pre64;

/* With ln = clz(n), ls = clz(s), e = ln - ls >= 2 (n < s/4): d = (qd + delta) 2^(-63 - e). */
static MON_ALWAYS_INLINE void prep64(uint64_t n, uint64_t s, pre64 *p)
{
    unsigned ln = mon_w_clz64_nz(n), ls = mon_w_clz64_nz(s), e = ln - ls, sz;
    uint64_t nm = n << ln, sm = s << ls, rem, hi, lo, qd;
    qd = mon_w_div128_64(nm >> 1, nm << 63, sm, &rem); /* floor(nm 2^63 / sm) in [2^62, 2^64) */
    /* z = qd^2 2^-(60 + 2e) (< 2^62: d < 1/4); the shift clamped at 63 leaves z <= 1 where it
     * should be 0 (e >= 34): an error below 1 unit, as the truncation's */
    mon_w_mul64(qd, qd, &hi, &lo);
    sz = 2u * e - 4u;
    p->z = hi >> (sz < 63u ? sz : 63u);
    p->zbl = 64u - mon_w_clz64_nz(p->z | 1u); /* 1 for z = 0: the tables' K[1] >= K[0] */
    /* n d = nm (qd + delta) 2^(-ln - 63 - e), nm qd = hi 2^64 + lo with hi >= 2^61: with
     * h = G 2^64 and t = mulhi(m1 = hi, h), n d G ~ t 2^(1 - ln - e) count-bits, i.e. at
     * position UNIT + 1 - ln - e in [1, 121] (ln in [3, 63]: n < 2^61) */
    mon_w_mul64(nm, qd, &hi, &lo);
    p->m1 = hi;
    p->pos = UNIT + 1u - ln - e;
}

/* G(z) = sum_{k<K} c_k z^k by Horner (z in 2^-66 units, c in 2^-64 units, 1 <= K <= 16),
 * entering the 16-step chain at step K (K = 16 is case 0); the cases fall through (MISRA
 * deviations MD-40, MD-41: a loop over K costs ~41 more instructions per bin). */
static MON_ALWAYS_INLINE uint64_t poly64(uint64_t z, const uint64_t *c, unsigned k)
{
    uint64_t r = 0;
    switch (k & 15u) {
    case 0: r = c[15];                               /* fall through */
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

/* A 192-bit accumulator held in scalars (registers, in the loop): value w0 + (w1 + cy) 2^64 +
 * w2 2^128, the carries out of w0 counted in cy and added once at the end. */
typedef struct acc192 {
    uint64_t w0, w1, w2, cy;
} acc192;

/* acc += t 2^pos, 0 <= pos < 128. The accumulator stays < 2^189 (the sum of all terms is
 * < 2 D 2^125 < 2^188 for JS, < 2^187 for the PSI series), so w2 never wraps. */
static MON_ALWAYS_INLINE void acc_add64(acc192 *acc, uint64_t t, unsigned pos)
{
    unsigned bits = pos & 63u, high = pos >> 6; /* 0 or 1 */
    uint64_t lo = t << bits, hi = (t >> 1) >> (63u - bits);
    uint64_t x0 = high ? 0u : lo, x1 = high ? lo : hi, x2 = high ? hi : 0u;
    acc->w0 += x0;
    acc->cy += (acc->w0 < x0) ? 1u : 0u;
#if MON_HAVE_INT128
    {
        mon_w_native128 u =
            (((mon_w_native128)acc->w2 << 64) | acc->w1) + (((mon_w_native128)x2 << 64) | x1);
        acc->w1 = (uint64_t)u;
        acc->w2 = (uint64_t)(u >> 64);
    }
#else
    acc->w1 += x1;
    acc->w2 += x2 + ((acc->w1 < x1) ? 1u : 0u);
#endif
}

/* The accumulator's value as n >= 3 limbs (the limbs above the third are 0). */
static void acc_limbs(const acc192 *a, uint64_t *r, unsigned n)
{
    unsigned i;
    r[0] = a->w0;
    r[1] = a->w1 + a->cy;
    r[2] = a->w2 + ((r[1] < a->cy) ? 1u : 0u);
    for (i = 3; i < n; ++i) r[i] = 0;
}

/* acc += v 2^61 for a 4-limb v < 2^127 (a JS log term in 2^-64 units; the sum stays < 2^189). */
static void acc_add_log(acc192 *acc, const uint64_t v[4])
{
    uint64_t a[4], t[4];
    t[0] = v[0] << 61;
    t[1] = (v[1] << 61) | (v[0] >> 3);
    t[2] = (v[2] << 61) | (v[1] >> 3);
    t[3] = 0;
    acc_limbs(acc, a, 4);
    (void)mon_w_add(a, a, t, 4);
    acc->w0 = a[0];
    acc->w1 = a[1];
    acc->w2 = a[2];
    acc->cy = 0;
}

/* JS log branch (|d| >= 1/4, X > Y > 0, lx = log2 X, ly = log2 Y in 2^-64 units):
 * acc += X log2(2X/S) - Y log2(S/(2Y)), as mon_drift.c's js_logs. */
static void js_logs64(acc192 *acc, uint64_t x, uint64_t y, mon_u128 lx, mon_u128 ly, uint64_t s)
{
    mon_u128 ls = mon_log2_u64(s), one = mon_u128_make(1, 0), ax, ay;
    uint64_t px[4], py[4], t[4];
    ax = mon_u128_add(lx, one);
    if (mon_u128_cmp(ax, ls) <= 0) return; /* impossible for |d| >= 1/4 */
    ax = mon_u128_sub(ax, ls);
    ay = mon_u128_add(ly, one);
    if (mon_u128_cmp(ls, ay) <= 0) return; /* impossible for |d| >= 1/4 */
    ay = mon_u128_sub(ls, ay);
    mon_w_mul128(px, mon_u128_make(0, x), ax);
    mon_w_mul128(py, mon_u128_make(0, y), ay);
    if (mon_w_sub(t, px, py, 4) != 0u) return; /* negative: impossible for |d| >= 1/4 */
    acc_add_log(acc, t);
}

/* PSI log branch: acc += (a - c)(la - lc) / 4 in 2^-125 units, i.e. the 2^-64-unit product
 * << 59, when the differences agree in sign (as mon_drift.c's psi_pair). */
static void psi_logs64(uint64_t acc[PSI_LOG_LIMBS], uint64_t a, uint64_t c, mon_u128 la,
                       mon_u128 lc)
{
    enum {
        SH = UNIT - 64 - 2
    };
    uint64_t t[4], w[PSI_LOG_LIMBS];
    unsigned i;
    if (a > c) {
        if (mon_u128_cmp(la, lc) <= 0) return;
        mon_w_mul128(t, mon_u128_make(0, a - c), mon_u128_sub(la, lc));
    } else {
        if (mon_u128_cmp(lc, la) <= 0) return;
        mon_w_mul128(t, mon_u128_make(0, c - a), mon_u128_sub(lc, la));
    }
    w[0] = t[0] << SH;
    for (i = 1; i < 4u; ++i) w[i] = (t[i] << SH) | (t[i - 1u] >> (64 - SH));
    w[4] = t[3] >> (64 - SH);
    (void)mon_w_add(acc, acc, w, PSI_LOG_LIMBS);
}

/* The logs of the totals, computed on first need. */
typedef struct tot_logs {
    mon_u128 lnp, lnq;
    int have;
} tot_logs;

static void need_logs(tot_logs *l, uint64_t np, uint64_t nq)
{
    if (l->have == 0) {
        l->lnp = mon_log2_u64(np);
        l->lnq = mon_log2_u64(nq);
        l->have = 1;
    }
}

typedef struct pass_state {
    acc192 ja, pa;              /* JS series and log terms; PSI series terms */
    uint64_t pl[PSI_LOG_LIMBS]; /* PSI log terms */
    uint64_t tv;                /* sum of n (< 2^63) */
    tot_logs lt, lb;            /* logs of N_P, N_Q and of N_P~, N_Q~ */
} pass_state;

/* The loop, inlined with tvjs and psi constant (each combination its own loop). */
static MON_ALWAYS_INLINE void pass_bins(const uint64_t *p, const uint64_t *q, size_t nbins,
                                        uint64_t np, uint64_t nq, unsigned sh, int tvjs, int psi,
                                        pass_state *st)
{
    uint64_t npb = np + (uint64_t)nbins, nqb = nq + (uint64_t)nbins, tv = 0;
    uint64_t npj = np >> sh, nqj = nq >> sh; /* TV, JS: the counts >> sh */
    acc192 ja = st->ja, pa = st->pa;
    int same_tot = np == nq;
    size_t b;
    for (b = 0; b < nbins; ++b) {
        uint64_t pb = p[b], qb = q[b];
        pre64 sp;
        if (tvjs) {
            uint64_t pj = pb >> sh, qj = qb >> sh;
            uint64_t a = pj * nqj, c = qj * npj, n = (a >= c) ? a - c : c - a;
            tv += n;
            if (n != 0u) {
                uint64_t s = a + c;
                if ((n << MON_DRIFT_JS_SERIES_SHIFT) < s) {
                    prep64(n, s, &sp);
                    acc_add64(
                        &ja,
                        mon_w_mulhi64(sp.m1, poly64(sp.z, mon_drift_js_g, mon_drift_js_k[sp.zbl])),
                        sp.pos);
                } else if ((a == 0u) || (c == 0u)) {
                    acc_add64(&ja, a | c, UNIT); /* log2(2X/X) = 1: T_b = X */
                } else {
                    mon_u128 lp, lq;
                    need_logs(&st->lt, npj, nqj);
                    lp = mon_u128_add(mon_log2_u64(pj), st->lt.lnq);
                    lq = mon_u128_add(mon_log2_u64(qj), st->lt.lnp);
                    if (a > c) {
                        js_logs64(&ja, a, c, lp, lq, s);
                    } else {
                        js_logs64(&ja, c, a, lq, lp, s);
                    }
                }
            }
        }
        if (psi && !((pb == qb) && same_tot)) {
            uint64_t aa = (pb + 1u) * nqb, cc = (qb + 1u) * npb;
            if (aa != cc) {
                uint64_t nn = (aa > cc) ? aa - cc : cc - aa, ss = aa + cc;
                if ((nn << MON_DRIFT_JS_SERIES_SHIFT) < ss) {
                    prep64(nn, ss, &sp);
                    acc_add64(&pa,
                              mon_w_mulhi64(sp.m1,
                                            poly64(sp.z, mon_drift_psi_h, mon_drift_psi_k[sp.zbl])),
                              sp.pos);
                } else {
                    need_logs(&st->lb, npb, nqb);
                    psi_logs64(st->pl, aa, cc, mon_u128_add(mon_log2_u64(pb + 1u), st->lb.lnq),
                               mon_u128_add(mon_log2_u64(qb + 1u), st->lb.lnp));
                }
            }
        }
    }
    st->ja = ja;
    st->pa = pa;
    st->tv = tv;
}

/* TV and JS (tv_*, js_*) of out from the pass's sums on the counts >> sh; D = N_P N_Q of
 * those (< 2^62); tv_num, tv_den scaled back by 2^(2 sh). */
static void finish_tvjs(const pass_state *st, uint64_t dd, unsigned sh, mon_drift_result *out)
{
    uint64_t u[3], qq[3], jacc[3], r, hi, lo;
    mon_u128 js;
    /* tv_raw = round(tv 2^64 / (2D)) (tv <= 2D) */
    u[0] = 0;
    u[1] = st->tv;
    mon_w_div_round64(u, 2, 2u * dd, qq);
    out->tv_raw = mon_u128_make(qq[1], qq[0]);
    out->tv_num = mon_u128_shl(mon_u128_make(0, st->tv), 2u * sh);
    out->tv_den = mon_u128_shl(mon_u128_make(0, 2u * dd), 2u * sh);
    /* JS 2^126 = jacc 2^-125 2^126 / (2D) = jacc / D (jacc < 2^189), clamped at 2^126 */
    acc_limbs(&st->ja, jacc, 3);
    mon_w_div_round64(jacc, 3, dd, qq);
    js = mon_u128_make(qq[1], qq[0]);
    if ((qq[2] != 0u) || (mon_u128_cmp(js, mon_u128_make(UINT64_C(1) << 62, 0)) > 0))
        js = mon_u128_make(UINT64_C(1) << 62, 0);
    out->js_raw = js;
    /* nearest integer to sqrt(js): r + 1 when js - r^2 > r (js an integer: no ties) */
    r = mon_w_isqrt128(js);
    mon_w_mul64(r, r, &hi, &lo);
    if (mon_u128_cmp(mon_u128_sub(js, mon_u128_make(hi, lo)), mon_u128_make(0, r)) > 0) ++r;
    out->js_distance_raw = r;
    if (js.hi != 0u) {
        out->js_fp = mon_drift_fp_from(js, -MON_DRIFT_JS_FRAC_BITS);
    } else {
        /* js_raw < 2^64: jacc < 2^127 (jacc[2] = 0), and jacc 2^64 / D (>= 2^63 for any
         * JS > 0: a term is >= 2^61 units) is JS 2^190, truncated */
        uint64_t w[3], q3[3], rem = 0;
        unsigned i;
        w[0] = 0;
        w[1] = jacc[0];
        w[2] = jacc[1];
        for (i = 3; i-- > 0;) q3[i] = mon_w_div128_64(rem, w[i], dd, &rem);
        out->js_fp = (q3[2] != 0u) ? mon_drift_fp_from(mon_u128_make(q3[2], q3[1]), 64 - 190)
                                   : mon_drift_fp_from(mon_u128_make(q3[1], q3[0]), -190);
    }
    out->js_distance_fp = mon_drift_fp_sqrt(out->js_fp);
}

/* psi_raw of out: PSI 2^64 = 4 ln2 pacc 2^-125 2^64 / N~ = pacc LN2 / (N~ 2^123), N~ =
 * N_P~ N_Q~ < 2^62, pacc the sum of both PSI accumulators (< 2^192: sum |a - c| < 2^63 and
 * log2(a / c) < 62). */
static void finish_psi(const pass_state *st, uint64_t nbb, mon_drift_result *out)
{
    uint64_t pacc[PSI_LOG_LIMBS], u[PSI_LOG_LIMBS + 1], qq[PSI_LOG_LIMBS + 1], carry = 0;
    unsigned i, n;
    acc_limbs(&st->pa, pacc, PSI_LOG_LIMBS);
    (void)mon_w_add(pacc, pacc, st->pl, PSI_LOG_LIMBS);
    n = mon_w_len(pacc, PSI_LOG_LIMBS);
    for (i = 0; i < n; ++i) { /* u = pacc LN2 */
        uint64_t hi, lo;
        mon_w_mul64(pacc[i], mon_drift_ln2, &hi, &lo);
        lo += carry;
        hi += (lo < carry) ? 1u : 0u;
        u[i] = lo;
        carry = hi;
    }
    u[n] = carry;
    if (n == 0u) {
        out->psi_raw = mon_u128_make(0, 0);
        return;
    }
    mon_w_div_round_shift(u, n + 1u, mon_u128_make(0, nbb), 123u, qq);
    out->psi_raw = mon_u128_make(n >= 1u ? qq[1] : 0u, qq[0]);
}

void mon_drift_pass64(const uint64_t *p, const uint64_t *q, size_t nbins, uint64_t np, uint64_t nq,
                      unsigned shift, unsigned parts, mon_drift_result *out)
{
    pass_state st;
    unsigned i;
    st.ja.w0 = st.ja.w1 = st.ja.w2 = st.ja.cy = 0;
    st.pa = st.ja;
    for (i = 0; i < PSI_LOG_LIMBS; ++i) st.pl[i] = 0;
    st.tv = 0;
    st.lt.lnp = st.lt.lnq = st.lb.lnp = st.lb.lnq = mon_u128_make(0, 0);
    st.lt.have = st.lb.have = 0;
    if (parts == (MON_DRIFT_PART_TVJS | MON_DRIFT_PART_PSI)) {
        pass_bins(p, q, nbins, np, nq, 0, 1, 1, &st);
    } else if (parts == MON_DRIFT_PART_TVJS) {
        pass_bins(p, q, nbins, np, nq, shift, 1, 0, &st);
    } else {
        pass_bins(p, q, nbins, np, nq, 0, 0, 1, &st);
    }
    if ((parts & MON_DRIFT_PART_TVJS) != 0u)
        finish_tvjs(&st, (np >> shift) * (nq >> shift), shift, out);
    if ((parts & MON_DRIFT_PART_PSI) != 0u)
        finish_psi(&st, (np + (uint64_t)nbins) * (nq + (uint64_t)nbins), out);
}
