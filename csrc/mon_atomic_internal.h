/*
 * mon_atomic_internal.h - the core's one atomics shim (internal; not part of the API).
 *
 * 64-bit counters live in caller memory that init checks to be 8-byte aligned, at offsets that
 * are multiples of 8. Operations are relaxed unless the name says otherwise. With
 * MON_SINGLE_THREADED=1 they are plain loads and stores (one recording thread, bare metal);
 * otherwise they use the GCC/Clang __atomic builtins (the core is C99, so no <stdatomic.h>).
 */
#ifndef MON_ATOMIC_INTERNAL_H
#define MON_ATOMIC_INTERNAL_H

#include "mon_config.h"

#if MON_SINGLE_THREADED

typedef uint64_t mon_a64;
#define MON_ATOMIC_LOAD(p, order) (*(p))
#define MON_ATOMIC_STORE(p, v, order) (*(p) = (v))

static inline int mon_atomic_cas(uint64_t *p, uint64_t *expected, uint64_t desired, int order)
{
    (void)order;
    if (*p == *expected) {
        *p = desired;
        return 1;
    }
    *expected = *p;
    return 0;
}

static inline uint64_t mon_atomic_fetch_add(uint64_t *p, uint64_t n)
{
    uint64_t o = *p;
    *p = o + n;
    return o;
}

static inline uint64_t mon_atomic_fetch_add_order(uint64_t *p, uint64_t n, int order)
{
    (void)order;
    return mon_atomic_fetch_add(p, n);
}

static inline void mon_atomic_fence(int order) { (void)order; }

#define MON_ORDER_RELAXED 0
#define MON_ORDER_ACQUIRE 0
#define MON_ORDER_RELEASE 0
#define MON_ORDER_ACQ_REL 0

#elif defined(__GNUC__)

/* The i386 ABI aligns uint64_t to 4 bytes inside structs; the real alignment of our counters is
 * 8, and saying so lets the compiler emit lock-free 8-byte atomics (cmpxchg8b) instead of
 * misaligned-atomic library calls. */
typedef uint64_t mon_a64 __attribute__((aligned(8)));
#define MON_ORDER_RELAXED __ATOMIC_RELAXED
#define MON_ORDER_ACQUIRE __ATOMIC_ACQUIRE
#define MON_ORDER_RELEASE __ATOMIC_RELEASE
#define MON_ORDER_ACQ_REL __ATOMIC_ACQ_REL
#define MON_ATOMIC_LOAD(p, order) __atomic_load_n((const mon_a64 *)(p), (order))
#define MON_ATOMIC_STORE(p, v, order) __atomic_store_n((mon_a64 *)(p), (v), (order))

/* Weak compare-and-swap; on failure *expected receives the current value. The failure order is
 * relaxed; `order` is the success order. */
static inline int mon_atomic_cas(uint64_t *p, uint64_t *expected, uint64_t desired, int order)
{
    return __atomic_compare_exchange_n((mon_a64 *)p, expected, desired, 1, order, __ATOMIC_RELAXED)
               ? 1
               : 0;
}

static inline uint64_t mon_atomic_fetch_add(uint64_t *p, uint64_t n)
{
    return __atomic_fetch_add((mon_a64 *)p, n, __ATOMIC_RELAXED);
}

/* fetch_add with an explicit order (n wraps modulo 2^64: adding 2^64 - k subtracts k). */
static inline uint64_t mon_atomic_fetch_add_order(uint64_t *p, uint64_t n, int order)
{
    return __atomic_fetch_add((mon_a64 *)p, n, order);
}

/* A memory fence (MON_ORDER_ACQUIRE or MON_ORDER_RELEASE): the window ring's seqlock reads. */
static inline void mon_atomic_fence(int order) { __atomic_thread_fence(order); }

#else
#error \
    "monitor: no atomic builtins for this compiler; build with -DMON_SINGLE_THREADED=1 (one recording thread)"
#endif

static inline uint64_t mon_atomic_load(const uint64_t *p)
{
    return MON_ATOMIC_LOAD(p, MON_ORDER_RELAXED);
}

static inline uint64_t mon_atomic_load_acquire(const uint64_t *p)
{
    return MON_ATOMIC_LOAD(p, MON_ORDER_ACQUIRE);
}

static inline void mon_atomic_store(uint64_t *p, uint64_t v)
{
    MON_ATOMIC_STORE(p, v, MON_ORDER_RELAXED);
}

static inline void mon_atomic_store_release(uint64_t *p, uint64_t v)
{
    MON_ATOMIC_STORE(p, v, MON_ORDER_RELEASE);
}

/* Saturating add: a counter stuck at 2^64 - 1 means "at least this many", it never wraps.
 * `order` is the order of the successful update (release publishes what was written before).
 * Returns 1 when the result was clipped. */
static inline int mon_atomic_sat_add(uint64_t *p, uint64_t n, int order)
{
    uint64_t o = mon_atomic_load(p), s;
    int clip;
    do {
        s = o + n;
        clip = s < o;
        if (clip) {
            s = UINT64_MAX;
        }
        if (s == o) {
            return clip;
        }
    } while (!mon_atomic_cas(p, &o, s, order));
    return clip;
}

/* Decrement unless zero; returns 0 when the counter was already zero. */
static inline int mon_atomic_dec_nonzero(uint64_t *p)
{
    uint64_t o = mon_atomic_load(p);
    while (o != 0u) {
        if (mon_atomic_cas(p, &o, o - 1u, MON_ORDER_RELAXED)) {
            return 1;
        }
    }
    return 0;
}

/* *p = min(*p, v) and *p = max(*p, v), lock-free. */
static inline void mon_atomic_lower_to(uint64_t *p, uint64_t v)
{
    uint64_t o = mon_atomic_load(p);
    while (v < o && !mon_atomic_cas(p, &o, v, MON_ORDER_RELAXED)) {
    }
}

static inline void mon_atomic_raise_to(uint64_t *p, uint64_t v)
{
    uint64_t o = mon_atomic_load(p);
    while (v > o && !mon_atomic_cas(p, &o, v, MON_ORDER_RELAXED)) {
    }
}

#endif /* MON_ATOMIC_INTERNAL_H */
