/* A plain double-precision implementation of TV + JS + PSI (Laplace and floor smoothing) with libm
 * log(), written for the benchmark only: the floor the issue asks mon_drift_scores to be compared
 * against. Not exact (rounding in every step), not deterministic across libms, and not part of the
 * library. Built -std=c99 -O2 -ffp-contract=off like the core. */
#include "drift_double.h"

#include <math.h>

int drift_double_scores(const uint64_t *p, const uint64_t *q, size_t nbins, int floor_smoothing,
                        double eps, drift_double_result *out)
{
    double np = 0.0, nq = 0.0, tv = 0.0, js = 0.0, psi = 0.0, ip, iq, ipb, iqb;
    size_t b;
    for (b = 0; b < nbins; ++b) {
        np += (double)p[b];
        nq += (double)q[b];
    }
    if (np == 0.0 || nq == 0.0) return -1;
    ip = 1.0 / np;
    iq = 1.0 / nq;
    ipb = 1.0 / (np + (double)nbins);
    iqb = 1.0 / (nq + (double)nbins);
    for (b = 0; b < nbins; ++b) {
        double pp = (double)p[b] * ip, qq = (double)q[b] * iq, m = 0.5 * (pp + qq), a, c;
        tv += fabs(pp - qq);
        if (pp > 0.0) js += pp * log(pp / m);
        if (qq > 0.0) js += qq * log(qq / m);
        if (floor_smoothing) {
            a = pp > eps ? pp : eps;
            c = qq > eps ? qq : eps;
        } else {
            a = ((double)p[b] + 1.0) * ipb;
            c = ((double)q[b] + 1.0) * iqb;
        }
        psi += (a - c) * log(a / c);
    }
    out->tv = 0.5 * tv;
    out->js = 0.5 * js / log(2.0);
    out->js_distance = sqrt(out->js > 0.0 ? out->js : 0.0);
    out->psi = psi;
    return 0;
}
