/* mon_align_internal.h - pointer alignment checks of the public entry points (internal).
 *
 * The rule (mon_status.h): an array of a host's data (values to record, to bin, to select
 * from, category codes, edges) may have any alignment and is read with memcpy loads or copied
 * in aligned chunks; every other typed pointer (objects, outputs, scratch, count vectors,
 * parameter arrays, structs) must be aligned for its type, else MON_E_ALIGN. Alignments are
 * those of the target (e.g. 4 bytes for uint64_t on i386), measured with offsetof on named
 * structs (a type defined inside offsetof is not allowed). */
#ifndef MON_ALIGN_INTERNAL_H
#define MON_ALIGN_INTERNAL_H

#include "mon_config.h"

struct mon_align_u64_probe {
    char c;
    uint64_t x;
};
struct mon_align_u32_probe {
    char c;
    uint32_t x;
};
struct mon_align_f64_probe {
    char c;
    double x;
};
struct mon_align_size_probe {
    char c;
    size_t x;
};
struct mon_align_ptr_probe {
    char c;
    const void *x;
};

#define MON_ALIGN_U64 offsetof(struct mon_align_u64_probe, x)
#define MON_ALIGN_U32 offsetof(struct mon_align_u32_probe, x)
#define MON_ALIGN_F64 offsetof(struct mon_align_f64_probe, x)
#define MON_ALIGN_SIZE offsetof(struct mon_align_size_probe, x)
#define MON_ALIGN_PTR offsetof(struct mon_align_ptr_probe, x)

/* 1 when p (NULL allowed) is a multiple of a (a power of two). */
static inline int mon_aligned(const void *p, size_t a) { return ((uintptr_t)p & (a - 1u)) == 0u; }

/* Structs whose widest member is a uint64_t (every configuration/result struct of the API). */
#define MON_ALIGNED_U64(p) mon_aligned((const void *)(p), MON_ALIGN_U64)
#define MON_ALIGNED_U32(p) mon_aligned((const void *)(p), MON_ALIGN_U32)
#define MON_ALIGNED_F64(p) mon_aligned((const void *)(p), MON_ALIGN_F64)
#define MON_ALIGNED_SIZE(p) mon_aligned((const void *)(p), MON_ALIGN_SIZE)
#define MON_ALIGNED_PTR(p) mon_aligned((const void *)(p), MON_ALIGN_PTR)
/* Objects in caller memory (histogram, ring, service counters, binner): 8 bytes everywhere,
 * for their 64-bit atomics. */
#define MON_ALIGNED_OBJ(p) mon_aligned((const void *)(p), 8u)

#endif /* MON_ALIGN_INTERNAL_H */
