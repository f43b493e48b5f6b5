#include <string.h>

#include "mon_align_internal.h"
#include "mon_bin.h"
#include "mon_bits_internal.h"
#include "mon_sat_internal.h"

/* The compare-and-count path's copies (bin_simd, below). */
#if MON_BIN_SIMD && defined(__GNUC__) && defined(__aarch64__)
#define BIN_SIMD 1
#define BIN_SIMD_TARGET
#define BIN_SIMD_AVAILABLE() 1
#elif MON_BIN_SIMD && defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && \
    !MON_HIST_NO_DISPATCH
#define BIN_SIMD 1
#define BIN_SIMD_TARGET __attribute__((target("avx2")))
#define BIN_SIMD_AVAILABLE() __builtin_cpu_supports("avx2")
#if !MON_BIN_NO_AVX512
#define BIN_SIMD512 1 /* an 8-lane copy, chosen at run time before the AVX2 one */
#define BIN_SIMD512_TARGET __attribute__((target("avx512f")))
#define BIN_SIMD512_AVAILABLE() __builtin_cpu_supports("avx512f")
#endif
#else
#define BIN_SIMD 0
#endif
#ifndef BIN_SIMD512
#define BIN_SIMD512 0
#endif
#if BIN_SIMD512
#include <immintrin.h>
#endif

/*
 * Binning: a value's slot is the number of thresholds t_j with t_j <= key(x), found by a
 * branchless 4-ary search over a table of integer keys padded to a power of two P.
 *
 * key() is the classic order-preserving map of a double's bits to uint64 (flip the sign bit of
 * positives, all bits of negatives): non-NaN doubles compare like their keys, except that
 * -0.0 < +0.0 as keys; a zero edge therefore gets the key of -0.0, so both zeros land on the
 * same side of it. Negative NaNs have keys below key(-inf), positive NaNs above key(+inf).
 *
 *   t = [key(-inf), key(e_0), ..., key(e_{B-1}), key(up(e_B)), NANPLUS, MAX, ..., MAX]
 *
 * with up(e_B) the next double above e_B (NANPLUS when e_B = +inf) and NANPLUS =
 * key(+inf) + 1, the smallest positive-NaN key. Slots: 0 = negative NaN, 1 = below e_0,
 * 2 + i = bin i, B + 2 = above e_B, B + 3 and up = positive NaN. x == e_B lands in the last
 * bin because up(e_B) > x. P >= B + 4, so the search result (at most P - 1) can always reach
 * the positive-NaN slot. Per value: 4 integer ops for the key, then k/2 levels of three
 * independent integer compares; no floating-point operation at all.
 */

#define BINNER_MAGIC 0x4d4f4e42u /* "MONB" */
#define LOCAL_SLOTS 64u          /* fast path: slots counted in 4 local arrays on the stack */
#define MATRIX_BLOCK 256u        /* rows per block of the matrix path (stays in L1/L2) */

struct mon_binner {
    uint32_t magic;
    uint32_t nbins;
    uint32_t log2p;
    uint32_t reserved;
    uint64_t thr[]; /* P threshold keys (C99 flexible array member) */
};

static int is_nan_bits(uint64_t u) { return (u & BITS_MAG) > BITS_INF; }

/* Order-preserving key of a double's bits (see the comment at the top). */
static inline uint64_t sort_key(uint64_t u) { return u ^ ((0u - (u >> 63)) | BITS_SIGN); }

#define KEY_NANPLUS ((BITS_SIGN | BITS_INF) + 1u) /* sort_key(+inf) + 1 */

/* Key of an edge: a zero (either sign) takes -0.0's key so that -0.0 >= the edge. */
static uint64_t edge_key(double e)
{
    uint64_t u = double_to_bits(e);
    if ((u & BITS_MAG) == 0) u = BITS_SIGN;
    return sort_key(u);
}

/* The next double above x (x not NaN, x != +inf), from its bits alone. */
static double next_up(double x)
{
    uint64_t u = double_to_bits(x);
    if ((u & BITS_MAG) == 0) return bits_to_double(1u); /* +-0 -> smallest subnormal */
    if (u & BITS_SIGN) return bits_to_double(u - 1u);   /* negative: magnitude shrinks */
    return bits_to_double(u + 1u);
}

/* edges[i] of an array of any alignment. */
static double edge_at(const double *edges, size_t i)
{
    double d;
    memcpy(&d, (const unsigned char *)(const void *)edges + i * sizeof d, sizeof d);
    return d;
}

static size_t pow2_slots(size_t nedges, unsigned *log2p)
{
    size_t p = 4;
    unsigned k = 2;
    while (p < nedges + 3u) { /* P >= B + 4 = nedges + 3 */
        p <<= 1;
        ++k;
    }
    *log2p = k;
    return p;
}

size_t mon_binner_size(size_t nedges)
{
    unsigned k;
    size_t p;
    if (nedges < 2 || nedges > MON_BIN_MAX_EDGES) return 0;
    p = pow2_slots(nedges, &k);
    return offsetof(struct mon_binner, thr) + p * sizeof(uint64_t);
}

mon_status mon_binner_init(void *buf, size_t size, const double *edges, size_t nedges,
                           mon_binner **out)
{
    struct mon_binner *b;
    size_t need, p, i;
    unsigned k;
    if (buf == NULL || edges == NULL || out == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(buf) || !MON_ALIGNED_PTR(out)) return MON_E_ALIGN;
    need = mon_binner_size(nedges);
    if (need == 0 || size < need) return MON_E_SIZE;
    for (i = 0; i < nedges; ++i) {
        /* edges may have any alignment: read through memcpy (edge_at) */
        if (is_nan_bits(double_to_bits(edge_at(edges, i)))) return MON_E_EDGES;
        if (i > 0 && !(edge_at(edges, i - 1u) < edge_at(edges, i))) return MON_E_EDGES;
    }
    p = pow2_slots(nedges, &k);
    b = (struct mon_binner *)buf;
    b->magic = BINNER_MAGIC;
    b->nbins = (uint32_t)(nedges - 1u);
    b->log2p = (uint32_t)k;
    b->reserved = 0;
    b->thr[0] = sort_key(BITS_SIGN | BITS_INF);
    for (i = 0; i + 1u < nedges; ++i) b->thr[1u + i] = edge_key(edge_at(edges, i));
    b->thr[nedges] = double_to_bits(edge_at(edges, nedges - 1u)) == BITS_INF
                         ? KEY_NANPLUS
                         : edge_key(next_up(edge_at(edges, nedges - 1u)));
    b->thr[nedges + 1u] = KEY_NANPLUS;
    for (i = nedges + 2u; i < p; ++i) b->thr[i] = UINT64_MAX;
    *out = b;
    return MON_OK;
}

/* The whole header, and the table's fixed entries: P = 2^log2p is the smallest power of two
 * >= nbins + 4 (>= 4), thr[0] = key(-inf), thr[nbins + 1] <= NANPLUS, thr[nbins + 2] =
 * NANPLUS and thr[nbins + 3] (always padding, as P >= nbins + 4) UINT64_MAX. So a corrupted nbins or log2p is seen before it indexes the table or the
 * caller's counts. */
static int binner_ok(const struct mon_binner *b)
{
    size_t p;
    if (b == NULL || !MON_ALIGNED_OBJ(b) || b->magic != BINNER_MAGIC) return 0;
    if (b->log2p < 2u || b->log2p > 21u || b->nbins == 0u) return 0; /* P <= 2^21 */
    p = (size_t)1 << b->log2p;
    if ((size_t)b->nbins + 4u > p || (b->log2p > 2u && (size_t)b->nbins + 4u <= p / 2u)) return 0;
    return b->thr[0] == sort_key(BITS_SIGN | BITS_INF) && b->thr[b->nbins + 2u] == KEY_NANPLUS &&
           b->thr[b->nbins + 1u] <= KEY_NANPLUS && b->thr[b->nbins + 3u] == UINT64_MAX;
}

static mon_status binner_status(const struct mon_binner *b)
{
    if (b == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(b)) return MON_E_ALIGN;
    return binner_ok(b) ? MON_OK : MON_E_STATE;
}

size_t mon_binner_nbins(const mon_binner *b)
{
    if (!binner_ok(b)) return 0;
    return b->nbins;
}

/* Slot of a key over P = 2^k thresholds: 4-ary steps (three independent comparisons each, so
 * the dependent chain is k/2 loads long instead of k), plus one binary step when k is odd.
 * Called with a constant k, it is fully unrolled with no branch. */
static inline size_t slot_of(const uint64_t *t, unsigned k, uint64_t key)
{
    size_t pos = 0;
    unsigned s = k;
    if (s & 1u) {
        size_t half = (size_t)1 << (s - 1u);
        pos += (t[half - 1u] <= key) ? half : 0u;
        --s;
    }
    while (s > 0) {
        size_t q = (size_t)1 << (s - 2u);
        size_t c = (size_t)(t[pos + q - 1u] <= key) + (size_t)(t[pos + 2u * q - 1u] <= key) +
                   (size_t)(t[pos + 3u * q - 1u] <= key);
        pos += c * q;
        s -= 2u;
    }
    return pos;
}

/* x may have any alignment: the load is a memcpy (same code as a plain load on targets with
 * unaligned loads). */
static inline uint64_t key_at(const double *x, size_t i)
{
    uint64_t u;
    memcpy(&u, (const unsigned char *)(const void *)x + i * sizeof u, sizeof u);
    return sort_key(u);
}

/* Count n values (stride apart) into loc[4][LOCAL_SLOTS]; 4 arrays so that consecutive
 * values falling in the same slot do not serialise on one memory counter. One function per
 * table size, each with its k a literal constant, so the search is unrolled in every copy. */
#define MON_DEFINE_COUNT_LOCAL(K)                                                            \
    static void count_local_##K(const uint64_t *t, const double *x, size_t n, size_t stride, \
                                uint64_t loc[4][LOCAL_SLOTS])                                \
    {                                                                                        \
        size_t i = 0;                                                                        \
        for (; i + 4u <= n; i += 4u) {                                                       \
            size_t s0 = slot_of(t, K, key_at(x, i * stride));                                \
            size_t s1 = slot_of(t, K, key_at(x, (i + 1u) * stride));                         \
            size_t s2 = slot_of(t, K, key_at(x, (i + 2u) * stride));                         \
            size_t s3 = slot_of(t, K, key_at(x, (i + 3u) * stride));                         \
            ++loc[0][s0];                                                                    \
            ++loc[1][s1];                                                                    \
            ++loc[2][s2];                                                                    \
            ++loc[3][s3];                                                                    \
        }                                                                                    \
        for (; i < n; ++i) ++loc[0][slot_of(t, K, key_at(x, i * stride))];                   \
    }

MON_DEFINE_COUNT_LOCAL(2)
MON_DEFINE_COUNT_LOCAL(3)
MON_DEFINE_COUNT_LOCAL(4)
MON_DEFINE_COUNT_LOCAL(5)
MON_DEFINE_COUNT_LOCAL(6)

static void count_dispatch(const struct mon_binner *b, const double *x, size_t n, size_t stride,
                           uint64_t loc[4][LOCAL_SLOTS])
{
    switch (b->log2p) {
    case 2: count_local_2(b->thr, x, n, stride, loc); break;
    case 3: count_local_3(b->thr, x, n, stride, loc); break;
    case 4: count_local_4(b->thr, x, n, stride, loc); break;
    case 5: count_local_5(b->thr, x, n, stride, loc); break;
    default: count_local_6(b->thr, x, n, stride, loc); break;
    }
}

/* Add v values of table slot i (0: NaN-, 1: below, 2..nb+1: bins, nb+2: above, beyond: NaN+)
 * to the caller's counts, saturating. */
static void add_slot(size_t nb, size_t i, uint64_t v, uint64_t *counts, mon_bin_extra *extra)
{
    if (i == 0 || i > nb + 2u)
        extra->nan = mon_sat_sum(extra->nan, v);
    else if (i == 1)
        extra->below = mon_sat_sum(extra->below, v);
    else if (i == nb + 2u)
        extra->above = mon_sat_sum(extra->above, v);
    else
        counts[i - 2u] = mon_sat_sum(counts[i - 2u], v);
}

static void merge_local(const struct mon_binner *b, uint64_t loc[4][LOCAL_SLOTS], uint64_t *counts,
                        mon_bin_extra *extra)
{
    size_t nb = b->nbins, i, p = (size_t)1 << b->log2p;
    for (i = 0; i < p; ++i) {
        uint64_t v = loc[0][i] + loc[1][i] + loc[2][i] + loc[3][i]; /* <= n: no wrap */
        if (v != 0) add_slot(nb, i, v, counts, extra);
    }
}

/* Many bins: count straight into the caller's arrays (saturating per value). */
static void count_direct(const struct mon_binner *b, const double *x, size_t n, size_t stride,
                         uint64_t *counts, mon_bin_extra *extra)
{
    size_t i, nb = b->nbins;
    unsigned k = b->log2p;
    for (i = 0; i < n; ++i) {
        size_t s = slot_of(b->thr, k, key_at(x, i * stride));
        uint64_t *c;
        if (s == 0 || s > nb + 2u)
            c = &extra->nan;
        else if (s == 1)
            c = &extra->below;
        else if (s == nb + 2u)
            c = &extra->above;
        else
            c = &counts[s - 2u];
        *c += (*c != UINT64_MAX);
    }
}

#if MON_BIN_RADIX
/*
 * Radix fast path (long contiguous arrays, P <= LOCAL_SLOTS): the top RADIX_BITS bits of a key
 * (sign and exponent of the double) index a table of the number of thresholds in lower
 * buckets, tab[key >> 52] = #{j : t_j >> 52 < key >> 52}; the thresholds inside the key's own
 * bucket are then passed one by one: s += (t[s] <= key), `steps` times, steps being the
 * largest number of thresholds any bucket holds (at most RADIX_MAX_STEPS, else the 4-ary
 * search). Each step either passes a threshold of the bucket or stops on the first threshold
 * above the key (every threshold of a higher bucket is above it), so s ends as
 * #{j : t_j <= key}: the same slot as slot_of, with 3 + 2 * steps operations instead of the
 * search's levels. The table is built on the stack per call (RADIX_SIZE bytes, RADIX_SIZE
 * bounded steps), so the binner's layout is unchanged; calls with fewer than
 * RADIX_MIN_VALUES values keep the search, whose cost has no set-up.
 *
 * The real thresholds are t_0 .. t_{m-1}, m = nbins + 3 (key(-inf) .. NANPLUS); tl holds them
 * followed by UINT64_MAX. A key of UINT64_MAX (the positive NaN 0x7fff...ff) passes those
 * too, at most steps of them: s <= m + RADIX_MAX_STEPS - 1 < RADIX_SLOTS, a positive-NaN slot
 * (> nbins + 2) like the search's.
 */
#define RADIX_BITS 12u
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_SHIFT (64u - RADIX_BITS)
#define RADIX_MAX_STEPS 3u
#define RADIX_MIN_VALUES 16384u
#define RADIX_SLOTS (LOCAL_SLOTS + RADIX_MAX_STEPS + 1u)

/* One refinement step (see above), and R of them (R a literal 1..3: no loop left). */
#define RADIX_STEP(s, k) ((s) += (size_t)(tl[(s)] <= (k)))
#define RADIX_STEPS(R, s, k)            \
    do {                                \
        RADIX_STEP(s, k);               \
        if ((R) > 1u) RADIX_STEP(s, k); \
        if ((R) > 2u) RADIX_STEP(s, k); \
    } while (0)

#define MON_DEFINE_COUNT_RADIX(N, R)                                                               \
    static void count_radix_##N(const uint64_t *tl, const uint8_t *tab, const double *x, size_t n, \
                                uint64_t loc[4][RADIX_SLOTS])                                      \
    {                                                                                              \
        size_t i = 0;                                                                              \
        for (; i + 4u <= n; i += 4u) {                                                             \
            uint64_t k0 = key_at(x, i), k1 = key_at(x, i + 1u), k2 = key_at(x, i + 2u),            \
                     k3 = key_at(x, i + 3u);                                                       \
            size_t s0 = tab[k0 >> RADIX_SHIFT], s1 = tab[k1 >> RADIX_SHIFT],                       \
                   s2 = tab[k2 >> RADIX_SHIFT], s3 = tab[k3 >> RADIX_SHIFT];                       \
            RADIX_STEPS(R, s0, k0);                                                                \
            RADIX_STEPS(R, s1, k1);                                                                \
            RADIX_STEPS(R, s2, k2);                                                                \
            RADIX_STEPS(R, s3, k3);                                                                \
            ++loc[0][s0];                                                                          \
            ++loc[1][s1];                                                                          \
            ++loc[2][s2];                                                                          \
            ++loc[3][s3];                                                                          \
        }                                                                                          \
        for (; i < n; ++i) {                                                                       \
            uint64_t k = key_at(x, i);                                                             \
            size_t s = tab[k >> RADIX_SHIFT];                                                      \
            RADIX_STEPS(R, s, k);                                                                  \
            ++loc[0][s];                                                                           \
        }                                                                                          \
    }

MON_DEFINE_COUNT_RADIX(1, 1u)
MON_DEFINE_COUNT_RADIX(2, 2u)
MON_DEFINE_COUNT_RADIX(3, 3u)

/* Build tl and tab for b (P <= LOCAL_SLOTS); returns the number of steps, or 0 when some
 * bucket holds more than RADIX_MAX_STEPS thresholds (then the search is used). */
static size_t radix_build(const struct mon_binner *b, uint64_t tl[RADIX_SLOTS],
                          uint8_t tab[RADIX_SIZE])
{
    size_t m = (size_t)b->nbins + 3u, j = 0, run = 0, steps = 0, bk;
    for (j = 0; j < RADIX_SLOTS; ++j) tl[j] = j < m ? b->thr[j] : UINT64_MAX;
    for (j = 0; j < m; ++j) { /* longest run of thresholds sharing a bucket */
        run = (j > 0 && (tl[j] >> RADIX_SHIFT) == (tl[j - 1u] >> RADIX_SHIFT)) ? run + 1u : 1u;
        steps = run > steps ? run : steps;
    }
    if (steps > RADIX_MAX_STEPS) return 0;
    j = 0;
    for (bk = 0; bk < RADIX_SIZE; ++bk) { /* j only grows, to at most m: m + RADIX_SIZE steps */
        while (j < m && (tl[j] >> RADIX_SHIFT) < bk) ++j;
        tab[bk] = (uint8_t)j;
    }
    return steps;
}

/* Count n contiguous values with the radix table; 0 (nothing counted) when it does not apply:
 * more than LOCAL_SLOTS slots, or a bucket with more than RADIX_MAX_STEPS thresholds. */
static int bin_radix(const struct mon_binner *b, const double *x, size_t n, uint64_t *counts,
                     mon_bin_extra *extra)
{
    uint64_t tl[RADIX_SLOTS];
    uint8_t tab[RADIX_SIZE];
    uint64_t loc[4][RADIX_SLOTS];
    size_t steps, j, i, nb = b->nbins;
    if (((size_t)1 << b->log2p) > LOCAL_SLOTS) return 0;
    steps = radix_build(b, tl, tab);
    if (steps == 0) return 0;
    (void)memset(loc, 0, sizeof loc);
    if (steps == 1u)
        count_radix_1(tl, tab, x, n, loc);
    else if (steps == 2u)
        count_radix_2(tl, tab, x, n, loc);
    else
        count_radix_3(tl, tab, x, n, loc);
    for (i = 0; i < RADIX_SLOTS; ++i) {
        uint64_t v = 0;
        for (j = 0; j < 4u; ++j) v += loc[j][i]; /* <= n: no wrap */
        if (v != 0) add_slot(nb, i, v, counts, extra);
    }
    return 1;
}
#endif

static void bin_strided(const struct mon_binner *b, const double *x, size_t n, size_t stride,
                        uint64_t *counts, mon_bin_extra *extra)
{
    if (((size_t)1 << b->log2p) <= LOCAL_SLOTS) {
        uint64_t loc[4][LOCAL_SLOTS];
        size_t slots = (size_t)1 << b->log2p, j;
        for (j = 0; j < 4u; ++j) memset(loc[j], 0, slots * sizeof(uint64_t));
        count_dispatch(b, x, n, stride, loc);
        merge_local(b, loc, counts, extra);
    } else {
        count_direct(b, x, n, stride, counts, extra);
    }
}

#if BIN_SIMD
/*
 * Compare-and-count path (few bins, contiguous values, a target with 64-bit vector compares:
 * AVX2, chosen at run time on x86, or AArch64's NEON): no search and no scatter. For every
 * distinct real threshold t (key(-inf), the edges' keys, NANPLUS), ge(t) = #{key >= t} is
 * counted by one compare and one add per value, SIMD_LANES values per vector (GCC/Clang vector
 * extensions: the compiler emits the target's compares, no intrinsics; on x86 an AVX-512 copy,
 * 8 values per vector, chosen at run time before the AVX2 one, below). Slot s of the search
 * holds the keys with t_{s-1} <= key < t_s, so its count is ge(t_{s-1}) - ge(t_s): the same
 * slots as slot_of, by the same integer keys (no floating-point compare, so -0.0, NaNs,
 * subnormals and the FPU's flush modes cannot change a result). The compare is signed:
 * skey = key ^ SIGN = u ^ (u < 0 ? MAG : 0), and skey >= st  <=>  skey > st - 1 (every
 * threshold's st > INT64_MIN). Lanes count down from 0 by the compares' -1 (>= -n: no wrap).
 */
#define SIMD_MAX 16u /* distinct thresholds, padded to a multiple of 4 */
#define SIMD_MIN_VALUES 64u
#if defined(__aarch64__)
#define SIMD_LANES 2u /* one NEON register: gcc splits wider vectors into scalars there */
#else
#define SIMD_LANES 4u
#endif
typedef int64_t bin_v4 __attribute__((vector_size(SIMD_LANES * 8u)));

/* One vector of SIMD_LANES keys counted against the M thresholds (u: the values' bits). */
#define SIMD_STEP(M, u)                                                             \
    do {                                                                            \
        bin_v4 s_ = (u) ^ (((u) < zero) & mag);                                     \
        _Pragma("GCC unroll 16") for (k = 0; k < (M); ++k) acc[k] += (s_ > thr[k]); \
    } while (0)

static inline int64_t bits_at(const double *x, size_t i)
{
    int64_t v;
    memcpy(&v, (const unsigned char *)(const void *)x + i * sizeof v, sizeof v);
    return v;
}

/* nv vectors of SIMD_LANES values, stride apart (1: one vector load; else scalar loads). */
#define MON_DEFINE_COUNT_SIMD(M)                                                             \
    BIN_SIMD_TARGET static void count_simd_##M(const double *x, size_t nv, size_t stride,    \
                                               const int64_t *st, uint64_t *ge)              \
    {                                                                                        \
        bin_v4 zero, mag, thr[M], acc[M];                                                    \
        size_t i, k, l;                                                                      \
        for (l = 0; l < SIMD_LANES; ++l) {                                                   \
            zero[l] = 0;                                                                     \
            mag[l] = (int64_t)BITS_MAG;                                                      \
        }                                                                                    \
        for (k = 0; k < (M); ++k) {                                                          \
            for (l = 0; l < SIMD_LANES; ++l) thr[k][l] = st[k] - 1;                          \
            acc[k] = zero;                                                                   \
        }                                                                                    \
        if (stride == 1u) {                                                                  \
            for (i = 0; i < nv; ++i) {                                                       \
                bin_v4 u;                                                                    \
                memcpy(&u, (const unsigned char *)(const void *)x + i * sizeof u, sizeof u); \
                SIMD_STEP(M, u);                                                             \
            }                                                                                \
        } else {                                                                             \
            for (i = 0; i < nv; ++i) {                                                       \
                bin_v4 u;                                                                    \
                _Pragma("GCC unroll 4") for (l = 0; l < SIMD_LANES; ++l) u[l] =              \
                    bits_at(x, (SIMD_LANES * i + l) * stride);                               \
                SIMD_STEP(M, u);                                                             \
            }                                                                                \
        }                                                                                    \
        for (k = 0; k < (M); ++k) {                                                          \
            int64_t sum = 0;                                                                 \
            for (l = 0; l < SIMD_LANES; ++l) sum += acc[k][l];                               \
            ge[k] = (uint64_t)0 - (uint64_t)sum;                                             \
        }                                                                                    \
    }

MON_DEFINE_COUNT_SIMD(4)
MON_DEFINE_COUNT_SIMD(8)
MON_DEFINE_COUNT_SIMD(12)
MON_DEFINE_COUNT_SIMD(16)

#if BIN_SIMD512
/* The same count, 8 values per vector, by AVX-512 intrinsics: a compare gives a mask register
 * and the count is one masked add (the vector-extension form costs a third instruction per
 * threshold in gcc 12, a masked move of -1). Contiguous values only: a strided column built
 * through a small array was 1.8x slower than the AVX2 copy (a store-forwarding stall per
 * vector), so the matrix path keeps the AVX2 copy. */
#define SIMD512_STEP(M, u)                                                                     \
    do {                                                                                       \
        __m512i s_ = _mm512_mask_xor_epi64((u), _mm512_cmplt_epi64_mask((u), zero), (u), mag); \
        _Pragma("GCC unroll 16") for (k = 0; k < (M); ++k) acc[k] =                            \
            _mm512_mask_add_epi64(acc[k], _mm512_cmpgt_epi64_mask(s_, thr[k]), acc[k], one);   \
    } while (0)

#define MON_DEFINE_COUNT_SIMD512(M)                                                           \
    BIN_SIMD512_TARGET static void count_simd_##M##_512(const double *x, size_t nv,           \
                                                        const int64_t *st, uint64_t *ge)      \
    {                                                                                         \
        __m512i zero = _mm512_setzero_si512(), mag = _mm512_set1_epi64((int64_t)BITS_MAG);    \
        __m512i one = _mm512_set1_epi64(1), thr[M], acc[M];                                   \
        size_t i, k;                                                                          \
        for (k = 0; k < (M); ++k) {                                                           \
            thr[k] = _mm512_set1_epi64(st[k] - 1);                                            \
            acc[k] = zero;                                                                    \
        }                                                                                     \
        for (i = 0; i < nv; ++i) {                                                            \
            __m512i u = _mm512_loadu_si512((const unsigned char *)(const void *)x + 64u * i); \
            SIMD512_STEP(M, u);                                                               \
        }                                                                                     \
        for (k = 0; k < (M); ++k) ge[k] = (uint64_t)_mm512_reduce_add_epi64(acc[k]);          \
    }

MON_DEFINE_COUNT_SIMD512(4)
MON_DEFINE_COUNT_SIMD512(8)
MON_DEFINE_COUNT_SIMD512(12)
MON_DEFINE_COUNT_SIMD512(16)
#endif

/* ge[] of pad (4, 8, 12, 16) signed thresholds st[] over the first values of x (n of them,
 * stride apart), by the widest copy the CPU runs for that stride; returns how many it counted
 * (a multiple of the lanes: the caller bins the rest). */
static size_t count_simd(const double *x, size_t n, size_t stride, const int64_t *st, size_t pad,
                         uint64_t *ge)
{
    size_t nv;
#if BIN_SIMD512
    if (stride == 1u && BIN_SIMD512_AVAILABLE()) {
        nv = n / 8u;
        switch (pad) {
        case 4: count_simd_4_512(x, nv, st, ge); break;
        case 8: count_simd_8_512(x, nv, st, ge); break;
        case 12: count_simd_12_512(x, nv, st, ge); break;
        default: count_simd_16_512(x, nv, st, ge); break;
        }
        return nv * 8u;
    }
#endif
    nv = n / SIMD_LANES;
    switch (pad) {
    case 4: count_simd_4(x, nv, stride, st, ge); break;
    case 8: count_simd_8(x, nv, stride, st, ge); break;
    case 12: count_simd_12(x, nv, stride, st, ge); break;
    default: count_simd_16(x, nv, stride, st, ge); break;
    }
    return nv * SIMD_LANES;
}

/* Count n contiguous values by compares; 0 (nothing counted) when it does not apply: more
 * than SIMD_MAX distinct thresholds, or no vector unit for it. */
static int bin_simd(const struct mon_binner *b, const double *x, size_t n, size_t stride,
                    uint64_t *counts, mon_bin_extra *extra)
{
    int64_t st[SIMD_MAX];
    uint64_t ge[SIMD_MAX], prev;
    unsigned char idx[SIMD_MAX + 2u];
    size_t nb = b->nbins, m = nb + 3u, q = 0, j, done, pad;
    if (m > SIMD_MAX + 2u || !BIN_SIMD_AVAILABLE()) return 0;
    for (j = 0; j < m; ++j) { /* distinct thresholds (key(-inf) and NANPLUS may repeat) */
        if (j == 0 || b->thr[j] != b->thr[j - 1u]) {
            uint64_t t = b->thr[j] ^ BITS_SIGN; /* the key as a signed order */
            if (q == SIMD_MAX) return 0;
            st[q] = (int64_t)t;
            ++q;
        }
        idx[j] = (unsigned char)(q - 1u);
    }
    pad = (q + 3u) & ~(size_t)3u;
    for (j = q; j < pad; ++j) st[j] = st[q - 1u]; /* repeats: counted, never read */
    done = count_simd(x, n, stride, st, pad, ge);
    prev = (uint64_t)done; /* ge of a threshold below every key */
    for (j = 0; j <= m; ++j) {
        uint64_t g = j < m ? ge[idx[j]] : 0u; /* slot m: above every threshold (NaN+) */
        if (prev != g) add_slot(nb, j, prev - g, counts, extra);
        prev = g;
    }
    if (n > done) bin_strided(b, x + done * stride, n - done, stride, counts, extra);
    return 1;
}
#endif

mon_status mon_bin_count(const mon_binner *b, const double *x, size_t n, uint64_t *counts,
                         mon_bin_extra *extra)
{
    mon_status st;
    if (b == NULL || counts == NULL || extra == NULL || (x == NULL && n > 0)) return MON_E_NULL;
    st = binner_status(b);
    if (st != MON_OK) return st;
    if (!MON_ALIGNED_U64(counts) || !MON_ALIGNED_U64(extra)) return MON_E_ALIGN;
    if (n == 0) return MON_OK;
#if BIN_SIMD
    if (n >= SIMD_MIN_VALUES && bin_simd(b, x, n, 1u, counts, extra)) return MON_OK;
#endif
#if MON_BIN_RADIX
    if (n >= RADIX_MIN_VALUES && bin_radix(b, x, n, counts, extra)) return MON_OK;
#endif
    bin_strided(b, x, n, 1u, counts, extra);
    return MON_OK;
}

mon_status mon_bin_count_matrix(const mon_binner *const *binners, size_t nfeat, const double *x,
                                size_t nrows, size_t row_stride, uint64_t *counts,
                                mon_bin_extra *extra)
{
    size_t f, r0;
    if (binners == NULL || counts == NULL || extra == NULL || (x == NULL && nrows > 0))
        return MON_E_NULL;
    if (!MON_ALIGNED_PTR(binners) || !MON_ALIGNED_U64(counts) || !MON_ALIGNED_U64(extra))
        return MON_E_ALIGN;
    if (nfeat == 0 || row_stride < nfeat) return MON_E_LENGTH;
    for (f = 0; f < nfeat; ++f) {
        mon_status st = binner_status(binners[f]);
        if (st != MON_OK) return st;
    }
    /* Row blocks: the block is read from memory once and then binned column by column from
     * cache, instead of streaming the whole matrix once per feature. */
    for (r0 = 0; r0 < nrows; r0 += MATRIX_BLOCK) {
        size_t m = nrows - r0 < MATRIX_BLOCK ? nrows - r0 : MATRIX_BLOCK;
        const double *blk = x + r0 * row_stride;
        uint64_t *c = counts;
        for (f = 0; f < nfeat; ++f) {
#if BIN_SIMD
            if (m < SIMD_MIN_VALUES || !bin_simd(binners[f], blk + f, m, row_stride, c, &extra[f]))
#endif
                bin_strided(binners[f], blk + f, m, row_stride, c, &extra[f]);
            c += binners[f]->nbins;
        }
    }
    return MON_OK;
}

mon_status mon_bin_count_codes(const int64_t *codes, size_t n, uint64_t *counts, size_t ncodes,
                               uint64_t *unseen)
{
    size_t i;
    uint64_t miss = 0;
    if (counts == NULL || unseen == NULL || (codes == NULL && n > 0)) return MON_E_NULL;
    if (!MON_ALIGNED_U64(counts) || !MON_ALIGNED_U64(unseen)) return MON_E_ALIGN;
    if (ncodes == 0) return MON_E_LENGTH;
    for (i = 0; i < n; ++i) {
        /* A negative code converts to a huge unsigned value, so one compare covers both. The
         * codes may have any alignment: memcpy loads. */
        uint64_t c;
        memcpy(&c, (const unsigned char *)(const void *)codes + i * sizeof c, sizeof c);
        if (c < (uint64_t)ncodes)
            counts[c] += (counts[c] != UINT64_MAX);
        else
            ++miss;
    }
    *unseen = mon_sat_sum(*unseen, miss);
    return MON_OK;
}
