/* Worst cases of the safety-monitor units for callgrind_hot's `worst` mode (hot_cost.py --worst):
 * mon_monitor_step, mon_rule_step, mon_rule_step_many, mon_ledger_append, mon_ledger_verify.
 * Same rules as callgrind_hot.c: each w_ driver calls its function on the worst input its stated
 * bounds admit, every call taking the same (longest) path, so inclusive cost / calls is the
 * worst-case count of one call; a call that does not succeed is counted in *bad (the run fails).
 * Where one call changes the state the next would see (a rule's sample ring, a ledger's chain
 * position), the worst state is rebuilt between the calls outside the w_ driver. Why each input
 * is the worst is said in hot_cost.py's WORST table. Not part of the library. */
#include <stdint.h>
#include <string.h>
#include "monitor.h"

#define NOINLINE __attribute__((noinline))

/* ---- mon_rule_step / mon_rule_step_many ---------------------------------------------------- */
#define RCALLS 64
#define RBATCH 256                      /* rules per mon_rule_step_many call (cost linear in n) */
#define RRES (MON_RULE_MAX_SAMPLES - 2) /* the largest resolution: the most samples kept */
#define RWIN ((uint64_t)RRES * 1000u)   /* window: one sample every 1000 ticks */

static mon_rule_config rcfg[RBATCH];
static mon_rule_state rworst, rst[RBATCH];
static mon_rule_event rev[RBATCH];
static double rval[RBATCH];
static uint64_t rtick;

/* A relative rate rule whose ring is full (resolution + 1 samples, the most a step leaves), and
 * a tick two windows later: the step drops every sample but the newest (the longest loop),
 * divides by a non-zero past value, the condition is true, the rule fires (INACTIVE -> FIRING)
 * and the new sample is stored. */
static void rule_worst_state(mon_rule_config *c, mon_rule_state *st)
{
    uint64_t t;
    mon_rule_event ev;
    memset(c, 0, sizeof *c);
    c->kind = MON_RULE_RATE;
    c->op = MON_RULE_GT;
    c->threshold = 0.5;
    c->clear_threshold = 0.25;
    c->has_clear = 1u;
    c->keep_firing_for_ticks = 10u;
    c->window_ticks = RWIN;
    c->resolution = RRES;
    c->relative = 1u;
    (void)mon_rule_init(c, st);
    for (t = 0; t <= RWIN; t += 1000u) (void)mon_rule_step(c, st, t, 1.0, &ev); /* no change */
    rtick = 3u * RWIN;
}

NOINLINE static void w_rule_step(unsigned *bad)
{
    *bad += (unsigned)(mon_rule_step(&rcfg[0], &rst[0], rtick, 1e9, &rev[0]) != MON_OK);
    *bad += (unsigned)(rev[0].transition != MON_RULE_TO_FIRING);
}

NOINLINE static void w_rule_step_many(unsigned *bad)
{
    size_t done = 0;
    *bad += (unsigned)(mon_rule_step_many(rcfg, rst, RBATCH, rtick, rval, rev, &done) != MON_OK);
    *bad += (unsigned)(done != RBATCH || rev[RBATCH - 1].transition != MON_RULE_TO_FIRING);
}

/* ---- mon_ledger_append / mon_ledger_verify ------------------------------------------------- */
#define LCAP 4096u    /* ring capacity (entries kept); the append's cost does not depend on it */
#define LVERIFY 4096u /* entries verified per mon_ledger_verify call (cost linear in entries) */
static uint64_t lmem[(64u + (size_t)LCAP * MON_LEDGER_ENTRY_BYTES) / 8u + 64u];
static uint64_t lbytes[(size_t)LVERIFY * MON_LEDGER_ENTRY_BYTES / 8u];
static uint8_t lpayload[MON_LEDGER_MAX_PAYLOAD];
static uint64_t lwritten;

static int sink(void *ctx, const uint8_t *bytes, size_t n)
{
    (void)ctx;
    (void)bytes;
    lwritten += n;
    return 0;
}

/* checkpoint_every = 2: with one genesis entry, every append from the second on finds the
 * next index even, so it commits a checkpoint before the event (two SHA-256 of 192 bytes). */
static mon_ledger *ledger_new(mon_ledger_write_fn w)
{
    mon_ledger_genesis g;
    mon_ledger *l = NULL;
    memset(&g, 0xa5, sizeof g);
    g.checkpoint_every = 2u;
    g.model_len = MON_LEDGER_MODEL_MAX;
    memset(g.model, 'm', sizeof g.model);
    if (mon_ledger_size(LCAP) > sizeof lmem) return NULL;
    if (mon_ledger_init(lmem, sizeof lmem, LCAP, &g, 0u, w, NULL, &l) != MON_OK) return NULL;
    return l;
}

NOINLINE static void w_ledger_append(mon_ledger *l, uint64_t tick, unsigned *bad)
{
    *bad += (unsigned)(mon_ledger_append(l, MON_LEDGER_HOST, tick, lpayload, sizeof lpayload) !=
                       MON_OK);
}

NOINLINE static void w_ledger_verify(const mon_ledger_anchor *a, unsigned *bad)
{
    mon_ledger_report rep;
    *bad +=
        (unsigned)(mon_ledger_verify((const uint8_t *)lbytes, sizeof lbytes, a, &rep) != MON_OK);
    *bad += (unsigned)(rep.count != LVERIFY);
}

/* ---- mon_monitor_step ---------------------------------------------------------------------- */
#define MF MON_MONITOR_MAX_FEATURES
#define MB MON_MONITOR_MAX_BINS
#define MO MON_MONITOR_MAX_OUTPUTS
#define ML MON_MONITOR_MAX_LAYERS
#define MR MON_MONITOR_MAX_RULES
#define MS MON_MONITOR_MAX_DRIFT_SLOTS
#define MCALLS 2
static mon_monitor_feature mfeat[MF];
static double medges[MB + 1];
static uint64_t mref[MB];
static mon_monitor_range mouts[MO];
static mon_monitor_layer mlayers[ML];
static mon_monitor_rule mrules[MR];
static mon_activation_stats mact[ML];
static double min[MF], mout[MO];
/* (MS + 1) slots x MF x MB window counts dominate: ~137 MB */
static uint64_t mmem[((size_t)(MS + 2) * MF * MB * 8u + (size_t)MF * 65536u) / 8u];
static uint64_t mlmem[(64u + (size_t)LCAP * MON_LEDGER_ENTRY_BYTES) / 8u + 64u];

NOINLINE static void w_monitor_step(mon_monitor *m, uint64_t tick, uint64_t lat, unsigned *bad)
{
    mon_monitor_verdict v;
    *bad += (unsigned)(mon_monitor_step(m, tick, min, MF, mout, MO, lat, mact, 1u, &v) != MON_OK);
    *bad +=
        (unsigned)(v.drift_scored != 1u ||
                   v.violations != (((1u << MON_VIOL_COUNT) - 1u) & ~(1u << MON_VIOL_INPUT_NAN)) ||
                   v.ledger_status != 0u);
}

static mon_monitor *monitor_new(void)
{
    static mon_monitor_config c;
    mon_monitor *m = NULL;
    mon_ledger *l = NULL;
    mon_ledger_genesis g;
    uint32_t i;
    for (i = 0; i <= MB; ++i) medges[i] = (double)i;
    for (i = 0; i < MB; ++i) mref[i] = (i & 1u) ? UINT64_C(1) << 40 : 1u; /* extreme ratios */
    memset(&c, 0, sizeof c);
    for (i = 0; i < MF; ++i) {
        mfeat[i].lo = 0.0;
        mfeat[i].hi = 0.5; /* every input (in the bins' range) is outside its envelope */
        mfeat[i].nan_fill = 0.0;
        mfeat[i].nan_policy = MON_NAN_REJECT;
        mfeat[i].nedges = MB + 1u;
        mfeat[i].edges = medges;
        mfeat[i].reference = mref;
        min[i] = 1.5 + (double)((i * 7u) % (MB - 2u));
    }
    for (i = 0; i < MO; ++i) {
        mouts[i].lo = 0.0;
        mouts[i].hi = 1.0;
        mout[i] = 2.0; /* every output out of range */
    }
    for (i = 0; i < ML; ++i) {
        mlayers[i].max_overrange = 1.0;
        mlayers[i].max_saturated = 0u;
        mlayers[i].max_rate_ppm = 0u;
        /* bad only by the last test of the contract (max_value above max_overrange) */
        mact[i].count = 10u;
        mact[i].out_of_range = 0u;
        mact[i].saturated = 0u;
        mact[i].max_value = 2.0;
    }
    for (i = 0; i < MR; ++i) {
        mrules[i].rule.kind = MON_RULE_THRESHOLD;
        /* latency alternates 2 and 3: at every step half the rules fire, half resolve */
        mrules[i].rule.op = (i & 1u) ? MON_RULE_LT : MON_RULE_GT;
        mrules[i].rule.threshold = 2.5;
        mrules[i].signal = MON_SIG_LATENCY_NS;
        mrules[i].action = MON_HEALTH_DEGRADED;
    }
    c.n_features = MF;
    c.n_outputs = MO;
    c.n_layers = ML;
    c.confidence_index = 0u;
    c.features = mfeat;
    c.outputs = mouts;
    c.layers = mlayers;
    c.confidence.lo = 0.0;
    c.confidence.hi = 0.5; /* the clamped output (1.0) still breaks it */
    c.max_latency_ns = 1u;
    for (i = 0; i < MON_VIOL_COUNT; ++i) {
        c.reaction[i] = MON_REACT_DEGRADE; /* log, warn, clamp and degrade (STOP would latch) */
        c.degrade_budget[i] = UINT32_MAX;
        c.fault_budget[i] = UINT32_MAX;
    }
    c.budget_steps = UINT64_MAX;
    c.drift_mode = MON_DRIFT_BY_COUNT;
    c.drift_metric = MON_METRIC_JS_DISTANCE;
    c.drift_slots = MS;
    c.drift_slot_width = 1u;
    c.drift_threshold = 0u;
    c.drift_min_count = MS; /* scored once all MS complete slots hold their one row */
    c.n_rules = MR;
    c.rules = mrules;
    if (mon_monitor_size(&c) == 0u || mon_monitor_size(&c) > sizeof mmem) return NULL;
    if (mon_monitor_init(mmem, sizeof mmem, &c, &m) != MON_OK) return NULL;
    memset(&g, 0, sizeof g);
    g.checkpoint_every = 2u;
    if (mon_ledger_size(LCAP) > sizeof mlmem) return NULL;
    if (mon_ledger_init(mlmem, sizeof mlmem, LCAP, &g, 0u, sink, NULL, &l) != MON_OK) return NULL;
    if (mon_monitor_attach_ledger(m, l) != MON_OK) return NULL;
    return m;
}

int worst_safety(unsigned *bad)
{
    mon_ledger *l;
    mon_ledger_anchor a;
    mon_monitor *m;
    mon_monitor_verdict v;
    uint64_t t;
    size_t i;
    /* rules */
    rule_worst_state(&rcfg[0], &rworst);
    for (i = 0; i < RCALLS; ++i) {
        rst[0] = rworst;
        w_rule_step(bad);
    }
    for (i = 0; i < RBATCH; ++i) {
        rcfg[i] = rcfg[0];
        rval[i] = 1e9;
    }
    for (i = 0; i < 4; ++i) {
        size_t j;
        for (j = 0; j < RBATCH; ++j) rst[j] = rworst;
        w_rule_step_many(bad);
    }
    /* ledger: append with a write callback and a checkpoint due at every call */
    l = ledger_new(sink);
    if (l == NULL) return 20;
    memset(lpayload, 0x5a, sizeof lpayload);
    if (mon_ledger_append(l, MON_LEDGER_HOST, 1u, lpayload, sizeof lpayload) != MON_OK) return 21;
    for (t = 2; t < 2u + 64u; ++t) w_ledger_append(l, t, bad);
    /* verify: LVERIFY good entries (every other one a checkpoint), an anchor at the last one */
    l = ledger_new(NULL);
    if (l == NULL) return 22;
    for (t = 1; t < LVERIFY; ++t) {
        mon_ledger_anchor h;
        if (mon_ledger_head(l, &h, NULL) != MON_OK || h.count >= LVERIFY) break;
        if (h.count + 2u > LVERIFY) { /* one slot left: an event whose index is odd */
            if (mon_ledger_append(l, MON_LEDGER_HOST, t, lpayload, sizeof lpayload) != MON_OK)
                return 23;
            break;
        }
        if (mon_ledger_append(l, MON_LEDGER_HOST, t, lpayload, sizeof lpayload) != MON_OK)
            return 23;
    }
    if (mon_ledger_head(l, &a, NULL) != MON_OK || a.count != LVERIFY) return 24;
    for (t = 0; t < LVERIFY; ++t) {
        if (mon_ledger_entry_bytes(l, t, (uint8_t *)lbytes + (size_t)t * MON_LEDGER_ENTRY_BYTES) !=
            MON_OK)
            return 25;
    }
    for (i = 0; i < 4; ++i) w_ledger_verify(&a, bad);
    /* monitor: MS warm-up steps fill the window's complete slots (one row each; below
     * drift_min_count, so they are not scored), then every step scores every feature */
    m = monitor_new();
    if (m == NULL) return 26;
    for (t = 0; t < MS; ++t) {
        if (mon_monitor_step(m, t, min, MF, mout, MO, 2u + (t & 1u), mact, 1u, &v) != MON_OK)
            return 27;
    }
    for (i = 0; i < MCALLS; ++i, ++t) w_monitor_step(m, t, 2u + (t & 1u), bad);
    return 0;
}
