/* mon_sat_internal.h - the pure saturating sum shared by the units (internal; not public API).
 *
 * Naming across the core: mon_sat_sum(a, b) is a pure function of two values; an atomic
 * saturating update of a counter in memory is mon_atomic_sat_add(p, n, order)
 * (mon_atomic_internal.h) or a unit's local wrapper whose name starts with atomic_. */
#ifndef MON_SAT_INTERNAL_H
#define MON_SAT_INTERNAL_H

#include "mon_config.h"

/* a + b, saturating at 2^64 - 1: a counter stuck at the maximum means "at least this many". */
static inline uint64_t mon_sat_sum(uint64_t a, uint64_t b)
{
    uint64_t s = a + b;
    return s < a ? UINT64_MAX : s;
}

#endif /* MON_SAT_INTERNAL_H */
