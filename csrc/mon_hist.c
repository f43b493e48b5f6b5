/*
 * mon_hist.c - streaming latency histogram (see mon_hist.h for the contract).
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

#define HIST_MAGIC UINT64_C(0x3174736948736f4d) /* "MonHist1" */
#define RING_MAGIC UINT64_C(0x31676e6952736f4d) /* "MonRing1" */
#define CHUNK 256u
#define MAX_QUANTILES ((size_t)MON_HIST_MAX_QUANTILES)
#define RING_HEADER_BYTES 32u
#define RING_MAX_SLOTS 1024u
#define SUB8 256

struct mon_hist {
    uint64_t magic;
    uint64_t lowest;
    uint64_t highest;
    int32_t scale;
    int32_t index_lo;
    int32_t index_hi;
    uint32_t buckets;
    uint64_t range_lo;
    uint64_t range_hi;
    uint64_t underflow;
    uint64_t overflow;
    uint64_t invalid;
    uint64_t min;
    uint64_t max;
    uint64_t sum_lo;
    uint64_t sum_hi;
    uint64_t total;    /* every valid value; incremented last (release), read first (acquire) */
    uint64_t reserved;
    uint64_t counts[]; /* buckets entries */
};

struct mon_hist_ring {
    uint64_t magic;
    uint64_t tick;
    uint32_t slots;
    uint32_t reserved;
    uint64_t hist_size;
    /* slots * hist_size bytes of histograms follow */
};

MON_STATIC_ASSERT(offsetof(struct mon_hist, counts) == MON_HIST_HEADER_BYTES, hist_header_size);
MON_STATIC_ASSERT(sizeof(struct mon_hist_ring) == RING_HEADER_BYTES, ring_header_size);
MON_STATIC_ASSERT(MON_HIST_TABLE_SCALE == MON_HIST_MAX_SCALE, table_scale);

/* ---- atomics (csrc/mon_atomic_internal.h) -----------------------------------------------
 * Counters only grow (saturating), so readers need no lock: a bucket count is published with a
 * release RMW after the value's min/max/sum updates, and readers load counts with acquire
 * before they read min/max/sum. */
static inline uint64_t ld_acq(const uint64_t *p) { return mon_atomic_load_acquire(p); }
static inline uint64_t ld_rlx(const uint64_t *p) { return mon_atomic_load(p); }
static inline void st_rlx(uint64_t *p, uint64_t v) { mon_atomic_store(p, v); }
static inline int sat_add(uint64_t *p, uint64_t n) { return mon_atomic_sat_add(p, n, MON_ORDER_RELEASE); }
static inline uint64_t fetch_add(uint64_t *p, uint64_t n) { return mon_atomic_fetch_add(p, n); }
static inline void lower_to(uint64_t *p, uint64_t v) { mon_atomic_lower_to(p, v); }
static inline void raise_to(uint64_t *p, uint64_t v) { mon_atomic_raise_to(p, v); }

/* ---- exact bucket index ------------------------------------------------------------------ */
unsigned mon_hist_floor_log2_portable(uint64_t v)
{
    unsigned e = 0;
    if (v >> 32) { v >>= 32; e += 32; }
    if (v >> 16) { v >>= 16; e += 16; }
    if (v >> 8) { v >>= 8; e += 8; }
    if (v >> 4) { v >>= 4; e += 4; }
    if (v >> 2) { v >>= 2; e += 2; }
    if (v >> 1) { e += 1; }
    return e;
}

MON_INLINE unsigned floor_log2(uint64_t v)
{
#if defined(__GNUC__) && !MON_HIST_PORTABLE_CLZ && !MON_NO_INT128 /* portable build: both fallbacks */
    return 63u - (unsigned)__builtin_clzll(v);
#else
    return mon_hist_floor_log2_portable(v);
#endif
}

/* ceil(256 * log2(v)) for v >= 1: octave e from the leading one, then the smallest j with
 * v <= floor(2^(e + j/256)) = F[j] >> (63 - e), i.e. m = v << (63 - e) <= F[j]. */
MON_INLINE int32_t index8(uint64_t v)
{
    unsigned e = floor_log2(v);
    uint64_t m = v << (63u - e);
    unsigned j = MON_HIST_J0[(m >> (63 - MON_HIST_TABLE_SLOT_BITS)) & ((1u << MON_HIST_TABLE_SLOT_BITS) - 1u)];
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

mon_status mon_hist_index_of(int32_t scale, uint64_t value_ns, int32_t *out)
{
    if (!out) return MON_E_NULL;
    if (scale < MON_HIST_MIN_SCALE || scale > MON_HIST_MAX_SCALE) return MON_E_CONFIG;
    if (value_ns == 0) return MON_E_VALUE;
    *out = index_at(scale, value_ns);
    return MON_OK;
}

mon_status mon_hist_threshold(int32_t scale, int32_t index, uint64_t *out)
{
    if (!out) return MON_E_NULL;
    if (scale < MON_HIST_MIN_SCALE || scale > MON_HIST_MAX_SCALE) return MON_E_CONFIG;
    if (index > (64 << scale)) return MON_E_VALUE;
    *out = threshold_at(scale, index);
    return MON_OK;
}

/* ---- configuration ----------------------------------------------------------------------- */
mon_status mon_hist_check_config(const mon_hist_config *cfg)
{
    if (!cfg) return MON_E_NULL;
    if (cfg->scale < MON_HIST_MIN_SCALE || cfg->scale > MON_HIST_MAX_SCALE) return MON_E_CONFIG;
    if (cfg->lowest == 0 || cfg->highest < cfg->lowest) return MON_E_CONFIG;
    return MON_OK;
}

mon_status mon_hist_layout_of(const mon_hist_config *cfg, mon_hist_layout *out)
{
    mon_status st = mon_hist_check_config(cfg);
    if (st != MON_OK) return st;
    if (!out) return MON_E_NULL;
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

static int aligned8(const void *p) { return ((uintptr_t)p & 7u) == 0; }

static void clear_counters(mon_hist *h)
{
    h->underflow = h->overflow = h->invalid = h->total = 0;
    h->min = UINT64_MAX;
    h->max = 0;
    h->sum_lo = h->sum_hi = 0;
    memset(h->counts, 0, (size_t)h->buckets * 8u);
}

mon_status mon_hist_init(void *buf, size_t size, const mon_hist_config *cfg)
{
    mon_hist_layout lay;
    mon_hist *h;
    mon_status st;
    if (!buf || !cfg) return MON_E_NULL;
    st = mon_hist_layout_of(cfg, &lay);
    if (st != MON_OK) return st;
    if (size < (size_t)MON_HIST_HEADER_BYTES + (size_t)lay.buckets * 8u) return MON_E_SIZE;
    if (!aligned8(buf)) return MON_E_ALIGN;
    h = (mon_hist *)buf;
    h->magic = HIST_MAGIC;
    h->lowest = cfg->lowest;
    h->highest = cfg->highest;
    h->scale = lay.scale;
    h->index_lo = lay.index_lo;
    h->index_hi = lay.index_hi;
    h->buckets = lay.buckets;
    h->range_lo = lay.range_lo;
    h->range_hi = lay.range_hi;
    h->reserved = 0;
    clear_counters(h);
    return MON_OK;
}

static int valid(const mon_hist *h) { return h && h->magic == HIST_MAGIC; }

/* ---- recording --------------------------------------------------------------------------- */
static inline void sum_add(mon_hist *h, uint64_t lo, uint64_t hi)
{
    uint64_t old = fetch_add(&h->sum_lo, lo);
    uint64_t carry = (uint64_t)(old + lo < old);
    if (hi | carry) {
        int clipped = sat_add(&h->sum_hi, hi);
        clipped |= sat_add(&h->sum_hi, carry);
        if (clipped) st_rlx(&h->sum_lo, UINT64_MAX); /* sum >= 2^128: saturate */
    }
}

void mon_hist_record(mon_hist *h, uint64_t v)
{
    lower_to(&h->min, v);
    raise_to(&h->max, v);
    sum_add(h, v, 0);
    if (v < h->range_lo) {
        sat_add(&h->underflow, 1);
    } else if (v > h->range_hi) {
        sat_add(&h->overflow, 1);
    } else {
        sat_add(&h->counts[index_at(h->scale, v) - h->index_lo], 1);
    }
    sat_add(&h->total, 1);
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
#define BATCH_MIN_VALUES 2048u         /* below this, the table scan costs more than it saves */
#define BATCH_MAX_VALUES (1u << 20)    /* publish at least this often (and far below 2^32) */

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
    if (b->under) sat_add(&h->underflow, b->under);
    if (b->over) sat_add(&h->overflow, b->over);
    if (b->table) {
        for (i = 0; i < h->buckets; ++i) {
            if (b->table[i]) {
                sat_add(&h->counts[i], b->table[i]);
                b->table[i] = 0;
            }
        }
    } else {
        for (i = 0; i < b->k; ++i) sat_add(&h->counts[b->idx[i]], 1);
    }
    sat_add(&h->total, (uint64_t)b->pending);
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
        memset(table, 0, (size_t)h->buckets * sizeof *table);
        b->table = table;
    }
}

/* Aggregate n <= CHUNK values in ns into the batch. */
MON_INLINE void batch_scan_body(const mon_hist *h, batch *b, const uint64_t *v, size_t n)
{
    size_t i;
    uint64_t mn = b->mn, mx = b->mx, slo = b->slo, shi = b->shi, under = b->under, over = b->over;
    const uint64_t rlo = h->range_lo, rhi = h->range_hi;
    const int32_t scale = h->scale, ilo = h->index_lo;
    const uint64_t width = rhi - rlo;
    if (b->table) {
        uint32_t *table = b->table;
        for (i = 0; i < n; ++i) {
            uint64_t x = v[i];
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
            slo += x;
            shi += (uint64_t)(slo < x);
            if (x - rlo <= width) {
                ++table[index_at(scale, x) - ilo];
            } else if (x < rlo) {
                ++under;
            } else {
                ++over;
            }
        }
    } else {
        for (i = 0; i < n; ++i) {
            uint64_t x = v[i];
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
            slo += x;
            shi += (uint64_t)(slo < x);
            if (x - rlo <= width) {
                b->idx[b->k++] = (uint16_t)(index_at(scale, x) - ilo);
            } else if (x < rlo) {
                ++under;
            } else {
                ++over;
            }
        }
    }
    b->mn = mn;
    b->mx = mx;
    b->slo = slo;
    b->shi = shi;
    b->under = under;
    b->over = over;
}

static void batch_scan_generic(const mon_hist *h, batch *b, const uint64_t *v, size_t n)
{
    batch_scan_body(h, b, v, n);
}

#if MON_HIST_X86_DISPATCH
__attribute__((target("bmi2"))) static void batch_scan_bmi2(const mon_hist *h, batch *b,
                                                            const uint64_t *v, size_t n)
{
    batch_scan_body(h, b, v, n);
}
#endif

/* Add n <= CHUNK values in ns. */
static void batch_add(mon_hist *h, batch *b, const uint64_t *v, size_t n)
{
#if MON_HIST_X86_DISPATCH
    if (__builtin_cpu_supports("bmi2")) {
        batch_scan_bmi2(h, b, v, n);
    } else {
        batch_scan_generic(h, b, v, n);
    }
#else
    batch_scan_generic(h, b, v, n);
#endif
    b->pending += n;
    if (!b->table || b->pending >= BATCH_MAX_VALUES) batch_publish(h, b);
}

#if BATCH_TABLE
#define BATCH_DECL uint32_t table[MON_HIST_BATCH_BUCKETS]; batch b
#define BATCH_TABLE_PTR table
#else
#define BATCH_DECL batch b
#define BATCH_TABLE_PTR NULL
#endif

void mon_hist_record_many(mon_hist *h, const uint64_t *values_ns, size_t n)
{
    BATCH_DECL;
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK;
        batch_add(h, &b, values_ns, m);
        values_ns += m;
        n -= m;
    }
    batch_publish(h, &b);
}

static const uint64_t UNIT_MULT[4] = {1u, 1000u, 1000000u, 1000000000u};

size_t mon_hist_record_many_i64(mon_hist *h, const int64_t *values, size_t n, uint32_t unit)
{
    uint64_t buf[CHUNK];
    BATCH_DECL;
    size_t bad = 0;
    uint64_t mult = UNIT_MULT[(unit & 255u) < 4u ? (unit & 255u) : 0u];
    uint64_t limit = UINT64_MAX / mult;
    if (unit & MON_HIST_STRICT) {
        size_t i;
        for (i = 0; i < n; ++i) bad += (size_t)(values[i] < 0 || (uint64_t)values[i] > limit);
        if (bad) return bad;
    }
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK, i, k = 0;
        if (mult == 1u) { /* ns: without negatives the values are already the uint64 ns */
            uint64_t sign = 0;
            for (i = 0; i < m; ++i) sign |= (uint64_t)values[i];
            if (!(sign >> 63)) {
                /* int64_t and uint64_t may alias (signed/unsigned variants of one type) */
                batch_add(h, &b, (const uint64_t *)(const void *)values, m);
                values += m;
                n -= m;
                continue;
            }
        }
        for (i = 0; i < m; ++i) {
            int64_t x = values[i];
            if (x < 0 || (uint64_t)x > limit) {
                ++bad;
            } else {
                buf[k++] = (uint64_t)x * mult;
            }
        }
        if (k) batch_add(h, &b, buf, k);
        values += m;
        n -= m;
    }
    batch_publish(h, &b);
    if (bad) sat_add(&h->invalid, (uint64_t)bad);
    return bad;
}

size_t mon_hist_record_many_u64(mon_hist *h, const uint64_t *values, size_t n, uint32_t unit)
{
    uint64_t buf[CHUNK];
    BATCH_DECL;
    size_t bad = 0;
    uint64_t mult = UNIT_MULT[(unit & 255u) < 4u ? (unit & 255u) : 0u];
    uint64_t limit = UINT64_MAX / mult;
    if (unit & MON_HIST_STRICT) {
        size_t i;
        for (i = 0; i < n; ++i) bad += (size_t)(values[i] > limit);
        if (bad) return bad;
    }
    if (mult == 1u) {
        mon_hist_record_many(h, values, n);
        return 0;
    }
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK, i, k = 0;
        for (i = 0; i < m; ++i) {
            if (values[i] > limit) {
                ++bad;
            } else {
                buf[k++] = values[i] * mult;
            }
        }
        if (k) batch_add(h, &b, buf, k);
        values += m;
        n -= m;
    }
    batch_publish(h, &b);
    if (bad) sat_add(&h->invalid, (uint64_t)bad);
    return bad;
}

/* Exact binary64 -> ns: the double is m * 2^e exactly; multiply by 10^(3 unit) in 128-bit
 * integers and round half to even. Returns 1 on success. */
MON_INLINE int f64_to_ns(double x, uint64_t mult, uint64_t *out)
{
    uint64_t bits, m;
    int32_t ex;
    unsigned biased;
    mon_u128 p;
    memcpy(&bits, &x, sizeof bits);
    {
        /* Fast path, one comparison: sign 0 and biased exponent 1012..1055, i.e. x in
         * [2^-11, 2^33) (every latency in ms or s); x = m * 2^-sh with sh in [20, 63], so the
         * quotient is below 2^63 and rounding cannot overflow. Same exact result as below. */
        uint64_t top = (bits >> 52) - 1012u;
        if (top < 44u) {
            unsigned sh = 63u - (unsigned)top;
            mon_u128 pp = mon_u128_mul64((bits & ((UINT64_C(1) << 52) - 1u)) | (UINT64_C(1) << 52), mult);
            uint64_t q = (pp.lo >> sh) | (pp.hi << (64u - sh));
            uint64_t rem = pp.lo & ((UINT64_C(1) << sh) - 1u), half = UINT64_C(1) << (sh - 1u);
            *out = q + ((uint64_t)(rem > half) | ((uint64_t)(rem == half) & q & 1u));
            return 1;
        }
    }
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

/* Convert m <= CHUNK doubles; the valid ones go to buf; returns how many. */
MON_INLINE size_t convert_f64_body(const double *values, size_t m, uint64_t mult, uint64_t *buf)
{
    size_t i, k = 0;
    for (i = 0; i < m; ++i) k += (size_t)f64_to_ns(values[i], mult, &buf[k]);
    return k;
}

static size_t convert_f64_generic(const double *values, size_t m, uint64_t mult, uint64_t *buf)
{
    return convert_f64_body(values, m, mult, buf);
}

#if MON_HIST_X86_DISPATCH
__attribute__((target("bmi2"))) static size_t convert_f64_bmi2(const double *values, size_t m,
                                                               uint64_t mult, uint64_t *buf)
{
    return convert_f64_body(values, m, mult, buf);
}
#endif

static size_t convert_f64(const double *values, size_t m, uint64_t mult, uint64_t *buf)
{
#if MON_HIST_X86_DISPATCH
    if (__builtin_cpu_supports("bmi2")) return convert_f64_bmi2(values, m, mult, buf);
#endif
    return convert_f64_generic(values, m, mult, buf);
}

mon_status mon_hist_f64_to_ns(double value, uint32_t unit, uint64_t *out_ns)
{
    uint64_t ns;
    if (!out_ns) return MON_E_NULL;
    if ((unit & 255u) > MON_HIST_S) return MON_E_CONFIG;
    if (!f64_to_ns(value, UNIT_MULT[unit & 255u], &ns)) return MON_E_VALUE;
    *out_ns = ns;
    return MON_OK;
}

mon_status mon_hist_record_f64(mon_hist *h, double value, uint32_t unit)
{
    uint64_t ns;
    if (f64_to_ns(value, UNIT_MULT[(unit & 255u) < 4u ? (unit & 255u) : 0u], &ns)) {
        mon_hist_record(h, ns);
        return MON_OK;
    }
    if (!(unit & MON_HIST_STRICT)) sat_add(&h->invalid, 1);
    return MON_E_VALUE;
}

mon_status mon_hist_record_us(mon_hist *h, double value) { return mon_hist_record_f64(h, value, MON_HIST_US); }
mon_status mon_hist_record_ms(mon_hist *h, double value) { return mon_hist_record_f64(h, value, MON_HIST_MS); }
mon_status mon_hist_record_s(mon_hist *h, double value) { return mon_hist_record_f64(h, value, MON_HIST_S); }

size_t mon_hist_record_many_f64(mon_hist *h, const double *values, size_t n, uint32_t unit)
{
    uint64_t buf[CHUNK];
    BATCH_DECL;
    size_t bad = 0;
    uint64_t mult = UNIT_MULT[(unit & 255u) < 4u ? (unit & 255u) : 0u];
    if (unit & MON_HIST_STRICT) {
        size_t i;
        uint64_t tmp;
        for (i = 0; i < n; ++i) bad += (size_t)!f64_to_ns(values[i], mult, &tmp);
        if (bad) return bad;
    }
    batch_begin(h, &b, BATCH_TABLE_PTR, n);
    while (n > 0) {
        size_t m = n < CHUNK ? n : CHUNK, i, k = 0;
        k = convert_f64(values, m, mult, buf);
        bad += m - k;
        (void)i;
        if (k) batch_add(h, &b, buf, k);
        values += m;
        n -= m;
    }
    batch_publish(h, &b);
    if (bad) sat_add(&h->invalid, (uint64_t)bad);
    return bad;
}

void mon_hist_add_invalid(mon_hist *h, uint64_t n) { sat_add(&h->invalid, n); }

/* ---- reading ----------------------------------------------------------------------------- */
static uint64_t sat_plus(uint64_t a, uint64_t b)
{
    uint64_t s = a + b;
    return s < a ? UINT64_MAX : s;
}

mon_status mon_hist_get_config(const mon_hist *h, mon_hist_config *cfg, mon_hist_layout *layout)
{
    if (!h) return MON_E_NULL;
    if (!valid(h)) return MON_E_STATE;
    if (cfg) {
        cfg->lowest = h->lowest;
        cfg->highest = h->highest;
        cfg->scale = h->scale;
    }
    if (layout) {
        layout->scale = h->scale;
        layout->index_lo = h->index_lo;
        layout->index_hi = h->index_hi;
        layout->buckets = h->buckets;
        layout->range_lo = h->range_lo;
        layout->range_hi = h->range_hi;
    }
    return MON_OK;
}

/* Saturating sum of counts[0..n): four 128-bit accumulators (no per-step saturation chain). */
static uint64_t sum_counts(const mon_hist *h, uint32_t n)
{
    uint64_t lo[4] = {0, 0, 0, 0}, hi = 0, total;
    uint32_t k = 0;
    int j;
    for (; k + 4u <= n; k += 4u) {
        for (j = 0; j < 4; ++j) {
            uint64_t c = ld_acq(&h->counts[k + (uint32_t)j]);
            lo[j] += c;
            hi += (uint64_t)(lo[j] < c);
        }
    }
    for (; k < n; ++k) {
        uint64_t c = ld_acq(&h->counts[k]);
        lo[0] += c;
        hi += (uint64_t)(lo[0] < c);
    }
    total = 0;
    for (j = 0; j < 4; ++j) {
        total += lo[j];
        hi += (uint64_t)(total < lo[j]);
    }
    return hi ? UINT64_MAX : total;
}

/* The total first (acquire): every value it counts is then visible in the other fields. */
static void read_stats(const mon_hist *h, mon_hist_stats *s)
{
    s->count = ld_acq(&h->total);
    s->underflow = ld_rlx(&h->underflow);
    s->overflow = ld_rlx(&h->overflow);
    s->invalid = ld_rlx(&h->invalid);
    s->min = ld_rlx(&h->min);
    s->max = ld_rlx(&h->max);
    s->sum_hi = ld_rlx(&h->sum_hi);
    s->sum_lo = ld_rlx(&h->sum_lo);
}

mon_status mon_hist_get_stats(const mon_hist *h, mon_hist_stats *out)
{
    if (!h || !out) return MON_E_NULL;
    if (!valid(h)) return MON_E_STATE;
    read_stats(h, out);
    return MON_OK;
}

uint64_t mon_hist_representative(uint64_t a, uint64_t b)
{
    /* Largest q in [0, d] with q (a + b) <= a d, i.e. b q <= a (d - q): r0 = a + q is the floor
     * of 2ab / (a + b), the real minimiser; then the better of r0 and r0 + 1. */
    uint64_t d = b - a, lo = 0, hi = d, r0, r1;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1u) / 2u;
        if (mon_u128_cmp(mon_u128_mul64(b, mid), mon_u128_mul64(a, d - mid)) <= 0) {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    r0 = a + lo;
    if (r0 == b) return r0;
    r1 = r0 + 1u;
    /* err(r0) = (b - r0) / b, err(r1) = (r1 - a) / a */
    if (mon_u128_cmp(mon_u128_mul64(r1 - a, b), mon_u128_mul64(b - r0, a)) < 0) return r1;
    return r0;
}

mon_status mon_hist_quantiles(const mon_hist *h, const uint64_t *num, const uint64_t *den,
                              size_t n, uint64_t *out)
{
    uint64_t rank[MAX_QUANTILES];
    uint8_t order[MAX_QUANTILES];
    uint64_t cum_lo, cum_hi = 0, mn, mx, total, under;
    uint32_t k;
    size_t q, next = 0;
    if (!h || (n && (!num || !den || !out))) return MON_E_NULL;
    if (!valid(h)) return MON_E_STATE;
    if (n > MAX_QUANTILES) return MON_E_LENGTH;
    for (q = 0; q < n; ++q) {
        if (den[q] == 0 || num[q] > den[q]) return MON_E_VALUE;
    }
    total = ld_acq(&h->total);
    under = ld_rlx(&h->underflow);
    if (total == 0) return MON_E_EMPTY;
    for (q = 0; q < n; ++q) { /* ranks, and their order by insertion sort (n <= 64) */
        mon_u128 prod = mon_u128_mul64(num[q], total); /* < den * 2^64: the quotient fits */
        uint64_t rem, r = mon_w_div128_64(prod.hi, prod.lo, den[q], &rem);
        size_t p = q;
        if (rem) ++r;
        rank[q] = r ? r : 1u;
        while (p > 0 && rank[order[p - 1]] > rank[q]) {
            order[p] = order[p - 1];
            --p;
        }
        order[p] = (uint8_t)q;
    }
    mn = ld_rlx(&h->min);
    while (next < n && rank[order[next]] <= under) out[order[next++]] = mn;
    cum_lo = under;
    for (k = 0; k < h->buckets && next < n; ++k) {
        uint64_t c = ld_rlx(&h->counts[k]);
        if (c == 0) continue;
        cum_lo += c;
        cum_hi += (uint64_t)(cum_lo < c);
        if (cum_hi || rank[order[next]] <= cum_lo) {
            int32_t i = h->index_lo + (int32_t)k;
            uint64_t r = mon_hist_representative(threshold_at(h->scale, i - 1) + 1u,
                                                 threshold_at(h->scale, i));
            /* min/max were published before this count: load them now for the clamp */
            mn = ld_rlx(&h->min);
            mx = ld_rlx(&h->max);
            r = r < mn ? mn : (r > mx ? mx : r);
            while (next < n && (cum_hi || rank[order[next]] <= cum_lo)) out[order[next++]] = r;
        }
    }
    mx = ld_rlx(&h->max);
    while (next < n) out[order[next++]] = mx; /* overflow ranks */
    return MON_OK;
}

mon_status mon_hist_count_at_or_below(const mon_hist *h, uint64_t v, uint64_t *out,
                                      int32_t *exact)
{
    mon_hist_stats s;
    uint64_t res;
    uint32_t k, upto;
    int32_t ex;
    if (!h || !out || !exact) return MON_E_NULL;
    if (!valid(h)) return MON_E_STATE;
    read_stats(h, &s);
    if (s.count == 0 || v < s.min) {
        *out = 0;
        *exact = 1;
        return MON_OK;
    }
    if (v >= s.max) {
        *out = s.count;
        *exact = 1;
        return MON_OK;
    }
    if (v < h->range_lo) {
        *exact = v == h->range_lo - 1u;
        *out = *exact ? s.underflow : 0;
        return MON_OK;
    }
    res = s.underflow;
    if (v > h->range_hi) {
        upto = h->buckets;
        ex = 0;
    } else {
        int32_t i = index_at(h->scale, v);
        ex = threshold_at(h->scale, i) == v;
        upto = (uint32_t)(i - h->index_lo) + (ex ? 1u : 0u);
    }
    for (k = 0; k < upto; ++k) res = sat_plus(res, ld_acq(&h->counts[k]));
    *out = res;
    *exact = ex;
    return MON_OK;
}

static int same_config(const mon_hist *a, const mon_hist *b)
{
    return a->lowest == b->lowest && a->highest == b->highest && a->scale == b->scale;
}

mon_status mon_hist_merge(mon_hist *dst, const mon_hist *src)
{
    uint32_t k;
    uint64_t slo, shi, lo, tlo, thi;
    if (!dst || !src) return MON_E_NULL;
    if (!valid(dst) || !valid(src)) return MON_E_STATE;
    if (!same_config(dst, src)) return MON_E_MISMATCH;
    (void)ld_acq(&src->total); /* synchronise with src's recorders before reading the rest */
    tlo = 0;
    thi = 0;
    for (k = 0; k < dst->buckets; ++k) {
        /* dst == src (doubling) reads every value once before writing it */
        uint64_t a = dst->counts[k], x = a + ld_rlx(&src->counts[k]);
        x |= (uint64_t)0 - (uint64_t)(x < a);
        dst->counts[k] = x;
        tlo += x;
        thi += (uint64_t)(tlo < x);
    }
    dst->underflow = sat_plus(dst->underflow, ld_rlx(&src->underflow));
    dst->overflow = sat_plus(dst->overflow, ld_rlx(&src->overflow));
    /* the total of what was actually merged (src may be recorded to meanwhile) */
    dst->total = sat_plus(sat_plus(thi ? UINT64_MAX : tlo, dst->underflow), dst->overflow);
    dst->invalid = sat_plus(dst->invalid, ld_rlx(&src->invalid));
    {
        uint64_t m = ld_rlx(&src->min), x = ld_rlx(&src->max);
        if (m < dst->min) dst->min = m;
        if (x > dst->max) dst->max = x;
    }
    slo = ld_rlx(&src->sum_lo);
    shi = ld_rlx(&src->sum_hi);
    lo = dst->sum_lo + slo;
    {
        uint64_t hi = dst->sum_hi + shi, hi2;
        int over = hi < shi;
        hi2 = hi + (uint64_t)(lo < slo);
        over |= hi2 < hi;
        dst->sum_hi = over ? UINT64_MAX : hi2;
        dst->sum_lo = over ? UINT64_MAX : lo;
    }
    return MON_OK;
}

mon_status mon_hist_snapshot(const mon_hist *src, mon_hist *dst)
{
    uint32_t k;
    if (!dst || !src) return MON_E_NULL;
    if (!valid(dst) || !valid(src)) return MON_E_STATE;
    if (!same_config(dst, src)) return MON_E_MISMATCH;
    if (dst == src) return MON_OK;
    (void)ld_acq(&src->total);
    for (k = 0; k < src->buckets; ++k) dst->counts[k] = ld_rlx(&src->counts[k]);
    dst->underflow = ld_rlx(&src->underflow);
    dst->overflow = ld_rlx(&src->overflow);
    dst->total = sat_plus(sat_plus(sum_counts(dst, dst->buckets), dst->underflow), dst->overflow);
    dst->invalid = ld_rlx(&src->invalid);
    dst->min = ld_rlx(&src->min);
    dst->max = ld_rlx(&src->max);
    dst->sum_hi = ld_rlx(&src->sum_hi);
    dst->sum_lo = ld_rlx(&src->sum_lo);
    return MON_OK;
}

mon_status mon_hist_reset(mon_hist *h)
{
    if (!h) return MON_E_NULL;
    if (!valid(h)) return MON_E_STATE;
    clear_counters(h);
    return MON_OK;
}

int32_t mon_hist_next_bucket(const mon_hist *h, uint32_t *cursor, mon_hist_bucket *out)
{
    uint32_t k;
    if (!valid(h) || !cursor || !out) return 0;
    for (k = *cursor; k < h->buckets; ++k) {
        uint64_t c = ld_acq(&h->counts[k]);
        if (c) {
            int32_t i = h->index_lo + (int32_t)k;
            out->index = i;
            out->lower = threshold_at(h->scale, i - 1);
            out->upper = threshold_at(h->scale, i);
            out->count = c;
            *cursor = k + 1u;
            return 1;
        }
    }
    *cursor = h->buckets;
    return 0;
}

mon_status mon_hist_copy_counts(const mon_hist *h, uint64_t *out, size_t n)
{
    uint32_t k;
    if (!h || !out) return MON_E_NULL;
    if (!valid(h)) return MON_E_STATE;
    if (n != h->buckets) return MON_E_LENGTH;
    for (k = 0; k < h->buckets; ++k) out[k] = ld_acq(&h->counts[k]);
    return MON_OK;
}

mon_status mon_hist_error_bound(const mon_hist_config *cfg, uint64_t *num, uint64_t *den)
{
    mon_hist_layout lay;
    int32_t i;
    uint64_t bn = 0, bd = 1;
    mon_status st;
    if (!num || !den) return MON_E_NULL;
    st = mon_hist_layout_of(cfg, &lay);
    if (st != MON_OK) return st;
    for (i = lay.index_lo; i <= lay.index_hi; ++i) {
        uint64_t a = threshold_at(lay.scale, i - 1) + 1u, b = threshold_at(lay.scale, i), r, en, ed;
        if (a > b) continue; /* no integer in this bucket */
        r = mon_hist_representative(a, b);
        if (mon_u128_cmp(mon_u128_mul64(r - a, b), mon_u128_mul64(b - r, a)) >= 0) {
            en = r - a;
            ed = a;
        } else {
            en = b - r;
            ed = b;
        }
        if (mon_u128_cmp(mon_u128_mul64(en, bd), mon_u128_mul64(bn, ed)) > 0) {
            bn = en;
            bd = ed;
        }
    }
    *num = bn;
    *den = bd;
    return MON_OK;
}

/* ---- serialisation ----------------------------------------------------------------------- */
uint32_t mon_hist_crc32c(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xffffffffu;
    size_t i;
    for (i = 0; i < len; ++i) crc = (crc >> 8) ^ MON_CRC32C_TABLE[(crc ^ data[i]) & 0xffu];
    return crc ^ 0xffffffffu;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get_u64(const uint8_t *p) { return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32); }

size_t mon_hist_serialized_size_max(const mon_hist *h)
{
    if (!valid(h)) return 0;
    return (size_t)MON_HIST_SERIAL_HEADER_BYTES + (size_t)h->buckets * MON_HIST_SERIAL_ENTRY_BYTES +
           MON_HIST_SERIAL_TRAILER_BYTES;
}

mon_status mon_hist_serialize(const mon_hist *h, uint8_t *out, size_t cap, size_t *written)
{
    uint32_t k, nz = 0;
    uint64_t c = 0, under, over;
    uint8_t *p;
    size_t len;
    if (!h || !out || !written) return MON_E_NULL;
    if (!valid(h)) return MON_E_STATE;
    if (cap < mon_hist_serialized_size_max(h)) return MON_E_SIZE;
    p = out + MON_HIST_SERIAL_HEADER_BYTES;
    for (k = 0; k < h->buckets; ++k) {
        uint64_t v = ld_acq(&h->counts[k]);
        if (v) {
            put_u32(p, k);
            put_u64(p + 4, v);
            p += MON_HIST_SERIAL_ENTRY_BYTES;
            ++nz;
            c = sat_plus(c, v);
        }
    }
    under = ld_acq(&h->underflow);
    over = ld_acq(&h->overflow);
    c = sat_plus(sat_plus(c, under), over);
    memcpy(out, "MONH", 4);
    out[4] = MON_HIST_FORMAT_VERSION;
    out[5] = (uint8_t)h->scale;
    out[6] = out[7] = 0;
    put_u64(out + 8, h->lowest);
    put_u64(out + 16, h->highest);
    put_u64(out + 24, c);
    put_u64(out + 32, under);
    put_u64(out + 40, over);
    put_u64(out + 48, ld_rlx(&h->invalid));
    if (c == 0) { /* canonical empty state, even if a value is being recorded right now */
        put_u64(out + 56, UINT64_MAX);
        put_u64(out + 64, 0);
        put_u64(out + 72, 0);
        put_u64(out + 80, 0);
    } else {
        put_u64(out + 56, ld_rlx(&h->min));
        put_u64(out + 64, ld_rlx(&h->max));
        put_u64(out + 72, ld_rlx(&h->sum_lo));
        put_u64(out + 80, ld_rlx(&h->sum_hi));
    }
    put_u32(out + 88, nz);
    put_u32(out + 92, 0);
    len = (size_t)(p - out);
    put_u32(p, mon_hist_crc32c(out, len));
    *written = len + MON_HIST_SERIAL_TRAILER_BYTES;
    return MON_OK;
}

mon_status mon_hist_peek_config(const uint8_t *data, size_t len, mon_hist_config *cfg)
{
    mon_hist_config c;
    mon_hist_layout lay;
    uint32_t nz, k, prev = 0;
    int32_t first = 0, last = 0;
    uint64_t total = 0, count, under, over, mn, mx, slo, shi;
    size_t need;
    if (!data || !cfg) return MON_E_NULL;
    if (len < 5) return MON_E_TRUNCATED;
    if (memcmp(data, "MONH", 4) != 0) return MON_E_FORMAT;
    if (data[4] != MON_HIST_FORMAT_VERSION) return MON_E_FORMAT;
    if (len < (size_t)MON_HIST_SERIAL_HEADER_BYTES + MON_HIST_SERIAL_TRAILER_BYTES) return MON_E_TRUNCATED;
    nz = get_u32(data + 88);
    if ((len - MON_HIST_SERIAL_HEADER_BYTES - MON_HIST_SERIAL_TRAILER_BYTES) / MON_HIST_SERIAL_ENTRY_BYTES < nz)
        return MON_E_TRUNCATED;
    need = (size_t)MON_HIST_SERIAL_HEADER_BYTES + (size_t)nz * MON_HIST_SERIAL_ENTRY_BYTES +
           MON_HIST_SERIAL_TRAILER_BYTES;
    if (len != need) return MON_E_FORMAT; /* trailing bytes */
    if (mon_hist_crc32c(data, len - 4u) != get_u32(data + len - 4u)) return MON_E_CHECKSUM;
    if (data[6] != 0 || data[7] != 0 || get_u32(data + 92) != 0) return MON_E_FORMAT;
    c.scale = (int32_t)data[5];
    c.lowest = get_u64(data + 8);
    c.highest = get_u64(data + 16);
    if (mon_hist_layout_of(&c, &lay) != MON_OK) return MON_E_FORMAT;
    if (nz > lay.buckets) return MON_E_FORMAT;
    count = get_u64(data + 24);
    under = get_u64(data + 32);
    over = get_u64(data + 40);
    mn = get_u64(data + 56);
    mx = get_u64(data + 64);
    slo = get_u64(data + 72);
    shi = get_u64(data + 80);
    for (k = 0; k < nz; ++k) {
        const uint8_t *e = data + MON_HIST_SERIAL_HEADER_BYTES + (size_t)k * MON_HIST_SERIAL_ENTRY_BYTES;
        uint32_t off = get_u32(e);
        uint64_t v = get_u64(e + 4);
        int32_t i;
        if (off >= lay.buckets || (k > 0 && off <= prev) || v == 0) return MON_E_FORMAT;
        /* A bucket (T(i-1), T(i)] that holds no integer can never have been recorded into. */
        i = lay.index_lo + (int32_t)off;
        if (threshold_at(c.scale, i - 1) >= threshold_at(c.scale, i)) return MON_E_FORMAT;
        if (k == 0) first = i;
        last = i;
        prev = off;
        total = sat_plus(total, v);
    }
    total = sat_plus(sat_plus(total, under), over);
    if (total != count) return MON_E_FORMAT;
    if (count == 0) {
        if (mn != UINT64_MAX || mx != 0 || slo != 0 || shi != 0) return MON_E_FORMAT;
    } else {
        /* The exact min and max must lie where the counters say the extreme values are. */
        if (mn > mx) return MON_E_FORMAT;
        if (under != 0) {
            if (mn > lay.range_lo - 1u) return MON_E_FORMAT;
        } else if (nz != 0) {
            if (mn <= threshold_at(c.scale, first - 1) || mn > threshold_at(c.scale, first)) return MON_E_FORMAT;
        } else if (mn <= lay.range_hi) {
            return MON_E_FORMAT; /* only overflow values */
        }
        if (over != 0) {
            if (mx <= lay.range_hi) return MON_E_FORMAT;
        } else if (nz != 0) {
            if (mx <= threshold_at(c.scale, last - 1) || mx > threshold_at(c.scale, last)) return MON_E_FORMAT;
        } else if (mx > lay.range_lo - 1u) {
            return MON_E_FORMAT; /* only underflow values */
        }
    }
    *cfg = c;
    return MON_OK;
}

mon_status mon_hist_deserialize(void *buf, size_t size, const uint8_t *data, size_t len)
{
    mon_hist_config c;
    mon_hist *h;
    uint32_t nz, k;
    mon_status st = mon_hist_peek_config(data, len, &c);
    if (!buf) return MON_E_NULL;
    if (st != MON_OK) return st;
    if (size < mon_hist_size(&c)) return MON_E_SIZE;
    if (!aligned8(buf)) return MON_E_ALIGN;
    st = mon_hist_init(buf, size, &c);
    if (st != MON_OK) return st;
    h = (mon_hist *)buf;
    h->total = get_u64(data + 24);
    h->underflow = get_u64(data + 32);
    h->overflow = get_u64(data + 40);
    h->invalid = get_u64(data + 48);
    h->min = get_u64(data + 56);
    h->max = get_u64(data + 64);
    h->sum_lo = get_u64(data + 72);
    h->sum_hi = get_u64(data + 80);
    nz = get_u32(data + 88);
    for (k = 0; k < nz; ++k) {
        const uint8_t *e = data + MON_HIST_SERIAL_HEADER_BYTES + (size_t)k * MON_HIST_SERIAL_ENTRY_BYTES;
        h->counts[get_u32(e)] = get_u64(e + 4);
    }
    return MON_OK;
}

/* ---- ring -------------------------------------------------------------------------------- */
static mon_hist *ring_slot(const mon_hist_ring *r, uint64_t tick)
{
    return (mon_hist *)((uintptr_t)r + RING_HEADER_BYTES + (size_t)(tick % r->slots) * (size_t)r->hist_size);
}

size_t mon_hist_ring_size(const mon_hist_config *cfg, uint32_t slots)
{
    size_t hs = mon_hist_size(cfg);
    if (hs == 0 || slots == 0 || slots > RING_MAX_SLOTS) return 0;
    return RING_HEADER_BYTES + hs * slots;
}

mon_status mon_hist_ring_init(void *buf, size_t size, const mon_hist_config *cfg, uint32_t slots,
                              uint64_t tick)
{
    mon_hist_ring *r;
    size_t hs, need;
    uint32_t k;
    mon_status st;
    if (!buf || !cfg) return MON_E_NULL;
    st = mon_hist_check_config(cfg);
    if (st != MON_OK) return st;
    if (slots == 0 || slots > RING_MAX_SLOTS) return MON_E_CONFIG;
    need = mon_hist_ring_size(cfg, slots);
    hs = mon_hist_size(cfg);
    if (size < need) return MON_E_SIZE;
    if (!aligned8(buf)) return MON_E_ALIGN;
    r = (mon_hist_ring *)buf;
    r->magic = RING_MAGIC;
    r->tick = tick;
    r->slots = slots;
    r->reserved = 0;
    r->hist_size = (uint64_t)hs;
    for (k = 0; k < slots; ++k) {
        st = mon_hist_init((uint8_t *)buf + RING_HEADER_BYTES + (size_t)k * hs, hs, cfg);
        if (st != MON_OK) return st;
    }
    return MON_OK;
}

static int ring_valid(const mon_hist_ring *r) { return r && r->magic == RING_MAGIC; }

mon_status mon_hist_ring_advance(mon_hist_ring *ring, uint64_t tick)
{
    uint64_t t, steps;
    if (!ring) return MON_E_NULL;
    if (!ring_valid(ring)) return MON_E_STATE;
    if (tick < ring->tick) return MON_E_VALUE;
    steps = tick - ring->tick;
    if (steps > ring->slots) steps = ring->slots;
    for (t = 0; t < steps; ++t) mon_hist_reset(ring_slot(ring, tick - t));
    ring->tick = tick;
    return MON_OK;
}

mon_hist *mon_hist_ring_current(mon_hist_ring *ring)
{
    if (!ring_valid(ring)) return NULL;
    return ring_slot(ring, ring->tick);
}

mon_status mon_hist_ring_merge_last(const mon_hist_ring *ring, uint32_t last, mon_hist *dst)
{
    uint32_t k;
    mon_status st;
    if (!ring || !dst) return MON_E_NULL;
    if (!ring_valid(ring) || !valid(dst)) return MON_E_STATE;
    if (last == 0 || last > ring->slots) return MON_E_VALUE;
    if (!same_config(dst, ring_slot(ring, 0))) return MON_E_MISMATCH;
    clear_counters(dst);
    for (k = 0; k < last && (uint64_t)k <= ring->tick; ++k) {
        st = mon_hist_merge(dst, ring_slot(ring, ring->tick - k));
        if (st != MON_OK) return st;
    }
    return MON_OK;
}

mon_status mon_hist_ring_info(const mon_hist_ring *ring, uint64_t *tick, uint32_t *slots)
{
    if (!ring) return MON_E_NULL;
    if (!ring_valid(ring)) return MON_E_STATE;
    if (tick) *tick = ring->tick;
    if (slots) *slots = ring->slots;
    return MON_OK;
}
