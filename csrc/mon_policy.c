/*
 * mon_policy.c - decoder of the compiled safety policy (layout: mon_policy.h).
 */
#include <string.h>

#include "mon_align_internal.h"
#include "mon_bits_internal.h"
#include "mon_hist.h"
#include "mon_policy.h"

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | ((uint64_t)get_u32(p + 4) << 32);
}

static double get_f64(const uint8_t *p) { return bits_to_double(get_u64(p)); }

typedef struct counts {
    uint32_t nf, no, nl, nr;
} counts;

static mon_status peek(const uint8_t *blob, size_t len, counts *n)
{
    uint32_t total;
    uint64_t want;
    if (blob == NULL) return MON_E_NULL;
    if (len < (size_t)MON_POLICY_HEADER_BYTES + 4u) return MON_E_TRUNCATED;
    if (memcmp(blob, "MPOL", 4) != 0 || (blob[4] | (blob[5] << 8)) != MON_POLICY_VERSION ||
        blob[6] != 0u || blob[7] != 0u) {
        return MON_E_FORMAT;
    }
    total = get_u32(blob + 8);
    if (len < total) return MON_E_TRUNCATED;
    if (total != len) return MON_E_FORMAT;
    n->nf = get_u32(blob + 44);
    n->no = get_u32(blob + 48);
    n->nl = get_u32(blob + 52);
    n->nr = get_u32(blob + 232);
    if (n->nf > MON_MONITOR_MAX_FEATURES || n->no > MON_MONITOR_MAX_OUTPUTS ||
        n->nl > MON_MONITOR_MAX_LAYERS || n->nr > MON_MONITOR_MAX_RULES ||
        get_u32(blob + 236) != 0u) {
        return MON_E_FORMAT;
    }
    want = (uint64_t)MON_POLICY_HEADER_BYTES + (uint64_t)n->nf * MON_POLICY_FEATURE_BYTES +
           (uint64_t)n->no * MON_POLICY_OUTPUT_BYTES + (uint64_t)n->nl * MON_POLICY_LAYER_BYTES +
           (uint64_t)n->nr * MON_POLICY_RULE_BYTES + 4u;
    if (want != total) return MON_E_FORMAT;
    if (mon_hist_crc32c(blob, len - 4u) != get_u32(blob + len - 4u)) return MON_E_CHECKSUM;
    return MON_OK;
}

mon_status mon_policy_peek(const uint8_t *blob, size_t len, uint32_t *n_features,
                           uint32_t *n_outputs, uint32_t *n_layers, uint32_t *n_rules)
{
    counts n = {0u, 0u, 0u, 0u};
    mon_status st = peek(blob, len, &n);
    if (st != MON_OK) return st;
    if (n_features != NULL) *n_features = n.nf;
    if (n_outputs != NULL) *n_outputs = n.no;
    if (n_layers != NULL) *n_layers = n.nl;
    if (n_rules != NULL) *n_rules = n.nr;
    return MON_OK;
}

static void decode_rule(const uint8_t *p, mon_monitor_rule *r)
{
    memset(r, 0, sizeof *r);
    r->rule.kind = get_u32(p);
    r->rule.op = get_u32(p + 4);
    r->rule.threshold = get_f64(p + 8);
    r->rule.clear_threshold = get_f64(p + 16);
    r->rule.has_clear = get_u32(p + 24);
    r->rule.no_data = get_u32(p + 28);
    r->rule.for_ticks = get_u64(p + 32);
    r->rule.keep_firing_for_ticks = get_u64(p + 40);
    r->rule.window_ticks = get_u64(p + 48);
    r->rule.resolution = get_u32(p + 56);
    r->rule.relative = get_u32(p + 60);
    r->signal = get_u32(p + 64);
    r->action = get_u32(p + 68);
}

mon_status mon_policy_decode(const uint8_t *blob, size_t len, mon_monitor_feature *features,
                             uint32_t max_features, mon_monitor_range *outputs,
                             uint32_t max_outputs, mon_monitor_layer *layers, uint32_t max_layers,
                             mon_monitor_rule *rules, uint32_t max_rules, mon_monitor_config *cfg,
                             uint8_t *policy_hash)
{
    mon_monitor_config c;
    counts n = {0u, 0u, 0u, 0u};
    uint32_t i, drift_mode;
    const uint8_t *p;
    mon_status st = peek(blob, len, &n);
    if (st != MON_OK) return st;
    if (cfg == NULL || features == NULL || (n.no > 0u && outputs == NULL) ||
        (n.nl > 0u && layers == NULL) || (n.nr > 0u && rules == NULL)) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(cfg) || !MON_ALIGNED_U64(features) ||
        (outputs != NULL && !MON_ALIGNED_F64(outputs)) ||
        (layers != NULL && !MON_ALIGNED_U64(layers)) ||
        (rules != NULL && !MON_ALIGNED_U64(rules))) {
        return MON_E_ALIGN;
    }
    if (n.nf > max_features || n.no > max_outputs || n.nl > max_layers || n.nr > max_rules) {
        return MON_E_SIZE;
    }
    memset(&c, 0, sizeof c);
    c.n_features = n.nf;
    c.n_outputs = n.no;
    c.n_layers = n.nl;
    c.n_rules = n.nr;
    c.confidence_index = get_u32(blob + 56);
    c.confidence.lo = get_f64(blob + 60);
    c.confidence.hi = get_f64(blob + 68);
    c.max_latency_ns = get_u64(blob + 76);
    for (i = 0; i < (uint32_t)MON_VIOL_COUNT; ++i) {
        c.reaction[i] = blob[84u + i];
        c.degrade_budget[i] = get_u32(blob + 96u + 4u * i);
        c.fault_budget[i] = get_u32(blob + 132u + 4u * i);
    }
    c.reserved0[0] = blob[93];
    c.reserved0[1] = blob[94];
    c.reserved0[2] = blob[95];
    c.budget_steps = get_u64(blob + 168);
    c.budget_ticks = get_u64(blob + 176);
    c.recover_windows = get_u32(blob + 184);
    c.stop_after_windows = get_u32(blob + 188);
    c.reset_from = get_u32(blob + 192);
    drift_mode = get_u32(blob + 196);
    c.drift_metric = get_u32(blob + 200);
    c.drift_slots = get_u32(blob + 204);
    c.drift_slot_width = get_u64(blob + 208);
    c.drift_threshold = get_u64(blob + 216);
    c.drift_min_count = get_u64(blob + 224);
    /* The drift fields on their own (the features' bindings come later, from the reference). */
    if (drift_mode > (uint32_t)MON_DRIFT_BY_TICK || c.drift_metric > (uint32_t)MON_METRIC_TV ||
        (drift_mode != (uint32_t)MON_DRIFT_OFF &&
         (c.drift_slots == 0u || c.drift_slots > MON_MONITOR_MAX_DRIFT_SLOTS ||
          c.drift_slot_width == 0u || c.drift_min_count == 0u))) {
        return MON_E_CONFIG;
    }
    p = blob + MON_POLICY_HEADER_BYTES;
    for (i = 0; i < n.nf; ++i, p += MON_POLICY_FEATURE_BYTES) {
        mon_monitor_feature f0;
        memset(&f0, 0, sizeof f0);
        f0.lo = get_f64(p);
        f0.hi = get_f64(p + 8);
        f0.nan_fill = get_f64(p + 16);
        f0.nan_policy = get_u32(p + 24);
        if (get_u32(p + 28) != 0u) return MON_E_FORMAT;
        features[i] = f0;
    }
    for (i = 0; i < n.no; ++i, p += MON_POLICY_OUTPUT_BYTES) {
        outputs[i].lo = get_f64(p);
        outputs[i].hi = get_f64(p + 8);
    }
    for (i = 0; i < n.nl; ++i, p += MON_POLICY_LAYER_BYTES) {
        layers[i].max_overrange = get_f64(p);
        layers[i].max_saturated = get_u64(p + 8);
        layers[i].max_rate_ppm = get_u32(p + 16);
        layers[i].reserved = get_u32(p + 20);
    }
    for (i = 0; i < n.nr; ++i, p += MON_POLICY_RULE_BYTES) decode_rule(p, &rules[i]);
    c.features = features;
    c.outputs = (n.no > 0u) ? outputs : NULL;
    c.layers = (n.nl > 0u) ? layers : NULL;
    c.rules = (n.nr > 0u) ? rules : NULL;
    c.drift_mode = (uint32_t)MON_DRIFT_OFF; /* checked above; bindings not yet there */
    st = mon_monitor_check_config(&c);
    if (st != MON_OK) return st;
    c.drift_mode = drift_mode;
    if (policy_hash != NULL) memcpy(policy_hash, blob + 12, 32);
    *cfg = c;
    return MON_OK;
}
