/*
 * mon_select.c - exact order-statistic selection of doubles (see mon_select.h).
 */
#include <string.h>

#include "mon_bits_internal.h"
#include "mon_select.h"

/*
 * Order statistics. Each double maps to an order-preserving unsigned key (sign-magnitude to
 * two's complement, then the sign bit flipped; -0.0 and +0.0 get the same key; every NaN gets
 * UINT64_MAX so NaN sorts last, like numpy). Phase 1 histograms the top 16 key bits; phase 2
 * finds the bucket of each wanted rank from the prefix sums, gathers only those buckets' keys
 * and runs a multi-rank introselect (3-way partition, heapsort fallback) inside them.
 */

static uint64_t key_of(double d)
{
    uint64_t u = double_to_bits(d);
    uint64_t mag = u & BITS_MAG;
    uint64_t neg = 0u - (u >> 63);                  /* all ones when the sign bit is set */
    uint64_t nan = 0u - (uint64_t)(mag > BITS_INF); /* all ones for NaN */
    uint64_t k = ((mag ^ neg) - neg) ^ BITS_SIGN;   /* -mag for negatives, modulo 2^64 */
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
    if (n == 0 || (uint64_t)n > (uint64_t)UINT32_MAX - 1u) return MON_E_SIZE;
    memset(hist, 0, MON_SELECT_HIST_LEN * sizeof(uint32_t));
    for (i = 0; i < n; ++i) {
        uint64_t k = key_of(x[i]);
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

/* Place the keys of ranks[0..nr) (positions relative to a, non-decreasing, < n) at their
 * sorted positions; ranks is scratch (rewritten). depth bounds the partition levels before the
 * heapsort fallback, so the worst case is O(n log n). */
static void select_multi(uint64_t *a, size_t n, uint64_t *ranks, size_t nr, unsigned depth)
{
    while (nr > 0 && n > 1) {
        size_t lt, gt, i, nl, ne;
        uint64_t p;
        if (n <= 24u) {
            insertion_sort(a, n);
            return;
        }
        if (depth == 0) {
            heap_sort(a, n);
            return;
        }
        --depth;
        p = median3(a[0], a[n / 2u], a[n - 1u]);
        /* 3-way partition: [0, lt) < p, [lt, gt) == p, [gt, n) > p. Ties collapse at once. */
        lt = 0;
        gt = n;
        i = 0;
        while (i < gt) {
            if (a[i] < p)
                swap_u64(&a[lt++], &a[i++]);
            else if (a[i] > p)
                swap_u64(&a[i], &a[--gt]);
            else
                ++i;
        }
        for (nl = 0; nl < nr && ranks[nl] < lt; ++nl) {
        }
        for (ne = nl; ne < nr && ranks[ne] < gt; ++ne) {
        }
        /* Ranks in [lt, gt) are already in place. Recurse on the left, loop on the right. */
        if (nl > 0) select_multi(a, lt, ranks, nl, depth);
        for (i = ne; i < nr; ++i) ranks[i] -= gt;
        a += gt;
        n -= gt;
        ranks += ne;
        nr -= ne;
    }
}

mon_status mon_select_ranks(const double *x, size_t n, uint32_t *hist, const uint64_t *ranks,
                            size_t nranks, uint64_t *keys, double *out)
{
    /* Per wanted bucket: its first key index in keys[] (1-based region ids in hist). */
    size_t region_start[MON_SELECT_MAX_RANKS + 1];
    size_t region_fill[MON_SELECT_MAX_RANKS + 1];
    uint32_t region_bucket[MON_SELECT_MAX_RANKS + 1];
    uint64_t region_below[MON_SELECT_MAX_RANKS + 1]; /* keys in buckets before this one */
    size_t nreg = 0, j, i;
    uint64_t cum = 0;
    uint32_t bkt = 0;
    if (x == NULL || hist == NULL || ranks == NULL || keys == NULL || out == NULL)
        return MON_E_NULL;
    if (n == 0 || (uint64_t)n > (uint64_t)UINT32_MAX - 1u) return MON_E_SIZE;
    if (nranks == 0 || nranks > MON_SELECT_MAX_RANKS) return MON_E_VALUE;
    for (j = 0; j < nranks; ++j) {
        if (ranks[j] >= (uint64_t)n || (j > 0 && ranks[j] < ranks[j - 1u])) return MON_E_VALUE;
    }
    /* Walk the buckets once, in rank order, recording the bucket that holds each rank. */
    for (j = 0; j < nranks; ++j) {
        while (cum + hist[bkt] <= ranks[j]) cum += hist[bkt++];
        if (nreg == 0 || region_bucket[nreg - 1u] != bkt) {
            region_bucket[nreg] = bkt;
            region_below[nreg] = cum;
            ++nreg;
        }
    }
    /* Lay the wanted buckets out contiguously after a dummy slot keys[0]. */
    {
        size_t pos = 1;
        for (j = 0; j < nreg; ++j) {
            region_start[j] = pos;
            region_fill[j] = pos;
            pos += hist[region_bucket[j]];
        }
    }
    memset(hist, 0, MON_SELECT_HIST_LEN * sizeof(uint32_t));
    for (j = 0; j < nreg; ++j) hist[region_bucket[j]] = (uint32_t)(j + 1u);
    /* Gather: hist now maps a bucket to its region id (0 = not wanted). */
    for (i = 0; i < n; ++i) {
        uint64_t k = key_of(x[i]);
        uint32_t r = hist[k >> 48];
        if (r != 0) keys[region_fill[r - 1u]++] = k;
    }
    /* Select inside each region, with ranks relative to the region. */
    {
        size_t r = 0;
        j = 0;
        while (j < nranks) {
            uint64_t rel[MON_SELECT_MAX_RANKS], pos_rel[MON_SELECT_MAX_RANKS];
            size_t m = 0, len, jj;
            unsigned depth = 0;
            while (region_below[r] + (region_fill[r] - region_start[r]) <= ranks[j]) ++r;
            len = region_fill[r] - region_start[r];
            for (jj = j; jj < nranks && ranks[jj] < region_below[r] + len; ++jj)
                rel[m++] = ranks[jj] - region_below[r];
            for (i = len; i > 0; i >>= 1) depth += 2u;
            for (jj = 0; jj < m; ++jj) pos_rel[jj] = rel[jj];
            select_multi(keys + region_start[r], len, rel, m, depth);
            for (jj = 0; jj < m; ++jj)
                out[j + jj] = double_of_key(keys[region_start[r] + pos_rel[jj]]);
            j += m;
        }
    }
    return MON_OK;
}
