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
/* Largest n (values per selection): 2^32 - 1024, so counts and marks fit 32 bits. */
#define MON_SELECT_MAX_N 4294966272

/* Order statistics, phase 1: build the radix histogram of x (n values, any alignment) into
 * `hist` (MON_SELECT_HIST_LEN uint32, caller scratch, 4-byte aligned) and write the number of
 * NaN values to *nan_count. NaN values sort after +inf; -0.0 equals +0.0. Returns MON_E_NULL,
 * MON_E_ALIGN (hist or nan_count), MON_E_SIZE (n == 0 or n > MON_SELECT_MAX_N). Nothing is
 * kept; thread-safe for distinct hist buffers. */
mon_status mon_select_prepare(const double *x, size_t n, uint32_t *hist, uint64_t *nan_count);

/* Order statistics, phase 2: out[j] = the ranks[j]-th smallest value of x (0-based; the same
 * x and hist as phase 1). `ranks` (nranks <= MON_SELECT_MAX_RANKS values < n) must be
 * non-decreasing. `keys` is caller scratch of n + 1 uint64. The result is exact (a selected
 * element of x; a zero is returned as +0.0, a NaN as the canonical quiet NaN).
 * hist is used as scratch and restored before returning (also on error): any number of calls
 * may follow one mon_select_prepare, each giving the result of a fresh prepare. A hist that
 * is not the histogram of x is never read or written out of bounds, and is refused with
 * MON_E_STATE wherever it disagrees with x on what the selection uses (the counts total less
 * than a rank, or a wanted bucket's count differs from the number of values of x in it).
 * Expected O(n) time, O(n log n) worst case. No recursion: the introselect keeps an explicit
 * partition stack of at most 64 entries (16 bytes each), and the whole call uses a fixed
 * 13.5 KiB of stack (13,488 bytes with gcc -O2 on x86-64 and on Cortex-M4 -Os; 13,680 at -O0
 * x86-64; per-target figures: docs/certification.md). x may have any alignment; hist, ranks, keys
 * and out must be aligned for their types. Returns MON_E_NULL, MON_E_ALIGN, MON_E_SIZE,
 * MON_E_VALUE (a rank >= n, ranks decreasing, or nranks out of range), MON_E_STATE; out is
 * written only on success. x is only read; thread-safe for distinct hist/keys/out buffers. */
mon_status mon_select_ranks(const double *x, size_t n, uint32_t *hist, const uint64_t *ranks,
                            size_t nranks, uint64_t *keys, double *out);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_SELECT_H */
