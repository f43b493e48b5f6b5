/* mon_bits_internal.h - the bits of a binary64 as an integer, shared by binning (mon_bin.c),
 * order-statistics selection (mon_select.c) and the reference loader (mon_reference.c). Internal;
 * not part of the API. */
#ifndef MON_BITS_INTERNAL_H
#define MON_BITS_INTERNAL_H

#include <string.h>

#include "mon_config.h"

static inline double bits_to_double(uint64_t u)
{
    double d;
    (void)memcpy(&d, &u, sizeof d);
    return d;
}

static inline uint64_t double_to_bits(double d)
{
    uint64_t u;
    (void)memcpy(&u, &d, sizeof u);
    return u;
}

#define BITS_SIGN 0x8000000000000000u
#define BITS_MAG 0x7fffffffffffffffu
#define BITS_INF 0x7ff0000000000000u
#define BITS_QNAN 0x7ff8000000000000u

#endif /* MON_BITS_INTERNAL_H */
