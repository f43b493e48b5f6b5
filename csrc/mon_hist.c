/*
 * mon_hist.c - streaming latency histogram: layout, exact bucket index, initialisation and
 * recording (see mon_hist.h for the contract). Reading: mon_hist_read.c; byte codec:
 * mon_hist_codec.c; time-window ring: mon_hist_ring.c.
 */
#include <string.h>

#include "mon_hist.h"
#include "mon_atomic_internal.h"
#include "mon_hist_internal.h"
#include "mon_hist_table.h"
#include "mon_wide_internal.h"

/* Hot loops are compiled twice on x86 with GCC/Clang: generic, and with BMI2 (flag-free
 * variable shifts), chosen at run time. The code is identical C, so results are identical. */
#if defined(__GNUC__)
#define MON_INLINE static inline __attribute__((always_inline))
#else
#define MON_INLINE static inline
#endif
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && !MON_HIST_NO_DISPATCH
#define MON_HIST_X86_DISPATCH 1
#else
#define MON_HIST_X86_DISPATCH 0
#endif

#define CHUNK 256u
#define SUB8 256

MON_STATIC_ASSERT(MON_HIST_TABLE_SCALE == MON_HIST_MAX_SCALE, table_scale);

/* ---- atomics (csrc/mon_atomic_internal.h) -----------------------------------------------
 * Counters only grow (saturating), so readers need no lock: a bucket count is published with a
 * release RMW after the value's min/max/sum updates, and readers load counts with acquire
 * before they read min/max/sum. */
static inline void st_rlx(uint64_t *p, uint64_t v) { mon_atomic_store(p, v); }
static inline int atomic_sat_add(uint64_t *p, uint64_t n)
{
    return mon_atomic_sat_add(p, n, MON_ORDER_RELEASE);
}
static inline uint64_t fetch_add(uint64_t *p, uint64_t n) { return mon_atomic_fetch_add(p, n); }
static inline void lower_to(uint64_t *p, uint64_t v) { mon_atomic_lower_to(p, v); }
static inline void raise_to(uint64_t *p, uint64_t v) { mon_atomic_raise_to(p, v); }

/* ---- exact bucket index ------------------------------------------------------------------ */
unsigned mon_hist_floor_log2_portable(uint64_t v)
{
    unsigned e = 0;
    if (v >> 32) {
        v >>= 32;
        e += 32;
    }
    if (v >> 16) {
        v >>= 16;
        e += 16;
    }
    if (v >> 8) {
        v >>= 8;
        e += 8;
    }
    if (v >> 4) {
        v >>= 4;
        e += 4;
    }
    if (v >> 2) {
        v >>= 2;
        e += 2;
    }
    if (v >> 1) {
        e += 1;
    }
    return e;
}

/* floor(log2(v)) for v >= 1; v = 0 gives 0 (v | 1: never the undefined clz of 0, whatever a
 * corrupted range lets through; the bucket offset is then bounded by the caller). */
MON_INLINE unsigned floor_log2(uint64_t v)
{
#if defined(__GNUC__) && !MON_HIST_PORTABLE_CLZ && \
    !MON_NO_INT128 /* portable build: both fallbacks */
    return 63u - (unsigned)__builtin_clzll(v | 1u);
#else
    return mon_hist_floor_log2_portable(v | 1u);
#endif
}

/* ceil(256 * log2(v)) for v >= 1: octave e from the leading one, then the smallest j with
 * v <= floor(2^(e + j/256)) = F[j] >> (63 - e), i.e. m = v << (63 - e) <= F[j]. */
MON_INLINE int32_t index8(uint64_t v)
{
    unsigned e = floor_log2(v);
    uint64_t m = v << (63u - e);
    unsigned j = MON_HIST_J0[(m >> (63 - MON_HIST_TABLE_SLOT_BITS)) &
                             ((1u << MON_HIST_TABLE_SLOT_BITS) - 1u)];
    j += (unsigned)(m > MON_HIST_F[j]);
    return (int32_t)(e * SUB8 + j);
}

/* Index at scale s: ceil(ceil(x) / 2^k) = ceil(x / 2^k). */
MON_INLINE int32_t index_at(int32_t scale, uint64_t v)
{
    int32_t sh = MON_HIST_MAX_SCALE - scale;
    return (index8(v) + (1 << sh) - 1) >> sh;
}

static uint64_t threshold_at(int32_t scale, int32_t i)
{
    int32_t i8, e, j;
    if (i < 0) return 0;
    i8 = i << (MON_HIST_MAX_SCALE - scale);
    e = i8 / SUB8;
    j = i8 % SUB8;
    if (e >= 64) return UINT64_MAX;
    return MON_HIST_F[j] >> (63 - e);
}

int32_t mon_hist_index_at(int32_t scale, uint64_t v) { return index_at(scale, v); }

uint64_t mon_hist_threshold_at(int32_t scale, int32_t i) { return threshold_at(scale, i); }

mon_status mon_hist_index_of(int32_t scale, uint64_t value_ns, int32_t *out)
{
    if (!out) return MON_E_NULL;
    if (!MON_ALIGNED_U32(out)) return MON_E_ALIGN;
    if (scale < MON_HIST_MIN_SCALE || scale > MON_HIST_MAX_SCALE) return MON_E_CONFIG;
    if (value_ns == 0) return MON_E_VALUE;
    *out = index_at(scale, value_ns);
    return MON_OK;
}

mon_status mon_hist_threshold(int32_t scale, int32_t index, uint64_t *out)
{
    if (!out) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out)) return MON_E_ALIGN;
    if (scale < MON_HIST_MIN_SCALE || scale > MON_HIST_MAX_SCALE) return MON_E_CONFIG;
    if (index > (64 << scale)) return MON_E_VALUE;
    *out = threshold_at(scale, index);
    return MON_OK;
}

/* ---- configuration ----------------------------------------------------------------------- */
mon_status mon_hist_check_config(const mon_hist_config *cfg)
{
    if (!cfg) return MON_E_NULL;
    if (!MON_ALIGNED_U64(cfg)) return MON_E_ALIGN;
    if (cfg->scale < MON_HIST_MIN_SCALE || cfg->scale > MON_HIST_MAX_SCALE) return MON_E_CONFIG;
    if (cfg->lowest == 0 || cfg->highest < cfg->lowest) return MON_E_CONFIG;
    return MON_OK;
}

mon_status mon_hist_layout_of(const mon_hist_config *cfg, mon_hist_layout *out)
{
    mon_status st = mon_hist_check_config(cfg);
    if (st != MON_OK) return st;
    if (!out) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out)) return MON_E_ALIGN;
    out->scale = cfg->scale;
    out->index_lo = index_at(cfg->scale, cfg->lowest);
    out->index_hi = index_at(cfg->scale, cfg->highest);
    out->buckets = (uint32_t)(out->index_hi - out->index_lo + 1);
    out->range_lo = threshold_at(cfg->scale, out->index_lo - 1) + 1u;
    out->range_hi = threshold_at(cfg->scale, out->index_hi);
    return MON_OK;
}

size_t mon_hist_size(const mon_hist_config *cfg)
{
    mon_hist_layout lay;
    if (mon_hist_layout_of(cfg, &lay) != MON_OK) return 0;
    return (size_t)MON_HIST_HEADER_BYTES + (size_t)lay.buckets * 8u;
}

mon_status mon_hist_check(const mon_hist *h)
{
    mon_hist_config c;
    mon_hist_layout lay;
    if (!h) return MON_E_NULL;
    if (!mon_hist_aligned8(h)) return MON_E_ALIGN;
    if (h->magic != MON_HIST_MAGIC) return MON_E_STATE;
    c.lowest = h->lowest;
    c.highest = h->highest;
    c.scale = h->scale;
    if (mon_hist_layout_of(&c, &lay) != MON_OK) return MON_E_STATE;
    if (lay.index_lo != h->index_lo || lay.index_hi != h->index_hi || lay.buckets != h->buckets ||
        lay.range_lo != h->range_lo || lay.range_hi != h->range_hi)
        return MON_E_STATE;
    return MON_OK;
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
mon_status
mon_hist_hot_fail(const mon_hist *h)
{
    if (!h) return MON_E_NULL;
    if (!mon_hist_aligned8(h)) return MON_E_ALIGN;
    return MON_E_STATE;
}

void mon_hist_clear(mon_hist *h)
{
    h->underflow = h->overflow = h->invalid = h->total = 0;
    h->min = UINT64_MAX;
    h->max = 0;
    h->sum_lo = h->sum_hi = 0;
    (void)memset(h->counts, 0, (size_t)h->buckets * 8u);
}

mon_status mon_hist_init(void *buf, size_t size, const mon_hist_config *cfg)
{
    mon_hist_layout lay;
    mon_hist *h;
    mon_status st;
    if (!buf || !cfg) return MON_E_NULL;
    if (!mon_hist_aligned8(buf)) return MON_E_ALIGN;
    st = mon_hist_layout_of(cfg, &lay);
    if (st != MON_OK) return st;
    if (size < (size_t)MON_HIST_HEADER_BYTES + (size_t)lay.buckets * 8u) return MON_E_SIZE;
    h = (mon_hist *)buf;
    h->magic = MON_HIST_MAGIC;
    h->lowest = cfg->lowest;
    h->highest = cfg->highest;
    h->scale = lay.scale;
    h->index_lo = lay.index_lo;
    h->index_hi = lay.index_hi;
    h->buckets = lay.buckets;
    h->range_lo = lay.range_lo;
    h->range_hi = lay.range_hi;
    h->reserved = 0;
    mon_hist_clear(h);
    return MON_OK;
}

/* ---- recording --------------------------------------------------------------------------- */
static inline void sum_add(mon_hist *h, uint64_t lo, uint64_t hi)
{
    uint64_t old = fetch_add(&h->sum_lo, lo);
    uint64_t carry = (uint64_t)(old + lo < old);
    if (hi | carry) {
        int clipped = atomic_sat_add(&h->sum_hi, hi);
        clipped |= atomic_sat_add(&h->sum_hi, carry);
        if (clipped) st_rlx(&h->sum_lo, UINT64_MAX); /* sum >= 2^128: saturate */
    }
}

/* Offset of v's bucket from index_lo, as uint32 (a corrupted index_lo cannot overflow). */
MON_INLINE uint32_t bucket_offset(int32_t scale, int32_t ilo, uint64_t v)
{
    return (uint32_t)index_at(scale, v) - (uint32_t)ilo;
}

/* mon_hist_record after mon_hist_hot_ok(h). */
MON_INLINE mon_status record_valid(mon_hist *h, uint64_t v)
{
    uint64_t *c;
    if (v < h->range_lo) {
        c = &h->underflow;
    } else if (v > h->range_hi) {
        c = &h->overflow;
    } else {
        uint32_t k = bucket_offset(h->scale, h->index_lo, v);
        if (k >= h->buckets) return MON_E_STATE; /* scale, index_lo or range corrupted */
        c = &h->counts[k];
    }
    lower_to(&h->min, v);
    raise_to(&h->max, v);
    sum_add(h, v, 0);
    (void)atomic_sat_add(c, 1);
    (void)atomic_sat_add(&h->total, 1);
    return MON_OK;
}

mon_status mon_hist_record_valid(mon_hist *h, uint64_t v) { return record_valid(h, v); }

mon_status mon_hist_record(mon_hist *h, uint64_t v)
{
    if (!mon_hist_hot_ok(h)) return mon_hist_hot_fail(h);
    return record_valid(h, v);
}

/* The array recorders' check: the hot check plus the offsets of range_lo and range_hi (every
 * in-range value's offset lies between them: index_at is monotonic). */
static int batch_ok(const mon_hist *h)
{
    return mon_hist_hot_ok(h) && h->range_lo <= h->range_hi &&
           bucket_offset(h->scale, h->index_lo, h->range_lo) < h->buckets &&
           bucket_offset(h->scale, h->index_lo, h->range_hi) < h->buckets;
}

static mon_status batch_status(const mon_hist *h)
{
    return batch_ok(h) ? MON_OK : mon_hist_hot_fail(h);
}

/* Units: MON_HIST_NS .. MON_HIST_S, optionally with MON_HIST_STRICT. */
static int unit_ok(uint32_t unit) { return (unit & ~(uint32_t)MON_HIST_STRICT) <= MON_HIST_S; }

static const uint64_t UNIT_MULT[4] = {1u, 1000u, 1000000u, 1000000000u};

/* Exact binary64 -> ns: the double is m * 2^e exactly; multiply by 10^(3 unit) in 128-bit
 * integers and round half to even. Returns 1 on success. f64_fast is inlined into the scan
 * loops; everything outside its exponent range goes to f64_general (out of line: rare).
 *
 * Fast range: sign 0, biased exponent 1012..1055 (x in [2^-11, 2^33) of the unit), top =
 * exponent - 1012 in [0, 44): x = M 2^-sh, M < 2^53, sh = 63 - top in [20, 63], p = M mult <
 * 2^83. p is scaled by 2^(64 - sh) = 2^(top + 1) so that q = floor(p / 2^sh) < 2^63 is the high
 * word of one 64x64 product and the remainder is its low word times 2^(64 - sh): (M << a) *
 * (mult << (top + 1 - a)), a = min(top + 1, 11), both factors < 2^64 (mult << 33 <= 10^9 2^33).
 * Half is then 2^63 exactly: q rounds up iff lo + 2^63 - 1 + (q & 1) carries, i.e. lo > 2^63,
 * or lo = 2^63 and q odd (half to even); q + 1 <= 2^63 cannot wrap. */
#define FA(t) ((t) + 1 < 11 ? (t) + 1 : 11)
#define FM(m, t) ((uint64_t)(m) << ((t) + 1 - FA(t)))
#define FM4(m, t) FM(m, t), FM(m, (t) + 1), FM(m, (t) + 2), FM(m, (t) + 3)
#define FROW(m)                                                                          \
    {                                                                                    \
        FM4(m, 0), FM4(m, 4), FM4(m, 8), FM4(m, 12), FM4(m, 16), FM4(m, 20), FM4(m, 24), \
            FM4(m, 28), FM4(m, 32), FM4(m, 36), FM4(m, 40)                               \
    }
#define FA4(t) FA(t), FA((t) + 1), FA((t) + 2), FA((t) + 3)
static const uint64_t FAST_MULT[4][44] = {FROW(1u), FROW(1000u), FROW(1000000u), FROW(1000000000u)};
static const unsigned char FAST_SHIFT[44] = {FA4(0),  FA4(4),  FA4(8),  FA4(12), FA4(16), FA4(20),
                                             FA4(24), FA4(28), FA4(32), FA4(36), FA4(40)};

static int f64_general(uint64_t bits, uint64_t mult, uint64_t *out);

MON_INLINE int f64_in_fast_range(uint64_t bits) { return (bits >> 52) - 1012u < 44u; }

/* bits in the fast range, u: the unit code 0..3 (ns, us, ms, s). */
MON_INLINE uint64_t f64_fast_conv(uint64_t bits, unsigned u)
{
    uint64_t top = (bits >> 52) - 1012u;
    uint64_t mant = (bits & ((UINT64_C(1) << 52) - 1u)) | (UINT64_C(1) << 52);
    mon_u128 p = mon_u128_mul64(mant << FAST_SHIFT[top], FAST_MULT[u][top]);
    uint64_t r = p.lo + ((UINT64_C(1) << 63) - 1u + (p.hi & 1u));
    return p.hi + (uint64_t)(r < p.lo);
}

MON_INLINE int f64_fast(uint64_t bits, unsigned u, uint64_t *out)
{
    if (f64_in_fast_range(bits)) {
        *out = f64_fast_conv(bits, u);
        return 1;
    }
    return f64_general(bits, UNIT_MULT[u], out);
}

MON_INLINE int f64_to_ns(double x, unsigned u, uint64_t *out)
{
    uint64_t bits;
    (void)memcpy(&bits, &x, sizeof bits);
    return f64_fast(bits, u, out);
}

#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
f64_general(uint64_t bits, uint64_t mult, uint64_t *out)
{
    uint64_t m;
    int32_t ex;
    unsigned biased;
    mon_u128 p;
    biased = (unsigned)((bits >> 52) & 0x7ffu);
    if (biased == 0x7ffu) return 0; /* NaN, inf */
    if (bits >> 63) {
        if ((bits << 1) == 0) {
            *out = 0; /* -0.0 */
            return 1;
        }
        return 0;
    }
    m = bits & ((UINT64_C(1) << 52) - 1u);
    if (biased == 0) {
        ex = -1074;
    } else {
        m |= UINT64_C(1) << 52;
        ex = (int32_t)biased - 1075;
    }
    if (m == 0) {
        *out = 0;
        return 1;
    }
    p = mon_u128_mul64(m, mult); /* < 2^83 */
    if (ex >= 0) {
        if (p.hi != 0 || ex >= 64 || (ex > 0 && (p.lo >> (64 - ex)) != 0)) return 0;
        *out = p.lo << ex;
        return 1;
    } else {
        /* q = floor(p / 2^sh), rem = p mod 2^sh, compared with half = 2^(sh-1); branch-free
         * rounding because the last bits of real data are random. */
        unsigned sh = (unsigned)(-ex);
        uint64_t q, rem_hi, rem_lo, half_hi, half_lo, up;
        if (sh >= 128u) { /* p < 2^83 <= 2^(sh-1): below one half */
            *out = 0;
            return 1;
        }
        if (sh < 64u) {
            if ((p.hi >> sh) != 0) return 0; /* quotient >= 2^64 */
            q = (p.hi << (64u - sh)) | (p.lo >> sh);
            rem_hi = 0;
            rem_lo = p.lo & ((UINT64_C(1) << sh) - 1u);
            half_hi = 0;
            half_lo = UINT64_C(1) << (sh - 1u);
        } else { /* p.hi < 2^19, so sh - 64 < 64 */
            q = p.hi >> (sh - 64u);
            rem_hi = p.hi & ((UINT64_C(1) << (sh - 64u)) - 1u);
            rem_lo = p.lo;
            half_hi = sh == 64u ? 0u : UINT64_C(1) << (sh - 65u);
            half_lo = sh == 64u ? UINT64_C(1) << 63 : 0u;
        }
        up = (uint64_t)((rem_hi > half_hi) | ((rem_hi == half_hi) & (rem_lo > half_lo)));
        up |= (uint64_t)((rem_hi == half_hi) & (rem_lo == half_lo)) & q;
        if ((q & up) == UINT64_MAX) return 0;
        *out = q + up;
        return 1;
    }
}

/* Arrays are recorded in batches: min, max, sum, underflow and overflow are aggregated locally
 * and published once per batch, before the batch's bucket counts (the reader guarantee). Bucket
 * counts go either to a list of up to CHUNK indices (one atomic add each), or - for long arrays
 * with atomics, where an atomic add per value would dominate - to a local table of 32-bit counts
 * (BATCH_BUCKETS entries on the stack) flushed with one atomic add per non-empty bucket. */
#if MON_SINGLE_THREADED || MON_HIST_BATCH_BUCKETS == 0
#define BATCH_TABLE 0
#else
#define BATCH_TABLE 1
#endif
#define BATCH_MIN_VALUES 2048u      /* below this, the table scan costs more than it saves */
#define BATCH_MAX_VALUES (1u << 20) /* publish at least this often (and far below 2^32) */

typedef struct batch {
    uint64_t mn, mx, slo, shi, under, over;
    size_t pending;
    size_t k;
    uint32_t *table; /* NULL: index list mode */
    uint16_t idx[CHUNK];
} batch;

static void batch_publish(mon_hist *h, batch *b)
{
    size_t i;
    if (b->pending == 0) return;
    lower_to(&h->min, b->mn);
    raise_to(&h->max, b->mx);
    sum_add(h, b->slo, b->shi);
    if (b->under) atomic_sat_add(&h->underflow, b->under);
    if (b->over) atomic_sat_add(&h->overflow, b->over);
    if (b->table) {
        for (i = 0; i < h->buckets; ++i) {
            if (b->table[i]) {
                (void)atomic_sat_add(&h->counts[i], b->table[i]);
                b->table[i] = 0;
            }
        }
    } else {
        for (i = 0; i < b->k; ++i) atomic_sat_add(&h->counts[b->idx[i]], 1);
    }
    (void)atomic_sat_add(&h->total, (uint64_t)b->pending);
    b->mn = UINT64_MAX;
    b->mx = b->slo = b->shi = b->under = b->over = 0;
    b->pending = b->k = 0;
}

static void batch_begin(const mon_hist *h, batch *b, uint32_t *table, size_t n)
{
    b->mn = UINT64_MAX;
    b->mx = b->slo = b->shi = b->under = b->over = 0;
    b->pending = b->k = 0;
    b->table = NULL;
    if (table && n >= BATCH_MIN_VALUES && h->buckets <= (uint32_t)MON_HIST_BATCH_BUCKETS) {
        (void)memset(table, 0, (size_t)h->buckets * sizeof *table);
        b->table = table;
    }
}

/* One value x in ns into the scan's locals of batch_scan_body (kept in registers). */
#define SCAN_VALUE(x)                                      \
    do {                                                   \
        mn = (x) < mn ? (x) : mn;                          \
        mx = (x) > mx ? (x) : mx;                          \
        slo += (x);                                        \
        shi += (uint64_t)(slo < (x));                      \
        if ((x)-rlo <= width) {                            \
            uint32_t o_ = ((uint32_t)index8(x) + c) >> sh; \
            if (table) {                                   \
                ++table[o_];                               \
            } else {                                       \
                b->idx[k++] = (uint16_t)o_;                \
            }                                              \
        } else if ((x) < rlo) {                            \
            ++under;                                       \
        } else {                                           \
            ++over;                                        \
        }                                                  \
    } while (0)

/* Aggregate n <= CHUNK values into the batch:  uint64 ns (f64 == 0), or binary64 in
 * unit u converted in the same loop (f64_fast inlined: no second pass over a buffer of ns).
 * Returns the number of invalid values (binary64 only), left out. f64 and use_table are
 * constants at each call (BATCH_SCAN_ALL), so every instantiated loop has no mode branch. */
MON_INLINE size_t batch_scan_body(const mon_hist *h, batch *b, const void *src, size_t n,
                                  unsigned u, int f64, int use_table)
{
    size_t i, k = b->k, nslow = 0, bad = 0;
    uint16_t slow[CHUNK]; /* binary64 outside the fast range: converted after the loop */
    uint64_t mn = b->mn, mx = b->mx, slo = b->slo, shi = b->shi, under = b->under, over = b->over;
    const uint64_t rlo = h->range_lo, rhi = h->range_hi, width = rhi - rlo;
    /* in range, index_at - ilo = (index8 + 2^sh - 1 - ilo 2^sh) >> sh, exact mod 2^32 (batch_ok) */
    const unsigned sh = (unsigned)(MON_HIST_MAX_SCALE - h->scale);
    const uint32_t c = ((1u << sh) - 1u) - ((uint32_t)h->index_lo << sh);
    uint32_t *const table = use_table ? b->table : NULL;
    for (i = 0; i < n; ++i) {
        uint64_t x;
        if (f64) {
            /* no call in this loop (f64_general would make the accumulators spill) */
            uint64_t bits;
            (void)memcpy(&bits, (const unsigned char *)src + 8u * i, sizeof bits);
            if (!f64_in_fast_range(bits)) {
                slow[nslow++] = (uint16_t)i;
                continue;
            }
            x = f64_fast_conv(bits, u);
        } else {
            x = ((const uint64_t *)src)[i];
        }
        SCAN_VALUE(x);
    }
    for (i = 0; i < nslow; ++i) {
        uint64_t bits, x;
        (void)memcpy(&bits, (const unsigned char *)src + 8u * slow[i], sizeof bits);
        if (f64_general(bits, UNIT_MULT[u], &x)) {
            SCAN_VALUE(x);
        } else {
            ++bad;
        }
    }
    b->k = k;
    b->mn = mn;
    b->mx = mx;
    b->slo = slo;
    b->shi = shi;
    b->under = under;
    b->over = over;
    return bad;
}

/* The four instantiations (input kind x count mode), under one set of target flags. kind 0:
 * uint64 ns; 1 + u: binary64 in unit u. */
#define BATCH_SCAN_ALL(h, b, src, n, kind)                                       \
    ((kind) == 0u ? ((b)->table ? batch_scan_body(h, b, src, n, 0u, 0, 1)        \
                                : batch_scan_body(h, b, src, n, 0u, 0, 0))       \
                  : ((b)->table ? batch_scan_body(h, b, src, n, (kind)-1u, 1, 1) \
                                : batch_scan_body(h, b, src, n, (kind)-1u, 1, 0)))

static size_t batch_scan_generic(const mon_hist *h, batch *b, const void *src, size_t n,
                                 unsigned kind)
{
    return BATCH_SCAN_ALL(h, b, src, n, kind);
}

#if MON_HIST_X86_DISPATCH
__attribute__((target("bmi2"))) static size_t
batch_scan_bmi2(const mon_hist *h, batch *b, const void *src, size_t n, unsigned kind)
{
    return BATCH_SCAN_ALL(h, b, src, n, kind);
}
#endif

/* Misaligned caller arrays are copied in pieces of ALIGN_PIECE values into an aligned buffer
 * (memcpy: no misaligned load); aligned arrays are read in place. */
#define ALIGN_PIECE 64u
typedef union align_buf {
    uint64_t u[ALIGN_PIECE];
    int64_t i[ALIGN_PIECE];
    double d[ALIGN_PIECE];
} align_buf;

/* Up to *m values of elem bytes at src: src itself when aligned (a == 0), else a copy in tmp
 * (*m then at most ALIGN_PIECE). */
static const void *piece(const void *src, size_t *m, size_t elem, int misaligned, align_buf *tmp)
{
    if (!misaligned) return src;
    if (*m > ALIGN_PIECE) *m = ALIGN_PIECE;
    (void)memcpy(tmp, src, *m * elem);
    return tmp;
}

/* Add n <= CHUNK values: uint64 ns (kind 0) or binary64 in unit kind - 1. Returns the number of
 * invalid values (not recorded). */
static size_t batch_add(mon_hist *h, batch *b, const void *v, size_t n, unsigned kind)
{
    size_t bad;
#if MON_HIST_X86_DISPATCH
    if (__builtin_cpu_supports("bmi2")) {
        bad = batch_scan_bmi2(h, b, v, n, kind);
    } else {
        bad = batch_scan_generic(h, b, v, n, kind);
    }
#else
    bad = batch_scan_generic(h, b, v, n, kind);
#endif
    b->pending += n - bad;
    if (!b->table || b->pending >= BATCH_MAX_VALUES) batch_publish(h, b);
    return bad;
}

#if BATCH_TABLE
#define BATCH_DECL                          \
    uint32_t table[MON_HIST_BATCH_BUCKETS]; \
    batch b
#define BATCH_TABLE_PTR table
#else
#define BATCH_DECL batch b
#define BATCH_TABLE_PTR NULL
#endif

mon_status mon_hist_record_many(mon_hist *h, const uint64_t *values_ns, size_t n)
{
    BATCH_DECL;
    align_buf tmp;
    int mis = !MON_ALIGNED_U64(values_ns);
    mon_status st = batch_status(h);
    if (st != MON_OK) return st;
    if (!values_ns && n > 0) return MON_E_NULL;
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK;
        const uint64_t *v = (const uint64_t *)piece(values_ns, &m, 8u, mis, &tmp);
        (void)batch_add(h, &b, v, m, 0);
        values_ns += m;
        n -= m;
    }
    batch_publish(h, &b);
    return MON_OK;
}

/* The shared argument check of the array recorders. */
static int array_args_ok(const mon_hist *h, const void *values, size_t n, uint32_t unit)
{
    return batch_ok(h) && (values || n == 0) && unit_ok(unit);
}

/* Number of invalid int64 values (any alignment: read in pieces). */
static size_t count_bad_i64(const int64_t *values, size_t n, uint64_t limit, int mis)
{
    align_buf tmp;
    size_t bad = 0;
    while (n > 0) {
        size_t m = n, i;
        const int64_t *v = (const int64_t *)piece(values, &m, 8u, mis, &tmp);
        for (i = 0; i < m; ++i) bad += (size_t)(v[i] < 0 || (uint64_t)v[i] > limit);
        values += m;
        n -= m;
    }
    return bad;
}

size_t mon_hist_record_many_i64(mon_hist *h, const int64_t *values, size_t n, uint32_t unit)
{
    uint64_t buf[CHUNK];
    align_buf tmp;
    BATCH_DECL;
    size_t bad = 0;
    int mis = !MON_ALIGNED_U64(values);
    uint64_t mult, limit;
    if (!array_args_ok(h, values, n, unit)) return MON_HIST_NOT_RECORDED;
    mult = UNIT_MULT[unit & 3u];
    limit = UINT64_MAX / mult;
    if (unit & MON_HIST_STRICT) {
        bad = count_bad_i64(values, n, limit, mis);
        if (bad) return bad;
    }
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK, i, k = 0;
        const int64_t *v = (const int64_t *)piece(values, &m, 8u, mis, &tmp);
        if (mult == 1u) { /* ns: without negatives the values are already the uint64 ns */
            uint64_t sign = 0;
            for (i = 0; i < m; ++i) sign |= (uint64_t)v[i];
            if (!(sign >> 63)) {
                /* int64_t and uint64_t may alias (signed/unsigned variants of one type) */
                (void)batch_add(h, &b, v, m, 0);
                values += m;
                n -= m;
                continue;
            }
        }
        for (i = 0; i < m; ++i) {
            int64_t x = v[i];
            if (x < 0 || (uint64_t)x > limit) {
                ++bad;
            } else {
                buf[k++] = (uint64_t)x * mult;
            }
        }
        if (k) (void)batch_add(h, &b, buf, k, 0);
        values += m;
        n -= m;
    }
    batch_publish(h, &b);
    if (bad) atomic_sat_add(&h->invalid, (uint64_t)bad);
    return bad;
}

size_t mon_hist_record_many_u64(mon_hist *h, const uint64_t *values, size_t n, uint32_t unit)
{
    uint64_t buf[CHUNK];
    align_buf tmp;
    BATCH_DECL;
    size_t bad = 0;
    int mis = !MON_ALIGNED_U64(values);
    uint64_t mult, limit;
    if (!array_args_ok(h, values, n, unit)) return MON_HIST_NOT_RECORDED;
    mult = UNIT_MULT[unit & 3u];
    limit = UINT64_MAX / mult;
    if (mult == 1u) {
        (void)mon_hist_record_many(h, values, n); /* every uint64 is a valid ns value */
        return 0;
    }
    if (unit & MON_HIST_STRICT) {
        const uint64_t *p = values;
        size_t left = n;
        while (left > 0) {
            size_t m = left, i;
            const uint64_t *v = (const uint64_t *)piece(p, &m, 8u, mis, &tmp);
            for (i = 0; i < m; ++i) bad += (size_t)(v[i] > limit);
            p += m;
            left -= m;
        }
        if (bad) return bad;
    }
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK, i, k = 0;
        const uint64_t *v = (const uint64_t *)piece(values, &m, 8u, mis, &tmp);
        for (i = 0; i < m; ++i) {
            if (v[i] > limit) {
                ++bad;
            } else {
                buf[k++] = v[i] * mult;
            }
        }
        if (k) (void)batch_add(h, &b, buf, k, 0);
        values += m;
        n -= m;
    }
    batch_publish(h, &b);
    if (bad) atomic_sat_add(&h->invalid, (uint64_t)bad);
    return bad;
}

mon_status mon_hist_f64_to_ns(double value, uint32_t unit, uint64_t *out_ns)
{
    uint64_t ns;
    if (!out_ns) return MON_E_NULL;
    if (!MON_ALIGNED_U64(out_ns)) return MON_E_ALIGN;
    if (!unit_ok(unit)) return MON_E_CONFIG;
    if (!f64_to_ns(value, unit & 3u, &ns)) return MON_E_VALUE;
    *out_ns = ns;
    return MON_OK;
}

mon_status mon_hist_record_f64(mon_hist *h, double value, uint32_t unit)
{
    uint64_t ns;
    if (!mon_hist_hot_ok(h)) return mon_hist_hot_fail(h);
    if (!unit_ok(unit)) return MON_E_CONFIG;
    if (f64_to_ns(value, unit & 3u, &ns)) return record_valid(h, ns);
    if (!(unit & MON_HIST_STRICT)) atomic_sat_add(&h->invalid, 1);
    return MON_E_VALUE;
}

mon_status mon_hist_record_us(mon_hist *h, double value)
{
    return mon_hist_record_f64(h, value, MON_HIST_US);
}
mon_status mon_hist_record_ms(mon_hist *h, double value)
{
    return mon_hist_record_f64(h, value, MON_HIST_MS);
}
mon_status mon_hist_record_s(mon_hist *h, double value)
{
    return mon_hist_record_f64(h, value, MON_HIST_S);
}

size_t mon_hist_record_many_f64(mon_hist *h, const double *values, size_t n, uint32_t unit)
{
    align_buf tmp;
    BATCH_DECL;
    size_t bad = 0;
    int mis = !MON_ALIGNED_F64(values);
    unsigned u;
    if (!array_args_ok(h, values, n, unit)) return MON_HIST_NOT_RECORDED;
    u = unit & 3u;
    if (unit & MON_HIST_STRICT) {
        const double *p = values;
        size_t left = n;
        while (left > 0) {
            size_t m = left, i;
            const double *v = (const double *)piece(p, &m, 8u, mis, &tmp);
            uint64_t ns;
            for (i = 0; i < m; ++i) bad += (size_t)!f64_to_ns(v[i], u, &ns);
            p += m;
            left -= m;
        }
        if (bad) return bad;
    }
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK;
        const double *v = (const double *)piece(values, &m, 8u, mis, &tmp);
        bad += batch_add(h, &b, v, m, 1u + u); /* converted in the scan loop */
        values += m;
        n -= m;
    }
    batch_publish(h, &b);
    if (bad) atomic_sat_add(&h->invalid, (uint64_t)bad);
    return bad;
}

mon_status mon_hist_add_invalid(mon_hist *h, uint64_t n)
{
    if (!mon_hist_hot_ok(h)) return mon_hist_hot_fail(h);
    (void)atomic_sat_add(&h->invalid, n);
    return MON_OK;
}
