/* C microbenchmark of the latency histogram: ns per recorded value. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdint.h>
#include <time.h>
#include "monitor.h"

#define N 1000000
static uint64_t mem[(MON_HIST_HEADER_BYTES + 8 * 4096) / 8];
static uint64_t v[N];
static int64_t vi[N];
static double vd[N];

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
    mon_hist_config c = {1000u, UINT64_C(3600000000000), 6};
    mon_hist *h = (mon_hist *)mem;
    uint64_t x = 88172645463325252u;
    size_t i;
    int rep;
    double t0, best[4] = {1e9, 1e9, 1e9, 1e9};
    mon_hist_init(mem, sizeof mem, &c);
    for (i = 0; i < N; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[i] = 100000u + (x % 100000000u) / (1u + (x >> 60));
        vi[i] = (int64_t)v[i];
        vd[i] = (double)v[i] / 1e6;
    }
    for (rep = 0; rep < 5; ++rep) {
        t0 = now();
        for (i = 0; i < N; ++i) mon_hist_record(h, v[i]);
        if (now() - t0 < best[0]) best[0] = now() - t0;
        t0 = now();
        mon_hist_record_many(h, v, N);
        if (now() - t0 < best[1]) best[1] = now() - t0;
        t0 = now();
        mon_hist_record_many_i64(h, vi, N, MON_HIST_NS);
        if (now() - t0 < best[2]) best[2] = now() - t0;
        t0 = now();
        mon_hist_record_many_f64(h, vd, N, MON_HIST_MS);
        if (now() - t0 < best[3]) best[3] = now() - t0;
    }
    printf("record %.2f ns, record_many u64 %.2f ns, i64 %.2f ns, f64(ms) %.2f ns per value\n",
           best[0] * 1e9 / N, best[1] * 1e9 / N, best[2] * 1e9 / N, best[3] * 1e9 / N);
    return 0;
}
