/*
 * mon_window.h - the time-window configuration shared by every tick-rotated ring of the core:
 * the service counters' rate windows (mon_service.h) and the latency histogram ring
 * (mon_hist.h, mon_hist_ring_*). One model, one implementation (mon_window.c).
 *
 * Time is an unsigned integer tick chosen by the caller (e.g. ns) and passed to every call;
 * the core never reads a clock, so replays are deterministic. A window is a ring of `slots`
 * slots, each `slot_ticks` wide: tick t belongs to epoch
 *     e(t) = (t - start_tick) / slot_ticks     (ticks at or before start_tick: epoch 0)
 * and epoch e is held by slot e mod slots. A slot is claimed for a newer epoch by the first
 * event of that epoch (a compare-and-swap of the slot's gate, then its tag), which empties it. A query at tick `now` over the
 * last n slots covers the epochs e(now) - n + 1 .. e(now) (the current slot is partial); an
 * event whose epoch has already left the window (its slot holds a newer epoch) is not in any
 * window.
 *
 * Claims are two-phase: the slot is first marked "being cleared" for the new epoch, emptied,
 * then opened; recorders of the new epoch wait for the opening, so none writes into a slot
 * before its clearing has finished. Recorders also pin the slot while they write, and a claim
 * waits for the pins of the old epoch to drain, so a value recorded for epoch e is counted in
 * epoch e's slot or, when that slot already holds a newer epoch, reported as late: never
 * erased by a clearing, never counted in another epoch's window. The exact race semantics of
 * each ring are in its header. Waiting is a spin: a recorder of a new epoch waits for one
 * clearing; a claim waits until the slot has no pin, and each pin lasts one record or one slot
 * read, but new pins of the old epoch (recorders with a stale tick, readers) can keep arriving,
 * so under a continuous stream of them a claim has no fixed bound. With MON_SINGLE_THREADED=1
 * nothing waits (a slot found "being cleared" - a host breaking the one-thread rule, e.g.
 * recording from an interrupt during a clearing, or corrupted memory - makes the event late).
 * The per-slot states (tag, gate) are synchronisation state and are not validated like the
 * owners' headers: with threads, a gate corrupted into a pin that is never released makes a
 * claim of that slot wait forever, exactly as a holder that never releases would.
 */
#ifndef MON_WINDOW_H
#define MON_WINDOW_H

#include "mon_config.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
#define MON_WINDOW_MAX_SLOTS 65536

typedef struct mon_window_config {
    uint64_t slot_ticks; /* width of one window slot in ticks, >= 1 */
    uint64_t start_tick; /* tick at which the window starts (epoch 0 ends at start + slot) */
    uint32_t slots;      /* slots in the ring, 1 .. MON_WINDOW_MAX_SLOTS (a ring may allow fewer) */
    uint32_t flags;      /* reserved, must be 0 */
} mon_window_config;

/* Validate a window configuration: MON_OK, MON_E_NULL, MON_E_ALIGN, MON_E_CONFIG
 * (slot_ticks == 0, slots == 0 or > MON_WINDOW_MAX_SLOTS, flags != 0). Pure; thread-safe. */
mon_status mon_window_check_config(const mon_window_config *cfg);

/* Epoch e(t) of tick t in a window (see above; capped at 2^64 - 2). cfg should be valid; NULL,
 * misaligned or slot_ticks == 0 gives 0 (never a division by zero). Pure; thread-safe. */
uint64_t mon_window_epoch(const mon_window_config *cfg, uint64_t t);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_WINDOW_H */
