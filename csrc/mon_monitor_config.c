/*
 * mon_monitor_config.c - the monitor's configuration check, its memory plan (mon_monitor_size)
 * and mon_monitor_init (model and bounds: mon_monitor.h; the object: mon_monitor_internal.h).
 * The step is in mon_monitor.c.
 */
#include <string.h>

#include "mon_align_internal.h"
#include "mon_drift.h"
#include "mon_monitor_internal.h"

/* ---- helpers ------------------------------------------------------------------------------ */

static int range_ok(double lo, double hi)
{
    return !is_nan(lo) && !is_nan(hi) && dkey(lo) <= dkey(hi);
}

/* ---- configuration ------------------------------------------------------------------------ */

static mon_status check_features(const mon_monitor_config *cfg)
{
    uint32_t f, i;
    for (f = 0; f < cfg->n_features; ++f) {
        const mon_monitor_feature *ft = &cfg->features[f];
        if (!range_ok(ft->lo, ft->hi) || is_nan(ft->nan_fill)) return MON_E_VALUE;
        if (ft->nan_policy > (uint32_t)MON_NAN_ALLOW) return MON_E_CONFIG;
        if (cfg->drift_mode == (uint32_t)MON_DRIFT_OFF) {
            if (ft->nedges != 0u) return MON_E_CONFIG;
            continue;
        }
        if (ft->nedges < 2u || ft->nedges > MON_MONITOR_MAX_BINS + 1u) return MON_E_CONFIG;
        if (ft->edges == NULL || ft->reference == NULL) return MON_E_NULL;
        if (!MON_ALIGNED_U64(ft->reference)) return MON_E_ALIGN;
        {
            uint64_t total = 0u;
            for (i = 0; i + 1u < ft->nedges; ++i) {
                uint64_t c = ft->reference[i];
                if (c > MON_DRIFT_MAX_TOTAL || total > MON_DRIFT_MAX_TOTAL - c) {
                    return MON_E_OVERFLOW;
                }
                total += c;
            }
            if (total == 0u) return MON_E_EMPTY;
        }
        for (i = 0; i < ft->nedges; ++i) {
            double e = load_f64(ft->edges, i);
            if (is_nan(e) || (i > 0u && dkey(load_f64(ft->edges, i - 1u)) >= dkey(e))) {
                return MON_E_EDGES;
            }
        }
    }
    return MON_OK;
}

mon_status mon_monitor_check_config(const mon_monitor_config *cfg)
{
    uint32_t k;
    if (cfg == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_U64(cfg)) return MON_E_ALIGN;
    if (cfg->n_features == 0u || cfg->n_features > MON_MONITOR_MAX_FEATURES ||
        cfg->n_outputs > MON_MONITOR_MAX_OUTPUTS || cfg->n_layers > MON_MONITOR_MAX_LAYERS) {
        return MON_E_CONFIG;
    }
    if (cfg->features == NULL || (cfg->n_outputs > 0u && cfg->outputs == NULL) ||
        (cfg->n_layers > 0u && cfg->layers == NULL)) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(cfg->features) ||
        (cfg->outputs != NULL && !MON_ALIGNED_F64(cfg->outputs)) ||
        (cfg->layers != NULL && !MON_ALIGNED_U64(cfg->layers))) {
        return MON_E_ALIGN;
    }
    if (cfg->confidence_index != MON_MONITOR_NO_INDEX && cfg->confidence_index >= cfg->n_outputs) {
        return MON_E_CONFIG;
    }
    for (k = 0; k < (uint32_t)MON_VIOL_COUNT; ++k) {
        if (cfg->reaction[k] >= (uint8_t)MON_REACT_COUNT) return MON_E_CONFIG;
        if (cfg->fault_budget[k] < cfg->degrade_budget[k]) return MON_E_CONFIG;
    }
    if (cfg->reserved0[0] != 0u || cfg->reserved0[1] != 0u || cfg->reserved0[2] != 0u) {
        return MON_E_CONFIG;
    }
    if (cfg->budget_steps == 0u && cfg->budget_ticks == 0u) return MON_E_CONFIG;
    if (cfg->reset_from >= (1u << (uint32_t)MON_HEALTH_COUNT)) return MON_E_CONFIG;
    if (cfg->drift_mode > (uint32_t)MON_DRIFT_BY_TICK ||
        cfg->drift_metric > (uint32_t)MON_METRIC_TV) {
        return MON_E_CONFIG;
    }
    if (cfg->drift_mode != (uint32_t)MON_DRIFT_OFF &&
        (cfg->drift_slots == 0u || cfg->drift_slots > MON_MONITOR_MAX_DRIFT_SLOTS ||
         cfg->drift_slot_width == 0u || cfg->drift_min_count == 0u)) {
        return MON_E_CONFIG;
    }
    if (cfg->n_rules > MON_MONITOR_MAX_RULES || cfg->reserved1 != 0u) return MON_E_CONFIG;
    if (cfg->n_rules > 0u) {
        if (cfg->rules == NULL) return MON_E_NULL;
        if (!MON_ALIGNED_U64(cfg->rules)) return MON_E_ALIGN;
        for (k = 0; k < cfg->n_rules; ++k) {
            const mon_monitor_rule *r = &cfg->rules[k];
            if (mon_rule_config_check(&r->rule, NULL) != MON_OK ||
                r->signal >= (uint32_t)MON_SIG_COUNT || r->action == (uint32_t)MON_HEALTH_INIT ||
                r->action >= (uint32_t)MON_HEALTH_COUNT) {
                return MON_E_CONFIG;
            }
        }
    }
    if (cfg->confidence_index != MON_MONITOR_NO_INDEX &&
        !range_ok(cfg->confidence.lo, cfg->confidence.hi)) {
        return MON_E_VALUE;
    }
    for (k = 0; k < cfg->n_outputs; ++k) {
        if (!range_ok(cfg->outputs[k].lo, cfg->outputs[k].hi)) return MON_E_VALUE;
    }
    for (k = 0; k < cfg->n_layers; ++k) {
        if (is_nan(cfg->layers[k].max_overrange) || cfg->layers[k].max_rate_ppm > 1000000u) {
            return MON_E_VALUE;
        }
        if (cfg->layers[k].reserved != 0u) return MON_E_CONFIG;
    }
    return check_features(cfg);
}

/* Layout of the object's memory; every part 8-byte aligned. */
typedef struct layout {
    size_t feats, outs, layers, rules, rstates, ref, slots, sum, wslots, clamp_in, clamp_out, stage,
        bptrs, extra, binners, total;
    uint64_t total_bins;
    uint32_t max_bins;
} layout;

static void plan(const mon_monitor_config *cfg, layout *l)
{
    uint32_t f, nslots = (cfg->drift_mode == (uint32_t)MON_DRIFT_OFF) ? 0u : cfg->drift_slots + 1u;
    size_t at = ALIGN8(sizeof(mon_monitor));
    l->total_bins = 0u;
    l->max_bins = 0u;
    for (f = 0; f < cfg->n_features; ++f) {
        uint32_t nb = (cfg->features[f].nedges > 0u) ? cfg->features[f].nedges - 1u : 0u;
        l->total_bins += nb;
        if (nb > l->max_bins) l->max_bins = nb;
    }
    l->feats = at;
    at += ALIGN8(sizeof(feat_rt) * cfg->n_features);
    l->outs = at;
    at += ALIGN8(sizeof(mon_monitor_range) * cfg->n_outputs);
    l->layers = at;
    at += ALIGN8(sizeof(mon_monitor_layer) * cfg->n_layers);
    l->rules = at;
    at += ALIGN8(sizeof(mon_monitor_rule) * cfg->n_rules);
    l->rstates = at;
    at += ALIGN8(sizeof(mon_rule_state) * cfg->n_rules);
    l->ref = at;
    at += (size_t)l->total_bins * 8u;
    l->slots = at;
    at += (size_t)l->total_bins * 8u * nslots;
    l->sum = at;
    at += (size_t)l->max_bins * 8u;
    l->wslots = at;
    at += sizeof(mon_window_slot) * nslots;
    l->clamp_in = at;
    at += 8u * cfg->n_features;
    l->clamp_out = at;
    at += 8u * cfg->n_outputs;
    l->stage = at;
    at += (nslots > 0u) ? 8u * STAGE_ROWS * cfg->n_features : 0u;
    l->bptrs = at;
    at += ALIGN8(sizeof(const mon_binner *) * cfg->n_features);
    l->extra = at;
    at += sizeof(mon_bin_extra) * cfg->n_features;
    l->binners = at;
    for (f = 0; f < cfg->n_features; ++f) {
        if (cfg->features[f].nedges > 0u) at += ALIGN8(mon_binner_size(cfg->features[f].nedges));
    }
    l->total = at;
}

size_t mon_monitor_size(const mon_monitor_config *cfg)
{
    layout l;
    if (mon_monitor_check_config(cfg) != MON_OK) return 0u;
    plan(cfg, &l);
    return l.total;
}

void mon_monitor_clear_windows(mon_monitor *m)
{
    uint32_t nslots = (m->cfg.drift_mode == (uint32_t)MON_DRIFT_OFF) ? 0u : m->cfg.drift_slots + 1u;
    memset(m->slots, 0, (size_t)m->total_bins * 8u * nslots);
    uint32_t r;
    mon_window_reset(m->wslots, nslots);
    for (r = 0; r < m->cfg.n_rules; ++r) (void)mon_rule_init(&m->rules[r].rule, &m->rstates[r]);
    m->rules_firing = 0u;
    m->rules_holding = 0u;
    memset(m->win_counts, 0, sizeof m->win_counts);
    m->step = 0u;
    m->have_tick = 0u;
    m->last_tick = 0u;
    m->win_start = 0u;
    m->win_steps = 0u;
    m->have_epoch = 0u;
    m->last_epoch = 0u;
    m->drift_score = 0u;
    m->drift_feature = 0u;
    m->drifting = 0u;
    m->stage_n = 0u;
    m->stage_slot = 0u;
    m->win_dirty = 0u;
    m->win_faults = 0u;
    m->clean_windows = 0u;
    m->faulted_windows = 0u;
}

mon_status mon_monitor_init(void *mem, size_t size, const mon_monitor_config *cfg,
                            mon_monitor **out)
{
    layout l;
    mon_monitor *m;
    unsigned char *base = (unsigned char *)mem;
    size_t boff;
    uint32_t f;
    mon_status st;
    if (mem == NULL || out == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(mem) || !MON_ALIGNED_PTR(out)) return MON_E_ALIGN;
    st = mon_monitor_check_config(cfg);
    if (st != MON_OK) return st;
    plan(cfg, &l);
    if (size < l.total) return MON_E_SIZE;
    memset(mem, 0, l.total);
    m = (mon_monitor *)mem;
    m->cfg = *cfg;
    m->size = l.total;
    m->total_bins = l.total_bins;
    m->max_bins = l.max_bins;
    m->feats = (feat_rt *)(void *)(base + l.feats);
    m->outs = (mon_monitor_range *)(void *)(base + l.outs);
    m->layers = (mon_monitor_layer *)(void *)(base + l.layers);
    m->rules = (mon_monitor_rule *)(void *)(base + l.rules);
    m->rstates = (mon_rule_state *)(void *)(base + l.rstates);
    if (cfg->n_rules > 0u) memcpy(m->rules, cfg->rules, sizeof(mon_monitor_rule) * cfg->n_rules);
    m->ref = (uint64_t *)(void *)(base + l.ref);
    m->slots = (uint64_t *)(void *)(base + l.slots);
    m->sum = (uint64_t *)(void *)(base + l.sum);
    m->wslots = (mon_window_slot *)(void *)(base + l.wslots);
    m->clamp_in = (double *)(void *)(base + l.clamp_in);
    m->clamp_out = (double *)(void *)(base + l.clamp_out);
    m->stage = (double *)(void *)(base + l.stage);
    m->binners = (const mon_binner **)(void *)(base + l.bptrs);
    m->extra = (mon_bin_extra *)(void *)(base + l.extra);
    if (cfg->n_outputs > 0u)
        memcpy(m->outs, cfg->outputs, sizeof(mon_monitor_range) * cfg->n_outputs);
    if (cfg->n_layers > 0u)
        memcpy(m->layers, cfg->layers, sizeof(mon_monitor_layer) * cfg->n_layers);
    boff = l.binners;
    {
        uint64_t off = 0u;
        for (f = 0; f < cfg->n_features; ++f) {
            const mon_monitor_feature *src = &cfg->features[f];
            feat_rt *d = &m->feats[f];
            d->lo = src->lo;
            d->hi = src->hi;
            d->lo_key = dkey(src->lo);
            d->hi_key = dkey(src->hi);
            d->nan_fill = src->nan_fill;
            d->nan_policy = src->nan_policy;
            d->offset = off;
            d->nbins = (src->nedges > 0u) ? src->nedges - 1u : 0u;
            d->binner = NULL;
            if (src->nedges > 0u) {
                mon_binner *b = NULL;
                size_t bs = mon_binner_size(src->nedges);
                st = mon_binner_init(base + boff, bs, src->edges, src->nedges, &b);
                if (st != MON_OK) {
                    memset(mem, 0, sizeof(mon_monitor));
                    return st;
                }
                d->binner = b;
                m->binners[f] = b;
                memcpy(m->ref + off, src->reference, 8u * d->nbins);
                boff += ALIGN8(bs);
            }
            off += d->nbins;
        }
    }
    m->cfg.features = NULL; /* the caller's arrays are not kept */
    m->cfg.outputs = m->outs;
    m->cfg.layers = m->layers;
    m->cfg.rules = m->rules;
    m->wcfg.slot_ticks = cfg->drift_slot_width;
    m->wcfg.start_tick = 0u;
    m->wcfg.slots = cfg->drift_slots + 1u;
    m->wcfg.flags = 0u;
    mon_monitor_clear_windows(m);
    m->ledger = NULL;
    m->state = (uint32_t)MON_HEALTH_INIT;
    m->self = m;
    m->magic = MONITOR_MAGIC;
    *out = m;
    return MON_OK;
}
