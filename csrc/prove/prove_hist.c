/* Frama-C Eva harness (make -C csrc prove): mon_hist_record and mon_hist_quantiles on a
 * histogram built by mon_hist_init from any configuration (every lowest, highest and scale:
 * every init outcome), whose counters are then set to ANY values (so every state the recorders
 * can reach, saturated counters included), recording any value and asking for up to PROVE_Q
 * quantiles of any fractions. Eva checks every reachable statement for overflow, out-of-bounds
 * access, division by zero and invalid shifts. */
#include "__fc_builtin.h"
#include "mon_hist_internal.h"

#ifndef PROVE_Q
#define PROVE_Q 3
#endif

static uint64_t buf[MON_HIST_HEADER_BYTES / 8 + MON_HIST_MAX_BUCKETS];
static uint64_t num[PROVE_Q], den[PROVE_Q], out[PROVE_Q];

int main(void)
{
    mon_hist_config cfg;
    mon_hist *h = (mon_hist *)(void *)buf;
    uint64_t v;
    size_t n;
    Frama_C_make_unknown((char *)&cfg, sizeof cfg);
    cfg.scale = Frama_C_interval(-1, MON_HIST_MAX_SCALE + 1); /* beyond: rejected the same way */
    /* one analysis per scale (the shift counts are then exact) */
    /*@ split cfg.scale; */
    if (mon_hist_init(buf, sizeof buf, &cfg) != MON_OK) return 0;
    /* any reachable counter state: the counters are free, the configuration is init's */
    Frama_C_make_unknown((char *)&h->underflow, 7 * sizeof(uint64_t));
    Frama_C_make_unknown((char *)&h->total, sizeof(uint64_t));
    Frama_C_make_unknown((char *)h->counts, MON_HIST_MAX_BUCKETS * sizeof(uint64_t));
    Frama_C_make_unknown((char *)&v, sizeof v);
    (void)mon_hist_record(h, v);
    n = (size_t)Frama_C_interval(0, PROVE_Q);
    Frama_C_make_unknown((char *)num, sizeof num);
    Frama_C_make_unknown((char *)den, sizeof den);
    (void)mon_hist_quantiles(h, num, den, n, out);
    return 0;
}
