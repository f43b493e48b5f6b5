/* C microbenchmark of mon_drift_scores (TV + JS + PSI in one pass): ns per call at several bin
 * counts. Not part of the core library. Usage: bench_drift [min_seconds_per_size] */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "monitor.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {10, 100, 1000};
    static const char *const drifts[] = {"mild", "moderate"};
    int di;
    double min_s = argc > 1 ? atof(argv[1]) : 0.3;
    size_t si;
    printf("{\"rows\": [\n");
    for (di = 0; di < 2; ++di)
        for (si = 0; si < sizeof sizes / sizeof sizes[0]; ++si) {
            size_t n = sizes[si], b;
            uint64_t *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
            mon_drift_result r;
            double best = 1e30;
            int rep;
            volatile uint64_t sink = 0;
            /* ~1e6 observations per window; mild drift: each bin moves by up to +-6% (|d| < 1/8,
         * the series branch); moderate: up to +-25% (some bins take the log branch) */
            for (b = 0; b < n; ++b) {
                q[b] = 1000000 / n + rng() % (1000000 / n / 4 + 1);
                if (di == 0)
                    p[b] = q[b] + rng() % (q[b] / 8 + 1) - q[b] / 16;
                else
                    p[b] = q[b] + rng() % (q[b] / 2 + 1) - q[b] / 4;
            }
            for (rep = 0; rep < 5; ++rep) {
                long iters = 0, k;
                double t0 = now_s(), t1;
                do {
                    for (k = 0; k < 1000; ++k) {
                        mon_drift_scores(p, q, n, NULL, &r);
                        sink += r.js_raw.lo;
                    }
                    iters += 1000;
                    t1 = now_s();
                } while (t1 - t0 < min_s / 5);
                if ((t1 - t0) / (double)iters < best) best = (t1 - t0) / (double)iters;
            }
            printf("  {\"drift\": \"%s\", \"bins\": %zu, \"ns_per_call\": %.1f}%s\n", drifts[di], n,
                   best * 1e9, (di == 1 && si + 1 == sizeof sizes / sizeof sizes[0]) ? "" : ",");
            free(p);
            free(q);
            (void)sink;
        }
    printf("]}\n");
    return 0;
}
