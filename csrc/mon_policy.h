/*
 * mon_policy.h - the compiled safety policy: a versioned little-endian blob that fills a
 * mon_monitor_config on a device with no TOML or JSON parser. The host compiles it from the
 * policy file (monitor.policy.compile_policy; schema and layout in docs/safety.md):
 *
 *   offset size  field
 *        0    4  magic "MPOL"
 *        4    2  version (MON_POLICY_VERSION)
 *        6    2  reserved, 0
 *        8    4  total length in bytes, CRC included
 *       12   32  policy hash: SHA-256 of the policy's RFC 8785 canonical JSON
 *       44    4  n_features, n_outputs, n_layers, confidence_index (u32 each, to 60)
 *       60   16  confidence lo, hi (binary64 bits)
 *       76    8  max_latency_ns
 *       84    9  reaction per violation kind (u8), then 3 zero bytes
 *       96   36  degrade_budget[9] (u32); 132 36 fault_budget[9]
 *      168   16  budget_steps, budget_ticks (u64)
 *      184   24  recover_windows, stop_after_windows, reset_from, drift_mode, drift_metric,
 *                drift_slots (u32)
 *      208   24  drift_slot_width, drift_threshold, drift_min_count (u64)
 *      232    8  n_rules (u32), 0 (u32)
 *      240       features: n_features x 32 bytes (lo, hi, nan_fill binary64, nan_policy u32,
 *                0 u32); outputs: n_outputs x 16 (lo, hi); layers: n_layers x 24
 *                (max_overrange binary64, max_saturated u64, max_rate_ppm u32, 0 u32); rules:
 *                n_rules x 72 (kind, op u32; threshold, clear_threshold binary64; has_clear,
 *                no_data u32; for_ticks, keep_firing_for_ticks, window_ticks u64; resolution,
 *                relative, signal, action u32)
 *      end-4  4  CRC-32C of every byte before it (mon_hist_crc32c)
 *
 * Decoding checks the magic, version, length, CRC and then every value as
 * mon_monitor_check_config does (the drift bindings excepted: a feature's edges and reference
 * counts come from the reference, not the policy; the caller sets nedges / edges / reference
 * of each feature before mon_monitor_init). Bounds: one loop over n_features, n_outputs and
 * n_layers and n_rules entries each (<= MON_MONITOR_MAX_*), one CRC pass over len bytes. Pure; thread-safe.
 */
#ifndef MON_POLICY_H
#define MON_POLICY_H

#include "mon_config.h"
#include "mon_monitor.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
#define MON_POLICY_VERSION 1
#define MON_POLICY_HEADER_BYTES 240
#define MON_POLICY_FEATURE_BYTES 32
#define MON_POLICY_OUTPUT_BYTES 16
#define MON_POLICY_LAYER_BYTES 24
#define MON_POLICY_RULE_BYTES 72

/* The counts a blob declares (after the magic, version, length and CRC checks), so that the
 * caller can provide arrays. Any output may be NULL. Returns MON_E_NULL (blob), MON_E_TRUNCATED
 * (len below the header or below the declared length), MON_E_FORMAT (magic, version, reserved,
 * declared length not matching the counts or len), MON_E_CHECKSUM. */
mon_status mon_policy_peek(const uint8_t *blob, size_t len, uint32_t *n_features,
                           uint32_t *n_outputs, uint32_t *n_layers, uint32_t *n_rules);

/* Decode a blob into *cfg, whose features / outputs / layers point to the caller's arrays
 * (max_* entries each; cfg keeps pointing to them; rules may be NULL when max_rules is 0). policy_hash (32 bytes, may be NULL) gets
 * the policy's canonical hash. Statuses as mon_policy_peek, plus MON_E_NULL (cfg, or an array
 * a count needs), MON_E_ALIGN, MON_E_SIZE (an array too small), MON_E_CONFIG and MON_E_VALUE
 * (a value mon_monitor_check_config refuses; the drift bindings are not checked here). On failure *cfg and policy_hash are not written
 * (the arrays may be). */
mon_status mon_policy_decode(const uint8_t *blob, size_t len, mon_monitor_feature *features,
                             uint32_t max_features, mon_monitor_range *outputs,
                             uint32_t max_outputs, mon_monitor_layer *layers, uint32_t max_layers,
                             mon_monitor_rule *rules, uint32_t max_rules, mon_monitor_config *cfg,
                             uint8_t *policy_hash);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_POLICY_H */
