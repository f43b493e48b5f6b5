/* C side-by-side benchmark: mon_drift_scores (exact, fixed point) against drift_double_scores (plain
 * double + libm log) on the same count vectors, interleaved (A, B, A, B, ...) so that both see the
 * same background load; the minimum over the rounds is reported.
 *
 *   bench_drift_c time [min_seconds_per_case]   -> JSON rows on stdout
 *   bench_drift_c run IMPL BINS SMOOTHING DRIFT ITERS
 *       -> run one case ITERS times (for instruction counts under callgrind: the difference
 *          between ITERS = K and ITERS = 0 runs, divided by K, is the cost of one call)
 * IMPL: monitor | double; SMOOTHING: laplace | floor; DRIFT: mild | moderate. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drift_double.h"
#include "monitor.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ~1e6 observations per window; mild drift: each bin moves by up to +-6% (|d| < 1/8: the series
 * branch of the exact code); moderate: up to +-25% (some bins take the log branch). */
static void fill(uint64_t *p, uint64_t *q, size_t n, int moderate)
{
    size_t b;
    uint64_t per = 1000000 / n > 0 ? 1000000 / n : 1;
    rng_state = 0x9e3779b97f4a7c15u + n;
    for (b = 0; b < n; ++b) {
        q[b] = per + rng() % (per / 4 + 1);
        if (!moderate)
            p[b] = q[b] + rng() % (q[b] / 8 + 1) - q[b] / 16;
        else
            p[b] = q[b] + rng() % (q[b] / 2 + 1) - q[b] / 4;
    }
}

static volatile uint64_t sink_u;
static volatile double sink_d;

static void call_monitor(const uint64_t *p, const uint64_t *q, size_t n, const mon_psi_options *o,
                         long iters)
{
    mon_drift_result r;
    long k;
    for (k = 0; k < iters; ++k) {
        mon_drift_scores(p, q, n, o, &r);
        sink_u += r.js_raw.lo;
    }
}

static void call_double(const uint64_t *p, const uint64_t *q, size_t n, int fl, long iters)
{
    drift_double_result r;
    long k;
    for (k = 0; k < iters; ++k) {
        drift_double_scores(p, q, n, fl, 1e-4, &r);
        sink_d += r.js;
    }
}

static int run_one(int argc, char **argv)
{
    size_t n;
    int fl, moderate;
    long iters;
    uint64_t *p, *q;
    mon_psi_options o = {MON_PSI_LAPLACE, 0, 0};
    if (argc < 7) return 2;
    if (strcmp(argv[2], "monitor") != 0 && strcmp(argv[2], "double") != 0) {
        fprintf(stderr, "bench_drift_c: unknown IMPL '%s' (monitor | double)\n", argv[2]);
        return 2;
    }
    n = (size_t)strtoul(argv[3], NULL, 10);
    fl = strcmp(argv[4], "floor") == 0;
    moderate = strcmp(argv[5], "moderate") == 0;
    iters = strtol(argv[6], NULL, 10);
    p = malloc(n * sizeof *p);
    q = malloc(n * sizeof *q);
    if (!p || !q) return 3;
    fill(p, q, n, moderate);
    if (fl) o.smoothing = MON_PSI_FLOOR;
    if (strcmp(argv[2], "monitor") == 0)
        call_monitor(p, q, n, &o, iters);
    else
        call_double(p, q, n, fl, iters);
    free(p);
    free(q);
    return 0;
}

int main(int argc, char **argv)
{
    static const size_t sizes[] = {10, 32, 64, 100, 1000, 10000};
    double min_s;
    size_t si;
    int first = 1, sm, dr;
    if (argc > 1 && strcmp(argv[1], "run") == 0) return run_one(argc, argv);
    min_s = argc > 2 ? atof(argv[2]) : 0.2;
    printf("{\"rows\": [\n");
    for (sm = 0; sm < 2; ++sm)
        for (dr = 0; dr < 2; ++dr)
            for (si = 0; si < sizeof sizes / sizeof sizes[0]; ++si) {
                size_t n = sizes[si];
                uint64_t *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
                mon_psi_options o = {MON_PSI_LAPLACE, 0, 0};
                double best_m = 1e30, best_d = 1e30;
                long iters = (long)(20000 / n) + 1;
                int round;
                if (!p || !q) return 3;
                if (sm) o.smoothing = MON_PSI_FLOOR;
                fill(p, q, n, dr);
                call_monitor(p, q, n, &o, iters); /* warm up */
                call_double(p, q, n, sm, iters);
                for (round = 0; round < 9; ++round) {
                    double t0, t1, t2;
                    long done = 0;
                    t0 = now_s();
                    do {
                        call_monitor(p, q, n, &o, iters);
                        done += iters;
                        t1 = now_s();
                    } while (t1 - t0 < min_s / 18);
                    if ((t1 - t0) / (double)done < best_m) best_m = (t1 - t0) / (double)done;
                    done = 0;
                    do {
                        call_double(p, q, n, sm, iters);
                        done += iters;
                        t2 = now_s();
                    } while (t2 - t1 < min_s / 18);
                    if ((t2 - t1) / (double)done < best_d) best_d = (t2 - t1) / (double)done;
                }
                printf("%s  {\"bins\": %zu, \"smoothing\": \"%s\", \"drift\": \"%s\", "
                       "\"monitor_ns\": %.1f, \"double_ns\": %.1f}",
                       first ? "" : ",\n", n, sm ? "floor" : "laplace", dr ? "moderate" : "mild",
                       best_m * 1e9, best_d * 1e9);
                first = 0;
                free(p);
                free(q);
            }
    printf("\n]}\n");
    return 0;
}
