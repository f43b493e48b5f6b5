/*
 * mon_wide_internal.h - internal exact wide-integer arithmetic (128 to 320 bits) for the drift
 * metrics and the latency histogram (the core's one 128-bit implementation). Not public API.
 *
 * Numbers are little-endian arrays of uint64_t limbs (w[0] least significant); mon_u128 (public,
 * mon_types.h) is {hi, lo}. Everything is exact integer arithmetic, so the unsigned __int128
 * path (MON_HAVE_INT128) and the portable 32-bit-limb path give bit-identical results: the only
 * primitive that differs is the 64x64->128 multiply (and the 128/64 divide), both exact.
 */
#ifndef MON_WIDE_INTERNAL_H
#define MON_WIDE_INTERNAL_H

#include "mon_config.h"
#include "mon_types.h"

/* ---- 64-bit primitives ---------------------------------------------------------------- */

#if MON_HAVE_INT128
/* __extension__: the one non-ISO type, kept out of -Wpedantic's way. */
__extension__ typedef unsigned __int128 mon_w_native128;
#endif

/* Full product a*b = hi:lo. */
static inline void mon_w_mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#if MON_HAVE_INT128
    mon_w_native128 p = (mon_w_native128)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
#else
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (p00 & 0xffffffffu) | (mid << 32);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

static inline uint64_t mon_w_mulhi64(uint64_t a, uint64_t b)
{
    uint64_t hi, lo;
    mon_w_mul64(a, b, &hi, &lo);
    (void)lo;
    return hi;
}

/* Number of leading zero bits of x != 0 (no test for 0: one instruction with GCC / Clang). */
static inline unsigned mon_w_clz64_nz(uint64_t x);

/* Number of leading zero bits of x (64 for x == 0). */
static inline unsigned mon_w_clz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return x ? (unsigned)__builtin_clzll((unsigned long long)x) : 64u;
#else
    unsigned n = 0;
    if (!x) return 64u;
    if (!(x & UINT64_C(0xffffffff00000000))) {
        n += 32;
        x <<= 32;
    }
    if (!(x & UINT64_C(0xffff000000000000))) {
        n += 16;
        x <<= 16;
    }
    if (!(x & UINT64_C(0xff00000000000000))) {
        n += 8;
        x <<= 8;
    }
    if (!(x & UINT64_C(0xf000000000000000))) {
        n += 4;
        x <<= 4;
    }
    if (!(x & UINT64_C(0xc000000000000000))) {
        n += 2;
        x <<= 2;
    }
    if (!(x & UINT64_C(0x8000000000000000))) {
        n += 1;
    }
    return n;
#endif
}

static inline unsigned mon_w_clz64_nz(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_clzll((unsigned long long)x);
#else
    return mon_w_clz64(x);
#endif
}

/* ---- mon_u128 ------------------------------------------------------------------------- */

static inline mon_u128 mon_u128_make(uint64_t hi, uint64_t lo)
{
    mon_u128 r;
    r.hi = hi;
    r.lo = lo;
    return r;
}

static inline mon_u128 mon_u128_mul64(uint64_t a, uint64_t b)
{
    mon_u128 r;
    mon_w_mul64(a, b, &r.hi, &r.lo);
    return r;
}

static inline mon_u128 mon_u128_add(mon_u128 a, mon_u128 b)
{
    mon_u128 r;
    r.lo = a.lo + b.lo;
    r.hi = a.hi + b.hi + (r.lo < a.lo);
    return r;
}

/* a - b, requires a >= b. */
static inline mon_u128 mon_u128_sub(mon_u128 a, mon_u128 b)
{
    mon_u128 r;
    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo);
    return r;
}

/* -1, 0, 1 as a <, ==, > b. */
static inline int mon_u128_cmp(mon_u128 a, mon_u128 b)
{
    if (a.hi != b.hi) return a.hi < b.hi ? -1 : 1;
    if (a.lo != b.lo) return a.lo < b.lo ? -1 : 1;
    return 0;
}

static inline int mon_u128_is_zero(mon_u128 a) { return (a.hi | a.lo) == 0; }

/* Bit length (0 for 0). */
static inline unsigned mon_u128_bitlen(mon_u128 a)
{
    return a.hi ? 128u - mon_w_clz64(a.hi) : 64u - mon_w_clz64(a.lo);
}

/* a << s for 0 <= s < 128 (bits shifted out are lost). */
static inline mon_u128 mon_u128_shl(mon_u128 a, unsigned s)
{
    mon_u128 r;
    if (s == 0) return a;
    if (s >= 64) {
        r.hi = a.lo << (s - 64);
        r.lo = 0;
    } else {
        r.hi = (a.hi << s) | (a.lo >> (64 - s));
        r.lo = a.lo << s;
    }
    return r;
}

/* a >> s for 0 <= s < 128. */
static inline mon_u128 mon_u128_shr(mon_u128 a, unsigned s)
{
    mon_u128 r;
    if (s == 0) return a;
    if (s >= 64) {
        r.lo = a.hi >> (s - 64);
        r.hi = 0;
    } else {
        r.lo = (a.lo >> s) | (a.hi << (64 - s));
        r.hi = a.hi >> s;
    }
    return r;
}

/* ---- multi-limb helpers (256 to 512 bits) ---------------------------------------------- */

/* w[0..n) += v * 2^sh (sh may be negative: the bits below 2^0 are dropped, i.e. truncation
 * toward zero). The caller guarantees the sum fits n limbs (bits beyond are dropped). */
static inline void mon_w_add_shifted128(uint64_t *w, unsigned n, mon_u128 v, int sh)
{
    uint64_t t0, t1, t2, c, x;
    unsigned limb, bits, i;
    if (sh < 0) {
        if (sh <= -128) return;
        v = mon_u128_shr(v, (unsigned)(-sh));
        sh = 0;
    }
    limb = (unsigned)sh >> 6;
    bits = (unsigned)sh & 63u;
    if (limb >= n) return; /* caller bug: cannot happen with the documented ranges */
    if (bits) {
        t0 = v.lo << bits;
        t1 = (v.lo >> (64 - bits)) | (v.hi << bits);
        t2 = v.hi >> (64 - bits);
    } else {
        t0 = v.lo;
        t1 = v.hi;
        t2 = 0;
    }
    x = w[limb] + t0;
    c = x < t0;
    w[limb] = x;
    i = limb + 1;
    if (i < n) {
        x = w[i] + t1;
        t1 = x < t1;
        x += c;
        c = t1 | (x < c);
        w[i] = x;
        ++i;
        if (i < n) {
            x = w[i] + t2;
            t2 = x < t2;
            x += c;
            c = t2 | (x < c);
            w[i] = x;
            ++i;
            for (; c && i < n; ++i) {
                w[i] += 1;
                c = w[i] == 0;
            }
        }
    }
}

/* r[0..n) = a[0..n) + b[0..n); returns the carry out. */
static inline uint64_t mon_w_add(uint64_t *r, const uint64_t *a, const uint64_t *b, unsigned n)
{
    uint64_t c = 0;
    unsigned i;
    for (i = 0; i < n; ++i) {
        uint64_t s = a[i] + b[i];
        uint64_t c1 = s < a[i];
        uint64_t s2 = s + c;
        c = c1 | (s2 < s);
        r[i] = s2;
    }
    return c;
}

/* r[0..n) = a - b; returns the borrow out (1 when a < b). */
static inline uint64_t mon_w_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, unsigned n)
{
    uint64_t br = 0;
    unsigned i;
    for (i = 0; i < n; ++i) {
        uint64_t d = a[i] - b[i];
        uint64_t b1 = a[i] < b[i];
        uint64_t d2 = d - br;
        br = b1 | (d < br);
        r[i] = d2;
    }
    return br;
}

/* -1, 0, 1 comparing two n-limb numbers. */
static inline int mon_w_cmp(const uint64_t *a, const uint64_t *b, unsigned n)
{
    unsigned i = n;
    while (i-- > 0) {
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

/* r[0..an+bn) = a[0..an) * b[0..bn) (schoolbook; r must not alias a or b). */
void mon_w_mul(uint64_t *r, const uint64_t *a, unsigned an, const uint64_t *b, unsigned bn);

/* 128 x 128 -> 256 bits. */
static inline void mon_w_mul128(uint64_t r[4], mon_u128 a, mon_u128 b)
{
    uint64_t h0, l0, h1, l1, h2, l2, h3, l3, s, c;
    mon_w_mul64(a.lo, b.lo, &h0, &l0);
    mon_w_mul64(a.lo, b.hi, &h1, &l1);
    mon_w_mul64(a.hi, b.lo, &h2, &l2);
    mon_w_mul64(a.hi, b.hi, &h3, &l3);
    r[0] = l0;
    s = h0 + l1;
    c = s < h0;
    r[1] = s + l2;
    c += r[1] < s;
    s = h1 + h2;
    {
        uint64_t c2 = s < h1;
        uint64_t s2 = s + l3;
        c2 += s2 < s;
        r[2] = s2 + c;
        c2 += r[2] < s2;
        r[3] = h3 + c2;
    }
}

/* Number of significant limbs (0 for zero). */
static inline unsigned mon_w_len(const uint64_t *a, unsigned n)
{
    while (n > 0 && a[n - 1] == 0) --n;
    return n;
}

/* Shift left by s < 64 bits in place over n limbs (bits out of the top are lost). */
static inline void mon_w_shl_small(uint64_t *a, unsigned n, unsigned s)
{
    unsigned i;
    if (s == 0) return;
    for (i = n; i-- > 1;) a[i] = (a[i] << s) | (a[i - 1] >> (64 - s));
    a[0] <<= s;
}

/* Exact division: q = floor(u / v), r = u mod v, for un <= MON_W_MAXU limbs and
 * 1 <= vn <= MON_W_MAXV limbs with v != 0 (top limb v[vn-1] may be 0; leading zero limbs are
 * skipped). q has un limbs, r has vn limbs. Knuth's algorithm D on 32-bit digits, portable. */
#define MON_W_MAXU 8
#define MON_W_MAXV 4
void mon_w_divmod(const uint64_t *u, unsigned un, const uint64_t *v, unsigned vn, uint64_t *q,
                  uint64_t *r);

/* r[0..n) = a[0..n) << sh (bits shifted out of n limbs are lost; in place allowed). */
void mon_w_shl(uint64_t *r, const uint64_t *a, unsigned n, unsigned sh);
/* q (un limbs) = u / (d 2^sh) rounded to nearest, ties up; u has un < MON_W_MAXU limbs, d != 0,
 * sh >= 1 (the drift metrics' one final division). */
void mon_w_div_round_shift(const uint64_t *u, unsigned un, mon_u128 d, unsigned sh, uint64_t *q);

/* q (un limbs) = u[0..un) / d rounded to nearest, ties up, for a one-limb d != 0 (the drift
 * 64-bit pass's final divisions). */
void mon_w_div_round64(const uint64_t *u, unsigned un, uint64_t d, uint64_t *q);

/* floor((hi:lo) / d) for hi < d (the quotient fits 64 bits); *rem gets the remainder. */
static inline uint64_t mon_w_div128_64(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *rem)
{
#if MON_HAVE_INT128 && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    /* One divq instead of a libgcc __udivti3 call (hi < d: the quotient fits, no trap). */
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(d) : "cc");
    *rem = r;
    return q;
#elif MON_HAVE_INT128
    mon_w_native128 n = ((mon_w_native128)hi << 64) | lo;
    *rem = (uint64_t)(n % d);
    return (uint64_t)(n / d);
#else
    uint64_t u[2], v[1], q[2], r[1];
    u[0] = lo;
    u[1] = hi;
    v[0] = d;
    mon_w_divmod(u, 2, v, 1, q, r);
    *rem = r[0];
    return q[0];
#endif
}

/* floor(sqrt(x)) for x <= 2^126 (result <= 2^63). */
uint64_t mon_w_isqrt128(mon_u128 x);

#endif /* MON_WIDE_INTERNAL_H */
