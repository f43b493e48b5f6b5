/* The public fixed-point log2 (mon_drift.h); the function itself is mon_log2_internal.h's. */
#include "mon_drift.h"
#include "mon_log2_internal.h"

mon_u128 mon_drift_log2_u64(uint64_t x) { return mon_log2_u64(x); }
