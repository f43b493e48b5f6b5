/* mon_hist_internal.h - internals of the latency histogram shared by its units (mon_hist.c,
 * mon_hist_read.c, mon_hist_codec.c, mon_hist_ring.c) and the C unit tests. Not public API. */
#ifndef MON_HIST_INTERNAL_H
#define MON_HIST_INTERNAL_H

#include "mon_align_internal.h"
#include "mon_hist.h"
#include "mon_sat_internal.h"

#define MON_HIST_MAGIC UINT64_C(0x3174736948736f4d) /* "MonHist1" */

/* The object in caller memory: MON_HIST_HEADER_BYTES of header, then one count per bucket. */
struct mon_hist {
    uint64_t magic;
    uint64_t lowest;
    uint64_t highest;
    int32_t scale;
    int32_t index_lo;
    int32_t index_hi;
    uint32_t buckets;
    uint64_t range_lo;
    uint64_t range_hi;
    uint64_t underflow;
    uint64_t overflow;
    uint64_t invalid;
    uint64_t min;
    uint64_t max;
    uint64_t sum_lo;
    uint64_t sum_hi;
    uint64_t total; /* every valid value; incremented last (release), read first (acquire) */
    uint64_t reserved;
    uint64_t counts[]; /* buckets entries */
};

MON_STATIC_ASSERT(offsetof(struct mon_hist, counts) == MON_HIST_HEADER_BYTES, hist_header_size);

static inline int mon_hist_aligned8(const void *p) { return ((uintptr_t)p & 7u) == 0; }

/* State validation. Every field whose corruption could make an access go out of bounds, a
 * shift negative or a loop unbounded is checked before use:
 *  - mon_hist_check (every reading, merging, codec and ring function): the full check, the
 *    layout re-derived from (lowest, highest, scale) and compared with every stored field;
 *  - mon_hist_hot_ok (the recording paths, a few compares): magic, scale, the bucket count
 *    against index_hi - index_lo + 1 and MON_HIST_MAX_BUCKETS; the recorders then bound each
 *    bucket offset by `buckets` (one compare per value, or the offsets of range_lo and
 *    range_hi once per array; the bucket index of 0 is defined, see floor_log2).
 * What no check can see: a header rewritten into the self-consistent header of a larger
 * histogram (the size of the caller's memory is not stored anywhere it could not be rewritten
 * too). */
mon_status mon_hist_check(const mon_hist *h);

static inline int mon_hist_hot_ok(const mon_hist *h)
{
    return h != NULL && mon_hist_aligned8(h) && h->magic == MON_HIST_MAGIC &&
           (uint32_t)h->scale <= (uint32_t)MON_HIST_MAX_SCALE &&
           h->buckets == (uint32_t)h->index_hi - (uint32_t)h->index_lo + 1u &&
           h->buckets <= (uint32_t)MON_HIST_MAX_BUCKETS;
}

/* mon_hist_record of a histogram that passed mon_hist_hot_ok (the ring's path). */
mon_status mon_hist_record_valid(mon_hist *h, uint64_t value_ns);

/* The status of a header that failed mon_hist_hot_ok (out of line: the cold path). */
mon_status mon_hist_hot_fail(const mon_hist *h);

static inline int mon_hist_same_config(const mon_hist *a, const mon_hist *b)
{
    return a->lowest == b->lowest && a->highest == b->highest && a->scale == b->scale;
}

/* Bucket index of v >= 1 at a valid scale (mon_hist_index_of without the checks). */
int32_t mon_hist_index_at(int32_t scale, uint64_t v);

/* T(i) = floor(base^i) at a valid scale; 0 for i < 0 (mon_hist_threshold without the checks). */
uint64_t mon_hist_threshold_at(int32_t scale, int32_t i);

/* Empty every counter (min = UINT64_MAX, max = 0); keeps the configuration. Not thread-safe. */
void mon_hist_clear(mon_hist *h);

/* floor(log2(v)) for v >= 1 without compiler builtins (the portable path). */
unsigned mon_hist_floor_log2_portable(uint64_t v);

/* Representative of the integers [a, b] (1 <= a <= b): the integer r in [a, b] minimising
 * max((r - a) / a, (b - r) / b); ties go to the smaller r. */
uint64_t mon_hist_representative(uint64_t a, uint64_t b);

#endif /* MON_HIST_INTERNAL_H */
