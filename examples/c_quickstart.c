/*
 * C quickstart: latency histogram + input drift with no malloc, no libm, static memory only.
 * Build:  make -C csrc && cc -std=c99 -Icsrc examples/c_quickstart.c csrc/build/default/libmonitor.a
 * (printf is used by this example only; the library itself needs no stdio.)
 */
#include <math.h>  /* INFINITY and NAN only (macros; nothing is linked from libm) */
#include <stdio.h>
#include "monitor.h"

/* Caller-owned memory, sized at compile time with headroom; mon_*_size() checks it at run time. */
static uint64_t hist_mem[(16 * 1024 + 256) / 8];  /* 1 us .. 1 h at <= 1% error: 16,392 bytes */
static uint64_t binner_mem[512];

int main(void)
{
    /* 1. Latency distribution at the boundary. */
    mon_hist_config cfg = {1000u, 3600ull * 1000000000ull, MON_HIST_DEFAULT_SCALE};
    size_t need = mon_hist_size(&cfg);
    mon_hist *h = (mon_hist *)(void *)hist_mem;
    uint64_t num[3] = {50, 99, 999}, den[3] = {100, 100, 1000}, q[3];
    uint64_t i;
    if (need == 0 || need > sizeof hist_mem || mon_hist_init(hist_mem, sizeof hist_mem, &cfg) != MON_OK)
        return 1;
    for (i = 1; i <= 10000; ++i)              /* 10,000 requests: 2 ms .. 22 ms, one 800 ms */
        mon_hist_record(h, (i == 5000 ? 800000000u : 2000000u + (i % 200) * 100000u));
    if (mon_hist_quantiles(h, num, den, 3, q) != MON_OK)
        return 1;
    printf("p50 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  (%zu bytes of state)\n",
           (double)q[0] / 1e6, (double)q[1] / 1e6, (double)q[2] / 1e6, need);

    /* 2. Input drift: bin one feature against reference edges, then PSI / JS / TV. */
    {
        static const double edges[5] = {-INFINITY, 10.0, 20.0, 30.0, INFINITY};
        static const uint64_t reference[4] = {250, 250, 250, 250};
        static const double batch[8] = {5, 12, 25, 31, 33, 35, 40, NAN};
        uint64_t counts[4] = {0, 0, 0, 0};
        mon_bin_extra extra = {0, 0, 0};
        mon_binner *b;
        mon_drift_result r;
        mon_status st;
        if (mon_binner_size(5) > sizeof binner_mem ||
            mon_binner_init(binner_mem, sizeof binner_mem, edges, 5, &b) != MON_OK ||
            mon_bin_count(b, batch, 8, counts, &extra) != MON_OK)
            return 1;
        st = mon_drift_scores(counts, reference, 4, NULL, &r);
        if (st != MON_OK) {
            printf("drift: %s\n", mon_status_str(st));
            return 1;
        }
        /* Raw fixed-point results: PSI in 2^-64 units; print the integer part and the raw bits. */
        printf("counts %llu %llu %llu %llu, NaN %llu; psi_raw = 0x%016llx%016llx\n",
               (unsigned long long)counts[0], (unsigned long long)counts[1],
               (unsigned long long)counts[2], (unsigned long long)counts[3],
               (unsigned long long)extra.nan, (unsigned long long)r.psi_raw.hi,
               (unsigned long long)r.psi_raw.lo);
    }
    return 0;
}
