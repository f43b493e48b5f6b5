/*
 * mon_select.c - exact order-statistic selection of doubles (see mon_select.h).
 */
#include <string.h>

#include "mon_align_internal.h"
#include "mon_bits_internal.h"
#include "mon_select.h"

/*
 * Order statistics. Each double maps to an order-preserving unsigned key (sign-magnitude to
 * two's complement, then the sign bit flipped; -0.0 and +0.0 get the same key; every NaN gets
 * UINT64_MAX so NaN sorts last, like numpy). Phase 1 histograms the top 16 key bits; phase 2
 * finds the bucket of each wanted rank from the prefix sums, gathers only those buckets' keys
 * and runs a multi-rank introselect (3-way partition, heapsort fallback) inside them, with an
 * explicit stack of bounded size (no recursion). Phase 2 marks the wanted buckets in hist with
 * values above n while it gathers, then restores their counts: hist is unchanged on return,
 * so one prepare serves any number of selections.
 */

/* Key of x[i], x of any alignment (a memcpy load). */
static uint64_t key_at(const double *x, size_t i)
{
    uint64_t u;
    uint64_t mag, neg, nan, k;
    memcpy(&u, (const unsigned char *)(const void *)x + i * sizeof u, sizeof u);
    mag = u & BITS_MAG;
    neg = 0u - (u >> 63);                  /* all ones when the sign bit is set */
    nan = 0u - (uint64_t)(mag > BITS_INF); /* all ones for NaN */
    k = ((mag ^ neg) - neg) ^ BITS_SIGN;   /* -mag for negatives, modulo 2^64 */
    return k | nan;
}

static double double_of_key(uint64_t k)
{
    uint64_t s;
    if (k == UINT64_MAX) return bits_to_double(BITS_QNAN);
    s = k ^ BITS_SIGN;
    if (s & BITS_SIGN) return bits_to_double(BITS_SIGN | (0u - s)); /* negative value */
    return bits_to_double(s);
}

mon_status mon_select_prepare(const double *x, size_t n, uint32_t *hist, uint64_t *nan_count)
{
    size_t i;
    uint64_t nan = 0;
    if (x == NULL || hist == NULL || nan_count == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U32(hist) || !MON_ALIGNED_U64(nan_count)) return MON_E_ALIGN;
    if (n == 0 || (uint64_t)n > (uint64_t)MON_SELECT_MAX_N) return MON_E_SIZE;
    memset(hist, 0, MON_SELECT_HIST_LEN * sizeof(uint32_t));
    for (i = 0; i < n; ++i) {
        uint64_t k = key_at(x, i);
        nan += (k == UINT64_MAX);
        ++hist[k >> 48];
    }
    *nan_count = nan;
    return MON_OK;
}

static void swap_u64(uint64_t *a, uint64_t *b)
{
    uint64_t t = *a;
    *a = *b;
    *b = t;
}

static void insertion_sort(uint64_t *a, size_t n)
{
    size_t i, j;
    for (i = 1; i < n; ++i) {
        uint64_t v = a[i];
        for (j = i; j > 0 && a[j - 1u] > v; --j) a[j] = a[j - 1u];
        a[j] = v;
    }
}

static void sift_down(uint64_t *a, size_t root, size_t n)
{
    for (;;) {
        size_t child = 2u * root + 1u;
        if (child >= n) return;
        if (child + 1u < n && a[child + 1u] > a[child]) ++child;
        if (a[root] >= a[child]) return;
        swap_u64(&a[root], &a[child]);
        root = child;
    }
}

static void heap_sort(uint64_t *a, size_t n)
{
    size_t i;
    if (n < 2) return;
    for (i = n / 2u; i > 0; --i) sift_down(a, i - 1u, n);
    for (i = n - 1u; i > 0; --i) {
        swap_u64(&a[0], &a[i]);
        sift_down(a, 0, i);
    }
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
    if (a > b) swap_u64(&a, &b);
    if (b > c) b = c;
    return a > b ? a : b;
}

/* A pending part of the selection: keys a[lo, lo + n) with ranks r[r0, r0 + nr) (relative to
 * lo) and its remaining partition depth. Everything fits 32 bits: n < 2^32 keys, nr <= 512. */
typedef struct sel_part {
    uint32_t lo, n;
    uint16_t r0, nr;
    uint32_t depth;
} sel_part;

/* Partition levels of a region of len keys before the heapsort fallback: 2 * bit_length(len),
 * at most 64 (len < 2^32). The explicit stack never holds more parts than that (see below). */
#define SEL_MAX_DEPTH 64u

/* Place the keys of ranks[0..nr) (positions relative to a, non-decreasing, < n) at their
 * sorted positions; ranks is scratch (rewritten). Introselect without recursion: each
 * partition keeps working on its left part and pushes its right part (when both hold ranks).
 * A part pushed at depth d is followed only by parts of depth < d until it is popped, so the
 * stack's depths strictly decrease from bottom to top: at most SEL_MAX_DEPTH parts. The order
 * in which the disjoint parts are finished does not change any selected key. */
static void select_multi(uint64_t *base, uint32_t n0, uint32_t *ranks, uint32_t nr0,
                         unsigned depth0)
{
    sel_part stack[SEL_MAX_DEPTH];
    size_t top = 0;
    sel_part cur;
    cur.lo = 0;
    cur.n = n0;
    cur.r0 = 0;
    cur.nr = (uint16_t)nr0;
    cur.depth = depth0;
    for (;;) {
        while (cur.nr > 0 && cur.n > 1) {
            uint64_t *a = base + cur.lo;
            uint32_t *r = ranks + cur.r0;
            size_t lt, gt, i, nl, ne;
            uint64_t p;
            if (cur.n <= 24u) {
                insertion_sort(a, cur.n);
                break;
            }
            if (cur.depth == 0) {
                heap_sort(a, cur.n);
                break;
            }
            --cur.depth;
            p = median3(a[0], a[cur.n / 2u], a[cur.n - 1u]);
            /* 3-way partition: [0, lt) < p, [lt, gt) == p, [gt, n) > p. Ties collapse at once. */
            lt = 0;
            gt = cur.n;
            i = 0;
            while (i < gt) {
                if (a[i] < p)
                    swap_u64(&a[lt++], &a[i++]);
                else if (a[i] > p)
                    swap_u64(&a[i], &a[--gt]);
                else
                    ++i;
            }
            for (nl = 0; nl < cur.nr && r[nl] < lt; ++nl) {
            }
            for (ne = nl; ne < cur.nr && r[ne] < gt; ++ne) {
            }
            /* Ranks in [lt, gt) are already in place. The right part's ranks become relative. */
            for (i = ne; i < cur.nr; ++i) r[i] -= (uint32_t)gt;
            if (ne < cur.nr) {
                sel_part right;
                right.lo = cur.lo + (uint32_t)gt;
                right.n = cur.n - (uint32_t)gt;
                right.r0 = (uint16_t)(cur.r0 + ne);
                right.nr = (uint16_t)(cur.nr - ne);
                right.depth = cur.depth;
                if (nl == 0) {
                    cur = right;
                    continue;
                }
                if (top < SEL_MAX_DEPTH) {
                    stack[top++] = right;
                } else { /* unreachable (the bound above); stays correct and in bounds */
                    heap_sort(base + right.lo, right.n);
                }
            }
            cur.n = (uint32_t)lt;
            cur.nr = (uint16_t)nl;
        }
        if (top == 0) return;
        cur = stack[--top];
    }
}

/* Region bookkeeping of one call: n < 2^32, so offsets and counts fit 32 bits. */
typedef struct sel_region {
    uint32_t start; /* first key index in keys[] */
    uint32_t fill;  /* next free index while gathering */
    uint32_t below; /* keys in buckets before this one */
    uint32_t bucket;
} sel_region;

mon_status mon_select_ranks(const double *x, size_t n, uint32_t *hist, const uint64_t *ranks,
                            size_t nranks, uint64_t *keys, double *out)
{
    sel_region reg[MON_SELECT_MAX_RANKS + 1]; /* + the end sentinel: reg[nreg].start */
    size_t nreg = 0, j, i;
    uint64_t cum = 0;
    uint32_t bkt = 0, mark0;
    mon_status st = MON_OK;
    if (x == NULL || hist == NULL || ranks == NULL || keys == NULL || out == NULL)
        return MON_E_NULL;
    if (!MON_ALIGNED_U32(hist) || !MON_ALIGNED_U64(ranks) || !MON_ALIGNED_U64(keys) ||
        !MON_ALIGNED_F64(out))
        return MON_E_ALIGN;
    if (n == 0 || (uint64_t)n > (uint64_t)MON_SELECT_MAX_N) return MON_E_SIZE;
    if (nranks == 0 || nranks > MON_SELECT_MAX_RANKS) return MON_E_VALUE;
    for (j = 0; j < nranks; ++j) {
        if (ranks[j] >= (uint64_t)n || (j > 0 && ranks[j] < ranks[j - 1u])) return MON_E_VALUE;
    }
    /* Walk the buckets once, in rank order, recording the bucket that holds each rank. hist
     * should be prepare's histogram of these n values; one that is not is refused wherever it
     * could lead an access astray: a walk past the last bucket, regions beyond n keys, a wanted
     * bucket holding more or fewer keys than its count says. */
    for (j = 0; j < nranks; ++j) {
        while (bkt < MON_SELECT_HIST_LEN && cum + hist[bkt] <= ranks[j]) cum += hist[bkt++];
        if (bkt == MON_SELECT_HIST_LEN) return MON_E_STATE; /* counts total less than a rank */
        if (nreg == 0 || reg[nreg - 1u].bucket != bkt) {
            reg[nreg].bucket = bkt;
            reg[nreg].below = (uint32_t)cum;
            ++nreg;
        }
    }
    /* Lay the wanted buckets out contiguously after a dummy slot keys[0]. */
    {
        uint64_t pos = 1;
        for (j = 0; j < nreg; ++j) {
            reg[j].start = (uint32_t)pos;
            reg[j].fill = (uint32_t)pos;
            pos += hist[reg[j].bucket];
            if (pos > (uint64_t)n + 1u) return MON_E_STATE; /* more keys than x has */
        }
        reg[nreg].start = (uint32_t)pos;
    }
    /* Mark the wanted buckets with ids above n (counts are <= n), gather, then restore. */
    mark0 = (uint32_t)n + 1u; /* n <= MON_SELECT_MAX_N: mark0 + 512 < 2^32 */
    for (j = 0; j < nreg; ++j) hist[reg[j].bucket] = mark0 + (uint32_t)j;
    for (i = 0; i < n; ++i) {
        uint64_t k = key_at(x, i);
        uint32_t h = hist[k >> 48];
        if (h >= mark0) {
            sel_region *g;
            /* a count above n that is not one of our marks: hist was not a histogram of x */
            if (h - mark0 >= nreg || reg[h - mark0].bucket != (uint32_t)(k >> 48)) {
                st = MON_E_STATE;
                break;
            }
            g = &reg[h - mark0];
            if (g->fill == reg[h - mark0 + 1u].start) { /* more keys than the bucket's count */
                st = MON_E_STATE;
                break;
            }
            keys[g->fill++] = k;
        }
    }
    for (j = 0; j < nreg; ++j) {
        hist[reg[j].bucket] = reg[j + 1u].start - reg[j].start;
        if (reg[j].fill != reg[j + 1u].start) st = MON_E_STATE; /* fewer keys than counted */
    }
    if (st != MON_OK) return st; /* hist does not match x: out untouched */
    /* Select inside each region, with ranks relative to the region. */
    {
        size_t r = 0;
        j = 0;
        while (j < nranks) {
            uint32_t rel[MON_SELECT_MAX_RANKS], pos_rel[MON_SELECT_MAX_RANKS];
            uint32_t m = 0, len;
            size_t jj;
            unsigned depth = 0;
            while ((uint64_t)reg[r].below + (reg[r + 1u].start - reg[r].start) <= ranks[j]) ++r;
            len = reg[r + 1u].start - reg[r].start;
            for (jj = j; jj < nranks && ranks[jj] < (uint64_t)reg[r].below + len; ++jj)
                rel[m++] = (uint32_t)(ranks[jj] - reg[r].below);
            for (i = len; i > 0; i >>= 1) depth += 2u;
            for (jj = 0; jj < m; ++jj) pos_rel[jj] = rel[jj];
            select_multi(keys + reg[r].start, len, rel, m, depth);
            for (jj = 0; jj < m; ++jj)
                out[j + jj] = double_of_key(keys[reg[r].start + pos_rel[jj]]);
            j += m;
        }
    }
    return MON_OK;
}
