/*
 * mon_window_internal.h - the epoch-tagged slot ring behind every time window of the core
 * (mon_service.c, mon_hist_ring.c). Internal; the model is documented in mon_window.h.
 *
 * A ring owner keeps a mon_window_config and `slots` mon_window_slot entries in its caller
 * memory (zeroed at init) next to its own per-slot payload, and calls:
 *   recording:  mon_window_acquire -> (CLAIMED: empty the payload, mon_window_open) -> write the
 *               payload -> mon_window_release;  LATE: the epoch has left the window.
 *   reading, writable memory:  mon_window_pin (a slot in the epoch range, not being cleared) ->
 *               read -> mon_window_release.
 *   reading, read-only memory: mon_window_read_begin -> read with atomic loads ->
 *               mon_window_read_valid (0: the slot was claimed meanwhile; discard what was read).
 *
 * Slot state: tag = epoch + 1 of the payload (0 = never used), only ever increases; gate = the
 * number of pins, plus GATE_CLEARING while a claimer empties the payload. A claim needs
 * gate == 0 (no pin, no other claimer) and is one compare-and-swap of the gate, so claims of one
 * slot are serialised and never overlap a pinned writer or reader.
 */
#ifndef MON_WINDOW_INTERNAL_H
#define MON_WINDOW_INTERNAL_H

#include "mon_window.h"

typedef struct mon_window_slot {
    uint64_t tag;  /* epoch + 1 of the payload; 0 = never used */
    uint64_t gate; /* pins, plus 2^63 while being cleared */
} mon_window_slot;

MON_STATIC_ASSERT(sizeof(mon_window_slot) == 16, window_slot_is_16_bytes);

typedef enum mon_window_claim {
    MON_WINDOW_LATE = 0,   /* the slot holds a newer epoch: the event has left the window */
    MON_WINDOW_HELD = 1,   /* the slot holds the event's epoch and is pinned for the caller */
    MON_WINDOW_CLAIMED = 2 /* the slot was claimed for the event's epoch: the caller must empty
                              the payload, then call mon_window_open (which pins it) */
} mon_window_claim;

/* Zero the slot states (at init; not thread-safe). */
void mon_window_reset(mon_window_slot *slots, uint32_t n);

/* Acquire the slot of tick now's epoch (index in *slot): see mon_window_claim. Waits while the
 * slot is being cleared, or pinned by holders of an older epoch it must be claimed from. */
mon_window_claim mon_window_acquire(const mon_window_config *w, mon_window_slot *slots,
                                    uint64_t now, uint32_t *slot);

/* After CLAIMED and emptying the payload: open the slot to its epoch, pinned for the caller. */
void mon_window_open(mon_window_slot *slot);

/* Unpin (after HELD, after mon_window_open, or after a successful mon_window_pin). */
void mon_window_release(mon_window_slot *slot);

/* First epoch of the last n (>= 1) epochs up to e_now: max(0, e_now - n + 1). */
uint64_t mon_window_first(uint64_t e_now, uint64_t n);

/* Pin the slot when it holds an epoch in [first, last] and is not being cleared: 1 (release
 * it after reading) or 0 (nothing to read; not pinned). Never waits. */
int mon_window_pin(mon_window_slot *slot, uint64_t first, uint64_t last);

/* Seqlock read without writing: 1 and *tag when the slot holds an epoch in [first, last] and is
 * not being cleared; then read the payload with atomic loads and call mon_window_read_valid,
 * which returns 0 when the slot was claimed (or is being cleared) meanwhile. */
int mon_window_read_begin(const mon_window_slot *slot, uint64_t first, uint64_t last,
                          uint64_t *tag);
int mon_window_read_valid(const mon_window_slot *slot, uint64_t tag);

#endif /* MON_WINDOW_INTERNAL_H */
