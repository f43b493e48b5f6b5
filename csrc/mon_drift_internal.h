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

#endif /* MON_DRIFT_INTERNAL_H */
