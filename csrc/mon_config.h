/*
 * mon_config.h - version, compile-time options and portability checks of the monitor C core.
 *
 * Override any option with -D on the compiler command line (e.g. -DMON_SINGLE_THREADED=1).
 * Every option is a 0/1 (or numeric) value; results are bit-identical under every combination,
 * only speed, stack and the thread model change. The core is C99, freestanding (only
 * <stddef.h>, <stdint.h>, <limits.h>, <float.h> and <string.h>'s memcpy/memset/memcmp), never
 * allocates, never calls libm or stdio, and does no floating-point arithmetic on metric paths.
 *
 *   option                   default  meaning
 *   MON_SINGLE_THREADED      0        1: no atomics, plain loads and stores; every object is
 *                                     used by one thread at a time (bare metal, one core).
 *   MON_NO_INT128            0        1: never use the compiler's unsigned __int128, even where
 *                                     it exists (the 32-bit code path; `make portable`).
 *   MON_HIST_BATCH_BUCKETS   4096     histograms of at most this many buckets use an on-stack
 *                                     table of 4-byte counts (4 * N bytes of stack) in long
 *                                     record_many calls, so each bucket is added atomically once
 *                                     per batch instead of once per value; 0 disables the table.
 *                                     Unused when MON_SINGLE_THREADED=1.
 *   MON_HIST_NO_DISPATCH     0        1: no run-time choice of the BMI2 build of the histogram's
 *                                     array loops on x86 (needed where libgcc's __cpu_model is
 *                                     missing, e.g. freestanding x86 builds).
 *   MON_BIN_RADIX            1        1: long mon_bin_count calls (>= 16,384 values, <= 60 bins)
 *                                     bin through a 4 KiB on-stack table indexed by the top
 *                                     12 bits of each value (~7 KiB of stack in all); 0: always
 *                                     the 4-ary search (2 KiB of stack). Freestanding builds
 *                                     (__STDC_HOSTED__ == 0: bare metal) default to 0.
 *   MON_BIN_SIMD             1        1: mon_bin_count calls of >= 64 values into <= 13 bins
 *                                     (15 with infinite outer edges), and the matrix path,
 *                                     count by 64-bit vector compares where the target has them
 *                                     (AVX2, chosen at run time on x86 unless
 *                                     MON_HIST_NO_DISPATCH=1; AArch64); 0: never. Freestanding
 *                                     builds default to 0.
 *   MON_BIN_NO_AVX512        0        1: no AVX-512 (8-lane) copy of that path on x86, which is
 *                                     otherwise chosen at run time before the AVX2 one for
 *                                     contiguous values (a test
 *                                     variant uses it to keep the AVX2 copy tested).
 *   MON_HIST_PORTABLE_CLZ    0        1: no __builtin_clzll in the histogram's bucket index
 *                                     (portable leading-zero count). MON_NO_INT128=1 implies it.
 *
 * Derived (do not set): MON_HAVE_INT128 is 1 when unsigned __int128 is used.
 */
#ifndef MON_CONFIG_H
#define MON_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ------------------------------------------------------------------------------
 * The version of the C core; the Python package has the same version (pyproject.toml).
 * mon_version() (mon_status.h) returns MON_VERSION_STRING of the library actually linked. */
/* MON_CDEF_BEGIN */
#define MON_VERSION_MAJOR 0
#define MON_VERSION_MINOR 1
#define MON_VERSION_PATCH 0
/* MON_CDEF_END */
#define MON_VERSION_STRING "0.1.0"
/* One comparable integer: major * 10000 + minor * 100 + patch. */
#define MON_VERSION_NUMBER (MON_VERSION_MAJOR * 10000 + MON_VERSION_MINOR * 100 + MON_VERSION_PATCH)

/* ---- options ------------------------------------------------------------------------------ */
#ifndef MON_SINGLE_THREADED
#define MON_SINGLE_THREADED 0
#endif

#ifndef MON_NO_INT128
#define MON_NO_INT128 0
#endif

#ifndef MON_HIST_BATCH_BUCKETS
#define MON_HIST_BATCH_BUCKETS 4096
#endif

#ifndef MON_HIST_NO_DISPATCH
#define MON_HIST_NO_DISPATCH 0
#endif

#ifndef MON_BIN_RADIX
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0
#define MON_BIN_RADIX 0
#else
#define MON_BIN_RADIX 1
#endif
#endif

#ifndef MON_BIN_NO_AVX512
#define MON_BIN_NO_AVX512 0
#endif

#ifndef MON_BIN_SIMD
#if defined(__STDC_HOSTED__) && __STDC_HOSTED__ == 0
#define MON_BIN_SIMD 0
#else
#define MON_BIN_SIMD 1
#endif
#endif

#ifndef MON_HIST_PORTABLE_CLZ
#define MON_HIST_PORTABLE_CLZ 0
#endif

#if !MON_NO_INT128 && defined(__SIZEOF_INT128__)
#define MON_HAVE_INT128 1
#else
#define MON_HAVE_INT128 0
#endif

/* ---- portability checks ------------------------------------------------------------------- */

/* C99 static assertion (no _Static_assert before C11). */
#define MON_STATIC_ASSERT(cond, name) typedef char mon_static_assert_##name[(cond) ? 1 : -1]

MON_STATIC_ASSERT(CHAR_BIT == 8, char_is_8_bits);
MON_STATIC_ASSERT(sizeof(uint64_t) == 8, uint64_is_8_bytes);
/* Two's complement: int64 -> uint64 conversions are used for exact sign handling. */
MON_STATIC_ASSERT((int64_t)-1 == ~(int64_t)0, twos_complement);
MON_STATIC_ASSERT(MON_HIST_BATCH_BUCKETS >= 0, batch_buckets_not_negative);

#ifdef __cplusplus
}
#endif

#endif /* MON_CONFIG_H */
