/* Instruction counts of the hot paths, for valgrind --tool=callgrind (tools/cert/hot_cost.py):
 * each function below is called N times from its own noinline driver, so callgrind's
 * inclusive cost of a driver divided by N is the instructions per call (per value for the
 * array functions). Not part of the library. */
#include <stdint.h>
#include <stdio.h>
#include "monitor.h"

#define N 100000
#define NOINLINE __attribute__((noinline))
static uint64_t hmem[(MON_HIST_HEADER_BYTES + 8 * 4096) / 8];
static uint64_t smem[4096];
static uint64_t rmem[200000];
static uint64_t v[N];
static double vd[N];

NOINLINE static void drive_hist_record(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; ++i) mon_hist_record(h, v[i]);
}
NOINLINE static void drive_hist_record_f64(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; ++i) (void)mon_hist_record_f64(h, vd[i], MON_HIST_MS);
}
NOINLINE static void drive_hist_record_many(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; i += 1000) mon_hist_record_many(h, v + i, 1000);
}
NOINLINE static void drive_hist_record_many_f64(mon_hist *h)
{
    size_t i;
    for (i = 0; i < N; i += 1000) (void)mon_hist_record_many_f64(h, vd + i, 1000, MON_HIST_MS);
}
NOINLINE static void drive_ring_record(mon_hist_ring *r)
{
    size_t i;
    for (i = 0; i < N; ++i) (void)mon_hist_ring_record(r, (uint64_t)i * 1000u, v[i]);
}
NOINLINE static void drive_service(mon_service *s)
{
    size_t i;
    for (i = 0; i < N; ++i) {
        mon_service_begin(s, (uint64_t)i * 1000u);
        (void)mon_service_ok(s, (uint64_t)i * 1000u + 1u);
    }
}

int main(void)
{
    mon_hist_config c = {1000u, UINT64_C(3600000000000), 6};
    mon_hist_config rc = {1000u, UINT64_C(3600000000), 4};
    mon_window_config w = {1000000u, 0u, 16u, 0u};
    uint64_t x = 88172645463325252u;
    size_t i;
    for (i = 0; i < N; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v[i] = 100000u + (x % 100000000u) / (1u + (x >> 60));
        vd[i] = (double)v[i] / 1e6;
    }
    if (mon_hist_init(hmem, sizeof hmem, &c) != MON_OK) return 1;
    if (mon_service_init(smem, sizeof smem, &w) != MON_OK) return 1;
    if (mon_hist_ring_init(rmem, sizeof rmem, &rc, &w) != MON_OK) return 1;
    drive_hist_record((mon_hist *)(void *)hmem);
    drive_hist_record_f64((mon_hist *)(void *)hmem);
    drive_hist_record_many((mon_hist *)(void *)hmem);
    drive_hist_record_many_f64((mon_hist *)(void *)hmem);
    drive_ring_record((mon_hist_ring *)(void *)rmem);
    drive_service((mon_service *)(void *)smem);
    printf("N=%d\n", N);
    return 0;
}
