/* mon_hist_internal.h - internals of mon_hist.c exposed to the C unit tests only. */
#ifndef MON_HIST_INTERNAL_H
#define MON_HIST_INTERNAL_H

#include "mon_hist.h"

/* floor(log2(v)) for v >= 1 without compiler builtins (the portable path). */
unsigned mon_hist_floor_log2_portable(uint64_t v);

/* Representative of the integers [a, b] (1 <= a <= b): the integer r in [a, b] minimising
 * max((r - a) / a, (b - r) / b); ties go to the smaller r. */
uint64_t mon_hist_representative(uint64_t a, uint64_t b);

#endif
