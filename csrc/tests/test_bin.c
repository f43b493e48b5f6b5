/* Unit tests of mon_bin: binning against a brute-force rule, matrix = per column, codes,
 * saturation, error statuses, and order-statistic selection against a full sort. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "monitor.h"
#include "mon_test.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double special(uint64_t r)
{
    static const double s[] = {0.0, -0.0, 1.0, -1.0, 1e308, -1e308, 5e-324, -5e-324, 2.5, 0.5};
    switch (r % 4u) {
    case 0: return s[(r >> 8) % 10u];
    case 1: return (double)((int64_t)(r >> 40) % 7) * 0.5; /* hits edges exactly */
    case 2: {
        uint64_t u = r; /* any bit pattern, NaN and inf included */
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    default: return ((double)(r >> 11) / 9007199254740992.0 - 0.5) * 8.0;
    }
}

/* numpy.histogram's rule, written the obvious way. */
static void brute(const double *e, size_t ne, const double *x, size_t n, uint64_t *c,
                  mon_bin_extra *ex)
{
    size_t i, j;
    for (i = 0; i < n; ++i) {
        double v = x[i];
        if (v != v) {
            ex->nan++;
            continue;
        }
        if (v < e[0]) {
            ex->below++;
            continue;
        }
        if (v > e[ne - 1]) {
            ex->above++;
            continue;
        }
        if (v == e[ne - 1]) {
            c[ne - 2]++;
            continue;
        }
        for (j = 0; j + 1 < ne; ++j)
            if (e[j] <= v && v < e[j + 1]) {
                c[j]++;
                break;
            }
    }
}

static mon_binner *make(void *buf, size_t cap, const double *e, size_t ne)
{
    mon_binner *b = NULL;
    size_t need = mon_binner_size(ne);
    CHECK(need > 0 && need <= cap);
    CHECK_STATUS(mon_binner_init(buf, cap, e, ne, &b), MON_OK);
    return b;
}

static uint64_t bufa[1 << 12], bufb[1 << 12];

/* REQ: MON-REQ-BIN-001, MON-REQ-BIN-002 */
static void test_random_binning(void)
{
    double e[80], x[3000];
    uint64_t c1[80], c2[80];
    int trial;
    for (trial = 0; trial < 300; ++trial) {
        size_t ne = 2 + rnd() % 70u, n = rnd() % 3000u, i;
        mon_bin_extra x1 = {0, 0, 0}, x2 = {0, 0, 0};
        mon_binner *b;
        double start = (double)((int64_t)(rnd() % 11u) - 5) * 0.5;
        for (i = 0; i < ne; ++i) e[i] = start + 0.5 * (double)i; /* half-integers */
        if (rnd() % 3u == 0) e[0] = -INFINITY;
        if (rnd() % 3u == 0) e[ne - 1] = INFINITY;
        if (rnd() % 4u == 0) e[ne - 1] = 1.7976931348623157e308;
        for (i = 0; i < n; ++i) x[i] = special(rnd());
        b = make(bufa, sizeof bufa, e, ne);
        CHECK(mon_binner_nbins(b) == ne - 1);
        memset(c1, 0, sizeof c1);
        memset(c2, 0, sizeof c2);
        CHECK_STATUS(mon_bin_count(b, x, n, c1, &x1), MON_OK);
        brute(e, ne, x, n, c2, &x2);
        CHECK(memcmp(c1, c2, (ne - 1) * sizeof(uint64_t)) == 0);
        CHECK(x1.nan == x2.nan && x1.below == x2.below && x1.above == x2.above);
    }
}

/* ne strictly increasing edges of any bit pattern (infinities, +-0 counted once, subnormals)
 * or of the given scale. */
static void random_edges(double *e, size_t ne, double scale)
{
    size_t k = 0, j;
    while (k < ne) {
        double v = (rnd() % 2u) ? special(rnd())
                                : ((double)(rnd() >> 11) / 9007199254740992.0 - 0.5) * scale;
        int dup = 0;
        if (v != v) continue;
        for (j = 0; j < k; ++j) dup |= (e[j] == v);
        if (dup) continue;
        for (j = k; j > 0 && e[j - 1] > v; --j) e[j] = e[j - 1];
        e[j] = v;
        ++k;
    }
}

/* A value of any class: an edge, an edge's bit-pattern neighbour, the extreme NaNs
 * 0x7fff...ff / 0xffff...ff, a value of the edges' scale, or special() (any bit pattern). */
static double value_near(const double *e, size_t ne, double scale)
{
    uint64_t r = rnd(), u;
    double d;
    switch (r % 8u) {
    case 0: return e[(r >> 8) % ne];
    case 1: /* a neighbour of an edge: its bit pattern +-1 */
        memcpy(&u, &e[(r >> 8) % ne], sizeof u);
        u = (r >> 7) & 1u ? u + 1u : u - 1u;
        break;
    case 2: u = (r >> 8) & 1u ? UINT64_C(0x7fffffffffffffff) : UINT64_C(0xffffffffffffffff); break;
    case 3: return ((double)(r >> 11) / 9007199254740992.0 - 0.5) * scale;
    default: return special(r >> 3);
    }
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Long calls (>= 16,384 values, <= 60 bins) take the radix path of mon_bin_count; the same
 * values counted in short calls take the 4-ary search. Both must give the brute-force counts,
 * for edges of any spacing (1, 2, 3 and more thresholds per exponent bucket: the last falls
 * back to the search) and values of any bit pattern (both NaN signs, 0x7fff...ff, +-0, the
 * edges themselves and their neighbours). */
/* REQ: MON-REQ-BIN-001, MON-REQ-BIN-002 */
static void test_radix_path(void)
{
    static double x[24000];
    double e[72];
    uint64_t c1[72], c2[72], c3[72];
    int trial;
    for (trial = 0; trial < 60; ++trial) {
        size_t ne = 2 + rnd() % 70u,
               /* above 61 edges: more than 64 slots, the search */ n = 16384u + rnd() % 7000u, i;
        mon_bin_extra x1 = {0, 0, 0}, x2 = {0, 0, 0}, x3 = {0, 0, 0};
        mon_binner *b;
        double scale = (trial % 3 == 0) ? 1.0 : (trial % 3 == 1 ? 0.01 : 1e6);
        random_edges(e, ne, scale);
        for (i = 0; i < n; ++i) x[i] = value_near(e, ne, scale);
        b = make(bufa, sizeof bufa, e, ne);
        memset(c1, 0, sizeof c1);
        memset(c2, 0, sizeof c2);
        memset(c3, 0, sizeof c3);
        CHECK_STATUS(mon_bin_count(b, x, n, c1, &x1), MON_OK);
        for (i = 0; i < n; i += 1000u)
            CHECK_STATUS(mon_bin_count(b, x + i, n - i < 1000u ? n - i : 1000u, c2, &x2), MON_OK);
        brute(e, ne, x, n, c3, &x3);
        CHECK(memcmp(c1, c3, (ne - 1) * sizeof(uint64_t)) == 0);
        CHECK(memcmp(c2, c3, (ne - 1) * sizeof(uint64_t)) == 0);
        CHECK(x1.nan == x3.nan && x1.below == x3.below && x1.above == x3.above);
        CHECK(x2.nan == x3.nan && x2.below == x3.below && x2.above == x3.above);
    }
}

/* Calls of >= 64 values into few bins (<= 16 distinct thresholds) count by vector compares
 * where the CPU has them (AVX-512 or AVX2 on x86, chosen at run time; the AVX2 copy where
 * there is no AVX-512 or in the MON_BIN_NO_AVX512=1 build, tests/cert/test_latency_c.py;
 * AArch64): against calls of 63 values (the search) and brute
 * force, with x at a 4-byte offset (any alignment), n of any remainder mod 4, edges of any
 * class (+-inf, +-0, subnormals, neighbours), and the matrix path (strided columns). */
/* REQ: MON-REQ-BIN-001, MON-REQ-BIN-002 */
static void test_compare_path(void)
{
    static double x[5000], xm[3 * 700];
    static unsigned char raw[5000 * sizeof(double) + 8];
    double e[3][18], *xu;
    uint64_t c1[18], c2[18], c3[18], cm[3 * 18];
    mon_bin_extra xmx[3];
    static uint64_t bufm[3][64];
    const mon_binner *bs[3];
    int trial;
    for (trial = 0; trial < 400; ++trial) {
        size_t ne = 2 + rnd() % 17u, n = 64u + rnd() % 4900u, i, f;
        mon_bin_extra x1 = {0, 0, 0}, x2 = {0, 0, 0}, x3 = {0, 0, 0};
        mon_binner *b;
        double scale = (trial % 3 == 0) ? 1.0 : (trial % 3 == 1 ? 1e-310 : 1e6);
        random_edges(e[0], ne, scale);
        if (rnd() % 3u == 0) e[0][0] = -INFINITY;
        if (rnd() % 3u == 0) e[0][ne - 1] = INFINITY;
        for (i = 0; i < n; ++i) x[i] = value_near(e[0], ne, scale);
        b = make(bufa, sizeof bufa, e[0], ne);
        xu = (double *)(void *)(raw + 4); /* misaligned on purpose: read through memcpy */
        memcpy(raw + 4, x, n * sizeof(double));
        memset(c1, 0, sizeof c1);
        memset(c2, 0, sizeof c2);
        memset(c3, 0, sizeof c3);
        CHECK_STATUS(mon_bin_count(b, xu, n, c1, &x1), MON_OK);
        for (i = 0; i < n; i += 63u)
            CHECK_STATUS(mon_bin_count(b, x + i, n - i < 63u ? n - i : 63u, c2, &x2), MON_OK);
        brute(e[0], ne, x, n, c3, &x3);
        CHECK(memcmp(c1, c3, (ne - 1) * sizeof(uint64_t)) == 0);
        CHECK(memcmp(c2, c3, (ne - 1) * sizeof(uint64_t)) == 0);
        CHECK(x1.nan == x3.nan && x1.below == x3.below && x1.above == x3.above);
        CHECK(x2.nan == x3.nan && x2.below == x3.below && x2.above == x3.above);
        if (trial % 4 == 0) { /* three features, strided rows (blocks of 256 and a tail) */
            size_t rows = 64u + rnd() % 636u, off = 0;
            for (f = 0; f < 3; ++f) {
                if (f > 0) random_edges(e[f], ne, scale);
                bs[f] = make(bufm[f], sizeof bufm[f], e[f], ne);
            }
            for (i = 0; i < rows * 3u; ++i) xm[i] = value_near(e[i % 3u], ne, scale);
            memset(cm, 0, sizeof cm);
            memset(xmx, 0, sizeof xmx);
            CHECK_STATUS(mon_bin_count_matrix(bs, 3, xm, rows, 3, cm, xmx), MON_OK);
            for (f = 0; f < 3; ++f) {
                double col[700];
                mon_bin_extra xc = {0, 0, 0};
                memset(c3, 0, sizeof c3);
                for (i = 0; i < rows; ++i) col[i] = xm[i * 3u + f];
                brute(e[f], ne, col, rows, c3, &xc);
                CHECK(memcmp(cm + off, c3, (ne - 1) * sizeof(uint64_t)) == 0);
                CHECK(xmx[f].nan == xc.nan && xmx[f].below == xc.below && xmx[f].above == xc.above);
                off += ne - 1;
            }
        }
    }
}

/* REQ: MON-REQ-BIN-002, MON-REQ-BIN-003 */
static void test_edges_and_errors(void)
{
    double e[4] = {0.0, 1.0, 2.0, 3.0};
    double bad[3] = {0.0, 0.0, 1.0};
    double nanedge[3] = {0.0, NAN, 1.0};
    double x[6] = {-0.0, 3.0, 1.0, 3.0000000000000004, -5e-324, NAN};
    uint64_t c[3] = {0, 0, 0};
    mon_bin_extra ex = {0, 0, 0};
    mon_binner *b = NULL;
    CHECK(mon_binner_size(1) == 0);
    CHECK(mon_binner_size(MON_BIN_MAX_EDGES + 1u) == 0);
    CHECK_STATUS(mon_binner_init(bufa, sizeof bufa, bad, 3, &b), MON_E_EDGES);
    CHECK_STATUS(mon_binner_init(bufa, sizeof bufa, nanedge, 3, &b), MON_E_EDGES);
    CHECK_STATUS(mon_binner_init(bufa, 8, e, 4, &b), MON_E_SIZE);
    CHECK_STATUS(mon_binner_init((char *)bufa + 4, sizeof bufa - 8, e, 4, &b), MON_E_ALIGN);
    CHECK_STATUS(mon_binner_init(NULL, sizeof bufa, e, 4, &b), MON_E_NULL);
    b = make(bufa, sizeof bufa, e, 4);
    CHECK_STATUS(mon_bin_count(b, x, 6, c, &ex), MON_OK);
    /* -0.0 in bin 0, 1.0 in bin 1, 3.0 twice... only one 3.0 exactly; 3.0000000000000004 above */
    CHECK(c[0] == 1 && c[1] == 1 && c[2] == 1);
    CHECK(ex.nan == 1 && ex.below == 1 && ex.above == 1);
    CHECK_STATUS(mon_bin_count(b, NULL, 0, c, &ex), MON_OK);
    CHECK_STATUS(mon_bin_count(b, NULL, 1, c, &ex), MON_E_NULL);
    memset(bufb, 0, sizeof bufb);
    CHECK_STATUS(mon_bin_count((const mon_binner *)bufb, x, 6, c, &ex), MON_E_STATE);
    /* NaN payloads of both signs, including all-ones bit patterns, and infinities */
    {
        static const uint64_t pats[6] = {0x7fffffffffffffffu, 0xffffffffffffffffu,
                                         0x7ff0000000000001u, 0xfff0000000000001u,
                                         0x7ff8000000000000u, 0xfff8000000000000u};
        double y[8];
        uint64_t cc[3] = {0, 0, 0};
        mon_bin_extra e2 = {0, 0, 0};
        double einf[4] = {-INFINITY, 1.0, 2.0, INFINITY};
        mon_binner *bi = make(bufb, sizeof bufb, einf, 4);
        size_t j;
        for (j = 0; j < 6; ++j) memcpy(&y[j], &pats[j], sizeof(double));
        y[6] = INFINITY;
        y[7] = -INFINITY;
        CHECK_STATUS(mon_bin_count(bi, y, 8, cc, &e2), MON_OK);
        CHECK(e2.nan == 6 && e2.below == 0 && e2.above == 0);
        CHECK(cc[0] == 1 && cc[1] == 0 && cc[2] == 1);
    }
    /* saturation */
    c[0] = UINT64_MAX;
    ex.nan = UINT64_MAX - 1u;
    {
        double y[3] = {0.5, NAN, NAN};
        CHECK_STATUS(mon_bin_count(b, y, 3, c, &ex), MON_OK);
        CHECK(c[0] == UINT64_MAX && ex.nan == UINT64_MAX);
    }
}

/* REQ: MON-REQ-BIN-001 */
static void test_many_bins_direct_path(void)
{
    static double e[301], x[5000];
    static uint64_t c1[300], c2[300];
    static uint64_t big[1 << 10];
    mon_bin_extra x1 = {0, 0, 0}, x2 = {0, 0, 0};
    mon_binner *b = NULL;
    size_t i;
    for (i = 0; i < 301; ++i) e[i] = -75.0 + 0.5 * (double)i;
    for (i = 0; i < 5000; ++i) x[i] = special(rnd()) * 20.0;
    CHECK_STATUS(mon_binner_init(big, sizeof big, e, 301, &b), MON_OK);
    CHECK_STATUS(mon_bin_count(b, x, 5000, c1, &x1), MON_OK);
    brute(e, 301, x, 5000, c2, &x2);
    CHECK(memcmp(c1, c2, sizeof c1) == 0);
    CHECK(x1.nan == x2.nan && x1.below == x2.below && x1.above == x2.above);
}

/* REQ: MON-REQ-BIN-004 */
static void test_matrix(void)
{
    enum {
        F = 5,
        R = 1000,
        S = 7
    };
    static double m[R * S], col[R];
    static uint64_t store[F][64];
    double edges[F][12];
    size_t ne[F] = {3, 12, 2, 7, 5};
    const mon_binner *bs[F];
    uint64_t counts[64], ref[64];
    mon_bin_extra ex[F], rex[F];
    size_t f, i, off = 0;
    for (f = 0; f < F; ++f) {
        for (i = 0; i < ne[f]; ++i) edges[f][i] = -2.0 + 0.5 * (double)i + (double)f * 0.25;
        bs[f] = make(store[f], sizeof store[f], edges[f], ne[f]);
    }
    for (i = 0; i < R * S; ++i) m[i] = special(rnd());
    memset(counts, 0, sizeof counts);
    memset(ref, 0, sizeof ref);
    memset(ex, 0, sizeof ex);
    memset(rex, 0, sizeof rex);
    CHECK_STATUS(mon_bin_count_matrix(bs, F, m, R, S, counts, ex), MON_OK);
    for (f = 0; f < F; ++f) {
        for (i = 0; i < R; ++i) col[i] = m[i * S + f];
        brute(edges[f], ne[f], col, R, ref + off, &rex[f]);
        CHECK(ex[f].nan == rex[f].nan && ex[f].below == rex[f].below &&
              ex[f].above == rex[f].above);
        off += ne[f] - 1;
    }
    CHECK(memcmp(counts, ref, off * sizeof(uint64_t)) == 0);
    CHECK_STATUS(mon_bin_count_matrix(bs, F, m, R, F - 1, counts, ex), MON_E_LENGTH);
    CHECK_STATUS(mon_bin_count_matrix(bs, 0, m, R, S, counts, ex), MON_E_LENGTH);
    CHECK_STATUS(mon_bin_count_matrix(NULL, F, m, R, S, counts, ex), MON_E_NULL);
}

/* REQ: MON-REQ-BIN-005 */
static void test_codes(void)
{
    int64_t codes[8] = {0, 1, 2, 3, -1, INT64_MIN, INT64_MAX, 1};
    uint64_t c[3] = {0, 0, 0}, unseen = 0;
    CHECK_STATUS(mon_bin_count_codes(codes, 8, c, 3, &unseen), MON_OK);
    CHECK(c[0] == 1 && c[1] == 2 && c[2] == 1 && unseen == 4);
    CHECK_STATUS(mon_bin_count_codes(codes, 8, c, 0, &unseen), MON_E_LENGTH);
    CHECK_STATUS(mon_bin_count_codes(NULL, 1, c, 3, &unseen), MON_E_NULL);
}

static int cmp_key(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    if (x != x) return (y != y) ? 0 : 1;
    if (y != y) return -1;
    return (x > y) - (x < y);
}

/* REQ: MON-REQ-SELECT-001 */
static void test_select(void)
{
    static double x[20000], sorted[20000], out[40];
    static uint32_t hist[MON_SELECT_HIST_LEN];
    static uint64_t keys[20001];
    uint64_t ranks[40], nan = 0;
    int trial;
    for (trial = 0; trial < 60; ++trial) {
        size_t n = 1 + rnd() % 20000u, i, nr = 1 + rnd() % 40u;
        uint64_t nn = 0;
        int mode = trial % 4;
        for (i = 0; i < n; ++i) {
            if (mode == 0)
                x[i] = special(rnd());
            else if (mode == 1)
                x[i] = (double)(rnd() % 5u); /* heavy ties */
            else if (mode == 2)
                x[i] = 1.0 + (double)(rnd() % 1000u) * 1e-9; /* one bucket */
            else
                x[i] = (double)(rnd() >> 11) / 9007199254740992.0 - 0.5;
            if (x[i] != x[i]) ++nn;
        }
        memcpy(sorted, x, n * sizeof(double));
        qsort(sorted, n, sizeof(double), cmp_key);
        for (i = 0; i < nr; ++i) ranks[i] = rnd() % n;
        for (i = 1; i < nr; ++i) { /* sort ranks */
            size_t j = i;
            uint64_t v = ranks[i];
            while (j > 0 && ranks[j - 1] > v) {
                ranks[j] = ranks[j - 1];
                --j;
            }
            ranks[j] = v;
        }
        CHECK_STATUS(mon_select_prepare(x, n, hist, &nan), MON_OK);
        CHECK(nan == nn);
        CHECK_STATUS(mon_select_ranks(x, n, hist, ranks, nr, keys, out), MON_OK);
        for (i = 0; i < nr; ++i) {
            double want = sorted[ranks[i]];
            if (want != want)
                CHECK(out[i] != out[i]);
            else
                CHECK(out[i] == want);
        }
    }
    CHECK_STATUS(mon_select_prepare(x, 0, hist, &nan), MON_E_SIZE);
    CHECK_STATUS(mon_select_prepare(x, 10, hist, &nan), MON_OK);
    ranks[0] = 5;
    ranks[1] = 4;
    CHECK_STATUS(mon_select_ranks(x, 10, hist, ranks, 2, keys, out), MON_E_VALUE);
    ranks[1] = 10;
    CHECK_STATUS(mon_select_ranks(x, 10, hist, ranks, 2, keys, out), MON_E_VALUE);
    CHECK_STATUS(mon_select_ranks(x, 10, hist, ranks, 0, keys, out), MON_E_VALUE);
}

int main(void)
{
    test_random_binning();
    test_radix_path();
    test_compare_path();
    test_edges_and_errors();
    test_many_bins_direct_path();
    test_matrix();
    test_codes();
    test_select();
    MON_TEST_MAIN_END();
}
