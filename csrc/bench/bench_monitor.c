/* argv[3] = "plain": with "once", only the run without drift windows. */
/* Cost of one mon_monitor_step at 10 features x 10 bins (drift windows by count: 4 slots of 100
 * steps, PSI), envelopes on, no ledger: JSON rows {"name", "ns"} with the minimum over repeats of
 * the mean per step. argv[1]: steps per repeat (default 200000); argv[2] = "once": one repeat
 * (for callgrind: instructions / steps). Not part of the library. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "monitor.h"

#define NF 10
#define NB 10

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t mem[1 << 14];

int main(int argc, char **argv)
{
    static mon_monitor_feature f[NF];
    static double edges[NB + 1];
    static uint64_t ref[NB];
    static double xs[1024][NF];
    mon_monitor_config c;
    mon_monitor *m = NULL;
    mon_monitor_verdict v;
    long steps = argc > 1 ? atol(argv[1]) : 200000;
    int once = argc > 2 && strcmp(argv[2], "once") == 0;
    int plain_only = argc > 3 && strcmp(argv[3], "plain") == 0;
    int rep, i, k;
    double best = 1e300, best_hot = 1e300;
    uint64_t lcg = 1;
    for (i = 0; i <= NB; ++i)
        edges[i] = (i == 0) ? -1e300 : (i == NB ? 1e300 : (double)(i - NB / 2) * 0.4);
    for (i = 0; i < NB; ++i) ref[i] = 1000 + (uint64_t)i * 10;
    for (i = 0; i < 1024; ++i)
        for (k = 0; k < NF; ++k) {
            lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
            xs[i][k] = (double)(lcg >> 11) / 9007199254740992.0 * 4.0 - 2.0;
        }
    memset(&c, 0, sizeof c);
    for (k = 0; k < NF; ++k) {
        f[k].lo = -3.0;
        f[k].hi = 3.0;
        f[k].nedges = NB + 1;
        f[k].edges = edges;
        f[k].reference = ref;
    }
    c.n_features = NF;
    c.features = f;
    c.confidence_index = MON_MONITOR_NO_INDEX;
    for (k = 0; k < MON_VIOL_COUNT; ++k) {
        c.reaction[k] = MON_REACT_CLAMP;
        c.degrade_budget[k] = 0xffffffffu;
        c.fault_budget[k] = 0xffffffffu;
    }
    c.budget_steps = 1000;
    c.drift_mode = MON_DRIFT_BY_COUNT;
    c.drift_slots = 4;
    c.drift_slot_width = 100;
    c.drift_threshold = UINT64_MAX;
    c.drift_min_count = 1;
    if (mon_monitor_init(mem, sizeof mem, &c, &m) != MON_OK) return 1;
    for (rep = 0; rep < (once ? (plain_only ? 0 : 1) : 7); ++rep) {
        double t0 = now_ns(), t1;
        long s;
        for (s = 0; s < steps; ++s)
            mon_monitor_step(m, (uint64_t)s, xs[s & 1023], NF, NULL, 0, 0, NULL, 0, &v);
        t1 = now_ns();
        if ((t1 - t0) / (double)steps < best) best = (t1 - t0) / (double)steps;
    }
    /* without drift windows: envelopes and budgets only */
    c.drift_mode = MON_DRIFT_OFF;
    for (k = 0; k < NF; ++k) f[k].nedges = 0;
    if (mon_monitor_init(mem, sizeof mem, &c, &m) != MON_OK) return 1;
    for (rep = 0; rep < (once ? 1 : 7); ++rep) {
        double t0 = now_ns(), t1;
        long s;
        for (s = 0; s < steps; ++s)
            mon_monitor_step(m, (uint64_t)s, xs[s & 1023], NF, NULL, 0, 0, NULL, 0, &v);
        t1 = now_ns();
        if ((t1 - t0) / (double)steps < best_hot) best_hot = (t1 - t0) / (double)steps;
    }
    printf("{\"name\": \"monitor_step_10x10_drift\", \"ns\": %.1f}\n", best);
    printf("{\"name\": \"monitor_step_10_envelopes_only\", \"ns\": %.1f}\n", best_hot);
    return 0;
}
