/*
 * c_monitor.c - the whole runtime monitor on a C host, static memory only: a simulated
 * inference loop whose first feature drifts and whose engine then reports faults. Every
 * verdict that changes something is printed; the audit ledger is written through a callback
 * into a static "flash" buffer and verified at the end (and once more after a byte is tampered
 * with). Build (README "C safety monitor"):
 *
 *   make -C csrc
 *   cc -std=c99 -Icsrc examples/c_monitor.c csrc/build/default/libmonitor.a -o c_monitor
 *   ./c_monitor
 */
#include <stdio.h>
#include <string.h>

#include "monitor.h"

#define NF 3
#define NSTEPS 600

static uint64_t monitor_mem[2048];          /* mon_monitor_size() says how much is needed */
static uint64_t ledger_mem[8192];           /* mon_ledger_size(64) */
static uint8_t flash[MON_LEDGER_ENTRY_BYTES * 256]; /* the durable copy of the ledger */
static size_t flash_len;

static int write_flash(void *ctx, const uint8_t *bytes, size_t n)
{
    (void)ctx;
    if (flash_len + n > sizeof flash) return 1; /* full: the entry stays pending */
    memcpy(flash + flash_len, bytes, n);
    flash_len += n;
    return 0;
}

static const char *STATE[] = {"INIT", "HEALTHY", "DEGRADED", "FAULTED", "STOPPED"};
static const char *KIND[] = {"input_range", "input_nan", "output",  "confidence", "activation",
                             "latency",     "fault",     "drift",   "rule"};

/* Quantile edges and reference counts of each feature (from the host's training data). */
static const double EDGES[5] = {-1e300, -1.0, 0.0, 1.0, 1e300};
static const uint64_t REFERENCE[4] = {100, 400, 400, 100};

int main(void)
{
    static mon_monitor_feature feats[NF];
    static mon_monitor_range outputs[1] = {{0.0, 1.0}};
    static mon_monitor_config cfg;
    static const double cycle[10] = {-1.5, -0.5, -0.5, -0.5, -0.5, 0.5, 0.5, 0.5, 0.5, 1.5};
    mon_monitor *m = NULL;
    mon_ledger *ledger = NULL;
    mon_ledger_genesis genesis;
    mon_ledger_anchor anchor;
    mon_ledger_report report;
    mon_monitor_verdict v;
    uint32_t i, k, clamped = 0;
    mon_status st;

    for (i = 0; i < NF; ++i) {
        feats[i].lo = -3.0;
        feats[i].hi = 3.0;
        feats[i].nan_fill = 0.0;
        feats[i].nan_policy = MON_NAN_REJECT;
        feats[i].nedges = 5;
        feats[i].edges = EDGES;
        feats[i].reference = REFERENCE;
    }
    cfg.n_features = NF;
    cfg.n_outputs = 1;
    cfg.confidence_index = 0;
    cfg.confidence.lo = 0.6;
    cfg.confidence.hi = 1.0;
    cfg.features = feats;
    cfg.outputs = outputs;
    cfg.max_latency_ns = 5000000; /* 5 ms */
    for (k = 0; k < MON_VIOL_COUNT; ++k) {
        cfg.reaction[k] = MON_REACT_LOG;
        cfg.degrade_budget[k] = 0xffffffffu; /* unlimited */
        cfg.fault_budget[k] = 0xffffffffu;
    }
    cfg.reaction[MON_VIOL_INPUT_RANGE] = MON_REACT_CLAMP;
    cfg.reaction[MON_VIOL_CONFIDENCE] = MON_REACT_WARN;
    cfg.reaction[MON_VIOL_DRIFT] = MON_REACT_DEGRADE;
    cfg.degrade_budget[MON_VIOL_FAULT] = 1;
    cfg.fault_budget[MON_VIOL_FAULT] = 3;
    cfg.budget_steps = 20;
    cfg.recover_windows = 2;
    cfg.stop_after_windows = 2;
    cfg.reset_from = 1u << MON_HEALTH_STOPPED;
    cfg.drift_mode = MON_DRIFT_BY_COUNT;
    cfg.drift_metric = MON_METRIC_PSI;
    cfg.drift_slots = 2;
    cfg.drift_slot_width = 50;
    cfg.drift_threshold = UINT64_C(1) << 30; /* PSI 0.25 in 2^-32 units */
    cfg.drift_min_count = 50;

    printf("monitor needs %lu bytes, ledger %lu bytes\n", (unsigned long)mon_monitor_size(&cfg),
           (unsigned long)mon_ledger_size(64));
    st = mon_monitor_init(monitor_mem, sizeof monitor_mem, &cfg, &m);
    if (st != MON_OK) {
        printf("mon_monitor_init: %s\n", mon_status_str(st));
        return 1;
    }
    memset(&genesis, 0, sizeof genesis);
    genesis.policy_hash[0] = 0xab; /* the policy's RFC 8785 hash (monitor.policy) */
    genesis.checkpoint_every = 32;
    genesis.model_len = 9;
    memcpy(genesis.model, "demo-v1.0", 9);
    st = mon_ledger_init(ledger_mem, sizeof ledger_mem, 64, &genesis, 0, write_flash, NULL, &ledger);
    if (st != MON_OK || mon_monitor_attach_ledger(m, ledger) != MON_OK) {
        printf("ledger: %s\n", mon_status_str(st));
        return 1;
    }

    for (i = 0; i < NSTEPS; ++i) {
        double x[NF], y[1];
        uint64_t tick = 1000000u * (uint64_t)i; /* 1 ms per inference */
        uint32_t faults = (i >= 400 && i < 410) ? 0x4u : 0u; /* the engine's ECC flag */
        x[0] = (i >= 200 && i < 430) ? 1.5 : cycle[i % 10]; /* feature 0 drifts, steps 200..429 */
        x[1] = cycle[(i * 3) % 10];
        x[2] = (i == 120) ? 42.0 : cycle[(i * 7) % 10]; /* one out-of-range value */
        y[0] = (i % 97 == 0) ? 0.4 : 0.9;
        if (i == 450) {
            st = mon_monitor_reset(m, tick, 1);
            printf("step %3u: reset -> %s\n", i, st == MON_OK ? "allowed" : "refused");
        }
        st = mon_monitor_step(m, tick, x, NF, y, 1, 800000, NULL, faults, &v);
        if (st != MON_OK) {
            printf("mon_monitor_step: %s\n", mon_status_str(st));
            return 1;
        }
        clamped += v.inputs_clamped;
        if (v.state != v.prev_state || v.inputs_clamped > 0) {
            printf("step %3u: %-8s -> %-8s", i, STATE[v.prev_state], STATE[v.state]);
            for (k = 0; k < MON_VIOL_COUNT; ++k) {
                if (v.violations & (1u << k)) printf(" %s", KIND[k]);
            }
            if (v.inputs_clamped > 0) printf(" (clamped to %.1f)", v.inputs[2]);
            if (v.drift_scored) printf(" psi(f%u)=%.3f", v.drift_feature, (double)v.drift_score / 4294967296.0);
            printf("\n");
        }
    }
    (void)mon_ledger_head(ledger, &anchor, NULL);
    st = mon_ledger_verify(flash, flash_len, &anchor, &report);
    printf("final state %s, %u values clamped; ledger: %lu entries, verify %s\n", STATE[v.state],
           clamped, (unsigned long)anchor.count, st == MON_OK ? "OK" : mon_status_str(st));
    flash[MON_LEDGER_ENTRY_BYTES * 3 + 70] ^= 1u; /* tamper with entry 3 */
    st = mon_ledger_verify(flash, flash_len, &anchor, &report);
    printf("after tampering: %s at entry %lu\n", mon_status_name(st), (unsigned long)report.first_bad);
    return v.state == MON_HEALTH_HEALTHY ? 0 : 1;
}
