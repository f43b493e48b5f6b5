/*
 * mon_select.h - exact order-statistic selection of doubles: the quantile step of fitting
 * quantile edges (monitor.binning), without sorting the data or allocating.
 *
 * Each double maps to an order-preserving integer key (the same idea as mon_bin.h's binning):
 * integer operations only, no libm, no allocation. NaN sorts after +inf; -0.0 equals +0.0.
 */
#ifndef MON_SELECT_H
#define MON_SELECT_H

#include "mon_config.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
/* Number of uint32 counters in the scratch histogram of the order-statistic selection. */
#define MON_SELECT_HIST_LEN 65536
/* Largest number of ranks one mon_select_ranks call selects. */
#define MON_SELECT_MAX_RANKS 512

/* Order statistics, phase 1: build the radix histogram of x (n values, n < 2^32) into `hist`
 * (MON_SELECT_HIST_LEN uint32, caller scratch) and write the number of NaN values to
 * *nan_count. NaN values sort after +inf; -0.0 equals +0.0. Returns MON_E_NULL, MON_E_SIZE
 * (n == 0 or n >= 2^32). Nothing is kept; thread-safe for distinct hist buffers. */
mon_status mon_select_prepare(const double *x, size_t n, uint32_t *hist, uint64_t *nan_count);

/* Order statistics, phase 2: out[j] = the ranks[j]-th smallest value of x (0-based; the same
 * x and hist as phase 1, hist unchanged since). `ranks` (nranks <= MON_SELECT_MAX_RANKS
 * values < n) must be non-decreasing. `keys` is caller scratch of n + 1 uint64. The result is
 * exact (a selected element of x; a zero is returned as +0.0, a NaN as the canonical quiet NaN).
 * Expected O(n) time, O(n log n) worst case; about 22 KiB of stack. hist is overwritten.
 * Returns MON_E_NULL,
 * MON_E_SIZE, MON_E_VALUE (a rank >= n, ranks decreasing, or nranks out of range). x is
 * only read; thread-safe for distinct hist/keys/out buffers. */
mon_status mon_select_ranks(const double *x, size_t n, uint32_t *hist, const uint64_t *ranks,
                            size_t nranks, uint64_t *keys, double *out);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_SELECT_H */
