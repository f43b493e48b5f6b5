/*
 * mon_bin.h - histogram binning of doubles into fixed edges and categorical code counting.
 * (Exact order-statistic selection, the quantile step of fitting quantile edges: mon_select.h.)
 *
 * Binning rule (numpy.histogram's): with edges e_0 < e_1 < ... < e_B, a value x goes to bin i
 * when e_i <= x < e_{i+1}; the last bin also holds x == e_B. Edges of -inf / +inf are allowed.
 * NaN, values below e_0 and values above e_B are counted in their own counters (nan, below,
 * above), never dropped. -0.0 and +0.0 are the same value. Binning maps each double's bits to an
 * order-preserving integer key and compares keys: integer operations only (no floating-point
 * instruction at all), no allocation, no libm.
 *
 * Counts are uint64 and accumulate across calls; they saturate at UINT64_MAX (never wrap).
 *
 * Pointers. The values (x), edges and category codes may have any alignment (read with memcpy
 * loads: they come from the host's data). Binners, counts, extra counters, the binner pointer
 * array and *out must be aligned for their types, else MON_E_ALIGN. A binner is checked
 * before use (its header and the fixed entries of its table, so a corrupted bin count or
 * table size is seen before it indexes anything): MON_E_STATE.
 */
#ifndef MON_BIN_H
#define MON_BIN_H

#include "mon_config.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
/* Largest number of edges a binner accepts (so the bins number at most MON_BIN_MAX_EDGES - 1). */
#define MON_BIN_MAX_EDGES 1048576

/* A precomputed binner for one set of edges (caller-owned memory; see mon_binner_size). */
typedef struct mon_binner mon_binner;

/* Out-of-range counters of one binning call; they accumulate (saturating) like the counts. */
typedef struct mon_bin_extra {
    uint64_t nan;   /* NaN values */
    uint64_t below; /* values < e_0 (only when e_0 is finite) */
    uint64_t above; /* values > e_B (only when e_B is finite) */
} mon_bin_extra;

/* Bytes of caller memory a binner for `nedges` edges needs; 0 when nedges < 2 or
 * nedges > MON_BIN_MAX_EDGES. Thread-safe. */
size_t mon_binner_size(size_t nedges);

/* Build a binner in `buf` (`size` bytes, 8-byte aligned, at least mon_binner_size(nedges)).
 * `edges` (nedges values, not kept) must be strictly increasing and not NaN. On MON_OK
 * *out points into buf; the binner is read-only afterwards, so one binner may be used by many
 * threads at once. Returns MON_E_NULL, MON_E_SIZE (nedges out of range or buf too small),
 * MON_E_ALIGN (buf or out), MON_E_EDGES. */
mon_status mon_binner_init(void *buf, size_t size, const double *edges, size_t nedges,
                           mon_binner **out);

/* Number of bins (nedges - 1) of a binner, 0 when `b` is NULL, misaligned or not a valid
 * binner. */
size_t mon_binner_nbins(const mon_binner *b);

/* Count the n values of `x` into `counts` (mon_binner_nbins(b) entries) and `extra`; both
 * accumulate (add to what they hold) and saturate at UINT64_MAX. n may be 0 (x may then be
 * NULL). Returns MON_E_NULL, MON_E_ALIGN (b, counts or extra), MON_E_STATE (b not a valid
 * binner). Thread-safe for distinct counts/extra. */
mon_status mon_bin_count(const mon_binner *b, const double *x, size_t n, uint64_t *counts,
                         mon_bin_extra *extra);

/* Count an n x nfeat matrix of doubles stored row-major with `row_stride` doubles between the
 * starts of consecutive rows (row_stride >= nfeat); column f is binned by binners[f].
 * `counts` is the concatenation of every feature's counts (feature f starts after the bins of
 * features 0..f-1); extra[f] holds feature f's counters. Everything accumulates and
 * saturates. Rows are processed in cache-sized blocks so the matrix is read from memory once.
 * Returns MON_E_NULL, MON_E_ALIGN, MON_E_LENGTH (nfeat == 0 or row_stride < nfeat),
 * MON_E_STATE (then nothing was counted). Nothing is kept; thread-safe for distinct counts/extra. */
mon_status mon_bin_count_matrix(const mon_binner *const *binners, size_t nfeat, const double *x,
                                size_t nrows, size_t row_stride, uint64_t *counts,
                                mon_bin_extra *extra);

/* Count n int64 category codes: code c in [0, ncodes) adds 1 to counts[c]; any other code
 * (negative or >= ncodes) adds 1 to *unseen. Accumulates and saturates. Returns MON_E_NULL,
 * MON_E_ALIGN (counts or unseen), MON_E_LENGTH (ncodes == 0). Thread-safe for distinct counts/unseen. */
mon_status mon_bin_count_codes(const int64_t *codes, size_t n, uint64_t *counts, size_t ncodes,
                               uint64_t *unseen);

/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_BIN_H */
