/* Frama-C Eva harness (make -C csrc prove): mon_drift_scores on any two count vectors of 1 ..
 * PROVE_B bins (every count value, so every status: empty, overflowing totals, ...) with any PSI
 * options (NULL or any field values). Eva checks every reachable statement for overflow,
 * out-of-bounds access, division by zero and invalid shifts. */
#include "__fc_builtin.h"
#include "mon_drift.h"

#ifndef PROVE_B
#define PROVE_B 3
#endif

static uint64_t p[PROVE_B], q[PROVE_B];
static mon_psi_options opt;
static mon_drift_result res;

int main(void)
{
    size_t nbins = (size_t)Frama_C_interval(1, PROVE_B);
    Frama_C_make_unknown((char *)p, sizeof p);
    Frama_C_make_unknown((char *)q, sizeof q);
    Frama_C_make_unknown((char *)&opt, sizeof opt);
    (void)mon_drift_scores(p, q, nbins, Frama_C_nondet(0, 1) ? &opt : NULL, &res);
    return 0;
}
