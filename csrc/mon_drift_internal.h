/* mon_drift_internal.h - what the drift files share: the generated constant tables of the
 * fixed-point log2 and the series (mon_drift_tables.c, written by tools/gen/gen_drift_tables.py),
 * the JS accumulator's format, and the JS fixed-point finish (mon_drift_fp.c) that mon_drift.c
 * calls. Not part of the public API. */
#ifndef MON_DRIFT_INTERNAL_H
#define MON_DRIFT_INTERNAL_H

#include "mon_config.h"
#include "mon_drift.h"

#define MON_DRIFT_LOG_TABLE_BITS 8
#define MON_DRIFT_LOG_NTERMS 8
#define MON_DRIFT_SERIES_NTERMS 16
#define MON_DRIFT_JS_SERIES_SHIFT 2
/* series groups of z^4, z^8 skipped below 2^SKIP_BITS (exactly 0; bound checked by the generator) */
#define MON_DRIFT_SERIES_SKIP_BITS 7

extern const uint64_t mon_drift_log_r[1 << MON_DRIFT_LOG_TABLE_BITS];
extern const uint64_t mon_drift_log_t[1 << MON_DRIFT_LOG_TABLE_BITS];
extern const uint64_t mon_drift_log_c[MON_DRIFT_LOG_NTERMS];
extern const uint64_t mon_drift_js_g[MON_DRIFT_SERIES_NTERMS];
extern const uint64_t mon_drift_psi_h[MON_DRIFT_SERIES_NTERMS];
extern const uint64_t mon_drift_ln2;
/* Horner term counts of the 64-bit pass by bit length of z (mon_drift_series.c; generated) */
extern const unsigned char mon_drift_js_k[65];
extern const unsigned char mon_drift_psi_k[65];

/* Per-bin work is inlined into the loops (mon_drift.c, mon_drift_series.c): a call and its
 * 128-bit arguments cost ~8-10% of the per-bin instructions otherwise. Not when optimising for
 * size (-Os, the bare-metal builds): forced inlining there makes the units ~4x larger (43 KB
 * instead of ~11 KB on Cortex-M4); the compiler chooses instead. Inlining changes no result
 * (integer arithmetic; -ffp-contract=off). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(__OPTIMIZE_SIZE__)
#define MON_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define MON_ALWAYS_INLINE inline
#endif

/* The JS and series accumulators count in 2^-(128 + MON_DRIFT_ACC_EXTRA) units over MON_DRIFT_ACC_LIMBS limbs:
 * fine enough that no series term is ever truncated (a term is >= 2^-107 count-bits and its
 * mantissa has 128 bits), so scaling both vectors by a power of two scales every term exactly
 * and leaves the raw JS (and floor PSI) bit-identical. Range: sum of terms < 2^108 -> < 2^348. */
#define MON_DRIFT_ACC_EXTRA 112
#define MON_DRIFT_ACC_LIMBS 6

/* js = JS and dist = sqrt(JS) as binary floating values (mon_drift.h) from the JS accumulator
 * acc, D = N_P N_Q (dd) and the rounded, clamped js_raw (mon_drift_fp.c). */
void mon_drift_js_fp_finish(const uint64_t acc[MON_DRIFT_ACC_LIMBS], mon_u128 dd, mon_u128 js_raw,
                            mon_drift_fp *js, mon_drift_fp *dist);

/* x * 2^e as a mon_drift_fp: mantissa truncated to 64 bits, or 0 (mon_drift_fp.c). */
mon_drift_fp mon_drift_fp_from(mon_u128 x, int32_t e);

/* floor(sqrt(j)) to 63 bits, normalised (js_distance_fp from js_fp; mon_drift_fp.c). */
mon_drift_fp mon_drift_fp_sqrt(mon_drift_fp j);

/* What mon_drift_pass64 computes: TV and JS (tv_*, js_*), and Laplace PSI (psi_raw). */
#define MON_DRIFT_PART_TVJS 1u
#define MON_DRIFT_PART_PSI 2u

/* The 64-bit pass (mon_drift_series.c; golden version 2) on validated totals np, nq >= 1: the
 * parts of out named by parts (a non-zero OR of MON_DRIFT_PART_*), the others untouched.
 * TV and JS are computed on the counts >> shift (every count a multiple of 2^shift, with
 * (np >> shift)(nq >> shift) < 2^62), tv_num and tv_den given for the counts themselves; Laplace
 * PSI on the counts (np nq < 2^62, (np + nbins)(nq + nbins) < 2^62, shift 0 when both parts). */
void mon_drift_pass64(const uint64_t *p, const uint64_t *q, size_t nbins, uint64_t np, uint64_t nq,
                      unsigned shift, unsigned parts, mon_drift_result *out);

#endif /* MON_DRIFT_INTERNAL_H */
