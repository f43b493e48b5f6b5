/*
 * mon_shared.h - one finished request in one call: its latency into a histogram and its outcome
 * into service counters. For hosts whose per-call cost matters (the Python binding's shared
 * segment, monitor.shared) and for C servers that keep a cumulative mon_service and mon_hist in
 * memory shared by their worker processes.
 *
 * Position independence. mon_service and mon_hist hold no pointers: every part is found from
 * the object's own address (header, then arrays at fixed offsets), so both may live in memory
 * mapped at different addresses in different processes (a MAP_SHARED file), and every update
 * is an atomic read-modify-write on that memory (mon_atomic_internal.h), exact across
 * processes as across threads. A process killed between two updates leaves at most the value
 * it was recording partly counted; nothing already recorded is lost. A mon_service whose
 * window never rotates (one slot, a tick that stays in epoch 0, and that slot claimed once
 * before other processes can see it) never makes a recorder wait for another process: a pin
 * left by a killed process only delays claims, and that slot is never claimed again.
 */
#ifndef MON_SHARED_H
#define MON_SHARED_H

#include "mon_config.h"
#include "mon_hist.h"
#include "mon_service.h"
#include "mon_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
/* Outcomes of mon_shared_finish. */
#define MON_OUTCOME_OK 0
#define MON_OUTCOME_FAILED 1
#define MON_OUTCOME_DROPPED 2

/* Announce a request in two counters in one call: mon_service_begin(local, now) (a process's
 * own windowed counters) and mon_service_begin(shared, 0) (cumulative counters whose one slot
 * is epoch 0, e.g. in a shared segment). Either may be NULL (skipped). Returns the first
 * failing status of the two (MON_E_ALIGN or MON_E_STATE, from mon_service_begin; the other
 * counter is still counted), else MON_OK. Thread- and process-safe, like mon_service_begin. */
mon_status mon_shared_begin(mon_service *local, mon_service *shared, uint64_t now);

/* Finish a request announced with mon_service_begin: record latency_ns in h
 * (mon_hist_record), then count the outcome at tick now: MON_OUTCOME_OK (mon_service_ok),
 * MON_OUTCOME_FAILED with an error category (mon_service_fail) or MON_OUTCOME_DROPPED
 * (mon_service_drop). Returns the counter's status (MON_E_STATE when no request is in flight
 * or s is not a valid counter object: the latency is still recorded). MON_E_NULL for a NULL
 * object, MON_E_VALUE for an unknown outcome or category, MON_E_ALIGN / MON_E_STATE for a
 * misaligned / invalid histogram: then nothing is recorded. Thread- and process-safe as its
 * two parts. */
mon_status mon_shared_finish(mon_service *s, mon_hist *h, uint64_t now, int32_t outcome,
                             int32_t category, uint64_t latency_ns);

/* The whole end of a request in one call, for hosts that also keep a windowed latency ring
 * (the Python binding's request path): mon_hist_ring_record(ring, now, latency_ns) (a value
 * whose epoch left the window is counted `late`), then mon_shared_finish(s, h, now, outcome,
 * category, latency_ns). MON_E_NULL for a NULL object and MON_E_VALUE for an unknown outcome or
 * category: then nothing is recorded. Otherwise both steps are always taken and the status is
 * mon_shared_finish's (MON_E_ALIGN / MON_E_STATE for a misaligned / invalid histogram, MON_E_STATE
 * when no request is in flight or s is not a valid counter object), else MON_E_STATE when the
 * ring is not a valid ring (nothing recorded in it), else MON_OK. Thread- and process-safe as
 * its parts. */
mon_status mon_shared_finish_ring(mon_service *s, mon_hist_ring *ring, mon_hist *h, uint64_t now,
                                  int32_t outcome, int32_t category, uint64_t latency_ns);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_SHARED_H */
