/* Unit tests of the drift metrics and of the internal wide-integer helpers. Known values were
 * computed offline with exact arithmetic (Python fractions / mpmath at 300 bits); golden raw
 * values are the same as tests/data/drift_golden.json, so every build variant (gcc, clang,
 * -O0..-O3, MON_NO_INT128, sanitizers) must reproduce them bit for bit. */
#include <string.h>
#include "monitor.h"
#include "mon_wide_internal.h"
#include "mon_test.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define U128(h, l) mon_u128_make((uint64_t)(h), (uint64_t)(l))

static int eq128(mon_u128 a, mon_u128 b) { return a.hi == b.hi && a.lo == b.lo; }

static uint64_t rng_state = 0x243f6a8885a308d3u;
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* |a - b| <= tol for 128-bit values */
static int near128(mon_u128 a, mon_u128 b, uint64_t tol)
{
    mon_u128 d = mon_u128_cmp(a, b) >= 0 ? mon_u128_sub(a, b) : mon_u128_sub(b, a);
    return d.hi == 0 && d.lo <= tol;
}

/* REQ: MON-REQ-DRIFT-002, MON-REQ-CORE-001 */
static void test_wide(void)
{
    uint64_t hi, lo, r[4], q[6], rem[4];
    int i;
    mon_w_mul64(UINT64_MAX, UINT64_MAX, &hi, &lo);
    CHECK(hi == UINT64_MAX - 1 && lo == 1);
    mon_w_mul64(0x123456789abcdef0u, 0x0fedcba987654321u, &hi, &lo);
    CHECK(hi == 0x0121fa00ad77d742u && lo == 0x2236d88fe5618cf0u);
    CHECK(mon_w_clz64(1) == 63 && mon_w_clz64(0) == 64 && mon_w_clz64(UINT64_MAX) == 0);
    CHECK(mon_u128_bitlen(U128(1, 0)) == 65 && mon_u128_bitlen(U128(0, 0)) == 0);
    /* (2^128 - 1)^2 = 2^256 - 2^129 + 1 */
    mon_w_mul128(r, U128(UINT64_MAX, UINT64_MAX), U128(UINT64_MAX, UINT64_MAX));
    CHECK(r[0] == 1 && r[1] == 0 && r[2] == UINT64_MAX - 1 && r[3] == UINT64_MAX);
    /* add at a bit position, with carries across limbs */
    {
        uint64_t w[4] = {UINT64_MAX, UINT64_MAX, UINT64_MAX, 0};
        mon_w_add_shifted128(w, 4, U128(0, 1), 0);
        CHECK(w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 1);
        mon_w_add_shifted128(w, 4, U128(1, 0), 130); /* 2^194 */
        CHECK(w[3] == 5 && w[2] == 0);
        mon_w_add_shifted128(w, 4, U128(0, 8), -3); /* 1 */
        CHECK(w[0] == 1);
        mon_w_add_shifted128(w, 4, U128(0, 7), -3); /* truncated to 0 */
        CHECK(w[0] == 1);
    }
    /* division: u = q*v + r checked by multiplication, on random operands of every size */
    for (i = 0; i < 20000; ++i) {
        uint64_t u[5], v[4], back[9], qq[5], rr[4];
        unsigned un = 1 + (unsigned)(rng() % 5), vn = 1 + (unsigned)(rng() % 4), k;
        int shift = (int)(rng() % 64);
        for (k = 0; k < un; ++k) u[k] = rng();
        for (k = 0; k < vn; ++k) v[k] = rng();
        v[vn - 1] >>= shift; /* exercise normalisation */
        if (v[vn - 1] == 0 && vn == 1) v[0] = 1;
        if (rng() % 4 == 0) v[0] = 0; /* zero low limbs */
        if (mon_w_len(v, vn) == 0) v[0] = 3;
        mon_w_divmod(u, un, v, vn, qq, rr);
        /* r < v */
        CHECK(mon_w_cmp(rr, v, vn) < 0);
        /* q*v + r == u */
        mon_w_mul(back, qq, un, v, vn);
        {
            uint64_t rfull[9] = {0};
            for (k = 0; k < vn; ++k) rfull[k] = rr[k];
            (void)mon_w_add(back, back, rfull, un + vn);
            for (k = 0; k < un; ++k) CHECK(back[k] == u[k]);
            for (k = un; k < un + vn; ++k) CHECK(back[k] == 0);
        }
    }
    /* 128/64 against the generic path */
    for (i = 0; i < 10000; ++i) {
        uint64_t d = rng() | 1u, h = rng() % d, l = rng(), rm, u[2], v[1], qq[2], rr[1];
        uint64_t qv = mon_w_div128_64(h, l, d, &rm);
        u[0] = l;
        u[1] = h;
        v[0] = d;
        mon_w_divmod(u, 2, v, 1, qq, rr);
        CHECK(qv == qq[0] && qq[1] == 0 && rm == rr[0]);
    }
    /* isqrt: floor(sqrt(x)) */
    CHECK(mon_w_isqrt128(U128(0, 0)) == 0);
    CHECK(mon_w_isqrt128(U128(0, 1)) == 1);
    CHECK(mon_w_isqrt128(U128(0, 3)) == 1);
    CHECK(mon_w_isqrt128(U128(0, 4)) == 2);
    CHECK(mon_w_isqrt128(U128(UINT64_C(1) << 62, 0)) == UINT64_C(1) << 63);
    CHECK(mon_w_isqrt128(U128((UINT64_C(1) << 62) - 1, UINT64_MAX)) == (UINT64_C(1) << 63) - 1);
    for (i = 0; i < 20000; ++i) {
        mon_u128 x = U128(rng() >> (2 + rng() % 62), rng());
        uint64_t s = mon_w_isqrt128(x), h2, l2;
        mon_u128 sq, sq1;
        mon_w_mul64(s, s, &h2, &l2);
        sq = U128(h2, l2);
        mon_w_mul64(s + 1, s + 1, &h2, &l2);
        sq1 = U128(h2, l2);
        CHECK(mon_u128_cmp(sq, x) <= 0 && mon_u128_cmp(sq1, x) > 0);
    }
    /* the seeded Newton iteration with its exact correction: every x < 2^16, and n^2 - 1, n^2,
     * n^2 + 1 and a random x for n of every bit length (the correction's boundary cases) */
    {
        uint64_t bad = 0, n, j, h2, l2;
        mon_u128 x;
        for (n = 0; n < 65536; ++n) {
            uint64_t s = mon_w_isqrt128(U128(0, n));
            bad += !(s * s <= n && (s + 1) * (s + 1) > n);
        }
        for (i = 0; i < 6300; ++i) {
            unsigned bits = 1u + (unsigned)(i % 63);
            n = (rng() >> (64u - bits)) | (UINT64_C(1) << (bits - 1u));
            mon_w_mul64(n, n, &h2, &l2);
            x = U128(h2, l2);
            bad += mon_w_isqrt128(x) != n;
            bad += mon_w_isqrt128(mon_u128_sub(x, U128(0, 1))) != n - 1u;
            bad += mon_w_isqrt128(mon_u128_add(x, U128(0, 1))) != n;
            j = mon_w_isqrt128(x = mon_u128_shr(U128(rng() >> 2, rng()), (unsigned)(rng() % 127)));
            mon_w_mul64(j, j, &h2, &l2);
            bad += mon_u128_cmp(U128(h2, l2), x) > 0;
            mon_w_mul64(j + 1, j + 1, &h2, &l2);
            bad += mon_u128_cmp(U128(h2, l2), x) <= 0;
        }
        CHECK(bad == 0);
    }
    (void)q;
    (void)rem;
}

/* REQ: MON-REQ-DRIFT-002 */
static void test_log2(void)
{
    unsigned k;
    CHECK(eq128(mon_drift_log2_u64(0), U128(0, 0)));
    CHECK(eq128(mon_drift_log2_u64(1), U128(0, 0)));
    for (k = 0; k < 64; ++k) CHECK(eq128(mon_drift_log2_u64(UINT64_C(1) << k), U128(k, 0)));
    /* round(log2(x) * 2^64), computed offline with mpmath at 300 bits */
    CHECK(near128(mon_drift_log2_u64(3), U128(1, 0x95c01a39fbd687a0u), 3));
    CHECK(near128(mon_drift_log2_u64(10), U128(3, 0x5269e12f346e2bf9u), 3));
    CHECK(near128(mon_drift_log2_u64(1000003), U128(0x13, 0xee7b8fb82f5cc466u), 3));
    CHECK(near128(mon_drift_log2_u64(UINT64_MAX), U128(0x3f, 0xffffffffffffffffu), 3));
    CHECK(near128(mon_drift_log2_u64(12345678901234567u), U128(0x35, 0x74716c31fc0df308u), 3));
    /* monotone on a sweep of neighbours */
    for (k = 0; k < 20000; ++k) {
        uint64_t x = (rng() >> (rng() % 63)) | 1u;
        if (x == UINT64_MAX) continue;
        CHECK(mon_u128_cmp(mon_drift_log2_u64(x), mon_drift_log2_u64(x + 1)) <= 0);
    }
}

struct golden {
    const char *name;
    size_t n;
    uint64_t a[10], e[10];
    uint32_t smoothing;
    uint64_t eps_mant;
    int32_t eps_exp2;
    mon_u128 tv, js, psi;
    uint64_t jsd;
};

/* REQ: MON-REQ-DRIFT-001, MON-REQ-DRIFT-002, MON-REQ-DRIFT-003 */
static void test_golden(void)
{
    /* the first cases of tests/data/drift_golden.json (written by tools/gen/gen_drift_golden.py) */
    static const struct golden g[] = {
        /* clang-format off */
        /* BEGIN GENERATED golden (tools/gen/gen_drift_golden.py) */
        {"identical", 3, {UINT64_C(5), UINT64_C(3), UINT64_C(2)}, {UINT64_C(5), UINT64_C(3), UINT64_C(2)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, UINT64_C(0)},
        {"scaled_identical", 3, {UINT64_C(10), UINT64_C(6), UINT64_C(4)}, {UINT64_C(5), UINT64_C(3), UINT64_C(2)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, {UINT64_C(0x0), UINT64_C(0x005dc21f084ec325)}, UINT64_C(0)},
        {"disjoint", 2, {UINT64_C(1), UINT64_C(0)}, {UINT64_C(0), UINT64_C(1)}, 0, 0, 0, {UINT64_C(0x1), UINT64_C(0x0000000000000000)}, {UINT64_C(0x4000000000000000), UINT64_C(0x0000000000000000)}, {UINT64_C(0x0), UINT64_C(0x764c0ffa8bdfa673)}, UINT64_C(0x8000000000000000)},
        {"one_bin", 1, {UINT64_C(7)}, {UINT64_C(3)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, UINT64_C(0)},
        {"article_like", 10, {UINT64_C(95), UINT64_C(110), UINT64_C(102), UINT64_C(98), UINT64_C(87), UINT64_C(103), UINT64_C(99), UINT64_C(101), UINT64_C(105), UINT64_C(100)}, {UINT64_C(100), UINT64_C(100), UINT64_C(100), UINT64_C(100), UINT64_C(100), UINT64_C(100), UINT64_C(100), UINT64_C(100), UINT64_C(100), UINT64_C(100)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0x05604189374bc6a8)}, {UINT64_C(0xa3217dd9de678), UINT64_C(0x0d89df1172ef0ae5)}, {UINT64_C(0x0), UINT64_C(0x00ddc1a3b6faa1d3)}, UINT64_C(0x03316cd639193a7a)},
        {"empty_bins", 5, {UINT64_C(0), UINT64_C(10), UINT64_C(0), UINT64_C(5), UINT64_C(0)}, {UINT64_C(3), UINT64_C(0), UINT64_C(0), UINT64_C(9), UINT64_C(1)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0xaaaaaaaaaaaaaaab)}, {UINT64_C(0x222459b6c97a738e), UINT64_C(0xadf2df2df2df2df3)}, {UINT64_C(0x1), UINT64_C(0x98e757c5ee728a92)}, UINT64_C(0x5d7d663f0187d436)},
        {"dominant_bin", 2, {UINT64_C(9999), UINT64_C(1)}, {UINT64_C(9990), UINT64_C(10)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0x003afb7e90ff9724)}, {UINT64_C(0x50d9e78977bf8), UINT64_C(0x92ff398689718350)}, {UINT64_C(0x0), UINT64_C(0x00649547b353ed36)}, UINT64_C(0x023f787ca29802b4)},
        {"max_total", 2, {UINT64_C(0x001fffffffffffff), UINT64_C(1)}, {UINT64_C(0x0010000000000000), UINT64_C(0x0010000000000000)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0x7ffffffffffff800)}, {UINT64_C(0x13ebfb1520c791b6), UINT64_C(0x701a39fbd6746400)}, {UINT64_C(0x12), UINT64_C(0x05966f2b4f101ac5)}, UINT64_C(0x476a05b8970df740)},
        {"near_identical_large", 3, {UINT64_C(0x0004000000000000), UINT64_C(0x0004000000000001), UINT64_C(0x0002000000000000)}, {UINT64_C(0x0004000000000001), UINT64_C(0x0004000000000000), UINT64_C(0x0002000000000000)}, 0, 0, 0, {UINT64_C(0x0), UINT64_C(0x000000000000199a)}, {UINT64_C(0x0), UINT64_C(0x000000000093bb63)}, {UINT64_C(0x0), UINT64_C(0x0000000000000000)}, UINT64_C(3112)},
        /* END GENERATED golden */
        /* clang-format on */
    };
    size_t i;
    for (i = 0; i < N(g); ++i) {
        mon_drift_result r;
        mon_psi_options o;
        mon_u128 raw, num, den, js;
        uint64_t d;
        o.smoothing = g[i].smoothing;
        o.eps_mant = g[i].eps_mant;
        o.eps_exp2 = g[i].eps_exp2;
        CHECK_STATUS(mon_drift_scores(g[i].a, g[i].e, g[i].n, &o, &r), MON_OK);
        if (!eq128(r.tv_raw, g[i].tv) || !eq128(r.js_raw, g[i].js) || !eq128(r.psi_raw, g[i].psi) ||
            r.js_distance_raw != g[i].jsd) {
            fprintf(stderr, "golden mismatch: %s\n", g[i].name);
        }
        CHECK(eq128(r.tv_raw, g[i].tv));
        CHECK(eq128(r.js_raw, g[i].js));
        CHECK(r.js_distance_raw == g[i].jsd);
        CHECK(eq128(r.psi_raw, g[i].psi));
        /* the single-metric entry points agree with the one-pass function */
        CHECK_STATUS(mon_drift_tv(g[i].a, g[i].e, g[i].n, &raw, &num, &den), MON_OK);
        CHECK(eq128(raw, r.tv_raw) && eq128(num, r.tv_num) && eq128(den, r.tv_den));
        CHECK_STATUS(mon_drift_js(g[i].a, g[i].e, g[i].n, &js, &d), MON_OK);
        CHECK(eq128(js, r.js_raw) && d == r.js_distance_raw);
        CHECK_STATUS(mon_drift_psi(g[i].a, g[i].e, g[i].n, NULL, &raw), MON_OK);
        CHECK(eq128(raw, r.psi_raw));
    }
}

/* REQ: MON-REQ-DRIFT-004, MON-REQ-DRIFT-006 */
static void test_properties(void)
{
    int t;
    for (t = 0; t < 300; ++t) {
        uint64_t a[64], e[64], a2[64], e2[64];
        size_t n = 1 + (size_t)(rng() % 64), i;
        mon_drift_result r, rs, rp, rd;
        unsigned bits = 1 + (unsigned)(rng() % 40);
        for (i = 0; i < n; ++i) {
            a[i] = rng() >> (64 - bits);
            e[i] = rng() % 3 ? a[i] + rng() % 3 : rng() >> (64 - bits);
        }
        a[0] += 1;
        e[n - 1] += 1;
        CHECK_STATUS(mon_drift_scores(a, e, n, NULL, &r), MON_OK);
        /* symmetric TV and JS, bit for bit */
        CHECK_STATUS(mon_drift_scores(e, a, n, NULL, &rs), MON_OK);
        CHECK(eq128(r.tv_raw, rs.tv_raw) && eq128(r.js_raw, rs.js_raw));
        /* bounds */
        CHECK(mon_u128_cmp(r.tv_raw, U128(1, 0)) <= 0);
        CHECK(mon_u128_cmp(r.js_raw, U128(UINT64_C(1) << 62, 0)) <= 0);
        /* permutation (reverse) invariance, bit for bit */
        for (i = 0; i < n; ++i) {
            a2[i] = a[n - 1 - i];
            e2[i] = e[n - 1 - i];
        }
        CHECK_STATUS(mon_drift_scores(a2, e2, n, NULL, &rp), MON_OK);
        CHECK(eq128(r.tv_raw, rp.tv_raw) && eq128(r.js_raw, rp.js_raw) &&
              eq128(r.psi_raw, rp.psi_raw));
        /* doubling both vectors: TV and JS unchanged bit for bit */
        for (i = 0; i < n; ++i) {
            a2[i] = 2 * a[i];
            e2[i] = 2 * e[i];
        }
        CHECK_STATUS(mon_drift_scores(a2, e2, n, NULL, &rd), MON_OK);
        CHECK(eq128(r.tv_raw, rd.tv_raw) && eq128(r.js_raw, rd.js_raw));
        CHECK(r.js_distance_raw == rd.js_distance_raw);
        /* identical -> exactly 0 */
        CHECK_STATUS(mon_drift_scores(a, a, n, NULL, &rs), MON_OK);
        CHECK(mon_u128_is_zero(rs.tv_raw) && mon_u128_is_zero(rs.js_raw) &&
              mon_u128_is_zero(rs.psi_raw) && rs.js_distance_raw == 0);
    }
}

/* Power-of-two scaling leaves TV, JS and floor-PSI raws bit-identical, also when some bins
 * are near-identical (tiny series terms, which a coarser accumulator would truncate). */
/* REQ: MON-REQ-DRIFT-006 */
static void test_scaling_exact(void)
{
    int t;
    for (t = 0; t < 200; ++t) {
        uint64_t a[8], e[8], a2[8], e2[8];
        size_t n = 2 + (size_t)(rng() % 7), i;
        unsigned k = 1 + (unsigned)(rng() % 8), bits = 20 + (unsigned)(rng() % 20);
        mon_drift_result r, rk;
        mon_psi_options o;
        o.smoothing = MON_PSI_FLOOR;
        o.eps_mant = 1;
        o.eps_exp2 = -(int32_t)(1 + rng() % 30);
        for (i = 0; i < n; ++i) {
            a[i] = (rng() >> (64 - bits)) + 1;
            e[i] = rng() % 2 ? a[i] + (rng() % 3) - 1 : rng() >> (64 - bits);
            a2[i] = a[i] << k;
            e2[i] = e[i] << k;
        }
        CHECK_STATUS(mon_drift_scores(a, e, n, &o, &r), MON_OK);
        CHECK_STATUS(mon_drift_scores(a2, e2, n, &o, &rk), MON_OK);
        CHECK(eq128(r.tv_raw, rk.tv_raw) && eq128(r.js_raw, rk.js_raw));
        CHECK(r.js_distance_raw == rk.js_distance_raw);
        CHECK(eq128(r.psi_raw, rk.psi_raw));
    }
}

/* REQ: MON-REQ-DRIFT-005 */
static void test_errors(void)
{
    uint64_t a[3] = {1, 2, 3}, e[3] = {3, 2, 1}, z[3] = {0, 0, 0};
    uint64_t big[2] = {UINT64_C(1) << 53, 1}, huge[1] = {(UINT64_C(1) << 53) + 1};
    uint64_t edge[2] = {UINT64_C(1) << 52, UINT64_C(1) << 52};
    mon_drift_result r, before;
    mon_u128 raw;
    mon_psi_options o;
    memset(&r, 0xab, sizeof r);
    before = r;
    CHECK_STATUS(mon_drift_scores(NULL, e, 3, NULL, &r), MON_E_NULL);
    CHECK_STATUS(mon_drift_scores(a, NULL, 3, NULL, &r), MON_E_NULL);
    CHECK_STATUS(mon_drift_scores(a, e, 3, NULL, NULL), MON_E_NULL);
    CHECK_STATUS(mon_drift_scores(a, e, 0, NULL, &r), MON_E_LENGTH);
    CHECK_STATUS(mon_drift_scores(z, e, 3, NULL, &r), MON_E_EMPTY);
    CHECK_STATUS(mon_drift_scores(a, z, 3, NULL, &r), MON_E_EMPTY);
    CHECK_STATUS(mon_drift_scores(big, a, 2, NULL, &r), MON_E_OVERFLOW);
    CHECK_STATUS(mon_drift_scores(huge, a, 1, NULL, &r), MON_E_OVERFLOW);
    CHECK_STATUS(mon_drift_scores(edge, a, 2, NULL, &r), MON_OK); /* exactly 2^53 */
    {
        /* the totals pass works in blocks of 256 bins: limits hold inside any block */
        static uint64_t p[600], q[600];
        size_t i;
        for (i = 0; i < 600; ++i) p[i] = q[i] = 0;
        q[0] = 1;
        p[300] = UINT64_C(1) << 53; /* one count of exactly 2^53 (OR >= 2^53): fine */
        CHECK_STATUS(mon_drift_scores(p, q, 600, NULL, &r), MON_OK);
        p[300] = ~UINT64_C(0); /* would wrap the block's sum */
        CHECK_STATUS(mon_drift_scores(p, q, 600, NULL, &r), MON_E_OVERFLOW);
        p[300] = 0;
        p[599] = (UINT64_C(1) << 53) + 1; /* in the last, partial block */
        CHECK_STATUS(mon_drift_scores(p, q, 600, NULL, &r), MON_E_OVERFLOW);
        for (i = 0; i < 600; ++i) p[i] = UINT64_C(1) << 44; /* 600 * 2^44 > 2^53 */
        CHECK_STATUS(mon_drift_scores(p, q, 600, NULL, &r), MON_E_OVERFLOW);
        CHECK_STATUS(mon_drift_scores(p, q, 512, NULL, &r), MON_OK); /* 2^53 exactly */
    }
    r = before;
    o.smoothing = 7;
    o.eps_mant = 1;
    o.eps_exp2 = -10;
    CHECK_STATUS(mon_drift_scores(a, e, 3, &o, &r), MON_E_VALUE);
    CHECK(memcmp(&r, &before, sizeof r) == 0); /* untouched on error */
    CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw), MON_E_VALUE);
    o.smoothing = MON_PSI_FLOOR;
    o.eps_mant = 1;
    o.eps_exp2 = 0; /* eps = 1 */
    CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw), MON_E_VALUE);
    o.eps_mant = 3;
    o.eps_exp2 = -1; /* 1.5 */
    CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw), MON_E_VALUE);
    o.eps_mant = 1;
    o.eps_exp2 = -65; /* below 2^-64 */
    CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw), MON_E_VALUE);
    o.eps_mant = 1;
    o.eps_exp2 = -64; /* smallest accepted */
    CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw), MON_OK);
    o.eps_mant = UINT64_C(1) << 40;
    o.eps_exp2 = -104; /* 2^-64 with a non-normalised mantissa */
    {
        mon_u128 raw2;
        CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw2), MON_OK);
        CHECK(eq128(raw, raw2));
    }
    o.eps_mant = 0; /* default epsilon 1e-4 */
    CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw), MON_OK);
    {
        mon_u128 raw2;
        o.eps_mant = MON_DRIFT_FLOOR_EPS_DEFAULT_MANT;
        o.eps_exp2 = MON_DRIFT_FLOOR_EPS_DEFAULT_EXP2;
        CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw2), MON_OK);
        CHECK(eq128(raw, raw2));
    }
    /* the TV/JS entry points ignore PSI options and accept NULL outputs */
    CHECK_STATUS(mon_drift_tv(a, e, 3, NULL, NULL, NULL), MON_OK);
    CHECK_STATUS(mon_drift_js(a, e, 3, NULL, NULL), MON_OK);
    CHECK_STATUS(mon_drift_tv(a, z, 3, NULL, NULL, NULL), MON_E_EMPTY);
}

/* REQ: MON-REQ-DRIFT-003 */
static void test_floor_known(void)
{
    /* p = (1/2, 1/2, 0), q = (0, 1/2, 1/2), eps = 2^-4 -> p~ = (1/2, 1/2, 1/16),
     * q~ = (1/16, 1/2, 1/2): PSI = 2 * (7/16) ln 8 = (21/8) ln 2 = 1.8194...; round(PSI 2^64)
     * = 0x1d1cb7eea86c09f63 computed offline (mpmath, 300 bits). */
    uint64_t a[3] = {1, 1, 0}, e[3] = {0, 1, 1};
    mon_psi_options o;
    mon_u128 raw;
    o.smoothing = MON_PSI_FLOOR;
    o.eps_mant = 1;
    o.eps_exp2 = -4;
    CHECK_STATUS(mon_drift_psi(a, e, 3, &o, &raw), MON_OK);
    CHECK(near128(raw, U128(1, 0xd1cb7eea86c09f63u), 8));
}

/* REQ: MON-REQ-DRIFT-003 */
static void test_psi_bins(void)
{
    uint64_t a[5] = {0, 10, 0, 5, 0}, e[5] = {3, 0, 0, 9, 1};
    mon_u128 bins[5], total, sum = {0, 0};
    mon_psi_options o;
    size_t i;
    CHECK_STATUS(mon_drift_psi_bins(a, e, 5, NULL, bins), MON_OK);
    CHECK_STATUS(mon_drift_psi(a, e, 5, NULL, &total), MON_OK);
    for (i = 0; i < 5; ++i) sum = mon_u128_add(sum, bins[i]);
    CHECK(near128(sum, total, 5));
    /* 0 vs 0 counts, but Laplace smoothing gives 1/20 vs 1/18: a small positive term */
    CHECK(!mon_u128_is_zero(bins[2]) && bins[2].hi == 0);
    o.smoothing = MON_PSI_FLOOR;
    o.eps_mant = 0;
    o.eps_exp2 = 0;
    CHECK_STATUS(mon_drift_psi_bins(a, e, 5, &o, bins), MON_OK);
    CHECK(mon_u128_is_zero(bins[2])); /* both floored */
    CHECK_STATUS(mon_drift_psi_bins(a, e, 5, NULL, NULL), MON_E_NULL);
    CHECK_STATUS(mon_drift_psi_bins(a, e, 0, NULL, bins), MON_E_LENGTH);
}

/* JS and its distance as mon_drift_fp (relative accuracy): known answers, so that the 16-target
 * cross matrix checks these bits too (written by tools/gen/gen_drift_golden.py from the x86-64
 * build; tests/unit/test_drift_relative.py checks them against mpmath). */
/* REQ: MON-REQ-DRIFT-002 */
static void test_js_fp(void)
{
    static const struct {
        uint64_t p[4], q[4];
        size_t n;
        uint64_t jm;
        int32_t je;
        uint64_t dm;
        int32_t de;
    } k[] = {
        /* clang-format off */
        /* BEGIN GENERATED js_fp (tools/gen/gen_drift_golden.py) */
        {{UINT64_C(0x0004000000000000), UINT64_C(0x0004000000000001)}, {UINT64_C(0x0004000000000001), UINT64_C(0x0004000000000000)}, 2, UINT64_C(0xb8aa3b295c17c290), -166, UINT64_C(0xd96d274c04527af2), -115},
        {{UINT64_C(3), UINT64_C(4), UINT64_C(5)}, {UINT64_C(3), UINT64_C(5), UINT64_C(4)}, 3, UINT64_C(0xdb5093ae0b637183), -71, UINT64_C(0xa78c4126181ad1a2), -67},
        {{UINT64_C(1), UINT64_C(0)}, {UINT64_C(0), UINT64_C(1)}, 2, UINT64_C(0x8000000000000000), -63, UINT64_C(0x8000000000000000), -63},
        {{UINT64_C(1), UINT64_C(1)}, {UINT64_C(2), UINT64_C(0)}, 2, UINT64_C(0x9f5fd8a9063e3491), -65, UINT64_C(0x8ed40b712e1cabfa), -64},
        {{UINT64_C(0x00005af3107a4000), UINT64_C(0x00005af3107a4001), UINT64_C(0x00005af3107a4002), UINT64_C(0x00005af3107a4003)}, {UINT64_C(0x00005af3107a4000), UINT64_C(0x00005af3107a4001), UINT64_C(0x00005af3107a4003), UINT64_C(0x00005af3107a4003)}, 4, UINT64_C(0x8929991d4687a4e6), -161, UINT64_C(0x848087c8506b2c54), -112},
        /* END GENERATED js_fp */
        /* clang-format on */
    };
    size_t i;
    for (i = 0; i < sizeof k / sizeof k[0]; ++i) {
        mon_drift_result r;
        mon_drift_fp j, d;
        CHECK_STATUS(mon_drift_scores(k[i].p, k[i].q, k[i].n, NULL, &r), MON_OK);
        CHECK(r.js_fp.mant == k[i].jm && r.js_fp.exp2 == k[i].je);
        CHECK(r.js_distance_fp.mant == k[i].dm && r.js_distance_fp.exp2 == k[i].de);
        CHECK_STATUS(mon_drift_js_fp(k[i].p, k[i].q, k[i].n, &j, &d), MON_OK);
        CHECK(j.mant == k[i].jm && j.exp2 == k[i].je && d.mant == k[i].dm && d.exp2 == k[i].de);
    }
    {
        /* identical inputs: exactly 0; NULL outputs allowed; errors as mon_drift_js */
        uint64_t p[2] = {5, 7};
        mon_drift_fp j;
        CHECK_STATUS(mon_drift_js_fp(p, p, 2, &j, NULL), MON_OK);
        CHECK(j.mant == 0 && j.exp2 == 0);
        CHECK_STATUS(mon_drift_js_fp(p, p, 2, NULL, NULL), MON_OK);
        CHECK_STATUS(mon_drift_js_fp(NULL, p, 2, &j, NULL), MON_E_NULL);
        CHECK_STATUS(mon_drift_js_fp(p, p, 0, &j, NULL), MON_E_LENGTH);
    }
}

int main(void)
{
    test_wide();
    test_log2();
    test_golden();
    test_properties();
    test_scaling_exact();
    test_errors();
    test_floor_known();
    test_psi_bins();
    test_js_fp();
    MON_TEST_MAIN_END();
}
