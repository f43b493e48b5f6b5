/* Exact wide-integer helpers for the drift metrics (see mon_wide_internal.h). */
#include "mon_wide_internal.h"

void mon_w_mul(uint64_t *r, const uint64_t *a, unsigned an, const uint64_t *b, unsigned bn)
{
    unsigned i, j;
    for (i = 0; i < an + bn; ++i) r[i] = 0;
    for (i = 0; i < an; ++i) {
        uint64_t carry = 0;
        for (j = 0; j < bn; ++j) {
            uint64_t hi, lo, s;
            mon_w_mul64(a[i], b[j], &hi, &lo);
            s = r[i + j] + lo;
            hi += s < lo;
            s += carry;
            hi += s < carry;
            r[i + j] = s;
            carry = hi; /* hi <= 2^64 - 2 before the two increments: no overflow */
        }
        r[i + bn] = carry;
    }
}

static unsigned clz32(uint32_t x)
{
    unsigned n = 0;
    if (!(x & 0xffff0000u)) {
        n += 16;
        x <<= 16;
    }
    if (!(x & 0xff000000u)) {
        n += 8;
        x <<= 8;
    }
    if (!(x & 0xf0000000u)) {
        n += 4;
        x <<= 4;
    }
    if (!(x & 0xc0000000u)) {
        n += 2;
        x <<= 2;
    }
    if (!(x & 0x80000000u)) {
        n += 1;
    }
    return n;
}

void mon_w_divmod(const uint64_t *u, unsigned un, const uint64_t *v, unsigned vn, uint64_t *q,
                  uint64_t *r)
{
    uint32_t U[2 * MON_W_MAXU + 1], V[2 * MON_W_MAXV], Q[2 * MON_W_MAXU];
    unsigned m = 2 * un, n = 2 * vn, i, s;
    int j;

    for (i = 0; i < un; ++i) {
        U[2 * i] = (uint32_t)u[i];
        U[2 * i + 1] = (uint32_t)(u[i] >> 32);
    }
    U[m] = 0;
    for (i = 0; i < vn; ++i) {
        V[2 * i] = (uint32_t)v[i];
        V[2 * i + 1] = (uint32_t)(v[i] >> 32);
    }
    for (i = 0; i < m; ++i) Q[i] = 0;
    for (i = 0; i < un; ++i) q[i] = 0;
    for (i = 0; i < vn; ++i) r[i] = 0;
    while (n > 0 && V[n - 1] == 0) --n;
    while (m > 0 && U[m - 1] == 0) --m;
    if (n == 0) return; /* division by zero: caller bug; q = r = 0 */

    if (m < n) { /* u < v: q = 0, r = u (u fits in vn limbs since m < n <= 2 vn) */
        for (i = 0; i < vn && i < un; ++i) r[i] = u[i];
        return;
    }
    if (n == 1) {
        uint64_t rem = 0, d = V[0];
        for (j = (int)m - 1; j >= 0; --j) {
            uint64_t num = (rem << 32) | U[j];
            Q[j] = (uint32_t)(num / d);
            rem = num % d;
        }
        r[0] = rem;
    } else {
        s = clz32(V[n - 1]);
        if (s) {
            for (i = n - 1; i > 0; --i) V[i] = (V[i] << s) | (V[i - 1] >> (32 - s));
            V[0] <<= s;
            U[m] = U[m - 1] >> (32 - s);
            for (i = m - 1; i > 0; --i) U[i] = (U[i] << s) | (U[i - 1] >> (32 - s));
            U[0] <<= s;
        } else {
            U[m] = 0;
        }
        for (j = (int)(m - n); j >= 0; --j) {
            uint64_t num = ((uint64_t)U[j + (int)n] << 32) | U[j + (int)n - 1];
            uint64_t qhat = num / V[n - 1];
            uint64_t rhat = num % V[n - 1];
            uint64_t borrow = 0, t;
            while (qhat >= (UINT64_C(1) << 32) ||
                   qhat * V[n - 2] > ((rhat << 32) | U[j + (int)n - 2])) {
                --qhat;
                rhat += V[n - 1];
                if (rhat >= (UINT64_C(1) << 32)) break;
            }
            for (i = 0; i < n; ++i) {
                uint64_t p = qhat * V[i];
                uint64_t hi32;
                t = (uint64_t)U[(unsigned)j + i] - (p & 0xffffffffu) - borrow;
                U[(unsigned)j + i] = (uint32_t)t;
                hi32 = t >> 32;
                borrow = (p >> 32) + (hi32 ? ((UINT64_C(1) << 32) - hi32) : 0);
            }
            t = (uint64_t)U[(unsigned)j + n] - borrow;
            U[(unsigned)j + n] = (uint32_t)t;
            if (t >> 32) {
                /* the subtraction went negative (qhat one too large): add v back once */
                uint64_t carry = 0;
                --qhat;
                for (i = 0; i < n; ++i) {
                    uint64_t sm = (uint64_t)U[(unsigned)j + i] + V[i] + carry;
                    U[(unsigned)j + i] = (uint32_t)sm;
                    carry = sm >> 32;
                }
                U[(unsigned)j + n] = (uint32_t)(U[(unsigned)j + n] + carry);
            }
            Q[j] = (uint32_t)qhat;
        }
        /* remainder = U[0..n) >> s */
        for (i = 0; i < n; ++i) {
            uint32_t lo = s ? (U[i] >> s) | (uint32_t)((uint64_t)U[i + 1] << (32 - s)) : U[i];
            r[i / 2] |= (uint64_t)lo << (32 * (i % 2));
        }
    }
    for (i = 0; i < m; ++i) q[i / 2] |= (uint64_t)Q[i] << (32 * (i % 2));
}

/* 2^14 / sqrt(w) at the middle of w in [i/16, (i+1)/16), i = 4..15: a seed within 5.8% (2^-4.1)
 * of 1/sqrt(w) for every w in [1/4, 1) (only the seed; the result below is corrected exactly).
 * Indexed by (i - 4) & 15: entries 12..15 are never read (i >= 4), they make the index bound
 * evident to a static analyser (Frama-C/Eva). */
static const uint16_t isqrt_seed[16] = {30894, 27945, 25705, 23930, 22479, 21263, 20225, 19326,
                                        18536, 17837, 17211, 16646, 16646, 16646, 16646, 16646};

uint64_t mon_w_isqrt128(mon_u128 x)
{
    unsigned b, k, i;
    uint64_t u, y, hi, lo, s, qd, rem;
    mon_u128 xn;
    if (mon_u128_is_zero(x)) return 0;
    b = mon_u128_bitlen(x);
    /* x <= 2^126 has b <= 127; b = 127 is x == 2^126 (sqrt 2^63; any larger x gives 2^63 too) */
    if (b >= 127) return UINT64_C(1) << 63;
    /* x = w 2^(2k), w in [1/4, 1): u = the top 64 bits of x 2^(128 - 2k), w = u 2^-64 (truncated) */
    k = (b + 1u) / 2u;
    xn = mon_u128_shl(x, 128u - 2u * k);
    u = xn.hi;
    /* y ~ 2^62 / sqrt(w) by Newton's iteration y <- y (3 - w y^2) / 2 (multiplications only):
     * relative error 2^-4.1 -> 2^-7.7 -> 2^-14.8 -> 2^-29 -> 2^-57 (plus the truncations,
     * < 2^-60 per step). Every iterate after the first is <= 1/sqrt(w) (y (3 - w y^2) / 2 has
     * its maximum 1/sqrt(w) at y = 1/sqrt(w)) and truncation only lowers it, so y <= 2^63 and
     * w y^2 <= 2^60 (with the seed's 5.8%: < 1.12 2^60 < 3 2^60, so h > 0 below). */
    y = (uint64_t)isqrt_seed[((u >> 60) - 4u) & 15u] << 48;
    for (i = 0; i < 4; ++i) {
        uint64_t y2 = mon_w_mulhi64(y, y), e = mon_w_mulhi64(u, y2); /* y^2 2^-64, w y^2 2^60 */
        uint64_t h = UINT64_C(3) * (UINT64_C(1) << 60) - e;
        mon_w_mul64(y, h, &hi, &lo);
        y = (hi << 3) | (lo >> 61); /* y h 2^-61 */
    }
    /* s0 = floor(u y 2^(k - 126)) <= sqrt(u 2^-64) 2^k <= sqrt(x), and s0 >= sqrt(x) (1 - 2^-55)
     * - 1. One integer Newton step s1 = floor((s0 + floor(x / s0)) / 2) is >= floor(sqrt(x)) for
     * any s0 >= 1, and <= sqrt(x) + (sqrt(x) - s0)^2 / (2 s0) < floor(sqrt(x)) + 2 for this s0:
     * so floor(sqrt(x)) is s1 or s1 - 1, told apart by s1^2 > x. x / s0 fits 64 bits
     * (x.hi < 2^(b - 64) <= s0). */
    mon_w_mul64(u, y, &hi, &lo);
    s = mon_u128_shr(mon_u128_make(hi, lo), 126u - k).lo;
    if (s == 0) s = 1;
    qd = mon_w_div128_64(x.hi, x.lo, s, &rem);
    /* (s + qd) / 2 without overflow */
    s = (s >> 1) + (qd >> 1) + (s & qd & 1u);
    mon_w_mul64(s, s, &hi, &lo);
    if (mon_u128_cmp(mon_u128_make(hi, lo), x) > 0) --s;
    return s;
}

/* ---- shifts and the rounded division of the drift metrics ------------------------------ */

/* r[0..n) = a[0..n) >> sh for any sh (in place allowed: reads run ahead of writes). */
static void limbs_shr(uint64_t *r, const uint64_t *a, unsigned n, unsigned sh)
{
    unsigned limb = sh / 64u, bits = sh % 64u, i, m;
    if (limb >= n) {
        for (i = 0; i < n; ++i) r[i] = 0;
        return;
    }
    m = n - limb;
    if (bits == 0) {
        for (i = 0; i < m; ++i) r[i] = a[i + limb];
    } else {
        for (i = 0; i + 1 < m; ++i)
            r[i] = (a[i + limb] >> bits) | (a[i + limb + 1] << (64u - bits));
        r[m - 1] = a[n - 1] >> bits;
    }
    for (i = m; i < n; ++i) r[i] = 0;
}

/* q = u / (d * 2^sh) rounded to nearest, ties up: floor((u + d 2^(sh-1)) / 2^sh) / d, floored.
 * u has un < MON_W_MAXU limbs, d != 0, sh >= 1; q gets un limbs. A divisor of one limb is a chain of
 * 128/64 divisions (one instruction where __int128 exists); otherwise Knuth's algorithm D. */
void mon_w_div_round_shift(const uint64_t *u, unsigned un, mon_u128 d, unsigned sh, uint64_t *q)
{
    uint64_t t[MON_W_MAXU];
    unsigned i, n;
    for (i = 0; i < un; ++i) q[i] = 0;
    n = mon_w_len(u, un);
    if (n == 0) return; /* 0 / d = 0 (the half-divisor alone rounds to 0) */
    if (d.hi == 0) {
        /* u = (q d + r) 2^sh + low: round up iff 2r + 2 low / 2^sh >= d, i.e. 2r >= d, or
         * 2r + 1 == d and bit sh-1 of u (the top bit of low) is set. No carry limb needed. */
        uint64_t rem = 0, dl = d.lo, half_bit;
        unsigned hb = sh - 1u, limb = sh / 64u, bits = sh % 64u;
        /* the words of u >> sh from the top, each made on the fly; while the running remainder
         * is 0 a word below dl is a quotient word 0 and the next remainder (no division) */
        for (i = n > limb ? n - limb : 0u; i-- > 0;) {
            uint64_t w = u[i + limb] >> bits;
            if (bits != 0 && i + limb + 1u < n) w |= u[i + limb + 1u] << (64u - bits);
            if (rem == 0 && w < dl)
                rem = w;
            else
                q[i] = mon_w_div128_64(rem, w, dl, &rem);
        }
        half_bit = (hb / 64u < n) ? (u[hb / 64u] >> (hb % 64u)) & 1u : 0;
        if (rem >= dl - rem || (dl - rem == rem + 1u && half_bit)) {
            for (i = 0; i < un; ++i) {
                if (++q[i] != 0) break;
            }
        }
        return;
    }
    for (i = 0; i < n; ++i) t[i] = u[i];
    /* room for the carry of u + d 2^(sh-1): one limb above both operands */
    {
        unsigned need = (sh - 1u + 128u) / 64u + 1u;
        unsigned top = (need > n ? need : n) + 1u;
        if (top > un + 1u) top = un + 1u;
        for (i = n; i < top; ++i) t[i] = 0;
        n = top;
    }
    mon_w_add_shifted128(t, n, d, (int)(sh - 1u));
    limbs_shr(t, t, n, sh);
    n = mon_w_len(t, n);
    if (n == 0) return;
    {
        uint64_t v[2], r[2], qq[MON_W_MAXU];
        v[0] = d.lo;
        v[1] = d.hi;
        mon_w_divmod(t, n, v, 2, qq, r);
        for (i = 0; i < n && i < un; ++i) q[i] = qq[i];
    }
}

/* r[0..n) = a[0..n) << sh (bits shifted out of n limbs are lost; the caller keeps them in). */
void mon_w_shl(uint64_t *r, const uint64_t *a, unsigned n, unsigned sh)
{
    unsigned limb = sh / 64u, bits = sh % 64u, i;
    for (i = n; i-- > 0;) {
        uint64_t v = 0;
        if (i >= limb) {
            v = a[i - limb] << bits;
            if (bits != 0 && i > limb) v |= a[i - limb - 1] >> (64u - bits);
        }
        r[i] = v;
    }
}

void mon_w_div_round64(const uint64_t *u, unsigned un, uint64_t d, uint64_t *q)
{
    uint64_t rem = 0;
    unsigned i;
    /* from the top; while the running remainder is 0 a word below d is a quotient word 0 and
     * the next remainder (no division) */
    for (i = un; i-- > 0;) {
        if (rem == 0 && u[i] < d) {
            q[i] = 0;
            rem = u[i];
        } else {
            q[i] = mon_w_div128_64(rem, u[i], d, &rem);
        }
    }
    if (rem >= d - rem) { /* 2 rem >= d: round up (ties up) */
        for (i = 0; i < un; ++i) {
            if (++q[i] != 0) break;
        }
    }
}
