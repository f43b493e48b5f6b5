/* The compiled policy decoder (mon_policy): blobs built here field by field (the layout of
 * mon_policy.h), each check of mon_policy_peek / mon_policy_decode refused on its own while
 * the others hold, and a good blob decoded with NULL arrays where its counts are 0. Each case
 * is one condition of a decision toggled alone (MC/DC, make -C csrc mcdc). */
#include <stdint.h>
#include <string.h>

#include "monitor.h"
#include "mon_test.h"

#define HB MON_POLICY_HEADER_BYTES
static uint8_t blob[HB + 4 * MON_POLICY_FEATURE_BYTES + 4 * MON_POLICY_OUTPUT_BYTES +
                    4 * MON_POLICY_LAYER_BYTES + 4 * MON_POLICY_RULE_BYTES + 8];
static size_t blen;
static mon_monitor_feature feats[4];
static mon_monitor_range outs[4];
static mon_monitor_layer lays[4];
static mon_monitor_rule rules[4];
static mon_monitor_config cfg;
static uint64_t scratch[64];

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}
static void putf(uint8_t *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    put64(p, u);
}
static void seal(void) { put32(blob + blen - 4, mon_hist_crc32c(blob, blen - 4)); }

/* A valid blob with nf features, no outputs, nl layers and nr rules (drift off). */
static void build(uint32_t nf, uint32_t no, uint32_t nl, uint32_t nr)
{
    uint8_t *p;
    uint32_t i;
    memset(blob, 0, sizeof blob);
    blen = HB + nf * MON_POLICY_FEATURE_BYTES + no * MON_POLICY_OUTPUT_BYTES +
           nl * MON_POLICY_LAYER_BYTES + nr * MON_POLICY_RULE_BYTES + 4u;
    memcpy(blob, "MPOL", 4);
    blob[4] = MON_POLICY_VERSION;
    put32(blob + 8, (uint32_t)blen);
    memset(blob + 12, 0xab, 32); /* the policy hash */
    put32(blob + 44, nf);
    put32(blob + 48, no);
    put32(blob + 52, nl);
    put32(blob + 56, no > 0 ? 0u : MON_MONITOR_NO_INDEX);
    putf(blob + 60, 0.0);
    putf(blob + 68, 1.0);
    for (i = 0; i < MON_VIOL_COUNT; ++i) {
        blob[84 + i] = MON_REACT_LOG;
        put32(blob + 96 + 4 * i, 3u);
        put32(blob + 132 + 4 * i, 7u);
    }
    put64(blob + 168, 10u); /* budget_steps */
    put32(blob + 232, nr);
    p = blob + HB;
    for (i = 0; i < nf; ++i, p += MON_POLICY_FEATURE_BYTES) {
        putf(p, -1.0);
        putf(p + 8, 1.0);
    }
    for (i = 0; i < no; ++i, p += MON_POLICY_OUTPUT_BYTES) putf(p + 8, 1.0);
    for (i = 0; i < nl; ++i, p += MON_POLICY_LAYER_BYTES) putf(p, 1.0);
    for (i = 0; i < nr; ++i, p += MON_POLICY_RULE_BYTES) {
        put32(p, MON_RULE_THRESHOLD);
        put32(p + 4, MON_RULE_GT);
        putf(p + 8, 1.0);
        put32(p + 64, MON_SIG_LATENCY_NS);
        put32(p + 68, MON_HEALTH_DEGRADED);
    }
    seal();
}

static mon_status decode(void)
{
    return mon_policy_decode(blob, blen, feats, 4, outs, 4, lays, 4, rules, 4, &cfg, NULL);
}

/* REQ: MON-REQ-POLICY-002 */
static void test_header_checks(void)
{
    uint32_t nf, no, nl, nr;
    build(2, 1, 1, 1);
    CHECK_STATUS(mon_policy_peek(blob, blen, &nf, &no, &nl, &nr), MON_OK);
    CHECK(nf == 2 && no == 1 && nl == 1 && nr == 1);
    blob[0] = 'X'; /* the magic alone */
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    build(2, 1, 1, 1);
    blob[6] = 1; /* reserved byte 6 alone */
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    build(2, 1, 1, 1);
    blob[7] = 1; /* reserved byte 7 alone */
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    /* each declared count above its bound alone, then the reserved word after the rule count */
    build(2, 1, 1, 1);
    put32(blob + 44, MON_MONITOR_MAX_FEATURES + 1u);
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    build(2, 1, 1, 1);
    put32(blob + 48, MON_MONITOR_MAX_OUTPUTS + 1u);
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    build(2, 1, 1, 1);
    put32(blob + 52, MON_MONITOR_MAX_LAYERS + 1u);
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    build(2, 1, 1, 1);
    put32(blob + 232, MON_MONITOR_MAX_RULES + 1u);
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    build(2, 1, 1, 1);
    put32(blob + 236, 1u);
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    /* the counts at their bounds pass this check (and fail the length check after it) */
    build(2, 1, 1, 1);
    put32(blob + 44, MON_MONITOR_MAX_FEATURES);
    CHECK_STATUS(mon_policy_peek(blob, blen, NULL, NULL, NULL, NULL), MON_E_FORMAT);
}

/* REQ: MON-REQ-POLICY-002 */
static void test_arrays(void)
{
    mon_monitor_config *mcfg = (mon_monitor_config *)(void *)((unsigned char *)scratch + 1);
    build(2, 1, 1, 1);
    CHECK_STATUS(decode(), MON_OK);
    CHECK(cfg.n_features == 2 && cfg.n_outputs == 1 && cfg.n_layers == 1 && cfg.n_rules == 1);
    CHECK(cfg.features == feats && cfg.outputs == outs && cfg.layers == lays && cfg.rules == rules);
    /* a NULL array where its count is not 0, one at a time */
    CHECK_STATUS(mon_policy_decode(blob, blen, NULL, 4, outs, 4, lays, 4, rules, 4, &cfg, NULL),
                 MON_E_NULL);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, NULL, 4, lays, 4, rules, 4, &cfg, NULL),
                 MON_E_NULL);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, NULL, 4, rules, 4, &cfg, NULL),
                 MON_E_NULL);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, lays, 4, NULL, 4, &cfg, NULL),
                 MON_E_NULL);
    /* a misaligned array, one at a time */
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, lays, 4, rules, 4, mcfg, NULL),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_policy_decode(blob, blen, (mon_monitor_feature *)(void *)mcfg, 4, outs, 4,
                                   lays, 4, rules, 4, &cfg, NULL),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, (mon_monitor_range *)(void *)mcfg, 4, lays,
                                   4, rules, 4, &cfg, NULL),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, (mon_monitor_layer *)(void *)mcfg,
                                   4, rules, 4, &cfg, NULL),
                 MON_E_ALIGN);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, lays, 4,
                                   (mon_monitor_rule *)(void *)mcfg, 4, &cfg, NULL),
                 MON_E_ALIGN);
    /* an array too small, one at a time */
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 1, outs, 4, lays, 4, rules, 4, &cfg, NULL),
                 MON_E_SIZE);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 0, lays, 4, rules, 4, &cfg, NULL),
                 MON_E_SIZE);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, lays, 0, rules, 4, &cfg, NULL),
                 MON_E_SIZE);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, lays, 4, rules, 0, &cfg, NULL),
                 MON_E_SIZE);
    /* no layers, no rules: those arrays may be NULL (and are not looked at) while the
     * outputs are given */
    build(2, 1, 0, 0);
    memset(&cfg, 0, sizeof cfg);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, NULL, 0, NULL, 0, &cfg, NULL),
                 MON_OK);
    CHECK(cfg.n_outputs == 1 && cfg.outputs == outs && cfg.layers == NULL && cfg.rules == NULL);
    build(2, 1, 1, 0);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 4, outs, 4, lays, 4, NULL, 0, &cfg, NULL),
                 MON_OK);
    CHECK(cfg.n_layers == 1 && cfg.layers == lays && cfg.rules == NULL);
    /* counts 0: the arrays may be NULL (and are not looked at) */
    build(1, 0, 0, 0);
    memset(&cfg, 0, sizeof cfg);
    CHECK_STATUS(mon_policy_decode(blob, blen, feats, 1, NULL, 0, NULL, 0, NULL, 0, &cfg, NULL),
                 MON_OK);
    CHECK(cfg.n_features == 1 && cfg.outputs == NULL && cfg.layers == NULL && cfg.rules == NULL);
    CHECK(cfg.confidence_index == MON_MONITOR_NO_INDEX);
}

static void set_drift(uint32_t mode, uint32_t metric, uint32_t slots, uint64_t width, uint64_t minc)
{
    build(1, 0, 0, 0);
    put32(blob + 196, mode);
    put32(blob + 200, metric);
    put32(blob + 204, slots);
    put64(blob + 208, width);
    put64(blob + 224, minc);
    seal();
}

static mon_status decode1(void)
{
    return mon_policy_decode(blob, blen, feats, 1, NULL, 0, NULL, 0, NULL, 0, &cfg, NULL);
}

/* REQ: MON-REQ-POLICY-002 */
static void test_drift_fields(void)
{
    set_drift(MON_DRIFT_BY_COUNT, MON_METRIC_PSI, 4, 10, 5);
    CHECK_STATUS(decode1(), MON_OK);
    CHECK(cfg.drift_mode == MON_DRIFT_BY_COUNT && cfg.drift_slots == 4);
    set_drift(MON_DRIFT_BY_TICK + 1u, MON_METRIC_PSI, 4, 10, 5);
    CHECK_STATUS(decode1(), MON_E_CONFIG);
    set_drift(MON_DRIFT_BY_COUNT, MON_METRIC_TV + 1u, 4, 10, 5);
    CHECK_STATUS(decode1(), MON_E_CONFIG);
    set_drift(MON_DRIFT_BY_COUNT, MON_METRIC_PSI, 0, 10, 5);
    CHECK_STATUS(decode1(), MON_E_CONFIG);
    set_drift(MON_DRIFT_BY_COUNT, MON_METRIC_PSI, MON_MONITOR_MAX_DRIFT_SLOTS + 1u, 10, 5);
    CHECK_STATUS(decode1(), MON_E_CONFIG);
    set_drift(MON_DRIFT_BY_COUNT, MON_METRIC_PSI, 4, 0, 5);
    CHECK_STATUS(decode1(), MON_E_CONFIG);
    set_drift(MON_DRIFT_BY_COUNT, MON_METRIC_PSI, 4, 10, 0);
    CHECK_STATUS(decode1(), MON_E_CONFIG);
    /* drift off: the slot fields are not looked at */
    set_drift(MON_DRIFT_OFF, MON_METRIC_PSI, 0, 0, 0);
    CHECK_STATUS(decode1(), MON_OK);
    CHECK(cfg.drift_mode == MON_DRIFT_OFF);
}

int main(void)
{
    test_header_checks();
    test_arrays();
    test_drift_fields();
    MON_TEST_MAIN_END();
}
