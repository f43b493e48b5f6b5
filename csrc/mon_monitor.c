/*
 * mon_monitor.c - the runtime monitor's step (model and bounds: mon_monitor.h). It composes
 * the existing units: mon_bin (binning), mon_drift (scores), the window slot ring
 * (mon_window_internal.h), mon_ledger (audit trail). The configuration check, the memory plan
 * and init are in mon_monitor_config.c; the object's layout in mon_monitor_internal.h.
 */
#include <string.h>

#include "mon_align_internal.h"
#include "mon_drift.h"
#include "mon_monitor_internal.h"

/* Causes of a state change (byte 2 of a STATE entry's payload; docs/safety.md). */
enum {
    CAUSE_START = 0,
    CAUSE_BUDGET_DEGRADE = 1,
    CAUSE_BUDGET_FAULT = 2,
    CAUSE_REACTION = 3,
    CAUSE_RECOVERED = 4,
    CAUSE_FAULTED_WINDOWS = 5,
    CAUSE_RULE = 6,
    CAUSE_RESET = 7
};

/* ---- helpers ------------------------------------------------------------------------------ */

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t sat_add32(uint32_t a, uint32_t b) { return (a > NO_LIMIT - b) ? NO_LIMIT : a + b; }

/* a * b > c * d for u64 a, c and u32 b, d, exactly (96-bit products as two halves). */
static int mul_gt(uint64_t a, uint32_t b, uint64_t c, uint32_t d)
{
    uint64_t ah = (a >> 32) * b, al = (a & 0xffffffffu) * b;
    uint64_t ch = (c >> 32) * d, cl = (c & 0xffffffffu) * d;
    uint64_t ahi = ah + (al >> 32), chi = ch + (cl >> 32);
    if (ahi != chi) return ahi > chi;
    return (al & 0xffffffffu) > (cl & 0xffffffffu);
}

static mon_status check(const mon_monitor *m)
{
    if (m == NULL) return MON_E_NULL;
    if (!MON_ALIGNED_OBJ(m)) return MON_E_ALIGN;
    if (m->magic != MONITOR_MAGIC || m->self != m || m->state >= (uint32_t)MON_HEALTH_COUNT ||
        m->cfg.n_features == 0u || m->cfg.n_features > MON_MONITOR_MAX_FEATURES ||
        m->cfg.n_outputs > MON_MONITOR_MAX_OUTPUTS || m->cfg.n_layers > MON_MONITOR_MAX_LAYERS ||
        m->cfg.drift_mode > (uint32_t)MON_DRIFT_BY_TICK || m->cfg.n_rules > MON_MONITOR_MAX_RULES ||
        (m->cfg.drift_mode != (uint32_t)MON_DRIFT_OFF &&
         m->cfg.drift_slots > MON_MONITOR_MAX_DRIFT_SLOTS) ||
        m->max_bins > MON_MONITOR_MAX_BINS) {
        return MON_E_STATE;
    }
    return MON_OK;
}

uint32_t mon_monitor_state(const mon_monitor *m)
{
    return (check(m) == MON_OK) ? m->state : (uint32_t)MON_HEALTH_COUNT;
}

mon_status mon_monitor_attach_ledger(mon_monitor *m, mon_ledger *ledger)
{
    mon_status st = check(m);
    if (st != MON_OK) return st;
    if (ledger != NULL) {
        mon_ledger_anchor a;
        st = mon_ledger_head(ledger, &a, NULL);
        if (st != MON_OK) return st;
    }
    m->ledger = ledger;
    return MON_OK;
}

/* ---- events ------------------------------------------------------------------------------- */

static void log_event(mon_monitor *m, mon_monitor_verdict *v, uint32_t kind, uint64_t tick,
                      const uint8_t *payload, size_t len)
{
    mon_status st;
    if (m->ledger == NULL) return;
    st = mon_ledger_append(m->ledger, kind, tick, payload, len);
    if (st == MON_OK || st == MON_E_TRUNCATED) {
        if (v != NULL) v->ledger_entries += 1u;
    }
    if (st != MON_OK && v != NULL && v->ledger_status == 0u) v->ledger_status = (uint32_t)st;
}

static void set_state(mon_monitor *m, mon_monitor_verdict *v, uint64_t tick, uint32_t to,
                      uint32_t cause, uint32_t kind)
{
    uint8_t p[16];
    if (m->state == to) return;
    memset(p, 0, sizeof p);
    p[0] = (uint8_t)m->state;
    p[1] = (uint8_t)to;
    p[2] = (uint8_t)cause;
    p[3] = (uint8_t)kind;
    put_u64(p + 8, m->step);
    if (to == (uint32_t)MON_HEALTH_DEGRADED) m->clean_windows = 0u;
    if (to == (uint32_t)MON_HEALTH_FAULTED) m->faulted_windows = 0u;
    m->state = to;
    log_event(m, v, (uint32_t)MON_LEDGER_STATE, tick, p, sizeof p);
}

/* Escalate (never lowers the state): HEALTHY -> DEGRADED, HEALTHY/DEGRADED -> FAULTED,
 * anything -> STOPPED. */
static void escalate(mon_monitor *m, mon_monitor_verdict *v, uint64_t tick, uint32_t to,
                     uint32_t cause, uint32_t kind)
{
    if (m->state == (uint32_t)MON_HEALTH_STOPPED || to <= m->state) return;
    set_state(m, v, tick, to, cause, kind);
}

/* Close the budget window: recovery and FAULTED -> STOPPED. */
static void close_window(mon_monitor *m, mon_monitor_verdict *v, uint64_t tick)
{
    /* A drift found at the last scoring lasts until a scoring finds none: its DEGRADE holds. */
    if (m->drifting > 0u && m->cfg.reaction[MON_VIOL_DRIFT] >= (uint8_t)MON_REACT_DEGRADE) {
        m->win_dirty = 1u;
    }
    if (m->rules_holding != 0u) m->win_dirty = 1u; /* a firing rule holds its state */
    if (m->state == (uint32_t)MON_HEALTH_DEGRADED) {
        m->clean_windows = (m->win_dirty != 0u) ? 0u : m->clean_windows + 1u;
        if (m->cfg.recover_windows > 0u && m->clean_windows >= m->cfg.recover_windows) {
            set_state(m, v, tick, (uint32_t)MON_HEALTH_HEALTHY, CAUSE_RECOVERED, 0u);
        }
    } else if (m->state == (uint32_t)MON_HEALTH_FAULTED) {
        m->faulted_windows += 1u;
        if (m->cfg.stop_after_windows > 0u && m->faulted_windows >= m->cfg.stop_after_windows) {
            set_state(m, v, tick, (uint32_t)MON_HEALTH_STOPPED, CAUSE_FAULTED_WINDOWS, 0u);
        }
    } else {
        /* HEALTHY, INIT, STOPPED: no window-end transition */
    }
    memset(m->win_counts, 0, sizeof m->win_counts);
    m->win_steps = 0u;
    m->win_start = tick;
    m->win_dirty = 0u;
    m->win_faults = 0u;
}

/* ---- envelopes ---------------------------------------------------------------------------- */

static void check_inputs(mon_monitor *m, const double *x, mon_monitor_verdict *v, uint32_t *first)
{
    uint32_t f;
    int clamp_range = m->cfg.reaction[MON_VIOL_INPUT_RANGE] >= (uint8_t)MON_REACT_CLAMP;
    int clamp_nan = m->cfg.reaction[MON_VIOL_INPUT_NAN] >= (uint8_t)MON_REACT_CLAMP;
    for (f = 0; f < m->cfg.n_features; ++f) {
        const feat_rt *ft = &m->feats[f];
        double d = load_f64(x, f);
        uint64_t b = double_to_bits(d);
        m->clamp_in[f] = d;
        if (is_nan_bits(b)) {
            if (ft->nan_policy == (uint32_t)MON_NAN_REJECT) {
                if (v->counts[MON_VIOL_INPUT_NAN] == 0u) first[MON_VIOL_INPUT_NAN] = f;
                v->counts[MON_VIOL_INPUT_NAN] += 1u;
                if (clamp_nan) {
                    m->clamp_in[f] = ft->nan_fill;
                    v->inputs_clamped += 1u;
                }
            }
            continue;
        }
        {
            uint64_t k = dkey(d);
            if (k < ft->lo_key || k > ft->hi_key) {
                if (v->counts[MON_VIOL_INPUT_RANGE] == 0u) first[MON_VIOL_INPUT_RANGE] = f;
                v->counts[MON_VIOL_INPUT_RANGE] += 1u;
                if (clamp_range) {
                    m->clamp_in[f] = (k < ft->lo_key) ? ft->lo : ft->hi;
                    v->inputs_clamped += 1u;
                }
            }
        }
    }
}

/* Output or confidence value i against r: 1 when it violates (and *fixed is its clamp). */
static int out_bad(double d, const mon_monitor_range *r, double *fixed)
{
    uint64_t k;
    if (is_nan(d)) {
        *fixed = r->lo;
        return 1;
    }
    k = dkey(d);
    if (k < dkey(r->lo)) {
        *fixed = r->lo;
        return 1;
    }
    if (k > dkey(r->hi)) {
        *fixed = r->hi;
        return 1;
    }
    return 0;
}

static void check_outputs(mon_monitor *m, const double *y, mon_monitor_verdict *v, uint32_t *first)
{
    uint32_t i;
    int clamp_out = m->cfg.reaction[MON_VIOL_OUTPUT] >= (uint8_t)MON_REACT_CLAMP;
    int clamp_conf = m->cfg.reaction[MON_VIOL_CONFIDENCE] >= (uint8_t)MON_REACT_CLAMP;
    for (i = 0; i < m->cfg.n_outputs; ++i) {
        double d = load_f64(y, i), fixed = d;
        int changed = 0;
        if (out_bad(d, &m->outs[i], &fixed)) {
            if (v->counts[MON_VIOL_OUTPUT] == 0u) first[MON_VIOL_OUTPUT] = i;
            v->counts[MON_VIOL_OUTPUT] += 1u;
            if (clamp_out)
                changed = 1;
            else
                fixed = d;
        }
        if (i == m->cfg.confidence_index) {
            double c = changed ? fixed : d, cfix = c;
            if (out_bad(c, &m->cfg.confidence, &cfix)) {
                first[MON_VIOL_CONFIDENCE] = i;
                v->counts[MON_VIOL_CONFIDENCE] += 1u;
                if (clamp_conf) {
                    fixed = cfix;
                    changed = 1;
                }
            }
        }
        m->clamp_out[i] = changed ? fixed : d;
        if (changed) v->outputs_clamped += 1u;
    }
}

static void check_layers(mon_monitor *m, const mon_activation_stats *a, mon_monitor_verdict *v,
                         uint32_t *first)
{
    uint32_t i;
    for (i = 0; i < m->cfg.n_layers; ++i) {
        const mon_monitor_layer *c = &m->layers[i];
        int bad = a[i].saturated > c->max_saturated || a[i].out_of_range > a[i].count ||
                  mul_gt(a[i].out_of_range, 1000000u, a[i].count, c->max_rate_ppm) ||
                  is_nan(a[i].max_value) || dkey(a[i].max_value) > dkey(c->max_overrange);
        if (bad) {
            if (v->counts[MON_VIOL_ACTIVATION] == 0u) first[MON_VIOL_ACTIVATION] = i;
            v->counts[MON_VIOL_ACTIVATION] += 1u;
        }
    }
}

/* ---- drift -------------------------------------------------------------------------------- */

static uint64_t score_of(const mon_monitor *m, const uint64_t *p, const uint64_t *q, uint32_t nb)
{
    mon_u128 r;
    uint64_t d;
    mon_status st;
    if (m->cfg.drift_metric == (uint32_t)MON_METRIC_JS_DISTANCE) {
        st = mon_drift_js(p, q, nb, NULL, &d);
        return (st == MON_OK) ? d >> 31 : 0u;
    }
    if (m->cfg.drift_metric == (uint32_t)MON_METRIC_TV) {
        st = mon_drift_tv(p, q, nb, &r, NULL, NULL);
    } else {
        st = mon_drift_psi(p, q, nb, NULL, &r);
    }
    if (st != MON_OK) return 0u;
    return (r.hi >= (UINT64_C(1) << 32)) ? UINT64_MAX : ((r.hi << 32) | (r.lo >> 32));
}

/* Score the complete slots (epochs e_now - drift_slots .. e_now - 1) of every feature. */
static void score_drift(mon_monitor *m, uint64_t e_now, mon_monitor_verdict *v, uint32_t *first)
{
    uint32_t f, s, nslots = m->cfg.drift_slots + 1u;
    uint64_t last = e_now - 1u;
    uint64_t lo = (e_now >= m->cfg.drift_slots) ? e_now - m->cfg.drift_slots : 0u;
    uint64_t best = 0u;
    uint32_t best_f = 0u;
    for (f = 0; f < m->cfg.n_features; ++f) {
        const feat_rt *ft = &m->feats[f];
        uint64_t total = 0u, sc;
        uint32_t b;
        memset(m->sum, 0, 8u * ft->nbins);
        for (s = 0; s < nslots; ++s) {
            if (mon_window_pin(&m->wslots[s], lo, last)) {
                const uint64_t *c = m->slots + (uint64_t)s * m->total_bins + ft->offset;
                for (b = 0; b < ft->nbins; ++b) m->sum[b] += c[b];
                mon_window_release(&m->wslots[s]);
            }
        }
        for (b = 0; b < ft->nbins; ++b) total += m->sum[b];
        if (total < m->cfg.drift_min_count) continue;
        sc = score_of(m, m->sum, m->ref + ft->offset, ft->nbins);
        if (sc > best || f == 0u) {
            best = sc;
            best_f = f;
        }
        if (sc > m->cfg.drift_threshold) {
            if (v->counts[MON_VIOL_DRIFT] == 0u) first[MON_VIOL_DRIFT] = f;
            v->counts[MON_VIOL_DRIFT] += 1u;
        }
    }
    m->drift_score = best;
    m->drift_feature = best_f;
    m->drifting = v->counts[MON_VIOL_DRIFT];
    v->drift_scored = 1u;
}

/* Bin the staged rows into their slot (one matrix call). */
static void flush_stage(mon_monitor *m)
{
    if (m->stage_n == 0u) return;
    (void)mon_bin_count_matrix(m->binners, m->cfg.n_features, m->stage, m->stage_n,
                               m->cfg.n_features,
                               m->slots + (uint64_t)m->stage_slot * m->total_bins, m->extra);
    m->stage_n = 0u;
}

static void drift_step(mon_monitor *m, uint64_t now, const double *x, mon_monitor_verdict *v,
                       uint32_t *first)
{
    uint64_t t = (m->cfg.drift_mode == (uint32_t)MON_DRIFT_BY_COUNT) ? m->step - 1u : now;
    uint64_t e = mon_window_epoch(&m->wcfg, t);
    uint32_t slot = 0u;
    mon_window_claim c;
    if (m->have_epoch != 0u && e != m->last_epoch) {
        flush_stage(m); /* the staged rows belong to the last epoch's slot */
        if (e > m->last_epoch) score_drift(m, e, v, first);
    }
    m->have_epoch = 1u;
    m->last_epoch = e;
    c = mon_window_acquire(&m->wcfg, m->wslots, t, &slot);
    if (c == MON_WINDOW_LATE) return;
    if (c == MON_WINDOW_CLAIMED) {
        memset(m->slots + (uint64_t)slot * m->total_bins, 0, (size_t)m->total_bins * 8u);
        mon_window_open(&m->wslots[slot]);
    }
    mon_window_release(&m->wslots[slot]); /* one thread: the slot stays ours until the next claim */
    if (m->stage_n > 0u && slot != m->stage_slot) flush_stage(m);
    m->stage_slot = slot;
    memcpy(m->stage + (size_t)m->stage_n * m->cfg.n_features, x, 8u * m->cfg.n_features);
    m->stage_n += 1u;
    if (m->stage_n == STAGE_ROWS) flush_stage(m);
}

/* ---- the step ----------------------------------------------------------------------------- */

static void react(mon_monitor *m, mon_monitor_verdict *v, uint64_t tick, uint32_t k, uint32_t first)
{
    uint32_t r = m->cfg.reaction[k];
    uint8_t p[24];
    if (r >= (uint32_t)MON_REACT_LOG) {
        memset(p, 0, sizeof p);
        p[0] = (uint8_t)k;
        p[1] = (uint8_t)r;
        put_u32(p + 4, v->counts[k]);
        put_u32(p + 8, first);
        put_u32(p + 12, m->win_counts[k]);
        put_u64(p + 16, m->step);
        log_event(m, v, (uint32_t)MON_LEDGER_VIOLATION, tick, p, sizeof p);
        v->reactions |= 1u << r;
    }
    if (r >= (uint32_t)MON_REACT_WARN) v->warnings |= 1u << k;
    if (r >= (uint32_t)MON_REACT_CLAMP) {
        uint32_t n = (k == (uint32_t)MON_VIOL_INPUT_RANGE || k == (uint32_t)MON_VIOL_INPUT_NAN)
                         ? v->inputs_clamped
                         : ((k == (uint32_t)MON_VIOL_OUTPUT || k == (uint32_t)MON_VIOL_CONFIDENCE)
                                ? v->outputs_clamped
                                : 0u);
        if (r == (uint32_t)MON_REACT_DEGRADE) {
            m->win_dirty = 1u;
            escalate(m, v, tick, (uint32_t)MON_HEALTH_DEGRADED, CAUSE_REACTION, k);
        } else if (r == (uint32_t)MON_REACT_STOP) {
            escalate(m, v, tick, (uint32_t)MON_HEALTH_STOPPED, CAUSE_REACTION, k);
        } else {
            /* MON_REACT_CLAMP: the values were clamped above, no state change */
        }
        memset(p, 0, sizeof p);
        p[0] = (uint8_t)r;
        p[1] = (uint8_t)k;
        p[2] = (uint8_t)m->state;
        put_u32(p + 4, n);
        put_u64(p + 8, m->step);
        log_event(m, v, (uint32_t)MON_LEDGER_REACTION, tick, p, 16u);
    }
}

/* The rules over the monitor's own signals: counts[RULE] = rules that fired in this step;
 * *escalate_to = the highest action among them. */
static void rules_step(mon_monitor *m, mon_monitor_verdict *v, uint64_t now, uint64_t latency_ns,
                       uint32_t *first, uint32_t *escalate_to)
{
    uint32_t r, k, total = 0u;
    for (k = 0; k < (uint32_t)MON_VIOL_COUNT; ++k) total = sat_add32(total, v->counts[k]);
    for (r = 0; r < m->cfg.n_rules; ++r) {
        const mon_monitor_rule *rule = &m->rules[r];
        mon_rule_event ev;
        double x;
        uint32_t sig = rule->signal;
        if (sig < (uint32_t)MON_VIOL_COUNT) {
            x = (double)m->win_counts[sig];
        } else if (sig == (uint32_t)MON_SIG_LATENCY_NS) {
            x = (double)latency_ns;
        } else if (sig == (uint32_t)MON_SIG_DRIFT_SCORE) {
            x = (double)m->drift_score * (1.0 / 4294967296.0); /* a power of two: exact */
        } else {
            x = (double)total;
        }
        if (mon_rule_step(&rule->rule, &m->rstates[r], now, x, &ev) != MON_OK) continue;
        if (ev.transition != (uint32_t)MON_RULE_NONE) {
            uint8_t p[24];
            memset(p, 0, sizeof p);
            p[0] = (uint8_t)r;
            p[1] = (uint8_t)ev.transition;
            p[2] = (uint8_t)ev.phase;
            p[3] = (uint8_t)ev.condition;
            put_u64(p + 8, double_to_bits(x));
            put_u64(p + 16, m->step);
            log_event(m, v, (uint32_t)MON_LEDGER_RULE, now, p, sizeof p);
        }
        if (ev.phase == (uint32_t)MON_RULE_FIRING) {
            m->rules_firing |= 1u << r;
            if (rule->action >= (uint32_t)MON_HEALTH_DEGRADED) m->rules_holding |= 1u << r;
        } else {
            m->rules_firing &= ~(1u << r);
            m->rules_holding &= ~(1u << r);
        }
        if (ev.transition == (uint32_t)MON_RULE_TO_FIRING) {
            if (v->counts[MON_VIOL_RULE] == 0u) first[MON_VIOL_RULE] = r;
            v->counts[MON_VIOL_RULE] += 1u;
            if (rule->action > *escalate_to) *escalate_to = rule->action;
        }
    }
}

/* Fault budgets of the current window (after this step's counts). */
static void budgets(mon_monitor *m, mon_monitor_verdict *v, uint64_t tick)
{
    uint32_t k;
    for (k = 0; k < (uint32_t)MON_VIOL_COUNT; ++k) {
        if (m->cfg.fault_budget[k] != NO_LIMIT && m->win_counts[k] > m->cfg.fault_budget[k]) {
            m->win_dirty = 1u;
            escalate(m, v, tick, (uint32_t)MON_HEALTH_FAULTED, CAUSE_BUDGET_FAULT, k);
        } else if (m->cfg.degrade_budget[k] != NO_LIMIT &&
                   m->win_counts[k] > m->cfg.degrade_budget[k]) {
            m->win_dirty = 1u;
            escalate(m, v, tick, (uint32_t)MON_HEALTH_DEGRADED, CAUSE_BUDGET_DEGRADE, k);
        } else {
            /* within both budgets */
        }
    }
}

mon_status mon_monitor_step(mon_monitor *m, uint64_t tick, const double *inputs, size_t n_inputs,
                            const double *outputs, size_t n_outputs, uint64_t latency_ns,
                            const mon_activation_stats *activations, uint32_t fault_flags,
                            mon_monitor_verdict *verdict)
{
    mon_monitor_verdict v;
    uint32_t first[MON_VIOL_COUNT];
    uint32_t k, rule_action = (uint32_t)MON_HEALTH_HEALTHY;
    uint64_t now;
    mon_status st = check(m);
    if (st != MON_OK) return st;
    if (verdict == NULL || inputs == NULL || (n_outputs > 0u && outputs == NULL)) return MON_E_NULL;
    if (!MON_ALIGNED_U64(verdict) || (activations != NULL && !MON_ALIGNED_U64(activations))) {
        return MON_E_ALIGN;
    }
    if (n_inputs != m->cfg.n_features || n_outputs != m->cfg.n_outputs) return MON_E_LENGTH;
    memset(&v, 0, sizeof v);
    for (k = 0; k < (uint32_t)MON_VIOL_COUNT; ++k) first[k] = MON_MONITOR_NO_INDEX;
    v.prev_state = m->state;
    v.inputs = inputs;
    v.outputs = (n_outputs > 0u) ? outputs : NULL;
    m->step = (m->step == UINT64_MAX) ? m->step : m->step + 1u;
    if (m->have_tick != 0u && tick < m->last_tick) {
        v.clock_back = 1u;
        now = m->last_tick;
    } else {
        now = tick;
    }
    if (m->state == (uint32_t)MON_HEALTH_STOPPED) {
        /* Latched: nothing is judged, nothing logged (no flood); the host must not go on. */
        m->last_tick = now;
        m->have_tick = 1u;
        v.reactions = 1u << (uint32_t)MON_REACT_STOP;
        goto done;
    }
    if (m->have_tick == 0u) {
        m->win_start = now;
        m->wcfg.start_tick = (m->cfg.drift_mode == (uint32_t)MON_DRIFT_BY_TICK) ? now : 0u;
    } else if ((m->cfg.budget_steps > 0u && m->win_steps >= m->cfg.budget_steps) ||
               (m->cfg.budget_ticks > 0u && now - m->win_start >= m->cfg.budget_ticks)) {
        close_window(m, &v, now);
    } else {
        /* the window goes on */
    }
    m->have_tick = 1u;
    m->last_tick = now;
    m->win_steps += 1u;
    if (m->state == (uint32_t)MON_HEALTH_INIT) {
        set_state(m, &v, now, (uint32_t)MON_HEALTH_HEALTHY, CAUSE_START, 0u);
    }
    check_inputs(m, inputs, &v, first);
    if (n_outputs > 0u) check_outputs(m, outputs, &v, first);
    if (activations != NULL) check_layers(m, activations, &v, first);
    if (m->cfg.max_latency_ns > 0u && latency_ns > m->cfg.max_latency_ns) {
        v.counts[MON_VIOL_LATENCY] = 1u;
    }
    if (fault_flags != 0u) {
        v.counts[MON_VIOL_FAULT] = 1u;
        first[MON_VIOL_FAULT] = fault_flags;
        m->win_faults |= fault_flags;
    }
    if (m->cfg.drift_mode != (uint32_t)MON_DRIFT_OFF) drift_step(m, now, inputs, &v, first);
    for (k = 0; k < (uint32_t)MON_VIOL_COUNT; ++k) {
        m->win_counts[k] = sat_add32(m->win_counts[k], v.counts[k]);
    }
    if (m->cfg.n_rules > 0u) {
        rules_step(m, &v, now, latency_ns, first, &rule_action);
        m->win_counts[MON_VIOL_RULE] =
            sat_add32(m->win_counts[MON_VIOL_RULE], v.counts[MON_VIOL_RULE]);
    }
    for (k = 0; k < (uint32_t)MON_VIOL_COUNT; ++k) {
        if (v.counts[k] > 0u) {
            v.violations |= 1u << k;
            react(m, &v, now, k, first[k]);
        }
    }
    if (rule_action >= (uint32_t)MON_HEALTH_DEGRADED) {
        if (rule_action == (uint32_t)MON_HEALTH_DEGRADED) m->win_dirty = 1u;
        escalate(m, &v, now, rule_action, CAUSE_RULE, (uint32_t)MON_VIOL_RULE);
    }
    budgets(m, &v, now);
    if (v.inputs_clamped > 0u) v.inputs = m->clamp_in;
    if (v.outputs_clamped > 0u) v.outputs = m->clamp_out;
done:
    v.step = m->step;
    v.state = m->state;
    v.window_faults = m->win_faults;
    memcpy(v.window_counts, m->win_counts, sizeof v.window_counts);
    v.drift_score = m->drift_score;
    v.drift_feature = m->drift_feature;
    v.rules_firing = m->rules_firing;
    *verdict = v;
    return MON_OK;
}

mon_status mon_monitor_reset(mon_monitor *m, uint64_t tick, uint32_t reason)
{
    uint8_t p[16];
    uint32_t from;
    int allowed;
    mon_status st = check(m);
    if (st != MON_OK) return st;
    from = m->state;
    allowed = (m->cfg.reset_from & (1u << from)) != 0u;
    memset(p, 0, sizeof p);
    p[0] = (uint8_t)from;
    p[1] = (uint8_t)(allowed ? 1u : 0u);
    put_u32(p + 4, reason);
    put_u64(p + 8, m->step);
    log_event(m, NULL, (uint32_t)MON_LEDGER_RESET, tick, p, sizeof p);
    if (!allowed) return MON_E_STATE;
    mon_monitor_clear_windows(m);
    set_state(m, NULL, tick, (uint32_t)MON_HEALTH_INIT, CAUSE_RESET, 0u);
    return MON_OK;
}
