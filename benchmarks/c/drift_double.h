/* drift_double.h - the benchmark's plain double-precision drift metrics (see drift_double.c). */
#ifndef DRIFT_DOUBLE_H
#define DRIFT_DOUBLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct drift_double_result {
    double tv, js, js_distance, psi;
} drift_double_result;

/* 0 on success, -1 when a total is 0. floor_smoothing: 0 Laplace (+1 per bin), 1 max(p, eps). */
int drift_double_scores(const uint64_t *p, const uint64_t *q, size_t nbins, int floor_smoothing,
                        double eps, drift_double_result *out);

#endif
