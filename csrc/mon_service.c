/*
 * mon_service.c - service counters and tick-rotated rate windows (see mon_service.h).
 */
#include <string.h>

#include "mon_align_internal.h"
#include "mon_atomic_internal.h"
#include "mon_sat_internal.h"
#include "mon_service.h"
#include "mon_window_internal.h"

MON_STATIC_ASSERT(MON_ERROR_CATEGORY_COUNT == 5, five_categories);
MON_STATIC_ASSERT(MON_ERR_TIMEOUT == MON_ERROR_CATEGORY_COUNT - 1, categories_are_dense);

/* Counter indices shared by the totals and every slot. */
enum {
    F_RECEIVED = 0,
    F_PROCESSED = 1,
    F_DROPPED = 2,
    F_FAILED = 3,
    F_ERRORS = 4, /* F_ERRORS + category */
    F_COUNT = F_ERRORS + MON_ERROR_CATEGORY_COUNT
};

#define SERVICE_MAGIC UINT64_C(0x32304356534E4F4D) /* "MONSVC02" (01 had no size field) */

/* Caller memory: this header, then `slots` window slot states (mon_window_internal.h), then
 * `slots` x F_COUNT counters (slot i's at counts_of(s, i)). size is the byte size that slots
 * must agree with (redundancy: a corrupted slot count is seen before it addresses memory). */
struct mon_service {
    uint64_t magic;
    mon_window_config w; /* slot_ticks, start_tick, slots, flags */
    uint64_t size;       /* offsetof(ring) + slots * SLOT_BYTES */
    uint64_t in_flight;
    uint64_t total[F_COUNT];
    mon_window_slot ring[]; /* `slots` entries (C99 flexible array member) */
};

#define SLOT_BYTES (sizeof(mon_window_slot) + F_COUNT * sizeof(uint64_t))
MON_STATIC_ASSERT(SLOT_BYTES == 88, slot_is_88_bytes);
MON_STATIC_ASSERT(MON_SERVICE_MAX_SLOTS == MON_WINDOW_MAX_SLOTS, same_slot_limit);

/* The recording paths' state check (a few compares): magic, slot_ticks != 0 (the epoch's
 * divisor), 1 <= slots <= MON_SERVICE_MAX_SLOTS (the modulus and the ring's extent), and size
 * agreeing with slots. */
static int service_hot_ok(const mon_service *s)
{
    return s->magic == SERVICE_MAGIC && s->w.slot_ticks != 0u &&
           s->w.slots - 1u < (uint32_t)MON_SERVICE_MAX_SLOTS &&
           s->size == offsetof(mon_service, ring) + (uint64_t)s->w.slots * SLOT_BYTES;
}

/* The reading functions also require flags == 0 (reserved; unused by the recorders). */
static int service_ok(const mon_service *s) { return service_hot_ok(s) && s->w.flags == 0u; }

static mon_status service_status(const mon_service *s)
{
    if (s == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_OBJ(s)) {
        return MON_E_ALIGN;
    }
    return service_ok(s) ? MON_OK : MON_E_STATE;
}

#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static mon_status
service_status_hot(const mon_service *s)
{
    if (s == NULL) {
        return MON_E_NULL;
    }
    return MON_ALIGNED_OBJ(s) ? MON_E_STATE : MON_E_ALIGN;
}

/* The recording paths' check, the valid case first. */
#define SERVICE_CHECK(s)                                                \
    do {                                                                \
        if ((s) == NULL || !MON_ALIGNED_OBJ(s) || !service_hot_ok(s)) { \
            return service_status_hot(s);                               \
        }                                                               \
    } while (0)

static uint64_t *counts_of(const mon_service *s, uint32_t i)
{
    return (uint64_t *)(uintptr_t)(s->ring + s->w.slots) + (size_t)i * F_COUNT;
}

/* ---- atomics (csrc/mon_atomic_internal.h) ----------------------------------------------- */
static uint64_t ld(const uint64_t *p) { return mon_atomic_load(p); }
static void atomic_sat_inc(uint64_t *p) { (void)mon_atomic_sat_add(p, 1u, MON_ORDER_RELAXED); }
/* The finishing totals (processed, failed, dropped) are published with release order and read
 * with acquire before `received` (mon_service_totals): a reader that sees a request finished
 * also sees it received, so the in-flight count it derives is never negative. */
static void atomic_sat_inc_release(uint64_t *p)
{
    (void)mon_atomic_sat_add(p, 1u, MON_ORDER_RELEASE);
}
static int dec_nonzero(uint64_t *p) { return mon_atomic_dec_nonzero(p); }

/* ---- configuration and layout -------------------------------------------------------------- */

mon_status mon_service_check_config(const mon_service_config *cfg)
{
    return mon_window_check_config(cfg);
}

size_t mon_service_size(const mon_service_config *cfg)
{
    if (mon_service_check_config(cfg) != MON_OK) {
        return 0u;
    }
    return offsetof(mon_service, ring) + (size_t)cfg->slots * SLOT_BYTES;
}

mon_status mon_service_init(void *buf, size_t size, const mon_service_config *cfg)
{
    mon_service *s;
    size_t need;
    mon_status st0;
    if (buf == NULL || cfg == NULL) {
        return MON_E_NULL;
    }
    if (((uintptr_t)buf & 7u) != 0u) {
        return MON_E_ALIGN;
    }
    st0 = mon_service_check_config(cfg);
    if (st0 != MON_OK) {
        return st0;
    }
    need = mon_service_size(cfg);
    if (size < need) {
        return MON_E_SIZE;
    }
    memset(buf, 0, need);
    s = (mon_service *)buf;
    s->w = *cfg;
    s->size = (uint64_t)need;
    s->magic = SERVICE_MAGIC;
    return MON_OK;
}

/* ---- recording ----------------------------------------------------------------------------- */

/* Count f1 (and f2 when >= 0) in the totals and in the slot of tick now's epoch, unless that
 * epoch has left the window (mon_window_internal.h: a claimed slot is emptied first). */
static void count(mon_service *s, uint64_t now, int f1, int f2)
{
    uint32_t i;
    mon_window_claim c = mon_window_acquire(&s->w, s->ring, now, &i);
    if (f1 == F_RECEIVED) {
        atomic_sat_inc(&s->total[f1]);
    } else {
        atomic_sat_inc_release(&s->total[f1]);
    }
    if (f2 >= 0) {
        atomic_sat_inc_release(&s->total[f2]); /* reject: dropped after received */
    }
    if (c != MON_WINDOW_LATE) {
        uint64_t *v = counts_of(s, i);
        if (c == MON_WINDOW_CLAIMED) {
            int k;
            for (k = 0; k < F_COUNT; ++k) {
                mon_atomic_store(&v[k], 0u);
            }
            mon_window_open(&s->ring[i]);
        }
        atomic_sat_inc(&v[f1]);
        if (f2 >= 0) {
            atomic_sat_inc(&v[f2]);
        }
        mon_window_release(&s->ring[i]);
    }
}

mon_status mon_service_begin(mon_service *s, uint64_t now)
{
    SERVICE_CHECK(s);
    atomic_sat_inc(&s->in_flight);
    count(s, now, F_RECEIVED, -1);
    return MON_OK;
}

mon_status mon_service_ok(mon_service *s, uint64_t now)
{
    SERVICE_CHECK(s);
    if (!dec_nonzero(&s->in_flight)) {
        return MON_E_STATE;
    }
    count(s, now, F_PROCESSED, -1);
    return MON_OK;
}

mon_status mon_service_fail(mon_service *s, uint64_t now, mon_error_category category)
{
    SERVICE_CHECK(s);
    if ((unsigned)category >= (unsigned)MON_ERROR_CATEGORY_COUNT) {
        return MON_E_VALUE;
    }
    if (!dec_nonzero(&s->in_flight)) {
        return MON_E_STATE;
    }
    count(s, now, F_FAILED, F_ERRORS + (int)category);
    return MON_OK;
}

mon_status mon_service_drop(mon_service *s, uint64_t now)
{
    SERVICE_CHECK(s);
    if (!dec_nonzero(&s->in_flight)) {
        return MON_E_STATE;
    }
    count(s, now, F_DROPPED, -1);
    return MON_OK;
}

mon_status mon_service_reject(mon_service *s, uint64_t now)
{
    SERVICE_CHECK(s);
    count(s, now, F_RECEIVED, F_DROPPED);
    return MON_OK;
}

mon_status mon_service_error(mon_service *s, uint64_t now, mon_error_category category)
{
    SERVICE_CHECK(s);
    if ((unsigned)category >= (unsigned)MON_ERROR_CATEGORY_COUNT) {
        return MON_E_VALUE;
    }
    count(s, now, F_ERRORS + (int)category, -1);
    return MON_OK;
}

/* ---- reading ------------------------------------------------------------------------------- */

static void to_counts(const uint64_t *v, uint64_t in_flight, mon_service_counts *out)
{
    int c;
    out->received = v[F_RECEIVED];
    out->processed = v[F_PROCESSED];
    out->dropped = v[F_DROPPED];
    out->failed = v[F_FAILED];
    out->in_flight = in_flight;
    for (c = 0; c < MON_ERROR_CATEGORY_COUNT; ++c) {
        out->errors[c] = v[F_ERRORS + c];
    }
}

#define READ_TRIES 16

static void collect(const mon_service *s, uint64_t *v)
{
    int i;
    for (i = F_PROCESSED; i < F_COUNT; ++i) {
        v[i] = mon_atomic_load_acquire(&s->total[i]);
    }
    v[F_RECEIVED] = ld(&s->total[F_RECEIVED]);
}

mon_status mon_service_totals(const mon_service *s, mon_service_counts *out)
{
    uint64_t v[F_COUNT];
    mon_status st = service_status(s);
    if (st != MON_OK) {
        return st;
    }
    if (out == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(out)) {
        return MON_E_ALIGN;
    }
    /* One consistent state without a lock and without slowing the writers: in_flight is
     * derived (received - processed - failed - dropped), and the counters are collected twice
     * until two collections agree. The counters only grow, so two equal collections mean none
     * changed in between: the values are the state at one instant (an event is in it entirely
     * or not at all). After READ_TRIES disagreeing pairs (a continuous stream of events) the
     * last collection is used: finishing counters are read first (acquire) and `received`
     * last, and every request seen finished was received before (its receipt happens-before
     * its release-ordered finishing increment), so the identity received = processed + failed
     * + dropped + in_flight still holds, in_flight >= 0. The gauge s->in_flight (which guards
     * ok/fail/drop against ending a request twice) is reported only when a counter has
     * saturated and the identity cannot hold. */
    {
        uint64_t w[F_COUNT], done, in_flight;
        int tries, sat;
        collect(s, v);
        for (tries = 0; tries < READ_TRIES; ++tries) {
            collect(s, w);
            if (memcmp(v, w, sizeof v) == 0) {
                break;
            }
            memcpy(v, w, sizeof v);
        }
        in_flight = ld(&s->in_flight);
        done = v[F_PROCESSED];
        sat = v[F_RECEIVED] == UINT64_MAX || done > UINT64_MAX - v[F_FAILED];
        done += sat ? 0u : v[F_FAILED];
        sat |= done > UINT64_MAX - v[F_DROPPED];
        done += sat ? 0u : v[F_DROPPED];
        if (!sat) {
            in_flight = v[F_RECEIVED] >= done ? v[F_RECEIVED] - done : 0u;
        }
        to_counts(v, in_flight, out);
    }
    return MON_OK;
}

mon_status mon_service_window_counts(const mon_service *s, uint64_t now, mon_service_window *out)
{
    uint64_t v[F_COUNT];
    uint64_t e_now, first;
    uint32_t k;
    int i;
    mon_status st = service_status(s);
    if (st != MON_OK) {
        return st;
    }
    if (out == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(out)) {
        return MON_E_ALIGN;
    }
    e_now = mon_window_epoch(&s->w, now);
    first = mon_window_first(e_now, s->w.slots);
    memset(v, 0, sizeof v);
    for (k = 0; k < s->w.slots; ++k) {
        uint64_t tag, got[F_COUNT];
        const uint64_t *c = counts_of(s, k);
        if (!mon_window_read_begin(&s->ring[k], first, e_now, &tag)) {
            continue;
        }
        for (i = 0; i < F_COUNT; ++i) {
            got[i] = ld(&c[i]);
        }
        if (!mon_window_read_valid(&s->ring[k], tag)) {
            continue; /* claimed for a newer epoch while read: it has left the window */
        }
        for (i = 0; i < F_COUNT; ++i) {
            v[i] = mon_sat_sum(v[i], got[i]);
        }
    }
    to_counts(v, 0u, &out->counts);
    /* first * slot_ticks <= now - start_tick whenever now > start_tick: no overflow. */
    out->from_tick = s->w.start_tick + first * s->w.slot_ticks;
    out->to_tick = now;
    out->span_ticks = (now > out->from_tick) ? now - out->from_tick : 0u;
    return MON_OK;
}

mon_status mon_service_config_of(const mon_service *s, mon_service_config *out)
{
    mon_status st = service_status(s);
    if (st != MON_OK) {
        return st;
    }
    if (out == NULL) {
        return MON_E_NULL;
    }
    if (!MON_ALIGNED_U64(out)) {
        return MON_E_ALIGN;
    }
    *out = s->w;
    return MON_OK;
}

const char *mon_error_category_name(mon_error_category category)
{
    switch (category) {
    case MON_ERR_INFRASTRUCTURE: return "infrastructure";
    case MON_ERR_INPUT_VALIDATION: return "input_validation";
    case MON_ERR_MODEL_INFERENCE: return "model_inference";
    case MON_ERR_BUSINESS_LOGIC: return "business_logic";
    case MON_ERR_TIMEOUT: return "timeout";
    }
    return NULL;
}
