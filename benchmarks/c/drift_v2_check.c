/* drift_v2_check.c - the accuracy driver of benchmarks/drift_v2_accuracy.py: reads cases
 * "B p_0 .. p_(B-1) q_0 .. q_(B-1)" (one a line) on stdin and prints, per case, the raw outputs of
 * mon_drift_scores (v1) and drift_v2_scores (Laplace) as hex, one line each. */
#include <stdio.h>
#include <stdlib.h>

#include "drift_v2_proto.h"

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
        mon_drift_result r1, r2;
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
        show("v1", mon_drift_scores(p, q, n, &o, &r1), &r1);
        show("v2", drift_v2_scores(p, q, n, &o, &r2), &r2);
        free(p);
        free(q);
    }
    return 0;
}
