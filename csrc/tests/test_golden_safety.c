/*
 * Golden vectors of the safety monitor: replays monitor/data/golden_safety_v1.json (compiled in
 * via the generated golden_safety_v1_data.h) through mon_policy_decode, mon_monitor and
 * mon_ledger, and compares every step's verdict (state, violations, warnings, reactions, values
 * to use bit for bit, drift score) and the ledger's final head. Run by `make test` and by every
 * target of the cross matrix; prints "GOLDEN SAFETY PASS".
 */
#include <stdint.h>
#include <string.h>

#include "golden_safety_v1_data.h"
#include "mon_test.h"
#include "monitor.h"

static uint64_t mon_mem[4096];
static uint64_t led_mem[(MON_LEDGER_ENTRY_BYTES * GS_LEDGER_CAPACITY) / 8 + 1024];

static double dbl(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

static uint64_t bits(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

int main(void)
{
    mon_monitor_feature feats[2];
    mon_monitor_range outs[2];
    mon_monitor_layer layers[1];
    mon_monitor_rule rules[GS_NRULES + 1];
    mon_monitor_config cfg;
    mon_monitor *m = NULL;
    mon_ledger *l = NULL;
    mon_ledger_genesis g;
    uint8_t hash[32];
    double edges[GS_NEDGES];
    int i, bad = 0;
    CHECK_STATUS(mon_policy_decode(GS_POLICY, GS_POLICY_LEN, feats, 2, outs, 2, layers, 1, rules,
                                   GS_NRULES, &cfg, hash),
                 MON_OK);
    CHECK(memcmp(hash, GS_POLICY_HASH, 32) == 0);
    for (i = 0; i < GS_NEDGES; ++i) edges[i] = dbl(GS_EDGE_BITS[i]);
    for (i = 0; i < 2; ++i) {
        feats[i].nedges = GS_NEDGES;
        feats[i].edges = edges;
        feats[i].reference = GS_REF;
    }
    CHECK(mon_monitor_size(&cfg) <= sizeof mon_mem);
    CHECK_STATUS(mon_monitor_init(mon_mem, sizeof mon_mem, &cfg, &m), MON_OK);
    if (m == NULL) MON_TEST_MAIN_END();
    memset(&g, 0, sizeof g);
    memcpy(g.policy_hash, GS_POLICY_HASH, 32);
    memcpy(g.reference_digest, GS_REFERENCE_DIGEST, 32);
    g.checkpoint_every = GS_LEDGER_CHECKPOINT;
    g.model_len = (uint32_t)strlen(GS_MODEL);
    memcpy(g.model, GS_MODEL, g.model_len);
    if (GS_HAVE_LEDGER) {
        CHECK(mon_ledger_size(GS_LEDGER_CAPACITY) <= sizeof led_mem);
        CHECK_STATUS(
            mon_ledger_init(led_mem, sizeof led_mem, GS_LEDGER_CAPACITY, &g, 0, NULL, NULL, &l),
            MON_OK);
        CHECK_STATUS(mon_monitor_attach_ledger(m, l), MON_OK);
    }
    for (i = 0; i < GS_NSTEPS; ++i) {
        const gs_step *s = &GS_STEPS[i];
        mon_monitor_verdict v;
        mon_activation_stats a;
        double in[2], out[2];
        int k;
        if (s->reset_before >= 0) {
            mon_status st = mon_monitor_reset(m, s->tick, (uint32_t)s->reset_before);
            CHECK(st == (s->reset_allowed ? MON_OK : MON_E_STATE));
        }
        for (k = 0; k < 2; ++k) {
            in[k] = dbl(s->in[k]);
            out[k] = dbl(s->out[k]);
        }
        a.count = s->act_count;
        a.out_of_range = s->act_oor;
        a.saturated = s->act_sat;
        a.max_value = dbl(s->act_max);
        CHECK_STATUS(mon_monitor_step(m, s->tick, in, 2, out, 2, s->latency_ns,
                                      s->has_act ? &a : NULL, s->fault_flags, &v),
                     MON_OK);
        if (v.state != s->state || v.prev_state != s->prev_state || v.violations != s->violations ||
            v.warnings != s->warnings || v.reactions != s->reactions ||
            v.inputs_clamped != s->inputs_clamped || v.outputs_clamped != s->outputs_clamped ||
            v.window_faults != s->window_faults || v.drift_score != s->drift_score ||
            v.rules_firing != s->rules_firing || bits(v.inputs[0]) != s->e_in[0] ||
            bits(v.inputs[1]) != s->e_in[1] || bits(v.outputs[0]) != s->e_out[0] ||
            bits(v.outputs[1]) != s->e_out[1]) {
            if (bad < 5)
                fprintf(stderr, "step %d differs (state %u, expected %u)\n", i, v.state, s->state);
            ++bad;
        }
    }
    CHECK(bad == 0);
    if (GS_HAVE_LEDGER) {
        mon_ledger_anchor an;
        CHECK_STATUS(mon_ledger_head(l, &an, NULL), MON_OK);
        CHECK(an.count == GS_LEDGER_COUNT && memcmp(an.head, GS_LEDGER_HEAD, 32) == 0);
    }
    if (mon_test_failures == 0) printf("GOLDEN SAFETY PASS steps=%d\n", GS_NSTEPS);
    MON_TEST_MAIN_END();
}
