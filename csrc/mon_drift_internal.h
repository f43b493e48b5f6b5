/* mon_drift_internal.h - generated constant tables of mon_drift.c (mon_drift_tables.c,
 * written by tools/gen/gen_drift_tables.py). Not part of the public API. */
#ifndef MON_DRIFT_INTERNAL_H
#define MON_DRIFT_INTERNAL_H

#include "mon_config.h"

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

#endif /* MON_DRIFT_INTERNAL_H */
