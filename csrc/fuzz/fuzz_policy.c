/* libFuzzer harness: the compiled safety policy decoder (mon_policy_peek, mon_policy_decode) on
 * arbitrary bytes. Must never read outside the input (ASan), never hit undefined behaviour
 * (UBSan), and whatever it accepts must be a valid monitor configuration: mon_monitor_init
 * succeeds on it and a few steps (in range, out of range, NaN) return MON_OK with a state in
 * range. */
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "fuzz_common.h"
#include "monitor.h"

static mon_monitor_feature g_feats[MON_MONITOR_MAX_FEATURES];
static mon_monitor_range g_outs[MON_MONITOR_MAX_OUTPUTS];
static mon_monitor_layer g_layers[MON_MONITOR_MAX_LAYERS];
static mon_monitor_rule g_rules[MON_MONITOR_MAX_RULES];
static uint64_t g_mem[1 << 14];
static double g_x[MON_MONITOR_MAX_FEATURES], g_y[MON_MONITOR_MAX_OUTPUTS];
static const double EDGES[3] = {-1.0, 0.0, 1.0};
static const uint64_t REF[2] = {1, 1};

static void check_bytes(const uint8_t *data, size_t size)
{
    mon_monitor_config cfg;
    mon_monitor *m = NULL;
    mon_monitor_verdict v;
    uint8_t hash[32];
    uint32_t nf = 0, no = 0, nl = 0, nr = 0, i, k;
    mon_status st = mon_policy_peek(data, size, &nf, &no, &nl, &nr);
    mon_status st2 = mon_policy_decode(data, size, g_feats, MON_MONITOR_MAX_FEATURES, g_outs,
                                       MON_MONITOR_MAX_OUTPUTS, g_layers, MON_MONITOR_MAX_LAYERS,
                                       g_rules, MON_MONITOR_MAX_RULES, &cfg, hash);
    if (st != MON_OK) {
        REQUIRE(st2 == st);
        return;
    }
    if (st2 != MON_OK) return;
    REQUIRE(cfg.n_features == nf && cfg.n_outputs == no && cfg.n_layers == nl && cfg.n_rules == nr);
    REQUIRE(memcmp(hash, data + 12, 32) == 0);
    for (i = 0; i < nf; ++i) {
        g_feats[i].nedges = (cfg.drift_mode == MON_DRIFT_OFF) ? 0u : 3u;
        g_feats[i].edges = EDGES;
        g_feats[i].reference = REF;
    }
    st = mon_monitor_init(g_mem, sizeof g_mem, &cfg, &m);
    if (st == MON_E_SIZE) return; /* a valid but large configuration */
    REQUIRE(st == MON_OK);
    for (k = 0; k < 3; ++k) {
        for (i = 0; i < nf; ++i) g_x[i] = (k == 0) ? 0.5 : (k == 1 ? 1e300 : (double)NAN);
        for (i = 0; i < no; ++i) g_y[i] = (k == 0) ? 0.5 : -1e300;
        REQUIRE(mon_monitor_step(m, k, g_x, nf, no ? g_y : NULL, no, k * 1000000u, NULL, k, &v) ==
                MON_OK);
        REQUIRE(v.state < MON_HEALTH_COUNT && v.inputs_clamped <= nf && v.outputs_clamped <= no);
    }
}

/* Each input is decoded as is, and with its length field and CRC-32C trailer recomputed, so
 * that mutations reach the value checks behind them. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t fixed[1 << 16];
    check_bytes(data, size);
    if (size >= MON_POLICY_HEADER_BYTES + 4 && size <= sizeof fixed) {
        uint32_t crc, n = (uint32_t)size;
        memcpy(fixed, data, size);
        memcpy(fixed, "MPOL\x01\x00\x00\x00", 8);
        fixed[8] = (uint8_t)n;
        fixed[9] = (uint8_t)(n >> 8);
        fixed[10] = (uint8_t)(n >> 16);
        fixed[11] = (uint8_t)(n >> 24);
        crc = mon_hist_crc32c(fixed, size - 4);
        fixed[size - 4] = (uint8_t)crc;
        fixed[size - 3] = (uint8_t)(crc >> 8);
        fixed[size - 2] = (uint8_t)(crc >> 16);
        fixed[size - 1] = (uint8_t)(crc >> 24);
        check_bytes(fixed, size);
    }
    return 0;
}
