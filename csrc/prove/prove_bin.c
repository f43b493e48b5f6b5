/* Frama-C Eva harness (make -C csrc prove): mon_bin_count on a binner built by mon_binner_init
 * from any edges (every bit pattern, so every init outcome), any values (every bit pattern, NaN
 * and infinities included), n up to PROVE_N and nedges up to PROVE_EDGES. Eva checks every
 * reachable statement for overflow, out-of-bounds access, division by zero and invalid shifts. */
#include "__fc_builtin.h"
#include "mon_bin.h"

#ifndef PROVE_EDGES
#define PROVE_EDGES 70 /* > 64 slots: both the local-array and the direct counting paths */
#endif
#ifndef PROVE_N
#define PROVE_N 9 /* > 4: the unrolled loop and its tail */
#endif

static uint64_t buf[2 + 128];
static double edges[PROVE_EDGES];
static double x[PROVE_N];
static uint64_t counts[PROVE_EDGES];
static mon_bin_extra extra;

int main(void)
{
    mon_binner *b = NULL;
    size_t nedges, n;
    nedges = (size_t)Frama_C_interval(2, PROVE_EDGES);
    /* one analysis per table size, so the memset of the local slots is exact */
    /*@ split nedges; */
    n = (size_t)Frama_C_interval(0, PROVE_N);
    Frama_C_make_unknown((char *)edges, sizeof edges);
    Frama_C_make_unknown((char *)x, sizeof x);
    Frama_C_make_unknown((char *)counts, sizeof counts);
    Frama_C_make_unknown((char *)&extra, sizeof extra);
    if (mon_binner_init(buf, sizeof buf, edges, nedges, &b) != MON_OK) return 0;
    (void)mon_bin_count(b, x, n, counts, &extra);
    return 0;
}
