/*
 * mon_hist.h - streaming latency histogram: fixed memory, exact exponential buckets.
 *
 * Values are unsigned integer nanoseconds. Bucket i holds (base^(i-1), base^i] with
 * base = 2^(2^-scale): the schema shared by Prometheus native histograms (schema = scale) and
 * OpenTelemetry exponential histograms (OTel index = i - 1). The bucket of a value is computed
 * with integer operations and a generated table of exact integer thresholds
 * (mon_hist_table.h), never log(), so it is the mathematically exact bucket on every platform.
 *
 * Range. The configured [lowest, highest] is widened to whole buckets: with
 * i_lo = index(lowest) and i_hi = index(highest) the histogram holds the values in
 * (T(i_lo - 1), T(i_hi)] where T(i) = floor(base^i). Values at or below T(i_lo - 1)
 * (0 included) are counted as underflow, values above T(i_hi) as overflow; both still enter
 * count, min, max and sum exactly.
 *
 * Memory (size formula, queryable with mon_hist_size):
 *     buckets = i_hi - i_lo + 1  (about 2^scale * log2(highest / lowest) + 1)
 *     bytes   = MON_HIST_HEADER_BYTES + 8 * buckets
 * Default 1 us .. 1 h at scale 6: 2033 buckets, 16264 bytes of counts.
 *
 * Accuracy. A quantile is the representative of the bucket holding the nearest-rank value,
 * clamped to the exact [min, max]. The representative of the integers [a, b] of a bucket is the
 * integer r minimising max((r - a) / a, (b - r) / b), so every in-range quantile is within
 * (base - 1) / (base + 1) (+ a rounding term for buckets holding few integers) of the true
 * value; mon_hist_error_bound gives the exact worst case for a configuration.
 *
 * Concurrency. Unless built with -DMON_SINGLE_THREADED=1, the record functions may be called
 * from any number of threads at once on the same histogram: every count, the sum, min and max
 * are updated with atomic read-modify-write operations (GCC/Clang __atomic builtins), so no
 * value is lost. A value updates min, max and sum, then its bucket (or underflow/overflow),
 * then the total count, with release order; readers load the total first with acquire order.
 * So a reader running while others record sees every value its count includes in the buckets,
 * min, max and sum (which may already include a few values still being recorded), and
 * quantiles always find their rank. mon_hist_snapshot and mon_hist_serialize produce frozen,
 * self-consistent states (their count is recomputed from the buckets they read). merge,
 * reset, init and deserialise must not run concurrently with other operations on their
 * destination. MON_SINGLE_THREADED=1 (bare metal): plain arithmetic, one thread at a time.
 *
 * All counters saturate at 2^64 - 1 and the sum at 2^128 - 1; nothing wraps.
 *
 * Compile-time options (mon_config.h): MON_SINGLE_THREADED, MON_HIST_BATCH_BUCKETS,
 * MON_HIST_NO_DISPATCH, MON_HIST_PORTABLE_CLZ. Results are identical under every option.
 *
 * State and pointer checks. Every function taking a mon_hist (or ring) validates it before
 * any access: NULL -> MON_E_NULL, not 8-byte aligned -> MON_E_ALIGN, not initialised or
 * corrupted -> MON_E_STATE (nothing read beyond the header, nothing written). Reading
 * functions re-derive the whole layout from (lowest, highest, scale) and compare every stored
 * field; the recording functions check the fields they use with a few compares (magic,
 * scale, bucket count, range) and bound every bucket offset by the bucket count. A header
 * rewritten into the consistent header of a larger histogram cannot be detected (the caller's
 * buffer size is not known to the core). Arrays of values to record may have any alignment
 * (they are copied in aligned chunks when misaligned); every other typed pointer must be
 * aligned for its type (MON_E_ALIGN, see mon_status.h). Units: MON_HIST_NS .. MON_HIST_S,
 * optionally OR MON_HIST_STRICT; any other value is refused (MON_E_CONFIG, or nothing
 * recorded for the array functions).
 */
#ifndef MON_HIST_H
#define MON_HIST_H

#include "mon_config.h"
#include "mon_status.h"
#include "mon_window.h"

#ifdef __cplusplus
extern "C" {
#endif

/* MON_CDEF_BEGIN */
#define MON_HIST_MIN_SCALE 0
#define MON_HIST_MAX_SCALE 8
#define MON_HIST_DEFAULT_SCALE 6
#define MON_HIST_HEADER_BYTES 128
#define MON_HIST_FORMAT_VERSION 1
#define MON_HIST_SERIAL_HEADER_BYTES 96
#define MON_HIST_SERIAL_ENTRY_BYTES 12
#define MON_HIST_SERIAL_TRAILER_BYTES 4
/* Units of the conversion functions; OR MON_HIST_STRICT into the unit to reject invalid
 * values without counting them. */
#define MON_HIST_NS 0
#define MON_HIST_US 1
#define MON_HIST_MS 2
#define MON_HIST_S 3
#define MON_HIST_STRICT 256
#define MON_HIST_MAX_QUANTILES 64
/* Largest bucket count of any configuration (scale 8, 1 .. 2^64 - 1 ns): 64 * 2^8 + 1. */
#define MON_HIST_MAX_BUCKETS 16385

typedef struct mon_hist_config {
    uint64_t lowest;  /* ns, >= 1: smallest value that must be in range */
    uint64_t highest; /* ns, >= lowest: largest value that must be in range */
    int32_t scale;    /* MON_HIST_MIN_SCALE .. MON_HIST_MAX_SCALE; base = 2^(2^-scale) */
} mon_hist_config;

/* Opaque; lives in caller memory of mon_hist_size(cfg) bytes, 8-byte aligned. */
typedef struct mon_hist mon_hist;

typedef struct mon_hist_stats {
    uint64_t count;     /* valid values recorded: underflow + overflow + in-range (saturating) */
    uint64_t underflow; /* values <= lower bound of the range (0 included) */
    uint64_t overflow;  /* values > upper bound of the range */
    uint64_t invalid;   /* rejected inputs: NaN, +-inf, negative, not representable */
    uint64_t min;       /* exact minimum (UINT64_MAX when count == 0) */
    uint64_t max;       /* exact maximum (0 when count == 0) */
    uint64_t sum_lo;    /* exact sum of the valid values in ns: sum_hi * 2^64 + sum_lo */
    uint64_t sum_hi;
} mon_hist_stats;

typedef struct mon_hist_layout {
    int32_t scale;
    int32_t index_lo;  /* bucket index of the first bucket (index(lowest)) */
    int32_t index_hi;  /* bucket index of the last bucket (index(highest)) */
    uint32_t buckets;  /* index_hi - index_lo + 1 */
    uint64_t range_lo; /* smallest in-range value: T(index_lo - 1) + 1 */
    uint64_t range_hi; /* largest in-range value: T(index_hi) */
} mon_hist_layout;

typedef struct mon_hist_bucket {
    int32_t index;  /* bucket index i: values in (lower, upper] */
    uint64_t lower; /* T(i - 1), exclusive */
    uint64_t upper; /* T(i), inclusive (capped at 2^64 - 1) */
    uint64_t count;
} mon_hist_bucket;

typedef struct mon_hist_ring mon_hist_ring;

/* Validate a configuration: MON_OK, MON_E_NULL, MON_E_ALIGN or MON_E_CONFIG (scale out of
 * range, lowest == 0 or highest < lowest). */
mon_status mon_hist_check_config(const mon_hist_config *cfg);

/* Bytes of caller memory needed for a histogram of this configuration (header + 8 bytes per
 * bucket); 0 when the configuration is invalid. Pure; thread-safe. */
size_t mon_hist_size(const mon_hist_config *cfg);

/* Layout (bucket indices, count, effective range) of a configuration. MON_E_NULL,
 * MON_E_ALIGN, MON_E_CONFIG. */
mon_status mon_hist_layout_of(const mon_hist_config *cfg, mon_hist_layout *out);

/* Initialise an empty histogram in buf (size bytes, 8-byte aligned, owned by the caller and
 * used as the mon_hist object: cast buf to mon_hist *). MON_E_NULL, MON_E_CONFIG, MON_E_SIZE
 * (size < mon_hist_size(cfg)), MON_E_ALIGN (buf or cfg). Not thread-safe with respect to buf. */
mon_status mon_hist_init(void *buf, size_t size, const mon_hist_config *cfg);

/* Record one value in ns (0 counts as underflow). MON_E_NULL, MON_E_ALIGN, MON_E_STATE
 * (h not a valid histogram: nothing recorded). Thread-safe unless MON_SINGLE_THREADED. */
mon_status mon_hist_record(mon_hist *h, uint64_t value_ns);

/* Record n values in ns (values may be NULL when n == 0; any alignment). MON_E_NULL (h, or
 * values with n > 0), MON_E_ALIGN (h), MON_E_STATE; nothing is recorded on error. Same rules
 * as mon_hist_record. */
mon_status mon_hist_record_many(mon_hist *h, const uint64_t *values_ns, size_t n);

/* Record n signed values (any alignment) in the given unit (MON_HIST_NS/US/MS/S): negative
 * values and values whose ns product exceeds 2^64 - 1 are counted as invalid. Returns the
 * number of invalid values. With MON_HIST_STRICT in unit, nothing is recorded or counted when
 * any value is invalid (the return value says how many). Returns MON_HIST_NOT_RECORDED
 * ((size_t)-1) and records nothing when h is NULL, misaligned or not a valid histogram,
 * values is NULL with n > 0, or unit is unknown. Thread-safe unless MON_SINGLE_THREADED. */
size_t mon_hist_record_many_i64(mon_hist *h, const int64_t *values, size_t n, uint32_t unit);

/* Record n unsigned values (any alignment) in the given unit; products above 2^64 - 1 ns are
 * invalid. Returns the number of invalid values (MON_HIST_STRICT and MON_HIST_NOT_RECORDED as
 * for mon_hist_record_many_i64). */
size_t mon_hist_record_many_u64(mon_hist *h, const uint64_t *values, size_t n, uint32_t unit);

/* Convert a binary64 value in the given unit to ns: the exact value times 10^(3*unit), rounded
 * half to even, with integer arithmetic only. MON_E_NULL, MON_E_ALIGN (out_ns), MON_E_VALUE
 * for NaN, +-inf, negative values (-0.0 is 0) and results above 2^64 - 1; MON_E_CONFIG for a
 * bad unit (MON_HIST_STRICT is accepted and ignored). */
mon_status mon_hist_f64_to_ns(double value, uint32_t unit, uint64_t *out_ns);

/* Record one binary64 value in the given unit (converted by mon_hist_f64_to_ns). An invalid
 * value is counted in `invalid` and MON_E_VALUE returned; with MON_HIST_STRICT in unit it is
 * not counted (MON_E_VALUE still returned). Never touches sum/min/max for invalid values.
 * MON_E_NULL, MON_E_ALIGN, MON_E_STATE (h; nothing counted), MON_E_CONFIG (unknown unit, as
 * mon_hist_f64_to_ns; nothing counted). */
mon_status mon_hist_record_f64(mon_hist *h, double value, uint32_t unit);

/* mon_hist_record_f64 with the unit fixed (MON_HIST_US / MS / S): fewer arguments for bindings
 * whose per-call cost is per argument. Same rules and status codes as mon_hist_record_f64
 * (except MON_E_CONFIG: the unit is a valid one). */
mon_status mon_hist_record_us(mon_hist *h, double value);
mon_status mon_hist_record_ms(mon_hist *h, double value);
mon_status mon_hist_record_s(mon_hist *h, double value);

/* Record n binary64 values (any alignment) in the given unit; returns the number of invalid
 * values (counted in `invalid`; MON_HIST_STRICT and MON_HIST_NOT_RECORDED as for
 * mon_hist_record_many_i64). */
size_t mon_hist_record_many_f64(mon_hist *h, const double *values, size_t n, uint32_t unit);

/* Add n to the invalid counter (saturating), e.g. for inputs rejected before conversion.
 * MON_E_NULL, MON_E_ALIGN, MON_E_STATE. */
mon_status mon_hist_add_invalid(mon_hist *h, uint64_t n);

/* Configuration and layout of an initialised histogram (either output may be NULL).
 * MON_E_NULL, MON_E_ALIGN, MON_E_STATE. */
mon_status mon_hist_get_config(const mon_hist *h, mon_hist_config *cfg, mon_hist_layout *layout);

/* Counters, min, max and exact sum, O(1). MON_E_NULL, MON_E_ALIGN, MON_E_STATE. Thread-safe
 * (see the concurrency note). */
mon_status mon_hist_get_stats(const mon_hist *h, mon_hist_stats *out);

/* Nearest-rank quantiles q_k = num[k] / den[k] (0 <= num <= den, den >= 1): rank =
 * max(1, ceil(q * count)); out[k] = representative of the rank's bucket clamped to [min, max]
 * (an underflow rank gives min, an overflow rank gives max). One pass for all n quantiles, in
 * any order; n <= MON_HIST_MAX_QUANTILES. MON_E_NULL, MON_E_ALIGN (h, num, den or out),
 * MON_E_STATE, MON_E_VALUE (bad fraction), MON_E_LENGTH (n too large), MON_E_EMPTY
 * (count == 0). */
mon_status mon_hist_quantiles(const mon_hist *h, const uint64_t *num, const uint64_t *den, size_t n,
                              uint64_t *out);

/* Number of values known to be <= value_ns: underflow when value_ns >= T(i_lo - 1), plus every
 * bucket whose upper bound is <= value_ns, plus overflow when value_ns >= max. *exact = 1 when
 * this is the exact count (value_ns is a bucket boundary, below min, or >= max), else 0 and the
 * true count lies in [*out, *out + count of value_ns's bucket]. MON_E_NULL, MON_E_ALIGN,
 * MON_E_STATE. */
mon_status mon_hist_count_at_or_below(const mon_hist *h, uint64_t value_ns, uint64_t *out,
                                      int32_t *exact);

/* dst += src (saturating), same configuration required. MON_E_NULL, MON_E_ALIGN, MON_E_STATE,
 * MON_E_MISMATCH. src may be read while recorded to; dst must not be used concurrently. The
 * result does not depend on the order of merges (commutative, associative, bit-identical). */
mon_status mon_hist_merge(mon_hist *dst, const mon_hist *src);

/* Copy src into dst (same configuration): a frozen, self-consistent view. MON_E_NULL,
 * MON_E_ALIGN, MON_E_STATE, MON_E_MISMATCH. */
mon_status mon_hist_snapshot(const mon_hist *src, mon_hist *dst);

/* Empty the histogram (keeps its configuration). MON_E_NULL, MON_E_ALIGN, MON_E_STATE. Not
 * thread-safe. */
mon_status mon_hist_reset(mon_hist *h);

/* Iterate non-empty buckets in increasing index order: start with *cursor = 0; each call that
 * returns 1 fills *out and advances *cursor; 0 at the end (or on bad arguments: a NULL,
 * misaligned or invalid h, cursor or out). */
int32_t mon_hist_next_bucket(const mon_hist *h, uint32_t *cursor, mon_hist_bucket *out);

/* Copy the bucket counts (out[k] = count of bucket index_lo + k) for n = layout.buckets.
 * MON_E_NULL, MON_E_ALIGN (h or out), MON_E_STATE, MON_E_LENGTH (n != buckets). */
mon_status mon_hist_copy_counts(const mon_hist *h, uint64_t *out, size_t n);

/* Bucket index of value_ns >= 1 at a scale: ceil(2^scale * log2(value_ns)), exact.
 * MON_E_NULL, MON_E_ALIGN (out), MON_E_CONFIG (scale), MON_E_VALUE (value 0). */
mon_status mon_hist_index_of(int32_t scale, uint64_t value_ns, int32_t *out);

/* Exact threshold T(i) = floor(base^i) for 0 <= i <= 64 * 2^scale (capped at 2^64 - 1 for
 * the last); T(i) = 0 for i < 0. MON_E_NULL, MON_E_ALIGN (out), MON_E_CONFIG, MON_E_VALUE
 * (i too large). */
mon_status mon_hist_threshold(int32_t scale, int32_t index, uint64_t *out);

/* Worst-case relative error of an in-range quantile for a configuration, as the exact
 * fraction *num / *den: the maximum over the in-range buckets of the representative's error.
 * MON_E_NULL, MON_E_ALIGN, MON_E_CONFIG. Pure; costs O(buckets * 64). */
mon_status mon_hist_error_bound(const mon_hist_config *cfg, uint64_t *num, uint64_t *den);

/* Upper bound of the serialised size of h (header + 12 bytes per bucket + trailer); 0 when h
 * is NULL, misaligned or not a valid histogram. */
size_t mon_hist_serialized_size_max(const mon_hist *h);

/* Serialise into out (cap bytes): versioned little-endian bytes with only the non-empty buckets
 * and a CRC-32C. *written = bytes used. MON_E_NULL, MON_E_ALIGN (h or written), MON_E_STATE,
 * MON_E_SIZE (cap too small). */
mon_status mon_hist_serialize(const mon_hist *h, uint8_t *out, size_t cap, size_t *written);

/* Validate serialised bytes completely and read their configuration (then size a buffer with
 * mon_hist_size). MON_E_NULL, MON_E_ALIGN (cfg), MON_E_TRUNCATED, MON_E_FORMAT,
 * MON_E_CHECKSUM. Never reads outside [data, data + len). */
mon_status mon_hist_peek_config(const uint8_t *data, size_t len, mon_hist_config *cfg);

/* Initialise buf (like mon_hist_init) from serialised bytes, validated as mon_hist_peek_config;
 * buf is left untouched on error. MON_E_SIZE, MON_E_ALIGN and the peek errors. */
mon_status mon_hist_deserialize(void *buf, size_t size, const uint8_t *data, size_t len);

/* CRC-32C (Castagnoli, reflected, init and final xor 0xFFFFFFFF) of len bytes. */
uint32_t mon_hist_crc32c(const uint8_t *data, size_t len);

/* --- histograms over a time window ------------------------------------------------------
 * One histogram per slot of the window ring of mon_window.h (the model the service counters
 * use): tick t belongs to epoch e(t) = (t - start_tick) / slot_ticks (0 at or before start),
 * held by slot e mod slots and claimed - emptied - by the first value of its epoch. A window
 * at tick now over the last n slots merges the epochs e(now) - n + 1 .. e(now). Ticks are the
 * caller's (e.g. ns); the ring never reads a clock.
 *
 * Concurrency (unless MON_SINGLE_THREADED=1): every function below except init may be called
 * from any number of threads at once. A value recorded for tick now is counted either in the
 * histogram of epoch e(now) or - when that epoch's slot already holds a newer epoch, i.e. the
 * epoch has left the window at another recorder's clock - in the ring's `late` counter; never
 * in another epoch's histogram, never erased by a slot's clearing. (Claims are two-phase: the
 * slot is marked "being cleared", emptied, then opened; recorders of the new epoch wait for
 * the opening, and the claim waits for recorders and window reads still holding the old
 * epoch: a clearing, a record or a merge each, but a claim waits as long as new pins of the old
 * epoch keep arriving; see mon_window.h.) A window read at the
 * same time as recording sees each value being recorded or not, with the per-histogram
 * guarantees of the concurrency note above; a slot being cleared during the read contributes
 * nothing (it holds no value yet). Values of one epoch therefore appear in windows exactly:
 * window(now, n) = the values recorded for epochs in range whose slot still holds them.
 * A value whose epoch is older than the window but whose slot was not yet reused is recorded
 * in that slot (not late) and is simply outside windows at later ticks. */
#define MON_HIST_RING_MAX_SLOTS 1024

/* Bytes of caller memory for a ring of histograms of cfg over the window win
 * (win->slots <= MON_HIST_RING_MAX_SLOTS): 48 + slots * (16 + mon_hist_size(cfg)); 0 when
 * either configuration is invalid or misaligned. Pure; thread-safe. */
size_t mon_hist_ring_size(const mon_hist_config *cfg, const mon_window_config *win);

/* Initialise an empty ring in caller memory (8-byte aligned; cast buf to mon_hist_ring *).
 * MON_E_NULL, MON_E_CONFIG (either configuration, or slots > MON_HIST_RING_MAX_SLOTS),
 * MON_E_SIZE, MON_E_ALIGN (buf, cfg or win). Not thread-safe with respect to buf. */
mon_status mon_hist_ring_init(void *buf, size_t size, const mon_hist_config *cfg,
                              const mon_window_config *win);

/* Record value_ns at tick now: 1 when counted in the histogram of e(now), 0 when that epoch
 * has left the window (counted in `late`), -1 when ring is NULL, misaligned or not a valid
 * ring (its header or the slot's histogram header: nothing recorded). Thread-safe. */
int32_t mon_hist_ring_record(mon_hist_ring *ring, uint64_t now, uint64_t value_ns);

/* mon_hist_record_f64 at tick now (same units, MON_HIST_STRICT and status codes as
 * mon_hist_record_f64, MON_E_STATE also for a ring that is not valid); a late value is
 * counted in `late` (a strict rejection is not counted at all). Thread-safe. */
mon_status mon_hist_ring_record_f64(mon_hist_ring *ring, uint64_t now, double value, uint32_t unit);

/* The histogram of tick now's epoch, claimed (emptied) when its slot held an older epoch, and
 * held for the caller, who may then use every mon_hist_record* function on it and must call
 * mon_hist_ring_release(ring, h) when done; NULL when the epoch has left the window (nothing
 * held: count such values with mon_hist_ring_add_late) or ring is not initialised. While held,
 * the slot cannot be claimed for a newer epoch (such a claim waits): hold it briefly, and do not
 * record into the same ring at a tick of a later epoch before releasing (that could wait for
 * the caller itself). NULL also when ring is NULL, misaligned or not valid. Thread-safe. */
mon_hist *mon_hist_ring_acquire(mon_hist_ring *ring, uint64_t now);

/* Release a histogram returned by mon_hist_ring_acquire, exactly once per acquire. A pointer
 * that is not a slot histogram of the ring is ignored, and so is a release of a slot nobody
 * holds (it cannot underflow the slot's pin count); a second release while another thread
 * holds the same slot takes that thread's pin and is undetectable: do not. */
void mon_hist_ring_release(mon_hist_ring *ring, mon_hist *h);

/* Add n to the `late` counter (saturating), for values not recorded because acquire returned
 * NULL. MON_E_NULL, MON_E_ALIGN, MON_E_STATE. Thread-safe. */
mon_status mon_hist_ring_add_late(mon_hist_ring *ring, uint64_t n);

/* Reset dst and merge into it the histograms of the epochs e(now) - last_slots + 1 .. e(now)
 * (last_slots 1 .. slots; epochs below 0 do not exist). dst must have the ring's histogram
 * configuration and not be used concurrently; the ring may be recorded to meanwhile. Read-only
 * in effect, so windows at any tick (older or newer than the recorders') are allowed.
 * MON_E_NULL, MON_E_ALIGN, MON_E_STATE (ring, dst, or a slot histogram), MON_E_VALUE
 * (last_slots), MON_E_MISMATCH. Thread-safe. */
mon_status mon_hist_ring_window(mon_hist_ring *ring, uint64_t now, uint32_t last_slots,
                                mon_hist *dst);

/* Histogram configuration, window configuration and the `late` count of a ring (each output
 * may be NULL). MON_E_NULL, MON_E_ALIGN, MON_E_STATE. Thread-safe. */
mon_status mon_hist_ring_info(const mon_hist_ring *ring, mon_hist_config *cfg,
                              mon_window_config *win, uint64_t *late);
/* MON_CDEF_END */

/* Returned by the mon_hist_record_many_{i64,u64,f64} functions when nothing was recorded
 * because of a bad argument (not a count: no array has SIZE_MAX elements). */
#define MON_HIST_NOT_RECORDED ((size_t)-1)

#ifdef __cplusplus
}
#endif

#endif /* MON_HIST_H */
