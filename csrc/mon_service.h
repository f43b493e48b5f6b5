/*
 * mon_service.h - service counters: throughput, errors by category, in-flight gauge, and rate
 * windows rotated by a caller-supplied tick. Fixed memory, integers only.
 *
 * Request accounting. Each request is announced with mon_service_begin (received + 1,
 * in_flight + 1) and finished exactly once with mon_service_ok (processed + 1),
 * mon_service_fail (failed + 1, errors[category] + 1) or mon_service_drop (dropped + 1), each
 * of which takes it out of flight. mon_service_reject counts a request that is received and
 * dropped at admission without ever being in flight. mon_service_error counts an error that
 * does not finish a request (e.g. a business-logic rejection found downstream, later).
 * Hence, for the totals, received = processed + failed + dropped + in_flight, and the
 * article's "gap" received - processed = failed + dropped + in_flight.
 *
 * Windows (the model of mon_window.h, shared with the latency histogram ring). Time is an
 * unsigned integer tick chosen by the caller (e.g. ns or ms) and passed to every call; the core
 * never reads a clock, so replays are deterministic. The window is a ring of `slots` slots,
 * each `slot_ticks` wide: tick t belongs to slot epoch e(t) = (t - start_tick) / slot_ticks
 * (ticks before start_tick belong to epoch 0), held by slot e mod slots. A query at tick `now`
 * covers the epochs e(now) - slots + 1 .. e(now): the current slot is partial. Events whose
 * epoch has already left the window (its slot holds a newer epoch) are counted in the totals
 * only.
 *
 * Concurrency. Unless built with -DMON_SINGLE_THREADED=1, every recording function may be
 * called from any number of threads at once: totals use atomic read-modify-write operations
 * (relaxed; saturating at 2^64 - 1) and are exact. Window slots are exact too: the first event
 * of a new epoch claims its slot in two phases (marked "being cleared", emptied, opened), events
 * of that epoch wait for the opening, and the claim waits until events still being counted for
 * the old epoch are done. So an event for epoch e is counted in epoch e's slot, or - when that
 * slot already holds a newer epoch - in the totals only; it is never erased by a clearing and
 * never counted in another epoch's window. Readers run concurrently with recorders and write
 * nothing: a query sees an event being counted at that moment or not (each counter is read
 * atomically; the totals obey received = processed + failed + dropped + in_flight in every
 * read, see mon_service_totals), and a slot that is claimed while the query
 * reads it contributes nothing (its old epoch has just left the window at the recorder's
 * clock; the new epoch's slot is empty but for events still in flight). init is not
 * thread-safe. Targets without lock-free 64-bit atomics (e.g. Cortex-M) need libatomic for the
 * threaded build; bare-metal hosts build with MON_SINGLE_THREADED=1 (plain arithmetic, one
 * thread).
 */
#ifndef MON_SERVICE_H
#define MON_SERVICE_H

#include "mon_config.h"
#include "mon_status.h"
#include "mon_window.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
#define MON_ERROR_CATEGORY_COUNT 5
#define MON_SERVICE_MAX_SLOTS 65536

/* The article's five error categories; the integer values are stable (part of the ABI). */
typedef enum mon_error_category {
    MON_ERR_INFRASTRUCTURE = 0,
    MON_ERR_INPUT_VALIDATION = 1,
    MON_ERR_MODEL_INFERENCE = 2,
    MON_ERR_BUSINESS_LOGIC = 3,
    MON_ERR_TIMEOUT = 4
} mon_error_category;

/* The window configuration (mon_window.h): slot_ticks (>= 1), start_tick (rates are not
 * diluted before it), slots (1 .. MON_SERVICE_MAX_SLOTS), flags (0). */
typedef mon_window_config mon_service_config;

/* Opaque; lives in caller memory of mon_service_size(cfg) bytes, 8-byte aligned. */
typedef struct mon_service mon_service;

typedef struct mon_service_counts {
    uint64_t received;  /* requests announced (begin + reject) */
    uint64_t processed; /* requests finished successfully */
    uint64_t dropped;   /* requests dropped (drop + reject) */
    uint64_t failed;    /* requests finished with an error */
    uint64_t in_flight; /* begun and not yet finished (totals only; 0 in a window) */
    uint64_t errors[5]; /* errors per mon_error_category (fail + error) */
} mon_service_counts;

typedef struct mon_service_window {
    mon_service_counts counts; /* events with epoch in the window (in_flight is 0) */
    uint64_t from_tick;        /* first tick covered: max(start, start + (e(now)-slots+1)*w) */
    uint64_t to_tick;          /* the query tick `now` */
    uint64_t span_ticks;       /* to_tick - from_tick (0 when now <= from_tick) */
} mon_service_window;

/* Validate a configuration: MON_OK, MON_E_NULL, MON_E_ALIGN, MON_E_CONFIG (slot_ticks == 0,
 * slots == 0 or > MON_SERVICE_MAX_SLOTS, flags != 0). Pure; thread-safe. */
mon_status mon_service_check_config(const mon_service_config *cfg);

/* Bytes of caller memory needed for this configuration (a small header + 88 bytes per slot);
 * 0 when the configuration is invalid. Pure; thread-safe. */
size_t mon_service_size(const mon_service_config *cfg);

/* Initialise zeroed counters in buf (size bytes, 8-byte aligned, owned by the caller and used
 * as the mon_service object: cast buf to mon_service *). MON_E_NULL, MON_E_CONFIG, MON_E_SIZE
 * (size < mon_service_size(cfg)), MON_E_ALIGN (buf or cfg). Not thread-safe with respect to
 * buf. */
mon_status mon_service_init(void *buf, size_t size, const mon_service_config *cfg);

/* State checks. Every function taking a mon_service checks it first (a few compares of its
 * header: magic, slot_ticks != 0, the slot count against its bounds and against the size
 * recorded at init): NULL -> MON_E_NULL, not 8-byte aligned -> MON_E_ALIGN, not initialised
 * (e.g. a zeroed or garbage buffer) or corrupted -> MON_E_STATE, and nothing is counted. Output
 * structs must be 8-byte aligned (MON_E_ALIGN). */

/* A request arrives and goes in flight at tick now: received + 1, in_flight + 1.
 * MON_E_NULL, MON_E_ALIGN, MON_E_STATE. Thread-safe. */
mon_status mon_service_begin(mon_service *s, uint64_t now);

/* An in-flight request finished successfully: processed + 1, in_flight - 1.
 * MON_E_STATE (nothing counted) when no request is in flight or s is not valid; MON_E_NULL,
 * MON_E_ALIGN. Thread-safe. */
mon_status mon_service_ok(mon_service *s, uint64_t now);

/* An in-flight request finished with an error of `category`: failed + 1,
 * errors[category] + 1, in_flight - 1. MON_E_VALUE for an unknown category, MON_E_STATE when
 * no request is in flight (or s is not valid), MON_E_NULL, MON_E_ALIGN; nothing is counted on
 * failure. Thread-safe. */
mon_status mon_service_fail(mon_service *s, uint64_t now, mon_error_category category);

/* An in-flight request was dropped (shed, abandoned): dropped + 1, in_flight - 1.
 * MON_E_STATE (nothing counted) when no request is in flight or s is not valid; MON_E_NULL,
 * MON_E_ALIGN. Thread-safe. */
mon_status mon_service_drop(mon_service *s, uint64_t now);

/* A request was received and dropped at admission (never in flight): received + 1,
 * dropped + 1. MON_E_NULL, MON_E_ALIGN, MON_E_STATE. Thread-safe. */
mon_status mon_service_reject(mon_service *s, uint64_t now);

/* An error of `category` that does not finish a request (e.g. a late business-logic error):
 * errors[category] + 1 only. MON_E_VALUE for an unknown category; MON_E_NULL, MON_E_ALIGN,
 * MON_E_STATE. Thread-safe. */
mon_status mon_service_error(mon_service *s, uint64_t now, mon_error_category category);

/* Totals since init. MON_E_NULL, MON_E_ALIGN, MON_E_STATE (not initialised). Safe concurrently with
 * recorders, and always consistent: received == processed + failed + dropped + in_flight in
 * every read (in_flight is derived from the other four). The counters are collected until two
 * collections agree (at most 17 times), which makes the result the state at one instant; under
 * a continuous stream of events the last collection is used, and the identity still holds.
 * Only after a counter has saturated at 2^64 - 1 is in_flight the gauge (begun - finished)
 * and the identity not guaranteed. Writers are not slowed (no lock, no sequence counter). */
mon_status mon_service_totals(const mon_service *s, mon_service_counts *out);

/* Counts of the window ending at tick now (see the header comment); read-only, so queries at
 * any tick are allowed. MON_E_NULL, MON_E_ALIGN, MON_E_STATE. Safe concurrently with
 * recorders. */
mon_status mon_service_window_counts(const mon_service *s, uint64_t now, mon_service_window *out);

/* Configuration of an initialised object. MON_E_NULL, MON_E_ALIGN, MON_E_STATE. */
mon_status mon_service_config_of(const mon_service *s, mon_service_config *out);

/* Name of a category, e.g. "timeout" (the Python ErrorCategory value); NULL when unknown. */
const char *mon_error_category_name(mon_error_category category);
/* MON_CDEF_END */

#ifdef __cplusplus
}
#endif

#endif /* MON_SERVICE_H */
