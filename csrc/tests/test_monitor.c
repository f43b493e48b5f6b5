/* Unit tests of mon_monitor: envelopes, clamping, budgets, the state machine, drift windows,
 * resets and the ledger trail. */
#include <math.h>
#include <string.h>

#include "mon_test.h"
#include "monitor.h"

static uint64_t mem[1 << 15];
static uint64_t lmem[1 << 13];

static const double edges[3][5] = {{-INFINITY, -1.0, 0.0, 1.0, INFINITY},
                                   {-INFINITY, -1.0, 0.0, 1.0, INFINITY},
                                   {-INFINITY, -1.0, 0.0, 1.0, INFINITY}};
static const uint64_t ref[3][4] = {{10, 40, 40, 10}, {10, 40, 40, 10}, {10, 40, 40, 10}};

static mon_monitor_feature feats[3];
static mon_monitor_range outs[2];
static mon_monitor_layer layers[1];

static void base_config(mon_monitor_config *c, int drift)
{
    uint32_t k, f;
    memset(c, 0, sizeof *c);
    for (f = 0; f < 3; ++f) {
        feats[f].lo = -2.0;
        feats[f].hi = 2.0;
        feats[f].nan_fill = 0.5;
        feats[f].nan_policy = MON_NAN_REJECT;
        feats[f].nedges = drift ? 5u : 0u;
        feats[f].edges = drift ? edges[f] : NULL;
        feats[f].reference = drift ? ref[f] : NULL;
    }
    outs[0].lo = 0.0;
    outs[0].hi = 10.0;
    outs[1].lo = 0.0;
    outs[1].hi = 1.0;
    layers[0].max_overrange = 6.0;
    layers[0].max_saturated = 2;
    layers[0].max_rate_ppm = 100000; /* 10 % */
    c->n_features = 3;
    c->n_outputs = 2;
    c->n_layers = 1;
    c->confidence_index = 1;
    c->confidence.lo = 0.5;
    c->confidence.hi = 1.0;
    c->features = feats;
    c->outputs = outs;
    c->layers = layers;
    c->max_latency_ns = 1000;
    for (k = 0; k < MON_VIOL_COUNT; ++k) {
        c->reaction[k] = MON_REACT_LOG;
        c->degrade_budget[k] = 2;
        c->fault_budget[k] = 5;
    }
    c->reaction[MON_VIOL_INPUT_RANGE] = MON_REACT_CLAMP;
    c->reaction[MON_VIOL_INPUT_NAN] = MON_REACT_CLAMP;
    c->reaction[MON_VIOL_OUTPUT] = MON_REACT_CLAMP;
    c->budget_steps = 10;
    c->recover_windows = 2;
    c->stop_after_windows = 1;
    c->reset_from = (1u << MON_HEALTH_FAULTED) | (1u << MON_HEALTH_STOPPED);
    c->drift_mode = drift ? MON_DRIFT_BY_COUNT : MON_DRIFT_OFF;
    c->drift_metric = MON_METRIC_PSI;
    c->drift_slots = 2;
    c->drift_slot_width = 50;
    c->drift_threshold = (uint64_t)(0.25 * 4294967296.0);
    c->drift_min_count = 20;
}

static mon_monitor *make(mon_monitor_config *c)
{
    mon_monitor *m = NULL;
    size_t n = mon_monitor_size(c);
    CHECK(n > 0 && n <= sizeof mem);
    CHECK_STATUS(mon_monitor_init(mem, sizeof mem, c, &m), MON_OK);
    return m;
}

static const double ok_in[3] = {0.5, -0.5, 0.1};
static const double ok_out[2] = {3.0, 0.9};

static void test_config_errors(void)
{
    mon_monitor_config c;
    mon_monitor *m = NULL;
    base_config(&c, 1);
    CHECK_STATUS(mon_monitor_check_config(&c), MON_OK);
    CHECK_STATUS(mon_monitor_check_config(NULL), MON_E_NULL);
    c.n_features = 0;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_CONFIG);
    CHECK(mon_monitor_size(&c) == 0);
    base_config(&c, 1);
    c.budget_steps = 0;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_CONFIG);
    base_config(&c, 1);
    c.reaction[3] = 9;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_CONFIG);
    base_config(&c, 1);
    c.fault_budget[0] = 1;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_CONFIG);
    base_config(&c, 1);
    feats[1].lo = 3.0;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_VALUE);
    base_config(&c, 1);
    feats[1].nan_fill = NAN;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_VALUE);
    base_config(&c, 1);
    layers[0].max_rate_ppm = 1000001;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_VALUE);
    base_config(&c, 1);
    c.confidence_index = 2;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_CONFIG);
    base_config(&c, 1);
    {
        static const double bad[5] = {0.0, 1.0, 1.0, 2.0, 3.0};
        feats[2].edges = bad;
        CHECK_STATUS(mon_monitor_check_config(&c), MON_E_EDGES);
    }
    base_config(&c, 1);
    {
        static const uint64_t zero[4] = {0, 0, 0, 0};
        feats[2].reference = zero;
        CHECK_STATUS(mon_monitor_check_config(&c), MON_E_EMPTY);
    }
    base_config(&c, 1);
    CHECK_STATUS(mon_monitor_init(mem, 64, &c, &m), MON_E_SIZE);
    CHECK_STATUS(mon_monitor_init((char *)mem + 1, sizeof mem - 8, &c, &m), MON_E_ALIGN);
    CHECK(mon_monitor_state(NULL) == MON_HEALTH_COUNT);
}

/* REQ: MON-REQ-SAFETY-001 */
static void test_envelopes_and_clamp(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    mon_activation_stats a = {100, 5, 0, 3.0};
    double in[3] = {5.0, NAN, -7.0};
    double out[2] = {11.0, 0.2};
    base_config(&c, 0);
    m = make(&c);
    CHECK(mon_monitor_state(m) == MON_HEALTH_INIT);
    CHECK_STATUS(mon_monitor_step(m, 100, ok_in, 3, ok_out, 2, 10, &a, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_HEALTHY && v.prev_state == MON_HEALTH_INIT);
    CHECK(v.violations == 0 && v.inputs == ok_in && v.outputs == ok_out && v.step == 1);
    CHECK_STATUS(mon_monitor_step(m, 101, in, 3, out, 2, 10, &a, 0, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_INPUT_RANGE] == 2 && v.counts[MON_VIOL_INPUT_NAN] == 1);
    CHECK(v.counts[MON_VIOL_OUTPUT] == 1 && v.counts[MON_VIOL_CONFIDENCE] == 1);
    CHECK(v.inputs_clamped == 3 && v.inputs != in);
    CHECK(v.inputs[0] == 2.0 && v.inputs[1] == 0.5 && v.inputs[2] == -2.0);
    /* output 0 clamped (CLAMP), the confidence only logged (LOG): left as it is */
    CHECK(v.outputs_clamped == 1 && v.outputs[0] == 10.0 &&
          v.outputs[1] == out[1]); /* no 0.2 literal: x87 keeps it in long double */
    CHECK((v.reactions & (1u << MON_REACT_CLAMP)) != 0);
    CHECK((v.warnings & (1u << MON_VIOL_INPUT_RANGE)) != 0);
    CHECK((v.warnings & (1u << MON_VIOL_CONFIDENCE)) == 0);
    CHECK(in[1] != in[1]); /* the caller's array is never written */
    /* activation contract: 11 % out of range, then saturation, then NaN max */
    a.out_of_range = 11;
    CHECK_STATUS(mon_monitor_step(m, 102, ok_in, 3, ok_out, 2, 5000, &a, 0, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_ACTIVATION] == 1 && v.counts[MON_VIOL_LATENCY] == 1);
    a.out_of_range = 10;
    CHECK_STATUS(mon_monitor_step(m, 103, ok_in, 3, ok_out, 2, 5, &a, 4, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_ACTIVATION] == 0 && v.counts[MON_VIOL_FAULT] == 1);
    CHECK(v.window_faults == 4);
    a.max_value = NAN;
    CHECK_STATUS(mon_monitor_step(m, 50, ok_in, 3, ok_out, 2, 5, &a, 0, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_ACTIVATION] == 1 && v.clock_back == 1);
    CHECK_STATUS(mon_monitor_step(m, 104, ok_in, 2, ok_out, 2, 5, NULL, 0, &v), MON_E_LENGTH);
    CHECK_STATUS(mon_monitor_step(m, 104, ok_in, 3, ok_out, 2, 5, NULL, 0, NULL), MON_E_NULL);
}

/* REQ: MON-REQ-SAFETY-002 */
static void test_state_machine(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    double bad[3] = {9.0, 0.0, 0.0};
    uint64_t t = 0;
    int i;
    base_config(&c, 0);
    m = make(&c);
    /* 3 range violations in a window of 10 steps: budget 2 exceeded -> DEGRADED */
    for (i = 0; i < 3; ++i)
        CHECK_STATUS(mon_monitor_step(m, ++t, bad, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_DEGRADED && v.window_counts[MON_VIOL_INPUT_RANGE] == 3);
    /* the rest of that window, then two clean windows: HEALTHY again at the start of the 4th */
    for (i = 0; i < 27; ++i)
        CHECK_STATUS(mon_monitor_step(m, ++t, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_DEGRADED);
    CHECK_STATUS(mon_monitor_step(m, ++t, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_HEALTHY && v.prev_state == MON_HEALTH_DEGRADED);
    /* 6 faults in one window: fault budget 5 exceeded -> FAULTED; one window later STOPPED */
    for (i = 0; i < 6; ++i)
        CHECK_STATUS(mon_monitor_step(m, ++t, ok_in, 3, ok_out, 2, 1, NULL, 1, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_FAULTED);
    for (i = 0; i < 3; ++i)
        CHECK_STATUS(mon_monitor_step(m, ++t, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_FAULTED);
    CHECK_STATUS(mon_monitor_step(m, ++t, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_STOPPED);
    /* latched */
    CHECK_STATUS(mon_monitor_step(m, ++t, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_STOPPED && v.reactions == (1u << MON_REACT_STOP) &&
          v.violations == 0);
    CHECK_STATUS(mon_monitor_reset(m, ++t, 7), MON_OK);
    CHECK(mon_monitor_state(m) == MON_HEALTH_INIT);
    CHECK_STATUS(mon_monitor_step(m, ++t, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_HEALTHY && v.step == 1);
    /* reset not allowed from HEALTHY */
    CHECK_STATUS(mon_monitor_reset(m, ++t, 8), MON_E_STATE);
    CHECK(mon_monitor_state(m) == MON_HEALTH_HEALTHY);
    /* a STOP reaction stops at once */
    c.reaction[MON_VIOL_LATENCY] = MON_REACT_STOP;
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1, ok_in, 3, ok_out, 2, 2000, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_STOPPED && (v.reactions & (1u << MON_REACT_STOP)) != 0);
    CHECK_STATUS(mon_monitor_reset(m, 2, 0), MON_OK);
    /* a corrupted object */
    {
        uint32_t saved;
        memcpy(&saved, m, 4);
        memset(m, 0, 4);
        CHECK_STATUS(mon_monitor_step(m, 3, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_E_STATE);
        memcpy(m, &saved, 4);
    }
}

/* REQ: MON-REQ-SAFETY-004 */
static void test_drift_and_ledger(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    mon_ledger *l = NULL;
    mon_ledger_genesis g;
    mon_ledger_anchor a;
    mon_ledger_report rep;
    static uint8_t bytes[MON_LEDGER_ENTRY_BYTES * 256];
    uint64_t i, n, first_drift = 0, scored = 0;
    size_t ls = mon_ledger_size(256);
    base_config(&c, 1);
    c.reaction[MON_VIOL_DRIFT] = MON_REACT_DEGRADE;
    m = make(&c);
    memset(&g, 0, sizeof g);
    g.policy_hash[0] = 1;
    CHECK(ls > 0 && ls <= sizeof lmem);
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 256, &g, 0, NULL, NULL, &l), MON_OK);
    CHECK_STATUS(mon_monitor_attach_ledger(m, l), MON_OK);
    /* 200 steps like the reference (cycling through its bins 1:4:4:1), then 200 all in bin 3 */
    for (i = 0; i < 400; ++i) {
        static const double cyc[10] = {-1.5, -0.5, -0.5, -0.5, -0.5, 0.5, 0.5, 0.5, 0.5, 1.5};
        double x = (i < 200) ? cyc[i % 10] : 1.5;
        double in[3] = {x, cyc[i % 10], cyc[i % 10]};
        CHECK_STATUS(mon_monitor_step(m, 1000 + i, in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
        if (v.drift_scored) ++scored;
        if (v.counts[MON_VIOL_DRIFT] > 0 && first_drift == 0) {
            first_drift = v.step;
            CHECK(v.state == MON_HEALTH_DEGRADED && v.prev_state == MON_HEALTH_HEALTHY);
            CHECK(v.drift_feature == 0 && v.drift_score > c.drift_threshold);
        }
    }
    CHECK(scored == 7);                    /* slots complete at steps 51, 101, ... 351 */
    CHECK(first_drift == 251);             /* slot 4 (steps 201..250) is the first drifted slot */
    CHECK(v.state == MON_HEALTH_DEGRADED); /* the drift holds DEGRADED */
    CHECK_STATUS(mon_ledger_head(l, &a, NULL), MON_OK);
    n = a.count;
    CHECK(n >= 4); /* genesis, INIT->HEALTHY, violations, reaction, HEALTHY->DEGRADED */
    for (i = 0; i < n; ++i)
        CHECK_STATUS(mon_ledger_entry_bytes(l, i, bytes + i * MON_LEDGER_ENTRY_BYTES), MON_OK);
    CHECK_STATUS(mon_ledger_verify(bytes, (size_t)n * MON_LEDGER_ENTRY_BYTES, &a, &rep), MON_OK);
    {
        mon_ledger_entry e;
        CHECK_STATUS(mon_ledger_decode(bytes + MON_LEDGER_ENTRY_BYTES, MON_LEDGER_ENTRY_BYTES, &e),
                     MON_OK);
        CHECK(e.kind == MON_LEDGER_STATE && e.payload[0] == MON_HEALTH_INIT &&
              e.payload[1] == MON_HEALTH_HEALTHY);
    }
    /* reset refused from DEGRADED: logged */
    CHECK_STATUS(mon_monitor_reset(m, 5000, 3), MON_E_STATE);
    CHECK_STATUS(mon_ledger_head(l, &a, NULL), MON_OK);
    CHECK(a.count == n + 1);
    CHECK_STATUS(mon_monitor_attach_ledger(m, NULL), MON_OK);
}

static void test_tick_drift(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    uint64_t i, scored = 0;
    base_config(&c, 1);
    c.drift_mode = MON_DRIFT_BY_TICK;
    c.drift_slot_width = 1000; /* ticks */
    c.drift_min_count = 1;
    c.reaction[MON_VIOL_DRIFT] = MON_REACT_NONE;
    c.degrade_budget[MON_VIOL_DRIFT] = 0xffffffffu;
    c.fault_budget[MON_VIOL_DRIFT] = 0xffffffffu;
    c.budget_steps = 0;
    c.budget_ticks = 5000;
    m = make(&c);
    for (i = 0; i < 100; ++i) {
        CHECK_STATUS(mon_monitor_step(m, 100 * i, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
        scored += v.drift_scored;
    }
    CHECK(scored == 9); /* slots end at ticks 1000, 2000, ..., 9000 */
    /* a jump far ahead scores once, then the ring is empty of old epochs */
    CHECK_STATUS(mon_monitor_step(m, 1000000, ok_in, 3, ok_out, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.drift_scored == 1);
}

/* REQ: MON-REQ-SAFETY-003 */
static void test_rules(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    mon_monitor_rule r[2];
    uint64_t t;
    base_config(&c, 0);
    memset(r, 0, sizeof r);
    /* latency above 1 ms for 300 ticks -> STOPPED; a rule with a bad signal is refused */
    r[0].rule.kind = MON_RULE_THRESHOLD;
    r[0].rule.op = MON_RULE_GT;
    r[0].rule.threshold = 1e6;
    r[0].rule.for_ticks = 300;
    r[0].signal = MON_SIG_LATENCY_NS;
    r[0].action = MON_HEALTH_STOPPED;
    r[1] = r[0];
    r[1].signal = MON_SIG_COUNT;
    c.n_rules = 2;
    c.rules = r;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_CONFIG);
    r[1].signal = MON_SIG_STEP_VIOLATIONS;
    r[1].action = MON_HEALTH_INIT;
    CHECK_STATUS(mon_monitor_check_config(&c), MON_E_CONFIG);
    c.n_rules = 1;
    c.max_latency_ns = 0;
    c.reaction[MON_VIOL_RULE] = MON_REACT_WARN;
    m = make(&c);
    for (t = 0; t < 3; ++t) {
        CHECK_STATUS(mon_monitor_step(m, 100 * t, ok_in, 3, ok_out, 2, 2000000, NULL, 0, &v),
                     MON_OK);
        CHECK(v.state == MON_HEALTH_HEALTHY && v.rules_firing == 0);
    }
    CHECK_STATUS(mon_monitor_step(m, 300, ok_in, 3, ok_out, 2, 2000000, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_STOPPED && v.rules_firing == 1 && v.counts[MON_VIOL_RULE] == 1);
    CHECK((v.warnings & (1u << MON_VIOL_RULE)) != 0);
}

int main(void)
{
    test_config_errors();
    test_envelopes_and_clamp();
    test_state_machine();
    test_drift_and_ledger();
    test_tick_drift();
    test_rules();
    MON_TEST_MAIN_END();
}
