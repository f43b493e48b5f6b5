/* Status paths of mon_monitor and mon_policy (included by test_status_paths.c, which defines
 * ST, mis and the harness). */
#ifndef STATUS_PATHS_MONITOR_H
#define STATUS_PATHS_MONITOR_H

static uint64_t sp_mon[4096];
static uint64_t sp_led[4096];

static void sp_config(mon_monitor_config *c, mon_monitor_feature *f, const double *edges,
                      const uint64_t *ref)
{
    uint32_t k;
    memset(c, 0, sizeof *c);
    memset(f, 0, sizeof *f);
    f->lo = -1.0;
    f->hi = 1.0;
    f->nedges = 3;
    f->edges = edges;
    f->reference = ref;
    c->n_features = 1;
    c->features = f;
    c->confidence_index = MON_MONITOR_NO_INDEX;
    for (k = 0; k < MON_VIOL_COUNT; ++k) {
        c->degrade_budget[k] = 1;
        c->fault_budget[k] = 2;
    }
    c->budget_steps = 4;
    c->reset_from = 1u << MON_HEALTH_HEALTHY;
    c->drift_mode = MON_DRIFT_BY_COUNT;
    c->drift_slots = 1;
    c->drift_slot_width = 2;
    c->drift_min_count = 1;
}

static void test_monitor_policy_paths(void)
{
    static const double edges[3] = {-1.0, 0.0, 1.0};
    static const double bad_edges[3] = {-1.0, 1.0, 0.0};
    static const uint64_t ref[2] = {1, 1}, zero[2] = {0, 0};
    static const uint64_t big[2] = {UINT64_C(1) << 53, 1};
    static uint8_t blob[512];
    mon_monitor_feature f;
    mon_monitor_config c;
    mon_monitor *m = NULL;
    mon_monitor_verdict v;
    mon_ledger *l = NULL;
    mon_ledger_genesis g;
    double x[1] = {0.5};
    size_t n;
    uint32_t crc;
    mon_monitor_feature fs[2];
    mon_monitor_range os[1];
    mon_monitor_layer ls[1];

    /* check_config / init */
    sp_config(&c, &f, edges, ref);
    ST(mon_monitor_check_config, mon_monitor_check_config(&c), MON_OK);
    ST(mon_monitor_check_config, mon_monitor_check_config(NULL), MON_E_NULL);
    ST(mon_monitor_check_config, mon_monitor_check_config((const mon_monitor_config *)mis(&c)),
       MON_E_ALIGN);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, sizeof sp_mon, NULL, &m), MON_E_NULL);
    ST(mon_monitor_init, mon_monitor_init(mis(sp_mon), sizeof sp_mon - 8, &c, &m), MON_E_ALIGN);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, 16, &c, &m), MON_E_SIZE);
    c.budget_steps = 0;
    ST(mon_monitor_check_config, mon_monitor_check_config(&c), MON_E_CONFIG);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, sizeof sp_mon, &c, &m), MON_E_CONFIG);
    sp_config(&c, &f, edges, ref);
    f.lo = 2.0;
    ST(mon_monitor_check_config, mon_monitor_check_config(&c), MON_E_VALUE);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, sizeof sp_mon, &c, &m), MON_E_VALUE);
    sp_config(&c, &f, bad_edges, ref);
    ST(mon_monitor_check_config, mon_monitor_check_config(&c), MON_E_EDGES);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, sizeof sp_mon, &c, &m), MON_E_EDGES);
    sp_config(&c, &f, edges, zero);
    ST(mon_monitor_check_config, mon_monitor_check_config(&c), MON_E_EMPTY);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, sizeof sp_mon, &c, &m), MON_E_EMPTY);
    sp_config(&c, &f, edges, big);
    ST(mon_monitor_check_config, mon_monitor_check_config(&c), MON_E_OVERFLOW);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, sizeof sp_mon, &c, &m), MON_E_OVERFLOW);
    sp_config(&c, &f, edges, ref);
    ST(mon_monitor_init, mon_monitor_init(sp_mon, sizeof sp_mon, &c, &m), MON_OK);

    /* step */
    ST(mon_monitor_step, mon_monitor_step(m, 1, x, 1, NULL, 0, 0, NULL, 0, &v), MON_OK);
    ST(mon_monitor_step, mon_monitor_step(m, 1, NULL, 1, NULL, 0, 0, NULL, 0, &v), MON_E_NULL);
    ST(mon_monitor_step,
       mon_monitor_step(m, 1, x, 1, NULL, 0, 0, NULL, 0, (mon_monitor_verdict *)mis(&v)),
       MON_E_ALIGN);
    ST(mon_monitor_step, mon_monitor_step(m, 1, x, 2, NULL, 0, 0, NULL, 0, &v), MON_E_LENGTH);

    /* ledger */
    memset(&g, 0, sizeof g);
    n = mon_ledger_size(16);
    CHECK(n <= sizeof sp_led);
    CHECK(mon_ledger_init(sp_led, sizeof sp_led, 16, &g, 0, NULL, NULL, &l) == MON_OK);
    ST(mon_monitor_attach_ledger, mon_monitor_attach_ledger(m, l), MON_OK);
    ST(mon_monitor_attach_ledger, mon_monitor_attach_ledger(NULL, l), MON_E_NULL);
    ST(mon_monitor_attach_ledger, mon_monitor_attach_ledger((mon_monitor *)mis(m), l), MON_E_ALIGN);
    ST(mon_monitor_attach_ledger, mon_monitor_attach_ledger(m, (mon_ledger *)(void *)sp_mon),
       MON_E_STATE);

    /* reset */
    ST(mon_monitor_reset, mon_monitor_reset(m, 2, 0), MON_OK);      /* from HEALTHY: allowed */
    ST(mon_monitor_reset, mon_monitor_reset(m, 2, 0), MON_E_STATE); /* from INIT: refused */
    ST(mon_monitor_reset, mon_monitor_reset(NULL, 2, 0), MON_E_NULL);
    ST(mon_monitor_reset, mon_monitor_reset((mon_monitor *)mis(m), 2, 0), MON_E_ALIGN);
    {
        uint32_t saved;
        memcpy(&saved, m, 4);
        memset(m, 0, 4);
        ST(mon_monitor_step, mon_monitor_step(m, 1, x, 1, NULL, 0, 0, NULL, 0, &v), MON_E_STATE);
        memcpy(m, &saved, 4);
    }

    /* policy: a minimal valid blob, one feature */
    memset(blob, 0, sizeof blob);
    n = MON_POLICY_HEADER_BYTES + MON_POLICY_FEATURE_BYTES + 4;
    memcpy(blob, "MPOL\x01\x00\x00\x00", 8);
    blob[8] = (uint8_t)n;
    blob[9] = (uint8_t)(n >> 8);
    blob[44] = 1;                              /* one feature */
    memset(blob + 56, 0xff, 4);                /* no confidence output */
    memset(blob + 96, 0xff, 72);               /* budgets unlimited */
    blob[168] = 10;                            /* budget_steps */
    blob[MON_POLICY_HEADER_BYTES + 15] = 0xbf; /* lo = -1.0 (0xbff0...) */
    blob[MON_POLICY_HEADER_BYTES + 14] = 0xf0;
    blob[MON_POLICY_HEADER_BYTES + 8 + 7] = 0x3f; /* hi = 1.0 */
    blob[MON_POLICY_HEADER_BYTES + 8 + 6] = 0xf0;
#define SP_CRC()                            \
    do {                                    \
        crc = mon_hist_crc32c(blob, n - 4); \
        blob[n - 4] = (uint8_t)crc;         \
        blob[n - 3] = (uint8_t)(crc >> 8);  \
        blob[n - 2] = (uint8_t)(crc >> 16); \
        blob[n - 1] = (uint8_t)(crc >> 24); \
    } while (0)
    SP_CRC();
    ST(mon_policy_peek, mon_policy_peek(blob, n, NULL, NULL, NULL, NULL), MON_OK);
    ST(mon_policy_peek, mon_policy_peek(NULL, n, NULL, NULL, NULL, NULL), MON_E_NULL);
    ST(mon_policy_peek, mon_policy_peek(blob, 10, NULL, NULL, NULL, NULL), MON_E_TRUNCATED);
    ST(mon_policy_peek, mon_policy_peek(blob, n + 1, NULL, NULL, NULL, NULL), MON_E_FORMAT);
    ST(mon_policy_decode, mon_policy_decode(blob, n, fs, 2, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_OK);
    ST(mon_policy_decode, mon_policy_decode(NULL, n, fs, 2, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_E_NULL);
    ST(mon_policy_decode, mon_policy_decode(blob, n, fs, 2, os, 1, ls, 1, NULL, 0, NULL, NULL),
       MON_E_NULL);
    ST(mon_policy_decode, mon_policy_decode(blob, n - 1, fs, 2, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_E_TRUNCATED);
    ST(mon_policy_decode,
       mon_policy_decode(blob, n, (mon_monitor_feature *)mis(fs), 2, os, 1, ls, 1, NULL, 0, &c,
                         NULL),
       MON_E_ALIGN);
    ST(mon_policy_decode, mon_policy_decode(blob, n, fs, 0, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_E_SIZE);
    blob[200] ^= 1u;
    ST(mon_policy_peek, mon_policy_peek(blob, n, NULL, NULL, NULL, NULL), MON_E_CHECKSUM);
    ST(mon_policy_decode, mon_policy_decode(blob, n, fs, 2, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_E_CHECKSUM);
    blob[200] ^= 1u;
    blob[4] = 9u;
    SP_CRC();
    ST(mon_policy_decode, mon_policy_decode(blob, n, fs, 2, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_E_FORMAT);
    blob[4] = 1u;
    blob[84] = 7u; /* a reaction out of range */
    SP_CRC();
    ST(mon_policy_decode, mon_policy_decode(blob, n, fs, 2, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_E_CONFIG);
    blob[84] = 0u;
    blob[MON_POLICY_HEADER_BYTES + 8 + 7] = 0xbf; /* hi = -1.0 < lo? no: -1.0 == lo; use -2 */
    blob[MON_POLICY_HEADER_BYTES + 8 + 6] = 0xf8; /* hi = -1.5 */
    SP_CRC();
    ST(mon_policy_decode, mon_policy_decode(blob, n, fs, 2, os, 1, ls, 1, NULL, 0, &c, NULL),
       MON_E_VALUE);
#undef SP_CRC
}

#endif
