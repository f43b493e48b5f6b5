/*
 * mon_config.h - compile-time options and portability checks for the monitor C core.
 *
 * Override any option with -D on the compiler command line. The core is C99, freestanding
 * (only <stddef.h>, <stdint.h>, <limits.h>, <float.h> and <string.h>'s memcpy/memset), never
 * allocates, never calls libm or stdio, and does no floating-point arithmetic on metric paths.
 */
#ifndef MON_CONFIG_H
#define MON_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

/* MON_SINGLE_THREADED=1: no atomics; recording must come from one thread (bare metal). */
#ifndef MON_SINGLE_THREADED
#define MON_SINGLE_THREADED 0
#endif

/* MON_NO_INT128=1: never use the compiler's unsigned __int128, even where it exists. The
 * portable path gives bit-identical results (both are exact integer arithmetic); the tests
 * build both. */
#ifndef MON_NO_INT128
#define MON_NO_INT128 0
#endif

#if !MON_NO_INT128 && defined(__SIZEOF_INT128__)
#define MON_HAVE_INT128 1
#else
#define MON_HAVE_INT128 0
#endif

/* C99 static assertion (no _Static_assert before C11). */
#define MON_STATIC_ASSERT(cond, name) typedef char mon_static_assert_##name[(cond) ? 1 : -1]

MON_STATIC_ASSERT(CHAR_BIT == 8, char_is_8_bits);
MON_STATIC_ASSERT(sizeof(uint64_t) == 8, uint64_is_8_bytes);
/* Two's complement: int64 -> uint64 conversions are used for exact sign handling. */
MON_STATIC_ASSERT((int64_t)-1 == ~(int64_t)0, twos_complement);

#endif /* MON_CONFIG_H */
