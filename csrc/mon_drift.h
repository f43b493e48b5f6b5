/*
 * mon_drift.h - deterministic drift metrics between two count vectors: total variation (TV),
 * Jensen-Shannon divergence and distance (base 2), population stability index (PSI).
 *
 * Inputs: P (actual / current window) and Q (expected / reference), nbins >= 1 counts each;
 * p_b = P_b / N_P, q_b = Q_b / N_Q. Each total must satisfy 1 <= N <= 2^53.
 *
 * Every metric is computed with integer and fixed-point arithmetic only (no floating point, no
 * libm): results are raw fixed-point integers, identical on every platform, compiler and
 * optimisation level, with and without unsigned __int128. Raw formats:
 *   TV       : tv_raw = round(TV * 2^64) (ties up), and TV = tv_num / tv_den exactly with
 *              tv_num = sum_b |P_b N_Q - Q_b N_P|, tv_den = 2 N_P N_Q (not reduced).
 *   JS       : js_raw ~ JS * 2^126 (JS in bits, 0 <= js_raw <= 2^126); every bin's term is computed
 *              with relative error < 2^-55, so |js_raw 2^-126 - JS| < 2^-55 JS + 2^-127.
 *   JS dist  : js_distance_raw = nearest integer to sqrt(js_raw), i.e. sqrt(JS) in 2^-63 units;
 *              |error| < 2^-56 sqrt(JS) + 2^-63, also for near-identical inputs.
 *   PSI      : psi_raw ~ PSI * 2^64 (natural log), |error| < 2^-58 * max(1, PSI).
 * JS divergence and distance also come as binary floating values (mon_drift_fp: mant * 2^exp2,
 * mant in [2^63, 2^64), or mant 0 for exactly 0) with a *relative* error < 2^-54 however small
 * the value (js_raw's fixed step of 2^-126, and sqrt's 2^-63, are coarse next to JS ~ 1e-31 of
 * near-identical inputs; these are not):
 *   js_fp          : JS, from js_raw (truncated to 64 bits) when js_raw >= 2^64, else the
 *                    accumulated sum divided again at a finer scale (truncated to 64 bits);
 *   js_distance_fp : floor(sqrt) of js_fp's value to 63 bits, normalised to 64 bits.
 * (Derivations in docs/drift_metrics.md; measured errors are ~1e-19.)
 * Two passes compute these (golden vectors v2, docs/certification.md): TV, JS and Laplace PSI
 * come from a 64-bit pass (mon_drift_series.c: per series term a relative error < 2^-59.3)
 * when N_P N_Q < 2^62 and (N_P + B)(N_Q + B) < 2^62, for TV and JS on the counts divided by
 * their common power of two; floor PSI and larger totals from the wide pass (every series term
 * exact to its 128-bit mantissa). Both hold every bound above. The choice depends on the counts
 * only, so every entry point gives the same raw values for the same counts, and scaling both
 * vectors by a power of two leaves TV, JS and floor PSI bit-identical.
 * Identical inputs give exactly 0 for every metric; TV and JS are exactly symmetric.
 *
 * Thread-safety: every function here is pure (reads its inputs, writes its outputs only):
 * safe to call concurrently. No memory is allocated.
 */
#ifndef MON_DRIFT_H
#define MON_DRIFT_H

#include "mon_config.h"
#include "mon_status.h"
#include "mon_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
#define MON_DRIFT_TV_FRAC_BITS 64
#define MON_DRIFT_JS_FRAC_BITS 126
#define MON_DRIFT_JS_DISTANCE_FRAC_BITS 63
#define MON_DRIFT_PSI_FRAC_BITS 64
/* Largest supported total count per vector (2^53 = 9007199254740992). */
#define MON_DRIFT_MAX_TOTAL 9007199254740992
/* Largest supported nbins (2^60): beyond any addressable pair of uint64 arrays. */
#define MON_DRIFT_MAX_BINS 1152921504606846976
/* Default floor epsilon of the "floor" smoothing: 1e-4 = mantissa * 2^exp2 exactly as the
 * double 1e-4 (0x1.a36e2eb1c432dp-14). */
#define MON_DRIFT_FLOOR_EPS_DEFAULT_MANT 7378697629483821
#define MON_DRIFT_FLOOR_EPS_DEFAULT_EXP2 -66
/* Smallest accepted floor epsilon is 2^MON_DRIFT_FLOOR_EPS_MIN_EXP2. */
#define MON_DRIFT_FLOOR_EPS_MIN_EXP2 -64

typedef enum mon_psi_smoothing {
    /* p~_b = (P_b + 1) / (N_P + B), q~_b likewise (the article's convention; the default) */
    MON_PSI_LAPLACE = 0,
    /* p~_b = max(p_b, eps), q~_b = max(q_b, eps), no renormalisation */
    MON_PSI_FLOOR = 1
} mon_psi_smoothing;

/* PSI options. eps = eps_mant * 2^eps_exp2 exactly (used by MON_PSI_FLOOR only); it must
 * satisfy 2^MON_DRIFT_FLOOR_EPS_MIN_EXP2 <= eps < 1, else MON_E_VALUE. */
typedef struct mon_psi_options {
    uint32_t smoothing; /* a mon_psi_smoothing value */
    uint64_t eps_mant;
    int32_t eps_exp2;
} mon_psi_options;

/* All metrics of one pair of count vectors (see the raw formats above). */
/* A non-negative binary floating value mant * 2^exp2; mant is 0 (value 0) or in [2^63, 2^64). */
typedef struct mon_drift_fp {
    uint64_t mant;
    int32_t exp2;
} mon_drift_fp;

typedef struct mon_drift_result {
    mon_u128 tv_raw;
    mon_u128 tv_num;
    mon_u128 tv_den;
    mon_u128 js_raw;
    uint64_t js_distance_raw;
    mon_u128 psi_raw;
    uint64_t total_actual;       /* N_P */
    uint64_t total_expected;     /* N_Q */
    mon_drift_fp js_fp;          /* JS (bits), relative error < 2^-54 */
    mon_drift_fp js_distance_fp; /* sqrt(JS), relative error < 2^-54 */
} mon_drift_result;

/* Total variation distance between p (actual) and q (expected).
 * raw: round(TV * 2^64); num/den: TV = num / den exactly (den = 2 N_P N_Q). Any output pointer
 * may be NULL when not wanted; p and q may not.
 * Returns MON_OK; MON_E_NULL (p or q NULL), MON_E_ALIGN (p, q or an output not aligned for
 * uint64_t: count vectors and outputs are refused, never read misaligned), MON_E_LENGTH
 * (nbins 0 or > MON_DRIFT_MAX_BINS), MON_E_EMPTY (a total is 0), MON_E_OVERFLOW (a total >
 * 2^53). Outputs untouched on error. */
mon_status mon_drift_tv(const uint64_t *p, const uint64_t *q, size_t nbins, mon_u128 *raw,
                        mon_u128 *num, mon_u128 *den);

/* Jensen-Shannon divergence (bits) in 2^-126 units and distance sqrt(JS) in 2^-63 units.
 * Either output may be NULL. Statuses as mon_drift_tv. */
mon_status mon_drift_js(const uint64_t *p, const uint64_t *q, size_t nbins, mon_u128 *js_raw,
                        uint64_t *distance_raw);

/* JS divergence and distance as mon_drift_fp (relative accuracy, see above); either output may be
 * NULL. Statuses as mon_drift_tv. */
mon_status mon_drift_js_fp(const uint64_t *p, const uint64_t *q, size_t nbins, mon_drift_fp *js,
                           mon_drift_fp *distance);

/* PSI(actual, expected) in nats, 2^-64 units. opt NULL means Laplace smoothing.
 * Statuses as mon_drift_tv, plus MON_E_VALUE for an unknown smoothing or a bad epsilon. */
mon_status mon_drift_psi(const uint64_t *actual, const uint64_t *expected, size_t nbins,
                         const mon_psi_options *opt, mon_u128 *psi_raw);

/* TV, JS and PSI in one pass over the bins (shared validation and totals). out must not be
 * NULL. Statuses as mon_drift_psi; *out untouched on error. */
mon_status mon_drift_scores(const uint64_t *actual, const uint64_t *expected, size_t nbins,
                            const mon_psi_options *opt, mon_drift_result *out);

/* Per-bin PSI contributions (p~_b - q~_b) ln(p~_b / q~_b) >= 0, each in 2^-64 units and rounded
 * on its own (so their sum may differ from mon_drift_psi's psi_raw by up to nbins/2 units), for
 * diagnosing which bins drive the PSI. contrib_raw: caller-owned array of nbins entries, written
 * only on success. Statuses as mon_drift_psi (MON_E_NULL also for contrib_raw NULL). About one
 * division per bin: slower than mon_drift_psi; not for the hot path. */
mon_status mon_drift_psi_bins(const uint64_t *actual, const uint64_t *expected, size_t nbins,
                              const mon_psi_options *opt, mon_u128 *contrib_raw);

/* Fixed-point log2 of x >= 1 in 2^-64 units (integer part in hi, fraction in lo), absolute
 * error < 2^-62; x = 0 gives 0. Exposed for tests and for callers that precompute logs. */
mon_u128 mon_drift_log2_u64(uint64_t x);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_DRIFT_H */
