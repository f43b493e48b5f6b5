/*
 * mon_types.h - small value types shared by several units of the monitor C core.
 *
 * Kept apart from the concept headers so that an internal helper (mon_wide_internal.h, the one
 * 128-bit implementation) can use a type without pulling in a whole concept's API.
 */
#ifndef MON_TYPES_H
#define MON_TYPES_H

#include "mon_config.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
/* An unsigned 128-bit integer, value hi * 2^64 + lo (portable: no compiler extension).
 * Arithmetic on it: mon_wide_internal.h (internal). */
typedef struct mon_u128 {
    uint64_t hi;
    uint64_t lo;
} mon_u128;
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_TYPES_H */
