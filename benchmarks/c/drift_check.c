/* drift_check.c - the accuracy driver of benchmarks/drift_accuracy.py: reads cases
 * "B p_0 .. p_(B-1) q_0 .. q_(B-1)" (one a line) on stdin and prints, per case, the raw outputs of
 * the core's mon_drift_scores (Laplace smoothing) as hex, one line. */
#include <stdio.h>
#include <stdlib.h>

#include "monitor.h"

static void show(const char *tag, mon_status st, const mon_drift_result *r)
{
    if (st != MON_OK) {
        printf("%s err %d\n", tag, (int)st);
        return;
    }
    printf("%s %llx:%016llx %llx:%016llx %llx %llx:%016llx %llx %d %llx %d\n", tag,
           (unsigned long long)r->tv_raw.hi, (unsigned long long)r->tv_raw.lo,
           (unsigned long long)r->js_raw.hi, (unsigned long long)r->js_raw.lo,
           (unsigned long long)r->js_distance_raw, (unsigned long long)r->psi_raw.hi,
           (unsigned long long)r->psi_raw.lo, (unsigned long long)r->js_fp.mant, (int)r->js_fp.exp2,
           (unsigned long long)r->js_distance_fp.mant, (int)r->js_distance_fp.exp2);
}

int main(void)
{
    unsigned long long nb;
    while (scanf("%llu", &nb) == 1) {
        size_t n = (size_t)nb, i;
        uint64_t *p = malloc(n * sizeof *p), *q = malloc(n * sizeof *q);
        mon_drift_result r;
        mon_psi_options o = {MON_PSI_LAPLACE, 0, 0};
        unsigned long long v;
        if (!p || !q) return 3;
        for (i = 0; i < n; ++i) {
            if (scanf("%llu", &v) != 1) return 4;
            p[i] = v;
        }
        for (i = 0; i < n; ++i) {
            if (scanf("%llu", &v) != 1) return 4;
            q[i] = v;
        }
        show("core", mon_drift_scores(p, q, n, &o, &r), &r);
        free(p);
        free(q);
    }
    return 0;
}
