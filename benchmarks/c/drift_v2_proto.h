/* drift_v2_proto.h - benchmark-only prototype of a shorter-series exact drift kernel (issue 15;
 * see drift_v2_proto.c). Same result struct and raw formats as mon_drift_scores. */
#ifndef DRIFT_V2_PROTO_H
#define DRIFT_V2_PROTO_H

#include "monitor.h"

/* As mon_drift_scores (same statuses; cases the prototype does not cover go to it). */
mon_status drift_v2_scores(const uint64_t *p, const uint64_t *q, size_t nbins,
                           const mon_psi_options *opt, mon_drift_result *out);

/* The Horner term-count table (65 entries, by bit length of z) of the JS (0) or PSI (1) series. */
const unsigned char *drift_v2_k_table(int psi);

#endif
