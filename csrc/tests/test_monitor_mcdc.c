/* MC/DC closing tests of mon_monitor (make -C csrc mcdc): each case toggles one condition of a
 * decision of the configuration check, the object check, the ledger trail, the window close
 * and the step while the others hold, and checks the behaviour it decides (the status, the
 * state, the verdict). The object check's fields are corrupted through mon_monitor_internal.h
 * (what a stray write or a copied object looks like); everything else goes through the API. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mon_monitor_internal.h"
#include "monitor.h"
#include "mon_test.h"

static uint64_t mem[1 << 14];
static uint64_t mem2[1 << 14];
static uint64_t lmem[(64 + 8 * MON_LEDGER_ENTRY_BYTES) / 8 + 64];
static uint64_t scratch[64];

static double edges[2][4] = {{0.0, 1.0, 2.0, 3.0}, {0.0, 1.0, 2.0, 3.0}};
static uint64_t ref[2][3] = {{5, 5, 5}, {5, 5, 5}};
static mon_monitor_feature feats[2];
static mon_monitor_range outs[2];
static mon_monitor_layer layers[1];
static mon_monitor_rule rules[1];
static const double in_ok[2] = {0.5, 1.5};
static const double out_ok[2] = {0.5, 0.5};

static void base(mon_monitor_config *c, int drift)
{
    uint32_t k;
    memset(c, 0, sizeof *c);
    memset(feats, 0, sizeof feats);
    for (k = 0; k < 2; ++k) {
        feats[k].lo = 0.0;
        feats[k].hi = 3.0;
        feats[k].nedges = drift ? 4u : 0u;
        feats[k].edges = drift ? edges[k] : NULL;
        feats[k].reference = drift ? ref[k] : NULL;
        outs[k].lo = 0.0;
        outs[k].hi = 1.0;
    }
    layers[0].max_overrange = 4.0;
    layers[0].max_saturated = 10u;
    layers[0].max_rate_ppm = 500000u;
    layers[0].reserved = 0u;
    memset(rules, 0, sizeof rules);
    rules[0].rule.kind = MON_RULE_THRESHOLD;
    rules[0].rule.op = MON_RULE_GT;
    rules[0].rule.threshold = 1e9;
    rules[0].signal = MON_SIG_LATENCY_NS;
    rules[0].action = MON_HEALTH_DEGRADED;
    c->n_features = 2;
    c->n_outputs = 2;
    c->n_layers = 1;
    c->confidence_index = MON_MONITOR_NO_INDEX;
    c->features = feats;
    c->outputs = outs;
    c->layers = layers;
    for (k = 0; k < MON_VIOL_COUNT; ++k) {
        c->reaction[k] = MON_REACT_LOG;
        c->degrade_budget[k] = UINT32_MAX;
        c->fault_budget[k] = UINT32_MAX;
    }
    c->budget_steps = 10;
    c->recover_windows = 1;
    c->drift_mode = drift ? MON_DRIFT_BY_COUNT : MON_DRIFT_OFF;
    c->drift_metric = MON_METRIC_TV;
    c->drift_slots = drift ? 2u : 0u;
    c->drift_slot_width = drift ? 4u : 0u;
    c->drift_min_count = drift ? 1u : 0u;
    c->n_rules = 1;
    c->rules = rules;
}

static mon_monitor *make(mon_monitor_config *c)
{
    mon_monitor *m = NULL;
    CHECK(mon_monitor_size(c) > 0 && mon_monitor_size(c) <= sizeof mem);
    CHECK_STATUS(mon_monitor_init(mem, sizeof mem, c, &m), MON_OK);
    return m;
}

static mon_status chk(mon_monitor_config *c) { return mon_monitor_check_config(c); }

/* REQ: MON-REQ-SAFETY-001 */
static void test_config_conditions(void)
{
    mon_monitor_config c;
    mon_monitor *m = NULL;
    unsigned char *mis = (unsigned char *)scratch + 1;
    base(&c, 1);
    CHECK_STATUS(chk(&c), MON_OK);
    /* a feature's envelope: lo NaN, hi NaN (range_ok's first two conditions) */
    feats[1].lo = NAN;
    CHECK_STATUS(chk(&c), MON_E_VALUE);
    base(&c, 1);
    feats[1].hi = NAN;
    CHECK_STATUS(chk(&c), MON_E_VALUE);
    /* edges: too few, too many, NULL edges, NULL reference, a count above 2^53, a NaN edge */
    base(&c, 1);
    feats[0].nedges = 1;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    feats[0].nedges = MON_MONITOR_MAX_BINS + 2u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    feats[0].edges = NULL;
    CHECK_STATUS(chk(&c), MON_E_NULL);
    base(&c, 1);
    feats[0].reference = NULL;
    CHECK_STATUS(chk(&c), MON_E_NULL);
    base(&c, 1);
    {
        static uint64_t big[3] = {5, (UINT64_C(1) << 53) + 1u, 5};
        feats[0].reference = big;
        CHECK_STATUS(chk(&c), MON_E_OVERFLOW);
    }
    base(&c, 1);
    edges[1][2] = NAN;
    CHECK_STATUS(chk(&c), MON_E_EDGES);
    edges[1][2] = 2.0;
    /* counts over their bounds, one at a time */
    base(&c, 1);
    c.n_features = MON_MONITOR_MAX_FEATURES + 1u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.n_outputs = MON_MONITOR_MAX_OUTPUTS + 1u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.n_layers = MON_MONITOR_MAX_LAYERS + 1u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    /* NULL arrays: features; outputs / layers only when their count is not 0 */
    base(&c, 1);
    c.features = NULL;
    CHECK_STATUS(chk(&c), MON_E_NULL);
    base(&c, 1);
    c.outputs = NULL;
    CHECK_STATUS(chk(&c), MON_E_NULL);
    c.n_outputs = 0;
    CHECK_STATUS(chk(&c), MON_OK);
    base(&c, 1);
    c.layers = NULL;
    CHECK_STATUS(chk(&c), MON_E_NULL);
    c.n_layers = 0;
    CHECK_STATUS(chk(&c), MON_OK);
    /* misaligned arrays, one at a time */
    base(&c, 1);
    memcpy(mis, feats, sizeof feats[0]);
    c.features = (const mon_monitor_feature *)(void *)mis;
    CHECK_STATUS(chk(&c), MON_E_ALIGN);
    base(&c, 1);
    c.outputs = (const mon_monitor_range *)(void *)mis;
    CHECK_STATUS(chk(&c), MON_E_ALIGN);
    base(&c, 1);
    c.layers = (const mon_monitor_layer *)(void *)mis;
    CHECK_STATUS(chk(&c), MON_E_ALIGN);
    /* reserved bytes, one at a time */
    base(&c, 1);
    c.reserved0[0] = 1;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.reserved0[1] = 1;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.reserved0[2] = 1;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    /* drift fields */
    base(&c, 1);
    c.drift_mode = MON_DRIFT_BY_TICK + 1u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.drift_metric = MON_METRIC_TV + 1u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.drift_slots = 0;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.drift_slots = MON_MONITOR_MAX_DRIFT_SLOTS + 1u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.drift_slot_width = 0;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.drift_min_count = 0;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 0); /* drift off: slots, width and min count 0 are fine */
    CHECK_STATUS(chk(&c), MON_OK);
    /* rules */
    base(&c, 1);
    c.n_rules = MON_MONITOR_MAX_RULES + 1u;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    c.reserved1 = 1;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    rules[0].rule.kind = 0; /* a rule configuration mon_rules refuses */
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    rules[0].action = MON_HEALTH_COUNT;
    CHECK_STATUS(chk(&c), MON_E_CONFIG);
    base(&c, 1);
    rules[0].action = MON_HEALTH_STOPPED; /* the highest action is allowed */
    CHECK_STATUS(chk(&c), MON_OK);
    /* the confidence range is checked only when an index is set */
    base(&c, 1);
    c.confidence.lo = NAN;
    CHECK_STATUS(chk(&c), MON_OK);
    c.confidence_index = 1;
    CHECK_STATUS(chk(&c), MON_E_VALUE);
    c.confidence.lo = 0.0;
    c.confidence.hi = 1.0;
    CHECK_STATUS(chk(&c), MON_OK);
    /* a layer's max_overrange NaN */
    base(&c, 1);
    layers[0].max_overrange = NAN;
    CHECK_STATUS(chk(&c), MON_E_VALUE);
    /* init's arguments */
    base(&c, 1);
    CHECK_STATUS(mon_monitor_init(NULL, sizeof mem, &c, &m), MON_E_NULL);
    CHECK_STATUS(mon_monitor_init(mem, sizeof mem, &c, NULL), MON_E_NULL);
    CHECK_STATUS(mon_monitor_init(mem, sizeof mem, &c, (mon_monitor **)(void *)mis), MON_E_ALIGN);
    CHECK_STATUS(mon_monitor_init(mem, sizeof mem, &c, &m), MON_OK);
}

/* The object check: each field it reads made invalid alone, then restored. */
/* REQ: MON-REQ-SAFETY-001 */
static void test_object_check(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m, *copy = (mon_monitor *)(void *)mem2;
    base(&c, 1);
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    /* a copy of the object is not the object */
    memcpy(mem2, mem, mon_monitor_size(&c));
    CHECK_STATUS(mon_monitor_step(copy, 2, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_E_STATE);
    CHECK(mon_monitor_state(copy) == MON_HEALTH_COUNT);
#define CORRUPT(field, bad)                                                                     \
    do {                                                                                        \
        uint64_t saved_ = (uint64_t)m->field;                                                   \
        m->field = (bad);                                                                       \
        CHECK_STATUS(mon_monitor_step(m, 2, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_E_STATE); \
        CHECK_STATUS(mon_monitor_reset(m, 2, 0), MON_E_STATE);                                  \
        m->field = saved_;                                                                      \
    } while (0)
    CORRUPT(state, MON_HEALTH_COUNT);
    CORRUPT(cfg.n_features, 0u);
    CORRUPT(cfg.n_features, MON_MONITOR_MAX_FEATURES + 1u);
    CORRUPT(cfg.n_outputs, MON_MONITOR_MAX_OUTPUTS + 1u);
    CORRUPT(cfg.n_layers, MON_MONITOR_MAX_LAYERS + 1u);
    CORRUPT(cfg.drift_mode, MON_DRIFT_BY_TICK + 1u);
    CORRUPT(cfg.n_rules, MON_MONITOR_MAX_RULES + 1u);
    CORRUPT(cfg.drift_slots, MON_MONITOR_MAX_DRIFT_SLOTS + 1u);
    CORRUPT(max_bins, MON_MONITOR_MAX_BINS + 1u);
#undef CORRUPT
    /* drift off: drift_slots is not looked at */
    m->cfg.drift_mode = MON_DRIFT_OFF;
    m->cfg.drift_slots = MON_MONITOR_MAX_DRIFT_SLOTS + 1u;
    CHECK(mon_monitor_state(m) == MON_HEALTH_HEALTHY);
    CHECK_STATUS(mon_monitor_attach_ledger(m, NULL), MON_OK);
    /* restored: the object works again */
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_HEALTHY);
}

static int fail_writes;
static int sink(void *ctx, const uint8_t *bytes, size_t n)
{
    (void)ctx;
    (void)bytes;
    (void)n;
    return fail_writes ? 1 : 0;
}

/* The ledger trail: appends that succeed, that are kept pending (TRUNCATED) and that are
 * refused (OVERFLOW: more than the ring would be pending); the first failing status of a step
 * is the one reported; a reset logs with no verdict. */
/* REQ: MON-REQ-SAFETY-004 */
static void test_ledger_trail(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    mon_ledger *l = NULL;
    mon_ledger_genesis g;
    mon_ledger_anchor a;
    uint64_t written = 0;
    const double out_bad[2] = {2.0, 3.0};
    base(&c, 0);
    c.reset_from = 1u << MON_HEALTH_HEALTHY;
    m = make(&c);
    memset(&g, 0, sizeof g);
    fail_writes = 0;
    CHECK_STATUS(mon_ledger_init(lmem, sizeof lmem, 8, &g, 0, sink, NULL, &l), MON_OK);
    CHECK_STATUS(mon_monitor_attach_ledger(m, l), MON_OK);
    /* OK: the INIT -> HEALTHY entry */
    CHECK_STATUS(mon_monitor_step(m, 1, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.ledger_entries == 1 && v.ledger_status == 0);
    /* TRUNCATED: an output violation (LOG) is in the chain, its write failed */
    fail_writes = 1;
    CHECK_STATUS(mon_monitor_step(m, 2, in_ok, 2, out_bad, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.ledger_entries == 1 && v.ledger_status == MON_E_TRUNCATED);
    /* a second failing append in one step keeps the first status: output and fault entries */
    CHECK_STATUS(mon_monitor_step(m, 3, in_ok, 2, out_bad, 2, 1, NULL, 1, &v), MON_OK);
    CHECK(v.ledger_entries == 2 && v.ledger_status == MON_E_TRUNCATED);
    /* genesis and the first entry written, 3 pending; 4 more make 7 pending */
    CHECK_STATUS(mon_monitor_step(m, 4, in_ok, 2, out_bad, 2, 1, NULL, 1, &v), MON_OK);
    CHECK_STATUS(mon_monitor_step(m, 5, in_ok, 2, out_bad, 2, 1, NULL, 1, &v), MON_OK);
    CHECK(v.ledger_entries == 2 && v.ledger_status == MON_E_TRUNCATED);
    /* the 8th pending entry fills the ring (TRUNCATED, counted); the next is refused
     * (OVERFLOW, not counted); the step reports the first failure */
    CHECK_STATUS(mon_monitor_step(m, 6, in_ok, 2, out_bad, 2, 1, NULL, 1, &v), MON_OK);
    CHECK(v.ledger_entries == 1 && v.ledger_status == MON_E_TRUNCATED);
    CHECK_STATUS(mon_monitor_step(m, 7, in_ok, 2, out_bad, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.ledger_entries == 0 && v.ledger_status == MON_E_OVERFLOW);
    CHECK_STATUS(mon_ledger_head(l, &a, &written), MON_OK);
    CHECK(a.count == 10 && written == 2);
    /* a reset logs with no verdict: its failure changes nothing but the ledger */
    CHECK_STATUS(mon_monitor_reset(m, 8, 1), MON_OK);
    CHECK(mon_monitor_state(m) == MON_HEALTH_INIT);
    CHECK_STATUS(mon_ledger_head(l, &a, &written), MON_OK);
    CHECK(a.count == 10); /* its RESET and STATE entries were refused (the ring is full) */
    /* the writes work again: everything pending is written at the next append */
    fail_writes = 0;
    CHECK_STATUS(mon_monitor_step(m, 9, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.ledger_status == 0 && v.ledger_entries == 1 && v.state == MON_HEALTH_HEALTHY);
    CHECK_STATUS(mon_ledger_head(l, &a, &written), MON_OK);
    CHECK(a.count == 11 && written == 11);
}

/* Window ends: no recovery when recover_windows is 0; FAULTED -> STOPPED only after
 * stop_after_windows windows (and never when it is 0); escalation ignored once STOPPED. */
/* REQ: MON-REQ-SAFETY-002 */
static void test_windows_and_escalation(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    const double in_bad[2] = {9.0, 1.5};
    const double out_bad[2] = {2.0, 0.5};
    uint64_t t = 0;
    int i;
    base(&c, 0);
    c.recover_windows = 0;
    c.degrade_budget[MON_VIOL_INPUT_RANGE] = 0;
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, ++t, in_bad, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_DEGRADED);
    for (i = 0; i < 40; ++i)
        CHECK_STATUS(mon_monitor_step(m, ++t, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_DEGRADED); /* 4 clean windows, no recovery */
    /* FAULTED, stop_after_windows = 3: still FAULTED after 1 and 2 window ends, STOPPED at 3 */
    base(&c, 0);
    c.fault_budget[MON_VIOL_FAULT] = 0;
    c.degrade_budget[MON_VIOL_FAULT] = 0;
    c.stop_after_windows = 3;
    m = make(&c);
    t = 0;
    CHECK_STATUS(mon_monitor_step(m, ++t, in_ok, 2, out_ok, 2, 1, NULL, 1, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_FAULTED);
    for (i = 0; i < 29; ++i)
        CHECK_STATUS(mon_monitor_step(m, ++t, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_FAULTED);
    CHECK_STATUS(mon_monitor_step(m, ++t, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_STOPPED);
    /* stop_after_windows = 0: FAULTED stays */
    c.stop_after_windows = 0;
    m = make(&c);
    t = 0;
    CHECK_STATUS(mon_monitor_step(m, ++t, in_ok, 2, out_ok, 2, 1, NULL, 1, &v), MON_OK);
    for (i = 0; i < 40; ++i)
        CHECK_STATUS(mon_monitor_step(m, ++t, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_FAULTED);
    /* a STOP reaction, then a DEGRADE reaction in the same step: the state stays STOPPED */
    base(&c, 0);
    c.reaction[MON_VIOL_INPUT_RANGE] = MON_REACT_STOP;
    c.reaction[MON_VIOL_OUTPUT] = MON_REACT_DEGRADE;
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1, in_bad, 2, out_bad, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.state == MON_HEALTH_STOPPED && v.outputs_clamped == 1);
    CHECK((v.violations & (1u << MON_VIOL_OUTPUT)) != 0);
    /* both lengths set: the window closes at whichever comes first (here the ticks) */
    base(&c, 0);
    c.budget_ticks = 100;
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1000, in_bad, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK_STATUS(mon_monitor_step(m, 1050, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.window_counts[MON_VIOL_INPUT_RANGE] == 1);
    CHECK_STATUS(mon_monitor_step(m, 1100, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.window_counts[MON_VIOL_INPUT_RANGE] == 0); /* after 2 of its 10 steps */
    /* a window closed by ticks only (budget_steps 0), and by steps only (budget_ticks 0) */
    base(&c, 0);
    c.budget_steps = 0;
    c.budget_ticks = 100;
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1000, in_bad, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK_STATUS(mon_monitor_step(m, 1099, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.window_counts[MON_VIOL_INPUT_RANGE] == 1);
    CHECK_STATUS(mon_monitor_step(m, 1100, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.window_counts[MON_VIOL_INPUT_RANGE] == 0);
    base(&c, 0);
    c.budget_ticks = 0;
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1, in_bad, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    for (i = 0; i < 9; ++i)
        CHECK_STATUS(
            mon_monitor_step(m, 1000000u * (uint64_t)(i + 2), in_ok, 2, out_ok, 2, 1, NULL, 0, &v),
            MON_OK);
    CHECK(v.window_counts[MON_VIOL_INPUT_RANGE] == 1); /* 10 steps, however many ticks */
    CHECK_STATUS(mon_monitor_step(m, 20000000u, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.window_counts[MON_VIOL_INPUT_RANGE] == 0);
}

/* Activation contracts: each clause breaks it alone; and the step's argument checks. */
/* REQ: MON-REQ-SAFETY-001 */
static void test_layers_and_arguments(void)
{
    mon_monitor_config c;
    mon_monitor_verdict v;
    mon_monitor *m;
    mon_activation_stats a[2];
    unsigned char *mis = (unsigned char *)scratch + 1;
    base(&c, 0);
    m = make(&c);
    memset(a, 0, sizeof a);
    a[0].count = 10;
    a[0].max_value = 1.0;
    CHECK_STATUS(mon_monitor_step(m, 1, in_ok, 2, out_ok, 2, 1, a, 0, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_ACTIVATION] == 0);
    a[0].out_of_range = 11; /* more out of range than looked at */
    CHECK_STATUS(mon_monitor_step(m, 2, in_ok, 2, out_ok, 2, 1, a, 0, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_ACTIVATION] == 1);
    a[0].out_of_range = 0;
    a[0].max_value = 5.0; /* above max_overrange (4.0) alone */
    CHECK_STATUS(mon_monitor_step(m, 3, in_ok, 2, out_ok, 2, 1, a, 0, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_ACTIVATION] == 1);
    a[0].max_value = 4.0; /* at the bound: fine */
    CHECK_STATUS(mon_monitor_step(m, 4, in_ok, 2, out_ok, 2, 1, a, 0, &v), MON_OK);
    CHECK(v.counts[MON_VIOL_ACTIVATION] == 0);
    /* arguments: outputs NULL with outputs configured; misaligned activations; a wrong
     * number of outputs; activations NULL (no layer check) */
    CHECK_STATUS(mon_monitor_step(m, 5, in_ok, 2, NULL, 2, 1, NULL, 0, &v), MON_E_NULL);
    memcpy(mis, a, sizeof a[0]);
    CHECK_STATUS(mon_monitor_step(m, 5, in_ok, 2, out_ok, 2, 1,
                                  (const mon_activation_stats *)(void *)mis, 0, &v),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_monitor_step(m, 5, in_ok, 2, out_ok, 1, 1, NULL, 0, &v), MON_E_LENGTH);
    CHECK_STATUS(mon_monitor_step(m, 5, in_ok, 2, out_ok, 2, 1, NULL, 0, &v), MON_OK);
    CHECK(v.step == 5);
    /* no outputs configured: outputs may be NULL */
    base(&c, 0);
    c.n_outputs = 0;
    c.outputs = NULL;
    m = make(&c);
    CHECK_STATUS(mon_monitor_step(m, 1, in_ok, 2, NULL, 0, 1, NULL, 0, &v), MON_OK);
    CHECK(v.outputs == NULL && v.state == MON_HEALTH_HEALTHY);
}

int main(void)
{
    test_config_conditions();
    test_object_check();
    test_ledger_trail();
    test_windows_and_escalation();
    test_layers_and_arguments();
    MON_TEST_MAIN_END();
}
