/*
 * Drift metrics in exact integer / fixed-point arithmetic (see mon_drift.h for the contract and
 * docs/drift_metrics.md for the derivations and error bounds).
 *
 * With A = P_b N_Q, C = Q_b N_P, S = A + C, n = |A - C| (exact integers < 2^107) and
 * D = N_P N_Q:
 *   TV  = sum n / (2D)                                   (exact rational, rounded once)
 *   JS  = sum T_b / (2D), T_b = A log2(2A/S) + C log2(2C/S) = S f(d) / (2 ln 2), d = n/S,
 *         f(d) = (1+d)ln(1+d) + (1-d)ln(1-d) = sum_k d^(2k) / (k(2k-1)).
 *         For |d| < 1/4 T_b = (n^2/S) sum_k g_k d^(2k) (series, relative precision per bin, no
 *         cancellation: this is what keeps sqrt(JS) accurate for near-identical inputs);
 *         otherwise T_b from fixed-point logs of the exact integers.
 *         T_b is accumulated in a 384-bit integer in 2^-240 units and divided once.
 *   PSI = sum (a - c)(ln a - ln c) / (den) with exact integer numerators a, c of p~ and q~ over a
 *         common denominator; logs are fixed-point log2 in 2^-64 units, converted to nats once.
 */
#include "mon_align_internal.h"
#include "mon_drift.h"
#include "mon_drift_internal.h"
#include "mon_log2_internal.h"
#include "mon_wide_internal.h"

/* The Estrin evaluation below is written for these term counts (the generator checks them). */
MON_STATIC_ASSERT(MON_DRIFT_SERIES_NTERMS == 16, series_terms);
MON_STATIC_ASSERT(MON_DRIFT_JS_SERIES_SHIFT == 2, series_threshold);

#define MAX_TOTAL ((uint64_t)MON_DRIFT_MAX_TOTAL)

/* ---- helpers --------------------------------------------------------------------------- */

/* Top 64 bits of x != 0 (truncated), x ~ result * 2^(bitlen - 64). */
static MON_ALWAYS_INLINE uint64_t top64(mon_u128 x, unsigned bitlen)
{
    if (bitlen <= 64) return x.lo << (64 - bitlen);
    return mon_u128_shr(x, bitlen - 64).lo;
}

/* The accumulators' format (2^-(128 + ACC_EXTRA) units over ACC_LIMBS limbs): mon_drift_internal.h. */
#define ACC_EXTRA MON_DRIFT_ACC_EXTRA
#define ACC_LIMBS MON_DRIFT_ACC_LIMBS

/* acc (ACC_LIMBS limbs) += v (4 limbs) * 2^(64 + ACC_EXTRA); the caller guarantees
 * v < 2^178, so nothing is lost. */
static void acc_add_log_term(uint64_t acc[ACC_LIMBS], const uint64_t v[4])
{
    enum {
        SH = 64 + ACC_EXTRA,
        LIMB = SH / 64,
        BITS = SH % 64
    };
    uint64_t t[ACC_LIMBS];
    unsigned i;
    for (i = 0; i < ACC_LIMBS; ++i) t[i] = 0;
    for (i = 0; i < 4; ++i) {
        if (i + LIMB < ACC_LIMBS) t[i + LIMB] |= v[i] << BITS;
        if (BITS != 0 && i + LIMB + 1 < ACC_LIMBS) t[i + LIMB + 1] |= v[i] >> (64 - BITS);
    }
    (void)mon_w_add(acc, acc, t, ACC_LIMBS);
}

/* ---- validation ------------------------------------------------------------------------ */

#define TOTALS_BLOCK 256u

static mon_status totals(const uint64_t *p, const uint64_t *q, size_t nbins, uint64_t *np,
                         uint64_t *nq, uint64_t *all_or)
{
    uint64_t sp = 0, sq = 0, all = 0;
    size_t b;
    if (p == NULL || q == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(p) || !MON_ALIGNED_U64(q)) return MON_E_ALIGN; /* count vectors */
    if (nbins == 0) return MON_E_LENGTH;
#if SIZE_MAX > 0xffffffffu
    /* (a 32-bit size_t cannot exceed the limit; the test would be always false there) */
    if ((uint64_t)nbins > (uint64_t)MON_DRIFT_MAX_BINS) return MON_E_LENGTH;
#endif
    /* In blocks of TOTALS_BLOCK bins, for fewer tests per bin: when the OR of a block's counts
     * is < 2^53, every count is, and the sums stay below 2^53 + 2^8 2^53 < 2^64 (no wrap) until
     * they are checked after the block; a block whose OR is >= 2^53 is checked count by count.
     * Any count or prefix sum over the limit gives MON_E_OVERFLOW, as a test per bin would. */
    for (b = 0; b < nbins;) {
        size_t end = nbins - b > TOTALS_BLOCK ? b + TOTALS_BLOCK : nbins;
        size_t b0 = b;
        uint64_t any = 0;
        for (; b < end; ++b) {
            uint64_t x = p[b], y = q[b];
            any |= x | y;
            sp += x;
            sq += y;
        }
        all |= any;
        if ((any >> 53) != 0) { /* some count >= 2^53 (the OR can exceed 2^53 without one) */
            size_t k;
            for (k = b0; k < end; ++k) {
                if (p[k] > MAX_TOTAL || q[k] > MAX_TOTAL) return MON_E_OVERFLOW;
            }
        }
        if (sp > MAX_TOTAL || sq > MAX_TOTAL) return MON_E_OVERFLOW;
    }
    if (sp == 0 || sq == 0) return MON_E_EMPTY;
    *np = sp;
    *nq = sq;
    *all_or = all;
    return MON_OK;
}

typedef struct psi_cfg {
    uint32_t smoothing;
    uint64_t mant; /* floor: odd mantissa of eps */
    unsigned g;    /* floor: eps = mant * 2^-g, 1 <= g <= 128 */
} psi_cfg;

static mon_status psi_config(const mon_psi_options *opt, psi_cfg *cfg)
{
    int64_t e;
    uint64_t m;
    unsigned bl;
    cfg->smoothing = MON_PSI_LAPLACE;
    cfg->mant = 0;
    cfg->g = 0;
    if (!MON_ALIGNED_U64(opt)) return MON_E_ALIGN;
    if (opt == NULL || opt->smoothing == MON_PSI_LAPLACE) return MON_OK;
    if (opt->smoothing != MON_PSI_FLOOR) return MON_E_VALUE;
    m = opt->eps_mant;
    e = opt->eps_exp2;
    if (m == 0) {
        m = (uint64_t)MON_DRIFT_FLOOR_EPS_DEFAULT_MANT;
        e = MON_DRIFT_FLOOR_EPS_DEFAULT_EXP2;
    }
    while ((m & 1u) == 0) {
        m >>= 1;
        ++e;
    }
    bl = 64u - mon_w_clz64(m);
    /* eps < 1  <=>  m < 2^-e  <=>  bl + e <= 0;  eps >= 2^-64  <=>  bl - 1 + e >= -64 */
    if ((int64_t)bl + e > 0) return MON_E_VALUE;
    if ((int64_t)bl - 1 + e < MON_DRIFT_FLOOR_EPS_MIN_EXP2) return MON_E_VALUE;
    cfg->smoothing = MON_PSI_FLOOR;
    cfg->mant = m;
    cfg->g = (unsigned)(-e);
    return MON_OK;
}

/* ---- per-bin terms --------------------------------------------------------------------- */

/* Series branch (4n < S, n > 0, d = n/S): acc += (n^2/S) * sum_k g[k] d^(2k) in
 * 2^-(128 + ACC_EXTRA) units (g: mon_drift_js_g or mon_drift_psi_h). Every step truncates a
 * 64-bit mantissa: relative error < 2^-60, and no cancellation however close the two bins are.
 * Split in three steps so that two series on the same (n, S) (JS and floor PSI) share the first
 * and the last's shift: series_prep (d, z = d^2 and its powers, the mantissa of n d),
 * series_poly (G(z) for one coefficient table), series_add (acc += n d G). */
typedef struct series_pre {
    uint64_t z, z2, z4, m1;
    int sh;
} series_pre;

/* From the normalised mantissas nm = top 64 bits of n (bit length en) and sm of s (es). Written
 * without data-dependent branches (the two cases below differ bin to bin, unpredictably). */
static MON_ALWAYS_INLINE void series_prep_norm(uint64_t nm, unsigned en, uint64_t sm, unsigned es,
                                               series_pre *sp)
{
    uint64_t qd, rem, hi, lo, z, k = nm >= sm, top;
    unsigned sz;
    int ed;
    /* d = n / s: qd = floor(nm 2^64 / sm) when nm < sm, floor(nm 2^63 / sm) otherwise */
    qd = mon_w_div128_64(k ? nm >> 1 : nm, k ? nm << 63 : 0u, sm, &rem);
    ed = (int)en - (int)es - 64 + (int)k;
    /* d = qd * 2^ed, qd in [2^63, 2^64); z = d^2 < 2^-4 in 2^-68 units (fits 64 bits) */
    mon_w_mul64(qd, qd, &hi, &lo);
    sz = (unsigned)(-(2 * ed + 68)); /* >= 64 because d < 1/4 */
    z = (sz - 64u < 64u) ? hi >> (sz - 64u) : 0;
    sp->z = z;
    sp->z2 = mon_w_mulhi64(z, z) >> 4;
    sp->z4 = mon_w_mulhi64(sp->z2, sp->z2) >> 4;
    /* m1 = the top 64 bits of nm qd (its top bit is bit 127 or 126) */
    mon_w_mul64(nm, qd, &hi, &lo);
    top = hi >> 63;
    lo = (hi << 1) | (lo >> 63);
    sp->m1 = top ? hi : lo;
    sp->sh = 63 + (int)top + (int)en + ed;
}

static MON_ALWAYS_INLINE void series_prep(mon_u128 n, mon_u128 s, series_pre *sp)
{
    unsigned en = mon_u128_bitlen(n), es = mon_u128_bitlen(s);
    series_prep_norm(top64(n, en), en, top64(s, es), es, sp);
}

/* Estrin: G = sum_k g_k z^k over 16 terms (all positive), z^j in 2^-68 units, so a product
 * z^j * x in 2^-64 units is mulhi(z^j, x) >> 4. The groups multiplied by z^4 and z^8 are skipped
 * when that power is below 2^MON_DRIFT_SERIES_SKIP_BITS: the group's bracket is then below
 * 2^(68 - MON_DRIFT_SERIES_SKIP_BITS) (the generator checks this bound for both tables), so the
 * product z^j * bracket < 2^68 and its mulhi(...) >> 4 is exactly 0: the same bits, only
 * cheaper (close bins). */
static MON_ALWAYS_INLINE uint64_t series_poly(const series_pre *sp, const uint64_t *g)
{
    uint64_t z = sp->z, z2 = sp->z2, z4 = sp->z4;
    uint64_t p0 = g[0] + (mon_w_mulhi64(z, g[1]) >> 4), p1 = g[2] + (mon_w_mulhi64(z, g[3]) >> 4);
    uint64_t r0 = p0 + (mon_w_mulhi64(z2, p1) >> 4);
    if ((z4 >> MON_DRIFT_SERIES_SKIP_BITS) != 0) {
        uint64_t z8 = mon_w_mulhi64(z4, z4) >> 4;
        uint64_t p2 = g[4] + (mon_w_mulhi64(z, g[5]) >> 4),
                 p3 = g[6] + (mon_w_mulhi64(z, g[7]) >> 4);
        r0 += mon_w_mulhi64(z4, p2 + (mon_w_mulhi64(z2, p3) >> 4)) >> 4;
        if ((z8 >> MON_DRIFT_SERIES_SKIP_BITS) != 0) {
            uint64_t p4 = g[8] + (mon_w_mulhi64(z, g[9]) >> 4),
                     p5 = g[10] + (mon_w_mulhi64(z, g[11]) >> 4),
                     p6 = g[12] + (mon_w_mulhi64(z, g[13]) >> 4),
                     p7 = g[14] + (mon_w_mulhi64(z, g[15]) >> 4);
            uint64_t r1 = (p4 + (mon_w_mulhi64(z2, p5) >> 4)) +
                          (mon_w_mulhi64(z4, p6 + (mon_w_mulhi64(z2, p7) >> 4)) >> 4);
            r0 += mon_w_mulhi64(z8, r1) >> 4;
        }
    }
    return r0;
}

/* acc += m * h * 2^sh exactly (mon_w_add_shifted128 of the product). Where unsigned __int128
 * exists and the three limbs touched are inside acc (always, for the documented ranges), the
 * shift goes into h first (h 2^bits = hh:hl) and the two partial products are added with one
 * add-with-carry chain: fewer instructions than shifting the 128-bit product. */
static MON_ALWAYS_INLINE void acc_add_mul(uint64_t acc[ACC_LIMBS], uint64_t m, uint64_t h, int sh)
{
    uint64_t hi, lo;
#if MON_HAVE_INT128
    if (sh >= 0 && sh < 64 * (ACC_LIMBS - 2)) {
        unsigned limb = (unsigned)sh >> 6, bits = (unsigned)sh & 63u, i;
        /* (h >> 1) >> (63 - bits) is h >> (64 - bits), without a shift by 64 when bits == 0 */
        uint64_t hl = h << bits, hh = (h >> 1) >> (63u - bits), s0;
        mon_w_native128 p0 = (mon_w_native128)m * hl, p1 = (mon_w_native128)m * hh;
        mon_w_native128 w;
        /* m hh < 2^127: adding the carry limb cannot wrap */
        p1 += (uint64_t)(p0 >> 64);
        s0 = acc[limb] + (uint64_t)p0;
        p1 += s0 < (uint64_t)p0;
        w = (((mon_w_native128)acc[limb + 2] << 64) | acc[limb + 1]) + p1;
        acc[limb] = s0;
        acc[limb + 1] = (uint64_t)w;
        acc[limb + 2] = (uint64_t)(w >> 64);
        if (w < p1) {
            for (i = limb + 3; i < ACC_LIMBS; ++i) {
                if (++acc[i] != 0) break;
            }
        }
        return;
    }
#endif
    mon_w_mul64(m, h, &hi, &lo);
    mon_w_add_shifted128(acc, ACC_LIMBS, mon_u128_make(hi, lo), sh);
}

static MON_ALWAYS_INLINE void series_add(uint64_t acc[ACC_LIMBS], const series_pre *sp, uint64_t h)
{
    acc_add_mul(acc, sp->m1, h, sp->sh + ACC_EXTRA);
}

static MON_ALWAYS_INLINE void series_term(uint64_t acc[ACC_LIMBS], mon_u128 n, mon_u128 s,
                                          const uint64_t *g)
{
    series_pre sp;
    series_prep(n, s, &sp);
    series_add(acc, &sp, series_poly(&sp, g));
}

/* JS log branch: acc += (X log2(2X/S) - Y log2(S/(2Y))) * 2^(128 + ACC_EXTRA) where X >= Y are A, C and
 * lx = log2(X), ly = log2(Y) (2^-64 units, Y > 0). */
static void js_logs(uint64_t acc[ACC_LIMBS], mon_u128 x, mon_u128 y, mon_u128 lx, mon_u128 ly,
                    mon_u128 s)
{
    mon_u128 ls = mon_log2_u128(s), one = mon_u128_make(1, 0), ax, ay;
    uint64_t px[4], py[4], t[4];
    ax = mon_u128_add(lx, one);
    if (mon_u128_cmp(ax, ls) <= 0) return; /* impossible for |d| >= 1/4 */
    ax = mon_u128_sub(ax, ls);
    ay = mon_u128_add(ly, one);
    if (mon_u128_cmp(ls, ay) <= 0) return; /* impossible for |d| >= 1/4 */
    ay = mon_u128_sub(ls, ay);
    mon_w_mul128(px, x, ax);
    mon_w_mul128(py, y, ay);
    if (mon_w_sub(t, px, py, 4)) return; /* negative: impossible for |d| >= 1/4 */
    acc_add_log_term(acc, t);
}

/* acc += |a - c| * |la - lc| when the differences agree in sign (they always do except when
 * the exact difference of logs is below the log error, where the term is ~0 anyway). */
static void psi_pair(uint64_t acc[4], mon_u128 a, mon_u128 c, mon_u128 la, mon_u128 lc)
{
    int ca = mon_u128_cmp(a, c), cl = mon_u128_cmp(la, lc);
    uint64_t t[4];
    if (ca == 0 || ca != cl) return;
    if (ca > 0) {
        mon_w_mul128(t, mon_u128_sub(a, c), mon_u128_sub(la, lc));
    } else {
        mon_w_mul128(t, mon_u128_sub(c, a), mon_u128_sub(lc, la));
    }
    (void)mon_w_add(acc, acc, t, 4);
}

/* u256 of x * 2^g (x < 2^64, g <= 128). */
static void shl_u64_to_256(uint64_t r[4], uint64_t x, unsigned g)
{
    unsigned limb = g / 64u, bits = g % 64u;
    r[0] = r[1] = r[2] = r[3] = 0;
    r[limb] = x << bits;
    if (bits) r[limb + 1] = x >> (64u - bits);
}

/* Floor PSI, bin with exactly one side floored: acc += (x 2^g - M N) * (log2(x/N) - log2 eps)
 * in 2^-64 units, where x/N >= eps is the unfloored side. */
static void psi_floor_mixed(uint64_t acc[4], uint64_t x, uint64_t ntot, mon_u128 lx, mon_u128 lntot,
                            const psi_cfg *cfg, mon_u128 lm)
{
    uint64_t xs[4], mn[4], num[4], prod[8], lda[2];
    mon_u128 mnu = mon_u128_mul64(cfg->mant, ntot), l1, l2, ld;
    shl_u64_to_256(xs, x, cfg->g);
    mn[0] = mnu.lo;
    mn[1] = mnu.hi;
    mn[2] = mn[3] = 0;
    if (mon_w_sub(num, xs, mn, 4)) return; /* x/N < eps: caller classified it as floored */
    l1 = mon_u128_add(lx, mon_u128_make(cfg->g, 0));
    l2 = mon_u128_add(lntot, lm);
    if (mon_u128_cmp(l1, l2) <= 0) return;
    ld = mon_u128_sub(l1, l2);
    lda[0] = ld.lo;
    lda[1] = ld.hi;
    mon_w_mul(prod, num, 4, lda, 2); /* < 2^251 (see docs) */
    (void)mon_w_add(acc, acc, prod, 4);
}

/* x/N < eps, i.e. x 2^g < M N (mn = M N < 2^117, precomputed per vector; 1 <= g <= 128). */
static MON_ALWAYS_INLINE int floored(uint64_t x, mon_u128 mn, unsigned g)
{
    unsigned bx;
    if (x == 0) return 1; /* 0 < M N */
    bx = 64u - mon_w_clz64(x);
    if (bx + g > 128u) return 0; /* x 2^g >= 2^(bx - 1 + g) >= 2^128 > M N */
    return mon_u128_cmp(mon_u128_shl(mon_u128_make(0, x), g), mn) < 0;
}

/* acc (ACC_LIMBS limbs, 2^-(126 + ACC_EXTRA) units) += v (4 limbs, < 2^196, 2^-64 units). */
static void add_log_psi(uint64_t acc[ACC_LIMBS], const uint64_t v[4])
{
    enum {
        SH = 62 + ACC_EXTRA,
        LIMB = SH / 64,
        BITS = SH % 64
    };
    uint64_t t[ACC_LIMBS];
    unsigned i;
    if (mon_w_len(v, 4) == 0) return;
    for (i = 0; i < ACC_LIMBS; ++i) t[i] = 0;
    for (i = 0; i < 4; ++i) {
        if (i + LIMB < ACC_LIMBS) t[i + LIMB] |= v[i] << BITS;
        if (BITS != 0 && i + LIMB + 1 < ACC_LIMBS) t[i + LIMB + 1] |= v[i] >> (64 - BITS);
    }
    (void)mon_w_add(acc, acc, t, ACC_LIMBS);
}

/* psi_raw += round(acc * ln2 / (d1 * d2 * 2^(64 + g))); acc has an <= ACC_LIMBS limbs. */
static void psi_finish(mon_u128 *psi_raw, const uint64_t *acc, unsigned an, uint64_t d1,
                       uint64_t d2, unsigned g)
{
    uint64_t u[ACC_LIMBS + 1], qq[ACC_LIMBS + 1], carry = 0;
    unsigned i;
    an = mon_w_len(acc, an);
    if (an == 0) return;       /* nothing accumulated: adds 0 */
    for (i = 0; i < an; ++i) { /* u = acc * ln2 (2^-64 units) */
        uint64_t hi, lo;
        mon_w_mul64(acc[i], mon_drift_ln2, &hi, &lo);
        lo += carry;
        hi += lo < carry;
        u[i] = lo;
        carry = hi;
    }
    u[an] = carry;
    mon_w_div_round_shift(u, an + 1, mon_u128_mul64(d1, d2), 64u + g, qq);
    psi_raw->lo += qq[0];
    psi_raw->hi += qq[1] + (psi_raw->lo < qq[0]);
}

/* ---- PSI per bin ----------------------------------------------------------------------- */

typedef struct psi_ctx {
    psi_cfg cfg;
    uint64_t np, nq, npb, nqb;
    mon_u128 lnp, lnq, lnpb, lnqb, lm; /* logs of the totals, computed on first need */
    mon_u128 mnp, mnq;                 /* floor: M N_P, M N_Q (eps = M 2^-g) */
    int have_ltot, have_lb;
} psi_ctx;

typedef struct psi_accs {
    uint64_t s[ACC_LIMBS]; /* series terms (and, at the end, the log terms), 2^-(126+EXTRA) */
    uint64_t l[4];         /* log terms (a-c) log2(a/c), 2^-64 units */
    uint64_t p[4], q[4];   /* floor: bins where only expected / only actual is floored */
} psi_accs;

static void psi_need_ltot(psi_ctx *x)
{
    if (!x->have_ltot) {
        x->lnp = mon_log2_u64(x->np);
        x->lnq = mon_log2_u64(x->nq);
        x->have_ltot = 1;
    }
}

static void psi_ctx_init(psi_ctx *x, const psi_cfg *cfg, uint64_t np, uint64_t nq, size_t nbins)
{
    mon_u128 zero = mon_u128_make(0, 0);
    x->cfg = *cfg;
    x->np = np;
    x->nq = nq;
    x->npb = np + (uint64_t)nbins;
    x->nqb = nq + (uint64_t)nbins;
    x->lnp = x->lnq = x->lnpb = x->lnqb = x->lm = zero;
    x->have_ltot = x->have_lb = 0;
    x->mnp = mon_u128_mul64(cfg->mant, np);
    x->mnq = mon_u128_mul64(cfg->mant, nq);
    if (cfg->smoothing == MON_PSI_FLOOR) x->lm = mon_log2_u64(cfg->mant);
}

static void psi_accs_clear(psi_accs *a)
{
    unsigned i;
    for (i = 0; i < ACC_LIMBS; ++i) a->s[i] = 0;
    for (i = 0; i < 4; ++i) a->l[i] = a->p[i] = a->q[i] = 0;
}

/* Laplace PSI, log branch: aa = (pb + 1) N_Q~, cc = (qb + 1) N_P~. */
static void psi_laplace_logs(psi_ctx *x, psi_accs *acc, uint64_t pb, uint64_t qb, mon_u128 aa,
                             mon_u128 cc)
{
    if (!x->have_lb) {
        x->lnpb = mon_log2_u64(x->npb);
        x->lnqb = mon_log2_u64(x->nqb);
        x->have_lb = 1;
    }
    psi_pair(acc->l, aa, cc, mon_u128_add(mon_log2_u64(pb + 1u), x->lnqb),
             mon_u128_add(mon_log2_u64(qb + 1u), x->lnpb));
}

/* Accumulate bin (pb, qb); a = pb N_Q, c = qb N_P, n = |a - c|. */

static MON_ALWAYS_INLINE void psi_bin(psi_ctx *x, psi_accs *acc, uint32_t smoothing, uint64_t pb,
                                      uint64_t qb, mon_u128 a, mon_u128 c, mon_u128 n)
{
    if (smoothing == MON_PSI_LAPLACE) {
        mon_u128 aa, cc, nn, ss;
        int cmp;
        if (pb == qb && x->np == x->nq) return;
        aa = mon_u128_mul64(pb + 1u, x->nqb);
        cc = mon_u128_mul64(qb + 1u, x->npb);
        cmp = mon_u128_cmp(aa, cc);
        if (cmp == 0) return; /* identical smoothed proportions: term 0 */
        nn = cmp > 0 ? mon_u128_sub(aa, cc) : mon_u128_sub(cc, aa);
        ss = mon_u128_add(aa, cc);
        if (mon_u128_cmp(mon_u128_shl(nn, MON_DRIFT_JS_SERIES_SHIFT), ss) < 0) {
            series_term(acc->s, nn, ss, mon_drift_psi_h);
            return;
        }
        psi_laplace_logs(x, acc, pb, qb, aa, cc);
    } else {
        int fp = floored(pb, x->mnp, x->cfg.g), fq = floored(qb, x->mnq, x->cfg.g);
        if (fp && fq) return; /* both floored: eps - eps = 0 */
        psi_need_ltot(x);
        if (!fp && !fq) {
            mon_u128 ss = mon_u128_add(a, c);
            if (mon_u128_is_zero(n)) return; /* p_b == q_b: term 0 */
            if (mon_u128_cmp(mon_u128_shl(n, MON_DRIFT_JS_SERIES_SHIFT), ss) < 0) {
                series_term(acc->s, n, ss, mon_drift_psi_h);
            } else {
                psi_pair(acc->l, a, c, mon_u128_add(mon_log2_u64(pb), x->lnq),
                         mon_u128_add(mon_log2_u64(qb), x->lnp));
            }
        } else if (fp) {
            psi_floor_mixed(acc->q, qb, x->nq, mon_log2_u64(qb), x->lnq, &x->cfg, x->lm);
        } else {
            psi_floor_mixed(acc->p, pb, x->np, mon_log2_u64(pb), x->lnp, &x->cfg, x->lm);
        }
    }
}

/* PSI raw (2^-64 nats) of what acc holds; acc->s is consumed. */
static mon_u128 psi_total(const psi_ctx *x, psi_accs *acc)
{
    mon_u128 psi = mon_u128_make(0, 0);
    /* series terms are (a-c) log2(a/c) / 4 in 2^-(128 + ACC_EXTRA) units, log terms
     * (a-c) log2(a/c) in 2^-64 units: one sum in 2^-(126 + ACC_EXTRA) units (< 2^370) */
    add_log_psi(acc->s, acc->l);
    if (x->cfg.smoothing == MON_PSI_LAPLACE) {
        psi_finish(&psi, acc->s, ACC_LIMBS, x->npb, x->nqb, 62 + ACC_EXTRA);
    } else {
        psi_finish(&psi, acc->s, ACC_LIMBS, x->np, x->nq, 62 + ACC_EXTRA);
        psi_finish(&psi, acc->p, 4, x->np, 1, x->cfg.g);
        psi_finish(&psi, acc->q, 4, x->nq, 1, x->cfg.g);
    }
    return psi;
}

/* ---- the one pass ---------------------------------------------------------------------- */

#define WANT_TV 1u
#define WANT_JS 2u
#define WANT_PSI 4u

/* The per-bin pass; inlined into drift_core with want and smoothing constant, so that each of the
 * common combinations gets a loop without the tests of the others. */
static MON_ALWAYS_INLINE void drift_bins(const uint64_t *p, const uint64_t *q, size_t nbins,
                                         unsigned want, uint32_t smoothing, psi_ctx *px,
                                         psi_accs *pacc, uint64_t js_acc[ACC_LIMBS],
                                         mon_u128 *tvnum)
{
    uint64_t np = px->np, nq = px->nq;
    size_t b;
    for (b = 0; b < nbins; ++b) {
        uint64_t pb = p[b], qb = q[b];
        mon_u128 a = mon_u128_mul64(pb, nq), c = mon_u128_mul64(qb, np), n;
        int a_big = mon_u128_cmp(a, c) >= 0;
        n = a_big ? mon_u128_sub(a, c) : mon_u128_sub(c, a);
        int psi_done = 0;
        if (want & WANT_TV) *tvnum = mon_u128_add(*tvnum, n);
        if ((want & WANT_JS) && !mon_u128_is_zero(n)) {
            mon_u128 s = mon_u128_add(a, c);
            if (mon_u128_cmp(mon_u128_shl(n, MON_DRIFT_JS_SERIES_SHIFT), s) < 0) {
                series_pre sp;
                series_prep(n, s, &sp);
                series_add(js_acc, &sp, series_poly(&sp, mon_drift_js_g));
                /* floor PSI of a bin where neither side is floored takes the series on the same
                 * (n, S): the same terms as psi_bin's, with the shared steps done once */
                if ((want & WANT_PSI) && smoothing == MON_PSI_FLOOR &&
                    !floored(pb, px->mnp, px->cfg.g) && !floored(qb, px->mnq, px->cfg.g)) {
                    series_add(pacc->s, &sp, series_poly(&sp, mon_drift_psi_h));
                    psi_done = 1;
                }
            } else {
                mon_u128 x = a_big ? a : c, y = a_big ? c : a;
                if (mon_u128_is_zero(y)) {
                    /* log2(2X/X) = 1 exactly: T_b = X */
                    mon_w_add_shifted128(js_acc, ACC_LIMBS, x, 128 + ACC_EXTRA);
                } else {
                    mon_u128 lp, lq;
                    psi_need_ltot(px);
                    lp = mon_u128_add(mon_log2_u64(pb), px->lnq);
                    lq = mon_u128_add(mon_log2_u64(qb), px->lnp);
                    if (a_big)
                        js_logs(js_acc, a, c, lp, lq, s);
                    else
                        js_logs(js_acc, c, a, lq, lp, s);
                }
            }
        }
        if ((want & WANT_PSI) && !psi_done) psi_bin(px, pacc, smoothing, pb, qb, a, c, n);
    }
}

/* The PSI of the pass above when every product fits 64 bits, N_P N_Q < 2^62 (a, c, n < 2^62):
 * the same integers held in one limb, so the same bits (floor smoothing, and Laplace beyond
 * mon_drift_series.c's range). */
static void psi_bins64(const uint64_t *p, const uint64_t *q, size_t nbins, psi_ctx *px,
                       psi_accs *pacc)
{
    uint64_t np = px->np, nq = px->nq;
    size_t b;
    for (b = 0; b < nbins; ++b) {
        uint64_t pb = p[b], qb = q[b], a = pb * nq, c = qb * np;
        uint64_t n = (a >= c) ? a - c : c - a;
        psi_bin(px, pacc, px->cfg.smoothing, pb, qb, mon_u128_make(0, a), mon_u128_make(0, c),
                mon_u128_make(0, n));
    }
}

/* a * b < 2^62 (a, b <= 2^53 + 2^60). */
static int fits62(uint64_t a, uint64_t b)
{
    uint64_t hi, lo;
    mon_w_mul64(a, b, &hi, &lo);
    return hi == 0 && (lo >> 62) == 0;
}

/* The common power of two of every count: k = the trailing zeros of all_or != 0 (the OR of all
 * counts; k <= 53, and the counts >> k are exact with totals >= 1). Masked to 0..63 so that an
 * all-zero all_or (refused by totals() before this is reached) still gives a defined shift. */
static unsigned common_shift(uint64_t all_or)
{
    return (63u - mon_w_clz64(all_or & (~all_or + 1u))) & 63u;
}

static mon_status drift_core(const uint64_t *p, const uint64_t *q, size_t nbins,
                             const mon_psi_options *opt, unsigned want, mon_drift_result *out)
{
    uint64_t np = 0, nq = 0, all_or = 0;
    uint64_t js_acc[ACC_LIMBS] = {0, 0, 0, 0, 0, 0};
    mon_u128 tvnum = mon_u128_make(0, 0), dd;
    psi_cfg cfg;
    psi_ctx px;
    psi_accs pacc;
    unsigned rest = want, k;
    mon_status st = totals(p, q, nbins, &np, &nq, &all_or);
    if (st != MON_OK) return st;
    st = psi_config(opt, &cfg);
    if (st != MON_OK && (want & WANT_PSI)) return st;

    /* mon_drift_series.c's 64-bit pass (golden v2) for TV and JS when the counts divided by
     * their common power of two 2^k give N_P N_Q < 2^62 (so
     * scaling both vectors by a power of two leaves TV and JS bit-identical, and every entry
     * point chooses alike), and for Laplace PSI on the counts themselves (PSI's smoothing is
     * not scale-free); the rest below */
    k = common_shift(all_or);
    if ((want & (WANT_TV | WANT_JS)) != 0u && fits62(np >> k, nq >> k))
        rest &= ~(WANT_TV | WANT_JS);
    if ((want & WANT_PSI) != 0u && cfg.smoothing == MON_PSI_LAPLACE && fits62(np, nq) &&
        fits62(np + (uint64_t)nbins, nq + (uint64_t)nbins))
        rest &= ~WANT_PSI;
    if (rest != want) {
        unsigned done = want & ~rest;
        if (done == (WANT_TV | WANT_JS | WANT_PSI) && k == 0u) {
            mon_drift_pass64(p, q, nbins, np, nq, 0, MON_DRIFT_PART_TVJS | MON_DRIFT_PART_PSI, out);
        } else {
            if ((done & (WANT_TV | WANT_JS)) != 0u)
                mon_drift_pass64(p, q, nbins, np, nq, k, MON_DRIFT_PART_TVJS, out);
            if ((done & WANT_PSI) != 0u)
                mon_drift_pass64(p, q, nbins, np, nq, 0, MON_DRIFT_PART_PSI, out);
        }
        if (rest == 0u) { /* everything from the 64-bit pass (no set-up of the wide pass) */
            out->total_actual = np;
            out->total_expected = nq;
            return MON_OK;
        }
    }
    psi_ctx_init(&px, &cfg, np, nq, nbins);
    psi_accs_clear(&pacc);
    if (rest == WANT_PSI && fits62(np, nq))
        psi_bins64(p, q, nbins, &px, &pacc);
    else if (rest == (WANT_TV | WANT_JS | WANT_PSI) && cfg.smoothing == MON_PSI_LAPLACE)
        drift_bins(p, q, nbins, WANT_TV | WANT_JS | WANT_PSI, MON_PSI_LAPLACE, &px, &pacc, js_acc,
                   &tvnum);
    else if (rest == (WANT_TV | WANT_JS | WANT_PSI))
        drift_bins(p, q, nbins, WANT_TV | WANT_JS | WANT_PSI, MON_PSI_FLOOR, &px, &pacc, js_acc,
                   &tvnum);
    else
        drift_bins(p, q, nbins, rest, cfg.smoothing, &px, &pacc, js_acc, &tvnum);

    dd = mon_u128_mul64(np, nq);
    if (rest & WANT_TV) {
        uint64_t u[3], qq[3];
        u[0] = 0;
        u[1] = tvnum.lo;
        u[2] = tvnum.hi;
        mon_w_div_round_shift(u, 3, dd, 1, qq); /* num 2^64 / (2D) */
        out->tv_raw = mon_u128_make(qq[1], qq[0]);
        out->tv_num = tvnum;
        out->tv_den = mon_u128_shl(dd, 1);
    }
    if (rest & WANT_JS) {
        uint64_t qq[ACC_LIMBS];
        mon_u128 js;
        /* JS * 2^126 = acc * 2^-(128 + ACC_EXTRA) * 2^126 / (2D) = acc / (D 2^(3 + ACC_EXTRA)) */
        mon_w_div_round_shift(js_acc, ACC_LIMBS, dd, 3 + ACC_EXTRA, qq);
        js = mon_u128_make(qq[1], qq[0]);
        if (qq[2] | qq[3] | qq[4] | qq[5] ||
            mon_u128_cmp(js, mon_u128_make(UINT64_C(1) << 62, 0)) > 0) {
            js = mon_u128_make(UINT64_C(1) << 62, 0);
        }
        out->js_raw = js;
        {
            uint64_t r = mon_w_isqrt128(js), hi, lo;
            mon_u128 sq, rem;
            /* round to nearest: r + 1 when js - r^2 > r (js is an integer, no ties) */
            mon_w_mul64(r, r, &hi, &lo);
            sq = mon_u128_make(hi, lo);
            rem = mon_u128_sub(js, sq);
            if (mon_u128_cmp(rem, mon_u128_make(0, r)) > 0) ++r;
            out->js_distance_raw = r;
        }
        mon_drift_js_fp_finish(js_acc, dd, js, &out->js_fp, &out->js_distance_fp);
    }
    if (rest & WANT_PSI) out->psi_raw = psi_total(&px, &pacc);
    out->total_actual = np;
    out->total_expected = nq;
    return MON_OK;
}

/* ---- public entry points --------------------------------------------------------------- */

mon_status mon_drift_tv(const uint64_t *p, const uint64_t *q, size_t nbins, mon_u128 *raw,
                        mon_u128 *num, mon_u128 *den)
{
    mon_drift_result r;
    mon_status st = drift_core(p, q, nbins, NULL, WANT_TV, &r);
    if (st != MON_OK) return st;
    if (!MON_ALIGNED_U64(raw) || !MON_ALIGNED_U64(num) || !MON_ALIGNED_U64(den)) return MON_E_ALIGN;
    if (raw) *raw = r.tv_raw;
    if (num) *num = r.tv_num;
    if (den) *den = r.tv_den;
    return MON_OK;
}

mon_status mon_drift_js(const uint64_t *p, const uint64_t *q, size_t nbins, mon_u128 *js_raw,
                        uint64_t *distance_raw)
{
    mon_drift_result r;
    mon_status st = drift_core(p, q, nbins, NULL, WANT_JS, &r);
    if (st != MON_OK) return st;
    if (!MON_ALIGNED_U64(js_raw) || !MON_ALIGNED_U64(distance_raw)) return MON_E_ALIGN;
    if (js_raw) *js_raw = r.js_raw;
    if (distance_raw) *distance_raw = r.js_distance_raw;
    return MON_OK;
}

mon_status mon_drift_js_fp(const uint64_t *p, const uint64_t *q, size_t nbins, mon_drift_fp *js,
                           mon_drift_fp *distance)
{
    mon_drift_result r;
    mon_status st = drift_core(p, q, nbins, NULL, WANT_JS, &r);
    if (st != MON_OK) return st;
    if (js) *js = r.js_fp;
    if (distance) *distance = r.js_distance_fp;
    return MON_OK;
}

mon_status mon_drift_psi(const uint64_t *actual, const uint64_t *expected, size_t nbins,
                         const mon_psi_options *opt, mon_u128 *psi_raw)
{
    mon_drift_result r;
    mon_status st = drift_core(actual, expected, nbins, opt, WANT_PSI, &r);
    if (st != MON_OK) return st;
    if (!MON_ALIGNED_U64(psi_raw)) return MON_E_ALIGN;
    if (psi_raw) *psi_raw = r.psi_raw;
    return MON_OK;
}

mon_status mon_drift_psi_bins(const uint64_t *actual, const uint64_t *expected, size_t nbins,
                              const mon_psi_options *opt, mon_u128 *contrib_raw)
{
    uint64_t np = 0, nq = 0, all_or = 0;
    psi_cfg cfg;
    psi_ctx px;
    psi_accs acc;
    size_t b;
    mon_status st;
    if (contrib_raw == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(contrib_raw)) return MON_E_ALIGN;
    st = totals(actual, expected, nbins, &np, &nq, &all_or);
    if (st != MON_OK) return st;
    st = psi_config(opt, &cfg);
    if (st != MON_OK) return st;
    psi_ctx_init(&px, &cfg, np, nq, nbins);
    for (b = 0; b < nbins; ++b) {
        uint64_t pb = actual[b], qb = expected[b];
        mon_u128 a = mon_u128_mul64(pb, nq), c = mon_u128_mul64(qb, np);
        mon_u128 n = mon_u128_cmp(a, c) >= 0 ? mon_u128_sub(a, c) : mon_u128_sub(c, a);
        psi_accs_clear(&acc);
        psi_bin(&px, &acc, cfg.smoothing, pb, qb, a, c, n);
        contrib_raw[b] = psi_total(&px, &acc);
    }
    return MON_OK;
}

mon_status mon_drift_scores(const uint64_t *actual, const uint64_t *expected, size_t nbins,
                            const mon_psi_options *opt, mon_drift_result *out)
{
    mon_drift_result r;
    mon_status st;
    if (out == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out)) return MON_E_ALIGN;
    st = drift_core(actual, expected, nbins, opt, WANT_TV | WANT_JS | WANT_PSI, &r);
    if (st != MON_OK) return st;
    *out = r;
    return MON_OK;
}
